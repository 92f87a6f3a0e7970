//! MedNanny's domain: everything that is true whichever channel a family uses.
//!
//! Channel adapters (console, Slack, WhatsApp via the bridge) turn platform events into one
//! [`engine::Inbound`] and render the engine's channel-neutral replies; the engine understands what was
//! said and calls the domain services; the services authorize, audit and write through sea-orm.
//!
//! # Layout
//! - [`settings`]: typed, layered, validated configuration (the only reader of the environment).
//! - [`db`]: connecting, migrating, and the per-family write transaction.
//! - [`owner_only`]: creating the database's files and folders so that only their owner can open them.
//! - [`crypto`]: AES-256-GCM sealing of free-text health fields, with key rotation.
//! - [`data_keys`]: the start-up check that this process holds every data key the database needs.
//! - [`audit`]: the append-only, hash-chained audit trail and its verification.
//! - [`domain`]: validated domain types (amounts, temperatures, roles, ingredients, emergency numbers).
//! - [`auth`]: the one authorization policy.
//! - [`dose_safety`]: the pure dose-safety rules (interval, daily count, daily amount, by ingredient).
//! - [`hours`]: the nanny's hours for payroll (weeks, months, overtime, the CSV), pure.
//! - [`services`]: the domain services every channel goes through.
//! - [`assistant`]: MedNannyAI's understanding: the `Brain` port, the rules brain and the model's.
//! - [`engine`]: the conversation engine: command parsing, the pure state machine, the effect runner.
//! - [`http_server`]: the HTTP server both processes run, with header and body timeouts and a
//!   connection limit.
//! - [`join_tries`]: how many wrong invite codes a sender may try (pure).
//! - [`inbox`]: the channels' durable inbox (write before acknowledging; group commit).
//! - [`outbox`]: messages to send on WhatsApp, sent by the bridge (leases, per-recipient order).
//! - [`whatsapp`]: the WhatsApp deliveries the bridge keeps for the bot.
//! - [`messages`]: the message catalogue (every sentence a user reads), keyed by locale.
//! - [`demo`]: the Garcia demo family.
//! - [`screen`]: the red-flag screen, run on every message before anything else reads it.
//! - [`clock`]: time as a port.
//! - [`runtime`]: which CPUs the process runs on (pinned before the async runtime starts).

pub mod assistant;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod crypto;
pub mod data_keys;
pub mod db;
pub mod demo;
pub mod domain;
pub mod dose_safety;
pub mod engine;
pub mod hours;
pub mod http_server;
pub mod inbox;
pub mod join_tries;
pub mod messages;
pub mod outbox;
pub mod owner_only;
pub mod reminders;
pub mod runtime;
pub mod screen;
pub mod services;
pub mod settings;
pub mod whatsapp;
