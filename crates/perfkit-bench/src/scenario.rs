//! `config/benchmarks.yml`: named scenarios, each a target, endpoints, a load model,
//! a length (duration, stages or request count) and thresholds.
//!
//! Unknown fields are rejected; values with a syntax (durations, thresholds, URLs)
//! parse during deserialization so their errors carry the YAML location, and rules
//! checked afterwards are located with `perfkit_config::invalid`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use perfkit_config::ConfigError;

use crate::database::DatabaseBenchmark;
use serde::{Deserialize, Deserializer};

/// The default scenario file.
pub const DEFAULT_PATH: &str = "config/benchmarks.yml";

/// Why a scenario file could not be used. File errors are `perfkit_config`'s own
/// [`ConfigError`] (same `file:line:column: field: message` form, same exit code).
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error(transparent)]
    File(#[from] ConfigError),
    #[error("{}: no {kind} named `{name}` (defined: {defined})", path.display())]
    UnknownScenario {
        path: PathBuf,
        /// `scenario` or `database`.
        kind: &'static str,
        name: String,
        defined: String,
    },
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// HTTP scenarios (`perfkit benchmark [--endpoints|--cache]`).
    #[serde(default)]
    pub scenarios: BTreeMap<String, Scenario>,
    /// SQL pool-size sweeps (`perfkit benchmark --database`).
    #[serde(default)]
    pub databases: BTreeMap<String, DatabaseBenchmark>,
}

/// One benchmark: what to hit, how hard and for how long, and what counts as passing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `http://host:port` or `https://host:port`; endpoints give the paths.
    pub target: Target,
    /// HTTPS: accept any server certificate (self-signed test servers). The
    /// connection is still encrypted, but the server is not authenticated.
    #[serde(default)]
    pub insecure: bool,
    /// Event-loop threads; default: the number of cores.
    #[serde(default)]
    pub threads: Option<usize>,
    #[serde(default, with = "humantime_serde")]
    pub duration: Option<Duration>,
    /// Stop after this many requests instead of after a duration.
    #[serde(default)]
    pub requests: Option<u64>,
    /// Load applied before measuring; its results are discarded.
    #[serde(default, with = "humantime_serde")]
    pub warmup: Option<Duration>,
    /// A request with no complete response after this long counts as a timeout error.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Width of one time-series sample (default 1s).
    #[serde(default = "default_interval", with = "humantime_serde")]
    pub sample_interval: Duration,
    pub load: Load,
    /// Send every endpoint over HTTP/2 (h2c, prior knowledge) unless it says otherwise.
    #[serde(default)]
    pub http2: bool,
    pub endpoints: Vec<Endpoint>,
    #[serde(default)]
    pub thresholds: Vec<Threshold>,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

fn default_interval() -> Duration {
    Duration::from_secs(1)
}

/// How load is generated.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Load {
    pub model: LoadModel,
    /// Open connections (closed loop: also the concurrency).
    pub connections: usize,
    /// Open loop: requests per second, for the whole run.
    #[serde(default)]
    pub rate: Option<f64>,
    /// Instead of a duration: consecutive stages, each with its own rate (open loop,
    /// constant `rate` or linear `from`/`to`) or connection count (closed loop).
    #[serde(default)]
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadModel {
    /// Each connection sends its next request when the last one returns (like wrk).
    Closed,
    /// Requests are sent on a schedule; latency counts from the scheduled time (like wrk2).
    Open,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    #[serde(with = "humantime_serde")]
    pub duration: Duration,
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub from: Option<f64>,
    #[serde(default)]
    pub to: Option<f64>,
    #[serde(default)]
    pub connections: Option<usize>,
}

/// One request to send, chosen in proportion to `weight`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub name: String,
    #[serde(default = "default_method")]
    pub method: String,
    /// Path and query, starting with `/`.
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default = "default_weight")]
    pub weight: u32,
    /// Statuses that count as success; default: any 2xx or 3xx.
    #[serde(default)]
    pub expect_status: Vec<u16>,
    /// HTTP/2 (h2c, prior knowledge) for this endpoint; default: the scenario's `http2`.
    #[serde(default)]
    pub http2: Option<bool>,
}

