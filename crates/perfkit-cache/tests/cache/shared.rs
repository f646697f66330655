//! Two cache instances sharing one real `redis-server`: L2 hits fill L1,
//! invalidations reach the other instance's L1, and a Redis outage is a miss, never
//! an error, followed by a conservative L1 purge and a replay of queued invalidations.

use std::time::Duration;

use perfkit_cache::{Cache, CacheConfig, L2Config, L2Status, Layer, Purge, Target};
use perfkit_testkit::RedisServer;

const WAIT: Duration = Duration::from_secs(10);

async fn instance(redis: &RedisServer, l1: Option<u64>) -> Cache {
    let cache = Cache::new(CacheConfig {
        l1_max_bytes: l1,
        l2: Some(L2Config::new(redis.url())),
        ..CacheConfig::default()
    })
    .unwrap();
    assert!(cache.wait_l2_up(WAIT).await, "the cache connects to redis");
    cache
}

fn value(body: &'static str) -> perfkit_cache::Entry {
    perfkit_cache::Entry::value(body).with_ttl(Duration::from_secs(300))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_stored_by_one_instance_is_an_l2_hit_for_the_other() {
    let redis = RedisServer::start().unwrap();
    let a = instance(&redis, Some(1 << 20)).await;
    let b = instance(&redis, Some(1 << 20)).await;
    a.set("page", value("shared").with_tags(["pages"]))
        .await
        .unwrap();
    let first = b.get("page").await.unwrap();
    assert_eq!(
        (first.entry.body.as_ref(), first.layer),
        (&b"shared"[..], Layer::L2)
    );
    let second = b.get("page").await.unwrap();
    assert_eq!(second.layer, Layer::L1, "the L2 hit filled L1");
    let remaining = second.entry.expires_at.unwrap();
    assert_eq!(remaining, first.entry.expires_at.unwrap());
    assert_eq!(b.stats().patterns[0].hits_l2, 1);

    // L1 disabled: L2 alone still serves.
    let l2_only = instance(&redis, None).await;
    assert_eq!(l2_only.get("page").await.unwrap().layer, Layer::L2);
    assert_eq!(l2_only.get("page").await.unwrap().layer, Layer::L2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalidations_reach_every_instance() {
    let redis = RedisServer::start().unwrap();
    let a = instance(&redis, Some(1 << 20)).await;
    let b = instance(&redis, Some(1 << 20)).await;
    for key in ["user:1", "user:2", "post:1"] {
        let tags = if key.starts_with("user") {
            vec!["users"]
        } else {
            vec!["posts"]
        };
        a.set(key, value("v").with_tags(tags)).await.unwrap();
        assert!(b.get(key).await.is_some());
    }
    assert_eq!(b.stats().l1_entries, 3);

    // Soft purge by tag through A: B's L1 copies are marked stale, and so is L2's.
    let soft = a.invalidate(Target::Tag("users".into()), Purge::Soft).await;
    assert_eq!(soft.l2, Some(2));
    assert!(b.wait_for_link(WAIT, |s| s.broadcasts_received >= 1).await);
    assert!(b.get_l1("user:1").unwrap().is_marked_stale());
    assert!(!b.get_l1("post:1").unwrap().is_marked_stale());
    let fresh_reader = instance(&redis, Some(1 << 20)).await;
    assert!(fresh_reader
        .get("user:2")
        .await
        .unwrap()
        .entry
        .is_marked_stale());

    // Hard purge by prefix through B: gone from A's L1 and from L2.
    let hard = b
        .invalidate(Target::Prefix("user:".into()), Purge::Hard)
        .await;
    assert_eq!(hard.l2, Some(2));
    assert!(a.wait_for_link(WAIT, |s| s.broadcasts_received >= 1).await);
    assert!(a.get_l1("user:1").is_none() && a.get_l1("user:2").is_none());
    assert!(a.get_l1("post:1").is_some());
    assert!(
        fresh_reader
            .wait_for_link(WAIT, |s| s.broadcasts_received >= 1)
            .await
    );
    assert!(fresh_reader.get_l1("user:2").is_none());
    assert!(
        fresh_reader.get("user:1").await.is_none(),
        "gone from L2 too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_is_a_miss_then_l1_is_purged_and_invalidations_replayed() {
    let mut redis = RedisServer::start().unwrap();
    let a = instance(&redis, Some(1 << 20)).await;
    let b = instance(&redis, Some(1 << 20)).await;
    a.set("hot", value("h")).await.unwrap();
    a.set("doomed", value("d")).await.unwrap();
    assert!(b.get("hot").await.is_some() && b.get("doomed").await.is_some());

    redis.stop();
    assert!(a.wait_l2_down(WAIT).await && b.wait_l2_down(WAIT).await);
    assert_eq!(a.l2_status(), L2Status::Down);
    // Reads keep coming from L1; misses are misses, not errors, and do not wait.
    let started = std::time::Instant::now();
    for _ in 0..100 {
        assert_eq!(a.get("hot").await.unwrap().layer, Layer::L1);
        assert!(a.get("absent").await.is_none());
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    // A write lands in L1 and says L2 missed it; an invalidation is queued.
    assert!(a.set("during", value("x")).await.is_err());
    assert!(a.get_l1("during").is_some());
    let queued = a
        .invalidate(Target::Key("doomed".into()), Purge::Hard)
        .await;
    assert_eq!(queued.l2, None);
    assert_eq!(a.stats().pending_invalidations, 1);

    // Redis returns (empty, as after a failover). Both instances reconnect alone,
    // purge their L1 (they may have missed broadcasts) and A replays its queue.
    redis.restart().unwrap();
    assert!(a.wait_l2_up(WAIT).await && b.wait_l2_up(WAIT).await);
    assert!(b.wait_for_link(WAIT, |s| s.reconnect_purges >= 1).await);
    assert!(
        a.wait_for_link(WAIT, |s| s.reconnect_purges >= 1
            && s.pending_invalidations == 0)
            .await
    );
    assert!(b.get_l1("hot").is_none(), "B's L1 was flushed on reconnect");
    assert!(b.get("doomed").await.is_none());

    // L2 is used again without a restart.
    a.set("after", value("y")).await.unwrap();
    assert_eq!(b.get("after").await.unwrap().layer, Layer::L2);
    assert!(a.stats().l2_errors >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_unreachable_at_start_is_not_an_error() {
    let mut redis = RedisServer::start().unwrap();
    let url = redis.url();
    redis.stop();
    let cache = Cache::new(CacheConfig {
        l2: Some(L2Config::new(url)),
        ..CacheConfig::default()
    })
    .unwrap();
    assert_eq!(cache.l2_status(), L2Status::Down);
    cache.set_l1("k", value("v"));
    assert_eq!(cache.get("k").await.unwrap().layer, Layer::L1);
    assert!(cache.get("absent").await.is_none());
    redis.restart().unwrap();
    assert!(cache.wait_l2_up(WAIT).await);
    cache.set("k2", value("v")).await.unwrap();
}

#[test]
fn an_l2_cache_needs_a_runtime_for_its_redis_link() {
    let err = Cache::new(CacheConfig {
        l2: Some(L2Config::new("redis://127.0.0.1:1")),
        ..CacheConfig::default()
    })
    .unwrap_err();
    assert!(matches!(err, perfkit_cache::CacheError::NoRuntime), "{err}");
    let bad_url = tokio::runtime::Runtime::new().unwrap().block_on(async {
        Cache::new(CacheConfig {
            l2: Some(L2Config::new("not a url")),
            ..CacheConfig::default()
        })
        .unwrap_err()
    });
    assert!(
        matches!(bad_url, perfkit_cache::CacheError::L2(_)),
        "{bad_url}"
    );
}
