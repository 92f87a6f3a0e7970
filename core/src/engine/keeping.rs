//! Keeping the record current from chat: a medication's course (stop asks first; pause and resume
//! happen at once) and the family's members. The services authorize, validate and audit; here is
//! only which medication or member the guardian meant, never a guess.

use super::forms::{Form, MedicationDraft};
use super::machine::{Confirmable, TaskResult};
use super::store::ConversationStore;
use super::{match_medication, Engine, Scene};
use crate::auth::ActorKind;
use crate::domain::{MemberStatus, Role};
use crate::messages::{MemberLine, Msg};
use crate::services::care::{CourseChange, CourseState, MedicationView};
use crate::services::family::MemberView;
use crate::services::ServiceResult;

impl<S: ConversationStore> Engine<S> {
    /// "stop Leo's amoxicillin": finds the medication among the children's (the one named, or all
    /// the person sees), then stops it after a yes, or pauses or resumes it.
    pub(super) async fn change_course(
        &self,
        child_id: Option<i64>,
        asked: String,
        change: CourseChange,
        scene: &Scene,
    ) -> ServiceResult<TaskResult> {
        let today = scene.now.with_timezone(&scene.family.timezone).date_naive();
        let mut candidates: Vec<(i64, String, MedicationView, CourseState)> = Vec::new();
        for (id, name) in Self::children_or_all(scene, child_id) {
            for med in self.services.medication_history(&scene.actor, id).await? {
                let state = CourseState::of(med.active, med.approval, med.ends_on, today);
                candidates.push((id, name.clone(), med, state));
            }
        }
        let picked = pick_for_change(&candidates, &asked, change);
        match picked.as_slice() {
            [] => Ok(TaskResult::Answered(vec![Msg::NoMedicationToChange {
                change,
                asked,
                known: candidates
                    .iter()
                    .filter(|(_, _, _, state)| !matches!(state, CourseState::Ended(_)))
                    .map(|(_, child, med, _)| format!("{child}'s {}", med.name))
                    .collect(),
            }])),
            [(child_id, child, med, state)] => match change {
                // Asked only when it can be done: otherwise the service says at once why not.
                CourseChange::Stop
                    if matches!(state, CourseState::Active | CourseState::Paused) =>
                {
                    Ok(TaskResult::NeedsYes {
                        change: Confirmable::StopMedication {
                            child_id: *child_id,
                            medication_id: med.id,
                        },
                        question: Msg::ConfirmStop {
                            child: child.clone(),
                            medication: med.name.clone(),
                        },
                    })
                }
                _ => Ok(TaskResult::Answered(vec![
                    self.apply_course(*child_id, med.id, change, scene).await?,
                ])),
            },
            several => Ok(TaskResult::Answered(vec![Msg::WhichMedicationToChange {
                change,
                options: several
                    .iter()
                    .map(|(_, child, med, _)| (med.id, med.name.clone(), child.clone()))
                    .collect(),
            }])),
        }
    }

    /// "change Emma's Tylenol dose to 7.5 ml": the medication's current rules in the medication
    /// form, changed as said, for a yes. A medication that could be stopped can be changed (active
    /// or paused); a caregiver's change waits for a guardian (the services decide).
    pub(super) async fn edit_medication(
        &self,
        child_id: Option<i64>,
        asked: String,
        change: String,
        scene: &Scene,
    ) -> ServiceResult<TaskResult> {
        let today = scene.now.with_timezone(&scene.family.timezone).date_naive();
        let mut candidates: Vec<(i64, String, MedicationView, CourseState)> = Vec::new();
        for (id, name) in Self::children_or_all(scene, child_id) {
            for med in self.services.medication_history(&scene.actor, id).await? {
                let state = CourseState::of(med.active, med.approval, med.ends_on, today);
                candidates.push((id, name.clone(), med, state));
            }
        }
        let current =
            |state: &CourseState| matches!(state, CourseState::Active | CourseState::Paused);
        let picked: Vec<_> = pick_for_change(&candidates, &asked, CourseChange::Stop)
            .into_iter()
            .filter(|c| current(&c.3))
            .collect();
        if picked.is_empty() {
            // Not a medicine: perhaps an entry of the record ("change Emma's appointment to 3pm").
            if let Some(result) = self
                .edit_record(child_id, &asked, change.clone(), scene)
                .await?
            {
                return Ok(result);
            }
        }
        match picked.as_slice() {
            [] => Ok(TaskResult::Answered(vec![Msg::NoMedicationToEdit {
                asked,
                known: candidates
                    .iter()
                    .filter(|(_, _, _, state)| current(state))
                    .map(|(_, child, med, _)| format!("{child}'s {}", med.name))
                    .collect(),
            }])),
            [(child_id, child, med, _)] => {
                // A caregiver changing a medicine again builds on her proposal still waiting.
                let proposal = match scene.role {
                    crate::domain::Role::Guardian => None,
                    _ => {
                        self.services
                            .open_proposal(&scene.actor, *child_id, med.id)
                            .await?
                    }
                };
                Ok(TaskResult::Edit {
                    form: Box::new(Form::AddMedication(MedicationDraft::editing(
                        proposal.as_ref().unwrap_or(med),
                        (*child_id, child.clone()),
                    ))),
                    change,
                })
            }
            several => Ok(TaskResult::Answered(vec![Msg::WhichMedicationToEdit {
                options: several
                    .iter()
                    .map(|(_, child, med, _)| (med.id, med.name.clone(), child.clone()))
                    .collect(),
                change,
            }])),
        }
    }

