//! The Socket Mode side: `GET /link?ticket=N` upgraded to a WebSocket.
//!
//! Protocol, as Slack runs it and as slack-morphism expects it:
//!
//! 1. The client calls `apps.connections.open` (app token) and gets a single-use URL.
//! 2. On connect the server sends `hello` first; only then is the socket "live" here.
//! 3. The server sends envelopes `{"type":kind,"envelope_id":…,"payload":…,
//!    "accepts_response_payload":…,"retry_attempt":…,"retry_reason":…}`.
//! 4. The client answers each with `{"envelope_id":…}` or `{"envelope_id":…,"payload":…}`.
//! 5. To recycle a socket the server sends `{"type":"disconnect","reason":…}` and closes a
//!    little later; the client opens a new socket meanwhile.
//!
//! Each socket is one task owning the `WebSocket`; the rest of the fake talks to it through
//! an unbounded command queue, so senders never wait on a slow socket. WebSocket pings
//! from the client are answered by tungstenite itself (it queues the pong on read and
//! flushes it on the next read or write, and this task is always reading).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::server::{lock, Shared, SocketHandle};
use crate::APP_ID;

/// How long [`deliver`] waits for a live socket before giving up.
const NO_SOCKET_WAIT: Duration = Duration::from_secs(10);

pub(crate) enum SocketCommand {
    /// A text frame to send (an envelope).
    Frame(String),
    /// Send `disconnect`, keep reading acks, close with a close frame after `close_after`.
    Disconnect {
        reason: String,
        close_after: Duration,
    },
    /// Drop the connection with no close frame.
    Drop,
}

/// The URL `apps.connections.open` answers with; registers a fresh single-use ticket.
pub(crate) fn issue_url(shared: &Shared) -> String {
    let ticket = shared.next_ticket.fetch_add(1, Ordering::Relaxed);
    lock(&shared.tickets).insert(ticket);
    shared.urls_issued.fetch_add(1, Ordering::Relaxed);
    format!("{}/link?ticket={ticket}", shared.ws_base)
}

/// `GET /link?ticket=N`: upgrade if the ticket was issued and not used yet, else 401.
/// Other query parameters (slack-morphism's `debug_reconnects=true`) are ignored.
pub(crate) async fn link(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    upgrade: WebSocketUpgrade,
) -> Response {
    let ticket = uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "ticket")
            .and_then(|(_, v)| v.parse::<u64>().ok())
    });
    let valid = ticket.is_some_and(|t| lock(&shared.tickets).remove(&t));
    if !valid {
        return (StatusCode::UNAUTHORIZED, "invalid or used ticket").into_response();
    }
    upgrade.on_upgrade(move |socket| run_socket(shared, socket))
}

fn hello_frame(num_connections: usize) -> String {
    json!({
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {
            "host": "fake",
            "build_number": 1,
            "approximate_connection_time": 3600
        },
        "connection_info": { "app_id": APP_ID }
    })
    .to_string()
}

fn disconnect_frame(reason: &str) -> String {
    json!({
        "type": "disconnect",
        "reason": reason,
        "debug_info": { "host": "fake" }
    })
    .to_string()
}

/// The text of one envelope frame.
pub(crate) fn envelope_frame(
    envelope_id: &str,
    kind: &str,
    payload: Value,
    retry_attempt: u32,
) -> String {
    // Slack lets the app answer in the ack only where the answer means something:
    // slash commands (the reply message), view submissions and options requests.
    let accepts_response_payload = match kind {
        "slash_commands" => true,
        "interactive" => matches!(
            payload.get("type").and_then(Value::as_str),
            Some("view_submission" | "block_suggestion")
        ),
        _ => false,
    };
    json!({
        "type": kind,
        "envelope_id": envelope_id,
        "payload": payload,
        "accepts_response_payload": accepts_response_payload,
        "retry_attempt": retry_attempt,
        "retry_reason": if retry_attempt > 0 { "timeout" } else { "" }
    })
    .to_string()
}

