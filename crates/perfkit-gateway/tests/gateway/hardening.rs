//! Regression tests for defects found by attacking the gateway: a stray upstream
//! response handed to the next client, connections that never close, slow clients
//! blamed on upstreams, upstreams that stall mid-body, and lenient `Host` handling.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use perfkit_testkit::{Client, SampleUpstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::support::*;

/// An HTTP/2 connection (h2c, prior knowledge) to `addr`: its request sender, and the
/// task driving it, which ends when the server closes the connection.
async fn h2c(
    addr: SocketAddr,
) -> (
    hyper::client::conn::http2::SendRequest<http_body_util::Empty<bytes::Bytes>>,
    tokio::task::JoinHandle<hyper::Result<()>>,
) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (send, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    (send, tokio::spawn(connection))
}

/// A hand-written upstream: for each request head it reads, `answer` writes whatever
/// it likes on the connection (including nothing, or more than asked for).
async fn raw_upstream<F, Fut>(answer: F) -> SocketAddr
where
    F: Fn(String, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<TcpStream>> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let answer = Arc::clone(&answer);
            tokio::spawn(async move {
                let mut stream = stream;
                loop {
                    let mut head = Vec::new();
                    while !head.ends_with(b"\r\n\r\n") {
                        let mut byte = [0u8; 1];
                        match stream.read(&mut byte).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => head.push(byte[0]),
                        }
                    }
                    let line = String::from_utf8_lossy(&head)
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    match answer(line, stream).await {
                        Some(next) => stream = next,
                        None => return,
                    }
                }
            });
        }
    });
    addr
}

fn one_upstream(addr: SocketAddr, extra: &str) -> String {
    format!(
        "upstreams:\n  app:\n    servers: [{{address: \"{addr}\"}}]\n{extra}routes:\n  - {{path_prefix: /, upstream: app}}\n"
    )
}

/// Reads until the peer closes the connection; `None` if it is still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut seen)).await {
        Ok(_) => Some(seen),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_stray_response_after_a_head_is_never_handed_to_the_next_client() {
    let stray_written = Arc::new(Notify::new());
    let signal = Arc::clone(&stray_written);
    let addr = raw_upstream(move |line, mut stream| {
        let signal = Arc::clone(&signal);
        async move {
            if line.starts_with("HEAD") {
                // Correct for HEAD: a length, no body. Then, unasked, a whole response.
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n")
                    .await
                    .ok()?;
                tokio::time::sleep(Duration::from_millis(50)).await;
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nX-Stray: yes\r\nContent-Length: 5\r\n\r\nstray")
                    .await
                    .ok()?;
                signal.notify_one();
            } else {
                let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                let body = format!("answer for {path}");
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(response.as_bytes()).await.ok()?;
            }
            Some(stream)
        }
    })
    .await;
    let gw = gateway_with("workers: 1", "", &one_upstream(addr, "")).await;
    let client = Client::http1();
    let head = client
        .request(http::Method::HEAD, &url(&gw, "/a"), &[], "")
        .await
        .unwrap();
    assert_eq!(head.status, 200);
    stray_written.notified().await;
    // Give the stray bytes time to land in the gateway's socket buffer (loopback).
    tokio::task::yield_now().await;
    for path in ["/b", "/c"] {
        let reply = client.get(&url(&gw, path)).await.unwrap();
        assert_eq!(
            reply.header("x-stray"),
            None,
            "{path} got the stray response"
        );
        assert_eq!(reply.text(), format!("answer for {path}"));
    }
}

