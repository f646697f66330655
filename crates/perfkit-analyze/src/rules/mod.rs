//! The rule engine: each language module walks a parsed file once per rule family and
//! reports raw findings through [`Ctx`]; the engine turns them into [`Finding`]s.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::finding::RuleId;
use crate::handlers::{Framework, Handler};
use crate::syntax::{self, Field, Source};

mod js;
mod python;
pub(crate) mod python_project;

pub(crate) use python_project::ProjectIndex;

/// A finding before severity, fingerprint and suppression are applied.
#[derive(Debug, Clone)]
pub(crate) struct RawFinding {
    pub(crate) rule: RuleId,
    pub(crate) start: tree_sitter::Point,
    pub(crate) end: tree_sitter::Point,
    pub(crate) start_byte: usize,
    pub(crate) end_byte: usize,
    pub(crate) function: Option<String>,
    pub(crate) message: String,
    pub(crate) fix: String,
}

/// What a rule can ask about the file it is looking at.
pub(crate) struct Ctx<'s, 't> {
    pub(crate) src: &'s Source<'t>,
    pub(crate) handlers: &'s [Handler],
    /// The framework the file uses, for fix examples.
    pub(crate) framework: Option<Framework>,
    /// Python: local name → imported dotted name (`sleep` → `time.sleep`).
    pub(crate) imports: HashMap<String, String>,
    /// Python: the analysed tree's functions that do I/O, across files (none for one text).
    pub(crate) project: Option<&'s ProjectIndex>,
    pub(crate) out: Vec<RawFinding>,
}

impl std::fmt::Debug for Ctx<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("path", &self.src.path)
            .finish_non_exhaustive()
    }
}

impl<'s, 't> Ctx<'s, 't> {
    pub(crate) fn text(&self, node: Node) -> &'t str {
        self.src.text(node)
    }

    /// The handler whose body contains `node` (closures inside a handler count).
    pub(crate) fn handler_of(&self, node: Node) -> Option<&'s Handler> {
        let at = node.start_byte();
        self.handlers
            .iter()
            .filter(|h| h.range.contains(&at))
            .min_by_key(|h| h.range.len())
    }

    pub(crate) fn report(&mut self, rule: RuleId, node: Node, message: String, fix: &str) {
        if self
            .out
            .iter()
            .any(|f| f.rule == rule && f.start_byte == node.start_byte())
        {
            return;
        }
        let function = syntax::enclosing_function(self.src, node)
            .and_then(|f| named_function(self.src, f))
            .or_else(|| self.handler_of(node).map(|h| h.name.clone()));
        self.out.push(RawFinding {
            rule,
            start: node.start_position(),
            end: node.end_position(),
            start_byte: node.start_byte(),
            end_byte: node.end_byte(),
            function,
            message,
            fix: fix.to_string(),
        });
    }

    /// The callee with its first segment expanded through the file's imports.
    pub(crate) fn resolved_callee(&self, call: Node) -> String {
        let callee = syntax::callee(self.src, call);
        let (head, rest) = match callee.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (callee.as_ref(), None),
        };
        match (self.imports.get(head), rest) {
            (Some(full), Some(rest)) => format!("{full}.{rest}"),
            (Some(full), None) => full.clone(),
            (None, _) => callee.into_owned(),
        }
    }
}

/// Whether `node` runs per request: inside a handler, or in a function of this file that
/// a handler calls by name.
pub(crate) fn runs_per_request(ctx: &Ctx, node: Node) -> bool {
    if ctx.handler_of(node).is_some() {
        return true;
    }
    let Some(function) = syntax::enclosing_function(ctx.src, node) else {
        return false;
    };
    let Some(name) = function.field("name").map(|n| ctx.text(n)) else {
        return false;
    };
    ctx.handlers.iter().any(|h| {
        let body = &ctx.src.text[h.range.clone()];
        body.match_indices(name).any(|(at, _)| {
            let before = body[..at].chars().next_back();
            let after = body[at + name.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && after == Some('(')
        })
    })
}

/// Where `node` runs per request, as a key (the handler's or the function's start): in a
/// handler, in a function a handler calls, or in a method of a Django class-based view
/// (every method of a `View` subclass — `form_valid`, `get_context_data` — runs inside
/// the request that dispatched to it).
pub(crate) fn request_scope(ctx: &Ctx, node: Node) -> Option<usize> {
    if let Some(handler) = ctx.handler_of(node) {
        return Some(handler.range.start);
    }
    let function = syntax::enclosing_function(ctx.src, node)?;
    if runs_per_request(ctx, node) || is_django_view_method(ctx, function) {
        return Some(function.start_byte());
    }
    None
}

/// A method of a class whose bases name a Django view or view mixin, in a Django module.
fn is_django_view_method(ctx: &Ctx, function: Node) -> bool {
    if !ctx.src.language.is_python() || !ctx.src.imports("django") {
        return false;
    }
    let Some(class) = ctx
        .src
        .ancestors(function)
        .find(|a| a.kind() == "class_definition")
    else {
        return false;
    };
    // Only the class's own methods, not functions nested in them.
    if syntax::enclosing_function(ctx.src, function).is_some() {
        return false;
    }
    // Mixins count only in a views module: forms and models have mixins too.
    let views_module = ctx.src.path.contains("views");
    class.field("superclasses").is_some_and(|bases| {
        let bases = ctx.text(bases);
        bases.contains("View") || views_module && bases.contains("Mixin")
    })
}

/// Slow work `sync-heavy-handler` reports, at most once per handler and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Heavy {
    Email,
    Pdf,
    Image,
    Export,
    Upload,
}

