//! Spanish for the children and their medicines as the record changes: a child added, renamed, out
//! of care and back; a medication added or its rules changed. `en` keeps these in `en.rs`; here
//! they are a submodule so that `es.rs` (longer, as Spanish is) stays a readable size.

use super::{list, reply, yes_no};
use crate::messages::{Choice, Msg, RenderContext, Reply, Tone};

pub(super) fn render(msg: &Msg, _ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::ChildAdded { name } => reply(
            format!(
                "Agregué a {name}. Ahora puedes escribir: add a medication for {name}, o {name} is allergic to ..."
            ),
            Success,
            msg,
        ),
        Msg::MedicationAdded {
            child,
            name,
            pending: false,
        } => reply(
            format!(
                "Guardé {name} para {child}. Anota una dosis con: gave {child} <cantidad> {name}."
            ),
            Success,
            msg,
        ),
        Msg::MedicationAdded {
            child,
            name,
            pending: true,
        } => reply(
            format!(
                "Guardé {name} para {child}; queda pendiente de la aprobación de un tutor, y ya se la pedí. \
                 No se puede anotar ninguna dosis hasta que la apruebe."
            ),
            Success,
            msg,
        ),
        Msg::MedicationEdited {
            child,
            name,
            pending: false,
        } => reply(
            format!(
                "Cambié {name} de {child}: desde ahora, cada revisión de dosis usa las reglas nuevas."
            ),
            Success,
            msg,
        ),
        Msg::MedicationEdited {
            child,
            name,
            pending: true,
        } => reply(
            format!(
                "Guardé el cambio de {name} de {child}; queda pendiente de la aprobación de un tutor, y ya se la pedí. \
                 No se puede anotar ninguna dosis hasta que apruebe las reglas nuevas."
            ),
            Success,
            msg,
        ),
        Msg::RenameUsage => reply(
            "¿Cuál es el nombre nuevo? Por ejemplo: rename Emma to Emmy.".into(),
            Info,
            msg,
        ),
        Msg::ChildRenamed { old, new } => reply(
            format!("✓ {old} ahora se llama {new}: su registro, sus medicinas y sus dosis siguen con su nombre nuevo."),
            Success,
            msg,
        ),
        Msg::ConfirmLeaveCare { child } => Reply {
            choices: yes_no(&format!("Sí, {child} sale del cuidado"), "No, mantener"),
            ..reply(
                format!(
                    "¿Sacar a {child} del cuidado activo? Su registro se conserva (la exportación lo guarda), pero {child} sale de todas las listas y no se anota ninguna dosis. Puedes volver a incluir a {child} con: return {child} to care. Responde sí o no."
                ),
                Warning,
                msg,
            )
        },
        Msg::ChildLeftCare { child } => reply(
            format!(
                "✓ {child} ya no está en cuidado activo; su registro se conserva. Para volver a incluir a {child}: return {child} to care."
            ),
            Success,
            msg,
        ),
        Msg::ChildBackInCare { child } => reply(
            format!(
                "✓ {child} vuelve a estar en cuidado activo. Sus medicinas siguen como estaban; revísalas con: meds {child}."
            ),
            Success,
            msg,
        ),
        Msg::NotOutOfCare { name, out_of_care } => {
            let known = if out_of_care.is_empty() {
                "ninguno".to_string()
            } else {
                list(out_of_care)
            };
            reply(
                format!(
                    "No hay ningún niño llamado \"{name}\" fuera del cuidado. Niños fuera del cuidado: {known}. No se cambió nada."
                ),
                Error,
                msg,
            )
        }
        Msg::EditUsage => reply(
            "¿Qué medicina, y qué cambia? Por ejemplo: change Emma's Tylenol dose to 7.5 ml, \
             o change Leo's amoxicillin to every 8 hours."
                .into(),
            Info,
            msg,
        ),
        Msg::NoMedicationToEdit { asked, known } => {
            let known = if known.is_empty() {
                "ninguna todavía".to_string()
            } else {
                list(known)
            };
            reply(
                format!(
                    "No encuentro una medicina actual ni una entrada del registro llamada \"{asked}\" para cambiar. Las medicinas de los niños: {known}. No se cambió nada."
                ),
                Error,
                msg,
            )
        }
        Msg::WhichMedicationToEdit { options, change } => Reply {
            choices: options
                .iter()
                .map(|(id, medication, child)| Choice {
                    label: format!("{medication} de {child}"),
                    value: format!("change #{id} {change}").trim_end().to_string(),
                })
                .collect(),
            ..reply("¿Cuál quieres que cambie?".into(), Info, msg)
        },
        // The caller routes only the messages above here.
        other => reply(String::new(), Info, other),
    }
}
