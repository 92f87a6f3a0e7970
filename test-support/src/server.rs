//! [`FakeSlack`]: start-up, shared state, recording, waiting and fault injection.
//!
//! All state lives in one [`Shared`] behind an `Arc`, split into small independently locked
//! parts so that the HTTP handlers (thousands of calls a second in the benchmark) and the
//! socket tasks never wait on each other for long: every lock is held for a push or a
//! lookup, never across an `.await`.
//!
//! Waiting is change-driven: each log has a `watch` channel bumped on every append, and the
//! `wait_for_*` methods re-check only when it changes (and only the entries appended since
//! their last look), so nobody busy-polls.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::socket_mode::{self, SocketCommand};
use crate::TEAM_ID;

/// One Web API call (or `response_url` POST) as the fake received it.
#[derive(Debug, Clone)]
pub struct ApiCall {
    /// The method name, e.g. `chat.postMessage`; `response_url` for POSTs to a response URL.
    pub method: String,
    /// The bearer token from `Authorization` (or a `token` parameter), if any.
    pub token: Option<String>,
    /// The parameters as a JSON object: the JSON body as sent, or the form/query fields as
    /// strings (form values are not JSON-decoded: Slack form bodies carry JSON as strings).
    /// For `response_url` calls, the body plus `"response_url_id"`.
    pub params: Value,
    /// When the request reached the fake.
    pub at: Instant,
    /// `None` when the fake answered `"ok":true`, else the error code it answered
    /// (`"ratelimited"` for an injected HTTP 429, `"invalid_auth"`, `"unknown_method"`, …).
    pub error: Option<String>,
}

impl ApiCall {
    /// A string parameter, e.g. `call.param_str("channel")`.
    pub fn param_str(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(Value::as_str)
    }
}

/// A Socket Mode acknowledgement the client wrote back.
#[derive(Debug, Clone)]
pub struct Ack {
    pub envelope_id: String,
    /// The ack's `payload`, if any (slash command responses, view-submission responses…).
    pub payload: Option<Value>,
    /// From the moment the envelope was queued for sending to the moment its ack was read
    /// (for a redelivered envelope id, from its latest delivery). Zero for an id never sent.
    pub latency: Duration,
    /// When the ack was read.
    pub at: Instant,
    /// Which socket it came back on (the fake numbers its sockets from 1).
    pub socket_id: u64,
}

/// A handle to a running fake Slack. Cheap to clone; the server stops (its listener closes
/// and every WebSocket is dropped) when the last handle is dropped.
#[derive(Clone)]
pub struct FakeSlack {
    shared: Arc<Shared>,
    _guard: Arc<StopOnDrop>,
}

/// Stops the server when the last [`FakeSlack`] handle goes: the listener stops accepting,
/// idle HTTP connections close, and every socket task drops its WebSocket. Kept apart from
/// [`Shared`] because the server's own tasks hold `Shared`; a guard inside it would never drop.
struct StopOnDrop {
    shared: Arc<Shared>,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}

/// An injected answer for the next call(s) to one method.
#[derive(Debug, Clone)]
pub(crate) enum Fault {
    RateLimited { retry_after_secs: u64 },
    Error(String),
}

/// What users.info says about one user.
#[derive(Debug, Clone)]
pub(crate) struct UserRecord {
    pub(crate) real_name: String,
    pub(crate) team_id: String,
    pub(crate) tz: String,
    pub(crate) tz_label: String,
    pub(crate) tz_offset: i32,
    /// What `users.info` says with `include_locale` (`en-US`, `es-ES`…).
    pub(crate) locale: String,
}

/// A live socket, as seen from the rest of the fake: an id and the queue its task drains.
pub(crate) struct SocketHandle {
    pub(crate) id: u64,
    pub(crate) commands: mpsc::UnboundedSender<SocketCommand>,
}

#[derive(Default)]
pub(crate) struct AckLog {
    pub(crate) list: Vec<Ack>,
    /// Per envelope id: when its latest delivery was queued, and the index in `list` of the
    /// first ack after that delivery.
    pub(crate) deliveries: HashMap<String, Delivery>,
}

