//! The end-of-shift handoff report: what the nanny recorded during the shift (doses given,
//! temperatures, notes, dose reminders she skipped and why), the emergencies raised in the family meanwhile, and the nanny's own words
//! when they added any ("done for today, Emma napped well"). Built in the clock-out's transaction
//! and queued to every active guardian as an alert, sealed like every alert: it reaches each
//! guardian on their own channel (a Slack DM, WhatsApp, the console), never a shared channel.

use chrono::{DateTime, Utc};
use entity::{care_note, dose_log, measurement, member, notification, reminder};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use super::care::Alert;
use super::{ServiceResult, Services};
use crate::db::WriteTxn;
use crate::domain::{DoseAmount, DoseUnit, MemberStatus, Role};
use crate::reminders::planner::{subject_id, ReminderKind};
use crate::reminders::store::{Status, SKIP_REASON_FIELD};
use crate::screen::Category;

/// What the guardians read when a shift ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffReport {
    pub shift_id: i64,
    pub nanny: String,
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    pub doses: Vec<HandoffDose>,
    pub temperatures: Vec<HandoffTemperature>,
    pub notes: Vec<HandoffNote>,
    pub incidents: Vec<HandoffIncident>,
    /// Dose reminders the nanny answered *Skip* during the shift (older reports have none).
    #[serde(default)]
    pub skipped: Vec<HandoffSkip>,
    /// What the nanny said when clocking out, if anything.
    pub words: Option<String>,
    /// The clock-out had been forgotten and the shift flagged (its end was said later).
    #[serde(default)]
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffDose {
    pub child: String,
    pub medication: String,
    pub amount: DoseAmount,
    pub at: DateTime<Utc>,
    /// Confirmed as an extra dose, or logged without the check.
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffTemperature {
    pub child: String,
    pub celsius: f64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffNote {
    pub child: Option<String>,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// A dose reminder skipped during the shift, with the reason given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffSkip {
    pub child: String,
    pub medication: String,
    pub due_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// An emergency raised in the family during the shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffIncident {
    pub categories: Vec<Category>,
    pub reported_by: String,
    pub child: Option<String>,
    pub at: DateTime<Utc>,
}

impl HandoffReport {
    /// Nothing was recorded and nothing was said.
    pub fn is_empty(&self) -> bool {
        self.doses.is_empty()
            && self.temperatures.is_empty()
            && self.notes.is_empty()
            && self.incidents.is_empty()
            && self.skipped.is_empty()
            && self.words.is_none()
    }
}

impl Services {
    /// Builds the report of a shift by `member_id` from `started` to `ended` (inside the clock-out's
    /// transaction) and queues it to the family's other active guardians. Returns the report and
    /// the names of those it was sent to.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn hand_off(
        &self,
        txn: &WriteTxn,
        family_id: i64,
        shift_id: i64,
        member_id: i64,
        started: DateTime<Utc>,
        ended: DateTime<Utc>,
        words: Option<String>,
        flagged: bool,
    ) -> ServiceResult<(HandoffReport, Vec<String>)> {
        let book = self.name_book(&**txn, family_id, |_| false).await?;
        let child = |id: i64| book.children.get(&id).cloned().unwrap_or_default();
        let doses = dose_log::Entity::find()
            .filter(dose_log::Column::FamilyId.eq(family_id))
            .filter(dose_log::Column::GivenByMemberId.eq(member_id))
            .filter(dose_log::Column::GivenAt.between(started, ended))
            .filter(dose_log::Column::VoidedAt.is_null())
            .order_by_asc(dose_log::Column::GivenAt)
            .all(&**txn)
            .await?
            .into_iter()
            .map(|d| HandoffDose {
                child: child(d.child_id),
                medication: book
                    .medications
                    .get(&d.medication_id)
                    .cloned()
                    .unwrap_or_default(),
                amount: DoseAmount {
                    value: d.amount,
                    unit: DoseUnit::parse(&d.unit).unwrap_or(DoseUnit::Ml),
                },
                at: d.given_at,
                flagged: d.flagged,
            })
            .collect();
        let temperatures = measurement::Entity::find()
            .filter(measurement::Column::FamilyId.eq(family_id))
            .filter(measurement::Column::Kind.eq("temperature"))
            .filter(measurement::Column::RecordedByMemberId.eq(member_id))
            .filter(measurement::Column::MeasuredAt.between(started, ended))
            .order_by_asc(measurement::Column::MeasuredAt)
            .all(&**txn)
            .await?
            .into_iter()
            .map(|m| HandoffTemperature {
                child: child(m.child_id),
                celsius: m.value,
                at: m.measured_at,
            })
            .collect();
        let notes = care_note::Entity::find()
            .filter(care_note::Column::FamilyId.eq(family_id))
            .filter(care_note::Column::AuthorMemberId.eq(member_id))
            .filter(care_note::Column::CreatedAt.between(started, ended))
            .order_by_asc(care_note::Column::CreatedAt)
            .all(&**txn)
            .await?
            .into_iter()
            .map(|n| {
                Ok(HandoffNote {
                    child: n.child_id.map(child),
                    text: self.keys().open("care_notes.body", &n.body)?,
                    at: n.created_at,
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        let skipped = reminder::Entity::find()
            .filter(reminder::Column::FamilyId.eq(family_id))
            .filter(reminder::Column::Kind.eq(ReminderKind::Dose.as_str()))
            .filter(reminder::Column::Status.eq(Status::Skipped.as_str()))
            .filter(reminder::Column::ResolvedByMemberId.eq(member_id))
            .filter(reminder::Column::ResolvedAt.between(started, ended))
            .order_by_asc(reminder::Column::DueAt)
            .all(&**txn)
            .await?
            .into_iter()
            .map(|r| {
                Ok(HandoffSkip {
                    child: r.child_id.map(child).unwrap_or_default(),
                    medication: subject_id(&r.subject)
                        .and_then(|id| book.medications.get(&id).cloned())
                        .unwrap_or_default(),
                    due_at: r.due_at,
                    reason: self
                        .keys()
                        .open_opt(SKIP_REASON_FIELD, r.skip_reason.as_deref())?,
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        // Each emergency was queued once per guardian told: one incident per moment it was raised.
        let mut incidents: Vec<HandoffIncident> = Vec::new();
        for row in notification::Entity::find()
            .filter(notification::Column::FamilyId.eq(family_id))
            .filter(notification::Column::Kind.eq("emergency"))
            .filter(notification::Column::CreatedAt.between(started, ended))
            .order_by_asc(notification::Column::Id)
            .all(&**txn)
            .await?
        {
            let body = self.keys().open("notifications.body", &row.body)?;
            if let Ok(Alert::Emergency(e)) = serde_json::from_str::<Alert>(&body) {
                if !incidents.iter().any(|i| i.at == e.at) {
                    incidents.push(HandoffIncident {
                        categories: e.categories,
                        reported_by: e.reported_by,
                        child: e.child_name,
                        at: e.at,
                    });
                }
            }
        }
        let report = HandoffReport {
            shift_id,
            nanny: book.members.get(&member_id).cloned().unwrap_or_default(),
            started,
            ended,
            doses,
            temperatures,
            notes,
            incidents,
            skipped,
            words,
            flagged,
        };
        let guardians: Vec<i64> = member::Entity::find()
            .filter(member::Column::FamilyId.eq(family_id))
            .filter(member::Column::Role.eq(Role::Guardian.as_str()))
            .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
            .all(&**txn)
            .await?
            .into_iter()
            .map(|g| g.id)
            .filter(|id| *id != member_id)
            .collect();
        self.queue_alert(
            txn,
            family_id,
            guardians.iter().copied(),
            "handoff",
            &Alert::Handoff(report.clone()),
        )
        .await?;
        let mut told: Vec<String> = guardians
            .iter()
            .filter_map(|id| book.members.get(id).cloned())
            .collect();
        told.sort();
        Ok((report, told))
    }
}
