//! `perfkit benchmark --database`: SQL queries against PostgreSQL (tokio-postgres) or
//! SQLite (rusqlite), swept over connection-pool sizes. At each size, that many
//! connections each run the queries in turn as fast as they return (a closed loop);
//! the knee is the smallest pool reaching 95% of the best throughput seen.
//!
//! Each step also keeps a per-interval time series (queries/s and latency
//! percentiles), which `--compare` tests against a stored sweep like an HTTP run's.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::summary::{new_histogram, sample_of, Latency, Sample};

/// Share of the peak throughput the recommended pool size must reach.
pub const KNEE_SHARE: f64 = 0.95;

/// One database to benchmark (an entry of `databases:` in the scenario file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseBenchmark {
    /// `postgres://user@host:port/db` or `sqlite:PATH`.
    pub url: String,
    /// Statements run once, before the sweep (e.g. to create a test table).
    #[serde(default)]
    pub setup: Vec<String>,
    /// Run in turn by every connection.
    pub queries: Vec<String>,
    /// Pool sizes to sweep (each also the number of concurrent clients).
    pub pool_sizes: Vec<usize>,
    #[serde(with = "humantime_serde")]
    pub duration_per_step: Duration,
    /// Width of one time-series sample within a step (default: a tenth of
    /// `duration_per_step`, so each step has ten samples to compare).
    #[serde(default, with = "humantime_serde")]
    pub sample_interval: Option<Duration>,
}

impl DatabaseBenchmark {
    /// The sample width in force.
    pub fn interval(&self) -> Duration {
        self.sample_interval
            .unwrap_or(self.duration_per_step / 10)
            .max(Duration::from_millis(1))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("{url}: setup statement `{statement}` failed: {message}")]
    Setup {
        url: String,
        statement: String,
        message: String,
    },
    #[error("{url}: query `{query}` failed: {message}")]
    Query {
        url: String,
        query: String,
        message: String,
    },
    #[error("cannot start the database runtime: {0}")]
    Runtime(std::io::Error),
}

/// One pool size's measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolStep {
    pub pool_size: usize,
    pub queries: u64,
    pub errors: u64,
    pub qps: f64,
    pub latency: Latency,
    /// One sample per interval of the step (`rps` = successful queries/s).
    #[serde(default)]
    pub series: Vec<Sample>,
}

/// A database's sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseRun {
    pub name: String,
    /// `postgresql` or `sqlite`.
    pub backend: String,
    /// The URL with any password replaced by `***`.
    pub url: String,
    pub steps: Vec<PoolStep>,
    pub peak_qps: f64,
    /// Smallest pool size reaching [`KNEE_SHARE`] of `peak_qps`.
    pub knee: Option<usize>,
    #[serde(default)]
    pub sample_interval_seconds: f64,
}

/// Replaces the password of `scheme://user:password@host` by `***`.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((credentials, host)) = rest.split_once('@') {
            if let Some((user, _)) = credentials.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_owned()
}

/// Sweeps `bench.pool_sizes` against its database.
pub fn run(name: &str, bench: &DatabaseBenchmark) -> Result<DatabaseRun, DatabaseError> {
    let url = redact(&bench.url);
    let (backend, steps) = match bench.url.strip_prefix("sqlite:") {
        Some(path) => ("sqlite", sqlite::sweep(path, &url, bench)?),
        None => ("postgresql", postgres::sweep(&url, bench)?),
    };
    let peak_qps = steps.iter().map(|s| s.qps).fold(0.0, f64::max);
    Ok(DatabaseRun {
        name: name.to_owned(),
        backend: backend.to_owned(),
        url,
        knee: knee(&steps, peak_qps),
        peak_qps,
        steps,
        sample_interval_seconds: bench.interval().as_secs_f64(),
    })
}

fn knee(steps: &[PoolStep], peak: f64) -> Option<usize> {
    let mut sizes: Vec<&PoolStep> = steps.iter().filter(|s| s.qps > 0.0).collect();
    sizes.sort_by_key(|s| s.pool_size);
    sizes
        .into_iter()
        .find(|s| s.qps >= KNEE_SHARE * peak)
        .map(|s| s.pool_size)
}

