//! A guardian's authorization of a medication a caregiver added.
//!
//! Childcare centres give no medicine without a parent's signed authorization; here a medication a
//! caregiver adds is `pending` ([`Approval`]) until a guardian approves it. The guardians are asked
//! at once (an alert with Approve and Deny, on their channel), the caregiver is told the outcome, and
//! until then a dose of it is refused with the reason (`check_course` in `medications.rs`). Who
//! decided and when is kept on the medication and in the audit trail.

use entity::{child, medication, member};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

use super::care::Alert;
use super::medications::MedicationView;
use super::{Authorized, Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::db::WriteTxn;
use crate::domain::{Approval, MemberStatus, Role};
use crate::messages::MedicationLine;

/// A medication waiting for a guardian's approval.
#[derive(Debug, Clone, PartialEq)]
pub struct MedicationToApprove {
    pub child_id: i64,
    pub child_name: String,
    pub medication: MedicationView,
    /// The caregiver who added it (`None` once that member was erased).
    pub proposed_by: Option<String>,
}

/// What a guardian decided about a caregiver's medication.
#[derive(Debug, Clone, PartialEq)]
pub struct MedicationDecision {
    pub medication_id: i64,
    pub child_name: String,
    pub medication_name: String,
    pub approved: bool,
    /// The caregiver who added it and was told the outcome (`None` when they are no longer an
    /// active member: nobody to tell).
    pub caregiver_told: Option<String>,
}

impl Services {
    /// Asks every active guardian to approve a caregiver's medication, in the caller's
    /// transaction; returns how many were asked.
    pub(super) async fn ask_guardians_to_approve(
        &self,
        txn: &WriteTxn,
        auth: &Authorized,
        row: &medication::Model,
        changed: bool,
    ) -> ServiceResult<usize> {
        let guardians: Vec<i64> = member::Entity::find()
            .filter(member::Column::FamilyId.eq(auth.family_id))
            .filter(member::Column::Role.eq(Role::Guardian.as_str()))
            .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
            .all(&**txn)
            .await?
            .into_iter()
            .map(|g| g.id)
            .collect();
        let names = self
            .member_names(&**txn, auth.family_id, auth.member_id)
            .await?;
        let child_name = self.child_name(txn, row.child_id).await?;
        let country = self.family_info(auth.family_id).await?.country;
        let alert = Alert::MedicationToApprove {
            medication_id: row.id,
            child_name,
            medication: MedicationLine::of(&MedicationView::from_row(row.clone()), &country),
            proposed_by: auth
                .member_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            changed,
        };
        self.queue_alert(
            txn,
            auth.family_id,
            guardians.iter().copied(),
            "medication_to_approve",
            &alert,
        )
        .await?;
        Ok(guardians.len())
    }

    /// The family's medications waiting for a guardian's approval, oldest first (guardians).
    pub async fn medications_to_approve(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<Vec<MedicationToApprove>> {
        self.authorized_as(
            actor,
            Permission::ApproveMedication,
            Target::Family(family_id),
            "medications.to_approve",
            |_| format!("family:{family_id}"),
            async |txn, _| {
                let children: Vec<child::Model> = child::Entity::find()
                    .filter(child::Column::FamilyId.eq(family_id))
                    .all(&**txn)
                    .await?;
                let rows = medication::Entity::find()
                    .filter(medication::Column::ChildId.is_in(children.iter().map(|c| c.id)))
                    .filter(medication::Column::Approval.eq(Approval::Pending.as_str()))
                    .order_by_asc(medication::Column::Id)
                    .all(&**txn)
                    .await?;
                let names = self
                    .member_names(
                        &**txn,
                        family_id,
                        rows.iter().filter_map(|r| r.proposed_by_member_id),
                    )
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|row| {
                        let child_name = children
                            .iter()
                            .find(|c| c.id == row.child_id)
                            .map(|c| c.name.clone())
                            .unwrap_or_default();
                        MedicationToApprove {
                            child_id: row.child_id,
                            child_name,
                            proposed_by: row
                                .proposed_by_member_id
                                .and_then(|id| names.get(&id).cloned()),
                            medication: MedicationView::from_row(row),
                        }
                    })
                    .collect())
            },
        )
        .await
    }

    /// Approves or denies a medication waiting for approval (guardians). Approved, it can be given
    /// from now on; denied, it leaves the active list and no dose of it is ever logged. The
    /// caregiver who added it is told, in the same transaction.
    pub async fn decide_medication(
        &self,
        actor: &Actor,
        medication_id: i64,
        approve: bool,
    ) -> ServiceResult<MedicationDecision> {
        let child_id = medication::Entity::find_by_id(medication_id)
            .one(self.db().conn())
            .await?
            .ok_or(ServiceError::NotFound("medication"))?
            .child_id;
        let action = if approve {
            "medication.approve"
        } else {
            "medication.deny"
        };
        let decision = self
            .authorized_as(
                actor,
                Permission::ApproveMedication,
                Target::Child(child_id),
                action,
                |_| format!("medication:{medication_id}"),
                async move |txn, auth| {
                    let row = self.medication_row(&**txn, child_id, medication_id).await?;
                    if Approval::parse(&row.approval) != Approval::Pending {
                        return Err(Problem::NotAwaitingApproval {
                            medication: row.name,
                        }
                        .into());
                    }
                    let proposer = row.proposed_by_member_id;
                    let medication_name = row.name.clone();
                    let mut update = row.into_active_model();
                    update.approval = Set(if approve {
                        Approval::Approved
                    } else {
                        Approval::Denied
                    }
                    .as_str()
                    .to_string());
                    update.active = Set(approve);
                    update.decided_by_member_id = Set(auth.member_id);
                    update.decided_at = Set(Some(self.now()));
                    update.update(&**txn).await?;

                    let child_name = self.child_name(txn, child_id).await?;
                    let mut wanted: Vec<i64> = auth.member_id.into_iter().collect();
                    wanted.extend(proposer);
                    let names = self.member_names(&**txn, auth.family_id, wanted).await?;
                    let still_here = match proposer {
                        Some(id) => member::Entity::find_by_id(id)
                            .one(&**txn)
                            .await?
                            .filter(|m| MemberStatus::parse(&m.status) == MemberStatus::Active)
                            .map(|m| m.id),
                        None => None,
                    };
                    let mut caregiver_told = None;
                    if let Some(caregiver) = still_here {
                        let alert = Alert::MedicationDecided {
                            child_name: child_name.clone(),
                            medication_name: medication_name.clone(),
                            approved: approve,
                            decided_by: auth
                                .member_id
                                .and_then(|id| names.get(&id).cloned())
                                .unwrap_or_default(),
                        };
                        self.queue_alert(
                            txn,
                            auth.family_id,
                            [caregiver],
                            "medication_decided",
                            &alert,
                        )
                        .await?;
                        caregiver_told = names.get(&caregiver).cloned();
                    }
                    Ok(MedicationDecision {
                        medication_id,
                        child_name,
                        medication_name,
                        approved: approve,
                        caregiver_told,
                    })
                },
            )
            .await?;
        Ok(decision)
    }

    async fn child_name(&self, txn: &WriteTxn, child_id: i64) -> ServiceResult<String> {
        Ok(child::Entity::find_by_id(child_id)
            .one(&**txn)
            .await?
            .map(|c| c.name)
            .unwrap_or_default())
    }
}
