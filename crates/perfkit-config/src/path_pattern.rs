//! Route path patterns (`/users/{id}`, `/files/{path...}`, `/static/*`) and the cache
//! tag templates filled from their captures (`user:{id}`).
//!
//! A pattern is a sequence of `/`-separated segments, each one of:
//! - a literal (`users`), matched exactly (case-sensitive);
//! - `{name}`, which captures one non-empty segment;
//! - `{name...}` or `*`, last only: captures the rest of the path (zero or more
//!   segments, `/` included; `*` captures it unnamed).
//!
//! A pattern matches a whole path (not a prefix); the query string is not part of
//! it. The config keeps them as text and its rules parse them, so an error names
//! the field (`routes[2].path`) with its file, line and column.

use std::fmt;

/// One segment of a [`PathPattern`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    /// `{name}`: one non-empty segment.
    Param(String),
    /// `{name...}` or `*` (name `None`): the rest of the path.
    Rest(Option<String>),
}

/// A parsed route path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    text: String,
    segments: Vec<Segment>,
}

impl PathPattern {
    /// Parses `text`; the message says what is wrong and how to write it.
    pub fn parse(text: &str) -> Result<PathPattern, String> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!("`{text}` must start with `/`"));
        };
        let parts: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        let mut segments = Vec::with_capacity(parts.len());
        let mut names: Vec<&str> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let segment = if *part == "*" {
                Segment::Rest(None)
            } else if let Some(inner) = part.strip_prefix('{') {
                let Some(inner) = inner.strip_suffix('}') else {
                    return Err(format!(
                        "`{part}` in `{text}` opens `{{` without closing it; write `{{name}}`"
                    ));
                };
                let (name, rest) = match inner.strip_suffix("...") {
                    Some(name) => (name, true),
                    None => (inner, false),
                };
                if !is_name(name) {
                    return Err(format!(
                        "`{part}` in `{text}`: a capture name is letters, digits and `_`"
                    ));
                }
                if names.contains(&name) {
                    return Err(format!("`{{{name}}}` is captured twice in `{text}`"));
                }
                names.push(name);
                if rest {
                    Segment::Rest(Some(name.to_owned()))
                } else {
                    Segment::Param(name.to_owned())
                }
            } else {
                if part.contains(['{', '}', '*']) {
                    return Err(format!(
                        "`{part}` in `{text}`: a capture is a whole segment (`/{{name}}`), and `*` only stands alone"
                    ));
                }
                if part.is_empty() && !last {
                    return Err(format!("`{text}` has an empty segment (`//`)"));
                }
                Segment::Literal((*part).to_owned())
            };
            if matches!(segment, Segment::Rest(_)) && !last {
                return Err(format!(
                    "`{part}` in `{text}` captures the rest of the path, so it must be the last segment"
                ));
            }
            segments.push(segment);
        }
        Ok(PathPattern {
            text: text.to_owned(),
            segments,
        })
    }

    /// The pattern as written (the route's label in metrics).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The names this pattern captures, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) | Segment::Rest(Some(name)) => Some(name.as_str()),
            _ => None,
        })
    }

    /// Whether `path` (without query) matches; allocates nothing.
    pub fn matches(&self, path: &str) -> bool {
        self.walk(path, |_, _| {})
    }

    /// The captured values by name, when `path` matches.
    pub fn captures<'p>(&self, path: &'p str) -> Option<Vec<(&str, &'p str)>> {
        let mut found = Vec::new();
        self.walk(path, |name, value| found.push((name, value)))
            .then_some(found)
    }

    fn walk<'s, 'p>(&'s self, path: &'p str, mut capture: impl FnMut(&'s str, &'p str)) -> bool {
        let Some(mut rest) = path.strip_prefix('/') else {
            return false;
        };
        if self.segments.is_empty() {
            return rest.is_empty();
        }
        for (i, segment) in self.segments.iter().enumerate() {
            if let Segment::Rest(name) = segment {
                if let Some(name) = name {
                    capture(name, rest);
                }
                return true;
            }
            let (part, after) = match rest.find('/') {
                Some(at) => (&rest[..at], Some(&rest[at + 1..])),
                None => (rest, None),
            };
            match segment {
                Segment::Literal(literal) if literal == part => {}
                Segment::Param(name) if !part.is_empty() => capture(name, part),
                _ => return false,
            }
            let last = i + 1 == self.segments.len();
            match (after, last) {
                (None, last) => return last,
                (Some(_), true) => return false,
                (Some(after), false) => rest = after,
            }
        }
        false
    }

    /// How specific the pattern is, for ordering routes: literal segments beat
    /// captures, which beat a rest capture, segment by segment; then longer first.
    pub fn specificity(&self) -> Vec<u8> {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(_) => 2,
                Segment::Param(_) => 1,
                Segment::Rest(_) => 0,
            })
            .collect()
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A cache tag with `{name}` placeholders filled from a route pattern's captures:
/// `user:{id}`. `{{` and `}}` stand for literal braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagTemplate {
    text: String,
    parts: Vec<TagPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TagPart {
    Text(String),
    Capture(String),
}

