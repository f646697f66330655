//! Redis crashes (SIGKILL) and restarts mid-run with AOF on (`appendfsync always`),
//! one server or one master of a Redis Cluster: while a producer enqueues and two
//! workers (each with its own connections, as two processes would have) process, the
//! server that owns the queue is killed and started again. The producer and the
//! workers reconnect by themselves, every acknowledged job runs at least once, none
//! is left pending or dead-lettered, and duplicate executions are counted.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use perfkit_queue::{
    now_ms, Backend, Backoff, Job, NewJob, Queue, RedisBackend, Worker, WorkerOptions,
};
use perfkit_testkit::{RedisCluster, RedisServer};
use tokio::sync::watch;

const QUEUE: &str = "jobs";
const BATCHES: usize = 40;
const PER_BATCH: usize = 10;
/// The batch after which the server is killed (the producer goes on meanwhile).
const RESTART_AFTER: usize = 12;
const WORKERS: usize = 2;

/// Runs the scenario; `connect` opens a backend (one per worker and one for the
/// producer), `restart` kills and restarts the queue's server (blocking).
async fn survives_a_restart<C, Fut, F>(connect: C, restart: F, what: &str)
where
    C: Fn() -> Fut,
    Fut: Future<Output = RedisBackend>,
    F: FnOnce() + Send + 'static,
{
    let ran = Arc::new(Mutex::new(Vec::new()));
    let options = WorkerOptions {
        concurrency: 4,
        lease: Duration::from_secs(1),
        ..WorkerOptions::default()
    };
    let (stop, stopped) = watch::channel(false);
    let mut workers = Vec::new();
    let mut reports = Vec::new();
    for _ in 0..WORKERS {
        let seen = ran.clone();
        let handler = move |job: Job| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(job.id);
                Ok(())
            }
        };
        let worker = Worker::new(connect().await, QUEUE, options.clone(), handler);
        reports.push(worker.report());
        workers.push(tokio::spawn(worker.run(stopped.clone())));
    }

    let backend = connect().await;
    let queue = Queue::new(backend.clone(), QUEUE);
    let mut acked = BTreeSet::new();
    let mut failed_attempts = 0;
    let mut restart = Some(restart);
    let mut restarting = None;
    for batch in 0..BATCHES {
        if batch == RESTART_AFTER {
            // Not awaited here: enqueues go on (and fail, then reconnect) meanwhile.
            restarting = Some(tokio::task::spawn_blocking(restart.take().unwrap()));
        }
        let jobs: Vec<NewJob> = (0..PER_BATCH)
            .map(|i| {
                queue
                    .job(format!("{batch}-{i}"))
                    .idempotency_key(format!("{batch}-{i}"))
                    .max_attempts(20)
                    .backoff(Backoff {
                        base_ms: 10,
                        max_ms: 50,
                        jitter: 0.0,
                    })
            })
            .collect();
        let limit = Instant::now() + Duration::from_secs(25);
        loop {
            match queue.enqueue_batch(jobs.clone()).await {
                Ok(ids) => {
                    acked.extend(ids.iter().map(|e| e.id));
                    break;
                }
                Err(err) => {
                    failed_attempts += 1;
                    assert!(Instant::now() < limit, "{what}: no reconnection: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    restarting.unwrap().await.unwrap();
    assert_eq!(acked.len(), BATCHES * PER_BATCH, "{what}: one id per job");

    // Every job reaches a final state within a bound.
    let limit = Instant::now() + Duration::from_secs(30);
    let stats = loop {
        if let Ok(stats) = backend.stats(QUEUE, now_ms()).await {
            if stats.ready + stats.delayed + stats.leased == 0 {
                break stats;
            }
            assert!(Instant::now() < limit, "{what}: jobs stuck: {stats:?}");
        }
        assert!(Instant::now() < limit, "{what}: stats unreachable");
        backend.wait(QUEUE, Duration::from_millis(50)).await;
    };
    stop.send(true).unwrap();
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(stats.completed, acked.len() as u64, "{what}: {stats:?}");
    assert_eq!(stats.dead, 0, "{what}: {stats:?}");

    let mut runs: BTreeMap<u64, usize> = BTreeMap::new();
    for id in ran.lock().unwrap().iter() {
        *runs.entry(*id).or_default() += 1;
    }
    let missing: Vec<_> = acked.iter().filter(|id| !runs.contains_key(id)).collect();
    assert!(
        missing.is_empty(),
        "{what}: acknowledged but never ran: {missing:?}"
    );
    let duplicates: usize = runs.values().map(|n| n - 1).sum();
    let retried: u64 = reports
        .iter()
        .map(|r| r.retried.load(std::sync::atomic::Ordering::Relaxed))
        .sum();
    // The handler never fails: a retry would be a connection error taken for a
    // job failure.
    assert_eq!(retried, 0, "{what}: connection errors counted as failures");
    println!(
        "{what}: {} acknowledged, {} executions, {duplicates} duplicate(s), \
         {failed_attempts} enqueue attempts failed while it was down",
        acked.len(),
        runs.values().sum::<usize>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_crash_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut redis = RedisServer::start_persistent(dir.path()).unwrap();
    let url = redis.url();
    let (back, is_back) = std::sync::mpsc::channel();
    let restart = move || {
        redis.restart().unwrap();
        // Keep the server alive until the test ends.
        back.send(redis).unwrap();
    };
    let connect = move || {
        let url = url.clone();
        async move { RedisBackend::connect(&url).await.unwrap() }
    };
    survives_a_restart(connect, restart, "redis").await;
    drop(is_back.recv().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_master_crash_loses_nothing_acknowledged() {
    let mut cluster = RedisCluster::start_durable().unwrap();
    let urls = cluster.urls();
    // The master that owns the queue's slot is the one killed.
    let owner = cluster.owner_of(&format!("{{q:{QUEUE}}}")).unwrap();
    let (back, is_back) = std::sync::mpsc::channel();
    let restart = move || {
        cluster.restart_node(owner).unwrap();
        back.send(cluster).unwrap();
    };
    // Seeds: the other masters first, so a client never depends on the killed one.
    let seeds: Vec<String> = (1..=3).map(|i| urls[(owner + i) % 3].clone()).collect();
    let connect = move || {
        let seeds = seeds.clone();
        async move { RedisBackend::connect_cluster(&seeds).await.unwrap() }
    };
    survives_a_restart(connect, restart, "redis cluster").await;
    drop(is_back.recv().unwrap());
}
