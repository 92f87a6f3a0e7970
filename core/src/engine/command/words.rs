//! The words around a dose or a question that are not the medication's name, in English and
//! Spanish: "gave", "le di", "de", "her", "is it too soon for more", "¿cuándo le toca el". What
//! is left, in the clause the dose is said in, is the medication as said ("Tylenol", "amoxicilina").

use super::{strip_punctuation, Vocabulary};

pub(super) use crate::domain::fold;

/// A word as the lists compare it: folded, without its punctuation and without "¿" or "¡".
pub(super) fn key(word: &str) -> String {
    fold(strip_punctuation(word))
        .trim_matches(|c: char| matches!(c, '¿' | '¡' | '-' | '–' | '—' | '…'))
        .to_string()
}

/// Words that are never a medication's name: pronouns, articles, prepositions, the verbs of giving
/// and asking, hedges, and the words of "when can she have more?" — English and Spanish, folded.
const NOT_A_NAME: &[&str] = &[
    // English
    "i",
    "i'm",
    "im",
    "we",
    "you",
    "she",
    "he",
    "her",
    "his",
    "him",
    "them",
    "they",
    "their",
    "me",
    "my",
    "our",
    "it",
    "its",
    "just",
    "also",
    "already",
    "gave",
    "give",
    "given",
    "giving",
    "had",
    "has",
    "have",
    "took",
    "taken",
    "take",
    "takes",
    "got",
    "gets",
    "get",
    "administered",
    "logged",
    "log",
    "dose",
    "doses",
    "of",
    "to",
    "the",
    "a",
    "an",
    "some",
    "please",
    "pls",
    "can",
    "could",
    "may",
    "might",
    "should",
    "when",
    "when's",
    "whens",
    "next",
    "is",
    "was",
    "were",
    "be",
    "for",
    "another",
    "more",
    "allowed",
    "safe",
    "ok",
    "okay",
    "what",
    "time",
    "did",
    "does",
    "do",
    "about",
    "around",
    "approximately",
    "approx",
    "here",
    "there",
    "now",
    "right",
    "again",
    "yet",
    "too",
    "soon",
    "until",
    "till",
    "how",
    "long",
    "much",
    "due",
    "done",
    "like",
    "so",
    "usual",
    "regular",
    "normal",
    "little",
    "bit",
    "with",
    "then",
    "baby",
    "kid",
    "kiddo",
    "all",
    "whole",
    "and",
    "&",
    "+",
    "",
    "anyone",
    "someone",
    "somebody",
    "anybody",
    "you",
    "yours",
    "that",
    "this",
    "one",
    "any",
    "ya",
    "x",
    // Spanish
    "le",
    "les",
    "lo",
    "la",
    "las",
    "el",
    "los",
    "un",
    "una",
    "unos",
    "unas",
    "de",
    "del",
    "al",
    "su",
    "sus",
    "mi",
    "mis",
    "di",
    "dio",
    "dimos",
    "dieron",
    "diste",
    "dar",
    "darle",
    "darles",
    "dale",
    "doy",
    "dado",
    "tomo",
    "tomar",
    "tomaron",
    "toma",
    "tomado",
    "se",
    "acabo",
    "acaba",
    "acabamos",
    "recien",
    "que",
    "cuando",
    "puede",
    "puedo",
    "pueden",
    "podemos",
    "podria",
    "toca",
    "tocaba",
    "hora",
    "otra",
    "vez",
    "mas",
    "dosis",
    "por",
    "favor",
    "para",
    "con",
    "y",
    "ahora",
    "ahorita",
    "bebe",
    "nina",
    "nino",
    "nena",
    "nene",
    "poco",
    "poquito",
    "todo",
    "toda",
    "todos",
    "todas",
    "he",
    "ha",
    "han",
    "hemos",
    "es",
    "son",
    "ya",
    "tambien",
    "mas",
    "luego",
    "despues",
    "entonces",
    "primera",
    "segunda",
    "tercera",
    "first",
    "second",
    "third",
    "last",
    "puse",
    "pusimos",
    "pusieron",
    "poner",
    "ponerle",
    "como",
    "falta",
    "faltan",
    "mucho",
    "cuanto",
    "mean",
    "meant",
    "sorry",
    "actually",
    "correction",
    "quiero",
    "decir",
    "digo",
    "perdon",
    "running",
];

/// Whether a word is never (part of) a medication's name.
pub(super) fn not_a_name(word: &str) -> bool {
    let k = key(word);
    NOT_A_NAME.contains(&k.as_str())
        || k.chars().all(|c| !c.is_alphanumeric())
        // "2nd", "3x", "10": a number or an ordinal is not a name.
        || k.starts_with(|c: char| c.is_ascii_digit())
        // "ml", "tsp", "spoonful", "chewable": a unit or a measure is not a name.
        || super::amounts::is_measure(&k)
        // "five", "half", "media": a count is not a name.
        || super::amounts::count_word(&k).is_some()
}

