//! The RFC 9111 conformance suite: every `tests/rfc9111/*.json` file holds cases
//! (format: `perfkit_testkit::Case`); each case is a sequence of requests at virtual
//! times, the origin's scripted answers, and the expected cache behaviour. A small
//! simulator drives the `policy` functions and a real L1 the way the gateway does,
//! request phase by phase. The gateway's suite runs the same files end to end.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri};
use perfkit_cache::policy::{
    self, CacheStatus, Forward, HeadUpdate, PolicyConfig, RangeAnswer, Reuse, Validated,
};
use perfkit_cache::{Cache, CacheConfig, Entry, Purge, ResponseToStore, Target};
use perfkit_testkit::{Case, Observed, OriginResponse};

/// What the simulated cache answered.
#[derive(Debug)]
struct Answer {
    outcome: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    stored: bool,
    cache_status: CacheStatus,
}

struct Simulator {
    cache: Cache,
    policy: PolicyConfig,
    keys: policy::KeyBuilder,
    start: SystemTime,
    origin: VecDeque<OriginResponse>,
    origin_requests: Vec<(String, HeaderMap)>,
    /// The cache went to the origin when the case scripted no (further) answer.
    unscripted: bool,
    now: SystemTime,
    /// The interim responses passed to the client during the step.
    interim: Vec<(u16, HeaderMap)>,
    /// Whether the origin's interim responses reach the client: an HTTP/1.1 client's
    /// own request, not a background revalidation or an HTTP/1.0 client's.
    interim_to_client: bool,
    /// The path of the step's request.
    path: String,
}

const HOST: &str = "example.test";
const MAX_VARIANTS: usize = 4;
/// The gateway runner's `max_object_size` (64 KiB).
const MAX_OBJECT_SIZE: u64 = 64 << 10;

/// Runs an async cache call from the simulator's synchronous steps.
fn block<F: std::future::Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| runtime.block_on(future))
}

impl Simulator {
    fn new(config: &perfkit_testkit::cache_cases::CaseConfig) -> Simulator {
        let policy = PolicyConfig {
            heuristic: config.heuristic.then(policy::Heuristic::default),
            targeted_fields: config
                .targeted
                .iter()
                .map(|n| HeaderName::from_bytes(n.as_bytes()).unwrap())
                .collect(),
            store_error_statuses: config.store_error_statuses.unwrap_or(true),
            store_set_cookie: config.store_set_cookie,
            store_partial: config.store_partial,
            select_language: config.select_language,
            // The gateway's default device token, on routes that obey Surrogate-Control.
            surrogate_device: config
                .targeted
                .iter()
                .any(|t| t == "surrogate-control")
                .then(|| "perfkit".to_owned()),
            ..PolicyConfig::default()
        };
        let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        Simulator {
            cache: Cache::new(CacheConfig::default()).unwrap(),
            policy,
            keys: policy::KeyBuilder::default(),
            start,
            origin: VecDeque::new(),
            origin_requests: Vec::new(),
            unscripted: false,
            now: start,
            interim: Vec::new(),
            interim_to_client: false,
            path: String::new(),
        }
    }

    fn headers(&self, pairs: &[(String, String)]) -> HeaderMap {
        perfkit_testkit::header_map(pairs, self.now)
    }

    fn drop_key(&self, key: &str) {
        block(
            self.cache
                .invalidate(Target::Key(key.to_owned()), Purge::Hard),
        );
    }

    /// Sends a request to the scripted origin at the current time.
    fn forward(
        &mut self,
        method: &Method,
        mut headers: HeaderMap,
    ) -> Option<(StatusCode, HeaderMap, Bytes, SystemTime, SystemTime)> {
        // Like the gateway, announce the device token Surrogate-Control may target.
        if let Some(device) = &self.policy.surrogate_device {
            let capability = format!("{device}=\"Surrogate/1.0\"");
            headers.append("surrogate-capability", capability.parse().unwrap());
        }
        self.origin_requests.push((method.to_string(), headers));
        let Some(response) = self.origin.pop_front() else {
            self.unscripted = true;
            return None;
        };
        if response.error {
            return None;
        }
        for interim in &response.interim {
            let status = StatusCode::from_u16(interim.status).unwrap();
            if self.interim_to_client && policy::forwards_interim(status) {
                let headers = self.headers(&interim.headers);
                self.interim.push((interim.status, headers));
            }
        }
        let request_time = self.now;
        let response_time = self.now + Duration::from_secs(response.delay);
        let headers = self.headers(&response.headers);
        Some((
            StatusCode::from_u16(response.status).unwrap(),
            headers,
            Bytes::from(response.body),
            request_time,
            response_time,
        ))
    }

