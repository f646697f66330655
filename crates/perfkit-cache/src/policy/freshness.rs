//! Freshness lifetime (RFC 9111 §4.2.1, §4.2.2) and age (§4.2.3).

use std::time::SystemTime;

use http::header::{HeaderMap, HeaderName, AGE, DATE, EXPIRES, LAST_MODIFIED};
use http::StatusCode;

use super::directives::{CacheControl, DELTA_SECONDS_MAX};
use super::PolicyConfig;

/// Statuses cacheable by default (RFC 9110 §15.1): heuristics may apply to them.
pub fn heuristically_cacheable(status: StatusCode) -> bool {
    matches!(
        status.as_u16(),
        200 | 203 | 204 | 206 | 300 | 301 | 308 | 404 | 405 | 410 | 414 | 501
    )
}

/// Statuses whose semantics this cache understands (for `must-understand`, §5.2.2.3).
pub fn understood(status: StatusCode) -> bool {
    matches!(
        status.as_u16(),
        200 | 203 | 204 | 300 | 301 | 302 | 303 | 307 | 308 | 404 | 405 | 410 | 414 | 501
    )
}

/// An HTTP-date in any of the three formats a recipient must accept (RFC 9110
/// §5.6.7); `None` when unparseable.
pub fn parse_http_date(value: &[u8]) -> Option<SystemTime> {
    super::http_date::parse(std::str::from_utf8(value).ok()?)
}

/// Formats `time` as an IMF-fixdate.
pub fn format_http_date(time: SystemTime) -> String {
    httpdate::fmt_http_date(time)
}

/// The first line of a date field, parsed.
pub fn header_date(headers: &HeaderMap, name: &HeaderName) -> Option<SystemTime> {
    headers
        .get(name)
        .and_then(|v| parse_http_date(v.as_bytes()))
}

/// The `Date` of a stored response, or when it was received if it had none (RFC 9110
/// §6.6.1: a recipient with a clock assigns one).
pub fn date_value(headers: &HeaderMap, response_time: SystemTime) -> SystemTime {
    header_date(headers, &DATE).unwrap_or(response_time)
}

/// How long a response is fresh and whether that came from a heuristic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub seconds: u64,
    pub heuristic: bool,
}

/// RFC 9111 §4.2.1 for a shared cache: `s-maxage`, else `max-age`, else `Expires`
/// minus `Date` (an invalid or duplicated `Expires` means already stale), else a
/// heuristic (§4.2.2) when enabled, allowed for the status and `Last-Modified` is
/// present; otherwise 0.
pub fn freshness_lifetime(
    status: StatusCode,
    headers: &HeaderMap,
    cc: &CacheControl,
    response_time: SystemTime,
    config: &PolicyConfig,
) -> Lifetime {
    let explicit = |seconds| Lifetime {
        seconds,
        heuristic: false,
    };
    if let Some(s) = cc.s_maxage.get() {
        return explicit(s);
    }
    if let Some(s) = cc.max_age.get() {
        return explicit(s);
    }
    let mut expires = headers.get_all(EXPIRES).iter();
    if let Some(first) = expires.next() {
        if expires.any(|other| other != first) {
            return explicit(0);
        }
        let Some(at) = parse_http_date(first.as_bytes()) else {
            return explicit(0);
        };
        let date = date_value(headers, response_time);
        return explicit(seconds_between(date, at));
    }
    if let Some(heuristic) = &config.heuristic {
        if heuristically_cacheable(status) || cc.public {
            if let Some(modified) = header_date(headers, &LAST_MODIFIED) {
                let date = date_value(headers, response_time);
                let age = seconds_between(modified, date);
                let seconds = ((age as f64) * heuristic.fraction) as u64;
                return Lifetime {
                    seconds: seconds.min(heuristic.max.as_secs()),
                    heuristic: true,
                };
            }
        }
    }
    explicit(0)
}

/// `later - earlier` in whole seconds, 0 when negative.
pub fn seconds_between(earlier: SystemTime, later: SystemTime) -> u64 {
    later.duration_since(earlier).map_or(0, |d| d.as_secs())
}

