//! The load engine: one OS thread per event loop, each a current-thread tokio runtime
//! driving its share of the connections; per-thread HDR histograms merged at the end;
//! per-interval partial histograms sent to the coordinating thread, which turns each
//! interval into one [`Sample`] and drops it (memory is flat in the run's length).
//!
//! Closed loop: a connection sends its next request when the last one returned, and
//! latency is measured from the actual send. Open loop: arrival `k` is due at a time
//! fixed by the schedule, and its latency is measured from that *intended* time, so a
//! stalled server shows up in the percentiles instead of silently slowing the sender
//! (coordinated omission).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::io::AsyncWriteExt;

use crate::cache::CacheLookup;
use crate::http1::{encode_request, ReadError, Response, ResponseReader};
use crate::http2::{H2Connection, H2Failure, H2Request};
use crate::scenario::{LoadModel, Scenario};
use crate::schedule::Schedule;
use crate::summary::{
    new_histogram, sample_of, EndpointResult, Latency, RunResult, Sample, Totals,
};
use crate::transport::{Deadline, Stream, TlsTarget};

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot resolve target {target}: {message}")]
    Resolve { target: String, message: String },
    #[error("cannot start a load thread: {0}")]
    Thread(std::io::Error),
    #[error("endpoint {endpoint}: {message}")]
    Request { endpoint: String, message: String },
}

/// Delay before the first request, so every thread is ready when the clock starts.
const START_MARGIN: Duration = Duration::from_millis(50);

/// Transport failure kinds, in the order of [`FAILURE_NAMES`].
#[derive(Debug, Clone, Copy)]
enum Failure {
    Connect,
    Write,
    Read,
    Closed,
    Malformed,
    Timeout,
}

const FAILURE_NAMES: [&str; 6] = ["connect", "write", "read", "closed", "malformed", "timeout"];

struct Encoded {
    bytes: Vec<u8>,
    head: bool,
    /// Set for `http2` endpoints: sent over HTTP/2 instead of `bytes` over HTTP/1.1.
    h2: Option<H2Request>,
}

/// Everything the threads share, immutable during the run.
struct Plan {
    addr: SocketAddr,
    /// `https://` targets.
    tls: Option<TlsTarget>,
    requests: Vec<Encoded>,
    /// Weighted round-robin table of endpoint indexes.
    picks: Vec<usize>,
    expected: Vec<Box<dyn Fn(u16) -> bool + Send + Sync>>,
    model: LoadModel,
    connections: usize,
    threads: usize,
    timeout: Duration,
    interval: Duration,
    start: Instant,
    measure_start: Instant,
    /// Time-bound runs end here (nothing is sent after it).
    end: Option<Instant>,
    /// Request-count runs: requests left to claim (closed loop).
    remaining: Option<AtomicU64>,
    /// Open loop: arrivals due before this index are sent (request-count runs).
    last_arrival: Option<u64>,
    schedule: Schedule,
    /// Closed loop: `(offset from start, active connections)` per stage.
    closed_stages: Vec<(Duration, usize)>,
    /// Index of the last interval of a time-bound run.
    last_interval: Option<u64>,
}

impl Plan {
    fn active_connections(&self, now: Instant) -> (usize, Option<Instant>) {
        let offset = now.saturating_duration_since(self.measure_start);
        let mut active = self.connections;
        for (i, (from, connections)) in self.closed_stages.iter().enumerate() {
            if offset >= *from || i == 0 {
                active = *connections;
            }
            if offset < *from {
                return (active, Some(self.measure_start + *from));
            }
        }
        (active, None)
    }
}

/// Per-endpoint totals kept by one thread.
struct EndpointStats {
    histogram: Histogram<u64>,
    requests: u64,
    errors: u64,
    bytes_received: u64,
    bytes_sent: u64,
    statuses: BTreeMap<u16, u64>,
    failures: [u64; 6],
    cache_hits: u64,
    cache_misses: u64,
}

impl EndpointStats {
    fn new() -> Self {
        EndpointStats {
            histogram: new_histogram(),
            requests: 0,
            errors: 0,
            bytes_received: 0,
            bytes_sent: 0,
            statuses: BTreeMap::new(),
            failures: [0; 6],
            cache_hits: 0,
            cache_misses: 0,
        }
    }
}

/// One endpoint's share of one interval from one thread, as sparse histogram counts.
struct IntervalPart {
    requests: u64,
    errors: u64,
    recorded: Vec<(u64, u64)>,
}

