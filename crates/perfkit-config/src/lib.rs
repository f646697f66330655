//! Typed perfkit configuration: loads `config/perfkit.yml`, applies `PERFKIT_*`
//! environment overrides and validates it, with every error naming the file, line,
//! column and field at fault.
//!
//! Overrides use `__` between path segments: `PERFKIT_SERVER__LISTEN=0.0.0.0:9000`
//! sets `server.listen`, `PERFKIT_ADMIN__TOKEN=...` sets `admin.token`. The value is
//! read as a YAML scalar, so numbers and booleans keep their types.

mod adaptive;
mod cache_file;
mod cdn;
mod jwt;
mod locate;
mod path_pattern;
mod rate_limits;
mod rate_limits_file;
mod schema;
mod size;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

pub use adaptive::{AdaptiveLimitConfig, OnReload, ShedPriority};
pub use cache_file::{cache_file_path, Source, CACHE_FILE};
pub use cdn::{CdnHeadersConfig, PurgeWebhookConfig, MAX_WEBHOOK_RETRIES};
pub use jwt::*;
pub use locate::{Location, Locations};
pub use path_pattern::{PathPattern, Segment, TagTemplate};
pub use rate_limits::*;
pub use rate_limits_file::{rate_limits_path, RATE_LIMITS_FILE};
pub use schema::*;
pub use size::ByteSize;

/// Environment variables with this prefix override config values.
pub const ENV_PREFIX: &str = "PERFKIT_";
/// Environment overrides of the cache settings (also when they are in `cache.yml`).
const CACHE_ENV_PREFIX: &str = "PERFKIT_CACHE__";

/// The config file used when none is given.
pub const DEFAULT_PATH: &str = "config/perfkit.yml";

/// Largest config file accepted; real ones are a few KiB.
pub const MAX_FILE_SIZE: usize = 1024 * 1024;
/// Deepest nesting of mappings and lists accepted; the schema needs 6.
pub const MAX_DEPTH: usize = 32;

pub use validate::{MAX_RETRY_ATTEMPTS, MAX_WORKERS};

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `cause` is part of the message, so it is not also chained as a source (which
    /// would print it twice).
    #[error("cannot read config file {}: {cause}", path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// The YAML does not match the schema (syntax, unknown field, wrong type...).
    #[error("{}: {message}", Position(path, *location))]
    Parse {
        path: PathBuf,
        location: Option<Location>,
        message: String,
    },
    /// The YAML matches the schema but breaks a rule (e.g. a route names no known upstream).
    #[error("{}: {field}: {message}", Position(path, *location))]
    Invalid {
        path: PathBuf,
        location: Option<Location>,
        field: String,
        message: String,
    },
    #[error("environment override {var}: {message}")]
    Env { var: String, message: String },
}

impl ConfigError {
    /// The 1-based line and column the error points at, when it points into the file.
    pub fn location(&self) -> Option<Location> {
        match self {
            ConfigError::Parse { location, .. } | ConfigError::Invalid { location, .. } => {
                *location
            }
            _ => None,
        }
    }
}

struct Position<'a>(&'a Path, Option<Location>);

impl fmt::Display for Position<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(Location { line, column }) => {
                write!(f, "{}:{line}:{column}", self.0.display())
            }
            None => write!(f, "{}", self.0.display()),
        }
    }
}

