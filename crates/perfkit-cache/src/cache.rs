//! The two-layer cache: L1 in memory, L2 in Redis, single-flight fills, tags,
//! invalidation (local, in Redis, and broadcast to every instance), statistics.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::entry::Entry;
use crate::flight::{Flight, FlightError, Flights};
use crate::l1::L1;
use crate::l2::{L2Config, L2Error, L2};
use crate::stats::{Event, PatternStats, Stats};
use crate::{Purge, Target};

/// What the cache is made of.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// L1's byte budget; `None` disables L1.
    pub l1_max_bytes: Option<u64>,
    /// Redis; `None` means L1 alone.
    pub l2: Option<L2Config>,
    /// Shortens each stored entry's keeping time by a random fraction up to this
    /// (0.0..=1.0), so entries stored together do not expire together.
    pub ttl_jitter: f64,
    /// Key globs for per-pattern statistics (`user:*`).
    pub stat_patterns: Vec<String>,
    /// Invalidations kept for replay while Redis is unreachable; past this many, the
    /// whole L2 namespace is purged on reconnect instead.
    pub max_pending_invalidations: usize,
    /// What "now" is for expiry, ages and freshness; the system clock by default.
    pub clock: Clock,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            l1_max_bytes: Some(64 << 20),
            l2: None,
            ttl_jitter: 0.0,
            stat_patterns: Vec::new(),
            max_pending_invalidations: 1024,
            clock: Clock::system(),
        }
    }
}

/// Errors of the cache's write paths (reads never fail: an unreachable L2 is a miss).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(
        "the cache's L2 is configured but no tokio runtime is running; create the cache inside one"
    )]
    NoRuntime,
    #[error("ttl_jitter must be within 0.0..=1.0, got {0}")]
    Jitter(f64),
    #[error(transparent)]
    L2(#[from] L2Error),
    #[error("cached value does not (de)serialize: {0}")]
    Value(#[from] serde_json::Error),
}

/// Which layer answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    L1,
    L2,
}

/// A stored entry found by [`Cache::get`].
#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: Arc<Entry>,
    pub layer: Layer,
}

/// The state of L2 for health reporting (`Cache-Status`, metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum L2Status {
    Disabled,
    Up,
    Down,
}

/// What a fill produced.
#[derive(Debug)]
pub enum Fill {
    /// Store it and give it to coalesced waiters.
    Share(Entry),
    /// Give it to this caller only: waiters fetch for themselves, nothing is stored
    /// (a private, `Set-Cookie` or `no-store` response).
    Private(Entry),
}

/// Where [`Cache::get_or_fill`]'s answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    L1,
    L2,
    /// This caller's fill ran and was stored.
    Filled,
    /// Another caller's fill, waited for.
    Coalesced,
    /// This caller's fill ran and was not shareable (not stored).
    Private,
}

/// The answer of [`Cache::get_or_fill`].
#[derive(Debug, Clone)]
pub struct Fetched {
    pub entry: Arc<Entry>,
    pub source: Source,
}

/// Why [`Cache::get_or_fill`] has no entry.
#[derive(Debug, thiserror::Error)]
pub enum FillError<E> {
    /// This caller's own fill failed.
    #[error("fill failed: {0}")]
    Fill(E),
    /// The fill this caller waited for failed or was abandoned.
    #[error(transparent)]
    Flight(FlightError),
}

/// Refresh-ahead: refresh a hit in the background once less than `fraction` of its
/// keeping time is left.
#[derive(Debug, Clone, Copy)]
pub struct RefreshAhead {
    pub fraction: f64,
}

/// What an invalidation reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalidated {
    /// L1 entries dropped or marked stale here.
    pub l1: usize,
    /// L2 entries removed or marked; `None` when L2 is disabled or unreachable (then
    /// the invalidation is queued and replayed, with its broadcast, on reconnect).
    pub l2: Option<usize>,
}

/// Figures for the whole cache at one moment.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CacheStats {
    pub patterns: Vec<PatternStats>,
    pub l1_bytes: u64,
    pub l1_max_bytes: u64,
    pub l1_entries: usize,
    pub l1_evictions: u64,
    pub l2: L2Status,
    pub l2_errors: u64,
    /// Invalidations received from other instances.
    pub broadcasts_received: u64,
    /// Times L1 was flushed or marked stale after reconnecting to Redis.
    pub reconnect_purges: u64,
    pub pending_invalidations: usize,
}

