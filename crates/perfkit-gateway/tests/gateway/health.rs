//! Peers going down and coming back: active checks, passive ejection, recovery.

use std::time::Duration;

use perfkit_testkit::SampleUpstream;

use crate::support::*;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_peer_that_dies_is_ejected_without_client_errors_and_restored_when_back() {
    let mut peers = upstreams(&["up", "down"]).await;
    let extra = "health_check: {path: /health, interval: 50ms, timeout: 200ms, healthy_threshold: 1, unhealthy_threshold: 2}\n\
                 outlier_detection: {consecutive_failures: 1, base_ejection: 60s, max_ejection: 60s}";
    let gw = gateway(&single_group(
        "round_robin",
        &peers.iter().collect::<Vec<_>>(),
        extra,
    ))
    .await;
    assert_eq!(spread(&gw, 10).await.len(), 2);

    peers[1].stop();
    // Every request succeeds: failures on the dead peer are retried on the live one.
    let seen = spread(&gw, 40).await;
    assert_eq!(seen.get("up"), Some(&40), "{seen:?}");
    eventually("the dead peer is marked unhealthy", WAIT, || async {
        peer_state(&gw, &peers[1]).await["healthy"] == false
    })
    .await;
    let state = peer_state(&gw, &peers[1]).await;
    assert_eq!(state["available"], false);
    assert!(metrics(&gw).await.contains(&format!(
        "perfkit_upstream_ejections_total{{peer=\"{}\",upstream=\"app\"}} 1",
        peers[1].addr()
    )));

    let before = peers[1].requests();
    peers[1].restart().await.unwrap();
    eventually("the peer is restored by its health check", WAIT, || async {
        peer_state(&gw, &peers[1]).await["available"] == true
    })
    .await;
    spread(&gw, 20).await;
    assert!(
        peers[1].requests() - before >= 9,
        "restored peer got {}",
        peers[1].requests() - before
    );
}

#[tokio::test]
async fn ejection_ends_by_itself_without_health_checks() {
    let mut peers = upstreams(&["steady", "flaky"]).await;
    let extra =
        "outlier_detection: {consecutive_failures: 2, base_ejection: 300ms, max_ejection: 1s}";
    let gw = gateway(&single_group(
        "round_robin",
        &peers.iter().collect::<Vec<_>>(),
        extra,
    ))
    .await;
    peers[1].stop();
    let seen = spread(&gw, 10).await;
    assert_eq!(seen.get("steady"), Some(&10));
    assert_eq!(peer_state(&gw, &peers[1]).await["ejected"], true);

    peers[1].restart().await.unwrap();
    eventually("the ejection expires", WAIT, || async {
        peer_state(&gw, &peers[1]).await["ejected"] == false
    })
    .await;
    let seen = spread(&gw, 10).await;
    assert_eq!(seen.get("flaky"), Some(&5), "{seen:?}");
}

#[tokio::test]
async fn failing_health_endpoint_takes_a_running_peer_out_of_rotation() {
    let peers = upstreams(&["green", "sick"]).await;
    let extra = "health_check: {path: /health, interval: 30ms, timeout: 200ms, healthy_threshold: 1, unhealthy_threshold: 1}";
    let gw = gateway(&single_group(
        "round_robin",
        &peers.iter().collect::<Vec<_>>(),
        extra,
    ))
    .await;
    peers[1].set_healthy(false);
    eventually("the peer fails its health check", WAIT, || async {
        peer_state(&gw, &peers[1]).await["healthy"] == false
    })
    .await;
    assert_eq!(spread(&gw, 20).await.get("green"), Some(&20));

    peers[1].set_healthy(true);
    eventually("the peer passes again", WAIT, || async {
        peer_state(&gw, &peers[1]).await["healthy"] == true
    })
    .await;
    assert_eq!(spread(&gw, 20).await.get("sick"), Some(&10));
}

#[tokio::test]
async fn errors_map_to_gateway_statuses() {
    // Nothing listens on a freshly released port.
    let dead = format!("127.0.0.1:{}", perfkit_testkit::free_port());
    let slow = SampleUpstream::builder("slow")
        .latency(Duration::from_secs(5))
        .spawn()
        .await
        .unwrap();
    let yaml = format!(
        "upstreams:\n  dead:\n    servers: [{{address: \"{dead}\"}}]\n    retries: {{attempts: 0}}\n\
         \x20 slow:\n    servers: [{{address: \"{}\"}}]\n    timeouts: {{read: 1s}}\n    retries: {{attempts: 0}}\n\
         \x20   pool: {{max_connections: 1, acquire_timeout: 50ms}}\n\
         routes:\n  - {{path_prefix: /dead, upstream: dead}}\n  - {{path_prefix: /slow, upstream: slow}}\n",
        slow.addr()
    );
    let gw = gateway(&yaml).await;
    let client = perfkit_testkit::Client::http1();
    assert_eq!(client.get(&url(&gw, "/dead")).await.unwrap().status, 502);
    assert_eq!(client.get(&url(&gw, "/slow")).await.unwrap().status, 504);
    assert_eq!(
        client.get(&url(&gw, "/elsewhere")).await.unwrap().status,
        404
    );

    // With the only slot held by a long request, the next one cannot get a connection.
    // (The held request keeps the slot for the whole 1 s read timeout: with 100 ms, a
    // slow machine could free it between the check below and the next request.)
    let held = tokio::spawn({
        let (client, target) = (client.clone(), url(&gw, "/slow"));
        async move { client.get(&target).await }
    });
    eventually("the slot is taken", WAIT, || async {
        peer_state_named(&gw, "slow").await["free_slots"] == 0
    })
    .await;
    assert_eq!(client.get(&url(&gw, "/slow")).await.unwrap().status, 503);
    assert_eq!(held.await.unwrap().unwrap().status, 504);
}

async fn peer_state_named(gw: &perfkit_gateway::Gateway, upstream: &str) -> serde_json::Value {
    let state = admin_json(gw, "/admin/upstreams").await;
    state["upstreams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == upstream)
        .map(|u| u["peers"][0].clone())
        .unwrap()
}

#[tokio::test]
async fn retryable_statuses_are_retried_on_another_peer_but_bodies_are_not_resent() {
    let good = SampleUpstream::start_named("good").await.unwrap();
    let failing = SampleUpstream::builder("failing")
        .status(503)
        .spawn()
        .await
        .unwrap();
    let extra = "outlier_detection: {enabled: false}";
    let gw = gateway(&single_group("round_robin", &[&good, &failing], extra)).await;

    let seen = spread(&gw, 20).await;
    assert_eq!(seen.get("good"), Some(&20), "{seen:?}");
    let retried = failing.requests();
    assert!(retried >= 9, "the failing peer was tried {retried} times");
    assert!(metrics(&gw).await.contains(&format!(
        "perfkit_upstream_retries_total{{upstream=\"app\"}} {retried}"
    )));

    // A request with a body is sent once; whatever that peer answers is the answer.
    let client = perfkit_testkit::Client::http1();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let reply = client
            .request(http::Method::POST, &url(&gw, "/orders"), &[], "{}")
            .await
            .unwrap();
        statuses.push(reply.status.as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 503).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(failing.requests(), retried + 2);
}