    fn key(&self, path: &str) -> String {
        self.keys
            .build(&Method::GET, "http", HOST, path, &HeaderMap::new())
    }

    /// The stored variant for this request, or why there is none.
    fn lookup(&self, key: &str, request: &HeaderMap) -> Result<(String, Arc<Entry>), Forward> {
        block(
            self.cache
                .lookup_response_with(key, request, self.policy.select_language),
        )
        .map(|found| (found.variant_key, found.entry))
    }

    /// Stores a response if the policy allows.
    fn store(
        &self,
        key: &str,
        request: &HeaderMap,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
        times: (SystemTime, SystemTime),
    ) -> Result<(), policy::NotStorable> {
        let mut plan = policy::plan_store(
            &Method::GET,
            request,
            status,
            headers,
            times.1,
            &self.policy,
        )?;
        let (mut status, mut body) = (status, body.clone());
        if status == StatusCode::PARTIAL_CONTENT {
            // §3.4: combined with the stored part of the same representation.
            if let Ok((_, stored)) = self.lookup(key, request) {
                match policy::combine_partial(&stored, &plan.headers, &body, MAX_OBJECT_SIZE) {
                    policy::Combined::Merged {
                        status: merged,
                        headers,
                        body: union,
                    } => {
                        status = merged;
                        plan.headers = headers;
                        body = union;
                    }
                    policy::Combined::AlreadyComplete => return Ok(()),
                    policy::Combined::Separate => {}
                }
            }
        }
        let response = ResponseToStore {
            status,
            plan,
            body,
            request_time: times.0,
            response_time: times.1,
            tags: Vec::new(),
        };
        block(
            self.cache
                .store_response(key, request, response, MAX_VARIANTS),
        )
        .unwrap();
        Ok(())
    }

    fn respond_from(
        &self,
        entry: &Entry,
        method: &Method,
        request: &HeaderMap,
        age: u64,
        outcome: &'static str,
        status: CacheStatus,
    ) -> Answer {
        let headers = policy::served_headers(&entry.headers, age, &self.policy);
        match policy::evaluate_conditional(method, request, &entry.headers) {
            policy::Conditional::NotModified => {
                let mut headers = policy::not_modified_headers(&entry.headers);
                headers.insert(http::header::AGE, HeaderValue::from(age));
                Answer {
                    outcome: "not-modified",
                    status: StatusCode::NOT_MODIFIED,
                    headers,
                    body: Bytes::new(),
                    stored: false,
                    cache_status: status,
                }
            }
            policy::Conditional::Proceed => {
                let mut headers = headers;
                if let Some(range) = policy::partial_answer(method, request, entry) {
                    let text = format!(
                        "bytes {}-{}/{}",
                        range.start, range.end, range.complete_length
                    );
                    headers.insert("content-range", HeaderValue::from_str(&text).unwrap());
                    headers.insert(
                        "content-length",
                        HeaderValue::from(range.end - range.start + 1),
                    );
                    return Answer {
                        outcome,
                        status: StatusCode::PARTIAL_CONTENT,
                        headers,
                        body: policy::partial_body(entry, range),
                        stored: false,
                        cache_status: status,
                    };
                }
                let length = entry.body.len() as u64;
                let (code, body) = match policy::byte_range(method, request, entry.status, length) {
                    RangeAnswer::Full if method == Method::HEAD => (entry.status, Bytes::new()),
                    RangeAnswer::Full => (entry.status, entry.body.clone()),
                    RangeAnswer::Partial { start, end } => {
                        let range = format!("bytes {start}-{end}/{length}");
                        headers.insert("content-range", HeaderValue::from_str(&range).unwrap());
                        headers.insert("content-length", HeaderValue::from(end - start + 1));
                        let body = entry.body.slice(start as usize..=end as usize);
                        (StatusCode::PARTIAL_CONTENT, body)
                    }
                    RangeAnswer::Unsatisfiable => {
                        let range = format!("bytes */{length}");
                        headers.insert("content-range", HeaderValue::from_str(&range).unwrap());
                        headers.insert("content-length", HeaderValue::from(0));
                        (StatusCode::RANGE_NOT_SATISFIABLE, Bytes::new())
                    }
                };
                Answer {
                    outcome,
                    status: code,
                    headers,
                    body,
                    stored: false,
                    cache_status: status,
                }
            }
        }
    }

