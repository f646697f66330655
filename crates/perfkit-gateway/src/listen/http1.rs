//! The proxy workers' own HTTP/1.1 server for the common request: HTTP/1.1, origin
//! form, a complete head of at most [`MAX_HEAD`] bytes and [`MAX_HEADERS`] fields, no
//! `Upgrade`; a body framed by one plain `Content-Length` or by `Transfer-Encoding:
//! chunked` alone (decoded as the handler takes it, `listen/feed.rs`), and `Expect`
//! only as `100-continue` (answered `100 Continue` when the handler first asks for the
//! body).
//!
//! Anything else (other transfer codings, HTTP/1.0, an h2c preface, a head httparse
//! refuses or that is too large) hands the connection, with every byte already read, to
//! hyper's server for the rest of its life, so hyper answers unusual and malformed
//! requests exactly as it does on the admin listener. What this saves on every
//! ordinary request is hyper's dispatcher: its state machine, the request body channel
//! and a second pass over the response head (measured in BENCHMARKS.md). Serving
//! bodies here too is what lets interim (`1xx`) responses reach HTTP/1.1 clients that
//! send one: hyper's server has no API to write a `1xx` other than its own
//! `100 Continue`.
//!
//! Deadlines are the listener's [`Watch`](super::connection::Watch): no first request
//! within `header_read_timeout` drops the connection; no new request for
//! `idle_timeout` (or a shutdown) closes it between requests. A head that has started
//! to arrive must complete within `header_read_timeout`; a pause in a body is the
//! upstream exchange's `client_body_timeout`.

use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Buf, Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body::Body as _;
use perfkit_config::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use super::connection::{
    accept_loop, builder, Accept, Accepted, Activity, Counted, Deadlines, GracefulConnection,
};
use super::feed::{Feed, Wants};
use super::interim::Interim;
use crate::body::{ClientBody, ResponseBody};
use crate::deadline::{CoarseTimer, Deadline};
use crate::upstream::http1::{
    common_name, decode, ChunkState, Framing as BodyFraming, Step as Decoded,
};

/// Heads longer than this go to hyper (which applies its own limits).
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// Heads with more fields than this go to hyper.
pub(crate) const MAX_HEADERS: usize = 64;
/// Bodies up to this size are copied behind the head and sent with it in one write.
const COALESCE: usize = 16 * 1024;

/// Serves proxy connections from `connections` until `stop` (then drains, like
/// [`serve`](super::connection::serve)); `make_handler` makes each connection's
/// request handler, given the client's address and the connection's interim-response
/// queue (written to the client while this server serves the connection).
pub(crate) async fn serve<A, M, H, F>(
    connections: A,
    config: ServerConfig,
    stop: CancellationToken,
    make_handler: M,
) where
    A: Accept,
    M: Fn(SocketAddr, Interim) -> H + Send + 'static,
    H: Fn(Request<ClientBody>) -> F + Send + Sync + 'static,
    F: Future<Output = Result<Response<ResponseBody>, Infallible>> + Send + 'static,
{
    let http = builder(CoarseTimer, &config);
    let deadlines = Deadlines::new(CoarseTimer, &config, stop.clone());
    let header_read_timeout = config.header_read_timeout;
    accept_loop(connections, config.shutdown_grace, stop, move |accepted| {
        let Accepted {
            stream,
            remote,
            guard,
        } = accepted;
        let interim = Interim::open();
        let handler = Arc::new(make_handler(remote, interim.clone()));
        let http = http.clone();
        let deadlines = deadlines.clone();
        async move {
            let _open = guard;
            let activity = Activity::default();
            let native = Native::new(
                stream,
                Arc::clone(&handler),
                interim.clone(),
                activity.clone(),
                header_read_timeout,
            );
            let Some(Some((stream, read))) =
                deadlines.watch(activity.clone()).run(native, remote).await
            else {
                return;
            };
            // hyper writes no interim responses (and serves HTTP/1.0 clients, who must
            // get none): nothing is queued from now on.
            interim.close();
            // Hand the connection over to hyper with the bytes already read.
            let service = Counted {
                inner: hyper::service::service_fn(
                    move |request: Request<hyper::body::Incoming>| {
                        handler(request.map(ClientBody::Hyper))
                    },
                ),
                activity: activity.clone(),
            };
            let connection = http
                .serve_connection(
                    hyper_util::rt::TokioIo::new(Prefixed {
                        read: read.freeze(),
                        stream,
                    }),
                    service,
                )
                .into_owned();
            if let Some(Err(error)) = deadlines.watch(activity).run(connection, remote).await {
                tracing::debug!(%remote, %error, "client connection ended with an error");
            }
        }
    })
    .await;
}