/// Where a correction starts ("a teaspoon, I mean half a teaspoon", "quiero decir"): the index
/// after the last one, if any.
pub(super) fn correction(tokens: &[&str]) -> Option<usize> {
    const MARKERS: &[&[&str]] = &[
        &["i", "mean"],
        &["i", "meant"],
        &["sorry"],
        &["correction"],
        &["actually"],
        &["quiero", "decir"],
        &["perdon"],
        &["digo"],
        &["mejor", "dicho"],
    ];
    let keys: Vec<String> = tokens.iter().map(|w| key(w)).collect();
    (0..keys.len()).rev().find_map(|i| {
        MARKERS
            .iter()
            .find(|m| keys.len() >= i + m.len() && m.iter().zip(&keys[i..]).all(|(a, b)| a == b))
            .map(|m| i + m.len())
    })
}

/// Verbs that report a dose given, without its amount ("gave Emma Tylenol", "le di tylenol").
const DOSE_VERBS: &[&str] = &[
    "gave",
    "give",
    "given",
    "had",
    "took",
    "dose",
    "log",
    "got",
    "administered",
    "di",
    "dio",
    "dimos",
    "dieron",
    "tomo",
    "tomaron",
    "dado",
    "tomado",
    "puse",
    "pusimos",
    "pusieron",
];

pub(super) fn is_dose_verb(word: &str) -> bool {
    DOSE_VERBS.contains(&key(word).as_str())
}

/// Things people "have" or "take" that are not medicines: "Leo had his bottle", "Emma took a nap",
/// "se tomó toda la leche".
const NOT_MEDICINE: &[&str] = &[
    "milk",
    "leche",
    "water",
    "agua",
    "juice",
    "jugo",
    "zumo",
    "bottle",
    "biberon",
    "mamila",
    "mamadera",
    "formula",
    "lunch",
    "breakfast",
    "dinner",
    "snack",
    "food",
    "almuerzo",
    "desayuno",
    "cena",
    "comida",
    "merienda",
    "nap",
    "siesta",
    "bath",
    "bano",
    "shower",
    "ducha",
    "day",
    "dia",
    "fun",
    "rest",
    "break",
    "fall",
    "poop",
    "pee",
];

/// Whether every word of a said "medication" is something else (food, a nap, a bath).
pub(super) fn not_medicine(medication: &str) -> bool {
    let words: Vec<String> = medication.split_whitespace().map(key).collect();
    !words.is_empty() && words.iter().all(|w| NOT_MEDICINE.contains(&w.as_str()))
}

/// Where one clause ends and the next begins: after a word ending in , ; . ! ? : and at a dash,
/// "but" or "pero"; and at "for" / "para", which give the reason ("Tylenol for her fever").
/// "gave Emma 5ml Tylenol, she's breathing better now" has two.
fn clause_ids(tokens: &[&str]) -> Vec<usize> {
    let mut ids = Vec::with_capacity(tokens.len());
    let mut clause = 0;
    for token in tokens {
        let k = key(token);
        if matches!(
            k.as_str(),
            "but" | "pero" | "because" | "porque" | "for" | "para"
        ) {
            clause += 1;
        }
        ids.push(clause);
        if token.ends_with([',', ';', '.', '!', '?', ':']) || matches!(*token, "-" | "–" | "—")
        {
            clause += 1;
        }
    }
    ids
}

/// The medication as said: the words left once the amount, the children, the time (already
/// removed) and [`NOT_A_NAME`] words are taken out, from the clause that holds the amount (else
/// the clause with the verb of giving, else the first that has any).
pub(super) fn medication(
    tokens: &[&str],
    amount: Option<(usize, usize)>,
    vocabulary: &Vocabulary<'_>,
) -> String {
    let clauses = clause_ids(tokens);
    let kept: Vec<(usize, &str)> = tokens
        .iter()
        .enumerate()
        .filter(|(i, _)| !amount.is_some_and(|(start, end)| (start..end).contains(i)))
        .map(|(i, w)| {
            (
                i,
                strip_punctuation(w).trim_start_matches(['¿', '¡', '-', '—', '–']),
            )
        })
        .filter(|(_, w)| !w.is_empty())
        .filter(|(_, w)| vocabulary.child_in(w).is_none())
        .filter(|(_, w)| !not_a_name(w))
        .collect();
    let in_clause = |clause: usize| -> Vec<&str> {
        kept.iter()
            .filter(|(i, _)| clauses[*i] == clause)
            .map(|(_, w)| *w)
            .collect()
    };
    let verb_at = tokens.iter().position(|w| is_dose_verb(w));
    let preferred = [amount.map(|(start, _)| start), verb_at];
    for at in preferred.into_iter().flatten() {
        let words = in_clause(clauses[at]);
        if !words.is_empty() {
            return words.join(" ");
        }
    }
    match kept.first() {
        Some((first, _)) => in_clause(clauses[*first]).join(" "),
        None => String::new(),
    }
}

