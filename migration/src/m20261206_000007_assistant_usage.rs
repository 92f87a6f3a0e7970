//! The assistant's model is metered per family and day: tokens spent (prompt + completion) and
//! model turns, so a family's daily budget holds across restarts and bot instances.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000007_assistant_usage"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("assistant_usage")
                    .if_not_exists()
                    .col(big_integer("family_id"))
                    // The family's local day, YYYY-MM-DD.
                    .col(string_len("day", 10))
                    .col(big_integer("tokens").default(0))
                    .col(big_integer("turns").default(0))
                    .primary_key(Index::create().col("family_id").col("day"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("assistant_usage", "family_id")
                            .to("families", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("assistant_usage").to_owned())
            .await
    }
}
