//! Prometheus metrics. Counters and histograms live for the process (across reloads);
//! per-peer gauges are read from the current runtime when scraped, so they can never
//! disagree with the state the balancer sees.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use http::StatusCode;

use prometheus::local::LocalHistogram;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

use crate::listen::workers::PerWorker;
use crate::runtime::Runtime;
use crate::upstream::now_millis;

/// Latency buckets in seconds, 1 ms to 30 s.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Time to response headers, by route pattern, upstream and status.
    requests: HistogramVec,
    upstream_errors: IntCounterVec,
    retries: IntCounterVec,
    ejections: IntCounterVec,
    reloads: IntCounterVec,
    connections_rejected: prometheus::IntCounter,
    /// Cacheable requests by route, layer that answered and result.
    cache_requests: IntCounterVec,
    cache_stored: IntCounterVec,
    cache_stored_bytes: IntCounterVec,
    rate_limit_decisions: IntCounterVec,
    /// The CDN purge fan-out's counters.
    pub cdn: crate::request::cdn::CdnMetrics,
}

/// Why an attempt to an upstream failed, as a metric label.
#[derive(Debug, Clone, Copy)]
pub enum UpstreamError {
    Connect,
    /// The connection failed after it was made (reset, malformed response).
    Protocol,
    Timeout,
    /// The response body stopped arriving for longer than the read timeout.
    BodyTimeout,
    Status,
    PoolExhausted,
}

