//! Status callbacks that come before their message's send is recorded: kept here and applied when
//! it is (`outbox::Outbox::sent_many`), instead of being dropped. An "undeliverable" (63016) that
//! raced the record used to leave the member never told.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261210_000013_outbox_early_status"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("outbox_early_status")
                    .if_not_exists()
                    .col(text("provider_sid").primary_key())
                    .col(text("status"))
                    .col(integer_null("error_code"))
                    .col(timestamp_with_time_zone("received_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("outbox_early_status").to_owned())
            .await
    }
}
