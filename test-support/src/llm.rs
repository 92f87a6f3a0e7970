//! [`FakeLlm`]: a local OpenAI-compatible server, scripted per test.
//!
//! It speaks the two endpoints MedNanny uses, as OpenAI (and Ollama, vLLM, LiteLLM, Anthropic's
//! compatibility layer) define them, so the real async-openai client talks to it unchanged:
//!
//! * `POST {base}/chat/completions`: JSON in, a `chat.completion` object out, with `tool_calls`
//!   when scripted, `usage` counted roughly (a token per 4 bytes of request), errors in
//!   OpenAI's `{"error": {...}}` shape, `Retry-After` on 429; image content parts
//!   (`{"type": "image_url", "image_url": {"url": "data:image/…;base64,…"}}`) are checked as a
//!   vision model's API checks them (a data URL of an image, valid base64: else a 400);
//! * `POST {base}/audio/transcriptions`: `multipart/form-data` in, `{"text": …}` out.
//!
//! Every chat request body is recorded ([`FakeLlm::requests`]) so tests can check what the model
//! was told (no child's real name, which tools a nanny was offered).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::server::lock;

/// One canned answer to the next chat request.
#[derive(Debug, Clone)]
pub enum LlmScript {
    /// The model answers in words.
    Text(String),
    /// The model calls these tools at once: (name, raw arguments as the model wrote them, which
    /// need not be valid JSON).
    ToolCalls(Vec<(String, String)>),
    /// An HTTP error in OpenAI's shape (429 with an optional `Retry-After`, 500, 401...).
    Status {
        status: u16,
        retry_after_secs: Option<u64>,
    },
    /// A 200 whose body is not a chat completion.
    Garbage,
    /// Waits this long, then answers as the inner script says.
    Delay(Duration, Box<LlmScript>),
}

impl LlmScript {
    /// A tool call with JSON arguments.
    pub fn tool(name: &str, arguments: Value) -> Self {
        LlmScript::ToolCalls(vec![(name.to_string(), arguments.to_string())])
    }

    pub fn text(text: &str) -> Self {
        LlmScript::Text(text.to_string())
    }

    /// A vision model's reading of a medicine label, through MedNanny's `medicine_label` tool.
    pub fn label(product: &str, ingredient: &str, strength: &str, form: &str) -> Self {
        Self::tool(
            "medicine_label",
            json!({
                "readable": true,
                "product": product,
                "active_ingredient": ingredient,
                "strength": strength,
                "form": form,
            }),
        )
    }
}

/// A chat request as the fake received it.
#[derive(Debug, Clone)]
pub struct LlmRequest {
    pub body: Value,
    pub authorization: Option<String>,
}

