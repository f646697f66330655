//! The six rules for JavaScript and TypeScript (Express, Fastify, NestJS, Next.js; Prisma,
//! TypeORM, Sequelize, Mongoose, knex, pg, mysql2, fetch/axios).

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{
    calls_method_on, contains, delivers_message, is_batched, is_constant_name, is_data_store,
    is_schema_sized, short, Ctx, Heavy,
};
use crate::finding::RuleId;
use crate::handlers::Framework;
use crate::syntax::{
    self, call_arguments, identifiers, is_function, is_plain_string, method_name, string_value,
    Field,
};

pub(crate) fn check(ctx: &mut Ctx) {
    n_plus_one(ctx);
    quadratic_loop(ctx);
    connection_leak(ctx);
    missing_cache(ctx);
    blocking_call_in_async(ctx);
    let fix = match ctx.framework {
        Some(Framework::NestJs) => "@Post('signup')\nasync signup(@Body() dto: SignupDto) {\n  await this.queue.add('welcome-email', { email: dto.email })  // BullMQ / perfkit queue\n  return { status: 'accepted' }\n}",
        Some(Framework::Fastify) => "fastify.post('/signup', async (request, reply) => {\n  await queue.add('welcome-email', { email: request.body.email })  // perfkit queue / BullMQ\n  return reply.code(202).send({ status: 'accepted' })\n})",
        _ => "app.post('/signup', async (req, res) => {\n  await queue.add('welcome-email', { email: req.body.email })  // perfkit queue / BullMQ\n  res.status(202).json({ status: 'accepted' })\n})",
    };
    super::sync_heavy_handler(
        ctx,
        &["call_expression", "new_expression"],
        |ctx, call| heavy_kind(ctx, call, &syntax::callee(ctx.src, call)),
        "BullMQ",
        fix,
    );
}

// ---------------------------------------------------------------------------------
// Facts.

const ITERATION_METHODS: &[&str] = &[
    "forEach",
    "map",
    "flatMap",
    "filter",
    "reduce",
    "reduceRight",
    "some",
    "every",
    "find",
    "findIndex",
    "sort",
];

struct Loop<'t> {
    node: Node<'t>,
    iterable: Option<Node<'t>>,
    vars: Vec<&'t str>,
    /// The `.map(...)`-style call when the loop is an iteration callback.
    callback_call: Option<Node<'t>>,
}

/// `xs.map(fn)` → (the call, `xs`) when `function` is that callback.
fn iteration_call<'t>(ctx: &Ctx<'_, 't>, function: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let args = ctx
        .src
        .parent(function)
        .filter(|p| p.kind() == "arguments")?;
    let call = ctx
        .src
        .parent(args)
        .filter(|c| c.kind() == "call_expression")?;
    let member = call
        .field("function")
        .filter(|f| f.kind() == "member_expression")?;
    let property = member.field("property")?;
    let method = ctx.text(property);
    let object = member.field("object")?;
    // lodash/underscore: `_.filter(xs, fn)` iterates its first argument.
    if matches!(ctx.text(object), "_" | "lodash" | "underscore") {
        let mut cursor = args.walk();
        let mut named = args.named_children(&mut cursor);
        let collection = named.next().filter(|c| *c != function)?;
        return (LODASH_ITERATION.contains(&method) && named.next() == Some(function))
            .then_some((call, collection));
    }
    // The async library and its look-alikes: `async.mapLimit(xs, 5, fn)`,
    // `utils.async.map(xs, fn)` iterate their first argument.
    let receiver = ctx.text(object);
    if receiver == "async" || receiver.ends_with(".async") {
        let collection = call_arguments(call).first().copied()?;
        return (collection != function
            && ASYNC_ITERATION.contains(&method)
            && call_arguments(call).last() == Some(&function))
        .then_some((call, collection));
    }
    if !ITERATION_METHODS.contains(&method) {
        return None;
    }
    Some((call, object))
}

/// async-library functions that call their last argument once per element of the first.
const ASYNC_ITERATION: &[&str] = &[
    "map",
    "mapSeries",
    "mapLimit",
    "each",
    "eachSeries",
    "eachLimit",
    "forEach",
    "forEachSeries",
    "forEachLimit",
    "filter",
    "reduce",
];

/// lodash/underscore functions that call their second argument once per element of the
/// first.
const LODASH_ITERATION: &[&str] = &[
    "each",
    "forEach",
    "map",
    "flatMap",
    "filter",
    "reject",
    "reduce",
    "some",
    "every",
    "find",
    "findIndex",
    "groupBy",
    "keyBy",
    "sortBy",
    "uniqBy",
];

fn loop_at<'t>(ctx: &Ctx<'_, 't>, node: Node<'t>, inner: Node<'t>) -> Option<Loop<'t>> {
    match node.kind() {
        "for_in_statement" => {
            let body = node.field("body")?;
            contains(body, inner).then(|| Loop {
                node,
                iterable: node.field("right"),
                vars: node
                    .field("left")
                    .map(|l| identifiers(ctx.src, l))
                    .unwrap_or_default(),
                callback_call: None,
            })
        }
        "for_statement" => {
            let body = node.field("body")?;
            if !contains(body, inner) {
                return None;
            }
            // for (let i = 0; i < xs.length; i++) iterates xs.
            let iterable = node.field("condition").and_then(|c| {
                ctx.src
                    .find_all(c, &["member_expression"])
                    .into_iter()
                    .find(|m| m.field("property").is_some_and(|p| ctx.text(p) == "length"))
                    .and_then(|m| m.field("object"))
            });
            let vars = node
                .field("initializer")
                .map(|i| identifiers(ctx.src, i))
                .unwrap_or_default();
            Some(Loop {
                node,
                iterable,
                vars,
                callback_call: None,
            })
        }
        "while_statement" | "do_statement" => {
            let body = node.field("body")?;
            contains(body, inner).then_some(Loop {
                node,
                iterable: None,
                vars: Vec::new(),
                callback_call: None,
            })
        }
        _ if is_function(node, ctx.src.language) => {
            let (call, object) = iteration_call(ctx, node)?;
            let mut vars: Vec<&str> = syntax::parameter_names(ctx.src, node)
                .into_iter()
                .map(|_| "")
                .collect();
            vars.clear();
            if let Some(params) = node.field("parameters").or_else(|| node.field("parameter")) {
                vars = identifiers(ctx.src, params);
            }
            Some(Loop {
                node,
                iterable: Some(object),
                vars,
                callback_call: Some(call),
            })
        }
        _ => None,
    }
}

/// Loops around `node`, innermost first, through iteration callbacks, up to the enclosing
/// (non-callback) function.
fn loops_around<'t>(ctx: &Ctx<'_, 't>, node: Node<'t>) -> Vec<Loop<'t>> {
    let mut loops = Vec::new();
    for ancestor in ctx.src.ancestors(node) {
        if matches!(ancestor.kind(), "class_body" | "program") {
            break;
        }
        let function = is_function(ancestor, ctx.src.language);
        if let Some(lp) = loop_at(ctx, ancestor, node) {
            loops.push(lp);
        } else if function && !is_deferred_step(ctx, ancestor) {
            break;
        }
    }
    loops
}

/// A parameterless function an iteration callback returns for a pool to run
/// (`pool(rows.map((row) => () => Model.destroy({ id: row.id })), 10)`): still one step per
/// element.
fn is_deferred_step(ctx: &Ctx, function: Node) -> bool {
    syntax::parameter_names(ctx.src, function).is_empty()
        && ctx
            .src
            .parent(function)
            .is_some_and(|p| is_function(p, ctx.src.language) && iteration_call(ctx, p).is_some())
}

/// The function that runs `node`, skipping synchronous iteration callbacks.
fn running_function<'t>(ctx: &Ctx<'_, 't>, node: Node<'t>) -> Option<Node<'t>> {
    let mut current = syntax::enclosing_function(ctx.src, node)?;
    loop {
        if syntax::is_async(current) || iteration_call(ctx, current).is_none() {
            return Some(current);
        }
        current = syntax::enclosing_function(ctx.src, current)?;
    }
}

fn strip(node: Node) -> Node {
    let mut node = node;
    while matches!(
        node.kind(),
        "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn strip_parens(node: Node) -> Node {
    let mut node = node;
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn scope_of<'t>(ctx: &Ctx<'_, 't>, node: Node<'t>) -> Node<'t> {
    syntax::enclosing_function(ctx.src, node).unwrap_or(ctx.src.root)
}

/// The value `name` was declared or last assigned with before `at` (function, then outer scopes).
fn origin<'t>(ctx: &Ctx<'_, 't>, name: &str, at: Node<'t>) -> Option<Node<'t>> {
    let mut scope = scope_of(ctx, at);
    loop {
        if let Some(found) = last_assignment(ctx, scope, name, at.start_byte()) {
            return Some(found);
        }
        if scope == ctx.src.root {
            return None;
        }
        scope = ctx
            .src
            .parent(scope)
            .map(|p| scope_of(ctx, p))
            .unwrap_or(ctx.src.root);
    }
}

fn last_assignment<'t>(
    ctx: &Ctx<'_, 't>,
    scope: Node<'t>,
    name: &str,
    before: usize,
) -> Option<Node<'t>> {
    let mut found = None;
    for node in ctx.src.assignments_in(scope, name, before) {
        let (target, value) = match node.kind() {
            "variable_declarator" => (node.field("name"), node.field("value")),
            _ => (node.field("left"), node.field("right")),
        };
        let (Some(target), Some(value)) = (target, value) else {
            continue;
        };
        let matches = match target.kind() {
            "identifier" => ctx.text(target) == name,
            "object_pattern" | "array_pattern" => identifiers(ctx.src, target).contains(&name),
            _ => false,
        };
        if matches {
            found = Some(value);
        }
    }
    found
}

/// The declared type of `name` (`const xs: User[]`, a parameter `xs: string[]`).
fn declared_type<'t>(ctx: &Ctx<'_, 't>, name: &str, at: Node<'t>) -> Option<&'t str> {
    let mut found = None;
    for node in ctx.src.nodes_of(&[
        "variable_declarator",
        "required_parameter",
        "optional_parameter",
    ]) {
        if node.start_byte() > at.start_byte() {
            break;
        }
        let id = node.field("name").or_else(|| node.field("pattern"));
        let visible = syntax::enclosing_function(ctx.src, node).is_none_or(|f| contains(f, at));
        if visible && id.is_some_and(|i| ctx.text(i) == name) {
            found = Some(
                node.field("type")
                    .map(|t| ctx.text(t).trim_start_matches(':').trim()),
            );
        }
    }
    found.flatten()
}

fn is_literal(ctx: &Ctx, node: Node) -> bool {
    match node.kind() {
        "string" | "number" | "true" | "false" | "null" | "undefined" => true,
        "template_string" => is_plain_string(ctx.src, node),
        "identifier" => is_constant_name(ctx.text(node)),
        "unary_expression" => node.named_child(0).is_some_and(|n| is_literal(ctx, n)),
        "pair" => node
            .field("value")
            .is_some_and(|v| is_literal(ctx, v) || is_constant_collection(ctx, v, 0)),
        "array" | "object" => is_constant_collection(ctx, node, 0),
        _ => false,
    }
}

