//! An upstream's `adaptive:` block: a concurrency limit found from the upstream's
//! latency, with requests past it shed (`503` + `Retry-After`) before they reach the
//! upstream, low-priority ones first and critical ones last.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::schema::Config;

/// Adaptive concurrency shedding for one upstream group.
///
/// With limit `L`: critical requests may fill all `L`; ordinary ones
/// `max(1, L − floor(L × critical_reserve))`; low ones `max(1, floor(ordinary cap ×
/// low_share))`. A request arriving when its class's cap is reached is shed at once
/// (nothing queues).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AdaptiveLimitConfig {
    /// The limit never falls below this.
    pub min_limit: u64,
    /// The limit never grows past this.
    pub max_limit: u64,
    /// The limit before the first window of samples closes.
    pub initial_limit: u64,
    /// Completed requests per window; the limit is updated once per window.
    pub window_samples: u32,
    /// How much slower than the lowest latency seen requests may get before the
    /// limit shrinks (≥ 1.0; 1.5 = 50% slower).
    pub tolerance: f64,
    /// Weight of each window's target in the new limit, in (0, 1]: higher reacts
    /// faster and wobbles more.
    pub smoothing: f64,
    /// Top fraction of the limit only critical requests may use, in [0, 1).
    pub critical_reserve: f64,
    /// Fraction of the ordinary cap low-priority requests may use, in (0, 1].
    pub low_share: f64,
    /// `Retry-After` sent with a shed request's `503` (whole seconds, rounded up).
    #[serde(with = "humantime_serde")]
    pub retry_after: Duration,
    /// What a reload does to the limit: `keep` (the default) keeps the learnt limit and
    /// the in-flight count while this block is unchanged, and starts afresh from
    /// `initial_limit` when it changed; `reset` always starts afresh.
    pub on_reload: OnReload,
    /// Route names (their `name:` or label) of this upstream by priority.
    pub routes: BTreeMap<String, ShedPriority>,
    /// Rate-limit tiers (as resolved by the `rate_limits:` rules) by priority; a
    /// route's own priority wins over its tier's.
    pub tiers: BTreeMap<String, ShedPriority>,
}

impl Default for AdaptiveLimitConfig {
    fn default() -> Self {
        AdaptiveLimitConfig {
            min_limit: 1,
            max_limit: 1000,
            initial_limit: 20,
            window_samples: 20,
            tolerance: 1.5,
            smoothing: 0.2,
            critical_reserve: 0.1,
            low_share: 0.5,
            retry_after: Duration::from_secs(1),
            on_reload: OnReload::Keep,
            routes: BTreeMap::new(),
            tiers: BTreeMap::new(),
        }
    }
}

/// What a reload does to an upstream's adaptive limit.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OnReload {
    #[default]
    Keep,
    Reset,
}

/// Which requests are shed first (`low`) and last (`critical`).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ShedPriority {
    Low,
    #[default]
    Normal,
    Critical,
}

impl ShedPriority {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            ShedPriority::Low => "low",
            ShedPriority::Normal => "normal",
            ShedPriority::Critical => "critical",
        }
    }
}