/// One interval's counts, merged from every client of a step.
struct IntervalAcc {
    histogram: Option<Histogram<u64>>,
    queries: u64,
    errors: u64,
}

/// A step's time series while it runs. Each client merges its current interval in
/// when it moves on to the next one: one lock per client per interval, none per query.
struct Intervals {
    start: Instant,
    width: Duration,
    length: Duration,
    count: usize,
    slots: Mutex<Vec<IntervalAcc>>,
}

impl Intervals {
    fn new(start: Instant, length: Duration, width: Duration) -> Arc<Intervals> {
        let count = length.as_nanos().div_ceil(width.as_nanos()).max(1) as usize;
        Arc::new(Intervals {
            start,
            width,
            length,
            count,
            slots: Mutex::new(
                (0..count)
                    .map(|_| IntervalAcc {
                        histogram: None,
                        queries: 0,
                        errors: 0,
                    })
                    .collect(),
            ),
        })
    }

    /// The interval `at` falls in (late completions count in the last one).
    fn index(&self, at: Instant) -> usize {
        let index = at.saturating_duration_since(self.start).as_nanos() / self.width.as_nanos();
        (index as usize).min(self.count - 1)
    }

    /// One sample per interval; the last one's rate uses its own (possibly shorter) width.
    fn series(&self) -> Vec<Sample> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let empty = new_histogram();
        slots
            .iter()
            .enumerate()
            .map(|(i, acc)| {
                let from = self.width * i as u32;
                let width = self.width.min(self.length.saturating_sub(from));
                let width = if width.is_zero() { self.width } else { width };
                let histogram = acc.histogram.as_ref().unwrap_or(&empty);
                let mut sample = sample_of(
                    from.as_secs_f64(),
                    width,
                    acc.queries,
                    acc.errors,
                    histogram,
                );
                sample.rps = (acc.queries - acc.errors) as f64 / width.as_secs_f64();
                sample
            })
            .collect()
    }
}

/// One client's tally during a step.
struct Tally {
    histogram: Histogram<u64>,
    queries: u64,
    errors: u64,
    first_error: Option<(String, String)>,
    intervals: Arc<Intervals>,
    current: usize,
    current_histogram: Histogram<u64>,
    current_queries: u64,
    current_errors: u64,
}

impl Tally {
    fn new(intervals: Arc<Intervals>) -> Tally {
        Tally {
            histogram: new_histogram(),
            queries: 0,
            errors: 0,
            first_error: None,
            intervals,
            current: 0,
            current_histogram: new_histogram(),
            current_queries: 0,
            current_errors: 0,
        }
    }

    fn record(&mut self, started: Instant, result: Result<(), (String, String)>) {
        let now = Instant::now();
        let index = self.intervals.index(now);
        if index != self.current {
            self.flush();
            self.current = index;
        }
        self.queries += 1;
        self.current_queries += 1;
        match result {
            Ok(()) => {
                let micros = (now.saturating_duration_since(started).as_micros() as u64).max(1);
                self.histogram.saturating_record(micros);
                self.current_histogram.saturating_record(micros);
            }
            Err(error) => {
                self.errors += 1;
                self.current_errors += 1;
                self.first_error.get_or_insert(error);
            }
        }
    }

    /// Merges the current interval into the step's series.
    fn flush(&mut self) {
        if self.current_queries == 0 {
            return;
        }
        let mut slots = (self.intervals.slots.lock()).unwrap_or_else(|e| e.into_inner());
        let slot = &mut slots[self.current];
        slot.queries += self.current_queries;
        slot.errors += self.current_errors;
        let _ = slot
            .histogram
            .get_or_insert_with(new_histogram)
            .add(&self.current_histogram);
        self.current_histogram.reset();
        self.current_queries = 0;
        self.current_errors = 0;
    }
}

