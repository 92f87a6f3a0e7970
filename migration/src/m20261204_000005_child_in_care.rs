//! A child can leave active care (grown up, moved to the other parent's, no longer looked after)
//! and stay in the record: the time they left, or null while in care.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000005_child_in_care"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("children")
                    .add_column(timestamp_with_time_zone_null("archived_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("children")
                    .drop_column("archived_at")
                    .to_owned(),
            )
            .await
    }
}
