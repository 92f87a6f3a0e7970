//! What MedNanny keeps of a Slack envelope: the few fields it acts on, as one serializable type.
//!
//! This is what goes into the durable inbox before the envelope is acknowledged, so it is small and
//! stable, and it is all the worker needs later (after a restart too). Parsing is pure: events the
//! bot ignores (its own messages, edits, joins) become `None` and are acknowledged without a trace.

use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

/// One thing a person did in Slack that MedNanny answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlackDelivery {
    /// A DM to the app, or a mention of it in a channel.
    Message {
        team: String,
        user: String,
        channel: String,
        text: String,
        /// The message's ts: mentions are answered in its thread.
        ts: String,
        /// A mention in a shared channel (answered in thread, health data ephemerally), not a DM.
        mention: bool,
        /// An audio clip or an image shared with the message (`subtype: file_share`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<SharedFile>,
    },
    /// `/mednanny <text>`: answered through the response URL, visible to the asker only.
    Command {
        team: String,
        user: String,
        channel: String,
        text: String,
        response_url: String,
        /// What a modal is opened with (`/mednanny add child`); Slack's ids last seconds.
        #[serde(default)]
        trigger_id: String,
    },
    /// A button: its value is said to the engine as if typed.
    Button {
        team: String,
        user: String,
        channel: String,
        value: String,
        label: String,
        message_ts: Option<String>,
        message_text: String,
        response_url: Option<String>,
    },
    /// The App Home tab was opened: publish the dashboard.
    HomeOpened { team: String, user: String },
    /// A button asked for a form's modal ("Add child" on App Home).
    OpenForm {
        team: String,
        user: String,
        trigger_id: String,
        form_kind: mednanny_core::engine::forms::FormKind,
    },
    /// App Home's *Give* on a medicine: the dose form (a modal) for it.
    OpenDose {
        team: String,
        user: String,
        trigger_id: String,
        medication_id: i64,
    },
    /// *Edit profile* on a nanny's profile, or `/mednanny edit profile Maya`: the profile form (a
    /// modal) for that member (`#12` or a name), for a guardian.
    OpenProfile {
        team: String,
        user: String,
        trigger_id: String,
        who: String,
    },
    /// A modal was submitted and its fields read (see `modal.rs`): the form to save, and what the
    /// fields said (for the red-flag screen).
    FormSubmitted {
        team: String,
        user: String,
        form: Box<mednanny_core::engine::forms::Form>,
        text: String,
    },
}

/// What a shared file is to MedNanny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A clip recorded in Slack (`slack_audio`: audio/webm, audio/mp4 or video/mp4) or any audio
    /// file: transcribed, like a WhatsApp voice note.
    Audio,
    /// A photo: read as a medicine's label when the model accepts images.
    Image,
}

impl FileKind {
    /// What a file of this MIME type is, if MedNanny reads it.
    pub fn of(mimetype: &str) -> Option<FileKind> {
        let mimetype = mimetype.split(';').next().unwrap_or("").trim();
        let mimetype = mimetype.to_ascii_lowercase();
        if mimetype.starts_with("audio/") {
            return Some(FileKind::Audio);
        }
        // Slack's clips from the desktop and mobile apps come as video containers.
        if matches!(
            mimetype.as_str(),
            "video/mp4" | "video/webm" | "video/quicktime"
        ) {
            return Some(FileKind::Audio);
        }
        matches!(
            mimetype.as_str(),
            "image/jpeg" | "image/jpg" | "image/png" | "image/webp" | "image/gif"
        )
        .then_some(FileKind::Image)
    }
}

/// A file shared with a message, as far as MedNanny needs it: fetched later (after a restart
/// too) from Slack's private URL with the bot token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFile {
    pub kind: FileKind,
    /// `url_private_download`, or `url_private`.
    pub url: String,
    pub mimetype: String,
}

