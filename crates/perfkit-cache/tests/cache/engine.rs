//! The library API over L1 alone: cache-aside, read-through with single-flight,
//! write-through, write-behind, refresh-ahead, tags and prefixes, jitter, statistics.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use perfkit_cache::{
    BackingStore, Cache, CacheConfig, Fill, FillError, Flight, FlightError, Purge, RefreshAhead,
    Source, Target, WriteBehind, WriteBehindConfig, WriteError,
};

pub fn l1_only() -> Cache {
    Cache::new(CacheConfig {
        stat_patterns: vec!["user:*".into()],
        ..CacheConfig::default()
    })
    .unwrap()
}

fn value(body: &'static str) -> perfkit_cache::Entry {
    perfkit_cache::Entry::value(body)
}

#[tokio::test]
async fn cache_aside_get_set_delete_and_stats_by_pattern() {
    let cache = l1_only();
    assert!(cache.get("user:1").await.is_none());
    cache.set("user:1", value("alice")).await.unwrap();
    let hit = cache.get("user:1").await.unwrap();
    assert_eq!(hit.entry.body, "alice");
    assert_eq!(hit.layer, perfkit_cache::Layer::L1);
    assert!(cache.get("order:9").await.is_none());
    let removed = cache.delete("user:1").await;
    assert_eq!(removed.l1, 1);
    assert_eq!(removed.l2, None);
    assert!(cache.get("user:1").await.is_none());

    let stats = cache.stats();
    assert_eq!(stats.patterns[0].pattern, "user:*");
    assert_eq!(stats.patterns[0].hits_l1, 1);
    assert_eq!(stats.patterns[0].misses, 2);
    assert_eq!(stats.patterns[0].stored, 1);
    assert_eq!(stats.patterns[1].pattern, "*");
    assert_eq!(stats.patterns[1].misses, 1);
    assert_eq!(stats.l2, perfkit_cache::L2Status::Disabled);
}

#[tokio::test]
async fn values_round_trip_through_serde() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct User {
        id: u32,
        name: String,
    }
    let cache = l1_only();
    let user = User {
        id: 7,
        name: "ann".into(),
    };
    cache
        .set_value("user:7", &user, Some(Duration::from_secs(60)), &["users"])
        .await
        .unwrap();
    assert_eq!(cache.get_value::<User>("user:7").await.unwrap(), Some(user));
    assert_eq!(cache.get_value::<User>("user:8").await.unwrap(), None);
    cache.set("user:9", value("not json")).await.unwrap();
    assert!(cache.get_value::<User>("user:9").await.is_err());
}

/// Waits (yielding, not sleeping) until `n` callers wait on `key`'s fill.
async fn until_waiting(cache: &Cache, key: &str, n: usize) {
    while cache.waiters(key) < n {
        tokio::task::yield_now().await;
    }
}

type FillerTask =
    tokio::task::JoinHandle<Result<(usize, perfkit_cache::Fetched), FillError<String>>>;

/// Spawns `n` concurrent `get_or_fill("k")` callers; each fill that runs counts
/// itself in `fills`, waits for `released`, then answers `answer(caller index)`.
fn spawn_gated_fillers(
    cache: &Cache,
    n: usize,
    fills: &Arc<AtomicUsize>,
    released: &tokio::sync::watch::Receiver<bool>,
    answer: fn(usize) -> Fill,
) -> Vec<FillerTask> {
    (0..n)
        .map(|i| {
            let cache = cache.clone();
            let fills = Arc::clone(fills);
            let mut released = released.clone();
            tokio::spawn(async move {
                cache
                    .get_or_fill("k", || async move {
                        fills.fetch_add(1, Ordering::SeqCst);
                        released.wait_for(|r| *r).await.unwrap();
                        Ok::<_, String>(answer(i))
                    })
                    .await
                    .map(|fetched| (i, fetched))
            })
        })
        .collect()
}

