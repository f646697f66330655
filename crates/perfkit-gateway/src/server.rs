//! Connection loop shared by the proxy workers and the admin listener: HTTP/1.1 and
//! h2c on one port, header read timeout, graceful drain on shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use perfkit_config::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::body::{BoxError, ResponseBody};

/// A client connection to serve, with whatever must live exactly as long as it.
#[derive(Debug)]
pub(crate) struct Accepted {
    pub stream: TcpStream,
    pub remote: SocketAddr,
    pub guard: Option<OpenConnection>,
}

/// Counts a connection as open on its worker until dropped.
#[derive(Debug)]
pub(crate) struct OpenConnection(pub Arc<AtomicUsize>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Where a server's connections come from: a listener, or a worker's inbox.
pub(crate) trait Accept: Send + 'static {
    /// The next connection; `None` when no more will come.
    fn next(&mut self) -> impl Future<Output = Option<io::Result<Accepted>>> + Send;
}

impl Accept for TcpListener {
    async fn next(&mut self) -> Option<io::Result<Accepted>> {
        Some(self.accept().await.map(|(stream, remote)| Accepted {
            stream,
            remote,
            guard: None,
        }))
    }
}

pub(crate) async fn serve<A, T, F, S>(
    mut connections: A,
    timer: T,
    config: ServerConfig,
    stop: CancellationToken,
    make_service: F,
) where
    A: Accept,
    T: hyper::rt::Timer + Clone + Send + Sync + 'static,
    F: Fn(SocketAddr) -> S + Send + 'static,
    S: Service<Request<Incoming>, Response = Response<ResponseBody>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http1()
        .timer(timer.clone())
        .header_read_timeout(config.header_read_timeout)
        .keep_alive(true);
    http.http2().timer(timer);
    let grace = config.shutdown_grace;
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = connections.next() => match accepted {
                Some(Ok(Accepted { stream, remote, guard })) => {
                    let _ = stream.set_nodelay(true);
                    let connection = http
                        .serve_connection(TokioIo::new(stream), make_service(remote))
                        .into_owned();
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        let _open = guard;
                        if let Err(error) = connection.await {
                            tracing::debug!(%remote, %error, "client connection ended with an error");
                        }
                    });
                }
                Some(Err(error)) => {
                    // Typically EMFILE: back off briefly instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                None => break,
            },
            () = stop.cancelled() => break,
        }
    }
    drop(connections);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(seconds = grace.as_secs_f64(), "shutdown grace period ended with requests still in flight");
        }
    }
}
