//! Route discovery: each HTTP route's method, path pattern, handler location and whether
//! the handler reads or writes data, for FastAPI, Flask, Django (urls.py, function and
//! class-based views), Express, NestJS, Fastify and Next.js API routes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;
use tree_sitter::Node;

use crate::handlers::{find_handler_refs, find_handlers, Framework, Handler, HandlerRef};
use crate::lang::Language;
use crate::syntax::{call_arguments, callee, string_value, Field, Source};
use crate::{walk, AnalyzeError};

/// One HTTP route of the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub framework: Framework,
    /// Upper-case method, or `ANY` when the handler accepts every method.
    pub method: String,
    /// The path pattern in the framework's own syntax (`/users/{id}`, `/users/:id`, `users/<int:pk>/`).
    pub path: String,
    /// The handler's file (relative to the root) and 1-based line.
    pub file: String,
    pub line: usize,
    /// The handler's name (`Class.method` for methods).
    pub handler: String,
    pub data: DataAccess,
}

/// Whether a handler touches a database (or another data store).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DataAccess {
    pub reads: bool,
    pub writes: bool,
}

/// A view a Django urls.py can point at.
#[derive(Debug, Clone)]
struct View {
    file: String,
    /// Function or class name.
    name: String,
    /// (method, handler name, data, line) for each HTTP method the view serves.
    methods: Vec<(String, String, DataAccess, usize)>,
}

#[derive(Debug, Clone)]
enum UrlTarget {
    View(String),
    Include(String),
    /// `path("api/", include(router.urls))`: where a DRF router's routes are mounted.
    RouterMount(String),
    /// `router.register("books", BookViewSet)`: (router variable, viewset class).
    ViewSet(String, String),
}

/// DRF viewset actions: (action, HTTP method, on the detail path `{prefix}/{pk}/`).
const VIEWSET_ACTIONS: &[(&str, &str, bool)] = &[
    ("list", "GET", false),
    ("create", "POST", false),
    ("retrieve", "GET", true),
    ("update", "PUT", true),
    ("partial_update", "PATCH", true),
    ("destroy", "DELETE", true),
];

#[derive(Debug, Clone)]
struct UrlEntry {
    file: String,
    route: String,
    target: UrlTarget,
}

/// A module-level function (or class/object method) another file can route to.
#[derive(Debug, Clone)]
struct ModuleFunction {
    file: String,
    /// The name other modules use: the function's, the export's, or `default`.
    name: String,
    /// How routes name the handler (`Class.method` for methods).
    handler: String,
    line: usize,
    data: DataAccess,
}

#[derive(Debug, Default)]
struct Collected {
    routes: Vec<Route>,
    views: Vec<View>,
    urls: Vec<UrlEntry>,
    functions: Vec<ModuleFunction>,
    /// (file registering the route, the route with its handler in another module).
    refs: Vec<(String, HandlerRef)>,
}

/// Every route under `root`, sorted by path then method.
pub fn discover_routes(root: &Path, excludes: &[String]) -> Result<Vec<Route>, AnalyzeError> {
    let collected = Mutex::new(Collected::default());
    walk::for_each_source(
        root,
        excludes,
        0,
        |_| true,
        |relative, language, text, parsers| {
            let Some(tree) = parsers.parse(language, text) else {
                return;
            };
            let source = Source::new(relative, text, language, tree.root_node());
            let mut local = Collected::default();
            collect_file(&source, &mut local);
            let mut all = collected.lock().unwrap_or_else(|e| e.into_inner());
            all.routes.append(&mut local.routes);
            all.views.append(&mut local.views);
            all.urls.append(&mut local.urls);
            all.functions.append(&mut local.functions);
            all.refs.append(&mut local.refs);
        },
    )?;
    let mut collected = collected.into_inner().unwrap_or_else(|e| e.into_inner());
    let django = resolve_django(&collected);
    collected.routes.extend(django);
    let imported = resolve_handler_refs(&collected);
    collected.routes.extend(imported);
    let mut routes = collected.routes;
    routes.sort_by(|a, b| {
        (&a.path, &a.method, &a.file, a.line).cmp(&(&b.path, &b.method, &b.file, b.line))
    });
    routes.dedup();
    Ok(routes)
}

