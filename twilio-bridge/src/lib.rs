//! The MedNanny WhatsApp bridge: the only process that talks to Twilio.
//!
//! In: Twilio's webhooks (`POST /twilio/whatsapp`, `POST /twilio/status`). Every request's
//! `X-Twilio-Signature` is checked against the configured auth tokens over the *public* URL
//! (`twilio.public_url`, never the Host header a proxy passes on); a valid message is kept in the
//! durable inbox (unique on its MessageSid, so Twilio's retries are kept once) and answered at once
//! with an empty TwiML `<Response/>`; then the bot is told (`POST {bridge.bot_url}/internal/whatsapp`,
//! with the shared internal secret). The bot runs the turn and writes the replies to the outbox.
//!
//! Out: the outbox, claimed with a lease (two bridges never take the same row; one recipient's
//! messages go in order) and sent with Twilio's Messages REST API over reqwest
//! (`twilio.api_url`), retried with backoff on 429 and 5xx, never on a permanent error.
//!
//! Served through `mednanny_core::http_server`: a request's head and body each have a deadline
//! (`bridge.header_timeout_ms`, `bridge.body_timeout_ms`) and at most `bridge.max_connections`
//! are served at once, so clients that are slow on purpose cannot hold the port Twilio calls.
//!
//! # Layout
//! - [`signature`]: Twilio's request signature (pure).
//! - `webhook`: the HTTP routes.
//! - `sender`: the outbox sender.

pub mod sender;
pub mod signature;
mod webhook;

use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use mednanny_core::clock::{Clock, SystemClock};
use mednanny_core::crypto::Keyring;
use mednanny_core::data_keys::{self, KeyCheckError};
use mednanny_core::db::Database;
use mednanny_core::inbox::Inbox;
use mednanny_core::outbox::Outbox;
use mednanny_core::settings::{Secret, Settings, TwilioAccount};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// The shortest time between two "messages are waiting" calls to the bot.
const TELL_BOT_EVERY: Duration = Duration::from_millis(2);

/// What the routes and the sender share.
pub(crate) struct Shared {
    pub account: TwilioAccount,
    /// The auth tokens, for the signature check.
    pub tokens: Vec<String>,
    pub secret: Secret,
    pub inbox: Inbox,
    pub outbox: Outbox,
    /// The database has the bridge's tables (the bot migrates it).
    pub ready: AtomicBool,
    /// Wakes the sender (the bot queued something).
    pub send_now: Notify,
    /// Wakes the task that tells the bot (a message was kept).
    pub tell_bot: Notify,
}

