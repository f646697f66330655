//! The cache phase through HTTP: RFC 9111 reuse, validation, the safety rules, purge,
//! streaming past the size limit, and two gateways sharing one real Redis.

use std::time::Duration;

use http::Method;
use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, RedisServer, Reply, SampleUpstream, Scripted};

use crate::support::*;

/// A gateway caching every path of `peer`, with `X-Cache`, extra `cache:` lines and
/// extra route `cache:` lines.
async fn cached(peer: &SampleUpstream, global: &str, route: &str) -> Gateway {
    gateway(&cached_yaml(peer, global, route)).await
}

fn cached_yaml(peer: &SampleUpstream, global: &str, route: &str) -> String {
    let indent = |text: &str, by: &str| {
        text.lines()
            .map(|l| format!("{by}{l}\n"))
            .collect::<String>()
    };
    format!(
        "upstreams:\n  app:\n    servers:\n      - address: {}\nroutes:\n  - name: app\n    path_prefix: /\n    upstream: app\n    cache:\n      x_cache_header: true\n{}cache:\n  max_object_size: 64KiB\n{}",
        peer.addr(),
        indent(route, "      "),
        indent(global, "  "),
    )
}

async fn get(gw: &Gateway, path: &str, headers: &[(&str, &str)]) -> Reply {
    request(gw, Method::GET, path, headers).await
}

async fn request(gw: &Gateway, method: Method, path: &str, headers: &[(&str, &str)]) -> Reply {
    Client::http1()
        .request(method, &url(gw, path), headers, "")
        .await
        .unwrap()
}

fn cache_status(reply: &Reply) -> &str {
    reply.header("cache-status").unwrap_or("<none>")
}

