//! Crash test of the job queue, per backend (SQLite, Redis, Redis Cluster): jobs are enqueued through the HTTP API
//! (itself killed with SIGKILL and restarted mid-run; batches are retried with their
//! idempotency key), several `perfkit worker` processes whose command handler appends
//! each execution to a file are killed with SIGKILL at random moments and restarted.
//! In the end every acknowledged job ran at least once and none is left pending;
//! duplicate executions (expected: at-least-once) are counted and printed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use perfkit_testkit::{free_port, Client, Executions, RedisCluster, RedisServer};
use serde_json::Value;
use support::{perfkit_in as perfkit, Logged};

mod support;

const TOKEN: &str = "crash-token";
const BATCHES: usize = 30;
const PER_BATCH: usize = 10;
const WORKERS: usize = 3;

struct Setup {
    dir: tempfile::TempDir,
    queues: PathBuf,
    runs: PathBuf,
    api: String,
    port: u16,
}

fn setup(backend: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs.log");
    let port = free_port();
    let queues = dir.path().join("queues.yml");
    let yaml = format!(
        "backend:\n  {backend}\napi:\n  token: {TOKEN}\nqueues:\n  crash:\n    concurrency: 4\n    lease: 1s\n\
         \x20   max_attempts: 100\n    backoff: {{base: 10ms, max: 100ms, jitter: 0.5}}\n\
         \x20   command: [sh, -c, 'cat > /dev/null; echo \"$PERFKIT_JOB_ID\" >> {}']\n",
        runs.display()
    );
    std::fs::write(&queues, yaml).unwrap();
    Setup {
        api: format!("http://127.0.0.1:{port}"),
        dir,
        queues,
        runs,
        port,
    }
}

/// The queue API, ready once it says it listens (printed whatever the log level).
async fn start_api(s: &Setup) -> Logged {
    let listen = format!("127.0.0.1:{}", s.port);
    let queues = s.queues.to_str().unwrap();
    let mut api = Logged::spawn(&mut perfkit(
        s.dir.path(),
        &["queue", "--queues", queues, "serve", "--listen", &listen],
    ));
    api.wait_for_line(|l| l.starts_with("queue API listening on"))
        .await;
    api
}

fn start_worker(s: &Setup) -> Child {
    perfkit(
        s.dir.path(),
        &["worker", "--queues", s.queues.to_str().unwrap()],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap()
}

async fn call(
    client: &Client,
    method: Method,
    url: &str,
    key: Option<&str>,
    body: &str,
) -> Result<(u16, Value), String> {
    let auth = format!("Bearer {TOKEN}");
    let mut headers = vec![("authorization", auth.as_str())];
    if let Some(key) = key {
        headers.push(("idempotency-key", key));
    }
    let reply = client
        .request(method, url, &headers, body.to_owned())
        .await?;
    let value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    Ok((reply.status.as_u16(), value))
}

fn crash_test(backend: &str) {
    let s = setup(backend);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = Client::http1();
    let mut api = runtime.block_on(start_api(&s));
    let mut workers: Vec<Child> = (0..WORKERS).map(|_| start_worker(&s)).collect();

    // Chaos: SIGKILL a random worker every 150-500 ms and restart it, while enqueuing.
    let enqueuing = Arc::new(AtomicBool::new(true));
    let mut kills = 0;
    let mut api_killed = false;
    let acked: BTreeSet<u64> = std::thread::scope(|scope| {
        let producer = scope.spawn(|| {
            let acked = runtime.block_on(async {
                let mut acked = BTreeSet::new();
                for batch in 0..BATCHES {
                    let jobs: Vec<Value> = (0..PER_BATCH)
                        .map(|i| serde_json::json!({ "payload": { "batch": batch, "n": i } }))
                        .collect();
                    let body = serde_json::json!({ "jobs": jobs }).to_string();
                    let key = format!("batch-{batch}");
                    let url = format!("{}/queues/crash/jobs", s.api);
                    let limit = Instant::now() + Duration::from_secs(30);
                    // Retry until acknowledged: the API may be down or killed mid-request.
                    loop {
                        match call(&client, Method::POST, &url, Some(&key), &body).await {
                            Ok((201, reply)) => {
                                for job in reply["jobs"].as_array().unwrap() {
                                    acked.insert(job["id"].as_u64().unwrap());
                                }
                                break;
                            }
                            other => {
                                assert!(
                                    Instant::now() < limit,
                                    "batch {batch} never acknowledged: {other:?}"
                                );
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
                acked
            });
            enqueuing.store(false, Ordering::SeqCst);
            acked
        });
        let chaos_end = Instant::now() + Duration::from_secs(6);
        while enqueuing.load(Ordering::SeqCst) || Instant::now() < chaos_end {
            std::thread::sleep(Duration::from_millis(fastrand::u64(150..500)));
            let victim = fastrand::usize(..WORKERS);
            workers[victim].kill().unwrap();
            workers[victim].wait().unwrap();
            workers[victim] = start_worker(&s);
            kills += 1;
            if !api_killed && kills == 3 {
                // Killed, and restarted while the producer keeps retrying.
                api.child.kill().unwrap();
                api.child.wait().unwrap();
                api = runtime.block_on(start_api(&s));
                api_killed = true;
            }
        }
        producer.join().unwrap()
    });
    assert_eq!(
        acked.len(),
        BATCHES * PER_BATCH,
        "every batch acknowledged, no id twice"
    );

    // Let the surviving workers drain the queue.
    let limit = Instant::now() + Duration::from_secs(60);
    let stats = runtime.block_on(async {
        loop {
            let url = format!("{}/queues/crash/stats", s.api);
            if let Ok((200, stats)) = call(&client, Method::GET, &url, None, "").await {
                let pending = ["ready", "delayed", "leased"]
                    .iter()
                    .map(|k| stats[k].as_u64().unwrap())
                    .sum::<u64>();
                if pending == 0 {
                    return stats;
                }
                assert!(Instant::now() < limit, "jobs stuck: {stats}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    for worker in &mut workers {
        // The shell's own `kill`: no dependency on procps.
        let _ = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", worker.id())])
            .status();
        worker.wait().unwrap();
    }
    drop(api);

    let runs = Executions::read(&s.runs).unwrap();
    let missing = runs.missing(&acked);
    assert!(
        missing.is_empty(),
        "acknowledged jobs that never ran: {missing:?}"
    );
    println!(
        "{backend}: {} jobs acknowledged, {} executions, {} duplicate(s), {kills} worker kills, API killed once",
        acked.len(),
        runs.total(),
        runs.duplicates()
    );
    assert_eq!(
        stats["completed"].as_u64(),
        Some(acked.len() as u64),
        "{stats}"
    );
    assert_eq!(stats["dead"].as_u64(), Some(0), "{stats}");
}

#[test]
fn sqlite_survives_sigkilled_workers_and_api() {
    crash_test("sqlite: queue.db");
}

#[test]
fn redis_survives_sigkilled_workers_and_api() {
    let redis = RedisServer::start().unwrap();
    crash_test(&format!("redis: {}", redis.url()));
}

#[test]
fn redis_cluster_survives_sigkilled_workers_and_api() {
    let cluster = RedisCluster::start().unwrap();
    crash_test(&format!("redis_cluster: [{}]", cluster.urls().join(", ")));
}
