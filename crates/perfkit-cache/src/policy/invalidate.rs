//! Invalidation after unsafe methods (RFC 9111 §4.4).

use http::header::{HeaderMap, CONTENT_LOCATION, LOCATION};
use http::{Method, StatusCode, Uri};

/// True for methods RFC 9110 §9.2.1 defines as safe.
pub fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The URIs whose stored responses must be invalidated after `method` on
/// `target` got `status` with `response` fields: for an unsafe method with a
/// non-error status (2xx, 3xx), the target URI and the `Location` and
/// `Content-Location` URIs when they have the same origin (scheme, host, port).
/// `target` must be absolute (`https://host/path?q`).
pub fn invalidated_uris(
    method: &Method,
    target: &Uri,
    status: StatusCode,
    response: &HeaderMap,
) -> Vec<Uri> {
    if is_safe(method) || !(status.is_success() || status.is_redirection()) {
        return Vec::new();
    }
    let mut out = vec![target.clone()];
    for name in [LOCATION, CONTENT_LOCATION] {
        let Some(value) = response.get(&name).and_then(|v| v.to_str().ok()) else {
            continue;
        };
        if let Some(uri) = resolve(target, value.trim()) {
            if same_origin(target, &uri) && !out.contains(&uri) {
                out.push(uri);
            }
        }
    }
    out
}

/// Resolves an absolute URI, an absolute path or a relative path against `base`.
pub fn resolve(base: &Uri, reference: &str) -> Option<Uri> {
    if reference.is_empty() {
        return None;
    }
    if let Ok(uri) = reference.parse::<Uri>() {
        if uri.scheme().is_some() && uri.authority().is_some() {
            return Some(uri);
        }
    }
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    if let Some(rest) = reference.strip_prefix("//") {
        return format!("{scheme}://{rest}").parse().ok();
    }
    let path = if reference.starts_with('/') {
        reference.to_owned()
    } else {
        let base_path = base.path();
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{}{reference}", if dir.is_empty() { "/" } else { dir })
    };
    format!("{scheme}://{authority}{path}").parse().ok()
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Same scheme, host (case-insensitive) and port (defaults applied).
pub fn same_origin(a: &Uri, b: &Uri) -> bool {
    let (Some(sa), Some(sb)) = (a.scheme_str(), b.scheme_str()) else {
        return false;
    };
    let (Some(ha), Some(hb)) = (a.host(), b.host()) else {
        return false;
    };
    let pa = a.port_u16().or_else(|| default_port(sa));
    let pb = b.port_u16().or_else(|| default_port(sb));
    sa.eq_ignore_ascii_case(sb) && ha.eq_ignore_ascii_case(hb) && pa == pb
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn unsafe_methods_invalidate_target_and_same_origin_locations() {
        let target: Uri = "https://a.test/items/1".parse().unwrap();
        let mut resp = HeaderMap::new();
        resp.insert(LOCATION, HeaderValue::from_static("/items/2"));
        resp.insert(
            CONTENT_LOCATION,
            HeaderValue::from_static("https://other.test/x"),
        );
        let uris = invalidated_uris(&Method::POST, &target, StatusCode::CREATED, &resp);
        let uris: Vec<String> = uris.iter().map(ToString::to_string).collect();
        assert_eq!(
            uris,
            vec!["https://a.test/items/1", "https://a.test/items/2"]
        );
        assert!(invalidated_uris(&Method::GET, &target, StatusCode::OK, &resp).is_empty());
        assert!(invalidated_uris(
            &Method::DELETE,
            &target,
            StatusCode::INTERNAL_SERVER_ERROR,
            &resp
        )
        .is_empty());
        assert_eq!(
            resolve(&target, "3").unwrap().to_string(),
            "https://a.test/items/3"
        );
        assert!(same_origin(
            &target,
            &"https://A.test:443/z".parse().unwrap()
        ));
        assert!(!same_origin(&target, &"http://a.test/z".parse().unwrap()));
    }
}
