//! `AnyBackend`: the backend a `queues.yml` names, chosen at run time.

use std::time::Duration;

use crate::backend::{Backend, QueueError};
use crate::config::BackendChoice;
use crate::job::{
    DeadSelect, Enqueued, FailOutcome, Job, JobId, Lease, Millis, NewJob, QueueStats, Retention,
};
use crate::redis::RedisBackend;
use crate::sqlite::SqliteBackend;

/// SQLite or Redis, dispatched per call.
#[derive(Debug, Clone)]
pub enum AnyBackend {
    Sqlite(SqliteBackend),
    Redis(RedisBackend),
}

impl AnyBackend {
    pub async fn open(choice: &BackendChoice) -> Result<AnyBackend, QueueError> {
        Ok(match choice {
            BackendChoice::Sqlite(path) => AnyBackend::Sqlite(SqliteBackend::open(path)?),
            BackendChoice::Redis(url) => AnyBackend::Redis(RedisBackend::connect(url).await?),
            BackendChoice::RedisCluster(nodes) => {
                AnyBackend::Redis(RedisBackend::connect_cluster(nodes).await?)
            }
        })
    }
}

macro_rules! dispatch {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        match $self {
            AnyBackend::Sqlite(backend) => backend.$method($($arg),*).await,
            AnyBackend::Redis(backend) => backend.$method($($arg),*).await,
        }
    };
}

impl Backend for AnyBackend {
    async fn enqueue(&self, jobs: Vec<NewJob>, now: Millis) -> Result<Vec<Enqueued>, QueueError> {
        dispatch!(self, enqueue(jobs, now))
    }
    async fn claim(
        &self,
        queue: &str,
        max: usize,
        lease_ms: u64,
        now: Millis,
    ) -> Result<Vec<Job>, QueueError> {
        dispatch!(self, claim(queue, max, lease_ms, now))
    }
    async fn heartbeat(
        &self,
        lease: &Lease,
        lease_ms: u64,
        now: Millis,
    ) -> Result<bool, QueueError> {
        dispatch!(self, heartbeat(lease, lease_ms, now))
    }
    async fn complete(&self, lease: &Lease, now: Millis) -> Result<bool, QueueError> {
        dispatch!(self, complete(lease, now))
    }
    async fn complete_and_claim(
        &self,
        lease: &Lease,
        max: usize,
        lease_ms: u64,
        now: Millis,
    ) -> Result<(bool, Vec<Job>), QueueError> {
        dispatch!(self, complete_and_claim(lease, max, lease_ms, now))
    }
    async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_at: Option<Millis>,
        now: Millis,
    ) -> Result<Option<FailOutcome>, QueueError> {
        dispatch!(self, fail(lease, error, retry_at, now))
    }
    async fn release(&self, lease: &Lease, now: Millis) -> Result<bool, QueueError> {
        dispatch!(self, release(lease, now))
    }
    async fn get(&self, queue: &str, id: JobId) -> Result<Option<Job>, QueueError> {
        dispatch!(self, get(queue, id))
    }
    async fn stats(&self, queue: &str, now: Millis) -> Result<QueueStats, QueueError> {
        dispatch!(self, stats(queue, now))
    }
    async fn queues(&self) -> Result<Vec<String>, QueueError> {
        dispatch!(self, queues())
    }
    async fn dead_list(&self, queue: &str, limit: usize) -> Result<Vec<Job>, QueueError> {
        dispatch!(self, dead_list(queue, limit))
    }
    async fn dead_retry(
        &self,
        queue: &str,
        select: &DeadSelect,
        now: Millis,
    ) -> Result<u64, QueueError> {
        dispatch!(self, dead_retry(queue, select, now))
    }
    async fn dead_purge(&self, queue: &str, select: &DeadSelect) -> Result<u64, QueueError> {
        dispatch!(self, dead_purge(queue, select))
    }
    async fn set_paused(&self, queue: &str, paused: bool) -> Result<(), QueueError> {
        dispatch!(self, set_paused(queue, paused))
    }
    async fn retain(
        &self,
        queue: &str,
        policy: &Retention,
        now: Millis,
    ) -> Result<u64, QueueError> {
        dispatch!(self, retain(queue, policy, now))
    }
    async fn cron_fire(
        &self,
        schedule: &str,
        tick: Millis,
        job: NewJob,
        now: Millis,
    ) -> Result<Option<JobId>, QueueError> {
        dispatch!(self, cron_fire(schedule, tick, job, now))
    }
    async fn wait(&self, queue: &str, timeout: Duration) {
        dispatch!(self, wait(queue, timeout))
    }
}