impl SlackDelivery {
    /// The team and user who acted.
    pub fn sender(&self) -> (&str, &str) {
        match self {
            SlackDelivery::Message { team, user, .. }
            | SlackDelivery::Command { team, user, .. }
            | SlackDelivery::Button { team, user, .. }
            | SlackDelivery::HomeOpened { team, user }
            | SlackDelivery::OpenForm { team, user, .. }
            | SlackDelivery::OpenDose { team, user, .. }
            | SlackDelivery::OpenProfile { team, user, .. }
            | SlackDelivery::FormSubmitted { team, user, .. } => (team, user),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SlackDelivery::Message { mention: false, .. } => "message.im",
            SlackDelivery::Message { mention: true, .. } => "app_mention",
            SlackDelivery::Command { .. } => "slash_command",
            SlackDelivery::Button { .. } => "block_actions",
            SlackDelivery::HomeOpened { .. } => "app_home_opened",
            SlackDelivery::OpenForm { .. }
            | SlackDelivery::OpenDose { .. }
            | SlackDelivery::OpenProfile { .. } => "block_actions",
            SlackDelivery::FormSubmitted { .. } => "view_submission",
        }
    }
}

/// A pushed event, if it is one MedNanny answers. Redeliveries keep their event id, which is the key.
pub fn from_push(event: &SlackPushEventCallback) -> Option<(String, SlackDelivery)> {
    let team = event.team_id.to_string();
    let key = format!("slack:ev:{}", event.event_id);
    let delivery = match &event.event {
        SlackEventCallbackBody::Message(message) => {
            // The bot's own messages, edits, deletions and joins carry a subtype or a bot id; a
            // file shared (an audio clip, a photo) is `file_share`, read when it is one we read.
            let shared = matches!(message.subtype, Some(SlackMessageEventType::FileShare));
            if (message.subtype.is_some() && !shared) || message.sender.bot_id.is_some() {
                return None;
            }
            let file = message
                .content
                .as_ref()
                .and_then(|c| c.files.as_ref())
                .and_then(|files| files.iter().find_map(shared_file));
            if shared && file.is_none() {
                return None;
            }
            let is_dm = message
                .origin
                .channel_type
                .as_ref()
                .is_some_and(|t| t.0 == "im");
            if !is_dm {
                return None;
            }
            SlackDelivery::Message {
                team,
                user: message.sender.user.as_ref()?.to_string(),
                channel: message.origin.channel.as_ref()?.to_string(),
                text: message.content.as_ref()?.text.clone().unwrap_or_default(),
                ts: message.origin.ts.to_string(),
                mention: false,
                file,
            }
        }
        SlackEventCallbackBody::AppMention(mention) => SlackDelivery::Message {
            team,
            user: mention.user.to_string(),
            channel: mention.channel.to_string(),
            text: strip_mentions(mention.content.text.as_deref().unwrap_or_default()),
            ts: mention
                .origin
                .thread_ts
                .as_ref()
                .unwrap_or(&mention.origin.ts)
                .to_string(),
            mention: true,
            file: None,
        },
        SlackEventCallbackBody::AppHomeOpened(home) => {
            if home.tab.as_deref().is_some_and(|tab| tab != "home") {
                return None;
            }
            SlackDelivery::HomeOpened {
                team,
                user: home.user.to_string(),
            }
        }
        _ => return None,
    };
    Some((key, delivery))
}

/// The first file of a message that MedNanny reads, with the URL to fetch it from.
fn shared_file(file: &SlackFile) -> Option<SharedFile> {
    let mimetype = file.mimetype.as_ref()?.0.clone();
    let kind = FileKind::of(&mimetype)?;
    let url = file
        .url_private_download
        .as_ref()
        .or(file.url_private.as_ref())?
        .to_string();
    Some(SharedFile {
        kind,
        url,
        mimetype,
    })
}

/// A slash command. It has no event id; its trigger id is unique per invocation and repeated when
/// Slack redelivers the envelope.
pub fn from_command(trigger_id: &str, command: &SlackCommandEvent) -> (String, SlackDelivery) {
    (
        format!("slack:trigger:{trigger_id}"),
        SlackDelivery::Command {
            team: command.team_id.to_string(),
            user: command.user_id.to_string(),
            channel: command.channel_id.to_string(),
            text: command.text.clone().unwrap_or_default(),
            response_url: command.response_url.0.to_string(),
            trigger_id: trigger_id.to_string(),
        },
    )
}