    fn gateway_timeout(&self) -> Answer {
        let mut status = CacheStatus::new("perfkit");
        status.detail = Some("only-if-cached".into());
        Answer {
            outcome: "gateway-timeout",
            status: StatusCode::GATEWAY_TIMEOUT,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            stored: false,
            cache_status: status,
        }
    }

    /// Passes the origin's answer to the client, storing it when allowed.
    fn forwarded(
        &mut self,
        key: &str,
        method: &Method,
        request: &HeaderMap,
        fwd: Forward,
        answer: Option<(StatusCode, HeaderMap, Bytes, SystemTime, SystemTime)>,
        collapsed_stale: Option<&Entry>,
    ) -> Answer {
        let mut status = CacheStatus::new("perfkit");
        status.fwd = Some(fwd);
        let Some((code, headers, body, sent, received)) = answer else {
            if let Some(stale) = collapsed_stale {
                if policy::stale_if_error(request, stale, None, self.now, &self.policy) {
                    return self.serve_stale_if_error(stale, method, request, status);
                }
            }
            return Answer {
                outcome: "forwarded",
                status: StatusCode::BAD_GATEWAY,
                headers: HeaderMap::new(),
                body: Bytes::new(),
                stored: false,
                cache_status: status,
            };
        };
        status.fwd_status = Some(code.as_u16());
        if let Some(stale) = collapsed_stale {
            if policy::stale_if_error(request, stale, Some(code), self.now, &self.policy) {
                return self.serve_stale_if_error(stale, method, request, status);
            }
        }
        let target: Uri = format!("http://{HOST}{}", self.path).parse().unwrap();
        let storable_method = method == Method::GET
            || policy::post_reusable(method, &target, code, &headers, &self.policy);
        let stored = storable_method
            && self
                .store(key, request, code, &headers, &body, (sent, received))
                .is_ok();
        status.stored = stored;
        let mut out_headers = headers;
        policy::strip_targeted(&mut out_headers, &self.policy);
        Answer {
            outcome: "forwarded",
            status: code,
            headers: out_headers,
            body,
            stored,
            cache_status: status,
        }
    }

    fn serve_stale_if_error(
        &self,
        stale: &Entry,
        method: &Method,
        request: &HeaderMap,
        mut status: CacheStatus,
    ) -> Answer {
        let decision = policy::evaluate_reuse(&HeaderMap::new(), stale, self.now, &self.policy);
        status.detail = Some("stale-if-error".into());
        self.respond_from(
            stale,
            method,
            request,
            decision.age,
            "stale-if-error",
            status,
        )
    }

    /// A route without a cache: the origin's answer passed on as it is.
    fn pass_through(&mut self, method: &Method, request: HeaderMap) -> Answer {
        let answer = self.forward(method, request);
        let (status, headers, body) = match answer {
            Some((status, headers, body, _, _)) => (status, headers, body),
            None => (StatusCode::BAD_GATEWAY, HeaderMap::new(), Bytes::new()),
        };
        let body = if method == Method::HEAD {
            Bytes::new()
        } else {
            body
        };
        Answer {
            outcome: "forwarded",
            status,
            headers,
            body,
            stored: false,
            cache_status: CacheStatus::new("perfkit"),
        }
    }

