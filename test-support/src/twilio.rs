//! [`FakeTwilio`]: a local stand-in for Twilio's Programmable Messaging REST API, plus the
//! pieces a test needs to play Twilio's other side (signed status callbacks and inbound
//! WhatsApp webhooks).
//!
//! Only the wire format is imitated, but that exactly, because the code under test is an
//! unmodified Twilio client pointed at [`FakeTwilio::api_url`]:
//!
//! * `POST {api_url}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth
//!   (account SID : auth token), an `x-www-form-urlencoded` body with Twilio's capitalised
//!   field names, and Twilio's answers: `201` with the message resource as JSON, or an error
//!   status with `{"code","message","more_info","status"}`. Retry logic keys on these codes
//!   and statuses (429 + `Retry-After`, 5xx retried; 4xx such as 21211/21610/63016 not), so
//!   [`Scripted`] failures use the same shapes.
//! * Webhooks Twilio sends (status callbacks, inbound messages) are form POSTs signed with
//!   `X-Twilio-Signature` ([`twilio_signature`]); receivers must reject unsigned ones, so the
//!   helpers here always sign, with the auth token the receiver is expected to know.
//!
//! Every POST to `Messages.json` is counted ([`FakeTwilio::attempts`]); accepted ones are
//! recorded ([`SentMessage`]) and can be awaited without polling ([`FakeTwilio::wait_for_sent`]).

use std::collections::VecDeque;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha1::Sha1;
use tokio::sync::{watch, Notify};

use crate::server::lock;

/// The fake account's SID: `AC` + 32 hex digits, the shape Twilio clients validate.
pub const TWILIO_ACCOUNT_SID: &str = "ACfacefacefacefacefacefacefaceface";
/// The fake account's auth token (32 hex digits): the Basic auth password, and the key of
/// every `X-Twilio-Signature` the fake computes.
pub const TWILIO_AUTH_TOKEN: &str = "0123456789abcdef0123456789abcdef";

const API_VERSION: &str = "2010-04-01";

/// One message the fake accepted (answered 201), as the client sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    /// The `SM…` sid the fake assigned and answered.
    pub sid: String,
    /// `To`, as sent (e.g. `whatsapp:+15551234567`).
    pub to: String,
    /// `From`, as sent.
    pub from: String,
    /// `Body`, for a free-form message.
    pub body: Option<String>,
    /// `ContentSid` (`HX…`), for a template message.
    pub content_sid: Option<String>,
    /// `ContentVariables`, the JSON string as sent (not re-encoded, so tests see what the
    /// client produced).
    pub content_variables: Option<String>,
    /// `StatusCallback`, exactly as sent: [`FakeTwilio::send_status`] posts and signs over it.
    pub status_callback: Option<String>,
    /// When the fake accepted it (for latency measurements).
    pub received_at: std::time::Instant,
}

/// A canned answer for the next POST to `Messages.json`, ahead of normal processing
/// (credentials are not even checked), so that retry and error handling can be driven
/// deterministically. Queued with [`FakeTwilio::script`]; not recorded as a [`SentMessage`],
/// but counted by [`FakeTwilio::attempts`].
#[derive(Debug, Clone, PartialEq)]
pub enum Scripted {
    /// HTTP 429, Twilio error 20429, with `Retry-After: {secs}` when given.
    TooManyRequests { retry_after_secs: Option<u64> },
    /// That HTTP status (500, 502, 503…) with Twilio error 20500.
    ServerError(u16),
    /// Any Twilio error, e.g. 400 + 21211 ("The 'To' number is not a valid phone number."),
    /// 400 + 21610 ("Attempt to send to unsubscribed recipient"), 400 + 63016 (outside the
    /// WhatsApp 24-hour window).
    Error {
        status: u16,
        code: u32,
        message: String,
    },
}

impl Scripted {
    fn status(&self) -> u16 {
        match self {
            Scripted::TooManyRequests { .. } => 429,
            Scripted::ServerError(status) | Scripted::Error { status, .. } => *status,
        }
    }

    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match self {
            Scripted::TooManyRequests { retry_after_secs } => {
                let mut response = error_response(status, 20429, "Too Many Requests");
                if let Some(secs) = retry_after_secs {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                response
            }
            Scripted::ServerError(_) => {
                error_response(status, 20500, "An internal server error has occurred")
            }
            Scripted::Error { code, message, .. } => error_response(status, code, &message),
        }
    }
}

