//! The rate-limit phase: after routing, before the cache lookup. Every rule that
//! selects the request decides on its key (client IP prefix, API key, trusted header,
//! route) with its tier's limiter; all must admit, and the tightest decision is
//! reported (`RateLimit-Policy`, `RateLimit`, `Retry-After`).
//!
//! Limiters are kept in [`LimitState`] (in `Shared`) by rule, tier, limit and store,
//! so a reload that keeps a rule unchanged keeps its counters; a rule whose limit
//! changes starts afresh.

use std::collections::HashMap;
use std::hash::Hasher;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use http::header::{self, HeaderName, HeaderValue};
use http::{request, Method, Response, StatusCode};
use ipnet::IpNet;
use perfkit_config::{
    KeyPart, LimitAlgorithm, LimitBody, LimitResponse, LimitSpec, LimitStore, OnStoreError,
    RateLimitRule, RateLimitsConfig, RedisMode, TierLimit, TierSource,
};
use perfkit_limit::headers::{
    append_policy, retry_after_for, PolicyName, QuotaUnit, RateLimitItem, MAX_RATELIMIT_ITEM,
};
use perfkit_limit::{
    Decision, FailPolicy, FixedWindow, Gcra, Key, LazyConnection, LeasedLimiter, MemoryLimiter,
    Quota, RedisLimiter, RedisWindowLimiter, Resilient, SlidingWindow, Source, WindowKind,
};
use prometheus::IntCounter;

use crate::admin::metrics::Metrics;
use crate::body::ResponseBody;
use crate::request::forwarded::ClientPeer;
use crate::request::identity::{Verified, Verifier};
use crate::request::route::Route;
use crate::runtime::Runtime;

/// How long a fail-closed rule tells clients to wait while its store is down.
const FAIL_CLOSED_RETRY: Duration = Duration::from_secs(1);
/// How long a leased batch of tokens may be spent locally.
const LEASE_TTL: Duration = Duration::from_secs(1);

/// Why the rate limits of a configuration cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error("rate_limits.store.url: `{url}` is not a Redis URL: {cause}")]
    Connect { url: String, cause: String },
    #[error("rate_limits.rules: `{rule}`: {cause}")]
    Limit { rule: String, cause: String },
    #[error(transparent)]
    JwtKey(#[from] crate::request::identity::KeyError),
}

/// Limiters and Redis connections that outlive one configuration generation.
#[derive(Default)]
pub struct LimitState {
    limiters: Mutex<HashMap<String, Arc<Limiter>>>,
    /// Made on first use, so the gateway starts (and reloads) while Redis is down.
    redis: Mutex<HashMap<(String, bool), LazyConnection>>,
}

impl std::fmt::Debug for LimitState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let limiters = self.limiters.lock().map(|map| map.len()).unwrap_or(0);
        f.debug_struct("LimitState")
            .field("limiters", &limiters)
            .finish_non_exhaustive()
    }
}

/// One rule's limiter for one tier.
enum Limiter {
    Unlimited,
    Gcra(MemoryLimiter<Gcra>),
    Sliding(MemoryLimiter<SlidingWindow>),
    Fixed(MemoryLimiter<FixedWindow>),
    Redis(Resilient<RedisLimiter<LazyConnection>>),
    RedisWindow(Resilient<RedisWindowLimiter<LazyConnection>>),
    Leased(Resilient<LeasedLimiter<LazyConnection>>),
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Limiter::Unlimited => "Unlimited",
            Limiter::Gcra(_) => "Gcra",
            Limiter::Sliding(_) => "Sliding",
            Limiter::Fixed(_) => "Fixed",
            Limiter::Redis(_) => "Redis",
            Limiter::RedisWindow(_) => "RedisWindow",
            Limiter::Leased(_) => "Leased",
        })
    }
}

/// What a limiter can say without waiting.
enum Immediate {
    Unlimited,
    Decided(Decision),
    /// The decision needs the remote store: [`Limiter::check`].
    Remote,
}

impl Limiter {
    /// The in-memory decision, taken without a future: most rules are in memory, and
    /// the phase awaits only for those that are not.
    #[inline]
    fn check_now(&self, key: Key) -> Immediate {
        match self {
            Limiter::Unlimited => Immediate::Unlimited,
            Limiter::Gcra(limiter) => Immediate::Decided(limiter.check(key)),
            Limiter::Sliding(limiter) => Immediate::Decided(limiter.check(key)),
            Limiter::Fixed(limiter) => Immediate::Decided(limiter.check(key)),
            Limiter::Redis(_) | Limiter::RedisWindow(_) | Limiter::Leased(_) => Immediate::Remote,
        }
    }

