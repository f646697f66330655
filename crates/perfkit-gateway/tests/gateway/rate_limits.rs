//! Rate limits in front of a sample upstream: keys, tiers, shadow mode, exemptions,
//! the Redis store shared by two gateways and Redis dying under load, reloads.

use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, RedisServer, SampleUpstream};

use crate::support::{config_with, gateway_with, metrics, single_group, url};

/// A gateway in front of `upstream` with `server` lines and a `rate_limits:` section.
pub(crate) async fn limited(upstream: &SampleUpstream, server: &str, rate_limits: &str) -> Gateway {
    gateway_with(server, "", &yaml(upstream, rate_limits)).await
}

fn yaml(upstream: &SampleUpstream, rate_limits: &str) -> String {
    format!(
        "{}rate_limits:\n{}",
        single_group("round_robin", &[upstream], ""),
        rate_limits
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    )
}

/// Sends `count` GETs with `headers`; the statuses.
async fn statuses(gateway: &Gateway, count: usize, headers: &[(&str, &str)]) -> Vec<u16> {
    let client = Client::http1();
    let mut all = Vec::new();
    for _ in 0..count {
        let reply = client
            .request(http::Method::GET, &url(gateway, "/x"), headers, "")
            .await
            .unwrap();
        all.push(reply.status.as_u16());
    }
    all
}

fn admitted(statuses: &[u16]) -> usize {
    statuses.iter().filter(|s| **s == 200).count()
}

const PER_IP: &str = "rules:
  - name: per-ip
    limit: { rate: 2, period: 1m }";

