//! What a person sends, made safe to keep and to show: one pure function, [`clean`], applied at
//! the edge to every text that comes in (`Engine::handle` for every channel's message, `forms::
//! submit` for a modal's fields, the services for an operator's command line) and again where the
//! catalogue quotes a record kept before it existed.
//!
//! What goes and why:
//! - **Control characters** (Unicode `Cc`: NUL, ESC and the ANSI sequences it starts, DEL, C1),
//!   except tab and newline. They are never words, and a terminal obeys them (`ESC[31m` turned a
//!   guardian's console red).
//! - **Line breaks of every kind become `\n`**: CRLF, a bare CR, NEL, vertical tab, form feed, and
//!   the line and paragraph separators. A bare CR returns a terminal's cursor to the start of the
//!   line, so `fine\r✓ Logged …` shows a line that starts like a MedNanny reply; kept as a newline,
//!   the writer's line break stays and the catalogue sees the line, and puts the writer's name in
//!   front of it. Dropping it instead would glue two words together.
//! - **Invisible format characters** (Unicode `Cf`): the bidi embeddings, overrides and isolates
//!   (U+202A–202E, U+2066–2069: "Sleepy", U+202E, "Syrup" shows as "SleepypuryS"), the bidi
//!   marks, zero-width spaces and joiners, the word joiner, soft hyphens, the byte-order mark, the
//!   tag characters (invisible ASCII some use to smuggle instructions into text a model reads).
//!   The cost: an England, Scotland or Wales flag, which is spelled with tags, shows as a plain 🏴.
//! - **Except a zero-width joiner between two emoji** (👩‍⚕️, 👨‍👩‍👧): there it only asks for one
//!   glyph instead of several, cannot hide or reorder a word, and cannot break up a formatting
//!   mark (ASCII `*`, `#` and digits, which are emoji too for keycaps, never count as one). Without
//!   it a family emoji would arrive as three people.
//!
//! Then the text is normalised to NFC, so the same word typed on two keyboards ("é" as one
//! character or as e + accent) is stored, compared and shown as one.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_properties::{GeneralCategory, UnicodeEmoji, UnicodeGeneralCategory};

const ZWJ: char = '\u{200D}';

/// `text` without control and invisible format characters, line breaks as `\n`, in NFC. Borrowed
/// when there was nothing to change (most messages).
pub fn clean(text: &str) -> Cow<'_, str> {
    if is_clean(text) {
        return Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                // CRLF is one break; a bare CR is one too.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                kept.push('\n');
            }
            '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => kept.push('\n'),
            '\t' => kept.push('\t'),
            ZWJ => {
                let joins_emoji = kept.chars().next_back().is_some_and(ends_emoji)
                    && chars.peek().copied().is_some_and(is_emoji);
                if joins_emoji {
                    kept.push(ZWJ);
                }
            }
            c if dropped(c) => {}
            c => kept.push(c),
        }
    }
    match is_nfc_quick(kept.chars()) {
        IsNormalized::Yes => Cow::Owned(kept),
        _ => Cow::Owned(kept.nfc().collect()),
    }
}

