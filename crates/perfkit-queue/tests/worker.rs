//! The worker runtime against both backends: outcomes, concurrency, heartbeats,
//! timeouts and graceful shutdown. Waits poll the backend's stats until a condition
//! holds (bounded), never sleep for a fixed time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use perfkit_queue::{
    now_ms, Backend, Backoff, Handler, HandlerError, Job, JobState, NewJob, QueueStats,
    RedisBackend, SqliteBackend, Worker, WorkerOptions, WorkerReport,
};
use perfkit_testkit::{RedisCluster, RedisServer};
use tokio::sync::watch;

async fn until<B: Backend>(backend: &B, what: &str, check: impl Fn(&QueueStats) -> bool) {
    let limit = Instant::now() + Duration::from_secs(20);
    loop {
        let stats = backend.stats("q", now_ms()).await.unwrap();
        if check(&stats) {
            return;
        }
        assert!(
            Instant::now() < limit,
            "timed out waiting for {what}: {stats:?}"
        );
        backend.wait("q", Duration::from_millis(20)).await;
    }
}

/// Runs a worker on queue `q` until `check` holds, then stops it gracefully.
async fn run_until<B: Backend + Clone, H: Handler>(
    backend: &B,
    options: WorkerOptions,
    handler: H,
    what: &str,
    check: impl Fn(&QueueStats) -> bool,
) -> Arc<WorkerReport> {
    let (stop, stopped) = watch::channel(false);
    let worker = Worker::new(backend.clone(), "q", options, handler);
    let report = worker.report();
    let task = tokio::spawn(worker.run(stopped));
    until(backend, what, check).await;
    stop.send(true).unwrap();
    task.await.unwrap();
    report
}

fn options() -> WorkerOptions {
    WorkerOptions {
        concurrency: 3,
        lease: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
        grace: Duration::from_secs(5),
        ..WorkerOptions::default()
    }
}

fn quick_retries(job: NewJob) -> NewJob {
    job.backoff(Backoff {
        base_ms: 10,
        max_ms: 20,
        jitter: 0.5,
    })
}

async fn outcomes<B: Backend + Clone>(backend: B) {
    let jobs = ["ok", "flaky", "bad", "hopeless"]
        .map(|p| quick_retries(NewJob::new("q", p).max_attempts(3)))
        .to_vec();
    let ids = backend.enqueue(jobs, now_ms()).await.unwrap();
    let handler = |job: Job| async move {
        match &job.payload[..] {
            b"ok" => Ok(()),
            b"flaky" if job.attempts < 2 => Err(HandlerError::Retry("not yet".into())),
            b"flaky" => Ok(()),
            b"bad" => Err(HandlerError::Permanent("malformed".into())),
            _ => Err(HandlerError::Retry("always".into())),
        }
    };
    let (stop, stopped) = watch::channel(false);
    let worker = Worker::new(backend.clone(), "q", options(), handler);
    let report = worker.report();
    let running = tokio::spawn(worker.run(stopped));
    until(&backend, "2 completed, 2 dead", |s| {
        s.completed == 2 && s.dead == 2
    })
    .await;
    stop.send(true).unwrap();
    running.await.unwrap();
    let flaky = backend.get("q", ids[1].id).await.unwrap().unwrap();
    assert_eq!((flaky.state, flaky.attempts), (JobState::Completed, 2));
    let bad = backend.get("q", ids[2].id).await.unwrap().unwrap();
    assert_eq!(
        (bad.attempts, bad.errors[0].message.as_str()),
        (1, "malformed")
    );
    let hopeless = backend.get("q", ids[3].id).await.unwrap().unwrap();
    assert_eq!((hopeless.attempts, hopeless.errors.len()), (3, 3));
    assert_eq!(report.retried.load(Ordering::Relaxed), 3);
    assert_eq!(report.dead.load(Ordering::Relaxed), 2);
}

async fn concurrency_is_bounded<B: Backend + Clone>(backend: B) {
    let jobs = (0..12).map(|i| NewJob::new("q", format!("{i}"))).collect();
    backend.enqueue(jobs, now_ms()).await.unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (running.clone(), peak.clone());
    let handler = move |_job: Job| {
        let (r, p) = (r.clone(), p.clone());
        async move {
            let now = r.fetch_add(1, Ordering::SeqCst) + 1;
            p.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(30)).await;
            r.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        }
    };
    run_until(&backend, options(), handler, "all completed", |s| {
        s.completed == 12
    })
    .await;
    let peak = peak.load(Ordering::SeqCst);
    assert!((1..=3).contains(&peak), "peak concurrency {peak}");
}

