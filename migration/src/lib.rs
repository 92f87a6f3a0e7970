//! MedNanny's schema changes, and nothing else: sea-orm-migration migrations applied in order.
//!
//! Migrations name tables and columns as plain identifiers and never import `entity` types, so an old
//! migration keeps compiling (and meaning the same thing) after the models move on.
//!
//! # Layout
//! - `m20261125_000001_care_core`: the care core (families, people, members, children, medical record,
//!   dose log, nanny side, audit trail, conversation state, notification outbox).
//! - `m20261125_000002_channel_inbox`: the channels' durable inbox and idempotency keys.
//! - `m20261203_000003_notification_source_key`: alerts carry the delivery key that raised them.
//! - `m20261203_000004_medication_approval`: a caregiver's medication waits for a guardian's approval.
//! - `m20261204_000005_child_in_care`: a child leaves active care and stays in the record.
//! - `m20261205_000006_whatsapp`: the WhatsApp outbox, invites by phone, phone links, the 24-hour
//!   window, inbox leases.
//! - `m20261206_000007_assistant_usage`: the assistant's tokens per family and day.
//! - `m20261207_000008_nanny_services`: the nanny's profile (languages, rates, emergency contact),
//!   certifications, scheduled shifts, a forgotten clock-out's flag, the family's payroll week.
//! - `m20261207_000009_reminders`: reminders (leased, one per kind, subject and instant), the daily
//!   summary's time, paused children, quiet hours.
//! - `m20261208_000010_outbox_head`: the outbox's queued rows in id order, for the bridge's claim.
//! - `m20261209_000011_reminders_claim_order`: due reminders in the order a claim takes them.
//! - `m20261210_000012_certification_renewed`: when a certification's expiry was last changed.
//! - `m20261210_000013_outbox_early_status`: status callbacks that beat their message's record.
//! - `m20261211_000014_data_keys`: the data keys the database's sealed values need, each with a check value.
//! - `m20261213_000016_join_failures`: wrong invite codes, by whom and when (`join` is throttled).
//! - `inbox_store`: [`InboxMigrator`], the inbox table alone, for a SQLite inbox kept in its own file.

pub use sea_orm_migration::prelude::*;

mod inbox_store;
mod m20261125_000001_care_core;
mod m20261125_000002_channel_inbox;
mod m20261203_000003_notification_source_key;
mod m20261203_000004_medication_approval;
mod m20261204_000005_child_in_care;
mod m20261205_000006_whatsapp;
mod m20261206_000007_assistant_usage;
mod m20261207_000008_nanny_services;
mod m20261207_000009_reminders;
mod m20261208_000010_outbox_head;
mod m20261209_000011_reminders_claim_order;
mod m20261210_000012_certification_renewed;
mod m20261210_000013_outbox_early_status;
mod m20261211_000014_data_keys;
mod m20261212_000015_medication_versions;
mod m20261213_000016_join_failures;

pub use inbox_store::InboxMigrator;
/// Whether a migration is applied (`MigratorTrait::get_migration_with_status`).
pub use sea_orm_migration::MigrationStatus;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_care_core::Migration),
            Box::new(m20261125_000002_channel_inbox::Migration),
            Box::new(m20261203_000003_notification_source_key::Migration),
            Box::new(m20261203_000004_medication_approval::Migration),
            Box::new(m20261204_000005_child_in_care::Migration),
            Box::new(m20261205_000006_whatsapp::Migration),
            Box::new(m20261206_000007_assistant_usage::Migration),
            Box::new(m20261207_000008_nanny_services::Migration),
            Box::new(m20261207_000009_reminders::Migration),
            Box::new(m20261208_000010_outbox_head::Migration),
            Box::new(m20261209_000011_reminders_claim_order::Migration),
            Box::new(m20261210_000012_certification_renewed::Migration),
            Box::new(m20261210_000013_outbox_early_status::Migration),
            Box::new(m20261211_000014_data_keys::Migration),
            Box::new(m20261212_000015_medication_versions::Migration),
            Box::new(m20261213_000016_join_failures::Migration),
        ]
    }
}
