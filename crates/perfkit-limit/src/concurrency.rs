//! A cap on requests in flight: a permit per request, given back when dropped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// At most `max` permits out at once. Clones share the same count.
#[derive(Debug, Clone)]
pub struct ConcurrencyLimiter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    max: u64,
    in_flight: AtomicU64,
}

impl ConcurrencyLimiter {
    pub fn new(max: u64) -> ConcurrencyLimiter {
        ConcurrencyLimiter {
            inner: Arc::new(Inner {
                max,
                in_flight: AtomicU64::new(0),
            }),
        }
    }

    /// A permit if fewer than `max` are out; `None` otherwise (nothing waits).
    pub fn try_acquire(&self) -> Option<ConcurrencyPermit> {
        let mut current = self.inner.in_flight.load(Ordering::Relaxed);
        loop {
            if current >= self.inner.max {
                return None;
            }
            match self.inner.in_flight.compare_exchange_weak(
                current,
                current + 1,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Some(ConcurrencyPermit {
                        inner: Arc::clone(&self.inner),
                    })
                }
                Err(now) => current = now,
            }
        }
    }

    pub fn max(&self) -> u64 {
        self.inner.max
    }

    pub fn in_flight(&self) -> u64 {
        self.inner.in_flight.load(Ordering::Relaxed)
    }

    /// Permits that could be taken right now.
    pub fn remaining(&self) -> u64 {
        self.inner.max.saturating_sub(self.in_flight())
    }
}

/// One request's place under a [`ConcurrencyLimiter`]; released on drop.
#[derive(Debug)]
#[must_use = "the permit is released as soon as it is dropped"]
pub struct ConcurrencyPermit {
    inner: Arc<Inner>,
}

impl Drop for ConcurrencyPermit {
    fn drop(&mut self) {
        self.inner.in_flight.fetch_sub(1, Ordering::Release);
    }
}
