//! The parser's table tests: each phrasing family, with what it must read.
use super::*;
use crate::domain::DoseUnit;

fn parse_with_kids(text: &str) -> Command {
    let kids = vec!["Emma".to_string(), "Leo".to_string()];
    parse(text, &Vocabulary { children: &kids })
}

fn ml(v: f64) -> Result<DoseAmount, AmountError> {
    Ok(DoseAmount {
        value: v,
        unit: DoseUnit::Ml,
    })
}

#[test]
fn the_records_lists_and_removals() {
    let emma = || Some("Emma".to_string());
    let leo = || Some("Leo".to_string());
    let cases: Vec<(&str, Command)> = vec![
        (
            "vaccinations",
            Command::Records {
                kind: RecordKind::Vaccinations,
                child: None,
            },
        ),
        (
            "show Emma's vaccines",
            Command::Records {
                kind: RecordKind::Vaccinations,
                child: emma(),
            },
        ),
        (
            "when is Leo's next appointment?",
            Command::Records {
                kind: RecordKind::Appointments,
                child: leo(),
            },
        ),
        (
            "who is our doctor?",
            Command::Records {
                kind: RecordKind::Providers,
                child: None,
            },
        ),
        (
            "conditions",
            Command::Records {
                kind: RecordKind::Conditions,
                child: None,
            },
        ),
        (
            "remove Leo's peanut allergy",
            Command::RemoveRecord {
                kind: Some(RecordKind::Allergies),
                child: leo(),
                which: "peanut".into(),
            },
        ),
        (
            "cancel Emma's next appointment",
            Command::RemoveRecord {
                kind: Some(RecordKind::Appointments),
                child: emma(),
                which: String::new(),
            },
        ),
        (
            "remove appointment #12",
            Command::RemoveRecord {
                kind: Some(RecordKind::Appointments),
                child: None,
                which: "#12".into(),
            },
        ),
        (
            "delete Dr Patel",
            Command::RemoveRecord {
                kind: None,
                child: None,
                which: "Dr Patel".into(),
            },
        ),
        (
            "add vaccination MMR for Leo",
            Command::StartForm {
                kind: FormKind::Vaccination,
                text: "MMR for Leo".into(),
            },
        ),
        (
            "add an appointment for Emma tomorrow at 3pm",
            Command::StartForm {
                kind: FormKind::Appointment,
                text: "for Emma tomorrow at 3pm".into(),
            },
        ),
        (
            "add paediatrician Dr Patel",
            Command::StartForm {
                kind: FormKind::Provider,
                text: "paediatrician Dr Patel".into(),
            },
        ),
        (
            "add condition for Leo: eczema",
            Command::StartForm {
                kind: FormKind::Condition,
                text: "for Leo: eczema".into(),
            },
        ),
        // Not the record: a family member, a bare "cancel", a dose.
        ("cancel", Command::No),
        (
            "remove Maya from the family",
            Command::Revoke {
                member: "Maya".into(),
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_with_kids(text), expected, "{text}");
    }
    assert!(matches!(
        parse_with_kids("gave Emma 5 ml Tylenol before her appointment"),
        Command::GiveDose { .. }
    ));
}

#[test]
fn table_of_phrasings() {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).map(SaidTime::At);
    let ago = |minutes| Some(SaidTime::Ago(chrono::Duration::minutes(minutes)));
    let clock = |h, m| NaiveTime::from_hms_opt(h, m, 0).map(SaidTime::Clock);
    let emma = || Some("Emma".to_string());
    let cases: Vec<(&str, Command)> = vec![
        ("help", Command::Help),
        ("kids", Command::Children),
        ("Who are the children?", Command::Children),
        (
            "gave Emma 5 ml Children's Tylenol",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Children's Tylenol".into(),
                at: None,
            },
        ),
        ("yes", Command::Yes),
        ("No", Command::No),
        ("2", Command::Choose(2)),
        (
            "gave Emma 5 ml Tylenol",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Tylenol".into(),
                at: None,
            },
        ),
        (
            "give emma 5ml tylenol at 9:30",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "tylenol".into(),
                at: clock(9, 30),
            },
        ),
        (
            "I gave Emma 5 ml of Tylenol at 9.30pm",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Tylenol".into(),
                at: t(21, 30),
            },
        ),
        // A reading with its scale is a temperature, without the word.
        (
            "Emma has 101.3F",
            Command::Temperature {
                child: emma(),
                value: "101.3F".into(),
                at: None,
            },
        ),
        (
            "Leo tiene 38,5 grados",
            Command::Temperature {
                child: Some("Leo".to_string()),
                value: "38,5".into(),
                at: None,
            },
        ),
        // A while ago, in English and Spanish.
        (
            "gave Leo 5 ml amoxicillin an hour ago",
            Command::GiveDose {
                child: Some("Leo".to_string()),
                amount: ml(5.0),
                medication: "amoxicillin".into(),
                at: ago(60),
            },
        ),
        (
            "gave Emma 5 ml Tylenol 20 minutes ago",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Tylenol".into(),
                at: ago(20),
            },
        ),
        (
            "gave Emma 5 ml Tylenol half an hour ago",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Tylenol".into(),
                at: ago(30),
            },
        ),
        (
            "Emma had a teaspoon of motrin an hour and a half ago.",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "motrin".into(),
                at: ago(90),
            },
        ),
        (
            "le di 5 ml de Motrin a Emma hace media hora",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Motrin".into(),
                at: ago(30),
            },
        ),
        (
            "le di 5 ml de Motrin a Emma hace 2 horas",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Motrin".into(),
                at: ago(120),
            },
        ),
        // Household measures, kept as the record keeps them; hedged times.
        (
            "Maya here, gave Emma a teaspoon of Tylenol around 2",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Tylenol".into(),
                at: clock(2, 0),
            },
        ),
        (
            "gave Emma half a teaspoon of motrin about 9:30pm",
            Command::GiveDose {
                child: emma(),
                amount: ml(2.5),
                medication: "motrin".into(),
                at: t(21, 30),
            },
        ),
        (
            "gave Leo 2 teaspoons amoxicillin",
            Command::GiveDose {
                child: Some("Leo".to_string()),
                amount: ml(10.0),
                medication: "amoxicillin".into(),
                at: None,
            },
        ),
        (
            "le di una cucharadita de Motrin a Emma a las 3",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Motrin".into(),
                at: clock(3, 0),
            },
        ),
        (
            "gave Emma about 5 ml Tylenol",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Tylenol".into(),
                at: None,
            },
        ),
        (
            "gave Emma around 5ml Tylenol",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Tylenol".into(),
                at: None,
            },
        ),
        (
            "gave Leo half a tablet of ibuprofen",
            Command::GiveDose {
                child: Some("Leo".to_string()),
                amount: Ok(DoseAmount {
                    value: 0.5,
                    unit: DoseUnit::Tablet,
                }),
                medication: "ibuprofen".into(),
                at: None,
            },
        ),
        (
            "Emma had 2.5 ml motrin",
            Command::GiveDose {
                child: emma(),
                amount: ml(2.5),
                medication: "motrin".into(),
                at: None,
            },
        ),
        (
            "gave Leo 5 ml of his amoxicillin at 8am",
            Command::GiveDose {
                child: Some("Leo".into()),
                amount: ml(5.0),
                medication: "amoxicillin".into(),
                at: t(8, 0),
            },
        ),
        (
            "when can Emma have ibuprofen?",
            Command::WhenNext {
                child: emma(),
                medication: "ibuprofen".into(),
            },
        ),
        (
            "Can Emma have Tylenol?",
            Command::WhenNext {
                child: emma(),
                medication: "Tylenol".into(),
            },
        ),
        (
            "when Emma ibuprofen",
            Command::WhenNext {
                child: emma(),
                medication: "ibuprofen".into(),
            },
        ),
        (
            "last doses for Leo",
            Command::LastDoses {
                child: Some("Leo".into()),
            },
        ),
        ("last", Command::LastDoses { child: None }),
        (
            "Emma temp 38.4",
            Command::Temperature {
                child: emma(),
                value: "38.4".into(),
                at: None,
            },
        ),
        (
            "temp Emma 101.2F",
            Command::Temperature {
                child: emma(),
                value: "101.2F".into(),
                at: None,
            },
        ),
        ("meds Emma", Command::Medications { child: emma() }),
        (
            "what meds does Leo take?",
            Command::Medications {
                child: Some("Leo".into()),
            },
        ),
        ("allergies", Command::Allergies { child: None }),
        (
            "is Leo allergic to anything?",
            Command::Allergies {
                child: Some("Leo".into()),
            },
        ),
        (
            "note Emma ate all her lunch",
            Command::Note {
                child: emma(),
                text: "ate all her lunch".into(),
            },
        ),
        (
            "notes Leo",
            Command::Notes {
                child: Some("Leo".into()),
            },
        ),
        ("shift in", Command::ShiftIn),
        (
            "invite nanny",
            Command::Invite {
                role: Some(Role::Caregiver),
                to: None,
            },
        ),
        (
            "invite guardian",
            Command::Invite {
                role: Some(Role::Guardian),
                to: None,
            },
        ),
        (
            "invite caregiver Maya +1 555 123 4567",
            Command::Invite {
                role: Some(Role::Caregiver),
                to: Some(Invitee {
                    name: "Maya".into(),
                    phone: "+1 555 123 4567".into(),
                }),
            },
        ),
        (
            "invite nanny Maya Lopez (415) 555-0100",
            Command::Invite {
                role: Some(Role::Caregiver),
                to: Some(Invitee {
                    name: "Maya Lopez".into(),
                    phone: "(415) 555-0100".into(),
                }),
            },
        ),
        (
            "invite the cat",
            Command::Invite {
                role: None,
                to: None,
            },
        ),
        (
            "link-whatsapp +1 415 555 0100",
            Command::LinkPhone {
                phone: "+1 415 555 0100".into(),
            },
        ),
        (
            "link WhatsApp +14155550100",
            Command::LinkPhone {
                phone: "+14155550100".into(),
            },
        ),
        (
            "link-whatsapp",
            Command::LinkPhone {
                phone: String::new(),
            },
        ),
        (
            "482913",
            Command::LinkCode {
                code: "482913".into(),
            },
        ),
        ("export", Command::Export),
        ("assistant on", Command::Assistant { on: true }),
        ("Assistant off", Command::Assistant { on: false }),
        ("asistente sí", Command::Assistant { on: true }),
        ("language es", Command::Language { asked: "es".into() }),
        (
            "idioma Español",
            Command::Language {
                asked: "español".into(),
            },
        ),
        (
            "create family Garcia Lopez",
            Command::CreateFamily {
                name: "Garcia Lopez".into(),
                place: None,
            },
        ),
        (
            "create family Jones in London",
            Command::CreateFamily {
                name: "Jones".into(),
                place: Some("London".into()),
            },
        ),
        (
            "I'd like to set up my family",
            Command::CreateFamily {
                name: String::new(),
                place: None,
            },
        ),
        (
            "create a family called Smith",
            Command::CreateFamily {
                name: "Smith".into(),
                place: None,
            },
        ),
        (
            "create the Jones family",
            Command::CreateFamily {
                name: "Jones".into(),
                place: None,
            },
        ),
        (
            "quiero crear una familia",
            Command::CreateFamily {
                name: String::new(),
                place: None,
            },
        ),
        (
            "we live in London",
            Command::SetPlace {
                place: "London".into(),
            },
        ),
        (
            "país México",
            Command::SetPlace {
                place: "México".into(),
            },
        ),
        (
            "time zone Europe/London",
            Command::SetTimezone {
                zone: "Europe/London".into(),
            },
        ),
        (
            "my son Sam was born on 3 May 2021",
            Command::StartForm {
                kind: FormKind::Child,
                text: "Sam was born on 3 May 2021".into(),
            },
        ),
        (
            "new family",
            Command::CreateFamily {
                name: String::new(),
                place: None,
            },
        ),
        (
            "clock out",
            Command::ShiftOut {
                at: None,
                words: None,
            },
        ),
        (
            "join ABCDE-FGHJK",
            Command::Join {
                code: "ABCDE-FGHJK".into(),
            },
        ),
        ("undo", Command::Undo),
        (
            "approve",
            Command::Decide {
                approve: true,
                which: None,
            },
        ),
        (
            "deny #12",
            Command::Decide {
                approve: false,
                which: Some("#12".into()),
            },
        ),
        (
            "Approve Leo's Motrin.",
            Command::Decide {
                approve: true,
                which: Some("Leo's Motrin".into()),
            },
        ),
        (
            "Emma weighs 17 kg now",
            Command::Growth {
                child: Some("Emma".into()),
                kind: GrowthKind::Weight,
                value: 17.0,
            },
        ),
        (
            "Leo is 80cm tall",
            Command::Growth {
                child: Some("Leo".into()),
                kind: GrowthKind::Height,
                value: 80.0,
            },
        ),
        (
            "emma's weight 16,5 kilos",
            Command::Growth {
                child: Some("Emma".into()),
                kind: GrowthKind::Weight,
                value: 16.5,
            },
        ),
        (
            "my 6 week old has a temp of 38.2",
            Command::Temperature {
                child: None,
                value: "38.2".into(),
                at: None,
            },
        ),
        (
            "Emma is 4 years old, 17 kg, temp 38.9",
            Command::Temperature {
                child: Some("Emma".into()),
                value: "38.9".into(),
                at: None,
            },
        ),
        (
            "Leo 14 months fever 101.2F",
            Command::Temperature {
                child: Some("Leo".into()),
                value: "101.2F".into(),
                at: None,
            },
        ),
        (
            "gave Emma 5 ml Tylenol at 25:99",
            Command::BadTime("25:99".into()),
        ),
        ("what a lovely day", Command::Unknown),
        ("", Command::Empty),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_with_kids(text), expected, "{text:?}");
    }
}

