//! Temperatures: whether a message gives one ("temp 38.4", "fiebre de 38,7", "Leo 38,5", "Emma
//! tiene 38 y medio") and which number is the thermometer's reading.

use super::words::key;
use super::{strip_punctuation, Vocabulary};

/// Words that say a temperature is meant.
const TEMPERATURE_WORDS: &[&str] = &[
    "temp",
    "temps",
    "temperature",
    "temperatura",
    "fever",
    "fiebre",
    "calentura",
    "thermometer",
    "termometro",
];

/// Whether the text says "temperature" ("temp", "fever's", "fiebre", "la temperatura").
pub(super) fn says_temperature(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        let k = key(w);
        let k = k.trim_end_matches("'s");
        TEMPERATURE_WORDS.contains(&k)
    })
}

/// "38 y medio", "38 y media", "101 and a half": a reading said with its half, as a number.
pub(super) fn with_halves(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let whole = strip_punctuation(words[i])
            .parse::<u32>()
            .ok()
            .filter(|v| (34..=42).contains(v) || (95..=108).contains(v));
        let rest: Vec<String> = words[i + 1..].iter().take(3).map(|w| key(w)).collect();
        let used = match rest
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["y", "medio" | "media", ..] => 2,
            ["and", "a", "half", ..] => 3,
            _ => 0,
        };
        match whole {
            Some(whole) if used > 0 => {
                out.push(format!("{whole}.5"));
                i += 1 + used;
            }
            _ => {
                out.push(words[i].to_string());
                i += 1;
            }
        }
    }
    out.join(" ")
}

/// Words that link a child and a reading: "Emma has 38.5", "Leo tiene 38,5", "leo is at 38.4",
/// "emma esta en 38.8", "emma had 38.9", "Leo's 38.2 now".
const LINKING: &[&str] = &[
    "has", "had", "is", "was", "at", "of", "now", "still", "again", "around", "about", "like",
    "almost", "nearly", "tiene", "tenia", "esta", "estaba", "en", "con", "de", "es", "ahora",
    "todavia", "sigue", "otra", "vez", "ya", "casi", "como", "a", "running", "reading", "with",
    "woke", "up", "amanecio", "desperto", "marca", "marcaba", "marcando",
];
const SCALES: &[&str] = &[
    "f",
    "°f",
    "ºf",
    "c",
    "°c",
    "ºc",
    "°",
    "º",
    "degrees",
    "grados",
    "celsius",
    "fahrenheit",
];

/// A reading said plainly with a child, in a clause of its own: "leo 38,5", "38.5 emma", "Emma
/// tiene 38,5", "leo is at 38.4", "emma esta en 38.8, pero está jugando". The number is one a
/// thermometer shows, said with a decimal, a scale or after "has"/"tiene"; the clause holds only
/// the child, the reading and the words that link them.
pub(super) fn said_reading(text: &str, vocabulary: &Vocabulary<'_>) -> bool {
    // Clauses end at punctuation that is not a decimal mark ("38,5" is one number).
    let mut clauses: Vec<String> = vec![String::new()];
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let decimal = matches!(c, ',' | '.')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if matches!(c, ',' | ';' | '!' | '?' | '.') && !decimal {
            clauses.push(String::new());
        } else if let Some(last) = clauses.last_mut() {
            last.push(*c);
        }
    }
    let clauses = clauses.into_iter().flat_map(|c| {
        c.split(" but ")
            .flat_map(|c| c.split(" pero "))
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    clauses.into_iter().any(|clause| {
        let keys: Vec<String> = clause
            .split_whitespace()
            .map(|w| key(w).trim_end_matches('.').to_string())
            .collect();
        let child = keys.iter().any(|k| vocabulary.child_in(k).is_some());
        let reading = keys.iter().enumerate().position(|(i, k)| {
            let digits: String = k
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
                .collect();
            let Ok(value) = digits.replace(',', ".").parse::<f64>() else {
                return false;
            };
            let suffix = &k[digits.len()..];
            let in_range = (34.0..=43.0).contains(&value) || (93.0..=110.0).contains(&value);
            let decimal = digits.contains(['.', ',']);
            let scaled = SCALES.contains(&suffix)
                || keys
                    .get(i + 1)
                    .is_some_and(|n| SCALES.contains(&n.as_str()));
            let linked = i > 0 && LINKING.contains(&keys[i - 1].as_str());
            in_range && (suffix.is_empty() || scaled) && (decimal || scaled || linked)
        });
        let Some(reading) = reading else {
            return false;
        };
        child
            && keys.iter().enumerate().all(|(i, k)| {
                i == reading
                    || vocabulary.child_in(k).is_some()
                    || LINKING.contains(&k.as_str())
                    || SCALES.contains(&k.as_str())
            })
    })
}

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
    "day",
    "days",
    "week",
    "weeks",
    "wk",
    "wks",
    "w",
    "month",
    "months",
    "mo",
    "mos",
    "m",
    "year",
    "years",
    "yr",
    "yrs",
    "y",
    "yo",
    "kg",
    "kgs",
    "kilos",
    "g",
    "lb",
    "lbs",
    "pounds",
    "oz",
    "cm",
    "in",
    "inches",
    "ml",
    "mg",
    "semanas",
    "meses",
    "dias",
    "años",
    "anos",
    "tsp",
    "teaspoon",
    "teaspoons",
    "tbsp",
    "tablespoon",
    "tablespoons",
    "tablet",
    "tablets",
    "drops",
    "gotas",
    "cucharadita",
    "cucharaditas",
    "cucharada",
    "pastilla",
    "pastillas",
    "mls",
    "cc",
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