struct IntervalReport {
    index: u64,
    parts: Vec<IntervalPart>,
}

struct IntervalAcc {
    histogram: Histogram<u64>,
    requests: u64,
    errors: u64,
}

/// One thread's statistics, shared by its connection tasks.
///
/// A latency is recorded once, in the interval's histogram; the run's totals receive
/// each interval's counts when it is flushed.
struct ThreadStats {
    totals: Vec<EndpointStats>,
    interval: Vec<IntervalAcc>,
    current: u64,
    /// Completions before this instant belong to interval `current` (no clock
    /// arithmetic per request, only a comparison).
    next_boundary: Instant,
    sender: mpsc::Sender<IntervalReport>,
}

impl ThreadStats {
    fn flush_until(&mut self, index: u64) {
        while self.current < index {
            let parts = self
                .interval
                .iter_mut()
                .zip(&mut self.totals)
                .map(|(acc, totals)| {
                    let recorded: Vec<(u64, u64)> = (acc.histogram.iter_recorded())
                        .map(|v| (v.value_iterated_to(), v.count_at_value()))
                        .collect();
                    for (value, count) in &recorded {
                        totals.histogram.saturating_record_n(*value, *count);
                    }
                    let part = IntervalPart {
                        requests: acc.requests,
                        errors: acc.errors,
                        recorded,
                    };
                    acc.histogram.reset();
                    acc.requests = 0;
                    acc.errors = 0;
                    part
                })
                .collect();
            // The coordinator outlives the threads; a send fails only if it panicked.
            let _ = self.sender.send(IntervalReport {
                index: self.current,
                parts,
            });
            self.current += 1;
        }
    }
}

fn interval_index(plan: &Plan, at: Instant) -> u64 {
    let index = (at.saturating_duration_since(plan.measure_start).as_nanos()
        / plan.interval.as_nanos().max(1)) as u64;
    plan.last_interval.map_or(index, |last| index.min(last))
}

