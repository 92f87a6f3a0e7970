//! MedNanny's sea-orm models, one module per table, in sea-orm's generated style: no behaviour here.
//! Domain rules, authorization, audit and encryption live in `mednanny-core`; schema changes in `migration`.
//!
//! Fields documented as *sealed* hold AES-256-GCM ciphertext (health free text), never plain text.

pub mod family;
pub mod person;
pub mod identity;
pub mod member;
pub mod invite;
pub mod child;
pub mod caregiver_assignment;
pub mod allergy;
pub mod condition;
pub mod medication;
pub mod dose_log;
pub mod measurement;
pub mod vaccination;
pub mod provider;
pub mod appointment;
pub mod care_note;
pub mod nanny_profile;
pub mod shift;
pub mod audit_event;
pub mod consent;
pub mod conversation_state;
pub mod notification;
