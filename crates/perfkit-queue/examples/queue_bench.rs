//! Queue throughput, one scenario per run, for `bench/queue-vs-bullmq.sh` and the
//! SQLite figures in BENCHMARKS.md:
//!
//!   queue_bench BACKEND SCENARIO JOBS
//!
//! BACKEND is `redis://HOST:PORT` or a SQLite file path. SCENARIO is one of
//! `add-one` (sequential single enqueues), `add-bulk-N` (sequential batches of N),
//! `add-concurrent-64` (64 producers enqueueing single jobs at once), and
//! `process-cN` (JOBS pre-filled, then one worker with concurrency N and a no-op
//! handler until all are acknowledged). Prints `SCENARIO JOBS SECONDS JOBS_PER_S`.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use perfkit_queue::{
    AnyBackend, BackendChoice, HandlerError, Job, NewJob, Queue, Retention, Worker, WorkerOptions,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, backend, scenario, jobs] = &args[..] else {
        return Err("usage: queue_bench BACKEND SCENARIO JOBS".into());
    };
    let jobs: usize = jobs.parse()?;
    let choice = if backend.starts_with("redis://") {
        BackendChoice::Redis(backend.clone())
    } else {
        BackendChoice::Sqlite(backend.into())
    };
    let backend = AnyBackend::open(&choice).await?;
    let queue = Queue::new(backend.clone(), "bench");
    let payload = br#"{"foo":"bar"}"#.to_vec();
    let job = |queue: &Queue<AnyBackend>| queue.job(payload.clone());
    let seconds = match scenario.as_str() {
        "add-one" => {
            let start = Instant::now();
            for _ in 0..jobs {
                queue.enqueue(job(&queue)).await?;
            }
            start.elapsed()
        }
        bulk if bulk.starts_with("add-bulk-") => {
            let size: usize = bulk["add-bulk-".len()..].parse()?;
            let start = Instant::now();
            for _ in 0..jobs.div_ceil(size) {
                queue
                    .enqueue_batch((0..size).map(|_| job(&queue)).collect())
                    .await?;
            }
            start.elapsed()
        }
        "add-concurrent-64" => {
            let start = Instant::now();
            let mut tasks = tokio::task::JoinSet::new();
            for producer in 0..64 {
                let queue = queue.clone();
                let payload = payload.clone();
                let share = jobs / 64 + usize::from(producer < jobs % 64);
                tasks.spawn(async move {
                    for _ in 0..share {
                        queue.enqueue(queue.job(payload.clone())).await?;
                    }
                    Ok::<_, perfkit_queue::QueueError>(())
                });
            }
            while let Some(done) = tasks.join_next().await {
                done??;
            }
            start.elapsed()
        }
        process if process.starts_with("process-c") => {
            let concurrency: usize = process["process-c".len()..].parse()?;
            for chunk in (0..jobs).collect::<Vec<_>>().chunks(1000) {
                let batch: Vec<NewJob> = chunk.iter().map(|_| job(&queue)).collect();
                queue.enqueue_batch(batch).await?;
            }
            let options = WorkerOptions {
                concurrency,
                retention: Retention {
                    completed: u64::MAX / 2,
                    ..Retention::default()
                },
                retention_every: Duration::from_secs(3600),
                ..WorkerOptions::default()
            };
            let handler = |_job: Job| async { Ok::<(), HandlerError>(()) };
            let worker = Worker::new(backend.clone(), "bench", options, handler);
            let report = worker.report();
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let start = Instant::now();
            let running = tokio::spawn(worker.run(stopped));
            while report.completed.load(Ordering::Relaxed) < jobs as u64 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let elapsed = start.elapsed();
            let _ = stop.send(true);
            running.await?;
            elapsed
        }
        other => return Err(format!("unknown scenario `{other}`").into()),
    }
    .as_secs_f64();
    println!(
        "{scenario} {jobs} {seconds:.3} {:.0}",
        jobs as f64 / seconds
    );
    Ok(())
}