fn is_constant_collection(ctx: &Ctx, node: Node, depth: usize) -> bool {
    if depth > 3 {
        return false;
    }
    let node = strip(node);
    match node.kind() {
        "array" | "object" => {
            let mut cursor = node.walk();
            let all = node
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .all(|c| is_literal(ctx, c));
            all
        }
        "string" => true,
        "identifier" => {
            let name = ctx.text(node);
            is_constant_name(name)
                || origin(ctx, name, node)
                    .is_some_and(|o| is_constant_collection(ctx, o, depth + 1))
        }
        "member_expression" => node
            .field("property")
            .is_some_and(|p| is_constant_name(ctx.text(p))),
        "call_expression" => {
            let callee = syntax::callee(ctx.src, node);
            matches!(
                callee.as_ref(),
                "Object.keys" | "Object.values" | "Object.entries"
            ) && call_arguments(node)
                .first()
                .is_some_and(|a| is_constant_collection(ctx, *a, depth + 1))
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------
// Query vocabulary.

const PRISMA_OPS: &[&str] = &[
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "findMany",
    "count",
    "aggregate",
    "groupBy",
    "create",
    "update",
    "upsert",
    "delete",
    "createMany",
    "updateMany",
    "deleteMany",
];
const ORM_METHODS: &[&str] = &[
    "findOne",
    "findById",
    "findByPk",
    "findAll",
    "findOneBy",
    "findBy",
    "findAndCountAll",
    "findOneOrFail",
    "findOneByOrFail",
    "findByIdAndUpdate",
    "findOneAndUpdate",
    "countDocuments",
    "findByIds",
    "getOne",
    "getMany",
    "getRawMany",
    "getRawOne",
    // The MongoDB driver's collection methods (also on Mongoose models).
    "insertOne",
    "updateOne",
    "replaceOne",
    "deleteOne",
    "updateMany",
    "deleteMany",
    "findOneAndDelete",
    "findOneAndReplace",
];
/// A key-value store read or write under a key built per call (`db.get(`pad:${id}`)`,
/// `redis.set("user:" + id, v)`): one round trip to the store each.
fn keyed_store_call(ctx: &Ctx, call: Node) -> bool {
    let callee = syntax::callee(ctx.src, call);
    let Some((receiver, method)) = callee.rsplit_once('.') else {
        return false;
    };
    let receiver = receiver
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    keyed_store_parts(ctx, call, method, &receiver)
}

/// [`keyed_store_call`] for a call whose method and lower-case receiver are known.
fn keyed_store_parts(ctx: &Ctx, call: Node, method: &str, receiver: &str) -> bool {
    // A cache keyed per entity (`cache.deleteWebsite(`website:${id}`)`), usually Redis.
    let cache = receiver.contains("cache")
        && ["get", "set", "del", "delete", "remove"]
            .iter()
            .any(|v| method.starts_with(v));
    let store = matches!(
        method,
        "get" | "set" | "remove" | "del" | "hget" | "hset" | "hgetall" | "getSub" | "setSub"
    ) && matches!(
        receiver,
        "db" | "redis" | "redisclient" | "kv" | "keyv" | "level"
    );
    (cache || store)
        && call_arguments(call)
            .first()
            .is_some_and(|key| match key.kind() {
                "template_string" => !is_plain_string(ctx.src, *key),
                "binary_expression" => ctx.text(*key).contains(['"', '\'']),
                _ => false,
            })
}

/// Starting or ending a database transaction (`await initTransaction(req)`,
/// `await queryRunner.commitTransaction()`): a round trip each.
const TRANSACTION_CALLS: &[&str] = &[
    "initTransaction",
    "beginTransaction",
    "startTransaction",
    "commitTransaction",
    "rollbackTransaction",
    "killTransaction",
];

/// The methods of a call chain, outermost first (`a.b(x).c()` → c, b).
fn chain_calls<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    let mut calls = vec![call];
    let mut node = call;
    while let Some(object) = node.field("function").and_then(|f| f.field("object")) {
        let object = strip(object);
        if object.kind() != "call_expression" {
            break;
        }
        calls.push(object);
        node = object;
    }
    calls
}

/// Methods that hand out a repository or model for an entity or a registered name: what they
/// return runs its CRUD methods against the database (`strapi.query('api::a.a')`,
/// `dataSource.getRepository(User)`, `mongoose.model('User')`, `orm.em.getRepository(X)`).
const REPOSITORY_FACTORIES: &[&str] = &[
    "query",
    "getRepository",
    "getCustomRepository",
    "getTreeRepository",
    "getMongoRepository",
    "model",
    "getModel",
    "repository",
];

/// Methods that hand out a registered service (`strapi.service('plugin::a.b')`,
/// `getService('role')`, `moduleRef.get(UserService)`): project code, usually a data layer.
const SERVICE_FACTORIES: &[&str] = &["service", "getService"];

/// Methods that read or write rows on a repository or model (TypeORM, Strapi's query engine,
/// Mongoose, MikroORM, Sequelize).
fn is_crud_verb(method: &str) -> bool {
    matches!(
        method,
        "find"
            | "findOne"
            | "findMany"
            | "findFirst"
            | "findBy"
            | "findOneBy"
            | "findPage"
            | "findWithCount"
            | "findAndCount"
            | "count"
            | "create"
            | "createMany"
            | "update"
            | "updateMany"
            | "delete"
            | "deleteMany"
            | "remove"
            | "save"
            | "insert"
            | "upsert"
            | "softDelete"
            | "softRemove"
            | "restore"
            | "increment"
            | "decrement"
            | "exist"
            | "exists"
    )
}

/// A model class's static write to existing rows (`models.Post.destroy({ id })`,
/// `User.update(...)`: Sequelize, Bookshelf, Objection), not a built-in's. (Not `create`:
/// one insert per generated step or schema field is how those lists are saved, and the
/// labels do not count it.)
fn model_write(method: &str, segments: &[&str]) -> bool {
    let Some(model) = segments.len().checked_sub(2).map(|i| segments[i]) else {
        return false;
    };
    matches!(method, "destroy" | "update" | "upsert" | "edit")
        && model.starts_with(|c: char| c.is_ascii_uppercase())
        && model.chars().all(|c| c.is_ascii_alphanumeric())
        && !matches!(
            model,
            "Object"
                | "Array"
                | "Promise"
                | "JSON"
                | "Math"
                | "Date"
                | "Reflect"
                | "Map"
                | "Set"
                | "Buffer"
                | "URL"
                | "Symbol"
                | "Error"
                | "Intl"
                | "React"
                | "Vue"
        )
}

/// Whether `call`'s receiver is what one of `factories` returned: `strapi.query('x').count()`
/// (an argument that is a registered name, not SQL), `this.connection.getRepository(ctx,
/// Asset).remove(a)`.
fn from_registry(ctx: &Ctx, call: Node, factories: &[&str]) -> bool {
    let Some(object) = call
        .field("function")
        .filter(|f| f.kind() == "member_expression")
        .and_then(|f| f.field("object"))
        .map(strip)
    else {
        return false;
    };
    if object.kind() != "call_expression" {
        return false;
    }
    let factory = method_name(&syntax::callee(ctx.src, object)).to_string();
    let args = call_arguments(object);
    factories.contains(&factory.as_str())
        && match args.first() {
            None => false,
            // `query('SELECT ...')` is SQL, not a registered name.
            Some(a) if matches!(a.kind(), "string" | "template_string") => {
                !ctx.text(*a).contains(char::is_whitespace)
            }
            Some(_) => factory != "query",
        }
}

/// A connection's or data source's own loaders (`this.connection.getEntityOrThrow(ctx, X,
/// id)`, `dataSource.findOneBy(User, ...)`, `em.findOne(User, id)`, `manager.count(X)`).
fn connection_loader(method: &str, receiver: &str) -> bool {
    matches!(
        receiver,
        "connection" | "datasource" | "entitymanager" | "em" | "orm"
    ) && (method.starts_with("find")
        || method.starts_with("count")
        || method.starts_with("getEntity"))
}

/// `this.users` in a file using an ORM whose repositories/models are injected (TypeORM, Mongoose, Sequelize).
fn orm_receiver(ctx: &Ctx, segments: &[&str]) -> bool {
    segments.len() == 3
        && segments[0] == "this"
        && ["typeorm", "mongoose", "sequelize"]
            .iter()
            .any(|m| ctx.src.imports(m) || ctx.src.text.contains(&format!("@nestjs/{m}")))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QueryKind {
    Db,
    Http,
}

fn query_kind(ctx: &Ctx, call: Node) -> Option<QueryKind> {
    for link in chain_calls(call) {
        let callee = syntax::callee(ctx.src, link);
        let method = method_name(&callee);
        let segments: Vec<&str> = callee.split('.').collect();
        let receiver = segments
            .len()
            .checked_sub(2)
            .map(|i| segments[i].to_ascii_lowercase())
            .unwrap_or_default();
        let first_arg = call_arguments(link).first().copied();
        let arg_is_function =
            first_arg.is_some_and(|a| is_function(a, ctx.src.language) || a.kind() == "identifier");
        if PRISMA_OPS.contains(&method)
            && segments.len() >= 3
            && segments
                .iter()
                .any(|s| s.contains("prisma") || *s == "db" || *s == "tx")
        {
            return Some(QueryKind::Db);
        }
        if ORM_METHODS.contains(&method)
            || TRANSACTION_CALLS.contains(&method)
            || keyed_store_parts(ctx, link, method, &receiver)
            || (is_crud_verb(method) && from_registry(ctx, link, REPOSITORY_FACTORIES))
            || model_write(method, &segments)
            || connection_loader(method, &receiver)
        {
            return Some(QueryKind::Db);
        }
        if matches!(method, "find" | "count" | "aggregate" | "findAll") && !arg_is_function {
            let model = segments.len() >= 2
                && segments[segments.len() - 2]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase());
            let repo = ["repo", "repository", "collection", "model", "manager"]
                .iter()
                .any(|k| receiver.contains(k));
            let injected = orm_receiver(ctx, &segments);
            let where_clause = first_arg.is_some_and(|a| {
                a.kind() == "object"
                    && ["where", "relations", "include", "select"]
                        .iter()
                        .any(|k| ctx.text(a).contains(k))
            });
            if model || repo || injected || where_clause {
                return Some(QueryKind::Db);
            }
        }
        if matches!(
            method,
            "query" | "execute" | "oneOrNone" | "one" | "many" | "any" | "manyOrNone"
        ) {
            let dbish = [
                "pool",
                "client",
                "db",
                "conn",
                "knex",
                "sequelize",
                "connection",
                "manager",
                "datasource",
                "pg",
                "sql",
                "tx",
                "trx",
            ]
            .iter()
            .any(|k| receiver.contains(k));
            if dbish {
                return Some(QueryKind::Db);
            }
        }
        // knex's table builder: `knex("users")`, `this.database("refresh_state")`, `tx("t")`.
        let builder = callee.rsplit('.').next().unwrap_or("");
        if matches!(builder, "knex" | "db" | "trx" | "tx" | "database")
            && first_arg.is_some_and(|a| matches!(a.kind(), "string" | "template_string"))
        {
            return Some(QueryKind::Db);
        }
        // A helper handed the transaction or query builder (`update({ tx, entity })`) runs
        // its queries through it.
        if passes_db_handle(ctx, link) {
            return Some(QueryKind::Db);
        }
        if callee == "fetch"
            || callee == "got"
            || (callee.starts_with("axios")
                && (callee == "axios"
                    || ["get", "post", "put", "patch", "delete", "request", "head"]
                        .contains(&method)))
            || callee.starts_with("this.httpService.")
        {
            return Some(QueryKind::Http);
        }
    }
    None
}

/// Arguments that hand a transaction, connection or query builder to the callee: `f(tx, x)`,
/// `f({ tx, entity })`, `f({ knex: options.knex })`.
fn passes_db_handle(ctx: &Ctx, call: Node) -> bool {
    let handle = |name: &str| {
        matches!(
            name,
            "tx" | "trx" | "knex" | "transaction" | "queryRunner" | "entityManager"
        )
    };
    let callee = syntax::callee(ctx.src, call);
    if callee
        .rsplit('.')
        .next()
        .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
    {
        return false;
    }
    call_arguments(call).into_iter().any(|a| match a.kind() {
        "identifier" => handle(ctx.text(a)),
        "object" => {
            let mut cursor = a.walk();
            let found = a.named_children(&mut cursor).any(|p| match p.kind() {
                "shorthand_property_identifier" => handle(ctx.text(p)),
                "pair" => p.field("key").is_some_and(|k| handle(ctx.text(k))),
                _ => false,
            });
            found
        }
        _ => false,
    })
}

/// Names a loop without an iterable takes off a work list before `call`: declared from
/// `todo.pop()`/`queue.shift()` in its body, or a `for` loop's variable its update pops.
fn popped_names<'t>(ctx: &Ctx<'_, 't>, lp: &Loop<'t>, call: Node<'t>) -> HashSet<&'t str> {
    let pops = |n: Node| {
        let t = ctx.text(n);
        t.contains(".pop()") || t.contains(".shift()")
    };
    let mut names: HashSet<&str> = HashSet::new();
    if lp.node.kind() == "for_statement" && lp.node.field("increment").is_some_and(pops) {
        names.extend(lp.vars.iter().copied());
    }
    // In source order, so `const ref = stringify(node)` after `const node = todo.pop()`
    // derives from the popped node too.
    for declarator in ctx.src.find_in_scope(lp.node, &["variable_declarator"]) {
        let Some(value) = declarator.field("value") else {
            continue;
        };
        let derived = identifiers(ctx.src, value)
            .iter()
            .any(|v| names.contains(v));
        if declarator.end_byte() <= call.start_byte() && (pops(value) || derived) {
            if let Some(n) = declarator.field("name") {
                names.extend(identifiers(ctx.src, n));
            }
        }
    }
    names
}

fn awaited_or_collected(ctx: &Ctx, call: Node, lp: &Loop) -> bool {
    let function = syntax::enclosing_function(ctx.src, call);
    let awaited = ctx
        .src
        .ancestors(call)
        .take_while(|a| Some(*a) != function)
        .any(|a| a.kind() == "await_expression");
    if awaited {
        return true;
    }
    // Promise.all(rows.map(row => db.find(row.id))) still issues one query per row, also
    // spread into the list handed over (`Promise.all([...a.map(f), ...b.map(g)])`).
    // Or handed to an awaited runner (`await pool(rows.map((r) => () => f(r)), 10)`,
    // `await pMap(...)`).
    lp.callback_call.is_some_and(|c| {
        ctx.src
            .ancestors(c)
            .find(|a| !matches!(a.kind(), "arguments" | "spread_element" | "array"))
            .is_some_and(|p| {
                p.kind() == "call_expression"
                    && (syntax::callee(ctx.src, p).starts_with("Promise.")
                        || ctx
                            .src
                            .parent(p)
                            .is_some_and(|a| a.kind() == "await_expression"))
            })
    })
}

fn js_fix(ctx: &Ctx, callee: &str) -> &'static str {
    if callee.contains("prisma") || callee.starts_with("db.") {
        "const authors = await prisma.author.findMany({ where: { id: { in: ids } } })  // one query\n// or: prisma.book.findMany({ include: { author: true } })"
    } else if callee.contains("query") {
        "const { rows } = await pool.query('SELECT * FROM authors WHERE id = ANY($1)', [ids])  // one query"
    } else if callee.contains("fetch") || callee.contains("axios") {
        "// one batched request if the API has one; otherwise bound the concurrency:\nconst results = await Promise.all(ids.map((id) => limit(() => fetch(`${base}/${id}`))))"
    } else if ctx.framework == Some(Framework::NestJs)
        || callee.contains("Repository")
        || callee.contains("repo")
    {
        "const authors = await this.authorRepo.findBy({ id: In(ids) })  // TypeORM, one query\n// or: find({ relations: { author: true } })"
    } else {
        "const authors = await Author.find({ _id: { $in: ids } })  // one query; or .populate('author') / include: [Author]"
    }
}

// ---------------------------------------------------------------------------------
// n-plus-one

/// The name a function or method of this file is called by: `function f() {}`,
/// `async f() {}` (a method), `const f = async () => {}`, `f: function () {}`.
fn defined_name<'t>(ctx: &Ctx<'_, 't>, function: Node<'t>) -> Option<&'t str> {
    if let Some(name) = function.field("name") {
        return Some(ctx.text(name));
    }
    let parent = ctx.src.parent(function)?;
    match parent.kind() {
        "variable_declarator" => parent.field("name").map(|n| ctx.text(n)),
        "pair" => parent.field("key").map(|k| ctx.text(k)),
        "assignment_expression" => parent
            .field("left")
            .map(|l| ctx.text(l).rsplit('.').next().unwrap_or("")),
        _ => None,
    }
    .filter(|n| {
        // A private method keeps its `#` (`this.#update(x)` names `#update`).
        n.strip_prefix('#')
            .unwrap_or(n)
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    })
}

