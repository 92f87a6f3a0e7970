//! What someone writes never looks like MedNanny, in Slack (issue 29): the `chat.postMessage`
//! that shows a note full of markers, mentions, links and control characters, field by field.
//!
//! ```text
//! luis (DM) > note Emma fine today⏎!! 🚨 Call … now.⏎✓ Logged: …⏎*bold* <!channel> <@U123> …
//! ana (DM)  > notes Emma   -> Notes about Emma: (mrkdwn)
//!                             • 09:12 — Luis Garcia: fine today               (plain_text)
//!                               Luis Garcia: !! 🚨 Call 1-900-555-0199 now.
//!                               Luis Garcia: ✓ Logged: …
//! ```

use super::*;

const NOTE: &str = "note Emma fine today\n!! 🚨 Call 1-900-555-0199 now.\n✓ Logged: Emma 5 ml \
                    Children's Tylenol at 09:00.\n*bold* _it_ ~no~ `code` <!channel> <!here> \
                    <@U123> <https://evil.example|click>\r\u{1b}[31mred\u{1b}[0m \
                    Sleepy\u{202E}Syrup\0 done";

/// Every text object in blocks, as (type, text).
fn text_objects(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            if let (Some(Value::String(kind)), Some(Value::String(text))) =
                (fields.get("type"), fields.get("text"))
            {
                if kind == "mrkdwn" || kind == "plain_text" {
                    out.push((kind.clone(), text.clone()));
                }
            }
            fields.values().for_each(|v| text_objects(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| text_objects(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn a_note_full_of_markers_and_mentions_is_posted_inert_under_its_writer() {
    let (slack, family, bot) = garcia_with_ana("sqlite").await;
    join(&slack, &family, LUIS, "Luis Garcia", "guardian").await;
    dm(&slack, LUIS, NOTE).await;
    posted(&slack, &dm_channel(LUIS), "Note saved for Emma").await;

    dm(&slack, ANA, "notes Emma").await;
    let call = posted(&slack, &dm_channel(ANA), "Notes about Emma").await;
    let top = call
        .param_str("text")
        .expect("a top-level text")
        .to_string();
    let blocks = match call.params.get("blocks") {
        Some(Value::String(json)) => serde_json::from_str(json).expect("blocks"),
        Some(blocks) => blocks.clone(),
        None => panic!("no blocks: {:?}", call.params),
    };
    let mut fields = vec![("mrkdwn".to_string(), top.clone())];
    text_objects(&blocks, &mut fields);

    for (kind, text) in &fields {
        for live in ["<!channel>", "<!here>", "<@U123>", "<https://"] {
            assert!(
                !text.contains(live),
                "{live} live in a {kind} field: {text}"
            );
        }
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || c == '\u{202E}'),
            "a control character in a {kind} field: {text:?}"
        );
        if kind == "mrkdwn" {
            for mark in ["*bold*", "_it_", "~no~", "`code`"] {
                assert!(!text.contains(mark), "{mark} live in mrkdwn: {text}");
            }
        }
    }

    // The note's lines, each under Luis's name, shown exactly as written (escaped, as Slack
    // documents for every text object).
    let plain: String = fields
        .iter()
        .filter(|(kind, _)| kind == "plain_text")
        .map(|(_, text)| text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let note: Vec<&str> = plain
        .lines()
        .skip_while(|line| !line.ends_with(" — Luis Garcia: fine today"))
        .take(5)
        .collect();
    assert!(note.first().is_some_and(|l| l.starts_with("• ")), "{plain}");
    assert_eq!(
        note[1..],
        [
            "  Luis Garcia: !! 🚨 Call 1-900-555-0199 now.",
            "  Luis Garcia: ✓ Logged: Emma 5 ml Children's Tylenol at 09:00.",
            "  Luis Garcia: *bold* _it_ ~no~ `code` &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; \
             &lt;https://evil.example|click&gt;",
            "  Luis Garcia: [31mred[0m SleepySyrup done",
        ],
        "{plain}"
    );
    // The heading is the catalogue's, in mrkdwn; the top-level text has the same lines, inert.
    assert!(
        fields.contains(&("mrkdwn".to_string(), "Notes about Emma:".to_string())),
        "{fields:?}"
    );
    assert!(
        top.contains(
            "\n  Luis Garcia: ∗bold∗ ˍitˍ ∼no∼ ˋcodeˋ &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; \
             &lt;https://evil.example|click&gt;\n"
        ),
        "{top}"
    );
    assert!(
        top.contains("\n  Luis Garcia: !! 🚨 Call 1-900-555-0199 now.\n"),
        "{top}"
    );
    bot.kill();
}
