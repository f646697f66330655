//! Header rewriting between client and upstream: hop-by-hop headers (RFC 9110 §7.6.1)
//! and `X-Forwarded-For` / `X-Forwarded-Proto` / `X-Forwarded-Host` / `Forwarded`
//! (RFC 7239), believed only when the direct peer is a trusted proxy.

use std::net::IpAddr;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");

/// Whether `name` is one of the fixed hop-by-hop headers (RFC 9110 §7.6.1); headers
/// a `Connection` header names are hop-by-hop too, see [`connection_named`].
pub fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

/// Whether the gateway sets `name` itself for requests from an untrusted peer: what
/// such a client sent under these names never reaches an upstream.
pub fn set_by_gateway(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "x-forwarded-for" | "x-forwarded-proto" | "x-forwarded-host" | "x-real-ip" | "forwarded"
    )
}

/// The header names a `Connection` header lists besides its own options
/// (`keep-alive`, `close`): hop-by-hop headers of this one message.
pub fn connection_named<'a>(values: impl Iterator<Item = &'a HeaderValue>) -> Vec<HeaderName> {
    let mut named = Vec::new();
    for value in values {
        for token in value.to_str().unwrap_or_default().split(',').map(str::trim) {
            let option = token.is_empty()
                || token.eq_ignore_ascii_case("keep-alive")
                || token.eq_ignore_ascii_case("close");
            if !option {
                if let Ok(name) = HeaderName::from_bytes(token.as_bytes()) {
                    named.push(name);
                }
            }
        }
    }
    named
}

/// Removes hop-by-hop headers, including any the `Connection` header names.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // Most messages carry none, or only `Connection: keep-alive`.
    let present: Vec<HeaderName> = headers
        .keys()
        .filter(|n| is_hop_by_hop(n))
        .cloned()
        .collect();
    if present.contains(&header::CONNECTION) {
        for name in connection_named(headers.get_all(header::CONNECTION).iter()) {
            headers.remove(name);
        }
    }
    for name in present {
        headers.remove(name);
    }
}

/// The direct peer of a client connection, with the forwarding header values that
/// name it computed once per connection rather than once per request.
#[derive(Debug, Clone)]
pub struct ClientPeer {
    pub ip: IpAddr,
    proto: &'static str,
    forwarded_for: HeaderValue,
    forwarded: HeaderValue,
}

impl ClientPeer {
    pub fn new(ip: IpAddr, proto: &'static str) -> ClientPeer {
        let ip = canonical(ip);
        ClientPeer {
            ip,
            proto,
            forwarded_for: ip_value(ip),
            forwarded: forwarded_element(ip, proto),
        }
    }
}

/// Which peers may tell us who the client is.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies { nets }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// Rewrites the forwarding headers for a request that arrived from `peer`, and
    /// returns the client address to use for hashing and logs.
    ///
    /// From an untrusted peer every incoming forwarding header is discarded: a client
    /// cannot choose the address the upstream sees. From a trusted proxy the chain is
    /// extended, and the client is the right-most address that is not itself trusted.
    pub fn apply(&self, client: &ClientPeer, headers: &mut HeaderMap) -> IpAddr {
        let (peer, proto) = (client.ip, client.proto);
        if self.nets.is_empty() || !self.contains(peer) {
            // `insert` replaces every value a client may have sent.
            headers.insert(X_FORWARDED_FOR, client.forwarded_for.clone());
            headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(proto));
            headers.insert(header::FORWARDED, client.forwarded.clone());
            match headers.get(header::HOST).cloned() {
                Some(host) => headers.insert(X_FORWARDED_HOST, host),
                None => headers.remove(X_FORWARDED_HOST),
            };
            headers.remove(X_REAL_IP);
            return peer;
        }

        let chain: Vec<IpAddr> = headers
            .get_all(X_FORWARDED_FOR)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|item| parse_ip(item.trim()))
            .collect();
        let client = chain
            .iter()
            .rev()
            .copied()
            .find(|ip| !self.contains(*ip))
            .or_else(|| chain.first().copied())
            .unwrap_or(peer);

        let mut xff = chain
            .iter()
            .map(IpAddr::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if !xff.is_empty() {
            xff.push_str(", ");
        }
        xff.push_str(&peer.to_string());
        if let Ok(value) = HeaderValue::from_str(&xff) {
            headers.insert(X_FORWARDED_FOR, value);
        }
        if !headers.contains_key(X_FORWARDED_PROTO) {
            headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(proto));
        }
        headers.append(header::FORWARDED, forwarded_element(peer, proto));
        client
    }
}

/// What an upstream is told about the client, settled once per request by
/// [`TrustedProxies::settle`].
#[derive(Debug, Clone, Copy)]
pub struct Forwarding<'a> {
    /// The client's address, for hashing, limits and logs.
    pub client_ip: IpAddr,
    /// `Some` for a request from an untrusted peer (the common case): its headers
    /// stay as the client sent them, and the upstream request is written without
    /// their hop-by-hop and forwarding headers and with this peer's values instead
    /// (see [`ClientPeer::encode_forwarding`]), which costs less than rewriting the
    /// map. `None`: the map itself was rewritten (a trusted proxy's chain extended).
    pub direct: Option<&'a ClientPeer>,
}

