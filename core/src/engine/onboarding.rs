//! Meeting someone the engine does not know yet, and the two tasks that put a person in a family
//! (joining with an invite, creating one).
//!
//! Which family a conversation is in, and what a person outside any family may do, is decided by
//! the pure machine (`routing`); this module does the I/O: it makes a person for someone new who
//! asked to join or create, and runs the joining and creating through the services.

use super::command::Command;
use super::machine::{Task, TaskResult};
use super::store::ConversationStore;
use super::tasks::msg_for_error;
use super::{emergency_unknown_country, Engine, Inbound, Turn};
use crate::auth::{Actor, ActorKind};
use crate::domain::{Channel, Phone};
use crate::messages::{render, Locale, Msg};
use crate::screen::RedFlag;
use crate::services::phones::LinkOutcome;
use crate::services::ServiceError;

/// What meeting someone new came to. (Made once per turn of a stranger: its size does not matter.)
#[allow(clippy::large_enum_variant)]
pub(super) enum Meeting {
    /// All there is to say is said (a welcome, an emergency's answer, a linked number).
    Answered(Turn),
    /// They are a person now; their turn goes on as anyone's. `joined`: they joined a family on
    /// the way (WhatsApp's JOIN to an invite sent to their number), to be said as that task's result.
    Person {
        person_id: i64,
        joined: Option<TaskResult>,
    },
}

impl<S: ConversationStore> Engine<S> {
    /// Someone the engine does not know: a person is made only for someone who asks to join or to
    /// create a family; anyone else is welcomed (Slack, console) or answered without a word about
    /// any family (WhatsApp: a number is easy to guess, a family's existence is not to be learnt).
    pub(super) async fn meet(
        &self,
        inbound: &Inbound,
        said: &Command,
        red_flag: Option<RedFlag>,
    ) -> Result<Meeting, ServiceError> {
        // Someone new is answered in the language their channel says they use (Slack's locale),
        // or the one they wrote in.
        let locale = first_language(inbound);
        let answered = |msg: Msg| {
            let ctx = self.render_context(None, locale);
            Meeting::Answered(Turn {
                replies: vec![render(&msg, &ctx)],
                ..Turn::default()
            })
        };
        if let Some(flag) = red_flag {
            // Nobody to alert and no family to audit in: the answer is all there is to give.
            return Ok(answered(emergency_unknown_country(flag)));
        }
        let services = &self.services;
        let on_whatsapp = inbound.channel == Channel::Whatsapp;
        match said {
            Command::Join { code } if on_whatsapp && code.trim().is_empty() => {
                let phone = Phone::from_e164(inbound.external_id.clone());
                match services
                    .join_by_phone(&phone, inbound.display_name.as_deref())
                    .await?
                {
                    Some((person_id, membership)) => Ok(Meeting::Person {
                        person_id,
                        joined: Some(TaskResult::Joined {
                            family_id: membership.family_id,
                            family: membership.family_name,
                            role: membership.role,
                        }),
                    }),
                    None => Ok(answered(Msg::UnknownNumber)),
                }
            }
            Command::Join { .. } | Command::CreateFamily { .. } => Ok(Meeting::Person {
                person_id: self.new_person(inbound).await?,
                joined: None,
            }),
            Command::LinkCode { code } if on_whatsapp => {
                let phone = Phone::from_e164(inbound.external_id.clone());
                match services.confirm_phone_link(Some(&phone), None, code).await {
                    Ok(LinkOutcome::Linked { person_id, phone }) => {
                        let msg = Msg::PhoneLinked {
                            phone: phone.to_string(),
                        };
                        let locale = Locale::from_tag(&services.person_locale(person_id).await?);
                        let turn = self.finish(vec![msg], None, locale, person_id);
                        Ok(Meeting::Answered(turn))
                    }
                    Ok(LinkOutcome::NoneWaiting) => Ok(answered(Msg::UnknownNumber)),
                    Err(error) => Ok(answered(msg_for_error(error))),
                }
            }
            _ if on_whatsapp => Ok(answered(Msg::UnknownNumber)),
            _ => Ok(answered(Msg::Welcome)),
        }
    }

    /// Joining or creating a family: `None` for any other task (those need a family).
    pub(super) async fn run_onboarding(&self, task: &Task, actor: &Actor) -> Option<TaskResult> {
        let ActorKind::Person(person_id) = actor.kind else {
            return None;
        };
        match task {
            Task::JoinFamily { code } => Some(
                match self.services.join(person_id, code, actor.channel).await {
                    Ok(membership) => TaskResult::Joined {
                        family_id: membership.family_id,
                        family: membership.family_name,
                        role: membership.role,
                    },
                    Err(error) => TaskResult::Answered(vec![msg_for_error(error)]),
                },
            ),
            Task::CreateFamily { name, place } => {
                let created = self
                    .services
                    .create_family(actor, name, place.timezone.name(), place.country.code())
                    .await;
                Some(match created {
                    Ok(family_id) => TaskResult::FamilyCreated {
                        family_id,
                        name: name.trim().to_string(),
                        place: place.clone(),
                    },
                    Err(error) => TaskResult::Answered(vec![msg_for_error(error)]),
                })
            }
            _ => None,
        }
    }

    /// A person for someone the engine has just met, linked to the identity they spoke from, in the
    /// language their channel says they use.
    async fn new_person(&self, inbound: &Inbound) -> Result<i64, ServiceError> {
        let name = inbound
            .display_name
            .clone()
            .unwrap_or_else(|| inbound.external_id.clone());
        let language = first_language(inbound).tag();
        let person_id = self.services.create_person(&name, language).await?;
        self.services
            .link_identity(person_id, inbound.identity, &inbound.external_id, true)
            .await?;
        Ok(person_id)
    }
}

/// The language to meet someone in: their channel's (Slack knows it), else Spanish when the words
/// they opened with are Spanish ("crear familia López", "hola, quiero unirme"), else English.
fn first_language(inbound: &Inbound) -> Locale {
    if let Some(tag) = inbound.locale.as_deref() {
        return Locale::from_tag(tag);
    }
    const SPANISH: &[&str] = &[
        "crear", "crea", "familia", "quiero", "hola", "nueva", "unirme", "vivimos", "buenas",
        "buenos", "ayuda", "código", "codigo",
    ];
    let spanish = inbound
        .text
        .split_whitespace()
        .map(|w| crate::domain::fold(w.trim_matches(|c: char| !c.is_alphanumeric())))
        .any(|w| SPANISH.contains(&w.as_str()));
    if spanish {
        Locale::Es
    } else {
        Locale::En
    }
}
