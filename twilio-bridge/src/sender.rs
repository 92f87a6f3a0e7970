//! The outbox sender: claims due messages (each recipient's oldest, leased), sends them with
//! Twilio's Messages REST API, and records what came of it.
//!
//! What Twilio answers decides what happens next:
//! - 2xx: sent (Twilio's `SM…` id kept, for its status callbacks).
//! - 429 (its `Retry-After` honoured), 5xx, 401/403 (a token being rotated), a network error:
//!   tried again with backoff, still ahead of the recipient's later messages; failed after
//!   `outbox::MAX_ATTEMPTS`.
//! - 63016 (outside WhatsApp's 24-hour window): undeliverable, and the bot is told so the member
//!   hears of it on Slack.
//! - any other 4xx (21211 not a valid number, 21610 unsubscribed …): failed, never retried.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mednanny_core::inbox::NewDelivery;
use mednanny_core::outbox::{Content, Outgoing, TemplateKind};
use mednanny_core::whatsapp::{WhatsappInbound, CHANNEL};
use serde::Deserialize;
use tokio::task::JoinSet;

use crate::Shared;

/// How often the outbox is looked at when nobody says anything was queued.
const SWEEP: Duration = Duration::from_secs(1);

/// What came of one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Accepted {
        sid: String,
    },
    /// Try again after this long.
    Retry {
        after: Duration,
        code: Option<i32>,
    },
    Undeliverable {
        code: i32,
    },
    Failed {
        code: Option<i32>,
    },
}

/// Twilio's error body.
#[derive(Deserialize)]
struct TwilioError {
    code: Option<i32>,
}

#[derive(Deserialize)]
struct TwilioMessage {
    sid: String,
}

/// Reads Twilio's answer (pure, table-tested).
pub fn outcome(status: u16, retry_after: Option<&str>, body: &str, attempts: i32) -> Sent {
    let backoff = || {
        let seconds = 2u64.saturating_pow(attempts.clamp(0, 8) as u32).min(300);
        Duration::from_secs(seconds)
    };
    match status {
        200..=299 => match serde_json::from_str::<TwilioMessage>(body) {
            Ok(message) => Sent::Accepted { sid: message.sid },
            // Accepted, but the answer is unreadable: not sent again (that could double it).
            Err(_) => Sent::Accepted { sid: String::new() },
        },
        429 => Sent::Retry {
            after: retry_after
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(300)))
                .unwrap_or_else(backoff),
            code: Some(20429),
        },
        500..=599 | 401 | 403 => Sent::Retry {
            after: backoff(),
            code: serde_json::from_str::<TwilioError>(body)
                .ok()
                .and_then(|e| e.code),
        },
        _ => {
            let code = serde_json::from_str::<TwilioError>(body)
                .ok()
                .and_then(|e| e.code);
            match code {
                Some(63016) => Sent::Undeliverable { code: 63016 },
                code => Sent::Failed { code },
            }
        }
    }
}

pub(crate) async fn run(
    shared: Arc<Shared>,
    senders: usize,
    lease: chrono::Duration,
    stopping: Arc<AtomicBool>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap_or_default();
    let url = format!(
        "{}/2010-04-01/Accounts/{}/Messages.json",
        shared.account.api_url, shared.account.account_sid
    );
    while !stopping.load(Ordering::Acquire) {
        if !shared.ready.load(Ordering::Acquire) {
            let _ = tokio::time::timeout(SWEEP, shared.send_now.notified()).await;
            continue;
        }
        let claimed = match shared.outbox.claim((senders * 4) as u64, lease).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(%error, "cannot claim outbox messages");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            let _ = tokio::time::timeout(SWEEP, shared.send_now.notified()).await;
            continue;
        }
        // Claimed messages are for different recipients: sent side by side, `senders` at once.
        let mut sending = JoinSet::new();
        let mut accepted = Vec::new();
        for message in claimed {
            while sending.len() >= senders {
                if let Some(Ok(Some(sent))) = sending.join_next().await {
                    accepted.push(sent);
                }
            }
            let (shared, http, url) = (shared.clone(), http.clone(), url.clone());
            sending.spawn(async move { send(&shared, &http, &url, message).await });
        }
        while let Some(done) = sending.join_next().await {
            if let Ok(Some(sent)) = done {
                accepted.push(sent);
            }
        }
        // What Twilio accepted is recorded for the claimed batch at once, milliseconds after its
        // last send. A status callback usually comes later, after the carrier answers; one that
        // came sooner was kept by the outbox and is applied with the record (an undeliverable
        // message is then reported here, as the callback would have).
        match shared.outbox.sent_many(&accepted).await {
            Ok(changes) => {
                for change in changes.iter().filter(|c| c.status == "undeliverable") {
                    report_undeliverable(&shared, change.id, &change.recipient).await;
                }
            }
            // The leases run out and the messages are claimed again: at worst sent twice, never
            // lost.
            Err(error) => {
                tracing::error!(%error, messages = accepted.len(), "sends not recorded")
            }
        }
    }
}

