//! Where each value sits in the YAML text, so checks made after deserialization
//! (cross-references, semantic rules) can still point at `file:line:column`.
//!
//! Paths are written the way serde_yaml_ng writes them in its own errors:
//! `upstreams.api.servers[0].address`, `routes[2].upstream`.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// Locations of every key and value in a document, by path.
#[derive(Debug, Default)]
pub struct Locations {
    by_path: HashMap<String, Location>,
}

impl Locations {
    /// Indexes `text`; a document that does not parse yields an empty index
    /// (serde_yaml_ng reports the syntax error with its own location).
    pub fn index(text: &str) -> Self {
        let mut builder = Builder::default();
        let _ = Parser::new_from_str(text).load(&mut builder, false);
        Locations {
            by_path: builder.by_path,
        }
    }

    /// The location of `path` itself, when it is written in the text.
    pub fn exact(&self, path: &str) -> Option<Location> {
        self.by_path.get(path).copied()
    }

    /// The location of `path`, or of its nearest ancestor that appears in the text
    /// (a defaulted field has no location of its own).
    pub fn find(&self, path: &str) -> Option<Location> {
        let mut path = path;
        loop {
            if let Some(location) = self.by_path.get(path) {
                return Some(*location);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

/// Finds the first flow collection (`[…]`, `{…}`) nested deeper than `max_depth`
/// with a linear scan of the text, before any YAML parser sees it: parsers take time
/// quadratic in the depth of a hostile document (`[[[[…`), and even reading its first
/// event makes yaml-rust2 scan all of it. Quoted strings and comments are skipped; a
/// bracket counts only where a flow collection can start (after `:`, `-`, `,`, `[`,
/// `{` or at the start of a line). Block nesting needs indentation, so the file-size
/// limit bounds it.
pub(crate) fn too_deep(text: &str, max_depth: usize) -> Option<Location> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    // The last character that was not white space, on this line.
    let mut previous: Option<char> = None;
    let mut before = ' ';
    for c in text.chars() {
        let after_space = before.is_whitespace();
        before = c;
        column += 1;
        if c == '\n' {
            (line, column, comment, previous) = (line + 1, 0, false, None);
            continue;
        }
        if comment {
            continue;
        }
        if let Some(open) = quote {
            if escaped {
                escaped = false;
            } else if open == '"' && c == '\\' {
                escaped = true;
            } else if c == open {
                quote = None;
            }
            previous = Some(c);
            continue;
        }
        match c {
            '#' if after_space => comment = true,
            '\'' | '"' => quote = Some(c),
            '[' | '{' if matches!(previous, None | Some(':' | '-' | ',' | '[' | '{')) => {
                depth += 1;
                if depth > max_depth {
                    return Some(Location { line, column });
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !c.is_whitespace() {
            previous = Some(c);
        }
    }
    None
}

enum Frame {
    /// In a mapping; `key` is set while its value is being read.
    Mapping {
        path: String,
        key: Option<String>,
    },
    Sequence {
        path: String,
        next: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    by_path: HashMap<String, Location>,
}

impl Builder {
    /// The path a new node at this point of the stream has, or `None` when the
    /// node is a mapping key.
    fn next_node_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Mapping { key: None, .. }) => None,
            Some(Frame::Mapping {
                path,
                key: Some(key),
            }) => {
                let key = std::mem::take(key);
                let joined = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                    *key = None;
                }
                Some(joined)
            }
            Some(Frame::Sequence { path, next }) => {
                let joined = format!("{path}[{next}]");
                *next += 1;
                Some(joined)
            }
        }
    }

    fn record(&mut self, path: &str, mark: Marker) {
        self.by_path
            .entry(path.to_owned())
            .or_insert_with(|| location(&mark));
    }
}

fn location(mark: &Marker) -> Location {
    Location {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => match self.next_node_path() {
                None => {
                    // A mapping key: remember it, and point the value's path at the key.
                    // The first key also locates the mapping itself: a block mapping's
                    // start event is marked only after its first key has been scanned.
                    if let Some(Frame::Mapping { path, key }) = self.stack.last_mut() {
                        let mapping = path.clone();
                        let full = if path.is_empty() {
                            value.clone()
                        } else {
                            format!("{path}.{value}")
                        };
                        *key = Some(value);
                        self.record(&mapping, mark);
                        self.record(&full, mark);
                    }
                }
                Some(path) => self.record(&path, mark),
            },
            Event::MappingStart(..) => {
                let path = self.next_node_path().unwrap_or_default();
                self.stack.push(Frame::Mapping { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.next_node_path().unwrap_or_default();
                self.record(&path, mark);
                self.stack.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Alias(_) => {
                self.next_node_path();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Location, Locations};

    #[test]
    fn finds_nested_keys_and_sequence_items() {
        let text = "server:\n  listen: 0.0.0.0:80\nroutes:\n  - upstream: a\n  - path_prefix: /x\n    upstream: b\n";
        let index = Locations::index(text);
        assert_eq!(
            index.find("server.listen"),
            Some(Location { line: 2, column: 3 })
        );
        assert_eq!(
            index.find("routes[1].upstream"),
            Some(Location { line: 6, column: 5 })
        );
        // A field that is absent falls back to its parent.
        assert_eq!(
            index.find("routes[0].strip_prefix"),
            Some(Location { line: 4, column: 5 })
        );
    }
}
