//! Route path patterns (routing, metrics and rate-limit labels, tag templates), the
//! per-route headers for CDNs downstream, and the fan-out of purges to CDN purge
//! webhooks (a local recording server stands in for the CDN's API, over plain HTTP
//! or over TLS with an rcgen self-signed certificate).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, Reply, SampleUpstream, Scripted};
use tokio::sync::Semaphore;

use crate::support::*;

async fn get(gw: &Gateway, path: &str) -> Reply {
    Client::http1().get(&url(gw, path)).await.unwrap()
}

fn fresh(body: &'static str) -> Scripted {
    Scripted::ok(body).header("cache-control", "max-age=60")
}

const USERS_ROUTES: &str = "\
routes:
  - path: /users/{id}
    upstream: app
    cache:
      x_cache_header: true
      tags: [\"user:{id}\"]
      cdn:
        cache_control: public, max-age=30
        cdn_cache_control: max-age=600
        surrogate_key: true
  - path: /users/{id}/files/{rest...}
    upstream: app
    cache:
      x_cache_header: true
      tags: [\"user:{id}\", \"file:{rest}\"]
  - path_prefix: /
    upstream: app
rate_limits:
  rules:
    - name: users
      match: { routes: [\"/users/{id}\"] }
      limit: { rate: 1000, period: 1m }
";

/// A gateway with [`USERS_ROUTES`] in front of `peer`.
async fn users_gateway(peer: &SampleUpstream) -> Gateway {
    gateway(&format!(
        "upstreams:\n  app:\n    servers:\n      - address: {}\n{USERS_ROUTES}",
        peer.addr()
    ))
    .await
}

#[tokio::test]
async fn path_patterns_route_label_metrics_and_limits_and_fill_purgeable_tags() {
    let peer = SampleUpstream::builder("origin")
        .path("/users/42", fresh("forty-two"))
        .path("/users/7", fresh("seven").header("surrogate-key", "team-a"))
        .path(
            "/users/9",
            Scripted::ok("nine").header("cache-control", "private, max-age=60"),
        )
        .path("/users/42/files/a/b.txt", fresh("file"))
        .path("/other", fresh("other"))
        .spawn()
        .await
        .unwrap();
    let gw = users_gateway(&peer).await;

    let first = get(&gw, "/users/42").await;
    assert_eq!(first.text(), "forty-two");
    assert_eq!(x_cache(&first), "MISS");
    // The CDN headers replace the origin's on a shareable response.
    assert_eq!(first.header("cache-control"), Some("public, max-age=30"));
    assert_eq!(first.header("cdn-cache-control"), Some("max-age=600"));
    assert_eq!(first.header("surrogate-key"), Some("user:42"));
    // The rate-limit rule selects the route by its pattern.
    assert!(
        first
            .header("ratelimit-policy")
            .is_some_and(|p| p.contains("\"users\"")),
        "{:?}",
        first.headers
    );

    let seven = get(&gw, "/users/7").await;
    assert_eq!(seven.header("surrogate-key"), Some("team-a user:7"));

    for path in ["/users/42", "/users/7"] {
        let hit = get(&gw, path).await;
        assert_eq!(x_cache(&hit), "HIT", "{path}");
        assert_eq!(hit.header("cache-control"), Some("public, max-age=30"));
        assert!(hit.header("surrogate-key").unwrap().contains("user:"));
    }
    assert_eq!(peer.requests_for("/users/42"), 1);

    // A response the cache may not share keeps the origin's headers.
    let private = get(&gw, "/users/9").await;
    assert_eq!(private.header("cache-control"), Some("private, max-age=60"));
    assert_eq!(private.header("cdn-cache-control"), None);
    assert_eq!(private.header("surrogate-key"), None);

    // Another route: no rule, no CDN headers.
    let other = get(&gw, "/other").await;
    assert_eq!(other.header("ratelimit-policy"), None);
    assert_eq!(other.header("cache-control"), Some("max-age=60"));

    // Metrics carry the pattern, never the raw path.
    let text = metrics(&gw).await;
    assert!(
        text.contains(
            "perfkit_cache_requests_total{layer=\"l1\",result=\"hit\",route=\"/users/{id}\"} 2"
        ),
        "{text}"
    );
    assert!(!text.contains("route=\"/users/42\""), "{text}");

    // A purge by a templated tag reaches exactly that user's entries.
    get(&gw, "/users/42/files/a/b.txt").await;
    let done = purge(&gw, "{\"tag\": \"user:42\"}").await;
    assert!(done["purged_l1"].as_u64().unwrap() >= 2, "{done}");
    assert_eq!(x_cache(&get(&gw, "/users/42").await), "MISS");
    assert_eq!(x_cache(&get(&gw, "/users/7").await), "HIT");
    assert_eq!(x_cache(&get(&gw, "/users/42/files/a/b.txt").await), "MISS");
    // A rest capture fills a tag too.
    purge(&gw, "{\"tag\": \"file:a/b.txt\"}").await;
    assert_eq!(x_cache(&get(&gw, "/users/42/files/a/b.txt").await), "MISS");
    // The origin's Surrogate-Key tags keep working beside the templates.
    purge(&gw, "{\"tag\": \"team-a\"}").await;
    assert_eq!(x_cache(&get(&gw, "/users/7").await), "MISS");
}

#[tokio::test]
async fn tag_captures_are_percent_decoded_and_a_head_miss_gets_the_cdn_headers() {
    let peer = SampleUpstream::builder("origin")
        .path("/users/%41", fresh("a"))
        .path("/users/B", fresh("b"))
        .spawn()
        .await
        .unwrap();
    let gw = users_gateway(&peer).await;

    // A HEAD miss is not stored but is as shareable as the GET would be.
    let head = Client::http1()
        .request(http::Method::HEAD, &url(&gw, "/users/B"), &[], "")
        .await
        .unwrap();
    assert_eq!(x_cache(&head), "MISS");
    assert_eq!(head.header("cache-control"), Some("public, max-age=30"));
    assert_eq!(head.header("cdn-cache-control"), Some("max-age=600"));
    assert_eq!(head.header("surrogate-key"), Some("user:B"));

    // `/users/%41` is user A: its tag names the decoded capture.
    let first = get(&gw, "/users/%41").await;
    assert_eq!(first.text(), "a");
    assert_eq!(first.header("surrogate-key"), Some("user:A"));
    assert_eq!(x_cache(&get(&gw, "/users/%41").await), "HIT");
    purge(&gw, "{\"tag\": \"user:A\"}").await;
    assert_eq!(x_cache(&get(&gw, "/users/%41").await), "MISS");
}

/// One call a webhook received.
#[derive(Debug, Clone)]
struct Call {
    headers: HeaderMap,
    body: serde_json::Value,
}

/// A stand-in for a CDN's purge API: records every call and answers with the next
/// of `statuses` (the last one repeats). While `hold` has no permit, calls wait.
#[derive(Clone)]
struct Webhook {
    addr: SocketAddr,
    calls: Arc<Mutex<Vec<Call>>>,
    hold: Arc<Semaphore>,
    /// `https://` when it speaks TLS.
    scheme: &'static str,
    /// TLS handshakes that failed (the client refused the certificate).
    refused: Arc<std::sync::atomic::AtomicUsize>,
}

impl Webhook {
    async fn start(statuses: &[u16], held: bool) -> Webhook {
        Webhook::start_with(statuses, held, None).await
    }

    /// Over TLS, with `acceptor`'s certificate.
    async fn start_tls(statuses: &[u16], acceptor: tokio_rustls::TlsAcceptor) -> Webhook {
        Webhook::start_with(statuses, false, Some(acceptor)).await
    }

    async fn start_with(
        statuses: &[u16],
        held: bool,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> Webhook {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook = Webhook {
            addr: listener.local_addr().unwrap(),
            calls: Arc::default(),
            hold: Arc::new(Semaphore::new(if held {
                0
            } else {
                Semaphore::MAX_PERMITS
            })),
            scheme: if tls.is_some() { "https" } else { "http" },
            refused: Arc::default(),
        };
        let statuses = statuses.to_vec();
        let state = hook.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = state.clone();
                let statuses = statuses.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => state.serve(TokioIo::new(stream), statuses).await,
                        Some(acceptor) => match acceptor.accept(stream).await {
                            Ok(stream) => state.serve(TokioIo::new(stream), statuses).await,
                            Err(_) => {
                                state
                                    .refused
                                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            }
                        },
                    }
                });
            }
        });
        hook
    }

    /// Answers the requests of one connection.
    async fn serve<IO>(self, io: IO, statuses: Vec<u16>)
    where
        IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let state = self;
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let state = state.clone();
            let statuses = statuses.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = body
                    .collect()
                    .await
                    .map(|b| b.to_bytes())
                    .unwrap_or_default();
                let index = {
                    let mut calls = state.calls.lock().unwrap();
                    calls.push(Call {
                        headers: parts.headers,
                        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                    });
                    calls.len() - 1
                };
                let _permit = state.hold.acquire().await;
                let status = statuses[index.min(statuses.len() - 1)];
                let mut response = Response::new(Full::new(Bytes::from_static(b"{}")));
                *response.status_mut() = StatusCode::from_u16(status).unwrap();
                Ok::<_, Infallible>(response)
            }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(io, service)
            .await;
    }

    fn url(&self) -> String {
        format!("{}://{}/purge", self.scheme, self.addr)
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

async fn cdn_gateway(peer: &SampleUpstream, webhooks: &str) -> Gateway {
    gateway(&format!(
        "upstreams:\n  app:\n    servers:\n      - address: {}\nroutes:\n  - path_prefix: /\n    upstream: app\n    cache: {{ x_cache_header: true }}\ncache:\n{webhooks}",
        peer.addr()
    ))
    .await
}

#[tokio::test]
async fn every_purge_is_posted_to_the_cdn_webhooks_with_retries_counted() {
    let peer = SampleUpstream::builder("origin")
        .path("/a", fresh("a"))
        .spawn()
        .await
        .unwrap();
    // Fails twice, then accepts.
    let flaky = Webhook::start(&[503, 503, 200], false).await;
    // Never accepts.
    let broken = Webhook::start(&[500], false).await;
    let gw = cdn_gateway(
        &peer,
        &format!(
            "  purge_webhook_wait: 30s
  purge_webhooks:
    - url: {}
      auth_header: \"Fastly-Key: k3y\"
      retries: 3
      backoff: 10ms
    - name: broken
      url: {}
      retries: 1
      backoff: 10ms
",
            flaky.url(),
            broken.url()
        ),
    )
    .await;
    let host = gw.addr().to_string();

    get(&gw, "/a").await;
    let done = purge(&gw, &format!("{{\"url\": \"http://{host}/a\"}}")).await;
    assert!(
        done["purged_l1"].as_u64().unwrap() >= 1,
        "the gateway's own purge still happens: {done}"
    );
    assert_eq!(
        done["cdn"],
        serde_json::json!({"delivered": 1, "failed": 1, "pending": 0}),
        "{done}"
    );
    let calls = flaky.calls();
    assert_eq!(calls.len(), 3, "two failures retried: {calls:?}");
    for call in &calls {
        assert_eq!(
            call.body,
            serde_json::json!({"type": "url", "value": format!("http://{host}/a"), "soft": false})
        );
        assert_eq!(call.headers.get("fastly-key").unwrap(), "k3y");
        assert_eq!(
            call.headers.get("content-type").unwrap(),
            "application/json"
        );
    }
    assert_eq!(broken.calls().len(), 2, "one try and one retry");
    assert!(broken.calls()[0].headers.get("fastly-key").is_none());

    // Tag and prefix purges, soft or hard, go out the same way.
    purge(&gw, "{\"tag\": \"catalog\", \"soft\": true}").await;
    purge(&gw, "{\"prefix\": \"GET http://127.0.0.1/\"}").await;
    let bodies: Vec<serde_json::Value> = flaky.calls().into_iter().map(|c| c.body).collect();
    assert_eq!(
        bodies[3..],
        [
            serde_json::json!({"type": "tag", "value": "catalog", "soft": true}),
            serde_json::json!({"type": "prefix", "value": "GET http://127.0.0.1/", "soft": false}),
        ]
    );

    let text = metrics(&gw).await;
    let flaky_label = flaky.addr.to_string();
    for line in [
        format!(
            "perfkit_cache_cdn_purges_total{{result=\"delivered\",webhook=\"{flaky_label}\"}} 3"
        ),
        "perfkit_cache_cdn_purges_total{result=\"failed\",webhook=\"broken\"} 3".to_owned(),
        format!("perfkit_cache_cdn_purge_retries_total{{webhook=\"{flaky_label}\"}} 2"),
        "perfkit_cache_cdn_purge_retries_total{webhook=\"broken\"} 3".to_owned(),
    ] {
        assert!(text.contains(&line), "{line} in\n{text}");
    }
}

#[tokio::test]
async fn a_slow_webhook_does_not_hold_the_purge_past_its_bound_and_still_completes() {
    let peer = SampleUpstream::builder("origin")
        .path("/a", fresh("a"))
        .spawn()
        .await
        .unwrap();
    let slow = Webhook::start(&[200], true).await;
    let gw = cdn_gateway(
        &peer,
        &format!(
            "  purge_webhook_wait: 100ms
  purge_webhooks:
    - name: slow
      url: {}
      timeout: 60s
",
            slow.url()
        ),
    )
    .await;
    get(&gw, "/a").await;
    let done = purge(&gw, "{\"tag\": \"x\"}").await;
    assert_eq!(
        done["cdn"],
        serde_json::json!({"delivered": 0, "failed": 0, "pending": 1}),
        "the purge answered while the webhook was still waiting: {done}"
    );
    assert_eq!(slow.calls().len(), 1);
    // Released, the delivery finishes in the background and is counted.
    slow.hold.add_permits(Semaphore::MAX_PERMITS);
    eventually(
        "the held delivery is counted",
        Duration::from_secs(20),
        || {
            let gw = &gw;
            async move {
                metrics(gw).await.contains(
                    "perfkit_cache_cdn_purges_total{result=\"delivered\",webhook=\"slow\"} 1",
                )
            }
        },
    )
    .await;
}

#[tokio::test]
async fn cache_yml_is_reloaded_and_a_route_whose_cache_changed_is_flushed() {
    let peer = SampleUpstream::builder("origin")
        .path("/a/1", fresh("a1"))
        .path("/b", fresh("b"))
        .spawn()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "perfkit-cache-yml-{}-{}",
        std::process::id(),
        peer.addr().port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let main = dir.join("perfkit.yml");
    let main_yaml = format!(
        "server:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n  token: {TOKEN}\nupstreams:\n  app:\n    servers:\n      - address: {}\nroutes:\n  - name: a\n    path: /a/{{id}}\n    upstream: app\n  - name: b\n    path_prefix: /b\n    upstream: app\n",
        peer.addr()
    );
    std::fs::write(&main, &main_yaml).unwrap();
    let cache_yml = dir.join("cache.yml");
    let blocks = "routes:\n  a: { x_cache_header: true }\n  b: { x_cache_header: true }\n";
    std::fs::write(&cache_yml, blocks).unwrap();
    let config = perfkit_config::Config::load(&main).unwrap();
    let gw = Gateway::start(config, Some(main.clone())).await.unwrap();

    for path in ["/a/1", "/b"] {
        assert_eq!(x_cache(&get(&gw, path).await), "MISS", "{path}");
        assert_eq!(x_cache(&get(&gw, path).await), "HIT", "{path}");
    }

    // Route a's cache block changes: its entries go, route b's stay.
    std::fs::write(
        &cache_yml,
        blocks.replace(
            "a: { x_cache_header: true }",
            "a: { x_cache_header: true, tags: [\"item:{id}\"] }",
        ),
    )
    .unwrap();
    assert_eq!(gw.reload().await.unwrap(), 2);
    assert_eq!(
        x_cache(&get(&gw, "/a/1").await),
        "MISS",
        "flushed on reload"
    );
    assert_eq!(
        x_cache(&get(&gw, "/b").await),
        "HIT",
        "unchanged route kept"
    );
    assert_eq!(peer.requests_for("/b"), 1);
    // The reloaded block applies: its template tagged the new entry.
    assert_eq!(x_cache(&get(&gw, "/a/1").await), "HIT");
    purge(&gw, "{\"tag\": \"item:1\"}").await;
    assert_eq!(x_cache(&get(&gw, "/a/1").await), "MISS");

    // A broken cache.yml is refused with its location; the running config stays.
    std::fs::write(&cache_yml, format!("{blocks}max_object_size: 1GiB\n")).unwrap();
    let err = gw.reload().await.unwrap_err().to_string();
    assert!(err.contains("cache.yml:4:1: max_object_size"), "{err}");
    assert_eq!(x_cache(&get(&gw, "/b").await), "HIT");

    // So is a cache: section in perfkit.yml beside cache.yml.
    std::fs::write(&cache_yml, blocks).unwrap();
    std::fs::write(&main, format!("{main_yaml}cache:\n  max_memory: 1MiB\n")).unwrap();
    let err = gw.reload().await.unwrap_err().to_string();
    assert!(
        err.contains("perfkit.yml:17:1: cache: the cache is configured in"),
        "{err}"
    );
    assert_eq!(gw.generation(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A TLS server config for `localhost` with a fresh self-signed certificate, and that
/// certificate in PEM (the CA file a client needs to trust it).
fn self_signed_localhost() -> (tokio_rustls::TlsAcceptor, String) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    (
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        certified.cert.pem(),
    )
}

#[tokio::test]
async fn https_webhooks_are_verified_against_their_ca_file_or_the_public_roots() {
    let peer = SampleUpstream::builder("origin")
        .path("/a", fresh("a"))
        .spawn()
        .await
        .unwrap();
    let (acceptor, pem) = self_signed_localhost();
    let cdn = Webhook::start_tls(&[200], acceptor).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("cdn-ca.pem");
    std::fs::write(&ca_file, pem).unwrap();
    // The certificate names `localhost`, not 127.0.0.1.
    let url = cdn.url().replace("127.0.0.1", "localhost");
    assert!(url.starts_with("https://localhost:"), "{url}");
    let gw = cdn_gateway(
        &peer,
        &format!(
            "  purge_webhook_wait: 30s
  purge_webhooks:
    - name: trusted
      url: {url}
      ca_file: {}
      auth_header: \"Fastly-Key: k3y\"
      retries: 0
    - name: public-roots
      url: {url}
      retries: 0
",
            ca_file.display()
        ),
    )
    .await;
    let host = gw.addr().to_string();
    get(&gw, "/a").await;
    let done = purge(&gw, &format!("{{\"url\": \"http://{host}/a\"}}")).await;
    // The self-signed certificate chains to the CA file, not to Mozilla's roots.
    assert_eq!(
        done["cdn"],
        serde_json::json!({"delivered": 1, "failed": 1, "pending": 0}),
        "{done}"
    );
    let calls = cdn.calls();
    assert_eq!(
        calls.len(),
        1,
        "only the trusting client got through: {calls:?}"
    );
    assert_eq!(
        calls[0].body,
        serde_json::json!({"type": "url", "value": format!("http://{host}/a"), "soft": false})
    );
    assert_eq!(calls[0].headers.get("fastly-key").unwrap(), "k3y");
    assert_eq!(
        calls[0].headers.get("host").unwrap(),
        &url.trim_start_matches("https://")
            .trim_end_matches("/purge")
    );
    // The client without the CA file refused the certificate in the handshake (the
    // server sees that alert just after the client gave up).
    let refused = Arc::clone(&cdn.refused);
    eventually(
        "the server sees the refused handshake",
        Duration::from_secs(10),
        || {
            let seen = refused.load(std::sync::atomic::Ordering::SeqCst) == 1;
            async move { seen }
        },
    )
    .await;
    gw.shutdown().await;
}
