//! MedNanny's sea-orm models, one module per table, in sea-orm's generated style: no behaviour here.
//! Domain rules, authorization, audit and encryption live in `mednanny-core`; schema changes in `migration`.
//!
//! Fields documented as *sealed* hold AES-256-GCM ciphertext (health free text), never plain text.

pub mod allergy;
pub mod appointment;
pub mod assistant_usage;
pub mod audit_event;
pub mod care_note;
pub mod caregiver_assignment;
pub mod child;
pub mod condition;
pub mod consent;
pub mod conversation_state;
pub mod data_key;
pub mod dose_log;
pub mod family;
pub mod family_payroll;
pub mod identity;
pub mod inbox;
pub mod invite;
pub mod join_failure;
pub mod measurement;
pub mod medication;
pub mod medication_version;
pub mod member;
pub mod nanny_certification;
pub mod nanny_profile;
pub mod notification;
pub mod outbox;
pub mod outbox_early_status;
pub mod person;
pub mod phone_link;
pub mod provider;
pub mod quiet_hours;
pub mod reminder;
pub mod reminder_pause;
pub mod reminder_setting;
pub mod shift;
pub mod shift_schedule;
pub mod vaccination;
