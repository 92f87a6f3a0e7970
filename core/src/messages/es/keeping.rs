//! Spanish for keeping the record current: a medication's course (stop, pause, resume) and the
//! family's members (the list, a caregiver's children, roles, revoking). The commands quoted
//! (stop, pause, resume, make, revoke, invite) stay as typed: they are what the parser reads.

use super::{list, reply, role_word, yes_no};
use crate::domain::{MemberStatus, Role};
use crate::messages::{Choice, Msg, RenderContext, Reply, Tone};
use crate::services::care::CourseChange;

/// The command word, as typed.
fn verb(change: CourseChange) -> &'static str {
    match change {
        CourseChange::Stop => "stop",
        CourseChange::Pause => "pause",
        CourseChange::Resume => "resume",
    }
}

/// The same change in a Spanish sentence ("¿Cuál quieres suspender?").
fn infinitive(change: CourseChange) -> &'static str {
    match change {
        CourseChange::Stop => "suspender",
        CourseChange::Pause => "pausar",
        CourseChange::Resume => "reanudar",
    }
}

fn role_name(role: Role) -> &'static str {
    role_word(role.as_str())
}

pub(super) fn render(msg: &Msg, _ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::CourseUsage { change } => reply(
            format!(
                "¿Qué medicina? Dímelo con el nombre del niño, por ejemplo: {} Leo's amoxicillin.",
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
                "ninguna todavía".to_string()
            } else {
                list(known)
            };
            reply(
                format!(
                    "No encuentro ninguna medicina llamada \"{asked}\" para {}. Las medicinas de los niños: {known}. No se cambió nada.",
                    infinitive(*change)
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
                        label: format!("{medication} de {child}"),
                        value: format!("{v} #{id}"),
                    })
                    .collect(),
                ..reply(
                    format!(
                        "¿Cuál quieres {}?\n{}\nEnvía {v} #<número>.",
                        infinitive(*change),
                        options
                            .iter()
                            .map(|(id, medication, child)| format!("• #{id} {medication} de {child}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ),
                    Info,
                    msg,
                )
            }
        }
        Msg::ConfirmStop { child, medication } => Reply {
            choices: yes_no("Sí, suspender", "No, mantener"),
            ..reply(
                format!(
                    "¿Suspender {medication} de {child}? El tratamiento termina hoy y ya no se podrán anotar dosis; \
                     las dosis que ya se dieron se quedan en el registro. Responde sí o no."
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
                    "Suspendí {medication} de {child}{}: ya no se anotarán más dosis. Su historial se queda en el registro.",
                    ends_on
                        .map(|d| format!(" (el tratamiento terminó el {})", super::format::day_month(d)))
                        .unwrap_or_default()
                ),
                CourseChange::Pause => format!(
                    "Pausé {medication} de {child}: no se anotará ninguna dosis hasta que un tutor envíe resume {medication}."
                ),
                CourseChange::Resume => format!(
                    "Reanudé {medication} de {child}: ya se pueden anotar dosis otra vez, con las revisiones de siempre."
                ),
            };
            reply(text, Success, msg)
        }
        Msg::NothingChanged => reply("Listo, no se cambió nada.".into(), Info, msg),
        Msg::ChangeExpired => reply(
            "Esa pregunta ya venció, así que no se cambió nada. Vuelve a pedírmelo si todavía lo quieres.".into(),
            Info,
            msg,
        ),
        Msg::Members { members } => {
            let lines: Vec<String> = members
                .iter()
                .map(|m| {
                    let you = if m.is_you { " (tú)" } else { "" };
                    let status = match m.status {
                        MemberStatus::Active => "",
                        MemberStatus::Invited => ", invitado",
                        MemberStatus::Revoked => ", revocado",
                    };
                    let children = match (m.role, m.children.as_slice()) {
                        (Role::Caregiver, []) => " — todavía sin niños asignados".to_string(),
                        (Role::Caregiver, names) => format!(" — cuida a {}", list(names)),
                        _ => String::new(),
                    };
                    format!("• {}{you}: {}{status}{children}", m.name, role_name(m.role))
                })
                .collect();
            reply(
                format!(
                    "Miembros de la familia:\n{}\nPara cambiarlo: Maya looks after Emma and Leo · make Luis a viewer · revoke Maya · invite caregiver",
                    lines.join("\n")
                ),
                Info,
                msg,
            )
        }
        Msg::UnknownMember { name, known } => reply(
            format!(
                "Nadie llamado \"{name}\" es miembro aquí. Miembros: {}. No se cambió nada.",
                list(known)
            ),
            Error,
            msg,
        ),
        Msg::AmbiguousMember { name, matches } => reply(
            format!(
                "Varios miembros coinciden con \"{name}\": {}. Usa el nombre completo. No se cambió nada.",
                list(matches)
            ),
            Info,
            msg,
        ),
        Msg::WhichChildren { member, assign: true } => reply(
            format!("¿A qué niños cuida {member}? Por ejemplo: {member} looks after Emma and Leo."),
            Info,
            msg,
        ),
        Msg::WhichChildren { member, assign: false } => reply(
            format!(
                "¿Qué niños quito de la lista de {member}? Por ejemplo: {member} no longer looks after Leo."
            ),
            Info,
            msg,
        ),
        Msg::Assigned {
            member,
            children,
            assign: true,
        } => reply(
            format!(
                "{member} ahora cuida a {}: puede ver {} y anotar dosis.",
                list(children),
                if children.len() == 1 { "su registro" } else { "sus registros" }
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
                "{member} ya no cuida a {}: desde ahora no puede ver {} ni anotar dosis.",
                list(children),
                if children.len() == 1 { "su registro" } else { "sus registros" }
            ),
            Success,
            msg,
        ),
        Msg::WhichRoleFor { member } => reply(
            format!(
                "¿Qué rol le doy a {member}? Envía make {member} a guardian (tutor), a caregiver (cuidador) o a viewer (observador)."
            ),
            Info,
            msg,
        ),
        Msg::RoleChanged { member, role } => {
            let what = match role {
                Role::Guardian => "puede hacer todo en la familia, incluido aprobar medicinas y administrar a los miembros",
                Role::Caregiver => "ve y cuida a los niños que tiene asignados (por ejemplo: Maya looks after Emma)",
                Role::Viewer => "puede leer los resúmenes de los niños, pero no cambiar nada",
            };
            reply(
                format!("{member} ahora es {}: {what}.", role_name(*role)),
                Success,
                msg,
            )
        }
        Msg::WhoToRevoke => reply(
            "¿A quién le quito la membresía? Envía revoke <nombre>; members muestra a todos.".into(),
            Info,
            msg,
        ),
        Msg::ConfirmRevoke { member } => Reply {
            choices: yes_no(&format!("Sí, revocar a {member}"), "No, mantener"),
            ..reply(
                format!(
                    "¿Revocar la membresía de {member}? Desde ese momento no podrá ver ni hacer nada en esta familia \
                     (lo que anotó se conserva). Responde sí o no."
                ),
                Warning,
                msg,
            )
        },
        Msg::MemberRevoked { member } => reply(
            format!(
                "{member} ya no es miembro de la familia. Para que vuelva, envía invite con su rol y dale el código."
            ),
            Success,
            msg,
        ),
        // The caller routes only the messages above here.
        other => reply(String::new(), Info, other),
    }
}