/// A handle to a running fake Twilio. Cheap to clone; the server stops when the last handle
/// is dropped.
#[derive(Clone)]
pub struct FakeTwilio {
    shared: Arc<Shared>,
    _guard: Arc<StopOnDrop>,
}

/// Stops the server when the last handle goes. Apart from [`Shared`] because the server's
/// own task holds `Shared`, so a guard inside it would never drop.
struct StopOnDrop {
    shutdown: watch::Sender<bool>,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

/// Every lock is held for a push, a pop or a copy, never across an `.await`.
struct Shared {
    base: String,
    /// Part of every sid, so that two fakes in one test process never hand out the same one.
    sid_prefix: u16,
    next_sid: AtomicU64,
    sent: Mutex<Vec<SentMessage>>,
    /// Woken on every accepted message; waiters re-check `sent`.
    sent_changed: Notify,
    attempts: AtomicUsize,
    script: Mutex<VecDeque<Scripted>>,
    latency_micros: AtomicU64,
    /// Media a test put up (a voice note, a photo): (content type, bytes), by media sid.
    media: Mutex<std::collections::HashMap<String, (String, Vec<u8>)>>,
}

impl FakeTwilio {
    /// Binds `127.0.0.1:0` and serves the fake on a spawned task of the current runtime.
    pub async fn start() -> FakeTwilio {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Twilio: bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("fake Twilio: local address of the listener");
        let shared = Arc::new(Shared {
            base: format!("http://{addr}"),
            sid_prefix: addr.port(),
            next_sid: AtomicU64::new(1),
            sent: Mutex::new(Vec::new()),
            sent_changed: Notify::new(),
            attempts: AtomicUsize::new(0),
            script: Mutex::new(VecDeque::new()),
            latency_micros: AtomicU64::new(0),
            media: Mutex::new(std::collections::HashMap::new()),
        });
        let app = Router::new()
            .route(
                "/2010-04-01/Accounts/{account_sid}/Messages.json",
                post(create_message),
            )
            .route(
                "/2010-04-01/Accounts/{account_sid}/Messages/{message_sid}/Media/{media_sid}",
                axum::routing::get(media),
            )
            .with_state(shared.clone());

        // Small JSON answers must not sit in Nagle's buffer (benchmarks measure round trips).
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let shutdown = watch::Sender::new(false);
        let mut stop = shutdown.subscribe();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            };
            // Serving ends at shutdown, or on a listener I/O failure that a test would notice
            // as refused connections; nothing to recover either way.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });

        FakeTwilio {
            shared,
            _guard: Arc::new(StopOnDrop { shutdown }),
        }
    }

    /// The base to configure as Twilio's API URL: `http://127.0.0.1:PORT`, no trailing slash,
    /// because clients append `/2010-04-01/Accounts/{sid}/Messages.json` to it.
    pub fn api_url(&self) -> String {
        self.shared.base.clone()
    }

    /// Queues canned answers for the next POSTs to `Messages.json`, in order (after any
    /// already queued). Panics on a status that is not a valid HTTP status code, here rather
    /// than inside the server where the test would only see a dropped connection.
    pub fn script(&self, responses: impl IntoIterator<Item = Scripted>) {
        let responses: Vec<Scripted> = responses.into_iter().collect();
        for scripted in &responses {
            assert!(
                StatusCode::from_u16(scripted.status()).is_ok(),
                "fake Twilio: {scripted:?} has an invalid HTTP status"
            );
        }
        lock(&self.shared.script).extend(responses);
    }

    /// Puts up a media file as Twilio keeps an inbound message's media; returns its URL (the
    /// `MediaUrl0` of a webhook). Fetching it needs the account's Basic auth, as with Twilio's
    /// "HTTP basic authentication for media" on.
    pub fn host_media(&self, content_type: &str, bytes: Vec<u8>) -> String {
        let mut media = lock(&self.shared.media);
        let sid = format!("ME{:032x}", media.len() + 1);
        media.insert(sid.clone(), (content_type.to_string(), bytes));
        format!(
            "{}/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages/MM1/Media/{sid}",
            self.shared.base
        )
    }

