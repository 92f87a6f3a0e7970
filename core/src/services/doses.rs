//! Doses as people read them, and everything about doses but writing one (that is
//! [`super::log_dose`]): the one loader of the dose-safety check's inputs, "can Emma have
//! ibuprofen?", recent doses, voiding a dose.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::{dose_log, medication, member};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use super::medications::MedicationView;
use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::audit::Outcome;
use crate::auth::{Actor, Permission, Scope};
use crate::domain::{DoseAmount, DoseUnit};
use crate::dose_safety::{self, Concern, DoseContext, Uncheckable};

/// How far back a dose may be logged ("gave Emma 5 ml at 9:30" the day after, at most).
const MAX_BACKDATE_DAYS: i64 = 2;
/// The `flag_reason` of a dose a guardian logged although the check could not be done.
pub const UNCHECKED_FLAG: &str = "unchecked";

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

impl Services {
    /// `at` (`None` means now) checked for a record: not in the future, not too far back.
    pub(super) fn check_time(&self, at: Option<DateTime<Utc>>) -> ServiceResult<DateTime<Utc>> {
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
    pub(super) async fn dose_context<C: sea_orm::ConnectionTrait>(
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
    pub(super) async fn views_of<C: sea_orm::ConnectionTrait>(
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
        self.authorized(
            actor,
            Permission::ViewDoses,
            Target::Child(child_id),
            |_| format!("child:{child_id}"),
            async |txn, auth| {
                let rows = dose_log::Entity::find()
                    .filter(dose_log::Column::ChildId.eq(child_id))
                    .filter(dose_log::Column::VoidedAt.is_null())
                    .order_by_desc(dose_log::Column::GivenAt)
                    .limit(limit)
                    .all(&**txn)
                    .await?;
                self.dose_views(&**txn, auth.family_id, rows).await
            },
        )
        .await
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
        let own = row.given_by_member_id.is_some() && row.given_by_member_id == auth.member_id;
        if !own && !auth.permits(Permission::VoidOthersDose, Scope::Child { assigned: true }) {
            // Caregivers correct their own doses only; the refusal is audited like any denial
            // (under the action attempted, voiding).
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
}

/// What [`Services::dose_contexts`] read for one child.
pub(super) struct ChildDoses {
    /// The child's non-voided doses in the window, as stored (to show them by name).
    pub rows: Vec<dose_log::Model>,
    /// One per medication asked about, in order: its context, or why the check cannot be done.
    pub contexts: Vec<Result<DoseContext, Uncheckable>>,
}
