//! Interim (`1xx`) responses on their way from an upstream to the client: the
//! upstream client (`upstream/http1.rs`) queues each forwardable interim head it reads
//! for the request being served, and the workers' own HTTP/1.1 server
//! (`listen/http1.rs`) writes them to the client before the final response.
//!
//! One `Interim` per client connection. It is open only while the native server
//! serves that connection, whose requests are all HTTP/1.1: a connection handed to
//! hyper (HTTP/1.0, bodies, h2c, ...) closes it, so HTTP/1.0 clients never receive a
//! `1xx` (RFC 9110 §15.2) and nothing queues where no one writes. Only a request's own
//! (foreground) exchanges are given the queue: a background revalidation's interim
//! responses belong to no client request.
//!
//! The queue needs no waker: the exchange that fills it runs inside the request's own
//! future, so the server sees a queued head right after the poll that queued it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// The interim response heads of one client connection's current request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interim(Arc<Queue>);

#[derive(Debug, Default)]
struct Queue {
    /// Whether heads are taken: the native server is serving the connection.
    open: AtomicBool,
    /// Whether `heads` holds anything: the one load the common request pays.
    pending: AtomicBool,
    heads: Mutex<Vec<Bytes>>,
}

impl Interim {
    /// A queue the native server will write from.
    pub fn open() -> Interim {
        let interim = Interim::default();
        interim.0.open.store(true, Ordering::Relaxed);
        interim
    }

    /// The connection goes to hyper: heads are no longer taken (and any left are dropped).
    pub fn close(&self) {
        self.0.open.store(false, Ordering::Relaxed);
        self.lock().clear();
        self.0.pending.store(false, Ordering::Relaxed);
    }

    /// Whether heads pushed now would reach the client.
    pub fn is_open(&self) -> bool {
        self.0.open.load(Ordering::Relaxed)
    }

    /// Queues one complete interim head (status line, fields, blank line).
    pub fn push(&self, head: Bytes) {
        if !self.is_open() {
            return;
        }
        self.lock().push(head);
        self.0.pending.store(true, Ordering::Release);
    }

    /// Whether heads wait to be written.
    pub fn pending(&self) -> bool {
        self.0.pending.load(Ordering::Acquire)
    }

    /// The queued heads, in the order they arrived.
    pub fn take(&self) -> Vec<Bytes> {
        let heads = std::mem::take(&mut *self.lock());
        self.0.pending.store(false, Ordering::Relaxed);
        heads
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Bytes>> {
        self.0.heads.lock().unwrap_or_else(|e| e.into_inner())
    }
}