/// Queues `frame` on a live socket chosen round-robin, waiting for one if there is none.
pub(crate) async fn deliver(shared: &Arc<Shared>, envelope_id: &str, frame: String) {
    let deadline = tokio::time::Instant::now() + NO_SOCKET_WAIT;
    let mut live = shared.live_changed.subscribe();
    let mut frame = frame;
    loop {
        let chosen = {
            let sockets = lock(&shared.sockets);
            if sockets.is_empty() {
                None
            } else {
                let i = shared.round_robin.fetch_add(1, Ordering::Relaxed) % sockets.len();
                sockets.get(i).map(|s| (s.id, s.commands.clone()))
            }
        };
        match chosen {
            Some((id, commands)) => {
                shared.record_delivery(envelope_id);
                match commands.send(SocketCommand::Frame(frame)) {
                    Ok(()) => return,
                    Err(mpsc::error::SendError(returned)) => {
                        // The socket's task is gone; forget it and pick another.
                        shared.unregister_socket(id);
                        // The queue hands back what it was given: a Frame.
                        let SocketCommand::Frame(returned) = returned else {
                            return;
                        };
                        frame = returned;
                    }
                }
            }
            None => {
                let waited =
                    tokio::time::timeout_at(deadline, live.wait_for(|count| *count > 0)).await;
                assert!(
                    matches!(waited, Ok(Ok(_))),
                    "fake Slack: no live Socket Mode connection within {NO_SOCKET_WAIT:?} \
                     to deliver envelope {envelope_id}"
                );
            }
        }
    }
}

async fn run_socket(shared: Arc<Shared>, mut socket: WebSocket) {
    let id = shared.next_socket_id.fetch_add(1, Ordering::Relaxed);
    if socket
        .send(Message::Text(hello_frame(shared.live_count() + 1).into()))
        .await
        .is_err()
    {
        return;
    }
    let (commands, mut queue) = mpsc::unbounded_channel();
    shared.register_socket(SocketHandle { id, commands });

    let mut shutdown = shared.shutdown.subscribe();
    let mut close_at: Option<tokio::time::Instant> = None;
    loop {
        let close_timer = async {
            match close_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => read_ack(&shared, id, text.as_str()),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                // Pings are answered by tungstenite; pongs and binary frames mean nothing here.
                Some(Ok(_)) => {}
            },
            command = queue.recv() => match command {
                Some(SocketCommand::Frame(frame)) => {
                    if socket.send(Message::Text(frame.into())).await.is_err() {
                        break;
                    }
                }
                Some(SocketCommand::Disconnect { reason, close_after }) => {
                    shared.unregister_socket(id);
                    if socket.send(Message::Text(disconnect_frame(&reason).into())).await.is_err() {
                        break;
                    }
                    close_at = Some(tokio::time::Instant::now() + close_after);
                }
                // Dropping the socket without a close frame is the whole point.
                Some(SocketCommand::Drop) | None => break,
            },
            () = close_timer => {
                let _ = socket
                    .send(Message::Close(Some(CloseFrame {
                        code: 1001,
                        reason: "going away".into(),
                    })))
                    .await;
                break;
            }
            _ = shutdown.changed() => break,
        }
    }
    shared.unregister_socket(id);
}

