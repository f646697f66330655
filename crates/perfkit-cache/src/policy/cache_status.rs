//! The RFC 9211 `Cache-Status` field value for one cache's handling of a response.

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

impl CacheStatus {
    /// Appends the field value to `out` (what `Display` prints), without the
    /// formatting machinery: a hit renders this on every response.
    pub fn write_to(&self, out: &mut String) {
        push_item(out, &self.cache);
        if self.hit {
            out.push_str("; hit");
        }
        if let Some(fwd) = self.fwd {
            out.push_str("; fwd=");
            out.push_str(fwd.as_str());
        }
        if let Some(status) = self.fwd_status {
            out.push_str("; fwd-status=");
            push_integer(out, i64::from(status));
        }
        if let Some(ttl) = self.ttl {
            out.push_str("; ttl=");
            push_integer(out, ttl);
        }
        if self.stored {
            out.push_str("; stored");
        }
        if self.collapsed {
            out.push_str("; collapsed");
        }
        if let Some(key) = &self.key {
            out.push_str("; key=");
            push_string(out, key);
        }
        if let Some(detail) = &self.detail {
            out.push_str("; detail=");
            push_item(out, detail);
        }
    }
}

impl std::fmt::Display for CacheStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::with_capacity(64);
        self.write_to(&mut out);
        f.write_str(&out)
    }
}

/// Appends `value` in decimal.
fn push_integer(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut rest = value.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        out.push(char::from(digit));
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
        let mut stale = CacheStatus::new("perfkit");
        stale.hit = true;
        stale.ttl = Some(-1_234_567);
        stale.fwd_status = Some(504);
        assert_eq!(
            stale.to_string(),
            "perfkit; hit; fwd-status=504; ttl=-1234567"
        );
        let mut zero = CacheStatus::new("perfkit");
        zero.ttl = Some(0);
        assert_eq!(zero.to_string(), "perfkit; ttl=0");
    }
}
