//! Versions of a medication's rules (`medication_versions`).
//!
//! The `medications` row holds the rules in force: every dose is checked against it. A change is
//! a new version beside it. A guardian's change is approved at once and becomes the row's rules,
//! the old ones staying here as history; a caregiver's waits as `proposed` and touches nothing
//! in force until a guardian approves *that* version (the prompt names it, so an approval is of
//! exactly what was shown). A newer proposal replaces an open one (its prompt goes stale); denying
//! keeps the rules in force. Who proposed, who decided and when are kept on each version and go
//! into the export.

use chrono::{DateTime, Utc};
use entity::{medication, medication_version};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::care::NewMedication;
use super::{ServiceResult, Services};
use crate::db::WriteTxn;

/// What a version holds: the same rules as a `medications` row.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rules {
    name: String,
    form: String,
    route: String,
    ingredients: String,
    dose_amount: f64,
    dose_unit: String,
    schedule_kind: String,
    schedule_times: Option<String>,
    min_interval_minutes: i32,
    max_doses_per_day: Option<i32>,
    starts_on: Option<chrono::NaiveDate>,
    ends_on: Option<chrono::NaiveDate>,
}

/// A version's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VersionStatus {
    Approved,
    Proposed,
    Denied,
    /// A newer proposal took its place before anyone decided.
    Replaced,
}

impl VersionStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Approved => "approved",
            VersionStatus::Proposed => "proposed",
            VersionStatus::Denied => "denied",
            VersionStatus::Replaced => "replaced",
        }
    }

    pub(super) fn parse(text: &str) -> Self {
        match text {
            "proposed" => VersionStatus::Proposed,
            "denied" => VersionStatus::Denied,
            "replaced" => VersionStatus::Replaced,
            _ => VersionStatus::Approved,
        }
    }
}

impl Rules {
    pub(super) fn of_new(name: &str, new: &NewMedication) -> ServiceResult<Self> {
        Ok(Self {
            name: name.to_string(),
            form: new.form.clone(),
            route: new.route.clone(),
            ingredients: serde_json::to_string(&new.ingredients)?,
            dose_amount: new.dose.value,
            dose_unit: new.dose.unit.as_str().to_string(),
            schedule_kind: new.schedule.kind().to_string(),
            schedule_times: new.schedule.times_text(),
            min_interval_minutes: i32::try_from(new.min_interval.num_minutes()).unwrap_or(i32::MAX),
            max_doses_per_day: new.max_doses_per_day.and_then(|n| i32::try_from(n).ok()),
            starts_on: new.starts_on,
            ends_on: new.ends_on,
        })
    }

    pub(super) fn of_row(row: &medication::Model) -> Self {
        Self {
            name: row.name.clone(),
            form: row.form.clone(),
            route: row.route.clone(),
            ingredients: row.ingredients.clone(),
            dose_amount: row.dose_amount,
            dose_unit: row.dose_unit.clone(),
            schedule_kind: row.schedule_kind.clone(),
            schedule_times: row.schedule_times.clone(),
            min_interval_minutes: row.min_interval_minutes,
            max_doses_per_day: row.max_doses_per_day,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
        }
    }

    pub(super) fn of_version(v: &medication_version::Model) -> Self {
        Self {
            name: v.name.clone(),
            form: v.form.clone(),
            route: v.route.clone(),
            ingredients: v.ingredients.clone(),
            dose_amount: v.dose_amount,
            dose_unit: v.dose_unit.clone(),
            schedule_kind: v.schedule_kind.clone(),
            schedule_times: v.schedule_times.clone(),
            min_interval_minutes: v.min_interval_minutes,
            max_doses_per_day: v.max_doses_per_day,
            starts_on: v.starts_on,
            ends_on: v.ends_on,
        }
    }

    /// The row with these rules in it (the rest of it as it is).
    pub(super) fn applied(&self, row: &medication::Model) -> medication::Model {
        medication::Model {
            name: self.name.clone(),
            form: self.form.clone(),
            route: self.route.clone(),
            ingredients: self.ingredients.clone(),
            dose_amount: self.dose_amount,
            dose_unit: self.dose_unit.clone(),
            schedule_kind: self.schedule_kind.clone(),
            schedule_times: self.schedule_times.clone(),
            min_interval_minutes: self.min_interval_minutes,
            max_doses_per_day: self.max_doses_per_day,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            ..row.clone()
        }
    }

    /// These rules as a version of `medication_id` (its id not yet given).
    pub(super) fn as_version(
        &self,
        medication_id: i64,
        version: i32,
        status: VersionStatus,
        by: Authorship,
    ) -> medication_version::Model {
        medication_version::Model {
            id: 0,
            medication_id,
            version,
            name: self.name.clone(),
            form: self.form.clone(),
            route: self.route.clone(),
            ingredients: self.ingredients.clone(),
            dose_amount: self.dose_amount,
            dose_unit: self.dose_unit.clone(),
            schedule_kind: self.schedule_kind.clone(),
            schedule_times: self.schedule_times.clone(),
            min_interval_minutes: self.min_interval_minutes,
            max_doses_per_day: self.max_doses_per_day,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            status: status.as_str().to_string(),
            proposed_by_member_id: by.proposed_by,
            proposed_at: by.at,
            decided_by_member_id: by.decided_by,
            decided_at: by.decided_at,
        }
    }

