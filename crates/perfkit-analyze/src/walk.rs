//! The parallel walk over a source tree: `.gitignore`-aware (the `ignore` crate), skips
//! dependency and build folders, reads and hands each source file to a callback.

use std::path::Path;

use crate::lang::{Language, Parsers};
use crate::AnalyzeError;

/// Folders that hold dependencies or build output rather than the application's code.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "venv",
    "site-packages",
    "__pycache__",
    "dist",
    "build",
    "coverage",
    "bower_components",
    "vendor",
];

/// Test code: its loops and fixtures are not the request path, so it is not analyzed
/// in a directory walk (a test file named on the command line still is).
fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let test_name = stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem == "conftest"
        || name.contains(".test.")
        || name.contains(".spec.");
    test_name
        || path
            .components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test" | "__tests__")))
}

/// Calls `visit(relative_path, language, text, parsers)` for every source file under
/// `root`, on several threads; each thread has its own parsers.
pub(crate) fn for_each_source(
    root: &Path,
    excludes: &[String],
    threads: usize,
    visit: impl Fn(&str, Language, &str, &mut Parsers) + Sync,
) -> Result<(), AnalyzeError> {
    let metadata = std::fs::metadata(root).map_err(|source| AnalyzeError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    if metadata.is_file() {
        let Some(language) = Language::from_path(root) else {
            return Ok(());
        };
        let text = std::fs::read_to_string(root).map_err(|source| AnalyzeError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let name = root.file_name().and_then(|n| n.to_str()).unwrap_or("");
        visit(name, language, &text, &mut Parsers::new());
        return Ok(());
    }
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for pattern in excludes {
        overrides
            .add(&format!("!{pattern}"))
            .map_err(|e| AnalyzeError::Exclude {
                pattern: pattern.clone(),
                message: e.to_string(),
            })?;
    }
    let overrides = overrides.build().map_err(|e| AnalyzeError::Exclude {
        pattern: excludes.join(", "),
        message: e.to_string(),
    })?;
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .overrides(overrides)
        .threads(threads)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        })
        .build_parallel();
    let visit = &visit;
    walker.run(|| {
        // Per walker thread: parsers and one text buffer, reused for every file.
        let mut parsers = Parsers::new();
        let mut text = String::new();
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                return ignore::WalkState::Continue;
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let path = entry.path();
            let Some(language) = Language::from_path(path) else {
                return ignore::WalkState::Continue;
            };
            let below_root = path.strip_prefix(root).unwrap_or(path);
            if path.to_str().is_some_and(|p| p.ends_with(".min.js")) || is_test_file(below_root) {
                return ignore::WalkState::Continue;
            }
            // Unreadable or non-UTF-8 files are not source we can analyze.
            text.clear();
            let read = std::fs::File::open(path)
                .and_then(|mut file| std::io::Read::read_to_string(&mut file, &mut text));
            if read.is_err() {
                return ignore::WalkState::Continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(path);
            let relative = relative.to_string_lossy().replace('\\', "/");
            visit(&relative, language, &text, &mut parsers);
            ignore::WalkState::Continue
        })
    });
    Ok(())
}
