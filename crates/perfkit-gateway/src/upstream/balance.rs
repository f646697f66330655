//! Load-balancing algorithms: round-robin, smooth weighted round-robin,
//! least-connections, consistent hashing (ketama ring) and P2C over peak EWMA.
//!
//! Every algorithm picks among peers that `eligible` accepts; the caller passes
//! "available and not yet tried" first and falls back to "not yet tried" when every
//! peer is down (better to try a suspect peer than to fail the request outright).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use perfkit_config::Balance;
use xxhash_rust::xxh3::xxh3_64;

use crate::listen::workers::PerWorker;
use crate::upstream::Peer;

/// Ring points per unit of weight: enough for an even spread over a few peers.
const POINTS_PER_WEIGHT: u32 = 160;

/// Rotation state is kept per worker (see `workers`): each worker rotates on its own,
/// which spreads load as evenly overall without a counter every core writes.
#[derive(Debug)]
pub enum Balancer {
    RoundRobin { next: PerWorker<AtomicUsize> },
    Weighted { current: PerWorker<Mutex<Vec<i64>>> },
    LeastConnections { next: PerWorker<AtomicUsize> },
    ConsistentHash { ring: Vec<(u64, usize)> },
    P2cEwma,
}

impl Balancer {
    pub fn new(kind: Balance, peers: &[Peer], workers: usize) -> Balancer {
        let counters = || PerWorker::new(workers, || AtomicUsize::new(0));
        match kind {
            Balance::RoundRobin => Balancer::RoundRobin { next: counters() },
            Balance::Weighted => Balancer::Weighted {
                current: PerWorker::new(workers, || Mutex::new(vec![0; peers.len()])),
            },
            Balance::LeastConnections => Balancer::LeastConnections { next: counters() },
            Balance::ConsistentHash => {
                let mut ring = Vec::new();
                for (index, peer) in peers.iter().enumerate() {
                    for point in 0..peer.weight.saturating_mul(POINTS_PER_WEIGHT) {
                        let label = format!("{}-{point}", peer.configured);
                        ring.push((xxh3_64(label.as_bytes()), index));
                    }
                }
                ring.sort_unstable();
                Balancer::ConsistentHash { ring }
            }
            Balance::P2cEwma => Balancer::P2cEwma,
        }
    }

    /// The hash of a consistent-hashing key.
    pub fn hash_key(key: &[u8]) -> u64 {
        xxh3_64(key)
    }

    /// Picks a peer index among those `eligible` accepts. `key` is the request's hash
    /// (used by consistent hashing only).
    pub fn pick(
        &self,
        peers: &[Peer],
        key: u64,
        eligible: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let n = peers.len();
        match self {
            Balancer::RoundRobin { next } => {
                let start = next.local().fetch_add(1, Ordering::Relaxed);
                (0..n)
                    .map(|offset| (start + offset) % n)
                    .find(|&i| eligible(i))
            }
            Balancer::Weighted { current } => {
                let mut current = current.local().lock().unwrap_or_else(|e| e.into_inner());
                let mut total = 0i64;
                let mut best: Option<usize> = None;
                for i in (0..n).filter(|&i| eligible(i)) {
                    current[i] += i64::from(peers[i].weight);
                    total += i64::from(peers[i].weight);
                    if best.is_none_or(|b| current[i] > current[b]) {
                        best = Some(i);
                    }
                }
                if let Some(b) = best {
                    current[b] -= total;
                }
                best
            }
            Balancer::LeastConnections { next } => {
                // Rotate the starting point so ties spread instead of piling on peer 0.
                let start = next.local().fetch_add(1, Ordering::Relaxed);
                let mut best: Option<usize> = None;
                for i in (0..n)
                    .map(|offset| (start + offset) % n)
                    .filter(|&i| eligible(i))
                {
                    let better = best.is_none_or(|b| {
                        // active/weight compared without division.
                        u64::from(peers[i].active()) * u64::from(peers[b].weight)
                            < u64::from(peers[b].active()) * u64::from(peers[i].weight)
                    });
                    if better {
                        best = Some(i);
                    }
                }
                best
            }
            Balancer::ConsistentHash { ring } => {
                if ring.is_empty() {
                    return None;
                }
                let start = ring.partition_point(|(point, _)| *point < key);
                (0..ring.len())
                    .map(|offset| ring[(start + offset) % ring.len()].1)
                    .find(|&i| eligible(i))
            }
            Balancer::P2cEwma => {
                let candidates = (0..n).filter(|&i| eligible(i)).count();
                let nth = |k: usize| (0..n).filter(|&i| eligible(i)).nth(k);
                match candidates {
                    0 => None,
                    1 => nth(0),
                    _ => {
                        let a = fastrand::usize(..candidates);
                        let mut b = fastrand::usize(..candidates - 1);
                        if b >= a {
                            b += 1;
                        }
                        let (a, b) = (nth(a)?, nth(b)?);
                        Some(if peers[b].cost() < peers[a].cost() {
                            b
                        } else {
                            a
                        })
                    }
                }
            }
        }
    }
}
