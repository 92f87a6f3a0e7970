//! The reminders a claim takes, in the order it takes them: `(status, due_at, id)` replaces
//! `(status, due_at)`. A claim asks for the first due reminders `ORDER BY due_at, id`; with `id`
//! missing from the index, PostgreSQL sorted every reminder due at the same minute (a city's
//! 08:00 doses: 50,000 of them) to hand out 500, on each claim.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261209_000011_reminders_claim_order"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_reminders_claim")
                    .table("reminders")
                    .col("status")
                    .col("due_at")
                    .col("id")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("reminders_due")
                    .table("reminders")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("reminders_due")
                    .table("reminders")
                    .col("status")
                    .col("due_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_reminders_claim")
                    .table("reminders")
                    .to_owned(),
            )
            .await
    }
}
