//! `perfkit benchmark`: runs scenarios from `config/benchmarks.yml` with the
//! `perfkit-bench` engine, checks thresholds, compares with and appends to the stored
//! baselines, and writes the Markdown and HTML reports.
//!
//! Exit codes: 0 ok, 1 failure, 2 scenario file error, 3 a threshold failed,
//! 4 a regression was detected under `--fail-on-regression`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Context;
use perfkit_bench::baseline::{self, BaselineRecord, DatabaseRecord, Machine};
use perfkit_bench::compare::{
    compare, compare_databases, CompareSettings, EndpointComparison, Verdict,
};
use perfkit_bench::report::{self, DatabaseReport, ReportContext, ScenarioReport};
use perfkit_bench::{RunResult, Sample, ScenarioError, ScenarioFile, Target};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").args(["endpoints", "cache", "database"])))]
pub struct BenchmarkArgs {
    /// Benchmark the scenarios' HTTP endpoints (the default).
    #[arg(long)]
    endpoints: bool,
    /// Through a running perfkit gateway: one cold pass, then `--warm-passes` warm
    /// passes, with the cache hit rate read from the gateway's admin `/metrics`.
    #[arg(long)]
    cache: bool,
    /// Sweep connection-pool sizes for the file's `databases` (PostgreSQL, SQLite) and
    /// recommend the smallest pool reaching 95% of the peak queries/s.
    #[arg(long)]
    database: bool,
    /// Warm passes after the cold one (with `--cache`).
    #[arg(long, default_value_t = 2, requires = "cache")]
    warm_passes: u32,
    /// The gateway's admin listener, for `/metrics` (with `--cache`).
    #[arg(long, default_value = "127.0.0.1:9090", requires = "cache")]
    admin: String,
    /// Scenarios to run (default: every scenario in the file).
    scenarios: Vec<String>,
    /// Scenario file.
    #[arg(long = "file", short = 'f', default_value = perfkit_bench::DEFAULT_PATH)]
    file: PathBuf,
    /// Send the load here instead of each scenario's `target` (http://host:port or
    /// https://host:port).
    #[arg(long)]
    target: Option<String>,
    /// HTTPS: accept any server certificate (self-signed test servers); the traffic is
    /// still encrypted, but the server is not authenticated.
    #[arg(long)]
    insecure: bool,
    /// Print a JSON summary on stdout instead of the text one.
    #[arg(long)]
    json: bool,
    /// Compare each endpoint with the scenario's latest stored baseline.
    #[arg(long)]
    compare: bool,
    /// Exit with 4 when an endpoint regressed (implies --compare).
    #[arg(long)]
    fail_on_regression: bool,
    /// Smallest relative change that counts as a regression or improvement.
    #[arg(long, default_value = "10%", value_parser = parse_percent)]
    min_effect: f64,
    /// Do not append this run to the baselines.
    #[arg(long)]
    no_save: bool,
    /// Baselines file.
    #[arg(long, default_value = baseline::DEFAULT_PATH)]
    baselines: PathBuf,
    /// Directory for `benchmark-DATE.md` and `.html`.
    #[arg(long, default_value = ".perfkit/reports")]
    reports: PathBuf,
}

fn parse_percent(text: &str) -> Result<f64, String> {
    text.strip_suffix('%')
        .and_then(|n| n.parse::<f64>().ok())
        .filter(|n| (0.0..1000.0).contains(n))
        .map(|n| n / 100.0)
        .ok_or_else(|| format!("`{text}`: expected a percentage such as 10%"))
}

/// Outcomes that have their own exit code.
#[derive(Debug, thiserror::Error)]
pub enum Verdicts {
    #[error("thresholds failed: {0}")]
    Thresholds(String),
    #[error("performance regressed: {0}")]
    Regressed(String),
}

