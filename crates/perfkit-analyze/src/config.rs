//! The `analyze:` settings file (`.perfkit/analyze.yml` or `config/analyze.yml`): which
//! rules run, their severities, and extra excludes.
//!
//! ```yaml
//! analyze:
//!   exclude: ["scripts/**", "**/migrations/**"]
//!   rules:
//!     missing-cache: { enabled: false }
//!     quadratic-loop: { severity: high }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::finding::{RuleId, Severity};
use crate::AnalyzeError;

/// Analyzer settings; the default runs every rule at its default severity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeConfig {
    /// Glob patterns (gitignore syntax) of files and folders to skip.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Per-rule settings, keyed by rule id.
    #[serde(default)]
    pub rules: BTreeMap<RuleId, RuleSetting>,
}

/// One rule's settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetting {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    analyze: AnalyzeConfig,
}

impl AnalyzeConfig {
    /// Where [`AnalyzeConfig::discover`] looks, relative to the analyzed root.
    pub const LOCATIONS: [&'static str; 2] = [".perfkit/analyze.yml", "config/analyze.yml"];

    /// Reads a settings file; errors name the file, line, column and field.
    pub fn load(path: &Path) -> Result<AnalyzeConfig, AnalyzeError> {
        let text = std::fs::read_to_string(path).map_err(|source| AnalyzeError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        AnalyzeConfig::parse(path, &text)
    }

    /// Parses settings text; `path` only names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<AnalyzeConfig, AnalyzeError> {
        match perfkit_config::parse_yaml::<SettingsFile>(path, text) {
            Ok(file) => Ok(file.analyze),
            Err(error) => {
                let (line, column) = error.location().map_or((1, 1), |l| (l.line, l.column));
                let message = match &error {
                    perfkit_config::ConfigError::Parse { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                Err(AnalyzeError::Config {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                })
            }
        }
    }

    /// The first settings file found under `root`, if any.
    pub fn discover(root: &Path) -> Result<Option<(PathBuf, AnalyzeConfig)>, AnalyzeError> {
        for location in AnalyzeConfig::LOCATIONS {
            let path = root.join(location);
            if path.is_file() {
                return AnalyzeConfig::load(&path).map(|c| Some((path, c)));
            }
        }
        Ok(None)
    }

    pub fn enabled(&self, rule: RuleId) -> bool {
        self.rules
            .get(&rule)
            .and_then(|s| s.enabled)
            .unwrap_or(true)
    }

    pub fn severity(&self, rule: RuleId) -> Severity {
        self.rules
            .get(&rule)
            .and_then(|s| s.severity)
            .unwrap_or(rule.default_severity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_enable_disable_and_reseverity_rules() {
        let text = "analyze:\n  exclude: [\"gen/**\"]\n  rules:\n    missing-cache: { enabled: false }\n    quadratic-loop:\n      severity: high\n";
        let config = AnalyzeConfig::parse(Path::new("a.yml"), text).unwrap();
        assert!(!config.enabled(RuleId::MissingCache));
        assert!(config.enabled(RuleId::NPlusOne));
        assert_eq!(config.severity(RuleId::QuadraticLoop), Severity::High);
        assert_eq!(config.severity(RuleId::MissingCache), Severity::Low);
        assert_eq!(config.exclude, vec!["gen/**".to_string()]);
    }

    #[test]
    fn errors_name_file_line_column_and_the_bad_value() {
        let text = "analyze:\n  rules:\n    n-plus-two: { enabled: false }\n";
        let error = AnalyzeConfig::parse(Path::new("config/analyze.yml"), text)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("config/analyze.yml:3:5: "), "{error}");
        assert!(error.contains("n-plus-two"), "{error}");
        let text = "analyze:\n  rules:\n    n-plus-one: { severity: urgent }\n";
        let error = AnalyzeConfig::parse(Path::new("a.yml"), text)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("a.yml:3:"), "{error}");
        assert!(error.contains("urgent"), "{error}");
        let error = AnalyzeConfig::parse(Path::new("a.yml"), "analyze:\n  rulez: {}\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("rulez"), "{error}");
    }
}