#[tokio::test]
async fn concurrent_misses_make_one_fill() {
    let cache = l1_only();
    let fills = Arc::new(AtomicUsize::new(0));
    let (release, released) = tokio::sync::watch::channel(false);
    let tasks = spawn_gated_fillers(&cache, 20, &fills, &released, |_| {
        Fill::Share(value("filled"))
    });
    until_waiting(&cache, "k", 19).await;
    release.send(true).unwrap();
    let mut sources = Vec::new();
    for task in tasks {
        let (_, fetched) = task.await.unwrap().unwrap();
        assert_eq!(fetched.entry.body, "filled");
        sources.push(fetched.source);
    }
    assert_eq!(fills.load(Ordering::SeqCst), 1);
    assert_eq!(sources.iter().filter(|s| **s == Source::Filled).count(), 1);
    assert_eq!(
        sources.iter().filter(|s| **s == Source::Coalesced).count(),
        19
    );
    let again = cache
        .get_or_fill("k", || async { Err::<Fill, _>("must not run") })
        .await
        .unwrap();
    assert_eq!(again.source, Source::L1);
}

type FillOutcome = Result<perfkit_cache::Fetched, FillError<String>>;

/// A leader whose fill fails (or panics, if `panic`) once a follower waits on it.
/// Returns the leader's and the follower's outcomes (the follower's wait bounded).
async fn leader_ending_badly(
    cache: &Cache,
    panic: bool,
) -> (
    Result<FillOutcome, tokio::task::JoinError>,
    Result<FillOutcome, tokio::task::JoinError>,
) {
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let (started, has_started) = tokio::sync::oneshot::channel::<()>();
    let leader = {
        let cache = cache.clone();
        tokio::spawn(async move {
            cache
                .get_or_fill("k", || async move {
                    started.send(()).unwrap();
                    released.await.unwrap();
                    assert!(!panic, "the fill panicked");
                    Err::<Fill, _>("origin down".to_owned())
                })
                .await
        })
    };
    has_started.await.unwrap();
    let follower = {
        let cache = cache.clone();
        tokio::spawn(async move {
            cache
                .get_or_fill("k", || async { Ok::<_, String>(Fill::Share(value("x"))) })
                .await
        })
    };
    until_waiting(cache, "k", 1).await;
    release.send(()).unwrap();
    let leader = leader.await;
    let follower = tokio::time::timeout(Duration::from_secs(10), follower)
        .await
        .expect("the waiter was never woken");
    (leader, follower)
}

#[tokio::test]
async fn a_failed_fill_reaches_every_waiter() {
    let cache = l1_only();
    let (leader, follower) = leader_ending_badly(&cache, false).await;
    assert!(matches!(leader.unwrap(), Err(FillError::Fill(e)) if e == "origin down"));
    assert!(matches!(
        follower.unwrap(),
        Err(FillError::Flight(FlightError::Failed(_)))
    ));
    assert!(
        cache.get("k").await.is_none(),
        "a failed fill stores nothing"
    );
    assert_eq!(cache.stats().patterns[1].fill_errors, 1);
}

#[tokio::test]
async fn a_panicking_fill_does_not_hang_waiters() {
    let cache = l1_only();
    let (leader, follower) = leader_ending_badly(&cache, true).await;
    assert!(leader.unwrap_err().is_panic());
    assert!(matches!(
        follower.unwrap(),
        Err(FillError::Flight(FlightError::Abandoned))
    ));
}

/// True if `join` made us leader (then dropped at once: harmless, no one waits).
fn leads(flight: Flight) -> bool {
    matches!(flight, Flight::Leader(_))
}

#[tokio::test]
async fn a_private_fill_sends_waiters_to_fetch_for_themselves() {
    let cache = l1_only();
    let fills = Arc::new(AtomicUsize::new(0));
    let (release, released) = tokio::sync::watch::channel(false);
    // Each caller's own private answer (think Set-Cookie).
    let tasks = spawn_gated_fillers(&cache, 5, &fills, &released, |i| {
        Fill::Private(perfkit_cache::Entry::value(format!("for {i}")))
    });
    until_waiting(&cache, "k", 4).await;
    release.send(true).unwrap();
    for task in tasks {
        let (i, fetched) = task.await.unwrap().unwrap();
        assert_eq!(fetched.source, Source::Private);
        assert_eq!(
            fetched.entry.body,
            format!("for {i}"),
            "never another caller's answer"
        );
    }
    assert_eq!(fills.load(Ordering::SeqCst), 5);
    assert!(
        cache.get("k").await.is_none(),
        "private answers are not stored"
    );
}

