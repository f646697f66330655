//! The configuration schema: what `config/perfkit.yml` may contain.
//!
//! Every struct rejects unknown fields so a typo is an error, not a silently ignored
//! setting. Values that have a syntax of their own (durations, sizes, addresses, CIDR
//! ranges) are parsed during deserialization, so their errors carry the YAML location.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::cdn::{CdnHeadersConfig, PurgeWebhookConfig};
use crate::path_pattern::{PathPattern, TagTemplate};
use crate::size::ByteSize;

/// The whole `perfkit.yml` document.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub admin: AdminConfig,
    #[serde(default)]
    pub log: LogConfig,
    /// Upstream groups by name.
    #[serde(default)]
    pub upstreams: BTreeMap<String, UpstreamConfig>,
    /// Routes, matched by host then longest path prefix.
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
    /// The response cache shared by every route that enables it.
    #[serde(default)]
    pub cache: CacheConfig,
    /// Rate-limit rules, checked after routing.
    #[serde(default)]
    pub rate_limits: crate::rate_limits::RateLimitsConfig,
}

/// The client-facing listener.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address the gateway listens on (HTTP/1.1 and h2c).
    pub listen: SocketAddr,
    /// Largest request body accepted; larger bodies get `413 Payload Too Large`.
    pub max_body_size: ByteSize,
    /// How long graceful shutdown waits for in-flight requests.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// Peers whose `X-Forwarded-For`/`Forwarded` headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// How long a new connection may take to send its first request's headers, and
    /// any later request its headers once they have started (slowloris defence).
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// How long a keep-alive client connection (HTTP/1.1 or HTTP/2) may sit without a
    /// new request before the gateway closes it (HTTP/2: GOAWAY first).
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// Longest pause between two pieces of a client's request body; past it the
    /// request gets `408 Request Timeout`. Never counts against an upstream.
    #[serde(with = "humantime_serde")]
    pub client_body_timeout: Duration,
    /// Most client connections one worker keeps open; new connections past it are
    /// closed at once and counted in `perfkit_client_connections_rejected_total`.
    pub max_connections_per_worker: NonZeroU32,
    /// Proxy worker threads (1 to 1024), each an event loop with its own client
    /// connections and upstream pools; default one per CPU. Needs a restart.
    pub workers: Option<std::num::NonZeroUsize>,
}

impl ServerConfig {
    /// The number of proxy workers: `workers`, or one per CPU.
    pub fn worker_count(&self) -> usize {
        self.workers.map(|n| n.get()).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            max_body_size: ByteSize(10 * 1024 * 1024),
            shutdown_grace: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
            header_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            client_body_timeout: Duration::from_secs(60),
            max_connections_per_worker: NonZeroU32::new(16_384).unwrap_or(NonZeroU32::MIN),
            workers: None,
        }
    }
}

/// The admin listener: `/metrics`, `/healthz` and the token-protected `/admin/*` API.
#[derive(Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    pub listen: SocketAddr,
    /// Bearer token for `/admin/*`. Without one, the admin API answers 403.
    pub token: Option<String>,
    /// Whether `/metrics` needs the token too.
    pub metrics_require_token: bool,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9901)),
            token: None,
            metrics_require_token: false,
        }
    }
}

impl fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminConfig")
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("metrics_require_token", &self.metrics_require_token)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A `tracing` filter such as `info` or `perfkit_gateway=debug`.
    pub level: String,
    pub format: LogFormat,
    /// Log one line per proxied request at info level.
    pub access_log: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormat::Text,
            access_log: false,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// A named group of interchangeable servers.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    pub servers: Vec<ServerEntry>,
    #[serde(default)]
    pub balance: Balance,
    /// What consistent hashing hashes (`client_ip` or `header:NAME`); required with
    /// `balance: consistent_hash`.
    #[serde(default)]
    pub hash_key: Option<HashKey>,
    #[serde(default)]
    pub pool: PoolConfig,
    #[serde(default)]
    pub timeouts: TimeoutConfig,
    #[serde(default)]
    pub retries: RetryConfig,
    #[serde(default)]
    pub health_check: Option<HealthCheckConfig>,
    #[serde(default)]
    pub outlier_detection: OutlierConfig,
    /// Adaptive concurrency shedding; absent means none.
    #[serde(default)]
    pub adaptive: Option<crate::adaptive::AdaptiveLimitConfig>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerEntry {
    /// `host:port`; resolved once when the config is loaded or reloaded.
    pub address: String,
    #[serde(default = "default_weight")]
    pub weight: NonZeroU32,
}

