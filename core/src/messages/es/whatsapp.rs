//! Spanish for WhatsApp: invites and link codes sent to a phone, and the answers about numbers.
//! JOIN and join stay as typed: they are what MedNanny reads.

use super::{after, reply, role_word};
use crate::messages::{Msg, RenderContext, Reply, Tone};

pub(in crate::messages) fn render(msg: &Msg, ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::InvitedByPhone {
            name,
            phone,
            role,
            code,
            expires_at,
        } => reply(
            format!(
                "Le envié la invitación a {name} por WhatsApp ({phone}) como {}. Se une respondiendo JOIN allí, \
                 o enviando join {code} desde cualquier lugar, {}.",
                role_word(role),
                after("hasta", *expires_at, ctx)
            ),
            Success,
            msg,
        ),
        Msg::LinkCodeSent { phone } => reply(
            format!(
                "Envié un código de 6 dígitos al {phone} por WhatsApp. Respóndelo allí con el código (o escribe el código aquí) \
                 en los próximos 10 minutos para vincular ese número contigo."
            ),
            Info,
            msg,
        ),
        Msg::PhoneLinked { phone } => reply(
            format!(
                "Vinculado: ahora te escribo al {phone} por WhatsApp. Puedes escribirle a MedNannyAI allí igual que aquí."
            ),
            Success,
            msg,
        ),
        Msg::LinkUsage => reply(
            "¿Qué número? Envía: link-whatsapp +1 415 555 0100".into(),
            Info,
            msg,
        ),
        Msg::UnknownNumber => reply(
            "Hola, soy MedNannyAI. Este número todavía no está vinculado a ninguna familia. Si una familia te invitó, responde JOIN \
             (o join y el código que te dieron)."
                .into(),
            Info,
            msg,
        ),
        Msg::MediaNotRead => reply(
            "Por ahora solo puedo leer mensajes de texto: escríbeme, por favor, lo que querías decirme.".into(),
            Info,
            msg,
        ),
        Msg::WhatsappUndeliverable => reply(
            "Un mensaje de WhatsApp de MedNannyAI no pudo llegarte: WhatsApp solo nos deja escribir en las 24 horas siguientes \
             a tu último mensaje allí. Envía cualquier mensaje a MedNannyAI por WhatsApp para ver lo que estaba pendiente."
                .into(),
            Warning,
            msg,
        ),
        _ => reply(String::new(), Info, msg),
    }
}

pub(in crate::messages) fn invite(inviter: &str, family: &str, name: &str, code: &str) -> String {
    format!(
        "¡Hola, {name}! {inviter} te invitó a ayudar a cuidar a la familia {family} con MedNannyAI, un registro compartido \
         de las medicinas y los cuidados de los niños. Responde JOIN para aceptar (o join {code})."
    )
}

pub(in crate::messages) fn link_code(code: &str, minutes: i64) -> String {
    format!(
        "Tu código de MedNanny es {code}. Envíalo aquí (o en Slack) en los próximos {minutes} minutos para vincular este número. \
         Si no lo pediste, ignora este mensaje."
    )
}

pub(in crate::messages) fn update_waiting(family: &str) -> String {
    format!("MedNanny tiene una novedad para la familia {family}. Responde para verla.")
}
