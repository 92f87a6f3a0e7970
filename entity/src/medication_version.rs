//! `medication_versions`: every version of a medication's rules, proposed or decided. The
//! `medications` row holds the version in force; a caregiver's change waits here as `proposed`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "medication_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub medication_id: i64,
    /// 1, 2, 3… per medication.
    pub version: i32,
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
    /// "approved", "proposed", "denied" or "replaced" (a newer proposal took its place).
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub proposed_by_member_id: Option<i64>,
    pub proposed_at: DateTimeUtc,
    pub decided_by_member_id: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
