//! `mednanny-migrate`: MedNanny's schema by hand. Parsing and wiring only: see `bot::migrate_tool`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // The arguments first: `--help` and `--version` need no configuration.
    let cli = bot::migrate_tool::Cli::parse();
    // The TLS provider of a PostgreSQL connection (rustls cannot choose by itself when two are built in).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(bot::migrate_tool::run(cli)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mednanny-migrate: {error:#}");
            ExitCode::FAILURE
        }
    }
}