/// A click on one of MedNanny's buttons, keyed by its trigger id (unique per click).
pub fn from_interaction(
    trigger_id: &str,
    event: &SlackInteractionEvent,
) -> Option<(String, SlackDelivery)> {
    if let SlackInteractionEvent::Shortcut(shortcut) = event {
        // A global shortcut from the manifest: its callback id is `open:<form>`.
        let word = shortcut
            .callback_id
            .0
            .strip_prefix(super::modal::OPEN_PREFIX)?;
        return Some((
            format!("slack:trigger:{trigger_id}"),
            SlackDelivery::OpenForm {
                team: shortcut
                    .user
                    .team_id
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| shortcut.team.id.to_string()),
                user: shortcut.user.id.to_string(),
                trigger_id: trigger_id.to_string(),
                form_kind: super::modal::kind_named(word)?,
            },
        ));
    }
    let SlackInteractionEvent::BlockActions(click) = event else {
        return None;
    };
    let action = click
        .actions
        .as_ref()?
        .iter()
        .find(|a| a.action_id.0.starts_with(super::render::ACTION_PREFIX))?;
    let user = click.user.as_ref()?;
    let team = user
        .team_id
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_else(|| click.team.id.to_string());
    // "Add child" and the like (App Home has no channel): the form's modal.
    if let Some(word) = action
        .value
        .as_deref()
        .and_then(|v| v.strip_prefix(super::modal::OPEN_PREFIX))
    {
        return Some((
            format!("slack:trigger:{trigger_id}"),
            SlackDelivery::OpenForm {
                team,
                user: user.id.to_string(),
                trigger_id: trigger_id.to_string(),
                form_kind: super::modal::kind_named(word)?,
            },
        ));
    }
    // "Edit profile" on a nanny's profile: the profile form.
    if let Some(who) = action
        .value
        .as_deref()
        .and_then(super::modal::profile_opens)
    {
        return Some((
            format!("slack:trigger:{trigger_id}"),
            SlackDelivery::OpenProfile {
                team,
                user: user.id.to_string(),
                trigger_id: trigger_id.to_string(),
                who,
            },
        ));
    }
    // "Give" on App Home: the dose form for that medicine.
    if let Some(id) = action
        .value
        .as_deref()
        .and_then(|v| v.strip_prefix("give #"))
        .and_then(|id| id.trim().parse::<i64>().ok())
    {
        return Some((
            format!("slack:trigger:{trigger_id}"),
            SlackDelivery::OpenDose {
                team,
                user: user.id.to_string(),
                trigger_id: trigger_id.to_string(),
                medication_id: id,
            },
        ));
    }
    let label = match &action.text {
        Some(SlackBlockText::Plain(text)) => text.text.clone(),
        Some(SlackBlockText::MarkDown(text)) => text.text.clone(),
        None => action.value.clone().unwrap_or_default(),
    };
    // App Home has no channel: the answer then goes to the person's DM.
    let channel = click
        .channel
        .as_ref()
        .map(|c| c.id.to_string())
        .unwrap_or_default();
    Some((
        format!("slack:trigger:{trigger_id}"),
        SlackDelivery::Button {
            team,
            user: user.id.to_string(),
            channel,
            value: action.value.clone().unwrap_or_default(),
            label,
            message_ts: click.message.as_ref().map(|m| m.origin.ts.to_string()),
            message_text: click
                .message
                .as_ref()
                .and_then(|m| m.content.text.clone())
                .unwrap_or_default(),
            response_url: click.response_url.as_ref().map(|u| u.0.to_string()),
        },
    ))
}

