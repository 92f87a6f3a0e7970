use super::*;
use crate::domain::DoseUnit;
use chrono::TimeZone;

fn t(h: i64, m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .expect("valid")
        + Duration::minutes(h * 60 + m)
}

fn mg(ingredient: &str, amount: f64) -> BTreeMap<String, f64> {
    BTreeMap::from([(ingredient.to_string(), amount)])
}

fn acetaminophen_rules() -> DoseRules {
    DoseRules {
        min_interval: Duration::hours(4),
        max_doses_per_day: Some(5),
        max_mg_per_day: mg("acetaminophen", 800.0),
        usual_mg: mg("acetaminophen", 160.0),
    }
}

fn dose(id: i64, at: DateTime<Utc>, ingredient: &str, amount: f64) -> PriorDose {
    PriorDose {
        id,
        given_at: at,
        given_by_member_id: Some(1),
        medication_id: 1,
        ingredient_mg: mg(ingredient, amount),
    }
}

#[test]
fn table_of_verdicts() {
    let rules = acetaminophen_rules();
    struct Case {
        name: &'static str,
        prior: Vec<PriorDose>,
        at: DateTime<Utc>,
        given_mg: f64,
        expect: &'static [&'static str],
    }
    let cases = vec![
        Case {
            name: "first dose",
            prior: vec![],
            at: t(8, 0),
            given_mg: 160.0,
            expect: &[],
        },
        Case {
            name: "after the interval",
            prior: vec![dose(1, t(8, 0), "acetaminophen", 160.0)],
            at: t(12, 0),
            given_mg: 160.0,
            expect: &[],
        },
        Case {
            name: "one minute early",
            prior: vec![dose(1, t(8, 0), "acetaminophen", 160.0)],
            at: t(11, 59),
            given_mg: 160.0,
            expect: &["too_soon"],
        },
        Case {
            name: "other ingredient does not count",
            prior: vec![dose(1, t(8, 0), "ibuprofen", 100.0)],
            at: t(9, 0),
            given_mg: 160.0,
            expect: &[],
        },
        Case {
            name: "back-dated dose before a later one",
            prior: vec![dose(1, t(12, 0), "acetaminophen", 160.0)],
            at: t(10, 0),
            given_mg: 160.0,
            expect: &["too_soon"],
        },
        Case {
            name: "sixth dose in 24 h",
            prior: (0..5)
                .map(|i| dose(i, t(i * 4, 0), "acetaminophen", 100.0))
                .collect(),
            at: t(20, 0),
            given_mg: 100.0,
            expect: &["too_many_doses"],
        },
        Case {
            name: "daily mg exceeded before the dose count",
            prior: (0..4)
                .map(|i| dose(i, t(i * 4, 0), "acetaminophen", 160.0))
                .collect(),
            at: t(16, 0),
            given_mg: 200.0,
            expect: &["too_much_ingredient", "above_usual_dose"],
        },
        Case {
            name: "window slides: the old dose dropped out",
            prior: (0..5)
                .map(|i| dose(i, t(i * 4, 0), "acetaminophen", 100.0))
                .collect(),
            at: t(24, 1),
            given_mg: 100.0,
            expect: &[],
        },
        Case {
            name: "more than the usual dose",
            prior: vec![],
            at: t(8, 0),
            given_mg: 320.0,
            expect: &["above_usual_dose"],
        },
    ];
    for case in cases {
        let verdict = assess(
            &rules,
            &case.prior,
            case.at,
            &mg("acetaminophen", case.given_mg),
        );
        let codes: Vec<&str> = verdict.concerns.iter().map(Concern::code).collect();
        assert_eq!(codes, case.expect, "{}", case.name);
    }
}

#[test]
fn combination_products_count_toward_each_ingredient() {
    let rules = acetaminophen_rules();
    // A cold remedy with acetaminophen and a decongestant, given 2 h ago.
    let mut cold = dose(1, t(8, 0), "acetaminophen", 160.0);
    cold.ingredient_mg.insert("phenylephrine".into(), 2.5);
    let verdict = assess(&rules, &[cold], t(10, 0), &mg("acetaminophen", 160.0));
    assert!(
        matches!(verdict.concerns.as_slice(), [Concern::TooSoon { allowed_from, .. }] if *allowed_from == t(12, 0))
    );
}

