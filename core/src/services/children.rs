//! Children and what is known about them: allergies and conditions (sealed at rest), and the one
//! rule of which children a caregiver sees.

use chrono::NaiveDate;
use entity::{allergy, caregiver_assignment, child, condition};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};

use super::notes::validate_text;
use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{allows, Actor, Permission, Scope, Standing};
use crate::domain::{MemberStatus, Role};

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

impl Services {
    /// The stored row of a child.
    pub(super) async fn child_row<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        child_id: i64,
    ) -> ServiceResult<child::Model> {
        child::Entity::find_by_id(child_id)
            .one(db)
            .await?
            .ok_or(ServiceError::NotFound("child"))
    }

    /// Adds a child to a family (guardians).
    pub async fn add_child(
        &self,
        actor: &Actor,
        family_id: i64,
        name: &str,
        birth_date: NaiveDate,
    ) -> ServiceResult<i64> {
        let name = crate::domain::text::one_line(name);
        let name = name.as_str();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(Problem::BadName.into());
        }
        // A record for children: born by today and under 18 (the form asks the same).
        let today = self.now().date_naive();
        let eighteen_years_ago = today
            .checked_sub_months(chrono::Months::new(18 * 12))
            .unwrap_or(NaiveDate::MIN);
        if birth_date > today || birth_date <= eighteen_years_ago {
            return Err(Problem::ImplausibleBirthDate.into());
        }
        let id = self
            .authorized_as(
                actor,
                Permission::ManageChildren,
                Target::Family(family_id),
                "child.add",
                |id| format!("child:{id}"),
                async |txn, _| {
                    // Under the family's lock, so two channels adding "Emma" at once add one: a
                    // name must say which child a dose is for.
                    let same_name = child::Entity::find()
                        .filter(child::Column::FamilyId.eq(family_id))
                        .all(&**txn)
                        .await?
                        .into_iter()
                        .any(|c| c.name.to_lowercase() == name.to_lowercase());
                    if same_name {
                        return Err(Problem::DuplicateChild(name.to_string()).into());
                    }
                    let row = child::ActiveModel {
                        family_id: Set(family_id),
                        name: Set(name.to_string()),
                        birth_date: Set(birth_date),
                        created_at: Set(self.now()),
                        ..Default::default()
                    }
                    .insert(&**txn)
                    .await?;
                    Ok(row.id)
                },
            )
            .await?;
        self.forget_names(family_id).await;
        self.forget_rosters(family_id);
        Ok(id)
    }

    /// Renames a child (guardians): the same rules as adding one, and no second child of the new
    /// name. Doses, medicines and notes stay with the child. Returns the old name.
    pub async fn rename_child(
        &self,
        actor: &Actor,
        child_id: i64,
        name: &str,
    ) -> ServiceResult<String> {
        let name = crate::domain::text::one_line(name);
        if name.is_empty() || name.chars().count() > 60 {
            return Err(Problem::BadName.into());
        }
        let (old, family_id) = self
            .authorized_as(
                actor,
                Permission::ManageChildren,
                Target::Child(child_id),
                "child.rename",
                |_| format!("child:{child_id}"),
                async |txn, auth| {
                    let row = self.child_row(&**txn, child_id).await?;
                    let taken = child::Entity::find()
                        .filter(child::Column::FamilyId.eq(auth.family_id))
                        .filter(child::Column::Id.ne(child_id))
                        .all(&**txn)
                        .await?
                        .into_iter()
                        .any(|c| c.name.to_lowercase() == name.to_lowercase());
                    if taken {
                        return Err(Problem::DuplicateChild(name.clone()).into());
                    }
                    let old = row.name.clone();
                    let mut update: child::ActiveModel = row.into();
                    update.name = Set(name.clone());
                    update.update(&**txn).await?;
                    Ok((old, auth.family_id))
                },
            )
            .await?;
        self.forget_names(family_id).await;
        self.forget_rosters(family_id);
        Ok(old)
    }

    /// Takes a child out of active care, or back (guardians). Out of care, the child keeps the
    /// whole record (the export has it) but leaves every list, and no dose is logged for them.
    pub async fn set_in_care(
        &self,
        actor: &Actor,
        child_id: i64,
        in_care: bool,
    ) -> ServiceResult<()> {
        let family_id = self
            .authorized_as(
                actor,
                Permission::ManageChildren,
                Target::Child(child_id),
                if in_care {
                    "child.return_to_care"
                } else {
                    "child.leave_care"
                },
                |_| format!("child:{child_id}"),
                async |txn, auth| {
                    let row = self.child_row(&**txn, child_id).await?;
                    match (in_care, row.archived_at.is_none()) {
                        (true, true) => return Err(Problem::AlreadyInCare(row.name).into()),
                        (false, false) => return Err(Problem::NotInCare(row.name).into()),
                        _ => {}
                    }
                    let mut update: child::ActiveModel = row.into();
                    update.archived_at = Set((!in_care).then(|| self.now()));
                    update.update(&**txn).await?;
                    Ok(auth.family_id)
                },
            )
            .await?;
        self.forget_names(family_id).await;
        self.forget_rosters(family_id);
        Ok(())
    }

    /// The family's children out of active care (guardians: who could be brought back).
    pub async fn children_out_of_care(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<Vec<ChildView>> {
        let rows = self
            .authorized(
                actor,
                Permission::ManageChildren,
                Target::Family(family_id),
                |_| format!("family:{family_id}"),
                async |txn, _| {
                    Ok(child::Entity::find()
                        .filter(child::Column::FamilyId.eq(family_id))
                        .filter(child::Column::ArchivedAt.is_not_null())
                        .order_by_asc(child::Column::Id)
                        .all(&**txn)
                        .await?)
                },
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

    /// The children the actor can see: all of them for guardians and viewers, the assigned ones for
    /// caregivers.
    pub async fn children(&self, actor: &Actor, family_id: i64) -> ServiceResult<Vec<ChildView>> {
        let rows = self
            .authorized(
                actor,
                Permission::ViewChildren,
                Target::Family(family_id),
                |_| format!("family:{family_id}"),
                async |txn, auth| {
                    self.visible_children(&**txn, family_id, auth.role, auth.member_id)
                        .await
                },
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

    pub async fn add_allergy(
        &self,
        actor: &Actor,
        child_id: i64,
        allergen: &str,
        severity: &str,
        reaction: Option<&str>,
    ) -> ServiceResult<i64> {
        let allergen = crate::domain::text::one_line(allergen);
        let allergen = allergen.as_str();
        if allergen.is_empty() || allergen.chars().count() > 80 {
            return Err(Problem::BadName.into());
        }
        let severity = match severity.trim().to_ascii_lowercase().as_str() {
            s @ ("mild" | "moderate" | "severe" | "unknown") => s.to_string(),
            other => return Err(Problem::BadSeverity(other.to_string()).into()),
        };
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Child(child_id),
            "allergy.add",
            |id| format!("allergy:{id}"),
            async move |txn, _| {
                let row = allergy::ActiveModel {
                    child_id: Set(child_id),
                    allergen: Set(allergen.to_string()),
                    severity: Set(severity),
                    reaction: Set(self.keys().seal_opt("allergies.reaction", reaction)),
                    created_at: Set(self.now()),
                    ..Default::default()
                }
                .insert(&**txn)
                .await?;
                Ok(row.id)
            },
        )
        .await
    }

    pub async fn allergies(&self, actor: &Actor, child_id: i64) -> ServiceResult<Vec<AllergyView>> {
        let rows = self
            .authorized(
                actor,
                Permission::ViewAllergies,
                Target::Child(child_id),
                |_| format!("child:{child_id}"),
                async |txn, _| {
                    Ok(allergy::Entity::find()
                        .filter(allergy::Column::ChildId.eq(child_id))
                        .all(&**txn)
                        .await?)
                },
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
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Child(child_id),
            "condition.add",
            |id| format!("condition:{id}"),
            async |txn, _| {
                let row = condition::ActiveModel {
                    child_id: Set(child_id),
                    name: Set(self.keys().seal("conditions.name", &name)),
                    notes: Set(self.keys().seal_opt("conditions.notes", notes)),
                    guardian_only: Set(guardian_only),
                    created_at: Set(self.now()),
                    ..Default::default()
                }
                .insert(&**txn)
                .await?;
                Ok(row.id)
            },
        )
        .await
    }

    /// A child's conditions: guardians see all, others only those not marked guardian-only.
    pub async fn conditions(
        &self,
        actor: &Actor,
        child_id: i64,
    ) -> ServiceResult<Vec<ConditionView>> {
        let (include_private, rows) = self
            .authorized(
                actor,
                Permission::ViewConditions,
                Target::Child(child_id),
                |_| format!("child:{child_id}"),
                async |txn, auth| {
                    let include_private = auth.permits(
                        Permission::ViewPrivateConditions,
                        Scope::Child { assigned: true },
                    );
                    let rows = condition::Entity::find()
                        .filter(condition::Column::ChildId.eq(child_id))
                        .all(&**txn)
                        .await?;
                    Ok((include_private, rows))
                },
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

    /// A family's children in active care, in the order they were added; for a caregiver, only
    /// those assigned to them. The one place these rules are applied to lists.
    pub(super) async fn visible_children<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        role: Option<Role>,
        member_id: Option<i64>,
    ) -> ServiceResult<Vec<child::Model>> {
        let mut rows = child::Entity::find()
            .filter(child::Column::FamilyId.eq(family_id))
            .filter(child::Column::ArchivedAt.is_null())
            .order_by_asc(child::Column::Id)
            .all(db)
            .await?;
        // Lists show the children the policy lets this role see without an assignment (all of
        // them) or, when it asks for one (a caregiver), those assigned.
        let limited = role.is_some_and(|role| {
            !allows(
                Standing::Member {
                    role,
                    status: MemberStatus::Active,
                },
                Permission::ViewChildren,
                Scope::Child { assigned: false },
            )
        });
        if limited {
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
}