/// Records a client frame that carries an `envelope_id` (an ack); ignores anything else.
fn read_ack(shared: &Shared, socket_id: u64, text: &str) {
    let Ok(Value::Object(mut frame)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Some(Value::String(envelope_id)) = frame.remove("envelope_id") else {
        return;
    };
    let payload = frame.remove("payload");
    shared.record_ack(socket_id, envelope_id, payload);
}

#[cfg(test)]
mod tests {
    //! slack-morphism 2.31.1 keeps its Socket Mode frame types (`SlackSocketModeEvent`,
    //! `SlackSocketModeHelloEvent`…) unnameable from outside (a private `models` module,
    //! re-exported under a name its own `socket_mode` module shadows), so these tests mirror
    //! their required fields and deserialize the payloads into the public payload types.
    //! `tests/socket_mode.rs` runs the real listener for the end-to-end proof.

    use super::*;
    use slack_morphism::prelude::*;

    /// The fields slack-morphism's hello model requires.
    #[derive(serde::Deserialize)]
    struct Hello {
        r#type: String,
        num_connections: u32,
        connection_info: ConnectionInfo,
        debug_info: DebugInfo,
    }
    #[derive(serde::Deserialize)]
    struct ConnectionInfo {
        app_id: String,
    }
    #[derive(serde::Deserialize)]
    struct DebugInfo {
        host: String,
    }
    #[derive(serde::Deserialize)]
    struct Disconnect {
        r#type: String,
        reason: String,
        debug_info: DebugInfo,
    }
    /// The envelope fields slack-morphism's envelope models require, payload left generic.
    #[derive(serde::Deserialize)]
    struct Envelope<P> {
        r#type: String,
        envelope_id: String,
        accepts_response_payload: bool,
        payload: P,
    }

    #[test]
    fn hello_has_what_slack_morphism_requires() {
        let hello: Hello = serde_json::from_str(&hello_frame(2)).expect("hello parses");
        assert_eq!(hello.r#type, "hello");
        assert_eq!(hello.num_connections, 2);
        assert_eq!(hello.connection_info.app_id, APP_ID);
        assert_eq!(hello.debug_info.host, "fake");
    }

    #[test]
    fn disconnect_has_what_slack_morphism_requires() {
        let d: Disconnect =
            serde_json::from_str(&disconnect_frame("refresh_requested")).expect("parses");
        assert_eq!(d.r#type, "disconnect");
        assert_eq!(d.reason, "refresh_requested");
        assert_eq!(d.debug_info.host, "fake");
    }

    #[test]
    fn events_api_envelope_carries_a_slack_morphism_push_event() {
        let payload = crate::message_im("T1", "U1", "D1", "hi", "Ev1", "1700000000.000100");
        let frame = envelope_frame("env-1", "events_api", payload, 0);
        let e: Envelope<SlackPushEventCallback> = serde_json::from_str(&frame).expect("parses");
        assert_eq!(e.r#type, "events_api");
        assert_eq!(e.envelope_id, "env-1");
        assert!(!e.accepts_response_payload);
        assert!(matches!(
            e.payload.event,
            SlackEventCallbackBody::Message(_)
        ));
    }

    #[test]
    fn slash_command_envelope_carries_a_slack_morphism_command_event() {
        let payload = crate::slash_command("T1", "U1", "D1", "dose", "http://x/response/1");
        let frame = envelope_frame("env-2", "slash_commands", payload, 1);
        let e: Envelope<SlackCommandEvent> = serde_json::from_str(&frame).expect("parses");
        assert_eq!(e.r#type, "slash_commands");
        assert!(e.accepts_response_payload);
        assert_eq!(e.payload.command.0, "/mednanny");
        let raw: Value = serde_json::from_str(&frame).expect("JSON");
        assert_eq!(raw["retry_attempt"], 1);
        assert_eq!(raw["retry_reason"], "timeout");
    }

    #[test]
    fn interactive_envelope_carries_a_slack_morphism_interaction_event() {
        let payload = crate::button_click(
            "T1",
            "U1",
            "D1",
            "dose_given",
            "42",
            "http://x/response/2",
            "1700000000.000100",
        );
        let frame = envelope_frame("env-3", "interactive", payload, 0);
        let e: Envelope<SlackInteractionEvent> = serde_json::from_str(&frame).expect("parses");
        assert_eq!(e.r#type, "interactive");
        assert!(!e.accepts_response_payload);
        assert!(matches!(e.payload, SlackInteractionEvent::BlockActions(_)));
    }
}
