//! A test HTTP server with a known, adjustable latency and an optional stall window.
//! It speaks HTTP/1.1 and HTTP/2 with prior knowledge (h2c), counts the latter, and
//! counts the bytes its connections read and write.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

#[cfg(feature = "tls")]
type TlsAcceptor = tokio_rustls::TlsAcceptor;
/// Without the `tls` feature there is no acceptor to give.
#[cfg(not(feature = "tls"))]
type TlsAcceptor = std::convert::Infallible;

#[derive(Default)]
struct Settings {
    latency_us: AtomicU64,
    /// Requests arriving inside `[from, until)` are held until `until`.
    stall: Mutex<Option<(Instant, Instant)>>,
    requests: AtomicU64,
    http2_requests: AtomicU64,
    wire_read: AtomicU64,
    wire_written: AtomicU64,
}

/// A server connection's stream, counting bytes into the settings.
struct Counted {
    stream: TcpStream,
    settings: Arc<Settings>,
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        this.settings
            .wire_read
            .fetch_add(n as u64, Ordering::SeqCst);
        result
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = result {
            this.settings
                .wire_written
                .fetch_add(n as u64, Ordering::SeqCst);
        }
        result
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Answers every request after the configured latency: `200 ok`, or `404` on `/missing`.
pub struct LatencyServer {
    addr: SocketAddr,
    tls: bool,
    settings: Arc<Settings>,
    _runtime: tokio::runtime::Runtime,
}

impl LatencyServer {
    pub fn start(latency: Duration) -> LatencyServer {
        LatencyServer::start_with(latency, None)
    }

    /// The same server over TLS (HTTP/1.1 or HTTP/2 by ALPN) with `acceptor`'s
    /// certificate.
    #[cfg(feature = "tls")]
    pub fn start_tls(latency: Duration, acceptor: tokio_rustls::TlsAcceptor) -> LatencyServer {
        LatencyServer::start_with(latency, Some(acceptor))
    }

    #[cfg_attr(not(feature = "tls"), allow(unused_variables))]
    fn start_with(latency: Duration, tls: Option<TlsAcceptor>) -> LatencyServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let settings = Arc::new(Settings::default());
        settings
            .latency_us
            .store(latency.as_micros() as u64, Ordering::SeqCst);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::clone(&settings);
        let is_tls = tls.is_some();
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let stream = Counted {
                    stream,
                    settings: Arc::clone(&shared),
                };
                #[cfg(feature = "tls")]
                if let Some(acceptor) = tls.clone() {
                    tokio::spawn(async move {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            serve(stream, shared).await;
                        }
                    });
                    continue;
                }
                tokio::spawn(serve(stream, shared));
            }
        });
        LatencyServer {
            addr,
            tls: is_tls,
            settings,
            _runtime: runtime,
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn set_latency(&self, latency: Duration) {
        self.settings
            .latency_us
            .store(latency.as_micros() as u64, Ordering::SeqCst);
    }

    /// Holds every request that arrives during `length` from `from` until its end.
    pub fn stall(&self, from: Instant, length: Duration) {
        *self.settings.stall.lock().unwrap() = Some((from, from + length));
    }

    pub fn requests(&self) -> u64 {
        self.settings.requests.load(Ordering::SeqCst)
    }

    /// Bytes read and written by all connections so far.
    pub fn wire_bytes(&self) -> (u64, u64) {
        (
            self.settings.wire_read.load(Ordering::SeqCst),
            self.settings.wire_written.load(Ordering::SeqCst),
        )
    }

    /// Requests that arrived over HTTP/2.
    pub fn http2_requests(&self) -> u64 {
        self.settings.http2_requests.load(Ordering::SeqCst)
    }
}

async fn serve<S>(stream: S, shared: Arc<Settings>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| answer(Arc::clone(&shared), req));
    let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn answer(
    settings: Arc<Settings>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    settings.requests.fetch_add(1, Ordering::SeqCst);
    if request.version() == hyper::Version::HTTP_2 {
        settings.http2_requests.fetch_add(1, Ordering::SeqCst);
    }
    let arrived = Instant::now();
    let stall = *settings.stall.lock().unwrap();
    if let Some((from, until)) = stall {
        if arrived >= from && arrived < until {
            tokio::time::sleep_until(until.into()).await;
        }
    }
    let latency = Duration::from_micros(settings.latency_us.load(Ordering::SeqCst));
    tokio::time::sleep(latency).await;
    let status = if request.uri().path() == "/missing" {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    Ok(Response::builder()
        .status(status)
        .body(Full::new(Bytes::from_static(b"ok")))
        .unwrap())
}
