//! `Cache-Control` (and the targeted fields `CDN-Cache-Control`, `Surrogate-Control`)
//! parsed per RFC 9111 §5.2: comma-separated directives across every field line,
//! case-insensitive names, token or quoted-string arguments, unknown directives
//! ignored (§5.2.3).
//!
//! Duplicated or invalid freshness arguments follow §4.2.1's conservative choice:
//! the response is treated as stale (a lifetime of 0). Values past 2^31 saturate
//! at 2^31 (§1.2.2).

use http::header::{HeaderMap, HeaderName};

use super::structured;

/// The greatest delta-seconds value kept (RFC 9111 §1.2.2).
pub const DELTA_SECONDS_MAX: u64 = 1 << 31;

/// `no-cache` / `private` on a response: absent, bare, or qualified with field names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FieldDirective {
    #[default]
    Absent,
    /// Applies to the whole response.
    All,
    /// Applies to these header fields only (lower-case names).
    Fields(Vec<String>),
}

impl FieldDirective {
    pub fn is_present(&self) -> bool {
        !matches!(self, FieldDirective::Absent)
    }
}

/// A delta-seconds argument: absent, valid, or present but unusable (duplicated with
/// another value, negative, not a number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Seconds {
    #[default]
    Absent,
    Valid(u64),
    Invalid,
}

impl Seconds {
    /// The value, with an invalid one read as 0 (stale).
    pub fn get(self) -> Option<u64> {
        match self {
            Seconds::Absent => None,
            Seconds::Valid(value) => Some(value),
            Seconds::Invalid => Some(0),
        }
    }

    pub fn is_present(self) -> bool {
        self != Seconds::Absent
    }
}

/// Parsed cache directives (request and response directives share one type; each
/// side reads the ones that apply to it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheControl {
    pub max_age: Seconds,
    pub s_maxage: Seconds,
    pub no_cache: FieldDirective,
    pub private: FieldDirective,
    pub no_store: bool,
    pub public: bool,
    pub must_revalidate: bool,
    pub proxy_revalidate: bool,
    pub must_understand: bool,
    pub no_transform: bool,
    pub immutable: bool,
    /// Request: `max-stale` bare (`Some(None)`: any staleness) or with seconds.
    pub max_stale: Option<Option<u64>>,
    pub min_fresh: Seconds,
    pub only_if_cached: bool,
    /// RFC 5861.
    pub stale_while_revalidate: Seconds,
    /// RFC 5861 (request or response).
    pub stale_if_error: Seconds,
}

impl CacheControl {
    /// Parses every line of `name` in `headers`; `None` when the field is absent.
    pub fn from_headers(headers: &HeaderMap, name: &HeaderName) -> Option<CacheControl> {
        let mut lines = headers.get_all(name).iter().peekable();
        lines.peek()?;
        let mut cc = CacheControl::default();
        for line in lines {
            // Non-ASCII bytes cannot form directive names; parse the lossy text.
            let text = String::from_utf8_lossy(line.as_bytes());
            for (name, arg) in split_directives(&text) {
                cc.apply(&name, &arg);
            }
        }
        Some(cc)
    }

    /// Parses `Surrogate-Control` (Edge Architecture 1.0: `Cache-Control` syntax, each
    /// directive optionally targeted at a device, `max-age=60;edge`) as this cache
    /// reads it: untargeted directives and those targeted at `device` apply, others
    /// do not. `None` when the field is absent or none of its directives applies.
    pub fn from_surrogate(
        headers: &HeaderMap,
        name: &HeaderName,
        device: Option<&str>,
    ) -> Option<CacheControl> {
        let mut cc = CacheControl::default();
        let mut applied = false;
        for line in headers.get_all(name) {
            let text = String::from_utf8_lossy(line.as_bytes());
            for (name, arg, target) in split_targeted(&text) {
                if target.is_none() || target.as_deref() == device {
                    cc.apply(&name, &arg);
                    applied = true;
                }
            }
        }
        applied.then_some(cc)
    }

