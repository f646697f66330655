//! Fixed and sliding windows on Redis, the lazily made connection (a limiter built
//! while Redis is down), and every Redis algorithm on a three-master cluster.

use std::sync::Arc;
use std::time::{Duration, Instant};

use perfkit_limit::{
    FailPolicy, Key, LazyConnection, Quota, RedisLimiter, RedisWindowLimiter, Resilient, Source,
    WindowKind,
};
use perfkit_testkit::{RedisCluster, RedisServer};

use crate::redis::runtime;

/// `callers` concurrent checks of one key; how many were admitted.
async fn admitted_by_concurrent_callers(
    limiter: &Arc<RedisWindowLimiter<LazyConnection>>,
    key: Key,
    callers: usize,
) -> usize {
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let limiter = Arc::clone(limiter);
            tokio::spawn(async move { limiter.check(key, 1).await.unwrap().allowed })
        })
        .collect();
    let mut admitted = 0;
    for task in tasks {
        admitted += usize::from(task.await.unwrap());
    }
    admitted
}

#[test]
fn redis_windows_admit_their_limit_and_say_when_to_retry() {
    let redis = RedisServer::start().unwrap();
    runtime().block_on(async {
        let conn = LazyConnection::server(&redis.url()).unwrap();
        for kind in [WindowKind::Fixed, WindowKind::Sliding] {
            let limiter = Arc::new(
                RedisWindowLimiter::new(conn.clone(), "win", kind, 10, Duration::from_secs(3600))
                    .unwrap(),
            );
            let key = Key::from_u64(kind as u64);
            // 64 concurrent callers on one key: exactly the limit gets through.
            assert_eq!(
                admitted_by_concurrent_callers(&limiter, key, 64).await,
                10,
                "{kind:?}"
            );
            let rejected = limiter.check(key, 1).await.unwrap();
            assert!(!rejected.allowed);
            assert_eq!((rejected.limit, rejected.remaining), (10, 0));
            let retry = rejected.retry_after.unwrap();
            assert!(
                retry > Duration::ZERO && retry <= Duration::from_secs(7200),
                "{retry:?}"
            );
            // More than the limit at once is never admitted.
            let huge = limiter.check(Key::from_u64(99), 11).await.unwrap();
            assert_eq!((huge.allowed, huge.retry_after), (false, None));
        }
    });
}

#[test]
fn a_fixed_window_admits_again_when_retry_after_says() {
    let redis = RedisServer::start().unwrap();
    runtime().block_on(async {
        let conn = LazyConnection::server(&redis.url()).unwrap();
        for kind in [WindowKind::Fixed, WindowKind::Sliding] {
            let limiter =
                RedisWindowLimiter::new(conn.clone(), "short", kind, 2, Duration::from_millis(300))
                    .unwrap();
            let key = Key::from_u64(7 + kind as u64);
            let mut retry = None;
            for _ in 0..3 {
                let decision = limiter.check(key, 1).await.unwrap();
                if !decision.allowed {
                    retry = decision.retry_after;
                    break;
                }
            }
            // Either the third request was rejected with a retry time, or the window
            // turned between requests; both are within the rules.
            if let Some(retry) = retry {
                assert!(retry <= Duration::from_millis(600), "{kind:?} {retry:?}");
                // Waiting for the promised time is the event awaited here.
                tokio::time::sleep(retry + Duration::from_millis(5)).await;
                assert!(limiter.check(key, 1).await.unwrap().allowed, "{kind:?}");
            }
        }
    });
}

