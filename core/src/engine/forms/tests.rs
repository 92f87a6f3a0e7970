//! Table tests of the forms: scripted answers and what is asked, refused or saved.

use chrono::NaiveDate;

use super::*;
use crate::domain::{DoseUnit, Schedule};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).expect("valid")
}

const CHILDREN: [(i64, &str); 2] = [(1, "Emma"), (2, "Leo")];

fn children() -> Vec<(i64, String)> {
    CHILDREN
        .iter()
        .map(|(id, n)| (*id, n.to_string()))
        .collect()
}

/// Plays a form: the start words, then each answer; returns every outcome.
fn play(kind: FormKind, start_text: &str, answers: &[&str]) -> Vec<Outcome> {
    let kids = children();
    let ctx = FormContext {
        today: today(),
        day_first: true,
        children: &kids,
    };
    let mut outcomes = vec![start(kind, start_text, &ctx)];
    for text in answers {
        let (form, asked) = match outcomes.last().expect("started") {
            Outcome::Ask { form, question, .. } => (form.clone(), Some(*question)),
            Outcome::Confirm { form, .. } => (form.clone(), None),
            other => panic!("the form ended before {text:?}: {other:?}"),
        };
        outcomes.push(answer(&form, asked, text, &ctx));
    }
    outcomes
}

fn asked(outcome: &Outcome) -> (Option<Question>, Option<FieldError>) {
    match outcome {
        Outcome::Ask {
            question, problem, ..
        } => (Some(*question), problem.clone()),
        Outcome::Confirm { problem, .. } => (None, problem.clone()),
        other => panic!("not a question: {other:?}"),
    }
}

fn saved_medication(outcome: &Outcome) -> MedicationDraft {
    match outcome {
        Outcome::Save(Form::AddMedication(d)) => d.clone(),
        other => panic!("not saved: {other:?}"),
    }
}