#[derive(Clone, Default)]
struct RecordingStore {
    batches: Arc<Mutex<Vec<Vec<String>>>>,
    refuse: Arc<std::sync::atomic::AtomicBool>,
    gate: Option<Arc<tokio::sync::Semaphore>>,
}

impl BackingStore for RecordingStore {
    async fn write_batch(&self, batch: Vec<(String, Bytes)>) -> Result<(), String> {
        if let Some(gate) = &self.gate {
            gate.acquire().await.unwrap().forget();
        }
        if self.refuse.load(Ordering::SeqCst) {
            return Err("database is read-only".into());
        }
        self.batches
            .lock()
            .unwrap()
            .push(batch.into_iter().map(|(k, _)| k).collect());
        Ok(())
    }
}

#[tokio::test]
async fn write_through_writes_the_store_then_the_cache() {
    let cache = l1_only();
    let store = RecordingStore::default();
    cache.write_through(&store, "a", value("1")).await.unwrap();
    assert_eq!(*store.batches.lock().unwrap(), vec![vec!["a".to_owned()]]);
    assert_eq!(cache.get("a").await.unwrap().entry.body, "1");

    store.refuse.store(true, Ordering::SeqCst);
    let err = cache
        .write_through(&store, "b", value("2"))
        .await
        .unwrap_err();
    assert!(matches!(err, WriteError::Store(_)), "{err}");
    assert!(
        cache.get("b").await.is_none(),
        "a refused write is not cached"
    );
}

#[tokio::test]
async fn write_behind_batches_flushes_on_shutdown_and_reports_failures() {
    let cache = l1_only();
    let store = RecordingStore::default();
    let writer = WriteBehind::new(
        cache.clone(),
        store.clone(),
        WriteBehindConfig {
            capacity: 100,
            max_batch: 3,
            max_delay: Duration::from_secs(30),
        },
    );
    for i in 0..7 {
        writer.write(&format!("k{i}"), value("v")).await.unwrap();
    }
    // Cached at once, before the store has everything.
    assert!(cache.get("k6").await.is_some());
    writer.shutdown().await.unwrap();
    let batches = store.batches.lock().unwrap().clone();
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![3, 3, 1]
    );
    assert_eq!(
        batches.concat(),
        (0..7).map(|i| format!("k{i}")).collect::<Vec<_>>()
    );

    // A refusing store: the failure and its writes come back, from flush and shutdown.
    store.refuse.store(true, Ordering::SeqCst);
    let writer = WriteBehind::new(cache.clone(), store.clone(), WriteBehindConfig::default());
    writer.write("lost?", value("v")).await.unwrap();
    match writer.flush().await.unwrap_err() {
        WriteError::Failed(failed) => {
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].writes[0].0, "lost?");
            assert_eq!(failed[0].error, "database is read-only");
        }
        other => panic!("unexpected {other}"),
    }
    writer.write("also", value("v")).await.unwrap();
    assert!(
        matches!(writer.shutdown().await, Err(WriteError::Failed(f)) if f[0].writes[0].0 == "also")
    );
}

#[tokio::test]
async fn write_behind_buffer_is_bounded() {
    let cache = l1_only();
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let store = RecordingStore {
        gate: Some(Arc::clone(&gate)),
        ..RecordingStore::default()
    };
    let writer = WriteBehind::new(
        cache,
        store.clone(),
        WriteBehindConfig {
            capacity: 2,
            max_batch: 1,
            max_delay: Duration::from_millis(1),
        },
    );
    // The flusher holds one write (blocked on the gate); the buffer holds two more.
    let mut accepted = 0;
    let full = loop {
        match writer.try_write(&format!("k{accepted}"), value("v")) {
            Ok(_) => accepted += 1,
            Err(err) => break err,
        }
        if accepted > 10 {
            panic!("the buffer is not bounded");
        }
        tokio::task::yield_now().await;
    };
    assert!(matches!(full, WriteError::Full(2)), "{full}");
    assert!((2..=3).contains(&accepted), "{accepted}");
    gate.add_permits(100);
    writer.shutdown().await.unwrap();
    assert_eq!(store.batches.lock().unwrap().concat().len(), accepted);
}

