//! Reminders as the family sees them: what the scheduler plans from (medications, appointments,
//! choices, nannies' schedules and certifications), who a due one goes to, what it says, answering
//! one (*Given* goes through the engine's dose path; *Skip* is recorded here), pausing a child's
//! reminders, the daily summary's time and content.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use entity::{
    appointment, care_note, child, dose_log, family, identity, measurement, medication, member,
    nanny_certification, person, quiet_hours, reminder, reminder_pause, reminder_setting, shift,
    shift_schedule,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::domain::{Approval, DoseAmount, DoseUnit, IdentityKind, MemberStatus, Role, Schedule};
use crate::messages::{ChildDay, DoseLine, Locale, Msg};
use crate::reminders::planner::{
    self, AppointmentPlan, CertificationPlan, FamilyPlan, MedicationPlan, ReminderKind, ShiftPlan,
};
use crate::reminders::store::{parse_members, Reminder, Status, SKIP_REASON_FIELD};
use crate::services::nanny::ScheduledShift;

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

/// A dose reminder's medication, as *Given* logs it.
#[derive(Debug, Clone, PartialEq)]
pub struct DoseDue {
    pub reminder_id: i64,
    pub child_id: i64,
    pub medication_id: i64,
    pub amount: DoseAmount,
}

impl Services {
    /// Every family's planning inputs, read in a few queries (not per family).
    pub async fn reminder_plans(&self) -> ServiceResult<Vec<FamilyPlan>> {
        let conn = self.db().conn();
        let families = family::Entity::find().all(conn).await?;
        let children: HashMap<i64, child::Model> = child::Entity::find()
            .filter(child::Column::ArchivedAt.is_null())
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let medications = medication::Entity::find()
            .filter(medication::Column::Active.eq(true))
            .filter(medication::Column::Approval.eq(Approval::Approved.as_str()))
            .filter(medication::Column::ScheduleKind.ne("as_needed"))
            .all(conn)
            .await?;
        let every_hours: Vec<i64> = medications
            .iter()
            .filter(|m| m.schedule_kind == "every_hours")
            .map(|m| m.id)
            .collect();
        let mut last_dose: HashMap<i64, DateTime<Utc>> = HashMap::new();
        if !every_hours.is_empty() {
            for dose in dose_log::Entity::find()
                .filter(dose_log::Column::MedicationId.is_in(every_hours))
                .filter(dose_log::Column::VoidedAt.is_null())
                .filter(dose_log::Column::GivenAt.gt(self.now() - Duration::days(3)))
                .all(conn)
                .await?
            {
                let last = last_dose.entry(dose.medication_id).or_insert(dose.given_at);
                *last = (*last).max(dose.given_at);
            }
        }
        let appointments = appointment::Entity::find()
            .filter(appointment::Column::StartsAt.gt(self.now()))
            .all(conn)
            .await?;
        let paused: HashSet<i64> = reminder_pause::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(|p| p.child_id)
            .collect();
        // Schedules and certifications of active members only: a nanny who left is reminded of
        // nothing. Members not active are few, so those are read rather than every member.
        let inactive: HashSet<i64> = member::Entity::find()
            .filter(member::Column::Status.ne(MemberStatus::Active.as_str()))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        // A round plans about a day back (zones are within ±14 h of UTC): one-off shifts two days
        // either side of today cover it; weekly ones happen every week.
        let today = self.now().date_naive();
        let schedules = shift_schedule::Entity::find()
            .filter(
                Condition::any()
                    .add(shift_schedule::Column::OnDate.is_null())
                    .add(
                        shift_schedule::Column::OnDate
                            .between(today - Duration::days(2), today + Duration::days(2)),
                    ),
            )
            .all(conn)
            .await?;
        // A certification's reminder is due 30 days before it expires, or just after it was
        // recorded with less notice left: only those can fall in a round's window.
        let notice = planner::CERTIFICATION_NOTICE_DAYS;
        let certifications = nanny_certification::Entity::find()
            .filter(nanny_certification::Column::ExpiresOn.lte(today + Duration::days(notice + 2)))
            .filter(
                Condition::any()
                    .add(
                        nanny_certification::Column::ExpiresOn
                            .gte(today + Duration::days(notice - 2)),
                    )
                    .add(nanny_certification::Column::CreatedAt.gt(self.now() - Duration::days(2))),
            )
            .all(conn)
            .await?;
        let certified: HashMap<i64, i64> = if certifications.is_empty() {
            HashMap::new()
        } else {
            member::Entity::find()
                .filter(member::Column::Id.is_in(certifications.iter().map(|c| c.member_id)))
                .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
                .all(conn)
                .await?
                .into_iter()
                .map(|m| (m.id, m.family_id))
                .collect()
        };
        let summary_at: HashMap<i64, NaiveTime> = reminder_setting::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|s| {
                Some((
                    s.family_id,
                    NaiveTime::parse_from_str(&s.summary_at, "%H:%M").ok()?,
                ))
            })
            .collect();
        let mut plans: HashMap<i64, FamilyPlan> = families
            .into_iter()
            .map(|f| {
                (
                    f.id,
                    FamilyPlan {
                        family_id: f.id,
                        timezone: f.timezone.parse().unwrap_or(chrono_tz::UTC),
                        medications: Vec::new(),
                        appointments: Vec::new(),
                        paused_children: Vec::new(),
                        summary_at: summary_at.get(&f.id).copied().unwrap_or(DEFAULT_SUMMARY_AT),
                        created_at: f.created_at,
                        shifts: Vec::new(),
                        certifications: Vec::new(),
                    },
                )
            })
            .collect();
        for m in medications {
            let Some(child) = children.get(&m.child_id) else {
                continue;
            };
            let Some(schedule) = Schedule::parse(&m.schedule_kind, m.schedule_times.as_deref())
            else {
                continue;
            };
            if let Some(plan) = plans.get_mut(&child.family_id) {
                plan.medications.push(MedicationPlan {
                    id: m.id,
                    child_id: m.child_id,
                    schedule,
                    starts_on: m.starts_on,
                    ends_on: m.ends_on,
                    in_course: true,
                    created_at: m.created_at,
                    last_dose: last_dose.get(&m.id).copied(),
                });
            }
        }
        for a in appointments {
            let Some(child) = children.get(&a.child_id) else {
                continue;
            };
            if let Some(plan) = plans.get_mut(&child.family_id) {
                plan.appointments.push(AppointmentPlan {
                    id: a.id,
                    child_id: a.child_id,
                    starts_at: a.starts_at,
                    created_at: a.created_at,
                });
            }
        }
        for row in schedules
            .iter()
            .filter(|r| !inactive.contains(&r.member_id))
        {
            if let Some(plan) = plans.get_mut(&row.family_id) {
                plan.shifts.push(ShiftPlan {
                    id: row.id,
                    member_id: row.member_id,
                    shift: ScheduledShift::from_row(row),
                    created_at: row.created_at,
                });
            }
        }
        for c in certifications {
            let Some(family_id) = certified.get(&c.member_id) else {
                continue;
            };
            if let Some(plan) = plans.get_mut(family_id) {
                plan.certifications.push(CertificationPlan {
                    id: c.id,
                    member_id: c.member_id,
                    expires_on: c.expires_on,
                    created_at: c.created_at,
                });
            }
        }
        for child in children.values().filter(|c| paused.contains(&c.id)) {
            if let Some(plan) = plans.get_mut(&child.family_id) {
                plan.paused_children.push(child.id);
            }
        }
        let mut plans: Vec<FamilyPlan> = plans.into_values().collect();
        plans.sort_by_key(|p| p.family_id);
        Ok(plans)
    }

    /// Whom a due reminder is meant for, by its kind: the daily summary the guardians; a shift's
    /// start its nanny alone (she is not on shift yet); a certification expiring the guardians and
    /// the nanny it belongs to; anything else whoever is responsible (the members on shift, else
    /// the guardians). `None` when the reminder is for nobody any more: its schedule or
    /// certification was removed, or its nanny left the family. The scheduler looks the audience's
    /// members up once per family and batch with [`Services::recipients`] (quiet hours leave a
    /// member out; the list is empty when everyone is, and the reminder waits).
    pub async fn reminder_audience(&self, reminder: &Reminder) -> ServiceResult<Option<Audience>> {
        Ok(Some(match reminder.kind {
            ReminderKind::DailySummary => Audience::Guardians,
            ReminderKind::ShiftStart => match self.reminded_schedule(reminder).await? {
                Some(row) => Audience::Member(row.member_id),
                None => return Ok(None),
            },
            ReminderKind::CertificationExpiry => match self.reminded_certification(reminder).await?
            {
                Some(row) => Audience::GuardiansAnd(row.member_id),
                None => return Ok(None),
            },
            ReminderKind::Dose
            | ReminderKind::CourseEnd
            | ReminderKind::AppointmentDayBefore
            | ReminderKind::AppointmentHourBefore => Audience::Responsible,
        }))
    }

    /// The family's active members the audience names, less those in their quiet hours, with how
    /// each is reached.
    pub async fn recipients(
        &self,
        family_id: i64,
        audience: Audience,
        at: DateTime<Utc>,
    ) -> ServiceResult<Vec<Recipient>> {
        Ok(self
            .recipients_in(&[(family_id, audience)], at)
            .await?
            .remove(&(family_id, audience))
            .unwrap_or_default())
    }

    /// [`Services::recipients`] for several families and audiences at once, in five queries
    /// whatever their number (members, open shifts, quiet hours, people, identities): the
    /// scheduler asks for every family of a claimed batch together, where a family at a time was
    /// most of its statements on PostgreSQL (docs/benchmarks.md).
    pub async fn recipients_in(
        &self,
        wanted: &[(i64, Audience)],
        at: DateTime<Utc>,
    ) -> ServiceResult<HashMap<(i64, Audience), Vec<Recipient>>> {
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let conn = self.db().conn();
        let families: Vec<i64> = wanted
            .iter()
            .map(|(family, _)| *family)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let info = self.families_info(&families).await?;
        let mut members: HashMap<i64, Vec<member::Model>> = HashMap::new();
        for m in member::Entity::find()
            .filter(member::Column::FamilyId.is_in(families.iter().copied()))
            .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
            .order_by_asc(member::Column::Id)
            .all(conn)
            .await?
        {
            members.entry(m.family_id).or_default().push(m);
        }
        let shifts_wanted: Vec<i64> = wanted
            .iter()
            .filter(|(_, audience)| *audience == Audience::Responsible)
            .map(|(family, _)| *family)
            .collect();
        let on_shift: HashSet<i64> = if shifts_wanted.is_empty() {
            HashSet::new()
        } else {
            shift::Entity::find()
                .filter(shift::Column::FamilyId.is_in(shifts_wanted))
                .filter(shift::Column::ClockOutAt.is_null())
                .all(conn)
                .await?
                .into_iter()
                .map(|s| s.member_id)
                .collect()
        };
        let member_ids = members.values().flatten().map(|m| m.id);
        let quiet: HashMap<i64, (NaiveTime, NaiveTime)> = quiet_hours::Entity::find()
            .filter(quiet_hours::Column::MemberId.is_in(member_ids))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|q| {
                Some((
                    q.member_id,
                    (
                        NaiveTime::parse_from_str(&q.starts, "%H:%M").ok()?,
                        NaiveTime::parse_from_str(&q.ends, "%H:%M").ok()?,
                    ),
                ))
            })
            .collect();
        let no_one = Vec::new();
        let chosen: Vec<((i64, Audience), Vec<&member::Model>)> = wanted
            .iter()
            .map(|&(family, audience)| {
                let members = members.get(&family).unwrap_or(&no_one);
                let tz = info.get(&family).map_or(chrono_tz::UTC, |f| f.timezone);
                let local = at.with_timezone(&tz).time();
                let awake = |m: &&member::Model| {
                    quiet
                        .get(&m.id)
                        .is_none_or(|(starts, ends)| !planner::is_quiet(local, *starts, *ends))
                };
                let guardian = |m: &&member::Model| m.role == Role::Guardian.as_str();
                let chosen = match audience {
                    Audience::Responsible => {
                        let shift_members: Vec<&member::Model> = members
                            .iter()
                            .filter(|m| on_shift.contains(&m.id))
                            .filter(awake)
                            .collect();
                        if shift_members.is_empty() {
                            members.iter().filter(guardian).filter(awake).collect()
                        } else {
                            shift_members
                        }
                    }
                    Audience::Guardians => members.iter().filter(guardian).filter(awake).collect(),
                    Audience::Member(id) => members
                        .iter()
                        .filter(|m| m.id == id)
                        .filter(awake)
                        .collect(),
                    Audience::GuardiansAnd(id) => members
                        .iter()
                        .filter(|m| guardian(m) || m.id == id)
                        .filter(awake)
                        .collect(),
                };
                ((family, audience), chosen)
            })
            .collect();
        let people: HashSet<i64> = chosen
            .iter()
            .flat_map(|(_, members)| members.iter().map(|m| m.person_id))
            .collect();
        if people.is_empty() {
            return Ok(chosen
                .into_iter()
                .map(|(key, _)| (key, Vec::new()))
                .collect());
        }
        let persons: HashMap<i64, person::Model> = person::Entity::find()
            .filter(person::Column::Id.is_in(people.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut identities: HashMap<i64, Vec<identity::Model>> = HashMap::new();
        for i in identity::Entity::find()
            .filter(identity::Column::PersonId.is_in(people))
            .order_by_asc(identity::Column::Id)
            .all(conn)
            .await?
        {
            identities.entry(i.person_id).or_default().push(i);
        }
        let reached = |m: &member::Model| {
            let mine = identities.get(&m.person_id).map_or(&[][..], Vec::as_slice);
            let slack = mine.iter().find(|i| i.kind == IdentityKind::Slack.as_str());
            let whatsapp = mine
                .iter()
                .find(|i| i.kind == IdentityKind::Whatsapp.as_str() && i.verified);
            let prefers_whatsapp = match (slack, whatsapp) {
                (None, Some(_)) => true,
                (Some(s), Some(w)) => w.last_seen_at > s.last_seen_at,
                _ => false,
            };
            Recipient {
                member_id: m.id,
                person_id: m.person_id,
                locale: persons
                    .get(&m.person_id)
                    .map(|p| Locale::from_tag(&p.locale))
                    .unwrap_or(Locale::En),
                slack: slack.map(|i| i.external_id.clone()),
                whatsapp: whatsapp.map(|i| i.external_id.clone()),
                prefers_whatsapp,
                whatsapp_window_open: whatsapp
                    .is_some_and(|i| super::phones::window_open(i.last_seen_at, at)),
            }
        };
        Ok(chosen
            .into_iter()
            .map(|(key, members)| (key, members.into_iter().map(reached).collect()))
            .collect())
    }

    /// What a batch of reminders needs to know, read in a few queries for the whole batch rather
    /// than a handful per reminder (at 100,000 reminders the per-reminder round trips were most of
    /// the scheduler's time on PostgreSQL; docs/benchmarks.md): their children and pauses, their
    /// medications, and the doses logged since the earliest moment any of them counts from.
    pub async fn reminder_facts(&self, reminders: &[Reminder]) -> ServiceResult<ReminderFacts> {
        let conn = self.db().conn();
        let mut facts = ReminderFacts::default();
        let children: HashSet<i64> = reminders.iter().filter_map(|r| r.child_id).collect();
        if !children.is_empty() {
            facts.children = child::Entity::find()
                .filter(child::Column::Id.is_in(children.iter().copied()))
                .all(conn)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
            facts.paused = reminder_pause::Entity::find()
                .filter(reminder_pause::Column::ChildId.is_in(children.iter().copied()))
                .all(conn)
                .await?
                .into_iter()
                .map(|p| p.child_id)
                .collect();
        }
        let medications: HashSet<i64> = reminders
            .iter()
            .filter(|r| matches!(r.kind, ReminderKind::Dose | ReminderKind::CourseEnd))
            .filter_map(|r| planner::subject_id(&r.subject))
            .collect();
        if medications.is_empty() {
            return Ok(facts);
        }
        facts.medications = medication::Entity::find()
            .filter(medication::Column::Id.is_in(medications.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let since = reminders
            .iter()
            .filter(|r| r.kind == ReminderKind::Dose)
            .filter_map(|r| {
                let m = facts.medications.get(&planner::subject_id(&r.subject)?)?;
                Some(answered_since(m, r.due_at))
            })
            .min();
        if let Some(since) = since {
            for dose in dose_log::Entity::find()
                .filter(dose_log::Column::MedicationId.is_in(medications.iter().copied()))
                .filter(dose_log::Column::VoidedAt.is_null())
                .filter(dose_log::Column::GivenAt.gt(since))
                .order_by_asc(dose_log::Column::GivenAt)
                .all(conn)
                .await?
            {
                facts
                    .doses
                    .entry(dose.medication_id)
                    .or_default()
                    .push((dose.given_at, dose.given_by_member_id));
            }
        }
        Ok(facts)
    }

    /// What a due reminder says, from its batch's [`ReminderFacts`], or `None` when it is no longer
    /// wanted (its medication stopped or was paused, its appointment removed, its child out of care
    /// or paused, a shift already begun, a certification renewed since).
    pub async fn reminder_message_from(
        &self,
        facts: &ReminderFacts,
        reminder: &Reminder,
        escalated: bool,
        buttons: bool,
    ) -> ServiceResult<Option<Msg>> {
        let conn = self.db().conn();
        let child_name = match reminder.child_id {
            Some(id) => {
                let Some(child) = facts.children.get(&id) else {
                    return Ok(None);
                };
                if child.archived_at.is_some() || facts.paused.contains(&id) {
                    return Ok(None);
                }
                child.name.clone()
            }
            None => String::new(),
        };
        let id = planner::subject_id(&reminder.subject).unwrap_or_default();
        Ok(match reminder.kind {
            ReminderKind::Dose | ReminderKind::CourseEnd => {
                let Some(m) = facts.medications.get(&id) else {
                    return Ok(None);
                };
                if !m.active || m.approval != Approval::Approved.as_str() {
                    return Ok(None);
                }
                Some(if reminder.kind == ReminderKind::Dose {
                    Msg::ReminderDose {
                        reminder_id: reminder.id,
                        child: child_name,
                        medication: m.name.clone(),
                        amount: DoseAmount {
                            value: m.dose_amount,
                            unit: DoseUnit::parse(&m.dose_unit).unwrap_or(DoseUnit::Ml),
                        },
                        due_at: reminder.due_at,
                        escalated,
                        buttons,
                    }
                } else {
                    Msg::ReminderCourseEnd {
                        child: child_name,
                        medication: m.name.clone(),
                    }
                })
            }
            ReminderKind::AppointmentDayBefore | ReminderKind::AppointmentHourBefore => {
                appointment::Entity::find_by_id(id)
                    .one(conn)
                    .await?
                    .map(|a| Msg::ReminderAppointment {
                        child: child_name,
                        starts_at: a.starts_at,
                        tomorrow: reminder.kind == ReminderKind::AppointmentDayBefore,
                    })
            }
            ReminderKind::DailySummary => Some(
                self.daily_summary(reminder.family_id, reminder.due_at)
                    .await?,
            ),
            ReminderKind::ShiftStart => self.shift_start_message(reminder).await?,
            ReminderKind::CertificationExpiry => self.certification_message(reminder).await?,
        })
    }

    /// A shift-start reminder's words: when the shift starts and ends, in the family's zone.
    async fn shift_start_message(&self, reminder: &Reminder) -> ServiceResult<Option<Msg>> {
        let Some(row) = self.reminded_schedule(reminder).await? else {
            return Ok(None);
        };
        // The start is a fixed lead after the reminder (a duration, so a clock change between the
        // two does not move it).
        let starts_at = reminder.due_at + planner::SHIFT_START_LEAD;
        if self.now() >= starts_at {
            // Held (quiet hours) or late past the start: she knows by now.
            return Ok(None);
        }
        let already_in = shift::Entity::find()
            .filter(shift::Column::FamilyId.eq(reminder.family_id))
            .filter(shift::Column::MemberId.eq(row.member_id))
            .filter(shift::Column::ClockOutAt.is_null())
            .one(self.db().conn())
            .await?
            .is_some();
        if already_in {
            return Ok(None);
        }
        let tz = self.family_info(reminder.family_id).await?.timezone;
        let slot = ScheduledShift::from_row(&row);
        let day = starts_at.with_timezone(&tz).date_naive();
        // The occurrence this reminder was planned for (its start may sit a day off the local date
        // only in a zone whose clocks change at midnight).
        let occurrence = [day - Duration::days(1), day, day + Duration::days(1)]
            .into_iter()
            .filter_map(|d| slot.on(d, tz))
            .find(|(starts, _)| *starts == starts_at);
        Ok(occurrence.map(|(starts_at, ends_at)| Msg::ReminderShiftStart { starts_at, ends_at }))
    }

    /// A certification reminder's words: whose, which, and when it expires (or expired).
    async fn certification_message(&self, reminder: &Reminder) -> ServiceResult<Option<Msg>> {
        let Some(row) = self.reminded_certification(reminder).await? else {
            return Ok(None);
        };
        let tz = self.family_info(reminder.family_id).await?.timezone;
        let plan = CertificationPlan {
            id: row.id,
            member_id: row.member_id,
            expires_on: row.expires_on,
            created_at: row.created_at,
        };
        if planner::certification_due(tz, &plan) != reminder.due_at {
            // Renewed (or corrected) since it was planned: the new date has its own reminder.
            return Ok(None);
        }
        let names = self
            .member_names(self.db().conn(), reminder.family_id, [row.member_id])
            .await?;
        let today = self.now().with_timezone(&tz).date_naive();
        Ok(Some(Msg::ReminderCertification {
            nanny: names.get(&row.member_id).cloned().unwrap_or_default(),
            certification: row.name,
            expires_on: row.expires_on,
            expired: row.expires_on < today,
            // The scheduler says so for the nanny's own copy.
            yours: false,
        }))
    }

    /// A shift-start reminder's schedule row, while it exists and its nanny is an active member of
    /// the reminder's family.
    async fn reminded_schedule(
        &self,
        reminder: &Reminder,
    ) -> ServiceResult<Option<shift_schedule::Model>> {
        let Some(id) = planner::subject_id(&reminder.subject) else {
            return Ok(None);
        };
        let Some(row) = shift_schedule::Entity::find_by_id(id)
            .one(self.db().conn())
            .await?
            .filter(|r| r.family_id == reminder.family_id)
        else {
            return Ok(None);
        };
        Ok(self
            .active_member_of(reminder.family_id, row.member_id)
            .await?
            .then_some(row))
    }

    /// A certification reminder's certification, while it exists and its nanny is an active member
    /// of the reminder's family.
    async fn reminded_certification(
        &self,
        reminder: &Reminder,
    ) -> ServiceResult<Option<nanny_certification::Model>> {
        let Some(id) = planner::subject_id(&reminder.subject) else {
            return Ok(None);
        };
        let Some(row) = nanny_certification::Entity::find_by_id(id)
            .one(self.db().conn())
            .await?
        else {
            return Ok(None);
        };
        Ok(self
            .active_member_of(reminder.family_id, row.member_id)
            .await?
            .then_some(row))
    }

    async fn active_member_of(&self, family_id: i64, member_id: i64) -> ServiceResult<bool> {
        Ok(member::Entity::find_by_id(member_id)
            .one(self.db().conn())
            .await?
            .is_some_and(|m| {
                m.family_id == family_id && MemberStatus::parse(&m.status) == MemberStatus::Active
            }))
    }

    /// The family's local day ending at `until`: each child in care's doses, temperatures, notes,
    /// and the dose reminders missed or skipped.
    pub async fn daily_summary(&self, family_id: i64, until: DateTime<Utc>) -> ServiceResult<Msg> {
        let conn = self.db().conn();
        let tz = self.family_info(family_id).await?.timezone;
        let day = until.with_timezone(&tz).date_naive();
        let from = planner::local_instant(tz, day, NaiveTime::MIN);
        let children = child::Entity::find()
            .filter(child::Column::FamilyId.eq(family_id))
            .filter(child::Column::ArchivedAt.is_null())
            .order_by_asc(child::Column::Name)
            .all(conn)
            .await?;
        let medications: HashMap<i64, String> = medication::Entity::find()
            .filter(medication::Column::ChildId.is_in(children.iter().map(|c| c.id)))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
        let doses = dose_log::Entity::find()
            .filter(dose_log::Column::FamilyId.eq(family_id))
            .filter(dose_log::Column::VoidedAt.is_null())
            .filter(dose_log::Column::GivenAt.gte(from))
            .filter(dose_log::Column::GivenAt.lt(until))
            .order_by_asc(dose_log::Column::GivenAt)
            .all(conn)
            .await?;
        let names = self
            .member_names(
                conn,
                family_id,
                doses.iter().filter_map(|d| d.given_by_member_id),
            )
            .await?;
        let temperatures = measurement::Entity::find()
            .filter(measurement::Column::FamilyId.eq(family_id))
            .filter(measurement::Column::Kind.eq("temperature"))
            .filter(measurement::Column::MeasuredAt.gte(from))
            .filter(measurement::Column::MeasuredAt.lt(until))
            .order_by_asc(measurement::Column::MeasuredAt)
            .all(conn)
            .await?;
        let notes = care_note::Entity::find()
            .filter(care_note::Column::FamilyId.eq(family_id))
            .filter(care_note::Column::CreatedAt.gte(from))
            .filter(care_note::Column::CreatedAt.lt(until))
            .order_by_asc(care_note::Column::CreatedAt)
            .all(conn)
            .await?;
        let missed = reminder::Entity::find()
            .filter(reminder::Column::FamilyId.eq(family_id))
            .filter(reminder::Column::Kind.eq(ReminderKind::Dose.as_str()))
            .filter(reminder::Column::Status.is_in([
                Status::Missed.as_str(),
                Status::Skipped.as_str(),
                Status::Sent.as_str(),
            ]))
            .filter(reminder::Column::DueAt.gte(from))
            .filter(reminder::Column::DueAt.lt(until))
            .order_by_asc(reminder::Column::DueAt)
            .all(conn)
            .await?;
        let mut days = Vec::new();
        for c in children {
            let mut notes_of = Vec::new();
            for n in notes.iter().filter(|n| n.child_id == Some(c.id)) {
                notes_of.push((n.created_at, self.keys().open("care_notes.body", &n.body)?));
            }
            days.push(ChildDay {
                doses: doses
                    .iter()
                    .filter(|d| d.child_id == c.id)
                    .map(|d| DoseLine {
                        child: c.name.clone(),
                        medication: medications
                            .get(&d.medication_id)
                            .cloned()
                            .unwrap_or_default(),
                        amount: DoseAmount {
                            value: d.amount,
                            unit: DoseUnit::parse(&d.unit).unwrap_or(DoseUnit::Ml),
                        },
                        at: d.given_at,
                        by: d.given_by_member_id.and_then(|m| names.get(&m).cloned()),
                        flagged: d.flagged,
                    })
                    .collect(),
                temperatures: temperatures
                    .iter()
                    .filter(|t| t.child_id == c.id)
                    .map(|t| (t.measured_at, t.value))
                    .collect(),
                notes: notes_of,
                missed: missed
                    .iter()
                    .filter(|r| r.child_id == Some(c.id))
                    .filter_map(|r| {
                        let id = planner::subject_id(&r.subject)?;
                        Some((r.due_at, medications.get(&id)?.clone()))
                    })
                    .collect(),
                child: c.name,
            });
        }
        Ok(Msg::DailySummary {
            day,
            children: days,
        })
    }

    /// The dose reminder the actor answers *Given* to (`id`, or the newest sent to them), as the
    /// dose to log through the engine's dose path (with its safety check). The answer is audited.
    pub async fn reminder_to_give(
        &self,
        actor: &Actor,
        family_id: i64,
        id: Option<i64>,
    ) -> ServiceResult<DoseDue> {
        self.authorized_as(
            actor,
            Permission::ViewChildren,
            Target::Family(family_id),
            "reminder.given",
            |due: &DoseDue| format!("reminder:{}", due.reminder_id),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                let row = open_reminder(&**txn, family_id, member_id, id).await?;
                let medication_id =
                    planner::subject_id(&row.subject).ok_or(ServiceError::NotFound("reminder"))?;
                let m = medication::Entity::find_by_id(medication_id)
                    .one(&**txn)
                    .await?
                    .ok_or(ServiceError::NotFound("medication"))?;
                Ok(DoseDue {
                    reminder_id: row.id,
                    child_id: m.child_id,
                    medication_id,
                    amount: DoseAmount {
                        value: m.dose_amount,
                        unit: DoseUnit::parse(&m.dose_unit).unwrap_or(DoseUnit::Ml),
                    },
                })
            },
        )
        .await
    }

    /// *Skip*: the dose reminder (`id`, or the newest sent to the actor) is recorded as skipped,
    /// with the reason sealed, and audited.
    pub async fn skip_reminder(
        &self,
        actor: &Actor,
        family_id: i64,
        id: Option<i64>,
        reason: &str,
    ) -> ServiceResult<Msg> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Ok(Msg::SkipNeedsReason);
        }
        let (reminder_id, msg) = self
            .authorized_as(
                actor,
                Permission::ViewChildren,
                Target::Family(family_id),
                "reminder.skip",
                |(id, _): &(i64, Msg)| format!("reminder:{id}"),
                async |txn, auth| {
                    let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                    let row = open_reminder(&**txn, family_id, member_id, id).await?;
                    let now = self.now();
                    let reminder_id = row.id;
                    let child_id = row.child_id;
                    let medication_id = planner::subject_id(&row.subject).unwrap_or_default();
                    let mut active: reminder::ActiveModel = row.into();
                    active.status = Set(Status::Skipped.as_str().into());
                    active.resolved_at = Set(Some(now));
                    active.resolved_by_member_id = Set(Some(member_id));
                    active.skip_reason = Set(Some(self.keys().seal(SKIP_REASON_FIELD, reason)));
                    active.lease_until = Set(None);
                    active.updated_at = Set(now);
                    active.update(&**txn).await?;
                    let child = match child_id {
                        Some(id) => child::Entity::find_by_id(id)
                            .one(&**txn)
                            .await?
                            .map(|c| c.name),
                        None => None,
                    };
                    let medication = medication::Entity::find_by_id(medication_id)
                        .one(&**txn)
                        .await?
                        .map(|m| m.name);
                    Ok((
                        reminder_id,
                        Msg::ReminderSkipped {
                            child: child.unwrap_or_default(),
                            medication: medication.unwrap_or_default(),
                        },
                    ))
                },
            )
            .await?;
        let _ = reminder_id;
        Ok(msg)
    }

    /// A guardian pauses (or resumes) a child's reminders; audited.
    pub async fn pause_reminders(
        &self,
        actor: &Actor,
        child_id: i64,
        pause: bool,
    ) -> ServiceResult<()> {
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Child(child_id),
            if pause {
                "reminders.pause"
            } else {
                "reminders.resume"
            },
            |_: &()| format!("child:{child_id}"),
            async |txn, auth| {
                if pause {
                    reminder_pause::Entity::insert(reminder_pause::ActiveModel {
                        child_id: Set(child_id),
                        family_id: Set(auth.family_id),
                        paused_by_member_id: Set(auth.member_id),
                        paused_at: Set(self.now()),
                    })
                    .on_conflict(
                        OnConflict::column(reminder_pause::Column::ChildId)
                            .do_nothing()
                            .to_owned(),
                    )
                    .exec_without_returning(&**txn)
                    .await?;
                } else {
                    reminder_pause::Entity::delete_by_id(child_id)
                        .exec(&**txn)
                        .await?;
                }
                Ok(())
            },
        )
        .await
    }

    /// A guardian sets when the family's daily summary comes; audited.
    pub async fn set_summary_time(
        &self,
        actor: &Actor,
        family_id: i64,
        at: NaiveTime,
    ) -> ServiceResult<()> {
        let text = at.format("%H:%M").to_string();
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Family(family_id),
            "reminders.summary_time",
            |_: &()| format!("family:{family_id}"),
            async |txn, _auth| {
                reminder_setting::Entity::insert(reminder_setting::ActiveModel {
                    family_id: Set(family_id),
                    summary_at: Set(text.clone()),
                })
                .on_conflict(
                    OnConflict::column(reminder_setting::Column::FamilyId)
                        .update_column(reminder_setting::Column::SummaryAt)
                        .to_owned(),
                )
                .exec_without_returning(&**txn)
                .await?;
                Ok(())
            },
        )
        .await
    }

    /// Sets a member's quiet hours (local `HH:MM` to `HH:MM`), for the member themself; audited.
    pub async fn set_quiet_hours(
        &self,
        actor: &Actor,
        family_id: i64,
        starts: NaiveTime,
        ends: NaiveTime,
    ) -> ServiceResult<()> {
        self.authorized_as(
            actor,
            Permission::ViewChildren,
            Target::Family(family_id),
            "reminders.quiet_hours",
            |_: &()| format!("family:{family_id}"),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                quiet_hours::Entity::insert(quiet_hours::ActiveModel {
                    member_id: Set(member_id),
                    starts: Set(starts.format("%H:%M").to_string()),
                    ends: Set(ends.format("%H:%M").to_string()),
                })
                .on_conflict(
                    OnConflict::column(quiet_hours::Column::MemberId)
                        .update_columns([quiet_hours::Column::Starts, quiet_hours::Column::Ends])
                        .to_owned(),
                )
                .exec_without_returning(&**txn)
                .await?;
                Ok(())
            },
        )
        .await
    }
}

/// The dose reminder sent to `member_id` that waits for an answer: `id`, or the newest.
async fn open_reminder<C: sea_orm::ConnectionTrait>(
    conn: &C,
    family_id: i64,
    member_id: i64,
    id: Option<i64>,
) -> ServiceResult<reminder::Model> {
    let mut query = reminder::Entity::find()
        .filter(reminder::Column::FamilyId.eq(family_id))
        .filter(reminder::Column::Kind.eq(ReminderKind::Dose.as_str()))
        .filter(reminder::Column::Status.eq(Status::Sent.as_str()));
    if let Some(id) = id {
        query = query.filter(reminder::Column::Id.eq(id));
    }
    query
        .order_by_desc(reminder::Column::DueAt)
        .all(conn)
        .await?
        .into_iter()
        .find(|r| parse_members(r.sent_to.as_deref()).contains(&member_id))
        .ok_or(ServiceError::NotFound("reminder"))
}
