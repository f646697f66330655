//! Coarse timeouts for the request path on proxy workers.
//!
//! A tokio timer costs a timer-wheel insert and removal plus clock reads per request
//! (measured: ~1,900 instructions per proxied request, 7.6% of the worker's user
//! time). Request timeouts are seconds long and need no millisecond precision, so
//! each worker keeps its pending deadlines in a thread-local slab and one ticker per
//! worker wakes the expired ones every [`TICK`]: a deadline fires up to one tick late.
//!
//! Worker threads run single-threaded runtimes, so a future stays on the thread whose
//! slab holds its entry. Elsewhere (admin runtime, tests) [`timeout`] uses tokio's
//! timer.
//!
//! Workers also read the clock once per wake-up rather than once per check: the
//! runtime's unpark hook ([`woke`]) and the ticker store the time, and deadlines, the
//! header-read timer and the idle pool read it back with [`now`]. Between wake-ups it
//! lags by the length of the current turn (microseconds while requests are served);
//! under load that never lets the thread park, the ticker refreshes it, so it is at
//! most one tick old. A deadline therefore fires within one tick of its time.
//! Measured: ~4 of the ~20 clock reads per proxied request saved (callgrind).

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// How often a worker checks its deadlines; also their precision.
pub const TICK: Duration = Duration::from_millis(50);

/// The deadline passed before the future finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

#[derive(Default)]
struct Deadlines {
    /// Pending deadlines: when, and whom to wake.
    entries: Vec<Option<(Instant, Waker)>>,
    free: Vec<usize>,
}

thread_local! {
    /// Set on threads that run [`ticker`]; only they use the coarse path.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// On those threads: the time of the last wake-up or tick.
    static NOW: Cell<Option<Instant>> = const { Cell::new(None) };
    static DEADLINES: RefCell<Deadlines> = RefCell::new(Deadlines::default());
}

/// The unpark hook of worker runtimes: notes the time the thread woke up.
pub fn woke() {
    NOW.with(|now| now.set(Some(Instant::now())));
}

/// Now, as of this worker's last wake-up or tick (see the module documentation);
/// the clock itself on other threads.
pub fn now() -> Instant {
    NOW.with(Cell::get).unwrap_or_else(Instant::now)
}

/// Runs forever on a worker, waking futures whose deadline has passed.
pub async fn ticker() {
    ACTIVE.with(|active| active.set(true));
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let now = Instant::now();
        NOW.with(|cell| cell.set(Some(now)));
        DEADLINES.with(|deadlines| {
            for (at, waker) in deadlines.borrow().entries.iter().flatten() {
                if *at <= now {
                    waker.wake_by_ref();
                }
            }
        });
    }
}

/// Removes a future's entry when it finishes or is dropped.
#[derive(Default)]
struct Entry(Option<usize>);

impl Entry {
    fn register(&mut self, at: Instant, waker: &Waker) {
        DEADLINES.with(|deadlines| {
            let mut deadlines = deadlines.borrow_mut();
            match self.0 {
                Some(key) => {
                    if let Some((_, registered)) = &mut deadlines.entries[key] {
                        if !registered.will_wake(waker) {
                            registered.clone_from(waker);
                        }
                    }
                }
                None => {
                    let entry = Some((at, waker.clone()));
                    let key = match deadlines.free.pop() {
                        Some(key) => {
                            deadlines.entries[key] = entry;
                            key
                        }
                        None => {
                            deadlines.entries.push(entry);
                            deadlines.entries.len() - 1
                        }
                    };
                    self.0 = Some(key);
                }
            }
        });
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Some(key) = self.0.take() {
            DEADLINES.with(|deadlines| {
                let mut deadlines = deadlines.borrow_mut();
                deadlines.entries[key] = None;
                deadlines.free.push(key);
            });
        }
    }
}

/// `future`'s output, or [`Elapsed`] once `limit` has passed (coarsely on workers).
pub async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, Elapsed> {
    if !ACTIVE.with(Cell::get) {
        return tokio::time::timeout(limit, future)
            .await
            .map_err(|_| Elapsed);
    }
    let mut future = pin!(future);
    let mut entry = Entry(None);
    // Read the clock only if the future does not finish on its first poll.
    let mut at: Option<Instant> = None;
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let deadline = *at.get_or_insert_with(|| now() + limit);
        if entry.0.is_some() && now() >= deadline {
            return Poll::Ready(Err(Elapsed));
        }
        entry.register(deadline, cx.waker());
        Poll::Pending
    })
    .await
}

