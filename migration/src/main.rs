//! `mednanny-migrate`: apply or inspect MedNanny's schema by hand (`up`, `down`, `status`, `fresh`) on
//! PostgreSQL. The database URL comes from `DATABASE_URL`.
//!
//! SQLite is migrated by `mednanny migrate` (and at every start): MedNanny opens SQLite through its
//! own connection (core/src/db/sqlite.rs), not through sqlx, so this tool has no SQLite driver.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    let sqlite = database_url().is_some_and(|url| url.trim().starts_with("sqlite:"));
    if sqlite {
        eprintln!(
            "mednanny-migrate works on PostgreSQL; for a SQLite database run `mednanny migrate` \
             (it reads database.url from MedNanny's settings)"
        );
        std::process::exit(2);
    }
    cli::run_cli(migration::Migrator).await;
}

/// The URL the CLI will use: `-u`/`--database-url` when given, else `DATABASE_URL`.
fn database_url() -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-u" || arg == "--database-url" {
            return args.next();
        }
        if let Some(url) = arg.strip_prefix("--database-url=") {
            return Some(url.to_string());
        }
    }
    std::env::var("DATABASE_URL").ok()
}
