//! The one trait every storage backend implements. Every method is one atomic state
//! change (a SQLite transaction, a Redis Lua script); times are passed in so the
//! semantics do not depend on the backend's clock.

use std::future::Future;
use std::time::Duration;

use crate::job::{
    DeadSelect, Enqueued, FailOutcome, Job, JobId, Lease, Millis, NewJob, QueueStats, Retention,
};

/// Why a backend operation failed.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("stored job is malformed: {0}")]
    Corrupt(String),
    #[error("the queue backend has stopped")]
    Stopped,
    #[error("invalid job: {0}")]
    Invalid(String),
}

/// Storage and state transitions of jobs. Implemented by [`crate::SqliteBackend`]
/// and [`crate::RedisBackend`]; the conformance suite holds both to the same rules.
pub trait Backend: Send + Sync + 'static {
    /// Stores jobs, all or none. Returns, in order, each job's id and whether an
    /// existing job (same unique key while pending, or same idempotency key) was
    /// returned instead. Returns only once the jobs are durable.
    fn enqueue(
        &self,
        jobs: Vec<NewJob>,
        now: Millis,
    ) -> impl Future<Output = Result<Vec<Enqueued>, QueueError>> + Send;

    /// Leases up to `max` ready jobs of `queue` for `lease_ms`, counting an attempt
    /// on each. Before that: delayed jobs that are due become ready, pending jobs
    /// past their deadline are dead-lettered, and expired leases are returned
    /// (or dead-lettered when that was the last attempt). A paused queue yields none.
    /// Order: priority (high first), then deadline (earliest first, none last), then
    /// id; every [`crate::FAIR_EVERY`]th claim starts with the oldest ready job.
    fn claim(
        &self,
        queue: &str,
        max: usize,
        lease_ms: u64,
        now: Millis,
    ) -> impl Future<Output = Result<Vec<Job>, QueueError>> + Send;

    /// Extends a lease; false when the lease is no longer held.
    fn heartbeat(
        &self,
        lease: &Lease,
        lease_ms: u64,
        now: Millis,
    ) -> impl Future<Output = Result<bool, QueueError>> + Send;

    /// Marks the attempt successful; false when the lease is no longer held.
    fn complete(
        &self,
        lease: &Lease,
        now: Millis,
    ) -> impl Future<Output = Result<bool, QueueError>> + Send;

    /// Acks like [`complete`](Self::complete), then claims like [`claim`](Self::claim)
    /// on the lease's queue, in one round trip where the backend can. Returns whether
    /// the ack was accepted, and the new jobs.
    fn complete_and_claim(
        &self,
        lease: &Lease,
        max: usize,
        lease_ms: u64,
        now: Millis,
    ) -> impl Future<Output = Result<(bool, Vec<Job>), QueueError>> + Send {
        async move {
            let done = self.complete(lease, now).await?;
            let jobs = self.claim(&lease.queue, max, lease_ms, now).await?;
            Ok((done, jobs))
        }
    }

    /// Records a failed attempt; the job retries at `retry_at`, or is dead-lettered
    /// when that is `None`. `None` when the lease is no longer held.
    fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_at: Option<Millis>,
        now: Millis,
    ) -> impl Future<Output = Result<Option<FailOutcome>, QueueError>> + Send;

    /// Gives the job back unstarted (graceful shutdown): ready again, attempt not counted.
    fn release(
        &self,
        lease: &Lease,
        now: Millis,
    ) -> impl Future<Output = Result<bool, QueueError>> + Send;

    fn get(
        &self,
        queue: &str,
        id: JobId,
    ) -> impl Future<Output = Result<Option<Job>, QueueError>> + Send;

    fn stats(
        &self,
        queue: &str,
        now: Millis,
    ) -> impl Future<Output = Result<QueueStats, QueueError>> + Send;

    /// Names of queues that ever had a job.
    fn queues(&self) -> impl Future<Output = Result<Vec<String>, QueueError>> + Send;

    /// Dead jobs, most recently dead first.
    fn dead_list(
        &self,
        queue: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Job>, QueueError>> + Send;

    /// Makes selected dead jobs ready again with a fresh attempt count; returns how many.
    fn dead_retry(
        &self,
        queue: &str,
        select: &DeadSelect,
        now: Millis,
    ) -> impl Future<Output = Result<u64, QueueError>> + Send;

    /// Deletes selected dead jobs; returns how many.
    fn dead_purge(
        &self,
        queue: &str,
        select: &DeadSelect,
    ) -> impl Future<Output = Result<u64, QueueError>> + Send;

    fn set_paused(
        &self,
        queue: &str,
        paused: bool,
    ) -> impl Future<Output = Result<(), QueueError>> + Send;

    /// Deletes completed and dead jobs beyond the policy's counts or older than its
    /// age; returns how many.
    fn retain(
        &self,
        queue: &str,
        policy: &Retention,
        now: Millis,
    ) -> impl Future<Output = Result<u64, QueueError>> + Send;

    /// Enqueues `job` for cron schedule `schedule`'s tick `tick`, unless that tick
    /// (or a later one) was already fired by anyone: exactly once per tick however
    /// many schedulers run. Returns the job id when this call fired it.
    fn cron_fire(
        &self,
        schedule: &str,
        tick: Millis,
        job: NewJob,
        now: Millis,
    ) -> impl Future<Output = Result<Option<JobId>, QueueError>> + Send;

    /// Waits until `queue` may have work, or at most `timeout`.
    fn wait(&self, queue: &str, timeout: Duration) -> impl Future<Output = ()> + Send;
}
