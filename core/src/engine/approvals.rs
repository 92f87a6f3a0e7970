//! "approve" / "deny": a guardian decides about a medication a caregiver added. The services
//! authorize and record the decision; here is only which medication the guardian meant.

use super::store::ConversationStore;
use super::{Engine, Scene};
use crate::messages::Msg;
use crate::services::care::MedicationToApprove;
use crate::services::{Problem, ServiceError, ServiceResult};

impl<S: ConversationStore> Engine<S> {
    pub(super) async fn decide_medication(
        &self,
        approve: bool,
        which: Option<String>,
        scene: &Scene,
    ) -> ServiceResult<Vec<Msg>> {
        let waiting = self
            .services
            .medications_to_approve(&scene.actor, scene.family.id)
            .await?;
        if waiting.is_empty() {
            return Ok(vec![Msg::NothingToApprove]);
        }
        let Some((medication_id, version)) = pick(&waiting, which.as_deref()) else {
            return Ok(vec![Msg::WhichToApprove {
                approve,
                options: waiting
                    .into_iter()
                    .map(|w| (w.medication.id, w.medication.name, w.child_name))
                    .collect(),
            }]);
        };
        let decided = self
            .services
            .decide_medication(&scene.actor, medication_id, version, approve)
            .await;
        let decision = match decided {
            Ok(decision) => decision,
            // The prompt was stale: say so, and show the request that is waiting instead.
            Err(error @ ServiceError::Invalid(Problem::ApprovalReplaced { .. })) => {
                let mut msgs = vec![super::tasks::msg_for_error(error)];
                if let Some(current) = waiting.iter().find(|w| w.medication.id == medication_id) {
                    msgs.push(Msg::Alert(current.as_alert(&scene.family.country)));
                }
                return Ok(msgs);
            }
            Err(error) => return Err(error),
        };
        Ok(vec![Msg::MedicationDecided {
            child: decision.child_name,
            medication: decision.medication_name,
            approved: decision.approved,
            caregiver_told: decision.caregiver_told,
        }])
    }
}

/// The medication `which` names among those waiting, and the version when it says one: "#12.2"
/// (the buttons' value: medicine 12, version 2), "#12", or words of its name and the child's
/// ("Leo's Motrin"); with no words, the only one waiting. `None` when that is not exactly one:
/// the guardian is then asked which (never a guess about a medicine).
fn pick(waiting: &[MedicationToApprove], which: Option<&str>) -> Option<(i64, Option<i32>)> {
    let Some(which) = which else {
        return match waiting {
            [only] => Some((only.medication.id, Some(only.version))),
            _ => None,
        };
    };
    let reference = which.trim().trim_start_matches('#');
    let (id, version) = match reference.split_once('.') {
        Some((id, version)) => (id, version.parse::<i32>().ok()),
        None => (reference, None),
    };
    if let Ok(id) = id.trim().parse::<i64>() {
        // A medicine not waiting is not taken as another; a version is checked by the service.
        return waiting
            .iter()
            .find(|w| w.medication.id == id)
            .map(|w| (w.medication.id, version));
    }
    let words: Vec<String> = which
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_end_matches("'s").trim_matches('\'').to_lowercase())
        .filter(|w| {
            !w.is_empty()
                && !matches!(
                    w.as_str(),
                    "for" | "the" | "medication" | "medicine" | "de" | "para"
                )
        })
        .collect();
    let matching: Vec<(i64, Option<i32>)> = waiting
        .iter()
        .filter(|w| {
            let haystack = format!("{} {}", w.medication.name, w.child_name).to_lowercase();
            !words.is_empty() && words.iter().all(|word| haystack.contains(word.as_str()))
        })
        .map(|w| (w.medication.id, Some(w.version)))
        .collect();
    match matching.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Approval, DoseAmount, DoseUnit, Schedule};
    use crate::services::care::MedicationView;

    fn waiting(id: i64, name: &str, child: &str) -> MedicationToApprove {
        MedicationToApprove {
            child_id: 1,
            child_name: child.into(),
            proposed_by: Some("Maya".into()),
            version: 2,
            was: None,
            medication: MedicationView {
                id,
                child_id: 1,
                name: name.into(),
                form: "liquid".into(),
                route: "oral".into(),
                ingredients: Vec::new(),
                dose: DoseAmount {
                    value: 5.0,
                    unit: DoseUnit::Ml,
                },
                schedule: Schedule::AsNeeded,
                min_interval: chrono::Duration::hours(6),
                max_doses_per_day: Some(4),
                starts_on: None,
                ends_on: None,
                active: true,
                approval: Approval::Pending,
                proposed_by_member_id: Some(3),
                decided_by_member_id: None,
                decided_at: None,
            },
        }
    }

    #[test]
    fn the_guardian_names_the_medication_or_is_asked_which() {
        let one = [waiting(7, "Children's Motrin", "Leo")];
        let two = [
            waiting(7, "Children's Motrin", "Leo"),
            waiting(9, "Amoxicillin", "Emma"),
        ];
        type Case<'a> = (
            &'a [MedicationToApprove],
            Option<&'a str>,
            Option<(i64, Option<i32>)>,
        );
        let table: Vec<Case> = vec![
            (&one, None, Some((7, Some(2)))),
            (&two, None, None),
            (&two, Some("#9"), Some((9, None))),
            (&two, Some("9"), Some((9, None))),
            // The buttons name the version shown; the service refuses a stale one.
            (&two, Some("#9.2"), Some((9, Some(2)))),
            (&two, Some("#9.1"), Some((9, Some(1)))),
            // An id that is not waiting is not taken as another.
            (&two, Some("#8"), None),
            (&two, Some("#8.2"), None),
            (&two, Some("Leo's Motrin"), Some((7, Some(2)))),
            (&two, Some("motrin"), Some((7, Some(2)))),
            (&two, Some("the amoxicillin for Emma"), Some((9, Some(2)))),
            (&two, Some("Emma's Motrin"), None),
            (&two, Some("tylenol"), None),
        ];
        for (list, which, expected) in table {
            assert_eq!(pick(list, which), expected, "{which:?}");
        }
    }
}
