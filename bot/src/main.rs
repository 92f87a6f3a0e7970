//! `mednanny`: the MedNanny binary. Parsing and wiring only; everything else is in the library.
//!
//! The Tokio runtime is built by hand rather than with `#[tokio::main]`: the process is placed on
//! its CPUs (`runtime.cpus`, when it asks for pinning) before any thread exists, so that every thread inherits the placement
//! and the runtime sizes its worker pool from it (see `mednanny_core::runtime`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // One TLS provider for every client in the process (Slack's Web API and Socket Mode, the
    // bridge call): rustls cannot choose by itself when two are built in.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = bot::cli::Cli::parse();
    let result = bot::app::load_settings().and_then(|settings| {
        let placement = mednanny_core::runtime::place_process(&settings.runtime)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(bot::run(cli, settings, placement))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mednanny: {error:#}");
            ExitCode::FAILURE
        }
    }
}
