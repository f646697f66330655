//! Upstream groups and their servers ("peers"): connection pool, in-flight counts,
//! latency EWMA, and health — active (probes, `health`) and passive (outlier
//! ejection). `balance` picks a peer; `http1` talks to it.

pub(crate) mod balance;
pub(crate) mod health;
pub(crate) mod http1;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use http::uri::Authority;
use perfkit_config::{Balance, OutlierConfig, UpstreamConfig};
use tokio::sync::Notify;

use crate::listen::workers::CacheLine;
use crate::runtime::PeerRef;
use crate::upstream::balance::Balancer;
use crate::upstream::http1::{IdlePool, Limits};

/// Milliseconds since the first call, a cheap monotonic clock for ejection deadlines.
pub(crate) fn now_millis() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// One server of an upstream group.
#[derive(Debug)]
pub struct Peer {
    pub addr: SocketAddr,
    /// The address as configured (`host:port`), for display.
    pub configured: String,
    pub authority: Authority,
    pub weight: u32,
    /// Requests in flight to this peer (counted until their response body ends); at
    /// most `max_slots`, i.e. HTTP/1.1 connections in use. One counter serves both the
    /// pool limit and least-connections, so a request writes one shared line, not two,
    /// and that line holds nothing else the other workers read.
    active: CacheLine<AtomicU32>,
    max_slots: u32,
    /// Requests waiting for a slot, and the signal a released slot sends them.
    waiters: AtomicU32,
    released: Notify,
    /// Set by active health checks; peers start healthy.
    healthy: AtomicBool,
    consecutive_failures: AtomicU32,
    /// `now_millis()` until which passive health keeps this peer out; 0 when not ejected.
    ejected_until: AtomicU64,
    ejections: AtomicU32,
    /// Peak-EWMA of response-header latency in nanoseconds, and when it was last updated.
    ewma: Mutex<(f64, Instant)>,
    /// Keep-alive connections waiting for the next request.
    pub pool: IdlePool,
}

/// Decay constant of the latency EWMA: older samples weigh `e^(-age/τ)`.
const EWMA_TAU: Duration = Duration::from_secs(10);

impl Peer {
    fn new(
        addr: SocketAddr,
        configured: String,
        weight: u32,
        max_slots: u32,
        workers: usize,
    ) -> Peer {
        let authority = Authority::try_from(addr.to_string().as_str())
            .unwrap_or_else(|_| Authority::from_static("invalid.invalid"));
        Peer {
            addr,
            configured,
            authority,
            weight,
            active: CacheLine(AtomicU32::new(0)),
            max_slots,
            waiters: AtomicU32::new(0),
            released: Notify::new(),
            healthy: AtomicBool::new(true),
            consecutive_failures: AtomicU32::new(0),
            ejected_until: AtomicU64::new(0),
            ejections: AtomicU32::new(0),
            ewma: Mutex::new((0.0, Instant::now())),
            pool: IdlePool::new(workers),
        }
    }

    /// Whether the balancer should prefer this peer now.
    pub fn available(&self, now: u64) -> bool {
        self.healthy.load(Ordering::Relaxed) && self.ejected_until.load(Ordering::Relaxed) <= now
    }

    pub fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    pub fn ejected(&self, now: u64) -> bool {
        self.ejected_until.load(Ordering::Relaxed) > now
    }

    pub fn active(&self) -> u32 {
        self.active.0.load(Ordering::Relaxed)
    }

    pub fn free_slots(&self) -> usize {
        self.max_slots.saturating_sub(self.active()) as usize
    }

    pub fn max_slots(&self) -> u32 {
        self.max_slots
    }

    fn try_take_slot(&self) -> bool {
        let max = self.max_slots;
        self.active
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .is_ok()
    }

    fn release_slot(&self) {
        self.active.0.fetch_sub(1, Ordering::AcqRel);
        if self.waiters.load(Ordering::Acquire) > 0 {
            self.released.notify_one();
        }
    }

    /// Waits up to `limit` for a free slot; the returned guard counts the request as
    /// in flight until dropped.
    pub async fn acquire(peer: PeerRef, limit: Duration) -> Option<InFlight> {
        if peer.try_take_slot() {
            return Some(InFlight { peer });
        }
        let deadline = tokio::time::Instant::now() + limit;
        peer.waiters.fetch_add(1, Ordering::AcqRel);
        let taken = loop {
            let notified = peer.released.notified();
            tokio::pin!(notified);
            // Registered before the re-check, so a release in between is not missed.
            notified.as_mut().enable();
            if peer.try_take_slot() {
                break true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                break peer.try_take_slot();
            }
        };
        peer.waiters.fetch_sub(1, Ordering::AcqRel);
        taken.then_some(InFlight { peer })
    }

