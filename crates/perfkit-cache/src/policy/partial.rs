//! Partial content (RFC 9111 §3.3 and §3.4, RFC 9110 §14.4 and §15.3.7). A `206`
//! with one `bytes` `Content-Range` of a known complete length may be stored as an
//! *incomplete* entry: status `206`, its own `Content-Range` and `Content-Length`
//! describing the one continuous span it holds. Such an entry answers only a `GET`
//! whose single byte range lies wholly within that span, always as a `206`; every
//! other request for it goes to the origin. A later `206` with the same strong
//! validator is combined with it when the two spans touch or overlap; a union that
//! covers the whole representation becomes a complete `200`. A `GET` of the whole
//! representation with a stored prefix or suffix asks the origin only for the rest
//! ([`completion`]: `Range` plus `If-Range` with the stored strong validator).

use bytes::{Bytes, BytesMut};
use http::header::{
    HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_RANGE, DATE, ETAG, LAST_MODIFIED, RANGE,
};
use http::{Method, StatusCode};

use std::time::SystemTime;

use super::freshness::parse_http_date;
use super::range::{requested_range, RangeAnswer};
use super::validation::{merge_headers, EntityTag};
use super::{plan_store, PolicyConfig, StorePlan};
use crate::entry::Entry;

/// One `Content-Range: bytes start-end/complete` (RFC 9110 §14.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    pub start: u64,
    pub end: u64,
    pub complete_length: u64,
}

/// The response's single `bytes` `Content-Range` with a known complete length;
/// `None` for none, several, another unit, `*` lengths, or an invalid range (a
/// cache must not store partial content it does not understand, §3.3).
pub fn content_range(headers: &HeaderMap) -> Option<ContentRange> {
    let mut lines = headers.get_all(CONTENT_RANGE).iter();
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return None;
    };
    let text = line.to_str().ok()?.trim();
    let (unit, rest) = text.split_once(' ')?;
    if !unit.eq_ignore_ascii_case("bytes") {
        return None;
    }
    let (range, complete) = rest.trim().split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (start, end, complete_length) = (number(start)?, number(end)?, number(complete)?);
    (start <= end && end < complete_length).then_some(ContentRange {
        start,
        end,
        complete_length,
    })
}

/// True for a stored incomplete response (a stored `206`).
pub fn is_incomplete(stored: &Entry) -> bool {
    stored.status == StatusCode::PARTIAL_CONTENT
}

/// The span an incomplete stored response holds; `None` for a complete one.
pub fn stored_span(stored: &Entry) -> Option<ContentRange> {
    if !is_incomplete(stored) {
        return None;
    }
    content_range(&stored.headers).filter(|r| r.end - r.start + 1 == stored.body.len() as u64)
}

/// RFC 9111 §3.3: the bytes `start..=end` (of the representation) an incomplete
/// stored response can answer this request with: a `GET` with one byte range
/// wholly within the stored span. `None`: the request must go to the origin.
pub fn partial_answer(
    method: &Method,
    request: &HeaderMap,
    stored: &Entry,
) -> Option<ContentRange> {
    let span = stored_span(stored)?;
    if method != Method::GET {
        return None;
    }
    match requested_range(request, span.complete_length) {
        RangeAnswer::Partial { start, end } if start >= span.start && end <= span.end => {
            Some(ContentRange {
                start,
                end,
                complete_length: span.complete_length,
            })
        }
        _ => None,
    }
}

/// Whether this stored response may answer this request at all: a complete one
/// always (freshness aside), an incomplete one only for a range it holds.
pub fn can_answer(method: &Method, request: &HeaderMap, stored: &Entry) -> bool {
    !is_incomplete(stored) || partial_answer(method, request, stored).is_some()
}

/// The stored body bytes for `range` of the representation (which
/// [`partial_answer`] checked lies within the stored span).
pub fn partial_body(stored: &Entry, range: ContentRange) -> Bytes {
    let offset = stored_span(stored).map_or(0, |s| s.start);
    let from = (range.start - offset) as usize;
    let to = (range.end - offset) as usize;
    if to < stored.body.len() && from <= to {
        stored.body.slice(from..=to)
    } else {
        Bytes::new()
    }
}

/// How to complete an incomplete stored response (RFC 9111 §3.4): ask for the
/// `missing` bytes only, conditionally on the stored strong validator.
#[derive(Debug, Clone)]
pub struct Completion {
    /// The bytes of the representation the stored response lacks.
    pub missing: ContentRange,
    /// `Range` for the origin request.
    pub range: HeaderValue,
    /// `If-Range` for the origin request: the stored strong validator, so a changed
    /// representation comes back whole (`200`) instead of a part that does not fit.
    pub if_range: HeaderValue,
}

