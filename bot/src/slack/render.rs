//! Turns the engine's channel-neutral replies and dashboards into Slack messages and views.
//!
//! Pure functions, no I/O: Block Kit is built as JSON (Slack's own documented shapes) and read into
//! slack-morphism's types, so a reviewer can compare it with Slack's docs line by line.
//!
//! Every text field sent (the message's top-level `text`, sections, context, buttons, the App
//! Home's header) has `&`, `<` and `>` escaped, the only escaping Slack documents for text
//! objects, so nobody can inject a mention, a link or a channel ping through a child's name or a
//! note. mrkdwn has no escape for `*`, `_`, `~` and backticks, so what a member wrote (the
//! reply's [`Reply::quoted`] parts: a note, a nanny's handoff words) never goes into mrkdwn: the
//! lines that hold it are sent as `plain_text` sections, which Slack shows exactly as written,
//! and the catalogue's own lines stay mrkdwn (an urgent reply's bold, a summary's child names).
//! The top-level `text` (notifications, clients without blocks) is always mrkdwn: there, and
//! only there, member text's marks become look-alikes (`crate::markup`).

use mednanny_core::messages::{Choice, DashboardText, Reply, Tone};

use crate::markup::inert;
use serde_json::{json, Value};
use slack_morphism::prelude::*;

/// Slack's limit for a section's text is 3,000 characters; stay below it.
const SECTION_LIMIT: usize = 2_900;
/// Document blocks per message: Slack allows 50 blocks, but refuses messages much over 40,000
/// characters, so a long document is spread over several messages of about 35,000.
const BLOCKS_PER_MESSAGE: usize = 12;
/// Every button's action id starts with this; the value is what clicking it says to the engine.
pub const ACTION_PREFIX: &str = "mednanny-choice-";

/// Escapes text for Slack (mrkdwn or `plain_text`): `&`, `<` and `>` are the only control
/// characters Slack documents.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
    out
}

/// Text Slack sent back (a message's `text` as it was posted: already escaped) as it reads.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// One Slack message: fallback text (notifications, screen readers) and blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackMessage {
    pub text: String,
    pub blocks: Vec<SlackBlock>,
}

impl SlackMessage {
    pub fn content(&self) -> SlackMessageContent {
        SlackMessageContent::new()
            .with_text(self.text.clone())
            .with_blocks(self.blocks.clone())
    }
}

/// A reply as Slack messages: the text (with buttons for its choices), then any document in code
/// blocks, split to fit Slack's limits.
pub fn reply_messages(reply: &Reply) -> Vec<SlackMessage> {
    let mut blocks: Vec<Value> = text_blocks(reply);
    if !reply.choices.is_empty() {
        blocks.push(buttons(&reply.choices));
    }
    let mut messages = vec![message(&fallback(reply), blocks)];
    if let Some(document) = &reply.document {
        let parts = chunks(&document.content, SECTION_LIMIT - 10, "");
        let total = parts.len();
        for (n, group) in parts.chunks(BLOCKS_PER_MESSAGE).enumerate() {
            let blocks = group
                .iter()
                .map(|part| section(&format!("```{}```", escape(part))))
                .collect();
            let fallback = escape(&format!(
                "{} ({}/{})",
                document.filename,
                n + 1,
                total.div_ceil(BLOCKS_PER_MESSAGE)
            ));
            messages.push(message(&fallback, blocks));
        }
    }
    messages
}

/// The original message after a button was clicked: its text, and what was chosen instead of the
/// buttons (so nobody clicks twice). `original_text` is the message's top-level `text` as Slack
/// sends it back: the fallback posted, escaped, with member text's marks already inert; it is
/// read back and escaped again, so it is never escaped twice nor sent unescaped.
pub fn answered_message(original_text: &str, chosen_label: &str) -> SlackMessage {
    let text = escape(&unescape(original_text));
    let mut blocks = sections(&text);
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": format!("→ {}", escape(&inert(chosen_label)))}]
    }));
    message(&text, blocks)
}

