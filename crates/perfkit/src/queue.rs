//! `perfkit queue`: enqueue, stats, inspect, dead-letter queue, pause/resume, and a
//! standalone HTTP queue API listener, against the backend `config/queues.yml` names.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use perfkit_queue::http::JobView;
use perfkit_queue::{now_ms, AnyBackend, Backend, DeadSelect, JobId, Metrics, QueuesConfig};

#[derive(Debug, clap::Args)]
pub struct QueueArgs {
    /// The queues file.
    #[arg(long, global = true, default_value = perfkit_queue::DEFAULT_QUEUES_PATH)]
    pub queues: PathBuf,
    #[command(subcommand)]
    pub command: QueueCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum QueueCommand {
    /// Enqueue one job; prints its id.
    Enqueue {
        queue: String,
        /// The payload (JSON or text); `-` or nothing reads standard input.
        payload: Option<String>,
        #[arg(long, default_value_t = 0)]
        priority: u8,
        /// Run no sooner than this from now (e.g. `30s`, `5m`).
        #[arg(long, value_parser = humantime::parse_duration)]
        delay: Option<Duration>,
        /// Dead-letter the job if it has not started within this (e.g. `10m`).
        #[arg(long, value_parser = humantime::parse_duration)]
        deadline: Option<Duration>,
        #[arg(long)]
        unique_key: Option<String>,
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Job counts per queue, as a table.
    Stats,
    /// Show one job (state, attempts, errors) as JSON.
    Inspect { queue: String, id: JobId },
    /// The dead-letter queue.
    Dlq {
        #[command(subcommand)]
        command: DlqCommand,
    },
    /// Stop handing out jobs of a queue.
    Pause { queue: String },
    /// Hand out jobs of a paused queue again.
    Resume { queue: String },
    /// Serve the HTTP queue API (needs api.token or api.token_env in the queues file).
    Serve {
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum DlqCommand {
    /// Dead jobs, most recent first, as JSON lines.
    List {
        queue: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Make dead jobs ready again with fresh attempts.
    Retry {
        queue: String,
        #[command(flatten)]
        select: Select,
    },
    /// Delete dead jobs.
    Purge {
        queue: String,
        #[command(flatten)]
        select: Select,
    },
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Select {
    /// These jobs (repeatable).
    #[arg(long = "id")]
    ids: Vec<JobId>,
    /// Jobs with this tag.
    #[arg(long)]
    tag: Option<String>,
    /// Every dead job of the queue.
    #[arg(long)]
    all: bool,
}

impl Select {
    fn to_select(&self) -> DeadSelect {
        if self.all {
            DeadSelect::All
        } else if let Some(tag) = &self.tag {
            DeadSelect::Tag(tag.clone())
        } else {
            DeadSelect::Ids(self.ids.clone())
        }
    }
}

pub async fn run(args: QueueArgs) -> anyhow::Result<()> {
    let config = Arc::new(QueuesConfig::load(&args.queues)?);
    let known = |queue: &str| -> anyhow::Result<()> {
        if config.queues.contains_key(queue) {
            Ok(())
        } else {
            anyhow::bail!(
                "unknown queue `{queue}`; declare it in {}",
                args.queues.display()
            )
        }
    };
    let backend = AnyBackend::open(&config.backend.choice())
        .await
        .context("opening the queue backend")?;
    match args.command {
        QueueCommand::Enqueue {
            queue,
            payload,
            priority,
            delay,
            deadline,
            unique_key,
            idempotency_key,
        } => {
            known(&queue)?;
            let payload = match payload.as_deref() {
                None | Some("-") => {
                    let mut buffer = Vec::new();
                    std::io::stdin()
                        .read_to_end(&mut buffer)
                        .context("reading the payload from standard input")?;
                    buffer
                }
                Some(text) => text.as_bytes().to_vec(),
            };
            let now = now_ms();
            let mut job = config.queues[&queue]
                .new_job(&queue, payload)
                .priority(priority);
            job.run_at = delay.map(|d| now + d.as_millis() as i64);
            job.deadline = deadline.map(|d| now + d.as_millis() as i64);
            job.unique_key = unique_key;
            job.idempotency_key = idempotency_key;
            let enqueued = backend.enqueue(vec![job], now).await?[0];
            if enqueued.duplicate {
                eprintln!("an existing job with the same key was returned");
            }
            println!("{}", enqueued.id);
        }
        QueueCommand::Stats => {
            println!(
                "{:<24} {:>9} {:>9} {:>9} {:>10} {:>9}  PAUSED",
                "QUEUE", "READY", "DELAYED", "LEASED", "COMPLETED", "DEAD"
            );
            for name in config.queues.keys() {
                let s = backend.stats(name, now_ms()).await?;
                println!(
                    "{:<24} {:>9} {:>9} {:>9} {:>10} {:>9}  {}",
                    name,
                    s.ready,
                    s.delayed,
                    s.leased,
                    s.completed,
                    s.dead,
                    if s.paused { "yes" } else { "no" }
                );
            }
        }
        QueueCommand::Inspect { queue, id } => {
            known(&queue)?;
            let job = backend
                .get(&queue, id)
                .await?
                .with_context(|| format!("no job {id} in queue `{queue}`"))?;
            println!("{}", serde_json::to_string_pretty(&JobView::new(&job))?);
        }
        QueueCommand::Dlq { command } => match command {
            DlqCommand::List { queue, limit } => {
                known(&queue)?;
                for job in backend.dead_list(&queue, limit).await? {
                    println!("{}", serde_json::to_string(&JobView::new(&job))?);
                }
            }
            DlqCommand::Retry { queue, select } => {
                known(&queue)?;
                let count = backend
                    .dead_retry(&queue, &select.to_select(), now_ms())
                    .await?;
                println!("retried {count} job(s)");
            }
            DlqCommand::Purge { queue, select } => {
                known(&queue)?;
                let count = backend.dead_purge(&queue, &select.to_select()).await?;
                println!("purged {count} job(s)");
            }
        },
        QueueCommand::Pause { queue } => {
            known(&queue)?;
            backend.set_paused(&queue, true).await?;
            println!("paused {queue}");
        }
        QueueCommand::Resume { queue } => {
            known(&queue)?;
            backend.set_paused(&queue, false).await?;
            println!("resumed {queue}");
        }
        QueueCommand::Serve { listen } => {
            let addr = listen.or(config.api.listen).context(
                "no address to listen on: pass --listen ADDR or set api.listen in the queues file",
            )?;
            let token = config.api.resolve_token().unwrap_or_default();
            let api =
                perfkit_queue::http::QueueApi::new(backend, config.clone(), token, Metrics::new())
                    .map_err(anyhow::Error::msg)?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("binding the queue API to {addr}"))?;
            eprintln!("queue API listening on http://{}", listener.local_addr()?);
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let server = tokio::spawn(perfkit_queue::http::serve(Arc::new(api), listener, stopped));
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            let _ = stop.send(true);
            let _ = server.await;
        }
    }
    Ok(())
}
