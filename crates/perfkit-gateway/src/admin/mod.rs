//! The admin listener: `/healthz` and `/metrics` (token optional), and the
//! token-protected `/admin/upstreams`, `/admin/config` and `POST /admin/reload`.
//! `metrics` holds the Prometheus registry every other part records into.

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
            let mut response = Response::new(ResponseBody::full(shared.metrics.render(&runtime)));
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
        (_, "/healthz" | "/metrics" | "/admin/upstreams" | "/admin/config" | "/admin/reload") => {
            local(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        }
        _ => local(StatusCode::NOT_FOUND, "unknown admin endpoint"),
    };
    Ok(response)
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