/// The `Age` field's value (first line; invalid reads as absent, huge saturates).
pub fn age_value(headers: &HeaderMap) -> u64 {
    let Some(value) = headers.get(AGE) else {
        return 0;
    };
    let text = value.to_str().unwrap_or("").trim();
    // A list (`Age: 10, 20`) keeps its first member.
    let first = text.split(',').next().unwrap_or("").trim();
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    first
        .parse::<u64>()
        .map_or(DELTA_SECONDS_MAX, |v| v.min(DELTA_SECONDS_MAX))
}

/// RFC 9111 §4.2.3 `current_age`, in seconds, for a response received at
/// `response_time` for a request sent at `request_time`.
pub fn current_age(
    headers: &HeaderMap,
    request_time: SystemTime,
    response_time: SystemTime,
    now: SystemTime,
) -> u64 {
    let date = date_value(headers, response_time);
    let apparent_age = seconds_between(date, response_time);
    let response_delay = seconds_between(request_time, response_time);
    let corrected_age_value = age_value(headers).saturating_add(response_delay);
    let corrected_initial_age = apparent_age.max(corrected_age_value);
    let resident_time = seconds_between(response_time, now);
    corrected_initial_age
        .saturating_add(resident_time)
        .min(DELTA_SECONDS_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn unix_seconds(time: SystemTime) -> u64 {
        time.duration_since(UNIX_EPOCH).unwrap().as_secs()
    }
    use crate::policy::Heuristic;
    use http::HeaderValue;

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn lifetime(h: &HeaderMap, config: &PolicyConfig) -> Lifetime {
        let cc = CacheControl::from_headers(h, &http::header::CACHE_CONTROL).unwrap_or_default();
        freshness_lifetime(StatusCode::OK, h, &cc, t(0), config)
    }

    #[test]
    fn precedence_s_maxage_max_age_expires() {
        let config = PolicyConfig::default();
        let date = format_http_date(t(0));
        let expires = format_http_date(t(100));
        let h = headers(&[
            ("cache-control", "max-age=50, s-maxage=20".into()),
            ("date", date.clone()),
            ("expires", expires.clone()),
        ]);
        assert_eq!(lifetime(&h, &config).seconds, 20);
        let h = headers(&[
            ("cache-control", "max-age=50".into()),
            ("expires", expires.clone()),
        ]);
        assert_eq!(lifetime(&h, &config).seconds, 50);
        let h = headers(&[("date", date.clone()), ("expires", expires)]);
        assert_eq!(lifetime(&h, &config).seconds, 100);
        let h = headers(&[("date", date), ("expires", "0".into())]);
        assert_eq!(lifetime(&h, &config).seconds, 0);
    }

    #[test]
    fn heuristic_only_when_enabled_with_last_modified() {
        let date = format_http_date(t(1000));
        let modified = format_http_date(t(0));
        let h = headers(&[("date", date), ("last-modified", modified)]);
        assert_eq!(lifetime(&h, &PolicyConfig::default()).seconds, 0);
        let config = PolicyConfig {
            heuristic: Some(Heuristic::default()),
            ..PolicyConfig::default()
        };
        assert_eq!(
            lifetime(&h, &config),
            Lifetime {
                seconds: 100,
                heuristic: true
            }
        );
        let cc = CacheControl::default();
        let not_by_default = freshness_lifetime(StatusCode::FOUND, &h, &cc, t(0), &config);
        assert_eq!(not_by_default.seconds, 0);
    }

    #[test]
    fn age_calculation() {
        // Sent at 0, received at 2, Date says 1, Age says 10: corrected 12; +5 resident.
        let h = headers(&[("date", format_http_date(t(1))), ("age", "10".into())]);
        assert_eq!(current_age(&h, t(0), t(2), t(7)), 17);
        // Apparent age dominates when Date is far behind.
        let h = headers(&[("date", format_http_date(t(0)))]);
        assert_eq!(current_age(&h, t(49), t(50), t(50)), 50);
        let h = headers(&[("age", "junk".into())]);
        assert_eq!(current_age(&h, t(0), t(0), t(3)), 3);
    }

    #[test]
    fn three_date_formats() {
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                unix_seconds(parse_http_date(text.as_bytes()).unwrap()),
                784111777,
                "{text}"
            );
        }
    }
}
