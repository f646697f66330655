//! Each algorithm against a brute-force reference model that recomputes every decision
//! from the full list of admitted requests, plus the guarantees that must hold for any
//! arrival sequence, including ones whose clock goes backwards.

use std::time::Duration;

use perfkit_limit::{Algorithm, FixedWindow, Gcra, Quota, SlidingWindow};
use proptest::prelude::*;

/// Runs `algorithm` over `(time, cost)` arrivals for one key; returns the decisions'
/// `allowed` flags and the state before each arrival.
fn run(algorithm: &impl Algorithm, arrivals: &[(u64, u32)]) -> (Vec<bool>, Vec<u64>) {
    let mut state = 0;
    let mut allowed = Vec::new();
    let mut states = Vec::new();
    for &(now, cost) in arrivals {
        states.push(state);
        let (next, decision) = algorithm.decide(state, now, cost);
        assert_eq!(next.is_some(), decision.allowed);
        if let Some(next) = next {
            state = next;
        }
        allowed.push(decision.allowed);
    }
    (allowed, states)
}

fn monotone(arrivals: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    let mut now = 0;
    arrivals
        .into_iter()
        .map(|(step, cost)| {
            now += step;
            (now, cost)
        })
        .collect()
}

fn arrivals(max_step: u64, max_cost: u32) -> impl Strategy<Value = Vec<(u64, u32)>> {
    prop::collection::vec((0..=max_step, 1..=max_cost), 1..120)
}

fn gcra(interval: u64, burst: u64) -> Gcra {
    Gcra::new(Quota::per(1, Duration::from_nanos(interval)).with_burst(burst)).unwrap()
}

/// Replays `arrivals` through a reference model: `admits(admitted, t, c)` decides
/// from the full list of earlier admitted `(time, cost)` pairs.
fn reference(
    arrivals: &[(u64, u32)],
    admits: impl Fn(&[(u64, u64)], u64, u64) -> bool,
) -> Vec<bool> {
    let mut admitted: Vec<(u64, u64)> = Vec::new();
    arrivals
        .iter()
        .map(|&(t, c)| {
            let ok = admits(&admitted, t, u64::from(c));
            if ok {
                admitted.push((t, u64::from(c)));
            }
            ok
        })
        .collect()
}

/// The cost admitted in window `index`.
fn in_window(admitted: &[(u64, u64)], window: u64, index: u64) -> u64 {
    admitted
        .iter()
        .filter(|&&(s, _)| s / window == index)
        .map(|&(_, cost)| cost)
        .sum()
}

/// GCRA by its definition as a conformance test: a request of cost `c` at `t` is
/// admitted iff for every earlier admitted request at `s`, the cost admitted since
/// `s` (inclusive) plus `c` is at most `burst + floor((t - s) / interval)`.
fn gcra_reference(interval: u64, burst: u64, arrivals: &[(u64, u32)]) -> Vec<bool> {
    reference(arrivals, |admitted, t, c| {
        c <= burst
            && (0..admitted.len()).all(|i| {
                let since: u64 = admitted[i..].iter().map(|&(_, cost)| cost).sum();
                since + c <= burst + (t - admitted[i].0) / interval
            })
    })
}

/// Fixed windows by definition: the cost admitted in the request's window plus its own
/// stays within the limit.
fn fixed_reference(limit: u64, window: u64, arrivals: &[(u64, u32)]) -> Vec<bool> {
    reference(arrivals, |admitted, t, c| {
        in_window(admitted, window, t / window) + c <= limit
    })
}

/// The sliding-window counter by definition, from the admitted list.
fn sliding_reference(limit: u64, window: u64, arrivals: &[(u64, u32)]) -> Vec<bool> {
    reference(arrivals, |admitted, t, c| {
        let index = t / window;
        let cur = in_window(admitted, window, index);
        let prev = if index > 0 {
            in_window(admitted, window, index - 1)
        } else {
            0
        };
        let elapsed = t % window;
        cur + c <= limit
            && u128::from(prev) * u128::from(window - elapsed)
                <= u128::from(limit - cur - c) * u128::from(window)
    })
}

fn admitted_cost(arrivals: &[(u64, u32)], allowed: &[bool]) -> u64 {
    arrivals
        .iter()
        .zip(allowed)
        .filter(|(_, &ok)| ok)
        .map(|(&(_, c), _)| u64::from(c))
        .sum()
}

