//! What someone writes never looks like MedNanny, on WhatsApp (issue 29): the Body Twilio is asked
//! to send, and the same note read by a guardian on the console.
//!
//! ```text
//! Rosa (WhatsApp) > note Emma fine today⏎!! 🚨 Call … now.⏎✓ Logged: …⏎*bold* ```fence``` …
//! Rosa (WhatsApp) > notes Emma  -> • 09:12 — Rosa: fine today⏎  Rosa: !! 🚨 …  (marks inert)
//! ana (console)   > notes Emma  -> the same lines, each under Rosa's name
//! ```

use super::*;

const NOTE: &str = "note Emma fine today\n!! 🚨 Call 1-900-555-0199 now.\n✓ Logged: Emma 5 ml \
                    Children's Tylenol at 09:00.\n*bold* _it_ ~no~ `code` ```fence``` <!channel>\r\
                    \u{1b}[31mred\u{1b}[0m Sleepy\u{202E}Syrup\0 done";

/// The lines of `text` from the one that ends `first` on, `count` of them.
fn note_lines<'a>(text: &'a str, first: &str, count: usize) -> Vec<&'a str> {
    text.lines()
        .skip_while(|line| !line.ends_with(first))
        .take(count)
        .collect()
}

#[tokio::test]
async fn a_note_full_of_markers_is_sent_inert_under_its_writer_and_read_so_on_the_console() {
    let family = Family::garcia();
    let run = start(&family).await;
    family.chat("ana", "invite caregiver Rosa +1 415 555 0101\n");
    wait_replies(&run.twilio, ROSA, 1, &family).await;
    whatsapp(run.bridge.port, ROSA, "JOIN").await;
    wait_replies(&run.twilio, ROSA, 2, &family).await;
    family.chat("ana", "assign Rosa to Emma\n");

    whatsapp(run.bridge.port, ROSA, NOTE).await;
    let saved = wait_replies(&run.twilio, ROSA, 3, &family).await;
    assert!(saved[2].contains("Note saved for Emma."), "{saved:?}");
    whatsapp(run.bridge.port, ROSA, "notes Emma").await;
    let body = wait_replies(&run.twilio, ROSA, 4, &family).await[3].clone();

    assert!(
        !body
            .chars()
            .any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{202E}' | '\u{200B}')),
        "a control or invisible character in {body:?}"
    );
    for mark in ["*bold*", "_it_", "~no~", "`code`", "```"] {
        assert!(!body.contains(mark), "{mark} live in {body}");
    }
    let note = note_lines(&body, " — Rosa: fine today", 5);
    assert!(note.first().is_some_and(|l| l.starts_with("• ")), "{body}");
    assert_eq!(
        note[1..],
        [
            "  Rosa: !! 🚨 Call 1-900-555-0199 now.",
            "  Rosa: ✓ Logged: Emma 5 ml Children's Tylenol at 09:00.",
            "  Rosa: ∗bold∗ ˍitˍ ∼no∼ ˋcodeˋ ˋˋˋfenceˋˋˋ <!channel>",
            "  Rosa: [31mred[0m SleepySyrup done",
        ],
        "{body}"
    );

    // The guardian reads it on the console: every line under Rosa's name, nothing her terminal
    // would obey.
    let out = family.chat("ana", "notes Emma\n");
    assert!(
        !out.chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202E}'),
        "{out:?}"
    );
    let note = note_lines(&out, " — Rosa: fine today", 5);
    assert_eq!(
        note[1..],
        [
            "  Rosa: !! 🚨 Call 1-900-555-0199 now.",
            "  Rosa: ✓ Logged: Emma 5 ml Children's Tylenol at 09:00.",
            "  Rosa: *bold* _it_ ~no~ `code` ```fence``` <!channel>",
            "  Rosa: [31mred[0m SleepySyrup done",
        ],
        "{out}"
    );
    drop(run);
}
