//! The short things people say in a chat: answers ("yes please", "sí, dale", "no gracias",
//! "oops, undo"), asking for help ("what can you do?"), the nanny arriving and leaving ("I'm
//! here", "ya llegué", "done for today", "me voy"), and who is speaking ("Maya here, ...").

use super::words::key;
use super::{Command, Vocabulary};

/// Words that carry no answer of their own: politeness, greetings, fillers.
const SOFT: &[&str] = &[
    "please", "pls", "plz", "thanks", "thank", "thx", "ty", "gracias", "por", "favor", "oops",
    "ups", "oh", "ok", "okay", "k", "sorry", "perdon", "now", "ahora", "ya", "so", "well", "bueno",
    "pues", "bye", "goodbye", "adios", "chao", "chau", "ciao", "hi", "hello", "hola", "everyone",
    "guys", "all", "then", "listo",
];

/// The message as clauses of folded words (split at , . ! ? ; and dashes), soft words left out.
fn clauses(text: &str) -> Vec<Vec<String>> {
    text.split([',', '.', '!', '?', ';', '—', '–', '¡', '¿'])
        .map(|clause| {
            clause
                .split_whitespace()
                .map(key)
                .map(|w| w.replace('\'', ""))
                .filter(|w| !w.is_empty() && !SOFT.contains(&w.as_str()))
                .collect::<Vec<_>>()
        })
        .collect()
}

const YES: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yea",
    "yep",
    "yup",
    "sure",
    "confirm",
    "confirmed",
    "correct",
    "si",
    "dale",
    "claro",
    "correcto",
    "exacto",
    "yes it is",
    "of course",
    "por supuesto",
    "yes thats right",
    "thats right",
    "yes correct",
    "yes go ahead",
    "go ahead",
    "yes do it",
    "si correcto",
    "si claro",
    "eso es",
    "asi es",
];
const NO: &[&str] = &[
    "no",
    "n",
    "nope",
    "nah",
    "nop",
    "cancel",
    "stop",
    "cancelar",
    "mejor no",
    "no no",
    "cancel that",
    "cancel it",
    "cancela",
    "cancelalo",
    "cancela eso",
    "no cancel",
    "no thats wrong",
];
const UNDO: &[&str] = &[
    "undo",
    "undo that",
    "undo it",
    "undo last",
    "undo the last one",
    "undo the last dose",
    "deshacer",
    "deshaz",
    "deshaz eso",
    "deshacer eso",
    "borra eso",
    "borralo",
    "borrar eso",
    "anula eso",
];
const HELP: &[&str] = &[
    "help",
    "?",
    "menu",
    "commands",
    "ayuda",
    "what can you do",
    "what can i say",
    "what can i type",
    "what do i type",
    "how does this work",
    "how do i use this",
    "que puedo escribir",
    "que puedo decir",
    "que puedo hacer",
    "que haces",
    "como funciona",
    "comandos",
    "opciones",
];
const KIDS: &[&str] = &[
    "kids",
    "children",
    "who",
    "the kids",
    "my kids",
    "our kids",
    "the children",
    "ninos",
    "los ninos",
    "mis hijos",
    "hijos",
];

/// A whole message that is one short answer: every clause says the same answer (or nothing but
/// politeness), and at least one says it. "yes please", "sí, dale", "no gracias", "oops, undo".
pub(super) fn short_answer(text: &str) -> Option<Command> {
    if text.trim() == "?" {
        return Some(Command::Help);
    }
    let said: Vec<String> = clauses(text)
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(|c| c.join(" "))
        .collect();
    let answers: [(&[&str], Command); 5] = [
        (YES, Command::Yes),
        (NO, Command::No),
        (UNDO, Command::Undo),
        (HELP, Command::Help),
        (KIDS, Command::Children),
    ];
    let [first, rest @ ..] = said.as_slice() else {
        return None;
    };
    let (_, answer) = answers
        .iter()
        .find(|(phrases, _)| phrases.contains(&first.as_str()))?;
    let same = |clause: &String| {
        answers
            .iter()
            .any(|(phrases, a)| a == answer && phrases.contains(&clause.as_str()))
    };
    rest.iter().all(same).then(|| answer.clone())
}

