//! Builders for the payloads Slack puts inside Socket Mode envelopes.
//!
//! Each mirrors what Slack really sends (field names and nesting from Slack's docs and
//! slack-morphism's models), trimmed to what slack-morphism requires plus what a bot is
//! likely to read. The unit tests below deserialize every builder's output into the
//! slack-morphism type the listener hands to the bot, and check the variant: for events,
//! slack-morphism falls back to `SlackEventCallbackBody::Unknown` on a shape mismatch
//! instead of failing, so "it parsed" alone would prove nothing.

use serde_json::{json, Value};

use crate::{APP_ID, BOT_ID, BOT_USER_ID, SLASH_COMMAND, TEAM_DOMAIN};

/// `event_time` (whole seconds) from a message ts like `1700000000.000100`.
fn event_time(ts: &str) -> u64 {
    ts.split('.')
        .next()
        .and_then(|secs| secs.parse().ok())
        .unwrap_or(1_700_000_000)
}

/// The `event_callback` wrapper every Events API payload shares.
fn event_callback(team: &str, event: Value, event_id: &str, event_time: u64) -> Value {
    json!({
        "token": "fake-verification-token",
        "team_id": team,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [{
            "enterprise_id": null,
            "team_id": team,
            "user_id": BOT_USER_ID,
            "is_bot": true,
            "is_enterprise_install": false
        }],
        "is_ext_shared_channel": false,
        "event_context": format!("4-fake-{event_id}")
    })
}

/// A direct message from `user` to the bot (Events API `message`, `channel_type: "im"`).
pub fn message_im(
    team: &str,
    user: &str,
    channel: &str,
    text: &str,
    event_id: &str,
    ts: &str,
) -> Value {
    let event = json!({
        "type": "message",
        "client_msg_id": format!("cm-{event_id}"),
        "user": user,
        "text": text,
        "ts": ts,
        "team": team,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im"
    });
    event_callback(team, event, event_id, event_time(ts))
}

/// A DM with a file shared (Events API `message`, `subtype: "file_share"`): an audio clip
/// recorded in Slack, a photo. `file` is one of Slack's file objects ([`slack_audio_clip`],
/// [`slack_image`]).
pub fn file_share_im(
    team: &str,
    user: &str,
    channel: &str,
    text: &str,
    event_id: &str,
    ts: &str,
    file: &Value,
) -> Value {
    let event = json!({
        "type": "message",
        "subtype": "file_share",
        "client_msg_id": format!("cm-{event_id}"),
        "user": user,
        "text": text,
        "ts": ts,
        "team": team,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im",
        "upload": false,
        "display_as_bot": false,
        "files": [file],
    });
    event_callback(team, event, event_id, event_time(ts))
}

/// A clip recorded in Slack's message box, as a file object (`subtype: "slack_audio"`), its
/// download at `url` (Slack's `url_private_download`).
pub fn slack_audio_clip(url: &str, mimetype: &str) -> Value {
    json!({
        "id": "F0CLIP",
        "created": 1_700_000_000u64,
        "timestamp": 1_700_000_000u64,
        "name": "audio_message.webm",
        "title": "audio_message.webm",
        "mimetype": mimetype,
        "filetype": "webm",
        "pretty_type": "WebM",
        "user": "U0ANY",
        "subtype": "slack_audio",
        "mode": "hosted",
        "editable": false,
        "is_external": false,
        "external_type": "",
        "size": 2048,
        "url_private": url,
        "url_private_download": url,
        "duration_ms": 3000,
        "is_public": false,
        "public_url_shared": false,
    })
}

/// A photo shared in Slack, as a file object, its download at `url`.
pub fn slack_image(url: &str, mimetype: &str) -> Value {
    json!({
        "id": "F0PHOTO",
        "created": 1_700_000_000u64,
        "timestamp": 1_700_000_000u64,
        "name": "label.jpg",
        "title": "label.jpg",
        "mimetype": mimetype,
        "filetype": "jpg",
        "pretty_type": "JPEG",
        "user": "U0ANY",
        "mode": "hosted",
        "editable": false,
        "is_external": false,
        "external_type": "",
        "size": 4096,
        "url_private": url,
        "url_private_download": url,
        "is_public": false,
        "public_url_shared": false,
    })
}

