//! The CDN layer in front of the gateway: headers for downstream caches on a caching
//! route's shareable responses (`cache.cdn:` per route), and the fan-out of every
//! admin purge to the CDN purge webhooks (`cache.purge_webhooks`).
//!
//! A purge answers once the gateway's own purge is done and the webhooks have
//! answered or `cache.purge_webhook_wait` has passed, whichever is first; deliveries
//! still running then go on in the background (with their retries), and every
//! outcome is logged and counted in `perfkit_cache_cdn_purges_total`.
//!
//! `https://` webhooks are reached over TLS (rustls, ring provider): the server
//! certificate must chain to Mozilla's roots (webpki-roots), or, when the webhook
//! names a `ca_file`, to the certificates in that PEM file only. Each attempt opens
//! its own TLS connection (purges are rare; nothing is pooled).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use hyper_util::rt::TokioIo;
use perfkit_cache::Purge;
use perfkit_config::{CdnHeadersConfig, PurgeWebhookConfig};
use prometheus::{IntCounterVec, Opts, Registry};

const CDN_CACHE_CONTROL: HeaderName = HeaderName::from_static("cdn-cache-control");
const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");

/// A route's `cache.cdn:` headers, as header values built once per config generation.
#[derive(Debug)]
pub struct CdnHeaders {
    cache_control: Option<HeaderValue>,
    cdn_cache_control: Option<HeaderValue>,
    surrogate_key: bool,
}

impl CdnHeaders {
    /// The validated config's values are header values; one that is not is left out.
    pub fn build(config: &CdnHeadersConfig) -> CdnHeaders {
        let value =
            |text: &Option<String>| text.as_deref().and_then(|t| HeaderValue::from_str(t).ok());
        CdnHeaders {
            cache_control: value(&config.cache_control),
            cdn_cache_control: value(&config.cdn_cache_control),
            surrogate_key: config.surrogate_key,
        }
    }

    /// Sets the headers on a response the cache may share; `tags` are the entry's.
    pub fn apply<'t>(&self, headers: &mut HeaderMap, tags: impl Iterator<Item = &'t str>) {
        if let Some(value) = &self.cache_control {
            headers.insert(http::header::CACHE_CONTROL, value.clone());
        }
        if let Some(value) = &self.cdn_cache_control {
            headers.insert(CDN_CACHE_CONTROL, value.clone());
        }
        if self.surrogate_key {
            let mut joined = String::new();
            for tag in tags.filter(|t| !t.starts_with(super::cache::ROUTE_TAG_PREFIX)) {
                if !joined.split(' ').any(|t| t == tag) {
                    if !joined.is_empty() {
                        joined.push(' ');
                    }
                    joined.push_str(tag);
                }
            }
            match HeaderValue::from_str(&joined) {
                Ok(value) if !joined.is_empty() => {
                    headers.insert(SURROGATE_KEY, value);
                }
                _ => {
                    headers.remove(SURROGATE_KEY);
                }
            }
        }
    }
}

/// Counters of the purge fan-out.
#[derive(Debug, Clone)]
pub struct CdnMetrics {
    purges: IntCounterVec,
    retries: IntCounterVec,
}

impl CdnMetrics {
    pub fn register(registry: &Registry) -> CdnMetrics {
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let counter = IntCounterVec::new(Opts::new(name, help), labels)
                .expect("static metric definition");
            registry
                .register(Box::new(counter.clone()))
                .expect("metric names are unique");
            counter
        };
        CdnMetrics {
            purges: counter(
                "perfkit_cache_cdn_purges_total",
                "Purges forwarded to CDN purge webhooks, by webhook and result (delivered, failed).",
                &["webhook", "result"],
            ),
            retries: counter(
                "perfkit_cache_cdn_purge_retries_total",
                "Attempts to a CDN purge webhook repeated after a failure.",
                &["webhook"],
            ),
        }
    }
}

/// One purge, as the webhooks receive it (`{"type":…,"value":…,"soft":…}`).
#[derive(Debug, Clone)]
pub struct PurgeNotice {
    pub kind: &'static str,
    pub value: String,
    pub mode: Purge,
}

impl PurgeNotice {
    fn body(&self) -> Bytes {
        Bytes::from(
            serde_json::json!({
                "type": self.kind,
                "value": self.value,
                "soft": self.mode == Purge::Soft,
            })
            .to_string(),
        )
    }
}

/// How the webhooks stood when the purge answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FanOut {
    pub delivered: usize,
    pub failed: usize,
    /// Still being tried in the background.
    pub pending: usize,
}

impl FanOut {
    pub fn to_json(self) -> serde_json::Value {
        serde_json::json!({
            "delivered": self.delivered,
            "failed": self.failed,
            "pending": self.pending,
        })
    }
}

