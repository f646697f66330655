//! Adaptive concurrency shedding: an upstream whose latency rises with concurrency
//! (`KneeUpstream`), the limit converging near its knee, `503` + `Retry-After` for
//! what is shed, critical requests shed last, and what a reload does to the limit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, KneeUpstream, SampleUpstream};
use tokio::sync::Mutex;

use crate::support::{config_with, eventually, gateway, metrics, url};

/// `upstreams:` with one group `app` on `address` (no retries) and its `adaptive:`
/// lines, then `routes` (defaults to a catch-all route `app`).
fn yaml(address: &str, adaptive: &str, routes: &str) -> String {
    let adaptive: String = adaptive.lines().map(|l| format!("      {l}\n")).collect();
    let routes = if routes.is_empty() {
        "  - name: app\n    path_prefix: /\n    upstream: app\n"
    } else {
        routes
    };
    format!(
        "upstreams:\n  app:\n    retries: {{ attempts: 0 }}\n    outlier_detection: {{ enabled: false }}\n    servers:\n      - address: {address}\n    adaptive:\n{adaptive}routes:\n{routes}"
    )
}

/// The value of the metric line starting with `series` (name and labels).
fn gauge(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

async fn limit_of(gateway: &Gateway) -> u64 {
    let text = metrics(gateway).await;
    gauge(&text, "perfkit_adaptive_limit{upstream=\"app\"}").expect("limit gauge") as u64
}

#[derive(Default)]
struct Tally {
    /// Latencies of admitted (200) requests.
    admitted: Vec<Duration>,
    shed: u64,
    other: u64,
    retry_after: Option<String>,
}

/// `clients` closed-loop clients send GETs to `path` until `stop` says so; a shed
/// request is followed by a 50 ms pause, as a client honouring `Retry-After` would
/// (scaled down), so shed answers do not spin.
async fn load(
    gateway: &Gateway,
    path: &str,
    clients: usize,
    tally: Arc<Mutex<Tally>>,
    stop: tokio_util::sync::CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    let target = url(gateway, path);
    (0..clients)
        .map(|_| {
            let (target, tally, stop) = (target.clone(), Arc::clone(&tally), stop.clone());
            tokio::spawn(async move {
                let client = Client::http1();
                while !stop.is_cancelled() {
                    let started = Instant::now();
                    let Ok(reply) = client.get(&target).await else {
                        tally.lock().await.other += 1;
                        continue;
                    };
                    let elapsed = started.elapsed();
                    let mut tally = tally.lock().await;
                    match reply.status.as_u16() {
                        200 => tally.admitted.push(elapsed),
                        503 => {
                            tally.shed += 1;
                            tally.retry_after = reply.header("retry-after").map(str::to_owned);
                            drop(tally);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        _ => tally.other += 1,
                    }
                }
            })
        })
        .collect()
}

fn p99(latencies: &mut [Duration]) -> Duration {
    latencies.sort_unstable();
    latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_converges_near_the_knee_and_keeps_admitted_latency_bounded() {
    // Knee: 4 requests at once, 50 ms each. 96 clients without shedding would see
    // about 96 / 4 × 50 ms = 1.2 s.
    let knee = 4;
    let origin = KneeUpstream::start(knee, Duration::from_millis(50))
        .await
        .unwrap();
    let gateway = gateway(&yaml(
        &origin.addr().to_string(),
        "initial_limit: 60\nmin_limit: 1\nmax_limit: 200\nwindow_samples: 10\nsmoothing: 0.3\nretry_after: 2s",
        "",
    ))
    .await;
    // Light traffic first: the limiter learns the upstream's unloaded latency.
    let client = Client::http1();
    for _ in 0..20 {
        assert_eq!(client.get(&url(&gateway, "/x")).await.unwrap().status, 200);
    }
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = tokio_util::sync::CancellationToken::new();
    let clients = load(&gateway, "/x", 96, Arc::clone(&tally), stop.clone()).await;

    // The limit starts far above the knee and must come down near it.
    eventually(
        "the limit falls near the knee",
        Duration::from_secs(40),
        || async { limit_of(&gateway).await <= 3 * knee as u64 },
    )
    .await;
    // Measure a steady stretch: its admitted requests and the upstream's peak.
    {
        let mut tally = tally.lock().await;
        tally.admitted.clear();
    }
    origin.reset_peak();
    origin.reset_latencies();
    let mut limits = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    while tally.lock().await.admitted.len() < 400 {
        assert!(
            Instant::now() < deadline,
            "400 more requests were not admitted in time"
        );
        limits.push(limit_of(&gateway).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    for client in clients {
        client.await.unwrap();
    }
    let mut tally = tally.lock().await;
    let p99 = p99(&mut tally.admitted);
    let peak = origin.peak_in_flight();
    let upstream_p99 = origin.latency_quantile(0.99).unwrap();
    let (lowest, highest) = (*limits.iter().min().unwrap(), *limits.iter().max().unwrap());
    // Near the knee: not collapsed to nothing, not far past it.
    assert!(
        lowest >= 2 && highest <= 5 * knee as u64,
        "limit wandered over {lowest}..={highest} (knee {knee})"
    );
    assert!(
        peak <= 6 * knee as u64,
        "the upstream saw {peak} requests at once (knee {knee})"
    );
    assert!(tally.shed > 0, "nothing was shed");
    assert_eq!(tally.retry_after.as_deref(), Some("2"));
    assert_eq!(tally.other, 0, "only 200 and 503 answers");
    let text = metrics(&gateway).await;
    let shed = gauge(
        &text,
        "perfkit_adaptive_shed_total{upstream=\"app\",priority=\"normal\"}",
    )
    .unwrap();
    assert_eq!(shed as u64, tally.shed);
    assert!(text.contains("perfkit_adaptive_in_flight{upstream=\"app\"}"));
    drop(gateway);

    // The same load through a gateway that sheds nothing, for comparison: on a busy
    // machine absolute latencies mean little, ratios in one run do.
    let plain = crate::support::gateway(&format!(
        "upstreams:\n  app:\n    retries: {{ attempts: 0 }}\n    servers:\n      - address: {}\nroutes:\n  - path_prefix: /\n    upstream: app\n",
        origin.addr()
    ))
    .await;
    origin.reset_peak();
    origin.reset_latencies();
    let unshed = Arc::new(Mutex::new(Tally::default()));
    let stop = tokio_util::sync::CancellationToken::new();
    let clients = load(&plain, "/x", 96, Arc::clone(&unshed), stop.clone()).await;
    let deadline = Instant::now() + Duration::from_secs(40);
    while unshed.lock().await.admitted.len() < 300 {
        assert!(
            Instant::now() < deadline,
            "300 requests were not answered in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    for client in clients {
        client.await.unwrap();
    }
    let mut unshed = unshed.lock().await;
    // The first answers came before the queue built up: judge the rest.
    let settled = unshed.admitted.split_off(96);
    let unshed_p99 = crate::adaptive::p99(&mut settled.clone());
    let unshed_upstream_p99 = origin.latency_quantile(0.99).unwrap();
    let unshed_peak = origin.peak_in_flight();
    eprintln!(
        "adaptive: limit {lowest}..={highest}, upstream peak {peak}, admitted p99 {p99:?} (inside the upstream {upstream_p99:?}); \
         no shedding: upstream peak {unshed_peak}, p99 {unshed_p99:?} (inside {unshed_upstream_p99:?})"
    );
    assert!(
        unshed_peak > 2 * peak,
        "the load overloads the upstream without shedding"
    );
    // Without shedding every request waits ~1.2 s inside the upstream; near the knee
    // 50-150 ms.
    assert!(
        upstream_p99 * 2 < unshed_upstream_p99,
        "admitted p99 inside the upstream {upstream_p99:?}, without shedding {unshed_upstream_p99:?}"
    );
    assert!(
        p99 < unshed_p99,
        "admitted p99 at the client {p99:?}, without shedding {unshed_p99:?}"
    );
}

/// Fills `count` slots of `app` with requests the upstream holds for `hold`; returns
/// once the gateway counts them in flight.
async fn hold_slots(
    gateway: &Gateway,
    path: &str,
    headers: &'static [(&'static str, &'static str)],
    count: usize,
) -> Vec<tokio::task::JoinHandle<u16>> {
    let before = gauge(
        &metrics(gateway).await,
        "perfkit_adaptive_in_flight{upstream=\"app\"}",
    )
    .unwrap() as usize;
    let held: Vec<_> = (0..count)
        .map(|_| {
            let target = url(gateway, path);
            tokio::spawn(async move {
                let mut all = vec![("x-delay-ms", "3000")];
                all.extend_from_slice(headers);
                Client::http1()
                    .request(http::Method::GET, &target, &all, "")
                    .await
                    .unwrap()
                    .status
                    .as_u16()
            })
        })
        .collect();
    eventually(
        "the held requests take their slots",
        Duration::from_secs(10),
        || async {
            gauge(
                &metrics(gateway).await,
                "perfkit_adaptive_in_flight{upstream=\"app\"}",
            )
            .unwrap() as usize
                == before + count
        },
    )
    .await;
    held
}

async fn status(gateway: &Gateway, path: &str, headers: &[(&str, &str)]) -> u16 {
    Client::http1()
        .request(http::Method::GET, &url(gateway, path), headers, "")
        .await
        .unwrap()
        .status
        .as_u16()
}

/// A fixed limit of 10 (min = max): ordinary requests may hold 8 (reserve 0.2), low
/// ones 4 (low_share 0.5), critical ones all 10.
const FIXED: &str =
    "initial_limit: 10\nmin_limit: 10\nmax_limit: 10\ncritical_reserve: 0.2\nlow_share: 0.5";

#[tokio::test]
async fn low_requests_are_shed_first_and_critical_ones_last() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let routes = "  - name: checkout\n    path_prefix: /checkout\n    upstream: app\n  - name: reports\n    path_prefix: /reports\n    upstream: app\n  - name: app\n    path_prefix: /\n    upstream: app\n";
    let gateway = gateway(&yaml(
        &upstream.addr().to_string(),
        &format!("{FIXED}\nroutes: {{ checkout: critical, reports: low }}"),
        routes,
    ))
    .await;
    // 4 low requests fill the low share; a fifth is shed, ordinary ones still pass.
    let low = hold_slots(&gateway, "/reports", &[], 4).await;
    assert_eq!(status(&gateway, "/reports", &[]).await, 503);
    assert_eq!(status(&gateway, "/x", &[]).await, 200);
    // 4 ordinary ones bring in-flight to 8: ordinary and low are shed now...
    let normal = hold_slots(&gateway, "/x", &[], 4).await;
    assert_eq!(status(&gateway, "/x", &[]).await, 503);
    assert_eq!(status(&gateway, "/reports", &[]).await, 503);
    // ...critical ones still get the reserved two.
    let critical = hold_slots(&gateway, "/checkout", &[], 2).await;
    let reply = Client::http1()
        .get(&url(&gateway, "/checkout"))
        .await
        .unwrap();
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("retry-after"), Some("1"));
    for held in low.into_iter().chain(normal).chain(critical) {
        assert_eq!(held.await.unwrap(), 200);
    }
    assert_eq!(
        upstream.requests(),
        11,
        "shed requests never reach the upstream"
    );
    let text = metrics(&gateway).await;
    for (priority, shed) in [("low", 2), ("normal", 1), ("critical", 1)] {
        let series =
            format!("perfkit_adaptive_shed_total{{upstream=\"app\",priority=\"{priority}\"}}");
        assert_eq!(gauge(&text, &series), Some(shed as f64), "{priority}");
    }
    // Every slot was given back.
    assert_eq!(
        gauge(&text, "perfkit_adaptive_in_flight{upstream=\"app\"}"),
        Some(0.0)
    );
}

#[tokio::test]
async fn tiers_from_the_rate_limit_rules_set_the_priority() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let yaml = format!(
        "{}rate_limits:
  api_key_header: x-api-key
  api_keys: {{ k-ent: enterprise, k-free: free }}
  rules:
    - name: per-key
      key: [api_key]
      tier_from: api_key
      limit: unlimited
      tiers: {{ enterprise: unlimited, free: unlimited }}
",
        yaml(
            &upstream.addr().to_string(),
            &format!("{FIXED}\ntiers: {{ enterprise: critical, free: low }}"),
            "",
        )
    );
    let gateway = gateway(&yaml).await;
    let normal = hold_slots(&gateway, "/x", &[], 8).await;
    assert_eq!(status(&gateway, "/x", &[]).await, 503);
    assert_eq!(
        status(&gateway, "/x", &[("x-api-key", "k-free")]).await,
        503
    );
    // A forged key selects no tier: an ordinary request, shed.
    assert_eq!(
        status(&gateway, "/x", &[("x-api-key", "k-nope")]).await,
        503
    );
    let enterprise = hold_slots(&gateway, "/x", &[("x-api-key", "k-ent")], 2).await;
    for held in normal.into_iter().chain(enterprise) {
        assert_eq!(held.await.unwrap(), 200);
    }
    let text = metrics(&gateway).await;
    for (priority, shed) in [("low", 1), ("normal", 2), ("critical", 0)] {
        let series =
            format!("perfkit_adaptive_shed_total{{upstream=\"app\",priority=\"{priority}\"}}");
        assert_eq!(gauge(&text, &series), Some(shed as f64), "{priority}");
    }
}

#[tokio::test]
async fn a_reload_keeps_the_learnt_limit_unless_told_to_reset() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let adaptive = "initial_limit: 20\nwindow_samples: 5";
    let config = |extra: &str| {
        config_with(
            "",
            "",
            &yaml(
                &upstream.addr().to_string(),
                &format!("{adaptive}{extra}"),
                "",
            ),
        )
    };
    let gateway = Gateway::start(config(""), None).await.unwrap();
    assert_eq!(limit_of(&gateway).await, 20);
    // One window of upstream 503s (dropped requests) shrinks the limit.
    for _ in 0..5 {
        assert_eq!(status(&gateway, "/x", &[("x-status", "503")]).await, 503);
    }
    let learnt = limit_of(&gateway).await;
    assert!(learnt < 20, "limit {learnt}");
    // Same parameters, other priorities: kept.
    gateway
        .reload_with(config("\nretry_after: 3s"))
        .await
        .unwrap();
    assert_eq!(limit_of(&gateway).await, learnt);
    // Changed parameters: afresh from initial_limit.
    gateway
        .reload_with(config("\nmax_limit: 500"))
        .await
        .unwrap();
    assert_eq!(limit_of(&gateway).await, 20);
    for _ in 0..5 {
        status(&gateway, "/x", &[("x-status", "503")]).await;
    }
    assert!(limit_of(&gateway).await < 20);
    // `on_reload: reset`: afresh even with the same parameters.
    gateway
        .reload_with(config("\nmax_limit: 500\non_reload: reset"))
        .await
        .unwrap();
    assert_eq!(limit_of(&gateway).await, 20);
}

#[tokio::test]
async fn upstreams_without_an_adaptive_block_shed_nothing() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let gateway = gateway(&crate::support::single_group(
        "round_robin",
        &[&upstream],
        "",
    ))
    .await;
    assert_eq!(status(&gateway, "/x", &[]).await, 200);
    assert!(!metrics(&gateway).await.contains("perfkit_adaptive_limit"));
}
