//! Cache warming: fetch URLs through a gateway so its cache stores them before users
//! ask. Used by `perfkit cache warm` and, from `cache.warm`, by the gateway itself once
//! its listener is up.
//!
//! A URL is a path (`/page?x=1`) or an absolute `http(s)://host/path` whose authority
//! is sent as `Host` (so the entry has the key a user's request will have); the
//! request always goes to the gateway's own address. What happened is read from the
//! gateway's RFC 9211 `Cache-Status` member (`perfkit`): `hit` → already cached,
//! `stored` → stored. A response streamed without a length is stored when its body
//! ends, after the headers left, so for those `only-if-cached` requests check.
//! Sitemaps (`<urlset>`) and sitemap indexes (`<sitemapindex>`, followed) are fetched
//! the same way, or read from a local file.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use tokio::task::JoinSet;

/// The gateway's name in `Cache-Status`.
const CACHE_NAME: &str = "perfkit";
/// Largest sitemap read (the sitemap protocol's own limit is 50 MiB uncompressed).
const MAX_SITEMAP_BYTES: usize = 50 << 20;
/// Sitemap indexes nested deeper than this are not followed.
const MAX_SITEMAP_DEPTH: usize = 3;
/// Most URLs gathered from one sitemap tree.
pub const MAX_SITEMAP_URLS: usize = 1_000_000;
/// Error messages kept in a summary (the count has them all).
const KEPT_ERRORS: usize = 10;

/// Why URLs could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum WarmError {
    #[error("`{0}` is neither a path (`/page`) nor an http(s) URL with a host")]
    BadUrl(String),
    #[error("cannot fetch sitemap {url}: {reason}")]
    Sitemap { url: String, reason: String },
    #[error("cannot read {path}: {cause}")]
    Read { path: String, cause: std::io::Error },
}

/// What warming one URL did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Warmed {
    /// Fetched from the origin and stored.
    Stored,
    /// The gateway answered from its cache.
    AlreadyCached,
    /// Answered, but not stored (the origin did not allow it, or the route does not
    /// cache).
    NotCacheable,
    /// No answer, or an error status that was not stored.
    Error,
}

/// Counts of a warming run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct WarmSummary {
    pub urls: usize,
    pub stored: usize,
    pub already_cached: usize,
    pub not_cacheable: usize,
    pub errors: usize,
    /// Body bytes received.
    pub bytes: u64,
    /// The first few errors, `URL: reason`.
    pub error_messages: Vec<String>,
}

impl WarmSummary {
    fn add(&mut self, url: &str, outcome: &Outcome) {
        self.urls += 1;
        self.bytes += outcome.bytes;
        match outcome.warmed {
            Warmed::Stored => self.stored += 1,
            Warmed::AlreadyCached => self.already_cached += 1,
            Warmed::NotCacheable => self.not_cacheable += 1,
            Warmed::Error => {
                self.errors += 1;
                if self.error_messages.len() < KEPT_ERRORS {
                    let reason = outcome.error.as_deref().unwrap_or("failed");
                    self.error_messages.push(format!("{url}: {reason}"));
                }
            }
        }
    }
}

/// One URL's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub warmed: Warmed,
    pub bytes: u64,
    pub error: Option<String>,
}

/// Sends warming requests to one gateway. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Warmer {
    client: Client<HttpConnector, Empty<Bytes>>,
    gateway: SocketAddr,
    timeout: Duration,
}

/// A URL split into what the request needs.
struct Target {
    /// `Host` to send; `None` for a path (the gateway's address is sent).
    host: Option<String>,
    path_and_query: String,
}

fn target(url: &str) -> Result<Target, WarmError> {
    let bad = || WarmError::BadUrl(url.to_owned());
    if url.starts_with('/') {
        return Ok(Target {
            host: None,
            path_and_query: url.to_owned(),
        });
    }
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(bad)?;
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if authority.is_empty() {
        return Err(bad());
    }
    let path = path.split('#').next().unwrap_or("/");
    let path_and_query = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    Ok(Target {
        host: Some(authority.to_owned()),
        path_and_query,
    })
}

/// URLs of a list file: one per line; blank lines and `#` comments skipped.
pub fn parse_url_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// What a sitemap document lists.
#[derive(Debug, PartialEq, Eq)]
pub enum Sitemap {
    /// `<urlset>`: page URLs.
    Urls(Vec<String>),
    /// `<sitemapindex>`: more sitemaps.
    Index(Vec<String>),
}