/// RFC 9111 §3.4, RFC 9110 §13.1.5: the request that completes `stored` for a `GET`
/// of the whole representation (no `Range`): when the stored span is a prefix (ask
/// `bytes=N-`) or a suffix (ask `bytes=0-M`) and the stored response has a strong
/// validator (a strong `ETag`, else a strong `Last-Modified`). `None`: the request
/// goes to the origin whole (a span in the middle would need two ranges; without a
/// strong validator the parts could not be combined).
pub fn completion(method: &Method, request: &HeaderMap, stored: &Entry) -> Option<Completion> {
    if method != Method::GET || request.contains_key(RANGE) {
        return None;
    }
    let span = stored_span(stored)?;
    let last = span.complete_length - 1;
    let (missing, range) = if span.start == 0 && span.end < last {
        let start = span.end + 1;
        (start..=last, format!("bytes={start}-"))
    } else if span.start > 0 && span.end == last {
        let end = span.start - 1;
        (0..=end, format!("bytes=0-{end}"))
    } else {
        return None;
    };
    let if_range = strong_validator(&stored.headers)?;
    Some(Completion {
        missing: ContentRange {
            start: *missing.start(),
            end: *missing.end(),
            complete_length: span.complete_length,
        },
        range: HeaderValue::from_str(&range).ok()?,
        if_range,
    })
}

/// RFC 9111 §3.4: the complete response made of `stored` and the origin's answer
/// (`status`, `headers`, `body`, received at `response_time`) to a [`completion`]
/// request for `request`: the plan to store it (headers merged, the new ones winning)
/// and the whole body. `None` when the answer does not complete it (not a storable
/// `206` of exactly the missing bytes with the same strong validator, or a whole past
/// `max_bytes`): the whole representation is then requested.
#[allow(clippy::too_many_arguments)]
pub fn completed(
    stored: &Entry,
    completion: &Completion,
    request: &HeaderMap,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Bytes,
    response_time: SystemTime,
    config: &PolicyConfig,
    max_bytes: u64,
) -> Option<(StorePlan, Bytes)> {
    if status != StatusCode::PARTIAL_CONTENT || content_range(headers) != Some(completion.missing) {
        return None;
    }
    let mut plan = plan_store(
        &Method::GET,
        request,
        status,
        headers,
        response_time,
        config,
    )
    .ok()?;
    match combine_partial(stored, &plan.headers, body, max_bytes) {
        Combined::Merged {
            status: StatusCode::OK,
            headers,
            body,
        } => {
            plan.headers = headers;
            Some((plan, body))
        }
        _ => None,
    }
}

/// The response's strong validator for `If-Range`: its strong `ETag`; with no
/// `ETag`, its `Last-Modified` when strong (§8.8.2.2). A weak or invalid tag: none.
fn strong_validator(headers: &HeaderMap) -> Option<HeaderValue> {
    match etag(headers) {
        Some(Some(tag)) if !tag.weak => headers.get(ETAG).cloned(),
        Some(_) => None,
        None if strong_last_modified(headers) => headers.get(LAST_MODIFIED).cloned(),
        None => None,
    }
}

/// RFC 9110 §8.8.1: do the two responses carry the same strong validator? The same
/// strong entity tag; or, when neither has an entity tag, the same `Last-Modified`
/// that is strong in both (at least 60 seconds before their `Date`, §8.8.2.2).
pub fn same_strong_validator(a: &HeaderMap, b: &HeaderMap) -> bool {
    match (etag(a), etag(b)) {
        (Some(Some(x)), Some(Some(y))) => x.strong_eq(&y),
        (None, None) => {
            let (Some(la), Some(lb)) = (a.get(LAST_MODIFIED), b.get(LAST_MODIFIED)) else {
                return false;
            };
            la == lb && strong_last_modified(a) && strong_last_modified(b)
        }
        _ => false,
    }
}

/// The response's entity tag: `None` when it has none, `Some(None)` when invalid.
fn etag(headers: &HeaderMap) -> Option<Option<EntityTag<'_>>> {
    headers
        .get(ETAG)
        .map(|v| v.to_str().ok().and_then(EntityTag::parse))
}

/// RFC 9110 §8.8.2.2: a `Last-Modified` is strong when it is at least 60 seconds
/// before the response's `Date`.
fn strong_last_modified(headers: &HeaderMap) -> bool {
    let date = |name| {
        headers
            .get(name)
            .and_then(|v| parse_http_date(v.as_bytes()))
    };
    match (date(LAST_MODIFIED), date(DATE)) {
        (Some(modified), Some(date)) => date
            .duration_since(modified)
            .is_ok_and(|d| d.as_secs() >= 60),
        _ => false,
    }
}

