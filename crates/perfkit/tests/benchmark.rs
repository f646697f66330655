//! `perfkit benchmark` end to end: runs against sample upstreams and a gateway, writes
//! baselines and reports, compares, and exits with its documented codes.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use perfkit_config::Config;
use perfkit_gateway::Gateway;
use perfkit_testkit::SampleUpstream;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn upstream(runtime: &tokio::runtime::Runtime, latency_ms: u64) -> SampleUpstream {
    runtime
        .block_on(
            SampleUpstream::builder("bench")
                .latency(Duration::from_millis(latency_ms))
                .spawn(),
        )
        .unwrap()
}

fn benchmark(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perfkit"))
        .arg("benchmark")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("perfkit runs")
}

fn scenario_file(dir: &Path, target: &str, thresholds: &str) {
    let text = format!(
        "scenarios:\n  api:\n    target: {target}\n    duration: 1500ms\n    warmup: 100ms\n\
         \x20   sample_interval: 100ms\n    threads: 2\n\
         \x20   load: {{model: closed, connections: 4}}\n\
         \x20   endpoints:\n      - {{name: items, path: /items}}\n\
         \x20     - {{name: create, method: POST, path: /items, body: '{{}}', weight: 1}}\n\
         \x20   thresholds: [{thresholds}]\n"
    );
    std::fs::write(dir.join("benchmarks.yml"), text).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn runs_store_baselines_write_reports_and_compare() {
    let rt = runtime();
    let server = upstream(&rt, 10);
    let dir = tempfile::tempdir().unwrap();
    scenario_file(
        dir.path(),
        &format!("http://{}", server.addr()),
        "error_rate < 1%",
    );

    let first = benchmark(dir.path(), &["-f", "benchmarks.yml"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(
        !text(&first.stderr).contains("req/s"),
        "no live progress line when stderr is not a terminal"
    );
    let stdout = text(&first.stdout);
    assert!(
        stdout.contains("api: ") && stdout.contains("threshold pass `error_rate < 1%`"),
        "{stdout}"
    );
    let baselines = dir
        .path()
        .join(".perfkit/memory/performance-baselines.json");
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baselines).unwrap()).unwrap();
    let run = &stored["runs"][0];
    assert_eq!(run["result"]["scenario"], "api");
    assert!(run["machine"]["cpus"].as_u64().unwrap() >= 1);
    assert_eq!(
        run["result"]["endpoints"][0]["series"]
            .as_array()
            .unwrap()
            .len(),
        15
    );
    let reports: Vec<String> = std::fs::read_dir(dir.path().join(".perfkit/reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(reports
        .iter()
        .any(|r| r.starts_with("benchmark-") && r.ends_with(".md")));
    assert!(reports
        .iter()
        .any(|r| r.starts_with("benchmark-") && r.ends_with(".html")));
    let first_markdown = reports.iter().find(|r| r.ends_with(".md")).unwrap();
    let first_report =
        std::fs::read_to_string(dir.path().join(".perfkit/reports").join(first_markdown)).unwrap();

    let second = benchmark(
        dir.path(),
        &["-f", "benchmarks.yml", "api", "--compare", "--json"],
    );
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    let json: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    let scenario = &json["scenarios"][0];
    assert_eq!(scenario["baseline_recorded_at"], run["recorded_at"]);
    let comparison = scenario["comparison"].as_array().unwrap();
    assert_eq!(comparison.len(), 2, "both endpoints compared");
    assert!(scenario["result"]["totals"]["requests"].as_u64().unwrap() > 50);
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baselines).unwrap()).unwrap();
    assert_eq!(stored["runs"].as_array().unwrap().len(), 2);
    // The day's second run gets its own reports (`-2`); the first ones are kept as they were.
    let report_dir = dir.path().join(".perfkit/reports");
    assert_eq!(std::fs::read_dir(&report_dir).unwrap().count(), 4);
    assert_eq!(
        std::fs::read_to_string(report_dir.join(first_markdown)).unwrap(),
        first_report
    );
    let written: Vec<String> = serde_json::from_value(json["reports"].clone()).unwrap();
    assert!(
        written[0].ends_with("-2.md") && written[1].ends_with("-2.html"),
        "{written:?}"
    );
}

