//! Rules a well-formed config must also satisfy; each problem names the field path.

use std::collections::HashSet;
use std::time::Duration;

use crate::schema::{http_token, Balance, Config};

#[derive(Debug)]
pub(crate) struct Problem {
    pub field: String,
    pub message: String,
}

fn problem<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, Problem> {
    Err(Problem {
        field: field.into(),
        message: message.into(),
    })
}

/// Most proxy workers: far past any core count, low enough to catch a typo.
pub const MAX_WORKERS: usize = 1024;
/// Most extra attempts per request: each goes to another server.
pub const MAX_RETRY_ATTEMPTS: u32 = 10;

fn positive(field: String, value: Duration) -> Result<(), Problem> {
    if value.is_zero() {
        return problem(field, "must be longer than 0s");
    }
    Ok(())
}

pub(crate) fn check(config: &Config) -> Result<(), Problem> {
    if config.admin.listen == config.server.listen && config.server.listen.port() != 0 {
        return problem("admin.listen", "must differ from server.listen");
    }
    let server = &config.server;
    if let Some(workers) = server.workers {
        if workers.get() > MAX_WORKERS {
            return problem(
                "server.workers",
                format!("{workers} workers is more than the {MAX_WORKERS} allowed; use about one per CPU core"),
            );
        }
    }
    positive(
        "server.header_read_timeout".into(),
        server.header_read_timeout,
    )?;
    positive("server.idle_timeout".into(), server.idle_timeout)?;
    positive(
        "server.client_body_timeout".into(),
        server.client_body_timeout,
    )?;
    for (name, upstream) in &config.upstreams {
        let at = format!("upstreams.{name}");
        if upstream.servers.is_empty() {
            return problem(
                format!("{at}.servers"),
                "an upstream needs at least one server",
            );
        }
        for (i, server) in upstream.servers.iter().enumerate() {
            check_address(&server.address)
                .or_else(|m| problem(format!("{at}.servers[{i}].address"), m))?;
        }
        match (upstream.balance, &upstream.hash_key) {
            (Balance::ConsistentHash, None) => {
                return problem(
                    format!("{at}.balance"),
                    "consistent_hash needs `hash_key: client_ip` or `hash_key: header:NAME`",
                )
            }
            (balance, Some(_)) if balance != Balance::ConsistentHash => {
                return problem(
                    format!("{at}.hash_key"),
                    "hash_key is only used with `balance: consistent_hash`",
                )
            }
            _ => {}
        }
        positive(format!("{at}.timeouts.connect"), upstream.timeouts.connect)?;
        positive(format!("{at}.timeouts.read"), upstream.timeouts.read)?;
        if upstream.retries.attempts > MAX_RETRY_ATTEMPTS {
            return problem(
                format!("{at}.retries.attempts"),
                format!(
                    "{} extra attempts is more than the {MAX_RETRY_ATTEMPTS} allowed",
                    upstream.retries.attempts
                ),
            );
        }
        if upstream.outlier_detection.enabled {
            positive(
                format!("{at}.outlier_detection.base_ejection"),
                upstream.outlier_detection.base_ejection,
            )?;
        }
        for (i, status) in upstream.retries.on_status.iter().enumerate() {
            if !(100..=599).contains(status) {
                return problem(
                    format!("{at}.retries.on_status[{i}]"),
                    format!("{status} is not an HTTP status"),
                );
            }
        }
        if let Some(health) = &upstream.health_check {
            if !health.path.starts_with('/') {
                return problem(format!("{at}.health_check.path"), "must start with `/`");
            }
            if health.interval.is_zero() || health.timeout.is_zero() {
                return problem(
                    format!("{at}.health_check"),
                    "interval and timeout must be > 0",
                );
            }
        }
        if upstream.outlier_detection.base_ejection > upstream.outlier_detection.max_ejection {
            return problem(
                format!("{at}.outlier_detection.base_ejection"),
                "must not exceed max_ejection",
            );
        }
    }
    check_cache("cache.", &config.cache)?;
    let mut seen = HashSet::new();
    for (i, route) in config.routes.iter().enumerate() {
        let at = format!("routes[{i}]");
        if let Some(cache) = &route.cache {
            check_route_cache(&format!("{at}.cache"), cache)?;
        }
        if !config.upstreams.contains_key(&route.upstream) {
            let known: Vec<&str> = config.upstreams.keys().map(String::as_str).collect();
            return problem(
                format!("{at}.upstream"),
                format!(
                    "no upstream named `{}` (defined: {})",
                    route.upstream,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
        if !route.path_prefix.starts_with('/') {
            return problem(format!("{at}.path_prefix"), "must start with `/`");
        }
        if let Some(pattern) = route.pattern() {
            let pattern = pattern.or_else(|m| problem(format!("{at}.path"), m))?;
            if route.path_prefix != "/" {
                return problem(
                    format!("{at}.path"),
                    "a route matches either a `path` pattern or a `path_prefix`; remove one",
                );
            }
            if route.strip_prefix {
                return problem(
                    format!("{at}.strip_prefix"),
                    "strip_prefix needs a `path_prefix`; a `path` pattern route forwards the path as it is",
                );
            }
            if !seen.insert((route.host.clone(), format!("pattern {pattern}"))) {
                return problem(
                    format!("{at}.path"),
                    "another route already has this host and path",
                );
            }
        } else if !seen.insert((route.host.clone(), route.path_prefix.clone())) {
            return problem(
                format!("{at}.path_prefix"),
                "another route already has this host and path_prefix",
            );
        }
        if let Some(cache) = &route.cache {
            check_route_tags(&format!("{at}.cache"), route, cache)?;
        }
    }
    crate::rate_limits::check(&config.rate_limits)
        .map_err(|(field, message)| Problem { field, message })?;
    crate::adaptive::check(config).map_err(|(field, message)| Problem { field, message })?;
    Ok(())
}

/// The process-wide cache settings; `at` is where they sit (`cache.` in perfkit.yml,
/// empty in cache.yml).
pub(crate) fn check_cache(at: &str, cache: &crate::schema::CacheConfig) -> Result<(), Problem> {
    if cache.max_object_size.0 == 0 {
        return problem(format!("{at}max_object_size"), "must be more than 0 bytes");
    }
    if cache.max_object_size > cache.max_memory {
        return problem(
            format!("{at}max_object_size"),
            format!(
                "{} bytes is more than cache.max_memory ({} bytes); no object that size could be kept",
                cache.max_object_size.0, cache.max_memory.0
            ),
        );
    }
    if !(0.0..=1.0).contains(&cache.ttl_jitter) {
        return problem(
            format!("{at}ttl_jitter"),
            format!("{} is not a fraction within 0.0..=1.0", cache.ttl_jitter),
        );
    }
    for (i, name) in cache.targeted_fields.iter().enumerate() {
        if !http_token(name) {
            return problem(
                format!("{at}targeted_fields[{i}]"),
                format!("`{name}` is not a header name"),
            );
        }
    }
    if !http_token(&cache.surrogate_device) {
        return problem(
            format!("{at}surrogate_device"),
            format!(
                "`{}` is not a token (letters, digits and !#$%&'*+-.^_`|~)",
                cache.surrogate_device
            ),
        );
    }
    for (i, hook) in cache.purge_webhooks.iter().enumerate() {
        crate::cdn::check_webhook(hook)
            .or_else(|(field, m)| problem(format!("{at}purge_webhooks[{i}].{field}"), m))?;
    }
    if let Some(redis) = &cache.redis {
        let scheme_ok = ["redis://", "rediss://", "redis+unix://", "unix://"]
            .iter()
            .any(|scheme| redis.url.starts_with(scheme));
        if !scheme_ok {
            return problem(
                format!("{at}redis.url"),
                "must be a Redis URL such as `redis://127.0.0.1:6379/0`",
            );
        }
        if redis.namespace.is_empty()
            || redis
                .namespace
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return problem(
                format!("{at}redis.namespace"),
                "must be a non-empty name without spaces",
            );
        }
        positive(format!("{at}redis.timeout"), redis.timeout)?;
    }
    check_cache_warm(&cache.warm)
}

/// Warm URLs are paths (`/a?b`) or absolute `http://`/`https://` URLs with a host.
fn check_cache_warm(warm: &crate::schema::CacheWarmConfig) -> Result<(), Problem> {
    let fetchable = |url: &str| {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"));
        let shape = match rest {
            Some(rest) => !rest.is_empty() && !rest.starts_with('/'),
            None => url.starts_with('/'),
        };
        shape && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    for (i, url) in warm.urls.iter().enumerate() {
        if !fetchable(url) {
            return problem(
                format!("cache.warm.urls[{i}]"),
                format!("`{url}` is neither a path (`/page`) nor an http(s) URL with a host"),
            );
        }
    }
    if let Some(sitemap) = &warm.sitemap {
        if !fetchable(sitemap) {
            return problem(
                "cache.warm.sitemap",
                format!(
                    "`{sitemap}` is neither a path (`/sitemap.xml`) nor an http(s) URL with a host"
                ),
            );
        }
    }
    Ok(())
}

pub(crate) fn check_route_cache(
    at: &str,
    cache: &crate::schema::RouteCacheConfig,
) -> Result<(), Problem> {
    for (i, name) in cache.key.headers.iter().enumerate() {
        if !http_token(name) {
            return problem(
                format!("{at}.key.headers[{i}]"),
                format!("`{name}` is not a header name"),
            );
        }
    }
    for (i, name) in cache.targeted_fields.iter().flatten().enumerate() {
        if !http_token(name) {
            return problem(
                format!("{at}.targeted_fields[{i}]"),
                format!("`{name}` is not a header name"),
            );
        }
    }
    for (i, name) in cache.key.cookies.iter().enumerate() {
        if !http_token(name) {
            return problem(
                format!("{at}.key.cookies[{i}]"),
                format!("`{name}` is not a cookie name"),
            );
        }
    }
    if let Some(allow) = &cache.key.query_allow {
        for (i, name) in cache.key.query_deny.iter().enumerate() {
            if allow.contains(name) {
                return problem(
                    format!("{at}.key.query_deny[{i}]"),
                    format!("`{name}` is also in query_allow; list it in one of them"),
                );
            }
        }
    }
    Ok(())
}

/// Tag templates name captures of the route's `path`; `cdn:` values are header values.
/// `at` is the cache block's path.
pub(crate) fn check_route_tags(
    at: &str,
    route: &crate::schema::RouteConfig,
    cache: &crate::schema::RouteCacheConfig,
) -> Result<(), Problem> {
    let pattern = route.pattern().and_then(Result::ok);
    for (i, tag) in cache.tags.iter().enumerate() {
        let at = format!("{at}.tags[{i}]");
        let tag = crate::path_pattern::TagTemplate::parse(tag).or_else(|m| problem(&at, m))?;
        for name in tag.names() {
            let captured = pattern
                .as_ref()
                .is_some_and(|p| p.names().any(|n| n == name));
            if !captured {
                let available = pattern.as_ref().map_or_else(
                    || "this route has no `path` pattern to capture from".to_owned(),
                    |p| {
                        let names: Vec<String> = p.names().map(|n| format!("{{{n}}}")).collect();
                        if names.is_empty() {
                            format!("`{p}` captures nothing")
                        } else {
                            format!("`{p}` captures {}", names.join(", "))
                        }
                    },
                );
                return problem(
                    at,
                    format!("`{{{name}}}` is not captured by the route's path: {available}"),
                );
            }
        }
    }
    if let Some(cdn) = &cache.cdn {
        for (field, value) in [
            ("cache_control", &cdn.cache_control),
            ("cdn_cache_control", &cdn.cdn_cache_control),
        ] {
            if let Some(value) = value {
                crate::cdn::check_header_value(value)
                    .or_else(|m| problem(format!("{at}.cdn.{field}"), m))?;
            }
        }
    }
    Ok(())
}

fn check_address(address: &str) -> Result<(), String> {
    let Some((host, port)) = address.rsplit_once(':') else {
        return Err(format!("`{address}` needs a port, e.g. `{address}:80`"));
    };
    if host.is_empty() {
        return Err(format!("`{address}` has no host"));
    }
    if port.parse::<u16>().is_err() {
        return Err(format!("`{port}` is not a port number"));
    }
    if host.contains('/') {
        return Err(format!("`{address}` is host:port, not a URL"));
    }
    Ok(())
}
