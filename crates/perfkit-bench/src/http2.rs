//! The HTTP/2 client for endpoints marked `http2: true`: hyper's, over cleartext TCP
//! with prior knowledge (h2c, RFC 9113 §3.3). One HTTP/2 connection per engine
//! connection, carrying one stream at a time, so `connections` means the same
//! concurrency for both protocols. The HTTP/1.1 path does not go through here.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

use crate::cache::{classify_cache_status, CacheLookup};

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
    /// `path` on `authority`; header names and values must be valid HTTP/2 fields.
    pub fn new(
        method: &str,
        path: &str,
        authority: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<H2Request, String> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| format!("`{method}` is not an HTTP method"))?;
        let uri: Uri = format!("http://{authority}{path}")
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

    /// Body bytes sent per request (header bytes are HPACK-compressed and not counted).
    pub fn body_len(&self) -> usize {
        self.body.len()
    }
}

/// An open HTTP/2 connection.
pub(crate) struct H2Connection {
    sender: SendRequest<Full<Bytes>>,
}

impl H2Connection {
    /// Connects and performs the h2c prior-knowledge handshake; the connection task
    /// runs on the calling thread's runtime.
    pub async fn connect(addr: std::net::SocketAddr) -> Result<H2Connection, H2Failure> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|_| H2Failure::Connect)?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .map_err(|_| H2Failure::Connect)?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(H2Connection { sender })
    }

    /// Whether the connection can no longer carry requests.
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// Sends `request` and reads its whole response; returns the status, the body
    /// bytes received and what its `Cache-Status` says.
    pub async fn exchange(
        &mut self,
        request: &H2Request,
    ) -> Result<(u16, u64, CacheLookup), H2Failure> {
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
        let mut bytes = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| H2Failure::Read)?;
            if let Some(data) = frame.data_ref() {
                bytes += data.len() as u64;
            }
        }
        Ok((status, bytes, cache))
    }
}