fn collect_file(source: &Source, out: &mut Collected) {
    let handlers = find_handlers(source);
    collect_module_functions(source, out);
    for reference in find_handler_refs(source) {
        out.refs.push((source.path.to_string(), reference));
    }
    for handler in &handlers {
        let (Some(framework), Some(path)) = (handler.framework, &handler.path) else {
            continue;
        };
        let data = data_access(source, handler);
        let methods = if handler.methods.is_empty() {
            vec!["ANY".to_string()]
        } else {
            handler.methods.clone()
        };
        for method in methods {
            out.routes.push(Route {
                framework,
                method,
                path: path.clone(),
                file: source.path.to_string(),
                line: handler.line,
                handler: handler.name.clone(),
                data,
            });
        }
    }
    if source.language != Language::Python {
        return;
    }
    // Django views, for urls.py to point at.
    let mut views: HashMap<String, View> = HashMap::new();
    for handler in handlers
        .iter()
        .filter(|h| h.framework == Some(Framework::Django) && h.path.is_none())
    {
        let view_name = match handler.name.split_once('.') {
            Some((class, _)) => class.to_string(),
            None => handler.name.clone(),
        };
        let data = data_access(source, handler);
        let view = views.entry(view_name.clone()).or_insert_with(|| View {
            file: source.path.to_string(),
            name: view_name,
            methods: Vec::new(),
        });
        let methods = if handler.methods.is_empty() {
            vec!["ANY".to_string()]
        } else {
            handler.methods.clone()
        };
        for method in methods {
            if let Some(existing) = view.methods.iter_mut().find(|(m, _, _, _)| *m == method) {
                existing.2.reads |= data.reads;
                existing.2.writes |= data.writes;
            } else {
                view.methods
                    .push((method, handler.name.clone(), data, handler.line));
            }
        }
    }
    // Class-based views with no handler methods of their own (generic views): GET.
    for class in source.nodes_of(&["class_definition"]) {
        let Some(name) = class.field("name").map(|n| source.text(n).to_string()) else {
            continue;
        };
        let bases = class
            .field("superclasses")
            .map(|b| source.text(b))
            .unwrap_or("");
        if bases.contains("ViewSet") {
            // Actions the base classes provide, unless the class defines them itself.
            let provided: &[&str] = if bases.contains("ReadOnlyModelViewSet") {
                &["list", "retrieve"]
            } else if bases.contains("ModelViewSet") {
                &[
                    "list",
                    "create",
                    "retrieve",
                    "update",
                    "partial_update",
                    "destroy",
                ]
            } else {
                &[]
            };
            let line = class.start_position().row + 1;
            let view = views.entry(name.clone()).or_insert_with(|| View {
                file: source.path.to_string(),
                name: name.clone(),
                methods: Vec::new(),
            });
            for action in provided {
                let handler = format!("{name}.{action}");
                if view.methods.iter().any(|(_, h, _, _)| *h == handler) {
                    continue;
                }
                let (_, method, _) = VIEWSET_ACTIONS
                    .iter()
                    .find(|(a, _, _)| a == action)
                    .copied()
                    .unwrap_or(("", "GET", false));
                let data = DataAccess {
                    reads: true,
                    writes: method != "GET",
                };
                view.methods.push((method.to_string(), handler, data, line));
            }
            continue;
        }
        if views.contains_key(&name) || !bases.contains("View") {
            continue;
        }
        let text = source.text(class);
        let data = DataAccess {
            reads: text.contains("queryset") || text.contains("model ="),
            writes: bases.contains("Create")
                || bases.contains("Update")
                || bases.contains("Delete")
                || bases.contains("ModelViewSet"),
        };
        let line = class.start_position().row + 1;
        let mut methods = vec![("GET".to_string(), name.clone(), data, line)];
        if bases.contains("Create") || bases.contains("FormView") {
            methods.push(("POST".to_string(), name.clone(), data, line));
        }
        views.insert(
            name.clone(),
            View {
                file: source.path.to_string(),
                name,
                methods,
            },
        );
    }
    out.views.extend(views.into_values());
    if source.path.ends_with("urls.py") {
        collect_urls(source, out);
    }
}

