//! The Slack channel: `mednanny serve` connects to a workspace over Socket Mode and serves the same
//! conversation engine the console uses (`crate::serve` runs it beside WhatsApp).
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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use mednanny_core::inbox::Inbox;
use mednanny_core::settings::Settings;
use slack_morphism::prelude::SlackClientSocketModeListener;

use crate::app::App;
use crate::health::Readiness;
use crate::pipeline::{self, AlertPushers};

use self::api::SlackApi;
use self::home::HomeRefresher;
use self::listener::{Intake, ListenerOptions};
use self::reconnect::ReconnectPolicy;
use self::worker::{Dispatcher, SlackContext, SlackFiles};

/// Slack, running: what [`Running::stop`] winds down.
pub struct Running {
    intake: Arc<Intake>,
    listener: SlackClientSocketModeListener<listener::SocketModeConnector>,
    dispatcher: Arc<Dispatcher>,
    purge: tokio::task::JoinHandle<()>,
    /// For telling a member on Slack what WhatsApp could not deliver.
    pub api: SlackApi,
    /// The workspace the bot is installed in (reminders go to its members).
    pub team_id: String,
    pub engine: mednanny_core::engine::Engine,
}

/// Connects to Slack: checks the bot token, resumes unfinished deliveries, opens Socket Mode.
/// `readiness.slack_connected` is set once Slack says hello.
pub async fn start(
    app: &App,
    settings: &Settings,
    inbox: Inbox,
    readiness: &Readiness,
    pushers: AlertPushers,
) -> Result<Running> {
    let tokens = settings.slack.tokens()?;
    let api = SlackApi::new(&settings.slack.api_url, &tokens.bot_token)?;
    let bot = api.identity().await.with_context(|| {
        format!(
            "Slack refused the bot token or cannot be reached (slack.bot_token, slack.api_url = {})",
            settings.slack.api_url
        )
    })?;
    tracing::info!(team = %bot.team_id, "bot token accepted");

    let home = HomeRefresher::start(api.clone(), app.engine.clone(), bot.team_id.clone());
    pushers.add(Arc::new(home.clone()));
    let context = Arc::new(SlackContext {
        api: api.clone(),
        engine: app.engine.clone(),
        inbox: inbox.clone(),
        bot: bot.clone(),
        home,
        pushers,
        files: SlackFiles::new(
            &settings.slack.api_url,
            tokens.bot_token.clone(),
            app.transcriber.clone(),
        ),
    });
    let dispatcher = Arc::new(Dispatcher::start(
        context.clone(),
        settings.slack.workers as usize,
    ));

    pipeline::resume(&inbox, &dispatcher).await?;
    let purge = tokio::spawn(pipeline::purge_loop(inbox.clone()));

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
    crate::serve::announce("mednanny serve: listening to Slack");
    Ok(Running {
        intake,
        listener,
        dispatcher,
        purge,
        api,
        team_id: bot.team_id.clone(),
        engine: app.engine.clone(),
    })
}

impl Running {
    /// Takes no new envelopes (Slack redelivers them elsewhere or later) and finishes what was
    /// acknowledged.
    pub async fn stop(self) {
        self.intake.accepting.store(false, Ordering::Release);
        self.listener.shutdown().await;
        tracing::info!("Socket Mode closed");
        self.dispatcher.finish().await;
        tracing::info!("acknowledged Slack work finished");
        self.purge.abort();
    }
}
