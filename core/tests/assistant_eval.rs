//! The rules brain against the assistant's evaluation set (`core/tests/assistant_eval/cases.tsv`):
//! each message goes through the red-flag screen as the engine runs it (without the family's facts,
//! then with them when they could matter) and, when nothing fires, through the command parser with
//! the demo family's children. The command is read back as an intent and its details (child,
//! medication as said and the record it finds, amount, time, temperature...) and compared.
//!
//! Run with `--nocapture` for the score table and every miss. It demands every red flag caught and
//! no look-alike raising one, at least 90 % in every other category, and 90 % of the Spanish.

use std::collections::BTreeMap;

use chrono::Timelike;
use mednanny_core::domain::{
    parse_strength, Approval, DoseAmount, DoseUnit, Schedule, Temperature,
};
use mednanny_core::engine::command::{parse, Command, SaidTime, Vocabulary};
use mednanny_core::engine::match_medication;
use mednanny_core::screen::{ChildFacts, Screening};
use mednanny_core::services::care::MedicationView;

const EMMA: i64 = 1;
const LEO: i64 = 2;

fn children() -> Vec<String> {
    vec!["Emma".to_string(), "Leo".to_string()]
}

fn facts() -> Vec<ChildFacts> {
    vec![
        ChildFacts::new(EMMA, "Emma", Some(4 * 365 + 90), &[]),
        ChildFacts::new(LEO, "Leo", Some(14 * 30), &["peanuts".to_string()]),
    ]
}

/// The demo family's medications, as the runner would look a said name up among them.
fn medications() -> Vec<MedicationView> {
    let med = |id, child_id, name: &str, ingredient, strength| MedicationView {
        id,
        child_id,
        name: name.into(),
        form: "oral suspension".into(),
        route: "oral".into(),
        ingredients: vec![parse_strength(ingredient, strength).expect("a strength")],
        dose: DoseAmount {
            value: 5.0,
            unit: DoseUnit::Ml,
        },
        schedule: Schedule::AsNeeded,
        min_interval: chrono::Duration::hours(4),
        max_doses_per_day: Some(4),
        starts_on: None,
        ends_on: None,
        active: true,
        approval: Approval::Approved,
        proposed_by_member_id: None,
        decided_by_member_id: None,
        decided_at: None,
    };
    vec![
        med(
            10,
            EMMA,
            "Children's Tylenol",
            "acetaminophen",
            "160 mg/5 ml",
        ),
        med(11, EMMA, "Children's Motrin", "ibuprofen", "100 mg/5 ml"),
        med(12, LEO, "Amoxicillin", "amoxicillin", "250 mg/5 ml"),
    ]
}

struct Case {
    category: String,
    lang: String,
    intent: String,
    details: BTreeMap<String, String>,
    message: String,
}

fn cases(file: &str) -> Vec<Case> {
    file.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [category, lang, intent, details, message] = fields[..] else {
                panic!("not `category<TAB>lang<TAB>intent<TAB>details<TAB>message`: {line}");
            };
            let details = details
                .split(';')
                .map(str::trim)
                .filter(|d| !d.is_empty() && *d != "-")
                .map(|d| {
                    let (k, v) = d
                        .split_once('=')
                        .unwrap_or_else(|| panic!("not `key=value`: {d:?} in {line}"));
                    (k.trim().to_string(), v.trim().to_string())
                })
                .collect();
            Case {
                category: category.into(),
                lang: lang.into(),
                intent: intent.into(),
                details,
                message: message.into(),
            }
        })
        .collect()
}

/// What the rules brain made of a message: an intent and its details, in the file's terms.
struct Reading {
    intent: String,
    details: BTreeMap<String, String>,
}

fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn said_time(at: Option<SaidTime>) -> String {
    let clock = |t: chrono::NaiveTime| format!("{}:{:02}", t.hour(), t.minute());
    match at {
        None => "now".into(),
        Some(SaidTime::At(t)) => t.format("%H:%M").to_string(),
        Some(SaidTime::Clock(t)) => format!("~{}", clock(t)),
        Some(SaidTime::Ago(d)) => format!("-{}m", d.num_minutes()),
        Some(SaidTime::Vague(_)) => "vague".into(),
    }
}

