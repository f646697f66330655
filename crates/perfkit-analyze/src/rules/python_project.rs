//! The project's own Python functions that issue a query, a write or a remote call, across
//! files: built once per run from every Python file of the analysed tree (in parallel, by a
//! line scan, without parsing), so that `n-plus-one` can follow a per-row call into a helper
//! or service another module defines (`from app.services import refresh_payment`,
//! `import app.services as s; s.refresh_payment(p)`, `PaymentService.refresh(p)`).
//!
//! The scan is lexical: a function is a `def`/`async def` at the top level of a module or
//! directly in a top-level class, its body the lines indented below it; its calls are the
//! dotted names written before a `(`. What counts as I/O is the same vocabulary the Python
//! rules use for one call ([`super::python::is_db_query`], [`super::python::is_remote_call`]),
//! with the callee expanded through the module's imports. A function does I/O when it does
//! itself, or through up to two more functions it calls (of its module, its class, or
//! another indexed module); deeper chains are not followed (each level guesses).

use std::collections::HashMap;

use super::python::{is_db_query, is_remote_call};

/// One module's functions and imports.
#[derive(Debug, Default)]
pub(crate) struct Module {
    /// `name` for a function, `Class.name` for a method.
    functions: HashMap<String, Function>,
    /// Local name → dotted name it was imported as (`get_wallet` → `app.crud.get_wallet`).
    imports: HashMap<String, String>,
    /// Module-level instances of its own classes (`Users = UsersTable()` → `UsersTable`):
    /// `Users.get(...)` calls `UsersTable.get`.
    instances: HashMap<String, String>,
}

impl Module {
    /// The function or method `name` (`f`, `Class.m`, `instance.m`) of this module.
    fn function(&self, name: &str) -> Option<&Function> {
        self.functions.get(name).or_else(|| {
            let (instance, method) = name.split_once('.')?;
            let class = self.instances.get(instance)?;
            self.functions.get(&format!("{class}.{method}"))
        })
    }
}

#[derive(Debug, Default)]
struct Function {
    /// Issues a query or remote call in its own body.
    io: bool,
    /// The calls it makes, as written (`helper`, `self.load`, `crud.get_user`).
    calls: Vec<String>,
    /// The class it is a method of.
    class: Option<String>,
    /// Defined with `async def`: calling it without `await` runs none of its body.
    is_async: bool,
}

/// Every indexed module, by dotted path below the analysed root (`app.services.payments`;
/// a package's `__init__.py` is the package's path).
#[derive(Debug, Default)]
pub(crate) struct ProjectIndex {
    modules: HashMap<String, Module>,
    /// Every dotted suffix of a module path → the module paths ending with it, so that
    /// `from app.crud import x` finds `src.app.crud` when the root is above `src/`.
    suffixes: HashMap<String, Vec<String>>,
}

impl ProjectIndex {
    /// Indexes `(relative path, text)` pairs of Python files.
    pub(crate) fn from_modules(files: Vec<(String, Module)>) -> Self {
        let mut index = ProjectIndex::default();
        for (path, module) in files {
            let key = module_path(&path);
            let parts: Vec<&str> = key.split('.').collect();
            for start in 0..parts.len() {
                index
                    .suffixes
                    .entry(parts[start..].join("."))
                    .or_default()
                    .push(key.clone());
            }
            index.modules.insert(key, module);
        }
        index
    }

    /// The dotted module path that `callee` of the module at `path` refers to, and the name
    /// in it: for a call the file's own import map did not expand (`from .services import
    /// f`, relative to `path`).
    pub(crate) fn module_of_relative(path: &str, dotted: &str) -> Option<String> {
        let dots = dotted.chars().take_while(|c| *c == '.').count();
        if dots == 0 {
            return Some(dotted.to_string());
        }
        let key = module_path(path);
        let mut parts: Vec<&str> = key.split('.').collect();
        // `__init__.py` is its package: one dot means the package itself.
        let levels = if path.ends_with("__init__.py") {
            dots - 1
        } else {
            dots
        };
        for _ in 0..levels {
            parts.pop()?;
        }
        let rest = &dotted[dots..];
        if !rest.is_empty() {
            parts.push(rest);
        }
        Some(parts.join("."))
    }

