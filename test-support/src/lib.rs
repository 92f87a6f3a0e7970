//! Local, in-process stand-ins for Slack and Twilio, for integration tests and benchmarks.
//!
//! [`FakeSlack`] speaks Slack's real wire protocols, so the unmodified `slack-morphism`
//! client (feature `hyper`) talks to it exactly as it talks to slack.com:
//!
//! * the **Web API** over HTTP: `GET`/`POST {api_url}/{method}`, bearer token in
//!   `Authorization`, JSON or `x-www-form-urlencoded` bodies, `{"ok":...}` answers,
//!   HTTP 429 + `Retry-After` when rate limited;
//! * **Socket Mode** over WebSocket: `apps.connections.open` hands out a single-use
//!   `ws://…/link?ticket=N` URL; the socket sends `hello`, then envelopes; the client's
//!   acknowledgements (`{"envelope_id":…,"payload":…}`) are read back and recorded.
//!
//! Everything the bot does is recorded ([`ApiCall`], [`Ack`]) and can be awaited
//! ([`FakeSlack::wait_for_call`], [`FakeSlack::wait_for_ack`]) without polling, and
//! faults can be injected: rate limits, API errors, `disconnect` messages, dropped sockets.
//!
//! Pointing slack-morphism at it (the base URL has **no trailing slash**, because
//! slack-morphism joins it as `format!("{base}/{method}")`):
//!
//! ```text
//! let https = hyper_rustls::HttpsConnectorBuilder::new()
//!     .with_provider_and_native_roots(rustls::crypto::ring::default_provider())?
//!     .https_or_http() // the fake is plain HTTP
//!     .enable_http1()
//!     .enable_http2()
//!     .build();
//! let connector = SlackClientHyperConnector::from(https).with_slack_api_url(&fake.api_url());
//! let client: SlackHyperClient = SlackClient::new(connector);
//! ```
//!
//! [`FakeTwilio`] does the same for Twilio's Programmable Messaging REST API
//! (`POST {api_url}/2010-04-01/Accounts/{sid}/Messages.json`, Basic auth, form bodies,
//! Twilio's JSON answers and error codes), records what was sent ([`SentMessage`]), can be
//! told to fail ([`Scripted`]: 429, 5xx, 21211, 63016…), and plays Twilio's side of the
//! webhooks: signed status callbacks ([`FakeTwilio::send_status`]) and inbound WhatsApp
//! messages ([`inbound_whatsapp`] + [`post_signed`]), signed with [`twilio_signature`].
//!
//! # Layout
//!
//! * `lib.rs` — constants (tokens and the fake workspace's ids) and re-exports.
//! * `server.rs` — [`FakeSlack`]: start-up, the shared state, the recording and waiting API,
//!   fault injection.
//! * `web_api.rs` — the HTTP side: parameter parsing, token checks, one answer per method,
//!   the `response_url` endpoint.
//! * `socket_mode.rs` — the WebSocket side: hello, envelope delivery, ack recording,
//!   `disconnect` and abrupt drops.
//! * `payloads.rs` — pure builders for the payloads Slack would put in envelopes
//!   (DMs, mentions, App Home, slash commands, button clicks).
//! * `llm.rs` — [`FakeLlm`]: an OpenAI-compatible chat and transcription server, scripted
//!   per test (answers, tool calls, 429/500, garbage, delays), recording every request.
//! * `twilio.rs` — [`FakeTwilio`] and the Twilio webhook helpers: its own server, state and
//!   constants (only `server::lock` is shared).
//! * [`slow_clients`] — clients slow on purpose (heads never finished, bodies that trickle),
//!   for the HTTP servers' timeouts and connection limit.
//! * `tests/` — the real slack-morphism client and Socket Mode listener against the fake,
//!   which is the proof that the wire formats match; `tests/twilio.rs` drives the fake
//!   Twilio with plain HTTP requests shaped like Twilio's.

mod llm;
mod payloads;
mod server;
pub mod slow_clients;
mod socket_mode;
mod twilio;
mod web_api;

pub use llm::{FakeLlm, LlmRequest, LlmScript};
pub use payloads::{
    app_home_opened, app_mention, button_click, file_share_im, home_button_click, message_im,
    slack_audio_clip, slack_image, slash_command, view_submission,
};
pub use server::{Ack, ApiCall, FakeSlack, SharedFile};
pub use twilio::{
    inbound_whatsapp, post_signed, twilio_signature, FakeTwilio, Scripted, SentMessage,
    TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
};

/// The app-level token (`xapp-…`) that `apps.connections.open` requires.
pub const APP_TOKEN: &str = "xapp-1-test";
/// The bot token (`xoxb-…`) every other Web API method requires.
pub const BOT_TOKEN: &str = "xoxb-test";
/// The fake workspace's team id, as returned by [`FakeSlack::team_id`].
pub const TEAM_ID: &str = "T0FAMILY";
/// The fake workspace's domain (`https://{TEAM_DOMAIN}.slack.com/`).
pub const TEAM_DOMAIN: &str = "family";
/// The app id (`api_app_id` in payloads, `connection_info.app_id` in hello).
pub const APP_ID: &str = "A0MEDNANNY";
/// The bot's user id, as returned by `auth.test`.
pub const BOT_USER_ID: &str = "U0BOT";
/// The bot's bot id, as returned by `auth.test`.
pub const BOT_ID: &str = "B0BOT";
/// The slash command [`slash_command`] builds.
pub const SLASH_COMMAND: &str = "/mednanny";
