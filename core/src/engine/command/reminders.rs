//! Reminder commands: answering one (`reminder 12 given` from a button, GIVEN / SKIP <reason> on
//! WhatsApp, DADO / OMITIR <motivo>), pausing a child's reminders, the daily summary's time and
//! one's quiet hours. English and Spanish.

use super::times::parse_time;
use super::{strip_punctuation, Command, Vocabulary};

pub(super) fn parse(text: &str, vocabulary: &Vocabulary<'_>) -> Option<Command> {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let bare: Vec<&str> = words.iter().map(|w| strip_punctuation(w)).collect();
    // A button's value: "reminder 12 given", "reminder 12 skip".
    if let ["reminder", id, answer, ..] = bare.as_slice() {
        let id = id.trim_start_matches('#').parse().ok()?;
        return match *answer {
            "given" => Some(Command::ReminderGiven { id: Some(id) }),
            "skip" => Some(Command::ReminderSkip {
                id: Some(id),
                reason: after_words(text, 3),
            }),
            _ => None,
        };
    }
    match bare.as_slice() {
        ["given" | "dado" | "dada"] => return Some(Command::ReminderGiven { id: None }),
        ["skip" | "skipped" | "omitir" | "omitida" | "omitido" | "saltar", ..] => {
            return Some(Command::ReminderSkip {
                id: None,
                reason: after_words(text, 1),
            })
        }
        _ => {}
    }
    // "pause reminders for Leo", "resume reminders for Leo", "pausar recordatorios de Leo",
    // "reanudar los recordatorios de Leo".
    let reminders_word = bare.iter().any(|w| {
        matches!(
            *w,
            "reminders" | "reminder" | "recordatorios" | "recordatorio"
        )
    });
    if reminders_word {
        let pause = match bare.first().copied() {
            Some("pause" | "stop" | "pausar" | "pausa" | "detener" | "parar") => Some(true),
            Some(
                "resume" | "restart" | "unpause" | "reanudar" | "reanuda" | "reactivar" | "activar",
            ) => Some(false),
            _ => None,
        };
        if let Some(pause) = pause {
            let child = words
                .iter()
                .find_map(|w| vocabulary.child_in(strip_punctuation(w)));
            return Some(Command::PauseReminders { child, pause });
        }
    }
    // "daily summary at 19:30", "summary at 8pm", "resumen diario a las 19:30".
    if matches!(bare.first().copied(), Some("summary" | "daily" | "resumen"))
        && bare.iter().any(|w| matches!(*w, "summary" | "resumen"))
    {
        let time_text = time_part(&lower, &["at", "a las", "a la", "las"]);
        return Some(Command::SummaryAt {
            at: time_text.as_deref().and_then(parse_time),
        });
    }
    // "quiet hours 22:00-07:00", "horas de silencio 22:00-07:00".
    if lower.starts_with("quiet hours") || lower.starts_with("horas de silencio") {
        let span = lower
            .split_once(|c: char| c.is_ascii_digit())
            .map(|(head, _)| &lower[head.len()..])
            .and_then(|times| {
                let (a, b) = times
                    .split_once(['-', '–'])
                    .or_else(|| times.split_once(" to "))?;
                Some((parse_time(a.trim())?, parse_time(b.trim())?))
            });
        return Some(Command::QuietHours { span });
    }
    None
}

/// The original text after the first `n` words (a reason keeps its case).
fn after_words(text: &str, n: usize) -> String {
    let mut rest = text.trim();
    for _ in 0..n {
        rest = rest
            .split_once(char::is_whitespace)
            .map(|(_, r)| r.trim_start())
            .unwrap_or("");
    }
    rest.trim().to_string()
}

/// What follows the last of `markers` (or the first digit) in `lower`.
fn time_part(lower: &str, markers: &[&str]) -> Option<String> {
    for marker in markers {
        let needle = format!(" {marker} ");
        if let Some(at) = lower.rfind(&needle) {
            return Some(lower[at + needle.len()..].trim().to_string());
        }
    }
    lower
        .find(|c: char| c.is_ascii_digit())
        .map(|at| lower[at..].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("a time")
    }

    #[test]
    fn reminder_commands_in_english_and_spanish() {
        let children = vec!["Leo".to_string()];
        let vocabulary = Vocabulary {
            children: &children,
        };
        let table: Vec<(&str, Option<Command>)> = vec![
            (
                "reminder 12 given",
                Some(Command::ReminderGiven { id: Some(12) }),
            ),
            (
                "reminder 12 skip",
                Some(Command::ReminderSkip {
                    id: Some(12),
                    reason: String::new(),
                }),
            ),
            ("GIVEN", Some(Command::ReminderGiven { id: None })),
            ("Dado.", Some(Command::ReminderGiven { id: None })),
            (
                "SKIP He was Asleep",
                Some(Command::ReminderSkip {
                    id: None,
                    reason: "He was Asleep".into(),
                }),
            ),
            (
                "omitir vomitó",
                Some(Command::ReminderSkip {
                    id: None,
                    reason: "vomitó".into(),
                }),
            ),
            (
                "pause reminders for Leo",
                Some(Command::PauseReminders {
                    child: Some("Leo".into()),
                    pause: true,
                }),
            ),
            (
                "resume reminders for leo",
                Some(Command::PauseReminders {
                    child: Some("Leo".into()),
                    pause: false,
                }),
            ),
            (
                "pausar los recordatorios de Leo",
                Some(Command::PauseReminders {
                    child: Some("Leo".into()),
                    pause: true,
                }),
            ),
            (
                "reanudar recordatorios de Leo",
                Some(Command::PauseReminders {
                    child: Some("Leo".into()),
                    pause: false,
                }),
            ),
            (
                "daily summary at 19:30",
                Some(Command::SummaryAt {
                    at: Some(t(19, 30)),
                }),
            ),
            (
                "resumen diario a las 21:00",
                Some(Command::SummaryAt { at: Some(t(21, 0)) }),
            ),
            ("summary at never", Some(Command::SummaryAt { at: None })),
            (
                "quiet hours 22:00-07:00",
                Some(Command::QuietHours {
                    span: Some((t(22, 0), t(7, 0))),
                }),
            ),
            (
                "horas de silencio 23:00-06:30",
                Some(Command::QuietHours {
                    span: Some((t(23, 0), t(6, 30))),
                }),
            ),
            ("pause Leo's Tylenol", None),
            ("gave Leo 5 ml Tylenol", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse(text, &vocabulary), expected, "{text}");
        }
    }
}
