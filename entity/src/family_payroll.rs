//! `family_payroll`: A family's payroll settings: the day its working week starts (ISO weekday,
//! 1 = Monday), which decides where weekly overtime is counted. No row means Monday.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "family_payroll")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub family_id: i64,
    pub week_starts_on: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
