//! The head of the outbox queue, in order: the bridge's claim reads the first queued rows by id
//! (`outbox::Outbox::claim`), which this index answers without reading the rows already sent.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000010_outbox_head"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_head")
                    .table("outbox")
                    .col("status")
                    .col("id")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_outbox_head")
                    .table("outbox")
                    .to_owned(),
            )
            .await
    }
}