impl UpstreamError {
    fn label(self) -> &'static str {
        match self {
            UpstreamError::Connect => "connect",
            UpstreamError::Protocol => "protocol",
            UpstreamError::Timeout => "timeout",
            UpstreamError::BodyTimeout => "body_timeout",
            UpstreamError::Status => "status",
            UpstreamError::PoolExhausted => "pool_exhausted",
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "perfkit_request_duration_seconds",
                "Time from request to response headers, by route pattern, upstream and status.",
            )
            .buckets(BUCKETS.to_vec()),
            &["route", "upstream", "status"],
        )
        .expect("static metric definition");
        let counter = |name: &str, help: &str, labels: &[&str]| {
            IntCounterVec::new(Opts::new(name, help), labels).expect("static metric definition")
        };
        let upstream_errors = counter(
            "perfkit_upstream_errors_total",
            "Failed attempts to reach an upstream peer, by reason.",
            &["upstream", "peer", "reason"],
        );
        let retries = counter(
            "perfkit_upstream_retries_total",
            "Attempts retried on another peer.",
            &["upstream"],
        );
        let ejections = counter(
            "perfkit_upstream_ejections_total",
            "Peers ejected by passive outlier detection.",
            &["upstream", "peer"],
        );
        let reloads = counter(
            "perfkit_config_reloads_total",
            "Configuration reloads by result.",
            &["result"],
        );
        let connections_rejected = prometheus::IntCounter::new(
            "perfkit_client_connections_rejected_total",
            "Client connections closed at once because every worker had server.max_connections_per_worker open.",
        )
        .expect("static metric definition");
        let cache_requests = counter(
            "perfkit_cache_requests_total",
            "Requests on caching routes, by route, the layer that answered (l1, l2, origin) and result (hit, stale, revalidated, miss, bypass).",
            &["route", "layer", "result"],
        );
        let cache_stored = counter(
            "perfkit_cache_stored_total",
            "Responses stored in the cache, by route.",
            &["route"],
        );
        let cache_stored_bytes = counter(
            "perfkit_cache_stored_bytes_total",
            "Body bytes stored in the cache, by route.",
            &["route"],
        );
        let rate_limit_decisions = counter(
            "perfkit_rate_limit_decisions_total",
            "Rate-limit decisions by rule, tier and outcome (allowed, limited, shadow_limited, store_error).",
            &["rule", "tier", "outcome"],
        );
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(cache_requests.clone()),
            Box::new(cache_stored.clone()),
            Box::new(cache_stored_bytes.clone()),
            Box::new(upstream_errors.clone()),
            Box::new(retries.clone()),
            Box::new(ejections.clone()),
            Box::new(reloads.clone()),
            Box::new(connections_rejected.clone()),
            Box::new(rate_limit_decisions.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric names are unique");
        }
        Metrics {
            cdn: crate::request::cdn::CdnMetrics::register(&registry),
            registry,
            requests,
            upstream_errors,
            retries,
            ejections,
            reloads,
            connections_rejected,
            cache_requests,
            cache_stored,
            cache_stored_bytes,
            rate_limit_decisions,
        }
    }

    /// The `perfkit_cache_requests_total` series of one route, layer and result, for
    /// callers that keep the handle instead of looking the labels up per request.
    pub fn cache_request_counter(
        &self,
        route: &str,
        layer: &str,
        result: &str,
    ) -> prometheus::IntCounter {
        self.cache_requests
            .with_label_values(&[route, layer, result])
    }

    pub fn cache_stored(&self, route: &str, bytes: u64) {
        self.cache_stored.with_label_values(&[route]).inc();
        self.cache_stored_bytes
            .with_label_values(&[route])
            .inc_by(bytes);
    }

    /// Every series of the cache counters, for `GET /admin/cache/stats`: one row per
    /// (route, layer, result) with its request count, and per route the responses
    /// stored and their body bytes.
    pub fn cache_counts(&self) -> CacheCounts {
        use prometheus::core::Collector;
        let series = |vec: &IntCounterVec| -> Vec<CacheSeries> {
            vec.collect()
                .iter()
                .flat_map(|family| family.get_metric())
                .map(|metric| {
                    let labels = metric
                        .get_label()
                        .iter()
                        .map(|pair| (pair.name().to_owned(), pair.value().to_owned()))
                        .collect();
                    CacheSeries {
                        labels,
                        count: metric.get_counter().get_value() as u64,
                    }
                })
                .collect()
        };
        CacheCounts {
            requests: series(&self.cache_requests),
            stored: series(&self.cache_stored),
            stored_bytes: series(&self.cache_stored_bytes),
        }
    }

    pub fn observe_request(&self, route: &str, upstream: &str, status: &str, elapsed: Duration) {
        self.requests
            .with_label_values(&[route, upstream, status])
            .observe(elapsed.as_secs_f64());
    }

    pub fn upstream_error(&self, upstream: &str, peer: &str, reason: UpstreamError) {
        self.upstream_errors
            .with_label_values(&[upstream, peer, reason.label()])
            .inc();
    }

    pub fn retry(&self, upstream: &str) {
        self.retries.with_label_values(&[upstream]).inc();
    }

    pub fn ejection(&self, upstream: &str, peer: &str) {
        self.ejections.with_label_values(&[upstream, peer]).inc();
    }

    pub fn connection_rejected(&self) {
        self.connections_rejected.inc();
    }

    pub fn reload(&self, ok: bool) {
        self.reloads
            .with_label_values(&[if ok { "ok" } else { "error" }])
            .inc();
    }

    /// The counter of one rule's, tier's and outcome's rate-limit decisions.
    pub fn rate_limit_decisions(
        &self,
        rule: &str,
        tier: &str,
        outcome: &str,
    ) -> prometheus::IntCounter {
        self.rate_limit_decisions
            .with_label_values(&[rule, tier, outcome])
    }

    /// The Prometheus text exposition of everything, with gauges from `runtime`.
    pub fn render(&self, runtime: &Runtime, cache: Option<&perfkit_cache::Cache>) -> String {
        for route in runtime.router.routes() {
            route.histograms.flush();
        }
        let mut buffer = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        let mut text = String::from_utf8(buffer).unwrap_or_default();
        let now = now_millis();
        let gauges: [PeerGauge<'_>; 6] = [
            (
                "perfkit_upstream_peer_healthy",
                "1 if active health checks pass.",
                &|p| u64::from(p.healthy()),
            ),
            (
                "perfkit_upstream_peer_ejected",
                "1 while ejected by outlier detection.",
                &|p| u64::from(p.ejected(now)),
            ),
            (
                "perfkit_upstream_peer_active_requests",
                "Requests in flight to the peer.",
                &|p| u64::from(p.active()),
            ),
            (
                "perfkit_upstream_pool_free_slots",
                "Free connection slots of the peer's pool.",
                &|p| p.free_slots() as u64,
            ),
            (
                "perfkit_upstream_pool_max_slots",
                "Connection slots of the peer's pool.",
                &|p| u64::from(p.max_slots()),
            ),
            (
                "perfkit_upstream_pool_idle_connections",
                "Idle keep-alive connections to the peer.",
                &|p| p.pool.len() as u64,
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge");
            for upstream in &runtime.upstreams {
                for peer in &upstream.peers {
                    let _ = writeln!(
                        text,
                        "{name}{{upstream=\"{}\",peer=\"{}\"}} {}",
                        escape(&upstream.name),
                        escape(&peer.configured),
                        value(peer)
                    );
                }
            }
        }
        let _ = writeln!(
            text,
            "# HELP perfkit_config_generation Configuration generation in use.\n# TYPE perfkit_config_generation gauge\nperfkit_config_generation {}",
            runtime.generation
        );
        runtime.shed.render(&mut text);
        if let Some(cache) = cache {
            render_cache(&mut text, &cache.stats());
        }
        text
    }
}

