//! `assistant_usage`: tokens a family's turns spent with the assistant's model, per local day.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assistant_usage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub family_id: i64,
    /// The family's local day, `YYYY-MM-DD`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    pub tokens: i64,
    pub turns: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