fn default_method() -> String {
    "GET".into()
}

fn default_weight() -> u32 {
    1
}

impl Endpoint {
    pub fn expects(&self, status: u16) -> bool {
        if self.expect_status.is_empty() {
            (200..400).contains(&status)
        } else {
            self.expect_status.contains(&status)
        }
    }
}

/// `http://host:port` or `https://host:port` parsed: host header and address to
/// connect to, and whether to speak TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `host:port` as written (sent as the Host header).
    pub authority: String,
    /// `https://`: TLS, with ALPN choosing HTTP/1.1 or HTTP/2.
    pub tls: bool,
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Target::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, String> {
        let (rest, tls) = if let Some(rest) = text.strip_prefix("http://") {
            (rest, false)
        } else if let Some(rest) = text.strip_prefix("https://") {
            if !cfg!(feature = "tls") {
                return Err(format!(
                    "target `{text}`: HTTPS needs perfkit built with the `tls` feature"
                ));
            }
            (rest, true)
        } else {
            return Err(format!(
                "target `{text}` must start with http:// or https://"
            ));
        };
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            return Err(format!(
                "target `{text}` must be http://host:port with no path (endpoints give paths)"
            ));
        }
        let authority = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_owned()
        } else if tls {
            format!("{authority}:443")
        } else {
            format!("{authority}:80")
        };
        Ok(Target { authority, tls })
    }

    /// The host part of the authority (no port, no IPv6 brackets): the TLS server name.
    pub fn host(&self) -> &str {
        let host = self
            .authority
            .rsplit_once(':')
            .map_or(self.authority.as_str(), |(host, _)| host);
        host.trim_start_matches('[').trim_end_matches(']')
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls { "https" } else { "http" };
        write!(f, "{scheme}://{}", self.authority)
    }
}

/// `p99 < 200ms`, `error_rate < 1%`, `rps > 5000`.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub metric: Metric,
    pub op: Op,
    /// Microseconds for latency metrics, a fraction for `error_rate`, requests/s for `rps`.
    pub value: f64,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// A latency percentile (50, 99, 99.9...), 100 for max.
    Percentile(f64),
    Mean,
    ErrorRate,
    Rps,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
        }
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Threshold::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Threshold {
    pub fn parse(text: &str) -> Result<Threshold, String> {
        let usage = || {
            format!(
                "threshold `{text}`: expected METRIC OP VALUE, e.g. `p99 < 200ms`, \
                 `error_rate < 1%`, `rps > 5000` (metrics: p50..p99.99, max, mean, error_rate, rps; ops: < <= > >=)"
            )
        };
        let mut parts = text.split_whitespace();
        let (Some(metric), Some(op), Some(value), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(usage());
        };
        let op = match op {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => return Err(usage()),
        };
        let metric = match metric {
            "max" => Metric::Percentile(100.0),
            "mean" => Metric::Mean,
            "error_rate" => Metric::ErrorRate,
            "rps" => Metric::Rps,
            p => match p.strip_prefix('p').and_then(|q| q.parse::<f64>().ok()) {
                Some(q) if q > 0.0 && q < 100.0 => Metric::Percentile(q),
                _ => return Err(usage()),
            },
        };
        let value = match metric {
            Metric::Percentile(_) | Metric::Mean => {
                humantime::parse_duration(value)
                    .map_err(|e| format!("threshold `{text}`: `{value}` is not a duration ({e})"))?
                    .as_secs_f64()
                    * 1e6
            }
            Metric::ErrorRate => {
                let number = value.strip_suffix('%').ok_or_else(|| {
                    format!("threshold `{text}`: error_rate takes a percentage like 1%")
                })?;
                number
                    .parse::<f64>()
                    .map_err(|_| format!("threshold `{text}`: `{value}` is not a percentage"))?
                    / 100.0
            }
            Metric::Rps => value
                .parse::<f64>()
                .map_err(|_| format!("threshold `{text}`: `{value}` is not a number"))?,
        };
        Ok(Threshold {
            metric,
            op,
            value,
            text: text.to_owned(),
        })
    }
}

