#!/usr/bin/env node
// plainjob_bench: the figures queue_bench measures for Spool, measured for the npm package plainjob
// (a SQLite job queue on better-sqlite3), so `queue_bench --compare plainjob` can put them side by
// side. Needs bench/peers/setup.sh to have run (npm ci into bench/peers/node_modules).
//
//   node bench/peers/plainjob_bench.mjs [--jobs N] [--workers W] [--sync normal|full] [--poll-ms P]
//
// One JSON object on stdout; progress notes to stderr. Every phase works on its own fresh SQLite
// file in a temporary folder (TMPDIR, else /tmp), removed at the end.
//
// Keys besides the parameters (peer, versions, jobs, workers, sync, poll_ms, batch_size, pragmas):
//   enqueue_single_per_s    queue.add, N calls, each one autocommit INSERT
//   enqueue_batched_per_s   queue.addMany with 1000 jobs a call (one transaction each)
//   drain_per_s             N pre-inserted no-op jobs; from the workers' start() until the Nth
//                           onCompleted (plainjob calls it right after markJobAsDone)
//   latency_p50_ms/_p99_ms  queue.add on an idle, running worker until its handler starts;
//                           300 samples after 20 warm-ups
//
// Pragmas. defineQueue() itself sets journal_mode=WAL, synchronous=1 (NORMAL) and busy_timeout=5000
// on the connection it is given. This script opens the connection, lets defineQueue set those, and
// then sets synchronous to the requested mode (NORMAL or FULL, as Spool's JobStore does; it must
// come after defineQueue, which would otherwise reset it to NORMAL) and journal_size_limit=64 MiB
// (Spool's value). Spool also sets foreign_keys=ON, which better-sqlite3 enables by default anyway
// and which plainjob's tables do not use. The effective values are read back and printed.
//
// Workers (--workers W). plainjob's worker handles one job at a time: it claims (one BEGIN IMMEDIATE
// transaction), reads the row, awaits the handler and marks it done. This script starts W workers on
// one queue (one connection) in this one Node process, which is how plainjob runs several workers
// in a process. They are async loops on the single JS thread and every better-sqlite3 call is
// synchronous, so W > 1 interleaves the workers between awaits (it would overlap handlers that
// await I/O) but runs no SQL in parallel; plainjob's way to use more cores is forking processes,
// which this script does not do. Spool's W is a pool of W threads.
//
// Polling. plainjob has no wake-up on add: an idle worker sleeps `pollIntervall` ms (the option is
// spelled so; default 1000 ms) between claim attempts, and sleeps only after a claim found nothing.
// This script uses pollIntervall = 1 ms (--poll-ms), the shortest delay Node's timers honour (0 is
// taken as 1), so latency is not dominated by the poll: with the default, an idle worker would take
// ~500 ms on average to see a new job. The drain never sleeps while jobs remain, so the interval
// does not affect it. The price of 1 ms is CPU: each idle poll runs two empty BEGIN IMMEDIATE
// transactions (scheduled jobs, then regular jobs), about a thousand a second per worker.
//
// Logging. plainjob's default logger is console, whose debug() writes a line per job to stdout;
// this script passes a logger that drops debug/info (plainjob still formats those strings) and
// sends warnings and errors to stderr, so stdout stays one JSON object.

import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const kBatchSize = 1000;
const kLatencySamples = 300;
const kLatencyWarmup = 20;
const kWaitLimitMs = 10 * 60 * 1000;
const kJobType = "bench_noop";
const kHere = fileURLToPath(new URL(".", import.meta.url));

const startedAtNs = process.hrtime.bigint();
function note(message) {
    const s = Number(process.hrtime.bigint() - startedAtNs) / 1e9;
    process.stderr.write(`plainjob_bench [${s.toFixed(2).padStart(7)} s]: ${message}\n`);
}

class BenchFailure extends Error {}

function usage() {
    return "usage: node plainjob_bench.mjs [--jobs N] [--workers W] [--sync normal|full] [--poll-ms P]";
}

function parseArguments(argv) {
    const params = { jobs: 20000, workers: 4, sync: "full", pollMs: 1 };
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
        case "--jobs": params.jobs = positiveInt(); break;
        case "--workers": params.workers = positiveInt(); break;
        case "--poll-ms": params.pollMs = positiveInt(); break;
        case "--sync":
            params.sync = value.toLowerCase();
            if (params.sync !== "normal" && params.sync !== "full")
                throw new BenchFailure(`--sync must be normal or full, not '${value}'`);
            break;
        default: throw new BenchFailure(`unknown argument '${arg}'; ${usage()}`);
        }
    }
    return params;
}

