//! Regression detection over real runs: a server made 20% slower is flagged; reruns
//! against the unchanged server are not.

use std::time::Duration;

use perfkit_bench::compare::{compare, CompareSettings, Verdict};

use crate::server::LatencyServer;
use crate::{run, scenario};

const LATENCY: Duration = Duration::from_millis(50);
const SLOWER: Duration = Duration::from_millis(60);

fn body(url: &str) -> String {
    format!(
        "target: {url}\nthreads: 2\nduration: 2s\nwarmup: 100ms\nsample_interval: 100ms\n\
         load: {{model: closed, connections: 8}}\n\
         endpoints: [{{name: root, path: /}}]\n"
    )
}

/// Each comparison is a pair of 2-second runs with 20 samples a side. The machine these
/// tests run on is shared and noisy (a neighbour's compile can slow one run of a pair),
/// so each property is checked over repeated pairs, and the counts are asserted with
/// one miss allowed: detection in at least 2 of 3 pairs, at most 1 false alarm in 4
/// reruns (the test's design rate is 1%).
#[test]
fn a_20_percent_slower_server_is_flagged_and_reruns_are_not() {
    let server = LatencyServer::start(LATENCY);
    let scenario = scenario(&body(&server.url()));
    let settings = CompareSettings::default();

    let mut detected = Vec::new();
    for _ in 0..3 {
        server.set_latency(LATENCY);
        let baseline = run(&scenario);
        assert_eq!(baseline.endpoints[0].series.len(), 20);
        server.set_latency(SLOWER);
        let slower = run(&scenario);
        let verdict = compare(&baseline, &slower, settings)[0].clone();
        detected.push(verdict);
    }
    let flagged = detected
        .iter()
        .filter(|v| {
            v.verdict == Verdict::Regressed
                && v.metrics
                    .iter()
                    .any(|m| m.metric == "p50" && m.verdict == Verdict::Regressed && m.change > 0.1)
        })
        .count();
    assert!(
        flagged >= 2,
        "20% slower flagged in {flagged} of 3 pairs: {detected:#?}"
    );

    server.set_latency(LATENCY);
    let baseline = run(&scenario);
    const RERUNS: usize = 4;
    let mut false_alarms = Vec::new();
    for _ in 0..RERUNS {
        let rerun = run(&scenario);
        let verdict = compare(&baseline, &rerun, settings)[0].clone();
        if verdict.verdict != Verdict::NoDetectableChange {
            false_alarms.push(verdict);
        }
    }
    assert!(
        false_alarms.len() <= 1,
        "{} false alarms in {RERUNS} reruns: {false_alarms:#?}",
        false_alarms.len()
    );
}
