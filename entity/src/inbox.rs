//! `inbox`: a message a channel acknowledged, kept until it is processed (and a day after, so a
//! redelivery is recognised); `payload` is sealed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "inbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub channel: String,
    /// Unique: the channel's own id for the delivery (`slack:ev:Ev…`, `slack:trigger:…`).
    #[sea_orm(column_type = "Text")]
    pub delivery_key: String,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// Sealed; emptied once the message is processed.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// `pending` or `done`.
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub attempts: i32,
    pub received_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// Set while a process works on the row (WhatsApp rows, which the bridge writes and a bot
    /// claims): another process takes it only once the lease has run out.
    pub lease_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
