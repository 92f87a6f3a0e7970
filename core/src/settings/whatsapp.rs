//! The WhatsApp channel's settings: the bridge process, Twilio, and the internal calls between the
//! bridge and the bot.

use serde::Deserialize;

use super::{env_name, Secret, SettingsError};
use crate::http_server::HttpLimits;

/// `[bridge]`: the `twilio-bridge` process.
#[derive(Debug, Clone, Deserialize)]
pub struct BridgeSettings {
    /// Where the bridge serves Twilio's webhooks, /healthz and /readyz.
    pub listen: String,
    /// The bot's HTTP API, told about each new inbound message.
    pub bot_url: String,
    /// The largest webhook body accepted, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Messages sent to Twilio at once.
    pub senders: u32,
    /// A message being sent is another bridge's to send after this many seconds (this one died).
    pub lease_secs: u32,
    /// A request's head must arrive within this many milliseconds (also the idle keep-alive limit).
    pub header_timeout_ms: u64,
    /// A request's body must arrive whole within this many milliseconds of its head.
    pub body_timeout_ms: u64,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: u32,
}

impl BridgeSettings {
    /// The limits of the bridge's HTTP server (checked when the settings were loaded).
    pub fn http_limits(&self) -> HttpLimits {
        super::http_limits(
            self.header_timeout_ms,
            self.body_timeout_ms,
            self.max_connections,
        )
    }
}

/// `[bot]`: what the bot needs to reach the bridge.
#[derive(Debug, Clone, Deserialize)]
pub struct BotSettings {
    /// The bridge, told about new outbox rows.
    pub bridge_url: String,
}

/// `[internal]`: the shared secret of the bot's and the bridge's internal calls. Environment only.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InternalSettings {
    #[serde(default)]
    pub secret: Option<Secret>,
}

/// Twilio's Content API templates (`HX…` content SIDs), per kind of message sent outside
/// WhatsApp's 24-hour window. A template never names a drug, a dose or a diagnosis.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TemplateSettings {
    #[serde(default)]
    pub invite: String,
    #[serde(default)]
    pub alert: String,
    #[serde(default)]
    pub reminder: String,
    #[serde(default)]
    pub link: String,
}

/// `[twilio]`.
#[derive(Debug, Clone, Deserialize)]
pub struct TwilioSettings {
    /// Comma-separated auth tokens; a request signed with any of them is Twilio's (so a token can
    /// be rotated without downtime). The first one authenticates REST calls. Environment only.
    #[serde(default)]
    pub auth_token: Option<Secret>,
    /// `AC…`.
    #[serde(default)]
    pub account_sid: String,
    /// Twilio's REST API base (`https://api.twilio.com`; a regional edge or a local server).
    pub api_url: String,
    /// The bridge's public base URL as Twilio calls it (`https://bridge.example.com`): signatures are
    /// computed over it, never over the Host header a proxy passes on.
    #[serde(default)]
    pub public_url: String,
    /// The WhatsApp sender, E.164 (`+14155238886`, Twilio's sandbox number).
    #[serde(default)]
    pub whatsapp_from: String,
    #[serde(default)]
    pub templates: TemplateSettings,
}

/// Twilio's settings, checked: what the bridge needs before it serves.
#[derive(Debug, Clone)]
pub struct TwilioAccount {
    pub auth_tokens: Vec<Secret>,
    pub account_sid: String,
    pub api_url: String,
    pub public_url: String,
    pub whatsapp_from: String,
    pub templates: TemplateSettings,
}

