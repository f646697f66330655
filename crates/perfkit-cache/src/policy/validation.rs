//! Validation: conditional requests to the origin (RFC 9111 §4.3.1), using a `304`
//! (§4.3.3, §4.3.4, §3.2), freshening from `HEAD` (§4.3.5), and answering a client's
//! own conditional request from a stored response (RFC 9110 §13.2.2).

use http::header::{
    HeaderMap, HeaderName, CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, CONTENT_LOCATION, DATE, ETAG,
    EXPIRES, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_UNMODIFIED_SINCE, LAST_MODIFIED,
    PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, TE, TRANSFER_ENCODING, UPGRADE, VARY,
};
use http::Method;

use super::freshness::{header_date, parse_http_date};

/// Header fields a cache never stores or updates from another response (RFC 9111
/// §3.1: hop-by-hop fields, and the proxy authentication fields, which concern only
/// the next hop (RFC 9110 §11.7) and so are removed before storage).
pub fn is_unstorable_field(name: &HeaderName) -> bool {
    name == CONNECTION
        || name == TE
        || name == TRANSFER_ENCODING
        || name == UPGRADE
        || name == PROXY_AUTHENTICATE
        || name == PROXY_AUTHORIZATION
        || matches!(
            name.as_str(),
            "keep-alive" | "proxy-connection" | "proxy-authentication-info"
        )
}

/// Removes what §3.1 says not to store: hop-by-hop fields and the fields named in
/// `Connection`, plus `extra` (names from qualified `private`/`no-cache`).
pub fn storable_headers(headers: &HeaderMap, extra: &[String]) -> HeaderMap {
    let connection_listed: Vec<String> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|f| f.trim().to_ascii_lowercase())
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if is_unstorable_field(name)
            || connection_listed.iter().any(|f| f == name.as_str())
            || extra.iter().any(|f| f == name.as_str())
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The validator fields for a conditional request revalidating `stored`:
/// `If-None-Match` from `ETag`, `If-Modified-Since` from `Last-Modified`. Empty when
/// the stored response has no validator (then revalidation is a plain request).
pub fn conditional_headers(stored: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for etag in stored.get_all(ETAG) {
        out.append(IF_NONE_MATCH, etag.clone());
    }
    if let Some(modified) = stored.get(LAST_MODIFIED) {
        if parse_http_date(modified.as_bytes()).is_some() {
            out.insert(IF_MODIFIED_SINCE, modified.clone());
        }
    }
    out
}

/// One entity-tag: weak flag and opaque-tag (with quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityTag<'a> {
    pub weak: bool,
    pub tag: &'a str,
}

impl<'a> EntityTag<'a> {
    pub fn parse(text: &'a str) -> Option<EntityTag<'a>> {
        let text = text.trim();
        let (weak, tag) = match text.strip_prefix("W/") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        (tag.len() >= 2
            && tag.starts_with('"')
            && tag.ends_with('"')
            && !tag[1..tag.len() - 1].contains('"'))
        .then_some(EntityTag { weak, tag })
    }

    /// RFC 9110 §8.8.3.2 weak comparison: opaque tags equal.
    pub fn weak_eq(&self, other: &EntityTag<'_>) -> bool {
        self.tag == other.tag
    }

    /// Strong comparison: both strong and equal.
    pub fn strong_eq(&self, other: &EntityTag<'_>) -> bool {
        !self.weak && !other.weak && self.tag == other.tag
    }
}

/// The opaque part of an entity-tag for the weak comparison a cache makes against a
/// client's `If-None-Match` (RFC 9110 §13.1.2): `W/` dropped, then the quoted string's
/// content, or, leniently, an unquoted tag as it is (an origin or client that omits
/// the quotes still matches itself; nothing else depends on it).
fn opaque_tag(text: &str) -> Option<&str> {
    let text = text.trim();
    let tag = text.strip_prefix("W/").unwrap_or(text);
    if let Some(inner) = tag.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        return (!inner.contains('"')).then_some(inner);
    }
    (!tag.is_empty() && !tag.contains(['"', ' ', '\t', ','])).then_some(tag)
}

/// The members of a list of entity-tags; `None` for `*`.
fn etag_list(headers: &HeaderMap, name: &HeaderName) -> Option<Vec<String>> {
    let mut tags = Vec::new();
    for line in headers.get_all(name) {
        let text = line.to_str().unwrap_or("");
        for member in split_etag_list(text) {
            if member == "*" {
                return None;
            }
            tags.push(member.to_owned());
        }
    }
    Some(tags)
}