fn collect_urls(source: &Source, out: &mut Collected) {
    for call in source.nodes_of(&["call"]) {
        let name = callee(source, call);
        let args = call_arguments(call);
        if let Some(router) = name.strip_suffix(".register") {
            let prefix = args.first().and_then(|a| string_value(source, *a));
            if let (Some(prefix), Some(viewset)) = (prefix, args.get(1)) {
                out.urls.push(UrlEntry {
                    file: source.path.to_string(),
                    route: prefix,
                    target: UrlTarget::ViewSet(router.to_string(), view_name(source, *viewset)),
                });
            }
            continue;
        }
        if !matches!(
            name.as_ref(),
            "path" | "re_path" | "url" | "django.urls.path"
        ) {
            continue;
        }
        let (Some(route), Some(target)) = (
            args.first().and_then(|a| string_value(source, *a)),
            args.get(1),
        ) else {
            continue;
        };
        let target = match target.kind() {
            "call" if callee(source, *target) == "include" => {
                let Some(first) = call_arguments(*target).first().copied() else {
                    continue;
                };
                match string_value(source, first) {
                    Some(module) => UrlTarget::Include(module),
                    None => match source.text(first).strip_suffix(".urls") {
                        Some(router) => UrlTarget::RouterMount(router.to_string()),
                        None => continue,
                    },
                }
            }
            _ => UrlTarget::View(view_name(source, *target)),
        };
        out.urls.push(UrlEntry {
            file: source.path.to_string(),
            route,
            target,
        });
    }
}

/// Functions other modules can route to: Python module-level functions; JS/TS module-level
/// functions, `exports.x = …`, `module.exports = { … }` members, default exports and the
/// methods of module-level classes.
fn collect_module_functions(source: &Source, out: &mut Collected) {
    let kinds: &[&str] = if source.language.is_python() {
        &["function_definition"]
    } else {
        &[
            "function_declaration",
            "method_definition",
            "arrow_function",
            "function_expression",
            "function",
        ]
    };
    for function in source.nodes_of(kinds) {
        if source.enclosing_function(function).is_some() {
            continue;
        }
        let parent = source.parent(function);
        let in_class = source
            .ancestors(function)
            .any(|a| matches!(a.kind(), "class_definition" | "class_body"));
        let mut names: Vec<&str> = Vec::new();
        if source.language.is_python() {
            if in_class {
                continue;
            }
            names.extend(function.field("name").map(|n| source.text(n)));
        } else {
            match function.kind() {
                "function_declaration" | "method_definition" => {
                    names.extend(function.field("name").map(|n| source.text(n)))
                }
                _ => {
                    let key = parent.and_then(|p| match p.kind() {
                        "variable_declarator" => p.field("name"),
                        "pair" => p.field("key"),
                        "assignment_expression" => p
                            .field("left")
                            .and_then(|l| l.field("property").or(Some(l))),
                        _ => None,
                    });
                    names.extend(key.map(|k| source.text(k).trim_matches(['\'', '"'])));
                }
            }
            let exported_default = parent.is_some_and(|p| {
                p.kind() == "export_statement" && source.text(p).starts_with("export default")
            });
            if exported_default {
                names.push("default");
            }
        }
        if names.is_empty() {
            continue;
        }
        let handler_name =
            crate::syntax::function_name(source, function).unwrap_or_else(|| names[0].to_string());
        let handler = Handler {
            range: function.byte_range(),
            framework: None,
            methods: Vec::new(),
            path: None,
            name: handler_name.clone(),
            line: function.start_position().row + 1,
        };
        let data = data_access(source, &handler);
        for name in names {
            out.functions.push(ModuleFunction {
                file: source.path.to_string(),
                name: name.to_string(),
                handler: handler_name.clone(),
                line: handler.line,
                data,
            });
        }
    }
}

/// The files a relative module specifier may name, from the importing file's folder.
fn module_files(from: &str, specifier: &str) -> Vec<String> {
    let mut parts: Vec<&str> = dir_of(from).split('/').filter(|p| !p.is_empty()).collect();
    for part in specifier.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    let base = parts.join("/");
    let stem = [".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx"]
        .iter()
        .find_map(|ext| base.strip_suffix(ext))
        .unwrap_or(&base);
    let mut files = vec![base.clone()];
    for ext in ["ts", "js", "tsx", "jsx", "mjs", "cjs", "mts", "cts"] {
        files.push(format!("{stem}.{ext}"));
        files.push(format!("{base}/index.{ext}"));
    }
    files
}

