//! `perfkit demo`: the gateway in front of two sample upstreams, on loopback, with
//! traffic sent through it and the outcome printed; then background jobs, a load
//! test and `perfkit analyze` on a sample application (`project`).

mod project;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use perfkit_config::Config;
use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, SampleUpstream, Scripted};

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

const DEMO_TOKEN: &str = "demo-token";
const CATALOG_PATH: &str = "/catalog/products";

/// The response cache on the `/catalog` route: a miss, hits, a purge through the
/// admin API, and a stale answer served while the origin is asked again.
async fn show_caching(
    client: &Client,
    gateway: &Gateway,
    catalog: &SampleUpstream,
) -> anyhow::Result<()> {
    let url = format!("http://{}{CATALOG_PATH}", gateway.addr());
    println!(
        "\ncaching on /catalog (origin sends Cache-Control: max-age=2, stale-while-revalidate=30):"
    );
    let show = |what: &str, reply: &perfkit_testkit::Reply| {
        println!(
            "  {what:<22} {} X-Cache: {:<5} Cache-Status: {}",
            reply.status.as_u16(),
            reply.header("x-cache").unwrap_or("-"),
            reply.header("cache-status").unwrap_or("-"),
        );
    };
    let get = || async { client.get(&url).await.map_err(anyhow::Error::msg) };
    show("GET (first)", &get().await?);
    for _ in 0..3 {
        show("GET", &get().await?);
    }
    purge(client, gateway, "", format!("{{\"url\": \"{url}\"}}")).await?;
    show("GET (after purge)", &get().await?);
    // Freshness is counted in whole seconds: after 3 s the entry is stale.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    show("GET (3 s later)", &get().await?);
    println!(
        "  the origin answered {} of these requests",
        catalog.requests_for(CATALOG_PATH)
    );
    Ok(())
}

/// Purges through the admin API with `body` and prints the answer after `shown`.
async fn purge(
    client: &Client,
    gateway: &Gateway,
    shown: &str,
    body: String,
) -> anyhow::Result<()> {
    let purge = client
        .request(
            http::Method::POST,
            &format!("http://{}/admin/cache/purge", gateway.admin_addr()),
            &[("authorization", &format!("Bearer {DEMO_TOKEN}"))],
            body,
        )
        .await
        .map_err(anyhow::Error::msg)?;
    let shown = if shown.is_empty() {
        String::new()
    } else {
        format!("{shown} ")
    };
    println!(
        "  POST /admin/cache/purge {shown}{} {}",
        purge.status.as_u16(),
        purge.text().trim()
    );
    Ok(())
}

