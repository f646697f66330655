//! Byte ranges served from a stored complete response (RFC 9110 §14). A cache may
//! ignore `Range` (§14.2), so anything this does not handle simply gets the full
//! response: other units, several ranges, invalid syntax. This cuts ranges from a
//! stored complete `200`; stored partial content (`206`, when configured) answers
//! only the ranges it holds (see `partial`).

use http::header::{HeaderMap, RANGE};
use http::{Method, StatusCode};

/// How a `Range` request is answered from a stored response of `length` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// No (usable) range: the full response.
    Full,
    /// `206` with bytes `start..=end`.
    Partial { start: u64, end: u64 },
    /// `416`: the range starts past the end.
    Unsatisfiable,
}

/// RFC 9110 §14.2: one `bytes` range of a `GET` for a stored `200` of `length` bytes.
pub fn byte_range(
    method: &Method,
    request: &HeaderMap,
    stored_status: StatusCode,
    length: u64,
) -> RangeAnswer {
    if method != Method::GET || stored_status != StatusCode::OK {
        return RangeAnswer::Full;
    }
    requested_range(request, length)
}

/// The request's one `bytes` range resolved against a representation of `length`
/// bytes, whatever the method.
pub(crate) fn requested_range(request: &HeaderMap, length: u64) -> RangeAnswer {
    let mut lines = request.get_all(RANGE).iter();
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return RangeAnswer::Full;
    };
    let Some(spec) = line.to_str().ok().and_then(single_bytes_range) else {
        return RangeAnswer::Full;
    };
    match spec {
        Spec::Suffix(0) => RangeAnswer::Unsatisfiable,
        Spec::Suffix(_) if length == 0 => RangeAnswer::Unsatisfiable,
        Spec::Suffix(n) => RangeAnswer::Partial {
            start: length - n.min(length),
            end: length - 1,
        },
        Spec::From(first, _) if first >= length => RangeAnswer::Unsatisfiable,
        Spec::From(first, last) => RangeAnswer::Partial {
            start: first,
            end: last.map_or(length - 1, |l| l.min(length - 1)),
        },
    }
}

enum Spec {
    /// `first-` or `first-last`.
    From(u64, Option<u64>),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

/// `bytes=first-last`, `bytes=first-` or `bytes=-n` (the unit case-insensitive);
/// `None` for anything else, including several ranges.
fn single_bytes_range(text: &str) -> Option<Spec> {
    let (unit, set) = text.trim().split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") || set.contains(',') {
        return None;
    }
    let (first, last) = set.trim().split_once('-')?;
    let number = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return number(last).map(Spec::Suffix);
    }
    let first = number(first)?;
    if last.is_empty() {
        return Some(Spec::From(first, None));
    }
    let last = number(last)?;
    (first <= last).then_some(Spec::From(first, Some(last)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn answer(range: &str, length: u64) -> RangeAnswer {
        let mut h = HeaderMap::new();
        h.insert(RANGE, HeaderValue::from_str(range).unwrap());
        byte_range(&Method::GET, &h, StatusCode::OK, length)
    }

    #[test]
    fn single_ranges_are_cut_and_clamped() {
        let p = |start, end| RangeAnswer::Partial { start, end };
        assert_eq!(answer("bytes=0-4", 10), p(0, 4));
        assert_eq!(answer("BYTES=2-", 10), p(2, 9));
        assert_eq!(answer("bytes=5-100", 10), p(5, 9));
        assert_eq!(answer("bytes=-3", 10), p(7, 9));
        assert_eq!(answer("bytes=-30", 10), p(0, 9));
        assert_eq!(answer("bytes=10-", 10), RangeAnswer::Unsatisfiable);
        assert_eq!(answer("bytes=-0", 10), RangeAnswer::Unsatisfiable);
    }

    #[test]
    fn anything_else_is_the_full_response() {
        for range in [
            "bytes=0-1,3-4",
            "items=0-4",
            "bytes=4-2",
            "bytes=a-",
            "bytes=-",
            "bytes",
        ] {
            assert_eq!(answer(range, 10), RangeAnswer::Full, "{range}");
        }
        let mut h = HeaderMap::new();
        h.insert(RANGE, HeaderValue::from_static("bytes=0-4"));
        assert_eq!(
            byte_range(&Method::HEAD, &h, StatusCode::OK, 10),
            RangeAnswer::Full
        );
        assert_eq!(
            byte_range(&Method::GET, &h, StatusCode::NOT_FOUND, 10),
            RangeAnswer::Full
        );
    }
}