/// The exit code for errors this command defines, if `error` is one of them.
pub fn exit_code(error: &anyhow::Error) -> Option<ExitCode> {
    error.chain().find_map(|cause| {
        if cause.downcast_ref::<ScenarioError>().is_some() {
            Some(ExitCode::from(2))
        } else {
            match cause.downcast_ref::<Verdicts>() {
                Some(Verdicts::Thresholds(_)) => Some(ExitCode::from(3)),
                Some(Verdicts::Regressed(_)) => Some(ExitCode::from(4)),
                None => None,
            }
        }
    })
}

/// A scenario's run as reported: its passes (one, or cold + warm with `--cache`).
#[derive(Debug, serde::Serialize)]
struct ScenarioOutput {
    scenario: String,
    result: RunResult,
    baseline_recorded_at: Option<String>,
    comparison: Vec<EndpointComparison>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache: Option<CacheOutput>,
}

#[derive(Debug, serde::Serialize)]
struct CacheOutput {
    /// The cold pass first, then the warm ones.
    passes: Vec<PassSummary>,
    /// Hit rate by route from the gateway's `/metrics`, or why it is unavailable.
    hit_rate: Result<Vec<(String, f64)>, String>,
}

#[derive(Debug, serde::Serialize)]
struct PassSummary {
    pass: String,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    /// Per endpoint: hits / (hits + misses) by the responses' `Cache-Status`, `None`
    /// when no response was either (bypassed, uncacheable or unmarked).
    cache_status_hit_rate: Vec<(String, Option<f64>)>,
}

pub fn run(args: BenchmarkArgs) -> anyhow::Result<()> {
    let file = ScenarioFile::load(&args.file)?;
    if args.database {
        return run_databases(&args, &file);
    }
    let names: Vec<String> = if args.scenarios.is_empty() {
        file.scenarios.keys().cloned().collect()
    } else {
        args.scenarios.clone()
    };
    let target = args
        .target
        .as_deref()
        .map(Target::parse)
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("--target")?;
    let stored = baseline::load(&args.baselines)?;
    let compare_runs = args.compare || args.fail_on_regression;
    let settings = CompareSettings {
        min_effect: args.min_effect,
        ..CompareSettings::default()
    };
    let now = SystemTime::now();
    let (date, stamp) = baseline::utc_date_time(now);
    let git_commit = git_commit();
    let machine = Machine::current();

    let mut outputs = Vec::new();
    let mut reports = Vec::new();
    for name in &names {
        let mut scenario = file.get(&args.file, name)?.clone();
        if let Some(target) = &target {
            scenario.target = target.clone();
        }
        scenario.insecure |= args.insecure;
        let mut cache = None;
        let result = if args.cache {
            let mut passes = Vec::new();
            let mut last = None;
            for pass in 0..=args.warm_passes {
                let label = if pass == 0 {
                    "cold".to_owned()
                } else {
                    format!("warm {pass}")
                };
                let result = run_one(name, &scenario, &label)?;
                passes.push(PassSummary {
                    pass: label,
                    rps: result.totals.rps,
                    p50_ms: result.totals.latency.p50 as f64 / 1000.0,
                    p99_ms: result.totals.latency.p99 as f64 / 1000.0,
                    errors: result.totals.errors,
                    cache_status_hit_rate: (result.endpoints.iter())
                        .map(|e| (e.name.clone(), e.totals.cache_hit_rate()))
                        .collect(),
                });
                last = Some(result);
            }
            cache = Some(CacheOutput {
                passes,
                hit_rate: perfkit_bench::cache::hit_rate_by_route(&args.admin),
            });
            last.expect("at least the cold pass ran")
        } else {
            run_one(name, &scenario, "")?
        };
        let previous = compare_runs
            .then(|| baseline::latest(&stored, name))
            .flatten();
        let comparison = previous
            .map(|b| compare(&b.result, &result, settings))
            .unwrap_or_default();
        if compare_runs && previous.is_none() {
            eprintln!("{name}: no stored baseline to compare with; this run becomes the first");
        }
        reports.push(ScenarioReport {
            result: result.clone(),
            baseline: previous.map(|b| (b.recorded_at.clone(), b.result.clone())),
            comparison: comparison.clone(),
        });
        outputs.push(ScenarioOutput {
            scenario: name.clone(),
            baseline_recorded_at: previous.map(|b| b.recorded_at.clone()),
            result,
            comparison,
            cache,
        });
    }

    if !args.no_save {
        for output in &outputs {
            let totals = &output.result.totals;
            if totals.requests == 0 || totals.errors == totals.requests {
                eprintln!(
                    "{}: not stored as a baseline: no request succeeded",
                    output.scenario
                );
                continue;
            }
            baseline::append(
                &args.baselines,
                BaselineRecord {
                    recorded_at: stamp.clone(),
                    git_commit: git_commit.clone(),
                    machine: machine.clone(),
                    result: output.result.clone(),
                },
            )?;
        }
    }
    let context = ReportContext {
        generated_at: stamp,
        git_commit,
        machine: machine.describe(),
    };
    let (markdown_path, html_path) = claim_reports(&args.reports, &format!("benchmark-{date}"))?;
    write_file(&markdown_path, &report::markdown(&context, &reports))?;
    write_file(&html_path, &report::html(&context, &reports))?;

    print_outcome(
        &args,
        serde_json::json!({ "scenarios": outputs }),
        (&markdown_path, &html_path),
        || outputs.iter().for_each(print_summary),
    )?;

    let failed: Vec<String> = outputs
        .iter()
        .flat_map(|o| {
            o.result
                .thresholds
                .iter()
                .filter(|t| !t.passed)
                .map(move |t| {
                    format!(
                        "{}: `{}` (measured {:.2} {})",
                        o.scenario, t.threshold, t.actual, t.unit
                    )
                })
        })
        .collect();
    if !failed.is_empty() {
        return Err(Verdicts::Thresholds(failed.join("; ")).into());
    }
    fail_on_regression(
        &args,
        outputs
            .iter()
            .map(|o| (o.scenario.as_str(), &o.comparison[..])),
    )
}

