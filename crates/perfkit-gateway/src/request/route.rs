//! Chooses the route for a request: host match first (exact beats `*.suffix` beats
//! any), then the longest matching path prefix.

use perfkit_config::{CacheConfig, RouteConfig};

use super::cache::RouteCache;

use crate::admin::metrics::RouteHistograms;

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostMatch {
    Exact(String),
    /// `*.example.com` stored as `.example.com`.
    Suffix(String),
    Any,
}

impl HostMatch {
    fn parse(host: Option<&str>) -> HostMatch {
        match host {
            None | Some("*") => HostMatch::Any,
            Some(host) => match host.strip_prefix('*') {
                Some(suffix) => HostMatch::Suffix(suffix.to_ascii_lowercase()),
                None => HostMatch::Exact(host.to_ascii_lowercase()),
            },
        }
    }

    /// Higher is more specific.
    fn rank(&self) -> u8 {
        match self {
            HostMatch::Exact(_) => 2,
            HostMatch::Suffix(_) => 1,
            HostMatch::Any => 0,
        }
    }

    fn matches(&self, host: &str) -> bool {
        match self {
            HostMatch::Exact(exact) => exact.eq_ignore_ascii_case(host),
            HostMatch::Suffix(suffix) => {
                host.len() > suffix.len()
                    && host[host.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            }
            HostMatch::Any => true,
        }
    }
}

/// A compiled route.
#[derive(Debug)]
pub struct Route {
    /// The metrics label: the route's name or pattern, never the raw request path.
    pub label: String,
    host: HostMatch,
    pub prefix: String,
    pub upstream: usize,
    pub strip_prefix: bool,
    pub histograms: RouteHistograms,
    /// This route's position in [`Router::routes`].
    pub index: usize,
    /// Response caching; `None` costs the pass-through path one branch.
    pub cache: Option<Box<RouteCache>>,
}

impl Route {
    fn matches_path(&self, path: &str) -> bool {
        // `/api` matches `/api`, `/api/x` and `/api?q`, but not `/apix`.
        path.starts_with(&self.prefix)
            && (self.prefix.ends_with('/')
                || path.len() == self.prefix.len()
                || path.as_bytes()[self.prefix.len()] == b'/')
    }

    /// The path to send upstream.
    pub fn rewrite<'a>(&self, path_and_query: &'a str) -> std::borrow::Cow<'a, str> {
        if !self.strip_prefix || self.prefix == "/" {
            return path_and_query.into();
        }
        let rest = &path_and_query[self.prefix.trim_end_matches('/').len()..];
        if rest.starts_with('/') {
            rest.into()
        } else {
            format!("/{rest}").into()
        }
    }
}

#[derive(Debug, Default)]
pub struct Router {
    /// Most specific first, so the first match wins.
    routes: Vec<Route>,
}

impl Router {
    /// `upstream_index` maps an upstream name to its index (validated by the config).
    pub fn new(
        configs: &[RouteConfig],
        upstream_index: impl Fn(&str) -> Option<usize>,
        workers: usize,
        cache: &CacheConfig,
    ) -> Router {
        let mut routes: Vec<Route> = configs
            .iter()
            .filter_map(|config| {
                Some(Route {
                    label: config.label(),
                    host: HostMatch::parse(config.host.as_deref()),
                    prefix: config.path_prefix.clone(),
                    upstream: upstream_index(&config.upstream)?,
                    strip_prefix: config.strip_prefix,
                    histograms: RouteHistograms::new(workers),
                    index: 0,
                    cache: RouteCache::build(config.cache.as_ref(), cache),
                })
            })
            .collect();
        routes.sort_by(|a, b| {
            b.host
                .rank()
                .cmp(&a.host.rank())
                .then(b.prefix.len().cmp(&a.prefix.len()))
        });
        for (index, route) in routes.iter_mut().enumerate() {
            route.index = index;
        }
        Router { routes }
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter()
    }

    /// `host` without port.
    pub fn find(&self, host: &str, path: &str) -> Option<&Route> {
        self.routes
            .iter()
            .find(|route| route.host.matches(host) && route.matches_path(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(host: Option<&str>, prefix: &str, upstream: &str) -> RouteConfig {
        RouteConfig {
            name: None,
            host: host.map(str::to_owned),
            path_prefix: prefix.into(),
            upstream: upstream.into(),
            strip_prefix: true,
            cache: None,
        }
    }

    #[test]
    fn most_specific_host_then_longest_prefix_wins() {
        let configs = [
            route(None, "/", "0"),
            route(None, "/api", "1"),
            route(Some("*.example.com"), "/", "2"),
            route(Some("shop.example.com"), "/", "3"),
            route(None, "/api/v2/", "4"),
        ];
        let router = Router::new(
            &configs,
            |name| name.parse().ok(),
            1,
            &CacheConfig::default(),
        );
        let upstream = |host, path| router.find(host, path).map(|r| r.upstream);
        assert_eq!(upstream("other.org", "/api/x"), Some(1));
        assert_eq!(upstream("other.org", "/apix"), Some(0));
        assert_eq!(upstream("other.org", "/api/v2/users"), Some(4));
        assert_eq!(upstream("a.example.com", "/api"), Some(2));
        assert_eq!(upstream("SHOP.example.com", "/"), Some(3));
        assert_eq!(upstream("example.com", "/"), Some(0));
    }

    #[test]
    fn strip_prefix_keeps_a_leading_slash() {
        let router = Router::new(
            &[route(None, "/api", "0")],
            |_| Some(0),
            1,
            &CacheConfig::default(),
        );
        let api = router.find("h", "/api").unwrap();
        assert_eq!(api.rewrite("/api/users?x=1"), "/users?x=1");
        assert_eq!(api.rewrite("/api?x=1"), "/?x=1");
        assert_eq!(api.rewrite("/api"), "/");
    }
}
