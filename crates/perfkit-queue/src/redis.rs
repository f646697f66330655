//! The Redis backend: the same semantics as SQLite, each transition one Lua script
//! (see `redis_lua.rs`), keys hash-tagged per queue (`{q:NAME}:...`) so every queue
//! lives in one Redis Cluster slot. It talks to one server or to a Redis Cluster
//! (the cluster client follows `MOVED`/`ASK` redirects and routes each script by its
//! keys, all of which share the queue's slot). Idle workers block on a per-queue
//! notify list (`BLPOP`, on a connection of their own) instead of polling.
//! Connections reconnect by themselves after a Redis restart; operations that fail
//! meanwhile return an error and the worker retries. Batches are atomic per queue
//! (one script per queue, as Cluster requires).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, MultiplexedConnection};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{AsyncConnectionConfig, Client, Cmd, Pipeline, RedisFuture, Script, Value};
use serde::{Deserialize, Serialize};

use crate::backend::{Backend, QueueError};
use crate::job::{
    check_queue_name, AttemptError, Backoff, DeadSelect, Enqueued, FailOutcome, Job, JobId,
    JobState, Lease, Millis, NewJob, QueueStats, Retention, FAIR_EVERY,
};
use crate::redis_direct::{Direct, DirectPool};
use crate::redis_lua as lua;

/// The set of queue names (outside any queue's slot, written once per queue per process).
const QUEUES_KEY: &str = "perfkit:queues";

struct Scripts {
    enqueue: Script,
    claim: Script,
    heartbeat: Script,
    complete: Script,
    complete_claim: Script,
    fail: Script,
    release: Script,
    stats: Script,
    dead_retry: Script,
    dead_purge: Script,
    set_paused: Script,
    retain: Script,
    cron_fire: Script,
}

impl Scripts {
    fn new() -> Scripts {
        let script =
            |body: &str| Script::new(&format!("{}\n{}\n{}", lua::CORE, lua::PRELUDE, body));
        Scripts {
            enqueue: Script::new(&format!("{}\n{}", lua::CORE, lua::ENQUEUE)),
            claim: script(lua::CLAIM),
            heartbeat: script(lua::HEARTBEAT),
            complete: script(lua::COMPLETE),
            complete_claim: script(lua::COMPLETE_CLAIM),
            fail: script(lua::FAIL),
            release: script(lua::RELEASE),
            stats: script(lua::STATS),
            dead_retry: script(lua::DEAD_RETRY),
            dead_purge: script(lua::DEAD_PURGE),
            set_paused: script(lua::SET_PAUSED),
            retain: script(lua::RETAIN),
            cron_fire: script(lua::CRON_FIRE),
        }
    }
}

/// The Redis backend. Cheap to clone.
#[derive(Clone)]
pub struct RedisBackend {
    inner: Arc<Inner>,
}

struct Inner {
    target: Target,
    conn: Conn,
    scripts: Scripts,
    /// Connections for blocking waits (a `BLPOP` holds its connection).
    blocking: Mutex<Vec<Conn>>,
    registered: Mutex<Vec<String>>,
}

/// Where the backend's data lives: one server or a cluster.
enum Target {
    Single(Client),
    Cluster(Vec<String>),
}

/// A connection to one server (reconnecting by itself: a pool of plain connections
/// over TCP, a multiplexed one otherwise) or to a cluster (routing each command by
/// its keys' slot and following redirects).
#[derive(Clone)]
enum Conn {
    Direct(Direct),
    Single(ConnectionManager),
    Blocking(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Direct(conn) => conn.req_packed_command(cmd),
            Conn::Single(conn) => conn.req_packed_command(cmd),
            Conn::Blocking(conn) => conn.req_packed_command(cmd),
            Conn::Cluster(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipe: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Direct(conn) => conn.req_packed_commands(pipe, offset, count),
            Conn::Single(conn) => conn.req_packed_commands(pipe, offset, count),
            Conn::Blocking(conn) => conn.req_packed_commands(pipe, offset, count),
            Conn::Cluster(conn) => conn.req_packed_commands(pipe, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Direct(conn) => conn.get_db(),
            Conn::Single(conn) => conn.get_db(),
            Conn::Blocking(conn) => conn.get_db(),
            Conn::Cluster(conn) => conn.get_db(),
        }
    }
}

/// A cluster client whose replies may take up to `response_timeout`.
fn cluster_client(
    nodes: &[String],
    response_timeout: Duration,
) -> Result<ClusterClient, QueueError> {
    Ok(ClusterClientBuilder::new(nodes.to_vec())
        .connection_timeout(Duration::from_secs(2))
        .response_timeout(response_timeout)
        .retries(3)
        .max_retry_wait(1_000)
        .build()?)
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend").finish_non_exhaustive()
    }
}

