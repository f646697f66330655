//! `config/queues.yml`: the backend, the HTTP queue API, and each queue's handler,
//! limits, retries, retention and cron schedules. Unknown fields are rejected; every
//! error names the file, line, column and field (as [`perfkit_config::ConfigError`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use perfkit_config::{ByteSize, ConfigError};
use serde::{Deserialize, Serialize};

use crate::cron::Schedule;
use crate::job::{check_queue_name, Backoff, NewJob, Retention};
use crate::worker::WorkerOptions;

/// The queues file used when none is given.
pub const DEFAULT_QUEUES_PATH: &str = "config/queues.yml";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueuesConfig {
    #[serde(default)]
    pub backend: BackendConfig,
    #[serde(default)]
    pub api: ApiConfig,
    #[serde(default)]
    pub queues: BTreeMap<String, QueueConfig>,
}

/// Where jobs are stored: `sqlite: PATH` (the default, `.perfkit/queues.db`),
/// `redis: URL` (one server), or `redis_cluster: [URL, ...]` (a Redis Cluster, reached
/// through any of the listed nodes).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendConfig {
    pub sqlite: Option<PathBuf>,
    pub redis: Option<String>,
    pub redis_cluster: Option<Vec<String>>,
}

/// The chosen backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendChoice {
    Sqlite(PathBuf),
    Redis(String),
    /// Seed nodes of a Redis Cluster.
    RedisCluster(Vec<String>),
}

impl BackendConfig {
    pub fn choice(&self) -> BackendChoice {
        match (&self.redis_cluster, &self.redis, &self.sqlite) {
            (Some(nodes), _, _) => BackendChoice::RedisCluster(nodes.clone()),
            (None, Some(url), _) => BackendChoice::Redis(url.clone()),
            (None, None, Some(path)) => BackendChoice::Sqlite(path.clone()),
            (None, None, None) => BackendChoice::Sqlite(PathBuf::from(".perfkit/queues.db")),
        }
    }
}

/// The HTTP queue API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Bearer token every request must carry; `token_env` names a variable holding it.
    pub token: Option<String>,
    pub token_env: Option<String>,
    /// Largest request body accepted.
    #[serde(default = "default_max_body")]
    pub max_body: ByteSize,
    /// Most jobs in one batch.
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// Where `perfkit worker --api` and `perfkit queue serve` listen when not told.
    pub listen: Option<SocketAddr>,
}

fn default_max_body() -> ByteSize {
    ByteSize(1024 * 1024)
}

fn default_max_batch() -> usize {
    1_000
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            token: None,
            token_env: None,
            max_body: default_max_body(),
            max_batch: default_max_batch(),
            listen: None,
        }
    }
}

