//! Finds performance anti-patterns (N+1 queries, blocking calls in async code, quadratic
//! loops, connection leaks, missing caching, heavy work in request handlers) in Python,
//! TypeScript and JavaScript web applications, and discovers their HTTP routes.
//!
//! [`analyze`] walks a source tree in parallel (honouring `.gitignore`), parses each file
//! with tree-sitter and runs the rules; [`discover_routes`] lists each route's method,
//! path, handler and data access for FastAPI, Flask, Django, Express, NestJS, Fastify and
//! Next.js. The output modules render findings as JSON, Markdown reports and SARIF 2.1.0.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;

mod baseline;
mod config;
mod finding;
mod handlers;
mod lang;
mod prescan;
pub mod report;
mod routes;
mod rules;
pub mod sarif;
mod suppress;
mod syntax;
mod walk;

pub use baseline::Baseline;
pub use config::{AnalyzeConfig, RuleSetting};
pub use finding::{Finding, RuleId, Severity};
pub use handlers::Framework;
pub use lang::Language;
pub use routes::{discover_routes, routes_table, DataAccess, Route};

/// What can go wrong while analyzing.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Config {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: not a perfkit baseline file ({message}); write one with `perfkit analyze --write-baseline`", path.display())]
    Baseline { path: PathBuf, message: String },
    #[error("invalid exclude pattern `{pattern}`: {message}")]
    Exclude { pattern: String, message: String },
}

impl AnalyzeError {
    /// Whether the user's configuration (not the environment) is at fault.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            AnalyzeError::Config { .. }
                | AnalyzeError::Baseline { .. }
                | AnalyzeError::Exclude { .. }
        )
    }
}

/// How to run an analysis.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these rules (after the config's enable/disable); empty means every enabled rule.
    pub rules: Vec<RuleId>,
    /// Rule settings and excludes, usually from `analyze.yml`.
    pub config: AnalyzeConfig,
    /// Walker threads; 0 picks the number of CPUs.
    pub threads: usize,
}

impl Options {
    fn rule_enabled(&self, rule: RuleId) -> bool {
        (self.rules.is_empty() || self.rules.contains(&rule)) && self.config.enabled(rule)
    }
}

/// The result of [`analyze`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Analysis {
    /// Source files parsed.
    pub files: usize,
    /// Findings, sorted by file, line and rule; suppressed ones are not included.
    pub findings: Vec<Finding>,
    /// Findings silenced by `perfkit: ignore` comments.
    pub suppressed: usize,
    /// Findings accepted by the baseline (not included in `findings`).
    pub baselined: usize,
}

impl Analysis {
    /// Findings at or above `severity`.
    pub fn count_at_least(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= severity)
            .count()
    }

    /// Drops findings the baseline accepts, counting them in `baselined`.
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        let before = self.findings.len();
        self.findings.retain(|f| !baseline.contains(&f.fingerprint));
        self.baselined += before - self.findings.len();
    }
}

/// Analyzes every Python, JavaScript and TypeScript file under `root` (a directory or one
/// file). `progress` is called with the number of files done so far.
pub fn analyze(
    root: &Path,
    options: &Options,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Analysis, AnalyzeError> {
    let project = project_index(root, options)?;
    let findings = Mutex::new(Vec::new());
    let files = AtomicUsize::new(0);
    let suppressed = AtomicUsize::new(0);
    walk::for_each_source(
        root,
        &options.config.exclude,
        options.threads,
        |_| true,
        |relative, language, text, parsers| {
            let (mut found, silenced) =
                analyze_text(relative, language, text, options, parsers, Some(&project));
            suppressed.fetch_add(silenced, Ordering::Relaxed);
            let done = files.fetch_add(1, Ordering::Relaxed) + 1;
            progress(done);
            if !found.is_empty() {
                findings
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .append(&mut found);
            }
        },
    )?;
    let mut findings = findings.into_inner().unwrap_or_else(|e| e.into_inner());
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule).cmp(&(&b.file, b.line, b.column, b.rule))
    });
    Ok(Analysis {
        files: files.into_inner(),
        findings,
        suppressed: suppressed.into_inner(),
        baselined: 0,
    })
}

