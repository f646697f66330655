//! The admin listener: `/healthz` and `/metrics` (token optional), and the
//! token-protected `/admin/upstreams`, `/admin/config`, `POST /admin/reload`,
//! `POST /admin/cache/purge` and `GET /admin/cache/stats` (`cache_stats`).
//! `metrics` holds the Prometheus registry every other part records into.

mod cache_stats;
pub(crate) mod metrics;

use std::convert::Infallible;
use std::sync::Arc;

use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;

use crate::body::ResponseBody;
use crate::request::local;
use crate::upstream::now_millis;
use crate::Shared;

pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let runtime = shared.runtime.load_full();
    let admin = &runtime.config.admin;
    let path = request.uri().path();
    let needs_token =
        path.starts_with("/admin/") || (path == "/metrics" && admin.metrics_require_token);
    if needs_token {
        let Some(expected) = admin.token.as_deref().filter(|t| !t.is_empty()) else {
            return Ok(local(
                StatusCode::FORBIDDEN,
                "the admin API is disabled: set admin.token",
            ));
        };
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|given| constant_time_eq(given.as_bytes(), expected.as_bytes())) {
            let mut response = local(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return Ok(response);
        }
    }
    let response = match (request.method(), path) {
        (&Method::GET, "/healthz") => local(StatusCode::OK, "ok"),
        (&Method::GET, "/metrics") => {
            let mut response = Response::new(ResponseBody::full(
                shared.metrics.render(&runtime, shared.cache.as_ref()),
            ));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        (&Method::GET, "/admin/upstreams") => json(upstreams_json(&runtime)),
        (&Method::GET, "/admin/config") => {
            let mut response = Response::new(ResponseBody::full(runtime.config.to_redacted_yaml()));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/yaml"),
            );
            response
        }
        (&Method::POST, "/admin/reload") => match shared.reload().await {
            Ok(generation) => json(serde_json::json!({ "generation": generation })),
            Err(error) => local(StatusCode::BAD_REQUEST, &error.to_string()),
        },
        (&Method::POST, "/admin/cache/purge") => purge(&shared, &runtime, request).await,
        (&Method::GET, "/admin/cache/stats") => json(cache_stats::stats_json(&shared, &runtime)),
        (
            _,
            "/healthz" | "/metrics" | "/admin/upstreams" | "/admin/config" | "/admin/reload"
            | "/admin/cache/purge" | "/admin/cache/stats",
        ) => local(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
        _ => local(StatusCode::NOT_FOUND, "unknown admin endpoint"),
    };
    Ok(response)
}

/// Largest purge request body read.
const MAX_PURGE_BODY: usize = 64 * 1024;

/// `POST /admin/cache/purge` with a JSON body: exactly one of `url` (every variant of
/// an absolute URL), `prefix` (a key prefix, `GET http://host/path...`) or `tag`,
/// and optionally `"soft": true` (mark stale instead of removing). With Redis, the
/// purge reaches every gateway sharing the namespace.
async fn purge(
    shared: &Shared,
    runtime: &crate::runtime::Runtime,
    request: Request<Incoming>,
) -> Response<ResponseBody> {
    use http_body_util::BodyExt;
    let Some(cache) = &shared.cache else {
        return local(
            StatusCode::CONFLICT,
            "the cache is disabled (cache.enabled: false)",
        );
    };
    let body = match http_body_util::Limited::new(request.into_body(), MAX_PURGE_BODY)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(_) => {
            return local(
                StatusCode::BAD_REQUEST,
                "the purge request body is unreadable or larger than 64 KiB",
            )
        }
    };
    let usage = "send JSON with one of {\"url\": \"http://host/path\"}, {\"prefix\": \"GET http://host/path\"} or {\"tag\": \"name\"}, and optionally \"soft\": true";
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice::<serde_json::Value>(&body)
    else {
        return local(StatusCode::BAD_REQUEST, usage);
    };
    let text = |name: &str| fields.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let target = match (text("url"), text("prefix"), text("tag")) {
        (Some(url), None, None) => crate::request::cache::PurgeRequest::Url(url),
        (None, Some(prefix), None) => crate::request::cache::PurgeRequest::Prefix(prefix),
        (None, None, Some(tag)) => crate::request::cache::PurgeRequest::Tag(tag),
        _ => return local(StatusCode::BAD_REQUEST, usage),
    };
    let known = ["url", "prefix", "tag", "soft"];
    if let Some(unknown) = fields.keys().find(|k| !known.contains(&k.as_str())) {
        return local(
            StatusCode::BAD_REQUEST,
            &format!("unknown field `{unknown}`; {usage}"),
        );
    }
    let mode = match fields.get("soft") {
        None | Some(serde_json::Value::Bool(false)) => perfkit_cache::Purge::Hard,
        Some(serde_json::Value::Bool(true)) => perfkit_cache::Purge::Soft,
        Some(_) => return local(StatusCode::BAD_REQUEST, "`soft` must be true or false"),
    };
    let notice = target.notice(mode);
    match crate::request::cache::purge(cache, runtime, target, mode).await {
        Ok(done) => {
            // Then the CDNs in front (bounded by cache.purge_webhook_wait).
            let config = &runtime.config.cache;
            let cdn = crate::request::cdn::fan_out(
                &config.purge_webhooks,
                config.purge_webhook_wait,
                &shared.metrics.cdn,
                notice,
            )
            .await;
            json(serde_json::json!({
                "purged_l1": done.l1,
                "purged_l2": done.l2,
                "soft": mode == perfkit_cache::Purge::Soft,
                "l2": cache.l2_status(),
                "cdn": cdn.to_json(),
            }))
        }
        Err(message) => local(StatusCode::BAD_REQUEST, &message),
    }
}

fn upstreams_json(runtime: &crate::runtime::Runtime) -> serde_json::Value {
    let now = now_millis();
    let upstreams: Vec<_> = runtime
        .upstreams
        .iter()
        .map(|upstream| {
            let peers: Vec<_> = upstream
                .peers
                .iter()
                .map(|peer| {
                    serde_json::json!({
                        "address": peer.configured,
                        "resolved": peer.addr.to_string(),
                        "weight": peer.weight,
                        "healthy": peer.healthy(),
                        "ejected": peer.ejected(now),
                        "available": peer.available(now),
                        "active_requests": peer.active(),
                        "free_slots": peer.free_slots(),
                        "idle_connections": peer.pool.len(),
                    })
                })
                .collect();
            serde_json::json!({ "name": upstream.name, "balance": upstream.config.balance, "peers": peers })
        })
        .collect();
    serde_json::json!({ "generation": runtime.generation, "upstreams": upstreams })
}

fn json(value: serde_json::Value) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::full(value.to_string()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
