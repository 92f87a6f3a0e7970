//! A family's beginnings in plain words: creating one ("create family Jones in London", "set up my
//! family", "crear una familia"), saying where it lives ("we live in London", "time zone
//! Europe/London", "país México"), and introducing a child ("my son Sam was born on 3 May 2021").

use super::words::key;
use super::Command;
use crate::domain::{read_place, PlaceReading};
use crate::engine::forms::FormKind;

/// Verbs that make a family, in English and Spanish.
const MAKING: &[&str] = &[
    "create",
    "set",
    "setup",
    "start",
    "make",
    "register",
    "new",
    "crear",
    "crea",
    "creo",
    "registrar",
    "nueva",
    "armar",
    "hacer",
];
/// What may come before the verb: "I'd like to", "can you help me", "quiero".
const ASKING: &[&str] = &[
    "i", "i'd", "id", "i'm", "im", "like", "to", "want", "would", "please", "can", "could", "how",
    "do", "let's", "lets", "me", "help", "you", "we", "need", "trying", "quiero", "quisiera",
    "puedo", "como", "ayudame", "a", "hi", "hello", "hola", "ok", "okay",
];
/// Words between the verb and "family" ("set up my family", "create a new family").
const BETWEEN: &[&str] = &[
    "up", "a", "an", "my", "our", "the", "new", "una", "mi", "nuestra", "la", "nueva", "me",
];

/// "create family Garcia", "create a family called Smith", "new family Smith", "set up my
/// family", "I'd like to set up my family", "create the Jones family", "crear una familia López",
/// "create family Jones in London": the name (empty when none was said) and where it lives.
pub(super) fn create(words: &[&str]) -> Option<Command> {
    let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
    let family_at = keys
        .iter()
        .position(|k| matches!(k.as_str(), "family" | "familia"))?;
    // The verb comes before "family" with only small words (or the name: "create the Jones
    // family") between, and at most a few words before it ("I'd like to", "quiero").
    let verb_at = keys[..family_at]
        .iter()
        .position(|k| MAKING.contains(&k.as_str()))?;
    if !keys[..verb_at].iter().all(|k| ASKING.contains(&k.as_str())) {
        return None;
    }
    // "set" only as "set up"; "make" and "start" only as "a / my / new family" ("make family
    // dinner" is not a family).
    let small_word_between = keys[verb_at + 1..family_at]
        .iter()
        .any(|k| matches!(k.as_str(), "a" | "an" | "my" | "our" | "new" | "una" | "mi"));
    match keys[verb_at].as_str() {
        "set" if keys.get(verb_at + 1).map(String::as_str) != Some("up") => return None,
        "make" | "start" | "hacer" | "armar" if !small_word_between => return None,
        _ => {}
    }
    let between: Vec<&str> = words[verb_at + 1..family_at]
        .iter()
        .zip(&keys[verb_at + 1..family_at])
        .filter(|(_, k)| !BETWEEN.contains(&k.as_str()))
        .map(|(w, _)| *w)
        .collect();
    // "create the Jones family": the name before the word; otherwise after it.
    let mut after: Vec<&str> = words[family_at + 1..].to_vec();
    while let Some(first) = after.first() {
        if matches!(
            key(first).as_str(),
            "called" | "named" | "llamada" | "de" | "for" | "para" | "" | "-" | "the"
        ) {
            after.remove(0);
        } else {
            break;
        }
    }
    // "... in London", "... en Madrid": where it lives, after the last such word.
    let place_at = after
        .iter()
        .rposition(|w| matches!(key(w).as_str(), "in" | "en" | "from" | "de"))
        .filter(|at| *at + 1 < after.len());
    let (name_words, place) = match place_at {
        Some(at) => (
            &after[..at],
            Some(after[at + 1..].join(" ").trim_end_matches('.').to_string()),
        ),
        None => (&after[..], None),
    };
    let name = if between.is_empty() {
        name_words.join(" ")
    } else {
        between.join(" ")
    };
    let name = name
        .trim_matches(|c: char| matches!(c, ':' | ',' | '.' | '!' | '"' | '“' | '”'))
        .trim()
        .to_string();
    Some(Command::CreateFamily { name, place })
}