/// A connection for hyper: the stream and what was already read from it.
type HandOver = (TcpStream, BytesMut);

/// One connection served natively; resolves to `Some` when it must go to hyper,
/// `None` when it is closed.
struct Native {
    closing: Arc<AtomicBool>,
    future: Pin<Box<dyn Future<Output = Option<HandOver>> + Send>>,
}

impl Native {
    fn new<H, F>(
        stream: TcpStream,
        handler: Arc<H>,
        interim: Interim,
        activity: Activity,
        header_read_timeout: Duration,
    ) -> Native
    where
        H: Fn(Request<ClientBody>) -> F + Send + Sync + 'static,
        F: Future<Output = Result<Response<ResponseBody>, Infallible>> + Send + 'static,
    {
        let closing = Arc::new(AtomicBool::new(false));
        let future = Box::pin(connection(
            stream,
            handler,
            interim,
            activity,
            Arc::clone(&closing),
            header_read_timeout,
        ));
        Native { closing, future }
    }
}

impl Future for Native {
    type Output = Option<HandOver>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.future.as_mut().poll(cx)
    }
}

impl GracefulConnection for Native {
    fn shut_down(self: Pin<&mut Self>) {
        // Seen between requests: the connection polls it while it waits for a head.
        self.closing.store(true, Ordering::Relaxed);
    }
}

/// A request head the native server takes.
struct Head {
    parts: http::request::Parts,
    keep_alive: bool,
    /// How the body is framed; `None`: no body.
    body: Option<BodyFraming>,
    /// `Expect: 100-continue`: the client may wait for `100 Continue` before the body.
    expect_continue: bool,
}

// A head is parsed once per request and moved at once: boxing it would cost an
// allocation per request for nothing.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Complete(Head),
    Partial,
    /// Not for this server: hyper takes the connection.
    Other,
}

