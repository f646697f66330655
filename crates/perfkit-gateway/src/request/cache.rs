//! The cache phase: adapts HTTP requests and responses to `perfkit-cache`'s RFC 9111
//! policy and two-layer store. The calls follow the library's reference order: key →
//! request directives / origin preconditions → lookup → reuse decision (fresh, stale,
//! revalidate, `only-if-cached`) → single-flight on a miss → conditional request and
//! `304` merging → `stale-if-error` → store plan → store (a body up to
//! `max_object_size`; anything larger streams through unbuffered) → invalidation after
//! unsafe methods → `Cache-Status`.
//!
//! Invariants: a response the policy does not let this cache store (private,
//! `no-store`, `Set-Cookie`, `Authorization` without an explicit allowance) is never
//! given to another client — coalesced waiters of such a fill go to the origin
//! themselves; the host is part of every key; nothing is stored that the origin did
//! not mark cacheable (no extension rules).

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::{Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::request::Parts;
use http::{Method, Request, Response, StatusCode, Uri};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use perfkit_cache::policy::{
    self, CacheStatus, Combined, Conditional, Forward, HeadUpdate, KeyBuilder, RangeAnswer, Reuse,
    Validated,
};
use perfkit_cache::{
    Cache, Entry, Flight, L2Status, Layer, Leader, Purge, ResponseToStore, StoredResponse, Target,
};
use perfkit_config::{PathPattern, RouteCacheConfig, TagTemplate};

use super::cdn::CdnHeaders;
use super::forward::{forward, Outbound};
use super::forwarded::ClientPeer;
use super::local;
use crate::admin::metrics::Metrics;
use crate::body::{RequestBody, ResponseBody};
use crate::listen::interim::Interim;
use crate::runtime::View;
use crate::upstream::http1::UpstreamBody;
use crate::Shared;

/// This cache's name in `Cache-Status`.
const NAME: &str = "perfkit";

/// `X-Cache` values.
const HIT: HeaderValue = HeaderValue::from_static("HIT");
const MISS: HeaderValue = HeaderValue::from_static("MISS");
const STALE: HeaderValue = HeaderValue::from_static("STALE");
const BYPASS: HeaderValue = HeaderValue::from_static("BYPASS");
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
const CACHE_STATUS: HeaderName = HeaderName::from_static("cache-status");
/// Origin response field whose space-separated values tag the stored entry (for
/// purges by tag).
const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");
/// Every entry is also tagged with its route (`perfkit-route:` + label), so a
/// reload that changes the route's cache settings can flush what it stored, and an
/// admin purge by that tag empties one route. Not sent downstream.
pub const ROUTE_TAG_PREFIX: &str = "perfkit-route:";

const SURROGATE_CAPABILITY: HeaderName = HeaderName::from_static("surrogate-capability");

/// A route's cache settings, compiled once per configuration generation.
#[derive(Debug)]
pub struct RouteCache {
    /// Builds request keys (query normalisation, selected headers and cookies).
    keys: KeyBuilder,
    /// The same without headers and cookies: the prefix every key of a URL starts
    /// with, used to invalidate all of them.
    url_keys: KeyBuilder,
    policy: policy::PolicyConfig,
    /// `Surrogate-Capability` sent to the origin when the route obeys `Surrogate-Control`.
    surrogate_capability: Option<HeaderValue>,
    x_cache: bool,
    max_object_size: u64,
    max_variants: usize,
    /// The route's path pattern, whose captures fill `tags`.
    pattern: Option<PathPattern>,
    /// Tags every stored entry gets (`user:{id}`).
    tags: Vec<TagTemplate>,
    /// Headers for CDNs downstream, on shareable responses.
    cdn: Option<CdnHeaders>,
    /// `perfkit-route:` + the route's label, on every entry the route stores.
    route_tag: String,
    /// The route's request counters by layer and outcome.
    counters: Counters,
}

/// Layers in `perfkit_cache_requests_total`'s `layer` label.
const LAYERS: [&str; 3] = ["l1", "l2", "origin"];
/// Outcomes, in [`Outcome`]'s order.
const OUTCOMES: [Outcome; 5] = [
    Outcome::Hit,
    Outcome::Stale,
    Outcome::Revalidated,
    Outcome::Miss,
    Outcome::Bypass,
];

/// One route's `perfkit_cache_requests_total` series, one per (layer, outcome),
/// each looked up by its labels on its first use only (so, as before, a series
/// appears once it has counted something).
#[derive(Debug, Default)]
struct Counters([OnceLock<prometheus::IntCounter>; LAYERS.len() * OUTCOMES.len()]);

impl Counters {
    /// Counts one request answered by `layer` (`None`: the origin) with `outcome`.
    fn count(&self, metrics: &Metrics, route: &str, layer: Option<Layer>, outcome: Outcome) {
        let layer = match layer {
            Some(Layer::L1) => 0,
            Some(Layer::L2) => 1,
            None => 2,
        };
        let slot = layer * OUTCOMES.len() + outcome as usize;
        self.0[slot]
            .get_or_init(|| metrics.cache_request_counter(route, LAYERS[layer], outcome.label()))
            .inc();
    }
}

impl RouteCache {
    /// `None` when the route does not cache.
    pub fn build(
        route: Option<&RouteCacheConfig>,
        global: &perfkit_config::CacheConfig,
        pattern: Option<&PathPattern>,
        label: &str,
    ) -> Option<Box<RouteCache>> {
        let route = route.filter(|r| r.enabled && global.enabled)?;
        let key = &route.key;
        let url_keys = KeyBuilder {
            sort_query: key.sort_query,
            allow_params: key.query_allow.clone(),
            deny_params: key.query_deny.clone(),
            headers: Vec::new(),
            cookies: Vec::new(),
            lowercase_host: true,
        };
        let keys = KeyBuilder {
            headers: key
                .headers
                .iter()
                .filter_map(|h| HeaderName::from_bytes(h.as_bytes()).ok())
                .collect(),
            cookies: key.cookies.clone(),
            ..url_keys.clone()
        };
        let targeted_fields: Vec<HeaderName> = route
            .targeted_fields
            .as_ref()
            .unwrap_or(&global.targeted_fields)
            .iter()
            .filter_map(|h| HeaderName::from_bytes(h.as_bytes()).ok())
            .collect();
        // A route that obeys Surrogate-Control announces this cache's device token to
        // the origin, which may target directives at it (Edge Architecture 1.0).
        let surrogate = targeted_fields
            .iter()
            .any(|f| f.as_str() == "surrogate-control");
        let surrogate_capability = surrogate
            .then(|| {
                HeaderValue::from_str(&format!("{}=\"Surrogate/1.0\"", global.surrogate_device))
                    .ok()
            })
            .flatten();
        Some(Box::new(RouteCache {
            keys,
            url_keys,
            policy: policy::PolicyConfig {
                heuristic: global.heuristic_freshness.then(policy::Heuristic::default),
                targeted_fields,
                store_error_statuses: global.store_error_statuses,
                store_set_cookie: global.store_set_cookie,
                keep_stale: global.keep_stale,
                store_partial: global.store_partial,
                surrogate_device: surrogate.then(|| global.surrogate_device.clone()),
                select_language: route.select_language,
            },
            surrogate_capability,
            x_cache: route.x_cache_header,
            max_object_size: global.max_object_size.0,
            max_variants: global.max_variants.get(),
            pattern: pattern.cloned(),
            // A validated config has only well-formed templates.
            tags: route.tag_templates().unwrap_or_default(),
            cdn: route.cdn.as_ref().map(CdnHeaders::build),
            route_tag: format!("{ROUTE_TAG_PREFIX}{label}"),
            counters: Counters::default(),
        }))
    }

    /// The tags a stored response to a request for `path` carries: the response's own
    /// (`headers`), the route's templates filled for `path`, and the route's own tag.
    fn stored_tags(&self, headers: &HeaderMap, path: &str) -> Vec<String> {
        let mut tags = tags(headers);
        tags.extend(self.route_tags(path));
        tags.push(self.route_tag.clone());
        tags
    }

    /// The route's tags for a request to `path`, filled from the pattern's captures;
    /// a template whose capture is missing is left out.
    fn route_tags(&self, path: &str) -> Vec<String> {
        if self.tags.is_empty() {
            return Vec::new();
        }
        let captures = self
            .pattern
            .as_ref()
            .and_then(|p| p.captures(path))
            .unwrap_or_default();
        // `/users/%41` is user `A`: tags name the decoded value, as the origin sees it.
        let decoded: Vec<(&str, String)> = captures
            .iter()
            .map(|(name, value)| (*name, percent_decode(value)))
            .collect();
        let captures: Vec<(&str, &str)> = decoded
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        self.tags
            .iter()
            .filter_map(|t| t.render(&captures))
            .collect()
    }

    /// Sets the CDN headers, if configured, on a response the cache may share.
    fn cdn_headers<'t>(&self, headers: &mut HeaderMap, tags: impl Iterator<Item = &'t str>) {
        if let Some(cdn) = &self.cdn {
            cdn.apply(headers, tags);
        }
    }

    /// The key every stored variant of `host` + `path_and_query` starts with.
    pub fn url_key(&self, host: &str, path_and_query: &str) -> String {
        self.url_keys.build(
            &Method::GET,
            "http",
            host,
            path_and_query,
            &HeaderMap::new(),
        )
    }
}

