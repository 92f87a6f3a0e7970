//! Erasure (the GDPR right to be forgotten): of one member, or of a whole family.
//!
//! Erasure deletes rows; it does not blank them. What stays behind is the audit trail, which holds
//! only pseudonymous ids (`member:12`, `child:3`) and must stay whole for `audit::verify`: the
//! erasure itself is its last event. People are deleted, identities and all, once they belong to no
//! family any more. On SQLite `secure_delete` zeroes the freed pages and a checkpoint after the
//! commit empties the WAL, so no erased text stays readable in the database files.

use entity::{
    allergy, appointment, assistant_usage, care_note, caregiver_assignment, child, condition,
    consent, conversation_state, dose_log, family, identity, invite, measurement, medication,
    member, nanny_profile, notification, person, provider, shift, vaccination,
};
use sea_orm::sea_query::{Expr, IntoCondition};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::audit::Outcome;
use crate::auth::{Actor, Permission};
use crate::domain::{MemberStatus, Role};

/// How many rows an erasure removed, per kind (and how many it kept but de-attributed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErasureReport {
    pub families: u64,
    pub members: u64,
    pub people: u64,
    pub identities: u64,
    pub children: u64,
    pub caregiver_assignments: u64,
    pub allergies: u64,
    pub conditions: u64,
    pub medications: u64,
    pub doses: u64,
    pub measurements: u64,
    pub vaccinations: u64,
    pub providers: u64,
    pub appointments: u64,
    pub notes: u64,
    pub nanny_profiles: u64,
    pub nanny_certifications: u64,
    pub shifts: u64,
    /// Scheduled shifts (a weekly slot is one row per weekday).
    pub shift_schedules: u64,
    pub invites: u64,
    pub consents: u64,
    pub notifications: u64,
    pub conversation_states: u64,
    /// Rows kept in the children's record that no longer name the erased member (doses they gave
    /// or voided, measurements they took, notes they wrote, invites they issued or used).
    pub deattributed: u64,
}

/// Deletes the rows of `entity` matching `condition`; returns how many.
async fn delete<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    _entity: E,
    condition: impl IntoCondition,
) -> Result<u64, DbErr> {
    Ok(E::delete_many()
        .filter(condition)
        .exec(db)
        .await?
        .rows_affected)
}

