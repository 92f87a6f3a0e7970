//! Signs of a serious infection (including any fever in a baby under 3 months) and dehydration.

use super::fires;
use crate::screen::text::{Concept as C, Doc};
use crate::screen::ChildFacts;

pub(crate) fn infection(doc: &Doc, children: &[ChildFacts]) -> bool {
    // A rash that does not fade under a glass, or purple pinprick spots.
    let pressed = doc.has_word(&[
        "press", "pressed", "pressing", "glass", "tumbler", "push", "pushed", "vaso", "presiono",
        "aprieto",
    ]);
    for i in doc.all(C::Rash) {
        if doc.hypothetical(i) || doc.negated(i) {
            continue;
        }
        let not_fading = doc.toks.iter().enumerate().any(|(j, t)| {
            (t.has(C::Fade) && (t.w != "go" || pressed)
                || (t.w == "away" && pressed)
                || t.w == "nonblanching")
                && (doc
                    .around(j, 4, 0)
                    .any(|k| doc.is(k, C::Neg) || doc.w(k) == "non")
                    || t.w == "nonblanching")
                && t.clause.abs_diff(doc.toks[i].clause) <= 2
        });
        let stays = pressed
            && doc.has_word(&[
                "still", "stay", "stays", "stayed", "visible", "there", "sigue", "siguen",
            ]);
        if stays {
            return true;
        }
        let purple = doc.close(i, C::Petechiae, 5) && !doc.has_word(&["bruise", "bruised"])
            || doc.has_word(&[
                "petechiae",
                "petechial",
                "purpura",
                "pinprick",
                "pinpoint",
                "pinpricks",
            ]);
        if not_fading || purple {
            return true;
        }
    }
    if doc.has_word(&["petechiae", "petechial", "purpura", "nonblanching"]) {
        return true;
    }
    if doc.all(C::Meningitis).any(|i| fires(doc, i)) {
        return true;
    }
    let temps = doc.temperatures();
    let feverish = temps.iter().any(|c| *c >= 38.0)
        || doc.all(C::Fever).any(|i| {
            !doc.negated(i)
                && !doc.hypothetical(i)
                && !matches!(doc.w(i), "temp" | "temperature" | "temperatura")
        })
        || doc.has_word(&["hot", "burning", "caliente", "ardiendo"]);
    // A stiff neck with a fever (or with light hurting the eyes).
    for i in doc.all(C::Stiff) {
        if doc.close(i, C::Neck, 4)
            && fires(doc, i)
            && (feverish || doc.has_word(&["light", "headache", "luz"]))
        {
            return true;
        }
    }
    if (doc.any(C::Neck) || doc.has_word(&["chin"]))
        && doc.has_word(&["chin", "bend", "chest"])
        && doc.any(C::Neg)
        && feverish
    {
        return true;
    }
    // A fever (38.0 °C / 100.4 °F or more), or a low temperature, in a baby under 3 months.
    let measured_fever = temps.iter().any(|c| *c >= 38.0 || *c < 35.5);
    let said_fever = doc.all(C::Fever).any(|i| {
        !doc.negated(i)
            && !doc.hypothetical(i)
            && matches!(
                doc.w(i),
                "fever" | "fiebre" | "febrile" | "feverish" | "calentura" | "febril"
            )
    }) || doc.has_word(&["burning"]) && doc.has_word(&["up"]);
    if (measured_fever || said_fever) && infant_in_message(doc, children) {
        return true;
    }
    // A neck that hurts to bend, with a fever.
    let neck_pain = doc.toks.iter().any(|t| {
        t.has(C::Neck)
            && doc.has_word(&[
                "bend", "bends", "bending", "move", "moves", "turn", "turns", "hurts", "screams",
                "cries", "pain", "duele",
            ])
    });
    if neck_pain && feverish_words(doc) {
        return true;
    }
    false
}

