//! RFC 9111 shared-cache rules (plus RFC 9110 conditionals, RFC 5861 stale
//! extensions, RFC 9213 targeted fields, RFC 9211 `Cache-Status`) as pure functions
//! over `http` types. The gateway calls them per request phase:
//!
//! 1. request: [`request_directives`], [`KeyBuilder::build`], [`is_safe`] (unsafe
//!    methods go forward, then [`invalidated_uris`], then a `POST` response that
//!    [`post_reusable`] accepts is stored for later `GET`s), [`on_miss`] for
//!    `only-if-cached`; [`forwards_interim`] for the origin's `1xx` responses;
//! 2. lookup: [`vary_fields`]/[`secondary_key`] to pick the variant, [`evaluate_reuse`]
//!    (fresh, stale allowed, or revalidate), [`evaluate_conditional`] for the client's
//!    own `If-None-Match`/`If-Modified-Since`;
//! 3. upstream: [`conditional_headers`] to revalidate; [`stale_if_error`] when it fails;
//! 4. store: [`plan_store`] (storable? lifetime, keeping time, headers to keep),
//!    [`apply_validation`] for a `304`;
//! 5. respond: [`served_headers`] (`Age`, targeted fields removed), [`CacheStatus`].

mod cache_status;
mod directives;
mod freshness;
mod http_date;
mod invalidate;
mod key;
mod partial;
mod range;
mod stored;
mod structured;
mod validation;
mod vary;

use std::time::{Duration, SystemTime};

use http::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_LOCATION, ETAG,
    EXPIRES, LAST_MODIFIED, PRAGMA, SET_COOKIE,
};
use http::{Method, StatusCode, Uri};

pub use cache_status::{CacheStatus, Forward};
pub use directives::{CacheControl, FieldDirective, Seconds, DELTA_SECONDS_MAX};
pub use freshness::{
    age_value, current_age, date_value, format_http_date, freshness_lifetime,
    heuristically_cacheable, parse_http_date, understood, Lifetime,
};
pub use invalidate::{invalidated_uris, is_safe, resolve, same_origin};
pub use key::{cookie_value, KeyBuilder};
pub use partial::{
    can_answer, combine_partial, completed, completion, content_range, is_incomplete,
    partial_answer, partial_body, same_strong_validator, stored_span, Combined, Completion,
    ContentRange,
};
pub use range::{byte_range, RangeAnswer};
pub use stored::{served_response_headers, stored_freshness, ServedHead, StoredFreshness};
pub use validation::{
    conditional_headers, evaluate_conditional, has_origin_preconditions, head_freshens,
    merge_headers, not_modified_headers, storable_headers, validates, Conditional, EntityTag,
};
pub use vary::{language_selects, secondary_key, vary_fields};

use crate::entry::Entry;

/// Heuristic freshness (RFC 9111 §4.2.2): `fraction` of the time since
/// `Last-Modified`, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Heuristic {
    pub fraction: f64,
    pub max: Duration,
}

impl Default for Heuristic {
    fn default() -> Self {
        Heuristic {
            fraction: 0.1,
            max: Duration::from_secs(24 * 3600),
        }
    }
}

