#include "store/migrations.h"

namespace Migrations {
namespace {
// The claim and next-due indexes of version 1, replaced in version 5.
const QStringList kV1ClaimIndexes{
    QStringLiteral("CREATE INDEX jobs_ready ON jobs(priority DESC, run_at, id) "
                   "WHERE status IN ('pending','retrying') AND waiting_parent = 0"),
    QStringLiteral("CREATE INDEX jobs_due ON jobs(run_at) "
                   "WHERE status IN ('pending','retrying') AND waiting_parent = 0"),
};

// Index definitions kept since version 1: the list query, pruning and the unique key of active jobs.
QStringList jobIndexes()
{
    return {
        QStringLiteral("CREATE INDEX jobs_status ON jobs(status, id)"),
        QStringLiteral("CREATE INDEX jobs_type ON jobs(type, id)"),
        QStringLiteral("CREATE INDEX jobs_parent ON jobs(parent_job_id) WHERE parent_job_id IS NOT NULL"),
        QStringLiteral("CREATE INDEX jobs_prune ON jobs(finished_at) WHERE status IN ('completed','cancelled')"),
        QStringLiteral("CREATE UNIQUE INDEX jobs_unique_key ON jobs(unique_key) "
                       "WHERE unique_key IS NOT NULL AND status NOT IN ('dead','cancelled')"),
    };
}

const QString kJobsV1 = QStringLiteral(
    "CREATE TABLE jobs ("
    " id INTEGER PRIMARY KEY,"
    " type TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " priority INTEGER NOT NULL DEFAULT 0,"
    " url TEXT NOT NULL DEFAULT '',"
    " options TEXT NOT NULL DEFAULT '{}',"
    " parent_job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,"
    " waiting_parent INTEGER NOT NULL DEFAULT 0,"
    " unique_key TEXT,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " max_attempts INTEGER NOT NULL,"
    " run_at INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " started_at INTEGER,"
    " finished_at INTEGER,"
    " updated_at INTEGER NOT NULL,"
    " lease_until INTEGER,"
    " worker TEXT,"
    " progress_percent REAL,"
    " downloaded_bytes INTEGER NOT NULL DEFAULT 0,"
    " total_bytes INTEGER,"
    " speed_bps REAL,"
    " eta_s INTEGER,"
    " items_done INTEGER NOT NULL DEFAULT 0,"
    " items_total INTEGER NOT NULL DEFAULT 0,"
    " error_class TEXT,"
    " error_message TEXT,"
    " result TEXT NOT NULL DEFAULT '{}',"
    " title TEXT NOT NULL DEFAULT ''"
    ")");

// Version 2: media metadata and host on the job, subscriptions (periodic re-sync), host cool-downs
// (429) and the archive of downloaded videos (dedup that outlives pruning).
const QStringList kV2Tables{
    QStringLiteral("CREATE TABLE subscriptions ("
                   " id INTEGER PRIMARY KEY,"
                   " url TEXT NOT NULL UNIQUE,"
                   " type TEXT NOT NULL,"
                   " interval_s INTEGER NOT NULL,"
                   " options TEXT NOT NULL DEFAULT '{}',"
                   " priority INTEGER NOT NULL DEFAULT 0,"
                   " next_run_at INTEGER NOT NULL,"
                   " last_job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,"
                   " created_at INTEGER NOT NULL,"
                   " enabled INTEGER NOT NULL DEFAULT 1"
                   ")"),
    QStringLiteral("CREATE INDEX subscriptions_due ON subscriptions(next_run_at) WHERE enabled = 1"),
    QStringLiteral("CREATE TABLE host_cooldowns ("
                   " host TEXT PRIMARY KEY,"
                   " until_ms INTEGER NOT NULL,"
                   " reason TEXT NOT NULL DEFAULT ''"
                   ")"),
    QStringLiteral("CREATE TABLE archive ("
                   " key TEXT PRIMARY KEY,"
                   " job_id INTEGER,"
                   " path TEXT NOT NULL DEFAULT '',"
                   " created_at INTEGER NOT NULL"
                   ")"),
};

const QStringList kV2JobColumns{
    QStringLiteral("uploader TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("duration_s REAL"),
    QStringLiteral("upload_date TEXT NOT NULL DEFAULT ''"),
    QStringLiteral("host TEXT NOT NULL DEFAULT ''"),
};

// Version 3: counts per status and type kept by triggers (status bar, stats, tray: instant at a
// million jobs), and a trigram full-text index on title and URL (substring search without a scan).
const QStringList kV3{
    QStringLiteral("CREATE TABLE job_counts (status TEXT NOT NULL, type TEXT NOT NULL, top_level INTEGER NOT NULL,"
                   " n INTEGER NOT NULL, PRIMARY KEY (status, type, top_level)) WITHOUT ROWID"),
    QStringLiteral("INSERT INTO job_counts (status, type, top_level, n) SELECT status, type,"
                   " parent_job_id IS NULL, COUNT(*) FROM jobs GROUP BY 1, 2, 3"),
    QStringLiteral("CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN"
                   " INSERT INTO job_counts (status, type, top_level, n)"
                   " VALUES (NEW.status, NEW.type, NEW.parent_job_id IS NULL, 1)"
                   " ON CONFLICT (status, type, top_level) DO UPDATE SET n = n + 1; END"),
    QStringLiteral("CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN"
                   " UPDATE job_counts SET n = n - 1 WHERE status = OLD.status AND type = OLD.type"
                   " AND top_level = (OLD.parent_job_id IS NULL); END"),
    QStringLiteral("CREATE TRIGGER jobs_count_update AFTER UPDATE OF status, type, parent_job_id ON jobs"
                   " WHEN OLD.status IS NOT NEW.status OR OLD.type IS NOT NEW.type"
                   " OR (OLD.parent_job_id IS NULL) IS NOT (NEW.parent_job_id IS NULL) BEGIN"
                   " UPDATE job_counts SET n = n - 1 WHERE status = OLD.status AND type = OLD.type"
                   " AND top_level = (OLD.parent_job_id IS NULL);"
                   " INSERT INTO job_counts (status, type, top_level, n)"
                   " VALUES (NEW.status, NEW.type, NEW.parent_job_id IS NULL, 1)"
                   " ON CONFLICT (status, type, top_level) DO UPDATE SET n = n + 1; END"),
    QStringLiteral("CREATE VIRTUAL TABLE jobs_fts USING fts5(title, url, content='jobs', content_rowid='id',"
                   " tokenize='trigram')"),
    QStringLiteral("INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild')"),
    QStringLiteral("CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN"
                   " INSERT INTO jobs_fts (rowid, title, url) VALUES (NEW.id, NEW.title, NEW.url); END"),
    QStringLiteral("CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN"
                   " INSERT INTO jobs_fts (jobs_fts, rowid, title, url) VALUES ('delete', OLD.id, OLD.title, OLD.url); END"),
    QStringLiteral("CREATE TRIGGER jobs_fts_update AFTER UPDATE OF title, url ON jobs"
                   " WHEN OLD.title IS NOT NEW.title OR OLD.url IS NOT NEW.url BEGIN"
                   " INSERT INTO jobs_fts (jobs_fts, rowid, title, url) VALUES ('delete', OLD.id, OLD.title, OLD.url);"
                   " INSERT INTO jobs_fts (rowid, title, url) VALUES (NEW.id, NEW.title, NEW.url); END"),
};

// Version 4: the queue's own state, and job ids that are never handed out twice.
// - held: the whole queue is paused ("Pause queue"), and stays so across restarts.
// - last_removed_id: SQLite gives a new row the largest id + 1, so removing the newest jobs would
//   let the next one take an id a script, a log or the archive still knows. The largest id ever
//   removed is remembered, and a new job's id is above it.
const QStringList kV4{
    QStringLiteral("CREATE TABLE queue_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID"),
    // Ids pruned before this version may still be named by the archive: start above those.
    QStringLiteral("INSERT INTO queue_state (key, value) VALUES ('held', 0),"
                   " ('last_removed_id', (SELECT COALESCE(MAX(job_id), 0) FROM archive))"),
    QStringLiteral("CREATE TRIGGER jobs_remember_id AFTER DELETE ON jobs BEGIN"
                   " UPDATE queue_state SET value = OLD.id WHERE key = 'last_removed_id' AND value < OLD.id; END"),
};

// Version 5: fencing and claims that never walk rows they cannot take.
// - claim_id: a fresh token for every claim; a worker's writes must carry it, so a worker whose
//   job was rescued and claimed again can no longer complete, fail or update it.
// - due: 1 once a job's time has come. Jobs scheduled for later (backoff, not-before, sync runs)
//   wait with due = 0 in jobs_scheduled and are staged when due, so the claim indexes hold only
//   claimable rows. The claim index is per type (types at their cap are not looked at), and per
//   type and host for claims while some host cools down.
const QStringList kV5Columns{
    QStringLiteral("claim_id INTEGER"),
    QStringLiteral("due INTEGER NOT NULL DEFAULT 1"),
};

const QStringList kV5Indexes{
    QStringLiteral("CREATE INDEX jobs_claim ON jobs(type, priority DESC, run_at, id) "
                   "WHERE status IN ('pending','retrying') AND waiting_parent = 0 AND due = 1"),
    QStringLiteral("CREATE INDEX jobs_claim_host ON jobs(type, host, priority DESC, run_at, id) "
                   "WHERE status IN ('pending','retrying') AND waiting_parent = 0 AND due = 1"),
    QStringLiteral("CREATE INDEX jobs_scheduled ON jobs(run_at) WHERE status IN ('pending','retrying') AND due = 0"),
};

// Version 6: the queue's lines of each job's log in the database (see JobEventStore): written in
// the transaction of the change they describe, readable by any process on the database.
const QStringList kV6{
    QStringLiteral("CREATE TABLE job_events ("
                   " id INTEGER PRIMARY KEY,"
                   " job_id INTEGER NOT NULL,"
                   " at INTEGER NOT NULL,"
                   " level TEXT NOT NULL,"
                   " event TEXT NOT NULL,"
                   " message TEXT NOT NULL,"
                   " fields TEXT NOT NULL DEFAULT '{}'"
                   ")"),
    QStringLiteral("CREATE INDEX job_events_job ON job_events(job_id, id)"),
    // Every claim starts an attempt: its line is part of the claim, whatever claimed it.
    QStringLiteral("CREATE TRIGGER jobs_events_claim AFTER UPDATE OF claim_id ON jobs"
                   " WHEN NEW.status = 'running' AND NEW.claim_id IS NOT OLD.claim_id BEGIN"
                   " INSERT INTO job_events (job_id, at, level, event, message, fields)"
                   " VALUES (NEW.id, NEW.started_at, 'info', 'started',"
                   " printf('Attempt %d of %d started', NEW.attempts, NEW.max_attempts),"
                   " json_object('attempt', NEW.attempts, 'worker', NEW.worker)); END"),
    QStringLiteral("CREATE TRIGGER jobs_events_delete AFTER DELETE ON jobs BEGIN"
                   " DELETE FROM job_events WHERE job_id = OLD.id; END"),
};

// Version 7: the kept counts' counter slot, as on PostgreSQL (its version 4), where each session
// counts in rows of its own; SQLite has one writer, so its counts stay in slot 0.
const QStringList kV7{
    QStringLiteral("ALTER TABLE job_counts ADD COLUMN slot INTEGER NOT NULL DEFAULT 0"),
};

// Version 8 (PostgreSQL: 6): a host's cool-downs escalate. A row outlives its pause by the clean
// period, remembering how many pauses came in a row (strikes) and what caused the last one.
const QStringList kHostStrikes{
    QStringLiteral("ALTER TABLE host_cooldowns ADD COLUMN strikes INTEGER NOT NULL DEFAULT 1"),
    QStringLiteral("ALTER TABLE host_cooldowns ADD COLUMN kind TEXT NOT NULL DEFAULT 'rate_limited'"),
    QStringLiteral("ALTER TABLE host_cooldowns ADD COLUMN since_ms BIGINT NOT NULL DEFAULT 0"),
};

// PostgreSQL, version 1: the same tables, indexes and kept counts as SQLite's version 6, in
// PostgreSQL's words. Ids come from sequences (never handed out twice, so no last_removed_id
// trigger); the substring search is a pg_trgm GIN index over title and URL; triggers call PL/pgSQL
// functions. The version is a row of spool_schema.
const QStringList kPgV1{
    QStringLiteral("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"),
    QStringLiteral("CREATE TABLE spool_schema (version INTEGER NOT NULL)"),
    QStringLiteral("INSERT INTO spool_schema (version) VALUES (0)"),
    QStringLiteral("CREATE TABLE jobs ("
                   " id BIGSERIAL PRIMARY KEY,"
                   " type TEXT NOT NULL,"
                   " status TEXT NOT NULL,"
                   " priority BIGINT NOT NULL DEFAULT 0,"
                   " url TEXT NOT NULL DEFAULT '',"
                   " options TEXT NOT NULL DEFAULT '{}',"
                   " parent_job_id BIGINT REFERENCES jobs(id) ON DELETE SET NULL,"
                   " waiting_parent BIGINT NOT NULL DEFAULT 0,"
                   " unique_key TEXT,"
                   " attempts BIGINT NOT NULL DEFAULT 0,"
                   " max_attempts BIGINT NOT NULL,"
                   " run_at BIGINT NOT NULL,"
                   " created_at BIGINT NOT NULL,"
                   " started_at BIGINT,"
                   " finished_at BIGINT,"
                   " updated_at BIGINT NOT NULL,"
                   " lease_until BIGINT,"
                   " worker TEXT,"
                   " progress_percent DOUBLE PRECISION,"
                   " downloaded_bytes BIGINT NOT NULL DEFAULT 0,"
                   " total_bytes BIGINT,"
                   " speed_bps DOUBLE PRECISION,"
                   " eta_s BIGINT,"
                   " items_done BIGINT NOT NULL DEFAULT 0,"
                   " items_total BIGINT NOT NULL DEFAULT 0,"
                   " error_class TEXT,"
                   " error_message TEXT,"
                   " result TEXT NOT NULL DEFAULT '{}',"
                   " title TEXT NOT NULL DEFAULT '',"
                   " uploader TEXT NOT NULL DEFAULT '',"
                   " duration_s DOUBLE PRECISION,"
                   " upload_date TEXT NOT NULL DEFAULT '',"
                   " host TEXT NOT NULL DEFAULT '',"
                   " claim_id BIGINT,"
                   " due BIGINT NOT NULL DEFAULT 1"
                   ")"),
    QStringLiteral("CREATE INDEX jobs_status ON jobs(status, id)"),
    QStringLiteral("CREATE INDEX jobs_type ON jobs(type, id)"),
    QStringLiteral("CREATE INDEX jobs_parent ON jobs(parent_job_id) WHERE parent_job_id IS NOT NULL"),
    QStringLiteral("CREATE INDEX jobs_prune ON jobs(finished_at) WHERE status IN ('completed','cancelled')"),
    QStringLiteral("CREATE UNIQUE INDEX jobs_unique_key ON jobs(unique_key) "
                   "WHERE unique_key IS NOT NULL AND status NOT IN ('dead','cancelled')"),
    QStringLiteral("CREATE INDEX jobs_claim ON jobs(type, priority DESC, run_at, id) "
                   "WHERE status IN ('pending','retrying') AND waiting_parent = 0 AND due = 1"),
    QStringLiteral("CREATE INDEX jobs_claim_host ON jobs(type, host, priority DESC, run_at, id) "
                   "WHERE status IN ('pending','retrying') AND waiting_parent = 0 AND due = 1"),
    QStringLiteral("CREATE INDEX jobs_scheduled ON jobs(run_at) WHERE status IN ('pending','retrying') AND due = 0"),
    QStringLiteral("CREATE INDEX jobs_text ON jobs USING gin (title public.gin_trgm_ops, url public.gin_trgm_ops)"),
    QStringLiteral("CREATE TABLE subscriptions ("
                   " id BIGSERIAL PRIMARY KEY,"
                   " url TEXT NOT NULL UNIQUE,"
                   " type TEXT NOT NULL,"
                   " interval_s BIGINT NOT NULL,"
                   " options TEXT NOT NULL DEFAULT '{}',"
                   " priority BIGINT NOT NULL DEFAULT 0,"
                   " next_run_at BIGINT NOT NULL,"
                   " last_job_id BIGINT REFERENCES jobs(id) ON DELETE SET NULL,"
                   " created_at BIGINT NOT NULL,"
                   " enabled BIGINT NOT NULL DEFAULT 1"
                   ")"),
    QStringLiteral("CREATE INDEX subscriptions_due ON subscriptions(next_run_at) WHERE enabled = 1"),
    QStringLiteral("CREATE TABLE host_cooldowns (host TEXT PRIMARY KEY, until_ms BIGINT NOT NULL, reason TEXT NOT NULL DEFAULT '')"),
    QStringLiteral("CREATE TABLE archive (key TEXT PRIMARY KEY, job_id BIGINT, path TEXT NOT NULL DEFAULT '',"
                   " created_at BIGINT NOT NULL)"),
    QStringLiteral("CREATE TABLE job_counts (status TEXT NOT NULL, type TEXT NOT NULL, top_level BIGINT NOT NULL,"
                   " n BIGINT NOT NULL, PRIMARY KEY (status, type, top_level))"),
    QStringLiteral("CREATE FUNCTION jobs_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                   " IF TG_OP IN ('UPDATE', 'DELETE') THEN"
                   " UPDATE job_counts SET n = n - 1 WHERE status = OLD.status AND type = OLD.type"
                   " AND top_level = CAST(OLD.parent_job_id IS NULL AS integer); END IF;"
                   " IF TG_OP IN ('UPDATE', 'INSERT') THEN"
                   " INSERT INTO job_counts (status, type, top_level, n)"
                   " VALUES (NEW.status, NEW.type, CAST(NEW.parent_job_id IS NULL AS integer), 1)"
                   " ON CONFLICT (status, type, top_level) DO UPDATE SET n = job_counts.n + 1; END IF;"
                   " RETURN NULL; END $$"),
    QStringLiteral("CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_count()"),
    QStringLiteral("CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_count()"),
    QStringLiteral("CREATE TRIGGER jobs_count_update AFTER UPDATE OF status, type, parent_job_id ON jobs FOR EACH ROW"
                   " WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.type IS DISTINCT FROM NEW.type"
                   " OR (OLD.parent_job_id IS NULL) IS DISTINCT FROM (NEW.parent_job_id IS NULL))"
                   " EXECUTE FUNCTION jobs_count()"),
    QStringLiteral("CREATE TABLE queue_state (key TEXT PRIMARY KEY, value BIGINT NOT NULL)"),
    QStringLiteral("INSERT INTO queue_state (key, value) VALUES ('held', 0), ('last_removed_id', 0)"),
    QStringLiteral("CREATE TABLE job_events ("
                   " id BIGSERIAL PRIMARY KEY,"
                   " job_id BIGINT NOT NULL,"
                   " at BIGINT NOT NULL,"
                   " level TEXT NOT NULL,"
                   " event TEXT NOT NULL,"
                   " message TEXT NOT NULL,"
                   " fields TEXT NOT NULL DEFAULT '{}'"
                   ")"),
    QStringLiteral("CREATE INDEX job_events_job ON job_events(job_id, id)"),
    QStringLiteral("CREATE FUNCTION jobs_events_claim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                   " INSERT INTO job_events (job_id, at, level, event, message, fields)"
                   " VALUES (NEW.id, NEW.started_at, 'info', 'started',"
                   " format('Attempt %s of %s started', NEW.attempts, NEW.max_attempts),"
                   " CAST(json_build_object('attempt', NEW.attempts, 'worker', NEW.worker) AS text));"
                   " RETURN NULL; END $$"),
    QStringLiteral("CREATE TRIGGER jobs_events_claim AFTER UPDATE OF claim_id ON jobs FOR EACH ROW"
                   " WHEN (NEW.status = 'running' AND NEW.claim_id IS DISTINCT FROM OLD.claim_id)"
                   " EXECUTE FUNCTION jobs_events_claim()"),
    QStringLiteral("CREATE FUNCTION jobs_events_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                   " DELETE FROM job_events WHERE job_id = OLD.id; RETURN NULL; END $$"),
    QStringLiteral("CREATE TRIGGER jobs_events_delete AFTER DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_events_delete()"),
};

// PostgreSQL, version 2: every change to a job, and to the queue's state, is told to the other
// hosts at commit (NOTIFY on the channel "spool", the payload naming the schema): a job added on
// one host starts on another at once, and a monitoring window follows the queue without polling.
const QStringList kPgV2{
    QStringLiteral("CREATE FUNCTION spool_notify() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                   " IF TG_TABLE_NAME = 'jobs' THEN"
                   " PERFORM pg_notify('spool', TG_TABLE_SCHEMA || ' ' || lower(left(TG_OP, 1)) || ' '"
                   " || CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);"
                   " ELSE PERFORM pg_notify('spool', TG_TABLE_SCHEMA || ' s'); END IF;"
                   " RETURN NULL; END $$"),
    QStringLiteral("CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE OR DELETE ON jobs FOR EACH ROW"
                   " EXECUTE FUNCTION spool_notify()"),
    QStringLiteral("CREATE TRIGGER queue_state_notify AFTER INSERT OR UPDATE ON queue_state FOR EACH STATEMENT"
                   " EXECUTE FUNCTION spool_notify()"),
};

// PostgreSQL, version 3: the trigger functions find their tables in the schema they were made
// in, whatever search_path the writing session has (psql, a script, another tool).
const QStringList kPgV3{
    QStringLiteral("ALTER FUNCTION jobs_count() SET search_path FROM CURRENT"),
    QStringLiteral("ALTER FUNCTION jobs_events_claim() SET search_path FROM CURRENT"),
    QStringLiteral("ALTER FUNCTION jobs_events_delete() SET search_path FROM CURRENT"),
    QStringLiteral("ALTER FUNCTION spool_notify() SET search_path FROM CURRENT"),
};

// PostgreSQL, version 4: the kept counts are spread over counter slots, one per session (a
// random number each session sets as spool.counter_slot; 0 for other clients). Every status change
// used to update the same few rows, so hosts committing batches at once waited on each other and
// deadlocked (a claim takes "pending" then "running", a completion "running" then "completed").
// Readers add the slots up, as they already added up top-level and child rows.
const QStringList kPgV4{
    QStringLiteral("ALTER TABLE job_counts ADD COLUMN slot BIGINT NOT NULL DEFAULT 0"),
    QStringLiteral("ALTER TABLE job_counts DROP CONSTRAINT job_counts_pkey"),
    QStringLiteral("ALTER TABLE job_counts ADD PRIMARY KEY (status, type, top_level, slot)"),
    QStringLiteral("CREATE OR REPLACE FUNCTION jobs_count() RETURNS trigger LANGUAGE plpgsql"
                   " SET search_path FROM CURRENT AS $$"
                   " DECLARE s bigint := COALESCE(CAST(NULLIF(current_setting('spool.counter_slot', true), '') AS bigint), 0);"
                   " BEGIN"
                   " IF TG_OP IN ('UPDATE', 'DELETE') THEN"
                   " INSERT INTO job_counts (status, type, top_level, slot, n)"
                   " VALUES (OLD.status, OLD.type, CAST(OLD.parent_job_id IS NULL AS integer), s, -1)"
                   " ON CONFLICT (status, type, top_level, slot) DO UPDATE SET n = job_counts.n - 1; END IF;"
                   " IF TG_OP IN ('UPDATE', 'INSERT') THEN"
                   " INSERT INTO job_counts (status, type, top_level, slot, n)"
                   " VALUES (NEW.status, NEW.type, CAST(NEW.parent_job_id IS NULL AS integer), s, 1)"
                   " ON CONFLICT (status, type, top_level, slot) DO UPDATE SET n = job_counts.n + 1; END IF;"
                   " RETURN NULL; END $$"),
};

// PostgreSQL, version 5: a change to the subscriptions is told too (payload "<schema> b", once
// per statement), so a Subscriptions dialog and the API follow what another host changed (a sync
// that ran there, an interval set there) and every full host re-arms its timer.
const QStringList kPgV5{
    QStringLiteral("CREATE OR REPLACE FUNCTION spool_notify() RETURNS trigger LANGUAGE plpgsql"
                   " SET search_path FROM CURRENT AS $$ BEGIN"
                   " IF TG_TABLE_NAME = 'jobs' THEN"
                   " PERFORM pg_notify('spool', TG_TABLE_SCHEMA || ' ' || lower(left(TG_OP, 1)) || ' '"
                   " || CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);"
                   " ELSIF TG_TABLE_NAME = 'subscriptions' THEN PERFORM pg_notify('spool', TG_TABLE_SCHEMA || ' b');"
                   " ELSE PERFORM pg_notify('spool', TG_TABLE_SCHEMA || ' s'); END IF;"
                   " RETURN NULL; END $$"),
    QStringLiteral("CREATE TRIGGER subscriptions_notify AFTER INSERT OR UPDATE OR DELETE ON subscriptions"
                   " FOR EACH STATEMENT EXECUTE FUNCTION spool_notify()"),
};

QStringList v1()
{
    return QStringList{kJobsV1} + kV1ClaimIndexes + jobIndexes();
}

QStringList v5()
{
    QStringList out;
    for (const QString &column : kV5Columns)
        out << QStringLiteral("ALTER TABLE jobs ADD COLUMN ") + column;
    // Jobs waiting for a later time wait in the schedule; the rest stay claimable.
    out << QStringLiteral("UPDATE jobs SET due = 0 WHERE status IN ('pending','retrying')"
                          " AND run_at > CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)");
    out << QStringLiteral("DROP INDEX jobs_ready") << QStringLiteral("DROP INDEX jobs_due");
    return out + kV5Indexes;
}

QStringList v2()
{
    QStringList out;
    for (const QString &column : kV2JobColumns)
        out << QStringLiteral("ALTER TABLE jobs ADD COLUMN ") + column;
    return out + kV2Tables;
}

QStringList fresh()
{
    QString jobs = kJobsV1;
    jobs.chop(1); // the closing parenthesis: the columns added later follow in the same order
    for (const QString &column : kV2JobColumns + kV5Columns)
        jobs += QStringLiteral(", ") + column;
    jobs += QLatin1Char(')');
    return QStringList{jobs} + jobIndexes() + kV5Indexes + kV2Tables + kV3 + kV4 + kV6 + kV7 + kHostStrikes;
}
} // namespace

const QList<Step> &steps(Engine engine)
{
    static const QList<Step> sqlite{{1, v1()}, {2, v2()}, {3, kV3}, {4, kV4}, {5, v5()}, {6, kV6}, {7, kV7}, {8, kHostStrikes}};
    static const QList<Step> postgresql{{1, kPgV1}, {2, kPgV2}, {3, kPgV3}, {4, kPgV4}, {5, kPgV5}, {6, kHostStrikes}};
    return engine == Engine::Postgresql ? postgresql : sqlite;
}

const QStringList &freshSchema(Engine engine)
{
    static const QStringList sqlite = fresh();
    // Every PostgreSQL step so far is the fresh schema.
    static const QStringList postgresql = [] {
        QStringList all;
        for (const Step &step : steps(Engine::Postgresql))
            all += step.statements;
        return all;
    }();
    return engine == Engine::Postgresql ? postgresql : sqlite;
}

int currentVersion(Engine engine)
{
    return steps(engine).constLast().version;
}
} // namespace Migrations
