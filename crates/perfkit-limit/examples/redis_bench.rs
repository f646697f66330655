//! Redis-backed decisions per second at 64 concurrent callers: the leased (batched)
//! mode against the exact mode, which is the naive one-EVALSHA-per-request baseline.
//! Runs alternate (exact, leased, exact, leased, ...) on one current-thread runtime.
//!
//! Usage: `redis_bench REDIS_URL [SECONDS_PER_RUN] [PAIRS]`; `bench/limit-redis.sh`
//! starts a pinned redis-server and runs this pinned to another core.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use perfkit_limit::{connect, Key, LeasedLimiter, Quota, RedisLimiter, Store};

const CALLERS: u64 = 64;
const KEYS: u64 = 1024;
const BATCH: u64 = 32;

async fn run<S: Store + 'static>(limiter: Arc<S>, seconds: f64) -> (f64, f64) {
    let decisions = Arc::new(AtomicU64::new(0));
    let admitted = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let length = Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..CALLERS)
        .map(|caller| {
            let (limiter, decisions, admitted) =
                (limiter.clone(), decisions.clone(), admitted.clone());
            tokio::spawn(async move {
                let mut n = caller;
                while start.elapsed() < length {
                    n = (n + CALLERS) % KEYS;
                    let decision = limiter
                        .check(Key::from_u64(n), 1)
                        .await
                        .expect("redis answers");
                    decisions.fetch_add(1, Ordering::Relaxed);
                    admitted.fetch_add(u64::from(decision.allowed), Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("caller task");
    }
    let elapsed = start.elapsed().as_secs_f64();
    let decisions = decisions.load(Ordering::Relaxed) as f64;
    (
        decisions / elapsed,
        admitted.load(Ordering::Relaxed) as f64 / decisions,
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: redis_bench REDIS_URL [SECONDS_PER_RUN] [PAIRS]")?;
    let seconds: f64 = args.next().map_or(Ok(3.0), |s| s.parse())?;
    let pairs: usize = args.next().map_or(Ok(5), |s| s.parse())?;
    // 100 000 per second per key, bursts of 100 000: the limit is never reached, so
    // both modes make every decision the same way and only the round trips differ.
    let quota = Quota::per_second(100_000);
    let conn = connect(&url).await?;
    println!(
        "| pair | exact (EVALSHA each) decisions/s | leased (batch {BATCH}) decisions/s | ratio |"
    );
    println!("|---|---|---|---|");
    let mut ratios = Vec::new();
    for pair in 0..pairs {
        let exact = Arc::new(RedisLimiter::new(
            conn.clone(),
            &format!("exact{pair}"),
            quota,
        )?);
        let (exact_rate, exact_admitted) = run(exact, seconds).await;
        let remote = RedisLimiter::new(conn.clone(), &format!("leased{pair}"), quota)?;
        let leased = Arc::new(LeasedLimiter::new(
            remote,
            BATCH,
            Duration::from_secs(1),
            100_000,
        )?);
        let (leased_rate, leased_admitted) = run(leased, seconds).await;
        assert!(
            exact_admitted > 0.999 && leased_admitted > 0.999,
            "the quota was reached"
        );
        let ratio = leased_rate / exact_rate;
        ratios.push(ratio);
        println!(
            "| {} | {exact_rate:.0} | {leased_rate:.0} | {ratio:.2} |",
            pair + 1
        );
    }
    ratios.sort_by(f64::total_cmp);
    let geomean = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
    println!(
        "\nratio leased/exact: median {:.2}, geometric mean {geomean:.2} ({CALLERS} callers, {KEYS} keys, {seconds} s runs)",
        ratios[ratios.len() / 2]
    );
    Ok(())
}
