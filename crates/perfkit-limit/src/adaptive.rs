//! An adaptive concurrency limit found from latency (gradient style, after Netflix's
//! Gradient2 and TCP Vegas): while requests take no longer than `tolerance` × the
//! baseline (the lowest single latency seen, TCP Vegas' no-load round trip), the limit grows; beyond that it shrinks in
//! proportion, so requests in flight settle just past the point where the upstream
//! starts queueing (its knee) and latency stays near `tolerance` × baseline.
//!
//! Samples are taken in windows of [`AdaptiveConfig::window_samples`] completed
//! requests. At the end of each window, with `short` its mean latency and `fastest` its
//! lowest, `baseline = min(baseline, fastest)` (a single fast request suffices, so a
//! limiter that starts under saturation, where every window's mean includes queueing,
//! still learns the upstream's unloaded latency), then:
//!
//! ```text
//! gradient = clamp(tolerance × baseline / short, 0.5, 1)      (0.5 if a request was dropped)
//! target   = limit × gradient + sqrt(limit)                   (no growth while less than
//!                                                               half the limit is in use)
//! limit    = clamp(limit × (1 − smoothing) + target × smoothing, min_limit, max_limit)
//! ```
//!
//! Bounded reaction: a window whose latency is at least `2 × tolerance × baseline`
//! (or with a drop) multiplies the limit by `1 − smoothing / 2 + smoothing / sqrt(limit)`,
//! at most `1 − smoothing / 4` while the limit is 16 or more, so falling from
//! `max_limit` to any `L ≥ 16` takes at most `ceil(ln(max_limit / L) / −ln(1 − smoothing / 4))`
//! such windows: 77 windows from 1000 to 20 with the defaults. Such windows settle
//! where `limit / 2 = sqrt(limit)`, at a limit of 4 (or `min_limit`); when a window with
//! latency still `2 × tolerance × baseline` or more leaves the rounded limit unchanged,
//! the upstream itself has slowed down: the baseline is re-anchored to the window's
//! fastest request so the limit can grow again.
//!
//! Requests can be [`Priority::Critical`]: the top [`AdaptiveConfig::critical_reserve`]
//! of the limit admits only them, so ordinary requests are shed first. [`Priority::Low`]
//! requests may use only [`AdaptiveConfig::low_share`] of what ordinary ones may, so they
//! are shed before both:
//!
//! ```text
//! critical cap = limit
//! normal cap   = max(1, limit − floor(limit × critical_reserve))
//! low cap      = max(1, floor(normal cap × low_share))
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::{Clock, Nanos, SystemClock};

/// Parameters of an [`AdaptiveLimiter`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveConfig {
    /// The limit before the first window closes.
    pub initial_limit: u64,
    pub min_limit: u64,
    pub max_limit: u64,
    /// Completed requests per window (one limit update per window).
    pub window_samples: u32,
    /// How much slower than the baseline requests may get before the limit shrinks.
    pub tolerance: f64,
    /// Weight of each window's target in the new limit (0 < smoothing ≤ 1).
    pub smoothing: f64,
    /// Fraction of the limit kept for [`Priority::Critical`] requests (0 ≤ r < 1).
    pub critical_reserve: f64,
    /// Fraction of the ordinary cap that [`Priority::Low`] requests may use (0 < s ≤ 1).
    pub low_share: f64,
}

impl Default for AdaptiveConfig {
    fn default() -> Self {
        AdaptiveConfig {
            initial_limit: 20,
            min_limit: 1,
            max_limit: 1000,
            window_samples: 20,
            tolerance: 1.5,
            smoothing: 0.2,
            critical_reserve: 0.1,
            low_share: 0.5,
        }
    }
}

/// Why an [`AdaptiveConfig`] is refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AdaptiveConfigError {
    #[error("adaptive limits need 1 <= min_limit <= initial_limit <= max_limit (got {min} <= {initial} <= {max})")]
    Limits { min: u64, initial: u64, max: u64 },
    #[error("window_samples must be at least 1")]
    WindowSamples,
    #[error("tolerance must be at least 1.0 (got {0})")]
    Tolerance(f64),
    #[error("smoothing must be in (0, 1] (got {0})")]
    Smoothing(f64),
    #[error("critical_reserve must be in [0, 1) (got {0})")]
    CriticalReserve(f64),
    #[error("low_share must be in (0, 1] (got {0})")]
    LowShare(f64),
}

