//! The six rules for Python (Django, Flask, FastAPI, SQLAlchemy, DB-API drivers).

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{
    calls_method_on, contains, delivers_message, is_batched, is_constant_name, is_data_store,
    is_schema_sized, short, Ctx, Heavy,
};
use crate::finding::RuleId;
use crate::handlers::Framework;
use crate::syntax::{
    self, call_arguments, identifiers, is_plain_string, method_name, string_value, Field, Source,
};

pub(crate) fn check(ctx: &mut Ctx) {
    n_plus_one(ctx);
    blocking_call_in_async(ctx);
    quadratic_loop(ctx);
    connection_leak(ctx);
    missing_cache(ctx);
    let fix = match ctx.framework {
        Some(Framework::FastApi) => "@app.post(\"/signup\")\nasync def signup(user: User, background_tasks: BackgroundTasks):\n    background_tasks.add_task(send_welcome_email, user.email)  # or enqueue to perfkit queue\n    return {\"status\": \"accepted\"}",
        Some(Framework::Flask) => "queue.enqueue(\"send_welcome_email\", {\"email\": user.email})  # perfkit queue / RQ\nreturn jsonify(status=\"accepted\"), 202",
        _ => "send_welcome_email.delay(user.email)  # Celery task, or POST the job to perfkit queue\nreturn JsonResponse({\"status\": \"accepted\"}, status=202)",
    };
    super::sync_heavy_handler(
        ctx,
        &["call"],
        |ctx, call| heavy_kind(ctx, call, &ctx.resolved_callee(call)),
        "Celery, RQ",
        fix,
    );
}

/// Local name → dotted name it was imported as.
pub(crate) fn import_map(source: &Source) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for statement in source.nodes_of(&["import_statement", "import_from_statement"]) {
        let module = statement
            .field("module_name")
            .map(|m| source.text(m).to_string());
        let mut cursor = statement.walk();
        for name in statement.children_by_field_name("name", &mut cursor) {
            let (full, local) = match name.kind() {
                "aliased_import" => {
                    let full = name.field("name").map(|n| source.text(n)).unwrap_or("");
                    let alias = name.field("alias").map(|n| source.text(n)).unwrap_or("");
                    (full.to_string(), alias.to_string())
                }
                _ => {
                    let full = source.text(name).to_string();
                    let local = full.split('.').next().unwrap_or("").to_string();
                    if module.is_none() {
                        // `import a.b` binds `a`, which already means `a`.
                        continue;
                    }
                    (full, local)
                }
            };
            let full = match &module {
                // `from . import x` (a relative module of dots alone) is `.x`.
                Some(module) if module.ends_with('.') => format!("{module}{full}"),
                Some(module) => format!("{module}.{full}"),
                None => full,
            };
            if !local.is_empty() && local != full {
                map.insert(local, full);
            }
        }
    }
    map
}

// ---------------------------------------------------------------------------------
// Facts: loops, assignment origins, constants.

struct Loop<'t> {
    node: Node<'t>,
    /// What the loop iterates over (`None` for `while`).
    iterable: Option<Node<'t>>,
    vars: Vec<&'t str>,
}

const COMPREHENSIONS: &[&str] = &[
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
];

fn loop_at<'t>(ctx: &Ctx<'_, 't>, node: Node<'t>) -> Option<Loop<'t>> {
    match node.kind() {
        "for_statement" => Some(Loop {
            node,
            iterable: node.field("right"),
            vars: node
                .field("left")
                .map(|l| identifiers(ctx.src, l))
                .unwrap_or_default(),
        }),
        "while_statement" => Some(Loop {
            node,
            iterable: None,
            vars: Vec::new(),
        }),
        kind if COMPREHENSIONS.contains(&kind) => {
            let mut cursor = node.walk();
            let clause = node
                .named_children(&mut cursor)
                .find(|c| c.kind() == "for_in_clause")?;
            Some(Loop {
                node,
                iterable: clause.field("right"),
                vars: clause
                    .field("left")
                    .map(|l| identifiers(ctx.src, l))
                    .unwrap_or_default(),
            })
        }
        _ => None,
    }
}

/// Loops whose body runs `node` once per iteration, innermost first, up to the enclosing function.
fn loops_around<'t>(ctx: &Ctx<'_, 't>, node: Node<'t>) -> Vec<Loop<'t>> {
    let mut loops = Vec::new();
    for ancestor in ctx.src.ancestors(node) {
        if matches!(
            ancestor.kind(),
            "function_definition" | "lambda" | "class_definition"
        ) {
            break;
        }
        let Some(lp) = loop_at(ctx, ancestor) else {
            continue;
        };
        let in_body = match ancestor.kind() {
            "for_statement" | "while_statement" => {
                ancestor.field("body").is_some_and(|b| contains(b, node))
            }
            _ => !lp.iterable.is_some_and(|i| contains(i, node)),
        };
        if in_body {
            loops.push(lp);
        }
    }
    loops
}

/// The scope (function body or module) in which `node`'s names are assigned.
fn scope_of<'t>(ctx: &Ctx<'_, 't>, node: Node<'t>) -> Node<'t> {
    syntax::enclosing_function(ctx.src, node)
        .filter(|f| f.kind() == "function_definition")
        .unwrap_or(ctx.src.root)
}

/// The expression `name` was last assigned from before `at` (in its function, then the module).
fn origin<'t>(ctx: &Ctx<'_, 't>, name: &str, at: Node<'t>) -> Option<Node<'t>> {
    let scope = scope_of(ctx, at);
    let found = last_assignment(ctx, scope, name, at.start_byte());
    if found.is_some() || scope == ctx.src.root {
        return found;
    }
    last_assignment(ctx, ctx.src.root, name, at.start_byte())
}

fn last_assignment<'t>(
    ctx: &Ctx<'_, 't>,
    scope: Node<'t>,
    name: &str,
    before: usize,
) -> Option<Node<'t>> {
    let mut found = None;
    for node in ctx.src.assignments_in(scope, name, before) {
        // `rows = [r for r in rows if ...]`: the use at `before` reads the earlier value.
        if node.end_byte() > before {
            continue;
        }
        match node.kind() {
            "assignment" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    continue;
                };
                if left.kind() == "identifier" && ctx.text(left) == name {
                    found = Some(unwrap_await(right));
                }
            }
            _ => {
                let Some(value) = node.field("value") else {
                    continue;
                };
                if value.kind() == "as_pattern" {
                    let alias = value.field("alias").map(|a| ctx.text(a).trim());
                    if alias == Some(name) {
                        found = value.named_child(0);
                    }
                }
            }
        }
    }
    found
}

fn unwrap_await(node: Node) -> Node {
    if node.kind() == "await" {
        node.named_child(0).unwrap_or(node)
    } else {
        node
    }
}

/// The annotation of parameter `name` of the function around `at`.
fn parameter_annotation<'t>(ctx: &Ctx<'_, 't>, name: &str, at: Node<'t>) -> Option<&'t str> {
    let function = syntax::enclosing_function(ctx.src, at)?;
    let params = function.field("parameters")?;
    let mut cursor = params.walk();
    let found = params.named_children(&mut cursor).find_map(|p| {
        if !matches!(p.kind(), "typed_parameter" | "typed_default_parameter") {
            return None;
        }
        let id = p.named_child(0)?;
        (ctx.text(id) == name).then(|| p.field("type").map(|t| ctx.text(t)))?
    });
    found
}

fn is_literal(ctx: &Ctx, node: Node) -> bool {
    match node.kind() {
        "string" | "concatenated_string" | "integer" | "float" | "true" | "false" | "none" => true,
        "unary_operator" => node.named_child(0).is_some_and(|n| is_literal(ctx, n)),
        "identifier" => is_constant_name(ctx.text(node)),
        "attribute" => node
            .field("attribute")
            .is_some_and(|a| is_constant_name(ctx.text(a))),
        "pair" => {
            node.field("key").is_some_and(|k| is_literal(ctx, k))
                && node
                    .field("value")
                    .is_some_and(|v| is_literal(ctx, v) || is_constant_collection(ctx, v, 0))
        }
        "tuple" | "list" | "set" | "dictionary" => is_constant_collection(ctx, node, 0),
        _ => false,
    }
}

