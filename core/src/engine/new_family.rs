//! Creating a family and saying where it lives, as part of the pure machine.
//!
//! Where a family lives decides the emergency number it is told and the time on every dose, so it
//! is never silently assumed: a family is created with the place said ("create family Jones in
//! London"), the place its channel knows (a Slack user's time zone), or, after asking, the place
//! its guardian says — a WhatsApp number's country code is only proposed ("Is the family in
//! Mexico?"), never taken. A guardian changes it later with "we live in ..." or "time zone ...".
//! Table-tested in `new_family/tests.rs`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::command::{parse, Command, Vocabulary};
use super::machine::{Context, ConversationState, Effect, Task, QUESTION_TTL_MINUTES};
use crate::domain::{read_place, zone_named, Place, PlaceReading, Role};
use crate::messages::Msg;

#[cfg(test)]
mod tests;

type Transition = (ConversationState, Vec<Effect>);

/// What the channel knows about where someone is, for a family they create.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceHint {
    /// Their own setting says it (a Slack user's time zone): taken, shown, changeable.
    Known(Place),
    /// Only suggested (a phone number's country code): proposed, and taken only after a "yes".
    Suggested(Place),
}

/// A family being created: what is known of it so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyDraft {
    pub name: Option<String>,
    pub place: Option<Place>,
    /// The place is the family's (said, or the person's own setting), not only proposed.
    pub settled: bool,
}

/// "create family ...": what is known goes into the draft, and the first thing missing is asked.
pub(super) fn start(name: &str, place: Option<&str>, ctx: &Context) -> Transition {
    let name = clean(name);
    let mut draft = FamilyDraft {
        name: (!name.is_empty()).then_some(name),
        place: None,
        settled: false,
    };
    match ctx.place_hint.clone() {
        Some(PlaceHint::Known(place)) => {
            draft.place = Some(place);
            draft.settled = true;
        }
        Some(PlaceHint::Suggested(place)) => draft.place = Some(place),
        None => {}
    }
    if let Some(said) = place {
        match read_place(said) {
            PlaceReading::Exact(place) => {
                draft.place = Some(place);
                draft.settled = true;
            }
            PlaceReading::Country(place) => {
                draft.place = Some(place);
                draft.settled = false;
            }
            // The words after "in" were not a place: they are part of the name after all
            // ("create family Smith in the Valley" is asked where it lives).
            PlaceReading::Unknown => {
                if let Some(name) = &mut draft.name {
                    *name = clean(&format!("{name} in {said}"));
                }
            }
        }
    }
    next(draft, ctx)
}

/// A message while a family is being created: the answer to what was asked, unless it says
/// something else (joining with a code, cancelling, creating another).
pub(super) fn answer(
    draft: &FamilyDraft,
    asked_at: DateTime<Utc>,
    text: &str,
    ctx: &Context,
) -> Transition {
    let command = parse(text, &Vocabulary { children: &[] });
    let expired = ctx.now - asked_at > Duration::minutes(QUESTION_TTL_MINUTES);
    let bare = text.trim().trim_end_matches(['.', '!']).to_lowercase();
    if super::forms::is_cancel(&bare) {
        return (
            ConversationState::Idle,
            vec![Effect::Say(Msg::FamilyNotCreated)],
        );
    }
    match command {
        Command::Join { code } => {
            return (
                ConversationState::Idle,
                vec![Effect::Run(Task::JoinFamily { code })],
            )
        }
        Command::CreateFamily { name, place } => return start(&name, place.as_deref(), ctx),
        Command::Help => return ask(draft.clone(), ctx),
        _ if expired => {
            return (
                ConversationState::Idle,
                vec![Effect::Say(Msg::QuestionExpired)],
            )
        }
        _ => {}
    }
    let mut draft = draft.clone();
    if draft.name.is_none() {
        let name = clean(text);
        if name.is_empty() || name.chars().count() > 80 || matches!(command, Command::No) {
            return ask(draft, ctx);
        }
        draft.name = Some(name);
        return next(draft, ctx);
    }
    match (&draft.place, draft.settled, command) {
        (Some(_), false, Command::Yes | Command::Choose(1)) => draft.settled = true,
        (Some(_), false, Command::No | Command::Choose(2)) => draft.place = None,
        _ => {
            let said = where_said(text);
            match read_place(&said) {
                PlaceReading::Exact(place) => {
                    draft.place = Some(place);
                    draft.settled = true;
                }
                PlaceReading::Country(place) => {
                    draft.place = Some(place);
                    draft.settled = false;
                }
                PlaceReading::Unknown => {
                    let (state, mut effects) = ask(draft, ctx);
                    effects.insert(0, Effect::Say(Msg::PlaceUnknown { said }));
                    return (state, effects);
                }
            }
        }
    }
    next(draft, ctx)
}