/// A deadline for hand-written `poll_*` code: armed by the first [`poll`](Self::poll)
/// after it was created or disarmed, it fires `limit` after that. Coarse on workers,
/// tokio's timer elsewhere.
#[derive(Default)]
pub struct Deadline {
    at: Option<Instant>,
    entry: Entry,
    fallback: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl std::fmt::Debug for Deadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deadline").field("at", &self.at).finish()
    }
}

impl Deadline {
    /// `Ready` once `limit` has passed since the deadline was armed; arms it if needed.
    pub fn poll(&mut self, limit: Duration, cx: &mut Context<'_>) -> Poll<()> {
        if !ACTIVE.with(Cell::get) {
            let sleep = self
                .fallback
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
            return sleep.as_mut().poll(cx);
        }
        let now = now();
        let at = *self.at.get_or_insert(now + limit);
        if now >= at {
            return Poll::Ready(());
        }
        self.entry.register(at, cx.waker());
        Poll::Pending
    }

    /// Stops the deadline; the next `poll` starts a new one.
    pub fn disarm(&mut self) {
        if self.at.take().is_some() || self.fallback.is_some() {
            self.fallback = None;
            self.entry = Entry(None);
        }
    }
}

/// hyper's timer on proxy workers (its per-request header-read timeout), backed by
/// the same coarse deadlines. Only for threads that run [`ticker`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CoarseTimer;

impl hyper::rt::Timer for CoarseTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(now() + duration)
    }

    fn now(&self) -> Instant {
        now()
    }

    fn sleep_until(&self, at: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(CoarseSleep {
            at,
            entry: Entry(None),
        })
    }
}

struct CoarseSleep {
    at: Instant,
    entry: Entry,
}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if now() >= this.at {
            return Poll::Ready(());
        }
        this.entry.register(this.at, cx.waker());
        Poll::Pending
    }
}

impl hyper::rt::Sleep for CoarseSleep {}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn fires_within_a_tick_of_the_deadline_on_a_worker() {
        worker_runtime().block_on(async {
            tokio::spawn(ticker());
            tokio::task::yield_now().await;
            let started = Instant::now();
            let result = timeout(Duration::from_millis(120), std::future::pending::<()>()).await;
            let waited = started.elapsed();
            assert_eq!(result, Err(Elapsed));
            assert!(waited >= Duration::from_millis(120), "{waited:?}");
            // Generous: this only shows the deadline fires, not how punctually.
            assert!(waited < Duration::from_secs(3), "{waited:?}");
            // The entry was removed: the slab has only free slots.
            DEADLINES.with(|d| assert!(d.borrow().entries.iter().all(Option::is_none)));
        });
    }

    #[test]
    fn finished_and_dropped_futures_leave_no_entry() {
        worker_runtime().block_on(async {
            tokio::spawn(ticker());
            tokio::task::yield_now().await;
            let quick = timeout(Duration::from_secs(5), async {
                tokio::time::sleep(Duration::from_millis(5)).await;
                7
            });
            assert_eq!(quick.await, Ok(7));
            let abandoned = tokio::spawn(timeout(
                Duration::from_secs(5),
                std::future::pending::<()>(),
            ));
            tokio::task::yield_now().await;
            abandoned.abort();
            let _ = abandoned.await;
            DEADLINES.with(|d| {
                let d = d.borrow();
                assert!(d.entries.iter().all(Option::is_none));
                assert_eq!(d.free.len(), d.entries.len());
            });
        });
    }

    #[test]
    fn hyper_sleeps_wake_after_their_deadline() {
        use hyper::rt::Timer;
        worker_runtime().block_on(async {
            tokio::spawn(ticker());
            let started = Instant::now();
            CoarseTimer.sleep(Duration::from_millis(60)).await;
            assert!(started.elapsed() >= Duration::from_millis(60));
            DEADLINES.with(|d| assert!(d.borrow().entries.iter().all(Option::is_none)));
        });
    }

    #[test]
    fn falls_back_to_tokio_off_worker_threads() {
        worker_runtime().block_on(async {
            // No ticker on this thread: a coarse deadline would never fire.
            let result = timeout(Duration::from_millis(10), std::future::pending::<()>()).await;
            assert_eq!(result, Err(Elapsed));
        });
    }
}
