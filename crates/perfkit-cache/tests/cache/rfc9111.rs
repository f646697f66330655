//! The RFC 9111 conformance suite: every `tests/rfc9111/*.json` file holds cases;
//! each case is a sequence of requests at virtual times, the origin's scripted
//! answers, and the expected cache behaviour. A small simulator drives the `policy`
//! functions and a real L1 the way the gateway does, request phase by phase.
//!
//! Time values in headers may be templates: `{now}`, `{now+60}`, `{now-3600}`
//! (relative to the step's time), formatted as HTTP-dates.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri};
use perfkit_cache::policy::{self, CacheStatus, Forward, PolicyConfig, Reuse, Validated};
use perfkit_cache::{Cache, CacheConfig, Entry, Purge, ResponseToStore, Target};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// Where the requirement comes from (`RFC 9111 §4.2.1`).
    spec: String,
    #[serde(default)]
    config: CaseConfig,
    steps: Vec<Step>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseConfig {
    #[serde(default)]
    heuristic: bool,
    #[serde(default)]
    targeted: Vec<String>,
    store_error_statuses: Option<bool>,
    #[serde(default)]
    store_set_cookie: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// Seconds since the case started.
    at: u64,
    /// A purge of a URL path made (through the admin API, say) before the request.
    purge: Option<PurgeStep>,
    request: Request,
    /// The origin's answers, used in order each time the cache goes forward
    /// (including a background revalidation). `{"error": true}` is a failed connection.
    #[serde(default)]
    origin: Vec<OriginResponse>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PurgeStep {
    path: String,
    /// Mark stale (revalidate or serve stale where allowed) instead of removing.
    #[serde(default)]
    soft: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    #[serde(default = "get")]
    method: String,
    path: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
}

fn get() -> String {
    "GET".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OriginResponse {
    #[serde(default = "ok")]
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: String,
    /// Seconds between sending the request and receiving the response.
    #[serde(default)]
    delay: u64,
    #[serde(default)]
    error: bool,
}

fn ok() -> u16 {
    200
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// hit | stale | revalidated | forwarded | stale-if-error | gateway-timeout |
    /// not-modified (answered 304 from cache)
    outcome: String,
    status: Option<u16>,
    body: Option<String>,
    age: Option<u64>,
    stored: Option<bool>,
    /// How many times the origin was contacted during this step.
    origin_requests: Option<usize>,
    /// Fields the (last) request to the origin carried, `name: value`.
    #[serde(default)]
    origin_request_headers: Vec<(String, String)>,
    /// Fields the (last) request to the origin must not carry.
    #[serde(default)]
    origin_request_lacks: Vec<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    lacks: Vec<String>,
    cache_status: Option<String>,
}

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
    origin_requests: Vec<HeaderMap>,
    /// The cache went to the origin when the case scripted no (further) answer.
    unscripted: bool,
    now: SystemTime,
}

const HOST: &str = "example.test";
const MAX_VARIANTS: usize = 4;

/// Runs an async cache call from the simulator's synchronous steps.
fn block<F: std::future::Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| runtime.block_on(future))
}

impl Simulator {
    fn new(config: &CaseConfig) -> Simulator {
        let policy = PolicyConfig {
            heuristic: config.heuristic.then(policy::Heuristic::default),
            targeted_fields: config
                .targeted
                .iter()
                .map(|n| HeaderName::from_bytes(n.as_bytes()).unwrap())
                .collect(),
            store_error_statuses: config.store_error_statuses.unwrap_or(true),
            store_set_cookie: config.store_set_cookie,
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
        }
    }

    fn template(&self, value: &str) -> String {
        let Some(inner) = value.strip_prefix("{now").and_then(|v| v.strip_suffix('}')) else {
            return value.to_owned();
        };
        let offset: i64 = if inner.is_empty() {
            0
        } else {
            inner.parse().unwrap()
        };
        let at = if offset >= 0 {
            self.now + Duration::from_secs(offset as u64)
        } else {
            self.now - Duration::from_secs((-offset) as u64)
        };
        policy::format_http_date(at)
    }

    fn headers(&self, pairs: &[(String, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(&self.template(value)).unwrap(),
            );
        }
        map
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
        headers: HeaderMap,
    ) -> Option<(StatusCode, HeaderMap, Bytes, SystemTime, SystemTime)> {
        let _ = method;
        self.origin_requests.push(headers);
        let Some(response) = self.origin.pop_front() else {
            self.unscripted = true;
            return None;
        };
        if response.error {
            return None;
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
        block(self.cache.lookup_response(key, request))
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
        let plan = policy::plan_store(
            &Method::GET,
            request,
            status,
            headers,
            times.1,
            &self.policy,
        )?;
        let response = ResponseToStore {
            status,
            plan,
            body: body.clone(),
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
            policy::Conditional::Proceed => Answer {
                outcome,
                status: entry.status,
                headers,
                body: if method == Method::HEAD {
                    Bytes::new()
                } else {
                    entry.body.clone()
                },
                stored: false,
                cache_status: status,
            },
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
        let stored = method == Method::GET
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

    /// One request through the cache's phases.
    fn handle(&mut self, method: Method, path: &str, request: HeaderMap) -> Answer {
        let key = self.key(path);
        // Unsafe (or uncacheable) methods go forward; a success invalidates.
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
            return self.forwarded(&key, &method, &request, Forward::Request, answer, None);
        }
        let (variant_key, entry) = match self.lookup(&key, &request) {
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
                    // The background revalidation, run to completion before the next step.
                    let _ = self.revalidate(&key, &variant_key, &entry, &Method::GET, &request);
                }
                answer
            }
            Reuse::GatewayTimeout => self.gateway_timeout(),
            Reuse::Revalidate => self.revalidate(&key, &variant_key, &entry, &method, &request),
        }
    }