#[test]
fn bad_amounts_reach_the_engine_as_errors() {
    match parse_with_kids("gave Emma 5 spoons Tylenol") {
        Command::GiveDose {
            amount: Err(AmountError::UnknownUnit(unit)),
            ..
        } => assert_eq!(unit, "spoons"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_with_kids("gave Emma -5 ml Tylenol"),
        Command::GiveDose { amount: Err(_), .. }
    ));
    assert!(matches!(
        parse_with_kids("gave Emma 10 litres Tylenol"),
        Command::GiveDose {
            amount: Err(AmountError::Implausible { .. }),
            ..
        }
    ));
    assert!(matches!(
        parse_with_kids("gave Emma Tylenol"),
        Command::GiveDose {
            amount: Err(AmountError::Missing),
            ..
        }
    ));
}

#[test]
fn times_parse() {
    assert_eq!(parse_time("9:30"), NaiveTime::from_hms_opt(9, 30, 0));
    assert_eq!(parse_time("12am"), NaiveTime::from_hms_opt(0, 0, 0));
    assert_eq!(parse_time("12:15pm"), NaiveTime::from_hms_opt(12, 15, 0));
    assert_eq!(parse_time("noon"), NaiveTime::from_hms_opt(12, 0, 0));
    assert_eq!(parse_time("13pm"), None);
    assert_eq!(parse_time("24:00"), None);
}