/// The multi-layer cache. Cheap to clone (one `Arc`).
#[derive(Debug, Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    l1: Option<L1>,
    l2: Option<L2>,
    flights: Flights,
    stats: Stats,
    ttl_jitter: f64,
    /// Tells this instance's broadcasts from the others'.
    instance: u64,
    pending: Mutex<Pending>,
    max_pending: usize,
    l2_errors: AtomicU64,
    broadcasts_received: AtomicU64,
    reconnect_purges: AtomicU64,
    /// Bumped on every broadcast applied and every reconnect purge, so callers can
    /// await them.
    link_events: tokio::sync::watch::Sender<u64>,
    link: Mutex<Option<JoinHandle<()>>>,
    clock: Clock,
}

#[derive(Debug, Default)]
struct Pending {
    queue: VecDeque<(Target, Purge)>,
    overflowed: bool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(link) = self
            .link
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            link.abort();
        }
    }
}

impl Cache {
    /// Builds the cache. With L2 configured, must run inside a tokio runtime: a task
    /// keeps the Redis link (connect, subscribe to invalidations, reconnect) alive for
    /// as long as the cache lives. Redis being unreachable is not an error.
    pub fn new(config: CacheConfig) -> Result<Cache, CacheError> {
        if !(0.0..=1.0).contains(&config.ttl_jitter) {
            return Err(CacheError::Jitter(config.ttl_jitter));
        }
        let l2 = config.l2.map(L2::new).transpose()?;
        let runtime = match &l2 {
            Some(_) => {
                Some(tokio::runtime::Handle::try_current().map_err(|_| CacheError::NoRuntime)?)
            }
            None => None,
        };
        let inner = Arc::new(Inner {
            l1: config.l1_max_bytes.map(L1::new),
            l2,
            flights: Flights::default(),
            stats: Stats::new(config.stat_patterns),
            ttl_jitter: config.ttl_jitter,
            instance: fastrand::u64(..),
            pending: Mutex::new(Pending::default()),
            max_pending: config.max_pending_invalidations,
            l2_errors: AtomicU64::new(0),
            broadcasts_received: AtomicU64::new(0),
            reconnect_purges: AtomicU64::new(0),
            link_events: tokio::sync::watch::channel(0).0,
            link: Mutex::new(None),
            clock: config.clock,
        });
        if let Some(runtime) = runtime {
            let task = runtime.spawn(link(Arc::downgrade(&inner)));
            *inner.link.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
        }
        Ok(Cache { inner })
    }

    /// L1 only, synchronous: the gateway's hot path. Allocation-free on a hit.
    pub fn get_l1(&self, key: &str) -> Option<Arc<Entry>> {
        self.get_l1_at(key, self.now())
    }

