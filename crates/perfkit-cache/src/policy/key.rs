//! Cache keys: method + scheme + host + path + query, with per-route normalisation
//! (sorted query, parameter allow/deny lists, selected request headers and cookies).

use http::header::{HeaderMap, HeaderName, COOKIE};
use http::Method;

/// How to build keys for one route.
#[derive(Debug, Clone, Default)]
pub struct KeyBuilder {
    /// Sort query parameters by name (stable: repeated names keep their order).
    pub sort_query: bool,
    /// When set, only these query parameters are part of the key.
    pub allow_params: Option<Vec<String>>,
    /// These query parameters are never part of the key (e.g. `utm_source`).
    pub deny_params: Vec<String>,
    /// Request headers whose values are part of the key.
    pub headers: Vec<HeaderName>,
    /// Cookies whose values are part of the key.
    pub cookies: Vec<String>,
    /// Lower-case the host (hosts are case-insensitive).
    pub lowercase_host: bool,
}

impl KeyBuilder {
    /// `METHOD scheme://host/path?query` then, per selected header or cookie,
    /// `\nh:name=value` / `\nc:name=value`. HEAD builds the GET key (a HEAD is
    /// answered from a stored GET).
    pub fn build(
        &self,
        method: &Method,
        scheme: &str,
        host: &str,
        path_and_query: &str,
        headers: &HeaderMap,
    ) -> String {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let mut key = String::with_capacity(16 + host.len() + path_and_query.len());
        key.push_str(method.as_str());
        key.push(' ');
        push_lowercase(&mut key, scheme);
        key.push_str("://");
        if self.lowercase_host {
            push_lowercase(&mut key, host);
        } else {
            key.push_str(host);
        }
        key.push_str(if path.is_empty() { "/" } else { path });
        if let Some(query) = query {
            let kept = query.split('&').filter(|p| !p.is_empty()).filter(|p| {
                let name = p.split_once('=').map_or(*p, |(n, _)| n);
                !self.deny_params.iter().any(|d| d == name)
                    && self
                        .allow_params
                        .as_ref()
                        .is_none_or(|allow| allow.iter().any(|a| a == name))
            });
            if self.sort_query {
                let mut params: Vec<&str> = kept.collect();
                params.sort_by_key(|p| p.split_once('=').map_or(*p, |(n, _)| n));
                push_query(&mut key, params.into_iter());
            } else {
                push_query(&mut key, kept);
            }
        }
        for name in &self.headers {
            key.push_str("\nh:");
            key.push_str(name.as_str());
            key.push('=');
            for (i, value) in headers.get_all(name).iter().enumerate() {
                if i > 0 {
                    key.push(',');
                }
                key.push_str(value.to_str().unwrap_or("").trim());
            }
        }
        for cookie in &self.cookies {
            key.push_str("\nc:");
            key.push_str(cookie);
            key.push('=');
            if let Some(value) = cookie_value(headers, cookie) {
                key.push_str(value);
            }
        }
        key
    }
}

/// Appends `text` lower-cased (ASCII), without an intermediate string.
fn push_lowercase(key: &mut String, text: &str) {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        key.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        key.push_str(text);
    }
}

/// Appends `?` and the parameters joined by `&`; nothing when there are none.
fn push_query<'q>(key: &mut String, params: impl Iterator<Item = &'q str>) {
    for (i, param) in params.enumerate() {
        key.push(if i == 0 { '?' } else { '&' });
        key.push_str(param);
    }
}

/// The value of cookie `name` in the request's `Cookie` fields.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn normalises_query_and_selects_headers_and_cookies() {
        let builder = KeyBuilder {
            sort_query: true,
            deny_params: vec!["utm_source".into()],
            headers: vec![HeaderName::from_static("accept-language")],
            cookies: vec!["tier".into()],
            lowercase_host: true,
            ..KeyBuilder::default()
        };
        let mut headers = HeaderMap::new();
        headers.insert("accept-language", HeaderValue::from_static("de"));
        headers.insert(
            "cookie",
            HeaderValue::from_static("session=secret; tier=gold"),
        );
        let a = builder.build(
            &Method::GET,
            "https",
            "API.test",
            "/p?b=2&utm_source=x&a=1",
            &headers,
        );
        assert_eq!(
            a,
            "GET https://api.test/p?a=1&b=2\nh:accept-language=de\nc:tier=gold"
        );
        let b = builder.build(&Method::HEAD, "https", "api.test", "/p?a=1&b=2", &headers);
        assert_eq!(
            a, b,
            "HEAD uses the GET key; parameter order does not matter"
        );
        let only = KeyBuilder {
            allow_params: Some(vec!["id".into()]),
            ..KeyBuilder::default()
        };
        assert_eq!(
            only.build(&Method::GET, "http", "h", "/x?x=1&id=7", &HeaderMap::new()),
            "GET http://h/x?id=7"
        );
        assert_eq!(
            only.build(&Method::GET, "http", "h", "", &HeaderMap::new()),
            "GET http://h/"
        );
    }
}