async fn heartbeats_keep_long_jobs<B: Backend + Clone>(backend: B) {
    let id = backend
        .enqueue(vec![NewJob::new("q", "slow")], now_ms())
        .await
        .unwrap()[0]
        .id;
    let handler = |_job: Job| async {
        tokio::time::sleep(Duration::from_millis(900)).await;
        Ok(())
    };
    let options = WorkerOptions {
        lease: Duration::from_millis(300),
        ..options()
    };
    let report = run_until(&backend, options, handler, "completed", |s| {
        s.completed == 1
    })
    .await;
    let job = backend.get("q", id).await.unwrap().unwrap();
    assert_eq!((job.attempts, job.errors.len()), (1, 0), "{:?}", job.errors);
    assert_eq!(report.lost_leases.load(Ordering::Relaxed), 0);
}

async fn timeouts_fail_the_attempt<B: Backend + Clone>(backend: B) {
    let job = NewJob::new("q", "stuck")
        .timeout(Duration::from_millis(50))
        .max_attempts(1);
    let id = backend.enqueue(vec![job], now_ms()).await.unwrap()[0].id;
    let handler = |_job: Job| std::future::pending::<Result<(), HandlerError>>();
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(Worker::new(backend.clone(), "q", options(), handler).run(stopped));
    until(&backend, "dead", |s| s.dead == 1).await;
    stop.send(true).unwrap();
    task.await.unwrap();
    let job = backend.get("q", id).await.unwrap().unwrap();
    assert!(
        job.errors[0].message.contains("timed out"),
        "{:?}",
        job.errors
    );
}

async fn shutdown_finishes_or_returns_in_flight_jobs<B: Backend + Clone>(backend: B) {
    let ids = backend
        .enqueue(
            vec![NewJob::new("q", "quick"), NewJob::new("q", "forever")],
            now_ms(),
        )
        .await
        .unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let s = started.clone();
    let handler = move |job: Job| {
        let s = s.clone();
        async move {
            s.fetch_add(1, Ordering::SeqCst);
            if job.payload == b"quick" {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok(())
            } else {
                std::future::pending().await
            }
        }
    };
    let options = WorkerOptions {
        grace: Duration::from_millis(600),
        ..options()
    };
    let report = run_until(&backend, options, handler, "both leased", |s| s.leased == 2).await;
    assert_eq!(started.load(Ordering::SeqCst), 2);
    let quick = backend.get("q", ids[0].id).await.unwrap().unwrap();
    assert_eq!(
        quick.state,
        JobState::Completed,
        "finished within the grace period"
    );
    let forever = backend.get("q", ids[1].id).await.unwrap().unwrap();
    assert_eq!(
        (forever.state, forever.attempts),
        (JobState::Ready, 0),
        "returned"
    );
    assert_eq!(report.released.load(Ordering::Relaxed), 1);
}

async fn one_slot_chains_acks_and_claims<B: Backend + Clone>(backend: B) {
    let jobs = (0..20).map(|i| NewJob::new("q", format!("{i}"))).collect();
    backend.enqueue(jobs, now_ms()).await.unwrap();
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = order.clone();
    let handler = move |job: Job| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(job.id);
            Ok(())
        }
    };
    let options = WorkerOptions {
        concurrency: 1,
        ..options()
    };
    let report = run_until(&backend, options, handler, "all completed", |s| {
        s.completed == 20
    })
    .await;
    let order = order.lock().unwrap().clone();
    assert_eq!(order.len(), 20, "each job ran once: {order:?}");
    assert_eq!(report.completed.load(Ordering::Relaxed), 20);
}

/// One slot leases jobs ahead; handlers longer than a third of the lease make it give
/// the waiting jobs back (attempt not counted) instead of letting their leases expire.
async fn jobs_leased_ahead_go_back_when_handlers_run_long<B: Backend + Clone>(backend: B) {
    let jobs = (0..4).map(|i| NewJob::new("q", format!("{i}"))).collect();
    let ids = backend.enqueue(jobs, now_ms()).await.unwrap();
    let handler = |_job: Job| async {
        // The work itself: longer than the whole lease of a job left waiting.
        tokio::time::sleep(Duration::from_millis(700)).await;
        Ok(())
    };
    let options = WorkerOptions {
        concurrency: 1,
        lease: Duration::from_millis(600),
        ..options()
    };
    let report = run_until(&backend, options, handler, "all completed", |s| {
        s.completed == 4
    })
    .await;
    let mut attempts = Vec::new();
    for id in &ids {
        let job = backend.get("q", id.id).await.unwrap().unwrap();
        attempts.push((job.state, job.attempts, job.errors.len()));
    }
    assert_eq!(
        attempts,
        vec![(JobState::Completed, 1, 0); 4],
        "{attempts:?}"
    );
    assert_eq!(report.lost_leases.load(Ordering::Relaxed), 0);
    assert_eq!(report.completed.load(Ordering::Relaxed), 4);
}

