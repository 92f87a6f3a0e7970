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
                medication: "le di de Motrin".into(),
                at: ago(30),
            },
        ),
        (
            "le di 5 ml de Motrin a Emma hace 2 horas",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "le di de Motrin".into(),
                at: ago(120),
            },
        ),
        // Household measures, kept as the record keeps them; hedged times.
        (
            "Maya here, gave Emma a teaspoon of Tylenol around 2",
            Command::GiveDose {
                child: emma(),
                amount: ml(5.0),
                medication: "Maya Tylenol".into(),
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
                medication: "le di de Motrin".into(),
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
        (
            "create family Garcia Lopez",
            Command::CreateFamily {
                name: "Garcia Lopez".into(),
            },
        ),
        (
            "new family",
            Command::CreateFamily {
                name: String::new(),
            },
        ),
        ("clock out", Command::ShiftOut),
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
