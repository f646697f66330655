//! Small helpers over tree-sitter nodes shared by the rules and route discovery:
//! text, traversal, and the scope facts (enclosing function, async, loops).

use tree_sitter::Node;

use crate::lang::Language;

/// No node: the parent of the root, the function around module-level code.
const NONE: u32 = u32::MAX;

/// A parsed file as the rules see it, with the facts every rule needs indexed once per
/// file: every node in source order with its kind, parent, subtree extent and enclosing
/// function, so rules read arrays instead of walking the tree or descending from the
/// root (tree-sitter's `parent()` does) again and again.
#[derive(Debug)]
pub(crate) struct Source<'a> {
    pub(crate) path: &'a str,
    pub(crate) text: &'a str,
    pub(crate) language: Language,
    pub(crate) root: Node<'a>,
    /// The lines that import modules, for [`Source::imports`].
    import_lines: Vec<&'a str>,
    /// Every node in source order (pre-order).
    nodes: Vec<Node<'a>>,
    /// Per node (same index): its kind, read once (`Node::kind` converts a C string).
    kinds: Vec<&'static str>,
    /// Per node: its start byte, for finding a node's index by binary search.
    starts: Vec<u32>,
    /// Per node: its parent's index, or `NONE` for the root.
    parents: Vec<u32>,
    /// Per node: one past the index of its last descendant (its subtree is `i..ends[i]`).
    ends: Vec<u32>,
    /// Per node: the innermost function strictly around it, or `NONE` at module level.
    functions: Vec<u32>,
    /// Hash of an assigned name → indices of the nodes that may assign it, in source order
    /// (built on first use; keyed by hash so `Source` stays covariant over `'a`: callers
    /// compare the names themselves).
    assignments: std::cell::OnceCell<std::collections::HashMap<u64, Vec<u32>>>,
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
        let capacity = text.len() / 4;
        let mut source = Source {
            path,
            text,
            language,
            root,
            import_lines,
            nodes: Vec::with_capacity(capacity),
            kinds: Vec::with_capacity(capacity),
            starts: Vec::with_capacity(capacity),
            parents: Vec::with_capacity(capacity),
            ends: Vec::with_capacity(capacity),
            functions: Vec::with_capacity(capacity),
            assignments: std::cell::OnceCell::new(),
        };
        source.index(root);
        source
    }

    /// One pre-order pass over the tree filling the per-node arrays.
    fn index(&mut self, root: Node<'a>) {
        let mut cursor = root.walk();
        let mut open: Vec<u32> = Vec::new();
        loop {
            let node = cursor.node();
            let index = self.nodes.len() as u32;
            let kind = self.language.kind_of(node);
            let parent = open.last().copied().unwrap_or(NONE);
            let function = match parent {
                NONE => NONE,
                p if is_function_kind(self.kinds[p as usize], self.language) => p,
                p => self.functions[p as usize],
            };
            self.nodes.push(node);
            self.kinds.push(kind);
            self.starts.push(node.start_byte() as u32);
            self.parents.push(parent);
            self.ends.push(index + 1);
            self.functions.push(function);
            if cursor.goto_first_child() {
                open.push(index);
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
                if let Some(done) = open.pop() {
                    self.ends[done as usize] = self.nodes.len() as u32;
                }
            }
        }
    }

    /// The index of `node` in the per-node arrays. Every node of the file's tree has one;
    /// a node of another tree has none, and the queries below treat it as absent.
    fn index_of(&self, node: Node) -> Option<usize> {
        let start = node.start_byte() as u32;
        let first = self.starts.partition_point(|s| *s < start);
        (first..self.nodes.len())
            .take_while(|i| self.starts[*i] == start)
            .find(|i| self.nodes[*i].id() == node.id())
    }

    /// Every node of one of `kinds` in the file, in source order.
    pub(crate) fn nodes_of(&self, kinds: &[&str]) -> Vec<Node<'a>> {
        self.kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| kinds.contains(k))
            .map(|(i, _)| self.nodes[i])
            .collect()
    }

    /// Descendants of `node` (including itself) of one of `kinds`, in source order.
    pub(crate) fn find_all(&self, node: Node, kinds: &[&str]) -> Vec<Node<'a>> {
        let Some(at) = self.index_of(node) else {
            return Vec::new();
        };
        (at..self.ends[at] as usize)
            .filter(|i| kinds.contains(&self.kinds[*i]))
            .map(|i| self.nodes[i])
            .collect()
    }

    /// Like [`Source::find_all`] but does not enter nested functions (their code runs at
    /// another time).
    pub(crate) fn find_in_scope(&self, node: Node, kinds: &[&str]) -> Vec<Node<'a>> {
        let Some(at) = self.index_of(node) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut i = at;
        let end = self.ends[at] as usize;
        while i < end {
            let kind = self.kinds[i];
            if i != at && is_function_kind(kind, self.language) {
                i = self.ends[i] as usize;
                continue;
            }
            if kinds.contains(&kind) {
                found.push(self.nodes[i]);
            }
            i += 1;
        }
        found
    }

    /// The ancestors of `node`, innermost first.
    pub(crate) fn ancestors(&self, node: Node) -> impl Iterator<Item = Node<'a>> + '_ {
        let mut at = self.index_of(node).map_or(NONE, |i| self.parents[i]);
        std::iter::from_fn(move || {
            let node = *self.nodes.get(at as usize)?;
            at = self.parents[at as usize];
            Some(node)
        })
    }

    /// The parent of `node` (`None` for the root).
    pub(crate) fn parent(&self, node: Node) -> Option<Node<'a>> {
        self.ancestors(node).next()
    }

    /// Whether `call` is an inner link of a method chain (`a.filter(x)` in
    /// `a.filter(x).first()`): rules look at the whole chain, from its outermost call.
    pub(crate) fn is_chain_inner(&self, call: Node) -> bool {
        let (member, call_kind) = if self.language.is_python() {
            ("attribute", "call")
        } else {
            ("member_expression", "call_expression")
        };
        self.parent(call)
            .filter(|p| p.kind() == member)
            .and_then(|p| self.parent(p))
            .is_some_and(|g| g.kind() == call_kind)
    }

    /// The innermost function around `node`, or `None` at module level.
    pub(crate) fn enclosing_function(&self, node: Node) -> Option<Node<'a>> {
        let at = self.index_of(node)?;
        self.nodes.get(self.functions[at] as usize).copied()
    }

    /// Identifiers read anywhere inside `node`.
    pub(crate) fn identifiers(&self, node: Node) -> Vec<&'a str> {
        self.find_all(
            node,
            &[
                "identifier",
                "shorthand_property_identifier",
                // `for (const { entity } of rows)`: destructured names.
                "shorthand_property_identifier_pattern",
            ],
        )
        .into_iter()
        .map(|n| self.text(n))
        .collect()
    }

    /// The nodes that may assign `name` (Python `assignment` and `with … as`; JS
    /// declarators and assignments, destructuring included) directly in `scope` (a
    /// function, or the root for module level; not in functions nested in it) before
    /// byte `before`, in source order. Callers check the target and read the value.
    pub(crate) fn assignments_in(
        &self,
        scope: Node,
        name: &str,
        before: usize,
    ) -> impl Iterator<Item = Node<'a>> + '_ {
        let scope = match scope == self.root {
            true => Some(NONE),
            false => self.index_of(scope).map(|i| i as u32),
        };
        let index = self.assignments.get_or_init(|| self.assignment_index());
        index
            .get(&xxhash_rust::xxh3::xxh3_64(name.as_bytes()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|i| *i as usize)
            .take_while(move |i| (self.starts[*i] as usize) < before)
            .filter(move |i| Some(self.functions[*i]) == scope)
            .map(|i| self.nodes[i])
    }

    fn assignment_index(&self) -> std::collections::HashMap<u64, Vec<u32>> {
        let mut index: std::collections::HashMap<u64, Vec<u32>> = std::collections::HashMap::new();
        let python = self.language.is_python();
        for (i, kind) in self.kinds.iter().enumerate() {
            let node = self.nodes[i];
            let target = match (*kind, python) {
                ("assignment", true) => node.field("left"),
                ("with_item", true) => node
                    .field("value")
                    .filter(|v| v.kind() == "as_pattern")
                    .and_then(|v| v.field("alias")),
                ("variable_declarator", false) => node.field("name"),
                ("assignment_expression", false) => node.field("left"),
                _ => None,
            };
            let Some(target) = target else { continue };
            let names = match target.kind() {
                "object_pattern" | "array_pattern" if !python => self.identifiers(target),
                _ => vec![self.text(target).trim()],
            };
            for name in names {
                let entry = index
                    .entry(xxhash_rust::xxh3::xxh3_64(name.as_bytes()))
                    .or_default();
                if entry.last() != Some(&(i as u32)) {
                    entry.push(i as u32);
                }
            }
        }
        index
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

/// A resolved field id: (grammar, field name address, name length) → id (0: no such field).
type FieldIdEntry = ((usize, usize), usize, usize, u16);

thread_local! {
    /// Field ids already resolved on this thread.
    static FIELD_IDS: std::cell::RefCell<Vec<FieldIdEntry>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `child_by_field_name` with the field's id resolved once per grammar and thread:
/// tree-sitter's own lookup compares the name with each of the grammar's field names on
/// every call, which the profile showed on every callee and argument read.
pub(crate) trait Field<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> Field<'t> for Node<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        let grammar = self.language();
        // The four grammars differ in their numbers of node kinds and fields (a test
        // checks): that tells them apart without comparing names.
        let key = (grammar.node_kind_count(), grammar.field_count());
        let (address, length) = (name.as_ptr() as usize, name.len());
        let id = FIELD_IDS.with(|ids| {
            let mut ids = ids.borrow_mut();
            if let Some(&(_, _, _, id)) = ids
                .iter()
                .find(|(g, a, l, _)| *g == key && *a == address && *l == length)
            {
                return id;
            }
            let id = grammar.field_id_for_name(name).map_or(0, |id| id.get());
            ids.push((key, address, length, id));
            id
        });
        (id != 0).then(|| self.child_by_field_id(id)).flatten()
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

pub(crate) fn is_function(node: Node, language: Language) -> bool {
    is_function_kind(node.kind(), language)
}

fn is_function_kind(kind: &str, language: Language) -> bool {
    if language.is_python() {
        matches!(kind, "function_definition" | "lambda")
    } else {
        matches!(
            kind,
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
    source.enclosing_function(node)
}

pub(crate) fn is_async(function: Node) -> bool {
    // Python's `async` can only be a definition's first token, and most JavaScript
    // functions have it there too: one child read instead of a walk over all of them
    // (rules ask this for every call).
    if function.child(0).is_some_and(|c| c.kind() == "async") {
        return true;
    }
    if function.kind() == "function_definition" {
        return false;
    }
    // JavaScript and TypeScript: after modifiers (`static`, `public`) or decorators.
    let mut cursor = function.walk();
    let found = function.children(&mut cursor).any(|c| c.kind() == "async");
    found
}

/// A function's name: its own, or the variable/property it is assigned to; methods are
/// qualified with their class.
pub(crate) fn function_name(source: &Source, function: Node) -> Option<String> {
    let own = function
        .field("name")
        .map(|n| source.text(n).to_string())
        .or_else(|| {
            let parent = source.parent(function)?;
            match parent.kind() {
                "variable_declarator"
                | "pair"
                | "assignment_expression"
                | "public_field_definition" => parent
                    .field("name")
                    .or_else(|| parent.field("key"))
                    .or_else(|| parent.field("left"))
                    .map(|n| source.text(n).to_string()),
                _ => None,
            }
        })?;
    let class = source
        .ancestors(function)
        .find(|n| matches!(n.kind(), "class_definition" | "class_declaration" | "class"))
        .and_then(|c| c.field("name"))
        .map(|n| source.text(n));
    Some(match class {
        Some(class) => format!("{class}.{own}"),
        None => own,
    })
}

/// Parameter names of a function, in order.
pub(crate) fn parameter_names(source: &Source, function: Node) -> Vec<String> {
    let params = function
        .field("parameters")
        .or_else(|| function.field("parameter"));
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
                p.field("name").or_else(|| p.named_child(0))
            }
            "required_parameter" | "optional_parameter" => p.field("pattern"),
            "assignment_pattern" => p.field("left"),
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
    source.identifiers(node)
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
    let Some(args) = call.field("arguments") else {
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
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let found = args.named_children(&mut cursor).find(|a| {
        a.kind() == "keyword_argument" && a.field("name").is_some_and(|n| source.text(n) == name)
    });
    found.and_then(|a| a.field("value"))
}

/// The callee of a call as written, without whitespace (`a.b.c`), for pattern matching;
/// borrowed from the source unless it spans whitespace.
pub(crate) fn callee<'a>(source: &Source<'a>, call: Node) -> std::borrow::Cow<'a, str> {
    let function = call.field("function").or_else(|| call.field("constructor"));
    match function {
        Some(f) => {
            let text = source.text(f);
            if text.contains(char::is_whitespace) {
                std::borrow::Cow::Owned(text.chars().filter(|c| !c.is_whitespace()).collect())
            } else {
                std::borrow::Cow::Borrowed(text)
            }
        }
        None => std::borrow::Cow::Borrowed(""),
    }
}

/// The last segment of a dotted callee (`a.b.c` → `c`).
pub(crate) fn method_name(callee: &str) -> &str {
    callee.rsplit(['.', '?']).next().unwrap_or(callee)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-node index must answer exactly what walking the tree answers.
    fn check_index_against_tree(path: &str, language: Language) {
        let text = std::fs::read_to_string(path).unwrap();
        let mut parsers = crate::lang::Parsers::new();
        let tree = parsers.parse(language, &text).unwrap();
        let source = Source::new(path, &text, language, tree.root_node());
        let mut all = Vec::new();
        walk(tree.root_node(), &mut |n| all.push(n));
        assert_eq!(all.len(), source.nodes.len());
        for (i, node) in all.into_iter().enumerate() {
            assert_eq!(source.kinds[i], node.kind(), "kind of {node:?}");
            assert_eq!(source.parent(node), node.parent(), "parent of {node:?}");
            let mut up = node.parent();
            while let Some(n) = up.filter(|n| !is_function(*n, language)) {
                up = n.parent();
            }
            assert_eq!(source.enclosing_function(node), up, "function of {node:?}");
            let expected = find_all(node, &["identifier", "call", "call_expression"]);
            assert_eq!(
                source.find_all(node, &["identifier", "call", "call_expression"]),
                expected
            );
            let mut in_scope = Vec::new();
            collect_in_scope(node, language, &["call", "call_expression"], &mut in_scope);
            assert_eq!(
                source.find_in_scope(node, &["call", "call_expression"]),
                in_scope
            );
        }
    }

    fn collect_in_scope<'t>(
        node: Node<'t>,
        language: Language,
        kinds: &[&str],
        found: &mut Vec<Node<'t>>,
    ) {
        if kinds.contains(&node.kind()) {
            found.push(node);
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if !is_function(child, language) {
                collect_in_scope(child, language, kinds, found);
            }
        }
    }

    /// `Field::field` tells the grammars apart by their kind and field counts.
    #[test]
    fn grammars_differ_in_kind_and_field_counts() {
        let keys: std::collections::HashSet<(usize, usize)> = [
            Language::Python,
            Language::JavaScript,
            Language::TypeScript,
            Language::Tsx,
        ]
        .into_iter()
        .map(|l| (l.grammar().node_kind_count(), l.grammar().field_count()))
        .collect();
        assert_eq!(keys.len(), 4);
    }

    /// Cached field ids find what tree-sitter's name lookup finds, in every grammar.
    #[test]
    fn field_matches_child_by_field_name() {
        let mut parsers = crate::lang::Parsers::new();
        let mut checked = 0;
        for (path, language) in [
            (
                "tests/fixtures/python/django/api/views.py",
                Language::Python,
            ),
            (
                "tests/fixtures/typescript/nestjs/users.controller.ts",
                Language::TypeScript,
            ),
        ] {
            let text = std::fs::read_to_string(path).unwrap();
            let tree = parsers.parse(language, &text).unwrap();
            walk(tree.root_node(), &mut |n| {
                for name in [
                    "name",
                    "body",
                    "function",
                    "arguments",
                    "left",
                    "value",
                    "object",
                ] {
                    assert_eq!(
                        n.field(name),
                        n.child_by_field_name(name),
                        "{name} of {n:?}"
                    );
                    checked += usize::from(n.field(name).is_some());
                }
            });
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn node_index_matches_the_tree_python() {
        check_index_against_tree(
            "tests/fixtures/python/django/api/views.py",
            Language::Python,
        );
    }

    #[test]
    fn node_index_matches_the_tree_typescript() {
        check_index_against_tree(
            "tests/fixtures/typescript/nestjs/users.controller.ts",
            Language::TypeScript,
        );
    }
}
