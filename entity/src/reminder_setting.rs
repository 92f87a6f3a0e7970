//! `reminder_settings`: A family's choices about reminders: when its daily summary is sent (HH:MM local).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reminder_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub family_id: i64,
    #[sea_orm(column_type = "Text")]
    pub summary_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