impl TwilioSettings {
    /// Everything the bridge needs, or an error naming the first setting missing or malformed.
    pub fn account(&self) -> Result<TwilioAccount, SettingsError> {
        let tokens: Vec<Secret> = self
            .auth_token
            .as_ref()
            .map(|t| {
                t.expose()
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(Secret::new)
                    .collect()
            })
            .unwrap_or_default();
        if tokens.is_empty() {
            return Err(missing("twilio.auth_token", "Twilio's auth token"));
        }
        let sid = self.account_sid.trim();
        if sid.is_empty() {
            return Err(missing("twilio.account_sid", "the account SID (AC…)"));
        }
        if !(sid.starts_with("AC") && sid.len() == 34) {
            return Err(SettingsError::new(
                "twilio.account_sid",
                "must be an account SID: AC followed by 32 characters",
            ));
        }
        let public_url = self.public_url.trim().trim_end_matches('/');
        if public_url.is_empty() {
            return Err(missing(
                "twilio.public_url",
                "the bridge's public base URL as Twilio calls it",
            ));
        }
        check_url("twilio.public_url", public_url)?;
        let from = self.whatsapp_from.trim().trim_start_matches("whatsapp:");
        if !from.starts_with('+')
            || from.len() < 8
            || !from[1..].bytes().all(|b| b.is_ascii_digit())
        {
            return Err(SettingsError::new(
                "twilio.whatsapp_from",
                "must be the WhatsApp sender's number in E.164, e.g. +14155238886",
            ));
        }
        Ok(TwilioAccount {
            auth_tokens: tokens,
            account_sid: sid.to_string(),
            api_url: self.api_url.trim().trim_end_matches('/').to_string(),
            public_url: public_url.to_string(),
            whatsapp_from: from.to_string(),
            templates: self.templates.clone(),
        })
    }
}

impl InternalSettings {
    /// The shared secret, or an error naming it.
    pub fn secret(&self) -> Result<Secret, SettingsError> {
        match &self.secret {
            Some(secret) if secret.expose().len() >= 16 => Ok(secret.clone()),
            Some(_) => Err(SettingsError::new(
                "internal.secret",
                "is too short: use at least 16 random characters",
            )),
            None => Err(missing(
                "internal.secret",
                "the secret the bot and the bridge share",
            )),
        }
    }
}

fn missing(key: &str, what: &str) -> SettingsError {
    SettingsError::new(key, format!("is missing: set {} ({what})", env_name(key)))
}

/// An http(s) URL with a host, or an error naming `key`.
pub(super) fn check_url(key: &str, url: &str) -> Result<(), SettingsError> {
    let url = url.trim();
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    if host.is_empty() || host.starts_with('/') || url.contains(char::is_whitespace) {
        return Err(SettingsError::new(
            key,
            format!("{url:?} must be an http(s) URL"),
        ));
    }
    Ok(())
}

/// Checks the settings every process reads at start (the ones with defaults).
pub(super) fn validate(
    bridge: &BridgeSettings,
    bot: &BotSettings,
    twilio: &TwilioSettings,
) -> Result<(), SettingsError> {
    if bridge.listen.parse::<std::net::SocketAddr>().is_err() {
        return Err(SettingsError::new(
            "bridge.listen",
            format!("{:?} is not an address like 127.0.0.1:8082", bridge.listen),
        ));
    }
    check_url("bridge.bot_url", &bridge.bot_url)?;
    check_url("bot.bridge_url", &bot.bridge_url)?;
    check_url("twilio.api_url", &twilio.api_url)?;
    if !(1024..=1_048_576).contains(&bridge.max_body_bytes) {
        return Err(SettingsError::new(
            "bridge.max_body_bytes",
            "must be between 1024 and 1048576 bytes",
        ));
    }
    if !(1..=3600).contains(&bridge.lease_secs) {
        return Err(SettingsError::new(
            "bridge.lease_secs",
            "must be between 1 and 3600 seconds",
        ));
    }
    super::check_http_limits(
        "bridge",
        bridge.header_timeout_ms,
        bridge.body_timeout_ms,
        bridge.max_connections,
    )?;
    if !(1..=64).contains(&bridge.senders) {
        return Err(SettingsError::new(
            "bridge.senders",
            "must be between 1 and 64",
        ));
    }
    Ok(())
}
