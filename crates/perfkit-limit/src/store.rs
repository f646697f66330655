//! What a caller (the gateway, the tower layer) needs from any limiter backend: an
//! asynchronous decision that may fail when the backend is remote, and what to do when
//! it fails ([`FailPolicy`]).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::algorithm::{Algorithm, FixedWindow, Gcra, Quota, QuotaError, SlidingWindow};
use crate::clock::{nanos, Clock, Nanos, SystemClock};
use crate::decision::Decision;
use crate::key::Key;
use crate::memory::MemoryLimiter;
use crate::redis_window::WindowKind;

/// Why a remote store could not decide.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("redis: {0} (is Redis reachable? the request was neither counted nor limited)")]
    Redis(#[from] redis::RedisError),
    #[error("the store did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the rate-limit script replied {0:?}, expected [taken, remaining, reset_us, retry_us]; is another program writing perfkit:limit:* keys?")]
    Reply(Vec<i64>),
}

/// A keyed limiter behind an asynchronous decision.
pub trait Store: Send + Sync {
    fn check(
        &self,
        key: Key,
        cost: u32,
    ) -> impl Future<Output = Result<Decision, StoreError>> + Send;
}

impl<A: Algorithm, C: Clock> Store for MemoryLimiter<A, C> {
    fn check(
        &self,
        key: Key,
        cost: u32,
    ) -> impl Future<Output = Result<Decision, StoreError>> + Send {
        std::future::ready(Ok(self.check_n(key, cost)))
    }
}

/// What to decide when the store cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPolicy {
    /// Reject every request, telling clients to retry after this long.
    Closed { retry_after: Duration },
    /// Limit locally: each of `instances` gateway instances grants `1 / instances` of
    /// the quota (and burst, at least 1) from its own memory, with the store's own
    /// algorithm (GCRA for a GCRA store, the same window for a window store), so
    /// together they stay near the global limit instead of dropping it.
    Open { instances: u64 },
}

/// Where a [`Resilient`] decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The store decided.
    Store,
    /// The store failed; the local fallback limiter decided ([`FailPolicy::Open`]).
    Fallback,
    /// The store failed; rejected by policy ([`FailPolicy::Closed`]).
    FailedClosed,
}

/// A decision and where it came from, for metrics ("store errors") and logs.
#[derive(Debug)]
pub struct Checked {
    pub decision: Decision,
    pub source: Source,
    /// Why the store failed, when it did.
    pub error: Option<StoreError>,
}

/// A store with a [`FailPolicy`]: never an error, and back on the store as soon as it
/// answers again (nothing to rebuild).
///
/// A store call that fails or takes longer than the timeout (default 250 ms) applies
/// the policy; for the next `probe_interval` (default 1 s) the store is not asked at
/// all, so a dead Redis costs one slow request per interval, not one per request.
/// After that, the next request probes it. The timeout needs a Tokio runtime with
/// its time driver enabled.
#[derive(Debug)]
pub struct Resilient<S> {
    store: S,
    on_failure: OnFailure,
    errors: AtomicU64,
    timeout: Duration,
    probe_interval: Nanos,
    clock: SystemClock,
    /// Until this time the store is considered down.
    down_until: AtomicU64,
}

#[derive(Debug)]
enum OnFailure {
    Reject {
        retry_after: Duration,
        quota: (u64, Duration),
    },
    Gcra(MemoryLimiter<Gcra>),
    Fixed(MemoryLimiter<FixedWindow>),
    Sliding(MemoryLimiter<SlidingWindow>),
}

impl OnFailure {
    fn reject(policy: FailPolicy, quota: (u64, Duration)) -> Option<OnFailure> {
        match policy {
            FailPolicy::Closed { retry_after } => Some(OnFailure::Reject { retry_after, quota }),
            FailPolicy::Open { .. } => None,
        }
    }
}

/// One instance's share of `count`: at least 1.
fn share(count: u64, policy: FailPolicy) -> u64 {
    match policy {
        FailPolicy::Open { instances } => (count / instances.max(1)).max(1),
        FailPolicy::Closed { .. } => count,
    }
}

