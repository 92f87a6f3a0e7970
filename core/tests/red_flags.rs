//! The red-flag screen against its evaluation set (`core/tests/red_flags/`): every emergency must
//! be caught (100 % recall), and the look-alikes that fire are listed with the false-alarm rate,
//! which must stay under 5 %.
//!
//! The family is the one the evaluation files describe: Emma (4 years), Leo (14 months, allergic
//! to peanuts) and Sofia (7 weeks).

use mednanny_core::screen::{screen, Category, ChildFacts};

fn family() -> Vec<ChildFacts> {
    vec![
        ChildFacts::new(1, "Emma", Some(4 * 365 + 30), &[]),
        ChildFacts::new(2, "Leo", Some(14 * 30), &["peanuts".to_string()]),
        ChildFacts::new(3, "Sofia", Some(49), &[]),
    ]
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// The first 50 characters, for a report that is not a wall of text.
fn short(text: &str) -> String {
    text.chars().take(70).collect()
}

#[test]
fn every_emergency_in_the_evaluation_set_is_caught() {
    emergencies_are_caught(include_str!("red_flags/emergencies.tsv"), 150);
}

/// The held-out set, written later by someone who had seen neither the screen nor the first set,
/// in other voices (voice-note transcripts, nanny reports, British English, more Spanish).
#[test]
fn every_emergency_in_the_held_out_set_is_caught() {
    emergencies_are_caught(include_str!("red_flags/holdout_emergencies.tsv"), 100);
}

#[test]
fn look_alikes_in_the_held_out_set_rarely_raise_a_false_alarm() {
    false_alarms_are_rare(include_str!("red_flags/holdout_lookalikes.txt"), 75);
}

fn emergencies_are_caught(corpus: &str, at_least: usize) {
    let kids = family();
    let mut total = 0;
    let mut missed = Vec::new();
    let mut other_category = Vec::new();
    for line in lines(corpus) {
        let (expected, message) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("not `category<TAB>message`: {line}"));
        let expected = Category::from_code(expected)
            .unwrap_or_else(|| panic!("unknown category {expected:?}"));
        total += 1;
        match screen(message, &kids) {
            None => missed.push(format!("{expected:?}: {message}")),
            Some(flag) if !flag.involves(expected) => other_category.push(format!(
                "{expected:?} read as {:?}: {}",
                flag.categories,
                short(message)
            )),
            Some(_) => {}
        }
    }
    assert!(
        total >= at_least,
        "the evaluation set has {total} emergencies (at least {at_least})"
    );
    println!("{} of {total} emergencies caught", total - missed.len());
    for line in &other_category {
        println!("  other category: {line}");
    }
    assert!(
        missed.is_empty(),
        "{} missed:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

/// Poisonings get Poison Help, suicidal talk the crisis line, abuse the child-protection line: for
/// those the category must be right, not only the alarm.
#[test]
fn poisoning_self_harm_and_abuse_are_recognised_as_such() {
    let kids = family();
    let mut wrong = Vec::new();
    let corpus = [
        include_str!("red_flags/emergencies.tsv"),
        include_str!("red_flags/holdout_emergencies.tsv"),
    ]
    .join("\n");
    let corpus = corpus.as_str();
    for line in lines(corpus) {
        let Some((expected, message)) = line.split_once('\t') else {
            continue;
        };
        let Some(expected) = Category::from_code(expected) else {
            continue;
        };
        if !matches!(
            expected,
            Category::Poisoning | Category::SelfHarm | Category::Abuse
        ) {
            continue;
        }
        if !screen(message, &kids).is_some_and(|f| f.involves(expected)) {
            wrong.push(format!("{expected:?}: {message}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} not recognised:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn look_alikes_rarely_raise_a_false_alarm() {
    false_alarms_are_rare(include_str!("red_flags/lookalikes.txt"), 75);
}

fn false_alarms_are_rare(corpus: &str, at_least: usize) {
    let kids = family();
    let mut total = 0;
    let mut alarms = Vec::new();
    for message in lines(corpus) {
        total += 1;
        if let Some(flag) = screen(message, &kids) {
            alarms.push(format!("{:?}: {message}", flag.categories));
        }
    }
    assert!(
        total >= at_least,
        "the evaluation set has {total} look-alikes (at least {at_least})"
    );
    let rate = alarms.len() as f64 / total as f64 * 100.0;
    println!(
        "false alarms: {} of {total} look-alikes ({rate:.1} %)",
        alarms.len()
    );
    for alarm in &alarms {
        println!("  {alarm}");
    }
    assert!(
        rate < 5.0,
        "false-alarm rate {rate:.1} % (must stay under 5 %):\n{}",
        alarms.join("\n")
    );
}