/// A small collection fixed in the source: literals, `range(3)`, a CONSTANT, a module-level literal.
fn is_constant_collection(ctx: &Ctx, node: Node, depth: usize) -> bool {
    if depth > 3 {
        return false;
    }
    match node.kind() {
        "list" | "tuple" | "set" | "dictionary" | "expression_list" => {
            let mut cursor = node.walk();
            let all = node
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .all(|c| is_literal(ctx, c) || is_fixed_entry(ctx, c, depth));
            all
        }
        "string" | "concatenated_string" => true,
        "parenthesized_expression" => node
            .named_child(0)
            .is_some_and(|n| is_constant_collection(ctx, n, depth + 1)),
        "identifier" => {
            let name = ctx.text(node);
            is_constant_name(name)
                || origin(ctx, name, node)
                    .is_some_and(|o| is_constant_collection(ctx, o, depth + 1))
        }
        "attribute" => node
            .field("attribute")
            .is_some_and(|a| is_constant_name(ctx.text(a))),
        "call" => {
            let callee = syntax::callee(ctx.src, node);
            let args = call_arguments(node);
            match method_name(&callee) {
                "range" if callee == "range" => args.iter().all(|a| is_literal(ctx, *a)),
                "enumerate" | "sorted" | "reversed" | "list" | "tuple" | "set" | "zip"
                    if !callee.contains('.') =>
                {
                    !args.is_empty()
                        && args
                            .iter()
                            .all(|a| is_constant_collection(ctx, *a, depth + 1))
                }
                "items" | "keys" | "values" => node
                    .field("function")
                    .and_then(|f| f.field("object"))
                    .is_some_and(|o| is_constant_collection(ctx, o, depth + 1)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// An entry of a literal list that is fixed in the source: a class or constant named in it
/// (`[User, Group]`, a fixed list of models), or a tuple of literals and such names
/// (`(Rack, "location__in")`).
fn is_fixed_entry(ctx: &Ctx, node: Node, depth: usize) -> bool {
    match node.kind() {
        "identifier" => ctx.text(node).starts_with(|c: char| c.is_ascii_uppercase()),
        "tuple" | "list" => is_constant_collection(ctx, node, depth + 1),
        _ => false,
    }
}

/// The expression a loop really iterates (through `enumerate(...)` and local names).
fn iterable_origin<'t>(ctx: &Ctx<'_, 't>, iterable: Node<'t>) -> Node<'t> {
    let mut node = iterable;
    for _ in 0..4 {
        match node.kind() {
            "call"
                if matches!(
                    syntax::callee(ctx.src, node).as_ref(),
                    "enumerate" | "list" | "iter"
                ) =>
            {
                match call_arguments(node).first() {
                    Some(arg) => node = *arg,
                    None => return node,
                }
            }
            "identifier" => match origin(ctx, ctx.text(node), node) {
                Some(o) => node = o,
                None => return node,
            },
            "subscript" => match node.field("value") {
                Some(v) => node = v,
                None => return node,
            },
            // `[d.id for d in rows]`: the ids of the rows.
            kind if COMPREHENSIONS.contains(&kind) => {
                match loop_at(ctx, node).and_then(|lp| lp.iterable) {
                    Some(inner) => node = inner,
                    None => return node,
                }
            }
            _ => return node,
        }
    }
    node
}

// ---------------------------------------------------------------------------------
// Query and call vocabulary.

fn receiver_last(callee: &str) -> String {
    let receiver = callee.rsplit_once('.').map(|(r, _)| r).unwrap_or("");
    receiver
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// `Model.query.…` (Flask-SQLAlchemy), whatever the import prefix.
fn model_query(callee: &str) -> bool {
    callee.find(".query.").is_some_and(|at| {
        callee[..at]
            .rsplit('.')
            .next()
            .is_some_and(|model| model.starts_with(|c: char| c.is_ascii_uppercase()))
    })
}

/// The calls of a chain, outermost first (`a.b(x).c()` → `c()`, `b(x)`).
fn chain_links(call: Node) -> Vec<Node> {
    let mut links = vec![call];
    let mut node = call;
    while let Some(object) = node.field("function").and_then(|f| f.field("object")) {
        if object.kind() != "call" {
            break;
        }
        links.push(object);
        node = object;
    }
    links
}

/// A database query (Django ORM, SQLAlchemy, DB-API, asyncpg, databases, pymongo).
pub(crate) fn is_db_query(callee: &str) -> bool {
    // A reverse related manager (`ticket.followup_set.filter(...)`).
    if callee.contains("_set.") {
        return MANAGER_OPS.contains(&method_name(callee))
            || matches!(
                method_name(callee),
                "create" | "get_or_create" | "update_or_create" | "update" | "delete"
            );
    }
    if callee.contains(".objects.") {
        return ![
            "model",
            "get_for_model",
            "get_for_models",
            "clear_cache",
            "none",
            "db_manager",
        ]
        .contains(&method_name(callee));
    }
    if matches!(
        callee,
        "get_object_or_404" | "get_list_or_404" | "aget_object_or_404"
    ) || callee.ends_with(".get_object_or_404")
    {
        return true;
    }
    let method = method_name(callee);
    let recv = receiver_last(callee);
    if model_query(callee) || through_data_access_module(callee) || is_prisma_query(callee) {
        return true;
    }
    let dbish = |r: &str| {
        [
            "cur", "conn", "session", "db", "engine", "database", "client", "pool", "tx",
        ]
        .iter()
        .any(|k| r.contains(k))
    };
    match method {
        "query" => recv.contains("session") || recv == "db",
        "execute" | "executemany" | "exec" => dbish(&recv),
        "scalar" | "scalars" | "scalar_one" | "scalar_one_or_none" => {
            recv.contains("session") || recv == "db"
        }
        "get" => recv.contains("session"),
        "fetch" | "fetchrow" | "fetchval" | "fetch_one" | "fetch_all" | "fetch_val" => dbish(&recv),
        "find_one" | "count_documents" | "refresh_from_db" | "arefresh_from_db" => true,
        "find" | "aggregate" => recv.contains("collection") || callee.starts_with("db."),
        _ => false,
    }
}

/// A function or class imported from the project's data-access layer (`from app.crud import
/// get_wallet`, `from app.daos.report import ReportDAO`): a module named `crud`, `dao(s)` or
/// `repository`/`repositories` exists to run queries, so its functions and its classes'
/// methods are round trips wherever they are defined (often outside the analysed tree).
/// The callee must be resolved through the file's imports; a constructor
/// (`crud.Wallet(...)`, a model class) is not a query.
fn through_data_access_module(callee: &str) -> bool {
    let Some((module, name)) = callee.rsplit_once('.') else {
        return false;
    };
    if name.starts_with(|c: char| c.is_ascii_uppercase()) || name.starts_with("__") {
        return false;
    }
    module.split('.').count() >= 2
        && module.split('.').any(|segment| {
            matches!(
                segment,
                "crud" | "dao" | "daos" | "repository" | "repositories"
            )
        })
}

/// Prisma Client Python's queries: methods only its table accessors have (`find_many`,
/// `find_unique`...), and writes on a table reached from the client or a transaction
/// (`prisma_client.db.user.update(...)`, `tx.litellm_agentstable.delete(...)`).
fn is_prisma_query(callee: &str) -> bool {
    let method = method_name(callee);
    if matches!(
        method,
        "find_many"
            | "find_unique"
            | "find_first"
            | "find_unique_or_raise"
            | "find_first_or_raise"
            | "create_many"
            | "update_many"
            | "delete_many"
            | "upsert"
    ) {
        return true;
    }
    let mut segments = callee.split('.');
    let root = segments.next().unwrap_or("");
    let depth = callee.matches('.').count();
    matches!(method, "update" | "delete" | "create" | "count")
        && depth >= 2
        && (root.contains("prisma") || root == "tx" && depth == 2)
}

const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

/// An outbound HTTP call through a module-level function (requests, httpx, urllib).
pub(crate) fn is_remote_call(callee: &str) -> bool {
    let method = method_name(callee);
    ((callee.starts_with("requests.") || callee.starts_with("httpx."))
        && callee.matches('.').count() == 1
        && HTTP_VERBS.contains(&method))
        || callee == "urllib.request.urlopen"
        || callee == "urlopen"
}

fn uses_batch_lookup(ctx: &Ctx, call: Node) -> bool {
    let text = ctx.text(call);
    text.contains("__in=")
        || text.contains(".in_(")
        || text.contains("ANY(")
        || text.contains(" IN ")
        || text.contains("in_bulk")
}

fn orm_fix(framework: Option<Framework>, callee: &str) -> &'static str {
    if callee.contains(".objects.") || framework == Some(Framework::Django) {
        "authors = Author.objects.in_bulk(author_ids)  # one query, then authors[book.author_id]\n# or: Book.objects.select_related(\"author\") / .prefetch_related(\"tags\")"
    } else if callee.contains("session") || callee.contains(".query.") {
        "rows = session.scalars(select(Author).where(Author.id.in_(ids))).all()  # one query\n# or: select(Book).options(selectinload(Book.author))"
    } else if is_remote_call(callee) {
        "# fetch the whole batch in one request if the API has one, otherwise run the\n# requests concurrently: await asyncio.gather(*(client.get(u) for u in urls))"
    } else {
        "cur.execute(\"SELECT ... WHERE id = ANY(%s)\", (ids,))  # one query for every row"
    }
}

// ---------------------------------------------------------------------------------
// n-plus-one

const MANAGER_OPS: &[&str] = &[
    "all",
    "filter",
    "exclude",
    "count",
    "exists",
    "first",
    "last",
    "get",
    "order_by",
    "values",
    "values_list",
    "aggregate",
    "annotate",
];
const SCALAR_FIELDS: &[&str] = &[
    "id", "pk", "name", "title", "email", "status", "type", "kind", "state", "role", "price",
    "amount", "data", "json", "meta", "metadata", "content", "body", "text", "slug", "value",
    "settings", "config", "options", "extra", "attrs", "payload",
];
const SCALAR_ATTRS: &[&str] = &[
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "microsecond",
    "days",
    "seconds",
    "tzinfo",
    "real",
    "imag",
    "value",
    "label",
    "url",
    "path",
    "size",
    "width",
    "height",
];

fn is_sqlalchemy_text(text: &str) -> bool {
    model_query(text)
        || text.contains("session.query(")
        || text.contains("session.scalars(")
        || text.contains("db.scalars(")
        || text.contains("session.execute(select(")
        || text.contains("db.execute(select(")
}

/// Whether `call` reads an attribute of `var` (`row.id`, `row.customer_id`).
fn reads_field_of(ctx: &Ctx, call: Node, var: &str) -> bool {
    ctx.src.find_all(call, &["attribute"]).into_iter().any(|a| {
        a.field("object")
            .is_some_and(|o| o.kind() == "identifier" && ctx.text(o) == var)
    })
}

/// Whether an iterable's origin is the result of a query or remote call.
fn is_query_result(ctx: &Ctx, source: Node) -> bool {
    let text = ctx.text(source);
    if is_orm_queryset(ctx, source) || is_sqlalchemy_text(text) {
        return true;
    }
    if [
        "fetchall(",
        "fetchmany(",
        ".json()",
        "requests.get(",
        "httpx.get(",
    ]
    .iter()
    .any(|k| text.contains(k))
    {
        return true;
    }
    if source.kind() == "identifier" {
        let name = ctx.text(source);
        return matches!(name, "queryset" | "qs" | "rows" | "cursor") || name.ends_with("_qs");
    }
    ctx.src.find_all(source, &["call"]).into_iter().any(|c| {
        let callee = ctx.resolved_callee(c);
        is_db_query(&callee) || is_remote_call(&callee) || callee.ends_with("get_queryset")
    })
}

/// `result.scalars().all()` where `result = session.execute(...)`: the rows of that query.
fn rows_of_queried_result(ctx: &Ctx, source: Node) -> bool {
    if source.kind() == "call" {
        let root = chain_links(source)
            .last()
            .and_then(|inner| inner.field("function"))
            .and_then(|f| f.field("object"))
            .filter(|o| o.kind() == "identifier");
        if let Some(root) = root {
            let queried = origin(ctx, ctx.text(root), source).is_some_and(|o| {
                o.kind() == "call"
                    && chain_links(o)
                        .iter()
                        .any(|l| is_db_query(&ctx.resolved_callee(*l)))
            });
            return queried;
        }
    }
    false
}

/// A Django queryset or related manager: `X.objects.…`, `obj.book_set.…`, or
/// `obj.rel.all()` where `obj` itself came from the ORM.
fn is_orm_queryset(ctx: &Ctx, source: Node) -> bool {
    let text = ctx.text(source);
    if text.contains(".objects.") || text.contains("_set.") || text.contains("queryset(") {
        return true;
    }
    // A tree's querysets (django-mptt, django-tree-queries): `node.get_descendants()`,
    // `group.descendants(include_self=False)`.
    if source.kind() == "call"
        && matches!(
            method_name(&syntax::callee(ctx.src, source)),
            "get_descendants"
                | "get_children"
                | "get_ancestors"
                | "get_siblings"
                | "get_family"
                | "descendants"
                | "ancestors"
        )
        && ctx.src.imports("django")
    {
        return true;
    }
    if !(text.ends_with(".all()") || text.contains(".all().") || text.contains(".filter(")) {
        return false;
    }
    // obj.tags.all(): is obj a model instance from the ORM? `qs = qs.filter(...)`: where did
    // the queryset start?
    let Some(root) = ctx.src.find_all(source, &["identifier"]).into_iter().next() else {
        return false;
    };
    let name = ctx.text(root);
    if name == "self" {
        return false;
    }
    let mut at = source;
    for _ in 0..6 {
        let Some(o) = origin(ctx, name, at) else {
            return false;
        };
        let t = ctx.text(o);
        if t.contains(".objects.") || t.contains("get_object_or_404(") || t.contains("get_object(")
        {
            return true;
        }
        let refines_itself = t
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.'))
            && (t.contains(".filter(") || t.contains(".exclude(") || t.contains(".order_by("));
        if !refines_itself {
            return false;
        }
        // Look before the assignment `o` is the value of, not before `o` (which would find
        // that same assignment again).
        at = ctx.src.parent(o).unwrap_or(o);
    }
    false
}

/// Whether the rows a queryset expression yields are dicts or tuples (`.values()`,
/// `.values_list()` on the queryset itself, not inside one of its arguments).
fn yields_values(ctx: &Ctx, source: Node) -> bool {
    source.kind() == "call"
        && chain_links(source).iter().any(|link| {
            matches!(
                method_name(&syntax::callee(ctx.src, *link)),
                "values" | "values_list"
            )
        })
}

/// A parameter annotated as a query (`tasks: QuerySet[Task]`): its rows come from the database.
fn annotated_query(ctx: &Ctx, source: Node) -> bool {
    let Some(root) = ctx.src.find_all(source, &["identifier"]).into_iter().next() else {
        return false;
    };
    if source.kind() != "identifier" && !ctx.text(source).starts_with(ctx.text(root)) {
        return false;
    }
    parameter_annotation(ctx, ctx.text(root), source)
        .is_some_and(|t| t.contains("QuerySet") || t.starts_with("Query[") || t == "Query")
}

/// The argument that hands a database session or connection to the callee
/// (`helper(session, row.id)`, `helper(session=session, ...)`): the callee runs queries.
fn passes_db_handle(ctx: &Ctx, call: Node) -> bool {
    db_handle_passed(ctx, call).is_some()
}

/// The argument that hands a database session or connection to the callee, as
/// [`passes_db_handle`] reads it.
fn db_handle_passed<'t>(ctx: &Ctx<'_, 't>, call: Node<'t>) -> Option<&'t str> {
    let handle = |name: &str| {
        matches!(
            name,
            "session"
                | "db_session"
                | "async_session"
                | "conn"
                | "connection"
                | "cursor"
                | "tx"
                | "prisma"
                | "prisma_client"
        )
    };
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let found = args.named_children(&mut cursor).find_map(|a| {
        let name = match a.kind() {
            "identifier" => Some(a),
            "keyword_argument" => a.field("name"),
            _ => None,
        };
        name.map(|n| ctx.text(n)).filter(|n| handle(n))
    });
    found
}

/// Whether the queryset loads relation `attr` up front.
fn prefetches(text: &str, attr: &str) -> bool {
    if text.contains(".values(") || text.contains(".values_list(") {
        return true;
    }
    // A project's own queryset method named for prefetching (`.prefetch()`,
    // `.prefetch_full()`): it wraps select_related/prefetch_related, which this file
    // does not show.
    if text.contains(".prefetch(") || text.contains(".prefetch_") {
        return true;
    }
    for loader in [
        "select_related(",
        "prefetch_related(",
        "joinedload(",
        "selectinload(",
        "subqueryload(",
        "contains_eager(",
        "immediateload(",
    ] {
        let mut rest = text;
        while let Some(index) = rest.find(loader) {
            let after = &rest[index + loader.len()..];
            let args = after.split(')').next().unwrap_or("");
            if args.trim().is_empty() && loader == "select_related(" {
                return true;
            }
            if args
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == attr)
            {
                return true;
            }
            rest = after;
        }
    }
    false
}

/// `obj.rel.all()`: a related manager's rows (lists and dicts have no `.all()`).
fn is_related_manager_all(text: &str) -> bool {
    text.strip_suffix(".all()").is_some_and(|manager| {
        manager.contains('.')
            && manager
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    })
}

/// Whether a loop over `iterable` (from `source`) may go over model rows whose origin this
/// file does not show: a name or attribute that is not a literal, a form or a formset, or
/// a queryset method called on one.
fn may_hold_model_rows(ctx: &Ctx, iterable: Node, source: Node) -> bool {
    if is_constant_collection(ctx, iterable, 0) || is_constant_collection(ctx, source, 0) {
        return false;
    }
    let text = ctx.text(iterable);
    if [
        "form", "field", "item", "key", "value", "column", "arg", "param", "option", "file",
        "line", "error",
    ]
    .iter()
    .any(|w| text.to_ascii_lowercase().contains(w))
    {
        return false;
    }
    match source.kind() {
        "identifier" | "attribute" => true,
        "call" => {
            let callee = syntax::callee(ctx.src, source);
            matches!(
                method_name(&callee),
                "filter" | "exclude" | "order_by" | "distinct" | "select_for_update" | "all"
            ) && !callee.contains('(')
        }
        _ => false,
    }
}

/// `row.save()` / `row.delete()` on the loop's row: one write per iteration (each branch of
/// the loop body that writes is its own round trip).
///
/// Also the model's validating saves (`validated_save()`, `full_clean()`, which runs the
/// unique-constraint queries) and many-to-many writes through the row's related manager
/// (`row.tags.add(tag)`, `.remove`, `.set`, `.clear`).
/// The many-to-many writes count only on rows known to be a queryset's (`m2m`): on rows
/// handed in, `node.parents.remove(x)` is as likely a plain set of a graph node.
fn per_row_writes<'t>(ctx: &Ctx<'_, 't>, body: Node<'t>, var: &str, m2m: bool) -> Vec<Node<'t>> {
    let is_var = |o: Node| o.kind() == "identifier" && ctx.text(o) == var;
    ctx.src
        .find_in_scope(body, &["call"])
        .into_iter()
        .filter(|call| {
            call.field("function").is_some_and(|f| {
                if f.kind() != "attribute" {
                    return false;
                }
                let method = f.field("attribute").map(|a| ctx.text(a)).unwrap_or("");
                let Some(object) = f.field("object") else {
                    return false;
                };
                if is_var(object) {
                    return matches!(method, "save" | "delete" | "validated_save" | "full_clean");
                }
                // `row.tags.add(...)`: the row's related manager.
                m2m && object.kind() == "attribute"
                    && object.field("object").is_some_and(is_var)
                    && matches!(method, "add" | "remove" | "set" | "clear")
                    && call
                        .field("arguments")
                        .is_some_and(|a| a.named_child_count() > 0)
            })
        })
        .collect()
}

fn n_plus_one(ctx: &mut Ctx) {
    // Related-object access first: where both apply to the same call (`row.x_set.count()`),
    // the finding names the relation and the prefetch that fixes it.
    lazy_related_access(ctx);
    queries_per_iteration(ctx);
    commit_per_row(ctx);
    recursive_walk_queries(ctx);
}

/// Queryset methods that run (or build) a query of a relation (`.children.all()`).
const RELATION_QUERIES: &[&str] = &[
    ".all(",
    ".filter(",
    ".exclude(",
    ".order_by(",
    ".select_related(",
    ".prefetch_related(",
];

/// `row.children.all()`-style text: a query of a relation of `var` (`fo.children.all()`,
/// `folder.files.filter(...)`).
fn queries_relation_of(text: &str, var: &str) -> bool {
    text.match_indices(var).any(|(i, _)| {
        let word = |c: char| c.is_alphanumeric() || c == '_';
        if text[..i].ends_with(word) {
            return false;
        }
        let Some(rest) = text[i + var.len()..].strip_prefix('.') else {
            return false;
        };
        let relation: String = rest.chars().take_while(|c| word(*c)).collect();
        let after = &rest[relation.len()..];
        !relation.is_empty() && RELATION_QUERIES.iter().any(|m| after.starts_with(m))
    })
}

