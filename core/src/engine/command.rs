//! Understanding what someone typed: a pure parser from text to a [`Command`], no I/O.
//!
//! It knows the command grammar (`give Emma 5 ml Tylenol at 9:30`) and plain phrasings of it
//! ("I gave Emma 5ml of tylenol at 9.30pm", "when can Emma have ibuprofen?", "Emma temp 38.4").
//! Children are recognised by the names the family actually has, passed in by the caller.

use chrono::NaiveTime;

use super::forms::FormKind;
use crate::domain::{AmountError, DoseAmount, Role};
use crate::services::care::CourseChange;

mod amounts;
mod chat;
mod family;
mod keeping;
mod lists;
mod nanny;
mod records;
mod reminders;
mod temperature;
#[cfg(test)]
mod tests;
mod times;
mod words;

use amounts::find_amount;
pub(crate) use nanny::money;
pub use nanny::{NannyCommand, ProfileEdit};
pub use records::RecordKind;
pub use times::parse_time;

/// A time of day someone mentioned ("at 9:30"), in the family's time zone.
pub type LocalTime = NaiveTime;

/// When something happened, as people say it: a time of day ("at 9:30", "around 2") or a while
/// ago ("an hour ago", "20 minutes ago", "hace media hora").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaidTime {
    /// A time that says which half of the day: "9:30pm", "21:30", "noon".
    At(LocalTime),
    /// A time on the 12-hour clock without am/pm ("around 2", "at 9:30"): whichever of the two
    /// came last, so a dose said "at 2" at four in the afternoon is the one two hours ago.
    Clock(LocalTime),
    Ago(chrono::Duration),
    /// A time said without a clock ("this morning", "after lunch", "esta mañana", "hace un rato"),
    /// as said. No clock time is made of it: one earlier than the dose was really given would
    /// let the next dose through early, so the conversation asks for the time instead.
    Vague(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    Children,
    Medications {
        child: Option<String>,
    },
    Allergies {
        child: Option<String>,
    },
    GiveDose {
        child: Option<String>,
        amount: Result<DoseAmount, AmountError>,
        medication: String,
        at: Option<SaidTime>,
    },
    WhenNext {
        child: Option<String>,
        medication: String,
    },
    LastDoses {
        child: Option<String>,
    },
    Temperature {
        child: Option<String>,
        value: String,
        at: Option<SaidTime>,
    },
    Note {
        child: Option<String>,
        text: String,
    },
    /// "Emma weighs 17 kg now", "Leo is 80 cm tall": a growth measurement, in kg or cm.
    Growth {
        child: Option<String>,
        kind: GrowthKind,
        value: f64,
    },
    Notes {
        child: Option<String>,
    },
    Undo,
    Yes,
    No,
    /// A numbered choice ("2") or a button's value.
    Choose(usize),
    ShiftIn,
    /// The nanny leaving: now, or when they said ("left at 17:30"), with their own words for the
    /// guardians' handoff report when they added any ("done for today, Emma napped well").
    ShiftOut {
        at: Option<SaidTime>,
        words: Option<String>,
    },
    /// The nanny's profile, schedule and hours, and the family's payroll week.
    Nanny(NannyCommand),
    Join {
        code: String,
    },
    /// "create family Garcia", "set up my family", "create family Jones in London": a new family
    /// with the speaker as its first guardian. `name` is empty when none was said (it is asked);
    /// `place` is where it lives as said, read by `domain::read_place`.
    CreateFamily {
        name: String,
        place: Option<String>,
    },
    /// "we live in London", "país México" (guardians): the family's country, and its time zone
    /// when the place says it.
    SetPlace {
        place: String,
    },
    /// "time zone Europe/London" (guardians): the family's time zone alone.
    SetTimezone {
        zone: String,
    },
    /// "invite caregiver": a one-time code for a new member; `None` when the role was not understood.
    /// "invite caregiver Maya +15551234567" also sends it to that phone on WhatsApp.
    Invite {
        role: Option<Role>,
        to: Option<Invitee>,
    },
    /// "link-whatsapp +15551234567": a code sent to that phone links it to the speaker; `phone` is
    /// empty when none was given.
    LinkPhone {
        phone: String,
    },
    /// Six digits alone: a link code sent to a phone, repeated.
    LinkCode {
        code: String,
    },
    /// Everything the family has, as a document (guardians only).
    Export,
    /// "assistant on" / "assistant off" (guardians): whether the family's messages may go to the
    /// configured language model.
    Assistant {
        on: bool,
    },
    /// "language es", "idioma español": the speaker's language, as said (read by the task).
    Language {
        asked: String,
    },
    SwitchFamily {
        name: Option<String>,
    },
    /// "add child Emma born 14 March 2022", "add a medication for Leo", "Emma is allergic to
    /// peanuts": a form, with the words that came with the command (the form reads them).
    StartForm {
        kind: FormKind,
        text: String,
    },
    /// "approve", "deny #12", "approve Leo's Motrin": a guardian decides about a medication a
    /// caregiver added; `which` is what came after the verb, if anything.
    Decide {
        approve: bool,
        which: Option<String>,
    },
    /// "stop Leo's amoxicillin", "pause Emma's Tylenol", "resume #12": a guardian changes a
    /// medication's course; `medication` is empty when none was named.
    Course {
        change: CourseChange,
        child: Option<String>,
        medication: String,
    },
    /// "change Emma's Tylenol dose to 7.5 ml": a medication's rules; `change` is what to change
    /// ("dose to 7.5 ml"), read by the medication form.
    EditMedication {
        child: Option<String>,
        medication: String,
        change: String,
    },
    /// "rename Emma to Emmy", "change Emma's name to Emmy".
    RenameChild {
        child: Option<String>,
        name: String,
    },
    /// "archive Emma", "remove Emma from active care" (`in_care: false`); "return Emma to care"
    /// (`in_care: true`: the name is not among the children in care, so it is kept as said).
    ChildCare {
        name: String,
        in_care: bool,
    },
    /// "members": who is in the family, with their roles and children (guardians).
    Members,
    /// "Maya looks after Emma and Leo" (or no longer does): a caregiver's children.
    Assign {
        member: String,
        children: Vec<String>,
        assign: bool,
    },
    /// "make Luis a viewer"; `None` when the role was not understood.
    SetRole {
        member: String,
        role: Option<Role>,
    },
    /// "revoke Maya", "remove Maya from the family".
    Revoke {
        member: String,
    },
    /// "vaccinations", "Emma's appointments", "doctors": one of the record's lists.
    Records {
        kind: RecordKind,
        child: Option<String>,
    },
    /// "remove Emma's peanut allergy", "cancel appointment #12", "delete Dr Patel": `which` is
    /// what names the entry (empty when nothing did).
    RemoveRecord {
        kind: Option<RecordKind>,
        child: Option<String>,
        which: String,
    },
    /// *Given* on a dose reminder (`reminder 12 given`, or GIVEN for the newest sent to the
    /// speaker): the dose is logged through the dose path, its safety check included.
    ReminderGiven {
        id: Option<i64>,
    },
    /// *Skip* on a dose reminder, with the reason (empty: asked for).
    ReminderSkip {
        id: Option<i64>,
        reason: String,
    },
    /// "pause reminders for Leo" / "resume reminders for Leo" (guardians).
    PauseReminders {
        child: Option<String>,
        pause: bool,
    },
    /// "daily summary at 19:30" (guardians); `None` when the time was not understood.
    SummaryAt {
        at: Option<LocalTime>,
    },
    /// "quiet hours 22:00-07:00": no reminders to the speaker then; `None` when not understood.
    QuietHours {
        span: Option<(LocalTime, LocalTime)>,
    },
    /// A time was given but is not a time ("at 25:99").
    BadTime(String),
    Unknown,
    Empty,
}

