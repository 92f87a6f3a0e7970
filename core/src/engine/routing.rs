//! Which family a conversation is in, as part of the pure state machine: choosing one by number or
//! by name, and what a person outside any family can do (join one, create one, choose one).
//!
//! The runner only finds the person's families and the one their conversation was in; every
//! decision about them is made here, so it is table-tested like the rest of `step`.

use super::command::{parse, Command, Vocabulary};
use super::machine::{Context, ConversationState, Effect, Event, Task};
use super::new_family;
use crate::messages::Msg;

type Transition = (ConversationState, Vec<Effect>);

/// A turn while the person is in no family yet (someone new) or in several with none chosen.
pub(super) fn outside_family(state: &ConversationState, event: Event, ctx: &Context) -> Transition {
    if let (ConversationState::NewFamily { draft, asked_at }, Event::Answer(text)) = (state, &event)
    {
        return new_family::answer(draft, *asked_at, text, ctx);
    }
    let command = match event {
        Event::Said(command) => command,
        // No form is filled in outside a family: the words are read as words.
        Event::Answer(text) => parse(&text, &Vocabulary { children: &[] }),
        // A modal, the model's words, a red flag or a task's result do not come here (see
        // `step`); a modal without a family is answered like any other message.
        Event::Submitted(_) | Event::Assistant(_) | Event::Emergency { .. } | Event::Done(_) => {
            Command::Empty
        }
    };
    match (state, command) {
        (_, Command::Join { code }) => run(Task::JoinFamily { code }),
        (_, Command::CreateFamily { name, place }) => {
            new_family::start(&name, place.as_deref(), ctx)
        }
        (ConversationState::ChooseFamily { options }, Command::Choose(n)) => {
            choose(state, options, n)
        }
        (_, Command::SwitchFamily { name }) => pick(name.as_deref(), ctx),
        // Anything else needs a family first: which one, or how to get one.
        _ => ask(ctx),
    }
}

/// The answer to "which family?": the family at that number, or the question stays.
pub(super) fn choose(state: &ConversationState, options: &[(i64, String)], n: usize) -> Transition {
    match options.get(n.wrapping_sub(1)) {
        Some((family_id, name)) => (
            ConversationState::Idle,
            vec![
                Effect::UseFamily {
                    family_id: *family_id,
                },
                Effect::Say(Msg::FamilyChosen { name: name.clone() }),
            ],
        ),
        None => (state.clone(), vec![Effect::Say(Msg::NotUnderstood)]),
    }
}

/// "switch family [name]": the family of that name when exactly one has it, otherwise the list.
pub(super) fn pick(name: Option<&str>, ctx: &Context) -> Transition {
    let wanted = name.map(|n| n.trim().to_lowercase());
    if let Some(wanted) = wanted.filter(|w| !w.is_empty()) {
        let matching: Vec<&(i64, String)> = ctx
            .families
            .iter()
            .filter(|(_, family)| family.to_lowercase() == wanted)
            .collect();
        if let [(family_id, family)] = matching.as_slice() {
            return (
                ConversationState::Idle,
                vec![
                    Effect::UseFamily {
                        family_id: *family_id,
                    },
                    Effect::Say(Msg::FamilyChosen {
                        name: family.clone(),
                    }),
                ],
            );
        }
    }
    ask(ctx)
}

/// Ask which family, or say how to get one when there is none.
fn ask(ctx: &Context) -> Transition {
    if ctx.families.is_empty() {
        return (ConversationState::Idle, vec![Effect::Say(Msg::NoFamily)]);
    }
    (
        ConversationState::ChooseFamily {
            options: ctx.families.clone(),
        },
        vec![Effect::Say(Msg::ChooseFamily {
            options: ctx.families.iter().map(|(_, n)| n.clone()).collect(),
        })],
    )
}