/// `sync-heavy-handler`: calls (of node `kinds`) in request handlers that `classify`
/// names as slow work; `queues` lists the language's job queues for the message.
pub(crate) fn sync_heavy_handler(
    ctx: &mut Ctx,
    kinds: &[&str],
    classify: impl Fn(&Ctx, Node) -> Option<Heavy>,
    queues: &str,
    fix: &str,
) {
    let mut seen: std::collections::HashSet<(usize, Heavy)> = std::collections::HashSet::new();
    for call in ctx.src.nodes_of(kinds) {
        let Some(start) = request_scope(ctx, call) else {
            continue;
        };
        let Some(kind) = classify(ctx, call) else {
            continue;
        };
        if !seen.insert((start, kind)) {
            continue;
        }
        let what = match kind {
            Heavy::Email => {
                "sends email or SMS (a provider round trip of hundreds of milliseconds to seconds)"
            }
            Heavy::Pdf => "renders a PDF (CPU-heavy, often seconds)",
            Heavy::Image => "processes images (CPU- and memory-heavy)",
            Heavy::Export => "builds a large spreadsheet/CSV export while the client waits",
            Heavy::Upload => "calls a slow third-party service (uploads, SMS)",
        };
        let message = format!(
            "This request handler {what} inline: the client waits and a worker (or the event loop) is busy for the whole time. Enqueue it as a background job (`perfkit queue`, {queues}) and answer 202 Accepted, or notify the user when it is done."
        );
        ctx.report(RuleId::SyncHeavyHandler, call, message, fix);
    }
}

/// How a resource's releases fail to cover every path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Release {
    Never,
    SuccessPathOnly,
}

/// Whether `releases` (after `acquired`, in function `body`) cover every path: one of
/// them in a `finally` clause, or nothing of `risky` kinds (calls, awaits, returns,
/// throws) between the acquisition and the first release. `None` when they do.
pub(crate) fn release_gap(
    ctx: &Ctx,
    body: Node,
    acquired: Node,
    releases: &[Node],
    risky: &[&str],
) -> Option<Release> {
    let Some(first) = releases.first() else {
        return Some(Release::Never);
    };
    let in_finally = |n: &Node| {
        ctx.src
            .ancestors(*n)
            .take_while(|a| *a != body)
            .any(|a| a.kind() == "finally_clause")
    };
    if releases.iter().any(in_finally) {
        return None;
    }
    let gap = ctx
        .src
        .find_in_scope(body, risky)
        .into_iter()
        .any(|n| n.start_byte() > acquired.end_byte() && n.end_byte() <= first.start_byte());
    gap.then_some(Release::SuccessPathOnly)
}

/// Whether `inner` lies within `outer`.
pub(crate) fn contains(outer: Node, inner: Node) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// Whether an expression names schema-sized things (columns, fields, keys, options,
/// permissions...): lists of those stay as small as the schema or configuration, so a
/// linear search in a loop over them is not a quadratic cost in the data.
pub(crate) fn is_schema_sized(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "column",
        "field",
        "key",
        "header",
        "attr",
        "param",
        "option",
        "setting",
        "config",
        "facet",
        "table",
        "schema",
        "permission",
        "role",
        "method",
        "flag",
        "propert",
        "extension",
        "locale",
        "allowed",
        "valid",
        "exclude",
        "include",
        "enabled",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || name_parts(text).any(|part| SCHEMA_WORDS.contains(&singular(&part)))
}

