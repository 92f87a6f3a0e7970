//! Reminders: what the scheduler plans and sends (a dose due, a course ending, an appointment, a
//! family's daily summary), claimed with a lease so several bots on one database never send one
//! twice; and the few choices a family makes about them (the summary's time, a child's reminders
//! paused, a member's quiet hours).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000009_reminders"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("reminders")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("family_id"))
                    .col(big_integer_null("child_id"))
                    // dose, course_end, appointment_day_before, appointment_hour_before,
                    // daily_summary (shift_start, certification_expiry once shifts are scheduled).
                    .col(text("kind"))
                    // What it is about: "medication:12", "appointment:5", "family:3".
                    .col(text("subject"))
                    .col(timestamp_with_time_zone("due_at"))
                    // planned, sent, given, skipped, missed, cancelled
                    .col(text("status"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    // Member ids it was sent to, comma-separated (who may answer it).
                    .col(text_null("sent_to"))
                    .col(timestamp_with_time_zone_null("escalated_at"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .col(big_integer_null("resolved_by_member_id"))
                    // Sealed: why a dose was skipped.
                    .col(text_null("skip_reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("reminders", "family_id")
                            .to("families", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Planning twice never doubles one reminder.
        manager
            .create_index(
                Index::create()
                    .name("reminders_once")
                    .table("reminders")
                    .col("kind")
                    .col("subject")
                    .col("due_at")
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
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
            .create_table(
                Table::create()
                    .table("reminder_settings")
                    .if_not_exists()
                    .col(big_integer("family_id").primary_key())
                    // HH:MM in the family's time zone.
                    .col(text("summary_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("reminder_settings", "family_id")
                            .to("families", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("reminder_pauses")
                    .if_not_exists()
                    .col(big_integer("child_id").primary_key())
                    .col(big_integer("family_id"))
                    .col(big_integer_null("paused_by_member_id"))
                    .col(timestamp_with_time_zone("paused_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("reminder_pauses", "child_id")
                            .to("children", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("quiet_hours")
                    .if_not_exists()
                    .col(big_integer("member_id").primary_key())
                    // HH:MM, local to the family; the span may cross midnight (22:00-07:00).
                    .col(text("starts"))
                    .col(text("ends"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("quiet_hours", "member_id")
                            .to("members", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "quiet_hours",
            "reminder_pauses",
            "reminder_settings",
            "reminders",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