/// `n-plus-one`: a recursive walk over a tree of rows that queries each node's children
/// (`for fo in folders: walk(fo.children.all())`, or through a helper that does it,
/// `for f in folders: self._copy_folder(f)` where `_copy_folder(folder)` calls back into the
/// walk with `folder.children.all()`): one query per node of the tree.
fn recursive_walk_queries(ctx: &mut Ctx) {
    // Which functions each function calls with a relation query of one of its parameters
    // (`_copy_folder(folder)` calling `walk(folder.children.all())`): a cheap text test first.
    let calls = ctx.src.nodes_of(&["call"]);
    let mut walks_on: HashMap<&str, Vec<String>> = HashMap::new();
    for call in &calls {
        let Some(args) = call.field("arguments").map(|a| ctx.text(a)) else {
            continue;
        };
        if !RELATION_QUERIES.iter().any(|m| args.contains(m)) {
            continue;
        }
        let Some(function) = syntax::enclosing_function(ctx.src, *call) else {
            continue;
        };
        let Some(name) = function.field("name").map(|n| ctx.text(n)) else {
            continue;
        };
        let params = syntax::parameter_names(ctx.src, function);
        if params
            .iter()
            .any(|p| p != "self" && queries_relation_of(args, p))
        {
            let callee = syntax::callee(ctx.src, *call);
            let callee = callee.strip_prefix("self.").unwrap_or(&callee).to_string();
            walks_on.entry(name).or_default().push(callee);
        }
    }
    let mut found = Vec::new();
    for call in calls {
        let Some(function) = syntax::enclosing_function(ctx.src, call) else {
            continue;
        };
        let Some(walk) = function.field("name").map(|n| ctx.text(n)) else {
            continue;
        };
        let callee = syntax::callee(ctx.src, call);
        let callee = callee.strip_prefix("self.").unwrap_or(&callee);
        let itself = callee == walk;
        // A helper handed the node, which walks on with its children.
        let through_helper = !itself
            && walks_on
                .get(callee)
                .is_some_and(|w| w.iter().any(|c| c == walk));
        if !itself && !through_helper {
            continue;
        }
        let loops = loops_around(ctx, call);
        let Some(row_loop) = loops.first() else {
            continue;
        };
        if row_loop
            .iterable
            .is_none_or(|i| is_constant_collection(ctx, i, 0))
        {
            continue;
        }
        let args = call.field("arguments").map(|a| ctx.text(a)).unwrap_or("");
        let per_node = if itself {
            // The walk itself, handed a node's children.
            row_loop.vars.iter().any(|v| queries_relation_of(args, v))
        } else {
            row_loop
                .vars
                .iter()
                .any(|v| args.split([',', '(', ')', ' ']).any(|a| a == *v))
        };
        if per_node {
            found.push((call, walk.to_string(), callee.to_string()));
        }
    }
    for (call, walk, callee) in found {
        // The children query itself already reported as a lazy relation per row.
        let inside = ctx.out.iter().any(|f| {
            f.rule == RuleId::NPlusOne
                && f.start_byte >= call.start_byte()
                && f.end_byte <= call.end_byte()
        });
        if inside {
            continue;
        }
        let message = format!(
            "`{callee}` walks the tree one node at a time: every node of the loop in `{walk}` runs its own query for its children (and their rows), so a tree of N folders costs N round trips or more"
        );
        let fix = "# Load the subtree in one query (an MPTT/treebeard descendants queryset,
# a recursive CTE, or all rows of the tree grouped by parent in memory)
nodes = Folder.objects.filter(tree_id=root.tree_id, lft__gte=root.lft, rght__lte=root.rght)";
        ctx.report(RuleId::NPlusOne, call, message, fix);
    }
}

/// `session.delete(row); session.commit()` in a loop over rows: one transaction per row (a
/// round trip and a flush each). A unit-of-work session that only `add`s/`delete`s per row
/// and commits once after the loop batches the writes, so it is not flagged; the commit is
/// reported where it is handed the loop's row by the same session in the same loop.
fn commit_per_row(ctx: &mut Ctx) {
    for call in ctx.src.nodes_of(&["call"]) {
        let callee = syntax::callee(ctx.src, call);
        let Some((session, method)) = callee.rsplit_once('.') else {
            continue;
        };
        let receiver = session.rsplit('.').next().unwrap_or("");
        if !matches!(method, "commit" | "flush")
            || !(receiver.contains("session") || receiver == "db")
        {
            continue;
        }
        let Some(lp) = loops_around(ctx, call).into_iter().next() else {
            continue;
        };
        let Some(iterable) = lp.iterable else {
            continue;
        };
        let rows = match iterable.kind() {
            "call"
                if matches!(
                    syntax::callee(ctx.src, iterable).as_ref(),
                    "sorted" | "reversed" | "list" | "enumerate"
                ) =>
            {
                call_arguments(iterable)
                    .first()
                    .copied()
                    .unwrap_or(iterable)
            }
            _ => iterable,
        };
        if is_constant_collection(ctx, rows, 0)
            || is_batched(ctx.text(rows))
            || is_schema_sized(ctx.text(rows))
            || is_request_items(ctx, iterable)
        {
            continue;
        }
        let writes_row =
            ctx.src
                .find_in_scope(lp.node, &["call"])
                .into_iter()
                .filter(|w| w.end_byte() <= call.start_byte())
                .any(|w| {
                    let write = syntax::callee(ctx.src, w);
                    write.rsplit_once('.').is_some_and(|(r, m)| {
                        r == session && matches!(m, "add" | "delete" | "merge")
                    }) && call_arguments(w).first().is_some_and(|a| {
                        a.kind() == "identifier" && lp.vars.contains(&ctx.text(*a))
                    })
                });
        if !writes_row {
            continue;
        }
        let message = format!(
            "`{callee}` commits a transaction on every iteration of the loop over `{}` (N+1 writes): N rows cost N round trips and N flushes. Stage every row's change in the loop and commit once after it (or issue one bulk `UPDATE`/`DELETE ... WHERE id IN (...)`).",
            short(ctx.text(iterable)),
        );
        let fix = "for token in expired:\n    session.delete(token)\nsession.commit()  # one transaction for the whole batch";
        ctx.report(RuleId::NPlusOne, call, message, fix);
    }
}

/// What a function of this file does that costs a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Io {
    Query,
    Remote,
}

/// A function of this file, as calls name it: `(class, name)`, the class being the start of
/// the class a method is defined in (`None` for a plain function).
type FunctionKey<'t> = (Option<usize>, &'t str);

/// The function or method of this file that `call` names: `helper(...)` a function,
/// `self.helper(...)`/`cls.helper(...)` a method of the caller's own class.
fn local_callee<'t>(ctx: &Ctx<'_, 't>, call: Node<'t>) -> Option<FunctionKey<'t>> {
    let function = call.field("function")?;
    match function.kind() {
        "identifier" => Some((None, ctx.text(function))),
        "attribute" => {
            let object = function.field("object")?;
            if !matches!(ctx.text(object), "self" | "cls") {
                return None;
            }
            let caller = syntax::enclosing_function(ctx.src, call)?;
            Some((
                class_of(ctx, caller),
                ctx.text(function.field("attribute")?),
            ))
        }
        _ => None,
    }
}

/// A function (or class method) of another module of the analysed tree that issues a query
/// or remote call (`from app.services import refresh; refresh(p)`, `services.refresh(p)`,
/// `PaymentService.refresh(p)`), by the project index: the name called.
fn project_io<'t>(ctx: &Ctx<'_, 't>, call: Node<'t>) -> Option<&'t str> {
    let project = ctx.project?;
    let (callee, full) = imported_name(ctx, call)?;
    project.imported_io(&full, 2).then(|| method_name(callee))
}

/// The callee of `call` as written, and the dotted name the file's imports make of it
/// (`s.refresh` → `app.services.refresh`), relative imports resolved against the file.
fn imported_name<'t>(ctx: &Ctx<'_, 't>, call: Node<'t>) -> Option<(&'t str, String)> {
    let function = call.field("function")?;
    if !matches!(function.kind(), "identifier" | "attribute") {
        return None;
    }
    let callee = ctx.text(function);
    let (head, rest) = match callee.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (callee, None),
    };
    let full = ctx.imports.get(head)?;
    let full = match rest {
        Some(rest) => format!("{full}.{rest}"),
        None => full.clone(),
    };
    let full = super::python_project::ProjectIndex::module_of_relative(ctx.src.path, &full)?;
    Some((callee, full))
}

/// Whether `call` calls an `async def` of this file or of another indexed module: without
/// `await` it only builds a coroutine or an async generator, and none of its body runs here.
fn calls_async_function(ctx: &Ctx, call: Node) -> bool {
    let callee = syntax::callee(ctx.src, call);
    let same_file = !callee.contains('.')
        && ctx.src.nodes_of(&["function_definition"]).iter().any(|f| {
            syntax::is_async(*f) && f.field("name").is_some_and(|n| ctx.text(n) == callee)
        });
    same_file
        || ctx.project.is_some_and(|project| {
            imported_name(ctx, call).is_some_and(|(_, full)| project.imported_is_async(&full))
        })
}

/// The round trip `call` makes itself: a query, an HTTP request, or a helper handed the
/// session (`helper(session, ...)`, which runs its queries through it).
fn direct_io(ctx: &Ctx, call: Node) -> Option<Io> {
    if project_io(ctx, call).is_some() {
        return Some(Io::Query);
    }
    let links = chain_links(call);
    if links
        .iter()
        .any(|l| is_remote_call(&ctx.resolved_callee(*l)))
    {
        return Some(Io::Remote);
    }
    let callee = ctx.resolved_callee(call);
    let helper_with_session = !callee
        .rsplit('.')
        .next()
        .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
        && passes_db_handle(ctx, call);
    (helper_with_session || links.iter().any(|l| is_db_query(&ctx.resolved_callee(*l))))
        .then_some(Io::Query)
}

/// An awaited method of a data-access object (`await lease_storage.read_lease(id)`,
/// `await self.repo.get(id)`): a round trip to wherever the object keeps its data.
fn is_store_call(ctx: &Ctx, call: Node) -> bool {
    ctx.src.parent(call).is_some_and(|p| p.kind() == "await") && is_store_call_value(ctx, call)
}

/// A method call on a data-access object (`lease_storage.read_lease(id)`,
/// `self.repository.list()`), awaited or not; not a file/blob storage client.
fn is_store_call_value(ctx: &Ctx, call: Node) -> bool {
    let callee = syntax::callee(ctx.src, call);
    callee.contains('.') && is_data_store(&receiver_last(&callee))
}

/// The functions and methods of this file that run a query or a remote call, themselves or
/// through one more function or method of this file: calling one per row is an N+1 even
/// though nothing at the call site looks like I/O (`run_hook(hook)`, `self.load(id)`).
/// Answered per function on demand and remembered: most functions are never asked about.
struct IoIndex<'t> {
    functions: HashMap<FunctionKey<'t>, Node<'t>>,
    direct: HashMap<FunctionKey<'t>, Option<Io>>,
    through: HashMap<FunctionKey<'t>, Option<(Io, &'t str)>>,
}

impl<'t> IoIndex<'t> {
    fn new(ctx: &Ctx<'_, 't>) -> Self {
        let functions = ctx
            .src
            .nodes_of(&["function_definition"])
            .into_iter()
            .filter_map(|f| Some(((class_of(ctx, f), ctx.text(f.field("name")?)), f)))
            .collect();
        IoIndex {
            functions,
            direct: HashMap::new(),
            through: HashMap::new(),
        }
    }

    fn own_calls<'c>(ctx: &'c Ctx<'_, 't>, f: Node<'t>) -> impl Iterator<Item = Node<'t>> + 'c {
        ctx.src
            .find_in_scope(f, &["call"])
            .into_iter()
            .filter(move |c| syntax::enclosing_function(ctx.src, *c) == Some(f))
    }

    /// The round trip function `key` makes in its own body.
    fn direct(&mut self, ctx: &Ctx<'_, 't>, key: FunctionKey<'t>) -> Option<Io> {
        if let Some(known) = self.direct.get(&key) {
            return *known;
        }
        let found = self
            .functions
            .get(&key)
            .and_then(|f| Self::own_calls(ctx, *f).find_map(|c| direct_io(ctx, c)));
        self.direct.insert(key, found);
        found
    }

    /// The round trip function `key` makes itself or through one function of this file it
    /// calls (not further: each level guesses), with the name of the function doing it.
    fn get(&mut self, ctx: &Ctx<'_, 't>, key: FunctionKey<'t>) -> Option<(Io, &'t str)> {
        if let Some(known) = self.through.get(&key) {
            return *known;
        }
        let found = match self.direct(ctx, key) {
            Some(kind) => Some((kind, key.1)),
            None => match self.functions.get(&key).copied() {
                Some(f) => Self::own_calls(ctx, f)
                    .filter_map(|c| local_callee(ctx, c))
                    .filter(|callee| *callee != key)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .find_map(|callee| self.direct(ctx, callee))
                    .map(|kind| (kind, key.1)),
                None => None,
            },
        };
        self.through.insert(key, found);
        found
    }
}

