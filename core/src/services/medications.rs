//! A child's medications: their dose rules as people read them, adding one, and the course check a
//! dose must pass.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::medication;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};

use super::versions::{Authorship, Rules, VersionStatus};
use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::domain::{Approval, DoseAmount, DoseUnit, IngredientStrength, Schedule};
use crate::dose_safety::{self, Course};

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
    /// A caregiver's medication waits for a guardian's approval before any dose.
    pub approval: Approval,
    /// Who added it when it needed approval, and who decided and when (member ids).
    pub proposed_by_member_id: Option<i64>,
    pub decided_by_member_id: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
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
            approval: Approval::parse(&row.approval),
            proposed_by_member_id: row.proposed_by_member_id,
            decided_by_member_id: row.decided_by_member_id,
            decided_at: row.decided_at,
        }
    }
}

/// A medication just added, and whether it waits for a guardian's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddedMedication {
    pub id: i64,
    pub approval: Approval,
    /// How many guardians were asked to approve it (none when it is approved).
    pub guardians_asked: usize,
}

/// A new medication for a child.
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

/// What every medication's rules must satisfy, added or changed: a name, an ingredient with a
/// strength, an interval the dose check can read, a course that ends after it starts.
fn validate(new: &NewMedication) -> ServiceResult<String> {
    let name = crate::domain::text::one_line(&new.name);
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Problem::BadName.into());
    }
    if new.ingredients.is_empty()
        || new
            .ingredients
            .iter()
            .any(|s| s.mg <= 0.0 || s.per_amount <= 0.0)
    {
        return Err(Problem::NoIngredient.into());
    }
    // The bounds the dose check reads a stored interval with: a medication outside them could be
    // added but never checked.
    let (shortest, longest) = dose_safety::MIN_INTERVAL_BOUNDS;
    if new.min_interval < shortest || new.min_interval > longest {
        return Err(Problem::IntervalOutOfRange.into());
    }
    if let (Some(start), Some(end)) = (new.starts_on, new.ends_on) {
        if end < start {
            return Err(Problem::CourseEndsBeforeStart.into());
        }
    }
    Ok(name)
}

impl Services {
    /// Adds a medication with its dose rules (guardians and the operator): approved at once.
    pub async fn add_medication(&self, actor: &Actor, new: NewMedication) -> ServiceResult<i64> {
        Ok(self.propose_medication(actor, new).await?.id)
    }