/// Runs the bridge on `listener` until `shutdown` completes: stops taking webhooks, lets the
/// sends under way finish, and returns. Everything it needs is read from `settings` (checked
/// here, so a missing or bad one stops start-up naming it).
pub async fn run(
    listener: TcpListener,
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let account = settings.twilio.account()?;
    let secret = settings.internal.secret()?;
    let keys = Keyring::from_settings(settings)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let db = Database::connect(&settings.database)
        .await
        .context("cannot open the database (database.url)")?;
    // The bridge seals what it keeps in the inbox and opens what it sends: a wrong data key stops
    // it before it listens. On a database the bot has not migrated yet, the check waits for the
    // schema (see `wait_for_schema`).
    let keys_checked = match data_keys::check(&db, &keys, clock.now()).await {
        Ok(()) => true,
        Err(KeyCheckError::NotMigrated) => false,
        Err(error) => return Err(error).context(format!("database {}", db.location())),
    };
    let recheck = (!keys_checked).then(|| keys.clone());
    let inbox_db = db
        .inbox(&settings.database)
        .await
        .context("cannot open the inbox database")?;
    let shared = Arc::new(Shared {
        tokens: account
            .auth_tokens
            .iter()
            .map(|t| t.expose().to_string())
            .collect(),
        account,
        secret,
        inbox: Inbox::start(inbox_db, keys.clone(), clock.clone()),
        outbox: Outbox::new(db.clone(), keys, clock),
        ready: AtomicBool::new(false),
        send_now: Notify::new(),
        tell_bot: Notify::new(),
    });
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "twilio-bridge listening");
        // A closed stdout is not a reason to stop serving.
        let _ = writeln!(
            std::io::stdout(),
            "twilio-bridge: listening on http://{address}"
        );
    }
    let stopping = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(Notify::new());
    let ready = tokio::spawn(wait_for_schema(
        db.clone(),
        shared.clone(),
        recheck,
        refused.clone(),
    ));
    let teller = tokio::spawn(tell_bot_loop(
        shared.clone(),
        settings.bridge.bot_url.clone(),
    ));
    let sender = tokio::spawn(sender::run(
        shared.clone(),
        settings.bridge.senders as usize,
        chrono::Duration::seconds(settings.bridge.lease_secs.into()),
        stopping.clone(),
    ));
    let app = webhook::router(shared.clone(), settings.bridge.max_body_bytes);
    let stop = async move {
        tokio::select! {
            () = shutdown => {}
            () = refused.notified() => {}
        }
    };
    // Header and body timeouts and a connection limit: the port is Twilio's, and anyone's.
    let served =
        mednanny_core::http_server::serve(listener, app, settings.bridge.http_limits(), stop)
            .await
            .context("HTTP server failed");
    stopping.store(true, Ordering::Release);
    shared.send_now.notify_one();
    let _ = sender.await;
    teller.abort();
    let refusal = match ready.is_finished() {
        true => ready.await.ok().and_then(Result::err),
        false => {
            ready.abort();
            None
        }
    };
    let location = db.location().to_string();
    db.close().await.ok();
    match refusal {
        Some(error) => Err(error).context(format!("database {location}")),
        None => served,
    }
}

/// The bot creates the tables; until it has, webhooks get 503 (Twilio retries them) and /readyz
/// says why. `keys`, when the data keys could not be checked at start (no schema yet), are checked
/// once it is there: a refusal stops the bridge (`refused`), and nothing is kept or sent meanwhile.
async fn wait_for_schema(
    db: Database,
    shared: Arc<Shared>,
    keys: Option<Keyring>,
    refused: Arc<Notify>,
) -> Result<(), KeyCheckError> {
    use sea_orm::{EntityTrait, QuerySelect};
    let mut said = false;
    loop {
        let outbox = entity::outbox::Entity::find().limit(1).all(db.conn()).await;
        if outbox.is_ok() && shared.inbox.ping().await {
            if let Some(keyring) = &keys {
                match data_keys::check(&db, keyring, Utc::now()).await {
                    Ok(()) => {}
                    // The bot is still migrating.
                    Err(KeyCheckError::NotMigrated) => {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                    Err(error) => {
                        refused.notify_one();
                        return Err(error);
                    }
                }
            }
            shared.ready.store(true, Ordering::Release);
            // Anything queued while the bridge was down goes now.
            shared.send_now.notify_one();
            return Ok(());
        }
        if !said {
            tracing::warn!("the database is not migrated yet: start `mednanny serve` (or run `mednanny migrate`)");
            said = true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Tells the bot that messages are waiting, once per burst: calls that arrive while one is under
/// way are folded into the next. A lost call only delays: the bot sweeps the inbox every few
/// seconds anyway.
async fn tell_bot_loop(shared: Arc<Shared>, bot_url: String) {
    let url = format!("{}/internal/whatsapp", bot_url.trim_end_matches('/'));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_default();
    loop {
        shared.tell_bot.notified().await;
        let sent = http
            .post(&url)
            .bearer_auth(shared.secret.expose())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => {
                tracing::warn!(status = %response.status(), "the bot refused the bridge's call (internal.secret?)")
            }
            Err(error) => tracing::debug!(%error, "the bot was not reached; it will sweep"),
        }
        // Under load one call per few milliseconds says it all: the bot claims everything waiting.
        tokio::time::sleep(TELL_BOT_EVERY).await;
    }
}
