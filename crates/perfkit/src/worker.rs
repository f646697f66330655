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
        let token = config.api.resolve_token().unwrap_or_default();
        let api = perfkit_queue::http::QueueApi::new(
            backend.clone(),
            config.clone(),
            token,
            metrics.clone(),
        )
        .map_err(anyhow::Error::msg)?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the queue API to {addr}"))?;
        eprintln!("queue API listening on http://{}", listener.local_addr()?);
        tasks.spawn(perfkit_queue::http::serve(
            Arc::new(api),
            listener,
            stopped.clone(),
        ));
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