/// Routes whose handlers live in another module of the project, pointed at that handler.
fn resolve_handler_refs(collected: &Collected) -> Vec<Route> {
    let mut routes = Vec::new();
    for (file, reference) in &collected.refs {
        let candidates = module_files(file, &reference.module);
        let Some(function) = candidates.iter().find_map(|candidate| {
            collected
                .functions
                .iter()
                .find(|f| f.file == *candidate && f.name == reference.name)
        }) else {
            continue;
        };
        let methods = if reference.methods.is_empty() {
            vec!["ANY".to_string()]
        } else {
            reference.methods.clone()
        };
        for method in methods {
            routes.push(Route {
                framework: reference.framework,
                method,
                path: reference.path.clone(),
                file: function.file.clone(),
                line: function.line,
                handler: function.handler.clone(),
                data: function.data,
            });
        }
    }
    routes
}

/// `views.user_detail` → `user_detail`; `UserView.as_view()` → `UserView`.
fn view_name(source: &Source, node: Node) -> String {
    let text: String = source
        .text(node)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let text = text.split(".as_view(").next().unwrap_or(&text);
    text.rsplit('.').next().unwrap_or(text).to_string()
}

fn dir_of(file: &str) -> &str {
    file.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn resolve_django(collected: &Collected) -> Vec<Route> {
    let files: Vec<&str> = {
        let mut f: Vec<&str> = collected.urls.iter().map(|u| u.file.as_str()).collect();
        f.sort();
        f.dedup();
        f
    };
    // urls.py files that another one includes are expanded from there, not as roots.
    let included: Vec<&str> = collected
        .urls
        .iter()
        .filter_map(|u| match &u.target {
            UrlTarget::Include(module) => files.iter().copied().find(|f| module_matches(f, module)),
            _ => None,
        })
        .collect();
    let mut routes = Vec::new();
    for file in files.iter().filter(|f| !included.contains(f)) {
        expand(collected, &files, file, "/", &mut routes, 0);
    }
    routes
}

fn module_matches(file: &str, module: &str) -> bool {
    let as_path = format!("{}.py", module.replace('.', "/"));
    file == as_path || file.ends_with(&format!("/{as_path}"))
}

fn expand(
    collected: &Collected,
    files: &[&str],
    file: &str,
    prefix: &str,
    routes: &mut Vec<Route>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let entries: Vec<&UrlEntry> = collected.urls.iter().filter(|u| u.file == file).collect();
    for entry in &entries {
        let path = format!(
            "{prefix}{}",
            entry.route.trim_start_matches('^').trim_end_matches('$')
        );
        match &entry.target {
            UrlTarget::RouterMount(router) => {
                for registered in &entries {
                    if let UrlTarget::ViewSet(r, viewset) = &registered.target {
                        if r == router {
                            viewset_routes(
                                collected,
                                file,
                                &path,
                                &registered.route,
                                viewset,
                                routes,
                            );
                        }
                    }
                }
            }
            UrlTarget::ViewSet(router, viewset) => {
                // Registered on a router no path() mounts: `urlpatterns += router.urls`.
                let mounted = entries
                    .iter()
                    .any(|e| matches!(&e.target, UrlTarget::RouterMount(r) if r == router));
                if !mounted {
                    viewset_routes(collected, file, prefix, &entry.route, viewset, routes);
                }
            }
            UrlTarget::Include(module) => {
                if let Some(target) = files.iter().find(|f| module_matches(f, module)) {
                    expand(collected, files, target, &path, routes, depth + 1);
                }
            }
            UrlTarget::View(name) => {
                let candidates: Vec<&View> =
                    collected.views.iter().filter(|v| v.name == *name).collect();
                let view = candidates
                    .iter()
                    .find(|v| dir_of(&v.file) == dir_of(file))
                    .or_else(|| candidates.first())
                    .copied();
                let Some(view) = view else {
                    // A plain function view (no `request` parameter by that name, no method
                    // decorator, or in a module that does not import Django): every method.
                    let functions: Vec<&ModuleFunction> = collected
                        .functions
                        .iter()
                        .filter(|f| f.name == *name && f.file.ends_with(".py"))
                        .collect();
                    let function = functions
                        .iter()
                        .find(|f| dir_of(&f.file) == dir_of(file))
                        .or_else(|| functions.first());
                    if let Some(function) = function {
                        routes.push(Route {
                            framework: Framework::Django,
                            method: "ANY".to_string(),
                            path: path.clone(),
                            file: function.file.clone(),
                            line: function.line,
                            handler: function.handler.clone(),
                            data: function.data,
                        });
                    }
                    continue;
                };
                for (method, handler, data, line) in &view.methods {
                    routes.push(Route {
                        framework: Framework::Django,
                        method: method.clone(),
                        path: path.clone(),
                        file: view.file.clone(),
                        line: *line,
                        handler: handler.clone(),
                        data: *data,
                    });
                }
            }
        }
    }
}

fn find_view<'c>(collected: &'c Collected, name: &str, near: &str) -> Option<&'c View> {
    let candidates: Vec<&View> = collected.views.iter().filter(|v| v.name == name).collect();
    candidates
        .iter()
        .find(|v| dir_of(&v.file) == dir_of(near))
        .or_else(|| candidates.first())
        .copied()
}