/// Parses a sitemap or sitemap index (sitemaps.org protocol): the text of each `<loc>`.
pub fn parse_sitemap(xml: &str) -> Result<Sitemap, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut root: Option<Vec<u8>> = None;
    let mut in_loc = false;
    let mut locs = Vec::new();
    let mut current = String::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_vec();
                if root.is_none() {
                    root = Some(name);
                } else if name == b"loc" {
                    in_loc = true;
                    current.clear();
                }
            }
            Event::Text(text) if in_loc => {
                let text = text
                    .unescape()
                    .map_err(|e| format!("bad text in <loc>: {e}"))?;
                current.push_str(&text);
            }
            Event::CData(data) if in_loc => {
                current.push_str(&String::from_utf8_lossy(&data.into_inner()));
            }
            Event::End(end) if in_loc && end.local_name().as_ref() == b"loc" => {
                in_loc = false;
                let loc = current.trim();
                if !loc.is_empty() {
                    locs.push(loc.to_owned());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some(b"urlset") => Ok(Sitemap::Urls(locs)),
        Some(b"sitemapindex") => Ok(Sitemap::Index(locs)),
        Some(other) => Err(format!(
            "the root element is <{}>, not <urlset> or <sitemapindex>",
            String::from_utf8_lossy(other)
        )),
        None => Err("no root element".into()),
    }
}

impl Warmer {
    /// Requests go to `gateway`; each one (headers and body) may take `timeout`.
    pub fn new(gateway: SocketAddr, timeout: Duration) -> Warmer {
        let client = Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build_http();
        Warmer {
            client,
            gateway,
            timeout,
        }
    }

