//! `Vary` (RFC 9111 §4.1): which request fields select a stored variant, and the
//! secondary key made of their normalised values.

use http::header::{HeaderMap, HeaderName, VARY};

/// The fields a response varies on, lower-case and deduplicated; `None` for
/// `Vary: *` (never matches: not stored).
pub fn vary_fields(response: &HeaderMap) -> Option<Vec<HeaderName>> {
    let mut fields: Vec<HeaderName> = Vec::new();
    for line in response.get_all(VARY) {
        for member in line.to_str().unwrap_or("").split(',') {
            let member = member.trim();
            if member == "*" {
                return None;
            }
            if let Ok(name) = HeaderName::from_bytes(member.as_bytes()) {
                if !fields.contains(&name) {
                    fields.push(name);
                }
            }
        }
    }
    fields.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    Some(fields)
}

/// The secondary key: for each field, `name=value` with the value normalised as
/// §4.1 permits (lines combined, whitespace around commas removed; for fields whose
/// members are case-insensitive and unordered, lower-cased and sorted). A field the
/// request lacks is marked absent, distinct from an empty value.
pub fn secondary_key(fields: &[HeaderName], request: &HeaderMap) -> String {
    let mut key = String::new();
    for name in fields {
        if !key.is_empty() {
            key.push('\n');
        }
        key.push_str(name.as_str());
        let mut values = request.get_all(name).iter().peekable();
        if values.peek().is_none() {
            key.push('!');
            continue;
        }
        key.push('=');
        let mut members: Vec<String> = values
            .flat_map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split(',')
                    .map(collapse)
                    .collect::<Vec<_>>()
            })
            .filter(|m| !m.is_empty())
            .collect();
        if unordered_case_insensitive(name) {
            for member in &mut members {
                member.make_ascii_lowercase();
            }
            members.sort();
        }
        key.push_str(&members.join(","));
    }
    key
}

/// Trims and collapses internal runs of whitespace (around `;` too).
fn collapse(member: &str) -> String {
    let mut out = String::with_capacity(member.len());
    for part in member.split(';') {
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(&part.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

/// Fields whose members are compared without case and in any order: codings and
/// charsets are case-insensitive tokens, language ranges are case-insensitive (RFC 4647
/// §2), and in all three a member's preference is its `q` weight, never its position
/// (RFC 9110 §12.4.2, §12.5.3, §12.5.4).
fn unordered_case_insensitive(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "accept-encoding" | "accept-charset" | "accept-language"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::policy::header_map as h;

    #[test]
    fn star_never_matches_and_fields_are_normalised() {
        assert_eq!(vary_fields(&h(&[("vary", "Accept, *")])), None);
        let fields = vary_fields(&h(&[
            ("vary", "Accept-Encoding, accept"),
            ("vary", "ACCEPT"),
        ]))
        .unwrap();
        assert_eq!(fields.len(), 2);
        let a = secondary_key(
            &fields,
            &h(&[("accept-encoding", "gzip,  BR"), ("accept", "text/html")]),
        );
        let b = secondary_key(
            &fields,
            &h(&[
                ("accept-encoding", "br"),
                ("accept-encoding", "gzip"),
                ("accept", "text/html"),
            ]),
        );
        assert_eq!(a, b);
        let c = secondary_key(
            &fields,
            &h(&[("accept-encoding", "gzip, br"), ("accept", "text/plain")]),
        );
        assert_ne!(a, c);
        let absent = secondary_key(&fields, &h(&[("accept", "text/html")]));
        let empty = secondary_key(
            &fields,
            &h(&[("accept", "text/html"), ("accept-encoding", "")]),
        );
        assert_ne!(absent, empty);
    }
}
