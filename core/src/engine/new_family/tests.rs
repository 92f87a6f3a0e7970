//! Creating a family, one answer at a time:
//!
//! ```text
//! create family                 -> What is your family called?
//! Jones                         -> Where does the Jones family live?
//! London                        -> (the family is created in Britain, on London's time)
//! create family Jones in London -> (created at once)
//! create family Lopez (+52 …)   -> Does the Lopez family live in Mexico …? yes -> created
//! ```

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::domain::{emergency_numbers, Country};
use crate::engine::machine::{step, Event};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 8, 15, 0, 0)
        .single()
        .expect("a valid instant")
}

fn place(country: &str, zone: &str) -> Place {
    Place {
        country: Country::parse(country).expect("a country"),
        timezone: zone.parse().expect("a zone"),
    }
}

fn outside(hint: Option<PlaceHint>) -> Context {
    Context::outside_family(now(), Vec::new(), false).with_place_hint(hint)
}

fn guardian_in(zone: chrono_tz::Tz) -> Context {
    Context {
        now: now(),
        timezone: zone,
        emergency: Some(emergency_numbers("US")),
        children: vec![(1, "Emma".into())],
        day_first: false,
        role: Role::Guardian,
        families: vec![(3, "Garcia".into())],
        family_id: Some(3),
        asks_consent: false,
        place_hint: None,
    }
}

fn creates(name: &str, place: Place) -> Transition {
    (
        ConversationState::Idle,
        vec![Effect::Run(Task::CreateFamily {
            name: name.into(),
            place,
        })],
    )
}

fn waiting(name: Option<&str>, place: Option<Place>, question: Msg) -> Transition {
    (
        ConversationState::NewFamily {
            draft: FamilyDraft {
                name: name.map(Into::into),
                place,
                settled: false,
            },
            asked_at: now(),
        },
        vec![Effect::Say(question)],
    )
}

/// Plays messages from `state` and returns the last transition.
fn play(ctx: &Context, messages: &[&str]) -> Transition {
    let mut state = ConversationState::Idle;
    let mut last = (state.clone(), Vec::new());
    for (i, text) in messages.iter().enumerate() {
        let event = if i == 0 {
            Event::Said(parse(text, &Vocabulary { children: &[] }))
        } else {
            Event::Answer((*text).to_string())
        };
        last = step(&state, event, ctx);
        state = last.0.clone();
    }
    last
}

