//! `[reminders]`: the scheduler's pace and windows.

use serde::Deserialize;

use super::SettingsError;

#[derive(Debug, Clone, Deserialize)]
pub struct ReminderSettings {
    /// Whether `mednanny serve` runs the scheduler (several bots may: leases keep each reminder
    /// sent once).
    pub enabled: bool,
    /// How often the scheduler plans and sends, in seconds.
    pub interval_secs: u64,
    /// A dose reminder nobody answered goes to the guardians after this many minutes (once).
    pub escalate_after_minutes: i64,
    /// After a restart, reminders due within this many minutes are still sent; older ones are
    /// recorded as missed.
    pub grace_minutes: i64,
    /// A claimed reminder is another bot's to send after this many seconds (the first one died).
    pub lease_secs: i64,
    /// Reminders claimed per round.
    pub batch: u64,
}

impl ReminderSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        let check = |ok: bool, key: &str, problem: &str| {
            if ok {
                Ok(())
            } else {
                Err(SettingsError::new(format!("reminders.{key}"), problem))
            }
        };
        check(
            (1..=3600).contains(&self.interval_secs),
            "interval_secs",
            "must be between 1 and 3600",
        )?;
        check(
            (1..=24 * 60).contains(&self.escalate_after_minutes),
            "escalate_after_minutes",
            "must be between 1 and 1440",
        )?;
        check(
            (0..=24 * 60).contains(&self.grace_minutes),
            "grace_minutes",
            "must be between 0 and 1440",
        )?;
        check(
            (5..=3600).contains(&self.lease_secs),
            "lease_secs",
            "must be between 5 and 3600",
        )?;
        check(
            (1..=10_000).contains(&self.batch),
            "batch",
            "must be between 1 and 10000",
        )
    }
}
