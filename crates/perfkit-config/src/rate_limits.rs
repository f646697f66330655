//! The `rate_limits:` section: rules that select requests, compose a key, and grant
//! each key a quota (per tier), kept in memory or on Redis.

use std::collections::BTreeMap;
use std::time::Duration;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// Rate limiting: every rule that selects a request must admit it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitsConfig {
    /// Where counters live; shared by every rule.
    pub store: LimitStore,
    /// What rejected (and allowed) responses carry.
    pub response: LimitResponse,
    /// The request header carrying a client's API key (`api_key` key parts, the
    /// `api_key` tier source, `exempt.api_keys`).
    pub api_key_header: Option<String>,
    /// API key → tier name.
    pub api_keys: BTreeMap<String, String>,
    /// How bearer tokens are verified (`key: [user]`, `tier_from: claim:NAME`).
    pub jwt: Option<crate::jwt::JwtConfig>,
    pub rules: Vec<RateLimitRule>,
}

impl RateLimitsConfig {
    /// Replaces every API key (secrets) with `<redacted-N>`, keeping the tiers.
    pub fn redact_api_keys(&mut self) {
        let keys = std::mem::take(&mut self.api_keys);
        self.api_keys = keys
            .into_values()
            .enumerate()
            .map(|(i, tier)| (format!("<redacted-{}>", i + 1), tier))
            .collect();
        for rule in &mut self.rules {
            for key in &mut rule.exempt.api_keys {
                *key = "<redacted>".into();
            }
        }
        if let Some(jwt) = &mut self.jwt {
            jwt.redact();
        }
    }
}

/// Counters in this process (`memory`) or on Redis, shared by every instance.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LimitStore {
    Memory {
        /// Most keys tracked per rule and tier; idle keys are evicted first.
        #[serde(default = "default_max_keys")]
        max_keys: usize,
    },
    Redis {
        /// `redis://host:port`; with `cluster: true`, any node of the cluster.
        url: String,
        /// A Redis Cluster: the other nodes are discovered from `url`, and keys
        /// follow `MOVED` redirections.
        #[serde(default)]
        cluster: bool,
        /// `exact`: one round trip per decision; `leased`: tokens taken in batches.
        #[serde(default)]
        mode: RedisMode,
        /// Tokens per lease in `leased` mode (worst-case overshoot: instances × (batch − 1)).
        #[serde(default = "default_batch")]
        batch: u64,
        /// Gateway instances sharing the Redis: with `fail_open`, each grants
        /// `1/instances` of the quota locally while Redis is unreachable.
        #[serde(default = "default_instances")]
        instances: u64,
        /// Longest wait for Redis before the rule's `on_store_error` applies.
        #[serde(with = "humantime_serde", default = "default_store_timeout")]
        timeout: Duration,
        /// Keys kept in memory (leases, fail-open fallback).
        #[serde(default = "default_max_keys")]
        max_keys: usize,
    },
}

impl Default for LimitStore {
    fn default() -> Self {
        LimitStore::Memory {
            max_keys: default_max_keys(),
        }
    }
}