#[test]
fn a_limiter_built_while_redis_is_down_connects_when_it_comes_up() {
    let mut redis = RedisServer::start().unwrap();
    let url = redis.url();
    redis.stop();
    runtime().block_on(async {
        let conn = LazyConnection::server(&url).unwrap();
        let quota = Quota::per_hour(5);
        let remote = RedisLimiter::new(conn.clone(), "lazy", quota).unwrap();
        let limiter = Resilient::new(
            remote,
            quota,
            FailPolicy::Closed {
                retry_after: Duration::from_secs(1),
            },
            1000,
        )
        .unwrap()
        .with_probe_interval(Duration::from_millis(50));
        let key = Key::from_u64(1);
        let down = limiter.check(key, 1).await;
        assert_eq!(down.source, Source::FailedClosed);
        assert!(down.error.is_some());
        assert!(!conn.is_connected());

        // The handle keeps the restarted server (its output) alive until the end.
        let restarted = tokio::task::spawn_blocking(move || {
            redis.restart().unwrap();
            redis
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let up = loop {
            let checked = limiter.check(key, 1).await;
            if checked.source == Source::Store || Instant::now() > deadline {
                break checked;
            }
            // Redis is starting in another thread; ask again shortly.
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(up.source, Source::Store, "{:?}", up.error);
        assert!(up.decision.allowed);
        assert!(conn.is_connected());
        drop(restarted.await.unwrap());
    });
}

#[test]
fn every_redis_algorithm_holds_on_a_three_master_cluster() {
    let cluster = RedisCluster::start().unwrap();
    runtime().block_on(async {
        let conn = LazyConnection::cluster(&cluster.urls()[..1]).unwrap();
        let gcra = RedisLimiter::new(conn.clone(), "c-gcra", Quota::per_hour(3)).unwrap();
        let windows = [WindowKind::Fixed, WindowKind::Sliding].map(|kind| {
            RedisWindowLimiter::new(conn.clone(), "c-win", kind, 3, Duration::from_secs(3600))
                .unwrap()
        });
        for client in 0..60u64 {
            let mut allowed = [0; 3];
            for _ in 0..5 {
                // A CROSSSLOT or unfollowed MOVED would surface as an error here.
                allowed[0] +=
                    u64::from(gcra.check(Key::from_u64(client), 1).await.unwrap().allowed);
                for (i, window) in windows.iter().enumerate() {
                    let key = Key::from_u64(client * 2 + i as u64);
                    allowed[i + 1] += u64::from(window.check(key, 1).await.unwrap().allowed);
                }
            }
            assert_eq!(allowed, [3, 3, 3], "client {client}");
        }
    });
    for node in cluster.nodes() {
        let keys: u64 = node.command(&["DBSIZE"]).unwrap().parse().unwrap();
        assert!(keys > 0, "a master holds no limit keys");
    }
}

#[test]
fn a_window_rule_failing_open_counts_its_share_in_a_local_window_of_the_same_kind() {
    let mut redis = RedisServer::start().unwrap();
    let rt = runtime();
    let window = Duration::from_secs(3600);
    let kinds = [WindowKind::Fixed, WindowKind::Sliding];
    let limiters = rt.block_on(async {
        let conn = LazyConnection::server(&redis.url()).unwrap();
        let mut limiters = Vec::new();
        for kind in kinds {
            let remote = RedisWindowLimiter::new(conn.clone(), "open", kind, 10, window).unwrap();
            let limiter = Resilient::new_window(
                remote,
                kind,
                10,
                window,
                FailPolicy::Open { instances: 2 },
                1000,
            )
            .unwrap();
            let up = limiter.check(Key::from_u64(99), 1).await;
            assert_eq!(up.source, Source::Store, "{kind:?}: {:?}", up.error);
            assert_eq!((up.decision.limit, up.decision.window), (10, window));
            limiters.push(limiter);
        }
        limiters
    });
    redis.stop();
    rt.block_on(async {
        for (kind, limiter) in kinds.iter().zip(&limiters) {
            let key = Key::from_u64(1);
            for i in 0..5 {
                let checked = limiter.check(key, 1).await;
                assert_eq!(checked.source, Source::Fallback, "{kind:?} request {i}");
                assert!(checked.decision.allowed, "{kind:?} request {i}");
                // Half of the window's quota, over the same window.
                assert_eq!(
                    (checked.decision.limit, checked.decision.window),
                    (5, window)
                );
                assert_eq!(checked.decision.remaining, 4 - i);
            }
            let over = limiter.check(key, 1).await;
            assert_eq!(over.source, Source::Fallback);
            assert!(!over.decision.allowed, "{kind:?}");
            // A window admits again when it ends (about an hour from now); a GCRA
            // fallback with the same share would after one interval (12 minutes).
            let retry = over.decision.retry_after.unwrap();
            assert!(retry > window / 2, "{kind:?}: retry after {retry:?}");
        }
    });
}