/// Per-route policy settings.
#[derive(Debug, Clone)]
pub struct PolicyConfig {
    /// Heuristic freshness; `None` (the default) disables it.
    pub heuristic: Option<Heuristic>,
    /// Targeted cache-control fields this cache obeys, most specific first
    /// (`cdn-cache-control`, `surrogate-control`). The first present one replaces
    /// `Cache-Control` for this cache (RFC 9213 §2.2); all are removed before the
    /// response leaves.
    pub targeted_fields: Vec<HeaderName>,
    /// Store 4xx/5xx responses when the RFC allows it (otherwise never).
    pub store_error_statuses: bool,
    /// Store responses carrying `Set-Cookie` (shared with other clients!).
    pub store_set_cookie: bool,
    /// How long a response is kept past its freshness, for revalidation,
    /// `stale-if-error` and requests accepting stale responses (`max-stale`).
    pub keep_stale: Duration,
    /// Store `206` responses (one `bytes` range of a known length) as incomplete
    /// entries, combined with later ranges of the same strong validator (§3.3, §3.4).
    pub store_partial: bool,
    /// This cache's device token for `Surrogate-Control` directives targeted at a
    /// device (`max-age=60;TOKEN`); `None`: only untargeted directives apply.
    pub surrogate_device: Option<String>,
    /// A stored response with `Vary: Accept-Language` and one `Content-Language`
    /// also answers a request whose most preferred language is that one
    /// ([`language_selects`]), not only requests with the same `Accept-Language`.
    pub select_language: bool,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            heuristic: None,
            targeted_fields: Vec::new(),
            store_error_statuses: true,
            store_set_cookie: false,
            keep_stale: Duration::from_secs(3600),
            store_partial: false,
            surrogate_device: None,
            select_language: false,
        }
    }
}

/// Whether an interim (`1xx`) response from the origin is passed on to an HTTP/1.1
/// client before the final response (RFC 9110 §15.2: a proxy forwards them unless it
/// asked for them itself). Never stored, and its fields never merged into the final
/// response (RFC 9111 §3). `100 Continue` answers an `Expect` the client's own
/// connection already settled; `101` (a protocol switch) is not an interim answer.
pub fn forwards_interim(status: StatusCode) -> bool {
    status.is_informational()
        && status != StatusCode::CONTINUE
        && status != StatusCode::SWITCHING_PROTOCOLS
}

/// The request's cache directives. `Pragma: no-cache` counts as `no-cache` only
/// when there is no `Cache-Control` (RFC 9111 §5.4).
pub fn request_directives(headers: &HeaderMap) -> CacheControl {
    if let Some(cc) = CacheControl::from_headers(headers, &CACHE_CONTROL) {
        return cc;
    }
    let pragma_no_cache = headers
        .get_all(PRAGMA)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| d.trim().eq_ignore_ascii_case("no-cache"));
    CacheControl {
        no_cache: if pragma_no_cache {
            FieldDirective::All
        } else {
            FieldDirective::Absent
        },
        ..CacheControl::default()
    }
}

/// The response directives this cache obeys: the first configured targeted field
/// present, else `Cache-Control`.
pub fn response_directives(headers: &HeaderMap, config: &PolicyConfig) -> CacheControl {
    for name in &config.targeted_fields {
        // Surrogate-Control predates RFC 9213 and keeps the Cache-Control syntax;
        // every other targeted field is a Structured Field, ignored when invalid.
        let cc = if name.as_str() == "surrogate-control" {
            CacheControl::from_surrogate(headers, name, config.surrogate_device.as_deref())
        } else {
            CacheControl::from_structured(headers, name)
        };
        if let Some(cc) = cc {
            return cc;
        }
    }
    CacheControl::from_headers(headers, &CACHE_CONTROL).unwrap_or_default()
}

/// Whether the response to a `POST` of `target` may be stored as the response to a
/// later `GET` of `target` (RFC 9110 §9.3.3, RFC 9111 §2 and §4): a `200` (a
/// representation of the target resource, not the outcome of an action) with
/// explicit freshness (`s-maxage`, `max-age` or `Expires`, in the field this cache
/// obeys) and a `Content-Location` that resolves to `target` itself. `target` is
/// absolute. The usual storage rules ([`plan_store`] as for a `GET`: `no-store`,
/// `private`, `Authorization`, `Set-Cookie`, ...) still apply on top.
pub fn post_reusable(
    method: &Method,
    target: &Uri,
    status: StatusCode,
    response: &HeaderMap,
    config: &PolicyConfig,
) -> bool {
    if *method != Method::POST || status != StatusCode::OK {
        return false;
    }
    let cc = response_directives(response, config);
    let explicit = !matches!(cc.s_maxage, Seconds::Absent)
        || !matches!(cc.max_age, Seconds::Absent)
        || response.contains_key(EXPIRES);
    if !explicit {
        return false;
    }
    let mut locations = response.get_all(CONTENT_LOCATION).iter();
    let (Some(location), None) = (locations.next(), locations.next()) else {
        return false;
    };
    location
        .to_str()
        .ok()
        .and_then(|value| resolve(target, value.trim()))
        .is_some_and(|uri| uri == *target)
}