/// A path segment with its `%XX` escapes decoded (RFC 3986 §2.1); kept as it is when
/// an escape is malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                None => return text.to_owned(),
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// How a request was answered, for metrics and `X-Cache`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Hit,
    Stale,
    Revalidated,
    Miss,
    Bypass,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Hit => "hit",
            Outcome::Stale => "stale",
            Outcome::Revalidated => "revalidated",
            Outcome::Miss => "miss",
            Outcome::Bypass => "bypass",
        }
    }

    fn x_cache(self) -> HeaderValue {
        match self {
            Outcome::Hit | Outcome::Revalidated => HIT,
            Outcome::Stale => STALE,
            Outcome::Miss => MISS,
            Outcome::Bypass => BYPASS,
        }
    }
}

/// What the cache phase needs to reach the origin (phase 4) on its own terms.
pub(super) struct Origin<'a> {
    pub shared: &'a Arc<Shared>,
    pub view: &'a Arc<View>,
    pub route_index: usize,
    pub upstream: usize,
    pub parts: &'a Parts,
    /// The path the upstream sees (after `strip_prefix`).
    pub path_and_query: &'a str,
    pub hash: u64,
    /// The route's metrics label.
    pub label: &'a str,
    pub forwarded: Option<&'a ClientPeer>,
    /// Where the origin's interim (`1xx`) responses go to the client; `None` in the
    /// background.
    pub interim: Option<&'a Interim>,
}

impl Origin<'_> {
    /// Sends `method` with `headers` (no body) to the route's upstream, with the
    /// route's `Surrogate-Capability`.
    async fn fetch(
        &self,
        rc: &RouteCache,
        method: Method,
        mut headers: HeaderMap,
    ) -> Response<ResponseBody> {
        if let Some(capability) = &rc.surrogate_capability {
            headers.append(SURROGATE_CAPABILITY, capability.clone());
        }
        let mut parts = Request::new(()).into_parts().0;
        parts.method = method;
        parts.uri = self.parts.uri.clone();
        parts.version = self.parts.version;
        parts.headers = headers;
        let outbound = Outbound {
            parts: &parts,
            path_and_query: self.path_and_query,
            hash: self.hash,
            retryable: true,
            forwarded: self.forwarded,
            interim: self.interim,
        };
        forward(
            self.shared,
            self.view,
            self.upstream,
            outbound,
            &mut Some(RequestBody::Empty),
        )
        .await
    }
}

