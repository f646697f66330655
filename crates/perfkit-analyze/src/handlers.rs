//! Request handlers in one file: which functions a web framework calls per request,
//! with the method and path when the file declares them. Rules use this to know what
//! runs per request; route discovery builds routes from it.

use std::ops::Range;

use serde::Serialize;
use tree_sitter::Node;

use crate::syntax::{
    self, call_arguments, callee, keyword_argument, method_name, string_value, Field, Source,
};

/// The web frameworks we recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    FastApi,
    Flask,
    Django,
    Express,
    NestJs,
    Fastify,
    NextJs,
}

impl Framework {
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::FastApi => "fastapi",
            Framework::Flask => "flask",
            Framework::Django => "django",
            Framework::Express => "express",
            Framework::NestJs => "nestjs",
            Framework::Fastify => "fastify",
            Framework::NextJs => "nextjs",
        }
    }
}

/// A function called per request.
#[derive(Debug, Clone)]
pub(crate) struct Handler {
    /// Byte range of the handler function.
    pub(crate) range: Range<usize>,
    pub(crate) framework: Option<Framework>,
    /// Upper-case HTTP methods; empty when any method reaches it.
    pub(crate) methods: Vec<String>,
    /// The path pattern, when declared next to the handler.
    pub(crate) path: Option<String>,
    pub(crate) name: String,
    /// 1-based line of the handler's definition.
    pub(crate) line: usize,
}

impl Handler {
    /// Whether the handler answers GET (or any method).
    pub(crate) fn serves_get(&self) -> bool {
        self.methods.is_empty() || self.methods.iter().any(|m| m == "GET")
    }
}

const PY_ROUTE_DECORATORS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "route",
    "api_route",
];
const JS_ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "all", "head", "options",
];
const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Django class-based view methods and the HTTP method that reaches them.
const CBV_METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("list", "GET"),
    ("retrieve", "GET"),
    ("create", "POST"),
    ("update", "PUT"),
    ("partial_update", "PATCH"),
    ("destroy", "DELETE"),
    ("get_queryset", "GET"),
    ("get_object", "GET"),
    ("get_context_data", "GET"),
];

/// Every handler in a file.
pub(crate) fn find_handlers(source: &Source) -> Vec<Handler> {
    if source.language.is_python() {
        python_handlers(source)
    } else {
        js_handlers(source, &mut Vec::new())
    }
}

/// A route registered in this file whose handler is defined in another module:
/// `router.get('/x', users.list)` with `users` imported from `./controllers/users`.
#[derive(Debug, Clone)]
pub(crate) struct HandlerRef {
    pub(crate) framework: Framework,
    pub(crate) methods: Vec<String>,
    pub(crate) path: String,
    /// The module specifier as written (`./controllers/users`).
    pub(crate) module: String,
    /// The function's name in that module (`list`; `default` for a default export).
    pub(crate) name: String,
}

/// The routes of a JS/TS file whose handlers live in other modules of the same project.
pub(crate) fn find_handler_refs(source: &Source) -> Vec<HandlerRef> {
    let mut refs = Vec::new();
    if !source.language.is_python() {
        js_handlers(source, &mut refs);
    }
    refs
}

