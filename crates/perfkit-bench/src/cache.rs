//! Cache hit rates: per endpoint from each response's RFC 9211 `Cache-Status`
//! ([`classify_cache_status`], counted by the engine), and by route from a perfkit
//! gateway's Prometheus `/metrics`.
//!
//! Counters are recognised by name: a metric whose name contains `cache` and ends in
//! `_hits_total` / `_misses_total`, or one with a `result="hit"|"miss"` label; both
//! grouped by their `route` label. A gateway that exports neither has no hit rate.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// What a response's `Cache-Status` says about the cache closest to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheLookup {
    /// No `Cache-Status`, or a request the cache did not try to answer (`fwd=bypass`,
    /// `fwd=method`, `fwd=request`, a `detail` saying uncacheable): not in the hit rate.
    #[default]
    NotCounted,
    /// `hit`: answered from the cache.
    Hit,
    /// `fwd=uri-miss`, `vary-miss`, `miss`, `stale` or `partial`: the cache tried and
    /// had to go forward.
    Miss,
}

/// Classifies a `Cache-Status` field value (RFC 9211) by its last member, the cache
/// nearest the client.
pub fn classify_cache_status(value: &[u8]) -> CacheLookup {
    let Ok(value) = std::str::from_utf8(value) else {
        return CacheLookup::NotCounted;
    };
    let Some(member) = value.rsplit(',').next() else {
        return CacheLookup::NotCounted;
    };
    let mut hit = false;
    let mut forward = None;
    // The first item is the cache's name; parameters follow, `;`-separated.
    for parameter in member.split(';').skip(1) {
        let (key, value) = match parameter.split_once('=') {
            Some((key, value)) => (key.trim(), value.trim().trim_matches('"')),
            None => (parameter.trim(), ""),
        };
        match key.to_ascii_lowercase().as_str() {
            "hit" => hit = value.is_empty() || value == "?1",
            "fwd" => forward = Some(value.to_ascii_lowercase()),
            "detail" if value.to_ascii_lowercase().contains("uncacheable") => {
                return CacheLookup::NotCounted
            }
            _ => {}
        }
    }
    if hit {
        return CacheLookup::Hit;
    }
    match forward.as_deref() {
        Some("uri-miss" | "vary-miss" | "miss" | "stale" | "partial") => CacheLookup::Miss,
        _ => CacheLookup::NotCounted,
    }
}

/// `GET http://{admin}/metrics` and the hit rate per route, or why there is none.
pub fn hit_rate_by_route(admin: &str) -> Result<Vec<(String, f64)>, String> {
    let text = fetch_metrics(admin)?;
    let rates = parse_hit_rates(&text);
    if rates.is_empty() {
        return Err(format!(
            "the gateway at {admin} exports no cache hit/miss counters in /metrics"
        ));
    }
    Ok(rates)
}

fn fetch_metrics(admin: &str) -> Result<String, String> {
    let addr = admin
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("cannot resolve admin address {admin}"))?;
    let timeout = Duration::from_secs(5);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot connect to the admin listener {admin}: {e}"))?;
    let _ = stream.set_read_timeout(Some(timeout));
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nhost: {admin}\r\nconnection: close\r\n\r\n"
    )
    .map_err(|e| format!("writing to {admin}: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("reading /metrics from {admin}: {e}"))?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{admin}/metrics: not an HTTP response"))?;
    let status = head.split_whitespace().nth(1).unwrap_or("?");
    if status != "200" {
        return Err(format!(
            "{admin}/metrics answered {status} (if it needs a token, set admin.metrics_require_token: false)"
        ));
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return Ok(dechunk(body));
    }
    Ok(body.to_owned())
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size =
            usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if size == 0 || tail.len() < size {
            break;
        }
        out.push_str(&tail[..size]);
        rest = tail[size..].strip_prefix("\r\n").unwrap_or(&tail[size..]);
    }
    out
}

/// Hit rate per route from Prometheus text.
pub fn parse_hit_rates(text: &str) -> Vec<(String, f64)> {
    let mut counts: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (name, labels.trim_end_matches('}')),
            None => (series, ""),
        };
        if !name.contains("cache") {
            continue;
        }
        let label = |key: &str| {
            labels.split(',').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
            })
        };
        let hit = if name.ends_with("_hits_total") {
            Some(true)
        } else if name.ends_with("_misses_total") {
            Some(false)
        } else {
            match label("result").as_deref() {
                Some("hit") => Some(true),
                Some("miss") => Some(false),
                _ => None,
            }
        };
        let Some(hit) = hit else { continue };
        let route = label("route").unwrap_or_else(|| "all".into());
        let entry = counts.entry(route).or_default();
        if hit {
            entry.0 += value;
        } else {
            entry.1 += value;
        }
    }
    counts
        .into_iter()
        .filter(|(_, (hits, misses))| hits + misses > 0.0)
        .map(|(route, (hits, misses))| (route, hits / (hits + misses)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_counter_styles_by_route() {
        let text = "# HELP x\nperfkit_cache_hits_total{route=\"api\"} 30\n\
                    perfkit_cache_misses_total{route=\"api\"} 10\n\
                    perfkit_cache_lookups_total{route=\"static\",result=\"hit\"} 9\n\
                    perfkit_cache_lookups_total{route=\"static\",result=\"miss\"} 1\n\
                    perfkit_request_duration_seconds_count{route=\"api\"} 40\n";
        assert_eq!(
            parse_hit_rates(text),
            vec![("api".to_owned(), 0.75), ("static".to_owned(), 0.9)]
        );
        assert!(parse_hit_rates("perfkit_config_generation 1\n").is_empty());
    }

    #[test]
    fn cache_status_counts_hits_and_misses_only() {
        use CacheLookup::*;
        let cases: [(&str, CacheLookup); 11] = [
            ("perfkit; hit", Hit),
            ("perfkit; hit; ttl=30", Hit),
            ("perfkit; fwd=uri-miss; stored", Miss),
            ("perfkit; fwd=stale; fwd-status=304", Miss),
            ("perfkit; fwd=vary-miss", Miss),
            ("perfkit; fwd=bypass", NotCounted),
            ("perfkit; fwd=method", NotCounted),
            ("perfkit; fwd=request", NotCounted),
            ("cdn; fwd=uri-miss; detail=uncacheable", NotCounted),
            // The last member is the cache nearest the client.
            ("origin-cache; hit, perfkit; fwd=uri-miss", Miss),
            ("", NotCounted),
        ];
        for (value, expected) in cases {
            assert_eq!(classify_cache_status(value.as_bytes()), expected, "{value}");
        }
    }

    #[test]
    fn dechunks_bodies() {
        assert_eq!(dechunk("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "abcde");
    }
}
