use super::*;
use crate::domain::{emergency_numbers, DoseUnit};
use crate::screen::Category;
use chrono::TimeZone;

fn ctx_at(now: DateTime<Utc>) -> Context {
    Context {
        now,
        timezone: chrono_tz::America::New_York,
        emergency: Some(emergency_numbers("US")),
        children: vec![(1, "Emma".into()), (2, "Leo".into())],
        day_first: false,
        role: Role::Guardian,
        families: vec![(7, "Garcia".into())],
        family_id: Some(7),
        asks_consent: false,
        place_hint: None,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 18, 0, 0)
        .single()
        .expect("valid") // 13:00 in New York
}

fn ml5() -> DoseAmount {
    DoseAmount {
        value: 5.0,
        unit: DoseUnit::Ml,
    }
}

fn request() -> DoseRequest {
    DoseRequest {
        child_id: 1,
        medication_id: 7,
        amount: ml5(),
        given_at: None,
        confirmed_extra: false,
        override_unchecked: false,
        source_key: None,
    }
}

#[test]
fn transitions() {
    let ctx = ctx_at(now());
    let poisoning = RedFlag {
        categories: vec![Category::Poisoning],
    };
    let pending = ConversationState::ConfirmExtraDose {
        request: request(),
        asked_at: now() - Duration::minutes(1),
    };
    let stale = ConversationState::ConfirmExtraDose {
        request: request(),
        asked_at: now() - Duration::minutes(16),
    };
    let unchecked = ConversationState::ConfirmUncheckedDose {
        request: request(),
        asked_at: now() - Duration::minutes(1),
    };
    let cannot_check = Msg::CannotCheckDose {
        child: "Emma".into(),
        medication: "Tylenol".into(),
        logging: true,
        guardian_may_override: true,
    };
    let give = |child: Option<&str>| Command::GiveDose {
        child: child.map(str::to_string),
        amount: Ok(ml5()),
        medication: "Tylenol".into(),
        at: None,
    };
    let log_emma = Effect::Run(Task::LogDose {
        child_id: 1,
        medication: MedicationRef::Named("Tylenol".into()),
        amount: ml5(),
        at: None,
    });
    let cases: Vec<(
        &str,
        ConversationState,
        Event,
        ConversationState,
        Vec<Effect>,
    )> = vec![
        (
            "a dose is handed to the runner",
            ConversationState::Idle,
            Event::Said(give(Some("Emma"))),
            ConversationState::Idle,
            vec![log_emma.clone()],
        ),
        (
            "no child named with two children: ask",
            ConversationState::Idle,
            Event::Said(give(None)),
            ConversationState::Idle,
            vec![Effect::Say(Msg::WhichChild {
                known: vec!["Emma".into(), "Leo".into()],
            })],
        ),
        (
            "a rule broken: ask and wait",
            ConversationState::Idle,
            Event::Done(TaskResult::NeedsConfirmation {
                request: request(),
                question: Msg::ExtraDoseNotLogged,
            }),
            ConversationState::ConfirmExtraDose {
                request: request(),
                asked_at: now(),
            },
            vec![Effect::Say(Msg::ExtraDoseNotLogged)],
        ),
        (
            "yes logs it, confirmed",
            pending.clone(),
            Event::Said(Command::Yes),
            ConversationState::Idle,
            vec![Effect::Run(Task::ConfirmExtraDose(DoseRequest {
                confirmed_extra: true,
                source_key: None,
                ..request()
            }))],
        ),
        (
            "no logs nothing",
            pending.clone(),
            Event::Said(Command::No),
            ConversationState::Idle,
            vec![Effect::Say(Msg::ExtraDoseNotLogged)],
        ),
        (
            "can't check, for a guardian: ask whether to log it unchecked, and wait",
            ConversationState::Idle,
            Event::Done(TaskResult::NeedsOverride {
                request: request(),
                question: cannot_check.clone(),
            }),
            ConversationState::ConfirmUncheckedDose {
                request: request(),
                asked_at: now(),
            },
            vec![Effect::Say(cannot_check)],
        ),
        (
            "yes logs it unchecked, by override",
            unchecked.clone(),
            Event::Said(Command::Yes),
            ConversationState::Idle,
            vec![Effect::Run(Task::ConfirmExtraDose(DoseRequest {
                override_unchecked: true,
                source_key: None,
                ..request()
            }))],
        ),
        (
            "no to the unchecked dose logs nothing",
            unchecked.clone(),
            Event::Said(Command::Choose(2)),
            ConversationState::Idle,
            vec![Effect::Say(Msg::ExtraDoseNotLogged)],
        ),
        (
            "a stale yes to an unchecked dose logs nothing",
            ConversationState::ConfirmUncheckedDose {
                request: request(),
                asked_at: now() - Duration::minutes(16),
            },
            Event::Said(Command::Yes),
            ConversationState::Idle,
            vec![Effect::Say(Msg::QuestionExpired)],
        ),
        (
            "another command drops the unchecked question, saying so",
            unchecked,
            Event::Said(Command::Help),
            ConversationState::Idle,
            vec![
                Effect::Say(Msg::QuestionDropped),
                Effect::Say(Msg::Help {
                    children: vec!["Emma".into(), "Leo".into()],
                }),
            ],
        ),
        (
            "a stale yes logs nothing",
            stale,
            Event::Said(Command::Yes),
            ConversationState::Idle,
            vec![Effect::Say(Msg::QuestionExpired)],
        ),
        (
            "another command drops the question, saying so",
            pending.clone(),
            Event::Said(give(Some("Emma"))),
            ConversationState::Idle,
            vec![Effect::Say(Msg::QuestionDropped), log_emma],
        ),
        (
            "an emergency is answered at once, even mid-question, then the guardians alerted",
            pending,
            Event::Emergency {
                flag: poisoning.clone(),
                child_id: Some(2),
            },
            ConversationState::Idle,
            vec![
                Effect::Say(Msg::Emergency {
                    flag: poisoning.clone(),
                    numbers: Some(emergency_numbers("US")),
                }),
                Effect::Run(Task::RaiseEmergency {
                    flag: poisoning.clone(),
                    child_id: Some(2),
                }),
            ],
        ),
        (
            "a weight for a named child is recorded",
            ConversationState::Idle,
            Event::Said(Command::Growth {
                child: Some("Leo".into()),
                kind: GrowthKind::Weight,
                value: 10.5,
            }),
            ConversationState::Idle,
            vec![Effect::Run(Task::LogGrowth {
                child_id: 2,
                kind: GrowthKind::Weight,
                value: 10.5,
            })],
        ),
        (
            "a height without a child asks which",
            ConversationState::Idle,
            Event::Said(Command::Growth {
                child: None,
                kind: GrowthKind::Height,
                value: 80.0,
            }),
            ConversationState::Idle,
            vec![Effect::Say(Msg::WhichChild {
                known: vec!["Emma".into(), "Leo".into()],
            })],
        ),
        (
            "yes with nothing pending",
            ConversationState::Idle,
            Event::Said(Command::Yes),
            ConversationState::Idle,
            vec![Effect::Say(Msg::NotUnderstood)],
        ),
        (
            "a choice of medication runs the dose",
            ConversationState::ChooseMedication {
                child_id: 1,
                options: vec![(7, "A".into()), (8, "B".into())],
                dose: Some(PendingDose {
                    amount: ml5(),
                    at: None,
                }),
                asked_at: now(),
            },
            Event::Said(Command::Choose(2)),
            ConversationState::Idle,
            vec![Effect::Run(Task::LogDose {
                child_id: 1,
                medication: MedicationRef::Id(8),
                amount: ml5(),
                at: None,
            })],
        ),
        (
            "a bad amount is refused before anything runs",
            ConversationState::Idle,
            Event::Said(Command::GiveDose {
                child: Some("Emma".into()),
                amount: Err(crate::domain::AmountError::NotPositive),
                medication: "x".into(),
                at: None,
            }),
            ConversationState::Idle,
            vec![Effect::Say(Msg::BadAmount(
                crate::domain::AmountError::NotPositive,
            ))],
        ),
        (
            "family choice",
            ConversationState::ChooseFamily {
                options: vec![(3, "Garcia".into()), (4, "Smith".into())],
            },
            Event::Said(Command::Choose(2)),
            ConversationState::Idle,
            vec![
                Effect::UseFamily { family_id: 4 },
                Effect::Say(Msg::FamilyChosen {
                    name: "Smith".into(),
                }),
            ],
        ),
    ];
    for (name, state, event, expected_state, expected_effects) in cases {
        let (next, effects) = step(&state, event, &ctx);
        assert_eq!(next, expected_state, "{name}");
        assert_eq!(effects, expected_effects, "{name}");
    }
}

