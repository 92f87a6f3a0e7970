//! Asking for a list: "meds", "what meds is Leo on", "medicinas de Leo", "alergias de Leo",
//! "show Leo's doses", "últimas dosis de Leo", "what did Emma have today?", "notas de Leo",
//! "los niños". A list is asked for with its word and little else, so "Emma's meds are in the
//! fridge" is not one.

use super::words::{asks_what_was_given, key};
use super::{Command, Vocabulary};

/// Words that may come with a list's word without changing what is asked.
const WITH_A_LIST: &[&str] = &[
    "show",
    "me",
    "list",
    "lista",
    "ver",
    "muestra",
    "muestrame",
    "mostrar",
    "dame",
    "what",
    "which",
    "are",
    "is",
    "does",
    "do",
    "take",
    "takes",
    "taking",
    "toma",
    "toman",
    "tomando",
    "tiene",
    "on",
    "has",
    "de",
    "del",
    "the",
    "all",
    "my",
    "our",
    "'s",
    "current",
    "las",
    "los",
    "sus",
    "su",
    "mis",
    "que",
    "cuales",
    "for",
    "of",
    "about",
    "today",
    "hoy",
    "please",
    "por",
    "favor",
    "a",
    "an",
    "any",
    "son",
    "esta",
    "give",
    "see",
    "todas",
    "todos",
    "la",
    "el",
    "y",
    "and",
    "sobre",
    "tell",
    "dime",
];

const MEDICATIONS: &[&str] = &[
    "meds",
    "medications",
    "medicines",
    "medication",
    "medicinas",
    "medicamentos",
    "remedios",
];
const DOSES: &[&str] = &["doses", "dosis", "history", "historial", "log"];
const NOTES: &[&str] = &["notes", "notas"];
const ALLERGIES: &[&str] = &["allergies", "alergias"];

/// Whether the words are a list's word, the children and [`WITH_A_LIST`] only.
fn only(keys: &[String], list: &[&str], vocabulary: &Vocabulary<'_>) -> bool {
    keys.iter().any(|k| list.contains(&k.as_str()))
        && keys.len() <= 8
        && keys.iter().all(|k| {
            list.contains(&k.as_str())
                || WITH_A_LIST.contains(&k.as_str())
                || vocabulary.child_in(k).is_some()
        })
}

/// The list asked for, if the message asks for one.
pub(super) fn parse(
    words: &[&str],
    lower: &str,
    question: bool,
    has_amount: bool,
    vocabulary: &Vocabulary<'_>,
) -> Option<Command> {
    let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
    let child = words.iter().find_map(|w| vocabulary.child_in(&key(w)));
    let first = keys.first().map(String::as_str).unwrap_or("");
    // "last doses", "history", "últimas dosis de Leo", "when was her last dose?".
    let last = keys.iter().enumerate().any(|(i, k)| {
        matches!(
            k.as_str(),
            "ultima" | "ultimas" | "ultimo" | "ultimos" | "last"
        ) && keys[i + 1..]
            .iter()
            .take(3)
            .any(|n| matches!(n.as_str(), "dosis" | "dose" | "doses" | "toma" | "vez"))
    });
    if first == "last"
        || lower.starts_with("history")
        || (last && !has_amount)
        || only(&keys, DOSES, vocabulary)
        || (question && !has_amount && asks_what_was_given(words))
    {
        return Some(Command::LastDoses { child });
    }
    if lower.starts_with("meds")
        || lower.starts_with("medications")
        || lower.starts_with("medicines")
        || only(&keys, MEDICATIONS, vocabulary)
    {
        return Some(Command::Medications { child });
    }
    if only(&keys, NOTES, vocabulary) {
        return Some(Command::Notes { child });
    }
    let allergic = keys
        .iter()
        .any(|k| k.starts_with("allerg") || k.starts_with("alergi") || k.starts_with("alergic"));
    if first == "allergies" || only(&keys, ALLERGIES, vocabulary) || (allergic && question) {
        return Some(Command::Allergies { child });
    }
    None
}