pub(crate) struct Delivery {
    pub(crate) sent_at: Instant,
    pub(crate) acked: Option<usize>,
}

pub(crate) struct Shared {
    pub(crate) http_base: String,
    pub(crate) ws_base: String,
    pub(crate) team_id: String,

    pub(crate) calls: Mutex<Vec<ApiCall>>,
    pub(crate) calls_changed: watch::Sender<usize>,

    /// Faults by method; `faults_pending` lets the hot path skip the lock when there are none.
    pub(crate) faults: Mutex<HashMap<String, VecDeque<Fault>>>,
    pub(crate) faults_pending: AtomicUsize,
    pub(crate) api_latency_micros: AtomicU64,

    pub(crate) users: RwLock<HashMap<String, UserRecord>>,
    /// Source of unique, increasing message timestamps.
    pub(crate) ts_seq: AtomicU64,
    pub(crate) view_seq: AtomicU64,

    /// Tickets handed out by apps.connections.open and not yet used (single-use, as Slack's).
    pub(crate) tickets: Mutex<HashSet<u64>>,
    pub(crate) next_ticket: AtomicU64,
    pub(crate) urls_issued: AtomicUsize,

    /// Sockets that got hello and have not been told to go away.
    pub(crate) sockets: Mutex<Vec<SocketHandle>>,
    pub(crate) live_changed: watch::Sender<usize>,
    pub(crate) sockets_accepted: AtomicUsize,
    pub(crate) next_socket_id: AtomicU64,
    pub(crate) round_robin: AtomicUsize,
    pub(crate) envelope_seq: AtomicU64,

    pub(crate) acks: Mutex<AckLog>,
    pub(crate) acks_changed: watch::Sender<usize>,

    /// Files put up with [`FakeSlack::host_file`], by id: (mimetype, bytes).
    pub(crate) hosted_files: Mutex<HashMap<String, (String, Vec<u8>)>>,

    pub(crate) shutdown: watch::Sender<bool>,

    /// Files by id, from files.getUploadURLExternal through the upload to
    /// files.completeUploadExternal.
    pub(crate) files: Mutex<Vec<SharedFile>>,
}

/// A file as Slack's external upload builds it, step by step.
#[derive(Debug, Clone, Default)]
pub struct SharedFile {
    pub id: String,
    pub filename: String,
    /// The length announced to files.getUploadURLExternal.
    pub length: usize,
    /// The bytes POSTed to the upload URL (`None` until then).
    pub content: Option<Vec<u8>>,
    /// Set by files.completeUploadExternal: where it was shared, and its title.
    pub channel: Option<String>,
    pub title: Option<String>,
    pub initial_comment: Option<String>,
    pub completed: bool,
}

impl SharedFile {
    /// The uploaded bytes as text (lossy), empty before the upload.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.content.as_deref().unwrap_or_default()).into_owned()
    }
}

