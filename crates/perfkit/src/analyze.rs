//! `perfkit analyze`: performance anti-patterns and routes of an application's source.
//!
//! Exit codes: 0 no finding at or above `--fail-on` (or no `--fail-on`), 1 findings at
//! or above `--fail-on` (or another failure), 2 a bad settings/baseline file or argument.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use perfkit_analyze::{
    analyze, discover_routes, report, routes_table, sarif, AnalyzeConfig, AnalyzeError, Baseline,
    Options, RuleId, Severity,
};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Terminal summary plus Markdown reports in `.perfkit/reports/`.
    Md,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The application's source: a directory (walked, honouring .gitignore) or one file.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    format: Format,
    /// Exit with status 1 when a finding (not in the baseline) has this severity or higher.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Run only these rules (repeatable): n-plus-one, blocking-call-in-async,
    /// quadratic-loop, connection-leak, missing-cache, sync-heavy-handler.
    #[arg(long = "rule", value_name = "ID", value_parser = parse_rule, num_args = 1..)]
    rules: Vec<RuleId>,
    /// List the application's HTTP routes (table, or JSON with --format json) instead.
    #[arg(long)]
    routes: bool,
    /// Write the JSON/SARIF document to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Accept the findings recorded in this file: only new findings are reported.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every current finding in the baseline file (--baseline, default
    /// PATH/.perfkit/analyze-baseline.json) and exit 0.
    #[arg(long)]
    write_baseline: bool,
    /// Settings file with an `analyze:` section (default: PATH/.perfkit/analyze.yml or
    /// PATH/config/analyze.yml when present).
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// Skip files matching this glob (gitignore syntax; repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_rule(s: &str) -> Result<RuleId, String> {
    s.parse()
}

/// Findings at or above `--fail-on`: the command's "failed" outcome (exit status 1).
#[derive(Debug, thiserror::Error)]
#[error("{count} finding(s) at or above `{severity}` (--fail-on)")]
pub struct FindingsAtOrAbove {
    count: usize,
    severity: Severity,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<()> {
    let project = if args.path.is_dir() {
        args.path.clone()
    } else {
        args.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let mut config = match &args.settings {
        Some(path) => AnalyzeConfig::load(path)?,
        None => AnalyzeConfig::discover(&project)?
            .map(|(_, c)| c)
            .unwrap_or_default(),
    };
    config.exclude.extend(args.exclude.iter().cloned());

    if args.routes {
        let routes = discover_routes(&args.path, &config.exclude)?;
        let text = match args.format {
            Format::Json => serde_json::to_string_pretty(&routes)? + "\n",
            Format::Md => routes_table(&routes),
            Format::Sarif => bail!("--routes prints a table or JSON; SARIF is for findings"),
        };
        return emit(&args.output, &text);
    }

    let options = Options {
        rules: args.rules.clone(),
        config,
        threads: 0,
    };
    let bar = progress_bar();
    let mut analysis = analyze(&args.path, &options, &|done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    if args.write_baseline {
        let path = args
            .baseline
            .clone()
            .unwrap_or_else(|| project.join(".perfkit/analyze-baseline.json"));
        Baseline::from_findings(&analysis.findings).write(&path)?;
        eprintln!(
            "wrote {} finding(s) to {}",
            analysis.findings.len(),
            path.display()
        );
        return Ok(());
    }
    if let Some(path) = &args.baseline {
        analysis.apply_baseline(&Baseline::load(path)?);
    }

    match args.format {
        Format::Md => {
            let date = today();
            let dir = project.join(".perfkit/reports");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let findings_path = dir.join(format!("performance-analysis-{date}.md"));
            let actions_path = dir.join(format!("optimization-recommendations-{date}.md"));
            let target = args.path.display().to_string();
            std::fs::write(
                &findings_path,
                report::performance_analysis(&analysis, &target, &date),
            )
            .with_context(|| format!("writing {}", findings_path.display()))?;
            std::fs::write(&actions_path, report::recommendations(&analysis, &date))
                .with_context(|| format!("writing {}", actions_path.display()))?;
            print!("{}", report::summary(&analysis));
            println!(
                "reports: {}, {}",
                findings_path.display(),
                actions_path.display()
            );
        }
        Format::Json => {
            emit(&args.output, &report::json(&analysis))?;
            eprint!("{}", report::summary(&analysis));
        }
        Format::Sarif => {
            let text = serde_json::to_string_pretty(&sarif::sarif(&analysis))? + "\n";
            emit(&args.output, &text)?;
            eprint!("{}", report::summary(&analysis));
        }
    }

    if let Some(severity) = args.fail_on {
        let count = analysis.count_at_least(severity);
        if count > 0 {
            return Err(FindingsAtOrAbove { count, severity }.into());
        }
    }
    Ok(())
}

/// Whether an error is the user's settings/baseline/arguments (exit status 2).
pub fn is_config_error(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<AnalyzeError>()
            .is_some_and(AnalyzeError::is_config)
    })
}

fn emit(output: &Option<PathBuf>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// A file counter on stderr, only when stderr is a terminal.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} analyzing: {pos} files ({per_sec})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}

/// Today's UTC date as YYYY-MM-DD (days-from-civil inverse, proleptic Gregorian).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date(secs / 86_400)
}

fn civil_date(days_since_epoch: u64) -> String {
    let z = days_since_epoch as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_416), "2025-11-24");
        assert_eq!(civil_date(20_781), "2026-11-24");
    }
}
