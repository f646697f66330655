//! Baseline files: the fingerprints of accepted findings, so only new findings fail CI.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, RuleId};
use crate::AnalyzeError;

/// Accepted findings, by fingerprint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    version: u32,
    findings: Vec<Entry>,
    #[serde(skip)]
    index: HashSet<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    rule: RuleId,
    file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    function: Option<String>,
}

impl Baseline {
    /// A baseline accepting `findings`.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let findings: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule,
                file: f.file.clone(),
                function: f.function.clone(),
            })
            .collect();
        let index = findings.iter().map(|e| e.fingerprint.clone()).collect();
        Baseline {
            version: 1,
            findings,
            index,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, AnalyzeError> {
        let text = std::fs::read_to_string(path).map_err(|source| AnalyzeError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut baseline: Baseline =
            serde_json::from_str(&text).map_err(|e| AnalyzeError::Baseline {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        if baseline.version != 1 {
            return Err(AnalyzeError::Baseline {
                path: path.to_path_buf(),
                message: format!(
                    "version {} (this perfkit reads version 1)",
                    baseline.version
                ),
            });
        }
        baseline.index = baseline
            .findings
            .iter()
            .map(|e| e.fingerprint.clone())
            .collect();
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> Result<(), AnalyzeError> {
        let io = |source| AnalyzeError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        std::fs::write(path, text).map_err(io)
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.index.contains(fingerprint)
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}