/// Checks every upstream's `adaptive:` block: `(field path, message)` on the first problem.
pub(crate) fn check(config: &Config) -> Result<(), (String, String)> {
    let labels: HashSet<(String, &str)> = config
        .routes
        .iter()
        .map(|route| (route.label(), route.upstream.as_str()))
        .collect();
    for (name, upstream) in &config.upstreams {
        let Some(adaptive) = &upstream.adaptive else {
            continue;
        };
        let at = format!("upstreams.{name}.adaptive");
        let fail = |field: &str, message: String| Err((format!("{at}.{field}"), message));
        if adaptive.min_limit == 0 {
            return fail("min_limit", "must be at least 1".into());
        }
        if adaptive.max_limit < adaptive.min_limit {
            return fail(
                "max_limit",
                format!("must be at least min_limit ({})", adaptive.min_limit),
            );
        }
        if !(adaptive.min_limit..=adaptive.max_limit).contains(&adaptive.initial_limit) {
            return fail(
                "initial_limit",
                format!(
                    "must lie between min_limit ({}) and max_limit ({})",
                    adaptive.min_limit, adaptive.max_limit
                ),
            );
        }
        if adaptive.window_samples == 0 {
            return fail("window_samples", "must be at least 1".into());
        }
        if !(adaptive.tolerance.is_finite() && adaptive.tolerance >= 1.0) {
            return fail(
                "tolerance",
                format!("must be 1.0 or more (got {})", adaptive.tolerance),
            );
        }
        if !(adaptive.smoothing > 0.0 && adaptive.smoothing <= 1.0) {
            return fail(
                "smoothing",
                format!("must be in (0, 1] (got {})", adaptive.smoothing),
            );
        }
        if !(0.0..1.0).contains(&adaptive.critical_reserve) {
            return fail(
                "critical_reserve",
                format!("must be in [0, 1) (got {})", adaptive.critical_reserve),
            );
        }
        if !(adaptive.low_share > 0.0 && adaptive.low_share <= 1.0) {
            return fail(
                "low_share",
                format!("must be in (0, 1] (got {})", adaptive.low_share),
            );
        }
        if adaptive.retry_after.is_zero() {
            return fail("retry_after", "must be longer than 0s".into());
        }
        for route in adaptive.routes.keys() {
            if !labels.contains(&(route.clone(), name.as_str())) {
                return fail(
                    &format!("routes.{route}"),
                    format!("no route named `{route}` sends requests to upstream `{name}`"),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{ConfigError, Location};

    const YAML: &str = "\
upstreams:
  api:
    servers:
      - address: 127.0.0.1:3000
    adaptive:
      min_limit: 4
      max_limit: 200
      routes: { checkout: critical, reports: low }
      tiers: { enterprise: critical, free: low }
routes:
  - name: checkout
    path_prefix: /checkout
    upstream: api
  - name: reports
    path_prefix: /reports
    upstream: api
";

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse_with_env(Path::new("perfkit.yml"), text, Vec::new())
    }

    #[test]
    fn an_adaptive_block_loads_with_defaults_filled_in() {
        let config = parse(YAML).unwrap();
        let adaptive = config.upstreams["api"].adaptive.clone().unwrap();
        assert_eq!((adaptive.min_limit, adaptive.max_limit), (4, 200));
        assert_eq!(adaptive.initial_limit, 20);
        assert_eq!(adaptive.retry_after, Duration::from_secs(1));
        assert_eq!(adaptive.on_reload, OnReload::Keep);
        assert_eq!(adaptive.routes["checkout"], ShedPriority::Critical);
        assert_eq!(adaptive.tiers["free"], ShedPriority::Low);
        assert!(parse(&YAML.replace("    adaptive:\n", "    x:\n"))
            .unwrap_err()
            .to_string()
            .contains("unknown field"));
    }

    #[test]
    fn bad_values_are_located() {
        let cases = [
            ("      max_limit: 200", "      max_limit: 2", "max_limit", 7),
            (
                "      max_limit: 200",
                "      max_limit: 200\n      tolerance: 0.5",
                "tolerance",
                8,
            ),
            (
                "      max_limit: 200",
                "      max_limit: 200\n      retry_after: 0s",
                "retry_after",
                8,
            ),
            ("reports: low }", "reprots: low }", "routes.reprots", 8),
        ];
        for (from, to, field, line) in cases {
            let err = parse(&YAML.replace(from, to)).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(&format!("upstreams.api.adaptive.{field}")),
                "{text}"
            );
            assert_eq!(
                err.location().map(|l: Location| l.line),
                Some(line),
                "{text}"
            );
        }
        let err = parse(&YAML.replace("critical, reports", "urgent, reports")).unwrap_err();
        assert!(err.to_string().contains("urgent"), "{err}");
    }
}
