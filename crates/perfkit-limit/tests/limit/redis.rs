//! The Redis stores against real `redis-server` processes: exact and leased modes
//! under concurrent instances, a three-master cluster, and Redis killed under load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use perfkit_limit::{
    connect, connect_cluster, FailPolicy, Key, LeasedLimiter, Quota, RedisLimiter, Resilient,
    Source, Store,
};
use perfkit_testkit::{RedisCluster, RedisServer};

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn evalsha_calls(node: &RedisServer) -> u64 {
    let stats = node.command(&["INFO", "commandstats"]).unwrap();
    stats
        .lines()
        .find_map(|line| line.strip_prefix("cmdstat_evalsha:calls="))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |calls| calls.parse().unwrap())
}

#[test]
fn exact_mode_admits_the_burst_then_honours_retry_after() {
    let redis = RedisServer::start().unwrap();
    let redis_key = runtime().block_on(async {
        let conn = connect(&redis.url()).await.unwrap();
        // 10 per 10 s: one every second, bursts of 10.
        let limiter =
            RedisLimiter::new(conn, "exact", Quota::per(10, Duration::from_secs(10))).unwrap();
        let key = Key::from_bytes(b"client");
        for remaining in (0..10).rev() {
            let decision = limiter.check(key, 1).await.unwrap();
            assert!(decision.allowed);
            assert!(decision.remaining >= remaining, "{decision:?}");
        }
        let rejected = limiter.check(key, 1).await.unwrap();
        assert!(!rejected.allowed);
        let retry = rejected.retry_after.unwrap();
        assert!(
            retry > Duration::ZERO && retry <= Duration::from_secs(1),
            "{retry:?}"
        );
        assert_eq!(
            (rejected.limit, rejected.window),
            (10, Duration::from_secs(10))
        );
        // Waiting what Redis promised is enough (the wait is the behaviour under test).
        tokio::time::sleep(retry).await;
        assert!(limiter.check(key, 1).await.unwrap().allowed);
        // Another key is untouched; an impossible cost never gets a retry time.
        assert!(
            limiter
                .check(Key::from_bytes(b"other"), 10)
                .await
                .unwrap()
                .allowed
        );
        let impossible = limiter.check(key, 11).await.unwrap();
        assert!(!impossible.allowed && impossible.retry_after.is_none());
        limiter.redis_key(key)
    });
    // The key is hash-tagged and expires when its bucket would be full again.
    assert!(redis_key.starts_with("perfkit:limit:{exact:") && redis_key.ends_with('}'));
    let ttl: i64 = redis
        .command(&["PTTL", &redis_key])
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10_001).contains(&ttl), "TTL {ttl} ms");
}