    fn resolve(&self, module: &str) -> Option<&str> {
        match self.suffixes.get(module).map(Vec::as_slice) {
            Some([only]) => Some(only),
            _ => None,
        }
    }

    fn io_in(&self, key: &str, name: &str, depth: usize, hops: usize) -> bool {
        let Some(module) = self.modules.get(key) else {
            return false;
        };
        let Some(function) = module.function(name) else {
            // A re-export (`from .wallets import get_wallet` in a package's `__init__`).
            if hops == 0 {
                return false;
            }
            let Some(full) = module.imports.get(name) else {
                return false;
            };
            let Some((from, imported)) = full.rsplit_once('.') else {
                return false;
            };
            // Imports were made absolute when the module was scanned.
            return self
                .resolve(from)
                .is_some_and(|k| self.io_in(k, imported, depth, hops - 1));
        };
        if function.io {
            return true;
        }
        if depth == 0 {
            return false;
        }
        function.calls.iter().any(|call| {
            if let Some(method) = call.strip_prefix("self.").or(call.strip_prefix("cls.")) {
                return function.class.as_ref().is_some_and(|class| {
                    let target = format!("{class}.{method}");
                    target != name && self.io_in(key, &target, depth - 1, hops)
                });
            }
            if call == name {
                return false;
            }
            if module.functions.contains_key(call.as_str()) {
                return self.io_in(key, call, depth - 1, hops);
            }
            let (head, rest) = match call.split_once('.') {
                Some((head, rest)) => (head, Some(rest)),
                None => (call.as_str(), None),
            };
            let Some(full) = module.imports.get(head) else {
                return false;
            };
            let full = match rest {
                Some(rest) => format!("{full}.{rest}"),
                None => full.clone(),
            };
            self.imported_io(&full, depth - 1)
        })
    }

    /// Whether `a.b.f` (or `a.b.C.m`, a method of class `C` there) is defined with `async
    /// def` in the indexed module it names.
    pub(crate) fn imported_is_async(&self, full: &str) -> bool {
        let Some((module, name)) = full.rsplit_once('.') else {
            return false;
        };
        let function = match self.resolve(module) {
            Some(key) => self.modules.get(key).and_then(|m| m.function(name)),
            None => module.rsplit_once('.').and_then(|(module, class)| {
                let key = self.resolve(module)?;
                self.modules.get(key)?.function(&format!("{class}.{name}"))
            }),
        };
        function.is_some_and(|f| f.is_async)
    }

    /// Whether `a.b.f` (a function of module `a.b`, as an import names it) or `a.b.C.m` (a
    /// method of class `C` there) issues a query or remote call, itself or through up to
    /// `depth` more functions.
    pub(crate) fn imported_io(&self, full: &str, depth: usize) -> bool {
        let Some((module, name)) = full.rsplit_once('.') else {
            return false;
        };
        if let Some(key) = self.resolve(module) {
            return self.io_in(key, name, depth, 2);
        }
        let Some((module, class)) = module.rsplit_once('.') else {
            return false;
        };
        self.resolve(module)
            .is_some_and(|key| self.io_in(key, &format!("{class}.{name}"), depth, 2))
    }
}

/// `app/services/payments.py` → `app.services.payments`; `app/crud/__init__.py` → `app.crud`.
fn module_path(path: &str) -> String {
    let path = path.strip_suffix(".py").unwrap_or(path);
    let path = path.strip_suffix("/__init__").unwrap_or(path);
    path.replace('/', ".")
}

