//! The `RateLimit-Policy` and `RateLimit` response fields of
//! draft-ietf-httpapi-ratelimit-headers (structured-field syntax), as pure functions.
//!
//! ```text
//! RateLimit-Policy: "burst";q=100;w=60, "daily";q=1000;w=86400
//! RateLimit: "burst";r=42;t=30
//! ```
//!
//! Each item is a policy name (an sf-string) with parameters: in `RateLimit-Policy`
//! the quota `q`, its unit `qu` (omitted for the default, requests) and window `w`
//! in seconds; in `RateLimit` the remaining quota `r` and the seconds `t` until it
//! resets. The `append_*` functions add an item to a field value being built (with
//! the `, ` list separator), so several policies share one header and a reused
//! buffer means no allocation.

use std::fmt::Write;

use crate::decision::Decision;

/// The largest sf-integer (15 digits); larger numbers are sent as this.
pub const MAX_INTEGER: u64 = 999_999_999_999_999;

/// A policy name that is a valid sf-string: printable ASCII (space to `~`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyName(String);

/// A name that cannot be sent as an sf-string.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "rate-limit policy name {name:?} must be printable ASCII (space to '~'), at most 64 characters"
)]
pub struct PolicyNameError {
    pub name: String,
}

impl PolicyName {
    pub fn new(name: &str) -> Result<PolicyName, PolicyNameError> {
        if name.len() > 64 || !name.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(PolicyNameError { name: name.into() });
        }
        Ok(PolicyName(name.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a quota counts (`qu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuotaUnit {
    #[default]
    Requests,
    ContentBytes,
    ConcurrentRequests,
}

impl QuotaUnit {
    fn token(self) -> &'static str {
        match self {
            QuotaUnit::Requests => "requests",
            QuotaUnit::ContentBytes => "content-bytes",
            QuotaUnit::ConcurrentRequests => "concurrent-requests",
        }
    }
}

fn push_name(out: &mut String, name: &PolicyName) {
    if !out.is_empty() {
        out.push_str(", ");
    }
    out.push('"');
    for c in name.0.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn push_param(out: &mut String, key: &str, value: u64) {
    // Writing to a String cannot fail.
    let _ = write!(out, ";{key}={}", value.min(MAX_INTEGER));
}

/// Appends a `RateLimit-Policy` item: `"name";q=QUOTA[;qu="UNIT"][;w=WINDOW]`.
pub fn append_policy(
    out: &mut String,
    name: &PolicyName,
    quota: u64,
    unit: QuotaUnit,
    window_secs: Option<u64>,
) {
    push_name(out, name);
    push_param(out, "q", quota);
    if unit != QuotaUnit::Requests {
        out.push_str(";qu=\"");
        out.push_str(unit.token());
        out.push('"');
    }
    if let Some(window) = window_secs {
        push_param(out, "w", window);
    }
}

/// Appends a `RateLimit` item: `"name";r=REMAINING[;t=RESET]`.
pub fn append_ratelimit(
    out: &mut String,
    name: &PolicyName,
    remaining: u64,
    reset_secs: Option<u64>,
) {
    push_name(out, name);
    push_param(out, "r", remaining);
    if let Some(reset) = reset_secs {
        push_param(out, "t", reset);
    }
}

/// The longest `RateLimit` item [`RateLimitItem::write`] produces: a name of 64
/// characters all escaped, and two integers of 15 digits.
pub const MAX_RATELIMIT_ITEM: usize = 2 + 2 * 64 + 3 + 15 + 3 + 15;

/// A policy's `RateLimit` item with its name rendered once: writing one is copying
/// the prefix and two integers into a caller's buffer, no formatter and no
/// allocation. Writes exactly what [`append_ratelimit`] appends to an empty string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitItem {
    /// `"name";r=`
    prefix: Box<[u8]>,
}

impl RateLimitItem {
    pub fn new(name: &PolicyName) -> RateLimitItem {
        let mut prefix = String::new();
        push_name(&mut prefix, name);
        prefix.push_str(";r=");
        RateLimitItem {
            prefix: prefix.into_bytes().into_boxed_slice(),
        }
    }

    /// Writes `"name";r=REMAINING[;t=RESET]` to the start of `out` and returns it.
    pub fn write<'b>(
        &self,
        out: &'b mut [u8; MAX_RATELIMIT_ITEM],
        remaining: u64,
        reset_secs: Option<u64>,
    ) -> &'b [u8] {
        let mut len = self.prefix.len();
        out[..len].copy_from_slice(&self.prefix);
        let mut digits = itoa::Buffer::new();
        len += put(&mut out[len..], digits.format(remaining.min(MAX_INTEGER)));
        if let Some(reset) = reset_secs {
            len += put(&mut out[len..], ";t=");
            len += put(&mut out[len..], digits.format(reset.min(MAX_INTEGER)));
        }
        &out[..len]
    }
}

fn put(out: &mut [u8], text: &str) -> usize {
    out[..text.len()].copy_from_slice(text.as_bytes());
    text.len()
}

/// The `RateLimit-Policy` item for the policy a [`Decision`] came from.
pub fn policy_for(name: &PolicyName, decision: &Decision) -> String {
    let mut out = String::new();
    append_policy(
        &mut out,
        name,
        decision.limit,
        QuotaUnit::Requests,
        Some(decision.window_secs()),
    );
    out
}

/// The `RateLimit` item for a [`Decision`].
pub fn ratelimit_for(name: &PolicyName, decision: &Decision) -> String {
    let mut out = String::new();
    append_ratelimit(
        &mut out,
        name,
        decision.remaining,
        Some(decision.reset_secs()),
    );
    out
}

/// The `Retry-After` value (delay-seconds) for a rejected [`Decision`], at least 1.
pub fn retry_after_for(decision: &Decision) -> Option<u64> {
    decision.retry_after_secs().map(|secs| secs.max(1))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn name(s: &str) -> PolicyName {
        PolicyName::new(s).unwrap()
    }

    #[test]
    fn policy_items_follow_the_draft_syntax() {
        let mut out = String::new();
        append_policy(
            &mut out,
            &name("hourly"),
            100,
            QuotaUnit::Requests,
            Some(3600),
        );
        assert_eq!(out, r#""hourly";q=100;w=3600"#);
        append_policy(
            &mut out,
            &name("conc"),
            8,
            QuotaUnit::ConcurrentRequests,
            None,
        );
        assert_eq!(
            out,
            r#""hourly";q=100;w=3600, "conc";q=8;qu="concurrent-requests""#
        );
    }

    #[test]
    fn ratelimit_items_follow_the_draft_syntax() {
        let mut out = String::new();
        append_ratelimit(&mut out, &name("hourly"), 42, Some(30));
        append_ratelimit(&mut out, &name("daily"), 0, None);
        assert_eq!(out, r#""hourly";r=42;t=30, "daily";r=0"#);
    }

    #[test]
    fn a_prerendered_item_writes_what_append_ratelimit_appends() {
        let mut buffer = [0; MAX_RATELIMIT_ITEM];
        let longest = "\"".repeat(64);
        for policy in ["hourly", r#"a"b\c"#, longest.as_str()] {
            let policy = name(policy);
            let item = RateLimitItem::new(&policy);
            for (remaining, reset) in [(0, None), (42, Some(30)), (u64::MAX, Some(u64::MAX))] {
                let mut expected = String::new();
                append_ratelimit(&mut expected, &policy, remaining, reset);
                let written = item.write(&mut buffer, remaining, reset);
                assert_eq!(std::str::from_utf8(written).unwrap(), expected);
            }
        }
    }

    #[test]
    fn names_are_escaped_and_validated() {
        let mut out = String::new();
        append_ratelimit(&mut out, &name(r#"a"b\c"#), 1, None);
        assert_eq!(out, r#""a\"b\\c";r=1"#);
        assert!(PolicyName::new("caf\u{e9}").is_err());
        assert!(PolicyName::new("tab\there").is_err());
        assert!(PolicyName::new(&"x".repeat(65)).is_err());
    }

    #[test]
    fn integers_are_capped_at_fifteen_digits() {
        let mut out = String::new();
        append_ratelimit(&mut out, &name("n"), u64::MAX, Some(u64::MAX));
        assert_eq!(out, r#""n";r=999999999999999;t=999999999999999"#);
    }

    #[test]
    fn decisions_round_times_up_to_whole_seconds() {
        let decision = Decision {
            allowed: false,
            limit: 100,
            window: Duration::from_secs(3600),
            remaining: 0,
            reset_after: Duration::from_millis(29_001),
            retry_after: Some(Duration::from_millis(1)),
        };
        assert_eq!(policy_for(&name("p"), &decision), r#""p";q=100;w=3600"#);
        assert_eq!(ratelimit_for(&name("p"), &decision), r#""p";r=0;t=30"#);
        assert_eq!(retry_after_for(&decision), Some(1));
        let exact = Decision {
            retry_after: Some(Duration::from_secs(7)),
            ..decision
        };
        assert_eq!(retry_after_for(&exact), Some(7));
        let allowed = Decision {
            allowed: true,
            retry_after: None,
            ..decision
        };
        assert_eq!(retry_after_for(&allowed), None);
    }
}
