//! `vaccinations`: A vaccine dose given; `notes` is sealed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "vaccinations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub child_id: i64,
    #[sea_orm(column_type = "Text")]
    pub vaccine: String,
    pub dose_number: Option<i32>,
    pub given_on: Date,
    /// Sealed: AES-256-GCM ciphertext, see `mednanny_core::crypto`.
    #[sea_orm(column_type = "Text")]
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