/// The list/detail routes a DRF router makes for a viewset's actions.
fn viewset_routes(
    collected: &Collected,
    file: &str,
    mount: &str,
    prefix: &str,
    viewset: &str,
    routes: &mut Vec<Route>,
) {
    let Some(view) = find_view(collected, viewset, file) else {
        return;
    };
    let base = format!(
        "{}/{}",
        mount.trim_end_matches('/'),
        prefix.trim_matches(['/', '^', '$'])
    );
    let base = if base.starts_with('/') {
        base
    } else {
        format!("/{base}")
    };
    for (method, handler, data, line) in &view.methods {
        let action = handler.rsplit('.').next().unwrap_or("");
        let Some((_, _, detail)) = VIEWSET_ACTIONS.iter().find(|(a, _, _)| *a == action) else {
            continue;
        };
        let path = if *detail {
            format!("{base}/{{pk}}/")
        } else {
            format!("{base}/")
        };
        routes.push(Route {
            framework: Framework::Django,
            method: method.clone(),
            path,
            file: view.file.clone(),
            line: *line,
            handler: handler.clone(),
            data: *data,
        });
    }
}

/// Reads and writes in the handler's body, by the data-access calls it makes.
fn data_access(source: &Source, handler: &Handler) -> DataAccess {
    let text = &source.text[handler.range.clone()];
    const READS: &[&str] = &[
        ".objects.",
        ".query(",
        "select(",
        "session.get(",
        "db.get(",
        "SELECT ",
        ".execute(",
        ".fetch",
        ".scalars(",
        ".get_object",
        "get_object_or_404",
        ".find(",
        ".findMany(",
        ".findUnique(",
        ".findFirst(",
        ".findOne(",
        ".findById(",
        ".findByPk(",
        ".findAll(",
        ".findBy(",
        ".count(",
        ".aggregate(",
        "find_one(",
        ".countDocuments(",
    ];
    const WRITES: &[&str] = &[
        ".save(",
        ".create(",
        ".update(",
        ".delete(",
        ".destroy(",
        ".add(",
        ".commit(",
        "INSERT ",
        "UPDATE ",
        "DELETE ",
        ".insert(",
        ".upsert(",
        ".createMany(",
        ".updateMany(",
        ".deleteMany(",
        "insert_one(",
        "update_one(",
        "delete_one(",
        ".bulk_create(",
        ".remove(",
        ".findByIdAndUpdate(",
        ".findOneAndUpdate(",
    ];
    // Flask-SQLAlchemy's `Model.query.…` (in JS, `req.query.x` is the query string).
    let model_query = source.language == Language::Python && text.contains(".query.");
    DataAccess {
        reads: model_query || READS.iter().any(|k| text.contains(k)),
        writes: WRITES.iter().any(|k| text.contains(k)),
    }
}

/// The routes as an aligned text table.
pub fn routes_table(routes: &[Route]) -> String {
    let mut rows: Vec<[String; 5]> = vec![[
        "METHOD".into(),
        "PATH".into(),
        "FRAMEWORK".into(),
        "HANDLER".into(),
        "DATA".into(),
    ]];
    for r in routes {
        let data = match (r.data.reads, r.data.writes) {
            (true, true) => "read+write",
            (true, false) => "read",
            (false, true) => "write",
            (false, false) => "-",
        };
        rows.push([
            r.method.clone(),
            r.path.clone(),
            r.framework.as_str().into(),
            format!("{} ({}:{})", r.handler, r.file, r.line),
            data.into(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i == 4 {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