/// Why a response is not stored; the text goes in `Cache-Status`'s `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStorable {
    Method,
    Status,
    Partial,
    NoStore,
    Private,
    Authorization,
    VaryStar,
    SetCookie,
    MustUnderstand,
    ErrorStatus,
    /// Neither fresh for any time nor revalidatable: storing it would be useless.
    NotReusable,
}

impl NotStorable {
    pub fn as_str(self) -> &'static str {
        match self {
            NotStorable::Method => "method",
            NotStorable::Status => "status",
            NotStorable::Partial => "partial",
            NotStorable::NoStore => "no-store",
            NotStorable::Private => "private",
            NotStorable::Authorization => "authorization",
            NotStorable::VaryStar => "vary-star",
            NotStorable::SetCookie => "set-cookie",
            NotStorable::MustUnderstand => "must-understand",
            NotStorable::ErrorStatus => "error-status",
            NotStorable::NotReusable => "not-reusable",
        }
    }

    /// True when the response must not reach clients other than the one that asked
    /// (so coalesced waiters go to the origin themselves).
    pub fn is_private(self) -> bool {
        matches!(
            self,
            NotStorable::NoStore
                | NotStorable::Private
                | NotStorable::Authorization
                | NotStorable::SetCookie
        )
    }
}

/// What to store for a response.
#[derive(Debug, Clone)]
pub struct StorePlan {
    /// The headers to keep (hop-by-hop and `private="..."` fields removed).
    pub headers: HeaderMap,
    pub lifetime: Lifetime,
    /// How long the cache keeps the entry: the lifetime plus the stale windows it
    /// may still be used in (`stale-while-revalidate`, `stale-if-error`, revalidation).
    pub keep_for: Duration,
}