/// A queue's keys, in the order the scripts number them (`K[i]` in `redis_lua.rs`).
fn keys(queue: &str) -> [String; 12] {
    let tag = format!("{{q:{queue}}}");
    [
        "ready",
        "delayed",
        "leased",
        "dead",
        "completed",
        "unique",
        "idem",
        "meta",
        "deadlines",
        "notify",
        "fifo",
        "cron",
    ]
    .map(|name| format!("{tag}:{name}"))
}

fn job_prefix(queue: &str) -> String {
    format!("{{q:{queue}}}:job:")
}

fn member(id: JobId) -> String {
    format!("{id:016}")
}

/// A job id from its member (zero-padded) form.
fn job_id(member: &str) -> Result<JobId, QueueError> {
    member
        .parse()
        .map_err(|_| QueueError::Corrupt(format!("job id `{member}`")))
}

/// A job's settings that never change after its enqueue: one hash field (`spec`),
/// stored as the client sends it. The scripts decode it only on rare paths
/// (`max_attempts` on a lease expiry, `tags` for a dead-letter selection).
#[derive(Serialize, Deserialize)]
struct Spec<'a> {
    created_at: Millis,
    max_attempts: u32,
    backoff: Backoff,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout_ms: Option<u64>,
    #[serde(borrow, default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Cow<'a, str>>,
}

/// Bounds of the ready set's score, as in the scripts' PRELUDE.
const NO_DEADLINE: i64 = 4_398_046_511_103;
const BAND: i64 = 4_398_046_511_104;

/// What a job uses beyond the plain case (see `enqueue_one` in `redis_lua.rs`),
/// every value as text so the script stores and indexes it as it is.
#[derive(Serialize)]
struct Extras<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unique_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idem_key: Option<&'a str>,
    score: String,
}

/// The three script arguments of one job (see `enqueue_one` in `redis_lua.rs`):
/// spec, payload, and '' for a plain job (priority 0, ready now, no deadline, no
/// keys) or else its extras, its ready-set score computed here so that the script
/// formats no numbers.
fn job_args(invocation: &mut redis::ScriptInvocation<'_>, job: &NewJob, now: Millis) {
    let spec = Spec {
        created_at: now,
        max_attempts: job.max_attempts.max(1),
        backoff: job.backoff,
        timeout_ms: job.timeout_ms,
        tags: job.tags.iter().map(|t| Cow::Borrowed(t.as_str())).collect(),
    };
    invocation
        .arg(serde_json::to_vec(&spec).unwrap_or_default())
        .arg(&job.payload[..]);
    let plain = job.priority == 0
        && job.run_at.is_none()
        && job.deadline.is_none()
        && job.unique_key.is_none()
        && job.idempotency_key.is_none();
    if plain {
        invocation.arg("");
        return;
    }
    let deadline = job.deadline.map_or(NO_DEADLINE, |d| d.min(NO_DEADLINE));
    let extras = Extras {
        priority: (job.priority != 0).then(|| job.priority.to_string()),
        run_at: job.run_at.map(|at| at.to_string()),
        deadline: job.deadline.map(|at| at.to_string()),
        unique_key: job.unique_key.as_deref(),
        idem_key: job.idempotency_key.as_deref(),
        score: ((255 - i64::from(job.priority)) * BAND + deadline).to_string(),
    };
    invocation.arg(serde_json::to_vec(&extras).unwrap_or_default());
}