/// What a growth measurement measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrowthKind {
    /// In kg.
    Weight,
    /// In cm.
    Height,
}

impl GrowthKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GrowthKind::Weight => "weight",
            GrowthKind::Height => "height",
        }
    }
}

/// "Emma weighs 17 kg now", "Leo weighs 22 lb", "Emma is 102 cm tall", "height 80cm": the value in
/// kg or cm. A weight or height needs its unit: a bare number is not guessed at.
fn growth(text: &str) -> Option<(GrowthKind, f64)> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().map(strip_punctuation).collect();
    let weight = words.iter().any(|w| {
        matches!(
            *w,
            "weighs" | "weighed" | "weight" | "weigh" | "pesa" | "peso"
        )
    });
    let height = words
        .iter()
        .any(|w| matches!(*w, "tall" | "height" | "measures" | "mide" | "long"));
    if !weight && !height {
        return None;
    }
    for (i, word) in words.iter().enumerate() {
        let number: String = word
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        let Ok(value) = number.replace(',', ".").parse::<f64>() else {
            continue;
        };
        let glued = &word[number.len()..];
        let unit = if glued.is_empty() {
            words.get(i + 1).copied().unwrap_or("")
        } else {
            glued
        };
        let found = match unit {
            "kg" | "kgs" | "kilos" | "kilo" | "kilograms" if weight => {
                Some((GrowthKind::Weight, value))
            }
            "lb" | "lbs" | "pounds" | "pound" if weight => {
                Some((GrowthKind::Weight, value * 0.453_592))
            }
            "cm" | "centimeters" | "centimetres" if height => Some((GrowthKind::Height, value)),
            "in" | "inches" | "inch" if height => Some((GrowthKind::Height, value * 2.54)),
            "m" | "meters" | "metres" if height && value < 3.0 => {
                Some((GrowthKind::Height, value * 100.0))
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// "add child ...", "add a new medication for Leo", "add allergy": the form and the words after
/// the one that names it.
fn start_form(words: &[&str]) -> Option<Command> {
    let mut rest = words;
    while let Some(first) = rest.first() {
        if matches!(
            strip_punctuation(first).to_lowercase().as_str(),
            "a" | "an" | "new" | "another" | "un" | "una" | "nuevo" | "nueva" | "my" | "our"
        ) {
            rest = &rest[1..];
        } else {
            break;
        }
    }
    let (first, after) = rest.split_first()?;
    let kind =
        match strip_punctuation(first).to_lowercase().as_str() {
            "child" | "kid" | "baby" | "son" | "daughter" | "hijo" | "hija" | "niño" | "niña"
            | "bebé" | "bebe" => FormKind::Child,
            "medication" | "medicine" | "med" | "medicamento" | "medicina" | "prescription" => {
                FormKind::Medication
            }
            "allergy" | "alergia" => FormKind::Allergy,
            "condition" | "diagnosis" | "condición" | "condicion" | "diagnóstico"
            | "diagnostico" => FormKind::Condition,
            "vaccination" | "vaccine" | "shot" | "immunization" | "immunisation" | "jab"
            | "vacuna" => FormKind::Vaccination,
            "appointment" | "appt" | "visit" | "checkup" | "check-up" | "cita" | "consulta" => {
                FormKind::Appointment
            }
            word if word == "doctor"
                || word == "provider"
                || word == "médico"
                || word == "medico"
                || super::forms::specialty(word).is_some() =>
            {
                // The provider's form reads what they are from the word itself.
                return Some(Command::StartForm {
                    kind: FormKind::Provider,
                    text: rest.join(" "),
                });
            }
            _ => return None,
        };
    Some(Command::StartForm {
        kind,
        text: after.join(" "),
    })
}

fn strip_punctuation(word: &str) -> &str {
    word.trim_matches(|c: char| {
        matches!(
            c,
            '?' | '!' | ',' | ';' | ':' | '"' | '(' | ')' | '¿' | '¡' | '“' | '”'
        )
    })
    .trim_end_matches('.')
}

/// Who an invite by phone is for, as typed (the services check the number).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Invitee {
    pub name: String,
    pub phone: String,
}

/// "Maya +1 555 123 4567": the words before the first that starts like a number are the name.
fn invitee(words: &[&str]) -> Option<Invitee> {
    let at = words
        .iter()
        .position(|w| w.starts_with(|c: char| c == '+' || c == '(' || c.is_ascii_digit()))?;
    let name = words[..at].join(" ");
    let name = name.trim_end_matches(|c: char| c == ',' || c == ':' || c.is_whitespace());
    (!name.is_empty()).then(|| Invitee {
        name: name.to_string(),
        phone: words[at..].join(" "),
    })
}

/// The parser's view of the family: the children's names it can recognise.
pub struct Vocabulary<'a> {
    pub children: &'a [String],
}

impl Vocabulary<'_> {
    fn child_in(&self, word: &str) -> Option<String> {
        let w = word.to_lowercase();
        let w = w.trim_end_matches("'s").trim_end_matches("’s");
        self.children
            .iter()
            .find(|name| name.to_lowercase() == w)
            .cloned()
    }
}

