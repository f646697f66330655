//! perfkit-bench against real sockets: a test server with injected latency and stalls.

mod database;
mod engine;
mod memory;
mod regression;
mod report;
mod server;
#[cfg(feature = "tls")]
mod tls;

use std::path::Path;

use perfkit_bench::{RunResult, Scenario, ScenarioFile};

/// Every allocation of this test binary goes through it, so a test can read the live
/// heap size (`memory.rs`).
#[global_allocator]
pub static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Parses a one-scenario YAML body (indented under `scenarios: {t: ...}`).
pub fn scenario(body: &str) -> Scenario {
    let text = format!("scenarios:\n  t:\n{}", indent(body));
    ScenarioFile::parse(Path::new("test.yml"), &text)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenarios
        .remove("t")
        .unwrap()
}

fn indent(body: &str) -> String {
    body.lines().map(|l| format!("    {l}\n")).collect()
}

pub fn run(scenario: &Scenario) -> RunResult {
    perfkit_bench::run("t", scenario, &mut |_| {}).unwrap()
}

pub fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}