impl AdaptiveConfig {
    fn validate(&self) -> Result<(), AdaptiveConfigError> {
        if !(1 <= self.min_limit
            && self.min_limit <= self.initial_limit
            && self.initial_limit <= self.max_limit)
        {
            return Err(AdaptiveConfigError::Limits {
                min: self.min_limit,
                initial: self.initial_limit,
                max: self.max_limit,
            });
        }
        if self.window_samples == 0 {
            return Err(AdaptiveConfigError::WindowSamples);
        }
        if !(self.tolerance >= 1.0 && self.tolerance.is_finite()) {
            return Err(AdaptiveConfigError::Tolerance(self.tolerance));
        }
        if !(self.smoothing > 0.0 && self.smoothing <= 1.0) {
            return Err(AdaptiveConfigError::Smoothing(self.smoothing));
        }
        if !(0.0..1.0).contains(&self.critical_reserve) {
            return Err(AdaptiveConfigError::CriticalReserve(self.critical_reserve));
        }
        if !(self.low_share > 0.0 && self.low_share <= 1.0) {
            return Err(AdaptiveConfigError::LowShare(self.low_share));
        }
        Ok(())
    }
}

/// How a request under an [`AdaptiveLimiter`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Completed; its latency is a sample.
    Success,
    /// Failed from overload (timeout, upstream 503): shrink the limit.
    Dropped,
    /// Says nothing about the upstream's load (client went away, 4xx): no sample.
    Ignore,
}

/// Which requests are shed last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Priority {
    /// Shed first: may use only `low_share` of the ordinary cap.
    Low,
    #[default]
    Normal,
    /// Shed last: may use the whole limit, including the critical reserve.
    Critical,
}

/// A concurrency limit that adapts to the upstream's latency. Clones share state.
#[derive(Debug)]
pub struct AdaptiveLimiter<C = SystemClock> {
    inner: Arc<Inner<C>>,
}

impl<C> Clone for AdaptiveLimiter<C> {
    fn clone(&self) -> Self {
        AdaptiveLimiter {
            inner: Arc::clone(&self.inner),
        }
    }
}

#[derive(Debug)]
struct Inner<C> {
    config: AdaptiveConfig,
    clock: C,
    limit: AtomicU64,
    in_flight: AtomicU64,
    estimator: Mutex<Estimator>,
}

#[derive(Debug)]
struct Estimator {
    limit: f64,
    /// Lowest single latency seen, in ns; 0 before the first window.
    baseline: f64,
    sum: f64,
    /// Lowest latency of this window, in ns; 0 while it has no success.
    fastest: f64,
    successes: u32,
    samples: u32,
    dropped: bool,
    max_in_flight: u64,
}

impl AdaptiveLimiter<SystemClock> {
    pub fn new(config: AdaptiveConfig) -> Result<Self, AdaptiveConfigError> {
        AdaptiveLimiter::with_clock(config, SystemClock::new())
    }
}

impl<C: Clock> AdaptiveLimiter<C> {
    pub fn with_clock(config: AdaptiveConfig, clock: C) -> Result<Self, AdaptiveConfigError> {
        config.validate()?;
        Ok(AdaptiveLimiter {
            inner: Arc::new(Inner {
                config,
                clock,
                limit: AtomicU64::new(config.initial_limit),
                in_flight: AtomicU64::new(0),
                estimator: Mutex::new(Estimator {
                    limit: config.initial_limit as f64,
                    baseline: 0.0,
                    sum: 0.0,
                    fastest: 0.0,
                    successes: 0,
                    samples: 0,
                    dropped: false,
                    max_in_flight: 0,
                }),
            }),
        })
    }

    /// The current limit.
    pub fn limit(&self) -> u64 {
        self.inner.limit.load(Ordering::Relaxed)
    }

    pub fn in_flight(&self) -> u64 {
        self.inner.in_flight.load(Ordering::Relaxed)
    }

    /// The in-flight cap for requests of `priority` under the current limit.
    pub fn cap(&self, priority: Priority) -> u64 {
        let limit = self.limit();
        let config = &self.inner.config;
        let normal = || {
            let reserved = (limit as f64 * config.critical_reserve) as u64;
            (limit - reserved).max(1)
        };
        match priority {
            Priority::Critical => limit,
            Priority::Normal => normal(),
            Priority::Low => ((normal() as f64 * config.low_share) as u64).max(1),
        }
    }

