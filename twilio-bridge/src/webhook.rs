//! The bridge's HTTP routes: Twilio's webhooks, health, and the bot's internal call.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use mednanny_core::inbox::{Accepted, NewDelivery};
use mednanny_core::whatsapp::{WhatsappInbound, CHANNEL};

use crate::{signature, Shared};

/// TwiML that sends nothing: replies go out through the REST API once the bot has answered.
const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

pub(crate) fn router(shared: Arc<Shared>, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/twilio/whatsapp", post(inbound))
        .route("/twilio/status", post(status))
        .route("/internal/outbox", post(outbox_waiting))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        // Beyond this, 413 before the body is read.
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(shared)
}

/// Why a webhook was refused.
enum Refusal {
    NotForm,
    Malformed,
    BadSignature,
    NotReady,
    Unavailable,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            Refusal::NotForm => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected application/x-www-form-urlencoded",
            ),
            Refusal::Malformed => (StatusCode::BAD_REQUEST, "malformed webhook"),
            Refusal::BadSignature => (StatusCode::FORBIDDEN, "invalid signature"),
            Refusal::NotReady => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
            Refusal::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "try again"),
        };
        (status, text).into_response()
    }
}

/// The form parameters of a request whose signature is Twilio's, checked over the public URL of
/// `path` (with the request's query string, which Twilio signs too).
fn signed_form(
    shared: &Shared,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, Refusal> {
    if !shared.ready.load(Ordering::Acquire) {
        return Err(Refusal::NotReady);
    }
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or(Refusal::BadSignature)?;
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Err(Refusal::NotForm);
    }
    let body = std::str::from_utf8(body).map_err(|_| Refusal::Malformed)?;
    let params: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("{}{path_and_query}", shared.account.public_url);
    if !signature::is_valid(&shared.tokens, &url, &params, given) {
        return Err(Refusal::BadSignature);
    }
    Ok(params)
}

/// An inbound WhatsApp message: kept, then answered with empty TwiML.
async fn inbound(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let params = signed_form(&shared, &uri, &headers, &body)?;
    let params: BTreeMap<String, String> = params.into_iter().collect();
    let sid_ok = params
        .get("MessageSid")
        .is_some_and(|sid| !sid.is_empty() && sid.len() <= 64);
    let from_ok = params
        .get("From")
        .is_some_and(|f| f.starts_with("whatsapp:+"));
    if !sid_ok || !from_ok {
        return Err(Refusal::Malformed);
    }
    let delivery = WhatsappInbound::Message { params };
    let payload = serde_json::to_string(&delivery).map_err(|_| Refusal::Malformed)?;
    let accepted = shared
        .inbox
        .accept(NewDelivery {
            channel: CHANNEL.into(),
            delivery_key: delivery.delivery_key(),
            kind: delivery.kind().into(),
            payload,
        })
        .await;
    match accepted {
        Ok(Accepted::New(_)) => shared.tell_bot.notify_one(),
        // Twilio's retry of a message already kept: answered the same, kept once.
        Ok(Accepted::Repeat) => {}
        Err(error) => {
            tracing::error!(%error, "a WhatsApp message could not be kept; Twilio will retry");
            return Err(Refusal::Unavailable);
        }
    }
    Ok(([(header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response())
}

/// A status callback: the message's delivery state. Outside WhatsApp's 24-hour window (63016) the
/// bot is told, so the member hears of it on Slack.
async fn status(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let params = signed_form(&shared, &uri, &headers, &body)?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(sid), Some(state)) = (get("MessageSid"), get("MessageStatus")) else {
        return Err(Refusal::Malformed);
    };
    let code = get("ErrorCode").and_then(|c| c.parse::<i32>().ok());
    match shared.outbox.delivery_status(sid, state, code).await {
        Ok(Some(change)) if change.status == "undeliverable" => {
            crate::sender::report_undeliverable(&shared, change.id, &change.recipient).await;
        }
        Ok(_) => {}
        Err(error) => {
            tracing::error!(%error, "a status callback could not be recorded; Twilio will retry");
            return Err(Refusal::Unavailable);
        }
    }
    Ok(StatusCode::OK.into_response())
}

/// The bot queued replies.
async fn outbox_waiting(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> StatusCode {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !shared.secret.matches_bearer(given) {
        return StatusCode::UNAUTHORIZED;
    }
    shared.send_now.notify_one();
    StatusCode::NO_CONTENT
}

async fn readyz(State(shared): State<Arc<Shared>>) -> (StatusCode, &'static str) {
    if !shared.ready.load(Ordering::Acquire) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database not migrated yet\n",
        );
    }
    if shared.inbox.ping().await {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    }
}
