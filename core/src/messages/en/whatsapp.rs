//! English for WhatsApp: invites and link codes sent to a phone, and the answers about numbers.

use super::{reply, when};
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
                "Invite sent to {name} on WhatsApp ({phone}) as {role}. They join by replying JOIN there, \
                 or by sending join {code} anywhere, until {}.",
                when(*expires_at, ctx)
            ),
            Success,
            msg,
        ),
        Msg::LinkCodeSent { phone } => reply(
            format!(
                "I sent a 6-digit code to {phone} on WhatsApp. Reply to it there with the code (or type the code here) \
                 within 10 minutes to link that number to you."
            ),
            Info,
            msg,
        ),
        Msg::PhoneLinked { phone } => reply(
            format!("Linked: {phone} now reaches you on WhatsApp. You can write to MedNannyAI there as you do here."),
            Success,
            msg,
        ),
        Msg::LinkUsage => reply(
            "Which number? Send: link-whatsapp +1 415 555 0100".into(),
            Info,
            msg,
        ),
        Msg::UnknownNumber => reply(
            "Hi, this is MedNannyAI. This number is not linked to a family yet. If a family invited you, reply JOIN \
             (or join and the code you were given)."
                .into(),
            Info,
            msg,
        ),
        Msg::MediaNotRead => reply(
            "I can read text messages only, for now: please type what you wanted to tell me.".into(),
            Info,
            msg,
        ),
        Msg::WhatsappUndeliverable => reply(
            "A WhatsApp message from MedNannyAI could not reach you: WhatsApp lets us write only within 24 hours of \
             your last message there. Send any message to MedNannyAI on WhatsApp to see what was waiting."
                .into(),
            Warning,
            msg,
        ),
        _ => reply(String::new(), Info, msg),
    }
}

pub(in crate::messages) fn invite(inviter: &str, family: &str, name: &str, code: &str) -> String {
    format!(
        "Hi {name}! {inviter} invited you to help care for the {family} family with MedNannyAI, a shared record of \
         the children's medicines and care. Reply JOIN to accept (or join {code})."
    )
}

pub(in crate::messages) fn link_code(code: &str, minutes: i64) -> String {
    format!(
        "Your MedNanny code is {code}. Send it here (or in Slack) within {minutes} minutes to link this number. \
         If you did not ask for it, ignore this message."
    )
}

pub(in crate::messages) fn update_waiting(family: &str) -> String {
    format!("MedNanny has an update for the {family} family. Reply to see it.")
}
