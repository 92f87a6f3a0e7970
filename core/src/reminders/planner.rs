//! What reminders are due: a pure function of a family's medications, appointments, choices,
//! nannies' scheduled shifts and certifications, and of the time. No I/O: the scheduler reads the rows, asks here, and inserts what comes back
//! (the table's unique key makes planning twice harmless).
//!
//! Local times are the family's: a fixed-time dose at 08:00 is 08:00 wherever the clocks stand that
//! day. Daylight saving neither skips nor doubles one: a time that does not exist (02:30 on the
//! spring-forward night) is due at the first instant after the gap (03:00), and a time that happens
//! twice (02:30 on the fall-back night) is due at the first of the two.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::domain::Schedule;
use crate::services::nanny::ScheduledShift;

/// What a reminder is for. Stored as [`ReminderKind::as_str`]; never renamed. Who each goes to is
/// the reminder service's rule (`Services::reminder_audience`), what it says its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReminderKind {
    /// A scheduled dose (fixed times, or every N hours from the last dose given).
    Dose,
    /// The last day of a course.
    CourseEnd,
    /// The evening before an appointment.
    AppointmentDayBefore,
    /// An hour before an appointment.
    AppointmentHourBefore,
    /// The family's day, to the guardians.
    DailySummary,
    /// A nanny's scheduled shift starts soon, to her.
    ShiftStart,
    /// A nanny's certification (CPR, first aid…) expires within 30 days, to the guardians and her.
    CertificationExpiry,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 7] = [
        ReminderKind::Dose,
        ReminderKind::CourseEnd,
        ReminderKind::AppointmentDayBefore,
        ReminderKind::AppointmentHourBefore,
        ReminderKind::DailySummary,
        ReminderKind::ShiftStart,
        ReminderKind::CertificationExpiry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Dose => "dose",
            ReminderKind::CourseEnd => "course_end",
            ReminderKind::AppointmentDayBefore => "appointment_day_before",
            ReminderKind::AppointmentHourBefore => "appointment_hour_before",
            ReminderKind::DailySummary => "daily_summary",
            ReminderKind::ShiftStart => "shift_start",
            ReminderKind::CertificationExpiry => "certification_expiry",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == stored)
    }

    /// Whether someone answers it (*Given* / *Skip*), so an unanswered one is escalated.
    pub fn needs_answer(self) -> bool {
        self == ReminderKind::Dose
    }
}

/// A medication as the planner needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct MedicationPlan {
    pub id: i64,
    pub child_id: i64,
    pub schedule: Schedule,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// Active and approved: a paused, stopped, pending or denied medication is never reminded.
    pub in_course: bool,
    /// When it was added: nothing due before it is planned (it was never missed).
    pub created_at: DateTime<Utc>,
    /// The last dose given (not voided), for every-N-hours.
    pub last_dose: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentPlan {
    pub id: i64,
    pub child_id: i64,
    pub starts_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A nanny's scheduled shift (one row: a weekly slot or a one-off day), of an active member.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftPlan {
    /// The schedule row's id: the reminder's subject.
    pub id: i64,
    pub member_id: i64,
    pub shift: ScheduledShift,
    /// When it was scheduled: no reminder due before it.
    pub created_at: DateTime<Utc>,
}

/// A nanny's certification, of an active member.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificationPlan {
    pub id: i64,
    pub member_id: i64,
    pub expires_on: NaiveDate,
    /// When its expiry was recorded (added, or renewed since): one recorded with less notice left
    /// is reminded at the next [`CERTIFICATION_AT`] after it.
    pub recorded_at: DateTime<Utc>,
}

/// One family's inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyPlan {
    pub family_id: i64,
    pub timezone: Tz,
    pub medications: Vec<MedicationPlan>,
    pub appointments: Vec<AppointmentPlan>,
    /// Children whose reminders a guardian paused.
    pub paused_children: Vec<i64>,
    /// When the daily summary is sent (local).
    pub summary_at: NaiveTime,
    /// When the family started: no summary before it.
    pub created_at: DateTime<Utc>,
    /// The scheduled shifts of the family's active nannies.
    pub shifts: Vec<ShiftPlan>,
    /// The certifications of the family's active members.
    pub certifications: Vec<CertificationPlan>,
}

