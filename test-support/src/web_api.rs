//! The HTTP side: `/api/{method}` (the Web API), `/response/{id}` (response URLs) and the
//! router that also mounts Socket Mode's `/link`.
//!
//! Slack's conventions, kept here because clients depend on them:
//! * errors are HTTP 200 with `{"ok":false,"error":code}`; only rate limiting is an HTTP
//!   status (429, with `Retry-After` in seconds);
//! * the token comes as `Authorization: Bearer …` (or a `token` form/query field);
//! * slack-morphism sends most writes as JSON POSTs and most reads as GETs with a query
//!   string; other clients send forms. All three are accepted and recorded alike.
//!
//! Answers carry only the fields slack-morphism's response types require plus the few a
//! test is likely to read; each is checked against slack-morphism in `tests/`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::server::{ApiCall, Fault, Shared};
use crate::{socket_mode, APP_ID, APP_TOKEN, BOT_ID, BOT_TOKEN, BOT_USER_ID, TEAM_DOMAIN};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/{*method}", any(api))
        .route("/response/{id}", post(response_url))
        .route("/upload/{id}", post(upload))
        .route("/files-pri/{file}/download/{name}", get(file_download))
        .route("/link", get(socket_mode::link))
        .route("/link/", get(socket_mode::link))
        .with_state(shared)
}

/// A method's outcome before it becomes an HTTP answer.
enum Outcome {
    Ok(Value),
    Error(String),
    RateLimited(u64),
}

async fn api(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    // A base URL given with a trailing slash yields `/api//method`.
    let method = method.trim_start_matches('/').to_string();
    let params = parse_params(&uri, &headers, &body);
    let token = bearer(&headers).or_else(|| {
        params
            .get("token")
            .and_then(Value::as_str)
            .map(str::to_string)
    });

    let expected = if method == "apps.connections.open" {
        APP_TOKEN
    } else {
        BOT_TOKEN
    };
    let outcome = if !is_known(&method) {
        Outcome::Error("unknown_method".to_string())
    } else if token.as_deref() != Some(expected) {
        // Slack answers a missing token `not_authed`, a wrong one `invalid_auth`; tests only
        // need "rejected", so one code does.
        Outcome::Error("invalid_auth".to_string())
    } else {
        match shared.take_fault(&method) {
            Some(Fault::RateLimited { retry_after_secs }) => Outcome::RateLimited(retry_after_secs),
            Some(Fault::Error(code)) => Outcome::Error(code),
            None => answer(&shared, &method, &params),
        }
    };
    finish(&shared, method, token, params, at, outcome).await
}

/// POST `/response/{id}`: what a slash command or interaction's `response_url` receives.
async fn response_url(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let mut params = parse_params(&uri, &headers, &body);
    if let Value::Object(map) = &mut params {
        map.insert("response_url_id".to_string(), Value::String(id));
    }
    let method = "response_url".to_string();
    let outcome = match shared.take_fault(&method) {
        Some(Fault::RateLimited { retry_after_secs }) => Outcome::RateLimited(retry_after_secs),
        Some(Fault::Error(code)) => Outcome::Error(code),
        None => Outcome::Ok(json!({ "ok": true })),
    };
    finish(&shared, method, bearer(&headers), params, at, outcome).await
}

/// files.getUploadURLExternal: a file id and the URL to POST its bytes to (`filename` and
/// `length` are required, as Slack's).
fn upload_url(shared: &Shared, params: &Value) -> Outcome {
    let Some(filename) = str_param(params, "filename") else {
        return err("invalid_arguments");
    };
    let length = match params.get("length") {
        Some(Value::String(n)) => n.parse::<usize>().ok(),
        Some(Value::Number(n)) => n.as_u64().map(|n| n as usize),
        _ => None,
    };
    let Some(length) = length.filter(|n| *n > 0) else {
        return err("invalid_arguments");
    };
    let mut files = crate::server::lock(&shared.files);
    let id = format!("F{:08}", files.len() + 1);
    files.push(crate::server::SharedFile {
        id: id.clone(),
        filename: filename.to_string(),
        length,
        ..Default::default()
    });
    Outcome::Ok(json!({
        "ok": true,
        "upload_url": format!("{}/upload/{id}", shared.http_base),
        "file_id": id,
    }))
}

