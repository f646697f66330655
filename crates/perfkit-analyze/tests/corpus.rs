//! Precision and recall on `tests/corpus/`: real, permissively licensed application code
//! (Django, Flask, FastAPI, Express-style and Ghost/Parse/Verdaccio servers) that perfkit's
//! authors did not write. `MANIFEST.tsv` names each file's origin and licence;
//! `LABELS.tsv` lists the anti-patterns found by reading the code (file, line, rule),
//! written before the analyzer was run on the corpus.
//!
//! A finding counts as a true positive when a label of the same rule in the same file lies
//! within [`WINDOW`] lines of it (a multi-line statement may be reported at its first line
//! or at the call inside it); a label counts as found when some finding matches it.
//! `cargo nextest run -p perfkit-analyze --test corpus --no-capture` prints the table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use perfkit_analyze::{analyze, Options, RuleId};

/// How far (in lines) a finding may sit from its label.
const WINDOW: usize = 3;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Data rows of a tab-separated file (comment lines start with `#`).
fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Files under this folder of the corpus form the held-out set: added and labelled after
/// the rules had been tuned on the rest, and labelled before the rules were run on them.
const HELD_OUT: &str = "heldout/";

/// A held-out set in its own folder of the corpus, with its own `MANIFEST.tsv`,
/// `LABELS.tsv`, `NOT-FLAGGED.tsv` and `licenses/` (paths relative to the folder): added and
/// labelled blind while the rules were changed by people who never saw it.
struct Set {
    folder: &'static str,
    name: &'static str,
    /// Until a round tunes on a set, only its per-rule table is printed, never its misses or
    /// false alarms (not even when a floor fails), so that reading the test's output does not
    /// turn it into a tuning set.
    tuned_on_since: Option<&'static str>,
    /// It must keep at least this many labels.
    labels: usize,
    /// Regression floors, precision and recall (the targets are 0.9 and 0.8).
    floors: (f64, f64),
}

/// The sets with their own folder, newest first. Their scores' history is in
/// docs/analyze-quality.md.
const SETS: &[Set] = &[
    // Added at the end of the fifth round; first score, with that round's rules, 0.51 / 0.29.
    Set {
        folder: "heldout6/",
        name: "sixth held-out set",
        tuned_on_since: None,
        labels: 120,
        floors: (0.51, 0.29),
    },
    // First score 0.40 / 0.14; 0.42 / 0.16 after the fifth round, made without seeing it.
    Set {
        folder: "heldout5/",
        name: "fifth held-out set",
        tuned_on_since: None,
        labels: 162,
        floors: (0.41, 0.16),
    },
    // First score 0.65 / 0.17; 0.68 / 0.21 after the fourth round, which had not seen it;
    // 0.80 / 0.63 after the fifth, which tuned on it.
    Set {
        folder: "heldout4/",
        name: "fourth held-out set",
        tuned_on_since: Some("the fifth round"),
        labels: 199,
        floors: (0.79, 0.62),
    },
    // First score 0.38 / 0.14 (with the corrected scorer); 0.84 / 0.64 after the fourth
    // round tuned on it (the fifth made a password hash in an async route a finding, which
    // this set does not label).
    Set {
        folder: "heldout3/",
        name: "third held-out set",
        tuned_on_since: Some("the fourth round"),
        labels: 129,
        floors: (0.83, 0.64),
    },
];

/// Regression floors for the held-out set (the targets are 0.9 and 0.8).
const HELD_OUT_PRECISION_FLOOR: f64 = 0.56;
const HELD_OUT_RECALL_FLOOR: f64 = 0.73;

/// The `LABELS.tsv` comment line after which labels of the first corpus were added only
/// after seeing the analyzer's results (all labels above it were written blind).
const REVIEWED_AFTER: &str = "# Reviewed after the first run";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Label {
    file: String,
    line: usize,
    rule: RuleId,
    /// Written before the analyzer was run on the file.
    blind: bool,
}

/// The labels of `root/LABELS.tsv`, their paths prefixed with `prefix` (the set's folder
/// under the corpus, or nothing for the corpus's own file).
fn labels(root: &Path, prefix: &str) -> Vec<Label> {
    let path = root.join("LABELS.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reviewed_after = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with(REVIEWED_AFTER) {
            reviewed_after = true;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let row: Vec<&str> = line.split('\t').collect();
        assert!(
            row.len() >= 3,
            "LABELS.tsv row needs file, line, rule: {row:?}"
        );
        out.push(Label {
            file: format!("{prefix}{}", row[0]),
            line: row[1].parse().unwrap(),
            rule: row[2].parse().unwrap(),
            blind: !prefix.is_empty() || row[0].starts_with(HELD_OUT) || !reviewed_after,
        });
    }
    out
}

