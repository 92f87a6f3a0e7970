//! `shifts`: A caregiver's shift: clock in/out and the handoff report (sealed).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "shifts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub family_id: i64,
    pub member_id: i64,
    pub clock_in_at: DateTimeUtc,
    pub clock_out_at: Option<DateTimeUtc>,
    /// Sealed: AES-256-GCM ciphertext, see `mednanny_core::crypto`.
    #[sea_orm(column_type = "Text")]
    pub handoff: Option<String>,
    pub created_at: DateTimeUtc,
    /// The end of the scheduled shift the clock-in fell in, if there was one.
    pub scheduled_end_at: Option<DateTimeUtc>,
    /// When the shift was found still open an hour past its scheduled end (set once; the shift
    /// is never extended or closed for the nanny).
    pub forgot_flagged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
