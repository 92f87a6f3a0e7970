//! Spanish for a guardian's approval of a caregiver's medication: the question to the guardians
//! (with Aprobar and Rechazar, whose values are the commands any channel can type), the answers,
//! and the outcome the caregiver is told.

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
            "Solo un tutor puede aprobar o rechazar una medicina.".into(),
            Tone::Info,
            msg,
        ),
        Msg::NothingToApprove => reply(
            "No hay ninguna medicina pendiente de aprobación.".into(),
            Tone::Info,
            msg,
        ),
        Msg::WhichToApprove { approve, options } => {
            // The label is Spanish; the command to type stays the one the parser reads.
            let (verb, command) = if *approve {
                ("Aprobar", "approve")
            } else {
                ("Rechazar", "deny")
            };
            let lines: Vec<String> = options
                .iter()
                .map(|(id, medication, child)| format!("• #{id} {medication} para {child}"))
                .collect();
            Reply {
                choices: options
                    .iter()
                    .map(|(id, medication, child)| {
                        decide(*approve, *id, 0, format!("{verb} {medication} para {child}"))
                    })
                    .collect(),
                ..reply(
                    format!(
                        "¿Cuál? Pendientes de aprobación:\n{}\nEnvía {command} #<número>.",
                        lines.join("\n")
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
                .map(|name| format!(" Ya le avisé a {name}."))
                .unwrap_or_default();
            if *approved {
                reply(
                    format!(
                        "Aprobaste {medication} para {child}: ya se pueden anotar dosis.{told}"
                    ),
                    Tone::Success,
                    msg,
                )
            } else {
                reply(
                    format!(
                        "Rechazaste {medication} para {child}: no se anotará ninguna dosis.{told}"
                    ),
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
                "Un cuidador"
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
                Some(was) => format!(
                    "💊 Falta tu aprobación: {who} cambió {} de {child_name}:\n• ahora: {}\n• propuesta: {}\n\
                     Hasta que un tutor lo apruebe, cada dosis se revisa con las reglas vigentes. \
                     Responde approve {id} o deny {id}.",
                    was.name,
                    bare(was),
                    bare(medication)
                ),
                None => {
                    let did = if *changed {
                        "cambió una medicina"
                    } else {
                        "agregó una medicina"
                    };
                    format!(
                        "💊 Falta tu aprobación: {who} {did} para {child_name}:\n{}\n\
                         No se puede anotar ninguna dosis hasta que un tutor la apruebe. \
                         Responde approve {id} o deny {id}.",
                        short(medication)
                    )
                }
            };
            Reply {
                choices: vec![
                    decide(true, *medication_id, *version, "Aprobar".into()),
                    decide(false, *medication_id, *version, "Rechazar".into()),
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
                "{decided_by} aprobó {medication_name} para {child_name}: ya puedes anotar sus dosis."
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
                "{decided_by} no aprobó {medication_name} para {child_name}: por favor, no se lo des. \
                 Habla con {decided_by} si {child_name} necesita algo."
            ),
            Tone::Warning,
            msg,
        ),
        // The caller routes only the messages above here.
        other => reply(String::new(), Tone::Info, other),
    }
}
