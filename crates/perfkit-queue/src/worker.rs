//! The worker runtime: claims jobs of one queue in batches, runs an async handler on
//! each with per-queue concurrency, an optional rate limit and a per-attempt timeout,
//! extends leases by heartbeat while a handler runs, and acks, retries (backoff with
//! jitter) or dead-letters by the outcome. On shutdown it stops claiming, lets running
//! handlers finish for a grace period, then gives the unfinished jobs back.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;

use crate::backend::Backend;
use crate::job::{now_ms, FailOutcome, Job, Lease, Millis, Retention};
use crate::metrics::{Metrics, QueueMetrics};

/// Jobs a slot leases at once (see `Worker::run`).
const AHEAD: usize = 8;

/// Why a handler did not finish its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerError {
    /// Try again later (after backoff), unless attempts are used up.
    Retry(String),
    /// Do not retry: dead-letter now.
    Permanent(String),
}

/// Runs one job. Implemented for any `Fn(Job) -> impl Future<Output = Result<(), HandlerError>>`.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, job: Job) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

impl<F, Fut> Handler for F
where
    F: Fn(Job) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
{
    fn handle(&self, job: Job) -> impl Future<Output = Result<(), HandlerError>> + Send {
        self(job)
    }
}

/// How a worker runs one queue.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Handlers running at once.
    pub concurrency: usize,
    /// Lease length; renewed every third of it while the handler runs.
    pub lease: Duration,
    /// Attempt time limit for jobs that set none.
    pub timeout: Duration,
    /// Jobs started per second by this worker, at most.
    pub rate_limit: Option<f64>,
    /// How long running handlers may finish after shutdown is asked.
    pub grace: Duration,
    /// Finished jobs kept; applied every `retention_every`.
    pub retention: Retention,
    pub retention_every: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: 4,
            lease: Duration::from_secs(30),
            timeout: Duration::from_secs(60),
            rate_limit: None,
            grace: Duration::from_secs(10),
            retention: Retention::default(),
            retention_every: Duration::from_secs(30),
        }
    }
}

/// What a worker did, counted over its run.
#[derive(Debug)]
pub struct WorkerReport {
    /// Jobs whose ack was committed.
    pub completed: AtomicU64,
    pub retried: AtomicU64,
    pub dead: AtomicU64,
    pub released: AtomicU64,
    pub lost_leases: AtomicU64,
    /// The `completed` count [`WorkerReport::until_completed`] waits for.
    target: AtomicU64,
    reached: Notify,
}

impl Default for WorkerReport {
    fn default() -> Self {
        WorkerReport {
            completed: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            dead: AtomicU64::new(0),
            released: AtomicU64::new(0),
            lost_leases: AtomicU64::new(0),
            target: AtomicU64::new(u64::MAX),
            reached: Notify::new(),
        }
    }
}

impl WorkerReport {
    fn add_completed(&self) {
        // SeqCst pairs with `until_completed`: either it sees this count or this sees
        // its target (a notification without a waiter is kept for the next wait).
        let completed = self.completed.fetch_add(1, Ordering::SeqCst) + 1;
        if completed >= self.target.load(Ordering::SeqCst) {
            self.reached.notify_one();
        }
    }

    /// Resolves once at least `n` jobs were completed (acked) by this worker, without
    /// polling. Meant for one waiter at a time: a second call moves the target.
    pub async fn until_completed(&self, n: u64) {
        self.target.store(n, Ordering::SeqCst);
        while self.completed.load(Ordering::SeqCst) < n {
            self.reached.notified().await;
        }
        self.target.store(u64::MAX, Ordering::SeqCst);
    }
}

/// Processes jobs of one queue until told to stop.
#[derive(Debug)]
pub struct Worker<B, H> {
    backend: B,
    queue: String,
    options: WorkerOptions,
    handler: Arc<H>,
    metrics: Metrics,
    report: Arc<WorkerReport>,
}

impl<B: Backend + Clone, H: Handler> Worker<B, H> {
    pub fn new(backend: B, queue: impl Into<String>, options: WorkerOptions, handler: H) -> Self {
        Worker {
            backend,
            queue: queue.into(),
            options,
            handler: Arc::new(handler),
            metrics: Metrics::new(),
            report: Arc::new(WorkerReport::default()),
        }
    }