fn queries_per_iteration(ctx: &mut Ctx) {
    // One finding per loop: a loop with three per-row queries is one N+1 to fix (one batch
    // before the loop), reported at its first query.
    let mut reported = HashSet::new();
    // Built on first use: most files have no loop calling a function of their own.
    let mut io: Option<IoIndex> = None;
    let root = ctx.src.root;
    for call in ctx.src.find_all(root, &["call"]) {
        if ctx.src.is_chain_inner(call) {
            continue;
        }
        let callee = ctx.resolved_callee(call);
        let links = chain_links(call);
        let handle = db_handle_passed(ctx, call).filter(|_| {
            !callee
                .rsplit('.')
                .next()
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
        });
        // A method of a loop's item handed the connection (`field.db_type(connection)`), or
        // the item itself called with it (`converter(value, expression, connection)` over a
        // list of converters): the connection is context for compiling or converting
        // values, not a sign of a query.
        let helper_with_session = match handle {
            Some("connection" | "conn") => {
                let receiver = call.field("function").map(|f| identifiers(ctx.src, f));
                !loops_around(ctx, call).iter().any(|lp| {
                    lp.vars
                        .iter()
                        .any(|v| receiver.as_ref().is_some_and(|r| r.contains(v)))
                })
            }
            Some(_) => true,
            None => false,
        };
        let link_db = links.iter().any(|l| is_db_query(&ctx.resolved_callee(*l)));
        let mut db = helper_with_session || link_db;
        let mut remote = links
            .iter()
            .any(|l| is_remote_call(&ctx.resolved_callee(*l)));
        // A function of this file that runs the query or request itself.
        let mut cross_module = false;
        let followed = if link_db || remote {
            None
        } else {
            let caller = syntax::enclosing_function(ctx.src, call);
            local_callee(ctx, call)
                .filter(|key| {
                    caller.and_then(|c| c.field("name")).map(|n| ctx.text(n)) != Some(key.1)
                        && !delivers_message(key.1)
                        && !loops_around(ctx, call).is_empty()
                })
                .and_then(|key| io.get_or_insert_with(|| IoIndex::new(ctx)).get(ctx, key))
                .or_else(|| {
                    // A function of another module of the tree.
                    cross_module = true;
                    project_io(ctx, call)
                        .filter(|name| {
                            !delivers_message(name) && !loops_around(ctx, call).is_empty()
                        })
                        .map(|name| (Io::Query, name))
                })
        };
        match followed {
            Some((Io::Query, _)) => db = true,
            Some((Io::Remote, _)) => remote = true,
            None => {}
        }
        let store = !(db || remote) && is_store_call(ctx, call);
        db |= store;
        if !(db || remote) || uses_batch_lookup(ctx, call) {
            continue;
        }
        let loops = loops_around(ctx, call);
        let args_names: HashSet<&str> = call
            .field("arguments")
            .map(|a| identifiers(ctx.src, a).into_iter().collect())
            .unwrap_or_default();
        let receiver_names: HashSet<&str> = call
            .field("function")
            .map(|f| identifiers(ctx.src, f).into_iter().collect())
            .unwrap_or_default();
        for lp in &loops {
            let Some(iterable) = lp.iterable else {
                // `while stack: node = stack.pop(); session.execute(... node ...)`: a graph
                // walk with one query per visited node.
                let popped = popped_names(ctx, lp.node, call);
                let per_node = popped
                    .iter()
                    .any(|v| args_names.contains(v) || receiver_names.contains(v));
                if db && per_node && reported.insert(lp.node.id()) {
                    let message = format!(
                        "`{}` issues a query for every node this loop takes off its work list (N+1): a walk over N nodes costs N round trips. Fetch a level (or the whole closure, e.g. a recursive CTE) per query instead.",
                        short(&syntax::callee(ctx.src, call)),
                    );
                    let fix = orm_fix(ctx.framework, &callee);
                    ctx.report(RuleId::NPlusOne, call, message, fix);
                    break;
                }
                continue;
            };
            // `xs = []` filled by an earlier loop holds as many entries as that loop's data.
            let accumulated = iterable.kind() == "identifier"
                && origin(ctx, ctx.text(iterable), iterable)
                    .is_some_and(|o| o.kind() == "list" && o.named_child_count() == 0)
                && accumulated_in_loop(ctx, ctx.text(iterable), iterable);
            // (Not for another module's helper: a list a loop fills from the request's
            // items is handed to services as often as one filled from rows.)
            let filled = (followed.is_some() && !cross_module || store) && accumulated;
            if (is_constant_collection(ctx, iterable, 0) && !filled)
                || is_batched(ctx.text(iterable))
            {
                continue;
            }
            if is_request_items(ctx, iterable) {
                continue;
            }
            let assigned_in_loop: HashSet<&str> = ctx
                .src
                .find_in_scope(lp.node, &["assignment"])
                .into_iter()
                .filter(|a| a.end_byte() <= call.start_byte())
                .filter_map(|a| a.field("left"))
                .flat_map(|l| identifiers(ctx.src, l))
                .collect();
            let per_row = lp
                .vars
                .iter()
                .any(|v| args_names.contains(v) || (db && receiver_names.contains(v)))
                || assigned_in_loop.iter().any(|v| args_names.contains(v));
            if !per_row {
                continue;
            }
            let source = iterable_origin(ctx, iterable);
            if is_batched(ctx.text(source)) {
                continue;
            }
            let from_query = is_query_result(ctx, source) || annotated_query(ctx, source);
            let in_handler = ctx.handler_of(call).is_some();
            // Rows handed in from elsewhere (a parameter, an attribute): per-row when the
            // query reads a field of the loop's row (`Customer.objects.get(id=o.customer_id)`).
            // Or hands the row itself to the data-access layer (`ReportDAO.update(report,
            // {...})`): one write per row.
            let unknown_rows = matches!(source.kind(), "identifier" | "attribute")
                && lp.vars.iter().any(|v| {
                    reads_field_of(ctx, call, v)
                        || through_data_access_module(&callee)
                            && matches!(
                                method_name(&callee),
                                "update" | "delete" | "save" | "upsert" | "remove"
                            )
                            && args_names.contains(v)
                });
            // A helper handed the session queries once per row when the loop goes over
            // query results or reads the row's fields (`helper(session, row.id)`).
            let helper_per_row =
                helper_with_session && lp.vars.iter().any(|v| reads_field_of(ctx, call, v));
            let direct =
                db && !helper_with_session && followed.is_none() && (in_handler || unknown_rows);
            // A helper of this file that does the I/O, handed the row: per row when the rows
            // come from a query, from a helper of this file that queries, or from a list
            // a loop fills (not from the request's items, nor a schema-sized list: one
            // permission check per listed permission is not an N+1 in the data).
            let source_from_helper = (followed.is_some() || store)
                && source.kind() == "call"
                && (local_callee(ctx, source).is_some_and(|key| {
                    io.get_or_insert_with(|| IoIndex::new(ctx))
                        .get(ctx, key)
                        .is_some()
                }) || project_io(ctx, source).is_some());
            // Rows a helper handed the session returns, or a data-access object's read.
            let source_from_store = source.kind() == "call"
                && (passes_db_handle(ctx, source) || is_store_call_value(ctx, source));
            let followed_per_row = (followed.is_some() || store)
                && !is_schema_sized(ctx.text(iterable))
                && (from_query
                    || source_from_helper
                    || source_from_store
                    || filled
                    || rows_of_queried_result(ctx, source));
            let direct = direct && !store;
            if !(from_query || helper_per_row || direct || followed_per_row) {
                continue;
            }
            if !reported.insert(lp.node.id()) {
                break;
            }
            let what = match followed {
                Some((Io::Query, name)) => format!("a query (in `{name}`)"),
                Some((Io::Remote, name)) => format!("an HTTP request (in `{name}`)"),
                None if remote => "an HTTP request".to_string(),
                None => "a query".to_string(),
            };
            let message = format!(
                "`{}` issues {what} on every iteration of the loop over `{}` (N+1): N rows cost N round trips. Fetch what the loop needs in one batch before it (an `IN` lookup, a prefetch or a join) and look rows up in memory.",
                short(&syntax::callee(ctx.src, call)),
                short(ctx.text(iterable)),
            );
            let fix = orm_fix(ctx.framework, &callee);
            ctx.report(RuleId::NPlusOne, call, message, fix);
            break;
        }
    }
}

/// A list inside the request's own body (`data.user_ids`, `body.items`, `payload.ids` where
/// the name is a parameter of the function, or a parameter typed `*Request`): its length is
/// what the client sent, so a call per entry is per request item, not per row of a query.
fn is_request_items(ctx: &Ctx, iterable: Node) -> bool {
    // The request's parsed body itself (`items = request.data if ... else [request.data]`).
    let source = ctx.text(iterable_origin(ctx, iterable));
    if [
        "request.data",
        "request.POST",
        "request.json",
        "request.get_json(",
        "request.form",
        "serializer.validated_data",
    ]
    .iter()
    .any(|body| {
        source.starts_with(body) || source.starts_with("self.") && source[5..].starts_with(body)
    }) {
        return true;
    }
    let iterable = match iterable.kind() {
        "call"
            if matches!(
                syntax::callee(ctx.src, iterable).as_ref(),
                "enumerate" | "list" | "sorted" | "set" | "zip"
            ) =>
        {
            match call_arguments(iterable).first() {
                Some(arg) => *arg,
                None => return false,
            }
        }
        _ => iterable,
    };
    if iterable.kind() != "attribute" {
        return false;
    }
    let Some(root) = ctx
        .src
        .find_all(iterable, &["identifier"])
        .into_iter()
        .next()
    else {
        return false;
    };
    let name = ctx.text(root);
    let Some(function) = syntax::enclosing_function(ctx.src, iterable) else {
        return false;
    };
    if !syntax::parameter_names(ctx.src, function)
        .iter()
        .any(|p| p == name)
    {
        return false;
    }
    matches!(name, "data" | "body" | "payload" | "request_data")
        || parameter_annotation(ctx, name, iterable).is_some_and(|t| {
            let t = t.trim();
            t.ends_with("Request") || t.ends_with("Body") || t.ends_with("Payload")
        })
}

/// Names a `while` loop assigns from its work list before `call`: `node = stack.pop()`,
/// `current = queue.popleft()`.
fn popped_names<'t>(ctx: &Ctx<'_, 't>, lp: Node<'t>, call: Node<'t>) -> HashSet<&'t str> {
    if lp.kind() != "while_statement" {
        return HashSet::new();
    }
    ctx.src
        .find_in_scope(lp, &["assignment"])
        .into_iter()
        .filter(|a| a.end_byte() <= call.start_byte())
        .filter(|a| {
            a.field("right").is_some_and(|r| {
                r.kind() == "call"
                    && matches!(method_name(&syntax::callee(ctx.src, r)), "pop" | "popleft")
            })
        })
        .filter_map(|a| a.field("left"))
        .flat_map(|l| identifiers(ctx.src, l))
        .collect()
}

/// Lazy related-object access (and per-row writes) on rows of a queryset.
fn lazy_related_access(ctx: &mut Ctx) {
    let root = ctx.src.root;
    let loops: Vec<Node> = ctx.src.find_all(
        root,
        &[
            "for_statement",
            "list_comprehension",
            "set_comprehension",
            "dictionary_comprehension",
            "generator_expression",
        ],
    );
    for node in loops {
        let Some(lp) = loop_at(ctx, node) else {
            continue;
        };
        let Some(iterable) = lp.iterable else {
            continue;
        };
        let source = iterable_origin(ctx, iterable);
        let source_text = ctx.text(source);
        let django_file = ctx.src.imports("django");
        let django =
            is_orm_queryset(ctx, source) || django_file && is_related_manager_all(source_text);
        let known = django || is_sqlalchemy_text(source_text);
        // Rows handed in from elsewhere in a Django module (a view's `queryset` argument, a
        // queryset built in another method): only manager calls on the row count there.
        let unknown = !known && django_file && may_hold_model_rows(ctx, iterable, source);
        if !(known || unknown) || yields_values(ctx, source) {
            continue;
        }
        let sqlalchemy = !django && !unknown;
        let Some(var) = lp.vars.last().copied() else {
            continue;
        };
        let body = if node.kind() == "for_statement" {
            node.field("body")
        } else {
            Some(node)
        };
        let Some(body) = body else { continue };
        let mut seen: HashSet<&str> = HashSet::new();
        let whole_file = ctx.src.text;
        for write in per_row_writes(ctx, body, var, django) {
            let message = format!(
                "`{}` writes one row per iteration of the loop over `{}` (N+1 writes): N rows cost N round trips (and N commits where the model's save or delete commits). Update or delete the rows in one statement (`queryset.update(...)`, `queryset.delete()`, `bulk_update`/`bulk_create`).",
                short(ctx.text(write)),
                short(ctx.text(iterable)),
            );
            let fix = if sqlalchemy {
                "session.execute(update(User).where(User.id.in_(ids)).values(active=False))  # one statement"
            } else {
                "Ticket.objects.filter(id__in=ids).update(status=Ticket.CLOSED)  # one UPDATE\n# or: Ticket.objects.bulk_update(tickets, [\"status\"])"
            };
            ctx.report(RuleId::NPlusOne, write, message, fix);
        }
        for attribute in ctx.src.find_in_scope(body, &["attribute"]) {
            let Some(object) = attribute.field("object") else {
                continue;
            };
            if object.kind() != "identifier" || ctx.text(object) != var {
                continue;
            }
            let Some(attr) = attribute.field("attribute").map(|a| ctx.text(a)) else {
                continue;
            };
            let Some(parent) = ctx.src.parent(attribute) else {
                continue;
            };
            let related = if attr.ends_with("_set") && !sqlalchemy {
                true
            } else if parent.kind() == "attribute" {
                let next = parent.field("attribute").map(|a| ctx.text(a)).unwrap_or("");
                let called = ctx
                    .src
                    .parent(parent)
                    .is_some_and(|g| g.kind() == "call" && g.field("function") == Some(parent));
                if called {
                    !sqlalchemy && MANAGER_OPS.contains(&next)
                } else {
                    !SCALAR_FIELDS.contains(&attr)
                        && !SCALAR_ATTRS.contains(&next)
                        && !["_at", "_on", "_date", "_time", "_id", "_json", "_data"]
                            .iter()
                            .any(|s| attr.ends_with(s))
                        && !attr.starts_with('_')
                        && !next.starts_with('_')
                        && !next.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                }
            } else if sqlalchemy {
                let iterated = parent.kind() == "for_statement"
                    && parent.field("right") == Some(attribute)
                    || parent.kind() == "for_in_clause"
                    || (parent.kind() == "argument_list"
                        && ctx
                            .src
                            .parent(parent)
                            .is_some_and(|g| syntax::callee(ctx.src, g) == "len"));
                iterated && attr.ends_with('s') && !SCALAR_FIELDS.contains(&attr)
            } else {
                false
            };
            let manager_call = attr.ends_with("_set")
                || parent.kind() == "attribute"
                    && ctx
                        .src
                        .parent(parent)
                        .is_some_and(|g| g.kind() == "call" && g.field("function") == Some(parent));
            // A prefetch fills the cache `all()`, `count()` and `exists()` read; any other
            // manager method (`filter`, `values_list`, `first`...) is a fresh query per row.
            let bypasses_prefetch = parent.kind() == "attribute"
                && parent
                    .field("attribute")
                    .is_some_and(|a| !matches!(ctx.text(a), "all" | "count" | "exists"))
                && ctx
                    .src
                    .parent(parent)
                    .is_some_and(|g| g.kind() == "call" && g.field("function") == Some(parent));
            if !related
                || seen.contains(attr)
                || !bypasses_prefetch && prefetches(source_text, attr.trim_end_matches("_set"))
                || unknown
                    && (!manager_call || prefetches(whole_file, attr.trim_end_matches("_set")))
            {
                continue;
            }
            seen.insert(attr);
            let (fix, how) = if sqlalchemy {
                ("select(Book).options(selectinload(Book.author))  # or joinedload for many-to-one", "`.options(selectinload(...))` / `joinedload(...)`")
            } else if attr.ends_with("_set")
                || parent.kind() == "attribute"
                    && ctx.src.parent(parent).is_some_and(|g| g.kind() == "call")
            {
                (
                    "Book.objects.prefetch_related(\"reviews\")  # one extra query for all rows",
                    "`prefetch_related(...)`",
                )
            } else {
                ("Book.objects.select_related(\"author\")  # joins the related row into the same query", "`select_related(...)`")
            };
            let message = format!(
                "`{var}.{attr}` loads related rows lazily: one query per row of `{}` (N+1). Load the relation with the loop's query using {how}.",
                short(ctx.text(iterable)),
            );
            let report_node = if parent.kind() == "attribute" {
                parent
            } else {
                attribute
            };
            ctx.report(RuleId::NPlusOne, report_node, message, fix);
        }
    }
}

