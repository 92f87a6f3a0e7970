//! `dose_logs`: Every dose given. Corrections void a row (voided_at), never delete it. `ingredient_mg` is JSON: mg per active ingredient.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "dose_logs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub family_id: i64,
    pub child_id: i64,
    pub medication_id: i64,
    pub given_by_member_id: Option<i64>,
    pub given_at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub amount: f64,
    #[sea_orm(column_type = "Text")]
    pub unit: String,
    #[sea_orm(column_type = "Text")]
    pub ingredient_mg: String,
    #[sea_orm(column_type = "Text")]
    pub channel: String,
    pub flagged: bool,
    #[sea_orm(column_type = "Text")]
    pub flag_reason: Option<String>,
    pub voided_at: Option<DateTimeUtc>,
    pub voided_by_member_id: Option<i64>,
    /// Sealed: AES-256-GCM ciphertext, see `mednanny_core::crypto`.
    #[sea_orm(column_type = "Text")]
    pub note: Option<String>,
    /// The delivery that created this row (`slack:…`, `twilio:…`), so a message processed again
    /// after a crash finds it instead of writing it twice.
    pub source_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