    pub(super) async fn rename_child(
        &self,
        child_id: i64,
        name: String,
        scene: &Scene,
    ) -> ServiceResult<Msg> {
        let old = self
            .services
            .rename_child(&scene.actor, child_id, &name)
            .await?;
        Ok(Msg::ChildRenamed {
            old,
            new: name.trim().to_string(),
        })
    }

    pub(super) async fn return_to_care(&self, name: String, scene: &Scene) -> ServiceResult<Msg> {
        let out = self
            .services
            .children_out_of_care(&scene.actor, scene.family.id)
            .await?;
        let wanted = name.trim().to_lowercase();
        match out.iter().find(|c| c.name.to_lowercase() == wanted) {
            Some(child) => {
                self.services
                    .set_in_care(&scene.actor, child.id, true)
                    .await?;
                Ok(Msg::ChildBackInCare {
                    child: child.name.clone(),
                })
            }
            None => Ok(Msg::NotOutOfCare {
                name,
                out_of_care: out.into_iter().map(|c| c.name).collect(),
            }),
        }
    }

    async fn apply_course(
        &self,
        child_id: i64,
        medication_id: i64,
        change: CourseChange,
        scene: &Scene,
    ) -> ServiceResult<Msg> {
        let changed = self
            .services
            .change_course(&scene.actor, child_id, medication_id, change)
            .await?;
        Ok(Msg::CourseChanged {
            child: Self::child_name(scene, child_id),
            medication: changed.medication,
            change,
            ends_on: changed.ends_on,
        })
    }

    /// Makes a change the guardian said yes to.
    pub(super) async fn confirmed(&self, change: Confirmable, scene: &Scene) -> ServiceResult<Msg> {
        match change {
            Confirmable::StopMedication {
                child_id,
                medication_id,
            } => {
                self.apply_course(child_id, medication_id, CourseChange::Stop, scene)
                    .await
            }
            Confirmable::RevokeMember { member_id } => {
                let name = self
                    .family_members(scene)
                    .await?
                    .into_iter()
                    .find(|m| m.member_id == member_id)
                    .map(|m| m.name)
                    .unwrap_or_default();
                self.services.revoke_member(&scene.actor, member_id).await?;
                Ok(Msg::MemberRevoked { member: name })
            }
            Confirmable::ChildLeavesCare { child_id, name } => {
                self.services
                    .set_in_care(&scene.actor, child_id, false)
                    .await?;
                Ok(Msg::ChildLeftCare { child: name })
            }
            // The machine opens the form itself on "yes"; nothing to run.
            Confirmable::AddMedication { .. } => Ok(Msg::NothingChanged),
            Confirmable::RemoveRecord { child, item } => {
                self.remove_confirmed(child, *item, scene).await
            }
        }
    }

    pub(super) async fn family_members(&self, scene: &Scene) -> ServiceResult<Vec<MemberView>> {
        self.services.members(&scene.actor, scene.family.id).await
    }

    pub(super) async fn list_members(&self, scene: &Scene) -> ServiceResult<Msg> {
        let me = match scene.actor.kind {
            ActorKind::Person(id) => Some(id),
            ActorKind::Operator => None,
        };
        Ok(Msg::Members {
            members: self
                .family_members(scene)
                .await?
                .into_iter()
                .filter(|m| m.status != MemberStatus::Revoked)
                .map(|m| MemberLine {
                    is_you: Some(m.person_id) == me,
                    name: m.name,
                    role: m.role,
                    status: m.status,
                    children: m.children,
                })
                .collect(),
        })
    }

