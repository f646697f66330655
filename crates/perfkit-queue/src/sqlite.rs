//! The embedded backend: one SQLite file in WAL mode, shared by every process on the
//! machine that opens it.
//!
//! All operations of one process go through one writer thread, which drains whatever
//! has queued up and runs it in one `BEGIN IMMEDIATE` transaction (group commit), each
//! operation inside its own savepoint so one failure does not undo the others. Callers
//! get their answer only after `COMMIT` returned: an acknowledged enqueue is on disk.
//! `synchronous=FULL` makes every commit fsync the WAL, so an acknowledged job survives
//! power loss, not only a process crash; group commit amortises that fsync.
//! Other processes serialise on SQLite's write lock (`busy_timeout`).
//!
//! Acks (`complete`) from all of a process's worker slots are gathered into one writer
//! operation: the first ack queues it, later ones join its list until the writer takes
//! it, so a commit carries many acks for the cost of one operation (no savepoint, one
//! boxed closure and channel send). Each caller still answers only after the `COMMIT`
//! that holds its ack: a job counts as done only once its ack is on disk.

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row};
use tokio::sync::{oneshot, Notify};

use crate::backend::{Backend, QueueError};
use crate::job::{
    AttemptError, Backoff, DeadSelect, Enqueued, FailOutcome, Job, JobId, JobState, Lease, Millis,
    NewJob, QueueStats, Retention, FAIR_EVERY,
};

const READY: i64 = 0;
const LEASED: i64 = 1;
const COMPLETED: i64 = 2;
const DEAD: i64 = 3;
const DELAYED: i64 = 4;

/// How many queued operations one transaction takes at most.
const GROUP_MAX: usize = 4_096;

/// How often a waiting worker re-checks the file for jobs enqueued by other processes
/// (jobs enqueued in this process wake it at once).
const CROSS_PROCESS_POLL: Duration = Duration::from_millis(50);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    state INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    deadline INTEGER,
    run_at INTEGER NOT NULL,
    payload BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    backoff_base INTEGER NOT NULL,
    backoff_max INTEGER NOT NULL,
    backoff_jitter REAL NOT NULL,
    timeout_ms INTEGER,
    unique_key TEXT,
    idem_key TEXT,
    tags TEXT NOT NULL,
    errors TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    lease_until INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs
    (queue, priority DESC, ifnull(deadline, 9223372036854775807), id) WHERE state = 0;