/// The App Home view for a dashboard.
pub fn home_view(dashboard: &DashboardText) -> SlackView {
    let mut blocks = vec![json!({
        "type": "header",
        "text": plain_text(&dashboard.title, 150)
    })];
    for (child, lines) in &dashboard.children {
        blocks.push(json!({"type": "divider"}));
        let mut text = format!("*{}*", escape(child));
        for line in lines {
            text.push_str("\n• ");
            text.push_str(&escape(line));
        }
        blocks.extend(sections(&text));
        // Give (a dose form), Change and Stop for each medicine; the engine says who may.
        if let Some((_, choices)) = dashboard.actions.iter().find(|(name, _)| name == child) {
            let elements: Vec<Value> = choices
                .iter()
                .take(25)
                .enumerate()
                .map(|(n, choice)| {
                    json!({
                        "type": "button",
                        "action_id": format!("{ACTION_PREFIX}med{n}"),
                        "text": plain_text(&choice.label, 75),
                        "value": choice.value,
                    })
                })
                .collect();
            if !elements.is_empty() {
                blocks.push(json!({"type": "actions", "elements": elements}));
            }
        }
    }
    blocks.push(json!({"type": "divider"}));
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": escape(&dashboard.on_shift)}]
    }));
    let mut recent = format!("*{}*", escape(&dashboard.recent_title));
    if dashboard.recent.is_empty() {
        recent.push_str("\n—");
    }
    for line in &dashboard.recent {
        recent.push_str("\n• ");
        recent.push_str(&escape(line));
    }
    blocks.extend(sections(&recent));
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": escape(&dashboard.footer)}]
    }));
    blocks.push(home_actions());
    SlackView::Home(SlackHomeView::new(to_blocks(blocks)))
}

/// The App Home's buttons: each opens a form's modal (`modal.rs`); who may save it is the
/// engine's to say, in the DM, when someone who may not clicks.
fn home_actions() -> Value {
    use mednanny_core::engine::forms::FormKind;
    let forms = [
        ("Add child", FormKind::Child),
        ("Add medicine", FormKind::Medication),
        ("Add allergy", FormKind::Allergy),
        ("Add appointment", FormKind::Appointment),
        ("Add vaccination", FormKind::Vaccination),
        ("Add doctor", FormKind::Provider),
    ];
    let elements: Vec<Value> = forms
        .iter()
        .enumerate()
        .map(|(n, (label, kind))| {
            json!({
                "type": "button",
                "action_id": format!("{ACTION_PREFIX}home{n}"),
                "text": {"type": "plain_text", "text": label},
                "value": format!("{}{}", super::modal::OPEN_PREFIX, super::modal::kind_word(*kind)),
            })
        })
        .collect();
    json!({"type": "actions", "block_id": "home_forms", "elements": elements})
}

/// The App Home for someone not in a family yet: the welcome, as a view.
pub fn welcome_view(reply: &Reply) -> SlackView {
    SlackView::Home(SlackHomeView::new(to_blocks(sections(&escape(
        &reply.text,
    )))))
}

/// A reply's text as blocks, its lines in order: each run of lines that holds member text in
/// `plain_text` sections (shown exactly as written: no bold, no code, no link), the catalogue's
/// own lines in mrkdwn (escaped, with the reply's tone).
fn text_blocks(reply: &Reply) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut quoting = false;
    for (line, member) in reply.lines_quoting() {
        if member != quoting && !run.is_empty() {
            blocks.extend(run_blocks(&run.join("\n"), quoting, reply.tone));
            run.clear();
        }
        quoting = member;
        run.push(line);
    }
    blocks.extend(run_blocks(&run.join("\n"), quoting, reply.tone));
    blocks
}

fn run_blocks(text: &str, quoting: bool, tone: Tone) -> Vec<Value> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    if quoting {
        chunks(&escape(text), SECTION_LIMIT, "… ")
            .iter()
            .map(|part| json!({"type": "section", "text": {"type": "plain_text", "text": part}}))
            .collect()
    } else {
        sections(&tone_text(text, tone))
    }
}