fn emma() -> Option<String> {
    Some("Emma".to_string())
}

fn leo() -> Option<String> {
    Some("Leo".to_string())
}

fn dose(
    child: Option<String>,
    amount: Result<DoseAmount, AmountError>,
    medication: &str,
    at: Option<SaidTime>,
) -> Command {
    Command::GiveDose {
        child,
        amount,
        medication: medication.into(),
        at,
    }
}

fn amount(value: f64, unit: DoseUnit) -> Result<DoseAmount, AmountError> {
    Ok(DoseAmount { value, unit })
}

fn check(cases: Vec<(&str, Command)>) {
    for (text, expected) in cases {
        assert_eq!(parse_with_kids(text), expected, "{text:?}");
    }
}

/// Spanish doses: the verbs of giving and taking, "de", "a Emma", number words and Spanish units
/// are not the medication's name.
#[test]
fn spanish_doses() {
    check(vec![
        (
            "le di 5 ml de Tylenol a Emma",
            dose(emma(), ml(5.0), "Tylenol", None),
        ),
        (
            "Emma tomó media cucharadita de motrin",
            dose(emma(), ml(2.5), "motrin", None),
        ),
        (
            "le di cinco mililitros de tylenol a emma",
            dose(emma(), ml(5.0), "tylenol", None),
        ),
        (
            "ya le di la amoxicilina a leo, 5ml",
            dose(leo(), ml(5.0), "amoxicilina", None),
        ),
        (
            "le di 5 gotas de vitamina d a leo",
            dose(leo(), amount(5.0, DoseUnit::Drop), "vitamina d", None),
        ),
        (
            "le di tylenol a emma",
            dose(emma(), Err(AmountError::Missing), "tylenol", None),
        ),
        // Who is speaking is not the medication; a child's name before the colon is the child.
        (
            "Maya: le di 5 ml de amoxicilina a Leo",
            dose(leo(), ml(5.0), "amoxicilina", None),
        ),
        ("Emma: 5ml tylenol", dose(emma(), ml(5.0), "tylenol", None)),
    ]);
}