    pub(super) async fn assign(
        &self,
        member: &str,
        child_ids: Vec<i64>,
        assign: bool,
        scene: &Scene,
    ) -> ServiceResult<Msg> {
        let members = self.family_members(scene).await?;
        let found = match find_member(&members, member) {
            Ok(found) => found,
            Err(msg) => return Ok(msg),
        };
        self.services
            .set_assignments(&scene.actor, found.member_id, &child_ids, assign)
            .await?;
        Ok(Msg::Assigned {
            member: found.name.clone(),
            children: child_ids
                .iter()
                .map(|id| Self::child_name(scene, *id))
                .collect(),
            assign,
        })
    }

    pub(super) async fn set_role(
        &self,
        member: &str,
        role: Role,
        scene: &Scene,
    ) -> ServiceResult<Msg> {
        let members = self.family_members(scene).await?;
        let found = match find_member(&members, member) {
            Ok(found) => found,
            Err(msg) => return Ok(msg),
        };
        let changed = self
            .services
            .change_role(&scene.actor, found.member_id, role)
            .await?;
        Ok(Msg::RoleChanged {
            member: changed.name,
            role: changed.to,
        })
    }

    pub(super) async fn revoke(&self, member: &str, scene: &Scene) -> ServiceResult<TaskResult> {
        let members = self.family_members(scene).await?;
        Ok(match find_member(&members, member) {
            Ok(found) => TaskResult::NeedsYes {
                change: Confirmable::RevokeMember {
                    member_id: found.member_id,
                },
                question: Msg::ConfirmRevoke {
                    member: found.name.clone(),
                },
            },
            Err(msg) => TaskResult::Answered(vec![msg]),
        })
    }
}

/// The medications a guardian's words name, among the children's: "#12" by id; otherwise by name or
/// ingredient ([`match_medication`]), narrowed to those the change applies to when that leaves any
/// (an active one to stop or pause, a paused one to resume), so "resume Tylenol" finds the paused one
/// even when another child's Tylenol is active. Denied medications are never candidates.
fn pick_for_change<'a>(
    candidates: &'a [(i64, String, MedicationView, CourseState)],
    asked: &str,
    change: CourseChange,
) -> Vec<&'a (i64, String, MedicationView, CourseState)> {
    if let Ok(id) = asked.trim().trim_start_matches('#').parse::<i64>() {
        return candidates.iter().filter(|c| c.2.id == id).collect();
    }
    let meds: Vec<MedicationView> = candidates.iter().map(|c| c.2.clone()).collect();
    let matched: Vec<i64> = match_medication(asked, &meds)
        .iter()
        .map(|m| m.id)
        .collect();
    let named: Vec<&(i64, String, MedicationView, CourseState)> = candidates
        .iter()
        .filter(|c| matched.contains(&c.2.id))
        .collect();
    let applies = |state: &CourseState| match change {
        CourseChange::Stop => matches!(state, CourseState::Active | CourseState::Paused),
        CourseChange::Pause => matches!(state, CourseState::Active),
        CourseChange::Resume => matches!(state, CourseState::Paused),
    };
    let fitting: Vec<_> = named.iter().copied().filter(|c| applies(&c.3)).collect();
    if fitting.is_empty() {
        // Nothing it applies to: the service then says why (already stopped, not paused...),
        // about the most recent one of that name.
        return named.into_iter().rev().take(1).collect();
    }
    fitting
}

