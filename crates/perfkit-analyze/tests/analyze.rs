//! Data-driven tests over `tests/fixtures/`: realistic application files per language and
//! framework, labelled with `# expect: <rule>` / `// expect: <rule>` on every line that
//! must be flagged; every other line (look-alikes included) must not be.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use perfkit_analyze::{analyze, discover_routes, Analysis, Options, RuleId};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run(root: &Path) -> Analysis {
    analyze(root, &Options::default(), &|_| {}).unwrap()
}

/// (file, line, rule) for every `expect:` label under `root`.
fn labels(root: &Path) -> BTreeSet<(String, usize, RuleId)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            for (index, line) in text.lines().enumerate() {
                let Some(at) = line.find("expect: ") else {
                    continue;
                };
                for rule in line[at + "expect: ".len()..].split(',') {
                    let rule: RuleId = rule.trim().parse().unwrap();
                    out.insert((relative.clone(), index + 1, rule));
                }
            }
        }
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Score {
    fn precision(self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

#[test]
fn fixtures_precision_and_recall_per_rule() {
    let root = fixtures();
    let analysis = run(&root);
    let expected = labels(&root);
    let found: BTreeSet<(String, usize, RuleId)> = analysis
        .findings
        .iter()
        .map(|f| (f.file.clone(), f.line, f.rule))
        .collect();
    let mut total = Score::default();
    let mut report = String::from("rule                     TP  FP  FN  precision  recall\n");
    for rule in RuleId::ALL {
        let mut s = Score::default();
        for item in found.iter().filter(|i| i.2 == rule) {
            if expected.contains(item) {
                s.tp += 1
            } else {
                s.fp += 1
            }
        }
        s.fn_ = expected
            .iter()
            .filter(|i| i.2 == rule && !found.contains(*i))
            .count();
        total.tp += s.tp;
        total.fp += s.fp;
        total.fn_ += s.fn_;
        report.push_str(&format!(
            "{:<24} {:>3} {:>3} {:>3}  {:>9.2}  {:>6.2}\n",
            rule.as_str(),
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall()
        ));
        assert!(
            s.tp >= 2,
            "{rule}: every rule needs positives in the fixtures\n{report}"
        );
    }
    report.push_str(&format!(
        "{:<24} {:>3} {:>3} {:>3}  {:>9.2}  {:>6.2}\n",
        "overall",
        total.tp,
        total.fp,
        total.fn_,
        total.precision(),
        total.recall()
    ));
    println!("{report}");
    let wrong: Vec<String> = found
        .symmetric_difference(&expected)
        .map(|(file, line, rule)| {
            format!(
                "{} {file}:{line} {rule}",
                if expected.contains(&(file.clone(), *line, *rule)) {
                    "missed"
                } else {
                    "false alarm"
                }
            )
        })
        .collect();
    // The measured level on these fixtures: every label found, no false alarm.
    assert!(wrong.is_empty(), "{report}\n{}", wrong.join("\n"));
    assert_eq!(total.fp, 0);
    assert_eq!(total.fn_, 0);
}

#[test]
fn findings_snapshot() {
    let analysis = run(&fixtures());
    let view: Vec<String> = analysis
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {} [{}] in {}: {}",
                f.file,
                f.line,
                f.column,
                f.rule,
                f.severity,
                f.function.as_deref().unwrap_or("<module>"),
                f.snippet
            )
        })
        .collect();
    insta::assert_yaml_snapshot!(view);
}

#[test]
fn fingerprints_survive_moving_code_and_differ_between_findings() {
    let text = "async def handler():\n    time.sleep(1)\n\nasync def other():\n    time.sleep(1)\n";
    let text = format!("import time\n{text}");
    let moved = format!(
        "import time\n\n\n# a comment pushing everything down\n{}",
        &text["import time\n".len()..]
    );
    let options = Options::default();
    let a = perfkit_analyze::analyze_source("app.py", &text, &options);
    let b = perfkit_analyze::analyze_source("app.py", &moved, &options);
    assert_eq!(a.len(), 2);
    assert_ne!(a[0].line, b[0].line);
    assert_eq!(
        a.iter().map(|f| &f.fingerprint).collect::<Vec<_>>(),
        b.iter().map(|f| &f.fingerprint).collect::<Vec<_>>()
    );
    assert_ne!(a[0].fingerprint, a[1].fingerprint);
    let renamed = perfkit_analyze::analyze_source("other.py", &text, &options);
    assert_ne!(a[0].fingerprint, renamed[0].fingerprint);
}

