//! A sample upstream application for integration tests and the demo.
//!
//! Every response carries `x-upstream: NAME` and a JSON [`Echo`] of the request it
//! answered. Per request, `x-delay-ms: N` delays the answer and `x-status: N` picks the
//! status. `GET /health` answers 200 or 503 as [`SampleUpstream::set_healthy`] says.
//! Scripted paths ([`UpstreamBuilder::path`]) answer what their script says instead.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::scripted::{AnswerBody, Scripted, Scripts};

/// What the sample upstream saw, returned as the JSON body of every answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    pub upstream: String,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body_len: usize,
}

impl Echo {
    pub fn parse(body: &[u8]) -> Option<Echo> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let headers = value["headers"]
            .as_array()?
            .iter()
            .filter_map(|pair| Some((pair[0].as_str()?.to_owned(), pair[1].as_str()?.to_owned())))
            .collect();
        Some(Echo {
            upstream: value["upstream"].as_str()?.to_owned(),
            method: value["method"].as_str()?.to_owned(),
            path: value["path"].as_str()?.to_owned(),
            headers,
            body_len: usize::try_from(value["body_len"].as_u64()?).ok()?,
        })
    }

    /// The values of header `name` (lower case), in order.
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Settings for a [`SampleUpstream`].
#[derive(Debug, Clone)]
pub struct UpstreamBuilder {
    name: String,
    latency: Duration,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    scripts: Vec<(String, Scripted)>,
}

impl UpstreamBuilder {
    /// Answers `path` with `script` instead of the echo (see [`Scripted`]).
    pub fn path(mut self, path: &str, script: Scripted) -> Self {
        self.scripts.push((path.to_owned(), script));
        self
    }

    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn status(mut self, status: u16) -> Self {
        self.status = StatusCode::from_u16(status).expect("a valid status code");
        self
    }

    /// Adds a header to every response (including hop-by-hop ones, to test stripping).
    pub fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
        self
    }

    pub async fn spawn(self) -> std::io::Result<SampleUpstream> {
        let scripts = Scripts::default();
        for (path, script) in &self.scripts {
            scripts.set(path, script.clone());
        }
        let shared = Arc::new(Shared {
            scripts,
            settings: self,
            healthy: AtomicBool::new(true),
            requests: AtomicU64::new(0),
            health_checks: AtomicU64::new(0),
        });
        let mut upstream = SampleUpstream {
            // A free loopback port; `restart` binds the same one again.
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            shared,
            server: Mutex::new(None),
        };
        upstream.start().await?;
        Ok(upstream)
    }
}

#[derive(Debug)]
struct Shared {
    settings: UpstreamBuilder,
    scripts: Scripts,
    healthy: AtomicBool,
    requests: AtomicU64,
    health_checks: AtomicU64,
}

/// A running sample upstream; stops (closing every connection) on drop.
#[derive(Debug)]
pub struct SampleUpstream {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl SampleUpstream {
    pub fn builder(name: &str) -> UpstreamBuilder {
        UpstreamBuilder {
            name: name.to_owned(),
            latency: Duration::ZERO,
            status: StatusCode::OK,
            headers: Vec::new(),
            scripts: Vec::new(),
        }
    }

    /// Answers `path` with `script` from now on.
    pub fn script(&self, path: &str, script: Scripted) {
        self.shared.scripts.set(path, script);
    }

    /// Requests a scripted path got (conditional ones included).
    pub fn requests_for(&self, path: &str) -> u64 {
        self.shared.scripts.count(path)
    }

    /// An upstream with default settings on a free port.
    pub async fn start_named(name: &str) -> std::io::Result<SampleUpstream> {
        SampleUpstream::builder(name).spawn().await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn name(&self) -> &str {
        &self.shared.settings.name
    }

    /// Requests answered, not counting health checks.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    pub fn health_checks(&self) -> u64 {
        self.shared.health_checks.load(Ordering::SeqCst)
    }