/// The family's result once created: into it, with where it lives and what to do first.
pub(super) fn created(family_id: i64, name: String, place: Place, ctx: &Context) -> Transition {
    let mut effects = vec![
        Effect::UseFamily { family_id },
        Effect::Say(Msg::FamilyCreated { name, place }),
    ];
    if ctx.asks_consent {
        effects.push(Effect::Say(Msg::AssistantConsentQuestion));
    }
    (ConversationState::Idle, effects)
}

/// "we live in London" / "time zone Europe/London" in a family (guardians).
pub(super) fn set_place(command: Command, ctx: &Context) -> Transition {
    let say = |msg| (ConversationState::Idle, vec![Effect::Say(msg)]);
    if ctx.role != Role::Guardian {
        // Audited as the call would be (see `Task::Refused`).
        return (
            ConversationState::Idle,
            vec![Effect::Run(Task::Refused {
                permission: crate::auth::Permission::ManageMembers,
                child_id: None,
                reply: Msg::GuardiansOnly,
            })],
        );
    }
    match command {
        Command::SetTimezone { zone } => match zone_named(&zone).or_else(|| {
            // "time zone London": the city's zone.
            match read_place(&zone) {
                PlaceReading::Exact(place) => Some(place.timezone),
                _ => None,
            }
        }) {
            Some(timezone) => run(Task::SetFamilyPlace {
                country: None,
                timezone,
            }),
            None => say(Msg::ZoneUnknown { said: zone }),
        },
        Command::SetPlace { place } => match read_place(&place) {
            PlaceReading::Exact(found) => run(Task::SetFamilyPlace {
                country: Some(found.country),
                timezone: found.timezone,
            }),
            // A country of several zones: the family's own zone when it is in that country
            // (a family in Chicago saying "we live in the US" stays on Chicago's time).
            PlaceReading::Country(found) => {
                let timezone = match Place::of_zone(ctx.timezone) {
                    Some(current) if current.country == found.country => ctx.timezone,
                    _ => found.timezone,
                };
                run(Task::SetFamilyPlace {
                    country: Some(found.country),
                    timezone,
                })
            }
            PlaceReading::Unknown => say(Msg::PlaceUnknown { said: place }),
        },
        _ => say(Msg::NotUnderstood),
    }
}

/// Create it when nothing is missing; otherwise ask for what is.
fn next(draft: FamilyDraft, ctx: &Context) -> Transition {
    match (&draft.name, &draft.place, draft.settled) {
        (Some(name), Some(place), true) => run(Task::CreateFamily {
            name: name.clone(),
            place: place.clone(),
        }),
        _ => ask(draft, ctx),
    }
}

fn ask(draft: FamilyDraft, ctx: &Context) -> Transition {
    let question = match (&draft.name, &draft.place) {
        (None, _) => Msg::FamilyNameQuestion,
        (Some(name), Some(place)) => Msg::FamilyPlaceConfirm {
            family: name.clone(),
            place: place.clone(),
        },
        (Some(name), None) => Msg::FamilyPlaceQuestion {
            family: name.clone(),
        },
    };
    (
        ConversationState::NewFamily {
            draft,
            asked_at: ctx.now,
        },
        vec![Effect::Say(question)],
    )
}

fn run(task: Task) -> Transition {
    (ConversationState::Idle, vec![Effect::Run(task)])
}

/// A family's name as said: "the Jones family" is Jones.
fn clean(name: &str) -> String {
    let name = name
        .trim()
        .trim_matches(|c: char| matches!(c, ':' | ',' | '.' | '!' | '"' | '“' | '”'))
        .trim();
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| {
            !matches!(
                w.to_lowercase().as_str(),
                "family" | "familia" | "the" | "la" | "los" | "las"
            )
        })
        .collect();
    words.join(" ")
}

/// The place in an answer: "we live in London", "in London", "en Bogotá", "London".
fn where_said(text: &str) -> String {
    let text = text.trim().trim_end_matches(['.', '!']);
    let lower = crate::domain::fold(text);
    for lead in [
        "we live in ",
        "we're in ",
        "we are in ",
        "we're based in ",
        "in ",
        "vivimos en ",
        "estamos en ",
        "en ",
        "near ",
    ] {
        if lower.starts_with(lead) {
            return text.chars().skip(lead.chars().count()).collect();
        }
    }
    text.to_string()
}