/// Locks a mutex, ignoring poisoning: a panicking test thread must not turn every later
/// assertion into a confusing poison error.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn new(addr: SocketAddr) -> Self {
        Self {
            http_base: format!("http://{addr}"),
            ws_base: format!("ws://{addr}"),
            team_id: TEAM_ID.to_string(),
            calls: Mutex::new(Vec::with_capacity(1024)),
            calls_changed: watch::Sender::new(0),
            faults: Mutex::new(HashMap::new()),
            faults_pending: AtomicUsize::new(0),
            api_latency_micros: AtomicU64::new(0),
            users: RwLock::new(HashMap::new()),
            ts_seq: AtomicU64::new(0),
            view_seq: AtomicU64::new(0),
            tickets: Mutex::new(HashSet::new()),
            next_ticket: AtomicU64::new(1),
            urls_issued: AtomicUsize::new(0),
            sockets: Mutex::new(Vec::new()),
            live_changed: watch::Sender::new(0),
            sockets_accepted: AtomicUsize::new(0),
            next_socket_id: AtomicU64::new(1),
            round_robin: AtomicUsize::new(0),
            envelope_seq: AtomicU64::new(0),
            acks: Mutex::new(AckLog::default()),
            acks_changed: watch::Sender::new(0),
            hosted_files: Mutex::new(HashMap::new()),
            shutdown: watch::Sender::new(false),
            files: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn record_call(&self, call: ApiCall) {
        let len = {
            let mut calls = lock(&self.calls);
            calls.push(call);
            calls.len()
        };
        self.calls_changed.send_replace(len);
    }

    /// Takes the next injected fault for `method`, if any.
    pub(crate) fn take_fault(&self, method: &str) -> Option<Fault> {
        if self.faults_pending.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut faults = lock(&self.faults);
        let queue = faults.get_mut(method)?;
        let fault = queue.pop_front()?;
        if queue.is_empty() {
            faults.remove(method);
        }
        self.faults_pending.fetch_sub(1, Ordering::AcqRel);
        Some(fault)
    }

    /// A fresh message timestamp: unique, increasing, in Slack's `secs.micros` shape
    /// (`1700000000.000100`, `1700000000.000200`, …).
    pub(crate) fn next_ts(&self) -> String {
        let n = self.ts_seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}.{:06}", 1_700_000_000 + n / 10_000, (n % 10_000) * 100)
    }

    pub(crate) fn user(&self, user_id: &str) -> UserRecord {
        let users = self.users.read().unwrap_or_else(PoisonError::into_inner);
        users.get(user_id).cloned().unwrap_or_else(|| UserRecord {
            real_name: format!("User {user_id}"),
            team_id: self.team_id.clone(),
            tz: "America/New_York".to_string(),
            tz_label: "Eastern Standard Time".to_string(),
            tz_offset: -18_000,
            locale: "en-US".to_string(),
        })
    }

    pub(crate) fn live_count(&self) -> usize {
        lock(&self.sockets).len()
    }

    /// Adds a socket that got its hello to the live set.
    pub(crate) fn register_socket(&self, handle: SocketHandle) {
        let live = {
            let mut sockets = lock(&self.sockets);
            sockets.push(handle);
            sockets.len()
        };
        self.sockets_accepted.fetch_add(1, Ordering::Relaxed);
        self.live_changed.send_replace(live);
    }

    /// Removes a socket from the live set (no-op if it is not there).
    pub(crate) fn unregister_socket(&self, id: u64) {
        let live = {
            let mut sockets = lock(&self.sockets);
            let before = sockets.len();
            sockets.retain(|s| s.id != id);
            if sockets.len() == before {
                return;
            }
            sockets.len()
        };
        self.live_changed.send_replace(live);
    }

    pub(crate) fn record_delivery(&self, envelope_id: &str) {
        let mut log = lock(&self.acks);
        log.deliveries.insert(
            envelope_id.to_string(),
            Delivery {
                sent_at: Instant::now(),
                acked: None,
            },
        );
    }

    pub(crate) fn record_ack(&self, socket_id: u64, envelope_id: String, payload: Option<Value>) {
        let at = Instant::now();
        let len = {
            let mut log = lock(&self.acks);
            let index = log.list.len();
            let latency = match log.deliveries.get_mut(&envelope_id) {
                Some(delivery) => {
                    if delivery.acked.is_none() {
                        delivery.acked = Some(index);
                    }
                    at.saturating_duration_since(delivery.sent_at)
                }
                None => Duration::ZERO,
            };
            log.list.push(Ack {
                envelope_id,
                payload,
                latency,
                at,
                socket_id,
            });
            log.list.len()
        };
        self.acks_changed.send_replace(len);
    }
}

impl FakeSlack {
    /// Binds `127.0.0.1:0` and serves the fake on a spawned task of the current runtime.
    pub async fn start() -> FakeSlack {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Slack: bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("fake Slack: local address of the listener");
        let shared = Arc::new(Shared::new(addr));
        let app = crate::web_api::router(shared.clone());

        // Small frames (acks, envelopes, JSON answers) must not sit in Nagle's buffer.
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let mut stop = shared.shutdown.subscribe();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            };
            // Serving ends at shutdown, or on an I/O failure of the listener, which a test
            // would notice as refused connections; nothing to recover either way.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });

        FakeSlack {
            _guard: Arc::new(StopOnDrop {
                shared: shared.clone(),
            }),
            shared,
        }
    }

    /// The Web API base URL to give slack-morphism's `with_slack_api_url`:
    /// `http://127.0.0.1:PORT/api`, without a trailing slash, because slack-morphism builds
    /// `format!("{base}/{method}")`. (A base with a trailing slash works too: the fake
    /// ignores the doubled slash.)
    pub fn api_url(&self) -> String {
        format!("{}/api", self.shared.http_base)
    }

    /// `http://127.0.0.1:PORT`, for hand-made requests.
    pub fn http_base(&self) -> &str {
        &self.shared.http_base
    }

    /// The fake workspace's team id, `T0FAMILY`.
    pub fn team_id(&self) -> &str {
        &self.shared.team_id
    }

    /// A response URL for payloads: `http://127.0.0.1:PORT/response/{id}`. POSTs to it are
    /// recorded as `ApiCall { method: "response_url", params: body + {"response_url_id": id} }`.
    pub fn response_url(&self, id: &str) -> String {
        format!("{}/response/{id}", self.shared.http_base)
    }

    // ---------------------------------------------------------------- Socket Mode

    /// Waits until at least `n` sockets are live (got hello and were not told to
    /// disconnect). False on timeout.
    pub async fn wait_for_connections(&self, n: usize, timeout: Duration) -> bool {
        let mut live = self.shared.live_changed.subscribe();
        let waited = tokio::time::timeout(timeout, live.wait_for(|count| *count >= n)).await;
        matches!(waited, Ok(Ok(_)))
    }

    /// Live sockets now.
    pub fn connection_count(&self) -> usize {
        self.shared.live_count()
    }

    /// Sockets ever accepted (that got a hello). Reconnections add to it.
    pub fn connections_opened(&self) -> usize {
        self.shared.sockets_accepted.load(Ordering::Relaxed)
    }

    /// Successful `apps.connections.open` calls (URLs handed out), whether or not the
    /// client then connected.
    pub fn connection_urls_issued(&self) -> usize {
        self.shared.urls_issued.load(Ordering::Relaxed)
    }

    /// Sends an envelope over one live socket (round-robin) and returns its new envelope id.
    /// `kind` is `"events_api"`, `"slash_commands"` or `"interactive"`; `payload` is what a
    /// builder such as [`crate::message_im`] returns.
    ///
    /// With no live socket it waits for one (up to 10 s, as Slack holds events while an app
    /// reconnects) and panics after that.
    pub async fn send_envelope(&self, kind: &str, payload: Value, retry_attempt: u32) -> String {
        let n = self.shared.envelope_seq.fetch_add(1, Ordering::Relaxed) + 1;
        let envelope_id = format!("e{n:08x}-fake-{kind}");
        self.send_envelope_with_id(&envelope_id, kind, payload, retry_attempt)
            .await;
        envelope_id
    }

    /// Same as [`FakeSlack::send_envelope`] with a chosen envelope id, e.g. to redeliver an
    /// envelope as Slack does when an ack is late (`retry_attempt` > 0).
    pub async fn send_envelope_with_id(
        &self,
        envelope_id: &str,
        kind: &str,
        payload: Value,
        retry_attempt: u32,
    ) {
        let frame = socket_mode::envelope_frame(envelope_id, kind, payload, retry_attempt);
        socket_mode::deliver(&self.shared, envelope_id, frame).await;
    }

    /// Waits for the ack of the latest delivery of `envelope_id`.
    pub async fn wait_for_ack(&self, envelope_id: &str, timeout: Duration) -> Option<Ack> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changed = self.shared.acks_changed.subscribe();
        loop {
            {
                let log = lock(&self.shared.acks);
                let found = match log.deliveries.get(envelope_id) {
                    Some(delivery) => delivery.acked.and_then(|i| log.list.get(i)).cloned(),
                    None => log
                        .list
                        .iter()
                        .find(|a| a.envelope_id == envelope_id)
                        .cloned(),
                };
                if found.is_some() {
                    return found;
                }
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => {}
                _ => return None,
            }
        }
    }

    /// Every ack received, in order.
    pub fn acks(&self) -> Vec<Ack> {
        lock(&self.shared.acks).list.clone()
    }

    /// Sends `{"type":"disconnect","reason":reason,…}` on every live socket, as Slack does
    /// before recycling a connection (`"warning"`, `"refresh_requested"`, `"link_disabled"`).
    /// The sockets leave the live set at once (no new envelopes go to them) but keep
    /// reading acks until Slack-side closes them with a close frame `close_after` later.
    pub async fn disconnect_all(&self, reason: &str, close_after: Duration) {
        self.broadcast(|| SocketCommand::Disconnect {
            reason: reason.to_string(),
            close_after,
        });
    }

    /// Drops every socket's TCP connection with no close frame, as a network failure would.
    pub async fn drop_all(&self) {
        self.broadcast(|| SocketCommand::Drop);
    }

    fn broadcast(&self, command: impl Fn() -> SocketCommand) {
        let sockets: Vec<SocketHandle> = std::mem::take(&mut *lock(&self.shared.sockets));
        self.shared.live_changed.send_replace(0);
        for socket in sockets {
            // A socket whose task already ended needs no telling.
            let _ = socket.commands.send(command());
        }
    }

    // ---------------------------------------------------------------- Web API

    /// Every Web API call (and `response_url` POST) in the order received.
    pub fn calls(&self) -> Vec<ApiCall> {
        lock(&self.shared.calls).clone()
    }

    /// The calls to one method, in order.
    pub fn calls_to(&self, method: &str) -> Vec<ApiCall> {
        lock(&self.shared.calls)
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Number of calls recorded so far (cheap; no copying).
    pub fn call_count(&self) -> usize {
        lock(&self.shared.calls).len()
    }

    /// The calls recorded from index `start` on (for a reader that follows the log as it grows).
    pub fn calls_since(&self, start: usize) -> Vec<ApiCall> {
        let calls = lock(&self.shared.calls);
        calls
            .get(start.min(calls.len())..)
            .unwrap_or_default()
            .to_vec()
    }

    /// Waits until more than `count` calls are recorded; returns the new count (or the same one on
    /// timeout).
    pub async fn wait_for_more_calls(&self, count: usize, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changed = self.shared.calls_changed.subscribe();
        loop {
            let now = self.call_count();
            if now > count {
                return now;
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => {}
                _ => return self.call_count(),
            }
        }
    }

    /// The files shared with files.completeUploadExternal (uploaded and completed), in order.
    pub fn shared_files(&self) -> Vec<SharedFile> {
        lock(&self.shared.files)
            .iter()
            .filter(|f| f.completed)
            .cloned()
            .collect()
    }

    /// Forgets every recorded call (e.g. between benchmark phases).
    pub fn clear_calls(&self) {
        lock(&self.shared.calls).clear();
        self.shared.calls_changed.send_replace(0);
    }

    /// Waits until a recorded call satisfies `pred` (already-recorded calls count).
    pub async fn wait_for_call(
        &self,
        timeout: Duration,
        pred: impl Fn(&ApiCall) -> bool,
    ) -> Option<ApiCall> {
        self.wait_for_calls(timeout, 1, pred)
            .await
            .into_iter()
            .next()
    }

    /// Waits until `n` recorded calls satisfy `pred`; returns them (the first `n` in order).
    /// On timeout returns the matches found so far, so check the length.
    pub async fn wait_for_calls(
        &self,
        timeout: Duration,
        n: usize,
        pred: impl Fn(&ApiCall) -> bool,
    ) -> Vec<ApiCall> {
        let deadline = tokio::time::Instant::now() + timeout;
        // Subscribing before the first scan means a call recorded after the scan always
        // wakes us.
        let mut changed = self.shared.calls_changed.subscribe();
        let mut found = Vec::new();
        let mut scanned = 0;
        while found.len() < n {
            {
                let calls = lock(&self.shared.calls);
                // `clear_calls` may have shrunk the log under us.
                scanned = scanned.min(calls.len());
                for call in &calls[scanned..] {
                    if pred(call) {
                        found.push(call.clone());
                        if found.len() == n {
                            break;
                        }
                    }
                }
                scanned = calls.len();
            }
            if found.len() >= n {
                break;
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => {}
                _ => break,
            }
        }
        found
    }

    /// The next `times` calls to `method` answer HTTP 429 with `Retry-After: secs` and
    /// `{"ok":false,"error":"ratelimited"}`.
    pub fn rate_limit(&self, method: &str, times: usize, retry_after_secs: u64) {
        self.inject(method, times, Fault::RateLimited { retry_after_secs });
    }

    /// The next `times` calls to `method` answer `{"ok":false,"error":error}` (HTTP 200),
    /// e.g. `"channel_not_found"`, `"user_not_found"`, `"internal_error"`.
    pub fn fail_next(&self, method: &str, error: &str, times: usize) {
        self.inject(method, times, Fault::Error(error.to_string()));
    }

    fn inject(&self, method: &str, times: usize, fault: Fault) {
        if times == 0 {
            return;
        }
        let mut faults = lock(&self.shared.faults);
        let queue = faults.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
        self.shared
            .faults_pending
            .fetch_add(times, Ordering::AcqRel);
    }

    /// Every Web API answer is delayed by `delay` (after recording), to model Slack's
    /// round-trip time in benchmarks. Zero (the default) answers at once.
    pub fn set_api_latency(&self, delay: Duration) {
        let micros = u64::try_from(delay.as_micros()).unwrap_or(u64::MAX);
        self.shared
            .api_latency_micros
            .store(micros, Ordering::Relaxed);
    }

    /// What `users.info` returns for `user_id`. Unknown users get a default made from the id
    /// ("User U123", this team, America/New_York).
    pub fn set_user(&self, user_id: &str, real_name: &str, team_id: &str) {
        let mut record = self.shared.user(user_id);
        record.real_name = real_name.to_string();
        record.team_id = team_id.to_string();
        self.put_user(user_id, record);
    }

    /// The time zone `users.info` reports for `user_id` (IANA name, label, offset in seconds).
    pub fn set_user_tz(&self, user_id: &str, tz: &str, tz_label: &str, tz_offset_secs: i32) {
        let mut record = self.shared.user(user_id);
        record.tz = tz.to_string();
        record.tz_label = tz_label.to_string();
        record.tz_offset = tz_offset_secs;
        self.put_user(user_id, record);
    }

    /// The locale `users.info` reports for `user_id` when asked (`include_locale`).
    /// Puts up a file as Slack hosts what people share (`url_private_download`): served only with
    /// the bot token (`Authorization: Bearer …`, which needs the `files:read` scope on Slack);
    /// returns its URL, for the event's file object. Each download is recorded as a call to
    /// `files.download` (`error: "invalid_auth"` when the token was missing or wrong).
    pub fn host_file(&self, mimetype: &str, bytes: Vec<u8>) -> String {
        let mut files = lock(&self.shared.hosted_files);
        // "FH…": never the id of an uploaded file ("F…" counted apart), so the two never collide.
        let id = format!("FH{:07}", files.len() + 1);
        files.insert(id.clone(), (mimetype.to_string(), bytes));
        format!(
            "{}/files-pri/{TEAM_ID}-{id}/download/file",
            self.shared.http_base
        )
    }

    pub fn set_user_locale(&self, user_id: &str, locale: &str) {
        let mut record = self.shared.user(user_id);
        record.locale = locale.to_string();
        self.put_user(user_id, record);
    }

    fn put_user(&self, user_id: &str, record: UserRecord) {
        self.shared
            .users
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(user_id.to_string(), record);
    }
}
