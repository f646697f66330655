//! L1: the in-process layer, bounded by bytes, over quick_cache's S3-FIFO
//! (scan-resistant: one-hit keys pass through a small probationary queue and leave
//! without displacing the frequently used ones).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Lifecycle, Weighter};

use crate::entry::Entry;

/// Weighs an entry as key bytes + [`Entry::weight`].
#[derive(Debug, Clone, Copy, Default)]
pub struct EntryWeigher;

impl Weighter<Box<str>, Arc<Entry>> for EntryWeigher {
    fn weight(&self, key: &Box<str>, entry: &Arc<Entry>) -> u64 {
        key.len() as u64 + entry.weight()
    }
}

/// Counts entries evicted for space.
#[derive(Debug, Clone, Default)]
pub struct EvictionCounter(Arc<AtomicU64>);

impl Lifecycle<Box<str>, Arc<Entry>> for EvictionCounter {
    type RequestState = ();

    fn begin_request(&self) -> Self::RequestState {}

    fn on_evict(&self, _state: &mut (), _key: Box<str>, _entry: Arc<Entry>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// The in-process layer.
#[derive(Debug)]
pub struct L1 {
    cache: Cache<Box<str>, Arc<Entry>, EntryWeigher, DefaultHashBuilder, EvictionCounter>,
    evictions: EvictionCounter,
    max_bytes: u64,
}

/// Assumed average entry weight, only used to size quick_cache's tables.
const TYPICAL_ENTRY: u64 = 4096;

impl L1 {
    /// An L1 holding at most `max_bytes` of weighed entries.
    pub fn new(max_bytes: u64) -> L1 {
        let evictions = EvictionCounter::default();
        let items = (max_bytes / TYPICAL_ENTRY).clamp(16, 1 << 24) as usize;
        let cache = Cache::with(
            items,
            max_bytes,
            EntryWeigher,
            DefaultHashBuilder::default(),
            evictions.clone(),
        );
        L1 {
            cache,
            evictions,
            max_bytes,
        }
    }

    /// The entry under `key`, if present and not past its keeping time. Allocation-free:
    /// clones the `Arc`.
    pub fn get(&self, key: &str, now: SystemTime) -> Option<Arc<Entry>> {
        let entry = self.cache.get(key)?;
        if entry.is_expired(now) {
            self.cache.remove(key);
            return None;
        }
        Some(entry)
    }

    /// Stores `entry` (replacing any previous one). Entries heavier than the whole
    /// budget are not admitted.
    pub fn insert(&self, key: &str, entry: Arc<Entry>) {
        self.cache.insert(key.into(), entry);
    }

    pub fn remove(&self, key: &str) -> bool {
        self.cache.remove(key).is_some()
    }

    /// Applies `action` to every entry `matches` selects; returns how many matched.
    pub fn purge_where(&self, matches: impl Fn(&str, &Entry) -> bool, soft: bool) -> usize {
        let mut count = 0;
        if soft {
            for (key, entry) in self.cache.iter() {
                if matches(&key, &entry) {
                    entry.mark_stale();
                    count += 1;
                }
            }
        } else {
            let removed = std::sync::atomic::AtomicUsize::new(0);
            self.cache.retain(|key, entry| {
                let hit = matches(key, entry);
                removed.fetch_add(usize::from(hit), Ordering::Relaxed);
                !hit
            });
            count = removed.into_inner();
        }
        count
    }

    /// Drops everything.
    pub fn clear(&self) {
        self.cache.clear();
    }

    /// Marks everything stale.
    pub fn mark_all_stale(&self) {
        for (_, entry) in self.cache.iter() {
            entry.mark_stale();
        }
    }

    /// Weighed bytes held now (never above [`L1::max_bytes`]).
    pub fn weight(&self) -> u64 {
        self.cache.weight()
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    pub fn len(&self) -> usize {
        self.cache.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }

    /// Entries evicted for space since start.
    pub fn evictions(&self) -> u64 {
        self.evictions.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bounded_by_weight_and_scan_resistant() {
        let l1 = L1::new(256 * 1024);
        let now = SystemTime::now();
        let hot: Vec<String> = (0..20).map(|i| format!("hot{i}")).collect();
        for key in &hot {
            l1.insert(key, Arc::new(Entry::value(vec![1u8; 1024])));
        }
        // Make them frequent, then scan many one-hit keys through.
        for _ in 0..3 {
            for key in &hot {
                assert!(l1.get(key, now).is_some());
            }
        }
        for i in 0..5_000 {
            l1.insert(&format!("scan{i}"), Arc::new(Entry::value(vec![2u8; 1024])));
            assert!(l1.weight() <= l1.max_bytes());
        }
        let survivors = hot.iter().filter(|k| l1.get(k, now).is_some()).count();
        assert!(
            survivors >= 18,
            "only {survivors}/20 hot keys survived a scan"
        );
        assert!(l1.evictions() > 4_000);
    }

    #[test]
    fn expired_entries_read_as_absent() {
        let l1 = L1::new(1 << 20);
        let entry = Entry::value("v").with_ttl(Duration::from_secs(10));
        let stored = entry.response_time;
        l1.insert("k", Arc::new(entry));
        assert!(l1.get("k", stored + Duration::from_secs(9)).is_some());
        assert!(l1.get("k", stored + Duration::from_secs(10)).is_none());
        assert!(l1.is_empty());
    }

    #[test]
    fn purges_by_predicate_hard_or_soft() {
        let l1 = L1::new(1 << 20);
        let now = SystemTime::now();
        l1.insert("a", Arc::new(Entry::value("1").with_tags(["t"])));
        l1.insert("b", Arc::new(Entry::value("2")));
        assert_eq!(l1.purge_where(|_, e| e.has_tag("t"), true), 1);
        assert!(l1.get("a", now).unwrap().is_marked_stale());
        assert!(!l1.get("b", now).unwrap().is_marked_stale());
        assert_eq!(l1.purge_where(|k, _| k.starts_with('a'), false), 1);
        assert!(l1.get("a", now).is_none());
        assert!(l1.get("b", now).is_some());
    }
}
