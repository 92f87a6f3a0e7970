//! `mednanny-migrate`: apply or inspect MedNanny's schema by hand (`up`, `down`, `status`, `fresh`).
//! The database URL comes from `DATABASE_URL`; `mednanny migrate` does the same with MedNanny's settings.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
