//! `nanny_certifications`: A caregiver's certification (CPR, first aid…) and the day it expires.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "nanny_certifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub expires_on: Date,
    pub created_at: DateTimeUtc,
    /// When the expiry was last changed (a renewal); `None` while it is as first recorded.
    pub renewed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