fn default_max_keys() -> usize {
    1_000_000
}
fn default_batch() -> u64 {
    10
}
fn default_instances() -> u64 {
    1
}
fn default_store_timeout() -> Duration {
    Duration::from_millis(250)
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RedisMode {
    #[default]
    Exact,
    Leased,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitResponse {
    /// Body of a `429`: `json` or `text`.
    pub body: LimitBody,
    /// Also send `X-RateLimit-Limit` / `-Remaining` / `-Reset`.
    pub legacy_headers: bool,
    /// Send `RateLimit-Policy` / `RateLimit` on allowed responses too.
    pub headers_on_allowed: bool,
}

impl Default for LimitResponse {
    fn default() -> Self {
        LimitResponse {
            body: LimitBody::Json,
            legacy_headers: false,
            headers_on_allowed: true,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LimitBody {
    Json,
    Text,
}

/// One rule: which requests, counted per what, how many.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateLimitRule {
    /// Names the rule in headers (`RateLimit-Policy`), metrics and Redis keys:
    /// 1-64 characters of `[A-Za-z0-9_.-]`, unique.
    pub name: String,
    /// Which requests the rule applies to; every given condition must hold.
    #[serde(default, rename = "match")]
    pub selector: LimitSelector,
    /// What the limit is counted per: any of `client_ip`, `api_key`, `route`, `user`
    /// (the verified JWT's `rate_limits.jwt.user_claim`), `header:NAME` (believed only
    /// from `server.trusted_proxies`). A part that is missing from a request (no
    /// header, no token, or a token that fails verification) counts per client IP
    /// instead.
    #[serde(default = "default_key")]
    pub key: Vec<KeyPart>,
    /// Client IPv6 addresses sharing a limit: the length of their common prefix.
    #[serde(default = "default_ipv6_prefix")]
    pub ipv6_prefix: u8,
    /// Likewise for IPv4 (32: each address alone).
    #[serde(default = "default_ipv4_prefix")]
    pub ipv4_prefix: u8,
    /// The limit for requests without a tier (or whose tier has no entry in `tiers`).
    pub limit: TierLimit,
    /// Where a request's tier comes from: `api_key` (the `api_keys` table),
    /// `claim:NAME` (a claim of the verified JWT) or `header:NAME` (believed only from
    /// `server.trusted_proxies`). No tier (or an unverified token) means `limit`.
    #[serde(default)]
    pub tier_from: Option<TierSource>,
    /// Limits by tier name.
    #[serde(default)]
    pub tiers: BTreeMap<String, TierLimit>,
    /// Count and log what would be rejected, reject nothing.
    #[serde(default)]
    pub shadow: bool,
    #[serde(default)]
    pub exempt: LimitExempt,
    /// With a Redis store, what to do when Redis is unreachable.
    #[serde(default)]
    pub on_store_error: OnStoreError,
}

fn default_key() -> Vec<KeyPart> {
    vec![KeyPart::ClientIp]
}
fn default_ipv6_prefix() -> u8 {
    64
}
fn default_ipv4_prefix() -> u8 {
    32
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSelector {
    /// Exact request hosts (case-insensitive).
    pub hosts: Vec<String>,
    /// Request methods, e.g. `POST`.
    pub methods: Vec<String>,
    /// Route names (their `name:` or label).
    pub routes: Vec<String>,
    /// The request path starts with this.
    pub path_prefix: Option<String>,
}

/// One part of a rule's key, written `client_ip`, `api_key`, `route`, `user` or
/// `header:NAME`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(try_from = "String", into = "String")]
pub enum KeyPart {
    ClientIp,
    ApiKey,
    Route,
    /// The user claim of a verified JWT.
    User,
    /// A header believed only from a trusted proxy (lower-cased name).
    TrustedHeader(String),
}

impl TryFrom<String> for KeyPart {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "client_ip" => Ok(KeyPart::ClientIp),
            "api_key" => Ok(KeyPart::ApiKey),
            "route" => Ok(KeyPart::Route),
            "user" => Ok(KeyPart::User),
            _ => match text.strip_prefix("header:") {
                Some(name) if crate::schema::http_token(name) => {
                    Ok(KeyPart::TrustedHeader(name.to_ascii_lowercase()))
                }
                _ => Err(format!(
                    "`{text}` is not a key part; use `client_ip`, `api_key`, `route`, `user` or `header:NAME`"
                )),
            },
        }
    }
}

impl From<KeyPart> for String {
    fn from(part: KeyPart) -> String {
        match part {
            KeyPart::ClientIp => "client_ip".into(),
            KeyPart::ApiKey => "api_key".into(),
            KeyPart::Route => "route".into(),
            KeyPart::User => "user".into(),
            KeyPart::TrustedHeader(name) => format!("header:{name}"),
        }
    }
}

/// Where a tier comes from, written `api_key`, `claim:NAME` or `header:NAME`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(try_from = "String", into = "String")]
pub enum TierSource {
    ApiKey,
    /// A claim of a verified JWT.
    Claim(String),
    TrustedHeader(String),
}

impl TryFrom<String> for TierSource {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        if text == "api_key" {
            return Ok(TierSource::ApiKey);
        }
        if let Some(claim) = text.strip_prefix("claim:") {
            if !claim.is_empty() {
                return Ok(TierSource::Claim(claim.to_owned()));
            }
        }
        match text.strip_prefix("header:") {
            Some(name) if crate::schema::http_token(name) => {
                Ok(TierSource::TrustedHeader(name.to_ascii_lowercase()))
            }
            _ => Err(format!(
                "`{text}` is not a tier source; use `api_key`, `claim:NAME` or `header:NAME`"
            )),
        }
    }
}

impl From<TierSource> for String {
    fn from(source: TierSource) -> String {
        match source {
            TierSource::ApiKey => "api_key".into(),
            TierSource::Claim(name) => format!("claim:{name}"),
            TierSource::TrustedHeader(name) => format!("header:{name}"),
        }
    }
}

/// A limit, or `unlimited`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum TierLimit {
    Unlimited(Unlimited),
    Limited(LimitSpec),
}

/// The word `unlimited`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Unlimited {
    Unlimited,
}

