//! Forwarding one client request: route, limit the body, rewrite headers, pick a peer,
//! send with timeouts and retries, record health and metrics, stream the answer back.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use http::header::{self, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode, Uri};
use http_body::Body as _;
use http_body_util::{LengthLimitError, Limited};
use hyper::body::Incoming;
use perfkit_config::HashKey;

use crate::balance::Balancer;
use crate::body::{ClientBodyError, RequestBody, ResponseBody};
use crate::forwarded::{strip_hop_by_hop, ClientPeer};
use crate::http1_client::{self, idempotent, ClientBodyTimeout, ExchangeError, RequestHead};
use crate::metrics::UpstreamError;
use crate::runtime::{PeerRef, View};
use crate::upstream::{now_millis, Peer, Upstream};
use crate::Shared;

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

/// Makes `Host` the one statement of the request's target host, or says why the
/// request is malformed (answered `400`).
///
/// - HTTP/1.x (RFC 9112 §3.2): more than one `Host`, an invalid one, or none in
///   HTTP/1.1 is an error; an absolute-form target's authority replaces `Host`.
/// - HTTP/2 (RFC 9113 §8.3.1): `:authority` is the target; a `Host` naming a different
///   one is an error; upstreams (HTTP/1.1) get `:authority` as `Host`.
fn settle_host(parts: &mut http::request::Parts) -> Result<(), &'static str> {
    let mut hosts = parts.headers.get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Err("more than one Host header");
    }
    if host.is_some_and(|host| !valid_host(host.as_bytes())) {
        return Err("invalid Host header");
    }
    let Some(authority) = parts.uri.authority() else {
        return match host {
            None if parts.version == http::Version::HTTP_11 => Err("HTTP/1.1 request without Host"),
            None if parts.version >= http::Version::HTTP_2 => {
                Err("request without :authority or Host")
            }
            _ => Ok(()),
        };
    };
    // Userinfo has no place in an http(s) target (RFC 9110 §4.2.4).
    if authority.as_str().contains('@') || !valid_host(authority.as_str().as_bytes()) {
        return Err("invalid request target authority");
    }
    if parts.version >= http::Version::HTTP_2 {
        if let Some(host) = host {
            if !host
                .as_bytes()
                .eq_ignore_ascii_case(authority.as_str().as_bytes())
            {
                return Err("Host differs from :authority");
            }
            return Ok(());
        }
    }
    let value = HeaderValue::from_str(authority.as_str())
        .map_err(|_| "invalid request target authority")?;
    parts.headers.insert(header::HOST, value);
    Ok(())
}

/// `uri-host [":" port]`: a reg-name, IPv4 address or bracketed IPv6 literal, and an
/// optional port. Rejects what cannot be a host (spaces, `/`, `@`, `?`, `#`...).
fn valid_host(host: &[u8]) -> bool {
    let (name, port) = match host.iter().rposition(|b| *b == b':') {
        Some(colon) if !host[colon..].contains(&b']') => (&host[..colon], &host[colon + 1..]),
        _ => (host, &b""[..]),
    };
    let name_ok = match name {
        [b'[', inner @ .., b']'] => {
            !inner.is_empty()
                && inner
                    .iter()
                    .all(|b| b.is_ascii_hexdigit() || b":.".contains(b))
        }
        _ => {
            !name.is_empty()
                && name
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(b))
        }
    };
    name_ok && port.iter().all(u8::is_ascii_digit) && port.len() <= 5
}

/// The request's host without port, from `Host` (see [`settle_host`]).
fn request_host<'a>(headers: &'a HeaderMap, uri: &'a Uri) -> &'a str {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .unwrap_or("");
    // Strip a port, but not the colons of a bracketed IPv6 literal.
    match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') => &host[..colon],
        _ => host,
    }
}

/// What every request on one client connection shares.
#[derive(Debug)]
pub(crate) struct ClientConnection {
    pub shared: Arc<Shared>,
    pub peer: ClientPeer,
}

