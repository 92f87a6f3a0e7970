//! Member text where a channel has no way to say "this is literal": Slack's top-level `text` (always
//! mrkdwn) and every WhatsApp message.
//!
//! Neither has an escape for its formatting marks: Slack documents escaping for `&`, `<` and `>`
//! only, and WhatsApp none at all. Slack's blocks can carry text as `plain_text`, which is the
//! honest way and is used there (`slack/render.rs`); where that is not possible, each mark in
//! what a member wrote is replaced by the character that looks the same and means nothing to
//! either formatter. The words read the same; they never turn bold, italic, struck or code. An
//! invisible character beside each mark (what WhatsApp's renderer did before) is not used:
//! MedNanny takes invisible characters out of everything people send (`domain::text`), so it
//! does not put them into what it shows either, and whether a renderer sees through one is not
//! documented anywhere.

/// What a member wrote, with every formatting mark replaced by its look-alike: `*` → `∗` (U+2217
/// asterisk operator), `_` → `ˍ` (U+02CD modifier letter low macron), `~` → `∼` (U+223C tilde
/// operator), `` ` `` → `ˋ` (U+02CB modifier letter grave accent).
pub fn inert(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '*' => '∗',
            '_' => 'ˍ',
            '~' => '∼',
            '`' => 'ˋ',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_marks_become_look_alikes_and_nothing_else_changes() {
        let cases = [
            ("*🚨 Call 911 now.*", "∗🚨 Call 911 now.∗"),
            (
                "_sleepy_ ~ok~ `x` ```code```",
                "ˍsleepyˍ ∼ok∼ ˋxˋ ˋˋˋcodeˋˋˋ",
            ),
            ("fine today, 5 ml at 09:00", "fine today, 5 ml at 09:00"),
            ("<!channel> & <@U123>", "<!channel> & <@U123>"),
        ];
        for (given, expected) in cases {
            assert_eq!(inert(given), expected);
            for mark in ['*', '_', '~', '`'] {
                assert!(!inert(given).contains(mark), "{given}");
            }
        }
    }
}
