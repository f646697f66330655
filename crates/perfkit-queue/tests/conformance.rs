//! One conformance suite, run against every backend: each `async fn` below is a rule
//! of the queue's semantics, and `conformance!` instantiates all of them per backend.
//! Times are passed explicitly, so nothing here sleeps.

use std::sync::Arc;

use perfkit_queue::{
    Backend, Backoff, DeadSelect, FailOutcome, JobState, NewJob, RedisBackend, Retention, Schedule,
    Scheduler, SqliteBackend, FAIR_EVERY,
};
use perfkit_testkit::{RedisCluster, RedisServer};

/// A backend plus what keeps its storage alive; `another` opens a second, independent
/// handle on the same storage (as a second process would).
trait Fixture: Send + Sync + 'static {
    type B: Backend + Clone;
    fn backend(&self) -> Self::B;
    fn another(&self) -> Self::B;
}

struct Sqlite {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    backend: SqliteBackend,
}

impl Sqlite {
    fn start() -> Sqlite {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.db");
        let backend = SqliteBackend::open(&path).unwrap();
        Sqlite {
            _dir: dir,
            path,
            backend,
        }
    }
}

impl Fixture for Sqlite {
    type B = SqliteBackend;
    fn backend(&self) -> SqliteBackend {
        self.backend.clone()
    }
    fn another(&self) -> SqliteBackend {
        SqliteBackend::open(&self.path).unwrap()
    }
}

/// One Redis server, or a three-master Redis Cluster reached through its first node
/// only (the rest of the topology is discovered). Each handle connects on the
/// test's runtime.
enum Redis {
    Server(RedisServer),
    Cluster(RedisCluster),
}

impl Redis {
    fn start() -> Redis {
        Redis::Server(RedisServer::start().unwrap())
    }

    fn start_cluster() -> Redis {
        Redis::Cluster(RedisCluster::start().unwrap())
    }

    fn connect(&self) -> RedisBackend {
        let connecting = async {
            match self {
                Redis::Server(server) => RedisBackend::connect(&server.url()).await,
                Redis::Cluster(cluster) => {
                    RedisBackend::connect_cluster(&cluster.urls()[..1]).await
                }
            }
        };
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(connecting))
            .unwrap()
    }
}

impl Fixture for Redis {
    type B = RedisBackend;
    fn backend(&self) -> RedisBackend {
        self.connect()
    }
    fn another(&self) -> RedisBackend {
        self.connect()
    }
}

const T0: i64 = 1_800_000_000_000;
const LEASE: u64 = 30_000;

fn job(payload: &str) -> NewJob {
    NewJob::new("q", payload.as_bytes().to_vec())
}

async fn payloads<B: Backend>(backend: &B, max: usize, now: i64) -> Vec<String> {
    backend
        .claim("q", max, LEASE, now)
        .await
        .unwrap()
        .into_iter()
        .map(|job| String::from_utf8(job.payload).unwrap())
        .collect()
}

async fn enqueue_claim_complete<F: Fixture>(f: F) {
    let b = f.backend();
    let ids = b.enqueue(vec![job("a"), job("b")], T0).await.unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids[0].id != ids[1].id && !ids[0].duplicate);
    let stats = b.stats("q", T0).await.unwrap();
    assert_eq!((stats.ready, stats.leased), (2, 0));
    let claimed = b.claim("q", 1, LEASE, T0).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let first = &claimed[0];
    assert_eq!(
        (first.id, first.attempts, first.state),
        (ids[0].id, 1, JobState::Leased)
    );
    assert_eq!(first.payload, b"a");
    assert!(b.complete(&first.lease(), T0 + 5).await.unwrap());
    assert!(
        !b.complete(&first.lease(), T0 + 6).await.unwrap(),
        "acked once"
    );
    let done = b.get("q", first.id).await.unwrap().unwrap();
    assert_eq!(done.state, JobState::Completed);
    assert_eq!(done.finished_at, Some(T0 + 5));
    let stats = b.stats("q", T0).await.unwrap();
    assert_eq!((stats.ready, stats.leased, stats.completed), (1, 0, 1));
    assert_eq!(b.queues().await.unwrap(), vec!["q".to_owned()]);
    assert!(b.get("q", 999_999).await.unwrap().is_none());
    assert!(b.get("other", first.id).await.unwrap().is_none());
}