#[test]
fn keeping_the_record_current_asks_before_what_is_hard_to_undo() {
    let guardian = ctx_at(now());
    let nanny = Context {
        role: Role::Caregiver,
        ..ctx_at(now())
    };
    let stop_asked = |minutes_ago: i64| ConversationState::ConfirmChange {
        change: Confirmable::StopMedication {
            child_id: 2,
            medication_id: 9,
        },
        asked_at: now() - Duration::minutes(minutes_ago),
    };
    let stop_leo = Command::Course {
        change: CourseChange::Stop,
        child: Some("Leo".into()),
        medication: "amoxicillin".into(),
    };
    type Case<'a> = (
        &'a str,
        &'a Context,
        ConversationState,
        Event,
        ConversationState,
        Vec<Effect>,
    );
    let cases: Vec<Case> = vec![
        (
            "a guardian's stop goes to the runner, which finds the medicine and asks",
            &guardian,
            ConversationState::Idle,
            Event::Said(stop_leo.clone()),
            ConversationState::Idle,
            vec![Effect::Run(Task::ChangeCourse {
                child_id: Some(2),
                medication: "amoxicillin".into(),
                change: CourseChange::Stop,
            })],
        ),
        (
            "a caregiver is told only guardians change a course (and it is audited)",
            &nanny,
            ConversationState::Idle,
            Event::Said(stop_leo),
            ConversationState::Idle,
            vec![Effect::Run(Task::Refused {
                permission: crate::auth::Permission::ManageChildren,
                child_id: None,
                reply: Msg::GuardiansOnly,
            })],
        ),
        (
            "a caregiver does not manage members",
            &nanny,
            ConversationState::Idle,
            Event::Said(Command::Members),
            ConversationState::Idle,
            vec![Effect::Run(Task::Refused {
                permission: crate::auth::Permission::ManageMembers,
                child_id: None,
                reply: Msg::GuardiansOnly,
            })],
        ),
        (
            "pause with no medicine named says how",
            &guardian,
            ConversationState::Idle,
            Event::Said(Command::Course {
                change: CourseChange::Pause,
                child: None,
                medication: String::new(),
            }),
            ConversationState::Idle,
            vec![Effect::Say(Msg::CourseUsage {
                change: CourseChange::Pause,
            })],
        ),
        (
            "yes stops it",
            &guardian,
            stop_asked(1),
            Event::Said(Command::Yes),
            ConversationState::Idle,
            vec![Effect::Run(Task::Confirmed(Confirmable::StopMedication {
                child_id: 2,
                medication_id: 9,
            }))],
        ),
        (
            "no changes nothing",
            &guardian,
            stop_asked(1),
            Event::Said(Command::No),
            ConversationState::Idle,
            vec![Effect::Say(Msg::NothingChanged)],
        ),
        (
            "an old yes changes nothing",
            &guardian,
            stop_asked(16),
            Event::Said(Command::Yes),
            ConversationState::Idle,
            vec![Effect::Say(Msg::ChangeExpired)],
        ),
        (
            "anything else drops the question and is handled",
            &guardian,
            stop_asked(1),
            Event::Said(Command::Members),
            ConversationState::Idle,
            vec![
                Effect::Say(Msg::QuestionDropped),
                Effect::Run(Task::ListMembers),
            ],
        ),
        (
            "the children a caregiver looks after are resolved before anything runs",
            &guardian,
            ConversationState::Idle,
            Event::Said(Command::Assign {
                member: "Maya".into(),
                children: vec!["Emma".into(), "Leo".into()],
                assign: true,
            }),
            ConversationState::Idle,
            vec![Effect::Run(Task::Assign {
                member: "Maya".into(),
                child_ids: vec![1, 2],
                assign: true,
            })],
        ),
        (
            "an unknown child assigns nobody",
            &guardian,
            ConversationState::Idle,
            Event::Said(Command::Assign {
                member: "Maya".into(),
                children: vec!["Emma".into(), "Nico".into()],
                assign: true,
            }),
            ConversationState::Idle,
            vec![Effect::Say(Msg::UnknownChild {
                name: "Nico".into(),
                known: vec!["Emma".into(), "Leo".into()],
            })],
        ),
        (
            "a role not understood is asked about",
            &guardian,
            ConversationState::Idle,
            Event::Said(Command::SetRole {
                member: "Luis".into(),
                role: None,
            }),
            ConversationState::Idle,
            vec![Effect::Say(Msg::WhichRoleFor {
                member: "Luis".into(),
            })],
        ),
        (
            "a revocation is looked up (and then asked about)",
            &guardian,
            ConversationState::Idle,
            Event::Said(Command::Revoke {
                member: "Maya".into(),
            }),
            ConversationState::Idle,
            vec![Effect::Run(Task::Revoke {
                member: "Maya".into(),
            })],
        ),
    ];
    for (name, ctx, state, event, expected_state, expected_effects) in cases {
        let (next, effects) = step(&state, event, ctx);
        assert_eq!(next, expected_state, "{name}");
        assert_eq!(effects, expected_effects, "{name}");
    }
    // The runner's question becomes the waiting state.
    let (next, effects) = step(
        &ConversationState::Idle,
        Event::Done(TaskResult::NeedsYes {
            change: Confirmable::RevokeMember { member_id: 4 },
            question: Msg::ConfirmRevoke {
                member: "Maya".into(),
            },
        }),
        &guardian,
    );
    assert_eq!(
        next,
        ConversationState::ConfirmChange {
            change: Confirmable::RevokeMember { member_id: 4 },
            asked_at: now(),
        }
    );
    assert_eq!(
        effects,
        vec![Effect::Say(Msg::ConfirmRevoke {
            member: "Maya".into()
        })]
    );
}

