//! A guardian's authorization of a medication a caregiver added.
//!
//! Childcare centres give no medicine without a parent's signed authorization; here a medication a
//! caregiver adds is `pending` ([`Approval`]) until a guardian approves it. The guardians are asked
//! at once (an alert with Approve and Deny, on their channel), the caregiver is told the outcome, and
//! until then a dose of it is refused with the reason (`check_course` in `medications.rs`). Who
//! decided and when is kept on the medication and in the audit trail.

use entity::{child, medication, medication_version, member};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

use super::care::Alert;
use super::medications::MedicationView;
use super::versions::{Authorship, Rules, VersionStatus};
use super::{Authorized, Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::db::WriteTxn;
use crate::domain::{Approval, MemberStatus, Role};
use crate::messages::MedicationLine;

/// A medication, or a change to one, waiting for a guardian's approval.
#[derive(Debug, Clone, PartialEq)]
pub struct MedicationToApprove {
    pub child_id: i64,
    pub child_name: String,
    /// The medication with the proposed rules.
    pub medication: MedicationView,
    /// The caregiver who proposed it (`None` once that member was erased).
    pub proposed_by: Option<String>,
    /// The version proposed: an approval names it.
    pub version: i32,
    /// For a change, the rules in force until then.
    pub was: Option<MedicationView>,
}

impl MedicationToApprove {
    /// The question to the guardians about it, as its alert says it.
    pub fn as_alert(&self, country: &str) -> Alert {
        Alert::MedicationToApprove {
            medication_id: self.medication.id,
            child_name: self.child_name.clone(),
            medication: MedicationLine::of(&self.medication, country),
            proposed_by: self.proposed_by.clone().unwrap_or_default(),
            changed: self.was.is_some(),
            version: self.version,
            was: self
                .was
                .as_ref()
                .map(|w| Box::new(MedicationLine::of(w, country))),
        }
    }
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
        version: i32,
        was: Option<&medication::Model>,
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
            changed: was.is_some(),
            version,
            was: was.map(|w| {
                Box::new(MedicationLine::of(
                    &MedicationView::from_row(w.clone()),
                    &country,
                ))
            }),
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
                    .order_by_asc(medication::Column::Id)
                    .all(&**txn)
                    .await?;
                let open = medication_version::Entity::find()
                    .filter(
                        medication_version::Column::MedicationId.is_in(rows.iter().map(|r| r.id)),
                    )
                    .filter(medication_version::Column::Status.eq(VersionStatus::Proposed.as_str()))
                    .order_by_asc(medication_version::Column::MedicationId)
                    .all(&**txn)
                    .await?;
                let names = self
                    .member_names(
                        &**txn,
                        family_id,
                        open.iter().filter_map(|v| v.proposed_by_member_id),
                    )
                    .await?;
                // A pending row with no version (written before versions) waits as version 0.
                let mut open = open;
                let unversioned: Vec<&medication::Model> = rows
                    .iter()
                    .filter(|r| {
                        Approval::parse(&r.approval) == Approval::Pending
                            && !open.iter().any(|v| v.medication_id == r.id)
                    })
                    .collect();
                for row in unversioned {
                    open.push(Rules::of_row(row).as_version(
                        row.id,
                        0,
                        VersionStatus::Proposed,
                        Authorship {
                            proposed_by: row.proposed_by_member_id,
                            at: row.created_at,
                            decided_by: None,
                            decided_at: None,
                        },
                    ));
                }
                Ok(open
                    .into_iter()
                    .filter_map(|version| {
                        let row = rows.iter().find(|r| r.id == version.medication_id)?;
                        let child_name = children
                            .iter()
                            .find(|c| c.id == row.child_id)
                            .map(|c| c.name.clone())
                            .unwrap_or_default();
                        let in_force = Approval::parse(&row.approval) == Approval::Approved;
                        Some(MedicationToApprove {
                            child_id: row.child_id,
                            child_name,
                            proposed_by: version
                                .proposed_by_member_id
                                .and_then(|id| names.get(&id).cloned()),
                            medication: MedicationView::from_row(
                                Rules::of_version(&version).applied(row),
                            ),
                            version: version.version,
                            was: in_force.then(|| MedicationView::from_row(row.clone())),
                        })
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
        version: Option<i32>,
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
                    let open = self.open_version(txn, &row).await?;
                    let versions = self.versions(txn, medication_id).await?;
                    let Some(open) = open else {
                        return Err(Problem::NotAwaitingApproval {
                            medication: row.name,
                        }
                        .into());
                    };
                    // The prompt named a version: only that one is decided. A newer proposal
                    // replaced it, so what the guardian saw is not what is waiting.
                    if let Some(asked) = version.filter(|v| *v > 0 && *v != open.version) {
                        let replaced = versions.iter().any(|v| {
                            v.version == asked
                                && VersionStatus::parse(&v.status) == VersionStatus::Replaced
                        });
                        return Err(if replaced {
                            Problem::ApprovalReplaced {
                                medication: row.name,
                            }
                        } else {
                            Problem::NotAwaitingApproval {
                                medication: row.name,
                            }
                        }
                        .into());
                    }
                    let proposer = open.proposed_by_member_id;
                    let never_approved = Approval::parse(&row.approval) != Approval::Approved;
                    let rules = Rules::of_version(&open);
                    let medication_name = rules.applied(&row).name;
                    let now = self.now();
                    self.decide_version(
                        txn,
                        open,
                        if approve {
                            VersionStatus::Approved
                        } else {
                            VersionStatus::Denied
                        },
                        auth.member_id,
                    )
                    .await?;
                    if approve || never_approved {
                        let mut update = row.into_active_model();
                        if approve {
                            // Exactly the version approved is in force from now on.
                            rules.set_on(&mut update);
                            update.approval = Set(Approval::Approved.as_str().to_string());
                            update.active = Set(true);
                        } else {
                            // Denied before it was ever approved: never given.
                            update.approval = Set(Approval::Denied.as_str().to_string());
                            update.active = Set(false);
                        }
                        update.proposed_by_member_id = Set(proposer);
                        update.decided_by_member_id = Set(auth.member_id);
                        update.decided_at = Set(Some(now));
                        update.update(&**txn).await?;
                    }
                    // A denied change leaves the approved rules exactly as they were.
                    // The other guardians' prompts about it, not yet shown, ask no more.
                    self.withdraw_approval_prompts(txn, auth.family_id, medication_id)
                        .await?;

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
