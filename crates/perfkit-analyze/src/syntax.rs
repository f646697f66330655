//! Small helpers over tree-sitter nodes shared by the rules and route discovery:
//! text, traversal, and the scope facts (enclosing function, async, loops).

use tree_sitter::Node;

use crate::lang::Language;

/// A parsed file as the rules see it.
#[derive(Debug)]
pub(crate) struct Source<'a> {
    pub(crate) path: &'a str,
    pub(crate) text: &'a str,
    pub(crate) language: Language,
    pub(crate) root: Node<'a>,
    /// The lines that import modules, for [`Source::imports`].
    import_lines: Vec<&'a str>,
    /// Every node in source order: rules scan this instead of walking the tree again.
    nodes: Vec<Node<'a>>,
}

impl<'a> Source<'a> {
    pub(crate) fn new(
        path: &'a str,
        text: &'a str,
        language: Language,
        root: Node<'a>,
    ) -> Source<'a> {
        let import_lines = text
            .lines()
            .map(str::trim_start)
            .filter(|line| {
                if language.is_python() {
                    line.starts_with("import ") || line.starts_with("from ")
                } else {
                    line.starts_with("import ")
                        || line.contains("require(")
                        || line.starts_with("} from ")
                        || line.contains(" from '")
                        || line.contains(" from \"")
                }
            })
            .collect();
        let mut nodes = Vec::new();
        walk(root, &mut |n| nodes.push(n));
        Source {
            path,
            text,
            language,
            root,
            import_lines,
            nodes,
        }
    }

    /// Every node of one of `kinds` in the file, in source order.
    pub(crate) fn nodes_of(&self, kinds: &[&str]) -> Vec<Node<'a>> {
        self.nodes
            .iter()
            .copied()
            .filter(|n| kinds.contains(&n.kind()))
            .collect()
    }

    pub(crate) fn text(&self, node: Node) -> &'a str {
        &self.text[node.byte_range()]
    }

    /// Whether the file imports a module whose name contains (Python) or starts with
    /// (JS, `@scope/` allowed) `module`.
    pub(crate) fn imports(&self, module: &str) -> bool {
        if self.language.is_python() {
            self.import_lines.iter().any(|line| line.contains(module))
        } else {
            self.import_lines.iter().any(|line| {
                ['\'', '"'].iter().any(|q| {
                    line.contains(&format!("{q}{module}"))
                        || line.contains(&format!("{q}@{module}"))
                })
            })
        }
    }
}

/// Visits `node` and its descendants in source order.
pub(crate) fn walk<'t>(node: Node<'t>, visit: &mut impl FnMut(Node<'t>)) {
    let mut cursor = node.walk();
    let mut descending = true;
    loop {
        if descending {
            visit(cursor.node());
            if cursor.goto_first_child() {
                continue;
            }
        }
        if cursor.node() == node {
            return;
        }
        if cursor.goto_next_sibling() {
            descending = true;
        } else if cursor.goto_parent() {
            if cursor.node() == node {
                return;
            }
            descending = false;
        } else {
            return;
        }
    }
}

/// Descendants of `node` (including itself) of one of `kinds`, in source order.
pub(crate) fn find_all<'t>(node: Node<'t>, kinds: &[&str]) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    walk(node, &mut |n| {
        if kinds.contains(&n.kind()) {
            found.push(n);
        }
    });
    found
}

/// Like [`find_all`] but does not enter nested functions (their code runs at another time).
pub(crate) fn find_in_scope<'t>(
    node: Node<'t>,
    language: Language,
    kinds: &[&str],
) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    collect_in_scope(node, language, kinds, &mut found, true);
    found
}

fn collect_in_scope<'t>(
    node: Node<'t>,
    language: Language,
    kinds: &[&str],
    found: &mut Vec<Node<'t>>,
    top: bool,
) {
    if !top && is_function(node, language) {
        return;
    }
    if kinds.contains(&node.kind()) {
        found.push(node);
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_in_scope(child, language, kinds, found, false);
    }
}

/// The ancestors of `node`, innermost first. One descent from the root (tree-sitter's
/// `parent()` walks down from the root on every call).
pub(crate) fn ancestors<'t>(root: Node<'t>, node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut path = Vec::new();
    let mut current = root;
    while current.id() != node.id() {
        path.push(current);
        match current.child_with_descendant(node) {
            Some(child) if child.id() != current.id() => current = child,
            _ => break,
        }
    }
    path.into_iter().rev()
}

pub(crate) fn is_function(node: Node, language: Language) -> bool {
    if language.is_python() {
        matches!(node.kind(), "function_definition" | "lambda")
    } else {
        matches!(
            node.kind(),
            "function_declaration"
                | "function_expression"
                | "function"
                | "arrow_function"
                | "method_definition"
                | "generator_function_declaration"
                | "generator_function"
        )
    }
}

/// The innermost function around `node`, or `None` at module level.
pub(crate) fn enclosing_function<'t>(source: &Source<'t>, node: Node<'t>) -> Option<Node<'t>> {
    ancestors(source.root, node).find(|n| is_function(*n, source.language))
}

