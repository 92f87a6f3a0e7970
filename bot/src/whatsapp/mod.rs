//! The WhatsApp channel, on the bot's side. The `twilio-bridge` process receives Twilio's webhooks
//! and keeps each message in the inbox; here the bot claims those rows (with a lease, so two bots
//! never take the same one), runs the engine turn through the channel-neutral pipeline, and writes
//! the replies to the outbox, which the bridge sends.
//!
//! Flow: bridge stores the message → tells the bot (`POST /internal/whatsapp`, shared secret) → the
//! sweeper claims it (also every few seconds, and at start: a message that came while the bot was
//! down is answered when it is back) → a worker runs the turn → replies queued in the outbox, keyed
//! by the message (a turn run again after a crash queues nothing twice) → the bridge is told → the
//! inbox row is finished.
//!
//! # Layout
//! - `render`: replies as WhatsApp text (pure).
//! - `worker`: the channel's [`crate::pipeline::Channel`] implementation and its alert pusher.

pub mod render;
pub mod worker;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use mednanny_core::inbox::Inbox;
use mednanny_core::settings::{Secret, Settings};
use mednanny_core::whatsapp::CHANNEL;
use tokio::sync::Notify;

use crate::app::App;
use crate::pipeline::{self, AlertPushers, Dispatcher};

use self::worker::{BridgeClient, SlackNotice, WhatsappAlerts, WhatsappContext, WhatsappMedia};

/// A claimed message is another bot's to take only after this long (its bot died).
const LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// How often the inbox is swept when the bridge says nothing.
const SWEEP: Duration = Duration::from_secs(2);
/// Rows claimed at once.
const CLAIM: u64 = 256;

/// WhatsApp, running.
pub struct Running {
    dispatcher: Arc<Dispatcher<WhatsappContext>>,
    sweeping: Arc<AtomicBool>,
    wake: Arc<Notify>,
    sweeper: tokio::task::JoinHandle<()>,
    purge: tokio::task::JoinHandle<()>,
}

/// The route the bridge calls when it kept a message: wakes the sweeper.
pub fn internal_router(secret: Secret, wake: Arc<Notify>) -> Router {
    Router::new()
        .route("/internal/whatsapp", post(told))
        .with_state(Internal { secret, wake })
}

/// Starts serving WhatsApp: the workers, the sweeper (woken by `wake`, see [`internal_router`]),
/// the alert pusher.
pub async fn start(
    app: &App,
    settings: &Settings,
    inbox: Inbox,
    pushers: AlertPushers,
    slack: Option<SlackNotice>,
    wake: Arc<Notify>,
) -> Result<Running> {
    let secret = settings.internal.secret()?;
    let bridge = BridgeClient::new(&settings.bot.bridge_url, secret.clone());
    pushers.add(Arc::new(WhatsappAlerts::new(
        app.engine.clone(),
        bridge.clone(),
    )));
    // Twilio's media URLs may require the account's credentials (when "HTTP basic auth for
    // media" is on); the bot uses them when it has them.
    let media_auth = match (
        settings.twilio.account_sid.trim(),
        settings.twilio.auth_token.as_ref(),
    ) {
        ("", _) | (_, None) => None,
        (sid, Some(tokens)) => tokens
            .expose()
            .split(',')
            .map(str::trim)
            .find(|t| !t.is_empty())
            .map(|token| (sid.to_string(), Secret::new(token))),
    };
    let media = WhatsappMedia::new(app.transcriber.clone(), media_auth);
    let context = Arc::new(WhatsappContext::new(
        app.engine.clone(),
        inbox.clone(),
        pushers,
        bridge,
        slack,
        media,
    ));
    let dispatcher = Arc::new(Dispatcher::start(context, settings.slack.workers as usize));
    let sweeping = Arc::new(AtomicBool::new(true));
    // The first sweep runs at once: what arrived while the bot was down.
    let sweeper = tokio::spawn(sweep_loop(
        inbox.clone(),
        dispatcher.clone(),
        wake.clone(),
        sweeping.clone(),
    ));
    let purge = tokio::spawn(pipeline::purge_loop(inbox));
    crate::serve::announce("mednanny serve: serving WhatsApp (through twilio-bridge)");
    Ok(Running {
        dispatcher,
        sweeping,
        wake,
        sweeper,
        purge,
    })
}

impl Running {
    /// Claims nothing more and finishes what was claimed.
    pub async fn stop(self) {
        self.sweeping.store(false, Ordering::Release);
        self.wake.notify_one();
        let _ = self.sweeper.await;
        self.dispatcher.finish().await;
        self.purge.abort();
        tracing::info!("claimed WhatsApp work finished");
    }
}

async fn sweep_loop(
    inbox: Inbox,
    dispatcher: Arc<Dispatcher<WhatsappContext>>,
    wake: Arc<Notify>,
    sweeping: Arc<AtomicBool>,
) {
    while sweeping.load(Ordering::Acquire) {
        loop {
            match inbox.claim(CHANNEL, CLAIM, LEASE).await {
                Ok((pending, given_up)) => {
                    let full = pending.len() as u64 == CLAIM;
                    pipeline::submit_stored(&dispatcher, pending, &given_up);
                    if !full {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot claim WhatsApp messages");
                    break;
                }
            }
        }
        let _ = tokio::time::timeout(SWEEP, wake.notified()).await;
    }
}

#[derive(Clone)]
struct Internal {
    secret: Secret,
    wake: Arc<Notify>,
}

/// The bridge says a message is waiting.
async fn told(State(internal): State<Internal>, headers: HeaderMap) -> StatusCode {
    if !authorized(&headers, &internal.secret) {
        return StatusCode::UNAUTHORIZED;
    }
    internal.wake.notify_one();
    StatusCode::NO_CONTENT
}

/// `Authorization: Bearer <internal.secret>`.
fn authorized(headers: &HeaderMap, secret: &Secret) -> bool {
    secret.matches_bearer(
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    )
}