/// Children's Tylenol as stored: 160 mg/5 ml, 5 ml, every 4 h, 5 a day, 800 mg a day.
fn tylenol_row() -> medication::Model {
    medication::Model {
        id: 1,
        child_id: 1,
        name: "Children's Tylenol".into(),
        form: "oral suspension".into(),
        route: "oral".into(),
        ingredients: r#"[{"ingredient":"acetaminophen","mg":160.0,"per_amount":5.0,"per_unit":"ml","max_mg_per_day":800.0}]"#.into(),
        dose_amount: 5.0,
        dose_unit: "ml".into(),
        schedule_kind: "as_needed".into(),
        schedule_times: None,
        min_interval_minutes: 240,
        max_doses_per_day: Some(5),
        starts_on: None,
        ends_on: None,
        active: true,
        created_at: t(0, 0),
        approval: "approved".into(),
        proposed_by_member_id: None,
        decided_by_member_id: None,
        decided_at: None,
    }
}

fn dose_row(id: i64, at: DateTime<Utc>) -> dose_log::Model {
    dose_log::Model {
        id,
        family_id: 1,
        child_id: 1,
        medication_id: 1,
        given_by_member_id: Some(1),
        given_at: at,
        recorded_at: at,
        amount: 5.0,
        unit: "ml".into(),
        ingredient_mg: r#"{"acetaminophen":160.0}"#.into(),
        channel: "console".into(),
        flagged: false,
        flag_reason: None,
        voided_at: None,
        voided_by_member_id: None,
        note: None,
        source_key: None,
    }
}

#[test]
fn a_readable_medication_gives_its_rules() {
    let med = Medication::from_row(&tylenol_row()).expect("readable");
    assert_eq!(
        med.rules,
        DoseRules {
            min_interval: Duration::hours(4),
            max_doses_per_day: Some(5),
            max_mg_per_day: mg("acetaminophen", 800.0),
            usual_mg: mg("acetaminophen", 160.0),
        }
    );
    let ml = |value| DoseAmount {
        value,
        unit: DoseUnit::Ml,
    };
    assert_eq!(
        med.ingredient_mg(ml(10.0)),
        Some(mg("acetaminophen", 320.0))
    );
    let tablets = DoseAmount {
        value: 1.0,
        unit: DoseUnit::Tablet,
    };
    assert_eq!(med.ingredient_mg(tablets), None, "tablets of a liquid");
}

