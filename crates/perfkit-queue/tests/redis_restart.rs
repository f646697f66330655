//! Redis crashes (SIGKILL) and restarts mid-run with AOF on: the worker and the
//! producer reconnect by themselves and nothing acknowledged is lost.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use perfkit_queue::{
    now_ms, Backend, Backoff, Job, NewJob, Queue, RedisBackend, Worker, WorkerOptions,
};
use perfkit_testkit::RedisServer;
use tokio::sync::watch;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_crash_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut redis = RedisServer::start_persistent(dir.path()).unwrap();
    let backend = RedisBackend::connect(&redis.url()).await.unwrap();
    let ran = Arc::new(Mutex::new(Vec::new()));
    let seen = ran.clone();
    let handler = move |job: Job| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(job.id);
            Ok(())
        }
    };
    let options = WorkerOptions {
        lease: Duration::from_secs(1),
        ..WorkerOptions::default()
    };
    let (stop, stopped) = watch::channel(false);
    let worker = tokio::spawn(Worker::new(backend.clone(), "jobs", options, handler).run(stopped));

    let queue = Queue::new(backend.clone(), "jobs");
    let mut acked = BTreeSet::new();
    let mut failed_attempts = 0;
    for batch in 0..40 {
        if batch == 15 {
            let restart = tokio::task::spawn_blocking(move || {
                redis.restart().unwrap();
                redis
            });
            redis = restart.await.unwrap();
        }
        let jobs: Vec<NewJob> = (0..10)
            .map(|i| {
                queue
                    .job(format!("{batch}-{i}"))
                    .idempotency_key(format!("{batch}-{i}"))
                    .backoff(Backoff {
                        base_ms: 10,
                        max_ms: 50,
                        jitter: 0.0,
                    })
            })
            .collect();
        let limit = Instant::now() + Duration::from_secs(20);
        loop {
            match queue.enqueue_batch(jobs.clone()).await {
                Ok(ids) => {
                    acked.extend(ids.iter().map(|e| e.id));
                    break;
                }
                Err(err) => {
                    failed_attempts += 1;
                    assert!(Instant::now() < limit, "no reconnection: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    assert_eq!(acked.len(), 400);
    let limit = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(stats) = backend.stats("jobs", now_ms()).await {
            if stats.ready + stats.delayed + stats.leased == 0 {
                assert_eq!(stats.completed, 400, "{stats:?}");
                break;
            }
        }
        assert!(Instant::now() < limit, "jobs stuck after the restart");
        backend.wait("jobs", Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    worker.await.unwrap();
    let ran: BTreeSet<u64> = ran.lock().unwrap().iter().copied().collect();
    let missing: Vec<_> = acked.difference(&ran).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but never ran: {missing:?}"
    );
    println!("redis restart: 400 acknowledged, {failed_attempts} enqueue attempts failed while it was down");
}