#[tokio::test]
async fn silent_and_half_preface_connections_are_closed_after_the_header_read_timeout() {
    let peer = SampleUpstream::start_named("quiet").await.unwrap();
    let yaml = single_group("round_robin", &[&peer], "");
    let gw = gateway_with("header_read_timeout: 400ms", "", &yaml).await;
    let mut silent = TcpStream::connect(gw.addr()).await.unwrap();
    let mut half_preface = TcpStream::connect(gw.addr()).await.unwrap();
    half_preface.write_all(b"PRI * HTTP").await.unwrap();
    let mut one_byte = TcpStream::connect(gw.addr()).await.unwrap();
    one_byte.write_all(b"G").await.unwrap();
    let started = Instant::now();
    for (what, stream) in [
        ("silent", &mut silent),
        ("half preface", &mut half_preface),
        ("one byte", &mut one_byte),
    ] {
        assert!(
            closed_within(stream, Duration::from_secs(10))
                .await
                .is_some(),
            "the {what} connection was never closed"
        );
    }
    assert!(started.elapsed() >= Duration::from_millis(350));
    assert_eq!(peer.requests(), 0);
    assert_eq!(
        Client::http1().get(&url(&gw, "/")).await.unwrap().status,
        200
    );
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed_http1_and_http2_with_goaway() {
    let peer = SampleUpstream::start_named("idle").await.unwrap();
    let yaml = single_group("round_robin", &[&peer], "");
    let gw = gateway_with("idle_timeout: 400ms\nheader_read_timeout: 30s", "", &yaml).await;

    // HTTP/2 (h2c prior knowledge): one request, then silence.
    let (mut send, driver) = h2c(gw.addr()).await;
    let request = http::Request::get(url(&gw, "/h2"))
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let response = send.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    drop(response);
    let started = Instant::now();
    // The connection future ends when the server sends GOAWAY and closes.
    let ended = tokio::time::timeout(Duration::from_secs(10), driver).await;
    assert!(ended.is_ok(), "the idle HTTP/2 connection was never closed");
    assert!(started.elapsed() >= Duration::from_millis(300));

    // HTTP/1.1 keep-alive: one request, then silence.
    let mut h1 = TcpStream::connect(gw.addr()).await.unwrap();
    h1.write_all(b"GET /h1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let seen = closed_within(&mut h1, Duration::from_secs(10)).await;
    let seen = seen.expect("the idle HTTP/1.1 connection was never closed");
    assert!(
        seen.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&seen)
    );
}

#[tokio::test]
async fn a_busy_connection_is_not_idle() {
    let peer = SampleUpstream::start_named("busy").await.unwrap();
    let yaml = single_group("round_robin", &[&peer], "");
    let gw = gateway_with("idle_timeout: 400ms", "", &yaml).await;
    // Requests every 100 ms for 1.2 s (3x the idle timeout) on one connection.
    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    let mut interval = tokio::time::interval(Duration::from_millis(100));
    for i in 0..12 {
        interval.tick().await;
        let request = format!("GET /{i} HTTP/1.1\r\nHost: x\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut reply = Vec::new();
        let mut chunk = [0u8; 8192];
        // The sample upstream's JSON echo ends with `}`.
        while !reply.ends_with(b"}") {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the connection was closed after {i} requests");
            reply.extend_from_slice(&chunk[..n]);
        }
        assert!(reply.starts_with(b"HTTP/1.1 200"));
    }
}

#[tokio::test]
async fn connections_past_the_per_worker_cap_are_closed_at_once_and_counted() {
    let peer = SampleUpstream::start_named("capped").await.unwrap();
    let yaml = single_group("round_robin", &[&peer], "");
    let gw = gateway_with("workers: 1\nmax_connections_per_worker: 2", "", &yaml).await;
    let client = Client::http1();
    // Two open keep-alive connections fill the worker.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut first = [0u8; 12];
        stream.read_exact(&mut first).await.unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");
        held.push(stream);
    }
    let mut third = TcpStream::connect(gw.addr()).await.unwrap();
    let seen = closed_within(&mut third, Duration::from_secs(5)).await;
    assert_eq!(
        seen.as_deref(),
        Some(&b""[..]),
        "a third connection was served"
    );
    let metrics = metrics(&gw).await;
    assert!(
        metrics.contains("perfkit_client_connections_rejected_total 1"),
        "{metrics}"
    );
    // Once one closes, new connections are served again.
    drop(held.pop());
    eventually("a slot frees up", Duration::from_secs(5), || async {
        client
            .get(&url(&gw, "/"))
            .await
            .is_ok_and(|r| r.status == 200)
    })
    .await;
}

/// Sends `POST /upload` with `Content-Length: total`, one byte every `pace`, and
/// returns the status line.
async fn trickle_post(gw: SocketAddr, total: usize, pace: Duration, send: usize) -> String {
    let mut stream = TcpStream::connect(gw).await.unwrap();
    let head = format!("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {total}\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut interval = tokio::time::interval(pace);
    for _ in 0..send {
        interval.tick().await;
        if stream.write_all(b"x").await.is_err() {
            break;
        }
    }
    read_status_line(&mut stream).await
}

#[tokio::test]
async fn a_slow_request_body_is_not_an_upstream_timeout_and_ejects_nothing() {
    let peer = SampleUpstream::start_named("patient").await.unwrap();
    let yaml = single_group(
        "round_robin",
        &[&peer],
        "timeouts: {read: 300ms}\noutlier_detection: {consecutive_failures: 1}",
    );
    let gw = gateway(&yaml).await;
    // Six uploads, each taking ~1.2 s (4x the read timeout) to send 6 bytes.
    let uploads: Vec<_> = (0..6)
        .map(|_| tokio::spawn(trickle_post(gw.addr(), 6, Duration::from_millis(200), 6)))
        .collect();
    for upload in uploads {
        assert_eq!(upload.await.unwrap(), "HTTP/1.1 200 OK");
    }
    let state = peer_state(&gw, &peer).await;
    assert_eq!(state["ejected"], false, "{state}");
}

#[tokio::test]
async fn a_request_body_that_stops_arriving_gets_408_and_blames_no_upstream() {
    let peer = SampleUpstream::start_named("waiting").await.unwrap();
    let yaml = single_group(
        "round_robin",
        &[&peer],
        "outlier_detection: {consecutive_failures: 1}",
    );
    let gw = gateway_with(
        "client_body_timeout: 300ms",
        &format!("token: {TOKEN}"),
        &yaml,
    )
    .await;
    // Sends 2 of 10 bytes, then nothing.
    let status = trickle_post(gw.addr(), 10, Duration::from_millis(10), 2).await;
    assert_eq!(status, "HTTP/1.1 408 Request Timeout");
    let state = peer_state(&gw, &peer).await;
    assert_eq!(state["ejected"], false, "{state}");
    assert_eq!(
        Client::http1().get(&url(&gw, "/")).await.unwrap().status,
        200
    );
}

#[tokio::test]
async fn an_upstream_stalling_mid_body_aborts_the_client_and_frees_the_slot() {
    let addr = raw_upstream(|_, mut stream| async move {
        // Promises 100 bytes, sends 10, then stalls with the connection open.
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            .await
            .ok()?;
        std::future::pending::<()>().await;
        None
    })
    .await;
    let yaml = one_upstream(
        addr,
        "    timeouts: {read: 400ms}\n    pool: {max_connections: 1}\n",
    );
    let gw = gateway(&yaml).await;
    let mut client = TcpStream::connect(gw.addr()).await.unwrap();
    client
        .write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let seen = closed_within(&mut client, Duration::from_secs(10)).await;
    let seen = seen.expect("the client was left hanging on a stalled body");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.ends_with("0123456789"),
        "the body was cut short, as it must be: {text}"
    );
    // The slot is free again (max_connections: 1): a new request reaches the upstream.
    eventually(
        "the peer's slot is released",
        Duration::from_secs(5),
        || async { peer_slots_free(&gw).await == 1 },
    )
    .await;
    let metrics = metrics(&gw).await;
    assert!(
        metrics.contains("reason=\"body_timeout\",upstream=\"app\"} 1"),
        "{metrics}"
    );
}

async fn peer_slots_free(gw: &perfkit_gateway::Gateway) -> u64 {
    let state = admin_json(gw, "/admin/upstreams").await;
    state["upstreams"][0]["peers"][0]["free_slots"]
        .as_u64()
        .unwrap()
}

/// Sends raw bytes on a new connection and returns the status line of the answer.
async fn status_line(gw: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(gw).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    read_status_line(&mut stream).await
}

/// The first line of whatever the gateway answers within 10 s ("" if nothing).
async fn read_status_line(stream: &mut TcpStream) -> String {
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    while !reply.windows(2).any(|w| w == b"\r\n") {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => reply.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&reply)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn host_is_required_once_and_absolute_form_authority_wins() {
    let (a, b) = (
        SampleUpstream::start_named("site-a").await.unwrap(),
        SampleUpstream::start_named("site-b").await.unwrap(),
    );
    let yaml = format!(
        "upstreams:\n  a:\n    servers: [{{address: \"{}\"}}]\n  b:\n    servers: [{{address: \"{}\"}}]\nroutes:\n  - {{host: a.example, path_prefix: /, upstream: a}}\n  - {{host: b.example, path_prefix: /, upstream: b}}\n  - {{path_prefix: /, upstream: a}}\n",
        a.addr(),
        b.addr()
    );
    let gw = gateway(&yaml).await;
    let addr = gw.addr();
    let bad = [
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a.example\r\nhost: a.example\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a example\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a.example/x\r\n\r\n",
        "GET http://user@b.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n",
    ];
    for request in bad {
        assert_eq!(
            status_line(addr, request).await,
            "HTTP/1.1 400 Bad Request",
            "{request:?}"
        );
    }
    assert_eq!(a.requests() + b.requests(), 0);

    // HTTP/1.0 may omit Host.
    let status = status_line(addr, "GET / HTTP/1.0\r\n\r\n").await;
    assert!(status.ends_with("200 OK"), "{status}");

    // Absolute form: the target's authority replaces Host, for routing and upstream.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"GET http://b.example/abs HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    let reply = closed_within(&mut stream, Duration::from_secs(5))
        .await
        .unwrap();
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("x-upstream: site-b"), "{reply}");
    let body = reply.split("\r\n\r\n").nth(1).unwrap_or("");
    let echo = perfkit_testkit::Echo::parse(body.as_bytes()).unwrap();
    assert_eq!(echo.header("host"), ["b.example"], "{reply}");
}

#[tokio::test]
async fn http2_authority_and_host_must_agree() {
    let a = SampleUpstream::start_named("h2-site").await.unwrap();
    let yaml = single_group("round_robin", &[&a], "");
    let gw = gateway(&yaml).await;
    let (mut send, _driver) = h2c(gw.addr()).await;
    let empty = http_body_util::Empty::<bytes::Bytes>::new;
    let same = http::Request::get("http://h2.example/same")
        .header("host", "H2.example")
        .body(empty())
        .unwrap();
    assert_eq!(send.send_request(same).await.unwrap().status(), 200);
    let differs = http::Request::get("http://h2.example/differs")
        .header("host", "other.example")
        .body(empty())
        .unwrap();
    assert_eq!(send.send_request(differs).await.unwrap().status(), 400);
    let only_authority = http::Request::get("http://h2.example/plain")
        .body(empty())
        .unwrap();
    let response = send.send_request(only_authority).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let echo = perfkit_testkit::Echo::parse(&body).unwrap();
    assert_eq!(echo.header("host"), ["h2.example"]);
}