    /// Adds a medication with its dose rules. A guardian's (or the operator's) is approved at once;
    /// a caregiver's, for a child assigned to them, is pending: every active guardian is asked to
    /// approve it, in the same transaction, and no dose of it is logged until one does.
    pub async fn propose_medication(
        &self,
        actor: &Actor,
        new: NewMedication,
    ) -> ServiceResult<AddedMedication> {
        let name = validate(&new)?;
        let (added, family_id) = self
            .authorized(
                actor,
                Permission::AddMedication,
                Target::Child(new.child_id),
                |(added, _): &(AddedMedication, i64)| format!("medication:{}", added.id),
                async move |txn, auth| {
                    // Asked of the one policy: whoever may approve needs no approval.
                    let approval = if auth.permits(
                        Permission::ApproveMedication,
                        Scope::Child { assigned: true },
                    ) {
                        Approval::Approved
                    } else {
                        Approval::Pending
                    };
                    let ingredients = serde_json::to_string(&new.ingredients)?;
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
                        max_doses_per_day: Set(new
                            .max_doses_per_day
                            .and_then(|n| i32::try_from(n).ok())),
                        starts_on: Set(new.starts_on),
                        ends_on: Set(new.ends_on),
                        active: Set(true),
                        created_at: Set(self.now()),
                        approval: Set(approval.as_str().to_string()),
                        proposed_by_member_id: Set(match approval {
                            Approval::Approved => None,
                            _ => auth.member_id,
                        }),
                        decided_by_member_id: Set(None),
                        decided_at: Set(None),
                        ..Default::default()
                    }
                    .insert(&**txn)
                    .await?;
                    let now = self.now();
                    let approved = approval == Approval::Approved;
                    let rules = Rules::of_row(&row);
                    let version = self
                        .record_version(
                            txn,
                            row.id,
                            &rules,
                            if approved {
                                VersionStatus::Approved
                            } else {
                                VersionStatus::Proposed
                            },
                            Authorship {
                                proposed_by: auth.member_id,
                                at: now,
                                decided_by: approved.then_some(auth.member_id).flatten(),
                                decided_at: approved.then_some(now),
                            },
                        )
                        .await?;
                    let guardians_asked = match approval {
                        Approval::Approved => 0,
                        _ => {
                            self.ask_guardians_to_approve(txn, auth, &row, version.version, None)
                                .await?
                        }
                    };
                    Ok((
                        AddedMedication {
                            id: row.id,
                            approval,
                            guardians_asked,
                        },
                        auth.family_id,
                    ))
                },
            )
            .await?;
        self.forget_names(family_id).await;
        Ok(added)
    }

    /// Changes a medication's rules (the dose, schedule, limits, course; the strength when the
    /// bottle changed). Like adding one: a guardian's change applies at once; a caregiver's (on a
    /// child assigned to them) makes the medication pending again, the guardians are asked, and no
    /// dose is logged until one approves the new rules. A stopped course is not changed: it is
    /// history (a new course is a new medication).
    pub async fn change_medication(
        &self,
        actor: &Actor,
        medication_id: i64,
        new: NewMedication,
    ) -> ServiceResult<AddedMedication> {
        let name = validate(&new)?;
        let (changed, family_id) = self
            .authorized_as(
                actor,
                Permission::AddMedication,
                Target::Child(new.child_id),
                "medication.change",
                |(changed, _): &(AddedMedication, i64)| format!("medication:{}", changed.id),
                async move |txn, auth| {
                    let row = self
                        .medication_row(&**txn, new.child_id, medication_id)
                        .await?;
                    if let (false, Some(on)) = (row.active, row.ends_on) {
                        return Err(Problem::CourseAlreadyEnded {
                            medication: row.name,
                            on,
                        }
                        .into());
                    }
                    let approval = if auth.permits(
                        Permission::ApproveMedication,
                        Scope::Child { assigned: true },
                    ) {
                        Approval::Approved
                    } else {
                        Approval::Pending
                    };
                    let rules = Rules::of_new(&name, &new)?;
                    let now = self.now();
                    let in_force = Approval::parse(&row.approval) == Approval::Approved;
                    let guardians_asked = if approval == Approval::Approved {
                        // A guardian's change: in force at once, the old rules kept as history.
                        self.record_version(
                            txn,
                            row.id,
                            &rules,
                            VersionStatus::Approved,
                            Authorship {
                                proposed_by: auth.member_id,
                                at: now,
                                decided_by: auth.member_id,
                                decided_at: Some(now),
                            },
                        )
                        .await?;
                        let mut update: medication::ActiveModel = row.clone().into();
                        rules.set_on(&mut update);
                        update.approval = Set(Approval::Approved.as_str().to_string());
                        update.decided_by_member_id = Set(auth.member_id);
                        update.decided_at = Set(Some(now));
                        update.update(&**txn).await?;
                        0
                    } else {
                        // A caregiver's: a proposal beside the rules in force, which stay what
                        // every dose is checked against until a guardian approves this version.
                        let version = self
                            .record_version(
                                txn,
                                row.id,
                                &rules,
                                VersionStatus::Proposed,
                                Authorship {
                                    proposed_by: auth.member_id,
                                    at: now,
                                    decided_by: None,
                                    decided_at: None,
                                },
                            )
                            .await?;
                        let proposal = rules.applied(&row);
                        if !in_force {
                            // A medicine never approved has no rules in force: the row shows
                            // its newest proposal (nothing can be given of it either way).
                            let mut update: medication::ActiveModel = row.clone().into();
                            rules.set_on(&mut update);
                            update.proposed_by_member_id = Set(auth.member_id);
                            update.update(&**txn).await?;
                        }
                        let was = in_force.then_some(&row);
                        // The prompts about the proposal this one replaced are withdrawn: the
                        // guardians see one prompt, about what is waiting.
                        self.withdraw_approval_prompts(txn, auth.family_id, row.id)
                            .await?;
                        self.ask_guardians_to_approve(txn, auth, &proposal, version.version, was)
                            .await?
                    };
                    Ok((
                        AddedMedication {
                            id: row.id,
                            approval,
                            guardians_asked,
                        },
                        auth.family_id,
                    ))
                },
            )
            .await?;
        self.forget_names(family_id).await;
        Ok(changed)
    }

    /// A child's active medications.
    pub async fn medications(
        &self,
        actor: &Actor,
        child_id: i64,
    ) -> ServiceResult<Vec<MedicationView>> {
        self.child_medications(actor, child_id, medication::Column::Active.eq(true))
            .await
    }

    /// A child's medications that pass `filter`, oldest first (`ViewMedications`).
    pub(super) async fn child_medications(
        &self,
        actor: &Actor,
        child_id: i64,
        filter: sea_orm::sea_query::SimpleExpr,
    ) -> ServiceResult<Vec<MedicationView>> {
        let rows = self
            .authorized(
                actor,
                Permission::ViewMedications,
                Target::Child(child_id),
                |_| format!("child:{child_id}"),
                async |txn, _| {
                    Ok(medication::Entity::find()
                        .filter(medication::Column::ChildId.eq(child_id))
                        .filter(filter)
                        .order_by_asc(medication::Column::Id)
                        .all(&**txn)
                        .await?)
                },
            )
            .await?;
        Ok(rows.into_iter().map(MedicationView::from_row).collect())
    }

    /// The stored row of one of the child's medications (another child's is "not found").
    pub(super) async fn medication_row<C: sea_orm::ConnectionTrait>(
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

    /// A medication can be given only once a guardian approved it (see `approvals.rs`), while it is
    /// active and within its course (start and end dates, in the family's time zone):
    /// [`dose_safety::course`].
    pub(super) async fn check_course(
        &self,
        med: &medication::Model,
        family_id: i64,
        at: DateTime<Utc>,
    ) -> ServiceResult<()> {
        match Approval::parse(&med.approval) {
            Approval::Approved => {}
            approval => {
                return Err(Problem::MedicationNotApproved {
                    medication: med.name.clone(),
                    denied: approval == Approval::Denied,
                }
                .into())
            }
        }
        if med.active && med.starts_on.is_none() && med.ends_on.is_none() {
            return Ok(());
        }
        let family = self.family_info(family_id).await?;
        let day = at.with_timezone(&family.timezone).date_naive();
        match dose_safety::course(day, med.active, med.starts_on, med.ends_on) {
            Course::Allowed => Ok(()),
            Course::Inactive => Err(Problem::MedicationInactive {
                medication: med.name.clone(),
                ended_on: med.ends_on.filter(|end| *end <= day),
            }
            .into()),
            Course::Outside => Err(Problem::OutsideCourse {
                medication: med.name.clone(),
                starts_on: med.starts_on,
                ends_on: med.ends_on,
            }
            .into()),
        }
    }
}
