//! The single-server connection pool (plain connections, one request at a time
//! each): concurrent requests each take a connection, and after a Redis restart the
//! stale idle connections cost one failed request, not one per connection.

use perfkit_queue::{now_ms, Backend, Queue, RedisBackend};
use perfkit_testkit::RedisServer;

#[tokio::test]
async fn after_a_restart_one_request_fails_and_the_pool_reconnects() {
    let mut server = RedisServer::start().unwrap();
    let backend = RedisBackend::connect(&server.url()).await.unwrap();
    let queue = Queue::new(backend.clone(), "q");
    // Four enqueues at once: four connections, idle in the pool afterwards.
    let (a, b, c, d) = tokio::join!(
        queue.enqueue(queue.job("a")),
        queue.enqueue(queue.job("b")),
        queue.enqueue(queue.job("c")),
        queue.enqueue(queue.job("d")),
    );
    for enqueued in [a, b, c, d] {
        enqueued.unwrap();
    }
    let clients = server.command(&["CLIENT", "LIST"]).unwrap();
    let pooled = clients
        .lines()
        .filter(|l| l.contains("cmd=evalsha"))
        .count();
    assert!(
        pooled >= 4,
        "one connection per concurrent request:\n{clients}"
    );

    server.restart().unwrap();
    let first = queue.enqueue(queue.job("e")).await;
    assert!(
        first.is_err(),
        "sent on a connection from before the restart"
    );
    for payload in ["f", "g", "h", "i"] {
        queue.enqueue(queue.job(payload)).await.unwrap();
    }
    // The restarted server kept nothing (no persistence): only the four since.
    assert_eq!(backend.stats("q", now_ms()).await.unwrap().ready, 4);
}
