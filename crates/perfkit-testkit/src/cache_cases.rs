//! The data-driven HTTP caching conformance cases (`crates/perfkit-cache/tests/rfc9111/*.json`
//! and the gateway's own), shared by the two runners: the library's simulator and the
//! end-to-end runner through a real gateway. A case is a sequence of requests at
//! virtual times, the origin's scripted answers, and the expected cache behaviour.
//!
//! Time values in headers may be templates: `{now}`, `{now+60}`, `{now-3600}`
//! (relative to the step's time), formatted as HTTP-dates.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    /// Where the requirement comes from (`RFC 9111 §4.2.1`).
    pub spec: String,
    /// The ids of the public `cache-tests` suite's tests (http-tests/cache-tests) this
    /// case answers, when it has an equivalent there.
    #[serde(default)]
    pub upstream: Vec<String>,
    #[serde(default)]
    pub config: CaseConfig,
    pub steps: Vec<Step>,
}

impl Case {
    /// How a runner names the case in a failure: its name, where the requirement comes
    /// from, and the `cache-tests` ids it answers.
    pub fn label(&self) -> String {
        let mut label = format!("{} [{}]", self.name, self.spec);
        if !self.upstream.is_empty() {
            label.push_str(&format!(" (cache-tests {})", self.upstream.join(", ")));
        }
        label
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseConfig {
    #[serde(default)]
    pub heuristic: bool,
    #[serde(default)]
    pub targeted: Vec<String>,
    pub store_error_statuses: Option<bool>,
    #[serde(default)]
    pub store_set_cookie: bool,
    /// `cache.store_partial`: `206` responses stored as incomplete entries.
    #[serde(default)]
    pub store_partial: bool,
    /// The route has no `cache:` block: every request passes through.
    #[serde(default)]
    pub uncached_route: bool,
    /// The route's `cache.select_language`: a `Vary: Accept-Language` response answers
    /// requests whose most preferred language is its `Content-Language`.
    #[serde(default)]
    pub select_language: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Seconds since the case started.
    pub at: u64,
    /// A purge of a URL path made (through the admin API, say) before the request.
    pub purge: Option<PurgeStep>,
    pub request: Request,
    /// The origin's answers, used in order each time the cache goes forward
    /// (including a background revalidation). `{"error": true}` is a failed connection.
    #[serde(default)]
    pub origin: Vec<OriginResponse>,
    pub expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgeStep {
    pub path: String,
    /// Mark stale (revalidate or serve stale where allowed) instead of removing.
    #[serde(default)]
    pub soft: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[serde(default = "get")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// `HTTP/1.0` for a request from an HTTP/1.0 client; HTTP/1.1 otherwise.
    pub version: Option<String>,
    /// The request's body (a `POST`'s, say); none when empty.
    #[serde(default)]
    pub body: String,
}

impl Request {
    /// Whether the client speaks HTTP/1.0.
    pub fn http_1_0(&self) -> bool {
        self.version.as_deref() == Some("HTTP/1.0")
    }
}

fn get() -> String {
    "GET".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginResponse {
    #[serde(default = "ok")]
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
    /// Seconds between sending the request and receiving the response.
    #[serde(default)]
    pub delay: u64,
    #[serde(default)]
    pub error: bool,
    /// Interim (`1xx`) responses sent before this one, in order.
    #[serde(default)]
    pub interim: Vec<Interim>,
}

/// An interim (`1xx`) response: sent by the origin, or expected by the client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interim {
    pub status: u16,
    /// The origin's fields; for an expectation, fields the client must see.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// For an expectation: fields the client must not see.
    #[serde(default)]
    pub lacks: Vec<String>,
}

fn ok() -> u16 {
    200
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// hit | stale | revalidated | forwarded | stale-if-error | gateway-timeout |
    /// not-modified (answered 304 from cache)
    pub outcome: String,
    pub status: Option<u16>,
    pub body: Option<String>,
    pub age: Option<u64>,
    pub stored: Option<bool>,
    /// How many times the origin was contacted during this step.
    pub origin_requests: Option<usize>,
    /// The method of the (last) request to the origin.
    pub origin_method: Option<String>,
    /// Fields the (last) request to the origin carried, `name: value`.
    #[serde(default)]
    pub origin_request_headers: Vec<(String, String)>,
    /// Fields the (last) request to the origin must not carry.
    #[serde(default)]
    pub origin_request_lacks: Vec<String>,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub lacks: Vec<String>,
    pub cache_status: Option<String>,
    /// The interim (`1xx`) responses the client receives before the final one, in
    /// order: exactly these statuses (none when absent).
    #[serde(default)]
    pub interim: Vec<Interim>,
}

/// Every case of every `*.json` file in `dir`, with its file name, in file order.
pub fn load_cases(dir: &Path) -> Vec<(String, Case)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let cases: Vec<Case> =
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for case in cases {
            assert!(!case.spec.is_empty(), "{name} / {}: no spec", case.name);
            all.push((name.clone(), case));
        }
    }
    all
}

/// Expands a `{now±N}` template against `now`; other values are returned as they are.
pub fn template(value: &str, now: SystemTime) -> String {
    let Some(inner) = value.strip_prefix("{now").and_then(|v| v.strip_suffix('}')) else {
        return value.to_owned();
    };
    let offset: i64 = if inner.is_empty() {
        0
    } else {
        inner.parse().unwrap()
    };
    let at = if offset >= 0 {
        now + Duration::from_secs(offset as u64)
    } else {
        now - Duration::from_secs((-offset) as u64)
    };
    httpdate::fmt_http_date(at)
}

/// A header map from a case's pairs, templates expanded against `now`.
pub fn header_map(pairs: &[(String, String)], now: SystemTime) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(&template(value, now)).unwrap(),
        );
    }
    map
}

