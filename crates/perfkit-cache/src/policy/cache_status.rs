//! The RFC 9211 `Cache-Status` field value for one cache's handling of a response.

use std::fmt::Write;

/// Why the request went forward (RFC 9211 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forward {
    /// Configured not to use the cache for this request.
    Bypass,
    /// The method is not cacheable.
    Method,
    /// Nothing stored for the URI.
    UriMiss,
    /// Stored responses exist, but none for this request's `Vary` fields.
    VaryMiss,
    /// Found but unusable, reason unspecified.
    Miss,
    /// The request's directives (e.g. `no-cache`) required going forward.
    Request,
    /// The stored response was stale and had to be validated.
    Stale,
    /// Part of the response was stored.
    Partial,
}

impl Forward {
    pub fn as_str(self) -> &'static str {
        match self {
            Forward::Bypass => "bypass",
            Forward::Method => "method",
            Forward::UriMiss => "uri-miss",
            Forward::VaryMiss => "vary-miss",
            Forward::Miss => "miss",
            Forward::Request => "request",
            Forward::Stale => "stale",
            Forward::Partial => "partial",
        }
    }
}

/// One `Cache-Status` list member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStatus {
    /// The cache's name (an sf-token or, if not one, sent as an sf-string).
    pub cache: String,
    /// Answered from the cache without going forward.
    pub hit: bool,
    pub fwd: Option<Forward>,
    /// Status of the forwarded response.
    pub fwd_status: Option<u16>,
    /// Remaining freshness in seconds (negative when stale).
    pub ttl: Option<i64>,
    /// The forwarded response was stored.
    pub stored: bool,
    /// The request was coalesced with others.
    pub collapsed: bool,
    pub key: Option<String>,
    pub detail: Option<String>,
}

impl CacheStatus {
    pub fn new(cache: impl Into<String>) -> CacheStatus {
        CacheStatus {
            cache: cache.into(),
            ..CacheStatus::default()
        }
    }
}

impl std::fmt::Display for CacheStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        push_item(&mut out, &self.cache);
        if self.hit {
            out.push_str("; hit");
        }
        if let Some(fwd) = self.fwd {
            write!(out, "; fwd={}", fwd.as_str())?;
        }
        if let Some(status) = self.fwd_status {
            write!(out, "; fwd-status={status}")?;
        }
        if let Some(ttl) = self.ttl {
            write!(out, "; ttl={ttl}")?;
        }
        if self.stored {
            out.push_str("; stored");
        }
        if self.collapsed {
            out.push_str("; collapsed");
        }
        if let Some(key) = &self.key {
            out.push_str("; key=");
            push_string(&mut out, key);
        }
        if let Some(detail) = &self.detail {
            out.push_str("; detail=");
            push_item(&mut out, detail);
        }
        f.write_str(&out)
    }
}

/// An sf-token when `text` is one, else an sf-string.
fn push_item(out: &mut String, text: &str) {
    let token = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '*')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~:/".contains(c));
    if token {
        out.push_str(text);
    } else {
        push_string(out, text);
    }
}

/// An sf-string: printable ASCII with `"` and `\` escaped; other bytes dropped.
fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => {}
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_hits_and_forwards() {
        let mut hit = CacheStatus::new("perfkit");
        hit.hit = true;
        hit.ttl = Some(30);
        assert_eq!(hit.to_string(), "perfkit; hit; ttl=30");
        let mut miss = CacheStatus::new("perfkit");
        miss.fwd = Some(Forward::UriMiss);
        miss.fwd_status = Some(200);
        miss.stored = true;
        miss.collapsed = true;
        miss.detail = Some("l2 down".into());
        assert_eq!(
            miss.to_string(),
            "perfkit; fwd=uri-miss; fwd-status=200; stored; collapsed; detail=\"l2 down\""
        );
        assert_eq!(CacheStatus::new("edge cache").to_string(), "\"edge cache\"");
    }
}
