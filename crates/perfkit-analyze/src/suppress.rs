//! Suppression comments: `# perfkit: ignore[n-plus-one]` (Python) or
//! `// perfkit: ignore[rule-a, rule-b]` (JS/TS) on the flagged line or the line above;
//! `perfkit: ignore` without a list silences every rule there.

use crate::finding::RuleId;
use crate::lang::Language;

/// Whether a comment on 1-based `line` or the line before silences `rule`.
pub(crate) fn is_suppressed(lines: &[&str], line: usize, rule: RuleId, language: Language) -> bool {
    let marker = language.comment();
    let on = |index: usize| -> bool {
        let Some(text) = index.checked_sub(1).and_then(|i| lines.get(i)) else {
            return false;
        };
        let Some(comment_at) = text.find(marker) else {
            return false;
        };
        let comment = &text[comment_at..];
        let Some(at) = comment.find("perfkit: ignore") else {
            return false;
        };
        let rest = &comment[at + "perfkit: ignore".len()..];
        match rest.strip_prefix('[') {
            Some(list) => list
                .split(']')
                .next()
                .unwrap_or("")
                .split(',')
                .any(|r| r.trim() == rule.as_str()),
            None => true,
        }
    };
    on(line)
        || (line > 1
            && on(line - 1)
            && lines
                .get(line - 2)
                .is_some_and(|l| l.trim_start().starts_with(marker)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_silence_listed_rules_on_their_line_or_the_next() {
        let lines = [
            "x = 1  # perfkit: ignore[n-plus-one]",
            "# perfkit: ignore[quadratic-loop, missing-cache]",
            "y = 2",
            "z = 3  # perfkit: ignore",
            "w = 4",
        ];
        let py = Language::Python;
        assert!(is_suppressed(&lines, 1, RuleId::NPlusOne, py));
        assert!(!is_suppressed(&lines, 1, RuleId::MissingCache, py));
        assert!(is_suppressed(&lines, 3, RuleId::MissingCache, py));
        assert!(is_suppressed(&lines, 3, RuleId::QuadraticLoop, py));
        assert!(!is_suppressed(&lines, 3, RuleId::NPlusOne, py));
        assert!(is_suppressed(&lines, 4, RuleId::ConnectionLeak, py));
        // a trailing comment on the previous line covers only that line
        assert!(!is_suppressed(&lines, 5, RuleId::ConnectionLeak, py));
        assert!(!is_suppressed(
            &lines,
            3,
            RuleId::MissingCache,
            Language::JavaScript
        ));
    }
}