impl TrustedProxies {
    /// Settles the client address and how the forwarding headers are set; removes
    /// from `headers` what must not reach an upstream and is not left out as the
    /// request is written (headers that `Connection` names; everything, for a
    /// trusted proxy's request, whose map is rewritten by [`apply`](Self::apply)).
    pub fn settle<'a>(&self, client: &'a ClientPeer, headers: &mut HeaderMap) -> Forwarding<'a> {
        if self.nets.is_empty() || !self.contains(client.ip) {
            if headers.contains_key(header::CONNECTION) {
                for name in connection_named(headers.get_all(header::CONNECTION).iter()) {
                    headers.remove(name);
                }
            }
            return Forwarding {
                client_ip: client.ip,
                direct: Some(client),
            };
        }
        strip_hop_by_hop(headers);
        Forwarding {
            client_ip: self.apply(client, headers),
            direct: None,
        }
    }
}

impl ClientPeer {
    /// Writes the forwarding headers an upstream gets for a request from this
    /// (untrusted) peer, as `name: value\r\n` lines: what [`TrustedProxies::apply`]
    /// sets in the map, given the request's `Host`.
    pub fn encode_forwarding(&self, host: Option<&HeaderValue>, out: &mut bytes::BytesMut) {
        use bytes::BufMut;
        let mut line = |name: &[u8], value: &[u8]| {
            out.put_slice(name);
            out.put_slice(b": ");
            out.put_slice(value);
            out.put_slice(b"\r\n");
        };
        line(b"x-forwarded-for", self.forwarded_for.as_bytes());
        line(b"x-forwarded-proto", self.proto.as_bytes());
        line(b"forwarded", self.forwarded.as_bytes());
        if let Some(host) = host {
            line(b"x-forwarded-host", host.as_bytes());
        }
    }
}

impl TrustedProxies {
    /// The client address [`apply`](Self::apply) would return, read without changing
    /// the headers or allocating: for phases that run before the headers are rewritten.
    pub fn client_ip(&self, client: &ClientPeer, headers: &HeaderMap) -> IpAddr {
        let peer = client.ip;
        if self.nets.is_empty() || !self.contains(peer) {
            return peer;
        }
        let mut leftmost = None;
        for value in headers.get_all(X_FORWARDED_FOR).iter().rev() {
            let Ok(value) = value.to_str() else { continue };
            for item in value.rsplit(',') {
                if let Some(ip) = parse_ip(item.trim()) {
                    if !self.contains(ip) {
                        return ip;
                    }
                    leftmost = Some(ip);
                }
            }
        }
        leftmost.unwrap_or(peer)
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) compare as the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim_matches(|c| c == '"' || c == '[' || c == ']');
    text.parse().ok().map(canonical)
}

fn ip_value(ip: IpAddr) -> HeaderValue {
    HeaderValue::from_str(&ip.to_string()).unwrap_or(HeaderValue::from_static("unknown"))
}

fn forwarded_element(peer: IpAddr, proto: &str) -> HeaderValue {
    let text = match peer {
        IpAddr::V4(v4) => format!("for={v4};proto={proto}"),
        IpAddr::V6(v6) => format!("for=\"[{v6}]\";proto={proto}"),
    };
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("for=unknown"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn strips_listed_and_connection_named_headers() {
        let mut map = headers(&[
            ("connection", "keep-alive, x-secret"),
            ("x-secret", "1"),
            ("keep-alive", "timeout=5"),
            ("te", "trailers"),
            ("proxy-authorization", "Basic x"),
            ("accept", "*/*"),
        ]);
        strip_hop_by_hop(&mut map);
        assert_eq!(map.len(), 1);
        assert!(map.contains_key("accept"));
    }

    #[test]
    fn untrusted_peer_cannot_spoof_its_address() {
        let trusted = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let mut map = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("forwarded", "for=1.2.3.4"),
            ("x-forwarded-proto", "https"),
        ]);
        let peer: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(
            trusted.apply(&ClientPeer::new(peer, "http"), &mut map),
            peer
        );
        assert_eq!(map["x-forwarded-for"], "192.0.2.7");
        assert_eq!(map["x-forwarded-proto"], "http");
        assert_eq!(map["forwarded"], "for=192.0.2.7;proto=http");
    }

    #[test]
    fn trusted_chain_yields_rightmost_untrusted_client() {
        let trusted = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let mut map = headers(&[("x-forwarded-for", "6.6.6.6, 1.2.3.4, 10.0.0.9")]);
        let client = trusted.apply(
            &ClientPeer::new("10.1.1.1".parse().unwrap(), "http"),
            &mut map,
        );
        assert_eq!(client, "1.2.3.4".parse::<IpAddr>().unwrap());
        assert_eq!(
            map["x-forwarded-for"],
            "6.6.6.6, 1.2.3.4, 10.0.0.9, 10.1.1.1"
        );
    }

    #[test]
    fn mapped_ipv6_peer_matches_ipv4_range() {
        let trusted = TrustedProxies::new(vec!["127.0.0.0/8".parse().unwrap()]);
        assert!(trusted.contains("::ffff:127.0.0.1".parse().unwrap()));
    }
}