/// One cacheable request (`GET` or `HEAD` without a body) on a caching route; `host`
/// is the request's host without port.
pub(super) async fn through(
    origin: Origin<'_>,
    host: &str,
    cache: &Cache,
    rc: &RouteCache,
) -> Response<ResponseBody> {
    let parts = origin.parts;
    let request = &parts.headers;
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let key = rc
        .keys
        .build(&parts.method, "http", host, path_and_query, request);
    let mut status = CacheStatus::new(NAME);
    let (response, outcome, layer) = if policy::has_origin_preconditions(request) {
        status.fwd = Some(Forward::Request);
        let sent = cache.now();
        let response = origin
            .fetch(rc, parts.method.clone(), request.clone())
            .await;
        status.fwd_status = Some(response.status().as_u16());
        if parts.method == Method::HEAD {
            freshen_from_head(cache, rc, &key, request, &response, sent).await;
        }
        (response, Outcome::Bypass, None)
    } else {
        match cache
            .lookup_response_with(&key, request, rc.policy.select_language)
            .await
        {
            // An incomplete entry answers only a range it holds (§3.3).
            Ok(found) if !policy::can_answer(&parts.method, request, &found.entry) => {
                status.fwd = Some(Forward::Partial);
                let completion = policy::completion(&parts.method, request, &found.entry)
                    .filter(|_| policy::on_miss(request) != Reuse::GatewayTimeout);
                let (response, outcome) = match completion {
                    Some(completion) => {
                        complete(&origin, cache, rc, &key, &found, completion, &mut status).await
                    }
                    None => miss(&origin, cache, rc, &key, &mut status).await,
                };
                (response, outcome, None)
            }
            Ok(found) => {
                let layer = found.layer;
                let (response, outcome) =
                    stored(&origin, cache, rc, &key, found, &mut status).await;
                (response, outcome, Some(layer))
            }
            Err(fwd) => {
                status.fwd = Some(fwd);
                let (response, outcome) = miss(&origin, cache, rc, &key, &mut status).await;
                (response, outcome, None)
            }
        }
    };
    let l2 = cache.l2_status();
    if l2 == L2Status::Down && status.detail.is_none() {
        status.detail = Some("l2-down".into());
    } else if layer == Some(Layer::L2) && status.detail.is_none() {
        status.detail = Some("l2".into());
    }
    rc.counters
        .count(&origin.shared.metrics, origin.label, layer, outcome);
    finish(response, &status, rc, outcome)
}

/// A request of another method than `GET`/`HEAD` (or with a body) on a caching
/// route, once the origin answered (`sent`: when the request went out). In this
/// order:
///
/// 1. invalidation (RFC 9111 §4.4): an unsafe method's non-error response drops
///    what was stored for the target URI and the same-origin `Location` /
///    `Content-Location` URIs, everywhere (L1, L2, the other instances);
/// 2. then a `POST` response that describes the target resource itself
///    (`policy::post_reusable`: a `200` with explicit freshness and `Content-Location`
///    equal to the target URI) is stored as the target's `GET` response (RFC 9111
///    §2, §4), under the usual storage rules (`plan_store`: never with `no-store`,
///    `private`, an unauthorised `Authorization`, a default-config `Set-Cookie`).
///
/// Storing after invalidating is what makes it right: the invalidation removes the
/// representations the `POST` may have changed; the response stored next is the
/// representation the origin says the resource has now. The other way round, the
/// invalidation would drop the response just stored.
pub(super) async fn after_unsafe(
    origin: Origin<'_>,
    host: &str,
    cache: &Cache,
    rc: &RouteCache,
    response: Response<ResponseBody>,
    sent: SystemTime,
) -> Response<ResponseBody> {
    let parts = origin.parts;
    let target = target_uri(parts);
    if let Some(target) = &target {
        invalidate_after(cache, rc, parts, target, &response).await;
    }
    let reusable = target.as_ref().is_some_and(|target| {
        policy::post_reusable(
            &parts.method,
            target,
            response.status(),
            response.headers(),
            &rc.policy,
        )
    });
    if !reusable {
        return bypassed(response, rc, origin.shared, origin.label);
    }
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let key = rc
        .keys
        .build(&Method::GET, "http", host, path_and_query, &parts.headers);
    let mut status = CacheStatus::new(NAME);
    status.fwd = Some(Forward::Method);
    let response = store(&origin, cache, rc, &key, response, None, &mut status, sent).await;
    rc.counters
        .count(&origin.shared.metrics, origin.label, None, Outcome::Bypass);
    finish(response, &status, rc, Outcome::Bypass)
}

/// The request's absolute target URI, its authority from `Host`.
fn target_uri(parts: &Parts) -> Option<Uri> {
    let authority = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or("");
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    format!("http://{authority}{path_and_query}")
        .parse::<Uri>()
        .ok()
}

/// After an unsafe method on a caching route: drops what the response invalidates
/// (the target, and `Location`/`Content-Location` on the same origin).
async fn invalidate_after(
    cache: &Cache,
    rc: &RouteCache,
    parts: &Parts,
    target: &Uri,
    response: &Response<ResponseBody>,
) {
    if policy::is_safe(&parts.method) {
        return;
    }
    for uri in
        policy::invalidated_uris(&parts.method, target, response.status(), response.headers())
    {
        let host = uri.host().unwrap_or("");
        let key = rc.url_key(host, uri.path_and_query().map_or("/", |p| p.as_str()));
        cache.invalidate_url(&key, Purge::Hard).await;
    }
}