/// Said before the verb, these make a dose one that was not given (yet): "I'll give her Tylenol
/// later", "Ana said to give Emma Motrin", "didn't give", "voy a darle", "no le di", "forgot to".
const NOT_GIVEN: &[&[&str]] = &[
    &["i'll"],
    &["ill"],
    &["i", "will"],
    &["we'll"],
    &["will"],
    &["going", "to"],
    &["gonna"],
    &["said", "to"],
    &["told", "me", "to"],
    &["told", "us", "to"],
    &["supposed", "to"],
    &["need", "to"],
    &["needs", "to"],
    &["have", "to"],
    &["has", "to"],
    &["should"],
    &["remind"],
    &["didn't"],
    &["didnt"],
    &["did", "not"],
    &["haven't"],
    &["havent"],
    &["have", "not"],
    &["hasn't"],
    &["hasnt"],
    &["not"],
    &["never"],
    &["forgot"],
    &["voy", "a"],
    &["vamos", "a"],
    &["va", "a"],
    &["hay", "que"],
    &["tengo", "que"],
    &["tiene", "que"],
    &["tienes", "que"],
    &["dijo", "que"],
    &["no"],
    &["olvide"],
    &["olvido"],
    &["recuerdame"],
];

/// Verbs of giving in any tense, for [`NOT_GIVEN`]: what a plan or a refusal is about.
const GIVING: &[&str] = &[
    "give",
    "gave",
    "given",
    "giving",
    "had",
    "took",
    "take",
    "administer",
    "di",
    "dio",
    "dimos",
    "dar",
    "darle",
    "darles",
    "doy",
    "damos",
    "dado",
    "tomo",
    "tomar",
    "tome",
    "puse",
    "poner",
    "ponerle",
    "pongo",
];

/// "Later" before a verb that is not in the past: "luego le doy", "después le damos", "later
/// I give" (but "luego le di" is "then I gave": a dose).
const LATER: &[&[&str]] = &[&["luego"], &["despues"], &["mas", "tarde"], &["later"]];

/// The verbs of [`GIVING`] that say it happened.
const GIVEN: &[&str] = &[
    "gave", "given", "had", "took", "di", "dio", "dimos", "dado", "tomo", "puse", "pusimos",
];

/// Whether the message says a dose that was not given: a plan, an instruction, a refusal ("I'll
/// give her Tylenol later", "voy a darle el Tylenol", "no le di nada") — never a dose to record.
pub(super) fn not_given(tokens: &[&str]) -> bool {
    let keys: Vec<String> = tokens.iter().map(|w| key(w)).collect();
    let Some(verb) = keys.iter().position(|k| GIVING.contains(&k.as_str())) else {
        return false;
    };
    let clauses = clause_ids(tokens);
    let start = verb.saturating_sub(5);
    let said = |phrases: &[&[&str]]| {
        (start..verb).any(|i| {
            clauses[i] == clauses[verb]
                && phrases.iter().any(|phrase| {
                    phrase.len() <= verb - i && phrase.iter().zip(&keys[i..]).all(|(p, k)| p == k)
                })
        })
    };
    said(NOT_GIVEN) || (said(LATER) && !GIVEN.contains(&keys[verb].as_str()))
}

/// Words that ask when the next dose may be given: "when", "can", "too soon", "due", "cuándo",
/// "puedo", "le toca".
const WHEN_CUES: &[&str] = &[
    "when", "when's", "whens", "can", "could", "may", "should", "next", "due", "soon", "long",
    "much", "ok", "okay", "safe", "allowed", "cuando", "puede", "puedo", "pueden", "podemos",
    "podria", "toca", "toque", "tocaba", "falta", "faltan", "cuanto",
];

/// Words a question starts with.
const QUESTION_STARTS: &[&str] = &[
    "when", "when's", "whens", "can", "could", "may", "is", "are", "should", "how", "what",
    "which", "did", "does", "do", "has", "have", "next", "cuando", "que", "cual", "como", "puedo",
    "puede", "se", "ya", "a", "le",
];

/// Whether the message is a question: a question mark, or a question's first word.
pub(super) fn is_question(tokens: &[&str], lower: &str) -> bool {
    let trimmed = lower.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '!' | '.'));
    trimmed.ends_with('?')
        || lower.trim_start().starts_with('¿')
        || tokens.first().is_some_and(|w| {
            let k = key(w);
            QUESTION_STARTS.contains(&k.as_str())
                && (!matches!(k.as_str(), "se" | "ya" | "a" | "le") || when_cue(tokens))
        })
}

/// Whether the words ask when a medicine may be given.
pub(super) fn when_cue(tokens: &[&str]) -> bool {
    tokens.iter().any(|w| WHEN_CUES.contains(&key(w).as_str()))
}

/// Whether a question asks what was already given: "did", "when did she last have", "has Emma
/// had", "le dieron", "qué le han dado", "¿ya tomó?".
pub(super) fn asks_what_was_given(tokens: &[&str]) -> bool {
    let keys: Vec<String> = tokens.iter().map(|w| key(w)).collect();
    keys.iter().enumerate().any(|(i, k)| {
        matches!(
            k.as_str(),
            "did" | "dieron" | "diste" | "dio" | "tomo" | "given"
        ) || (matches!(k.as_str(), "han" | "ha" | "has" | "have")
            && keys[i + 1..]
                .iter()
                .take(3)
                .any(|n| matches!(n.as_str(), "dado" | "tomado" | "given" | "had")))
    })
}