/// The function of this file `call` names: `f(...)`, `this.f(...)`, `self.f(...)`.
fn local_callee<'t>(ctx: &Ctx<'_, 't>, call: Node<'t>) -> Option<&'t str> {
    let function = call.field("function")?;
    match function.kind() {
        "identifier" => Some(ctx.text(function)),
        "member_expression" => {
            let object = function.field("object")?;
            matches!(ctx.text(object), "this" | "self")
                .then(|| function.field("property").map(|p| ctx.text(p)))
                .flatten()
        }
        _ => None,
    }
}

/// The functions and methods of this file that run a query or a remote call, themselves or
/// through one more function of this file: calling one per row is an N+1 even though
/// nothing at the call site looks like I/O (`await alterOne(attachment)`).
fn io_functions<'t>(ctx: &Ctx<'_, 't>) -> HashMap<&'t str, QueryKind> {
    let functions: Vec<(&'t str, Node<'t>)> = ctx
        .src
        .nodes_of(&[
            "function_declaration",
            "generator_function_declaration",
            "method_definition",
            "function_expression",
            "function",
            "arrow_function",
        ])
        .into_iter()
        .filter_map(|f| Some((defined_name(ctx, f)?, f)))
        .collect();
    let own_calls = |f: Node<'t>| {
        ctx.src
            .find_in_scope(f, &["call_expression"])
            .into_iter()
            .filter(move |c| syntax::enclosing_function(ctx.src, *c) == Some(f))
    };
    let mut io = HashMap::new();
    for (name, f) in &functions {
        // A query or request, or an awaited call into the data layer
        // (`await this.#resourceService.getByURL(url)`).
        let kind = own_calls(*f).find_map(|c| {
            query_kind(ctx, c).or_else(|| {
                (ctx.src
                    .parent(c)
                    .is_some_and(|p| p.kind() == "await_expression")
                    && data_layer_call(ctx, c).is_some())
                .then_some(QueryKind::Db)
            })
        });
        if let Some(kind) = kind {
            io.insert(*name, kind);
        }
    }
    // One more level (not further: each level guesses).
    let mut second = Vec::new();
    for (name, f) in &functions {
        if io.contains_key(name) {
            continue;
        }
        let through = own_calls(*f).find_map(|c| {
            let callee = local_callee(ctx, c)?;
            (callee != *name).then(|| io.get(callee)).flatten().copied()
        });
        if let Some(kind) = through {
            second.push((*name, kind));
        }
    }
    io.extend(second);
    io
}

/// An awaited method of a data-access object (`await this.leaseStore.read(id)`,
/// `await repository.load(id)`): a round trip to wherever the object keeps its data.
fn is_store_call(ctx: &Ctx, call: Node) -> bool {
    if ctx
        .src
        .parent(call)
        .is_none_or(|p| p.kind() != "await_expression")
    {
        return false;
    }
    let callee = syntax::callee(ctx.src, call);
    let Some((receiver, _)) = callee.rsplit_once('.') else {
        return false;
    };
    is_data_store(
        &receiver
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase(),
    )
}

/// A call into the project's own data layer through an injected or registered object: a
/// service (`this.channelService.assignToChannels(ctx, X, row.id)`, `userService.find(id)`,
/// `strapi.service('plugin::a.b').fetch(id)`), a manager (`authorManager.getAuthor(id)`), a
/// store or repository (`this.segmentStore.create(s)`), or a cache (`await
/// this.sessionCache.delete(token)`, usually Redis). What it does is in another module; by
/// convention these objects are where the queries are. Returns the receiver, for messages.
fn data_layer_call(ctx: &Ctx, call: Node) -> Option<String> {
    for link in chain_calls(call) {
        if from_registry(ctx, link, SERVICE_FACTORIES) {
            let object = link.field("function")?.field("object")?;
            return Some(short(ctx.text(object)));
        }
        let callee = syntax::callee(ctx.src, link);
        let Some((receiver, method)) = callee.rsplit_once('.') else {
            continue;
        };
        // Medusa-style private members end in `_` (`this.orderLineItemService_`).
        let name = receiver
            .rsplit('.')
            .next()
            .unwrap_or("")
            .trim_end_matches('_');
        if name.contains(['(', ')', '\'', '"']) {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        let layer = lower.ends_with("service")
            || lower.ends_with("manager")
            || lower.ends_with("repository")
            || is_data_store(&lower);
        let cache = lower.contains("cache")
            && [
                "get",
                "set",
                "del",
                "delete",
                "remove",
                "invalidate",
                "evict",
                "clear",
            ]
            .iter()
            .any(|v| method.starts_with(v));
        // Services that compute, format, log or publish in process.
        let in_process = [
            "config", "log", "event", "i18n", "translat", "locale", "mail", "notif", "template",
            "crypto", "hash", "jwt", "password", "valid", "render", "format", "plugin", "http",
        ]
        .iter()
        .any(|k| lower.contains(k))
            || matches!(
                method,
                "emit" | "on" | "once" | "publish" | "log" | "debug" | "info"
            );
        if (layer || cache) && !in_process {
            return Some(short(receiver));
        }
    }
    None
}

/// Methods that write (`create`, `addToStrategy`, `importStrategy`, `removeFromChannels`).
fn writes(method: &str) -> bool {
    [
        "create", "insert", "add", "import", "update", "delete", "remove", "save", "upsert",
        "store", "connect", "assign", "destroy", "set",
    ]
    .iter()
    .any(|v| method.starts_with(v))
}

/// A ternary's branch that is not an empty-list default (`drop ? [] : await store.getAll()`).
fn unternary(node: Node) -> Node {
    if node.kind() != "ternary_expression" {
        return node;
    }
    match (node.field("consequence"), node.field("alternative")) {
        (Some(c), Some(a)) if strip(a).kind() == "array" => strip_parens(c),
        (_, Some(a)) => strip_parens(a),
        _ => node,
    }
}

/// Whether a call's text has an `in:` key (`{ id: { in: ids } }`, Prisma's batch filter), not
/// `in:` inside a word or a registered name (`'plugin::users.user'`).
fn has_in_key(text: &str) -> bool {
    text.match_indices("in:").any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + 3..].chars().next();
        before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$' || c == ':'))
            && after != Some(':')
    })
}

