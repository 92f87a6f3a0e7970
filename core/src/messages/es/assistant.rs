//! Spanish for the assistant: its own words, its fallbacks, consent, language and voice notes.
//! The commands quoted ("assistant on", "language en") stay as typed: they are what MedNanny reads.

use super::reply;
use crate::messages::{quote, Msg, PhotoUnread, RenderContext, Reply, Tone};

pub(in crate::messages) fn render(msg: &Msg, _ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::AssistantSaid { text } => reply(text.clone(), Info, msg),
        Msg::NoDoseAdvice => reply(
            "No puedo calcular ni sugerir una dosis. La dosis de cada medicina está en su registro (medications); \
             para cualquier otra cosa, consulta a tu pediatra o farmacéutico."
                .into(),
            Warning,
            msg,
        ),
        Msg::VagueTime { said } => reply(
            format!(
                "¿A qué hora fue? «{said}» es muy impreciso para contar la próxima dosis. Envíalo de nuevo con la \
                 hora, por ejemplo: le di 5 ml de Tylenol a Emma a las 8:30. No se anotó nada."
            ),
            Warning,
            msg,
        ),
        Msg::NotDoneYet { count } => reply(
            if *count == 1 {
                "Tu mensaje pedía una cosa más que todavía no hice: envíala de nuevo cuando respondas esto.".into()
            } else {
                format!(
                    "Tu mensaje pedía {count} cosas más que todavía no hice: envíalas de nuevo cuando respondas esto."
                )
            },
            Warning,
            msg,
        ),
        Msg::AssistantUnavailable => reply(
            "(El asistente no responde ahora, así que leí tu mensaje de la forma sencilla.)".into(),
            Info,
            msg,
        ),
        Msg::AssistantBudgetSpent => reply(
            "(Se agotó el presupuesto del asistente por hoy, así que leí tu mensaje de la forma sencilla.)".into(),
            Info,
            msg,
        ),
        Msg::AssistantConsentQuestion => reply(
            "MedNannyAI puede entender mensajes cotidianos con un modelo de lenguaje. Solo se envía lo que cada \
             mensaje necesita, con todos los nombres cambiados. Envía assistant on para permitirlo (assistant off lo \
             detiene cuando quieras); mientras tanto leo los mensajes de la forma sencilla."
                .into(),
            Info,
            msg,
        ),
        Msg::AssistantConsent { on: true, changed } => reply(
            if *changed {
                "El asistente está activado para tu familia: los mensajes van al modelo de lenguaje con los nombres \
                 cambiados. Envía assistant off para detenerlo."
            } else {
                "El asistente ya estaba activado para tu familia."
            }
            .into(),
            Success,
            msg,
        ),
        Msg::AssistantConsent { on: false, changed } => reply(
            if *changed {
                "El asistente está desactivado para tu familia: ningún mensaje va a un modelo de lenguaje."
            } else {
                "El asistente ya estaba desactivado para tu familia."
            }
            .into(),
            Success,
            msg,
        ),
        Msg::LanguageSet => reply(
            "Desde ahora te escribo en español. (Para volver al inglés: language en.)".into(),
            Success,
            msg,
        ),
        Msg::LanguageUnknown { asked } => reply(
            format!("Puedo escribir en español o en inglés (language en), todavía no en {asked:?}."),
            Info,
            msg,
        ),
        Msg::Heard { text } => reply(format!("Escuché: «{}»", quote::unsigned(text)), Info, msg),
        Msg::VoiceNotSetUp => reply(
            "Todavía no puedo escuchar notas de voz aquí: por favor escribe lo que querías decirme.".into(),
            Info,
            msg,
        ),
        Msg::LabelRead {
            product,
            ingredient,
            strength,
            form,
        } => {
            let details: Vec<&str> = [ingredient, strength, form]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            let details = if details.is_empty() {
                String::new()
            } else {
                format!(" ({})", details.join(", "))
            };
            reply(
                format!(
                    "En la foto leí: {product}{details}. Compruébalo con la etiqueta; no se guarda nada hasta que \
                     lo confirmes."
                ),
                Info,
                msg,
            )
        }
        Msg::PhotoNotRead { why } => reply(
            match why {
                PhotoUnread::NoConsent => {
                    "Solo puedo leer la etiqueta de un medicamento en una foto con el asistente activado (un \
                     tutor envía assistant on). No se anotó nada; puedes escribir el medicamento."
                }
                PhotoUnread::BudgetSpent => {
                    "El presupuesto del asistente de hoy se ha agotado: no puedo leer fotos hasta mañana. No se \
                     anotó nada; puedes escribir el medicamento."
                }
                PhotoUnread::Unreadable => {
                    "No pude leer la etiqueta de un medicamento en esa foto. No se anotó nada. Prueba con una \
                     foto más nítida de la etiqueta, o escribe el medicamento."
                }
                PhotoUnread::Unavailable => {
                    "No pude leer esa foto ahora mismo. No se anotó nada. Inténtalo más tarde, o escribe el \
                     medicamento."
                }
            }
            .into(),
            Warning,
            msg,
        ),
        _ => reply(String::new(), Info, msg),
    }
}