/// A bypassed request's response, with its `Cache-Status`.
fn bypassed(
    response: Response<ResponseBody>,
    rc: &RouteCache,
    shared: &Shared,
    label: &str,
) -> Response<ResponseBody> {
    let mut status = CacheStatus::new(NAME);
    status.fwd = Some(Forward::Method);
    status.fwd_status = Some(response.status().as_u16());
    rc.counters
        .count(&shared.metrics, label, None, Outcome::Bypass);
    finish(response, &status, rc, Outcome::Bypass)
}

fn finish(
    mut response: Response<ResponseBody>,
    status: &CacheStatus,
    rc: &RouteCache,
    outcome: Outcome,
) -> Response<ResponseBody> {
    let headers = response.headers_mut();
    // Targeted fields are for this cache, whatever path the response took.
    policy::strip_targeted(headers, &rc.policy);
    let mut value = String::with_capacity(64);
    status.write_to(&mut value);
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(CACHE_STATUS, value);
    }
    if rc.x_cache {
        headers.insert(X_CACHE, outcome.x_cache());
    }
    response
}

/// The cache's own validators replace the client's when it revalidates or fills.
fn without_client_conditionals(request: &HeaderMap) -> HeaderMap {
    let mut headers = request.clone();
    for name in [
        header::IF_NONE_MATCH,
        header::IF_MODIFIED_SINCE,
        header::IF_MATCH,
        header::IF_UNMODIFIED_SINCE,
    ] {
        headers.remove(name);
    }
    headers
}

/// A stored response was found: serve it, serve it stale, or revalidate it.
async fn stored(
    origin: &Origin<'_>,
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    found: StoredResponse,
    status: &mut CacheStatus,
) -> (Response<ResponseBody>, Outcome) {
    let request = &origin.parts.headers;
    let decision = policy::evaluate_reuse(request, &found.entry, cache.now(), &rc.policy);
    status.ttl = Some(decision.ttl);
    match decision.reuse {
        Reuse::Fresh => {
            status.hit = true;
            let response = respond_from(&found.entry, origin.parts, decision.age, rc);
            (response, Outcome::Hit)
        }
        Reuse::Stale { revalidate } => {
            status.hit = true;
            if revalidate {
                revalidate_in_background(origin, cache, key, &found);
            }
            let response = respond_from(&found.entry, origin.parts, decision.age, rc);
            (response, Outcome::Stale)
        }
        Reuse::GatewayTimeout => {
            status.detail = Some("only-if-cached".into());
            (gateway_timeout(), Outcome::Bypass)
        }
        Reuse::Revalidate => {
            status.fwd = Some(decision.forward.unwrap_or(Forward::Stale));
            revalidate(origin, cache, rc, key, &found, status).await
        }
    }
}

fn gateway_timeout() -> Response<ResponseBody> {
    local(
        StatusCode::GATEWAY_TIMEOUT,
        "only-if-cached: nothing usable is stored",
    )
}

/// The stored response for this request: `304` when the client's own validators
/// match, otherwise the stored status, headers (with `Age`) and body (none for HEAD).
fn respond_from(entry: &Entry, parts: &Parts, age: u64, rc: &RouteCache) -> Response<ResponseBody> {
    match policy::evaluate_conditional(&parts.method, &parts.headers, &entry.headers) {
        Conditional::NotModified => {
            let mut headers = policy::not_modified_headers(&entry.headers);
            headers.insert(header::AGE, HeaderValue::from(age));
            rc.cdn_headers(&mut headers, entry.tags.iter().map(|t| &**t));
            let mut response = Response::new(ResponseBody::full(Bytes::new()));
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            *response.headers_mut() = headers;
            response
        }
        Conditional::Proceed => {
            // Built once per stored entry, with a slot for the `Cache-Status` that
            // `finish` sets.
            let mut headers = policy::served_response_headers(entry, age, &rc.policy);
            rc.cdn_headers(&mut headers, entry.tags.iter().map(|t| &**t));
            if let Some(range) = policy::partial_answer(&parts.method, &parts.headers, entry) {
                return partial_response(entry, range, headers);
            }
            let length = entry.body.len() as u64;
            let (code, body) =
                match policy::byte_range(&parts.method, &parts.headers, entry.status, length) {
                    RangeAnswer::Full if parts.method == Method::HEAD => {
                        (entry.status, Bytes::new())
                    }
                    RangeAnswer::Full => (entry.status, entry.body.clone()),
                    RangeAnswer::Partial { start, end } => {
                        let range = format!("bytes {start}-{end}/{length}");
                        if let Ok(value) = HeaderValue::from_str(&range) {
                            headers.insert(header::CONTENT_RANGE, value);
                        }
                        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start + 1));
                        let body = entry.body.slice(start as usize..=end as usize);
                        (StatusCode::PARTIAL_CONTENT, body)
                    }
                    RangeAnswer::Unsatisfiable => {
                        if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
                            headers.insert(header::CONTENT_RANGE, value);
                        }
                        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
                        (StatusCode::RANGE_NOT_SATISFIABLE, Bytes::new())
                    }
                };
            let mut response = Response::new(ResponseBody::full(body));
            *response.status_mut() = code;
            *response.headers_mut() = headers;
            response
        }
    }
}

/// A `206` for `range`, cut from an incomplete stored response that holds it; its
/// `headers` are the stored ones, whose `Content-Range` names the stored span.
fn partial_response(
    entry: &Entry,
    range: policy::ContentRange,
    mut headers: HeaderMap,
) -> Response<ResponseBody> {
    let text = format!(
        "bytes {}-{}/{}",
        range.start, range.end, range.complete_length
    );
    if let Ok(value) = HeaderValue::from_str(&text) {
        headers.insert(header::CONTENT_RANGE, value);
    }
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(range.end - range.start + 1),
    );
    let mut response = Response::new(ResponseBody::full(policy::partial_body(entry, range)));
    *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    *response.headers_mut() = headers;
    response
}