/// Sends one message and records what came of it, except an acceptance: that is returned (the
/// message's id and Twilio's) for the batch to record together.
async fn send(
    shared: &Shared,
    http: &reqwest::Client,
    url: &str,
    message: Outgoing,
) -> Option<(i64, String)> {
    let account = &shared.account;
    let mut form: Vec<(&str, String)> = vec![
        ("To", format!("whatsapp:{}", message.recipient)),
        ("From", format!("whatsapp:{}", account.whatsapp_from)),
        (
            "StatusCallback",
            format!("{}/twilio/status", account.public_url),
        ),
    ];
    match &message.content {
        Content::Text { body } => form.push(("Body", body.clone())),
        Content::Template {
            kind,
            variables,
            fallback,
        } => {
            let templates = &account.templates;
            let sid = match kind {
                TemplateKind::Invite => &templates.invite,
                TemplateKind::Alert => &templates.alert,
                TemplateKind::Reminder => &templates.reminder,
                TemplateKind::Link => &templates.link,
            };
            if sid.trim().is_empty() {
                // No approved template (Twilio's sandbox): the same words as text.
                form.push(("Body", fallback.clone()));
            } else {
                form.push(("ContentSid", sid.trim().to_string()));
                form.push((
                    "ContentVariables",
                    serde_json::to_string(variables).unwrap_or_else(|_| "{}".into()),
                ));
            }
        }
    }
    let token = account
        .auth_tokens
        .first()
        .map(|t| t.expose())
        .unwrap_or("");
    let answer = http
        .post(url)
        .basic_auth(&account.account_sid, Some(token))
        .form(&form)
        .send()
        .await;
    let sent = match answer {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = response.text().await.unwrap_or_default();
            outcome(status, retry_after.as_deref(), &body, message.attempts)
        }
        Err(error) => {
            tracing::warn!(%error, "Twilio not reached");
            outcome(503, None, "", message.attempts)
        }
    };
    let outbox = &shared.outbox;
    let recorded = match &sent {
        Sent::Accepted { sid } => return Some((message.id, sid.clone())),
        Sent::Retry { after, code } => {
            let after = chrono::Duration::from_std(*after).unwrap_or(chrono::Duration::seconds(5));
            match outbox.retry_later(&message, after, *code).await {
                Ok(true) => {
                    tracing::warn!(id = message.id, ?code, "Twilio send failed; will retry");
                    Ok(())
                }
                Ok(false) => {
                    tracing::error!(
                        id = message.id,
                        ?code,
                        "Twilio send failed too often; given up"
                    );
                    Ok(())
                }
                Err(error) => Err(error),
            }
        }
        Sent::Undeliverable { code } => {
            let result = outbox
                .give_up(message.id, "undeliverable", Some(*code))
                .await;
            report_undeliverable(shared, message.id, &message.recipient).await;
            result
        }
        Sent::Failed { code } => {
            tracing::warn!(
                id = message.id,
                ?code,
                "Twilio refused the message; not retried"
            );
            outbox.give_up(message.id, "failed", *code).await
        }
    };
    if let Err(error) = recorded {
        // The lease runs out and the message is claimed again: at worst sent twice, never lost.
        tracing::error!(%error, id = message.id, "send outcome not recorded");
    }
    None
}

/// Keeps "this message could not be delivered" in the inbox for the bot (once per message).
pub(crate) async fn report_undeliverable(shared: &Shared, outbox_id: i64, to: &str) {
    let notice = WhatsappInbound::Undeliverable {
        to: to.to_string(),
        outbox_id,
    };
    let Ok(payload) = serde_json::to_string(&notice) else {
        return;
    };
    let kept = shared
        .inbox
        .accept(NewDelivery {
            channel: CHANNEL.into(),
            delivery_key: notice.delivery_key(),
            kind: notice.kind().into(),
            payload,
        })
        .await;
    match kept {
        Ok(_) => shared.tell_bot.notify_one(),
        Err(error) => tracing::error!(%error, "an undeliverable message was not reported"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilios_answers_decide_what_happens_next() {
        let cases: Vec<(u16, Option<&str>, &str, i32, Sent)> = vec![
            (
                201,
                None,
                r#"{"sid":"SM123","status":"queued"}"#,
                1,
                Sent::Accepted {
                    sid: "SM123".into(),
                },
            ),
            (
                429,
                Some("7"),
                r#"{"code":20429}"#,
                1,
                Sent::Retry {
                    after: Duration::from_secs(7),
                    code: Some(20429),
                },
            ),
            (
                429,
                None,
                "",
                3,
                Sent::Retry {
                    after: Duration::from_secs(8),
                    code: Some(20429),
                },
            ),
            (
                503,
                None,
                r#"{"code":20500}"#,
                2,
                Sent::Retry {
                    after: Duration::from_secs(4),
                    code: Some(20500),
                },
            ),
            (
                500,
                None,
                "oops",
                9,
                Sent::Retry {
                    after: Duration::from_secs(256),
                    code: None,
                },
            ),
            (
                400,
                None,
                r#"{"code":21211,"message":"The 'To' number is not a valid phone number."}"#,
                1,
                Sent::Failed { code: Some(21211) },
            ),
            (
                400,
                None,
                r#"{"code":21610,"message":"Attempt to send to unsubscribed recipient"}"#,
                1,
                Sent::Failed { code: Some(21610) },
            ),
            (
                400,
                None,
                r#"{"code":63016}"#,
                1,
                Sent::Undeliverable { code: 63016 },
            ),
            (404, None, "", 1, Sent::Failed { code: None }),
            (
                401,
                None,
                r#"{"code":20003}"#,
                1,
                Sent::Retry {
                    after: Duration::from_secs(2),
                    code: Some(20003),
                },
            ),
        ];
        for (status, retry_after, body, attempts, expected) in cases {
            assert_eq!(
                outcome(status, retry_after, body, attempts),
                expected,
                "{status} {body}"
            );
        }
    }
}
