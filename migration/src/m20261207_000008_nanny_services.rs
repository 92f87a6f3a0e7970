//! The nanny's working day: the profile's languages, overtime rate and emergency contact (sealed),
//! certifications with their expiry, the scheduled shifts (one-off or weekly, in the family's time
//! zone), what a shift knows of its schedule (its scheduled end, and the flag set when the
//! clock-out was forgotten), and the day a family's payroll week starts on.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000008_nanny_services"
    }
}

fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        let profile = [
            // Comma-separated, as typed ("English, Spanish").
            text_null("languages"),
            big_integer_null("overtime_rate_cents"),
            // Sealed: a person's name and phone, personal data.
            text_null("emergency_contact"),
            timestamp_with_time_zone_null("updated_at"),
        ];
        for mut column in profile {
            manager
                .alter_table(
                    Table::alter()
                        .table("nanny_profiles")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let shift = [
            // The end of the scheduled shift the clock-in fell in, if any.
            timestamp_with_time_zone_null("scheduled_end_at"),
            // Set once, when the shift was still open an hour after its scheduled end.
            timestamp_with_time_zone_null("forgot_flagged_at"),
        ];
        for mut column in shift {
            manager
                .alter_table(
                    Table::alter()
                        .table("shifts")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("nanny_certifications")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("member_id"))
                    .col(text("name"))
                    .col(date("expires_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("nanny_certifications", "member_id", "members"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("shift_schedules")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("family_id"))
                    .col(big_integer("member_id"))
                    // ISO weekday (1 = Monday … 7 = Sunday) of a weekly slot, or null.
                    .col(integer_null("weekday"))
                    // The date of a one-off slot, or null.
                    .col(date_null("on_date"))
                    // Minutes after local midnight; an end at or before the start is the next day.
                    .col(integer("starts_minute"))
                    .col(integer("ends_minute"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("shift_schedules", "family_id", "families"))
                    .foreign_key(&mut fk("shift_schedules", "member_id", "members"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("family_payroll")
                    .if_not_exists()
                    .col(big_integer("family_id").primary_key())
                    // ISO weekday the payroll week starts on (1 = Monday).
                    .col(integer("week_starts_on").default(1))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("family_payroll", "family_id", "families"))
                    .to_owned(),
            )
            .await?;
        for (name, table, columns) in [
            (
                "ix_nanny_certifications_member",
                "nanny_certifications",
                &["member_id"][..],
            ),
            (
                "ix_shift_schedules_family",
                "shift_schedules",
                &["family_id", "member_id"][..],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table).if_not_exists();
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["family_payroll", "shift_schedules", "nanny_certifications"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in ["forgot_flagged_at", "scheduled_end_at"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("shifts")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            "updated_at",
            "emergency_contact",
            "overtime_rate_cents",
            "languages",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("nanny_profiles")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
