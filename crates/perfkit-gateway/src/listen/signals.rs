//! Process signals for `perfkit serve`: SIGHUP reloads, SIGTERM/SIGINT drain and stop.

use std::path::PathBuf;

use perfkit_config::Config;
use tokio::signal::unix::{signal, SignalKind};

use crate::{Gateway, GatewayError};

/// Starts the gateway and serves until SIGTERM or SIGINT, reloading `config_path` on
/// every SIGHUP. Handlers are installed before the listeners open, so a SIGHUP that
/// arrives as soon as the port answers reloads rather than kills the process.
pub async fn serve_until_signalled(
    config: Config,
    config_path: PathBuf,
) -> Result<(), GatewayError> {
    let mut hangup = signal(SignalKind::hangup()).map_err(GatewayError::Signals)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(GatewayError::Signals)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(GatewayError::Signals)?;
    let gateway = Gateway::start(config, Some(config_path)).await?;
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
    tracing::info!("stopped");
    Ok(())
}