/// Scans one Python file: its functions (with whether each does I/O and what it calls) and
/// its imports. `path` is the file's path below the analysed root, for relative imports.
pub(crate) fn scan_module(path: &str, text: &str) -> Module {
    let mut module = Module {
        imports: scan_imports(path, text),
        ..Module::default()
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut class: Option<(String, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        if class.as_ref().is_some_and(|(_, at)| indent <= *at) {
            class = None;
        }
        if indent == 0 {
            if let Some((target, value)) = trimmed.split_once(" = ") {
                let class: String = value
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let is_name = |t: &str| t.chars().all(|c| c.is_alphanumeric() || c == '_');
                if is_name(target) && value[class.len()..].starts_with('(') && !class.is_empty() {
                    module.instances.insert(target.to_string(), class);
                }
            }
            if let Some(rest) = trimmed.strip_prefix("class ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                class = Some((name, 0));
                i += 1;
                continue;
            }
        }
        let def = trimmed
            .strip_prefix("async def ")
            .or_else(|| trimmed.strip_prefix("def "));
        let method_level = class.is_some() && indent > 0 && indent <= 8;
        let (Some(def), true) = (def, indent == 0 || method_level) else {
            i += 1;
            continue;
        };
        let name: String = def
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut end = i + 1;
        while end < lines.len() {
            let l = lines[end];
            let t = l.trim_start();
            if !t.is_empty()
                && !t.starts_with('#')
                && l.len() - t.len() <= indent
                && !t.starts_with(')')
            {
                break;
            }
            end += 1;
        }
        let mut function = Function {
            class: class
                .as_ref()
                .filter(|_| indent > 0)
                .map(|(c, _)| c.clone()),
            is_async: trimmed.starts_with("async "),
            ..Function::default()
        };
        for body_line in &lines[i + 1..end] {
            let code = body_line.split('#').next().unwrap_or("");
            for callee in callees(code) {
                if !function.io && does_io_itself(&module.imports, &callee) {
                    function.io = true;
                }
                if !callee.starts_with('.') && !function.calls.contains(&callee) {
                    function.calls.push(callee);
                }
            }
        }
        let key = match &function.class {
            Some(class) => format!("{class}.{name}"),
            None => name,
        };
        module.functions.insert(key, function);
        i = end;
    }
    module
}

/// The dotted names written right before a `(` on one line (`a.b(x).c(` → `a.b`, `.c`).
fn callees(code: &str) -> Vec<String> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    for (at, b) in bytes.iter().enumerate() {
        if *b != b'(' {
            continue;
        }
        let mut start = at;
        while start > 0
            && (bytes[start - 1].is_ascii_alphanumeric() || matches!(bytes[start - 1], b'_' | b'.'))
        {
            start -= 1;
        }
        let name = &code[start..at];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        if matches!(
            name,
            "if" | "for" | "while" | "and" | "or" | "not" | "in" | "return" | "await"
        ) {
            continue;
        }
        out.push(name.to_string());
    }
    out
}

/// Methods that only a database cursor or client has, for a call whose receiver the line
/// scan cannot name (`(conn or db).fetchone(...)`, `(await session.execute(q)).scalars()`).
const DB_ONLY_METHODS: &[&str] = &[
    ".fetchone",
    ".fetchall",
    ".fetchmany",
    ".fetchrow",
    ".fetchval",
    ".fetch_one",
    ".fetch_all",
    ".executemany",
    ".find_many",
    ".find_unique",
    ".find_first",
];

fn does_io_itself(imports: &HashMap<String, String>, callee: &str) -> bool {
    if callee.starts_with('.') {
        return DB_ONLY_METHODS.contains(&callee);
    }
    // Most calls are bare names of builtins or local helpers: of those, only these query or
    // fetch (the general test below costs string searches per call).
    if !callee.contains('.') && !imports.contains_key(callee) {
        return matches!(
            callee,
            "get_object_or_404" | "get_list_or_404" | "aget_object_or_404" | "urlopen"
        );
    }
    let (head, rest) = match callee.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (callee, None),
    };
    let resolved = match (imports.get(head), rest) {
        (Some(full), Some(rest)) => format!("{full}.{rest}"),
        (Some(full), None) => full.clone(),
        (None, _) => callee.to_string(),
    };
    is_db_query(&resolved) || is_remote_call(&resolved)
}

