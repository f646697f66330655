//! The languages we parse, chosen by file extension.

use std::path::Path;

use serde::Serialize;

/// A source language with a tree-sitter grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
}

impl Language {
    /// The language of a file, from its extension; `None` for files we do not analyze.
    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "py" => Language::Python,
            "js" | "jsx" | "mjs" | "cjs" => Language::JavaScript,
            "ts" | "mts" | "cts" => {
                if path.to_str().is_some_and(|p| p.ends_with(".d.ts")) {
                    return None;
                }
                Language::TypeScript
            }
            "tsx" => Language::Tsx,
            _ => return None,
        })
    }

    pub(crate) fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }

    /// Node kind names by kind id (`Node::kind_id`), read from the grammar once per
    /// process: `Node::kind` finds and UTF-8-checks a C string on every call, which the
    /// per-file node index would otherwise do for every node.
    pub(crate) fn kind_names(self) -> &'static [&'static str] {
        static TABLES: [std::sync::OnceLock<Vec<&'static str>>; 4] = [
            std::sync::OnceLock::new(),
            std::sync::OnceLock::new(),
            std::sync::OnceLock::new(),
            std::sync::OnceLock::new(),
        ];
        let slot = match self {
            Language::Python => 0,
            Language::JavaScript => 1,
            Language::TypeScript => 2,
            Language::Tsx => 3,
        };
        TABLES[slot].get_or_init(|| {
            let grammar = self.grammar();
            (0..grammar.node_kind_count())
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| grammar.node_kind_for_id(id))
                        .unwrap_or("")
                })
                .collect()
        })
    }

    /// The kind of `node` (same as `node.kind()`), through [`Language::kind_names`].
    pub(crate) fn kind_of(self, node: tree_sitter::Node) -> &'static str {
        match self.kind_names().get(usize::from(node.kind_id())) {
            Some(kind) if !kind.is_empty() => kind,
            // Ids past the table (ERROR and friends) and holes: ask tree-sitter.
            _ => node.kind(),
        }
    }

    pub fn is_python(self) -> bool {
        self == Language::Python
    }

    /// The line-comment marker, for suppression comments and fixture labels.
    pub fn comment(self) -> &'static str {
        if self.is_python() {
            "#"
        } else {
            "//"
        }
    }
}

/// One parser per language, reused across files on one thread.
pub(crate) struct Parsers {
    parsers: Vec<(Language, tree_sitter::Parser)>,
}

impl std::fmt::Debug for Parsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parsers").finish_non_exhaustive()
    }
}

impl Parsers {
    pub(crate) fn new() -> Parsers {
        Parsers {
            parsers: Vec::new(),
        }
    }

    /// Parses `text`; `None` only if the grammar cannot be loaded (an ABI mismatch, a build error).
    pub(crate) fn parse(&mut self, language: Language, text: &str) -> Option<tree_sitter::Tree> {
        let index = match self.parsers.iter().position(|(l, _)| *l == language) {
            Some(index) => index,
            None => {
                let mut parser = tree_sitter::Parser::new();
                parser.set_language(&language.grammar()).ok()?;
                self.parsers.push((language, parser));
                self.parsers.len() - 1
            }
        };
        self.parsers[index].1.parse(text, None)
    }
}
