//! The engine's memory does not grow with the length of a run: a 20-second open-loop
//! run's live heap, read at every sample through the test binary's counting
//! allocator, stays within a fixed bound once the run is under way.

use std::time::Duration;

use crate::server::LatencyServer;
use crate::{scenario, ALLOCATOR};

/// Growth allowed of the heap's floor (the lowest reading of a 6-second window) from
/// seconds 2-7 to seconds 13-18. In-flight requests make single readings vary by
/// about 100 KiB; the floors do not. Over the 11 seconds between the windows at 1000
/// requests/s, the bound is under 12 bytes per request: anything the engine kept per
/// request (a latency, a timestamp) would exceed it.
const BOUND: usize = 128 * 1024;

#[test]
fn open_loop_memory_stays_flat_over_a_long_run() {
    let server = LatencyServer::start(Duration::from_millis(1));
    let scenario = scenario(&format!(
        "target: {}\nthreads: 2\nduration: 20s\n\
         load: {{model: open, connections: 16, rate: 1000}}\n\
         endpoints: [{{name: ok, path: /}}, {{name: missing, path: /missing, expect_status: [404]}}]\n",
        server.url()
    ));
    // Allocated up front, so recording a reading allocates nothing.
    let mut readings: Vec<(f64, usize)> = Vec::with_capacity(64);
    let result = perfkit_bench::run("memory", &scenario, &mut |sample| {
        readings.push((sample.at, ALLOCATOR.allocated()));
    })
    .unwrap();
    assert!(
        result.totals.requests >= 19_000,
        "the run was under way: {} requests",
        result.totals.requests
    );
    assert_eq!(result.series.len(), 20, "one sample per second");
    assert_eq!(readings.len(), 20);
    let floor = |window: &[(f64, usize)]| window.iter().map(|r| r.1).min().unwrap();
    let (early, late) = (floor(&readings[2..8]), floor(&readings[13..19]));
    let growth = late.saturating_sub(early);
    let shown: Vec<String> = readings
        .iter()
        .map(|(at, bytes)| format!("{at:.0}s {}KiB", bytes / 1024))
        .collect();
    println!("live heap per sample: {}", shown.join(", "));
    assert!(
        growth <= BOUND,
        "the live heap's floor grew by {growth} bytes (bound {BOUND}): {}",
        shown.join(", ")
    );
}
