//! A minimal HTTP/1.1 client for talking to upstream peers, driven inline by the task
//! that serves the client request, with a per-peer pool of keep-alive connections.
//!
//! Why not hyper's pooled client: it runs every upstream connection as a task of its
//! own and hands requests and body chunks over channels, which measured ~1.7x nginx's
//! CPU per proxied request on the upstream side (BENCHMARKS.md). Here the request task
//! writes the request, parses the response head with `httparse`, and streams the body
//! by reading the socket from `Body::poll_frame` itself; header values are slices of
//! the read buffer, not copies.
//!
//! Scope: one request at a time per connection (no pipelining), request bodies sent in
//! full before the response is read, no upgrades (101 is an error), HTTP/1.0 and 1.1
//! responses framed by `Content-Length`, `chunked`, or connection close.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Response, StatusCode, Version};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use perfkit_cache::policy;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_util::io::poll_read_buf;

use crate::admin::metrics::UpstreamError;
use crate::body::{ClientBodyError, RequestBody};
use crate::deadline;
use crate::listen::interim::Interim;
use crate::listen::workers::PerWorker;
use crate::request::forwarded::{connection_named, is_hop_by_hop, set_by_gateway, ClientPeer};
use crate::runtime::PeerRef;
use crate::upstream::{InFlight, Peer};

/// Largest response head accepted from an upstream.
const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;

/// Why an exchange with a peer failed.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("connect failed: {0}")]
    Connect(io::Error),
    #[error("connect timed out")]
    ConnectTimeout,
    /// The peer did not answer, or stopped taking the request, within the read timeout.
    #[error("upstream timed out")]
    Timeout,
    #[error("upstream connection failed: {0}")]
    Io(#[from] io::Error),
    #[error("malformed upstream response: {0}")]
    Malformed(&'static str),
    /// The client's own body failed; not the peer's fault.
    #[error(transparent)]
    ClientBody(ClientBodyError),
}

/// One keep-alive connection to a peer.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    /// Bytes read and not yet consumed.
    buf: BytesMut,
    /// The request head being written, reused from request to request.
    head: BytesMut,
    idle_since: Instant,
}

/// Idle connections of one peer, most recently used last, one list per worker thread
/// (see `workers`) plus one for the other threads.
#[derive(Debug)]
pub struct IdlePool {
    slots: PerWorker<std::sync::Mutex<Vec<Connection>>>,
}