/// Household measures are converted; an amount that is not a measure is an error and no amount
/// is missing: nothing is ever guessed.
#[test]
fn household_measures_and_amounts_never_guessed() {
    let tablet = |v| amount(v, DoseUnit::Tablet);
    check(vec![
        (
            "gave leo 1/2 tsp of amoxicillin",
            dose(leo(), ml(2.5), "amoxicillin", None),
        ),
        (
            "gave emma a teaspoon and a half of tylenol",
            dose(emma(), ml(7.5), "tylenol", None),
        ),
        (
            "le di una cucharadita y media de tylenol a emma",
            dose(emma(), ml(7.5), "tylenol", None),
        ),
        (
            "le di media pastilla de tylenol a emma",
            dose(emma(), tablet(0.5), "tylenol", None),
        ),
        (
            "gave emma 2 chewables of motrin",
            dose(emma(), tablet(2.0), "motrin", None),
        ),
        (
            "gave emma a spoon of motrin",
            dose(
                emma(),
                Err(AmountError::UnknownUnit("spoon".into())),
                "motrin",
                None,
            ),
        ),
        (
            "gave emma 5 tylenol",
            dose(
                emma(),
                Err(AmountError::UnknownUnit(String::new())),
                "tylenol",
                None,
            ),
        ),
        (
            "emma had some motrin",
            dose(emma(), Err(AmountError::Missing), "motrin", None),
        ),
        (
            "gave emma her usual tylenol",
            dose(emma(), Err(AmountError::Missing), "tylenol", None),
        ),
        (
            "leo 2nd dose of amoxicillin 5ml",
            dose(leo(), ml(5.0), "amoxicillin", None),
        ),
    ]);
}

