//! The `mednanny` binary's library: the composition root (settings → database → services → engine)
//! and the channels and commands that run on it.
//!
//! # Layout
//! - `cli`: the command line.
//! - `app`: loading settings, telemetry, connecting and migrating, building the services.
//! - `console`: the terminal channel (`mednanny chat`).
//! - `admin`: operator commands (family, invite, member, child, med, allergy, export, erase, audit).

pub mod admin;
pub mod app;
pub mod cli;
pub mod console;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Runs one command line.
pub async fn run(cli: Cli) -> Result<()> {
    let settings = app::load_settings()?;
    app::init_telemetry(&settings);
    let app = app::App::start(&settings).await?;
    let result = match cli.command {
        Command::Chat(args) => console::run(&app, args).await,
        Command::Migrate => {
            app.services.db().migrate().await?;
            println!("Database is up to date.");
            Ok(())
        }
        other => admin::run(&app, &settings, other).await,
    };
    app.shutdown().await;
    result
}
