//! English for a guardian's approval of a caregiver's medication: the question to the guardians
//! (with Approve and Deny, whose values are commands any channel can type), the answers, and the
//! outcome the caregiver is told.

use super::{medication_line, reply};
use crate::messages::{Choice, Msg, RenderContext, Reply, Tone};
use crate::services::care::Alert;

/// A decision's button: its value names the version shown (`approve #5.2`), so a stale prompt
/// approves nothing. Alerts queued before versions name only the medicine.
pub(super) fn decide(approve: bool, id: i64, version: i32, label: String) -> Choice {
    Choice {
        label,
        value: format!(
            "{} {}",
            if approve { "approve" } else { "deny" },
            reference(id, version)
        ),
    }
}

/// "#5.2": medicine 5, version 2.
pub(super) fn reference(id: i64, version: i32) -> String {
    if version > 0 {
        format!("#{id}.{version}")
    } else {
        format!("#{id}")
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
                        decide(*approve, *id, 0, format!("{verb} {medication} for {child}"))
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
            version,
            was,
        }) => {
            let who = if proposed_by.is_empty() {
                "A caregiver"
            } else {
                proposed_by.as_str()
            };
            let short = |line: &crate::messages::MedicationLine| {
                let mut text = medication_line(line);
                if let Some(cut) = text.find(" — ") {
                    text.truncate(cut);
                }
                text
            };
            // Beside each other, a change's two lines carry their own bullets ("• now: …").
            let bare = |line: &crate::messages::MedicationLine| {
                short(line).trim_start_matches("• ").to_string()
            };
            let id = reference(*medication_id, *version);
            let text = match was {
                // A change: what is in force and what is proposed, side by side.
                Some(was) => format!(
                    "💊 Approval needed: {who} changed {child_name}'s {}:\n• now: {}\n• proposed: {}\n\
                     Until a guardian approves, every dose is checked against the rules in force now. \
                     Reply approve {id} or deny {id}.",
                    was.name,
                    bare(was),
                    bare(medication)
                ),
                None => {
                    let did = if *changed {
                        "changed a medication"
                    } else {
                        "added a medication"
                    };
                    format!(
                        "💊 Approval needed: {who} {did} for {child_name}:\n{}\n\
                         No dose of it can be logged until a guardian approves it. \
                         Reply approve {id} or deny {id}.",
                        short(medication)
                    )
                }
            };
            Reply {
                choices: vec![
                    decide(true, *medication_id, *version, "Approve".into()),
                    decide(false, *medication_id, *version, "Deny".into()),
                ],
                ..reply(text, Tone::Warning, msg)
            }
        }
        Msg::Alert(Alert::MedicationDecided {
            child_name,
            medication_name,
            approved: true,
            decided_by,
        }) => reply(
            format!(
                "{decided_by} approved {medication_name} for {child_name}: you can log doses of it now."
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
