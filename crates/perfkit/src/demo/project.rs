//! The demo's project commands: a short load test of the demo gateway (what
//! `perfkit benchmark` runs from a scenario file) and `perfkit analyze` on a small
//! sample application shipped inside the binary.

use std::path::Path;

use anyhow::Context;
use perfkit_analyze::{Options, RuleId};
use perfkit_bench::ScenarioFile;

/// How long the load test runs on each route.
const LOAD_SECONDS: u32 = 1;

/// The sample application: (path under the project root, text). Each of the six
/// rules has one classic instance in it, and the routes are Django, FastAPI and
/// Express ones.
const SAMPLE_APP: &[(&str, &str)] = &[
    ("shop/views.py", include_str!("app/shop/views.py")),
    ("shop/urls.py", include_str!("app/shop/urls.py")),
    ("shop/exports.py", include_str!("app/shop/exports.py")),
    ("api/rates.py", include_str!("app/api/rates.py")),
    ("api/report.js", include_str!("app/api/report.js")),
];

/// Closed-loop load on a cached route, then on a proxied one, through the gateway at
/// `base`, with the figures `perfkit benchmark` reports.
pub(super) async fn show_load_test(base: &str) -> anyhow::Result<()> {
    println!(
        "\nload test (what `perfkit benchmark` runs from a scenario file): 8 connections, closed loop, {} s per route",
        LOAD_SECONDS
    );
    if cfg!(debug_assertions) {
        println!(
            "  (a debug build: a release build, `cargo build --release`, is several times faster)"
        );
    }
    let mut hits = 0;
    for (name, path) in [("cached", "/products/2"), ("proxied", "/hello")] {
        let text = format!(
            "scenarios:\n  {name}:\n    target: {base}\n    threads: 1\n    duration: {LOAD_SECONDS}s\n\
             \x20   warmup: 100ms\n    load: {{model: closed, connections: 8}}\n\
             \x20   endpoints: [{{name: {name}, path: {path}}}]\n"
        );
        let file = Path::new("demo-benchmark.yml");
        let scenario = ScenarioFile::parse(file, &text)?.get(file, name)?.clone();
        let result =
            tokio::task::spawn_blocking(move || perfkit_bench::run(name, &scenario, &mut |_| {}))
                .await
                .context("the demo load test panicked")??;
        let totals = &result.totals;
        let ms = |micros: u64| micros as f64 / 1000.0;
        println!(
            "  {name:<8} GET {path:<12} {:>8.0} req/s  p50 {:.2} ms  p99 {:.2} ms  errors {}  cache hits {}",
            totals.rps,
            ms(totals.latency.p50),
            ms(totals.latency.p99),
            totals.errors,
            totals.cache_hits,
        );
        anyhow::ensure!(
            totals.errors == 0,
            "the demo load test saw {} errors on {path}",
            totals.errors
        );
        hits += totals.cache_hits;
    }
    anyhow::ensure!(
        hits > 0,
        "the demo load test's cached route answered no hit"
    );
    Ok(())
}

/// `perfkit analyze` on the sample application, written to a temporary directory:
/// its routes and its findings, one line each.
pub(super) fn show_analyze() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("perfkit-demo-app-{}", std::process::id()));
    let _remove = super::RemoveOnDrop(dir.clone());
    for (path, text) in SAMPLE_APP {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    println!(
        "\nperfkit analyze on a sample app ({} files: Django, FastAPI, Express) in {}:",
        SAMPLE_APP.len(),
        dir.display()
    );
    let routes = perfkit_analyze::discover_routes(&dir, &[])?;
    for line in perfkit_analyze::routes_table(&routes).lines() {
        println!("  {line}");
    }
    let analysis = perfkit_analyze::analyze(&dir, &Options::default(), &|_| {})?;
    println!();
    for line in perfkit_analyze::report::summary(&analysis).lines() {
        println!("  {line}");
    }
    let missing: Vec<&str> = RuleId::ALL
        .iter()
        .filter(|rule| !analysis.findings.iter().any(|f| f.rule == **rule))
        .map(|rule| rule.as_str())
        .collect();
    anyhow::ensure!(
        missing.is_empty(),
        "the sample app's {} went unreported",
        missing.join(", ")
    );
    Ok(())
}
