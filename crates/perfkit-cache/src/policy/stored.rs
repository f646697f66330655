//! What the policy derives from a stored response's own fields, worked out once per
//! entry instead of on every hit: its response directives, freshness lifetime and
//! corrected initial age (RFC 9111 §4.2.1, §4.2.3), and the head sent with it.
//!
//! The values are those of [`response_directives`], [`freshness_lifetime`],
//! [`current_age`] and [`served_headers`] for the same inputs: only entries the cache
//! shares (immutable behind an `Arc`) keep them, and each kept value records the
//! configuration it was computed with, so another route's settings (or a reload's)
//! compute afresh.

use std::borrow::Cow;
use std::time::SystemTime;

use http::header::{HeaderMap, HeaderName, HeaderValue, AGE};

use super::directives::{CacheControl, DELTA_SECONDS_MAX};
use super::freshness::{current_age, freshness_lifetime, seconds_between, Lifetime};
use super::{response_directives, served_headers, Heuristic, PolicyConfig};
use crate::entry::Entry;

/// `Cache-Status` (RFC 9211): every served head carries a slot for it, so the
/// caller's insert replaces a value instead of growing the map.
const CACHE_STATUS: HeaderName = HeaderName::from_static("cache-status");

/// The configuration inputs of the freshness functions: the targeted fields obeyed
/// (they choose the directives) and the heuristic. Every input they read from
/// [`PolicyConfig`] belongs here.
#[derive(Debug, Clone, PartialEq)]
struct Inputs {
    targeted_fields: Vec<HeaderName>,
    heuristic: Option<Heuristic>,
}

impl Inputs {
    fn matches(&self, config: &PolicyConfig) -> bool {
        self.heuristic == config.heuristic && self.targeted_fields == config.targeted_fields
    }

    fn of(config: &PolicyConfig) -> Inputs {
        Inputs {
            targeted_fields: config.targeted_fields.clone(),
            heuristic: config.heuristic,
        }
    }
}

/// A stored response's directives, lifetime and age at reception.
#[derive(Debug, Clone)]
pub struct StoredFreshness {
    inputs: Inputs,
    /// The response directives this cache obeys.
    pub cc: CacheControl,
    pub lifetime: Lifetime,
    /// `current_age` at `response_time` (RFC 9111 §4.2.3 `corrected_initial_age`).
    initial_age: u64,
    response_time: SystemTime,
}

impl StoredFreshness {
    fn compute(stored: &Entry, config: &PolicyConfig) -> StoredFreshness {
        let cc = response_directives(&stored.headers, config);
        let lifetime = freshness_lifetime(
            stored.status,
            &stored.headers,
            &cc,
            stored.response_time,
            config,
        );
        let initial_age = current_age(
            &stored.headers,
            stored.request_time,
            stored.response_time,
            stored.response_time,
        );
        StoredFreshness {
            inputs: Inputs::of(config),
            cc,
            lifetime,
            initial_age,
            response_time: stored.response_time,
        }
    }

    /// `current_age` at `now`: the initial age plus the time resident in the cache.
    pub fn age_at(&self, now: SystemTime) -> u64 {
        self.initial_age
            .saturating_add(seconds_between(self.response_time, now))
            .min(DELTA_SECONDS_MAX)
    }
}

/// The stored response's freshness inputs under `config`: kept with a shared entry
/// after the first call, computed for every call otherwise.
pub fn stored_freshness<'e>(stored: &'e Entry, config: &PolicyConfig) -> Cow<'e, StoredFreshness> {
    if !stored.memo.sealed {
        return Cow::Owned(StoredFreshness::compute(stored, config));
    }
    let kept = stored
        .memo
        .freshness
        .get_or_init(|| StoredFreshness::compute(stored, config));
    if kept.inputs.matches(config) {
        Cow::Borrowed(kept)
    } else {
        Cow::Owned(StoredFreshness::compute(stored, config))
    }
}

/// The head sent with a stored response, ready to copy: [`served_headers`] plus an
/// empty `Cache-Status` slot.
#[derive(Debug)]
pub struct ServedHead {
    targeted_fields: Vec<HeaderName>,
    headers: HeaderMap,
}

