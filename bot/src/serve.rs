//! `mednanny serve`: the bot's long-running process. It serves Slack (Socket Mode) when Slack's
//! tokens are set and WhatsApp (through `twilio-bridge`) when the internal secret is set, beside
//! its small HTTP server: /healthz, /readyz and the bridge's internal call.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use mednanny_core::inbox::Inbox;
use mednanny_core::settings::Settings;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::app::App;
use crate::health::{self, Readiness};
use crate::pipeline::AlertPushers;
use crate::whatsapp::worker::SlackNotice;
use crate::{slack, whatsapp};

/// Runs until `shutdown` completes, then takes nothing new, finishes what was accepted and
/// returns.
pub async fn serve(
    app: &App,
    settings: &Settings,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let slack_on = settings.slack.app_token.is_some() || settings.slack.bot_token.is_some();
    let whatsapp_on = settings.internal.secret.is_some();
    if !slack_on && !whatsapp_on {
        bail!(
            "nothing to serve: set MEDNANNY__SLACK__APP_TOKEN and MEDNANNY__SLACK__BOT_TOKEN to serve Slack, \
             and/or MEDNANNY__INTERNAL__SECRET (shared with twilio-bridge) to serve WhatsApp"
        );
    }
    // Settings are checked before anything listens.
    if slack_on {
        settings.slack.tokens()?;
    }
    if whatsapp_on {
        settings.internal.secret()?;
    }
    let readiness = Readiness::default();
    readiness.migrated.store(true, Ordering::Release);
    readiness.slack_required.store(slack_on, Ordering::Release);

    // The HTTP server first, so an orchestrator sees the process while Slack connects.
    let http = TcpListener::bind(&settings.api.listen)
        .await
        .with_context(|| format!("cannot listen on api.listen = {}", settings.api.listen))?;
    let address = http.local_addr()?;
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    // The bridge's call wakes the WhatsApp sweeper; answered (401) without a secret set.
    let wake = Arc::new(Notify::new());
    let mut router = health::router(readiness.clone());
    if whatsapp_on {
        router = router.merge(whatsapp::internal_router(
            settings.internal.secret()?,
            wake.clone(),
        ));
    }
    let limits = settings.api.http_limits();
    let http_task = tokio::spawn(health::run(http, router, limits, async {
        let _ = http_stopped.await;
    }));
    tracing::info!(%address, "HTTP server listening");
    announce(&format!(
        "mednanny serve: health on http://{address}/healthz"
    ));

    // One durable inbox for every channel (on SQLite a file of its own beside the database).
    let services = &app.services;
    let inbox_db = services
        .db()
        .inbox(&settings.database)
        .await
        .context("cannot open the inbox database")?;
    let inbox = Inbox::start(inbox_db, services.keys().clone(), services.clock());
    let pushers = AlertPushers::default();
    let slack = match slack_on {
        true => {
            Some(slack::start(app, settings, inbox.clone(), &readiness, pushers.clone()).await?)
        }
        false => None,
    };
    let whatsapp = match whatsapp_on {
        true => {
            let notice = slack.as_ref().map(|running| SlackNotice {
                api: running.api.clone(),
            });
            Some(whatsapp::start(app, settings, inbox, pushers, notice, wake).await?)
        }
        false => None,
    };

    let reminders = settings.reminders.enabled.then(|| {
        crate::reminders::Scheduler::new(
            app.services.clone(),
            crate::reminders::Channels {
                slack: slack
                    .as_ref()
                    .map(|running| (running.api.clone(), running.team_id.clone())),
                whatsapp: whatsapp_on,
            },
            settings.reminders.clone(),
        )
        .start()
    });

    shutdown.await;
    tracing::info!("shutting down: nothing new taken; finishing what was accepted");
    if let Some(reminders) = reminders {
        reminders.stop().await;
    }
    if let Some(slack) = slack {
        slack.stop().await;
    }
    if let Some(whatsapp) = whatsapp {
        whatsapp.stop().await;
    }
    let _ = stop_http.send(());
    let _ = http_task.await;
    tracing::info!("stopped");
    Ok(())
}

/// A start-up line for whoever started the process (a supervisor, a test). A closed stdout is not
/// a reason to stop serving.
pub(crate) fn announce(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}
