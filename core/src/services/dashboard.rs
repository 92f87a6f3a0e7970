//! The family at a glance, for a channel's dashboard (Slack's App Home): each child's active
//! medications with the last dose and the next allowed and next scheduled times, who is on shift, and
//! the last 24 hours of entries.
//!
//! One authorization, one read transaction and one audit event for the whole board: a dashboard is
//! refreshed after every write, so it must not cost a service call per medication.

use chrono::{DateTime, Duration, Utc};
use entity::{care_note, measurement, medication, shift};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::care::{DoseView, MedicationView, Schedule};
use super::{ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::domain::DoseAmount;
use crate::dose_safety::DAY;

/// Everything a dashboard shows, for one viewer in one family.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub family: String,
    pub timezone: chrono_tz::Tz,
    pub children: Vec<ChildBoard>,
    pub on_shift: Vec<OnShift>,
    /// The last 24 hours, newest first (at most [`RECENT_LIMIT`]).
    pub recent: Vec<RecentEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChildBoard {
    pub name: String,
    pub medications: Vec<MedicationBoard>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MedicationBoard {
    pub id: i64,
    pub name: String,
    pub dose: DoseAmount,
    /// The last dose of any product with the same ingredient, by anyone (`None` also when the check
    /// cannot be done: which doses share an ingredient is then unknown).
    pub last: Option<DoseView>,
    /// `None` when the dose check cannot be done: the board shows "can't check", never a made-up time.
    pub next_allowed_at: Option<DateTime<Utc>>,
    /// The next time on the medication's schedule (fixed times, or every N hours after the last).
    pub next_scheduled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OnShift {
    pub name: String,
    pub since: DateTime<Utc>,
}

/// One line of the last 24 hours. Notes show who wrote about whom, never the text.
#[derive(Debug, Clone, PartialEq)]
pub enum RecentEntry {
    Dose(DoseView),
    Temperature {
        child: String,
        celsius: f64,
        at: DateTime<Utc>,
        by: Option<String>,
    },
    Note {
        child: String,
        at: DateTime<Utc>,
        by: Option<String>,
    },
}

impl RecentEntry {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            RecentEntry::Dose(dose) => dose.given_at,
            RecentEntry::Temperature { at, .. } | RecentEntry::Note { at, .. } => *at,
        }
    }
}

/// How many recent entries a dashboard lists.
pub const RECENT_LIMIT: usize = 15;

impl Services {
    /// The dashboard for `actor` in `family_id`: caregivers see their assigned children only.
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn dashboard(&self, actor: &Actor, family_id: i64) -> ServiceResult<Dashboard> {
        let now = self.now();
        let info = self.family_info(family_id).await?;
        let (boards, on_shift, recent) = self
            .authorized_as(
                actor,
                Permission::ViewDoses,
                Target::Family(family_id),
                "dashboard.view",
                |_| format!("family:{family_id}"),
                async |txn, auth| {
                    let children = self
                        .visible_children(&**txn, family_id, auth.role, auth.member_id)
                        .await?;
                    let child_ids: Vec<i64> = children.iter().map(|c| c.id).collect();
                    let child_name = |id: i64| {
                        children
                            .iter()
                            .find(|c| c.id == id)
                            .map(|c| c.name.clone())
                            .unwrap_or_default()
                    };
                    let medications: Vec<medication::Model> = medication::Entity::find()
                        .filter(medication::Column::ChildId.is_in(child_ids.clone()))
                        .filter(medication::Column::Active.eq(true))
                        .order_by_asc(medication::Column::Id)
                        .all(&**txn)
                        .await?;

                    let mut boards = Vec::new();
                    let mut recent = Vec::new();
                    for child in &children {
                        let meds: Vec<&medication::Model> = medications
                            .iter()
                            .filter(|m| m.child_id == child.id)
                            .collect();
                        // The dose check's one loader: the child's doses, read once for all their medications.
                        let loaded = self.dose_contexts(&**txn, child.id, &meds, now).await?;
                        let views = self.dose_views(&**txn, family_id, loaded.rows).await?;
                        let mut medication_boards = Vec::new();
                        for (row, context) in meds.into_iter().zip(loaded.contexts) {
                            let (last, next_allowed_at) = match context {
                                Ok(context) => {
                                    let last_id = context.last_dose().map(|d| d.id);
                                    let last =
                                        views.iter().find(|d| Some(d.id) == last_id).cloned();
                                    (last, Some(context.next_allowed_at()))
                                }
                                Err(reason) => {
                                    tracing::warn!(
                                        reason = reason.code(),
                                        ?reason,
                                        family_id,
                                        child_id = child.id,
                                        medication_id = row.id,
                                        "dose check cannot be done for the dashboard"
                                    );
                                    (None, None)
                                }
                            };
                            let med = MedicationView::from_row(row.clone());
                            let next_scheduled_at =
                                next_scheduled(&med, last.as_ref(), now, info.timezone);
                            medication_boards.push(MedicationBoard {
                                id: med.id,
                                name: med.name,
                                dose: med.dose,
                                next_allowed_at,
                                next_scheduled_at,
                                last,
                            });
                        }
                        recent.extend(
                            views
                                .into_iter()
                                .filter(|d| d.given_at > now - DAY && d.given_at <= now)
                                .map(RecentEntry::Dose),
                        );
                        boards.push(ChildBoard {
                            name: child.name.clone(),
                            medications: medication_boards,
                        });
                    }

                    // Only the newest RECENT_LIMIT of each kind can make the list, so only those are read: a
                    // busy day's hundreds of notes must not be loaded (and their sealed bodies with them) on
                    // every refresh. The family filter lets notes use `ix_care_notes_family (family_id,
                    // created_at)`, newest first, stopping after RECENT_LIMIT.
                    let since = now - Duration::hours(24);
                    let newest = RECENT_LIMIT as u64;
                    let temperatures = measurement::Entity::find()
                        .filter(measurement::Column::ChildId.is_in(child_ids.clone()))
                        .filter(measurement::Column::Kind.eq("temperature"))
                        .filter(measurement::Column::MeasuredAt.gt(since))
                        .order_by_desc(measurement::Column::MeasuredAt)
                        .limit(newest)
                        .all(&**txn)
                        .await?;
                    let notes = care_note::Entity::find()
                        .filter(care_note::Column::FamilyId.eq(family_id))
                        .filter(care_note::Column::ChildId.is_in(child_ids.clone()))
                        .filter(care_note::Column::CreatedAt.gt(since))
                        .order_by_desc(care_note::Column::CreatedAt)
                        .limit(newest)
                        .all(&**txn)
                        .await?;
                    let shifts = shift::Entity::find()
                        .filter(shift::Column::FamilyId.eq(family_id))
                        .filter(shift::Column::ClockOutAt.is_null())
                        .order_by_asc(shift::Column::ClockInAt)
                        .all(&**txn)
                        .await?;
                    let wanted = temperatures
                        .iter()
                        .filter_map(|m| m.recorded_by_member_id)
                        .chain(notes.iter().filter_map(|n| n.author_member_id))
                        .chain(shifts.iter().map(|s| s.member_id));
                    let names = self.member_names(&**txn, family_id, wanted).await?;
                    recent.extend(temperatures.into_iter().map(|m| {
                        RecentEntry::Temperature {
                            child: child_name(m.child_id),
                            celsius: m.value,
                            at: m.measured_at,
                            by: m
                                .recorded_by_member_id
                                .and_then(|id| names.get(&id).cloned()),
                        }
                    }));
                    recent.extend(notes.into_iter().map(|n| RecentEntry::Note {
                        child: n.child_id.map(child_name).unwrap_or_default(),
                        at: n.created_at,
                        by: n.author_member_id.and_then(|id| names.get(&id).cloned()),
                    }));
                    recent.sort_by_key(|entry| std::cmp::Reverse(entry.at()));
                    recent.truncate(RECENT_LIMIT);

                    let on_shift: Vec<OnShift> = shifts
                        .into_iter()
                        .map(|s| OnShift {
                            name: names.get(&s.member_id).cloned().unwrap_or_default(),
                            since: s.clock_in_at,
                        })
                        .collect();
                    Ok((boards, on_shift, recent))
                },
            )
            .await?;
        Ok(Dashboard {
            family: info.name,
            timezone: info.timezone,
            children: boards,
            on_shift,
            recent,
        })
    }
}

/// The next time a medication is due on its schedule, if it has one.
fn next_scheduled(
    med: &MedicationView,
    last: Option<&DoseView>,
    now: DateTime<Utc>,
    timezone: chrono_tz::Tz,
) -> Option<DateTime<Utc>> {
    match &med.schedule {
        Schedule::AsNeeded => None,
        Schedule::EveryHours { hours } => {
            last.map(|d| d.given_at + Duration::hours(i64::from(*hours)))
        }
        Schedule::FixedTimes { times } => {
            let today = now.with_timezone(&timezone).date_naive();
            // Today's and tomorrow's times, in order; the first one still ahead. A time that does not
            // exist locally (a DST gap) is skipped.
            (0..2)
                .flat_map(|day| {
                    let date = today + Duration::days(day);
                    times.iter().filter_map(move |t| {
                        date.and_time(*t)
                            .and_local_timezone(timezone)
                            .earliest()
                            .map(|local| local.with_timezone(&Utc))
                    })
                })
                .filter(|at| *at > now)
                .min()
        }
    }
}