/// The first pass: every Python file of the tree scanned (in parallel, without parsing) for
/// the functions that issue a query or remote call, so a per-row call into another module's
/// helper is followed. Files of other languages are not read in this pass.
fn project_index(root: &Path, options: &Options) -> Result<rules::ProjectIndex, AnalyzeError> {
    let modules = Mutex::new(Vec::new());
    walk::for_each_source(
        root,
        &options.config.exclude,
        options.threads,
        Language::is_python,
        |relative, _, text, _| {
            let module = rules::python_project::scan_module(relative, text);
            modules
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((relative.to_string(), module));
        },
    )?;
    Ok(rules::ProjectIndex::from_modules(
        modules.into_inner().unwrap_or_else(|e| e.into_inner()),
    ))
}

/// Analyzes one file's text; `path` is how findings name the file. Returns the findings
/// and how many were suppressed by comments.
pub fn analyze_source(path: &str, text: &str, options: &Options) -> Vec<Finding> {
    let Some(language) = Language::from_path(Path::new(path)) else {
        return Vec::new();
    };
    let mut parsers = lang::Parsers::new();
    analyze_text(path, language, text, options, &mut parsers, None).0
}

/// Analyzes one file's text, skipping the parse when the pre-scan shows that no rule can
/// fire on it. Returns the findings and how many were suppressed by comments.
fn analyze_text(
    path: &str,
    language: Language,
    text: &str,
    options: &Options,
    parsers: &mut lang::Parsers,
    project: Option<&rules::ProjectIndex>,
) -> (Vec<Finding>, usize) {
    if !prescan::may_find(language, text) {
        return (Vec::new(), 0);
    }
    analyze_parsed(path, language, text, options, parsers, project)
}

/// [`analyze_text`] without the pre-scan: always parses.
fn analyze_parsed(
    path: &str,
    language: Language,
    text: &str,
    options: &Options,
    parsers: &mut lang::Parsers,
    project: Option<&rules::ProjectIndex>,
) -> (Vec<Finding>, usize) {
    let Some(tree) = parsers.parse(language, text) else {
        return (Vec::new(), 0);
    };
    let source = syntax::Source::new(path, text, language, tree.root_node());
    let handlers = handlers::find_handlers(&source);
    let raw = rules::check(&source, &handlers, project);
    let lines: Vec<&str> = text.lines().collect();
    let mut findings = Vec::new();
    let mut suppressed = 0;
    let mut seen: Vec<(String, usize)> = Vec::new();
    for raw in raw {
        if !options.rule_enabled(raw.rule) {
            continue;
        }
        let line = raw.start.row + 1;
        if suppress::is_suppressed(&lines, line, raw.rule, language) {
            suppressed += 1;
            continue;
        }
        let snippet = normalise(&text[raw.start_byte..raw.end_byte]);
        let key = format!(
            "{}\u{0}{path}\u{0}{}\u{0}{snippet}",
            raw.rule,
            raw.function.as_deref().unwrap_or("")
        );
        let occurrence = match seen.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                seen.push((key.clone(), 0));
                0
            }
        };
        let fingerprint = format!(
            "{:016x}",
            xxhash_rust::xxh3::xxh3_64(format!("{key}\u{0}{occurrence}").as_bytes())
        );
        findings.push(Finding {
            rule: raw.rule,
            severity: options.config.severity(raw.rule),
            file: path.to_string(),
            line,
            column: raw.start.column + 1,
            end_line: raw.end.row + 1,
            end_column: raw.end.column + 1,
            function: raw.function,
            snippet,
            message: raw.message,
            fix: raw.fix,
            fingerprint,
        });
    }
    (findings, suppressed)
}

/// Whitespace collapsed and cut to 160 characters: the snippet fingerprints hash.
fn normalise(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(160).collect()
}