#[test]
fn local_times_follow_the_family_zone_and_dst() {
    // 13:00 in New York: "at 9:30" is today 14:30 UTC; "at 23:00" is yesterday.
    let ctx = ctx_at(now());
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid");
    assert_eq!(
        local_time_to_utc(t(9, 30), &ctx),
        Ok(Utc
            .with_ymd_and_hms(2026, 3, 2, 14, 30, 0)
            .single()
            .expect("v"))
    );
    assert_eq!(
        local_time_to_utc(t(23, 0), &ctx),
        Ok(Utc
            .with_ymd_and_hms(2026, 3, 2, 4, 0, 0)
            .single()
            .expect("v"))
    );
    // Spring forward (2026-03-08): 02:30 does not exist in New York.
    let spring = ctx_at(
        Utc.with_ymd_and_hms(2026, 3, 8, 12, 0, 0)
            .single()
            .expect("v"),
    );
    assert_eq!(
        local_time_to_utc(t(2, 30), &spring),
        Err(Msg::NonexistentLocalTime("02:30".into()))
    );
    // Fall back (2026-11-01): 01:30 happens twice; the later one (EST, 06:30 UTC) is taken.
    let fall = ctx_at(
        Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
            .single()
            .expect("v"),
    );
    assert_eq!(
        local_time_to_utc(t(1, 30), &fall),
        Ok(Utc
            .with_ymd_and_hms(2026, 11, 1, 6, 30, 0)
            .single()
            .expect("v"))
    );
}

