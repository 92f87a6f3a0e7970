//! Phrasings for the record's lists: "vaccinations", "Emma's appointments", "who is our doctor?",
//! and removing an entry ("remove Leo's peanut allergy", "cancel appointment #12"). Pure; the
//! runner finds the entry.

use super::{strip_punctuation, Command, Vocabulary};

/// The lists of the record a guardian keeps from chat (beside medications and doses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Allergies,
    Conditions,
    Vaccinations,
    Appointments,
    Providers,
}

impl RecordKind {
    pub const ALL: [RecordKind; 5] = [
        RecordKind::Allergies,
        RecordKind::Conditions,
        RecordKind::Vaccinations,
        RecordKind::Appointments,
        RecordKind::Providers,
    ];

    /// The list a word names ("vaccines", "shots", "doctors", "appointment").
    pub fn named(word: &str) -> Option<RecordKind> {
        Some(match word {
            "allergy" | "allergies" | "alergia" | "alergias" => RecordKind::Allergies,
            "condition" | "conditions" | "diagnosis" | "diagnoses" | "condiciones" => {
                RecordKind::Conditions
            }
            "vaccination" | "vaccinations" | "vaccine" | "vaccines" | "shots" | "immunizations"
            | "immunisations" | "vacunas" | "vacuna" => RecordKind::Vaccinations,
            "appointment" | "appointments" | "appt" | "appts" | "visits" | "cita" | "citas" => {
                RecordKind::Appointments
            }
            "doctors" | "doctor" | "providers" | "provider" | "médicos" | "medicos" => {
                RecordKind::Providers
            }
            _ => return None,
        })
    }
}

/// "vaccinations", "show Emma's appointments", "who is our doctor?", "remove Leo's peanut
/// allergy", "cancel appointment #12".
pub(super) fn parse(words: &[&str], vocabulary: &Vocabulary<'_>) -> Option<Command> {
    let lower: Vec<String> = words
        .iter()
        .map(|w| strip_punctuation(w).to_lowercase())
        .collect();
    let first = lower.first()?.as_str();
    let child = words
        .iter()
        .find_map(|w| vocabulary.child_in(strip_punctuation(w)));
    let removing = matches!(
        first,
        "remove" | "delete" | "cancel" | "borrar" | "eliminar" | "quitar" | "cancelar"
    );
    if removing {
        if words.len() < 2 {
            return None;
        }
        let kind = lower[1..].iter().find_map(|w| RecordKind::named(w));
        let which: Vec<&str> = words[1..]
            .iter()
            .zip(&lower[1..])
            .filter(|(_, l)| {
                RecordKind::named(l).is_none()
                    && vocabulary.child_in(l).is_none()
                    && !matches!(
                        l.as_str(),
                        "the"
                            | "a"
                            | "an"
                            | "her"
                            | "his"
                            | "their"
                            | "our"
                            | "from"
                            | "record"
                            | "list"
                            | "next"
                            | "la"
                            | "el"
                            | "de"
                    )
            })
            .map(|(w, _)| strip_punctuation(w))
            .collect();
        return Some(Command::RemoveRecord {
            kind,
            child,
            which: which.join(" "),
        });
    }
    // A list: the message is about one of them and asks nothing else ("Emma's vaccines",
    // "show appointments", "when is Leo's next appointment?").
    // Allergies have their own phrasings ("is Emma allergic to anything?"), read further on.
    let kind = lower
        .iter()
        .find_map(|w| RecordKind::named(w))
        .filter(|k| *k != RecordKind::Allergies)?;
    let listing = lower.len() <= 6
        && lower.iter().all(|w| {
            RecordKind::named(w).is_some()
                || vocabulary.child_in(w).is_some()
                || matches!(
                    w.as_str(),
                    "show"
                        | "list"
                        | "my"
                        | "our"
                        | "the"
                        | "all"
                        | "what"
                        | "are"
                        | "is"
                        | "when"
                        | "who"
                        | "next"
                        | "upcoming"
                        | "'s"
                        | "any"
                        | "has"
                        | "had"
                        | "family"
                        | "mis"
                        | "las"
                        | "los"
                        | "de"
                        | "ver"
                )
        });
    listing.then_some(Command::Records { kind, child })
}
