//! `.perfkit/memory/performance-baselines.json`: every run appended with when, where
//! (git commit, machine) and what it measured (summary and per-interval samples).
//! HTTP runs are under `runs`, `--database` sweeps under `databases`.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::database::DatabaseRun;
use crate::summary::RunResult;

/// Where baselines live, relative to the project root.
pub const DEFAULT_PATH: &str = ".perfkit/memory/performance-baselines.json";

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baselines {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("baselines {} are not valid JSON ({source}); move the file away to start afresh", path.display())]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write baselines {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The machine a run was measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub hostname: String,
    pub os: String,
    pub arch: String,
    pub cpus: usize,
    pub cpu_model: String,
}

impl Machine {
    /// This machine.
    pub fn current() -> Machine {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let cpu_model = read("/proc/cpuinfo")
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map_or_else(|| "unknown".to_owned(), |(_, v)| v.trim().to_owned());
        Machine {
            hostname: read("/proc/sys/kernel/hostname").trim().to_owned(),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
        }
    }
}

impl Machine {
    /// `CPU MODEL (N cpus, OS ARCH)`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({} cpus, {} {})",
            self.cpu_model, self.cpus, self.os, self.arch
        )
    }
}

/// One stored run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineRecord {
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub recorded_at: String,
    pub git_commit: Option<String>,
    pub machine: Machine,
    pub result: RunResult,
}

/// One stored `--database` sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseRecord {
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub recorded_at: String,
    pub git_commit: Option<String>,
    pub machine: Machine,
    pub run: DatabaseRun,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    runs: Vec<BaselineRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    databases: Vec<DatabaseRecord>,
}

/// Every stored HTTP run, oldest first; a missing file has none.
pub fn load(path: &Path) -> Result<Vec<BaselineRecord>, BaselineError> {
    Ok(read(path)?.runs)
}

/// Every stored database sweep, oldest first.
pub fn load_databases(path: &Path) -> Result<Vec<DatabaseRecord>, BaselineError> {
    Ok(read(path)?.databases)
}

fn read(path: &Path) -> Result<BaselineFile, BaselineError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(BaselineFile::default())
        }
        Err(source) => {
            return Err(BaselineError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    serde_json::from_str(&text).map_err(|source| BaselineError::Corrupt {
        path: path.to_owned(),
        source,
    })
}

/// The most recent stored run of `scenario`.
pub fn latest<'a>(runs: &'a [BaselineRecord], scenario: &str) -> Option<&'a BaselineRecord> {
    runs.iter().rev().find(|r| r.result.scenario == scenario)
}

/// The most recent stored sweep of the database entry `name`.
pub fn latest_database<'a>(runs: &'a [DatabaseRecord], name: &str) -> Option<&'a DatabaseRecord> {
    runs.iter().rev().find(|r| r.run.name == name)
}

/// Appends `record` to the HTTP runs.
pub fn append(path: &Path, record: BaselineRecord) -> Result<(), BaselineError> {
    let mut file = read(path)?;
    file.runs.push(record);
    write(path, file)
}

/// Appends `record` to the database sweeps.
pub fn append_database(path: &Path, record: DatabaseRecord) -> Result<(), BaselineError> {
    let mut file = read(path)?;
    file.databases.push(record);
    write(path, file)
}

/// Writes a temporary file, then renames it over `path`: never a torn file.
fn write(path: &Path, mut file: BaselineFile) -> Result<(), BaselineError> {
    file.version = 1;
    let write_error = |source| BaselineError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_error)?;
    }
    let text = serde_json::to_string_pretty(&file).expect("baseline records serialize");
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, text).map_err(write_error)?;
    std::fs::rename(&temporary, path).map_err(write_error)
}

/// `(YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ)` for `time`, in UTC.
pub fn utc_date_time(time: SystemTime) -> (String, String) {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let date = format!("{year:04}-{month:02}-{day:02}");
    let stamp = format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    (date, stamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc_dates() {
        let at = |secs| utc_date_time(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0).1, "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400).0, "2000-02-29");
        assert_eq!(at(1_795_000_000).1, "2026-11-18T11:06:40Z");
    }
}