impl IdlePool {
    pub fn new(workers: usize) -> IdlePool {
        IdlePool {
            slots: PerWorker::new(workers, Default::default),
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.slots.local().lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take(&self, idle_timeout: Duration) -> Option<Connection> {
        loop {
            let conn = self.idle().pop()?;
            if deadline::now().saturating_duration_since(conn.idle_since) > idle_timeout {
                continue;
            }
            // Every reuse is checked, however briefly the connection sat idle: a peer
            // may have closed it, or written bytes no request asked for (a response
            // after a HEAD's declared length, say). Those would become the next
            // client's response. A non-blocking read tells without waiting.
            if !still_open(&conn.stream) {
                continue;
            }
            return Some(conn);
        }
    }

    fn put(&self, mut conn: Connection, max_idle: usize) {
        conn.idle_since = deadline::now();
        let mut idle = self.idle();
        if idle.len() < max_idle {
            idle.push(conn);
        }
    }

    /// Idle connections across all workers.
    pub fn len(&self) -> usize {
        self.slots
            .iter()
            .map(|slot| slot.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }
}

/// Whether an idle connection is open with nothing unread on it.
fn still_open(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    matches!(stream.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}

/// Pool limits and timeouts for [`send`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect_timeout: Duration,
    /// Longest wait for the response head once the request is sent, for a write to
    /// the peer to make progress, and between two reads of the response body.
    pub read_timeout: Duration,
    /// Longest wait for the next piece of the client's request body.
    pub client_body_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_idle: usize,
}

/// The request line and headers to send (the body travels separately).
#[derive(Debug)]
pub struct RequestHead<'a> {
    pub method: &'a Method,
    pub path_and_query: &'a str,
    /// Hop-by-hop headers in here are never sent.
    pub headers: &'a HeaderMap,
    /// For a request from an untrusted client: its forwarding headers in `headers`
    /// are left out and this peer's are written instead (see `Forwarding`).
    pub forwarded: Option<&'a ClientPeer>,
    /// Where the peer's forwardable interim (`1xx`) responses are queued for the
    /// client; `None` drops them.
    pub interim: Option<&'a Interim>,
}

/// Sends one request to `peer` and returns the response with a streaming body. The
/// body holds the connection (and `in_flight`) until it ends, then returns the
/// connection to the pool.
pub async fn send(
    peer: &PeerRef,
    head: RequestHead<'_>,
    mut body: RequestBody,
    limits: Limits,
    in_flight: Option<InFlight>,
) -> Result<Response<UpstreamBody>, ExchangeError> {
    loop {
        let (mut conn, reused) = match peer.pool.take(limits.idle_timeout) {
            Some(conn) => (conn, true),
            None => (connect(peer, limits.connect_timeout).await?, false),
        };
        conn.head.clear();
        let chunked = encode_head(&head, &body, peer.authority.as_str(), &mut conn.head);
        let bodyless = matches!(body, RequestBody::Empty);
        let interim = head.interim.filter(|queue| queue.is_open());
        match exchange(&mut conn, &mut body, chunked, head.method, interim, &limits).await {
            Ok(Head {
                response,
                framing,
                reusable,
            }) => {
                let upstream_body = UpstreamBody {
                    conn: Some(conn),
                    framing,
                    reusable,
                    peer: peer.clone(),
                    max_idle: limits.max_idle,
                    read_timeout: limits.read_timeout,
                    stalled: deadline::Deadline::default(),
                    in_flight,
                };
                return Ok(response.map(|()| upstream_body));
            }
            // A reused connection the peer closed while idle fails before any response
            // byte arrives. A bodyless request goes again on a new connection if it
            // never left, or if repeating it is harmless (the peer may have acted on it).
            Err(Failure {
                error: ExchangeError::Io(_),
                response_started: false,
                request_sent,
            }) if reused && bodyless && (!request_sent || idempotent(head.method)) => {}
            Err(failure) => return Err(failure.error),
        }
    }
}

async fn connect(peer: &Peer, timeout: Duration) -> Result<Connection, ExchangeError> {
    let stream = match tokio::time::timeout(timeout, TcpStream::connect(peer.addr)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => return Err(ExchangeError::Connect(error)),
        Err(_) => return Err(ExchangeError::ConnectTimeout),
    };
    let _ = stream.set_nodelay(true);
    Ok(Connection {
        stream,
        buf: BytesMut::with_capacity(8 * 1024),
        head: BytesMut::with_capacity(1024),
        idle_since: deadline::now(),
    })
}

/// Writes the request line and headers; returns whether the body goes chunked.
fn encode_head(
    head: &RequestHead<'_>,
    body: &RequestBody,
    authority: &str,
    out: &mut BytesMut,
) -> bool {
    out.put_slice(head.method.as_str().as_bytes());
    out.put_u8(b' ');
    out.put_slice(head.path_and_query.as_bytes());
    out.put_slice(b" HTTP/1.1\r\n");
    let mut host = None;
    for (name, value) in head.headers {
        if is_hop_by_hop(name) || (head.forwarded.is_some() && set_by_gateway(name)) {
            continue;
        }
        if name == header::HOST {
            host = Some(value);
        }
        out.put_slice(name.as_str().as_bytes());
        out.put_slice(b": ");
        out.put_slice(value.as_bytes());
        out.put_slice(b"\r\n");
    }
    if host.is_none() {
        out.put_slice(b"host: ");
        out.put_slice(authority.as_bytes());
        out.put_slice(b"\r\n");
    }
    if let Some(client) = head.forwarded {
        client.encode_forwarding(host, out);
    }
    // A streamed body of unknown length goes chunked (the client's own
    // Transfer-Encoding was hop-by-hop and has been removed).
    let chunked = matches!(body, RequestBody::Stream(_))
        && !head.headers.contains_key(header::CONTENT_LENGTH);
    if chunked {
        out.put_slice(b"transfer-encoding: chunked\r\n");
    }
    out.put_slice(b"\r\n");
    chunked
}

struct Failure {
    error: ExchangeError,
    /// Whether the whole request had been written.
    request_sent: bool,
    /// Whether any byte of a response had arrived.
    response_started: bool,
}

impl From<ExchangeError> for Failure {
    fn from(error: ExchangeError) -> Self {
        Failure {
            error,
            request_sent: true,
            response_started: true,
        }
    }
}

/// Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2).
pub fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

async fn exchange(
    conn: &mut Connection,
    body: &mut RequestBody,
    chunked: bool,
    method: &Method,
    interim: Option<&Interim>,
    limits: &Limits,
) -> Result<Head, Failure> {
    // Nothing has reached the peer until the head is written.
    let unsent = |error: ExchangeError| Failure {
        error,
        request_sent: false,
        response_started: false,
    };
    write(&mut conn.stream, &conn.head, limits.read_timeout)
        .await
        .map_err(unsent)?;
    if let RequestBody::Stream(_) = body {
        loop {
            // The client's pace is the client's business: a pause longer than the
            // client body timeout is answered 408 and never blamed on the peer.
            let frame = match deadline::timeout(limits.client_body_timeout, body.frame()).await {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(deadline::Elapsed) => {
                    return Err(Failure::from(ExchangeError::ClientBody(ClientBodyError(
                        Box::new(ClientBodyTimeout),
                    ))))
                }
            };
            let frame = frame.map_err(|error| match error.downcast::<ClientBodyError>() {
                Ok(client) => Failure::from(ExchangeError::ClientBody(*client)),
                Err(other) => Failure::from(ExchangeError::ClientBody(ClientBodyError(other))),
            })?;
            let Ok(data) = frame.into_data() else {
                continue;
            }; // trailers are not forwarded
            if data.is_empty() {
                continue;
            }
            if chunked {
                let size = format!("{:x}\r\n", data.len());
                write(&mut conn.stream, size.as_bytes(), limits.read_timeout)
                    .await
                    .map_err(unsent)?;
                write(&mut conn.stream, &data, limits.read_timeout)
                    .await
                    .map_err(unsent)?;
                write(&mut conn.stream, b"\r\n", limits.read_timeout)
                    .await
                    .map_err(unsent)?;
            } else {
                write(&mut conn.stream, &data, limits.read_timeout)
                    .await
                    .map_err(unsent)?;
            }
        }
        if chunked {
            write(&mut conn.stream, b"0\r\n\r\n", limits.read_timeout)
                .await
                .map_err(unsent)?;
        }
    }
    // The read timeout starts now that the whole request is with the peer.
    let read = async {
        loop {
            // `None` is an informational (1xx) response (queued for the client when
            // it is forwardable); the final one follows.
            if let Some(head) = read_head(conn, method, interim).await? {
                return Ok(head);
            }
        }
    };
    match deadline::timeout(limits.read_timeout, read).await {
        Ok(result) => result,
        Err(deadline::Elapsed) => Err(Failure::from(ExchangeError::Timeout)),
    }
}

/// The client paused its request body for longer than `server.client_body_timeout`.
#[derive(Debug, thiserror::Error)]
#[error("the client sent no request body for longer than the client body timeout")]
pub struct ClientBodyTimeout;

/// Writes all of `bytes`, failing if the peer takes none of it for `limit`.
async fn write(stream: &mut TcpStream, bytes: &[u8], limit: Duration) -> Result<(), ExchangeError> {
    match deadline::timeout(limit, stream.write_all(bytes)).await {
        Ok(result) => result.map_err(ExchangeError::Io),
        Err(deadline::Elapsed) => Err(ExchangeError::Timeout),
    }
}

/// Reads one response head. `None` for a 1xx response (queued on `interim`).
async fn read_head(
    conn: &mut Connection,
    method: &Method,
    interim: Option<&Interim>,
) -> Result<Option<Head>, Failure> {
    loop {
        if !conn.buf.is_empty() {
            if let Some(parsed) = parse_head(&mut conn.buf, method, interim)? {
                return Ok(parsed);
            }
        }
        if conn.buf.len() >= MAX_HEAD {
            return Err(ExchangeError::Malformed("response head too large").into());
        }
        conn.buf.reserve(4096);
        let started = !conn.buf.is_empty();
        let read =
            std::future::poll_fn(|cx| poll_read_buf(Pin::new(&mut conn.stream), cx, &mut conn.buf))
                .await;
        let closed = || {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "upstream closed the connection",
            )
        };
        if let Err(error) = read.and_then(|n| if n == 0 { Err(closed()) } else { Ok(n) }) {
            return Err(Failure {
                error: ExchangeError::Io(error),
                request_sent: true,
                response_started: started,
            });
        }
    }
}

/// Parses a complete head off the front of `buf`; `Ok(None)` when more bytes are needed.
/// A parsed final response head.
struct Head {
    response: Response<()>,
    framing: Framing,
    /// Whether the connection may carry another request after this response.
    reusable: bool,
}

/// A forwardable interim response is re-encoded (without hop-by-hop fields) onto
/// `interim`; its fields never reach the final response.
fn parse_head(
    buf: &mut BytesMut,
    method: &Method,
    interim: Option<&Interim>,
) -> Result<Option<Option<Head>>, ExchangeError> {
    let mut slots =
        [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut []);
    let parser = httparse::ParserConfig::default();
    let head_len = match parser.parse_response_with_uninit_headers(&mut parsed, buf, &mut slots) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ExchangeError::Malformed("too many response headers"))
        }
        Err(_) => return Err(ExchangeError::Malformed("unparsable response head")),
    };
    let code = parsed.code.unwrap_or(0);
    let status =
        StatusCode::from_u16(code).map_err(|_| ExchangeError::Malformed("invalid status code"))?;
    let version = if parsed.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    // Offsets of names and values, so the head can be frozen and sliced without copies.
    let base = buf.as_ptr() as usize;
    let mut spans = [(0u32, 0u32, 0u32, 0u32); MAX_HEADERS];
    let count = parsed.headers.len();
    for (span, h) in spans.iter_mut().zip(parsed.headers.iter()) {
        // The head is at most MAX_HEAD + a read's worth of bytes, far below u32::MAX.
        let offset = |at: *const u8| (at as usize - base) as u32;
        *span = (
            offset(h.name.as_ptr()),
            h.name.len() as u32,
            offset(h.value.as_ptr()),
            h.value.len() as u32,
        );
    }
    let head = buf.split_to(head_len).freeze();

    if status.is_informational() {
        if status == StatusCode::SWITCHING_PROTOCOLS {
            return Err(ExchangeError::Malformed(
                "protocol upgrades are not supported",
            ));
        }
        if let Some(queue) = interim.filter(|_| policy::forwards_interim(status)) {
            queue.push(encode_interim(status, &head, &spans[..count]));
        }
        return Ok(Some(None));
    }

    let mut headers = HeaderMap::with_capacity(count);
    let mut keep_alive = version == Version::HTTP_11;
    let mut length: Option<u64> = None;
    let mut chunked = false;
    // Whether `Connection` names headers besides its options; its values, kept only
    // for that rare case.
    let mut named_by_connection = false;
    let mut connection_values: Vec<HeaderValue> = Vec::new();
    for &(name_at, name_len, value_at, value_len) in &spans[..count] {
        let (name_at, name_len) = (name_at as usize, name_len as usize);
        let (value_at, value_len) = (value_at as usize, value_len as usize);
        let raw_name = &head[name_at..name_at + name_len];
        let name = match common_name(raw_name) {
            Some(name) => name,
            None => HeaderName::from_bytes(raw_name)
                .map_err(|_| ExchangeError::Malformed("invalid header name"))?,
        };
        let value = HeaderValue::from_maybe_shared(head.slice(value_at..value_at + value_len))
            .map_err(|_| ExchangeError::Malformed("invalid header value"))?;
        if name == header::CONTENT_LENGTH {
            match (content_length(value.as_bytes()), length) {
                (Some(n), None) => length = Some(n),
                (Some(n), Some(m)) if n == m => {}
                _ => return Err(ExchangeError::Malformed("invalid Content-Length")),
            }
        } else if name == header::TRANSFER_ENCODING {
            chunked = value
                .as_bytes()
                .trim_ascii()
                .eq_ignore_ascii_case(b"chunked")
                || value.to_str().is_ok_and(|v| {
                    v.rsplit(',')
                        .next()
                        .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
                });
        } else if name == header::CONNECTION {
            for token in value.to_str().unwrap_or("").split(',') {
                let token = token.trim();
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive |= version == Version::HTTP_10;
                } else if !token.is_empty() {
                    named_by_connection = true;
                }
            }
        }
        // Hop-by-hop headers stop here: they described the connection to the peer.
        if is_hop_by_hop(&name) {
            if named_by_connection && name == header::CONNECTION {
                connection_values.push(value);
            }
            continue;
        }
        headers.append(name, value);
    }
    if named_by_connection {
        for name in connection_named(connection_values.iter()) {
            headers.remove(name);
        }
    }

    let no_body = *method == Method::HEAD
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    let framing = if no_body {
        Framing::Length(0)
    } else if chunked {
        // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3).
        headers.remove(header::CONTENT_LENGTH);
        Framing::Chunked(ChunkState::Size)
    } else if let Some(length) = length {
        Framing::Length(length)
    } else {
        keep_alive = false;
        Framing::UntilClose
    };
    let mut response = Response::new(());
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    Ok(Some(Some(Head {
        response,
        framing,
        reusable: keep_alive,
    })))
}

