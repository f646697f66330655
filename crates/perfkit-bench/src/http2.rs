//! The HTTP/2 client for endpoints marked `http2: true`: hyper's, over cleartext TCP
//! with prior knowledge (h2c, RFC 9113 §3.3), or over TLS with ALPN `h2` for
//! `https://` targets. One HTTP/2 connection per engine
//! connection, carrying one stream at a time, so `connections` means the same
//! concurrency for both protocols. The HTTP/1.1 path does not go through here.
//!
//! Bytes are counted on the wire (frames, HPACK-compressed headers, bodies, the
//! connection preface and control frames), as the HTTP/1.1 path counts head and body
//! bytes: each exchange is charged with what the connection sent and received since
//! the previous exchange ended.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::cache::{classify_cache_status, CacheLookup};
use crate::transport::{Stream, TlsTarget};

/// Why an HTTP/2 exchange failed, in the engine's failure kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum H2Failure {
    /// TCP connect or the HTTP/2 handshake failed.
    Connect,
    /// The request could not be sent (connection gone, stream refused).
    Write,
    /// The response or its body broke off.
    Read,
}

/// An HTTP/2 request, built once; each send clones its parts (hyper takes ownership).
#[derive(Debug)]
pub(crate) struct H2Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl H2Request {
    /// `path` on `authority` (`scheme` http or https); header names and values must be
    /// valid HTTP/2 fields.
    pub fn new(
        method: &str,
        scheme: &str,
        path: &str,
        authority: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<H2Request, String> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| format!("`{method}` is not an HTTP method"))?;
        let uri: Uri = format!("{scheme}://{authority}{path}")
            .parse()
            .map_err(|e| format!("`{path}` is not a valid request target: {e}"))?;
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            // The authority travels as :authority; connection-specific fields are
            // forbidden in HTTP/2 (RFC 9113 §8.2.2).
            let lower = name.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "host"
                    | "connection"
                    | "keep-alive"
                    | "transfer-encoding"
                    | "upgrade"
                    | "content-length"
            ) {
                continue;
            }
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("header name `{name}` is not valid"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("header `{name}` has an invalid value"))?;
            map.append(name, value);
        }
        if !map.contains_key(http::header::USER_AGENT) {
            map.insert(
                http::header::USER_AGENT,
                HeaderValue::from_static("perfkit-bench"),
            );
        }
        Ok(H2Request {
            method,
            uri,
            headers: map,
            body: Bytes::copy_from_slice(body),
        })
    }

    fn build(&self) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// Bytes a connection has read and written so far (the connection task, which may
/// run on another thread, adds; the exchange reads).
#[derive(Debug, Default)]
struct WireCounts {
    read: AtomicU64,
    written: AtomicU64,
}

/// A connection's stream that counts the bytes through it into [`WireCounts`].
struct Counted {
    stream: Stream,
    counts: Arc<WireCounts>,
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        this.counts.read.fetch_add(n, Ordering::Relaxed);
        result
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = result {
            this.counts.written.fetch_add(n as u64, Ordering::Relaxed);
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = result {
            this.counts.written.fetch_add(n as u64, Ordering::Relaxed);
        }
        result
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// One HTTP/2 exchange as the engine records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct H2Outcome {
    pub status: u16,
    /// Wire bytes received and sent since the previous exchange on this connection.
    pub received: u64,
    pub sent: u64,
    pub cache: CacheLookup,
}

/// An open HTTP/2 connection.
pub(crate) struct H2Connection {
    sender: SendRequest<Full<Bytes>>,
    counts: Arc<WireCounts>,
    /// `counts` when the last exchange ended (read, written).
    charged: (u64, u64),
}

impl H2Connection {
    /// Wire bytes (received, sent) not yet charged to an exchange; marks them charged.
    pub fn take_wire_bytes(&mut self) -> (u64, u64) {
        let now = (
            self.counts.read.load(Ordering::Relaxed),
            self.counts.written.load(Ordering::Relaxed),
        );
        let delta = (now.0 - self.charged.0, now.1 - self.charged.1);
        self.charged = now;
        delta
    }
}

impl H2Connection {
    /// Connects (TLS with ALPN `h2` when `tls` is given) and performs the HTTP/2
    /// handshake; the connection task runs on the calling thread's runtime.
    pub async fn connect(
        addr: std::net::SocketAddr,
        tls: Option<&TlsTarget>,
    ) -> Result<H2Connection, H2Failure> {
        let stream = crate::transport::connect(addr, tls, true)
            .await
            .map_err(|_| H2Failure::Connect)?;
        let counts = Arc::new(WireCounts::default());
        let counted = Counted {
            stream,
            counts: Arc::clone(&counts),
        };
        let (sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(counted))
                .await
                .map_err(|_| H2Failure::Connect)?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(H2Connection {
            sender,
            counts,
            charged: (0, 0),
        })
    }

    /// Whether the connection can no longer carry requests.
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// Sends `request` and reads its whole response.
    pub async fn exchange(&mut self, request: &H2Request) -> Result<H2Outcome, H2Failure> {
        self.sender.ready().await.map_err(|_| H2Failure::Write)?;
        let response = self
            .sender
            .send_request(request.build())
            .await
            .map_err(|_| H2Failure::Read)?;
        let status = response.status().as_u16();
        let cache = (response.headers().get("cache-status")).map_or(CacheLookup::NotCounted, |v| {
            classify_cache_status(v.as_bytes())
        });
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            frame.map_err(|_| H2Failure::Read)?;
        }
        let (received, sent) = self.take_wire_bytes();
        Ok(H2Outcome {
            status,
            received,
            sent,
            cache,
        })
    }
}
