//! Reminders: planned by a pure planner ([`planner`]), kept in the `reminders` table, claimed with a
//! lease and delivered by the bot's scheduler.
//!
//! # Layout
//! - `planner`: what is due when (time zones, daylight saving), pure and table-tested.
//! - `store`: the table: planning rows in, claiming due rows (leases), recording what happened.

pub mod planner;
pub mod store;

pub use planner::ReminderKind;