/// Times: a clock time said any way, made definite by the part of the day; a time said without
/// a clock is kept vague (the conversation asks), never made into an earlier clock time.
#[test]
fn times_with_and_without_a_clock() {
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).map(SaidTime::At);
    let clock = |h, m| NaiveTime::from_hms_opt(h, m, 0).map(SaidTime::Clock);
    let ago = |minutes| Some(SaidTime::Ago(chrono::Duration::minutes(minutes)));
    let vague = |said: &str| Some(SaidTime::Vague(said.into()));
    check(vec![
        (
            "gave emma 5ml tylenol 2pm",
            dose(emma(), ml(5.0), "tylenol", at(14, 0)),
        ),
        (
            "gave leo 5 ml amoxicillin at 8 this morning",
            dose(leo(), ml(5.0), "amoxicillin", at(8, 0)),
        ),
        (
            "gave emma 5ml tylenol at 10 last night",
            dose(emma(), ml(5.0), "tylenol", at(22, 0)),
        ),
        (
            "le di 5 ml de tylenol a emma a las 3 de la tarde",
            dose(emma(), ml(5.0), "tylenol", at(15, 0)),
        ),
        (
            "leo tomo 5 ml de amoxicilina a las 2 y media",
            dose(leo(), ml(5.0), "amoxicilina", clock(2, 30)),
        ),
        (
            "le di 5ml de tylenol a emma hace hora y media",
            dose(emma(), ml(5.0), "tylenol", ago(90)),
        ),
        (
            "le di 5 ml de tylenol a emma al mediodia",
            dose(emma(), ml(5.0), "tylenol", at(12, 0)),
        ),
        (
            "gave emma 5 ml motrin at 10ish",
            dose(emma(), ml(5.0), "motrin", clock(10, 0)),
        ),
        (
            "gave emma 5ml motrin like 30 mins ago, she's fine",
            dose(emma(), ml(5.0), "motrin", ago(30)),
        ),
        // "2 last night" has two readings: the later one is taken, as for "around 2".
        (
            "gave emma 5ml tylenol at 2 last night",
            dose(emma(), ml(5.0), "tylenol", clock(2, 0)),
        ),
        (
            "emma had 5ml motrin this morning",
            dose(emma(), ml(5.0), "motrin", vague("this morning")),
        ),
        (
            "gave emma tylenol 5ml after lunch",
            dose(emma(), ml(5.0), "tylenol", vague("after lunch")),
        ),
        (
            "gave emma 5ml tylenol before her nap",
            dose(emma(), ml(5.0), "tylenol", vague("before her nap")),
        ),
        (
            "gave emma 5 ml of tylenol a couple hours ago",
            dose(emma(), ml(5.0), "tylenol", vague("a couple hours ago")),
        ),
        (
            "le di 5 ml de motrin a emma esta mañana",
            dose(emma(), ml(5.0), "motrin", vague("esta mañana")),
        ),
        (
            "le di 5 ml de motrin a emma hace un rato",
            dose(emma(), ml(5.0), "motrin", vague("hace un rato")),
        ),
        (
            "le di 5 ml de tylenol a emma despues de comer",
            dose(emma(), ml(5.0), "tylenol", vague("despues de comer")),
        ),
        (
            "gave emma 5ml tylenol at 25:00",
            Command::BadTime("25:00".into()),
        ),
    ]);
}