    pub fn set_healthy(&self, healthy: bool) {
        self.shared.healthy.store(healthy, Ordering::SeqCst);
    }

    /// Closes the listener and every open connection, as a crashed process would.
    pub fn stop(&self) {
        if let Some(server) = self.server.lock().expect("not poisoned").take() {
            server.abort();
        }
    }

    /// Listens again on the same address after [`stop`](Self::stop).
    pub async fn restart(&mut self) -> std::io::Result<()> {
        self.stop();
        self.start().await
    }

    async fn start(&mut self) -> std::io::Result<()> {
        let listener = bind_retrying(self.addr).await?;
        self.addr = listener.local_addr()?;
        let shared = Arc::clone(&self.shared);
        let task = tokio::spawn(async move {
            // Connections live in this set, so aborting the server task closes them all.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let shared = Arc::clone(&shared);
                        connections.spawn(async move {
                            let service = hyper::service::service_fn(move |req| {
                                answer(Arc::clone(&shared), req)
                            });
                            let _ = auto::Builder::new(TokioExecutor::new())
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        *self.server.lock().expect("not poisoned") = Some(task);
        Ok(())
    }
}

impl Drop for SampleUpstream {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binding the address a stopped server just released can race its socket's close.
async fn bind_retrying(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let mut attempts = 0;
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return Ok(listener),
            Err(err) if attempts < 50 && err.kind() == std::io::ErrorKind::AddrInUse => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(err) => return Err(err),
        }
    }
}

async fn answer(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<AnswerBody>, Infallible> {
    let settings = &shared.settings;
    if req.uri().path() == "/health" {
        shared.health_checks.fetch_add(1, Ordering::SeqCst);
        let status = if shared.healthy.load(Ordering::SeqCst) {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        let mut response = Response::new(AnswerBody::full(Bytes::from_static(b"health")));
        *response.status_mut() = status;
        return Ok(response);
    }
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let path_and_query = req.uri().path_and_query().map_or("/", |p| p.as_str());
    if let Some(script) = shared.scripts.take(path_and_query) {
        let delay = req
            .headers()
            .get("x-delay-ms")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .map(Duration::from_millis);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let not_modified = script
            .etag()
            .is_some_and(|etag| req.headers().get(http::header::IF_NONE_MATCH) == Some(etag));
        let (status, body) = if not_modified {
            (StatusCode::NOT_MODIFIED, Bytes::new())
        } else {
            (script.status, script.body.clone())
        };
        let mut response = Response::new(if script.chunked {
            AnswerBody::chunked(body)
        } else {
            AnswerBody::full(body)
        });
        *response.status_mut() = status;
        for (name, value) in script.headers {
            response.headers_mut().append(name, value);
        }
        return Ok(response);
    }
    let header_number =
        |name: &str| -> Option<u64> { req.headers().get(name)?.to_str().ok()?.parse().ok() };
    let delay = header_number("x-delay-ms")
        .map(Duration::from_millis)
        .unwrap_or(settings.latency);
    let status = header_number("x-status")
        .and_then(|code| StatusCode::from_u16(u16::try_from(code).ok()?).ok())
        .unwrap_or(settings.status);
    let method = req.method().to_string();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body_len = match req.into_body().collect().await {
        Ok(body) => body.to_bytes().len(),
        Err(_) => 0,
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let echo = serde_json::json!({
        "upstream": settings.name,
        "method": method,
        "path": path,
        "headers": headers,
        "body_len": body_len,
    });
    let mut response = Response::new(AnswerBody::full(Bytes::from(echo.to_string())));
    *response.status_mut() = status;
    let response_headers = response.headers_mut();
    response_headers.insert(
        "x-upstream",
        HeaderValue::from_str(&settings.name).unwrap_or(HeaderValue::from_static("?")),
    );
    response_headers.insert("content-type", HeaderValue::from_static("application/json"));
    for (name, value) in &settings.headers {
        response_headers.append(name.clone(), value.clone());
    }
    Ok(response)
}
