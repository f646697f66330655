//! A request body the workers' own HTTP/1.1 server reads for the handler: a
//! `Content-Length` or chunked body, decoded from the client's socket by the
//! connection's own loop (`listen/http1.rs`) only when the handler has taken
//! everything decoded so far, so at most one read's worth waits in memory.
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
    /// The whole body was read.
    finished: bool,
    /// Bytes still to be read from the socket, when known (`Content-Length`).
    left: Option<u64>,
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
    /// Decode more of the body, reading from the socket if needed.
    Read,
}

impl Feed {
    /// A body of `length` bytes (`None`: chunked); `expect_continue` when the client
    /// waits for `100 Continue` before sending it.
    pub fn new(length: Option<u64>, expect_continue: bool) -> (Feed, NativeBody) {
        let state = State {
            awaiting_continue: expect_continue,
            left: length,
            ..State::default()
        };
        let shared = Arc::new(Mutex::new(state));
        (Feed(Arc::clone(&shared)), NativeBody(shared))
    }

    /// What the body needs now; registers `cx` to be woken when that changes.
    pub fn wants(&self, cx: &Context<'_>) -> Wants {
        let mut state = lock(&self.0);
        if !state.wanted || state.finished || state.cut_short {
            register(&mut state.connection_waker, cx);
            return Wants::Nothing;
        }
        if state.awaiting_continue {
            Wants::Continue
        } else {
            Wants::Read
        }
    }

    /// `100 Continue` was written.
    pub fn continued(&self) {
        lock(&self.0).awaiting_continue = false;
    }

    /// Bytes of the body decoded from the socket.
    pub fn push(&self, data: Bytes) {
        let mut state = lock(&self.0);
        if let Some(left) = &mut state.left {
            *left = left.saturating_sub(data.len() as u64);
        }
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

    /// The body's end was read.
    pub fn finish(&self) {
        let mut state = lock(&self.0);
        state.finished = true;
        state.wanted = false;
        wake(&mut state.body_waker);
    }

    /// The client went away before the body was complete.
    pub fn cut_short(&self) {
        let mut state = lock(&self.0);
        state.cut_short = true;
        wake(&mut state.body_waker);
    }

    /// Whether the client is still waiting for `100 Continue` (so it may never send
    /// the rest of its body).
    pub fn awaiting_continue(&self) -> bool {
        lock(&self.0).awaiting_continue
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
        if state.finished {
            return Poll::Ready(None);
        }
        if state.cut_short {
            return Poll::Ready(Some(Err(Box::new(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the client closed the connection before its request body was complete",
            )))));
        }
        register(&mut state.body_waker, cx);
        if !state.wanted {
            state.wanted = true;
            wake(&mut state.connection_waker);
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        let state = lock(&self.0);
        state.ready.is_none() && state.finished
    }

    fn size_hint(&self) -> SizeHint {
        let state = lock(&self.0);
        let ready = state.ready.as_ref().map_or(0, |d| d.len() as u64);
        match state.left {
            Some(left) => SizeHint::with_exact(ready + left),
            None => {
                let mut hint = SizeHint::new();
                hint.set_lower(ready);
                hint
            }
        }
    }
}

/// Keeps `cx`'s waker in `slot` (unless the one there already wakes the same task).
fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
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
        let (feed, mut body) = Feed::new(Some(5), false);
        let mut cx = cx();
        assert_eq!(
            feed.wants(&cx),
            Wants::Nothing,
            "not before the body is polled"
        );
        assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
        assert_eq!(feed.wants(&cx), Wants::Read);
        feed.push(Bytes::from_static(b"ab"));
        assert_eq!(feed.wants(&cx), Wants::Nothing);
        assert_eq!(body.size_hint().exact(), Some(5));
        let first = Pin::new(&mut body).poll_frame(&mut cx);
        assert!(matches!(first, Poll::Ready(Some(Ok(ref f))) if f.data_ref().unwrap() == "ab"));
        assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
        feed.push(Bytes::from_static(b"cde"));
        feed.finish();
        assert!(!body.is_end_stream());
        let second = Pin::new(&mut body).poll_frame(&mut cx);
        assert!(matches!(second, Poll::Ready(Some(Ok(ref f))) if f.data_ref().unwrap() == "cde"));
        assert!(body.is_end_stream());
        assert!(matches!(
            Pin::new(&mut body).poll_frame(&mut cx),
            Poll::Ready(None)
        ));
    }

    #[test]
    fn continue_is_due_only_when_the_body_is_wanted_and_a_cut_short_body_fails() {
        let (feed, mut body) = Feed::new(None, true);
        let mut cx = cx();
        assert_eq!(
            feed.wants(&cx),
            Wants::Nothing,
            "not before the body is read"
        );
        assert!(feed.awaiting_continue());
        assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
        assert_eq!(feed.wants(&cx), Wants::Continue);
        feed.continued();
        assert_eq!(feed.wants(&cx), Wants::Read);
        assert_eq!(body.size_hint().exact(), None, "chunked: no length");
        feed.cut_short();
        assert!(matches!(
            Pin::new(&mut body).poll_frame(&mut cx),
            Poll::Ready(Some(Err(_)))
        ));
    }
}