/// The source files under `root`, leaving out the folders of sets that keep their own
/// manifest (`skip`).
fn source_files(root: &Path, skip: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                if !skip.contains(&format!("{relative}/").as_str()) {
                    stack.push(path);
                }
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("py" | "js" | "ts" | "tsx" | "jsx" | "mjs" | "cjs")
            ) {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                out.insert(relative.replace('\\', "/"));
            }
        }
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Score {
    labels: usize,
    findings: usize,
    tp: usize,
    fp: usize,
    found: usize,
}

impl Score {
    fn precision(self) -> f64 {
        if self.findings == 0 {
            1.0
        } else {
            self.tp as f64 / self.findings as f64
        }
    }
    fn recall(self) -> f64 {
        if self.labels == 0 {
            1.0
        } else {
            self.found as f64 / self.labels as f64
        }
    }
    fn add(&mut self, other: Score) {
        self.labels += other.labels;
        self.findings += other.findings;
        self.tp += other.tp;
        self.fp += other.fp;
        self.found += other.found;
    }
}

fn near(label: &Label, file: &str, line: usize, rule: RuleId) -> bool {
    label.rule == rule && label.file == file && label.line.abs_diff(line) <= WINDOW
}

#[test]
fn every_corpus_file_has_a_recorded_origin_and_licence() {
    let folders: Vec<&str> = SETS.iter().map(|set| set.folder).collect();
    origins_and_licences(&corpus(), &folders);
    for set in SETS {
        origins_and_licences(&corpus().join(set.folder), &[]);
    }
}

/// Every source file under `root` (but the folders in `skip`) is in its `MANIFEST.tsv`
/// under a permissive licence whose text is in `licenses/`, and every label names a line
/// of a file.
fn origins_and_licences(root: &Path, skip: &[&str]) {
    let manifest: BTreeMap<String, Vec<String>> = rows(&root.join("MANIFEST.tsv"))
        .into_iter()
        .map(|row| (row[0].clone(), row))
        .collect();
    for file in source_files(root, skip) {
        let row = manifest
            .get(&file)
            .unwrap_or_else(|| panic!("{file} is not in MANIFEST.tsv"));
        assert_eq!(
            row.len(),
            5,
            "{file}: path, package, version, original path, licence"
        );
        let package = &row[1];
        assert!(
            root.join("licenses")
                .join(format!("{package}.txt"))
                .is_file(),
            "{file}: no licences/{package}.txt"
        );
        assert!(
            ["MIT", "BSD-3-Clause", "Apache-2.0"].contains(&row[4].as_str()),
            "{file}: licence {} is not a permissive one we accept",
            row[4]
        );
    }
    for label in labels(root, "") {
        let text = std::fs::read_to_string(root.join(&label.file))
            .unwrap_or_else(|e| panic!("label names {}: {e}", label.file));
        assert!(
            label.line <= text.lines().count(),
            "{}:{} is past the end of the file",
            label.file,
            label.line
        );
    }
}

/// Scores the findings in the files `in_set` selects against the labels `counted` selects;
/// returns the table, the overall score and the misses and false alarms.
fn score(
    analysis: &perfkit_analyze::Analysis,
    labels: &[Label],
    in_set: &dyn Fn(&str) -> bool,
    counted: &dyn Fn(&Label) -> bool,
) -> (String, Score, Vec<String>) {
    let labels: Vec<&Label> = labels
        .iter()
        .filter(|l| in_set(&l.file) && counted(l))
        .collect();
    let mut report = String::from(
        "rule                     labels findings  TP  FP  found  precision  recall\n",
    );
    let mut total = Score::default();
    let mut wrong = Vec::new();
    for rule in RuleId::ALL {
        let mut score = Score::default();
        for f in analysis
            .findings
            .iter()
            .filter(|f| f.rule == rule && in_set(&f.file))
        {
            score.findings += 1;
            if labels.iter().any(|l| near(l, &f.file, f.line, rule)) {
                score.tp += 1;
            } else {
                score.fp += 1;
                wrong.push(format!("false alarm {}:{} {rule}", f.file, f.line));
            }
        }
        for label in labels.iter().filter(|l| l.rule == rule) {
            score.labels += 1;
            if analysis
                .findings
                .iter()
                .any(|f| f.rule == rule && near(label, &f.file, f.line, rule))
            {
                score.found += 1;
            } else {
                wrong.push(format!("missed {}:{} {rule}", label.file, label.line));
            }
        }
        report.push_str(&row(rule.as_str(), score));
        total.add(score);
    }
    report.push_str(&row("overall", total));
    (report, total, wrong)
}

fn row(name: &str, score: Score) -> String {
    format!(
        "{:<24} {:>6} {:>8} {:>3} {:>3} {:>6}  {:>9.2}  {:>6.2}\n",
        name,
        score.labels,
        score.findings,
        score.tp,
        score.fp,
        score.found,
        score.precision(),
        score.recall()
    )
}

