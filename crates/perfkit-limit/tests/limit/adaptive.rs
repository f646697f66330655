//! The concurrency and adaptive limiters. The adaptive one is driven by a simulated
//! upstream (virtual time, no sleeping) whose latency rises with concurrency past a
//! knee.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use perfkit_limit::{
    AdaptiveConfig, AdaptiveLimiter, ConcurrencyLimiter, ManualClock, Outcome, Priority,
};

#[test]
fn concurrency_limiter_caps_permits_and_releases_on_drop() {
    let limiter = ConcurrencyLimiter::new(2);
    let a = limiter.try_acquire().unwrap();
    let b = limiter.try_acquire().unwrap();
    assert!(limiter.try_acquire().is_none());
    assert_eq!((limiter.in_flight(), limiter.remaining()), (2, 0));
    drop(a);
    let c = limiter.try_acquire().unwrap();
    drop((b, c));
    assert_eq!(limiter.in_flight(), 0);
}

#[test]
fn concurrency_limiter_holds_under_threads() {
    let limiter = ConcurrencyLimiter::new(3);
    let peak = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..6 {
            scope.spawn(|| {
                for _ in 0..20_000 {
                    if let Some(permit) = limiter.try_acquire() {
                        peak.fetch_max(limiter.in_flight(), std::sync::atomic::Ordering::Relaxed);
                        drop(permit);
                    }
                }
            });
        }
    });
    assert!(peak.into_inner() <= 3);
    assert_eq!(limiter.in_flight(), 0);
}

/// Latency of a request that starts with `in_flight` requests at the upstream: flat
/// up to the knee, then growing linearly (requests queue).
fn upstream_latency(in_flight: u64, knee: u64) -> Duration {
    let base = Duration::from_millis(10);
    if in_flight <= knee {
        base
    } else {
        base * in_flight as u32 / knee as u32
    }
}

struct Run {
    limits: Vec<u64>,
    latencies: Vec<Duration>,
    shed: u64,
}

/// `clients` closed-loop clients for `seconds` of virtual time; a shed client retries
/// after 5 ms. Samples the limit every 100 ms.
fn simulate(
    limiter: &AdaptiveLimiter<ManualClock>,
    clients: usize,
    knee: u64,
    seconds: u64,
) -> Run {
    let mut events: BinaryHeap<Reverse<(u64, usize)>> =
        (0..clients).map(|c| Reverse((c as u64, c))).collect();
    let mut permits: Vec<Option<(perfkit_limit::AdaptivePermit<ManualClock>, Duration)>> =
        (0..clients).map(|_| None).collect();
    let mut run = Run {
        limits: Vec::new(),
        latencies: Vec::new(),
        shed: 0,
    };
    let end = seconds * 1_000_000_000;
    let mut next_sample = 0;
    while let Some(Reverse((now, client))) = events.pop() {
        if now > end {
            break;
        }
        while next_sample <= now {
            run.limits.push(limiter.limit());
            next_sample += 100_000_000;
        }
        if let Some((permit, latency)) = permits[client].take() {
            permit.record(latency, Outcome::Success);
            run.latencies.push(latency);
            events.push(Reverse((now, client)));
            continue;
        }
        match limiter.try_acquire(Priority::Normal) {
            Some(permit) => {
                let latency = upstream_latency(limiter.in_flight(), knee);
                permits[client] = Some((permit, latency));
                events.push(Reverse((now + latency.as_nanos() as u64, client)));
            }
            None => {
                run.shed += 1;
                events.push(Reverse((now + 5_000_000, client)));
            }
        }
    }
    run
}

fn p99(latencies: &mut [Duration]) -> Duration {
    latencies.sort();
    latencies[latencies.len() * 99 / 100]
}

#[test]
fn adaptive_limit_converges_near_the_knee_and_bounds_latency() {
    let knee = 40;
    let limiter =
        AdaptiveLimiter::with_clock(AdaptiveConfig::default(), ManualClock::new(0)).unwrap();
    let mut run = simulate(&limiter, 200, knee, 20);
    let settled = &run.limits[run.limits.len() / 2..];
    let mean = settled.iter().sum::<u64>() as f64 / settled.len() as f64;
    assert!(
        (knee as f64 * 0.75..=knee as f64 * 2.0).contains(&mean),
        "settled limit {mean} far from the knee {knee}: {settled:?}"
    );
    // Without a limit 200 clients would see 200/40 × 10 ms = 50 ms.
    let tail = run.latencies.len() / 2;
    let p99 = p99(&mut run.latencies[tail..]);
    assert!(p99 <= Duration::from_millis(25), "p99 {p99:?}");
    assert!(run.shed > 0);
}