/// Sets `column` to NULL in the rows of `entity` where it equals `id`; returns how many.
async fn clear<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    _entity: E,
    column: E::Column,
    id: i64,
) -> Result<u64, DbErr> {
    Ok(E::update_many()
        .col_expr(column, Expr::value(Option::<i64>::None))
        .filter(column.eq(id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Deletes those of `person_ids` who belong to no family any more: their conversation states,
/// consents, identities and the person row; invites they used elsewhere stop naming them.
async fn delete_unattached_people<C: ConnectionTrait>(
    db: &C,
    person_ids: &[i64],
    report: &mut ErasureReport,
) -> Result<(), DbErr> {
    let still_members: Vec<i64> = member::Entity::find()
        .filter(member::Column::PersonId.is_in(person_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.person_id)
        .collect();
    let gone: Vec<i64> = person_ids
        .iter()
        .copied()
        .filter(|id| !still_members.contains(id))
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    for &person_id in &gone {
        report.deattributed += clear(
            db,
            invite::Entity,
            invite::Column::UsedByPersonId,
            person_id,
        )
        .await?;
    }
    report.conversation_states += delete(
        db,
        conversation_state::Entity,
        conversation_state::Column::PersonId.is_in(gone.clone()),
    )
    .await?;
    report.consents += delete(
        db,
        consent::Entity,
        consent::Column::PersonId.is_in(gone.clone()),
    )
    .await?;
    report.identities += delete(
        db,
        identity::Entity,
        identity::Column::PersonId.is_in(gone.clone()),
    )
    .await?;
    report.people += delete(db, person::Entity, person::Column::Id.is_in(gone)).await?;
    Ok(())
}

impl Services {
    /// Erases a whole family: every row it has, and the people who belong to no other family.
    /// Guardians and the operator only. The audit trail stays, ending with `family.erase`.
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn erase_family(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<ErasureReport> {
        let (txn, auth) = self
            .begin(actor, Permission::Erase, Target::Family(family_id))
            .await?;
        if family::Entity::find_by_id(family_id)
            .one(&*txn)
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound("family"));
        }
        // The chain has no foreign keys: its last event can be written before what it speaks of goes.
        self.audit(
            &txn,
            &auth,
            actor,
            "family.erase",
            format!("family:{family_id}"),
            Outcome::Ok,
        )
        .await?;

        let db = &*txn;
        let members = member::Entity::find()
            .filter(member::Column::FamilyId.eq(family_id))
            .all(db)
            .await?;
        let member_ids: Vec<i64> = members.iter().map(|m| m.id).collect();
        let person_ids: Vec<i64> = members.iter().map(|m| m.person_id).collect();
        let child_ids: Vec<i64> = child::Entity::find()
            .filter(child::Column::FamilyId.eq(family_id))
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();

        // The assistant's meter names no one; it goes with the family.
        delete(
            db,
            assistant_usage::Entity,
            assistant_usage::Column::FamilyId.eq(family_id),
        )
        .await?;
        // The payroll week names no one either.
        delete(
            db,
            entity::family_payroll::Entity,
            entity::family_payroll::Column::FamilyId.eq(family_id),
        )
        .await?;
        // A nanny's schedule and certifications go with their shifts and profile.
        let schedules = delete(
            db,
            entity::shift_schedule::Entity,
            entity::shift_schedule::Column::FamilyId.eq(family_id),
        )
        .await?;
        let certifications = delete(
            db,
            entity::nanny_certification::Entity,
            entity::nanny_certification::Column::MemberId.is_in(member_ids.clone()),
        )
        .await?;
        let mut report = ErasureReport {
            notifications: delete(
                db,
                notification::Entity,
                notification::Column::FamilyId.eq(family_id),
            )
            .await?,
            consents: delete(db, consent::Entity, consent::Column::FamilyId.eq(family_id)).await?,
            shifts: delete(db, shift::Entity, shift::Column::FamilyId.eq(family_id)).await?,
            shift_schedules: schedules,
            nanny_profiles: delete(
                db,
                nanny_profile::Entity,
                nanny_profile::Column::MemberId.is_in(member_ids.clone()),
            )
            .await?,
            nanny_certifications: certifications,
            notes: delete(
                db,
                care_note::Entity,
                care_note::Column::FamilyId.eq(family_id),
            )
            .await?,
            appointments: delete(
                db,
                appointment::Entity,
                appointment::Column::ChildId.is_in(child_ids.clone()),
            )
            .await?,
            providers: delete(
                db,
                provider::Entity,
                provider::Column::FamilyId.eq(family_id),
            )
            .await?,
            vaccinations: delete(
                db,
                vaccination::Entity,
                vaccination::Column::ChildId.is_in(child_ids.clone()),
            )
            .await?,
            measurements: delete(
                db,
                measurement::Entity,
                measurement::Column::FamilyId.eq(family_id),
            )
            .await?,
            doses: delete(
                db,
                dose_log::Entity,
                dose_log::Column::FamilyId.eq(family_id),
            )
            .await?,
            medications: delete(
                db,
                medication::Entity,
                medication::Column::ChildId.is_in(child_ids.clone()),
            )
            .await?,
            conditions: delete(
                db,
                condition::Entity,
                condition::Column::ChildId.is_in(child_ids.clone()),
            )
            .await?,
            allergies: delete(
                db,
                allergy::Entity,
                allergy::Column::ChildId.is_in(child_ids.clone()),
            )
            .await?,
            caregiver_assignments: delete(
                db,
                caregiver_assignment::Entity,
                Condition::any()
                    .add(caregiver_assignment::Column::ChildId.is_in(child_ids.clone()))
                    .add(caregiver_assignment::Column::MemberId.is_in(member_ids.clone())),
            )
            .await?,
            children: delete(db, child::Entity, child::Column::FamilyId.eq(family_id)).await?,
            invites: delete(db, invite::Entity, invite::Column::FamilyId.eq(family_id)).await?,
            members: delete(db, member::Entity, member::Column::FamilyId.eq(family_id)).await?,
            families: delete(db, family::Entity, family::Column::Id.eq(family_id)).await?,
            ..ErasureReport::default()
        };
        // Conversation states go only with their person: someone still in another family may be in
        // the middle of a conversation about it.
        delete_unattached_people(db, &person_ids, &mut report).await?;
        txn.commit().await?;

        self.after_erasure().await;
        self.forget_family(family_id).await;
        tracing::info!(family_id, people = report.people, "family erased");
        Ok(report)
    }

    /// Erases one member: their membership, profile, shifts, assignments and consents in the family;
    /// the children's record keeps the doses, measurements and notes they logged, no longer naming
    /// them. Their person and identities go too unless they belong to another family.
    /// Guardians and the operator only; the family's last active guardian cannot be erased this way
    /// (erase the family instead).
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn erase_member(
        &self,
        actor: &Actor,
        member_id: i64,
    ) -> ServiceResult<ErasureReport> {
        let found = member::Entity::find_by_id(member_id)
            .one(self.db().conn())
            .await?
            .ok_or(ServiceError::NotFound("member"))?;
        let (txn, auth) = self
            .begin(actor, Permission::Erase, Target::Family(found.family_id))
            .await?;
        // Re-read under the family's lock: a concurrent erasure or role change is seen.
        let target = member::Entity::find_by_id(member_id)
            .one(&*txn)
            .await?
            .ok_or(ServiceError::NotFound("member"))?;
        let is_active_guardian = target.role == Role::Guardian.as_str()
            && MemberStatus::parse(&target.status) == MemberStatus::Active;
        if is_active_guardian {
            let other_guardians = member::Entity::find()
                .filter(member::Column::FamilyId.eq(target.family_id))
                .filter(member::Column::Role.eq(Role::Guardian.as_str()))
                .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
                .filter(member::Column::Id.ne(member_id))
                .count(&*txn)
                .await?;
            if other_guardians == 0 {
                return Err(Problem::LastGuardian.into());
            }
        }
        self.audit(
            &txn,
            &auth,
            actor,
            "member.erase",
            format!("member:{member_id}"),
            Outcome::Ok,
        )
        .await?;

        let db = &*txn;
        let mut report = ErasureReport {
            deattributed: clear(
                db,
                dose_log::Entity,
                dose_log::Column::GivenByMemberId,
                member_id,
            )
            .await?
                + clear(
                    db,
                    dose_log::Entity,
                    dose_log::Column::VoidedByMemberId,
                    member_id,
                )
                .await?
                + clear(
                    db,
                    measurement::Entity,
                    measurement::Column::RecordedByMemberId,
                    member_id,
                )
                .await?
                + clear(
                    db,
                    care_note::Entity,
                    care_note::Column::AuthorMemberId,
                    member_id,
                )
                .await?
                + clear(
                    db,
                    invite::Entity,
                    invite::Column::CreatedByMemberId,
                    member_id,
                )
                .await?,
            ..ErasureReport::default()
        };
        report.notifications += delete(
            db,
            notification::Entity,
            notification::Column::RecipientMemberId.eq(member_id),
        )
        .await?;
        report.nanny_profiles += delete(
            db,
            nanny_profile::Entity,
            nanny_profile::Column::MemberId.eq(member_id),
        )
        .await?;
        report.nanny_certifications += delete(
            db,
            entity::nanny_certification::Entity,
            entity::nanny_certification::Column::MemberId.eq(member_id),
        )
        .await?;
        report.shift_schedules += delete(
            db,
            entity::shift_schedule::Entity,
            entity::shift_schedule::Column::MemberId.eq(member_id),
        )
        .await?;
        report.shifts += delete(db, shift::Entity, shift::Column::MemberId.eq(member_id)).await?;
        report.caregiver_assignments += delete(
            db,
            caregiver_assignment::Entity,
            caregiver_assignment::Column::MemberId.eq(member_id),
        )
        .await?;
        report.consents += delete(
            db,
            consent::Entity,
            Condition::all()
                .add(consent::Column::FamilyId.eq(target.family_id))
                .add(consent::Column::PersonId.eq(target.person_id)),
        )
        .await?;
        // The person's dialogs are their own data and may be about this family: reset them even
        // when the person stays in another family (an idle conversation simply starts afresh).
        report.conversation_states += delete(
            db,
            conversation_state::Entity,
            conversation_state::Column::PersonId.eq(target.person_id),
        )
        .await?;
        report.members += delete(db, member::Entity, member::Column::Id.eq(member_id)).await?;
        delete_unattached_people(db, &[target.person_id], &mut report).await?;
        txn.commit().await?;

        self.after_erasure().await;
        tracing::info!(
            family_id = target.family_id,
            member_id,
            people = report.people,
            "member erased"
        );
        Ok(report)
    }

    /// After an erasure commits: empty SQLite's WAL (freed pages were zeroed by `secure_delete`, but
    /// the WAL still holds their earlier images) and drop cached identities of erased people.
    async fn after_erasure(&self) {
        if let Err(error) = self.db().checkpoint().await {
            // The erasure is committed; SQLite checkpoints on its own later. Say so loudly.
            tracing::warn!(%error, "checkpoint after erasure failed: erased pages may linger in the WAL until the next checkpoint");
        }
        self.forget_identities().await;
    }
}
