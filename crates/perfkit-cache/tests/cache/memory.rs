//! L1 stays within its byte budget under many more distinct keys than fit, and the
//! process's resident memory follows (budget + a stated overhead).
//!
//! nextest runs each test in its own process, so the RSS figures are this test's.

use std::time::Duration;

use bytes::Bytes;
use perfkit_cache::{Cache, CacheConfig, Entry};

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Stated overhead: resident growth stays under 1.5 x the budget + 16 MiB (allocator
/// slack and quick_cache's tables, sized for the budget).
#[tokio::test]
async fn memory_stays_under_max_memory_with_40x_more_distinct_keys() {
    const BUDGET: u64 = 16 << 20;
    const BODY: usize = 4096;
    let cache = Cache::new(CacheConfig {
        l1_max_bytes: Some(BUDGET),
        ..CacheConfig::default()
    })
    .unwrap();
    let before = resident_bytes();
    let total = 40 * BUDGET as usize / BODY;
    let mut peak = 0;
    for i in 0..total {
        let mut body = vec![0u8; BODY];
        body[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let entry = Entry::value(Bytes::from(body))
            .with_ttl(Duration::from_secs(600))
            .with_tags([format!("t{}", i % 100)]);
        cache
            .set(&format!("GET:https://example.test/item/{i}"), entry)
            .await
            .unwrap();
        let stats = cache.stats();
        assert!(
            stats.l1_bytes <= BUDGET,
            "{} > {BUDGET} after {i}",
            stats.l1_bytes
        );
        if i % 1024 == 0 {
            peak = peak.max(resident_bytes().saturating_sub(before));
        }
    }
    peak = peak.max(resident_bytes().saturating_sub(before));
    let stats = cache.stats();
    assert!(stats.l1_evictions as usize > total / 2, "{stats:?}");
    assert!(stats.l1_bytes > BUDGET / 2, "the budget is used, {stats:?}");
    let limit = BUDGET + BUDGET / 2 + (16 << 20);
    eprintln!(
        "inserted {} MiB, L1 {} MiB, resident growth peak {} MiB (limit {} MiB)",
        (total * BODY) >> 20,
        stats.l1_bytes >> 20,
        peak >> 20,
        limit >> 20
    );
    assert!(
        peak < limit,
        "resident memory grew {peak} bytes, over {limit}"
    );
}