#[test]
fn adaptive_limit_falls_from_its_maximum_within_the_documented_windows() {
    let knee = 10;
    let config = AdaptiveConfig {
        initial_limit: 1000,
        ..AdaptiveConfig::default()
    };
    let limiter = AdaptiveLimiter::with_clock(config, ManualClock::new(0)).unwrap();
    // Warm the baseline at low concurrency.
    for _ in 0..config.window_samples {
        limiter
            .try_acquire(Priority::Normal)
            .unwrap()
            .record(Duration::from_millis(10), Outcome::Success);
    }
    // The documented bound: ceil(ln(1000 / 20) / -ln(1 - smoothing / 4)) windows.
    let bound = ((1000.0f64 / 20.0).ln() / -(1.0 - config.smoothing / 4.0).ln()).ceil() as u32;
    assert_eq!(bound, 77);
    let mut windows = 0;
    while limiter.limit() > 2 * knee {
        let held: Vec<_> = (0..500)
            .filter_map(|_| limiter.try_acquire(Priority::Critical))
            .collect();
        for permit in held.into_iter().take(config.window_samples as usize) {
            permit.record(Duration::from_millis(100), Outcome::Success);
        }
        windows += 1;
        assert!(
            windows <= bound,
            "limit still {} after {windows} windows",
            limiter.limit()
        );
    }
}

#[test]
fn dropped_requests_shrink_the_limit() {
    let limiter =
        AdaptiveLimiter::with_clock(AdaptiveConfig::default(), ManualClock::new(0)).unwrap();
    let before = limiter.limit();
    for _ in 0..20 {
        limiter
            .try_acquire(Priority::Normal)
            .unwrap()
            .record(Duration::from_millis(1), Outcome::Dropped);
    }
    assert!(limiter.limit() < before);
}

#[test]
fn a_lasting_slowdown_re_anchors_the_baseline() {
    let config = AdaptiveConfig::default();
    let limiter = AdaptiveLimiter::with_clock(config, ManualClock::new(0)).unwrap();
    let window = |latency_ms| {
        let held: Vec<_> = (0..20)
            .filter_map(|_| limiter.try_acquire(Priority::Critical))
            .collect();
        let n = held.len();
        for permit in held {
            permit.record(Duration::from_millis(latency_ms), Outcome::Success);
        }
        // Fill the window when the limit is below 20.
        for _ in n..20 {
            limiter
                .try_acquire(Priority::Critical)
                .unwrap()
                .record(Duration::from_millis(latency_ms), Outcome::Success);
        }
    };
    window(10);
    // The upstream is now five times slower whatever the load.
    for _ in 0..200 {
        window(50);
    }
    assert!(limiter.limit() >= 10, "limit stuck at {}", limiter.limit());
}

#[test]
fn critical_requests_get_the_reserved_share() {
    let config = AdaptiveConfig {
        initial_limit: 10,
        ..AdaptiveConfig::default()
    };
    let limiter = AdaptiveLimiter::with_clock(config, ManualClock::new(0)).unwrap();
    let normal: Vec<_> = (0..20)
        .filter_map(|_| limiter.try_acquire(Priority::Normal))
        .collect();
    assert_eq!(normal.len(), 9);
    let critical = limiter.try_acquire(Priority::Critical).unwrap();
    assert!(limiter.try_acquire(Priority::Critical).is_none());
    drop((normal, critical));
    assert_eq!(limiter.in_flight(), 0);
}

#[test]
fn low_priority_requests_are_shed_before_ordinary_ones() {
    let config = AdaptiveConfig {
        initial_limit: 20,
        low_share: 0.5,
        ..AdaptiveConfig::default()
    };
    let limiter = AdaptiveLimiter::with_clock(config, ManualClock::new(0)).unwrap();
    // normal cap = 20 - 2 = 18; low cap = floor(18 * 0.5) = 9
    assert_eq!(limiter.cap(Priority::Low), 9);
    let low: Vec<_> = (0..20)
        .filter_map(|_| limiter.try_acquire(Priority::Low))
        .collect();
    assert_eq!(low.len(), 9);
    let normal: Vec<_> = (0..20)
        .filter_map(|_| limiter.try_acquire(Priority::Normal))
        .collect();
    assert_eq!(
        normal.len(),
        9,
        "ordinary requests still fit up to their cap"
    );
    assert!(limiter.try_acquire(Priority::Low).is_none());
    let critical: Vec<_> = (0..20)
        .filter_map(|_| limiter.try_acquire(Priority::Critical))
        .collect();
    assert_eq!(critical.len(), 2);
    drop((low, normal, critical));
    assert_eq!(limiter.in_flight(), 0);
    let bad = AdaptiveConfig {
        low_share: 0.0,
        ..AdaptiveConfig::default()
    };
    assert!(AdaptiveLimiter::with_clock(bad, ManualClock::new(0)).is_err());
}

#[test]
fn invalid_adaptive_configs_are_refused() {
    let bad = AdaptiveConfig {
        min_limit: 0,
        ..AdaptiveConfig::default()
    };
    assert!(AdaptiveLimiter::with_clock(bad, ManualClock::new(0)).is_err());
    let bad = AdaptiveConfig {
        smoothing: 0.0,
        ..AdaptiveConfig::default()
    };
    assert!(AdaptiveLimiter::with_clock(bad, ManualClock::new(0)).is_err());
}
