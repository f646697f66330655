//! The job model shared by every backend: what an enqueue asks for (`NewJob`), what a
//! worker receives (`Job`), and the lease a worker holds while it runs one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// A job's number, unique within its queue.
pub type JobId = u64;

/// The current wall-clock time in milliseconds.
pub fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

/// Queue names: 1 to 128 ASCII letters, digits, `-`, `_`, `.` or `:` (they become
/// part of Redis keys and URLs).
pub fn check_queue_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid queue name `{name}`: use 1 to 128 letters, digits, `-`, `_`, `.` or `:`"
        ))
    }
}

/// Retry delays: `base * 2^(attempt-1)`, capped at `max`, then reduced by up to
/// `jitter` (a fraction, 0.0..=1.0) at random so retries of many jobs spread out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Backoff {
    pub base_ms: u64,
    pub max_ms: u64,
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base_ms: 1_000,
            max_ms: 300_000,
            jitter: 0.2,
        }
    }
}

impl Backoff {
    /// The delay before retrying after failed attempt number `attempt` (1-based);
    /// `random` is a number in `0.0..1.0`.
    pub fn delay_ms(&self, attempt: u32, random: f64) -> u64 {
        let exponent = attempt.saturating_sub(1).min(62);
        let full = self
            .base_ms
            .saturating_mul(1u64 << exponent)
            .min(self.max_ms);
        let jitter = self.jitter.clamp(0.0, 1.0) * random.clamp(0.0, 1.0);
        (full as f64 * (1.0 - jitter)) as u64
    }
}

/// What an enqueue asks for. Build with [`NewJob::new`] and the setters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewJob {
    pub queue: String,
    pub payload: Vec<u8>,
    /// 0..=255; higher runs first.
    pub priority: u8,
    /// Not before this time (a delayed job); `None` means now.
    pub run_at: Option<Millis>,
    /// Not started by then: dead-lettered with the reason.
    pub deadline: Option<Millis>,
    pub max_attempts: u32,
    pub backoff: Backoff,
    /// Per-attempt time limit the worker enforces.
    pub timeout_ms: Option<u64>,
    /// While a job with this key is pending (ready, delayed or running), another
    /// enqueue with the same key returns that job instead of adding one.
    pub unique_key: Option<String>,
    /// While a job with this key exists at all (until retention removes it), an
    /// enqueue with the same key returns that job.
    pub idempotency_key: Option<String>,
    pub tags: Vec<String>,
}

impl NewJob {
    pub fn new(queue: impl Into<String>, payload: impl Into<Vec<u8>>) -> Self {
        NewJob {
            queue: queue.into(),
            payload: payload.into(),
            priority: 0,
            run_at: None,
            deadline: None,
            max_attempts: 3,
            backoff: Backoff::default(),
            timeout_ms: None,
            unique_key: None,
            idempotency_key: None,
            tags: Vec::new(),
        }
    }

    pub fn priority(mut self, priority: u8) -> Self {
        self.priority = priority;
        self
    }

    pub fn run_at(mut self, at: Millis) -> Self {
        self.run_at = Some(at);
        self
    }

    pub fn deadline(mut self, at: Millis) -> Self {
        self.deadline = Some(at);
        self
    }

    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout_ms = Some(timeout.as_millis() as u64);
        self
    }

    pub fn unique_key(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Ready,
    Delayed,
    Leased,
    Completed,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Ready => "ready",
            JobState::Delayed => "delayed",
            JobState::Leased => "leased",
            JobState::Completed => "completed",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<JobState> {
        Some(match text {
            "ready" => JobState::Ready,
            "delayed" => JobState::Delayed,
            "leased" => JobState::Leased,
            "completed" => JobState::Completed,
            "dead" => JobState::Dead,
            _ => return None,
        })
    }
}

/// One failed attempt (or a lease expiry, or a missed deadline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptError {
    pub attempt: u32,
    pub at: Millis,
    pub message: String,
}

/// A stored job, as a worker or an inspection sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub queue: String,
    pub payload: Vec<u8>,
    pub priority: u8,
    pub run_at: Millis,
    pub deadline: Option<Millis>,
    pub max_attempts: u32,
    pub backoff: Backoff,
    pub timeout_ms: Option<u64>,
    pub unique_key: Option<String>,
    pub idempotency_key: Option<String>,
    pub tags: Vec<String>,
    pub state: JobState,
    /// Attempts started so far (a claim counts one).
    pub attempts: u32,
    pub errors: Vec<AttemptError>,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    pub lease_until: Option<Millis>,
}

impl Job {
    /// The lease a worker holds on this job after claiming it.
    pub fn lease(&self) -> Lease {
        Lease {
            queue: self.queue.clone(),
            id: self.id,
            attempt: self.attempts,
        }
    }

    /// When a failure of the current attempt should be retried, or `None` when it
    /// was the last attempt.
    pub fn retry_at(&self, now: Millis) -> Option<Millis> {
        if self.attempts >= self.max_attempts {
            None
        } else {
            Some(now + self.backoff.delay_ms(self.attempts, fastrand::f64()) as Millis)
        }
    }
}

/// A worker's claim on one attempt of a job. Acks, failures and heartbeats with a
/// lease for an attempt that is no longer current (the lease expired and the job
/// was handed to someone else) are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub queue: String,
    pub id: JobId,
    pub attempt: u32,
}

/// The answer to one enqueued job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enqueued {
    pub id: JobId,
    /// True when an existing job with the same unique or idempotency key was returned.
    pub duplicate: bool,
}

/// What happened to a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOutcome {
    Retrying { at: Millis },
    Dead,
}

/// Job counts of one queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueStats {
    pub ready: u64,
    pub delayed: u64,
    pub leased: u64,
    pub completed: u64,
    pub dead: u64,
    pub paused: bool,
}

/// Which dead jobs a retry or purge applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadSelect {
    All,
    Ids(Vec<JobId>),
    /// Dead jobs carrying this tag.
    Tag(String),
}

/// How many finished jobs to keep, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub completed: u64,
    pub dead: u64,
    pub max_age_ms: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            completed: 1_000,
            dead: 10_000,
            max_age_ms: 7 * 24 * 3_600_000,
        }
    }
}

/// Every this many claims on a queue, the oldest ready job is served first whatever
/// its priority, so a steady stream of high-priority jobs cannot starve the rest.
pub const FAIR_EVERY: u64 = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters_down() {
        let backoff = Backoff {
            base_ms: 100,
            max_ms: 1_000,
            jitter: 0.5,
        };
        assert_eq!(backoff.delay_ms(1, 0.0), 100);
        assert_eq!(backoff.delay_ms(2, 0.0), 200);
        assert_eq!(backoff.delay_ms(3, 0.0), 400);
        assert_eq!(backoff.delay_ms(5, 0.0), 1_000);
        assert_eq!(backoff.delay_ms(64, 0.0), 1_000);
        assert_eq!(backoff.delay_ms(2, 1.0), 100);
        assert_eq!(backoff.delay_ms(2, 0.5), 150);
    }
}
