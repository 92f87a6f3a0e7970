//! Socket Mode: the connections to Slack, and what happens to an envelope before it is acknowledged.
//!
//! slack-morphism writes the ack when a callback returns, and reads a connection's next envelope only
//! after that, so callbacks do the least that makes the ack honest: keep the delivery in the durable
//! inbox (one small, group-committed insert) and hand it to the workers. A callback that cannot keep
//! it returns an error, which sends no ack, so Slack delivers it again. While shutting down, callbacks
//! refuse the same way and Slack hands the envelope to another connection or a later start.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use mednanny_core::inbox::{Accepted, Inbox, NewDelivery};
use slack_morphism::errors::{SlackClientError, SlackClientSystemError};
use slack_morphism::prelude::*;

use super::api::https_connector;
use super::envelope::{self, SlackDelivery};
use super::modal;
use super::reconnect::{Backoff, BackoffConnector, ReconnectPolicy};
use super::render::escape;
use super::worker::{Dispatcher, Job};

/// What the callbacks share (slack-morphism callbacks are plain functions; this rides in the
/// listener's user state).
pub struct Intake {
    pub inbox: Inbox,
    pub dispatcher: Arc<Dispatcher>,
    /// Cleared at shutdown: envelopes are then left unacknowledged for Slack to redeliver.
    pub accepting: AtomicBool,
    /// Set by the first `hello`: Slack is connected (for /readyz).
    pub connected: Arc<AtomicBool>,
}

#[derive(Debug, thiserror::Error)]
enum IntakeError {
    #[error("shutting down; the envelope is left for Slack to redeliver")]
    ShuttingDown,
    #[error("the inbox could not keep the envelope: {0}")]
    Inbox(#[from] mednanny_core::inbox::InboxError),
    #[error("the listener has no intake")]
    Unconfigured,
    #[error("the delivery could not be serialized: {0}")]
    Serialize(#[from] serde_json::Error),
}

impl Intake {
    /// Keeps a delivery and queues it, unless it is a redelivery.
    async fn take(&self, key: String, delivery: SlackDelivery) -> Result<(), IntakeError> {
        if !self.accepting.load(Ordering::Acquire) {
            return Err(IntakeError::ShuttingDown);
        }
        let payload = serde_json::to_string(&delivery)?;
        let accepted = self
            .inbox
            .accept(NewDelivery {
                channel: "slack".into(),
                delivery_key: key.clone(),
                kind: delivery.kind().into(),
                payload,
            })
            .await?;
        match accepted {
            Accepted::New(id) => {
                self.dispatcher.submit(Job { id, key, delivery });
            }
            Accepted::Repeat => tracing::info!(kind = delivery.kind(), "redelivery ignored"),
        }
        Ok(())
    }
}

async fn intake_of(state: &SlackClientEventsUserState) -> Result<Arc<Intake>, IntakeError> {
    state
        .read()
        .await
        .get_user_state::<Arc<Intake>>()
        .cloned()
        .ok_or(IntakeError::Unconfigured)
}

async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<SocketModeClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let Some((key, delivery)) = envelope::from_push(&event) {
        intake_of(&state).await?.take(key, delivery).await?;
    }
    Ok(())
}

/// A slash command is acknowledged with the command itself, shown only to the asker (Slack does
/// not echo it otherwise); the answer follows through the response URL.
async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SocketModeClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    // Slash commands carry no event id; the trigger id is unique per invocation and repeated when
    // Slack redelivers the same envelope.
    let (key, delivery) = envelope::from_command(event.trigger_id.as_ref(), &event);
    // What they typed, shown back as code: cleaned like any message, its backticks (and other
    // marks) made inert and on one line, so it cannot leave the code span.
    let typed = mednanny_core::domain::text::one_line(event.text.as_deref().unwrap_or_default());
    let echo = format!(
        "`{} {}`",
        event.command,
        escape(&crate::markup::inert(&typed))
    );
    intake_of(&state).await?.take(key, delivery).await?;
    Ok(
        SlackCommandEventResponse::new(SlackMessageContent::new().with_text(echo))
            .with_response_type(SlackMessageResponseType::Ephemeral),
    )
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SocketModeClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackInteractionResponse> {
    let trigger = match &event {
        SlackInteractionEvent::BlockActions(click) => click.trigger_id.to_string(),
        SlackInteractionEvent::Shortcut(shortcut) => shortcut.trigger_id.to_string(),
        SlackInteractionEvent::ViewSubmission(submission) => {
            return on_submission(submission, &state).await;
        }
        _ => return Ok(SlackInteractionResponse::Empty),
    };
    if let Some((key, delivery)) = envelope::from_interaction(&trigger, &event) {
        intake_of(&state).await?.take(key, delivery).await?;
    }
    Ok(SlackInteractionResponse::Empty)
}

/// A modal was submitted: its fields are read now, so that a field that does not read is shown
/// on that field at once (`response_action: errors`) and nothing is kept; a valid form is kept in
/// the inbox like any delivery, and the empty ack closes the modal.
async fn on_submission(
    submission: &SlackInteractionViewSubmissionEvent,
    state: &SlackClientEventsUserState,
) -> UserCallbackResult<SlackInteractionResponse> {
    match modal::read_submission(&submission.view) {
        modal::Submitted::NotOurs => Ok(SlackInteractionResponse::Empty),
        modal::Submitted::Problems(errors) => Ok(SlackViewSubmissionResponse::Errors(
            SlackViewSubmissionErrorsResponse::new(errors),
        )
        .into()),
        modal::Submitted::Said(text) => {
            let (team, key) = submission_origin(submission);
            // Said in the person's DM (an empty channel), where the answer and any question go.
            let delivery = SlackDelivery::Message {
                team,
                user: submission.user.id.to_string(),
                channel: String::new(),
                text,
                ts: String::new(),
                mention: false,
                file: None,
            };
            intake_of(state).await?.take(key, delivery).await?;
            Ok(SlackInteractionResponse::Empty)
        }
        modal::Submitted::Form { form, text } => {
            let (team, key) = submission_origin(submission);
            let delivery = SlackDelivery::FormSubmitted {
                team,
                user: submission.user.id.to_string(),
                form,
                text,
            };
            intake_of(state).await?.take(key, delivery).await?;
            Ok(SlackInteractionResponse::Empty)
        }
    }
}

/// Whose submission it is (their team), and its inbox key: the trigger id, which a redelivery
/// repeats; the view id and hash tell two submissions of one modal apart when Slack sends none.
fn submission_origin(submission: &SlackInteractionViewSubmissionEvent) -> (String, String) {
    let team = submission
        .user
        .team_id
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_else(|| submission.team.id.to_string());
    let key = match &submission.trigger_id {
        Some(trigger) => format!("slack:trigger:{trigger}"),
        None => format!(
            "slack:view:{}:{}",
            submission.view.state_params.id, submission.view.state_params.hash
        ),
    };
    (team, key)
}

/// Logs why an envelope was not acknowledged (never its content) and answers with an error status,
/// which makes slack-morphism skip the ack so that Slack redelivers.
fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SocketModeClient>,
    _state: SlackClientEventsUserState,
) -> HttpStatusCode {
    tracing::warn!(%error, "envelope not acknowledged");
    HttpStatusCode::SERVICE_UNAVAILABLE
}