/// The interim head passed to the client: HTTP/1.1, the status, and the fields of
/// the peer's head (`spans` into `head`) but the hop-by-hop ones.
fn encode_interim(status: StatusCode, head: &Bytes, spans: &[(u32, u32, u32, u32)]) -> Bytes {
    let mut out = BytesMut::with_capacity(head.len() + 16);
    out.put_slice(b"HTTP/1.1 ");
    out.put_slice(status.as_str().as_bytes());
    out.put_u8(b' ');
    out.put_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.put_slice(b"\r\n");
    for &(name_at, name_len, value_at, value_len) in spans {
        let name = &head[name_at as usize..(name_at + name_len) as usize];
        let hop_by_hop = HeaderName::from_bytes(name).map_or(true, |name| is_hop_by_hop(&name));
        if hop_by_hop {
            continue;
        }
        out.put_slice(name);
        out.put_slice(b": ");
        out.put_slice(&head[value_at as usize..(value_at + value_len) as usize]);
        out.put_slice(b"\r\n");
    }
    out.put_slice(b"\r\n");
    out.freeze()
}

/// The standard name `raw` spells (in any case), for the names most responses and
/// requests carry (the gateway's own HTTP/1.1 server reads requests with it too):
/// picked by length and first letter (and last, where two share those), then
/// compared, instead of `HeaderName::from_bytes`' general path (~150 instructions a
/// name, measured). `None`: use the general path.
///
/// `raw` is a token (httparse checked it), so setting bit 5 of each byte lowercases
/// it and maps no other token byte onto a lowercase letter or `-`: a byte-wise
/// compare against the lowercase name is a case-insensitive compare, at a third of
/// `eq_ignore_ascii_case`'s cost.
pub(crate) fn common_name(raw: &[u8]) -> Option<HeaderName> {
    let first = raw.first()? | 0x20;
    let last = raw.last()? | 0x20;
    let known = match (raw.len(), first, last) {
        (3, b'a', _) => header::AGE,
        (4, b'd', _) => header::DATE,
        (4, b'e', _) => header::ETAG,
        (4, b'h', _) => header::HOST,
        (4, b'v', _) => header::VARY,
        (6, b'a', _) => header::ACCEPT,
        (6, b'c', _) => header::COOKIE,
        (6, b's', _) => header::SERVER,
        (7, b'e', _) => header::EXPIRES,
        (7, b'r', _) => header::REFERER,
        (8, b'l', _) => header::LOCATION,
        (10, b'c', _) => header::CONNECTION,
        (10, b's', _) => header::SET_COOKIE,
        (10, b'u', _) => header::USER_AGENT,
        (12, b'c', _) => header::CONTENT_TYPE,
        (13, b'a', b's') => header::ACCEPT_RANGES,
        (13, b'a', b'n') => header::AUTHORIZATION,
        (13, b'c', _) => header::CACHE_CONTROL,
        (13, b'i', _) => header::IF_NONE_MATCH,
        (13, b'l', _) => header::LAST_MODIFIED,
        (14, b'c', _) => header::CONTENT_LENGTH,
        (15, b'a', b'g') => header::ACCEPT_ENCODING,
        (15, b'a', b'e') => header::ACCEPT_LANGUAGE,
        (16, b'c', _) => header::CONTENT_ENCODING,
        (17, b'i', _) => header::IF_MODIFIED_SINCE,
        (17, b't', _) => header::TRANSFER_ENCODING,
        _ => return None,
    };
    raw.iter()
        .zip(known.as_str().as_bytes())
        .all(|(byte, lower)| byte | 0x20 == *lower)
        .then_some(known)
}

