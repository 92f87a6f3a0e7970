//! The MedNanny WhatsApp bridge.
//!
//! What it will be: an HTTP service that receives Twilio WhatsApp webhooks,
//! writes each inbound message to a durable inbox table in the shared
//! database, and hands it to the bot's engine from there. Replies go out
//! through Twilio's REST API via `reqwest`, with a configurable base URL (so
//! tests can point it at a local fake).
//!
//! What it is at this stage: it serves `GET /healthz` (`200 OK`, body `ok`;
//! every other path is a `404`), and [`signature`] checks Twilio's request
//! signature, ready for the webhook routes.

pub mod signature;

use std::future::Future;

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

/// The bridge's HTTP routes.
pub fn router() -> Router {
    Router::new().route("/healthz", get(healthz))
}

/// Liveness check: the process is up and serving HTTP.
async fn healthz() -> &'static str {
    "ok"
}

/// Serves [`router`] on `listener` until `shutdown` completes, then stops
/// accepting connections and waits for in-flight requests to finish.
///
/// The caller owns the listener (so tests can bind port 0) and the shutdown
/// signal (so `main` can wire up Ctrl-C/SIGTERM).
pub async fn run(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "twilio-bridge listening");
    }
    axum::serve(listener, router())
        .with_graceful_shutdown(shutdown)
        .await
}