async fn complete_and_claim_in_one_step<F: Fixture>(f: F) {
    let b = f.backend();
    b.enqueue(vec![job("a"), job("b"), job("c")], T0)
        .await
        .unwrap();
    let first = b.claim("q", 1, LEASE, T0).await.unwrap().remove(0);
    let (done, next) = b
        .complete_and_claim(&first.lease(), 1, LEASE, T0 + 1)
        .await
        .unwrap();
    assert!(done);
    assert_eq!(next.len(), 1);
    assert_eq!(
        (next[0].payload.as_slice(), next[0].attempts),
        (&b"b"[..], 1)
    );
    let (stale, more) = b
        .complete_and_claim(&first.lease(), 5, LEASE, T0 + 2)
        .await
        .unwrap();
    assert!(!stale, "already acked");
    assert_eq!(more.len(), 1, "the claim still happens");
    let stats = b.stats("q", T0 + 3).await.unwrap();
    assert_eq!((stats.completed, stats.leased, stats.ready), (1, 2, 0));
    assert!(b
        .claim("never-used", 5, LEASE, T0)
        .await
        .unwrap()
        .is_empty());
}

/// Many acks in flight at once (as from many worker slots; the SQLite backend commits
/// them together): each caller hears about its own lease, and a stale lease among
/// them neither fails nor completes anything else.
async fn concurrent_acks_answer_each_lease<F: Fixture>(f: F) {
    let b = f.backend();
    let jobs: Vec<NewJob> = (0..40).map(|i| job(&i.to_string())).collect();
    b.enqueue(jobs, T0).await.unwrap();
    let claimed = b.claim("q", 40, LEASE, T0).await.unwrap();
    assert_eq!(claimed.len(), 40);
    let mut acks = tokio::task::JoinSet::new();
    for (i, job) in claimed.iter().enumerate() {
        let mut lease = job.lease();
        // Every fourth ack names an attempt that is not the one held.
        let stale = i % 4 == 3;
        if stale {
            lease.attempt += 1;
        }
        let b = b.clone();
        acks.spawn(async move { (lease.id, stale, b.complete(&lease, T0 + 1).await) });
    }
    let mut done = Vec::new();
    while let Some(answer) = acks.join_next().await {
        let (id, stale, accepted) = answer.unwrap();
        assert_eq!(accepted.unwrap(), !stale, "job {id}");
        if !stale {
            done.push(id);
        }
    }
    assert_eq!(done.len(), 30);
    for job in &claimed {
        let state = b.get("q", job.id).await.unwrap().unwrap().state;
        let want = if done.contains(&job.id) {
            JobState::Completed
        } else {
            JobState::Leased
        };
        assert_eq!(state, want, "job {}", job.id);
    }
    let stats = b.stats("q", T0 + 2).await.unwrap();
    assert_eq!((stats.completed, stats.leased), (30, 10));
}

async fn batch_is_all_or_nothing<F: Fixture>(f: F) {
    let b = f.backend();
    let bad = NewJob::new("", b"x".to_vec());
    assert!(b.enqueue(vec![job("a"), bad], T0).await.is_err());
    assert_eq!(b.stats("q", T0).await.unwrap().ready, 0);
}

async fn priority_then_deadline_then_fifo<F: Fixture>(f: F) {
    let b = f.backend();
    b.enqueue(
        vec![
            job("low"),
            job("high").priority(9),
            job("mid-late").priority(5).deadline(T0 + 90_000),
            job("mid-none").priority(5),
            job("mid-early").priority(5).deadline(T0 + 60_000),
            job("high-2").priority(9),
        ],
        T0,
    )
    .await
    .unwrap();
    assert_eq!(
        payloads(&b, 10, T0).await,
        ["high", "high-2", "mid-early", "mid-late", "mid-none", "low"]
    );
}

async fn starvation_protection_serves_the_oldest<F: Fixture>(f: F) {
    let b = f.backend();
    b.enqueue(vec![job("old-low")], T0).await.unwrap();
    let mut served_at = None;
    for claim in 1..=FAIR_EVERY {
        b.enqueue(vec![job("high").priority(200)], T0)
            .await
            .unwrap();
        let got = payloads(&b, 1, T0).await;
        if got == ["old-low"] {
            served_at = Some(claim);
            break;
        }
        assert_eq!(got, ["high"]);
    }
    assert_eq!(
        served_at,
        Some(FAIR_EVERY),
        "the low job runs on the fair claim"
    );
}

