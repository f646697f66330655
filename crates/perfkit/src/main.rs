//! The `perfkit` command: a thin CLI over the library crates; it parses arguments,
//! sets up logging and maps errors to exit codes (0 ok, 1 failure, 2 bad config).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use perfkit_config::{Config, ConfigError, LogConfig, LogFormat};

mod admin_http;
mod analyze;
mod benchmark;
mod cache_hit_rate;
mod cache_warm;
mod demo;
mod queue;
mod worker;

#[derive(Debug, Parser)]
#[command(
    name = "perfkit",
    version,
    about = "The performance layer in front of and beside your web app"
)]
struct Cli {
    /// Config file.
    #[arg(short, long, global = true, default_value = perfkit_config::DEFAULT_PATH)]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the reverse-proxy gateway (SIGHUP reloads the config, SIGTERM drains and stops).
    Serve {
        /// Also serve the HTTP queue API of this queues file, on its `api.listen`.
        #[arg(long, value_name = "FILE")]
        queues: Option<PathBuf>,
    },
    /// Inspect configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Start two sample upstreams and the gateway in front of them, send traffic through
    /// it and show what happened. Needs no config file and no external service.
    Demo(demo::DemoArgs),
    /// Run the queue workers of config/queues.yml (HTTP push or command handlers),
    /// their cron schedules and optionally the HTTP queue API.
    Worker(worker::WorkerArgs),
    /// Enqueue, inspect and manage background jobs.
    Queue(queue::QueueArgs),
    /// Load-test HTTP endpoints from config/benchmarks.yml: thresholds, baselines,
    /// comparison and reports (exit 3: a threshold failed, 4: regression).
    Benchmark(benchmark::BenchmarkArgs),
    /// Find performance anti-patterns (N+1 queries, blocking calls in async code, ...) in
    /// a Python/TypeScript/JavaScript application, or list its routes (--routes).
    Analyze(analyze::AnalyzeArgs),
    /// Hit rates of a running gateway's response cache by route and layer (L1 memory,
    /// L2 Redis), from its admin API, plus Redis `INFO` figures; a table or `--json`.
    CacheHitRate(cache_hit_rate::CacheHitRateArgs),
    /// Work with a running gateway's response cache (`warm`).
    Cache {
        #[command(subcommand)]
        command: cache_warm::CacheCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate the config file and print the effective configuration (secrets redacted).
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if let Some(code) = benchmark::exit_code(&error) {
                code
            } else if error
                .chain()
                .any(|cause| cause.downcast_ref::<ConfigError>().is_some())
                || analyze::is_config_error(&error)
            {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            let config = Config::load(&cli.config)?;
            print!("{}", config.to_redacted_yaml());
            eprintln!("{}: ok", cli.config.display());
            Ok(())
        }
        Command::Serve { queues } => {
            let config = Config::load(&cli.config)?;
            init_logging(&config.log);
            let runtime = runtime()?;
            match queues {
                Some(queues) => runtime.block_on(worker::serve_with_queue_api(
                    config,
                    cli.config.clone(),
                    &queues,
                )),
                None => runtime
                    .block_on(perfkit_gateway::serve_until_signalled(
                        config,
                        cli.config.clone(),
                    ))
                    .context("running the gateway"),
            }
        }
        Command::Demo(args) => {
            init_logging(&LogConfig {
                level: "warn".into(),
                ..LogConfig::default()
            });
            runtime()?.block_on(demo::run(args))
        }
        Command::Worker(args) => {
            init_logging(&LogConfig::default());
            runtime()?.block_on(worker::run(args))
        }
        Command::Queue(args) => {
            init_logging(&LogConfig {
                level: "warn".into(),
                ..LogConfig::default()
            });
            runtime()?.block_on(queue::run(args))
        }
        Command::Benchmark(args) => benchmark::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::CacheHitRate(args) => cache_hit_rate::run(args, &cli.config),
        Command::Cache { command } => cache_warm::run(command, &cli.config),
    }
}

/// The control runtime: admin API, health checks, signals, demo. Proxy traffic runs
/// on the gateway's own worker threads.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Logs go to stderr; `PERFKIT_LOG` (a tracing filter) overrides `log.level`.
fn init_logging(log: &LogConfig) {
    let filter = std::env::var("PERFKIT_LOG").unwrap_or_else(|_| log.level.clone());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