/// A job of `queue` from its hash fields (see `redis_lua.rs`; `id` added by the reader).
fn job_from_fields(queue: &str, fields: HashMap<String, Vec<u8>>) -> Result<Job, QueueError> {
    let text = |name: &str| -> String {
        fields
            .get(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    };
    let number = |name: &str| -> Result<i64, QueueError> {
        text(name)
            .parse::<f64>()
            .map(|v| v as i64)
            .map_err(|_| QueueError::Corrupt(format!("field {name} is `{}`", text(name))))
    };
    let optional = |name: &str| -> Result<Option<i64>, QueueError> {
        if text(name).is_empty() {
            Ok(None)
        } else {
            number(name).map(Some)
        }
    };
    let optional_text = |name: &str| Some(text(name)).filter(|t| !t.is_empty());
    let raw_spec = fields.get("spec").map(Vec::as_slice).unwrap_or_default();
    let spec: Spec = serde_json::from_slice(raw_spec)
        .map_err(|e| QueueError::Corrupt(format!("field spec: {e}")))?;
    let errors = text("errors");
    Ok(Job {
        id: number("id")? as JobId,
        queue: queue.to_owned(),
        payload: fields.get("payload").cloned().unwrap_or_default(),
        priority: optional("priority")?.unwrap_or(0).clamp(0, 255) as u8,
        run_at: optional("run_at")?.unwrap_or(spec.created_at),
        deadline: optional("deadline")?,
        max_attempts: spec.max_attempts,
        backoff: spec.backoff,
        timeout_ms: spec.timeout_ms,
        unique_key: optional_text("unique_key"),
        idempotency_key: optional_text("idem_key"),
        tags: spec.tags.into_iter().map(Cow::into_owned).collect(),
        state: JobState::parse(&text("state"))
            .ok_or_else(|| QueueError::Corrupt(format!("state `{}`", text("state"))))?,
        attempts: optional("attempts")?.unwrap_or(0) as u32,
        // Absent, or an empty Lua table encoded as `{}`: no errors.
        errors: serde_json::from_str::<Vec<AttemptError>>(&errors).unwrap_or_default(),
        created_at: spec.created_at,
        started_at: optional("started_at")?,
        finished_at: optional("finished_at")?,
        lease_until: optional("lease_until")?,
    })
}

fn pairs(flat: Vec<Vec<u8>>) -> HashMap<String, Vec<u8>> {
    let mut map = HashMap::new();
    let mut items = flat.into_iter();
    while let (Some(key), Some(value)) = (items.next(), items.next()) {
        map.insert(String::from_utf8_lossy(&key).into_owned(), value);
    }
    map
}

fn select_args(select: &DeadSelect) -> Vec<String> {
    match select {
        DeadSelect::All => vec!["all".into()],
        DeadSelect::Ids(ids) => std::iter::once("ids".to_owned())
            .chain(ids.iter().map(|id| id.to_string()))
            .collect(),
        DeadSelect::Tag(tag) => vec!["tag".into(), tag.clone()],
    }
}

impl RedisBackend {
    /// Connects to `url` (`redis://host:port/db`).
    pub async fn connect(url: &str) -> Result<RedisBackend, QueueError> {
        let client = Client::open(url)?;
        let (connect_timeout, response_timeout) = (Duration::from_secs(2), Duration::from_secs(10));
        let info = client.get_connection_info();
        if let Some(pool) = DirectPool::for_tcp(info, connect_timeout, response_timeout) {
            let mut conn = Conn::Direct(Direct(Arc::new(pool)));
            // Reachable now, or an error now (as a connection manager's set-up).
            redis::cmd("PING").query_async::<()>(&mut conn).await?;
            return Ok(RedisBackend::new(Target::Single(client), conn));
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(connect_timeout)
            .set_response_timeout(response_timeout)
            .set_number_of_retries(3)
            .set_max_delay(1_000);
        let conn = ConnectionManager::new_with_config(client.clone(), config).await?;
        Ok(RedisBackend::new(
            Target::Single(client),
            Conn::Single(conn),
        ))
    }

    /// Connects to a Redis Cluster through any of its `nodes` (`redis://host:port`);
    /// the rest of the topology is discovered, and redirects are followed.
    pub async fn connect_cluster(nodes: &[String]) -> Result<RedisBackend, QueueError> {
        if nodes.is_empty() {
            return Err(QueueError::Invalid(
                "a Redis Cluster needs at least one node URL".into(),
            ));
        }
        let client = cluster_client(nodes, Duration::from_secs(10))?;
        let conn = client.get_async_connection().await?;
        Ok(RedisBackend::new(
            Target::Cluster(nodes.to_vec()),
            Conn::Cluster(conn),
        ))
    }

    fn new(target: Target, conn: Conn) -> RedisBackend {
        RedisBackend {
            inner: Arc::new(Inner {
                target,
                conn,
                scripts: Scripts::new(),
                blocking: Mutex::new(Vec::new()),
                registered: Mutex::new(Vec::new()),
            }),
        }
    }

    fn conn(&self) -> Conn {
        self.inner.conn.clone()
    }

    async fn register(&self, queue: &str) -> Result<(), QueueError> {
        if self
            .inner
            .registered
            .lock()
            .unwrap()
            .iter()
            .any(|q| q == queue)
        {
            return Ok(());
        }
        redis::cmd("SADD")
            .arg(QUEUES_KEY)
            .arg(queue)
            .query_async::<()>(&mut self.conn())
            .await?;
        self.inner.registered.lock().unwrap().push(queue.to_owned());
        Ok(())
    }

    /// A script call on `queue`: its hash tag is the one key (the scripts name the
    /// queue's keys after it), the time the first argument.
    fn invocation<'a>(script: &'a Script, queue: &str, now: Millis) -> redis::ScriptInvocation<'a> {
        let mut invocation = script.prepare_invoke();
        invocation.key(format!("{{q:{queue}}}")).arg(now);
        invocation
    }

    async fn lease_script(
        &self,
        script: &Script,
        lease: &Lease,
        extra: &[String],
        now: Millis,
    ) -> Result<Value, QueueError> {
        let mut invocation = Self::invocation(script, &lease.queue, now);
        invocation.arg(member(lease.id)).arg(lease.attempt);
        for arg in extra {
            invocation.arg(arg);
        }
        Ok(invocation.invoke_async(&mut self.conn()).await?)
    }

    /// A connection no other task uses while it blocks (BLPOP waits up to 30 s).
    /// Runs a lease script whose reply is 1 when the lease was held.
    async fn lease_held(
        &self,
        script: &Script,
        lease: &Lease,
        extra: &[String],
        now: Millis,
    ) -> Result<bool, QueueError> {
        let reply = self.lease_script(script, lease, extra, now).await?;
        Ok(redis::from_redis_value::<i64>(&reply)? == 1)
    }

    async fn blocking_conn(&self) -> Result<Conn, QueueError> {
        if let Some(conn) = self.inner.blocking.lock().unwrap().pop() {
            return Ok(conn);
        }
        let response_timeout = Duration::from_secs(30);
        Ok(match &self.inner.target {
            Target::Single(client) => {
                let config = AsyncConnectionConfig::new()
                    .set_connection_timeout(Duration::from_secs(2))
                    .set_response_timeout(response_timeout);
                Conn::Blocking(
                    client
                        .get_multiplexed_async_connection_with_config(&config)
                        .await?,
                )
            }
            Target::Cluster(nodes) => Conn::Cluster(
                cluster_client(nodes, response_timeout)?
                    .get_async_connection()
                    .await?,
            ),
        })
    }
}

