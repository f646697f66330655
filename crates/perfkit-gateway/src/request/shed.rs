//! The shedding phase: after the rate limits, before the cache and the upstream. An
//! upstream with an `adaptive:` block has a concurrency limit learnt from its latency
//! (`perfkit_limit::AdaptiveLimiter`); a request arriving while its priority's share of
//! that limit is in use is answered `503` with `Retry-After` and never reaches the
//! upstream. Low-priority requests are shed first, critical ones last (the caps are
//! documented on `perfkit_config::AdaptiveLimitConfig`).
//!
//! A request holds its slot until the upstream's response head arrives (or the
//! request is abandoned). Its latency feeds the limit unless the response says nothing
//! about the upstream's load: a cache hit (`Cache-Status: …; hit`) or a `502` (the
//! peer could not be reached) give no sample; a `503` or `504` counts as a drop and
//! shrinks the limit.
//!
//! Limiters live in [`ShedState`] (in `Shared`) by upstream name, so a reload keeps
//! the learnt limit and the in-flight count while the upstream's limiter parameters are
//! unchanged (`on_reload: keep`); changed parameters, or `on_reload: reset`, start from
//! `initial_limit`. Shed counters survive every reload.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};
use perfkit_config::{AdaptiveLimitConfig, Config, OnReload, ShedPriority};
use perfkit_limit::{AdaptiveConfig, AdaptiveLimiter, AdaptivePermit, Outcome, Priority};

use crate::body::ResponseBody;
use crate::request::route::{Route, Router};

/// Why an `adaptive:` block cannot be built (the config checks make this rare).
#[derive(Debug, thiserror::Error)]
#[error("upstreams.{upstream}.adaptive: {cause}")]
pub struct ShedError {
    upstream: String,
    cause: perfkit_limit::AdaptiveConfigError,
}

/// Adaptive limiters and shed counters that outlive one configuration generation.
#[derive(Debug, Default)]
pub struct ShedState {
    limiters: Mutex<HashMap<String, (AdaptiveConfig, AdaptiveLimiter)>>,
    counters: Mutex<HashMap<String, Arc<ShedCounters>>>,
}

/// Requests shed by priority (`low`, `normal`, `critical`).
#[derive(Debug, Default)]
struct ShedCounters([AtomicU64; 3]);

const PRIORITIES: [ShedPriority; 3] = [
    ShedPriority::Low,
    ShedPriority::Normal,
    ShedPriority::Critical,
];

fn slot(priority: ShedPriority) -> usize {
    match priority {
        ShedPriority::Low => 0,
        ShedPriority::Normal => 1,
        ShedPriority::Critical => 2,
    }
}

/// One upstream's shedding in one configuration generation.
#[derive(Debug)]
struct UpstreamShed {
    name: String,
    limiter: AdaptiveLimiter,
    counters: Arc<ShedCounters>,
    /// By route index; `None` where the route has no priority of its own.
    routes: Vec<Option<ShedPriority>>,
    tiers: HashMap<String, ShedPriority>,
    retry_after: HeaderValue,
}

/// The compiled `adaptive:` blocks of one configuration generation, by upstream index.
#[derive(Debug, Default)]
pub struct Shedding {
    upstreams: Vec<Option<UpstreamShed>>,
}

fn limiter_config(config: &AdaptiveLimitConfig) -> AdaptiveConfig {
    AdaptiveConfig {
        initial_limit: config.initial_limit,
        min_limit: config.min_limit,
        max_limit: config.max_limit,
        window_samples: config.window_samples,
        tolerance: config.tolerance,
        smoothing: config.smoothing,
        critical_reserve: config.critical_reserve,
        low_share: config.low_share,
    }
}

impl Shedding {
    /// Compiles every upstream's `adaptive:` block, reusing `state`'s limiters where
    /// the reload rule allows and dropping those of upstreams that lost theirs.
    pub fn build(config: &Config, router: &Router, state: &ShedState) -> Result<Self, ShedError> {
        let mut limiters = state.limiters.lock().unwrap_or_else(|e| e.into_inner());
        let mut counters = state.counters.lock().unwrap_or_else(|e| e.into_inner());
        let mut kept = HashMap::new();
        let mut upstreams = Vec::with_capacity(config.upstreams.len());
        for (index, (name, upstream)) in config.upstreams.iter().enumerate() {
            let Some(adaptive) = &upstream.adaptive else {
                upstreams.push(None);
                continue;
            };
            let parameters = limiter_config(adaptive);
            let limiter = match limiters.remove(name) {
                Some((previous, limiter))
                    if previous == parameters && adaptive.on_reload == OnReload::Keep =>
                {
                    limiter
                }
                _ => AdaptiveLimiter::new(parameters).map_err(|cause| ShedError {
                    upstream: name.clone(),
                    cause,
                })?,
            };
            kept.insert(name.clone(), (parameters, limiter.clone()));
            let routes = router
                .routes()
                .map(|route| {
                    (route.upstream == index)
                        .then(|| adaptive.routes.get(&route.label).copied())
                        .flatten()
                })
                .collect();
            let secs =
                adaptive.retry_after.as_secs() + u64::from(adaptive.retry_after.subsec_nanos() > 0);
            upstreams.push(Some(UpstreamShed {
                name: name.clone(),
                limiter,
                counters: Arc::clone(counters.entry(name.clone()).or_default()),
                routes,
                tiers: adaptive
                    .tiers
                    .iter()
                    .map(|(tier, priority)| (tier.clone(), *priority))
                    .collect(),
                retry_after: HeaderValue::from(secs),
            }));
        }
        *limiters = kept;
        Ok(Shedding { upstreams })
    }

