//! The children's medical record, as callers name it: children, medications, allergies, conditions,
//! doses (guarded by the dose-safety rules), measurements, notes and alerts.
//!
//! A façade only. The services live in one module per area (`children`, `medications`, `doses`,
//! `log_dose`, `measurements`, `notes`, `alerts`, all private to [`crate::services`]); this module
//! re-exports their public types so callers keep one path, `services::care::…`, however those
//! modules are arranged.

pub use super::alerts::{Alert, PendingAlert};
pub use super::approvals::{MedicationDecision, MedicationToApprove};
pub use super::children::{AllergyView, ChildView, ConditionView};
pub use super::courses::{CourseChange, CourseChanged, CourseState};
pub use super::doses::{
    DoseCheck, DoseConflict, DoseOutcome, DoseRequest, DoseView, LoggedDose, UNCHECKED_FLAG,
};
pub use super::measurements::{fever_advice, FeverAdvice, MeasurementView};
pub use super::medications::{AddedMedication, MedicationView, NewMedication};
pub use super::notes::NoteView;
pub use super::records::{AppointmentView, ProviderView, RecordEntry, RecordItem, VaccinationView};
pub use crate::domain::Schedule;
