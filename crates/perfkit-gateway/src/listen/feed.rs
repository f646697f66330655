//! A request body the workers' own HTTP/1.1 server reads for the handler: a
//! `Content-Length` body, read from the client's socket by the connection's own loop
//! (`listen/http1.rs`) only when the handler has taken everything read so far, so at
//! most one read's worth waits in memory.
//!
//! The handler (and whatever it gives the body to) polls [`NativeBody`]; the
//! connection polls [`Feed`]. They meet in one small shared state, each side waking
//! the other: the body when it wants bytes (the connection then reads the socket, and
//! sends `100 Continue` first if the client asked for it and is waiting), the
//! connection when bytes or the end arrived.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use crate::body::BoxError;

#[derive(Debug, Default)]
struct State {
    /// Bytes read and not yet taken by the body.
    ready: Option<Bytes>,
    /// Bytes of the body still to be read from the socket.
    remaining: u64,
    /// The body was polled with nothing ready: the connection should read.
    wanted: bool,
    /// The client sent `Expect: 100-continue` and has not been told to go on.
    awaiting_continue: bool,
    /// The client closed (or the socket failed) before the body was complete.
    cut_short: bool,
    /// The task polling the body, woken when bytes or the end arrive.
    body_waker: Option<Waker>,
    /// The connection's task, woken when the body wants bytes.
    connection_waker: Option<Waker>,
}

/// The connection's side: hands bytes read from the socket to the body.
#[derive(Debug, Clone)]
pub(crate) struct Feed(Arc<Mutex<State>>);

/// The handler's side: the request body.
#[derive(Debug)]
pub struct NativeBody(Arc<Mutex<State>>);

/// What the connection should do for the body next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Wants {
    Nothing,
    /// Write `100 Continue` (then read).
    Continue,
    /// Read from the socket, at most this many bytes.
    Read(u64),
}

impl Feed {
    /// A body of `length` bytes of which `already` (read with the head) are ready;
    /// `expect_continue` when the client waits for `100 Continue` before sending it.
    pub fn new(length: u64, already: Bytes, expect_continue: bool) -> (Feed, NativeBody) {
        let remaining = length - already.len() as u64;
        let state = State {
            awaiting_continue: expect_continue && remaining > 0,
            ready: (!already.is_empty()).then_some(already),
            remaining,
            ..State::default()
        };
        let shared = Arc::new(Mutex::new(state));
        (Feed(Arc::clone(&shared)), NativeBody(shared))
    }

    /// What the body needs now; registers `cx` to be woken when that changes.
    pub fn wants(&self, cx: &Context<'_>) -> Wants {
        let mut state = lock(&self.0);
        if !state.wanted || state.remaining == 0 || state.cut_short {
            match &state.connection_waker {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                _ => state.connection_waker = Some(cx.waker().clone()),
            }
            return Wants::Nothing;
        }
        if state.awaiting_continue {
            Wants::Continue
        } else {
            Wants::Read(state.remaining)
        }
    }

    /// `100 Continue` was written.
    pub fn continued(&self) {
        lock(&self.0).awaiting_continue = false;
    }

    /// Bytes of the body read from the socket (at most what [`Wants::Read`] allowed).
    pub fn push(&self, data: Bytes) {
        let mut state = lock(&self.0);
        state.remaining -= data.len() as u64;
        state.ready = Some(match state.ready.take() {
            None => data,
            Some(earlier) => {
                let mut joined = Vec::with_capacity(earlier.len() + data.len());
                joined.extend_from_slice(&earlier);
                joined.extend_from_slice(&data);
                Bytes::from(joined)
            }
        });
        state.wanted = false;
        wake(&mut state.body_waker);
    }

    /// The client went away before the body was complete.
    pub fn cut_short(&self) {
        let mut state = lock(&self.0);
        state.cut_short = true;
        wake(&mut state.body_waker);
    }

    /// Whether the client went away before the body was complete.
    pub fn is_cut_short(&self) -> bool {
        lock(&self.0).cut_short
    }

    /// Bytes still to come from the socket once the response is written, and whether
    /// the client is still waiting for `100 Continue` (so it may never send them).
    pub fn unread(&self) -> (u64, bool) {
        let state = lock(&self.0);
        (state.remaining, state.awaiting_continue)
    }
}

impl Body for NativeBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut state = lock(&self.0);
        if let Some(data) = state.ready.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if state.remaining == 0 {
            return Poll::Ready(None);
        }
        if state.cut_short {
            return Poll::Ready(Some(Err(Box::new(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the client closed the connection before its request body was complete",
            )))));
        }
        match &state.body_waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.body_waker = Some(cx.waker().clone()),
        }
        if !state.wanted {
            state.wanted = true;
            wake(&mut state.connection_waker);
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        let state = lock(&self.0);
        state.ready.is_none() && state.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        let state = lock(&self.0);
        SizeHint::with_exact(state.ready.as_ref().map_or(0, |d| d.len() as u64) + state.remaining)
    }
}

fn wake(waker: &mut Option<Waker>) {
    if let Some(waker) = waker.take() {
        waker.wake();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn cx() -> Context<'static> {
        Context::from_waker(Waker::noop())
    }

    #[test]
    fn the_body_asks_for_bytes_only_once_it_has_taken_what_was_read() {
        let (feed, mut body) = Feed::new(5, Bytes::from_static(b"ab"), false);
        let mut cx = cx();
        assert_eq!(feed.wants(&cx), Wants::Nothing);
        let first = Pin::new(&mut body).poll_frame(&mut cx);
        assert!(matches!(first, Poll::Ready(Some(Ok(ref f))) if f.data_ref().unwrap() == "ab"));
        assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
        assert_eq!(feed.wants(&cx), Wants::Read(3));
        feed.push(Bytes::from_static(b"cde"));
        assert_eq!(feed.wants(&cx), Wants::Nothing);
        assert!(!body.is_end_stream());
        let second = Pin::new(&mut body).poll_frame(&mut cx);
        assert!(matches!(second, Poll::Ready(Some(Ok(ref f))) if f.data_ref().unwrap() == "cde"));
        assert!(body.is_end_stream());
        assert!(matches!(
            Pin::new(&mut body).poll_frame(&mut cx),
            Poll::Ready(None)
        ));
        assert_eq!(feed.unread(), (0, false));
    }

    #[test]
    fn continue_is_due_only_when_the_body_is_wanted_and_a_cut_short_body_fails() {
        let (feed, mut body) = Feed::new(3, Bytes::new(), true);
        let mut cx = cx();
        assert_eq!(
            feed.wants(&cx),
            Wants::Nothing,
            "not before the body is read"
        );
        assert_eq!(feed.unread(), (3, true));
        assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
        assert_eq!(feed.wants(&cx), Wants::Continue);
        feed.continued();
        assert_eq!(feed.wants(&cx), Wants::Read(3));
        feed.cut_short();
        assert!(matches!(
            Pin::new(&mut body).poll_frame(&mut cx),
            Poll::Ready(Some(Err(_)))
        ));
    }
}
