//! `Scheduler::run` in real time: two schedulers (as in two worker processes) on one
//! SQLite file fire an every-second schedule; each tick is enqueued exactly once.

use std::collections::BTreeSet;
use std::time::Duration;

use perfkit_queue::{now_ms, Backend, NewJob, Schedule, Scheduler, SqliteBackend};
use tokio::sync::watch;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_running_schedulers_fire_each_tick_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let (one, two) = (
        SqliteBackend::open(&path).unwrap(),
        SqliteBackend::open(&path).unwrap(),
    );
    let schedule = Schedule::new("beat", "* * * * * *", "UTC", NewJob::new("q", "tick")).unwrap();
    let (stop, stopped) = watch::channel(false);
    let started = now_ms();
    let mut tasks = Vec::new();
    for backend in [one.clone(), two] {
        let scheduler = Scheduler::new(vec![schedule.clone()]);
        let stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            scheduler.run(&backend, stopped).await
        }));
    }
    // Wait until at least three ticks have been enqueued.
    let limit = std::time::Instant::now() + Duration::from_secs(15);
    while one.stats("q", now_ms()).await.unwrap().ready < 3 {
        assert!(
            std::time::Instant::now() < limit,
            "the schedulers fired nothing"
        );
        one.wait("q", Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let ended = now_ms();
    let jobs = one.claim("q", 1_000, 30_000, now_ms()).await.unwrap();
    let ticks: Vec<i64> = jobs
        .iter()
        .filter_map(|job| {
            job.tags
                .iter()
                .find_map(|t| t.strip_prefix("tick:")?.parse().ok())
        })
        .collect();
    let distinct: BTreeSet<i64> = ticks.iter().copied().collect();
    assert_eq!(ticks.len(), jobs.len(), "every job names its tick");
    assert_eq!(distinct.len(), ticks.len(), "a tick fired twice: {ticks:?}");
    assert!(distinct
        .iter()
        .all(|t| t % 1_000 == 0 && *t > started && *t <= ended));
    let expected = schedule.ticks_between(started, ended).len();
    assert!(
        ticks.len() >= 3 && ticks.len() <= expected,
        "{} of {expected}",
        ticks.len()
    );
}
