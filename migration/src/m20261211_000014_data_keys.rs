//! The data keys a database's sealed values were sealed with, one row per key, each with a value
//! sealed under it. At start MedNanny opens every row's value with its own keyring and stops, naming
//! the keys, when one does not open: a wrong `MEDNANNY__SECURITY__DATA_KEY` used to start quietly
//! and show an empty-looking record (and seal new data under a second key). The first start of a
//! database records its key, so even an empty one knows which key it belongs to; a new current key
//! (rotation) is added beside the older ones, which stay needed while data sealed with them remains.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000014_data_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("data_keys")
                    .if_not_exists()
                    // The key's id: the first 8 hex digits of its SHA-256 (never the key).
                    .col(text("key_id").primary_key())
                    // A fixed text sealed with that key: opening it proves the key, not just its id.
                    .col(text("check_value"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("data_keys").to_owned())
            .await
    }
}
