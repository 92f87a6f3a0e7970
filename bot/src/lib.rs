//! The `mednanny` binary's library: the composition root (settings → database → services → engine)
//! and the channels and commands that run on it.
//!
//! # Layout
//! - `cli`: the command line.
//! - `app`: loading settings, telemetry, connecting and migrating, building the services.
//! - `console`: the terminal channel (`mednanny chat`).
//! - `admin`: operator commands (family, invite, member, child, med, allergy, export, erase, audit).
//! - `migrate_tool`: the `mednanny-migrate` binary's commands (the schema by hand).
//! - `serve`: `mednanny serve`, the long-running bot (Slack and/or WhatsApp).
//! - `pipeline`: one delivery pipeline for every channel (workers, resume, alert pushers).
//! - `slack`: the Slack channel.
//! - `whatsapp`: the WhatsApp channel's bot side (the bridge is its own process).
//! - `reminders`: the reminder scheduler (plans, claims with a lease, sends, escalates).
//! - `health`: `serve`'s /healthz and /readyz.
//! - `media`: fetching what people send with a message (voice notes, audio clips, photos).
//! - `markup`: what a member wrote, made inert where a channel cannot show it as plain text.
//! - `sender_queue`: the order a channel's deliveries are handled in (each sender's one at a time).

pub mod admin;
pub mod app;
pub mod cli;
pub mod console;
pub mod health;
pub mod markup;
pub mod media;
pub mod migrate_tool;
pub mod pipeline;
pub mod reminders;
pub mod sender_queue;
pub mod serve;
pub mod slack;
pub mod whatsapp;

use std::sync::Arc;

use anyhow::Result;
use chrono::Utc;
use mednanny_core::clock::{Clock, ManualClock, SystemClock};
use mednanny_core::runtime::Placement;
use mednanny_core::settings::Settings;

use crate::cli::{ChatArgs, Cli, Command};

/// Runs one command line, with the settings `main` loaded and the CPUs it placed the process on.
pub async fn run(cli: Cli, settings: Settings, placement: Placement) -> Result<()> {
    app::init_telemetry(&settings);
    match &placement.refused {
        None => {
            tracing::debug!(cpus = ?placement.cpus, available = placement.available, "CPU placement")
        }
        Some(reason) => tracing::warn!(%reason, "runtime.cpus not applied; running on every CPU"),
    }
    if let Command::Migrate = cli.command {
        return app::App::migrate(&settings).await;
    }
    let app = app::App::start(&settings, clock(&cli)).await?;
    if let Command::Chat(_) | Command::Serve = cli.command {
        app::say_where(app.services.db());
    }
    let result = match cli.command {
        Command::Chat(args) => console::run(&app, args).await,
        Command::Serve => serve::serve(&app, &settings, shutdown_signal()).await,
        other => admin::run(&app, &settings, other).await,
    };
    app.shutdown().await;
    result
}

/// The clock every command runs on: the system's, except that `mednanny chat --demo --now T`
/// stands still at `T`, so that a demo session (README's transcripts, replayed by
/// `tests/readme.rs`) prints the same times and dates whenever it runs. A stopped clock never
/// reaches a real family's record: `--now` needs `--demo` and one of its people.
fn clock(cli: &Cli) -> Arc<dyn Clock> {
    match &cli.command {
        Command::Chat(ChatArgs { now: Some(at), .. }) => {
            Arc::new(ManualClock::new(at.with_timezone(&Utc)))
        }
        _ => Arc::new(SystemClock),
    }
}

/// Completes on SIGTERM (how containers are stopped) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
