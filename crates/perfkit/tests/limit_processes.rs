//! Three `perfkit serve` processes sharing one real Redis for their rate limits (read
//! from `rate-limits.yml` beside each config): in exact mode the admitted total never
//! exceeds the bound, in leased mode never more than its documented overshoot.

use std::sync::Arc;

use perfkit_testkit::{Client, RedisServer, SampleUpstream};
use support::{Launch, Served};

mod support;

/// `perfkit serve` in front of `upstream` with `rate_limits` as the
/// `rate-limits.yml` beside its config.
async fn serve(upstream: &SampleUpstream, rate_limits: &str) -> Served {
    let launch = Launch {
        files: &[("rate-limits.yml", rate_limits)],
        ..Launch::default()
    };
    Served::launch(
        |port, admin_port| {
            format!(
                "server:\n  listen: 127.0.0.1:{port}\n  workers: 1\nadmin:\n  listen: 127.0.0.1:{admin_port}\n\
                 upstreams:\n  app:\n    servers:\n      - address: {}\n\
                 routes:\n  - path_prefix: /\n    upstream: app\n",
                upstream.addr()
            )
        },
        launch,
    )
    .await
}

/// `clients` concurrent clients per gateway each send `each` GETs to `path`; the
/// statuses.
async fn hammer(gateways: &[Served], path: &str, clients: usize, each: usize) -> Vec<u16> {
    let mut tasks = Vec::new();
    for gateway in gateways {
        for _ in 0..clients {
            let url = Arc::new(format!("http://127.0.0.1:{}{path}", gateway.port));
            tasks.push(tokio::spawn(async move {
                let client = Client::http1();
                let mut statuses = Vec::with_capacity(each);
                for _ in 0..each {
                    statuses.push(client.get(&url).await.unwrap().status.as_u16());
                }
                statuses
            }));
        }
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

fn admitted(statuses: &[u16]) -> usize {
    statuses.iter().filter(|s| **s == 200).count()
}

/// 20 per hour per rule: the test lasts far less than the 3 minutes after which GCRA
/// would grant one more, so the bound is 20.
fn rules(url: &str, mode: &str) -> String {
    format!(
        "store: {{ kind: redis, url: \"{url}\", mode: {mode}, batch: 5, instances: 3, timeout: 1s }}
rules:
  - name: gcra
    on_store_error: fail_closed
    match: {{ path_prefix: /g }}
    limit: {{ rate: 20, period: 1h }}
"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_in_exact_mode_never_admit_more_than_the_bound() {
    let redis = RedisServer::start().unwrap();
    let upstream = SampleUpstream::start_named("app").await.unwrap();
    let windows = "  - name: sliding
    on_store_error: fail_closed
    match: { path_prefix: /s }
    limit: { algorithm: sliding_window, rate: 20, period: 1h }
";
    let rate_limits = rules(&redis.url(), "exact") + windows;
    let mut gateways = Vec::new();
    for _ in 0..3 {
        gateways.push(serve(&upstream, &rate_limits).await);
    }
    for path in ["/g", "/s"] {
        let statuses = hammer(&gateways, path, 8, 10).await;
        // 240 requests; a store error would be a 503 (fail_closed): none, so the
        // bound is met exactly.
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 429),
            "{path}: {statuses:?}"
        );
        assert_eq!(admitted(&statuses), 20, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_in_leased_mode_stay_within_the_documented_overshoot() {
    let redis = RedisServer::start().unwrap();
    let upstream = SampleUpstream::start_named("app").await.unwrap();
    let rate_limits = rules(&redis.url(), "leased");
    let mut gateways = Vec::new();
    for _ in 0..3 {
        gateways.push(serve(&upstream, &rate_limits).await);
    }
    let statuses = hammer(&gateways, "/g", 8, 10).await;
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 429),
        "{statuses:?}"
    );
    // Bound plus instances × (batch − 1) = 20 + 3 × 4. Tokens a process leased but
    // did not spend before they expired are lost, never spent twice.
    let admitted = admitted(&statuses);
    assert!((1..=20 + 3 * 4).contains(&admitted), "{admitted}");
}
