//! `cache.yml`: the response cache's settings in a file of their own beside the main
//! config (`config/cache.yml` next to `config/perfkit.yml`), instead of its `cache:`
//! section. It holds what that section holds, plus `routes:`, route cache blocks by
//! route name. Its errors name `cache.yml` with their line and column.

use std::path::{Path, PathBuf};

use crate::locate::Locations;
use crate::schema::{CacheConfig, Config};
use crate::{invalid, validate, ConfigError};

/// The cache file's name, looked for in the main config file's folder.
pub const CACHE_FILE: &str = "cache.yml";

/// Where the cache file for the main config at `config_path` would be.
pub fn cache_file_path(config_path: &Path) -> PathBuf {
    config_path.with_file_name(CACHE_FILE)
}

/// One YAML text and the file it came from.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

/// Puts the cache settings in place: from `cache_file` when there is one (an inline
/// `cache:` section in `main` is then an error; `overrides`, the `PERFKIT_CACHE__*`
/// variables, apply to it), and the `routes:` blocks by name into their routes. Errors point into the file the settings came from.
pub(crate) fn merge(
    config: &mut Config,
    main: Source<'_>,
    cache_file: Option<Source<'_>>,
    overrides: &[&(String, String)],
) -> Result<(), ConfigError> {
    let (from, at) = match cache_file {
        Some(file) => {
            if let Some(location) = Locations::index(main.text).exact("cache") {
                return Err(ConfigError::Invalid {
                    path: main.path.to_owned(),
                    location: Some(location),
                    field: "cache".into(),
                    message: format!(
                        "the cache is configured in {} too; keep one of them (move this section there, or delete that file)",
                        file.path.display()
                    ),
                });
            }
            let cache = crate::parse_yaml::<CacheConfig>(file.path, file.text)?;
            config.cache = crate::override_cache(cache, overrides)?;
            (file, "")
        }
        None => (main, "cache."),
    };
    let located =
        |problem: validate::Problem| invalid(from.path, from.text, problem.field, problem.message);
    validate::check_cache(at, &config.cache).map_err(located)?;
    for (name, block) in std::mem::take(&mut config.cache.routes) {
        let field = format!("{at}routes.{name}");
        let labels: Vec<String> = config.routes.iter().map(|r| r.label()).collect();
        let Some(index) = labels.iter().position(|label| *label == name) else {
            return Err(located(validate::Problem {
                field,
                message: format!(
                    "no route named `{name}` (routes: {})",
                    if labels.is_empty() {
                        "none".to_owned()
                    } else {
                        labels.join(", ")
                    }
                ),
            }));
        };
        let route = &config.routes[index];
        if route.cache.is_some() {
            return Err(located(validate::Problem {
                field,
                message: format!(
                    "routes[{index}] (`{name}`) has its own cache: block in {}; configure its cache in one place",
                    main.path.display()
                ),
            }));
        }
        validate::check_route_cache(&field, &block).map_err(located)?;
        // A malformed `path` is reported against the main file afterwards.
        if route.pattern().is_none_or(|p| p.is_ok()) {
            validate::check_route_tags(&field, route, &block).map_err(located)?;
        }
        config.routes[index].cache = Some(block);
    }
    Ok(())
}