impl Backend for RedisBackend {
    async fn enqueue(&self, jobs: Vec<NewJob>, now: Millis) -> Result<Vec<Enqueued>, QueueError> {
        for job in &jobs {
            check_queue_name(&job.queue).map_err(QueueError::Invalid)?;
        }
        let mut order: Vec<&str> = Vec::new();
        for job in &jobs {
            if !order.contains(&job.queue.as_str()) {
                order.push(&job.queue);
            }
        }
        let mut results: Vec<Option<Enqueued>> = vec![None; jobs.len()];
        for queue in order {
            self.register(queue).await?;
            let mut invocation = Self::invocation(&self.inner.scripts.enqueue, queue, now);
            let mut positions = Vec::new();
            for (i, job) in jobs.iter().enumerate().filter(|(_, j)| j.queue == queue) {
                job_args(&mut invocation, job, now);
                positions.push(i);
            }
            let reply: Vec<Value> = invocation.invoke_async(&mut self.conn()).await?;
            let mut reply = reply.into_iter();
            for position in positions {
                let (Some(m), Some(dup)) = (reply.next(), reply.next()) else {
                    return Err(QueueError::Corrupt("short enqueue reply".into()));
                };
                let m: String = redis::from_redis_value(&m)?;
                let dup: i64 = redis::from_redis_value(&dup)?;
                results[position] = Some(Enqueued {
                    id: job_id(&m)?,
                    duplicate: dup == 1,
                });
            }
        }
        Ok(results.into_iter().flatten().collect())
    }

    async fn claim(
        &self,
        queue: &str,
        max: usize,
        lease_ms: u64,
        now: Millis,
    ) -> Result<Vec<Job>, QueueError> {
        let mut invocation = Self::invocation(&self.inner.scripts.claim, queue, now);
        invocation.arg(max).arg(lease_ms).arg(FAIR_EVERY);
        let reply: Vec<Vec<Vec<u8>>> = invocation.invoke_async(&mut self.conn()).await?;
        reply
            .into_iter()
            .map(|flat| job_from_fields(queue, pairs(flat)))
            .collect()
    }