fn default_weight() -> NonZeroU32 {
    NonZeroU32::MIN
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Balance {
    #[default]
    RoundRobin,
    /// Smooth weighted round-robin (the nginx algorithm).
    Weighted,
    LeastConnections,
    /// Ketama-style ring keyed by `hash_key`.
    ConsistentHash,
    /// Power of two random choices, scored by peak EWMA latency times in-flight requests.
    P2cEwma,
}

/// What consistent hashing hashes, written `client_ip` or `header:NAME`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(try_from = "String", into = "String")]
pub enum HashKey {
    /// Hash a request header's value; requests without it hash the client IP.
    Header(String),
    /// Hash the client IP (after trusted-proxy resolution).
    ClientIp,
}

impl TryFrom<String> for HashKey {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        if text == "client_ip" {
            return Ok(HashKey::ClientIp);
        }
        match text.strip_prefix("header:") {
            Some(name) if http_token(name) => Ok(HashKey::Header(name.to_ascii_lowercase())),
            _ => Err(format!(
                "`{text}` is not a hash key; use `client_ip` or `header:NAME`"
            )),
        }
    }
}

impl From<HashKey> for String {
    fn from(key: HashKey) -> String {
        match key {
            HashKey::ClientIp => "client_ip".into(),
            HashKey::Header(name) => format!("header:{name}"),
        }
    }
}

pub(crate) fn http_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PoolConfig {
    /// Most requests (so HTTP/1.1 connections) in flight to one server at once.
    pub max_connections: NonZeroU32,
    /// Idle keep-alive connections kept per server.
    pub max_idle: u32,
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// How long a request waits for a free connection slot before `503`.
    #[serde(with = "humantime_serde")]
    pub acquire_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_connections: NonZeroU32::new(1024).unwrap_or(NonZeroU32::MIN),
            max_idle: 256,
            idle_timeout: Duration::from_secs(90),
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutConfig {
    #[serde(with = "humantime_serde")]
    pub connect: Duration,
    /// Longest wait for the upstream's response headers once the request has been
    /// sent in full, and longest pause between two reads of its response body.
    #[serde(with = "humantime_serde")]
    pub read: Duration,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RetryConfig {
    /// Extra attempts for idempotent requests without a body, each on another server.
    pub attempts: u32,
    /// Upstream statuses that count as a failed attempt worth retrying.
    pub on_status: Vec<u16>,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            attempts: 2,
            on_status: vec![502, 503, 504],
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HealthCheckConfig {
    pub path: String,
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Consecutive passes that bring an unhealthy server back.
    pub healthy_threshold: NonZeroU32,
    /// Consecutive failures that take a healthy server out.
    pub unhealthy_threshold: NonZeroU32,
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        Self {
            path: "/health".into(),
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(1),
            healthy_threshold: NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN),
            unhealthy_threshold: NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// Passive health: servers that fail live traffic are ejected for a while.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OutlierConfig {
    pub enabled: bool,
    /// Consecutive failures (connect errors, timeouts, `retries.on_status`) before ejection.
    pub consecutive_failures: NonZeroU32,
    /// First ejection length; doubles with each repeat ejection up to `max_ejection`.
    #[serde(with = "humantime_serde")]
    pub base_ejection: Duration,
    #[serde(with = "humantime_serde")]
    pub max_ejection: Duration,
}

impl Default for OutlierConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            consecutive_failures: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
            base_ejection: Duration::from_secs(10),
            max_ejection: Duration::from_secs(300),
        }
    }
}

/// Sends matching requests to an upstream group.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// The label used in metrics and logs; defaults to `host` + `path_prefix`.
    #[serde(default)]
    pub name: Option<String>,
    /// Exact host, or `*.example.com` for any subdomain; absent matches every host.
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default = "default_prefix")]
    pub path_prefix: String,
    /// A path pattern matched against the whole path instead of a prefix:
    /// `/users/{id}`, `/files/{path...}`, `/static/*` (see [`PathPattern`]). The
    /// pattern is the route's default label, and its captures fill cache `tags`.
    /// Checked with the other rules (so an error names `routes[N].path`); compiled
    /// with [`RouteConfig::pattern`].
    #[serde(default)]
    pub path: Option<String>,
    pub upstream: String,
    /// Remove `path_prefix` from the path before forwarding.
    #[serde(default)]
    pub strip_prefix: bool,
    /// Response caching for this route; absent means no caching.
    #[serde(default)]
    pub cache: Option<RouteCacheConfig>,
}