    /// Parses a targeted field (RFC 9213 §2.1) such as `CDN-Cache-Control`: a
    /// Structured Field Dictionary (RFC 8941 §3.2) across every line. `None` when
    /// the field is absent, empty, fails to parse, or gives a known directive a value
    /// of the wrong type (`max-age="60"`): such a field is ignored, as if absent.
    pub fn from_structured(headers: &HeaderMap, name: &HeaderName) -> Option<CacheControl> {
        let mut joined = String::new();
        for line in headers.get_all(name) {
            if !joined.is_empty() {
                joined.push_str(", ");
            }
            joined.push_str(line.to_str().ok()?);
        }
        let members = structured::parse_dictionary(&joined)?;
        if members.is_empty() {
            return None;
        }
        let mut cc = CacheControl::default();
        for (key, value) in members {
            use structured::Item;
            let arg = match key.as_str() {
                "max-age"
                | "s-maxage"
                | "min-fresh"
                | "max-stale"
                | "stale-while-revalidate"
                | "stale-if-error" => match value {
                    Item::Integer(n) if n >= 0 => Arg::Value(n.to_string()),
                    Item::Boolean(true) if key == "max-stale" => Arg::Absent,
                    _ => return None,
                },
                "no-cache" | "private" => match value {
                    Item::Boolean(true) => Arg::Absent,
                    Item::String(fields) => Arg::Value(fields),
                    _ => return None,
                },
                "no-store" | "public" | "must-revalidate" | "proxy-revalidate"
                | "must-understand" | "no-transform" | "immutable" | "only-if-cached" => {
                    match value {
                        Item::Boolean(true) => Arg::Absent,
                        _ => return None,
                    }
                }
                // Unknown directives are ignored, whatever their value.
                _ => continue,
            };
            cc.apply(&key, &arg);
        }
        Some(cc)
    }

    /// Parses one field value.
    pub fn parse(value: &str) -> CacheControl {
        let mut cc = CacheControl::default();
        for (name, arg) in split_directives(value) {
            cc.apply(&name, &arg);
        }
        cc
    }

    fn apply(&mut self, name: &str, arg: &Arg) {
        // A malformed argument (whitespace around `=`) is unusable: read it the
        // conservative way (stale lifetime, whole-response `no-cache`/`private`).
        let malformed = *arg == Arg::Malformed;
        let arg = match arg {
            Arg::Value(text) => Some(text.as_str()),
            Arg::Absent | Arg::Malformed => None,
        };
        match name {
            "max-age" => merge_seconds(&mut self.max_age, arg),
            "s-maxage" => merge_seconds(&mut self.s_maxage, arg),
            "min-fresh" => merge_seconds(&mut self.min_fresh, arg),
            "stale-while-revalidate" => merge_seconds(&mut self.stale_while_revalidate, arg),
            "stale-if-error" => merge_seconds(&mut self.stale_if_error, arg),
            "max-stale" => {
                let value = match arg {
                    None if malformed => Some(0),
                    None => None,
                    Some(arg) => match parse_seconds(arg) {
                        Some(seconds) => Some(seconds),
                        // An unusable max-stale grants nothing.
                        None => Some(0),
                    },
                };
                self.max_stale = match self.max_stale {
                    None => Some(value),
                    // Duplicates: the most restrictive.
                    Some(old) => Some(match (old, value) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (Some(a), None) | (None, Some(a)) => Some(a),
                        (None, None) => None,
                    }),
                };
            }
            "no-cache" => merge_fields(&mut self.no_cache, arg),
            "private" => merge_fields(&mut self.private, arg),
            "no-store" => self.no_store = true,
            "public" => self.public = true,
            "must-revalidate" => self.must_revalidate = true,
            "proxy-revalidate" => self.proxy_revalidate = true,
            "must-understand" => self.must_understand = true,
            "no-transform" => self.no_transform = true,
            "immutable" => self.immutable = true,
            "only-if-cached" => self.only_if_cached = true,
            // §5.2.3: unrecognised directives are ignored.
            _ => {}
        }
    }
}