    /// The accepted messages, in arrival order.
    pub fn sent(&self) -> Vec<SentMessage> {
        lock(&self.shared.sent).clone()
    }

    /// The accepted messages whose `To` is exactly `to` (e.g. `whatsapp:+15551234567`).
    pub fn sent_to(&self, to: &str) -> Vec<SentMessage> {
        lock(&self.shared.sent)
            .iter()
            .filter(|m| m.to == to)
            .cloned()
            .collect()
    }

    /// Every POST to `Messages.json` so far: accepted, rejected (auth, validation) and
    /// scripted failures alike, i.e. what a retrying client actually sent.
    pub fn attempts(&self) -> usize {
        self.shared.attempts.load(Ordering::Relaxed)
    }

    /// Waits until at least `n` messages are accepted and returns all of them; at timeout
    /// returns whatever there is, so check the length.
    pub async fn wait_for_sent(&self, n: usize, timeout: Duration) -> Vec<SentMessage> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before the check, so a message accepted in between still wakes us.
            let mut notified = pin!(self.shared.sent_changed.notified());
            notified.as_mut().enable();
            {
                let sent = lock(&self.shared.sent);
                if sent.len() >= n {
                    return sent.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.sent();
            }
        }
    }

    /// Forgets the accepted messages and resets [`FakeTwilio::attempts`] (e.g. between
    /// benchmark phases). Queued [`Scripted`] answers and the latency stay. Status callbacks
    /// can no longer be sent for forgotten messages.
    pub fn clear(&self) {
        lock(&self.shared.sent).clear();
        self.shared.attempts.store(0, Ordering::Relaxed);
        self.shared.sent_changed.notify_waiters();
    }

    /// Every `Messages.json` answer waits `d` before it is written (after counting and
    /// recording), to model Twilio's round trip in benchmarks. Zero (the default) answers at once.
    pub fn set_latency(&self, d: Duration) {
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.shared.latency_micros.store(micros, Ordering::Relaxed);
    }

    /// Plays Twilio reporting a delivery status: POSTs a status callback for the accepted
    /// message `message_sid` to its recorded `StatusCallback` URL, form-encoded and signed
    /// as Twilio does (`status` is `sent`, `delivered`, `read`, `failed`, `undelivered`…;
    /// `error_code` becomes `ErrorCode`, e.g. 63016). Returns the receiver's HTTP status.
    ///
    /// Panics if no accepted message has that sid, if it had no `StatusCallback`, or if the
    /// receiver cannot be reached: each is a broken test, not a result to assert on.
    pub async fn send_status(
        &self,
        message_sid: &str,
        status: &str,
        error_code: Option<u32>,
    ) -> u16 {
        let message = lock(&self.shared.sent)
            .iter()
            .find(|m| m.sid == message_sid)
            .cloned()
            .unwrap_or_else(|| {
                panic!("fake Twilio: send_status: no accepted message has sid {message_sid}")
            });
        let url = message.status_callback.clone().unwrap_or_else(|| {
            panic!(
                "fake Twilio: send_status: message {message_sid} was sent without a StatusCallback"
            )
        });
        let mut params = pairs(&[
            ("SmsSid", &message.sid),
            ("SmsStatus", status),
            ("MessageStatus", status),
            ("To", &message.to),
            ("MessageSid", &message.sid),
            ("AccountSid", TWILIO_ACCOUNT_SID),
            ("From", &message.from),
            ("ApiVersion", API_VERSION),
        ]);
        if let Some(code) = error_code {
            params.push(("ErrorCode".to_string(), code.to_string()));
        }
        post_signed(&url, &params, TWILIO_AUTH_TOKEN).await.0
    }
}

impl Shared {
    fn next_sid(&self) -> String {
        let n = self.next_sid.fetch_add(1, Ordering::Relaxed);
        format!("SM{:04x}{n:028x}", self.sid_prefix)
    }

