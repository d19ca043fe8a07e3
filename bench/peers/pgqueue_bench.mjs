#!/usr/bin/env node
// pgqueue_bench: the figures queue_bench measures for Spool, measured for two PostgreSQL job queues
// from npm, graphile-worker and pg-boss, and for a raw `FOR UPDATE SKIP LOCKED` loop on the pg
// client, so that Spool's shared queue on PostgreSQL can be put side by side with them. Needs
// bench/peers/setup.sh to have run (npm ci into bench/peers/node_modules).
//
//   node bench/peers/pgqueue_bench.mjs --database postgresql://user@host:port/db [--jobs N]
//                                      [--workers W] [--peer graphile-worker|pg-boss|raw|all]
//
// One JSON object on stdout; progress notes to stderr. Each peer works in a fresh schema of its own
// (gw_bench_<hex>, pgboss_bench_<hex>, raw_bench_<hex>), dropped at the end, also after a failure.
// The server's durability settings are read back and printed: a test server that runs with
// fsync=off and synchronous_commit=off (tests/postgresql/testserver.sh) measures the statements and
// round trips, not the disk.
//
// Keys: database (the URL without its password), jobs, workers, server_version, synchronous_commit,
// fsync, node_version, pg_client_version, batch_size, latency_samples, latency_warmup, and peers,
// one object per peer measured with its version and these figures (rates are N / seconds):
//   enqueue_per_s           N jobs added one library call each, awaited in sequence (one
//                           autocommit statement each): graphile-worker WorkerUtils.addJob,
//                           pg-boss send(), raw an INSERT
//   enqueue_batched_per_s   N jobs in calls of 1000: graphile-worker addJobs where the version has
//                           it (0.17 on), else its SQL batch function add_jobs(job_spec[]), one
//                           statement a batch (enqueue_batched_api says which); pg-boss insert()
//   drain_per_s             N pre-inserted no-op jobs drained by W concurrent workers in this one
//                           Node process, from the workers' start until the Nth completion is in
//                           the database (details per peer below)
//   drain_batched_per_s     graphile-worker only: the drain with its local queue and batched
//                           completions (localQueue, completeJobBatchDelay, failJobBatchDelay), which
//                           came with 0.17; null on 0.16, with drain_batched_note saying why
//   latency_p50_ms/_p99_ms  an idle, running set of W workers; one job added, timed from just before
//                           the add until its handler starts; 200 samples after 20 warm-ups, one at
//                           a time (not for raw, which has no worker to wake)
// and, to say how a figure was made: graphile-worker enqueue_batched_api, concurrency,
// drain_batched_note or drain_batched_options; pg-boss drain_batch_size, drain_workers,
// polling_interval_s.
//
// graphile-worker. run() with concurrency W (one pool of W workers, a pg pool of max(10, W + 2)
// connections, noHandleSignals), the task list { bench_noop: async () => {} }. Its schema is
// installed (runMigrations) before any timing. On 0.16 each worker claims one job (get_job), runs it
// and deletes it (complete_job): two statements a job. The drain runs from the run() call until the
// Nth "job:complete" event, which 0.16 emits after complete_job has returned; from 0.17 the event
// comes before the (possibly batched) completion is written, so the end is then when a poll of the
// table (every 5 ms, from that event on) finds it empty. drain_batched (0.17 and later) uses
// localQueue { size: 100 }, completeJobBatchDelay 0 and failJobBatchDelay 0. package.json pins
// 0.16.6; the 0.17 paths (addJobs, drain_batched) were tried once with 0.17.3 (0.18 needs Node 22).
// New jobs wake an idle worker by LISTEN/NOTIFY; pollInterval keeps its default (2 s, for jobs to
// run later).
//
// pg-boss. new PgBoss({ schema, max: max(10, W + 2) }) with its defaults otherwise (supervise and
// schedule on); one queue per phase (createQueue; version 10 puts each in a partition). The drain
// runs W work() calls (pg-boss 10 has no localConcurrency option: each work() is one polling
// loop) with batchSize 100 and pollingIntervalSeconds 0.5, the least it allows. A loop fetches up
// to 100 jobs in one statement, hands them to the handler as one array and then completes them all
// in one statement that it does not await; it then sleeps until 0.5 s have passed since the fetch
// began, found jobs or not, so one loop drains at most 100 jobs per 0.5 s. Since completion is not
// awaited and pg-boss has no drained event, the end of the drain is found by polling the queue's
// count of completed jobs every 5 ms on a separate connection. pg-boss has no LISTEN/NOTIFY: an idle
// worker sees a new job at its next poll, so its latency is set by the 0.5 s interval; the pause
// between latency samples is random over that interval (2-6 ms for the others), so that a sample
// is a job added at a random moment of the poll cycle. The W loops start together and sleep the
// same interval, so their polls stay in step and more workers do not shorten the latency.
//
// raw. A table jobs(id bigserial, status text, payload jsonb, created_at, updated_at) with a
// partial index on id for status = 'pending', driven by W pg.Client connections (opened before the
// timing), each in a loop of two autocommit statements a job: claim (UPDATE ... WHERE id = (SELECT
// id ... WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING) and
// complete (UPDATE ... SET status = 'done'). enqueue_per_s is one INSERT a job.
//
// Before each drain the table is filled (untimed, in batches) and VACUUM ANALYZEd, so the drain
// starts with fresh statistics and no dead rows from the fill.