/// Whether the message is about a baby under 3 months: an age said in it, a named child's birth
/// date, or "the baby" in a family whose youngest is that young.
fn infant_in_message(doc: &Doc, children: &[ChildFacts]) -> bool {
    const INFANT_DAYS: i64 = 90;
    if let Some(days) = doc.age_days() {
        return days < INFANT_DAYS;
    }
    let named: Vec<&ChildFacts> = children
        .iter()
        .filter(|c| doc.toks.iter().any(|t| t.w == c.name))
        .collect();
    if !named.is_empty() {
        return named
            .iter()
            .any(|c| c.age_days.is_some_and(|d| d < INFANT_DAYS));
    }
    let infants = children
        .iter()
        .filter(|c| c.age_days.is_some_and(|d| d < INFANT_DAYS))
        .count();
    // "The baby is 38.3", not "Luis has 38.5, keeping him away from the baby".
    let fever_clauses: Vec<u16> = doc
        .toks
        .iter()
        .filter(|t| t.has(C::Fever) || t.num.is_some())
        .map(|t| t.clause)
        .collect();
    let baby_word = doc.toks.iter().any(|t| {
        matches!(t.w.as_str(), "baby" | "newborn" | "bebe" | "infant" | "bub")
            && fever_clauses.contains(&t.clause)
    });
    infants > 0 && (baby_word || infants == children.len())
}

pub(crate) fn dehydration(doc: &Doc) -> bool {
    const LOW: &[&str] = &[
        "lethargic",
        "listless",
        "lethargy",
        "floppy",
        "limp",
        "sleepy",
        "drowsy",
        "weak",
        "sunken",
        "tears",
        "refusing",
        "aletargado",
        "aletargada",
        "decaido",
        "decaida",
        "dormido",
        "lagrimas",
        "hundida",
        "hundido",
    ];
    let mut no_output = false;
    for i in doc.all(C::Nappy) {
        if doc.w(i) == "wet" && !doc.is(i + 1, C::Nappy) && !doc.is(i.wrapping_sub(1), C::Neg) {
            continue;
        }
        if doc.near(i, C::Neg, 4, 0)
            || doc.near_word(i, &["dry", "secos", "seco", "seca", "secas"], 2, 2)
        {
            no_output = true;
        }
    }
    let long = doc
        .toks
        .iter()
        .enumerate()
        .any(|(i, t)| t.num.is_some_and(|n| n >= 8.0) && doc.is(i + 1, C::Hours))
        || doc.has_word(&["overnight", "yesterday", "morning", "ayer", "manana"])
        || doc
            .toks
            .iter()
            .enumerate()
            .any(|(i, t)| t.w == "all" && matches!(doc.w(i + 1), "day" | "night"));
    let low = doc.has_word(LOW)
        || (doc.any(C::Neg)
            && doc.has_word(&[
                "drink", "drinking", "feed", "feeding", "eat", "bebe", "come", "nurse", "nursing",
                "bottle",
            ]));
    if no_output && (long || low) {
        return true;
    }
    // No tears and not drinking (or vomiting, or floppy).
    let no_tears = doc.toks.iter().enumerate().any(|(i, t)| {
        matches!(t.w.as_str(), "tears" | "lagrimas")
            && (doc.negated(i) || doc.w(i.wrapping_sub(1)) == "without")
    });
    if no_tears && (low || doc.any(C::Vomit)) {
        return true;
    }
    // A sunken soft spot.
    doc.has_word(&["sunken", "hundida", "hundido"])
        && doc.has_word(&[
            "spot",
            "fontanelle",
            "fontanel",
            "eyes",
            "fontanela",
            "mollera",
            "ojos",
        ])
}

/// A fever said in words or measured (38 °C or more), not negated.
fn feverish_words(doc: &Doc) -> bool {
    doc.temperatures().iter().any(|c| *c >= 38.0)
        || doc.all(C::Fever).any(|i| {
            !doc.negated(i)
                && !doc.hypothetical(i)
                && !matches!(doc.w(i), "temp" | "temperature" | "temperatura")
        })
        || doc.has_word(&["burning", "caliente", "ardiendo"])
}
