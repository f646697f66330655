//! The byte stream under an HTTP/1.1 connection, and the per-connection request
//! deadline.
//!
//! [`Tcp`] reads like tokio's `TcpStream`, with one saving on the request/response
//! path: a read that returns fewer bytes than there was room for has drained the
//! socket, so its read readiness is cleared right there. The next read then waits for
//! the poller instead of first making a `read` system call that can only say
//! "would block" (one system call and one trip through tokio's I/O path per request).
//! Readiness that the poller reports after that read is kept (tokio compares the
//! readiness tick), so no wake-up is lost.
//!
//! [`Deadline`] bounds each exchange with one timer per connection that is moved only
//! when it fires early, instead of a timer registered and cancelled per request.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// A connection's byte stream: plain TCP, or TLS over it (`https://` targets).
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(Tcp),
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::client::TlsStream<Tcp>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Opens a connection to `addr`: TCP with Nagle off, then TLS when `tls` is given
/// (offering HTTP/2 by ALPN when `http2`).
pub(crate) async fn connect(
    addr: std::net::SocketAddr,
    tls: Option<&TlsTarget>,
    http2: bool,
) -> io::Result<Stream> {
    let tcp = TcpStream::connect(addr).await?;
    let _ = tcp.set_nodelay(true);
    match tls {
        None => {
            let _ = http2;
            Ok(Stream::Plain(Tcp(tcp)))
        }
        #[cfg(feature = "tls")]
        Some(tls) => tls.handshake(tcp, http2).await,
        #[cfg(not(feature = "tls"))]
        Some(never) => match *never {},
    }
}

/// How to open TLS connections; without the `tls` feature there is none.
#[cfg(feature = "tls")]
pub(crate) use crate::tls::TlsTarget;
#[cfg(not(feature = "tls"))]
#[derive(Debug, Clone)]
pub(crate) enum TlsTarget {}

/// A connected TCP stream whose reads clear readiness when they drain the socket.
#[derive(Debug)]
pub(crate) struct Tcp(pub TcpStream);

impl AsyncRead for Tcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let stream = &self.get_mut().0;
        loop {
            ready!(stream.poll_read_ready(cx))?;
            let space = buf.initialize_unfilled();
            let room = space.len();
            let mut drained = None;
            // `try_io` clears readiness when its closure says WouldBlock; a short read
            // returns its count through `drained` and says WouldBlock to clear it.
            let result = stream.try_io(Interest::READABLE, || match stream.try_read(space) {
                Ok(n) if n > 0 && n < room => {
                    drained = Some(n);
                    Err(io::ErrorKind::WouldBlock.into())
                }
                other => other,
            });
            match (result, drained) {
                (_, Some(n)) | (Ok(n), None) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                (Err(e), None) if e.kind() == io::ErrorKind::WouldBlock => continue,
                (Err(e), None) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for Tcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

/// One connection's timer for "no complete response within the timeout".
///
/// Invariant: the timer's deadline is never later than the deadline of the exchange
/// in flight (deadlines only grow, and the timer is moved only to the current one), so
/// no exchange outlives its timeout; when the timer fires early it is moved to the
/// current exchange's deadline, about once per timeout per connection.
#[derive(Debug)]
pub(crate) struct Deadline {
    timer: Pin<Box<Sleep>>,
}

impl Deadline {
    pub fn new() -> Deadline {
        Deadline {
            timer: Box::pin(tokio::time::sleep_until(Instant::now().into())),
        }
    }

    /// Runs `exchange`, or gives `None` once `deadline` has passed without it finishing.
    pub async fn bound<F: Future>(&mut self, deadline: Instant, exchange: F) -> Option<F::Output> {
        let mut exchange = std::pin::pin!(exchange);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = exchange.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            while self.timer.as_mut().poll(cx).is_ready() {
                if Instant::now() >= deadline {
                    return Poll::Ready(None);
                }
                self.timer.as_mut().reset(deadline.into());
            }
            Poll::Pending
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::Duration;

    use tokio::io::AsyncReadExt;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// A short read clears readiness; bytes that arrive after it must still wake the
    /// next read, and a full-buffer read must not lose what is left in the socket.
    #[test]
    fn reads_after_a_draining_read_still_see_new_bytes_and_end_of_stream() {
        runtime().block_on(async {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let mut client = Tcp(TcpStream::connect(addr).await.unwrap());
            let (mut server, _) = listener.accept().unwrap();
            let limit = Duration::from_secs(10);
            let mut buf = [0u8; 64];

            server.write_all(b"first").unwrap();
            let n = tokio::time::timeout(limit, client.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf[..n], b"first");

            server.write_all(b"second").unwrap();
            let n = tokio::time::timeout(limit, client.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf[..n], b"second");

            // Exactly a buffer's worth, then more: the full read keeps readiness.
            server.write_all(&[7u8; 64]).unwrap();
            server.write_all(b"tail").unwrap();
            let mut total = Vec::new();
            while total.len() < 68 {
                let n = tokio::time::timeout(limit, client.read(&mut buf))
                    .await
                    .unwrap()
                    .unwrap();
                total.extend_from_slice(&buf[..n]);
            }
            assert_eq!(&total[64..], b"tail");

            drop(server);
            let n = tokio::time::timeout(limit, client.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(n, 0, "end of stream");
        });
    }

    #[test]
    fn the_deadline_ends_a_stuck_exchange_and_lets_quick_ones_finish() {
        runtime().block_on(async {
            let mut deadline = Deadline::new();
            let quick = deadline
                .bound(Instant::now() + Duration::from_secs(5), async { 7 })
                .await;
            assert_eq!(quick, Some(7));
            // The timer is past from the start: it is moved, not taken as a timeout.
            let pending = deadline
                .bound(
                    Instant::now() + Duration::from_millis(400),
                    tokio::time::sleep(Duration::from_millis(20)),
                )
                .await;
            assert_eq!(pending, Some(()));
            let started = Instant::now();
            let stuck = deadline
                .bound(
                    started + Duration::from_millis(50),
                    std::future::pending::<()>(),
                )
                .await;
            assert_eq!(stuck, None);
            assert!(started.elapsed() >= Duration::from_millis(50));
        });
    }
}