CREATE INDEX IF NOT EXISTS jobs_ready_fifo ON jobs (queue, id) WHERE state = 0;
CREATE INDEX IF NOT EXISTS jobs_delayed ON jobs (queue, run_at) WHERE state = 4;
CREATE INDEX IF NOT EXISTS jobs_leased ON jobs (queue, lease_until) WHERE state = 1;
CREATE INDEX IF NOT EXISTS jobs_deadline ON jobs (queue, deadline)
    WHERE state IN (0, 4) AND deadline IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (queue, state, finished_at) WHERE state IN (2, 3);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_unique ON jobs (queue, unique_key)
    WHERE unique_key IS NOT NULL AND state IN (0, 1, 4);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_idem ON jobs (queue, idem_key) WHERE idem_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS queues (
    name TEXT PRIMARY KEY,
    paused INTEGER NOT NULL DEFAULT 0,
    claims INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS cron (
    queue TEXT NOT NULL,
    name TEXT NOT NULL,
    last_tick INTEGER NOT NULL,
    PRIMARY KEY (queue, name)
);
";

type Reply = Box<dyn FnOnce(Option<&str>) + Send>;
/// Runs against the open transaction, or is told why there is none.
type Op = Box<dyn FnOnce(Result<&Connection, &str>) -> Reply + Send>;

/// The SQLite backend. Cheap to clone; all clones share one writer thread.
#[derive(Debug, Clone)]
pub struct SqliteBackend {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    ops: mpsc::Sender<Op>,
    notify: Notify,
    path: PathBuf,
    acks: Arc<Mutex<Acks>>,
}

/// Acks waiting for the writer (see the module doc).
#[derive(Debug, Default)]
struct Acks {
    pending: Vec<PendingAck>,
    /// An operation that will take `pending` is in the writer's queue.
    queued: bool,
}

#[derive(Debug)]
struct PendingAck {
    lease: Lease,
    now: Millis,
    reply: oneshot::Sender<Result<bool, QueueError>>,
}

/// The writer operation that runs every pending ack (one `UPDATE` each, no savepoint:
/// a single statement is atomic on its own, and a failed one fails only its caller).
fn ack_op(acks: Arc<Mutex<Acks>>) -> Op {
    Box::new(move |conn: Result<&Connection, &str>| {
        let pending = {
            let mut acks = acks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            acks.queued = false;
            std::mem::take(&mut acks.pending)
        };
        let results: Vec<(oneshot::Sender<_>, Result<bool, QueueError>)> = pending
            .into_iter()
            .map(|ack| {
                let result = match conn {
                    Ok(conn) => complete_in(conn, &ack.lease, ack.now),
                    Err(message) => Err(QueueError::Invalid(format!("cannot begin: {message}"))),
                };
                (ack.reply, result)
            })
            .collect();
        Box::new(move |commit_error: Option<&str>| {
            for (reply, result) in results {
                let result = match commit_error {
                    Some(message) => Err(QueueError::Invalid(format!("commit failed: {message}"))),
                    None => result,
                };
                let _ = reply.send(result);
            }
        })
    })
}

impl SqliteBackend {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteBackend, QueueError> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|err| {
                    QueueError::Invalid(format!("cannot create {}: {err}", dir.display()))
                })?;
            }
        }
        let conn = connect(path)?;
        let (ops, receiver) = mpsc::channel::<Op>();
        std::thread::Builder::new()
            .name("perfkit-queue-sqlite".into())
            .spawn(move || write_loop(conn, receiver))
            .map_err(|err| QueueError::Invalid(format!("cannot start the writer thread: {err}")))?;
        Ok(SqliteBackend {
            inner: Arc::new(Inner {
                ops,
                notify: Notify::new(),
                path: path.to_owned(),
                acks: Arc::default(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `work` in the writer thread's next transaction; answers after the commit.
    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, QueueError> + Send + 'static,
    ) -> Result<T, QueueError> {
        let (sender, receiver) = oneshot::channel();
        let op: Op = Box::new(move |conn: Result<&Connection, &str>| {
            let result = match conn {
                Ok(conn) => in_savepoint(conn, work),
                Err(message) => Err(QueueError::Invalid(format!("cannot begin: {message}"))),
            };
            Box::new(move |commit_error: Option<&str>| {
                let result = match commit_error {
                    Some(message) => Err(QueueError::Invalid(format!("commit failed: {message}"))),
                    None => result,
                };
                let _ = sender.send(result);
            })
        });
        self.inner.ops.send(op).map_err(|_| QueueError::Stopped)?;
        receiver.await.map_err(|_| QueueError::Stopped)?
    }
}

/// Opens the file with the settings every connection of the backend uses, schema
/// created.
fn connect(path: &Path) -> Result<Connection, QueueError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    // Plans must not depend on bound values. Without this, SQLite (3.47+) reads a
    // bound `LIMIT ?` while planning and marks the statement to be prepared again
    // whenever that parameter is re-bound: the claim statement was re-parsed and
    // re-planned on every claim (~460k instructions, a third of all the work per
    // processed job under callgrind).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, QueueError>,
) -> Result<T, QueueError> {
    // Cached statements: `execute_batch` would parse the SQL again for every operation.
    conn.prepare_cached("SAVEPOINT op")?.execute([])?;
    match work(conn) {
        Ok(value) => {
            conn.prepare_cached("RELEASE op")?.execute([])?;
            Ok(value)
        }
        Err(err) => {
            conn.prepare_cached("ROLLBACK TO op")?.execute([])?;
            conn.prepare_cached("RELEASE op")?.execute([])?;
            Err(err)
        }
    }
}

fn write_loop(conn: Connection, receiver: mpsc::Receiver<Op>) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < GROUP_MAX {
            match receiver.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let begun = conn
            .prepare_cached("BEGIN IMMEDIATE")
            .and_then(|mut begin| begin.execute([]));
        if let Err(err) = begun {
            let message = err.to_string();
            for op in batch {
                op(Err(&message))(None);
            }
            continue;
        }
        let replies: Vec<Reply> = batch.into_iter().map(|op| op(Ok(&conn))).collect();
        let commit = conn
            .prepare_cached("COMMIT")
            .and_then(|mut commit| commit.execute([]))
            .err()
            .map(|err| err.to_string());
        if commit.is_some() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for reply in replies {
            reply(commit.as_deref());
        }
    }
}

/// The columns [`job_from_row`] reads, as a literal so statements can be `concat!`ed.
macro_rules! job_columns {
    () => {
        "id, queue, state, priority, deadline, run_at, payload, attempts, max_attempts, \
         backoff_base, backoff_max, backoff_jitter, timeout_ms, unique_key, idem_key, tags, \
         errors, created_at, started_at, finished_at, lease_until"
    };
}
const JOB_COLUMNS: &str = job_columns!();

/// Leases the oldest ready job of `?1` (every `FAIR_EVERY`th claim).
const CLAIM_OLDEST: &str = concat!(
    "UPDATE jobs SET state = 1, attempts = attempts + 1, lease_until = ?2, \
     started_at = ifnull(started_at, ?3) WHERE id = (SELECT id FROM jobs \
     WHERE queue = ?1 AND state = 0 ORDER BY id LIMIT 1) RETURNING ",
    job_columns!()
);

/// Leases up to `?4` ready jobs of `?1` in claim order.
const CLAIM: &str = concat!(
    "UPDATE jobs SET state = 1, attempts = attempts + 1, lease_until = ?2, \
     started_at = ifnull(started_at, ?3) WHERE id IN (SELECT id FROM jobs \
     WHERE queue = ?1 AND state = 0 \
     ORDER BY priority DESC, ifnull(deadline, 9223372036854775807), id LIMIT ?4) \
     RETURNING ",
    job_columns!()
);

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<Job> {
    let state: i64 = row.get(2)?;
    let tags: String = row.get(15)?;
    let errors: String = row.get(16)?;
    Ok(Job {
        id: row.get::<_, i64>(0)? as JobId,
        queue: row.get(1)?,
        state: match state {
            READY => JobState::Ready,
            LEASED => JobState::Leased,
            COMPLETED => JobState::Completed,
            DEAD => JobState::Dead,
            _ => JobState::Delayed,
        },
        priority: row.get::<_, i64>(3)?.clamp(0, 255) as u8,
        deadline: row.get(4)?,
        run_at: row.get(5)?,
        payload: row.get(6)?,
        attempts: row.get::<_, i64>(7)? as u32,
        max_attempts: row.get::<_, i64>(8)? as u32,
        backoff: Backoff {
            base_ms: row.get::<_, i64>(9)? as u64,
            max_ms: row.get::<_, i64>(10)? as u64,
            jitter: row.get(11)?,
        },
        timeout_ms: row.get::<_, Option<i64>>(12)?.map(|t| t as u64),
        unique_key: row.get(13)?,
        idempotency_key: row.get(14)?,
        tags: json_list(&tags),
        errors: json_list::<AttemptError>(&errors),
        created_at: row.get(17)?,
        started_at: row.get(18)?,
        finished_at: row.get(19)?,
        lease_until: row.get(20)?,
    })
}

/// A JSON list column; most are `[]`, which needs no parsing.
fn json_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    if text == "[]" {
        Vec::new()
    } else {
        serde_json::from_str(text).unwrap_or_default()
    }
}

