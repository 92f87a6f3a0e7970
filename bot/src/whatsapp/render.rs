//! Replies as WhatsApp text (pure): short lines, `*bold*` only where MedNanny puts it, numbered
//! choices ("reply 1, 2 or 3") and YES/NO for confirmations, split at WhatsApp's length limit on
//! line boundaries. What members wrote (a reply's [`Reply::quoted`] parts: notes, handoff words)
//! and the choices' labels are never turned into formatting: WhatsApp has no escape character, so
//! their marks become look-alikes (`crate::markup`). Every line of member text already sits under
//! its writer's name (the catalogue puts it there), so none can start like MedNanny's own lines
//! (or a WhatsApp quote or list); a line too long for one message goes on in the next after "… ".

use mednanny_core::messages::{Choice, Locale, Reply, Tone};

use crate::markup::inert;

/// Twilio refuses a WhatsApp body longer than this many characters.
pub const LIMIT: usize = 1600;

/// The messages one reply becomes, in order, and the choices a numbered answer picks from. The
/// words WhatsApp adds (how to answer, where a file is) are in the reader's language, as the
/// reply is.
pub fn reply_texts(reply: &Reply, locale: Locale) -> (Vec<String>, Vec<Choice>) {
    let es = locale == Locale::Es;
    let mut text: String = reply
        .pieces()
        .into_iter()
        .map(|(piece, member)| match member {
            true => inert(piece),
            false => piece.to_string(),
        })
        .collect();
    if reply.tone == Tone::Urgent {
        // The first line (who to call) in bold.
        let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
        text = if rest.is_empty() {
            format!("*{first}*")
        } else {
            format!("*{first}*\n{rest}")
        };
    }
    let choices = reply.choices.clone();
    if is_yes_no(&choices) {
        text.push_str(if es {
            "\n\nResponde *SÍ* o *NO*."
        } else {
            "\n\nReply *YES* or *NO*."
        });
    } else if !choices.is_empty() {
        text.push('\n');
        for (n, choice) in choices.iter().enumerate() {
            text.push_str(&format!("\n*{}.* {}", n + 1, inert(&choice.label)));
        }
        let numbers = numbers(choices.len(), if es { "o" } else { "or" });
        text.push_str(&if es {
            format!("\n\nResponde {numbers}.")
        } else {
            format!("\n\nReply {numbers}.")
        });
    }
    if let Some(document) = &reply.document {
        // Where the same file can be had: the payroll CSV from the hours command, the rest from
        // the export.
        let hours = document.filename.starts_with("hours-");
        text.push_str(match (es, hours) {
            (false, true) => {
                "\n\n(WhatsApp cannot carry the file: /mednanny hours in Slack shares it, or \
                 run mednanny hours --csv.)"
            }
            (false, false) => {
                "\n\n(WhatsApp cannot carry the file: ask for it in Slack, or run mednanny \
                 export.)"
            }
            (true, true) => {
                "\n\n(WhatsApp no puede llevar el archivo: /mednanny hours en Slack lo \
                 comparte, o ejecuta mednanny hours --csv.)"
            }
            (true, false) => {
                "\n\n(WhatsApp no puede llevar el archivo: pídelo en Slack, o ejecuta \
                 mednanny export.)"
            }
        });
    }
    (split(&text, LIMIT), choices)
}

/// The text a numbered answer stands for: "2" after three choices is the second one's value.
/// Anything else is the text itself.
pub fn resolve_choice(text: &str, choices: &[Choice]) -> Option<String> {
    let n: usize = text.trim().trim_end_matches('.').parse().ok()?;
    choices
        .get(n.checked_sub(1)?)
        .map(|choice| choice.value.clone())
}

fn is_yes_no(choices: &[Choice]) -> bool {
    choices.len() == 2
        && choices[0].value.eq_ignore_ascii_case("yes")
        && choices[1].value.eq_ignore_ascii_case("no")
}