#[test]
fn corpus_precision_and_recall() {
    let root = corpus();
    let mut labels = labels(&root, "");
    for set in SETS {
        labels.extend(self::labels(&root.join(set.folder), set.folder));
    }
    let analysis = analyze(&root, &Options::default(), &|_| {}).unwrap();
    assert_eq!(analysis.files, source_files(&root, &[]).len());

    let held_out = |file: &str| file.starts_with(HELD_OUT);
    let first = |file: &str| {
        !file.starts_with(HELD_OUT) && !SETS.iter().any(|set| file.starts_with(set.folder))
    };
    let mut printed = format!("{} files\n\n", analysis.files);
    let mut checks = Vec::new();
    for set in SETS {
        let (table, total, wrong) = score(
            &analysis,
            &labels,
            &|file: &str| file.starts_with(set.folder),
            &|_| true,
        );
        let (status, shown) = match set.tuned_on_since {
            None => (
                "never tuned on; misses not printed".to_string(),
                table.clone(),
            ),
            Some(round) => (
                format!("tuned on since {round}"),
                format!("{table}\n{}", wrong.join("\n")),
            ),
        };
        printed.push_str(&format!(
            "{} ({}, labelled blind, {status})\n{shown}\n\n",
            set.name, set.folder
        ));
        checks.push((set, total, shown));
    }
    let (held_out_table, held_out_total, held_out_wrong) =
        score(&analysis, &labels, &held_out, &|_| true);
    let (blind_table, _, _) = score(&analysis, &labels, &first, &|l| l.blind);
    let (first_table, first_total, first_wrong) = score(&analysis, &labels, &first, &|_| true);
    let (whole_table, _, _) = score(&analysis, &labels, &|_| true, &|_| true);
    println!(
        "{printed}held-out set ({HELD_OUT}, labelled blind)\n{held_out_table}\n{}\n\n\
         first corpus, labels written blind only\n{blind_table}\n\
         first corpus, all labels\n{first_table}\n{}\n\n\
         whole corpus, all labels\n{whole_table}",
        held_out_wrong.join("\n"),
        first_wrong.join("\n")
    );
    // The rules were tuned while looking at the first corpus: it must meet the issue's
    // precision target.
    assert!(
        first_total.precision() >= 0.9,
        "first corpus: precision below 0.9\n{first_table}\n{}",
        first_wrong.join("\n")
    );
    // Recall there was 0.80 until a label counted as found only by a finding of its own
    // rule (two missing-cache labels had been "found" by blocking-call findings on the
    // same line): 0.78, short of the target by those two labels. The fifth round's
    // JavaScript changes found three more (a private method per row, deletes per row run
    // through a promise pool): 0.81, over the target.
    assert!(
        first_total.recall() >= 0.8,
        "first corpus: recall below 0.8\n{first_table}\n{}",
        first_wrong.join("\n")
    );
    // The held-out sets measure how the rules generalise, far below the targets (see
    // docs/analyze-quality.md): each keeps its labels and the floors set after its last
    // round, so a change that loses ground there fails here.
    for (set, total, shown) in checks {
        assert_floors(set.name, total, set.labels, set.floors, &shown);
    }
    assert_floors(
        "held-out set",
        held_out_total,
        38,
        (HELD_OUT_PRECISION_FLOOR, HELD_OUT_RECALL_FLOOR),
        &format!("{held_out_table}\n{}", held_out_wrong.join("\n")),
    );
}

/// A held-out set still has at least `labels` labels and scores at least the `(precision,
/// recall)` floors; `shown` is what a failure prints.
fn assert_floors(set: &str, total: Score, labels: usize, floors: (f64, f64), shown: &str) {
    let (precision, recall) = floors;
    assert!(total.labels >= labels, "the {set} lost labels\n{shown}");
    assert!(
        total.precision() >= precision && total.recall() >= recall,
        "{set} fell below precision {precision} / recall {recall}\n{shown}"
    );
}

#[test]
fn a_label_is_found_only_by_a_finding_of_its_own_rule() {
    let finding = |rule: RuleId, line: usize| perfkit_analyze::Finding {
        rule,
        severity: perfkit_analyze::Severity::High,
        file: "app.js".into(),
        line,
        column: 1,
        end_line: line,
        end_column: 2,
        function: None,
        snippet: String::new(),
        message: String::new(),
        fix: String::new(),
        fingerprint: String::new(),
    };
    let label = |rule: RuleId, line: usize| Label {
        file: "app.js".into(),
        line,
        rule,
        blind: true,
    };
    let analysis = perfkit_analyze::Analysis {
        files: 1,
        findings: vec![finding(RuleId::BlockingCallInAsync, 10)],
        ..Default::default()
    };
    let labels = [
        label(RuleId::MissingCache, 10),
        label(RuleId::BlockingCallInAsync, 12),
    ];
    let (_, total, wrong) = score(&analysis, &labels, &|_| true, &|_| true);
    assert_eq!(
        (total.labels, total.found, total.tp),
        (2, 1, 1),
        "{wrong:?}"
    );
    assert!(
        wrong.contains(&"missed app.js:10 missing-cache".to_owned()),
        "{wrong:?}"
    );
}
