//! The cache's idea of "now": the system clock, or a manual clock that tests and
//! simulations set and advance (so "the response is now 100 seconds old" needs no
//! sleep). Every copy of a [`Clock`] shares one setting.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Nanoseconds since the epoch of the manual time; 0 while the clock follows the
/// system clock.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    manual: Arc<AtomicU64>,
}

impl Clock {
    /// Follows the system clock until [`Clock::set`] is called.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// The current time: the manual time when set, else the system's.
    pub fn now(&self) -> SystemTime {
        match self.manual.load(Ordering::Relaxed) {
            0 => SystemTime::now(),
            nanos => UNIX_EPOCH + Duration::from_nanos(nanos),
        }
    }

    /// Stops following the system clock: from now on the time is `at` until set or
    /// advanced again. Times before the epoch are taken as the epoch plus 1 ns.
    pub fn set(&self, at: SystemTime) {
        let nanos = at
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            .max(1);
        self.manual.store(nanos, Ordering::Relaxed);
    }

    /// Moves a manual clock forward by `by` (a system clock becomes manual, starting
    /// from the system's current time).
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }

    /// Follows the system clock again.
    pub fn follow_system(&self) {
        self.manual.store(0, Ordering::Relaxed);
    }

    /// True while the time is set by hand.
    pub fn is_manual(&self) -> bool {
        self.manual.load(Ordering::Relaxed) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_time_is_shared_by_copies_and_advances_only_by_hand() {
        let clock = Clock::system();
        assert!(!clock.is_manual());
        let copy = clock.clone();
        let at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        clock.set(at);
        assert_eq!(copy.now(), at);
        assert_eq!(copy.now(), at, "a manual clock does not move by itself");
        copy.advance(Duration::from_secs(100));
        assert_eq!(clock.now(), at + Duration::from_secs(100));
        clock.follow_system();
        assert!(copy.now() > at + Duration::from_secs(1_000_000_000) || !copy.is_manual());
        assert!(!copy.is_manual());
    }
}