/// RFC 9111 §3 for a shared cache: may this response be stored, and how.
pub fn plan_store(
    method: &Method,
    request: &HeaderMap,
    status: StatusCode,
    response: &HeaderMap,
    response_time: SystemTime,
    config: &PolicyConfig,
) -> Result<StorePlan, NotStorable> {
    if method != Method::GET {
        return Err(NotStorable::Method);
    }
    // §3.3: partial content only when configured, and only one byte range of a
    // known complete length (a unit or form this cache does not handle is not stored).
    if status == StatusCode::PARTIAL_CONTENT
        && !(config.store_partial && content_range(response).is_some())
    {
        return Err(NotStorable::Partial);
    }
    if status.is_informational() || status == StatusCode::NOT_MODIFIED {
        return Err(NotStorable::Status);
    }
    let req_cc = request_directives(request);
    if req_cc.no_store {
        return Err(NotStorable::NoStore);
    }
    let cc = response_directives(response, config);
    if cc.must_understand {
        if !understood(status) {
            return Err(NotStorable::MustUnderstand);
        }
        // §5.2.2.3: an understood status overrides no-store.
    } else if cc.no_store {
        return Err(NotStorable::NoStore);
    }
    if cc.private == FieldDirective::All {
        return Err(NotStorable::Private);
    }
    if request.contains_key(AUTHORIZATION)
        && !(cc.must_revalidate || cc.public || cc.s_maxage.is_present())
    {
        return Err(NotStorable::Authorization);
    }
    if vary_fields(response).is_none() {
        return Err(NotStorable::VaryStar);
    }
    if response.contains_key(SET_COOKIE) && !config.store_set_cookie {
        return Err(NotStorable::SetCookie);
    }
    if (status.is_client_error() || status.is_server_error()) && !config.store_error_statuses {
        return Err(NotStorable::ErrorStatus);
    }
    let explicit = cc.public
        || cc.max_age.is_present()
        || cc.s_maxage.is_present()
        || response.contains_key(http::header::EXPIRES);
    if !explicit && !heuristically_cacheable(status) {
        return Err(NotStorable::Status);
    }
    let lifetime = freshness_lifetime(status, response, &cc, response_time, config);
    let has_validator = response.contains_key(ETAG) || response.contains_key(LAST_MODIFIED);
    let swr = cc.stale_while_revalidate.get().unwrap_or(0);
    let sie = cc.stale_if_error.get().unwrap_or(0);
    if lifetime.seconds == 0 && swr == 0 && sie == 0 && !has_validator {
        return Err(NotStorable::NotReusable);
    }
    // Kept past its freshness for revalidation, `stale-if-error`, and requests that
    // accept stale responses (`max-stale`, a request's `stale-if-error`).
    let stale_window = swr.max(sie).max(config.keep_stale.as_secs());
    // Lifetime counts from the response's age at reception, which only shortens it;
    // keeping for the full lifetime plus the window is an upper bound.
    let keep_for = Duration::from_secs(
        lifetime
            .seconds
            .saturating_add(stale_window)
            .min(DELTA_SECONDS_MAX),
    );
    // Fields named by a qualified `private` (§5.2.2.7) are not stored; nor are those
    // named by a qualified `no-cache` (§5.2.2.4): they may not be reused without
    // revalidation, and the rest of the response is reused as usual.
    let mut stripped: Vec<String> = Vec::new();
    for directive in [&cc.private, &cc.no_cache] {
        if let FieldDirective::Fields(fields) = directive {
            stripped.extend(fields.iter().cloned());
        }
    }
    let mut headers = storable_headers(response, &stripped);
    if !headers.contains_key(http::header::DATE) {
        // RFC 9110 §6.6.1: a recipient with a clock caching a response without Date
        // records when it was received as its Date (so it is not re-dated on each hit).
        if let Ok(date) = HeaderValue::from_str(&format_http_date(response_time)) {
            headers.insert(http::header::DATE, date);
        }
    }
    Ok(StorePlan {
        headers,
        lifetime,
        keep_for,
    })
}

/// How a stored response may be used for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Fresh: serve it.
    Fresh,
    /// Stale but allowed: serve it; when `revalidate` (stale-while-revalidate),
    /// start one background revalidation.
    Stale { revalidate: bool },
    /// Validate with the origin first (conditional request) and use the answer.
    Revalidate,
    /// `only-if-cached` and nothing usable: answer `504` without going forward.
    GatewayTimeout,
}

/// The outcome of [`evaluate_reuse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReuseDecision {
    pub reuse: Reuse,
    /// `current_age` now, for the `Age` field.
    pub age: u64,
    /// Remaining freshness (negative when stale), for `Cache-Status: ttl`.
    pub ttl: i64,
    /// Why the request goes forward (for `Revalidate`).
    pub forward: Option<Forward>,
}