/// What a runner saw for one step.
#[derive(Debug)]
pub struct Observed<'a> {
    pub outcome: &'a str,
    pub status: u16,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub stored: bool,
    pub cache_status: String,
    /// The requests the origin received during the step: method and headers.
    pub origin_requests: &'a [(String, HeaderMap)],
    /// The cache went to the origin when the case scripted no (further) answer.
    pub unscripted: bool,
    /// Scripted answers the cache did not ask for.
    pub unused: usize,
    /// The interim responses the client received, in order.
    pub interim: &'a [(u16, HeaderMap)],
}

/// Compares what a runner saw with the step's expectations (`now` is the step's time,
/// for templates); the error says what differed.
pub fn check(expect: &Expect, seen: &Observed<'_>, now: SystemTime) -> Result<(), String> {
    if seen.unscripted {
        return Err("the cache contacted the origin, which the case did not expect".into());
    }
    if seen.outcome != expect.outcome {
        return Err(format!(
            "outcome {} != expected {}",
            seen.outcome, expect.outcome
        ));
    }
    if let Some(status) = expect.status {
        if seen.status != status {
            return Err(format!("status {} != {status}", seen.status));
        }
    }
    if let Some(body) = &expect.body {
        if seen.body != body.as_bytes() {
            return Err(format!(
                "body {:?} != {body:?}",
                String::from_utf8_lossy(seen.body)
            ));
        }
    }
    if let Some(age) = expect.age {
        let got = seen.headers.get("age").and_then(|v| v.to_str().ok());
        if got != Some(age.to_string().as_str()) {
            return Err(format!("Age {got:?} != {age}"));
        }
    }
    if let Some(stored) = expect.stored {
        if seen.stored != stored {
            return Err(format!("stored {} != {stored}", seen.stored));
        }
    }
    if let Some(n) = expect.origin_requests {
        if seen.origin_requests.len() != n {
            return Err(format!(
                "origin contacted {} times, expected {n}",
                seen.origin_requests.len()
            ));
        }
    }
    if seen.unused > 0 {
        return Err(format!(
            "{} scripted origin response(s) unused",
            seen.unused
        ));
    }
    let last = seen.origin_requests.last();
    if let Some(method) = &expect.origin_method {
        let got = last.map(|(m, _)| m.as_str());
        if got != Some(method.as_str()) {
            return Err(format!("origin request method {got:?} != {method}"));
        }
    }
    for (name, value) in &expect.origin_request_headers {
        let value = template(value, now);
        let got = last
            .and_then(|(_, h)| h.get(name.as_str()))
            .and_then(|v| v.to_str().ok());
        if got != Some(value.as_str()) {
            return Err(format!("origin request {name}: {got:?} != {value:?}"));
        }
    }
    for name in &expect.origin_request_lacks {
        if last.is_some_and(|(_, h)| h.contains_key(name.as_str())) {
            return Err(format!("origin request carried {name}"));
        }
    }
    for (name, value) in &expect.headers {
        let value = template(value, now);
        let got: Vec<&str> = seen
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| v.to_str().unwrap_or("<binary>"))
            .collect();
        if got.join(", ") != value {
            return Err(format!("response {name}: {got:?} != {value:?}"));
        }
    }
    for name in &expect.lacks {
        if seen.headers.contains_key(name.as_str()) {
            return Err(format!("response carried {name}"));
        }
    }
    let statuses: Vec<u16> = seen.interim.iter().map(|(status, _)| *status).collect();
    let expected: Vec<u16> = expect.interim.iter().map(|i| i.status).collect();
    if statuses != expected {
        return Err(format!("interim responses {statuses:?} != {expected:?}"));
    }
    for (want, (status, headers)) in expect.interim.iter().zip(seen.interim) {
        for (name, value) in &want.headers {
            let got: Vec<&str> = headers
                .get_all(name.as_str())
                .iter()
                .map(|v| v.to_str().unwrap_or("<binary>"))
                .collect();
            if got.join(", ") != *value {
                return Err(format!("interim {status} {name}: {got:?} != {value:?}"));
            }
        }
        for name in &want.lacks {
            if headers.contains_key(name.as_str()) {
                return Err(format!("interim {status} carried {name}"));
            }
        }
    }
    if let Some(expected) = &expect.cache_status {
        if &seen.cache_status != expected {
            return Err(format!(
                "Cache-Status {:?} != {expected:?}",
                seen.cache_status
            ));
        }
    }
    Ok(())
}
