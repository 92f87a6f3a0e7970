//! The channels' durable inbox, and idempotency keys on the records a message can create.
//!
//! Slack and Twilio never resend what we acknowledged, so a message is written to `inbox` before the
//! acknowledgement and processed from there; `delivery_key` is unique, so a redelivery is recognised
//! (also after a restart) and done rows are kept a day for that. The records a message creates (a
//! dose, a measurement, a note) carry the same key in `source_key`, unique, so a message processed
//! again after a crash finds what it already wrote instead of writing it twice.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000002_channel_inbox"
    }
}

/// Tables whose rows a message creates, and the unique index on their `source_key`.
const KEYED: [(&str, &str); 3] = [
    ("dose_logs", "ux_dose_logs_source_key"),
    ("measurements", "ux_measurements_source_key"),
    ("care_notes", "ux_care_notes_source_key"),
];

/// Creates the `inbox` table and its indexes (also used by [`crate::InboxMigrator`] for a SQLite
/// inbox kept in its own file).
pub(crate) async fn create_inbox(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("inbox")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(text("channel"))
                .col(text("delivery_key"))
                .col(text("kind"))
                // Sealed: the payload holds what the person wrote.
                .col(text("payload"))
                .col(text("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("received_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ux_inbox_delivery_key")
                .table("inbox")
                .col("delivery_key")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ix_inbox_status")
                .table("inbox")
                .col("status")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_inbox(manager).await?;
        for (table, index) in KEYED {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(text_null("source_key"))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(index)
                        .table(table)
                        .col("source_key")
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, index) in KEYED {
            manager
                .drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column("source_key")
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table("inbox").to_owned())
            .await
    }
}
