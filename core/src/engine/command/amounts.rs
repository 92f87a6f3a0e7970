//! Amounts as people say them: "5 ml", "5ml", "1/2 tsp", "five ml", "cinco mililitros", and
//! household measures ("a teaspoon", "half a tablet", "a teaspoon and a half", "media
//! cucharadita", "una cucharadita y media"), kept as the record keeps them (ml, mg, tablets,
//! drops). An amount is never guessed: "a spoon" (which spoon?) and "5 Tylenol" (5 what?) are
//! errors the conversation asks about, and "some Tylenol" has no amount at all.

use super::strip_punctuation;
use super::words::fold;
use crate::domain::{AmountError, DoseAmount, DoseUnit};

/// An amount found in the words: its span (start, end) and what it reads as.
pub(super) type Found = (usize, usize, Result<DoseAmount, AmountError>);

/// Household measures, in ml: what a parent says instead of a number of millilitres.
pub(super) fn household_ml(word: &str) -> Option<f64> {
    let word = fold(word);
    match word.trim_end_matches('.').trim_end_matches('s') {
        // "cucharita", "cucharilla": the small spoon, as "teaspoon" is.
        "teaspoon" | "tsp" | "cucharadita" | "cdta" | "cdita" | "cucharaditas" | "cucharita"
        | "cucharilla" => Some(5.0),
        "tablespoon" | "tbsp" | "cucharada" | "cda" => Some(15.0),
        _ => None,
    }
}

/// Things a dose is poured into or with that hold no one amount: "a spoon" is a teaspoon or a
/// tablespoon, "a cup" any cup. Said as the unit, they are refused with the reason.
const UNMEASURED: &[&str] = &[
    "spoon",
    "spoons",
    "spoonful",
    "spoonfuls",
    "cuchara",
    "cucharas",
    "cucharon",
    "capful",
    "capfuls",
    "cap",
    "dropper",
    "droppers",
    "dropperful",
    "syringe",
    "syringes",
    "jeringa",
    "jeringas",
    "jeringuilla",
    "cup",
    "cups",
    "cupful",
    "vasito",
    "taza",
    "scoop",
    "scoops",
    "sip",
    "sips",
    "squirt",
    "squirts",
    "chorrito",
    "shot",
    "gulp",
    "trago",
];

/// What a word after a count measures.
enum Measure {
    /// A household measure, so many ml each.
    Ml(f64),
    Unit(DoseUnit),
    Unmeasured(String),
}

fn measure(word: &str) -> Option<Measure> {
    let word = strip_punctuation(word);
    if let Some(ml) = household_ml(word) {
        return Some(Measure::Ml(ml));
    }
    if let Some(unit) = DoseUnit::parse(word) {
        return Some(Measure::Unit(unit));
    }
    let folded = fold(word);
    UNMEASURED
        .contains(&folded.as_str())
        .then(|| Measure::Unmeasured(word.to_lowercase()))
}

/// Whether a word is a unit or a measure ("ml", "tsp", "spoonful", "pastilla"): never part of a
/// medication's name.
pub(super) fn is_measure(word: &str) -> bool {
    measure(word).is_some()
}

impl Measure {
    fn amount(&self, count: f64) -> Result<DoseAmount, AmountError> {
        match self {
            Measure::Ml(ml) => DoseAmount::new(ml * count, DoseUnit::Ml),
            Measure::Unit(unit) => DoseAmount::new(count, *unit),
            Measure::Unmeasured(word) => Err(AmountError::UnknownUnit(word.clone())),
        }
    }
}

/// A count said in digits ("5", "2.5", "2,5", "1/2", "½", "1½").
fn digits(word: &str) -> Option<f64> {
    let word = word.replace(',', ".");
    let (whole, extra) = match word.strip_suffix('½') {
        Some(rest) => (rest.to_string(), 0.5),
        None => match word.strip_suffix('¼') {
            Some(rest) => (rest.to_string(), 0.25),
            None => (word.clone(), 0.0),
        },
    };
    if whole.is_empty() {
        return (extra > 0.0).then_some(extra);
    }
    if let Some((n, d)) = whole.split_once('/') {
        let (n, d) = (n.parse::<f64>().ok()?, d.parse::<f64>().ok()?);
        return (d > 0.0).then(|| n / d + extra);
    }
    if !whole.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    whole.parse::<f64>().ok().map(|v| v + extra)
}

/// A count said as a word: "a", "one" … "ten", "half", "un", "una", "dos" … "diez", "media".
pub(super) fn count_word(word: &str) -> Option<f64> {
    let named = [
        ("one", 1.0),
        ("two", 2.0),
        ("three", 3.0),
        ("four", 4.0),
        ("five", 5.0),
        ("six", 6.0),
        ("seven", 7.0),
        ("eight", 8.0),
        ("nine", 9.0),
        ("ten", 10.0),
        ("a", 1.0),
        ("an", 1.0),
        ("half", 0.5),
        ("un", 1.0),
        ("una", 1.0),
        ("uno", 1.0),
        ("dos", 2.0),
        ("tres", 3.0),
        ("cuatro", 4.0),
        ("cinco", 5.0),
        ("seis", 6.0),
        ("siete", 7.0),
        ("ocho", 8.0),
        ("nueve", 9.0),
        ("diez", 10.0),
        ("media", 0.5),
        ("medio", 0.5),
    ];
    let word = fold(word);
    named.iter().find(|(w, _)| *w == word).map(|(_, n)| *n)
}