fn default_prefix() -> String {
    "/".into()
}

impl RouteConfig {
    /// The compiled `path` pattern; `Some(Err)` only in a config that failed validation.
    pub fn pattern(&self) -> Option<Result<PathPattern, String>> {
        self.path.as_deref().map(PathPattern::parse)
    }

    /// The label this route has in metrics and logs: its name, else its host and
    /// path pattern (or prefix).
    pub fn label(&self) -> String {
        let path = self.path.as_deref().unwrap_or(&self.path_prefix);
        match (&self.name, &self.host) {
            (Some(name), _) => name.clone(),
            (None, Some(host)) => format!("{host}{path}"),
            (None, None) => path.to_owned(),
        }
    }
}

/// The process-wide response cache (RFC 9111 shared cache): memory bound, limits,
/// optional Redis L2 and the storage policy. Routes opt in with their own `cache:`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// `false` turns caching off for every route.
    pub enabled: bool,
    /// Byte budget of the in-memory layer (bodies + headers + per-entry overhead).
    pub max_memory: ByteSize,
    /// Largest response body stored; larger ones stream through uncached.
    pub max_object_size: ByteSize,
    /// Most `Vary` variants kept per URL; the oldest goes first.
    pub max_variants: std::num::NonZeroUsize,
    /// Heuristic freshness (10% of the time since `Last-Modified`, at most a day) for
    /// responses without explicit freshness, where RFC 9111 allows it.
    pub heuristic_freshness: bool,
    /// Store responses carrying `Set-Cookie` (they are then served to other clients).
    pub store_set_cookie: bool,
    /// Store 4xx/5xx responses when their headers make them cacheable.
    pub store_error_statuses: bool,
    /// How long a response is kept past its freshness, for revalidation,
    /// `stale-if-error` and requests accepting stale responses (`max-stale`).
    #[serde(with = "humantime_serde")]
    pub keep_stale: Duration,
    /// Store `206 Partial Content` responses (one byte range of a known length) as
    /// incomplete entries: they answer Range requests they cover, and later ranges
    /// with the same strong validator are combined with them (RFC 9111 §3.3, §3.4).
    pub store_partial: bool,
    /// Shortens each entry's keeping time by a random fraction up to this (0.0..=1.0).
    pub ttl_jitter: f64,
    /// Targeted cache-control fields obeyed (most specific first) and removed before
    /// the response leaves: `cdn-cache-control`, `surrogate-control`.
    pub targeted_fields: Vec<String>,
    /// This cache's device token in the Edge Architecture (`Surrogate-Capability:
    /// TOKEN="Surrogate/1.0"` on requests to the origin, on routes that obey
    /// `Surrogate-Control`): `Surrogate-Control` directives targeted at this token
    /// (`max-age=60;TOKEN`) apply, those targeted at another device do not.
    pub surrogate_device: String,
    /// Shared L2 in Redis; absent means memory only.
    pub redis: Option<CacheRedisConfig>,
    /// CDN purge endpoints every admin purge is also sent to.
    pub purge_webhooks: Vec<PurgeWebhookConfig>,
    /// Longest time a purge request waits for the webhooks before answering; they go
    /// on in the background after it.
    #[serde(with = "humantime_serde")]
    pub purge_webhook_wait: Duration,
    /// Route cache blocks by route name (its `name:` or label), as an alternative to
    /// a `cache:` block on the route itself (one place per route). Mostly used in
    /// `cache.yml`; merged into the routes when the config is loaded.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub routes: BTreeMap<String, RouteCacheConfig>,
    /// URLs fetched through the gateway after it starts listening, to fill the cache.
    pub warm: CacheWarmConfig,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_memory: ByteSize(64 << 20),
            max_object_size: ByteSize(8 << 20),
            max_variants: std::num::NonZeroUsize::new(8).unwrap_or(std::num::NonZeroUsize::MIN),
            heuristic_freshness: false,
            store_set_cookie: false,
            store_error_statuses: true,
            keep_stale: Duration::from_secs(3600),
            store_partial: false,
            ttl_jitter: 0.0,
            targeted_fields: Vec::new(),
            surrogate_device: "perfkit".to_owned(),
            redis: None,
            purge_webhooks: Vec::new(),
            purge_webhook_wait: Duration::from_secs(1),
            routes: BTreeMap::new(),
            warm: CacheWarmConfig::default(),
        }
    }
}

