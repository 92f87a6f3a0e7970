//! The children's medical record: children, medications, allergies, conditions, doses (guarded by the
//! dose-safety rules), measurements and notes.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    allergy, care_note, caregiver_assignment, child, condition, dose_log, measurement, medication,
    member, notification,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TryInsertResult,
};
use serde::{Deserialize, Serialize};

use super::{Authorized, Problem, ServiceError, ServiceResult, Services, Target};
use crate::audit::Outcome;
use crate::auth::{allows, Actor, Permission, Scope, Standing};
use crate::db::WriteTxn;
use crate::domain::{DoseAmount, DoseUnit, IngredientStrength, MemberStatus, Role, Temperature};
use crate::dose_safety::{self, Concern, Course, DoseContext, Uncheckable};

/// How far back a dose may be logged ("gave Emma 5 ml at 9:30" the day after, at most).
const MAX_BACKDATE_DAYS: i64 = 2;
/// The `flag_reason` of a dose a guardian logged although the check could not be done.
pub const UNCHECKED_FLAG: &str = "unchecked";
const MAX_NOTE_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildView {
    pub id: i64,
    pub family_id: i64,
    pub name: String,
    pub birth_date: NaiveDate,
}

impl ChildView {
    /// Age in whole days on `today` (for age-based guidance such as infant fever).
    pub fn age_days(&self, today: NaiveDate) -> i64 {
        (today - self.birth_date).num_days()
    }
}

pub use crate::domain::Schedule;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedicationView {
    pub id: i64,
    pub child_id: i64,
    pub name: String,
    pub form: String,
    pub route: String,
    pub ingredients: Vec<IngredientStrength>,
    pub dose: DoseAmount,
    pub schedule: Schedule,
    pub min_interval: Duration,
    pub max_doses_per_day: Option<u32>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub active: bool,
}

impl MedicationView {
    /// The medication as people read it: for display only, showing what can be read (an unreadable
    /// part shows empty or as a plain default). The dose-safety check never uses this: it decodes the
    /// row itself, strictly ([`dose_safety::Medication::from_row`]).
    pub(super) fn from_row(row: medication::Model) -> Self {
        let dose_unit = DoseUnit::parse(&row.dose_unit).unwrap_or(DoseUnit::Ml);
        Self {
            id: row.id,
            child_id: row.child_id,
            name: row.name,
            form: row.form,
            route: row.route,
            ingredients: serde_json::from_str(&row.ingredients).unwrap_or_default(),
            dose: DoseAmount {
                value: row.dose_amount,
                unit: dose_unit,
            },
            schedule: Schedule::parse(&row.schedule_kind, row.schedule_times.as_deref())
                .unwrap_or(Schedule::AsNeeded),
            min_interval: Duration::minutes(i64::from(row.min_interval_minutes)),
            max_doses_per_day: row.max_doses_per_day.and_then(|n| u32::try_from(n).ok()),
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            active: row.active,
        }
    }
}

/// A new medication for a child (guardians).
#[derive(Debug, Clone)]
pub struct NewMedication {
    pub child_id: i64,
    pub name: String,
    pub form: String,
    pub route: String,
    pub ingredients: Vec<IngredientStrength>,
    pub dose: DoseAmount,
    pub schedule: Schedule,
    pub min_interval: Duration,
    pub max_doses_per_day: Option<u32>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllergyView {
    pub id: i64,
    pub child_id: i64,
    pub allergen: String,
    pub severity: String,
    pub reaction: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionView {
    pub id: i64,
    pub child_id: i64,
    pub name: String,
    pub notes: Option<String>,
    pub guardian_only: bool,
}

/// A dose given, as people read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseView {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub medication_id: i64,
    pub medication_name: String,
    pub amount: DoseAmount,
    pub ingredient_mg: BTreeMap<String, f64>,
    pub given_at: DateTime<Utc>,
    pub given_by_member_id: Option<i64>,
    /// The giver's name; `None` once that member was erased.
    pub given_by: Option<String>,
    pub channel: String,
    pub flagged: bool,
    pub voided: bool,
}

/// A request to record a dose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseRequest {
    pub child_id: i64,
    pub medication_id: i64,
    pub amount: DoseAmount,
    /// When it was given; `None` means now.
    pub given_at: Option<DateTime<Utc>>,
    /// The person confirmed that a further dose was really given despite the concerns.
    pub confirmed_extra: bool,
    /// A guardian asks to log the dose although the check cannot be done (it is then flagged
    /// `unchecked` and the other guardians are alerted). Anyone else asking is denied.
    #[serde(default)]
    pub override_unchecked: bool,
    /// The delivery this request came from (`slack:…`), when a channel has one: the same delivery
    /// processed again after a crash gets back the dose it wrote, and writes nothing.
    #[serde(default)]
    pub source_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DoseOutcome {
    Logged(LoggedDose),
    /// Nothing was written: the dose breaks a rule and the person must confirm it was really given.
    NeedsConfirmation(DoseConflict),
    /// Nothing was written: the check cannot be done (see [`Uncheckable`]). Only a guardian's explicit
    /// override logs the dose now; `may_override` says whether the person asking is one.
    CannotCheck {
        reason: Uncheckable,
        /// The medication's name, for the reply.
        medication: String,
        may_override: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DoseConflict {
    pub concerns: Vec<Concern>,
    /// The dose it clashes with (the closest same-ingredient dose), with who gave it.
    pub conflicting: Option<DoseView>,
    pub next_allowed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoggedDose {
    pub dose: DoseView,
    /// `None` when it cannot be worked out (the dose was logged without the check).
    pub next_allowed_at: Option<DateTime<Utc>>,
    pub flagged: bool,
    /// Logged by a guardian's override, without the check.
    pub unchecked: bool,
    pub concerns: Vec<Concern>,
    /// Guardians who were alerted (flagged doses).
    pub alerted: Vec<String>,
    /// A daily maximum was passed: the reply must give the Poison Help number.
    pub past_daily_maximum: bool,
    /// Same-ingredient doses by other people in the last 24 hours (called out by name).
    pub others_recent: Vec<DoseView>,
}

/// The answer to "can Emma have ibuprofen?": computed like a dose, written nowhere.
#[derive(Debug, Clone, PartialEq)]
pub struct DoseCheck {
    pub medication: MedicationView,
    /// Never true unless the check was done and found nothing against the usual dose.
    pub allowed_now: bool,
    /// `None` when the check cannot be done.
    pub next_allowed_at: Option<DateTime<Utc>>,
    pub last: Option<DoseView>,
    /// `None` when the check cannot be done.
    pub doses_in_last_day: Option<u32>,
    pub max_doses_per_day: Option<u32>,
    /// Why the check cannot be done, if it cannot: then the answer is "I can't check safely".
    pub cannot_check: Option<Uncheckable>,
}

/// Temperature guidance. Never a diagnosis: when to call someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeverAdvice {
    None,
    /// 38.0 °C or more.
    Fever,
    /// 38.0 °C or more under 3 months old: call the doctor now.
    InfantUrgent,
    /// 40.0 °C or more: call the doctor now.
    VeryHigh,
}

pub fn fever_advice(temperature: Temperature, age_days: i64) -> FeverAdvice {
    if temperature.celsius >= 38.0 && age_days < 90 {
        FeverAdvice::InfantUrgent
    } else if temperature.celsius >= 40.0 {
        FeverAdvice::VeryHigh
    } else if temperature.celsius >= 38.0 {
        FeverAdvice::Fever
    } else {
        FeverAdvice::None
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementView {
    pub id: i64,
    pub child_id: i64,
    pub kind: String,
    pub value: f64,
    pub unit: String,
    pub measured_at: DateTime<Utc>,
    pub recorded_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteView {
    pub id: i64,
    pub child_id: Option<i64>,
    pub author: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// The payload of an alert in the notification outbox (rendered per recipient's language on delivery).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    ExtraDose {
        dose_id: i64,
        child_name: String,
        medication_name: String,
        amount: DoseAmount,
        given_at: DateTime<Utc>,
        given_by: String,
        concerns: Vec<String>,
        past_daily_maximum: bool,
    },
    /// Someone in the family reported an emergency (the red-flag screen fired).
    Emergency(super::emergency::EmergencyAlert),
}

fn validate_text(text: &str) -> ServiceResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::EmptyText.into());
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(Problem::TextTooLong {
            max: MAX_NOTE_CHARS,
        }
        .into());
    }
    Ok(text.to_string())
}

impl Services {
    fn check_time(&self, at: Option<DateTime<Utc>>) -> ServiceResult<DateTime<Utc>> {
        let now = self.now();
        let Some(at) = at else { return Ok(now) };
        // The same tolerance the dose check's clock test relies on: nothing is ever written further
        // ahead of the clock than this.
        if at > now + dose_safety::CLOCK_TOLERANCE {
            return Err(Problem::FutureTime.into());
        }
        if at < now - Duration::days(MAX_BACKDATE_DAYS) {
            return Err(Problem::TooFarInPast {
                days: MAX_BACKDATE_DAYS,
            }
            .into());
        }
        Ok(crate::clock::truncate_millis(at))
    }

    async fn child_row<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        child_id: i64,
    ) -> ServiceResult<child::Model> {
        child::Entity::find_by_id(child_id)
            .one(db)
            .await?
            .ok_or(ServiceError::NotFound("child"))
    }

    // ----- children ---------------------------------------------------------------------------

    /// Adds a child to a family (guardians).
    pub async fn add_child(
        &self,
        actor: &Actor,
        family_id: i64,
        name: &str,
        birth_date: NaiveDate,
    ) -> ServiceResult<i64> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(Problem::BadName.into());
        }
        if birth_date > self.now().date_naive()
            || birth_date < NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default()
        {
            return Err(Problem::Other("the birth date is not plausible".into()).into());
        }
        let (txn, auth) = self
            .begin(actor, Permission::ManageChildren, Target::Family(family_id))
            .await?;
        let row = child::ActiveModel {
            family_id: Set(family_id),
            name: Set(name.to_string()),
            birth_date: Set(birth_date),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        self.commit_audited(txn, &auth, actor, "child.add", format!("child:{}", row.id))
            .await?;
        self.forget_names(family_id).await;
        self.forget_rosters(family_id);
        Ok(row.id)
    }