/// Merges the clients' tallies; every query failing is an error naming the query.
fn step_of(
    url: &str,
    pool_size: usize,
    tallies: Vec<Tally>,
    intervals: &Intervals,
    seconds: f64,
) -> Result<PoolStep, DatabaseError> {
    let mut all = Tally::new(Intervals::new(
        intervals.start,
        intervals.length,
        intervals.width,
    ));
    for mut tally in tallies {
        tally.flush();
        let _ = all.histogram.add(&tally.histogram);
        all.queries += tally.queries;
        all.errors += tally.errors;
        if all.first_error.is_none() {
            all.first_error = tally.first_error;
        }
    }
    if all.queries > 0 && all.errors == all.queries {
        let (query, message) = all.first_error.unwrap_or_default();
        return Err(DatabaseError::Query {
            url: url.to_owned(),
            query,
            message,
        });
    }
    Ok(PoolStep {
        pool_size,
        queries: all.queries,
        errors: all.errors,
        qps: (all.queries - all.errors) as f64 / seconds,
        latency: Latency::of(&all.histogram),
        series: intervals.series(),
    })
}

mod postgres {
    use super::*;
    use tokio_postgres::{Client, NoTls, Statement};

    async fn connect(url: &str, redacted: &str) -> Result<Client, DatabaseError> {
        let (client, connection) =
            tokio_postgres::connect(url, NoTls)
                .await
                .map_err(|e| DatabaseError::Connect {
                    url: redacted.to_owned(),
                    message: e.to_string(),
                })?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    pub(super) fn sweep(
        redacted: &str,
        bench: &DatabaseBenchmark,
    ) -> Result<Vec<PoolStep>, DatabaseError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(std::thread::available_parallelism().map_or(1, |n| n.get()))
            .enable_all()
            .build()
            .map_err(DatabaseError::Runtime)?;
        runtime.block_on(async {
            let setup = connect(&bench.url, redacted).await?;
            for statement in &bench.setup {
                setup
                    .batch_execute(statement)
                    .await
                    .map_err(|e| DatabaseError::Setup {
                        url: redacted.to_owned(),
                        statement: statement.clone(),
                        message: db_message(&e),
                    })?;
            }
            drop(setup);
            let mut steps = Vec::new();
            for &pool_size in &bench.pool_sizes {
                steps.push(step(redacted, bench, pool_size).await?);
            }
            Ok(steps)
        })
    }

    fn db_message(error: &tokio_postgres::Error) -> String {
        error
            .as_db_error()
            .map_or_else(|| error.to_string(), |db| db.message().to_owned())
    }

