//! Route path patterns, tag templates, CDN headers and purge webhooks in the config.

use std::path::Path;
use std::time::Duration;

use crate::{Config, ConfigError};

const PATTERNS: &str = "\
upstreams:
  app:
    servers:
      - address: 127.0.0.1:3000
routes:
  - path: /users/{id}
    upstream: app
    cache:
      tags: [\"user:{id}\", users]
      cdn:
        cache_control: public, max-age=60
        cdn_cache_control: max-age=600
        surrogate_key: true
  - path: /files/{rest...}
    host: cdn.example
    upstream: app
  - path_prefix: /
    upstream: app
cache:
  purge_webhooks:
    - url: http://127.0.0.1:9/purge
      auth_header: \"Fastly-Key: s3cret\"
      retries: 3
      backoff: 50ms
";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse_with_env(Path::new("perfkit.yml"), text, Vec::new())
}

fn error_at(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn patterns_tags_cdn_headers_and_webhooks_load() {
    let config = parse(PATTERNS).unwrap();
    let users = &config.routes[0];
    assert_eq!(users.label(), "/users/{id}");
    assert_eq!(config.routes[1].label(), "cdn.example/files/{rest...}");
    assert_eq!(config.routes[2].label(), "/");
    let cache = users.cache.as_ref().unwrap();
    let tags: Vec<Option<String>> = cache
        .tag_templates()
        .unwrap()
        .iter()
        .map(|t| t.render(&[("id", "42")]))
        .collect();
    assert_eq!(tags, [Some("user:42".into()), Some("users".into())]);
    let cdn = cache.cdn.as_ref().unwrap();
    assert_eq!(cdn.cache_control.as_deref(), Some("public, max-age=60"));
    assert!(cdn.surrogate_key);
    let hook = &config.cache.purge_webhooks[0];
    assert_eq!(hook.label(), "127.0.0.1:9");
    assert_eq!(hook.auth(), Some(("Fastly-Key", "s3cret")));
    assert_eq!(hook.retries, 3);
    assert_eq!(hook.backoff, Duration::from_millis(50));
    assert_eq!(hook.timeout, Duration::from_secs(2));
    assert_eq!(config.cache.purge_webhook_wait, Duration::from_secs(1));
    // The webhook's credential is a secret.
    let shown = config.to_redacted_yaml();
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("Fastly-Key: <redacted>"), "{shown}");
    assert!(!format!("{config:?}").contains("s3cret"));
    // The effective config reads back the same.
    assert_eq!(
        parse(&shown.replace("<redacted>", "s3cret")).unwrap(),
        config
    );
}

#[test]
fn bad_patterns_are_located_at_their_value() {
    let err = error_at(&PATTERNS.replace("path: /users/{id}", "path: /users/{id"));
    assert!(
        err.starts_with("perfkit.yml:6:5: routes[0].path: "),
        "{err}"
    );
    assert!(err.contains("without closing"), "{err}");

    let err = error_at(&PATTERNS.replace("/files/{rest...}", "/files/{rest...}/x"));
    assert!(
        err.starts_with("perfkit.yml:14:5: routes[1].path: "),
        "{err}"
    );
    assert!(err.contains("must be the last segment"), "{err}");

    let err = error_at(&PATTERNS.replace("path: /users/{id}", "path: users"));
    assert!(err.contains("must start with `/`"), "{err}");
}

#[test]
fn tag_templates_must_name_captures_of_the_route() {
    let err = error_at(&PATTERNS.replace("\"user:{id}\"", "\"user:{uid}\""));
    assert!(
        err.starts_with("perfkit.yml:9:14: routes[0].cache.tags[0]: `{uid}` is not captured"),
        "{err}"
    );
    assert!(err.contains("captures {id}"), "{err}");

    let no_pattern = PATTERNS.replace("  - path: /users/{id}\n", "  - path_prefix: /users\n");
    let err = error_at(&no_pattern);
    assert!(err.contains("routes[0].cache.tags[0]"), "{err}");
    assert!(err.contains("no `path` pattern"), "{err}");

    let err = error_at(&PATTERNS.replace("\"user:{id}\"", "\"user:{id\""));
    assert!(
        err.starts_with("perfkit.yml:9:14: routes[0].cache.tags[0]: "),
        "{err}"
    );
    assert!(err.contains("not a placeholder"), "{err}");
}