/// A row object's own method that writes or loads it (`row.save()`, `view.delete()`,
/// `s.update(changes)`, `model.get_instances()`): Sequelize, Mongoose, Bookshelf and
/// active-record style models do a round trip per call.
fn is_row_method(method: &str) -> bool {
    matches!(
        method,
        "save" | "update" | "delete" | "destroy" | "remove" | "reload" | "increment" | "decrement"
    ) || method
        .strip_prefix("get_")
        .is_some_and(|rest| !rest.is_empty())
}

/// Whether a loop goes over schema-sized things by the name of what it iterates: the
/// property (`model.attributes`, not `options.entities`), the keys/values of one
/// (`Object.values(dbModel.attributes)`), a name (`contentTypes`) or a getter
/// (`getContentTypes()`).
fn schema_sized_iterable(ctx: &Ctx, iterable: Node) -> bool {
    let node = strip(iterable);
    match node.kind() {
        "identifier" => is_schema_sized(ctx.text(node)),
        "member_expression" => node
            .field("property")
            .is_some_and(|p| is_schema_sized(ctx.text(p))),
        "call_expression" => {
            let callee = syntax::callee(ctx.src, node);
            if matches!(
                callee.as_ref(),
                "Object.keys" | "Object.values" | "Object.entries"
            ) {
                call_arguments(node)
                    .first()
                    .is_some_and(|a| schema_sized_iterable(ctx, *a))
            } else {
                is_schema_sized(method_name(&callee))
            }
        }
        _ => false,
    }
}

/// `for (let i = 0; i <= pad.head; ++i)`: counts up to a bound that is not a literal.
fn counted_to_data(ctx: &Ctx, lp: &Loop) -> bool {
    lp.node.kind() == "for_statement"
        && !lp.vars.is_empty()
        && !steps_by_batch(ctx, lp)
        && lp.node.field("condition").is_some_and(|c| {
            let c = if c.kind() == "expression_statement" {
                c.named_child(0).unwrap_or(c)
            } else {
                c
            };
            c.kind() == "binary_expression"
                && ctx.text(c).contains('<')
                && c.field("right").is_some_and(|r| r.kind() != "number")
        })
}

/// A call whose promise is kept for later: pushed (`promises.push(db.get(k))`) or held in
/// a name the loop pushes (`const p = db.get(k); promises.push(p)`).
fn collected_in_array(ctx: &Ctx, call: Node, lp: &Loop) -> bool {
    for a in ctx.src.ancestors(call) {
        if a == lp.node {
            break;
        }
        match a.kind() {
            "call_expression" if method_name(&syntax::callee(ctx.src, a)) == "push" => return true,
            "variable_declarator" => {
                let Some(name) = a.field("name").map(|n| ctx.text(n)) else {
                    return false;
                };
                return ctx.text(lp.node).contains(&format!(".push({name})"));
            }
            _ => {}
        }
    }
    false
}

/// A counted loop that steps by more than one (`for (i = 0; i < rows.length; i += size)`):
/// one query per batch of rows is the fix for N+1, not the problem.
fn steps_by_batch(ctx: &Ctx, lp: &Loop) -> bool {
    lp.node.kind() == "for_statement"
        && lp.node.field("increment").is_some_and(|i| {
            i.kind() == "augmented_assignment_expression"
                && i.field("right").is_some_and(|r| ctx.text(r) != "1")
        })
}

/// A loop's collection that was awaited (`const models = await table.get_models()`):
/// loaded from somewhere, not built in memory.
fn awaited_origin(ctx: &Ctx, iterable: Node) -> bool {
    if iterable.kind() == "await_expression" {
        return true;
    }
    let iterable = strip(iterable);
    iterable.kind() == "identifier"
        && origin(ctx, ctx.text(iterable), iterable).is_some_and(|o| {
            let o = unternary(strip_parens(o));
            o.kind() == "await_expression"
                && strip(o).kind() == "call_expression"
                && !syntax::callee(ctx.src, strip(o)).starts_with("Promise.")
        })
}

/// Whether a loop goes over the request's own items (`const { ids } = req.body`,
/// `req.body.columns`) or configuration (`Object.entries(cfg)`, `getConfig(...)`): as many
/// as one client sent or one admin configured, not rows of the data.
fn request_or_config_items(ctx: &Ctx, iterable: Node) -> bool {
    let mut node = strip(iterable);
    let mut through_member = false;
    for _ in 0..6 {
        let text = ctx.text(node);
        // A call's arguments may name the request (`View.find({ id: req.params.id })`
        // loads rows); only its callee says where the collection comes from.
        let request = node.kind() != "call_expression"
            && [
                "req.body",
                "req.query",
                "req.params",
                "request.body",
                "request.query",
            ]
            .iter()
            .any(|r| text.contains(r));
        let config = node.kind() == "call_expression"
            && matches!(
                method_name(&syntax::callee(ctx.src, node)),
                "getConfig" | "getState" | "getSettings"
            );
        if request || config {
            return true;
        }
        node = match node.kind() {
            "identifier" => {
                // A mutation's or endpoint's argument object (`input.lines`, GraphQL and
                // NestJS convention; `stockOnHandInputs`, `dto.items`): as many items as one
                // client sent.
                let lower = text.to_ascii_lowercase();
                if lower.ends_with("input") || lower.ends_with("inputs") || lower.ends_with("dto") {
                    return true;
                }
                // A member of an options object (`options.entities`) can be anything.
                if !through_member
                    && matches!(text, "cfg" | "conf" | "config" | "settings" | "options")
                {
                    return true;
                }
                match origin(ctx, text, node) {
                    Some(o) => strip(o),
                    None => return false,
                }
            }
            "call_expression"
                if matches!(
                    syntax::callee(ctx.src, node).as_ref(),
                    "Object.keys" | "Object.values" | "Object.entries" | "Array.from"
                ) =>
            {
                match call_arguments(node).first() {
                    Some(a) => strip(*a),
                    None => return false,
                }
            }
            "binary_expression" => match node.field("left") {
                Some(l) => strip(l),
                None => return false,
            },
            // `getState().layouts`, `cfg.tables`: where the object comes from.
            "member_expression" => match node.field("object") {
                Some(o) => {
                    through_member = true;
                    strip(o)
                }
                None => return false,
            },
            _ => return false,
        };
    }
    false
}

/// Whether a loop's collection holds the rows of a query: a name assigned from a query
/// (`await db.find(q).toArray()`, `await repo.findMany()`), a data-access object's read
/// (`await this.leaseStore.readIds()`) or a call of a helper of this file that queries.
fn rows_from_query(ctx: &Ctx, iterable: Node, io: &HashMap<&str, QueryKind>) -> bool {
    let iterable = strip(iterable);
    let mut value = match iterable.kind() {
        "identifier" => match origin(ctx, ctx.text(iterable), iterable) {
            Some(o) => strip(unternary(strip(o))),
            None => return false,
        },
        _ => iterable,
    };
    // A page of a query's result: `docs = query.docs` after `query = await db.find(...)`.
    if value.kind() == "member_expression" {
        if let Some(object) = value.field("object").map(strip) {
            value = match object.kind() {
                "identifier" => match origin(ctx, ctx.text(object), object) {
                    Some(o) => strip(o),
                    None => return false,
                },
                _ => object,
            };
        }
    }
    if value.kind() != "call_expression" {
        return false;
    }
    chain_calls(value).into_iter().any(|c| {
        query_kind(ctx, c) == Some(QueryKind::Db)
            || is_store_call(ctx, c)
            || method_name(&syntax::callee(ctx.src, c)) == "toArray"
            || local_callee(ctx, c).is_some_and(|name| io.contains_key(name))
    })
}