    /// The decision, and whether the store failed; `None` when unlimited.
    async fn check(&self, key: Key) -> Option<(Decision, Source)> {
        let memory = |decision| Some((decision, Source::Store));
        match self {
            Limiter::Unlimited => None,
            Limiter::Gcra(limiter) => memory(limiter.check(key)),
            Limiter::Sliding(limiter) => memory(limiter.check(key)),
            Limiter::Fixed(limiter) => memory(limiter.check(key)),
            Limiter::Redis(limiter) => {
                let checked = limiter.check(key, 1).await;
                log_store_error(&checked);
                Some((checked.decision, checked.source))
            }
            Limiter::RedisWindow(limiter) => {
                let checked = limiter.check(key, 1).await;
                log_store_error(&checked);
                Some((checked.decision, checked.source))
            }
            Limiter::Leased(limiter) => {
                let checked = limiter.check(key, 1).await;
                log_store_error(&checked);
                Some((checked.decision, checked.source))
            }
        }
    }
}

fn log_store_error(checked: &perfkit_limit::Checked) {
    if let Some(error) = &checked.error {
        tracing::warn!(%error, source = ?checked.source, "rate-limit store failed");
    }
}

/// Decision counters of one rule and tier, resolved once per configuration.
#[derive(Debug)]
struct Counters {
    allowed: IntCounter,
    limited: IntCounter,
    shadow_limited: IntCounter,
    store_error: IntCounter,
}

#[derive(Debug)]
struct Tier {
    name: String,
    limiter: Arc<Limiter>,
    counters: Counters,
    /// `RateLimit-Policy` as last rendered, with the quota and window it says: a
    /// decision with the same quota (all of an in-memory limiter's) clones it.
    policy: OnceLock<(u64, u64, HeaderValue)>,
}

#[derive(Debug)]
struct Rule {
    name: String,
    policy: PolicyName,
    ratelimit: RateLimitItem,
    hosts: Vec<String>,
    methods: Vec<Method>,
    routes: Vec<String>,
    path_prefix: Option<String>,
    key: Vec<KeyPart>,
    ipv4_prefix: u8,
    ipv6_prefix: u8,
    /// Index 0 is the default tier (the rule's `limit`).
    tiers: Vec<Tier>,
    tier_from: Option<TierSource>,
    shadow: bool,
    exempt_cidrs: Vec<IpNet>,
    exempt_keys: Vec<String>,
    fail_closed: bool,
    /// The key or the tier comes from a verified JWT.
    uses_identity: bool,
}

/// The compiled `rate_limits:` section of one configuration generation.
#[derive(Debug, Default)]
pub struct Limits {
    rules: Vec<Rule>,
    response: LimitResponse,
    api_key_header: Option<HeaderName>,
    api_keys: HashMap<String, String>,
    verifier: Option<Verifier>,
}

/// What an admitted request's response should carry: the tightest decision, its
/// headers rendered only when the response is.
#[derive(Debug)]
pub(crate) struct Admitted<'r>(Option<Reported<'r>>);

#[derive(Debug)]
struct Reported<'r> {
    rule: &'r Rule,
    tier: &'r Tier,
    decision: Decision,
}

impl<'r> Admitted<'r> {
    /// Admitted with nothing to add: no rule applied.
    pub(crate) fn unlimited() -> Admitted<'r> {
        Admitted(None)
    }

    /// Adds the rate-limit headers (when configured) to the response.
    pub(crate) fn apply(
        self,
        mut response: Response<ResponseBody>,
        runtime: &Runtime,
    ) -> Response<ResponseBody> {
        if let Some(Reported {
            rule,
            tier,
            decision,
        }) = self.0
        {
            let (policy, ratelimit) = header_values(rule, tier, &decision);
            put_headers(
                &mut response,
                &runtime.limits.response,
                policy,
                ratelimit,
                &decision,
            );
        }
        response
    }
}