    /// A permit if fewer than [`AdaptiveLimiter::cap`] requests are in flight.
    pub fn try_acquire(&self, priority: Priority) -> Option<AdaptivePermit<C>> {
        let cap = self.cap(priority);
        let in_flight = &self.inner.in_flight;
        let mut current = in_flight.load(Ordering::Relaxed);
        loop {
            if current >= cap {
                return None;
            }
            match in_flight.compare_exchange_weak(
                current,
                current + 1,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Some(AdaptivePermit {
                        limiter: self.clone(),
                        started: self.inner.clock.now(),
                        in_flight: current + 1,
                        done: false,
                    })
                }
                Err(now) => current = now,
            }
        }
    }

    fn sample(&self, latency: Duration, in_flight: u64, outcome: Outcome) {
        if outcome == Outcome::Ignore {
            return;
        }
        let config = &self.inner.config;
        let mut estimator = match self.inner.estimator.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        estimator.max_in_flight = estimator.max_in_flight.max(in_flight);
        match outcome {
            Outcome::Success => {
                let nanos = latency.as_nanos() as f64;
                if estimator.fastest == 0.0 || nanos < estimator.fastest {
                    estimator.fastest = nanos;
                }
                estimator.sum += nanos;
                estimator.successes += 1;
            }
            Outcome::Dropped => estimator.dropped = true,
            Outcome::Ignore => {}
        }
        estimator.samples += 1;
        if estimator.samples < config.window_samples {
            return;
        }
        let short = if estimator.successes > 0 {
            estimator.sum / f64::from(estimator.successes)
        } else {
            0.0
        };
        let limit = estimator.limit;
        let fastest = estimator.fastest;
        if fastest > 0.0 && (estimator.baseline == 0.0 || fastest < estimator.baseline) {
            estimator.baseline = fastest;
        }
        let gradient = if estimator.dropped {
            0.5
        } else if short > 0.0 {
            (config.tolerance * estimator.baseline / short).clamp(0.5, 1.0)
        } else {
            1.0
        };
        let app_limited = (estimator.max_in_flight as f64) < limit / 2.0;
        let target = if gradient >= 1.0 && app_limited {
            limit
        } else {
            limit * gradient + limit.sqrt()
        };
        let min = config.min_limit as f64;
        let max = config.max_limit as f64;
        let next = (limit * (1.0 - config.smoothing) + target * config.smoothing).clamp(min, max);
        if gradient <= 0.5 && !estimator.dropped && next > limit - 0.5 {
            // The limit cannot fall further, yet requests are still at least twice as
            // slow as tolerated: the upstream itself got slower, so the old baseline
            // can no longer be reached.
            estimator.baseline = fastest;
        }
        estimator.limit = next;
        estimator.sum = 0.0;
        estimator.fastest = 0.0;
        estimator.successes = 0;
        estimator.samples = 0;
        estimator.dropped = false;
        estimator.max_in_flight = 0;
        self.inner
            .limit
            .store(next.round() as u64, Ordering::Relaxed);
    }
}

/// One admitted request; report how it ended with [`AdaptivePermit::finish`] or
/// [`AdaptivePermit::record`]. Dropping it unreported releases the slot, no sample.
#[derive(Debug)]
#[must_use = "the permit is released as soon as it is dropped"]
pub struct AdaptivePermit<C: Clock = SystemClock> {
    limiter: AdaptiveLimiter<C>,
    started: Nanos,
    in_flight: u64,
    done: bool,
}

impl<C: Clock> AdaptivePermit<C> {
    /// Ends the request now; its latency is measured from acquisition.
    pub fn finish(self, outcome: Outcome) {
        let now = self.limiter.inner.clock.now();
        let latency = Duration::from_nanos(now.saturating_sub(self.started));
        self.record(latency, outcome);
    }

    /// Ends the request with a latency measured by the caller.
    pub fn record(mut self, latency: Duration, outcome: Outcome) {
        self.release();
        self.limiter.sample(latency, self.in_flight, outcome);
    }

    fn release(&mut self) {
        if !self.done {
            self.done = true;
            self.limiter.inner.in_flight.fetch_sub(1, Ordering::Release);
        }
    }
}

impl<C: Clock> Drop for AdaptivePermit<C> {
    fn drop(&mut self) {
        self.release();
    }
}
