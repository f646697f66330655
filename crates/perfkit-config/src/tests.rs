use std::path::Path;

use crate::{Balance, Config, ConfigError, HashKey, Location};

const GOOD: &str = "\
server:
  listen: 127.0.0.1:8081
  max_body_size: 1MiB
  trusted_proxies: [10.0.0.0/8]
upstreams:
  api:
    balance: consistent_hash
    hash_key: header:x-user
    servers:
      - address: 127.0.0.1:3000
        weight: 2
      - address: localhost:3001
routes:
  - path_prefix: /api
    upstream: api
";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse_with_env(Path::new("perfkit.yml"), text, Vec::new())
}

fn parse_env(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Config::parse_with_env(Path::new("perfkit.yml"), text, env)
}

#[test]
fn good_config_loads_with_defaults_filled_in() {
    let config = parse(GOOD).unwrap();
    assert_eq!(config.server.max_body_size.0, 1 << 20);
    let api = &config.upstreams["api"];
    assert_eq!(api.balance, Balance::ConsistentHash);
    assert_eq!(api.hash_key, Some(HashKey::Header("x-user".into())));
    assert_eq!(api.servers[0].weight.get(), 2);
    assert_eq!(api.servers[1].weight.get(), 1);
    assert_eq!(api.retries.attempts, 2);
    assert_eq!(config.routes[0].label(), "/api");
}

#[test]
fn empty_file_is_all_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config.server.listen.port(), 8080);
    assert!(config.routes.is_empty());
}

#[test]
fn unknown_field_names_line_column_and_field() {
    let text = GOOD.replace("        weight: 2", "        wieght: 2");
    let err = parse(&text).unwrap_err();
    assert_eq!(
        err.location(),
        Some(Location {
            line: 11,
            column: 9
        })
    );
    let shown = err.to_string();
    assert!(shown.starts_with("perfkit.yml:11:9: "), "{shown}");
    assert!(shown.contains("upstreams.api.servers[0]"), "{shown}");
    assert!(shown.contains("unknown field `wieght`"), "{shown}");
}

#[test]
fn bad_values_point_at_their_line() {
    let text = GOOD.replace("1MiB", "1 parsec");
    let err = parse(&text).unwrap_err();
    assert_eq!(err.location().map(|l| l.line), Some(3), "{err}");
    assert!(err.to_string().contains("server.max_body_size"), "{err}");

    let text = GOOD.replace("127.0.0.1:8081", "not-an-address");
    let err = parse(&text).unwrap_err();
    assert_eq!(err.location().map(|l| l.line), Some(2), "{err}");

    let text = GOOD.replace("consistent_hash", "random");
    let err = parse(&text).unwrap_err();
    assert_eq!(err.location().map(|l| l.line), Some(7), "{err}");
    assert!(
        err.to_string().contains("unknown variant `random`"),
        "{err}"
    );
}

#[test]
fn yaml_syntax_error_has_a_location() {
    let err = parse("server:\n  listen: [unclosed\n").unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Parse {
                location: Some(_),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn route_to_unknown_upstream_points_at_the_route() {
    let text = GOOD.replace("    upstream: api", "    upstream: apj");
    let err = parse(&text).unwrap_err();
    let shown = err.to_string();
    assert_eq!(
        shown,
        "perfkit.yml:15:5: routes[0].upstream: no upstream named `apj` (defined: api)"
    );
}

#[test]
fn semantic_rules_are_enforced() {
    let no_key = GOOD.replace("    hash_key: header:x-user\n", "");
    let err = parse(&no_key).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("perfkit.yml:7:5: upstreams.api.balance:"),
        "{err}"
    );

    let no_port = GOOD.replace("localhost:3001", "localhost");
    let err = parse(&no_port).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("perfkit.yml:12:9: upstreams.api.servers[1].address:"),
        "{err}"
    );

    let zero_weight = GOOD.replace("weight: 2", "weight: 0");
    assert!(parse(&zero_weight).is_err());
}

#[test]
fn env_overrides_replace_values_with_types() {
    let config = parse_env(
        GOOD,
        &[
            ("PERFKIT_SERVER__LISTEN", "0.0.0.0:9000"),
            ("PERFKIT_ADMIN__TOKEN", "s3cret"),
            ("PERFKIT_UPSTREAMS__API__RETRIES__ATTEMPTS", "5"),
            ("PERFKIT_ROUTES__0__STRIP_PREFIX", "true"),
            ("PERFKIT_LOG", "ignored: not a path override"),
        ],
    )
    .unwrap();
    assert_eq!(config.server.listen.port(), 9000);
    assert_eq!(config.admin.token.as_deref(), Some("s3cret"));
    assert_eq!(config.upstreams["api"].retries.attempts, 5);
    assert!(config.routes[0].strip_prefix);
    assert!(!config.to_redacted_yaml().contains("s3cret"));
}