impl Limits {
    /// Compiles `config`, reusing `state`'s limiters for unchanged rules and dropping
    /// those no rule uses any more.
    pub async fn build(
        config: &RateLimitsConfig,
        state: &LimitState,
        metrics: &Metrics,
    ) -> Result<Limits, LimitError> {
        let mut used = HashMap::new();
        let mut rules = Vec::with_capacity(config.rules.len());
        for rule in &config.rules {
            let mut tiers = Vec::with_capacity(rule.tiers.len() + 1);
            let all = std::iter::once(("default", &rule.limit)).chain(
                rule.tiers
                    .iter()
                    .map(|(name, limit)| (name.as_str(), limit)),
            );
            for (tier, limit) in all {
                let id = format!(
                    "{}\u{0}{tier}\u{0}{limit:?}\u{0}{:?}\u{0}{:?}",
                    rule.name, config.store, rule.on_store_error
                );
                let existing = state
                    .limiters
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&id)
                    .cloned();
                let limiter = match existing {
                    Some(limiter) => limiter,
                    None => Arc::new(new_limiter(rule, tier, limit, &config.store, state)?),
                };
                used.insert(id, Arc::clone(&limiter));
                tiers.push(Tier {
                    name: tier.to_owned(),
                    limiter,
                    counters: Counters {
                        allowed: metrics.rate_limit_decisions(&rule.name, tier, "allowed"),
                        limited: metrics.rate_limit_decisions(&rule.name, tier, "limited"),
                        shadow_limited: metrics.rate_limit_decisions(
                            &rule.name,
                            tier,
                            "shadow_limited",
                        ),
                        store_error: metrics.rate_limit_decisions(&rule.name, tier, "store_error"),
                    },
                    policy: OnceLock::new(),
                });
            }
            let policy = PolicyName::new(&rule.name).map_err(|e| LimitError::Limit {
                rule: rule.name.clone(),
                cause: e.to_string(),
            })?;
            rules.push(Rule {
                name: rule.name.clone(),
                ratelimit: RateLimitItem::new(&policy),
                policy,
                hosts: rule.selector.hosts.clone(),
                methods: rule
                    .selector
                    .methods
                    .iter()
                    .filter_map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
                    .collect(),
                routes: rule.selector.routes.clone(),
                path_prefix: rule.selector.path_prefix.clone(),
                key: rule.key.clone(),
                ipv4_prefix: rule.ipv4_prefix,
                ipv6_prefix: rule.ipv6_prefix,
                tiers,
                tier_from: rule.tier_from.clone(),
                shadow: rule.shadow,
                exempt_cidrs: rule.exempt.cidrs.clone(),
                exempt_keys: rule.exempt.api_keys.clone(),
                fail_closed: rule.on_store_error == OnStoreError::FailClosed,
                uses_identity: rule.key.contains(&KeyPart::User)
                    || matches!(rule.tier_from, Some(TierSource::Claim(_))),
            });
        }
        // Keys (and the JWKS file) are read before any limiter is replaced, so a
        // reload with an unreadable key changes nothing.
        let verifier = config.jwt.as_ref().map(Verifier::build).transpose()?;
        *state.limiters.lock().unwrap_or_else(|e| e.into_inner()) = used;
        Ok(Limits {
            verifier,
            rules,
            response: config.response.clone(),
            api_key_header: config
                .api_key_header
                .as_deref()
                .and_then(|name| HeaderName::from_bytes(name.as_bytes()).ok()),
            api_keys: config
                .api_keys
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }
}

fn new_limiter(
    rule: &RateLimitRule,
    tier: &str,
    limit: &TierLimit,
    store: &LimitStore,
    state: &LimitState,
) -> Result<Limiter, LimitError> {
    let TierLimit::Limited(spec) = limit else {
        return Ok(Limiter::Unlimited);
    };
    let invalid = |cause: String| LimitError::Limit {
        rule: rule.name.clone(),
        cause,
    };
    let quota = quota(spec);
    match store {
        LimitStore::Memory { max_keys } => Ok(match spec.algorithm {
            LimitAlgorithm::Gcra => Limiter::Gcra(MemoryLimiter::new(
                Gcra::new(quota).map_err(|e| invalid(e.to_string()))?,
                *max_keys,
            )),
            LimitAlgorithm::SlidingWindow => Limiter::Sliding(MemoryLimiter::new(
                SlidingWindow::new(spec.rate, spec.period).map_err(|e| invalid(e.to_string()))?,
                *max_keys,
            )),
            LimitAlgorithm::FixedWindow => Limiter::Fixed(MemoryLimiter::new(
                FixedWindow::new(spec.rate, spec.period).map_err(|e| invalid(e.to_string()))?,
                *max_keys,
            )),
        }),
        LimitStore::Redis {
            url,
            cluster,
            mode,
            batch,
            instances,
            timeout,
            max_keys,
        } => {
            let conn = redis_connection(url, *cluster, state)?;
            let name = redis_name(&rule.name, tier);
            let policy = match rule.on_store_error {
                OnStoreError::FailOpen => FailPolicy::Open {
                    instances: *instances,
                },
                OnStoreError::FailClosed => FailPolicy::Closed {
                    retry_after: FAIL_CLOSED_RETRY,
                },
            };
            let window = match spec.algorithm {
                LimitAlgorithm::Gcra => None,
                LimitAlgorithm::FixedWindow => Some(WindowKind::Fixed),
                LimitAlgorithm::SlidingWindow => Some(WindowKind::Sliding),
            };
            if let Some(kind) = window {
                // Exact mode only (the config refuses leased windows).
                let remote = RedisWindowLimiter::new(conn, &name, kind, spec.rate, spec.period)
                    .map_err(|e| invalid(e.to_string()))?;
                // Failing open, each instance counts its share in a local window of
                // the same kind.
                return Ok(Limiter::RedisWindow(
                    Resilient::new_window(remote, kind, spec.rate, spec.period, policy, *max_keys)
                        .map_err(|e| invalid(e.to_string()))?
                        .with_timeout(*timeout),
                ));
            }
            let remote =
                RedisLimiter::new(conn, &name, quota).map_err(|e| invalid(e.to_string()))?;
            Ok(match mode {
                RedisMode::Exact => Limiter::Redis(
                    Resilient::new(remote, quota, policy, *max_keys)
                        .map_err(|e| invalid(e.to_string()))?
                        .with_timeout(*timeout),
                ),
                RedisMode::Leased => {
                    let leased = LeasedLimiter::new(remote, *batch, LEASE_TTL, *max_keys)
                        .map_err(|e| invalid(e.to_string()))?;
                    Limiter::Leased(
                        Resilient::new(leased, quota, policy, *max_keys)
                            .map_err(|e| invalid(e.to_string()))?
                            .with_timeout(*timeout),
                    )
                }
            })
        }
    }
}

fn quota(spec: &LimitSpec) -> Quota {
    Quota {
        count: spec.rate,
        period: spec.period,
        burst: spec.burst.unwrap_or(spec.rate),
    }
}

/// The Redis key name of a rule's tier: `[A-Za-z0-9_.-]`, at most 64 characters.
fn redis_name(rule: &str, tier: &str) -> String {
    let tier = xxhash_rust::xxh3::xxh3_64(tier.as_bytes()) as u32;
    format!("{}.{tier:08x}", &rule[..rule.len().min(55)])
}

/// The process's connection to `url` (one per URL and kind, shared by every rule and
/// kept across reloads); nothing is sent until a decision needs it.
fn redis_connection(
    url: &str,
    cluster: bool,
    state: &LimitState,
) -> Result<LazyConnection, LimitError> {
    let mut connections = state.redis.lock().unwrap_or_else(|e| e.into_inner());
    let id = (url.to_owned(), cluster);
    if let Some(conn) = connections.get(&id) {
        return Ok(conn.clone());
    }
    let made = if cluster {
        LazyConnection::cluster(&[url.to_owned()])
    } else {
        LazyConnection::server(url)
    };
    let conn = made.map_err(|e| LimitError::Connect {
        url: url.to_owned(),
        cause: e.to_string(),
    })?;
    connections.insert(id, conn.clone());
    Ok(conn)
}

/// What the phase needs to know about the request.
#[derive(Clone, Copy)]
pub(crate) struct Request<'a> {
    pub parts: &'a request::Parts,
    pub host: &'a str,
    pub route: &'a Route,
    pub peer: &'a ClientPeer,
}

