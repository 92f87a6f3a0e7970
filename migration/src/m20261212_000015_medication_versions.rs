//! Every version of a medication's rules (`medication_versions`): what was proposed, by whom,
//! and what a guardian decided. The `medications` row keeps the rules in force (what every dose is
//! checked against); a caregiver's change is a `proposed` version beside them until a guardian
//! approves exactly that version, and a guardian's own change keeps the old rules here as history
//! instead of overwriting them. Each existing medication's rules become its version 1.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261212_000015_medication_versions"
    }
}

const RULES: &str = "name, form, route, ingredients, dose_amount, dose_unit, schedule_kind, \
                     schedule_times, min_interval_minutes, max_doses_per_day, starts_on, ends_on";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("medication_versions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("medication_id"))
                    .col(integer("version"))
                    .col(text("name"))
                    .col(text("form"))
                    .col(text("route"))
                    .col(text("ingredients"))
                    .col(double("dose_amount"))
                    .col(text("dose_unit"))
                    .col(text("schedule_kind"))
                    .col(text_null("schedule_times"))
                    .col(integer("min_interval_minutes"))
                    .col(integer_null("max_doses_per_day"))
                    .col(date_null("starts_on"))
                    .col(date_null("ends_on"))
                    // "approved", "proposed", "denied", or "replaced" (a newer proposal came).
                    .col(text("status"))
                    .col(big_integer_null("proposed_by_member_id"))
                    .col(timestamp_with_time_zone("proposed_at"))
                    .col(big_integer_null("decided_by_member_id"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_medication_versions_medication_id")
                            .from("medication_versions", "medication_id")
                            .to("medications", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_medication_versions_medication_version")
                    .table("medication_versions")
                    .col("medication_id")
                    .col("version")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The rules each medication has now are its first version, decided as it was.
        let status = "CASE approval WHEN 'pending' THEN 'proposed' WHEN 'denied' THEN 'denied' \
                      ELSE 'approved' END";
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO medication_versions (medication_id, version, {RULES}, status, \
                 proposed_by_member_id, proposed_at, decided_by_member_id, decided_at) \
                 SELECT id, 1, {RULES}, {status}, proposed_by_member_id, created_at, \
                 decided_by_member_id, decided_at FROM medications"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("medication_versions").to_owned())
            .await
    }
}