impl TagTemplate {
    pub fn parse(text: &str) -> Result<TagTemplate, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed || !is_name(&name) {
                        return Err(format!(
                            "`{text}`: `{{{name}` is not a placeholder; write `{{name}}` with a capture of the route's `path`, or `{{{{` for a brace"
                        ));
                    }
                    if !literal.is_empty() {
                        parts.push(TagPart::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(TagPart::Capture(name));
                }
                '}' => {
                    return Err(format!(
                        "`{text}` has a `}}` without `{{`; write `}}}}` for a brace"
                    ))
                }
                c if c.is_whitespace() || c.is_control() => {
                    return Err(format!(
                    "`{text}`: a tag has no spaces (tags are space-separated in `Surrogate-Key`)"
                ))
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(TagPart::Text(literal));
        }
        if parts.is_empty() {
            return Err("a tag cannot be empty".into());
        }
        Ok(TagTemplate {
            text: text.to_owned(),
            parts,
        })
    }

    /// The placeholders' names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            TagPart::Capture(name) => Some(name.as_str()),
            TagPart::Text(_) => None,
        })
    }

    /// The tag for these captures; `None` when a placeholder has no value or the
    /// value would make a tag with a space.
    pub fn render(&self, captures: &[(&str, &str)]) -> Option<String> {
        let mut tag = String::new();
        for part in &self.parts {
            match part {
                TagPart::Text(text) => tag.push_str(text),
                TagPart::Capture(name) => {
                    let (_, value) = captures.iter().find(|(n, _)| n == name)?;
                    tag.push_str(value);
                }
            }
        }
        (!tag.is_empty() && !tag.contains(|c: char| c.is_whitespace() || c.is_control()))
            .then_some(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> PathPattern {
        PathPattern::parse(text).unwrap()
    }

    #[test]
    fn literal_and_param_segments_match_whole_paths() {
        let users = pattern("/users/{id}");
        assert!(users.matches("/users/42"));
        assert!(!users.matches("/users/"));
        assert!(!users.matches("/users"));
        assert!(!users.matches("/users/42/posts"));
        assert!(!users.matches("/user/42"));
        assert_eq!(users.captures("/users/42"), Some(vec![("id", "42")]));

        let posts = pattern("/users/{id}/posts/{post}");
        assert_eq!(
            posts.captures("/users/7/posts/9"),
            Some(vec![("id", "7"), ("post", "9")])
        );
        assert!(!posts.matches("/users/7/posts"));

        let root = pattern("/");
        assert!(root.matches("/"));
        assert!(!root.matches("/x"));

        let slash = pattern("/docs/");
        assert!(slash.matches("/docs/"));
        assert!(!slash.matches("/docs"));
    }

    #[test]
    fn rest_captures_take_the_remaining_path() {
        let files = pattern("/files/{path...}");
        assert_eq!(
            files.captures("/files/a/b.txt"),
            Some(vec![("path", "a/b.txt")])
        );
        assert_eq!(files.captures("/files/"), Some(vec![("path", "")]));
        assert!(!files.matches("/filesx/a"));
        let star = pattern("/static/*");
        assert!(star.matches("/static/css/site.css"));
        assert_eq!(star.captures("/static/x"), Some(vec![]));
        assert!(!star.matches("/other/x"));
    }

    #[test]
    fn malformed_patterns_say_why() {
        for (text, expected) in [
            ("users/{id}", "must start with `/`"),
            ("/users/{id", "without closing"),
            ("/users/{}", "capture name"),
            ("/users/{i-d}", "capture name"),
            ("/a/{id}/b/{id}", "captured twice"),
            ("/a/{rest...}/b", "must be the last segment"),
            ("/a/*/b", "must be the last segment"),
            ("/a/x{id}", "whole segment"),
            ("/a//b", "empty segment"),
        ] {
            let err = PathPattern::parse(text).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn more_literal_patterns_are_more_specific() {
        assert!(pattern("/users/me").specificity() > pattern("/users/{id}").specificity());
        assert!(pattern("/users/{id}/x").specificity() > pattern("/users/{id...}").specificity());
    }

    #[test]
    fn tag_templates_fill_from_captures() {
        let template = TagTemplate::parse("user:{id}").unwrap();
        assert_eq!(template.names().collect::<Vec<_>>(), ["id"]);
        assert_eq!(template.render(&[("id", "42")]).as_deref(), Some("user:42"));
        assert_eq!(template.render(&[]), None);
        let braces = TagTemplate::parse("{{x}}-{a}{b}").unwrap();
        assert_eq!(
            braces.render(&[("a", "1"), ("b", "2")]).as_deref(),
            Some("{x}-12")
        );
        for bad in ["user:{", "user:{id", "a}b", "has space", "", "{a-b}"] {
            assert!(TagTemplate::parse(bad).is_err(), "{bad}");
        }
    }
}
