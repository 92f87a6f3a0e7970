//! The schema of a SQLite inbox kept in its own file, beside the main database.
//!
//! SQLite has one writer per file. The inbox is written before every Slack acknowledgement, so it must
//! not wait behind the record's write transactions: on SQLite it gets a file (and a writer) of its own,
//! with only this table. On PostgreSQL it stays in the main database (created by
//! `m20261125_000002_channel_inbox`).

use sea_orm_migration::prelude::*;

use crate::m20261125_000002_channel_inbox::create_inbox;
use crate::m20261205_000006_whatsapp::add_inbox_lease;

/// The migrations of the inbox file.
pub struct InboxMigrator;

#[async_trait::async_trait]
impl MigratorTrait for InboxMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(InboxTable), Box::new(InboxLease)]
    }
}

struct InboxTable;

impl MigrationName for InboxTable {
    fn name(&self) -> &str {
        "m20261125_000001_inbox_table"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for InboxTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_inbox(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("inbox").to_owned())
            .await
    }
}

/// Rows claimed with a lease (WhatsApp's inbox rows, written by the bridge, taken by a bot).
struct InboxLease;

impl MigrationName for InboxLease {
    fn name(&self) -> &str {
        "m20261205_000002_inbox_lease"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for InboxLease {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_inbox_lease(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("inbox")
                    .drop_column("lease_until")
                    .to_owned(),
            )
            .await
    }
}