    /// Writes the gauges (limit, in flight) and the shed counters in Prometheus text.
    pub(crate) fn render(&self, text: &mut String) {
        let active: Vec<&UpstreamShed> = self.upstreams.iter().flatten().collect();
        if active.is_empty() {
            return;
        }
        let gauges: [Gauge; 2] = [
            (
                "perfkit_adaptive_limit",
                "The adaptive concurrency limit of an upstream.",
                AdaptiveLimiter::limit,
            ),
            (
                "perfkit_adaptive_in_flight",
                "Requests holding an adaptive slot of an upstream.",
                AdaptiveLimiter::in_flight,
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge");
            for shed in &active {
                let _ = writeln!(
                    text,
                    "{name}{{upstream=\"{}\"}} {}",
                    escape(&shed.name),
                    value(&shed.limiter)
                );
            }
        }
        let _ = writeln!(
            text,
            "# HELP perfkit_adaptive_shed_total Requests shed (503) by the adaptive limit, by upstream and priority.\n# TYPE perfkit_adaptive_shed_total counter"
        );
        for shed in &active {
            for priority in PRIORITIES {
                let _ = writeln!(
                    text,
                    "perfkit_adaptive_shed_total{{upstream=\"{}\",priority=\"{}\"}} {}",
                    escape(&shed.name),
                    priority.as_str(),
                    shed.counters.0[slot(priority)].load(Ordering::Relaxed)
                );
            }
        }
    }
}

/// A gauge: name, help text, and how to read it off a limiter.
type Gauge = (&'static str, &'static str, fn(&AdaptiveLimiter) -> u64);

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// An admitted request's place under its upstream's limit; see [`finish`].
#[derive(Debug)]
pub(crate) struct Slot(AdaptivePermit);

/// Admits the request (`Ok(None)` when its upstream sheds nothing) or answers `503`.
/// `tier` is asked only when the upstream gives tiers priorities and the route has
/// none of its own.
pub(crate) fn admit<'t>(
    shedding: &Shedding,
    route: &Route,
    tier: impl FnOnce() -> Option<&'t str>,
) -> Result<Option<Slot>, Box<Response<ResponseBody>>> {
    let Some(Some(shed)) = shedding.upstreams.get(route.upstream) else {
        return Ok(None);
    };
    let priority = match shed.routes.get(route.index).copied().flatten() {
        Some(priority) => priority,
        None if shed.tiers.is_empty() => ShedPriority::Normal,
        None => tier()
            .and_then(|tier| shed.tiers.get(tier).copied())
            .unwrap_or_default(),
    };
    let class = match priority {
        ShedPriority::Low => Priority::Low,
        ShedPriority::Normal => Priority::Normal,
        ShedPriority::Critical => Priority::Critical,
    };
    match shed.limiter.try_acquire(class) {
        Some(permit) => Ok(Some(Slot(permit))),
        None => {
            shed.counters.0[slot(priority)].fetch_add(1, Ordering::Relaxed);
            let mut response = Response::new(ResponseBody::full(format!(
                "upstream {} is at its adaptive concurrency limit ({}); request shed\n",
                shed.name,
                shed.limiter.limit()
            )));
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            headers.insert(header::RETRY_AFTER, shed.retry_after.clone());
            Err(Box::new(response))
        }
    }
}

/// Gives the slot back with what the response says about the upstream's load.
pub(crate) fn finish(slot: Option<Slot>, response: &Response<ResponseBody>) {
    let Some(Slot(permit)) = slot else {
        return;
    };
    permit.finish(outcome(response));
}

fn outcome(response: &Response<ResponseBody>) -> Outcome {
    let cache_hit = response
        .headers()
        .get("cache-status")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').any(|param| param.trim() == "hit"));
    match response.status() {
        _ if cache_hit => Outcome::Ignore,
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => Outcome::Dropped,
        StatusCode::BAD_GATEWAY => Outcome::Ignore,
        _ => Outcome::Success,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, cache_status: Option<&'static str>) -> Response<ResponseBody> {
        let mut response = Response::new(ResponseBody::full(""));
        *response.status_mut() = StatusCode::from_u16(status).unwrap();
        if let Some(value) = cache_status {
            response
                .headers_mut()
                .insert("cache-status", HeaderValue::from_static(value));
        }
        response
    }

    #[test]
    fn outcomes_say_what_the_response_tells_of_the_upstream() {
        assert_eq!(outcome(&response(200, None)), Outcome::Success);
        assert_eq!(outcome(&response(404, None)), Outcome::Success);
        assert_eq!(outcome(&response(503, None)), Outcome::Dropped);
        assert_eq!(outcome(&response(504, None)), Outcome::Dropped);
        assert_eq!(outcome(&response(502, None)), Outcome::Ignore);
        assert_eq!(
            outcome(&response(200, Some("perfkit; hit; ttl=30"))),
            Outcome::Ignore
        );
        assert_eq!(
            outcome(&response(200, Some("perfkit; fwd=miss; stored"))),
            Outcome::Success
        );
    }
}
