//! `mednanny serve`'s small HTTP server: `GET /healthz` (the process is alive) and `GET /readyz`
//! (the database is migrated and Slack, when served, is connected), for container orchestrators and
//! load balancers. The WhatsApp bridge's internal call is served beside them (`crate::whatsapp`).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use mednanny_core::http_server::HttpLimits;
use tokio::net::TcpListener;

/// What readiness depends on.
#[derive(Clone, Default)]
pub struct Readiness {
    pub migrated: Arc<AtomicBool>,
    pub slack_connected: Arc<AtomicBool>,
    /// Whether this process serves Slack (it may serve WhatsApp only).
    pub slack_required: Arc<AtomicBool>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.migrated.load(Ordering::Acquire)
            && (!self.slack_required.load(Ordering::Acquire)
                || self.slack_connected.load(Ordering::Acquire))
    }
}

pub fn router(readiness: Readiness) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .with_state(readiness)
}

async fn ready(State(readiness): State<Readiness>) -> (StatusCode, &'static str) {
    if readiness.is_ready() {
        (StatusCode::OK, "ready\n")
    } else if !readiness.migrated.load(Ordering::Acquire) {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "database not migrated yet\n",
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not connected to Slack yet\n",
        )
    }
}

/// Serves `router` (this module's routes and any other) within `limits` (header and body
/// timeouts, a connection limit) until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    mednanny_core::http_server::serve(listener, router, limits, shutdown).await
}