    /// Writes these rules into the row's update.
    pub(super) fn set_on(&self, update: &mut medication::ActiveModel) {
        update.name = Set(self.name.clone());
        update.form = Set(self.form.clone());
        update.route = Set(self.route.clone());
        update.ingredients = Set(self.ingredients.clone());
        update.dose_amount = Set(self.dose_amount);
        update.dose_unit = Set(self.dose_unit.clone());
        update.schedule_kind = Set(self.schedule_kind.clone());
        update.schedule_times = Set(self.schedule_times.clone());
        update.min_interval_minutes = Set(self.min_interval_minutes);
        update.max_doses_per_day = Set(self.max_doses_per_day);
        update.starts_on = Set(self.starts_on);
        update.ends_on = Set(self.ends_on);
    }
}

/// Who made a version and when, and who decided it.
pub(super) struct Authorship {
    pub proposed_by: Option<i64>,
    pub at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl Services {
    /// The rules a medication's open proposal would put in force (`None` when nothing waits), for
    /// a caregiver changing it again: her changes build on each other instead of the newest
    /// silently dropping the one before.
    pub async fn open_proposal(
        &self,
        actor: &crate::auth::Actor,
        child_id: i64,
        medication_id: i64,
    ) -> ServiceResult<Option<super::care::MedicationView>> {
        self.authorized_as(
            actor,
            crate::auth::Permission::ViewMedications,
            super::Target::Child(child_id),
            "medications.view",
            |_| format!("medication:{medication_id}"),
            async |txn, _| {
                let row = self.medication_row(&**txn, child_id, medication_id).await?;
                let open = self
                    .versions(txn, medication_id)
                    .await?
                    .into_iter()
                    .rev()
                    .find(|v| VersionStatus::parse(&v.status) == VersionStatus::Proposed);
                Ok(open.map(|v| {
                    super::care::MedicationView::from_row(Rules::of_version(&v).applied(&row))
                }))
            },
        )
        .await
    }

    /// The open proposal of a medication waiting for approval, recording one for a pending row
    /// that has none (a row written before versions, or by an operator's import): the row's own
    /// rules are what was proposed.
    pub(super) async fn open_version(
        &self,
        txn: &WriteTxn,
        row: &medication::Model,
    ) -> ServiceResult<Option<medication_version::Model>> {
        let versions = self.versions(txn, row.id).await?;
        if let Some(open) = versions
            .iter()
            .rev()
            .find(|v| VersionStatus::parse(&v.status) == VersionStatus::Proposed)
        {
            return Ok(Some(open.clone()));
        }
        if crate::domain::Approval::parse(&row.approval) != crate::domain::Approval::Pending {
            return Ok(None);
        }
        let version = self
            .record_version(
                txn,
                row.id,
                &Rules::of_row(row),
                VersionStatus::Proposed,
                Authorship {
                    proposed_by: row.proposed_by_member_id,
                    at: row.created_at,
                    decided_by: None,
                    decided_at: None,
                },
            )
            .await?;
        Ok(Some(version))
    }

    /// Records a new version of `medication_id`'s rules (the next number), in the caller's
    /// transaction. A new proposal replaces any still open: only the newest can be approved.
    pub(super) async fn record_version(
        &self,
        txn: &WriteTxn,
        medication_id: i64,
        rules: &Rules,
        status: VersionStatus,
        by: Authorship,
    ) -> ServiceResult<medication_version::Model> {
        let versions = self.versions(txn, medication_id).await?;
        for open in versions
            .iter()
            .filter(|v| VersionStatus::parse(&v.status) == VersionStatus::Proposed)
        {
            let mut replaced: medication_version::ActiveModel = open.clone().into();
            replaced.status = Set(VersionStatus::Replaced.as_str().to_string());
            replaced.update(&**txn).await?;
        }
        let version = versions.last().map(|v| v.version).unwrap_or(0) + 1;
        let mut row: medication_version::ActiveModel =
            rules.as_version(medication_id, version, status, by).into();
        // The id is the database's to give.
        row.id = sea_orm::ActiveValue::NotSet;
        let row = row.insert(&**txn).await?;
        Ok(row)
    }

    /// A medication's versions, oldest first.
    pub(super) async fn versions(
        &self,
        txn: &WriteTxn,
        medication_id: i64,
    ) -> ServiceResult<Vec<medication_version::Model>> {
        Ok(medication_version::Entity::find()
            .filter(medication_version::Column::MedicationId.eq(medication_id))
            .order_by_asc(medication_version::Column::Version)
            .all(&**txn)
            .await?)
    }

    /// Marks a version decided.
    pub(super) async fn decide_version(
        &self,
        txn: &WriteTxn,
        version: medication_version::Model,
        status: VersionStatus,
        by: Option<i64>,
    ) -> ServiceResult<()> {
        let mut update: medication_version::ActiveModel = version.into();
        update.status = Set(status.as_str().to_string());
        update.decided_by_member_id = Set(by);
        update.decided_at = Set(Some(self.now()));
        update.update(&**txn).await?;
        Ok(())
    }
}