/// Decides the request: `Ok` to go on (with headers for its response), or the `429`
/// (`503` for a fail-closed store) to answer with.
pub(crate) async fn check<'r>(
    runtime: &'r Runtime,
    request: Request<'_>,
) -> Result<Admitted<'r>, Response<ResponseBody>> {
    let limits = &runtime.limits;
    if limits.is_empty() {
        return Ok(Admitted(None));
    }
    let headers = &request.parts.headers;
    let api_key = limits
        .api_key_header
        .as_ref()
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok());
    let trusted_peer = runtime.trusted.contains(request.peer.ip);
    let mut client_ip: Option<IpAddr> = None;
    // Verified at most once per request, and only for rules that use it.
    let mut identity: Option<Option<Arc<Verified>>> = None;
    let mut tightest: Option<(&Rule, &Tier, Decision, bool)> = None;
    for rule in &limits.rules {
        if !selects(rule, &request) {
            continue;
        }
        let ip = *client_ip.get_or_insert_with(|| runtime.trusted.client_ip(request.peer, headers));
        if rule.exempt_cidrs.iter().any(|net| net.contains(&ip))
            || api_key.is_some_and(|key| rule.exempt_keys.iter().any(|k| k == key))
        {
            continue;
        }
        let verified = if rule.uses_identity {
            identity
                .get_or_insert_with(|| verify(limits.verifier.as_ref(), headers))
                .as_deref()
        } else {
            None
        };
        let tier = tier_of(rule, limits, api_key, verified, headers, trusted_peer);
        let key = key_of(rule, &request, ip, api_key, verified, trusted_peer);
        let checked = match tier.limiter.check_now(key) {
            Immediate::Decided(decision) => Some((decision, Source::Store)),
            Immediate::Unlimited => None,
            Immediate::Remote => tier.limiter.check(key).await,
        };
        let Some((decision, source)) = checked else {
            tier.counters.allowed.inc();
            continue;
        };
        let failed_closed = source == Source::FailedClosed;
        if source != Source::Store {
            tier.counters.store_error.inc();
        }
        if decision.allowed {
            tier.counters.allowed.inc();
        } else if rule.shadow {
            tier.counters.shadow_limited.inc();
            tracing::info!(rule = %rule.name, tier = %tier.name, client = %ip, route = %request.route.label, "rate limit would reject (shadow mode)");
            continue;
        } else {
            tier.counters.limited.inc();
        }
        let replace = match &tightest {
            None => true,
            Some((_, _, current, _)) => current.tightest(decision) != *current,
        };
        if replace {
            tightest = Some((rule, tier, decision, failed_closed && rule.fail_closed));
        }
    }
    let Some((rule, tier, decision, failed_closed)) = tightest else {
        return Ok(Admitted(None));
    };
    if decision.allowed {
        if !limits.response.headers_on_allowed {
            return Ok(Admitted(None));
        }
        return Ok(Admitted(Some(Reported {
            rule,
            tier,
            decision,
        })));
    }
    let (policy, ratelimit) = header_values(rule, tier, &decision);
    Err(reject(
        &limits.response,
        rule,
        policy,
        ratelimit,
        &decision,
        failed_closed,
    ))
}

