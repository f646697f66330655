//! The workers' own HTTP/1.1 server (requests without a body or with a
//! `Content-Length` one) and its hand-over to hyper (everything else), seen from raw
//! client sockets: pipelining, request bodies arriving in parts, `Expect:
//! 100-continue`, unread and cut-short bodies, framing of streamed bodies,
//! `Connection: close`, a connection that switches to hyper halfway, and the header
//! read timeout on a later request.

use std::time::{Duration, Instant};

use perfkit_testkit::{Echo, SampleUpstream, Scripted};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// One response read off a raw connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the next response from `stream` (`buffer` keeps what follows it), framed
/// by `Content-Length` or chunked coding; `bodiless` for the answer to a HEAD.
async fn answer(stream: &mut TcpStream, buffer: &mut Vec<u8>, bodiless: bool) -> Answer {
    let (status, headers, head_len) = loop {
        let mut fields = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut fields);
        if let httparse::Status::Complete(len) = response.parse(buffer).unwrap() {
            let headers = response
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_owned(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect::<Vec<_>>();
            break (response.code.unwrap(), headers, len);
        }
        fill(stream, buffer).await;
    };
    buffer.drain(..head_len);
    let mut answer = Answer {
        status,
        headers,
        body: Vec::new(),
    };
    if bodiless {
        return answer;
    }
    if let Some(length) = answer.header("content-length") {
        let length: usize = length.parse().unwrap();
        while buffer.len() < length {
            fill(stream, buffer).await;
        }
        answer.body = buffer.drain(..length).collect();
        return answer;
    }
    assert_eq!(
        answer.header("transfer-encoding"),
        Some("chunked"),
        "{answer:?}"
    );
    loop {
        let line_end = loop {
            if let Some(at) = buffer.windows(2).position(|w| w == b"\r\n") {
                break at;
            }
            fill(stream, buffer).await;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&buffer[..line_end]).unwrap(), 16).unwrap();
        while buffer.len() < line_end + 2 + size + 2 {
            fill(stream, buffer).await;
        }
        answer
            .body
            .extend_from_slice(&buffer[line_end + 2..line_end + 2 + size]);
        assert_eq!(&buffer[line_end + 2 + size..line_end + 4 + size], b"\r\n");
        buffer.drain(..line_end + 4 + size);
        if size == 0 {
            return answer;
        }
    }
}