/// Runs one scenario with a live progress line on a terminal (stderr), none otherwise.
fn run_one(
    name: &str,
    scenario: &perfkit_bench::Scenario,
    pass: &str,
) -> anyhow::Result<RunResult> {
    let live = std::io::stderr().is_terminal();
    let label = if pass.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({pass})")
    };
    let mut errors = 0;
    let mut progress = |sample: &Sample| {
        if live {
            errors += sample.errors;
            eprint!(
                "\r\x1b[2K{label}: {:>5.1}s  {:>9.0} req/s  p99 {:>8.2} ms  errors {errors}",
                sample.at + 1.0,
                sample.rps,
                sample.p99 as f64 / 1000.0,
            );
            let _ = std::io::stderr().flush();
        }
    };
    let result = perfkit_bench::run(name, scenario, &mut progress)
        .with_context(|| format!("running scenario {name}"))?;
    if live {
        eprintln!();
    }
    Ok(result)
}

fn print_summary(output: &ScenarioOutput) {
    let result = &output.result;
    let totals = &result.totals;
    let latency = &totals.latency;
    let ms = |micros: u64| micros as f64 / 1000.0;
    println!(
        "{}: {} requests in {:.1}s, {:.1} req/s, errors {} ({:.2}%)",
        output.scenario,
        totals.requests,
        result.measured_seconds,
        totals.rps,
        totals.errors,
        totals.error_rate * 100.0
    );
    println!(
        "  latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
        ms(latency.p50),
        ms(latency.p90),
        ms(latency.p99),
        ms(latency.p999),
        ms(latency.max)
    );
    if !totals.failures.is_empty() {
        let failures: Vec<String> = (totals.failures.iter())
            .map(|(kind, n)| format!("{kind} {n}"))
            .collect();
        println!("  transport failures: {}", failures.join(", "));
    }
    for endpoint in &result.endpoints {
        println!(
            "  {:<16} {:>8} req  {:>9.1} req/s  p50 {:>8.2}  p99 {:>8.2}  errors {}",
            endpoint.name,
            endpoint.totals.requests,
            endpoint.totals.rps,
            ms(endpoint.totals.latency.p50),
            ms(endpoint.totals.latency.p99),
            endpoint.totals.errors
        );
    }
    for outcome in &result.thresholds {
        println!(
            "  threshold {} `{}` (measured {:.2} {})",
            if outcome.passed { "pass" } else { "FAIL" },
            outcome.threshold,
            outcome.actual,
            outcome.unit
        );
    }
    for comparison in &output.comparison {
        println!(
            "  vs baseline {}: {} {}",
            output.baseline_recorded_at.as_deref().unwrap_or("-"),
            comparison.endpoint,
            comparison.verdict.label()
        );
    }
    if let Some(cache) = &output.cache {
        for pass in &cache.passes {
            let rates: Vec<String> = (pass.cache_status_hit_rate.iter())
                .map(|(endpoint, rate)| match rate {
                    Some(rate) => format!("{endpoint} {:.1}%", rate * 100.0),
                    None => format!("{endpoint} -"),
                })
                .collect();
            println!(
                "  {:<8} {:>9.1} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  errors {}  \
                 Cache-Status hit rate: {}",
                pass.pass,
                pass.rps,
                pass.p50_ms,
                pass.p99_ms,
                pass.errors,
                rates.join(", ")
            );
        }
        match &cache.hit_rate {
            Ok(routes) => {
                for (route, rate) in routes {
                    println!("  cache hit rate {route}: {:.1}%", rate * 100.0);
                }
            }
            Err(why) => println!("  cache hit rate: unavailable ({why})"),
        }
    }
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// The current commit, when run inside a git checkout.
fn git_commit() -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|c| !c.is_empty())
}

