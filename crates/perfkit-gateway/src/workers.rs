//! Proxy workers, thread-per-core: each worker is an OS thread running its own
//! single-threaded event loop with its own `SO_REUSEPORT` listener, so the kernel
//! spreads client connections across workers and a request never changes thread.
//! Per-peer idle connection pools are split by worker for the same reason: a
//! connection's socket is only ever polled by the thread that registered it.

use std::cell::Cell;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use perfkit_config::ServerConfig;
use tokio::net::TcpSocket;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::forwarded::ClientPeer;
use crate::{proxy, server, GatewayError, Shared};

thread_local! {
    static CURRENT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Which slot of a per-worker structure with `slots` entries this thread uses: its
/// worker index, or the last slot for threads that are not proxy workers (health
/// checks, admin API).
pub(crate) fn slot(slots: usize) -> usize {
    CURRENT.with(Cell::get).min(slots.saturating_sub(1))
}

/// Running workers; each reports on its receiver when it has drained and stopped.
#[derive(Debug)]
pub(crate) struct Workers {
    pub addr: SocketAddr,
    pub stopped: Vec<oneshot::Receiver<()>>,
}

fn reuseport_socket(addr: SocketAddr) -> io::Result<TcpSocket> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    Ok(socket)
}

/// Binds `count` listeners on `listen` and starts a worker on each; returns once all
/// of them accept connections.
pub(crate) async fn start(
    listen: SocketAddr,
    count: usize,
    config: &ServerConfig,
    stop: &CancellationToken,
    shared: &Arc<Shared>,
) -> Result<Workers, GatewayError> {
    let bind_error = |addr: SocketAddr| move |source| GatewayError::Bind { addr, source };
    let first = reuseport_socket(listen).map_err(bind_error(listen))?;
    // With port 0 the first bind picks the port; the other workers join it.
    let addr = first.local_addr().map_err(bind_error(listen))?;
    let mut sockets = vec![first];
    for _ in 1..count {
        sockets.push(reuseport_socket(addr).map_err(bind_error(addr))?);
    }

    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<io::Result<()>>();
    let mut stopped = Vec::with_capacity(count);
    for (index, socket) in sockets.into_iter().enumerate() {
        let (done_tx, done_rx) = oneshot::channel();
        stopped.push(done_rx);
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
                run_worker(socket, config, stop, shared, ready);
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
                return Err(GatewayError::Bind { addr, source });
            }
            None => {
                stop.cancel();
                return Err(GatewayError::Bind {
                    addr,
                    source: io::Error::other("a worker thread died while starting"),
                });
            }
        }
    }
    Ok(Workers { addr, stopped })
}

fn run_worker(
    socket: TcpSocket,
    config: ServerConfig,
    stop: CancellationToken,
    shared: Arc<Shared>,
    ready: tokio::sync::mpsc::UnboundedSender<io::Result<()>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    runtime.block_on(async move {
        let listener = match socket.listen(1024) {
            Ok(listener) => listener,
            Err(error) => {
                let _ = ready.send(Err(error));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        server::serve(listener, config, stop, move |remote: SocketAddr| {
            let shared = Arc::clone(&shared);
            let client = Arc::new(ClientPeer::new(remote.ip(), "http"));
            hyper::service::service_fn(move |request| {
                proxy::handle(Arc::clone(&shared), request, Arc::clone(&client))
            })
        })
        .await;
    });
}
