//! What a parsed command becomes: a task to run, a form to start, a question to ask, or words to
//! say. Pure, like the rest of the machine: [`super::step`] calls it for a message that is not an
//! answer to a pending question.

// A refusal here *is* the message to say (see the machine's module).
#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn command_effects(command: Command, ctx: &Context) -> Transition {
    let child_or_all = |name: Option<String>| match name {
        None => Ok(None),
        Some(name) => resolve_child(Some(&name), ctx).map(Some),
    };
    let at_time = |at: Option<SaidTime>| {
        at.map(|said| match said {
            SaidTime::At(time) => local_time_to_utc(time, ctx),
            SaidTime::Clock(time) => latest_of_either_half(time, ctx),
            SaidTime::Ago(ago) => Ok(ctx.now - ago),
            // Not a time the record can keep: asked for again, nothing is recorded.
            SaidTime::Vague(said) => Err(Msg::VagueTime {
                said: said.to_string(),
            }),
        })
        .transpose()
    };
    match command {
        Command::Help => say(Msg::Help {
            children: ctx.children.iter().map(|(_, name)| name.clone()).collect(),
        }),
        Command::Children => run(Task::ListChildren),
        Command::Medications { child } => match child_or_all(child) {
            Ok(child_id) => run(Task::ListMedications { child_id }),
            Err(msg) => say(msg),
        },
        Command::Allergies { child } => match child_or_all(child) {
            Ok(child_id) => run(Task::ListAllergies { child_id }),
            Err(msg) => say(msg),
        },
        Command::LastDoses { child } => match child_or_all(child) {
            Ok(child_id) => run(Task::LastDoses { child_id }),
            Err(msg) => say(msg),
        },
        Command::GiveDose {
            child,
            amount,
            medication,
            at,
        } => {
            let amount = match amount {
                Ok(amount) => amount,
                Err(e) => return say(Msg::BadAmount(e)),
            };
            let child_id = match resolve_child(child.as_deref(), ctx) {
                Ok(id) => id,
                Err(msg) => return say(msg),
            };
            match at_time(at) {
                Ok(at) => run(Task::LogDose {
                    child_id,
                    medication: MedicationRef::Named(medication),
                    amount,
                    at,
                }),
                Err(msg) => say(msg),
            }
        }
        Command::WhenNext { child, medication } => match resolve_child(child.as_deref(), ctx) {
            Ok(child_id) => run(Task::CheckDose {
                child_id,
                medication: MedicationRef::Named(medication),
            }),
            Err(msg) => say(msg),
        },
        Command::Temperature { child, value, at } => {
            let temperature = match Temperature::parse(&value) {
                Ok(t) => t,
                Err(e) => return say(Msg::BadTemperature(e)),
            };
            let child_id = match resolve_child(child.as_deref(), ctx) {
                Ok(id) => id,
                Err(msg) => return say(msg),
            };
            match at_time(at) {
                Ok(at) => run(Task::LogTemperature {
                    child_id,
                    temperature,
                    at,
                }),
                Err(msg) => say(msg),
            }
        }
        Command::Note { child, text } => match resolve_child(child.as_deref(), ctx) {
            Ok(child_id) => run(Task::AddNote { child_id, text }),
            Err(msg) => say(msg),
        },
        Command::Growth { child, kind, value } => match resolve_child(child.as_deref(), ctx) {
            Ok(child_id) => run(Task::LogGrowth {
                child_id,
                kind,
                value,
            }),
            Err(msg) => say(msg),
        },
        Command::Notes { child } => match resolve_child(child.as_deref(), ctx) {
            Ok(child_id) => run(Task::Notes { child_id }),
            Err(msg) => say(msg),
        },
        Command::Undo => run(Task::Undo),
        Command::ShiftIn => run(Task::ClockIn),
        Command::ShiftOut { at, words } => match at_time(at) {
            Ok(at) => run(Task::ClockOut { at, words }),
            Err(msg) => say(msg),
        },
        Command::Nanny(command) => run(Task::Nanny(command)),
        Command::Invite {
            role: Some(role),
            to,
        } => run(Task::Invite { role, to }),
        Command::Invite { role: None, .. } => say(Msg::WhichRole),
        Command::LinkPhone { phone } if phone.trim().is_empty() => say(Msg::LinkUsage),
        Command::LinkPhone { phone } => run(Task::LinkPhone { phone }),
        Command::LinkCode { code } => run(Task::ConfirmLink { code }),
        Command::Export => run(Task::Export),
        Command::Assistant { on } => match ctx.role {
            Role::Guardian => run(Task::AssistantConsent { on }),
            Role::Caregiver | Role::Viewer => refuse(Permission::ManageMembers, Msg::GuardiansOnly),
        },
        Command::Language { asked } => run(Task::SetLanguage { asked }),
        Command::SwitchFamily { name } => routing::pick(name.as_deref(), ctx),
        Command::StartForm { kind, text } => match (kind, ctx.role) {
            // A caregiver may add a medication: it waits for a guardian's approval.
            (_, Role::Guardian) | (FormKind::Medication, Role::Caregiver) => {
                form_outcome(forms::start(kind, &text, &ctx.forms()), ctx)
            }
            (_, Role::Caregiver | Role::Viewer) => refuse(kind.permission(), Msg::GuardiansOnly),
        },
        Command::Decide { approve, which } => match ctx.role {
            Role::Guardian => run(Task::DecideMedication { approve, which }),
            Role::Caregiver | Role::Viewer => {
                refuse(Permission::ApproveMedication, Msg::OnlyGuardiansApprove)
            }
        },
        Command::Course { .. } if ctx.role != Role::Guardian => {
            refuse(Permission::ManageChildren, Msg::GuardiansOnly)
        }
        Command::Members
        | Command::Assign { .. }
        | Command::SetRole { .. }
        | Command::Revoke { .. }
            if ctx.role != Role::Guardian =>
        {
            refuse(Permission::ManageMembers, Msg::GuardiansOnly)
        }
        Command::Course {
            change,
            child,
            medication,
        } => {
            if medication.is_empty() {
                return say(Msg::CourseUsage { change });
            }
            match child_or_all(child) {
                Ok(child_id) => run(Task::ChangeCourse {
                    child_id,
                    medication,
                    change,
                }),
                Err(msg) => say(msg),
            }
        }
        Command::Members => run(Task::ListMembers),
        Command::Assign {
            member,
            children,
            assign,
        } => {
            if children.is_empty() {
                return say(Msg::WhichChildren { member, assign });
            }
            let mut child_ids = Vec::with_capacity(children.len());
            for name in &children {
                match resolve_child(Some(name), ctx) {
                    Ok(id) => child_ids.push(id),
                    Err(msg) => return say(msg),
                }
            }
            run(Task::Assign {
                member,
                child_ids,
                assign,
            })
        }
        Command::SetRole {
            member,
            role: Some(role),
        } => run(Task::SetRole { member, role }),
        Command::SetRole { member, role: None } => say(Msg::WhichRoleFor { member }),
        Command::Revoke { member } if member.is_empty() => say(Msg::WhoToRevoke),
        Command::Revoke { member } => run(Task::Revoke { member }),
        Command::RenameChild { .. } | Command::ChildCare { .. } if ctx.role != Role::Guardian => {
            refuse(Permission::ManageChildren, Msg::GuardiansOnly)
        }
        Command::RenameChild { name, .. } if name.is_empty() => say(Msg::RenameUsage),
        Command::RenameChild { child, name } => match resolve_child(child.as_deref(), ctx) {
            Ok(child_id) => run(Task::RenameChild { child_id, name }),
            Err(msg) => say(msg),
        },
        Command::ChildCare {
            name,
            in_care: true,
        } => run(Task::ReturnToCare { name }),
        Command::ChildCare {
            name,
            in_care: false,
        } => {
            let named = (!name.is_empty()).then_some(name.as_str());
            match resolve_child(named, ctx) {
                Ok(child_id) => {
                    let name = ctx
                        .children
                        .iter()
                        .find(|(id, _)| *id == child_id)
                        .map(|(_, n)| n.clone())
                        .unwrap_or(name);
                    (
                        ConversationState::ConfirmChange {
                            change: Confirmable::ChildLeavesCare {
                                child_id,
                                name: name.clone(),
                            },
                            asked_at: ctx.now,
                        },
                        vec![Effect::Say(Msg::ConfirmLeaveCare { child: name })],
                    )
                }
                Err(msg) => say(msg),
            }
        }
        Command::EditMedication { .. } if ctx.role == Role::Viewer => {
            refuse(Permission::AddMedication, Msg::GuardiansOnly)
        }
        Command::EditMedication { medication, .. } if medication.is_empty() => say(Msg::EditUsage),
        Command::EditMedication {
            child,
            medication,
            change,
        } => match child_or_all(child) {
            Ok(child_id) => run(Task::EditMedication {
                child_id,
                medication,
                change,
            }),
            Err(msg) => say(msg),
        },
        Command::Records { kind, child } => match child_or_all(child) {
            Ok(child_id) => run(Task::ListRecords { kind, child_id }),
            Err(msg) => say(msg),
        },
        Command::RemoveRecord { .. } if ctx.role != Role::Guardian => {
            refuse(Permission::ManageChildren, Msg::GuardiansOnly)
        }
        Command::RemoveRecord {
            kind: None, which, ..
        } if which.is_empty() => say(Msg::WhatToRemove { kind: None }),
        Command::RemoveRecord { kind, child, which } => match child_or_all(child) {
            Ok(child_id) => run(Task::RemoveRecord {
                kind,
                child_id,
                which,
            }),
            Err(msg) => say(msg),
        },
        Command::ReminderGiven { id } => run(Task::ReminderGiven { id }),
        Command::ReminderSkip { id: _, reason } if reason.trim().is_empty() => {
            say(Msg::SkipNeedsReason)
        }
        Command::ReminderSkip { id, reason } => run(Task::ReminderSkip { id, reason }),
        Command::PauseReminders { child, pause } => match resolve_child(child.as_deref(), ctx) {
            Ok(child_id) => run(Task::PauseReminders { child_id, pause }),
            Err(msg) => say(msg),
        },
        Command::SummaryAt { at: Some(at) } => run(Task::SummaryAt { at }),
        Command::QuietHours {
            span: Some((starts, ends)),
        } => run(Task::QuietHours { starts, ends }),
        Command::SummaryAt { at: None } | Command::QuietHours { span: None } => {
            say(Msg::NotUnderstood)
        }
        Command::BadTime(text) => say(Msg::BadTime(text)),
        // In a family already, this is another one.
        Command::Join { code } => run(Task::JoinFamily { code }),
        Command::CreateFamily { name, place } => new_family::start(&name, place.as_deref(), ctx),
        command @ (Command::SetPlace { .. } | Command::SetTimezone { .. }) => {
            new_family::set_place(command, ctx)
        }
        Command::Yes | Command::No | Command::Choose(_) | Command::Unknown | Command::Empty => {
            say(Msg::NotUnderstood)
        }
    }
}