/// A reminder to insert (unique per kind, subject and due instant).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Planned {
    pub due_at: DateTime<Utc>,
    pub kind: ReminderKind,
    pub subject: String,
    pub child_id: Option<i64>,
}

/// The local time a course-end reminder is sent on the course's last day.
pub const COURSE_END_AT: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("a valid time"),
};
/// The local time of the evening-before reminder of an appointment.
pub const DAY_BEFORE_AT: NaiveTime = match NaiveTime::from_hms_opt(18, 0, 0) {
    Some(t) => t,
    None => panic!("a valid time"),
};

/// How long before a scheduled shift its nanny is reminded: time to set out if she had forgotten,
/// yet close enough that it reads as "this shift, soon" (not a wake-up call at dawn), and early
/// enough that she is told before the guardians would start to wonder where she is.
pub const SHIFT_START_LEAD: Duration = Duration::minutes(30);
/// How far ahead of its expiry a certification is reminded: a CPR or first-aid course is usually
/// booked a few weeks out, and the family should not be left with a lapsed one in between.
pub const CERTIFICATION_NOTICE_DAYS: i64 = 30;
/// The local time a certification reminder is sent: office hours, when a course can be booked
/// (it is never urgent enough for the evening).
pub const CERTIFICATION_AT: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("a valid time"),
};

pub fn medication_subject(id: i64) -> String {
    format!("medication:{id}")
}
pub fn appointment_subject(id: i64) -> String {
    format!("appointment:{id}")
}
pub fn family_subject(id: i64) -> String {
    format!("family:{id}")
}
/// A scheduled shift's row (`shift:` names a worked shift, so not that).
pub fn shift_schedule_subject(id: i64) -> String {
    format!("shift_schedule:{id}")
}
pub fn certification_subject(id: i64) -> String {
    format!("certification:{id}")
}

/// When a certification's reminder is due: [`CERTIFICATION_NOTICE_DAYS`] before it expires at
/// [`CERTIFICATION_AT`]; one recorded later than that (less notice left, or already expired) at the
/// first [`CERTIFICATION_AT`] after it was recorded. A function of the row alone, so every round
/// plans the same instant (one reminder per certification and expiry date); a renewal moves the
/// expiry and so plans a new one.
pub fn certification_due(tz: Tz, certification: &CertificationPlan) -> DateTime<Utc> {
    let ahead = local_instant(
        tz,
        certification.expires_on - Duration::days(CERTIFICATION_NOTICE_DAYS),
        CERTIFICATION_AT,
    );
    if ahead >= certification.recorded_at {
        return ahead;
    }
    let recorded = certification.recorded_at.with_timezone(&tz).date_naive();
    let same_day = local_instant(tz, recorded, CERTIFICATION_AT);
    if same_day >= certification.recorded_at {
        same_day
    } else {
        local_instant(tz, recorded + Duration::days(1), CERTIFICATION_AT)
    }
}

/// The id in a subject (`medication:12` → 12).
pub fn subject_id(subject: &str) -> Option<i64> {
    subject.split_once(':')?.1.parse().ok()
}

/// The instant a local time stands for on a day, in `tz`: the first of two on a fall-back night,
/// the first instant after the gap on a spring-forward night.
pub fn local_instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let wanted = day.and_time(time);
    if let Some(at) = tz.from_local_datetime(&wanted).earliest() {
        return at.with_timezone(&Utc);
    }
    // In a gap: the first local minute after it that exists (gaps are at most a few hours).
    let mut local = day.and_time(time.with_second(0).unwrap_or(time));
    for _ in 0..(24 * 60) {
        local += Duration::minutes(1);
        if let Some(at) = tz.from_local_datetime(&local).earliest() {
            return at.with_timezone(&Utc);
        }
    }
    // Unreachable for real zones; fall back to reading the wall time as UTC rather than panic.
    Utc.from_utc_datetime(&wanted)
}

