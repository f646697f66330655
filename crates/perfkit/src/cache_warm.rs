//! `perfkit cache warm`: fetches URLs (from a list file or a sitemap) through a running
//! gateway so its cache stores them, with bounded concurrency, a progress bar on a
//! terminal, and a summary of what was stored. The engine is
//! `perfkit_gateway::warm`, which the gateway also runs for `cache.warm` on start.

use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use perfkit_config::Config;
use perfkit_gateway::warm::{parse_url_list, WarmSummary, Warmed, Warmer};

use crate::cache_hit_rate::bytes;

#[derive(Debug, clap::Subcommand)]
pub enum CacheCommand {
    /// Fetch URLs through the gateway so its cache stores them: from a list file (one
    /// URL or path a line) and/or a sitemap (indexes followed). Exit 1 if any URL failed.
    Warm(WarmArgs),
}

#[derive(Debug, clap::Args)]
pub struct WarmArgs {
    /// A file of URLs, one a line (`http://host/path`, whose host is sent as `Host`,
    /// or `/path`); blank lines and `#` comments are skipped.
    #[arg(long, value_name = "FILE", required_unless_present = "sitemap")]
    urls: Option<PathBuf>,
    /// A sitemap: an http(s) URL or `/path` fetched through the gateway, or a local
    /// file. Sitemap indexes are followed.
    #[arg(long, value_name = "URL|FILE")]
    sitemap: Option<String>,
    /// The gateway's proxy address (default: `server.listen` of the config).
    #[arg(long, value_name = "HOST:PORT")]
    gateway: Option<String>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,
    /// Longest wait for one URL's whole answer.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(command: CacheCommand, config_path: &Path) -> anyhow::Result<()> {
    match command {
        CacheCommand::Warm(args) => warm(args, config_path),
    }
}

fn warm(args: WarmArgs, config_path: &Path) -> anyhow::Result<()> {
    let gateway = match &args.gateway {
        Some(gateway) => gateway
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .with_context(|| format!("--gateway {gateway}: not a HOST:PORT address"))?,
        None => reachable(Config::load(config_path)?.server.listen),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let warmer = Warmer::new(gateway, args.timeout);
    let mut urls = Vec::new();
    if let Some(file) = &args.urls {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the URL list {}", file.display()))?;
        urls.extend(parse_url_list(&text));
    }
    if let Some(sitemap) = &args.sitemap {
        urls.extend(runtime.block_on(warmer.sitemap_urls(sitemap))?);
    }
    if urls.is_empty() {
        bail!("no URLs to warm: the list and sitemap given are empty");
    }
    let bar = progress_bar(urls.len() as u64);
    let started = Instant::now();
    let summary =
        runtime.block_on(
            warmer.warm(urls, usize::from(args.concurrency), |_, outcome| {
                if let Some(bar) = &bar {
                    bar.inc(1);
                    if outcome.warmed == Warmed::Error {
                        bar.set_message("(with errors)");
                    }
                }
            }),
        );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", render(&summary, gateway, started.elapsed()));
    }
    if summary.errors > 0 {
        bail!("{} of {} URLs failed", summary.errors, summary.urls);
    }
    Ok(())
}

/// A listen address a client can connect to: an unspecified IP becomes loopback.
fn reachable(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

/// A progress bar on stderr when it is a terminal; nothing in pipes and CI.
fn progress_bar(len: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "warming {bar:40} {pos}/{len} URLs ({per_sec}, eta {eta}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

fn render(summary: &WarmSummary, gateway: SocketAddr, elapsed: Duration) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "warmed {} URLs through {gateway} in {:.1}s",
        summary.urls,
        elapsed.as_secs_f64()
    );
    for (name, count) in [
        ("stored", summary.stored),
        ("already cached", summary.already_cached),
        ("not cacheable", summary.not_cacheable),
        ("errors", summary.errors),
    ] {
        let _ = writeln!(out, "  {name:<15} {count}");
    }
    let _ = writeln!(out, "  {:<15} {}", "bytes", bytes(summary.bytes));
    if !summary.error_messages.is_empty() {
        let _ = writeln!(out, "first errors:");
        for message in &summary.error_messages {
            let _ = writeln!(out, "  {message}");
        }
    }
    out
}