const ARRIVING: &[&str] = &[
    "here",
    "i am here",
    "im here",
    "am here",
    "just got here",
    "got here",
    "arrived",
    "just arrived",
    "i arrived",
    "i just arrived",
    "starting",
    "starting my shift",
    "start my shift",
    "start shift",
    "shift start",
    "on shift",
    "on duty",
    "clocking in",
    "clock in",
    "checking in",
    "llegue",
    "ya llegue",
    "estoy aqui",
    "estoy aca",
    "aqui estoy",
    "empiezo mi turno",
    "empiezo turno",
    "empiezo",
    "comienzo mi turno",
    "inicio mi turno",
    "inicio turno",
    "entrando",
    "estoy en la casa",
    "estoy en casa",
    "ya estoy en casa",
    "ya estoy en la casa",
    "im in",
];
const LEAVING: &[&str] = &[
    "leaving",
    "im leaving",
    "i am leaving",
    "heading out",
    "im heading out",
    "heading home",
    "going home",
    "im going home",
    "done for today",
    "done for the day",
    "im done for today",
    "im done for the day",
    "shift over",
    "shift is over",
    "shifts over",
    "end of shift",
    "end of my shift",
    "ending my shift",
    "clocking out",
    "clock out",
    "signing off",
    "im off",
    "me voy",
    "me fui",
    "termine mi turno",
    "termino mi turno",
    "termine",
    "ya termine",
    "salgo",
    "sali",
    "me retiro",
    "off",
    "im off now",
    "me voy a casa",
];

/// The nanny arriving or leaving, said as a clause of its own: "I'm here", "buenos días, ya
/// llegué", "Ana is home, I'm leaving", "ya me voy, hasta mañana". "Leaving the Tylenol on the
/// counter" is not a clause of leaving.
pub(super) fn shift(text: &str) -> Option<Command> {
    for clause in clauses(text) {
        let said = clause.join(" ");
        if ARRIVING.contains(&said.as_str()) {
            return Some(Command::ShiftIn);
        }
        if LEAVING.contains(&said.as_str()) {
            // "gave Emma 5 ml Tylenol, leaving now": the dose is what must not be lost (a dose given
            // and not recorded is how a second one gets given), so this is not read as leaving.
            if records_something(text) {
                return None;
            }
            return Some(Command::ShiftOut {
                at: None,
                words: words_besides_leaving(text),
            });
        }
    }
    None
}

/// Leaving said with when ("left at 17:30", "I forgot to clock out, I left at 5:30pm", "salí a
/// las 17:30"): the end of a shift the nanny forgot to clock out of.
const LEFT: &[&str] = &[
    "left",
    "i left",
    "left work",
    "i left work",
    "clocked out",
    "i clocked out",
    "clock out",
    "clock me out",
    "finished",
    "i finished",
    "my shift ended",
    "shift ended",
    "leaving",
    "im leaving",
    "i was done",
    "done",
    "me fui",
    "sali",
    "termine",
    "termine mi turno",
    "mi turno termino",
    "marque salida",
];

/// Said with a forgotten clock-out, beside the time of leaving.
const FORGOT: &[&str] = &[
    "i forgot to clock out",
    "forgot to clock out",
    "i forgot",
    "forgot",
    "se me olvido marcar la salida",
    "olvide marcar la salida",
    "se me olvido",
    "olvide",
];

