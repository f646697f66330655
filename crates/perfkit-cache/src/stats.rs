//! Hit/miss counters per key pattern (`user:*`, `GET:https://api/*`), plus the
//! counters of the whole cache. Counting is a few relaxed atomic adds; matching a
//! key walks the configured patterns without allocating.

use std::sync::atomic::{AtomicU64, Ordering};

/// What happened on one lookup or fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    HitL1,
    HitL2,
    Miss,
    /// A miss that waited for another caller's fill.
    Coalesced,
    Stored,
    FillError,
}

#[derive(Debug, Default)]
struct Counters {
    hits_l1: AtomicU64,
    hits_l2: AtomicU64,
    misses: AtomicU64,
    coalesced: AtomicU64,
    stored: AtomicU64,
    fill_errors: AtomicU64,
}

impl Counters {
    fn add(&self, event: Event) {
        let counter = match event {
            Event::HitL1 => &self.hits_l1,
            Event::HitL2 => &self.hits_l2,
            Event::Miss => &self.misses,
            Event::Coalesced => &self.coalesced,
            Event::Stored => &self.stored,
            Event::FillError => &self.fill_errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self, pattern: &str) -> PatternStats {
        PatternStats {
            pattern: pattern.to_owned(),
            hits_l1: self.hits_l1.load(Ordering::Relaxed),
            hits_l2: self.hits_l2.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            coalesced: self.coalesced.load(Ordering::Relaxed),
            stored: self.stored.load(Ordering::Relaxed),
            fill_errors: self.fill_errors.load(Ordering::Relaxed),
        }
    }
}

/// Counters of one key pattern at one moment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PatternStats {
    /// The configured pattern, or `*` for keys no pattern matched.
    pub pattern: String,
    pub hits_l1: u64,
    pub hits_l2: u64,
    pub misses: u64,
    pub coalesced: u64,
    pub stored: u64,
    pub fill_errors: u64,
}

impl PatternStats {
    /// Hits (both layers) over lookups; `None` before any lookup.
    pub fn hit_rate(&self) -> Option<f64> {
        let hits = self.hits_l1 + self.hits_l2;
        let total = hits + self.misses + self.coalesced;
        (total > 0).then(|| hits as f64 / total as f64)
    }
}

/// A configured key pattern: the common `prefix*` form is matched with one
/// `starts_with`; anything else goes through [`glob_match`].
#[derive(Debug)]
enum Pattern {
    Prefix(Box<str>),
    Glob(Box<str>),
}

impl Pattern {
    fn new(text: Box<str>) -> Pattern {
        match text.strip_suffix('*') {
            Some(prefix) if !prefix.contains('*') => Pattern::Prefix(prefix.into()),
            _ => Pattern::Glob(text),
        }
    }

    fn matches(&self, key: &str) -> bool {
        match self {
            Pattern::Prefix(prefix) => key.starts_with(&**prefix),
            Pattern::Glob(glob) => glob_match(glob.as_bytes(), key.as_bytes()),
        }
    }
}

/// Per-pattern counters. The first pattern that matches a key counts it.
#[derive(Debug)]
pub struct Stats {
    patterns: Vec<(Box<str>, Pattern, Counters)>,
    other: Counters,
}

impl Stats {
    /// Patterns are globs where `*` matches any run of characters.
    pub fn new<I, S>(patterns: I) -> Stats
    where
        I: IntoIterator<Item = S>,
        S: Into<Box<str>>,
    {
        Stats {
            patterns: patterns
                .into_iter()
                .map(|p| {
                    let text: Box<str> = p.into();
                    (text.clone(), Pattern::new(text), Counters::default())
                })
                .collect(),
            other: Counters::default(),
        }
    }

    pub fn record(&self, key: &str, event: Event) {
        let counters = self
            .patterns
            .iter()
            .find(|(_, pattern, _)| pattern.matches(key))
            .map_or(&self.other, |(_, _, counters)| counters);
        counters.add(event);
    }

    /// One row per configured pattern, then `*` for the rest.
    pub fn snapshot(&self) -> Vec<PatternStats> {
        self.patterns
            .iter()
            .map(|(text, _, counters)| counters.snapshot(text))
            .chain(std::iter::once(self.other.snapshot("*")))
            .collect()
    }
}

/// `*` matches any (possibly empty) run of bytes; everything else matches itself.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            backtrack = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            t = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(b"user:*", b"user:42"));
        assert!(glob_match(b"*:42", b"user:42"));
        assert!(glob_match(b"a*b*c", b"axxbyyc"));
        assert!(!glob_match(b"a*b*c", b"axxbyy"));
        assert!(glob_match(b"*", b""));
        assert!(!glob_match(b"user:*", b"users"));
    }

    #[test]
    fn counts_by_first_matching_pattern() {
        let stats = Stats::new(["user:*", "*:1", "*"]);
        stats.record("user:1", Event::HitL1);
        stats.record("user:2", Event::Miss);
        stats.record("order:1", Event::HitL2);
        stats.record("order:2", Event::HitL2);
        let rows = stats.snapshot();
        assert_eq!(rows[0].pattern, "user:*");
        assert_eq!((rows[0].hits_l1, rows[0].misses), (1, 1));
        assert_eq!(rows[0].hit_rate(), Some(0.5));
        assert_eq!(rows[1].hits_l2, 1, "glob *:1");
        assert_eq!(rows[2].hits_l2, 1);
        assert_eq!(rows[3].hit_rate(), None);
    }
}