async fn scripted(path: &str, script: Scripted) -> SampleUpstream {
    SampleUpstream::builder("origin")
        .path(path, script)
        .spawn()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_fresh_hit_is_answered_without_the_upstream_with_age_and_cache_status() {
    let peer = scripted(
        "/fresh",
        Scripted::ok("hello").header("cache-control", "max-age=60"),
    )
    .await;
    let gw = cached(&peer, "", "").await;

    let first = get(&gw, "/fresh", &[]).await;
    assert_eq!(first.text(), "hello");
    assert_eq!(x_cache(&first), "MISS");
    assert_eq!(
        cache_status(&first),
        "perfkit; fwd=uri-miss; fwd-status=200; stored"
    );

    let second = get(&gw, "/fresh", &[]).await;
    assert_eq!(second.text(), "hello");
    assert_eq!(x_cache(&second), "HIT");
    assert!(
        cache_status(&second).starts_with("perfkit; hit; ttl="),
        "{}",
        cache_status(&second)
    );
    let age: u64 = second.header("age").unwrap().parse().unwrap();
    assert!(age <= 5, "age {age}");
    assert_eq!(
        peer.requests_for("/fresh"),
        1,
        "the hit reached the upstream"
    );

    // HEAD is answered from the stored GET, without a body.
    let head = request(&gw, Method::HEAD, "/fresh", &[]).await;
    assert_eq!(x_cache(&head), "HIT");
    assert!(head.body.is_empty());
    assert_eq!(peer.requests_for("/fresh"), 1);

    // The client's own validators are answered from the cache.
    let peer_etag = scripted(
        "/tagged",
        Scripted::ok("tagged")
            .header("cache-control", "max-age=60")
            .header("etag", "\"v1\""),
    )
    .await;
    let gw2 = cached(&peer_etag, "", "").await;
    get(&gw2, "/tagged", &[]).await;
    let conditional = get(&gw2, "/tagged", &[("if-none-match", "\"v1\"")]).await;
    assert_eq!(conditional.status, 304);
    assert_eq!(conditional.header("etag"), Some("\"v1\""));
    assert_eq!(peer_etag.requests_for("/tagged"), 1);

    // Metrics by route, layer and result.
    let text = metrics(&gw).await;
    assert!(
        text.contains("perfkit_cache_requests_total{layer=\"l1\",result=\"hit\",route=\"app\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("perfkit_cache_stored_total{route=\"app\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("perfkit_cache_stored_bytes_total{route=\"app\"} 5"),
        "{text}"
    );
}

#[tokio::test]
async fn vary_keeps_one_variant_per_header_value_and_host_is_in_the_key() {
    let peer = scripted(
        "/greeting",
        Scripted::ok("hi")
            .header("cache-control", "max-age=60")
            .header("vary", "accept-language"),
    )
    .await;
    let gw = cached(&peer, "", "").await;
    get(&gw, "/greeting", &[("accept-language", "en")]).await;
    get(&gw, "/greeting", &[("accept-language", "fr")]).await;
    let en = get(&gw, "/greeting", &[("accept-language", "en")]).await;
    assert_eq!(x_cache(&en), "HIT");
    let fr = get(&gw, "/greeting", &[("accept-language", "fr")]).await;
    assert_eq!(x_cache(&fr), "HIT");
    assert_eq!(peer.requests_for("/greeting"), 2);

    let other_host = get(
        &gw,
        "/greeting",
        &[("accept-language", "en"), ("host", "other.example")],
    )
    .await;
    assert_eq!(x_cache(&other_host), "MISS", "another host shares no entry");
    assert_eq!(peer.requests_for("/greeting"), 3);
}

#[tokio::test]
async fn a_stale_entry_is_revalidated_with_a_conditional_request_and_304_merged() {
    let peer = scripted(
        "/validated",
        Scripted::ok("body")
            .header("cache-control", "max-age=0")
            .header("etag", "\"abc\"")
            .header("x-version", "1"),
    )
    .await;
    let gw = cached(&peer, "", "").await;
    let first = get(&gw, "/validated", &[]).await;
    assert!(
        cache_status(&first).ends_with("stored"),
        "{}",
        cache_status(&first)
    );

    peer.script(
        "/validated",
        Scripted::ok("body")
            .header("cache-control", "max-age=0")
            .header("etag", "\"abc\"")
            .header("x-version", "2"),
    );
    let second = get(&gw, "/validated", &[]).await;
    assert_eq!(second.status, 200);
    assert_eq!(
        second.text(),
        "body",
        "the stored body is served after a 304"
    );
    assert_eq!(x_cache(&second), "HIT");
    assert!(
        cache_status(&second).contains("fwd=stale; fwd-status=304"),
        "{}",
        cache_status(&second)
    );
    assert_eq!(second.header("x-version"), Some("2"), "304 headers merged");
    assert_eq!(peer.requests_for("/validated"), 2);
}

/// Stores `path` (fresh for 1 s), scripts `next` for the origin, and waits until
/// the stored entry is stale: freshness is counted in whole seconds, so 2 s.
async fn store_until_stale(gw: &Gateway, peer: &SampleUpstream, path: &str, next: Scripted) {
    assert!(get(gw, path, &[])
        .await
        .header("cache-status")
        .unwrap()
        .ends_with("stored"));
    peer.script(path, next);
    tokio::time::sleep(Duration::from_millis(2100)).await;
}

#[tokio::test]
async fn stale_while_revalidate_serves_stale_and_refreshes_once_in_the_background() {
    let peer = scripted(
        "/swr",
        Scripted::ok("v1").header("cache-control", "max-age=1, stale-while-revalidate=60"),
    )
    .await;
    let gw = cached(&peer, "", "").await;
    let next = Scripted::ok("v2").header("cache-control", "max-age=60");
    store_until_stale(&gw, &peer, "/swr", next).await;
    let stale = get(&gw, "/swr", &[]).await;
    assert_eq!(stale.text(), "v1");
    assert_eq!(x_cache(&stale), "STALE");
    eventually(
        "the background revalidation stored v2",
        Duration::from_secs(10),
        || async {
            let reply = get(&gw, "/swr", &[]).await;
            reply.text() == "v2" && x_cache(&reply) == "HIT"
        },
    )
    .await;
    assert_eq!(peer.requests_for("/swr"), 2, "one background revalidation");
}

#[tokio::test]
async fn only_if_cached_without_an_entry_is_504_and_unsafe_methods_invalidate() {
    let peer = scripted(
        "/doc",
        Scripted::ok("doc")
            .header("cache-control", "max-age=60")
            .header("content-location", "/doc-alias"),
    )
    .await;
    peer.script(
        "/doc-alias",
        Scripted::ok("alias").header("cache-control", "max-age=60"),
    );
    let gw = cached(&peer, "", "").await;
    let none = get(&gw, "/doc", &[("cache-control", "only-if-cached")]).await;
    assert_eq!(none.status, 504);
    assert_eq!(peer.requests_for("/doc"), 0);

    get(&gw, "/doc", &[]).await;
    get(&gw, "/doc-alias", &[]).await;
    assert_eq!(x_cache(&get(&gw, "/doc", &[]).await).to_owned(), "HIT");
    let post = request(&gw, Method::POST, "/doc", &[]).await;
    assert_eq!(x_cache(&post), "BYPASS");
    assert_eq!(
        x_cache(&get(&gw, "/doc", &[]).await),
        "MISS",
        "POST invalidated it"
    );
    assert_eq!(
        x_cache(&get(&gw, "/doc-alias", &[]).await),
        "MISS",
        "Content-Location on the same origin invalidated too"
    );
}

/// Each request goes to the origin: the response was not stored for others.
async fn never_shared(gw: &Gateway, peer: &SampleUpstream, path: &str, first: &[(&str, &str)]) {
    let one = get(gw, path, first).await;
    let two = get(gw, path, &[]).await;
    assert_eq!(x_cache(&one), "MISS", "{path}");
    assert_eq!(x_cache(&two), "MISS", "{path}: {}", cache_status(&two));
    assert_eq!(peer.requests_for(path), 2, "{path}");
}

#[tokio::test]
async fn private_responses_are_never_served_to_another_client() {
    let peer = SampleUpstream::builder("origin")
        .path(
            "/auth",
            Scripted::ok("mine").header("cache-control", "max-age=60"),
        )
        .path(
            "/cookie",
            Scripted::ok("c")
                .header("cache-control", "max-age=60")
                .header("set-cookie", "session=alice"),
        )
        .path(
            "/private",
            Scripted::ok("p").header("cache-control", "private, max-age=60"),
        )
        .path(
            "/nostore",
            Scripted::ok("n").header("cache-control", "no-store, max-age=60"),
        )
        .path(
            "/account/profile.css",
            Scripted::ok("secret").header("content-type", "text/css"),
        )
        .path("/missing", Scripted::ok("gone").status(404))
        .path("/broken", Scripted::ok("oops").status(500))
        .path(
            "/shared-auth",
            Scripted::ok("s").header("cache-control", "public, max-age=60"),
        )
        .spawn()
        .await
        .unwrap();
    let gw = cached(&peer, "", "").await;
    never_shared(&gw, &peer, "/auth", &[("authorization", "Bearer alice")]).await;
    never_shared(&gw, &peer, "/cookie", &[]).await;
    never_shared(&gw, &peer, "/private", &[]).await;
    never_shared(&gw, &peer, "/nostore", &[]).await;
    // Web-cache deception: an extension does not make a response cacheable.
    never_shared(&gw, &peer, "/account/profile.css", &[]).await;
    never_shared(&gw, &peer, "/missing", &[]).await;
    never_shared(&gw, &peer, "/broken", &[]).await;
    // An explicit `public` lets a response to an authorized request be shared.
    get(&gw, "/shared-auth", &[("authorization", "Bearer alice")]).await;
    assert_eq!(x_cache(&get(&gw, "/shared-auth", &[]).await), "HIT");
}

/// `count` concurrent GETs of `path`, each held `delay_ms` at the origin.
async fn concurrently(gw: &Gateway, path: &str, count: usize) -> Vec<Reply> {
    let mut tasks = Vec::new();
    for _ in 0..count {
        let url = url(gw, path);
        tasks.push(tokio::spawn(async move {
            Client::http1()
                .request(Method::GET, &url, &[("x-delay-ms", "400")], "")
                .await
                .unwrap()
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

#[tokio::test]
async fn concurrent_misses_make_one_fill_but_waiters_of_a_private_fill_fetch_their_own() {
    let peer = SampleUpstream::builder("origin")
        .path(
            "/popular",
            Scripted::ok("shared").header("cache-control", "max-age=60"),
        )
        .path(
            "/personal",
            Scripted::ok("alice's")
                .header("cache-control", "max-age=60")
                .header("set-cookie", "session=alice"),
        )
        .spawn()
        .await
        .unwrap();
    let gw = cached(&peer, "", "").await;
    let replies = concurrently(&gw, "/popular", 5).await;
    assert!(replies
        .iter()
        .all(|r| r.status == 200 && r.text() == "shared"));
    assert_eq!(peer.requests_for("/popular"), 1, "single-flight");
    assert!(replies
        .iter()
        .any(|r| cache_status(r).contains("collapsed")));

    let replies = concurrently(&gw, "/personal", 5).await;
    assert!(replies.iter().all(|r| r.status == 200));
    assert_eq!(
        peer.requests_for("/personal"),
        5,
        "each waiter went to the origin itself"
    );
    assert!(replies
        .iter()
        .all(|r| !cache_status(r).contains("collapsed") && !cache_status(r).contains("hit")));
}

#[tokio::test]
async fn a_body_larger_than_max_object_size_streams_through_uncached() {
    let big = vec![b'x'; 200 * 1024];
    let peer = scripted(
        "/big",
        Scripted::ok(big.clone()).header("cache-control", "max-age=60"),
    )
    .await;
    let gw = cached(&peer, "", "").await;
    for _ in 0..2 {
        let reply = get(&gw, "/big", &[]).await;
        assert_eq!(reply.body.len(), big.len());
        assert_eq!(x_cache(&reply), "MISS");
        assert!(
            cache_status(&reply).contains("detail=too-large"),
            "{}",
            cache_status(&reply)
        );
    }
    assert_eq!(peer.requests_for("/big"), 2);
}

#[tokio::test]
async fn purge_by_url_tag_and_prefix_hard_or_soft() {
    let peer = SampleUpstream::builder("origin")
        .path(
            "/a",
            Scripted::ok("a")
                .header("cache-control", "max-age=60")
                .header("etag", "\"a\""),
        )
        .path(
            "/tagged",
            Scripted::ok("t")
                .header("cache-control", "max-age=60")
                .header("surrogate-key", "product-1 catalog"),
        )
        .spawn()
        .await
        .unwrap();
    let gw = cached(&peer, "", "").await;
    let host = gw.addr().to_string();

    get(&gw, "/a", &[]).await;
    let done = purge(&gw, &format!("{{\"url\": \"http://{host}/a\"}}")).await;
    assert!(done["purged_l1"].as_u64().unwrap() >= 1, "{done}");
    assert_eq!(x_cache(&get(&gw, "/a", &[]).await), "MISS");

    get(&gw, "/tagged", &[]).await;
    purge(&gw, "{\"tag\": \"catalog\"}").await;
    assert_eq!(x_cache(&get(&gw, "/tagged", &[]).await), "MISS");

    // Soft: kept but stale, so the next request revalidates (304 from the origin).
    assert_eq!(x_cache(&get(&gw, "/a", &[]).await), "HIT");
    purge(
        &gw,
        &format!("{{\"url\": \"http://{host}/a\", \"soft\": true}}"),
    )
    .await;
    let after = get(&gw, "/a", &[]).await;
    assert!(
        cache_status(&after).contains("fwd=stale; fwd-status=304"),
        "{}",
        cache_status(&after)
    );

    purge(&gw, "{\"prefix\": \"GET http://127.0.0.1/\"}").await;
    assert_eq!(x_cache(&get(&gw, "/a", &[]).await), "MISS");

    // Bad requests are refused with a reason.
    let bad = Client::http1()
        .request(
            Method::POST,
            &format!("http://{}/admin/cache/purge", gw.admin_addr()),
            &[("authorization", &format!("Bearer {TOKEN}"))],
            "{\"url\": \"/a\", \"tag\": \"x\"}",
        )
        .await
        .unwrap();
    assert_eq!(bad.status, 400, "{}", bad.text());
    let unauthorized = Client::http1()
        .request(
            Method::POST,
            &format!("http://{}/admin/cache/purge", gw.admin_addr()),
            &[],
            "{\"tag\": \"x\"}",
        )
        .await
        .unwrap();
    assert_eq!(unauthorized.status, 401);
}

/// The value of an unlabelled metric (0 when absent).
fn metric_value(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0)
}

fn with_redis(redis: &RedisServer) -> String {
    format!(
        "redis:\n  url: {}\n  namespace: gwtest\n  timeout: 200ms",
        redis.url()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_share_one_redis_for_entries_purges_and_survive_its_outage() {
    let mut redis = RedisServer::start().unwrap();
    let peer = SampleUpstream::builder("origin")
        .path(
            "/shared",
            Scripted::ok("one").header("cache-control", "max-age=60"),
        )
        .path(
            "/later",
            Scripted::ok("later").header("cache-control", "max-age=60"),
        )
        .spawn()
        .await
        .unwrap();
    let one = cached(&peer, &with_redis(&redis), "").await;
    let two = cached(&peer, &with_redis(&redis), "").await;
    for gw in [&one, &two] {
        eventually(
            "the gateway connected to Redis",
            Duration::from_secs(20),
            || async { metrics(gw).await.contains("perfkit_cache_l2_up 1") },
        )
        .await;
    }

    // Stored through one, an L2 hit through the other.
    assert_eq!(x_cache(&get(&one, "/shared", &[]).await), "MISS");
    let through_two = get(&two, "/shared", &[]).await;
    assert_eq!(x_cache(&through_two), "HIT");
    assert!(
        cache_status(&through_two).contains("detail=l2"),
        "{}",
        cache_status(&through_two)
    );
    assert_eq!(peer.requests_for("/shared"), 1);
    assert_eq!(x_cache(&get(&two, "/shared", &[]).await), "HIT");
    let text = metrics(&two).await;
    for layer in ["l2", "l1"] {
        let line = format!(
            "perfkit_cache_requests_total{{layer=\"{layer}\",result=\"hit\",route=\"app\"}} 1"
        );
        assert!(text.contains(&line), "{line}\n{text}");
    }

    // A purge through two reaches one's L1 (broadcast) and Redis.
    let host = two.addr().to_string();
    purge(&two, &format!("{{\"url\": \"http://{host}/shared\"}}")).await;
    eventually(
        "one received the purge",
        Duration::from_secs(10),
        || async {
            metric_value(
                &metrics(&one).await,
                "perfkit_cache_broadcasts_received_total",
            ) >= 1
        },
    )
    .await;
    assert_eq!(x_cache(&get(&one, "/shared", &[]).await), "MISS");
    assert_eq!(peer.requests_for("/shared"), 2);

    // Redis dies under load: no client errors, L1 keeps hitting, Cache-Status says so.
    redis.stop();
    let mut saw_down = false;
    for _ in 0..200 {
        let reply = get(&one, "/shared", &[]).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.text(), "one");
        if cache_status(&reply).contains("l2-down") {
            saw_down = true;
            assert_eq!(x_cache(&reply), "HIT", "served from L1 while Redis is down");
            break;
        }
        let miss = get(&one, "/later", &[]).await;
        assert_eq!(miss.status, 200);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(saw_down, "Cache-Status never said L2 is down");
    assert!(metrics(&one).await.contains("perfkit_cache_l2_up 0"));

    // Redis back: used again without a restart.
    redis.restart().unwrap();
    eventually(
        "one reconnected to Redis",
        Duration::from_secs(20),
        || async { metrics(&one).await.contains("perfkit_cache_l2_up 1") },
    )
    .await;
    eventually(
        "two reconnected to Redis",
        Duration::from_secs(20),
        || async { metrics(&two).await.contains("perfkit_cache_l2_up 1") },
    )
    .await;
    // The first operations after the restart may still meet the old connections; a
    // fresh entry stored through one soon becomes an L2 hit through two again.
    let attempt = std::sync::atomic::AtomicUsize::new(0);
    eventually(
        "an entry stored through one is an L2 hit through two",
        Duration::from_secs(20),
        || async {
            let path = format!(
                "/after-{}",
                attempt.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            );
            peer.script(
                &path,
                Scripted::ok("again").header("cache-control", "max-age=60"),
            );
            let stored = get(&one, &path, &[]).await;
            assert_eq!(stored.status, 200);
            let reply = get(&two, &path, &[]).await;
            assert_eq!(reply.status, 200);
            x_cache(&reply) == "HIT" && cache_status(&reply).contains("detail=l2")
        },
    )
    .await;
}

#[tokio::test]
async fn stale_if_error_serves_the_stale_entry_when_the_origin_fails() {
    let peer = scripted(
        "/sie",
        Scripted::ok("good").header("cache-control", "max-age=1, stale-if-error=60"),
    )
    .await;
    let gw = cached(&peer, "", "").await;
    store_until_stale(&gw, &peer, "/sie", Scripted::ok("broken").status(500)).await;
    let reply = get(&gw, "/sie", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "good");
    assert!(
        cache_status(&reply).contains("fwd-status=500")
            && cache_status(&reply).contains("detail=stale-if-error"),
        "{}",
        cache_status(&reply)
    );
    assert_eq!(peer.requests_for("/sie"), 2);
}

#[tokio::test]
async fn the_cache_survives_a_reload_and_a_route_without_cache_bypasses_it() {
    let peer = scripted(
        "/kept",
        Scripted::ok("kept").header("cache-control", "max-age=60"),
    )
    .await;
    let gw = cached(&peer, "", "").await;
    get(&gw, "/kept", &[]).await;
    // A reload that leaves the route's cache block alone keeps its entries (one that
    // changes it flushes them: see cdn::cache_yml_is_reloaded_...).
    let yaml = cached_yaml(&peer, "", "");
    gw.reload_with(config_with(
        "max_body_size: 2MiB",
        &format!("token: {TOKEN}"),
        &yaml,
    ))
    .await
    .unwrap();
    assert_eq!(
        x_cache(&get(&gw, "/kept", &[]).await),
        "HIT",
        "kept across the reload"
    );
    assert_eq!(peer.requests_for("/kept"), 1);

    // The same route without a cache block: no cache headers, every request forwarded.
    let plain = single_group("round_robin", &[&peer], "");
    gw.reload_with(config_with("", &format!("token: {TOKEN}"), &plain))
        .await
        .unwrap();
    let reply = get(&gw, "/kept", &[]).await;
    assert!(reply.header("cache-status").is_none());
    assert!(reply.header("x-cache").is_none());
    assert_eq!(peer.requests_for("/kept"), 2);
}

#[tokio::test]
async fn a_body_of_unknown_length_is_teed_and_stored_only_within_the_limit() {
    let small = vec![b's'; 10 * 1024];
    let big = vec![b'b'; 200 * 1024];
    let peer = SampleUpstream::builder("origin")
        .path(
            "/small-chunked",
            Scripted::ok(small.clone())
                .header("cache-control", "max-age=60")
                .chunked(),
        )
        .path(
            "/big-chunked",
            Scripted::ok(big.clone())
                .header("cache-control", "max-age=60")
                .chunked(),
        )
        .spawn()
        .await
        .unwrap();
    let gw = cached(&peer, "", "").await;

    let first = get(&gw, "/small-chunked", &[]).await;
    assert_eq!(first.body.len(), small.len());
    // The copy is stored once the body has ended, after the client got it.
    eventually(
        "the teed body was stored",
        Duration::from_secs(10),
        || async { x_cache(&get(&gw, "/small-chunked", &[]).await) == "HIT" },
    )
    .await;
    let hit = get(&gw, "/small-chunked", &[]).await;
    assert_eq!(hit.body.len(), small.len());
    assert_eq!(
        peer.requests_for("/small-chunked"),
        2.min(peer.requests_for("/small-chunked"))
    );

    for _ in 0..2 {
        let reply = get(&gw, "/big-chunked", &[]).await;
        assert_eq!(reply.body.len(), big.len());
        assert_eq!(x_cache(&reply), "MISS");
    }
    assert_eq!(
        peer.requests_for("/big-chunked"),
        2,
        "past the limit nothing is stored"
    );
}

/// An origin that answers every request with an interim `103 Early Hints` (carrying
/// `x-early`) before its final, cacheable `200`; it counts the requests it reads.
pub(crate) async fn early_hints_origin() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                loop {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        buf.drain(..end + 4);
                        seen.fetch_add(1, Ordering::SeqCst);
                        let answer = "HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload; as=style\r\nx-early: test\r\n\r\n\
                                      HTTP/1.1 200 OK\r\ncache-control: max-age=100000\r\ncontent-length: 5\r\n\r\nfinal";
                        if stream.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (addr, count)
}

#[tokio::test]
async fn interim_responses_are_never_stored_nor_their_fields_merged_into_the_final_one() {
    // cache-tests interim.mjs: interim-not-cached, interim-no-header-reuse.
    let (addr, count) = early_hints_origin().await;
    let gw = gateway(&format!(
        "upstreams:\n  app:\n    servers:\n      - address: {addr}\nroutes:\n  - name: app\n    path_prefix: /\n    upstream: app\n    cache:\n      x_cache_header: true\ncache:\n  max_object_size: 64KiB\n"
    ))
    .await;
    let first = get(&gw, "/i", &[]).await;
    assert_eq!(
        (first.status.as_u16(), first.text().as_str()),
        (200, "final")
    );
    assert_eq!(
        first.header("x-cache"),
        Some("MISS"),
        "{}",
        cache_status(&first)
    );
    assert!(first.header("x-early").is_none());
    let second = get(&gw, "/i", &[]).await;
    assert_eq!(
        (second.status.as_u16(), second.text().as_str()),
        (200, "final")
    );
    assert_eq!(
        second.header("x-cache"),
        Some("HIT"),
        "{}",
        cache_status(&second)
    );
    assert!(second.header("x-early").is_none() && second.header("link").is_none());
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    gw.shutdown().await;
}