    /// Records into `metrics` (shared with the API or other workers of the process).
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    pub fn report(&self) -> Arc<WorkerReport> {
        self.report.clone()
    }

    /// Runs until `stop` turns true, then shuts down gracefully.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let concurrency = self.options.concurrency.max(1);
        let slots = Arc::new(Semaphore::new(concurrency));
        let (abandon_tx, abandon) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut limiter = self.options.rate_limit.map(RateLimiter::new);
        let mut last_retention = Instant::now();
        let mut backend_errors = 0u32;
        let metrics = self.metrics.queue(&self.queue);
        loop {
            if *stop.borrow() {
                break;
            }
            while tasks.try_join_next().is_some() {}
            if last_retention.elapsed() >= self.options.retention_every {
                last_retention = Instant::now();
                if let Err(err) = self
                    .backend
                    .retain(&self.queue, &self.options.retention, now_ms())
                    .await
                {
                    tracing::warn!(queue = %self.queue, error = %err, "retention failed");
                }
            }
            let free = slots.available_permits();
            if free == 0 {
                tokio::select! {
                    _ = tasks.join_next() => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            // Without a rate limit, each slot leases up to AHEAD jobs, acks all but
            // its last without waiting for the reply (the acks are pipelined while the
            // next job runs), and acks its last together with leasing the next batch
            // (`Backend::complete_and_claim`): a handful of round trips per batch
            // instead of one per job, and a slot never sits idle waiting for its ack
            // to be committed (on SQLite that wait is an fsync; with one job per slot
            // it capped throughput at concurrency ÷ two commit latencies). A slot
            // whose handler runs long (a heartbeat is due) gives its waiting jobs back
            // at once, and one that stops gives them back unstarted. The cost: up to
            // AHEAD × concurrency jobs are leased by one worker while others may idle.
            let ahead = limiter.is_none();
            let mut want = if ahead { free * AHEAD } else { free };
            if let Some(limiter) = limiter.as_mut() {
                match limiter.take(want) {
                    Ok(granted) => want = granted,
                    Err(wait) => {
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = stop.changed() => {}
                        }
                        continue;
                    }
                }
            }
            let lease_ms = self.options.lease.as_millis() as u64;
            let jobs = match self
                .backend
                .claim(&self.queue, want, lease_ms, now_ms())
                .await
            {
                Ok(jobs) => {
                    backend_errors = 0;
                    jobs
                }
                Err(err) => {
                    backend_errors += 1;
                    tracing::warn!(queue = %self.queue, error = %err, "claim failed; retrying");
                    let pause = Duration::from_millis(100 * u64::from(backend_errors.min(20)));
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
            };
            if let Some(limiter) = limiter.as_mut() {
                limiter.refund(want - jobs.len());
            }
            if jobs.is_empty() {
                tokio::select! {
                    _ = self.backend.wait(&self.queue, Duration::from_secs(1)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let per_slot = jobs.len().div_ceil(free);
            let mut jobs = jobs.into_iter().peekable();
            while jobs.peek().is_some() {
                let batch: VecDeque<Job> = jobs.by_ref().take(per_slot).collect();
                let permit = slots
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                let run = Arc::new(RunJob {
                    backend: self.backend.clone(),
                    handler: self.handler.clone(),
                    metrics: metrics.clone(),
                    report: self.report.clone(),
                    options: self.options.clone(),
                });
                let (abandon, stop) = (abandon.clone(), stop.clone());
                tasks.spawn(async move {
                    run.slot(batch, ahead, abandon, stop).await;
                    drop(permit);
                });
            }
        }
        // Graceful shutdown: no more claims; running handlers get the grace period.
        let grace = tokio::time::sleep(self.options.grace);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                next = tasks.join_next() => if next.is_none() { return },
                _ = &mut grace => break,
            }
        }
        let _ = abandon_tx.send(true);
        while tasks.join_next().await.is_some() {}
    }
}

/// Resolves once the flag is true (or its sender is gone).
pub(crate) async fn turned_true(flag: &mut watch::Receiver<bool>) {
    let _ = flag.wait_for(|value| *value).await;
}

struct RunJob<B, H> {
    backend: B,
    handler: Arc<H>,
    /// The worker's queue's collectors (every job a worker runs is of its queue).
    metrics: QueueMetrics,
    report: Arc<WorkerReport>,
    options: WorkerOptions,
}

enum Ending {
    Finished(Result<(), HandlerError>),
    Abandoned,
    LeaseLost,
}

impl<B: Backend, H: Handler> RunJob<B, H> {
    /// Runs `jobs` one after the other (one slot). With `ahead`, the slot also leases
    /// the next batch together with its last ack, and acks the others without waiting.
    async fn slot(
        self: Arc<Self>,
        mut jobs: VecDeque<Job>,
        ahead: bool,
        abandon: watch::Receiver<bool>,
        stop: watch::Receiver<bool>,
    ) {
        let lease_ms = self.options.lease.as_millis() as u64;
        let mut acks = JoinSet::new();
        let mut leased_at = Instant::now();
        let mut first = true;
        while let Some(job) = jobs.pop_front() {
            // The slot's first job runs even if stopping has begun (it was handed to
            // this slot as running); jobs leased ahead go back unstarted.
            if (!first && *stop.borrow()) || *abandon.borrow() {
                self.record(&job, Ending::Abandoned).await;
                continue;
            }
            first = false;
            if leased_at.elapsed() >= self.options.lease / 3 {
                // Waiting jobs' leases are a third gone: renew them before going on.
                leased_at = Instant::now();
                if !self.renew(&job, lease_ms).await {
                    continue;
                }
                for waiting in std::mem::take(&mut jobs) {
                    if self.renew(&waiting, lease_ms).await {
                        jobs.push_back(waiting);
                    }
                }
            }
            match self.attempt(&job, abandon.clone(), &mut jobs).await {
                Ending::Finished(Ok(())) if ahead && jobs.is_empty() && !*stop.borrow() => {
                    let chained = self
                        .backend
                        .complete_and_claim(&job.lease(), AHEAD, lease_ms, now_ms())
                        .await;
                    match chained {
                        Ok((done, next)) => {
                            if done {
                                self.completed();
                            }
                            leased_at = Instant::now();
                            jobs.extend(next);
                        }
                        Err(_) => self.record(&job, Ending::Finished(Ok(()))).await,
                    }
                }
                Ending::Finished(Ok(())) if !jobs.is_empty() => {
                    // Ack in the background (pipelined with the next job), a bounded
                    // number at a time.
                    if acks.len() >= AHEAD {
                        acks.join_next().await;
                    }
                    let run = self.clone();
                    acks.spawn(async move { run.record(&job, Ending::Finished(Ok(()))).await });
                }
                ending => self.record(&job, ending).await,
            }
        }
        while acks.join_next().await.is_some() {}
    }

    /// Extends a waiting job's lease; false (and counted) when it was lost.
    async fn renew(&self, job: &Job, lease_ms: u64) -> bool {
        match self
            .backend
            .heartbeat(&job.lease(), lease_ms, now_ms())
            .await
        {
            Ok(false) => {
                tracing::warn!(queue = %job.queue, id = job.id, "lease lost before the job started");
                self.report.lost_leases.fetch_add(1, Ordering::Relaxed);
                false
            }
            // Unreachable backend: try the job; its ack will say whether it counted.
            Ok(true) | Err(_) => true,
        }
    }

    /// Runs one attempt of `job`, renewing its lease while the handler runs. If the
    /// handler outlasts a third of the lease, the slot's `waiting` jobs are given back.
    async fn attempt(
        &self,
        job: &Job,
        mut abandon: watch::Receiver<bool>,
        waiting: &mut VecDeque<Job>,
    ) -> Ending {
        let lease = job.lease();
        let started = now_ms();
        self.metrics
            .wait
            .observe(((started - job.run_at) as f64 / 1000.0).max(0.0));
        let timeout = job
            .timeout_ms
            .map(Duration::from_millis)
            .unwrap_or(self.options.timeout);
        let lease_ms = self.options.lease.as_millis() as u64;
        let clock = Instant::now();
        let ending = {
            let handler = tokio::time::timeout(timeout, self.handler.handle(job.clone()));
            tokio::pin!(handler);
            // The first beat is a third of the lease away. `biased`: the handler is
            // polled first, so one that finishes at once never registers a timer.
            let third = self.options.lease / 3;
            let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + third, third);
            loop {
                tokio::select! {
                    biased;
                    result = &mut handler => break Ending::Finished(match result {
                        Ok(result) => result,
                        Err(_) => Err(HandlerError::Retry(format!(
                            "timed out after {}", humantime::format_duration(timeout)
                        ))),
                    }),
                    _ = turned_true(&mut abandon) => break Ending::Abandoned,
                    _ = beat.tick() => {
                        for job in waiting.drain(..) {
                            self.record(&job, Ending::Abandoned).await;
                        }
                        match self.backend.heartbeat(&lease, lease_ms, now_ms()).await {
                            Ok(true) => {}
                            Ok(false) => break Ending::LeaseLost,
                            Err(err) => tracing::warn!(error = %err, "heartbeat failed"),
                        }
                    }
                }
            }
        };
        self.metrics.run.observe(clock.elapsed().as_secs_f64());
        ending
    }

    fn completed(&self) {
        self.report.add_completed();
        self.metrics.completed.inc();
    }

    /// Records how an attempt ended.
    async fn record(&self, job: &Job, ending: Ending) {
        let queue = &job.queue;
        let lease = job.lease();
        match ending {
            Ending::Finished(Ok(())) => {
                if let Some(Settled::Done) = self.settle(&lease, Settle::Complete).await {
                    self.completed();
                }
            }
            Ending::Finished(Err(error)) => {
                let (message, retry_at) = match error {
                    HandlerError::Retry(message) => (message, job.retry_at(now_ms())),
                    HandlerError::Permanent(message) => (message, None),
                };
                self.metrics.failed.inc();
                match self.settle(&lease, Settle::Fail(message, retry_at)).await {
                    Some(Settled::Failed(FailOutcome::Retrying { .. })) => {
                        self.report.retried.fetch_add(1, Ordering::Relaxed);
                        self.metrics.retried.inc();
                    }
                    Some(Settled::Failed(FailOutcome::Dead)) => {
                        self.report.dead.fetch_add(1, Ordering::Relaxed);
                        self.metrics.dead_lettered.inc();
                    }
                    _ => {}
                }
            }
            Ending::Abandoned => {
                if let Some(Settled::Done) = self.settle(&lease, Settle::Release).await {
                    self.report.released.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ending::LeaseLost => {
                tracing::warn!(queue = %queue, id = job.id, "lease lost; the job runs elsewhere");
                self.report.lost_leases.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Records an outcome, retrying while the backend is unreachable (up to the lease
    /// length: after that the lease has expired and the job runs again anyway).
    /// `None` when the lease was no longer held or the backend stayed unreachable.
    async fn settle(&self, lease: &Lease, settle: Settle) -> Option<Settled> {
        let give_up = Instant::now() + self.options.lease;
        loop {
            let result = match &settle {
                Settle::Complete => self
                    .backend
                    .complete(lease, now_ms())
                    .await
                    .map(|held| held.then_some(Settled::Done)),
                Settle::Release => self
                    .backend
                    .release(lease, now_ms())
                    .await
                    .map(|held| held.then_some(Settled::Done)),
                Settle::Fail(message, retry_at) => self
                    .backend
                    .fail(lease, message, *retry_at, now_ms())
                    .await
                    .map(|outcome| outcome.map(Settled::Failed)),
            };
            match result {
                Ok(value) => return value,
                Err(err) if Instant::now() < give_up => {
                    tracing::warn!(error = %err, "recording a job outcome failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(err) => {
                    tracing::error!(error = %err, "giving up recording a job outcome; the lease will expire");
                    return None;
                }
            }
        }
    }
}

enum Settle {
    Complete,
    Fail(String, Option<Millis>),
    Release,
}

enum Settled {
    Done,
    Failed(FailOutcome),
}

/// A token bucket: `rate` jobs per second, bursts up to one second's worth.
#[derive(Debug)]
struct RateLimiter {
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    fn new(rate: f64) -> RateLimiter {
        let rate = rate.max(0.001);
        RateLimiter {
            rate,
            tokens: rate.max(1.0),
            last: Instant::now(),
        }
    }

    /// Takes up to `want` tokens; when none is available, how long until one is.
    fn take(&mut self, want: usize) -> Result<usize, Duration> {
        let now = Instant::now();
        let burst = self.rate.max(1.0);
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(burst);
        self.last = now;
        let granted = (self.tokens.floor() as usize).min(want);
        if granted == 0 {
            return Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate));
        }
        self.tokens -= granted as f64;
        Ok(granted)
    }

    fn refund(&mut self, unused: usize) {
        self.tokens = (self.tokens + unused as f64).min(self.rate.max(1.0));
    }
}
