//! The accept loop every listener runs, the deadlines every client connection is
//! watched with, and hyper's server (HTTP/1.1 and h2c on one port, header read
//! timeout, graceful drain on shutdown): all of the admin listener's connections, and
//! the workers' once their own HTTP/1.1 server (`http1`) hands them over.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use perfkit_config::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

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

/// Counts the requests a connection has started, so its watcher can tell an idle
/// connection from a busy one without a clock read per request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Activity(Arc<AtomicU64>);

impl Activity {
    /// Counts a request as started.
    pub(crate) fn start(&self) {
        // Only the connection's own task writes this counter: no contention.
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn started(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A connection's service, counting each request it starts.
#[derive(Debug)]
pub(crate) struct Counted<S> {
    pub(crate) inner: S,
    pub(crate) activity: Activity,
}

impl<S, B> Service<Request<B>> for Counted<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn call(&self, request: Request<B>) -> Self::Future {
        self.activity.start();
        self.inner.call(request)
    }
}

/// How many quiet checks in a row make a connection idle: it is closed between
/// `idle_timeout` and 1.25 × `idle_timeout` after its last request started.
const IDLE_CHECKS: u32 = 4;

/// Serves connections from `connections` until `stop`, then drains: in-flight
/// requests finish (up to `shutdown_grace`), idle connections close.
///
/// Each connection is watched: one that has not started a request within
/// `header_read_timeout` (protocol detection included) is dropped; one that starts
/// none for `idle_timeout` is shut down gracefully (HTTP/2: GOAWAY, in-flight streams
/// finish). HTTP/1.1 connections waiting for their next request are also subject to
/// hyper's header read timer, which starts as soon as it waits.
pub(crate) async fn serve<A, T, F, S>(
    connections: A,
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
    let http = builder(timer.clone(), &config);
    let deadlines = Deadlines::new(timer, &config, stop.clone());
    accept_loop(connections, config.shutdown_grace, stop, move |accepted| {
        let Accepted {
            stream,
            remote,
            guard,
        } = accepted;
        let activity = Activity::default();
        let service = Counted {
            inner: make_service(remote),
            activity: activity.clone(),
        };
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let watch = deadlines.watch(activity);
        async move {
            let _open = guard;
            if let Some(Err(error)) = watch.run(connection, remote).await {
                tracing::debug!(%remote, %error, "client connection ended with an error");
            }
        }
    })
    .await;
}

/// The HTTP/1.1 and h2c server every connection of a listener shares.
pub(crate) fn builder<T>(timer: T, config: &ServerConfig) -> auto::Builder<TokioExecutor>
where
    T: hyper::rt::Timer + Clone + Send + Sync + 'static,
{
    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http1()
        .timer(timer.clone())
        .header_read_timeout(config.header_read_timeout)
        .keep_alive(true);
    http.http2().timer(timer);
    http
}

/// Accepts connections from `connections` until `stop`, spawning `connect`'s future
/// for each, then drains: in-flight connections get up to `grace` to finish.
pub(crate) async fn accept_loop<A, C, F>(
    mut connections: A,
    grace: Duration,
    stop: CancellationToken,
    mut connect: C,
) where
    A: Accept,
    C: FnMut(Accepted) -> F + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let tracker = TaskTracker::new();
    let mut accept_failing = false;
    loop {
        tokio::select! {
            accepted = connections.next() => match accepted {
                Some(Ok(accepted)) => {
                    accept_failing = false;
                    let _ = accepted.stream.set_nodelay(true);
                    tracker.spawn(connect(accepted));
                }
                Some(Err(error)) => {
                    // Typically EMFILE: the pending connection stays queued, so back
                    // off instead of spinning on it; warn once per episode.
                    if !accept_failing {
                        tracing::warn!(%error, "accept failed; retrying every {ACCEPT_BACKOFF:?}");
                        accept_failing = true;
                    }
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
                None => break,
            },
            () = stop.cancelled() => break,
        }
    }
    drop(connections);
    tracker.close();
    tokio::select! {
        () = tracker.wait() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(seconds = grace.as_secs_f64(), "shutdown grace period ended with requests still in flight");
        }
    }
}

/// The deadlines every connection of a listener is watched with.
#[derive(Clone)]
pub(crate) struct Deadlines<T> {
    timer: T,
    first_request: Duration,
    idle: Duration,
    stop: CancellationToken,
}

impl<T: hyper::rt::Timer + Clone> Deadlines<T> {
    pub(crate) fn new(timer: T, config: &ServerConfig, stop: CancellationToken) -> Deadlines<T> {
        Deadlines {
            timer,
            first_request: config.header_read_timeout,
            idle: config.idle_timeout,
            stop,
        }
    }

    /// A watch for one connection whose requests are counted in `activity`.
    pub(crate) fn watch(&self, activity: Activity) -> Watch<T> {
        Watch {
            timer: self.timer.clone(),
            activity,
            first_request: self.first_request,
            idle: self.idle,
            stop: self.stop.clone(),
        }
    }
}

/// How long to wait before accepting again after `accept` failed (e.g. out of file
/// descriptors).
pub(crate) const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Deadlines of one client connection.
pub(crate) struct Watch<T> {
    timer: T,
    activity: Activity,
    first_request: Duration,
    idle: Duration,
    stop: CancellationToken,
}

impl<T: hyper::rt::Timer> Watch<T> {
    /// Runs `connection` to its end (`Some` of its output), or drops it (`None`) when
    /// it misses a deadline.
    pub(crate) async fn run<C>(self, connection: C, remote: SocketAddr) -> Option<C::Output>
    where
        C: std::future::Future + GracefulConnection,
    {
        let mut connection = std::pin::pin!(connection);
        let opened = std::time::Instant::now();
        let window = self.idle / IDLE_CHECKS;
        let mut sleep = self.timer.sleep(window.min(self.first_request));
        let mut seen = 0;
        let mut quiet = 0;
        let mut closing = false;
        loop {
            tokio::select! {
                output = connection.as_mut() => return Some(output),
                () = self.stop.cancelled(), if !closing => {
                    connection.as_mut().shut_down();
                    closing = true;
                }
                () = &mut sleep, if !closing => {
                    let started = self.activity.started();
                    if started == 0 {
                        let waited = opened.elapsed();
                        if waited >= self.first_request {
                            tracing::debug!(%remote, "no request within header_read_timeout; closing");
                            return None;
                        }
                        sleep = self.timer.sleep(window.min(self.first_request - waited));
                        continue;
                    }
                    quiet = if started == seen { quiet + 1 } else { 0 };
                    seen = started;
                    if quiet >= IDLE_CHECKS {
                        connection.as_mut().shut_down();
                        closing = true;
                    } else {
                        sleep = self.timer.sleep(self.idle / IDLE_CHECKS);
                    }
                }
            }
        }
    }
}

/// A connection that can be asked to finish what it is doing and close.
pub(crate) trait GracefulConnection {
    fn shut_down(self: std::pin::Pin<&mut Self>);
}

impl<I, S, E, B> GracefulConnection for auto::Connection<'static, I, S, E>
where
    S: hyper::service::HttpService<Incoming, ResBody = B>,
    S::Error: Into<BoxError>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    B: http_body::Body + 'static,
    B::Error: Into<BoxError>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, B>,
{
    fn shut_down(self: std::pin::Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}