impl Config {
    /// Reads and validates the file at `path`, with overrides from this process's environment.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_with_env(path, std::env::vars())
    }

    /// Reads and validates the file at `path`, with overrides from `env`, and the
    /// [`CACHE_FILE`] and [`RATE_LIMITS_FILE`] beside it when there are.
    pub fn load_with_env(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let text = read_config_file(path)?;
        let cache_path = cache_file_path(path);
        let cache_text = match cache_path.try_exists() {
            Ok(true) => Some(read_config_file(&cache_path)?),
            Ok(false) => None,
            Err(cause) => {
                return Err(ConfigError::Read {
                    path: cache_path,
                    cause,
                })
            }
        };
        let cache_file = cache_text.as_deref().map(|text| Source {
            path: &cache_path,
            text,
        });
        let mut config = Config::parse_files(path, &text, cache_file, env)?;
        rate_limits_file::load_beside(path, &text, &mut config)?;
        Ok(config)
    }

    /// Parses and validates `text` as if read from `path`, with overrides from `env`.
    pub fn parse_with_env(
        path: &Path,
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        Config::parse_files(path, text, None, env)
    }

    /// Like [`Config::parse_with_env`], with the cache settings from `cache_file`
    /// (the text of a `cache.yml`) when given. `PERFKIT_CACHE__*` overrides apply
    /// to the cache settings wherever they come from (inline `cache:` or `cache.yml`).
    pub fn parse_files(
        path: &Path,
        text: &str,
        cache_file: Option<Source<'_>>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut overrides: Vec<(String, String)> = env
            .into_iter()
            .filter(|(name, _)| is_override(name))
            .collect();
        overrides.sort();
        let mut config: Config = parse_yaml(path, text)?;

        if !overrides.is_empty() {
            let mut tree = serde_yaml_ng::to_value(&config).map_err(|err| ConfigError::Env {
                var: ENV_PREFIX.into(),
                message: err.to_string(),
            })?;
            for (var, value) in &overrides {
                apply_override(&mut tree, var, value)?;
            }
            config = serde_yaml_ng::from_value(tree).map_err(|err| ConfigError::Env {
                var: overrides
                    .iter()
                    .map(|(v, _)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                message: err.to_string(),
            })?;
        }

        let cache_overrides: Vec<&(String, String)> = overrides
            .iter()
            .filter(|(var, _)| var.starts_with(CACHE_ENV_PREFIX))
            .collect();
        cache_file::merge(
            &mut config,
            Source { path, text },
            cache_file,
            &cache_overrides,
        )?;
        validate::check(&config)
            .map_err(|problem| invalid(path, text, problem.field, problem.message))?;
        Ok(config)
    }

    /// The configuration as YAML with secrets replaced by `<redacted>`.
    pub fn to_redacted_yaml(&self) -> String {
        let mut shown = self.clone();
        if shown.admin.token.is_some() {
            shown.admin.token = Some("<redacted>".into());
        }
        if let Some(redis) = &mut shown.cache.redis {
            if let Some((_, host)) = redis.url.split_once('@') {
                redis.url = format!("redis://<redacted>@{host}");
            }
        }
        for hook in &mut shown.cache.purge_webhooks {
            if let Some((name, _)) = hook.auth() {
                hook.auth_header = Some(format!("{name}: <redacted>"));
            }
        }
        shown.rate_limits.redact_api_keys();
        serde_yaml_ng::to_string(&shown).unwrap_or_else(|err| format!("# cannot render: {err}\n"))
    }
}

/// Deserializes any of perfkit's YAML files (`T` should reject unknown fields): the
/// size and nesting limits apply, an empty file is an empty mapping, and errors carry
/// the file, line and column.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, ConfigError> {
    if text.len() > MAX_FILE_SIZE {
        return Err(too_large(path));
    }
    if let Some(location) = locate::too_deep(text, MAX_DEPTH) {
        return Err(ConfigError::Parse {
            path: path.to_owned(),
            location: Some(location),
            message: format!("nested more than {MAX_DEPTH} levels deep"),
        });
    }
    // Deserializing the text directly keeps serde_yaml_ng's locations in its errors.
    let text_or_empty = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml_ng::from_str(text_or_empty).map_err(|err| parse_error(path, text, &err))
}

/// A rule broken by a well-formed file, located at `field` (a path such as
/// `queues.mail.concurrency`, or its nearest ancestor present in `text`).
pub fn invalid(path: &Path, text: &str, field: String, message: String) -> ConfigError {
    ConfigError::Invalid {
        location: Locations::index(text).find(&field),
        path: path.to_owned(),
        field,
        message,
    }
}

/// Reads a YAML config file (any of perfkit's), refusing files over
/// [`MAX_FILE_SIZE`]; errors name the file.
pub fn read_config_file(path: &Path) -> Result<String, ConfigError> {
    let read_error = |cause| ConfigError::Read {
        path: path.to_owned(),
        cause,
    };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > MAX_FILE_SIZE as u64 {
        return Err(too_large(path));
    }
    std::fs::read_to_string(path).map_err(read_error)
}