    async fn heartbeat(
        &self,
        lease: &Lease,
        lease_ms: u64,
        now: Millis,
    ) -> Result<bool, QueueError> {
        let script = &self.inner.scripts.heartbeat;
        self.lease_held(script, lease, &[lease_ms.to_string()], now)
            .await
    }

    async fn complete(&self, lease: &Lease, now: Millis) -> Result<bool, QueueError> {
        self.lease_held(&self.inner.scripts.complete, lease, &[], now)
            .await
    }

    async fn complete_and_claim(
        &self,
        lease: &Lease,
        max: usize,
        lease_ms: u64,
        now: Millis,
    ) -> Result<(bool, Vec<Job>), QueueError> {
        let extra = [
            max.to_string(),
            lease_ms.to_string(),
            FAIR_EVERY.to_string(),
        ];
        let reply = self
            .lease_script(&self.inner.scripts.complete_claim, lease, &extra, now)
            .await?;
        let (done, jobs): (i64, Vec<Vec<Vec<u8>>>) = redis::from_redis_value(&reply)?;
        let jobs = jobs
            .into_iter()
            .map(|flat| job_from_fields(&lease.queue, pairs(flat)))
            .collect::<Result<_, _>>()?;
        Ok((done == 1, jobs))
    }

    async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_at: Option<Millis>,
        now: Millis,
    ) -> Result<Option<FailOutcome>, QueueError> {
        let at = retry_at.map(|at| at.to_string()).unwrap_or_default();
        let reply = self
            .lease_script(
                &self.inner.scripts.fail,
                lease,
                &[error.to_owned(), at],
                now,
            )
            .await?;
        let reply: Option<String> = redis::from_redis_value(&reply)?;
        Ok(match (reply.as_deref(), retry_at) {
            (Some("dead"), _) => Some(FailOutcome::Dead),
            (Some(_), Some(at)) => Some(FailOutcome::Retrying { at }),
            _ => None,
        })
    }

    async fn release(&self, lease: &Lease, now: Millis) -> Result<bool, QueueError> {
        self.lease_held(&self.inner.scripts.release, lease, &[], now)
            .await
    }

    async fn get(&self, queue: &str, id: JobId) -> Result<Option<Job>, QueueError> {
        let key = format!("{}{}", job_prefix(queue), member(id));
        let flat: Vec<Vec<u8>> = redis::cmd("HGETALL")
            .arg(key)
            .query_async(&mut self.conn())
            .await?;
        if flat.is_empty() {
            return Ok(None);
        }
        let mut fields = pairs(flat);
        fields.insert("id".into(), id.to_string().into_bytes());
        job_from_fields(queue, fields).map(Some)
    }

    async fn stats(&self, queue: &str, now: Millis) -> Result<QueueStats, QueueError> {
        let reply: Vec<u64> = Self::invocation(&self.inner.scripts.stats, queue, now)
            .invoke_async(&mut self.conn())
            .await?;
        let at = |i: usize| reply.get(i).copied().unwrap_or(0);
        Ok(QueueStats {
            ready: at(0),
            delayed: at(1),
            leased: at(2),
            completed: at(3),
            dead: at(4),
            paused: at(5) == 1,
        })
    }

    async fn queues(&self) -> Result<Vec<String>, QueueError> {
        let mut names: Vec<String> = redis::cmd("SMEMBERS")
            .arg(QUEUES_KEY)
            .query_async(&mut self.conn())
            .await?;
        names.sort();
        Ok(names)
    }

    async fn dead_list(&self, queue: &str, limit: usize) -> Result<Vec<Job>, QueueError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let members: Vec<String> = redis::cmd("ZREVRANGE")
            .arg(&keys(queue)[3])
            .arg(0)
            .arg(limit as i64 - 1)
            .query_async(&mut self.conn())
            .await?;
        let mut pipe = redis::pipe();
        for m in &members {
            pipe.cmd("HGETALL").arg(format!("{}{m}", job_prefix(queue)));
        }
        let all: Vec<Vec<Vec<u8>>> = pipe.query_async(&mut self.conn()).await?;
        members
            .into_iter()
            .zip(all)
            .filter(|(_, flat)| !flat.is_empty())
            .map(|(m, flat)| {
                let mut fields = pairs(flat);
                fields.insert("id".into(), m.into_bytes());
                job_from_fields(queue, fields)
            })
            .collect()
    }

    async fn dead_retry(
        &self,
        queue: &str,
        select: &DeadSelect,
        now: Millis,
    ) -> Result<u64, QueueError> {
        let mut invocation = Self::invocation(&self.inner.scripts.dead_retry, queue, now);
        for arg in select_args(select) {
            invocation.arg(arg);
        }
        Ok(invocation.invoke_async(&mut self.conn()).await?)
    }

    async fn dead_purge(&self, queue: &str, select: &DeadSelect) -> Result<u64, QueueError> {
        let mut invocation = Self::invocation(&self.inner.scripts.dead_purge, queue, 0);
        for arg in select_args(select) {
            invocation.arg(arg);
        }
        Ok(invocation.invoke_async(&mut self.conn()).await?)
    }

    async fn set_paused(&self, queue: &str, paused: bool) -> Result<(), QueueError> {
        self.register(queue).await?;
        let mut invocation = Self::invocation(&self.inner.scripts.set_paused, queue, 0);
        invocation.arg(if paused { "1" } else { "0" });
        invocation.invoke_async::<()>(&mut self.conn()).await?;
        Ok(())
    }

    async fn retain(
        &self,
        queue: &str,
        policy: &Retention,
        now: Millis,
    ) -> Result<u64, QueueError> {
        let mut invocation = Self::invocation(&self.inner.scripts.retain, queue, now);
        invocation
            .arg(policy.completed)
            .arg(policy.dead)
            .arg(policy.max_age_ms);
        Ok(invocation.invoke_async(&mut self.conn()).await?)
    }

    async fn cron_fire(
        &self,
        schedule: &str,
        tick: Millis,
        job: NewJob,
        now: Millis,
    ) -> Result<Option<JobId>, QueueError> {
        check_queue_name(&job.queue).map_err(QueueError::Invalid)?;
        self.register(&job.queue).await?;
        let mut invocation = Self::invocation(&self.inner.scripts.cron_fire, &job.queue, now);
        invocation.arg(schedule).arg(tick);
        job_args(&mut invocation, &job, now);
        let fired: Option<String> = invocation.invoke_async(&mut self.conn()).await?;
        fired.as_deref().map(job_id).transpose()
    }

    async fn wait(&self, queue: &str, timeout: Duration) {
        let keys = keys(queue);
        // Wake no later than the next delayed job or lease expiry is due.
        let mut pipe = redis::pipe();
        pipe.cmd("ZRANGE")
            .arg(&keys[1])
            .arg(0)
            .arg(0)
            .arg("WITHSCORES");
        pipe.cmd("ZRANGE")
            .arg(&keys[2])
            .arg(0)
            .arg(0)
            .arg("WITHSCORES");
        let next: Result<Vec<Vec<(String, f64)>>, _> = pipe.query_async(&mut self.conn()).await;
        let now = crate::job::now_ms() as f64;
        let mut timeout = timeout.as_secs_f64();
        match next {
            Ok(next) => {
                for (_, at) in next.into_iter().flatten() {
                    timeout = timeout.min(((at - now) / 1000.0).max(0.0));
                }
            }
            Err(_) => {
                // Redis is unreachable: back off rather than spin.
                tokio::time::sleep(Duration::from_secs_f64(timeout.min(0.5))).await;
                return;
            }
        }
        if timeout <= 0.0 {
            return;
        }
        let Ok(mut conn) = self.blocking_conn().await else {
            tokio::time::sleep(Duration::from_secs_f64(timeout.min(0.5))).await;
            return;
        };
        // BLPOP takes whole or fractional seconds; 0 would block forever.
        let seconds = timeout.max(0.01);
        let result: Result<Option<(String, String)>, _> = redis::cmd("BLPOP")
            .arg(&keys[9])
            .arg(seconds)
            .query_async(&mut conn)
            .await;
        match result {
            Ok(_) => self.inner.blocking.lock().unwrap().push(conn),
            // Not reachable or a wrong node: back off rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_secs_f64(seconds.min(0.5))).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_and_scripts_agree_on_ready_scores() {
        let plain = (255 * BAND + NO_DEADLINE).to_string();
        assert!(lua::CORE.contains(&format!("PLAIN_SCORE = '{plain}'")));
        assert!(lua::PRELUDE.contains(&format!("NO_DEADLINE = {NO_DEADLINE}\n")));
        assert!(lua::PRELUDE.contains(&format!("BAND = {BAND}\n")));
    }
}