// plainjob and better-sqlite3 come from bench/peers/node_modules, installed by setup.sh.
async function loadPeer() {
    const require = createRequire(join(kHere, "package.json"));
    try {
        const { default: Database } = await import("better-sqlite3");
        const plainjob = await import("plainjob");
        const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
        return { Database, plainjob, versions: { plainjob: version("plainjob"), "better-sqlite3": version("better-sqlite3") } };
    } catch (error) {
        throw new BenchFailure(`cannot load plainjob/better-sqlite3 (${error.message.split("\n")[0]}); `
                               + "run bench/peers/setup.sh first");
    }
}

const quietLogger = {
    debug() {},
    info() {},
    warn(message) { note(`plainjob warning: ${message}`); },
    error(message) { note(`plainjob error: ${message}`); },
};

const nowNs = () => process.hrtime.bigint();
const secondsSince = (startNs) => Number(nowNs() - startNs) / 1e9;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A fresh queue file with the pragmas described at the top.
function openQueue(peer, params, file) {
    const db = new peer.Database(file);
    const queue = peer.plainjob.defineQueue({ connection: peer.plainjob.better(db), logger: quietLogger });
    db.pragma(`synchronous = ${params.sync.toUpperCase()}`);
    db.pragma("journal_size_limit = 67108864");
    const pragmas = {
        journal_mode: db.pragma("journal_mode", { simple: true }),
        synchronous: db.pragma("synchronous", { simple: true }),
        busy_timeout: db.pragma("busy_timeout", { simple: true }),
        journal_size_limit: db.pragma("journal_size_limit", { simple: true }),
    };
    if (pragmas.journal_mode !== "wal" || pragmas.synchronous !== (params.sync === "full" ? 2 : 1))
        throw new BenchFailure(`pragmas did not take: ${JSON.stringify(pragmas)}`);
    return { db, queue, pragmas };
}

// Fills the queue for the phases that take jobs out (untimed), then checkpoints so the timed part
// starts with an empty WAL, as Spool's preInsert does.
function preInsert(db, queue, count) {
    for (let done = 0; done < count; done += kBatchSize)
        queue.addMany(kJobType, Array.from({ length: Math.min(kBatchSize, count - done) }, () => ({})));
    db.pragma("wal_checkpoint(TRUNCATE)");
}

function withTimeout(promise, what) {
    let timer;
    const limit = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new BenchFailure(`timed out ${what}`)), kWaitLimitMs);
    });
    return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function enqueueSingleSeconds(peer, params, file) {
    const { queue } = openQueue(peer, params, file);
    try {
        const start = nowNs();
        for (let i = 0; i < params.jobs; ++i)
            queue.add(kJobType, {});
        return secondsSince(start);
    } finally {
        queue.close();
    }
}

function enqueueBatchedSeconds(peer, params, file) {
    const { queue } = openQueue(peer, params, file);
    try {
        const batch = Array.from({ length: kBatchSize }, () => ({}));
        const start = nowNs();
        for (let done = 0; done < params.jobs; done += kBatchSize)
            queue.addMany(kJobType, batch.slice(0, Math.min(kBatchSize, params.jobs - done)));
        return secondsSince(start);
    } finally {
        queue.close();
    }
}

// W workers on one queue; resolves with the seconds from their start() to the Nth onCompleted.
async function drainSeconds(peer, params, file) {
    const { db, queue } = openQueue(peer, params, file);
    try {
        preInsert(db, queue, params.jobs);
        let completed = 0;
        let endNs = 0n;
        let allDone;
        const finished = new Promise((resolve) => { allDone = resolve; });
        const workers = Array.from({ length: params.workers }, () => peer.plainjob.defineWorker(kJobType, () => {}, {
            queue,
            pollIntervall: params.pollMs,
            logger: quietLogger,
            onCompleted() {
                if (++completed === params.jobs) {
                    endNs = nowNs();
                    allDone();
                }
            },
            onFailed(job, error) { note(`job ${job.id} failed: ${error}`); },
        }));
        const cpuStart = process.cpuUsage();
        const startNs = nowNs();
        const loops = workers.map((worker) => worker.start());
        await withTimeout(Promise.race([finished, Promise.all(loops)]), "draining the queue");
        const seconds = Number(endNs - startNs) / 1e9;
        const cpu = process.cpuUsage(cpuStart);
        await Promise.all(workers.map((worker) => worker.stop()));
        await Promise.all(loops);
        const { JobStatus } = peer.plainjob;
        const done = queue.countJobs({ status: JobStatus.Done });
        const left = queue.countJobs();
        note(`  drain: process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of ${seconds.toFixed(2)} s wall;`
             + ` ${done} rows in status Done, ${left} rows in the table (plainjob keeps done jobs)`);
        if (done !== params.jobs)
            throw new BenchFailure(`drain: ${done} of ${params.jobs} jobs done`);
        return seconds;
    } finally {
        queue.close();
    }
}

