//! A Redis Cluster master SIGKILLed and restarted (AOF, `appendfsync always`) while
//! `perfkit queue serve` takes enqueues over HTTP and two `perfkit worker` processes
//! run a command handler that appends each execution to a file. Nothing is restarted
//! but Redis: the API and the workers reconnect by themselves. In the end every job
//! whose batch got a `201` ran at least once, none is pending or dead-lettered, and
//! duplicate executions are counted and printed.

use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use http::Method;
use perfkit_testkit::{free_port, Client, Executions, RedisCluster};
use serde_json::Value;
use support::{perfkit_in, Logged};

mod support;

const TOKEN: &str = "restart-token";
const BATCHES: usize = 30;
const PER_BATCH: usize = 10;
const RESTART_AFTER: usize = 10;

#[test]
fn api_and_workers_ride_out_a_cluster_master_restart() {
    let mut cluster = RedisCluster::start_durable().unwrap();
    let owner = cluster.owner_of("{q:restart}").unwrap();
    let urls = cluster.urls();
    // Seeds: the other masters first, as a deployment would list them all.
    let seeds: Vec<String> = (1..=3).map(|i| urls[(owner + i) % 3].clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs.log");
    let port = free_port();
    let queues = dir.path().join("queues.yml");
    std::fs::write(
        &queues,
        format!(
            "backend:\n  redis_cluster: [{}]\napi:\n  token: {TOKEN}\nqueues:\n  restart:\n\
             \x20   concurrency: 4\n    lease: 1s\n    max_attempts: 100\n\
             \x20   backoff: {{base: 10ms, max: 100ms, jitter: 0.5}}\n\
             \x20   command: [sh, -c, 'cat > /dev/null; echo \"$PERFKIT_JOB_ID\" >> {}']\n",
            seeds.join(", "),
            runs.display()
        ),
    )
    .unwrap();
    let queues = queues.to_str().unwrap();
    let listen = format!("127.0.0.1:{port}");
    let mut api = Logged::spawn(&mut perfkit_in(
        dir.path(),
        &["queue", "--queues", queues, "serve", "--listen", &listen],
    ));
    let mut workers: Vec<Child> = (0..2)
        .map(|_| {
            perfkit_in(dir.path(), &["worker", "--queues", queues])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let base = format!("http://{listen}");
    let auth = format!("Bearer {TOKEN}");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = Client::http1();
    let call = |method: Method, path: &str, key: Option<String>, body: String| {
        let url = format!("{base}{path}");
        let (client, auth) = (&client, auth.as_str());
        async move {
            let mut headers = vec![("authorization", auth)];
            if let Some(key) = &key {
                headers.push(("idempotency-key", key.as_str()));
            }
            let reply = client.request(method, &url, &headers, body).await?;
            let value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
            Ok::<_, String>((reply.status.as_u16(), value))
        }
    };

    let (acked, refused, _cluster) = std::thread::scope(|scope| {
        let (restart_now, restart_asked) = std::sync::mpsc::channel::<()>();
        let restarter = scope.spawn(move || {
            restart_asked.recv().unwrap();
            cluster.restart_node(owner).unwrap();
            cluster
        });
        let result = runtime.block_on(async {
            api.wait_for_line(|l| l.starts_with("queue API listening on"))
                .await;
            let mut acked = BTreeSet::new();
            let mut refused = 0;
            for batch in 0..BATCHES {
                if batch == RESTART_AFTER {
                    // Enqueues go on while the master is down and rejoining.
                    restart_now.send(()).unwrap();
                }
                let jobs: Vec<Value> = (0..PER_BATCH)
                    .map(|n| serde_json::json!({ "payload": { "batch": batch, "n": n } }))
                    .collect();
                let body = serde_json::json!({ "jobs": jobs }).to_string();
                let key = format!("batch-{batch}");
                let limit = Instant::now() + Duration::from_secs(30);
                loop {
                    match call(
                        Method::POST,
                        "/queues/restart/jobs",
                        Some(key.clone()),
                        body.clone(),
                    )
                    .await
                    {
                        Ok((201, reply)) => {
                            for job in reply["jobs"].as_array().unwrap() {
                                acked.insert(job["id"].as_u64().unwrap());
                            }
                            break;
                        }
                        other => {
                            refused += 1;
                            assert!(
                                Instant::now() < limit,
                                "batch {batch}: the API did not recover: {other:?}"
                            );
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            (acked, refused)
        });
        // The cluster lives on (returned) until the end of the test.
        let cluster = restarter.join().unwrap();
        (result.0, result.1, cluster)
    });
    assert_eq!(acked.len(), BATCHES * PER_BATCH, "one id per job");

    // Every job reaches a final state within a bound.
    let limit = Instant::now() + Duration::from_secs(40);
    let stats = runtime.block_on(async {
        loop {
            let reply = call(Method::GET, "/queues/restart/stats", None, "".into()).await;
            if let Ok((200, stats)) = &reply {
                let pending: u64 = ["ready", "delayed", "leased"]
                    .iter()
                    .map(|k| stats[k].as_u64().unwrap())
                    .sum();
                if pending == 0 {
                    return stats.clone();
                }
                assert!(Instant::now() < limit, "jobs stuck: {stats}");
            }
            assert!(Instant::now() < limit, "stats unreachable: {reply:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    for child in &mut workers {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    drop(api);
    assert_eq!(
        stats["completed"].as_u64(),
        Some(acked.len() as u64),
        "{stats}"
    );
    assert_eq!(stats["dead"].as_u64(), Some(0), "{stats}");

    let runs = Executions::read(&runs).unwrap();
    let missing = runs.missing(&acked);
    assert!(
        missing.is_empty(),
        "acknowledged but never ran: {missing:?}"
    );
    println!(
        "redis cluster master restart: {} jobs acknowledged, {} executions, {} duplicate(s), \
         {refused} enqueue attempts refused while it was down",
        acked.len(),
        runs.total(),
        runs.duplicates()
    );
}