/// Where interval `index` ends (never, for the last interval of a time-bound run).
fn interval_end(plan: &Plan, index: u64) -> Instant {
    if plan.last_interval.is_some_and(|last| index >= last) {
        return plan.measure_start + Duration::from_secs(365 * 24 * 3600);
    }
    let nanos = plan
        .interval
        .as_nanos()
        .saturating_mul(u128::from(index) + 1);
    plan.measure_start + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

impl ThreadStats {
    /// Flushes finished intervals so that a completion at `now` lands in its own.
    fn advance_to(&mut self, plan: &Plan, now: Instant) {
        if now >= self.next_boundary {
            let index = interval_index(plan, now);
            self.flush_until(index);
            self.next_boundary = interval_end(plan, index);
        }
    }
}

/// Records one outcome and returns the instant it was recorded at.
fn record(
    plan: &Plan,
    stats: &RefCell<ThreadStats>,
    endpoint: usize,
    started: Instant,
    outcome: Result<(Response, usize), (Failure, usize)>,
) -> Instant {
    let now = Instant::now();
    if started < plan.measure_start {
        return now;
    }
    let mut stats = stats.borrow_mut();
    stats.advance_to(plan, now);
    let stats = &mut *stats;
    let totals = &mut stats.totals[endpoint];
    let acc = &mut stats.interval[endpoint];
    totals.requests += 1;
    acc.requests += 1;
    match outcome {
        Ok((response, sent)) => {
            let micros = now.saturating_duration_since(started).as_micros() as u64;
            let micros = micros.clamp(1, 3_600_000_000);
            acc.histogram.saturating_record(micros);
            totals.bytes_received += response.bytes;
            totals.bytes_sent += sent as u64;
            *totals.statuses.entry(response.status).or_default() += 1;
            match response.cache {
                CacheLookup::Hit => totals.cache_hits += 1,
                CacheLookup::Miss => totals.cache_misses += 1,
                CacheLookup::NotCounted => {}
            }
            if !(plan.expected[endpoint])(response.status) {
                totals.errors += 1;
                acc.errors += 1;
            }
        }
        Err((failure, sent)) => {
            totals.bytes_sent += sent as u64;
            totals.failures[failure as usize] += 1;
            totals.errors += 1;
            acc.errors += 1;
        }
    }
    now
}

/// A connection: the socket (opened lazily, reopened after errors) and its buffer,
/// and for HTTP/2 endpoints an HTTP/2 connection (also lazy).
struct Connection {
    stream: Option<Stream>,
    reader: ResponseReader,
    h2: Option<H2Connection>,
    deadline: Deadline,
}

impl Connection {
    fn new() -> Connection {
        Connection {
            stream: None,
            reader: ResponseReader::default(),
            h2: None,
            deadline: Deadline::new(),
        }
    }

    /// Sends one request, starting at `now`, and reads its response; returns bytes
    /// sent with the outcome.
    async fn exchange(
        &mut self,
        plan: &Plan,
        request: &Encoded,
        now: Instant,
    ) -> Result<(Response, usize), (Failure, usize)> {
        let deadline = now + plan.timeout;
        if let Some(h2) = &request.h2 {
            let Connection {
                h2: slot,
                deadline: timer,
                ..
            } = self;
            let result = timer.bound(deadline, exchange_h2(slot, plan, h2)).await;
            let result = result.unwrap_or(Err((Failure::Timeout, 0)));
            if result.is_err() {
                self.h2 = None;
            }
            return result;
        }
        let Connection {
            stream,
            reader,
            deadline: timer,
            ..
        } = self;
        let result = timer
            .bound(deadline, exchange_h1(stream, reader, plan, request))
            .await;
        let result = result.unwrap_or(Err((Failure::Timeout, 0)));
        if !matches!(
            result,
            Ok((
                Response {
                    keep_alive: true,
                    ..
                },
                _
            ))
        ) {
            self.stream = None;
            self.reader.clear();
        }
        result
    }
}

async fn exchange_h2(
    slot: &mut Option<H2Connection>,
    plan: &Plan,
    request: &H2Request,
) -> Result<(Response, usize), (Failure, usize)> {
    if slot.as_ref().is_none_or(H2Connection::is_closed) {
        *slot = None;
        let connection = H2Connection::connect(plan.addr, plan.tls.as_ref())
            .await
            .map_err(|_| (Failure::Connect, 0))?;
        *slot = Some(connection);
    }
    let connection = slot.as_mut().expect("connected above");
    match connection.exchange(request).await {
        Ok(outcome) => Ok((
            Response {
                status: outcome.status,
                bytes: outcome.received,
                keep_alive: true,
                cache: outcome.cache,
            },
            outcome.sent as usize,
        )),
        Err(failure) => {
            let (_, sent) = connection.take_wire_bytes();
            let failure = match failure {
                H2Failure::Connect => Failure::Connect,
                H2Failure::Write => Failure::Write,
                H2Failure::Read => Failure::Read,
            };
            Err((failure, sent as usize))
        }
    }
}

async fn exchange_h1(
    slot: &mut Option<Stream>,
    reader: &mut ResponseReader,
    plan: &Plan,
    request: &Encoded,
) -> Result<(Response, usize), (Failure, usize)> {
    if slot.is_none() {
        let stream = crate::transport::connect(plan.addr, plan.tls.as_ref(), false)
            .await
            .map_err(|_| (Failure::Connect, 0))?;
        *slot = Some(stream);
        reader.clear();
    }
    let stream = slot.as_mut().expect("connected above");
    stream
        .write_all(&request.bytes)
        .await
        .map_err(|_| (Failure::Write, 0))?;
    let sent = request.bytes.len();
    match reader.read(stream, request.head).await {
        Ok(response) => Ok((response, sent)),
        Err(ReadError::Io) => Err((Failure::Read, sent)),
        Err(ReadError::Closed) => Err((Failure::Closed, sent)),
        Err(ReadError::Malformed) => Err((Failure::Malformed, sent)),
    }
}

/// After a failed connect, wait this long before the next attempt (no busy loop
/// against a server that is down).
const RECONNECT_PAUSE: Duration = Duration::from_millis(10);

async fn closed_loop(plan: Arc<Plan>, stats: Rc<RefCell<ThreadStats>>, id: usize) {
    let mut connection = Connection::new();
    let mut sequence = 0usize;
    tokio::time::sleep_until(plan.start.into()).await;
    let mut now = Instant::now();
    loop {
        if plan.end.is_some_and(|end| now >= end) {
            break;
        }
        let (active, next_change) = plan.active_connections(now);
        if id >= active {
            connection.stream = None;
            connection.h2 = None;
            match next_change.or(plan.end) {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => break,
            }
            now = Instant::now();
            continue;
        }
        // Request-count runs number requests globally, so the weights hold exactly.
        let mut slot = sequence * plan.connections + id;
        sequence += 1;
        if now >= plan.measure_start {
            if let Some(remaining) = &plan.remaining {
                let claimed = remaining
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
                match claimed {
                    Ok(left) => slot = left as usize,
                    Err(_) => break,
                }
            }
        }
        let endpoint = plan.picks[slot % plan.picks.len()];
        let outcome = (connection.exchange(&plan, &plan.requests[endpoint], now)).await;
        let failed_connect = matches!(outcome, Err((Failure::Connect, _)));
        // The completion instant is the next request's send instant (one clock read
        // per request).
        now = record(&plan, &stats, endpoint, now, outcome);
        if failed_connect {
            tokio::time::sleep(RECONNECT_PAUSE).await;
            now = Instant::now();
        }
    }
}

async fn open_loop(plan: Arc<Plan>, stats: Rc<RefCell<ThreadStats>>, id: usize) {
    let mut connection = Connection::new();
    let stride = plan.connections as u64;
    let mut arrival = id as u64;
    loop {
        if plan.last_arrival.is_some_and(|last| arrival >= last) {
            break;
        }
        let Some(at) = plan.schedule.time_of(arrival) else {
            break;
        };
        let intended = plan.start + Duration::from_secs_f64(at);
        if plan.end.is_some_and(|end| intended >= end) {
            break;
        }
        let mut now = Instant::now();
        if intended > now {
            tokio::time::sleep_until(intended.into()).await;
            now = Instant::now();
        }
        let endpoint = plan.picks[(arrival as usize) % plan.picks.len()];
        arrival += stride;
        let outcome = (connection.exchange(&plan, &plan.requests[endpoint], now)).await;
        let failed_connect = matches!(outcome, Err((Failure::Connect, _)));
        record(&plan, &stats, endpoint, intended, outcome);
        if failed_connect {
            tokio::time::sleep(RECONNECT_PAUSE).await;
        }
    }
}

/// Flushes the thread's interval data at every interval boundary, so intervals with
/// no completions (a stalled server) are still reported on time.
async fn ticker(plan: Arc<Plan>, stats: Rc<RefCell<ThreadStats>>) {
    let mut next = 1u64;
    loop {
        let boundary = plan.measure_start + plan.interval * next as u32;
        tokio::time::sleep_until(boundary.into()).await;
        stats.borrow_mut().advance_to(&plan, Instant::now());
        next += 1;
    }
}

fn run_thread(
    plan: Arc<Plan>,
    thread: usize,
    sender: mpsc::Sender<IntervalReport>,
) -> std::io::Result<Vec<EndpointStats>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let endpoints = plan.requests.len();
    let stats = Rc::new(RefCell::new(ThreadStats {
        totals: (0..endpoints).map(|_| EndpointStats::new()).collect(),
        interval: (0..endpoints)
            .map(|_| IntervalAcc {
                histogram: new_histogram(),
                requests: 0,
                errors: 0,
            })
            .collect(),
        current: 0,
        next_boundary: interval_end(&plan, 0),
        sender,
    }));
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let mut tasks = Vec::new();
        for id in (thread..plan.connections).step_by(plan.threads) {
            let (plan, stats) = (Arc::clone(&plan), Rc::clone(&stats));
            tasks.push(match plan.model {
                LoadModel::Closed => tokio::task::spawn_local(closed_loop(plan, stats, id)),
                LoadModel::Open => tokio::task::spawn_local(open_loop(plan, stats, id)),
            });
        }
        let ticker = tokio::task::spawn_local(ticker(Arc::clone(&plan), Rc::clone(&stats)));
        for task in tasks {
            let _ = task.await;
        }
        ticker.abort();
    });
    let mut stats = stats.borrow_mut();
    let last = interval_index(&plan, Instant::now());
    stats.flush_until(last + 1);
    Ok(std::mem::take(&mut stats.totals))
}