/// "we live in London", "we moved to Mexico", "our country is Colombia", "country GB", "país
/// México", "vivimos en Bogotá": where the family lives. "time zone Europe/London", "zona horaria
/// America/Bogota": its time zone alone.
pub(super) fn place(text: &str) -> Option<Command> {
    let lower = super::words::fold(text.trim());
    let lower = lower.trim_end_matches(['.', '!']);
    const ZONE: &[&str] = &[
        "time zone is ",
        "timezone is ",
        "set time zone to ",
        "set timezone to ",
        "set the time zone to ",
        "change time zone to ",
        "change the time zone to ",
        "our time zone is ",
        "time zone ",
        "timezone ",
        "time zone: ",
        "timezone: ",
        "zona horaria ",
        "zona horaria: ",
        "mi zona horaria es ",
        "nuestra zona horaria es ",
    ];
    const PLACE: &[&str] = &[
        "we live in ",
        "we now live in ",
        "we're based in ",
        "we are based in ",
        "we moved to ",
        "we've moved to ",
        "we have moved to ",
        "the family lives in ",
        "our family lives in ",
        "our country is ",
        "country is ",
        "set country to ",
        "set the country to ",
        "change country to ",
        "change the country to ",
        "country: ",
        "country ",
        "our city is ",
        "pais: ",
        "pais ",
        "vivimos en ",
        "ahora vivimos en ",
        "nos mudamos a ",
        "nuestro pais es ",
        "el pais es ",
    ];
    let rest = |prefixes: &[&str]| {
        prefixes.iter().find_map(|p| {
            lower.strip_prefix(p).map(|_| {
                // The place as typed (its accents and case), after the lead words.
                let skip = text.trim().chars().take(p.chars().count()).count();
                text.trim()
                    .chars()
                    .skip(skip)
                    .collect::<String>()
                    .trim()
                    .trim_end_matches(['.', '!'])
                    .to_string()
            })
        })
    };
    if let Some(zone) = rest(ZONE).filter(|z| !z.is_empty()) {
        return Some(Command::SetTimezone { zone });
    }
    // Words that also say where someone is for a moment ("we're in the car", "estamos en el
    // parque") count only when what follows is a place MedNanny knows.
    const IF_KNOWN: &[&str] = &["we're in ", "we are in ", "estamos en "];
    let place = rest(PLACE)
        .or_else(|| rest(IF_KNOWN).filter(|p| read_place(p) != PlaceReading::Unknown))?;
    // A place is a short name: longer chatter after "we live in" is not one.
    (!place.is_empty() && place.split_whitespace().count() <= 5)
        .then_some(Command::SetPlace { place })
}

/// "my son Sam was born on 3 May 2021", "our daughter Ada was born 2023-05-01", "mi hijo Sam
/// nació el 3 de mayo": a child introduced with their birth, as the child form's first answer.
pub(super) fn child_introduced(words: &[&str]) -> Option<Command> {
    let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
    let mut at = 0;
    while keys
        .get(at)
        .is_some_and(|k| matches!(k.as_str(), "my" | "our" | "mi" | "nuestro" | "nuestra"))
    {
        at += 1;
    }
    if at == 0 {
        return None;
    }
    let relation = keys.get(at)?;
    if !matches!(
        relation.as_str(),
        "son" | "daughter" | "baby" | "child" | "kid" | "hijo" | "hija" | "bebe" | "nino" | "nina"
    ) {
        return None;
    }
    if !keys
        .iter()
        .any(|k| matches!(k.as_str(), "born" | "nacio" | "birthday" | "dob"))
    {
        return None;
    }
    Some(Command::StartForm {
        kind: FormKind::Child,
        text: words[at + 1..].join(" "),
    })
}
