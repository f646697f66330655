//! In-memory keyed GCRA decisions per second on one thread: perfkit-limit against the
//! `governor` crate on the same workload (same quota, same key sequence, every request
//! admitted so both do the full update), one key and 10 000 keys.

use std::num::NonZeroU32;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use perfkit_limit::{Gcra, Key, MemoryLimiter, Quota};

const RATE: u32 = 1_000_000_000;

fn keyed(c: &mut Criterion) {
    for keys in [1u64, 10_000] {
        let mut group = c.benchmark_group(format!("keyed_gcra_{keys}_keys"));
        group.throughput(Throughput::Elements(1));
        group.measurement_time(Duration::from_secs(3));
        group.warm_up_time(Duration::from_secs(1));

        let perfkit = MemoryLimiter::new(
            Gcra::new(Quota::per_second(u64::from(RATE))).unwrap(),
            100_000,
        );
        let mut i = 0u64;
        group.bench_function("perfkit", |b| {
            b.iter(|| {
                i = if i + 1 == keys { 0 } else { i + 1 };
                black_box(perfkit.check(Key::from_u64(black_box(i))).allowed)
            })
        });

        let governor = governor::RateLimiter::keyed(governor::Quota::per_second(
            NonZeroU32::new(RATE).unwrap(),
        ));
        let mut i = 0u64;
        group.bench_function("governor", |b| {
            b.iter(|| {
                i = if i + 1 == keys { 0 } else { i + 1 };
                black_box(governor.check_key(&black_box(i)).is_ok())
            })
        });
        group.finish();
    }
}

criterion_group!(benches, keyed);
criterion_main!(benches);