// ---------------------------------------------------------------------------------
// blocking-call-in-async

fn blocking_alternative(callee: &str) -> Option<&'static str> {
    let method = method_name(callee);
    Some(match callee {
        "time.sleep" => "await asyncio.sleep(seconds)",
        // pywebpush's `webpush` posts to the push service with `requests`.
        "pywebpush.webpush" => "await asyncio.to_thread(webpush, subscription_info, data, vapid_private_key=key)",
        "urllib.request.urlopen" | "urlopen" => "async with httpx.AsyncClient() as client:\n    response = await client.get(url)",
        "os.system" | "os.popen" | "subprocess.run" | "subprocess.call" | "subprocess.check_call" | "subprocess.check_output" | "subprocess.getoutput" | "subprocess.getstatusoutput" => {
            "proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)\nout, _ = await proc.communicate()"
        }
        "open" | "io.open" => "async with aiofiles.open(path) as f:\n    data = await f.read()\n# or: data = await asyncio.to_thread(path.read_text)",
        "psycopg2.connect" | "pymysql.connect" | "sqlite3.connect" | "MySQLdb.connect" | "mysql.connector.connect" | "psycopg.connect" => {
            "conn = await asyncpg.connect(dsn)  # or an async pool created at start-up"
        }
        "shutil.copyfile" | "shutil.copy" | "shutil.copy2" | "shutil.copytree" | "shutil.rmtree" | "shutil.move" | "shutil.make_archive" | "shutil.unpack_archive" => "await asyncio.to_thread(shutil.copyfile, src, dst)",
        "socket.create_connection" => "reader, writer = await asyncio.open_connection(host, port)",
        _ if is_remote_call(callee) && !callee.starts_with("urllib") => "async with httpx.AsyncClient() as client:  # better: one client created at start-up\n    response = await client.get(url)",
        "glob.glob" | "glob.iglob" | "os.listdir" | "os.scandir" | "os.walk" => {
            "paths = await asyncio.to_thread(glob.glob, pattern)  # or scan once at start-up"
        }
        // Password hashing (bcrypt, PBKDF2, argon2) costs tens to hundreds of milliseconds
        // of CPU by design.
        _ if matches!(method, "check_password" | "verify_password" | "hash_password" | "make_password" | "hashpw" | "checkpw") => {
            "ok = await asyncio.to_thread(check_password, password, hashed)"
        }
        // Only `pathlib` paths have `iterdir`/`rglob`; `glob` is also the module's.
        _ if matches!(method, "rglob" | "iterdir") && callee.contains('.') => {
            "paths = await asyncio.to_thread(lambda: list(base_path.iterdir()))"
        }
        _ if method == "glob"
            && callee.rsplit_once('.').is_some_and(|(r, _)| {
                let r = r.to_ascii_lowercase();
                r.ends_with("path") || r.ends_with("dir") || r.ends_with("directory")
            }) =>
        {
            "paths = await asyncio.to_thread(lambda: list(base_path.glob(pattern)))"
        }
        _ if matches!(method, "read_text" | "read_bytes" | "write_text" | "write_bytes") && callee.contains('.') => {
            "data = await asyncio.to_thread(path.read_text)"
        }
        _ => return None,
    })
}

/// Start-up and shut-down code (`lifespan`, `on_event("startup")`): runs once, before or
/// after the server takes requests, so blocking there stalls no request.
fn runs_once_at_startup(ctx: &Ctx, function: Node, name: &str) -> bool {
    let decorated = ctx
        .src
        .parent(function)
        .filter(|p| p.kind() == "decorated_definition")
        .is_some_and(|d| {
            let t = ctx.text(d);
            let head = &t[..function.start_byte() - d.start_byte()];
            head.contains("on_event(") || head.contains("asynccontextmanager")
        });
    decorated || name == "lifespan" || name.contains("startup") || name.contains("shutdown")
}

/// For each sync function an async request handler of this file calls directly (not through
/// `to_thread`/`run_in_executor`), the name of that handler: the sync function's blocking calls
/// then run on the event loop.
fn async_callers<'t>(ctx: &Ctx<'_, 't>) -> HashMap<(Option<usize>, String), &'t str> {
    let mut callers = HashMap::new();
    for f in ctx.src.nodes_of(&["function_definition"]) {
        // Only request handlers: an internal async helper may well run the sync function
        // in a thread further up, which this file does not show.
        if !syntax::is_async(f) || ctx.handler_of(f).is_none() {
            continue;
        }
        let Some(fname) = f.field("name").map(|n| ctx.text(n)) else {
            continue;
        };
        if runs_once_at_startup(ctx, f, fname) {
            continue;
        }
        for c in ctx.src.find_in_scope(f, &["call"]) {
            if syntax::enclosing_function(ctx.src, c) != Some(f) {
                continue;
            }
            // `self.helper()` names a method of the caller's own class; `helper()` a function.
            let callee = syntax::callee(ctx.src, c);
            let key = match callee.strip_prefix("self.") {
                Some(method) => (class_of(ctx, f), method.to_string()),
                None => (None, callee.into_owned()),
            };
            callers.entry(key).or_insert(fname);
        }
    }
    callers
}

/// The start of the class a method is defined in (`None` for a plain function).
fn class_of(ctx: &Ctx, function: Node) -> Option<usize> {
    let parent = ctx.src.parent(function)?;
    let parent = if parent.kind() == "decorated_definition" {
        ctx.src.parent(parent)?
    } else {
        parent
    };
    (parent.kind() == "block")
        .then(|| ctx.src.parent(parent))
        .flatten()
        .filter(|c| c.kind() == "class_definition")
        .map(|c| c.start_byte())
}

/// Calls that hand their callable to a thread (`asyncio.to_thread(f, ...)`,
/// `loop.run_in_executor(None, partial(f, store=store))`): what they are given does not run on
/// the event loop.
fn runs_in_thread(ctx: &Ctx, node: Node, function: Node) -> bool {
    ctx.src
        .ancestors(node)
        .take_while(|a| *a != function)
        .filter(|a| a.kind() == "call")
        .any(|a| {
            matches!(
                method_name(&syntax::callee(ctx.src, a)),
                "to_thread"
                    | "run_in_executor"
                    | "run_in_threadpool"
                    | "run_sync"
                    | "sync_to_async"
                    | "run_blocking"
                    | "partial"
                    | "submit"
            )
        })
}

/// A synchronous data-access object (`store = _get_store()`, `repo: SqlAlchemyStore`):
/// a local the function got from a plain (not awaited) call, or a parameter annotated with a
/// store class that is not an async one.
fn is_sync_store(ctx: &Ctx, name: &str, at: Node) -> bool {
    // Whole words: `stored_tag_names` is a set, not a store.
    let store_word = super::name_parts(name).any(|w| {
        matches!(
            w.as_str(),
            "store" | "storage" | "repo" | "repository" | "dao"
        )
    });
    if is_sync_session_parameter(ctx, name, at) {
        return true;
    }
    if !store_word || !is_data_store(&name.to_ascii_lowercase()) {
        return false;
    }
    if let Some(annotation) = parameter_annotation(ctx, name, at) {
        // `SqlAlchemyStore`, `'Repo'`, `UserRepository`: a store class, not an async one.
        return ["Store", "Storage", "Repo", "Dao", "DAO"]
            .iter()
            .any(|k| annotation.contains(k))
            && !annotation.contains("Async");
    }
    origin(ctx, name, at).is_some_and(|o| {
        o.kind() == "call"
            && ctx.src.parent(o).is_none_or(|p| p.kind() != "await")
            && !syntax::callee(ctx.src, o)
                .to_ascii_lowercase()
                .contains("async")
    })
}

/// The `async def` that runs `call` on the event loop, and its name: not awaited, not handed
/// to a thread, not start-up code, and not a function `reported` already holds.
fn unawaited_in_async<'t>(
    ctx: &Ctx<'_, 't>,
    call: Node<'t>,
    reported: &HashSet<usize>,
) -> Option<(Node<'t>, &'t str)> {
    let function = syntax::enclosing_function(ctx.src, call)?;
    if function.kind() != "function_definition"
        || !syntax::is_async(function)
        || reported.contains(&function.id())
        || ctx.src.parent(call).is_some_and(|p| p.kind() == "await")
        || runs_in_thread(ctx, call, function)
    {
        return None;
    }
    let name = function.field("name").map(|n| ctx.text(n)).unwrap_or("");
    (!runs_once_at_startup(ctx, function, name)).then_some((function, name))
}

/// A synchronous database session or connection handed to the function as a parameter:
/// annotated with a sync session type (`session: Session`, `conn: sqlite3.Connection`,
/// `Annotated[Session, Depends(get_db)]`, not `AsyncSession`), or injected by a dependency
/// named for one (`db=Depends(get_db)`, `factory=Depends(object_factory)`,
/// `uow=Depends(unit_of_work)`). Never when the function awaits anything on it (`await
/// session.execute(...)`, `async with session.begin()`): that handle is an async one.
fn is_sync_session_parameter(ctx: &Ctx, name: &str, at: Node) -> bool {
    let Some(function) = syntax::enclosing_function(ctx.src, at) else {
        return false;
    };
    let Some(params) = function.field("parameters") else {
        return false;
    };
    let mut cursor = params.walk();
    let Some(param) = params.named_children(&mut cursor).find(|p| {
        p.named_child(0)
            .is_some_and(|id| id.kind() == "identifier" && ctx.text(id) == name)
    }) else {
        return false;
    };
    let annotation = param.field("type").map(|t| ctx.text(t)).unwrap_or("");
    let default = param.field("value").map(|v| ctx.text(v)).unwrap_or("");
    let declared = annotation
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| !w.is_empty())
        .find(|w| !matches!(*w, "Annotated" | "Optional"))
        .map(|w| w.rsplit('.').next().unwrap_or(w));
    let sync_type =
        declared.is_some_and(|t| matches!(t, "Session" | "Connection" | "Engine" | "Cursor"));
    let dependency = annotation
        .split_once("Depends(")
        .or_else(|| default.split_once("Depends("))
        .map(|(_, rest)| rest.split([')', ',']).next().unwrap_or("").trim());
    let injected = declared.is_none()
        && dependency.is_some_and(|d| {
            !d.to_ascii_lowercase().contains("async")
                && super::name_parts(d).any(|w| {
                    matches!(
                        w.as_str(),
                        "session"
                            | "db"
                            | "database"
                            | "conn"
                            | "connection"
                            | "engine"
                            | "factory"
                            | "uow"
                            | "store"
                            | "storage"
                            | "repo"
                            | "repository"
                            | "dao"
                    )
                })
        });
    if !(sync_type || injected) {
        return false;
    }
    // Named on a line that awaits (`await session.execute(q)`, `await crud.get(id, conn)`,
    // `async with db.reuse_conn(conn)`): an async handle.
    let body = function.field("body").map(|b| ctx.text(b)).unwrap_or("");
    !body.lines().any(|l| {
        (l.contains("await ") || l.contains("async with ") || l.contains("async for "))
            && l.match_indices(name).any(|(i, _)| {
                let word = |c: char| c.is_alphanumeric() || c == '_';
                !l[..i].ends_with(word) && !l[i + name.len()..].starts_with(word)
            })
    })
}

/// `blocking-call-in-async`: a synchronous data-access object queried from an async request
/// handler (`store.get_endpoint(name)`, `get_config(name, store=store)`, not awaited): the
/// query runs on the event loop. Reported once per handler, at the first call that uses the
/// store (not its validation).
fn sync_store_in_async(ctx: &mut Ctx) {
    let mut reported = HashSet::new();
    for call in ctx.src.nodes_of(&["call"]) {
        let Some((function, name)) = unawaited_in_async(ctx, call, &reported) else {
            continue;
        };
        let callee = syntax::callee(ctx.src, call);
        if callee.contains("valid") || callee == "isinstance" {
            continue;
        }
        // Staging a row in the session (`session.add(row)`) sends nothing yet.
        if matches!(
            method_name(&callee),
            "add" | "add_all" | "expunge" | "expunge_all" | "close"
        ) {
            continue;
        }
        // In a request handler, any sync store; in another async function (a streaming
        // generator, a hook), one it is handed as a parameter: an async function runs on the
        // event loop whoever calls it.
        let in_handler = ctx.handler_of(function).is_some();
        let parameters = syntax::parameter_names(ctx.src, function);
        let sync_store = |r: &str| {
            (in_handler || parameters.iter().any(|p| p == r)) && is_sync_store(ctx, r, call)
        };
        let receiver = callee
            .rsplit_once('.')
            .map(|(r, _)| r)
            .filter(|r| !r.contains('.'));
        let store = receiver.filter(|r| sync_store(r)).or_else(|| {
            let args = call.field("arguments")?;
            let mut cursor = args.walk();
            let found = args.named_children(&mut cursor).find_map(|a| {
                let value = match a.kind() {
                    "keyword_argument" => a.field("value")?,
                    _ => a,
                };
                (value.kind() == "identifier" && sync_store(ctx.text(value)))
                    .then(|| ctx.text(value))
            });
            found.filter(|_| !calls_async_function(ctx, call))
        });
        let Some(store) = store else {
            continue;
        };
        reported.insert(function.id());
        let message = format!(
            "`{}` queries the synchronous data store `{store}` inside `async def {name}`: the query runs on the event loop, so every concurrent request on this worker waits for it. Run it in a thread (`await asyncio.to_thread(...)`), or give the store an async driver.",
            short(&callee)
        );
        let fix = "config = await asyncio.to_thread(get_endpoint_config, endpoint_name=name, store=store)\n# or: an async engine/session (asyncpg, SQLAlchemy AsyncSession)";
        ctx.report(RuleId::BlockingCallInAsync, call, message, fix);
    }
}

/// `blocking-call-in-async`: an async request handler calling, without `await` or a thread,
/// a plain `def` of another module of the project that queries or calls out
/// (`Users.get_user_by_id(id)` where `Users = UsersTable()` runs its queries through a sync
/// session): the query runs on the event loop. Reported once per handler, at the first
/// such call.
fn sync_project_io_in_async(ctx: &mut Ctx) {
    let Some(project) = ctx.project else {
        return;
    };
    let mut reported = HashSet::new();
    for call in ctx.src.nodes_of(&["call"]) {
        let Some((function, name)) = unawaited_in_async(ctx, call, &reported) else {
            continue;
        };
        if ctx.handler_of(function).is_none() {
            continue;
        }
        let Some((callee, full)) = imported_name(ctx, call) else {
            continue;
        };
        if project.imported_is_async(&full) || !project.imported_io(&full, 1) {
            continue;
        }
        reported.insert(function.id());
        let message = format!(
            "`{callee}` is a plain `def` of this project that queries or calls out, called inside `async def {name}`: its I/O runs on the event loop, so every concurrent request on this worker waits for it. Call it through `await asyncio.to_thread(...)`, or make it async."
        );
        let fix = "user = await asyncio.to_thread(Users.get_user_by_id, user_id)\n# or: an async version of the helper on an async session";
        ctx.report(RuleId::BlockingCallInAsync, call, message, fix);
    }
}

