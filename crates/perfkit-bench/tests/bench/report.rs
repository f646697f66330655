//! Reports from fixed data: snapshot-tested text, and the HTML rendered by a real
//! headless Chromium (Debian package `chromium`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use perfkit_bench::compare::compare;
use perfkit_bench::report::{self, ReportContext, ScenarioReport};
use perfkit_bench::{EndpointResult, Latency, LoadModel, RunResult, Sample, Totals};

fn latency(scale: f64) -> Latency {
    let us = |ms: f64| (ms * scale * 1000.0) as u64;
    let spectrum = [
        (0.0, 1.0),
        (50.0, 4.0),
        (75.0, 5.0),
        (90.0, 7.0),
        (95.0, 9.0),
        (97.5, 12.0),
        (99.0, 20.0),
        (99.5, 26.0),
        (99.9, 40.0),
        (99.95, 48.0),
        (99.99, 60.0),
        (99.999, 75.0),
        (100.0, 80.0),
    ];
    Latency {
        min: us(1.0),
        mean: 4.5 * scale * 1000.0,
        p50: us(4.0),
        p75: us(5.0),
        p90: us(7.0),
        p95: us(9.0),
        p99: us(20.0),
        p999: us(40.0),
        p9999: us(60.0),
        max: us(80.0),
        spectrum: spectrum.iter().map(|(p, ms)| (*p, us(*ms))).collect(),
    }
}

fn series(scale: f64) -> Vec<Sample> {
    (0u32..10)
        .map(|i| {
            let wobble = f64::from(i % 3);
            Sample {
                at: f64::from(i),
                requests: 1000 + 10 * u64::from(i % 4),
                errors: u64::from(i == 7),
                rps: 1000.0 + 10.0 * f64::from(i % 4),
                p50: ((4.0 + wobble * 0.1) * scale * 1000.0) as u64,
                p90: ((7.0 + wobble * 0.2) * scale * 1000.0) as u64,
                p99: ((20.0 + wobble) * scale * 1000.0) as u64,
                p999: ((40.0 + wobble) * scale * 1000.0) as u64,
                max: ((60.0 + 5.0 * wobble) * scale * 1000.0) as u64,
            }
        })
        .collect()
}

pub fn fixture(scale: f64) -> RunResult {
    let totals = Totals {
        requests: 10_041,
        errors: 1,
        error_rate: 1.0 / 10_041.0,
        rps: 1004.1,
        bytes_received: 1_200_000,
        bytes_sent: 800_000,
        statuses: BTreeMap::from([(200, 10_040), (503, 1)]),
        failures: BTreeMap::new(),
        latency: latency(scale),
        cache_hits: 0,
        cache_misses: 0,
    };
    let mut result = RunResult {
        scenario: "api <v1>".into(),
        target: "http://127.0.0.1:8080".into(),
        model: LoadModel::Open,
        threads: 2,
        connections: 64,
        rate: Some(1000.0),
        measured_seconds: 10.0,
        sample_interval_seconds: 1.0,
        totals: totals.clone(),
        series: series(scale),
        endpoints: vec![EndpointResult {
            name: "items".into(),
            method: "GET".into(),
            path: "/api/items?page=1&size=20".into(),
            totals,
            series: series(scale),
        }],
        thresholds: Vec::new(),
    };
    result.evaluate(&[
        perfkit_bench::Threshold::parse("p99 < 25ms").unwrap(),
        perfkit_bench::Threshold::parse("error_rate < 0.001%").unwrap(),
        perfkit_bench::Threshold::parse("rps > 500").unwrap(),
    ]);
    result
}

fn context() -> ReportContext {
    ReportContext {
        generated_at: "2026-01-02T03:04:05Z".into(),
        git_commit: Some("0123456789ab".into()),
        machine: "Test CPU (2 cpus, linux x86_64)".into(),
    }
}

/// A current run 30% slower than its baseline.
fn reports() -> Vec<ScenarioReport> {
    let baseline = fixture(1.0);
    let current = fixture(1.3);
    let comparison = compare(&baseline, &current, Default::default());
    vec![ScenarioReport {
        result: current,
        baseline: Some(("2026-01-01T00:00:00Z".into(), baseline)),
        comparison,
    }]
}

#[test]
fn markdown_report_snapshot() {
    insta::assert_snapshot!(report::markdown(&context(), &reports()));
}

#[test]
fn html_report_snapshot() {
    insta::assert_snapshot!(report::html(&context(), &reports()));
}