    /// One request through the cache's phases.
    fn handle(&mut self, method: Method, path: &str, request: HeaderMap) -> Answer {
        let key = self.key(path);
        self.path = path.to_owned();
        // Unsafe (or uncacheable) methods go forward; a success invalidates, then a
        // reusable POST response is stored for later GETs (in `forwarded`).
        if method != Method::GET && method != Method::HEAD {
            let answer = self.forward(&method, request.clone());
            if let Some((status, headers, _, _, _)) = &answer {
                let target: Uri = format!("http://{HOST}{path}").parse().unwrap();
                for uri in policy::invalidated_uris(&method, &target, *status, headers) {
                    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
                    let key = self.key(&path);
                    // The URI's index and every variant under it.
                    block(self.cache.invalidate_url(&key, Purge::Hard));
                }
            }
            return self.forwarded(&key, &method, &request, Forward::Method, answer, None);
        }
        if policy::has_origin_preconditions(&request) {
            let answer = self.forward(&method, request.clone());
            if let (true, Some((code, headers, _, sent, received))) =
                (method == Method::HEAD, &answer)
            {
                let times = (*sent, *received);
                let _ = self.freshen_from_head(&key, &request, *code, headers, times);
            }
            return self.forwarded(&key, &method, &request, Forward::Request, answer, None);
        }
        if let Ok((_, entry)) = self.lookup(&key, &request) {
            if !policy::can_answer(&method, &request, &entry)
                && policy::on_miss(&request) != Reuse::GatewayTimeout
            {
                if let Some(completion) = policy::completion(&method, &request, &entry) {
                    return self.complete(&key, &method, &request, &entry, completion);
                }
            }
        }
        let found = self
            .lookup(&key, &request)
            .and_then(|(variant_key, entry)| {
                // An incomplete entry answers only a range it holds (§3.3).
                if policy::can_answer(&method, &request, &entry) {
                    Ok((variant_key, entry))
                } else {
                    Err(Forward::Partial)
                }
            });
        let (variant_key, entry) = match found {
            Ok(found) => found,
            Err(fwd) => {
                if policy::on_miss(&request) == Reuse::GatewayTimeout {
                    return self.gateway_timeout();
                }
                let mut origin_headers = request.clone();
                strip_client_conditionals(&mut origin_headers);
                let answer = self.forward(&method, origin_headers);
                return self.forwarded(&key, &method, &request, fwd, answer, None);
            }
        };
        let decision = policy::evaluate_reuse(&request, &entry, self.now, &self.policy);
        let mut status = CacheStatus::new("perfkit");
        status.ttl = Some(decision.ttl);
        match decision.reuse {
            Reuse::Fresh => {
                status.hit = true;
                self.respond_from(&entry, &method, &request, decision.age, "hit", status)
            }
            Reuse::Stale { revalidate } => {
                status.hit = true;
                let answer =
                    self.respond_from(&entry, &method, &request, decision.age, "stale", status);
                if revalidate {
                    // The background revalidation, run to completion before the next step;
                    // no client waits on it.
                    let status = CacheStatus::new("perfkit");
                    let to_client = std::mem::replace(&mut self.interim_to_client, false);
                    let _ =
                        self.revalidate(&key, &variant_key, &entry, &Method::GET, &request, status);
                    self.interim_to_client = to_client;
                }
                answer
            }
            Reuse::GatewayTimeout => self.gateway_timeout(),
            Reuse::Revalidate => {
                status.fwd = decision.forward;
                self.revalidate(&key, &variant_key, &entry, &method, &request, status)
            }
        }
    }

