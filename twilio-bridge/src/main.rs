//! The `twilio-bridge` binary. See the library crate for what it does.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

const LISTEN_VAR: &str = "MEDNANNY__BRIDGE__LISTEN";
const DEFAULT_LISTEN: &str = "127.0.0.1:8082";

#[tokio::main]
async fn main() -> ExitCode {
    match try_main().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line, and never a
            // backtrace (even with RUST_BACKTRACE set).
            eprintln!("twilio-bridge: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn try_main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let addr = listen_addr()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (from {LISTEN_VAR})"))?;

    twilio_bridge::run(listener, shutdown_signal())
        .await
        .context("HTTP server failed")?;
    tracing::info!("twilio-bridge stopped");
    Ok(())
}

/// The listen address from `MEDNANNY__BRIDGE__LISTEN`, or the default.
fn listen_addr() -> anyhow::Result<SocketAddr> {
    let raw = match std::env::var(LISTEN_VAR) {
        Ok(value) => value,
        Err(std::env::VarError::NotPresent) => DEFAULT_LISTEN.to_owned(),
        Err(std::env::VarError::NotUnicode(_)) => {
            anyhow::bail!("{LISTEN_VAR} is not valid UTF-8")
        }
    };
    raw.trim().parse().map_err(|_| {
        anyhow::anyhow!("{LISTEN_VAR}={raw:?} is not a socket address like {DEFAULT_LISTEN}")
    })
}

/// Completes on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, draining connections");
}
