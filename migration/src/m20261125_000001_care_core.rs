//! The care core schema: every table the console and the channels need, with the indexes the dose-safety
//! check and the audit chain rely on.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000001_care_core"
    }
}

/// A foreign key from `table.column` to `target.id`, with the given delete behaviour.
fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

fn index(
    name: &'static str,
    table: &'static str,
    columns: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(table).if_not_exists();
    for column in columns {
        statement.col(*column);
    }
    if unique {
        statement.unique();
    }
    statement.to_owned()
}

use ForeignKeyAction::{Cascade, SetNull};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables: Vec<TableCreateStatement> = vec![
            Table::create()
                .table("families")
                .col(big_pk_auto("id"))
                .col(text("name"))
                .col(text("timezone"))
                .col(text("country"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
            Table::create()
                .table("people")
                .col(big_pk_auto("id"))
                .col(text("display_name"))
                .col(text("locale"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
            Table::create()
                .table("identities")
                .col(big_pk_auto("id"))
                .col(big_integer("person_id"))
                .col(text("kind"))
                .col(text("external_id"))
                .col(boolean("verified"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("identities", "person_id", "people", Cascade))
                .to_owned(),
            Table::create()
                .table("members")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(big_integer("person_id"))
                .col(text("role"))
                .col(text("status"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("members", "family_id", "families", Cascade))
                .foreign_key(&mut fk("members", "person_id", "people", Cascade))
                .to_owned(),
            Table::create()
                .table("invites")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(text("code_hash"))
                .col(text("role"))
                .col(big_integer_null("created_by_member_id"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(big_integer_null("used_by_person_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("invites", "family_id", "families", Cascade))
                .foreign_key(&mut fk(
                    "invites",
                    "created_by_member_id",
                    "members",
                    SetNull,
                ))
                .foreign_key(&mut fk("invites", "used_by_person_id", "people", SetNull))
                .to_owned(),
            Table::create()
                .table("children")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(text("name"))
                .col(date("birth_date"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("children", "family_id", "families", Cascade))
                .to_owned(),
            Table::create()
                .table("caregiver_assignments")
                .col(big_pk_auto("id"))
                .col(big_integer("member_id"))
                .col(big_integer("child_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "caregiver_assignments",
                    "member_id",
                    "members",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "caregiver_assignments",
                    "child_id",
                    "children",
                    Cascade,
                ))
                .to_owned(),
            Table::create()
                .table("allergies")
                .col(big_pk_auto("id"))
                .col(big_integer("child_id"))
                .col(text("allergen"))
                .col(text("severity"))
                .col(text_null("reaction"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("allergies", "child_id", "children", Cascade))
                .to_owned(),
            Table::create()
                .table("conditions")
                .col(big_pk_auto("id"))
                .col(big_integer("child_id"))
                .col(text("name"))
                .col(text_null("notes"))
                .col(boolean("guardian_only"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("conditions", "child_id", "children", Cascade))
                .to_owned(),
            Table::create()
                .table("medications")
                .col(big_pk_auto("id"))
                .col(big_integer("child_id"))
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
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("medications", "child_id", "children", Cascade))
                .to_owned(),
            Table::create()
                .table("dose_logs")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(big_integer("child_id"))
                .col(big_integer("medication_id"))
                .col(big_integer_null("given_by_member_id"))
                .col(timestamp_with_time_zone("given_at"))
                .col(timestamp_with_time_zone("recorded_at"))
                .col(double("amount"))
                .col(text("unit"))
                .col(text("ingredient_mg"))
                .col(text("channel"))
                .col(boolean("flagged"))
                .col(text_null("flag_reason"))
                .col(timestamp_with_time_zone_null("voided_at"))
                .col(big_integer_null("voided_by_member_id"))
                .col(text_null("note"))
                .foreign_key(&mut fk("dose_logs", "family_id", "families", Cascade))
                .foreign_key(&mut fk("dose_logs", "child_id", "children", Cascade))
                .foreign_key(&mut fk(
                    "dose_logs",
                    "medication_id",
                    "medications",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "dose_logs",
                    "given_by_member_id",
                    "members",
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "dose_logs",
                    "voided_by_member_id",
                    "members",
                    SetNull,
                ))
                .to_owned(),
            Table::create()
                .table("measurements")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(big_integer("child_id"))
                .col(text("kind"))
                .col(double("value"))
                .col(text("unit"))
                .col(timestamp_with_time_zone("measured_at"))
                .col(big_integer_null("recorded_by_member_id"))
                .col(text("channel"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("measurements", "family_id", "families", Cascade))
                .foreign_key(&mut fk("measurements", "child_id", "children", Cascade))
                .foreign_key(&mut fk(
                    "measurements",
                    "recorded_by_member_id",
                    "members",
                    SetNull,
                ))
                .to_owned(),
            Table::create()
                .table("vaccinations")
                .col(big_pk_auto("id"))
                .col(big_integer("child_id"))
                .col(text("vaccine"))
                .col(integer_null("dose_number"))
                .col(date("given_on"))
                .col(text_null("notes"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("vaccinations", "child_id", "children", Cascade))
                .to_owned(),
            Table::create()
                .table("providers")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(text("name"))
                .col(text_null("specialty"))
                .col(text_null("phone"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("providers", "family_id", "families", Cascade))
                .to_owned(),
            Table::create()
                .table("appointments")
                .col(big_pk_auto("id"))
                .col(big_integer("child_id"))
                .col(big_integer_null("provider_id"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(text_null("purpose"))
                .col(text_null("location"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("appointments", "child_id", "children", Cascade))
                .foreign_key(&mut fk("appointments", "provider_id", "providers", SetNull))
                .to_owned(),
            Table::create()
                .table("care_notes")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(big_integer_null("child_id"))
                .col(big_integer_null("author_member_id"))
                .col(text("body"))
                .col(text("channel"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("care_notes", "family_id", "families", Cascade))
                .foreign_key(&mut fk("care_notes", "child_id", "children", Cascade))
                .foreign_key(&mut fk(
                    "care_notes",
                    "author_member_id",
                    "members",
                    SetNull,
                ))
                .to_owned(),
            Table::create()
                .table("nanny_profiles")
                .col(big_pk_auto("id"))
                .col(big_integer("member_id"))
                .col(text_null("phone"))
                .col(big_integer_null("hourly_rate_cents"))
                .col(text_null("notes"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("nanny_profiles", "member_id", "members", Cascade))
                .to_owned(),
            Table::create()
                .table("shifts")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(big_integer("member_id"))
                .col(timestamp_with_time_zone("clock_in_at"))
                .col(timestamp_with_time_zone_null("clock_out_at"))
                .col(text_null("handoff"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("shifts", "family_id", "families", Cascade))
                .foreign_key(&mut fk("shifts", "member_id", "members", Cascade))
                .to_owned(),
            // No foreign keys: the audit trail outlives what it speaks of (erasure keeps pseudonymous ids).
            Table::create()
                .table("audit_events")
                .col(big_pk_auto("id"))
                .col(text("chain"))
                .col(big_integer("seq"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("family_id"))
                .col(text("actor"))
                .col(text("action"))
                .col(text("subject"))
                .col(text("channel"))
                .col(text("outcome"))
                .col(text("prev_hash"))
                .col(text("hash"))
                .to_owned(),
            Table::create()
                .table("consents")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(big_integer("person_id"))
                .col(text("kind"))
                .col(timestamp_with_time_zone("granted_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk("consents", "family_id", "families", Cascade))
                .foreign_key(&mut fk("consents", "person_id", "people", Cascade))
                .to_owned(),
            Table::create()
                .table("conversation_states")
                .col(big_pk_auto("id"))
                .col(text("conversation_key"))
                .col(big_integer("person_id"))
                .col(text("state"))
                .col(integer("schema_version"))
                .col(big_integer("version"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "conversation_states",
                    "person_id",
                    "people",
                    Cascade,
                ))
                .to_owned(),
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(big_integer("recipient_member_id"))
                .col(text("kind"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .foreign_key(&mut fk("notifications", "family_id", "families", Cascade))
                .foreign_key(&mut fk(
                    "notifications",
                    "recipient_member_id",
                    "members",
                    Cascade,
                ))
                .to_owned(),
        ];
        for mut table in tables {
            manager
                .create_table(table.if_not_exists().to_owned())
                .await?;
        }

        let indexes = [
            index(
                "ux_identities_kind_external",
                "identities",
                &["kind", "external_id"],
                true,
            ),
            index("ix_identities_person", "identities", &["person_id"], false),
            index(
                "ux_members_family_person",
                "members",
                &["family_id", "person_id"],
                true,
            ),
            index("ix_members_person", "members", &["person_id"], false),
            index("ux_invites_code_hash", "invites", &["code_hash"], true),
            index("ix_children_family", "children", &["family_id"], false),
            index(
                "ux_assignments_member_child",
                "caregiver_assignments",
                &["member_id", "child_id"],
                true,
            ),
            index(
                "ix_assignments_child",
                "caregiver_assignments",
                &["child_id"],
                false,
            ),
            index("ix_allergies_child", "allergies", &["child_id"], false),
            index("ix_conditions_child", "conditions", &["child_id"], false),
            index("ix_medications_child", "medications", &["child_id"], false),
            // The dose-safety check reads one child's doses in a time window: this index is its path.
            index(
                "ix_dose_logs_child_given",
                "dose_logs",
                &["child_id", "given_at"],
                false,
            ),
            index("ix_dose_logs_family", "dose_logs", &["family_id"], false),
            index(
                "ix_measurements_child_at",
                "measurements",
                &["child_id", "measured_at"],
                false,
            ),
            index(
                "ix_measurements_family",
                "measurements",
                &["family_id"],
                false,
            ),
            index(
                "ix_vaccinations_child",
                "vaccinations",
                &["child_id"],
                false,
            ),
            index("ix_providers_family", "providers", &["family_id"], false),
            index(
                "ix_appointments_child",
                "appointments",
                &["child_id"],
                false,
            ),
            index(
                "ix_care_notes_family",
                "care_notes",
                &["family_id", "created_at"],
                false,
            ),
            index(
                "ix_nanny_profiles_member",
                "nanny_profiles",
                &["member_id"],
                true,
            ),
            index(
                "ix_shifts_family",
                "shifts",
                &["family_id", "clock_in_at"],
                false,
            ),
            index("ix_shifts_member", "shifts", &["member_id"], false),
            index(
                "ux_audit_chain_seq",
                "audit_events",
                &["chain", "seq"],
                true,
            ),
            index(
                "ux_consents",
                "consents",
                &["family_id", "person_id", "kind"],
                true,
            ),
            index(
                "ux_conversation_key",
                "conversation_states",
                &["conversation_key"],
                true,
            ),
            index(
                "ix_conversation_person",
                "conversation_states",
                &["person_id"],
                false,
            ),
            index(
                "ix_notifications_pending",
                "notifications",
                &["recipient_member_id", "delivered_at"],
                false,
            ),
            index(
                "ix_notifications_family",
                "notifications",
                &["family_id"],
                false,
            ),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "notifications",
            "conversation_states",
            "consents",
            "audit_events",
            "shifts",
            "nanny_profiles",
            "care_notes",
            "appointments",
            "providers",
            "vaccinations",
            "measurements",
            "dose_logs",
            "medications",
            "conditions",
            "allergies",
            "caregiver_assignments",
            "children",
            "invites",
            "members",
            "identities",
            "people",
            "families",
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