fn run(task: Task) -> Transition {
    (ConversationState::Idle, vec![Effect::Run(task)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{emergency_numbers, Role};
    use crate::engine::machine::{step, TaskResult};
    use crate::screen::{Category, RedFlag};
    use chrono::{DateTime, TimeZone, Utc};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, 0)
            .single()
            .expect("a valid instant")
    }

    fn madrid() -> crate::domain::Place {
        crate::domain::Place {
            country: crate::domain::Country::parse("ES").expect("Spain"),
            timezone: chrono_tz::Europe::Madrid,
        }
    }

    fn two_families() -> Vec<(i64, String)> {
        vec![(3, "Garcia".into()), (4, "Smith".into())]
    }

    fn in_garcia() -> Context {
        Context {
            now: now(),
            timezone: chrono_tz::America::New_York,
            emergency: Some(emergency_numbers("US")),
            children: vec![(1, "Emma".into())],
            day_first: false,
            role: Role::Guardian,
            families: two_families(),
            family_id: Some(3),
            asks_consent: false,
            place_hint: None,
        }
    }

    fn chose(family_id: i64, name: &str) -> Vec<Effect> {
        vec![
            Effect::UseFamily { family_id },
            Effect::Say(Msg::FamilyChosen { name: name.into() }),
        ]
    }

    fn asked() -> (ConversationState, Vec<Effect>) {
        (
            ConversationState::ChooseFamily {
                options: two_families(),
            },
            vec![Effect::Say(Msg::ChooseFamily {
                options: vec!["Garcia".into(), "Smith".into()],
            })],
        )
    }

    #[test]
    fn routing_between_families_and_into_one() {
        use ConversationState as S;
        let new_person = Context::outside_family(now(), Vec::new(), false);
        let undecided = Context::outside_family(now(), two_families(), false);
        let garcia = in_garcia();
        let choosing = S::ChooseFamily {
            options: two_families(),
        };
        let said = |command| Event::Said(command);
        type Case<'a> = (&'a str, S, Event, &'a Context, Transition);
        let cases: Vec<Case> = vec![
            (
                "someone new is told how to get a family",
                S::Idle,
                Event::Answer("hello".into()),
                &new_person,
                (S::Idle, vec![Effect::Say(Msg::NoFamily)]),
            ),
            (
                "someone new may join with a code",
                S::Idle,
                said(Command::Join {
                    code: "ABC123".into(),
                }),
                &new_person,
                (
                    S::Idle,
                    vec![Effect::Run(Task::JoinFamily {
                        code: "ABC123".into(),
                    })],
                ),
            ),
            (
                "someone new may create a family",
                S::Idle,
                said(Command::CreateFamily {
                    name: "Garcia".into(),
                    place: Some("Madrid".into()),
                }),
                &new_person,
                (
                    S::Idle,
                    vec![Effect::Run(Task::CreateFamily {
                        name: "Garcia".into(),
                        place: madrid(),
                    })],
                ),
            ),
            (
                "in two families with none chosen, anything asks which",
                S::Idle,
                said(Command::Help),
                &undecided,
                asked(),
            ),
            (
                "a number answers the question",
                choosing.clone(),
                said(Command::Choose(2)),
                &undecided,
                (S::Idle, chose(4, "Smith")),
            ),
            (
                "a number out of range keeps the question",
                choosing.clone(),
                said(Command::Choose(3)),
                &undecided,
                (choosing.clone(), vec![Effect::Say(Msg::NotUnderstood)]),
            ),
            (
                "the number is read from a typed answer too",
                choosing.clone(),
                Event::Answer("1".into()),
                &undecided,
                (S::Idle, chose(3, "Garcia")),
            ),
            (
                "a family named is chosen without a number",
                S::Idle,
                said(Command::SwitchFamily {
                    name: Some("smith".into()),
                }),
                &undecided,
                (S::Idle, chose(4, "Smith")),
            ),
            (
                "a family not theirs lists theirs",
                S::Idle,
                said(Command::SwitchFamily {
                    name: Some("Jones".into()),
                }),
                &garcia,
                asked(),
            ),
            (
                "in a family, switching without a name lists them",
                S::Idle,
                said(Command::SwitchFamily { name: None }),
                &garcia,
                asked(),
            ),
            (
                "in a family, a code joins another one",
                S::Idle,
                said(Command::Join { code: "XYZ".into() }),
                &garcia,
                (
                    S::Idle,
                    vec![Effect::Run(Task::JoinFamily { code: "XYZ".into() })],
                ),
            ),
            (
                "a modal sent outside a family asks which family",
                S::Idle,
                Event::Submitted(Box::new(crate::engine::forms::Form::AddChild(
                    crate::engine::forms::ChildDraft {
                        name: Some("Mia".into()),
                        birth_date: None,
                    },
                ))),
                &undecided,
                asked(),
            ),
        ];
        for (name, state, event, ctx, expected) in cases {
            assert_eq!(step(&state, event, ctx), expected, "{name}");
        }
    }

    #[test]
    fn joining_or_creating_puts_the_conversation_in_that_family() {
        let new_person = Context::outside_family(now(), Vec::new(), false);
        let joined = TaskResult::Joined {
            family_id: 9,
            family: "Garcia".into(),
            role: Role::Caregiver,
        };
        assert_eq!(
            step(&ConversationState::Idle, Event::Done(joined), &new_person),
            (
                ConversationState::Idle,
                vec![
                    Effect::UseFamily { family_id: 9 },
                    Effect::Say(Msg::Joined {
                        family: "Garcia".into(),
                        role: "caregiver".into(),
                    }),
                ],
            )
        );
        let created = || TaskResult::FamilyCreated {
            family_id: 9,
            name: "Garcia".into(),
            place: madrid(),
        };
        let (_, effects) = step(
            &ConversationState::Idle,
            Event::Done(created()),
            &new_person,
        );
        assert_eq!(
            effects,
            vec![
                Effect::UseFamily { family_id: 9 },
                Effect::Say(Msg::FamilyCreated {
                    name: "Garcia".into(),
                    place: madrid(),
                }),
            ]
        );
        // With a model configured, the new family's guardian is asked for consent to it.
        let with_model = Context::outside_family(now(), Vec::new(), true);
        let (_, effects) = step(
            &ConversationState::Idle,
            Event::Done(created()),
            &with_model,
        );
        assert_eq!(
            effects.last(),
            Some(&Effect::Say(Msg::AssistantConsentQuestion))
        );
    }

    #[test]
    fn an_emergency_outside_a_family_is_answered_without_numbers_or_alerts() {
        let flag = RedFlag {
            categories: vec![Category::Breathing],
        };
        let choosing = ConversationState::ChooseFamily {
            options: two_families(),
        };
        let undecided = Context::outside_family(now(), two_families(), false);
        let (next, effects) = step(
            &choosing,
            Event::Emergency {
                flag: flag.clone(),
                child_id: None,
            },
            &undecided,
        );
        // The question about the family stays for after the emergency.
        assert_eq!(next, choosing);
        assert_eq!(
            effects,
            vec![Effect::Say(Msg::Emergency {
                flag,
                numbers: None
            })]
        );
    }
}