impl ServedHead {
    fn compute(stored: &Entry, config: &PolicyConfig) -> ServedHead {
        let mut headers = served_headers(&stored.headers, 0, config);
        headers.insert(CACHE_STATUS, HeaderValue::from_static(""));
        ServedHead {
            targeted_fields: config.targeted_fields.clone(),
            headers,
        }
    }
}

/// The headers to send with the stored response `stored`: what [`served_headers`]
/// gives (`Age` set to `age`, targeted fields removed) plus an empty `Cache-Status`
/// that the caller must set. For a shared entry this copies a head built by the
/// first hit (reference-counted values, no parsing, and no growth for `Age` or
/// `Cache-Status`).
pub fn served_response_headers(stored: &Entry, age: u64, config: &PolicyConfig) -> HeaderMap {
    let mut headers = if stored.memo.sealed {
        let kept = stored
            .memo
            .served
            .get_or_init(|| ServedHead::compute(stored, config));
        if kept.targeted_fields == config.targeted_fields {
            kept.headers.clone()
        } else {
            ServedHead::compute(stored, config).headers
        }
    } else {
        ServedHead::compute(stored, config).headers
    };
    headers.insert(AGE, HeaderValue::from(age));
    headers
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use bytes::Bytes;
    use http::StatusCode;

    use super::*;
    use crate::policy::{evaluate_reuse, header_map, Reuse};

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    /// Fresh for 100 s under `Cache-Control`, for 10 s under `CDN-Cache-Control`,
    /// already 5 s old when received 2 s after it was sent.
    fn entry() -> Entry {
        let headers = header_map(&[
            ("cache-control", "max-age=100"),
            ("cdn-cache-control", "max-age=10"),
            ("date", "Tue, 14 Nov 2023 22:13:20 GMT"),
            ("age", "5"),
            ("etag", "\"v1\""),
        ]);
        Entry::response(
            StatusCode::OK,
            headers,
            Bytes::from_static(b"x"),
            t(0),
            t(2),
        )
    }

    fn targeted() -> PolicyConfig {
        PolicyConfig {
            targeted_fields: vec![HeaderName::from_static("cdn-cache-control")],
            ..PolicyConfig::default()
        }
    }

    #[test]
    fn a_shared_entry_keeps_what_it_derived_and_agrees_with_an_owned_one() {
        let owned = entry();
        let shared = entry().seal();
        let plain = PolicyConfig::default();
        for now in [t(2), t(30), t(97), t(98), t(500)] {
            for config in [&plain, &targeted()] {
                assert_eq!(
                    evaluate_reuse(&HeaderMap::new(), &shared, now, config),
                    evaluate_reuse(&HeaderMap::new(), &owned, now, config),
                );
            }
        }
        // Age: initial (Age 5 + 2 s delay) plus time resident.
        let decision = evaluate_reuse(&HeaderMap::new(), &shared, t(12), &plain);
        assert_eq!((decision.age, decision.ttl), (17, 83));
        assert!(shared.memo.freshness.get().is_some());
        assert!(
            owned.memo.freshness.get().is_none(),
            "an owned entry can still change"
        );
    }

    #[test]
    fn other_settings_do_not_reuse_what_was_derived_under_the_first() {
        let shared = entry().seal();
        let plain = PolicyConfig::default();
        let at = t(20);
        let first = evaluate_reuse(&HeaderMap::new(), &shared, at, &plain);
        assert_eq!(first.reuse, Reuse::Fresh);
        // CDN-Cache-Control (10 s) now governs: 25 s old is stale.
        let second = evaluate_reuse(&HeaderMap::new(), &shared, at, &targeted());
        assert_eq!(second.reuse, Reuse::Revalidate);
        assert_eq!(second.ttl, 10 - 25);
        assert_eq!(
            evaluate_reuse(&HeaderMap::new(), &shared, at, &plain),
            first
        );
    }

    #[test]
    fn served_head_is_served_headers_with_a_cache_status_slot() {
        for stored in [entry(), entry().seal()] {
            for config in [PolicyConfig::default(), targeted(), PolicyConfig::default()] {
                for age in [0, 7, 12_345] {
                    let mut expected = served_headers(&stored.headers, age, &config);
                    expected.insert(CACHE_STATUS, HeaderValue::from_static(""));
                    assert_eq!(served_response_headers(&stored, age, &config), expected);
                }
            }
        }
    }
}
