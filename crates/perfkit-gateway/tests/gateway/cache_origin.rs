//! The scripted origin of the end-to-end cache conformance runner: answers each
//! request with the next of the current step's scripted responses, records every
//! request it got (method and headers, conditional ones included), and moves the
//! gateway cache's clock forward by a response's `delay` before answering, so
//! "the response took N seconds" needs no sleep. A scripted answer's interim (`1xx`)
//! responses are written on the connection just before hyper writes the final head
//! (hyper's server has no API for them).

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use perfkit_cache::Clock;
use perfkit_testkit::OriginResponse;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[derive(Debug, Default)]
struct Script {
    answers: VecDeque<OriginResponse>,
    /// The step's time, for `{now}` templates in the answers.
    now: Option<SystemTime>,
    requests: Vec<(String, HeaderMap)>,
    unscripted: bool,
    /// A scripted connection failure happened this step: the gateway's retry of the
    /// same request fails too (the origin is down), and is not counted again.
    failing: bool,
    clock: Option<Clock>,
}

#[derive(Debug)]
pub struct CacheOrigin {
    addr: SocketAddr,
    script: Arc<Mutex<Script>>,
    server: JoinHandle<()>,
}

/// A request the service failed on purpose: the connection closes unanswered.
#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("scripted connection failure")
    }
}

impl std::error::Error for Refused {}

impl CacheOrigin {
    pub async fn start() -> CacheOrigin {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let script = Arc::new(Mutex::new(Script::default()));
        let shared = Arc::clone(&script);
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let script = Arc::clone(&shared);
                tokio::spawn(async move {
                    let interim = Arc::new(Mutex::new(Vec::new()));
                    let stream = WithInterim {
                        stream,
                        interim: Arc::clone(&interim),
                    };
                    let service = hyper::service::service_fn(move |request| {
                        let script = Arc::clone(&script);
                        let interim = Arc::clone(&interim);
                        async move { answer(&script, &interim, request) }
                    });
                    // A case without Date means none: the cache must assign its own.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .auto_date_header(false)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        CacheOrigin {
            addr,
            script,
            server,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The clock a response's `delay` advances.
    pub fn use_clock(&self, clock: Clock) {
        self.lock().clock = Some(clock);
    }

    /// Starts a step: its answers, in order, and its time; forgets the last step's
    /// requests.
    pub fn begin_step(&self, answers: &[OriginResponse], now: SystemTime) {
        let mut script = self.lock();
        script.answers = answers.iter().cloned().collect();
        script.now = Some(now);
        script.requests.clear();
        script.unscripted = false;
        script.failing = false;
    }

    /// The requests of this step so far.
    pub fn requests(&self) -> Vec<(String, HeaderMap)> {
        self.lock().requests.clone()
    }

    /// Scripted answers not used yet.
    pub fn unused(&self) -> usize {
        self.lock().answers.len()
    }

    /// True when a request came with no scripted answer left.
    pub fn unscripted(&self) -> bool {
        self.lock().unscripted
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for CacheOrigin {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The origin's connection: bytes queued in `interim` (interim response heads) go out
/// before the next bytes hyper writes (the final response's head).
struct WithInterim {
    stream: TcpStream,
    interim: Arc<Mutex<Vec<u8>>>,
}

impl AsyncRead for WithInterim {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WithInterim {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        loop {
            let mut queued = this.interim.lock().unwrap_or_else(|p| p.into_inner());
            if queued.is_empty() {
                break;
            }
            match Pin::new(&mut this.stream).poll_write(cx, &queued) {
                Poll::Ready(Ok(n)) => {
                    queued.drain(..n);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

fn answer(
    script: &Mutex<Script>,
    interim: &Mutex<Vec<u8>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Refused> {
    let mut script = script.lock().unwrap_or_else(|p| p.into_inner());
    if script.failing && script.answers.is_empty() {
        return Err(Refused);
    }
    script
        .requests
        .push((request.method().to_string(), request.headers().clone()));
    let Some(scripted) = script.answers.pop_front() else {
        script.unscripted = true;
        let mut response = Response::new(Full::new(Bytes::from_static(b"unscripted request")));
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        return Ok(response);
    };
    if scripted.error {
        script.failing = true;
        return Err(Refused);
    }
    let now = script.now.unwrap_or_else(SystemTime::now);
    let headers = perfkit_testkit::header_map(&scripted.headers, now);
    if let Some(clock) = &script.clock {
        clock.set(now + Duration::from_secs(scripted.delay));
    }
    let mut heads = interim.lock().unwrap_or_else(|p| p.into_inner());
    for early in &scripted.interim {
        let status = StatusCode::from_u16(early.status).unwrap();
        heads.extend_from_slice(format!("HTTP/1.1 {status}\r\n").as_bytes());
        for (name, value) in &early.headers {
            let value = perfkit_testkit::template(value, now);
            heads.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        heads.extend_from_slice(b"\r\n");
    }
    drop(heads);
    let mut response = Response::new(Full::new(Bytes::from(scripted.body)));
    *response.status_mut() = StatusCode::from_u16(scripted.status).unwrap();
    *response.headers_mut() = headers;
    Ok(response)
}