fn ensure_queue(conn: &Connection, queue: &str) -> Result<(), QueueError> {
    conn.prepare_cached("INSERT OR IGNORE INTO queues (name) VALUES (?1)")?
        .execute([queue])?;
    Ok(())
}

const INSERT_JOB: &str = "INSERT INTO jobs (queue, state, priority, deadline, run_at, payload, \
    max_attempts, backoff_base, backoff_max, backoff_jitter, timeout_ms, unique_key, idem_key, \
    tags, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/// Inserts one job with `insert` (the cached [`INSERT_JOB`] statement, looked up once
/// per batch rather than once per job).
fn insert_job(
    conn: &Connection,
    insert: &mut rusqlite::CachedStatement<'_>,
    job: &NewJob,
    now: Millis,
) -> Result<Enqueued, QueueError> {
    crate::job::check_queue_name(&job.queue).map_err(QueueError::Invalid)?;
    if let Some(key) = &job.idempotency_key {
        let existing: Option<i64> = conn
            .prepare_cached("SELECT id FROM jobs WHERE queue = ?1 AND idem_key = ?2")?
            .query_row(params![job.queue, key], |row| row.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok(Enqueued {
                id: id as JobId,
                duplicate: true,
            });
        }
    }
    if let Some(key) = &job.unique_key {
        let existing: Option<i64> = conn
            .prepare_cached(
                "SELECT id FROM jobs WHERE queue = ?1 AND unique_key = ?2 AND state IN (0, 1, 4)",
            )?
            .query_row(params![job.queue, key], |row| row.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok(Enqueued {
                id: id as JobId,
                duplicate: true,
            });
        }
    }
    let run_at = job.run_at.unwrap_or(now);
    let state = if run_at > now { DELAYED } else { READY };
    let tags = if job.tags.is_empty() {
        std::borrow::Cow::Borrowed("[]")
    } else {
        std::borrow::Cow::Owned(serde_json::to_string(&job.tags).unwrap_or_else(|_| "[]".into()))
    };
    let id = insert.insert(params![
        job.queue,
        state,
        job.priority as i64,
        job.deadline,
        run_at,
        job.payload,
        job.max_attempts.max(1) as i64,
        job.backoff.base_ms as i64,
        job.backoff.max_ms as i64,
        job.backoff.jitter,
        job.timeout_ms.map(|t| t as i64),
        job.unique_key,
        job.idempotency_key,
        tags,
        now,
    ])?;
    Ok(Enqueued {
        id: id as JobId,
        duplicate: false,
    })
}

