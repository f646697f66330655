//! Prometheus metrics of one process: job events, wait time (enqueue to start) and run
//! time histograms, and queue depth gauges refreshed from the backend at scrape time.

use prometheus::{
    Encoder, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts,
    Registry, TextEncoder,
};

use crate::backend::{Backend, QueueError};
use crate::job::now_ms;

/// Job events counted per queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Enqueued,
    Completed,
    Failed,
    Retried,
    DeadLettered,
}

impl Event {
    fn label(self) -> &'static str {
        match self {
            Event::Enqueued => "enqueued",
            Event::Completed => "completed",
            Event::Failed => "failed",
            Event::Retried => "retried",
            Event::DeadLettered => "dead_lettered",
        }
    }
}

/// The queue metrics; cheap to clone (the collectors are shared).
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    events: IntCounterVec,
    wait: HistogramVec,
    run: HistogramVec,
    depth: GaugeVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

const BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let events = IntCounterVec::new(
            Opts::new("perfkit_queue_jobs_total", "Job events by queue and kind"),
            &["queue", "event"],
        )
        .expect("static metric definition");
        let wait = HistogramVec::new(
            HistogramOpts::new(
                "perfkit_queue_wait_seconds",
                "Time from a job's run-at to the start of an attempt",
            )
            .buckets(BUCKETS.to_vec()),
            &["queue"],
        )
        .expect("static metric definition");
        let run = HistogramVec::new(
            HistogramOpts::new("perfkit_queue_run_seconds", "Handler run time per attempt")
                .buckets(BUCKETS.to_vec()),
            &["queue"],
        )
        .expect("static metric definition");
        let depth = GaugeVec::new(
            Opts::new("perfkit_queue_depth", "Jobs per queue and state"),
            &["queue", "state"],
        )
        .expect("static metric definition");
        for collector in [
            Box::new(events.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(wait.clone()),
            Box::new(run.clone()),
            Box::new(depth.clone()),
        ] {
            registry
                .register(collector)
                .expect("each metric is registered once");
        }
        Metrics {
            registry,
            events,
            wait,
            run,
            depth,
        }
    }

    /// One queue's collectors, looked up once: a label lookup hashes the labels and
    /// takes a lock, which a worker would otherwise pay three times per job.
    pub(crate) fn queue(&self, queue: &str) -> QueueMetrics {
        let event = |event: Event| self.events.with_label_values(&[queue, event.label()]);
        QueueMetrics {
            completed: event(Event::Completed),
            failed: event(Event::Failed),
            retried: event(Event::Retried),
            dead_lettered: event(Event::DeadLettered),
            wait: self.wait.with_label_values(&[queue]),
            run: self.run.with_label_values(&[queue]),
        }
    }

    pub fn count(&self, queue: &str, event: Event, n: u64) {
        self.events
            .with_label_values(&[queue, event.label()])
            .inc_by(n);
    }

    pub fn observe_wait(&self, queue: &str, seconds: f64) {
        self.wait
            .with_label_values(&[queue])
            .observe(seconds.max(0.0));
    }

    pub fn observe_run(&self, queue: &str, seconds: f64) {
        self.run
            .with_label_values(&[queue])
            .observe(seconds.max(0.0));
    }

    /// Reads every queue's depth from the backend and renders the text exposition.
    pub async fn render<B: Backend>(
        &self,
        backend: &B,
        queues: &[String],
    ) -> Result<String, QueueError> {
        for queue in queues {
            let stats = backend.stats(queue, now_ms()).await?;
            for (state, value) in [
                ("ready", stats.ready),
                ("delayed", stats.delayed),
                ("leased", stats.leased),
                ("dead", stats.dead),
                ("completed", stats.completed),
            ] {
                self.depth
                    .with_label_values(&[queue, state])
                    .set(value as f64);
            }
        }
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(|err| QueueError::Invalid(format!("encoding metrics: {err}")))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// The collectors of one queue (see [`Metrics::queue`]); they record into the same
/// registry as the [`Metrics`] they came from.
#[derive(Debug, Clone)]
pub(crate) struct QueueMetrics {
    pub(crate) completed: IntCounter,
    pub(crate) failed: IntCounter,
    pub(crate) retried: IntCounter,
    pub(crate) dead_lettered: IntCounter,
    pub(crate) wait: Histogram,
    pub(crate) run: Histogram,
}