/// A `Content-Length` value: `1*DIGIT` (RFC 9110 §8.6), optional whitespace around
/// it, at most 19 digits so it fits a `u64`.
fn content_length(value: &[u8]) -> Option<u64> {
    let digits = value.trim_ascii();
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkState {
    /// Expecting a `size[;extensions]\r\n` line.
    Size,
    /// Inside chunk data with this many bytes left.
    Data(u64),
    /// Expecting the `\r\n` after chunk data.
    DataEnd,
    /// After the last chunk: trailer lines until an empty one.
    Trailers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    Length(u64),
    Chunked(ChunkState),
    UntilClose,
    Done,
}

/// A streaming upstream response body. At its end the connection goes back to the
/// pool (when reusable) and the peer slot is released.
#[derive(Debug)]
pub struct UpstreamBody {
    conn: Option<Connection>,
    framing: Framing,
    reusable: bool,
    peer: PeerRef,
    max_idle: usize,
    /// Longest pause between two reads of the body.
    read_timeout: Duration,
    /// Armed while a read waits for the peer.
    stalled: deadline::Deadline,
    in_flight: Option<InFlight>,
}

fn malformed(what: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// Finds `\r\n` in `buf`; the index of `\r`.
fn line_end(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|w| w == b"\r\n")
}

impl UpstreamBody {
    fn finish(&mut self) {
        self.framing = Framing::Done;
        if let Some(conn) = self.conn.take() {
            if self.reusable && conn.buf.is_empty() {
                self.peer.pool.put(conn, self.max_idle);
            }
        }
        self.in_flight.take();
    }

    /// Gives up on a body that cannot be completed: the connection closes (it is
    /// mid-response) and the peer's slot is released at once.
    fn abandon(&mut self) {
        self.conn = None;
        self.in_flight.take();
        self.stalled.disarm();
    }

    /// Reads more from the socket; `Ok(false)` at end of stream.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        let Some(conn) = self.conn.as_mut() else {
            return Poll::Ready(Ok(false));
        };
        if conn.buf.capacity() - conn.buf.len() < 1024 {
            conn.buf.reserve(8 * 1024);
        }
        match poll_read_buf(Pin::new(&mut conn.stream), cx, &mut conn.buf) {
            Poll::Ready(read) => {
                self.stalled.disarm();
                Poll::Ready(Ok(read? > 0))
            }
            Poll::Pending => {
                ready!(self.stalled.poll(self.read_timeout, cx));
                // The peer stopped mid-body: the response cannot be completed, so
                // the client's connection is aborted and the slot freed.
                let upstream = self.peer.upstream();
                self.peer.runtime().metrics.upstream_error(
                    &upstream.name,
                    &self.peer.configured,
                    UpstreamError::BodyTimeout,
                );
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "upstream response body stalled for longer than the read timeout",
                )))
            }
        }
    }
}