/// `report::claim_report_paths` with the error saying which directory.
fn claim_reports(dir: &Path, stem: &str) -> anyhow::Result<(PathBuf, PathBuf)> {
    report::claim_report_paths(dir, stem)
        .with_context(|| format!("creating a report in {}", dir.display()))
}

/// `--database`: each named (or every) entry of `databases`, one after the other;
/// compared with and appended to the stored sweeps like HTTP runs.
fn run_databases(args: &BenchmarkArgs, file: &ScenarioFile) -> anyhow::Result<()> {
    let names: Vec<String> = if args.scenarios.is_empty() {
        file.databases.keys().cloned().collect()
    } else {
        args.scenarios.clone()
    };
    anyhow::ensure!(
        !names.is_empty(),
        "{} has no `databases:` entries to benchmark; see config/benchmarks.yml for an example",
        args.file.display()
    );
    let stored = baseline::load_databases(&args.baselines)?;
    let compare_runs = args.compare || args.fail_on_regression;
    let settings = CompareSettings {
        min_effect: args.min_effect,
        ..CompareSettings::default()
    };
    let mut reports = Vec::new();
    for name in &names {
        let bench = file.get_database(&args.file, name)?;
        if std::io::stderr().is_terminal() {
            eprintln!(
                "{name}: sweeping pool sizes {:?}, {:?} each",
                bench.pool_sizes, bench.duration_per_step
            );
        }
        let run = perfkit_bench::database::run(name, bench)
            .with_context(|| format!("benchmarking database {name}"))?;
        let previous = compare_runs
            .then(|| baseline::latest_database(&stored, name))
            .flatten();
        if compare_runs && previous.is_none() {
            eprintln!("{name}: no stored baseline to compare with; this run becomes the first");
        }
        reports.push(DatabaseReport {
            comparison: previous
                .map(|b| compare_databases(&b.run, &run, settings))
                .unwrap_or_default(),
            baseline: previous.map(|b| (b.recorded_at.clone(), b.run.clone())),
            run,
        });
    }
    let (date, stamp) = baseline::utc_date_time(SystemTime::now());
    let machine = Machine::current();
    let git_commit = git_commit();
    if !args.no_save {
        for report in &reports {
            if report.run.knee.is_none() {
                eprintln!(
                    "{}: not stored as a baseline: no query succeeded",
                    report.run.name
                );
                continue;
            }
            baseline::append_database(
                &args.baselines,
                DatabaseRecord {
                    recorded_at: stamp.clone(),
                    git_commit: git_commit.clone(),
                    machine: machine.clone(),
                    run: report.run.clone(),
                },
            )?;
        }
    }
    let context = ReportContext {
        generated_at: stamp,
        git_commit,
        machine: machine.describe(),
    };
    let (markdown_path, html_path) =
        claim_reports(&args.reports, &format!("benchmark-database-{date}"))?;
    write_file(
        &markdown_path,
        &report::database_markdown(&context, &reports),
    )?;
    write_file(&html_path, &report::database_html(&context, &reports))?;
    let databases: Vec<DatabaseOutput> = (reports.iter())
        .map(|r| DatabaseOutput {
            run: &r.run,
            baseline_recorded_at: r.baseline.as_ref().map(|b| b.0.as_str()),
            comparison: &r.comparison,
        })
        .collect();
    print_outcome(
        args,
        serde_json::json!({ "databases": databases }),
        (&markdown_path, &html_path),
        || reports.iter().for_each(print_database),
    )?;
    fail_on_regression(
        args,
        reports
            .iter()
            .map(|r| (r.run.name.as_str(), &r.comparison[..])),
    )
}