fn selects(rule: &Rule, request: &Request<'_>) -> bool {
    (rule.routes.is_empty() || rule.routes.contains(&request.route.label))
        && (rule.methods.is_empty() || rule.methods.contains(&request.parts.method))
        && (rule.hosts.is_empty()
            || rule
                .hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(request.host)))
        && rule
            .path_prefix
            .as_ref()
            .is_none_or(|prefix| request.parts.uri.path().starts_with(prefix.as_str()))
}

/// The request's verified claims; `None` (anonymous) when there is no token or it
/// fails verification.
fn verify(verifier: Option<&Verifier>, headers: &http::HeaderMap) -> Option<Arc<Verified>> {
    match verifier?.verify(headers) {
        Ok(verified) => Some(verified),
        Err(rejection) => {
            tracing::debug!(?rejection, "request is anonymous for rate limits");
            None
        }
    }
}

fn tier_of<'r>(
    rule: &'r Rule,
    limits: &Limits,
    api_key: Option<&str>,
    verified: Option<&Verified>,
    headers: &http::HeaderMap,
    trusted_peer: bool,
) -> &'r Tier {
    let name = match &rule.tier_from {
        None => None,
        Some(TierSource::ApiKey) => api_key
            .and_then(|key| limits.api_keys.get(key))
            .map(String::as_str),
        Some(TierSource::Claim(claim)) => verified.and_then(|v| v.claim(claim)),
        Some(TierSource::TrustedHeader(header)) if trusted_peer => {
            headers.get(header.as_str()).and_then(|v| v.to_str().ok())
        }
        Some(TierSource::TrustedHeader(_)) => None,
    };
    name.and_then(|name| rule.tiers[1..].iter().find(|tier| tier.name == name))
        .unwrap_or(&rule.tiers[0])
}

/// The client address with the rule's prefix kept and the rest zeroed.
pub(crate) fn ip_prefix(ip: IpAddr, ipv4_prefix: u8, ipv6_prefix: u8) -> (u8, u128) {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let mask = u32::MAX
                .checked_shl(32 - u32::from(ipv4_prefix))
                .unwrap_or(0);
            (4, u128::from(bits & mask))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let mask = u128::MAX
                .checked_shl(128 - u32::from(ipv6_prefix))
                .unwrap_or(0);
            (6, bits & mask)
        }
    }
}