impl ApiConfig {
    /// The token, from `token` or the variable `token_env` names.
    pub fn resolve_token(&self) -> Option<String> {
        self.token.clone().or_else(|| {
            self.token_env
                .as_ref()
                .and_then(|var| std::env::var(var).ok())
                .filter(|t| !t.is_empty())
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Per-attempt time limit (jobs may set a shorter one).
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    #[serde(default = "default_lease", with = "humantime_serde")]
    pub lease: Duration,
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    #[serde(default)]
    pub backoff: BackoffConfig,
    /// Jobs started per second by one worker process.
    pub rate_limit: Option<f64>,
    #[serde(default)]
    pub retention: RetentionConfig,
    /// POST each job to this endpoint.
    pub http: Option<HttpHandlerConfig>,
    /// Run this program per job, payload on stdin.
    pub command: Option<Vec<String>>,
    #[serde(default)]
    pub schedules: Vec<ScheduleConfig>,
}

fn default_concurrency() -> usize {
    4
}
fn default_timeout() -> Duration {
    Duration::from_secs(60)
}
fn default_lease() -> Duration {
    Duration::from_secs(30)
}
fn default_attempts() -> u32 {
    5
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackoffConfig {
    #[serde(with = "humantime_serde")]
    pub base: Duration,
    #[serde(with = "humantime_serde")]
    pub max: Duration,
    pub jitter: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        let backoff = Backoff::default();
        BackoffConfig {
            base: Duration::from_millis(backoff.base_ms),
            max: Duration::from_millis(backoff.max_ms),
            jitter: backoff.jitter,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    pub completed: u64,
    pub dead: u64,
    #[serde(with = "humantime_serde")]
    pub max_age: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        let retention = Retention::default();
        RetentionConfig {
            completed: retention.completed,
            dead: retention.dead,
            max_age: Duration::from_millis(retention.max_age_ms),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpHandlerConfig {
    /// `http://host:port/path` (plain HTTP; put TLS in a local proxy).
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    pub name: String,
    /// 5 fields (minute precision) or 6 (with seconds first).
    pub cron: String,
    #[serde(default = "default_time_zone")]
    pub timezone: String,
    #[serde(default)]
    pub payload: serde_json::Value,
}

fn default_time_zone() -> String {
    "UTC".into()
}

impl QueueConfig {
    pub fn backoff(&self) -> Backoff {
        Backoff {
            base_ms: self.backoff.base.as_millis() as u64,
            max_ms: self.backoff.max.as_millis() as u64,
            jitter: self.backoff.jitter,
        }
    }

    pub fn retention(&self) -> Retention {
        Retention {
            completed: self.retention.completed,
            dead: self.retention.dead,
            max_age_ms: self.retention.max_age.as_millis() as u64,
        }
    }

    pub fn worker_options(&self) -> WorkerOptions {
        WorkerOptions {
            concurrency: self.concurrency,
            lease: self.lease,
            timeout: self.timeout,
            rate_limit: self.rate_limit,
            retention: self.retention(),
            ..WorkerOptions::default()
        }
    }

    /// A job for queue `name` with this queue's retry settings.
    pub fn new_job(&self, name: &str, payload: Vec<u8>) -> NewJob {
        NewJob::new(name, payload)
            .max_attempts(self.max_attempts)
            .backoff(self.backoff())
    }

    /// The queue's cron schedules, parsed.
    pub fn schedules(&self, name: &str) -> Result<Vec<Schedule>, String> {
        self.schedules
            .iter()
            .map(|s| {
                let payload = serde_json::to_vec(&s.payload).unwrap_or_default();
                Schedule::new(&s.name, &s.cron, &s.timezone, self.new_job(name, payload))
            })
            .collect()
    }
}

impl QueuesConfig {
    pub fn load(path: &Path) -> Result<QueuesConfig, ConfigError> {
        let text = perfkit_config::read_config_file(path)?;
        QueuesConfig::parse(path, &text)
    }

    /// Parses `text` as if read from `path`, with perfkit-config's limits and
    /// file:line:column errors.
    pub fn parse(path: &Path, text: &str) -> Result<QueuesConfig, ConfigError> {
        let config: QueuesConfig = perfkit_config::parse_yaml(path, text)?;
        config
            .check()
            .map_err(|(field, message)| perfkit_config::invalid(path, text, field, message))?;
        Ok(config)
    }

    fn check(&self) -> Result<(), (String, String)> {
        let chosen = [
            self.backend.sqlite.is_some(),
            self.backend.redis.is_some(),
            self.backend.redis_cluster.is_some(),
        ];
        if chosen.iter().filter(|set| **set).count() > 1 {
            return Err((
                "backend".into(),
                "set one of `sqlite`, `redis` or `redis_cluster`, not several".into(),
            ));
        }
        let redis_url = |field: String, url: &str| {
            if url.starts_with("redis://") {
                Ok(())
            } else {
                Err((field, "must be a redis://host:port URL".to_owned()))
            }
        };
        if let Some(url) = &self.backend.redis {
            redis_url("backend.redis".into(), url)?;
        }
        if let Some(nodes) = &self.backend.redis_cluster {
            if nodes.is_empty() {
                return Err((
                    "backend.redis_cluster".into(),
                    "list at least one node URL (redis://host:port)".into(),
                ));
            }
            for (i, url) in nodes.iter().enumerate() {
                redis_url(format!("backend.redis_cluster[{i}]"), url)?;
            }
        }
        if self.api.max_batch == 0 {
            return Err(("api.max_batch".into(), "must be at least 1".into()));
        }
        for (name, queue) in &self.queues {
            let at = |field: &str| format!("queues.{name}.{field}");
            check_queue_name(name).map_err(|message| (format!("queues.{name}"), message))?;
            if queue.concurrency == 0 {
                return Err((at("concurrency"), "must be at least 1".into()));
            }
            if queue.max_attempts == 0 {
                return Err((at("max_attempts"), "must be at least 1".into()));
            }
            if queue.lease < Duration::from_millis(100) {
                return Err((at("lease"), "must be at least 100ms".into()));
            }
            if !(0.0..=1.0).contains(&queue.backoff.jitter) {
                return Err((at("backoff.jitter"), "must be between 0 and 1".into()));
            }
            if let Some(rate) = queue.rate_limit {
                if !(rate > 0.0 && rate.is_finite()) {
                    return Err((
                        at("rate_limit"),
                        "must be a positive number of jobs per second".into(),
                    ));
                }
            }
            if queue.http.is_some() && queue.command.is_some() {
                return Err((
                    format!("queues.{name}"),
                    "set either `http` or `command`, not both".into(),
                ));
            }
            if let Some(http) = &queue.http {
                let uri: http::Uri = http
                    .url
                    .parse()
                    .map_err(|err| (at("http.url"), format!("not a URL: {err}")))?;
                if uri.scheme_str() != Some("http") || uri.host().is_none() {
                    return Err((
                        at("http.url"),
                        "must be an http://host[:port]/path URL".into(),
                    ));
                }
            }
            if let Some(command) = &queue.command {
                if command.is_empty() || command[0].is_empty() {
                    return Err((at("command"), "name the program to run".into()));
                }
            }
            for (i, schedule) in queue.schedules.iter().enumerate() {
                let field = format!("queues.{name}.schedules[{i}]");
                Schedule::new(
                    &schedule.name,
                    &schedule.cron,
                    &schedule.timezone,
                    NewJob::new(name.as_str(), ""),
                )
                .map_err(|message| (field.clone(), message))?;
                if queue.schedules[..i].iter().any(|s| s.name == schedule.name) {
                    return Err((
                        format!("{field}.name"),
                        "schedule names must be unique in a queue".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<QueuesConfig, String> {
        QueuesConfig::parse(Path::new("config/queues.yml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_file_parses() {
        let config = parse(
            "backend:\n  redis: redis://127.0.0.1:6379\napi:\n  token: t\n  max_body: 64KiB\n\
             queues:\n  emails:\n    concurrency: 8\n    timeout: 5s\n    backoff: {base: 100ms, max: 1m, jitter: 0.1}\n\
             \x20   http:\n      url: http://127.0.0.1:8000/jobs\n    schedules:\n\
             \x20     - {name: nightly, cron: '0 3 * * *', timezone: Europe/Paris, payload: {kind: digest}}\n",
        )
        .unwrap();
        assert!(matches!(config.backend.choice(), BackendChoice::Redis(_)));
        assert_eq!(config.api.max_body, ByteSize(64 * 1024));
        let emails = &config.queues["emails"];
        assert_eq!(
            (emails.concurrency, emails.timeout),
            (8, Duration::from_secs(5))
        );
        assert_eq!(emails.schedules("emails").unwrap().len(), 1);
        assert!(parse("").unwrap().queues.is_empty());
    }

    #[test]
    fn a_redis_cluster_is_a_list_of_node_urls() {
        let config = parse(
            "backend:\n  redis_cluster:\n    - redis://10.0.0.1:7000\n    - redis://10.0.0.2:7000\n",
        )
        .unwrap();
        assert_eq!(
            config.backend.choice(),
            BackendChoice::RedisCluster(vec![
                "redis://10.0.0.1:7000".into(),
                "redis://10.0.0.2:7000".into()
            ])
        );
        let bad = parse("backend:\n  redis_cluster:\n    - redis://a:1\n    - a:2\n").unwrap_err();
        assert!(
            bad.starts_with("config/queues.yml:4:7: backend.redis_cluster[1]"),
            "{bad}"
        );
        let empty = parse("backend:\n  redis_cluster: []\n").unwrap_err();
        assert!(empty.contains("at least one node"), "{empty}");
        let both =
            parse("backend:\n  redis: redis://a:1\n  redis_cluster: [redis://a:1]\n").unwrap_err();
        assert!(both.contains("not several"), "{both}");
    }

    #[test]
    fn the_shipped_example_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/queues.yml");
        let config = QueuesConfig::load(&path).unwrap();
        assert_eq!(config.queues.len(), 2);
        assert_eq!(
            config.queues["reports"].schedules("reports").unwrap().len(),
            1
        );
        assert!(config.queues["emails"].http.is_some());
    }

    #[test]
    fn errors_name_file_line_column_and_field() {
        let unknown = parse("queues:\n  q:\n    concurency: 3\n").unwrap_err();
        assert!(unknown.starts_with("config/queues.yml:3:5: "), "{unknown}");
        assert!(unknown.contains("concurency"), "{unknown}");
        let cron =
            parse("queues:\n  q:\n    schedules:\n      - {name: a, cron: 'x y'}\n").unwrap_err();
        assert!(cron.starts_with("config/queues.yml:4:"), "{cron}");
        assert!(
            cron.contains("queues.q.schedules[0]") && cron.contains("cron"),
            "{cron}"
        );
        let both =
            parse("queues:\n  q:\n    command: [cat]\n    http: {url: 'http://a/'}\n").unwrap_err();
        assert!(both.contains("not both"), "{both}");
        let url = parse("queues:\n  q:\n    http:\n      url: ftp://x/\n").unwrap_err();
        assert!(
            url.starts_with("config/queues.yml:4:7: queues.q.http.url"),
            "{url}"
        );
        let name = parse("queues:\n  'a b':\n    concurrency: 1\n").unwrap_err();
        assert!(name.contains("invalid queue name"), "{name}");
    }
}