/// How long one chromium run may take.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs chromium headless with `args` and the file URL of `page`, within [`LIMIT`].
fn chromium(profile: &Path, page: &Path, args: &[&str]) -> std::process::Output {
    let child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium is installed (scripts/test.sh installs the Debian package)");
    // A thread waits for the exit and collects the output (draining the pipes, so a
    // large --dump-dom cannot block chromium); this one waits for that, bounded.
    let pid = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(LIMIT) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            // The shell's own `kill`: the child is the waiting thread's now.
            let _ = Command::new("sh")
                .args(["-c", &format!("kill -KILL {pid}")])
                .status();
            panic!("chromium did not finish within {LIMIT:?}");
        }
    }
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, report::html(&context(), &reports())).unwrap();

    let dom = chromium(&dir.path().join("profile-dom"), &page, &["--dump-dom"]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<svg").count(), 3, "three charts in the DOM");
    assert!(dom.contains("Latency by percentile") && dom.contains("regressed"));
    assert!(
        dom.matches("<path").count() >= 8,
        "lines and baseline overlays"
    );

    let shot = dir.path().join("shot.png");
    let output = chromium(
        &dir.path().join("profile-shot"),
        &page,
        &[
            "--window-size=800,1600",
            "--hide-scrollbars",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let decoder = png::Decoder::new(std::fs::File::open(&shot).expect("a screenshot was written"));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((frame.width, frame.height), (800, 1600));
    let channels = frame.line_size / frame.width as usize;
    let pixels = &pixels[..frame.buffer_size()];
    // The p50 / "this run" lines are #1f77b4: count pixels near that blue.
    let blue = pixels
        .chunks(channels)
        .filter(|p| p[0] < 80 && (90..160).contains(&p[1]) && p[2] > 150)
        .count();
    let non_white = pixels
        .chunks(channels)
        .filter(|p| p[..3] != [255, 255, 255])
        .count();
    assert!(blue > 500, "plot lines drawn: {blue} blue pixels");
    assert!(
        non_white > 20_000,
        "page not blank: {non_white} non-white pixels"
    );
}

/// A sweep whose per-interval samples scale with `slowdown` (1 = baseline).
fn database_run(slowdown: f64) -> perfkit_bench::database::DatabaseRun {
    use perfkit_bench::database::{DatabaseRun, PoolStep};
    let step = |pool_size: usize, qps: f64| {
        let qps = qps / slowdown;
        let mut samples = series(pool_size as f64 * slowdown);
        for sample in &mut samples {
            sample.rps = qps + sample.rps - 1000.0;
        }
        PoolStep {
            pool_size,
            queries: (qps * 5.0) as u64,
            errors: 0,
            qps,
            latency: latency(pool_size as f64 * slowdown),
            series: samples,
        }
    };
    let steps = vec![
        step(1, 900.0),
        step(2, 1700.0),
        step(4, 2950.0),
        step(8, 3000.0),
    ];
    DatabaseRun {
        name: "orders".into(),
        backend: "postgresql".into(),
        url: "postgres://app:***@db:5432/app".into(),
        peak_qps: 3000.0 / slowdown,
        knee: Some(4),
        steps,
        sample_interval_seconds: 0.5,
    }
}

/// A sweep 25% slower than its baseline.
fn database_reports() -> Vec<report::DatabaseReport> {
    let baseline = database_run(1.0);
    let current = database_run(1.25);
    let comparison =
        perfkit_bench::compare::compare_databases(&baseline, &current, Default::default());
    vec![report::DatabaseReport {
        run: current,
        baseline: Some(("2026-01-01T00:00:00Z".into(), baseline)),
        comparison,
    }]
}

#[test]
fn database_report_snapshot() {
    let reports = database_reports();
    assert!(reports[0]
        .comparison
        .iter()
        .all(|c| c.verdict == perfkit_bench::compare::Verdict::Regressed));
    insta::assert_snapshot!(report::database_markdown(&context(), &reports));
}

#[test]
fn database_html_report_snapshot() {
    insta::assert_snapshot!(report::database_html(&context(), &database_reports()));
}

#[test]
fn the_database_html_report_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("database.html");
    std::fs::write(
        &page,
        report::database_html(&context(), &database_reports()),
    )
    .unwrap();
    let dom = chromium(&dir.path().join("profile"), &page, &["--dump-dom"]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<svg").count(), 2, "two charts in the DOM");
    assert!(dom.contains("Queries/s by pool size") && dom.contains("regressed"));
    assert_eq!(
        dom.matches("<path").count(),
        5,
        "queries/s, p50, p99 and two baseline lines"
    );
}
