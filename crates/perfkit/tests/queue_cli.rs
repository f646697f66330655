//! `perfkit queue`, `perfkit worker` and the demo's jobs, run as the built binary.

use std::path::Path;
use std::process::{Command, Output};

fn perfkit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perfkit"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn queue_commands_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/queues.yml"),
        "queues:\n  mail:\n    max_attempts: 1\n",
    )
    .unwrap();
    let out = perfkit(
        dir.path(),
        &[
            "queue",
            "enqueue",
            "mail",
            r#"{"to":"a"}"#,
            "--priority",
            "4",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1");
    perfkit(
        dir.path(),
        &["queue", "enqueue", "mail", "two", "--delay", "1h"],
    );
    let stats = perfkit(dir.path(), &["queue", "stats"]);
    let table = String::from_utf8_lossy(&stats.stdout).into_owned();
    let row: Vec<&str> = table.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(row, ["mail", "1", "1", "0", "0", "0", "no"], "{table}");
    let shown = perfkit(dir.path(), &["queue", "inspect", "mail", "1"]);
    let job: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(
        (job["priority"].as_u64(), job["payload"]["to"].as_str()),
        (Some(4), Some("a"))
    );
    assert!(perfkit(dir.path(), &["queue", "pause", "mail"])
        .status
        .success());
    assert!(text(&perfkit(dir.path(), &["queue", "stats"])).contains(" yes"));
    let unknown = perfkit(dir.path(), &["queue", "enqueue", "nope", "x"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown).contains("unknown queue `nope`"),
        "{}",
        text(&unknown)
    );
    let empty = perfkit(dir.path(), &["queue", "dlq", "retry", "mail", "--all"]);
    assert!(text(&empty).contains("retried 0 job(s)"));
}

#[test]
fn config_errors_exit_2_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.yml");
    std::fs::write(&file, "queues:\n  mail:\n    concurrency: 0\n").unwrap();
    for args in [
        &["queue", "--queues", "q.yml", "stats"][..],
        &["worker", "--queues", "q.yml"],
    ] {
        let out = perfkit(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            text(&out).contains("q.yml:3:5: queues.mail.concurrency"),
            "{}",
            text(&out)
        );
    }
}

#[test]
fn demo_shows_jobs_processed_retried_and_dead_lettered() {
    let dir = tempfile::tempdir().unwrap();
    let out = perfkit(
        dir.path(),
        &["demo", "--listen", "127.0.0.1:0", "--requests", "10"],
    );
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("enqueued 20, completed 19, retried 5, dead-lettered 1"),
        "{shown}"
    );
    assert!(shown.contains("`charge-card` after 3 attempts"), "{shown}");
}
