//! A nanny's shifts as worked: clock in, clock out (with the handoff report to the guardians, see
//! `handoff`), and the forgotten clock-out the scheduler asks about. Scheduled shifts live in
//! `nanny`; hours in `hours`.
//!
//! # A forgotten clock-out
//! A clock-in inside a scheduled shift (from two hours before its start to its end) records that
//! shift's end. An hour past it, a still-open shift is **flagged** by
//! [`Services::forgotten_clock_outs`], once, and the scheduler sends the nanny the question it
//! returns. The shift is never extended or closed for them: it counts no hours until the nanny
//! says when they left ("left at 17:30"), and stays flagged in the payroll CSV.

use chrono::{DateTime, Duration, Utc};
use entity::shift;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::handoff::HandoffReport;
use super::{Problem, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::messages::Msg;

/// How long past the scheduled end an open shift is taken for a forgotten clock-out.
pub const FORGOTTEN_AFTER: Duration = Duration::hours(1);

/// How early before a scheduled start a clock-in still belongs to that shift.
const EARLY_CLOCK_IN: Duration = Duration::hours(2);

#[derive(Debug, Clone, PartialEq)]
pub struct ShiftView {
    pub id: i64,
    pub member_id: i64,
    pub clock_in_at: DateTime<Utc>,
    pub clock_out_at: Option<DateTime<Utc>>,
    pub scheduled_end_at: Option<DateTime<Utc>>,
}

impl From<&shift::Model> for ShiftView {
    fn from(row: &shift::Model) -> Self {
        Self {
            id: row.id,
            member_id: row.member_id,
            clock_in_at: row.clock_in_at,
            clock_out_at: row.clock_out_at,
            scheduled_end_at: row.scheduled_end_at,
        }
    }
}

/// How a shift ends, as the nanny said it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClockOut {
    /// When they left, if not now ("left at 17:30"): not before the clock-in, not in the future.
    pub at: Option<DateTime<Utc>>,
    /// Their own words for the guardians ("Emma napped well"), sealed at rest.
    pub words: Option<String>,
}

/// A shift that ended, with the report the guardians were sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftEnded {
    pub shift: ShiftView,
    pub report: HandoffReport,
    /// The guardians the report was queued to, by name.
    pub told: Vec<String>,
}

/// A shift found open an hour past its scheduled end: flagged now, and the question for its nanny.
#[derive(Debug, Clone, PartialEq)]
pub struct ForgottenClockOut {
    pub family_id: i64,
    pub member_id: i64,
    pub shift_id: i64,
    pub scheduled_end_at: DateTime<Utc>,
    /// What to send the nanny (rendered in their language on their channel).
    pub question: Msg,
}