/// `instances` limiters (each with its own connection) hammer one key from `tasks`
/// tasks each for `run`; returns (admitted, decisions, µs from the start to the last
/// admitted reply: every admitting script ran inside that span).
async fn hammer<S: Store + 'static>(
    limiters: Vec<Arc<S>>,
    tasks: usize,
    run: Duration,
) -> (u64, u64, u64) {
    let admitted = Arc::new(AtomicU64::new(0));
    let decisions = Arc::new(AtomicU64::new(0));
    let last_admitted = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut handles = Vec::new();
    for limiter in &limiters {
        for _ in 0..tasks {
            let (limiter, admitted, decisions, last_admitted) = (
                limiter.clone(),
                admitted.clone(),
                decisions.clone(),
                last_admitted.clone(),
            );
            handles.push(tokio::spawn(async move {
                while start.elapsed() < run {
                    if limiter
                        .check(Key::from_bytes(b"hot"), 1)
                        .await
                        .unwrap()
                        .allowed
                    {
                        admitted.fetch_add(1, Ordering::Relaxed);
                        last_admitted
                            .fetch_max(start.elapsed().as_micros() as u64, Ordering::Relaxed);
                    }
                    decisions.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
    }
    for handle in handles {
        handle.await.unwrap();
    }
    (
        admitted.load(Ordering::Relaxed),
        decisions.load(Ordering::Relaxed),
        last_admitted.load(Ordering::Relaxed),
    )
}

// 10 per second (one every 100 ms), bursts of 20: the bound is tight to within one
// token, the time between our clock readings and Redis' first and last script runs.
fn quota() -> Quota {
    Quota::per_second(10).with_burst(20)
}

#[test]
fn instances_in_exact_mode_never_admit_more_than_the_bound() {
    let redis = RedisServer::start().unwrap();
    runtime().block_on(async {
        let mut limiters = Vec::new();
        for _ in 0..4 {
            let conn = connect(&redis.url()).await.unwrap();
            limiters.push(Arc::new(RedisLimiter::new(conn, "exact", quota()).unwrap()));
        }
        let (admitted, decisions, elapsed_us) =
            hammer(limiters, 8, Duration::from_millis(1000)).await;
        // Redis' own clock runs inside our measured interval.
        let bound = 20 + elapsed_us / 100_000;
        assert!(admitted <= bound, "admitted {admitted} > {bound}");
        assert!(admitted >= 20, "admitted only {admitted}");
        assert!(
            decisions > admitted * 2,
            "the key was not contended: {decisions} decisions"
        );
    });
}

#[test]
fn instances_in_leased_mode_stay_within_the_documented_overshoot() {
    let redis = RedisServer::start().unwrap();
    let batch = 8;
    let instances = 4;
    // 20 per second (one every 50 ms), bursts of 40.
    let quota = Quota::per_second(20).with_burst(40);
    let (admitted, decisions, elapsed_us, overshoot) = runtime().block_on(async {
        let mut limiters = Vec::new();
        for _ in 0..instances {
            let conn = connect(&redis.url()).await.unwrap();
            let remote = RedisLimiter::new(conn, "leased", quota).unwrap();
            limiters.push(Arc::new(
                LeasedLimiter::new(remote, batch, Duration::from_secs(10), 1024).unwrap(),
            ));
        }
        // The worst case: every instance holds batch - 1 unspent tokens while Redis'
        // bucket fills up again (32 tokens × 50 ms), then everyone hammers the key.
        for limiter in &limiters {
            assert!(
                limiter
                    .check(Key::from_bytes(b"hot"), 1)
                    .await
                    .unwrap()
                    .allowed
            );
        }
        tokio::time::sleep(Duration::from_millis(1_700)).await;
        let overshoot = limiters[0].overshoot(instances);
        let (admitted, decisions, elapsed) = hammer(limiters, 8, Duration::from_millis(1000)).await;
        (admitted, decisions, elapsed, overshoot)
    });
    assert_eq!(overshoot, instances * (batch - 1));
    let bound = 40 + elapsed_us / 50_000 + overshoot;
    assert!(admitted <= bound, "admitted {admitted} > {bound}");
    // The held tokens were spent: more than the exact mode could have admitted.
    assert!(
        admitted > 40 + elapsed_us / 50_000,
        "admitted only {admitted}"
    );
    // Most decisions never reached Redis.
    let round_trips = evalsha_calls(&redis);
    assert!(
        round_trips * 4 < decisions,
        "{round_trips} round trips for {decisions} decisions"
    );
}

#[test]
fn leased_mode_takes_batches_and_spends_them_locally() {
    let redis = RedisServer::start().unwrap();
    runtime().block_on(async {
        let conn = connect(&redis.url()).await.unwrap();
        let remote = RedisLimiter::new(conn, "batch", Quota::per_hour(100)).unwrap();
        let limiter = LeasedLimiter::new(remote, 10, Duration::from_secs(60), 1024).unwrap();
        let key = Key::from_bytes(b"k");
        let mut allowed = 0;
        for _ in 0..150 {
            allowed += u64::from(limiter.check(key, 1).await.unwrap().allowed);
        }
        assert_eq!(allowed, 100);
        // 10 batches of 10 and one refusal, then local refusals until the retry time;
        // plus the first EVALSHA, answered NOSCRIPT before the script was loaded.
        assert_eq!(evalsha_calls(&redis), 12);
        let rejected = limiter.check(key, 1).await.unwrap();
        assert!(!rejected.allowed);
        let retry = rejected.retry_after.unwrap();
        assert!(
            retry > Duration::from_secs(30) && retry <= Duration::from_secs(36),
            "{retry:?}"
        );
    });
}

#[test]
fn leases_in_memory_stay_bounded() {
    let redis = RedisServer::start().unwrap();
    runtime().block_on(async {
        let conn = connect(&redis.url()).await.unwrap();
        let remote = RedisLimiter::new(conn, "bounded", Quota::per_hour(100)).unwrap();
        // 32 keys at most: 2 per shard.
        let limiter = LeasedLimiter::new(remote, 10, Duration::from_secs(60), 32).unwrap();
        for client in 0..500 {
            assert!(
                limiter
                    .check(Key::from_u64(client), 1)
                    .await
                    .unwrap()
                    .allowed
            );
            assert!(limiter.leases() <= 32, "{} leases", limiter.leases());
        }
    });
}

#[test]
fn limits_hold_on_a_three_master_cluster() {
    let cluster = RedisCluster::start().unwrap();
    runtime().block_on(async {
        let conn = connect_cluster(&cluster.urls()).await.unwrap();
        let limiter = RedisLimiter::new(conn, "cluster", Quota::per_hour(3)).unwrap();
        for client in 0..60u64 {
            let key = Key::from_u64(client);
            let mut allowed = 0;
            for _ in 0..5 {
                // Any CROSSSLOT or MOVED failure would surface as an error here.
                allowed += u64::from(limiter.check(key, 1).await.unwrap().allowed);
            }
            assert_eq!(allowed, 3, "client {client}");
        }
    });
    // The keys spread over all three masters.
    for node in cluster.nodes() {
        let keys: u64 = node.command(&["DBSIZE"]).unwrap().parse().unwrap();
        assert!(keys > 0, "a master holds no limit keys");
    }
}

/// Polls until `check` answers from the store again (Redis back), at most 20 s.
async fn until_store_answers<S: Store>(
    resilient: &Resilient<S>,
    key: Key,
) -> perfkit_limit::Checked {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let checked = resilient.check(key, 1).await;
        if checked.source == Source::Store || Instant::now() > deadline {
            return checked;
        }
        // The connection manager reconnects in the background; ask again shortly.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn redis_killed_under_load_fails_open_to_a_scaled_local_limit_or_closed() {
    let mut redis = RedisServer::start().unwrap();
    let rt = runtime();
    let (open, closed) = rt.block_on(async {
        let conn = connect(&redis.url()).await.unwrap();
        // 400 per hour globally, 4 instances: 100 each when on their own.
        let quota = Quota::per_hour(400);
        let open = Resilient::new(
            RedisLimiter::new(conn.clone(), "open", quota).unwrap(),
            quota,
            FailPolicy::Open { instances: 4 },
            1024,
        )
        .unwrap()
        .with_probe_interval(Duration::from_millis(100));
        let closed = Resilient::new(
            RedisLimiter::new(conn, "closed", quota).unwrap(),
            quota,
            FailPolicy::Closed {
                retry_after: Duration::from_secs(5),
            },
            1024,
        )
        .unwrap()
        .with_probe_interval(Duration::from_millis(100));
        let key = Key::from_bytes(b"client");
        for resilient in [&open, &closed] {
            let checked = resilient.check(key, 1).await;
            assert_eq!(checked.source, Source::Store);
            assert!(checked.decision.allowed);
        }
        (open, closed)
    });
    redis.stop();
    rt.block_on(async {
        let key = Key::from_bytes(b"client");
        // Fail open: the local limiter grants 400 / 4 = 100 for this key, not more.
        let mut allowed = 0;
        for i in 0..150 {
            let checked = open.check(key, 1).await;
            assert_eq!(checked.source, Source::Fallback);
            // The first call found Redis gone; the next ones do not wait for it.
            assert_eq!(
                checked.error.is_some(),
                i == 0,
                "call {i}: {:?}",
                checked.error
            );
            // A quarter of the rate too: 100 per hour, bursts of 100.
            assert_eq!(checked.decision.limit, 100);
            assert_eq!(checked.decision.window, Duration::from_secs(3600));
            allowed += u64::from(checked.decision.allowed);
        }
        assert_eq!(allowed, 100);
        // Fail closed: everything rejected, with the configured retry time.
        for _ in 0..20 {
            let checked = closed.check(key, 1).await;
            assert_eq!(checked.source, Source::FailedClosed);
            assert!(!checked.decision.allowed);
            assert_eq!(checked.decision.retry_after, Some(Duration::from_secs(5)));
        }
        assert!(open.store_errors() >= 1 && closed.store_errors() >= 1);
    });
    // Redis comes back (empty): both limiters recover without being rebuilt.
    redis.restart().unwrap();
    rt.block_on(async {
        let key = Key::from_bytes(b"client");
        for resilient in [&open, &closed] {
            let checked = until_store_answers(resilient, key).await;
            assert_eq!(checked.source, Source::Store, "{:?}", checked.error);
            assert!(checked.decision.allowed);
        }
    });
}
