//! One client request, phase by phase. `handle` reads top to bottom in the order a
//! request travels:
//!
//! 1. `host`: `Host` settled (RFC 9112/9113); malformed requests stop here with 400.
//! 2. `route`: host then longest path prefix picks the route and its upstream group;
//!    the declared body size is checked (413).
//!    — rate limits plug in here (they need the route and the client address), then
//!    adaptive shedding (`shed`): `503` + `Retry-After` past the upstream's learnt
//!    concurrency limit; the slot is given back when the response head arrives.
//! 3. `forwarded`: the client address settled (believed from trusted proxies only)
//!    and how X-Forwarded-*/Forwarded are set. For the common untrusted client the
//!    header map is not rewritten: the upstream request is written without its
//!    hop-by-hop and forwarding headers and with the gateway's own (upstream/http1.rs),
//!    and hop-by-hop response headers are left out as the response head is parsed.
//! 4. `cache` (routes with a `cache:` block, `GET`/`HEAD` without a body): lookup; a
//!    fresh hit answers without going further; otherwise it calls `forward` itself
//!    (fills, conditional revalidation) and stores the response. Other methods on a
//!    caching route go to `forward` and then invalidate what they changed.
//!    `forward`: a peer is picked and the request sent, with timeouts and retries.
//! 5. respond: route metrics and the access log; the body streams to the client.
//!
//! Every phase is a plain function called directly (no boxing, no dynamic dispatch):
//! the pass-through path pays only for what it uses.

pub(crate) mod cache;
pub(crate) mod cdn;
mod forward;
pub(crate) mod forwarded;
mod host;
pub(crate) mod identity;
pub(crate) mod limit;
pub(crate) mod route;
pub(crate) mod shed;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body::Body as _;
use http_body_util::Limited;
use perfkit_config::HashKey;

use crate::body::{ClientBody, RequestBody, ResponseBody};
use crate::listen::interim::Interim;
use crate::upstream::balance::Balancer;
use crate::upstream::http1::idempotent;
use crate::Shared;
use forward::{forward, Outbound};
use forwarded::{set_by_gateway, ClientPeer};

/// A response the gateway writes itself.
pub(crate) fn local(status: StatusCode, message: &str) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::full(format!("{message}\n")));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// What every request on one client connection shares.
#[derive(Debug)]
pub(crate) struct ClientConnection {
    pub shared: Arc<Shared>,
    pub peer: ClientPeer,
    /// Where the request's upstream exchanges queue interim (`1xx`) responses for the
    /// client (taken only while the workers' own HTTP/1.1 server serves it).
    pub interim: Interim,
}