fn too_large(path: &Path) -> ConfigError {
    ConfigError::Parse {
        path: path.to_owned(),
        location: None,
        message: format!(
            "larger than {} KiB; a perfkit config is a few KiB",
            MAX_FILE_SIZE / 1024
        ),
    }
}

/// Variables that are perfkit settings, as opposed to e.g. `PERFKIT_LOG` read elsewhere.
fn is_override(name: &str) -> bool {
    name.strip_prefix(ENV_PREFIX).is_some_and(|rest| {
        let first = rest.split("__").next().unwrap_or_default();
        ["SERVER", "ADMIN", "LOG", "UPSTREAMS", "ROUTES", "CACHE"].contains(&first)
            && rest.contains("__")
    })
}

/// Applies `PERFKIT_CACHE__*` overrides to cache settings read from `cache.yml`.
pub(crate) fn override_cache(
    cache: schema::CacheConfig,
    overrides: &[&(String, String)],
) -> Result<schema::CacheConfig, ConfigError> {
    if overrides.is_empty() {
        return Ok(cache);
    }
    let vars = || {
        overrides
            .iter()
            .map(|(v, _)| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let value = serde_yaml_ng::to_value(&cache).map_err(|err| ConfigError::Env {
        var: vars(),
        message: err.to_string(),
    })?;
    let mut tree = serde_yaml_ng::Value::Mapping(serde_yaml_ng::Mapping::new());
    if let serde_yaml_ng::Value::Mapping(map) = &mut tree {
        map.insert("cache".into(), value);
    }
    for (var, value) in overrides {
        apply_override(&mut tree, var, value)?;
    }
    let cache = tree.get("cache").cloned().unwrap_or_default();
    serde_yaml_ng::from_value(cache).map_err(|err| ConfigError::Env {
        var: vars(),
        message: err.to_string(),
    })
}

fn apply_override(
    tree: &mut serde_yaml_ng::Value,
    var: &str,
    raw: &str,
) -> Result<(), ConfigError> {
    let env_error = |message: String| ConfigError::Env {
        var: var.into(),
        message,
    };
    let segments: Vec<String> = var[ENV_PREFIX.len()..]
        .split("__")
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(raw)
        .unwrap_or_else(|_| serde_yaml_ng::Value::String(raw.to_owned()));
    let mut node = tree;
    for segment in &segments {
        if node.is_null() {
            *node = serde_yaml_ng::Value::Mapping(Default::default());
        }
        node = match node {
            serde_yaml_ng::Value::Mapping(map) => map
                .entry(serde_yaml_ng::Value::String(segment.clone()))
                .or_insert(serde_yaml_ng::Value::Null),
            serde_yaml_ng::Value::Sequence(items) => {
                let index: usize = segment
                    .parse()
                    .map_err(|_| env_error(format!("`{segment}` must be a list index here")))?;
                let len = items.len();
                items.get_mut(index).ok_or_else(|| {
                    env_error(format!("index {index} is past the end of a list of {len}"))
                })?
            }
            _ => return Err(env_error(format!("`{segment}` is below a plain value"))),
        };
    }
    *node = value;
    Ok(())
}

fn parse_error(path: &Path, text: &str, err: &serde_yaml_ng::Error) -> ConfigError {
    let location = err.location().map(|l| Location {
        line: l.line(),
        column: l.column(),
    });
    let mut message = err.to_string();
    if let Some(Location { line, column }) = location {
        let suffix = format!(" at line {line} column {column}");
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_owned();
        }
    }
    let location = location.map(|at| within(text, at));
    ConfigError::Parse {
        path: path.to_owned(),
        location,
        message,
    }
}

/// `at`, or the end of the text when the YAML parser points past it (it reports the
/// end of a file without a final newline as the start of a line that does not
/// exist). Lines end at `\r\n`, `\n` or a lone `\r`, as YAML counts them.
fn within(text: &str, at: Location) -> Location {
    let breaks =
        text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count();
    let last_line = breaks + 1;
    if at.line <= last_line {
        return at;
    }
    let tail = text.rsplit(['\n', '\r']).next().unwrap_or("");
    Location {
        line: last_line,
        column: tail.chars().count() + 1,
    }
}

#[cfg(test)]
mod cdn_tests;
#[cfg(test)]
mod tests;