    /// Sends `GET` for `target` (plus `extra` headers); the response head and its
    /// body, read up to `limit` bytes.
    async fn get(
        &self,
        target: &Target,
        extra: Option<(header::HeaderName, HeaderValue)>,
        limit: usize,
    ) -> Result<(http::response::Parts, Bytes), String> {
        let mut request = Request::get(format!("http://{}{}", self.gateway, target.path_and_query))
            .header(header::USER_AGENT, "perfkit-cache-warm");
        if let Some(host) = &target.host {
            request = request.header(header::HOST, host);
        }
        if let Some((name, value)) = extra {
            request = request.header(name, value);
        }
        let request = request
            .body(Empty::new())
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| format!("no response from the gateway {}: {e}", self.gateway))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, limit)
                .collect()
                .await
                .map_err(|e| format!("the response body failed: {e}"))?
                .to_bytes();
            Ok((parts, body))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| format!("no complete answer within {:?}", self.timeout))?
    }

    /// Fetches one URL through the gateway and says what its cache did.
    pub async fn warm_one(&self, url: &str) -> Outcome {
        let failed = |error: String| Outcome {
            warmed: Warmed::Error,
            bytes: 0,
            error: Some(error),
        };
        let target = match target(url) {
            Ok(target) => target,
            Err(error) => return failed(error.to_string()),
        };
        let (parts, body) = match self.get(&target, None, usize::MAX).await {
            Ok(answer) => answer,
            Err(error) => return failed(error),
        };
        let bytes = body.len() as u64;
        let status = cache_status(&parts.headers);
        let warmed = match status {
            Some(CacheStatus { hit: true, .. }) => Warmed::AlreadyCached,
            Some(CacheStatus { stored: true, .. }) => Warmed::Stored,
            _ if parts.status.as_u16() >= 400 => {
                return Outcome {
                    warmed: Warmed::Error,
                    bytes,
                    error: Some(format!("status {}", parts.status)),
                }
            }
            // Streamed without a length: stored (or not) once the body ended.
            Some(_) if !parts.headers.contains_key(header::CONTENT_LENGTH) => {
                if self.is_cached(&target).await {
                    Warmed::Stored
                } else {
                    Warmed::NotCacheable
                }
            }
            _ => Warmed::NotCacheable,
        };
        Outcome {
            warmed,
            bytes,
            error: None,
        }
    }

    /// Whether the gateway answers `target` from its cache alone. The store of a
    /// length-less body runs once the body has ended (and may write to Redis), so a
    /// miss is asked again a few times within about half a second.
    async fn is_cached(&self, target: &Target) -> bool {
        let mut pause = Duration::from_millis(10);
        for _ in 0..6 {
            let only = (
                header::CACHE_CONTROL,
                HeaderValue::from_static("only-if-cached"),
            );
            if let Ok((parts, _)) = self.get(target, Some(only), usize::MAX).await {
                if parts.status != StatusCode::GATEWAY_TIMEOUT
                    && cache_status(&parts.headers).is_some_and(|s| s.hit)
                {
                    return true;
                }
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        false
    }

    /// Warms `urls` with at most `concurrency` requests in flight; `done` is called
    /// after each URL (for progress).
    pub async fn warm(
        &self,
        urls: Vec<String>,
        concurrency: usize,
        mut done: impl FnMut(&str, &Outcome),
    ) -> WarmSummary {
        let mut summary = WarmSummary::default();
        let mut pending = urls.into_iter();
        let mut running = JoinSet::new();
        let spawn = |running: &mut JoinSet<(String, Outcome)>, url: String| {
            let warmer = self.clone();
            running.spawn(async move {
                let outcome = warmer.warm_one(&url).await;
                (url, outcome)
            });
        };
        for url in pending.by_ref().take(concurrency.max(1)) {
            spawn(&mut running, url);
        }
        while let Some(joined) = running.join_next().await {
            let (url, outcome) = joined.unwrap_or_else(|error| {
                (
                    String::from("<unknown>"),
                    Outcome {
                        warmed: Warmed::Error,
                        bytes: 0,
                        error: Some(format!("the warming task failed: {error}")),
                    },
                )
            });
            summary.add(&url, &outcome);
            done(&url, &outcome);
            if let Some(next) = pending.next() {
                spawn(&mut running, next);
            }
        }
        summary
    }

    /// The page URLs of a sitemap (a local file, or a URL fetched through the
    /// gateway), following sitemap indexes.
    pub async fn sitemap_urls(&self, sitemap: &str) -> Result<Vec<String>, WarmError> {
        let mut urls = Vec::new();
        let mut queue = vec![(sitemap.to_owned(), 0usize)];
        while let Some((location, depth)) = queue.pop() {
            let xml = self.sitemap_text(&location).await?;
            let failed = |reason: String| WarmError::Sitemap {
                url: location.clone(),
                reason,
            };
            match parse_sitemap(&xml).map_err(failed)? {
                Sitemap::Urls(found) => {
                    urls.extend(found);
                    if urls.len() > MAX_SITEMAP_URLS {
                        return Err(failed(format!(
                            "more than {MAX_SITEMAP_URLS} URLs in the sitemap tree"
                        )));
                    }
                }
                Sitemap::Index(children) if depth < MAX_SITEMAP_DEPTH => {
                    // Popped from the end: reversed so children are read in order.
                    queue.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
                }
                Sitemap::Index(_) => {
                    return Err(failed(format!(
                        "sitemap indexes nested more than {MAX_SITEMAP_DEPTH} deep"
                    )))
                }
            }
        }
        Ok(urls)
    }

    async fn sitemap_text(&self, location: &str) -> Result<String, WarmError> {
        let failed = |reason: String| WarmError::Sitemap {
            url: location.to_owned(),
            reason,
        };
        let bytes = if location.starts_with("http://")
            || location.starts_with("https://")
            || location.starts_with('/') && !Path::new(location).is_file()
        {
            let target = target(location)?;
            let (parts, body) = self
                .get(&target, None, MAX_SITEMAP_BYTES)
                .await
                .map_err(failed)?;
            if !parts.status.is_success() {
                return Err(failed(format!("status {}", parts.status)));
            }
            body
        } else {
            let bytes = tokio::fs::read(location)
                .await
                .map_err(|cause| WarmError::Read {
                    path: location.to_owned(),
                    cause,
                })?;
            Bytes::from(bytes)
        };
        if bytes.starts_with(&[0x1f, 0x8b]) {
            return Err(failed(
                "gzip-compressed sitemaps are not read; give the uncompressed sitemap".into(),
            ));
        }
        String::from_utf8(bytes.to_vec()).map_err(|_| failed("not UTF-8 text".into()))
    }
}

/// The flags of this gateway's `Cache-Status` member (the last one named `perfkit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CacheStatus {
    hit: bool,
    stored: bool,
}