pub(crate) async fn handle(
    connection: Arc<ClientConnection>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let started = Instant::now();
    let shared = &*connection.shared;
    let view = shared.view();
    let runtime = &*view.runtime;
    let (mut parts, body) = request.into_parts();

    if let Err(problem) = settle_host(&mut parts) {
        shared
            .metrics
            .observe_request("unmatched", "-", "400", started.elapsed());
        return Ok(local(StatusCode::BAD_REQUEST, problem));
    }

    let path = parts.uri.path();
    let Some(route) = runtime
        .router
        .find(request_host(&parts.headers, &parts.uri), path)
    else {
        shared
            .metrics
            .observe_request("unmatched", "-", "404", started.elapsed());
        return Ok(local(
            StatusCode::NOT_FOUND,
            "no route matches this request",
        ));
    };
    let upstream = &runtime.upstreams[route.upstream];

    let declared_length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > runtime.max_body) {
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        route.histograms.observe(
            &shared.metrics,
            &route.label,
            &upstream.name,
            status,
            started.elapsed(),
        );
        return Ok(local(status, "request body is larger than allowed"));
    }

    strip_hop_by_hop(&mut parts.headers);
    let client_ip = runtime.trusted.apply(&connection.peer, &mut parts.headers);

    let hash = match &upstream.config.hash_key {
        None => 0,
        Some(HashKey::Header(name)) => match parts.headers.get(name.as_str()) {
            Some(value) => Balancer::hash_key(value.as_bytes()),
            None => Balancer::hash_key(client_ip.to_string().as_bytes()),
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

    let rewritten = route.rewrite(parts.uri.path_and_query().map_or("/", |p| p.as_str()));
    let outbound = Outbound {
        parts: &parts,
        path_and_query: &rewritten,
        hash,
        retryable,
    };
    let response = forward(shared, &view, route.upstream, outbound, &mut body).await;
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

/// The request as it goes upstream, minus its body.
struct Outbound<'a> {
    parts: &'a http::request::Parts,
    path_and_query: &'a str,
    /// Consistent-hashing key (0 when unused).
    hash: u64,
    /// Whether a failed attempt may be repeated on another peer.
    retryable: bool,
}

/// Sends the request to a peer, retrying on other peers when that is safe.
async fn forward(
    shared: &Shared,
    view: &Arc<View>,
    upstream_index: usize,
    outbound: Outbound<'_>,
    body: &mut Option<RequestBody>,
) -> Response<ResponseBody> {
    let Outbound {
        parts,
        path_and_query,
        hash,
        retryable,
    } = outbound;
    let upstream = &*view.runtime.upstreams[upstream_index];
    let config = &upstream.config;
    let attempts = if retryable {
        config.retries.attempts.saturating_add(1)
    } else {
        1
    };
    let peers = &upstream.peers;
    // Peers already tried, as a bitmask (peers past the 64th are never excluded).
    let mut tried: u64 = 0;
    let excluded = |tried: u64, i: usize| i < 64 && tried & (1 << i) != 0;
    // Built only when an attempt fails, not up front on every request.
    let mut failure: Option<UpstreamError> = None;

    for attempt in 0..attempts {
        let now = now_millis();
        let Some(index) = upstream
            .balancer
            .pick(peers, hash, |i| {
                !excluded(tried, i) && peers[i].available(now)
            })
            .or_else(|| upstream.balancer.pick(peers, hash, |i| !excluded(tried, i)))
        else {
            break;
        };
        if index < 64 {
            tried |= 1 << index;
        }
        // Retries go to other peers only; with none left this attempt is the last.
        let last = attempt + 1 == attempts || (0..peers.len()).all(|i| excluded(tried, i));
        let peer = PeerRef::new(view, upstream_index, index);
        if attempt > 0 {
            shared.metrics.retry(&upstream.name);
        }

        let Some(in_flight) = Peer::acquire(peer.clone(), config.pool.acquire_timeout).await else {
            shared.metrics.upstream_error(
                &upstream.name,
                &peer.configured,
                UpstreamError::PoolExhausted,
            );
            failure = Some(UpstreamError::PoolExhausted);
            continue;
        };

        let head = RequestHead {
            method: &parts.method,
            path_and_query,
            headers: &parts.headers,
        };
        let request_body = body.take().unwrap_or(RequestBody::Empty);
        let sent = upstream.tracks_latency().then(Instant::now);
        let limits = upstream.limits(view.runtime.client_body_timeout);
        let outcome = http1_client::send(&peer, head, request_body, limits, Some(in_flight)).await;
        let reason = match outcome {
            Ok(response) => {
                let status = response.status();
                let failed_status = config.retries.on_status.contains(&status.as_u16());
                if !failed_status || last {
                    if failed_status {
                        note_failure(shared, upstream, index, UpstreamError::Status);
                    } else {
                        peer.record_success();
                    }
                    if let Some(sent) = sent {
                        peer.observe_latency(sent.elapsed());
                    }
                    let (mut head, upstream_body) = response.into_parts();
                    strip_hop_by_hop(&mut head.headers);
                    return Response::from_parts(head, ResponseBody::Upstream(upstream_body));
                }
                UpstreamError::Status
            }
            // The client's own failure: answered, and not held against the peer.
            Err(ExchangeError::ClientBody(ClientBodyError(inner))) => {
                return if inner.downcast_ref::<LengthLimitError>().is_some() {
                    local(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "request body is larger than allowed",
                    )
                } else if inner.downcast_ref::<ClientBodyTimeout>().is_some() {
                    let mut response = local(
                        StatusCode::REQUEST_TIMEOUT,
                        "request body did not arrive in time",
                    );
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    response
                } else {
                    local(StatusCode::BAD_REQUEST, "request body was cut short")
                };
            }
            Err(error) => {
                tracing::debug!(upstream = %upstream.name, peer = %peer.configured, %error, "upstream request failed");
                match error {
                    ExchangeError::Connect(_) | ExchangeError::ConnectTimeout => {
                        UpstreamError::Connect
                    }
                    ExchangeError::Timeout => UpstreamError::Timeout,
                    _ => UpstreamError::Protocol,
                }
            }
        };
        if let Some(sent) = sent {
            peer.observe_latency(sent.elapsed());
        }
        note_failure(shared, upstream, index, reason);
        failure = Some(reason);
    }
    match failure {
        Some(UpstreamError::Timeout | UpstreamError::BodyTimeout) => {
            local(StatusCode::GATEWAY_TIMEOUT, "upstream timed out")
        }
        Some(UpstreamError::Status) => local(StatusCode::BAD_GATEWAY, "upstream kept failing"),
        Some(UpstreamError::PoolExhausted) => local(
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream connection pool is exhausted",
        ),
        Some(UpstreamError::Connect | UpstreamError::Protocol) => {
            local(StatusCode::BAD_GATEWAY, "upstream could not be reached")
        }
        None => local(StatusCode::BAD_GATEWAY, "no upstream peer could be reached"),
    }
}

fn note_failure(shared: &Shared, upstream: &Upstream, index: usize, reason: UpstreamError) {
    let peer = &upstream.peers[index];
    shared
        .metrics
        .upstream_error(&upstream.name, &peer.configured, reason);
    if let Some(length) = peer.record_failure(&upstream.config.outlier_detection) {
        shared.metrics.ejection(&upstream.name, &peer.configured);
        tracing::warn!(upstream = %upstream.name, peer = %peer.configured, seconds = length.as_secs_f64(), "peer ejected after consecutive failures");
    }
}