async fn delayed_jobs_wait<F: Fixture>(f: F) {
    let b = f.backend();
    b.enqueue(vec![job("later").run_at(T0 + 10_000), job("now")], T0)
        .await
        .unwrap();
    let stats = b.stats("q", T0).await.unwrap();
    assert_eq!((stats.ready, stats.delayed), (1, 1));
    assert_eq!(payloads(&b, 10, T0).await, ["now"]);
    assert!(payloads(&b, 10, T0 + 9_999).await.is_empty());
    assert_eq!(payloads(&b, 10, T0 + 10_000).await, ["later"]);
}

async fn missed_deadline_dead_letters<F: Fixture>(f: F) {
    let b = f.backend();
    let ids = b
        .enqueue(vec![job("late").deadline(T0 + 1_000), job("fine")], T0)
        .await
        .unwrap();
    assert_eq!(payloads(&b, 10, T0 + 1_001).await, ["fine"]);
    let dead = b.get("q", ids[0].id).await.unwrap().unwrap();
    assert_eq!(dead.state, JobState::Dead);
    assert!(
        dead.errors[0].message.contains("deadline"),
        "{:?}",
        dead.errors
    );
    assert_eq!(b.stats("q", T0 + 1_001).await.unwrap().dead, 1);
}

async fn retries_with_backoff_then_dead_letter<F: Fixture>(f: F) {
    let b = f.backend();
    let backoff = Backoff {
        base_ms: 1_000,
        max_ms: 10_000,
        jitter: 0.0,
    };
    let ids = b
        .enqueue(vec![job("flaky").max_attempts(2).backoff(backoff)], T0)
        .await
        .unwrap();
    let first = b.claim("q", 1, LEASE, T0).await.unwrap().remove(0);
    let retry_at = first.retry_at(T0).unwrap();
    assert_eq!(retry_at, T0 + 1_000);
    let outcome = b
        .fail(&first.lease(), "boom 1", Some(retry_at), T0)
        .await
        .unwrap();
    assert_eq!(outcome, Some(FailOutcome::Retrying { at: T0 + 1_000 }));
    assert_eq!(b.stats("q", T0).await.unwrap().delayed, 1);
    assert!(b.claim("q", 1, LEASE, T0 + 999).await.unwrap().is_empty());
    let second = b.claim("q", 1, LEASE, T0 + 1_000).await.unwrap().remove(0);
    assert_eq!(second.attempts, 2);
    assert_eq!(second.retry_at(T0 + 1_000), None, "last attempt");
    let outcome = b
        .fail(&second.lease(), "boom 2", None, T0 + 1_100)
        .await
        .unwrap();
    assert_eq!(outcome, Some(FailOutcome::Dead));
    assert!(b
        .fail(&second.lease(), "again", None, T0 + 1_200)
        .await
        .unwrap()
        .is_none());
    let dead = b.dead_list("q", 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].id, ids[0].id);
    let messages: Vec<_> = dead[0]
        .errors
        .iter()
        .map(|e| (e.attempt, e.message.as_str()))
        .collect();
    assert_eq!(messages, [(1, "boom 1"), (2, "boom 2")]);
}

async fn expired_lease_returns_the_job_with_the_attempt_counted<F: Fixture>(f: F) {
    let b = f.backend();
    b.enqueue(vec![job("crashy").max_attempts(2)], T0)
        .await
        .unwrap();
    let first = b.claim("q", 1, 1_000, T0).await.unwrap().remove(0);
    assert!(b.claim("q", 1, 1_000, T0 + 999).await.unwrap().is_empty());
    assert!(b.heartbeat(&first.lease(), 1_000, T0 + 900).await.unwrap());
    assert!(
        b.claim("q", 1, 1_000, T0 + 1_500).await.unwrap().is_empty(),
        "heartbeat extended it"
    );
    let second = b.claim("q", 1, 1_000, T0 + 2_000).await.unwrap().remove(0);
    assert_eq!((second.id, second.attempts), (first.id, 2));
    assert!(second.errors[0].message.contains("lease expired"));
    assert!(
        !b.complete(&first.lease(), T0 + 2_001).await.unwrap(),
        "stale lease"
    );
    assert!(!b
        .heartbeat(&first.lease(), 1_000, T0 + 2_001)
        .await
        .unwrap());
    // The last attempt's lease expires too: dead-lettered.
    assert!(b.claim("q", 1, 1_000, T0 + 3_001).await.unwrap().is_empty());
    let dead = b.get("q", first.id).await.unwrap().unwrap();
    assert_eq!((dead.state, dead.errors.len()), (JobState::Dead, 2));
}

