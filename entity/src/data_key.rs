//! `data_keys`: a data key this database's sealed values were sealed with; `check_value` is a fixed
//! text sealed with that key, so a start can tell that it holds the key itself, not just its id.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "data_keys")]
pub struct Model {
    /// The first 8 hex digits of the key's SHA-256 (`mednanny_core::crypto`).
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub key_id: String,
    /// Sealed: AES-256-GCM ciphertext, see `mednanny_core::crypto`.
    #[sea_orm(column_type = "Text")]
    pub check_value: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
