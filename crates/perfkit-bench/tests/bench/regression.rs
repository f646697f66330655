//! Regression detection over real runs: a server made 20% slower is flagged; reruns
//! against the unchanged server are not.

use std::time::Duration;

use perfkit_bench::compare::{compare, CompareSettings, Verdict};

use crate::server::LatencyServer;
use crate::{run, scenario};

fn body(url: &str) -> String {
    format!(
        "target: {url}\nthreads: 2\nduration: 2s\nwarmup: 100ms\nsample_interval: 100ms\n\
         load: {{model: closed, connections: 4}}\n\
         endpoints: [{{name: root, path: /}}]\n"
    )
}

#[test]
fn a_20_percent_slower_server_is_flagged_and_reruns_are_not() {
    let server = LatencyServer::start(Duration::from_millis(20));
    let scenario = scenario(&body(&server.url()));
    let settings = CompareSettings::default();
    let baseline = run(&scenario);
    assert_eq!(baseline.endpoints[0].series.len(), 20);

    // Reruns of the same server: false alarms would be `Regressed` or `Improved`.
    const RERUNS: usize = 4;
    let mut false_alarms = Vec::new();
    for _ in 0..RERUNS {
        let rerun = run(&scenario);
        let verdict = compare(&baseline, &rerun, settings)[0].clone();
        if verdict.verdict != Verdict::NoDetectableChange {
            false_alarms.push(verdict);
        }
    }
    // Allow one on a noisy shared machine; the statistical design rate is 1%.
    assert!(
        false_alarms.len() <= 1,
        "{} false alarms in {RERUNS} reruns: {false_alarms:#?}",
        false_alarms.len()
    );

    server.set_latency(Duration::from_millis(24));
    let slower = run(&scenario);
    let verdict = &compare(&baseline, &slower, settings)[0];
    assert_eq!(verdict.verdict, Verdict::Regressed, "{verdict:#?}");
    let p50 = verdict.metrics.iter().find(|m| m.metric == "p50").unwrap();
    assert_eq!(p50.verdict, Verdict::Regressed, "{p50:#?}");
    assert!(p50.change > 0.12, "{p50:#?}");
}
