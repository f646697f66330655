//! The admin listener: token checks, metrics content.

use perfkit_testkit::{Client, SampleUpstream};

use crate::support::*;

#[tokio::test]
async fn admin_api_requires_the_bearer_token() {
    let peer = SampleUpstream::start_named("a").await.unwrap();
    let gw = gateway(&single_group("round_robin", &[&peer], "")).await;
    let client = Client::http1();
    let target = format!("http://{}/admin/upstreams", gw.admin_addr());
    assert_eq!(client.get(&target).await.unwrap().status, 401);
    let wrong = client
        .request(
            http::Method::GET,
            &target,
            &[("authorization", "Bearer nope")],
            "",
        )
        .await
        .unwrap();
    assert_eq!(wrong.status, 401);
    assert_eq!(
        admin_json(&gw, "/admin/upstreams").await["upstreams"][0]["name"],
        "app"
    );
    let config = admin_call(&gw, http::Method::GET, "/admin/config").await;
    assert_eq!(config.status, 200);
    assert!(config.text().contains("<redacted>") && !config.text().contains(TOKEN));
    // Without a reload source, reloading is refused with a reason.
    let reload = admin_call(&gw, http::Method::POST, "/admin/reload").await;
    assert_eq!(reload.status, 400);
    assert!(reload.text().contains("config file"));
}

#[tokio::test]
async fn admin_api_is_closed_without_a_configured_token() {
    let peer = SampleUpstream::start_named("a").await.unwrap();
    let gw = gateway_with("", "", &single_group("round_robin", &[&peer], "")).await;
    let reply = Client::http1()
        .request(
            http::Method::GET,
            &format!("http://{}/admin/upstreams", gw.admin_addr()),
            &[("authorization", "Bearer ")],
            "",
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn metrics_label_routes_by_pattern_not_raw_path() {
    let peer = SampleUpstream::start_named("m").await.unwrap();
    let yaml = format!(
        "upstreams:\n  users: {{servers: [{{address: \"{}\"}}]}}\nroutes:\n  - {{name: users-api, path_prefix: /users, upstream: users}}\n",
        peer.addr()
    );
    let gw = gateway(&yaml).await;
    let client = Client::http1();
    for id in 0..5 {
        client
            .get(&url(&gw, &format!("/users/{id}")))
            .await
            .unwrap();
    }
    // With no other peer to retry on, the upstream's own 503 is passed through.
    let failed = client
        .request(
            http::Method::GET,
            &url(&gw, "/users/9"),
            &[("x-status", "503")],
            "",
        )
        .await
        .unwrap();
    assert_eq!(failed.status, 503);
    assert_eq!(failed.header("x-upstream"), Some("m"));
    let text = metrics(&gw).await;
    assert!(text.contains("perfkit_request_duration_seconds_count{route=\"users-api\",status=\"200\",upstream=\"users\"} 5"), "{text}");
    assert!(!text.contains("/users/1"), "raw paths leaked into labels");
    assert!(text.contains(&format!(
        "perfkit_upstream_peer_healthy{{upstream=\"users\",peer=\"{}\"}} 1",
        peer.addr()
    )));
    assert!(text.contains(&format!(
        "perfkit_upstream_pool_max_slots{{upstream=\"users\",peer=\"{}\"}} 1024",
        peer.addr()
    )));
    assert!(
        text.contains(&format!(
            "perfkit_upstream_errors_total{{peer=\"{}\",reason=\"status\",upstream=\"users\"}} 1",
            peer.addr()
        )),
        "{text}"
    );
    assert!(text.contains("perfkit_config_generation 1"));
}

#[tokio::test]
async fn requests_served_before_a_reload_stay_counted() {
    let peer = SampleUpstream::start_named("counted").await.unwrap();
    let yaml = single_group("round_robin", &[&peer], "");
    let gw = gateway(&yaml).await;
    spread(&gw, 7).await;
    gw.reload_with(config_with("", "", &yaml)).await.unwrap();
    // No request has touched the new configuration yet: the workers still hold the
    // old one, whose counts must already be published.
    let text = metrics(&gw).await;
    assert!(
        text.contains("perfkit_request_duration_seconds_count{route=\"app\",status=\"200\",upstream=\"app\"} 7"),
        "{text}"
    );
}