async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>) {
    let mut chunk = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
        .await
        .expect("the gateway answered within 10 s")
        .unwrap();
    assert!(read > 0, "the gateway closed the connection mid-response");
    buffer.extend_from_slice(&chunk[..read]);
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order_on_one_connection() {
    let peer = SampleUpstream::start_named("pipe").await.unwrap();
    let gw = gateway(&single_group("round_robin", &[&peer], "")).await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    stream
        .write_all(
            b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n\
              HEAD /two HTTP/1.1\r\nHost: x\r\n\r\n\
              GET /three?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        )
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let one = answer(&mut stream, &mut buffer, false).await;
    let two = answer(&mut stream, &mut buffer, true).await;
    let three = answer(&mut stream, &mut buffer, false).await;
    assert_eq!((one.status, two.status, three.status), (200, 200, 200));
    assert_eq!(Echo::parse(&one.body).unwrap().path, "/one");
    assert_eq!(Echo::parse(&three.body).unwrap().path, "/three?q=1");
    let date = one.header("date").expect("a Date header");
    let date = httpdate::parse_http_date(date).expect("an HTTP date");
    let skew = date
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_else(|early| early.duration());
    assert!(skew < Duration::from_secs(5), "{skew:?}");
    assert_eq!(two.header("x-upstream"), Some("pipe"));
    assert_eq!(peer.requests(), 3);
    // Nothing else was sent, and the connection stays open for more.
    stream
        .write_all(b"GET /four HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let four = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(Echo::parse(&four.body).unwrap().path, "/four");
    assert!(buffer.is_empty(), "{:?}", String::from_utf8_lossy(&buffer));
    // The gateway's own answers carry a Date of their own.
    stream
        .write_all(b"GET /no-host HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    let local = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(local.status, 400);
    assert_eq!(local.header("x-upstream"), None);
    let date = local.header("date").expect("a Date header");
    let date = httpdate::parse_http_date(date).expect("an HTTP date");
    let skew = date
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_else(|early| early.duration());
    assert!(skew < Duration::from_secs(5), "{skew:?}");
}

#[tokio::test]
async fn bodies_stay_native_and_http10_moves_the_connection_to_hyper_without_losing_a_byte() {
    let peer = SampleUpstream::start_named("switch").await.unwrap();
    let gw = gateway(&single_group("round_robin", &[&peer], "")).await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    // A native GET, a POST with a Content-Length body and a chunked one (native too),
    // then an HTTP/1.0 request and a GET pipelined behind it: those two are hyper's.
    stream
        .write_all(b"GET /before HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let before = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(Echo::parse(&before.body).unwrap().path, "/before");
    stream
        .write_all(b"POST /sized HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        .await
        .unwrap();
    let sized = answer(&mut stream, &mut buffer, false).await;
    let echo = Echo::parse(&sized.body).unwrap();
    assert_eq!((echo.method.as_str(), echo.body_len), ("POST", 5));
    stream
        .write_all(
            b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: t\r\n\r\n",
        )
        .await
        .unwrap();
    let chunked = answer(&mut stream, &mut buffer, false).await;
    let echo = Echo::parse(&chunked.body).unwrap();
    assert_eq!((echo.path.as_str(), echo.body_len), ("/chunked", 11));
    stream
        .write_all(
            b"GET /old HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n\
              GET /after HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .await
        .unwrap();
    let old = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(Echo::parse(&old.body).unwrap().path, "/old");
    let after = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(Echo::parse(&after.body).unwrap().path, "/after");
    // HTTP/1.0 is hyper's from the first byte, and still answered.
    let mut old = TcpStream::connect(gw.addr()).await.unwrap();
    old.write_all(b"GET /old HTTP/1.0\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), old.read_to_end(&mut seen))
        .await
        .unwrap()
        .unwrap();
    assert!(
        seen.starts_with(b"HTTP/1.0 200"),
        "{:?}",
        String::from_utf8_lossy(&seen)
    );
}

#[tokio::test]
async fn streamed_bodies_are_chunked_and_connection_close_is_honoured() {
    let body = "x".repeat(100_000);
    let peer = SampleUpstream::builder("stream")
        .path("/stream", Scripted::ok(body.clone()).chunked())
        .spawn()
        .await
        .unwrap();
    let gw = gateway(&single_group("round_robin", &[&peer], "")).await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    stream
        .write_all(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let streamed = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(streamed.status, 200);
    assert_eq!(streamed.header("content-length"), None);
    assert_eq!(streamed.body.len(), body.len());
    assert!(streamed.body == body.as_bytes());
    // A request that asks to close gets `Connection: close` and then the end.
    stream
        .write_all(b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let last = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(last.header("connection"), Some("close"));
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest))
        .await
        .expect("the connection was closed after the response")
        .unwrap();
    assert!(rest.is_empty() && buffer.is_empty());
}

#[tokio::test]
async fn a_later_request_head_that_stalls_is_cut_off_after_the_header_read_timeout() {
    let peer = SampleUpstream::start_named("stall").await.unwrap();
    let yaml = single_group("round_robin", &[&peer], "");
    let gw = gateway_with("header_read_timeout: 300ms\nidle_timeout: 60s", "", &yaml).await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    stream
        .write_all(b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    assert_eq!(answer(&mut stream, &mut buffer, false).await.status, 200);
    stream
        .write_all(b"GET /second HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest))
        .await
        .expect("a stalled head was cut off")
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(peer.requests(), 1);
}

#[tokio::test]
async fn content_length_bodies_are_read_as_they_arrive_and_expect_continue_is_answered() {
    let peer = SampleUpstream::start_named("bodies").await.unwrap();
    let gw = gateway(&single_group("round_robin", &[&peer], "")).await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    let mut buffer = Vec::new();
    // The body in two writes, the second only after the first reached the gateway's
    // socket: the handler asks for more and the connection reads it.
    stream
        .write_all(b"PUT /two HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
        .await
        .unwrap();
    stream.write_all(b"world").await.unwrap();
    let two = answer(&mut stream, &mut buffer, false).await;
    let echo = Echo::parse(&two.body).unwrap();
    assert_eq!((echo.method.as_str(), echo.body_len), ("PUT", 10));
    // Expect: 100-continue: the client sends nothing more until told to go on.
    stream
        .write_all(
            b"POST /wait HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
        )
        .await
        .unwrap();
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
        fill(&mut stream, &mut buffer).await;
    }
    assert!(
        buffer.starts_with(b"HTTP/1.1 100 Continue\r\n\r\n"),
        "{:?}",
        String::from_utf8_lossy(&buffer)
    );
    buffer.drain(..b"HTTP/1.1 100 Continue\r\n\r\n".len());
    stream.write_all(b"abc").await.unwrap();
    let waited = answer(&mut stream, &mut buffer, false).await;
    let echo = Echo::parse(&waited.body).unwrap();
    assert_eq!((echo.path.as_str(), echo.body_len), ("/wait", 3));
    assert_eq!(peer.requests(), 2);
}

#[tokio::test]
async fn an_unread_small_body_is_skipped_and_a_body_cut_short_is_answered_400_or_closed() {
    let peer = SampleUpstream::start_named("unread").await.unwrap();
    let gw = gateway_with(
        "max_body_size: 1KiB",
        "",
        &single_group("round_robin", &[&peer], ""),
    )
    .await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    let mut buffer = Vec::new();
    // Declared too large: 413 without reading the body, whose bytes are skipped so the
    // request pipelined behind it is still answered on this connection.
    let mut pipelined = b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n".to_vec();
    pipelined.extend_from_slice(&[b'x'; 2000]);
    pipelined.extend_from_slice(b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
    stream.write_all(&pipelined).await.unwrap();
    assert_eq!(answer(&mut stream, &mut buffer, false).await.status, 413);
    let next = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(Echo::parse(&next.body).unwrap().path, "/next");
    assert_eq!(peer.requests(), 1);
    // A client that closes its side halfway through its body: a 400 (or a close, if the
    // upstream exchange failed first), and the gateway keeps serving.
    let mut cut = TcpStream::connect(gw.addr()).await.unwrap();
    cut.write_all(b"POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-part")
        .await
        .unwrap();
    cut.shutdown().await.unwrap();
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), cut.read_to_end(&mut seen))
        .await
        .expect("the gateway ends the exchange")
        .ok();
    assert!(
        seen.is_empty() || seen.starts_with(b"HTTP/1.1 400"),
        "{:?}",
        String::from_utf8_lossy(&seen)
    );
    stream
        .write_all(b"GET /still HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let still = answer(&mut stream, &mut buffer, false).await;
    assert_eq!(Echo::parse(&still.body).unwrap().path, "/still");
}

#[tokio::test]
async fn interim_responses_reach_a_client_sending_a_chunked_body_and_not_an_http10_one() {
    let (origin, count) = crate::cache::early_hints_origin().await;
    let gw = gateway(&format!(
        "upstreams:\n  app:\n    servers:\n      - address: {origin}\nroutes:\n  - name: app\n    path_prefix: /\n    upstream: app\n"
    ))
    .await;
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    let mut buffer = Vec::new();
    stream
        .write_all(b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        .await
        .unwrap();
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
        fill(&mut stream, &mut buffer).await;
    }
    let end = buffer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let early = String::from_utf8_lossy(&buffer[..end]).into_owned();
    assert!(early.starts_with("HTTP/1.1 103 "), "{early:?}");
    assert!(
        early.contains("link: </style.css>") && early.contains("x-early: test"),
        "{early:?}"
    );
    buffer.drain(..end);
    let last = answer(&mut stream, &mut buffer, false).await;
    assert_eq!((last.status, last.body.as_slice()), (200, &b"final"[..]));
    assert!(
        last.header("x-early").is_none(),
        "never merged into the final response"
    );
    // (The test origin reads only heads: it counts the body's last chunk as one more.)
    assert!(count.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    // HTTP/1.0 (hyper's): the final response only.
    let mut old = TcpStream::connect(gw.addr()).await.unwrap();
    old.write_all(b"POST /o HTTP/1.0\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        .await
        .unwrap();
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), old.read_to_end(&mut seen))
        .await
        .unwrap()
        .unwrap();
    let seen = String::from_utf8_lossy(&seen);
    assert!(seen.starts_with("HTTP/1.0 200"), "{seen:?}");
    assert!(!seen.contains(" 103 "), "{seen:?}");
}