/// The cache counters' series.
#[derive(Debug, Default)]
pub struct CacheCounts {
    /// Labels `route`, `layer`, `result`.
    pub requests: Vec<CacheSeries>,
    /// Label `route`.
    pub stored: Vec<CacheSeries>,
    /// Label `route`.
    pub stored_bytes: Vec<CacheSeries>,
}

/// One counter series: its (name, value) label pairs and its count.
#[derive(Debug)]
pub struct CacheSeries {
    pub labels: Vec<(String, String)>,
    pub count: u64,
}

impl CacheSeries {
    /// The value of label `name` ("" when absent).
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The request histograms of one route and upstream, kept per worker as local
/// (unsynchronised) histograms so workers never write the same counters, and flushed
/// into the shared registry when metrics are rendered (and when dropped).
#[derive(Debug)]
pub struct RouteHistograms {
    by_worker: PerWorker<Mutex<Vec<(StatusCode, LocalHistogram)>>>,
}

impl RouteHistograms {
    pub fn new(workers: usize) -> RouteHistograms {
        RouteHistograms {
            by_worker: PerWorker::new(workers, Default::default),
        }
    }

    pub fn observe(
        &self,
        metrics: &Metrics,
        route: &str,
        upstream: &str,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let mut locals = self
            .by_worker
            .local()
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let index = match locals.iter().position(|(seen, _)| *seen == status) {
            Some(index) => index,
            None => {
                let shared =
                    metrics
                        .requests
                        .with_label_values(&[route, upstream, status.as_str()]);
                locals.push((status, shared.local()));
                locals.len() - 1
            }
        };
        locals[index].1.observe(elapsed.as_secs_f64());
    }

    pub(crate) fn flush(&self) {
        for locals in self.by_worker.iter() {
            for (_, local) in locals.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                local.flush();
            }
        }
    }
}

/// A per-peer gauge: name, help text, and how to read it off a peer.
type PeerGauge<'a> = (
    &'static str,
    &'static str,
    &'a dyn Fn(&crate::upstream::Peer) -> u64,
);

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The cache's own figures: memory, evictions, L2 state.
fn render_cache(text: &mut String, stats: &perfkit_cache::CacheStats) {
    let l2_up = match stats.l2 {
        perfkit_cache::L2Status::Disabled => None,
        perfkit_cache::L2Status::Up => Some(1),
        perfkit_cache::L2Status::Down => Some(0),
    };
    let mut metric = |name: &str, kind: &str, help: &str, labels: &str, value: u64| {
        let _ = writeln!(
            text,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name}{labels} {value}"
        );
    };
    metric(
        "perfkit_cache_memory_bytes",
        "gauge",
        "Bytes held by the in-memory layer (L1).",
        "{layer=\"l1\"}",
        stats.l1_bytes,
    );
    metric(
        "perfkit_cache_memory_max_bytes",
        "gauge",
        "The in-memory layer's budget (cache.max_memory).",
        "{layer=\"l1\"}",
        stats.l1_max_bytes,
    );
    metric(
        "perfkit_cache_entries",
        "gauge",
        "Entries in the in-memory layer.",
        "{layer=\"l1\"}",
        stats.l1_entries as u64,
    );
    metric(
        "perfkit_cache_evicted_total",
        "counter",
        "Entries evicted from the in-memory layer to stay within its budget.",
        "{layer=\"l1\"}",
        stats.l1_evictions,
    );
    if let Some(up) = l2_up {
        metric(
            "perfkit_cache_l2_up",
            "gauge",
            "1 while Redis (L2) is reachable, 0 while the cache serves from memory and origin only.",
            "",
            up,
        );
        metric(
            "perfkit_cache_l2_errors_total",
            "counter",
            "Failed Redis operations.",
            "",
            stats.l2_errors,
        );
        metric(
            "perfkit_cache_broadcasts_received_total",
            "counter",
            "Invalidations received from other instances.",
            "",
            stats.broadcasts_received,
        );
    }
}