/// Merges interval reports into samples as soon as every thread has sent its part.
struct Coordinator {
    threads: usize,
    interval: Duration,
    pending: BTreeMap<u64, (usize, Vec<IntervalAcc>)>,
    /// Next interval to turn into a sample.
    next: u64,
    overall: Histogram<u64>,
    series: Vec<Sample>,
    endpoint_series: Vec<Vec<Sample>>,
    /// Accumulators of finished intervals, reset for reuse (no allocation per interval).
    spare: Vec<Vec<IntervalAcc>>,
}

impl Coordinator {
    fn add(&mut self, report: IntervalReport) {
        let endpoints = report.parts.len();
        let spare = &mut self.spare;
        let entry = self.pending.entry(report.index).or_insert_with(|| {
            let accs = spare.pop().unwrap_or_else(|| {
                (0..endpoints)
                    .map(|_| IntervalAcc {
                        histogram: new_histogram(),
                        requests: 0,
                        errors: 0,
                    })
                    .collect()
            });
            (0, accs)
        });
        entry.0 += 1;
        for (acc, part) in entry.1.iter_mut().zip(report.parts) {
            acc.requests += part.requests;
            acc.errors += part.errors;
            for (value, count) in part.recorded {
                acc.histogram.saturating_record_n(value, count);
            }
        }
    }

