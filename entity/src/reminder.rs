//! `reminders`: A reminder planned for an instant (a dose, a course's end, an appointment, the daily
//! summary), claimed with a lease and sent once; unique per (kind, subject, due_at). `skip_reason` is sealed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub family_id: i64,
    pub child_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    pub due_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub lease_until: Option<DateTimeUtc>,
    pub attempts: i32,
    pub sent_at: Option<DateTimeUtc>,
    /// Member ids it was sent to, comma-separated.
    #[sea_orm(column_type = "Text", nullable)]
    pub sent_to: Option<String>,
    pub escalated_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by_member_id: Option<i64>,
    /// Sealed: AES-256-GCM ciphertext, see `mednanny_core::crypto`.
    #[sea_orm(column_type = "Text", nullable)]
    pub skip_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