impl Drop for UpstreamBody {
    fn drop(&mut self) {
        // An empty body may never be polled; its connection is still good to reuse.
        // Any other unfinished body leaves the connection mid-response: it closes.
        if self.framing == Framing::Length(0) {
            self.finish();
        }
    }
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        let this = self.get_mut();
        loop {
            let step = match this.conn.as_mut() {
                None => return Poll::Ready(None),
                Some(conn) => decode(&mut this.framing, &mut conn.buf),
            };
            match step {
                Step::Data(bytes) => {
                    if this.framing == Framing::Done {
                        this.finish();
                    }
                    return Poll::Ready(Some(Ok(Frame::data(bytes))));
                }
                Step::Done => {
                    this.finish();
                    return Poll::Ready(None);
                }
                Step::Malformed(what) => {
                    this.abandon();
                    return Poll::Ready(Some(Err(malformed(what))));
                }
                Step::NeedMore => match ready!(this.poll_fill(cx)) {
                    Ok(true) => {}
                    Ok(false) if this.framing == Framing::UntilClose => {
                        this.reusable = false;
                        this.finish();
                        return Poll::Ready(None);
                    }
                    Ok(false) => {
                        this.abandon();
                        let error = io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "upstream closed the connection mid-body",
                        );
                        return Poll::Ready(Some(Err(error)));
                    }
                    Err(error) => {
                        this.abandon();
                        return Poll::Ready(Some(Err(error)));
                    }
                },
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.framing, Framing::Done | Framing::Length(0))
    }

    fn size_hint(&self) -> SizeHint {
        match self.framing {
            Framing::Length(n) => SizeHint::with_exact(n),
            Framing::Done => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

/// What the decoder made of the buffered bytes.
#[derive(Debug)]
pub(crate) enum Step {
    Data(Bytes),
    Done,
    NeedMore,
    Malformed(&'static str),
}

/// Takes the next piece of body out of `buf` according to `framing` (also the
/// workers' own server's request bodies, `listen/http1.rs`).
pub(crate) fn decode(framing: &mut Framing, buf: &mut BytesMut) -> Step {
    loop {
        match *framing {
            Framing::Done => return Step::Done,
            Framing::Length(0) => {
                *framing = Framing::Done;
                return Step::Done;
            }
            Framing::Length(left) => {
                let Some((data, left)) = take_up_to(buf, left) else {
                    return Step::NeedMore;
                };
                *framing = if left == 0 {
                    Framing::Done
                } else {
                    Framing::Length(left)
                };
                return Step::Data(data);
            }
            Framing::UntilClose => {
                if buf.is_empty() {
                    return Step::NeedMore;
                }
                return Step::Data(buf.split().freeze());
            }
            Framing::Chunked(ChunkState::Size) => {
                let Some(end) = line_end(buf) else {
                    return if buf.len() > 4096 {
                        Step::Malformed("chunk size line too long")
                    } else {
                        Step::NeedMore
                    };
                };
                let digits = buf[..end].split(|b| *b == b';').next().unwrap_or_default();
                let size = std::str::from_utf8(digits.trim_ascii())
                    .ok()
                    .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|d| u64::from_str_radix(d, 16).ok());
                let Some(size) = size else {
                    return Step::Malformed("invalid chunk size");
                };
                buf.advance(end + 2);
                *framing = Framing::Chunked(if size == 0 {
                    ChunkState::Trailers
                } else {
                    ChunkState::Data(size)
                });
            }
            Framing::Chunked(ChunkState::Data(left)) => {
                let Some((data, left)) = take_up_to(buf, left) else {
                    return Step::NeedMore;
                };
                *framing = Framing::Chunked(if left == 0 {
                    ChunkState::DataEnd
                } else {
                    ChunkState::Data(left)
                });
                return Step::Data(data);
            }
            Framing::Chunked(ChunkState::DataEnd) => {
                if buf.len() < 2 {
                    return Step::NeedMore;
                }
                if &buf[..2] != b"\r\n" {
                    return Step::Malformed("missing CRLF after chunk data");
                }
                buf.advance(2);
                *framing = Framing::Chunked(ChunkState::Size);
            }
            Framing::Chunked(ChunkState::Trailers) => {
                // Trailer fields are read past, not forwarded.
                let Some(end) = line_end(buf) else {
                    return if buf.len() > MAX_HEAD {
                        Step::Malformed("trailers too large")
                    } else {
                        Step::NeedMore
                    };
                };
                buf.advance(end + 2);
                if end == 0 {
                    *framing = Framing::Done;
                    return Step::Done;
                }
            }
        }
    }
}

/// Splits off up to `limit` buffered bytes; `None` when nothing is buffered.
fn take_up_to(buf: &mut BytesMut, limit: u64) -> Option<(Bytes, u64)> {
    if buf.is_empty() {
        return None;
    }
    let n = usize::try_from(limit).map_or(buf.len(), |limit| limit.min(buf.len()));
    Some((buf.split_to(n).freeze(), limit - n as u64))
}

/// Feeds `data` to the head parser `step` bytes at a time, then decodes what follows as
/// the body its framing says; checks that decoding never invents bytes. For fuzzing.
/// The head [`send`] writes for a bodyless `GET /` with `headers` to a peer at
/// `upstream.example` (for the fuzz target and tests).
pub(crate) fn encoded_head(headers: &HeaderMap, forwarded: Option<&ClientPeer>) -> BytesMut {
    let head = RequestHead {
        method: &Method::GET,
        path_and_query: "/",
        headers,
        forwarded,
        interim: None,
    };
    let mut out = BytesMut::new();
    encode_head(&head, &RequestBody::Empty, "upstream.example", &mut out);
    out
}

pub(crate) fn fuzz_response(method: &Method, data: &[u8], step: usize) {
    let mut input = data.chunks(step);
    let mut buf = BytesMut::new();
    let framing = loop {
        match parse_head(&mut buf, method, None) {
            Ok(Some(Some(head))) => break head.framing,
            Ok(Some(None)) => continue, // 1xx: the final head follows
            Ok(None) => match input.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => return,
            },
            Err(_) => return,
        }
    };
    let available = buf.len() + input.clone().map(<[u8]>::len).sum::<usize>();
    decode_pieces(framing, buf, input, available);
}

/// Decodes a body (chunked when the first byte is even, else of the length in the
/// next two bytes) fed in pieces; checks the decoder's invariants. For fuzzing.
pub(crate) fn fuzz_body(data: &[u8]) {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let (framing, rest) = if control & 1 == 0 {
        (Framing::Chunked(ChunkState::Size), rest)
    } else if rest.len() >= 2 {
        let length = u64::from(u16::from_be_bytes([rest[0], rest[1]]));
        (Framing::Length(length), &rest[2..])
    } else {
        return;
    };
    let step = usize::from(control >> 1).max(1);
    decode_pieces(framing, BytesMut::new(), rest.chunks(step), rest.len());
}

fn decode_pieces<'a>(
    mut framing: Framing,
    mut buf: BytesMut,
    mut input: impl Iterator<Item = &'a [u8]>,
    available: usize,
) {
    let declared = match framing {
        Framing::Length(n) => Some(n),
        _ => None,
    };
    let mut out = 0usize;
    loop {
        match decode(&mut framing, &mut buf) {
            Step::Data(data) => {
                assert!(!data.is_empty(), "the decoder produced an empty frame");
                out += data.len();
            }
            Step::Done => break,
            Step::Malformed(_) => return,
            Step::NeedMore => match input.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => break,
            },
        }
    }
    assert!(out <= available, "decoded {out} bytes from {available}");
    if let Some(declared) = declared {
        assert!(
            out as u64 <= declared,
            "decoded {out} of a {declared}-byte body"
        );
        if framing == Framing::Done {
            assert_eq!(out as u64, declared);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(framing: Framing, input: &[u8]) -> (Vec<u8>, Framing, Option<&'static str>) {
        let mut framing = framing;
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        // Feed one byte at a time: every state must cope with partial input.
        for byte in input {
            buf.put_u8(*byte);
            loop {
                match decode(&mut framing, &mut buf) {
                    Step::Data(data) => out.extend_from_slice(&data),
                    Step::Done | Step::NeedMore => break,
                    Step::Malformed(what) => return (out, framing, Some(what)),
                }
            }
        }
        (out, framing, None)
    }

    #[test]
    fn common_names_are_the_names_the_general_parser_gives() {
        for name in [
            "age",
            "Date",
            "ETAG",
            "vary",
            "Server",
            "expires",
            "Location",
            "connection",
            "Set-Cookie",
            "content-type",
            "Accept-Ranges",
            "cache-control",
            "Last-Modified",
            "Content-Length",
            "content-encoding",
            "Transfer-Encoding",
            "Host",
            "accept",
            "Cookie",
            "Referer",
            "User-Agent",
            "Authorization",
            "If-None-Match",
            "Accept-Encoding",
            "accept-language",
            "If-Modified-Since",
        ] {
            let general = HeaderName::from_bytes(name.as_bytes()).unwrap();
            assert_eq!(common_name(name.as_bytes()), Some(general), "{name}");
        }
        // Same length and first letter as a common name, or not common at all: the
        // general path decides.
        for name in [
            "content-language",
            "content-location",
            "keep-alive",
            "x-id",
            "dat\u{0}",
            "",
            "cache-contro1",
            "set-cookie2",
            "CONTENT_TYPE",
            "dat^",
            "Dat~",
        ] {
            assert_eq!(common_name(name.as_bytes()), None, "{name:?}");
        }
    }

    #[test]
    fn content_length_is_digits_only() {
        assert_eq!(content_length(b"0"), Some(0));
        assert_eq!(content_length(b" 1234 "), Some(1234));
        assert_eq!(
            content_length(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        for bad in [
            &b""[..],
            b" ",
            b"+5",
            b"-1",
            b"1 2",
            b"0x10",
            b"12a",
            b"99999999999999999999",
        ] {
            assert_eq!(
                content_length(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn chunked_bodies_decode_across_partial_reads() {
        let input = b"5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nx-trailer: 1\r\n\r\n";
        let (out, framing, error) = decode_all(Framing::Chunked(ChunkState::Size), input);
        assert_eq!(error, None);
        assert_eq!(out, b"hello 0123456789");
        assert_eq!(framing, Framing::Done);
    }

    #[test]
    fn malformed_chunks_are_errors() {
        let (_, _, error) = decode_all(Framing::Chunked(ChunkState::Size), b"zz\r\n");
        assert_eq!(error, Some("invalid chunk size"));
        let (_, _, error) = decode_all(Framing::Chunked(ChunkState::Size), b"2\r\nabXX");
        assert_eq!(error, Some("missing CRLF after chunk data"));
    }

    #[test]
    fn length_framing_stops_at_the_length() {
        let (out, framing, _) = decode_all(Framing::Length(3), b"abc");
        assert_eq!((out.as_slice(), framing), (&b"abc"[..], Framing::Done));
        let mut buf = BytesMut::from(&b"abcNEXT"[..]);
        let mut framing = Framing::Length(3);
        assert!(matches!(decode(&mut framing, &mut buf), Step::Data(d) if d == "abc"));
        assert_eq!(&buf[..], b"NEXT");
    }

    #[test]
    fn hop_by_hop_response_headers_never_leave_the_parser() {
        let mut buf = BytesMut::from(
            &b"HTTP/1.1 200 OK\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive, X-Secret\r\nTransfer-Encoding: chunked\r\nX-Kept: 2\r\nUpgrade: h2c\r\n\r\n"[..],
        );
        let head = parse_head(&mut buf, &Method::GET, None)
            .unwrap()
            .unwrap()
            .unwrap();
        let names: Vec<&str> = head.response.headers().keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["x-kept"]);
        // Framing still read them.
        assert_eq!(head.framing, Framing::Chunked(ChunkState::Size));
    }

    #[test]
    fn requests_go_out_without_hop_by_hop_or_client_forwarding_headers() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("host", "api.example"),
            ("x-forwarded-for", "6.6.6.6"),
            ("forwarded", "for=6.6.6.6"),
            ("x-real-ip", "6.6.6.6"),
            ("connection", "keep-alive"),
            ("te", "trailers"),
            ("accept", "*/*"),
        ] {
            headers.append(name, HeaderValue::from_static(value));
        }
        let client = ClientPeer::new([192, 0, 2, 7].into(), "https");
        let sent = encoded_head(&headers, Some(&client));
        assert_eq!(
            std::str::from_utf8(&sent).unwrap(),
            "GET / HTTP/1.1\r\nhost: api.example\r\naccept: */*\r\nx-forwarded-for: 192.0.2.7\r\n\
             x-forwarded-proto: https\r\nforwarded: for=192.0.2.7;proto=https\r\n\
             x-forwarded-host: api.example\r\n\r\n"
        );
        // Rewritten in the map (a trusted proxy's request): sent as they are, and the
        // peer's authority stands in for a missing Host.
        headers.remove("host");
        let sent = encoded_head(&headers, None);
        let sent = std::str::from_utf8(&sent).unwrap();
        assert!(sent.contains("x-forwarded-for: 6.6.6.6\r\n"), "{sent}");
        assert!(sent.contains("host: upstream.example\r\n"), "{sent}");
        assert!(
            !sent.contains("connection") && !sent.contains("te:"),
            "{sent}"
        );
    }

    #[test]
    fn response_heads_parse_with_framing_and_keep_alive() {
        let mut buf =
            BytesMut::from(&b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello"[..]);
        let head = parse_head(&mut buf, &Method::GET, None)
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(head.response.status(), 200);
        assert_eq!(head.response.headers()["x-a"], "b");
        assert_eq!(head.framing, Framing::Length(5));
        assert!(head.reusable);
        assert_eq!(&buf[..], b"hello");

        let mut buf = BytesMut::from(&b"HTTP/1.0 200 OK\r\n\r\nrest"[..]);
        let head = parse_head(&mut buf, &Method::GET, None)
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!((head.framing, head.reusable), (Framing::UntilClose, false));

        let mut buf = BytesMut::from(&b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"[..]);
        let head = parse_head(&mut buf, &Method::GET, None)
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(head.framing, Framing::Chunked(ChunkState::Size));
        assert!(!head.reusable);
        assert!(head.response.headers().get("content-length").is_none());

        let mut buf =
            BytesMut::from(&b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"[..]);
        assert!(parse_head(&mut buf, &Method::POST, None)
            .unwrap()
            .unwrap()
            .is_none());
        let head = parse_head(&mut buf, &Method::POST, None)
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(
            (head.response.status().as_u16(), head.framing),
            (204, Framing::Length(0))
        );

        let mut partial = BytesMut::from(&b"HTTP/1.1 200 OK\r\nContent-Le"[..]);
        assert!(parse_head(&mut partial, &Method::GET, None)
            .unwrap()
            .is_none());
        let mut conflicting = BytesMut::from(
            &b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"[..],
        );
        assert!(parse_head(&mut conflicting, &Method::GET, None).is_err());
        let mut garbage = BytesMut::from(&b"SMTP ready\r\n\r\n"[..]);
        assert!(parse_head(&mut garbage, &Method::GET, None).is_err());
    }
}