/// "and a half" / "y media" after a measure: the tokens it takes.
fn and_a_half(tokens: &[&str], at: usize) -> Option<usize> {
    let word = |i: usize| tokens.get(i).map(|w| fold(strip_punctuation(w)));
    match (word(at).as_deref(), word(at + 1).as_deref(), word(at + 2)) {
        (Some("and"), Some("a"), Some(half)) if half == "half" => Some(3),
        (Some("y"), Some("media" | "medio"), _) => Some(2),
        _ => None,
    }
}

/// Finds the amount in the tokens: a count and its measure ("5 ml", "five ml", "a teaspoon",
/// "half a tablet", "1/2 tsp", "a teaspoon and a half"), a number glued to its unit ("5ml"), a
/// measure with its half ("cucharadita y media"), or a number without a unit (an error: the
/// unit is asked for). An amount that reads wins over one that does not ("2nd dose, 5 ml").
pub(super) fn find_amount(tokens: &[&str]) -> Option<Found> {
    let mut first_error = None;
    let mut from = 0;
    while let Some(found) = next_amount(tokens, from) {
        if found.2.is_ok() {
            return Some(found);
        }
        from = found.1;
        first_error.get_or_insert(found);
    }
    first_error
}

fn next_amount(tokens: &[&str], from: usize) -> Option<Found> {
    for (i, token) in tokens.iter().enumerate().skip(from) {
        let word = strip_punctuation(token);
        let numeric = digits(word);
        let count = numeric.or_else(|| count_word(word));
        if let Some(count) = count {
            // "half a teaspoon", "media una"? only "half a/an" takes the article.
            let mut unit_at = i + 1;
            if count == 0.5
                && tokens
                    .get(unit_at)
                    .is_some_and(|w| matches!(fold(w).as_str(), "a" | "an"))
            {
                unit_at += 1;
            }
            if let Some(measure) = tokens.get(unit_at).and_then(|w| measure(w)) {
                let mut end = unit_at + 1;
                let mut count = count;
                if let Some(used) = and_a_half(tokens, end) {
                    count += 0.5;
                    end += used;
                }
                return Some((i, end, measure.amount(count)));
            }
        }
        // "one Motrin chewable tablet", "2 Tylenol chewables": a count of tablets or drops with
        // the medicine's name between (the name stays the medication's).
        if let Some(count) = count.filter(|_| numeric.is_some() || fold(word) != "a") {
            let unit = (i + 1..(i + 4).min(tokens.len())).find_map(|j| match measure(tokens[j]) {
                Some(Measure::Unit(unit @ (DoseUnit::Tablet | DoseUnit::Drop))) => Some(unit),
                _ => None,
            });
            let between_are_words = tokens[i + 1..]
                .iter()
                .take_while(|w| measure(w).is_none())
                .all(|w| digits(strip_punctuation(w)).is_none());
            if let (Some(unit), true) = (unit, between_are_words) {
                return Some((i, i + 1, DoseAmount::new(count, unit)));
            }
        }
        if let Some(found) = numeric_amount(tokens, i) {
            return Some(found);
        }
        // "cucharadita y media": one measure and a half.
        if let (Some(measure), Some(used)) = (measure(word), and_a_half(tokens, i + 1)) {
            if !matches!(measure, Measure::Unmeasured(_)) {
                return Some((i, i + 1 + used, measure.amount(1.5)));
            }
        }
    }
    None
}

/// A token that starts with a number: "5ml", "-5 ml", "10 litres", "1tsp", or a number without
/// its unit ("5 Tylenol": the unit is missing).
fn numeric_amount(tokens: &[&str], i: usize) -> Option<Found> {
    let t = strip_punctuation(tokens[i]);
    let starts_numeric = t
        .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '½' | '¼' | '.'))
        && t.chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '½' | '¼'));
    if !starts_numeric {
        return None;
    }
    let glued_unit = t.trim_start_matches(|c: char| {
        c.is_ascii_digit() || matches!(c, '.' | ',' | '/' | '-' | '½' | '¼')
    });
    if !glued_unit.is_empty() {
        // "1tsp", "2cucharaditas": a household measure glued to its count.
        if let (Some(ml), Some(count)) = (
            household_ml(glued_unit),
            digits(&t[..t.len() - glued_unit.len()]),
        ) {
            return Some((i, i + 1, DoseAmount::new(ml * count, DoseUnit::Ml)));
        }
        return Some((i, i + 1, DoseAmount::parse(t)));
    }
    match tokens.get(i + 1).map(|w| strip_punctuation(w)) {
        Some(next) => {
            let read = DoseAmount::parse(&format!("{t} {next}"));
            match read {
                // "5 of Tylenol", "5 Tylenol": a number whose unit was not said.
                Err(AmountError::UnknownUnit(_)) => {
                    Some((i, i + 1, Err(AmountError::UnknownUnit(String::new()))))
                }
                other => Some((i, i + 2, other)),
            }
        }
        None => Some((i, i + 1, DoseAmount::parse(t))),
    }
}
