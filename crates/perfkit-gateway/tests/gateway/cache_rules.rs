//! Per-route cache rules through HTTP: targeted cache-control fields (RFC 9213),
//! key normalisation (query order, allowed and denied parameters, headers,
//! cookies) and the cap on `Vary` variants.

use perfkit_gateway::Gateway;
use perfkit_testkit::{SampleUpstream, Scripted};

use crate::support::get_with as get;
use crate::support::*;

/// One caching route per `(path, cache block)`, all to `peer`, plus `global` lines
/// of the cache section.
async fn routes(peer: &SampleUpstream, blocks: &[(&str, &str)], global: &str) -> Gateway {
    let mut yaml = format!(
        "upstreams:\n  app:\n    servers:\n      - address: {}\nroutes:\n",
        peer.addr()
    );
    for (path, block) in blocks {
        yaml.push_str(&format!(
            "  - path: {path}\n    upstream: app\n    cache: {{ x_cache_header: true, {block} }}\n"
        ));
    }
    yaml.push_str(&format!("cache:\n  max_object_size: 64KiB\n{global}"));
    gateway(&yaml).await
}

#[tokio::test]
async fn a_route_obeys_the_targeted_fields_it_names_and_removes_them() {
    // Browsers may not keep it; CDNs (and this cache, when told) may for a minute.
    let targeted = |field: &str| {
        Scripted::ok("t")
            .header("cache-control", "max-age=0")
            .header(field, "max-age=60")
    };
    let peer = SampleUpstream::builder("origin")
        .path("/cdn", targeted("cdn-cache-control"))
        .path("/surrogate", targeted("surrogate-control"))
        .path("/plain", targeted("cdn-cache-control"))
        .spawn()
        .await
        .unwrap();
    let gw = routes(
        &peer,
        &[
            ("/cdn", "targeted_fields: [CDN-Cache-Control]"),
            (
                "/surrogate",
                "targeted_fields: [cdn-cache-control, surrogate-control]",
            ),
            ("/plain", "targeted_fields: []"),
        ],
        // The cache section's list, which the routes above replace.
        "  targeted_fields: [surrogate-control]\n",
    )
    .await;
    for path in ["/cdn", "/surrogate"] {
        let first = get(&gw, path, &[]).await;
        assert_eq!(x_cache(&first), "MISS", "{path}");
        assert_eq!(first.header("cache-control"), Some("max-age=0"));
        assert_eq!(first.header("cdn-cache-control"), None, "{path}: removed");
        assert_eq!(first.header("surrogate-control"), None, "{path}: removed");
        let second = get(&gw, path, &[]).await;
        assert_eq!(
            x_cache(&second),
            "HIT",
            "{path}: fresh by the targeted field"
        );
        assert_eq!(second.header("cdn-cache-control"), None);
        assert_eq!(second.header("surrogate-control"), None);
        assert_eq!(peer.requests_for(path), 1);
    }
    // A route naming none: Cache-Control rules, and the field goes downstream.
    let plain = get(&gw, "/plain", &[]).await;
    assert_eq!(plain.header("cdn-cache-control"), Some("max-age=60"));
    assert_ne!(x_cache(&get(&gw, "/plain", &[]).await), "HIT");
    assert_eq!(peer.requests_for("/plain"), 2);
}

