//! `outbox_early_status`: A Twilio status callback that came before its message's send was recorded
//! (the bridge records a batch's sends together, after the last one is answered). Applied to the
//! message when it is recorded, then removed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbox_early_status")]
pub struct Model {
    /// Twilio's `SM…` id.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub provider_sid: String,
    /// As Twilio said it (`delivered`, `read`, `undelivered`…).
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub error_code: Option<i32>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