/// POST `/upload/{id}`: the file's bytes, as Slack's upload URL takes them (any content type);
/// answered in plain text, "OK - <length>", as Slack does. An unknown id is a 404.
async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let known = {
        let mut files = crate::server::lock(&shared.files);
        match files.iter_mut().find(|f| f.id == id) {
            Some(file) => {
                file.content = Some(body.to_vec());
                true
            }
            None => false,
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    shared.record_call(ApiCall {
        method: "upload".to_string(),
        token: bearer(&headers),
        params: json!({ "file_id": id, "bytes": body.len(), "content_type": content_type }),
        at,
        error: (!known).then(|| "file_not_found".to_string()),
    });
    if !known {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
        format!("OK - {}", body.len()),
    )
        .into_response()
}

/// files.completeUploadExternal: shares uploaded files in `channel_id`. A file never uploaded,
/// or whose bytes differ in length from what was announced, is refused as Slack refuses it.
fn complete_upload(shared: &Shared, params: &Value) -> Outcome {
    let Some(Value::Array(wanted)) = json_param(params, "files") else {
        return err("invalid_arguments");
    };
    let channel = str_param(params, "channel_id").map(str::to_string);
    let mut files = crate::server::lock(&shared.files);
    let mut done = Vec::new();
    for item in &wanted {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            return err("invalid_arguments");
        };
        let Some(file) = files.iter_mut().find(|f| f.id == id) else {
            return err("file_not_found");
        };
        match &file.content {
            Some(bytes) if bytes.len() == file.length => {}
            Some(_) => return err("file_upload_size_mismatch"),
            None => return err("file_not_found"),
        }
        file.completed = true;
        file.channel = channel.clone();
        file.title = item
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string);
        file.initial_comment = str_param(params, "initial_comment").map(str::to_string);
        done.push(json!({
            "id": file.id,
            "name": file.filename,
            "title": file.title.clone().unwrap_or_else(|| file.filename.clone()),
        }));
    }
    Outcome::Ok(json!({ "ok": true, "files": done }))
}

/// GET `/files-pri/{team}-{file}/download/{name}`: a file put up with `FakeSlack::host_file`,
/// as Slack serves `url_private_download`: with the bot token, or not at all (Slack answers an
/// unauthenticated request with its sign-in page; a 403 says the same to a client).
async fn file_download(
    State(shared): State<Arc<Shared>>,
    Path((file, _name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let token = bearer(&headers);
    let id = file.rsplit('-').next().unwrap_or_default().to_string();
    let found = crate::server::lock(&shared.hosted_files).get(&id).cloned();
    let authorized = token.as_deref() == Some(BOT_TOKEN);
    let error = match (&found, authorized) {
        (_, false) => Some("invalid_auth".to_string()),
        (None, true) => Some("file_not_found".to_string()),
        (Some(_), true) => None,
    };
    shared.record_call(ApiCall {
        method: "files.download".to_string(),
        token,
        params: json!({ "file": id }),
        at: Instant::now(),
        error,
    });
    match (found, authorized) {
        (Some((mimetype, bytes)), true) => {
            (StatusCode::OK, [(header::CONTENT_TYPE, mimetype)], bytes).into_response()
        }
        (None, true) => StatusCode::NOT_FOUND.into_response(),
        (_, false) => StatusCode::FORBIDDEN.into_response(),
    }
}

/// Records the call, applies the configured latency, and writes the HTTP answer.
async fn finish(
    shared: &Shared,
    method: String,
    token: Option<String>,
    params: Value,
    at: Instant,
    outcome: Outcome,
) -> Response {
    let error = match &outcome {
        Outcome::Ok(_) => None,
        Outcome::Error(code) => Some(code.clone()),
        Outcome::RateLimited(_) => Some("ratelimited".to_string()),
    };
    shared.record_call(ApiCall {
        method,
        token,
        params,
        at,
        error,
    });

    let latency = shared.api_latency_micros.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_micros(latency)).await;
    }

    match outcome {
        Outcome::Ok(body) => json_response(StatusCode::OK, &body),
        Outcome::Error(code) => {
            json_response(StatusCode::OK, &json!({ "ok": false, "error": code }))
        }
        Outcome::RateLimited(secs) => {
            let mut response = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                &json!({ "ok": false, "error": "ratelimited" }),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            response
        }
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body.to_string(),
    )
        .into_response()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(|t| t.trim().to_string())
}