/// `rate` requests per `period`, with bursts of up to `burst` (default `rate`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    #[serde(default)]
    pub algorithm: LimitAlgorithm,
    pub rate: u64,
    #[serde(with = "humantime_serde")]
    pub period: Duration,
    /// GCRA only.
    #[serde(default)]
    pub burst: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum LimitAlgorithm {
    #[default]
    Gcra,
    SlidingWindow,
    FixedWindow,
}

/// Requests no limit applies to.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitExempt {
    /// Client addresses (after trusted-proxy resolution).
    pub cidrs: Vec<IpNet>,
    pub api_keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OnStoreError {
    /// Limit locally, each instance granting `1/instances` of the quota.
    #[default]
    FailOpen,
    /// Reject with `503` and `Retry-After`.
    FailClosed,
}

const RULE_NAME_MAX: usize = 64;
/// The largest count a sliding window keeps per key (20 bits).
const SLIDING_WINDOW_MAX: u64 = (1 << 20) - 1;

/// The rules a well-formed `rate_limits:` section must also satisfy: (field, message).
pub(crate) fn check(limits: &RateLimitsConfig) -> Result<(), (String, String)> {
    let fail = |field: String, message: String| Err((field, message));
    let redis = match limits.store {
        LimitStore::Memory { .. } => None,
        LimitStore::Redis { mode, .. } => Some(mode),
    };
    if let LimitStore::Redis {
        url,
        batch,
        instances,
        timeout,
        ..
    } = &limits.store
    {
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            return fail(
                "rate_limits.store.url".into(),
                format!("`{url}` must be a redis:// or rediss:// URL"),
            );
        }
        if *batch == 0 {
            return fail(
                "rate_limits.store.batch".into(),
                "must be at least 1".into(),
            );
        }
        if *instances == 0 {
            return fail(
                "rate_limits.store.instances".into(),
                "must be at least 1".into(),
            );
        }
        if timeout.is_zero() {
            return fail(
                "rate_limits.store.timeout".into(),
                "must be longer than 0s".into(),
            );
        }
    }
    if let Some(header) = &limits.api_key_header {
        if !crate::schema::http_token(header) {
            return fail(
                "rate_limits.api_key_header".into(),
                format!("`{header}` is not a header name"),
            );
        }
    }
    if let Some(jwt) = &limits.jwt {
        crate::jwt::check(jwt, "rate_limits.jwt")?;
    }
    let mut names = std::collections::HashSet::new();
    for (i, rule) in limits.rules.iter().enumerate() {
        let at = format!("rate_limits.rules[{i}]");
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if rule.name.is_empty() || rule.name.len() > RULE_NAME_MAX || !rule.name.chars().all(valid)
        {
            return fail(
                format!("{at}.name"),
                format!(
                    "`{}` must be 1-{RULE_NAME_MAX} characters of [A-Za-z0-9_.-]",
                    rule.name
                ),
            );
        }
        if !names.insert(rule.name.as_str()) {
            return fail(
                format!("{at}.name"),
                format!("another rule is already named `{}`", rule.name),
            );
        }
        if rule.key.is_empty() {
            return fail(format!("{at}.key"), "needs at least one part".into());
        }
        let uses_api_key = rule.key.contains(&KeyPart::ApiKey)
            || rule.tier_from == Some(TierSource::ApiKey)
            || !rule.exempt.api_keys.is_empty();
        if uses_api_key && limits.api_key_header.is_none() {
            return fail(at, "uses API keys; set `rate_limits.api_key_header`".into());
        }
        let uses_jwt = rule.key.contains(&KeyPart::User)
            || matches!(rule.tier_from, Some(TierSource::Claim(_)));
        if uses_jwt && limits.jwt.is_none() {
            return fail(
                at,
                "uses a JWT (`user` key or `claim:` tier); set `rate_limits.jwt`".into(),
            );
        }
        if !(1..=128).contains(&rule.ipv6_prefix) {
            return fail(format!("{at}.ipv6_prefix"), "must be 1 to 128".into());
        }
        if !(1..=32).contains(&rule.ipv4_prefix) {
            return fail(format!("{at}.ipv4_prefix"), "must be 1 to 32".into());
        }
        if let Some(prefix) = &rule.selector.path_prefix {
            if !prefix.starts_with('/') {
                return fail(
                    format!("{at}.match.path_prefix"),
                    "must start with `/`".into(),
                );
            }
        }
        for (j, method) in rule.selector.methods.iter().enumerate() {
            if !crate::schema::http_token(method) {
                return fail(
                    format!("{at}.match.methods[{j}]"),
                    format!("`{method}` is not an HTTP method"),
                );
            }
        }
        if !rule.tiers.is_empty() && rule.tier_from.is_none() {
            return fail(
                format!("{at}.tier_from"),
                "`tiers` needs `tier_from: api_key`, `claim:NAME` or `header:NAME`".into(),
            );
        }
        check_limit(&format!("{at}.limit"), &rule.limit, redis)?;
        for (tier, limit) in &rule.tiers {
            check_limit(&format!("{at}.tiers.{tier}"), limit, redis)?;
        }
    }
    Ok(())
}