/// Cache warming on start: once the listener is up, the gateway fetches these URLs
/// through itself in the background (the same engine as `perfkit cache warm`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CacheWarmConfig {
    /// Absolute URLs (`http://host/path`: the host is sent as `Host`) or paths.
    pub urls: Vec<String>,
    /// A sitemap (or sitemap index, followed) whose URLs are warmed too; fetched
    /// through the gateway like the URLs.
    pub sitemap: Option<String>,
    /// Requests in flight at once.
    pub concurrency: std::num::NonZeroUsize,
}

impl Default for CacheWarmConfig {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            sitemap: None,
            concurrency: std::num::NonZeroUsize::new(4).unwrap_or(std::num::NonZeroUsize::MIN),
        }
    }
}

/// The Redis L2 and its invalidation channel.
#[derive(Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CacheRedisConfig {
    /// `redis://[user:password@]host:port[/db]`.
    pub url: String,
    /// Prefix of every key and of the invalidation channel (`{namespace}:invalidate`):
    /// gateways sharing a namespace share entries and purges.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Deadline of one Redis operation; past it Redis counts as down (served from
    /// memory and origin meanwhile).
    #[serde(default = "default_redis_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// What to do with memory entries after reconnecting to Redis (purges may have
    /// been missed): `hard` drops them, `soft` marks them stale.
    #[serde(default)]
    pub on_reconnect: PurgeMode,
}

fn default_namespace() -> String {
    "perfkit".into()
}

fn default_redis_timeout() -> Duration {
    Duration::from_millis(250)
}

impl fmt::Debug for CacheRedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match self.url.split_once('@') {
            Some((_, host)) => format!("redis://<redacted>@{host}"),
            None => self.url.clone(),
        };
        f.debug_struct("CacheRedisConfig")
            .field("url", &shown)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("on_reconnect", &self.on_reconnect)
            .finish()
    }
}

/// Hard (remove) or soft (mark stale) invalidation.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PurgeMode {
    #[default]
    Hard,
    Soft,
}

/// Caching on one route.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RouteCacheConfig {
    pub enabled: bool,
    /// How the cache key is built from the request.
    pub key: CacheKeyConfig,
    /// Add `X-Cache: HIT|MISS|STALE|BYPASS` to responses (besides `Cache-Status`).
    pub x_cache_header: bool,
    /// Tags given to every entry stored on this route, besides the origin's
    /// `Surrogate-Key` values; `{name}` is filled from the route's `path` captures
    /// (`user:{id}`), so a purge by tag reaches exactly those entries.
    /// Checked with the other rules; compiled with [`RouteCacheConfig::tag_templates`].
    pub tags: Vec<String>,
    /// Headers for CDNs downstream; absent means responses keep the origin's.
    pub cdn: Option<CdnHeadersConfig>,
    /// Targeted cache-control fields this route obeys (most specific first) and
    /// removes before the response leaves, e.g. `[cdn-cache-control]`; absent means
    /// the cache section's `targeted_fields`, `[]` none.
    pub targeted_fields: Option<Vec<String>>,
    /// A stored response with `Vary: Accept-Language` and one `Content-Language` also
    /// answers a request whose single most preferred language is that one (RFC 9111
    /// §4.1 normalisation by selection). Off by default: it assumes the origin picks
    /// the response's language from `Accept-Language` alone and changes nothing else.
    pub select_language: bool,
}

impl RouteCacheConfig {
    /// The compiled `tags`; an `Err` only in a config that failed validation.
    pub fn tag_templates(&self) -> Result<Vec<TagTemplate>, String> {
        self.tags.iter().map(|t| TagTemplate::parse(t)).collect()
    }
}

impl Default for RouteCacheConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            key: CacheKeyConfig::default(),
            x_cache_header: false,
            tags: Vec::new(),
            cdn: None,
            targeted_fields: None,
            select_language: false,
        }
    }
}

/// Cache key normalisation. The key is always method + scheme + host + path + query.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CacheKeyConfig {
    /// Sort query parameters by name, so `?b=1&a=2` and `?a=2&b=1` share an entry.
    pub sort_query: bool,
    /// When set, only these query parameters are part of the key.
    pub query_allow: Option<Vec<String>>,
    /// These query parameters are left out of the key (e.g. `utm_source`).
    pub query_deny: Vec<String>,
    /// Request headers whose values are part of the key.
    pub headers: Vec<String>,
    /// Cookies whose values are part of the key.
    pub cookies: Vec<String>,
}