fn parse_seconds(arg: &str) -> Option<u64> {
    if arg.is_empty() || !arg.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits: only overflow can fail, and it saturates.
    Some(
        arg.parse::<u64>()
            .map_or(DELTA_SECONDS_MAX, |v| v.min(DELTA_SECONDS_MAX)),
    )
}

fn merge_seconds(slot: &mut Seconds, arg: Option<&str>) {
    let value = match arg.and_then(parse_seconds) {
        Some(v) => Seconds::Valid(v),
        None => Seconds::Invalid,
    };
    *slot = match *slot {
        Seconds::Absent => value,
        Seconds::Valid(old) if value == Seconds::Valid(old) => value,
        // Conflicting duplicates: §4.2.1 allows treating the response as stale.
        _ => Seconds::Invalid,
    };
}

fn merge_fields(slot: &mut FieldDirective, arg: Option<&str>) {
    let fields: Vec<String> = match arg {
        None => {
            *slot = FieldDirective::All;
            return;
        }
        Some(arg) => arg
            .split(',')
            .map(|f| f.trim().to_ascii_lowercase())
            .filter(|f| !f.is_empty())
            .collect(),
    };
    if fields.is_empty() {
        *slot = FieldDirective::All;
        return;
    }
    match slot {
        FieldDirective::All => {}
        FieldDirective::Fields(existing) => existing.extend(fields),
        FieldDirective::Absent => *slot = FieldDirective::Fields(fields),
    }
}

/// A directive's argument as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    Absent,
    Value(String),
    /// Whitespace before or after the `=`: RFC 9111 §5.2's grammar
    /// (`token [ "=" ( token / quoted-string ) ]`) has none, so the argument is
    /// not a valid one.
    Malformed,
}

/// Splits a field value into `(lower-case name, argument)` pairs, honouring quoted
/// strings (commas inside quotes do not split; `\x` escapes).
pub(crate) fn split_directives(value: &str) -> Vec<(String, Arg)> {
    split_targeted(value)
        .into_iter()
        .map(|(name, arg, _)| (name, arg))
        .collect()
}

