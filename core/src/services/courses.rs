//! Keeping a child's medications current: stop a course ("stop Leo's amoxicillin"), pause one and
//! resume it. Nothing is deleted: a stopped medication keeps every dose given, and the export shows
//! when its course ended. Guardians only: a caregiver stopping an antibiotic halfway is a decision
//! for the parents (the caregiver is told so, and can ask them).

use chrono::NaiveDate;
use entity::medication;
use sea_orm::{ActiveModelTrait, ColumnTrait, IntoActiveModel, Set};
use serde::{Deserialize, Serialize};

use super::medications::MedicationView;
use super::{Problem, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::domain::Approval;

/// What happens to a medication's course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseChange {
    /// The course ends today: no more doses; the history stays.
    Stop,
    /// No doses until it is resumed (a doctor said to hold it for a few days).
    Pause,
    /// A paused medication can be given again, within its course dates.
    Resume,
}

impl CourseChange {
    /// The audit action (persisted: never renamed).
    pub fn action(self) -> &'static str {
        match self {
            CourseChange::Stop => "medication.stop",
            CourseChange::Pause => "medication.pause",
            CourseChange::Resume => "medication.resume",
        }
    }
}

/// Where a medication's course stands, from its row: what a change may start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseState {
    Active,
    Paused,
    /// Inactive and its end date has come (stopped, or a paused course that ran out).
    Ended(NaiveDate),
    /// A guardian did not approve it: it never had a course.
    Denied,
}

impl CourseState {
    pub fn of(
        active: bool,
        approval: Approval,
        ends_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        if approval == Approval::Denied {
            return CourseState::Denied;
        }
        if active {
            return CourseState::Active;
        }
        match ends_on {
            Some(end) if end <= today => CourseState::Ended(end),
            _ => CourseState::Paused,
        }
    }
}

/// The course change to make, or why it cannot be made: a pure rule, table-tested below.
/// Returns the new `active` flag and end date.
pub fn plan(
    change: CourseChange,
    state: CourseState,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
    medication: &str,
) -> Result<(bool, Option<NaiveDate>), Problem> {
    let medication = medication.to_string();
    match (change, state) {
        (_, CourseState::Denied) => Err(Problem::MedicationNotApproved {
            medication,
            denied: true,
        }),
        (CourseChange::Stop, CourseState::Ended(on)) => {
            Err(Problem::CourseAlreadyEnded { medication, on })
        }
        // The course ends today (a course that had not started yet ends on its first day, so the
        // dates stay in order); a later end date is brought forward, an earlier one is kept.
        (CourseChange::Stop, CourseState::Active | CourseState::Paused) => {
            let end = match (starts_on, ends_on) {
                (_, Some(end)) if end < today => end,
                (Some(start), _) if start > today => start,
                _ => today,
            };
            Ok((false, Some(end)))
        }
        (CourseChange::Pause, CourseState::Active) => Ok((false, ends_on)),
        (CourseChange::Pause, CourseState::Paused) => Err(Problem::AlreadyPaused { medication }),
        (CourseChange::Pause | CourseChange::Resume, CourseState::Ended(on)) => {
            Err(Problem::CourseAlreadyEnded { medication, on })
        }
        (CourseChange::Resume, CourseState::Paused) => Ok((true, ends_on)),
        (CourseChange::Resume, CourseState::Active) => Err(Problem::NotPaused { medication }),
    }
}

/// A course just changed.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseChanged {
    pub medication_id: i64,
    pub medication: String,
    pub child_id: i64,
    pub change: CourseChange,
    /// The course's end date after the change.
    pub ends_on: Option<NaiveDate>,
}

impl Services {
    /// Every medication a child has had that was not denied, active or not, oldest first: what a
    /// guardian can stop, pause or resume.
    pub async fn medication_history(
        &self,
        actor: &Actor,
        child_id: i64,
    ) -> ServiceResult<Vec<MedicationView>> {
        self.child_medications(
            actor,
            child_id,
            medication::Column::Approval.ne(Approval::Denied.as_str()),
        )
        .await
    }