fn read(message: &str) -> Reading {
    // As the engine screens: without the family's facts, then with them when they could matter.
    let screening = Screening::new(message);
    let flag = screening.verdict(&[]).or_else(|| {
        screening
            .needs_child_facts()
            .then(|| screening.verdict(&facts()))
            .flatten()
    });
    if flag.is_some() {
        return Reading {
            intent: "emergency".into(),
            details: BTreeMap::new(),
        };
    }
    let kids = children();
    let command = parse(message, &Vocabulary { children: &kids });
    let mut details = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        details.insert(k.to_string(), v);
    };
    let child = |c: Option<String>| c.unwrap_or_else(|| "none".into());
    let intent = match command {
        Command::GiveDose {
            child: c,
            amount,
            medication,
            at,
        } => {
            put("child", child(c.clone()));
            put("rec", record(c.as_deref(), &medication));
            put("med", medication.to_lowercase());
            put(
                "amount",
                match amount {
                    Ok(a) => format!("{} {}", number(a.value), a.unit.as_str()),
                    Err(mednanny_core::domain::AmountError::Missing) => "missing".into(),
                    Err(_) => "error".into(),
                },
            );
            put("time", said_time(at));
            "give_dose"
        }
        Command::WhenNext {
            child: c,
            medication,
        } => {
            put("child", child(c.clone()));
            put("rec", record(c.as_deref(), &medication));
            put("med", medication.to_lowercase());
            "when_next"
        }
        Command::LastDoses { child: c } => {
            put("child", child(c));
            "last_doses"
        }
        Command::Temperature {
            child: c,
            value,
            at,
        } => {
            put("child", child(c));
            put(
                "temp",
                Temperature::parse(&value)
                    .map(|t| format!("{:.1}", t.celsius))
                    .unwrap_or_else(|_| format!("unreadable {value:?}")),
            );
            put("time", said_time(at));
            "temperature"
        }
        Command::Note { child: c, text } => {
            put("child", child(c));
            put("text", text);
            "note"
        }
        Command::Notes { child: c } => {
            put("child", child(c));
            "notes"
        }
        Command::Growth {
            child: c,
            kind,
            value,
        } => {
            put("child", child(c));
            put("kind", kind.as_str().to_string());
            put("value", number(value));
            "growth"
        }
        Command::Medications { child: c } => {
            put("child", child(c));
            "medications"
        }
        Command::Allergies { child: c } => {
            put("child", child(c));
            "allergies"
        }
        Command::Records { kind, child: c } => {
            put("child", child(c));
            put(
                "kind",
                serde_json::to_value(kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            );
            "records"
        }
        Command::Children => "children",
        Command::ShiftIn => "shift_in",
        Command::ShiftOut { at, words } => {
            put("time", said_time(at));
            if let Some(words) = words {
                put("text", words);
            }
            "shift_out"
        }
        Command::Undo => "undo",
        Command::Yes => "yes",
        Command::No => "no",
        Command::Help => "help",
        Command::Choose(_) => "choose",
        Command::BadTime(_) => "bad_time",
        Command::Unknown | Command::Empty => "not_understood",
        other => {
            let name = format!("{other:?}");
            return Reading {
                intent: name
                    .split([' ', '(', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                details: BTreeMap::from([("as".to_string(), name)]),
            };
        }
    };
    Reading {
        intent: intent.into(),
        details,
    }
}

/// The record a said medication finds among the child's medications (both children's when
/// nobody was named): its name when exactly one, `none`, or the names it cannot choose between.
fn record(child: Option<&str>, said: &str) -> String {
    let child_id = match child {
        Some(name) if name.eq_ignore_ascii_case("Emma") => Some(EMMA),
        Some(name) if name.eq_ignore_ascii_case("Leo") => Some(LEO),
        _ => None,
    };
    let meds: Vec<MedicationView> = medications()
        .into_iter()
        .filter(|m| child_id.is_none_or(|id| m.child_id == id))
        .collect();
    let found: Vec<String> = match_medication(said, &meds)
        .iter()
        .map(|m| m.name.clone())
        .collect();
    match found.as_slice() {
        [] => "none".into(),
        names => names.join(" or "),
    }
}

/// The details that differ from what was expected (empty: the case passes).
fn differences(case: &Case, got: &Reading) -> Vec<String> {
    let mut wrong = Vec::new();
    if got.intent != case.intent {
        wrong.push(format!("intent {} (expected {})", got.intent, case.intent));
        return wrong;
    }
    for (key, expected) in &case.details {
        let actual = got.details.get(key).map(String::as_str).unwrap_or("");
        let same = match key.as_str() {
            "med" | "text" => actual.to_lowercase() == expected.to_lowercase(),
            _ => actual == expected,
        };
        if !same {
            wrong.push(format!("{key}={actual:?} (expected {expected:?})"));
        }
    }
    wrong
}

#[derive(Default)]
struct Score {
    passed: usize,
    total: usize,
}

impl Score {
    fn rate(&self) -> f64 {
        if self.total == 0 {
            return 100.0;
        }
        self.passed as f64 / self.total as f64 * 100.0
    }
}

#[test]
fn the_rules_brain_reads_the_evaluation_set() {
    evaluate(include_str!("assistant_eval/cases.tsv"), 220, 60);
}

/// The held-out set, written after the parser passed the first, in other voices.
#[test]
fn the_rules_brain_reads_the_held_out_set() {
    evaluate(include_str!("assistant_eval/holdout.tsv"), 100, 40);
}

fn evaluate(file: &str, at_least: usize, spanish_at_least: usize) {
    let cases = cases(file);
    let spanish = cases.iter().filter(|c| c.lang == "es").count();
    assert!(
        cases.len() >= at_least,
        "the set has {} messages (at least {at_least})",
        cases.len()
    );
    assert!(
        spanish >= spanish_at_least,
        "the set has {spanish} in Spanish (at least {spanish_at_least})"
    );

    let mut by_category: BTreeMap<&str, Score> = BTreeMap::new();
    let mut by_lang: BTreeMap<&str, Score> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut false_alarms = Vec::new();
    let mut missed_flags = Vec::new();
    for case in &cases {
        let got = read(&case.message);
        let wrong = differences(case, &got);
        for score in [
            by_category.entry(case.category.as_str()).or_default(),
            by_lang.entry(case.lang.as_str()).or_default(),
        ] {
            score.total += 1;
            score.passed += usize::from(wrong.is_empty());
        }
        if case.intent != "emergency" && got.intent == "emergency" {
            false_alarms.push(case.message.clone());
        }
        if case.intent == "emergency" && got.intent != "emergency" {
            missed_flags.push(case.message.clone());
        }
        if !wrong.is_empty() {
            misses.push(format!(
                "  [{}] {:?}\n      {}",
                case.category,
                case.message,
                wrong.join("; ")
            ));
        }
    }

    println!("{:<12} {:>7} {:>7}", "category", "passed", "score");
    for (name, score) in by_category.iter().chain(by_lang.iter()) {
        println!(
            "{:<12} {:>3}/{:<3} {:>6.1}%",
            name,
            score.passed,
            score.total,
            score.rate()
        );
    }
    let passed: usize = by_category.values().map(|s| s.passed).sum();
    println!(
        "{:<12} {:>3}/{:<3} {:>6.1}%",
        "all",
        passed,
        cases.len(),
        passed as f64 / cases.len() as f64 * 100.0
    );
    if !misses.is_empty() {
        println!("\n{} misses:\n{}", misses.len(), misses.join("\n"));
    }

    assert!(
        missed_flags.is_empty(),
        "red flags missed:\n{}",
        missed_flags.join("\n")
    );
    assert!(
        false_alarms.is_empty(),
        "false alarms:\n{}",
        false_alarms.join("\n")
    );
    let below: Vec<String> = by_category
        .iter()
        .filter(|(name, score)| {
            let needed = if **name == "red_flags" { 100.0 } else { 90.0 };
            score.rate() < needed
        })
        .map(|(name, score)| format!("{name} {:.1}%", score.rate()))
        .collect();
    assert!(below.is_empty(), "below the bar: {}", below.join(", "));
    let es = &by_lang["es"];
    assert!(
        es.rate() >= 90.0,
        "Spanish {:.1}% (at least 90%)",
        es.rate()
    );
}