/// After every rejection with a `retry_after`, the same request made that much later
/// from the same state is admitted; and an admission stays an admission later on.
fn check_retry_and_waiting(algorithm: &impl Algorithm, arrivals: &[(u64, u32)], later: u64) {
    let (_, states) = run(algorithm, arrivals);
    for (&(now, cost), &state) in arrivals.iter().zip(&states) {
        let (_, decision) = algorithm.decide(state, now, cost);
        if let Some(retry) = decision.retry_after {
            assert!(!decision.allowed);
            let at = now + retry.as_nanos() as u64;
            let (_, retried) = algorithm.decide(state, at, cost);
            assert!(
                retried.allowed,
                "state {state:#x}: rejected at {now} with retry after {retry:?}, still rejected at {at}"
            );
        }
        if decision.allowed {
            let (_, waited) = algorithm.decide(state, now + later, cost);
            assert!(
                waited.allowed,
                "admitted at {now} but not at {}",
                now + later
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn gcra_matches_its_reference(
        interval in 1u64..50, burst in 1u64..6, steps in arrivals(120, 4),
    ) {
        let arrivals = monotone(steps);
        let (allowed, _) = run(&gcra(interval, burst), &arrivals);
        prop_assert_eq!(allowed, gcra_reference(interval, burst, &arrivals));
    }

    #[test]
    fn gcra_never_admits_more_than_burst_plus_elapsed_intervals(
        interval in 1u64..50, burst in 1u64..6, times in arrivals(2_000, 3),
    ) {
        // Arbitrary timestamps: time jumps backwards as often as forwards.
        let (allowed, _) = run(&gcra(interval, burst), &times);
        let earliest = times.iter().map(|a| a.0).min().unwrap();
        let latest = times.iter().map(|a| a.0).max().unwrap();
        prop_assert!(admitted_cost(&times, &allowed) <= burst + (latest - earliest) / interval);
    }

    #[test]
    fn gcra_retry_after_is_honoured(
        interval in 1u64..50, burst in 1u64..6, steps in arrivals(120, 6), later in 0u64..500,
    ) {
        check_retry_and_waiting(&gcra(interval, burst), &monotone(steps), later);
    }

    #[test]
    fn fixed_window_matches_its_reference(
        limit in 1u64..8, window in 1u64..200, steps in arrivals(60, 3),
    ) {
        let arrivals = monotone(steps);
        let algorithm = FixedWindow::new(limit, Duration::from_nanos(window)).unwrap();
        let (allowed, _) = run(&algorithm, &arrivals);
        prop_assert_eq!(allowed, fixed_reference(limit, window, &arrivals));
    }

    #[test]
    fn sliding_window_matches_its_reference(
        limit in 1u64..8, window in 1u64..200, steps in arrivals(60, 3),
    ) {
        let arrivals = monotone(steps);
        let algorithm = SlidingWindow::new(limit, Duration::from_nanos(window)).unwrap();
        let (allowed, _) = run(&algorithm, &arrivals);
        prop_assert_eq!(allowed, sliding_reference(limit, window, &arrivals));
    }

    #[test]
    fn windows_never_admit_more_than_limit_per_window_spanned(
        limit in 1u64..8, window in 1u64..200, times in arrivals(3_000, 3), sliding: bool,
    ) {
        let spanned = |times: &[(u64, u32)]| {
            let first = times.iter().map(|a| a.0).min().unwrap() / window;
            let last = times.iter().map(|a| a.0).max().unwrap() / window;
            last - first + 1
        };
        let allowed = if sliding {
            run(&SlidingWindow::new(limit, Duration::from_nanos(window)).unwrap(), &times).0
        } else {
            run(&FixedWindow::new(limit, Duration::from_nanos(window)).unwrap(), &times).0
        };
        prop_assert!(admitted_cost(&times, &allowed) <= limit * spanned(&times));
    }

    #[test]
    fn window_retry_after_is_honoured(
        limit in 1u64..8, window in 1u64..200, steps in arrivals(60, 9), later in 0u64..500,
    ) {
        let arrivals = monotone(steps);
        check_retry_and_waiting(&FixedWindow::new(limit, Duration::from_nanos(window)).unwrap(), &arrivals, later);
        check_retry_and_waiting(&SlidingWindow::new(limit, Duration::from_nanos(window)).unwrap(), &arrivals, later);
    }
}

#[test]
fn a_backwards_clock_counts_against_the_window_already_used() {
    let window = Duration::from_secs(1);
    let fixed = FixedWindow::new(2, window).unwrap();
    let sliding = SlidingWindow::new(2, window).unwrap();
    for algorithm in [&fixed as &dyn Algorithm, &sliding] {
        let second = 5_000_000_000;
        let (s1, _) = algorithm.decide(0, second + 10, 1);
        let (s2, _) = algorithm.decide(s1.unwrap(), second + 20, 1);
        // One window earlier: must not look like a fresh window.
        let (none, back) = algorithm.decide(s2.unwrap(), second - 500_000_000, 1);
        assert!(none.is_none() && !back.allowed);
        assert!(back.retry_after.unwrap() >= Duration::from_millis(500));
    }
}

#[test]
fn gcra_decisions_report_quota_remaining_and_reset() {
    // 100 per hour: one every 36 s, all 100 at once.
    let algorithm = Gcra::new(Quota::per_hour(100)).unwrap();
    let (state, first) = algorithm.decide(0, 1_000, 1);
    assert!(first.allowed);
    assert_eq!((first.limit, first.remaining), (100, 99));
    assert_eq!(first.window, Duration::from_secs(3600));
    assert_eq!(first.reset_after, Duration::from_secs(36));
    let (_, big) = algorithm.decide(state.unwrap(), 1_000, 100);
    assert!(!big.allowed);
    assert_eq!(big.retry_after, Some(Duration::from_secs(36)));
    let (_, impossible) = algorithm.decide(0, 1_000, 101);
    assert!(!impossible.allowed && impossible.retry_after.is_none());
}

#[test]
fn quotas_that_cannot_work_are_refused_with_a_reason() {
    assert!(Gcra::new(Quota::per_second(0)).is_err());
    assert!(Gcra::new(Quota::per(2_000_000_000, Duration::from_secs(1))).is_err());
    assert!(Gcra::new(Quota::per_second(1).with_burst(0)).is_err());
    assert!(Gcra::new(Quota::per(1, Duration::from_secs(3600)).with_burst(u64::MAX)).is_err());
    let err = SlidingWindow::new(SlidingWindow::MAX_LIMIT + 1, Duration::from_secs(1)).unwrap_err();
    assert!(err.to_string().contains("at most 1048575"), "{err}");
}
