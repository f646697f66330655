//! What crosses the proxy: hop-by-hop headers, forwarding headers, host, paths, h2c.

use perfkit_testkit::{Client, SampleUpstream};

use crate::support::*;

#[tokio::test]
async fn hop_by_hop_headers_are_stripped_both_ways() {
    let peer = SampleUpstream::builder("hop")
        .header("connection", "x-upstream-private")
        .header("x-upstream-private", "secret")
        .header("keep-alive", "timeout=5")
        .header("x-kept", "yes")
        .spawn()
        .await
        .unwrap();
    let gw = gateway(&single_group("round_robin", &[&peer], "")).await;
    let reply = Client::http1()
        .request(
            http::Method::GET,
            &url(&gw, "/h"),
            &[
                ("connection", "keep-alive, x-client-private"),
                ("x-client-private", "1"),
                ("keep-alive", "timeout=5"),
                ("te", "trailers"),
                ("proxy-authorization", "Basic Zm9vOmJhcg=="),
                ("upgrade", "websocket"),
                ("x-end-to-end", "kept"),
            ],
            "",
        )
        .await
        .unwrap();
    let echo = reply.echo().unwrap();
    for name in [
        "x-client-private",
        "keep-alive",
        "te",
        "proxy-authorization",
        "upgrade",
    ] {
        assert!(
            echo.header(name).is_empty(),
            "{name} reached the upstream: {:?}",
            echo.headers
        );
    }
    assert_eq!(echo.header("x-end-to-end"), ["kept"]);
    assert!(reply.header("x-upstream-private").is_none());
    assert!(reply.header("keep-alive").is_none());
    assert_eq!(reply.header("x-kept"), Some("yes"));
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_replaced() {
    let peer = SampleUpstream::start_named("xff").await.unwrap();
    let gw = gateway(&single_group("round_robin", &[&peer], "")).await;
    let reply = Client::http1()
        .request(
            http::Method::GET,
            &url(&gw, "/"),
            &[
                ("x-forwarded-for", "1.2.3.4"),
                ("forwarded", "for=1.2.3.4"),
                ("x-forwarded-proto", "https"),
            ],
            "",
        )
        .await
        .unwrap();
    let echo = reply.echo().unwrap();
    assert_eq!(echo.header("x-forwarded-for"), ["127.0.0.1"]);
    assert_eq!(echo.header("x-forwarded-proto"), ["http"]);
    assert_eq!(echo.header("forwarded"), ["for=127.0.0.1;proto=http"]);
}

#[tokio::test]
async fn forwarded_for_from_a_trusted_proxy_is_extended() {
    let peer = SampleUpstream::start_named("xff").await.unwrap();
    let yaml = single_group("round_robin", &[&peer], "");
    let gw = gateway(&yaml).await;
    // Same gateway, but trusting loopback: reload with the setting changed.
    let config = config_with("trusted_proxies: [127.0.0.0/8]", "", &yaml);
    gw.reload_with(config).await.unwrap();
    let reply = Client::http1()
        .request(
            http::Method::GET,
            &url(&gw, "/"),
            &[
                ("x-forwarded-for", "1.2.3.4"),
                ("x-forwarded-proto", "https"),
            ],
            "",
        )
        .await
        .unwrap();
    let echo = reply.echo().unwrap();
    assert_eq!(echo.header("x-forwarded-for"), ["1.2.3.4, 127.0.0.1"]);
    assert_eq!(echo.header("x-forwarded-proto"), ["https"]);
}

#[tokio::test]
async fn routes_by_host_and_prefix_and_preserves_host() {
    let (api, web, admin) = (
        SampleUpstream::start_named("api").await.unwrap(),
        SampleUpstream::start_named("web").await.unwrap(),
        SampleUpstream::start_named("admin").await.unwrap(),
    );
    let yaml = format!(
        "upstreams:\n  api: {{servers: [{{address: \"{}\"}}]}}\n  web: {{servers: [{{address: \"{}\"}}]}}\n  admin: {{servers: [{{address: \"{}\"}}]}}\n\
         routes:\n  - {{path_prefix: /api, upstream: api, strip_prefix: true}}\n  - {{path_prefix: /, upstream: web}}\n  - {{host: \"*.internal\", path_prefix: /, upstream: admin}}\n",
        api.addr(), web.addr(), admin.addr()
    );
    let gw = gateway(&yaml).await;
    let client = Client::http1();
    let reply = client.get(&url(&gw, "/api/users?id=7")).await.unwrap();
    let echo = reply.echo().unwrap();
    assert_eq!(
        (echo.upstream.as_str(), echo.path.as_str()),
        ("api", "/users?id=7")
    );
    assert_eq!(echo.header("host"), [gw.addr().to_string()]);
    assert_eq!(
        client
            .get(&url(&gw, "/apiary"))
            .await
            .unwrap()
            .echo()
            .unwrap()
            .upstream,
        "web"
    );
    let reply = client
        .request(
            http::Method::GET,
            &url(&gw, "/api/x"),
            &[("host", "ops.internal")],
            "",
        )
        .await
        .unwrap();
    let echo = reply.echo().unwrap();
    assert_eq!(
        (echo.upstream.as_str(), echo.path.as_str()),
        ("admin", "/api/x")
    );
    assert_eq!(echo.header("host"), ["ops.internal"]);
}

#[tokio::test]
async fn h2c_clients_are_proxied_to_http1_upstreams() {
    let peer = SampleUpstream::start_named("h2").await.unwrap();
    let gw = gateway(&single_group("round_robin", &[&peer], "")).await;
    let client = Client::h2c();
    for i in 0..5 {
        let reply = client.get(&url(&gw, &format!("/h2/{i}"))).await.unwrap();
        assert_eq!(reply.status, 200);
        let echo = reply.echo().unwrap();
        assert_eq!(echo.path, format!("/h2/{i}"));
        assert_eq!(echo.header("host"), [gw.addr().to_string()]);
    }
}
