//! Reports of a benchmark run: Markdown (`.perfkit/reports/benchmark-DATE.md`) and a
//! self-contained HTML page with inline SVG charts (throughput and latency over time,
//! percentile spectrum, each with the baseline overlaid when there is one).

mod svg;

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::compare::{EndpointComparison, Verdict};
use crate::database::DatabaseRun;
use crate::summary::{Latency, RunResult, Totals};
use svg::{chart, escape, Line, XAxis};

/// Claims the paths of a new report in `dir`: `{stem}.md` and `{stem}.html`, or
/// `{stem}-2`, `{stem}-3`... when an earlier run (of the same day) has them, so no
/// report is overwritten. The Markdown file is created empty (atomically, so two runs
/// at once get different names); the caller writes both.
pub fn claim_report_paths(dir: &Path, stem: &str) -> std::io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    for n in 1u32..=10_000 {
        let name = if n == 1 {
            stem.to_owned()
        } else {
            format!("{stem}-{n}")
        };
        let (markdown, html) = (
            dir.join(format!("{name}.md")),
            dir.join(format!("{name}.html")),
        );
        if html.exists() {
            continue;
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&markdown)
        {
            Ok(_) => return Ok((markdown, html)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(std::io::Error::other(format!(
        "{}: 10000 reports named {stem}-N already; move old ones away",
        dir.display()
    )))
}

/// One scenario's section of a report.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    pub result: RunResult,
    /// The stored run it was compared with, and when that was recorded.
    pub baseline: Option<(String, RunResult)>,
    pub comparison: Vec<EndpointComparison>,
}

/// Where and when the runs happened, for the report header.
#[derive(Debug, Clone)]
pub struct ReportContext {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub generated_at: String,
    pub git_commit: Option<String>,
    pub machine: String,
}

impl ReportContext {
    /// `Generated WHEN on MACHINE, commit C`.
    fn generated(&self) -> String {
        format!(
            "Generated {} on {}{}",
            self.generated_at,
            self.machine,
            self.git_commit
                .as_deref()
                .map(|c| format!(", commit {c}"))
                .unwrap_or_default()
        )
    }
}

fn ms(micros: f64) -> String {
    format!("{:.2}", micros / 1000.0)
}

fn load_line(result: &RunResult) -> String {
    let rate = result
        .rate
        .map(|r| format!(", target rate (peak) {r:.0} requests/s"))
        .unwrap_or_default();
    format!(
        "{} loop against {}, {} connections on {} threads{rate}, {:.1}s measured",
        match result.model {
            crate::LoadModel::Closed => "closed",
            crate::LoadModel::Open => "open",
        },
        result.target,
        result.connections,
        result.threads,
        result.measured_seconds
    )
}

/// p50, p90, p99, p99.9, max and mean in milliseconds.
fn latency_columns(latency: &Latency) -> [String; 6] {
    [
        ms(latency.p50 as f64),
        ms(latency.p90 as f64),
        ms(latency.p99 as f64),
        ms(latency.p999 as f64),
        ms(latency.max as f64),
        ms(latency.mean),
    ]
}

fn totals_row(name: &str, totals: &Totals) -> String {
    format!(
        "| {name} | {} | {:.1} | {} ({:.2}%) | {} |\n",
        totals.requests,
        totals.rps,
        totals.errors,
        totals.error_rate * 100.0,
        latency_columns(&totals.latency).join(" | ")
    )
}

fn breakdown(totals: &Totals) -> String {
    let statuses: Vec<String> = totals
        .statuses
        .iter()
        .map(|(status, n)| format!("{status}: {n}"))
        .collect();
    let failures: Vec<String> = totals
        .failures
        .iter()
        .map(|(kind, n)| format!("{kind}: {n}"))
        .collect();
    format!(
        "statuses {}; transport failures {}; {} bytes received, {} sent",
        if statuses.is_empty() {
            "none".to_owned()
        } else {
            statuses.join(", ")
        },
        if failures.is_empty() {
            "none".to_owned()
        } else {
            failures.join(", ")
        },
        totals.bytes_received,
        totals.bytes_sent
    )
}

fn change_cell(metric: &str, baseline: f64, current: f64, change: f64) -> String {
    let (b, c) = if metric == "rps" {
        (format!("{baseline:.1}"), format!("{current:.1}"))
    } else {
        (
            format!("{} ms", ms(baseline)),
            format!("{} ms", ms(current)),
        )
    };
    format!("{metric} {b} → {c} ({:+.1}%)", change * 100.0)
}

/// The verdict list against a baseline recorded at `recorded_at`.
fn comparison_markdown(recorded_at: &str, comparisons: &[EndpointComparison]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Compared with the baseline of {recorded_at} (Mann-Whitney U over per-interval samples):\n"
    );
    for comparison in comparisons {
        let details: Vec<String> = comparison
            .metrics
            .iter()
            .map(|m| {
                format!(
                    "{} p={:.4}",
                    change_cell(&m.metric, m.baseline_median, m.current_median, m.change),
                    m.p_value
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "- {}: **{}**{}{}",
            comparison.endpoint,
            comparison.verdict.label(),
            if details.is_empty() {
                String::new()
            } else {
                format!(" — {}", details.join("; "))
            },
            comparison
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
    out.push('\n');
    out
}

/// The Markdown report.
pub fn markdown(context: &ReportContext, scenarios: &[ScenarioReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmark report\n");
    let _ = writeln!(out, "{}.\n", context.generated());
    let _ = writeln!(
        out,
        "Latencies in milliseconds. Open-loop latency is measured from each request's \
         scheduled send time (corrected for coordinated omission); closed-loop latency from \
         the actual send.\n"
    );
    for scenario in scenarios {
        let result = &scenario.result;
        let _ = writeln!(out, "## {}\n", result.scenario);
        let _ = writeln!(out, "{}.\n", load_line(result));
        out.push_str(
            "| endpoint | requests | req/s | errors | p50 | p90 | p99 | p99.9 | max | mean |\n",
        );
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for endpoint in &result.endpoints {
            out.push_str(&totals_row(
                &format!("{} `{} {}`", endpoint.name, endpoint.method, endpoint.path),
                &endpoint.totals,
            ));
        }
        out.push_str(&totals_row("**all**", &result.totals));
        let _ = writeln!(out, "\n{}.\n", breakdown(&result.totals));
        if !result.thresholds.is_empty() {
            let _ = writeln!(out, "Thresholds:\n");
            for outcome in &result.thresholds {
                let _ = writeln!(
                    out,
                    "- {} `{}` (measured {:.2} {})",
                    if outcome.passed { "pass" } else { "FAIL" },
                    outcome.threshold,
                    outcome.actual,
                    outcome.unit
                );
            }
            out.push('\n');
        }
        if let Some((recorded_at, _)) = &scenario.baseline {
            out.push_str(&comparison_markdown(recorded_at, &scenario.comparison));
        }
        let _ = writeln!(
            out,
            "Per-{}s samples: {} (see the HTML report for charts).\n",
            result.sample_interval_seconds,
            result.series.len()
        );
    }
    out
}

/// One database's section of a `--database` report.
#[derive(Debug, Clone)]
pub struct DatabaseReport {
    pub run: DatabaseRun,
    /// The stored sweep it was compared with, and when that was recorded.
    pub baseline: Option<(String, DatabaseRun)>,
    /// Per pool size (`pool N`), over the steps' per-interval samples.
    pub comparison: Vec<EndpointComparison>,
}

fn database_intro(context: &ReportContext) -> String {
    format!(
        "{}. Each pool size runs that many connections, each sending the queries in turn \
         as fast as they return. The recommended pool is the smallest reaching {:.0}% of \
         the peak throughput. Comparisons use `rps` for successful queries/s.",
        context.generated(),
        crate::database::KNEE_SHARE * 100.0
    )
}

/// `(pool size label, queries/s, errors, p50, p90, p99, max)` per step.
fn step_rows(run: &DatabaseRun) -> Vec<[String; 7]> {
    run.steps
        .iter()
        .map(|step| {
            let l = &step.latency;
            [
                format!(
                    "{}{}",
                    step.pool_size,
                    if run.knee == Some(step.pool_size) {
                        " (knee)"
                    } else {
                        ""
                    }
                ),
                format!("{:.1}", step.qps),
                step.errors.to_string(),
                ms(l.p50 as f64),
                ms(l.p90 as f64),
                ms(l.p99 as f64),
                ms(l.max as f64),
            ]
        })
        .collect()
}

fn recommendation(run: &DatabaseRun) -> String {
    match run.knee {
        Some(knee) => format!(
            "Recommended pool size: {knee} (peak {:.1} queries/s)",
            run.peak_qps
        ),
        None => "No pool size completed a query".to_owned(),
    }
}

/// The Markdown report of `--database` sweeps.
pub fn database_markdown(context: &ReportContext, reports: &[DatabaseReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Database benchmark report\n");
    let _ = writeln!(out, "{}\n", database_intro(context));
    for report in reports {
        let run = &report.run;
        let _ = writeln!(out, "## {} ({}, `{}`)\n", run.name, run.backend, run.url);
        out.push_str("| pool size | queries/s | errors | p50 ms | p90 ms | p99 ms | max ms |\n");
        out.push_str("|---:|---:|---:|---:|---:|---:|---:|\n");
        for row in step_rows(run) {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        match run.knee {
            Some(knee) => {
                let _ = writeln!(
                    out,
                    "\nRecommended pool size: **{knee}** (peak {:.1} queries/s).\n",
                    run.peak_qps
                );
            }
            None => out.push_str("\nNo pool size completed a query.\n\n"),
        }
        if let Some((recorded_at, _)) = &report.baseline {
            out.push_str(&comparison_markdown(recorded_at, &report.comparison));
        }
    }
    out
}

/// The HTML report of `--database` sweeps: the table, the verdicts, and charts of
/// throughput and latency by pool size (the baseline dashed).
pub fn database_html(context: &ReportContext, reports: &[DatabaseReport]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Database benchmark report {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Database benchmark report</h1>\n<p>{}</p>\n",
        escape(&context.generated_at),
        escape(&database_intro(context)),
    );
    for report in reports {
        let run = &report.run;
        let _ = write!(
            out,
            "<section>\n<h2>{} ({}, <code>{}</code>)</h2>\n<table>\n<tr><th>pool size</th>\
             <th>queries/s</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>\n",
            escape(&run.name),
            escape(&run.backend),
            escape(&run.url)
        );
        for row in step_rows(run) {
            let cells: String = row
                .iter()
                .map(|c| format!("<td>{}</td>", escape(c)))
                .collect();
            let _ = writeln!(out, "<tr>{cells}</tr>");
        }
        let _ = writeln!(
            out,
            "</table>\n<p><strong>{}.</strong></p>",
            escape(&recommendation(run))
        );
        if let Some((recorded_at, _)) = &report.baseline {
            out.push_str(&comparison_html(recorded_at, &report.comparison));
        }
        out.push_str(&database_charts(report));
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn database_charts(report: &DatabaseReport) -> String {
    let baseline = report.baseline.as_ref().map(|(_, run)| run);
    let by_size = |run: &DatabaseRun, value: fn(&crate::database::PoolStep) -> f64| {
        let mut points: Vec<(f64, f64)> = run
            .steps
            .iter()
            .map(|s| (s.pool_size as f64, value(s)))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        points
    };
    let mut throughput = vec![Line {
        label: "queries/s".into(),
        color: PALETTE[0],
        dashed: false,
        points: by_size(&report.run, |s| s.qps),
    }];
    let mut latency = vec![
        Line {
            label: "p50".into(),
            color: PALETTE[0],
            dashed: false,
            points: by_size(&report.run, |s| s.latency.p50 as f64 / 1000.0),
        },
        Line {
            label: "p99".into(),
            color: PALETTE[2],
            dashed: false,
            points: by_size(&report.run, |s| s.latency.p99 as f64 / 1000.0),
        },
    ];
    if let Some(run) = baseline {
        throughput.push(Line {
            label: "baseline".into(),
            color: BASELINE_COLOR,
            dashed: true,
            points: by_size(run, |s| s.qps),
        });
        latency.push(Line {
            label: "baseline p99".into(),
            color: BASELINE_COLOR,
            dashed: true,
            points: by_size(run, |s| s.latency.p99 as f64 / 1000.0),
        });
    }
    let mut out = chart(
        "Queries/s by pool size",
        XAxis::PoolSize,
        "queries/s",
        &throughput,
    );
    out.push_str(&chart(
        "Query latency by pool size",
        XAxis::PoolSize,
        "ms",
        &latency,
    ));
    out
}

const PALETTE: [&str; 4] = ["#1f77b4", "#2ca02c", "#ff7f0e", "#d62728"];
const BASELINE_COLOR: &str = "#7f7f7f";

fn scenario_charts(scenario: &ScenarioReport) -> String {
    let result = &scenario.result;
    let baseline = scenario.baseline.as_ref().map(|(_, run)| run);
    let busy = |run: &RunResult| -> Vec<(f64, u64, u64, u64, u64)> {
        run.series
            .iter()
            .filter(|s| s.requests > 0)
            .map(|s| (s.at, s.p50, s.p90, s.p99, s.max))
            .collect()
    };
    let mut throughput = vec![Line {
        label: "requests/s".into(),
        color: PALETTE[0],
        dashed: false,
        points: result.series.iter().map(|s| (s.at, s.rps)).collect(),
    }];
    if let Some(run) = baseline {
        throughput.push(Line {
            label: "baseline".into(),
            color: BASELINE_COLOR,
            dashed: true,
            points: run.series.iter().map(|s| (s.at, s.rps)).collect(),
        });
    }
    let samples = busy(result);
    let pick = |i: usize| -> Vec<(f64, f64)> {
        samples
            .iter()
            .map(|s| {
                let v = [s.1, s.2, s.3, s.4][i];
                (s.0, v as f64 / 1000.0)
            })
            .collect()
    };
    let mut latency: Vec<Line> = ["p50", "p90", "p99", "max"]
        .iter()
        .enumerate()
        .map(|(i, label)| Line {
            label: (*label).into(),
            color: PALETTE[i],
            dashed: false,
            points: pick(i),
        })
        .collect();
    if let Some(run) = baseline {
        latency.push(Line {
            label: "baseline p99".into(),
            color: BASELINE_COLOR,
            dashed: true,
            points: busy(run)
                .iter()
                .map(|s| (s.0, s.3 as f64 / 1000.0))
                .collect(),
        });
    }
    let spectrum_of = |latency: &Latency| -> Vec<(f64, f64)> {
        latency
            .spectrum
            .iter()
            .filter(|(p, _)| *p < 100.0)
            .map(|(p, v)| (-(1.0 - p / 100.0).log10(), *v as f64 / 1000.0))
            .collect()
    };
    let mut spectrum = vec![Line {
        label: "this run".into(),
        color: PALETTE[0],
        dashed: false,
        points: spectrum_of(&result.totals.latency),
    }];
    if let Some(run) = baseline {
        spectrum.push(Line {
            label: "baseline".into(),
            color: BASELINE_COLOR,
            dashed: true,
            points: spectrum_of(&run.totals.latency),
        });
    }
    let mut out = String::new();
    out.push_str(&chart(
        "Throughput over time",
        XAxis::Seconds,
        "requests/s",
        &throughput,
    ));
    out.push_str(&chart(
        "Latency percentiles over time",
        XAxis::Seconds,
        "ms",
        &latency,
    ));
    out.push_str(&chart(
        "Latency by percentile (whole run)",
        XAxis::Percentile,
        "ms",
        &spectrum,
    ));
    out
}

fn html_totals_row(name: &str, totals: &Totals) -> String {
    let latency: String = latency_columns(&totals.latency)
        .iter()
        .map(|v| format!("<td>{v}</td>"))
        .collect();
    format!(
        "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{} ({:.2}%)</td>{latency}</tr>\n",
        escape(name),
        totals.requests,
        totals.rps,
        totals.errors,
        totals.error_rate * 100.0,
    )
}

const STYLE: &str =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:780px;color:#222}\
table{border-collapse:collapse;margin:1em 0;font-size:14px}\
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}\
td:first-child,th:first-child{text-align:left}\
.pass{color:#2a7a2a}.fail{color:#b00020;font-weight:bold}\
.regressed{color:#b00020;font-weight:bold}.improved{color:#2a7a2a;font-weight:bold}\
svg.chart{display:block;margin:1em 0;background:#fff}\
svg .title{font-size:14px;font-weight:bold}svg .tick,svg .legend{font-size:11px}\
svg .axis{font-size:12px}svg .grid{stroke:#e5e5e5}svg .frame{fill:none;stroke:#999}";

/// The verdict list against a baseline recorded at `recorded_at`, as HTML.
fn comparison_html(recorded_at: &str, comparisons: &[EndpointComparison]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p>Compared with the baseline of {} (dashed grey in the charts):</p>\n<ul>",
        escape(recorded_at)
    );
    for comparison in comparisons {
        let class = match comparison.verdict {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::NoDetectableChange => "same",
        };
        let details: Vec<String> = comparison
            .metrics
            .iter()
            .map(|m| change_cell(&m.metric, m.baseline_median, m.current_median, m.change))
            .collect();
        let _ = writeln!(
            out,
            "<li>{}: <span class=\"{class}\">{}</span> {}</li>",
            escape(&comparison.endpoint),
            comparison.verdict.label(),
            escape(&details.join("; "))
        );
    }
    out.push_str("</ul>\n");
    out
}

/// The HTML report: one self-contained page, no script, no external resource.
pub fn html(context: &ReportContext, scenarios: &[ScenarioReport]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Benchmark report {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Benchmark report</h1>\n<p>{}. Latencies in milliseconds; \
         open-loop latency counts from each request's scheduled send time.</p>\n",
        escape(&context.generated_at),
        escape(&context.generated()),
    );
    for scenario in scenarios {
        let result = &scenario.result;
        let _ = write!(
            out,
            "<section>\n<h2>{}</h2>\n<p>{}.</p>\n<table>\n<tr><th>endpoint</th><th>requests</th>\
             <th>req/s</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th>\
             <th>max</th><th>mean</th></tr>\n",
            escape(&result.scenario),
            escape(&load_line(result))
        );
        for endpoint in &result.endpoints {
            out.push_str(&html_totals_row(
                &format!("{} {} {}", endpoint.name, endpoint.method, endpoint.path),
                &endpoint.totals,
            ));
        }
        out.push_str(&html_totals_row("all", &result.totals));
        let _ = writeln!(
            out,
            "</table>\n<p>{}.</p>",
            escape(&breakdown(&result.totals))
        );
        if !result.thresholds.is_empty() {
            out.push_str("<ul class=\"thresholds\">\n");
            for outcome in &result.thresholds {
                let _ = writeln!(
                    out,
                    "<li class=\"{}\">{} <code>{}</code> (measured {:.2} {})</li>",
                    if outcome.passed { "pass" } else { "fail" },
                    if outcome.passed { "pass" } else { "FAIL" },
                    escape(&outcome.threshold),
                    outcome.actual,
                    escape(&outcome.unit)
                );
            }
            out.push_str("</ul>\n");
        }
        if let Some((recorded_at, _)) = &scenario.baseline {
            out.push_str(&comparison_html(recorded_at, &scenario.comparison));
        }
        out.push_str(&scenario_charts(scenario));
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
