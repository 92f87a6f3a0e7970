//! What the scheduler plans from.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use entity::{
    appointment, child, dose_log, family, medication, member, nanny_certification, reminder_pause,
    reminder_setting, shift_schedule,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::{certification_plan, DEFAULT_SUMMARY_AT};
use crate::domain::{Approval, MemberStatus, Schedule};
use crate::reminders::planner::{self, AppointmentPlan, FamilyPlan, MedicationPlan, ShiftPlan};
use crate::services::nanny::ScheduledShift;
use crate::services::{ServiceResult, Services};

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
                    .add(nanny_certification::Column::CreatedAt.gt(self.now() - Duration::days(2)))
                    .add(nanny_certification::Column::RenewedAt.gt(self.now() - Duration::days(2))),
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
                plan.certifications.push(certification_plan(&c));
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
}
