//! Phase 1: which host the request is for. `Host` is made the one statement of the
//! target host (RFC 9112 §3.2, RFC 9113 §8.3.1) before anything routes on it.

use http::header::{self, HeaderValue};

/// Makes `Host` the one statement of the request's target host, or says why the
/// request is malformed (answered `400`). Returns the settled `Host` value (a cheap
/// clone), so the host is read from the map once: see [`host_name`].
///
/// - HTTP/1.x (RFC 9112 §3.2): more than one `Host`, an invalid one, or none in
///   HTTP/1.1 is an error; an absolute-form target's authority replaces `Host`.
/// - HTTP/2 (RFC 9113 §8.3.1): `:authority` is the target; a `Host` naming a different
///   one is an error; upstreams (HTTP/1.1) get `:authority` as `Host`.
pub(super) fn settle_host(
    parts: &mut http::request::Parts,
) -> Result<Option<HeaderValue>, &'static str> {
    let mut hosts = parts.headers.get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Err("more than one Host header");
    }
    if host.is_some_and(|host| !valid_host(host.as_bytes())) {
        return Err("invalid Host header");
    }
    let Some(authority) = parts.uri.authority() else {
        return match host {
            None if parts.version == http::Version::HTTP_11 => Err("HTTP/1.1 request without Host"),
            None if parts.version >= http::Version::HTTP_2 => {
                Err("request without :authority or Host")
            }
            _ => Ok(host.cloned()),
        };
    };
    // Userinfo has no place in an http(s) target (RFC 9110 §4.2.4).
    if authority.as_str().contains('@') || !valid_host(authority.as_str().as_bytes()) {
        return Err("invalid request target authority");
    }
    if parts.version >= http::Version::HTTP_2 {
        if let Some(host) = host {
            if !host
                .as_bytes()
                .eq_ignore_ascii_case(authority.as_str().as_bytes())
            {
                return Err("Host differs from :authority");
            }
            return Ok(Some(host.clone()));
        }
    }
    let value = HeaderValue::from_str(authority.as_str())
        .map_err(|_| "invalid request target authority")?;
    parts.headers.insert(header::HOST, value.clone());
    Ok(Some(value))
}

/// Bytes allowed in a reg-name or IPv4 address (RFC 3986 unreserved, sub-delims and
/// `%` of pct-encoded), as a table: checked for every byte of every request's `Host`.
static REG_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
            );
        b += 1;
    }
    table
};

/// `uri-host [":" port]`: a reg-name, IPv4 address or bracketed IPv6 literal, and an
/// optional port. Rejects what cannot be a host (spaces, `/`, `@`, `?`, `#`...).
fn valid_host(host: &[u8]) -> bool {
    let (name, port) = match host.iter().rposition(|b| *b == b':') {
        Some(colon) if !host[colon..].contains(&b']') => (&host[..colon], &host[colon + 1..]),
        _ => (host, &b""[..]),
    };
    let name_ok = match name {
        [b'[', inner @ .., b']'] => {
            !inner.is_empty()
                && inner
                    .iter()
                    .all(|b| b.is_ascii_hexdigit() || b":.".contains(b))
        }
        _ => !name.is_empty() && name.iter().all(|b| REG_NAME[usize::from(*b)]),
    };
    name_ok && port.iter().all(u8::is_ascii_digit) && port.len() <= 5
}

/// The request's host without port, from the value [`settle_host`] returned (which
/// it checked is ASCII); `""` for an HTTP/1.0 request that named none.
pub(super) fn host_name(settled: Option<&HeaderValue>) -> &str {
    let host = settled
        .and_then(|h| std::str::from_utf8(h.as_bytes()).ok())
        .unwrap_or("");
    // Strip a port, but not the colons of a bracketed IPv6 literal.
    match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') => &host[..colon],
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::valid_host;

    #[test]
    fn hosts_are_reg_names_or_ip_literals_with_an_optional_port() {
        for good in [
            "example.com",
            "a-b.c_d~!$&'()*+,;=%20",
            "127.0.0.1:8080",
            "[::1]:80",
            "[2001:db8::1]",
        ] {
            assert!(valid_host(good.as_bytes()), "{good}");
        }
        for bad in [
            "", "a b", "a/b", "a@b", "a?b", "a#b", "a\"b", "a:80x", "a:123456", "[]", "[::g]",
            ":80",
        ] {
            assert!(!valid_host(bad.as_bytes()), "{bad}");
        }
    }
}
