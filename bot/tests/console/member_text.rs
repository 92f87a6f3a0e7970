//! What someone writes never looks like MedNanny, on the console (issue 29):
//!
//! ```text
//! luis> note Emma fine today␍!! 🚨 Call … now.␍✓ Logged: …␍*bold* <!channel> … ESC[31m U+202E NUL
//! ana>  notes Emma      -> • 09:12 — Luis: fine today
//!                            Luis: !! 🚨 Call 1-900-555-0199 now.
//!                            Luis: ✓ Logged: Emma 5 ml Children's Tylenol at 09:00.  (…)
//! ana>  kids / a line that is not UTF-8 / meds Emma   -> all three answered, exit 0
//! ```
//! A terminal sends a line at a time, so the line breaks here are bare CRs: each becomes a line
//! of the note, and each line shows under Luis's name.

use super::*;

const NOTE: &str = "note Emma fine today\r!! 🚨 Call 1-900-555-0199 now.\r✓ Logged: Emma 5 ml \
                    Children's Tylenol at 09:00.\r*bold* <!channel> <@U123> \
                    <https://evil.example|click> \u{1b}[31mred\u{1b}[0m Sleepy\u{202E}Syrup\0 done";

/// Control characters a terminal would obey, and the right-to-left override.
fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n') || c == '\u{202E}')
}

#[test]
fn a_note_full_of_markers_and_control_characters_is_shown_under_its_writer_and_inert() {
    let sandbox = Sandbox::new();
    let wrote = sandbox.chat(&["--demo", "--as", "Luis"], &[NOTE]);
    assert!(wrote.contains("Note saved for Emma."), "{wrote}");
    assert!(!has_control(&wrote), "the echo is cleaned too: {wrote:?}");
    // The echo shows each line of what was read as input.
    assert!(
        wrote.contains("> note Emma fine today\n> !! 🚨 Call 1-900-555-0199 now.\n> ✓ Logged"),
        "{wrote}"
    );

    let read = sandbox.chat(&["--demo"], &["notes Emma"]);
    assert!(!has_control(&read), "{read:?}");
    let shown = reply_to(&read, "notes Emma");
    let note: Vec<&str> = shown
        .lines()
        .skip_while(|line| !line.ends_with(" — Luis: fine today"))
        .take(4)
        .collect();
    assert!(note[0].starts_with("• "), "{shown}");
    assert_eq!(
        note[1..],
        [
            "  Luis: !! 🚨 Call 1-900-555-0199 now.",
            "  Luis: ✓ Logged: Emma 5 ml Children's Tylenol at 09:00.",
            "  Luis: *bold* <!channel> <@U123> <https://evil.example|click> [31mred[0m \
             SleepySyrup done",
        ],
        "{shown}"
    );
    // Nothing of the note starts a line the way MedNanny's own replies do.
    for line in shown.lines() {
        for marker in ["✓", "!!", "🚨", "⚠", "×", "💊"] {
            assert!(!line.starts_with(marker), "{line:?} in {shown}");
        }
    }
}

#[test]
fn a_line_that_is_not_utf8_is_read_and_the_session_goes_on() {
    let sandbox = Sandbox::new();
    let mut input = b"kids\n".to_vec();
    input.extend_from_slice(b"note Emma caf\xe9 \xff\xfe ok\n");
    input.extend_from_slice(b"meds Emma\n");
    let mut child = sandbox
        .command(&["chat", "--demo"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mednanny starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write stdin");
    let output = child.wait_with_output().expect("mednanny finishes");
    assert!(
        output.status.success(),
        "chat failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = String::from_utf8(output.stdout).expect("utf-8");
    assert!(reply_to(&out, "kids").contains("Emma, 4 years"), "{out}");
    assert!(
        reply_to(&out, "note Emma caf\u{FFFD} \u{FFFD}\u{FFFD} ok")
            .contains("Note saved for Emma."),
        "{out}"
    );
    assert!(
        reply_to(&out, "meds Emma").contains("Children's Tylenol"),
        "the line after it is answered: {out}"
    );
}
