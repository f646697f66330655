//! SARIF 2.1.0 output for code-scanning services (GitHub code scanning and others): rule
//! metadata with help text, one result per finding with its location and a
//! `partialFingerprints` entry so results track across commits.

use serde_json::{json, Value};

use crate::finding::{RuleId, Severity};
use crate::Analysis;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn camel(rule: RuleId) -> String {
    rule.as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The SARIF log for `analysis`; file URIs are relative to the analyzed root (`%SRCROOT%`).
pub fn sarif(analysis: &Analysis) -> Value {
    let rules: Vec<Value> = RuleId::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.as_str(),
                "name": camel(*rule),
                "shortDescription": { "text": rule.title() },
                "fullDescription": { "text": rule.help() },
                "help": {
                    "text": rule.help(),
                    "markdown": format!("**{}**\n\n{}", rule.title(), rule.help()),
                },
                "defaultConfiguration": { "level": level(rule.default_severity()) },
                "properties": { "tags": ["performance"], "precision": "high" },
            })
        })
        .collect();
    let results: Vec<Value> = analysis
        .findings
        .iter()
        .map(|f| {
            let index = RuleId::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
            json!({
                "ruleId": f.rule.as_str(),
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": format!("{}\n\nInstead:\n{}", f.message, f.fix) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.file, "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                            "snippet": { "text": f.snippet },
                        },
                    },
                    "logicalLocations": f.function.as_ref().map(|name| vec![json!({ "fullyQualifiedName": name, "kind": "function" })]).unwrap_or_default(),
                }],
                "partialFingerprints": { "perfkitFingerprint/v1": f.fingerprint },
                "properties": { "severity": f.severity.as_str() },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "perfkit",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/perfkit",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}