/// Local name → (relative module specifier, imported name) for `import`/`require` of
/// project modules, and for `const x = new Imported()` (instances of imported classes).
fn js_imports(source: &Source) -> Vec<(String, String, String)> {
    let mut imports = Vec::new();
    for statement in source.nodes_of(&["import_statement"]) {
        let Some(module) = statement
            .field("source")
            .and_then(|m| string_value(source, m))
            .filter(|m| m.starts_with('.'))
        else {
            continue;
        };
        for node in source.find_all(
            statement,
            &["import_clause", "namespace_import", "import_specifier"],
        ) {
            match node.kind() {
                "import_clause" => {
                    if let Some(default) = node.named_child(0).filter(|n| n.kind() == "identifier")
                    {
                        imports.push((
                            source.text(default).to_string(),
                            module.clone(),
                            "default".to_string(),
                        ));
                    }
                }
                "namespace_import" => {
                    if let Some(id) = source.find_all(node, &["identifier"]).first() {
                        imports.push((source.text(*id).to_string(), module.clone(), "*".into()));
                    }
                }
                _ => {
                    let Some(name) = node.field("name") else {
                        continue;
                    };
                    let local = node.field("alias").unwrap_or(name);
                    imports.push((
                        source.text(local).to_string(),
                        module.clone(),
                        source.text(name).to_string(),
                    ));
                }
            }
        }
    }
    for declarator in source.nodes_of(&["variable_declarator"]) {
        let (Some(target), Some(value)) = (declarator.field("name"), declarator.field("value"))
        else {
            continue;
        };
        let value = match value.kind() {
            "await_expression" => value.named_child(0).unwrap_or(value),
            _ => value,
        };
        if value.kind() == "new_expression" {
            // const users = new UsersController(): methods of the imported class.
            let class = value.field("constructor").map(|c| source.text(c));
            let found = imports
                .iter()
                .find(|(local, _, _)| Some(local.as_str()) == class)
                .map(|(_, m, n)| (m.clone(), n.clone()));
            if let (Some((module, name)), "identifier") = (found, target.kind()) {
                imports.push((source.text(target).to_string(), module, name));
            }
            continue;
        }
        if value.kind() != "call_expression" || callee(source, value) != "require" {
            continue;
        }
        let Some(module) = call_arguments(value)
            .first()
            .and_then(|a| js_string(source, *a))
            .filter(|m| m.starts_with('.'))
        else {
            continue;
        };
        match target.kind() {
            "identifier" => imports.push((source.text(target).to_string(), module, "*".into())),
            "object_pattern" => {
                for id in source.find_all(
                    target,
                    &["shorthand_property_identifier_pattern", "pair_pattern"],
                ) {
                    let (name, local) = match id.kind() {
                        "pair_pattern" => (
                            id.field("key").map(|k| source.text(k)),
                            id.field("value").map(|v| source.text(v)),
                        ),
                        _ => (Some(source.text(id)), Some(source.text(id))),
                    };
                    if let (Some(name), Some(local)) = (name, local) {
                        imports.push((local.to_string(), module.clone(), name.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    imports
}

fn line_of(node: Node) -> usize {
    node.start_position().row + 1
}

fn methods_from_list(source: &Source, list: Option<Node>) -> Vec<String> {
    let Some(list) = list else { return Vec::new() };
    source
        .find_all(list, &["string"])
        .into_iter()
        .filter_map(|s| string_value(source, s))
        .map(|m| m.to_ascii_uppercase())
        .filter(|m| HTTP_METHODS.contains(&m.as_str()))
        .collect()
}

fn join_paths(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        return path.to_string();
    }
    let prefix = prefix.trim_end_matches('/');
    if path.is_empty() || path == "/" {
        return if prefix.is_empty() {
            "/".into()
        } else {
            prefix.to_string()
        };
    }
    format!("{prefix}/{}", path.trim_start_matches('/'))
}

/// Module-level `name = Blueprint(..., url_prefix="/x")` / `APIRouter(prefix="/x")` prefixes.
fn python_prefixes(source: &Source) -> Vec<(String, String)> {
    let mut prefixes = Vec::new();
    let mut cursor = source.root.walk();
    for statement in source.root.named_children(&mut cursor) {
        let Some(assignment) = statement
            .named_child(0)
            .filter(|n| n.kind() == "assignment")
        else {
            continue;
        };
        let (Some(left), Some(right)) = (assignment.field("left"), assignment.field("right"))
        else {
            continue;
        };
        if right.kind() != "call" {
            continue;
        }
        let prefix = keyword_argument(source, right, "url_prefix")
            .or_else(|| keyword_argument(source, right, "prefix"));
        if let Some(prefix) = prefix.and_then(|p| string_value(source, p)) {
            prefixes.push((source.text(left).to_string(), prefix));
        }
    }
    prefixes
}

fn python_handlers(source: &Source) -> Vec<Handler> {
    let prefixes = python_prefixes(source);
    let django_file = source.imports("django")
        || source.imports("rest_framework")
        || source.path.ends_with("views.py");
    let mut handlers = Vec::new();
    for function in source.nodes_of(&["function_definition"]) {
        let name = syntax::function_name(source, function).unwrap_or_default();
        let line = line_of(function);
        let range = function.byte_range();
        let decorators: Vec<Node> = match function
            .parent()
            .filter(|p| p.kind() == "decorated_definition")
        {
            Some(decorated) => {
                let mut cursor = decorated.walk();
                let list: Vec<Node> = decorated
                    .named_children(&mut cursor)
                    .filter(|n| n.kind() == "decorator")
                    .filter_map(|d| d.named_child(0))
                    .collect();
                list
            }
            None => Vec::new(),
        };
        let mut found = false;
        for decorator in &decorators {
            if decorator.kind() != "call" {
                continue;
            }
            let callee = callee(source, *decorator);
            let method = method_name(&callee);
            let object = callee.rsplit_once('.').map(|(o, _)| o).unwrap_or("");
            if !object.is_empty() && PY_ROUTE_DECORATORS.contains(&method) {
                let first = call_arguments(*decorator).first().copied();
                let path = first.and_then(|a| string_value(source, a));
                // `@router.post(ROUTES[Action.CHAT])`: a path held in a constant is still a
                // route of a router or app object (its pattern is not known, so route
                // discovery does not list it, but the function is a request handler).
                let named_path = first
                    .is_some_and(|a| matches!(a.kind(), "subscript" | "identifier" | "attribute"))
                    && {
                        let object = object.to_ascii_lowercase();
                        object.ends_with("router") || object.ends_with("app")
                    };
                if path.is_none() && !named_path {
                    continue;
                }
                let framework = if method == "route" || source.imports("flask") {
                    Framework::Flask
                } else {
                    Framework::FastApi
                };
                let methods = match method {
                    "route" | "api_route" => {
                        let listed = methods_from_list(
                            source,
                            keyword_argument(source, *decorator, "methods"),
                        );
                        if listed.is_empty() && method == "route" {
                            vec!["GET".to_string()]
                        } else {
                            listed
                        }
                    }
                    m => vec![m.to_ascii_uppercase()],
                };
                let prefix = prefixes
                    .iter()
                    .find(|(n, _)| n == object)
                    .map(|(_, p)| p.as_str())
                    .unwrap_or("");
                handlers.push(Handler {
                    range: range.clone(),
                    framework: Some(framework),
                    methods,
                    path: path.map(|path| join_paths(prefix, &path)),
                    name: name.clone(),
                    line,
                });
                found = true;
            } else if callee == "expose"
                && call_arguments(*decorator)
                    .first()
                    .and_then(|a| string_value(source, *a))
                    .is_some()
            {
                // Flask-AppBuilder: `@expose("/export/", methods=("GET",))` on a view or API
                // class method is a route of that view (its URL prefix is the class's).
                let listed =
                    methods_from_list(source, keyword_argument(source, *decorator, "methods"));
                handlers.push(Handler {
                    range: range.clone(),
                    framework: Some(Framework::Flask),
                    methods: if listed.is_empty() {
                        vec!["GET".to_string()]
                    } else {
                        listed
                    },
                    path: None,
                    name: name.clone(),
                    line,
                });
                found = true;
            } else if matches!(method, "api_view" | "require_http_methods") {
                let list = call_arguments(*decorator).first().copied();
                handlers.push(Handler {
                    range: range.clone(),
                    framework: Some(Framework::Django),
                    methods: methods_from_list(source, list),
                    path: None,
                    name: name.clone(),
                    line,
                });
                found = true;
            } else if method == "action" {
                handlers.push(Handler {
                    range: range.clone(),
                    framework: Some(Framework::Django),
                    methods: methods_from_list(
                        source,
                        keyword_argument(source, *decorator, "methods"),
                    ),
                    path: None,
                    name: name.clone(),
                    line,
                });
                found = true;
            }
        }
        if found {
            continue;
        }
        let decorator_names: Vec<&str> = decorators.iter().map(|d| source.text(*d)).collect();
        let class = source
            .ancestors(function)
            .find(|n| n.kind() == "class_definition" || n.kind() == "function_definition");
        let own_name = function.field("name").map(|n| source.text(n)).unwrap_or("");
        match class {
            Some(class) if class.kind() == "class_definition" => {
                let bases = class
                    .field("superclasses")
                    .map(|b| source.text(b))
                    .unwrap_or("");
                let view_class = bases.contains("View")
                    || bases.contains("APIView")
                    || bases.contains("ViewSet")
                    || bases.contains("Mixin");
                if !view_class {
                    continue;
                }
                let Some((_, method)) = CBV_METHODS.iter().find(|(m, _)| *m == own_name) else {
                    continue;
                };
                let framework = if bases.contains("MethodView") {
                    Framework::Flask
                } else {
                    Framework::Django
                };
                handlers.push(Handler {
                    range,
                    framework: Some(framework),
                    methods: vec![method.to_string()],
                    path: None,
                    name,
                    line,
                });
            }
            Some(_) => {}
            None => {
                let params = syntax::parameter_names(source, function);
                if django_file && params.first().is_some_and(|p| p == "request") {
                    let methods = if decorator_names
                        .iter()
                        .any(|d| d.contains("require_GET") || d.contains("require_safe"))
                    {
                        vec!["GET".to_string()]
                    } else if decorator_names.iter().any(|d| d.contains("require_POST")) {
                        vec!["POST".to_string()]
                    } else {
                        Vec::new()
                    };
                    handlers.push(Handler {
                        range,
                        framework: Some(Framework::Django),
                        methods,
                        path: None,
                        name,
                        line,
                    });
                } else if let Some(framework) = returns_response(source, function) {
                    // Registered elsewhere (`router.add_api_route(path, f)`, a URL map in
                    // another module), but it answers a request itself.
                    handlers.push(Handler {
                        range,
                        framework: Some(framework),
                        methods: Vec::new(),
                        path: None,
                        name,
                        line,
                    });
                }
            }
        }
    }
    handlers
}

/// A module-level function that returns a web framework's response object it builds
/// (`return StreamingResponse(buf, ...)`, `return FileResponse(path)`, `return
/// send_file(...)`), in a file that imports that framework: a request handler, wherever it
/// is routed from.
fn returns_response(source: &Source, function: Node) -> Option<Framework> {
    let framework = if source.imports("fastapi") || source.imports("starlette") {
        Framework::FastApi
    } else if source.imports("flask") {
        Framework::Flask
    } else if source.imports("django") {
        Framework::Django
    } else {
        return None;
    };
    let answers = source
        .find_in_scope(function, &["return_statement"])
        .into_iter()
        .filter(|r| syntax::enclosing_function(source, *r) == Some(function))
        .filter_map(|r| r.named_child(0))
        .any(|value| {
            value.kind() == "call" && {
                let callee = callee(source, value);
                let name = method_name(&callee);
                (name.ends_with("Response") && name != "Response")
                    || matches!(name, "send_file" | "make_response")
            }
        });
    answers.then_some(framework)
}

fn is_js_function(node: Node) -> bool {
    matches!(
        node.kind(),
        "arrow_function" | "function_expression" | "function"
    )
}

/// The module-level function named `name` (declaration or `const name = (...) =>`).
fn js_function_named<'t>(source: &Source<'t>, name: &str) -> Option<Node<'t>> {
    for node in source.nodes_of(&["function_declaration", "variable_declarator"]) {
        let Some(id) = node.field("name") else {
            continue;
        };
        if source.text(id) != name {
            continue;
        }
        if node.kind() == "function_declaration" {
            return Some(node);
        }
        if let Some(value) = node.field("value").filter(|v| is_js_function(*v)) {
            return Some(value);
        }
    }
    None
}

fn js_string(source: &Source, node: Node) -> Option<String> {
    match node.kind() {
        "string" | "template_string" => string_value(source, node),
        _ => None,
    }
}

fn js_handlers<'t>(source: &Source<'t>, refs: &mut Vec<HandlerRef>) -> Vec<Handler> {
    let mut imports: Option<Vec<(String, String, String)>> = None;
    // A handler named by an imported binding (`users.list`, `list`, `users.default`).
    let mut external = |arg: Node<'t>| -> Option<(String, String)> {
        let (local, member) = match arg.kind() {
            "identifier" => (source.text(arg), None),
            "member_expression" => {
                let object = arg.field("object")?;
                let property = arg.field("property")?;
                (object.kind() == "identifier").then_some(())?;
                (source.text(object), Some(source.text(property)))
            }
            _ => return None,
        };
        let imports = imports.get_or_insert_with(|| js_imports(source));
        let (_, module, imported) = imports.iter().find(|(l, _, _)| l == local)?;
        let name = match (member, imported.as_str()) {
            (Some(member), _) => member.to_string(),
            (None, "*") => "default".to_string(),
            (None, imported) => imported.to_string(),
        };
        Some((module.clone(), name))
    };
    let fastify = source.imports("fastify");
    let web_framework = fastify
        || source.imports("express")
        || source.imports("koa")
        || source.imports("hono")
        || source.text.contains("Router(");
    let mut handlers = Vec::new();
    let push = |handlers: &mut Vec<Handler>,
                function: Node,
                framework: Framework,
                methods: Vec<String>,
                path: Option<String>| {
        let name = syntax::function_name(source, function).unwrap_or_else(|| {
            format!("{} {}", methods.join(","), path.clone().unwrap_or_default())
        });
        handlers.push(Handler {
            range: function.byte_range(),
            framework: Some(framework),
            methods,
            path,
            name,
            line: line_of(function),
        });
    };
    let resolve = |arg: Node<'t>| -> Option<Node<'t>> {
        if is_js_function(arg) {
            Some(arg)
        } else if arg.kind() == "identifier" {
            js_function_named(source, source.text(arg))
        } else {
            None
        }
    };
    for call in source.nodes_of(&["call_expression"]) {
        let callee = callee(source, call);
        let method = method_name(&callee);
        let args = call_arguments(call);
        let Some(function) = call
            .field("function")
            .filter(|f| f.kind() == "member_expression")
        else {
            continue;
        };
        let object = function.field("object");
        // app.route('/x').get(handler)
        if JS_ROUTE_METHODS.contains(&method) {
            if let Some(route_call) =
                object.filter(|o| o.kind() == "call_expression" && callee_is_route(source, *o))
            {
                let path = call_arguments(route_call)
                    .first()
                    .and_then(|a| js_string(source, *a));
                if let Some(handler) = args.last().and_then(|a| resolve(*a)) {
                    push(
                        &mut handlers,
                        handler,
                        Framework::Express,
                        vec![method.to_ascii_uppercase()],
                        path,
                    );
                }
                continue;
            }
        }
        if JS_ROUTE_METHODS.contains(&method) && args.len() >= 2 {
            let Some(path) = js_string(source, args[0]) else {
                continue;
            };
            if !path.starts_with('/') && !path.starts_with('*') && !web_framework {
                continue;
            }
            let object_text = object.map(|o| source.text(o)).unwrap_or("");
            let framework = if fastify || object_text.contains("fastify") {
                Framework::Fastify
            } else {
                Framework::Express
            };
            let methods = if method == "all" {
                Vec::new()
            } else {
                vec![method.to_ascii_uppercase()]
            };
            let Some(last) = args.last().copied() else {
                continue;
            };
            if let Some(handler) = resolve(last) {
                push(&mut handlers, handler, framework, methods, Some(path));
            } else if let Some((module, name)) = external(last) {
                refs.push(HandlerRef {
                    framework,
                    methods,
                    path,
                    module,
                    name,
                });
            }
        } else if method == "route" && args.len() == 1 && args[0].kind() == "object" {
            // fastify.route({ method, url, handler })
            let mut methods = Vec::new();
            let mut path = None;
            let mut handler = None;
            for pair in source
                .find_all(args[0], &["pair"])
                .into_iter()
                .filter(|p| source.parent(*p) == Some(args[0]))
            {
                let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else {
                    continue;
                };
                match source.text(key).trim_matches(['\'', '"']) {
                    "method" => {
                        methods = source
                            .find_all(value, &["string"])
                            .into_iter()
                            .filter_map(|s| string_value(source, s))
                            .map(|m| m.to_ascii_uppercase())
                            .collect()
                    }
                    "url" | "path" => path = js_string(source, value),
                    "handler" => handler = resolve(value),
                    _ => {}
                }
            }
            if let Some(handler) = handler {
                push(&mut handlers, handler, Framework::Fastify, methods, path);
            }
        }
    }
    // NestJS controllers.
    for class in source.nodes_of(&["class_declaration", "class"]) {
        let Some(prefix) = nest_decorator(source, class, "Controller") else {
            continue;
        };
        let Some(body) = class.field("body") else {
            continue;
        };
        let mut cursor = body.walk();
        let members: Vec<Node> = body.named_children(&mut cursor).collect();
        let mut pending: Vec<Node> = Vec::new();
        for member in members {
            if member.kind() == "decorator" {
                pending.push(member);
                continue;
            }
            if member.kind() == "method_definition" {
                let mut decorators = std::mem::take(&mut pending);
                let mut c2 = member.walk();
                decorators.extend(member.children(&mut c2).filter(|c| c.kind() == "decorator"));
                for decorator in decorators {
                    let Some((name, arg)) = decorator_call(source, decorator) else {
                        continue;
                    };
                    let upper = name.to_ascii_uppercase();
                    if HTTP_METHODS.contains(&upper.as_str())
                        && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        || name == "All"
                    {
                        let path = join_paths(
                            &format!("/{}", prefix.trim_start_matches('/')),
                            &arg.unwrap_or_default(),
                        );
                        let methods = if name == "All" {
                            Vec::new()
                        } else {
                            vec![upper]
                        };
                        push(
                            &mut handlers,
                            member,
                            Framework::NestJs,
                            methods,
                            Some(path),
                        );
                    }
                }
            }
            pending.clear();
        }
    }
    // Next.js API routes.
    let path = source.path.replace('\\', "/");
    if let Some(route) = next_pages_route(&path) {
        for export in source.nodes_of(&["export_statement"]) {
            if !source.text(export).starts_with("export default") {
                continue;
            }
            let target = export
                .field("declaration")
                .or_else(|| export.field("value"))
                .and_then(|d| {
                    if d.kind() == "identifier" {
                        js_function_named(source, source.text(d))
                    } else {
                        Some(d)
                    }
                })
                .filter(|d| {
                    matches!(
                        d.kind(),
                        "function_declaration"
                            | "function_expression"
                            | "function"
                            | "arrow_function"
                    )
                });
            if let Some(function) = target {
                let methods = compared_methods(source, function);
                push(
                    &mut handlers,
                    function,
                    Framework::NextJs,
                    methods,
                    Some(route.clone()),
                );
            }
        }
    } else if let Some(route) = next_app_route(&path) {
        for export in source.nodes_of(&["export_statement"]) {
            let Some(declaration) = export.field("declaration") else {
                continue;
            };
            let functions: Vec<(String, Node)> = match declaration.kind() {
                "function_declaration" => declaration
                    .field("name")
                    .map(|n| vec![(source.text(n).to_string(), declaration)])
                    .unwrap_or_default(),
                "lexical_declaration" => source
                    .find_all(declaration, &["variable_declarator"])
                    .into_iter()
                    .filter_map(|d| {
                        let name = source.text(d.field("name")?).to_string();
                        let value = d.field("value").filter(|v| is_js_function(*v))?;
                        Some((name, value))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (name, function) in functions {
                if HTTP_METHODS.contains(&name.as_str()) {
                    push(
                        &mut handlers,
                        function,
                        Framework::NextJs,
                        vec![name],
                        Some(route.clone()),
                    );
                }
            }
        }
    }
    if handlers.is_empty() || web_framework {
        // Functions shaped like handlers: (req, res[, next]) or (request, reply).
        for function in source.nodes_of(&[
            "function_declaration",
            "function_expression",
            "function",
            "arrow_function",
            "method_definition",
        ]) {
            if handlers.iter().any(|h| h.range == function.byte_range()) {
                continue;
            }
            let params = syntax::parameter_names(source, function);
            let shaped = matches!(params.first().map(String::as_str), Some("req" | "request"))
                && matches!(
                    params.get(1).map(String::as_str),
                    Some("res" | "reply" | "response")
                );
            if shaped {
                handlers.push(Handler {
                    range: function.byte_range(),
                    framework: None,
                    methods: Vec::new(),
                    path: None,
                    name: syntax::function_name(source, function)
                        .unwrap_or_else(|| "handler".into()),
                    line: line_of(function),
                });
            }
        }
    }
    handlers
}

fn callee_is_route(source: &Source, call: Node) -> bool {
    method_name(&callee(source, call)) == "route"
        && call_arguments(call)
            .first()
            .is_some_and(|a| js_string(source, *a).is_some())
}

/// `@Name('arg')` or `@Name()` → (Name, arg).
fn decorator_call(source: &Source, decorator: Node) -> Option<(String, Option<String>)> {
    let expression = decorator.named_child(0)?;
    match expression.kind() {
        "call_expression" => {
            let name = callee(source, expression);
            let arg = call_arguments(expression)
                .first()
                .and_then(|a| js_string(source, *a));
            Some((name.into_owned(), arg))
        }
        "identifier" => Some((source.text(expression).to_string(), None)),
        _ => None,
    }
}

/// The path argument of a class decorator `@Name(...)` (on the class or its export).
fn nest_decorator(source: &Source, class: Node, wanted: &str) -> Option<String> {
    let mut decorators = Vec::new();
    let mut cursor = class.walk();
    decorators.extend(
        class
            .children(&mut cursor)
            .filter(|c| c.kind() == "decorator"),
    );
    if let Some(export) = source
        .parent(class)
        .filter(|p| p.kind() == "export_statement")
    {
        let mut cursor = export.walk();
        decorators.extend(
            export
                .children(&mut cursor)
                .filter(|c| c.kind() == "decorator"),
        );
    }
    decorators.into_iter().find_map(|d| {
        let (name, arg) = decorator_call(source, d)?;
        (name == wanted).then(|| arg.unwrap_or_default())
    })
}

/// `pages/api/users/[id].ts` → `/api/users/[id]`.
fn next_pages_route(path: &str) -> Option<String> {
    let index = path.find("pages/api/")?;
    if index > 0 && !path[..index].ends_with('/') {
        return None;
    }
    let rest = &path[index + "pages".len()..];
    let rest = rest.rsplit_once('.').map(|(r, _)| r).unwrap_or(rest);
    let rest = rest.strip_suffix("/index").unwrap_or(rest);
    Some(rest.to_string())
}

/// `app/api/users/[id]/route.ts` → `/api/users/[id]` (route groups `(x)` dropped).
fn next_app_route(path: &str) -> Option<String> {
    let (dir, file) = path.rsplit_once('/')?;
    if !file.starts_with("route.") {
        return None;
    }
    let index = dir
        .find("app/")
        .filter(|i| *i == 0 || dir[..*i].ends_with('/'))?;
    let segments: Vec<&str> = dir[index + 4..]
        .split('/')
        .filter(|s| !(s.is_empty() || s.starts_with('(') && s.ends_with(')')))
        .collect();
    Some(format!("/{}", segments.join("/")))
}

/// Methods a Next.js pages handler compares `req.method` against.
fn compared_methods(source: &Source, function: Node) -> Vec<String> {
    let mut methods = Vec::new();
    for comparison in source.find_all(function, &["binary_expression", "switch_case"]) {
        let text = source.text(comparison);
        if comparison.kind() == "binary_expression" && !text.contains("method") {
            continue;
        }
        if comparison.kind() == "switch_case" {
            let in_method_switch = source
                .ancestors(comparison)
                .find(|a| a.kind() == "switch_statement")
                .and_then(|s| s.field("value"))
                .is_some_and(|v| source.text(v).contains("method"));
            if !in_method_switch {
                continue;
            }
        }
        for s in source.find_all(comparison, &["string"]) {
            if let Some(value) = string_value(source, s) {
                if HTTP_METHODS.contains(&value.as_str()) && !methods.contains(&value) {
                    methods.push(value);
                }
            }
        }
    }
    methods
}