fn n_plus_one(ctx: &mut Ctx) {
    // One finding per loop: several per-row queries in one loop are one N+1 to fix.
    let mut reported: HashSet<usize> = HashSet::new();
    // Built on first use: most files have no loop calling a function of their own.
    let mut io: Option<HashMap<&str, QueryKind>> = None;
    for call in ctx.src.nodes_of(&["call_expression"]) {
        if ctx.src.is_chain_inner(call) {
            continue;
        }
        let callee = syntax::callee(ctx.src, call);
        let lazy_getter = {
            let m = method_name(&callee);
            m.len() > 3
                && m.starts_with("get")
                && m[3..].starts_with(|c: char| c.is_ascii_uppercase())
                && callee.matches('.').count() == 1
        };
        let mut kind = query_kind(ctx, call);
        // A function of this file that runs the query or request itself.
        let followed = if kind.is_some() {
            None
        } else {
            let caller =
                syntax::enclosing_function(ctx.src, call).and_then(|f| defined_name(ctx, f));
            local_callee(ctx, call)
                .filter(|name| {
                    Some(*name) != caller
                        && !delivers_message(name)
                        && !loops_around(ctx, call).is_empty()
                })
                .and_then(|name| {
                    io.get_or_insert_with(|| io_functions(ctx))
                        .get(name)
                        .map(|k| (name, *k))
                })
        };
        if let Some((_, followed_kind)) = followed {
            kind = Some(followed_kind);
        }
        // An awaited method of a data-access object (`await this.leaseStore.read(id)`).
        let store = kind.is_none() && !lazy_getter && is_store_call(ctx, call);
        if store {
            kind = Some(QueryKind::Db);
        }
        // A call into the project's services, managers, stores or caches.
        let layer = if (kind.is_none() || store) && !lazy_getter {
            data_layer_call(ctx, call)
        } else {
            None
        };
        if layer.is_some() {
            kind = Some(QueryKind::Db);
        }
        // An ORM row's own write or lazy load (`await view.delete()`, `await s.update(x)`,
        // `await model.get_instances()`): per row only over rows of a query.
        let row_call = kind.is_none()
            && !lazy_getter
            && callee.matches('.').count() == 1
            && is_row_method(method_name(&callee));
        if row_call {
            kind = Some(QueryKind::Db);
        }
        if kind.is_none() && !lazy_getter {
            continue;
        }
        let text = ctx.text(call);
        if text.contains("$in")
            || has_in_key(text)
            || text.contains("In(")
            || text.contains("ANY(")
            || text.contains("whereIn")
            || text.contains(" IN ")
        {
            continue;
        }
        let call_names: HashSet<&str> = identifiers(ctx.src, call).into_iter().collect();
        let receiver_root = callee.split('.').next().unwrap_or("");
        for lp in loops_around(ctx, call) {
            let Some(iterable) = lp.iterable else {
                // A graph walk: `for (let n = root; n; n = todo.pop())` or
                // `while (todo.length) { const n = todo.pop(); ... }`, a query per node.
                // A counted loop up to a data-sized bound (`for (let i = 0; i <= head;
                // ++i)`) with a keyed store call per index, awaited or collected.
                if kind == Some(QueryKind::Db)
                    && counted_to_data(ctx, &lp)
                    && chain_calls(call)
                        .into_iter()
                        .any(|c| keyed_store_call(ctx, c))
                    && lp.vars.iter().any(|v| call_names.contains(v))
                    && (awaited_or_collected(ctx, call, &lp) || collected_in_array(ctx, call, &lp))
                    && reported.insert(lp.node.id())
                {
                    let message = format!(
                        "`{}` reads or writes one key per iteration of this loop (N+1): N keys cost N round trips to the store. Fetch them in one batch (`mget`/`getMany`, a pipeline) or keep the values under one key.",
                        short(&callee),
                    );
                    ctx.report(RuleId::NPlusOne, call, message, "const values = await redis.mget(ids.map((id) => `pad:${id}`))  // one round trip");
                    break;
                }
                let popped = popped_names(ctx, &lp, call);
                if kind == Some(QueryKind::Db)
                    && awaited_or_collected(ctx, call, &lp)
                    && popped.iter().any(|v| call_names.contains(v))
                    && reported.insert(lp.node.id())
                {
                    let message = format!(
                        "`{}` issues a query for every node this loop takes off its work list (N+1): a walk over N nodes costs N round trips. Fetch a level (or the whole closure, e.g. a recursive CTE) per query instead.",
                        short(&callee),
                    );
                    let fix = js_fix(ctx, &callee);
                    ctx.report(RuleId::NPlusOne, call, message, fix);
                    break;
                }
                continue;
            };
            let io_map = io.get_or_insert_with(|| io_functions(ctx));
            let query_rows = rows_from_query(ctx, iterable, io_map);
            if is_constant_collection(ctx, iterable, 0)
                || is_batched(ctx.text(iterable))
                || steps_by_batch(ctx, &lp)
                || request_or_config_items(ctx, iterable)
                // One query per content type, attribute or column is as many as the
                // schema has, not as many as the data. (Rows of a query named like the
                // schema stay exempt too: outside the sets they were tables to drop.)
                || schema_sized_iterable(ctx, iterable)
            {
                continue;
            }
            // A data-layer call per element: over rows that were loaded (a query, an
            // awaited load), or a write per element of any list run through `Promise.all`
            // (an import issuing one INSERT per imported item).
            if layer.is_some()
                && !(query_rows
                    || awaited_origin(ctx, iterable)
                    || (lp.callback_call.is_some()
                        && awaited_or_collected(ctx, call, &lp)
                        && chain_calls(call)
                            .iter()
                            .any(|c| writes(method_name(&syntax::callee(ctx.src, *c))))))
            {
                continue;
            }
            if row_call
                && (!lp.vars.contains(&receiver_root)
                    || !(awaited_origin(ctx, iterable)
                        || rows_from_query(
                            ctx,
                            iterable,
                            io.get_or_insert_with(|| io_functions(ctx)),
                        )))
            {
                continue;
            }
            // A helper of this file that queries, handed the row: per row when the rows come
            // from a query (or a helper of this file that queries), not from configuration
            // (`self.parked`), a parameter, or a schema-sized list (one permission check per
            // listed permission is not an N+1 in the data).
            if (followed.is_some() || (store && layer.is_none()))
                && (is_schema_sized(ctx.text(iterable)) || !query_rows)
            {
                continue;
            }
            if !awaited_or_collected(ctx, call, &lp) {
                continue;
            }
            let mut names: HashSet<&str> = lp.vars.iter().copied().collect();
            for declarator in ctx.src.find_in_scope(lp.node, &["variable_declarator"]) {
                if declarator.end_byte() <= call.start_byte()
                    && declarator.start_byte() > iterable.end_byte()
                {
                    if let Some(n) = declarator.field("name") {
                        names.extend(identifiers(ctx.src, n));
                    }
                }
            }
            let per_row = names.iter().any(|v| call_names.contains(v));
            if !per_row || (lazy_getter && !lp.vars.contains(&receiver_root)) {
                continue;
            }
            if reported.contains(&lp.node.id()) {
                break;
            }
            // Start-up code runs once, before the server takes requests.
            if running_function(ctx, call).is_some_and(|f| startup_only(ctx, f)) {
                break;
            }
            reported.insert(lp.node.id());
            let what = match (kind, followed) {
                (Some(QueryKind::Http), Some((name, _))) => {
                    format!("an HTTP request (in `{name}`)")
                }
                (_, Some((name, _))) => format!("a query (in `{name}`)"),
                (_, None) if layer.is_some() => format!(
                    "a call into the data layer (`{}`, a round trip by convention)",
                    layer.as_deref().unwrap_or("")
                ),
                (Some(QueryKind::Http), None) => "an HTTP request".to_string(),
                _ => "a query".to_string(),
            };
            let message = format!(
                "`{}` issues {what} for every element of `{}` (N+1): N items cost N round trips{}. Fetch them in one batch before the loop (`IN`/`$in`, an include/join) and look them up in memory.",
                short(&callee),
                short(ctx.text(iterable)),
                if lp.callback_call.is_some() { " even when run through Promise.all" } else { "" },
            );
            let fix = js_fix(ctx, &callee);
            ctx.report(RuleId::NPlusOne, call, message, fix);
            break;
        }
    }
}

// ---------------------------------------------------------------------------------
// quadratic-loop

fn is_data_array(ctx: &Ctx, name: &str, at: Node) -> bool {
    if let Some(t) = declared_type(ctx, name, at) {
        if t.ends_with("[]") || t.starts_with("Array<") || t.starts_with("ReadonlyArray<") {
            return true;
        }
        if t.starts_with("Set<") || t.starts_with("Map<") || t == "string" {
            return false;
        }
    }
    let Some(o) = origin(ctx, name, at) else {
        return passed_data_array(ctx, name, at);
    };
    if loaded_rows(ctx, name, at) {
        return true;
    }
    let o = strip(unternary(strip_parens(o)));
    match o.kind() {
        "array" if o.named_child_count() == 0 => accumulated_in_loop(ctx, name, at),
        "array" => !is_constant_collection(ctx, o, 0),
        "call_expression" => {
            let callee = syntax::callee(ctx.src, o);
            let method = method_name(&callee);
            matches!(
                method,
                "map"
                    | "filter"
                    | "slice"
                    | "concat"
                    | "flatMap"
                    | "flat"
                    | "sort"
                    | "findMany"
                    | "findAll"
                    | "getMany"
                    | "toArray"
            ) || matches!(
                callee.as_ref(),
                "Array.from" | "Object.keys" | "Object.values"
            ) || (method == "find"
                && !call_arguments(o)
                    .first()
                    .is_some_and(|a| is_function(*a, ctx.src.language)))
        }
        "member_expression" => o.field("property").is_some_and(|p| ctx.text(p) == "rows"),
        _ => false,
    }
}

/// Rows loaded from the database or the project's data layer: a query's result or an awaited
/// read of a store or service (`drop ? [] : await this.strategyStore.getAll()`).
fn loaded_rows(ctx: &Ctx, name: &str, at: Node) -> bool {
    let Some(o) = origin(ctx, name, at) else {
        return false;
    };
    let o = unternary(strip_parens(o));
    let awaited = o.kind() == "await_expression";
    let o = strip(o);
    // (Not a helper merely handed the query runner: `loadExecutedMigrations(queryRunner)`.)
    o.kind() == "call_expression"
        && ((query_kind(ctx, o) == Some(QueryKind::Db) && !passes_db_handle(ctx, o))
            || (awaited
                && data_layer_call(ctx, o).is_some()
                && ["get", "find", "list", "load", "fetch", "all"]
                    .iter()
                    .any(|v| method_name(&syntax::callee(ctx.src, o)).starts_with(v))))
}

/// A parameter that a caller of this file fills with a data-sized array
/// (`this.importTags(tags, oldTags)` after `oldTags = await this.tagStore.getAll()`).
fn passed_data_array(ctx: &Ctx, name: &str, at: Node) -> bool {
    let Some((function, position)) = ctx
        .src
        .ancestors(at)
        .filter(|a| is_function(*a, ctx.src.language))
        .find_map(|f| {
            let params = f.field("parameters")?;
            let mut cursor = params.walk();
            let position = params.named_children(&mut cursor).position(|p| {
                let p = if p.kind() == "assignment_pattern" {
                    p.field("left").unwrap_or(p)
                } else {
                    p
                };
                p.kind() == "identifier" && ctx.text(p) == name
            })?;
            Some((f, position))
        })
    else {
        return false;
    };
    let Some(function_name) = defined_name(ctx, function) else {
        return false;
    };
    ctx.src
        .nodes_of(&["call_expression"])
        .into_iter()
        .filter(|c| local_callee(ctx, *c) == Some(function_name))
        .any(|c| {
            call_arguments(c)
                .get(position)
                .is_some_and(|a| a.kind() == "identifier" && loaded_rows(ctx, ctx.text(*a), *a))
        })
}

/// Whether the array `name` (started empty) grows inside a loop or iteration callback of
/// its function (`name.push(x)`, `name = name.concat(xs)`, `name = [...name, x]`): as long
/// as the data. Filled only outside loops, it holds a few fixed entries.
fn accumulated_in_loop(ctx: &Ctx, name: &str, at: Node) -> bool {
    let scope = scope_of(ctx, at);
    ctx.src
        .find_all(scope, &["call_expression", "assignment_expression"])
        .into_iter()
        .any(|node| {
            let grows = match node.kind() {
                "call_expression" => calls_method_on(
                    &syntax::callee(ctx.src, node),
                    name,
                    &["push", "unshift", "splice"],
                ),
                _ => {
                    node.field("left").is_some_and(|l| ctx.text(l) == name)
                        && node.field("right").is_some_and(|r| {
                            ctx.src
                                .find_all(r, &["identifier"])
                                .iter()
                                .any(|i| ctx.text(*i) == name)
                        })
                }
            };
            grows
                && loops_around(ctx, node).iter().any(|l| {
                    l.iterable
                        .is_none_or(|i| !is_constant_collection(ctx, i, 0))
                })
        })
}

