//! Pool-size sweeps against a real PostgreSQL (private cluster from the Debian
//! package) and a SQLite file.

use std::time::Duration;

use perfkit_bench::database::{self, DatabaseBenchmark, DatabaseError, KNEE_SHARE};
use perfkit_testkit::PostgresServer;

fn bench(url: String, setup: &[&str], queries: &[&str]) -> DatabaseBenchmark {
    DatabaseBenchmark {
        url,
        setup: setup.iter().map(|s| (*s).to_owned()).collect(),
        queries: queries.iter().map(|s| (*s).to_owned()).collect(),
        pool_sizes: vec![1, 2, 4],
        duration_per_step: Duration::from_millis(400),
        sample_interval: None,
    }
}

fn assert_sweep(run: &database::DatabaseRun) {
    assert_eq!(
        run.steps.iter().map(|s| s.pool_size).collect::<Vec<_>>(),
        vec![1, 2, 4]
    );
    for step in &run.steps {
        assert!(step.queries > 10, "{step:?}");
        assert_eq!(step.errors, 0, "{step:?}");
        assert!(step.latency.p50 > 0 && step.latency.p99 >= step.latency.p50);
        // Ten samples of 40ms (a tenth of the step), accounting for every query.
        assert_eq!(step.series.len(), 10, "{step:?}");
        assert_eq!(
            step.series.iter().map(|s| s.requests).sum::<u64>(),
            step.queries
        );
        let busy = step.series.iter().filter(|s| s.requests > 0).count();
        assert!(busy >= 8, "queries in most intervals: {:?}", step.series);
        for sample in step.series.iter().filter(|s| s.requests > 0) {
            assert!(sample.p50 > 0 && sample.p99 >= sample.p50, "{sample:?}");
        }
    }
    let knee = run.knee.expect("a knee");
    let at_knee = run.steps.iter().find(|s| s.pool_size == knee).unwrap();
    assert!(at_knee.qps >= KNEE_SHARE * run.peak_qps);
    assert!(
        run.steps
            .iter()
            .filter(|s| s.pool_size < knee)
            .all(|s| s.qps < KNEE_SHARE * run.peak_qps),
        "the knee is the smallest such pool: {run:#?}"
    );
}

#[test]
fn postgres_sweep_reports_throughput_latency_and_the_knee() {
    let server = PostgresServer::start().unwrap();
    let run = database::run(
        "pg",
        &bench(
            server.url(),
            &[
                "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2000) g",
            ],
            &[
                "SELECT name FROM items WHERE id = 42",
                "SELECT count(*) FROM items WHERE id % 7 = 3",
            ],
        ),
    )
    .unwrap();
    assert_eq!(run.backend, "postgresql");
    assert_sweep(&run);

    let error =
        database::run("pg", &bench(server.url(), &[], &["SELECT * FROM nowhere"])).unwrap_err();
    assert!(matches!(error, DatabaseError::Query { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("`SELECT * FROM nowhere` failed: relation \"nowhere\" does not exist"),
        "{error}"
    );
}

#[test]
fn sqlite_sweep_reports_throughput_latency_and_the_knee() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("app.db").display());
    let run = database::run(
        "lite",
        &bench(
            url.clone(),
            &["CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\
               WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\
               INSERT INTO items SELECT i, 'item ' || i FROM n;"],
            &[
                "SELECT name FROM items WHERE id = 42",
                "SELECT count(*) FROM items WHERE id % 7 = 3",
            ],
        ),
    )
    .unwrap();
    assert_eq!(run.backend, "sqlite");
    assert_sweep(&run);

    let error = database::run("lite", &bench(url, &[], &["SELEC 1"])).unwrap_err();
    assert!(
        error.to_string().contains("query `SELEC 1` failed"),
        "{error}"
    );
}

#[test]
fn an_unreachable_postgres_is_a_connect_error() {
    let port = perfkit_testkit::free_port();
    let error = database::run(
        "pg",
        &bench(
            format!("postgres://app:secret@127.0.0.1:{port}/x"),
            &[],
            &["SELECT 1"],
        ),
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, DatabaseError::Connect { .. }), "{message}");
    assert!(
        message.contains("app:***@127.0.0.1") && !message.contains("secret"),
        "{message}"
    );
}