    /// This cache's clock (the system's unless [`CacheConfig::clock`] was set by hand).
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The time by this cache's clock: what expiry, ages and freshness are measured
    /// against.
    pub fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }

    /// [`Cache::get_l1`] with the caller's idea of now (a coarse per-worker clock
    /// saves a clock read per lookup, which costs a system call on some VMs).
    pub fn get_l1_at(&self, key: &str, now: SystemTime) -> Option<Arc<Entry>> {
        let l1 = self.inner.l1.as_ref()?;
        let found = l1.get(key, now);
        if found.is_some() {
            self.inner.stats.record(key, Event::HitL1);
        }
        found
    }

    /// L1, then L2 (an L2 hit fills L1). Never fails: an unreachable L2 is a miss.
    pub async fn get(&self, key: &str) -> Option<Hit> {
        if let Some(entry) = self.get_l1(key) {
            return Some(Hit {
                entry,
                layer: Layer::L1,
            });
        }
        if let Some(entry) = self.get_l2(key).await {
            self.inner.stats.record(key, Event::HitL2);
            return Some(Hit {
                entry,
                layer: Layer::L2,
            });
        }
        self.inner.stats.record(key, Event::Miss);
        None
    }

    async fn get_l2(&self, key: &str) -> Option<Arc<Entry>> {
        let l2 = self.inner.l2.as_ref().filter(|l2| l2.is_up())?;
        match l2.get(key).await {
            Ok(Some(entry)) if !entry.is_expired(self.now()) => {
                let entry = Arc::new(entry.seal());
                if let Some(l1) = &self.inner.l1 {
                    l1.insert(key, Arc::clone(&entry));
                }
                Some(entry)
            }
            Ok(_) => None,
            Err(err) => {
                self.l2_failed(&err);
                None
            }
        }
    }

    fn l2_failed(&self, err: &L2Error) {
        self.inner.l2_errors.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(error = %err, "cache L2 operation failed");
    }

    /// Stores `entry` in both layers (write-through to L2). The entry is in L1 even
    /// when the L2 write fails; the error says L2 missed it.
    pub async fn set(&self, key: &str, entry: Entry) -> Result<Arc<Entry>, CacheError> {
        match self.store(key, entry).await {
            (entry, None) => Ok(entry),
            (_, Some(err)) => Err(err.into()),
        }
    }

    pub(crate) async fn store(&self, key: &str, entry: Entry) -> (Arc<Entry>, Option<L2Error>) {
        let entry = Arc::new(self.jittered(entry).seal());
        self.inner.stats.record(key, Event::Stored);
        if let Some(l1) = &self.inner.l1 {
            l1.insert(key, Arc::clone(&entry));
        }
        if let Some(l2) = &self.inner.l2 {
            if let Err(err) = l2.set(key, &entry).await {
                self.l2_failed(&err);
                return (entry, Some(err));
            }
        }
        (entry, None)
    }

    /// Cache-aside for serde values: stores `value` (JSON inside the entry) with an
    /// optional keeping time and tags.
    pub async fn set_value<T: serde::Serialize>(
        &self,
        key: &str,
        value: &T,
        ttl: Option<Duration>,
        tags: &[&str],
    ) -> Result<Arc<Entry>, CacheError> {
        let mut entry = Entry::value(serde_json::to_vec(value)?).with_tags(tags.iter().copied());
        if let Some(ttl) = ttl {
            entry = entry.with_ttl(ttl);
        }
        self.set(key, entry).await
    }

    /// The serde value under `key`, if any.
    pub async fn get_value<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, CacheError> {
        match self.get(key).await {
            Some(hit) => Ok(Some(serde_json::from_slice(&hit.entry.body)?)),
            None => Ok(None),
        }
    }

    /// Stores into L1 only (e.g. while the L2 write goes through write-behind).
    pub fn set_l1(&self, key: &str, entry: Entry) -> Arc<Entry> {
        let entry = Arc::new(self.jittered(entry).seal());
        if let Some(l1) = &self.inner.l1 {
            l1.insert(key, Arc::clone(&entry));
        }
        entry
    }

    fn jittered(&self, mut entry: Entry) -> Entry {
        if self.inner.ttl_jitter > 0.0 {
            if let Some(at) = entry.expires_at {
                let ttl = at.duration_since(entry.response_time).unwrap_or_default();
                let cut = ttl.mul_f64(self.inner.ttl_jitter * fastrand::f64());
                entry.expires_at = Some(at - cut);
            }
        }
        entry
    }

    /// Removes `key` everywhere (every instance's L1 through the broadcast).
    pub async fn delete(&self, key: &str) -> Invalidated {
        self.invalidate(Target::Key(key.to_owned()), Purge::Hard)
            .await
    }

    /// Drops (hard) or marks stale (soft) what `target` selects, in L1, in L2, and in
    /// every other instance's L1. When Redis is unreachable the L2 part and the
    /// broadcast are queued and replayed on reconnect.
    pub async fn invalidate(&self, target: Target, purge: Purge) -> Invalidated {
        let l1 = self.invalidate_l1(&target, purge);
        let l2 = match &self.inner.l2 {
            None => None,
            Some(l2) => match self.invalidate_l2(l2, &target, purge).await {
                Ok(count) => Some(count),
                Err(err) => {
                    self.l2_failed(&err);
                    self.queue_pending(target, purge);
                    None
                }
            },
        };
        Invalidated { l1, l2 }
    }

    fn invalidate_l1(&self, target: &Target, purge: Purge) -> usize {
        let Some(l1) = &self.inner.l1 else { return 0 };
        let soft = purge == Purge::Soft;
        match target {
            Target::Key(key) => match purge {
                Purge::Hard => usize::from(l1.remove(key)),
                Purge::Soft => l1.get(key, self.now()).map_or(0, |e| {
                    e.mark_stale();
                    1
                }),
            },
            Target::Tag(tag) => l1.purge_where(|_, entry| entry.has_tag(tag), soft),
            Target::Prefix(prefix) => {
                l1.purge_where(|key, _| key.starts_with(prefix.as_str()), soft)
            }
        }
    }

    async fn invalidate_l2(
        &self,
        l2: &L2,
        target: &Target,
        purge: Purge,
    ) -> Result<usize, L2Error> {
        if !l2.is_up() {
            return Err(L2Error::Down);
        }
        let count = match target {
            Target::Key(key) => l2.purge_key(key, purge).await?,
            Target::Tag(tag) => l2.purge_tag(tag, purge).await?,
            Target::Prefix(prefix) => l2.purge_prefix(prefix, purge).await?,
        };
        l2.publish(&encode_message(self.inner.instance, target, purge))
            .await?;
        Ok(count)
    }

    fn queue_pending(&self, target: Target, purge: Purge) {
        let mut pending = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.queue.len() >= self.inner.max_pending {
            pending.queue.clear();
            pending.overflowed = true;
        }
        if !pending.overflowed {
            pending.queue.push_back((target, purge));
        }
    }

    /// Replays invalidations queued while Redis was unreachable.
    async fn replay_pending(&self) {
        let Some(l2) = &self.inner.l2 else { return };
        let (queue, overflowed) = {
            let mut pending = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner());
            (
                std::mem::take(&mut pending.queue),
                std::mem::take(&mut pending.overflowed),
            )
        };
        let work: Vec<(Target, Purge)> = if overflowed {
            vec![(Target::Prefix(String::new()), Purge::Hard)]
        } else {
            queue.into()
        };
        for (index, (target, purge)) in work.iter().enumerate() {
            if let Err(err) = self.invalidate_l2(l2, target, *purge).await {
                self.l2_failed(&err);
                // Keep the rest for the next reconnect.
                for (target, purge) in work[index..].iter().cloned() {
                    self.queue_pending(target, purge);
                }
                return;
            }
        }
        if !work.is_empty() {
            self.inner.link_events.send_modify(|n| *n += 1);
        }
    }

    /// Callers waiting on another caller's fill of `key` now.
    pub fn waiters(&self, key: &str) -> usize {
        self.inner.flights.waiters(key)
    }

    /// Fills (and background revalidations) running now, across all keys.
    pub fn fills_in_flight(&self) -> usize {
        self.inner.flights.len()
    }

    /// The single-flight table, for callers that fill by themselves (the gateway
    /// streams the origin's response while filling).
    pub fn join(&self, key: &str) -> Flight {
        self.inner.flights.join(key)
    }

    /// Read-through: a hit, or one fill per key among concurrent callers. A
    /// [`Fill::Private`] result goes to its caller only; waiters then run their own
    /// `fill`.
    pub async fn get_or_fill<F, Fut, E>(&self, key: &str, fill: F) -> Result<Fetched, FillError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fill, E>>,
    {
        if let Some(hit) = self.get(key).await {
            let source = match hit.layer {
                Layer::L1 => Source::L1,
                Layer::L2 => Source::L2,
            };
            return Ok(Fetched {
                entry: hit.entry,
                source,
            });
        }
        match self.inner.flights.join(key) {
            Flight::Leader(leader) => match fill().await {
                Ok(Fill::Share(entry)) => {
                    // An L2 write failure is counted; the caller still has its entry.
                    let (entry, _) = self.store(key, entry).await;
                    leader.complete(Arc::clone(&entry));
                    Ok(Fetched {
                        entry,
                        source: Source::Filled,
                    })
                }
                Ok(Fill::Private(entry)) => {
                    leader.not_shareable();
                    Ok(Fetched {
                        entry: Arc::new(entry),
                        source: Source::Private,
                    })
                }
                Err(err) => {
                    self.inner.stats.record(key, Event::FillError);
                    leader.fail("the filling caller's fill returned an error");
                    Err(FillError::Fill(err))
                }
            },
            Flight::Follower(follower) => match follower.wait().await {
                Ok(entry) => {
                    self.inner.stats.record(key, Event::Coalesced);
                    Ok(Fetched {
                        entry,
                        source: Source::Coalesced,
                    })
                }
                Err(FlightError::NotShareable) => match fill().await {
                    Ok(Fill::Share(entry) | Fill::Private(entry)) => Ok(Fetched {
                        entry: Arc::new(entry),
                        source: Source::Private,
                    }),
                    Err(err) => Err(FillError::Fill(err)),
                },
                Err(err) => Err(FillError::Flight(err)),
            },
        }
    }

    /// Read-through with refresh-ahead: a hit whose remaining keeping time is below
    /// `policy.fraction` of its total starts one background refresh (`fill` again)
    /// and is returned at once.
    pub async fn get_or_fill_refreshing<F, Fut, E>(
        &self,
        key: &str,
        policy: RefreshAhead,
        fill: F,
    ) -> Result<Fetched, FillError<E>>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Fill, E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        let fill = Arc::new(fill);
        let fetched = {
            let fill = Arc::clone(&fill);
            self.get_or_fill(key, move || fill()).await?
        };
        if matches!(fetched.source, Source::L1 | Source::L2)
            && needs_refresh(&fetched.entry, policy)
        {
            if let Flight::Leader(leader) = self.inner.flights.join(key) {
                let cache = self.clone();
                let key = key.to_owned();
                tokio::spawn(async move {
                    match fill().await {
                        Ok(Fill::Share(entry)) => {
                            let (entry, _) = cache.store(&key, entry).await;
                            leader.complete(entry);
                        }
                        Ok(Fill::Private(_)) => leader.not_shareable(),
                        Err(err) => {
                            tracing::warn!(key, error = %err, "refresh-ahead fill failed; the old entry stays");
                            leader.fail(err.to_string());
                        }
                    }
                });
            }
        }
        Ok(fetched)
    }

    /// L2's state now.
    pub fn l2_status(&self) -> L2Status {
        match &self.inner.l2 {
            None => L2Status::Disabled,
            Some(l2) if l2.is_up() => L2Status::Up,
            Some(_) => L2Status::Down,
        }
    }

    /// Resolves once L2 is down (or at once when disabled); `false` on timeout.
    pub async fn wait_l2_down(&self, limit: Duration) -> bool {
        let Some(l2) = &self.inner.l2 else {
            return true;
        };
        let mut up = l2.subscribe_up();
        tokio::time::timeout(limit, up.wait_for(|up| !*up))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Resolves once L2 is up (or at once when disabled); `false` on timeout.
    pub async fn wait_l2_up(&self, limit: Duration) -> bool {
        let Some(l2) = &self.inner.l2 else {
            return true;
        };
        let mut up = l2.subscribe_up();
        tokio::time::timeout(limit, up.wait_for(|up| *up))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    pub fn stats(&self) -> CacheStats {
        let l1 = self.inner.l1.as_ref();
        CacheStats {
            patterns: self.inner.stats.snapshot(),
            l1_bytes: l1.map_or(0, L1::weight),
            l1_max_bytes: l1.map_or(0, L1::max_bytes),
            l1_entries: l1.map_or(0, L1::len),
            l1_evictions: l1.map_or(0, L1::evictions),
            l2: self.l2_status(),
            l2_errors: self.inner.l2_errors.load(Ordering::Relaxed),
            broadcasts_received: self.inner.broadcasts_received.load(Ordering::Relaxed),
            reconnect_purges: self.inner.reconnect_purges.load(Ordering::Relaxed),
            pending_invalidations: self
                .inner
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .queue
                .len(),
        }
    }

    /// Applies a broadcast from another instance to this L1.
    fn apply_broadcast(&self, payload: &str) {
        let Some((instance, target, purge)) = decode_message(payload) else {
            tracing::warn!(payload, "ignoring a malformed cache invalidation message");
            return;
        };
        if instance == self.inner.instance {
            return;
        }
        self.invalidate_l1(&target, purge);
        self.inner
            .broadcasts_received
            .fetch_add(1, Ordering::Relaxed);
        self.inner.link_events.send_modify(|n| *n += 1);
    }

    /// After a gap in the Redis link, this instance may have missed invalidations.
    fn purge_after_gap(&self) {
        let Some(l1) = &self.inner.l1 else { return };
        let on_reconnect = self
            .inner
            .l2
            .as_ref()
            .map_or(Purge::Hard, |l2| l2.config.on_reconnect);
        match on_reconnect {
            Purge::Hard => l1.clear(),
            Purge::Soft => l1.mark_all_stale(),
        }
        self.inner.reconnect_purges.fetch_add(1, Ordering::Relaxed);
        self.inner.link_events.send_modify(|n| *n += 1);
    }

    /// Waits until `done(&stats)` holds, re-checking after every broadcast applied or
    /// reconnect purge; `false` on timeout.
    pub async fn wait_for_link(&self, limit: Duration, done: impl Fn(&CacheStats) -> bool) -> bool {
        let mut events = self.inner.link_events.subscribe();
        let wait = async {
            loop {
                if done(&self.stats()) {
                    return;
                }
                if events.changed().await.is_err() {
                    return;
                }
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok() && done(&self.stats())
    }
}

fn needs_refresh(entry: &Entry, policy: RefreshAhead) -> bool {
    let Some(at) = entry.expires_at else {
        return false;
    };
    let total = at.duration_since(entry.response_time).unwrap_or_default();
    let left = entry.remaining_ttl(SystemTime::now()).unwrap_or_default();
    left < total.mul_f64(policy.fraction.clamp(0.0, 1.0))
}

/// `v1 <instance hex> <h|s> <k|t|p> <argument>`
fn encode_message(instance: u64, target: &Target, purge: Purge) -> String {
    let purge = match purge {
        Purge::Hard => 'h',
        Purge::Soft => 's',
    };
    let (kind, arg) = match target {
        Target::Key(key) => ('k', key),
        Target::Tag(tag) => ('t', tag),
        Target::Prefix(prefix) => ('p', prefix),
    };
    format!("v1 {instance:016x} {purge} {kind} {arg}")
}

fn decode_message(payload: &str) -> Option<(u64, Target, Purge)> {
    let rest = payload.strip_prefix("v1 ")?;
    let (instance, rest) = rest.split_once(' ')?;
    let instance = u64::from_str_radix(instance, 16).ok()?;
    let (purge, rest) = rest.split_once(' ')?;
    let purge = match purge {
        "h" => Purge::Hard,
        "s" => Purge::Soft,
        _ => return None,
    };
    let (kind, arg) = rest.split_once(' ').unwrap_or((rest, ""));
    let arg = arg.to_owned();
    let target = match kind {
        "k" => Target::Key(arg),
        "t" => Target::Tag(arg),
        "p" => Target::Prefix(arg),
        _ => return None,
    };
    Some((instance, target, purge))
}

/// Keeps the Redis link: connect, subscribe to invalidations, apply them, probe
/// health while marked down, and reconnect after a loss (purging L1 conservatively).
async fn link(weak: Weak<Inner>) {
    const PROBE_EVERY: Duration = Duration::from_millis(200);
    let mut had_gap = false;
    let mut backoff = Duration::from_millis(50);
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let cache = Cache { inner };
        let Some(l2) = cache.inner.l2.as_ref() else {
            return;
        };
        let connected = async {
            l2.connect().await?;
            let mut pubsub = l2.client.get_async_pubsub().await?;
            pubsub.subscribe(l2.channel()).await?;
            Ok::<_, L2Error>(pubsub)
        };
        let pubsub = match tokio::time::timeout(l2.config.op_timeout * 8, connected).await {
            Ok(Ok(pubsub)) => pubsub,
            Ok(Err(_)) | Err(_) => {
                l2.set_up(false);
                had_gap = true;
                drop(cache);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        backoff = Duration::from_millis(50);
        if had_gap {
            cache.purge_after_gap();
        }
        l2.set_up(true);
        cache.replay_pending().await;
        drop(cache);

        // The sink must live as long as the stream: dropping it ends the driver.
        let (sink, mut messages) = pubsub.split();
        let mut probe = tokio::time::interval(PROBE_EVERY);
        loop {
            tokio::select! {
                message = messages.next() => {
                    let Some(message) = message else { break };
                    let Some(inner) = weak.upgrade() else { return };
                    if let Ok(payload) = std::str::from_utf8(message.get_payload_bytes()) {
                        Cache { inner }.apply_broadcast(payload);
                    }
                }
                _ = probe.tick() => {
                    let Some(inner) = weak.upgrade() else { return };
                    let cache = Cache { inner };
                    let Some(l2) = cache.inner.l2.as_ref() else { return };
                    if !l2.is_up() && l2.probe().await {
                        cache.replay_pending().await;
                    }
                }
            }
        }
        drop(sink);
        // The subscription ended: Redis went away; messages may be missed from here.
        if let Some(inner) = weak.upgrade() {
            if let Some(l2) = &inner.l2 {
                l2.set_up(false);
            }
        }
        had_gap = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_messages_round_trip() {
        for (target, purge) in [
            (Target::Key("GET:https://a/b c".into()), Purge::Hard),
            (Target::Tag("user:1".into()), Purge::Soft),
            (Target::Prefix(String::new()), Purge::Hard),
        ] {
            let text = encode_message(0xabc, &target, purge);
            assert_eq!(decode_message(&text), Some((0xabc, target, purge)));
        }
        assert_eq!(decode_message("v2 0 h k x"), None);
        assert_eq!(decode_message("v1 zz h k x"), None);
        assert_eq!(decode_message("v1 1 x k x"), None);
    }
}