    /// RFC 9111 §3.4: a stored prefix or suffix completed by asking only for the
    /// missing bytes (`Range` + `If-Range`); a part that does not fit makes a full
    /// request, a `200` is an ordinary fill.
    fn complete(
        &mut self,
        key: &str,
        method: &Method,
        request: &HeaderMap,
        stored: &Entry,
        completion: policy::Completion,
    ) -> Answer {
        let mut origin_headers = request.clone();
        strip_client_conditionals(&mut origin_headers);
        origin_headers.insert(http::header::RANGE, completion.range.clone());
        origin_headers.insert(http::header::IF_RANGE, completion.if_range.clone());
        let answer = self.forward(&Method::GET, origin_headers);
        let Some((code, headers, body, sent, received)) = answer else {
            return self.forwarded(key, method, request, Forward::Partial, None, None);
        };
        if code != StatusCode::PARTIAL_CONTENT {
            let answer = Some((code, headers, body, sent, received));
            return self.forwarded(key, method, request, Forward::Partial, answer, None);
        }
        let merged = policy::completed(
            stored,
            &completion,
            request,
            code,
            &headers,
            &body,
            received,
            &self.policy,
            MAX_OBJECT_SIZE,
        );
        let Some((plan, body)) = merged else {
            let mut origin_headers = request.clone();
            strip_client_conditionals(&mut origin_headers);
            let answer = self.forward(&Method::GET, origin_headers);
            return self.forwarded(key, method, request, Forward::Partial, answer, None);
        };
        let whole = Entry::response(
            StatusCode::OK,
            plan.headers.clone(),
            body.clone(),
            sent,
            received,
        );
        let response = ResponseToStore {
            status: StatusCode::OK,
            plan,
            body,
            request_time: sent,
            response_time: received,
            tags: Vec::new(),
        };
        block(
            self.cache
                .store_response(key, request, response, MAX_VARIANTS),
        )
        .unwrap();
        let mut status = CacheStatus::new("perfkit");
        status.fwd = Some(Forward::Partial);
        status.fwd_status = Some(206);
        status.stored = true;
        let decision = policy::evaluate_reuse(
            &HeaderMap::new(),
            &whole,
            self.now.max(received),
            &self.policy,
        );
        let mut answer =
            self.respond_from(&whole, method, request, decision.age, "forwarded", status);
        answer.stored = true;
        answer
    }

    /// RFC 9111 §4.3.5: a `HEAD` answered by the origin updates or drops the stored
    /// `GET` response; the freshened entry when it was stored.
    fn freshen_from_head(
        &self,
        key: &str,
        request: &HeaderMap,
        code: StatusCode,
        headers: &HeaderMap,
        times: (SystemTime, SystemTime),
    ) -> Option<Box<Entry>> {
        let (variant_key, entry) = self.lookup(key, request).ok()?;
        match policy::apply_head(&entry, code, headers, times.0, times.1) {
            HeadUpdate::Freshened(fresh) => {
                let stored = self.store(
                    key,
                    request,
                    fresh.status,
                    &fresh.headers,
                    &fresh.body,
                    times,
                );
                if stored.is_err() {
                    self.drop_key(&variant_key);
                    return None;
                }
                Some(fresh)
            }
            HeadUpdate::Stale => {
                block(self.cache.invalidate(Target::Key(variant_key), Purge::Soft));
                None
            }
            HeadUpdate::Unchanged => None,
        }
    }

    /// A full answer to a `HEAD` validation: the updated stored response when it
    /// freshened it (§4.3.5), `None` when the origin's answer is to be passed on.
    fn head_answered(
        &self,
        key: &str,
        method: &Method,
        request: &HeaderMap,
        (code, headers): (StatusCode, &HeaderMap),
        times: (SystemTime, SystemTime),
        mut status: CacheStatus,
    ) -> Option<Answer> {
        let fresh = self.freshen_from_head(key, request, code, headers, times)?;
        status.fwd_status = Some(code.as_u16());
        status.stored = true;
        let now = self.now.max(times.1);
        let decision = policy::evaluate_reuse(&HeaderMap::new(), &fresh, now, &self.policy);
        Some(self.respond_from(&fresh, method, request, decision.age, "revalidated", status))
    }

