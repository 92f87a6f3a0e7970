//! Answering a reminder (Given, Skip), pausing a child's, and the family's and members' choices.

use chrono::NaiveTime;
use entity::{child, medication, quiet_hours, reminder, reminder_pause, reminder_setting};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::DoseDue;
use crate::auth::{Actor, Permission};
use crate::domain::{DoseAmount, DoseUnit};
use crate::messages::Msg;
use crate::reminders::planner::{self, ReminderKind};
use crate::reminders::store::{parse_members, Status, SKIP_REASON_FIELD};
use crate::services::{Problem, ServiceError, ServiceResult, Services, Target};

impl Services {
    /// The dose reminder the actor answers *Given* to (`id`, or the newest sent to them), as the
    /// dose to log through the engine's dose path (with its safety check). The answer is audited.
    pub async fn reminder_to_give(
        &self,
        actor: &Actor,
        family_id: i64,
        id: Option<i64>,
    ) -> ServiceResult<DoseDue> {
        self.authorized_as(
            actor,
            Permission::ViewChildren,
            Target::Family(family_id),
            "reminder.given",
            |due: &DoseDue| format!("reminder:{}", due.reminder_id),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                let row = open_reminder(&**txn, family_id, member_id, id).await?;
                let medication_id =
                    planner::subject_id(&row.subject).ok_or(ServiceError::NotFound("reminder"))?;
                let m = medication::Entity::find_by_id(medication_id)
                    .one(&**txn)
                    .await?
                    .ok_or(ServiceError::NotFound("medication"))?;
                Ok(DoseDue {
                    reminder_id: row.id,
                    child_id: m.child_id,
                    medication_id,
                    amount: DoseAmount {
                        value: m.dose_amount,
                        unit: DoseUnit::parse(&m.dose_unit).unwrap_or(DoseUnit::Ml),
                    },
                })
            },
        )
        .await
    }

    /// *Skip*: the dose reminder (`id`, or the newest sent to the actor) is recorded as skipped,
    /// with the reason sealed, and audited.
    pub async fn skip_reminder(
        &self,
        actor: &Actor,
        family_id: i64,
        id: Option<i64>,
        reason: &str,
    ) -> ServiceResult<Msg> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Ok(Msg::SkipNeedsReason);
        }
        // The reminder's id goes into the audit record; the member hears the message.
        self.authorized_as(
            actor,
            Permission::ViewChildren,
            Target::Family(family_id),
            "reminder.skip",
            |(id, _): &(i64, Msg)| format!("reminder:{id}"),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                let row = open_reminder(&**txn, family_id, member_id, id).await?;
                let now = self.now();
                let reminder_id = row.id;
                let child_id = row.child_id;
                let medication_id = planner::subject_id(&row.subject).unwrap_or_default();
                let mut active: reminder::ActiveModel = row.into();
                active.status = Set(Status::Skipped.as_str().into());
                active.resolved_at = Set(Some(now));
                active.resolved_by_member_id = Set(Some(member_id));
                active.skip_reason = Set(Some(self.keys().seal(SKIP_REASON_FIELD, reason)));
                active.lease_until = Set(None);
                active.updated_at = Set(now);
                active.update(&**txn).await?;
                let child = match child_id {
                    Some(id) => child::Entity::find_by_id(id)
                        .one(&**txn)
                        .await?
                        .map(|c| c.name),
                    None => None,
                };
                let medication = medication::Entity::find_by_id(medication_id)
                    .one(&**txn)
                    .await?
                    .map(|m| m.name);
                Ok((
                    reminder_id,
                    Msg::ReminderSkipped {
                        child: child.unwrap_or_default(),
                        medication: medication.unwrap_or_default(),
                    },
                ))
            },
        )
        .await
        .map(|(_, msg)| msg)
    }

    /// A guardian pauses (or resumes) a child's reminders; audited.
    pub async fn pause_reminders(
        &self,
        actor: &Actor,
        child_id: i64,
        pause: bool,
    ) -> ServiceResult<()> {
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Child(child_id),
            if pause {
                "reminders.pause"
            } else {
                "reminders.resume"
            },
            |_: &()| format!("child:{child_id}"),
            async |txn, auth| {
                if pause {
                    reminder_pause::Entity::insert(reminder_pause::ActiveModel {
                        child_id: Set(child_id),
                        family_id: Set(auth.family_id),
                        paused_by_member_id: Set(auth.member_id),
                        paused_at: Set(self.now()),
                    })
                    .on_conflict(
                        OnConflict::column(reminder_pause::Column::ChildId)
                            .do_nothing()
                            .to_owned(),
                    )
                    .exec_without_returning(&**txn)
                    .await?;
                } else {
                    reminder_pause::Entity::delete_by_id(child_id)
                        .exec(&**txn)
                        .await?;
                }
                Ok(())
            },
        )
        .await
    }

    /// A guardian sets when the family's daily summary comes; audited.
    pub async fn set_summary_time(
        &self,
        actor: &Actor,
        family_id: i64,
        at: NaiveTime,
    ) -> ServiceResult<()> {
        let text = at.format("%H:%M").to_string();
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Family(family_id),
            "reminders.summary_time",
            |_: &()| format!("family:{family_id}"),
            async |txn, _auth| {
                reminder_setting::Entity::insert(reminder_setting::ActiveModel {
                    family_id: Set(family_id),
                    summary_at: Set(text.clone()),
                })
                .on_conflict(
                    OnConflict::column(reminder_setting::Column::FamilyId)
                        .update_column(reminder_setting::Column::SummaryAt)
                        .to_owned(),
                )
                .exec_without_returning(&**txn)
                .await?;
                Ok(())
            },
        )
        .await
    }

    /// Sets a member's quiet hours (local `HH:MM` to `HH:MM`), for the member themself; audited.
    pub async fn set_quiet_hours(
        &self,
        actor: &Actor,
        family_id: i64,
        starts: NaiveTime,
        ends: NaiveTime,
    ) -> ServiceResult<()> {
        self.authorized_as(
            actor,
            Permission::ViewChildren,
            Target::Family(family_id),
            "reminders.quiet_hours",
            |_: &()| format!("family:{family_id}"),
            async |txn, auth| {
                let member_id = auth.member_id.ok_or(Problem::NotAMember)?;
                quiet_hours::Entity::insert(quiet_hours::ActiveModel {
                    member_id: Set(member_id),
                    starts: Set(starts.format("%H:%M").to_string()),
                    ends: Set(ends.format("%H:%M").to_string()),
                })
                .on_conflict(
                    OnConflict::column(quiet_hours::Column::MemberId)
                        .update_columns([quiet_hours::Column::Starts, quiet_hours::Column::Ends])
                        .to_owned(),
                )
                .exec_without_returning(&**txn)
                .await?;
                Ok(())
            },
        )
        .await
    }
}

/// The dose reminder sent to `member_id` that waits for an answer: `id`, or the newest.
async fn open_reminder<C: sea_orm::ConnectionTrait>(
    conn: &C,
    family_id: i64,
    member_id: i64,
    id: Option<i64>,
) -> ServiceResult<reminder::Model> {
    let mut query = reminder::Entity::find()
        .filter(reminder::Column::FamilyId.eq(family_id))
        .filter(reminder::Column::Kind.eq(ReminderKind::Dose.as_str()))
        .filter(reminder::Column::Status.eq(Status::Sent.as_str()));
    if let Some(id) = id {
        query = query.filter(reminder::Column::Id.eq(id));
    }
    query
        .order_by_desc(reminder::Column::DueAt)
        .all(conn)
        .await?
        .into_iter()
        .find(|r| parse_members(r.sent_to.as_deref()).contains(&member_id))
        .ok_or(ServiceError::NotFound("reminder"))
}
