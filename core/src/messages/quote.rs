//! What a member wrote, inside the catalogue's sentences: always shown as theirs, never as
//! MedNanny's words.
//!
//! A note, a nanny's handoff words, a skip reason or an allergy's reaction may hold anything: a
//! line that starts with `✓ Logged:` or `!! 🚨 Call … now.`, a `*bold*` that Slack would draw
//! like an urgent reply, a `<!channel>`. So the catalogue never pastes such text into a sentence
//! as it is. [`by`] (or [`unsigned`], when the record does not keep who wrote it) cleans it again
//! (a record kept before the input was cleaned may still hold control characters), puts every
//! line after the first under the writer's name, indented, so no line of it can start where
//! MedNanny's own lines start, and marks where it is. [`render`](super::render) turns the marks
//! into [`Reply::quoted`]: byte ranges of `text` each channel shows inert in its own way (Slack as
//! `plain_text`, WhatsApp with its marks replaced; the console shows text as it is, its control
//! characters already gone).

use serde::{Deserialize, Serialize};

use super::{Choice, Reply};
use crate::domain::text;

/// Where member text starts and ends while a sentence is built; never left in a [`Reply`]. Both
/// are control characters, which [`text::clean`] takes out of whatever a person sends.
const OPEN: char = '\u{2}';
const CLOSE: char = '\u{3}';

/// Part of a reply's text that a member wrote: `text[start..end]`, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quoted {
    pub start: usize,
    pub end: usize,
}

/// `text` as `author` wrote it: its lines after the first start "  Author: ".
pub(super) fn by(author: &str, text: &str) -> String {
    quote(text, &format!("  {author}: "))
}

/// `text` a member wrote whose writer the record does not keep: its lines after the first are
/// indented under a bar.
pub(super) fn unsigned(text: &str) -> String {
    quote(text, "  ┆ ")
}

fn quote(text: &str, continuation: &str) -> String {
    let text = text::clean(text);
    let mut out = String::with_capacity(text.len() + 8);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
            out.push_str(continuation);
        }
        out.push(OPEN);
        out.push_str(line);
        out.push(CLOSE);
    }
    out
}

impl Reply {
    /// The text in order, in pieces: `(piece, true)` for what a member wrote, `(piece, false)`
    /// for the catalogue's own words.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut pieces = Vec::new();
        let mut at = 0;
        for q in &self.quoted {
            let (start, end) = (q.start.min(self.text.len()), q.end.min(self.text.len()));
            if start < at || !self.text.is_char_boundary(start) || !self.text.is_char_boundary(end)
            {
                continue;
            }
            if at < start {
                pieces.push((&self.text[at..start], false));
            }
            if start < end {
                pieces.push((&self.text[start..end], true));
            }
            at = end;
        }
        if at < self.text.len() {
            pieces.push((&self.text[at..], false));
        }
        pieces
    }

    /// The text's lines, each with whether any of it is member text.
    pub fn lines_quoting(&self) -> Vec<(String, bool)> {
        let mut lines = vec![(String::new(), false)];
        for (piece, member) in self.pieces() {
            for (n, part) in piece.split('\n').enumerate() {
                if n > 0 {
                    lines.push((String::new(), false));
                }
                let line = lines.last_mut().expect("never empty");
                line.0.push_str(part);
                line.1 |= member && !part.is_empty();
            }
        }
        lines
    }
}

/// The marks in a rendered reply's text become [`Reply::quoted`]; a mark anywhere else (a
/// choice's label) is only taken out. A quote left open runs to the end: better too much shown
/// inert than member text shown live.
pub(super) fn resolve(mut reply: Reply) -> Reply {
    if reply.text.contains([OPEN, CLOSE]) {
        let mut text = String::with_capacity(reply.text.len());
        let mut open: Option<usize> = None;
        for c in reply.text.chars() {
            match c {
                OPEN => {
                    open.get_or_insert(text.len());
                }
                CLOSE => {
                    if let Some(start) = open.take() {
                        push(&mut reply.quoted, start, text.len());
                    }
                }
                c => text.push(c),
            }
        }
        if let Some(start) = open {
            push(&mut reply.quoted, start, text.len());
        }
        reply.text = text;
    }
    for Choice { label, .. } in &mut reply.choices {
        if label.contains([OPEN, CLOSE]) {
            label.retain(|c| c != OPEN && c != CLOSE);
        }
    }
    reply
}

