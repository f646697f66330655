//! L1 stays within its byte budget under many more distinct keys than fit (stored
//! partial content included), and the process's resident memory follows (budget + a
//! stated overhead).
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

/// Stored partial content (`206`, incomplete entries) is weighed like any response:
/// each one counts its bytes, and many of them stay within the budget.
#[tokio::test]
async fn incomplete_entries_count_toward_the_byte_budget() {
    use http::{HeaderMap, HeaderValue, Method, StatusCode};
    use perfkit_cache::policy::{self, PolicyConfig};
    use perfkit_cache::ResponseToStore;

    const BUDGET: u64 = 1 << 20;
    const PART: u64 = 64 << 10;
    let cache = Cache::new(CacheConfig {
        l1_max_bytes: Some(BUDGET),
        ..CacheConfig::default()
    })
    .unwrap();
    let config = PolicyConfig {
        store_partial: true,
        ..PolicyConfig::default()
    };
    let now = std::time::SystemTime::now();
    for i in 0..100u64 {
        let mut headers = HeaderMap::new();
        headers.insert("cache-control", HeaderValue::from_static("max-age=600"));
        let range = format!("bytes 0-{}/{}", PART - 1, 4 * PART);
        headers.insert("content-range", HeaderValue::from_str(&range).unwrap());
        let plan = policy::plan_store(
            &Method::GET,
            &HeaderMap::new(),
            StatusCode::PARTIAL_CONTENT,
            &headers,
            now,
            &config,
        )
        .expect("a 206 with one byte range of a known length is storable");
        let response = ResponseToStore {
            status: StatusCode::PARTIAL_CONTENT,
            plan,
            body: Bytes::from(vec![i as u8; PART as usize]),
            request_time: now,
            response_time: now,
            tags: Vec::new(),
        };
        let key = format!("GET http://example.test/video/{i}");
        cache
            .store_response(&key, &HeaderMap::new(), response, 4)
            .await
            .unwrap();
        let stats = cache.stats();
        if i == 0 {
            assert!(
                stats.l1_bytes >= PART,
                "one part weighs its body: {stats:?}"
            );
        }
        assert!(stats.l1_bytes <= BUDGET, "{stats:?} after {i}");
    }
    let stats = cache.stats();
    assert!(stats.l1_evictions > 0, "{stats:?}");
}