/// A name or a short label: [`clean`], on one line (every run of white space, line breaks
/// included, is one space), trimmed. A name is never more than a line, so it can never start one.
pub fn one_line(text: &str) -> String {
    clean(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Nothing to drop, no line break to rewrite, already NFC: the common case, checked without
/// allocating.
fn is_clean(text: &str) -> bool {
    let plain = text
        .chars()
        .all(|c| c == '\n' || c == '\t' || !(dropped(c) || is_break(c) || c == ZWJ));
    plain && matches!(is_nfc_quick(text.chars()), IsNormalized::Yes)
}

fn is_break(c: char) -> bool {
    matches!(
        c,
        '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Control characters and invisible format characters (tab and newline are handled before).
fn dropped(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control | GeneralCategory::Format
    )
}

/// An emoji a joiner may follow: the emoji itself, or what finishes it (the emoji presentation
/// selector, a skin tone).
fn ends_emoji(c: char) -> bool {
    is_emoji(c) || c == '\u{FE0F}' || ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

/// An emoji character that is not ASCII (`*`, `#` and digits are emoji for keycaps).
fn is_emoji(c: char) -> bool {
    !c.is_ascii() && c.is_emoji_char()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_comes_in_is_kept_without_control_or_invisible_characters() {
        let cases: &[(&str, &str, &str)] = &[
            ("plain words", "fine today", "fine today"),
            ("tab and newline stay", "a\tb\nc", "a\tb\nc"),
            ("NUL", "fine\0today", "finetoday"),
            ("ANSI colour", "\u{1b}[31mred\u{1b}[0m", "[31mred[0m"),
            ("DEL and a C1 control", "a\u{7f}b\u{9b}c", "abc"),
            ("CRLF is one line break", "one\r\ntwo", "one\ntwo"),
            (
                "a bare CR is a line break",
                "fine\r✓ Logged",
                "fine\n✓ Logged",
            ),
            ("CR at the end", "fine\r", "fine\n"),
            (
                "other line breaks",
                "a\u{85}b\u{2028}c\u{2029}d\u{0B}e\u{0C}f",
                "a\nb\nc\nd\ne\nf",
            ),
            (
                "right-to-left override",
                "Sleepy\u{202E}Syrup",
                "SleepySyrup",
            ),
            (
                "every bidi embedding, override and isolate",
                "a\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}\u{2066}\u{2067}\u{2068}\u{2069}b",
                "ab",
            ),
            ("bidi marks", "a\u{200E}b\u{200F}c\u{061C}d", "abcd"),
            (
                "zero-width space, non-joiner, word joiner",
                "*\u{200B}bold\u{200C}*\u{2060}",
                "*bold*",
            ),
            (
                "byte-order mark and soft hyphen",
                "\u{FEFF}me\u{AD}di",
                "medi",
            ),
            (
                "tag characters (invisible ASCII)",
                "ok\u{E0069}\u{E0067}\u{E006E}",
                "ok",
            ),
            ("a joiner between letters", "a\u{200D}b", "ab"),
            ("a joiner between ASCII emoji-ish marks", "*\u{200D}*", "**"),
            ("a joiner at the start", "\u{200D}👍", "👍"),
            (
                "a joiner inside a family emoji stays",
                "👨\u{200D}👩\u{200D}👧",
                "👨\u{200D}👩\u{200D}👧",
            ),
            (
                "after a selector or a skin tone too",
                "❤\u{FE0F}\u{200D}🔥 👩🏽\u{200D}⚕\u{FE0F}",
                "❤\u{FE0F}\u{200D}🔥 👩🏽\u{200D}⚕\u{FE0F}",
            ),
            ("NFC: e + combining acute is é", "Rene\u{301}e", "Renée"),
            ("NFC with a dropped control", "e\0\u{301}", "é"),
            ("emoji and accents untouched", "Bogotá 🚨 ✓", "Bogotá 🚨 ✓"),
        ];
        for (what, given, expected) in cases {
            assert_eq!(clean(given), *expected, "{what}");
        }
    }

    #[test]
    fn a_name_is_one_clean_line() {
        let cases: &[(&str, &str)] = &[
            ("Children's Tylenol", "Children's Tylenol"),
            ("  Sleepy\u{202E}Syrup \n", "SleepySyrup"),
            (
                "Children's\nTylenol\r\n✓ Logged",
                "Children's Tylenol ✓ Logged",
            ),
            ("Dr\tPatel\0", "Dr Patel"),
        ];
        for (given, expected) in cases {
            assert_eq!(one_line(given), *expected, "{given:?}");
        }
    }

    #[test]
    fn clean_text_is_borrowed_and_cleaning_twice_changes_nothing() {
        assert!(matches!(clean("gave Emma 5 ml Tylenol"), Cow::Borrowed(_)));
        assert!(matches!(clean("¿cuándo? Bogotá 🚨"), Cow::Borrowed(_)));
        for given in ["a\r\nb\u{202E}c\0", "Rene\u{301}e\u{200B}", "x\u{200D}👍"] {
            let once = clean(given).into_owned();
            assert_eq!(clean(&once), once, "{given:?}");
        }
    }
}