/// Whole words (of a camelCase or snake_case name) that name configuration-sized things:
/// matched as words, since as substrings they occur in data names too (`sizes` but not
/// `resized`, `types` but not `prototype`, `forms` but not `platform`).
const SCHEMA_WORDS: &[&str] = &[
    "size",
    "type",
    "operation",
    "op",
    "choice",
    "form",
    "subform",
    "format",
    "mode",
    "kind",
    "widget",
    "tab",
    "menu",
    "panel",
    "language",
    "theme",
    "variant",
    // Schema objects: one DDL statement per constraint or index is not per row of data.
    "constraint",
    "index",
    "fk",
];

/// The lower-case words of a dotted camelCase/snake_case expression (`self.typeChoices` →
/// self, type, choices).
fn name_parts(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            previous_lower = false;
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts.into_iter()
}

/// `sizes` → `size`, `choices` → `choice`, `indexes` → `index` (enough for names).
fn singular(word: &str) -> &str {
    if let Some(stem) = word.strip_suffix("es").filter(|w| w.ends_with('x')) {
        return stem;
    }
    word.strip_suffix('s')
        .filter(|w| w.len() > 1)
        .unwrap_or(word)
}

/// A helper that delivers a message to one recipient (`send_alert_email(user)`,
/// `notify_user(user)`): one per recipient is the job itself, not a lookup to batch (the
/// sync-heavy-handler rule asks for a background job where a request does it).
pub(crate) fn delivers_message(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["send", "notify", "mail", "alert"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Whether a receiver's (lower-case) name is a data-access object (`lease_storage`,
/// `this.leaseStore`, `self.repo`, `user_dao`): its methods are round trips. Not a file/blob
/// storage client (`storage_client`, `storage_provider`): one call per stored object is how
/// those work, there is no row lookup to batch.
pub(crate) fn is_data_store(receiver: &str) -> bool {
    ["storage", "store", "repo", "dao"]
        .iter()
        .any(|k| receiver.contains(k))
        && !["client", "provider", "file", "blob", "bucket", "s3"]
            .iter()
            .any(|k| receiver.contains(k))
}

/// Whether `callee` is `name.method(...)` for one of `methods` (`seen.append`, `ids.push`).
pub(crate) fn calls_method_on(callee: &str, name: &str, methods: &[&str]) -> bool {
    callee
        .rsplit_once('.')
        .is_some_and(|(receiver, method)| receiver == name && methods.contains(&method))
}

/// `MAX_ITEMS`-style names: constants by convention.
pub(crate) fn is_constant_name(name: &str) -> bool {
    name.len() > 1
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Source text on one line, cut to 60 characters, for messages.
/// Whether a loop's iterable splits its input into batches (`batch(ids, 1000)`,
/// `_.chunk(refs, 1e3)`): a query per batch is the fix for N+1, not an instance of it.
pub(crate) fn is_batched(text: &str) -> bool {
    ["batch(", "chunk(", "chunks(", "chunked(", "batched("]
        .iter()
        .any(|b| {
            text.match_indices(b)
                .any(|(i, _)| !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        })
}

pub(crate) fn short(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

/// The nearest named function around an anonymous one (callbacks report their caller).
fn named_function(source: &Source, function: Node) -> Option<String> {
    let mut current = Some(function);
    while let Some(f) = current {
        if let Some(name) = syntax::function_name(source, f) {
            return Some(name);
        }
        current = syntax::enclosing_function(source, f);
    }
    None
}

/// The file's framework, for fix examples.
fn framework_of(source: &Source, handlers: &[Handler]) -> Option<Framework> {
    if let Some(framework) = handlers.iter().find_map(|h| h.framework) {
        return Some(framework);
    }
    let candidates: &[(&str, Framework)] = if source.language.is_python() {
        &[
            ("django", Framework::Django),
            ("fastapi", Framework::FastApi),
            ("flask", Framework::Flask),
        ]
    } else {
        &[
            ("nestjs", Framework::NestJs),
            ("fastify", Framework::Fastify),
            ("next", Framework::NextJs),
            ("express", Framework::Express),
        ]
    };
    candidates
        .iter()
        .find(|(m, _)| source.imports(m))
        .map(|(_, f)| *f)
}

/// Runs every rule on one parsed file.
pub(crate) fn check(
    source: &Source,
    handlers: &[Handler],
    project: Option<&ProjectIndex>,
) -> Vec<RawFinding> {
    let mut ctx = Ctx {
        src: source,
        handlers,
        framework: framework_of(source, handlers),
        imports: HashMap::new(),
        project,
        out: Vec::new(),
    };
    if source.language.is_python() {
        ctx.imports = python::import_map(source);
        python::check(&mut ctx);
    } else {
        js::check(&mut ctx);
    }
    ctx.out
}