fn cache_status(headers: &http::HeaderMap) -> Option<CacheStatus> {
    headers
        .get_all("cache-status")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|member| {
            let mut params = member.split(';').map(str::trim);
            let name = params.next()?.trim_matches('"');
            (name == CACHE_NAME).then(|| {
                let mut status = CacheStatus {
                    hit: false,
                    stored: false,
                };
                for param in params {
                    match param {
                        "hit" | "hit=?1" => status.hit = true,
                        "stored" | "stored=?1" => status.stored = true,
                        _ => {}
                    }
                }
                status
            })
        })
        .next_back()
}

/// Warming on start (`cache.warm`): gathers the URLs and warms them through the
/// gateway at `gateway`, logging the outcome. Runs until done or `stop`.
pub(crate) async fn on_start(
    gateway: SocketAddr,
    warm: perfkit_config::CacheWarmConfig,
    stop: tokio_util::sync::CancellationToken,
) {
    let work = async {
        let warmer = Warmer::new(gateway, Duration::from_secs(30));
        let mut urls = warm.urls.clone();
        if let Some(sitemap) = &warm.sitemap {
            match warmer.sitemap_urls(sitemap).await {
                Ok(found) => urls.extend(found),
                Err(error) => tracing::warn!(%error, "cache warm: sitemap skipped"),
            }
        }
        tracing::info!(urls = urls.len(), "cache warm: started");
        let summary = warmer.warm(urls, warm.concurrency.get(), |_, _| {}).await;
        tracing::info!(
            urls = summary.urls,
            stored = summary.stored,
            already_cached = summary.already_cached,
            not_cacheable = summary.not_cacheable,
            errors = summary.errors,
            bytes = summary.bytes,
            "cache warm: done"
        );
        for message in &summary.error_messages {
            tracing::warn!(error = %message, "cache warm: URL failed");
        }
    };
    tokio::select! {
        () = work => {}
        () = stop.cancelled() => tracing::info!("cache warm: stopped with the gateway"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_and_path() {
        let t = target("https://shop.test:8443/a/b?c=1#frag").unwrap();
        assert_eq!(t.host.as_deref(), Some("shop.test:8443"));
        assert_eq!(t.path_and_query, "/a/b?c=1");
        let t = target("http://shop.test").unwrap();
        assert_eq!(
            (t.host.as_deref(), &*t.path_and_query),
            (Some("shop.test"), "/")
        );
        let t = target("http://shop.test?x=1").unwrap();
        assert_eq!(t.path_and_query, "/?x=1");
        let t = target("/only/path").unwrap();
        assert_eq!((t.host, &*t.path_and_query), (None, "/only/path"));
        assert!(target("shop.test/a").is_err());
        assert!(target("http:///a").is_err());
    }

    #[test]
    fn sitemaps_and_indexes_parse_with_entities_and_cdata() {
        let urlset = r#"<?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>http://shop.test/a?x=1&amp;y=2</loc><lastmod>2024-01-01</lastmod></url>
              <url><loc><![CDATA[http://shop.test/b]]></loc></url>
              <!-- <url><loc>http://shop.test/commented</loc></url> -->
            </urlset>"#;
        assert_eq!(
            parse_sitemap(urlset).unwrap(),
            Sitemap::Urls(vec![
                "http://shop.test/a?x=1&y=2".into(),
                "http://shop.test/b".into()
            ])
        );
        let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>/sitemap-1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse_sitemap(index).unwrap(),
            Sitemap::Index(vec!["/sitemap-1.xml".into()])
        );
        assert!(parse_sitemap("<html><body/></html>")
            .unwrap_err()
            .contains("<html>"));
        assert!(parse_sitemap("<urlset><url><loc>x</url>").is_err());
    }

    #[test]
    fn cache_status_reads_this_gateways_member() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "cache-status",
            HeaderValue::from_static("origin-cache; hit, perfkit; fwd=uri-miss; stored"),
        );
        assert_eq!(
            cache_status(&headers),
            Some(CacheStatus {
                hit: false,
                stored: true
            })
        );
        headers.insert(
            "cache-status",
            HeaderValue::from_static("perfkit; hit; ttl=5"),
        );
        assert!(cache_status(&headers).is_some_and(|s| s.hit));
        headers.insert("cache-status", HeaderValue::from_static("other; hit"));
        assert_eq!(cache_status(&headers), None);
    }

    #[test]
    fn list_files_skip_blanks_and_comments() {
        assert_eq!(
            parse_url_list("# pages\n/a\n\n  http://x.test/b  \n"),
            ["/a", "http://x.test/b"]
        );
    }
}