/// Route patterns, cache tags and headers for a CDN in front, on `/products/{id}`:
/// each product's entry is tagged `product:{id}`, and purging one tag drops that
/// product alone.
async fn show_tags_and_cdn(client: &Client, gateway: &Gateway) -> anyhow::Result<()> {
    println!(
        "
cache tags and CDN headers on /products/{{id}} (tags: [\"product:{{id}}\"], cdn: {{cdn_cache_control: max-age=600, surrogate_key: true}}):"
    );
    let get = |id: u32| async move {
        let reply = client
            .get(&format!("http://{}/products/{id}", gateway.addr()))
            .await
            .map_err(anyhow::Error::msg)?;
        println!(
            "  GET /products/{id:<13} {} X-Cache: {:<5} Surrogate-Key: {}  CDN-Cache-Control: {}",
            reply.status.as_u16(),
            reply.header("x-cache").unwrap_or("-"),
            reply.header("surrogate-key").unwrap_or("-"),
            reply.header("cdn-cache-control").unwrap_or("-"),
        );
        anyhow::Ok(())
    };
    for id in [1, 2, 1, 2] {
        get(id).await?;
    }
    let body = "{\"tag\": \"product:1\"}";
    purge(client, gateway, body, body.to_owned()).await?;
    for id in [1, 2] {
        get(id).await?;
    }
    Ok(())
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
    let catalog = SampleUpstream::builder("catalog")
        .path(
            CATALOG_PATH,
            Scripted::ok("{\"products\": [\"tea\", \"coffee\"]}\n")
                .header("cache-control", "max-age=2, stale-while-revalidate=30")
                .header("content-type", "application/json"),
        )
        .path(
            "/products/1",
            Scripted::ok("{\"name\": \"tea\"}\n").header("cache-control", "max-age=60"),
        )
        .path(
            "/products/2",
            Scripted::ok("{\"name\": \"coffee\"}\n").header("cache-control", "max-age=60"),
        )
        .spawn()
        .await
        .context("starting sample upstream")?;
    let yaml = format!(
        "server:\n  listen: {listen}\nadmin:\n  listen: 127.0.0.1:0\n  token: {DEMO_TOKEN}\n\
         upstreams:\n  app:\n    balance: least_connections\n    health_check: {{path: /health, interval: 1s}}\n\
         \x20   servers:\n      - address: {a}\n      - address: {b}\n\
         \x20 catalog:\n    servers:\n      - address: {c}\n\
         routes:\n  - name: app\n    path_prefix: /\n    upstream: app\n\
         \x20 - name: catalog\n    path_prefix: /catalog\n    upstream: catalog\n    cache: {{x_cache_header: true}}\n\
         \x20 - name: products\n    path: /products/{{id}}\n    upstream: catalog\n\
         \x20   cache:\n      x_cache_header: true\n      tags: [\"product:{{id}}\"]\n\
         \x20     cdn: {{cdn_cache_control: max-age=600, surrogate_key: true}}\n\
         rate_limits:\n  rules:\n    - name: demo-per-ip\n      match: {{path_prefix: /limited}}\n\
         \x20     limit: {{rate: {LIMITED_RATE}, period: 1m}}\n",
        a = fast.addr(),
        b = slow.addr(),
        c = catalog.addr(),
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

    show_caching(&client, &gateway, &catalog).await?;
    show_tags_and_cdn(&client, &gateway).await?;
    let limited = show_rate_limit(&client, &base).await?;
    jobs().await?;
    project::show_load_test(&base).await?;
    project::show_analyze()?;

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

/// Background jobs on an embedded SQLite queue in a temporary directory: some jobs
/// succeed, some fail once and are retried, one fails every attempt and is
/// dead-lettered with its error history.
async fn jobs() -> anyhow::Result<()> {
    use perfkit_queue::{
        now_ms, Backend, Backoff, HandlerError, Job, NewJob, SqliteBackend, Worker, WorkerOptions,
    };
    use std::sync::atomic::Ordering;

    let dir = std::env::temp_dir().join(format!("perfkit-demo-jobs-{}", std::process::id()));
    // Removed however the demo ends, errors included.
    let _remove = RemoveOnDrop(dir.clone());
    let backend = SqliteBackend::open(&dir.join("queues.db")).context("opening the demo queue")?;
    let quick = Backoff {
        base_ms: 20,
        max_ms: 100,
        jitter: 0.2,
    };
    let payloads = (0..16)
        .map(|i| format!("send-email-{i}"))
        .chain((0..3).map(|i| format!("flaky-render-{i}")))
        .chain(["charge-card".to_owned()]);
    let jobs: Vec<NewJob> = payloads
        .map(|p| NewJob::new("demo", p).max_attempts(3).backoff(quick))
        .collect();
    let total = jobs.len();
    backend.enqueue(jobs, now_ms()).await?;
    let handler = |job: Job| async move {
        let payload = String::from_utf8_lossy(&job.payload).into_owned();
        if payload.starts_with("flaky") && job.attempts == 1 {
            Err(HandlerError::Retry("renderer busy".into()))
        } else if payload == "charge-card" {
            Err(HandlerError::Retry("payment API answered 503".into()))
        } else {
            Ok(())
        }
    };
    let worker = Worker::new(backend.clone(), "demo", WorkerOptions::default(), handler);
    let report = worker.report();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));
    let limit = Instant::now() + Duration::from_secs(20);
    let stats = loop {
        let stats = backend.stats("demo", now_ms()).await?;
        if stats.completed + stats.dead == total as u64 || Instant::now() > limit {
            break stats;
        }
        backend.wait("demo", Duration::from_millis(50)).await;
    };
    let _ = stop.send(true);
    running.await.context("the demo worker panicked")?;
    println!(
        "\nbackground jobs (embedded SQLite queue in {}):",
        dir.display()
    );
    println!(
        "  enqueued {total}, completed {}, retried {}, dead-lettered {}",
        stats.completed,
        report.retried.load(Ordering::Relaxed),
        stats.dead
    );
    for job in backend.dead_list("demo", 10).await? {
        let errors: Vec<&str> = job.errors.iter().map(|e| e.message.as_str()).collect();
        println!(
            "  dead letter: job {} `{}` after {} attempts: {errors:?}",
            job.id,
            String::from_utf8_lossy(&job.payload),
            job.attempts
        );
    }
    anyhow::ensure!(
        stats.completed == total as u64 - 1 && stats.dead == 1,
        "the jobs demo did not finish as expected: {stats:?}"
    );
    Ok(())
}

/// Removes a directory when dropped.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