/// Sends `notice` to every webhook (each in its own task, with its retries) and
/// waits at most `wait` for them.
pub async fn fan_out(
    hooks: &[PurgeWebhookConfig],
    wait: Duration,
    metrics: &CdnMetrics,
    notice: PurgeNotice,
) -> FanOut {
    if hooks.is_empty() {
        return FanOut::default();
    }
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let body = notice.body();
    let deliveries: Vec<_> = hooks
        .iter()
        .map(|hook| {
            let delivery = Delivery {
                hook: hook.clone(),
                label: hook.label(),
                client: client.clone(),
                body: body.clone(),
                metrics: metrics.clone(),
            };
            tokio::spawn(delivery.run(notice.clone()))
        })
        .collect();
    let deadline = tokio::time::Instant::now() + wait;
    let mut outcome = FanOut::default();
    for delivery in deliveries {
        // A delivery not done by the deadline is detached, not cancelled.
        match tokio::time::timeout_at(deadline, delivery).await {
            Ok(Ok(true)) => outcome.delivered += 1,
            Ok(_) => outcome.failed += 1,
            Err(_) => outcome.pending += 1,
        }
    }
    outcome
}

/// The TLS client settings for an `https://` webhook: Mozilla's roots, or only the
/// certificates of its `ca_file`.
fn tls_config(hook: &PurgeWebhookConfig) -> Result<Arc<rustls::ClientConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;

    let mut roots = rustls::RootCertStore::empty();
    match &hook.ca_file {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let shown = path.display();
            let pem = std::fs::read(path).map_err(|err| format!("ca_file `{shown}`: {err}"))?;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|err| format!("ca_file `{shown}`: {err}"))?;
                roots
                    .add(cert)
                    .map_err(|err| format!("ca_file `{shown}`: {err}"))?;
            }
            if roots.is_empty() {
                return Err(format!("ca_file `{shown}` holds no PEM certificate"));
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| format!("TLS setup: {err}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Sends one request over a new TLS connection to its `https://` URL (HTTP/1.1).
async fn post_https(
    tls: Arc<rustls::ClientConfig>,
    request: http::Request<Full<Bytes>>,
) -> Result<http::Response<hyper::body::Incoming>, String> {
    let (mut parts, body) = request.into_parts();
    let url = parts.uri.clone();
    let host = url.host().ok_or_else(|| format!("`{url}` has no host"))?;
    // `[::1]` is the IPv6 address ::1.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_u16().unwrap_or(443);
    let name = rustls::pki_types::ServerName::try_from(bare.to_owned())
        .map_err(|err| format!("`{host}` is not a TLS server name: {err}"))?;
    let tcp = tokio::net::TcpStream::connect((bare, port))
        .await
        .map_err(|err| format!("connect {host}:{port}: {err}"))?;
    let stream = tokio_rustls::TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .map_err(|err| format!("TLS handshake with {host}:{port}: {err}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|err| format!("HTTP/1.1 over TLS with {host}:{port}: {err}"))?;
    tokio::spawn(connection);
    if let Some(authority) = url.authority() {
        if let Ok(value) = HeaderValue::from_str(authority.as_str()) {
            parts.headers.insert(http::header::HOST, value);
        }
    }
    parts.uri = url
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .parse()
        .map_err(|err| format!("`{url}`: {err}"))?;
    sender
        .send_request(http::Request::from_parts(parts, body))
        .await
        .map_err(|err| err.to_string())
}

struct Delivery {
    hook: PurgeWebhookConfig,
    label: String,
    client: Client<HttpConnector, Full<Bytes>>,
    body: Bytes,
    metrics: CdnMetrics,
}

impl Delivery {
    /// Tries the webhook up to `1 + retries` times, backing off; true when delivered.
    async fn run(self, notice: PurgeNotice) -> bool {
        let mut backoff = self.hook.backoff;
        let mut attempt = 0;
        loop {
            let failure = match self.attempt().await {
                Ok(()) => {
                    self.metrics
                        .purges
                        .with_label_values(&[&self.label, "delivered"])
                        .inc();
                    return true;
                }
                Err(failure) => failure,
            };
            if attempt >= self.hook.retries {
                tracing::warn!(
                    webhook = %self.label,
                    purge = notice.kind,
                    value = %notice.value,
                    attempts = attempt + 1,
                    error = %failure,
                    "CDN purge webhook failed; the CDN may keep serving what was purged here"
                );
                self.metrics
                    .purges
                    .with_label_values(&[&self.label, "failed"])
                    .inc();
                return false;
            }
            tracing::debug!(webhook = %self.label, error = %failure, "CDN purge webhook attempt failed; retrying");
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
            attempt += 1;
            self.metrics.retries.with_label_values(&[&self.label]).inc();
        }
    }

    async fn attempt(&self) -> Result<(), String> {
        let mut request = http::Request::post(self.hook.url.as_str())
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(self.body.clone()))
            .map_err(|err| format!("cannot build the request: {err}"))?;
        if let Some((name, value)) = self.hook.auth() {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                request.headers_mut().insert(name, value);
            }
        }
        let exchange = async {
            let response = if self.hook.url.starts_with("https://") {
                let tls = tls_config(&self.hook)?;
                post_https(tls, request).await
            } else {
                let response = self.client.request(request).await;
                response.map_err(|err| err.to_string())
            }
            .map_err(|err| format!("POST {}: {err}", self.hook.url))?;
            let status = response.status();
            // Read the (small) answer so the connection can be reused.
            let _ = response.into_body().collect().await;
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("POST {}: status {status}", self.hook.url))
            }
        };
        tokio::time::timeout(self.hook.timeout, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "POST {}: no answer within {:?}",
                    self.hook.url, self.hook.timeout
                ))
            })
    }
}