import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const kBatchSize = 1000;
const kPgBossBatchSize = 100;
const kPgBossPollSeconds = 0.5;
const kLatencySamples = 200;
const kLatencyWarmup = 20;
const kWaitLimitMs = 10 * 60 * 1000;
const kConnectTimeoutMs = 10000;
const kTask = "bench_noop";
const kPeers = ["graphile-worker", "pg-boss", "raw"];
const kHere = fileURLToPath(new URL(".", import.meta.url));

const startedAtNs = process.hrtime.bigint();
function note(message) {
    const s = Number(process.hrtime.bigint() - startedAtNs) / 1e9;
    process.stderr.write(`pgqueue_bench [${s.toFixed(2).padStart(7)} s]: ${message}\n`);
}

class BenchFailure extends Error {}

function usage() {
    return "usage: node pgqueue_bench.mjs --database postgresql://user@host:port/db [--jobs N] [--workers W]"
           + " [--peer graphile-worker|pg-boss|raw|all]";
}

function parseArguments(argv) {
    const params = { database: undefined, jobs: 20000, workers: 4, peers: kPeers };
    for (let i = 0; i < argv.length; ++i) {
        const arg = argv[i];
        if (arg === "-h" || arg === "--help") {
            process.stdout.write(`${usage()}\n`);
            process.exit(0);
        }
        const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
        const value = inline ?? argv[++i];
        if (value === undefined)
            throw new BenchFailure(`${flag} needs a value; ${usage()}`);
        const positiveInt = () => {
            const n = Number(value);
            if (!Number.isInteger(n) || n < 1)
                throw new BenchFailure(`${flag} must be a positive integer, not '${value}'`);
            return n;
        };
        switch (flag) {
        case "--database": params.database = value; break;
        case "--jobs": params.jobs = positiveInt(); break;
        case "--workers": params.workers = positiveInt(); break;
        case "--peer":
            if (value !== "all" && !kPeers.includes(value))
                throw new BenchFailure(`--peer must be one of ${kPeers.join(", ")} or all, not '${value}'`);
            params.peers = value === "all" ? kPeers : [value];
            break;
        default: throw new BenchFailure(`unknown argument '${arg}'; ${usage()}`);
        }
    }
    if (!params.database)
        throw new BenchFailure(`--database is required; ${usage()}`);
    return params;
}

// The URL as printed: without its password.
function publicUrl(database) {
    try {
        const url = new URL(database);
        url.password = "";
        return url.toString();
    } catch {
        return database.replace(/:[^:@/]*@/, "@");
    }
}

// pg, graphile-worker and pg-boss come from bench/peers/node_modules, installed by setup.sh; only the
// libraries of the peers asked for are loaded (pg always).
async function loadLibraries(peers) {
    const require = createRequire(join(kHere, "package.json"));
    const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
    const load = async (name) => {
        try {
            const module = await import(name);
            return { module, version: version(name) };
        } catch (error) {
            throw new BenchFailure(`cannot load the npm package ${name} (${error.message.split("\n")[0]}); `
                                   + "run bench/peers/setup.sh first");
        }
    };
    const libs = { pg: await load("pg") };
    libs.pg.module = libs.pg.module.default ?? libs.pg.module;
    if (peers.includes("graphile-worker")) {
        libs["graphile-worker"] = await load("graphile-worker");
        const gw = libs["graphile-worker"].module;
        libs["graphile-worker"].module = gw.run ? gw : gw.default;
    }
    if (peers.includes("pg-boss")) {
        libs["pg-boss"] = await load("pg-boss");
        libs["pg-boss"].module = libs["pg-boss"].module.default ?? libs["pg-boss"].module;
    }
    return libs;
}