/// `@mednanny …` in a channel (Events API `app_mention`).
pub fn app_mention(
    team: &str,
    user: &str,
    channel: &str,
    text: &str,
    event_id: &str,
    ts: &str,
) -> Value {
    let event = json!({
        "type": "app_mention",
        "client_msg_id": format!("cm-{event_id}"),
        "user": user,
        "text": text,
        "ts": ts,
        "team": team,
        "channel": channel,
        "event_ts": ts
    });
    event_callback(team, event, event_id, event_time(ts))
}

/// `user` opened the bot's Home tab (Events API `app_home_opened`, `tab: "home"`). The DM
/// channel is `D` + user id, the same id the fake's `conversations.open` returns.
pub fn app_home_opened(team: &str, user: &str, event_id: &str) -> Value {
    let event = json!({
        "type": "app_home_opened",
        "user": user,
        "channel": format!("D{user}"),
        "tab": "home",
        "event_ts": "1700000000.000100"
    });
    event_callback(team, event, event_id, 1_700_000_000)
}

/// `/mednanny {text}` (Socket Mode `slash_commands` payload). Slack sends every field as a
/// string, as in the HTTP form it also posts.
pub fn slash_command(
    team: &str,
    user: &str,
    channel: &str,
    text: &str,
    response_url: &str,
) -> Value {
    json!({
        "token": "fake-verification-token",
        "team_id": team,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": if channel.starts_with('D') { "directmessage" } else { "general" },
        "user_id": user,
        "user_name": user.to_lowercase(),
        "command": SLASH_COMMAND,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": format!("trigger-{user}-{}", text.len())
    })
}

/// A click on a button in a bot message (Socket Mode `interactive`, `block_actions`).
/// The clicked message is the bot's, posted at `message_ts` in `channel`.
pub fn button_click(
    team: &str,
    user: &str,
    channel: &str,
    action_id: &str,
    value: &str,
    response_url: &str,
    message_ts: &str,
) -> Value {
    json!({
        "type": "block_actions",
        "user": {
            "id": user,
            "username": user.to_lowercase(),
            "name": user.to_lowercase(),
            "team_id": team
        },
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": false
        },
        "trigger_id": format!("trigger-{user}-{action_id}"),
        "team": { "id": team, "domain": TEAM_DOMAIN },
        "is_enterprise_install": false,
        "channel": {
            "id": channel,
            "name": if channel.starts_with('D') { "directmessage" } else { "general" }
        },
        "message": {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": "",
            "ts": message_ts,
            "team": team
        },
        "state": { "values": {} },
        "response_url": response_url,
        "actions": [{
            "type": "button",
            "action_id": action_id,
            "block_id": "mednanny",
            "text": { "type": "plain_text", "text": value, "emoji": true },
            "value": value,
            "action_ts": "1700000001.000100"
        }]
    })
}

/// A click on a button of the App Home tab (Socket Mode `interactive`, `block_actions`): unlike a
/// message button there is no `channel`, `message` or `response_url`; the container is the view.
pub fn home_button_click(
    team: &str,
    user: &str,
    action_id: &str,
    value: &str,
    trigger_id: &str,
) -> Value {
    json!({
        "type": "block_actions",
        "user": {
            "id": user,
            "username": user.to_lowercase(),
            "name": user.to_lowercase(),
            "team_id": team
        },
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "container": { "type": "view", "view_id": "V0HOME" },
        "trigger_id": trigger_id,
        "team": { "id": team, "domain": TEAM_DOMAIN },
        "is_enterprise_install": false,
        "view": {
            "id": "V0HOME",
            "team_id": team,
            "type": "home",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": { "values": {} },
            "hash": "1700000000.home",
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "root_view_id": "V0HOME",
            "previous_view_id": null
        },
        "actions": [{
            "type": "button",
            "action_id": action_id,
            "block_id": "home_forms",
            "text": { "type": "plain_text", "text": value, "emoji": true },
            "value": value,
            "action_ts": "1700000001.000200"
        }]
    })
}

