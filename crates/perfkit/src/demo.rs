//! `perfkit demo`: the gateway in front of two sample upstreams, on loopback, with
//! traffic sent through it and the outcome printed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use perfkit_config::Config;
use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, SampleUpstream};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Requests to send through the gateway.
    #[arg(long, default_value_t = 200)]
    requests: u32,
    /// Gateway address [default: 127.0.0.1:8080, or a free port if that is taken].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Keep serving after the demo traffic, until Ctrl-C.
    #[arg(long)]
    serve: bool,
}

/// The preferred demo address when it is free, else any free loopback port.
fn demo_address() -> SocketAddr {
    let preferred = SocketAddr::from(([127, 0, 0, 1], 8080));
    match std::net::TcpListener::bind(preferred) {
        Ok(_) => preferred,
        Err(_) => {
            println!("perfkit demo: 127.0.0.1:8080 is in use; using a free port instead");
            SocketAddr::from(([127, 0, 0, 1], 0))
        }
    }
}

/// Requests per minute one client may make under `/limited` in the demo.
const LIMITED_RATE: u32 = 3;

/// Sends a few more requests than the demo's rate limit allows and prints what the
/// client is told; whether some were rejected.
async fn show_rate_limit(client: &Client, base: &str) -> anyhow::Result<bool> {
    println!(
        "\nrate limit `demo-per-ip` ({LIMITED_RATE} per minute per client IP) on {base}/limited:"
    );
    let mut rejected = false;
    for i in 0..LIMITED_RATE + 2 {
        let reply = client
            .get(&format!("{base}/limited/{i}"))
            .await
            .map_err(anyhow::Error::msg)?;
        let header = |name| reply.header(name).unwrap_or("-");
        print!(
            "  {} RateLimit-Policy: {}  RateLimit: {}",
            reply.status.as_u16(),
            header("ratelimit-policy"),
            header("ratelimit")
        );
        if reply.status == 429 {
            rejected = true;
            print!("  Retry-After: {}", header("retry-after"));
        }
        println!();
    }
    Ok(rejected)
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let listen = args.listen.unwrap_or_else(demo_address);
    let fast = SampleUpstream::start_named("app-1")
        .await
        .context("starting sample upstream")?;
    let slow = SampleUpstream::builder("app-2")
        .latency(Duration::from_millis(2))
        .spawn()
        .await
        .context("starting sample upstream")?;
    let yaml = format!(
        "server:\n  listen: {listen}\nadmin:\n  listen: 127.0.0.1:0\n  token: demo-token\n\
         upstreams:\n  app:\n    balance: least_connections\n    health_check: {{path: /health, interval: 1s}}\n\
         \x20   servers:\n      - address: {a}\n      - address: {b}\n\
         routes:\n  - name: app\n    path_prefix: /\n    upstream: app\n\
         rate_limits:\n  rules:\n    - name: demo-per-ip\n      match: {{path_prefix: /limited}}\n\
         \x20     limit: {{rate: {LIMITED_RATE}, period: 1m}}\n",
        a = fast.addr(),
        b = slow.addr(),
    );
    let config = Config::parse_with_env("demo.yml".as_ref(), &yaml, Vec::new())?;
    let gateway = Gateway::start(config, None).await.with_context(|| {
        format!(
            "starting the gateway on {listen} (choose another address with --listen 127.0.0.1:0)"
        )
    })?;
    let base = format!("http://{}", gateway.addr());
    println!(
        "perfkit demo: gateway on {base}, admin on http://{}",
        gateway.admin_addr()
    );
    println!(
        "  upstream app-1 at {} (fast), app-2 at {} (+2 ms)",
        fast.addr(),
        slow.addr()
    );
    println!("  balance: least_connections, active health checks every 1s\n");

    let client = Client::http1();
    let started = Instant::now();
    let mut by_upstream: BTreeMap<String, u32> = BTreeMap::new();
    let mut statuses: BTreeMap<u16, u32> = BTreeMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    let concurrency = 8;
    for worker in 0..concurrency {
        let (client, base) = (client.clone(), base.clone());
        let share = args.requests / concurrency + u32::from(worker < args.requests % concurrency);
        tasks.spawn(async move {
            let mut seen = Vec::new();
            for i in 0..share {
                let url = format!("{base}/demo/{worker}/{i}");
                seen.push(client.get(&url).await.map(|r| {
                    (
                        r.status.as_u16(),
                        r.header("x-upstream").unwrap_or("-").to_owned(),
                    )
                }));
            }
            seen
        });
    }
    let mut failures = 0;
    while let Some(done) = tasks.join_next().await {
        for result in done.context("demo client task")? {
            match result {
                Ok((status, upstream)) => {
                    *statuses.entry(status).or_default() += 1;
                    *by_upstream.entry(upstream).or_default() += 1;
                }
                Err(_) => failures += 1,
            }
        }
    }
    let elapsed = started.elapsed();
    println!(
        "sent {} requests with {concurrency} concurrent clients in {:.0} ms",
        args.requests,
        elapsed.as_secs_f64() * 1000.0
    );
    println!("  statuses: {statuses:?}, transport failures: {failures}");
    for (upstream, count) in &by_upstream {
        println!("  {upstream}: {count} requests");
    }

    let metrics = client
        .get(&format!("http://{}/metrics", gateway.admin_addr()))
        .await
        .map_err(anyhow::Error::msg)?;
    println!("\nfrom /metrics:");
    for line in metrics.text().lines().filter(|l| {
        l.starts_with("perfkit_request_duration_seconds_count")
            || l.starts_with("perfkit_upstream_peer_healthy{")
    }) {
        println!("  {line}");
    }

    let limited = show_rate_limit(&client, &base).await?;

    if args.serve {
        println!("\nserving on {base} until Ctrl-C (try: curl -i {base}/hello)");
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
    }
    gateway.shutdown().await;
    anyhow::ensure!(
        failures == 0 && statuses.keys().all(|s| *s == 200),
        "the demo saw failed requests"
    );
    anyhow::ensure!(limited, "the demo's rate limit rejected nothing");
    Ok(())
}