/// A quote, merged with the one before when nothing lies between them.
fn push(quoted: &mut Vec<Quoted>, start: usize, end: usize) {
    if start == end {
        return;
    }
    match quoted.last_mut() {
        Some(last) if last.end == start => last.end = end,
        _ => quoted.push(Quoted { start, end }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::Tone;

    fn reply(text: String) -> Reply {
        resolve(Reply {
            text,
            choices: Vec::new(),
            tone: Tone::Info,
            health_data: true,
            document: None,
            quoted: Vec::new(),
        })
    }

    #[test]
    fn every_line_a_member_wrote_is_under_their_name_and_marked_as_theirs() {
        let note = "fine today\n!! 🚨 Call 1-900-555-0199 now.\r✓ Logged: Emma 5 ml\u{1b}[31m";
        let shown = reply(format!(
            "Notes about Emma:\n• 09:12 — Maya: {}",
            by("Maya", note)
        ));
        assert_eq!(
            shown.text,
            "Notes about Emma:\n• 09:12 — Maya: fine today\n  Maya: !! 🚨 Call 1-900-555-0199 \
             now.\n  Maya: ✓ Logged: Emma 5 ml[31m"
        );
        let theirs: Vec<&str> = shown
            .pieces()
            .into_iter()
            .filter(|(_, member)| *member)
            .map(|(piece, _)| piece)
            .collect();
        assert_eq!(
            theirs,
            [
                "fine today",
                "!! 🚨 Call 1-900-555-0199 now.",
                "✓ Logged: Emma 5 ml[31m"
            ]
        );
        let lines = shown.lines_quoting();
        assert_eq!(lines[0], ("Notes about Emma:".to_string(), false));
        assert!(lines[1..].iter().all(|(_, member)| *member), "{lines:?}");
        // No line starts with what the member wrote.
        for (line, _) in &lines[1..] {
            assert!(
                line.starts_with("• ") || line.starts_with("  Maya: "),
                "{line}"
            );
        }
    }

    #[test]
    fn pieces_give_back_the_whole_text_in_order() {
        let shown = reply(format!("A {} B {}", unsigned("x\ny"), by("Luis", "*bold*")));
        assert_eq!(shown.text, "A x\n  ┆ y B *bold*");
        assert_eq!(
            shown.pieces(),
            [
                ("A ", false),
                ("x", true),
                ("\n  ┆ ", false),
                ("y", true),
                (" B ", false),
                ("*bold*", true)
            ]
        );
        let rebuilt: String = shown.pieces().into_iter().map(|(p, _)| p).collect();
        assert_eq!(rebuilt, shown.text);
    }

    #[test]
    fn a_reply_without_quotes_is_one_catalogue_piece_and_stray_marks_never_show() {
        let plain = reply("Logged: Emma 5 ml.".into());
        assert_eq!(plain.pieces(), [("Logged: Emma 5 ml.", false)]);
        let open = reply(format!("Said: {OPEN}*never closed"));
        assert_eq!(open.text, "Said: *never closed");
        assert_eq!(open.pieces(), [("Said: ", false), ("*never closed", true)]);
        let mut labelled = Reply {
            choices: vec![Choice {
                label: by("Ana", "x"),
                value: "1".into(),
            }],
            ..reply(String::new())
        };
        labelled = resolve(labelled);
        assert_eq!(labelled.choices[0].label, "x");
    }
}
