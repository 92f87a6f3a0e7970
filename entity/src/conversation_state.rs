//! `conversation_states`: Where a conversation stands, per channel identity: versioned tagged JSON (sealed), with an optimistic `version`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "conversation_states")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub conversation_key: String,
    pub person_id: i64,
    /// Sealed: AES-256-GCM ciphertext, see `mednanny_core::crypto`.
    #[sea_orm(column_type = "Text")]
    pub state: String,
    pub schema_version: i32,
    pub version: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
