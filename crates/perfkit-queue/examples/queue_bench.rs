//! Queue throughput, one scenario per run, for `bench/queue-vs-bullmq.sh` and the
//! SQLite figures in BENCHMARKS.md:
//!
//!   queue_bench BACKEND SCENARIO JOBS
//!
//! BACKEND is `redis://HOST:PORT` or a SQLite file path. SCENARIO is one of
//! `add-one` (sequential single enqueues), `add-bulk-N` (sequential batches of N),
//! `add-concurrent-64` (64 producers enqueueing single jobs at once), and
//! `process-cN` (JOBS pre-filled, then one worker with concurrency N and a no-op
//! handler until all are acknowledged). Prints `SCENARIO JOBS SECONDS JOBS_PER_S`,
//! then per job over the timed phase: this process's CPU µs and, on Redis, Redis's
//! CPU µs, commands (those run inside scripts included) and scripts (round trips:
//! every call is one script) — costs that a busy machine hardly moves.
//!
//! The scenario runs in a spawned task, on a runtime worker thread, as a web
//! handler that enqueues does (not on `main`'s `block_on` thread, whose every
//! wake-up from the I/O driver is a hop from a worker thread).

use std::time::{Duration, Instant};

use perfkit_queue::{
    AnyBackend, BackendChoice, HandlerError, Job, NewJob, Queue, Retention, Worker, WorkerOptions,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    tokio::spawn(run(std::env::args().collect())).await?
}

async fn run(args: Vec<String>) -> Result<(), BoxError> {
    let [_, backend, scenario, jobs] = &args[..] else {
        return Err("usage: queue_bench BACKEND SCENARIO JOBS".into());
    };
    let jobs: usize = jobs.parse()?;
    let choice = if backend.starts_with("redis://") {
        BackendChoice::Redis(backend.clone())
    } else {
        BackendChoice::Sqlite(backend.into())
    };
    let redis_url = backend.starts_with("redis://").then(|| backend.clone());
    let backend = AnyBackend::open(&choice).await?;
    let queue = Queue::new(backend.clone(), "bench");
    let payload = br#"{"foo":"bar"}"#.to_vec();
    let job = |queue: &Queue<AnyBackend>| queue.job(payload.clone());
    let mut before = Costs::read(redis_url.as_deref()).await?;
    let mut ended = None;
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
            // Pre-filled in batches of 1000, or of $QUEUE_BENCH_FILL_CHUNK (smaller
            // batches keep each script short when Redis runs under valgrind).
            let fill: usize = std::env::var("QUEUE_BENCH_FILL_CHUNK")
                .ok()
                .and_then(|chunk| chunk.parse().ok())
                .unwrap_or(1000);
            for chunk in (0..jobs).collect::<Vec<_>>().chunks(fill.max(1)) {
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
            before = Costs::read(redis_url.as_deref()).await?;
            let start = Instant::now();
            let running = tokio::spawn(worker.run(stopped));
            // Woken by the worker's last ack: polling here would add instructions
            // per job that grow with the run's wall time (most under callgrind).
            report.until_completed(jobs as u64).await;
            let elapsed = start.elapsed();
            let after = Costs::read(redis_url.as_deref()).await?;
            let _ = stop.send(true);
            ended = Some(after);
            running.await?;
            elapsed
        }
        other => return Err(format!("unknown scenario `{other}`").into()),
    }
    .as_secs_f64();
    let after = match ended {
        Some(after) => after,
        None => Costs::read(redis_url.as_deref()).await?,
    };
    let per_job = |a: f64, b: f64| (a - b) / jobs as f64;
    let redis = match (after.redis, before.redis) {
        (Some(a), Some(b)) => format!(
            "{:.1} {:.2} {:.3}",
            per_job(a.cpu_us, b.cpu_us),
            per_job(a.commands, b.commands),
            per_job(a.scripts, b.scripts)
        ),
        _ => "- - -".into(),
    };
    println!(
        "{scenario} {jobs} {seconds:.3} {:.0} {:.1} {redis}",
        jobs as f64 / seconds,
        per_job(after.client_cpu_us, before.client_cpu_us),
    );
    Ok(())
}

/// Counters read before and after the timed phase.
struct Costs {
    client_cpu_us: f64,
    redis: Option<RedisCosts>,
}

#[derive(Clone, Copy)]
struct RedisCosts {
    cpu_us: f64,
    commands: f64,
    scripts: f64,
}

impl Costs {
    async fn read(redis_url: Option<&str>) -> Result<Costs, BoxError> {
        // utime and stime, in clock ticks (100 per second on Linux).
        let stat = std::fs::read_to_string("/proc/self/stat")?;
        let fields: Vec<&str> = stat.rsplit_once(')').ok_or("stat")?.1.split(' ').collect();
        let ticks: f64 = fields[12].parse::<f64>()? + fields[13].parse::<f64>()?;
        let redis = match redis_url {
            Some(url) => {
                let mut conn = redis::Client::open(url)?
                    .get_multiplexed_async_connection()
                    .await?;
                let info: String = redis::cmd("INFO").arg("all").query_async(&mut conn).await?;
                let field = |name: &str| -> f64 {
                    info.lines()
                        .find_map(|l| l.strip_prefix(name))
                        .and_then(|v| v.split(',').next())
                        .and_then(|v| v.trim().trim_start_matches("calls=").parse().ok())
                        .unwrap_or(0.0)
                };
                Some(RedisCosts {
                    cpu_us: (field("used_cpu_user:") + field("used_cpu_sys:")) * 1e6,
                    commands: field("total_commands_processed:"),
                    scripts: field("cmdstat_evalsha:") + field("cmdstat_eval:"),
                })
            }
            None => None,
        };
        Ok(Costs {
            client_cpu_us: ticks * 10_000.0,
            redis,
        })
    }
}
