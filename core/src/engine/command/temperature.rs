//! Temperatures: which number in a message is the thermometer's reading.

use super::strip_punctuation;

/// Whether the text holds a thermometer reading with its scale: "101.3F", "38.5 °C", "38,5
/// grados", "100 degrees", in a thermometer's range.
pub(super) fn has_scaled_reading(text: &str) -> bool {
    const SCALES: &[&str] = &[
        "f", "°f", "ºf", "c", "°c", "ºc", "°", "º", "degrees", "grados",
    ];
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| strip_punctuation(w).to_lowercase())
        .collect();
    words.iter().enumerate().any(|(i, word)| {
        let digits: String = word
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        let Ok(value) = digits.replace(',', ".").parse::<f64>() else {
            return false;
        };
        let suffix = &word[digits.len()..];
        let scaled = if suffix.is_empty() {
            words
                .get(i + 1)
                .is_some_and(|next| SCALES.contains(&next.as_str()))
        } else {
            SCALES.contains(&suffix)
        };
        scaled && ((30.0..=45.0).contains(&value) || (86.0..=113.0).contains(&value))
    })
}

/// Words after a number that make it an age, a weight or a length, never a temperature.
const NOT_TEMPERATURE_UNITS: &[&str] = &[
    "day", "days", "week", "weeks", "wk", "wks", "w", "month", "months", "mo", "mos", "m", "year",
    "years", "yr", "yrs", "y", "yo", "kg", "kgs", "kilos", "g", "lb", "lbs", "pounds", "oz", "cm",
    "in", "inches", "ml", "mg", "semanas", "meses", "dias", "años", "anos",
];

/// The number in a temperature message that is the reading: "my 6 week old, 4.5 kg, temp 38.2"
/// is 38.2, never 6 or 4.5. The first number in a thermometer's range wins; without one, the
/// first number that is not an age or a weight (so a bad reading still gets its clear refusal).
pub(super) fn temperature_value(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().map(strip_punctuation).collect();
    let candidates: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .filter(|(i, w)| {
            let glued = w
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
                .to_lowercase();
            let next = words
                .get(i + 1)
                .map(|n| n.to_lowercase())
                .unwrap_or_default();
            let next = next.trim_end_matches('-').to_string();
            !NOT_TEMPERATURE_UNITS.contains(&glued.as_str())
                && !NOT_TEMPERATURE_UNITS.contains(&next.as_str())
        })
        .map(|(_, w)| *w)
        .collect();
    let plausible = |w: &&&str| {
        let digits: String = w
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        digits
            .replace(',', ".")
            .parse::<f64>()
            .is_ok_and(|v| (30.0..=45.0).contains(&v) || (86.0..=113.0).contains(&v))
    };
    candidates
        .iter()
        .find(plausible)
        .or(candidates.first())
        .map(|w| w.to_string())
}