#[test]
fn a_child_in_one_line_then_yes() {
    let o = play(FormKind::Child, "Mia born 14 March 2022", &["yes"]);
    assert_eq!(asked(&o[0]), (None, None));
    match &o[1] {
        Outcome::Save(Form::AddChild(d)) => {
            assert_eq!(d.name.as_deref(), Some("Mia"));
            assert_eq!(d.birth_date, NaiveDate::from_ymd_opt(2022, 3, 14));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_child_step_by_step_with_bad_answers_re_asked() {
    let o = play(
        FormKind::Child,
        "",
        &[
            "Emma",
            "Mia",
            "last spring",
            "14 March 2030",
            "1 January 2001",
            "2022-03-14",
            "no",
        ],
    );
    let expected = [
        (Some(Question::ChildName), None),
        (
            Some(Question::ChildName),
            Some(FieldError::DuplicateName("Emma".into())),
        ),
        (Some(Question::BirthDate), None),
        (Some(Question::BirthDate), Some(FieldError::BadDate)),
        (Some(Question::BirthDate), Some(FieldError::DateInFuture)),
        (Some(Question::BirthDate), Some(FieldError::TooOld)),
        (None, None),
    ];
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(&asked(&o[i]), want, "step {i}");
    }
    assert_eq!(o[7], Outcome::Cancelled);
}

#[test]
fn an_over_the_counter_medicine_gets_the_label_limits_proposed() {
    let o = play(
        FormKind::Medication,
        "for Leo",
        &[
            "Children's Motrin",
            "100 mg/5 ml",
            "5 ml",
            "as needed",
            "none",
            "ongoing",
            "yes",
        ],
    );
    assert_eq!(asked(&o[0]).0, Some(Question::MedicationName));
    assert_eq!(asked(&o[1]).0, Some(Question::Ingredients));
    assert_eq!(asked(&o[2]).0, Some(Question::UsualDose));
    assert_eq!(asked(&o[3]).0, Some(Question::Schedule));
    // The interval and the count come from the label: the next question is the mg maximum.
    assert_eq!(asked(&o[4]).0, Some(Question::MaxMg(0)));
    assert_eq!(asked(&o[5]).0, Some(Question::Course));
    assert_eq!(asked(&o[6]), (None, None));
    let d = saved_medication(&o[7]);
    assert_eq!(d.child, Some((2, "Leo".into())));
    let ingredients = d.ingredients.expect("ingredients");
    assert_eq!(ingredients[0].ingredient, "ibuprofen");
    assert_eq!(d.interval_hours, Some(6));
    assert_eq!(d.max_doses, Some(Some(4)));
    assert_eq!(d.schedule, Some(Schedule::AsNeeded));
    assert_eq!(d.course, Some((Some(today()), None)));
    let proposed = d.proposed.expect("proposed");
    assert!(proposed.interval && proposed.max_doses);
}

#[test]
fn answers_in_any_order_and_changes_at_the_summary() {
    let o = play(
        FormKind::Medication,
        "Amoxil for Emma",
        &[
            "amoxicillin 250 mg/5ml",
            "5 ml every 8 hours for 10 days",
            "max 3 a day",
            "none",
            "dose 7.5 ml",
            "yes",
        ],
    );
    assert_eq!(asked(&o[0]).0, Some(Question::Ingredients));
    assert_eq!(asked(&o[1]).0, Some(Question::UsualDose));
    // The dose, the schedule, the interval and the course came in one answer.
    assert_eq!(asked(&o[2]).0, Some(Question::MaxDoses));
    assert_eq!(asked(&o[3]).0, Some(Question::MaxMg(0)));
    assert_eq!(asked(&o[4]), (None, None));
    assert_eq!(asked(&o[5]), (None, None));
    let d = saved_medication(&o[6]);
    assert_eq!(d.dose.map(|a| (a.value, a.unit)), Some((7.5, DoseUnit::Ml)));
    assert_eq!(d.schedule, Some(Schedule::EveryHours { hours: 8 }));
    assert_eq!(d.interval_hours, Some(8));
    assert_eq!(
        d.course,
        Some((Some(today()), NaiveDate::from_ymd_opt(2026, 12, 12)))
    );
    assert_eq!(d.proposed, None);
}

#[test]
fn a_daily_maximum_below_one_dose_is_asked_again() {
    let o = play(
        FormKind::Medication,
        "Tylenol for Emma",
        &[
            "160 mg/5 ml",
            "10 ml",
            "as needed",
            "100",
            "1000",
            "ongoing",
        ],
    );
    // 10 ml is 320 mg: a 100 mg daily maximum could never be met.
    assert_eq!(
        asked(&o[4]),
        (
            Some(Question::MaxMg(0)),
            Some(FieldError::MaxMgBelowOneDose {
                ingredient: "acetaminophen".into(),
                one_dose_mg: 320.0
            })
        )
    );
    assert_eq!(asked(&o[5]).0, Some(Question::Course));
    assert_eq!(asked(&o[6]), (None, None));
}

#[test]
fn bad_answers_are_refused_with_the_reason() {
    let o = play(
        FormKind::Medication,
        "Zyrtec for Emma",
        &[
            "strong",
            "1 mg/ml",
            "cetirizine 1 mg/ml",
            "2 tablets",
            "2.5 ml",
            "twice a day",
            "every 0 hours",
            "as needed",
            "0",
            "5",
        ],
    );
    let steps: Vec<(Option<Question>, Option<FieldError>)> = o.iter().map(asked).collect();
    use Question as Q;
    assert_eq!(
        steps,
        vec![
            (Some(Q::Ingredients), None),
            (Some(Q::Ingredients), Some(FieldError::BadStrength)),
            (Some(Q::Ingredients), Some(FieldError::IngredientMissing)),
            (Some(Q::UsualDose), None),
            (
                Some(Q::UsualDose),
                Some(FieldError::DoseUnitMismatch { expected: "ml" })
            ),
            (Some(Q::Schedule), None),
            (Some(Q::Schedule), Some(FieldError::TimesNeeded)),
            (Some(Q::Schedule), Some(FieldError::BadInterval)),
            (Some(Q::Interval), None),
            (Some(Q::Interval), Some(FieldError::BadInterval)),
            (Some(Q::MaxDoses), None),
        ]
    );
}

#[test]
fn cancel_leaves_at_any_step_and_help_re_asks() {
    let o = play(FormKind::Allergy, "", &["Emma", "help", "cancel"]);
    assert_eq!(asked(&o[0]).0, Some(Question::Child));
    assert_eq!(asked(&o[1]).0, Some(Question::Allergen));
    assert_eq!(
        asked(&o[2]),
        (Some(Question::Allergen), Some(FieldError::NotAChange))
    );
    assert_eq!(o[3], Outcome::Cancelled);
}

#[test]
fn an_allergy_said_in_a_sentence() {
    let o = play(
        FormKind::Allergy,
        "Emma is allergic to peanuts",
        &["severe", "hives and swelling", "yes"],
    );
    assert_eq!(asked(&o[0]).0, Some(Question::Severity));
    assert_eq!(asked(&o[1]).0, Some(Question::Reaction));
    match &o[3] {
        Outcome::Save(Form::AddAllergy(d)) => {
            assert_eq!(d.child, Some((1, "Emma".into())));
            assert_eq!(d.allergen.as_deref(), Some("peanuts"));
            assert_eq!(d.severity.as_deref(), Some("severe"));
            assert_eq!(d.reaction, Some(Some("hives and swelling".into())));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_form_survives_a_round_trip_through_json() {
    let o = play(FormKind::Medication, "Tylenol for Emma", &["160 mg/5 ml"]);
    let Outcome::Ask { form, .. } = &o[1] else {
        panic!("{:?}", o[1]);
    };
    let json = serde_json::to_string(form).expect("serializes");
    assert_eq!(&serde_json::from_str::<Form>(&json).expect("parses"), form);
}

fn saved(outcome: &Outcome) -> Form {
    match outcome {
        Outcome::Save(form) => form.clone(),
        other => panic!("not saved: {other:?}"),
    }
}

#[test]
fn a_vaccination_reads_its_date_and_dose_in_any_order_and_refuses_a_future_date() {
    let o = play(
        FormKind::Vaccination,
        "MMR for Leo, dose 2, on 3 March 2024",
        &["yes"],
    );
    match saved(&o[1]) {
        Form::AddVaccination(d) => {
            assert_eq!(d.child, Some((2, "Leo".into())));
            assert_eq!(d.vaccine.as_deref(), Some("MMR"));
            assert_eq!(d.given_on, NaiveDate::from_ymd_opt(2024, 3, 3));
            assert_eq!(d.dose_number, Some(Some(2)));
        }
        other => panic!("{other:?}"),
    }
    let o = play(
        FormKind::Vaccination,
        "for Emma",
        &["DTaP", "25 December 2026", "1 June 2025", "second", "yes"],
    );
    assert_eq!(asked(&o[0]).0, Some(Question::VaccineName));
    assert_eq!(
        asked(&o[2]),
        (Some(Question::VaccineDate), Some(FieldError::DateInFuture))
    );
    assert_eq!(asked(&o[3]).0, Some(Question::VaccineDose));
    match saved(&o[5]) {
        Form::AddVaccination(d) => assert_eq!(d.dose_number, Some(Some(2))),
        other => panic!("{other:?}"),
    }
    // A dose number past the card's: re-asked.
    let o = play(FormKind::Vaccination, "MMR for Emma today", &["dose 40"]);
    assert_eq!(
        asked(&o[1]),
        (Some(Question::VaccineDose), Some(FieldError::BadDoseNumber))
    );
}

#[test]
fn an_appointment_in_december_for_january_is_next_year_and_a_past_day_is_refused() {
    let o = play(
        FormKind::Appointment,
        "for Emma with Dr Patel on 12 January at 10:30 about vaccines",
        &["yes"],
    );
    match saved(&o[1]) {
        Form::AddAppointment(d) => {
            assert_eq!(d.date, NaiveDate::from_ymd_opt(2027, 1, 12));
            assert_eq!(d.time, chrono::NaiveTime::from_hms_opt(10, 30, 0));
            assert_eq!(d.with, Some(Some("Dr Patel".into())));
            assert_eq!(d.purpose, Some(Some("vaccines".into())));
        }
        other => panic!("{other:?}"),
    }
    let o = play(
        FormKind::Appointment,
        "for Leo",
        &["1 December 2026", "tomorrow", "3pm", "skip", "skip", "yes"],
    );
    assert_eq!(asked(&o[0]).0, Some(Question::AppointmentDate));
    assert_eq!(
        asked(&o[1]),
        (
            Some(Question::AppointmentDate),
            Some(FieldError::DateInPast)
        )
    );
    assert_eq!(asked(&o[2]).0, Some(Question::AppointmentTime));
    match saved(&o[6]) {
        Form::AddAppointment(d) => {
            assert_eq!(d.date, NaiveDate::from_ymd_opt(2026, 12, 4));
            assert_eq!(d.time, chrono::NaiveTime::from_hms_opt(15, 0, 0));
            assert_eq!(d.with, Some(None));
            assert_eq!(d.purpose, Some(None));
        }
        other => panic!("{other:?}"),
    }
    let o = play(FormKind::Appointment, "for Leo tomorrow", &["half past"]);
    assert_eq!(
        asked(&o[1]),
        (Some(Question::AppointmentTime), Some(FieldError::BadTime))
    );
}

#[test]
fn a_provider_keeps_what_they_are_and_a_phone_only_when_it_is_one() {
    let o = play(
        FormKind::Provider,
        "paediatrician Dr Patel +1 (555) 010-2030",
        &["yes"],
    );
    match saved(&o[1]) {
        Form::AddProvider(d) => {
            assert_eq!(d.name.as_deref(), Some("Dr Patel"));
            assert_eq!(d.specialty.as_deref(), Some("paediatrician"));
            assert_eq!(d.phone, Some(Some("+1 (555) 010-2030".into())));
        }
        other => panic!("{other:?}"),
    }
    let o = play(
        FormKind::Provider,
        "doctor",
        &["Dr Lee", "ring the desk", "12", "none", "yes"],
    );
    assert_eq!(asked(&o[0]).0, Some(Question::ProviderName));
    assert_eq!(
        asked(&o[2]),
        (Some(Question::ProviderPhone), Some(FieldError::BadPhone))
    );
    assert_eq!(
        asked(&o[3]),
        (Some(Question::ProviderPhone), Some(FieldError::BadPhone))
    );
    match saved(&o[5]) {
        Form::AddProvider(d) => assert_eq!(d.phone, Some(None)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_condition_asks_who_sees_it_unless_told() {
    let o = play(FormKind::Condition, "for Leo: eczema", &["private", "yes"]);
    assert_eq!(asked(&o[0]).0, Some(Question::GuardianOnly));
    match saved(&o[2]) {
        Form::AddCondition(d) => {
            assert_eq!(d.name.as_deref(), Some("eczema"));
            assert_eq!(d.guardian_only, Some(true));
        }
        other => panic!("{other:?}"),
    }
    let o = play(FormKind::Condition, "asthma for Emma, shared", &["yes"]);
    match saved(&o[1]) {
        Form::AddCondition(d) => assert_eq!(d.guardian_only, Some(false)),
        other => panic!("{other:?}"),
    }
    let o = play(FormKind::Condition, "for Emma", &["asthma", "maybe"]);
    assert_eq!(
        asked(&o[2]),
        (Some(Question::GuardianOnly), Some(FieldError::NotAChange))
    );
}

fn submit_with(
    kind: FormKind,
    answers: &[(Question, &str)],
) -> Result<Form, Vec<(Question, FieldError)>> {
    let kids = children();
    let ctx = FormContext {
        today: today(),
        day_first: true,
        children: &kids,
    };
    let answers: Vec<(Question, String)> =
        answers.iter().map(|(q, t)| (*q, t.to_string())).collect();
    submit(kind, &answers, &ctx)
}

#[test]
fn a_whole_form_at_once_reports_every_field_that_does_not_read() {
    use Question::*;
    let errors = submit_with(FormKind::Child, &[(ChildName, "Emma"), (BirthDate, "soon")])
        .expect_err("refused");
    assert_eq!(
        errors,
        vec![
            (ChildName, FieldError::DuplicateName("Emma".into())),
            (BirthDate, FieldError::BadDate)
        ]
    );
    let errors = submit_with(FormKind::Child, &[(ChildName, "Mia")]).expect_err("refused");
    assert_eq!(errors, vec![(BirthDate, FieldError::Missing)]);
    match submit_with(
        FormKind::Child,
        &[(ChildName, "Mia"), (BirthDate, "14 March 2022")],
    ) {
        Ok(Form::AddChild(d)) => {
            assert_eq!(d.name.as_deref(), Some("Mia"));
            assert_eq!(d.birth_date, NaiveDate::from_ymd_opt(2022, 3, 14));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_whole_medicine_form_takes_the_label_limits_when_left_empty_and_checks_across_fields() {
    use Question::*;
    let saved = submit_with(
        FormKind::Medication,
        &[
            (Child, "Leo"),
            (MedicationName, "Children's Motrin"),
            (Ingredients, "100 mg/5 ml"),
            (UsualDose, "5 ml"),
            (Schedule, "as needed"),
        ],
    );
    match saved {
        Ok(Form::AddMedication(d)) => {
            assert_eq!(d.child, Some((2, "Leo".into())));
            assert_eq!(d.interval_hours, Some(6));
            assert_eq!(d.max_doses, Some(Some(4)));
            assert_eq!(d.course, Some((Some(today()), None)));
        }
        other => panic!("{other:?}"),
    }
    // The field's own value wins over the label's; a daily mg maximum below one dose is refused.
    let errors = submit_with(
        FormKind::Medication,
        &[
            (Child, "Leo"),
            (MedicationName, "Children's Motrin"),
            (Ingredients, "100 mg/5 ml"),
            (UsualDose, "5 ml"),
            (Schedule, "as needed"),
            (Interval, "8"),
            (MaxMg(0), "50"),
        ],
    )
    .expect_err("refused");
    assert!(
        matches!(
            errors.as_slice(),
            [(MaxMg(0), FieldError::MaxMgBelowOneDose { .. })]
        ),
        "{errors:?}"
    );
    let errors = submit_with(
        FormKind::Medication,
        &[
            (Child, "Mia"),
            (MedicationName, "Tylenol"),
            (UsualDose, "5 spoons"),
        ],
    )
    .expect_err("refused");
    assert_eq!(errors[0].0, Child);
    assert!(errors.iter().any(|(q, _)| *q == UsualDose), "{errors:?}");
}

/// Every button a form offers, typed as its label instead of clicked (a WhatsApp or console user
/// reads the label and writes it), in English and Spanish, is understood by the form it belongs
/// to: the same question is never asked again with a problem.
#[test]
fn every_buttons_label_typed_is_understood_by_its_form() {
    use crate::messages::{render, Locale, Msg, RenderContext};
    let kids = children();
    let ctx = FormContext {
        today: today(),
        day_first: true,
        children: &kids,
    };
    // Paths through every form that reach each question with buttons.
    let paths: &[(FormKind, &str, &[&str])] = &[
        (
            FormKind::Medication,
            "for Emma",
            &["Calpol", "paracetamol 120 mg/5 ml", "5 ml"],
        ),
        (
            FormKind::Medication,
            "for Emma",
            &[
                "Calpol",
                "paracetamol 120 mg/5 ml",
                "5 ml",
                "as needed",
                "I don't know",
            ],
        ),
        (
            FormKind::Medication,
            "for Emma",
            &[
                "Amoxil",
                "amoxicillin 250 mg/5 ml",
                "5 ml",
                "at 8:00, 20:00",
            ],
        ),
        (FormKind::Allergy, "", &["Emma", "peanuts"]),
        (FormKind::Allergy, "", &["Emma", "peanuts", "severe"]),
        (FormKind::Condition, "", &["Leo", "asthma"]),
        (FormKind::Vaccination, "", &["Leo", "MMR"]),
        (FormKind::Vaccination, "", &["Leo", "MMR", "today"]),
        (FormKind::Appointment, "", &["Emma", "Dr Patel"]),
        (FormKind::Provider, "", &["Dr Patel"]),
    ];
    let now = chrono::Utc::now();
    let mut checked = 0;
    for (kind, start_text, answers) in paths {
        let mut outcome = start(*kind, start_text, &ctx);
        for text in *answers {
            outcome = match &outcome {
                Outcome::Ask { form, question, .. } => answer(form, Some(*question), text, &ctx),
                other => panic!("{kind:?}: the form ended before {text:?}: {other:?}"),
            };
        }
        let Outcome::Ask { form, question, .. } = &outcome else {
            continue;
        };
        for locale in [Locale::En, Locale::Es] {
            let shown = render(
                &Msg::FormAsk {
                    form: Box::new(form.clone()),
                    question: *question,
                    problem: None,
                    children: kids.iter().map(|(_, n)| n.clone()).collect(),
                },
                &RenderContext::new(locale, chrono_tz::UTC, "GB", now),
            );
            for choice in &shown.choices {
                checked += 1;
                let typed = answer(form, Some(*question), &choice.label, &ctx);
                if let Outcome::Ask {
                    question: again,
                    problem: Some(problem),
                    ..
                } = &typed
                {
                    assert_ne!(
                        again, question,
                        "{kind:?} {locale:?}: the label {:?} of {question:?} is not understood ({problem:?})",
                        choice.label
                    );
                }
                assert!(
                    !matches!(typed, Outcome::Cancelled),
                    "{kind:?}: {:?} cancelled the form",
                    choice.label
                );
            }
        }
    }
    assert!(checked >= 20, "only {checked} labels were checked");
}