/// Query fields, then body fields (JSON object, or form), as one JSON object.
fn parse_params(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Value {
    let mut map = Map::new();
    if let Some(query) = uri.query() {
        insert_form_fields(&mut map, query.as_bytes());
    }
    if !body.is_empty() {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if content_type.starts_with("application/x-www-form-urlencoded") {
            insert_form_fields(&mut map, body);
        } else {
            match serde_json::from_slice::<Value>(body) {
                // The common case (slack-morphism's JSON POST, no query): take it as is.
                Ok(Value::Object(object)) if map.is_empty() => return Value::Object(object),
                Ok(Value::Object(object)) => map.extend(object),
                Ok(other) => {
                    map.insert("_body".to_string(), other);
                }
                Err(_) => {
                    map.insert(
                        "_body".to_string(),
                        Value::String(String::from_utf8_lossy(body).into_owned()),
                    );
                }
            }
        }
    }
    Value::Object(map)
}

fn insert_form_fields(map: &mut Map<String, Value>, encoded: &[u8]) {
    for (key, value) in form_urlencoded::parse(encoded) {
        map.insert(key.into_owned(), Value::String(value.into_owned()));
    }
}

fn is_known(method: &str) -> bool {
    matches!(
        method,
        "api.test"
            | "apps.connections.open"
            | "auth.test"
            | "chat.postMessage"
            | "chat.postEphemeral"
            | "chat.update"
            | "chat.delete"
            | "conversations.open"
            | "files.getUploadURLExternal"
            | "files.completeUploadExternal"
            | "reactions.add"
            | "users.info"
            | "views.publish"
            | "views.open"
            | "views.update"
            | "views.push"
    )
}

fn str_param<'a>(params: &'a Value, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A parameter that may be JSON (slack-morphism) or a JSON-encoded string (forms).
fn json_param(params: &Value, name: &str) -> Option<Value> {
    match params.get(name)? {
        Value::String(encoded) => serde_json::from_str(encoded).ok(),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

fn err(code: &str) -> Outcome {
    Outcome::Error(code.to_string())
}

/// The answer of a known method to an authorised, un-faulted call.
fn answer(shared: &Shared, method: &str, params: &Value) -> Outcome {
    match method {
        "api.test" => Outcome::Ok(json!({ "ok": true, "args": params })),
        "apps.connections.open" => Outcome::Ok(json!({
            "ok": true,
            "url": socket_mode::issue_url(shared),
        })),
        "auth.test" => Outcome::Ok(json!({
            "ok": true,
            "url": format!("https://{TEAM_DOMAIN}.slack.com/"),
            "team": "Family",
            "user": "mednanny",
            "team_id": shared.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": false,
        })),
        "chat.postMessage" => post_message(shared, params),
        "chat.postEphemeral" => {
            if str_param(params, "channel").is_none() {
                return err("channel_not_found");
            }
            if str_param(params, "user").is_none() {
                return err("user_not_found");
            }
            if !has_content(params) {
                return err("no_text");
            }
            Outcome::Ok(json!({ "ok": true, "message_ts": shared.next_ts() }))
        }
        "chat.update" => {
            let Some(channel) = str_param(params, "channel") else {
                return err("channel_not_found");
            };
            let Some(ts) = str_param(params, "ts") else {
                return err("message_not_found");
            };
            let text = str_param(params, "text").unwrap_or("");
            Outcome::Ok(json!({
                "ok": true,
                "channel": channel,
                "ts": ts,
                "text": text,
                "message": {
                    "type": "message",
                    "text": text,
                    "user": BOT_USER_ID,
                    "bot_id": BOT_ID,
                },
            }))
        }
        "chat.delete" => match (str_param(params, "channel"), str_param(params, "ts")) {
            (Some(channel), Some(ts)) => {
                Outcome::Ok(json!({ "ok": true, "channel": channel, "ts": ts }))
            }
            (None, _) => err("channel_not_found"),
            (_, None) => err("message_not_found"),
        },
        "reactions.add" => Outcome::Ok(json!({ "ok": true })),
        "files.getUploadURLExternal" => upload_url(shared, params),
        "files.completeUploadExternal" => complete_upload(shared, params),
        "conversations.open" => conversations_open(params),
        "users.info" => {
            let Some(user_id) = str_param(params, "user") else {
                return err("user_not_found");
            };
            let mut user = user_json(shared, user_id);
            // As Slack: the locale only when asked for.
            let asked = matches!(params.get("include_locale"), Some(Value::Bool(true)))
                || str_param(params, "include_locale") == Some("true");
            if asked {
                user["locale"] = shared.user(user_id).locale.into();
            }
            Outcome::Ok(json!({ "ok": true, "user": user }))
        }
        "views.publish" if str_param(params, "user_id").is_none() => err("invalid_arguments"),
        // A modal opens only in answer to a person's click or command, within its trigger's life.
        "views.open" if str_param(params, "trigger_id").is_none() => err("invalid_arguments"),
        "views.publish" | "views.open" | "views.update" | "views.push" => view(shared, params),
        _ => err("unknown_method"),
    }
}

fn has_content(params: &Value) -> bool {
    ["text", "blocks", "attachments", "markdown_text"]
        .iter()
        .any(|k| params.get(*k).is_some_and(|v| !v.is_null()))
}

fn post_message(shared: &Shared, params: &Value) -> Outcome {
    let Some(channel) = str_param(params, "channel") else {
        return err("channel_not_found");
    };
    if !has_content(params) {
        return err("no_text");
    }
    // Posting to a user id lands in the bot's DM with them, and Slack answers with the DM.
    let channel = match channel.strip_prefix('U') {
        Some(_) => format!("D{channel}"),
        None => channel.to_string(),
    };
    let ts = shared.next_ts();
    let text = str_param(params, "text").unwrap_or("");
    let mut message = json!({
        "type": "message",
        "text": text,
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "team": shared.team_id,
        "ts": ts,
    });
    if let Some(thread_ts) = str_param(params, "thread_ts") {
        message["thread_ts"] = Value::String(thread_ts.to_string());
    }
    Outcome::Ok(json!({
        "ok": true,
        "channel": channel,
        "ts": ts,
        "message": message,
    }))
}

/// The DM id the fake gives the bot's conversation with a user: `D` + user id.
fn conversations_open(params: &Value) -> Outcome {
    // slack-morphism sends `users` as a JSON array; Slack documents a comma-separated string.
    let users: Vec<String> = match params.get("users") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(list)) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    let (id, is_im, user) = match (users.as_slice(), str_param(params, "channel")) {
        ([one], _) => (format!("D{one}"), true, Some(one.clone())),
        ([], Some(channel)) => (channel.to_string(), channel.starts_with('D'), None),
        ([], None) => return err("users_list_not_supplied"),
        (many, _) => (format!("G{}", many.join("")), false, None),
    };
    // `created` and the flags satisfy the full `SlackChannelInfo` (return_im=true) as well
    // as `SlackBasicChannelInfo`.
    let mut channel = json!({
        "id": id,
        "created": 1_700_000_000,
        "is_im": is_im,
        "is_mpim": !is_im,
        "is_open": true,
    });
    if let Some(user) = user {
        channel["user"] = Value::String(user);
    }
    Outcome::Ok(json!({ "ok": true, "channel": channel }))
}

fn user_json(shared: &Shared, user_id: &str) -> Value {
    let user = shared.user(user_id);
    let handle = user.real_name.to_lowercase().replace(' ', ".");
    json!({
        "id": user_id,
        "team_id": user.team_id,
        "name": handle,
        "real_name": user.real_name,
        "deleted": false,
        "is_bot": false,
        "is_admin": false,
        "is_owner": false,
        "tz": user.tz,
        "tz_label": user.tz_label,
        "tz_offset": user.tz_offset,
        "updated": 1_700_000_000,
        "profile": {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.real_name,
            "display_name_normalized": user.real_name,
            "team": user.team_id,
        },
    })
}

/// views.*: the submitted view plus the state Slack adds (`SlackStatefulView` needs
/// `id`, `team_id`, `hash`).
fn view(shared: &Shared, params: &Value) -> Outcome {
    let Some(Value::Object(mut view)) = json_param(params, "view") else {
        return err("invalid_arguments");
    };
    if !view.contains_key("type") {
        return err("invalid_arguments");
    }
    let n = shared.view_seq.fetch_add(1, Ordering::Relaxed) + 1;
    let id = str_param(params, "view_id")
        .map(str::to_string)
        .unwrap_or_else(|| format!("V{n:08}"));
    view.insert("id".to_string(), Value::String(id));
    view.insert("team_id".to_string(), Value::String(shared.team_id.clone()));
    view.insert("hash".to_string(), Value::String(format!("{n}.fakehash")));
    view.insert("state".to_string(), json!({ "values": {} }));
    view.insert("app_id".to_string(), Value::String(APP_ID.to_string()));
    view.insert("bot_id".to_string(), Value::String(BOT_ID.to_string()));
    Outcome::Ok(json!({ "ok": true, "view": view }))
}
