//! Entry points for the fuzz targets under `fuzz/` and for the regression test that
//! replays what they found. Each takes arbitrary bytes, drives one parser the way the
//! gateway does, and checks what must hold for any input. Not part of the API.

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::Method;

use crate::request::forwarded::{ClientPeer, TrustedProxies};
use crate::upstream::http1;

/// Parses `data` as an upstream's response head and, when that succeeds, decodes the
/// rest as its body, fed in pieces whose sizes the input's first byte picks. The
/// first byte also picks the request method (HEAD changes framing).
pub fn upstream_response(data: &[u8]) {
    let Some((&control, data)) = data.split_first() else {
        return;
    };
    let method = if control & 1 == 0 {
        Method::GET
    } else {
        Method::HEAD
    };
    let step = usize::from(control >> 1).max(1);
    http1::fuzz_response(&method, data, step);
}

/// Decodes `data` as a chunked body (first byte even) or a body of a length taken from
/// the first bytes, in pieces; checks that no more bytes come out than went in.
pub fn body_decoder(data: &[u8]) {
    http1::fuzz_body(data);
}

/// Runs the forwarded-header rewrite on headers built from `data` (lines of
/// `name: value`), from a trusted and from an untrusted peer, and checks that an
/// untrusted peer never chooses the client address upstreams see.
pub fn forwarded_headers(data: &[u8]) {
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    let trusted = TrustedProxies::new(vec!["10.0.0.0/8".parse().expect("a valid CIDR")]);
    let proxy = ClientPeer::new([10, 1, 2, 3].into(), "http");
    let stranger = ClientPeer::new([192, 0, 2, 7].into(), "https");

    let mut from_proxy = headers.clone();
    let forwarding = trusted.settle(&proxy, &mut from_proxy);
    assert!(forwarding.direct.is_none());
    assert!(from_proxy.get(http::header::CONNECTION).is_none());

    let mut from_stranger = headers;
    let forwarding = trusted.settle(&stranger, &mut from_stranger);
    assert_eq!(
        forwarding.client_ip, stranger.ip,
        "an untrusted peer chose its client address"
    );
    // What the upstream receives: the stranger's own address only, no hop-by-hop.
    let sent = http1::encoded_head(&from_stranger, forwarding.direct);
    let mut slots = [httparse::EMPTY_HEADER; 256];
    let mut request = httparse::Request::new(&mut slots);
    let Ok(httparse::Status::Complete(_)) = request.parse(&sent) else {
        // More headers than the check reads: the properties above still held.
        return;
    };
    let values = |name: &str| {
        request
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        values("x-forwarded-for"),
        [b"192.0.2.7".as_slice()],
        "an untrusted peer chose the address upstreams see"
    );
    assert!(values("x-real-ip").is_empty());
    assert!(values("connection").is_empty() && values("transfer-encoding").is_empty());
}

/// Loads `data` as a config file; any input gives a config or an error, never a
/// panic, and an error points inside the file. Lines are counted as YAML counts them:
/// `\r\n`, `\n` and a lone `\r` each end one.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) =
        perfkit_config::Config::parse_with_env(std::path::Path::new("fuzz.yml"), text, Vec::new())
    {
        if let Some(location) = error.location() {
            let lines = 1 + text.matches('\n').count() + text.matches('\r').count()
                - text.matches("\r\n").count();
            assert!(
                location.line >= 1 && location.line <= lines,
                "{error} points past line {lines}"
            );
        }
    }
}