/// Every part of a stored medication the check reads, made unreadable in turn: each is refused
/// with its reason, never read as a default.
#[test]
fn an_unreadable_medication_is_uncheckable_with_its_reason() {
    use Uncheckable::*;
    type Corrupt = fn(&mut medication::Model);
    fn ingredient(json: &str) -> String {
        format!(r#"[{{"ingredient":"acetaminophen",{json},"per_unit":"ml"}}]"#)
    }
    let cases: Vec<(&str, Corrupt, Uncheckable)> = vec![
        (
            "not JSON",
            |m| m.ingredients = "not json".into(),
            MedicationIngredients,
        ),
        (
            "no ingredients",
            |m| m.ingredients = "[]".into(),
            MedicationIngredients,
        ),
        (
            "JSON of another shape",
            |m| m.ingredients = r#"{"acetaminophen":160}"#.into(),
            MedicationIngredients,
        ),
        (
            "a negative strength",
            |m| m.ingredients = ingredient(r#""mg":-160.0,"per_amount":5.0"#),
            MedicationIngredients,
        ),
        (
            "a zero strength",
            |m| m.ingredients = ingredient(r#""mg":0.0,"per_amount":5.0"#),
            MedicationIngredients,
        ),
        (
            "a strength that is not a number",
            |m| m.ingredients = ingredient(r#""mg":"NaN","per_amount":5.0"#),
            MedicationIngredients,
        ),
        (
            "a strength out of range",
            |m| m.ingredients = ingredient(r#""mg":1e999,"per_amount":5.0"#),
            MedicationIngredients,
        ),
        (
            "per zero ml",
            |m| m.ingredients = ingredient(r#""mg":160.0,"per_amount":0.0"#),
            MedicationIngredients,
        ),
        (
            "an unnamed ingredient",
            |m| {
                m.ingredients =
                    r#"[{"ingredient":" ","mg":160.0,"per_amount":5.0,"per_unit":"ml"}]"#.into()
            },
            MedicationIngredients,
        ),
        (
            "an ingredient twice",
            |m| {
                m.ingredients = format!(
                    "[{0},{0}]",
                    r#"{"ingredient":"acetaminophen","mg":160.0,"per_amount":5.0,"per_unit":"ml"}"#
                )
            },
            MedicationIngredients,
        ),
        (
            "a negative daily mg",
            |m| m.ingredients = ingredient(r#""mg":160.0,"per_amount":5.0,"max_mg_per_day":-1.0"#),
            MedicationLimits,
        ),
        (
            "an unknown dose unit",
            |m| m.dose_unit = "furlongs".into(),
            MedicationDose,
        ),
        ("a dose of nothing", |m| m.dose_amount = 0.0, MedicationDose),
        (
            "a dose that is not a number",
            |m| m.dose_amount = f64::NAN,
            MedicationDose,
        ),
        (
            "a usual dose in tablets of a liquid",
            |m| m.dose_unit = "tablet".into(),
            MedicationDose,
        ),
        (
            "no interval",
            |m| m.min_interval_minutes = 0,
            MedicationLimits,
        ),
        (
            "a negative interval",
            |m| m.min_interval_minutes = -240,
            MedicationLimits,
        ),
        (
            "a minute's interval",
            |m| m.min_interval_minutes = 1,
            MedicationLimits,
        ),
        (
            "a negative daily count",
            |m| m.max_doses_per_day = Some(-1),
            MedicationLimits,
        ),
        (
            "a daily count of zero",
            |m| m.max_doses_per_day = Some(0),
            MedicationLimits,
        ),
        (
            "an unknown schedule",
            |m| m.schedule_kind = "sometimes".into(),
            MedicationSchedule,
        ),
        (
            "unreadable times",
            |m| {
                m.schedule_kind = "fixed_times".into();
                m.schedule_times = Some("08:00,noonish".into());
            },
            MedicationSchedule,
        ),
        (
            "every zero hours",
            |m| {
                m.schedule_kind = "every_hours".into();
                m.schedule_times = Some("0".into());
            },
            MedicationSchedule,
        ),
    ];
    for (name, corrupt, expected) in cases {
        let mut row = tylenol_row();
        corrupt(&mut row);
        assert_eq!(Medication::from_row(&row), Err(expected), "{name}");
        let context = DoseContext::new(&row, &[], t(9, 0), t(9, 0));
        assert_eq!(context.map(|_| ()), Err(expected), "{name}");
    }
    // No daily count is a guardian's choice, and readable.
    let mut row = tylenol_row();
    row.max_doses_per_day = None;
    assert!(Medication::from_row(&row).is_ok());
}

#[test]
fn an_unreadable_earlier_dose_is_uncheckable_whatever_it_was() {
    type Corrupt = fn(&mut dose_log::Model);
    let cases: Vec<(&str, Corrupt)> = vec![
        ("not JSON", |d| d.ingredient_mg = "garbage".into()),
        ("no ingredients", |d| d.ingredient_mg = "{}".into()),
        ("a list", |d| d.ingredient_mg = "[160]".into()),
        ("negative mg", |d| {
            d.ingredient_mg = r#"{"acetaminophen":-160.0}"#.into()
        }),
        ("mg out of range", |d| {
            d.ingredient_mg = r#"{"acetaminophen":1e999}"#.into()
        }),
        ("mg as text", |d| {
            d.ingredient_mg = r#"{"acetaminophen":"NaN"}"#.into()
        }),
        ("an unknown unit", |d| d.unit = "furlongs".into()),
        ("an amount of nothing", |d| d.amount = 0.0),
        ("an amount that is not a number", |d| {
            d.amount = f64::INFINITY
        }),
    ];
    for (name, corrupt) in cases {
        let mut row = dose_row(7, t(1, 0));
        corrupt(&mut row);
        let expected = Uncheckable::PriorDose { dose_id: 7 };
        assert_eq!(prior_dose(&row), Err(expected), "{name}");
        // Even an old dose of another medication: it may share an ingredient, nobody can tell.
        let rows = [dose_row(6, t(0, 30)), row];
        let context = DoseContext::new(&tylenol_row(), &rows, t(9, 0), t(9, 0));
        assert_eq!(context.map(|_| ()), Err(expected), "{name}");
    }
    assert_eq!(
        prior_dose(&dose_row(7, t(1, 0))).map(|d| d.ingredient_mg),
        Ok(mg("acetaminophen", 160.0))
    );
}

#[test]
fn a_record_ahead_of_the_clock_is_uncheckable() {
    let med = tylenol_row();
    let now = t(9, 0);
    let within = dose_row(1, now + CLOCK_TOLERANCE);
    assert!(
        DoseContext::new(&med, &[within], now, now).is_ok(),
        "a phone a little fast"
    );
    let given_later = dose_row(2, now + CLOCK_TOLERANCE + Duration::seconds(1));
    let mut recorded_later = dose_row(3, now - Duration::hours(1));
    recorded_later.recorded_at = now + Duration::hours(3);
    for row in [given_later, recorded_later] {
        let context = DoseContext::new(&med, &[row], now, now);
        assert_eq!(context.map(|_| ()), Err(Uncheckable::Clock));
    }
}

#[test]
fn the_context_answers_the_questions_the_services_ask() {
    let now = t(9, 0);
    let mut motrin = dose_row(2, t(8, 30));
    motrin.ingredient_mg = r#"{"ibuprofen":100.0}"#.into();
    motrin.given_by_member_id = Some(2);
    let mut by_luis = dose_row(1, t(7, 0));
    by_luis.given_by_member_id = Some(2);
    let rows = [dose_row(0, t(1, 0)), by_luis, motrin];
    let context = DoseContext::new(&tylenol_row(), &rows, now, now).expect("checkable");
    // The last acetaminophen dose, not the later ibuprofen one.
    assert_eq!(context.last_dose().map(|d| d.id), Some(1));
    let usual = context.assess_usual();
    assert_eq!(usual.doses_in_last_day, 2);
    assert!(!allowed_now(&usual));
    assert_eq!(context.next_allowed_at(), t(11, 0));
    assert_eq!(
        conflicting_dose(&usual, &context.prior, now, &context.rules().usual_mg),
        Some(1)
    );
    // Ana's dose at 9:00 would call out Luis's 7:00 dose, not her own, nor the ibuprofen.
    let mine = PriorDose {
        id: 9,
        given_at: now,
        given_by_member_id: Some(1),
        medication_id: 1,
        ingredient_mg: mg("acetaminophen", 160.0),
    };
    assert_eq!(others_recent(&context.prior, &mine), [1]);
    let shared: Vec<i64> = sharing_ingredient(&context.prior, &mine.ingredient_mg)
        .map(|d| d.id)
        .collect();
    assert_eq!(shared, [0, 1]);
    // Four hours after the last one: allowed, and the refusal would name nobody too close.
    let later = DoseContext::new(&tylenol_row(), &rows, t(11, 0), t(11, 0)).expect("checkable");
    assert!(allowed_now(&later.assess_usual()));
    assert_eq!(later.next_allowed_at(), t(11, 0));
}

#[test]
fn the_load_window_covers_a_day_or_the_interval() {
    assert_eq!(load_window(Duration::hours(4)), Duration::hours(25));
    assert_eq!(load_window(Duration::hours(36)), Duration::hours(37));
    assert_eq!(load_window(Duration::zero()), Duration::hours(25));
}

#[test]
fn course_dates_and_stopping() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("valid");
    let cases = [
        ("no dates", true, None, None, Course::Allowed),
        ("stopped", false, None, None, Course::Inactive),
        (
            "stopped, within dates",
            false,
            Some(day(1)),
            Some(day(20)),
            Course::Inactive,
        ),
        ("first day", true, Some(day(10)), None, Course::Allowed),
        ("the day before", true, Some(day(11)), None, Course::Outside),
        ("last day", true, None, Some(day(10)), Course::Allowed),
        (
            "the day after",
            true,
            Some(day(1)),
            Some(day(9)),
            Course::Outside,
        ),
    ];
    for (name, active, starts_on, ends_on, expected) in cases {
        assert_eq!(
            course(day(10), active, starts_on, ends_on),
            expected,
            "{name}"
        );
    }
}

#[test]
fn next_allowed_follows_interval_then_daily_count() {
    let rules = acetaminophen_rules();
    assert_eq!(next_allowed_at(&rules, &[], t(8, 0)), t(8, 0));
    let one = vec![dose(1, t(8, 0), "acetaminophen", 160.0)];
    assert_eq!(next_allowed_at(&rules, &one, t(9, 0)), t(12, 0));
    assert_eq!(next_allowed_at(&rules, &one, t(13, 0)), t(13, 0));
    // Five doses at 0,4,8,12,16h: the interval allows 20h, but the sixth must wait for the
    // first to leave the 24-hour window (24h).
    let five: Vec<PriorDose> = (0..5)
        .map(|i| dose(i, t(i * 4, 0), "acetaminophen", 100.0))
        .collect();
    let rules = DoseRules {
        max_mg_per_day: BTreeMap::new(),
        usual_mg: mg("acetaminophen", 100.0),
        ..rules
    };
    assert_eq!(next_allowed_at(&rules, &five, t(17, 0)), t(24, 0));
}