    fn record(&self, message: SentMessage) {
        lock(&self.sent).push(message);
        self.sent_changed.notify_waiters();
    }
}

/// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`.
async fn create_message(
    State(shared): State<Arc<Shared>>,
    Path(account_sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.attempts.fetch_add(1, Ordering::Relaxed);
    let response = answer(&shared, &account_sid, &headers, &body);
    let latency = shared.latency_micros.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_micros(latency)).await;
    }
    response
}

/// Twilio's order of checks: a scripted answer, then credentials, then the account in the
/// path, then the fields.
fn answer(shared: &Shared, account_sid: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let scripted = lock(&shared.script).pop_front();
    if let Some(scripted) = scripted {
        return scripted.into_response();
    }
    if !authorized(headers) {
        let mut response = error_response(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Twilio API\""),
        );
        return response;
    }
    if account_sid != TWILIO_ACCOUNT_SID {
        let message = format!(
            "The requested resource /{API_VERSION}/Accounts/{account_sid}/Messages.json was not found"
        );
        return error_response(StatusCode::NOT_FOUND, 20404, &message);
    }

    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    // Twilio takes the first occurrence of a field and treats an empty one as absent.
    let field = |name: &str| {
        form.iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let Some(to) = field("To") else {
        return error_response(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To' phone number is required.",
        );
    };
    let Some(from) = field("From") else {
        return error_response(
            StatusCode::BAD_REQUEST,
            21603,
            "A 'From' phone number is required.",
        );
    };
    let body = field("Body");
    let content_sid = field("ContentSid");
    if body.is_none() && content_sid.is_none() {
        return error_response(StatusCode::BAD_REQUEST, 21602, "Message body is required.");
    }
    let content_variables = field("ContentVariables");
    if let Some(vars) = &content_variables {
        // A client that hand-builds the JSON gets caught here, as Twilio would catch it.
        if serde_json::from_str::<Value>(vars).map_or(true, |v| !v.is_object()) {
            return error_response(
                StatusCode::BAD_REQUEST,
                21656,
                "The ContentVariables Parameter is invalid.",
            );
        }
    }

    let message = SentMessage {
        sid: shared.next_sid(),
        to,
        from,
        body,
        content_sid,
        content_variables,
        status_callback: field("StatusCallback"),
        received_at: std::time::Instant::now(),
    };
    let resource = message_resource(&message, &rfc2822(SystemTime::now()));
    shared.record(message);
    (StatusCode::CREATED, Json(resource)).into_response()
}

/// Basic auth with exactly the fake account's SID and token.
/// `GET …/Messages/{MessageSid}/Media/{MediaSid}`: a file put up with [`FakeTwilio::host_media`].
async fn media(
    State(shared): State<Arc<Shared>>,
    Path((_, _, media_sid)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&headers) {
        return error_response(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    let found = lock(&shared.media).get(&media_sid).cloned();
    match found {
        Some((content_type, bytes)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, content_type)],
            bytes,
        )
            .into_response(),
        None => error_response(
            StatusCode::NOT_FOUND,
            20404,
            "The requested resource was not found",
        ),
    }
}

fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("basic")
        && STANDARD.decode(encoded.trim()).is_ok_and(|decoded| {
            decoded == format!("{TWILIO_ACCOUNT_SID}:{TWILIO_AUTH_TOKEN}").as_bytes()
        })
}

