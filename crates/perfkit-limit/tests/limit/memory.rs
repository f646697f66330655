//! The lock-free in-memory store: same decisions as the algorithm on a plain map,
//! bounded memory under millions of keys, and no over-admission under threads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use perfkit_limit::{Algorithm, Gcra, Key, ManualClock, MemoryLimiter, Quota, SlidingWindow};
use proptest::prelude::*;

fn gcra(interval: u64, burst: u64) -> Gcra {
    Gcra::new(Quota::per(1, Duration::from_nanos(interval)).with_burst(burst)).unwrap()
}

/// The algorithm over a `HashMap` of states: what the store must agree with.
fn model<A: Algorithm>(algorithm: &A, arrivals: &[(u8, u64, u32)]) -> Vec<bool> {
    let mut states: HashMap<u8, u64> = HashMap::new();
    arrivals
        .iter()
        .map(|&(key, now, cost)| {
            let state = states.entry(key).or_default();
            let (next, decision) = algorithm.decide(*state, now, cost);
            if let Some(next) = next {
                *state = next;
            }
            decision.allowed
        })
        .collect()
}

fn through_store<A: Algorithm + Clone>(
    algorithm: &A,
    capacity: usize,
    arrivals: &[(u8, u64, u32)],
) -> (Vec<bool>, u64) {
    let store = MemoryLimiter::with_clock(algorithm.clone(), capacity, ManualClock::new(0));
    let allowed = arrivals
        .iter()
        .map(|&(key, now, cost)| {
            store
                .check_at(Key::from_u64(u64::from(key)), cost, now)
                .allowed
        })
        .collect();
    (allowed, store.busy_evictions())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_store_decides_like_the_algorithm(
        interval in 1u64..40, burst in 1u64..5,
        steps in prop::collection::vec((0u8..40, 0u64..30, 1u32..3), 1..300),
    ) {
        let mut now = 0;
        let arrivals: Vec<_> = steps.into_iter().map(|(k, step, c)| { now += step; (k, now, c) }).collect();
        let algorithm = gcra(interval, burst);
        let (allowed, _) = through_store(&algorithm, 1024, &arrivals);
        prop_assert_eq!(allowed, model(&algorithm, &arrivals));
        let sliding = SlidingWindow::new(burst, Duration::from_nanos(interval * 4)).unwrap();
        prop_assert_eq!(through_store(&sliding, 1024, &arrivals).0, model(&sliding, &arrivals));
    }

    #[test]
    fn evicting_idle_keys_changes_no_decision(
        keys in 9u8..60, rounds in 1usize..6, burst in 1u64..4,
    ) {
        // One 8-key bucket, more keys than fit; each key is idle again when it comes
        // back (a whole interval passes per request), so evictions lose nothing.
        let algorithm = gcra(10, burst);
        let mut arrivals = Vec::new();
        let mut now = 0;
        for _ in 0..rounds {
            for key in 0..keys {
                now += 10;
                arrivals.push((key, now, 1));
                arrivals.push((key, now, 1));
            }
        }
        let (allowed, busy) = through_store(&algorithm, 8, &arrivals);
        prop_assert_eq!(busy, 0);
        prop_assert_eq!(allowed, model(&algorithm, &arrivals));
    }
}

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn ten_million_distinct_keys_stay_within_the_configured_bound() {
    const MAX_BYTES: usize = 16 << 20;
    // What the process may grow by besides the table: allocator and test harness.
    const OVERHEAD: usize = 8 << 20;
    let clock = ManualClock::new(1_000_000_000);
    let store = MemoryLimiter::with_max_bytes(
        Gcra::new(Quota::per_minute(10)).unwrap(),
        MAX_BYTES,
        clock.clone(),
    );
    assert!(store.memory_bytes() <= MAX_BYTES);
    assert_eq!(store.memory_bytes(), store.capacity() * 16);
    let before = resident_bytes();

    // An abuser spends its whole burst, then ten million distinct clients (think IPv6
    // addresses) each make one request at the same instant.
    let abuser = Key::from_bytes(b"2001:db8::bad");
    for _ in 0..10 {
        assert!(store.check(abuser).allowed);
    }
    assert!(!store.check(abuser).allowed);
    let threads = 2;
    std::thread::scope(|scope| {
        for t in 0..threads {
            let store = &store;
            scope.spawn(move || {
                for i in (t..10_000_000u64).step_by(threads as usize) {
                    store.check(Key::from_u64(i));
                }
            });
        }
    });
    let grown = resident_bytes().saturating_sub(before);
    assert!(
        grown <= MAX_BYTES + OVERHEAD,
        "resident memory grew by {grown} bytes, bound {MAX_BYTES} + {OVERHEAD}"
    );
    // The table was full of busy keys, so some had to go; the abuser, furthest from
    // idle, was not among them.
    assert!(store.busy_evictions() > 0);
    assert!(
        !store.check(abuser).allowed,
        "the abuser's spent quota was forgotten"
    );
    // Time moving on frees everyone.
    clock.advance(Duration::from_secs(60));
    assert!(store.check(abuser).allowed);
}

#[test]
fn threads_sharing_one_key_never_admit_more_than_the_burst() {
    let burst = 1_000;
    let clock = ManualClock::new(0);
    let store = Arc::new(MemoryLimiter::with_clock(
        Gcra::new(Quota::per_hour(burst)).unwrap(),
        64,
        clock.clone(),
    ));
    let admitted = Arc::new(AtomicU64::new(0));
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (store, admitted, barrier) = (store.clone(), admitted.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                for _ in 0..5_000 {
                    if store.check(Key::from_bytes(b"shared")).allowed {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                    // Other keys in the same table at the same time.
                    store.check(Key::from_u64(fastrand_u64()));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    // The clock did not move: exactly the burst, never more, never less.
    assert_eq!(admitted.load(Ordering::Relaxed), burst);
}

#[test]
fn threads_on_a_moving_clock_stay_within_burst_plus_elapsed_intervals() {
    let clock = perfkit_limit::SystemClock::new();
    let store = Arc::new(MemoryLimiter::with_clock(
        Gcra::new(Quota::per(10, Duration::from_millis(1)).with_burst(50)).unwrap(),
        64,
        clock.clone(),
    ));
    let start = perfkit_limit::Clock::now(&clock);
    let admitted = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (store, admitted) = (store.clone(), admitted.clone());
            std::thread::spawn(move || {
                for _ in 0..200_000 {
                    if store.check(Key::from_bytes(b"shared")).allowed {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let elapsed = perfkit_limit::Clock::now(&clock) - start;
    let bound = 50 + elapsed / 100_000;
    let admitted = admitted.load(Ordering::Relaxed);
    assert!(admitted <= bound, "admitted {admitted} > bound {bound}");
    assert!(admitted >= 50);
}

fn fastrand_u64() -> u64 {
    use std::cell::Cell;
    thread_local!(static STATE: Cell<u64> = const { Cell::new(0x2545_f491_4f6c_dd1d) });
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    })
}
