//! Pooled upstream connections that the upstream closes under the gateway.

use std::sync::{Arc, Mutex};

use perfkit_testkit::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::*;

/// An upstream that answers the first request on each connection and closes the
/// connection after reading the second, without answering it. Records request lines.
async fn answers_once_per_connection() -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut buffered = Vec::new();
                for answered in [true, false] {
                    // Read one request head (these requests carry no body).
                    while !buffered.windows(4).any(|w| w == b"\r\n\r\n") {
                        let mut chunk = [0u8; 4096];
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffered.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buffered.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let head: Vec<u8> = buffered.drain(..end).collect();
                    let line = String::from_utf8_lossy(&head)
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    log.lock().unwrap().push(line);
                    if !answered {
                        return; // drop the connection mid-exchange
                    }
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        .await;
                }
            });
        }
    });
    (addr, seen)
}

#[tokio::test]
async fn a_closed_pooled_connection_replays_only_what_is_safe_to_repeat() {
    let (addr, seen) = answers_once_per_connection().await;
    let yaml = format!(
        "upstreams:\n  app:\n    servers: [{{address: \"{addr}\"}}]\nroutes:\n  - {{path_prefix: /, upstream: app}}\n"
    );
    let gw = gateway_with("workers: 1", "", &yaml).await;
    let client = Client::http1();
    let send = |method: http::Method, path: &str| {
        let (client, url) = (client.clone(), url(&gw, path));
        async move { client.request(method, &url, &[], "").await.unwrap().status }
    };

    assert_eq!(send(http::Method::GET, "/first").await, 200);
    // Reuses the pooled connection, which the upstream closes after reading the POST:
    // the POST may have had an effect, so it is not sent again.
    assert_eq!(send(http::Method::POST, "/order").await, 502);
    assert_eq!(send(http::Method::GET, "/fresh").await, 200);
    // Same for a GET, which is safe to repeat on a new connection.
    assert_eq!(send(http::Method::GET, "/again").await, 200);

    let seen = seen.lock().unwrap().clone();
    let count = |line: &str| seen.iter().filter(|l| l.as_str() == line).count();
    assert_eq!(count("POST /order HTTP/1.1"), 1, "{seen:?}");
    assert_eq!(count("GET /again HTTP/1.1"), 2, "{seen:?}");
}