pub(crate) fn is_async(function: Node) -> bool {
    let mut cursor = function.walk();
    let found = function.children(&mut cursor).any(|c| c.kind() == "async");
    found
}

/// A function's name: its own, or the variable/property it is assigned to; methods are
/// qualified with their class.
pub(crate) fn function_name(source: &Source, function: Node) -> Option<String> {
    let own = function
        .child_by_field_name("name")
        .map(|n| source.text(n).to_string())
        .or_else(|| {
            let parent = function.parent()?;
            match parent.kind() {
                "variable_declarator"
                | "pair"
                | "assignment_expression"
                | "public_field_definition" => parent
                    .child_by_field_name("name")
                    .or_else(|| parent.child_by_field_name("key"))
                    .or_else(|| parent.child_by_field_name("left"))
                    .map(|n| source.text(n).to_string()),
                _ => None,
            }
        })?;
    let class = ancestors(source.root, function)
        .find(|n| matches!(n.kind(), "class_definition" | "class_declaration" | "class"))
        .and_then(|c| c.child_by_field_name("name"))
        .map(|n| source.text(n));
    Some(match class {
        Some(class) => format!("{class}.{own}"),
        None => own,
    })
}

/// Parameter names of a function, in order.
pub(crate) fn parameter_names(source: &Source, function: Node) -> Vec<String> {
    let params = function
        .child_by_field_name("parameters")
        .or_else(|| function.child_by_field_name("parameter"));
    let Some(params) = params else {
        return Vec::new();
    };
    if params.kind() == "identifier" {
        return vec![source.text(params).to_string()];
    }
    let mut names = Vec::new();
    let mut cursor = params.walk();
    for p in params.named_children(&mut cursor) {
        let name = match p.kind() {
            "identifier" => Some(p),
            "typed_parameter" | "default_parameter" | "typed_default_parameter" => {
                p.child_by_field_name("name").or_else(|| p.named_child(0))
            }
            "required_parameter" | "optional_parameter" => p.child_by_field_name("pattern"),
            "assignment_pattern" => p.child_by_field_name("left"),
            _ => None,
        };
        if let Some(name) = name.filter(|n| n.kind() == "identifier") {
            names.push(source.text(name).to_string());
        }
    }
    names
}

/// Identifiers read anywhere inside `node`.
pub(crate) fn identifiers<'s>(source: &Source<'s>, node: Node) -> Vec<&'s str> {
    let mut names = Vec::new();
    walk(node, &mut |n| {
        if matches!(n.kind(), "identifier" | "shorthand_property_identifier") {
            names.push(source.text(n));
        }
    });
    names
}

/// Whether `node` is a string literal without interpolation.
pub(crate) fn is_plain_string(source: &Source, node: Node) -> bool {
    match node.kind() {
        "string" => {
            if source.language.is_python() {
                let text = source.text(node);
                let prefix: String = text
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                !prefix.to_ascii_lowercase().contains('f')
            } else {
                true
            }
        }
        "concatenated_string" => true,
        "template_string" => find_all(node, &["template_substitution"]).is_empty(),
        _ => false,
    }
}

/// The string content of a literal (quotes and Python prefixes removed).
pub(crate) fn string_value(source: &Source, node: Node) -> Option<String> {
    if !is_plain_string(source, node) && node.kind() != "string" {
        return None;
    }
    let text = source.text(node);
    let text = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    for quote in ["\"\"\"", "'''", "\"", "'", "`"] {
        if text.len() >= 2 * quote.len() && text.starts_with(quote) && text.ends_with(quote) {
            return Some(text[quote.len()..text.len() - quote.len()].to_string());
        }
    }
    None
}

/// The positional arguments of a call (keyword arguments and comments skipped).
pub(crate) fn call_arguments(call: Node) -> Vec<Node> {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = args.walk();
    let list: Vec<Node> = args
        .named_children(&mut cursor)
        .filter(|a| !matches!(a.kind(), "keyword_argument" | "comment"))
        .collect();
    list
}

/// A keyword argument's value (Python `f(name=value)`).
pub(crate) fn keyword_argument<'t>(
    source: &Source,
    call: Node<'t>,
    name: &str,
) -> Option<Node<'t>> {
    let args = call.child_by_field_name("arguments")?;
    let mut cursor = args.walk();
    let found = args.named_children(&mut cursor).find(|a| {
        a.kind() == "keyword_argument"
            && a.child_by_field_name("name")
                .is_some_and(|n| source.text(n) == name)
    });
    found.and_then(|a| a.child_by_field_name("value"))
}

/// The callee of a call as written, without whitespace (`a.b.c`), for pattern matching.
pub(crate) fn callee(source: &Source, call: Node) -> String {
    let function = call
        .child_by_field_name("function")
        .or_else(|| call.child_by_field_name("constructor"));
    match function {
        Some(f) => source
            .text(f)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
        None => String::new(),
    }
}

/// The last segment of a dotted callee (`a.b.c` → `c`).
pub(crate) fn method_name(callee: &str) -> &str {
    callee.rsplit(['.', '?']).next().unwrap_or(callee)
}
