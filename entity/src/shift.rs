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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
