//! Writing a dose, guarded by the dose-safety rules in the same transaction: the usual path, a
//! guardian's override of a check that cannot be done, a delivery processed again, and the alert to
//! the other guardians when a dose is flagged.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::{dose_log, medication, member, notification};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::alerts::Alert;
use super::doses::{DoseConflict, DoseOutcome, DoseRequest, DoseView, LoggedDose, UNCHECKED_FLAG};
use super::{Authorized, Problem, ServiceError, ServiceResult, Services, Target};
use crate::audit::Outcome;
use crate::auth::{allows, Actor, Permission, Scope, Standing};
use crate::db::WriteTxn;
use crate::domain::{DoseAmount, DoseUnit, MemberStatus, Role};
use crate::dose_safety::{self, Concern, Uncheckable};

impl Services {
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
        let child = self.child_row(&*txn, request.child_id).await?;
        if child.archived_at.is_some() {
            return Err(Problem::NotInCare(child.name).into());
        }
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
        let ingredient_mg = serde_json::to_string(ingredient_mg)?;
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
    pub(super) async fn refuse_uncheckable(
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
        let body = serde_json::to_string(&alert)?;
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