#[test]
fn bad_env_override_names_the_variable() {
    let err = parse_env(GOOD, &[("PERFKIT_SERVER__LISTEN", "nowhere")]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("environment override PERFKIT_SERVER__LISTEN"),
        "{err}"
    );
    let err = parse_env(GOOD, &[("PERFKIT_ROUTES__7__UPSTREAM", "api")]).unwrap_err();
    assert!(err.to_string().contains("past the end"), "{err}");
}

#[test]
fn effective_config_round_trips() {
    let config = parse(GOOD).unwrap();
    let again = parse(&config.to_redacted_yaml()).unwrap();
    assert_eq!(config, again);
}

/// Values that parse but cannot work are rejected where they stand in the file.
#[test]
fn values_that_cannot_work_are_rejected_with_their_location() {
    let cases: &[(&str, &str, &str, usize)] = &[
        (
            "    balance: consistent_hash\n",
            "    retries: {attempts: 4294967295}\n    balance: consistent_hash\n",
            "upstreams.api.retries.attempts",
            7,
        ),
        (
            "    balance: consistent_hash\n",
            "    timeouts: {read: 0s}\n    balance: consistent_hash\n",
            "upstreams.api.timeouts.read",
            7,
        ),
        (
            "    balance: consistent_hash\n",
            "    timeouts: {connect: 0s}\n    balance: consistent_hash\n",
            "upstreams.api.timeouts.connect",
            7,
        ),
        (
            "  max_body_size: 1MiB\n",
            "  max_body_size: 1MiB\n  workers: 20000\n",
            "server.workers",
            4,
        ),
        (
            "  max_body_size: 1MiB\n",
            "  max_body_size: 1MiB\n  header_read_timeout: 0s\n",
            "server.header_read_timeout",
            4,
        ),
        (
            "  max_body_size: 1MiB\n",
            "  max_body_size: 1MiB\n  idle_timeout: 0s\n",
            "server.idle_timeout",
            4,
        ),
        (
            "  max_body_size: 1MiB\n",
            "  max_body_size: 1MiB\n  client_body_timeout: 0ms\n",
            "server.client_body_timeout",
            4,
        ),
    ];
    for (from, to, field, line) in cases {
        let text = GOOD.replacen(from, to, 1);
        let err = parse(&text).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(field), "{field}: {message}");
        assert_eq!(
            err.location().map(|l| l.line),
            Some(*line),
            "{field}: {message}"
        );
    }
    // The edges of the accepted ranges still load.
    let text = GOOD.replacen(
        "    balance: consistent_hash\n",
        "    retries: {attempts: 10}\n    balance: consistent_hash\n",
        1,
    );
    assert_eq!(parse(&text).unwrap().upstreams["api"].retries.attempts, 10);
    let text = GOOD.replacen(
        "  max_body_size: 1MiB\n",
        "  max_body_size: 1MiB\n  workers: 1024\n",
        1,
    );
    assert_eq!(parse(&text).unwrap().server.worker_count(), 1024);
    let text = GOOD.replacen(
        "  max_body_size: 1MiB\n",
        "  max_body_size: 1MiB\n  max_connections_per_worker: 0\n",
        1,
    );
    assert!(
        parse(&text).is_err(),
        "a cap of 0 connections would serve nobody"
    );
}

#[test]
fn hostile_nesting_is_refused_quickly_with_a_location() {
    let deep = format!("server: {}", "[".repeat(100_000));
    let started = std::time::Instant::now();
    let err = parse(&deep).unwrap_err();
    // Generous: the unbounded load took seconds for 20,000 levels.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.to_string().contains("nested more than 32 levels"),
        "{err}"
    );
    assert_eq!(err.location().map(|l| l.line), Some(1));
    // Nesting within the bound is fine (and then fails on the schema, as it should).
    let shallow = format!("server: {}{}", "[".repeat(20), "]".repeat(20));
    assert!(!parse(&shallow).unwrap_err().to_string().contains("nested"));
    // Brackets in strings and comments are not nesting.
    let quoted = format!(
        "log:\n  level: \"{}\" # {}\n",
        "[".repeat(50),
        "{".repeat(50)
    );
    assert_eq!(parse(&quoted).unwrap().log.level, "[".repeat(50));
}

#[test]
fn oversized_files_are_refused() {
    let huge = format!("# {}\n", "x".repeat(crate::MAX_FILE_SIZE));
    let err = parse(&huge).unwrap_err();
    assert!(err.to_string().contains("larger than 1024 KiB"), "{err}");
    let dir = std::env::temp_dir().join(format!("perfkit-big-{}", std::process::id()));
    std::fs::write(&dir, &huge).unwrap();
    let err = Config::load(&dir).unwrap_err();
    std::fs::remove_file(&dir).unwrap();
    assert!(err.to_string().contains("larger than 1024 KiB"), "{err}");
}

#[test]
fn a_read_error_names_its_cause_once() {
    let err = Config::load(Path::new("/nonexistent/perfkit.yml")).unwrap_err();
    let chained = format!("{:#}", anyhow_like(&err));
    assert_eq!(chained.matches("No such file").count(), 1, "{chained}");
}