    /// Stops, pauses or resumes a child's medication (guardians; audited as `medication.stop`,
    /// `.pause` or `.resume`). Refused with the reason when the course cannot change that way.
    pub async fn change_course(
        &self,
        actor: &Actor,
        child_id: i64,
        medication_id: i64,
        change: CourseChange,
    ) -> ServiceResult<CourseChanged> {
        let family = self
            .family_info(self.family_of(Target::Child(child_id)).await?)
            .await?;
        let today = self.now().with_timezone(&family.timezone).date_naive();
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Child(child_id),
            change.action(),
            |_| format!("medication:{medication_id}"),
            async move |txn, _| {
                let row = self.medication_row(&**txn, child_id, medication_id).await?;
                let state = CourseState::of(
                    row.active,
                    Approval::parse(&row.approval),
                    row.ends_on,
                    today,
                );
                let (active, ends_on) =
                    plan(change, state, row.starts_on, row.ends_on, today, &row.name)?;
                let medication = row.name.clone();
                let mut update = row.into_active_model();
                update.active = Set(active);
                update.ends_on = Set(ends_on);
                update.update(&**txn).await?;
                Ok(CourseChanged {
                    medication_id,
                    medication,
                    child_id,
                    change,
                    ends_on,
                })
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("a date")
    }

    #[test]
    fn a_course_changes_only_in_the_ways_that_make_sense() {
        use CourseChange::*;
        let today = day(10);
        let ended = |on| {
            Err(Problem::CourseAlreadyEnded {
                medication: "Amoxicillin".into(),
                on,
            })
        };
        // (change, active, approval, starts_on, ends_on) -> result
        type Planned = Result<(bool, Option<NaiveDate>), Problem>;
        type Row = (
            CourseChange,
            bool,
            Approval,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Planned,
        );
        let table: Vec<Row> = vec![
            // Stop ends the course today, whether it had an end date or not.
            (
                Stop,
                true,
                Approval::Approved,
                None,
                None,
                Ok((false, Some(today))),
            ),
            (
                Stop,
                true,
                Approval::Approved,
                Some(day(5)),
                Some(day(15)),
                Ok((false, Some(today))),
            ),
            // A course that has not started yet ends on its first day: the dates stay in order.
            (
                Stop,
                true,
                Approval::Approved,
                Some(day(12)),
                Some(day(20)),
                Ok((false, Some(day(12)))),
            ),
            // A paused one can be stopped; a stopped one is refused (saying when it ended).
            (
                Stop,
                false,
                Approval::Approved,
                None,
                None,
                Ok((false, Some(today))),
            ),
            (
                Stop,
                false,
                Approval::Approved,
                None,
                Some(day(8)),
                ended(day(8)),
            ),
            (
                Stop,
                false,
                Approval::Approved,
                None,
                Some(today),
                ended(today),
            ),
            // A pending medication can be stopped before anyone gives it.
            (
                Stop,
                true,
                Approval::Pending,
                None,
                None,
                Ok((false, Some(today))),
            ),
            (
                Stop,
                true,
                Approval::Denied,
                None,
                None,
                Err(Problem::MedicationNotApproved {
                    medication: "Amoxicillin".into(),
                    denied: true,
                }),
            ),
            // Pause keeps the dates; pausing twice is refused.
            (
                Pause,
                true,
                Approval::Approved,
                None,
                Some(day(15)),
                Ok((false, Some(day(15)))),
            ),
            (
                Pause,
                false,
                Approval::Approved,
                None,
                None,
                Err(Problem::AlreadyPaused {
                    medication: "Amoxicillin".into(),
                }),
            ),
            (
                Pause,
                false,
                Approval::Approved,
                None,
                Some(day(9)),
                ended(day(9)),
            ),
            // Resume brings a paused one back; an active one or an ended course is refused.
            (
                Resume,
                false,
                Approval::Approved,
                None,
                Some(day(15)),
                Ok((true, Some(day(15)))),
            ),
            (
                Resume,
                false,
                Approval::Approved,
                None,
                None,
                Ok((true, None)),
            ),
            (
                Resume,
                true,
                Approval::Approved,
                None,
                None,
                Err(Problem::NotPaused {
                    medication: "Amoxicillin".into(),
                }),
            ),
            (
                Resume,
                false,
                Approval::Approved,
                None,
                Some(day(9)),
                ended(day(9)),
            ),
        ];
        for (change, active, approval, starts_on, ends_on, expected) in table {
            let state = CourseState::of(active, approval, ends_on, today);
            assert_eq!(
                plan(change, state, starts_on, ends_on, today, "Amoxicillin"),
                expected,
                "{change:?} active={active} {approval:?} {starts_on:?}..{ends_on:?}"
            );
        }
    }
}