/// `proc.wait()` / `proc.communicate()` on a `subprocess.Popen` the function started.
fn waits_for_process(ctx: &Ctx, call: Node, callee: &str) -> bool {
    let Some((receiver, method)) = callee.rsplit_once('.') else {
        return false;
    };
    matches!(method, "wait" | "communicate")
        && origin(ctx, receiver, call)
            .is_some_and(|o| o.kind() == "call" && ctx.resolved_callee(o).ends_with("Popen"))
}

fn blocking_call_in_async(ctx: &mut Ctx) {
    sync_store_in_async(ctx);
    sync_project_io_in_async(ctx);
    let callers = async_callers(ctx);
    for call in ctx.src.nodes_of(&["call"]) {
        let Some(function) = syntax::enclosing_function(ctx.src, call) else {
            continue;
        };
        if function.kind() != "function_definition" {
            continue;
        }
        let name = function.field("name").map(|n| ctx.text(n)).unwrap_or("");
        let via = if syntax::is_async(function) {
            None
        } else {
            match callers.get(&(class_of(ctx, function), name.to_string())) {
                Some(caller) => Some(*caller),
                None => continue,
            }
        };
        if runs_once_at_startup(ctx, function, name) {
            continue;
        }
        let callee = ctx.resolved_callee(call);
        if callee == "open" && ctx.imports.contains_key("open") {
            continue;
        }
        // An awaited call is an async one (`await anyio.Path(p).read_bytes()`,
        // `await verify_password(...)` of an async helper).
        if ctx.src.parent(call).is_some_and(|p| p.kind() == "await") {
            continue;
        }
        let fix = if waits_for_process(ctx, call, &callee) {
            blocking_alternative("subprocess.run")
        } else {
            blocking_alternative(&callee)
        };
        let Some(fix) = fix else {
            continue;
        };
        let message = match via {
            None => format!(
                "`{}` blocks inside `async def {name}`: while it waits, the event loop runs nothing else, so every concurrent request on this worker stalls. Use the async equivalent or run it in a thread (`await asyncio.to_thread(...)`).",
                syntax::callee(ctx.src, call)
            ),
            Some(caller) => format!(
                "`{}` blocks in `{name}`, which `async def {caller}` calls directly: it runs on the event loop, so every concurrent request on this worker stalls while it waits. Use the async equivalent, or call `{name}` through `await asyncio.to_thread({name}, ...)`.",
                syntax::callee(ctx.src, call)
            ),
        };
        ctx.report(RuleId::BlockingCallInAsync, call, message, fix);
    }
}

// ---------------------------------------------------------------------------------
// quadratic-loop

/// Whether `name` (at `at`) holds a list built from data (not a small literal).
fn is_data_list(ctx: &Ctx, name: &str, at: Node) -> bool {
    let is_parameter = syntax::enclosing_function(ctx.src, at).is_some_and(|f| {
        syntax::parameter_names(ctx.src, f)
            .iter()
            .any(|p| p == name)
    });
    if is_parameter {
        return parameter_annotation(ctx, name, at).is_some_and(|t| {
            let t = t.trim();
            t.starts_with("list[") || t.starts_with("List[") || t == "list"
        });
    }
    if let Some(o) = origin(ctx, name, at) {
        return match o.kind() {
            "list_comprehension" => true,
            "list" if o.named_child_count() == 0 => accumulated_in_loop(ctx, name, at),
            "list" => !is_constant_collection(ctx, o, 0),
            "call" => {
                let callee = syntax::callee(ctx.src, o);
                matches!(callee.as_ref(), "list" | "sorted")
                    && !call_arguments(o)
                        .iter()
                        .all(|a| is_constant_collection(ctx, *a, 0))
                    || method_name(&callee) == "values_list"
                        && ctx.text(o).contains("flat=True")
                        && !ctx.text(o).contains("[:")
            }
            _ => false,
        };
    }
    parameter_annotation(ctx, name, at).is_some_and(|t| {
        let t = t.trim();
        t.starts_with("list[") || t.starts_with("List[") || t == "list"
    })
}

/// Whether the list `name` (started empty) grows inside a loop of its function
/// (`name.append(x)`, `name.extend(xs)`, `name += xs` per iteration): as long as the data.
/// Appended only outside loops, it holds a few fixed entries.
fn accumulated_in_loop(ctx: &Ctx, name: &str, at: Node) -> bool {
    let scope = scope_of(ctx, at);
    ctx.src
        .find_all(scope, &["call", "augmented_assignment"])
        .into_iter()
        .any(|node| {
            let grows = match node.kind() {
                "call" => calls_method_on(
                    &syntax::callee(ctx.src, node),
                    name,
                    &["append", "extend", "insert"],
                ),
                _ => node.field("left").is_some_and(|l| ctx.text(l) == name),
            };
            grows
                && loops_around(ctx, node).iter().any(|l| {
                    l.iterable
                        .is_none_or(|i| !is_constant_collection(ctx, i, 0))
                })
        })
}

fn quadratic_loop(ctx: &mut Ctx) {
    // Membership tests on lists inside loops.
    for comparison in ctx.src.nodes_of(&["comparison_operator"]) {
        let mut cursor = comparison.walk();
        let children: Vec<Node> = comparison.children(&mut cursor).collect();
        let Some(index) = children
            .iter()
            .position(|c| matches!(c.kind(), "in" | "not in"))
        else {
            continue;
        };
        let Some(right) = children[index + 1..].iter().find(|c| c.is_named()).copied() else {
            continue;
        };
        let loops = loops_around(ctx, comparison);
        if !loops.iter().any(|l| {
            l.iterable
                .is_some_and(|i| !is_constant_collection(ctx, i, 0))
        }) {
            continue;
        }
        let schema_sized = is_schema_sized(ctx.text(right))
            || loops
                .iter()
                .any(|l| l.iterable.is_some_and(|i| is_schema_sized(ctx.text(i))));
        // Per entry the client sent (`for name in data.labels`): as many tests as the
        // request has items, not a product of two data sizes.
        let per_request_item = loops
            .iter()
            .filter(|l| {
                l.iterable
                    .is_some_and(|i| !is_constant_collection(ctx, i, 0))
            })
            .all(|l| l.iterable.is_some_and(|i| is_request_items(ctx, i)));
        let flagged = !schema_sized
            && !per_request_item
            && match right.kind() {
                "identifier" => {
                    is_data_list(ctx, ctx.text(right), comparison)
                        && !is_one_rows_children(ctx, right, comparison)
                        && !dedup_append(ctx, comparison, ctx.text(right))
                }
                "list_comprehension" => true,
                _ => false,
            };
        if flagged {
            let message = format!(
                "`{}` scans a list on every iteration: O(n) per test, O(n·m) for the loop. Build a set once before the loop (`{}_set = set(...)`) and test membership against it.",
                short(ctx.text(comparison)),
                ctx.text(right).split('[').next().unwrap_or("items").trim()
            );
            ctx.report(RuleId::QuadraticLoop, comparison, message, "seen_ids = {item.id for item in items}  # once, before the loop\nif order.item_id in seen_ids:  # O(1)");
        }
    }
    // list.index / list.count / list.remove inside loops.
    for call in ctx.src.nodes_of(&["call"]) {
        let callee = syntax::callee(ctx.src, call);
        let Some((receiver, method)) = callee.rsplit_once('.') else {
            continue;
        };
        // `list.count(x)` takes the value; a bare `.count()` is a query's row count.
        if !matches!(method, "index" | "count" | "remove")
            || receiver.contains('.')
            || receiver.contains('(')
            || call_arguments(call).is_empty()
            || is_schema_sized(receiver)
        {
            continue;
        }
        if !loops_around(ctx, call).iter().any(|l| {
            l.iterable
                .is_some_and(|i| !is_constant_collection(ctx, i, 0))
        }) {
            continue;
        }
        if is_data_list(ctx, receiver, call) {
            let message = format!("`{callee}(...)` searches the whole list on every iteration of the loop (O(n·m)). Index the list once before the loop in a dict or set.");
            ctx.report(RuleId::QuadraticLoop, call, message, "position = {value: i for i, value in enumerate(items)}  # once\ni = position[value]  # O(1)");
        }
    }
    // Nested loops over the same collection.
    let all_loops = ctx.src.nodes_of(&[
        "for_statement",
        "list_comprehension",
        "set_comprehension",
        "dictionary_comprehension",
        "generator_expression",
    ]);
    for node in all_loops {
        let Some(inner) = loop_at(ctx, node) else {
            continue;
        };
        let Some(inner_iter) = inner.iterable else {
            continue;
        };
        if is_constant_collection(ctx, inner_iter, 0) {
            continue;
        }
        let inner_text = ctx.text(inner_iter);
        if inner_iter.kind() == "call"
            || is_iterator(ctx, inner_iter)
            || is_schema_sized(inner_text)
        {
            continue;
        }
        let same_outer = loops_around(ctx, node)
            .into_iter()
            .any(|outer| outer.iterable.is_some_and(|o| ctx.text(o) == inner_text));
        if same_outer {
            let message = format!(
                "This loop goes over `{}` again for every element of an outer loop over the same collection: n² iterations. Group or index the collection once (a dict keyed by what you compare) and do a single pass.",
                short(inner_text)
            );
            ctx.report(RuleId::QuadraticLoop, inner_iter, message, "by_key = defaultdict(list)\nfor item in items:\n    by_key[item.key].append(item)  # one pass, then look up by_key[k]");
        }
    }
    // Repeated string concatenation in loops.
    for node in ctx.src.nodes_of(&["augmented_assignment", "assignment"]) {
        let Some(left) = node.field("left").filter(|l| l.kind() == "identifier") else {
            continue;
        };
        let name = ctx.text(left);
        let concatenates = match node.kind() {
            "augmented_assignment" => node.field("operator").is_some_and(|o| ctx.text(o) == "+="),
            _ => node.field("right").is_some_and(|r| {
                r.kind() == "binary_operator"
                    && r.field("operator").is_some_and(|o| ctx.text(o) == "+")
                    && r.field("left").is_some_and(|l| ctx.text(l) == name)
            }),
        };
        if !concatenates {
            continue;
        }
        let loops = loops_around(ctx, node);
        if !loops.iter().any(|l| {
            l.node.kind() != "while_statement"
                && l.iterable
                    .is_some_and(|i| !is_constant_collection(ctx, i, 0))
        }) {
            continue;
        }
        let Some(first) = loops.last() else { continue };
        let Some(start) = origin(ctx, name, first.node) else {
            continue;
        };
        if start.kind() != "string" {
            continue;
        }
        let message = format!(
            "`{name}` grows by string concatenation inside a loop: each step may copy the whole string, O(n²) for large inputs. Collect the parts in a list and `\"\".join(parts)` once."
        );
        ctx.report(
            RuleId::QuadraticLoop,
            node,
            message,
            "parts = []\nfor row in rows:\n    parts.append(render(row))\nhtml = \"\".join(parts)",
        );
    }
}

/// A list copied from one row's own list field (`current = list(team.group_ids or [])`):
/// it holds that row's children, which do not grow with the table.
fn is_one_rows_children(ctx: &Ctx, list: Node, at: Node) -> bool {
    origin(ctx, ctx.text(list), at).is_some_and(|o| {
        o.kind() == "call"
            && matches!(
                syntax::callee(ctx.src, o).as_ref(),
                "list" | "tuple" | "sorted"
            )
            && call_arguments(o).first().is_some_and(|a| {
                let a = match a.kind() {
                    "boolean_operator" => a.field("left").unwrap_or(*a),
                    _ => *a,
                };
                a.kind() == "attribute"
                    && a.field("object").is_some_and(|o| o.kind() == "identifier")
            })
    })
}

/// `if x not in seen: seen.append(x)`: collecting distinct values in order, over values
/// that are not rows of a query nor a collection handed in (one row's extenders, the
/// addresses a host name resolves to): the list holds the few distinct values seen so far,
/// and the idiom is how ordered de-duplication is written; not reported. Over a query's rows
/// or a parameter (`for o in Order.objects.values_list("email")`) it stays quadratic in the
/// data.
fn dedup_append(ctx: &Ctx, comparison: Node, list: &str) -> bool {
    let Some(iterable) = loops_around(ctx, comparison)
        .into_iter()
        .next()
        .and_then(|l| l.iterable)
    else {
        return false;
    };
    let source = iterable_origin(ctx, iterable);
    let handed_in = source.kind() == "identifier"
        && syntax::enclosing_function(ctx.src, source).is_some_and(|f| {
            syntax::parameter_names(ctx.src, f)
                .iter()
                .any(|p| p == ctx.text(source))
        });
    if handed_in || is_query_result(ctx, source) {
        return false;
    }
    let Some(statement) = ctx
        .src
        .parent(comparison)
        .filter(|p| p.kind() == "if_statement")
    else {
        return false;
    };
    if !ctx.text(comparison).contains("not in") {
        return false;
    }
    statement.field("consequence").is_some_and(|body| {
        ctx.src
            .find_all(body, &["call"])
            .into_iter()
            .any(|c| calls_method_on(&syntax::callee(ctx.src, c), list, &["append"]))
    })
}

/// A single-pass iterator (a generator, `iter(...)`, `map(...)`): looping over it twice
/// does not repeat the work.
fn is_iterator(ctx: &Ctx, node: Node) -> bool {
    if node.kind() != "identifier" {
        return false;
    }
    origin(ctx, ctx.text(node), node).is_some_and(|o| {
        o.kind() == "generator_expression"
            || (o.kind() == "call"
                && matches!(
                    syntax::callee(ctx.src, o).as_ref(),
                    "iter" | "map" | "filter" | "zip" | "itertools.chain" | "chain"
                ))
    })
}

// ---------------------------------------------------------------------------------
// connection-leak