async fn connection<H, F>(
    mut stream: TcpStream,
    handler: Arc<H>,
    interim: Interim,
    activity: Activity,
    closing: Arc<AtomicBool>,
    header_read_timeout: Duration,
) -> Option<HandOver>
where
    H: Fn(Request<ClientBody>) -> F + Send + Sync + 'static,
    F: Future<Output = Result<Response<ResponseBody>, Infallible>> + Send + 'static,
{
    let mut read = BytesMut::with_capacity(8 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(4 * 1024);
    let mut head_deadline = Deadline::default();
    // Bytes of the previous request's body that its handler did not read: skipped
    // before the next head (within `header_read_timeout`).
    let mut discard: u64 = 0;
    loop {
        // A complete head, from what was read and more reads.
        let head = loop {
            if discard > 0 && !read.is_empty() {
                let skipped = discard.min(read.len() as u64);
                read.advance(skipped as usize);
                discard -= skipped;
            }
            if discard == 0 && !read.is_empty() {
                match parse(&mut read) {
                    Parsed::Complete(head) => break head,
                    Parsed::Partial if read.len() <= MAX_HEAD => {}
                    Parsed::Partial | Parsed::Other => return Some((stream, read)),
                }
            }
            if read.capacity() - read.len() < 1024 {
                read.reserve(8 * 1024);
            }
            let filled = poll_fn(|cx| {
                if read.is_empty() && discard == 0 {
                    if closing.load(Ordering::Relaxed) {
                        return Poll::Ready(Err(Closed::Asked));
                    }
                } else if head_deadline.poll(header_read_timeout, cx).is_ready() {
                    return Poll::Ready(Err(Closed::HeadTimedOut));
                }
                match tokio_util::io::poll_read_buf(Pin::new(&mut stream), cx, &mut read) {
                    Poll::Ready(Ok(0)) => Poll::Ready(Err(Closed::Eof)),
                    Poll::Ready(Ok(_)) => Poll::Ready(Ok(())),
                    Poll::Ready(Err(_)) => Poll::Ready(Err(Closed::Eof)),
                    Poll::Pending => Poll::Pending,
                }
            })
            .await;
            if let Err(why) = filled {
                if why == Closed::HeadTimedOut {
                    tracing::debug!(
                        "request head not complete within header_read_timeout; closing"
                    );
                }
                return None;
            }
        };
        head_deadline.disarm();
        activity.start();
        let is_head = head.parts.method == Method::HEAD;
        // A body: decoded from what was read and further reads as the handler asks.
        let mut framing = head.body.unwrap_or(BodyFraming::Done);
        let (feed, body) = match head.body {
            None => (None, ClientBody::Empty),
            Some(declared) => {
                let length = match declared {
                    BodyFraming::Length(n) => Some(n),
                    _ => None,
                };
                let (feed, body) = Feed::new(length, head.expect_continue);
                (Some(feed), ClientBody::Native(body))
            }
        };
        let mut malformed = false;
        // The handler's future is large: pinned where it is built, so it is not
        // copied from one future's state into another's. While it waits, interim
        // responses its upstream exchange queued are written to the client, and its
        // body is read when it asks for more.
        let handling = handler(Request::from_parts(head.parts, body));
        let mut handling = std::pin::pin!(handling);
        let response = loop {
            let polled = poll_fn(|cx| loop {
                match handling.as_mut().poll(cx) {
                    Poll::Ready(Ok(response)) => return Poll::Ready(Step::Respond(response)),
                    Poll::Ready(Err(never)) => match never {},
                    Poll::Pending if interim.pending() => return Poll::Ready(Step::Interim),
                    Poll::Pending => {}
                }
                let Some(feed) = &feed else {
                    return Poll::Pending;
                };
                match feed.wants(cx) {
                    Wants::Nothing => return Poll::Pending,
                    Wants::Continue => return Poll::Ready(Step::Continue),
                    Wants::Read => loop {
                        match decode(&mut framing, &mut read) {
                            Decoded::Data(data) => {
                                feed.push(data);
                                if framing == BodyFraming::Done {
                                    feed.finish();
                                }
                                break;
                            }
                            Decoded::Done => {
                                feed.finish();
                                break;
                            }
                            Decoded::Malformed(_) => {
                                malformed = true;
                                feed.cut_short();
                                break;
                            }
                            Decoded::NeedMore => {}
                        }
                        if read.capacity() - read.len() < 1024 {
                            read.reserve(16 * 1024);
                        }
                        match tokio_util::io::poll_read_buf(Pin::new(&mut stream), cx, &mut read) {
                            Poll::Pending => return Poll::Pending,
                            Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => {
                                feed.cut_short();
                                break;
                            }
                            Poll::Ready(Ok(_)) => {}
                        }
                    },
                    // The handler takes what was decoded (or the error) at once.
                }
            })
            .await;
            match polled {
                Step::Respond(response) => break response,
                Step::Interim => {
                    if write_interim(&mut stream, &interim).await.is_err() {
                        return None;
                    }
                }
                Step::Continue => {
                    if stream.write_all(CONTINUE).await.is_err() {
                        return None;
                    }
                    if let Some(feed) = &feed {
                        feed.continued();
                    }
                }
            }
        };
        // Heads queued by the poll that also produced the final response.
        if interim.pending() && write_interim(&mut stream, &interim).await.is_err() {
            return None;
        }
        let mut keep_alive = head.keep_alive && !closing.load(Ordering::Relaxed);
        // A body the handler left unread: skipped before the next request when it has
        // a length, is small and on its way; otherwise the connection closes after
        // the response (a client still waiting for `100 Continue` may never send it).
        let mut unread = 0;
        if framing != BodyFraming::Done {
            match (framing, &feed) {
                (BodyFraming::Length(left), Some(feed))
                    if left <= MAX_DISCARD && !feed.awaiting_continue() =>
                {
                    unread = left;
                }
                _ => {
                    keep_alive = false;
                    unread = 1;
                }
            }
        }
        if malformed {
            keep_alive = false;
        }
        out.clear();
        match respond(&mut stream, &mut out, response, is_head, keep_alive).await {
            Ok(true) => discard = unread,
            Ok(false) | Err(_) => {
                let _ = stream.shutdown().await;
                if unread > 0 {
                    linger(&mut stream, header_read_timeout).await;
                }
                return None;
            }
        }
    }
}

/// What the connection does next while a request is handled.
// Made and matched once per poll that returns, never stored: boxing the response
// would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
enum Step {
    Respond(Response<ResponseBody>),
    Interim,
    Continue,
}

/// The interim response that asks a client waiting on `Expect: 100-continue` for its body.
const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// The most of an unread request body skipped to keep the connection open.
const MAX_DISCARD: u64 = 64 * 1024;

/// After the response to a request whose body was not read, reads (and drops) what
/// the client still sends, up to a bound, so the close does not reset the connection
/// under a response the client has not read yet.
async fn linger(stream: &mut TcpStream, limit: Duration) {
    let mut deadline = Deadline::default();
    let mut scratch = BytesMut::with_capacity(8 * 1024);
    let mut left: usize = 1024 * 1024;
    while left > 0 {
        scratch.clear();
        let read = poll_fn(|cx| {
            if deadline.poll(limit, cx).is_ready() {
                return Poll::Ready(0);
            }
            match tokio_util::io::poll_read_buf(Pin::new(&mut *stream), cx, &mut scratch) {
                Poll::Ready(Ok(n)) => Poll::Ready(n),
                Poll::Ready(Err(_)) => Poll::Ready(0),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        if read == 0 {
            return;
        }
        left = left.saturating_sub(read);
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Closed {
    Asked,
    Eof,
    HeadTimedOut,
}

/// Parses the head at the start of `read`, removing it from `read` when complete.
fn parse(read: &mut BytesMut) -> Parsed {
    // Left uninitialised: httparse writes the slots it fills.
    let mut fields =
        [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut []);
    let length = match request.parse_with_uninit_headers(read, &mut fields) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(_) => return Parsed::Other,
    };
    if request.version != Some(1) || length > MAX_HEAD {
        return Parsed::Other;
    }
    let (Some(method), Some(path)) = (request.method, request.path) else {
        return Parsed::Other;
    };
    if !path.starts_with('/') {
        return Parsed::Other;
    }
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return Parsed::Other;
    };
    if method == Method::CONNECT {
        return Parsed::Other;
    }
    // Offsets into the head (at most MAX_HEAD bytes, so they fit in a u16), kept
    // while httparse's borrow of `read` ends and the head becomes `Bytes`.
    let base = read.as_ptr() as usize;
    let offset = |at: *const u8| (at as usize - base) as u16;
    let path_span = (usize::from(offset(path.as_ptr())), path.len());
    let mut spans = [(0u16, 0u16, 0u16, 0u16); MAX_HEADERS];
    let count = request.headers.len();
    for (span, field) in spans.iter_mut().zip(request.headers.iter()) {
        *span = (
            offset(field.name.as_ptr()),
            field.name.len() as u16,
            offset(field.value.as_ptr()),
            field.value.len() as u16,
        );
    }
    let head = read.split_to(length).freeze();
    let Ok(uri) = Uri::from_maybe_shared(head.slice(path_span.0..path_span.0 + path_span.1)) else {
        return other(read, head);
    };
    let mut headers = HeaderMap::with_capacity(count);
    let mut keep_alive = true;
    let mut length = None;
    let mut expect_continue = false;
    for &(name_at, name_len, value_at, value_len) in &spans[..count] {
        let (name_at, name_len) = (usize::from(name_at), usize::from(name_len));
        let (value_at, value_len) = (usize::from(value_at), usize::from(value_len));
        let raw = &head[name_at..name_at + name_len];
        let Some(name) = common_name(raw).or_else(|| HeaderName::from_bytes(raw).ok()) else {
            return other(read, head);
        };
        let Ok(value) = HeaderValue::from_maybe_shared(head.slice(value_at..value_at + value_len))
        else {
            return other(read, head);
        };
        if name == header::UPGRADE {
            return other(read, head);
        }
        if name == header::CONTENT_LENGTH {
            // One plain decimal length; anything else (a list, a sign, a second
            // field, one beside `Transfer-Encoding`) is hyper's to refuse.
            match (length, content_length(value.as_bytes())) {
                (None, Some(declared)) => length = Some(BodyLength::Length(declared)),
                _ => return other(read, head),
            }
        }
        if name == header::TRANSFER_ENCODING {
            // `chunked` alone, once; other codings are hyper's.
            if length.is_some()
                || !value
                    .as_bytes()
                    .trim_ascii()
                    .eq_ignore_ascii_case(b"chunked")
            {
                return other(read, head);
            }
            length = Some(BodyLength::Chunked);
        }
        if name == header::EXPECT {
            if expect_continue || !value.as_bytes().eq_ignore_ascii_case(b"100-continue") {
                return other(read, head);
            }
            expect_continue = true;
        }
        if name == header::CONNECTION {
            if has_token(value.as_bytes(), b"upgrade") {
                return other(read, head);
            }
            keep_alive &= !has_token(value.as_bytes(), b"close");
        }
        headers.append(name, value);
    }
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.method = method;
    parts.uri = uri;
    parts.version = Version::HTTP_11;
    parts.headers = headers;
    Parsed::Complete(Head {
        parts,
        keep_alive,
        body: match length {
            None | Some(BodyLength::Length(0)) => None,
            Some(BodyLength::Length(n)) => Some(BodyFraming::Length(n)),
            Some(BodyLength::Chunked) => Some(BodyFraming::Chunked(ChunkState::Size)),
        },
        expect_continue,
    })
}

/// A request body's framing as declared by its head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyLength {
    Length(u64),
    Chunked,
}

/// A `Content-Length` value: ASCII digits only, at most 18 of them (no overflow).
fn content_length(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 18 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// Writes the queued interim response heads, in order, before the final response.
async fn write_interim(stream: &mut TcpStream, interim: &Interim) -> io::Result<()> {
    for head in interim.take() {
        stream.write_all(&head).await?;
    }
    Ok(())
}

/// Puts a parsed head back in front of `read` for hyper.
fn other(read: &mut BytesMut, head: Bytes) -> Parsed {
    let rest = read.split();
    read.extend_from_slice(&head);
    read.extend_from_slice(&rest);
    Parsed::Other
}

/// Writes `response`; `Ok(true)` when the connection stays open for another request.
async fn respond(
    stream: &mut TcpStream,
    out: &mut Vec<u8>,
    response: Response<ResponseBody>,
    is_head: bool,
    mut keep_alive: bool,
) -> io::Result<bool> {
    let (parts, mut body) = response.into_parts();
    let status = parts.status;
    let bodiless = is_head
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    if parts
        .headers
        .get_all(header::CONNECTION)
        .iter()
        .any(|v| has_token(v.as_bytes(), b"close"))
    {
        keep_alive = false;
    }
    // Framing: a body of known size gets its Content-Length; any other is chunked.
    let framing = if bodiless {
        Framing::None
    } else {
        match body.size_hint().exact() {
            Some(length) => Framing::Length(length),
            None => Framing::Chunked,
        }
    };

    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut has_date = false;
    for (name, value) in &parts.headers {
        if !bodiless && (name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING) {
            continue;
        }
        if status == StatusCode::NO_CONTENT
            && (name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING)
        {
            continue;
        }
        if name == header::CONNECTION {
            continue;
        }
        has_date |= name == header::DATE;
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !has_date {
        out.extend_from_slice(b"date: ");
        date::write(out);
        out.extend_from_slice(b"\r\n");
    }
    match framing {
        Framing::None => {}
        Framing::Length(length) => {
            out.extend_from_slice(b"content-length: ");
            out.extend_from_slice(itoa::Buffer::new().format(length).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Framing::Chunked => out.extend_from_slice(b"transfer-encoding: chunked\r\n"),
    }
    if !keep_alive {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if bodiless {
        stream.write_all(out).await?;
        return Ok(keep_alive);
    }

    let mut sent: u64 = 0;
    let chunked = matches!(framing, Framing::Chunked);
    loop {
        // A frame that is ready joins what is waiting to be written; before waiting
        // for one, what is waiting goes out.
        let frame = match poll_fn(|cx| Poll::Ready(Pin::new(&mut body).poll_frame(cx))).await {
            Poll::Ready(frame) => frame,
            Poll::Pending => {
                if !out.is_empty() {
                    stream.write_all(out).await?;
                    out.clear();
                }
                poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
            }
        };
        let data = match frame {
            None => break,
            Some(Err(error)) => return Err(error),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                // Trailers are not sent on HTTP/1.1 responses.
                Err(_) => continue,
            },
        };
        if data.is_empty() {
            continue;
        }
        sent += data.len() as u64;
        if chunked {
            let mut size = [0u8; 16];
            out.extend_from_slice(hex(data.len(), &mut size));
            out.extend_from_slice(b"\r\n");
        }
        if data.len() <= COALESCE {
            out.extend_from_slice(&data);
        } else {
            write_both(stream, out, &data).await?;
            out.clear();
        }
        if chunked {
            out.extend_from_slice(b"\r\n");
        }
        if out.len() >= COALESCE {
            stream.write_all(out).await?;
            out.clear();
        }
    }
    match framing {
        Framing::Chunked => out.extend_from_slice(b"0\r\n\r\n"),
        Framing::Length(length) if sent != length => {
            // The body ended short of its length: the client must not reuse this.
            stream.write_all(out).await?;
            return Ok(false);
        }
        _ => {}
    }
    if !out.is_empty() {
        stream.write_all(out).await?;
    }
    Ok(keep_alive)
}

/// Writes `first` then `second`, in one system call when the socket takes both.
async fn write_both(stream: &mut TcpStream, first: &[u8], second: &[u8]) -> io::Result<()> {
    let written = stream
        .write_vectored(&[io::IoSlice::new(first), io::IoSlice::new(second)])
        .await?;
    if written < first.len() {
        stream.write_all(&first[written..]).await?;
        stream.write_all(second).await
    } else {
        stream.write_all(&second[written - first.len()..]).await
    }
}

#[derive(Debug, Clone, Copy)]
enum Framing {
    None,
    Length(u64),
    Chunked,
}

fn has_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token))
}

/// `n` in lowercase hexadecimal, written into the end of `buffer`.
fn hex(mut n: usize, buffer: &mut [u8; 16]) -> &[u8] {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b"0123456789abcdef"[n & 0xf];
        n >>= 4;
        if n == 0 {
            return &buffer[at..];
        }
    }
}

/// The `Date` value, formatted once per second per thread.
mod date {
    use super::*;
    use std::cell::RefCell;

    thread_local! {
        static CACHED: RefCell<(u64, [u8; 29])> = const { RefCell::new((u64::MAX, [0; 29])) };
    }

    pub(super) fn write(out: &mut Vec<u8>) {
        let now = SystemTime::now();
        let second = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        CACHED.with_borrow_mut(|(cached, text)| {
            if *cached != second {
                let formatted = httpdate::fmt_http_date(now);
                if formatted.len() == text.len() {
                    text.copy_from_slice(formatted.as_bytes());
                    *cached = second;
                } else {
                    out.extend_from_slice(formatted.as_bytes());
                    return;
                }
            }
            out.extend_from_slice(text.as_slice());
        });
    }
}

/// The client stream with the bytes already read from it in front, for hyper.
struct Prefixed {
    read: Bytes,
    stream: TcpStream,
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.read.is_empty() {
            let n = self.read.len().min(buf.remaining());
            let taken = self.read.split_to(n);
            buf.put_slice(&taken);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Parsed {
        parse(&mut BytesMut::from(text.as_bytes()))
    }

    #[test]
    fn takes_bodiless_http11_requests_and_leaves_the_rest_to_hyper() {
        let Parsed::Complete(head) = parsed("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n")
        else {
            panic!("a plain GET is native");
        };
        assert_eq!(head.parts.uri, "/a?b=1");
        assert_eq!(head.parts.headers["host"], "x");
        assert!(head.keep_alive);
        let Parsed::Complete(head) =
            parsed("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n")
        else {
            panic!("Content-Length: 0 is no body");
        };
        assert!(!head.keep_alive);
        assert!(matches!(
            parsed("GET / HTTP/1.1\r\nHost: x\r\n"),
            Parsed::Partial
        ));
        let Parsed::Complete(head) = parsed(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-Continue\r\n\r\nabc",
        ) else {
            panic!("a Content-Length body is native");
        };
        assert_eq!(
            (head.body, head.expect_continue),
            (Some(BodyFraming::Length(3)), true)
        );
        let Parsed::Complete(head) =
            parsed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n")
        else {
            panic!("a chunked body is native");
        };
        assert_eq!(head.body, Some(BodyFraming::Chunked(ChunkState::Size)));
        for other in [
            "GET / HTTP/1.0\r\nHost: x\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "PUT / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",
            "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        ] {
            assert!(matches!(parsed(other), Parsed::Other), "{other:?}");
        }
    }

    #[test]
    fn a_head_left_to_hyper_is_put_back_with_what_followed_it() {
        let text = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\nGET /next HTTP/1.1\r\n";
        let mut read = BytesMut::from(text.as_bytes());
        assert!(matches!(parse(&mut read), Parsed::Other));
        assert_eq!(&read[..], text.as_bytes());
    }

    #[test]
    fn chunk_sizes_are_lowercase_hex() {
        let mut buffer = [0; 16];
        assert_eq!(hex(0, &mut buffer), b"0");
        assert_eq!(hex(255, &mut buffer), b"ff");
        assert_eq!(hex(0x10000, &mut buffer), b"10000");
    }
}