/// Splits `"a", W/"b,c"` on commas outside quotes.
fn split_etag_list(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        match ch {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                out.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(text[start..].trim());
    out.retain(|m| !m.is_empty());
    out
}

fn stored_etag(stored: &HeaderMap) -> Option<&str> {
    stored.get(ETAG).and_then(|v| v.to_str().ok())
}

/// RFC 9111 §4.3.4: does this `304` (or, for §4.3.5, `HEAD` response) apply to the
/// stored response? A strong validator in the new response must match the stored
/// one (weak tags compare weakly); else a `Last-Modified` must match. A response
/// without any validator applies: the cache sent the conditional request itself,
/// built from this one stored response, so "not modified" can only refer to it.
pub fn validates(stored: &HeaderMap, new: &HeaderMap) -> bool {
    let new_etag = new
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .and_then(EntityTag::parse);
    if let Some(new_etag) = new_etag {
        let stored = stored_etag(stored).and_then(EntityTag::parse);
        return match stored {
            Some(stored) if new_etag.weak || stored.weak => stored.weak_eq(&new_etag),
            Some(stored) => stored.strong_eq(&new_etag),
            None => false,
        };
    }
    if let Some(modified) = new.get(LAST_MODIFIED) {
        return stored.get(LAST_MODIFIED) == Some(modified);
    }
    true
}

/// RFC 9111 §3.2: the stored headers updated from a `304` (or `HEAD`) response: each
/// field in `new` replaces the stored field of that name, except hop-by-hop fields
/// and `Content-Length`.
pub fn merge_headers(stored: &HeaderMap, new: &HeaderMap) -> HeaderMap {
    let mut merged = stored.clone();
    let mut replaced: Vec<&HeaderName> = Vec::new();
    for (name, value) in new {
        if is_unstorable_field(name) || name == CONTENT_LENGTH {
            continue;
        }
        if !replaced.contains(&name) {
            merged.remove(name);
            replaced.push(name);
        }
        merged.append(name.clone(), value.clone());
    }
    merged
}

/// How a client's conditional request is answered from a stored response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conditional {
    /// No condition applies or all pass: send the stored response.
    Proceed,
    /// `304 Not Modified`.
    NotModified,
}

/// True when the request carries preconditions meant for the origin only
/// (`If-Match`, `If-Unmodified-Since`, `If-Range`: RFC 9111 §4.3.2 says they are not
/// applicable to a cache): forward such requests instead of answering them.
pub fn has_origin_preconditions(request: &HeaderMap) -> bool {
    request.contains_key(IF_MATCH)
        || request.contains_key(IF_UNMODIFIED_SINCE)
        || request.contains_key(http::header::IF_RANGE)
}

/// RFC 9110 §13.2.2 as a cache applies it (RFC 9111 §4.3.2) to a fresh or
/// allowed-stale stored response for `GET`/`HEAD`: `If-None-Match` (weak comparison;
/// `*` matches), else `If-Modified-Since` against `Last-Modified`, or `Date` when
/// there is none (ignored when `If-None-Match` is present or its date is invalid).
pub fn evaluate_conditional(
    method: &Method,
    request: &HeaderMap,
    stored: &HeaderMap,
) -> Conditional {
    if method != Method::GET && method != Method::HEAD {
        return Conditional::Proceed;
    }
    if request.contains_key(IF_NONE_MATCH) {
        let etag = stored_etag(stored).and_then(opaque_tag);
        let matched = match etag_list(request, &IF_NONE_MATCH) {
            None => true,
            Some(list) => list
                .iter()
                .filter_map(|m| opaque_tag(m))
                .any(|m| etag == Some(m)),
        };
        return if matched {
            Conditional::NotModified
        } else {
            Conditional::Proceed
        };
    }
    if let Some(since) = header_date(request, &IF_MODIFIED_SINCE) {
        // RFC 9111 §4.3.2: without a Last-Modified, the stored response's Date.
        let modified = header_date(stored, &LAST_MODIFIED).or_else(|| header_date(stored, &DATE));
        if modified.is_some_and(|m| m <= since) {
            return Conditional::NotModified;
        }
    }
    Conditional::Proceed
}