const nowNs = () => process.hrtime.bigint();
const secondsSince = (startNs) => Number(nowNs() - startNs) / 1e9;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rounded = (value, decimals) => Math.round(value * 10 ** decimals) / 10 ** decimals;
const rate = (count, seconds) => rounded(count / seconds, 1);
const freshSchema = (prefix) => `${prefix}_${randomBytes(4).toString("hex")}`;
const quoted = (name) => `"${name.replace(/"/g, '""')}"`;

function withTimeout(promise, what) {
    let timer;
    const limit = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new BenchFailure(`timed out ${what}`)), kWaitLimitMs);
    });
    return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// A promise with its resolve function, for "the Nth completion has happened".
function signal() {
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    return { promise, resolve };
}

// Nearest-rank percentiles of nanosecond values, in milliseconds (as queue_bench computes them).
function percentiles(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (p) => sorted[Math.min(Math.ceil(p * sorted.length) - 1, sorted.length - 1)] / 1e6;
    return sorted.length ? { p50Ms: rank(0.5), p99Ms: rank(0.99) } : { p50Ms: 0, p99Ms: 0 };
}

// Adds one job at a time to idle, running workers and waits for its handler to start; `add()` adds
// a job, `started()` returns a promise for the handler's start time (set up before the add),
// `settled()` waits for the job to be finished before the next sample. Between samples the workers
// are left idle for a random pause in [2, 2 + pauseSpreadMs) ms.
async function latencyFigures(add, started, settled, pauseSpreadMs) {
    const samples = [];
    for (let i = 0; i < kLatencyWarmup + kLatencySamples; ++i) {
        await sleep(2 + Math.random() * pauseSpreadMs);
        const handlerStarted = started();
        const t0 = nowNs();
        await add();
        const startNs = await withTimeout(handlerStarted, "waiting for a job's handler to start");
        if (i >= kLatencyWarmup)
            samples.push(Number(startNs - t0));
        await settled();
    }
    const { p50Ms, p99Ms } = percentiles(samples);
    return { latency_p50_ms: rounded(p50Ms, 3), latency_p99_ms: rounded(p99Ms, 3) };
}

async function phase(name, jobs, measure) {
    note(`  ${name}: ${jobs} jobs ...`);
    const start = nowNs();
    const value = await measure();
    note(`  ${name}: done in ${secondsSince(start).toFixed(2)} s`);
    return value;
}

// One connection of the script's own: server settings, fills, VACUUM, counts and DROP SCHEMA.
async function connectAdmin(pg, params) {
    const client = new pg.Client({ connectionString: params.database, connectionTimeoutMillis: kConnectTimeoutMs,
                                   application_name: "pgqueue_bench" });
    client.on("error", (error) => note(`admin connection error: ${error.message}`));
    try {
        await client.connect();
    } catch (error) {
        throw new BenchFailure(`cannot connect to ${publicUrl(params.database)}: ${error.message || error.code || error}`);
    }
    return client;
}

async function show(admin, setting) {
    return (await admin.query(`SHOW ${setting}`)).rows[0][setting];
}

async function count(admin, sql, values = []) {
    return Number((await admin.query(sql, values)).rows[0].count);
}

// --- graphile-worker ------------------------------------------------------------------------------

function graphileLogger(gw) {
    return new gw.Logger(() => (level, message) => {
        if (level === "error" || level === "warning")
            note(`graphile-worker ${level}: ${message}`);
    });
}

