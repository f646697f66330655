//! Human and machine renderings of an [`Analysis`]: the terminal summary, JSON, and the
//! two Markdown reports (`performance-analysis-DATE.md`, `optimization-recommendations-DATE.md`).

use std::fmt::Write;

use crate::finding::{Finding, RuleId, Severity};
use crate::Analysis;

/// The JSON document: `{version, files, suppressed, baselined, findings: [...]}`.
pub fn json(analysis: &Analysis) -> String {
    let value = serde_json::json!({
        "version": 1,
        "files": analysis.files,
        "suppressed": analysis.suppressed,
        "baselined": analysis.baselined,
        "findings": analysis.findings,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn count(findings: &[Finding], rule: RuleId) -> usize {
    findings.iter().filter(|f| f.rule == rule).count()
}

/// A few lines for the terminal: one per finding, then totals per severity.
pub fn summary(analysis: &Analysis) -> String {
    let mut out = String::new();
    for f in &analysis.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            f.file,
            f.line,
            f.column,
            f.severity,
            f.rule,
            first_sentence(&f.message)
        );
    }
    let by = |s: Severity| analysis.findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "{} files analyzed: {} findings ({} high, {} medium, {} low){}{}",
        analysis.files,
        analysis.findings.len(),
        by(Severity::High),
        by(Severity::Medium),
        by(Severity::Low),
        if analysis.suppressed > 0 {
            format!(", {} suppressed", analysis.suppressed)
        } else {
            String::new()
        },
        if analysis.baselined > 0 {
            format!(", {} in the baseline", analysis.baselined)
        } else {
            String::new()
        },
    );
    out
}

fn first_sentence(message: &str) -> &str {
    match message.find(": ").or_else(|| message.find(". ")) {
        Some(index) if index > 20 => &message[..index],
        _ => message,
    }
}

fn fence(language_hint: &str, code: &str) -> String {
    format!("```{language_hint}\n{code}\n```\n")
}

fn hint(file: &str) -> &'static str {
    if file.ends_with(".py") {
        "python"
    } else if file.ends_with(".ts") || file.ends_with(".tsx") {
        "typescript"
    } else {
        "javascript"
    }
}

/// `performance-analysis-DATE.md`: every finding, grouped by severity then rule.
pub fn performance_analysis(analysis: &Analysis, target: &str, date: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Performance analysis — {date}\n");
    let _ = writeln!(
        out,
        "Target: `{target}` · {} files analyzed · {} findings\n",
        analysis.files,
        analysis.findings.len()
    );
    let _ = writeln!(out, "| rule | findings | severity |\n|---|---|---|");
    for rule in RuleId::ALL {
        let n = count(&analysis.findings, rule);
        if n > 0 {
            let severity = analysis
                .findings
                .iter()
                .find(|f| f.rule == rule)
                .map(|f| f.severity)
                .unwrap_or(rule.default_severity());
            let _ = writeln!(out, "| `{rule}` | {n} | {severity} |");
        }
    }
    if analysis.findings.is_empty() {
        let _ = writeln!(out, "\nNo performance anti-patterns found.");
    }
    for severity in [Severity::High, Severity::Medium, Severity::Low] {
        let at: Vec<&Finding> = analysis
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if at.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {} severity\n", capitalise(severity.as_str()));
        for f in at {
            let _ = writeln!(out, "### `{}` — {}:{}\n", f.rule, f.file, f.line);
            if let Some(function) = &f.function {
                let _ = writeln!(out, "In `{function}`: `{}`\n", f.snippet.replace('`', "'"));
            } else {
                let _ = writeln!(out, "`{}`\n", f.snippet.replace('`', "'"));
            }
            let _ = writeln!(out, "{}\n", f.message);
            let _ = write!(out, "Instead:\n\n{}", fence(hint(&f.file), &f.fix));
            let _ = writeln!(out, "\nFingerprint `{}`", f.fingerprint);
        }
    }
    if analysis.suppressed > 0 || analysis.baselined > 0 {
        let _ = writeln!(
            out,
            "\n{} findings suppressed by comments, {} accepted by the baseline.",
            analysis.suppressed, analysis.baselined
        );
    }
    out
}

/// `optimization-recommendations-DATE.md`: actions ordered by severity and how often they apply.
pub fn recommendations(analysis: &Analysis, date: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Optimization recommendations — {date}\n");
    let mut rules: Vec<(RuleId, Severity, usize)> = RuleId::ALL
        .into_iter()
        .filter_map(|rule| {
            let found: Vec<&Finding> = analysis
                .findings
                .iter()
                .filter(|f| f.rule == rule)
                .collect();
            let severity = found.iter().map(|f| f.severity).max()?;
            Some((rule, severity, found.len()))
        })
        .collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    if rules.is_empty() {
        let _ = writeln!(out, "Nothing to do: no findings.");
        return out;
    }
    for (priority, (rule, severity, n)) in rules.into_iter().enumerate() {
        let _ = writeln!(
            out,
            "## {}. {} ({severity}, {n} place{})\n",
            priority + 1,
            rule.title(),
            if n == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, "{}\n", rule.help());
        let mut files: Vec<(&str, usize)> = Vec::new();
        for f in analysis.findings.iter().filter(|f| f.rule == rule) {
            match files.iter_mut().find(|(file, _)| *file == f.file) {
                Some((_, count)) => *count += 1,
                None => files.push((&f.file, 1)),
            }
        }
        files.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let _ = writeln!(out, "Where to start:\n");
        for (file, count) in files.iter().take(5) {
            let lines: Vec<String> = analysis
                .findings
                .iter()
                .filter(|f| f.rule == rule && f.file == *file)
                .map(|f| f.line.to_string())
                .collect();
            let noun = if lines.len() == 1 { "line" } else { "lines" };
            let _ = writeln!(out, "- `{file}` ({count}): {noun} {}", lines.join(", "));
        }
        if files.len() > 5 {
            let _ = writeln!(out, "- ... and {} more files", files.len() - 5);
        }
        if let Some(example) = analysis.findings.iter().find(|f| f.rule == rule) {
            let _ = write!(
                out,
                "\nFor example:\n\n{}",
                fence(hint(&example.file), &example.fix)
            );
        }
        if rule == RuleId::SyncHeavyHandler {
            let _ = writeln!(
                out,
                "\n`perfkit queue` runs such jobs outside the request path with retries."
            );
        }
        out.push('\n');
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