/// Expired leases become ready again (dead-lettered on their last attempt); due delayed
/// jobs become ready; then pending jobs past their deadline are dead-lettered.
fn maintain(conn: &Connection, queue: &str, now: Millis) -> Result<(), QueueError> {
    conn.prepare_cached(
        "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 3 ELSE 0 END, \
         finished_at = CASE WHEN attempts >= max_attempts THEN ?2 ELSE NULL END, \
         run_at = ?2, lease_until = NULL, errors = json_insert(errors, '$[#]', \
         json_object('attempt', attempts, 'at', ?2, 'message', \
         'lease expired: the worker stopped renewing it'))
         WHERE queue = ?1 AND state = 1 AND lease_until < ?2",
    )?
    .execute(params![queue, now])?;
    conn.prepare_cached(
        "UPDATE jobs SET state = 0 WHERE queue = ?1 AND state = 4 AND run_at <= ?2",
    )?
    .execute(params![queue, now])?;
    conn.prepare_cached(
        "UPDATE jobs SET state = 3, finished_at = ?2, errors = json_insert(errors, '$[#]', \
         json_object('attempt', attempts, 'at', ?2, 'message', \
         'deadline passed before the job could start')) \
         WHERE queue = ?1 AND state IN (0, 4) AND deadline IS NOT NULL AND deadline < ?2",
    )?
    .execute(params![queue, now])?;
    Ok(())
}