impl Services {
    /// Starts the actor's shift in a family, remembering the scheduled end of the shift it falls in.
    pub async fn clock_in(&self, actor: &Actor, family_id: i64) -> ServiceResult<ShiftView> {
        let tz = self.family_info(family_id).await?.timezone;
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
                let schedule = self.schedule_of(&**txn, family_id, member_id).await?;
                let local_today = now.with_timezone(&tz).date_naive();
                // Yesterday's night shift may still be running.
                let scheduled_end_at = [local_today - Duration::days(1), local_today]
                    .into_iter()
                    .flat_map(|day| schedule.iter().filter_map(move |s| s.on(day, tz)))
                    .filter(|(start, end)| *start - EARLY_CLOCK_IN <= now && now < *end)
                    .map(|(_, end)| end)
                    .min();
                let row = shift::ActiveModel {
                    family_id: Set(family_id),
                    member_id: Set(member_id),
                    clock_in_at: Set(now),
                    scheduled_end_at: Set(scheduled_end_at),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&**txn)
                .await?;
                Ok(ShiftView::from(&row))
            },
        )
        .await
    }

    /// Ends the actor's open shift in a family now, with no words of theirs.
    pub async fn clock_out(&self, actor: &Actor, family_id: i64) -> ServiceResult<ShiftView> {
        Ok(self
            .end_shift(actor, family_id, ClockOut::default())
            .await?
            .shift)
    }

    /// Ends the actor's open shift (now, or when they said they left) and sends the guardians the
    /// handoff report, in one transaction: the report exists exactly when the shift ended.
    pub async fn end_shift(
        &self,
        actor: &Actor,
        family_id: i64,
        clock_out: ClockOut,
    ) -> ServiceResult<ShiftEnded> {
        let words = match clock_out.words.as_deref().map(str::trim) {
            Some(words) if !words.is_empty() => Some(super::notes::validate_text(words)?),
            _ => None,
        };
        if clock_out.at.is_some_and(|at| at > self.now()) {
            return Err(Problem::FutureTime.into());
        }
        self.authorized_as(
            actor,
            Permission::ClockInOut,
            Target::Family(family_id),
            "shift.clock_out",
            |ended: &ShiftEnded| format!("shift:{}", ended.shift.id),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                let open = open_shift(txn, member_id)
                    .await?
                    .ok_or(Problem::NotOnShift)?;
                let end = clock_out.at.unwrap_or_else(|| self.now());
                if end < open.clock_in_at {
                    return Err(Problem::ClockOutBeforeClockIn.into());
                }
                let flagged = open.forgot_flagged_at.is_some();
                let mut active: shift::ActiveModel = open.into();
                active.clock_out_at = Set(Some(end));
                active.handoff = Set(self.keys().seal_opt("shifts.handoff", words.as_deref()));
                let row = active.update(&**txn).await?;
                let (report, told) = self
                    .hand_off(
                        txn,
                        family_id,
                        row.id,
                        member_id,
                        row.clock_in_at,
                        end,
                        words.clone(),
                        flagged,
                    )
                    .await?;
                Ok(ShiftEnded {
                    shift: ShiftView::from(&row),
                    report,
                    told,
                })
            },
        )
        .await
    }

    /// The actor's open shift in the family, if they are on one.
    pub async fn current_shift(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<Option<ShiftView>> {
        self.authorized_as(
            actor,
            Permission::ClockInOut,
            Target::Family(family_id),
            "shift.view",
            |_| format!("family:{family_id}"),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                Ok(open_shift(txn, member_id)
                    .await?
                    .as_ref()
                    .map(ShiftView::from))
            },
        )
        .await
    }

    /// Who is on shift in a family now (member ids, earliest clock-in first), for the scheduler:
    /// a reminder goes to the nanny on shift, else to the guardians. No actor: nothing is shown.
    pub async fn members_on_shift(&self, family_id: i64) -> ServiceResult<Vec<i64>> {
        Ok(shift::Entity::find()
            .filter(shift::Column::FamilyId.eq(family_id))
            .filter(shift::Column::ClockOutAt.is_null())
            .order_by_asc(shift::Column::ClockInAt)
            .all(self.db().conn())
            .await?
            .into_iter()
            .map(|s| s.member_id)
            .collect())
    }

    /// For the scheduler, every minute or so: shifts still open [`FORGOTTEN_AFTER`] past their
    /// scheduled end and not flagged yet are flagged now (audited as `shift.flag_forgotten`, by the
    /// system), each returned once with the question to send its nanny. Never closes or extends a
    /// shift. Calling it again returns nothing for the same shifts.
    pub async fn forgotten_clock_outs(
        &self,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<ForgottenClockOut>> {
        let due = shift::Entity::find()
            .filter(shift::Column::ClockOutAt.is_null())
            .filter(shift::Column::ForgotFlaggedAt.is_null())
            .filter(shift::Column::ScheduledEndAt.lte(now - FORGOTTEN_AFTER))
            .order_by_asc(shift::Column::Id)
            .all(self.db().conn())
            .await?;
        let mut out = Vec::new();
        for candidate in due {
            let family_id = candidate.family_id;
            let txn = self
                .db()
                .write(crate::db::LockScope::Family(family_id))
                .await?;
            // Read again under the family's lock: another instance may have flagged it, or the
            // nanny clocked out, in between.
            let Some(row) = shift::Entity::find_by_id(candidate.id)
                .filter(shift::Column::ClockOutAt.is_null())
                .filter(shift::Column::ForgotFlaggedAt.is_null())
                .one(&*txn)
                .await?
            else {
                continue;
            };
            let Some(scheduled_end_at) = row.scheduled_end_at else {
                continue;
            };
            let mut active: shift::ActiveModel = row.clone().into();
            active.forgot_flagged_at = Set(Some(now));
            active.update(&*txn).await?;
            crate::audit::append(
                &*txn,
                self.db().chain_heads(),
                crate::audit::AuditRecord {
                    family_id: Some(family_id),
                    actor: "system".into(),
                    action: "shift.flag_forgotten",
                    subject: format!("shift:{}", row.id),
                    channel: crate::domain::Channel::System,
                    outcome: crate::audit::Outcome::Ok,
                },
                now,
            )
            .await?;
            txn.commit().await?;
            out.push(ForgottenClockOut {
                family_id,
                member_id: row.member_id,
                shift_id: row.id,
                scheduled_end_at,
                question: Msg::StillOnShift {
                    since: row.clock_in_at,
                    scheduled_end: scheduled_end_at,
                },
            });
        }
        Ok(out)
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