/// Tuning of the Socket Mode connections.
#[derive(Debug, Clone, Copy)]
pub struct ListenerOptions {
    pub connections: u32,
    /// How (re)connection attempts are spaced when they fail.
    pub reconnect: ReconnectPolicy,
}

/// The connector of the client that opens Socket Mode connections: `apps.connections.open` calls
/// only, each on a fresh connection, spaced by the reconnection backoff.
pub type SocketModeConnector =
    SlackClientHyperConnector<BackoffConnector<HttpsConnector<HttpConnector>>>;

/// The client the Socket Mode callbacks are handed (they do not use it: replies go through
/// [`super::api::SlackApi`]).
type SocketModeClient = SlackClient<SocketModeConnector>;

/// Opens the connections and starts reading envelopes.
pub async fn start(
    api_url: &str,
    app_token: &str,
    intake: Arc<Intake>,
    options: ListenerOptions,
) -> Result<SlackClientSocketModeListener<SocketModeConnector>, SlackClientError> {
    let backoff = Backoff::new(options.reconnect);
    // One request per connection: HTTP/1 is all it needs.
    let https = https_connector(false).map_err(|e| {
        SlackClientError::SystemError(SlackClientSystemError::new().with_message(e.to_string()))
    })?;
    let connector =
        SlackClientHyperConnector::with_connector(BackoffConnector::new(https, backoff.clone()))
            .with_slack_api_url(api_url.trim_end_matches('/'));
    let client = Arc::new(SlackClient::new(connector));
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_push_events(on_push)
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_hello_events(|_hello, _client, state| async move {
            if let Some(backoff) = state.read().await.get_user_state::<Backoff>() {
                backoff.connected();
            }
            if let Ok(intake) = intake_of(&state).await {
                intake.connected.store(true, Ordering::Release);
                tracing::info!("connected to Slack");
            }
        });
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(client)
            .with_error_handler(on_error)
            .with_user_state(intake)
            .with_user_state(backoff),
    );
    let config = SlackClientSocketModeConfig::new()
        .with_max_connections_count(options.connections)
        // Connections start together; slack-morphism's default staggers them 5 s apart.
        .with_initial_backoff_in_seconds(0)
        // slack-morphism's fixed pause after a failed attempt (at least 1: it builds an interval
        // from it); the growing wait is `reconnect`'s, on top.
        .with_reconnect_timeout_in_seconds(1);
    let listener = SlackClientSocketModeListener::new(&config, environment, callbacks);
    listener
        .listen_for(&SlackApiToken::new(app_token.into()))
        .await?;
    listener.start().await;
    Ok(listener)
}