    /// The children the actor can see: all of them for guardians and viewers, the assigned ones for
    /// caregivers.
    pub async fn children(&self, actor: &Actor, family_id: i64) -> ServiceResult<Vec<ChildView>> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewChildren, Target::Family(family_id))
            .await?;
        let rows = self
            .visible_children(&*txn, family_id, auth.role, auth.member_id)
            .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "children.view",
            format!("family:{family_id}"),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|c| ChildView {
                id: c.id,
                family_id: c.family_id,
                name: c.name,
                birth_date: c.birth_date,
            })
            .collect())
    }

    // ----- medications, allergies, conditions -------------------------------------------------

    /// Adds a medication with its dose rules (guardians).
    pub async fn add_medication(&self, actor: &Actor, new: NewMedication) -> ServiceResult<i64> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(Problem::BadName.into());
        }
        if new.ingredients.is_empty()
            || new
                .ingredients
                .iter()
                .any(|s| s.mg <= 0.0 || s.per_amount <= 0.0)
        {
            return Err(Problem::Other(
                "a medication needs at least one active ingredient with its strength".into(),
            )
            .into());
        }
        // The bounds the dose check reads a stored interval with: a medication outside them could be
        // added but never checked.
        let (shortest, longest) = dose_safety::MIN_INTERVAL_BOUNDS;
        if new.min_interval < shortest || new.min_interval > longest {
            return Err(Problem::Other(
                "the minimum interval must be between 30 minutes and 7 days".into(),
            )
            .into());
        }
        let (txn, auth) = self
            .begin(
                actor,
                Permission::ManageChildren,
                Target::Child(new.child_id),
            )
            .await?;
        let ingredients =
            serde_json::to_string(&new.ingredients).map_err(|e| Problem::Other(e.to_string()))?;
        let row = medication::ActiveModel {
            child_id: Set(new.child_id),
            name: Set(name.to_string()),
            form: Set(new.form),
            route: Set(new.route),
            ingredients: Set(ingredients),
            dose_amount: Set(new.dose.value),
            dose_unit: Set(new.dose.unit.as_str().to_string()),
            schedule_kind: Set(new.schedule.kind().to_string()),
            schedule_times: Set(new.schedule.times_text()),
            min_interval_minutes: Set(
                i32::try_from(new.min_interval.num_minutes()).unwrap_or(i32::MAX)
            ),
            max_doses_per_day: Set(new.max_doses_per_day.and_then(|n| i32::try_from(n).ok())),
            starts_on: Set(new.starts_on),
            ends_on: Set(new.ends_on),
            active: Set(true),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "medication.add",
            format!("medication:{}", row.id),
        )
        .await?;
        self.forget_names(auth.family_id).await;
        Ok(row.id)
    }

    /// A child's active medications.
    pub async fn medications(
        &self,
        actor: &Actor,
        child_id: i64,
    ) -> ServiceResult<Vec<MedicationView>> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewMedications, Target::Child(child_id))
            .await?;
        let rows = medication::Entity::find()
            .filter(medication::Column::ChildId.eq(child_id))
            .filter(medication::Column::Active.eq(true))
            .order_by_asc(medication::Column::Id)
            .all(&*txn)
            .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "medications.view",
            format!("child:{child_id}"),
        )
        .await?;
        Ok(rows.into_iter().map(MedicationView::from_row).collect())
    }

    pub async fn add_allergy(
        &self,
        actor: &Actor,
        child_id: i64,
        allergen: &str,
        severity: &str,
        reaction: Option<&str>,
    ) -> ServiceResult<i64> {
        let allergen = allergen.trim();
        if allergen.is_empty() || allergen.chars().count() > 80 {
            return Err(Problem::BadName.into());
        }
        let severity = match severity.trim().to_ascii_lowercase().as_str() {
            s @ ("mild" | "moderate" | "severe" | "unknown") => s.to_string(),
            other => {
                return Err(Problem::Other(format!(
                    "severity {other:?}: use mild, moderate, severe or unknown"
                ))
                .into())
            }
        };
        let (txn, auth) = self
            .begin(actor, Permission::ManageChildren, Target::Child(child_id))
            .await?;
        let row = allergy::ActiveModel {
            child_id: Set(child_id),
            allergen: Set(allergen.to_string()),
            severity: Set(severity),
            reaction: Set(self.keys().seal_opt("allergies.reaction", reaction)),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "allergy.add",
            format!("allergy:{}", row.id),
        )
        .await?;
        Ok(row.id)
    }

    pub async fn allergies(&self, actor: &Actor, child_id: i64) -> ServiceResult<Vec<AllergyView>> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewAllergies, Target::Child(child_id))
            .await?;
        let rows = allergy::Entity::find()
            .filter(allergy::Column::ChildId.eq(child_id))
            .all(&*txn)
            .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "allergies.view",
            format!("child:{child_id}"),
        )
        .await?;
        rows.into_iter()
            .map(|a| {
                Ok(AllergyView {
                    id: a.id,
                    child_id: a.child_id,
                    allergen: a.allergen,
                    severity: a.severity,
                    reaction: self
                        .keys()
                        .open_opt("allergies.reaction", a.reaction.as_deref())?,
                })
            })
            .collect()
    }

    pub async fn add_condition(
        &self,
        actor: &Actor,
        child_id: i64,
        name: &str,
        notes: Option<&str>,
        guardian_only: bool,
    ) -> ServiceResult<i64> {
        let name = validate_text(name)?;
        let (txn, auth) = self
            .begin(actor, Permission::ManageChildren, Target::Child(child_id))
            .await?;
        let row = condition::ActiveModel {
            child_id: Set(child_id),
            name: Set(self.keys().seal("conditions.name", &name)),
            notes: Set(self.keys().seal_opt("conditions.notes", notes)),
            guardian_only: Set(guardian_only),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "condition.add",
            format!("condition:{}", row.id),
        )
        .await?;
        Ok(row.id)
    }

    /// A child's conditions: guardians see all, others only those not marked guardian-only.
    pub async fn conditions(
        &self,
        actor: &Actor,
        child_id: i64,
    ) -> ServiceResult<Vec<ConditionView>> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewConditions, Target::Child(child_id))
            .await?;
        let include_private = auth.role == Some(Role::Guardian) || auth.role.is_none();
        let rows = condition::Entity::find()
            .filter(condition::Column::ChildId.eq(child_id))
            .all(&*txn)
            .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "conditions.view",
            format!("child:{child_id}"),
        )
        .await?;
        rows.into_iter()
            .filter(|c| include_private || !c.guardian_only)
            .map(|c| {
                Ok(ConditionView {
                    id: c.id,
                    child_id: c.child_id,
                    name: self.keys().open("conditions.name", &c.name)?,
                    notes: self
                        .keys()
                        .open_opt("conditions.notes", c.notes.as_deref())?,
                    guardian_only: c.guardian_only,
                })
            })
            .collect()
    }

    // ----- doses ------------------------------------------------------------------------------

    /// The stored row of one of the child's medications (another child's is "not found").
    async fn medication_row<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        child_id: i64,
        medication_id: i64,
    ) -> ServiceResult<medication::Model> {
        medication::Entity::find_by_id(medication_id)
            .one(db)
            .await?
            .filter(|m| m.child_id == child_id)
            .ok_or(ServiceError::NotFound("medication"))
    }

    /// A medication can be given only while it is active and within its course (start and end dates,
    /// in the family's time zone): [`dose_safety::course`].
    async fn check_course(
        &self,
        med: &medication::Model,
        family_id: i64,
        at: DateTime<Utc>,
    ) -> ServiceResult<()> {
        if med.active && med.starts_on.is_none() && med.ends_on.is_none() {
            return Ok(());
        }
        let family = self.family_info(family_id).await?;
        let day = at.with_timezone(&family.timezone).date_naive();
        match dose_safety::course(day, med.active, med.starts_on, med.ends_on) {
            Course::Allowed => Ok(()),
            Course::Inactive => Err(Problem::MedicationInactive.into()),
            Course::Outside => Err(Problem::OutsideCourse {
                medication: med.name.clone(),
                starts_on: med.starts_on,
                ends_on: med.ends_on,
            }
            .into()),
        }
    }

    /// A family's children in the order they were added; for a caregiver, only those assigned to
    /// them. The one place that rule is applied to lists.
    pub(super) async fn visible_children<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        role: Option<Role>,
        member_id: Option<i64>,
    ) -> ServiceResult<Vec<child::Model>> {
        let mut rows = child::Entity::find()
            .filter(child::Column::FamilyId.eq(family_id))
            .order_by_asc(child::Column::Id)
            .all(db)
            .await?;
        if role == Some(Role::Caregiver) {
            let assigned: Vec<i64> = caregiver_assignment::Entity::find()
                .filter(caregiver_assignment::Column::MemberId.eq(member_id.unwrap_or_default()))
                .all(db)
                .await?
                .into_iter()
                .map(|a| a.child_id)
                .collect();
            rows.retain(|c| assigned.contains(&c.id));
        }
        Ok(rows)
    }

    /// The one loader of the dose-safety check's inputs: the child's non-voided doses from
    /// `at - load_window` (for the longest interval among `meds`) on, oldest first, read once in the
    /// caller's transaction, and for each medication its [`DoseContext`] or why the check cannot be
    /// done. `log_dose`, `check_dose` and the dashboard read doses for the check only through here.
    pub(super) async fn dose_contexts<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        child_id: i64,
        meds: &[&medication::Model],
        at: DateTime<Utc>,
    ) -> ServiceResult<ChildDoses> {
        // The window comes from the stored intervals as they are, kept within the bounds a readable
        // one has (so a damaged row does not read a lifetime of doses): an interval outside them is
        // refused by the medication's own decoding below, whatever window this gives.
        let (_, longest_allowed) = dose_safety::MIN_INTERVAL_BOUNDS;
        let longest = meds
            .iter()
            .map(|m| {
                Duration::minutes(i64::from(m.min_interval_minutes))
                    .clamp(Duration::zero(), longest_allowed)
            })
            .max()
            .unwrap_or_else(Duration::zero);
        let from = at - dose_safety::load_window(longest);
        // No upper bound: later doses count against a back-dated one, and a dose "in the future"
        // is how a clock that went back shows (see `Uncheckable::Clock`).
        let rows = dose_log::Entity::find()
            .filter(dose_log::Column::ChildId.eq(child_id))
            .filter(dose_log::Column::GivenAt.gte(from))
            .filter(dose_log::Column::VoidedAt.is_null())
            .order_by_asc(dose_log::Column::GivenAt)
            .order_by_asc(dose_log::Column::Id)
            .all(db)
            .await?;
        let now = self.now();
        let contexts = meds
            .iter()
            .map(|med| DoseContext::new(med, &rows, at, now))
            .collect();
        Ok(ChildDoses { rows, contexts })
    }

    /// [`Services::dose_contexts`] for one medication.
    async fn dose_context<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        child_id: i64,
        med: &medication::Model,
        at: DateTime<Utc>,
    ) -> ServiceResult<(Vec<dose_log::Model>, Result<DoseContext, Uncheckable>)> {
        let loaded = self.dose_contexts(db, child_id, &[med], at).await?;
        let context = loaded
            .contexts
            .into_iter()
            .next()
            .ok_or(ServiceError::NotFound("medication"))?;
        Ok((loaded.rows, context))
    }

    pub(super) async fn dose_views<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        rows: Vec<dose_log::Model>,
    ) -> ServiceResult<Vec<DoseView>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // Every name the views need (givers, medications, children), from the family's cached book;
        // a book missing one of them (someone added by another process) is read again.
        let book = self
            .name_book(db, family_id, |book| {
                rows.iter().all(|r| {
                    book.children.contains_key(&r.child_id)
                        && book.medications.contains_key(&r.medication_id)
                        && r.given_by_member_id
                            .is_none_or(|id| book.members.contains_key(&id))
                })
            })
            .await?;
        let (names, meds, children) = (&book.members, &book.medications, &book.children);
        // For display only (what the check counts is decoded strictly by `dose_safety::prior_dose`).
        Ok(rows
            .into_iter()
            .map(|r| DoseView {
                id: r.id,
                child_id: r.child_id,
                child_name: children.get(&r.child_id).cloned().unwrap_or_default(),
                medication_id: r.medication_id,
                medication_name: meds.get(&r.medication_id).cloned().unwrap_or_default(),
                amount: DoseAmount {
                    value: r.amount,
                    unit: DoseUnit::parse(&r.unit).unwrap_or(DoseUnit::Ml),
                },
                ingredient_mg: serde_json::from_str(&r.ingredient_mg).unwrap_or_default(),
                given_at: r.given_at,
                given_by_member_id: r.given_by_member_id,
                given_by: r.given_by_member_id.and_then(|id| names.get(&id).cloned()),
                channel: r.channel,
                flagged: r.flagged,
                voided: r.voided_at.is_some(),
            })
            .collect())
    }

    /// The views of the rows with these ids, in the order of `rows`.
    async fn views_of<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        rows: &[dose_log::Model],
        ids: &[i64],
    ) -> ServiceResult<Vec<DoseView>> {
        let chosen = rows
            .iter()
            .filter(|r| ids.contains(&r.id))
            .cloned()
            .collect();
        self.dose_views(db, family_id, chosen).await
    }

    /// Records a dose, enforcing the dose-safety rules in the same transaction as the write: a dose
    /// that breaks a rule is not written unless `confirmed_extra`; then it is written flagged, the
    /// guardians are alerted (outbox) and the audit event says `flagged`. A dose that cannot be
    /// checked is not written unless a guardian asks with `override_unchecked` (see
    /// [`DoseOutcome::CannotCheck`]).
    #[tracing::instrument(skip(self, request), fields(actor = ?actor.kind, child_id = request.child_id))]
    pub async fn log_dose(
        &self,
        actor: &Actor,
        request: DoseRequest,
    ) -> ServiceResult<DoseOutcome> {
        let given_at = self.check_time(request.given_at)?;
        // An override is asked of the policy before anything else, so a non-guardian's override is
        // one audited denial and nothing more, whether or not the check could have been done.
        // (Whoever may override may log: the auth tests hold the policy to that.)
        let permission = if request.override_unchecked {
            Permission::OverrideDoseCheck
        } else {
            Permission::LogDose
        };
        let (txn, auth) = self
            .begin(actor, permission, Target::Child(request.child_id))
            .await?;
        let med = self
            .medication_row(&*txn, request.child_id, request.medication_id)
            .await?;
        if let Some(key) = request.source_key.as_deref() {
            let written = dose_log::Entity::find()
                .filter(dose_log::Column::SourceKey.eq(key))
                .one(&*txn)
                .await?;
            if let Some(row) = written {
                return self.dose_already_logged(txn, &auth, actor, &med, row).await;
            }
        }
        self.check_course(&med, auth.family_id, given_at).await?;
        let (rows, context) = self
            .dose_context(&*txn, request.child_id, &med, given_at)
            .await?;
        let context = match context {
            Ok(context) => context,
            Err(reason) if request.override_unchecked => {
                return self
                    .log_unchecked_dose(txn, &auth, actor, &request, &med, given_at, reason)
                    .await;
            }
            Err(reason) => {
                self.refuse_uncheckable(txn, &auth, actor, &med, reason)
                    .await?;
                return Ok(DoseOutcome::CannotCheck {
                    reason,
                    medication: med.name,
                    may_override: may_override(&auth),
                });
            }
        };
        let proposed_mg = context
            .medication
            .ingredient_mg(request.amount)
            .ok_or_else(|| {
                unit_mismatch(&med.name, context.medication.dose.unit, request.amount)
            })?;
        let assessment = context.assess(&proposed_mg);

        if !assessment.is_safe() && !request.confirmed_extra {
            let conflicting_id =
                dose_safety::conflicting_dose(&assessment, &context.prior, given_at, &proposed_mg);
            let conflicting = self
                .views_of(
                    &*txn,
                    auth.family_id,
                    &rows,
                    &Vec::from_iter(conflicting_id),
                )
                .await?
                .pop();
            self.commit_audited(
                txn,
                &auth,
                actor,
                "dose.check",
                format!("child:{}", request.child_id),
            )
            .await?;
            return Ok(DoseOutcome::NeedsConfirmation(DoseConflict {
                concerns: assessment.concerns,
                conflicting,
                next_allowed_at: context.next_allowed_at(),
            }));
        }

        let flagged = !assessment.is_safe();
        let past_daily_maximum = assessment
            .concerns
            .iter()
            .any(Concern::exceeds_daily_maximum);
        let codes: Vec<String> = assessment
            .concerns
            .iter()
            .map(|c| c.code().to_string())
            .collect();
        let flag_reason = flagged.then(|| codes.join(","));
        let row = self
            .insert_dose(
                &txn,
                &auth,
                actor,
                &request,
                given_at,
                &proposed_mg,
                flag_reason,
            )
            .await?;
        let outcome = if flagged {
            Outcome::Flagged
        } else {
            Outcome::Ok
        };
        self.audit(
            &txn,
            &auth,
            actor,
            "dose.log",
            format!("dose:{}", row.id),
            outcome,
        )
        .await?;

        // The new dose counts from now on: the next allowed time includes it.
        let mut context = context;
        let logged = dose_safety::PriorDose {
            id: row.id,
            given_at: row.given_at,
            given_by_member_id: row.given_by_member_id,
            medication_id: row.medication_id,
            ingredient_mg: proposed_mg,
        };
        let others = dose_safety::others_recent(&context.prior, &logged);
        context.prior.push(logged);
        let next_allowed_at = context.next_allowed_at();
        // One lookup of names for the new dose and the others' doses together.
        let mut shown = rows;
        shown.retain(|r| others.contains(&r.id));
        shown.push(row);
        let mut others_recent = self.dose_views(&*txn, auth.family_id, shown).await?;
        let dose = others_recent.pop().ok_or(ServiceError::NotFound("dose"))?;

        let alerted = if flagged {
            self.alert_guardians(&txn, &auth, &dose, codes, past_daily_maximum)
                .await?
        } else {
            Vec::new()
        };
        txn.commit().await?;
        Ok(DoseOutcome::Logged(LoggedDose {
            dose,
            next_allowed_at: Some(next_allowed_at),
            flagged,
            unchecked: false,
            concerns: assessment.concerns,
            alerted,
            past_daily_maximum,
            others_recent,
        }))
    }

    /// Writes a dose row (inside the caller's transaction).
    #[allow(clippy::too_many_arguments)]
    async fn insert_dose(
        &self,
        txn: &WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        request: &DoseRequest,
        given_at: DateTime<Utc>,
        ingredient_mg: &BTreeMap<String, f64>,
        flag_reason: Option<String>,
    ) -> ServiceResult<dose_log::Model> {
        let ingredient_mg =
            serde_json::to_string(ingredient_mg).map_err(|e| Problem::Other(e.to_string()))?;
        Ok(dose_log::ActiveModel {
            family_id: Set(auth.family_id),
            child_id: Set(request.child_id),
            medication_id: Set(request.medication_id),
            given_by_member_id: Set(auth.member_id),
            given_at: Set(given_at),
            recorded_at: Set(self.now()),
            amount: Set(request.amount.value),
            unit: Set(request.amount.unit.as_str().to_string()),
            ingredient_mg: Set(ingredient_mg),
            channel: Set(actor.channel.as_str().to_string()),
            flagged: Set(flag_reason.is_some()),
            source_key: Set(request.source_key.clone()),
            flag_reason: Set(flag_reason),
            ..Default::default()
        }
        .insert(&**txn)
        .await?)
    }

    /// The check cannot be done and nobody may override it now: nothing is written but the refusal,
    /// which is logged (reason code and ids only) and audited, and committed.
    async fn refuse_uncheckable(
        &self,
        txn: WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        med: &medication::Model,
        reason: Uncheckable,
    ) -> ServiceResult<()> {
        tracing::warn!(
            reason = reason.code(),
            ?reason,
            family_id = auth.family_id,
            child_id = med.child_id,
            medication_id = med.id,
            "dose check cannot be done: refused"
        );
        self.audit(
            &txn,
            auth,
            actor,
            "dose.check",
            format!("child:{}", med.child_id),
            Outcome::Refused,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// A guardian's explicit override of a check that cannot be done: the dose is written flagged
    /// `unchecked`, audited as flagged, and the other guardians are alerted as for an extra dose.
    #[allow(clippy::too_many_arguments)]
    async fn log_unchecked_dose(
        &self,
        txn: WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        request: &DoseRequest,
        med: &medication::Model,
        given_at: DateTime<Utc>,
        reason: Uncheckable,
    ) -> ServiceResult<DoseOutcome> {
        // The dose records the mg it held whenever the medication's strengths can be read (an amount
        // in the wrong unit is still the person's to fix). When they cannot, it records none ("{}"),
        // which every later check reads as an unreadable dose: until it leaves the window nobody is
        // told a dose is safe for this child, because nobody knows what was in this one.
        let ingredient_mg = match dose_safety::medication_ingredients(med) {
            Ok(ingredients) => {
                // The usual dose's unit, when it can be read, refuses an amount in another unit as
                // always; the strengths alone still refuse an amount they do not measure.
                let unit = dose_safety::usual_dose(med).map_or(request.amount.unit, |d| d.unit);
                dose_safety::ingredient_mg(&ingredients, unit, request.amount)
                    .ok_or_else(|| unit_mismatch(&med.name, unit, request.amount))?
            }
            Err(_) => BTreeMap::new(),
        };
        let row = self
            .insert_dose(
                &txn,
                auth,
                actor,
                request,
                given_at,
                &ingredient_mg,
                Some(UNCHECKED_FLAG.to_string()),
            )
            .await?;
        self.audit(
            &txn,
            auth,
            actor,
            "dose.log",
            format!("dose:{}", row.id),
            Outcome::Flagged,
        )
        .await?;
        let dose = self
            .dose_views(&*txn, auth.family_id, vec![row])
            .await?
            .pop()
            .ok_or(ServiceError::NotFound("dose"))?;
        let alerted = self
            .alert_guardians(&txn, auth, &dose, vec![UNCHECKED_FLAG.to_string()], false)
            .await?;
        txn.commit().await?;
        tracing::warn!(
            reason = reason.code(),
            ?reason,
            family_id = auth.family_id,
            child_id = request.child_id,
            medication_id = med.id,
            dose_id = dose.id,
            "dose logged without the check (guardian override)"
        );
        Ok(DoseOutcome::Logged(LoggedDose {
            dose,
            next_allowed_at: None,
            flagged: true,
            unchecked: true,
            concerns: Vec::new(),
            alerted,
            past_daily_maximum: false,
            others_recent: Vec::new(),
        }))
    }

    /// The answer to a delivery processed again (after a crash) whose dose was already written: the
    /// same dose, as it stands now, with nothing written and no alert sent twice.
    async fn dose_already_logged(
        &self,
        txn: WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        med: &medication::Model,
        row: dose_log::Model,
    ) -> ServiceResult<DoseOutcome> {
        let (rows, context) = self
            .dose_context(&*txn, row.child_id, med, row.given_at)
            .await?;
        // The dose is written whatever the check says now; only what the reply adds needs the check.
        let (next_allowed_at, others) = match (context, dose_safety::prior_dose(&row)) {
            (Ok(context), Ok(this)) => (
                Some(context.next_allowed_at()),
                dose_safety::others_recent(&context.prior, &this),
            ),
            (Err(reason), _) | (_, Err(reason)) => {
                tracing::warn!(
                    reason = reason.code(),
                    ?reason,
                    family_id = auth.family_id,
                    dose_id = row.id,
                    "dose check cannot be done for a repeated delivery"
                );
                (None, Vec::new())
            }
        };
        let flagged = row.flagged;
        let unchecked = row.flag_reason.as_deref() == Some(UNCHECKED_FLAG);
        let mut shown: Vec<dose_log::Model> = rows
            .into_iter()
            .filter(|r| others.contains(&r.id))
            .collect();
        shown.push(row);
        let mut others_recent = self.dose_views(&*txn, auth.family_id, shown).await?;
        let dose = others_recent.pop().ok_or(ServiceError::NotFound("dose"))?;
        self.commit_audited(
            txn,
            auth,
            actor,
            "dose.log.repeated",
            format!("dose:{}", dose.id),
        )
        .await?;
        Ok(DoseOutcome::Logged(LoggedDose {
            dose,
            next_allowed_at,
            flagged,
            unchecked,
            concerns: Vec::new(),
            alerted: Vec::new(),
            past_daily_maximum: false,
            others_recent,
        }))
    }

    /// Queues an alert to every active guardian but the one who logged the dose; returns their names.
    async fn alert_guardians(
        &self,
        txn: &WriteTxn,
        auth: &Authorized,
        dose: &DoseView,
        concerns: Vec<String>,
        past_daily_maximum: bool,
    ) -> ServiceResult<Vec<String>> {
        let guardians = member::Entity::find()
            .filter(member::Column::FamilyId.eq(auth.family_id))
            .filter(member::Column::Role.eq(Role::Guardian.as_str()))
            .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
            .all(&**txn)
            .await?;
        let names = self
            .member_names(&**txn, auth.family_id, guardians.iter().map(|g| g.id))
            .await?;
        let alert = Alert::ExtraDose {
            dose_id: dose.id,
            child_name: dose.child_name.clone(),
            medication_name: dose.medication_name.clone(),
            amount: dose.amount,
            given_at: dose.given_at,
            given_by: dose.given_by.clone().unwrap_or_default(),
            concerns,
            past_daily_maximum,
        };
        let body = serde_json::to_string(&alert).map_err(|e| Problem::Other(e.to_string()))?;
        let mut alerted = Vec::new();
        for guardian in guardians
            .into_iter()
            .filter(|g| Some(g.id) != auth.member_id)
        {
            notification::ActiveModel {
                family_id: Set(auth.family_id),
                recipient_member_id: Set(guardian.id),
                kind: Set("extra_dose".into()),
                body: Set(self.keys().seal("notifications.body", &body)),
                created_at: Set(self.now()),
                ..Default::default()
            }
            .insert(&**txn)
            .await?;
            alerted.push(names.get(&guardian.id).cloned().unwrap_or_default());
        }
        Ok(alerted)
    }

    /// "Can Emma have ibuprofen?": the same check as logging the usual dose now, writing no dose.
    /// When the check cannot be done, the answer says so (never "yes"), and the refusal is logged
    /// and audited like a refused dose.
    pub async fn check_dose(
        &self,
        actor: &Actor,
        child_id: i64,
        medication_id: i64,
    ) -> ServiceResult<DoseCheck> {
        let now = self.now();
        let (txn, auth) = self
            .begin(actor, Permission::ViewDoses, Target::Child(child_id))
            .await?;
        let med = self.medication_row(&*txn, child_id, medication_id).await?;
        self.check_course(&med, auth.family_id, now).await?;
        let (rows, context) = self.dose_context(&*txn, child_id, &med, now).await?;
        let context = match context {
            Ok(context) => context,
            Err(reason) => {
                self.refuse_uncheckable(txn, &auth, actor, &med, reason)
                    .await?;
                return Ok(DoseCheck {
                    medication: MedicationView::from_row(med),
                    allowed_now: false,
                    next_allowed_at: None,
                    last: None,
                    doses_in_last_day: None,
                    max_doses_per_day: None,
                    cannot_check: Some(reason),
                });
            }
        };
        let assessment = context.assess_usual();
        let last_id = context.last_dose().map(|d| d.id);
        let last = self
            .views_of(&*txn, auth.family_id, &rows, &Vec::from_iter(last_id))
            .await?
            .pop();
        self.commit_audited(txn, &auth, actor, "dose.check", format!("child:{child_id}"))
            .await?;
        Ok(DoseCheck {
            max_doses_per_day: context.rules().max_doses_per_day,
            medication: MedicationView::from_row(med),
            allowed_now: dose_safety::allowed_now(&assessment),
            next_allowed_at: Some(context.next_allowed_at()),
            last,
            doses_in_last_day: Some(assessment.doses_in_last_day),
            cannot_check: None,
        })
    }

    /// The last doses a child had (most recent first), voided ones excluded.
    pub async fn recent_doses(
        &self,
        actor: &Actor,
        child_id: i64,
        limit: u64,
    ) -> ServiceResult<Vec<DoseView>> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewDoses, Target::Child(child_id))
            .await?;
        let rows = dose_log::Entity::find()
            .filter(dose_log::Column::ChildId.eq(child_id))
            .filter(dose_log::Column::VoidedAt.is_null())
            .order_by_desc(dose_log::Column::GivenAt)
            .limit(limit)
            .all(&*txn)
            .await?;
        let views = self.dose_views(&*txn, auth.family_id, rows).await?;
        self.commit_audited(txn, &auth, actor, "doses.view", format!("child:{child_id}"))
            .await?;
        Ok(views)
    }

    /// Voids a dose (a correction: the row stays, marked void). Caregivers may void only their own.
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn void_dose(&self, actor: &Actor, dose_id: i64) -> ServiceResult<DoseView> {
        let row = dose_log::Entity::find_by_id(dose_id)
            .one(self.db().conn())
            .await?
            .ok_or(ServiceError::NotFound("dose"))?;
        let (txn, auth) = self
            .begin(actor, Permission::VoidDose, Target::Child(row.child_id))
            .await?;
        let row = dose_log::Entity::find_by_id(dose_id)
            .one(&*txn)
            .await?
            .ok_or(ServiceError::NotFound("dose"))?;
        if auth.role == Some(Role::Caregiver) && row.given_by_member_id != auth.member_id {
            // Caregivers correct their own doses only; the refusal is audited like any denial.
            let target = Target::Child(row.child_id);
            return Err(self
                .refuse(txn, actor, &auth, Permission::VoidDose, target)
                .await);
        }
        if row.voided_at.is_some() {
            return Err(Problem::AlreadyVoided.into());
        }
        let mut active: dose_log::ActiveModel = row.clone().into();
        active.voided_at = Set(Some(self.now()));
        active.voided_by_member_id = Set(auth.member_id);
        let updated = active.update(&*txn).await?;
        self.audit(
            &txn,
            &auth,
            actor,
            "dose.void",
            format!("dose:{dose_id}"),
            Outcome::Ok,
        )
        .await?;
        let mut views = self
            .dose_views(&*txn, auth.family_id, vec![updated])
            .await?;
        txn.commit().await?;
        views.pop().ok_or(ServiceError::NotFound("dose"))
    }

    /// The most recent non-voided dose the actor logged for any child of the family (for "undo").
    pub async fn last_dose_by(&self, actor: &Actor, family_id: i64) -> ServiceResult<Option<i64>> {
        let crate::auth::ActorKind::Person(person_id) = actor.kind else {
            return Ok(None);
        };
        let Some(member) = member::Entity::find()
            .filter(member::Column::FamilyId.eq(family_id))
            .filter(member::Column::PersonId.eq(person_id))
            .one(self.db().conn())
            .await?
        else {
            return Ok(None);
        };
        Ok(dose_log::Entity::find()
            .filter(dose_log::Column::GivenByMemberId.eq(member.id))
            .filter(dose_log::Column::VoidedAt.is_null())
            .order_by_desc(dose_log::Column::RecordedAt)
            .one(self.db().conn())
            .await?
            .map(|d| d.id))
    }

    // ----- measurements and notes -------------------------------------------------------------

    /// Records a temperature and returns the guidance that goes with it.
    pub async fn log_temperature(
        &self,
        actor: &Actor,
        child_id: i64,
        temperature: Temperature,
        at: Option<DateTime<Utc>>,
        source_key: Option<&str>,
    ) -> ServiceResult<(MeasurementView, FeverAdvice)> {
        let measured_at = self.check_time(at)?;
        let (txn, auth) = self
            .begin(actor, Permission::LogMeasurement, Target::Child(child_id))
            .await?;
        let child = self.child_row(&*txn, child_id).await?;
        let written = match source_key {
            Some(key) => {
                measurement::Entity::find()
                    .filter(measurement::Column::SourceKey.eq(key))
                    .one(&*txn)
                    .await?
            }
            None => None,
        };
        let (row, action) = match written {
            Some(row) => (row, "measurement.log.repeated"),
            None => (
                self.insert_temperature(
                    &txn,
                    &auth,
                    actor,
                    child_id,
                    temperature,
                    measured_at,
                    source_key,
                )
                .await?,
                "measurement.log",
            ),
        };
        self.commit_audited(txn, &auth, actor, action, format!("measurement:{}", row.id))
            .await?;
        let measured_at = row.measured_at;
        let info = self.family_info(auth.family_id).await?;
        let today = measured_at.with_timezone(&info.timezone).date_naive();
        let advice = fever_advice(
            Temperature { celsius: row.value },
            (today - child.birth_date).num_days(),
        );
        Ok((
            MeasurementView {
                id: row.id,
                child_id,
                kind: row.kind,
                value: row.value,
                unit: row.unit,
                measured_at,
                recorded_by: None,
            },
            advice,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_temperature(
        &self,
        txn: &WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        child_id: i64,
        temperature: Temperature,
        measured_at: DateTime<Utc>,
        source_key: Option<&str>,
    ) -> ServiceResult<measurement::Model> {
        Ok(measurement::ActiveModel {
            family_id: Set(auth.family_id),
            child_id: Set(child_id),
            kind: Set("temperature".into()),
            value: Set(temperature.celsius),
            unit: Set("C".into()),
            measured_at: Set(measured_at),
            recorded_by_member_id: Set(auth.member_id),
            channel: Set(actor.channel.as_str().to_string()),
            created_at: Set(self.now()),
            source_key: Set(source_key.map(str::to_string)),
            ..Default::default()
        }
        .insert(&**txn)
        .await?)
    }

    /// Records a weight (kg) or height (cm).
    pub async fn log_growth(
        &self,
        actor: &Actor,
        child_id: i64,
        kind: &str,
        value: f64,
    ) -> ServiceResult<i64> {
        let (unit, range) = match kind {
            "weight" => ("kg", 0.5..=150.0),
            "height" => ("cm", 30.0..=220.0),
            _ => return Err(Problem::Other(format!("unknown measurement {kind:?}")).into()),
        };
        if !range.contains(&value) {
            return Err(Problem::Other(format!("{value} {unit} is not a plausible {kind}")).into());
        }
        let (txn, auth) = self
            .begin(actor, Permission::LogMeasurement, Target::Child(child_id))
            .await?;
        let row = measurement::ActiveModel {
            family_id: Set(auth.family_id),
            child_id: Set(child_id),
            kind: Set(kind.to_string()),
            value: Set(value),
            unit: Set(unit.to_string()),
            measured_at: Set(self.now()),
            recorded_by_member_id: Set(auth.member_id),
            channel: Set(actor.channel.as_str().to_string()),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "measurement.log",
            format!("measurement:{}", row.id),
        )
        .await?;
        Ok(row.id)
    }

    /// A child's recent measurements, most recent first.
    pub async fn measurements(
        &self,
        actor: &Actor,
        child_id: i64,
        limit: u64,
    ) -> ServiceResult<Vec<MeasurementView>> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewMeasurements, Target::Child(child_id))
            .await?;
        let rows = measurement::Entity::find()
            .filter(measurement::Column::ChildId.eq(child_id))
            .order_by_desc(measurement::Column::MeasuredAt)
            .limit(limit)
            .all(&*txn)
            .await?;
        let names = self
            .member_names(
                &*txn,
                auth.family_id,
                rows.iter().filter_map(|m| m.recorded_by_member_id),
            )
            .await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "measurements.view",
            format!("child:{child_id}"),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|m| MeasurementView {
                id: m.id,
                child_id: m.child_id,
                kind: m.kind,
                value: m.value,
                unit: m.unit,
                measured_at: m.measured_at,
                recorded_by: m
                    .recorded_by_member_id
                    .and_then(|id| names.get(&id).cloned()),
            })
            .collect())
    }

    /// Adds a note about a child (sealed at rest).
    pub async fn add_note(
        &self,
        actor: &Actor,
        child_id: i64,
        text: &str,
        source_key: Option<&str>,
    ) -> ServiceResult<i64> {
        let text = validate_text(text)?;
        let (txn, auth) = self
            .begin(actor, Permission::WriteNote, Target::Child(child_id))
            .await?;
        let note = care_note::ActiveModel {
            source_key: Set(source_key.map(str::to_string)),
            family_id: Set(auth.family_id),
            child_id: Set(Some(child_id)),
            author_member_id: Set(auth.member_id),
            body: Set(self.keys().seal("care_notes.body", &text)),
            channel: Set(actor.channel.as_str().to_string()),
            created_at: Set(self.now()),
            ..Default::default()
        };
        // A delivery processed again after a crash hits the unique source key: the note it wrote
        // is looked up then (only then, so the usual path costs one statement).
        let inserted = care_note::Entity::insert(note)
            .on_conflict_do_nothing_on([care_note::Column::SourceKey])
            .exec(&*txn)
            .await?;
        let (id, action) = match (inserted, source_key) {
            (TryInsertResult::Inserted(result), _) => (result.last_insert_id, "note.write"),
            (_, Some(key)) => {
                let row = care_note::Entity::find()
                    .filter(care_note::Column::SourceKey.eq(key))
                    .one(&*txn)
                    .await?
                    .ok_or(ServiceError::NotFound("note"))?;
                (row.id, "note.write.repeated")
            }
            (_, None) => return Err(ServiceError::NotFound("note")),
        };
        self.commit_audited(txn, &auth, actor, action, format!("note:{id}"))
            .await?;
        Ok(id)
    }

    /// A child's notes, most recent first.
    pub async fn notes(
        &self,
        actor: &Actor,
        child_id: i64,
        limit: u64,
    ) -> ServiceResult<Vec<NoteView>> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewNotes, Target::Child(child_id))
            .await?;
        let rows = care_note::Entity::find()
            .filter(care_note::Column::ChildId.eq(child_id))
            .order_by_desc(care_note::Column::CreatedAt)
            .limit(limit)
            .all(&*txn)
            .await?;
        let names = self
            .member_names(
                &*txn,
                auth.family_id,
                rows.iter().filter_map(|n| n.author_member_id),
            )
            .await?;
        self.commit_audited(txn, &auth, actor, "notes.view", format!("child:{child_id}"))
            .await?;
        rows.into_iter()
            .map(|n| {
                Ok(NoteView {
                    id: n.id,
                    child_id: n.child_id,
                    author: n.author_member_id.and_then(|id| names.get(&id).cloned()),
                    body: self.keys().open("care_notes.body", &n.body)?,
                    created_at: n.created_at,
                })
            })
            .collect()
    }

    /// Takes the alerts waiting for the actor in a family: returns them and marks them delivered in
    /// one audited transaction, so an alert is handed over exactly once and only to its recipient
    /// (the console's way: shown with the recipient's next message).
    pub async fn take_alerts(&self, actor: &Actor, family_id: i64) -> ServiceResult<Vec<Alert>> {
        let Some((txn, auth, member_id, rows)) = self.waiting_alerts(actor, family_id).await?
        else {
            return Ok(Vec::new());
        };
        let alerts = rows
            .iter()
            .map(|row| self.open_alert(row))
            .collect::<ServiceResult<Vec<Alert>>>()?;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        self.mark_delivered(&txn, member_id, &ids).await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "alerts.deliver",
            format!("member:{member_id}"),
        )
        .await?;
        Ok(alerts)
    }

    /// The alerts waiting for the actor in a family, left waiting: a channel that pushes them
    /// (Slack, WhatsApp) marks them delivered with [`Services::mark_alerts_delivered`] only once they
    /// were sent, so an alert is never lost to a failed send or a crash in between.
    pub async fn pending_alerts(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<Vec<PendingAlert>> {
        let Some((txn, auth, member_id, rows)) = self.waiting_alerts(actor, family_id).await?
        else {
            return Ok(Vec::new());
        };
        let pending = rows
            .iter()
            .map(|row| {
                Ok(PendingAlert {
                    id: row.id,
                    alert: self.open_alert(row)?,
                })
            })
            .collect::<ServiceResult<Vec<PendingAlert>>>()?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "alerts.view",
            format!("member:{member_id}"),
        )
        .await?;
        Ok(pending)
    }

    /// Marks the actor's own alerts delivered (ids of other members' alerts change nothing).
    pub async fn mark_alerts_delivered(
        &self,
        actor: &Actor,
        family_id: i64,
        ids: &[i64],
    ) -> ServiceResult<()> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewDoses, Target::Family(family_id))
            .await?;
        let Some(member_id) = auth.member_id else {
            return Ok(());
        };
        self.mark_delivered(&txn, member_id, ids).await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "alerts.deliver",
            format!("member:{member_id}"),
        )
        .await
    }

    /// The authorized transaction and the actor's undelivered alerts, or `None` when nothing waits
    /// (then no transaction was opened and nothing is audited).
    async fn waiting_alerts(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<Option<(WriteTxn, Authorized, i64, Vec<notification::Model>)>> {
        if self.nothing_waiting(actor, family_id).await? {
            return Ok(None);
        }
        let (txn, auth) = self
            .begin(actor, Permission::ViewDoses, Target::Family(family_id))
            .await?;
        let Some(member_id) = auth.member_id else {
            return Ok(None);
        };
        let rows = notification::Entity::find()
            .filter(notification::Column::RecipientMemberId.eq(member_id))
            .filter(notification::Column::DeliveredAt.is_null())
            .order_by_asc(notification::Column::Id)
            .all(&*txn)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some((txn, auth, member_id, rows)))
    }

    /// Marks a member's alerts delivered, inside the caller's transaction.
    async fn mark_delivered(
        &self,
        txn: &WriteTxn,
        member_id: i64,
        ids: &[i64],
    ) -> ServiceResult<()> {
        notification::Entity::update_many()
            .col_expr(
                notification::Column::DeliveredAt,
                sea_orm::sea_query::Expr::value(Some(self.now())),
            )
            .filter(notification::Column::Id.is_in(ids.iter().copied()))
            .filter(notification::Column::RecipientMemberId.eq(member_id))
            .filter(notification::Column::DeliveredAt.is_null())
            .exec(&**txn)
            .await?;
        Ok(())
    }

    /// Whether nothing waits for the actor: one read, before any write transaction (nothing is
    /// disclosed then, so there is nothing to audit either). Nearly always true.
    async fn nothing_waiting(&self, actor: &Actor, family_id: i64) -> ServiceResult<bool> {
        let crate::auth::ActorKind::Person(person_id) = actor.kind else {
            return Ok(false);
        };
        // Every turn asks this, and the answer is almost always "nothing": one constant statement
        // (prepared once) that reads no row's content. `$n` placeholders work on both backends.
        const SQL: &str = "SELECT 1 AS waiting FROM notifications \
            WHERE family_id = $1 AND delivered_at IS NULL AND recipient_member_id IN \
            (SELECT id FROM members WHERE person_id = $2 AND family_id = $1) LIMIT 1";
        let conn = self.db().conn();
        let waiting = conn
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                conn.get_database_backend(),
                SQL,
                [family_id.into(), person_id.into()],
            ))
            .await?;
        Ok(waiting.is_none())
    }

    fn open_alert(&self, row: &notification::Model) -> ServiceResult<Alert> {
        let body = self.keys().open("notifications.body", &row.body)?;
        Ok(serde_json::from_str(&body).map_err(|e| Problem::Other(e.to_string()))?)
    }
}