fn lease_matches(conn: &Connection, lease: &Lease) -> Result<bool, QueueError> {
    let found: Option<i64> = conn
        .prepare_cached(
            "SELECT 1 FROM jobs WHERE id = ?1 AND queue = ?2 AND state = 1 AND attempts = ?3",
        )?
        .query_row(
            params![lease.id as i64, lease.queue, lease.attempt as i64],
            |row| row.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

fn select_clause(select: &DeadSelect) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    match select {
        DeadSelect::All => (String::new(), Vec::new()),
        DeadSelect::Ids(ids) => {
            let marks = vec!["?"; ids.len().max(1)].join(", ");
            let mut values: Vec<Value> = ids.iter().map(|id| Value::Integer(*id as i64)).collect();
            if values.is_empty() {
                values.push(Value::Integer(-1));
            }
            (format!(" AND id IN ({marks})"), values)
        }
        DeadSelect::Tag(tag) => (
            " AND EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE json_each.value = ?)".into(),
            vec![Value::Text(tag.clone())],
        ),
    }
}

/// Leases up to `max` ready jobs of `queue` (see [`Backend::claim`]).
fn claim_in(
    conn: &Connection,
    queue: &str,
    max: usize,
    lease_ms: u64,
    now: Millis,
) -> Result<Vec<Job>, QueueError> {
    maintain(conn, queue, now)?;
    if max == 0 {
        return Ok(Vec::new());
    }
    // One statement reads the pause flag and counts the claim (a paused queue's
    // counter also moves; it only spaces out the oldest-first claims).
    let queue_row: Option<(i64, i64)> = conn
        .prepare_cached(
            "UPDATE queues SET claims = claims + 1 WHERE name = ?1 RETURNING claims, paused",
        )?
        .query_row([queue], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    // No row: nothing was ever enqueued on this queue.
    let Some((claims, 0)) = queue_row else {
        return Ok(Vec::new());
    };
    let lease_until = now + lease_ms as i64;
    let mut jobs = Vec::with_capacity(max);
    let mut remaining = max;
    if claims as u64 % FAIR_EVERY == 0 {
        let oldest = conn
            .prepare_cached(CLAIM_OLDEST)?
            .query_row(params![queue, lease_until, now], job_from_row)
            .optional()?;
        if let Some(job) = oldest {
            jobs.push(job);
            remaining -= 1;
        }
    }
    let mut statement = conn.prepare_cached(CLAIM)?;
    let rows = statement.query_map(
        params![queue, lease_until, now, remaining as i64],
        job_from_row,
    )?;
    let mut rest = rows.collect::<Result<Vec<_>, _>>()?;
    rest.sort_by_key(|job| {
        (
            std::cmp::Reverse(job.priority),
            job.deadline.unwrap_or(i64::MAX),
            job.id,
        )
    });
    jobs.extend(rest);
    Ok(jobs)
}

fn complete_in(conn: &Connection, lease: &Lease, now: Millis) -> Result<bool, QueueError> {
    let changed = conn
        .prepare_cached(
            "UPDATE jobs SET state = 2, finished_at = ?4, lease_until = NULL \
             WHERE id = ?1 AND queue = ?2 AND state = 1 AND attempts = ?3",
        )?
        .execute(params![
            lease.id as i64,
            lease.queue,
            lease.attempt as i64,
            now
        ])?;
    Ok(changed == 1)
}

impl Backend for SqliteBackend {
    async fn enqueue(&self, jobs: Vec<NewJob>, now: Millis) -> Result<Vec<Enqueued>, QueueError> {
        let result = self
            .call(move |conn| {
                let mut seen_queues: Vec<&str> = Vec::new();
                let mut out = Vec::with_capacity(jobs.len());
                let mut insert = conn.prepare_cached(INSERT_JOB)?;
                for job in &jobs {
                    if !seen_queues.contains(&job.queue.as_str()) {
                        ensure_queue(conn, &job.queue)?;
                        seen_queues.push(&job.queue);
                    }
                    out.push(insert_job(conn, &mut insert, job, now)?);
                }
                Ok(out)
            })
            .await;
        self.inner.notify.notify_waiters();
        result
    }

    async fn claim(
        &self,
        queue: &str,
        max: usize,
        lease_ms: u64,
        now: Millis,
    ) -> Result<Vec<Job>, QueueError> {
        let queue = queue.to_owned();
        self.call(move |conn| claim_in(conn, &queue, max, lease_ms, now))
            .await
    }

    async fn complete_and_claim(
        &self,
        lease: &Lease,
        max: usize,
        lease_ms: u64,
        now: Millis,
    ) -> Result<(bool, Vec<Job>), QueueError> {
        let lease = lease.clone();
        self.call(move |conn| {
            let done = complete_in(conn, &lease, now)?;
            let jobs = claim_in(conn, &lease.queue, max, lease_ms, now)?;
            Ok((done, jobs))
        })
        .await
    }

    async fn heartbeat(
        &self,
        lease: &Lease,
        lease_ms: u64,
        now: Millis,
    ) -> Result<bool, QueueError> {
        let lease = lease.clone();
        self.call(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE jobs SET lease_until = ?4 WHERE id = ?1 AND queue = ?2 AND state = 1 \
                     AND attempts = ?3",
                )?
                .execute(params![
                    lease.id as i64,
                    lease.queue,
                    lease.attempt as i64,
                    now + lease_ms as i64
                ])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn complete(&self, lease: &Lease, now: Millis) -> Result<bool, QueueError> {
        let (reply, answer) = oneshot::channel();
        let first = {
            let mut acks = self
                .inner
                .acks
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            acks.pending.push(PendingAck {
                lease: lease.clone(),
                now,
                reply,
            });
            !std::mem::replace(&mut acks.queued, true)
        };
        // Only the first ack of a batch queues the operation. A failed send means the
        // writer thread stopped: the pending acks are dropped, so every one of their
        // callers hears Stopped rather than waiting forever.
        if first
            && self
                .inner
                .ops
                .send(ack_op(self.inner.acks.clone()))
                .is_err()
        {
            let mut acks = self
                .inner
                .acks
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            acks.pending.clear();
            acks.queued = false;
        }
        answer.await.map_err(|_| QueueError::Stopped)?
    }

    async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_at: Option<Millis>,
        now: Millis,
    ) -> Result<Option<FailOutcome>, QueueError> {
        let lease = lease.clone();
        let error = error.to_owned();
        let outcome = self
            .call(move |conn| {
                if !lease_matches(conn, &lease)? {
                    return Ok(None);
                }
                let (state, run_at, finished, outcome) = match retry_at {
                    Some(at) if at > now => (DELAYED, at, None, FailOutcome::Retrying { at }),
                    Some(at) => (READY, at, None, FailOutcome::Retrying { at }),
                    None => (DEAD, now, Some(now), FailOutcome::Dead),
                };
                conn.prepare_cached(
                    "UPDATE jobs SET state = ?2, run_at = ?3, finished_at = ?4, lease_until = NULL, \
                     errors = json_insert(errors, '$[#]', json_object('attempt', attempts, \
                     'at', ?5, 'message', ?6)) WHERE id = ?1",
                )?
                .execute(params![lease.id as i64, state, run_at, finished, now, error])?;
                Ok(Some(outcome))
            })
            .await;
        if matches!(outcome, Ok(Some(FailOutcome::Retrying { .. }))) {
            self.inner.notify.notify_waiters();
        }
        outcome
    }

    async fn release(&self, lease: &Lease, now: Millis) -> Result<bool, QueueError> {
        let lease = lease.clone();
        let released = self
            .call(move |conn| {
                let changed = conn
                    .prepare_cached(
                        "UPDATE jobs SET state = 0, attempts = attempts - 1, run_at = ?4, \
                         lease_until = NULL WHERE id = ?1 AND queue = ?2 AND state = 1 \
                         AND attempts = ?3",
                    )?
                    .execute(params![
                        lease.id as i64,
                        lease.queue,
                        lease.attempt as i64,
                        now
                    ])?;
                Ok(changed == 1)
            })
            .await;
        self.inner.notify.notify_waiters();
        released
    }

    async fn get(&self, queue: &str, id: JobId) -> Result<Option<Job>, QueueError> {
        let queue = queue.to_owned();
        self.call(move |conn| {
            let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1 AND queue = ?2");
            Ok(conn
                .prepare_cached(&sql)?
                .query_row(params![id as i64, queue], job_from_row)
                .optional()?)
        })
        .await
    }

    async fn stats(&self, queue: &str, now: Millis) -> Result<QueueStats, QueueError> {
        let queue = queue.to_owned();
        self.call(move |conn| {
            maintain(conn, &queue, now)?;
            let mut stats = QueueStats::default();
            let mut statement = conn.prepare_cached(
                "SELECT state, count(*) FROM jobs WHERE queue = ?1 GROUP BY state",
            )?;
            let mut rows = statement.query([&queue])?;
            while let Some(row) = rows.next()? {
                let count = row.get::<_, i64>(1)? as u64;
                match row.get::<_, i64>(0)? {
                    READY => stats.ready = count,
                    LEASED => stats.leased = count,
                    COMPLETED => stats.completed = count,
                    DEAD => stats.dead = count,
                    _ => stats.delayed = count,
                }
            }
            let paused: Option<i64> = conn
                .prepare_cached("SELECT paused FROM queues WHERE name = ?1")?
                .query_row([&queue], |row| row.get(0))
                .optional()?;
            stats.paused = paused.unwrap_or(0) != 0;
            Ok(stats)
        })
        .await
    }

    async fn queues(&self) -> Result<Vec<String>, QueueError> {
        self.call(|conn| {
            let mut statement = conn.prepare_cached("SELECT name FROM queues ORDER BY name")?;
            let names = statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(names)
        })
        .await
    }

    async fn dead_list(&self, queue: &str, limit: usize) -> Result<Vec<Job>, QueueError> {
        let queue = queue.to_owned();
        self.call(move |conn| {
            let sql = format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE queue = ?1 AND state = 3 \
                 ORDER BY finished_at DESC, id DESC LIMIT ?2"
            );
            let mut statement = conn.prepare_cached(&sql)?;
            let jobs = statement
                .query_map(params![queue, limit as i64], job_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(jobs)
        })
        .await
    }

    async fn dead_retry(
        &self,
        queue: &str,
        select: &DeadSelect,
        now: Millis,
    ) -> Result<u64, QueueError> {
        let queue = queue.to_owned();
        let select = select.clone();
        let count = self
            .call(move |conn| {
                let (clause, values) = select_clause(&select);
                // OR IGNORE: a dead job whose unique key is pending again stays dead.
                let sql = format!(
                    "UPDATE OR IGNORE jobs SET state = 0, attempts = 0, run_at = ?, \
                     finished_at = NULL, deadline = NULL WHERE queue = ? AND state = 3{clause}"
                );
                let mut all = vec![
                    rusqlite::types::Value::Integer(now),
                    rusqlite::types::Value::Text(queue),
                ];
                all.extend(values);
                let changed = conn
                    .prepare(&sql)?
                    .execute(rusqlite::params_from_iter(all))?;
                Ok(changed as u64)
            })
            .await;
        self.inner.notify.notify_waiters();
        count
    }

    async fn dead_purge(&self, queue: &str, select: &DeadSelect) -> Result<u64, QueueError> {
        let queue = queue.to_owned();
        let select = select.clone();
        self.call(move |conn| {
            let (clause, values) = select_clause(&select);
            let sql = format!("DELETE FROM jobs WHERE queue = ? AND state = 3{clause}");
            let mut all = vec![rusqlite::types::Value::Text(queue)];
            all.extend(values);
            let changed = conn
                .prepare(&sql)?
                .execute(rusqlite::params_from_iter(all))?;
            Ok(changed as u64)
        })
        .await
    }

    async fn set_paused(&self, queue: &str, paused: bool) -> Result<(), QueueError> {
        let queue = queue.to_owned();
        self.call(move |conn| {
            ensure_queue(conn, &queue)?;
            conn.prepare_cached("UPDATE queues SET paused = ?2 WHERE name = ?1")?
                .execute(params![queue, paused as i64])?;
            Ok(())
        })
        .await?;
        self.inner.notify.notify_waiters();
        Ok(())
    }

    async fn retain(
        &self,
        queue: &str,
        policy: &Retention,
        now: Millis,
    ) -> Result<u64, QueueError> {
        let queue = queue.to_owned();
        let policy = *policy;
        self.call(move |conn| {
            let oldest = now - policy.max_age_ms as i64;
            let mut removed = conn
                .prepare_cached(
                    "DELETE FROM jobs WHERE queue = ?1 AND state IN (2, 3) AND finished_at < ?2",
                )?
                .execute(params![queue, oldest])?;
            for (state, keep) in [(COMPLETED, policy.completed), (DEAD, policy.dead)] {
                removed += conn
                    .prepare_cached(
                        "DELETE FROM jobs WHERE queue = ?1 AND state = ?2 AND id IN \
                         (SELECT id FROM jobs WHERE queue = ?1 AND state = ?2 \
                         ORDER BY finished_at DESC, id DESC LIMIT -1 OFFSET ?3)",
                    )?
                    .execute(params![queue, state, keep as i64])?;
            }
            Ok(removed as u64)
        })
        .await
    }

    async fn cron_fire(
        &self,
        schedule: &str,
        tick: Millis,
        job: NewJob,
        now: Millis,
    ) -> Result<Option<JobId>, QueueError> {
        let schedule = schedule.to_owned();
        let fired = self
            .call(move |conn| {
                let changed = conn
                    .prepare_cached(
                        "INSERT INTO cron (queue, name, last_tick) VALUES (?1, ?2, ?3) \
                         ON CONFLICT (queue, name) DO UPDATE SET last_tick = excluded.last_tick \
                         WHERE excluded.last_tick > cron.last_tick",
                    )?
                    .execute(params![job.queue, schedule, tick])?;
                if changed == 0 {
                    return Ok(None);
                }
                ensure_queue(conn, &job.queue)?;
                let mut insert = conn.prepare_cached(INSERT_JOB)?;
                Ok(Some(insert_job(conn, &mut insert, &job, now)?.id))
            })
            .await;
        if matches!(fired, Ok(Some(_))) {
            self.inner.notify.notify_waiters();
        }
        fired
    }

    async fn wait(&self, _queue: &str, timeout: Duration) {
        let notified = self.inner.notify.notified();
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep(timeout.min(CROSS_PROCESS_POLL)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    use super::*;

    /// A claim with another batch size reuses the prepared claim statement: SQLite
    /// (3.47+) would otherwise re-parse and re-plan it on every bind of its `LIMIT ?`.
    #[test]
    fn claims_of_any_size_do_not_prepare_the_statement_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = connect(&dir.path().join("q.db")).expect("open");
        ensure_queue(&conn, "q").expect("queue");
        let mut insert = conn.prepare_cached(INSERT_JOB).expect("insert");
        for _ in 0..20 {
            let job = NewJob::new("q", b"{}".to_vec());
            insert_job(&conn, &mut insert, &job, 1_000).expect("enqueue");
        }
        drop(insert);
        let mut claimed = 0;
        for max in [1, 7, 2, 5] {
            claimed += claim_in(&conn, "q", max, 30_000, 2_000)
                .expect("claim")
                .len();
        }
        assert_eq!(claimed, 15);
        let reprepared = conn
            .prepare_cached(CLAIM)
            .expect("cached")
            .get_status(StatementStatus::RePrepare);
        assert_eq!(reprepared, 0, "the claim statement was prepared again");
    }
}
