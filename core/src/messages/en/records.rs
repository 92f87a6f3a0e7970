//! English for the rest of the record: conditions, vaccinations, appointments and providers
//! (lists, what was saved, and removing an entry, allergies included).

use super::{reply, when};
use crate::engine::command::RecordKind;
use crate::messages::{quote, Choice, Msg, RenderContext, Reply, Tone};
use crate::services::care::RecordItem;

fn plural(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Allergies => "allergies",
        RecordKind::Conditions => "conditions",
        RecordKind::Vaccinations => "vaccinations",
        RecordKind::Appointments => "appointments",
        RecordKind::Providers => "doctors and providers",
    }
}

/// The word "remove <word> #id" reads back as the entry's kind.
fn command_word(item: &RecordItem) -> &'static str {
    match item {
        RecordItem::Allergy(_) => "allergy",
        RecordItem::Condition(_) => "condition",
        RecordItem::Vaccination(_) => "vaccination",
        RecordItem::Appointment(_) => "appointment",
        RecordItem::Provider(_) => "doctor",
    }
}

fn id(item: &RecordItem) -> i64 {
    match item {
        RecordItem::Allergy(a) => a.id,
        RecordItem::Condition(c) => c.id,
        RecordItem::Vaccination(v) => v.id,
        RecordItem::Appointment(a) => a.id,
        RecordItem::Provider(p) => p.id,
    }
}

/// One entry in a sentence: "the MMR vaccination of 3 Mar 2024 (dose 1)".
fn describe(item: &RecordItem, ctx: &RenderContext) -> String {
    match item {
        RecordItem::Allergy(a) => format!("the {} allergy ({})", a.allergen, a.severity),
        RecordItem::Condition(c) => format!("the condition {}", c.name),
        RecordItem::Vaccination(v) => {
            let dose = v
                .dose_number
                .map(|n| format!(", dose {n}"))
                .unwrap_or_default();
            format!(
                "the {} vaccination of {}{dose}",
                v.vaccine,
                v.given_on.format("%-d %b %Y")
            )
        }
        RecordItem::Appointment(a) => {
            let with = a
                .with
                .as_ref()
                .map(|w| format!(" with {w}"))
                .unwrap_or_default();
            format!("the appointment{with} on {}", when(a.starts_at, ctx))
        }
        RecordItem::Provider(p) => p.name.clone(),
    }
}

/// One entry as a list line, with its number for "remove ... #n".
fn line(item: &RecordItem, ctx: &RenderContext) -> String {
    let text = match item {
        RecordItem::Allergy(a) => format!("{} ({})", a.allergen, a.severity),
        RecordItem::Condition(c) => {
            let private = if c.guardian_only {
                " — guardians only"
            } else {
                ""
            };
            match &c.notes {
                Some(notes) => format!("{}: {}{private}", c.name, quote::unsigned(notes)),
                None => format!("{}{private}", c.name),
            }
        }
        RecordItem::Vaccination(v) => {
            let dose = v
                .dose_number
                .map(|n| format!(" (dose {n})"))
                .unwrap_or_default();
            format!("{}{dose}, {}", v.vaccine, v.given_on.format("%-d %b %Y"))
        }
        RecordItem::Appointment(a) => {
            let mut text = when(a.starts_at, ctx);
            if let Some(with) = &a.with {
                text.push_str(&format!(" with {with}"));
            }
            if let Some(purpose) = &a.purpose {
                text.push_str(&format!(": {}", quote::unsigned(purpose)));
            }
            text
        }
        RecordItem::Provider(p) => {
            let mut text = p.name.clone();
            if let Some(specialty) = &p.specialty {
                text.push_str(&format!(", {specialty}"));
            }
            match &p.phone {
                Some(phone) => text.push_str(&format!(" — {phone}")),
                None => text.push_str(" — no phone yet"),
            }
            text
        }
    };
    format!("• {text}  (#{})", id(item))
}

/// One button per entry, labelled with whose it is and what; `value` is the command it sends.
fn entry_choices(
    options: &[(Option<String>, RecordItem)],
    ctx: &RenderContext,
    value: impl Fn(&RecordItem) -> String,
) -> Vec<Choice> {
    options
        .iter()
        .map(|(child, item)| Choice {
            label: match child {
                Some(child) => format!("{child}: {}", describe(item, ctx)),
                None => describe(item, ctx),
            },
            value: value(item),
        })
        .collect()
}

fn whose(child: &Option<String>, kind: RecordKind) -> String {
    match child {
        Some(child) => format!("{child}'s {}", plural(kind)),
        None => format!("The family's {}", plural(kind)),
    }
}

fn how_to_add(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Allergies => "add allergy",
        RecordKind::Conditions => "add condition",
        RecordKind::Vaccinations => "add vaccination",
        RecordKind::Appointments => "add appointment",
        RecordKind::Providers => "add doctor",
    }
}