/// Above concurrency 2 too, each slot leases jobs behind the one it runs, so a slot
/// never idles while its ack is being committed.
async fn many_slots_lease_ahead<B: Backend + Clone>(backend: B) {
    let jobs = (0..40).map(|i| NewJob::new("q", format!("{i}"))).collect();
    backend.enqueue(jobs, now_ms()).await.unwrap();
    let (go, gate) = watch::channel(false);
    let handler = move |_job: Job| {
        let mut gate = gate.clone();
        async move {
            let _ = gate.wait_for(|open| *open).await;
            Ok(())
        }
    };
    let options = WorkerOptions {
        concurrency: 4,
        ..options()
    };
    let (stop, stopped) = watch::channel(false);
    let worker = Worker::new(backend.clone(), "q", options, handler);
    let task = tokio::spawn(worker.run(stopped));
    // Four handlers hold their jobs; the slots have leased more behind them.
    until(&backend, "jobs leased ahead of 4 running handlers", |s| {
        s.leased > 4
    })
    .await;
    go.send(true).unwrap();
    until(&backend, "all completed", |s| s.completed == 40).await;
    stop.send(true).unwrap();
    task.await.unwrap();
}

/// `WorkerReport::until_completed` wakes when the worker's acks reach the count, and
/// by then every one of those jobs is completed in the backend (acks are committed
/// before they are counted).
async fn until_completed_wakes_on_the_last_ack<B: Backend + Clone>(backend: B) {
    let jobs = (0..60).map(|i| NewJob::new("q", format!("{i}"))).collect();
    backend.enqueue(jobs, now_ms()).await.unwrap();
    let handler = |_job: Job| async { Ok(()) };
    let (stop, stopped) = watch::channel(false);
    let worker = Worker::new(backend.clone(), "q", options(), handler);
    let report = worker.report();
    let task = tokio::spawn(worker.run(stopped));
    tokio::time::timeout(Duration::from_secs(30), report.until_completed(60))
        .await
        .expect("until_completed never woke");
    assert!(report.completed.load(Ordering::SeqCst) >= 60);
    let stats = backend.stats("q", now_ms()).await.unwrap();
    assert_eq!((stats.completed, stats.ready, stats.leased), (60, 0, 0));
    stop.send(true).unwrap();
    task.await.unwrap();
}

macro_rules! worker_tests {
    ($module:ident, $open:expr) => {
        mod $module {
            use super::*;
            worker_tests!(@each $open; outcomes, concurrency_is_bounded, heartbeats_keep_long_jobs,
                timeouts_fail_the_attempt, shutdown_finishes_or_returns_in_flight_jobs,
                one_slot_chains_acks_and_claims, jobs_leased_ahead_go_back_when_handlers_run_long,
                many_slots_lease_ahead, until_completed_wakes_on_the_last_ack);
        }
    };
    (@each $open:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (_keep, backend) = $open;
                super::$name(backend).await;
            }
        )*
    };
}

fn sqlite() -> (tempfile::TempDir, SqliteBackend) {
    let dir = tempfile::tempdir().unwrap();
    let backend = SqliteBackend::open(&dir.path().join("q.db")).unwrap();
    (dir, backend)
}

async fn redis() -> (RedisServer, RedisBackend) {
    let server = RedisServer::start().unwrap();
    let backend = RedisBackend::connect(&server.url()).await.unwrap();
    (server, backend)
}

async fn redis_cluster() -> (RedisCluster, RedisBackend) {
    let cluster = RedisCluster::start().unwrap();
    let backend = RedisBackend::connect_cluster(&cluster.urls())
        .await
        .unwrap();
    (cluster, backend)
}

worker_tests!(on_sqlite, sqlite());
worker_tests!(on_redis, redis().await);
worker_tests!(on_redis_cluster, redis_cluster().await);