async function graphileWorkerPeer(lib, params, admin) {
    const gw = lib.module;
    const schema = freshSchema("gw_bench");
    const jobsTable = `${quoted(schema)}._private_jobs`;
    const common = { connectionString: params.database, schema, logger: graphileLogger(gw),
                     maxPoolSize: Math.max(10, params.workers + 2) };
    const n = params.jobs;
    const out = { version: lib.version };
    note(`graphile-worker ${lib.version} in schema ${schema}`);
    let utils;
    try {
        await gw.runMigrations(common);
        utils = await gw.makeWorkerUtils(common);
        const hasAddJobs = typeof utils.addJobs === "function";
        // localQueue and the batched completions came with 0.17, together with addJobs.
        const hasLocalQueue = hasAddJobs;

        const addBatch = hasAddJobs
            ? (size) => utils.addJobs(Array.from({ length: size }, () => ({ identifier: kTask, payload: {} })))
            : (size) => utils.withPgClient((client) => client.query(
                `SELECT id FROM ${quoted(schema)}.add_jobs(ARRAY(
                     SELECT s FROM json_populate_recordset(NULL::${quoted(schema)}.job_spec, $1::json) s))`,
                [JSON.stringify(Array.from({ length: size }, () => ({ identifier: kTask, payload: {} })))]));
        const emptyTable = () => admin.query(`TRUNCATE ${jobsTable}`);
        const fill = async () => {
            await emptyTable();
            for (let done = 0; done < n; done += kBatchSize)
                await addBatch(Math.min(kBatchSize, n - done));
            await admin.query(`VACUUM ANALYZE ${jobsTable}`);
        };

        out.enqueue_per_s = rate(n, await phase("enqueue (addJob)", n, async () => {
            await emptyTable();
            const start = nowNs();
            for (let i = 0; i < n; ++i)
                await utils.addJob(kTask, {});
            return secondsSince(start);
        }));
        out.enqueue_batched_api = hasAddJobs ? "WorkerUtils.addJobs" : "SQL add_jobs(job_spec[]), one statement a batch";
        out.enqueue_batched_per_s = rate(n, await phase(`enqueue_batched (${out.enqueue_batched_api})`, n, async () => {
            await emptyTable();
            const start = nowNs();
            for (let done = 0; done < n; done += kBatchSize)
                await addBatch(Math.min(kBatchSize, n - done));
            return secondsSince(start);
        }));

        // W workers until the Nth job:complete, from the run() call.
        const drain = async (extraOptions) => {
            await fill();
            const events = new EventEmitter();
            const allDone = signal();
            let completed = 0;
            let failed = 0;
            let endNs = 0n;
            events.on("job:complete", ({ error }) => {
                if (error)
                    ++failed;
                if (++completed === n) {
                    endNs = nowNs();
                    allDone.resolve();
                }
            });
            const startNs = nowNs();
            const runner = await gw.run({ ...common, ...extraOptions, concurrency: params.workers, noHandleSignals: true,
                                          taskList: { [kTask]: async () => {} }, events });
            let polls = 0;
            try {
                await withTimeout(allDone.promise, "draining the queue");
                // 0.16 has deleted every row by now; 0.17 on may still be writing the last completions.
                await withTimeout((async () => {
                    while (await count(admin, `SELECT count(*) FROM ${jobsTable}`) > 0) {
                        await sleep(5);
                        endNs = nowNs();
                        ++polls;
                    }
                })(), "waiting for the completions to be written");
            } finally {
                await runner.stop();
            }
            const seconds = Number(endNs - startNs) / 1e9;
            note(`    ${completed} job:complete events, ${failed} with an error; the table was empty`
                 + (polls ? ` ${polls} poll${polls === 1 ? "" : "s"} after the last event` : " at the last event"));
            if (failed)
                throw new BenchFailure(`graphile-worker drain: ${failed} jobs failed`);
            return seconds;
        };
        out.drain_per_s = rate(n, await phase("drain", n, () => drain({})));
        if (hasLocalQueue) {
            out.drain_batched_options = { localQueue: { size: 100 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 };
            out.drain_batched_per_s = rate(n, await phase("drain_batched", n,
                                                          () => drain({ preset: { worker: out.drain_batched_options } })));
        } else {
            out.drain_batched_per_s = null;
            out.drain_batched_note = `graphile-worker ${lib.version} has no localQueue, completeJobBatchDelay or`
                                     + " failJobBatchDelay (they came with 0.17): each worker claims and completes one job at a time";
        }

        out.concurrency = params.workers;
        Object.assign(out, await phase("latency", kLatencyWarmup + kLatencySamples, async () => {
            await emptyTable();
            const events = new EventEmitter();
            let handlerStarted = signal();
            let jobDone = signal();
            events.on("job:complete", () => jobDone.resolve());
            const runner = await gw.run({ ...common, concurrency: params.workers, noHandleSignals: true, events,
                                          taskList: { [kTask]: async () => { handlerStarted.resolve(nowNs()); } } });
            try {
                await sleep(200); // the workers' first, empty, get_job is over
                return await latencyFigures(
                    () => utils.addJob(kTask, {}),
                    () => { handlerStarted = signal(); jobDone = signal(); return handlerStarted.promise; },
                    () => withTimeout(jobDone.promise, "waiting for a job to complete"),
                    4);
            } finally {
                await runner.stop();
            }
        }));
        return out;
    } finally {
        if (utils)
            await utils.release();
        await dropSchema(admin, schema);
    }
}

// --- pg-boss --------------------------------------------------------------------------------------

async function pgBossPeer(lib, params, admin) {
    const PgBoss = lib.module;
    const schema = freshSchema("pgboss_bench");
    const n = params.jobs;
    const out = { version: lib.version };
    note(`pg-boss ${lib.version} in schema ${schema}`);
    const boss = new PgBoss({ connectionString: params.database, schema, max: Math.max(10, params.workers + 2),
                              application_name: "pgqueue_bench_pgboss" });
    boss.on("error", (error) => note(`pg-boss error: ${error.message}`));
    const jobTable = `${quoted(schema)}.job`;
    const queue = async (name) => { await boss.createQueue(name); return name; };
    const insertBatches = async (name) => {
        for (let done = 0; done < n; done += kBatchSize)
            await boss.insert(Array.from({ length: Math.min(kBatchSize, n - done) }, () => ({ name, data: {} })));
    };
    const workOptions = (batchSize) => ({ batchSize, pollingIntervalSeconds: kPgBossPollSeconds });
    let started = false;
    try {
        await boss.start();
        started = true;

        out.enqueue_per_s = rate(n, await phase("enqueue (send)", n, async () => {
            const name = await queue(`${kTask}_single`);
            const start = nowNs();
            for (let i = 0; i < n; ++i)
                await boss.send(name, {});
            return secondsSince(start);
        }));
        out.enqueue_batched_per_s = rate(n, await phase("enqueue_batched (insert)", n, async () => {
            const name = await queue(`${kTask}_batched`);
            const start = nowNs();
            await insertBatches(name);
            return secondsSince(start);
        }));

        out.drain_batch_size = kPgBossBatchSize;
        out.drain_workers = `${params.workers} work() call${params.workers === 1 ? "" : "s"}`
                            + ` (pg-boss ${lib.version} has no localConcurrency)`;
        out.polling_interval_s = kPgBossPollSeconds;
        out.drain_per_s = rate(n, await phase("drain", n, async () => {
            const name = await queue(`${kTask}_drain`);
            await insertBatches(name);
            await admin.query(`VACUUM ANALYZE ${jobTable}`);
            const completedSql = `SELECT count(*) FROM ${jobTable} WHERE name = $1 AND state = 'completed'`;
            const startNs = nowNs();
            for (let w = 0; w < params.workers; ++w)
                await boss.work(name, workOptions(kPgBossBatchSize), async () => {});
            let endNs = 0n;
            await withTimeout((async () => {
                while (await count(admin, completedSql, [name]) < n)
                    await sleep(5);
                endNs = nowNs();
            })(), "draining the queue");
            await boss.offWork(name);
            const byState = (await admin.query(`SELECT state, count(*) FROM ${jobTable} WHERE name = $1 GROUP BY state`,
                                               [name])).rows.map((r) => `${r.count} ${r.state}`).join(", ");
            note(`    rows by state: ${byState} (pg-boss keeps completed jobs until it archives them)`);
            return Number(endNs - startNs) / 1e9;
        }));

        Object.assign(out, await phase("latency", kLatencyWarmup + kLatencySamples, async () => {
            const name = await queue(`${kTask}_latency`);
            let handlerStarted = signal();
            for (let w = 0; w < params.workers; ++w)
                await boss.work(name, workOptions(1), async () => { handlerStarted.resolve(nowNs()); });
            try {
                return await latencyFigures(
                    () => boss.send(name, {}),
                    () => { handlerStarted = signal(); return handlerStarted.promise; },
                    async () => {},
                    kPgBossPollSeconds * 1000);
            } finally {
                await boss.offWork(name);
            }
        }));
        return out;
    } finally {
        if (started)
            await boss.stop({ graceful: true, timeout: 5000 });
        await dropSchema(admin, schema);
    }
}

// --- raw SKIP LOCKED loop -------------------------------------------------------------------------

async function rawPeer(lib, params, admin) {
    const pg = lib.module;
    const schema = freshSchema("raw_bench");
    const table = `${quoted(schema)}.jobs`;
    const n = params.jobs;
    const out = { version: `pg ${lib.version}` };
    note(`raw SKIP LOCKED loop on pg ${lib.version} in schema ${schema}`);
    const clients = [];
    try {
        await admin.query(`CREATE SCHEMA ${quoted(schema)}`);
        await admin.query(`CREATE TABLE ${table} (
                               id bigserial PRIMARY KEY,
                               status text NOT NULL DEFAULT 'pending',
                               payload jsonb NOT NULL DEFAULT '{}',
                               created_at timestamptz NOT NULL DEFAULT now(),
                               updated_at timestamptz NOT NULL DEFAULT now())`);
        await admin.query(`CREATE INDEX ON ${table} (id) WHERE status = 'pending'`);
        for (let w = 0; w < params.workers; ++w) {
            const client = new pg.Client({ connectionString: params.database, application_name: "pgqueue_bench_raw" });
            client.on("error", (error) => note(`raw connection error: ${error.message}`));
            await client.connect();
            clients.push(client);
        }

        out.enqueue_per_s = rate(n, await phase("enqueue (INSERT)", n, async () => {
            const insert = { name: "raw_insert", text: `INSERT INTO ${table} (payload) VALUES ($1)` };
            const start = nowNs();
            for (let i = 0; i < n; ++i)
                await clients[0].query({ ...insert, values: ["{}"] });
            return secondsSince(start);
        }));

        out.drain_per_s = rate(n, await phase("drain (claim + complete)", n, async () => {
            await admin.query(`TRUNCATE ${table}`);
            await admin.query(`INSERT INTO ${table} (payload) SELECT '{}' FROM generate_series(1, $1)`, [n]);
            await admin.query(`VACUUM ANALYZE ${table}`);
            const claim = {
                name: "raw_claim",
                text: `UPDATE ${table} SET status = 'running', updated_at = now()
                       WHERE id = (SELECT id FROM ${table} WHERE status = 'pending'
                                   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                       RETURNING id, payload`,
            };
            const complete = { name: "raw_complete",
                               text: `UPDATE ${table} SET status = 'done', updated_at = now() WHERE id = $1` };
            const loop = async (client) => {
                for (;;) {
                    const { rows } = await client.query(claim);
                    if (!rows.length)
                        return;
                    await client.query({ ...complete, values: [rows[0].id] });
                }
            };
            const start = nowNs();
            await withTimeout(Promise.all(clients.map(loop)), "draining the table");
            const seconds = secondsSince(start);
            const done = await count(admin, `SELECT count(*) FROM ${table} WHERE status = 'done'`);
            note(`    ${done} rows done`);
            if (done !== n)
                throw new BenchFailure(`raw drain: ${done} of ${n} rows done`);
            return seconds;
        }));
        return out;
    } finally {
        await Promise.all(clients.map((client) => client.end()));
        await dropSchema(admin, schema);
    }
}

// Drops a peer's schema; a failure to do so is noted, not thrown, so that it cannot hide the
// failure that may have brought us here.
async function dropSchema(admin, schema) {
    try {
        await admin.query(`DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
        note(`  dropped schema ${schema}`);
    } catch (error) {
        note(`  could not drop schema ${schema}: ${error.message}`);
    }
}

const kRunners = { "graphile-worker": graphileWorkerPeer, "pg-boss": pgBossPeer, raw: rawPeer };

async function main() {
    const params = parseArguments(process.argv.slice(2));
    const libs = await loadLibraries(params.peers);
    const admin = await connectAdmin(libs.pg.module, params);
    try {
        const server = {
            server_version: await show(admin, "server_version"),
            synchronous_commit: await show(admin, "synchronous_commit"),
            fsync: await show(admin, "fsync"),
        };
        note(`${publicUrl(params.database)}: PostgreSQL ${server.server_version}, synchronous_commit=`
             + `${server.synchronous_commit}, fsync=${server.fsync}; node ${process.version}`);
        const peers = {};
        for (const name of params.peers)
            peers[name] = await kRunners[name](name === "raw" ? libs.pg : libs[name], params, admin);
        const json = {
            database: publicUrl(params.database),
            jobs: params.jobs,
            workers: params.workers,
            ...server,
            node_version: process.version,
            pg_client_version: libs.pg.version,
            batch_size: kBatchSize,
            latency_samples: kLatencySamples,
            latency_warmup: kLatencyWarmup,
            peers,
        };
        process.stdout.write(`${JSON.stringify(json, null, 4)}\n`);
    } finally {
        await admin.end();
    }
}

main().catch((error) => {
    note(`failed: ${error instanceof BenchFailure ? error.message : error.stack}`);
    process.exit(1);
});