/// RFC 9111 §4.2 / §4.2.4 / §5.2 with RFC 5861's `stale-while-revalidate`: may the
/// stored response answer this request now?
pub fn evaluate_reuse(
    request: &HeaderMap,
    stored: &Entry,
    now: SystemTime,
    config: &PolicyConfig,
) -> ReuseDecision {
    let req_cc = request_directives(request);
    // The stored response's directives, lifetime and initial age, parsed once per
    // entry rather than on every hit.
    let stored_freshness = stored_freshness(stored, config);
    let cc = &stored_freshness.cc;
    let lifetime = stored_freshness.lifetime;
    let age = stored_freshness.age_at(now);
    let ttl = lifetime.seconds as i64 - age as i64;
    // A soft-purged entry is stale at once.
    let ttl = if stored.is_marked_stale() {
        ttl.min(0)
    } else {
        ttl
    };
    let fresh = ttl > 0;
    let staleness = (-ttl).max(0) as u64;
    let decide = |reuse, forward| ReuseDecision {
        reuse: if reuse == Reuse::Revalidate && req_cc.only_if_cached {
            Reuse::GatewayTimeout
        } else {
            reuse
        },
        age,
        ttl,
        forward,
    };

    // A qualified no-cache only concerns the named fields, which were not stored.
    if cc.no_cache == FieldDirective::All {
        return decide(Reuse::Revalidate, Some(Forward::Stale));
    }
    if req_cc.no_cache.is_present() {
        return decide(Reuse::Revalidate, Some(Forward::Request));
    }
    if let Some(max_age) = req_cc.max_age.get() {
        if age > max_age {
            return decide(Reuse::Revalidate, Some(Forward::Request));
        }
    }
    if fresh {
        if let Some(min_fresh) = req_cc.min_fresh.get() {
            if (ttl as u64) < min_fresh {
                return decide(Reuse::Revalidate, Some(Forward::Request));
            }
        }
        return decide(Reuse::Fresh, None);
    }
    if !stale_forbidden(cc) {
        match req_cc.max_stale {
            Some(None) => return decide(Reuse::Stale { revalidate: false }, None),
            Some(Some(limit)) if staleness <= limit => {
                return decide(Reuse::Stale { revalidate: false }, None)
            }
            _ => {}
        }
        if let Some(window) = cc.stale_while_revalidate.get() {
            if staleness <= window {
                return decide(Reuse::Stale { revalidate: true }, None);
            }
        }
    }
    decide(Reuse::Revalidate, Some(Forward::Stale))
}

/// Directives that forbid serving this response stale (§4.2.4): `must-revalidate`,
/// and for a shared cache `proxy-revalidate` and `s-maxage`; unqualified `no-cache` too.
fn stale_forbidden(cc: &CacheControl) -> bool {
    cc.must_revalidate
        || cc.proxy_revalidate
        || cc.s_maxage.is_present()
        || cc.no_cache == FieldDirective::All
}

/// When nothing is stored for the request: go forward, or `504` for `only-if-cached`.
pub fn on_miss(request: &HeaderMap) -> Reuse {
    if request_directives(request).only_if_cached {
        Reuse::GatewayTimeout
    } else {
        Reuse::Revalidate
    }
}

/// RFC 5861 §4: after the origin failed (`None`: no response at all, or a 500, 502,
/// 503 or 504), may the stale stored response be served instead? Its staleness must
/// be within the response's or the request's `stale-if-error`, and no directive may
/// forbid stale serving.
pub fn stale_if_error(
    request: &HeaderMap,
    stored: &Entry,
    origin_status: Option<StatusCode>,
    now: SystemTime,
    config: &PolicyConfig,
) -> bool {
    let is_error = origin_status.is_none_or(|s| matches!(s.as_u16(), 500 | 502 | 503 | 504));
    if !is_error {
        return false;
    }
    let cc = response_directives(&stored.headers, config);
    if stale_forbidden(&cc) {
        return false;
    }
    let req_cc = request_directives(request);
    let window = cc
        .stale_if_error
        .get()
        .unwrap_or(0)
        .max(req_cc.stale_if_error.get().unwrap_or(0));
    let decision = evaluate_reuse(&HeaderMap::new(), stored, now, config);
    let staleness = (-decision.ttl).max(0) as u64;
    window > 0 && staleness <= window
}

/// What a revalidation's answer means for the stored response.
#[derive(Debug)]
pub enum Validated {
    /// `304` matching the stored response: serve and store this freshened entry.
    Freshened(Box<Entry>),
    /// `304` that does not match what is stored: repeat the request unconditionally.
    Mismatch,
    /// A full response replaced the stored one: handle it as a new response.
    Replaced,
}