impl LlmRequest {
    /// The names of the tools offered in this request.
    pub fn tool_names(&self) -> Vec<String> {
        self.body["tools"]
            .as_array()
            .map(|tools| {
                tools
                    .iter()
                    .filter_map(|t| t["function"]["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every message's text content (text parts of a multi-part message too), joined: what the
    /// model was told in words.
    pub fn text(&self) -> String {
        self.body["messages"]
            .as_array()
            .map(|messages| {
                messages
                    .iter()
                    .flat_map(|m| match &m["content"] {
                        Value::String(text) => vec![text.as_str()],
                        Value::Array(parts) => parts
                            .iter()
                            .filter(|p| p["type"] == "text")
                            .filter_map(|p| p["text"].as_str())
                            .collect(),
                        _ => Vec::new(),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }

    /// The images the request carried (their decoded bytes), from its image content parts.
    pub fn images(&self) -> Vec<Vec<u8>> {
        image_urls(&self.body)
            .iter()
            .filter_map(|url| decode_data_url(url).ok())
            .map(|(_, bytes)| bytes)
            .collect()
    }

    /// The last message sent (a tool result after a tool error, or the user's words).
    pub fn last_message(&self) -> Value {
        self.body["messages"]
            .as_array()
            .and_then(|m| m.last().cloned())
            .unwrap_or(Value::Null)
    }
}

struct Shared {
    script: Mutex<VecDeque<LlmScript>>,
    /// Answered when the script is empty; unset, an empty script is a 500 ("unscripted"), so a
    /// test that did not expect the model to be asked notices.
    default: Mutex<Option<LlmScript>>,
    requests: Mutex<Vec<LlmRequest>>,
    transcripts: Mutex<VecDeque<String>>,
    transcriptions: AtomicUsize,
    next_id: AtomicU64,
}

/// A running fake; the server stops when the last handle is dropped.
#[derive(Clone)]
pub struct FakeLlm {
    shared: Arc<Shared>,
    base: String,
    _stop: Arc<StopOnDrop>,
}

struct StopOnDrop(watch::Sender<bool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.send_replace(true);
    }
}

impl FakeLlm {
    /// Binds `127.0.0.1:0` and serves on a task of the current runtime.
    pub async fn start() -> FakeLlm {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake LLM: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake LLM: local address");
        let shared = Arc::new(Shared {
            script: Mutex::new(VecDeque::new()),
            default: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            transcripts: Mutex::new(VecDeque::new()),
            transcriptions: AtomicUsize::new(0),
            next_id: AtomicU64::new(1),
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .route("/v1/audio/transcriptions", post(transcribe))
            // Transcription uploads are audio files.
            .layer(axum::extract::DefaultBodyLimit::max(25 * 1024 * 1024))
            .with_state(shared.clone());
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let shutdown = watch::Sender::new(false);
        let mut stop = shutdown.subscribe();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });
        FakeLlm {
            shared,
            base: format!("http://{addr}/v1"),
            _stop: Arc::new(StopOnDrop(shutdown)),
        }
    }

    /// The API base to configure (`llm.base_url`, `llm.transcribe_url`): `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        self.base.clone()
    }

    /// Queues answers for the next chat requests, in order.
    pub fn script(&self, answers: impl IntoIterator<Item = LlmScript>) {
        lock(&self.shared.script).extend(answers);
    }

    /// What every chat request gets once the script is used up.
    pub fn answer_always(&self, answer: LlmScript) {
        *lock(&self.shared.default) = Some(answer);
    }

    /// The chat requests received, in order.
    pub fn requests(&self) -> Vec<LlmRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Queues what the next transcriptions hear.
    pub fn transcripts(&self, texts: impl IntoIterator<Item = &'static str>) {
        lock(&self.shared.transcripts).extend(texts.into_iter().map(str::to_string));
    }

    /// How many transcription requests arrived.
    pub fn transcriptions(&self) -> usize {
        self.shared.transcriptions.load(Ordering::SeqCst)
    }
}

async fn chat(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "body is not JSON",
        );
    };
    lock(&shared.requests).push(LlmRequest {
        body: request.clone(),
        authorization: headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    });
    // A vision API refuses an image part that is not an image it can decode.
    for url in image_urls(&request) {
        if let Err(problem) = decode_data_url(&url) {
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", problem);
        }
    }
    let next = lock(&shared.script).pop_front();
    let Some(mut script) = next.or_else(|| lock(&shared.default).clone()) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "fake LLM: nothing scripted for this request",
        );
    };
    while let LlmScript::Delay(wait, inner) = script {
        tokio::time::sleep(wait).await;
        script = *inner;
    }
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let model = request["model"].as_str().unwrap_or("fake").to_string();
    let prompt_tokens = (body.len() / 4) as u64;
    let (message, finish) = match script {
        LlmScript::Text(text) => (json!({"role": "assistant", "content": text}), "stop"),
        LlmScript::ToolCalls(calls) => {
            let calls: Vec<Value> = calls
                .into_iter()
                .enumerate()
                .map(|(i, (name, arguments))| {
                    json!({
                        "id": format!("call_{id}_{i}"),
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    })
                })
                .collect();
            (
                json!({"role": "assistant", "content": null, "tool_calls": calls}),
                "tool_calls",
            )
        }
        LlmScript::Status {
            status,
            retry_after_secs,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let kind = if status == StatusCode::TOO_MANY_REQUESTS {
                "rate_limit_exceeded"
            } else {
                "server_error"
            };
            let mut response = error(status, kind, "fake LLM: scripted failure");
            if let Some(secs) = retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            return response;
        }
        LlmScript::Garbage => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"choices\": \"not what you expected\"",
            )
                .into_response()
        }
        LlmScript::Delay(..) => unreachable!("delays are unwrapped above"),
    };
    let completion_tokens = message.to_string().len() as u64 / 4;
    let answer = json!({
        "id": format!("chatcmpl-{id}"),
        "object": "chat.completion",
        "created": 1_764_800_000u32,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    });
    (StatusCode::OK, axum::Json(answer)).into_response()
}

async fn transcribe(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.transcriptions.fetch_add(1, Ordering::SeqCst);
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let has_file = body
        .windows(b"name=\"file\"".len())
        .any(|w| w == b"name=\"file\"");
    if !multipart || !has_file {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "expected multipart/form-data with a file",
        );
    }
    let next = lock(&shared.transcripts).pop_front();
    match next {
        Some(text) => (StatusCode::OK, axum::Json(json!({ "text": text }))).into_response(),
        None => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "fake LLM: no transcript scripted",
        ),
    }
}

/// The URLs of every image content part of a chat request.
fn image_urls(body: &Value) -> Vec<String> {
    body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["content"].as_array())
        .flatten()
        .filter(|part| part["type"] == "image_url")
        .filter_map(|part| part["image_url"]["url"].as_str().map(str::to_string))
        .collect()
}

/// `data:image/png;base64,…` → (content type, bytes).
fn decode_data_url(url: &str) -> Result<(String, Vec<u8>), &'static str> {
    use base64::Engine as _;
    let rest = url
        .strip_prefix("data:")
        .ok_or("image_url must be a data URL here")?;
    let (kind, data) = rest
        .split_once(";base64,")
        .ok_or("image_url must be base64")?;
    if !kind.starts_with("image/") {
        return Err("image_url is not an image");
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| "image_url is not valid base64")?;
    Ok((kind.to_string(), bytes))
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        axum::Json(
            json!({"error": {"message": message, "type": kind, "param": null, "code": kind}}),
        ),
    )
        .into_response()
}
