//! The cache commands end to end against real `perfkit serve` processes (and a real
//! Redis): `perfkit cache-hit-rate`, `perfkit cache warm` and warming on start.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use perfkit_testkit::{free_port, Client, RedisServer, Reply, SampleUpstream, Scripted};
use support::Served;

mod support;

const TOKEN: &str = "cache-tools-token";

/// Starts `perfkit serve` with one caching route `app` in front of `upstream` and
/// `cache` as the body of its `cache:` section; returns once it listens (and, with
/// Redis configured, once the gateway reports L2 up).
async fn serve(upstream: &SampleUpstream, cache: &str) -> Served {
    let indented: String = cache.lines().map(|l| format!("  {l}\n")).collect();
    let served = Served::start(|port, admin_port| {
        format!(
            "server:\n  listen: 127.0.0.1:{port}\nadmin:\n  listen: 127.0.0.1:{admin_port}\n  token: {TOKEN}\n\
             upstreams:\n  app:\n    servers:\n      - address: {}\n\
             routes:\n  - name: app\n    path_prefix: /\n    upstream: app\n    cache: {{}}\n\
             cache:\n  max_memory: 1MiB\n  max_object_size: 64KiB\n{indented}",
            upstream.addr()
        )
    })
    .await;
    if cache.contains("redis:") {
        // Connecting to Redis logs nothing: the admin API's stats are the only view
        // of it, so they are asked until they say L2 is up.
        let deadline = Instant::now() + Duration::from_secs(30);
        while stats(&served)
            .await
            .is_none_or(|stats| stats["cache"]["l2"] != "up")
        {
            assert!(Instant::now() < deadline, "L2 never came up");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    served
}

async fn stats(served: &Served) -> Option<serde_json::Value> {
    served.admin_json("/admin/cache/stats", TOKEN).await
}

/// `GET path` with `Host: app.test`, so every gateway builds the same key.
async fn get(served: &Served, path: &str) -> Reply {
    Client::http1()
        .request(
            http::Method::GET,
            &served.url(path),
            &[("host", "app.test")],
            "",
        )
        .await
        .unwrap()
}

/// `GET page` through `served`, which must answer it from its cache.
async fn get_hit(served: &Served, page: &str) {
    let reply = get(served, page).await;
    assert!(
        reply
            .header("cache-status")
            .is_some_and(|s| s.starts_with("perfkit; hit")),
        "{page}: {:?}",
        reply.headers
    );
}

fn perfkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perfkit"))
        .args(args)
        .env_remove("PERFKIT_ADMIN_TOKEN")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn cacheable_upstream() -> SampleUpstream {
    SampleUpstream::builder("origin")
        .header("cache-control", "public, max-age=60")
        .spawn()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_hit_rate_reports_routes_layers_and_redis_info_from_two_gateways() {
    let redis = RedisServer::start().unwrap();
    let upstream = cacheable_upstream().await;
    let redis_block = format!("redis:\n  url: {}\n  namespace: hitrate", redis.url());
    let one = serve(&upstream, &redis_block).await;
    let two = serve(&upstream, &redis_block).await;

    // Stored through one (a miss, then an L1 hit); through two, an L2 hit then L1.
    let first = get(&one, "/items").await;
    assert!(
        first
            .header("cache-status")
            .is_some_and(|s| s.contains("stored")),
        "{:?}",
        first.headers
    );
    get(&one, "/items").await;
    let from_redis = get(&two, "/items").await;
    assert!(
        from_redis
            .header("cache-status")
            .is_some_and(|s| s.contains("hit") && s.contains("detail=l2")),
        "{:?}",
        from_redis.headers
    );
    get(&two, "/items").await;
    get(&two, "/other").await;
    assert_eq!(
        upstream.requests(),
        2,
        "only the two misses reached the origin"
    );

    let output = perfkit(&["cache-hit-rate", "-c", two.config(), "--json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let app = &report["routes"][0];
    assert_eq!(app["route"], "app", "{report}");
    assert_eq!(app["lookups"], 3, "{report}");
    assert_eq!(app["hits_l1"], 1, "{report}");
    assert_eq!(app["hits_l2"], 1, "{report}");
    assert_eq!(app["misses"], 1, "{report}");
    assert_eq!(app["stored"], 1, "{report}");
    assert_eq!(report["l2"], "up");
    let redis_figures = &report["redis"];
    assert!(
        redis_figures["keyspace_hits"].as_u64().unwrap() >= 1,
        "{report}"
    );
    assert!(
        redis_figures["databases"]["db0"][0].as_u64().unwrap() >= 2,
        "the stored entries are keys in db0: {report}"
    );

    // The table, from the first gateway: 1 miss and 1 L1 hit of 2 lookups.
    let output = perfkit(&["cache-hit-rate", "-c", one.config()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    let row = table
        .lines()
        .find(|l| l.starts_with("app "))
        .unwrap_or_else(|| panic!("no row for route app:\n{table}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[1..5], ["2", "50.0%", "50.0%", "0.0%"], "{table}");
    assert!(
        table.contains(&format!("redis {}", redis.url())) && table.contains("keyspace hits"),
        "{table}"
    );
    assert!(table.contains("memory (L1): "), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_hit_rate_without_redis_and_with_a_wrong_token() {
    let upstream = cacheable_upstream().await;
    let served = serve(&upstream, "").await;
    get(&served, "/a").await;
    get(&served, "/a").await;
    let admin = format!("127.0.0.1:{}", served.admin_port);

    // Flags alone, no config file: the gateway reports no Redis, so none is read.
    let output = perfkit(&[
        "cache-hit-rate",
        "-c",
        "/nonexistent/perfkit.yml",
        "--admin",
        &admin,
        "--token",
        TOKEN,
        "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["routes"][0]["hit_rate"], 0.5, "{report}");
    assert_eq!(report["l2"], "disabled");
    assert!(report["redis"].is_null() && report["redis_error"].is_null());

    let output = perfkit(&[
        "cache-hit-rate",
        "--admin",
        &admin,
        "--token",
        "wrong",
        "-c",
        "/nonexistent/perfkit.yml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("refused the token (401)"),
        "{}",
        text(&output.stderr)
    );

    // A Redis that is not there: the gateway's figures still print, Redis says why not.
    let output = perfkit(&[
        "cache-hit-rate",
        "-c",
        served.config(),
        "--redis",
        &format!("redis://127.0.0.1:{}", free_port()),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("redis: unavailable (cannot connect to Redis"),
        "{}",
        text(&output.stdout)
    );
}

/// An origin for warming: `/p1`..`/p4` cacheable (`/p4` streamed without a length),
/// `/private` not storable, `/missing` a 404, and a sitemap index `/sitemaps.xml`
/// pointing at `/sitemap-pages.xml` (which lists `/p3` and `/p4`).
async fn warm_origin() -> SampleUpstream {
    let page = |body: &str| Scripted::ok(body.to_owned()).header("cache-control", "max-age=300");
    let index = r#"<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>http://app.test/sitemap-pages.xml</loc></sitemap>
</sitemapindex>"#;
    let pages = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://app.test/p3</loc></url>
  <url><loc>http://app.test/p4</loc></url>
</urlset>"#;
    SampleUpstream::builder("origin")
        .path("/p1", page("one"))
        .path("/p2", page("two"))
        .path("/p3", page("three"))
        .path("/p4", page("four").chunked())
        .path(
            "/private",
            Scripted::ok("mine").header("cache-control", "private"),
        )
        .path("/missing", Scripted::ok("gone").status(404))
        .path("/sitemaps.xml", Scripted::ok(index))
        .path("/sitemap-pages.xml", Scripted::ok(pages))
        .spawn()
        .await
        .unwrap()
}

fn warm(served: &Served, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut all = vec!["cache", "warm", "-c", served.config(), "--json"];
    all.extend_from_slice(args);
    let output = perfkit(&all);
    let summary = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("no JSON summary: {}", text(&output.stderr)));
    (output.status.code(), summary, text(&output.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_warm_stores_urls_from_a_list_and_a_sitemap_index_then_they_hit() {
    let origin = warm_origin().await;
    let served = serve(&origin, "").await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(
        &list,
        "# pages to warm\nhttp://app.test/p1\nhttp://app.test/p2\n\nhttp://app.test/private\nhttp://app.test/missing\n",
    )
    .unwrap();

    let (code, summary, stderr) = warm(
        &served,
        &[
            "--urls",
            list.to_str().unwrap(),
            "--sitemap",
            "http://app.test/sitemaps.xml",
            "--concurrency",
            "3",
        ],
    );
    assert_eq!(code, Some(1), "a failed URL makes the run fail: {stderr}");
    assert!(stderr.contains("1 of 6 URLs failed"), "{stderr}");
    assert!(
        !stderr.contains("warming"),
        "no progress bar outside a terminal: {stderr}"
    );
    assert_eq!(summary["urls"], 6, "{summary}");
    assert_eq!(summary["stored"], 4, "p1-p4, p4 streamed: {summary}");
    assert_eq!(summary["not_cacheable"], 1, "{summary}");
    assert_eq!(summary["errors"], 1, "{summary}");
    assert!(
        summary["error_messages"][0]
            .as_str()
            .unwrap()
            .starts_with("http://app.test/missing: status 404"),
        "{summary}"
    );
    let page_bytes = ["one", "two", "three", "four", "mine", "gone"]
        .iter()
        .map(|b| b.len())
        .sum::<usize>();
    assert_eq!(summary["bytes"], page_bytes, "{summary}");

    // Every warmed page is now a hit: the origin sees nothing more.
    for page in ["/p1", "/p2", "/p3", "/p4"] {
        let before = origin.requests_for(page);
        get_hit(&served, page).await;
        assert_eq!(origin.requests_for(page), before, "{page}");
    }

    // Warming again finds them cached.
    std::fs::write(&list, "http://app.test/p1\nhttp://app.test/p2\n").unwrap();
    let (code, summary, stderr) = warm(&served, &["--urls", list.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(summary["already_cached"], 2, "{summary}");
    assert_eq!(summary["stored"], 0, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_warm_reports_bad_input_clearly() {
    let origin = warm_origin().await;
    let served = serve(&origin, "").await;
    let dir = tempfile::tempdir().unwrap();
    let not_a_sitemap = dir.path().join("page.xml");
    std::fs::write(&not_a_sitemap, "<html><body/></html>").unwrap();
    let output = perfkit(&[
        "cache",
        "warm",
        "-c",
        served.config(),
        "--sitemap",
        not_a_sitemap.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("the root element is <html>, not <urlset> or <sitemapindex>"),
        "{}",
        text(&output.stderr)
    );
    let output = perfkit(&["cache", "warm", "-c", served.config()]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "clap: --urls or --sitemap is required"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_warms_its_cache_on_start_from_config() {
    let origin = warm_origin().await;
    let mut served = serve(
        &origin,
        "warm:\n  urls: [\"http://app.test/p1\"]\n  sitemap: http://app.test/sitemaps.xml\n  concurrency: 2",
    )
    .await;
    let done = served
        .wait_for_line(|l| l.contains("cache warm: done"))
        .await;
    assert!(
        done.contains("urls=3") && done.contains("stored=3"),
        "{done}"
    );
    for page in ["/p1", "/p3", "/p4"] {
        get_hit(&served, page).await;
        assert_eq!(origin.requests_for(page), 1, "{page}");
    }
}

/// `perfkit_cache_memory_bytes` from the gateway's `/metrics`.
async fn l1_bytes(served: &Served) -> u64 {
    let reply = Client::http1()
        .get(&served.admin_url("/metrics"))
        .await
        .unwrap();
    reply
        .text()
        .lines()
        .find_map(|l| l.strip_prefix("perfkit_cache_memory_bytes{layer=\"l1\"} "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .expect("perfkit_cache_memory_bytes in /metrics") as u64
}

/// Resident memory of a process, from /proc.
fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS in /proc/PID/status")
        * 1024
}

const MAX_MEMORY: u64 = 1 << 20;
const MAX_OBJECT: u64 = 64 << 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l1_memory_stays_under_max_memory_with_twenty_times_as_many_distinct_bytes() {
    let origin = cacheable_upstream().await;
    // Each answer echoes the request's headers: a 16 KiB header makes a ~16.5 KiB body.
    let served = serve(&origin, "").await;
    let pid = served.pid();
    let pad = "p".repeat(16 << 10);
    // Warm the process up (allocator arenas, connection pools) before the baseline.
    for i in 0..200 {
        get(&served, &format!("/warmup?i={i}")).await;
    }
    let rss_before = rss_bytes(pid);

    const KEYS: u64 = 1280; // ~20 MiB of bodies through a 1 MiB L1
    const TASKS: u64 = 8;
    let mut peak = 0;
    for round in 0..8 {
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let (url, pad) = (format!("http://127.0.0.1:{}", served.port), pad.clone());
            tasks.push(tokio::spawn(async move {
                let client = Client::http1();
                let per_task = KEYS / 8 / TASKS;
                for n in 0..per_task {
                    let key = (round * TASKS + task) * per_task + n;
                    let reply = client
                        .request(
                            http::Method::GET,
                            &format!("{url}/k?i={key}"),
                            &[("host", "app.test"), ("x-pad", &pad)],
                            "",
                        )
                        .await
                        .unwrap();
                    assert_eq!(reply.status, 200);
                    assert!(
                        reply
                            .header("cache-status")
                            .is_some_and(|s| s.contains("stored")),
                        "every distinct key is stored: {:?}",
                        reply.headers
                    );
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let bytes = l1_bytes(&served).await;
        peak = peak.max(bytes);
        // The weigher counts body, headers and per-entry overhead: the figure is the
        // L1's accounting, bounded by max_memory; one object may be in flight past it.
        assert!(
            bytes <= MAX_MEMORY + MAX_OBJECT,
            "L1 holds {bytes} bytes after round {round}, over {MAX_MEMORY} + {MAX_OBJECT}"
        );
    }
    assert!(
        peak >= MAX_MEMORY / 2,
        "the L1 was actually filled (peak {peak} bytes)"
    );
    let stats = stats(&served).await.unwrap();
    let stored = stats["stored"][0]["bytes"].as_u64().unwrap();
    assert!(stored >= 20 * MAX_MEMORY, "{stored} bytes stored in all");
    assert!(
        stats["cache"]["l1_evictions"].as_u64().unwrap() >= KEYS * 9 / 10,
        "{stats}"
    );
    // The process as a whole: its resident memory grew by far less than what went
    // through the cache (20 MiB). Stated overhead: 9 x max_memory for malloc's
    // arenas, buffers and the debug build (measured: under 3 x); BENCHMARKS.md
    // measures the release build.
    let grown = rss_bytes(pid).saturating_sub(rss_before);
    eprintln!(
        "RSS grew by {} KiB (max_memory {} KiB)",
        grown >> 10,
        MAX_MEMORY >> 10
    );
    assert!(
        grown < 10 * MAX_MEMORY,
        "RSS grew by {grown} bytes while pushing 20x max_memory of distinct keys"
    );
}