/// RFC 9111 §4.3.3–§4.3.4: applies a validation answer received at `response_time`
/// for a request sent at `request_time`.
pub fn apply_validation(
    stored: &Entry,
    status: StatusCode,
    response: &HeaderMap,
    request_time: SystemTime,
    response_time: SystemTime,
) -> Validated {
    if status != StatusCode::NOT_MODIFIED {
        return Validated::Replaced;
    }
    if !validates(&stored.headers, response) {
        return Validated::Mismatch;
    }
    Validated::Freshened(Box::new(freshened(
        stored,
        response,
        request_time,
        response_time,
    )))
}

/// What a `HEAD` response from the origin means for the stored `GET` response the
/// same request would have been answered with (RFC 9111 §4.3.5).
#[derive(Debug)]
pub enum HeadUpdate {
    /// Same validators (and `Content-Length`): store this freshened entry.
    Freshened(Box<Entry>),
    /// A validator or `Content-Length` differs: the stored response is to be
    /// considered stale (not dropped: it may still be validated, or serve
    /// `stale-if-error`).
    Stale,
    /// Not a `200`: it says nothing about the stored response.
    Unchanged,
}

/// RFC 9111 §4.3.5: a `200` to a `HEAD` whose validators (and `Content-Length`, when
/// present) match the stored response updates its header fields as a `304` would;
/// after any other `200` the stored response "SHOULD be considered stale". Other
/// statuses (a `410`, say) say nothing the RFC asks a cache to act on.
pub fn apply_head(
    stored: &Entry,
    status: StatusCode,
    response: &HeaderMap,
    request_time: SystemTime,
    response_time: SystemTime,
) -> HeadUpdate {
    if status != StatusCode::OK {
        return HeadUpdate::Unchanged;
    }
    // The stored length is its body's (the field may be absent, e.g. after chunked
    // framing); an incomplete entry's is the whole representation's, as a HEAD gives.
    let length = stored_span(stored).map_or(stored.body.len() as u64, |s| s.complete_length);
    let mut stored_headers = stored.headers.clone();
    stored_headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(length));
    if !head_freshens(&stored_headers, response) {
        return HeadUpdate::Stale;
    }
    HeadUpdate::Freshened(Box::new(freshened(
        stored,
        response,
        request_time,
        response_time,
    )))
}

/// The stored response with `response`'s fields merged in (§3.2), as received at
/// `response_time`.
fn freshened(
    stored: &Entry,
    response: &HeaderMap,
    request_time: SystemTime,
    response_time: SystemTime,
) -> Entry {
    let mut headers = merge_headers(&stored.headers, response);
    if is_incomplete(stored) {
        // The stored span is what the entry holds, whatever the new fields say.
        if let Some(range) = stored.headers.get(http::header::CONTENT_RANGE) {
            headers.insert(http::header::CONTENT_RANGE, range.clone());
        }
    }
    if !response.contains_key(http::header::AGE) {
        // The stored Age described the old exchange.
        headers.remove(http::header::AGE);
    }
    let mut entry = Entry::response(
        stored.status,
        headers,
        stored.body.clone(),
        request_time,
        response_time,
    );
    entry.variant = stored.variant.clone();
    entry.tags = stored.tags.clone();
    entry
}

/// The headers to send with a stored response: the stored ones with `Age` set to
/// `age` and targeted fields removed.
pub fn served_headers(stored: &HeaderMap, age: u64, config: &PolicyConfig) -> HeaderMap {
    let mut headers = stored.clone();
    headers.insert(http::header::AGE, HeaderValue::from(age));
    strip_targeted(&mut headers, config);
    headers
}

/// Removes the targeted fields this cache obeys (RFC 9213: they are for this cache,
/// not for those downstream).
pub fn strip_targeted(headers: &mut HeaderMap, config: &PolicyConfig) {
    for name in &config.targeted_fields {
        headers.remove(name);
    }
}

/// A header map from literal pairs (tests).
#[cfg(test)]
pub(crate) fn header_map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_static(value));
    }
    map
}