/// Nothing stored for this request: `504` for `only-if-cached`, otherwise one fill
/// per key (single-flight); waiters use what the fill stored, or go to the origin
/// themselves when it stored nothing (private, `no-store`, too large, failed...).
async fn miss(
    origin: &Origin<'_>,
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    status: &mut CacheStatus,
) -> (Response<ResponseBody>, Outcome) {
    let request = &origin.parts.headers;
    if policy::on_miss(request) == Reuse::GatewayTimeout {
        status.detail = Some("only-if-cached".into());
        return (gateway_timeout(), Outcome::Bypass);
    }
    let headers = without_client_conditionals(request);
    if origin.parts.method == Method::HEAD {
        // A HEAD response cannot fill a GET entry; it gets the CDN headers a GET
        // response with the same fields would get.
        let sent = cache.now();
        let mut response = origin.fetch(rc, Method::HEAD, headers).await;
        status.fwd_status = Some(response.status().as_u16());
        let shareable = policy::plan_store(
            &Method::GET,
            request,
            response.status(),
            response.headers(),
            sent,
            &rc.policy,
        );
        if shareable.is_ok() {
            let mut tags = tags(response.headers());
            tags.extend(rc.route_tags(origin.parts.uri.path()));
            policy::strip_targeted(response.headers_mut(), &rc.policy);
            rc.cdn_headers(response.headers_mut(), tags.iter().map(String::as_str));
        }
        return (response, Outcome::Miss);
    }
    let leader = match cache.join(key) {
        Flight::Leader(leader) => Some(leader),
        Flight::Follower(follower) => {
            if follower.wait().await.is_ok() {
                let found = cache
                    .lookup_response_with(key, request, rc.policy.select_language)
                    .await
                    .ok()
                    .filter(|f| policy::can_answer(&origin.parts.method, request, &f.entry));
                if let Some(found) = found {
                    let decision =
                        policy::evaluate_reuse(request, &found.entry, cache.now(), &rc.policy);
                    if decision.reuse == Reuse::Fresh {
                        status.hit = true;
                        status.collapsed = true;
                        status.fwd = None;
                        status.ttl = Some(decision.ttl);
                        let response = respond_from(&found.entry, origin.parts, decision.age, rc);
                        return (response, Outcome::Hit);
                    }
                }
            }
            None
        }
    };
    let request_time = cache.now();
    let response = origin.fetch(rc, Method::GET, headers).await;
    let response = store(
        origin,
        cache,
        rc,
        key,
        response,
        leader,
        status,
        request_time,
    )
    .await;
    (response, Outcome::Miss)
}

/// A `GET` of the whole representation whose stored response is a prefix or suffix
/// of it (RFC 9111 §3.4): the origin is asked only for the missing bytes, with
/// `If-Range` on the stored strong validator. A `206` of exactly those bytes with
/// the same strong validator is combined with the stored part into a complete `200`,
/// stored and sent; a `200` (the representation changed, or the origin ignores
/// ranges) is an ordinary fill; a part that does not fit makes a full request.
async fn complete(
    origin: &Origin<'_>,
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    found: &StoredResponse,
    completion: policy::Completion,
    status: &mut CacheStatus,
) -> (Response<ResponseBody>, Outcome) {
    let request = &origin.parts.headers;
    let mut headers = without_client_conditionals(request);
    headers.insert(header::RANGE, completion.range.clone());
    headers.insert(header::IF_RANGE, completion.if_range.clone());
    let sent = cache.now();
    let response = origin.fetch(rc, Method::GET, headers).await;
    if response.status() != StatusCode::PARTIAL_CONTENT {
        let response = store(origin, cache, rc, key, response, None, status, sent).await;
        return (response, Outcome::Miss);
    }
    let received = cache.now();
    let (head, body) = response.into_parts();
    // The part is read only when it is the one asked for and fits in an entry.
    let fits = policy::content_range(&head.headers) == Some(completion.missing)
        && completion.missing.end - completion.missing.start < rc.max_object_size;
    let body = match fits {
        true => body.collect().await.ok().map(|c| c.to_bytes()),
        false => None,
    };
    let merged = body.and_then(|body| {
        policy::completed(
            &found.entry,
            &completion,
            request,
            head.status,
            &head.headers,
            &body,
            received,
            &rc.policy,
            rc.max_object_size,
        )
    });
    let Some((plan, body)) = merged else {
        // The part does not complete what is stored: ask for the whole.
        return miss(origin, cache, rc, key, status).await;
    };
    status.fwd_status = Some(StatusCode::PARTIAL_CONTENT.as_u16());
    let tags = rc.stored_tags(&plan.headers, origin.parts.uri.path());
    let mut entry = Entry::response(
        StatusCode::OK,
        plan.headers.clone(),
        body.clone(),
        sent,
        received,
    );
    entry.tags = tags.iter().map(|t| t.as_str().into()).collect();
    let whole = ResponseToStore {
        status: StatusCode::OK,
        plan,
        body,
        request_time: sent,
        response_time: received,
        tags,
    };
    status.stored = cache
        .store_response(key, request, whole, rc.max_variants)
        .await
        .is_ok();
    let decision = policy::evaluate_reuse(&HeaderMap::new(), &entry, received, &rc.policy);
    (
        respond_from(&entry, origin.parts, decision.age, rc),
        Outcome::Miss,
    )
}

