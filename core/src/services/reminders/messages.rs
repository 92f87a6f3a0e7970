//! What a due reminder says, and the daily summary.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use entity::{
    appointment, care_note, child, dose_log, measurement, medication, reminder, reminder_pause,
    shift,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{answered_since, certification_plan, ReminderFacts};
use crate::domain::{Approval, DoseAmount, DoseUnit};
use crate::messages::{ChildDay, DoseLine, Msg};
use crate::reminders::planner::{self, ReminderKind};
use crate::reminders::store::{Reminder, Status};
use crate::services::nanny::ScheduledShift;
use crate::services::{ServiceResult, Services};

impl Services {
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
        if planner::certification_due(tz, &certification_plan(&row)) != reminder.due_at {
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
        // Who gave each dose and who wrote each note: a note is always shown as its writer's.
        let names = self
            .member_names(
                conn,
                family_id,
                doses
                    .iter()
                    .filter_map(|d| d.given_by_member_id)
                    .chain(notes.iter().filter_map(|n| n.author_member_id)),
            )
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
                notes_of.push((
                    n.created_at,
                    n.author_member_id.and_then(|m| names.get(&m).cloned()),
                    self.keys().open("care_notes.body", &n.body)?,
                ));
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
}