/// A temperature said plainly: Spanish words, a decimal comma, "38 y medio", a child and a
/// reading alone in their clause.
#[test]
fn temperatures_said_plainly() {
    let temp = |child: Option<String>, value: &str, at: Option<SaidTime>| Command::Temperature {
        child,
        value: value.into(),
        at,
    };
    let ago = |minutes| Some(SaidTime::Ago(chrono::Duration::minutes(minutes)));
    check(vec![
        ("Emma tiene 38,5", temp(emma(), "38,5", None)),
        ("leo 38,5", temp(leo(), "38,5", None)),
        ("38.5 emma", temp(emma(), "38.5", None)),
        ("leo esta con 38 y medio", temp(leo(), "38.5", None)),
        ("fiebre 38,4", temp(None, "38,4", None)),
        ("leo is at 38.4", temp(leo(), "38.4", None)),
        ("emma had 38.9 an hour ago", temp(emma(), "38.9", ago(60))),
        (
            "le tome la temperatura a leo: 38,3",
            temp(leo(), "38,3", None),
        ),
        (
            "leo 38,7 pero respira bien y esta jugando",
            temp(leo(), "38,7", None),
        ),
        // A dose for a fever is a dose.
        (
            "gave emma 5ml tylenol for her fever",
            dose(emma(), ml(5.0), "tylenol", None),
        ),
    ]);
}

/// Questions: when the next dose may be given, or what was given; a question about something
/// else is not one about a medicine.
#[test]
fn questions_about_doses() {
    let when = |child: Option<String>, medication: &str| Command::WhenNext {
        child,
        medication: medication.into(),
    };
    check(vec![
        ("is it too soon for more Advil?", when(None, "Advil")),
        (
            "¿cuándo le toca el ibuprofeno a Leo?",
            when(leo(), "ibuprofeno"),
        ),
        ("ya le puedo dar tylenol a emma", when(emma(), "tylenol")),
        ("how much motrin can emma have", when(emma(), "motrin")),
        ("is emma due for motrin?", when(emma(), "motrin")),
        (
            "when did emma last have motrin?",
            Command::LastDoses { child: emma() },
        ),
        (
            "le dieron el tylenol a emma?",
            Command::LastDoses { child: emma() },
        ),
        ("what do I do if he chokes on food?", Command::Unknown),
    ]);
}

