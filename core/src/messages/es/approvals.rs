//! Spanish for a guardian's approval of a caregiver's medication: the question to the guardians
//! (with Aprobar and Rechazar, whose values are the commands any channel can type), the answers,
//! and the outcome the caregiver is told.

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
                        decide(*approve, *id, format!("{verb} {medication} para {child}"))
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
        }) => {
            let did = if *changed {
                "cambió una medicina"
            } else {
                "agregó una medicina"
            };
            let who = if proposed_by.is_empty() {
                "Un cuidador"
            } else {
                proposed_by.as_str()
            };
            let mut line = medication_line(medication);
            if let Some(cut) = line.find(" — ") {
                line.truncate(cut);
            }
            Reply {
                choices: vec![
                    decide(true, *medication_id, "Aprobar".into()),
                    decide(false, *medication_id, "Rechazar".into()),
                ],
                ..reply(
                    format!(
                        "💊 Falta tu aprobación: {who} {did} para {child_name}:\n{line}\n\
                         No se puede anotar ninguna dosis hasta que un tutor la apruebe. \
                         Responde approve #{medication_id} o deny #{medication_id}."
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
                "✅ {decided_by} aprobó {medication_name} para {child_name}: ya puedes anotar sus dosis."
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