/// A rule broken after deserialization, with the path of the field it is about.
struct Problem {
    field: String,
    message: String,
}

impl ScenarioFile {
    pub fn load(path: &Path) -> Result<ScenarioFile, ScenarioError> {
        let text = perfkit_config::read_config_file(path)?;
        ScenarioFile::parse(path, &text)
    }

    /// Parses and validates `text` as if read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<ScenarioFile, ScenarioError> {
        let file: ScenarioFile = perfkit_config::parse_yaml(path, text)?;
        if let Err(problem) = file.check() {
            return Err(perfkit_config::invalid(path, text, problem.field, problem.message).into());
        }
        Ok(file)
    }

    /// The scenario called `name`.
    pub fn get(&self, path: &Path, name: &str) -> Result<&Scenario, ScenarioError> {
        lookup(&self.scenarios, path, "scenario", name)
    }

    /// The database sweep called `name`.
    pub fn get_database(
        &self,
        path: &Path,
        name: &str,
    ) -> Result<&DatabaseBenchmark, ScenarioError> {
        lookup(&self.databases, path, "database", name)
    }

    fn check(&self) -> Result<(), Problem> {
        if self.scenarios.is_empty() && self.databases.is_empty() {
            return Err(problem(
                "scenarios",
                "define at least one entry under `scenarios` or `databases`",
            ));
        }
        for (name, scenario) in &self.scenarios {
            scenario.check(&format!("scenarios.{name}"))?;
        }
        for (name, database) in &self.databases {
            let at = format!("databases.{name}");
            let url = &database.url;
            if !(url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || url.starts_with("sqlite:"))
            {
                return Err(problem(
                    format!("{at}.url"),
                    "use postgres://user@host:port/db or sqlite:PATH",
                ));
            }
            if database.queries.is_empty() {
                return Err(problem(format!("{at}.queries"), "list at least one query"));
            }
            if database.pool_sizes.is_empty() || database.pool_sizes.contains(&0) {
                return Err(problem(
                    format!("{at}.pool_sizes"),
                    "list pool sizes of at least 1",
                ));
            }
            if database.duration_per_step.is_zero() {
                return Err(problem(
                    format!("{at}.duration_per_step"),
                    "must be positive",
                ));
            }
            if let Some(interval) = database.sample_interval {
                if interval < Duration::from_millis(10) || interval > database.duration_per_step {
                    return Err(problem(
                        format!("{at}.sample_interval"),
                        "must be at least 10ms and at most duration_per_step",
                    ));
                }
            }
        }
        Ok(())
    }
}

fn lookup<'a, T>(
    map: &'a BTreeMap<String, T>,
    path: &Path,
    kind: &'static str,
    name: &str,
) -> Result<&'a T, ScenarioError> {
    map.get(name).ok_or_else(|| ScenarioError::UnknownScenario {
        path: path.to_owned(),
        kind,
        name: name.to_owned(),
        defined: map.keys().cloned().collect::<Vec<_>>().join(", "),
    })
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

