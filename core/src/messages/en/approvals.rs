//! English for a guardian's approval of a caregiver's medication: the question to the guardians
//! (with Approve and Deny, whose values are commands any channel can type), the answers, and the
//! outcome the caregiver is told.

use super::{medication_line, reply};
use crate::messages::{Choice, Msg, RenderContext, Reply, Tone};
use crate::services::care::Alert;

fn decide(approve: bool, id: i64, label: String) -> Choice {
    Choice {
        label,
        value: format!("{} #{id}", if approve { "approve" } else { "deny" }),
    }
}

pub(super) fn render(msg: &Msg, _ctx: &RenderContext) -> Reply {
    match msg {
        Msg::OnlyGuardiansApprove => reply(
            "Only a guardian can approve or deny a medication.".into(),
            Tone::Info,
            msg,
        ),
        Msg::NothingToApprove => reply(
            "No medication is waiting for approval.".into(),
            Tone::Info,
            msg,
        ),
        Msg::WhichToApprove { approve, options } => {
            let verb = if *approve { "Approve" } else { "Deny" };
            let lines: Vec<String> = options
                .iter()
                .map(|(id, medication, child)| format!("• #{id} {medication} for {child}"))
                .collect();
            Reply {
                choices: options
                    .iter()
                    .map(|(id, medication, child)| {
                        decide(*approve, *id, format!("{verb} {medication} for {child}"))
                    })
                    .collect(),
                ..reply(
                    format!(
                        "Which one? Waiting for approval:\n{}\nSend {} #<number>.",
                        lines.join("\n"),
                        verb.to_lowercase()
                    ),
                    Tone::Info,
                    msg,
                )
            }
        }
        Msg::MedicationDecided {
            child,
            medication,
            approved,
            caregiver_told,
        } => {
            let told = caregiver_told
                .as_deref()
                .map(|name| format!(" I've told {name}."))
                .unwrap_or_default();
            if *approved {
                reply(
                    format!("Approved {medication} for {child}: doses can be logged now.{told}"),
                    Tone::Success,
                    msg,
                )
            } else {
                reply(
                    format!("Denied {medication} for {child}: no dose of it will be logged.{told}"),
                    Tone::Info,
                    msg,
                )
            }
        }
        Msg::Alert(Alert::MedicationToApprove {
            medication_id,
            child_name,
            medication,
            proposed_by,
            changed,
        }) => {
            let did = if *changed {
                "changed a medication"
            } else {
                "added a medication"
            };
            let who = if proposed_by.is_empty() {
                "A caregiver"
            } else {
                proposed_by.as_str()
            };
            let mut line = medication_line(medication);
            if let Some(cut) = line.find(" — ") {
                line.truncate(cut);
            }
            Reply {
                choices: vec![
                    decide(true, *medication_id, "Approve".into()),
                    decide(false, *medication_id, "Deny".into()),
                ],
                ..reply(
                    format!(
                        "💊 Approval needed: {who} {did} for {child_name}:\n{line}\n\
                         No dose of it can be logged until a guardian approves it. \
                         Reply approve #{medication_id} or deny #{medication_id}."
                    ),
                    Tone::Warning,
                    msg,
                )
            }
        }
        Msg::Alert(Alert::MedicationDecided {
            child_name,
            medication_name,
            approved: true,
            decided_by,
        }) => reply(
            format!(
                "✅ {decided_by} approved {medication_name} for {child_name}: you can log doses of it now."
            ),
            Tone::Success,
            msg,
        ),
        Msg::Alert(Alert::MedicationDecided {
            child_name,
            medication_name,
            approved: false,
            decided_by,
        }) => reply(
            format!(
                "{decided_by} did not approve {medication_name} for {child_name}: please don't give it. \
                 Talk to {decided_by} if {child_name} needs something."
            ),
            Tone::Warning,
            msg,
        ),
        // The caller routes only the messages above here.
        other => reply(String::new(), Tone::Info, other),
    }
}
