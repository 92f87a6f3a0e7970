//! `invites`: A one-time code (stored hashed) that makes its holder a member.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "invites")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub family_id: i64,
    #[sea_orm(column_type = "Text")]
    pub code_hash: String,
    #[sea_orm(column_type = "Text")]
    pub role: String,
    pub created_by_member_id: Option<i64>,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub used_by_person_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// E.164: the invite was sent to this WhatsApp number, which joins by replying JOIN.
    #[sea_orm(column_type = "Text", nullable)]
    pub phone: Option<String>,
    /// The name the guardian gave the person invited by phone.
    #[sea_orm(column_type = "Text", nullable)]
    pub invitee_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
