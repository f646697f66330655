//! Active health checks: one probe loop per peer, `GET path` every interval; a peer
//! flips after `unhealthy_threshold` failures or `healthy_threshold` passes in a row.

use std::sync::Arc;

use http::header::{self, HeaderMap, HeaderValue};
use http::Method;
use http_body_util::BodyExt;
use perfkit_config::HealthCheckConfig;

use crate::body::RequestBody;
use crate::runtime::{PeerRef, Runtime, View};
use crate::upstream::http1::{self, RequestHead};
use crate::upstream::Upstream;

/// Starts probing every peer that has a health check, until the runtime is retired.
/// The probe tasks hold the runtime; `Runtime::retired` is what stops them.
pub fn spawn_checks(runtime: &Arc<Runtime>) {
    let view = Arc::new(View {
        runtime: Arc::clone(runtime),
    });
    for (u, upstream) in runtime.upstreams.iter().enumerate() {
        let Some(check) = upstream.config.health_check.clone() else {
            continue;
        };
        for p in 0..upstream.peers.len() {
            let (peer, check, stop) = (
                PeerRef::new(&view, u, p),
                check.clone(),
                runtime.retired.clone(),
            );
            let upstream = Arc::clone(upstream);
            tokio::spawn(async move {
                tokio::select! {
                    () = probe_loop(&upstream, &peer, &check) => {}
                    () = stop.cancelled() => {}
                }
            });
        }
    }
}

async fn probe_loop(upstream: &Upstream, peer: &PeerRef, check: &HealthCheckConfig) {
    let mut ticker = tokio::time::interval(check.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut passes, mut failures) = (0u32, 0u32);
    loop {
        ticker.tick().await;
        if probe(upstream, peer, check).await {
            passes += 1;
            failures = 0;
        } else {
            failures += 1;
            passes = 0;
        }
        if passes >= check.healthy_threshold.get() && peer.set_healthy(true) {
            tracing::info!(upstream = %upstream.name, peer = %peer.configured, "health check passed: peer restored");
        } else if failures >= check.unhealthy_threshold.get() && peer.set_healthy(false) {
            tracing::warn!(upstream = %upstream.name, peer = %peer.configured, "health check failed: peer marked unhealthy");
        }
    }
}

/// One probe: any 2xx or 3xx within the timeout passes.
async fn probe(upstream: &Upstream, peer: &PeerRef, check: &HealthCheckConfig) -> bool {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::USER_AGENT,
        HeaderValue::from_static("perfkit-health"),
    );
    let head = RequestHead {
        method: &Method::GET,
        path_and_query: &check.path,
        headers: &headers,
        forwarded: None,
        interim: None,
    };
    let exchange = async {
        // Health requests have no body, so the client body timeout never applies.
        let limits = upstream.limits(check.timeout);
        let response = http1::send(peer, head, RequestBody::Empty, limits, None)
            .await
            .ok()?;
        let status = response.status();
        // Read the body to its end so the connection can be reused.
        response.into_body().collect().await.ok()?;
        Some(status.is_success() || status.is_redirection())
    };
    matches!(
        tokio::time::timeout(check.timeout, exchange).await,
        Ok(Some(true))
    )
}
