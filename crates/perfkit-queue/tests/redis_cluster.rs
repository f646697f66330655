//! What only a Redis Cluster can show: each queue's keys live in one slot (so every
//! script runs on one node), different queues spread over the masters, and a worker's
//! blocking wait reaches the node that owns its queue. The shared semantics run
//! against the cluster in `conformance.rs` and `worker.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use perfkit_queue::{now_ms, Backend, NewJob, RedisBackend};
use perfkit_testkit::RedisCluster;

const QUEUES: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_queue_lives_on_one_node_and_queues_spread_over_the_masters() {
    let cluster = RedisCluster::start().unwrap();
    let backend = RedisBackend::connect_cluster(&cluster.urls()[1..2])
        .await
        .unwrap();
    let names: Vec<String> = (0..QUEUES).map(|i| format!("queue-{i}")).collect();
    // One batch naming every queue: one script per queue, each routed to its slot.
    let jobs = names
        .iter()
        .flat_map(|q| [NewJob::new(q.as_str(), "a"), NewJob::new(q.as_str(), "b")])
        .collect();
    backend.enqueue(jobs, now_ms()).await.unwrap();
    for name in &names {
        let claimed = backend.claim(name, 10, 30_000, now_ms()).await.unwrap();
        assert_eq!(claimed.len(), 2, "{name}");
        let (done, next) = backend
            .complete_and_claim(&claimed[0].lease(), 1, 30_000, now_ms())
            .await
            .unwrap();
        assert!(done && next.is_empty(), "{name}");
        assert!(backend
            .complete(&claimed[1].lease(), now_ms())
            .await
            .unwrap());
        assert_eq!(backend.stats(name, now_ms()).await.unwrap().completed, 2);
    }
    // Which node holds each queue's keys (the queue registry is a key of its own).
    let mut homes: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (node_index, node) in cluster.nodes().iter().enumerate() {
        let mut conn = redis::Client::open(node.url())
            .unwrap()
            .get_connection()
            .unwrap();
        let keys: Vec<String> = redis::cmd("KEYS").arg("{q:*").query(&mut conn).unwrap();
        for key in keys {
            let queue = key
                .strip_prefix("{q:")
                .and_then(|rest| rest.split_once('}'))
                .map(|(queue, _)| queue.to_owned())
                .unwrap();
            homes.entry(queue).or_default().insert(node_index);
        }
    }
    assert_eq!(homes.len(), QUEUES, "{homes:?}");
    assert!(
        homes.values().all(|nodes| nodes.len() == 1),
        "a queue's keys span nodes: {homes:?}"
    );
    let used: BTreeSet<usize> = homes.values().flatten().copied().collect();
    assert_eq!(used.len(), 3, "queues all landed on {used:?}");
    assert_eq!(backend.queues().await.unwrap().len(), QUEUES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_wait_wakes_when_a_job_arrives() {
    let cluster = RedisCluster::start().unwrap();
    let urls = cluster.urls();
    let waiter = RedisBackend::connect_cluster(&urls[..1]).await.unwrap();
    let producer = RedisBackend::connect_cluster(&urls[2..]).await.unwrap();
    // Pick a queue whose slot is not on the seed node, so the wait must be routed.
    let queue = (0..)
        .map(|i| format!("wake-{i}"))
        .find(|q| {
            let slot: u16 = cluster.nodes()[0]
                .command(&["CLUSTER", "KEYSLOT", &format!("{{q:{q}}}")])
                .unwrap()
                .parse()
                .unwrap();
            slot > 5460
        })
        .unwrap();
    // With nothing to do, a wait blocks on the queue's node for its whole timeout
    // (a failing one would back off for at most 0.5 s and return).
    let started = Instant::now();
    waiter.wait(&queue, Duration::from_millis(1_500)).await;
    assert!(
        started.elapsed() >= Duration::from_millis(1_200),
        "an idle wait returned after {:?}",
        started.elapsed()
    );
    let blocked = tokio::spawn({
        let (waiter, queue) = (waiter.clone(), queue.clone());
        async move {
            let started = Instant::now();
            waiter.wait(&queue, Duration::from_secs(25)).await;
            started.elapsed()
        }
    });
    producer
        .enqueue(vec![NewJob::new(queue.as_str(), "wake")], now_ms())
        .await
        .unwrap();
    let waited = tokio::time::timeout(Duration::from_secs(40), blocked)
        .await
        .expect("the wait returned within its timeout")
        .unwrap();
    assert!(
        waited < Duration::from_secs(15),
        "the enqueue did not wake the waiter ({waited:?})"
    );
    assert_eq!(
        waiter
            .claim(&queue, 1, 30_000, now_ms())
            .await
            .unwrap()
            .len(),
        1
    );
}