// Adds one job at a time to idle, running workers and waits until it is done; between samples the
// workers are left idle (polling) for a random 2-6 ms, so that the add does not line up with a poll.
async function latencySamples(peer, params, file) {
    const { queue } = openQueue(peer, params, file);
    let startedNs = 0n;
    let onDone = () => {};
    const workers = Array.from({ length: params.workers }, () => peer.plainjob.defineWorker(kJobType, () => {
        startedNs = nowNs();
    }, {
        queue,
        pollIntervall: params.pollMs,
        logger: quietLogger,
        onCompleted() { onDone(); },
        onFailed(job, error) { note(`job ${job.id} failed: ${error}`); },
    }));
    const loops = workers.map((worker) => worker.start());
    try {
        const samples = [];
        const addReturned = [];
        for (let i = 0; i < kLatencyWarmup + kLatencySamples; ++i) {
            await sleep(2 + Math.random() * 4);
            const done = new Promise((resolve) => { onDone = resolve; });
            startedNs = 0n;
            const t0 = nowNs();
            queue.add(kJobType, {});
            const addedNs = nowNs();
            await withTimeout(done, "waiting for a job to finish");
            if (i >= kLatencyWarmup) {
                samples.push(Number(startedNs - t0));
                addReturned.push(Number(addedNs - t0));
            }
        }
        const added = percentiles(addReturned);
        note(`  latency until add returned:   p50 ${added.p50Ms.toFixed(3)} ms, p99 ${added.p99Ms.toFixed(3)} ms`);
        return samples;
    } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
        await Promise.all(loops);
        queue.close();
    }
}

// Nearest-rank percentiles of nanosecond values, in milliseconds (as queue_bench computes them).
function percentiles(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (p) => sorted[Math.min(Math.ceil(p * sorted.length) - 1, sorted.length - 1)] / 1e6;
    return sorted.length ? { p50Ms: rank(0.5), p99Ms: rank(0.99) } : { p50Ms: 0, p99Ms: 0 };
}

async function phase(name, jobs, measure) {
    note(`${name}: ${jobs} jobs ...`);
    const start = nowNs();
    const value = await measure();
    note(`${name}: done in ${secondsSince(start).toFixed(2)} s`);
    return value;
}

const rounded = (value, decimals) => Math.round(value * 10 ** decimals) / 10 ** decimals;

async function main() {
    const params = parseArguments(process.argv.slice(2));
    const peer = await loadPeer();
    const dir = mkdtempSync(join(tmpdir(), "plainjob_bench-"));
    note(`working in ${dir}; plainjob ${peer.versions.plainjob}, better-sqlite3 ${peer.versions["better-sqlite3"]},`
         + ` node ${process.version}`);
    try {
        const probe = openQueue(peer, params, join(dir, "probe.sqlite"));
        const sqliteVersion = probe.db.prepare("SELECT sqlite_version() AS v").get().v;
        const pragmas = probe.pragmas;
        probe.queue.close();
        note(`pragmas ${JSON.stringify(pragmas)}, SQLite ${sqliteVersion}`);

        const file = (name) => join(dir, `${name}.sqlite`);
        const n = params.jobs;
        const single = await phase("enqueue_single", n, () => enqueueSingleSeconds(peer, params, file("enqueue_single")));
        const batched = await phase("enqueue_batched", n, () => enqueueBatchedSeconds(peer, params, file("enqueue_batched")));
        const drain = await phase("drain", n, () => drainSeconds(peer, params, file("drain")));
        const latency = percentiles(await phase("latency", kLatencyWarmup + kLatencySamples,
                                                () => latencySamples(peer, params, file("latency"))));
        const json = {
            peer: "plainjob",
            plainjob_version: peer.versions.plainjob,
            better_sqlite3_version: peer.versions["better-sqlite3"],
            sqlite_version: sqliteVersion,
            node_version: process.version,
            jobs: n,
            workers: params.workers,
            sync: params.sync,
            poll_ms: params.pollMs,
            batch_size: kBatchSize,
            pragmas,
            enqueue_single_per_s: rounded(n / single, 1),
            enqueue_batched_per_s: rounded(n / batched, 1),
            drain_per_s: rounded(n / drain, 1),
            latency_p50_ms: rounded(latency.p50Ms, 3),
            latency_p99_ms: rounded(latency.p99Ms, 3),
        };
        process.stdout.write(`${JSON.stringify(json, null, 4)}\n`);
    } finally {
        rmSync(dir, { recursive: true, force: true });
        note(`removed ${dir}`);
    }
}

main().catch((error) => {
    note(`failed: ${error instanceof BenchFailure ? error.message : error.stack}`);
    process.exit(1);
});