fn key_of(
    rule: &Rule,
    request: &Request<'_>,
    ip: IpAddr,
    api_key: Option<&str>,
    verified: Option<&Verified>,
    trusted_peer: bool,
) -> Key {
    if let [KeyPart::ClientIp] = rule.key.as_slice() {
        return ip_key(ip, rule.ipv4_prefix, rule.ipv6_prefix);
    }
    let mut hasher = KeyHasher::new();
    let hash_ip = |hasher: &mut KeyHasher| {
        let (family, bits) = ip_prefix(ip, rule.ipv4_prefix, rule.ipv6_prefix);
        hasher.write_u8(family);
        hasher.write_u128(bits);
    };
    for part in &rule.key {
        match part {
            KeyPart::ClientIp => hash_ip(&mut hasher),
            KeyPart::Route => {
                hasher.write_u8(b'r');
                hasher.write(request.route.label.as_bytes());
            }
            KeyPart::ApiKey => match api_key {
                Some(key) => {
                    hasher.write_u8(b'k');
                    hasher.write(key.as_bytes());
                }
                None => hash_ip(&mut hasher),
            },
            KeyPart::User => match verified.and_then(Verified::user) {
                Some(user) => {
                    hasher.write_u8(b'u');
                    hasher.write(user.as_bytes());
                }
                None => hash_ip(&mut hasher),
            },
            KeyPart::TrustedHeader(name) => {
                match request
                    .parts
                    .headers
                    .get(name.as_str())
                    .filter(|_| trusted_peer)
                {
                    Some(value) => {
                        hasher.write_u8(b'h');
                        hasher.write(value.as_bytes());
                    }
                    None => hash_ip(&mut hasher),
                }
            }
        }
        hasher.write_u8(0xff);
    }
    Key::from_hash(hasher.finish())
}

/// The key of a rule keyed by the client address alone (the common case): the xxh3
/// of the same 18 bytes [`KeyHasher`] would gather (family, address bits in native
/// order, the part terminator), laid out in a fixed array so nothing is zeroed or
/// copied through `memcpy`.
fn ip_key(ip: IpAddr, ipv4_prefix: u8, ipv6_prefix: u8) -> Key {
    let (family, bits) = ip_prefix(ip, ipv4_prefix, ipv6_prefix);
    let mut bytes = [0xff; 18];
    bytes[0] = family;
    bytes[1..17].copy_from_slice(&bits.to_ne_bytes());
    Key::from_hash(xxhash_rust::xxh3::xxh3_64(&bytes))
}

/// Bytes hashed into a [`Key`]: gathered on the stack and hashed at once (xxh3 of a
/// short input is a few dozen instructions), spilling to the streaming hasher when a
/// long part (an API key, a header value) does not fit. Either way the hash is the
/// xxh3 of the same bytes, so keys (and the Redis keys named after them) are the
/// same as a streaming hasher's.
struct KeyHasher {
    buffer: [u8; KEY_BUFFER],
    len: usize,
    spilled: Option<Box<xxhash_rust::xxh3::Xxh3Default>>,
}

const KEY_BUFFER: usize = 128;

impl KeyHasher {
    fn new() -> KeyHasher {
        KeyHasher {
            buffer: [0; KEY_BUFFER],
            len: 0,
            spilled: None,
        }
    }
}

impl Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if let Some(streaming) = &mut self.spilled {
            streaming.update(bytes);
        } else if let Some(room) = self.buffer.get_mut(self.len..self.len + bytes.len()) {
            room.copy_from_slice(bytes);
            self.len += bytes.len();
        } else {
            let mut streaming = Box::new(xxhash_rust::xxh3::Xxh3Default::new());
            streaming.update(&self.buffer[..self.len]);
            streaming.update(bytes);
            self.spilled = Some(streaming);
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        match &self.spilled {
            Some(streaming) => streaming.digest(),
            None => xxhash_rust::xxh3::xxh3_64(&self.buffer[..self.len]),
        }
    }
}

