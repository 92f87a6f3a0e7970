//! Alerts carry the key of the delivery that raised them, like the records a message creates: an
//! emergency message processed again after a crash finds the guardians' alerts it already wrote
//! instead of alerting them twice. Unique per recipient (a delivery alerts each guardian once).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000003_notification_source_key"
    }
}

const INDEX: &str = "ux_notifications_recipient_source_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("notifications")
                    .add_column(text_null("source_key"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table("notifications")
                    .col("recipient_member_id")
                    .col("source_key")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table("notifications").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("notifications")
                    .drop_column("source_key")
                    .to_owned(),
            )
            .await
    }
}
