//! perfkit's load generator: closed- and open-loop HTTP/1.1 (and h2c) load from
//! per-core event loops, latency in HDR histograms (corrected for coordinated omission in the open
//! loop), scenario files, baselines with statistical comparison, and reports.

pub mod baseline;
pub mod cache;
pub mod compare;
pub mod database;
mod engine;
mod http1;
mod http2;
pub mod report;
mod scenario;
mod schedule;
mod summary;
#[cfg(feature = "tls")]
mod tls;
mod transport;

pub use engine::{run, EngineError};
pub use scenario::{
    Endpoint, Load, LoadModel, Metric, Op, Scenario, ScenarioError, ScenarioFile, Stage, Target,
    Threshold, DEFAULT_PATH,
};
pub use summary::{EndpointResult, Latency, RunResult, Sample, ThresholdOutcome, Totals};
