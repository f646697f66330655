//! `perfkit cache-hit-rate`: hit rates of a running gateway's response cache by
//! route (the label the gateway reports) and layer (L1 memory, L2 Redis), read from
//! its admin API (`GET /admin/cache/stats`, bearer token), plus the Redis server's
//! own `INFO` figures when the cache uses Redis. A table, or JSON with `--json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use perfkit_config::Config;
use serde::Serialize;

use crate::admin_http;

#[derive(Debug, clap::Args)]
pub struct CacheHitRateArgs {
    /// Admin listener of the running gateway (default: `admin.listen` of the config).
    #[arg(long, value_name = "HOST:PORT")]
    admin: Option<String>,
    /// Admin bearer token (default: `admin.token` of the config).
    #[arg(long, env = "PERFKIT_ADMIN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Redis server to read `INFO` from (default: `cache.redis.url` of the config, else
    /// the address the gateway reports).
    #[arg(long, value_name = "URL", conflicts_with = "no_redis")]
    redis: Option<String>,
    /// Do not contact Redis.
    #[arg(long)]
    no_redis: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Hit figures of one route. A lookup is a cacheable request (bypassed ones are not);
/// a hit is a response served from the cache without going to the origin (fresh, or
/// stale while revalidating); `revalidated` went to the origin and got a `304`.
#[derive(Debug, Default, Serialize, PartialEq)]
struct RouteRow {
    route: String,
    lookups: u64,
    hits_l1: u64,
    hits_l2: u64,
    stale: u64,
    revalidated: u64,
    misses: u64,
    bypass: u64,
    stored: u64,
    stored_bytes: u64,
    /// Hits of both layers over lookups; `None` before any lookup.
    hit_rate: Option<f64>,
    hit_rate_l1: Option<f64>,
    hit_rate_l2: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Memory {
    bytes: u64,
    max_bytes: u64,
    entries: u64,
    evicted: u64,
}

/// The Redis server's figures from `INFO`: they cover the whole server (every client
/// and database), not only this gateway's keys.
#[derive(Debug, Default, Serialize, PartialEq)]
struct RedisFigures {
    address: String,
    keyspace_hits: u64,
    keyspace_misses: u64,
    hit_rate: Option<f64>,
    evicted_keys: u64,
    expired_keys: u64,
    used_memory: u64,
    maxmemory: u64,
    /// `db0` → (keys, keys with an expiry).
    databases: BTreeMap<String, (u64, u64)>,
}

#[derive(Debug, Serialize)]
struct Report {
    gateway: String,
    cache_enabled: bool,
    /// `up`, `down` or `disabled` as the gateway sees Redis.
    l2: String,
    routes: Vec<RouteRow>,
    memory: Option<Memory>,
    redis: Option<RedisFigures>,
    redis_error: Option<String>,
}

pub fn run(args: CacheHitRateArgs, config_path: &Path) -> anyhow::Result<()> {
    let config = load_config(config_path, args.admin.is_some())?;
    let admin = args
        .admin
        .clone()
        .or_else(|| config.as_ref().map(|c| c.admin.listen.to_string()))
        .context(
            "no admin address: pass --admin HOST:PORT or a config file (-c) with admin.listen",
        )?;
    let token = args
        .token
        .clone()
        .or_else(|| config.as_ref().and_then(|c| c.admin.token.clone()))
        .filter(|t| !t.is_empty())
        .context("the admin API needs a token: pass --token (or PERFKIT_ADMIN_TOKEN), or set admin.token in the config")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let stats = runtime.block_on(admin_http::get_json(&admin, "/admin/cache/stats", &token))?;
    let mut report = report_from_stats(&admin, &stats)?;
    let redis_url = if args.no_redis {
        None
    } else {
        args.redis
            .clone()
            .or_else(|| {
                config
                    .as_ref()
                    .and_then(|c| c.cache.redis.as_ref())
                    .map(|r| r.url.clone())
            })
            .or_else(|| {
                stats["redis"]["url"]
                    .as_str()
                    .filter(|url| !url.contains("<redacted>"))
                    .map(str::to_owned)
            })
    };
    if let Some(url) = redis_url {
        match redis_info(&url) {
            Ok(figures) => report.redis = Some(figures),
            Err(error) => report.redis_error = Some(format!("{error:#}")),
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_table(&report));
    }
    Ok(())
}

/// The config when it can be read; without `--admin` it must be.
fn load_config(path: &Path, admin_given: bool) -> anyhow::Result<Option<Config>> {
    if admin_given && !path.exists() {
        return Ok(None);
    }
    Ok(Some(Config::load(path)?))
}

fn report_from_stats(admin: &str, stats: &serde_json::Value) -> anyhow::Result<Report> {
    let requests = stats["requests"]
        .as_array()
        .context("the admin API's /admin/cache/stats answer has no `requests` list")?;
    let mut routes: BTreeMap<String, RouteRow> = BTreeMap::new();
    for series in requests {
        let route = series["route"].as_str().unwrap_or("").to_owned();
        let count = series["count"].as_u64().unwrap_or(0);
        let row = routes.entry(route.clone()).or_insert_with(|| RouteRow {
            route,
            ..RouteRow::default()
        });
        let layer = series["layer"].as_str().unwrap_or("");
        match (series["result"].as_str().unwrap_or(""), layer) {
            ("hit", "l1") => row.hits_l1 += count,
            ("hit", "l2") => row.hits_l2 += count,
            ("stale", "l1") => {
                row.hits_l1 += count;
                row.stale += count;
            }
            ("stale", "l2") => {
                row.hits_l2 += count;
                row.stale += count;
            }
            ("revalidated", _) => row.revalidated += count,
            ("bypass", _) => row.bypass += count,
            _ => row.misses += count,
        }
    }
    for stored in stats["stored"].as_array().into_iter().flatten() {
        let route = stored["route"].as_str().unwrap_or("").to_owned();
        let row = routes.entry(route.clone()).or_insert_with(|| RouteRow {
            route,
            ..RouteRow::default()
        });
        row.stored += stored["responses"].as_u64().unwrap_or(0);
        row.stored_bytes += stored["bytes"].as_u64().unwrap_or(0);
    }
    let routes = routes
        .into_values()
        .map(|mut row| {
            row.lookups = row.hits_l1 + row.hits_l2 + row.revalidated + row.misses;
            let rate = |n: u64| (row.lookups > 0).then(|| n as f64 / row.lookups as f64);
            row.hit_rate = rate(row.hits_l1 + row.hits_l2);
            row.hit_rate_l1 = rate(row.hits_l1);
            row.hit_rate_l2 = rate(row.hits_l2);
            row
        })
        .collect();
    let cache = &stats["cache"];
    let memory = cache.is_object().then(|| Memory {
        bytes: cache["l1_bytes"].as_u64().unwrap_or(0),
        max_bytes: cache["l1_max_bytes"].as_u64().unwrap_or(0),
        entries: cache["l1_entries"].as_u64().unwrap_or(0),
        evicted: cache["l1_evictions"].as_u64().unwrap_or(0),
    });
    Ok(Report {
        gateway: admin.to_owned(),
        cache_enabled: stats["enabled"].as_bool().unwrap_or(false),
        l2: cache["l2"].as_str().unwrap_or("disabled").to_owned(),
        routes,
        memory,
        redis: None,
        redis_error: None,
    })
}

/// `INFO` from the Redis server at `url` (with its credentials, if any).
fn redis_info(url: &str) -> anyhow::Result<RedisFigures> {
    let client = redis::Client::open(url)
        .with_context(|| format!("{} is not a Redis URL (redis://host:port)", redacted(url)))?;
    let mut connection = client
        .get_connection_with_timeout(Duration::from_secs(3))
        .with_context(|| format!("cannot connect to Redis at {}", redacted(url)))?;
    connection.set_read_timeout(Some(Duration::from_secs(3)))?;
    let info: String = redis::cmd("INFO")
        .query(&mut connection)
        .with_context(|| format!("INFO from Redis at {}", redacted(url)))?;
    let mut figures = parse_info(&info);
    figures.address = redacted(url);
    Ok(figures)
}

fn redacted(url: &str) -> String {
    match url.rsplit_once('@') {
        Some((user, host)) => {
            let scheme = user.split_once("://").map_or("redis", |(s, _)| s);
            format!("{scheme}://<redacted>@{host}")
        }
        None => url.to_owned(),
    }
}

fn parse_info(info: &str) -> RedisFigures {
    let mut figures = RedisFigures::default();
    for line in info.lines() {
        let Some((name, value)) = line.trim().split_once(':') else {
            continue;
        };
        let number = || value.parse::<u64>().unwrap_or(0);
        match name {
            "keyspace_hits" => figures.keyspace_hits = number(),
            "keyspace_misses" => figures.keyspace_misses = number(),
            "evicted_keys" => figures.evicted_keys = number(),
            "expired_keys" => figures.expired_keys = number(),
            "used_memory" => figures.used_memory = number(),
            "maxmemory" => figures.maxmemory = number(),
            db if db.starts_with("db") && db[2..].bytes().all(|b| b.is_ascii_digit()) => {
                let field = |key: &str| {
                    value.split(',').find_map(|pair| {
                        let (k, v) = pair.split_once('=')?;
                        (k == key).then(|| v.parse::<u64>().unwrap_or(0))
                    })
                };
                figures.databases.insert(
                    db.to_owned(),
                    (field("keys").unwrap_or(0), field("expires").unwrap_or(0)),
                );
            }
            _ => {}
        }
    }
    let lookups = figures.keyspace_hits + figures.keyspace_misses;
    figures.hit_rate = (lookups > 0).then(|| figures.keyspace_hits as f64 / lookups as f64);
    figures
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// `n` bytes for people: `512 B`, `2.0 KiB`, `1.5 MiB`.
pub(crate) fn bytes(n: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

fn render_table(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "gateway {}: cache {}, L2 (Redis) {}",
        report.gateway,
        if report.cache_enabled {
            "enabled"
        } else {
            "disabled"
        },
        report.l2
    );
    if report.routes.is_empty() {
        let _ = writeln!(out, "no requests on caching routes yet");
    } else {
        let header = [
            "route",
            "lookups",
            "hit rate",
            "L1",
            "L2",
            "L1 hits",
            "L2 hits",
            "stale",
            "revalidated",
            "misses",
            "bypass",
            "stored",
        ];
        let rows: Vec<[String; 12]> = report
            .routes
            .iter()
            .map(|r| {
                [
                    r.route.clone(),
                    r.lookups.to_string(),
                    percent(r.hit_rate),
                    percent(r.hit_rate_l1),
                    percent(r.hit_rate_l2),
                    r.hits_l1.to_string(),
                    r.hits_l2.to_string(),
                    r.stale.to_string(),
                    r.revalidated.to_string(),
                    r.misses.to_string(),
                    r.bypass.to_string(),
                    format!("{} ({})", r.stored, bytes(r.stored_bytes)),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.len());
            }
        }
        let line = |cells: &[&str]| {
            let mut text = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if i == 0 {
                    let _ = write!(text, "{cell:<width$}");
                } else {
                    let _ = write!(text, "  {cell:>width$}");
                }
            }
            text
        };
        let _ = writeln!(out, "{}", line(&header));
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            let _ = writeln!(out, "{}", line(&cells));
        }
    }
    if let Some(memory) = &report.memory {
        let _ = writeln!(
            out,
            "memory (L1): {} of {}, {} entries, {} evicted",
            bytes(memory.bytes),
            bytes(memory.max_bytes),
            memory.entries,
            memory.evicted
        );
    }
    if let Some(redis) = &report.redis {
        let databases: Vec<String> = redis
            .databases
            .iter()
            .map(|(db, (keys, expires))| format!("{db} {keys} keys ({expires} with expiry)"))
            .collect();
        let _ = writeln!(
            out,
            "redis {} (INFO, whole server): keyspace hits {}, misses {} ({}), {}, used memory {}, evicted {}, expired {}",
            redis.address,
            redis.keyspace_hits,
            redis.keyspace_misses,
            percent(redis.hit_rate),
            if databases.is_empty() {
                "no keys".to_owned()
            } else {
                databases.join(", ")
            },
            bytes(redis.used_memory),
            redis.evicted_keys,
            redis.expired_keys
        );
    }
    if let Some(error) = &report.redis_error {
        let _ = writeln!(out, "redis: unavailable ({error})");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_add_layers_and_results_per_route() {
        let stats = serde_json::json!({
            "enabled": true,
            "requests": [
                {"route": "api", "layer": "l1", "result": "hit", "count": 6},
                {"route": "api", "layer": "l2", "result": "hit", "count": 2},
                {"route": "api", "layer": "l1", "result": "stale", "count": 1},
                {"route": "api", "layer": "origin", "result": "miss", "count": 1},
                {"route": "api", "layer": "origin", "result": "bypass", "count": 5},
            ],
            "stored": [{"route": "api", "responses": 1, "bytes": 2048}],
            "cache": {"l1_bytes": 10, "l1_max_bytes": 100, "l1_entries": 1, "l1_evictions": 0, "l2": "up"},
        });
        let report = report_from_stats("127.0.0.1:9901", &stats).unwrap();
        let row = &report.routes[0];
        assert_eq!(
            (row.lookups, row.hits_l1, row.hits_l2, row.bypass),
            (10, 7, 2, 5)
        );
        assert_eq!(row.hit_rate, Some(0.9));
        assert_eq!(row.hit_rate_l2, Some(0.2));
        assert_eq!(report.l2, "up");
        let table = render_table(&report);
        assert!(table.contains("90.0%"), "{table}");
        assert!(table.contains("1 (2.0 KiB)"), "{table}");
    }

    #[test]
    fn info_figures_and_database_lines() {
        let info = "# Stats\r\nkeyspace_hits:30\r\nkeyspace_misses:10\r\nevicted_keys:2\r\n# Keyspace\r\ndb0:keys=5,expires=4,avg_ttl=100\r\n";
        let figures = parse_info(info);
        assert_eq!(figures.hit_rate, Some(0.75));
        assert_eq!(figures.databases.get("db0"), Some(&(5, 4)));
        assert_eq!(figures.evicted_keys, 2);
    }

    #[test]
    fn redis_passwords_are_not_printed() {
        assert_eq!(
            redacted("redis://app:hunter2@cache:6379/1"),
            "redis://<redacted>@cache:6379/1"
        );
    }
}
