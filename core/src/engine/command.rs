//! Understanding what someone typed: a pure parser from text to a [`Command`], no I/O.
//!
//! It knows the command grammar (`give Emma 5 ml Tylenol at 9:30`) and plain phrasings of it
//! ("I gave Emma 5ml of tylenol at 9.30pm", "when can Emma have ibuprofen?", "Emma temp 38.4").
//! Children are recognised by the names the family actually has, passed in by the caller.

use chrono::NaiveTime;

use super::forms::FormKind;
use crate::domain::{AmountError, DoseAmount, DoseUnit, Role};
use crate::services::care::CourseChange;

mod keeping;
mod records;

pub use records::RecordKind;

/// A time of day someone mentioned ("at 9:30"), in the family's time zone.
pub type LocalTime = NaiveTime;

/// When something happened, as people say it: a time of day ("at 9:30", "around 2") or a while
/// ago ("an hour ago", "20 minutes ago", "hace media hora").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    Vague(&'static str),
}

/// "2", "9:30", "9.30": an hour from 1 to 12 with no am/pm (and not noon or midnight).
fn twelve_hour_without_meridiem(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    if t.ends_with("am") || t.ends_with("pm") || t.ends_with("a.m.") || t.ends_with("p.m.") {
        return false;
    }
    let hour = t.split([':', '.', 'h']).next().unwrap_or("");
    hour.parse::<u32>().is_ok_and(|h| (1..=12).contains(&h))
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
    ShiftOut,
    Join {
        code: String,
    },
    /// "create family Garcia": a new family with the speaker as its first guardian.
    CreateFamily {
        name: String,
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

/// Parses "9:30", "09:30", "9.30", "9:30pm", "9pm", "21:30", "noon", "midnight".
pub fn parse_time(text: &str) -> Option<LocalTime> {
    let t = text.trim().to_lowercase().replace(' ', "");
    match t.as_str() {
        "noon" | "midday" => return NaiveTime::from_hms_opt(12, 0, 0),
        "midnight" => return NaiveTime::from_hms_opt(0, 0, 0),
        _ => {}
    }
    let (body, meridiem) = if let Some(b) = t.strip_suffix("am").or_else(|| t.strip_suffix("a.m."))
    {
        (b, Some(false))
    } else if let Some(b) = t.strip_suffix("pm").or_else(|| t.strip_suffix("p.m.")) {
        (b, Some(true))
    } else {
        (t.as_str(), None)
    };
    let (h, m) = match body.split_once([':', '.', 'h']) {
        Some((h, m)) => (
            h.parse::<u32>().ok()?,
            if m.is_empty() {
                0
            } else {
                m.parse::<u32>().ok()?
            },
        ),
        None => (body.parse::<u32>().ok()?, 0),
    };
    let hour = match meridiem {
        Some(pm) => {
            if !(1..=12).contains(&h) {
                return None;
            }
            match (h, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            }
        }
        None => h,
    };
    NaiveTime::from_hms_opt(hour, m, 0)
}

fn strip_punctuation(word: &str) -> &str {
    word.trim_matches(|c: char| matches!(c, '?' | '!' | ',' | ';' | '"' | '(' | ')'))
        .trim_end_matches('.')
}

/// Words that carry no meaning for the dose grammar.
const FILLER: &[&str] = &[
    "i",
    "we",
    "just",
    "gave",
    "give",
    "given",
    "had",
    "has",
    "have",
    "took",
    "taken",
    "of",
    "to",
    "the",
    "a",
    "an",
    "some",
    "her",
    "his",
    "him",
    "dose",
    "log",
    "please",
    "can",
    "could",
    "may",
    "when",
    "next",
    "is",
    "for",
    "another",
    "more",
    "allowed",
    "be",
    "safe",
    "ok",
    "okay",
    "it",
    "what",
    "time",
    "did",
    "does",
    "about",
    "around",
    "approximately",
    "approx",
    "here",
];

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
pub fn parse(text: &str, vocabulary: &Vocabulary<'_>) -> Command {
    let text = text.trim();
    if text.is_empty() {
        return Command::Empty;
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = strip_punctuation(words[0]).to_lowercase();
    let rest_text = text[words[0].len()..].trim();

    // Single-word answers and commands.
    match strip_punctuation(&lower) {
        "help" | "?" | "menu" | "commands" | "ayuda" => return Command::Help,
        "yes" | "y" | "yeah" | "yep" | "confirm" | "si" | "sí" => return Command::Yes,
        "no" | "n" | "nope" | "cancel" | "stop" => return Command::No,
        "undo" => return Command::Undo,
        "kids" | "children" | "who" => return Command::Children,
        _ => {}
    }
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
    if let Some(command) = keeping::parse(text, &words, vocabulary) {
        return command;
    }
    if let Some(command) = records::parse(&words, vocabulary) {
        return command;
    }

    match first.as_str() {
        "join" => {
            return Command::Join {
                code: rest_text.to_string(),
            };
        }
        "create" | "new" if words.get(1).map(|w| w.to_lowercase()).as_deref() == Some("family") => {
            let name = rest_text
                .split_once(char::is_whitespace)
                .map(|(_, name)| name.trim())
                .unwrap_or("");
            return Command::CreateFamily {
                name: name.to_string(),
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
        "note" | "notes" if !rest_text.is_empty() || first == "note" => {
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
            if first == "notes" && text.is_empty() {
                return Command::Notes { child };
            }
            return Command::Note { child, text };
        }
        "notes" => {
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
                Some("in" | "start" | "on") => Command::ShiftIn,
                Some("out" | "end" | "off") => Command::ShiftOut,
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
        return Command::ShiftOut;
    }

    // "Emma is allergic to peanuts", "Leo has a peanut allergy".
    if words.iter().any(|w| {
        matches!(
            strip_punctuation(w).to_lowercase().as_str(),
            "allergic" | "alérgica" | "alérgico" | "alergica" | "alergico"
        )
    }) && !lower.contains('?')
        && !lower.starts_with("is ")
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

    // "an hour ago", or "at 9:30" anywhere (last occurrence), removed from what follows.
    let (without_time, at) = match split_ago(text) {
        (rest, Some(ago)) => (rest, Some(SaidTime::Ago(ago))),
        (_, None) => match split_at_time(text) {
            Ok(found) => found,
            Err(bad) => return Command::BadTime(bad),
        },
    };

    // Temperatures: "temp Emma 38.4", "Emma temp 38.4", "Emma's temperature is 101.2F", "fever 38.9".
    let temp_word = ["temp", "temperature", "fever"].iter().find(|k| {
        without_time
            .split_whitespace()
            .any(|w| strip_punctuation(w).eq_ignore_ascii_case(k))
    });
    // "Emma has 101.3F", "Leo tiene 38,5 grados": a child and a reading with its scale.
    if temp_word.is_some() || (child_mentioned.is_some() && has_scaled_reading(&without_time)) {
        let value = temperature_value(&without_time);
        if let Some(value) = value {
            return Command::Temperature {
                child: child_mentioned,
                value,
                at,
            };
        }
    }

    // Questions: "when can Emma have ibuprofen?", "can Emma have tylenol", "when Emma ibuprofen".
    let is_question = lower.starts_with("when")
        || lower.starts_with("can ")
        || lower.starts_with("is it")
        || lower.starts_with("next")
        || lower.ends_with('?');
    if first == "last"
        || lower.starts_with("last dose")
        || lower.contains("last doses")
        || lower.starts_with("history")
    {
        return Command::LastDoses {
            child: child_mentioned,
        };
    }
    if lower.starts_with("meds")
        || lower.starts_with("medications")
        || lower.starts_with("medicines")
        || lower.contains("what meds")
        || lower.contains("which meds")
        || lower.contains("what medications")
    {
        return Command::Medications {
            child: child_mentioned,
        };
    }
    if first == "allergies" || lower.contains("allergic") || lower.contains("allergies") {
        return Command::Allergies {
            child: child_mentioned,
        };
    }
    // "the children", not "Children's Tylenol" (a product's name says who it is for).
    let says_children = words
        .iter()
        .any(|w| strip_punctuation(w).eq_ignore_ascii_case("children"));
    if says_children || lower.starts_with("kids ") || lower.contains("who are the kids") {
        return Command::Children;
    }

    // Doses: find the amount, the child, and call the rest the medication.
    let tokens: Vec<&str> = without_time.split_whitespace().collect();
    let amount_span = find_amount(&tokens);
    let medication = tokens
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            !amount_span
                .as_ref()
                .is_some_and(|(start, end, _)| (*start..*end).contains(i))
        })
        .map(|(_, w)| strip_punctuation(w))
        .filter(|w| !w.is_empty())
        .filter(|w| vocabulary.child_in(w).is_none())
        .filter(|w| !FILLER.contains(&w.to_lowercase().as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    if is_question && amount_span.is_none() {
        if medication.is_empty() {
            return Command::Unknown;
        }
        return Command::WhenNext {
            child: child_mentioned,
            medication,
        };
    }
    let dose_verb = ["gave", "give", "given", "had", "took", "dose", "log"]
        .iter()
        .any(|v| {
            tokens
                .iter()
                .any(|w| strip_punctuation(w).eq_ignore_ascii_case(v))
        });
    if let Some((_, _, amount)) = amount_span {
        if !medication.is_empty() {
            return Command::GiveDose {
                child: child_mentioned,
                amount,
                medication,
                at,
            };
        }
    } else if dose_verb && !medication.is_empty() {
        return Command::GiveDose {
            child: child_mentioned,
            amount: Err(AmountError::Missing),
            medication,
            at,
        };
    }
    Command::Unknown
}

/// Whether the text holds a thermometer reading with its scale: "101.3F", "38.5 °C", "38,5
/// grados", "100 degrees", in a thermometer's range.
fn has_scaled_reading(text: &str) -> bool {
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
fn temperature_value(text: &str) -> Option<String> {
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

/// Household measures, in ml: what a parent says instead of a number of millilitres.
fn household_ml(word: &str) -> Option<f64> {
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
fn find_amount(tokens: &[&str]) -> Option<(usize, usize, Result<DoseAmount, AmountError>)> {
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

/// A count said in words or digits: "an", "a", "one" … "twelve", "5", "una", "dos".
fn count_word(word: &str) -> Option<i64> {
    let word = word.to_lowercase();
    let named = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    if let Some(n) = named.iter().position(|w| *w == word) {
        return Some(n as i64 + 1);
    }
    match word.as_str() {
        "a" | "an" | "una" | "un" | "uno" => Some(1),
        "dos" => Some(2),
        "tres" => Some(3),
        _ => word
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=48 * 60).contains(n)),
    }
}

/// Minutes in a unit of time as said: "minutes", "min", "hours", "hrs", "h", "minutos", "horas".
fn minutes_in(unit: &str) -> Option<i64> {
    match unit.to_lowercase().trim_end_matches('.') {
        "minute" | "minutes" | "min" | "mins" | "minuto" | "minutos" => Some(1),
        "hour" | "hours" | "hr" | "hrs" | "h" | "hora" | "horas" => Some(60),
        _ => None,
    }
}

/// Splits off a while ago: "an hour ago", "20 minutes ago", "half an hour ago", "an hour and a
/// half ago", "hace una hora", "hace 20 minutos", "hace media hora". The rest of the text comes
/// back without it.
fn split_ago(text: &str) -> (String, Option<chrono::Duration>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let lower: Vec<String> = words
        .iter()
        .map(|w| strip_punctuation(w).to_lowercase())
        .collect();
    let keep = |from: usize, to: usize| {
        let mut rest: Vec<&str> = words[..from].to_vec();
        rest.extend(&words[to..]);
        rest.join(" ")
    };
    // English: "... ago" closes the phrase.
    if let Some(ago) = lower.iter().position(|w| w == "ago") {
        let phrase = &lower[..ago];
        let minutes = match phrase {
            [.., half, a, hour]
                if half == "half" && (a == "an" || a == "a") && minutes_in(hour) == Some(60) =>
            {
                Some((ago - 3, 30))
            }
            [.., n, unit, and, a, half]
                if and == "and" && a == "a" && half == "half" && minutes_in(unit).is_some() =>
            {
                count_word(n)
                    .zip(minutes_in(unit))
                    .map(|(n, m)| (ago - 5, n * m + m / 2))
            }
            [.., n, unit] => count_word(n)
                .zip(minutes_in(unit))
                .map(|(n, m)| (ago - 2, n * m)),
            _ => None,
        };
        if let Some((from, minutes)) = minutes {
            return (
                keep(from, ago + 1),
                Some(chrono::Duration::minutes(minutes)),
            );
        }
    }
    // Spanish: "hace ..." opens it.
    if let Some(hace) = lower.iter().position(|w| w == "hace") {
        let after = &lower[hace + 1..];
        let found = match after {
            [media, hora, ..] if media == "media" && minutes_in(hora) == Some(60) => Some((2, 30)),
            [n, unit, ..] => count_word(n).zip(minutes_in(unit)).map(|(n, m)| (2, n * m)),
            _ => None,
        };
        if let Some((used, minutes)) = found {
            return (
                keep(hace, hace + 1 + used),
                Some(chrono::Duration::minutes(minutes)),
            );
        }
    }
    (text.to_string(), None)
}

/// Splits off a trailing "at <time>" (or "@ <time>"); `Err` holds a time that is not a time.
fn split_at_time(text: &str) -> Result<(String, Option<SaidTime>), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    // "at 9:30", and as people say it when they are not sure: "around 2", "about 9:30", "a las 3".
    let Some(position) = words.iter().rposition(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "at" | "@" | "around" | "about" | "approximately" | "approx" | "~" | "las" | "eso"
        )
    }) else {
        return Ok((text.to_string(), None));
    };
    let time_words: Vec<&str> = words[position + 1..].iter().take(2).copied().collect();
    if time_words.is_empty() {
        return Ok((text.to_string(), None));
    }
    // "at 9:30 pm" (two words) or "at 9:30pm" (one).
    let candidates = [time_words.join(""), time_words[0].to_string()];
    for (index, candidate) in candidates.iter().enumerate() {
        if let Some(time) = parse_time(strip_punctuation(candidate)) {
            let used = if index == 0 { time_words.len() } else { 1 };
            // "about 5 ml" is an amount, not five o'clock.
            let unit_follows = words
                .get(position + 1 + used)
                .map(|w| strip_punctuation(w))
                .is_some_and(|w| DoseUnit::parse(w).is_some() || household_ml(w).is_some());
            if unit_follows {
                return Ok((text.to_string(), None));
            }
            let mut rest: Vec<&str> = words[..position].to_vec();
            rest.extend(&words[position + 1 + used..]);
            let said = if twelve_hour_without_meridiem(strip_punctuation(candidate)) {
                SaidTime::Clock(time)
            } else {
                SaidTime::At(time)
            };
            return Ok((rest.join(" "), Some(said)));
        }
    }
    // "at 25:00" is a time that is not one; "about 5ml" is an amount.
    let first = strip_punctuation(time_words[0]);
    let said_at = matches!(words[position].to_lowercase().as_str(), "at" | "@");
    if said_at && first.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(first.to_string());
    }
    Ok((text.to_string(), None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DoseUnit;

    fn parse_with_kids(text: &str) -> Command {
        let kids = vec!["Emma".to_string(), "Leo".to_string()];
        parse(text, &Vocabulary { children: &kids })
    }

    fn ml(v: f64) -> Result<DoseAmount, AmountError> {
        Ok(DoseAmount {
            value: v,
            unit: DoseUnit::Ml,
        })
    }

    #[test]
    fn the_records_lists_and_removals() {
        let emma = || Some("Emma".to_string());
        let leo = || Some("Leo".to_string());
        let cases: Vec<(&str, Command)> = vec![
            (
                "vaccinations",
                Command::Records {
                    kind: RecordKind::Vaccinations,
                    child: None,
                },
            ),
            (
                "show Emma's vaccines",
                Command::Records {
                    kind: RecordKind::Vaccinations,
                    child: emma(),
                },
            ),
            (
                "when is Leo's next appointment?",
                Command::Records {
                    kind: RecordKind::Appointments,
                    child: leo(),
                },
            ),
            (
                "who is our doctor?",
                Command::Records {
                    kind: RecordKind::Providers,
                    child: None,
                },
            ),
            (
                "conditions",
                Command::Records {
                    kind: RecordKind::Conditions,
                    child: None,
                },
            ),
            (
                "remove Leo's peanut allergy",
                Command::RemoveRecord {
                    kind: Some(RecordKind::Allergies),
                    child: leo(),
                    which: "peanut".into(),
                },
            ),
            (
                "cancel Emma's next appointment",
                Command::RemoveRecord {
                    kind: Some(RecordKind::Appointments),
                    child: emma(),
                    which: String::new(),
                },
            ),
            (
                "remove appointment #12",
                Command::RemoveRecord {
                    kind: Some(RecordKind::Appointments),
                    child: None,
                    which: "#12".into(),
                },
            ),
            (
                "delete Dr Patel",
                Command::RemoveRecord {
                    kind: None,
                    child: None,
                    which: "Dr Patel".into(),
                },
            ),
            (
                "add vaccination MMR for Leo",
                Command::StartForm {
                    kind: FormKind::Vaccination,
                    text: "MMR for Leo".into(),
                },
            ),
            (
                "add an appointment for Emma tomorrow at 3pm",
                Command::StartForm {
                    kind: FormKind::Appointment,
                    text: "for Emma tomorrow at 3pm".into(),
                },
            ),
            (
                "add paediatrician Dr Patel",
                Command::StartForm {
                    kind: FormKind::Provider,
                    text: "paediatrician Dr Patel".into(),
                },
            ),
            (
                "add condition for Leo: eczema",
                Command::StartForm {
                    kind: FormKind::Condition,
                    text: "for Leo: eczema".into(),
                },
            ),
            // Not the record: a family member, a bare "cancel", a dose.
            ("cancel", Command::No),
            (
                "remove Maya from the family",
                Command::Revoke {
                    member: "Maya".into(),
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_with_kids(text), expected, "{text}");
        }
        assert!(matches!(
            parse_with_kids("gave Emma 5 ml Tylenol before her appointment"),
            Command::GiveDose { .. }
        ));
    }

    #[test]
    fn table_of_phrasings() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).map(SaidTime::At);
        let ago = |minutes| Some(SaidTime::Ago(chrono::Duration::minutes(minutes)));
        let clock = |h, m| NaiveTime::from_hms_opt(h, m, 0).map(SaidTime::Clock);
        let emma = || Some("Emma".to_string());
        let cases: Vec<(&str, Command)> = vec![
            ("help", Command::Help),
            ("kids", Command::Children),
            ("Who are the children?", Command::Children),
            (
                "gave Emma 5 ml Children's Tylenol",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "Children's Tylenol".into(),
                    at: None,
                },
            ),
            ("yes", Command::Yes),
            ("No", Command::No),
            ("2", Command::Choose(2)),
            (
                "gave Emma 5 ml Tylenol",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "Tylenol".into(),
                    at: None,
                },
            ),
            (
                "give emma 5ml tylenol at 9:30",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "tylenol".into(),
                    at: clock(9, 30),
                },
            ),
            (
                "I gave Emma 5 ml of Tylenol at 9.30pm",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "Tylenol".into(),
                    at: t(21, 30),
                },
            ),
            // A reading with its scale is a temperature, without the word.
            (
                "Emma has 101.3F",
                Command::Temperature {
                    child: emma(),
                    value: "101.3F".into(),
                    at: None,
                },
            ),
            (
                "Leo tiene 38,5 grados",
                Command::Temperature {
                    child: Some("Leo".to_string()),
                    value: "38,5".into(),
                    at: None,
                },
            ),
            // A while ago, in English and Spanish.
            (
                "gave Leo 5 ml amoxicillin an hour ago",
                Command::GiveDose {
                    child: Some("Leo".to_string()),
                    amount: ml(5.0),
                    medication: "amoxicillin".into(),
                    at: ago(60),
                },
            ),
            (
                "gave Emma 5 ml Tylenol 20 minutes ago",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "Tylenol".into(),
                    at: ago(20),
                },
            ),
            (
                "gave Emma 5 ml Tylenol half an hour ago",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "Tylenol".into(),
                    at: ago(30),
                },
            ),
            (
                "Emma had a teaspoon of motrin an hour and a half ago.",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "motrin".into(),
                    at: ago(90),
                },
            ),
            (
                "le di 5 ml de Motrin a Emma hace media hora",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "le di de Motrin".into(),
                    at: ago(30),
                },
            ),
            (
                "le di 5 ml de Motrin a Emma hace 2 horas",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "le di de Motrin".into(),
                    at: ago(120),
                },
            ),
            // Household measures, kept as the record keeps them; hedged times.
            (
                "Maya here, gave Emma a teaspoon of Tylenol around 2",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "Maya Tylenol".into(),
                    at: clock(2, 0),
                },
            ),
            (
                "gave Emma half a teaspoon of motrin about 9:30pm",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(2.5),
                    medication: "motrin".into(),
                    at: t(21, 30),
                },
            ),
            (
                "gave Leo 2 teaspoons amoxicillin",
                Command::GiveDose {
                    child: Some("Leo".to_string()),
                    amount: ml(10.0),
                    medication: "amoxicillin".into(),
                    at: None,
                },
            ),
            (
                "le di una cucharadita de Motrin a Emma a las 3",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "le di de Motrin".into(),
                    at: clock(3, 0),
                },
            ),
            (
                "gave Emma about 5 ml Tylenol",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "Tylenol".into(),
                    at: None,
                },
            ),
            (
                "gave Emma around 5ml Tylenol",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(5.0),
                    medication: "Tylenol".into(),
                    at: None,
                },
            ),
            (
                "gave Leo half a tablet of ibuprofen",
                Command::GiveDose {
                    child: Some("Leo".to_string()),
                    amount: Ok(DoseAmount {
                        value: 0.5,
                        unit: DoseUnit::Tablet,
                    }),
                    medication: "ibuprofen".into(),
                    at: None,
                },
            ),
            (
                "Emma had 2.5 ml motrin",
                Command::GiveDose {
                    child: emma(),
                    amount: ml(2.5),
                    medication: "motrin".into(),
                    at: None,
                },
            ),
            (
                "gave Leo 5 ml of his amoxicillin at 8am",
                Command::GiveDose {
                    child: Some("Leo".into()),
                    amount: ml(5.0),
                    medication: "amoxicillin".into(),
                    at: t(8, 0),
                },
            ),
            (
                "when can Emma have ibuprofen?",
                Command::WhenNext {
                    child: emma(),
                    medication: "ibuprofen".into(),
                },
            ),
            (
                "Can Emma have Tylenol?",
                Command::WhenNext {
                    child: emma(),
                    medication: "Tylenol".into(),
                },
            ),
            (
                "when Emma ibuprofen",
                Command::WhenNext {
                    child: emma(),
                    medication: "ibuprofen".into(),
                },
            ),
            (
                "last doses for Leo",
                Command::LastDoses {
                    child: Some("Leo".into()),
                },
            ),
            ("last", Command::LastDoses { child: None }),
            (
                "Emma temp 38.4",
                Command::Temperature {
                    child: emma(),
                    value: "38.4".into(),
                    at: None,
                },
            ),
            (
                "temp Emma 101.2F",
                Command::Temperature {
                    child: emma(),
                    value: "101.2F".into(),
                    at: None,
                },
            ),
            ("meds Emma", Command::Medications { child: emma() }),
            (
                "what meds does Leo take?",
                Command::Medications {
                    child: Some("Leo".into()),
                },
            ),
            ("allergies", Command::Allergies { child: None }),
            (
                "is Leo allergic to anything?",
                Command::Allergies {
                    child: Some("Leo".into()),
                },
            ),
            (
                "note Emma ate all her lunch",
                Command::Note {
                    child: emma(),
                    text: "ate all her lunch".into(),
                },
            ),
            (
                "notes Leo",
                Command::Notes {
                    child: Some("Leo".into()),
                },
            ),
            ("shift in", Command::ShiftIn),
            (
                "invite nanny",
                Command::Invite {
                    role: Some(Role::Caregiver),
                    to: None,
                },
            ),
            (
                "invite guardian",
                Command::Invite {
                    role: Some(Role::Guardian),
                    to: None,
                },
            ),
            (
                "invite caregiver Maya +1 555 123 4567",
                Command::Invite {
                    role: Some(Role::Caregiver),
                    to: Some(Invitee {
                        name: "Maya".into(),
                        phone: "+1 555 123 4567".into(),
                    }),
                },
            ),
            (
                "invite nanny Maya Lopez (415) 555-0100",
                Command::Invite {
                    role: Some(Role::Caregiver),
                    to: Some(Invitee {
                        name: "Maya Lopez".into(),
                        phone: "(415) 555-0100".into(),
                    }),
                },
            ),
            (
                "invite the cat",
                Command::Invite {
                    role: None,
                    to: None,
                },
            ),
            (
                "link-whatsapp +1 415 555 0100",
                Command::LinkPhone {
                    phone: "+1 415 555 0100".into(),
                },
            ),
            (
                "link WhatsApp +14155550100",
                Command::LinkPhone {
                    phone: "+14155550100".into(),
                },
            ),
            (
                "link-whatsapp",
                Command::LinkPhone {
                    phone: String::new(),
                },
            ),
            (
                "482913",
                Command::LinkCode {
                    code: "482913".into(),
                },
            ),
            ("export", Command::Export),
            (
                "create family Garcia Lopez",
                Command::CreateFamily {
                    name: "Garcia Lopez".into(),
                },
            ),
            (
                "new family",
                Command::CreateFamily {
                    name: String::new(),
                },
            ),
            ("clock out", Command::ShiftOut),
            (
                "join ABCDE-FGHJK",
                Command::Join {
                    code: "ABCDE-FGHJK".into(),
                },
            ),
            ("undo", Command::Undo),
            (
                "approve",
                Command::Decide {
                    approve: true,
                    which: None,
                },
            ),
            (
                "deny #12",
                Command::Decide {
                    approve: false,
                    which: Some("#12".into()),
                },
            ),
            (
                "Approve Leo's Motrin.",
                Command::Decide {
                    approve: true,
                    which: Some("Leo's Motrin".into()),
                },
            ),
            (
                "Emma weighs 17 kg now",
                Command::Growth {
                    child: Some("Emma".into()),
                    kind: GrowthKind::Weight,
                    value: 17.0,
                },
            ),
            (
                "Leo is 80cm tall",
                Command::Growth {
                    child: Some("Leo".into()),
                    kind: GrowthKind::Height,
                    value: 80.0,
                },
            ),
            (
                "emma's weight 16,5 kilos",
                Command::Growth {
                    child: Some("Emma".into()),
                    kind: GrowthKind::Weight,
                    value: 16.5,
                },
            ),
            (
                "my 6 week old has a temp of 38.2",
                Command::Temperature {
                    child: None,
                    value: "38.2".into(),
                    at: None,
                },
            ),
            (
                "Emma is 4 years old, 17 kg, temp 38.9",
                Command::Temperature {
                    child: Some("Emma".into()),
                    value: "38.9".into(),
                    at: None,
                },
            ),
            (
                "Leo 14 months fever 101.2F",
                Command::Temperature {
                    child: Some("Leo".into()),
                    value: "101.2F".into(),
                    at: None,
                },
            ),
            (
                "gave Emma 5 ml Tylenol at 25:99",
                Command::BadTime("25:99".into()),
            ),
            ("what a lovely day", Command::Unknown),
            ("", Command::Empty),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_with_kids(text), expected, "{text:?}");
        }
    }

    #[test]
    fn bad_amounts_reach_the_engine_as_errors() {
        match parse_with_kids("gave Emma 5 spoons Tylenol") {
            Command::GiveDose {
                amount: Err(AmountError::UnknownUnit(unit)),
                ..
            } => assert_eq!(unit, "spoons"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_with_kids("gave Emma -5 ml Tylenol"),
            Command::GiveDose { amount: Err(_), .. }
        ));
        assert!(matches!(
            parse_with_kids("gave Emma 10 litres Tylenol"),
            Command::GiveDose {
                amount: Err(AmountError::Implausible { .. }),
                ..
            }
        ));
        assert!(matches!(
            parse_with_kids("gave Emma Tylenol"),
            Command::GiveDose {
                amount: Err(AmountError::Missing),
                ..
            }
        ));
    }

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("9:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_time("12am"), NaiveTime::from_hms_opt(0, 0, 0));
        assert_eq!(parse_time("12:15pm"), NaiveTime::from_hms_opt(12, 15, 0));
        assert_eq!(parse_time("noon"), NaiveTime::from_hms_opt(12, 0, 0));
        assert_eq!(parse_time("13pm"), None);
        assert_eq!(parse_time("24:00"), None);
    }
}
