//! The nanny side, as far as the care core needs it: clock in and clock out. (Scheduling, handoff
//! reports and hours come with the shifts issue, on these same rows.)

use chrono::{DateTime, Utc};
use entity::shift;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{Problem, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};

#[derive(Debug, Clone, PartialEq)]
pub struct ShiftView {
    pub id: i64,
    pub member_id: i64,
    pub clock_in_at: DateTime<Utc>,
    pub clock_out_at: Option<DateTime<Utc>>,
}

impl Services {
    /// Starts the actor's shift in a family.
    pub async fn clock_in(&self, actor: &Actor, family_id: i64) -> ServiceResult<ShiftView> {
        self.authorized_as(
            actor,
            Permission::ClockInOut,
            Target::Family(family_id),
            "shift.clock_in",
            |shift: &ShiftView| format!("shift:{}", shift.id),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                if open_shift(txn, member_id).await?.is_some() {
                    return Err(Problem::AlreadyOnShift.into());
                }
                let now = self.now();
                let row = shift::ActiveModel {
                    family_id: Set(family_id),
                    member_id: Set(member_id),
                    clock_in_at: Set(now),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&**txn)
                .await?;
                Ok(ShiftView {
                    id: row.id,
                    member_id,
                    clock_in_at: row.clock_in_at,
                    clock_out_at: None,
                })
            },
        )
        .await
    }

    /// Ends the actor's open shift in a family.
    pub async fn clock_out(&self, actor: &Actor, family_id: i64) -> ServiceResult<ShiftView> {
        self.authorized_as(
            actor,
            Permission::ClockInOut,
            Target::Family(family_id),
            "shift.clock_out",
            |shift: &ShiftView| format!("shift:{}", shift.id),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                let open = open_shift(txn, member_id)
                    .await?
                    .ok_or(Problem::NotOnShift)?;
                let mut active: shift::ActiveModel = open.into();
                active.clock_out_at = Set(Some(self.now()));
                let row = active.update(&**txn).await?;
                Ok(ShiftView {
                    id: row.id,
                    member_id,
                    clock_in_at: row.clock_in_at,
                    clock_out_at: row.clock_out_at,
                })
            },
        )
        .await
    }
}

/// The member's shift that has no clock-out yet, if any (the latest, should there ever be two).
async fn open_shift(
    txn: &crate::db::WriteTxn,
    member_id: i64,
) -> ServiceResult<Option<shift::Model>> {
    Ok(shift::Entity::find()
        .filter(shift::Column::MemberId.eq(member_id))
        .filter(shift::Column::ClockOutAt.is_null())
        .order_by_desc(shift::Column::ClockInAt)
        .one(&**txn)
        .await?)
}