#[test]
fn a_slower_server_fails_with_4_under_fail_on_regression() {
    let rt = runtime();
    // Three times slower: far outside the noise of a busy machine.
    let fast = upstream(&rt, 20);
    let slow = upstream(&rt, 60);
    let dir = tempfile::tempdir().unwrap();
    scenario_file(
        dir.path(),
        &format!("http://{}", fast.addr()),
        "error_rate < 1%",
    );

    let first = benchmark(dir.path(), &["-f", "benchmarks.yml"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let target = format!("http://{}", slow.addr());
    let second = benchmark(
        dir.path(),
        &[
            "-f",
            "benchmarks.yml",
            "--target",
            &target,
            "--fail-on-regression",
        ],
    );
    let stderr = text(&second.stderr);
    let stdout = text(&second.stdout);
    assert_eq!(second.status.code(), Some(4), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("performance regressed: api/items"),
        "{stderr}"
    );
    assert!(text(&second.stdout).contains("items regressed"));
}

#[test]
fn a_failed_threshold_exits_3_and_a_bad_file_exits_2() {
    let rt = runtime();
    let server = upstream(&rt, 5);
    let dir = tempfile::tempdir().unwrap();
    scenario_file(
        dir.path(),
        &format!("http://{}", server.addr()),
        "p50 < 1ms",
    );
    let output = benchmark(dir.path(), &["-f", "benchmarks.yml", "--no-save"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("thresholds failed: api: `p50 < 1ms`"),
        "{stderr}"
    );
    assert!(
        !dir.path().join(".perfkit/memory").exists(),
        "--no-save stores nothing"
    );

    std::fs::write(
        dir.path().join("bad.yml"),
        "scenarios:\n  api:\n    target: http://127.0.0.1:1\n    duration: 1s\n    conections: 3\n",
    )
    .unwrap();
    let output = benchmark(dir.path(), &["-f", "bad.yml"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.yml:5:5: scenarios.api: unknown field `conections`"),
        "{stderr}"
    );

    let output = benchmark(dir.path(), &["-f", "benchmarks.yml", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no scenario named `nope` (defined: api)"));
}

/// Starts a gateway with one route `app` (plus `route_extra` lines) in front of
/// `server`, runs `benchmark --cache --warm-passes 1` through it, and returns the
/// exit-checked stdout and the admin address.
fn cache_benchmark(
    rt: &tokio::runtime::Runtime,
    server: &SampleUpstream,
    route_extra: &str,
    extra_args: &[&str],
) -> (String, String) {
    let yaml = format!(
        "server:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n\
         upstreams:\n  app:\n    servers:\n      - address: {}\n\
         routes:\n  - name: app\n    path_prefix: /\n    upstream: app\n{route_extra}",
        server.addr()
    );
    let config = Config::parse_with_env("gw.yml".as_ref(), &yaml, Vec::new()).unwrap();
    let gateway = rt.block_on(Gateway::start(config, None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    scenario_file(
        dir.path(),
        &format!("http://{}", gateway.addr()),
        "error_rate < 1%",
    );
    let admin = gateway.admin_addr().to_string();
    let output = benchmark(
        dir.path(),
        &[
            "-f",
            "benchmarks.yml",
            "--cache",
            "--warm-passes",
            "1",
            "--admin",
            &admin,
            "--no-save",
        ]
        .iter()
        .chain(extra_args)
        .copied()
        .collect::<Vec<_>>(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    rt.block_on(gateway.shutdown());
    (text(&output.stdout), admin)
}

#[test]
fn cache_mode_runs_cold_and_warm_passes_through_the_gateway() {
    let rt = runtime();
    let server = upstream(&rt, 1);
    let (stdout, admin) = cache_benchmark(&rt, &server, "", &[]);
    assert!(
        stdout.contains("  cold ") && stdout.contains("  warm 1 "),
        "{stdout}"
    );
    // This gateway has no response cache: the hit rate is reported as unavailable.
    assert!(
        stdout.contains(&format!(
            "cache hit rate: unavailable (the gateway at {admin} exports no cache hit/miss counters"
        )),
        "{stdout}"
    );
    // Nor any Cache-Status: no endpoint has a hit rate of its own.
    assert!(
        stdout.contains("Cache-Status hit rate: items -, create -"),
        "{stdout}"
    );
}

#[test]
fn cache_mode_reads_the_hit_rate_of_a_caching_route() {
    let rt = runtime();
    let server = rt
        .block_on(
            SampleUpstream::builder("cacheable")
                .header("cache-control", "public, max-age=60")
                .spawn(),
        )
        .unwrap();
    let (stdout, _) = cache_benchmark(&rt, &server, "    cache: {}\n", &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let scenario = &json["scenarios"][0];
    // The gateway's perfkit_cache_requests_total{route="app",result="hit"|"miss"}.
    let route = &scenario["cache"]["hit_rate"]["Ok"][0];
    assert_eq!(route[0], "app", "{stdout}");
    let rate = route[1].as_f64().unwrap();
    assert!(rate > 0.0 && rate < 1.0, "{stdout}");
    // Per endpoint from Cache-Status: every GET is a hit or a miss; the POSTs
    // (`fwd=method`) are neither, so `create` has no hit rate.
    let endpoints = scenario["result"]["endpoints"].as_array().unwrap();
    let items = endpoints.iter().find(|e| e["name"] == "items").unwrap();
    let create = endpoints.iter().find(|e| e["name"] == "create").unwrap();
    let count = |e: &serde_json::Value, field: &str| e["totals"][field].as_u64().unwrap_or(0);
    assert!(count(items, "cache_hits") > 0, "{items}");
    assert_eq!(
        count(items, "cache_hits") + count(items, "cache_misses"),
        count(items, "requests"),
        "{items}"
    );
    assert!(count(create, "requests") > 0);
    assert_eq!(
        count(create, "cache_hits") + count(create, "cache_misses"),
        0
    );
    let warm = &scenario["cache"]["passes"][1];
    assert_eq!(warm["pass"], "warm 1");
    let rates = &warm["cache_status_hit_rate"];
    assert_eq!(rates[0][0], "items");
    assert!(rates[0][1].as_f64().unwrap() > 0.0, "{warm}");
    assert_eq!(rates[1], serde_json::json!(["create", null]));
}

/// A `databases:` entry `lite` on a SQLite file running `query`.
fn database_file(dir: &Path, query: &str) {
    std::fs::write(
        dir.join("benchmarks.yml"),
        format!(
            "databases:\n  lite:\n    url: sqlite:data/app.db\n\
             \x20   setup: ['CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)', \
             'INSERT OR IGNORE INTO t VALUES (1), (2), (3)']\n\
             \x20   queries: [\"{query}\"]\n\
             \x20   pool_sizes: [1, 2]\n    duration_per_step: 500ms\n"
        ),
    )
    .unwrap();
}

#[test]
fn database_mode_sweeps_pool_sizes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    database_file(dir.path(), "SELECT id FROM t WHERE id = 2");
    let output = benchmark(
        dir.path(),
        &["-f", "benchmarks.yml", "--database", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &json["databases"][0];
    assert_eq!(run["backend"], "sqlite");
    assert_eq!(run["steps"].as_array().unwrap().len(), 2);
    assert!(run["steps"][0]["qps"].as_f64().unwrap() > 0.0);
    assert_eq!(run["steps"][0]["series"].as_array().unwrap().len(), 10);
    assert!([1, 2].contains(&run["knee"].as_u64().unwrap()));
    let written: Vec<String> = serde_json::from_value(json["reports"].clone()).unwrap();
    let report = std::fs::read_to_string(dir.path().join(&written[0])).unwrap();
    assert!(report.contains("Recommended pool size: **"), "{report}");
    let html = std::fs::read_to_string(dir.path().join(&written[1])).unwrap();
    assert_eq!(html.matches("<svg").count(), 2, "{html}");
    let baselines = dir
        .path()
        .join(".perfkit/memory/performance-baselines.json");
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baselines).unwrap()).unwrap();
    assert_eq!(stored["databases"][0]["run"]["name"], "lite");

    // The same entry, now with a query thousands of times slower: a regression per pool.
    database_file(
        dir.path(),
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000) \
         SELECT count(*) FROM c",
    );
    let output = benchmark(
        dir.path(),
        &["-f", "benchmarks.yml", "--database", "--fail-on-regression"],
    );
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(4), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("performance regressed: lite/pool 1, lite/pool 2"),
        "{stderr}"
    );
    assert!(stdout.contains("pool 1 regressed"), "{stdout}");
    let reports: Vec<String> = std::fs::read_dir(dir.path().join(".perfkit/reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        reports.len(),
        4,
        "the second sweep has its own reports: {reports:?}"
    );
    let second = reports
        .iter()
        .find(|r| r.ends_with("-2.md"))
        .unwrap_or_else(|| panic!("{reports:?}"));
    let report = std::fs::read_to_string(dir.path().join(".perfkit/reports").join(second)).unwrap();
    assert!(report.contains("- pool 1: **regressed**"), "{report}");
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baselines).unwrap()).unwrap();
    assert_eq!(stored["databases"].as_array().unwrap().len(), 2);

    // Only HTTP scenarios in the file: --database says so.
    scenario_file(dir.path(), "http://127.0.0.1:1", "error_rate < 1%");
    let output = benchmark(dir.path(), &["-f", "benchmarks.yml", "--database"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("has no `databases:` entries"));
}