/// The origin's full answer to a `GET`: stored when the policy allows and it fits,
/// and passed on to the client either way. A body of known size up to
/// `max_object_size` is read first (the waiters need it); a body of unknown size is
/// teed, and stored only if it ends within the limit; a larger one streams through.
#[allow(clippy::too_many_arguments)]
async fn store(
    origin: &Origin<'_>,
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    response: Response<ResponseBody>,
    leader: Option<Leader>,
    status: &mut CacheStatus,
    request_time: SystemTime,
) -> Response<ResponseBody> {
    let response_time = cache.now();
    let request = &origin.parts.headers;
    status.fwd_status = Some(response.status().as_u16());
    let (mut head, body) = response.into_parts();
    let plan = policy::plan_store(
        &Method::GET,
        request,
        head.status,
        &head.headers,
        response_time,
        &rc.policy,
    );
    let plan = match plan {
        Ok(plan) => plan,
        Err(why) => {
            status.detail = Some(why.as_str().into());
            if let Some(leader) = leader {
                leader.not_shareable();
            }
            policy::strip_targeted(&mut head.headers, &rc.policy);
            return Response::from_parts(head, body);
        }
    };
    let tags = rc.stored_tags(&head.headers, origin.parts.uri.path());
    // A 204 has no body (RFC 9110 §15.3.5), whatever its fields say.
    let length = if head.status == StatusCode::NO_CONTENT {
        Some(0)
    } else {
        head.headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    policy::strip_targeted(&mut head.headers, &rc.policy);
    // The plan holds the origin's headers for storing; these go downstream only.
    rc.cdn_headers(&mut head.headers, tags.iter().map(String::as_str));
    let job = StoreJob {
        cache: cache.clone(),
        key: key.to_owned(),
        request: request.clone(),
        status: head.status,
        plan,
        request_time,
        response_time,
        tags,
        max_variants: rc.max_variants,
        max_object_size: rc.max_object_size,
        leader,
        metrics: Arc::clone(&origin.shared.metrics),
        label: origin.label.to_owned(),
    };
    match (length, body) {
        (Some(length), body) if length > rc.max_object_size => {
            status.detail = Some("too-large".into());
            if let Some(leader) = job.leader {
                leader.not_shareable();
            }
            Response::from_parts(head, body)
        }
        (Some(_), body) => match body.collect().await {
            Ok(collected) => {
                let bytes = collected.to_bytes();
                status.stored = job.run(bytes.clone()).await;
                Response::from_parts(head, ResponseBody::full(bytes))
            }
            Err(_) => local(
                StatusCode::BAD_GATEWAY,
                "upstream response body was cut short",
            ),
        },
        (None, ResponseBody::Upstream(body)) => {
            let tee = Tee {
                body,
                buffer: Some(BytesMut::new()),
                limit: rc.max_object_size,
                job: Some(job),
            };
            Response::from_parts(head, ResponseBody::Tee(Box::new(tee)))
        }
        (None, body) => {
            if let Some(leader) = job.leader {
                leader.not_shareable();
            }
            Response::from_parts(head, body)
        }
    }
}

/// Tags for purges, from the origin's `Surrogate-Key` field.
fn tags(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(SURROGATE_KEY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split_ascii_whitespace())
        .map(str::to_owned)
        .collect()
}

/// Everything needed to store one response once its body is complete.
struct StoreJob {
    cache: Cache,
    key: String,
    request: HeaderMap,
    status: StatusCode,
    plan: policy::StorePlan,
    request_time: SystemTime,
    response_time: SystemTime,
    tags: Vec<String>,
    max_variants: usize,
    /// Parts are not combined past this (`max_object_size`).
    max_object_size: u64,
    leader: Option<Leader>,
    metrics: Arc<crate::admin::metrics::Metrics>,
    label: String,
}

impl std::fmt::Debug for StoreJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreJob")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl StoreJob {
    /// Stores the response with `body`, then releases the waiters. True when stored
    /// (in L1 at least).
    async fn run(mut self, mut body: Bytes) -> bool {
        let mut status = self.status;
        if status == StatusCode::PARTIAL_CONTENT {
            // §3.4: combined with the stored part of the same representation.
            let stored = self.cache.lookup_response(&self.key, &self.request).await;
            if let Ok(found) = stored {
                match policy::combine_partial(
                    &found.entry,
                    &self.plan.headers,
                    &body,
                    self.max_object_size,
                ) {
                    Combined::Merged {
                        status: merged,
                        headers,
                        body: union,
                    } => {
                        status = merged;
                        self.plan.headers = headers;
                        body = union;
                    }
                    Combined::AlreadyComplete => {
                        if let Some(leader) = self.leader {
                            leader.complete(Arc::new(Entry::value(Bytes::new())));
                        }
                        return false;
                    }
                    Combined::Separate => {}
                }
            }
        }
        let length = body.len() as u64;
        let response = ResponseToStore {
            status,
            plan: self.plan,
            body,
            request_time: self.request_time,
            response_time: self.response_time,
            tags: self.tags,
        };
        let stored = self
            .cache
            .store_response(&self.key, &self.request, response, self.max_variants)
            .await;
        // An L2 failure still left the response in L1.
        let stored = match stored {
            Ok(_) => true,
            Err(error) => {
                tracing::debug!(%error, key = %self.key, "cache store: L2 failed");
                self.cache.get_l1(&self.key).is_some()
            }
        };
        if stored {
            self.metrics.cache_stored(&self.label, length);
        }
        if let Some(leader) = self.leader {
            if stored {
                // Waiters look the variant up themselves (Vary), so any entry will do.
                let marker = Arc::new(Entry::value(Bytes::new()));
                leader.complete(marker);
            } else {
                leader.not_shareable();
            }
        }
        stored
    }
}