/// [`split_directives`], keeping each directive's target: the parameter after `;`
/// (`max-age=60;edge` in `Surrogate-Control`), if any.
fn split_targeted(value: &str) -> Vec<(String, Arg, Option<String>)> {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Skip separators and whitespace.
        while i < bytes.len() && matches!(bytes[i], b',' | b' ' | b'\t') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b',' | b'=' | b';') {
            i += 1;
        }
        let raw_name = &value[start..i];
        let name = raw_name.trim().to_ascii_lowercase();
        let mut arg = Arg::Absent;
        if i < bytes.len() && bytes[i] == b'=' {
            let mut malformed = raw_name.ends_with([' ', '\t']);
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
                malformed = true;
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b'"' {
                i += 1;
                let mut text = String::new();
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    let ch_len = utf8_len(bytes[i]);
                    text.push_str(&value[i..(i + ch_len).min(bytes.len())]);
                    i += ch_len;
                }
                i += 1; // the closing quote (or the end)
                arg = Arg::Value(text);
            } else {
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b',' | b';') {
                    i += 1;
                }
                arg = Arg::Value(value[start..i].trim().to_owned());
            }
            if malformed {
                arg = Arg::Malformed;
            }
        }
        // Parameters after `;` (Surrogate-Control targeting, stray syntax): the first
        // is kept as the target.
        let params = i;
        while i < bytes.len() && bytes[i] != b',' {
            if bytes[i] == b'"' {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += 1;
                }
            }
            i += 1;
        }
        let target = value
            .get(params..i.min(bytes.len()))
            .and_then(|p| p.strip_prefix(';'))
            .and_then(|p| p.split(';').next())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if !name.is_empty() {
            out.push((name, arg, target));
        }
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn parses_names_case_insensitively_with_token_or_quoted_arguments() {
        let cc = CacheControl::parse(
            r#"Max-Age="60", S-MAXAGE=30, no-cache="Set-Cookie, X-Foo", private, x-ext="a,b", public"#,
        );
        assert_eq!(cc.max_age, Seconds::Valid(60));
        assert_eq!(cc.s_maxage, Seconds::Valid(30));
        assert_eq!(
            cc.no_cache,
            FieldDirective::Fields(vec!["set-cookie".into(), "x-foo".into()])
        );
        assert_eq!(cc.private, FieldDirective::All);
        assert!(cc.public);
    }

    #[test]
    fn merges_lines_and_treats_conflicting_duplicates_as_stale() {
        let mut headers = HeaderMap::new();
        headers.append("cache-control", HeaderValue::from_static("max-age=60"));
        headers.append(
            "cache-control",
            HeaderValue::from_static("max-age=60, must-revalidate"),
        );
        let cc = CacheControl::from_headers(&headers, &http::header::CACHE_CONTROL).unwrap();
        assert_eq!(cc.max_age, Seconds::Valid(60));
        assert!(cc.must_revalidate);
        headers.append("cache-control", HeaderValue::from_static("max-age=3600"));
        let cc = CacheControl::from_headers(&headers, &http::header::CACHE_CONTROL).unwrap();
        assert_eq!(cc.max_age.get(), Some(0));
        assert!(
            CacheControl::from_headers(&HeaderMap::new(), &http::header::CACHE_CONTROL).is_none()
        );
    }

    #[test]
    fn invalid_and_huge_delta_seconds() {
        for bad in [
            "max-age=-1",
            "max-age=1.5",
            "max-age=",
            "max-age",
            "max-age=abc",
            "max-age=\"\"",
        ] {
            assert_eq!(CacheControl::parse(bad).max_age, Seconds::Invalid, "{bad}");
        }
        assert_eq!(
            CacheControl::parse("max-age=99999999999999999999999").max_age,
            Seconds::Valid(DELTA_SECONDS_MAX)
        );
    }

    #[test]
    fn request_directives() {
        let cc = CacheControl::parse(
            "max-stale, min-fresh=5, only-if-cached, no-cache, stale-if-error=9",
        );
        assert_eq!(cc.max_stale, Some(None));
        assert_eq!(cc.min_fresh, Seconds::Valid(5));
        assert!(cc.only_if_cached);
        assert_eq!(cc.no_cache, FieldDirective::All);
        assert_eq!(cc.stale_if_error, Seconds::Valid(9));
        assert_eq!(
            CacheControl::parse("max-stale=10").max_stale,
            Some(Some(10))
        );
        assert_eq!(
            CacheControl::parse("max-stale=10,max-stale=3").max_stale,
            Some(Some(3))
        );
    }

    #[test]
    fn whitespace_around_equals_makes_the_argument_unusable() {
        for bad in [
            "max-age =100",
            "max-age= 100",
            "max-age = 100",
            "max-age\t=100",
        ] {
            assert_eq!(CacheControl::parse(bad).max_age, Seconds::Invalid, "{bad}");
        }
        // Conservative readings for the other kinds of directive.
        let cc = CacheControl::parse(r#"private= "x", no-cache ="y", max-stale= 9, no-store"#);
        assert_eq!(cc.private, FieldDirective::All);
        assert_eq!(cc.no_cache, FieldDirective::All);
        assert_eq!(cc.max_stale, Some(Some(0)));
        assert!(cc.no_store);
        assert_eq!(
            CacheControl::parse("max-age=100").max_age,
            Seconds::Valid(100)
        );
    }

    #[test]
    fn quoted_commas_and_parameters_do_not_split() {
        let cc = CacheControl::parse(r#"x="a, no-store", max-age=5;foo=bar, community="UCI""#);
        assert!(!cc.no_store);
        assert_eq!(cc.max_age, Seconds::Valid(5));
    }
}