fn acquires(callee: &str) -> bool {
    let method = method_name(callee);
    let recv = receiver_last(callee);
    matches!(
        callee,
        "open"
            | "io.open"
            | "psycopg2.connect"
            | "psycopg.connect"
            | "pymysql.connect"
            | "sqlite3.connect"
            | "MySQLdb.connect"
            | "mysql.connector.connect"
            | "pyodbc.connect"
            | "cx_Oracle.connect"
            | "oracledb.connect"
            | "asyncpg.connect"
            | "aiosqlite.connect"
            | "aiomysql.connect"
            | "socket.socket"
            | "socket.create_connection"
            | "ftplib.FTP"
            | "requests.Session"
            | "requests.session"
            | "httpx.Client"
            | "httpx.AsyncClient"
            | "aiohttp.ClientSession"
            | "SessionLocal"
            | "sqlalchemy.orm.Session"
            | "tarfile.open"
            | "zipfile.ZipFile"
            | "PIL.Image.open"
            | "Image.open"
            | "urllib.request.urlopen"
            | "urllib3.HTTPConnectionPool"
            | "urllib3.HTTPSConnectionPool"
            | "urllib3.PoolManager"
            | "smtplib.SMTP"
            | "smtplib.SMTP_SSL"
            | "smtplib.LMTP"
            | "imaplib.IMAP4"
            | "imaplib.IMAP4_SSL"
            | "poplib.POP3"
            | "poplib.POP3_SSL"
            | "ftplib.FTP_TLS"
            | "paramiko.SSHClient"
            | "gzip.open"
            | "gzip.GzipFile"
            | "bz2.open"
            | "lzma.open"
    ) || (method == "connect" && recv.contains("engine"))
        || method == "raw_connection"
        || method == "getconn"
        || (method == "acquire" && recv.contains("pool"))
        || (callee.ends_with("SessionLocal") && !callee.contains('('))
}

fn creates_per_request(callee: &str) -> bool {
    matches!(
        callee,
        "sqlalchemy.create_engine"
            | "create_engine"
            | "sqlalchemy.ext.asyncio.create_async_engine"
            | "create_async_engine"
            | "redis.Redis"
            | "redis.StrictRedis"
            | "redis.from_url"
            | "redis.Redis.from_url"
            | "redis.asyncio.Redis"
            | "redis.asyncio.from_url"
            | "aioredis.from_url"
            | "pymongo.MongoClient"
            | "motor.motor_asyncio.AsyncIOMotorClient"
            | "asyncpg.create_pool"
            | "psycopg2.pool.SimpleConnectionPool"
            | "psycopg2.pool.ThreadedConnectionPool"
            | "requests.Session"
            | "requests.session"
            | "httpx.Client"
            | "httpx.AsyncClient"
            | "aiohttp.ClientSession"
            | "boto3.client"
            | "boto3.resource"
            | "elasticsearch.Elasticsearch"
    )
}

const RELEASES: &[&str] = &[
    "close",
    "release",
    "dispose",
    "quit",
    "shutdown",
    "aclose",
    "terminate",
    "disconnect",
];

/// The functions of this file that hand back a fresh connection or handle on every path
/// (`def _get_smtp_connection(...): return smtplib.SMTP(...)`): their callers acquire it.
fn acquisition_factories<'t>(ctx: &Ctx<'_, 't>) -> HashSet<&'t str> {
    let mut factories = HashSet::new();
    for f in ctx.src.nodes_of(&["function_definition"]) {
        let returns: Vec<Node> = ctx
            .src
            .find_in_scope(f, &["return_statement"])
            .into_iter()
            .filter(|r| syntax::enclosing_function(ctx.src, *r) == Some(f))
            .collect();
        let fresh = !returns.is_empty()
            && returns.iter().all(|r| {
                r.named_child(0)
                    .is_some_and(|v| v.kind() == "call" && acquires(&ctx.resolved_callee(v)))
            });
        if let Some(name) = f.field("name").filter(|_| fresh) {
            factories.insert(ctx.text(name));
        }
    }
    factories
}

fn connection_leak(ctx: &mut Ctx) {
    let factories = acquisition_factories(ctx);
    for call in ctx.src.nodes_of(&["call"]) {
        let callee = ctx.resolved_callee(call);
        let acquired = acquires(&callee) || factories.contains(callee.as_str());
        let per_request = creates_per_request(&callee) && ctx.handler_of(call).is_some();
        if !acquired && !per_request {
            continue;
        }
        let Some(function) =
            syntax::enclosing_function(ctx.src, call).filter(|f| f.kind() == "function_definition")
        else {
            continue;
        };
        let Some(body) = function.field("body") else {
            continue;
        };
        let in_with = ctx
            .src
            .ancestors(call)
            .take_while(|a| *a != function)
            .any(|a| a.kind() == "with_item");
        let expr = match ctx.src.parent(call) {
            Some(p) if p.kind() == "await" => p,
            _ => call,
        };
        let assigned = ctx
            .src
            .parent(expr)
            .filter(|p| p.kind() == "assignment" && p.field("right") == Some(expr))
            .and_then(|p| p.field("left"))
            .filter(|l| l.kind() == "identifier")
            .map(|l| ctx.text(l));
        // An archive over an in-memory buffer holds no descriptor or connection.
        // So does an image over the request's uploaded file, which the framework closes.
        let in_memory = matches!(
            callee.as_str(),
            "zipfile.ZipFile" | "tarfile.open" | "PIL.Image.open" | "Image.open"
        ) && call_arguments(call).first().is_some_and(|a| {
            let text = match a.kind() {
                "identifier" => origin(ctx, ctx.text(*a), call).map(|o| ctx.text(o)),
                _ => Some(ctx.text(*a)),
            };
            text.is_some_and(|t| {
                t.contains("BytesIO(") || t.contains("StringIO(") || t.contains("request.")
            })
        });
        let mut leak_message = None;
        if acquired && !in_with && !in_memory {
            if let Some(var) = assigned {
                leak_message = leak_of(ctx, body, var, expr);
            } else if let Some(user) = unowned_use(ctx, expr) {
                leak_message = Some(format!(
                    "`{}` opens a file that nothing closes: it is used once (`{}`) and left for the garbage collector, so an exception or another interpreter keeps the descriptor open. Open it in a `with` block.",
                    short(ctx.text(call)),
                    short(user)
                ));
            }
        }
        if let Some(message) = leak_message {
            let fix = if callee.ends_with("open") {
                "with open(path) as f:  # closed on every path, including exceptions\n    data = f.read()"
            } else if callee.contains("Session") {
                "def get_db():\n    db = SessionLocal()\n    try:\n        yield db\n    finally:\n        db.close()"
            } else {
                "conn = pool.getconn()\ntry:\n    ...\nfinally:\n    pool.putconn(conn)  # or: with psycopg.connect(dsn) as conn:"
            };
            ctx.report(RuleId::ConnectionLeak, call, message, fix);
        } else if per_request {
            let message = format!(
                "`{}` creates a new client/pool on every request: each one opens fresh connections (TCP and TLS handshakes, authentication) and throws them away. Create it once at start-up (module level or the app's lifespan) and reuse it.",
                syntax::callee(ctx.src, call)
            );
            let fix = match ctx.framework {
                Some(Framework::FastApi) => "@asynccontextmanager\nasync def lifespan(app):\n    app.state.http = httpx.AsyncClient()\n    yield\n    await app.state.http.aclose()",
                _ => "http = requests.Session()  # module level, shared by every request\nredis_client = redis.Redis.from_url(REDIS_URL)",
            };
            ctx.report(RuleId::ConnectionLeak, call, message, fix);
        }
    }
}

/// How an unassigned, un-`with`ed file handle is used, when nothing takes it over:
/// `open(p).read()`, `json.load(open(p))`, `File(open(p))`. Closing it at once
/// (`open(p, "w").close()`, which creates an empty file) releases it. A response object
/// that streams and closes the file (`FileResponse(open(p, "rb"))`) owns it, and a wrapper
/// that is returned or yielded (`return File(open(p))`) hands it to the caller.
fn unowned_use<'t>(ctx: &Ctx<'_, 't>, expr: Node<'t>) -> Option<&'t str> {
    if !syntax::callee(ctx.src, expr).ends_with("open") {
        return None;
    }
    let parent = ctx.src.parent(expr)?;
    match parent.kind() {
        "attribute" => {
            let call = ctx.src.parent(parent).filter(|c| c.kind() == "call")?;
            let closes = parent
                .field("attribute")
                .is_some_and(|a| ctx.text(a) == "close");
            (!closes).then(|| ctx.text(call))
        }
        "argument_list" => {
            let call = ctx.src.parent(parent)?;
            let callee = syntax::callee(ctx.src, call);
            let handed_over = ctx
                .src
                .parent(call)
                .is_some_and(|p| matches!(p.kind(), "return_statement" | "yield"));
            (!callee.ends_with("Response") && !callee.ends_with("Wrapper") && !handed_over)
                .then(|| ctx.text(call))
        }
        _ => None,
    }
}

/// Why `var`, acquired at `acquired` in `body`, is not released on every path (`None` if it is).
fn leak_of(ctx: &Ctx, body: Node, var: &str, acquired: Node) -> Option<String> {
    let mut releases: Vec<Node> = Vec::new();
    for node in ctx.src.find_in_scope(
        body,
        &[
            "call",
            "with_item",
            "return_statement",
            "yield",
            "assignment",
        ],
    ) {
        match node.kind() {
            "call" => {
                let callee = syntax::callee(ctx.src, node);
                let args: Vec<&str> = call_arguments(node).iter().map(|a| ctx.text(*a)).collect();
                let on_var = callee
                    .strip_prefix(var)
                    .and_then(|r| r.strip_prefix('.'))
                    .is_some_and(|m| RELEASES.contains(&m));
                let passed = args.contains(&var)
                    && (matches!(
                        method_name(&callee),
                        "putconn"
                            | "release"
                            | "closing"
                            | "enter_context"
                            | "enter_async_context"
                            | "append"
                            | "add"
                            | "callback"
                            | "push"
                    ));
                if on_var || passed {
                    if node.start_byte() > acquired.end_byte() {
                        releases.push(node);
                    }
                    if passed && !matches!(method_name(&callee), "putconn" | "release" | "closing")
                    {
                        return None;
                    }
                }
            }
            "with_item" => {
                let value = node.field("value");
                if value.is_some_and(|v| {
                    ctx.text(v) == var || ctx.text(v).starts_with(&format!("{var} as"))
                }) {
                    return None;
                }
            }
            "return_statement" | "yield" => {
                // The handle itself handed to the caller (`return conn`, `return
                // File(open(p))`); not a value read from it (`return response.code`,
                // `return pool.urlopen(...)`), which leaves the handle behind.
                let handed = ctx
                    .src
                    .find_all(node, &["identifier"])
                    .into_iter()
                    .any(|id| {
                        ctx.text(id) == var
                            && !ctx.src.parent(id).is_some_and(|p| {
                                p.kind() == "attribute" && p.field("object") == Some(id)
                            })
                    });
                if handed {
                    return None;
                }
            }
            _ => {
                let right = node.field("right");
                let left = node.field("left");
                if right.is_some_and(|r| ctx.text(r) == var)
                    && left.is_some_and(|l| l.kind() != "identifier")
                {
                    return None;
                }
            }
        }
    }
    match super::release_gap(ctx, body, acquired, &releases, &["call", "return_statement", "raise_statement", "await"])? {
        super::Release::Never => Some(format!(
            "`{var}` is acquired here and never released in this function: the connection/handle stays open until garbage collection, and under load the pool or the server's connection limit runs out. Use `with` (or `try`/`finally`) so it is released on every path."
        )),
        super::Release::SuccessPathOnly => Some(format!(
            "`{var}` is released only on the success path: if anything between acquiring and releasing it raises (or returns early), the connection/handle leaks and the pool runs dry under errors. Release it in `finally`, or acquire it with `with`."
        )),
    }
}

// ---------------------------------------------------------------------------------
// missing-cache

fn cached_function(ctx: &Ctx, function: Node) -> bool {
    ctx.src
        .parent(function)
        .filter(|p| p.kind() == "decorated_definition")
        .is_some_and(|d| {
            let text = ctx.text(d);
            let head = &text[..text.find("def ").unwrap_or(0)];
            head.contains("cache") || head.contains("memoize")
        })
}

/// `global CACHE` … `if CACHE is None: CACHE = load()`: the work runs on the first call only.
fn memoised_in_global(ctx: &Ctx, call: Node, function: Node) -> bool {
    let globals: Vec<&str> = ctx
        .src
        .find_in_scope(function, &["global_statement"])
        .into_iter()
        .flat_map(|g| identifiers(ctx.src, g))
        .collect();
    if globals.is_empty() {
        return false;
    }
    ctx.src
        .ancestors(call)
        .take_while(|a| *a != function)
        .filter(|a| a.kind() == "if_statement")
        .filter_map(|a| a.field("condition"))
        .any(|condition| {
            let text = ctx.text(condition).trim();
            globals.iter().any(|g| {
                text == format!("{g} is None")
                    || text == format!("not {g}")
                    || text == format!("{g} is None or not {g}")
            })
        })
}

const CONFIG_PARSERS: &[&str] = &[
    "json.load",
    "json.loads",
    "yaml.safe_load",
    "yaml.load",
    "yaml.full_load",
    "toml.load",
    "tomllib.load",
    "tomli.load",
];