#[test]
fn state_serializes_as_tagged_json() {
    let state = ConversationState::ConfirmExtraDose {
        request: request(),
        asked_at: now(),
    };
    let json = serde_json::to_string(&state).expect("serializes");
    assert!(json.contains("\"state\":\"confirm_extra_dose\""), "{json}");
    assert_eq!(
        serde_json::from_str::<ConversationState>(&json).expect("parses"),
        state
    );
}

#[test]
fn a_whole_form_is_saved_for_whoever_may_and_leaves_a_waiting_question_alone() {
    let form = Form::AddChild(forms::ChildDraft {
        name: Some("Mia".into()),
        birth_date: chrono::NaiveDate::from_ymd_opt(2022, 3, 14),
    });
    let waiting = ConversationState::ChooseFamily {
        options: vec![(1, "Garcia".into())],
    };
    let guardian = ctx_at(now());
    let (next, effects) = step(
        &waiting,
        Event::Submitted(Box::new(form.clone())),
        &guardian,
    );
    assert_eq!(next, waiting);
    assert_eq!(effects, vec![Effect::Run(Task::SaveForm(form.clone()))]);
    let nanny = Context {
        role: Role::Caregiver,
        ..ctx_at(now())
    };
    let (next, effects) = step(
        &ConversationState::Idle,
        Event::Submitted(Box::new(form)),
        &nanny,
    );
    assert_eq!(next, ConversationState::Idle);
    assert_eq!(
        effects,
        vec![Effect::Run(Task::Refused {
            permission: crate::auth::Permission::ManageChildren,
            child_id: None,
            reply: Msg::GuardiansOnly,
        })]
    );
}
