//! `outbox`: a message to send on a channel (WhatsApp through Twilio), queued by the bot or a
//! service and sent by the bridge; `content` is sealed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub channel: String,
    /// E.164 for WhatsApp.
    #[sea_orm(column_type = "Text")]
    pub recipient: String,
    pub person_id: Option<i64>,
    /// Sealed JSON: a text, or a template kind and its variables.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// Unique: what the message answers or announces (`whatsapp:SM…:0`, `invite:12`).
    #[sea_orm(column_type = "Text")]
    pub dedupe_key: String,
    /// `queued`, `sent`, `delivered`, `read`, `failed` or `undeliverable`.
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    /// The provider's id for the sent message (Twilio's `SM…`).
    #[sea_orm(column_type = "Text", nullable)]
    pub provider_sid: Option<String>,
    pub error_code: Option<i32>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
