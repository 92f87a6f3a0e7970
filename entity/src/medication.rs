//! `medications`: A medication a child has, with its dose rules. `ingredients` is JSON: strength per active ingredient.
//! One a caregiver adds is `pending` until a guardian approves it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "medications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub child_id: i64,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub form: String,
    #[sea_orm(column_type = "Text")]
    pub route: String,
    #[sea_orm(column_type = "Text")]
    pub ingredients: String,
    pub dose_amount: f64,
    #[sea_orm(column_type = "Text")]
    pub dose_unit: String,
    #[sea_orm(column_type = "Text")]
    pub schedule_kind: String,
    #[sea_orm(column_type = "Text")]
    pub schedule_times: Option<String>,
    pub min_interval_minutes: i32,
    pub max_doses_per_day: Option<i32>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    /// "approved", "pending" (a caregiver added it: no dose until a guardian approves) or "denied".
    #[sea_orm(column_type = "Text")]
    pub approval: String,
    /// The caregiver who proposed it (none when a guardian or the operator added it).
    pub proposed_by_member_id: Option<i64>,
    /// The guardian who approved or denied it, and when.
    pub decided_by_member_id: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