#[tokio::test]
async fn key_normalisation_shares_entries_only_where_configured() {
    let fresh = || Scripted::ok("k").header("cache-control", "max-age=60");
    let peer = SampleUpstream::builder("origin")
        .path("/sorted", fresh())
        .path("/allowed", fresh())
        .path("/raw", fresh())
        .path("/tenant", fresh())
        .spawn()
        .await
        .unwrap();
    let gw = routes(
        &peer,
        &[
            (
                "/sorted",
                "key: { sort_query: true, query_deny: [utm_source] }",
            ),
            ("/allowed", "key: { query_allow: [id] }"),
            ("/raw", "key: {}"),
            ("/tenant", "key: { headers: [x-tenant], cookies: [lang] }"),
        ],
        "",
    )
    .await;

    assert_eq!(x_cache(&get(&gw, "/sorted?b=1&a=2", &[]).await), "MISS");
    assert_eq!(
        x_cache(&get(&gw, "/sorted?a=2&utm_source=mail&b=1", &[]).await),
        "HIT",
        "order and utm_source ignored"
    );
    assert_eq!(x_cache(&get(&gw, "/sorted?a=3&b=1", &[]).await), "MISS");

    assert_eq!(x_cache(&get(&gw, "/allowed?id=1&x=1", &[]).await), "MISS");
    assert_eq!(x_cache(&get(&gw, "/allowed?x=2&id=1", &[]).await), "HIT");
    assert_eq!(x_cache(&get(&gw, "/allowed?id=2", &[]).await), "MISS");

    // Without rules the query is the query: order matters.
    assert_eq!(x_cache(&get(&gw, "/raw?b=1&a=2", &[]).await), "MISS");
    assert_eq!(x_cache(&get(&gw, "/raw?a=2&b=1", &[]).await), "MISS");
    assert_eq!(x_cache(&get(&gw, "/raw?b=1&a=2", &[]).await), "HIT");

    let acme = [("x-tenant", "acme"), ("cookie", "lang=en; session=1")];
    assert_eq!(x_cache(&get(&gw, "/tenant", &acme).await), "MISS");
    let other_session = [("x-tenant", "acme"), ("cookie", "session=2; lang=en")];
    assert_eq!(
        x_cache(&get(&gw, "/tenant", &other_session).await),
        "HIT",
        "only the named cookie counts"
    );
    let other_lang = [("x-tenant", "acme"), ("cookie", "lang=fr")];
    assert_eq!(x_cache(&get(&gw, "/tenant", &other_lang).await), "MISS");
    let other_tenant = [("x-tenant", "globex"), ("cookie", "lang=en")];
    assert_eq!(x_cache(&get(&gw, "/tenant", &other_tenant).await), "MISS");
    assert_eq!(peer.requests_for("/tenant"), 3);
}

#[tokio::test]
async fn variants_past_max_variants_push_out_the_oldest() {
    let peer = SampleUpstream::builder("origin")
        .path(
            "/greeting",
            Scripted::ok("hi")
                .header("cache-control", "max-age=60")
                .header("vary", "accept-language"),
        )
        .spawn()
        .await
        .unwrap();
    let gw = routes(&peer, &[("/greeting", "key: {}")], "  max_variants: 2\n").await;
    let lang = |l: &'static str| [("accept-language", l)];
    for l in ["en", "fr"] {
        assert_eq!(x_cache(&get(&gw, "/greeting", &lang(l)).await), "MISS");
    }
    for l in ["en", "fr"] {
        assert_eq!(
            x_cache(&get(&gw, "/greeting", &lang(l)).await),
            "HIT",
            "{l}"
        );
    }
    // A third variant: the oldest (en) goes, the other stays.
    assert_eq!(x_cache(&get(&gw, "/greeting", &lang("de")).await), "MISS");
    assert_eq!(x_cache(&get(&gw, "/greeting", &lang("de")).await), "HIT");
    assert_eq!(x_cache(&get(&gw, "/greeting", &lang("fr")).await), "HIT");
    assert_eq!(x_cache(&get(&gw, "/greeting", &lang("en")).await), "MISS");
    assert_eq!(peer.requests_for("/greeting"), 4);
}

#[tokio::test]
async fn ttl_jitter_spreads_the_expiry_of_entries_stored_together() {
    const URLS: usize = 30;
    let mut builder = SampleUpstream::builder("origin");
    for i in 0..URLS {
        builder = builder.path(
            &format!("/j/{i}"),
            Scripted::ok("j").header("cache-control", "max-age=6"),
        );
    }
    let peer = builder.spawn().await.unwrap();
    // Each entry is kept between 0 and 6 s (no stale keeping): about half are gone
    // 3 s later.
    let gw = routes(
        &peer,
        &[("/j/{n}", "key: {}")],
        "  ttl_jitter: 1.0\n  keep_stale: 0s\n",
    )
    .await;
    let stored = std::time::Instant::now();
    for i in 0..URLS {
        assert_eq!(x_cache(&get(&gw, &format!("/j/{i}"), &[]).await), "MISS");
    }
    // The behaviour under test is the passage of time itself.
    tokio::time::sleep_until((stored + std::time::Duration::from_secs(3)).into()).await;
    let mut outcomes = Vec::new();
    for i in 0..URLS {
        outcomes.push(x_cache(&get(&gw, &format!("/j/{i}"), &[]).await).to_owned());
    }
    let misses = outcomes.iter().filter(|o| *o == "MISS").count();
    // Without jitter every entry is fresh and kept for 6 s: all would be hits.
    // (All 30 kept past 3 s by chance: 2^-30; all gone: likewise.)
    assert!(misses >= 1, "no entry expired early: {outcomes:?}");
    assert!(
        misses < URLS,
        "every entry expired within 3 s: {outcomes:?}"
    );
}
