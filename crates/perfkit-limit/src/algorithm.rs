//! The rate-limiting algorithms as pure functions over one 64-bit state word per key.
//!
//! Keeping each key's state in one word is what lets the in-memory store update it with
//! a single compare-and-swap; the same functions are the reference the Redis scripts
//! follow. State `0` is a key never seen (or forgotten): a full quota.

use std::time::Duration;

use crate::clock::{nanos, Nanos};
use crate::decision::Decision;

/// A rate-limiting algorithm over a one-word per-key state.
pub trait Algorithm: Send + Sync + 'static {
    /// Decides a request of `cost` units at `now` for a key in `state`. Returns the
    /// key's new state when the request is admitted (`None`: nothing changes).
    fn decide(&self, state: u64, now: Nanos, cost: u32) -> (Option<u64>, Decision);

    /// Whether forgetting a key in `state` at `now` changes no future decision (its
    /// quota is whole again). The in-memory store evicts such keys first.
    fn is_idle(&self, state: u64, now: Nanos) -> bool;

    /// Among keys that are not idle, the lower the rank the sooner the key would be
    /// idle; the in-memory store evicts the lowest rank when it must.
    fn eviction_rank(&self, state: u64) -> u64;

    /// The quota for `RateLimit-Policy`: units per window.
    fn quota(&self) -> (u64, Duration);
}

/// Why a limit cannot be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QuotaError {
    #[error("a quota needs at least one request per period (got 0)")]
    ZeroCount,
    #[error("a quota's period must be longer than zero")]
    ZeroPeriod,
    #[error("a burst must be at least 1")]
    ZeroBurst,
    #[error("the quota is too fine: {count} per {period:?} leaves less than 1ns between requests; use a longer period")]
    TooFine { count: u64, period: Duration },
    #[error("burst {burst} × interval overflows 584 years; use a smaller burst")]
    BurstTooLarge { burst: u64 },
    #[error("a window limit must be at most {max} (got {limit})")]
    WindowLimitTooLarge { limit: u64, max: u64 },
}

/// `count` requests per `period`, with bursts of up to `burst` back to back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub count: u64,
    pub period: Duration,
    pub burst: u64,
}

impl Quota {
    /// `count` per `period`; the burst is `count` (the whole quota at once).
    pub fn per(count: u64, period: Duration) -> Quota {
        Quota {
            count,
            period,
            burst: count,
        }
    }

    pub fn per_second(count: u64) -> Quota {
        Quota::per(count, Duration::from_secs(1))
    }

    pub fn per_minute(count: u64) -> Quota {
        Quota::per(count, Duration::from_secs(60))
    }

    pub fn per_hour(count: u64) -> Quota {
        Quota::per(count, Duration::from_secs(3600))
    }

    pub fn with_burst(self, burst: u64) -> Quota {
        Quota { burst, ..self }
    }
}

/// The generic cell rate algorithm: token-bucket semantics (`burst` tokens, one more
/// every `interval`) with one timestamp per key, the theoretical arrival time (TAT).
///
/// Guarantee: over any arrival sequence, also one whose timestamps go backwards, the
/// admitted cost is at most `burst + floor((latest - earliest) / interval)`, where
/// `interval = floor(period / count)` in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gcra {
    interval: u64,
    burst: u64,
    /// `burst * interval`: how far ahead of now the TAT may run.
    tolerance: u64,
}

impl Gcra {
    pub fn new(quota: Quota) -> Result<Gcra, QuotaError> {
        if quota.count == 0 {
            return Err(QuotaError::ZeroCount);
        }
        if quota.period.is_zero() {
            return Err(QuotaError::ZeroPeriod);
        }
        if quota.burst == 0 {
            return Err(QuotaError::ZeroBurst);
        }
        let interval = nanos(quota.period) / quota.count;
        if interval == 0 {
            return Err(QuotaError::TooFine {
                count: quota.count,
                period: quota.period,
            });
        }
        let tolerance = quota
            .burst
            .checked_mul(interval)
            .ok_or(QuotaError::BurstTooLarge { burst: quota.burst })?;
        Ok(Gcra {
            interval,
            burst: quota.burst,
            tolerance,
        })
    }

    /// Nanoseconds between two requests at the sustained rate.
    pub fn interval(&self) -> u64 {
        self.interval
    }

    pub fn burst(&self) -> u64 {
        self.burst
    }

    fn remaining(&self, tat: u64, now: Nanos) -> u64 {
        self.tolerance.saturating_sub(tat.saturating_sub(now)) / self.interval
    }
}