pub(super) fn left_at(text: &str) -> Option<Command> {
    let (rest, said) = super::times::split_time(text).ok()?;
    let said = said.filter(|s| !matches!(s, super::SaidTime::Vague(_)))?;
    // What is left of "salí a las 17:30" may keep its "a las".
    let said_clauses: Vec<String> = clauses(&rest)
        .iter()
        .map(|clause| {
            clause
                .iter()
                .filter(|w| !matches!(w.as_str(), "at" | "a" | "las" | "la" | "around" | "about"))
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|clause| !clause.is_empty())
        .collect();
    // Every clause is about leaving: "gave Emma 5 ml Tylenol, then left at 5" is a dose first.
    let leaving = said_clauses.iter().any(|c| LEFT.contains(&c.as_str()));
    let only_leaving = said_clauses.iter().all(|c| {
        LEFT.contains(&c.as_str())
            || FORGOT.contains(&c.as_str())
            || FAREWELLS.contains(&c.as_str())
    });
    (leaving && only_leaving).then_some(Command::ShiftOut {
        at: Some(said),
        words: None,
    })
}

/// Whether the message also records something (a dose, a temperature): then it is that, first.
/// "Took" and "had" report a dose only with an amount ("Emma took a long nap" is words for the
/// guardians; "Leo took 5 ml" is a dose).
fn records_something(text: &str) -> bool {
    let has_number = text.chars().any(|c| c.is_ascii_digit());
    text.split_whitespace().any(|word| {
        let word = key(word);
        let gave = matches!(
            word.as_str(),
            "gave" | "give" | "given" | "administered" | "di" | "dio" | "dimos" | "dieron" | "dado"
        );
        let temperature = matches!(
            word.as_str(),
            "temp" | "temperature" | "temperatura" | "fever" | "fiebre"
        );
        gave || temperature || (has_number && super::words::is_dose_verb(&word))
    })
}

/// Said in passing when leaving: not words for the guardians' report.
const FAREWELLS: &[&str] = &[
    "see you tomorrow",
    "see you",
    "see you monday",
    "good night",
    "goodnight",
    "have a good evening",
    "have a good night",
    "hasta manana",
    "hasta luego",
    "hasta el lunes",
    "nos vemos",
    "nos vemos manana",
    "buenas noches",
    "buenas tardes",
];

/// What else the nanny said when leaving ("done for today, Emma napped well" → "Emma napped
/// well"), as written: the clauses that are neither the leaving, a farewell, nor politeness.
fn words_besides_leaving(text: &str) -> Option<String> {
    let kept: Vec<&str> = text
        .split([',', '.', '!', '?', ';', '—', '–', '¡', '¿'])
        .filter(|raw| {
            let folded = clauses(raw).concat().join(" ");
            !folded.is_empty()
                && !LEAVING.contains(&folded.as_str())
                && !ARRIVING.contains(&folded.as_str())
                && !FAREWELLS.contains(&folded.as_str())
        })
        .map(str::trim)
        .collect();
    (!kept.is_empty()).then(|| kept.join(", "))
}

/// Words a command can start with before a colon ("note: ...", "temp: 38.5").
const COMMAND_WORDS: &[&str] = &[
    "note",
    "nota",
    "notes",
    "notas",
    "temp",
    "temperature",
    "temperatura",
    "fever",
    "fiebre",
    "meds",
    "medicinas",
    "allergies",
    "alergias",
    "join",
    "invite",
    "add",
    "agregar",
];

/// The message without who is speaking: "Maya here, gave Emma..." and "Maya: le di..." are what
/// Maya says. A child's name, a command word or a medicine before the colon stays.
pub(super) fn without_speaker<'a>(text: &'a str, vocabulary: &Vocabulary<'_>) -> &'a str {
    let mut words = text.splitn(3, char::is_whitespace);
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let name = first.trim_end_matches([':', ',']);
    let is_name = !name.is_empty()
        && name.chars().all(char::is_alphabetic)
        && vocabulary.child_in(name).is_none()
        && !COMMAND_WORDS.contains(&key(name).as_str())
        && crate::domain::ingredient_for_name(name).is_none();
    if !is_name {
        return text;
    }
    let rest = if first.ends_with(':') {
        text[first.len()..].trim_start()
    } else if key(second).trim_end_matches([',', '.', ':', '-']) == "here"
        && second.ends_with([',', '.', ':', '-'])
    {
        text[first.len()..]
            .trim_start()
            .get(second.len()..)
            .unwrap_or("")
            .trim_start_matches([' ', '-', '—'])
    } else {
        return text;
    };
    if rest.trim().is_empty() {
        text
    } else {
        rest
    }
}
