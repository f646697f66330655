//! Chooses the route for a request: host match first (exact beats `*.suffix` beats
//! any), then a matching `path` pattern (the most specific: literal segments beat
//! captures, which beat a rest capture), then the longest matching path prefix.

use perfkit_config::{CacheConfig, PathPattern, RouteConfig};

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
    /// A whole-path pattern (`/users/{id}`), matched instead of `prefix`.
    pub pattern: Option<PathPattern>,
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
        if let Some(pattern) = &self.pattern {
            return pattern.matches(path);
        }
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
                // A validated config has only well-formed patterns.
                let pattern = config.pattern().and_then(Result::ok);
                let label = config.label();
                Some(Route {
                    cache: RouteCache::build(
                        config.cache.as_ref(),
                        cache,
                        pattern.as_ref(),
                        &label,
                    ),
                    label,
                    host: HostMatch::parse(config.host.as_deref()),
                    prefix: config.path_prefix.clone(),
                    upstream: upstream_index(&config.upstream)?,
                    strip_prefix: config.strip_prefix && pattern.is_none(),
                    histograms: RouteHistograms::new(workers),
                    index: 0,
                    pattern,
                })
            })
            .collect();
        routes.sort_by(|a, b| {
            let specificity = |route: &Route| route.pattern.as_ref().map(PathPattern::specificity);
            b.host
                .rank()
                .cmp(&a.host.rank())
                .then(specificity(b).cmp(&specificity(a)))
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
            path: None,
            upstream: upstream.into(),
            strip_prefix: true,
            cache: None,
        }
    }

    fn pattern(host: Option<&str>, path: &str, upstream: &str) -> RouteConfig {
        RouteConfig {
            path: Some(path.into()),
            path_prefix: "/".into(),
            strip_prefix: false,
            ..route(host, "/", upstream)
        }
    }

    #[test]
    fn the_most_specific_pattern_wins_over_prefixes_on_the_same_host_rank() {
        let configs = [
            route(None, "/", "0"),
            route(None, "/users", "1"),
            pattern(None, "/users/{id}", "2"),
            pattern(None, "/users/me", "3"),
            pattern(None, "/users/{id}/{rest...}", "4"),
            pattern(None, "/static/*", "5"),
            route(Some("shop.example"), "/", "6"),
        ];
        let router = Router::new(
            &configs,
            |name| name.parse().ok(),
            1,
            &CacheConfig::default(),
        );
        let upstream = |host, path| router.find(host, path).map(|r| r.upstream);
        assert_eq!(upstream("h", "/users/42"), Some(2));
        assert_eq!(upstream("h", "/users/me"), Some(3));
        assert_eq!(upstream("h", "/users/42/posts/1"), Some(4));
        assert_eq!(
            upstream("h", "/users/"),
            Some(1),
            "an empty capture falls to the prefix"
        );
        assert_eq!(upstream("h", "/users"), Some(1));
        assert_eq!(upstream("h", "/static/a/b.css"), Some(5));
        assert_eq!(upstream("h", "/other"), Some(0));
        assert_eq!(upstream("shop.example", "/users/42"), Some(6), "host first");
        let label = |path| router.find("h", path).map(|r| r.label.clone());
        assert_eq!(label("/users/7").as_deref(), Some("/users/{id}"));
        // A pattern route forwards the path as it is.
        let users = router.find("h", "/users/7").unwrap();
        assert_eq!(users.rewrite("/users/7?x=1"), "/users/7?x=1");
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