/// The decision's `RateLimit-Policy` (the tier's rendering when the quota is the
/// same) and `RateLimit` (the rule's prerendered item and two integers).
fn header_values(rule: &Rule, tier: &Tier, decision: &Decision) -> (HeaderValue, HeaderValue) {
    let (limit, window) = (decision.limit, decision.window_secs());
    let policy = match tier.policy.get() {
        Some((l, w, value)) if (*l, *w) == (limit, window) => value.clone(),
        _ => {
            let mut text = String::new();
            append_policy(
                &mut text,
                &rule.policy,
                limit,
                QuotaUnit::Requests,
                Some(window),
            );
            let value = HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(""));
            let _ = tier.policy.set((limit, window, value.clone()));
            value
        }
    };
    let mut buffer = [0; MAX_RATELIMIT_ITEM];
    let item = rule
        .ratelimit
        .write(&mut buffer, decision.remaining, Some(decision.reset_secs()));
    (policy, arena_value(item))
}

/// Bytes of the `RateLimit` values rendered on this thread; each value is a slice of
/// the current block (a reference count), so admitting a request allocates nothing
/// but one block per [`ARENA_BLOCK`] bytes of values.
const ARENA_BLOCK: usize = 16 * 1024;

thread_local! {
    static ARENA: std::cell::RefCell<bytes::BytesMut> =
        std::cell::RefCell::new(bytes::BytesMut::new());
}

/// `bytes` as a header value held in this thread's arena.
fn arena_value(bytes: &[u8]) -> HeaderValue {
    ARENA.with_borrow_mut(|arena| {
        if arena.capacity() - arena.len() < bytes.len() {
            *arena = bytes::BytesMut::with_capacity(ARENA_BLOCK.max(bytes.len()));
        }
        arena.extend_from_slice(bytes);
        HeaderValue::from_maybe_shared(arena.split().freeze())
            .unwrap_or(HeaderValue::from_static(""))
    })
}

const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

fn put_headers(
    response: &mut Response<ResponseBody>,
    config: &LimitResponse,
    policy: HeaderValue,
    ratelimit: HeaderValue,
    decision: &Decision,
) {
    let headers = response.headers_mut();
    headers.insert(RATELIMIT_POLICY, policy);
    headers.insert(RATELIMIT, ratelimit);
    if config.legacy_headers {
        headers.insert(X_RATELIMIT_LIMIT, HeaderValue::from(decision.limit));
        headers.insert(X_RATELIMIT_REMAINING, HeaderValue::from(decision.remaining));
        headers.insert(X_RATELIMIT_RESET, HeaderValue::from(decision.reset_secs()));
    }
}

