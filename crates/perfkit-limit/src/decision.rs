//! The answer to "may this request go ahead?", with everything a response needs to
//! tell the client (`RateLimit`, `RateLimit-Policy`, `Retry-After`).

use std::time::Duration;

/// One limiter's decision about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The request may go ahead (its cost has been counted).
    pub allowed: bool,
    /// The quota: how many units the policy grants per [`Decision::window`].
    pub limit: u64,
    /// The window the quota is granted over.
    pub window: Duration,
    /// Units that could still be taken right now, after this decision.
    pub remaining: u64,
    /// Time until the quota is whole again (nothing counted against it).
    pub reset_after: Duration,
    /// When rejected: the wait after which this same request would be admitted if
    /// nothing else were taken meanwhile. `None` when allowed, or when the request's
    /// cost exceeds what the policy can ever grant at once.
    pub retry_after: Option<Duration>,
}

impl Decision {
    /// [`Decision::retry_after`] in whole seconds, rounded up, for `Retry-After`.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after.map(ceil_secs)
    }

    /// [`Decision::reset_after`] in whole seconds, rounded up, for `RateLimit`'s `t`.
    pub fn reset_secs(&self) -> u64 {
        ceil_secs(self.reset_after)
    }

    /// [`Decision::window`] in whole seconds, rounded up (at least 1), for
    /// `RateLimit-Policy`'s `w`.
    pub fn window_secs(&self) -> u64 {
        ceil_secs(self.window).max(1)
    }

    /// Of several decisions that all apply to one request, the one to report: a
    /// rejection before an admission, then the fewest remaining units, then the
    /// longest wait.
    pub fn tightest(self, other: Decision) -> Decision {
        let rank = |d: &Decision| {
            (
                d.allowed,
                d.remaining,
                std::cmp::Reverse(d.retry_after.unwrap_or(Duration::ZERO)),
            )
        };
        if rank(&other) < rank(&self) {
            other
        } else {
            self
        }
    }
}

/// Whole seconds, rounded up.
pub fn ceil_secs(duration: Duration) -> u64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs + 1
    } else {
        secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(allowed: bool, remaining: u64, retry_secs: Option<u64>) -> Decision {
        Decision {
            allowed,
            limit: 10,
            window: Duration::from_secs(60),
            remaining,
            reset_after: Duration::from_secs(1),
            retry_after: retry_secs.map(Duration::from_secs),
        }
    }

    #[test]
    fn the_tightest_decision_is_a_rejection_then_fewest_remaining_then_longest_wait() {
        let roomy = decision(true, 9, None);
        let tight = decision(true, 1, None);
        let short_wait = decision(false, 0, Some(2));
        let long_wait = decision(false, 0, Some(30));
        assert_eq!(roomy.tightest(tight), tight);
        assert_eq!(tight.tightest(roomy), tight);
        assert_eq!(tight.tightest(short_wait), short_wait);
        assert_eq!(short_wait.tightest(long_wait), long_wait);
        assert_eq!(long_wait.tightest(short_wait), long_wait);
    }

    #[test]
    fn seconds_round_up() {
        assert_eq!(ceil_secs(Duration::from_millis(1)), 1);
        assert_eq!(ceil_secs(Duration::from_secs(3)), 3);
        assert_eq!(ceil_secs(Duration::ZERO), 0);
        assert_eq!(decision(true, 0, None).window_secs(), 60);
    }
}
