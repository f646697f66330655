//! The perfkit gateway: a hyper-based reverse proxy that routes by host and path to
//! upstream groups, balances load, tracks peer health, pools upstream connections,
//! and exposes Prometheus metrics and a token-protected admin API.
//!
//! [`Gateway::start`] binds the listeners and returns a handle; [`Gateway::reload`]
//! swaps in a new configuration without dropping in-flight requests;
//! [`Gateway::shutdown`] drains connections gracefully.

#![forbid(unsafe_code)]

// Modules follow a request's journey: connections arrive (`listen`), a request
// passes its phases (`request`), reaches a peer (`upstream`); `admin` observes.
mod admin;
mod body;
mod deadline;
#[doc(hidden)]
pub mod fuzzing;
mod listen;
mod request;
mod runtime;
mod upstream;
pub mod warm;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;
use perfkit_config::{Config, ConfigError};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use listen::signals::serve_until_signalled;
pub use request::forwarded::{strip_hop_by_hop, ClientPeer, TrustedProxies};

use crate::admin::metrics::Metrics;
use crate::runtime::Runtime;

/// Why the gateway could not start or reload.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Resolve(#[from] upstream::ResolveError),
    /// `cause` is part of the message, so it is not also chained as a source.
    #[error("cannot listen on {addr}: {cause}")]
    Bind {
        addr: SocketAddr,
        cause: std::io::Error,
    },
    #[error("reload needs a config file; this gateway was started from an in-memory config")]
    NoConfigFile,
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
    #[error("cannot build the response cache: {0}")]
    Cache(#[from] perfkit_cache::CacheError),
    #[error(transparent)]
    RateLimits(#[from] request::limit::LimitError),
    #[error(transparent)]
    Shed(#[from] request::shed::ShedError),
}

/// State shared by every connection: the current runtime, and what lives for the
/// whole process (metrics, the response cache).
#[derive(Debug)]
pub(crate) struct Shared {
    runtime: ArcSwap<Runtime>,
    metrics: Arc<Metrics>,
    /// The response cache, built once at start (`cache:`) and kept across reloads so
    /// a reload neither empties it nor reconnects to Redis. `None` when
    /// `cache.enabled` is false at start.
    cache: Option<perfkit_cache::Cache>,
    config_path: Option<PathBuf>,
    /// Held while a reload builds and installs a runtime.
    reloading: tokio::sync::Mutex<()>,
    /// Rate limiters and Redis connections, kept across reloads by rule.
    limits: Arc<request::limit::LimitState>,
    /// Adaptive concurrency limiters and shed counters, kept across reloads by upstream.
    shed: Arc<request::shed::ShedState>,
}

thread_local! {
    /// This thread's view of the runtime in use (see [`runtime::View`]).
    static VIEW: std::cell::RefCell<Option<Arc<runtime::View>>> = const { std::cell::RefCell::new(None) };
}

impl Shared {
    /// The runtime in use, through this thread's view: refreshed after a reload,
    /// otherwise cloned without touching a count other threads write.
    fn view(&self) -> Arc<runtime::View> {
        let current = self.runtime.load();
        VIEW.with(|cell| {
            let mut cached = cell.borrow_mut();
            match &*cached {
                Some(view) if Arc::ptr_eq(&view.runtime, &current) => Arc::clone(view),
                _ => {
                    let view = Arc::new(runtime::View {
                        runtime: Arc::clone(&current),
                    });
                    *cached = Some(Arc::clone(&view));
                    view
                }
            }
        })
    }

    /// Re-reads the config file and swaps the new runtime in.
    async fn reload(&self) -> Result<u64, GatewayError> {
        let path = self
            .config_path
            .as_ref()
            .ok_or(GatewayError::NoConfigFile)?;
        let result = match Config::load(path) {
            Ok(config) => self.install(config).await,
            Err(error) => Err(error.into()),
        };
        self.metrics.reload(result.is_ok());
        match &result {
            Ok(generation) => tracing::info!(generation, "configuration reloaded"),
            Err(error) => {
                tracing::error!(%error, "configuration reload failed; keeping the running configuration")
            }
        }
        result
    }

    async fn install(&self, config: Config) -> Result<u64, GatewayError> {
        let _one_at_a_time = self.reloading.lock().await;
        let current = self.runtime.load_full();
        if config.server.listen != current.config.server.listen
            || config.admin.listen != current.config.admin.listen
            || config.server.workers != current.config.server.workers
        {
            tracing::warn!(
                "server.listen, admin.listen and server.workers change on restart only; keeping the running ones"
            );
        }
        // The purge webhooks are read at each purge: they change on reload.
        let engine = |cache: &perfkit_config::CacheConfig| perfkit_config::CacheConfig {
            purge_webhooks: Vec::new(),
            purge_webhook_wait: std::time::Duration::ZERO,
            ..cache.clone()
        };
        if engine(&config.cache) != engine(&current.config.cache) {
            tracing::warn!(
                "the cache settings (memory, Redis, policy) change on restart only; routes' cache blocks apply now"
            );
        }
        let generation = current.generation + 1;
        let runtime = Arc::new(
            Runtime::build(
                config,
                generation,
                Arc::clone(&self.metrics),
                &self.limits,
                &self.shed,
            )
            .await?,
        );
        upstream::health::spawn_checks(&runtime);
        let config = Arc::clone(&runtime.config);
        let previous = self.runtime.swap(runtime);
        if let Some(cache) = &self.cache {
            request::cache::flush_changed_routes(cache, &previous.config, &config).await;
        }
        // Requests in flight keep `previous` alive; its probes can stop now, and what
        // its routes recorded so far is published (the rest when it is dropped).
        previous.retired.cancel();
        for route in previous.router.routes() {
            route.histograms.flush();
        }
        Ok(generation)
    }
}

/// The cache engine's settings from the `cache:` section.
fn cache_config(config: &perfkit_config::CacheConfig) -> perfkit_cache::CacheConfig {
    perfkit_cache::CacheConfig {
        l1_max_bytes: Some(config.max_memory.0),
        l2: config.redis.as_ref().map(|redis| perfkit_cache::L2Config {
            url: redis.url.clone(),
            namespace: redis.namespace.clone(),
            op_timeout: redis.timeout,
            on_reconnect: match redis.on_reconnect {
                perfkit_config::PurgeMode::Hard => perfkit_cache::Purge::Hard,
                perfkit_config::PurgeMode::Soft => perfkit_cache::Purge::Soft,
            },
        }),
        ttl_jitter: config.ttl_jitter,
        stat_patterns: Vec::new(),
        max_pending_invalidations: 1024,
        clock: perfkit_cache::Clock::system(),
    }
}

/// A running gateway.
#[derive(Debug)]
pub struct Gateway {
    shared: Arc<Shared>,
    addr: SocketAddr,
    admin_addr: SocketAddr,
    stop: CancellationToken,
    admin: Option<JoinHandle<()>>,
    acceptor: Option<JoinHandle<()>>,
    workers: Vec<tokio::sync::oneshot::Receiver<()>>,
}

impl Gateway {
    /// Binds the proxy and admin listeners and starts serving: the proxy on
    /// `server.workers` threads of its own, the admin API and health checks on the
    /// caller's runtime. `config_path` is where [`reload`](Self::reload) re-reads the
    /// configuration from.
    pub async fn start(
        config: Config,
        config_path: Option<PathBuf>,
    ) -> Result<Gateway, GatewayError> {
        let metrics = Arc::new(Metrics::new());
        let cache = config
            .cache
            .enabled
            .then(|| perfkit_cache::Cache::new(cache_config(&config.cache)))
            .transpose()?;
        let limits = Arc::new(request::limit::LimitState::default());
        let shed = Arc::new(request::shed::ShedState::default());
        let runtime =
            Arc::new(Runtime::build(config, 1, Arc::clone(&metrics), &limits, &shed).await?);
        let server_config = runtime.config.server.clone();
        let admin_listen = runtime.config.admin.listen;
        let shared = Arc::new(Shared {
            runtime: ArcSwap::new(Arc::clone(&runtime)),
            metrics,
            cache,
            config_path,
            reloading: tokio::sync::Mutex::new(()),
            limits,
            shed,
        });
        let admin_listener =
            tokio::net::TcpListener::bind(admin_listen)
                .await
                .map_err(|cause| GatewayError::Bind {
                    addr: admin_listen,
                    cause,
                })?;
        let admin_addr = admin_listener
            .local_addr()
            .map_err(|cause| GatewayError::Bind {
                addr: admin_listen,
                cause,
            })?;
        let stop = CancellationToken::new();
        let workers = listen::workers::start(
            server_config.listen,
            server_config.worker_count(),
            &server_config,
            &stop,
            &shared,
        )
        .await?;
        upstream::health::spawn_checks(&runtime);

        let admin_shared = Arc::clone(&shared);
        let admin = listen::connection::serve(
            admin_listener,
            hyper_util::rt::TokioTimer::new(),
            server_config,
            stop.clone(),
            move |_| {
                let shared = Arc::clone(&admin_shared);
                hyper::service::service_fn(move |request| {
                    admin::handle(Arc::clone(&shared), request)
                })
            },
        );
        let addr = workers.addr;
        tracing::info!(%addr, %admin_addr, workers = workers.stopped.len(), "gateway listening");
        let warm = &runtime.config.cache.warm;
        if shared.cache.is_some() && (!warm.urls.is_empty() || warm.sitemap.is_some()) {
            tokio::spawn(warm::on_start(addr, warm.clone(), stop.clone()));
        }
        Ok(Gateway {
            shared,
            addr,
            admin_addr,
            stop,
            admin: Some(tokio::spawn(admin)),
            acceptor: Some(workers.acceptor),
            workers: workers.stopped,
        })
    }

    /// Where the proxy listens (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_addr
    }

    /// The response cache (`None` when `cache.enabled` was false at start). Its
    /// [`clock`](perfkit_cache::Cache::clock) can be set by hand, so tests make stored
    /// responses older without waiting.
    pub fn cache(&self) -> Option<&perfkit_cache::Cache> {
        self.shared.cache.as_ref()
    }

    /// The configuration generation in use: 1 at start, +1 per successful reload.
    pub fn generation(&self) -> u64 {
        self.shared.runtime.load().generation
    }

    /// Re-reads the config file given to [`start`](Self::start) and swaps it in.
    /// On error the running configuration stays.
    pub async fn reload(&self) -> Result<u64, GatewayError> {
        self.shared.reload().await
    }

    /// Swaps in `config` directly.
    pub async fn reload_with(&self, config: Config) -> Result<u64, GatewayError> {
        self.shared.install(config).await
    }

    /// Stops accepting, lets in-flight requests finish (up to `server.shutdown_grace`),
    /// then returns.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        for server in [self.admin.take(), self.acceptor.take()]
            .into_iter()
            .flatten()
        {
            let _ = server.await;
        }
        for worker in self.workers.drain(..) {
            let _ = worker.await;
        }
        self.shared.runtime.load().retired.cancel();
    }
}

impl Drop for Gateway {
    /// A gateway dropped without [`shutdown`](Self::shutdown) still stops its workers
    /// and health checks (draining in the background).
    fn drop(&mut self) {
        self.stop.cancel();
        self.shared.runtime.load().retired.cancel();
    }
}