/// What [`Services::dose_contexts`] read for one child.
pub(super) struct ChildDoses {
    /// The child's non-voided doses in the window, as stored (to show them by name).
    pub rows: Vec<dose_log::Model>,
    /// One per medication asked about, in order: its context, or why the check cannot be done.
    pub contexts: Vec<Result<DoseContext, Uncheckable>>,
}

/// Whether an actor who was let through for a dose on this child may also override a check that
/// cannot be done: asked of the one policy. Passing `begin` for the child means an active member (and,
/// for a caregiver, one assigned to the child); the operator may do anything.
fn may_override(auth: &Authorized) -> bool {
    match auth.role {
        None => true,
        Some(role) => allows(
            Standing::Member {
                role,
                status: MemberStatus::Active,
            },
            Permission::OverrideDoseCheck,
            Scope::Child { assigned: true },
        ),
    }
}

fn unit_mismatch(medication: &str, expected: DoseUnit, amount: DoseAmount) -> ServiceError {
    Problem::UnitMismatch {
        medication: medication.to_string(),
        expected: expected.label(2.0),
        given: amount.unit.label(2.0),
    }
    .into()
}

/// An alert not yet delivered, with the id that marks it delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingAlert {
    pub id: i64,
    pub alert: Alert,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fever_guidance_by_age_and_value() {
        let t = |c: f64| Temperature { celsius: c };
        assert_eq!(fever_advice(t(37.2), 400), FeverAdvice::None);
        assert_eq!(fever_advice(t(38.4), 400), FeverAdvice::Fever);
        assert_eq!(fever_advice(t(38.0), 60), FeverAdvice::InfantUrgent);
        assert_eq!(fever_advice(t(40.1), 1500), FeverAdvice::VeryHigh);
    }
}
