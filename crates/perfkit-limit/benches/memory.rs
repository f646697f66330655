//! In-memory keyed GCRA decisions per second on one thread: perfkit-limit against the
//! `governor` crate on the same workload (same quota, same key sequence, every request
//! admitted so both do the full update), one key and 10 000 keys.
//!
//! Time is this thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time: the
//! development machine's cores are shared, and wall time would count the time other
//! processes ran. Both libraries are measured the same way, in the same run.

use std::num::NonZeroU32;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use perfkit_limit::{Gcra, Key, MemoryLimiter, Quota};

const RATE: u32 = 1_000_000_000;

/// Nanoseconds this thread has run on a CPU (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_ns() -> u64 {
    cpu_time::ThreadTime::now().as_duration().as_nanos() as u64
}

/// Criterion measurement: thread CPU time in nanoseconds.
struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanoseconds
    }
}

struct Nanoseconds;

impl ValueFormatter for Nanoseconds {
    fn scale_values(&self, _typical: f64, _values: &mut [f64]) -> &'static str {
        "ns (cpu)"
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let Throughput::Elements(n) = throughput else {
            return "ns (cpu)";
        };
        for value in values {
            *value = *n as f64 * 1e3 / *value;
        }
        "M/s (cpu)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn keyed(c: &mut Criterion<CpuTime>) {
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

        // The same decision with the time passed in (one clock read shared by several
        // limiters per request): the table's own cost.
        let mut i = 0u64;
        let mut now = 0u64;
        group.bench_function("perfkit_check_at", |b| {
            b.iter(|| {
                i = if i + 1 == keys { 0 } else { i + 1 };
                now += 1;
                black_box(
                    perfkit
                        .check_at(Key::from_u64(black_box(i)), 1, now)
                        .allowed,
                )
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

fn clock(c: &mut Criterion<CpuTime>) {
    let clock = perfkit_limit::SystemClock::new();
    c.bench_function("clock_now", |b| {
        b.iter(|| black_box(perfkit_limit::Clock::now(&clock)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = keyed, clock
}
criterion_main!(benches);
