//! The people in a family, as guardians manage them: who is in it, which children each caregiver
//! looks after, a member's role, and revoking a membership. Guardians only (`ManageMembers`); every
//! change is audited. A family is never left without an active guardian.

use entity::{caregiver_assignment, child, member};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::db::WriteTxn;
use crate::domain::{MemberStatus, Role};

/// A member as listed to guardians.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberView {
    pub member_id: i64,
    pub person_id: i64,
    pub name: String,
    pub role: Role,
    pub status: MemberStatus,
    /// The children a caregiver is assigned to, by name (empty for other roles).
    pub children: Vec<String>,
}

/// A member's role after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleChanged {
    pub name: String,
    pub from: Role,
    pub to: Role,
}

impl Services {
    /// Lists a family's members with the children each caregiver looks after (guardians).
    pub async fn members(&self, actor: &Actor, family_id: i64) -> ServiceResult<Vec<MemberView>> {
        let (rows, names, assignments) = self
            .authorized_as(
                actor,
                Permission::ManageMembers,
                Target::Family(family_id),
                "members.view",
                |_| format!("family:{family_id}"),
                async |txn, _| {
                    let rows = member::Entity::find()
                        .filter(member::Column::FamilyId.eq(family_id))
                        .order_by_asc(member::Column::Id)
                        .all(&**txn)
                        .await?;
                    let names = self
                        .member_names(&**txn, family_id, rows.iter().map(|m| m.id))
                        .await?;
                    let children = child::Entity::find()
                        .filter(child::Column::FamilyId.eq(family_id))
                        .order_by_asc(child::Column::Id)
                        .all(&**txn)
                        .await?;
                    let assignments = caregiver_assignment::Entity::find()
                        .filter(
                            caregiver_assignment::Column::ChildId
                                .is_in(children.iter().map(|c| c.id)),
                        )
                        .order_by_asc(caregiver_assignment::Column::ChildId)
                        .all(&**txn)
                        .await?
                        .into_iter()
                        .filter_map(|a| {
                            children
                                .iter()
                                .find(|c| c.id == a.child_id)
                                .map(|c| (a.member_id, c.name.clone()))
                        })
                        .collect::<Vec<_>>();
                    Ok((rows, names, assignments))
                },
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| {
                let role = m.role.parse().unwrap_or(Role::Viewer);
                MemberView {
                    member_id: m.id,
                    person_id: m.person_id,
                    name: names.get(&m.id).cloned().unwrap_or_default(),
                    role,
                    status: MemberStatus::parse(&m.status),
                    children: if role == Role::Caregiver {
                        assignments
                            .iter()
                            .filter(|(member_id, _)| *member_id == m.id)
                            .map(|(_, child)| child.clone())
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect())
    }

    /// Revokes a membership: from now on the member can do nothing in this family. The family's
    /// last active guardian cannot be revoked.
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn revoke_member(&self, actor: &Actor, member_id: i64) -> ServiceResult<()> {
        let target = self.member_row(self.db().conn(), member_id).await?;
        let person_id = target.person_id;
        self.authorized_as(
            actor,
            Permission::ManageMembers,
            Target::Family(target.family_id),
            "member.revoke",
            |_| format!("member:{member_id}"),
            async move |txn, _| {
                // Re-read under the family's lock: a concurrent change is seen.
                let target = self.member_row(&**txn, member_id).await?;
                keeps_a_guardian(txn, &target).await?;
                let mut active = target.into_active_model();
                active.status = Set(MemberStatus::Revoked.as_str().to_string());
                active.update(&**txn).await?;
                Ok(())
            },
        )
        .await?;
        self.forget_memberships(person_id).await;
        Ok(())
    }

    /// Changes a member's role (guardians). The last active guardian keeps theirs; a caregiver's
    /// assignments stay on record (they matter again if the role comes back).
    pub async fn change_role(
        &self,
        actor: &Actor,
        member_id: i64,
        role: Role,
    ) -> ServiceResult<RoleChanged> {
        let target = self.member_row(self.db().conn(), member_id).await?;
        let (person_id, family_id) = (target.person_id, target.family_id);
        let changed = self
            .authorized_as(
                actor,
                Permission::ManageMembers,
                Target::Family(family_id),
                "member.role",
                |_| format!("member:{member_id}"),
                async move |txn, _| {
                    let target = self.member_row(&**txn, member_id).await?;
                    if MemberStatus::parse(&target.status) == MemberStatus::Revoked {
                        return Err(Problem::MemberRevoked.into());
                    }
                    let from: Role = target.role.parse().unwrap_or(Role::Viewer);
                    if from == role {
                        return Err(Problem::AlreadyInRole.into());
                    }
                    if from == Role::Guardian {
                        keeps_a_guardian(txn, &target).await?;
                    }
                    let names = self.member_names(&**txn, family_id, [member_id]).await?;
                    let mut active = target.into_active_model();
                    active.role = Set(role.as_str().to_string());
                    active.update(&**txn).await?;
                    Ok(RoleChanged {
                        name: names.get(&member_id).cloned().unwrap_or_default(),
                        from,
                        to: role,
                    })
                },
            )
            .await?;
        self.forget_memberships(person_id).await;
        self.forget_rosters(family_id);
        Ok(changed)
    }

    /// Assigns a caregiver member to a child (guardians). Assigning twice changes nothing.
    pub async fn assign_caregiver(
        &self,
        actor: &Actor,
        member_id: i64,
        child_id: i64,
    ) -> ServiceResult<()> {
        self.set_assignments(actor, member_id, &[child_id], true)
            .await
    }

    /// Assigns a caregiver to children, or (`assign` false) takes children off their list, in one
    /// transaction (guardians). Unassigned, they can no longer see a child's record or log doses
    /// for them. A child or member of another family is "not found" and nothing changes; assigning
    /// twice or unassigning one who was not assigned changes nothing.
    pub async fn set_assignments(
        &self,
        actor: &Actor,
        member_id: i64,
        child_ids: &[i64],
        assign: bool,
    ) -> ServiceResult<()> {
        let action = if assign {
            "caregiver.assign"
        } else {
            "caregiver.unassign"
        };
        let family_id = self
            .member_row(self.db().conn(), member_id)
            .await?
            .family_id;
        let subject = format!("member:{member_id}");
        self.authorized_as(
            actor,
            Permission::ManageMembers,
            Target::Family(family_id),
            action,
            |_| subject,
            async |txn, _| {
                let member = self.member_row(&**txn, member_id).await?;
                if assign && member.role != Role::Caregiver.as_str() {
                    return Err(Problem::NotACaregiver.into());
                }
                let in_family = child::Entity::find()
                    .filter(child::Column::FamilyId.eq(family_id))
                    .filter(child::Column::Id.is_in(child_ids.iter().copied()))
                    .count(&**txn)
                    .await?;
                let mut distinct = child_ids.to_vec();
                distinct.sort_unstable();
                distinct.dedup();
                if in_family != distinct.len() as u64 {
                    return Err(ServiceError::NotFound("child"));
                }
                for &child_id in &distinct {
                    let existing = caregiver_assignment::Entity::find()
                        .filter(caregiver_assignment::Column::MemberId.eq(member_id))
                        .filter(caregiver_assignment::Column::ChildId.eq(child_id))
                        .one(&**txn)
                        .await?;
                    match (assign, existing) {
                        (true, None) => {
                            caregiver_assignment::ActiveModel {
                                member_id: Set(member_id),
                                child_id: Set(child_id),
                                created_at: Set(self.now()),
                                ..Default::default()
                            }
                            .insert(&**txn)
                            .await?;
                        }
                        (false, Some(row)) => {
                            caregiver_assignment::Entity::delete_by_id(row.id)
                                .exec(&**txn)
                                .await?;
                        }
                        _ => {}
                    }
                }
                Ok(())
            },
        )
        .await?;
        self.forget_rosters(family_id);
        Ok(())
    }

    /// A member's row, read outside a transaction (to find the family to lock) or inside one
    /// (again, under the family's lock, so a concurrent change is seen).
    async fn member_row<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        member_id: i64,
    ) -> ServiceResult<member::Model> {
        member::Entity::find_by_id(member_id)
            .one(db)
            .await?
            .ok_or(ServiceError::NotFound("member"))
    }
}

/// Refuses a change that would leave the family without an active guardian.
async fn keeps_a_guardian(txn: &WriteTxn, target: &member::Model) -> ServiceResult<()> {
    let is_active_guardian = target.role == Role::Guardian.as_str()
        && MemberStatus::parse(&target.status) == MemberStatus::Active;
    if !is_active_guardian {
        return Ok(());
    }
    let others = member::Entity::find()
        .filter(member::Column::FamilyId.eq(target.family_id))
        .filter(member::Column::Role.eq(Role::Guardian.as_str()))
        .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
        .filter(member::Column::Id.ne(target.id))
        .count(&**txn)
        .await?;
    if others == 0 {
        return Err(Problem::LastGuardian.into());
    }
    Ok(())
}
