//! perfkit's cache engine: an in-process L1 bounded by bytes (S3-FIFO), a shared Redis
//! L2, single-flight fills, tags, invalidation broadcast to every instance, the
//! cache-aside / read-through / write-through / write-behind / refresh-ahead APIs, and
//! the RFC 9111 rules an HTTP cache needs (`policy`), as pure functions over `http` types.
//!
//! It knows nothing about the gateway: the gateway adapts requests to this API.

mod cache;
mod clock;
mod entry;
mod flight;
mod l1;
mod l2;
pub mod policy;
mod responses;
mod stats;
mod write;

pub use cache::{
    Cache, CacheConfig, CacheError, CacheStats, Fetched, Fill, FillError, Hit, Invalidated,
    L2Status, Layer, RefreshAhead, Source,
};
pub use clock::Clock;
pub use entry::{DecodeError, Entry, ENTRY_OVERHEAD, FORMAT_VERSION};
pub use flight::{Flight, FlightError, Flights, Follower, Leader};
pub use l1::L1;
pub use l2::{L2Config, L2Error};
pub use responses::{ResponseToStore, StoredResponse, VARY_INDEX_TAG};
pub use stats::{glob_match, PatternStats};
pub use write::{BackingStore, FailedBatch, WriteBehind, WriteBehindConfig, WriteError};

/// How an invalidation treats what it selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purge {
    /// Remove the entries.
    Hard,
    /// Keep them but mark them stale: they may be served only where stale serving is
    /// allowed (stale-while-revalidate, stale-if-error) or after revalidation.
    Soft,
}

/// What an invalidation selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One key.
    Key(String),
    /// Every entry carrying this tag.
    Tag(String),
    /// Every key starting with this prefix (all keys for `""`).
    Prefix(String),
}
