//! Body size limits and hostile or broken input: the gateway answers with a status
//! or closes the connection, never panics, and keeps serving.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use perfkit_testkit::{Client, SampleUpstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

async fn gateway_with_limit(peer: &SampleUpstream) -> perfkit_gateway::Gateway {
    gateway_with(
        "max_body_size: 1KiB",
        "",
        &single_group("round_robin", &[peer], ""),
    )
    .await
}

#[tokio::test]
async fn declared_oversized_body_gets_413_without_reaching_the_upstream() {
    let peer = SampleUpstream::start_named("small").await.unwrap();
    let gw = gateway_with_limit(&peer).await;
    let client = Client::http1();
    let reply = client
        .request(
            http::Method::POST,
            &url(&gw, "/upload"),
            &[],
            vec![b'x'; 1025],
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 413);
    assert_eq!(peer.requests(), 0);
    let reply = client
        .request(
            http::Method::POST,
            &url(&gw, "/upload"),
            &[],
            vec![b'x'; 1024],
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.echo().unwrap().body_len, 1024);
}

#[tokio::test]
async fn streamed_oversized_body_gets_413() {
    let peer = SampleUpstream::start_named("small").await.unwrap();
    let gw = gateway_with_limit(&peer).await;
    // A chunked body with no Content-Length: the limit is enforced while streaming.
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let request = http::Request::post(url(&gw, "/stream"))
        .body(Chunks(8))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 413);
    let _ = response.into_body().collect().await;
    assert_eq!(
        Client::http1().get(&url(&gw, "/")).await.unwrap().status,
        200
    );
}

/// A body of N 512-byte chunks whose length is not known up front.
struct Chunks(usize);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.0 == 0 {
            return std::task::Poll::Ready(None);
        }
        self.0 -= 1;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(vec![
            b'y';
            512
        ])))))
    }
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

#[tokio::test]
async fn malformed_requests_never_panic_and_the_gateway_keeps_serving() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let peer = SampleUpstream::start_named("sturdy").await.unwrap();
    let gw = gateway_with_limit(&peer).await;
    let inputs: Vec<&[u8]> = vec![
        b"\x00\x01\x02 garbage \xff\xfe\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Ctl: a\x01b\r\n\r\n",
        b"GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a little",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nContent-Length: 13\r\n\r\nhello world!",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnope\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\x99\x00garbage-frames",
        b"GET / HTTP/1.1\r\n",
    ];
    for (i, input) in inputs.iter().enumerate() {
        let reply = send_raw(gw.addr(), input).await;
        let first_line = reply.split(|b| *b == b'\n').next().unwrap_or_default();
        let first_line = String::from_utf8_lossy(first_line);
        assert!(
            reply.is_empty()
                || first_line.starts_with("HTTP/1.1 4")
                || first_line.starts_with("HTTP/1.1 5")
                || reply.starts_with(b"\x00\x00"),
            "input {i} got {first_line:?}"
        );
    }
    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let reply = send_raw(gw.addr(), huge_header.as_bytes()).await;
    assert!(
        reply.is_empty()
            || reply.starts_with(b"HTTP/1.1 431")
            || reply.starts_with(b"HTTP/1.1 400")
    );

    let ok = Client::http1().get(&url(&gw, "/after")).await.unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "the gateway panicked");
}

/// Writes `input`, half-closes, and reads whatever comes back within 2 s.
async fn send_raw(addr: std::net::SocketAddr, input: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(input).await;
    let _ = stream.shutdown().await;
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut reply)).await;
    reply
}

#[tokio::test]
async fn clients_that_never_finish_their_headers_are_disconnected() {
    let peer = SampleUpstream::start_named("patient").await.unwrap();
    let yaml = single_group("round_robin", &[&peer], "");
    let gw = gateway_with("header_read_timeout: 300ms", "", &yaml).await;
    let mut slow = TcpStream::connect(gw.addr()).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Partial: ")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut reply = Vec::new();
    // The gateway answers 408 or just closes; either way the read ends.
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut reply)).await;
    assert!(read.is_ok(), "the slow client was never disconnected");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        reply.is_empty() || reply.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&reply)
    );
    assert_eq!(peer.requests(), 0);
}
