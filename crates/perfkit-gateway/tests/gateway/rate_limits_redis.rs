//! The Redis store as the gateway uses it: started while Redis is down (connected on
//! first use), fixed and sliding windows and GCRA on a three-master Redis Cluster
//! shared by two gateways, and several rules on one request.

use std::time::Duration;

use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, RedisCluster, RedisServer, SampleUpstream};

use crate::support::url;

async fn limited(upstream: &SampleUpstream, rate_limits: &str) -> Gateway {
    crate::rate_limits::limited(upstream, "", rate_limits).await
}

async fn get(gateway: &Gateway, path: &str) -> u16 {
    Client::http1()
        .get(&url(gateway, path))
        .await
        .unwrap()
        .status
        .as_u16()
}

#[tokio::test]
async fn the_gateway_starts_while_redis_is_down_and_uses_it_once_up() {
    let mut redis = RedisServer::start().unwrap();
    let redis_url = redis.url();
    redis.stop();
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(
        &upstream,
        &format!(
            "store: {{ kind: redis, url: \"{redis_url}\", timeout: 200ms }}
rules:
  - name: closed
    on_store_error: fail_closed
    limit: {{ algorithm: sliding_window, rate: 2, period: 1h }}"
        ),
    )
    .await;
    assert_eq!(get(&gateway, "/x").await, 503);
    redis.restart().unwrap();
    crate::support::eventually(
        "the gateway reaches Redis once it is up",
        Duration::from_secs(15),
        || async { get(&gateway, "/x").await == 200 },
    )
    .await;
    // One admitted above; the window on Redis allows one more.
    assert_eq!(
        [get(&gateway, "/x").await, get(&gateway, "/x").await],
        [200, 429]
    );
    // One key: the rule's sliding window (a hash), on Redis.
    assert_eq!(redis.command(&["DBSIZE"]).unwrap().trim(), "1");
}

#[tokio::test]
async fn two_gateways_share_each_algorithm_on_a_redis_cluster() {
    let cluster = RedisCluster::start().unwrap();
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let rules = format!(
        "store: {{ kind: redis, url: \"{}\", cluster: true, timeout: 1s }}
rules:
  - name: gcra
    on_store_error: fail_closed
    match: {{ path_prefix: /g }}
    key: [client_ip, route]
    limit: {{ rate: 3, period: 1h }}
  - name: fixed
    on_store_error: fail_closed
    match: {{ path_prefix: /f }}
    limit: {{ algorithm: fixed_window, rate: 3, period: 1h }}
  - name: sliding
    on_store_error: fail_closed
    match: {{ path_prefix: /s }}
    limit: {{ algorithm: sliding_window, rate: 3, period: 1h }}",
        cluster.urls()[0]
    );
    let a = limited(&upstream, &rules).await;
    let b = limited(&upstream, &rules).await;
    for path in ["/g", "/f", "/s"] {
        let mut all = Vec::new();
        for _ in 0..4 {
            all.push(get(&a, path).await);
            all.push(get(&b, path).await);
        }
        // 503 would be a store error (CROSSSLOT, an unfollowed MOVED): none.
        assert_eq!(
            all.iter().filter(|s| **s == 200).count(),
            3,
            "{path}: {all:?}"
        );
        assert!(
            all.iter().all(|s| *s == 200 || *s == 429),
            "{path}: {all:?}"
        );
    }
}

#[tokio::test]
async fn every_rule_counts_a_request_even_when_another_rejects_it() {
    // Documented semantics: every selecting rule is decided (and so counts the
    // request) before the outcome; a request rejected by one rule still spends the
    // quota of the others, as with nginx's `limit_req` zones.
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(
        &upstream,
        // The rejecting rule comes first: the rules after it are still decided.
        "rules:
  - name: narrow
    match: { path_prefix: /narrow }
    limit: { rate: 2, period: 1h }
  - name: overall
    limit: { rate: 5, period: 1h }",
    )
    .await;
    let client = Client::http1();
    let mut narrow = Vec::new();
    for _ in 0..3 {
        narrow.push(client.get(&url(&gateway, "/narrow")).await.unwrap());
    }
    let statuses: Vec<u16> = narrow.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [200, 200, 429]);
    // The 429 reports the rule that rejected it.
    assert_eq!(
        narrow[2].header("ratelimit-policy"),
        Some(r#""narrow";q=2;w=3600"#)
    );
    // `overall` counted all three, the rejected one included: 2 of 5 left.
    let wide: Vec<u16> = [
        get(&gateway, "/other").await,
        get(&gateway, "/other").await,
        get(&gateway, "/other").await,
    ]
    .to_vec();
    assert_eq!(wide, [200, 200, 429]);
}