async fn release_does_not_count_the_attempt<F: Fixture>(f: F) {
    let b = f.backend();
    b.enqueue(vec![job("a")], T0).await.unwrap();
    let first = b.claim("q", 1, LEASE, T0).await.unwrap().remove(0);
    assert!(b.release(&first.lease(), T0 + 1).await.unwrap());
    let again = b.claim("q", 1, LEASE, T0 + 2).await.unwrap().remove(0);
    assert_eq!((again.id, again.attempts), (first.id, 1));
}

async fn unique_keys_dedupe_while_pending<F: Fixture>(f: F) {
    let b = f.backend();
    let first = b.enqueue(vec![job("a").unique_key("k")], T0).await.unwrap()[0];
    let second = b.enqueue(vec![job("b").unique_key("k")], T0).await.unwrap()[0];
    assert_eq!((second.id, second.duplicate), (first.id, true));
    let claimed = b.claim("q", 1, LEASE, T0).await.unwrap().remove(0);
    let while_running = b.enqueue(vec![job("c").unique_key("k")], T0).await.unwrap()[0];
    assert_eq!(while_running.id, first.id);
    b.complete(&claimed.lease(), T0).await.unwrap();
    let after = b.enqueue(vec![job("d").unique_key("k")], T0).await.unwrap()[0];
    assert!(!after.duplicate && after.id != first.id);
    assert_eq!(b.stats("q", T0).await.unwrap().ready, 1);
}

async fn idempotency_keys_return_the_same_job<F: Fixture>(f: F) {
    let b = f.backend();
    let first = b
        .enqueue(vec![job("a").idempotency_key("req-1")], T0)
        .await
        .unwrap()[0];
    let claimed = b.claim("q", 1, LEASE, T0).await.unwrap().remove(0);
    b.complete(&claimed.lease(), T0).await.unwrap();
    let again = b
        .enqueue(vec![job("a").idempotency_key("req-1")], T0)
        .await
        .unwrap()[0];
    assert_eq!((again.id, again.duplicate), (first.id, true));
    assert_eq!(b.stats("q", T0).await.unwrap().ready, 0);
}

async fn pause_and_resume<F: Fixture>(f: F) {
    let b = f.backend();
    b.enqueue(vec![job("a")], T0).await.unwrap();
    b.set_paused("q", true).await.unwrap();
    assert!(b.stats("q", T0).await.unwrap().paused);
    assert!(b.claim("q", 1, LEASE, T0).await.unwrap().is_empty());
    b.set_paused("q", false).await.unwrap();
    assert_eq!(payloads(&b, 1, T0).await, ["a"]);
}

async fn dead_letter_retry_and_purge<F: Fixture>(f: F) {
    let b = f.backend();
    let jobs = vec![job("a"), job("b").tag("red"), job("c"), job("d")];
    let jobs = jobs.into_iter().map(|j| j.max_attempts(1)).collect();
    let ids: Vec<_> = b
        .enqueue(jobs, T0)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    for claimed in b.claim("q", 10, LEASE, T0).await.unwrap() {
        b.fail(&claimed.lease(), "no", None, T0).await.unwrap();
    }
    assert_eq!(b.stats("q", T0).await.unwrap().dead, 4);
    assert_eq!(
        b.dead_retry("q", &DeadSelect::Ids(vec![ids[0]]), T0)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        b.dead_retry("q", &DeadSelect::Tag("red".into()), T0)
            .await
            .unwrap(),
        1
    );
    let retried = b.claim("q", 10, LEASE, T0).await.unwrap();
    let mut names: Vec<_> = retried.iter().map(|j| j.payload.clone()).collect();
    names.sort();
    assert_eq!(names, [b"a".to_vec(), b"b".to_vec()]);
    assert!(retried.iter().all(|j| j.attempts == 1), "fresh attempts");
    assert_eq!(
        b.dead_purge("q", &DeadSelect::Ids(vec![ids[2]]))
            .await
            .unwrap(),
        1
    );
    assert!(b.get("q", ids[2]).await.unwrap().is_none());
    assert_eq!(b.dead_retry("q", &DeadSelect::All, T0).await.unwrap(), 1);
    assert_eq!(b.dead_purge("q", &DeadSelect::All).await.unwrap(), 0);
    assert_eq!(payloads(&b, 10, T0).await, ["d"]);
}