#[test]
fn a_family_is_created_where_it_lives() {
    let london = place("GB", "Europe/London");
    let mexico = place("MX", "America/Mexico_City");
    let none = outside(None);
    let from_mexican_phone = outside(Some(PlaceHint::Suggested(mexico.clone())));
    let slack_in_london = outside(Some(PlaceHint::Known(london.clone())));
    type Case<'a> = (&'a str, &'a Context, &'a [&'a str], Transition);
    let cases: Vec<Case> = vec![
        (
            "the place said with the name: created at once",
            &none,
            &["create family Jones in London"],
            creates("Jones", london.clone()),
        ),
        (
            "the name alone: where it lives is asked",
            &none,
            &["create family Jones"],
            waiting(
                Some("Jones"),
                None,
                Msg::FamilyPlaceQuestion {
                    family: "Jones".into(),
                },
            ),
        ),
        (
            "then a city answers it",
            &none,
            &["create family Jones", "London"],
            creates("Jones", london.clone()),
        ),
        (
            "or 'we live in ...'",
            &none,
            &["create family Jones", "we live in London, UK"],
            creates("Jones", london.clone()),
        ),
        (
            "no name: the name is asked first",
            &none,
            &["create a family"],
            waiting(None, None, Msg::FamilyNameQuestion),
        ),
        (
            "plain words start it too",
            &none,
            &["I'd like to set up my family"],
            waiting(None, None, Msg::FamilyNameQuestion),
        ),
        (
            "the name, then the place",
            &none,
            &["set up my family", "the Jones family", "Manchester"],
            creates("Jones", london.clone()),
        ),
        (
            "a place it does not know is asked again, saying so",
            &none,
            &["create family Jones", "Narnia"],
            (
                ConversationState::NewFamily {
                    draft: FamilyDraft {
                        name: Some("Jones".into()),
                        place: None,
                        settled: false,
                    },
                    asked_at: now(),
                },
                vec![
                    Effect::Say(Msg::PlaceUnknown {
                        said: "Narnia".into(),
                    }),
                    Effect::Say(Msg::FamilyPlaceQuestion {
                        family: "Jones".into(),
                    }),
                ],
            ),
        ),
        (
            "a Mexican number: Mexico is proposed, not taken",
            &from_mexican_phone,
            &["crear familia López"],
            waiting(
                Some("López"),
                Some(mexico.clone()),
                Msg::FamilyPlaceConfirm {
                    family: "López".into(),
                    place: mexico.clone(),
                },
            ),
        ),
        (
            "and taken on yes",
            &from_mexican_phone,
            &["crear familia López", "sí"],
            creates("López", mexico.clone()),
        ),
        (
            "no: where it lives is asked",
            &from_mexican_phone,
            &["crear familia López", "no"],
            waiting(
                Some("López"),
                None,
                Msg::FamilyPlaceQuestion {
                    family: "López".into(),
                },
            ),
        ),
        (
            "or another city answers it",
            &from_mexican_phone,
            &["crear familia López", "Bogotá"],
            creates("López", place("CO", "America/Bogota")),
        ),
        (
            "a Slack user's own time zone is taken",
            &slack_in_london,
            &["create family Jones"],
            creates("Jones", london.clone()),
        ),
        (
            "but what they say wins",
            &slack_in_london,
            &["create family Jones in Mexico City"],
            creates("Jones", mexico.clone()),
        ),
        (
            "a country of several zones is proposed at its main one",
            &none,
            &["create family Smith in the US"],
            waiting(
                Some("Smith"),
                Some(place("US", "America/New_York")),
                Msg::FamilyPlaceConfirm {
                    family: "Smith".into(),
                    place: place("US", "America/New_York"),
                },
            ),
        ),
        (
            "and a city settles it",
            &none,
            &["create family Smith in the US", "Chicago"],
            creates("Smith", place("US", "America/Chicago")),
        ),
        (
            "cancel leaves",
            &none,
            &["create family Jones", "cancel"],
            (
                ConversationState::Idle,
                vec![Effect::Say(Msg::FamilyNotCreated)],
            ),
        ),
        (
            "an invite code instead joins",
            &none,
            &["create a family", "join ABCDE-FGHJK"],
            (
                ConversationState::Idle,
                vec![Effect::Run(Task::JoinFamily {
                    code: "ABCDE-FGHJK".into(),
                })],
            ),
        ),
    ];
    for (what, ctx, messages, expected) in cases {
        assert_eq!(play(ctx, messages), expected, "{what}");
    }
}

#[test]
fn an_old_question_is_not_answered() {
    let ctx = outside(None);
    let (state, _) = play(&ctx, &["create family Jones"]);
    let later = Context {
        now: now() + chrono::Duration::minutes(QUESTION_TTL_MINUTES + 1),
        ..ctx
    };
    assert_eq!(
        step(&state, Event::Answer("London".into()), &later),
        (
            ConversationState::Idle,
            vec![Effect::Say(Msg::QuestionExpired)]
        )
    );
}

#[test]
fn a_guardian_says_where_the_family_lives() {
    let in_new_york = guardian_in(chrono_tz::America::New_York);
    let in_chicago = guardian_in(chrono_tz::America::Chicago);
    let nanny = Context {
        role: Role::Caregiver,
        ..guardian_in(chrono_tz::America::New_York)
    };
    let sets = |country: Option<&str>, zone: chrono_tz::Tz| {
        (
            ConversationState::Idle,
            vec![Effect::Run(Task::SetFamilyPlace {
                country: country.map(|c| Country::parse(c).expect("a country")),
                timezone: zone,
            })],
        )
    };
    let cases: Vec<(&str, &Context, Transition)> = vec![
        (
            "we live in London",
            &in_new_york,
            sets(Some("GB"), chrono_tz::Europe::London),
        ),
        (
            "país México",
            &in_new_york,
            sets(Some("MX"), chrono_tz::America::Mexico_City),
        ),
        (
            "time zone Europe/London",
            &in_new_york,
            sets(None, chrono_tz::Europe::London),
        ),
        (
            "zona horaria America/Bogota",
            &in_new_york,
            sets(None, chrono_tz::America::Bogota),
        ),
        // A country of several zones keeps the family's own zone when it is in that country.
        (
            "we live in the US",
            &in_chicago,
            sets(Some("US"), chrono_tz::America::Chicago),
        ),
        (
            "we live in Narnia",
            &in_new_york,
            (
                ConversationState::Idle,
                vec![Effect::Say(Msg::PlaceUnknown {
                    said: "Narnia".into(),
                })],
            ),
        ),
        (
            "time zone Mars/Olympus",
            &in_new_york,
            (
                ConversationState::Idle,
                vec![Effect::Say(Msg::ZoneUnknown {
                    said: "Mars/Olympus".into(),
                })],
            ),
        ),
        (
            "we live in London",
            &nanny,
            (
                ConversationState::Idle,
                vec![Effect::Run(Task::Refused {
                    permission: crate::auth::Permission::ManageMembers,
                    child_id: None,
                    reply: Msg::GuardiansOnly,
                })],
            ),
        ),
    ];
    for (text, ctx, expected) in cases {
        let command = parse(
            text,
            &Vocabulary {
                children: &["Emma".to_string()],
            },
        );
        assert_eq!(
            step(&ConversationState::Idle, Event::Said(command), ctx),
            expected,
            "{text}"
        );
    }
}
