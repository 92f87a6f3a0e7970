//! English for the assistant: its own words, its fallbacks, consent, language and voice notes.

use super::reply;
use crate::messages::{quote, Msg, PhotoUnread, RenderContext, Reply, Tone};

pub(in crate::messages) fn render(msg: &Msg, _ctx: &RenderContext) -> Reply {
    use Tone::*;
    match msg {
        Msg::AssistantSaid { text } => reply(text.clone(), Info, msg),
        Msg::NoDoseAdvice => reply(
            "I can't work out or suggest a dose. The dose on each medicine's record is in medications; for anything \
             else, ask your paediatrician or pharmacist."
                .into(),
            Warning,
            msg,
        ),
        Msg::VagueTime { said } => reply(
            format!(
                "What time was that? \"{said}\" is too vague to count the next dose from. Send it again with the \
                 time, like: gave Emma 5 ml Tylenol at 8:30. Nothing was recorded."
            ),
            Warning,
            msg,
        ),
        Msg::NotDoneYet { count } => reply(
            if *count == 1 {
                "Your message asked for one more thing, not done yet: send it again once this is answered.".into()
            } else {
                format!(
                    "Your message asked for {count} more things, not done yet: send them again once this is answered."
                )
            },
            Warning,
            msg,
        ),
        Msg::AssistantUnavailable => reply(
            "(The assistant isn't answering just now, so I read this the simple way.)".into(),
            Info,
            msg,
        ),
        Msg::AssistantBudgetSpent => reply(
            "(Today's assistant budget is used up, so I read this the simple way.)".into(),
            Info,
            msg,
        ),
        Msg::AssistantConsentQuestion => reply(
            "MedNannyAI can understand everyday messages with a language model. Only what each message needs is \
             sent, with every name replaced. Send assistant on to allow it (assistant off stops it at any time); \
             until then I read messages the simple way."
                .into(),
            Info,
            msg,
        ),
        Msg::AssistantConsent { on: true, changed } => reply(
            if *changed {
                "The assistant is on for your family: messages go to the language model with names replaced. Send \
                 assistant off to stop it."
            } else {
                "The assistant was already on for your family."
            }
            .into(),
            Success,
            msg,
        ),
        Msg::AssistantConsent { on: false, changed } => reply(
            if *changed {
                "The assistant is off for your family: no message goes to a language model now."
            } else {
                "The assistant was already off for your family."
            }
            .into(),
            Success,
            msg,
        ),
        Msg::LanguageSet => reply(
            "I'll write to you in English from now on.".into(),
            Success,
            msg,
        ),
        Msg::LanguageUnknown { asked } => reply(
            format!("I can write in English or Spanish (language es), not {asked:?} yet."),
            Info,
            msg,
        ),
        Msg::Heard { text } => reply(format!("I heard: “{}”", quote::unsigned(text)), Info, msg),
        Msg::VoiceNotSetUp => reply(
            "I can't listen to voice notes here yet: please type what you wanted to tell me.".into(),
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
                    "From the photo I read: {product}{details}. Check it against the label; nothing is saved until \
                     you confirm."
                ),
                Info,
                msg,
            )
        }
        Msg::PhotoNotRead { why } => reply(
            match why {
                PhotoUnread::NoConsent => {
                    "I can read a medicine's label from a photo only with the assistant on (a guardian sends \
                     assistant on). Nothing was recorded; you can type the medicine instead."
                }
                PhotoUnread::BudgetSpent => {
                    "Today's assistant budget is used up, so I can't read photos until tomorrow. Nothing was \
                     recorded; you can type the medicine instead."
                }
                PhotoUnread::Unreadable => {
                    "I couldn't read a medicine's label in that photo. Nothing was recorded. Try a sharper photo \
                     of the label, or type the medicine."
                }
                PhotoUnread::Unavailable => {
                    "I couldn't read that photo just now. Nothing was recorded. Try again later, or type the \
                     medicine."
                }
            }
            .into(),
            Warning,
            msg,
        ),
        _ => reply(String::new(), Info, msg),
    }
}
