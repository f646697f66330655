//! Each load-balancing algorithm's distribution.

use std::time::Duration;

use perfkit_testkit::{Client, SampleUpstream};

use crate::support::*;

#[tokio::test]
async fn round_robin_spreads_evenly() {
    let peers = upstreams(&["a", "b", "c"]).await;
    let gw = gateway(&single_group(
        "round_robin",
        &peers.iter().collect::<Vec<_>>(),
        "",
    ))
    .await;
    let seen = spread(&gw, 300).await;
    assert_eq!(
        seen.values().copied().collect::<Vec<_>>(),
        [100, 100, 100],
        "{seen:?}"
    );
}

#[tokio::test]
async fn weighted_follows_weights_exactly() {
    let peers = upstreams(&["w1", "w2", "w3"]).await;
    let mut yaml = single_group("weighted", &peers.iter().collect::<Vec<_>>(), "");
    for (i, peer) in peers.iter().enumerate() {
        let line = format!("      - address: {}\n", peer.addr());
        yaml = yaml.replace(&line, &format!("{line}        weight: {}\n", i + 1));
    }
    let gw = gateway(&yaml).await;
    let seen = spread(&gw, 600).await;
    assert_eq!(
        (seen["w1"], seen["w2"], seen["w3"]),
        (100, 200, 300),
        "{seen:?}"
    );
}

#[tokio::test]
async fn least_connections_avoids_the_busy_peer() {
    let peers = upstreams(&["l1", "l2"]).await;
    let gw = gateway(&single_group(
        "least_connections",
        &peers.iter().collect::<Vec<_>>(),
        "",
    ))
    .await;
    let slow_url = url(&gw, "/slow");
    let slow = tokio::spawn(async move {
        Client::http1()
            .request(http::Method::GET, &slow_url, &[("x-delay-ms", "1500")], "")
            .await
    });
    eventually(
        "one request is in flight",
        Duration::from_secs(5),
        || async { peers.iter().map(SampleUpstream::requests).sum::<u64>() == 1 },
    )
    .await;
    let busy = peers.iter().position(|p| p.requests() == 1).unwrap();
    let seen = spread(&gw, 20).await;
    let idle = &peers[1 - busy];
    assert_eq!(seen.get(idle.name()), Some(&20), "{seen:?}");
    assert_eq!(peers[busy].requests(), 1);
    assert_eq!(slow.await.unwrap().unwrap().status, 200);
}

#[tokio::test]
async fn consistent_hash_keeps_keys_on_their_peer_and_remaps_only_a_lost_peers_keys() {
    let peers = upstreams(&["h1", "h2", "h3"]).await;
    let extra = "hash_key: header:x-user\noutlier_detection: {consecutive_failures: 1}";
    let gw = gateway(&single_group(
        "consistent_hash",
        &peers.iter().collect::<Vec<_>>(),
        extra,
    ))
    .await;
    let client = Client::http1();
    let owner = |user: String| {
        let (client, target) = (client.clone(), url(&gw, "/profile"));
        async move {
            let reply = client
                .request(http::Method::GET, &target, &[("x-user", &user)], "")
                .await
                .unwrap();
            assert_eq!(reply.status, 200);
            reply.header("x-upstream").unwrap().to_owned()
        }
    };
    let mut first = Vec::new();
    for user in 0..90 {
        first.push(owner(format!("user-{user}")).await);
    }
    for (user, expected) in first.iter().enumerate() {
        assert_eq!(
            &owner(format!("user-{user}")).await,
            expected,
            "user-{user} moved"
        );
    }
    for name in ["h1", "h2", "h3"] {
        let keys = first.iter().filter(|o| *o == name).count();
        assert!(keys >= 10, "{name} owns only {keys} of 90 keys");
    }

    peers[0].stop();
    for (user, before) in first.iter().enumerate() {
        let after = owner(format!("user-{user}")).await;
        if before == "h1" {
            assert_ne!(after, "h1");
        } else {
            assert_eq!(&after, before, "user-{user} moved although its peer is up");
        }
    }
}

#[tokio::test]
async fn p2c_ewma_prefers_the_faster_peer() {
    let slow = SampleUpstream::builder("slow")
        .latency(Duration::from_millis(30))
        .spawn()
        .await
        .unwrap();
    let fast = SampleUpstream::start_named("fast").await.unwrap();
    let gw = gateway(&single_group("p2c_ewma", &[&slow, &fast], "")).await;
    spread(&gw, 10).await; // both peers get measured
    let seen = spread(&gw, 100).await;
    assert!(seen.get("fast").copied().unwrap_or(0) >= 95, "{seen:?}");
}
