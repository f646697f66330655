//! An upstream whose latency rises with concurrency: it serves at most `workers`
//! requests at once, each for `service` time, and queues the rest in arrival order.
//! Up to `workers` concurrent requests (its knee) each take `service`; past the knee,
//! latency grows by about `service / workers` per extra request in flight, as a real
//! application server's does when its worker pool is busy.
//!
//! Every answer is `200` with a small text body. [`KneeUpstream::in_flight`] and
//! [`KneeUpstream::peak_in_flight`] count requests received and not yet answered
//! (queued ones included); [`KneeUpstream::latency_quantile`] reads the time requests
//! spent inside (queue + service) from a fixed histogram of 1 ms buckets, so what the
//! upstream itself imposed can be told apart from a busy client's own delays.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

#[derive(Debug)]
struct State {
    workers: Semaphore,
    service: Duration,
    in_flight: AtomicU64,
    peak: AtomicU64,
    served: AtomicU64,
    /// Requests by whole milliseconds spent inside; the last bucket holds the rest.
    latency_ms: Vec<AtomicU64>,
}

/// Histogram buckets: 1 ms each up to 10 s.
const BUCKETS: usize = 10_000;

/// A running knee upstream; stops (closing every connection) on drop.
#[derive(Debug)]
pub struct KneeUpstream {
    addr: SocketAddr,
    state: Arc<State>,
    server: tokio::task::JoinHandle<()>,
}

impl KneeUpstream {
    /// Serves on a free loopback port.
    pub async fn start(workers: usize, service: Duration) -> std::io::Result<KneeUpstream> {
        KneeUpstream::bind(SocketAddr::from(([127, 0, 0, 1], 0)), workers, service).await
    }

    /// Serves on `addr` (for benchmarks that pick the port).
    pub async fn bind(
        addr: SocketAddr,
        workers: usize,
        service: Duration,
    ) -> std::io::Result<KneeUpstream> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            workers: Semaphore::new(workers.max(1)),
            service,
            in_flight: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            served: AtomicU64::new(0),
            latency_ms: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        });
        let serving = Arc::clone(&state);
        let server = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        let state = Arc::clone(&serving);
                        connections.spawn(async move {
                            let service = hyper::service::service_fn(move |request| {
                                answer(Arc::clone(&state), request)
                            });
                            let _ = auto::Builder::new(TokioExecutor::new())
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Ok(KneeUpstream {
            addr,
            state,
            server,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requests received and not yet answered, queued ones included.
    pub fn in_flight(&self) -> u64 {
        self.state.in_flight.load(Ordering::SeqCst)
    }

    /// The most requests in flight at once since the start or the last reset.
    pub fn peak_in_flight(&self) -> u64 {
        self.state.peak.load(Ordering::SeqCst)
    }

    /// Starts a new peak from the current in-flight count.
    pub fn reset_peak(&self) {
        self.state.peak.store(self.in_flight(), Ordering::SeqCst);
    }

    /// Requests answered.
    pub fn served(&self) -> u64 {
        self.state.served.load(Ordering::SeqCst)
    }

    /// The `q` quantile (0..=1) of the time answered requests spent inside, to the
    /// millisecond above; `None` before any answer since the last reset.
    pub fn latency_quantile(&self, q: f64) -> Option<Duration> {
        let counts: Vec<u64> = self
            .state
            .latency_ms
            .iter()
            .map(|c| c.load(Ordering::SeqCst))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((total as f64 * q).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (ms, count) in counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(Duration::from_millis(ms as u64 + 1));
            }
        }
        None
    }

    /// Forgets the latencies recorded so far.
    pub fn reset_latencies(&self) {
        for bucket in &self.state.latency_ms {
            bucket.store(0, Ordering::SeqCst);
        }
    }
}

impl Drop for KneeUpstream {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Counts a request in flight until dropped (also when the client goes away).
struct InFlight<'a>(&'a State);

impl<'a> InFlight<'a> {
    fn enter(state: &'a State) -> Self {
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.peak.fetch_max(now, Ordering::SeqCst);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn answer(
    state: Arc<State>,
    _request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let arrived = std::time::Instant::now();
    let in_flight = InFlight::enter(&state);
    {
        let _worker = state.workers.acquire().await;
        tokio::time::sleep(state.service).await;
    }
    drop(in_flight);
    let ms = (arrived.elapsed().as_millis() as usize).min(BUCKETS - 1);
    state.latency_ms[ms].fetch_add(1, Ordering::SeqCst);
    state.served.fetch_add(1, Ordering::SeqCst);
    let mut response = Response::new(Full::new(Bytes::from_static(b"knee\n")));
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/plain"));
    Ok(response)
}
