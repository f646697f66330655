//! Starting a gateway in front of sample upstreams, and waiting on its state.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use perfkit_config::Config;
use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, Reply, SampleUpstream};

pub const TOKEN: &str = "test-token";

/// Parses `yaml` (listeners default to free loopback ports) and starts a gateway
/// whose admin API takes [`TOKEN`].
pub async fn gateway(yaml: &str) -> Gateway {
    gateway_with("", &format!("token: {TOKEN}"), yaml).await
}

/// Like [`gateway`], with `server` and `admin` as extra lines of those sections.
pub async fn gateway_with(server: &str, admin: &str, yaml: &str) -> Gateway {
    Gateway::start(config_with(server, admin, yaml), None)
        .await
        .expect("gateway starts")
}

/// A config on free loopback ports, with extra `server` and `admin` lines.
pub fn config_with(server: &str, admin: &str, yaml: &str) -> Config {
    let indent = |lines: &str| {
        lines
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    };
    let yaml = format!(
        "server:\n  listen: 127.0.0.1:0\n{}admin:\n  listen: 127.0.0.1:0\n{}{yaml}",
        indent(server),
        indent(admin)
    );
    Config::parse_with_env(Path::new("test.yml"), &yaml, Vec::new())
        .unwrap_or_else(|e| panic!("test config is valid: {e}\n{yaml}"))
}

/// An `upstreams:` + catch-all `routes:` block for one group named `app`.
pub fn single_group(balance: &str, peers: &[&SampleUpstream], extra: &str) -> String {
    let mut yaml = format!("upstreams:\n  app:\n    balance: {balance}\n");
    for line in extra.lines() {
        yaml.push_str(&format!("    {line}\n"));
    }
    yaml.push_str("    servers:\n");
    for peer in peers {
        yaml.push_str(&format!("      - address: {}\n", peer.addr()));
    }
    yaml.push_str("routes:\n  - name: app\n    path_prefix: /\n    upstream: app\n");
    yaml
}

pub async fn upstreams(names: &[&str]) -> Vec<SampleUpstream> {
    let mut all = Vec::new();
    for name in names {
        all.push(SampleUpstream::start_named(name).await.unwrap());
    }
    all
}

pub fn url(gateway: &Gateway, path: &str) -> String {
    format!("http://{}{path}", gateway.addr())
}

/// `method path` on the admin listener with the token.
pub async fn admin_call(gateway: &Gateway, method: http::Method, path: &str) -> Reply {
    let url = format!("http://{}{path}", gateway.admin_addr());
    let authorization = format!("Bearer {TOKEN}");
    Client::http1()
        .request(method, &url, &[("authorization", &authorization)], "")
        .await
        .unwrap()
}

/// `GET` on the admin listener with the token; the JSON body.
pub async fn admin_json(gateway: &Gateway, path: &str) -> serde_json::Value {
    let reply = admin_call(gateway, http::Method::GET, path).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    serde_json::from_slice(&reply.body).unwrap()
}

/// The admin view of one peer of upstream `app`.
pub async fn peer_state(gateway: &Gateway, peer: &SampleUpstream) -> serde_json::Value {
    let state = admin_json(gateway, "/admin/upstreams").await;
    let address = peer.addr().to_string();
    state["upstreams"][0]["peers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["address"] == address.as_str())
        .cloned()
        .unwrap()
}

pub async fn metrics(gateway: &Gateway) -> String {
    Client::http1()
        .get(&format!("http://{}/metrics", gateway.admin_addr()))
        .await
        .unwrap()
        .text()
}

/// Re-checks `condition` until it holds; fails the test after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !condition().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Sends `count` sequential GETs and returns how many each upstream answered;
/// every request must succeed.
pub async fn spread(gateway: &Gateway, count: usize) -> std::collections::BTreeMap<String, usize> {
    let client = Client::http1();
    let mut seen = std::collections::BTreeMap::new();
    for i in 0..count {
        let reply = client.get(&url(gateway, &format!("/r/{i}"))).await.unwrap();
        assert_eq!(reply.status, 200, "request {i}: {}", reply.text());
        *seen
            .entry(reply.header("x-upstream").unwrap().to_owned())
            .or_insert(0) += 1;
    }
    seen
}

/// `GET path` with `headers` on the proxy listener.
pub async fn get_with(gateway: &Gateway, path: &str, headers: &[(&str, &str)]) -> Reply {
    Client::http1()
        .request(http::Method::GET, &url(gateway, path), headers, "")
        .await
        .unwrap()
}

/// A response's `X-Cache` value, or `<none>`.
pub fn x_cache(reply: &Reply) -> &str {
    reply.header("x-cache").unwrap_or("<none>")
}

/// `POST /admin/cache/purge` with the JSON `body`; the answer, which must be a 200.
pub async fn purge(gateway: &Gateway, body: &str) -> serde_json::Value {
    let reply = Client::http1()
        .request(
            http::Method::POST,
            &format!("http://{}/admin/cache/purge", gateway.admin_addr()),
            &[("authorization", &format!("Bearer {TOKEN}"))],
            body.to_owned(),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    serde_json::from_slice(&reply.body).unwrap()
}