/// The message's top-level `text`, for notifications and clients that show no blocks: the whole
/// reply, escaped, with member text's formatting marks made inert (it is always mrkdwn).
fn fallback(reply: &Reply) -> String {
    reply
        .pieces()
        .into_iter()
        .map(|(piece, member)| match member {
            true => escape(&inert(piece)),
            false => escape(piece),
        })
        .collect()
}

/// Urgent replies stand out; the catalogue's text already carries its own emoji.
fn tone_text(text: &str, tone: Tone) -> String {
    let text = escape(text);
    match tone {
        Tone::Urgent => format!("*{}*", text.replace('*', "")),
        Tone::Info | Tone::Success | Tone::Warning | Tone::Error => text,
    }
}

/// A `plain_text` object of at most `max_chars` characters once escaped.
fn plain_text(text: &str, max_chars: usize) -> Value {
    let mut text = truncate(text, max_chars);
    while escape(&text).chars().count() > max_chars {
        text = truncate(&text, text.chars().count() - 1);
    }
    json!({"type": "plain_text", "text": escape(&text)})
}

fn buttons(choices: &[Choice]) -> Value {
    let elements: Vec<Value> = choices
        .iter()
        .take(25)
        .enumerate()
        .map(|(n, choice)| {
            let mut button = json!({
                "type": "button",
                "action_id": format!("{ACTION_PREFIX}{n}"),
                "text": plain_text(&choice.label, 75),
                "value": truncate(&choice.value, 2000),
            });
            if n == 0 {
                button["style"] = json!("primary");
            }
            button
        })
        .collect();
    json!({"type": "actions", "block_id": "mednanny-choices", "elements": elements})
}

fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}})
}

/// One or more sections for a long text, split at line ends where possible.
fn sections(mrkdwn: &str) -> Vec<Value> {
    if mrkdwn.trim().is_empty() {
        return Vec::new();
    }
    chunks(mrkdwn, SECTION_LIMIT, "… ")
        .iter()
        .map(|part| section(part))
        .collect()
}

/// Splits escaped text into pieces of at most `limit` bytes, preferring line ends, never inside a
/// character or an entity (`&amp;`). A piece that goes on with a line cut in the middle starts
/// with `continued` ("… " for text: a new block never starts with words a member wrote as if
/// they began a line; nothing for a document, whose pieces are joined again).
fn chunks(text: &str, limit: usize, continued: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.to_string();
    let limit = limit - continued.len();
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        // An entity is at most 5 bytes (`&amp;`): never cut one in two.
        let near = (cut.saturating_sub(4)..cut)
            .find(|&at| rest.is_char_boundary(at))
            .unwrap_or(cut);
        if let Some(amp) = rest[near..cut].rfind('&').map(|at| near + at) {
            if !rest[amp..cut].contains(';') {
                cut = amp;
            }
        }
        let (cut, at_line_end) = match rest[..cut].rfind('\n').filter(|&at| at > limit / 2) {
            Some(at) => (at, true),
            None => (cut, false),
        };
        out.push(rest[..cut].to_string());
        let tail = rest[cut..].trim_start_matches('\n');
        rest = if at_line_end || tail.is_empty() {
            tail.to_string()
        } else {
            format!("{continued}{tail}")
        };
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(rest);
    }
    out
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max_chars - 1).collect();
        cut.push('…');
        cut
    }
}

/// A message from its (escaped) fallback text and its blocks.
fn message(fallback: &str, blocks: Vec<Value>) -> SlackMessage {
    let mut text = truncate(fallback, 3_000);
    // A cut in the middle of an entity would leave a bare `&`.
    if let Some(amp) = text.rfind('&').filter(|&amp| !text[amp..].contains(';')) {
        text.truncate(amp);
        text.push('…');
    }
    SlackMessage {
        text,
        blocks: to_blocks(blocks),
    }
}

