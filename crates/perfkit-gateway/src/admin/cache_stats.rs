//! `GET /admin/cache/stats` (token): the response cache's figures as JSON, for
//! `perfkit cache-hit-rate` and dashboards. Requests on caching routes by route label,
//! the layer that answered (`l1`, `l2`, `origin`) and result (`hit`, `stale`,
//! `revalidated`, `miss`, `bypass`); responses stored per route; the cache's memory,
//! eviction and L2 figures; and where its Redis is (credentials redacted).

use serde_json::{json, Value};

use crate::Shared;

pub(crate) fn stats_json(shared: &Shared, runtime: &crate::runtime::Runtime) -> Value {
    let counts = shared.metrics.cache_counts();
    let requests: Vec<Value> = counts
        .requests
        .iter()
        .map(|series| {
            json!({
                "route": series.label("route"),
                "layer": series.label("layer"),
                "result": series.label("result"),
                "count": series.count,
            })
        })
        .collect();
    let stored: Vec<Value> = counts
        .stored
        .iter()
        .map(|series| {
            let route = series.label("route");
            let bytes = counts
                .stored_bytes
                .iter()
                .find(|b| b.label("route") == route)
                .map_or(0, |b| b.count);
            json!({ "route": route, "responses": series.count, "bytes": bytes })
        })
        .collect();
    let redis = runtime.config.cache.redis.as_ref().map(|redis| {
        json!({
            "url": redacted_url(&redis.url),
            "namespace": redis.namespace,
        })
    });
    json!({
        "enabled": shared.cache.is_some(),
        "requests": requests,
        "stored": stored,
        "cache": shared.cache.as_ref().map(perfkit_cache::Cache::stats),
        "redis": redis,
    })
}

/// `redis://user:secret@host:port/0` → `redis://<redacted>@host:port/0`.
fn redacted_url(url: &str) -> String {
    match url.rsplit_once('@') {
        Some((scheme_and_user, host)) => {
            let scheme = scheme_and_user
                .split_once("://")
                .map_or("redis", |(scheme, _)| scheme);
            format!("{scheme}://<redacted>@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_url;

    #[test]
    fn credentials_never_leave_the_admin_api() {
        assert_eq!(
            redacted_url("rediss://app:hunter2@cache:6380/2"),
            "rediss://<redacted>@cache:6380/2"
        );
        assert_eq!(
            redacted_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}