#[test]
fn suppression_comments_and_rule_selection() {
    let text = "import time\n\nasync def a():\n    time.sleep(1)  # perfkit: ignore[blocking-call-in-async]\n\nasync def b():\n    # perfkit: ignore[n-plus-one]\n    time.sleep(1)\n";
    let options = Options::default();
    let found = perfkit_analyze::analyze_source("app.py", text, &options);
    assert_eq!(found.iter().map(|f| f.line).collect::<Vec<_>>(), vec![8]);
    let js = "app.get('/x', async (req, res) => {\n  // perfkit: ignore[blocking-call-in-async]\n  const a = fs.readFileSync(req.query.p)\n  const b = fs.readFileSync(req.query.q)\n})\n";
    let found = perfkit_analyze::analyze_source("app.js", js, &options);
    assert_eq!(found.iter().map(|f| f.line).collect::<Vec<_>>(), vec![4]);
    let only = Options {
        rules: vec![RuleId::NPlusOne],
        ..Options::default()
    };
    assert!(perfkit_analyze::analyze_source("app.js", js, &only).is_empty());
}

#[test]
fn routes_per_framework() {
    let routes = discover_routes(&fixtures(), &[]).unwrap();
    let table = perfkit_analyze::routes_table(&routes);
    insta::assert_snapshot!(table);
    let has = |framework: &str, method: &str, path: &str| {
        routes
            .iter()
            .any(|r| r.framework.as_str() == framework && r.method == method && r.path == path)
    };
    assert!(has("fastapi", "GET", "/api/users/{user_id}"), "{table}");
    assert!(has("flask", "PUT", "/blog/posts/<int:post_id>"), "{table}");
    assert!(
        has("django", "GET", "/api/books/<int:book_id>/reviews/"),
        "{table}"
    );
    assert!(
        has("django", "POST", "/api/books/<int:book_id>/reviews/"),
        "{table}"
    );
    assert!(has("django", "GET", "/api/stats/"), "{table}");
    assert!(has("django", "GET", "/v2/books/"), "{table}");
    assert!(has("django", "DELETE", "/v2/books/{pk}/"), "{table}");
    assert!(has("django", "GET", "/v2/authors/{pk}/"), "{table}");
    assert!(!has("django", "POST", "/v2/authors/"), "{table}");
    assert!(has("django", "GET", "/health/"), "{table}");
    assert!(has("express", "GET", "/users/:id/orders"), "{table}");
    // Handlers imported from another module: the route points at the function there.
    let at = |method: &str, path: &str| {
        routes
            .iter()
            .find(|r| r.method == method && r.path == path)
            .map(|r| {
                format!(
                    "{} {}:{} {}",
                    r.framework.as_str(),
                    r.file,
                    r.line,
                    r.handler
                )
            })
            .unwrap_or_default()
    };
    assert_eq!(
        at("GET", "/users"),
        "express javascript/express-router/controllers/users.js:5 exports.list",
        "{table}"
    );
    assert_eq!(
        at("POST", "/users"),
        "express javascript/express-router/controllers/users.js:10 create",
        "{table}"
    );
    assert_eq!(
        at("GET", "/health"),
        "express javascript/express-router/controllers/health.js:1 health",
        "{table}"
    );
    assert_eq!(
        at("DELETE", "/orders/:id"),
        "express typescript/express-controllers/orders.controller.ts:10 OrdersController.remove",
        "{table}"
    );
    assert_eq!(
        at("GET", "/version"),
        "express typescript/express-controllers/meta.ts:3 version",
        "{table}"
    );
    let users = routes
        .iter()
        .find(|r| r.method == "POST" && r.path == "/users")
        .unwrap();
    assert!(users.data.writes, "{table}");
    // A Django function view without method decorators serves every method.
    assert_eq!(
        at("ANY", "/api/about/"),
        "django python/django/shop/pages.py:5 about",
        "{table}"
    );
    assert!(has("nestjs", "GET", "/users/:id/invoice"), "{table}");
    assert!(has("fastify", "GET", "/tags"), "{table}");
    assert!(has("nextjs", "POST", "/api/users"), "{table}");
    assert!(has("nextjs", "DELETE", "/api/orders"), "{table}");
    let stats = routes.iter().find(|r| r.path == "/api/stats/").unwrap();
    assert!(stats.data.reads && !stats.data.writes);
    let create = routes
        .iter()
        .find(|r| r.framework.as_str() == "django" && r.method == "POST")
        .unwrap();
    assert!(create.data.writes);
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let analysis = run(&fixtures());
    let log = perfkit_analyze::sarif::sarif(&analysis);
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("sarif/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RuleId::ALL.len());
    assert!(rules
        .iter()
        .all(|r| r["help"]["text"].as_str().is_some_and(|t| t.len() > 80)));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), analysis.findings.len());
    for (result, finding) in results.iter().zip(&analysis.findings) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(
            result["partialFingerprints"]["perfkitFingerprint/v1"],
            finding.fingerprint.as_str()
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            finding.line
        );
    }

    // The schema really is checked: a log with an invalid level is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
}
