//! `appointments`: An appointment; `purpose` is sealed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub child_id: i64,
    pub provider_id: Option<i64>,
    pub starts_at: DateTimeUtc,
    /// Sealed: AES-256-GCM ciphertext, see `mednanny_core::crypto`.
    #[sea_orm(column_type = "Text")]
    pub purpose: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub location: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
