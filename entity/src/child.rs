//! `children`: A child in a family.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "children")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub family_id: i64,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub birth_date: Date,
    pub created_at: DateTimeUtc,
    /// When the child left active care (kept in the record, hidden from lists, no doses); `None`
    /// while in care.
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
