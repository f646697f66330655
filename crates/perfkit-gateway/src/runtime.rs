//! Everything built from one configuration generation. A reload builds a new
//! `Runtime` and swaps it in; requests already running keep the one they started with.

use std::sync::Arc;

use perfkit_config::Config;
use tokio_util::sync::CancellationToken;

use crate::admin::metrics::Metrics;
use crate::request::forwarded::TrustedProxies;
use crate::request::route::Router;
use crate::upstream::Upstream;

#[derive(Debug)]
pub struct Runtime {
    pub generation: u64,
    pub config: Arc<Config>,
    pub router: Router,
    pub upstreams: Vec<Arc<Upstream>>,
    pub trusted: TrustedProxies,
    pub max_body: u64,
    /// Longest pause between two pieces of a client's request body.
    pub client_body_timeout: std::time::Duration,
    /// The process's metrics (they outlive every runtime).
    pub metrics: Arc<Metrics>,
    /// Cancelled when this generation is replaced or the gateway stops, which ends its
    /// health checks (they hold the runtime, so it cannot be dropped before that).
    pub retired: CancellationToken,
    /// The compiled rate-limit rules (their limiters live in `Shared`).
    pub limits: crate::request::limit::Limits,
    /// The upstreams' adaptive shedding (their limiters live in `Shared`).
    pub shed: crate::request::shed::Shedding,
}

impl Runtime {
    pub async fn build(
        config: Config,
        generation: u64,
        metrics: Arc<Metrics>,
        limit_state: &crate::request::limit::LimitState,
        shed_state: &crate::request::shed::ShedState,
    ) -> Result<Runtime, crate::GatewayError> {
        let mut upstreams = Vec::with_capacity(config.upstreams.len());
        let workers = config.server.worker_count();
        for (name, upstream) in &config.upstreams {
            upstreams.push(Arc::new(Upstream::build(name, upstream, workers).await?));
        }
        let names: Vec<&String> = config.upstreams.keys().collect();
        let router = Router::new(
            &config.routes,
            |name| names.iter().position(|n| *n == name),
            workers,
            &config.cache,
        );
        let limits =
            crate::request::limit::Limits::build(&config.rate_limits, limit_state, &metrics)
                .await?;
        let shed = crate::request::shed::Shedding::build(&config, &router, shed_state)?;
        Ok(Runtime {
            generation,
            router,
            upstreams,
            trusted: TrustedProxies::new(config.server.trusted_proxies.clone()),
            max_body: config.server.max_body_size.0,
            client_body_timeout: config.server.client_body_timeout,
            metrics,
            config: Arc::new(config),
            retired: CancellationToken::new(),
            limits,
            shed,
        })
    }
}

/// A worker's handle on the runtime in use. Requests clone the worker's `Arc<View>`,
/// whose count only that worker writes, instead of the runtime's own count, which
/// every worker would write on every request (cache-line ping-pong between cores).
#[derive(Debug)]
pub struct View {
    pub runtime: Arc<Runtime>,
}

/// A peer reached through a [`View`]; cheap to clone on a worker.
#[derive(Debug, Clone)]
pub struct PeerRef {
    view: Arc<View>,
    upstream: u32,
    peer: u32,
}

impl PeerRef {
    pub fn new(view: &Arc<View>, upstream: usize, peer: usize) -> PeerRef {
        // Upstream and peer counts come from a config file: far below u32::MAX.
        PeerRef {
            view: Arc::clone(view),
            upstream: upstream as u32,
            peer: peer as u32,
        }
    }
}

impl PeerRef {
    /// The runtime this peer belongs to.
    pub fn runtime(&self) -> &Runtime {
        &self.view.runtime
    }

    /// The upstream group this peer belongs to.
    pub fn upstream(&self) -> &Upstream {
        &self.view.runtime.upstreams[self.upstream as usize]
    }
}

impl std::ops::Deref for PeerRef {
    type Target = crate::upstream::Peer;

    fn deref(&self) -> &Self::Target {
        &self.view.runtime.upstreams[self.upstream as usize].peers[self.peer as usize]
    }
}