    /// Turns complete intervals (or all of them, at the end) into samples.
    fn drain(&mut self, all: bool, progress: &mut dyn FnMut(&Sample)) {
        while let Some(entry) = self.pending.first_entry() {
            let complete = entry.get().0 >= self.threads;
            if !(complete || all) {
                break;
            }
            let index = *entry.key();
            let (_, mut accs) = entry.remove();
            // Intervals nobody reported (all idle) are empty samples.
            while self.next < index {
                let at = self.next as f64 * self.interval.as_secs_f64();
                self.series.push(Sample {
                    at,
                    ..Sample::default()
                });
                for series in &mut self.endpoint_series {
                    series.push(Sample {
                        at,
                        ..Sample::default()
                    });
                }
                self.next += 1;
            }
            let at = index as f64 * self.interval.as_secs_f64();
            self.overall.reset();
            let (mut requests, mut errors) = (0, 0);
            for (i, acc) in accs.iter().enumerate() {
                let _ = self.overall.add(&acc.histogram);
                requests += acc.requests;
                errors += acc.errors;
                let sample = sample_of(at, self.interval, acc.requests, acc.errors, &acc.histogram);
                self.endpoint_series[i].push(sample);
            }
            let sample = sample_of(at, self.interval, requests, errors, &self.overall);
            progress(&sample);
            self.series.push(sample);
            self.next = index + 1;
            for acc in &mut accs {
                acc.histogram.reset();
                acc.requests = 0;
                acc.errors = 0;
            }
            self.spare.push(accs);
        }
    }
}

