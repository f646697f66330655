//! Rules, severities and findings: what the analyzer reports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The rules, by their stable ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleId {
    NPlusOne,
    BlockingCallInAsync,
    QuadraticLoop,
    ConnectionLeak,
    MissingCache,
    SyncHeavyHandler,
}

impl RuleId {
    pub const ALL: [RuleId; 6] = [
        RuleId::NPlusOne,
        RuleId::BlockingCallInAsync,
        RuleId::QuadraticLoop,
        RuleId::ConnectionLeak,
        RuleId::MissingCache,
        RuleId::SyncHeavyHandler,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::NPlusOne => "n-plus-one",
            RuleId::BlockingCallInAsync => "blocking-call-in-async",
            RuleId::QuadraticLoop => "quadratic-loop",
            RuleId::ConnectionLeak => "connection-leak",
            RuleId::MissingCache => "missing-cache",
            RuleId::SyncHeavyHandler => "sync-heavy-handler",
        }
    }

    /// A one-line title.
    pub fn title(self) -> &'static str {
        match self {
            RuleId::NPlusOne => "Query or remote call per iteration of a loop (N+1)",
            RuleId::BlockingCallInAsync => "Blocking call inside async code or a request handler",
            RuleId::QuadraticLoop => "Quadratic work inside a loop",
            RuleId::ConnectionLeak => "Connection, client or file not released on every path",
            RuleId::MissingCache => "Expensive work with stable inputs repeated on every request",
            RuleId::SyncHeavyHandler => "Slow work done inline in a request handler",
        }
    }

    /// Why the pattern is slow and what to do in general (SARIF `help`, report text).
    pub fn help(self) -> &'static str {
        match self {
            RuleId::NPlusOne => "A loop over N rows that issues one query (or HTTP call) per row makes N+1 round trips; latency grows with the data. Load the related rows with the first query (select_related/prefetch_related, joinedload/selectinload, Prisma include, a JOIN) or fetch them all at once with an IN query, then look them up in memory.",
            RuleId::BlockingCallInAsync => "A blocking call inside async code stops the event loop: every other request on that worker waits until it returns. Use the async equivalent (httpx.AsyncClient, asyncio.sleep, aiofiles, an async driver, fs.promises) or move the call to a thread (asyncio.to_thread, run_in_executor, a worker thread).",
            RuleId::QuadraticLoop => "A linear search (list membership, indexOf/includes/find) or an inner loop over the same collection inside a loop makes the work grow with the square of the input. Build a set/dict/Map once before the loop and look items up in O(1); join strings with ''.join; in reduce, mutate the accumulator instead of copying it.",
            RuleId::ConnectionLeak => "A connection, cursor, pool client or file that is not released on every path (including exceptions) is held until the garbage collector or the server closes it; pools run dry and requests queue. Acquire it with `with`/`async with`, or release it in `finally`; create clients and pools once at start-up, not per request.",
            RuleId::MissingCache => "The handler redoes work whose inputs never change (reading and parsing a config file, compiling a regex or template, calling the same URL, counting a whole table) on every request. Do it once at start-up (module level) or cache it (functools.lru_cache, a TTL cache, perfkit's response cache).",
            RuleId::SyncHeavyHandler => "Sending email, generating PDFs or images, building large exports or calling slow third parties inline keeps the client waiting and ties up a worker. Enqueue the work as a background job (perfkit queue, Celery, RQ, BullMQ) and return 202 Accepted or notify when done.",
        }
    }

    pub fn default_severity(self) -> Severity {
        match self {
            RuleId::NPlusOne | RuleId::BlockingCallInAsync | RuleId::ConnectionLeak => {
                Severity::High
            }
            RuleId::QuadraticLoop | RuleId::SyncHeavyHandler => Severity::Medium,
            RuleId::MissingCache => Severity::Low,
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleId {
    type Err = String;

    fn from_str(s: &str) -> Result<RuleId, String> {
        RuleId::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown rule `{s}` (known: {})", known.join(", "))
            })
    }
}

/// How much a finding matters; `--fail-on` compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Severity, String> {
        match s {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            _ => Err(format!("unknown severity `{s}` (known: low, medium, high)")),
        }
    }
}

/// One reported anti-pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    /// Path relative to the analyzed root, with `/` separators.
    pub file: String,
    /// 1-based line and column of the flagged expression.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The enclosing function (`Class.method`), if any.
    pub function: Option<String>,
    /// The flagged line, whitespace-normalised.
    pub snippet: String,
    /// Why it is slow here and what to do instead.
    pub message: String,
    /// A short fix example for the framework in use.
    pub fix: String,
    /// Stable across edits elsewhere in the file: rule, file, function and snippet, not line numbers.
    pub fingerprint: String,
}