/// `from a.b import c, d as e` / `import a.b as c`, including parenthesised lists over
/// several lines; relative modules are expanded against `path`.
fn scan_imports(path: &str, text: &str) -> HashMap<String, String> {
    let mut imports = HashMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else {
                continue;
            };
            let module = ProjectIndex::module_of_relative(path, module.trim())
                .unwrap_or_else(|| module.trim().to_string());
            let mut names = names.split('#').next().unwrap_or("").to_string();
            if names.contains('(') && !names.contains(')') {
                for more in lines.by_ref() {
                    names.push_str(more.split('#').next().unwrap_or(""));
                    if more.contains(')') {
                        break;
                    }
                }
            }
            let names = names.replace(['(', ')', '\\'], " ");
            for item in names.split(',') {
                let mut words = item.split_whitespace();
                let Some(name) = words.next() else {
                    continue;
                };
                let local = match (words.next(), words.next()) {
                    (Some("as"), Some(alias)) => alias,
                    _ => name,
                };
                if name != "*" {
                    imports.insert(local.to_string(), format!("{module}.{name}"));
                }
            }
        } else if let Some(rest) = line.strip_prefix("import ") {
            for item in rest.split('#').next().unwrap_or("").split(',') {
                let mut words = item.split_whitespace();
                if let (Some(name), Some("as"), Some(alias)) =
                    (words.next(), words.next(), words.next())
                {
                    imports.insert(alias.to_string(), name.to_string());
                }
            }
        }
    }
    imports
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(files: &[(&str, &str)]) -> ProjectIndex {
        ProjectIndex::from_modules(
            files
                .iter()
                .map(|(path, text)| (path.to_string(), scan_module(path, text)))
                .collect(),
        )
    }

    #[test]
    fn io_is_followed_through_modules_reexports_and_methods() {
        let index = index(&[
            (
                "src/app/crud/__init__.py",
                "from .wallets import get_wallet, rename\n",
            ),
            (
                "src/app/crud/wallets.py",
                "from app.db import db\n\nasync def get_wallet(wid, conn=None):\n    return await (conn or db).fetchone(\n        'SELECT * FROM wallets WHERE id = :id', {'id': wid}\n    )\n\ndef rename(name):\n    return name.strip()\n",
            ),
            (
                "src/app/services/payments.py",
                "import requests\nfrom app.crud import get_wallet\n\nasync def refresh(p):\n    w = await get_wallet(p.wallet_id)\n    return w\n\ndef status(p):\n    return check(p)\n\ndef check(p):\n    return requests.get(p.url)\n\nclass PaymentService:\n    def load(self, pid):\n        return self._fetch(pid)\n\n    def _fetch(self, pid):\n        return Payment.objects.get(pk=pid)\n\n    def label(self, p):\n        return p.memo.title()\n",
            ),
        ]);
        // A function of another module that queries, through a package re-export.
        assert!(index.imported_io("app.crud.get_wallet", 2));
        assert!(!index.imported_io("app.crud.rename", 2));
        // Through one more function of its own module.
        assert!(index.imported_io("app.services.payments.refresh", 2));
        assert!(index.imported_io("app.services.payments.status", 2));
        // A method reaching the ORM through another method of its class.
        assert!(index.imported_io("app.services.payments.PaymentService.load", 2));
        assert!(!index.imported_io("app.services.payments.PaymentService.label", 2));
        // Unknown modules and names are not guessed at.
        assert!(!index.imported_io("elsewhere.services.refresh", 2));
        assert!(!index.imported_io("app.services.payments.missing", 2));
    }

    #[test]
    fn module_instances_and_async_functions_are_indexed() {
        let index = index(&[(
            "app/models/users.py",
            "class UsersTable:\n    def get(self, uid):\n        return db.query(User).get(uid)\n\n    async def aget(self, uid):\n        return await session.get(User, uid)\n\n\nUsers = UsersTable()\nLIMIT = int('5')\n",
        )]);
        // `Users.get` is `UsersTable.get` through the module's own instance.
        assert!(index.imported_io("app.models.users.Users.get", 1));
        assert!(!index.imported_is_async("app.models.users.Users.get"));
        assert!(index.imported_is_async("app.models.users.Users.aget"));
        assert!(index.imported_is_async("app.models.users.UsersTable.aget"));
        // An instance of a class the module does not define names nothing.
        assert!(!index.imported_io("app.models.users.LIMIT.get", 1));
    }

    #[test]
    fn relative_imports_resolve_against_the_file() {
        assert_eq!(
            ProjectIndex::module_of_relative("app/services/pay.py", ".crud").as_deref(),
            Some("app.services.crud")
        );
        assert_eq!(
            ProjectIndex::module_of_relative("app/services/pay.py", "..crud").as_deref(),
            Some("app.crud")
        );
        assert_eq!(
            ProjectIndex::module_of_relative("app/crud/__init__.py", ".wallets").as_deref(),
            Some("app.crud.wallets")
        );
    }
}
