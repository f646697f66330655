//! Interim (`1xx`) responses on their way from an upstream to the client: the
//! upstream client (`upstream/http1.rs`) queues each forwardable interim head it reads
//! for the request being served, and the workers' own HTTP/1.1 server
//! (`listen/http1.rs`) writes them to the client before the final response.
//!
//! One `Interim` per client connection. It is open only while the native server
//! serves that connection, whose requests are all HTTP/1.1 (with or without a body):
//! a connection handed to hyper (HTTP/1.0, h2c, transfer codings other than
//! `chunked`, ...) closes it, so HTTP/1.0 clients never receive a
//! `1xx` (RFC 9110 §15.2) and nothing queues where no one writes. Only a request's own
//! (foreground) exchanges are given the queue: a background revalidation's interim
//! responses belong to no client request.
//!
//! The queue needs no waker: the exchange that fills it runs inside the request's own
//! future, so the server sees a queued head right after the poll that queued it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// How many interim heads may wait unwritten on one connection.
pub(crate) const MAX_QUEUED: usize = 16;

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

    /// Queues one complete interim head (status line, fields, blank line). At most
    /// [`MAX_QUEUED`] wait at once: an origin sending `1xx` heads faster than the client
    /// takes them has the surplus dropped (they are advisory) instead of growing memory.
    pub fn push(&self, head: Bytes) {
        if !self.is_open() {
            return;
        }
        let mut heads = self.lock();
        if heads.len() < MAX_QUEUED {
            heads.push(head);
        }
        drop(heads);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_interim_heads_is_bounded_until_the_server_takes_them() {
        let interim = Interim::open();
        for i in 0..100 {
            interim.push(Bytes::from(format!(
                "HTTP/1.1 103 Early Hints\r\nx-n: {i}\r\n\r\n"
            )));
        }
        assert!(interim.pending());
        let heads = interim.take();
        assert_eq!(heads.len(), MAX_QUEUED);
        assert!(
            heads[0].ends_with(b"x-n: 0\r\n\r\n"),
            "the first ones are kept, in order"
        );
        assert!(!interim.pending());
        // Taken, the queue has room again.
        interim.push(Bytes::from_static(b"HTTP/1.1 103 Early Hints\r\n\r\n"));
        assert_eq!(interim.take().len(), 1);
        // Closed (the connection went to hyper), nothing queues.
        interim.close();
        interim.push(Bytes::from_static(b"HTTP/1.1 103 Early Hints\r\n\r\n"));
        assert!(!interim.pending());
        assert!(interim.take().is_empty());
    }
}
