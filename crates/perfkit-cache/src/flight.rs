//! Single-flight: concurrent misses for one key make one fill.
//!
//! The first caller becomes the [`Leader`]; later callers get a [`Follower`] that
//! waits for the leader's outcome. A leader that is dropped without finishing (its
//! task panicked or was cancelled) wakes every follower with
//! [`FlightError::Abandoned`], so no follower hangs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::entry::Entry;

/// How a fill ended, as seen by followers.
#[derive(Debug, Clone)]
enum Outcome {
    Shared(Arc<Entry>),
    NotShareable,
    Failed(Arc<str>),
    Abandoned,
}

/// Why a follower did not get a shared entry.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FlightError {
    /// The leader's response may not be given to other clients (private,
    /// `Set-Cookie`, `no-store`...): fetch it yourself.
    #[error("the response for this key is not shareable; fetch it yourself")]
    NotShareable,
    /// The leader's fill returned an error.
    #[error("the fill for this key failed: {0}")]
    Failed(Arc<str>),
    /// The leader was dropped before finishing (panic or cancellation).
    #[error("the fill for this key was abandoned (the filling task panicked or was cancelled)")]
    Abandoned,
}

type Slot = watch::Sender<Option<Outcome>>;

/// The in-flight fills, by key. Clones share the same table.
#[derive(Debug, Default, Clone)]
pub struct Flights {
    inflight: Arc<Mutex<HashMap<Box<str>, Arc<Slot>>>>,
}

/// What [`Flights::join`] made of the caller.
#[derive(Debug)]
pub enum Flight {
    Leader(Leader),
    Follower(Follower),
}

impl Flights {
    /// Becomes the leader for `key`, or a follower of the fill already running.
    pub fn join(&self, key: &str) -> Flight {
        let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = inflight.get(key) {
            return Flight::Follower(Follower {
                receiver: slot.subscribe(),
            });
        }
        let slot = Arc::new(watch::channel(None).0);
        inflight.insert(key.into(), Arc::clone(&slot));
        Flight::Leader(Leader {
            flights: self.clone(),
            key: key.into(),
            slot,
            done: false,
        })
    }

    /// Callers waiting on the fill of `key` now (0 when none runs).
    pub fn waiters(&self, key: &str) -> usize {
        let inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        inflight.get(key).map_or(0, |slot| slot.receiver_count())
    }

    /// Number of fills running now.
    pub fn len(&self) -> usize {
        self.inflight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn finish(&self, key: &str, slot: &Arc<Slot>, outcome: Outcome) {
        let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        if inflight.get(key).is_some_and(|s| Arc::ptr_eq(s, slot)) {
            inflight.remove(key);
        }
        drop(inflight);
        slot.send_replace(Some(outcome));
    }
}

/// The one caller that fills a key. Finish it with one of its methods; dropping it
/// unfinished tells followers the fill was abandoned.
#[derive(Debug)]
pub struct Leader {
    flights: Flights,
    key: Box<str>,
    slot: Arc<Slot>,
    done: bool,
}

impl Leader {
    /// Shares `entry` with every follower.
    pub fn complete(mut self, entry: Arc<Entry>) {
        self.finish(Outcome::Shared(entry));
    }

    /// The response may not be shared: followers fetch for themselves.
    pub fn not_shareable(mut self) {
        self.finish(Outcome::NotShareable);
    }

    /// The fill failed; followers get `message`.
    pub fn fail(mut self, message: impl Into<Arc<str>>) {
        self.finish(Outcome::Failed(message.into()));
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    fn finish(&mut self, outcome: Outcome) {
        self.done = true;
        self.flights.finish(&self.key, &self.slot, outcome);
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        if !self.done {
            self.finish(Outcome::Abandoned);
        }
    }
}

/// A caller waiting for a leader's fill.
#[derive(Debug)]
pub struct Follower {
    receiver: watch::Receiver<Option<Outcome>>,
}

impl Follower {
    /// Waits for the leader's outcome.
    pub async fn wait(mut self) -> Result<Arc<Entry>, FlightError> {
        let outcome = match self.receiver.wait_for(Option::is_some).await {
            Ok(value) => value.clone(),
            // The sender is gone without a value: treat as abandoned.
            Err(_) => None,
        };
        match outcome {
            Some(Outcome::Shared(entry)) => Ok(entry),
            Some(Outcome::NotShareable) => Err(FlightError::NotShareable),
            Some(Outcome::Failed(message)) => Err(FlightError::Failed(message)),
            Some(Outcome::Abandoned) | None => Err(FlightError::Abandoned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leader(flight: Flight) -> Leader {
        match flight {
            Flight::Leader(leader) => leader,
            Flight::Follower(_) => panic!("expected to lead"),
        }
    }

    fn follower(flight: Flight) -> Follower {
        match flight {
            Flight::Follower(follower) => follower,
            Flight::Leader(_) => panic!("expected to follow"),
        }
    }

    #[tokio::test]
    async fn followers_get_the_leaders_entry() {
        let flights = Flights::default();
        let lead = leader(flights.join("k"));
        let waiters: Vec<_> = (0..3).map(|_| follower(flights.join("k"))).collect();
        lead.complete(Arc::new(Entry::value("v")));
        for waiter in waiters {
            assert_eq!(waiter.wait().await.unwrap().body, "v");
        }
        assert!(flights.is_empty());
        // The next miss leads a new fill.
        let _again = leader(flights.join("k"));
    }

    #[tokio::test]
    async fn failure_and_not_shareable_reach_followers() {
        let flights = Flights::default();
        let lead = leader(flights.join("a"));
        let waiter = follower(flights.join("a"));
        lead.fail("origin refused");
        assert_eq!(
            waiter.wait().await.unwrap_err(),
            FlightError::Failed("origin refused".into())
        );

        let lead = leader(flights.join("b"));
        let waiter = follower(flights.join("b"));
        lead.not_shareable();
        assert_eq!(waiter.wait().await.unwrap_err(), FlightError::NotShareable);
    }

    /// Waits for a follower, failing (instead of hanging) if it is never woken.
    async fn bounded(waiter: Follower) -> Result<Arc<Entry>, FlightError> {
        tokio::time::timeout(std::time::Duration::from_secs(10), waiter.wait())
            .await
            .expect("a follower was never woken")
    }

    #[tokio::test]
    async fn a_panicking_leader_wakes_followers() {
        let flights = Flights::default();
        let ready = Arc::new(tokio::sync::Barrier::new(2));
        let task = {
            let flights = flights.clone();
            let ready = Arc::clone(&ready);
            tokio::spawn(async move {
                let _lead = leader(flights.join("k"));
                ready.wait().await;
                ready.wait().await;
                panic!("filler panicked");
            })
        };
        ready.wait().await;
        let waiter = follower(flights.join("k"));
        ready.wait().await;
        assert_eq!(bounded(waiter).await.unwrap_err(), FlightError::Abandoned);
        assert!(task.await.unwrap_err().is_panic());
        assert!(flights.is_empty());
    }

    #[tokio::test]
    async fn a_cancelled_leader_wakes_followers() {
        let flights = Flights::default();
        let (led_tx, led_rx) = tokio::sync::oneshot::channel();
        let task = {
            let flights = flights.clone();
            tokio::spawn(async move {
                let _lead = leader(flights.join("k"));
                led_tx.send(()).unwrap();
                std::future::pending::<()>().await;
            })
        };
        led_rx.await.unwrap();
        let waiter = follower(flights.join("k"));
        task.abort();
        assert_eq!(bounded(waiter).await.unwrap_err(), FlightError::Abandoned);
    }
}