/// "<@U0BOT> gave Emma 5 ml" → "gave Emma 5 ml": the mention is how the message reached us, not
/// part of what was said.
pub fn strip_mentions(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| !(word.starts_with("<@") && word.ends_with('>')))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use mednanny_core::engine::forms::FormKind;
    use test_support::{
        app_home_opened, app_mention, button_click, home_button_click, message_im, slash_command,
    };

    #[test]
    fn an_app_home_button_or_a_shortcut_asks_for_a_forms_modal() {
        let click: SlackInteractionEvent = serde_json::from_value(home_button_click(
            "T0TEAM",
            "U0ANA",
            "mednanny-choice-home1",
            "open:medication",
            "trig-9",
        ))
        .expect("an interaction");
        assert_eq!(
            from_interaction("trig-9", &click),
            Some((
                "slack:trigger:trig-9".into(),
                SlackDelivery::OpenForm {
                    team: "T0TEAM".into(),
                    user: "U0ANA".into(),
                    trigger_id: "trig-9".into(),
                    form_kind: FormKind::Medication,
                }
            ))
        );
        let shortcut: SlackInteractionEvent = serde_json::from_value(serde_json::json!({
            "type": "shortcut",
            "team": {"id": "T0TEAM", "domain": "family"},
            "user": {"id": "U0ANA", "team_id": "T0TEAM", "username": "ana"},
            "callback_id": "open:child",
            "trigger_id": "trig-10",
        }))
        .expect("a shortcut");
        assert!(matches!(
            from_interaction("trig-10", &shortcut),
            Some((
                _,
                SlackDelivery::OpenForm {
                    form_kind: FormKind::Child,
                    ..
                }
            ))
        ));
        // Give on App Home opens the dose form; another button there is said, answered in the DM.
        let give: SlackInteractionEvent = serde_json::from_value(home_button_click(
            "T0TEAM",
            "U0ANA",
            "mednanny-choice-med0",
            "give #12",
            "trig-11",
        ))
        .expect("an interaction");
        assert!(matches!(
            from_interaction("trig-11", &give),
            Some((
                _,
                SlackDelivery::OpenDose {
                    medication_id: 12,
                    ..
                }
            ))
        ));
        let stop: SlackInteractionEvent = serde_json::from_value(home_button_click(
            "T0TEAM",
            "U0ANA",
            "mednanny-choice-med2",
            "stop #12",
            "trig-12",
        ))
        .expect("an interaction");
        assert!(matches!(
            from_interaction("trig-12", &stop),
            Some((_, SlackDelivery::Button { ref channel, ref value, .. })) if channel.is_empty() && value == "stop #12"
        ));
    }

    fn push(value: serde_json::Value) -> SlackPushEventCallback {
        serde_json::from_value(value).expect("a push event")
    }

    #[test]
    fn a_dm_is_kept_with_its_event_id_as_key() {
        let (key, delivery) = from_push(&push(message_im(
            "T1",
            "U1",
            "D1",
            "gave Emma 5 ml Tylenol",
            "Ev42",
            "1700000000.000100",
        )))
        .expect("answered");
        assert_eq!(key, "slack:ev:Ev42");
        assert_eq!(
            delivery,
            SlackDelivery::Message {
                team: "T1".into(),
                user: "U1".into(),
                channel: "D1".into(),
                text: "gave Emma 5 ml Tylenol".into(),
                ts: "1700000000.000100".into(),
                mention: false,
                file: None,
            }
        );
    }

    #[test]
    fn an_audio_clip_or_a_photo_is_kept_with_its_private_url() {
        let clip = test_support::file_share_im(
            "T1",
            "U1",
            "D1",
            "",
            "Ev50",
            "1700000050.000100",
            &test_support::slack_audio_clip(
                "https://files.slack.com/files-pri/T1-F1/download/clip.webm",
                "audio/webm",
            ),
        );
        let (key, delivery) = from_push(&push(clip)).expect("answered");
        assert_eq!(key, "slack:ev:Ev50");
        match delivery {
            SlackDelivery::Message { file, text, .. } => {
                assert_eq!(text, "");
                assert_eq!(
                    file,
                    Some(SharedFile {
                        kind: FileKind::Audio,
                        url: "https://files.slack.com/files-pri/T1-F1/download/clip.webm".into(),
                        mimetype: "audio/webm".into(),
                    })
                );
            }
            other => panic!("{other:?}"),
        }
        // A PDF shared is not read, and so not answered (as before files were read).
        let pdf = test_support::file_share_im(
            "T1",
            "U1",
            "D1",
            "",
            "Ev51",
            "1700000051.000100",
            &test_support::slack_image("https://files.slack.com/x.pdf", "application/pdf"),
        );
        assert_eq!(from_push(&push(pdf)), None);
        let cases = [
            ("audio/mp4", Some(FileKind::Audio)),
            ("video/mp4", Some(FileKind::Audio)),
            ("audio/webm; codecs=opus", Some(FileKind::Audio)),
            ("image/jpeg", Some(FileKind::Image)),
            ("image/svg+xml", None),
            ("application/pdf", None),
        ];
        for (mimetype, kind) in cases {
            assert_eq!(FileKind::of(mimetype), kind, "{mimetype}");
        }
        // A delivery stored before files were read still reads.
        let old: SlackDelivery = serde_json::from_str(
            r#"{"kind":"message","team":"T1","user":"U1","channel":"D1","text":"hi","ts":"1.1","mention":false}"#,
        )
        .expect("an old delivery");
        assert!(matches!(old, SlackDelivery::Message { file: None, .. }));
    }

    #[test]
    fn the_bots_own_messages_are_ignored() {
        let mut value = message_im("T1", "U0BOT", "D1", "Logged.", "Ev1", "1.1");
        value["event"]["bot_id"] = "B0BOT".into();
        assert_eq!(from_push(&push(value)), None);
        let mut edited = message_im("T1", "U1", "D1", "x", "Ev2", "1.2");
        edited["event"]["subtype"] = "message_changed".into();
        assert_eq!(from_push(&push(edited)), None);
    }

    #[test]
    fn a_mention_loses_the_mention_and_keeps_its_thread() {
        let (_, delivery) = from_push(&push(app_mention(
            "T1",
            "U1",
            "C1",
            "<@U0BOT> last doses for Leo",
            "Ev3",
            "1700000000.000200",
        )))
        .expect("answered");
        match delivery {
            SlackDelivery::Message {
                text, mention, ts, ..
            } => {
                assert_eq!(text, "last doses for Leo");
                assert!(mention);
                assert_eq!(ts, "1700000000.000200");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn home_commands_and_buttons_are_read() {
        let (_, home) = from_push(&push(app_home_opened("T1", "U1", "Ev4"))).expect("home");
        assert_eq!(
            home,
            SlackDelivery::HomeOpened {
                team: "T1".into(),
                user: "U1".into()
            }
        );

        let command: SlackCommandEvent =
            serde_json::from_value(slash_command("T1", "U1", "C1", "kids", "http://r/1"))
                .expect("command");
        let (key, delivery) = from_command("trigger-9", &command);
        assert_eq!(key, "slack:trigger:trigger-9");
        assert_eq!(delivery.kind(), "slash_command");

        let click: SlackInteractionEvent = serde_json::from_value(button_click(
            "T1",
            "U1",
            "D1",
            "mednanny-choice-0",
            "yes",
            "http://r/2",
            "1.5",
        ))
        .expect("click");
        let (_, delivery) = from_interaction("env-10", &click).expect("ours");
        match delivery {
            SlackDelivery::Button {
                value, message_ts, ..
            } => {
                assert_eq!(value, "yes");
                assert_eq!(message_ts.as_deref(), Some("1.5"));
            }
            other => panic!("{other:?}"),
        }
        let foreign: SlackInteractionEvent = serde_json::from_value(button_click(
            "T1",
            "U1",
            "D1",
            "someone-elses-button",
            "x",
            "http://r/3",
            "1.6",
        ))
        .expect("click");
        assert_eq!(from_interaction("env-11", &foreign), None);
    }
}
