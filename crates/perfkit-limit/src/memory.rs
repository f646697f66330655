//! The in-memory store: a fixed-size, lock-free table of per-key state words.
//!
//! Each slot holds a key's 64-bit hash and its algorithm state; a decision is a probe
//! of one bucket (8 slots, two cache lines) and one compare-and-swap, with no lock and
//! no allocation. The table is allocated once, so memory is bounded by construction:
//! when a new key finds its bucket full it replaces an idle key (one whose quota is
//! whole again, so forgetting it changes nothing), or, failing that, the key closest to
//! idle. Replacing a key that is not idle forgets what it had used; such evictions are
//! counted ([`MemoryLimiter::busy_evictions`]) so an undersized table shows.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::algorithm::Algorithm;
use crate::clock::{Clock, Nanos, SystemClock};
use crate::decision::Decision;
use crate::key::Key;

const BUCKET: usize = 8;
/// Key word of a slot never used.
const EMPTY: u64 = 0;
/// State word of a slot being handed to another key.
const LOCKED: u64 = u64::MAX;

#[derive(Debug, Default)]
struct Slot {
    key: AtomicU64,
    state: AtomicU64,
}

#[derive(Debug, Default)]
#[repr(align(128))]
struct Bucket([Slot; BUCKET]);

/// A keyed rate limiter held in this process's memory.
#[derive(Debug)]
pub struct MemoryLimiter<A, C = SystemClock> {
    algorithm: A,
    clock: C,
    buckets: Box<[Bucket]>,
    mask: usize,
    busy_evictions: AtomicU64,
}

impl<A: Algorithm> MemoryLimiter<A, SystemClock> {
    /// A limiter that keeps at least `max_keys` keys (rounded up to a power of two
    /// number of 8-key buckets) on the system clock.
    pub fn new(algorithm: A, max_keys: usize) -> Self {
        MemoryLimiter::with_clock(algorithm, max_keys, SystemClock::new())
    }
}

impl<A: Algorithm, C: Clock> MemoryLimiter<A, C> {
    pub fn with_clock(algorithm: A, max_keys: usize, clock: C) -> Self {
        let buckets = max_keys.div_ceil(BUCKET).max(1).next_power_of_two();
        MemoryLimiter {
            algorithm,
            clock,
            buckets: (0..buckets).map(|_| Bucket::default()).collect(),
            mask: buckets - 1,
            busy_evictions: AtomicU64::new(0),
        }
    }

    /// The largest table whose memory stays within `max_bytes`.
    pub fn with_max_bytes(algorithm: A, max_bytes: usize, clock: C) -> Self {
        let buckets = (max_bytes / std::mem::size_of::<Bucket>()).max(1);
        let buckets = if buckets.is_power_of_two() {
            buckets
        } else {
            buckets.next_power_of_two() / 2
        };
        MemoryLimiter::with_clock(algorithm, buckets * BUCKET, clock)
    }

    pub fn algorithm(&self) -> &A {
        &self.algorithm
    }

    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// How many keys the table holds at most.
    pub fn capacity(&self) -> usize {
        self.buckets.len() * BUCKET
    }

    /// The table's memory in bytes; fixed at construction.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.buckets)
    }

    /// How many keys were forgotten before they were idle because their bucket was
    /// full of busy keys.
    pub fn busy_evictions(&self) -> u64 {
        self.busy_evictions.load(Ordering::Relaxed)
    }

    /// Decides one request of cost 1 now.
    #[inline]
    pub fn check(&self, key: Key) -> Decision {
        self.check_at(key, 1, self.clock.now())
    }

    /// Decides one request of `cost` units now.
    #[inline]
    pub fn check_n(&self, key: Key, cost: u32) -> Decision {
        self.check_at(key, cost, self.clock.now())
    }

    /// Decides one request of `cost` units at `now` (from this limiter's clock; a
    /// caller reading the time once for several limiters on the same clock passes it).
    pub fn check_at(&self, key: Key, cost: u32, now: Nanos) -> Decision {
        let hash = key.hash();
        let bucket = &self.buckets[(hash as usize) & self.mask].0;
        'probe: loop {
            for slot in bucket {
                let mut found = slot.key.load(Ordering::Acquire);
                if found == EMPTY {
                    found = match slot.key.compare_exchange(
                        EMPTY,
                        hash,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => hash,
                        Err(other) => other,
                    };
                }
                if found == hash {
                    match self.update(slot, hash, now, cost) {
                        Some(decision) => return decision,
                        // The slot went to another key meanwhile: look again.
                        None => continue 'probe,
                    }
                }
            }
            match self.replace(bucket, hash, now, cost) {
                Some(decision) => return decision,
                None => continue 'probe,
            }
        }
    }

    /// Applies the algorithm to `slot` while it belongs to `hash`.
    #[inline]
    fn update(&self, slot: &Slot, hash: u64, now: Nanos, cost: u32) -> Option<Decision> {
        loop {
            let state = slot.state.load(Ordering::Acquire);
            // Re-read the key after the state: if the slot changed hands between the
            // two reads we would be deciding on another key's state.
            if slot.key.load(Ordering::Acquire) != hash {
                return None;
            }
            if state == LOCKED {
                std::hint::spin_loop();
                continue;
            }
            let (next, decision) = self.algorithm.decide(state, now, cost);
            match next {
                None => return Some(decision),
                Some(next) => {
                    if slot
                        .state
                        .compare_exchange_weak(state, next, Ordering::AcqRel, Ordering::Relaxed)
                        .is_ok()
                    {
                        return Some(decision);
                    }
                }
            }
        }
    }

    /// Gives a slot of a full bucket to `hash`: an idle key's if any, else the one
    /// nearest to idle.
    #[cold]
    fn replace(
        &self,
        bucket: &[Slot; BUCKET],
        hash: u64,
        now: Nanos,
        cost: u32,
    ) -> Option<Decision> {
        let mut victim: Option<(&Slot, u64, bool, u64)> = None;
        for slot in bucket {
            let state = slot.state.load(Ordering::Acquire);
            if state == LOCKED {
                continue;
            }
            if self.algorithm.is_idle(state, now) {
                victim = Some((slot, state, true, 0));
                break;
            }
            let rank = self.algorithm.eviction_rank(state);
            if victim.is_none_or(|(_, _, _, best)| rank < best) {
                victim = Some((slot, state, false, rank));
            }
        }
        let (slot, state, idle, _) = victim?;
        slot.state
            .compare_exchange(state, LOCKED, Ordering::AcqRel, Ordering::Relaxed)
            .ok()?;
        if !idle {
            self.busy_evictions.fetch_add(1, Ordering::Relaxed);
        }
        slot.key.store(hash, Ordering::Release);
        let (next, decision) = self.algorithm.decide(0, now, cost);
        slot.state.store(next.unwrap_or(0), Ordering::Release);
        Some(decision)
    }
}