#[tokio::test]
async fn a_client_past_its_limit_gets_429_with_the_ietf_headers() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(
        &upstream,
        "",
        &format!("response: {{ legacy_headers: true }}\n{PER_IP}"),
    )
    .await;
    let client = Client::http1();
    let first = client.get(&url(&gateway, "/x")).await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("ratelimit-policy"),
        Some(r#""per-ip";q=2;w=60"#)
    );
    assert_eq!(first.header("ratelimit"), Some(r#""per-ip";r=1;t=30"#));
    assert_eq!(client.get(&url(&gateway, "/x")).await.unwrap().status, 200);
    let rejected = client.get(&url(&gateway, "/x")).await.unwrap();
    assert_eq!(rejected.status, 429, "{}", rejected.text());
    assert_eq!(rejected.header("retry-after"), Some("30"));
    assert_eq!(
        rejected.header("ratelimit-policy"),
        Some(r#""per-ip";q=2;w=60"#)
    );
    assert_eq!(rejected.header("ratelimit"), Some(r#""per-ip";r=0;t=60"#));
    assert_eq!(rejected.header("x-ratelimit-limit"), Some("2"));
    assert_eq!(rejected.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(rejected.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&rejected.body).unwrap();
    assert_eq!(body["rule"], "per-ip");
    assert_eq!(body["retry_after"], 30);
    let text = metrics(&gateway).await;
    assert!(
        text.contains(r#"perfkit_rate_limit_decisions_total{outcome="limited",rule="per-ip",tier="default"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"perfkit_rate_limit_decisions_total{outcome="allowed",rule="per-ip",tier="default"} 2"#),
        "{text}"
    );
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_client_keeps_its_key() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(&upstream, "", PER_IP).await;
    let client = Client::http1();
    let mut all = Vec::new();
    for i in 0..4 {
        let spoofed = format!("203.0.113.{i}");
        let reply = client
            .request(
                http::Method::GET,
                &url(&gateway, "/x"),
                &[("x-forwarded-for", &spoofed)],
                "",
            )
            .await
            .unwrap();
        all.push(reply.status.as_u16());
    }
    assert_eq!(all, [200, 200, 429, 429]);
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_each_limit_belongs_to() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(&upstream, "trusted_proxies: [127.0.0.0/8]", PER_IP).await;
    let one = [("x-forwarded-for", "203.0.113.1")];
    assert_eq!(statuses(&gateway, 3, &one).await, [200, 200, 429]);
    // Another client behind the same proxy has its own limit...
    let two = [("x-forwarded-for", "203.0.113.2")];
    assert_eq!(statuses(&gateway, 1, &two).await, [200]);
    // ...but a client in the same IPv6 /64 as another shares it.
    let v6a = [("x-forwarded-for", "2001:db8:1:2::1")];
    let v6b = [("x-forwarded-for", "2001:db8:1:2::ffff")];
    let v6c = [("x-forwarded-for", "2001:db8:1:3::1")];
    assert_eq!(statuses(&gateway, 2, &v6a).await, [200, 200]);
    assert_eq!(statuses(&gateway, 1, &v6b).await, [429]);
    assert_eq!(statuses(&gateway, 1, &v6c).await, [200]);
}

#[tokio::test]
async fn api_key_tiers_get_their_own_quota() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(
        &upstream,
        "",
        "api_key_header: x-api-key
api_keys: { k-free: free, k-pro: pro, k-ent: enterprise }
rules:
  - name: per-key
    key: [api_key]
    tier_from: api_key
    limit: { rate: 1, period: 1m }
    tiers:
      free: { rate: 1, period: 1m }
      pro: { rate: 3, period: 1m }
      enterprise: unlimited",
    )
    .await;
    let free = statuses(&gateway, 5, &[("x-api-key", "k-free")]).await;
    let pro = statuses(&gateway, 5, &[("x-api-key", "k-pro")]).await;
    let enterprise = statuses(&gateway, 5, &[("x-api-key", "k-ent")]).await;
    assert_eq!(
        (admitted(&free), admitted(&pro), admitted(&enterprise)),
        (1, 3, 5)
    );
    let text = metrics(&gateway).await;
    assert!(
        text.contains(
            r#"perfkit_rate_limit_decisions_total{outcome="limited",rule="per-key",tier="pro"} 2"#
        ),
        "{text}"
    );
}

#[tokio::test]
async fn shadow_mode_counts_but_rejects_nothing() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(
        &upstream,
        "",
        "rules:\n  - name: trial\n    shadow: true\n    limit: { rate: 1, period: 1m }",
    )
    .await;
    assert_eq!(statuses(&gateway, 3, &[]).await, [200, 200, 200]);
    let text = metrics(&gateway).await;
    assert!(
        text.contains(r#"perfkit_rate_limit_decisions_total{outcome="shadow_limited",rule="trial",tier="default"} 2"#),
        "{text}"
    );
}

#[tokio::test]
async fn exempt_clients_and_unselected_requests_are_not_limited() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(
        &upstream,
        "",
        "api_key_header: x-api-key
rules:
  - name: by-cidr
    exempt: { cidrs: [127.0.0.1/32] }
    limit: { rate: 1, period: 1m }
  - name: posts
    match: { methods: [POST] }
    exempt: { api_keys: [ops] }
    limit: { rate: 1, period: 1m }",
    )
    .await;
    assert_eq!(statuses(&gateway, 3, &[]).await, [200, 200, 200]);
    let client = Client::http1();
    let post = |key: &'static str| {
        let client = client.clone();
        let url = url(&gateway, "/x");
        async move {
            client
                .request(http::Method::POST, &url, &[("x-api-key", key)], "")
                .await
                .unwrap()
                .status
                .as_u16()
        }
    };
    assert_eq!([post("ops").await, post("ops").await], [200, 200]);
    assert_eq!([post("x").await, post("x").await], [200, 429]);
}

fn redis_rules(url: &str, on_error: &str, rate: u64) -> String {
    format!(
        "store: {{ kind: redis, url: \"{url}\", timeout: 200ms }}
rules:
  - name: shared
    on_store_error: {on_error}
    limit: {{ rate: {rate}, period: 1m }}"
    )
}

#[tokio::test]
async fn two_gateways_on_one_redis_enforce_one_bound() {
    let redis = RedisServer::start().unwrap();
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let rules = redis_rules(&redis.url(), "fail_open", 3);
    let a = limited(&upstream, "", &rules).await;
    let b = limited(&upstream, "", &rules).await;
    let mut all = Vec::new();
    for _ in 0..4 {
        all.extend(statuses(&a, 1, &[]).await);
        all.extend(statuses(&b, 1, &[]).await);
    }
    assert_eq!(admitted(&all), 3, "{all:?}");
    assert!(all.iter().all(|s| *s == 200 || *s == 429), "{all:?}");
}

#[tokio::test]
async fn redis_dying_fails_open_locally_or_closed_and_recovers() {
    let mut redis = RedisServer::start().unwrap();
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let open = limited(&upstream, "", &redis_rules(&redis.url(), "fail_open", 2)).await;
    let closed = limited(
        &upstream,
        "",
        &redis_rules(&redis.url(), "fail_closed", 100),
    )
    .await;
    assert_eq!(statuses(&closed, 1, &[]).await, [200]);
    redis.stop();
    // Fail-open: still served, limited by the local fallback (2 per minute here).
    let during = statuses(&open, 4, &[]).await;
    assert_eq!(during, [200, 200, 429, 429]);
    // Fail-closed: 503 with Retry-After.
    let reply = Client::http1().get(&url(&closed, "/x")).await.unwrap();
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert_eq!(reply.header("retry-after"), Some("1"));
    let text = metrics(&closed).await;
    assert!(
        text.contains(r#"outcome="store_error",rule="shared""#),
        "{text}"
    );
    // Back without a restart once Redis answers again (a fresh, empty Redis).
    redis.restart().unwrap();
    crate::support::eventually(
        "the fail-closed gateway uses Redis again",
        std::time::Duration::from_secs(15),
        || async {
            Client::http1()
                .get(&url(&closed, "/x"))
                .await
                .unwrap()
                .status
                == 200
        },
    )
    .await;
}

#[tokio::test]
async fn a_reload_keeps_the_counters_of_unchanged_rules() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = limited(&upstream, "", PER_IP).await;
    assert_eq!(statuses(&gateway, 3, &[]).await, [200, 200, 429]);
    let same = config_with("", "", &yaml(&upstream, PER_IP));
    gateway.reload_with(same).await.unwrap();
    assert_eq!(statuses(&gateway, 1, &[]).await, [429]);
    let raised = PER_IP.replace("rate: 2", "rate: 5");
    gateway
        .reload_with(config_with("", "", &yaml(&upstream, &raised)))
        .await
        .unwrap();
    assert_eq!(statuses(&gateway, 1, &[]).await, [200]);
}

#[tokio::test]
async fn a_reload_from_the_file_applies_new_limits_and_keeps_the_rest() {
    // `Gateway::reload` is what SIGHUP runs.
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let (dir, path) = config_dir("rate-limits", &upstream);
    let text = |rules: &str| loopback_config(&yaml(&upstream, rules));
    std::fs::write(&path, text(PER_IP)).unwrap();
    let config = perfkit_config::Config::load(&path).unwrap();
    let gateway = Gateway::start(config, Some(path.clone())).await.unwrap();
    assert_eq!(statuses(&gateway, 3, &[]).await, [200, 200, 429]);
    let with_paths = format!(
        "{PER_IP}\n  - name: paths\n    match: {{ path_prefix: /x }}\n    limit: {{ rate: 1, period: 1m }}"
    );
    std::fs::write(&path, text(&with_paths)).unwrap();
    assert_eq!(gateway.reload().await.unwrap(), 2);
    // The unchanged rule kept its count; the new rule applies.
    assert_eq!(statuses(&gateway, 1, &[]).await, [429]);
    let text = metrics(&gateway).await;
    assert!(
        text.contains(
            r#"perfkit_rate_limit_decisions_total{outcome="allowed",rule="paths",tier="default"} 1"#
        ),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh directory for one test's config files, and the `perfkit.yml` path in it.
pub(crate) fn config_dir(
    name: &str,
    upstream: &SampleUpstream,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "perfkit-{name}-{}-{}",
        std::process::id(),
        upstream.addr().port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("perfkit.yml");
    (dir, path)
}

/// A config file's text: listeners on free loopback ports, then `yaml`.
pub(crate) fn loopback_config(yaml: &str) -> String {
    format!("server:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n{yaml}")
}

/// `clients` concurrent clients each send `each` GETs, spread over `gateways`; the statuses.
async fn load(
    gateways: &[&Gateway],
    api_key: &'static str,
    clients: usize,
    each: usize,
) -> Vec<u16> {
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients {
        let url = url(gateways[c % gateways.len()], "/x");
        tasks.spawn(async move {
            let client = Client::http1();
            let mut seen = Vec::new();
            for _ in 0..each {
                let headers = [("x-api-key", api_key)];
                let reply = client.request(http::Method::GET, &url, &headers, "");
                seen.push(reply.await.unwrap().status.as_u16());
            }
            seen
        });
    }
    let mut all = Vec::new();
    while let Some(seen) = tasks.join_next().await {
        all.extend(seen.unwrap());
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leased_mode_stays_within_its_overshoot_and_fails_open_under_load() {
    let mut redis = RedisServer::start().unwrap();
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let rules = format!(
        "store: {{ kind: redis, url: \"{}\", mode: leased, batch: 5, instances: 2, timeout: 200ms }}
api_key_header: x-api-key
rules:
  - name: leased
    key: [api_key]
    limit: {{ rate: 20, period: 1m }}",
        redis.url()
    );
    let a = limited(&upstream, "", &rules).await;
    let b = limited(&upstream, "", &rules).await;
    let all = load(&[&a, &b], "one", 4, 15).await;
    // One client, two instances: at most 20 + 2 × (5 − 1).
    assert!((10..=28).contains(&admitted(&all)), "{all:?}");
    assert!(all.iter().all(|s| *s == 200 || *s == 429), "{all:?}");

    // Redis dies between two bursts of load; a new client keeps sending: every
    // request is answered, limited locally (half the quota per instance), never a
    // transport failure or a 5xx.
    redis.stop();
    let during = load(&[&a, &b], "two", 4, 15).await;
    assert!(during.iter().all(|s| *s == 200 || *s == 429), "{during:?}");
    assert!((1..=20).contains(&admitted(&during)), "{during:?}");
    let text = metrics(&a).await;
    assert!(
        text.contains(r#"outcome="store_error",rule="leased""#),
        "{text}"
    );
}
