//! `reminder_pauses`: A child whose reminders a guardian paused (no row: reminders on).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reminder_pauses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub child_id: i64,
    pub family_id: i64,
    pub paused_by_member_id: Option<i64>,
    pub paused_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