fn missing_cache(ctx: &mut Ctx) {
    for call in ctx.src.nodes_of(&["call"]) {
        let Some(function) = syntax::enclosing_function(ctx.src, call) else {
            continue;
        };
        let outer = ctx
            .src
            .ancestors(call)
            .filter(|a| a.kind() == "function_definition")
            .last()
            .unwrap_or(function);
        if cached_function(ctx, function)
            || cached_function(ctx, outer)
            || memoised_in_global(ctx, call, function)
        {
            continue;
        }
        let callee = ctx.resolved_callee(call);
        let args = call_arguments(call);
        let handler = ctx.handler_of(call).cloned();
        // Regexes compiled per call.
        if callee == "re.compile"
            && args.first().is_some_and(|a| is_plain_string(ctx.src, *a))
            && (super::runs_per_request(ctx, call) || !loops_around(ctx, call).is_empty())
        {
            if function.kind() == "function_definition"
                && syntax::function_name(ctx.src, function).is_some_and(|n| n.ends_with("__init__"))
            {
                continue;
            }
            let message = "This regex is compiled on every call of the function, although its pattern never changes. Compile it once at module level and reuse it.".to_string();
            ctx.report(RuleId::MissingCache, call, message, "EMAIL_RE = re.compile(r\"[^@]+@[^@]+\")  # module level, compiled once\n\ndef view(request):\n    if EMAIL_RE.match(value): ...");
            continue;
        }
        // Outside a handler: a Django view's helper methods, or a function a handler calls.
        let serves_get = match &handler {
            Some(handler) => handler.serves_get(),
            None if super::request_scope(ctx, call).is_some() => {
                !syntax::function_name(ctx.src, function).is_some_and(|n| {
                    [
                        "post",
                        "put",
                        "patch",
                        "delete",
                        "form_valid",
                        "form_invalid",
                    ]
                    .iter()
                    .any(|m| n.ends_with(m))
                })
            }
            None => continue,
        };
        // A file with a fixed path read on every request (a page shell, a theme).
        // (A file parsed as configuration is reported at the parser below.)
        let parsed = ctx
            .src
            .find_in_scope(function, &["call"])
            .into_iter()
            .any(|c| CONFIG_PARSERS.contains(&ctx.resolved_callee(c).as_str()));
        if callee == "open"
            && !parsed
            && !args.iter().skip(1).any(|a| {
                string_value(ctx.src, *a).is_some_and(|m| m.contains(['w', 'a', '+', 'x']))
            })
            && !ctx.text(call).contains("mode=")
            && args.first().is_some_and(|a| stable_path(ctx, *a, call))
        {
            let message = "This request reads the same file from disk every time: its path does not depend on the request. Read it once at start-up (or cache it with `functools.lru_cache`) and reuse the content.".to_string();
            ctx.report(RuleId::MissingCache, call, message, "@functools.lru_cache(maxsize=1)\ndef index_html():\n    with open(INDEX_PATH, encoding=\"utf-8\") as f:\n        return f.read()");
            continue;
        }
        // Templates compiled per request.
        if matches!(
            callee.as_str(),
            "jinja2.Template" | "jinja2.Environment" | "mako.template.Template"
        ) && args
            .first()
            .is_some_and(|a| is_plain_string(ctx.src, *a) || callee.ends_with("Environment"))
        {
            let message = format!("`{}` compiles a template on every request. Build the environment/template once at start-up and only render per request.", syntax::callee(ctx.src, call));
            ctx.report(RuleId::MissingCache, call, message, "TEMPLATE = env.get_template(\"report.html\")  # once\n\ndef view(request):\n    return TEMPLATE.render(**context)");
            continue;
        }
        // Config files read and parsed per request.
        if CONFIG_PARSERS.contains(&callee.as_str()) {
            if let Some(arg) = args.first() {
                if reads_stable_file(ctx, *arg, call) {
                    let message = format!(
                        "`{}` reads and parses a file on every request, although its content does not depend on the request. Load it once at start-up (module level) or cache it (`functools.lru_cache`).",
                        syntax::callee(ctx.src, call)
                    );
                    ctx.report(RuleId::MissingCache, call, message, "@functools.lru_cache(maxsize=1)\ndef settings():\n    with open(CONFIG_PATH) as f:\n        return json.load(f)");
                    continue;
                }
            }
        }
        // The same outbound URL fetched per request.
        let method = method_name(&callee);
        if method == "get"
            && (is_remote_call(&callee)
                || receiver_last(&callee).contains("client")
                || receiver_last(&callee).contains("session")
                || receiver_last(&callee) == "http")
            && args.first().is_some_and(|a| fixed_url(ctx, *a, call))
        {
            let message = "This handler fetches the same fixed URL on every request: an outbound round trip (and a dependency on that service) per request for data that changes rarely. Cache the response with a TTL.".to_string();
            ctx.report(RuleId::MissingCache, call, message, "@cached(TTLCache(maxsize=1, ttl=300))  # cachetools\ndef exchange_rates():\n    return requests.get(RATES_URL, timeout=5).json()");
            continue;
        }
        // Whole-table aggregates in GET handlers.
        if serves_get
            && !ctx.src.is_chain_inner(call)
            && is_whole_table_aggregate(ctx, call, &callee)
        {
            let message = "This GET handler aggregates a whole table on every request: the database scans it each time. Cache the result for a short TTL, keep a counter, or serve it from perfkit's response cache.".to_string();
            let fix = if ctx.framework == Some(Framework::Django) {
                "total = cache.get_or_set(\"book_count\", Book.objects.count, timeout=60)"
            } else {
                "@cached(TTLCache(maxsize=1, ttl=60))\ndef book_count():\n    return session.scalar(select(func.count()).select_from(Book))"
            };
            ctx.report(RuleId::MissingCache, call, message, fix);
        }
    }
}

/// A literal `http…` URL, or a name (local or module-level) assigned one: `RATES_URL`.
fn fixed_url(ctx: &Ctx, arg: Node, at: Node) -> bool {
    let literal = |n: Node| {
        is_plain_string(ctx.src, n)
            && string_value(ctx.src, n).is_some_and(|u| u.starts_with("http"))
    };
    literal(arg)
        || arg.kind() == "identifier" && origin(ctx, ctx.text(arg), at).is_some_and(literal)
}

/// Whether a path expression is fixed: built from literals and module-level names, not from
/// the function's parameters (or the request), through at most a few local assignments.
fn stable_path(ctx: &Ctx, arg: Node, at: Node) -> bool {
    let params: Vec<String> = syntax::enclosing_function(ctx.src, at)
        .map(|f| syntax::parameter_names(ctx.src, f))
        .unwrap_or_default();
    let mut pending = vec![(arg, 0)];
    while let Some((node, depth)) = pending.pop() {
        if depth > 3 {
            return false;
        }
        for name in identifiers(ctx.src, node) {
            if params.iter().any(|p| p == name) || name == "request" || name == "self" {
                return false;
            }
            if let Some(o) = origin(ctx, name, at).filter(|o| scope_of(ctx, *o) != ctx.src.root) {
                pending.push((o, depth + 1));
            } else if loops_around(ctx, at).iter().any(|l| l.vars.contains(&name)) {
                return false;
            }
        }
    }
    true
}

fn reads_stable_file(ctx: &Ctx, arg: Node, at: Node) -> bool {
    let params: Vec<String> = syntax::enclosing_function(ctx.src, at)
        .map(|f| syntax::parameter_names(ctx.src, f))
        .unwrap_or_default();
    let opened = |path_call: Node| -> bool {
        let callee = syntax::callee(ctx.src, path_call);
        if callee != "open" && !callee.ends_with("read_text") && !callee.ends_with(".read") {
            return false;
        }
        let names = identifiers(ctx.src, path_call);
        !names
            .iter()
            .any(|n| params.iter().any(|p| p == n) || *n == "request")
    };
    let node = match arg.kind() {
        "identifier" => match origin(ctx, ctx.text(arg), at) {
            Some(o) => o,
            None => return false,
        },
        _ => arg,
    };
    node.kind() == "call"
        && (opened(node)
            || ctx
                .src
                .find_all(node, &["call"])
                .into_iter()
                .any(|c| syntax::callee(ctx.src, c) == "open" && opened(c)))
}

fn is_whole_table_aggregate(ctx: &Ctx, call: Node, callee: &str) -> bool {
    let text = ctx.text(call);
    let filtered = [
        "filter",
        "exclude",
        "where",
        "get(",
        "WHERE",
        "where(",
        "filter_by",
        "[:",
    ]
    .iter()
    .any(|k| text.contains(k));
    if filtered {
        return false;
    }
    let method = method_name(callee);
    if callee.contains(".objects.") {
        return matches!(method, "count" | "aggregate");
    }
    if model_query(callee) {
        return method == "count";
    }
    // `products.count()` where the function starts from `Product.objects.all()`: whatever
    // narrowing happens on some paths, the others count the whole table.
    if matches!(method, "count" | "aggregate") {
        if let Some(name) = callee
            .strip_suffix(method)
            .and_then(|r| r.strip_suffix('.'))
            .filter(|r| !r.contains('.'))
        {
            let scope = scope_of(ctx, call);
            return ctx
                .src
                .find_in_scope(scope, &["assignment"])
                .into_iter()
                .filter(|a| a.start_byte() < call.start_byte())
                .filter(|a| a.field("left").is_some_and(|l| ctx.text(l) == name))
                .filter_map(|a| a.field("right"))
                .any(|r| {
                    let t = ctx.text(r);
                    t.ends_with(".objects.all()") || t.ends_with("._default_manager.all()")
                });
        }
    }
    if text.contains("func.count(") || text.contains("func.sum(") || text.contains("func.avg(") {
        return matches!(method, "scalar" | "execute" | "scalar_one")
            || text.contains("session.query(");
    }
    if method == "execute" {
        if let Some(sql) = call_arguments(call)
            .first()
            .and_then(|a| string_value(ctx.src, *a))
        {
            let upper = sql.to_ascii_uppercase();
            return (upper.contains("COUNT(") || upper.contains("SUM(") || upper.contains("AVG("))
                && upper.contains("FROM")
                && !upper.contains("WHERE");
        }
    }
    false
}

// ---------------------------------------------------------------------------------
// sync-heavy-handler

fn heavy_kind(ctx: &Ctx, call: Node, callee: &str) -> Option<Heavy> {
    let method = method_name(callee);
    let text = ctx.text(call);
    if matches!(
        callee,
        "django.core.mail.send_mail"
            | "send_mail"
            | "django.core.mail.send_mass_mail"
            | "send_mass_mail"
            | "mail_admins"
            | "django.core.mail.mail_admins"
            | "smtplib.SMTP"
            | "smtplib.SMTP_SSL"
            | "mail.send"
            | "yagmail.SMTP"
    ) || matches!(method, "sendmail" | "send_message" | "send_email")
        // `send_templated_mail`, `send_email_changed_email`, `send_email_messages`.
        || method.starts_with("send_") && method.contains("mail")
        // A sending helper of the project's mail module (`from app.admin.mail import
        // send_notification`): named for what it sends, it still sends email.
        || method.starts_with("send") && from_mail_module(callee)
        || (method == "send"
            && (text.contains("EmailMessage(")
                || text.contains("EmailMultiAlternatives(")
                || origin_mentions(
                    ctx,
                    callee,
                    call,
                    &["EmailMessage(", "EmailMultiAlternatives(", "Message("],
                )))
    {
        return Some(Heavy::Email);
    }
    if callee.starts_with("pdfkit.from_")
        || matches!(method, "write_pdf" | "CreatePDF")
        || matches!(
            callee,
            "reportlab.pdfgen.canvas.Canvas"
                | "canvas.Canvas"
                | "SimpleDocTemplate"
                | "reportlab.platypus.SimpleDocTemplate"
                | "render_to_pdf"
                | "fpdf.FPDF"
                | "FPDF"
        )
    {
        return Some(Heavy::Pdf);
    }
    // The project's own PDF builders (`build_pdf_from_screenshots`, `render_invoice_pdf`,
    // `html_to_pdf`): named for the document they produce.
    let lower = method.to_ascii_lowercase();
    if lower.contains("pdf")
        && ([
            "build_",
            "generate_",
            "render_",
            "create_",
            "make_",
            "convert_",
            "html_to_",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
            || lower.ends_with("_pdf"))
    {
        return Some(Heavy::Pdf);
    }
    // A database dump or a document conversion run as a child process (`Popen(["pg_dump",
    // ...])`, `subprocess.run(["soffice", "--convert-to", "pdf", ...])`), or an archive of a
    // whole folder (`shutil.make_archive`).
    if callee == "shutil.make_archive" {
        return Some(Heavy::Export);
    }
    if (callee.starts_with("subprocess.") || callee == "Popen" || callee == "os.system")
        && call_arguments(call).first().is_some_and(|a| {
            let program = match a.kind() {
                "list" | "tuple" => a.named_child(0).map(|p| ctx.text(p)).unwrap_or(""),
                _ => ctx.text(*a),
            };
            [
                "pg_dump",
                "mysqldump",
                "mongodump",
                "soffice",
                "libreoffice",
                "abiword",
                "wkhtmltopdf",
                "pandoc",
                "ffmpeg",
            ]
            .iter()
            .any(|tool| program.contains(tool))
        })
    {
        return Some(Heavy::Export);
    }
    // A ZIP archive written entry by entry in the request (`with ZipFile(buf, "w") as
    // bundle:` and a loop adding every exported file).
    if (callee == "zipfile.ZipFile" || callee.ends_with(".ZipFile"))
        && call_arguments(call)
            .get(1)
            .and_then(|m| string_value(ctx.src, *m))
            .is_some_and(|m| m.starts_with('w') || m.starts_with('a'))
        && ctx.src.parent(call).is_some_and(|p| {
            ctx.src
                .ancestors(p)
                .find(|a| a.kind() == "with_statement")
                .and_then(|w| w.field("body"))
                .is_some_and(|body| !ctx.src.find_all(body, &["for_statement"]).is_empty())
        })
    {
        return Some(Heavy::Export);
    }
    // A whole chart or table serialised to CSV for the response (`viz.get_csv()`,
    // `df.to_csv()`).
    if matches!(method, "get_csv" | "to_csv" | "export_csv")
        && call
            .field("arguments")
            .is_some_and(|a| a.named_child_count() == 0)
    {
        return Some(Heavy::Export);
    }
    if matches!(method, "thumbnail" | "resize")
        && (text.contains("Image.open(") || origin_mentions(ctx, callee, call, &["Image.open("]))
        || callee == "cv2.resize"
    {
        return Some(Heavy::Image);
    }
    if matches!(method, "to_excel") || matches!(callee, "openpyxl.Workbook" | "xlsxwriter.Workbook")
    {
        return Some(Heavy::Export);
    }
    // `generate_export_file(...)`, `build_export(...)`, `export_to_csv(...)`: an export built
    // inline (a job's `run_export`/`start_export` only starts one).
    if method.contains("export")
        && (["generate_", "build_", "make_", "render_", "export_to_"]
            .iter()
            .any(|p| method.starts_with(p))
            || method.ends_with("_export_file"))
    {
        return Some(Heavy::Export);
    }
    if callee == "csv.writer" || callee.ends_with("CSVWriter") || callee.ends_with("CsvWriter") {
        // A CSV written row by row from a query's rows (not a handful of literal rows).
        let function = syntax::enclosing_function(ctx.src, call)?;
        let export = ctx
            .src
            .find_in_scope(function, &["for_statement"])
            .into_iter()
            .any(|f| {
                f.start_byte() > call.start_byte()
                    && ctx.text(f).contains(".writerow(")
                    && f.field("right").is_some_and(|r| {
                        let source = iterable_origin(ctx, r);
                        let t = ctx.text(source);
                        !is_constant_collection(ctx, r, 0)
                            && !t.contains("[:")
                            && (is_query_result(ctx, source)
                                || t.ends_with(".all()")
                                || matches!(source.kind(), "identifier" | "attribute"))
                    })
            });
        return export.then_some(Heavy::Export);
    }
    if matches!(method, "upload_file" | "upload_fileobj")
        || (callee.ends_with(".messages.create") && text.contains("to="))
    {
        return Some(Heavy::Upload);
    }
    None
}

/// Whether a resolved callee lives in a mail module or mailer (`app.mail.send_notification`,
/// `notifications.email.send_digest`, `self.mailer.send_reset`).
fn from_mail_module(callee: &str) -> bool {
    let Some((module, _)) = callee.rsplit_once('.') else {
        return false;
    };
    module.split('.').any(|segment| {
        matches!(
            segment,
            "mail" | "email" | "emails" | "mailer" | "mailers" | "mailing" | "smtp"
        )
    })
}

fn origin_mentions(ctx: &Ctx, callee: &str, at: Node, needles: &[&str]) -> bool {
    let Some((receiver, _)) = callee.rsplit_once('.') else {
        return false;
    };
    if receiver.contains('.') || receiver.contains('(') {
        return false;
    }
    origin(ctx, receiver, at).is_some_and(|o| {
        let t = ctx.text(o);
        needles.iter().any(|n| t.contains(n))
    })
}
