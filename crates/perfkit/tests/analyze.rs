//! `perfkit analyze`, run as a user would: exit codes, reports, formats, baseline, settings.

use std::path::Path;
use std::process::{Command, Output};

const APP: &str = r#"import time

import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
async def get_user(user_id: int):
    time.sleep(0.5)
    return {"id": user_id}


def dedupe(rows: list[str]):
    seen = []
    for row in rows:
        if row not in seen:
            seen.append(row)
    return seen
"#;

fn perfkit(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perfkit"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.py"), APP).unwrap();
    // ignored by .gitignore: must not be analyzed
    std::fs::create_dir(dir.path().join("generated")).unwrap();
    std::fs::write(
        dir.path().join("generated/slow.py"),
        "import time\nasync def f():\n    time.sleep(1)\n",
    )
    .unwrap();
    std::fs::write(dir.path().join(".gitignore"), "generated/\n").unwrap();
    dir
}

#[test]
fn fail_on_reports_and_rule_selection() {
    let dir = project();
    let out = perfkit(&["analyze", ".", "--fail-on", "high"], dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("main.py:11:5: high [blocking-call-in-async]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("main.py:18:12: medium [quadratic-loop]"),
        "{stdout}"
    );
    assert!(!stdout.contains("generated"), "{stdout}");
    assert!(
        stdout.contains("1 files analyzed: 2 findings (1 high, 1 medium, 0 low)"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("1 finding(s) at or above `high`"));
    let reports: Vec<String> = std::fs::read_dir(dir.path().join(".perfkit/reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let analysis = reports
        .iter()
        .find(|n| n.starts_with("performance-analysis-") && n.ends_with(".md"))
        .unwrap();
    assert!(reports
        .iter()
        .any(|n| n.starts_with("optimization-recommendations-")));
    let md = std::fs::read_to_string(dir.path().join(".perfkit/reports").join(analysis)).unwrap();
    assert!(
        md.contains("### `blocking-call-in-async` — main.py:11"),
        "{md}"
    );
    assert!(md.contains("await asyncio.sleep"), "{md}");

    let out = perfkit(
        &[
            "analyze",
            ".",
            "--fail-on",
            "high",
            "--rule",
            "quadratic-loop",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = perfkit(
        &[
            "analyze",
            ".",
            "--fail-on",
            "medium",
            "--rule",
            "quadratic-loop",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let out = perfkit(&["analyze", ".", "--rule", "n-plus-two"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown rule `n-plus-two`"));
}

#[test]
fn baseline_accepts_existing_findings_and_fails_on_new_ones() {
    let dir = project();
    let out = perfkit(&["analyze", ".", "--write-baseline"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.path().join(".perfkit/analyze-baseline.json").is_file());
    let baseline = ".perfkit/analyze-baseline.json";
    let out = perfkit(
        &["analyze", ".", "--baseline", baseline, "--fail-on", "low"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("0 findings (0 high, 0 medium, 0 low), 2 in the baseline"));
    // Moving code does not invalidate the baseline; a new finding fails.
    let moved = APP.replace("import time\n", "import time\nimport os\n\n\n");
    let added = format!("{moved}\n\nasync def other():\n    time.sleep(1)\n");
    std::fs::write(dir.path().join("main.py"), added).unwrap();
    let out = perfkit(
        &["analyze", ".", "--baseline", baseline, "--fail-on", "high"],
        dir.path(),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("1 findings (1 high, 0 medium, 0 low), 2 in the baseline"),
        "{stdout}"
    );
    std::fs::write(
        dir.path().join("broken.json"),
        "{\"version\": 7, \"findings\": []}",
    )
    .unwrap();
    let out = perfkit(&["analyze", ".", "--baseline", "broken.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a perfkit baseline"));
}

#[test]
fn json_sarif_and_routes_formats() {
    let dir = project();
    let out = perfkit(&["analyze", ".", "--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 2);
    assert_eq!(json["findings"][0]["rule"], "blocking-call-in-async");
    assert_eq!(json["findings"][0]["function"], "get_user");

    let out = perfkit(
        &["analyze", ".", "--format", "sarif", "--output", "out.sarif"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);

    let out = perfkit(
        &["analyze", ".", "--routes", "--format", "json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let routes: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(routes[0]["method"], "GET");
    assert_eq!(routes[0]["path"], "/users/{user_id}");
    assert_eq!(routes[0]["framework"], "fastapi");
    assert_eq!(routes[0]["line"], 10);
    let out = perfkit(&["analyze", ".", "--routes"], dir.path());
    assert!(
        text(&out.stdout).contains("GET     /users/{user_id}  fastapi    get_user (main.py:10)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn settings_file_disables_rules_and_reports_errors_with_location() {
    let dir = project();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    let settings = dir.path().join("config/analyze.yml");
    std::fs::write(&settings, "analyze:\n  rules:\n    blocking-call-in-async: { enabled: false }\n    quadratic-loop: { severity: high }\n").unwrap();
    let out = perfkit(&["analyze", ".", "--fail-on", "high"], dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stdout.contains("blocking-call-in-async"), "{stdout}");
    assert!(stdout.contains("high [quadratic-loop]"), "{stdout}");
    std::fs::write(
        &settings,
        "analyze:\n  rules:\n    quadratic-loop: { severity: urgent }\n",
    )
    .unwrap();
    let out = perfkit(&["analyze", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("config/analyze.yml:3:"), "{stderr}");
    assert!(stderr.contains("urgent"), "{stderr}");
}
