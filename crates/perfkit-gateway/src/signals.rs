//! Process signals for `perfkit serve`: SIGHUP reloads, SIGTERM/SIGINT drain and stop.

use tokio::signal::unix::{signal, SignalKind};

use crate::Gateway;

/// Serves until SIGTERM or SIGINT, reloading the config file on every SIGHUP.
pub async fn run_until_signalled(gateway: Gateway) -> std::io::Result<()> {
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    loop {
        tokio::select! {
            _ = hangup.recv() => {
                tracing::info!("SIGHUP: reloading configuration");
                // Errors are logged by reload; the running configuration stays.
                let _ = gateway.reload().await;
            }
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    tracing::info!("shutting down: draining in-flight requests");
    gateway.shutdown().await;
    Ok(())
}