/// What to store after a new `206`, given the response already stored for the
/// request.
#[derive(Debug)]
pub enum Combined {
    /// The union of the stored and the new content: store this (`200` when it is
    /// the whole representation, else `206`) instead of the new response alone.
    Merged {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// A complete stored response with the same strong validator already holds
    /// these bytes: keep it, store nothing.
    AlreadyComplete,
    /// Nothing to combine with (another validator, or spans that do not touch):
    /// the new response replaces the stored one.
    Separate,
}

/// RFC 9111 §3.4 / RFC 9110 §15.3.7.3: combines a new `206` (its storable
/// `headers`, with their `Content-Range`, and `body`) with the `stored` response
/// for the same request. The new response's fields replace the stored ones. A union
/// longer than `max_bytes` (the cache's largest object) is not made: the new part
/// alone is stored, so combining never grows an entry past what a single response
/// could be.
pub fn combine_partial(
    stored: &Entry,
    headers: &HeaderMap,
    body: &Bytes,
    max_bytes: u64,
) -> Combined {
    let Some(new) = content_range(headers) else {
        return Combined::Separate;
    };
    if new.end - new.start + 1 != body.len() as u64
        || !same_strong_validator(&stored.headers, headers)
    {
        return Combined::Separate;
    }
    if !is_incomplete(stored) {
        return if stored.status == StatusCode::OK && stored.body.len() as u64 == new.complete_length
        {
            Combined::AlreadyComplete
        } else {
            Combined::Separate
        };
    }
    let Some(old) = stored_span(stored) else {
        return Combined::Separate;
    };
    // Spans that neither overlap nor touch would leave a hole.
    if old.complete_length != new.complete_length
        || new.start > old.end.saturating_add(1)
        || old.start > new.end.saturating_add(1)
    {
        return Combined::Separate;
    }
    let start = old.start.min(new.start);
    let end = old.end.max(new.end);
    if end - start + 1 > max_bytes {
        return Combined::Separate;
    }
    let mut union = BytesMut::with_capacity((end - start + 1) as usize);
    // The new bytes win where the two overlap (same validator: same bytes anyway).
    if old.start < new.start {
        union.extend_from_slice(&stored.body[..(new.start - old.start) as usize]);
    }
    union.extend_from_slice(body);
    if old.end > new.end {
        union.extend_from_slice(&stored.body[(new.end + 1 - old.start) as usize..]);
    }
    let mut merged = merge_headers(&stored.headers, headers);
    let complete = start == 0 && end + 1 == new.complete_length;
    let status = if complete {
        merged.remove(CONTENT_RANGE);
        StatusCode::OK
    } else {
        let range = format!("bytes {start}-{end}/{}", new.complete_length);
        if let Ok(value) = HeaderValue::from_str(&range) {
            merged.insert(CONTENT_RANGE, value);
        }
        StatusCode::PARTIAL_CONTENT
    };
    merged.insert(CONTENT_LENGTH, HeaderValue::from(end - start + 1));
    Combined::Merged {
        status,
        headers: merged,
        body: union.freeze(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::header_map as h;
    use std::time::UNIX_EPOCH;

    fn partial(pairs: &[(&'static str, &'static str)], body: &'static str) -> Entry {
        Entry::response(
            StatusCode::PARTIAL_CONTENT,
            h(pairs),
            Bytes::from_static(body.as_bytes()),
            UNIX_EPOCH,
            UNIX_EPOCH,
        )
    }

    #[test]
    fn content_ranges_are_parsed_strictly() {
        let cr = |v: &'static str| content_range(&h(&[("content-range", v)]));
        assert_eq!(
            cr("bytes 0-4/10"),
            Some(ContentRange {
                start: 0,
                end: 4,
                complete_length: 10
            })
        );
        for bad in [
            "bytes 0-4/*",
            "bytes 5-4/10",
            "bytes 0-10/10",
            "items 0-4/10",
            "bytes */10",
            "bytes 0-4",
        ] {
            assert_eq!(cr(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_incomplete_entry_answers_only_ranges_it_holds() {
        let stored = partial(&[("content-range", "bytes 2-5/10")], "2345");
        let request = |range: &'static str| h(&[("range", range)]);
        let answer = partial_answer(&Method::GET, &request("bytes=3-4"), &stored).unwrap();
        assert_eq!(partial_body(&stored, answer), "34");
        assert!(partial_answer(&Method::GET, &request("bytes=1-4"), &stored).is_none());
        assert!(partial_answer(&Method::GET, &request("bytes=4-"), &stored).is_none());
        assert!(partial_answer(&Method::HEAD, &request("bytes=3-4"), &stored).is_none());
        assert!(!can_answer(&Method::GET, &HeaderMap::new(), &stored));
    }

    #[test]
    fn a_stored_prefix_or_suffix_with_a_strong_validator_is_completed_by_range() {
        let get = HeaderMap::new();
        let prefix = partial(
            &[("content-range", "bytes 0-4/10"), ("etag", "\"a\"")],
            "01234",
        );
        let c = completion(&Method::GET, &get, &prefix).unwrap();
        assert_eq!(
            (c.range.to_str().unwrap(), c.if_range.to_str().unwrap()),
            ("bytes=5-", "\"a\"")
        );
        assert_eq!((c.missing.start, c.missing.end), (5, 9));
        let suffix = partial(
            &[("content-range", "bytes 4-9/10"), ("etag", "\"a\"")],
            "456789",
        );
        let c = completion(&Method::GET, &get, &suffix).unwrap();
        assert_eq!(c.range.to_str().unwrap(), "bytes=0-3");
        let middle = partial(
            &[("content-range", "bytes 2-5/10"), ("etag", "\"a\"")],
            "2345",
        );
        assert!(completion(&Method::GET, &get, &middle).is_none());
        let weak = partial(
            &[("content-range", "bytes 0-4/10"), ("etag", "W/\"a\"")],
            "01234",
        );
        assert!(completion(&Method::GET, &get, &weak).is_none());
        let none = partial(&[("content-range", "bytes 0-4/10")], "01234");
        assert!(completion(&Method::GET, &get, &none).is_none());
        let ranged = h(&[("range", "bytes=0-1")]);
        assert!(completion(&Method::GET, &ranged, &prefix).is_none());
        assert!(completion(&Method::HEAD, &get, &prefix).is_none());
    }

    #[test]
    fn strong_validators() {
        let date = ("date", "Sun, 06 Nov 1994 08:49:37 GMT");
        assert!(same_strong_validator(
            &h(&[("etag", "\"a\"")]),
            &h(&[("etag", "\"a\"")])
        ));
        assert!(!same_strong_validator(
            &h(&[("etag", "W/\"a\"")]),
            &h(&[("etag", "W/\"a\"")])
        ));
        assert!(!same_strong_validator(
            &h(&[("etag", "\"a\"")]),
            &h(&[("etag", "\"b\"")])
        ));
        let old = h(&[("last-modified", "Sun, 06 Nov 1994 08:48:00 GMT"), date]);
        assert!(same_strong_validator(&old, &old));
        let recent = h(&[("last-modified", "Sun, 06 Nov 1994 08:49:00 GMT"), date]);
        assert!(
            !same_strong_validator(&recent, &recent),
            "within 60s of Date: weak"
        );
        assert!(!same_strong_validator(&HeaderMap::new(), &HeaderMap::new()));
    }

    #[test]
    fn touching_spans_combine_and_a_whole_union_is_complete() {
        let stored = partial(
            &[("content-range", "bytes 0-4/10"), ("etag", "\"a\"")],
            "01234",
        );
        let new = h(&[
            ("content-range", "bytes 5-9/10"),
            ("etag", "\"a\""),
            ("x", "2"),
        ]);
        match combine_partial(&stored, &new, &Bytes::from_static(b"56789"), u64::MAX) {
            Combined::Merged {
                status,
                headers,
                body,
            } => {
                assert_eq!(status, StatusCode::OK);
                assert_eq!(body, "0123456789");
                assert_eq!(headers.get("content-length").unwrap(), "10");
                assert!(!headers.contains_key("content-range"));
                assert_eq!(headers.get("x").unwrap(), "2");
            }
            other => panic!("{other:?}"),
        }
        let new = h(&[("content-range", "bytes 3-6/10"), ("etag", "\"a\"")]);
        match combine_partial(&stored, &new, &Bytes::from_static(b"3456"), u64::MAX) {
            Combined::Merged {
                status,
                headers,
                body,
            } => {
                assert_eq!(status, StatusCode::PARTIAL_CONTENT);
                assert_eq!(body, "0123456");
                assert_eq!(headers.get("content-range").unwrap(), "bytes 0-6/10");
            }
            other => panic!("{other:?}"),
        }
        let gap = h(&[("content-range", "bytes 7-9/10"), ("etag", "\"a\"")]);
        assert!(matches!(
            combine_partial(&stored, &gap, &Bytes::from_static(b"789"), u64::MAX),
            Combined::Separate
        ));
        let new = h(&[("content-range", "bytes 5-9/10"), ("etag", "\"a\"")]);
        assert!(
            matches!(
                combine_partial(&stored, &new, &Bytes::from_static(b"56789"), 9),
                Combined::Separate
            ),
            "a union past the largest object is not made"
        );
        let other = h(&[("content-range", "bytes 5-9/10"), ("etag", "\"b\"")]);
        assert!(matches!(
            combine_partial(&stored, &other, &Bytes::from_static(b"56789"), u64::MAX),
            Combined::Separate
        ));
    }
}