impl Algorithm for Gcra {
    #[inline]
    fn decide(&self, tat: u64, now: Nanos, cost: u32) -> (Option<u64>, Decision) {
        let start = tat.max(now);
        let increment = u64::from(cost).saturating_mul(self.interval);
        let new_tat = start.saturating_add(increment);
        let ahead = new_tat - now;
        let (limit, window) = self.quota();
        if ahead <= self.tolerance {
            let decision = Decision {
                allowed: true,
                limit,
                window,
                remaining: (self.tolerance - ahead) / self.interval,
                reset_after: Duration::from_nanos(ahead),
                retry_after: None,
            };
            (Some(new_tat), decision)
        } else {
            let retry_after = (u64::from(cost) <= self.burst)
                .then(|| Duration::from_nanos(ahead - self.tolerance));
            let decision = Decision {
                allowed: false,
                limit,
                window,
                remaining: self.remaining(tat, now),
                reset_after: Duration::from_nanos(tat.saturating_sub(now)),
                retry_after,
            };
            (None, decision)
        }
    }

    #[inline]
    fn is_idle(&self, tat: u64, now: Nanos) -> bool {
        tat <= now
    }

    #[inline]
    fn eviction_rank(&self, tat: u64) -> u64 {
        tat
    }

    fn quota(&self) -> (u64, Duration) {
        (self.burst, Duration::from_nanos(self.tolerance))
    }
}

/// How many windows back a timestamp may go and still be read as "time went
/// backwards" rather than as a window far in the future (the window index wraps).
const BACKWARDS_WINDOWS: u64 = 1 << 12;

/// A counter per fixed window: at most `limit` per window, reset at each window's start.
///
/// Guarantee: at most `limit` admitted in each window, so at most `2 × limit` in any
/// interval of one window's length. State: window index (32 bits, wraps) and count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedWindow {
    limit: u64,
    window: u64,
}

impl FixedWindow {
    pub fn new(limit: u64, window: Duration) -> Result<FixedWindow, QuotaError> {
        if limit == 0 {
            return Err(QuotaError::ZeroCount);
        }
        if window.is_zero() {
            return Err(QuotaError::ZeroPeriod);
        }
        if limit > u64::from(u32::MAX) {
            return Err(QuotaError::WindowLimitTooLarge {
                limit,
                max: u64::from(u32::MAX),
            });
        }
        Ok(FixedWindow {
            limit,
            window: nanos(window),
        })
    }

    /// The absolute window and count a key's state stands for at `now`, and the
    /// offset of `now` into that window (0 when time went backwards past it).
    fn current(&self, state: u64, now: Nanos) -> (u64, u64, u64) {
        let index = now / self.window;
        let offset = now % self.window;
        if state == 0 {
            return (index, 0, offset);
        }
        let stored = state >> 32;
        let count = state & 0xFFFF_FFFF;
        let behind = (index as u32).wrapping_sub(stored as u32) as u64;
        if behind == 0 {
            (index, count, offset)
        } else if behind > (1 << 32) - BACKWARDS_WINDOWS {
            // The stored window is ahead of `now`: the clock went backwards.
            (index + ((1 << 32) - behind), count, 0)
        } else {
            (index, 0, offset)
        }
    }
}

impl Algorithm for FixedWindow {
    fn decide(&self, state: u64, now: Nanos, cost: u32) -> (Option<u64>, Decision) {
        let (index, count, _) = self.current(state, now);
        let cost = u64::from(cost);
        let end = (index + 1).saturating_mul(self.window);
        let reset_after = Duration::from_nanos(end.saturating_sub(now));
        let window = Duration::from_nanos(self.window);
        if count + cost <= self.limit {
            let count = count + cost;
            let decision = Decision {
                allowed: true,
                limit: self.limit,
                window,
                remaining: self.limit - count,
                reset_after,
                retry_after: None,
            };
            // A non-zero count keeps the state non-zero (0 means "never seen").
            let state = ((index & 0xFFFF_FFFF) << 32) | count;
            (Some(state), decision)
        } else {
            let decision = Decision {
                allowed: false,
                limit: self.limit,
                window,
                remaining: self.limit - count,
                reset_after,
                retry_after: (cost <= self.limit).then_some(reset_after),
            };
            (None, decision)
        }
    }

    fn is_idle(&self, state: u64, now: Nanos) -> bool {
        self.current(state, now).1 == 0
    }

    fn eviction_rank(&self, state: u64) -> u64 {
        state >> 32
    }

    fn quota(&self) -> (u64, Duration) {
        (self.limit, Duration::from_nanos(self.window))
    }
}

/// The sliding-window counter: the previous window's count, weighted by how much of
/// it still overlaps the sliding window ending now, plus the current window's count,
/// must stay within `limit`: `prev × (W − elapsed) / W + cur + cost ≤ limit`, computed
/// exactly in integers.
///
/// Guarantee: at most `limit` admitted in each fixed window, and the weighted estimate
/// never exceeds `limit`. State: window index (24 bits, wraps), previous and current
/// counts (20 bits each, so `limit` ≤ 1 048 575).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlidingWindow {
    limit: u64,
    window: u64,
}