/// Parses one message.
/// A message as every command it holds, in order. Several doses in one message ("gave Emma 2.5 ml
/// Motrin and Leo 5 ml amoxicillin") are a command each, so none is dropped: a dose given and not
/// recorded is how a second one gets given. A clause without its own verb or child takes the first
/// clause's verb and the child before it ("gave Emma 5 ml Tylenol and 5 ml Motrin"), and a time said
/// once is for them all. Anything else is one command, as [`parse`] reads it.
pub fn parse_all(text: &str, vocabulary: &Vocabulary<'_>) -> Vec<Command> {
    let whole = parse(text, vocabulary);
    let Command::GiveDose { at: said_at, .. } = &whole else {
        return vec![whole];
    };
    let said_at = said_at.clone();
    let parts = dose_clauses(text);
    if parts.len() < 2 {
        return vec![whole];
    }
    let verb = parts[0]
        .split_whitespace()
        .find(|w| words::is_dose_verb(strip_punctuation(w)))
        .map(strip_punctuation);
    let mut doses = Vec::with_capacity(parts.len());
    let mut child: Option<String> = None;
    for part in parts {
        let mut command = parse(part, vocabulary);
        if !matches!(command, Command::GiveDose { amount: Ok(_), .. }) {
            if let Some(verb) = verb {
                command = parse(&format!("{verb} {part}"), vocabulary);
            }
        }
        match command {
            Command::GiveDose {
                child: named,
                amount: Ok(amount),
                medication,
                at,
            } if !medication.trim().is_empty() => {
                child = named.or(child);
                doses.push(Command::GiveDose {
                    child: child.clone(),
                    amount: Ok(amount),
                    medication,
                    at: at.or_else(|| said_at.clone()),
                });
            }
            // A clause that is not a whole dose: the message is one command after all.
            _ => return vec![whole],
        }
    }
    doses
}