/// Every reminder of `family` due in `(from, to]`.
pub fn plan(family: &FamilyPlan, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Planned> {
    let tz = family.timezone;
    let mut out = Vec::new();
    let in_window = |at: DateTime<Utc>, since: DateTime<Utc>| at > from && at <= to && at >= since;
    // Local days that can hold an instant of the window (a day either side covers any offset).
    let first_day = from.with_timezone(&tz).date_naive() - Duration::days(1);
    let last_day = to.with_timezone(&tz).date_naive() + Duration::days(1);
    let days = || first_day.iter_days().take_while(move |d| *d <= last_day);
    let paused = |child: i64| family.paused_children.contains(&child);

    for med in &family.medications {
        if !med.in_course || paused(med.child_id) {
            continue;
        }
        let in_course = |day: NaiveDate| {
            med.starts_on.is_none_or(|s| day >= s) && med.ends_on.is_none_or(|e| day <= e)
        };
        let dose = |due_at| Planned {
            due_at,
            kind: ReminderKind::Dose,
            subject: medication_subject(med.id),
            child_id: Some(med.child_id),
        };
        match &med.schedule {
            Schedule::FixedTimes { times } => {
                for day in days().filter(|d| in_course(*d)) {
                    for time in times {
                        let at = local_instant(tz, day, *time);
                        if in_window(at, med.created_at) {
                            out.push(dose(at));
                        }
                    }
                }
            }
            Schedule::EveryHours { hours } => {
                // From the last dose given: a late dose moves the next reminder with it. Never
                // before a first dose (the planner does not invent when a course started).
                if let Some(last) = med.last_dose {
                    let at = last + Duration::hours(i64::from(*hours));
                    let day = at.with_timezone(&tz).date_naive();
                    if in_window(at, med.created_at) && in_course(day) {
                        out.push(dose(at));
                    }
                }
            }
            Schedule::AsNeeded => {}
        }
        if let Some(end) = med.ends_on {
            let at = local_instant(tz, end, COURSE_END_AT);
            if in_window(at, med.created_at) {
                out.push(Planned {
                    due_at: at,
                    kind: ReminderKind::CourseEnd,
                    subject: medication_subject(med.id),
                    child_id: Some(med.child_id),
                });
            }
        }
    }

    for appointment in &family.appointments {
        if paused(appointment.child_id) {
            continue;
        }
        let day = appointment.starts_at.with_timezone(&tz).date_naive();
        let evening_before = local_instant(tz, day - Duration::days(1), DAY_BEFORE_AT);
        let hour_before = appointment.starts_at - Duration::hours(1);
        for (kind, at) in [
            (ReminderKind::AppointmentDayBefore, evening_before),
            (ReminderKind::AppointmentHourBefore, hour_before),
        ] {
            // A reminder after the appointment began says nothing useful.
            if in_window(at, appointment.created_at) && at < appointment.starts_at {
                out.push(Planned {
                    due_at: at,
                    kind,
                    subject: appointment_subject(appointment.id),
                    child_id: Some(appointment.child_id),
                });
            }
        }
    }

    // A shift's start is the schedule's local time that day (DST-safe, like a dose): the reminder
    // comes a fixed lead before that instant, so a shift just after a clock change is not
    // reminded an hour early or late.
    for scheduled in &family.shifts {
        for day in days() {
            let Some((starts_at, _)) = scheduled.shift.on(day, tz) else {
                continue;
            };
            let at = starts_at - SHIFT_START_LEAD;
            if in_window(at, scheduled.created_at) {
                out.push(Planned {
                    due_at: at,
                    kind: ReminderKind::ShiftStart,
                    subject: shift_schedule_subject(scheduled.id),
                    child_id: None,
                });
            }
        }
    }

    for certification in &family.certifications {
        let at = certification_due(tz, certification);
        if in_window(at, certification.recorded_at) {
            out.push(Planned {
                due_at: at,
                kind: ReminderKind::CertificationExpiry,
                subject: certification_subject(certification.id),
                child_id: None,
            });
        }
    }

    for day in days() {
        let at = local_instant(tz, day, family.summary_at);
        if in_window(at, family.created_at) {
            out.push(Planned {
                due_at: at,
                kind: ReminderKind::DailySummary,
                subject: family_subject(family.family_id),
                child_id: None,
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a local time falls within quiet hours `[starts, ends)`, which may cross midnight.
pub fn is_quiet(at: NaiveTime, starts: NaiveTime, ends: NaiveTime) -> bool {
    if starts <= ends {
        at >= starts && at < ends
    } else {
        at >= starts || at < ends
    }
}

#[cfg(test)]
mod tests;
