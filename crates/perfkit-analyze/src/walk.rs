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
    "vendored",
];

/// Code that does not run on the request path, so it is not analyzed in a directory walk
/// (a file named on the command line still is): tests, whose loops and fixtures build
/// data, and schema migrations, which run once per deploy: Alembic's folder, and in a
/// `migrations` folder the files named by number or timestamp (Django `0002_backfill.py`,
/// knex/Sequelize `20240101_users.js`, TypeORM `1700000000000-AddIndex.ts`) or under
/// `versions/` (Flask-Migrate). Other code in a `migrations` folder (a migration
/// framework's own, such as `django/db/migrations/autodetector.py`) is analyzed.
fn is_off_request_path(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    // `tests.py` is Django's default test module of an app.
    let test_name = stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem == "tests"
        || stem.starts_with("tests_")
        || stem.ends_with("_tests")
        || stem == "conftest"
        || name.contains(".test.")
        || name.contains(".spec.");
    let folders: Vec<&str> = path
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let test_folder = folders
        .iter()
        .any(|f| matches!(*f, "tests" | "test" | "__tests__"));
    let migration = folders.contains(&"alembic")
        || folders
            .iter()
            .position(|f| *f == "migrations")
            .is_some_and(|at| {
                name.starts_with(|c: char| c.is_ascii_digit())
                    || folders[at..].contains(&"versions")
            });
    test_name || test_folder || migration
}

/// Calls `visit(relative_path, language, text, parsers)` for every source file under
/// `root` in a language `wanted` accepts, on several threads; each thread has its own
/// parsers. Files of other languages are not read.
pub(crate) fn for_each_source(
    root: &Path,
    excludes: &[String],
    threads: usize,
    wanted: impl Fn(Language) -> bool + Sync,
    visit: impl Fn(&str, Language, &str, &mut Parsers) + Sync,
) -> Result<(), AnalyzeError> {
    let metadata = std::fs::metadata(root).map_err(|source| AnalyzeError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    if metadata.is_file() {
        let Some(language) = Language::from_path(root).filter(|l| wanted(*l)) else {
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
    let (wanted, visit) = (&wanted, &visit);
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
            let Some(language) = Language::from_path(path).filter(|l| wanted(*l)) else {
                return ignore::WalkState::Continue;
            };
            let below_root = path.strip_prefix(root).unwrap_or(path);
            if path.to_str().is_some_and(|p| p.ends_with(".min.js"))
                || is_off_request_path(below_root)
            {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    #[test]
    fn a_walk_skips_dependencies_build_output_tests_and_migrations() {
        let root = tempfile::tempdir().unwrap();
        let files = [
            ("app/views.py", true),
            ("django/db/migrations/autodetector.py", true),
            ("app/routes/users.ts", true),
            ("app/static/app.js", true),
            ("app/tests/test_views.py", false),
            ("app/test_models.py", false),
            ("app/models_test.py", false),
            ("app/tests.py", false),
            ("app/tests_api.py", false),
            ("app/views_tests.py", false),
            ("app/testing.py", true),
            ("web/users.spec.ts", false),
            ("web/users.test.js", false),
            ("web/__tests__/users.js", false),
            ("app/migrations/0002_backfill.py", false),
            ("migrations/versions/3f2a_add_index.py", false),
            ("alembic/versions/3f2a_add_index.py", false),
            ("db/migrations/20240101_users.js", false),
            ("node_modules/express/index.js", false),
            ("app/static/vendored/vue.js", false),
            ("vendor/lib.py", false),
            ("dist/server.js", false),
            ("web/jquery.min.js", false),
        ];
        for (path, _) in files {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x = 1\n").unwrap();
        }
        let seen = Mutex::new(BTreeSet::new());
        for_each_source(
            root.path(),
            &[],
            2,
            |_| true,
            |relative, _, _, _| {
                seen.lock().unwrap().insert(relative.to_string());
            },
        )
        .unwrap();
        let expected: BTreeSet<String> = files
            .iter()
            .filter(|(_, analyzed)| *analyzed)
            .map(|(path, _)| path.to_string())
            .collect();
        assert_eq!(seen.into_inner().unwrap(), expected);
        // Named on the command line, a migration is analyzed.
        let migration = root.path().join("app/migrations/0002_backfill.py");
        let named = Mutex::new(0);
        for_each_source(
            &migration,
            &[],
            1,
            |_| true,
            |_, _, _, _| *named.lock().unwrap() += 1,
        )
        .unwrap();
        assert_eq!(named.into_inner().unwrap(), 1);
    }
}