#[tokio::test]
async fn refresh_ahead_refreshes_a_hot_entry_in_the_background() {
    let cache = l1_only();
    let old = SystemTime::now() - Duration::from_secs(90);
    let entry = perfkit_cache::Entry::response(
        StatusCode::OK,
        HeaderMap::new(),
        Bytes::from_static(b"old"),
        old,
        old,
    )
    .with_ttl(Duration::from_secs(100));
    cache.set("k", entry).await.unwrap();
    let refreshes = Arc::new(AtomicUsize::new(0));
    let fill = {
        let refreshes = Arc::clone(&refreshes);
        move || {
            let refreshes = Arc::clone(&refreshes);
            async move {
                refreshes.fetch_add(1, Ordering::SeqCst);
                Ok::<_, String>(Fill::Share(value("new").with_ttl(Duration::from_secs(100))))
            }
        }
    };
    // 10 s of 100 s left is under a 20 % threshold: served old, refreshed behind.
    let policy = RefreshAhead { fraction: 0.2 };
    let first = cache
        .get_or_fill_refreshing("k", policy, fill.clone())
        .await
        .unwrap();
    assert_eq!(first.entry.body, "old");
    if let Flight::Follower(refresh) = cache.join("k") {
        refresh.wait().await.unwrap();
    }
    assert_eq!(cache.get("k").await.unwrap().entry.body, "new");
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    // A fresh entry (100 s left) is not refreshed.
    let second = cache
        .get_or_fill_refreshing("k", policy, fill)
        .await
        .unwrap();
    assert_eq!(second.entry.body, "new");
    assert!(leads(cache.join("k")), "no refresh started");
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn invalidation_by_key_tag_and_prefix_hard_and_soft() {
    let cache = l1_only();
    cache
        .set("user:1", value("a").with_tags(["user:1", "users"]))
        .await
        .unwrap();
    cache
        .set("user:2", value("b").with_tags(["user:2", "users"]))
        .await
        .unwrap();
    cache
        .set("post:1", value("c").with_tags(["posts"]))
        .await
        .unwrap();
    cache.set("post:2", value("d")).await.unwrap();

    let soft = cache
        .invalidate(Target::Tag("users".into()), Purge::Soft)
        .await;
    assert_eq!(soft.l1, 2);
    assert!(cache.get("user:1").await.unwrap().entry.is_marked_stale());
    assert!(!cache.get("post:1").await.unwrap().entry.is_marked_stale());

    assert_eq!(
        cache
            .invalidate(Target::Tag("user:2".into()), Purge::Hard)
            .await
            .l1,
        1
    );
    assert!(cache.get("user:2").await.is_none());
    assert!(cache.get("user:1").await.is_some());

    assert_eq!(
        cache
            .invalidate(Target::Prefix("post:".into()), Purge::Hard)
            .await
            .l1,
        2
    );
    assert!(cache.get("post:1").await.is_none() && cache.get("post:2").await.is_none());
    assert_eq!(
        cache
            .invalidate(Target::Key("user:1".into()), Purge::Soft)
            .await
            .l1,
        1
    );
    assert_eq!(
        cache
            .invalidate(Target::Prefix(String::new()), Purge::Hard)
            .await
            .l1,
        1
    );
    assert_eq!(cache.stats().l1_entries, 0);
}

#[tokio::test]
async fn ttl_jitter_shortens_keeping_times_within_the_fraction() {
    let cache = Cache::new(CacheConfig {
        ttl_jitter: 0.5,
        ..CacheConfig::default()
    })
    .unwrap();
    let ttl = Duration::from_secs(100);
    let mut lifetimes = Vec::new();
    for i in 0..50 {
        let entry = cache
            .set(&format!("k{i}"), value("v").with_ttl(ttl))
            .await
            .unwrap();
        lifetimes.push(
            entry
                .expires_at
                .unwrap()
                .duration_since(entry.response_time)
                .unwrap(),
        );
    }
    assert!(
        lifetimes.iter().all(|t| *t <= ttl && *t >= ttl / 2),
        "{lifetimes:?}"
    );
    lifetimes.sort();
    lifetimes.dedup();
    assert!(
        lifetimes.len() > 10,
        "jitter spreads expiries: {lifetimes:?}"
    );
    assert!(Cache::new(CacheConfig {
        ttl_jitter: 1.5,
        ..CacheConfig::default()
    })
    .is_err());
}
