//! The `twilio-bridge` binary. See the library crate for what it does.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use mednanny_core::settings::{LogFormat, Settings};
use tracing_subscriber::EnvFilter;

/// The command line: no arguments besides `--help` and `--version`, which are answered before any
/// setting is read (so they work where the configuration is incomplete or wrong).
#[derive(Debug, Parser)]
#[command(
    name = "twilio-bridge",
    version,
    about = "MedNanny's WhatsApp bridge: Twilio's webhooks in (signature checked, kept in the inbox), the outbox out.",
    long_about = "MedNanny's WhatsApp bridge: the only process that talks to Twilio. It keeps every signed webhook \
                  in the database's inbox, tells `mednanny serve`, and sends the bot's replies from the outbox.\n\
                  Configuration: config/default.toml, config/$MEDNANNY_ENV.toml, then MEDNANNY__SECTION__KEY \
                  environment variables; it needs MEDNANNY__TWILIO__AUTH_TOKEN, __ACCOUNT_SID, __PUBLIC_URL, \
                  __WHATSAPP_FROM, MEDNANNY__INTERNAL__SECRET and the bot's data key (see README.md, WhatsApp)."
)]
struct Cli {}

#[tokio::main]
async fn main() -> ExitCode {
    Cli::parse();
    match try_main().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line, and never a backtrace.
            eprintln!("twilio-bridge: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn try_main() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let filter =
        EnvFilter::try_new(&settings.log.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    // One TLS provider for the process (ring, as the bot uses): rustls cannot choose by itself
    // when the build has two.
    let _ = rustls::crypto::ring::default_provider().install_default();

    let listener = tokio::net::TcpListener::bind(&settings.bridge.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on bridge.listen = {}",
                settings.bridge.listen
            )
        })?;
    twilio_bridge::run(listener, &settings, shutdown_signal()).await?;
    tracing::info!("twilio-bridge stopped");
    Ok(())
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
    tracing::info!("shutdown signal received: finishing the sends under way");
}
