//! When a certification's expiry was last changed (`renewed_at`): its reminder is planned 30 days
//! ahead of the expiry, or just after the expiry was recorded when less notice is left, and a
//! renewal to a near date (a corrected expiry) recorded long after the certification was first
//! added used to get no reminder at all.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261210_000012_certification_renewed"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("nanny_certifications")
                    .add_column(timestamp_with_time_zone_null("renewed_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("nanny_certifications")
                    .drop_column("renewed_at")
                    .to_owned(),
            )
            .await
    }
}
