//! L1 get/insert against the crates it could be built on, used directly with the
//! same keys, values and byte weigher: quick_cache (what L1 wraps) and moka.
//!
//! `cargo bench -p perfkit-cache --bench l1`

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, Criterion};
use perfkit_cache::{Cache, CacheConfig, Entry, L1};

const BUDGET: u64 = 64 << 20;
const HOT_KEYS: usize = 10_000;
const INSERT_KEYS: usize = 200_000;

fn entry() -> Arc<Entry> {
    Arc::new(Entry::value(vec![7u8; 1024]).with_ttl(Duration::from_secs(3600)))
}

fn keys(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("GET https://api.example.test/items/{i}?page=1"))
        .collect()
}

#[derive(Clone, Copy)]
struct Weigher;

impl quick_cache::Weighter<Box<str>, Arc<Entry>> for Weigher {
    fn weight(&self, key: &Box<str>, entry: &Arc<Entry>) -> u64 {
        key.len() as u64 + entry.weight()
    }
}

fn quick() -> quick_cache::sync::Cache<Box<str>, Arc<Entry>, Weigher> {
    quick_cache::sync::Cache::with_weighter((BUDGET / 4096) as usize, BUDGET, Weigher)
}

fn moka() -> moka::sync::Cache<Box<str>, Arc<Entry>> {
    moka::sync::Cache::<Box<str>, Arc<Entry>>::builder()
        .max_capacity(BUDGET)
        .weigher(|key, entry: &Arc<Entry>| {
            (key.len() as u64 + entry.weight()).min(u32::MAX as u64) as u32
        })
        .build()
}

fn get(c: &mut Criterion) {
    let keys = keys(HOT_KEYS);
    let value = entry();
    let mut group = c.benchmark_group("l1_get_hit");

    let l1 = L1::new(BUDGET);
    let cache = Cache::new(CacheConfig {
        l1_max_bytes: Some(BUDGET),
        stat_patterns: vec!["GET https://api.example.test/*".into()],
        ..CacheConfig::default()
    })
    .unwrap();
    let direct = quick();
    let moka = moka();
    for key in &keys {
        l1.insert(key, Arc::clone(&value));
        cache.set_l1(key, (*value).clone());
        direct.insert(key.as_str().into(), Arc::clone(&value));
        moka.insert(key.as_str().into(), Arc::clone(&value));
    }
    moka.run_pending_tasks();

    let mut i = 0usize;
    // The caller's clock, read once: what the gateway does with its coarse clock.
    let now = SystemTime::now();
    group.bench_function("perfkit L1::get", |b| {
        b.iter(|| {
            i = (i + 1) % HOT_KEYS;
            black_box(l1.get(&keys[i], now))
        })
    });
    group.bench_function("perfkit Cache::get_l1_at (with stats)", |b| {
        b.iter(|| {
            i = (i + 1) % HOT_KEYS;
            black_box(cache.get_l1_at(&keys[i], now))
        })
    });
    group.bench_function("perfkit Cache::get_l1 (reads the clock)", |b| {
        b.iter(|| {
            i = (i + 1) % HOT_KEYS;
            black_box(cache.get_l1(&keys[i]))
        })
    });
    group.bench_function("quick_cache direct", |b| {
        b.iter(|| {
            i = (i + 1) % HOT_KEYS;
            black_box(direct.get(keys[i].as_str()))
        })
    });
    group.bench_function("moka direct", |b| {
        b.iter(|| {
            i = (i + 1) % HOT_KEYS;
            black_box(moka.get(keys[i].as_str()))
        })
    });
    group.finish();
}

fn insert(c: &mut Criterion) {
    let keys = keys(INSERT_KEYS);
    let value = entry();
    let mut group = c.benchmark_group("l1_insert_evicting");
    // 200k distinct 1 KiB entries through a 64 MiB budget: inserts evict.
    let l1 = L1::new(BUDGET);
    let direct = quick();
    let moka = moka();
    let mut i = 0usize;
    group.bench_function("perfkit L1::insert", |b| {
        b.iter(|| {
            i = (i + 1) % INSERT_KEYS;
            l1.insert(&keys[i], Arc::clone(&value));
        })
    });
    group.bench_function("quick_cache direct", |b| {
        b.iter(|| {
            i = (i + 1) % INSERT_KEYS;
            direct.insert(keys[i].as_str().into(), Arc::clone(&value));
        })
    });
    group.bench_function("moka direct", |b| {
        b.iter(|| {
            i = (i + 1) % INSERT_KEYS;
            moka.insert(keys[i].as_str().into(), Arc::clone(&value));
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = get, insert
}
criterion_main!(benches);