/// The fields of a `304` sent in place of the stored `200` (RFC 9110 §15.4.5): those
/// among `Cache-Control`, `Content-Location`, `Date`, `ETag`, `Expires`, `Vary` the
/// `200` would carry.
pub fn not_modified_headers(stored: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in [CACHE_CONTROL, CONTENT_LOCATION, DATE, ETAG, EXPIRES, VARY] {
        for value in stored.get_all(&name) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// Whether a response to a `HEAD` may freshen the stored `GET` response (§4.3.5):
/// every validator it carries matches the stored one (as for a `304`; none carried
/// is no mismatch) and, when both have one, the same `Content-Length`.
pub fn head_freshens(stored: &HeaderMap, head: &HeaderMap) -> bool {
    if let (Some(a), Some(b)) = (stored.get(CONTENT_LENGTH), head.get(CONTENT_LENGTH)) {
        if a != b {
            return false;
        }
    }
    validates(stored, head)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::policy::header_map as h;

    #[test]
    fn conditional_request_from_validators() {
        let stored = h(&[
            ("etag", "\"v1\""),
            ("last-modified", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ]);
        let cond = conditional_headers(&stored);
        assert_eq!(cond.get(IF_NONE_MATCH).unwrap(), "\"v1\"");
        assert_eq!(
            cond.get(IF_MODIFIED_SINCE).unwrap(),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert!(conditional_headers(&h(&[("last-modified", "garbage")])).is_empty());
    }

    #[test]
    fn a_304_applies_only_to_the_matching_stored_response() {
        let stored = h(&[("etag", "\"v1\"")]);
        assert!(validates(&stored, &h(&[("etag", "\"v1\"")])));
        assert!(!validates(&stored, &h(&[("etag", "\"v2\"")])));
        assert!(validates(
            &h(&[("etag", "W/\"v1\"")]),
            &h(&[("etag", "W/\"v1\"")])
        ));
        assert!(validates(&h(&[]), &h(&[])));
        assert!(
            validates(&stored, &h(&[])),
            "no validator: answers our own conditional"
        );
        let dated = h(&[("last-modified", "Sun, 06 Nov 1994 08:49:37 GMT")]);
        assert!(!validates(
            &dated,
            &h(&[("last-modified", "Mon, 07 Nov 1994 08:49:37 GMT")])
        ));
    }

    #[test]
    fn merge_replaces_fields_but_not_content_length_or_hop_by_hop() {
        let stored = h(&[
            ("content-length", "5"),
            ("x-a", "old"),
            ("x-a", "old2"),
            ("x-keep", "k"),
        ]);
        let new = h(&[
            ("content-length", "0"),
            ("x-a", "new"),
            ("connection", "close"),
        ]);
        let merged = merge_headers(&stored, &new);
        assert_eq!(merged.get("content-length").unwrap(), "5");
        assert_eq!(
            merged.get_all("x-a").iter().collect::<Vec<_>>(),
            vec!["new"]
        );
        assert_eq!(merged.get("x-keep").unwrap(), "k");
        assert!(merged.get("connection").is_none());
    }

    #[test]
    fn client_conditionals() {
        let stored = h(&[
            ("etag", "W/\"v1\""),
            ("last-modified", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ]);
        let get = Method::GET;
        let c = |req| evaluate_conditional(&get, &req, &stored);
        assert_eq!(
            c(h(&[("if-none-match", "\"v1\"")])),
            Conditional::NotModified,
            "weak comparison"
        );
        assert_eq!(
            c(h(&[("if-none-match", "\"x\", W/\"v1\"")])),
            Conditional::NotModified
        );
        assert_eq!(c(h(&[("if-none-match", "*")])), Conditional::NotModified);
        assert_eq!(c(h(&[("if-none-match", "\"x\"")])), Conditional::Proceed);
        // If-None-Match present: If-Modified-Since is ignored.
        assert_eq!(
            c(h(&[
                ("if-none-match", "\"x\""),
                ("if-modified-since", "Mon, 07 Nov 1994 08:49:37 GMT")
            ])),
            Conditional::Proceed
        );
        assert_eq!(
            c(h(&[("if-modified-since", "Mon, 07 Nov 1994 08:49:37 GMT")])),
            Conditional::NotModified
        );
        assert_eq!(
            c(h(&[("if-modified-since", "Sat, 05 Nov 1994 08:49:37 GMT")])),
            Conditional::Proceed
        );
        assert_eq!(
            c(h(&[("if-modified-since", "yesterday")])),
            Conditional::Proceed
        );
        assert!(has_origin_preconditions(&h(&[("if-match", "*")])));
        assert!(!has_origin_preconditions(&h(&[("if-none-match", "*")])));
    }
}
