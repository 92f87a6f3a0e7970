//! Amounts as people say them: "5 ml", "5ml", "1/2 tablet", and household measures ("a
//! teaspoon", "half a tablet", "una cucharadita"), kept as the record keeps them.

use super::strip_punctuation;
use crate::domain::{AmountError, DoseAmount, DoseUnit};

/// Household measures, in ml: what a parent says instead of a number of millilitres.
pub(super) fn household_ml(word: &str) -> Option<f64> {
    match word.to_lowercase().trim_end_matches('s') {
        "teaspoon" | "tsp" | "cucharadita" => Some(5.0),
        "tablespoon" | "tbsp" | "cucharada" => Some(15.0),
        _ => None,
    }
}

/// How many, said as a word: "a teaspoon", "half a tablet", "two teaspoons", "una cucharadita".
fn quantity_word(word: &str) -> Option<f64> {
    match word.to_lowercase().as_str() {
        "a" | "an" | "one" | "una" | "un" | "1" => Some(1.0),
        "half" | "½" | "media" | "medio" => Some(0.5),
        "two" | "dos" | "2" => Some(2.0),
        _ => None,
    }
}

/// "a teaspoon" (5 ml), "half a teaspoon", "two teaspoons", "a tablespoon" (15 ml), "half a
/// tablet", "one tablet", "una cucharadita": the amount as the record keeps it (ml, tablets), so
/// the reply says it back converted.
fn find_household_amount(
    tokens: &[&str],
) -> Option<(usize, usize, Result<DoseAmount, AmountError>)> {
    for (i, token) in tokens.iter().enumerate() {
        let Some(quantity) = quantity_word(strip_punctuation(token)) else {
            continue;
        };
        // "half a teaspoon": the article after "half" belongs to the measure.
        let mut unit_at = i + 1;
        if quantity == 0.5
            && tokens
                .get(unit_at)
                .is_some_and(|w| matches!(w.to_lowercase().as_str(), "a" | "an" | "una" | "un"))
        {
            unit_at += 1;
        }
        let Some(unit_word) = tokens.get(unit_at).map(|w| strip_punctuation(w)) else {
            continue;
        };
        // "a teaspoon of Tylenol", "half a tablet of ibuprofen".
        let end = unit_at + 1;
        if let Some(ml) = household_ml(unit_word) {
            return Some((i, end, DoseAmount::new(ml * quantity, DoseUnit::Ml)));
        }
        if let Some(unit) = DoseUnit::parse(unit_word).filter(|u| *u != DoseUnit::Ml) {
            return Some((i, end, DoseAmount::new(quantity, unit)));
        }
    }
    None
}

/// Finds the amount in the tokens: "5 ml", "5ml", "1/2 tablet", "-5 ml", "5 spoons" (a number followed
/// by a word, or a number glued to its unit), or a household measure ("a teaspoon"). Returns its
/// token span and the parsed result.
pub(super) fn find_amount(
    tokens: &[&str],
) -> Option<(usize, usize, Result<DoseAmount, AmountError>)> {
    if let Some(found) = find_household_amount(tokens) {
        return Some(found);
    }
    for (i, token) in tokens.iter().enumerate() {
        let t = strip_punctuation(token);
        let starts_numeric = t
            .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '½' | '¼' | '.'))
            && t.chars()
                .any(|c| c.is_ascii_digit() || matches!(c, '½' | '¼'));
        if !starts_numeric {
            continue;
        }
        let glued_unit = t.trim_start_matches(|c: char| {
            c.is_ascii_digit() || matches!(c, '.' | ',' | '/' | '-' | '½' | '¼')
        });
        if !glued_unit.is_empty() {
            return Some((i, i + 1, DoseAmount::parse(t)));
        }
        if let Some(unit) = tokens.get(i + 1) {
            let unit = strip_punctuation(unit);
            // "2 teaspoons", "1.5 tsp": household measures with a number.
            if let (Some(ml), Ok(count)) = (household_ml(unit), t.replace(',', ".").parse::<f64>())
            {
                return Some((i, i + 2, DoseAmount::new(ml * count, DoseUnit::Ml)));
            }
            let text = format!("{t} {unit}");
            return Some((i, i + 2, DoseAmount::parse(&text)));
        }
        return Some((i, i + 1, DoseAmount::parse(t)));
    }
    None
}
