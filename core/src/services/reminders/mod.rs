//! Reminders as the family sees them: what the scheduler plans from (medications, appointments,
//! choices, nannies' schedules and certifications), who a due one goes to, what it says, answering
//! one (*Given* goes through the engine's dose path; *Skip* is recorded here), pausing a child's
//! reminders, the daily summary's time and content.
//!
//! Split along what the scheduler asks: [`planning`] (what to plan from), [`recipients`] (whom a
//! due reminder goes to), [`messages`] (what it says), [`answers`] (Given, Skip, pause and the
//! family's and members' choices).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use entity::{child, medication, nanny_certification};

use crate::domain::{DoseAmount, Schedule};
use crate::messages::Locale;
use crate::reminders::planner::{self, CertificationPlan, ReminderKind};
use crate::reminders::store::Reminder;

/// The daily summary's time when a family has not picked one.
pub const DEFAULT_SUMMARY_AT: NaiveTime = match NaiveTime::from_hms_opt(20, 0, 0) {
    Some(t) => t,
    None => panic!("a valid time"),
};

/// A fixed-time dose logged this long before its reminder was due counts as that dose.
pub const EARLY_DOSE_MINUTES: i64 = 60;

/// A member a reminder goes to, and how they are reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub member_id: i64,
    pub person_id: i64,
    pub locale: Locale,
    /// `team:user`.
    pub slack: Option<String>,
    /// E.164, verified.
    pub whatsapp: Option<String>,
    /// Preferred: the channel they last wrote from (Slack when they have never written).
    pub prefers_whatsapp: bool,
    /// They wrote on WhatsApp within its 24-hour window: plain text may be sent, else a template.
    pub whatsapp_window_open: bool,
}

/// Whom a reminder is meant for, before quiet hours leave anyone out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The members on shift, else the guardians.
    Responsible,
    Guardians,
    /// One member: a nanny's own shift.
    Member(i64),
    /// The guardians and one member: a nanny's certification is hers to renew and the family's to
    /// know about.
    GuardiansAnd(i64),
}

/// A batch of reminders' children, pauses, medications and recent doses: see
/// [`Services::reminder_facts`].
#[derive(Debug, Default)]
pub struct ReminderFacts {
    children: HashMap<i64, child::Model>,
    paused: HashSet<i64>,
    medications: HashMap<i64, medication::Model>,
    /// Per medication, the doses given (not voided) since the batch's earliest "since", oldest
    /// first: when, and by which member.
    doses: HashMap<i64, Vec<GivenDose>>,
}

/// When a dose was given, and by which member.
type GivenDose = (DateTime<Utc>, Option<i64>);

impl ReminderFacts {
    /// The dose that answers a dose reminder of the batch, if one was logged (not voided): who
    /// gave it. For every N hours, any dose after the one the reminder counted from
    /// (`due_at - N h`), so a dose given early answers it however early; for fixed times, one
    /// logged up to [`EARLY_DOSE_MINUTES`] before it was due.
    pub fn dose_answering(&self, reminder: &Reminder) -> Option<Option<i64>> {
        if reminder.kind != ReminderKind::Dose {
            return None;
        }
        let id = planner::subject_id(&reminder.subject)?;
        let since = answered_since(self.medications.get(&id)?, reminder.due_at);
        self.doses
            .get(&id)?
            .iter()
            .find(|(given_at, _)| *given_at > since)
            .map(|(_, by)| *by)
    }
}

/// A dose given after this moment answers a dose reminder of `medication` due at `due_at`.
fn answered_since(medication: &medication::Model, due_at: DateTime<Utc>) -> DateTime<Utc> {
    match Schedule::parse(
        &medication.schedule_kind,
        medication.schedule_times.as_deref(),
    ) {
        Some(Schedule::EveryHours { hours }) => due_at - Duration::hours(i64::from(hours)),
        _ => due_at - Duration::minutes(EARLY_DOSE_MINUTES),
    }
}

/// A certification row as the planner sees it: its expiry recorded when it was added, or when it
/// was last renewed.
fn certification_plan(row: &nanny_certification::Model) -> CertificationPlan {
    CertificationPlan {
        id: row.id,
        member_id: row.member_id,
        expires_on: row.expires_on,
        recorded_at: row.renewed_at.unwrap_or(row.created_at),
    }
}

/// A dose reminder's medication, as *Given* logs it.
#[derive(Debug, Clone, PartialEq)]
pub struct DoseDue {
    pub reminder_id: i64,
    pub child_id: i64,
    pub medication_id: i64,
    pub amount: DoseAmount,
}

mod answers;
mod messages;
mod planning;
mod recipients;