fn build_plan(scenario: &Scenario) -> Result<Plan, EngineError> {
    let authority = &scenario.target.authority;
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| EngineError::Resolve {
            target: authority.clone(),
            message: e.to_string(),
        })?
        .next()
        .ok_or_else(|| EngineError::Resolve {
            target: authority.clone(),
            message: "no address".into(),
        })?;
    let mut requests = Vec::new();
    for e in &scenario.endpoints {
        let headers: Vec<(String, String)> = (e.headers.iter())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let body = e.body.as_deref().unwrap_or("").as_bytes();
        let h2 = if e.http2.unwrap_or(scenario.http2) {
            let scheme = if scenario.target.tls { "https" } else { "http" };
            let request = H2Request::new(&e.method, scheme, &e.path, authority, &headers, body)
                .map_err(|message| EngineError::Request {
                    endpoint: e.name.clone(),
                    message,
                })?;
            Some(request)
        } else {
            None
        };
        requests.push(Encoded {
            bytes: encode_request(&e.method, &e.path, authority, &headers, body),
            head: e.method == "HEAD",
            h2,
        });
    }
    let picks = interleave_weights(
        &scenario
            .endpoints
            .iter()
            .map(|e| e.weight)
            .collect::<Vec<_>>(),
    );
    let expected = scenario
        .endpoints
        .iter()
        .map(|e| {
            let endpoint = e.clone();
            Box::new(move |status| endpoint.expects(status))
                as Box<dyn Fn(u16) -> bool + Send + Sync>
        })
        .collect();

    let load = &scenario.load;
    let warmup = scenario.warmup.unwrap_or_default();
    let start = Instant::now() + START_MARGIN;
    let measure_start = start + warmup;
    let length = scenario.measured_length();
    let end = length.map(|l| measure_start + l);
    let last_interval = length.map(|l| {
        let n = (l.as_nanos() / scenario.sample_interval.as_nanos().max(1)) as u64;
        let exact = l.as_nanos() % scenario.sample_interval.as_nanos().max(1) == 0;
        if exact {
            n.saturating_sub(1)
        } else {
            n
        }
    });

    let mut schedule = Schedule::default();
    let mut last_arrival = None;
    if load.model == LoadModel::Open {
        let first_rate = match load.stages.first() {
            Some(stage) => stage.rate.or(stage.from).unwrap_or(0.0),
            None => load.rate.unwrap_or(0.0),
        };
        if !warmup.is_zero() {
            schedule.push(warmup.as_secs_f64(), first_rate, first_rate);
        }
        if load.stages.is_empty() {
            let seconds = length.map_or(f64::INFINITY, |l| l.as_secs_f64());
            let rate = load.rate.unwrap_or(0.0);
            schedule.push(seconds, rate, rate);
        } else {
            for stage in &load.stages {
                let (from, to) = match stage.rate {
                    Some(rate) => (rate, rate),
                    None => (stage.from.unwrap_or(0.0), stage.to.unwrap_or(0.0)),
                };
                schedule.push(stage.duration.as_secs_f64(), from, to);
            }
        }
        if let Some(requests) = scenario.requests {
            let warm = schedule.arrivals_until(warmup.as_secs_f64()).ceil() as u64;
            last_arrival = Some(warm + requests);
        }
    }
    let mut offset = Duration::ZERO;
    let closed_stages = if load.model == LoadModel::Closed {
        load.stages
            .iter()
            .map(|stage| {
                let entry = (offset, stage.connections.unwrap_or(load.connections));
                offset += stage.duration;
                entry
            })
            .collect()
    } else {
        Vec::new()
    };
    let tls = if scenario.target.tls {
        Some(tls_target(scenario)?)
    } else {
        None
    };
    Ok(Plan {
        addr,
        tls,
        requests,
        picks,
        expected,
        model: load.model,
        connections: load.connections,
        threads: scenario.thread_count(),
        timeout: scenario.timeout,
        interval: scenario.sample_interval,
        start,
        measure_start,
        end,
        remaining: match load.model {
            LoadModel::Closed => scenario.requests.map(AtomicU64::new),
            LoadModel::Open => None,
        },
        last_arrival,
        schedule,
        closed_stages,
        last_interval,
    })
}

#[cfg(feature = "tls")]
fn tls_target(scenario: &Scenario) -> Result<TlsTarget, EngineError> {
    TlsTarget::new(scenario.target.host(), scenario.insecure).map_err(|message| {
        EngineError::Resolve {
            target: scenario.target.authority.clone(),
            message,
        }
    })
}

#[cfg(not(feature = "tls"))]
fn tls_target(scenario: &Scenario) -> Result<TlsTarget, EngineError> {
    Err(EngineError::Resolve {
        target: scenario.target.authority.clone(),
        message: "HTTPS needs perfkit built with the `tls` feature".into(),
    })
}

/// A smooth weighted round-robin sequence of endpoint indexes (as nginx balances).
fn interleave_weights(weights: &[u32]) -> Vec<usize> {
    let total: i64 = weights.iter().map(|w| i64::from(*w)).sum();
    let mut current = vec![0i64; weights.len()];
    (0..total)
        .map(|_| {
            for (c, w) in current.iter_mut().zip(weights) {
                *c += i64::from(*w);
            }
            let best = (0..weights.len())
                .max_by_key(|i| (current[*i], std::cmp::Reverse(*i)))
                .expect("at least one endpoint");
            current[best] -= total;
            best
        })
        .collect()
}