    async fn step(
        redacted: &str,
        bench: &DatabaseBenchmark,
        pool_size: usize,
    ) -> Result<PoolStep, DatabaseError> {
        let mut clients = Vec::new();
        for _ in 0..pool_size {
            let client = connect(&bench.url, redacted).await?;
            let mut statements: Vec<(Statement, String)> = Vec::new();
            for query in &bench.queries {
                let statement = client
                    .prepare(query)
                    .await
                    .map_err(|e| DatabaseError::Query {
                        url: redacted.to_owned(),
                        query: query.clone(),
                        message: db_message(&e),
                    })?;
                statements.push((statement, query.clone()));
            }
            clients.push((client, statements));
        }
        let started = Instant::now();
        let end = started + bench.duration_per_step;
        let intervals = Intervals::new(started, bench.duration_per_step, bench.interval());
        let mut tasks = Vec::new();
        for (i, (client, statements)) in clients.into_iter().enumerate() {
            let intervals = Arc::clone(&intervals);
            tasks.push(tokio::spawn(async move {
                let mut tally = Tally::new(intervals);
                let mut next = i;
                while Instant::now() < end {
                    let (statement, query) = &statements[next % statements.len()];
                    next += 1;
                    let t0 = Instant::now();
                    let result = client
                        .query(statement, &[])
                        .await
                        .map(drop)
                        .map_err(|e| (query.clone(), db_message(&e)));
                    tally.record(t0, result);
                }
                tally
            }));
        }
        let mut tallies = Vec::new();
        for task in tasks {
            if let Ok(tally) = task.await {
                tallies.push(tally);
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        step_of(redacted, pool_size, tallies, &intervals, seconds)
    }
}

mod sqlite {
    use super::*;
    use rusqlite::Connection;

    fn open(path: &str, redacted: &str) -> Result<Connection, DatabaseError> {
        let connection = Connection::open(path).map_err(|e| DatabaseError::Connect {
            url: redacted.to_owned(),
            message: e.to_string(),
        })?;
        connection
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| DatabaseError::Connect {
                url: redacted.to_owned(),
                message: e.to_string(),
            })?;
        Ok(connection)
    }

    /// Runs `query` to completion, reading (and dropping) every row.
    fn execute(connection: &Connection, query: &str) -> Result<(), String> {
        let mut statement = connection
            .prepare_cached(query)
            .map_err(|e| e.to_string())?;
        let mut rows = statement.query([]).map_err(|e| e.to_string())?;
        while rows.next().map_err(|e| e.to_string())?.is_some() {}
        Ok(())
    }

    pub(super) fn sweep(
        path: &str,
        redacted: &str,
        bench: &DatabaseBenchmark,
    ) -> Result<Vec<PoolStep>, DatabaseError> {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| DatabaseError::Connect {
                    url: redacted.to_owned(),
                    message: format!("creating {}: {e}", parent.display()),
                })?;
            }
        }
        let setup = open(path, redacted)?;
        for statement in &bench.setup {
            setup
                .execute_batch(statement)
                .map_err(|e| DatabaseError::Setup {
                    url: redacted.to_owned(),
                    statement: statement.clone(),
                    message: e.to_string(),
                })?;
        }
        for query in &bench.queries {
            setup.prepare(query).map_err(|e| DatabaseError::Query {
                url: redacted.to_owned(),
                query: query.clone(),
                message: e.to_string(),
            })?;
        }
        drop(setup);
        let mut steps = Vec::new();
        for &pool_size in &bench.pool_sizes {
            let mut connections = Vec::new();
            for _ in 0..pool_size {
                connections.push(open(path, redacted)?);
            }
            let started = Instant::now();
            let end = started + bench.duration_per_step;
            let intervals = Intervals::new(started, bench.duration_per_step, bench.interval());
            let tallies = std::thread::scope(|scope| {
                let handles: Vec<_> = connections
                    .into_iter()
                    .enumerate()
                    .map(|(i, connection)| {
                        let queries = &bench.queries;
                        let intervals = Arc::clone(&intervals);
                        scope.spawn(move || {
                            let mut tally = Tally::new(intervals);
                            let mut next = i;
                            while Instant::now() < end {
                                let query = &queries[next % queries.len()];
                                next += 1;
                                let t0 = Instant::now();
                                let result =
                                    execute(&connection, query).map_err(|e| (query.clone(), e));
                                tally.record(t0, result);
                            }
                            tally
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .filter_map(|h| h.join().ok())
                    .collect::<Vec<_>>()
            });
            let seconds = started.elapsed().as_secs_f64();
            steps.push(step_of(redacted, pool_size, tallies, &intervals, seconds)?);
        }
        Ok(steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(pool_size: usize, qps: f64) -> PoolStep {
        PoolStep {
            pool_size,
            queries: 1,
            errors: 0,
            qps,
            latency: Latency::default(),
            series: Vec::new(),
        }
    }

    #[test]
    fn knee_is_the_smallest_pool_near_the_peak() {
        let steps = [
            step(8, 990.0),
            step(1, 300.0),
            step(2, 600.0),
            step(4, 960.0),
            step(16, 1000.0),
        ];
        assert_eq!(knee(&steps, 1000.0), Some(4));
        assert_eq!(knee(&[], 0.0), None);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(redact("sqlite:app.db"), "sqlite:app.db");
    }
}
