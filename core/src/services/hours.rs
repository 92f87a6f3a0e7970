//! The month's hours per nanny, for payroll: guardians (and the operator) see every nanny's, a
//! nanny their own. The arithmetic (weeks, overtime, a shift over midnight or over the month's
//! end, the CSV) is pure, in [`crate::hours`]; here the shifts are loaded and the read audited.

use chrono::Weekday;
use entity::shift;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{ServiceResult, Services, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::hours::{
    month_hours, payroll_csv, span_to_load, NannyMonth, PayrollNanny, WorkedShift, YearMonth,
};

/// A family's payroll month.
#[derive(Debug, Clone, PartialEq)]
pub struct PayrollMonth {
    pub family_name: String,
    pub month: YearMonth,
    pub timezone: chrono_tz::Tz,
    pub week_starts_on: Weekday,
    pub nannies: Vec<PayrollNanny>,
    /// Only nannies with hours in the month.
    pub hours: Vec<NannyMonth>,
    /// Shifts still open (not clocked out) that started in the month's weeks: counted once closed.
    pub open_shifts: usize,
}

impl PayrollMonth {
    pub fn csv(&self) -> String {
        payroll_csv(&self.nannies, &self.hours, self.month, self.timezone)
    }

    pub fn name_of(&self, member_id: i64) -> &str {
        self.nannies
            .iter()
            .find(|n| n.member_id == member_id)
            .map(|n| n.name.as_str())
            .unwrap_or("")
    }
}

impl Services {
    /// The hours of `month`: every nanny's for a guardian or the operator, the actor's own for a
    /// nanny (a viewer is refused). Audited as `hours.view`.
    pub async fn payroll_month(
        &self,
        actor: &Actor,
        family_id: i64,
        month: YearMonth,
    ) -> ServiceResult<PayrollMonth> {
        let family = self.family_info(family_id).await?;
        let week_starts_on = self.week_starts_on(family_id).await?;
        let (from, to) = span_to_load(month, family.timezone, week_starts_on);
        self.authorized_as(
            actor,
            Permission::ClockInOut,
            Target::Family(family_id),
            "hours.view",
            |_| format!("family:{family_id}"),
            async |txn, auth| {
                let only = (!auth.permits(Permission::ManageNannies, Scope::Family))
                    .then_some(auth.member_id)
                    .flatten();
                let mut query = shift::Entity::find()
                    .filter(shift::Column::FamilyId.eq(family_id))
                    // Every shift that overlaps the weeks: started before their end, and ended
                    // (or is open) after their start.
                    .filter(shift::Column::ClockInAt.lt(to))
                    .filter(
                        sea_orm::Condition::any()
                            .add(shift::Column::ClockOutAt.gt(from))
                            .add(shift::Column::ClockOutAt.is_null()),
                    );
                if let Some(member_id) = only {
                    query = query.filter(shift::Column::MemberId.eq(member_id));
                }
                let rows = query
                    .order_by_asc(shift::Column::ClockInAt)
                    .all(&**txn)
                    .await?;
                let open_shifts = rows.iter().filter(|r| r.clock_out_at.is_none()).count();
                let worked: Vec<WorkedShift> = rows
                    .iter()
                    .filter_map(|r| {
                        r.clock_out_at.map(|end| WorkedShift {
                            shift_id: r.id,
                            member_id: r.member_id,
                            start: r.clock_in_at,
                            end,
                            flagged: r.forgot_flagged_at.is_some(),
                        })
                    })
                    .collect();
                let nannies = self
                    .nannies(&**txn, family_id)
                    .await?
                    .into_iter()
                    .filter(|n| only.is_none_or(|m| m == n.member_id))
                    .collect();
                Ok(PayrollMonth {
                    family_name: family.name.clone(),
                    month,
                    timezone: family.timezone,
                    week_starts_on,
                    nannies,
                    hours: month_hours(&worked, month, family.timezone, week_starts_on),
                    open_shifts,
                })
            },
        )
        .await
    }
}