/// What `{:#}` of an anyhow error prints: the message and every source's message.
fn anyhow_like(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[test]
fn an_error_at_the_end_of_a_file_without_a_final_newline_points_at_its_last_line() {
    let err = parse("upstreams: {reams:").unwrap_err();
    assert_eq!(
        err.location(),
        Some(Location {
            line: 1,
            column: 19
        }),
        "{err}"
    );
    let err = parse("server:\n  listen: [").unwrap_err();
    assert_eq!(err.location().map(|l| l.line), Some(2), "{err}");
}

const CACHED: &str = "\
upstreams:
  api:
    servers:
      - address: 127.0.0.1:3000
routes:
  - path_prefix: /api
    upstream: api
    cache:
      key:
        sort_query: true
        query_deny: [utm_source]
        headers: [accept-language]
        cookies: [lang]
      x_cache_header: true
cache:
  max_memory: 32MiB
  max_object_size: 1MiB
  max_variants: 4
  heuristic_freshness: true
  redis:
    url: redis://user:secret@127.0.0.1:6379/0
    namespace: shop
    timeout: 100ms
";

#[test]
fn cache_section_and_route_cache_load() {
    let config = parse(CACHED).unwrap();
    assert!(config.cache.enabled);
    assert_eq!(config.cache.max_memory.0, 32 << 20);
    assert_eq!(config.cache.max_object_size.0, 1 << 20);
    assert_eq!(config.cache.max_variants.get(), 4);
    assert!(config.cache.heuristic_freshness);
    assert!(!config.cache.store_set_cookie, "off unless asked for");
    let redis = config.cache.redis.as_ref().unwrap();
    assert_eq!(redis.namespace, "shop");
    assert_eq!(redis.timeout, std::time::Duration::from_millis(100));
    let route = config.routes[0].cache.as_ref().unwrap();
    assert!(route.enabled && route.x_cache_header && route.key.sort_query);
    assert_eq!(route.key.query_deny, ["utm_source"]);
    assert_eq!(route.key.headers, ["accept-language"]);
    // No cache block: no caching on the route.
    assert!(parse(GOOD).unwrap().routes[0].cache.is_none());
    // The Redis password is a secret.
    let shown = config.to_redacted_yaml();
    assert!(!shown.contains("secret"), "{shown}");
    assert!(!format!("{config:?}").contains("secret"));
}

#[test]
fn cache_mistakes_are_located() {
    let err =
        parse(&CACHED.replace("        cookies: [lang]", "        cookie: [lang]")).unwrap_err();
    assert_eq!(err.location().map(|l| l.line), Some(13), "{err}");
    assert!(err.to_string().contains("unknown field `cookie`"), "{err}");

    let err =
        parse(&CACHED.replace("max_object_size: 1MiB", "max_object_size: 64MiB")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("perfkit.yml:17:3: cache.max_object_size:"),
        "{err}"
    );

    let err = parse(&CACHED.replace("redis://user", "http://user")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("perfkit.yml:21:5: cache.redis.url:"),
        "{err}"
    );

    let err = parse(&CACHED.replace("[accept-language]", "[\"accept language\"]")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("perfkit.yml:12:19: routes[0].cache.key.headers[0]:"),
        "{err}"
    );

    let err = parse(&CACHED.replace(
        "query_deny: [utm_source]",
        "query_deny: [utm_source]\n        query_allow: [utm_source]",
    ))
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("routes[0].cache.key.query_deny[0]: `utm_source` is also in query_allow"),
        "{err}"
    );

    let err = parse(&CACHED.replace("max_variants: 4", "max_variants: 0")).unwrap_err();
    assert_eq!(err.location().map(|l| l.line), Some(18), "{err}");
}

#[test]
fn cache_env_overrides_apply() {
    let config = parse_env(CACHED, &[("PERFKIT_CACHE__ENABLED", "false")]).unwrap();
    assert!(!config.cache.enabled);
}

#[test]
fn cache_warm_settings_load_and_bad_urls_are_located() {
    let text = "cache:\n  warm:\n    urls: [/a, \"http://shop.test/b?c=1\"]\n    sitemap: /sitemap.xml\n    concurrency: 8\n";
    let config = parse(text).unwrap();
    assert_eq!(config.cache.warm.urls, ["/a", "http://shop.test/b?c=1"]);
    assert_eq!(config.cache.warm.sitemap.as_deref(), Some("/sitemap.xml"));
    assert_eq!(config.cache.warm.concurrency.get(), 8);
    assert_eq!(parse("{}").unwrap().cache.warm.concurrency.get(), 4);

    let err = parse(&text.replace("http://shop.test/b?c=1", "shop.test/b")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("perfkit.yml:3:16: cache.warm.urls[1]: `shop.test/b` is neither"),
        "{err}"
    );
    let err = parse(&text.replace("concurrency: 8", "concurency: 8")).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `concurency`"),
        "{err}"
    );
}
