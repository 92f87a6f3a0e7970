//! The Slack channel: `mednanny serve` connects to a workspace over Socket Mode and serves the same
//! conversation engine the console uses.
//!
//! Flow: an envelope arrives on one of several Socket Mode connections → `listener` keeps it in the
//! durable inbox and acknowledges it → `worker` runs the engine turn (each sender's in order) and posts
//! the replies (`render` builds the Block Kit) → the inbox row is marked finished → `home` refreshes
//! the family's App Home dashboards. At start, unfinished inbox rows are processed first.
//!
//! # Layout
//! - `envelope`: Slack events → the `SlackDelivery` kept in the inbox (pure).
//! - `render`: replies and dashboards → Block Kit, with mrkdwn escaping (pure).
//! - `api`: the Web API calls, with 429s honoured.
//! - `listener`: Socket Mode connections and the ack path.
//! - `reconnect`: backoff for Socket Mode (re)connections.
//! - `worker`: the workers that process deliveries, each sender's in order (`crate::sender_queue`).
//! - `home`: the App Home dashboard, published and refreshed.

pub mod api;
pub mod envelope;
pub mod home;
pub mod listener;
pub mod modal;
pub mod reconnect;
pub mod render;
pub mod worker;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use mednanny_core::inbox::Inbox;
use mednanny_core::settings::Settings;
use tokio::net::TcpListener;

use crate::app::App;
use crate::health::{self, Readiness};

use self::api::SlackApi;
use self::envelope::SlackDelivery;
use self::home::HomeRefresher;
use self::listener::{Intake, ListenerOptions};
use self::reconnect::ReconnectPolicy;
use self::worker::{Dispatcher, Job, SlackContext};

/// How long a finished delivery's key is remembered (Slack retries within minutes).
const REMEMBER_DELIVERIES: chrono::Duration = chrono::Duration::hours(24);

/// Runs the Slack bot until `shutdown` completes, then stops taking envelopes, finishes what was
/// acknowledged and returns.
pub async fn serve(
    app: &App,
    settings: &Settings,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let tokens = settings.slack.tokens()?;
    let readiness = Readiness::default();
    readiness.migrated.store(true, Ordering::Release);

    // The health server first, so an orchestrator sees the process while Slack connects.
    let http = TcpListener::bind(&settings.api.listen)
        .await
        .with_context(|| format!("cannot listen on api.listen = {}", settings.api.listen))?;
    let address = http.local_addr()?;
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let http_task = tokio::spawn(health::run(http, readiness.clone(), async {
        let _ = http_stopped.await;
    }));
    tracing::info!(%address, "health server listening");
    println!("mednanny serve: health on http://{address}/healthz");

    let api = SlackApi::new(&settings.slack.api_url, &tokens.bot_token)?;
    let bot = api.identity().await.with_context(|| {
        format!(
            "Slack refused the bot token or cannot be reached (slack.bot_token, slack.api_url = {})",
            settings.slack.api_url
        )
    })?;
    tracing::info!(team = %bot.team_id, "bot token accepted");

    let services = &app.services;
    let inbox_db = services
        .db()
        .inbox(&settings.database)
        .await
        .context("cannot open the inbox database")?;
    let inbox = Inbox::start(inbox_db, services.keys().clone(), services.clock());
    let home = HomeRefresher::start(api.clone(), app.engine.clone(), bot.team_id.clone());
    let context = Arc::new(SlackContext {
        api: api.clone(),
        engine: app.engine.clone(),
        inbox: inbox.clone(),
        bot,
        home,
    });
    let dispatcher = Arc::new(Dispatcher::start(
        context.clone(),
        settings.slack.workers as usize,
    ));

    resume(&inbox, &dispatcher).await?;
    let purge = tokio::spawn(purge_loop(inbox.clone()));

    let intake = Arc::new(Intake {
        inbox: inbox.clone(),
        dispatcher: dispatcher.clone(),
        accepting: AtomicBool::new(true),
        connected: readiness.slack_connected.clone(),
    });
    let listener = listener::start(
        &settings.slack.api_url,
        tokens.app_token.expose(),
        intake.clone(),
        ListenerOptions {
            connections: settings.slack.connections,
            reconnect: ReconnectPolicy {
                min: Duration::from_millis(settings.slack.reconnect_min_ms),
                max: Duration::from_millis(settings.slack.reconnect_max_ms),
                free: settings.slack.connections,
            },
        },
    )
    .await
    .context("cannot open Socket Mode (slack.app_token)")?;
    println!("mednanny serve: listening to Slack");

    shutdown.await;
    tracing::info!("shutting down: no new envelopes; finishing what was acknowledged");
    intake.accepting.store(false, Ordering::Release);
    listener.shutdown().await;
    tracing::info!("Socket Mode closed");
    dispatcher.finish().await;
    tracing::info!("acknowledged work finished");
    purge.abort();
    let _ = stop_http.send(());
    let _ = http_task.await;
    tracing::info!("stopped");
    Ok(())
}

/// Processes what a previous run acknowledged but did not finish, before taking anything new.
async fn resume(inbox: &Inbox, dispatcher: &Dispatcher) -> Result<()> {
    let (pending, given_up) = inbox
        .resume("slack")
        .await
        .context("cannot read the inbox")?;
    for key in &given_up {
        tracing::error!(delivery = %key, "a delivery failed too many times and was set aside");
    }
    if !pending.is_empty() {
        tracing::info!(count = pending.len(), "resuming unfinished deliveries");
    }
    for row in pending {
        match serde_json::from_str::<SlackDelivery>(&row.payload) {
            Ok(delivery) => dispatcher.submit(Job {
                id: row.id,
                key: row.delivery_key,
                delivery,
            }),
            Err(error) => {
                tracing::error!(%error, delivery = %row.delivery_key, "unreadable inbox row skipped")
            }
        }
    }
    Ok(())
}

async fn purge_loop(inbox: Inbox) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        match inbox.purge_finished(REMEMBER_DELIVERIES).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "forgot old delivery keys"),
            Err(error) => tracing::warn!(%error, "inbox purge failed"),
        }
    }
}
