//! Wrong invite codes, by whom and when: `join` stops checking a sender's codes after too many
//! (`core/src/join_tries.rs`). In the database, not in memory, so the count holds across
//! restarts and across several bots on one PostgreSQL. Rows older than the window are deleted as
//! new ones come. Person ids only, never a phone number or the code tried.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261213_000016_join_failures"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("join_failures")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("person_id"))
                    .col(timestamp_with_time_zone("failed_at"))
                    .to_owned(),
            )
            .await?;
        // One sender's wrong codes of the last minutes.
        manager
            .create_index(
                Index::create()
                    .name("join_failures_person")
                    .table("join_failures")
                    .col("person_id")
                    .col("failed_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // Everyone's of the last minutes, and the old ones to delete.
        manager
            .create_index(
                Index::create()
                    .name("join_failures_at")
                    .table("join_failures")
                    .col("failed_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("join_failures").to_owned())
            .await
    }
}