/// Runs `scenario` (named `name`), calling `progress` with each completed sample.
pub fn run(
    name: &str,
    scenario: &Scenario,
    progress: &mut dyn FnMut(&Sample),
) -> Result<RunResult, EngineError> {
    let plan = Arc::new(build_plan(scenario)?);
    let (sender, receiver) = mpsc::channel();
    let mut handles = Vec::new();
    for thread in 0..plan.threads {
        let (plan, sender) = (Arc::clone(&plan), sender.clone());
        let handle = std::thread::Builder::new()
            .name(format!("perfkit-bench-{thread}"))
            .spawn(move || run_thread(plan, thread, sender))
            .map_err(EngineError::Thread)?;
        handles.push(handle);
    }
    drop(sender);
    let endpoints = scenario.endpoints.len();
    let mut coordinator = Coordinator {
        threads: plan.threads,
        interval: plan.interval,
        pending: BTreeMap::new(),
        next: 0,
        overall: new_histogram(),
        series: Vec::new(),
        endpoint_series: vec![Vec::new(); endpoints],
        spare: Vec::new(),
    };
    // Ends when every thread has finished and dropped its sender.
    for report in receiver {
        coordinator.add(report);
        coordinator.drain(false, progress);
    }
    coordinator.drain(true, progress);
    let finished = Instant::now();

    let mut per_endpoint: Vec<EndpointStats> =
        (0..endpoints).map(|_| EndpointStats::new()).collect();
    for handle in handles {
        let thread_stats = handle
            .join()
            .map_err(|_| EngineError::Thread(std::io::Error::other("a load thread panicked")))?
            .map_err(EngineError::Thread)?;
        for (into, from) in per_endpoint.iter_mut().zip(thread_stats) {
            let _ = into.histogram.add(&from.histogram);
            into.requests += from.requests;
            into.errors += from.errors;
            into.bytes_received += from.bytes_received;
            into.bytes_sent += from.bytes_sent;
            into.cache_hits += from.cache_hits;
            into.cache_misses += from.cache_misses;
            for (status, count) in from.statuses {
                *into.statuses.entry(status).or_default() += count;
            }
            for (a, b) in into.failures.iter_mut().zip(from.failures) {
                *a += b;
            }
        }
    }
    let measured = match plan.end {
        Some(end) => end.saturating_duration_since(plan.measure_start),
        None => finished.saturating_duration_since(plan.measure_start),
    }
    .as_secs_f64()
    .max(1e-9);

    let mut all = EndpointStats::new();
    let mut results = Vec::new();
    for ((stats, endpoint), series) in per_endpoint
        .iter()
        .zip(&scenario.endpoints)
        .zip(coordinator.endpoint_series)
    {
        let _ = all.histogram.add(&stats.histogram);
        all.requests += stats.requests;
        all.errors += stats.errors;
        all.bytes_received += stats.bytes_received;
        all.bytes_sent += stats.bytes_sent;
        all.cache_hits += stats.cache_hits;
        all.cache_misses += stats.cache_misses;
        for (status, count) in &stats.statuses {
            *all.statuses.entry(*status).or_default() += count;
        }
        for (a, b) in all.failures.iter_mut().zip(stats.failures) {
            *a += b;
        }
        results.push(EndpointResult {
            name: endpoint.name.clone(),
            method: endpoint.method.clone(),
            path: endpoint.path.clone(),
            totals: totals_of(stats, measured),
            series,
        });
    }
    let mut result = RunResult {
        scenario: name.to_owned(),
        target: scenario.target.to_string(),
        model: scenario.load.model,
        threads: plan.threads,
        connections: plan.connections,
        rate: match scenario.load.model {
            LoadModel::Open => scenario.load.rate.or_else(|| {
                (scenario.load.stages.iter())
                    .flat_map(|s| [s.rate, s.from, s.to])
                    .flatten()
                    .reduce(f64::max)
            }),
            LoadModel::Closed => None,
        },
        measured_seconds: measured,
        sample_interval_seconds: plan.interval.as_secs_f64(),
        totals: totals_of(&all, measured),
        series: coordinator.series,
        endpoints: results,
        thresholds: Vec::new(),
    };
    result.evaluate(&scenario.thresholds);
    Ok(result)
}

fn totals_of(stats: &EndpointStats, seconds: f64) -> Totals {
    Totals {
        requests: stats.requests,
        errors: stats.errors,
        error_rate: if stats.requests == 0 {
            0.0
        } else {
            stats.errors as f64 / stats.requests as f64
        },
        rps: stats.requests as f64 / seconds,
        bytes_received: stats.bytes_received,
        bytes_sent: stats.bytes_sent,
        statuses: stats.statuses.clone(),
        failures: FAILURE_NAMES
            .iter()
            .zip(stats.failures)
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| ((*name).to_owned(), n))
            .collect(),
        latency: Latency::of(&stats.histogram),
        cache_hits: stats.cache_hits,
        cache_misses: stats.cache_misses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_interleave_smoothly() {
        assert_eq!(interleave_weights(&[3, 1]), vec![0, 0, 1, 0]);
        assert_eq!(interleave_weights(&[1, 1, 1]), vec![0, 1, 2]);
        let picks = interleave_weights(&[5, 2, 1]);
        assert_eq!(picks.len(), 8);
        assert_eq!(picks.iter().filter(|p| **p == 1).count(), 2);
    }
}