#[test]
fn pattern_route_rules() {
    let both = PATTERNS.replace(
        "  - path: /users/{id}\n",
        "  - path: /users/{id}\n    path_prefix: /users\n",
    );
    let err = error_at(&both);
    assert!(
        err.contains("routes[0].path: a route matches either"),
        "{err}"
    );

    let strip = PATTERNS.replace(
        "  - path: /users/{id}\n",
        "  - path: /users/{id}\n    strip_prefix: true\n",
    );
    assert!(error_at(&strip).contains("routes[0].strip_prefix"));

    let twice = PATTERNS.replace(
        "  - path_prefix: /\n",
        "  - path: /users/{id}\n    upstream: app\n  - path_prefix: /\n",
    );
    let err = error_at(&twice);
    assert!(
        err.contains("routes[2].path: another route already has this host and path"),
        "{err}"
    );
}

#[test]
fn cdn_and_webhook_mistakes_are_located() {
    let err = error_at(&PATTERNS.replace("max-age=600", "\"max-age=600\\n\""));
    assert!(
        err.starts_with("perfkit.yml:12:9: routes[0].cache.cdn.cdn_cache_control:"),
        "{err}"
    );

    let err = error_at(&PATTERNS.replace("http://127.0.0.1:9/purge", "ftp://cdn.example/purge"));
    assert!(
        err.starts_with("perfkit.yml:21:7: cache.purge_webhooks[0].url:"),
        "{err}"
    );
    // https:// is accepted; a CA file must exist, and only goes with https://.
    let https = PATTERNS.replace("http://127.0.0.1:9/purge", "https://cdn.example/purge");
    assert!(parse(&https).is_ok(), "https webhooks are valid");
    let err = error_at(&https.replace(
        "      retries: 3",
        "      retries: 3\n      ca_file: /nonexistent/ca.pem",
    ));
    assert!(
        err.contains(
            "cache.purge_webhooks[0].ca_file: `/nonexistent/ca.pem` is not a readable file"
        ),
        "{err}"
    );
    let err = error_at(&PATTERNS.replace(
        "      retries: 3",
        "      retries: 3\n      ca_file: Cargo.toml",
    ));
    assert!(
        err.contains("cache.purge_webhooks[0].ca_file: is only used with an https:// URL"),
        "{err}"
    );

    let err = error_at(&PATTERNS.replace("\"Fastly-Key: s3cret\"", "s3cret"));
    assert!(
        err.starts_with("perfkit.yml:22:7: cache.purge_webhooks[0].auth_header:"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "the secret is not echoed: {err}");

    let err = error_at(&PATTERNS.replace(
        "cache:\n  purge_webhooks:",
        "cache:\n  surrogate_device: \"my cdn\"\n  purge_webhooks:",
    ));
    assert!(
        err.starts_with("perfkit.yml:20:3: cache.surrogate_device: `my cdn` is not a token"),
        "{err}"
    );
    assert_eq!(parse(PATTERNS).unwrap().cache.surrogate_device, "perfkit");

    let err = error_at(&PATTERNS.replace(
        "      tags: [",
        "      targeted_fields: [\"cdn cache control\"]\n      tags: [",
    ));
    assert!(
        err.starts_with("perfkit.yml:9:25: routes[0].cache.targeted_fields[0]: "),
        "{err}"
    );

    let err = error_at(&PATTERNS.replace("retries: 3", "retries: 11"));
    assert!(err.contains("cache.purge_webhooks[0].retries"), "{err}");

    let err = error_at(&PATTERNS.replace("surrogate_key: true", "surrogate_keys: true"));
    assert!(err.starts_with("perfkit.yml:13:9: "), "{err}");
}

const MAIN: &str = "\
upstreams:
  app:
    servers:
      - address: 127.0.0.1:3000
routes:
  - name: users
    path: /users/{id}
    upstream: app
  - path_prefix: /
    upstream: app
";

const CACHE_YML: &str = "\
max_memory: 16MiB
max_object_size: 1MiB
routes:
  users:
    x_cache_header: true
    tags: [\"user:{id}\"]
  /:
    key: { sort_query: true }
";

fn with_cache_file(main: &str, cache: &str) -> Result<Config, ConfigError> {
    Config::parse_files(
        Path::new("config/perfkit.yml"),
        main,
        Some(crate::Source {
            path: Path::new("config/cache.yml"),
            text: cache,
        }),
        Vec::new(),
    )
}

#[test]
fn cache_yml_holds_the_cache_settings_and_route_blocks_by_name() {
    let config = with_cache_file(MAIN, CACHE_YML).unwrap();
    assert_eq!(config.cache.max_memory.0, 16 << 20);
    let users = config.routes[0].cache.as_ref().unwrap();
    assert!(users.x_cache_header);
    assert_eq!(users.tags, ["user:{id}"]);
    assert!(config.routes[1].cache.as_ref().unwrap().key.sort_query);
    assert!(config.cache.routes.is_empty(), "merged into the routes");

    // The same blocks work inline, in the cache: section.
    let inline = format!(
        "{MAIN}cache:\n{}",
        CACHE_YML
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    );
    assert_eq!(parse(&inline).unwrap(), config);
}

#[test]
fn cache_yml_errors_point_into_cache_yml() {
    let err = with_cache_file(
        MAIN,
        &CACHE_YML.replace("max_object_size: 1MiB", "max_object_size: 1GiB"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("config/cache.yml:2:1: max_object_size: "),
        "{err}"
    );

    let err = with_cache_file(
        MAIN,
        &CACHE_YML.replace("x_cache_header", "x_cache_headers"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("config/cache.yml:5:5: "), "{err}");
    assert!(err.contains("unknown field `x_cache_headers`"), "{err}");

    let err = with_cache_file(MAIN, &CACHE_YML.replace("user:{id}", "user:{uid}"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("config/cache.yml:6:12: routes.users.tags[0]: `{uid}` is not captured"),
        "{err}"
    );

    let err = with_cache_file(MAIN, &CACHE_YML.replace("  users:", "  user:"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "config/cache.yml:4:3: routes.user: no route named `user` (routes: users, /)"
        ),
        "{err}"
    );
}

#[test]
fn a_cache_section_beside_cache_yml_or_a_route_configured_twice_is_an_error() {
    let err = with_cache_file(&format!("{MAIN}cache:\n  max_memory: 1MiB\n"), CACHE_YML)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "config/perfkit.yml:11:1: cache: the cache is configured in config/cache.yml too"
        ),
        "{err}"
    );

    let twice = MAIN.replace(
        "    path: /users/{id}\n    upstream: app\n",
        "    path: /users/{id}\n    upstream: app\n    cache: {}\n",
    );
    let err = with_cache_file(&twice, CACHE_YML).unwrap_err().to_string();
    assert!(
        err.starts_with(
            "config/cache.yml:4:3: routes.users: routes[0] (`users`) has its own cache: block"
        ),
        "{err}"
    );
}

#[test]
fn load_reads_cache_yml_beside_the_main_file() {
    let dir = std::env::temp_dir().join(format!("perfkit-cache-yml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let main = dir.join("perfkit.yml");
    std::fs::write(&main, MAIN).unwrap();
    let without = Config::load_with_env(&main, Vec::new()).unwrap();
    assert!(without.routes[0].cache.is_none());
    std::fs::write(crate::cache_file_path(&main), CACHE_YML).unwrap();
    let with = Config::load_with_env(&main, Vec::new()).unwrap();
    assert!(with.routes[0].cache.is_some());
    assert_eq!(with.cache.max_memory.0, 16 << 20);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cache_env_overrides_apply_to_cache_yml_too() {
    let env = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let parse = |vars: &[(&str, &str)]| {
        Config::parse_files(
            Path::new("config/perfkit.yml"),
            MAIN,
            Some(crate::Source {
                path: Path::new("config/cache.yml"),
                text: CACHE_YML,
            }),
            env(vars),
        )
    };
    let config = parse(&[
        ("PERFKIT_CACHE__MAX_MEMORY", "8MiB"),
        ("PERFKIT_CACHE__HEURISTIC_FRESHNESS", "true"),
    ])
    .unwrap();
    assert_eq!(config.cache.max_memory.0, 8 << 20, "the file says 16MiB");
    assert!(config.cache.heuristic_freshness);
    // The file's route blocks still reach their routes.
    let users = config.routes[0].cache.as_ref().unwrap();
    assert_eq!(users.tags, ["user:{id}"]);

    let err = parse(&[("PERFKIT_CACHE__MAX_MEMORY", "lots")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("PERFKIT_CACHE__MAX_MEMORY"), "{err}");
}