/// Streams an upstream body of unknown length to the client while keeping a copy up
/// to the size limit; stores it when the body ends within the limit. Past the limit
/// the copy is dropped and the rest streams through unbuffered.
#[derive(Debug)]
pub struct Tee {
    body: UpstreamBody,
    buffer: Option<BytesMut>,
    limit: u64,
    job: Option<StoreJob>,
}

impl Tee {
    /// Gives up storing: waiters go to the origin themselves.
    fn abandon(&mut self) {
        self.buffer = None;
        if let Some(job) = self.job.take() {
            if let Some(leader) = job.leader {
                leader.not_shareable();
            }
        }
    }
}

impl Drop for Tee {
    fn drop(&mut self) {
        self.abandon();
    }
}

impl Body for Tee {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(data), Some(buffer)) = (frame.data_ref(), this.buffer.as_mut()) {
                    if (buffer.len() + data.len()) as u64 > this.limit {
                        this.abandon();
                    } else {
                        buffer.extend_from_slice(data);
                    }
                }
            }
            Poll::Ready(Some(Err(_))) => this.abandon(),
            Poll::Ready(None) => {
                if let (Some(buffer), Some(job)) = (this.buffer.take(), this.job.take()) {
                    tokio::spawn(job.run(buffer.freeze()));
                }
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Validates a stored response with the origin (conditional request), then serves
/// the freshened entry (`304`), the new response, or the stale one when the origin
/// fails and `stale-if-error` allows it.
async fn revalidate(
    origin: &Origin<'_>,
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    found: &StoredResponse,
    status: &mut CacheStatus,
) -> (Response<ResponseBody>, Outcome) {
    let request = &origin.parts.headers;
    let entry = &found.entry;
    let mut headers = without_client_conditionals(request);
    for (name, value) in &policy::conditional_headers(&entry.headers) {
        headers.append(name.clone(), value.clone());
    }
    // A HEAD is validated with a HEAD (§4.3.5 then updates the stored response).
    let method = if origin.parts.method == Method::HEAD {
        Method::HEAD
    } else {
        Method::GET
    };
    let sent = cache.now();
    let response = origin.fetch(rc, method.clone(), headers).await;
    let received = cache.now();
    let code = response.status();
    if policy::stale_if_error(request, entry, Some(code), received, &rc.policy) {
        status.fwd_status = Some(code.as_u16());
        status.hit = true;
        status.detail = Some("stale-if-error".into());
        let decision = policy::evaluate_reuse(&HeaderMap::new(), entry, received, &rc.policy);
        return (
            respond_from(entry, origin.parts, decision.age, rc),
            Outcome::Stale,
        );
    }
    match policy::apply_validation(entry, code, response.headers(), sent, received) {
        Validated::Freshened(fresh) => {
            status.fwd_status = Some(304);
            status.stored = refresh(cache, rc, key, request, &found.variant_key, &fresh).await;
            let decision = policy::evaluate_reuse(&HeaderMap::new(), &fresh, received, &rc.policy);
            (
                respond_from(&fresh, origin.parts, decision.age, rc),
                Outcome::Revalidated,
            )
        }
        Validated::Mismatch => {
            let sent = cache.now();
            let response = origin
                .fetch(rc, method.clone(), without_client_conditionals(request))
                .await;
            if method == Method::HEAD {
                return head_answered(origin, cache, rc, key, found, response, sent, status).await;
            }
            let response = store(origin, cache, rc, key, response, None, status, sent).await;
            (response, Outcome::Miss)
        }
        Validated::Replaced if method == Method::HEAD => {
            head_answered(origin, cache, rc, key, found, response, sent, status).await
        }
        Validated::Replaced => {
            let response = store(origin, cache, rc, key, response, None, status, sent).await;
            (response, Outcome::Miss)
        }
    }
}

/// The origin's full answer to a `HEAD` sent to validate `found`: it updates the
/// stored response, and the client gets the updated stored fields (§4.3.5), or it
/// drops it and the client gets the origin's answer.
#[allow(clippy::too_many_arguments)]
async fn head_answered(
    origin: &Origin<'_>,
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    found: &StoredResponse,
    response: Response<ResponseBody>,
    sent: SystemTime,
    status: &mut CacheStatus,
) -> (Response<ResponseBody>, Outcome) {
    status.fwd_status = Some(response.status().as_u16());
    let request = &origin.parts.headers;
    match apply_head(cache, rc, key, request, found, &response, sent).await {
        Some(fresh) => {
            status.stored = true;
            let decision =
                policy::evaluate_reuse(&HeaderMap::new(), &fresh, cache.now(), &rc.policy);
            (
                respond_from(&fresh, origin.parts, decision.age, rc),
                Outcome::Revalidated,
            )
        }
        None => (response, Outcome::Miss),
    }
}

/// Applies a `HEAD` response to the stored `found` (§4.3.5): the freshened entry
/// when it was stored, `None` when the stored response was marked stale or left as is.
async fn apply_head(
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    request: &HeaderMap,
    found: &StoredResponse,
    response: &Response<ResponseBody>,
    sent: SystemTime,
) -> Option<Box<Entry>> {
    let received = cache.now();
    match policy::apply_head(
        &found.entry,
        response.status(),
        response.headers(),
        sent,
        received,
    ) {
        HeadUpdate::Freshened(fresh) => {
            refresh(cache, rc, key, request, &found.variant_key, &fresh)
                .await
                .then_some(fresh)
        }
        HeadUpdate::Stale => {
            cache
                .invalidate(Target::Key(found.variant_key.clone()), Purge::Soft)
                .await;
            None
        }
        HeadUpdate::Unchanged => None,
    }
}

/// RFC 9111 §4.3.5: a `HEAD` the origin answered updates (or, when its validators
/// differ, marks stale) the stored `GET` response the same request would have been served.
async fn freshen_from_head(
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    request: &HeaderMap,
    response: &Response<ResponseBody>,
    sent: SystemTime,
) {
    if let Ok(found) = cache.lookup_response(key, request).await {
        apply_head(cache, rc, key, request, &found, response, sent).await;
    }
}

/// Stores a freshened entry; drops the variant when it may no longer be stored.
async fn refresh(
    cache: &Cache,
    rc: &RouteCache,
    key: &str,
    request: &HeaderMap,
    variant_key: &str,
    fresh: &Entry,
) -> bool {
    let plan = policy::plan_store(
        &Method::GET,
        request,
        fresh.status,
        &fresh.headers,
        fresh.response_time,
        &rc.policy,
    );
    match plan {
        Ok(plan) => {
            let response = ResponseToStore {
                status: fresh.status,
                plan,
                body: fresh.body.clone(),
                request_time: fresh.request_time,
                response_time: fresh.response_time,
                tags: fresh.tags.iter().map(|t| t.to_string()).collect(),
            };
            cache
                .store_response(key, request, response, rc.max_variants)
                .await
                .is_ok()
        }
        Err(_) => {
            cache
                .invalidate(Target::Key(variant_key.to_owned()), Purge::Hard)
                .await;
            false
        }
    }
}

/// `stale-while-revalidate`: one background revalidation per key; other requests
/// keep being served stale meanwhile.
fn revalidate_in_background(origin: &Origin<'_>, cache: &Cache, key: &str, found: &StoredResponse) {
    let Flight::Leader(leader) = cache.join(&format!("revalidate\n{key}")) else {
        return;
    };
    let shared = Arc::clone(origin.shared);
    let view = Arc::clone(origin.view);
    let route_index = origin.route_index;
    let upstream = origin.upstream;
    let hash = origin.hash;
    let forwarded = origin.forwarded.cloned();
    let mut parts = Request::new(()).into_parts().0;
    parts.method = Method::GET;
    parts.uri = origin.parts.uri.clone();
    parts.version = origin.parts.version;
    parts.headers = origin.parts.headers.clone();
    let path_and_query = origin.path_and_query.to_owned();
    let cache = cache.clone();
    let key = key.to_owned();
    let found = found.clone();
    tokio::spawn(async move {
        let Some(route) = view.runtime.router.routes().nth(route_index) else {
            return;
        };
        let Some(rc) = route.cache.as_deref() else {
            return;
        };
        let origin = Origin {
            shared: &shared,
            view: &view,
            route_index,
            upstream,
            parts: &parts,
            path_and_query: &path_and_query,
            hash,
            label: &route.label,
            forwarded: forwarded.as_ref(),
            // No client waits on a background revalidation.
            interim: None,
        };
        let mut status = CacheStatus::new(NAME);
        let (response, _) = revalidate(&origin, &cache, rc, &key, &found, &mut status).await;
        // A replaced response is stored while its body is read.
        let _ = response.into_body().collect().await;
        leader.not_shareable();
    });
}

/// After a reload: flushes the entries of every route whose cache settings changed
/// (or that no longer caches), everywhere the cache reaches (L1 here, L2, and the
/// other instances through the broadcast), since they were stored under the old
/// rules (key, tags, CDN headers).
pub(crate) async fn flush_changed_routes(
    cache: &Cache,
    old: &perfkit_config::Config,
    new: &perfkit_config::Config,
) {
    for route in &old.routes {
        let Some(before) = &route.cache else {
            continue;
        };
        let label = route.label();
        let after = new
            .routes
            .iter()
            .find(|r| r.label() == label)
            .and_then(|r| r.cache.as_ref());
        if after == Some(before) {
            continue;
        }
        let tag = format!("{ROUTE_TAG_PREFIX}{label}");
        let done = cache.invalidate(Target::Tag(tag), Purge::Hard).await;
        tracing::info!(route = %label, flushed = done.l1, "the route's cache settings changed; its entries are flushed");
    }
}

/// The admin API's purge request.
#[derive(Debug)]
pub enum PurgeRequest {
    /// An absolute URL: every variant stored for it.
    Url(String),
    Prefix(String),
    Tag(String),
}

impl PurgeRequest {
    /// What the CDN purge webhooks are sent for this purge.
    pub fn notice(&self, mode: Purge) -> super::cdn::PurgeNotice {
        let (kind, value) = match self {
            PurgeRequest::Url(value) => ("url", value),
            PurgeRequest::Prefix(value) => ("prefix", value),
            PurgeRequest::Tag(value) => ("tag", value),
        };
        super::cdn::PurgeNotice {
            kind,
            value: value.clone(),
            mode,
        }
    }
}

/// Carries out a purge; `Err` is a message for a `400`.
pub async fn purge(
    cache: &Cache,
    runtime: &crate::runtime::Runtime,
    request: PurgeRequest,
    mode: Purge,
) -> Result<perfkit_cache::Invalidated, String> {
    Ok(match request {
        PurgeRequest::Url(url) => {
            let uri: Uri = url.parse().map_err(|_| format!("`{url}` is not a URL"))?;
            let host = uri
                .host()
                .ok_or_else(|| format!("`{url}` needs a host: http://HOST/PATH"))?;
            let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
            let route = runtime
                .router
                .find(host, uri.path())
                .ok_or_else(|| format!("no route matches `{url}`"))?;
            let rc = route
                .cache
                .as_deref()
                .ok_or_else(|| format!("the route for `{url}` does not cache"))?;
            cache
                .invalidate_url(&rc.url_key(host, path_and_query), mode)
                .await
        }
        PurgeRequest::Prefix(prefix) => cache.invalidate(Target::Prefix(prefix), mode).await,
        PurgeRequest::Tag(tag) => cache.invalidate(Target::Tag(tag), mode).await,
    })
}