/// Twilio's error body: `{"code","message","more_info","status"}`.
fn error_response(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

/// The message resource as Twilio answers a create: every field a client might read, with
/// Twilio's quirks (counts as strings, RFC 2822 dates, explicit nulls).
fn message_resource(message: &SentMessage, date: &str) -> Value {
    let path = format!(
        "/{API_VERSION}/Accounts/{TWILIO_ACCOUNT_SID}/Messages/{}",
        message.sid
    );
    json!({
        "account_sid": TWILIO_ACCOUNT_SID,
        "api_version": API_VERSION,
        "body": message.body.as_deref().unwrap_or(""),
        "date_created": date,
        "date_sent": null,
        "date_updated": date,
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": message.from,
        "messaging_service_sid": null,
        "num_media": "0",
        "num_segments": "1",
        "price": null,
        "price_unit": "USD",
        "sid": message.sid,
        "status": "queued",
        "subresource_uris": { "media": format!("{path}/Media.json") },
        "to": message.to,
        "uri": format!("{path}.json"),
    })
}

/// `Thu, 24 Aug 2023 05:01:45 +0000`, Twilio's date format, computed here (Howard Hinnant's
/// `civil_from_days`) rather than pulling a date crate into every test build for one field.
fn rfc2822(at: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} +0000",
        DAYS[((days + 4) % 7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60,
    )
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Twilio's `X-Twilio-Signature` for a POST to `url` with form `params`: the full URL (query
/// string included), then each parameter's name immediately followed by its value, sorted by
/// name (then value); HMAC-SHA1 keyed with the auth token; standard base64 with padding.
///
/// Written here rather than imported so that a receiver's verifier is checked against an
/// independent implementation, not against itself.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The form Twilio POSTs to a WhatsApp webhook for an inbound text message from
/// `from_e164` (e.g. `+15551234567`; a `whatsapp:` prefix is accepted too) to the business
/// number `to_e164`. Post it with [`post_signed`].
pub fn inbound_whatsapp(
    message_sid: &str,
    from_e164: &str,
    to_e164: &str,
    body: &str,
) -> Vec<(String, String)> {
    let from = from_e164.trim_start_matches("whatsapp:");
    let to = to_e164.trim_start_matches("whatsapp:");
    let wa_id: String = from.chars().filter(char::is_ascii_digit).collect();
    pairs(&[
        ("SmsMessageSid", message_sid),
        ("NumMedia", "0"),
        ("ProfileName", "Test"),
        ("MessageType", "text"),
        ("SmsSid", message_sid),
        ("WaId", &wa_id),
        ("SmsStatus", "received"),
        ("Body", body),
        ("To", &format!("whatsapp:{to}")),
        ("NumSegments", "1"),
        ("MessageSid", message_sid),
        ("AccountSid", TWILIO_ACCOUNT_SID),
        ("From", &format!("whatsapp:{from}")),
        ("ApiVersion", API_VERSION),
    ])
}

/// POSTs `params` form-encoded to `url` with a valid `X-Twilio-Signature` computed with
/// `auth_token` over `url` exactly as given (so give the URL the receiver believes it is
/// reachable at). Returns the receiver's HTTP status and body. Panics if the receiver cannot
/// be reached.
///
/// A fresh client per call: a pooled one would outlive the runtime of the `#[tokio::test]`
/// that created it and fail in the next.
pub async fn post_signed(
    url: &str,
    params: &[(String, String)],
    auth_token: &str,
) -> (u16, String) {
    let signature = twilio_signature(auth_token, url, params);
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let response = reqwest::Client::new()
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::USER_AGENT, "TwilioProxy/1.1")
        .header("X-Twilio-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("fake Twilio: POST {url}: {e}"));
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("fake Twilio: reading the answer of POST {url}: {e}"));
    (status, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twilio's published vector (as in twilio-php's `RequestValidatorTest`).
    #[test]
    fn signature_matches_twilios_documented_example() {
        let params = pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            twilio_signature("12345", url, &params),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
    }

    #[test]
    fn dates_are_rfc2822() {
        let at = UNIX_EPOCH + Duration::from_secs(1_692_853_305);
        assert_eq!(rfc2822(at), "Thu, 24 Aug 2023 05:01:45 +0000");
        assert_eq!(rfc2822(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 +0000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc2822(leap), "Tue, 29 Feb 2000 00:00:00 +0000");
    }

    #[test]
    fn constants_have_twilios_shapes() {
        assert_eq!(TWILIO_ACCOUNT_SID.len(), 34);
        assert!(TWILIO_ACCOUNT_SID.starts_with("AC"));
        assert!(TWILIO_ACCOUNT_SID[2..]
            .chars()
            .all(|c| c.is_ascii_hexdigit()));
        assert_eq!(TWILIO_AUTH_TOKEN.len(), 32);
        assert!(TWILIO_AUTH_TOKEN.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