fn reject(
    config: &LimitResponse,
    rule: &Rule,
    policy: HeaderValue,
    ratelimit: HeaderValue,
    decision: &Decision,
    failed_closed: bool,
) -> Response<ResponseBody> {
    let retry = retry_after_for(decision);
    let (status, message) = if failed_closed {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "rate-limit store unavailable",
        )
    } else {
        (StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded")
    };
    let (body, content_type) = match config.body {
        LimitBody::Json => (
            serde_json::json!({
                "error": message,
                "rule": rule.name,
                "retry_after": retry,
            })
            .to_string(),
            "application/json",
        ),
        LimitBody::Text => (
            match retry {
                Some(secs) => format!("{message} ({}); retry after {secs}s\n", rule.name),
                None => format!("{message} ({})\n", rule.name),
            },
            "text/plain; charset=utf-8",
        ),
    };
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(secs) = retry {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    put_headers(&mut response, config, policy, ratelimit, decision);
    response
}

impl Limits {
    /// Whether no rule is configured (the phase has nothing to do).
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The tier the first rule that selects the request and has a `tier_from` resolves
    /// it to (`None`: no such rule, or its default tier), for the shedding phase's
    /// tier priorities.
    pub(crate) fn tier_of_request(&self, runtime: &Runtime, request: &Request<'_>) -> Option<&str> {
        let headers = &request.parts.headers;
        let api_key = self
            .api_key_header
            .as_ref()
            .and_then(|name| headers.get(name))
            .and_then(|v| v.to_str().ok());
        let trusted_peer = runtime.trusted.contains(request.peer.ip);
        let rule = self
            .rules
            .iter()
            .find(|rule| rule.tier_from.is_some() && selects(rule, request))?;
        // A claim tier needs the token verified again: shedding asks only for
        // upstreams that give tiers priorities.
        let verified = if rule.uses_identity {
            verify(self.verifier.as_ref(), headers)
        } else {
            None
        };
        let tier = tier_of(
            rule,
            self,
            api_key,
            verified.as_deref(),
            headers,
            trusted_peer,
        );
        (!std::ptr::eq(tier, &rule.tiers[0])).then_some(tier.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_in_one_prefix_share_it() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_prefix(a, 32, 64), ip_prefix(b, 32, 64));
        assert_ne!(ip_prefix(a, 32, 64), ip_prefix(c, 32, 64));
        assert_eq!(ip_prefix(a, 32, 48), ip_prefix(c, 32, 48));
        assert_ne!(ip_prefix(a, 32, 128), ip_prefix(b, 32, 128));
    }

    #[test]
    fn an_ip_only_key_is_the_key_the_general_path_builds() {
        for (ip, v4, v6) in [
            ("192.0.2.7", 32, 64),
            ("192.0.2.7", 24, 64),
            ("2001:db8:1:2::1", 32, 64),
            ("2001:db8:1:2::1", 32, 128),
            ("::ffff:10.0.0.1", 32, 48),
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            let mut hasher = KeyHasher::new();
            let (family, bits) = ip_prefix(ip, v4, v6);
            hasher.write_u8(family);
            hasher.write_u128(bits);
            hasher.write_u8(0xff);
            assert_eq!(ip_key(ip, v4, v6), Key::from_hash(hasher.finish()), "{ip}");
        }
    }

    #[test]
    fn arena_values_are_the_bytes_written_and_survive_a_new_block() {
        let first = arena_value(b"\"per-ip\";r=41;t=7");
        let mut later = Vec::new();
        for n in 0..2 * ARENA_BLOCK / 16 {
            later.push((n, arena_value(format!("\"p\";r={n}").as_bytes())));
        }
        assert_eq!(first.as_bytes(), b"\"per-ip\";r=41;t=7");
        for (n, value) in later {
            assert_eq!(value.to_str().unwrap(), format!("\"p\";r={n}"));
        }
        assert_eq!(arena_value(b"bad\nvalue").as_bytes(), b"");
    }

    #[test]
    fn the_client_ip_read_early_is_the_one_the_forwarded_phase_settles() {
        use crate::request::forwarded::TrustedProxies;
        let trusted = TrustedProxies::new(vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.0/8".parse().unwrap(),
        ]);
        let chains: [&[&str]; 7] = [
            &[],
            &["203.0.113.9"],
            &["203.0.113.9, 10.1.1.1"],
            &["198.51.100.1, 203.0.113.9", "10.2.2.2"],
            &["10.1.1.1, 10.2.2.2"],
            &["garbage, [2001:db8::1]"],
            &["\"[2001:db8::2]\", ::ffff:10.0.0.1"],
        ];
        for peer in ["127.0.0.1", "192.0.2.7"] {
            let peer = ClientPeer::new(peer.parse().unwrap(), "http");
            for chain in chains {
                let mut headers = http::HeaderMap::new();
                for value in chain {
                    headers.append("x-forwarded-for", HeaderValue::from_static(value));
                }
                let early = trusted.client_ip(&peer, &headers);
                let settled = trusted.apply(&peer, &mut headers);
                assert_eq!(early, settled, "peer {} chain {chain:?}", peer.ip);
            }
        }
    }

    #[test]
    fn the_stack_key_hasher_gives_the_streaming_hash_of_the_same_bytes() {
        let long = "k".repeat(300);
        let cases: [&[&[u8]]; 5] = [
            &[],
            &[b"a"],
            &[&[4], &[7; 16], &[0xff]],
            &[b"r", &[b'x'; 120], &[0xff], b"k", b"0123456789"],
            &[b"k", long.as_bytes(), &[0xff], &[6], &[1; 16]],
        ];
        for parts in cases {
            let mut stack = KeyHasher::new();
            let mut streaming = xxhash_rust::xxh3::Xxh3Default::new();
            for part in parts {
                stack.write(part);
                streaming.write(part);
            }
            stack.write_u128(u128::MAX / 3);
            streaming.write_u128(u128::MAX / 3);
            assert_eq!(stack.finish(), streaming.finish(), "parts {parts:?}");
        }
    }

    #[test]
    fn ipv4_addresses_are_alone_by_default() {
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert_ne!(ip_prefix(a, 32, 64), ip_prefix(b, 32, 64));
        assert_eq!(ip_prefix(a, 24, 64), ip_prefix(b, 24, 64));
        // The same bits in another family are another client.
        let mapped: IpAddr = "::c000:201".parse().unwrap();
        assert_ne!(ip_prefix(a, 32, 128), ip_prefix(mapped, 32, 128));
    }
}