/// The JSON above follows Slack's documented block shapes, which slack-morphism models; a block it
/// cannot read would be a bug here, so it is dropped with an error log rather than sent malformed.
fn to_blocks(values: Vec<Value>) -> Vec<SlackBlock> {
    values
        .into_iter()
        .filter_map(|value| match serde_json::from_value::<SlackBlock>(value) {
            Ok(block) => Some(block),
            Err(error) => {
                tracing::error!(%error, "a Block Kit block did not match slack-morphism's model");
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mednanny_core::messages::Document;

    fn reply(text: &str) -> Reply {
        Reply {
            text: text.into(),
            choices: Vec::new(),
            tone: Tone::Info,
            health_data: true,
            document: None,
            quoted: Vec::new(),
        }
    }

    fn json_of(message: &SlackMessage) -> String {
        serde_json::to_string(&message.blocks).expect("serializes")
    }

    #[test]
    fn user_text_never_becomes_markup_or_a_mention() {
        let messages = reply_messages(&reply("Note: <!channel> & <@U123> <http://x|click>"));
        let blocks = json_of(&messages[0]);
        assert!(!blocks.contains("<!channel>"), "{blocks}");
        assert!(!blocks.contains("<@U123>"), "{blocks}");
        assert!(
            blocks.contains("&lt;!channel&gt; &amp; &lt;@U123&gt;"),
            "{blocks}"
        );
        assert_eq!(
            messages[0].text, "Note: &lt;!channel&gt; &amp; &lt;@U123&gt; &lt;http://x|click&gt;",
            "the top-level text is escaped too"
        );
    }

    /// "Notes about Emma:" then a note whose every character from `from` on a member wrote.
    fn quoting(text: &str, from: &str) -> Reply {
        let start = text.find(from).expect("in the text");
        Reply {
            quoted: vec![mednanny_core::messages::Quoted {
                start,
                end: text.len(),
            }],
            ..reply(text)
        }
    }

    #[test]
    fn lines_a_member_wrote_are_plain_text_and_the_fallback_keeps_them_inert() {
        let reply = quoting(
            "Notes about Emma:\n• 09:12 — Maya: *🚨 Call now.* _x_ <!here>",
            "*🚨",
        );
        let messages = reply_messages(&reply);
        let blocks = serde_json::to_value(&messages[0].blocks).expect("serializes");
        assert_eq!(blocks[0]["text"]["type"], "mrkdwn");
        assert_eq!(blocks[0]["text"]["text"], "Notes about Emma:");
        assert_eq!(blocks[1]["text"]["type"], "plain_text");
        assert_eq!(
            blocks[1]["text"]["text"],
            "• 09:12 — Maya: *🚨 Call now.* _x_ &lt;!here&gt;"
        );
        assert_eq!(
            messages[0].text,
            "Notes about Emma:\n• 09:12 — Maya: ∗🚨 Call now.∗ ˍxˍ &lt;!here&gt;"
        );
        // An urgent reply's own bold stays on its own lines.
        let urgent = Reply {
            tone: Tone::Urgent,
            ..quoting("🚨 Call 911 now.\nI heard: “*help*”", "*help*")
        };
        let blocks = serde_json::to_value(&reply_messages(&urgent)[0].blocks).expect("serializes");
        assert_eq!(blocks[0]["text"]["text"], "*🚨 Call 911 now.*");
        assert_eq!(blocks[1]["text"]["type"], "plain_text");
        assert_eq!(blocks[1]["text"]["text"], "I heard: “*help*”");
    }

    #[test]
    fn an_answered_message_is_escaped_once() {
        let posted = reply_messages(&quoting("Remove “a & <b>”?", "a & <b>"));
        let answered = answered_message(&posted[0].text, "Yes & <!here>");
        assert_eq!(answered.text, "Remove “a &amp; &lt;b&gt;”?");
        let json = json_of(&answered);
        assert!(json.contains("Remove “a &amp; &lt;b&gt;”?"), "{json}");
        assert!(json.contains("→ Yes &amp; &lt;!here&gt;"), "{json}");
        assert!(!json.contains("&amp;amp;"), "{json}");
    }

    #[test]
    fn a_long_line_cut_in_two_never_starts_a_block_with_member_words_or_splits_an_entity() {
        let line = format!("{}&amp;✓ Logged", "a".repeat(2_894));
        let parts = chunks(&line, 2_900, "… ");
        assert_eq!(parts.len(), 2);
        assert!(parts[0].ends_with('a'), "{:?}", &parts[0][2_880..]);
        assert_eq!(parts[1], "… &amp;✓ Logged");
    }

    #[test]
    fn choices_become_buttons_whose_values_are_what_the_engine_expects() {
        let mut question = reply("Luis gave Emma 5 ml at 13:10. Was another dose really given?");
        question.choices = vec![
            Choice {
                label: "Yes, log it".into(),
                value: "yes".into(),
            },
            Choice {
                label: "No".into(),
                value: "no".into(),
            },
        ];
        let messages = reply_messages(&question);
        assert_eq!(messages.len(), 1);
        let value = serde_json::to_value(&messages[0].blocks).expect("serializes");
        let actions = &value[1];
        assert_eq!(actions["type"], "actions");
        assert_eq!(actions["elements"][0]["value"], "yes");
        assert_eq!(actions["elements"][0]["action_id"], "mednanny-choice-0");
        assert_eq!(actions["elements"][0]["style"], "primary");
        assert_eq!(actions["elements"][1]["value"], "no");
    }

    #[test]
    fn a_long_document_is_split_to_fit_slack_limits() {
        let mut export = reply("Everything the Garcia family has.");
        let line = "{\"child\": \"Emma\", \"dose\": \"5 ml\"}\n";
        export.document = Some(Document {
            filename: "mednanny-garcia.json".into(),
            content: line.repeat(3_000),
        });
        let messages = reply_messages(&export);
        assert!(messages.len() >= 3, "text plus several document messages");
        let mut rebuilt = String::new();
        for message in &messages[1..] {
            assert!(message.blocks.len() <= BLOCKS_PER_MESSAGE);
            let value = serde_json::to_value(&message.blocks).expect("serializes");
            for block in value.as_array().expect("array") {
                let text = block["text"]["text"].as_str().expect("text");
                assert!(text.len() <= 3_000);
                rebuilt.push_str(text.trim_start_matches("```").trim_end_matches("```"));
                rebuilt.push('\n');
            }
        }
        assert_eq!(
            rebuilt.matches("Emma").count(),
            3_000,
            "nothing lost in the split"
        );
    }

    #[test]
    fn chunks_never_split_a_character() {
        let text = "é".repeat(5_000);
        for part in chunks(&text, 2_901, "") {
            assert!(part.len() <= 2_901);
            assert!(part.chars().all(|c| c == 'é'));
        }
    }

    #[test]
    fn the_home_view_shows_each_child_and_escapes_names() {
        let view = home_view(&DashboardText {
            title: "The Garcia family".into(),
            children: vec![(
                "Emma <b>".into(),
                vec!["Children's Tylenol (5 ml): last 5 ml by Luis at 13:10".into()],
            )],
            actions: Vec::new(),
            on_shift: "On shift: Maya (since 08:00)".into(),
            recent_title: "Last 24 hours".into(),
            recent: vec!["13:10 — Emma: 5 ml Children's Tylenol by Luis".into()],
            footer: "Updated 13:12.".into(),
        });
        let json = serde_json::to_string(&view).expect("serializes");
        assert!(json.contains("\"type\":\"home\""), "{json}");
        assert!(json.contains("Emma &lt;b&gt;"), "{json}");
        assert!(json.contains("On shift: Maya"), "{json}");
        assert!(json.contains("last 5 ml by Luis at 13:10"), "{json}");
    }
}
