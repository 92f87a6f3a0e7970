//! `mednanny-migrate`: apply, inspect or undo the schema by hand, on SQLite or PostgreSQL.
//!
//! It reads `database.url` from MedNanny's own settings, as `mednanny` does (config/default.toml,
//! config/$MEDNANNY_ENV.toml, then MEDNANNY__DATABASE__URL), and nothing else of them: no data key,
//! token or secret is needed to change a schema. A command that drops data (`down`, `fresh`,
//! `refresh`, `reset`) first asks for the database's name to be typed, or takes `--yes`; without a
//! terminal and without `--yes` it refuses, so a script never drops a family's record by accident.
//!
//! Why here and not in `migration/`: the settings loader and MedNanny's own SQLite connection are
//! in the core, which depends on `migration`; the migrations themselves stay there.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use mednanny_core::db::{Database, Location, MigrationState, SchemaChange};
use mednanny_core::settings::{self, DatabaseSettings};

use crate::app::{redact_url, say_where};

#[derive(Debug, Parser)]
#[command(
    name = "mednanny-migrate",
    version,
    about = "Apply, inspect or undo MedNanny's database migrations (SQLite or PostgreSQL).",
    long_about = "Apply, inspect or undo MedNanny's database migrations, on SQLite or PostgreSQL.\n\
                  The database is MedNanny's database.url: config/default.toml, config/$MEDNANNY_ENV.toml, \
                  then MEDNANNY__DATABASE__URL (see README.md). DATABASE_URL is not read.\n\
                  down, fresh, refresh and reset drop data: they ask you to type the database's name, \
                  or take --yes (needed when input is not a terminal)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<MigrateCommand>,
    /// Do not ask before a command that drops data (needed when input is not a terminal).
    #[arg(long, global = true)]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations (what `mednanny-migrate` alone does).
    Up {
        /// Apply only this many.
        #[arg(short = 'n', long = "num")]
        num: Option<u32>,
    },
    /// Roll back the last migrations applied: what they added is dropped.
    Down {
        /// How many to roll back.
        #[arg(short = 'n', long = "num", default_value_t = 1)]
        num: u32,
    },
    /// List every migration and whether it is applied.
    Status,
    /// Drop every table, then apply every migration: an empty database.
    Fresh,
    /// Roll back every migration, then apply them again: an empty database.
    Refresh,
    /// Roll back every migration: no MedNanny table is left.
    Reset,
}

impl MigrateCommand {
    fn change(self) -> SchemaChange {
        match self {
            MigrateCommand::Up { num } => SchemaChange::Up(num),
            MigrateCommand::Down { num } => SchemaChange::Down(num),
            MigrateCommand::Status => SchemaChange::Status,
            MigrateCommand::Fresh => SchemaChange::Fresh,
            MigrateCommand::Refresh => SchemaChange::Refresh,
            MigrateCommand::Reset => SchemaChange::Reset,
        }
    }

    fn name(self) -> &'static str {
        match self {
            MigrateCommand::Up { .. } => "up",
            MigrateCommand::Down { .. } => "down",
            MigrateCommand::Status => "status",
            MigrateCommand::Fresh => "fresh",
            MigrateCommand::Refresh => "refresh",
            MigrateCommand::Reset => "reset",
        }
    }

    /// What it drops from the database at `location`, as a sentence, for the question asked
    /// before it.
    fn what_it_drops(self, location: &Location) -> String {
        let name = self.name();
        match self {
            MigrateCommand::Down { num: 1 } => format!(
                "`{name}` rolls back the last migration of {location}: what it added is dropped, with its data."
            ),
            MigrateCommand::Down { num } => format!(
                "`{name}` rolls back the last {num} migrations of {location}: what they added is dropped, \
                 with its data."
            ),
            MigrateCommand::Fresh => format!(
                "`{name}` drops every table of {location} with everything in it, then creates them empty."
            ),
            MigrateCommand::Refresh => format!(
                "`{name}` rolls back every migration of {location}, which drops every MedNanny table with \
                 its data, then applies them again."
            ),
            MigrateCommand::Reset => format!(
                "`{name}` rolls back every migration of {location}: every MedNanny table is dropped with \
                 its data."
            ),
            MigrateCommand::Up { .. } | MigrateCommand::Status => {
                format!("`{name}` drops nothing.")
            }
        }
    }
}

/// Runs one command line (already parsed: `--help` and `--version` never get here).
pub async fn run(cli: Cli) -> Result<()> {
    let command = cli.command.unwrap_or(MigrateCommand::Up { num: None });
    let settings = DatabaseSettings::load()?;
    if settings::database_url_variable_is_set() {
        eprintln!(
            "mednanny-migrate: DATABASE_URL is set but not read: the database is MedNanny's database.url \
             (MEDNANNY__DATABASE__URL), as for mednanny"
        );
    }
    let db = Database::connect(&settings).await.with_context(|| {
        format!(
            "cannot open the database (database.url = {})",
            redact_url(&settings.url)
        )
    })?;
    say_where(&db);
    let change = command.change();
    if change.destroys_data() && !cli.yes {
        confirm(command, db.location())?;
    }
    let before = match change {
        SchemaChange::Status => Vec::new(),
        _ => db.change_schema(SchemaChange::Status).await?,
    };
    let after = db
        .change_schema(change)
        .await
        .with_context(|| format!("`{}` failed", command.name()))?;
    report(command, &before, &after);
    db.close().await.ok();
    Ok(())
}

/// Asks for the database's name to be typed; refuses without a terminal.
fn confirm(command: MigrateCommand, location: &Location) -> Result<()> {
    let what = command.what_it_drops(location);
    if !std::io::stdin().is_terminal() {
        bail!("{what} It cannot be undone: pass --yes to confirm when input is not a terminal.");
    }
    let name = location.name();
    print!("{what} It cannot be undone. Type {name} to confirm: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != name {
        bail!("not confirmed: nothing was changed");
    }
    Ok(())
}

/// Says what changed (or, for `status`, where every migration stands).
fn report(command: MigrateCommand, before: &[MigrationState], after: &[MigrationState]) {
    let applied = |states: &[MigrationState]| states.iter().filter(|m| m.applied).count();
    match command {
        MigrateCommand::Status => {
            for migration in after {
                let state = if migration.applied {
                    "applied"
                } else {
                    "pending"
                };
                println!("{state}  {}", migration.name);
            }
            println!("{} of {} applied.", applied(after), after.len());
        }
        MigrateCommand::Up { .. } | MigrateCommand::Down { .. } => {
            let changed: Vec<&MigrationState> = after
                .iter()
                .filter(|m| {
                    before
                        .iter()
                        .any(|b| b.name == m.name && b.applied != m.applied)
                })
                .collect();
            for migration in &changed {
                let done = if migration.applied {
                    "applied"
                } else {
                    "rolled back"
                };
                println!("{done}  {}", migration.name);
            }
            if changed.is_empty() {
                println!("Nothing to do.");
            }
            println!("{} of {} applied.", applied(after), after.len());
        }
        MigrateCommand::Fresh => println!(
            "Dropped every table and applied {} migrations: the database is empty and up to date.",
            applied(after)
        ),
        MigrateCommand::Refresh => println!(
            "Rolled back and applied again {} migrations: the database is empty and up to date.",
            applied(after)
        ),
        MigrateCommand::Reset => println!(
            "Rolled back {} migrations: no MedNanny table is left.",
            applied(before)
        ),
    }
}