/// Prints `json` plus the report paths under `--json`; otherwise `text()` and where
/// the reports and baselines went.
fn print_outcome(
    args: &BenchmarkArgs,
    mut json: serde_json::Value,
    (markdown, html): (&Path, &Path),
    text: impl FnOnce(),
) -> anyhow::Result<()> {
    if args.json {
        json["reports"] = serde_json::json!([markdown, html]);
        println!(
            "{}",
            serde_json::to_string_pretty(&json).context("encoding JSON")?
        );
    } else {
        text();
        println!("reports: {} and {}", markdown.display(), html.display());
        if !args.no_save {
            println!("baselines: appended to {}", args.baselines.display());
        }
    }
    Ok(())
}

/// Under `--fail-on-regression`, the `Regressed` verdict naming every `NAME/ENDPOINT`
/// that regressed.
fn fail_on_regression<'a>(
    args: &BenchmarkArgs,
    comparisons: impl Iterator<Item = (&'a str, &'a [EndpointComparison])>,
) -> anyhow::Result<()> {
    let regressed: Vec<String> = comparisons
        .flat_map(|(name, comparison)| {
            comparison
                .iter()
                .filter(|c| c.verdict == Verdict::Regressed)
                .map(move |c| format!("{name}/{}", c.endpoint))
        })
        .collect();
    if args.fail_on_regression && !regressed.is_empty() {
        return Err(Verdicts::Regressed(regressed.join(", ")).into());
    }
    Ok(())
}

/// A sweep in `--json` output: the run's fields, then the comparison.
#[derive(serde::Serialize)]
struct DatabaseOutput<'a> {
    #[serde(flatten)]
    run: &'a perfkit_bench::database::DatabaseRun,
    baseline_recorded_at: Option<&'a str>,
    comparison: &'a [EndpointComparison],
}

fn print_database(report: &DatabaseReport) {
    let run = &report.run;
    println!("{} ({}, {}):", run.name, run.backend, run.url);
    for step in &run.steps {
        println!(
            "  pool {:>4}  {:>10.1} queries/s  p50 {:>8.2} ms  p99 {:>8.2} ms  errors {}",
            step.pool_size,
            step.qps,
            step.latency.p50 as f64 / 1000.0,
            step.latency.p99 as f64 / 1000.0,
            step.errors
        );
    }
    match run.knee {
        Some(knee) => println!(
            "  recommended pool size: {knee} (smallest reaching 95% of the peak {:.1} queries/s)",
            run.peak_qps
        ),
        None => println!("  no pool size completed a query"),
    }
    for comparison in &report.comparison {
        println!(
            "  vs baseline {}: {} {}",
            report.baseline.as_ref().map_or("-", |b| b.0.as_str()),
            comparison.endpoint,
            comparison.verdict.label()
        );
    }
}