/// Lists asked for in a few words, in English or Spanish; a sentence that mentions a list's word
/// is not a request for it.
#[test]
fn lists_in_a_few_words() {
    check(vec![
        ("medicinas de Leo", Command::Medications { child: leo() }),
        (
            "show me emma's meds",
            Command::Medications { child: emma() },
        ),
        ("alergias de Leo", Command::Allergies { child: leo() }),
        (
            "es alergico a algo leo?",
            Command::Allergies { child: leo() },
        ),
        ("notes for emma", Command::Notes { child: emma() }),
        ("notas de leo", Command::Notes { child: leo() }),
        ("ultimas dosis de leo", Command::LastDoses { child: leo() }),
        ("show leo's doses", Command::LastDoses { child: leo() }),
        ("niños", Command::Children),
        (
            "nota: Leo comió bien",
            Command::Note {
                child: leo(),
                text: "comió bien".into(),
            },
        ),
        ("emma's meds are in the fridge", Command::Unknown),
    ]);
}

/// The nanny arriving and leaving, and short answers, said in a clause of their own.
#[test]
fn shifts_and_short_answers() {
    check(vec![
        ("I'm here", Command::ShiftIn),
        ("buenos dias, ya llegué", Command::ShiftIn),
        ("starting now", Command::ShiftIn),
        (
            "Ana is home, I'm leaving",
            Command::ShiftOut {
                at: None,
                words: Some("Ana is home".into()),
            },
        ),
        (
            "done for today, Emma napped well. Leo ate all his lunch!",
            Command::ShiftOut {
                at: None,
                words: Some("Emma napped well, Leo ate all his lunch".into()),
            },
        ),
        (
            "done for today, Emma took a long nap",
            Command::ShiftOut {
                at: None,
                words: Some("Emma took a long nap".into()),
            },
        ),
        (
            "ya me voy, Emma durmió bien la siesta",
            Command::ShiftOut {
                at: None,
                words: Some("Emma durmió bien la siesta".into()),
            },
        ),
        (
            "ya me voy, hasta mañana",
            Command::ShiftOut {
                at: None,
                words: None,
            },
        ),
        (
            "shift over",
            Command::ShiftOut {
                at: None,
                words: None,
            },
        ),
        (
            "done for today",
            Command::ShiftOut {
                at: None,
                words: None,
            },
        ),
        ("leaving the tylenol on the counter", Command::Unknown),
        ("yes please", Command::Yes),
        ("sí, dale", Command::Yes),
        ("no gracias", Command::No),
        ("oops, undo", Command::Undo),
        ("borra eso", Command::Undo),
        ("what can you do?", Command::Help),
        ("que puedo escribir?", Command::Help),
        ("ok thanks", Command::Unknown),
        ("gracias", Command::Unknown),
    ]);
    assert!(!matches!(parse_with_kids("no fever today"), Command::No));
}

/// A dose that was not given — planned, asked for, refused, forgotten — is never recorded; food,
/// naps and baths are not medicines.
#[test]
fn doses_not_given_and_things_not_medicines() {
    check(vec![
        (
            "thanks, I'll give her tylenol later if she needs it",
            Command::Unknown,
        ),
        ("ana said to give emma motrin at 6", Command::Unknown),
        ("i didn't give emma her motrin", Command::Unknown),
        ("no le di el tylenol a emma", Command::Unknown),
        ("voy a darle el tylenol a emma", Command::Unknown),
        ("luego le doy la amoxicilina a leo", Command::Unknown),
        ("forgot to give leo his amoxicillin", Command::Unknown),
        ("Leo had his bottle", Command::Unknown),
        ("emma se tomo toda la leche", Command::Unknown),
        // "Then I gave" is a dose.
        (
            "luego le di 5 ml de tylenol a emma",
            dose(emma(), ml(5.0), "tylenol", None),
        ),
    ]);
}

