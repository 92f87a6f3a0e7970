//! WhatsApp through Twilio: the outbox the bridge sends from, an invite addressed to a phone, the
//! codes that link a phone to an existing member, when each identity last wrote to us (WhatsApp's
//! 24-hour window), and a lease on inbox rows so two bots never take the same one.
//!
//! The outbox lives in the main database, so a write that sends something (an invite by phone) is
//! queued in the same transaction as the write itself.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000006_whatsapp"
    }
}

/// Adds `inbox.lease_until` unless it is there (also used by [`crate::InboxMigrator`]). Checked
/// first because the bot and the bridge may both open a SQLite inbox file at the same moment.
pub(crate) async fn add_inbox_lease(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if has_column(manager, "inbox", "lease_until").await? {
        return Ok(());
    }
    manager
        .alter_table(
            Table::alter()
                .table("inbox")
                .add_column(timestamp_with_time_zone_null("lease_until"))
                .to_owned(),
        )
        .await
}

/// Whether `table` has `column`. (sea-orm-migration's own check needs sqlx's SQLite driver, which
/// MedNanny does not build: SQLite runs through its own connection.)
async fn has_column(manager: &SchemaManager<'_>, table: &str, column: &str) -> Result<bool, DbErr> {
    let conn = manager.get_connection();
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT COUNT(*) AS n FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = '{column}'"
        ),
        _ => format!("SELECT COUNT(*) AS n FROM pragma_table_info('{table}') WHERE name = '{column}'"),
    };
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| DbErr::Custom(format!("cannot read the columns of {table}")))?;
    Ok(row.try_get::<i64>("", "n")? > 0)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_inbox_lease(manager).await?;
        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(big_pk_auto("id"))
                    .col(text("channel"))
                    // E.164 for WhatsApp.
                    .col(text("recipient"))
                    .col(big_integer_null("person_id"))
                    // Sealed JSON: the text, or a template kind and its variables.
                    .col(text("content"))
                    // Unique: what this message answers or announces, so it is queued once.
                    .col(text("dedupe_key"))
                    // queued, sent, delivered, read, failed, undeliverable
                    .col(text("status"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(text_null("provider_sid"))
                    .col(integer_null("error_code"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            ("ux_outbox_dedupe_key", &["dedupe_key"][..], true),
            ("ix_outbox_queue", &["status", "recipient", "id"][..], false),
            ("ix_outbox_provider_sid", &["provider_sid"][..], false),
        ] {
            let mut index = Index::create();
            index.name(name).table("outbox");
            for column in columns {
                index.col(*column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("invites")
                    .add_column(text_null("phone"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("invites")
                    .add_column(text_null("invitee_name"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("identities")
                    .add_column(timestamp_with_time_zone_null("last_seen_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("phone_links")
                    .col(big_pk_auto("id"))
                    .col(big_integer("person_id"))
                    .col(text("phone"))
                    .col(text("code_hash"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_phone_links_phone")
                    .table("phone_links")
                    .col("phone")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("phone_links").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("outbox").to_owned())
            .await?;
        for (table, column) in [
            ("identities", "last_seen_at"),
            ("invites", "invitee_name"),
            ("invites", "phone"),
            ("inbox", "lease_until"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
