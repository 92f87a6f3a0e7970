//! Spanish for the rest of the record: conditions, vaccinations, appointments and providers
//! (lists, what was saved, and removing an entry, allergies included). The command words in
//! choice values and in the examples (remove, change, cancel, add ...) stay as typed.

use super::format::short_date_year;
use super::{at, reply, severity, when, yes_no};
use crate::engine::command::RecordKind;
use crate::messages::{quote, Choice, Msg, RenderContext, Reply, Tone};
use crate::services::care::RecordItem;

fn plural(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Allergies => "alergias",
        RecordKind::Conditions => "condiciones de salud",
        RecordKind::Vaccinations => "vacunas",
        RecordKind::Appointments => "citas",
        RecordKind::Providers => "médicos y profesionales",
    }
}

/// The word "remove <word> #id" reads back as the entry's kind (a command: never translated).
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

/// One entry in a sentence: "la vacuna MMR del 3 mar 2024 (dosis 1)".
fn describe(item: &RecordItem, ctx: &RenderContext) -> String {
    match item {
        RecordItem::Allergy(a) => {
            format!("la alergia a {} ({})", a.allergen, severity(&a.severity))
        }
        RecordItem::Condition(c) => format!("la condición {}", c.name),
        RecordItem::Vaccination(v) => {
            let dose = v
                .dose_number
                .map(|n| format!(", dosis {n}"))
                .unwrap_or_default();
            format!(
                "la vacuna {} del {}{dose}",
                v.vaccine,
                short_date_year(v.given_on)
            )
        }
        RecordItem::Appointment(a) => {
            let with = a
                .with
                .as_ref()
                .map(|w| format!(" con {w}"))
                .unwrap_or_default();
            format!("la cita{with} {}", at(a.starts_at, ctx))
        }
        RecordItem::Provider(p) => p.name.clone(),
    }
}

/// One entry as a list line, with its number for "remove ... #n".
fn line(item: &RecordItem, ctx: &RenderContext) -> String {
    let text = match item {
        RecordItem::Allergy(a) => format!("{} ({})", a.allergen, severity(&a.severity)),
        RecordItem::Condition(c) => {
            let private = if c.guardian_only {
                " — solo tutores"
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
                .map(|n| format!(" (dosis {n})"))
                .unwrap_or_default();
            format!("{}{dose}, {}", v.vaccine, short_date_year(v.given_on))
        }
        RecordItem::Appointment(a) => {
            let mut text = when(a.starts_at, ctx);
            if let Some(with) = &a.with {
                text.push_str(&format!(" con {with}"));
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
                None => text.push_str(" — sin teléfono todavía"),
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

/// The list with its article, for "entre las vacunas".
fn the_plural(kind: RecordKind) -> String {
    match kind {
        RecordKind::Providers => format!("los {}", plural(kind)),
        _ => format!("las {}", plural(kind)),
    }
}

fn whose(child: &Option<String>, kind: RecordKind) -> String {
    let mut chars = plural(kind).chars();
    let what: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    match child {
        Some(child) => format!("{what} de {child}"),
        None => format!("{what} de la familia"),
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
                    format!("{child} no tiene citas próximas.")
                }
                (_, Some(child)) => format!("{child} no tiene {} registradas.", plural(*kind)),
                (RecordKind::Providers, None) => {
                    "La familia no tiene médicos ni profesionales registrados.".into()
                }
                (_, None) => format!("La familia no tiene {} registradas.", plural(*kind)),
            };
            reply(
                format!(
                    "{none} Un tutor puede agregar {} con: {}",
                    if *kind == RecordKind::Providers {
                        "uno"
                    } else {
                        "una"
                    },
                    how_to_add(*kind)
                ),
                Info,
                msg,
            )
        }
        Msg::RecordList { kind, child, items } => {
            let lines: Vec<String> = items.iter().map(|i| line(i, ctx)).collect();
            let title = match kind {
                RecordKind::Appointments => format!("{} (próximas)", whose(child, *kind)),
                _ => whose(child, *kind),
            };
            reply(format!("{title}:\n{}", lines.join("\n")), Info, msg)
        }
        Msg::RecordAdded { child, item } => {
            let who = match (item, child) {
                (RecordItem::Condition(c), Some(child)) if c.guardian_only => {
                    format!(" Solo los tutores la ven en el registro de {child}.")
                }
                (RecordItem::Condition(_) | RecordItem::Allergy(_), Some(child)) => {
                    format!(" Todas las personas que cuidan a {child} la verán.")
                }
                (RecordItem::Provider(p), _) if p.phone.is_some() => {
                    " Quien cuide a los niños puede encontrar el número con: doctors".into()
                }
                _ => String::new(),
            };
            let whose = child
                .as_ref()
                .map(|c| format!(" para {c}"))
                .unwrap_or_default();
            reply(
                format!("Guardado{whose}: {}.{who}", describe(item, ctx)),
                Success,
                msg,
            )
        }
        Msg::RecordChanged { child, item } => {
            let whose = child
                .as_ref()
                .map(|c| format!(" en el registro de {c}"))
                .unwrap_or_default();
            reply(
                format!("Cambiado{whose}: {}.", describe(item, ctx)),
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
                "Hay varias que coinciden. ¿Cuál quieres que cambie?".into(),
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
                format!("¿Qué quito? Dime cuál, por ejemplo: {example}. Las dosis nunca se quitan: di undo justo después de un error."),
                Info,
                msg,
            )
        }
        Msg::NothingToRemove { kind, which } => {
            let place = match kind {
                Some(kind) => format!("entre {}", the_plural(*kind)),
                None => "en el registro".into(),
            };
            reply(
                format!(
                    "No encuentro \"{which}\" {place}. Para ver lo que hay: {}. (A un miembro de la familia se le revoca, no se le quita: revoke {which}). No se cambió nada.",
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
                "Hay varias que coinciden. ¿Cuál quieres que quite?".into(),
                Info,
                msg,
            )
        },
        Msg::ConfirmRemove { child, item } => {
            let whose = child
                .as_ref()
                .map(|c| format!("del registro de {c}"))
                .unwrap_or_else(|| "del registro de la familia".into());
            Reply {
                choices: yes_no("Sí, quitar", "No, mantener"),
                ..reply(
                    format!(
                        "¿Quitar {} {whose}? No se puede deshacer.",
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
                .map(|c| format!(" del registro de {c}"))
                .unwrap_or_default();
            reply(
                format!("Quité {}{whose}.", describe(item, ctx)),
                Success,
                msg,
            )
        }
        _ => reply(String::new(), Info, msg),
    }
}

/// The commands that list each kind (typed as they are).
fn how_to_add_list(kind: Option<RecordKind>) -> &'static str {
    match kind {
        Some(RecordKind::Allergies) | None => {
            "allergies, conditions, vaccinations, appointments o doctors"
        }
        Some(RecordKind::Conditions) => "conditions",
        Some(RecordKind::Vaccinations) => "vaccinations",
        Some(RecordKind::Appointments) => "appointments",
        Some(RecordKind::Providers) => "doctors",
    }
}