impl Scenario {
    fn check(&self, at: &str) -> Result<(), Problem> {
        let load = &self.load;
        let lengths = [
            self.duration.is_some(),
            self.requests.is_some(),
            !load.stages.is_empty(),
        ];
        if lengths.iter().filter(|set| **set).count() != 1 {
            return Err(problem(
                at,
                "give exactly one of `duration`, `requests` or `load.stages`",
            ));
        }
        if self.requests == Some(0) {
            return Err(problem(format!("{at}.requests"), "must be at least 1"));
        }
        if self.threads == Some(0) {
            return Err(problem(format!("{at}.threads"), "must be at least 1"));
        }
        if self.timeout.is_zero() {
            return Err(problem(format!("{at}.timeout"), "must be positive"));
        }
        if self.sample_interval < Duration::from_millis(10) {
            return Err(problem(
                format!("{at}.sample_interval"),
                "must be at least 10ms",
            ));
        }
        if load.connections == 0 {
            return Err(problem(
                format!("{at}.load.connections"),
                "must be at least 1",
            ));
        }
        match load.model {
            LoadModel::Closed => {
                if load.rate.is_some() {
                    return Err(problem(
                        format!("{at}.load.rate"),
                        "a closed loop has no rate; use `model: open` for a target arrival rate",
                    ));
                }
            }
            LoadModel::Open => {
                if load.stages.is_empty() && !load.rate.is_some_and(|r| r > 0.0 && r.is_finite()) {
                    return Err(problem(
                        format!("{at}.load.rate"),
                        "an open loop needs a positive `rate` (requests per second) or `stages`",
                    ));
                }
            }
        }
        for (i, stage) in load.stages.iter().enumerate() {
            let here = format!("{at}.load.stages[{i}]");
            if stage.duration.is_zero() {
                return Err(problem(format!("{here}.duration"), "must be positive"));
            }
            match load.model {
                LoadModel::Closed => {
                    if stage.rate.is_some() || stage.from.is_some() || stage.to.is_some() {
                        return Err(problem(
                            here,
                            "closed-loop stages set `connections`, not rates",
                        ));
                    }
                    match stage.connections {
                        Some(c) if c >= 1 && c <= load.connections => {}
                        _ => {
                            return Err(problem(
                                format!("{here}.connections"),
                                format!(
                                    "give 1..={} (at most `load.connections`)",
                                    load.connections
                                ),
                            ))
                        }
                    }
                }
                LoadModel::Open => {
                    if stage.connections.is_some() {
                        return Err(problem(
                            format!("{here}.connections"),
                            "open-loop stages set `rate` or `from`/`to`; connections are `load.connections`",
                        ));
                    }
                    let valid = |r: f64| r >= 0.0 && r.is_finite();
                    let ok = match (stage.rate, stage.from, stage.to) {
                        (Some(r), None, None) => r > 0.0 && valid(r),
                        (None, Some(a), Some(b)) => valid(a) && valid(b) && a + b > 0.0,
                        _ => false,
                    };
                    if !ok {
                        return Err(problem(
                            here,
                            "give a positive `rate`, or `from` and `to` (a linear ramp)",
                        ));
                    }
                }
            }
        }
        if self.endpoints.is_empty() {
            return Err(problem(
                format!("{at}.endpoints"),
                "list at least one endpoint",
            ));
        }
        let mut names = std::collections::HashSet::new();
        for (i, endpoint) in self.endpoints.iter().enumerate() {
            let here = format!("{at}.endpoints[{i}]");
            if !names.insert(endpoint.name.as_str()) {
                return Err(problem(
                    format!("{here}.name"),
                    format!("duplicate endpoint name `{}`", endpoint.name),
                ));
            }
            if !endpoint.path.starts_with('/') || endpoint.path.contains([' ', '\r', '\n']) {
                return Err(problem(
                    format!("{here}.path"),
                    "must start with `/` and contain no spaces or line breaks",
                ));
            }
            if endpoint.method.is_empty()
                || !endpoint.method.bytes().all(|b| b.is_ascii_uppercase())
            {
                return Err(problem(
                    format!("{here}.method"),
                    "must be an upper-case HTTP method such as GET or POST",
                ));
            }
            if endpoint.weight == 0 {
                return Err(problem(format!("{here}.weight"), "must be at least 1"));
            }
            for (name, value) in &endpoint.headers {
                let bad_name = name.is_empty()
                    || !name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
                if bad_name || value.contains(['\r', '\n']) {
                    return Err(problem(
                        format!("{here}.headers.{name}"),
                        "header names are letters, digits, `-`, `_`; values have no line breaks",
                    ));
                }
            }
            if let Some(status) = endpoint
                .expect_status
                .iter()
                .find(|s| !(100..600).contains(*s))
            {
                return Err(problem(
                    format!("{here}.expect_status"),
                    format!("{status} is not an HTTP status"),
                ));
            }
        }
        Ok(())
    }