    fn revalidate(
        &mut self,
        key: &str,
        variant_key: &str,
        entry: &Arc<Entry>,
        method: &Method,
        request: &HeaderMap,
    ) -> Answer {
        let mut origin_headers = request.clone();
        strip_client_conditionals(&mut origin_headers);
        for (name, value) in &policy::conditional_headers(&entry.headers) {
            origin_headers.append(name.clone(), value.clone());
        }
        let answer = self.forward(&Method::GET, origin_headers);
        let mut status = CacheStatus::new("perfkit");
        status.fwd = Some(Forward::Stale);
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
                let answer = self.forward(&Method::GET, origin_headers);
                self.forwarded(key, method, request, Forward::Stale, answer, None)
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
        if let Some(purge) = &step.purge {
            let mode = if purge.soft { Purge::Soft } else { Purge::Hard };
            block(sim.cache.invalidate_url(&sim.key(&purge.path), mode));
        }
        let method = Method::from_bytes(step.request.method.as_bytes()).unwrap();
        let request = sim.headers(&step.request.headers);
        let answer = sim.handle(method, &step.request.path, request);
        let fail = |what: String| {
            Err(format!(
                "step {index} (t={}): {what}; answer {answer:?}",
                step.at
            ))
        };
        let e = &step.expect;
        if std::mem::take(&mut sim.unscripted) {
            return fail("the cache contacted the origin, which the case did not expect".into());
        }
        if answer.outcome != e.outcome {
            return fail(format!(
                "outcome {} != expected {}",
                answer.outcome, e.outcome
            ));
        }
        if let Some(status) = e.status {
            if answer.status.as_u16() != status {
                return fail(format!("status {} != {status}", answer.status));
            }
        }
        if let Some(body) = &e.body {
            if answer.body != body.as_bytes() {
                return fail(format!("body {:?} != {body:?}", answer.body));
            }
        }
        if let Some(age) = e.age {
            let got = answer
                .headers
                .get("age")
                .map(|v| v.to_str().unwrap().to_owned());
            if got.as_deref() != Some(&age.to_string()) {
                return fail(format!("Age {got:?} != {age}"));
            }
        }
        if let Some(stored) = e.stored {
            if answer.stored != stored {
                return fail(format!("stored {} != {stored}", answer.stored));
            }
        }
        let contacted = sim.origin_requests.len();
        if let Some(n) = e.origin_requests {
            if contacted != n {
                return fail(format!("origin contacted {contacted} times, expected {n}"));
            }
        }
        if !sim.origin.is_empty() {
            return fail(format!(
                "{} scripted origin response(s) unused",
                sim.origin.len()
            ));
        }
        let last = sim.origin_requests.last();
        for (name, value) in &e.origin_request_headers {
            let value = sim.template(value);
            let got = last
                .and_then(|h| h.get(name.as_str()))
                .map(|v| v.to_str().unwrap().to_owned());
            if got.as_deref() != Some(value.as_str()) {
                return fail(format!("origin request {name}: {got:?} != {value:?}"));
            }
        }
        for name in &e.origin_request_lacks {
            if last.is_some_and(|h| h.contains_key(name.as_str())) {
                return fail(format!("origin request carried {name}"));
            }
        }
        for (name, value) in &e.headers {
            let value = sim.template(value);
            let got: Vec<&str> = answer
                .headers
                .get_all(name.as_str())
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect();
            if got.join(", ") != value {
                return fail(format!("response {name}: {got:?} != {value:?}"));
            }
        }
        for name in &e.lacks {
            if answer.headers.contains_key(name.as_str()) {
                return fail(format!("response carried {name}"));
            }
        }
        if let Some(expected) = &e.cache_status {
            let got = answer.cache_status.to_string();
            if &got != expected {
                return fail(format!("Cache-Status {got:?} != {expected:?}"));
            }
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn rfc9111_conformance_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rfc9111");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
    {
        let text = std::fs::read_to_string(file).unwrap();
        let cases: Vec<Case> =
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        for case in &cases {
            count += 1;
            assert!(!case.spec.is_empty());
            if let Err(why) = run_case(case) {
                failures.push(format!(
                    "{} / {} [{}]: {why}",
                    file.file_name().unwrap().to_string_lossy(),
                    case.name,
                    case.spec
                ));
            }
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