    /// The load-balancing cost for P2C: latency EWMA times (in-flight + 1).
    pub fn cost(&self) -> f64 {
        let (ewma, at) = *self.ewma.lock().unwrap_or_else(|e| e.into_inner());
        let decayed = ewma * (-at.elapsed().as_secs_f64() / EWMA_TAU.as_secs_f64()).exp();
        decayed * f64::from(self.active() + 1)
    }

    pub fn observe_latency(&self, sample: Duration) {
        let sample = sample.as_nanos() as f64;
        let mut guard = self.ewma.lock().unwrap_or_else(|e| e.into_inner());
        let (ewma, at) = *guard;
        let now = Instant::now();
        let weight = (-(now - at).as_secs_f64() / EWMA_TAU.as_secs_f64()).exp();
        // Peak-sensitive: a slower sample takes effect at once, recovery is gradual.
        let next = if sample > ewma {
            sample
        } else {
            ewma * weight + sample * (1.0 - weight)
        };
        *guard = (next, now);
    }

    /// A request to this peer succeeded.
    pub fn record_success(&self) {
        if self.consecutive_failures.load(Ordering::Relaxed) != 0 {
            self.consecutive_failures.store(0, Ordering::Relaxed);
        }
        if self.ejections.load(Ordering::Relaxed) != 0 && !self.ejected(now_millis()) {
            self.ejections.store(0, Ordering::Relaxed);
        }
    }

    /// A request to this peer failed; returns the ejection length if this ejected it.
    pub fn record_failure(&self, outlier: &OutlierConfig) -> Option<Duration> {
        let failures = self.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1;
        let now = now_millis();
        if !outlier.enabled || failures < outlier.consecutive_failures.get() || self.ejected(now) {
            return None;
        }
        self.consecutive_failures.store(0, Ordering::Relaxed);
        let times = self.ejections.fetch_add(1, Ordering::Relaxed).min(16);
        let length = outlier
            .base_ejection
            .saturating_mul(1 << times)
            .min(outlier.max_ejection);
        let until = now.saturating_add(u64::try_from(length.as_millis()).unwrap_or(u64::MAX));
        self.ejected_until.store(until, Ordering::Relaxed);
        Some(length)
    }

    /// Active health check verdict; returns whether the state changed.
    pub fn set_healthy(&self, healthy: bool) -> bool {
        let changed = self.healthy.swap(healthy, Ordering::Relaxed) != healthy;
        if healthy && changed {
            // A passing probe is fresher evidence than the failures that ejected it.
            self.ejected_until.store(0, Ordering::Relaxed);
            self.consecutive_failures.store(0, Ordering::Relaxed);
        }
        changed
    }
}

/// A request in flight to a peer: holds its slot until dropped.
#[derive(Debug)]
pub struct InFlight {
    peer: PeerRef,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.peer.release_slot();
    }
}

/// A named group of peers with its balancer, client pool and policies.
#[derive(Debug)]
pub struct Upstream {
    pub name: String,
    pub peers: Vec<Peer>,
    pub balancer: Balancer,
    pub config: UpstreamConfig,
}

#[derive(Debug, thiserror::Error)]
#[error("upstreams.{upstream}.servers: cannot resolve `{address}`: {reason}")]
pub struct ResolveError {
    pub upstream: String,
    pub address: String,
    pub reason: String,
}

impl Upstream {
    /// Resolves every server address (once: a reload resolves again) and builds the pool.
    pub async fn build(
        name: &str,
        config: &UpstreamConfig,
        workers: usize,
    ) -> Result<Upstream, ResolveError> {
        let mut peers = Vec::with_capacity(config.servers.len());
        for server in &config.servers {
            let error = |reason: String| ResolveError {
                upstream: name.to_owned(),
                address: server.address.clone(),
                reason,
            };
            let addr = tokio::net::lookup_host(server.address.as_str())
                .await
                .map_err(|e| error(e.to_string()))?
                .next()
                .ok_or_else(|| error("no addresses".into()))?;
            peers.push(Peer::new(
                addr,
                server.address.clone(),
                server.weight.get(),
                config.pool.max_connections.get(),
                workers,
            ));
        }
        let balancer = Balancer::new(config.balance, &peers, workers);
        Ok(Upstream {
            name: name.to_owned(),
            peers,
            balancer,
            config: config.clone(),
        })
    }

    /// Connection limits and timeouts for the HTTP/1.1 client; `client_body_timeout`
    /// is the server's (how long the client may pause while sending its body).
    pub fn limits(&self, client_body_timeout: Duration) -> Limits {
        Limits {
            connect_timeout: self.config.timeouts.connect,
            read_timeout: self.config.timeouts.read,
            client_body_timeout,
            idle_timeout: self.config.pool.idle_timeout,
            max_idle: self.config.pool.max_idle as usize,
        }
    }

    pub fn tracks_latency(&self) -> bool {
        self.config.balance == Balance::P2cEwma
    }
}
