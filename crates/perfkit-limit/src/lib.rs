//! Rate limiting for perfkit: the GCRA, sliding- and fixed-window algorithms over a
//! lock-free in-memory store or Redis, concurrency and adaptive (latency-driven)
//! concurrency limiters, the IETF `RateLimit` header syntax, and a tower layer.
//!
//! It knows nothing about HTTP routing: a caller turns a request into a [`Key`] and a
//! cost, asks a limiter, and renders the [`Decision`] with [`headers`].

mod adaptive;
mod algorithm;
mod clock;
mod concurrency;
mod decision;
pub mod headers;
mod key;
mod layer;
mod memory;
mod redis_lazy;
mod redis_store;
mod redis_window;
mod store;

pub use adaptive::{
    AdaptiveConfig, AdaptiveConfigError, AdaptiveLimiter, AdaptivePermit, Outcome, Priority,
};
pub use algorithm::{Algorithm, FixedWindow, Gcra, Quota, QuotaError, SlidingWindow};
pub use clock::{Clock, ManualClock, Nanos, SystemClock};
pub use concurrency::{ConcurrencyLimiter, ConcurrencyPermit};
pub use decision::{ceil_secs, Decision};
pub use key::Key;
pub use layer::{too_many_requests, RateLimit, RateLimitLayer};
pub use memory::MemoryLimiter;
pub use redis_lazy::LazyConnection;
pub use redis_store::{connect, connect_cluster, LeasedLimiter, RedisConfigError, RedisLimiter};
pub use redis_window::{RedisWindowLimiter, WindowKind};
pub use store::{Checked, FailPolicy, Resilient, Source, Store, StoreError};
