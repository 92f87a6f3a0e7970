//! What the WhatsApp bridge keeps in the inbox for the bot, in one format both processes read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The inbox's name for WhatsApp deliveries.
pub const CHANNEL: &str = "whatsapp";

/// A WhatsApp delivery, as stored in the inbox (sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WhatsappInbound {
    /// A message, as Twilio's webhook parameters (`From`, `Body`, `NumMedia`, `MediaUrl0` …).
    Message { params: BTreeMap<String, String> },
    /// An outbox message WhatsApp would not deliver (outside its 24-hour window): the person is
    /// told on Slack if they have it.
    Undeliverable { to: String, outbox_id: i64 },
}

impl WhatsappInbound {
    /// The inbox key: Twilio's message id, so its retries are stored once.
    pub fn delivery_key(&self) -> String {
        match self {
            WhatsappInbound::Message { params } => format!(
                "twilio:{}",
                params.get("MessageSid").map(String::as_str).unwrap_or("")
            ),
            WhatsappInbound::Undeliverable { outbox_id, .. } => {
                format!("twilio:undeliverable:{outbox_id}")
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            WhatsappInbound::Message { .. } => "message",
            WhatsappInbound::Undeliverable { .. } => "undeliverable",
        }
    }

    /// Who it is from (or about): the `whatsapp:+…` address or the number.
    pub fn sender(&self) -> &str {
        match self {
            WhatsappInbound::Message { params } => {
                params.get("From").map(String::as_str).unwrap_or("")
            }
            WhatsappInbound::Undeliverable { to, .. } => to,
        }
    }
}
