//! Phase 4: the upstream. Picks a peer, sends the request with its timeouts, retries
//! on another peer when that is safe, and keeps the peers' health up to date.

use std::sync::Arc;
use std::time::Instant;

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::LengthLimitError;

use super::forwarded::ClientPeer;
use super::local;
use crate::admin::metrics::UpstreamError;
use crate::body::{ClientBodyError, RequestBody, ResponseBody};
use crate::listen::interim::Interim;
use crate::runtime::{PeerRef, View};
use crate::upstream::http1::{self, ClientBodyTimeout, ExchangeError, RequestHead};
use crate::upstream::{now_millis, Peer, Upstream};
use crate::Shared;

/// The request as it goes upstream, minus its body.
pub(super) struct Outbound<'a> {
    pub parts: &'a http::request::Parts,
    pub path_and_query: &'a str,
    /// Consistent-hashing key (0 when unused).
    pub hash: u64,
    /// Whether a failed attempt may be repeated on another peer.
    pub retryable: bool,
    /// The untrusted client whose forwarding headers are written as the request
    /// goes out (see `Forwarding::direct`).
    pub forwarded: Option<&'a ClientPeer>,
    /// The client connection's queue for the peer's interim (`1xx`) responses; `None`
    /// for exchanges no client waits on (background revalidation).
    pub interim: Option<&'a Interim>,
}

/// Sends the request to a peer, retrying on other peers when that is safe.
pub(super) async fn forward(
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
        forwarded,
        interim,
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
            forwarded,
            interim,
        };
        let request_body = body.take().unwrap_or(RequestBody::Empty);
        let sent = upstream.tracks_latency().then(Instant::now);
        let limits = upstream.limits(view.runtime.client_body_timeout);
        let outcome = http1::send(&peer, head, request_body, limits, Some(in_flight)).await;
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
                    // Hop-by-hop headers were left out as the head was parsed.
                    let (head, upstream_body) = response.into_parts();
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