const COUNT_BITS: u32 = 20;
const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;
const INDEX_BITS: u32 = 24;
const INDEX_WRAP: u64 = 1 << INDEX_BITS;

impl SlidingWindow {
    pub const MAX_LIMIT: u64 = COUNT_MASK;

    pub fn new(limit: u64, window: Duration) -> Result<SlidingWindow, QuotaError> {
        if limit == 0 {
            return Err(QuotaError::ZeroCount);
        }
        if window.is_zero() {
            return Err(QuotaError::ZeroPeriod);
        }
        if limit > Self::MAX_LIMIT {
            return Err(QuotaError::WindowLimitTooLarge {
                limit,
                max: Self::MAX_LIMIT,
            });
        }
        Ok(SlidingWindow {
            limit,
            window: nanos(window),
        })
    }

    /// `(absolute window index, previous count, current count, offset into window)`.
    fn current(&self, state: u64, now: Nanos) -> (u64, u64, u64, u64) {
        let index = now / self.window;
        let offset = now % self.window;
        if state == 0 {
            return (index, 0, 0, offset);
        }
        let stored = state >> (2 * COUNT_BITS);
        let prev = (state >> COUNT_BITS) & COUNT_MASK;
        let cur = state & COUNT_MASK;
        let behind = (index.wrapping_sub(stored)) % INDEX_WRAP;
        match behind {
            0 => (index, prev, cur, offset),
            1 => (index, cur, 0, offset),
            _ if behind > INDEX_WRAP - BACKWARDS_WINDOWS => {
                // The stored window is ahead of `now`: the clock went backwards.
                (index + (INDEX_WRAP - behind), prev, cur, 0)
            }
            _ => (index, 0, 0, offset),
        }
    }

    /// Whether `prev × (W − offset) ≤ room × W`.
    fn fits(&self, prev: u64, offset: u64, room: u64) -> bool {
        u128::from(prev) * u128::from(self.window - offset)
            <= u128::from(room) * u128::from(self.window)
    }

    /// The first offset into a window at which `prev × (W − offset) ≤ room × W`;
    /// `W` when no offset inside the window works.
    fn first_fit(&self, prev: u64, room: u64) -> u64 {
        if prev == 0 {
            return 0;
        }
        let w = u128::from(self.window);
        let covered = (u128::from(room) * w / u128::from(prev)).min(w);
        (w - covered) as u64
    }
}

impl Algorithm for SlidingWindow {
    fn decide(&self, state: u64, now: Nanos, cost: u32) -> (Option<u64>, Decision) {
        let (index, prev, cur, offset) = self.current(state, now);
        let cost = u64::from(cost);
        let start = index.saturating_mul(self.window);
        let end = start.saturating_add(self.window);
        let reset_after = Duration::from_nanos(end.saturating_sub(now));
        let window = Duration::from_nanos(self.window);
        let remaining = |cur: u64| {
            let total = u128::from(self.limit.saturating_sub(cur)) * u128::from(self.window);
            let used = u128::from(prev) * u128::from(self.window - offset);
            (total.saturating_sub(used) / u128::from(self.window)) as u64
        };
        if cur + cost <= self.limit && self.fits(prev, offset, self.limit - cur - cost) {
            let cur = cur + cost;
            let state = ((index % INDEX_WRAP) << (2 * COUNT_BITS)) | (prev << COUNT_BITS) | cur;
            // cur ≥ 1 after an admission of cost ≥ 1; a zero-cost admission of a fresh
            // key may leave state 0, which stands for the same thing.
            let decision = Decision {
                allowed: true,
                limit: self.limit,
                window,
                remaining: remaining(cur),
                reset_after,
                retry_after: None,
            };
            return (Some(state), decision);
        }
        let retry_at = if cost > self.limit {
            None
        } else {
            let in_this_window = (cur + cost <= self.limit)
                .then(|| self.first_fit(prev, self.limit - cur - cost))
                .filter(|&first| first < self.window);
            Some(match in_this_window {
                Some(first) => start + first,
                None => {
                    // Next window: this window's count becomes the weighted one.
                    let first = self.first_fit(cur, self.limit - cost);
                    if first < self.window {
                        end + first
                    } else {
                        end + self.window
                    }
                }
            })
        };
        let decision = Decision {
            allowed: false,
            limit: self.limit,
            window,
            remaining: remaining(cur),
            reset_after,
            retry_after: retry_at.map(|at| Duration::from_nanos(at.saturating_sub(now))),
        };
        (None, decision)
    }

    fn is_idle(&self, state: u64, now: Nanos) -> bool {
        let (_, prev, cur, _) = self.current(state, now);
        prev == 0 && cur == 0
    }

    fn eviction_rank(&self, state: u64) -> u64 {
        state >> (2 * COUNT_BITS)
    }

    fn quota(&self) -> (u64, Duration) {
        (self.limit, Duration::from_nanos(self.window))
    }
}