pub(crate) async fn handle(
    connection: Arc<ClientConnection>,
    request: Request<ClientBody>,
) -> Result<Response<ResponseBody>, Infallible> {
    let started = Instant::now();
    let shared = &*connection.shared;
    let view = shared.view();
    let runtime = &*view.runtime;
    let (mut parts, body) = request.into_parts();

    // 1. host
    let settled = match host::settle_host(&mut parts) {
        Ok(settled) => settled,
        Err(problem) => {
            shared
                .metrics
                .observe_request("unmatched", "-", "400", started.elapsed());
            return Ok(local(StatusCode::BAD_REQUEST, problem));
        }
    };

    // 2. route
    let path = parts.uri.path();
    let host = host::host_name(settled.as_ref());
    let Some(route) = runtime.router.find(host, path) else {
        shared
            .metrics
            .observe_request("unmatched", "-", "404", started.elapsed());
        return Ok(local(
            StatusCode::NOT_FOUND,
            "no route matches this request",
        ));
    };
    let upstream = &runtime.upstreams[route.upstream];
    // A response the gateway answers itself once the route is known: counted in the
    // route's metrics like any other.
    let answered =
        |response: Response<ResponseBody>| -> Result<Response<ResponseBody>, Infallible> {
            route.histograms.observe(
                &shared.metrics,
                &route.label,
                &upstream.name,
                response.status(),
                started.elapsed(),
            );
            Ok(response)
        };

    let declared_length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > runtime.max_body) {
        return answered(local(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body is larger than allowed",
        ));
    }

    // rate limits (the cache lookup follows, at the upstream step)
    let limited = limit::Request {
        parts: &parts,
        host,
        route,
        peer: &connection.peer,
    };
    // With no rules, not even the check's future is built (measured: two copies of it
    // per request).
    let admitted = if runtime.limits.is_empty() {
        limit::Admitted::unlimited()
    } else {
        match limit::check(runtime, limited).await {
            Ok(admitted) => admitted,
            Err(response) => return answered(response),
        }
    };

    // adaptive shedding (after the rate limits, so a 429 never takes a slot)
    let slot = match shed::admit(&runtime.shed, route, || {
        runtime.limits.tier_of_request(runtime, &limited)
    }) {
        Ok(slot) => slot,
        Err(response) => return answered(*response),
    };

    // 3. forwarded headers and the client's address
    let forwarding = runtime.trusted.settle(&connection.peer, &mut parts.headers);
    let client_ip = forwarding.client_ip;

    let hash = match &upstream.config.hash_key {
        None => 0,
        // What the upstream will see under the header's name: never a forwarding
        // header an untrusted client wrote itself.
        Some(HashKey::Header(name)) => match parts.headers.get(name.as_str()) {
            Some(value)
                if forwarding.direct.is_none()
                    || !HeaderName::from_bytes(name.as_bytes())
                        .is_ok_and(|n| set_by_gateway(&n)) =>
            {
                Balancer::hash_key(value.as_bytes())
            }
            _ => Balancer::hash_key(client_ip.to_string().as_bytes()),
        },
        Some(HashKey::ClientIp) => Balancer::hash_key(client_ip.to_string().as_bytes()),
    };

    let bodyless = body.is_end_stream();
    let retryable = bodyless && idempotent(&parts.method);
    let mut body = Some(if bodyless {
        RequestBody::Empty
    } else {
        RequestBody::Stream(Limited::new(
            body,
            usize::try_from(runtime.max_body).unwrap_or(usize::MAX),
        ))
    });

    // 4. cache, upstream
    let rewritten = route.rewrite(parts.uri.path_and_query().map_or("/", |p| p.as_str()));
    let outbound = Outbound {
        parts: &parts,
        path_and_query: &rewritten,
        hash,
        retryable,
        forwarded: forwarding.direct,
        interim: Some(&connection.interim),
    };
    let response = match (&route.cache, &shared.cache) {
        (Some(rc), Some(cache)) => {
            let cacheable_method = parts.method == Method::GET || parts.method == Method::HEAD;
            let origin = cache::Origin {
                shared: &connection.shared,
                view: &view,
                route_index: route.index,
                upstream: route.upstream,
                parts: &parts,
                path_and_query: &rewritten,
                hash,
                label: &route.label,
                forwarded: forwarding.direct,
                interim: Some(&connection.interim),
            };
            if cacheable_method && bodyless {
                cache::through(origin, host, cache, rc).await
            } else {
                let sent = cache.now();
                let response = forward(shared, &view, route.upstream, outbound, &mut body).await;
                cache::after_unsafe(origin, host, cache, rc, response, sent).await
            }
        }
        _ => forward(shared, &view, route.upstream, outbound, &mut body).await,
    };
    shed::finish(slot, &response);
    let response = admitted.apply(response, runtime);

    // 5. respond
    let status = response.status();
    route.histograms.observe(
        &shared.metrics,
        &route.label,
        &upstream.name,
        status,
        started.elapsed(),
    );
    if runtime.config.log.access_log {
        tracing::info!(
            client = %client_ip,
            route = %route.label,
            upstream = %upstream.name,
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
    }
    Ok(response)
}