/// A modal submitted (Socket Mode `interactive`, `view_submission`): the view Slack opened, with
/// the state of its inputs. `values` are (block id, action id, the element's state object), such
/// as `{"type": "plain_text_input", "value": "Mia"}` or a `static_select`'s `selected_option`.
pub fn view_submission(
    team: &str,
    user: &str,
    trigger_id: &str,
    view_id: &str,
    callback_id: &str,
    private_metadata: &str,
    values: &[(&str, &str, Value)],
) -> Value {
    let mut state = serde_json::Map::new();
    for (block, action, value) in values {
        let entry = state.entry(block.to_string()).or_insert_with(|| json!({}));
        entry[*action] = value.clone();
    }
    json!({
        "type": "view_submission",
        "team": { "id": team, "domain": TEAM_DOMAIN },
        "user": {
            "id": user,
            "username": user.to_lowercase(),
            "name": user.to_lowercase(),
            "team_id": team
        },
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": team,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": { "values": state },
            "hash": format!("{view_id}.hash"),
            "title": { "type": "plain_text", "text": "MedNanny" },
            "submit": { "type": "plain_text", "text": "Save" },
            "close": { "type": "plain_text", "text": "Cancel" },
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "root_view_id": view_id,
            "previous_view_id": null
        },
        "response_urls": []
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_share_is_a_slack_morphism_message_with_its_files() {
        let ev: SlackPushEventCallback = serde_json::from_value(file_share_im(
            "T0TEAM",
            "U0ANA",
            "D0ANA",
            "",
            "Ev1",
            "1700000000.000100",
            &slack_audio_clip(
                "http://127.0.0.1:1/files-pri/F0CLIP/clip.webm",
                "audio/webm",
            ),
        ))
        .expect("deserializes as SlackPushEventCallback");
        let SlackEventCallbackBody::Message(message) = ev.event else {
            panic!("not a message: {:?}", ev.event);
        };
        assert_eq!(message.subtype, Some(SlackMessageEventType::FileShare));
        let files = message
            .content
            .and_then(|c| c.files)
            .expect("the files are read");
        assert_eq!(
            files[0].mimetype.as_ref().map(|m| m.0.as_str()),
            Some("audio/webm")
        );
        assert!(files[0].url_private_download.is_some());
    }

    #[test]
    fn home_button_click_is_a_block_action_without_a_channel() {
        let ev: SlackInteractionEvent = serde_json::from_value(home_button_click(
            "T0TEAM",
            "U0ANA",
            "act",
            "open:child",
            "trig-1",
        ))
        .expect("deserializes as SlackInteractionEvent");
        match ev {
            SlackInteractionEvent::BlockActions(b) => {
                assert!(b.channel.is_none());
                assert_eq!(b.trigger_id.to_string(), "trig-1");
                let actions = b.actions.expect("actions");
                assert_eq!(actions[0].value.as_deref(), Some("open:child"));
            }
            other => panic!("not block actions: {other:?}"),
        }
    }

    #[test]
    fn view_submission_is_a_slack_morphism_view_submission_with_its_state() {
        let ev: SlackInteractionEvent = serde_json::from_value(view_submission(
            "T0TEAM",
            "U0ANA",
            "trig-2",
            "V0MODAL",
            "cb",
            "{\"k\":1}",
            &[
                (
                    "q0",
                    "value",
                    json!({"type": "plain_text_input", "value": "Mia"}),
                ),
                (
                    "q1",
                    "value",
                    json!({"type": "static_select", "selected_option": {
                        "text": {"type": "plain_text", "text": "Emma"}, "value": "12"}}),
                ),
            ],
        ))
        .expect("deserializes as SlackInteractionEvent");
        let SlackInteractionEvent::ViewSubmission(submission) = ev else {
            panic!("not a view submission");
        };
        let SlackView::Modal(modal) = &submission.view.view else {
            panic!("not a modal");
        };
        assert_eq!(modal.callback_id.as_ref().map(|c| c.0.as_str()), Some("cb"));
        assert_eq!(modal.private_metadata.as_deref(), Some("{\"k\":1}"));
        let values = &submission
            .view
            .state_params
            .state
            .as_ref()
            .expect("state")
            .values;
        let text = &values[&SlackBlockId("q0".into())][&SlackActionId("value".into())];
        assert_eq!(text.value.as_deref(), Some("Mia"));
        let select = &values[&SlackBlockId("q1".into())][&SlackActionId("value".into())];
        assert_eq!(
            select.selected_option.as_ref().map(|o| o.value.as_str()),
            Some("12")
        );
    }
    use slack_morphism::prelude::*;

    fn push(payload: Value) -> SlackPushEventCallback {
        serde_json::from_value(payload).expect("deserializes as SlackPushEventCallback")
    }

    #[test]
    fn message_im_is_a_slack_morphism_message_event() {
        let cb = push(message_im(
            "T1",
            "U1",
            "D1",
            "hello",
            "Ev1",
            "1700000123.000200",
        ));
        assert_eq!(cb.team_id.0, "T1");
        assert_eq!(cb.event_id.0, "Ev1");
        match cb.event {
            SlackEventCallbackBody::Message(m) => {
                assert_eq!(m.sender.user.map(|u| u.0).as_deref(), Some("U1"));
                assert_eq!(m.origin.channel.map(|c| c.0).as_deref(), Some("D1"));
                assert_eq!(m.origin.channel_type.map(|c| c.0).as_deref(), Some("im"));
                assert_eq!(m.origin.ts.0, "1700000123.000200");
                assert_eq!(m.content.and_then(|c| c.text).as_deref(), Some("hello"));
                assert_eq!(m.subtype, None);
            }
            other => panic!("expected a message event, got {other:?}"),
        }
    }

    #[test]
    fn app_mention_is_a_slack_morphism_app_mention_event() {
        let cb = push(app_mention(
            "T1",
            "U1",
            "C1",
            "<@U0BOT> hi",
            "Ev2",
            "1700000000.000100",
        ));
        match cb.event {
            SlackEventCallbackBody::AppMention(m) => {
                assert_eq!(m.user.0, "U1");
                assert_eq!(m.channel.0, "C1");
                assert_eq!(m.content.text.as_deref(), Some("<@U0BOT> hi"));
            }
            other => panic!("expected an app_mention event, got {other:?}"),
        }
    }

    #[test]
    fn app_home_opened_is_a_slack_morphism_app_home_opened_event() {
        let cb = push(app_home_opened("T1", "U1", "Ev3"));
        match cb.event {
            SlackEventCallbackBody::AppHomeOpened(h) => {
                assert_eq!(h.user.0, "U1");
                assert_eq!(h.channel.0, "DU1");
                assert_eq!(h.tab.as_deref(), Some("home"));
            }
            other => panic!("expected an app_home_opened event, got {other:?}"),
        }
    }

    #[test]
    fn slash_command_is_a_slack_morphism_command_event() {
        let ev: SlackCommandEvent = serde_json::from_value(slash_command(
            "T1",
            "U1",
            "D1",
            "dose ibuprofen",
            "http://127.0.0.1:1/response/r1",
        ))
        .expect("deserializes as SlackCommandEvent");
        assert_eq!(ev.team_id.0, "T1");
        assert_eq!(ev.user_id.0, "U1");
        assert_eq!(ev.channel_id.0, "D1");
        assert_eq!(ev.command.0, "/mednanny");
        assert_eq!(ev.text.as_deref(), Some("dose ibuprofen"));
        assert_eq!(ev.response_url.0.path(), "/response/r1");
    }

    #[test]
    fn button_click_is_a_slack_morphism_block_actions_event() {
        let ev: SlackInteractionEvent = serde_json::from_value(button_click(
            "T1",
            "U1",
            "D1",
            "dose_confirm",
            "dose:42",
            "http://127.0.0.1:1/response/r2",
            "1700000000.000300",
        ))
        .expect("deserializes as SlackInteractionEvent");
        match ev {
            SlackInteractionEvent::BlockActions(b) => {
                assert_eq!(b.team.id.0, "T1");
                assert_eq!(b.user.map(|u| u.id.0).as_deref(), Some("U1"));
                assert_eq!(b.channel.map(|c| c.id.0).as_deref(), Some("D1"));
                let actions = b.actions.expect("actions");
                assert_eq!(actions.len(), 1);
                assert_eq!(actions[0].action_id.0, "dose_confirm");
                assert_eq!(actions[0].value.as_deref(), Some("dose:42"));
                assert_eq!(actions[0].action_type.0, "button");
                assert_eq!(
                    b.message.map(|m| m.origin.ts.0).as_deref(),
                    Some("1700000000.000300")
                );
                match b.container {
                    SlackInteractionActionContainer::Message(c) => {
                        assert_eq!(c.message_ts.0, "1700000000.000300");
                    }
                    other => panic!("expected a message container, got {other:?}"),
                }
                assert_eq!(
                    b.response_url.map(|u| u.0.path().to_string()).as_deref(),
                    Some("/response/r2")
                );
            }
            other => panic!("expected block_actions, got {other:?}"),
        }
    }
}