/// The member a guardian named: the full name, else the first name, case-insensitively; revoked
/// members are not found. Several matches or none: the reply says so, nothing is guessed.
// The refusal *is* the message to say (as in the machine).
#[allow(clippy::result_large_err)]
pub(super) fn find_member<'a>(
    members: &'a [MemberView],
    name: &str,
) -> Result<&'a MemberView, Msg> {
    let current: Vec<&MemberView> = members
        .iter()
        .filter(|m| m.status != MemberStatus::Revoked)
        .collect();
    // `#12`: the member by id, as a form names them (never ambiguous).
    if let Some(id) = name.trim().strip_prefix('#') {
        if let Some(found) = id
            .parse::<i64>()
            .ok()
            .and_then(|id| current.iter().find(|m| m.member_id == id))
        {
            return Ok(found);
        }
    }
    let wanted = name.trim().to_lowercase();
    let full: Vec<&MemberView> = current
        .iter()
        .copied()
        .filter(|m| m.name.to_lowercase() == wanted)
        .collect();
    let by_first: Vec<&MemberView> = current
        .iter()
        .copied()
        .filter(|m| {
            m.name
                .split_whitespace()
                .next()
                .is_some_and(|first| first.to_lowercase() == wanted)
        })
        .collect();
    let found = if full.is_empty() { by_first } else { full };
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Msg::UnknownMember {
            name: name.trim().to_string(),
            known: current.iter().map(|m| m.name.clone()).collect(),
        }),
        several => Err(Msg::AmbiguousMember {
            name: name.trim().to_string(),
            matches: several.iter().map(|m| m.name.clone()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Approval, DoseAmount, DoseUnit, IngredientStrength, Schedule};

    fn member(id: i64, name: &str, status: MemberStatus) -> MemberView {
        MemberView {
            member_id: id,
            person_id: id,
            name: name.into(),
            role: Role::Caregiver,
            status,
            children: Vec::new(),
        }
    }

    #[test]
    fn a_member_is_found_by_full_or_first_name_never_guessed() {
        let members = [
            member(1, "Ana Garcia", MemberStatus::Active),
            member(2, "Maya Lopez", MemberStatus::Active),
            member(3, "Maya Ruiz", MemberStatus::Invited),
            member(4, "Rosa", MemberStatus::Revoked),
        ];
        let table: Vec<(&str, Result<i64, &str>)> = vec![
            ("Ana", Ok(1)),
            ("ana garcia", Ok(1)),
            ("Maya Ruiz", Ok(3)),
            ("Maya", Err("several")),
            ("Rosa", Err("unknown")),
            ("Garcia", Err("unknown")),
            // By id, as a form names them: one of two Mayas, never a revoked member.
            ("#3", Ok(3)),
            ("#4", Err("unknown")),
            ("#99", Err("unknown")),
        ];
        for (name, expected) in table {
            let got = match find_member(&members, name) {
                Ok(m) => Ok(m.member_id),
                Err(Msg::AmbiguousMember { .. }) => Err("several"),
                Err(Msg::UnknownMember { .. }) => Err("unknown"),
                Err(other) => panic!("{other:?}"),
            };
            assert_eq!(got, expected, "{name}");
        }
    }

    fn med(id: i64, name: &str, ingredient: &str) -> MedicationView {
        MedicationView {
            id,
            child_id: 1,
            name: name.into(),
            form: "liquid".into(),
            route: "oral".into(),
            ingredients: vec![IngredientStrength {
                ingredient: ingredient.into(),
                mg: 160.0,
                per_amount: 5.0,
                per_unit: DoseUnit::Ml,
                max_mg_per_day: None,
            }],
            dose: DoseAmount {
                value: 5.0,
                unit: DoseUnit::Ml,
            },
            schedule: Schedule::AsNeeded,
            min_interval: chrono::Duration::hours(4),
            max_doses_per_day: Some(5),
            starts_on: None,
            ends_on: None,
            active: true,
            approval: Approval::Approved,
            proposed_by_member_id: None,
            decided_by_member_id: None,
            decided_at: None,
        }
    }

    #[test]
    fn the_medication_to_change_is_the_one_the_change_applies_to() {
        use CourseChange::*;
        let ended =
            CourseState::Ended(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date"));
        let candidates = vec![
            (
                1,
                "Emma".to_string(),
                med(10, "Children's Tylenol", "acetaminophen"),
                CourseState::Active,
            ),
            (
                2,
                "Leo".to_string(),
                med(20, "Infants' Tylenol", "acetaminophen"),
                CourseState::Paused,
            ),
            (
                2,
                "Leo".to_string(),
                med(21, "Amoxicillin", "amoxicillin"),
                ended,
            ),
            (
                2,
                "Leo".to_string(),
                med(22, "Amoxicillin", "amoxicillin"),
                CourseState::Active,
            ),
        ];
        let table: Vec<(&str, CourseChange, Vec<i64>)> = vec![
            // Two children's Tylenol: the paused one is the one to resume, the active one to pause.
            ("tylenol", Resume, vec![20]),
            ("tylenol", Pause, vec![10]),
            // Both can be stopped: which one is asked.
            ("tylenol", Stop, vec![10, 20]),
            // The old, ended course is not stopped again: the current one is.
            ("amoxicillin", Stop, vec![22]),
            // Nothing to resume: the newest of the name, so the service says why.
            ("amoxicillin", Resume, vec![22]),
            ("#21", Stop, vec![21]),
            ("#99", Stop, vec![]),
            ("motrin", Stop, vec![]),
        ];
        for (asked, change, expected) in table {
            let got: Vec<i64> = pick_for_change(&candidates, asked, change)
                .iter()
                .map(|c| c.2.id)
                .collect();
            assert_eq!(got, expected, "{asked} {change:?}");
        }
    }
}
