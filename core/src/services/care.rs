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
use crate::auth::{Actor, Permission};
use crate::db::WriteTxn;
use crate::domain::{DoseAmount, DoseUnit, IngredientStrength, MemberStatus, Role, Temperature};
use crate::dose_safety::{self, Concern, DoseRules, PriorDose};

/// How far back a dose may be logged ("gave Emma 5 ml at 9:30" the day after, at most).
const MAX_BACKDATE_DAYS: i64 = 2;
/// A little clock skew between phones is not "the future".
const FUTURE_TOLERANCE_MINUTES: i64 = 5;
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

    /// Milligrams of each ingredient in `amount` of this medication, or the unit problem.
    pub fn ingredient_mg(&self, amount: DoseAmount) -> Result<BTreeMap<String, f64>, Problem> {
        let mut out = BTreeMap::new();
        for strength in &self.ingredients {
            let mg = strength
                .mg_in(amount)
                .ok_or_else(|| Problem::UnitMismatch {
                    medication: self.name.clone(),
                    expected: self.dose.unit.label(2.0),
                    given: amount.unit.label(2.0),
                })?;
            out.insert(strength.ingredient.clone(), mg);
        }
        if amount.unit != self.dose.unit && amount.unit != DoseUnit::Mg {
            return Err(Problem::UnitMismatch {
                medication: self.name.clone(),
                expected: self.dose.unit.label(2.0),
                given: amount.unit.label(2.0),
            });
        }
        Ok(out)
    }

    /// The rules of this medication for the dose-safety check.
    pub fn rules(&self) -> DoseRules {
        DoseRules {
            min_interval: self.min_interval,
            max_doses_per_day: self.max_doses_per_day,
            max_mg_per_day: self
                .ingredients
                .iter()
                .filter_map(|s| s.max_mg_per_day.map(|max| (s.ingredient.clone(), max)))
                .collect(),
            usual_mg: self.ingredient_mg(self.dose).unwrap_or_default(),
        }
    }

    pub fn ingredient_names(&self) -> Vec<String> {
        self.ingredients
            .iter()
            .map(|s| s.ingredient.clone())
            .collect()
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
    pub next_allowed_at: DateTime<Utc>,
    pub flagged: bool,
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
    pub allowed_now: bool,
    pub next_allowed_at: DateTime<Utc>,
    pub last: Option<DoseView>,
    pub doses_in_last_day: u32,
    pub max_doses_per_day: Option<u32>,
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
        if at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
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
        if new.min_interval < Duration::minutes(30) || new.min_interval > Duration::days(7) {
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

    async fn medication_for_child<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        child_id: i64,
        medication_id: i64,
    ) -> ServiceResult<MedicationView> {
        let row = medication::Entity::find_by_id(medication_id)
            .one(db)
            .await?
            .filter(|m| m.child_id == child_id)
            .ok_or(ServiceError::NotFound("medication"))?;
        Ok(MedicationView::from_row(row))
    }

    /// A medication can be given only while it is active and within its course (start and end dates,
    /// in the family's time zone).
    async fn check_course(
        &self,
        med: &MedicationView,
        family_id: i64,
        at: DateTime<Utc>,
    ) -> ServiceResult<()> {
        if !med.active {
            return Err(Problem::MedicationInactive.into());
        }
        if med.starts_on.is_none() && med.ends_on.is_none() {
            return Ok(());
        }
        let family = self.family_info(family_id).await?;
        let day = at.with_timezone(&family.timezone).date_naive();
        let before = med.starts_on.is_some_and(|start| day < start);
        let after = med.ends_on.is_some_and(|end| day > end);
        if before || after {
            return Err(Problem::OutsideCourse {
                medication: med.name.clone(),
                starts_on: med.starts_on,
                ends_on: med.ends_on,
            }
            .into());
        }
        Ok(())
    }

    /// Non-voided doses of a child between `from` and `to`, oldest first.
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

    pub(super) async fn doses_between<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        child_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> ServiceResult<Vec<dose_log::Model>> {
        Ok(dose_log::Entity::find()
            .filter(dose_log::Column::ChildId.eq(child_id))
            .filter(dose_log::Column::GivenAt.gte(from))
            .filter(dose_log::Column::GivenAt.lte(to))
            .filter(dose_log::Column::VoidedAt.is_null())
            .order_by_asc(dose_log::Column::GivenAt)
            .all(db)
            .await?)
    }

    pub(super) fn prior_dose(row: &dose_log::Model) -> PriorDose {
        PriorDose {
            id: row.id,
            given_at: row.given_at,
            given_by_member_id: row.given_by_member_id,
            medication_id: row.medication_id,
            ingredient_mg: serde_json::from_str(&row.ingredient_mg).unwrap_or_default(),
        }
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

    /// Records a dose, enforcing the dose-safety rules in the same transaction as the write: a dose
    /// that breaks a rule is not written unless `confirmed_extra`; then it is written flagged, the
    /// guardians are alerted (outbox) and the audit event says `flagged`.
    #[tracing::instrument(skip(self, request), fields(actor = ?actor.kind, child_id = request.child_id))]
    pub async fn log_dose(
        &self,
        actor: &Actor,
        request: DoseRequest,
    ) -> ServiceResult<DoseOutcome> {
        let given_at = self.check_time(request.given_at)?;
        let (txn, auth) = self
            .begin(actor, Permission::LogDose, Target::Child(request.child_id))
            .await?;
        let med = self
            .medication_for_child(&*txn, request.child_id, request.medication_id)
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
        let proposed_mg = med.ingredient_mg(request.amount)?;
        let window = Duration::hours(25).max(med.min_interval + Duration::hours(1));
        let rows = self
            .doses_between(
                &*txn,
                request.child_id,
                given_at - window,
                given_at + window,
            )
            .await?;
        let prior: Vec<PriorDose> = rows.iter().map(Self::prior_dose).collect();
        let rules = med.rules();
        let assessment = dose_safety::assess(&rules, &prior, given_at, &proposed_mg);

        if !assessment.is_safe() && !request.confirmed_extra {
            let conflicting_id = assessment.concerns.iter().find_map(|c| match c {
                Concern::TooSoon { previous, .. } => Some(previous.id),
                _ => None,
            });
            let conflicting_id = conflicting_id.or_else(|| {
                rows.iter()
                    .filter(|r| {
                        r.given_at <= given_at
                            && Self::prior_dose(r)
                                .ingredient_mg
                                .keys()
                                .any(|i| proposed_mg.contains_key(i))
                    })
                    .map(|r| r.id)
                    .next_back()
            });
            let conflicting_row: Vec<dose_log::Model> = rows
                .iter()
                .filter(|r| Some(r.id) == conflicting_id)
                .cloned()
                .collect();
            let conflicting = self
                .dose_views(&*txn, auth.family_id, conflicting_row)
                .await?
                .pop();
            let next_allowed_at =
                dose_safety::next_allowed_at(&rules, &prior, self.now().max(given_at));
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
                next_allowed_at,
            }));
        }

        let flagged = !assessment.is_safe();
        let past_daily_maximum = assessment
            .concerns
            .iter()
            .any(Concern::exceeds_daily_maximum);
        let row = dose_log::ActiveModel {
            family_id: Set(auth.family_id),
            child_id: Set(request.child_id),
            medication_id: Set(med.id),
            given_by_member_id: Set(auth.member_id),
            given_at: Set(given_at),
            recorded_at: Set(self.now()),
            amount: Set(request.amount.value),
            unit: Set(request.amount.unit.as_str().to_string()),
            ingredient_mg: Set(serde_json::to_string(&proposed_mg).unwrap_or_else(|_| "{}".into())),
            channel: Set(actor.channel.as_str().to_string()),
            flagged: Set(flagged),
            source_key: Set(request.source_key.clone()),
            flag_reason: Set(flagged.then(|| {
                assessment
                    .concerns
                    .iter()
                    .map(Concern::code)
                    .collect::<Vec<_>>()
                    .join(",")
            })),
            ..Default::default()
        }
        .insert(&*txn)
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

        let mut prior_after = prior.clone();
        prior_after.push(Self::prior_dose(&row));
        let next_allowed_at =
            dose_safety::next_allowed_at(&rules, &prior_after, self.now().max(given_at));
        let others_rows: Vec<dose_log::Model> = rows
            .iter()
            .filter(|r| {
                r.given_at > given_at - Duration::hours(24)
                    && r.given_at <= given_at
                    && r.given_by_member_id != auth.member_id
                    && Self::prior_dose(r)
                        .ingredient_mg
                        .keys()
                        .any(|i| proposed_mg.contains_key(i))
            })
            .cloned()
            .collect();
        // One lookup of names for the new dose and the others' doses together.
        let mut all_rows = others_rows;
        all_rows.push(row.clone());
        let mut others_recent = self.dose_views(&*txn, auth.family_id, all_rows).await?;
        let dose = others_recent.pop().ok_or(ServiceError::NotFound("dose"))?;

        let alerted = if flagged {
            self.alert_guardians(&txn, &auth, &dose, &assessment.concerns, past_daily_maximum)
                .await?
        } else {
            Vec::new()
        };
        txn.commit().await?;
        Ok(DoseOutcome::Logged(LoggedDose {
            dose,
            next_allowed_at,
            flagged,
            concerns: assessment.concerns,
            alerted,
            past_daily_maximum,
            others_recent,
        }))
    }

    /// The answer to a delivery processed again (after a crash) whose dose was already written: the
    /// same dose, as it stands now, with nothing written and no alert sent twice.
    async fn dose_already_logged(
        &self,
        txn: WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        med: &MedicationView,
        row: dose_log::Model,
    ) -> ServiceResult<DoseOutcome> {
        let window = Duration::hours(25).max(med.min_interval + Duration::hours(1));
        let rows = self
            .doses_between(
                &*txn,
                row.child_id,
                row.given_at - window,
                row.given_at + window,
            )
            .await?;
        let prior: Vec<PriorDose> = rows.iter().map(Self::prior_dose).collect();
        let next_allowed_at =
            dose_safety::next_allowed_at(&med.rules(), &prior, self.now().max(row.given_at));
        let ingredients = Self::prior_dose(&row).ingredient_mg;
        let mut shown: Vec<dose_log::Model> = rows
            .iter()
            .filter(|r| {
                r.id != row.id
                    && r.given_at > row.given_at - Duration::hours(24)
                    && r.given_at <= row.given_at
                    && r.given_by_member_id != row.given_by_member_id
                    && Self::prior_dose(r)
                        .ingredient_mg
                        .keys()
                        .any(|i| ingredients.contains_key(i))
            })
            .cloned()
            .collect();
        let flagged = row.flagged;
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
        concerns: &[Concern],
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
            concerns: concerns.iter().map(|c| c.code().to_string()).collect(),
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

    /// "Can Emma have ibuprofen?": the same check as logging, at `at` (default now), writing no dose.
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
        let med = self
            .medication_for_child(&*txn, child_id, medication_id)
            .await?;
        self.check_course(&med, auth.family_id, now).await?;
        let window = Duration::hours(25).max(med.min_interval + Duration::hours(1));
        let rows = self
            .doses_between(&*txn, child_id, now - window, now + window)
            .await?;
        let prior: Vec<PriorDose> = rows.iter().map(Self::prior_dose).collect();
        let rules = med.rules();
        let assessment = dose_safety::assess(&rules, &prior, now, &rules.usual_mg);
        let next_allowed_at = dose_safety::next_allowed_at(&rules, &prior, now);
        let ingredients = med.ingredient_names();
        let last_row: Vec<dose_log::Model> = rows
            .iter()
            .rfind(|r| {
                r.given_at <= now
                    && Self::prior_dose(r)
                        .ingredient_mg
                        .keys()
                        .any(|i| ingredients.contains(i))
            })
            .cloned()
            .into_iter()
            .collect();
        let last = self
            .dose_views(&*txn, auth.family_id, last_row)
            .await?
            .pop();
        self.commit_audited(txn, &auth, actor, "dose.check", format!("child:{child_id}"))
            .await?;
        let allowed_now = assessment
            .concerns
            .iter()
            .all(|c| matches!(c, Concern::AboveUsualDose { .. }));
        Ok(DoseCheck {
            max_doses_per_day: med.max_doses_per_day,
            medication: med,
            allowed_now,
            next_allowed_at,
            last,
            doses_in_last_day: assessment.doses_in_last_day,
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