    /// Event-loop threads to use.
    pub fn thread_count(&self) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.threads
            .unwrap_or(cores)
            .min(self.load.connections)
            .max(1)
    }

    /// How long the measured part lasts, when it is time-bound.
    pub fn measured_length(&self) -> Option<Duration> {
        if !self.load.stages.is_empty() {
            return Some(self.load.stages.iter().map(|s| s.duration).sum());
        }
        self.duration
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ScenarioFile, String> {
        ScenarioFile::parse(Path::new("benchmarks.yml"), text).map_err(|e| e.to_string())
    }

    const VALID: &str = "scenarios:
  api:
    target: http://127.0.0.1:8080
    duration: 2s
    load: {model: open, connections: 8, rate: 500}
    endpoints:
      - {name: home, path: /, weight: 3}
      - name: create
        method: POST
        path: /items
        headers: {content-type: application/json}
        body: '{}'
        expect_status: [201]
    thresholds: [p99 < 200ms, error_rate < 1%, rps > 400, p99.9 <= 1s]
";

    #[test]
    fn parses_a_valid_file() {
        let file = parse(VALID).unwrap();
        let api = &file.scenarios["api"];
        assert_eq!(api.target.authority, "127.0.0.1:8080");
        assert_eq!(api.endpoints[1].method, "POST");
        assert!(api.endpoints[1].expects(201) && !api.endpoints[1].expects(200));
        assert!(api.endpoints[0].expects(302) && !api.endpoints[0].expects(404));
        assert_eq!(api.thresholds[0].metric, Metric::Percentile(99.0));
        assert_eq!(api.thresholds[0].value, 200_000.0);
        assert_eq!(api.thresholds[1].value, 0.01);
        assert_eq!(api.thresholds[2].op, Op::Gt);
        assert_eq!(api.thresholds[3].metric, Metric::Percentile(99.9));
    }

    #[test]
    fn errors_name_file_line_column_and_field() {
        let unknown = VALID.replace("    duration: 2s", "    duration: 2s\n    duraton: 3s");
        let error = parse(&unknown).unwrap_err();
        assert!(error.starts_with("benchmarks.yml:5:5: "), "{error}");
        assert!(error.contains("unknown field `duraton`"), "{error}");

        let threshold = VALID.replace("p99 < 200ms", "p99 < fast");
        let error = parse(&threshold).unwrap_err();
        assert!(error.starts_with("benchmarks.yml:14:"), "{error}");
        assert!(error.contains("`fast` is not a duration"), "{error}");

        let path = VALID.replace("path: /items", "path: items");
        assert_eq!(
            parse(&path).unwrap_err(),
            "benchmarks.yml:10:9: scenarios.api.endpoints[1].path: \
             must start with `/` and contain no spaces or line breaks"
        );

        let no_rate = VALID.replace(", rate: 500", "");
        let error = parse(&no_rate).unwrap_err();
        assert!(
            error.starts_with("benchmarks.yml:5:5: scenarios.api.load.rate: an open loop needs"),
            "{error}"
        );

        let both = VALID.replace("    duration: 2s", "    duration: 2s\n    requests: 10");
        let error = parse(&both).unwrap_err();
        assert!(error.contains("give exactly one of"), "{error}");

        let ftp = VALID.replace("http://127", "ftp://127");
        let error = parse(&ftp).unwrap_err();
        assert_eq!(
            error,
            "benchmarks.yml:3:5: scenarios.api: target `ftp://127.0.0.1:8080` must start \
             with http:// or https://"
        );
        let https = VALID.replace("http://127", "https://127");
        if cfg!(feature = "tls") {
            let file = parse(&https).unwrap();
            let target = &file.scenarios["api"].target;
            assert!(target.tls);
            assert_eq!(target.host(), "127.0.0.1");
            assert_eq!(target.to_string(), "https://127.0.0.1:8080");
            let bare = Target::parse("https://[::1]").unwrap();
            assert_eq!((bare.authority.as_str(), bare.host()), ("[::1]:443", "::1"));
        } else {
            assert!(parse(&https).unwrap_err().contains("`tls` feature"));
        }
    }

    #[test]
    fn thresholds_reject_nonsense() {
        for bad in [
            "p99 200ms",
            "p100 < 1s",
            "error_rate < 1",
            "rps > many",
            "p99 = 1s",
        ] {
            assert!(Threshold::parse(bad).is_err(), "{bad}");
        }
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Gt.holds(1.0, 2.0));
    }
}
