//! `mednanny`: the MedNanny binary. Parsing and wiring only; everything else is in the library.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = bot::cli::Cli::parse();
    match bot::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mednanny: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
