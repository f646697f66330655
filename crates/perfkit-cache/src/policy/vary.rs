//! `Vary` (RFC 9111 §4.1): which request fields select a stored variant, and the
//! secondary key made of their normalised values.

use http::header::{HeaderMap, HeaderName, ACCEPT_LANGUAGE, CONTENT_LANGUAGE, VARY};

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

/// Whether a stored response varying on `Accept-Language` answers `request` although
/// their `Accept-Language` values differ, because the request would select the
/// stored response's language (RFC 9111 §4.1 lets a cache normalise a selecting field
/// using what it knows of the selection; RFC 9110 §12.5.4, §12.4.2). Deliberately
/// narrow: the stored response names exactly one language in `Content-Language`, and
/// the request's single most preferred language range (highest `q`, above 0, no tie,
/// not `*`) is that language tag, compared without case (RFC 4647 §2.1). A range that
/// only matches by prefix (`de` for `de-CH`, or `de-CH` for `de`) is not enough: the
/// origin might hold a closer match. Other `Vary` fields are compared as usual by the
/// caller.
pub fn language_selects(stored: &HeaderMap, request: &HeaderMap) -> bool {
    let mut languages = stored.get_all(CONTENT_LANGUAGE).iter();
    let (Some(language), None) = (languages.next(), languages.next()) else {
        return false;
    };
    let Ok(language) = language.to_str() else {
        return false;
    };
    let language = language.trim();
    if language.is_empty() || language.contains(',') {
        return false;
    }
    // The most preferred range(s): (weight in thousandths, range, how many at it).
    let mut best: Option<(u16, &str, usize)> = None;
    for value in request.get_all(ACCEPT_LANGUAGE) {
        let Ok(value) = value.to_str() else {
            return false;
        };
        for member in value.split(',') {
            let mut parts = member.split(';');
            let range = parts.next().unwrap_or("").trim();
            if range.is_empty() {
                continue;
            }
            let mut weight = 1000;
            for parameter in parts {
                let Some((name, q)) = parameter.split_once('=') else {
                    return false;
                };
                if !name.trim().eq_ignore_ascii_case("q") {
                    return false;
                }
                let Some(q) = qvalue(q.trim()) else {
                    return false;
                };
                weight = q;
            }
            best = match best {
                Some((w, _, _)) if weight < w => best,
                Some((w, r, n)) if weight == w => Some((w, r, n + 1)),
                _ => Some((weight, range, 1)),
            };
        }
    }
    matches!(best, Some((weight, range, 1))
        if weight > 0 && range != "*" && range.eq_ignore_ascii_case(language))
}

/// A `qvalue` (RFC 9110 §12.4.2: `0[.ddd]` or `1[.000]`) in thousandths.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
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

    #[test]
    fn a_language_is_selected_only_by_the_single_most_preferred_range_naming_it() {
        let de = h(&[("content-language", "de"), ("vary", "accept-language")]);
        let selects =
            |value: &'static str| language_selects(&de, &h(&[("accept-language", value)]));
        // cache-tests vary-normalise-lang-select.
        assert!(selects("fr;q=0.5, de;q=1.0"));
        assert!(selects("DE"));
        assert!(selects("en;q=0.2, de;q=0.9, *;q=0.1"));
        for other in [
            "fr, de",           // a tie: the origin might pick fr
            "fr;q=1, de;q=0.5", // fr preferred
            "de;q=0",           // not acceptable at all
            "de-CH",            // a closer match may exist
            "*",
            "de;q=2", // malformed: no guess
            "de;level=1",
            "",
        ] {
            assert!(!selects(other), "{other:?}");
        }
        assert!(!language_selects(&de, &HeaderMap::new()));
        let two = h(&[("content-language", "de, en")]);
        assert!(!language_selects(&two, &h(&[("accept-language", "de")])));
        let none = HeaderMap::new();
        assert!(!language_selects(&none, &h(&[("accept-language", "de")])));
        let regional = h(&[("content-language", "de-CH")]);
        assert!(!language_selects(
            &regional,
            &h(&[("accept-language", "de")])
        ));
        assert!(language_selects(
            &regional,
            &h(&[("accept-language", "de-ch, de;q=0.8")])
        ));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("1.001"), None);
        assert_eq!(qvalue("0.1234"), None);
    }
}