fn quadratic_loop(ctx: &mut Ctx) {
    for call in ctx.src.nodes_of(&["call_expression"]) {
        let Some(member) = call
            .field("function")
            .filter(|f| f.kind() == "member_expression")
        else {
            continue;
        };
        let (Some(object), Some(property)) = (member.field("object"), member.field("property"))
        else {
            continue;
        };
        let method = ctx.text(property);
        // Linear searches inside loops.
        if matches!(
            method,
            "includes" | "indexOf" | "lastIndexOf" | "find" | "findIndex" | "some"
        ) && object.kind() == "identifier"
        {
            // `Array.prototype.find`/`findIndex`/`some` take a predicate: with a selector
            // string (`$rows.find("td")`, `tbody.find(`#${id}`)`) it is a DOM query of
            // jQuery or cheerio, not an array scan.
            let selector = matches!(method, "find" | "findIndex" | "some")
                && call_arguments(call)
                    .first()
                    .is_some_and(|a| matches!(a.kind(), "string" | "template_string"));
            if selector {
                continue;
            }
            let name = ctx.text(object);
            let loops = loops_around(ctx, call);
            let real_loop = loops.iter().any(|l| {
                l.iterable
                    .is_none_or(|i| !is_constant_collection(ctx, i, 0) && ctx.text(i) != name)
            });
            // (Loaded rows named like the schema stay exempt here: outside the tuning sets,
            // `enabledPlugins` and a product's `dbOptions` were such rows, and small.)
            let schema_sized = is_schema_sized(name)
                || loops
                    .iter()
                    .any(|l| l.iterable.is_some_and(|i| is_schema_sized(ctx.text(i))));
            // An UPPER_CASE module constant (`RESTRICTED_FILENAMES`) is a fixed list.
            if real_loop
                && !schema_sized
                && !is_constant_name(name)
                && !loops.iter().any(|l| l.vars.contains(&name))
                && is_data_array(ctx, name, call)
                && !request_or_config_items(ctx, object)
                // Per item of the request (`input.assetIds.map(id => assets.find(...))`):
                // as many searches as one client sent.
                && !loops
                    .iter()
                    .all(|l| l.iterable.is_some_and(|i| request_or_config_items(ctx, i)))
            {
                let message = format!(
                    "`{name}.{method}(...)` scans the whole array on every iteration of the surrounding loop: O(n·m). Build a Set or Map keyed by what you compare once before the loop and look up in O(1)."
                );
                ctx.report(RuleId::QuadraticLoop, call, message, "const ids = new Set(items.map((i) => i.id))  // once, before the loop\nif (ids.has(order.itemId)) { /* O(1) */ }");
                continue;
            }
        }
        // Accumulate-by-spread in reduce.
        if matches!(method, "reduce" | "reduceRight") {
            let Some(callback) = call_arguments(call)
                .first()
                .copied()
                .filter(|c| is_function(*c, ctx.src.language))
            else {
                continue;
            };
            let Some(acc) = syntax::parameter_names(ctx.src, callback).first().cloned() else {
                continue;
            };
            // Folding the keys of an options or config object: as small as the schema.
            if is_schema_sized(ctx.text(object)) {
                continue;
            }
            let spread = ctx
                .src
                .find_all(callback, &["spread_element"])
                .into_iter()
                .find(|s| {
                    s.named_child(0).is_some_and(|a| ctx.text(a) == acc)
                        && syntax::enclosing_function(ctx.src, *s) == Some(callback)
                });
            if let Some(spread) = spread {
                let message = format!(
                    "`...{acc}` copies the whole accumulator on every step of `reduce`: O(n²) time and garbage. Mutate the accumulator (or use a plain loop / Object.fromEntries) instead."
                );
                ctx.report(RuleId::QuadraticLoop, spread, message, "const byId = Object.fromEntries(items.map((i) => [i.id, i]))\n// or: items.reduce((acc, i) => { acc[i.id] = i; return acc }, {})");
            }
        }
    }
    // A whole value rebuilt from a full copy of itself on every iteration:
    // `data = JSON.parse(JSON.stringify(data).replaceAll(a, b))`, `doc = structuredClone(doc)`.
    for assignment in ctx.src.nodes_of(&["assignment_expression"]) {
        let (Some(left), Some(right)) = (assignment.field("left"), assignment.field("right"))
        else {
            continue;
        };
        if left.kind() != "identifier" {
            continue;
        }
        let name = ctx.text(left);
        // (A spread copy of a list is left to the small-list judgement of the loop rules:
        // `xs = [...xs, x]` over a handful of channels or file groups is common and cheap.)
        let copies = |n: Node| {
            matches!(
                syntax::callee(ctx.src, n).as_ref(),
                "JSON.stringify" | "structuredClone"
            ) && call_arguments(n)
                .first()
                .is_some_and(|a| ctx.text(*a) == name)
        };
        let Some(copy) = ctx
            .src
            .find_all(right, &["call_expression"])
            .into_iter()
            .find(|n| copies(*n))
        else {
            continue;
        };
        let loops = loops_around(ctx, assignment);
        // It must outlive an iteration: declared (or handed in) outside the loop.
        let declared_inside = loops.first().is_some_and(|l| {
            ctx.src
                .find_in_scope(l.node, &["variable_declarator"])
                .into_iter()
                .any(|d| d.field("name").is_some_and(|n| ctx.text(n) == name))
        });
        if declared_inside {
            continue;
        }
        // Over the data: a collection that is neither fixed, schema-sized nor the request's.
        let data_loop = loops.iter().any(|l| {
            l.iterable.is_some_and(|i| {
                !is_constant_collection(ctx, i, 0)
                    && !schema_sized_iterable(ctx, i)
                    && !request_or_config_items(ctx, i)
                    && !is_batched(ctx.text(i))
            }) && !l.vars.contains(&name)
        });
        if !data_loop {
            continue;
        }
        let message = format!(
            "`{name}` is rebuilt from a full copy of itself (`{}`) on every iteration: O(n·size) time and garbage. Change it in place (push, set a key, replace once after the loop with a map of all replacements).",
            short(ctx.text(copy))
        );
        ctx.report(RuleId::QuadraticLoop, assignment, message, "const replacements = new Map(records.map((r) => [r.id, uuid()]))
const text = JSON.stringify(data).replace(idPattern, (id) => replacements.get(id) ?? id)  // one pass");
    }
    // Nested loops over the same collection.
    let candidates = ctx.src.nodes_of(&[
        "for_in_statement",
        "arrow_function",
        "function_expression",
        "function",
    ]);
    for node in candidates {
        let Some(inner) = (match node.kind() {
            "for_in_statement" => node.field("right").map(|r| (r, node)),
            _ => iteration_call(ctx, node).map(|(_, object)| (object, node)),
        }) else {
            continue;
        };
        let (inner_iter, at) = inner;
        if is_constant_collection(ctx, inner_iter, 0) || inner_iter.kind() == "call_expression" {
            continue;
        }
        let text = ctx.text(inner_iter);
        if is_schema_sized(text) {
            continue;
        }
        let outer_same = ctx
            .src
            .ancestors(at)
            .take_while(|a| !matches!(a.kind(), "program" | "class_body"))
            .filter_map(|a| loop_at(ctx, a, at))
            .take_while(|_| true)
            .any(|outer| outer.node != at && outer.iterable.is_some_and(|o| ctx.text(o) == text));
        let stops = ctx
            .src
            .ancestors(at)
            .filter(|a| is_function(*a, ctx.src.language) && iteration_call(ctx, *a).is_none())
            .map(|f| f.start_byte())
            .next();
        let outer_same = outer_same
            && ctx.src.ancestors(at).any(|a| {
                stops.is_none_or(|s| a.start_byte() >= s)
                    && loop_at(ctx, a, at).is_some_and(|o| {
                        o.node != at && o.iterable.is_some_and(|i| ctx.text(i) == text)
                    })
            });
        if outer_same {
            let message = format!(
                "This loop walks `{}` again for every element of an outer loop over the same collection: n² iterations. Index it once (a Map keyed by what you compare) and do a single pass.",
                short(text)
            );
            ctx.report(RuleId::QuadraticLoop, inner_iter, message, "const byKey = new Map()\nfor (const item of items) byKey.set(item.key, [...(byKey.get(item.key) ?? []), item])");
        }
    }
}

// ---------------------------------------------------------------------------------
// connection-leak

fn acquires(ctx: &Ctx, call: Node, callee: &str) -> bool {
    let method = method_name(callee);
    let receiver = callee
        .rsplit_once('.')
        .map(|(r, _)| r.to_ascii_lowercase())
        .unwrap_or_default();
    (method == "connect" && receiver.contains("pool"))
        || (method == "getConnection" && callee.contains('.') && !callee.starts_with("typeorm."))
        || (matches!(callee, "fs.openSync" | "fs.promises.open" | "fsp.open"))
        || (callee == "open"
            && (ctx.src.text.contains("fs/promises")
                || ctx.src.text.contains("'node:fs/promises'")))
        || callee == "puppeteer.launch"
        || callee == "chromium.launch"
        || (call.kind() == "call_expression"
            && matches!(callee, "mysql.createConnection" | "mysql2.createConnection"))
}

fn creates_per_request(ctx: &Ctx, call: Node, callee: &str) -> bool {
    let constructed = call.kind() == "new_expression";
    let pg = ctx.src.imports("pg");
    (constructed
        && matches!(
            callee,
            "Pool"
                | "pg.Pool"
                | "MongoClient"
                | "PrismaClient"
                | "Redis"
                | "IORedis"
                | "Sequelize"
                | "pg.Client"
                | "Knex"
        ))
        || (constructed && callee == "Client" && pg)
        || (constructed && callee.ends_with("Client") && ctx.src.imports("aws-sdk"))
        || matches!(
            callee,
            "mysql.createPool"
                | "mysql2.createPool"
                | "createPool"
                | "mongoose.connect"
                | "mongoose.createConnection"
                | "redis.createClient"
                | "axios.create"
        )
        || (callee == "createClient" && ctx.src.imports("redis"))
        || ((callee == "knex" || callee == "Knex")
            && call_arguments(call)
                .first()
                .is_some_and(|a| a.kind() == "object"))
}

const RELEASES: &[&str] = &["release", "end", "close", "destroy", "quit", "disconnect"];

fn connection_leak(ctx: &mut Ctx) {
    for call in ctx.src.nodes_of(&["call_expression", "new_expression"]) {
        let callee = syntax::callee(ctx.src, call);
        let acquired = call.kind() == "call_expression" && acquires(ctx, call, &callee);
        let per_request = creates_per_request(ctx, call, &callee) && ctx.handler_of(call).is_some();
        if !acquired && !per_request {
            continue;
        }
        let Some(function) = syntax::enclosing_function(ctx.src, call) else {
            continue;
        };
        let Some(body) = function.field("body") else {
            continue;
        };
        let expr = match ctx.src.parent(call) {
            Some(p) if p.kind() == "await_expression" => p,
            _ => call,
        };
        let var = ctx
            .src
            .parent(expr)
            .filter(|p| p.kind() == "variable_declarator" || p.kind() == "assignment_expression")
            .and_then(|p| p.field("name").or_else(|| p.field("left")))
            .filter(|n| n.kind() == "identifier")
            .map(|n| ctx.text(n));
        let leak = match (acquired, var) {
            (true, Some(var)) => leak_of(ctx, body, var, expr),
            _ => None,
        };
        if let Some(message) = leak {
            let fix = if callee.contains("launch") {
                "const browser = await puppeteer.launch()\ntry {\n  // ...\n} finally {\n  await browser.close()\n}"
            } else if callee.contains("open") {
                "const fh = await open(path)\ntry {\n  // ...\n} finally {\n  await fh.close()\n}"
            } else {
                "const client = await pool.connect()\ntry {\n  const { rows } = await client.query(sql, params)\n  return rows\n} finally {\n  client.release()  // on every path\n}"
            };
            ctx.report(RuleId::ConnectionLeak, call, message, fix);
        } else if per_request {
            let message = format!(
                "`{callee}` creates a new client/pool on every request: each one opens fresh connections (TCP/TLS handshakes, authentication) and is thrown away, so the database sees a connection storm under load. Create it once at start-up and share it."
            );
            let fix = match ctx.framework {
                Some(Framework::NestJs) => "// provide it once as a module-level provider and inject it:\n@Module({ providers: [{ provide: 'PG_POOL', useFactory: () => new Pool(config) }] })",
                Some(Framework::NextJs) => "// lib/prisma.ts — one client per process, reused across hot reloads\nexport const prisma = globalThis.prisma ?? new PrismaClient()",
                _ => "const pool = new Pool({ connectionString: process.env.DATABASE_URL })  // module level, once\napp.get('/users', async (req, res) => res.json((await pool.query('SELECT ...')).rows))",
            };
            ctx.report(RuleId::ConnectionLeak, call, message, fix);
        }
    }
}

fn leak_of(ctx: &Ctx, body: Node, var: &str, acquired: Node) -> Option<String> {
    let mut releases = Vec::new();
    for node in ctx.src.find_all(
        body,
        &[
            "call_expression",
            "return_statement",
            "assignment_expression",
            "pair",
            "arrow_function",
        ],
    ) {
        match node.kind() {
            "call_expression" => {
                let callee = syntax::callee(ctx.src, node);
                let on_var = callee
                    .strip_prefix(var)
                    .and_then(|r| r.strip_prefix('.'))
                    .is_some_and(|m| RELEASES.contains(&m));
                let args: Vec<&str> = call_arguments(node).iter().map(|a| ctx.text(*a)).collect();
                let closes = args.contains(&var)
                    && matches!(
                        method_name(&callee),
                        "closeSync" | "close" | "release" | "releaseConnection"
                    );
                if on_var || closes {
                    if node.start_byte() > acquired.end_byte() {
                        releases.push(node);
                    }
                } else if args.contains(&var)
                    && node.start_byte() > acquired.end_byte()
                    && !callee.starts_with(var)
                    && syntax::enclosing_function(ctx.src, node)
                        != syntax::enclosing_function(ctx.src, acquired)
                {
                    // handed to a callback-owned consumer
                    return None;
                }
            }
            "return_statement" => {
                let returned = node.named_child(0);
                if returned.is_some_and(|r| ctx.text(strip(r)) == var) {
                    return None;
                }
            }
            "assignment_expression" => {
                let left = node.field("left");
                let right = node.field("right");
                if right.is_some_and(|r| ctx.text(r) == var)
                    && left.is_some_and(|l| l.kind() != "identifier")
                {
                    return None;
                }
            }
            "pair" if node.field("value").is_some_and(|v| ctx.text(v) == var) => {
                return None;
            }
            _ => {}
        }
    }
    match super::release_gap(ctx, body, acquired, &releases, &["await_expression", "return_statement", "throw_statement"])? {
        super::Release::Never => Some(format!(
            "`{var}` is acquired here and never released: the pooled connection/handle stays checked out, and after a few requests the pool is exhausted and every request waits. Release it in `finally` so every path gives it back."
        )),
        super::Release::SuccessPathOnly => Some(format!(
            "`{var}` is released only on the success path: if an awaited call in between throws (or the function returns early), it is never given back and the pool drains under errors. Move the release into `finally`."
        )),
    }
}

// ---------------------------------------------------------------------------------
// missing-cache

fn reads_stable_file(ctx: &Ctx, arg: Node, at: Node) -> bool {
    let node = strip(arg);
    let node = if node.kind() == "identifier" {
        match origin(ctx, ctx.text(node), at) {
            Some(o) => strip(o),
            None => return false,
        }
    } else {
        node
    };
    let mut calls = ctx.src.find_all(node, &["call_expression"]);
    calls.retain(|c| {
        let m = method_name(&syntax::callee(ctx.src, *c)).to_string();
        m == "readFileSync" || m == "readFile"
    });
    let Some(read) = calls.first() else {
        return false;
    };
    let params: Vec<String> = syntax::enclosing_function(ctx.src, at)
        .map(|f| syntax::parameter_names(ctx.src, f))
        .unwrap_or_default();
    let names = call_arguments(*read)
        .first()
        .map(|a| identifiers(ctx.src, *a))
        .unwrap_or_default();
    !names.iter().any(|n| {
        params.iter().any(|p| p == n)
            || matches!(*n, "req" | "request" | "params" | "query" | "body")
    })
}

/// An Express/Connect middleware or handler `(req, res, next)`: runs on every request.
fn is_middleware(ctx: &Ctx, function: Node) -> bool {
    let params = syntax::parameter_names(ctx.src, function);
    params.len() >= 2
        && matches!(params[0].as_str(), "req" | "request")
        && matches!(params[1].as_str(), "res" | "response" | "reply")
}

/// Whether an expression has the same value on every call: literals, module-level names
/// (imports, constants, config) and what is computed from them, not the function's
/// parameters, loop variables or the request.
fn stable_expr(ctx: &Ctx, node: Node, at: Node, depth: usize) -> bool {
    if depth > 3 {
        return false;
    }
    match node.kind() {
        "string" | "number" | "true" | "false" | "regex" => true,
        "template_string"
        | "binary_expression"
        | "parenthesized_expression"
        | "template_substitution"
        | "arguments" => {
            let mut cursor = node.walk();
            let children: Vec<Node> = node.named_children(&mut cursor).collect();
            children
                .into_iter()
                .filter(|c| !matches!(c.kind(), "string_fragment" | "escape_sequence" | "comment"))
                .all(|c| stable_expr(ctx, c, at, depth))
        }
        "member_expression" => node
            .field("object")
            .is_some_and(|o| stable_expr(ctx, o, at, depth)),
        "call_expression" => {
            node.field("function")
                .is_some_and(|f| f.kind() == "member_expression" && stable_expr(ctx, f, at, depth))
                && node
                    .field("arguments")
                    .is_some_and(|a| stable_expr(ctx, a, at, depth))
        }
        "identifier" => {
            let name = ctx.text(node);
            if matches!(
                name,
                "req" | "request" | "res" | "ctx" | "arguments" | "undefined"
            ) {
                return false;
            }
            let mut function = syntax::enclosing_function(ctx.src, at);
            while let Some(f) = function {
                if syntax::parameter_names(ctx.src, f)
                    .iter()
                    .any(|p| p == name)
                {
                    return false;
                }
                function = syntax::enclosing_function(ctx.src, f);
            }
            if loops_around(ctx, at).iter().any(|l| l.vars.contains(&name)) {
                return false;
            }
            match origin(ctx, name, at) {
                Some(o) if scope_of(ctx, o) != ctx.src.root => {
                    stable_expr(ctx, strip(o), at, depth + 1)
                }
                _ => true,
            }
        }
        _ => false,
    }
}

fn missing_cache(ctx: &mut Ctx) {
    for call in ctx.src.nodes_of(&["call_expression", "new_expression"]) {
        let Some(function) = syntax::enclosing_function(ctx.src, call) else {
            continue;
        };
        let callee = syntax::callee(ctx.src, call);
        let args = call_arguments(call);
        if call.kind() == "new_expression" {
            let constant = callee == "RegExp"
                && args.first().is_some_and(|a| stable_expr(ctx, *a, call, 0))
                && args.get(1).is_none_or(|f| is_plain_string(ctx.src, *f));
            let constructor = syntax::function_name(ctx.src, function)
                .is_some_and(|n| n.ends_with("constructor"));
            if constant
                && !constructor
                && (super::runs_per_request(ctx, call)
                    || is_middleware(ctx, function)
                    || !loops_around(ctx, call).is_empty())
            {
                let message = "This `new RegExp(...)` is built from a pattern that never changes (literals, module-level constants or configuration) and compiled again on every call. Hoist it to module level (or use a regex literal there) and reuse it.".to_string();
                ctx.report(RuleId::MissingCache, call, message, "const EMAIL_RE = /^[^@]+@[^@]+$/  // module level, compiled once\nfunction isEmail(s) { return EMAIL_RE.test(s) }");
            } else if is_expensive_constructor(&callee)
                && args.iter().all(|a| stable_expr(ctx, *a, call, 0))
                && super::runs_per_request(ctx, call)
            {
                let message = format!("`new {callee}(...)` builds an expensive object (a DOM, a schema compiler) from inputs that never change, on every request. Build it once at module level and reuse it.");
                ctx.report(RuleId::MissingCache, call, message, "const { window } = new JSDOM('')  // module level, once\nconst DOMPurify = createDOMPurify(window)\napp.get('/svg/:id', async (req, res) => res.send(DOMPurify.sanitize(await load(req.params.id))))");
            }
            continue;
        }
        let Some(handler) = ctx.handler_of(call).cloned() else {
            continue;
        };
        let method = method_name(&callee);
        if matches!(
            callee.as_ref(),
            "JSON.parse" | "yaml.load" | "yaml.parse" | "YAML.parse" | "jsyaml.load" | "toml.parse"
        ) && args
            .first()
            .is_some_and(|a| reads_stable_file(ctx, *a, call))
        {
            let message = format!("`{callee}` reads and parses a config file on every request, although it does not depend on the request. Load it once at start-up and reuse the parsed value.");
            ctx.report(RuleId::MissingCache, call, message, "const config = JSON.parse(fs.readFileSync(CONFIG_PATH, 'utf8'))  // at start-up, once\napp.get('/settings', (req, res) => res.json(config))");
            continue;
        }
        if matches!(
            callee.as_ref(),
            "Handlebars.compile"
                | "handlebars.compile"
                | "ejs.compile"
                | "pug.compile"
                | "pug.compileFile"
                | "_.template"
                | "Mustache.parse"
                | "nunjucks.compile"
        ) {
            let message = format!("`{callee}` compiles a template on every request. Compile it once at start-up and only render per request.");
            ctx.report(RuleId::MissingCache, call, message, "const renderInvoice = Handlebars.compile(invoiceSource)  // once\napp.get('/invoice/:id', async (req, res) => res.send(renderInvoice(await load(req.params.id))))");
            continue;
        }
        let fixed_url = args.first().is_some_and(|a| {
            is_plain_string(ctx.src, *a)
                && string_value(ctx.src, *a).is_some_and(|u| u.starts_with("http"))
        });
        let get = callee == "fetch"
            && args.get(1).is_none_or(|o| {
                !ctx.text(*o).contains("method")
                    || ctx.text(*o).contains("'GET'")
                    || ctx.text(*o).contains("\"GET\"")
            })
            || (callee.starts_with("axios") && (callee == "axios.get" || callee == "axios"))
            || callee.starts_with("this.httpService.get");
        if fixed_url && get {
            let message = "This handler calls the same fixed URL on every request: an outbound round trip per request for data that changes rarely. Cache the response with a TTL (in memory, or perfkit's cache).".to_string();
            ctx.report(RuleId::MissingCache, call, message, "let rates = { value: null, at: 0 }\nasync function getRates() {\n  if (Date.now() - rates.at > 300_000) rates = { value: await (await fetch(RATES_URL)).json(), at: Date.now() }\n  return rates.value\n}");
            continue;
        }
        if handler.serves_get()
            && !ctx.src.is_chain_inner(call)
            && is_whole_table_aggregate(ctx, call, &callee, method)
        {
            let message = "This GET handler aggregates a whole table/collection on every request: the database scans it each time. Cache the result with a short TTL or keep a counter.".to_string();
            ctx.report(RuleId::MissingCache, call, message, "const total = await cache.wrap('users:count', () => prisma.user.count(), { ttl: 60_000 })");
        }
    }
}

/// Constructors that build something costly to set up and stateless to reuse: a whole
/// DOM implementation (`new JSDOM('')`), a JSON-schema compiler (`new Ajv()`).
fn is_expensive_constructor(callee: &str) -> bool {
    matches!(
        callee,
        "JSDOM" | "jsdom.JSDOM" | "Ajv" | "Ajv2019" | "Ajv2020"
    )
}

fn is_whole_table_aggregate(ctx: &Ctx, call: Node, callee: &str, method: &str) -> bool {
    let args = call_arguments(call);
    let text = ctx.text(call);
    // `db.count("users")`: a count of a whole table named by its first argument (not of a
    // configuration table, whose size is the schema's); `table.countRows()`.
    if method == "count"
        && args.len() == 1
        && callee.split('.').count() == 2
        && matches!(
            callee.split('.').next().unwrap_or(""),
            "db" | "knex" | "database" | "sql" | "pool"
        )
    {
        return string_value(ctx.src, args[0]).is_some_and(|table| !is_schema_sized(&table));
    }
    if matches!(method, "countRows" | "countAll") && args.is_empty() {
        return true;
    }
    let no_filter = args.is_empty()
        || args
            .first()
            .is_some_and(|a| a.kind() == "object" && !ctx.text(*a).contains("where"));
    let segments: Vec<&str> = callee.split('.').collect();
    match method {
        "count" | "aggregate"
            if segments.iter().any(|s| s.contains("prisma")) && segments.len() >= 3 =>
        {
            no_filter
        }
        "countDocuments" | "count"
            if args.is_empty()
                || args
                    .first()
                    .is_some_and(|a| ctx.text(*a).replace(' ', "") == "{}") =>
        {
            segments.len() >= 2
                && (segments[segments.len() - 2]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase())
                    || segments[segments.len() - 2]
                        .to_ascii_lowercase()
                        .contains("repo")
                    || orm_receiver(ctx, &segments))
        }
        "aggregate"
            if segments.len() >= 2
                && segments[segments.len() - 2]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase()) =>
        {
            !text.contains("$match")
        }
        "query" | "execute" => args
            .first()
            .and_then(|a| string_value(ctx.src, *a))
            .is_some_and(|sql| {
                let upper = sql.to_ascii_uppercase();
                (upper.contains("COUNT(") || upper.contains("SUM(") || upper.contains("AVG("))
                    && !upper.contains("WHERE")
            }),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------
// blocking-call-in-async

/// Start-up code (`listen()`, `init()`, `onModuleInit()`...): runs once before the server
/// takes requests, so a synchronous read there stalls no request.
fn runs_once_at_startup(ctx: &Ctx, function: Node) -> bool {
    syntax::function_name(ctx.src, function).is_some_and(|name| {
        matches!(
            name.as_str(),
            "listen"
                | "start"
                | "init"
                | "initialize"
                | "boot"
                | "bootstrap"
                | "setup"
                | "main"
                | "onModuleInit"
                | "onApplicationBootstrap"
        )
    })
}

/// Start-up code: a start-up function itself (`onModuleInit`, `initRoles`), or a function of
/// this file only start-up functions call (`ensureDefaultStockLocationExists` from
/// `initStockLocations`).
fn startup_only(ctx: &Ctx, function: Node) -> bool {
    let startup = |f: Node| {
        runs_once_at_startup(ctx, f)
            || defined_name(ctx, f).is_some_and(|n| {
                n.strip_prefix("init")
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            })
    };
    if startup(function) {
        return true;
    }
    let Some(name) = defined_name(ctx, function) else {
        return false;
    };
    let mut callers = ctx
        .src
        .nodes_of(&["call_expression"])
        .into_iter()
        .filter(|c| local_callee(ctx, *c) == Some(name))
        .peekable();
    callers.peek().is_some()
        && callers.all(|c| syntax::enclosing_function(ctx.src, c).is_some_and(startup))
}

/// A synchronous twin's name by Node's convention: `readFileSync`, `execSync`.
fn is_sync_name(method: &str) -> bool {
    method.len() > 4
        && method.ends_with("Sync")
        && method.starts_with(|c: char| c.is_ascii_lowercase())
}

/// A `*Sync` function this file defines, or method of the caller's own class
/// (`this.getSync(key)`), whose body calls no other `*Sync` function: the name only says
/// it is the synchronous twin of an async method (an in-memory store's `getSync`), not
/// that it does I/O.
fn own_sync_without_io(ctx: &Ctx, call: Node, callee: &str) -> bool {
    let name = method_name(callee);
    let scope = if let Some(rest) = callee.strip_prefix("this.") {
        if rest.contains('.') {
            return false;
        }
        match ctx
            .src
            .ancestors(call)
            .find(|a| matches!(a.kind(), "class_declaration" | "class"))
        {
            Some(class) => class,
            None => return false,
        }
    } else if callee.contains('.') {
        return false;
    } else {
        ctx.src.root
    };
    let mut defined = ctx
        .src
        .find_all(scope, &["method_definition", "function_declaration"])
        .into_iter()
        .filter(|d| d.field("name").is_some_and(|n| ctx.text(n) == name))
        .peekable();
    if defined.peek().is_none() {
        return false;
    }
    defined.all(|d| {
        ctx.src
            .find_all(d, &["call_expression"])
            .into_iter()
            .all(|c| !is_sync_name(method_name(&syntax::callee(ctx.src, c))))
    })
}

fn blocking_call_in_async(ctx: &mut Ctx) {
    let covered: Vec<std::ops::Range<usize>> = ctx
        .out
        .iter()
        .filter(|f| f.rule == RuleId::MissingCache)
        .map(|f| f.start_byte..f.end_byte)
        .collect();
    for call in ctx.src.nodes_of(&["call_expression"]) {
        let callee = syntax::callee(ctx.src, call);
        let method = method_name(&callee);
        if !is_sync_name(method)
            || covered.iter().any(|r| r.contains(&call.start_byte()))
            || own_sync_without_io(ctx, call, &callee)
        {
            continue;
        }
        let Some(function) = running_function(ctx, call) else {
            continue;
        };
        let handler = ctx.handler_of(call).is_some();
        if !syntax::is_async(function) && !handler {
            continue;
        }
        if !handler && runs_once_at_startup(ctx, function) {
            continue;
        }
        let place = if handler {
            "a request handler"
        } else {
            "an async function"
        };
        let message = format!(
            "`{callee}` blocks the Node.js event loop inside {place}: until it returns, no other request is served. Use the async API (`fs.promises`, `child_process.execFile` with await, async crypto) or do it once at start-up."
        );
        let fix = if callee.contains("exec") || callee.contains("spawn") {
            "const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'])"
        } else if [
            "pbkdf2Sync",
            "scryptSync",
            "hashSync",
            "compareSync",
            "genSaltSync",
        ]
        .contains(&method)
        {
            "const hash = await bcrypt.hash(password, 10)  // or util.promisify(crypto.scrypt)"
        } else {
            "const data = await fs.promises.readFile(path, 'utf8')"
        };
        ctx.report(RuleId::BlockingCallInAsync, call, message, fix);
    }
}

// ---------------------------------------------------------------------------------
// sync-heavy-handler

fn heavy_kind(ctx: &Ctx, call: Node, callee: &str) -> Option<Heavy> {
    let method = method_name(callee);
    let text = ctx.text(call);
    if matches!(method, "sendMail" | "sendEmail" | "sendTemplatedEmail")
        || sends_mail(method)
        || matches!(
            callee,
            "sgMail.send"
                | "sgMail.sendMultiple"
                | "mailer.send"
                | "resend.emails.send"
                | "mailgun.messages.create"
                | "postmark.sendEmail"
        )
        || (callee.ends_with("messages.create") && text.contains("to:"))
    {
        return Some(Heavy::Email);
    }
    if callee == "page.pdf"
        || method == "pdf" && callee.contains("page")
        // Office documents converted by LibreOffice/Abiword/unoconv (`converter.convertFile`,
        // `libre.convertAsync`): seconds of a child process per request.
        || method == "convertFile"
        || (method.starts_with("convert")
            && ["libre", "soffice", "office", "abiword", "unoconv", "pandoc"]
                .iter()
                .any(|c| callee.to_ascii_lowercase().contains(c)))
        || matches!(
            callee,
            "PDFDocument"
                | "pdf.create"
                | "PDFDocument.create"
                | "pdfMake.createPdf"
                | "wkhtmltopdf"
                | "htmlPdf.create"
        )
    {
        return Some(Heavy::Pdf);
    }
    if callee == "sharp" || callee == "Jimp.read" || callee == "gm" {
        return Some(Heavy::Image);
    }
    // A resizing helper of an image library (`resizer(...)` from
    // `resize-with-sharp-or-jimp`, `resizeImage(...)` in a file using sharp or jimp).
    if method.to_ascii_lowercase().starts_with("resize")
        && !callee.contains('(')
        && ["sharp", "jimp", "imagemagick", "image"]
            .iter()
            .any(|m| ctx.src.text.contains(m))
    {
        return Some(Heavy::Image);
    }
    if is_archive_build(ctx, call, callee) || is_collection_download(ctx, call, method) {
        return Some(Heavy::Export);
    }
    if matches!(
        callee,
        "ExcelJS.Workbook"
            | "XLSX.write"
            | "XLSX.writeFile"
            | "XLSX.utils.json_to_sheet"
            | "json2csv"
            | "json2csv.parse"
            | "Json2csvParser"
            | "XLSX.utils.book_new"
    ) {
        return Some(Heavy::Export);
    }
    None
}

/// An email-sending function by its name: `send_verification_email`, `sendResetEmail`,
/// `sendWelcomeMail`, `send_mail` (not `sendMessage`, `sendNotification`).
fn sends_mail(method: &str) -> bool {
    let lower = method.to_ascii_lowercase();
    lower.starts_with("send") && lower.contains("mail")
}

/// An archive built in memory while the client waits: `zip.toBuffer()` or
/// `zip.generateAsync()` of a `new AdmZip()`/`new JSZip()`, `archive.finalize()` of an
/// `archiver(...)`.
fn is_archive_build(ctx: &Ctx, call: Node, callee: &str) -> bool {
    let Some((receiver, method)) = callee.rsplit_once('.') else {
        return false;
    };
    if receiver.contains('.')
        || !matches!(
            method,
            "toBuffer" | "toBufferPromise" | "writeZip" | "generateAsync" | "finalize"
        )
    {
        return false;
    }
    origin(ctx, receiver, call).is_some_and(|o| {
        let o = strip(o);
        let made = match o.kind() {
            "new_expression" => o.field("constructor").map(|c| ctx.text(c)),
            "call_expression" => Some(ctx.text(o)),
            _ => None,
        };
        made.is_some_and(|m| {
            let m = m.to_ascii_lowercase();
            m.contains("zip") || m.starts_with("archiver")
        })
    })
}

/// A whole query result loaded into memory (`.toArray()`, `findAll()`, `findMany()`) in a
/// handler that answers with a file download (`Content-Disposition`, `res.attachment`,
/// `res.download`): an export of the collection built while the client waits (streaming
/// a cursor into the response is the fix, and is not this).
fn is_collection_download(ctx: &Ctx, call: Node, method: &str) -> bool {
    if !matches!(method, "toArray" | "findAll" | "findMany" | "getMany") {
        return false;
    }
    let Some(function) = syntax::enclosing_function(ctx.src, call) else {
        return false;
    };
    let mut scope = function;
    // The download may be answered in a `.then(...)` callback of the load.
    while let Some(outer) = syntax::enclosing_function(ctx.src, scope) {
        if ctx.handler_of(scope).is_some() && ctx.handler_of(outer).is_none() {
            break;
        }
        scope = outer;
    }
    let text = ctx.text(scope);
    text.contains("Content-Disposition")
        || text.contains("content-disposition")
        || text.contains(".attachment(")
        || text.contains(".download(")
}