    fn revalidate(
        &mut self,
        key: &str,
        variant_key: &str,
        entry: &Arc<Entry>,
        method: &Method,
        request: &HeaderMap,
        mut status: CacheStatus,
    ) -> Answer {
        let mut origin_headers = request.clone();
        strip_client_conditionals(&mut origin_headers);
        for (name, value) in &policy::conditional_headers(&entry.headers) {
            origin_headers.append(name.clone(), value.clone());
        }
        // A HEAD is validated with a HEAD (§4.3.5 then updates the stored response).
        let fetch = if method == Method::HEAD {
            Method::HEAD
        } else {
            Method::GET
        };
        let answer = self.forward(&fetch, origin_headers);
        status.fwd = status.fwd.or(Some(Forward::Stale));
        let Some((code, headers, body, sent, received)) = answer else {
            return self.forwarded(key, method, request, Forward::Stale, None, Some(entry));
        };
        match policy::apply_validation(entry, code, &headers, sent, received) {
            Validated::Freshened(fresh) => {
                status.fwd_status = Some(304);
                let fresh_headers = fresh.headers.clone();
                let stored = self
                    .store(
                        key,
                        request,
                        fresh.status,
                        &fresh_headers,
                        &fresh.body,
                        (sent, received),
                    )
                    .is_ok();
                if !stored {
                    // The freshened response may no longer be stored (e.g. now no-store).
                    self.drop_key(variant_key);
                }
                status.stored = stored;
                let decision = policy::evaluate_reuse(
                    &HeaderMap::new(),
                    &fresh,
                    self.now.max(received),
                    &self.policy,
                );
                self.respond_from(&fresh, method, request, decision.age, "revalidated", status)
            }
            Validated::Mismatch => {
                let mut origin_headers = request.clone();
                strip_client_conditionals(&mut origin_headers);
                let answer = self.forward(&fetch, origin_headers);
                if let (true, Some((code, headers, _, sent, received))) =
                    (fetch == Method::HEAD, &answer)
                {
                    let times = (*sent, *received);
                    if let Some(answer) = self.head_answered(
                        key,
                        method,
                        request,
                        (*code, headers),
                        times,
                        status.clone(),
                    ) {
                        return answer;
                    }
                }
                self.forwarded(key, method, request, Forward::Stale, answer, None)
            }
            Validated::Replaced if fetch == Method::HEAD => {
                let times = (sent, received);
                if let Some(answer) = self.head_answered(
                    key,
                    method,
                    request,
                    (code, &headers),
                    times,
                    status.clone(),
                ) {
                    return answer;
                }
                self.forwarded(
                    key,
                    method,
                    request,
                    Forward::Stale,
                    Some((code, headers, body, sent, received)),
                    None,
                )
            }
            Validated::Replaced => self.forwarded(
                key,
                method,
                request,
                Forward::Stale,
                Some((code, headers, body, sent, received)),
                Some(entry),
            ),
        }
    }
}

/// The cache's own validators replace the client's when it revalidates or fills.
fn strip_client_conditionals(headers: &mut HeaderMap) {
    for name in [
        http::header::IF_NONE_MATCH,
        http::header::IF_MODIFIED_SINCE,
        http::header::IF_MATCH,
        http::header::IF_UNMODIFIED_SINCE,
    ] {
        headers.remove(name);
    }
}

fn run_case(case: &Case) -> Result<(), String> {
    let mut sim = Simulator::new(&case.config);
    for (index, step) in case.steps.iter().enumerate() {
        sim.now = sim.start + Duration::from_secs(step.at);
        sim.origin = step.origin.iter().cloned().collect();
        sim.origin_requests.clear();
        sim.cache.clock().set(sim.now);
        if let Some(purge) = &step.purge {
            let mode = if purge.soft { Purge::Soft } else { Purge::Hard };
            block(sim.cache.invalidate_url(&sim.key(&purge.path), mode));
        }
        let method = Method::from_bytes(step.request.method.as_bytes()).unwrap();
        let request = sim.headers(&step.request.headers);
        sim.interim.clear();
        sim.interim_to_client = !step.request.http_1_0();
        let uncached = case.config.uncached_route;
        let answer = if uncached {
            sim.pass_through(&method, request)
        } else {
            sim.handle(method, &step.request.path, request)
        };
        let unscripted = std::mem::take(&mut sim.unscripted);
        let seen = Observed {
            outcome: answer.outcome,
            status: answer.status.as_u16(),
            headers: &answer.headers,
            body: &answer.body,
            stored: answer.stored,
            // A route without a cache adds no Cache-Status.
            cache_status: if uncached {
                String::new()
            } else {
                answer.cache_status.to_string()
            },
            origin_requests: &sim.origin_requests,
            unscripted,
            unused: sim.origin.len(),
            interim: &sim.interim,
        };
        perfkit_testkit::check(&step.expect, &seen, sim.now)
            .map_err(|why| format!("step {index} (t={}): {why}; answer {answer:?}", step.at))?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn rfc9111_conformance_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rfc9111");
    let cases = perfkit_testkit::load_cases(&dir);
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, case) in &cases {
        count += 1;
        if let Err(why) = run_case(case) {
            failures.push(format!("{file} / {}: {why}", case.label()));
        }
    }
    assert!(count >= 50, "only {count} cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
