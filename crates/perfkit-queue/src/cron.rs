//! Cron schedules: 5-field (minute precision) or 6-field (with seconds) expressions
//! evaluated in a time zone. Each tick enqueues its job exactly once however many
//! schedulers run, because the backend records the last fired tick per schedule
//! atomically with the enqueue ([`Backend::cron_fire`]). Ticks that passed while no
//! scheduler ran are not caught up.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use tokio::sync::watch;

use crate::backend::{Backend, QueueError};
use crate::job::{now_ms, JobId, Millis, NewJob};

/// How many ticks one call fires at most, so a far-behind clock cannot flood a queue.
const MAX_TICKS_PER_CALL: usize = 1_000;

/// One schedule: which job to enqueue, when.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: String,
    pub expression: String,
    cron: Cron,
    pub time_zone: Tz,
    pub job: NewJob,
}

impl Schedule {
    /// Parses `expression` (5 or 6 fields) in time zone `time_zone` (an IANA name
    /// such as `Europe/Paris`, or `UTC`).
    pub fn new(
        name: impl Into<String>,
        expression: &str,
        time_zone: &str,
        job: NewJob,
    ) -> Result<Schedule, String> {
        let cron = Cron::new(expression)
            .with_seconds_optional()
            .parse()
            .map_err(|err| format!("invalid cron expression `{expression}`: {err}"))?;
        let time_zone: Tz = time_zone.parse().map_err(|_| {
            format!("unknown time zone `{time_zone}`; use an IANA name like Europe/Paris")
        })?;
        let name = name.into();
        let job = job.tag(format!("cron:{name}"));
        Ok(Schedule {
            name,
            expression: expression.to_owned(),
            cron,
            time_zone,
            job,
        })
    }

    /// The ticks strictly after `after` and at or before `until`.
    pub fn ticks_between(&self, after: Millis, until: Millis) -> Vec<Millis> {
        let mut ticks = Vec::new();
        let Some(start) = Utc.timestamp_millis_opt(after).single() else {
            return ticks;
        };
        let mut cursor = start.with_timezone(&self.time_zone);
        while ticks.len() < MAX_TICKS_PER_CALL {
            match self.cron.find_next_occurrence(&cursor, false) {
                Ok(next) if next.timestamp_millis() <= until => {
                    ticks.push(next.timestamp_millis());
                    cursor = next;
                }
                _ => break,
            }
        }
        ticks
    }

    /// The first tick strictly after `after`.
    pub fn next_after(&self, after: Millis) -> Option<Millis> {
        let start = Utc.timestamp_millis_opt(after).single()?;
        self.cron
            .find_next_occurrence(&start.with_timezone(&self.time_zone), false)
            .ok()
            .map(|next| next.timestamp_millis())
    }
}

/// Fires a set of schedules against a backend.
#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    schedules: Vec<Schedule>,
}

/// A tick this scheduler fired (another scheduler may have fired the others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub schedule: String,
    pub tick: Millis,
    pub job: JobId,
}

impl Scheduler {
    pub fn new(schedules: Vec<Schedule>) -> Scheduler {
        Scheduler { schedules }
    }

    pub fn is_empty(&self) -> bool {
        self.schedules.is_empty()
    }

    /// Fires every tick in `(after, until]`; returns those this call won.
    pub async fn fire_due<B: Backend>(
        &self,
        backend: &B,
        after: Millis,
        until: Millis,
    ) -> Result<Vec<Fired>, QueueError> {
        let mut fired = Vec::new();
        for schedule in &self.schedules {
            for tick in schedule.ticks_between(after, until) {
                let job = schedule.job.clone().tag(format!("tick:{tick}"));
                if let Some(id) = backend
                    .cron_fire(&schedule.name, tick, job, now_ms())
                    .await?
                {
                    fired.push(Fired {
                        schedule: schedule.name.clone(),
                        tick,
                        job: id,
                    });
                }
            }
        }
        Ok(fired)
    }

    /// Fires ticks as they come until `stop` turns true. Backend errors are logged
    /// and the ticks retried on the next round.
    pub async fn run<B: Backend>(&self, backend: &B, mut stop: watch::Receiver<bool>) {
        let mut last = now_ms();
        loop {
            let next = self
                .schedules
                .iter()
                .filter_map(|schedule| schedule.next_after(last))
                .min();
            let wait = match next {
                Some(at) => Duration::from_millis((at - now_ms()).clamp(0, 60_000) as u64),
                None => Duration::from_secs(60),
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = crate::worker::turned_true(&mut stop) => return,
            }
            let now = now_ms();
            match self.fire_due(backend, last, now).await {
                Ok(_) => last = now,
                Err(err) => tracing::warn!(error = %err, "cron: firing schedules failed; retrying"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_and_six_fields_in_a_time_zone() {
        let job = NewJob::new("q", "x");
        // 2026-01-15 00:00:00 UTC
        let base = 1_768_435_200_000;
        let daily = Schedule::new("d", "30 2 * * *", "Europe/Paris", job.clone()).unwrap();
        // 02:30 in Paris (UTC+1 in January) is 01:30 UTC.
        assert_eq!(daily.next_after(base), Some(base + 90 * 60_000));
        let every_second = Schedule::new("s", "* * * * * *", "UTC", job.clone()).unwrap();
        assert_eq!(every_second.ticks_between(base, base + 3_000).len(), 3);
        assert!(Schedule::new("bad", "61 * * * *", "UTC", job.clone()).is_err());
        assert!(Schedule::new("bad", "* * * * *", "Mars/Olympus", job).is_err());
    }
}