/// Phrasings the held-out set brought: English clock phrases, Spanish quarters of an hour and the
/// small hours, a corrected amount, a count of tablets with the name between, "le puse", a
/// reading said with "running" or "amaneció con", "has she had", "falta mucho para".
#[test]
fn held_out_phrasings() {
    let clock = |h, m| NaiveTime::from_hms_opt(h, m, 0).map(SaidTime::Clock);
    let ago = |minutes| Some(SaidTime::Ago(chrono::Duration::minutes(minutes)));
    let vague = |said: &str| Some(SaidTime::Vague(said.into()));
    let temp = |child: Option<String>, value: &str| Command::Temperature {
        child,
        value: value.into(),
        at: None,
    };
    check(vec![
        (
            "gave emma 5 ml tylenol at quarter past 7",
            dose(emma(), ml(5.0), "tylenol", clock(7, 15)),
        ),
        (
            "gave emma 5 ml tylenol at quarter to 8",
            dose(emma(), ml(5.0), "tylenol", clock(7, 45)),
        ),
        (
            "le di 5 ml de motrin a emma hace tres cuartos de hora",
            dose(emma(), ml(5.0), "motrin", ago(45)),
        ),
        (
            "le di 5 ml de motrin a emma en la madrugada",
            dose(emma(), ml(5.0), "motrin", vague("en la madrugada")),
        ),
        (
            "gave emma 5ml motrin at teatime",
            dose(emma(), ml(5.0), "motrin", vague("at teatime")),
        ),
        (
            "emma had half a spoonful of tylenol, a teaspoon I mean half a teaspoon",
            dose(emma(), ml(2.5), "tylenol", None),
        ),
        (
            "gave emma one motrin chewable tablet",
            dose(emma(), amount(1.0, DoseUnit::Tablet), "motrin", None),
        ),
        (
            "le di una cucharita de tylenol a emma",
            dose(emma(), ml(5.0), "tylenol", None),
        ),
        (
            "le puse 5 ml de amoxicilina a leo",
            dose(leo(), ml(5.0), "amoxicilina", None),
        ),
        ("leo running 38.6", temp(leo(), "38.6")),
        ("emma amanecio con 38", temp(emma(), "38")),
        (
            "has emma had any tylenol today?",
            Command::LastDoses { child: emma() },
        ),
        (
            "falta mucho para el motrin de emma?",
            Command::WhenNext {
                child: emma(),
                medication: "motrin".into(),
            },
        ),
        (
            "off now, see you tomorrow",
            Command::ShiftOut {
                at: None,
                words: None,
            },
        ),
        ("hola, ya estoy en la casa", Command::ShiftIn),
        ("yes that's right", Command::Yes),
        ("no, cancela", Command::No),
    ]);
}

/// Several doses in one message are a command each (none dropped); a message with one dose, or
/// with "and" in another sense, stays one command.
#[test]
fn several_doses_in_one_message() {
    let kids = vec!["Emma".to_string(), "Leo".to_string()];
    let all = |text: &str| parse_all(text, &Vocabulary { children: &kids });
    let at_nine = Some(SaidTime::Clock(
        chrono::NaiveTime::from_hms_opt(9, 0, 0).expect("a time"),
    ));
    let cases: Vec<(&str, Vec<Command>)> = vec![
        (
            "gave Emma 2.5 ml Motrin and Leo 5 ml amoxicillin",
            vec![
                dose(emma(), ml(2.5), "Motrin", None),
                dose(leo(), ml(5.0), "amoxicillin", None),
            ],
        ),
        (
            "gave Emma 5 ml Tylenol and 5 ml Motrin at 9",
            vec![
                dose(emma(), ml(5.0), "Tylenol", at_nine.clone()),
                dose(emma(), ml(5.0), "Motrin", at_nine),
            ],
        ),
        (
            "le di 5 ml de tylenol a Emma y 5 ml de amoxicilina a Leo",
            vec![
                dose(emma(), ml(5.0), "tylenol", None),
                dose(leo(), ml(5.0), "amoxicilina", None),
            ],
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(all(text), expected, "{text:?}");
    }
    for one in [
        "gave Emma 5 ml Tylenol",
        "gave Emma 5 ml Tylenol and she's fine",
        "gave Emma 5 ml tylenol and motrin",
        "kids",
    ] {
        assert_eq!(all(one), vec![parse_with_kids(one)], "{one:?}");
    }
}
