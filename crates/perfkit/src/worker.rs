//! `perfkit worker`: runs the handlers of `config/queues.yml` (HTTP push or command),
//! fires its cron schedules, and optionally serves the HTTP queue API, until SIGTERM
//! or SIGINT; then stops claiming and lets running jobs finish (or gives them back).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use perfkit_queue::{AnyBackend, Delivery, Metrics, QueuesConfig, Schedule, Scheduler, Worker};
use tokio::sync::watch;

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// The queues file.
    #[arg(long, default_value = perfkit_queue::DEFAULT_QUEUES_PATH)]
    pub queues: PathBuf,
    /// Only run these queues (repeatable); default: every queue with a handler.
    #[arg(long = "queue", value_name = "NAME")]
    pub only: Vec<String>,
    /// Also serve the HTTP queue API here (needs api.token in the queues file).
    #[arg(long, value_name = "ADDR")]
    pub api: Option<SocketAddr>,
    /// Do not fire cron schedules from this process.
    #[arg(long)]
    pub no_schedules: bool,
}

pub async fn run(args: WorkerArgs) -> anyhow::Result<()> {
    let config = Arc::new(QueuesConfig::load(&args.queues)?);
    for name in &args.only {
        if !config.queues.contains_key(name) {
            anyhow::bail!("--queue {name}: no such queue in {}", args.queues.display());
        }
    }
    let backend = AnyBackend::open(&config.backend.choice())
        .await
        .context("opening the queue backend")?;
    let metrics = Metrics::new();
    let (stop, stopped) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    let mut schedules: Vec<Schedule> = Vec::new();
    for (name, queue) in &config.queues {
        if !args.only.is_empty() && !args.only.contains(name) {
            continue;
        }
        schedules.extend(queue.schedules(name).map_err(anyhow::Error::msg)?);
        let Some(delivery) = Delivery::from_config(queue).map_err(anyhow::Error::msg)? else {
            tracing::info!(queue = %name, "no handler configured; not consuming this queue");
            continue;
        };
        let worker = Worker::new(
            backend.clone(),
            name.clone(),
            queue.worker_options(),
            delivery,
        )
        .with_metrics(metrics.clone());
        tasks.spawn(worker.run(stopped.clone()));
        tracing::info!(queue = %name, concurrency = queue.concurrency, "worker started");
    }
    if !args.no_schedules && !schedules.is_empty() {
        let scheduler = Scheduler::new(schedules);
        let (backend, stopped) = (backend.clone(), stopped.clone());
        tasks.spawn(async move { scheduler.run(&backend, stopped).await });
    }
    if let Some(addr) = args.api.or(config.api.listen) {
        let api = bind_api(&config, backend.clone(), metrics.clone(), addr).await?;
        tasks.spawn(api(stopped.clone()));
    }
    if tasks.is_empty() {
        anyhow::bail!(
            "nothing to run: no queue in {} has an `http` or `command` handler, a schedule, or an API listener",
            args.queues.display()
        );
    }
    wait_for_signal().await?;
    tracing::info!("stopping: finishing or returning in-flight jobs");
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Builds the HTTP queue API over `backend` and binds it to `addr`; returns the
/// server, to run until its stop signal turns true. Shared by `perfkit worker --api`
/// and `perfkit serve --queues`.
pub async fn bind_api(
    config: &Arc<QueuesConfig>,
    backend: AnyBackend,
    metrics: Metrics,
    addr: SocketAddr,
) -> anyhow::Result<impl FnOnce(watch::Receiver<bool>) -> ApiServer> {
    let token = config.api.resolve_token().unwrap_or_default();
    let api = perfkit_queue::http::QueueApi::new(backend, config.clone(), token, metrics)
        .map_err(anyhow::Error::msg)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the queue API to {addr}"))?;
    eprintln!("queue API listening on http://{}", listener.local_addr()?);
    let api = Arc::new(api);
    Ok(
        move |stopped| -> ApiServer {
            Box::pin(perfkit_queue::http::serve(api, listener, stopped))
        },
    )
}

/// The queue API server, running until its stop signal turns true.
pub type ApiServer = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// `perfkit serve --queues FILE`: the gateway plus the queue API of `FILE` on its
/// `api.listen` address, stopped together.
pub async fn serve_with_queue_api(
    config: perfkit_config::Config,
    config_path: PathBuf,
    queues: &std::path::Path,
) -> anyhow::Result<()> {
    let queues_config = Arc::new(QueuesConfig::load(queues)?);
    let addr = queues_config.api.listen.with_context(|| {
        format!(
            "{}: set api.listen to serve the queue API from perfkit serve",
            queues.display()
        )
    })?;
    let backend = AnyBackend::open(&queues_config.backend.choice())
        .await
        .context("opening the queue backend")?;
    let api = bind_api(&queues_config, backend, Metrics::new(), addr).await?;
    let (stop, stopped) = watch::channel(false);
    let api = tokio::spawn(api(stopped));
    let result = perfkit_gateway::serve_until_signalled(config, config_path).await;
    let _ = stop.send(true);
    let _ = api.await;
    result.context("running the gateway")
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}