impl<S: Store> Resilient<S> {
    /// A GCRA store: `quota` is its (global) quota; `max_keys` bounds the
    /// fallback's memory.
    pub fn new(
        store: S,
        quota: Quota,
        policy: FailPolicy,
        max_keys: usize,
    ) -> Result<Self, QuotaError> {
        let global = Gcra::new(quota)?;
        let on_failure = match OnFailure::reject(policy, global.quota()) {
            Some(reject) => reject,
            None => {
                let local = Quota {
                    count: share(quota.count, policy),
                    period: quota.period,
                    burst: share(quota.burst, policy),
                };
                OnFailure::Gcra(MemoryLimiter::new(Gcra::new(local)?, max_keys))
            }
        };
        Ok(Resilient::with_failure(store, on_failure))
    }

    /// A window store (fixed or sliding, `limit` per `window` globally): failing
    /// open, each instance counts its share of `limit` in a local window of the
    /// same kind and length.
    pub fn new_window(
        store: S,
        kind: WindowKind,
        limit: u64,
        window: Duration,
        policy: FailPolicy,
        max_keys: usize,
    ) -> Result<Self, QuotaError> {
        let local = share(limit, policy);
        let on_failure = match kind {
            WindowKind::Fixed => {
                let global = FixedWindow::new(limit, window)?;
                OnFailure::reject(policy, global.quota()).unwrap_or(OnFailure::Fixed(
                    MemoryLimiter::new(FixedWindow::new(local, window)?, max_keys),
                ))
            }
            WindowKind::Sliding => {
                let global = SlidingWindow::new(limit, window)?;
                OnFailure::reject(policy, global.quota()).unwrap_or(OnFailure::Sliding(
                    MemoryLimiter::new(SlidingWindow::new(local, window)?, max_keys),
                ))
            }
        };
        Ok(Resilient::with_failure(store, on_failure))
    }

    fn with_failure(store: S, on_failure: OnFailure) -> Self {
        Resilient {
            store,
            on_failure,
            errors: AtomicU64::new(0),
            timeout: Duration::from_millis(250),
            probe_interval: 1_000_000_000,
            clock: SystemClock::new(),
            down_until: AtomicU64::new(0),
        }
    }

    /// How long a store call may take before the policy applies.
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Resilient { timeout, ..self }
    }

    /// How long after a failure the store is left alone before it is tried again.
    pub fn with_probe_interval(self, interval: Duration) -> Self {
        Resilient {
            probe_interval: nanos(interval),
            ..self
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Store calls that failed or timed out so far.
    pub fn store_errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Decides with the store, or by the policy when the store fails or is down
    /// (then `error` is the failure, or `None` if the store was not asked).
    pub async fn check(&self, key: Key, cost: u32) -> Checked {
        let now = self.clock.now();
        let error = if now < self.down_until.load(Ordering::Relaxed) {
            None
        } else {
            let outcome = tokio::time::timeout(self.timeout, self.store.check(key, cost)).await;
            match outcome.unwrap_or(Err(StoreError::Timeout(self.timeout))) {
                Ok(decision) => {
                    return Checked {
                        decision,
                        source: Source::Store,
                        error: None,
                    }
                }
                Err(error) => {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                    let until = self.clock.now() + self.probe_interval;
                    self.down_until.store(until, Ordering::Relaxed);
                    Some(error)
                }
            }
        };
        let decision = match &self.on_failure {
            OnFailure::Gcra(local) => local.check_n(key, cost),
            OnFailure::Fixed(local) => local.check_n(key, cost),
            OnFailure::Sliding(local) => local.check_n(key, cost),
            OnFailure::Reject { retry_after, quota } => {
                return Checked {
                    decision: Decision {
                        allowed: false,
                        limit: quota.0,
                        window: quota.1,
                        remaining: 0,
                        reset_after: *retry_after,
                        retry_after: Some(*retry_after),
                    },
                    source: Source::FailedClosed,
                    error,
                }
            }
        };
        Checked {
            decision,
            source: Source::Fallback,
            error,
        }
    }
}