fn check_limit(
    at: &str,
    limit: &TierLimit,
    redis: Option<RedisMode>,
) -> Result<(), (String, String)> {
    let TierLimit::Limited(spec) = limit else {
        return Ok(());
    };
    if spec.rate == 0 {
        return Err((format!("{at}.rate"), "must be at least 1".into()));
    }
    if spec.period.is_zero() {
        return Err((format!("{at}.period"), "must be longer than 0s".into()));
    }
    if spec.burst == Some(0) {
        return Err((format!("{at}.burst"), "must be at least 1".into()));
    }
    let window_max = match spec.algorithm {
        LimitAlgorithm::Gcra => u64::MAX,
        LimitAlgorithm::SlidingWindow => SLIDING_WINDOW_MAX,
        LimitAlgorithm::FixedWindow => u64::from(u32::MAX),
    };
    if spec.rate > window_max {
        return Err((
            format!("{at}.rate"),
            format!(
                "a {:?} window counts at most {window_max}; use gcra for more",
                spec.algorithm
            ),
        ));
    }
    if let Some(burst) = spec.burst {
        if u128::from(burst) * (spec.period.as_nanos() / u128::from(spec.rate))
            > u128::from(u64::MAX)
        {
            return Err((
                format!("{at}.burst"),
                "burst × interval overflows 584 years; use a smaller burst".into(),
            ));
        }
    }
    if spec.algorithm != LimitAlgorithm::Gcra && spec.burst.is_some() {
        return Err((
            format!("{at}.burst"),
            "only `algorithm: gcra` has a burst; a window grants `rate` per period".into(),
        ));
    }
    if redis == Some(RedisMode::Leased) && spec.algorithm != LimitAlgorithm::Gcra {
        return Err((
            format!("{at}.algorithm"),
            "leased mode takes GCRA tokens in batches; use `algorithm: gcra` or `store.mode: exact`".into(),
        ));
    }
    if redis.is_some() && spec.algorithm != LimitAlgorithm::Gcra {
        // Redis windows count whole milliseconds.
        let window_ms = spec.period.as_millis();
        if window_ms == 0 || u128::from(spec.rate) * window_ms >= 1 << 53 {
            return Err((
                format!("{at}.period"),
                "a Redis window needs a period of at least 1ms and rate × milliseconds below 2^53"
                    .into(),
            ));
        }
        return Ok(());
    }
    let interval_ns = spec.period.as_nanos() / u128::from(spec.rate);
    let finest = if redis.is_some() { 1_000 } else { 1 };
    if interval_ns < finest {
        return Err((
            format!("{at}.rate"),
            format!(
                "{} per {:?} is finer than {finest}ns between requests; use a longer period",
                spec.rate, spec.period
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::Path;

    use crate::{Config, ConfigError};

    use super::*;

    /// Parses `section` as the `rate_limits:` section of a `perfkit.yml`.
    pub(crate) fn parse(section: &str) -> Result<Config, ConfigError> {
        Config::parse_with_env(
            Path::new("perfkit.yml"),
            &format!("rate_limits:\n{section}"),
            Vec::new(),
        )
    }

    #[test]
    fn rules_parse_with_tiers_and_defaults() {
        let config = parse(
            "  api_key_header: x-api-key
  api_keys: {k1: pro}
  rules:
    - name: per-key
      key: [api_key, route, header:X-User]
      tier_from: api_key
      limit: {rate: 10, period: 1m}
      tiers:
        pro: {algorithm: sliding_window, rate: 100, period: 1m}
        enterprise: unlimited
",
        )
        .unwrap();
        let rule = &config.rate_limits.rules[0];
        assert_eq!(
            rule.key,
            [
                KeyPart::ApiKey,
                KeyPart::Route,
                KeyPart::TrustedHeader("x-user".into())
            ]
        );
        assert_eq!((rule.ipv6_prefix, rule.ipv4_prefix), (64, 32));
        assert_eq!(
            rule.tiers["enterprise"],
            TierLimit::Unlimited(Unlimited::Unlimited)
        );
        assert!(
            matches!(&rule.tiers["pro"], TierLimit::Limited(spec) if spec.algorithm == LimitAlgorithm::SlidingWindow)
        );
        assert_eq!(config.rate_limits.store, LimitStore::default());
        assert!(config.rate_limits.response.headers_on_allowed);
    }

    #[test]
    fn bad_rules_point_at_their_line_and_field() {
        let cases = [
            (
                "  rules:\n    - name: a\n      limit: {rate: 0, period: 1m}\n",
                "perfkit.yml:4:15: rate_limits.rules[0].limit.rate: must be at least 1",
            ),
            (
                "  rules:\n    - name: a\n      limit: {rate: 1, period: 1m}\n    - name: a\n      limit: {rate: 1, period: 1m}\n",
                "perfkit.yml:5:7: rate_limits.rules[1].name: another rule is already named `a`",
            ),
            (
                "  rules:\n    - name: a\n      key: [api_key]\n      limit: {rate: 1, period: 1m}\n",
                "perfkit.yml:3:7: rate_limits.rules[0]: uses API keys; set `rate_limits.api_key_header`",
            ),
            (
                "  store: {kind: redis, url: \"redis://x:1\", mode: leased}\n  rules:\n    - name: a\n      limit: {algorithm: fixed_window, rate: 1, period: 1m}\n",
                "perfkit.yml:5:15: rate_limits.rules[0].limit.algorithm: leased mode takes GCRA tokens in batches; use `algorithm: gcra` or `store.mode: exact`",
            ),
            (
                "  rules:\n    - name: a\n      ipv6_prefix: 0\n      limit: {rate: 1, period: 1m}\n",
                "perfkit.yml:4:7: rate_limits.rules[0].ipv6_prefix: must be 1 to 128",
            ),
        ];
        for (section, expected) in cases {
            let error = parse(section).unwrap_err().to_string();
            assert_eq!(error, expected, "{section}");
        }
    }

    #[test]
    fn api_keys_are_redacted_when_the_config_is_shown() {
        let config = parse(
            "  api_key_header: x-api-key
  api_keys: {secret-one: pro}
  rules:
    - name: a
      exempt: {api_keys: [secret-two]}
      limit: {rate: 1, period: 1m}
",
        )
        .unwrap();
        let shown = config.to_redacted_yaml();
        assert!(!shown.contains("secret-"), "{shown}");
        assert!(shown.contains("<redacted-1>: pro"), "{shown}");
    }

    #[test]
    fn a_bad_key_part_is_a_parse_error_with_a_location() {
        let error =
            parse("  rules:\n    - name: a\n      key: [ip]\n      limit: {rate: 1, period: 1m}\n")
                .unwrap_err();
        assert!(error.location().is_some(), "{error}");
        assert!(
            error.to_string().contains("`ip` is not a key part"),
            "{error}"
        );
    }
}