async fn retention_by_count_and_age<F: Fixture>(f: F) {
    let b = f.backend();
    let jobs = (0..6).map(|i| job(&i.to_string())).collect();
    b.enqueue(jobs, T0).await.unwrap();
    let claimed = b.claim("q", 6, LEASE, T0).await.unwrap();
    for (i, job) in claimed.iter().enumerate() {
        b.complete(&job.lease(), T0 + i as i64 * 1_000)
            .await
            .unwrap();
    }
    let policy = Retention {
        completed: 4,
        dead: 10,
        max_age_ms: 10_000,
    };
    // Count: the 4 most recent stay.
    assert_eq!(b.retain("q", &policy, T0 + 5_000).await.unwrap(), 2);
    assert!(b.get("q", claimed[1].id).await.unwrap().is_none());
    assert!(b.get("q", claimed[2].id).await.unwrap().is_some());
    // Age: finished before T0+3000 is older than 10 s at T0+13000.
    assert_eq!(b.retain("q", &policy, T0 + 13_000).await.unwrap(), 1);
    assert_eq!(b.stats("q", T0).await.unwrap().completed, 3);
}

async fn cron_fires_once_per_tick_with_two_schedulers<F: Fixture>(f: F) {
    let schedule = Schedule::new("every-second", "* * * * * *", "UTC", job("tick")).unwrap();
    let one = Arc::new(Scheduler::new(vec![schedule.clone()]));
    let two = Arc::new(Scheduler::new(vec![schedule]));
    let (b1, b2) = (f.backend(), f.another());
    let mut fired = Vec::new();
    // Two schedulers race over the same ticks, in overlapping windows.
    for round in 0..5i64 {
        let (after, until) = (T0 + round * 2_000, T0 + round * 2_000 + 3_000);
        let (s1, s2) = (one.clone(), two.clone());
        let (c1, c2) = (b1.clone(), b2.clone());
        let first = tokio::spawn(async move { s1.fire_due(&c1, after, until).await.unwrap() });
        let second = tokio::spawn(async move { s2.fire_due(&c2, after, until).await.unwrap() });
        fired.extend(first.await.unwrap());
        fired.extend(second.await.unwrap());
    }
    let mut ticks: Vec<_> = fired.iter().map(|f| f.tick).collect();
    ticks.sort();
    let expected: Vec<_> = (1..=11).map(|s| T0 + s * 1_000).collect();
    assert_eq!(ticks, expected, "each tick once");
    assert_eq!(b1.stats("q", T0).await.unwrap().ready, 11);
}

macro_rules! conformance {
    ($module:ident, $fixture:expr) => {
        mod $module {
            use super::*;
            conformance!(@tests $fixture;
                enqueue_claim_complete,
                complete_and_claim_in_one_step,
                concurrent_acks_answer_each_lease,
                batch_is_all_or_nothing,
                priority_then_deadline_then_fifo,
                starvation_protection_serves_the_oldest,
                delayed_jobs_wait,
                missed_deadline_dead_letters,
                retries_with_backoff_then_dead_letter,
                expired_lease_returns_the_job_with_the_attempt_counted,
                release_does_not_count_the_attempt,
                unique_keys_dedupe_while_pending,
                idempotency_keys_return_the_same_job,
                pause_and_resume,
                dead_letter_retry_and_purge,
                retention_by_count_and_age,
                cron_fires_once_per_tick_with_two_schedulers,
            );
        }
    };
    (@tests $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($fixture).await;
            }
        )*
    };
}

conformance!(sqlite, Sqlite::start());
conformance!(redis, Redis::start());
conformance!(redis_cluster, Redis::start_cluster());
