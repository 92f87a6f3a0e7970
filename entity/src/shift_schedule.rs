//! `shift_schedules`: A scheduled shift: weekly (`weekday`, ISO 1 = Monday) or one-off (`on_date`),
//! from `starts_minute` to `ends_minute` after local midnight in the family's time zone (an end at
//! or before the start is on the next day).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "shift_schedules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub family_id: i64,
    pub member_id: i64,
    pub weekday: Option<i32>,
    pub on_date: Option<Date>,
    pub starts_minute: i32,
    pub ends_minute: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
