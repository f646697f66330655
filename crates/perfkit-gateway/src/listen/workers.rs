//! Proxy workers, thread-per-core: each worker is an OS thread running its own
//! single-threaded event loop, and a connection and its requests never change thread.
//! One acceptor hands each new connection to the least-loaded worker. Per-peer idle
//! connection pools and balancer state are split by worker too: a socket is only
//! ever polled by the thread that registered it, and no hot counter is written by
//! two cores.

use std::cell::Cell;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use perfkit_config::ServerConfig;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::connection::{self as server, Accept, Accepted, OpenConnection};
use crate::request as proxy;
use crate::request::forwarded::ClientPeer;
use crate::{GatewayError, Shared};

thread_local! {
    static CURRENT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Which slot of a per-worker structure with `slots` entries this thread uses: its
/// worker index, or the last slot for threads that are not proxy workers (health
/// checks, admin API).
pub(crate) fn slot(slots: usize) -> usize {
    CURRENT.with(Cell::get).min(slots.saturating_sub(1))
}

/// One `T` per worker (plus one for other threads), each on its own cache lines, so
/// workers updating their own state never contend for a line another core writes.
#[derive(Debug)]
pub struct PerWorker<T> {
    slots: Box<[CacheLine<T>]>,
}

/// A value alone on its cache lines (128 bytes covers adjacent-line prefetching).
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct CacheLine<T>(pub T);

impl<T> PerWorker<T> {
    pub fn new(workers: usize, mut make: impl FnMut() -> T) -> PerWorker<T> {
        PerWorker {
            slots: (0..=workers).map(|_| CacheLine(make())).collect(),
        }
    }

    /// This thread's slot.
    pub fn local(&self) -> &T {
        &self.slots[slot(self.slots.len())].0
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().map(|padded| &padded.0)
    }
}

/// Running workers: the acceptor task, and a receiver per worker that reports when it
/// has drained and stopped.
#[derive(Debug)]
pub(crate) struct Workers {
    pub addr: SocketAddr,
    pub acceptor: tokio::task::JoinHandle<()>,
    pub stopped: Vec<oneshot::Receiver<()>>,
}

/// Listen backlog: room for a burst of new connections while workers are busy.
const BACKLOG: u32 = 4096;

fn listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// A connection on its way from the acceptor to a worker.
type Handoff = (std::net::TcpStream, SocketAddr, OpenConnection);

/// A worker's side of the handoff: connections the acceptor assigned to it.
struct Inbox(tokio::sync::mpsc::UnboundedReceiver<Handoff>);

impl Accept for Inbox {
    async fn next(&mut self) -> Option<io::Result<Accepted>> {
        let (stream, remote, guard) = self.0.recv().await?;
        // Registers the socket with this worker's event loop.
        Some(TcpStream::from_std(stream).map(|stream| Accepted {
            stream,
            remote,
            guard: Some(guard),
        }))
    }
}

/// Binds `listen` and starts `count` workers plus the acceptor that feeds them, on the
/// caller's runtime; returns once every worker is running.
///
/// The acceptor gives each new connection to the worker with the fewest open ones.
/// Letting every worker accept from a shared socket, or `SO_REUSEPORT` hashing,
/// measured uneven splits of keep-alive connections (up to 70/30) and with them one
/// saturated worker beside an idle one.
pub(crate) async fn start(
    listen: SocketAddr,
    count: usize,
    config: &ServerConfig,
    stop: &CancellationToken,
    shared: &Arc<Shared>,
) -> Result<Workers, GatewayError> {
    let bind_error = |addr: SocketAddr| move |cause| GatewayError::Bind { addr, cause };
    let listener = listener(listen).map_err(bind_error(listen))?;
    let addr = listener.local_addr().map_err(bind_error(listen))?;

    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<io::Result<()>>();
    let mut stopped = Vec::with_capacity(count);
    let mut inboxes = Vec::with_capacity(count);
    for index in 0..count {
        let (done_tx, done_rx) = oneshot::channel();
        stopped.push(done_rx);
        let (handoff, inbox) = tokio::sync::mpsc::unbounded_channel::<Handoff>();
        inboxes.push((handoff, Arc::new(AtomicUsize::new(0))));
        let (ready, config, stop, shared) = (
            ready_tx.clone(),
            config.clone(),
            stop.clone(),
            Arc::clone(shared),
        );
        std::thread::Builder::new()
            .name(format!("perfkit-worker-{index}"))
            .spawn(move || {
                CURRENT.with(|current| current.set(index));
                run_worker(Inbox(inbox), config, stop, shared, ready);
                let _ = done_tx.send(());
            })
            .map_err(bind_error(addr))?;
    }
    drop(ready_tx);
    for _ in 0..count {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(source)) => {
                stop.cancel();
                return Err(GatewayError::Bind {
                    addr,
                    cause: source,
                });
            }
            None => {
                stop.cancel();
                let source = io::Error::other("a worker thread died while starting");
                return Err(GatewayError::Bind {
                    addr,
                    cause: source,
                });
            }
        }
    }
    let cap = config.max_connections_per_worker.get() as usize;
    let acceptor = tokio::spawn(accept_and_assign(
        listener,
        inboxes,
        cap,
        Arc::clone(shared),
        stop.clone(),
    ));
    Ok(Workers {
        addr,
        acceptor,
        stopped,
    })
}

async fn accept_and_assign(
    listener: TcpListener,
    workers: Vec<(
        tokio::sync::mpsc::UnboundedSender<Handoff>,
        Arc<AtomicUsize>,
    )>,
    cap: usize,
    shared: Arc<Shared>,
    stop: CancellationToken,
) {
    let mut accept_failing = false;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stop.cancelled() => break,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => {
                accept_failing = false;
                accepted
            }
            Err(error) => {
                // Typically EMFILE: the pending connection stays queued, so back off
                // instead of spinning on it; warn once per episode.
                if !accept_failing {
                    tracing::warn!(%error, "accept failed; retrying every {:?}", server::ACCEPT_BACKOFF);
                    accept_failing = true;
                }
                tokio::time::sleep(server::ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        let Some((handoff, open)) = workers
            .iter()
            .min_by_key(|(_, open)| open.load(Ordering::Relaxed))
        else {
            break;
        };
        if open.load(Ordering::Relaxed) >= cap {
            // Every worker is full: closing at once frees the descriptor and tells
            // the client now, instead of letting it wait on a connection never served.
            shared.metrics.connection_rejected();
            drop(stream);
            continue;
        }
        open.fetch_add(1, Ordering::Relaxed);
        // A worker that has stopped drops its inbox; the connection is closed with it.
        let _ = handoff.send((stream, remote, OpenConnection(Arc::clone(open))));
    }
    // Dropping the senders tells each worker that no more connections will come.
}

fn run_worker(
    inbox: Inbox,
    config: ServerConfig,
    stop: CancellationToken,
    shared: Arc<Shared>,
    ready: tokio::sync::mpsc::UnboundedSender<io::Result<()>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_unpark(crate::deadline::woke)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    runtime.spawn(crate::deadline::ticker());
    runtime.block_on(super::http1::serve(
        inbox,
        config,
        stop,
        move |remote: SocketAddr, interim| {
            // Per-connection state: cloned per request, but only by this worker.
            let connection = Arc::new(proxy::ClientConnection {
                shared: Arc::clone(&shared),
                peer: ClientPeer::new(remote.ip(), "http"),
                interim,
            });
            move |request| proxy::handle(Arc::clone(&connection), request)
        },
    ));
}