pub(super) fn render(msg: &Msg, ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::RecordList { kind, child, items } if items.is_empty() => {
            let none = match (kind, child) {
                (RecordKind::Appointments, Some(child)) => {
                    format!("{child} has no upcoming appointments.")
                }
                (_, Some(child)) => format!("{child} has no {} on file.", plural(*kind)),
                (_, None) => format!("The family has no {} on file.", plural(*kind)),
            };
            reply(
                format!("{none} A guardian adds one with: {}", how_to_add(*kind)),
                Info,
                msg,
            )
        }
        Msg::RecordList { kind, child, items } => {
            let lines: Vec<String> = items.iter().map(|i| line(i, ctx)).collect();
            let title = match kind {
                RecordKind::Appointments => format!("{} (upcoming)", whose(child, *kind)),
                _ => whose(child, *kind),
            };
            reply(format!("{title}:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::RecordAdded { child, item } => {
            let who = match (item, child) {
                (RecordItem::Condition(c), Some(child)) if c.guardian_only => {
                    format!(" Only guardians see it on {child}'s record.")
                }
                (RecordItem::Condition(_) | RecordItem::Allergy(_), Some(child)) => {
                    format!(" Everyone caring for {child} will see it.")
                }
                (RecordItem::Provider(p), _) if p.phone.is_some() => {
                    " Everyone caring for the children can find the number with: doctors".into()
                }
                _ => String::new(),
            };
            let whose = child
                .as_ref()
                .map(|c| format!(" for {c}"))
                .unwrap_or_default();
            reply(
                format!("Saved{whose}: {}.{who}", describe(item, ctx)),
                Success,
                msg,
            )
        }
        Msg::RecordChanged { child, item } => {
            let whose = child
                .as_ref()
                .map(|c| format!(" on {c}'s record"))
                .unwrap_or_default();
            reply(
                format!("Changed{whose}: {}.", describe(item, ctx)),
                Success,
                msg,
            )
        }
        Msg::WhichToChange { options, change } => Reply {
            choices: entry_choices(options, ctx, |item| {
                format!("change {} #{} {change}", command_word(item), id(item))
                    .trim_end()
                    .to_string()
            }),
            ..reply(
                "Several match. Which one should I change?".into(),
                Info,
                msg,
            )
        },
        Msg::WhatToRemove { kind } => {
            let example = match kind {
                Some(RecordKind::Appointments) => "cancel Emma's appointment with Dr Patel",
                Some(RecordKind::Vaccinations) => "remove Emma's MMR vaccination",
                Some(RecordKind::Providers) => "remove doctor Dr Patel",
                Some(RecordKind::Conditions) => "remove Leo's condition eczema",
                _ => "remove Emma's peanut allergy",
            };
            reply(
                format!("What should I remove? Name it, e.g. {example}. Doses are never removed: say undo right after a mistake."),
                Info,
                msg,
            )
        }
        Msg::NothingToRemove { kind, which } => {
            let place = match kind {
                Some(kind) => format!("in the {}", plural(*kind)),
                None => "in the record".into(),
            };
            reply(
                format!(
                    "I can't find \"{which}\" {place}. To see what there is: {}. (A family member is revoked, not removed: revoke {which}.) Nothing was changed.",
                    how_to_add_list(*kind)
                ),
                Error,
                msg,
            )
        }
        Msg::WhichToRemove { options } => Reply {
            choices: entry_choices(options, ctx, |item| {
                format!("remove {} #{}", command_word(item), id(item))
            }),
            ..reply(
                "Several match. Which one should I remove?".into(),
                Info,
                msg,
            )
        },
        Msg::ConfirmRemove { child, item } => {
            let whose = child
                .as_ref()
                .map(|c| format!("{c}'s record"))
                .unwrap_or_else(|| "the family's record".into());
            Reply {
                choices: vec![
                    Choice {
                        label: "Yes, remove it".into(),
                        value: "yes".into(),
                    },
                    Choice {
                        label: "No, keep it".into(),
                        value: "no".into(),
                    },
                ],
                ..reply(
                    format!(
                        "Remove {} from {whose}? This can't be undone.",
                        describe(item, ctx)
                    ),
                    Warning,
                    msg,
                )
            }
        }
        Msg::RecordRemoved { child, item } => {
            let whose = child
                .as_ref()
                .map(|c| format!(" from {c}'s record"))
                .unwrap_or_default();
            reply(
                format!("Removed {}{whose}.", describe(item, ctx)),
                Success,
                msg,
            )
        }
        _ => reply(String::new(), Info, msg),
    }
}

fn how_to_add_list(kind: Option<RecordKind>) -> &'static str {
    match kind {
        Some(RecordKind::Allergies) | None => {
            "allergies, conditions, vaccinations, appointments or doctors"
        }
        Some(RecordKind::Conditions) => "conditions",
        Some(RecordKind::Vaccinations) => "vaccinations",
        Some(RecordKind::Appointments) => "appointments",
        Some(RecordKind::Providers) => "doctors",
    }
}
