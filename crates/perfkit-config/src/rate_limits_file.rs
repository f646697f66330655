//! `rate-limits.yml` beside the main config file: the `rate_limits:` section in a file
//! of its own (its top level is the section's content), read and checked with the
//! main file, so it is also re-read on every reload (SIGHUP). Rate limits set in both
//! places are an error rather than one silently winning.

use std::path::{Path, PathBuf};

use crate::rate_limits::{self, RateLimitsConfig};
use crate::{invalid, parse_yaml, read_config_file, Config, ConfigError};

/// The name of the rate-limits file, looked for in the main config file's directory.
pub const RATE_LIMITS_FILE: &str = "rate-limits.yml";

/// Where the rate-limits file of the config file at `main` is.
pub fn rate_limits_path(main: &Path) -> PathBuf {
    main.with_file_name(RATE_LIMITS_FILE)
}

/// Reads the rate-limits file beside `main` into `config`, if there is one.
/// `main_text` is the main file's text (to tell whether it has the section too).
pub(crate) fn load_beside(
    main: &Path,
    main_text: &str,
    config: &mut Config,
) -> Result<(), ConfigError> {
    let path = rate_limits_path(main);
    if path == main || !path.is_file() {
        return Ok(());
    }
    let in_main = has_section(main_text) || config.rate_limits != RateLimitsConfig::default();
    if in_main {
        return Err(invalid(
            main,
            main_text,
            "rate_limits".into(),
            format!(
                "rate limits are set here and in {}; keep one: move this section into that file, or delete the file",
                path.display()
            ),
        ));
    }
    let text = read_config_file(&path)?;
    let limits: RateLimitsConfig = parse_yaml(&path, &text)?;
    rate_limits::check(&limits).map_err(|(field, message)| {
        let field = field
            .strip_prefix("rate_limits.")
            .unwrap_or(&field)
            .to_owned();
        invalid(&path, &text, field, message)
    })?;
    config.rate_limits = limits;
    Ok(())
}

/// Whether the YAML text has a top-level `rate_limits` key.
fn has_section(text: &str) -> bool {
    serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text)
        .ok()
        .and_then(|value| value.as_mapping().map(|m| m.contains_key("rate_limits")))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let dir =
                std::env::temp_dir().join(format!("perfkit-config-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }

        fn write(&self, name: &str, text: &str) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, text).unwrap();
            path
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const RULES: &str = "rules:\n  - name: per-ip\n    limit: {rate: 5, period: 1s}\n";

    #[test]
    fn the_file_beside_the_config_supplies_the_rules() {
        let dir = Dir::new("beside");
        let main = dir.write("perfkit.yml", "server:\n  workers: 1\n");
        dir.write(RATE_LIMITS_FILE, RULES);
        let config = Config::load_with_env(&main, Vec::new()).unwrap();
        assert_eq!(config.rate_limits.rules[0].name, "per-ip");
        // Without the file, no rules.
        std::fs::remove_file(dir.0.join(RATE_LIMITS_FILE)).unwrap();
        let config = Config::load_with_env(&main, Vec::new()).unwrap();
        assert!(config.rate_limits.rules.is_empty());
    }

    #[test]
    fn errors_in_the_file_point_into_it() {
        let dir = Dir::new("errors");
        let main = dir.write("perfkit.yml", "");
        let file = dir.write(
            RATE_LIMITS_FILE,
            "rules:\n  - name: a\n    limit: {rate: 0, period: 1s}\n",
        );
        let error = Config::load_with_env(&main, Vec::new())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!(
                "{}:3:13: rules[0].limit.rate: must be at least 1",
                file.display()
            )
        );
        dir.write(RATE_LIMITS_FILE, "rules:\n  - name: a\n    limt: 3\n");
        let error = Config::load_with_env(&main, Vec::new())
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(&format!("{}:3:5: ", file.display())) && error.contains("limt"),
            "{error}"
        );
    }

    #[test]
    fn rate_limits_in_both_places_are_an_error() {
        let dir = Dir::new("both");
        dir.write(RATE_LIMITS_FILE, RULES);
        let main = dir.write("perfkit.yml", "server:\n  workers: 1\nrate_limits: {}\n");
        let error = Config::load_with_env(&main, Vec::new())
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(&format!(
                "{}:3:1: rate_limits: rate limits are set here",
                main.display()
            )) && error.contains("rate-limits.yml; keep one"),
            "{error}"
        );
    }
}
