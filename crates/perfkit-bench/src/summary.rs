//! What a run measured: totals per endpoint, a fixed-size time series, thresholds.
//! These types are the `--json` output and the records of the baseline file.

use std::collections::BTreeMap;

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::scenario::{LoadModel, Metric, Threshold};

/// Latencies are recorded in microseconds, 3 significant digits, 1µs..1h.
pub(crate) fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds")
}

/// One interval's sample from its counts and histogram.
pub(crate) fn sample_of(
    at: f64,
    interval: Duration,
    requests: u64,
    errors: u64,
    histogram: &Histogram<u64>,
) -> Sample {
    let empty = histogram.is_empty();
    let at_p = |p: f64| {
        if empty {
            0
        } else {
            histogram.value_at_percentile(p)
        }
    };
    Sample {
        at,
        requests,
        errors,
        rps: requests as f64 / interval.as_secs_f64(),
        p50: at_p(50.0),
        p90: at_p(90.0),
        p99: at_p(99.0),
        p999: at_p(99.9),
        max: if empty { 0 } else { histogram.max() },
    }
}

/// Percentiles of the spectrum plot: 0, 50, 75, 90, ... 99.999, then max.
pub(crate) const SPECTRUM: [f64; 13] = [
    0.0, 50.0, 75.0, 90.0, 95.0, 97.5, 99.0, 99.5, 99.9, 99.95, 99.99, 99.999, 100.0,
];

/// Latency statistics in microseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub min: u64,
    pub mean: f64,
    pub p50: u64,
    pub p75: u64,
    pub p90: u64,
    pub p95: u64,
    pub p99: u64,
    pub p999: u64,
    pub p9999: u64,
    pub max: u64,
    /// `(percentile, microseconds)` at each of a fixed list of percentiles.
    pub spectrum: Vec<(f64, u64)>,
}

impl Latency {
    pub(crate) fn of(histogram: &Histogram<u64>) -> Latency {
        if histogram.is_empty() {
            return Latency::default();
        }
        let at = |p: f64| histogram.value_at_percentile(p);
        Latency {
            min: histogram.min(),
            mean: histogram.mean(),
            p50: at(50.0),
            p75: at(75.0),
            p90: at(90.0),
            p95: at(95.0),
            p99: at(99.0),
            p999: at(99.9),
            p9999: at(99.99),
            max: histogram.max(),
            spectrum: SPECTRUM.iter().map(|p| (*p, at(*p))).collect(),
        }
    }

    /// The value of a percentile in microseconds (from the stored ones, else the nearest
    /// spectrum point at or above it).
    pub fn percentile(&self, p: f64) -> f64 {
        let named = [
            (50.0, self.p50),
            (75.0, self.p75),
            (90.0, self.p90),
            (95.0, self.p95),
            (99.0, self.p99),
            (99.9, self.p999),
            (99.99, self.p9999),
            (100.0, self.max),
        ];
        if let Some((_, v)) = named.iter().find(|(q, _)| (q - p).abs() < 1e-9) {
            return *v as f64;
        }
        self.spectrum
            .iter()
            .find(|(q, _)| *q >= p)
            .map_or(self.max, |(_, v)| *v) as f64
    }
}

/// Totals for one endpoint, or for the whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Requests that got a response or failed (warm-up excluded).
    pub requests: u64,
    /// Transport failures plus responses with an unexpected status.
    pub errors: u64,
    pub error_rate: f64,
    pub rps: f64,
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub statuses: BTreeMap<u16, u64>,
    /// Transport failures by kind (`connect`, `timeout`, `closed`, ...).
    pub failures: BTreeMap<String, u64>,
    /// Over responses of any status; transport failures have no latency.
    pub latency: Latency,
    /// Responses whose `Cache-Status` says hit / miss (bypassed, uncacheable and
    /// unmarked responses are neither).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_hits: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_misses: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Totals {
    /// Hits over hits + misses by `Cache-Status`, if any response was either.
    pub fn cache_hit_rate(&self) -> Option<f64> {
        let counted = self.cache_hits + self.cache_misses;
        (counted > 0).then(|| self.cache_hits as f64 / counted as f64)
    }
}

/// One sample of the time series (one `sample_interval`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds from the start of measurement to the start of this interval.
    pub at: f64,
    pub requests: u64,
    pub errors: u64,
    pub rps: f64,
    /// Microseconds; 0 when the interval had no responses.
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

/// One endpoint's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointResult {
    pub name: String,
    pub method: String,
    pub path: String,
    pub totals: Totals,
    pub series: Vec<Sample>,
}

/// A threshold and whether the run met it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdOutcome {
    pub threshold: String,
    /// The measured value, in the threshold's unit (ms, %, requests/s).
    pub actual: f64,
    pub unit: String,
    pub passed: bool,
}

/// Everything one run of a scenario measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub scenario: String,
    pub target: String,
    pub model: LoadModel,
    pub threads: usize,
    pub connections: usize,
    /// Open loop: the configured rate (the highest of any stage, when staged).
    pub rate: Option<f64>,
    /// Seconds measured (warm-up excluded).
    pub measured_seconds: f64,
    pub sample_interval_seconds: f64,
    pub totals: Totals,
    pub series: Vec<Sample>,
    pub endpoints: Vec<EndpointResult>,
    pub thresholds: Vec<ThresholdOutcome>,
}

impl RunResult {
    /// Whether every threshold passed.
    pub fn thresholds_passed(&self) -> bool {
        self.thresholds.iter().all(|t| t.passed)
    }

    /// Checks `thresholds` against the totals.
    pub fn evaluate(&mut self, thresholds: &[Threshold]) {
        self.thresholds = thresholds
            .iter()
            .map(|threshold| {
                let totals = &self.totals;
                let (actual, limit, unit) = match threshold.metric {
                    Metric::Percentile(p) => (
                        totals.latency.percentile(p) / 1000.0,
                        threshold.value / 1000.0,
                        "ms",
                    ),
                    Metric::Mean => (totals.latency.mean / 1000.0, threshold.value / 1000.0, "ms"),
                    Metric::ErrorRate => (totals.error_rate * 100.0, threshold.value * 100.0, "%"),
                    Metric::Rps => (totals.rps, threshold.value, "requests/s"),
                };
                ThresholdOutcome {
                    threshold: threshold.text.clone(),
                    actual,
                    unit: unit.into(),
                    passed: threshold.op.holds(actual, limit),
                }
            })
            .collect();
    }
}
