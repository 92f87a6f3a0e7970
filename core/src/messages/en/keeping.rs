//! English for keeping the record current: a medication's course (stop, pause, resume) and the
//! family's members (the list, a caregiver's children, roles, revoking).

use super::{list, reply};
use crate::domain::{MemberStatus, Role};
use crate::messages::{Choice, Msg, RenderContext, Reply, Tone};
use crate::services::care::CourseChange;

fn verb(change: CourseChange) -> &'static str {
    match change {
        CourseChange::Stop => "stop",
        CourseChange::Pause => "pause",
        CourseChange::Resume => "resume",
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Guardian => "guardian",
        Role::Caregiver => "caregiver",
        Role::Viewer => "viewer",
    }
}

fn yes_no(yes: &str) -> Vec<Choice> {
    vec![
        Choice {
            label: yes.into(),
            value: "yes".into(),
        },
        Choice {
            label: "No, keep it".into(),
            value: "no".into(),
        },
    ]
}

pub(super) fn render(msg: &Msg, _ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::CourseUsage { change } => reply(
            format!(
                "Which medicine? Say it with the child's name, e.g. {} Leo's amoxicillin.",
                verb(*change)
            ),
            Info,
            msg,
        ),
        Msg::NoMedicationToChange {
            change,
            asked,
            known,
        } => {
            let known = if known.is_empty() {
                "none yet".to_string()
            } else {
                list(known)
            };
            reply(
                format!(
                    "I can't find a medicine called \"{asked}\" to {}. The children's medicines: {known}. Nothing was changed.",
                    verb(*change)
                ),
                Error,
                msg,
            )
        }
        Msg::WhichMedicationToChange { change, options } => {
            let v = verb(*change);
            Reply {
                choices: options
                    .iter()
                    .map(|(id, medication, child)| Choice {
                        label: format!("{child}'s {medication}"),
                        value: format!("{v} #{id}"),
                    })
                    .collect(),
                ..reply(
                    format!(
                        "Which one should I {v}?\n{}\nSend {v} #<number>.",
                        options
                            .iter()
                            .map(|(id, medication, child)| format!("• #{id} {child}'s {medication}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ),
                    Info,
                    msg,
                )
            }
        }
        Msg::ConfirmStop { child, medication } => Reply {
            choices: yes_no("Yes, stop it"),
            ..reply(
                format!(
                    "Stop {child}'s {medication}? The course ends today and no more doses of it can be logged; \
                     the doses already given stay in the record. Reply yes or no."
                ),
                Warning,
                msg,
            )
        },
        Msg::CourseChanged {
            child,
            medication,
            change,
            ends_on,
        } => {
            let text = match change {
                CourseChange::Stop => format!(
                    "Stopped {child}'s {medication}{}: no more doses of it will be logged. Its history stays in the record.",
                    ends_on
                        .map(|d| format!(" (course ended {})", d.format("%-d %b")))
                        .unwrap_or_default()
                ),
                CourseChange::Pause => format!(
                    "Paused {child}'s {medication}: no dose of it will be logged until a guardian sends resume {medication}."
                ),
                CourseChange::Resume => format!(
                    "Resumed {child}'s {medication}: doses can be logged again, with the usual checks."
                ),
            };
            reply(text, Success, msg)
        }
        Msg::NothingChanged => reply("OK, nothing was changed.".into(), Info, msg),
        Msg::ChangeExpired => reply(
            "That question has expired, so nothing was changed. Ask again if you still want it.".into(),
            Info,
            msg,
        ),
        Msg::Members { members } => {
            let lines: Vec<String> = members
                .iter()
                .map(|m| {
                    let you = if m.is_you { " (you)" } else { "" };
                    let status = match m.status {
                        MemberStatus::Active => "",
                        MemberStatus::Invited => ", invited",
                        MemberStatus::Revoked => ", revoked",
                    };
                    let children = match (m.role, m.children.as_slice()) {
                        (Role::Caregiver, []) => " — no children assigned yet".to_string(),
                        (Role::Caregiver, names) => format!(" — looks after {}", list(names)),
                        _ => String::new(),
                    };
                    format!("• {}{you}: {}{status}{children}", m.name, role_name(m.role))
                })
                .collect();
            reply(
                format!(
                    "Members of the family:\n{}\nChange with: Maya looks after Emma and Leo · make Luis a viewer · revoke Maya · invite caregiver",
                    lines.join("\n")
                ),
                Info,
                msg,
            )
        }
        Msg::UnknownMember { name, known } => reply(
            format!(
                "Nobody called \"{name}\" is a member here. Members: {}. Nothing was changed.",
                list(known)
            ),
            Error,
            msg,
        ),
        Msg::AmbiguousMember { name, matches } => reply(
            format!(
                "Several members match \"{name}\": {}. Use the full name. Nothing was changed.",
                list(matches)
            ),
            Info,
            msg,
        ),
        Msg::WhichChildren { member, assign: true } => reply(
            format!("Which children does {member} look after? e.g. {member} looks after Emma and Leo."),
            Info,
            msg,
        ),
        Msg::WhichChildren { member, assign: false } => reply(
            format!("Which children should I take off {member}'s list? e.g. {member} no longer looks after Leo."),
            Info,
            msg,
        ),
        Msg::Assigned {
            member,
            children,
            assign: true,
        } => reply(
            format!(
                "{member} now looks after {}: they can see {} record and log doses.",
                list(children),
                if children.len() == 1 { "the child's" } else { "their" }
            ),
            Success,
            msg,
        ),
        Msg::Assigned {
            member,
            children,
            assign: false,
        } => reply(
            format!(
                "{member} no longer looks after {}: they can't see {} record or log doses now.",
                list(children),
                if children.len() == 1 { "the child's" } else { "their" }
            ),
            Success,
            msg,
        ),
        Msg::WhichRoleFor { member } => reply(
            format!("Make {member} what? Send make {member} a guardian, a caregiver or a viewer."),
            Info,
            msg,
        ),
        Msg::RoleChanged { member, role } => {
            let what = match role {
                Role::Guardian => "can do everything in the family, including approving medicines and managing members",
                Role::Caregiver => "sees and cares for the children assigned to them (e.g. Maya looks after Emma)",
                Role::Viewer => "can read the children's summaries but not change anything",
            };
            reply(
                format!("{member} is now a {}: {what}.", role_name(*role)),
                Success,
                msg,
            )
        }
        Msg::WhoToRevoke => reply(
            "Whose membership? Send revoke <name>; members lists everyone.".into(),
            Info,
            msg,
        ),
        Msg::ConfirmRevoke { member } => Reply {
            choices: yes_no(&format!("Yes, revoke {member}")),
            ..reply(
                format!(
                    "Revoke {member}'s membership? From then on they can't see or do anything in this family \
                     (what they recorded stays). Reply yes or no."
                ),
                Warning,
                msg,
            )
        },
        Msg::MemberRevoked { member } => reply(
            format!(
                "{member} is no longer a member of the family. To bring them back, send invite with their role and give them the code."
            ),
            Success,
            msg,
        ),
        // The caller routes only the messages above here.
        other => reply(String::new(), Info, other),
    }
}
