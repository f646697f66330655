//! Time as seen by the limiters: nanoseconds since the clock's origin.
//!
//! Every algorithm takes `now` as a plain number so tests can drive time by hand
//! ([`ManualClock`]) and a caller that reads the time once per request can pass it to
//! several limiters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Nanoseconds since a clock's origin.
pub type Nanos = u64;

/// A monotonic source of [`Nanos`].
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Nanos;
}

/// The process's monotonic clock, read through the CPU's time-stamp counter where it is
/// reliable (a few nanoseconds per read) and `clock_gettime(CLOCK_MONOTONIC)` otherwise.
#[derive(Debug, Clone)]
pub struct SystemClock {
    clock: quanta::Clock,
    origin: u64,
}

impl SystemClock {
    pub fn new() -> SystemClock {
        let clock = quanta::Clock::new();
        let origin = clock.raw();
        SystemClock { clock, origin }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> Nanos {
        self.clock.delta_as_nanos(self.origin, self.clock.raw())
    }
}

/// A clock that moves only when told to; clones share the same time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    now: Arc<AtomicU64>,
}

impl ManualClock {
    pub fn new(start: Nanos) -> ManualClock {
        ManualClock {
            now: Arc::new(AtomicU64::new(start)),
        }
    }

    pub fn set(&self, now: Nanos) {
        self.now.store(now, Ordering::Release);
    }

    pub fn advance(&self, by: Duration) {
        self.now.fetch_add(nanos(by), Ordering::AcqRel);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Nanos {
        self.now.load(Ordering::Acquire)
    }
}

/// A duration in whole nanoseconds, saturating at `u64::MAX` (584 years).
pub(crate) fn nanos(duration: Duration) -> Nanos {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