/// The clauses of a message joined by "and", "y", "&", "plus" or ";".
fn dose_clauses(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let lower = rest.to_lowercase();
        // Byte offsets agree between `rest` and `lower` only for ASCII; otherwise keep it whole.
        if lower.len() != rest.len() {
            parts.push(rest);
            break;
        }
        let found = [" and ", " y ", " & ", " plus ", ";"]
            .iter()
            .filter_map(|sep| lower.find(sep).map(|at| (at, sep.len())))
            .min();
        match found {
            Some((at, len)) => {
                parts.push(rest[..at].trim_end_matches([',', ' ']));
                rest = &rest[at + len..];
            }
            None => {
                parts.push(rest);
                break;
            }
        }
    }
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

pub fn parse(text: &str, vocabulary: &Vocabulary<'_>) -> Command {
    let text = text.trim();
    if text.is_empty() {
        return Command::Empty;
    }
    // Reminder answers and settings come first: "skip asleep" is not a short answer.
    if let Some(command) = reminders::parse(text, vocabulary) {
        return command;
    }
    // Short answers and commands: "yes please", "sí, dale", "oops, undo", "what can you do?".
    if let Some(answer) = chat::short_answer(text) {
        return answer;
    }
    // "Maya here, gave Emma ..." is what Maya says.
    let text = chat::without_speaker(text, vocabulary);
    let lower = text.to_lowercase();
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = words::key(words[0]);
    let rest_text = text[words[0].len()..].trim();
    if let Ok(n) = strip_punctuation(&lower).parse::<usize>() {
        if (1..=20).contains(&n) {
            return Command::Choose(n);
        }
    }
    let bare = strip_punctuation(&lower);
    if bare.len() == 6 && bare.bytes().all(|b| b.is_ascii_digit()) {
        return Command::LinkCode {
            code: bare.to_string(),
        };
    }
    let child_mentioned = words
        .iter()
        .find_map(|w| vocabulary.child_in(strip_punctuation(w)));
    // A family's beginnings: creating one, where it lives, a child introduced with their birth.
    if let Some(command) = family::create(&words)
        .or_else(|| family::place(text))
        .or_else(|| family::child_introduced(&words))
    {
        return command;
    }
    if let Some(command) = nanny::parse(text, &words) {
        return command;
    }
    if let Some(command) = keeping::parse(text, &words, vocabulary) {
        return command;
    }
    if let Some(command) = records::parse(&words, vocabulary) {
        return command;
    }

    match first.as_str() {
        "assistant" | "asistente" if words.len() == 2 => {
            match strip_punctuation(&words[1].to_lowercase()) {
                "on" | "yes" | "allow" | "si" | "sí" | "activar" => {
                    return Command::Assistant { on: true }
                }
                "off" | "no" | "stop" | "desactivar" => return Command::Assistant { on: false },
                _ => {}
            }
        }
        "language" | "idioma" | "lenguaje" | "lang" if words.len() == 2 => {
            return Command::Language {
                asked: strip_punctuation(words[1]).to_lowercase(),
            };
        }
        "join" => {
            return Command::Join {
                code: rest_text.to_string(),
            };
        }
        "add" | "new" | "agregar" | "añadir" | "anadir" | "register" => {
            if let Some(command) = start_form(&words[1..]) {
                return command;
            }
        }
        "approve" | "aprobar" | "apruebo" | "deny" | "reject" | "decline" | "denegar"
        | "rechazar" => {
            let which = rest_text
                .trim_start_matches(|c: char| c == ':' || c.is_whitespace())
                .trim_end_matches(|c: char| c == '.' || c == '!' || c.is_whitespace());
            return Command::Decide {
                approve: matches!(first.as_str(), "approve" | "aprobar" | "apruebo"),
                which: (!which.is_empty()).then(|| which.to_string()),
            };
        }
        "invite" => {
            return Command::Invite {
                role: words.get(1).and_then(|w| strip_punctuation(w).parse().ok()),
                to: words.get(2..).and_then(invitee),
            };
        }
        "link-whatsapp" | "link" | "vincular"
            if first != "link"
                || words
                    .get(1)
                    .is_some_and(|w| strip_punctuation(w).eq_ignore_ascii_case("whatsapp")) =>
        {
            let skip = if first == "link-whatsapp" { 1 } else { 2 };
            return Command::LinkPhone {
                phone: words.get(skip..).unwrap_or_default().join(" "),
            };
        }
        "export" if words.len() == 1 => return Command::Export,
        "family" | "switch" | "use" => {
            let name = rest_text.trim_start_matches("family").trim();
            return Command::SwitchFamily {
                name: (!name.is_empty()).then(|| name.to_string()),
            };
        }
        // "notes for Emma", "notas de Leo": the list, not a note.
        "notes" | "notas" if lists::parse(&words, &lower, false, false, vocabulary).is_some() => {
            return Command::Notes {
                child: child_mentioned,
            }
        }
        "note" | "notes" | "nota" | "notas"
            if !rest_text.is_empty() || matches!(first.as_str(), "note" | "nota") =>
        {
            // "note Emma ate well" / "note: ate well"
            let body = rest_text.trim_start_matches(':').trim();
            let mut body_words = body.split_whitespace();
            let (child, text) = match body_words
                .next()
                .and_then(|w| vocabulary.child_in(strip_punctuation(w)))
            {
                Some(child) => {
                    let after = body
                        .split_once(char::is_whitespace)
                        .map(|(_, r)| r)
                        .unwrap_or("");
                    (
                        Some(child),
                        after.trim_start_matches(':').trim().to_string(),
                    )
                }
                None => (None, body.to_string()),
            };
            if matches!(first.as_str(), "notes" | "notas") && text.is_empty() {
                return Command::Notes { child };
            }
            return Command::Note { child, text };
        }
        "notes" | "notas" => {
            return Command::Notes {
                child: child_mentioned,
            }
        }
        "shift" | "clock" => {
            return match words
                .get(1)
                .map(|w| strip_punctuation(w).to_lowercase())
                .as_deref()
            {
                Some("in" | "start" | "on" | "started" | "starting" | "starts") => Command::ShiftIn,
                Some("out" | "end" | "off" | "over" | "done" | "ended" | "finished") => {
                    Command::ShiftOut {
                        at: None,
                        words: None,
                    }
                }
                _ => Command::Unknown,
            };
        }
        _ => {}
    }
    if lower.contains("clock in")
        || lower.contains("clocking in")
        || lower.contains("starting my shift")
    {
        return Command::ShiftIn;
    }
    if lower.contains("clock out")
        || lower.contains("clocking out")
        || lower.contains("ending my shift")
    {
        return Command::ShiftOut {
            at: None,
            words: None,
        };
    }
    // "I'm here", "ya llegué", "done for today", "Ana is home, I'm leaving", "me voy".
    if let Some(shift) = chat::shift(text) {
        return shift;
    }

    // "Emma is allergic to peanuts", "Leo has a peanut allergy".
    if words.iter().any(|w| {
        matches!(
            strip_punctuation(w).to_lowercase().as_str(),
            "allergic" | "alérgica" | "alérgico" | "alergica" | "alergico"
        )
    }) && !lower.contains('?')
        && !lower.starts_with("is ")
        && !lower.starts_with("es ")
    {
        return Command::StartForm {
            kind: FormKind::Allergy,
            text: text.to_string(),
        };
    }

    if let Some((kind, value)) = growth(text) {
        return Command::Growth {
            child: child_mentioned,
            kind,
            value,
        };
    }

    // "an hour ago", "at 9:30", "a las 3 de la tarde", "this morning": removed from what follows.
    let (without_time, at) = match times::split_time(text) {
        Ok(found) => found,
        Err(bad) => return Command::BadTime(bad),
    };

    // Temperatures: "temp Emma 38.4", "Emma's temperature is 101.2F", "fiebre 38,9", "Emma has
    // 101.3F", "Leo tiene 38,5", "leo esta con 38 y medio".
    let reading_text = temperature::with_halves(&without_time);
    let temp_word = temperature::says_temperature(&reading_text);
    if temp_word
        || (child_mentioned.is_some() && temperature::has_scaled_reading(&reading_text))
        || temperature::said_reading(&reading_text, vocabulary)
    {
        if let Some(value) = temperature::temperature_value(&reading_text) {
            return Command::Temperature {
                child: child_mentioned,
                value,
                at,
            };
        }
    }

    let tokens: Vec<&str> = without_time.split_whitespace().collect();
    // "a teaspoon, I mean half a teaspoon": the amount after the correction.
    let amount = words::correction(&tokens)
        .and_then(|at| {
            find_amount(&tokens[at..]).map(|(start, end, read)| (start + at, end + at, read))
        })
        .or_else(|| find_amount(&tokens));
    let question = words::is_question(&tokens, &lower);

    // Lists: "meds", "medicinas de Leo", "last doses", "what did Emma have today?", "alergias".
    if let Some(list) = lists::parse(&tokens, &lower, question, amount.is_some(), vocabulary) {
        return list;
    }
    // "the children", not "Children's Tylenol" (a product's name says who it is for).
    let says_children = words
        .iter()
        .any(|w| strip_punctuation(w).eq_ignore_ascii_case("children"));
    if says_children || lower.starts_with("kids ") || lower.contains("who are the kids") {
        return Command::Children;
    }

    let medication = words::medication(&tokens, amount.as_ref().map(|a| (a.0, a.1)), vocabulary);
    if medication.is_empty() || words::not_medicine(&medication) {
        return Command::Unknown;
    }
    // Questions: "when can Emma have ibuprofen?", "is it too soon for more Advil?", "¿cuándo le
    // toca el ibuprofeno a Leo?". Without a word of asking when, only a medicine's name makes
    // it one ("Tylenol for Emma?"), not "what do I do if he chokes?".
    if question && amount.is_none() {
        let names_a_medicine = medication
            .split_whitespace()
            .any(|w| crate::domain::ingredient_for_name(w).is_some());
        if words::when_cue(&tokens) || names_a_medicine {
            return Command::WhenNext {
                child: child_mentioned,
                medication,
            };
        }
        return Command::Unknown;
    }
    // "I'll give her Tylenol later", "Ana said to give Emma Motrin", "didn't give", "voy a
    // darle": not a dose that was given.
    if words::not_given(&tokens) {
        return Command::Unknown;
    }
    // Doses: the amount (or none said: asked for, never guessed), the child, the medication.
    let dose_verb = tokens.iter().any(|w| words::is_dose_verb(w));
    match amount {
        Some((_, _, amount)) => Command::GiveDose {
            child: child_mentioned,
            amount,
            medication,
            at,
        },
        None if dose_verb => Command::GiveDose {
            child: child_mentioned,
            amount: Err(AmountError::Missing),
            medication,
            at,
        },
        None => Command::Unknown,
    }
}