/// "1 or 2", "1, 2 or 3" (`or` in the reader's language).
fn numbers(count: usize, or: &str) -> String {
    let all: Vec<String> = (1..=count).map(|n| n.to_string()).collect();
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {or} {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// Splits at line boundaries into parts of at most `limit` characters; a single longer line is
/// cut at a space (or anywhere, if it has none), and goes on after "… ", so a message never
/// starts with the middle of someone's line as if it were a line of its own.
fn split(text: &str, limit: usize) -> Vec<String> {
    const GOES_ON: &str = "… ";
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in text.split('\n') {
        let mut line = line.to_string();
        while line.chars().count() > limit {
            let cut: String = line.chars().take(limit).collect();
            let at = cut.rfind(' ').filter(|&i| i > 0).unwrap_or(cut.len());
            let (head, tail) = line.split_at(at);
            push_line(&mut parts, &mut current, head.trim_end(), limit);
            line = format!("{GOES_ON}{}", tail.trim_start());
        }
        push_line(&mut parts, &mut current, &line, limit);
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts
}

fn push_line(parts: &mut Vec<String>, current: &mut String, line: &str, limit: usize) {
    let needed = current.chars().count() + line.chars().count() + usize::from(!current.is_empty());
    if needed > limit && !current.is_empty() {
        parts.push(std::mem::take(current).trim_end().to_string());
    }
    if !current.is_empty() {
        current.push('\n');
    }
    current.push_str(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str, tone: Tone, choices: &[(&str, &str)]) -> Reply {
        Reply {
            text: text.into(),
            choices: choices
                .iter()
                .map(|(label, value)| Choice {
                    label: (*label).into(),
                    value: (*value).into(),
                })
                .collect(),
            tone,
            health_data: true,
            document: None,
            quoted: Vec::new(),
        }
    }

    #[test]
    fn replies_read_as_whatsapp_text() {
        let cases: Vec<(Reply, &str)> = vec![
            (
                reply("Logged: Emma 5 ml Tylenol.", Tone::Success, &[]),
                "Logged: Emma 5 ml Tylenol.",
            ),
            (
                reply(
                    "Wait — Ana gave Emma Tylenol at 14:00. Give it anyway?",
                    Tone::Warning,
                    &[("Yes, it was given", "yes"), ("No", "no")],
                ),
                "Wait — Ana gave Emma Tylenol at 14:00. Give it anyway?\n\nReply *YES* or *NO*.",
            ),
            (
                reply(
                    "Which family?",
                    Tone::Info,
                    &[("Garcia", "1"), ("Lopez", "2"), ("Smith", "3")],
                ),
                "Which family?\n\n*1.* Garcia\n*2.* Lopez\n*3.* Smith\n\nReply 1, 2 or 3.",
            ),
            (
                reply("🚨 Call 911 now.\nStay with the child.", Tone::Urgent, &[]),
                "*🚨 Call 911 now.*\nStay with the child.",
            ),
        ];
        for (reply, expected) in cases {
            let (texts, _) = reply_texts(&reply, Locale::En);
            assert_eq!(texts, vec![expected.to_string()], "{:?}", reply.text);
        }
    }

    #[test]
    fn a_file_reply_says_where_the_file_can_be_had() {
        for (filename, hint) in [
            ("hours-2026-11.csv", "/mednanny hours in Slack shares it"),
            ("mednanny-garcia.json", "run mednanny export"),
        ] {
            let mut with_file = reply("Hours for November.", Tone::Info, &[]);
            with_file.document = Some(mednanny_core::messages::Document {
                filename: filename.into(),
                content: "a,b\n".into(),
            });
            let (texts, _) = reply_texts(&with_file, Locale::En);
            assert!(texts[0].starts_with("Hours for November."), "{texts:?}");
            assert!(texts[0].contains(hint), "{filename}: {texts:?}");
        }
    }

    #[test]
    fn a_spanish_reader_is_told_how_to_answer_in_spanish() {
        let cases: Vec<(Reply, &str)> = vec![
            (
                reply(
                    "Espera — Ana le dio Tylenol a Emma a las 14:00. ¿Darlo igualmente?",
                    Tone::Warning,
                    &[("Sí, se dio", "yes"), ("No", "no")],
                ),
                "Espera — Ana le dio Tylenol a Emma a las 14:00. ¿Darlo igualmente?\n\n\
                 Responde *SÍ* o *NO*.",
            ),
            (
                reply(
                    "¿Qué familia?",
                    Tone::Info,
                    &[("Garcia", "1"), ("Lopez", "2"), ("Smith", "3")],
                ),
                "¿Qué familia?\n\n*1.* Garcia\n*2.* Lopez\n*3.* Smith\n\nResponde 1, 2 o 3.",
            ),
        ];
        for (reply, expected) in cases {
            let (texts, _) = reply_texts(&reply, Locale::Es);
            assert_eq!(texts, vec![expected.to_string()], "{:?}", reply.text);
        }
        let mut with_file = reply("Horas de noviembre.", Tone::Info, &[]);
        with_file.document = Some(mednanny_core::messages::Document {
            filename: "hours-2026-11.csv".into(),
            content: "a,b\n".into(),
        });
        let (texts, _) = reply_texts(&with_file, Locale::Es);
        assert!(
            texts[0].contains("WhatsApp no puede llevar el archivo: /mednanny hours en Slack"),
            "{texts:?}"
        );
    }

    #[test]
    fn what_members_wrote_never_becomes_formatting_and_the_catalogues_bold_stays() {
        let text = "*Emma*\n• note by Maya (09:12): *very* sleepy_today ~ok~ `x` ```y```";
        let start = text.find("*very*").expect("in the text");
        let quoted = Reply {
            quoted: vec![mednanny_core::messages::Quoted {
                start,
                end: text.len(),
            }],
            ..reply(text, Tone::Info, &[("Maya's *list*", "1"), ("No", "2")])
        };
        let (texts, _) = reply_texts(&quoted, Locale::En);
        assert_eq!(
            texts[0],
            "*Emma*\n• note by Maya (09:12): ∗very∗ sleepyˍtoday ∼ok∼ ˋxˋ ˋˋˋyˋˋˋ\n\n\
             *1.* Maya's ∗list∗\n*2.* No\n\nReply 1 or 2."
        );
        let after_the_name = &texts[0]["*Emma*".len()..];
        for mark in ["*very*", "_today", "~ok~", "`x`", "```"] {
            assert!(!after_the_name.contains(mark), "{mark} left as formatting");
        }
    }

    #[test]
    fn a_numbered_answer_picks_the_choice() {
        let choices = reply(
            "?",
            Tone::Info,
            &[
                ("Emma's Tylenol", "change #12"),
                ("Leo's Motrin", "change #14"),
            ],
        )
        .choices;
        assert_eq!(resolve_choice("2", &choices).as_deref(), Some("change #14"));
        assert_eq!(
            resolve_choice(" 1. ", &choices).as_deref(),
            Some("change #12")
        );
        assert_eq!(resolve_choice("3", &choices), None);
        assert_eq!(resolve_choice("0", &choices), None);
        assert_eq!(resolve_choice("gave 2 ml", &choices), None);
    }

    #[test]
    fn long_replies_are_split_on_line_boundaries_under_the_limit() {
        let lines: Vec<String> = (0..300)
            .map(|n| format!("line {n:03} of the record"))
            .collect();
        let text = lines.join("\n");
        let (parts, _) = reply_texts(&reply(&text, Tone::Info, &[]), Locale::En);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(
                part.chars().count() <= LIMIT,
                "{} chars",
                part.chars().count()
            );
            assert!(
                part.starts_with("line "),
                "a part starts at a line: {:?}",
                &part[..20]
            );
        }
        assert_eq!(parts.join("\n"), text, "nothing lost or reordered");
        // One line longer than the limit is cut at spaces, and goes on after "… ".
        let long = "word ".repeat(700);
        let (parts, _) = reply_texts(&reply(long.trim(), Tone::Info, &[]), Locale::En);
        assert!(parts.iter().all(|p| p.chars().count() <= LIMIT));
        assert!(
            parts[1..].iter().all(|p| p.starts_with("… word")),
            "{parts:?}"
        );
        assert_eq!(parts.join(" ").replace("… ", ""), long.trim());
    }
}
