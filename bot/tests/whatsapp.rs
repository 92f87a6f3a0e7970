//! WhatsApp end to end: the real `twilio-bridge` and `mednanny serve` processes against a local
//! Twilio-compatible server (test-support's `FakeTwilio`, which speaks the Messages REST API and
//! sends signed status callbacks). The test plays Twilio's inbound side: it posts webhooks signed
//! exactly as Twilio signs them. The Garcia demo family is made with `mednanny chat --demo`, and a
//! nanny arrives the way most will: invited by phone.
//!
//! ```text
//! ana (console) > invite caregiver Rosa +1 415 555 0101  -> WhatsApp to Rosa: "... Reply JOIN ..."
//! Rosa (WhatsApp) > JOIN                                  -> "Welcome to the Garcia family ..."
//! ana (console) > assign Rosa to Emma
//! Rosa (WhatsApp) > gave Emma 5 ml Tylenol                -> "Logged ..."
//! ana (console) > doses Emma                              -> "... Rosa ..."
//! ```
//!
//! The bridge binary is found beside `mednanny` (`cargo test --workspace` builds both).

#[path = "common/postgres.rs"]
mod postgres;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use test_support::{
    inbound_whatsapp, post_signed, twilio_signature, FakeTwilio, Scripted, TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
};

/// What someone writes never looks like MedNanny (issue 29).
#[path = "whatsapp/member_text.rs"]
mod member_text;

const WAIT: Duration = Duration::from_secs(20);
const SECRET: &str = "test-internal-secret-0123456789";
/// The family's WhatsApp sender.
const FROM: &str = "+14155238886";
const ROSA: &str = "+14155550101";
/// A number nobody linked.
const STRANGER: &str = "+14155550199";

/// Where a test's family lives: SQLite, or its own PostgreSQL database (created here, dropped at
/// the end) when `MEDNANNY_TEST_DATABASE_URL` names a server.
struct Family {
    dir: tempfile::TempDir,
    postgres: Option<(String, String, String)>,
}

fn postgres_admin() -> Option<String> {
    std::env::var("MEDNANNY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

impl Family {
    fn garcia() -> Self {
        Self::make(None)
    }

    /// The Garcias on PostgreSQL, or `None` when the test run has no server.
    fn garcia_on_postgres() -> Option<Self> {
        let admin = postgres_admin()?;
        let name = format!(
            "mednanny_wa_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        postgres::admin_sql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin
            .rsplit_once('/')
            .map(|(base, _)| base.to_string())
            .expect("the admin URL names a database");
        let url = format!("{base}/{name}");
        Some(Self::make(Some((admin, name, url))))
    }

    fn make(postgres: Option<(String, String, String)>) -> Self {
        let family = Self {
            dir: tempfile::tempdir().expect("temp dir"),
            postgres,
        };
        family.chat("ana", "kids\n");
        family
    }

    fn database_url(&self) -> String {
        match &self.postgres {
            Some((_, _, url)) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.path("m.db").display()),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn env(&self, command: &mut Command) {
        command
            .current_dir(self.dir.path())
            .env_remove("MEDNANNY_ENV")
            .env_remove("MEDNANNY__SLACK__APP_TOKEN")
            .env_remove("MEDNANNY__SLACK__BOT_TOKEN")
            .env("MEDNANNY__DATABASE__URL", self.database_url())
            .env("MEDNANNY__SECURITY__DEV_KEY_FILE", self.path("dev.key"))
            .env("MEDNANNY__INTERNAL__SECRET", SECRET)
            .env("MEDNANNY__LOG__FILTER", "info,sqlx=warn,sea_orm=warn");
    }

    /// A console session (`mednanny chat --demo --as <who>`), its input line by line.
    fn chat(&self, who: &str, input: &str) -> String {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mednanny"));
        command.args(["chat", "--demo", "--as", who]);
        self.env(&mut command);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mednanny starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("stdin written");
        let output = child.wait_with_output().expect("mednanny finishes");
        assert!(
            output.status.success(),
            "chat failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// An operator command (`mednanny family list`), its standard output.
    fn admin(&self, args: &[&str]) -> String {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mednanny"));
        command.args(args);
        self.env(&mut command);
        let output = command.output().expect("mednanny runs");
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    }

    /// Starts `mednanny serve` (WhatsApp only) telling the bridge at `bridge_port`.
    fn bot(&self, bridge_port: u16) -> Process {
        self.bot_with(bridge_port, &[])
    }

    /// The bot, with more settings.
    fn bot_with(&self, bridge_port: u16, extra: &[(&str, String)]) -> Process {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mednanny"));
        command.arg("serve");
        self.env(&mut command);
        command.envs(extra.iter().map(|(k, v)| (*k, v.clone())));
        command.env("MEDNANNY__API__LISTEN", "127.0.0.1:0").env(
            "MEDNANNY__BOT__BRIDGE_URL",
            format!("http://127.0.0.1:{bridge_port}"),
        );
        let (child, url) = spawn(command, &self.path("bot.log"), "mednanny serve: health on ");
        let port = url
            .trim_end_matches("/healthz")
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("the bot's port");
        Process { child, port }
    }

    /// Starts `twilio-bridge` on `port`, telling the bot at `bot_port`.
    fn bridge(&self, port: u16, bot_port: u16, twilio: &FakeTwilio) -> Process {
        let mut command = Command::new(bridge_binary());
        self.env(&mut command);
        command
            .env("MEDNANNY__BRIDGE__LISTEN", format!("127.0.0.1:{port}"))
            .env(
                "MEDNANNY__BRIDGE__BOT_URL",
                format!("http://127.0.0.1:{bot_port}"),
            )
            .env("MEDNANNY__BRIDGE__LEASE_SECS", "2")
            .env("MEDNANNY__TWILIO__AUTH_TOKEN", TWILIO_AUTH_TOKEN)
            .env("MEDNANNY__TWILIO__ACCOUNT_SID", TWILIO_ACCOUNT_SID)
            .env("MEDNANNY__TWILIO__API_URL", twilio.api_url())
            .env("MEDNANNY__TWILIO__PUBLIC_URL", public_url(port))
            .env("MEDNANNY__TWILIO__WHATSAPP_FROM", FROM);
        let log = self.path(&format!("bridge-{port}.log"));
        let (child, _) = spawn(command, &log, "twilio-bridge: listening on ");
        Process { child, port }
    }

    fn logs(&self) -> String {
        let mut all = String::new();
        if let Ok(entries) = std::fs::read_dir(self.dir.path()) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if name.ends_with(".log") {
                    all.push_str(&format!("--- {name}\n"));
                    all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
                }
            }
        }
        all
    }
}

impl Drop for Family {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- logs of the failed test ---\n{}", self.logs());
        }
        if let Some((admin, name, _)) = &self.postgres {
            postgres::admin_sql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// The public URL Twilio is told to call (here the bridge itself: the test is Twilio).
fn public_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

fn bridge_binary() -> PathBuf {
    let path = std::path::Path::new(env!("CARGO_BIN_EXE_mednanny")).with_file_name("twilio-bridge");
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (or `cargo build -p twilio-bridge` first)",
        path.display()
    );
    path
}

/// A free port on loopback (the bot and the bridge each need the other's before both start).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Spawns a process, logs its stderr to `log`, and waits for the stdout line starting `ready`;
/// returns the rest of that line.
fn spawn(mut command: Command, log: &std::path::Path, ready: &str) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .expect("log file"),
        )
        .spawn()
        .expect("the process starts");
    let stdout = child.stdout.take().expect("stdout");
    let (lines, read) = std::sync::mpsc::channel();
    // Read to the end, even once nobody listens: the process must never find its stdout closed.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = read.recv_timeout(left) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{ready:?} never printed: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        if let Some(rest) = line.strip_prefix(ready) {
            return (child, rest.trim().to_string());
        }
    }
}

struct Process {
    child: Child,
    port: u16,
}

impl Process {
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The bot, the bridge and the fake Twilio, running.
struct Running {
    twilio: FakeTwilio,
    bot: Process,
    bridge: Process,
}

async fn start(family: &Family) -> Running {
    start_with(family, &[]).await
}

/// The bot with more settings (a transcription service, say).
async fn start_with(family: &Family, bot_env: &[(&str, String)]) -> Running {
    let twilio = FakeTwilio::start().await;
    let bridge_port = free_port();
    let bot = family.bot_with(bridge_port, bot_env);
    let bridge = family.bridge(bridge_port, bot.port, &twilio);
    wait_ready(bridge.port).await;
    Running {
        twilio,
        bot,
        bridge,
    }
}

/// Waits until the bridge's /readyz says ready (the bot has migrated the database).
async fn wait_ready(port: u16) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await {
            if response.status() == 200 {
                return;
            }
        }
        assert!(Instant::now() < deadline, "the bridge never got ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

static SIDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_sid() -> String {
    let n = SIDS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    format!("SM{:032x}", (std::process::id() as u128) << 64 | n as u128)
}

/// Twilio delivers a WhatsApp message from `from` to the bridge; returns the MessageSid and what
/// the bridge answered.
async fn whatsapp(port: u16, from: &str, body: &str) -> (String, u16, String) {
    let sid = next_sid();
    let params = inbound_whatsapp(&sid, from, FROM, body);
    let url = format!("{}/twilio/whatsapp", public_url(port));
    let (status, answer) = post_signed(&url, &params, TWILIO_AUTH_TOKEN).await;
    (sid, status, answer)
}

/// The replies `to` has received so far, as one string each.
fn replies_to(twilio: &FakeTwilio, to: &str) -> Vec<String> {
    twilio
        .sent_to(&format!("whatsapp:{to}"))
        .into_iter()
        .map(|m| m.body.unwrap_or_default())
        .collect()
}

/// Waits until `to` has received `count` messages in all; returns them.
async fn wait_replies(twilio: &FakeTwilio, to: &str, count: usize, family: &Family) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let replies = replies_to(twilio, to);
        if replies.len() >= count {
            return replies;
        }
        assert!(
            Instant::now() < deadline,
            "{to} got {} of {count} replies: {replies:?}\n{}",
            replies.len(),
            family.logs()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn only_twilios_signed_form_posts_are_kept_and_each_message_once() {
    let family = Family::garcia();
    let run = start(&family).await;
    let url = format!("{}/twilio/whatsapp", public_url(run.bridge.port));
    let http = reqwest::Client::new();

    // Twilio's own signature: kept, answered at once with empty TwiML.
    let (sid, status, answer) = whatsapp(run.bridge.port, STRANGER, "hello").await;
    assert_eq!(status, 200);
    assert!(answer.contains("<Response/>"), "{answer}");
    let first = wait_replies(&run.twilio, STRANGER, 1, &family).await;
    assert!(first[0].contains("not linked to a family"), "{first:?}");
    assert!(
        !first[0].contains("Garcia"),
        "a stranger learns nothing: {first:?}"
    );

    // The same MessageSid again (Twilio's retry): the same answer, not kept or answered twice.
    let params = inbound_whatsapp(&sid, STRANGER, FROM, "hello");
    let (again, _) = post_signed(&url, &params, TWILIO_AUTH_TOKEN).await;
    assert_eq!(again, 200);

    // Missing, wrong, or made with another token or URL: 403, nothing kept.
    let params = inbound_whatsapp(&next_sid(), STRANGER, FROM, "forged");
    let unsigned = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&params))
        .send()
        .await
        .expect("posted");
    assert_eq!(unsigned.status(), 403);
    let (wrong_token, _) = post_signed(&url, &params, "another-token").await;
    assert_eq!(wrong_token, 403);
    // Signed over the Host a proxy would pass on instead of the public URL.
    let elsewhere = format!("http://localhost:{}/twilio/whatsapp", run.bridge.port);
    let (wrong_url, _) = post_signed(&elsewhere, &params, TWILIO_AUTH_TOKEN).await;
    assert_eq!(wrong_url, 403);

    // Beyond the size limit: 413. Not a form: 415. A signed form without a MessageSid: 400.
    let huge = inbound_whatsapp(&next_sid(), STRANGER, FROM, &"x".repeat(70_000));
    let (too_big, _) = post_signed(&url, &huge, TWILIO_AUTH_TOKEN).await;
    assert_eq!(too_big, 413);
    let json = http
        .post(&url)
        .header("content-type", "application/json")
        .header("x-twilio-signature", "abc")
        .body("{}")
        .send()
        .await
        .expect("posted");
    assert_eq!(json.status(), 415);
    let no_sid: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| !k.ends_with("Sid"))
        .cloned()
        .collect();
    let (malformed, _) = post_signed(&url, &no_sid, TWILIO_AUTH_TOKEN).await;
    assert_eq!(malformed, 400);

    // A later message from the stranger within the quiet period gets no second answer; the one
    // answer stays the only message they received.
    let (_, status, _) = whatsapp(run.bridge.port, STRANGER, "hello?").await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(replies_to(&run.twilio, STRANGER).len(), 1);
    drop(run);
}

fn form(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_nanny_invited_by_phone_joins_on_whatsapp_and_her_dose_is_seen_in_the_console() {
    let family = Family::garcia();
    let run = start(&family).await;

    let out = family.chat("ana", "invite caregiver Rosa +1 415 555 0101\n");
    assert!(
        out.contains("Invite sent to Rosa on WhatsApp (+14155550101)"),
        "{out}"
    );
    let invite = wait_replies(&run.twilio, ROSA, 1, &family).await;
    assert!(invite[0].contains("Reply JOIN"), "{invite:?}");
    assert!(invite[0].contains("Garcia"), "{invite:?}");

    whatsapp(run.bridge.port, ROSA, "JOIN").await;
    let joined = wait_replies(&run.twilio, ROSA, 2, &family).await;
    assert!(joined[1].contains("Garcia"), "{joined:?}");
    assert!(joined[1].contains("caregiver"), "{joined:?}");

    // A photo is kept but not read: she is told to type instead.
    let mut photo = inbound_whatsapp(&next_sid(), ROSA, FROM, "");
    for (name, value) in photo.iter_mut() {
        if name == "NumMedia" {
            *value = "1".into();
        }
    }
    photo.push((
        "MediaUrl0".into(),
        format!(
            "{}/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages/MM1/Media/ME1",
            run.twilio.api_url()
        ),
    ));
    photo.push(("MediaContentType0".into(), "image/jpeg".into()));
    let url = format!("{}/twilio/whatsapp", public_url(run.bridge.port));
    assert_eq!(post_signed(&url, &photo, TWILIO_AUTH_TOKEN).await.0, 200);
    let told = wait_replies(&run.twilio, ROSA, 3, &family).await;
    assert!(told[2].contains("I can read text messages"), "{told:?}");

    let out = family.chat("ana", "assign Rosa to Emma\n");
    assert!(out.contains("Rosa"), "{out}");

    whatsapp(run.bridge.port, ROSA, "gave Emma 5 ml Tylenol").await;
    let logged = wait_replies(&run.twilio, ROSA, 4, &family).await;
    assert!(logged[3].contains("Logged"), "{logged:?}");

    // Whoever looks next, on any channel, sees who gave it.
    let out = family.chat("ana", "last Emma\n");
    assert!(out.contains("Rosa"), "the console shows Rosa's dose: {out}");

    // The same dose again from WhatsApp is too soon: a question with YES/NO, nothing logged yet.
    whatsapp(run.bridge.port, ROSA, "gave Emma 5 ml Tylenol").await;
    let asked = wait_replies(&run.twilio, ROSA, 5, &family).await;
    assert!(asked[4].contains("YES"), "{asked:?}");
    whatsapp(run.bridge.port, ROSA, "no").await;
    let answered = wait_replies(&run.twilio, ROSA, 6, &family).await;
    assert!(!answered[5].contains("Logged"), "{answered:?}");
    drop(run);
}

#[tokio::test]
async fn messages_that_arrive_while_the_bot_is_down_are_answered_once_when_it_is_back() {
    let family = Family::garcia();
    let twilio = FakeTwilio::start().await;
    // Migrated by the demo already; the bot is not running.
    let bridge_port = free_port();
    let bot_port = free_port();
    let bridge = family.bridge(bridge_port, bot_port, &twilio);
    wait_ready(bridge.port).await;
    let numbers = ["+14155550111", "+14155550112", "+14155550113"];
    for number in numbers {
        let (_, status, _) = whatsapp(bridge.port, number, "hi").await;
        assert_eq!(status, 200, "kept while the bot is down");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        twilio.sent().is_empty(),
        "nobody answers while the bot is down"
    );

    let bot = family.bot(bridge_port);
    for number in numbers {
        wait_replies(&twilio, number, 1, &family).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    for number in numbers {
        assert_eq!(
            replies_to(&twilio, number).len(),
            1,
            "{number} answered once"
        );
    }
    drop(bot);
}

#[tokio::test]
async fn twilio_server_errors_are_retried_and_refusals_are_not() {
    let family = Family::garcia();
    let run = start(&family).await;

    // 503, then 429 with Retry-After: the reply still arrives, once.
    run.twilio.script([
        Scripted::ServerError(503),
        Scripted::TooManyRequests {
            retry_after_secs: Some(1),
        },
    ]);
    whatsapp(run.bridge.port, "+14155550121", "hi").await;
    let replies = wait_replies(&run.twilio, "+14155550121", 1, &family).await;
    assert_eq!(replies.len(), 1);
    assert!(run.twilio.attempts() >= 3, "two failures, then the send");

    // Not a WhatsApp number (21211): given up at once, never retried.
    let before = run.twilio.attempts();
    run.twilio.script([Scripted::Error {
        status: 400,
        code: 21211,
        message: "The 'To' number is not a valid phone number.".into(),
    }]);
    whatsapp(run.bridge.port, "+14155550122", "hi").await;
    let deadline = Instant::now() + WAIT;
    while run.twilio.attempts() == before {
        assert!(Instant::now() < deadline, "the send was never tried");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        run.twilio.attempts(),
        before + 1,
        "a refusal is not retried"
    );
    assert!(replies_to(&run.twilio, "+14155550122").is_empty());
    drop(run);
}

#[tokio::test]
async fn status_callbacks_are_signed_and_recorded() {
    let family = Family::garcia();
    let run = start(&family).await;
    whatsapp(run.bridge.port, "+14155550131", "hi").await;
    wait_replies(&run.twilio, "+14155550131", 1, &family).await;
    let sent = run.twilio.sent_to("whatsapp:+14155550131");
    let callback = sent[0]
        .status_callback
        .clone()
        .expect("a status callback URL");
    assert_eq!(
        callback,
        format!("{}/twilio/status", public_url(run.bridge.port))
    );
    assert_eq!(
        run.twilio
            .send_status(&sent[0].sid, "delivered", None)
            .await,
        200
    );
    assert_eq!(
        run.twilio.send_status(&sent[0].sid, "read", None).await,
        200
    );
    // An unsigned callback is refused.
    let unsigned = reqwest::Client::new()
        .post(&callback)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("MessageSid".to_string(), sent[0].sid.clone()),
            ("MessageStatus".to_string(), "failed".to_string()),
        ]))
        .send()
        .await
        .expect("posted");
    assert_eq!(unsigned.status(), 403);
    let status = outbox_status(&family, &sent[0].sid).await;
    assert_eq!(status, "read");
    drop(run);
}

/// The outbox row of a sent message, read from the database the way the bridge reads it.
async fn outbox_status(family: &Family, sid: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let settings = mednanny_core::settings::DatabaseSettings {
        url: family.database_url(),
        max_connections: Some(1),
        busy_timeout_ms: 5000,
        sqlite_cache_kib: 512,
        migrate_on_start: false,
    };
    let db = mednanny_core::db::Database::connect(&settings)
        .await
        .expect("database");
    let row = entity::outbox::Entity::find()
        .filter(entity::outbox::Column::ProviderSid.eq(sid))
        .one(db.conn())
        .await
        .expect("query")
        .expect("the message is in the outbox");
    db.close().await.ok();
    row.status
}

#[tokio::test]
async fn a_bridge_killed_mid_burst_loses_nothing() {
    let family = Family::garcia();
    let run = start(&family).await;
    let Running {
        twilio,
        bot,
        bridge,
    } = run;
    let port = bridge.port;
    // Twilio retries a webhook that got no 200; the test does the same.
    let numbers: Vec<String> = (0..20).map(|n| format!("+1415555{:04}", 200 + n)).collect();
    let mut pending: Vec<(String, Vec<(String, String)>)> = numbers
        .iter()
        .map(|number| {
            let sid = next_sid();
            let params = inbound_whatsapp(&sid, number, FROM, "hi");
            (number.clone(), params)
        })
        .collect();
    let url = format!("{}/twilio/whatsapp", public_url(port));
    let mut bridge = Some(bridge);
    let mut restarted = None;
    let mut n = 0;
    while !pending.is_empty() {
        let (number, params) = pending.remove(0);
        if n == 10 {
            // SIGKILL halfway through the burst, then back.
            if let Some(bridge) = bridge.take() {
                bridge.kill();
            }
        }
        if n == 13 && restarted.is_none() {
            restarted = Some(family.bridge(port, bot.port, &twilio));
            wait_ready(port).await;
        }
        n += 1;
        let status = post_or_refused(&url, &params).await;
        if status != 200 {
            // Not kept: Twilio sends it again later.
            pending.push((number, params));
        }
    }
    for number in &numbers {
        wait_replies(&twilio, number, 1, &family).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    for number in &numbers {
        assert_eq!(
            replies_to(&twilio, number).len(),
            1,
            "{number} answered once"
        );
    }
    drop(restarted);
    drop(bot);
}

/// A signed webhook, or 0 when nothing listens (the bridge is down).
async fn post_or_refused(url: &str, params: &[(String, String)]) -> u16 {
    let signature = twilio_signature(TWILIO_AUTH_TOKEN, url, params);
    match reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(form(params))
        .send()
        .await
    {
        Ok(response) => response.status().as_u16(),
        Err(_) => 0,
    }
}

#[tokio::test]
async fn two_bridges_on_one_postgres_send_each_reply_once() {
    let Some(family) = Family::garcia_on_postgres() else {
        eprintln!("skipped: MEDNANNY_TEST_DATABASE_URL is not set (CI sets it)");
        return;
    };
    let run = start(&family).await;
    let second_port = free_port();
    let second = family.bridge(second_port, run.bot.port, &run.twilio);
    wait_ready(second_port).await;
    let numbers: Vec<String> = (0..30).map(|n| format!("+1415555{:04}", 300 + n)).collect();
    for (n, number) in numbers.iter().enumerate() {
        // Half the webhooks reach each bridge.
        let port = if n % 2 == 0 {
            run.bridge.port
        } else {
            second_port
        };
        let (_, status, _) = whatsapp(port, number, "hi").await;
        assert_eq!(status, 200);
    }
    for number in &numbers {
        wait_replies(&run.twilio, number, 1, &family).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        run.twilio.sent().len(),
        numbers.len(),
        "each reply sent once"
    );
    drop(second);
    drop(run);
}

/// The 6-digit code in a message.
fn six_digits(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text:?}"))
        .to_string()
}

/// Links `phone` to the console person `who` with the code sent to it; returns the replies the
/// phone received.
async fn link(family: &Family, run: &Running, who: &str, phone: &str) -> Vec<String> {
    let out = family.chat(who, &format!("link-whatsapp {phone}\n"));
    assert!(out.contains("6-digit code"), "{out}");
    let code = six_digits(&wait_replies(&run.twilio, phone, 1, family).await[0]);
    whatsapp(run.bridge.port, phone, &code).await;
    let replies = wait_replies(&run.twilio, phone, 2, family).await;
    assert!(replies[1].contains("Linked"), "{replies:?}");
    replies
}

#[tokio::test]
async fn guardians_link_their_phones_and_an_emergency_reaches_the_other_one_at_once() {
    let family = Family::garcia();
    let run = start(&family).await;
    let (ana, luis) = ("+14155550102", "+14155550103");

    // A wrong code counts against the code; the right one links the number.
    let out = family.chat("luis", &format!("link-whatsapp {luis}\n"));
    assert!(out.contains("6-digit code"), "{out}");
    let code = six_digits(&wait_replies(&run.twilio, luis, 1, &family).await[0]);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    whatsapp(run.bridge.port, luis, wrong).await;
    let replies = wait_replies(&run.twilio, luis, 2, &family).await;
    assert!(replies[1].contains("4 tries left"), "{replies:?}");
    whatsapp(run.bridge.port, luis, &code).await;
    let replies = wait_replies(&run.twilio, luis, 3, &family).await;
    assert!(replies[2].contains("Linked"), "{replies:?}");
    whatsapp(run.bridge.port, luis, "kids").await;
    let replies = wait_replies(&run.twilio, luis, 4, &family).await;
    assert!(
        replies[3].contains("Emma") && replies[3].contains("Leo"),
        "{replies:?}"
    );

    link(&family, &run, "ana", ana).await;

    // Ana, on WhatsApp: the emergency answer at once, in bold; Luis is told without writing.
    whatsapp(run.bridge.port, ana, "Emma is not breathing").await;
    let answer = wait_replies(&run.twilio, ana, 3, &family).await;
    assert!(answer[2].starts_with("*🚨 Call 911"), "{answer:?}");
    let told = wait_replies(&run.twilio, luis, 5, &family).await;
    assert!(told[4].contains("Emma"), "the alert reached Luis: {told:?}");
    drop(run);
}

#[tokio::test]
async fn a_reply_whatsapp_will_not_deliver_is_reported_to_the_member_on_slack() {
    use test_support::{message_im, FakeSlack, APP_TOKEN, BOT_TOKEN, TEAM_ID};
    let family = Family::garcia();
    let slack = FakeSlack::start().await;
    let twilio = FakeTwilio::start().await;
    let bridge_port = free_port();
    let mut bot = Command::new(env!("CARGO_BIN_EXE_mednanny"));
    bot.arg("serve");
    family.env(&mut bot);
    bot.env("MEDNANNY__API__LISTEN", "127.0.0.1:0")
        .env(
            "MEDNANNY__BOT__BRIDGE_URL",
            format!("http://127.0.0.1:{bridge_port}"),
        )
        .env("MEDNANNY__SLACK__APP_TOKEN", APP_TOKEN)
        .env("MEDNANNY__SLACK__BOT_TOKEN", BOT_TOKEN)
        .env("MEDNANNY__SLACK__API_URL", slack.api_url());
    let (child, url) = spawn(bot, &family.path("bot.log"), "mednanny serve: health on ");
    let bot_port: u16 = url
        .trim_end_matches("/healthz")
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let _bot = Process {
        child,
        port: bot_port,
    };
    assert!(slack.wait_for_connections(1, WAIT).await, "Slack connected");
    let bridge = family.bridge(bridge_port, bot_port, &twilio);
    wait_ready(bridge.port).await;

    // Luis joins on Slack with an invite code, then links his phone from Slack.
    let out = family.chat("ana", "invite guardian\n");
    let code = out
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| w.len() == 11 && w.as_bytes()[5] == b'-')
        .expect("an invite code")
        .to_string();
    let luis = "U0LUIS";
    let mut n = 0;
    let mut dm = |text: &str| {
        n += 1;
        message_im(
            TEAM_ID,
            luis,
            "DU0LUIS",
            text,
            &format!("EvWa{n:04}"),
            &format!("1700000{n:03}.000200"),
        )
    };
    slack
        .send_envelope("events_api", dm(&format!("join {code}")), 0)
        .await;
    slack
        .wait_for_call(WAIT, |c| {
            c.method == "chat.postMessage" && c.params.to_string().contains("Welcome")
        })
        .await
        .expect("Luis joined on Slack");
    let phone = "+14155550104";
    slack
        .send_envelope("events_api", dm(&format!("link-whatsapp {phone}")), 0)
        .await;
    let sent = wait_replies(&twilio, phone, 1, &family).await;
    whatsapp(bridge.port, phone, &six_digits(&sent[0])).await;
    let linked = wait_replies(&twilio, phone, 2, &family).await;
    assert!(linked[1].contains("Linked"), "{linked:?}");

    // His next reply falls outside WhatsApp's window (63016): he hears of it on Slack.
    twilio.script([Scripted::Error {
        status: 400,
        code: 63016,
        message: "Failed to send freeform message because you are outside the allowed window."
            .into(),
    }]);
    whatsapp(bridge.port, phone, "kids").await;
    let told = slack
        .wait_for_call(WAIT, |c| {
            c.method == "chat.postMessage" && c.params.to_string().contains("could not reach you")
        })
        .await;
    assert!(told.is_some(), "told on Slack: {}", family.logs());
    assert_eq!(
        replies_to(&twilio, phone).len(),
        2,
        "the undeliverable reply was not sent"
    );
}

/// A voice note from `from`, its audio put up on the fake Twilio.
fn voice_note(twilio: &FakeTwilio, from: &str) -> Vec<(String, String)> {
    let mut note = inbound_whatsapp(&next_sid(), from, FROM, "");
    for (name, value) in note.iter_mut() {
        if name == "NumMedia" {
            *value = "1".into();
        }
    }
    note.push((
        "MediaUrl0".into(),
        twilio.host_media("audio/ogg", b"OggS fake opus voice note".to_vec()),
    ));
    note.push(("MediaContentType0".into(), "audio/ogg".into()));
    note
}

#[tokio::test]
async fn a_voice_note_is_heard_shown_back_and_handled_like_text_emergencies_first() {
    use test_support::FakeLlm;
    let family = Family::garcia();
    let llm = FakeLlm::start().await;
    llm.transcripts(["gave Emma 5 ml Tylenol", "Leo is not breathing"]);
    let run = start_with(
        &family,
        &[
            ("MEDNANNY__LLM__TRANSCRIBE_URL", llm.base_url()),
            // The media URL needs the account's credentials.
            (
                "MEDNANNY__TWILIO__ACCOUNT_SID",
                TWILIO_ACCOUNT_SID.to_string(),
            ),
            (
                "MEDNANNY__TWILIO__AUTH_TOKEN",
                TWILIO_AUTH_TOKEN.to_string(),
            ),
        ],
    )
    .await;
    let ana = "+14155550102";
    link(&family, &run, "ana", ana).await;
    let url = format!("{}/twilio/whatsapp", public_url(run.bridge.port));

    let note = voice_note(&run.twilio, ana);
    assert_eq!(post_signed(&url, &note, TWILIO_AUTH_TOKEN).await.0, 200);
    let replies = wait_replies(&run.twilio, ana, 4, &family).await;
    assert_eq!(
        replies[2], "I heard: “gave Emma 5 ml Tylenol”",
        "{replies:?}"
    );
    assert!(
        replies[3].contains("Logged: Emma 5 ml Children's Tylenol"),
        "{replies:?}"
    );

    // A red flag heard in a voice note: the emergency answer first, then what was heard.
    let note = voice_note(&run.twilio, ana);
    assert_eq!(post_signed(&url, &note, TWILIO_AUTH_TOKEN).await.0, 200);
    let replies = wait_replies(&run.twilio, ana, 6, &family).await;
    assert!(replies[4].starts_with("*🚨 Call 911"), "{replies:?}");
    assert_eq!(replies[5], "I heard: “Leo is not breathing”", "{replies:?}");
    assert_eq!(llm.transcriptions(), 2);
    let logs = family.logs();
    assert!(
        !logs.contains("not breathing"),
        "what was heard is never logged: {logs}"
    );
    drop(run);
}

#[tokio::test]
async fn without_a_transcription_service_a_voice_note_asks_for_text() {
    let family = Family::garcia();
    let run = start(&family).await;
    let ana = "+14155550102";
    link(&family, &run, "ana", ana).await;
    let url = format!("{}/twilio/whatsapp", public_url(run.bridge.port));
    let note = voice_note(&run.twilio, ana);
    assert_eq!(post_signed(&url, &note, TWILIO_AUTH_TOKEN).await.0, 200);
    let replies = wait_replies(&run.twilio, ana, 3, &family).await;
    assert!(
        replies[2].contains("can't listen to voice notes"),
        "{replies:?}"
    );
    drop(run);
}

/// A photo from `from` with `caption`, its image put up on the fake Twilio.
fn label_photo(twilio: &FakeTwilio, from: &str, caption: &str) -> Vec<(String, String)> {
    let mut photo = inbound_whatsapp(&next_sid(), from, FROM, caption);
    for (name, value) in photo.iter_mut() {
        if name == "NumMedia" {
            *value = "1".into();
        }
    }
    photo.push((
        "MediaUrl0".into(),
        twilio.host_media("image/jpeg", LABEL_JPEG.to_vec()),
    ));
    photo.push(("MediaContentType0".into(), "image/jpeg".into()));
    photo
}

/// A photo's bytes (what the model is shown; the fake reads no pixels).
const LABEL_JPEG: &[u8] = b"\xff\xd8\xff\xe0 a photo of a Children's Zyrtec box";

/// Waits until one of the replies `to` got after the first `before` contains `needle`; returns
/// those replies.
async fn replies_after(
    run: &Running,
    family: &Family,
    to: &str,
    before: usize,
    needle: &str,
) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let replies = replies_to(&run.twilio, to);
        let new = replies.get(before..).unwrap_or_default().to_vec();
        if new.iter().any(|r| r.contains(needle)) {
            return new;
        }
        assert!(
            Instant::now() < deadline,
            "{to} never got {needle:?}: {new:?}\n{}",
            family.logs()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Says `text` from `phone` and waits for a reply containing `needle`.
async fn say(run: &Running, family: &Family, phone: &str, text: &str, needle: &str) -> Vec<String> {
    let before = replies_to(&run.twilio, phone).len();
    whatsapp(run.bridge.port, phone, text).await;
    replies_after(run, family, phone, before, needle).await
}

/// Sends a label photo from `phone` and waits for a reply containing `needle`.
async fn send_photo(
    run: &Running,
    family: &Family,
    phone: &str,
    caption: &str,
    needle: &str,
) -> Vec<String> {
    let before = replies_to(&run.twilio, phone).len();
    let url = format!("{}/twilio/whatsapp", public_url(run.bridge.port));
    let photo = label_photo(&run.twilio, phone, caption);
    assert_eq!(post_signed(&url, &photo, TWILIO_AUTH_TOKEN).await.0, 200);
    replies_after(run, family, phone, before, needle).await
}

/// The bot with a model that sees, and the Twilio credentials its media URLs need.
async fn start_seeing(family: &Family, llm: &test_support::FakeLlm) -> Running {
    start_with(
        family,
        &[
            ("MEDNANNY__LLM__PROVIDER", "openai-compatible".to_string()),
            ("MEDNANNY__LLM__BASE_URL", llm.base_url()),
            ("MEDNANNY__LLM__MODEL", "family-vision-model".to_string()),
            ("MEDNANNY__LLM__VISION", "true".to_string()),
            (
                "MEDNANNY__TWILIO__ACCOUNT_SID",
                TWILIO_ACCOUNT_SID.to_string(),
            ),
            (
                "MEDNANNY__TWILIO__AUTH_TOKEN",
                TWILIO_AUTH_TOKEN.to_string(),
            ),
        ],
    )
    .await
}

/// ```text
/// ana> [photo of a Children's Zyrtec box] this is Emma's new medicine
///      From the photo I read: Children's Zyrtec (cetirizine, 5 mg/5 ml, oral solution)…
///      What is in it, and how strong? …          (the form propose_medication starts)
/// ana> cetirizine 5 mg/5 ml … ongoing            -> New medicine for Emma: … Save it?
/// ana> yes                                       -> saved: Emma's medications list it
/// ```
#[tokio::test]
async fn a_label_photo_becomes_a_proposed_medicine_a_guardian_saves() {
    use test_support::{FakeLlm, LlmScript};
    let family = Family::garcia();
    let llm = FakeLlm::start().await;
    llm.script([LlmScript::label(
        "Children's Zyrtec",
        "cetirizine",
        "5 mg/5 ml",
        "oral solution",
    )]);
    let run = start_seeing(&family, &llm).await;
    let ana = "+14155550102";
    link(&family, &run, "ana", ana).await;

    let read = send_photo(
        &run,
        &family,
        ana,
        "this is Emma's new medicine",
        "What is in it",
    )
    .await;
    assert!(
        read[0].contains(
            "From the photo I read: Children's Zyrtec (cetirizine, 5 mg/5 ml, oral solution)"
        ),
        "{read:?}"
    );
    assert!(
        read[0].contains("nothing is saved until you confirm"),
        "{read:?}"
    );

    // The model saw the photo, and nothing from the family: no caption, no name.
    let requests = llm.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].images(), vec![LABEL_JPEG.to_vec()]);
    let told = requests[0].body.to_string();
    for name in ["Emma", "Ana", "Luis", "Garcia", "new medicine"] {
        assert!(!told.contains(name), "{name} sent to the model");
    }
    assert_eq!(requests[0].tool_names(), ["medicine_label"]);

    for (answer, next) in [
        ("cetirizine 5 mg/5 ml", "How much"),
        ("5 ml", "How is it given"),
        ("as needed", "hours between"),
        ("24", "At most how many doses"),
        ("one", "daily maximum"),
        ("none", "For how long"),
    ] {
        say(&run, &family, ana, answer, next).await;
    }
    let summary = say(&run, &family, ana, "ongoing", "Save it?").await;
    assert!(
        summary.iter().any(|r| r.contains("Children's Zyrtec")),
        "{summary:?}"
    );
    say(&run, &family, ana, "yes", "Children's Zyrtec").await;

    let meds = family.chat("ana", "medications Emma\n");
    assert!(meds.contains("Children's Zyrtec"), "{meds}");
    // A label never logs a dose.
    let doses = family.chat("ana", "last Emma\n");
    assert!(!doses.contains("Zyrtec"), "{doses}");
    drop(run);
}

/// A nanny's photo proposes the medicine like her typed one would: it waits for a guardian.
#[tokio::test]
async fn a_caregivers_label_photo_waits_for_a_guardians_approval() {
    use test_support::{FakeLlm, LlmScript};
    let family = Family::garcia();
    let llm = FakeLlm::start().await;
    llm.script([LlmScript::label(
        "Children's Zyrtec",
        "cetirizine",
        "5 mg/5 ml",
        "oral solution",
    )]);
    let run = start_seeing(&family, &llm).await;
    family.chat("ana", "invite caregiver Rosa +1 415 555 0101\n");
    wait_replies(&run.twilio, ROSA, 1, &family).await;
    say(&run, &family, ROSA, "JOIN", "caregiver").await;
    let out = family.chat("ana", "assign Rosa to Emma\n");
    assert!(out.contains("Rosa"), "{out}");

    // Emma is the only child Rosa sees: the medicine is proposed for her, no caption needed.
    let read = send_photo(&run, &family, ROSA, "", "What is in it").await;
    assert!(read[0].contains("Children's Zyrtec"), "{read:?}");
    for (answer, next) in [
        ("cetirizine 5 mg/5 ml", "How much"),
        ("5 ml", "How is it given"),
        ("as needed", "hours between"),
        ("24", "At most how many doses"),
        ("one", "daily maximum"),
        ("none", "For how long"),
        ("ongoing", "Save it?"),
    ] {
        say(&run, &family, ROSA, answer, next).await;
    }
    say(
        &run,
        &family,
        ROSA,
        "yes",
        "waiting for a guardian's approval",
    )
    .await;
    let pending = family.chat("ana", "approve\n");
    assert!(pending.contains("Children's Zyrtec"), "{pending}");
    drop(run);
}

/// A photo the model cannot read (not a label, garbage, a failure) is answered in one line and
/// records nothing; without the family's consent the photo is not sent at all.
#[tokio::test]
async fn an_unreadable_label_photo_records_nothing() {
    use test_support::{FakeLlm, LlmScript};
    let family = Family::garcia();
    let llm = FakeLlm::start().await;
    llm.script([
        LlmScript::Garbage,
        LlmScript::text("It looks like a box of something."),
        LlmScript::tool("medicine_label", serde_json::json!({"readable": false})),
    ]);
    let run = start_seeing(&family, &llm).await;
    let ana = "+14155550102";
    link(&family, &run, "ana", ana).await;
    let before = family.chat("ana", "medications Emma\n");

    let answer = send_photo(&run, &family, ana, "", "Nothing was recorded").await;
    assert!(
        answer[0].contains("couldn't read that photo just now"),
        "{answer:?}"
    );
    let answer = send_photo(&run, &family, ana, "", "Nothing was recorded").await;
    assert!(
        answer[0].contains("couldn't read a medicine's label"),
        "{answer:?}"
    );
    let answer = send_photo(&run, &family, ana, "", "Nothing was recorded").await;
    assert!(
        answer[0].contains("couldn't read a medicine's label"),
        "{answer:?}"
    );
    assert_eq!(llm.requests().len(), 3);

    // Consent withdrawn: the photo is not sent.
    say(&run, &family, ana, "assistant off", "off").await;
    let answer = send_photo(&run, &family, ana, "", "Nothing was recorded").await;
    assert!(answer[0].contains("assistant on"), "{answer:?}");
    assert_eq!(llm.requests().len(), 3);

    // Nothing recorded.
    assert_eq!(family.chat("ana", "medications Emma\n"), before);
    drop(run);
}

/// ```text
/// +52 55…> crear familia López   -> ¿La familia López vive en México (… Mexico City …) — 911? sí / no
/// +52 55…> sí                    -> La familia López está lista … México … 911
/// +52 55…> (a cry for help)      -> Llama al 911 … Línea de la Vida 800 911 2000
/// +52 55…> vivimos en Bogotá     -> ✓ Ahora la familia vive en Colombia … 123
/// ```
/// A number's country is only proposed: the family is made where its guardian confirms, and its
/// emergency answer follows where it lives, also after a move.
#[tokio::test]
async fn a_family_created_from_a_mexican_number_confirms_mexico_and_hears_its_numbers() {
    let family = Family::garcia();
    let run = start(&family).await;
    let rosa = "+525512345678";

    let asked = say(&run, &family, rosa, "crear familia López", "México").await;
    assert!(
        asked
            .iter()
            .any(|r| r.contains("¿La familia López vive en México")
                && r.contains("Mexico City")
                && r.contains("911")),
        "Mexico is proposed with its number: {asked:?}"
    );
    let created = say(&run, &family, rosa, "sí", "está lista").await;
    assert!(
        created
            .iter()
            .any(|r| r.contains("México") && r.contains("911")),
        "{created:?}"
    );
    let families = family.admin(&["family", "list"]);
    let lopez = families
        .lines()
        .find(|l| l.contains("López"))
        .unwrap_or_else(|| panic!("the family exists: {families}"));
    assert!(
        lopez.contains("America/Mexico_City") && lopez.contains("MX"),
        "{lopez}"
    );

    let urgent = say(
        &run,
        &family,
        rosa,
        "mi hija dice que se quiere morir",
        "911",
    )
    .await;
    let answer = urgent.join("\n");
    assert!(answer.contains("llama al 911"), "{answer}");
    assert!(
        answer.contains("Línea de la Vida") && answer.contains("800 911 2000"),
        "Mexico's crisis line, not the US's 988: {answer}"
    );
    assert!(!answer.contains("988"), "{answer}");

    let moved = say(&run, &family, rosa, "vivimos en Bogotá", "Colombia").await;
    assert!(moved.iter().any(|r| r.contains("123")), "{moved:?}");
    let urgent = say(&run, &family, rosa, "mi hijo no respira", "Llama").await;
    assert!(
        urgent.iter().any(|r| r.contains("Llama al 123")),
        "after the move, Colombia's number: {urgent:?}"
    );

    // A British number: the United Kingdom is proposed, and the family hears 999.
    let jo = "+447400123456";
    let asked = say(&run, &family, jo, "create family Jones", "United Kingdom").await;
    assert!(asked.iter().any(|r| r.contains("999")), "{asked:?}");
    say(&run, &family, jo, "yes", "is ready").await;
    let urgent = say(&run, &family, jo, "my baby is not breathing", "Call").await;
    assert!(
        urgent.iter().any(|r| r.contains("Call 999 now")),
        "{urgent:?}"
    );
    drop(run);
}

/// `mednanny serve`'s own HTTP server (health, the bridge's call) holds no slow client either:
/// 200 connections that never finish their heads are closed within `api.header_timeout_ms`
/// while health and the bridge's call are answered, and a body that trickles holds nothing.
#[tokio::test]
async fn the_bots_http_server_closes_slow_clients_and_keeps_answering() {
    use test_support::slow_clients::{left_open, partial_heads, trickle};
    let timeout = Duration::from_millis(1000);
    let margin = Duration::from_secs(2);
    let family = Family::garcia();
    let bot = family.bot_with(
        free_port(),
        &[
            ("MEDNANNY__API__HEADER_TIMEOUT_MS", "1000".into()),
            ("MEDNANNY__API__BODY_TIMEOUT_MS", "1500".into()),
        ],
    );
    let address = format!("127.0.0.1:{}", bot.port);
    let opened = Instant::now();
    let slow = partial_heads(&address, 200).await;

    let health = reqwest::get(format!("http://{address}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let told = reqwest::Client::new()
        .post(format!("http://{address}/internal/whatsapp"))
        .bearer_auth(SECRET)
        .send()
        .await
        .expect("the bridge's call");
    assert_eq!(told.status(), 204);

    let open = left_open(slow, timeout + margin - opened.elapsed()).await;
    assert_eq!(open, 0, "{}", family.logs());
    assert!(opened.elapsed() >= timeout - Duration::from_millis(100));

    let cut = trickle(
        &address,
        "POST /internal/whatsapp HTTP/1.1\r\nHost: bot\r\nContent-Length: 5000\r\n\r\n",
        Duration::from_millis(100),
        Duration::from_millis(1500) + margin,
    )
    .await;
    assert!(cut.is_some(), "a trickling body does not hold a connection");
    drop(bot);
}

/// A number hammering `join <code>` through the real bridge and bot: five wrong codes are
/// checked and answered as such, then every further code (the family's real one too) is answered
/// with the wait, unchecked; another number's right code joins meanwhile.
///
/// ```text
/// stranger > join WRONG-00001   (× 5)  -> "That invite code is not valid. …"
/// stranger > join WRONG-00006          -> "Too many wrong invite codes: wait 15 minutes, …"
/// stranger > join <Rosa's code>        -> the same
/// Rosa     > join <her code>           -> "Welcome to the Garcia family …"
/// ```
#[tokio::test]
async fn a_number_hammering_join_codes_is_told_to_wait() {
    let family = Family::garcia();
    let run = start(&family).await;
    let invited = family.admin(&["invite", "--family", "Garcia", "--role", "caregiver"]);
    let code = invited
        .split_whitespace()
        .find(|word| word.len() == 11 && word.as_bytes()[5] == b'-')
        .unwrap_or_else(|| panic!("a code in: {invited}"))
        .to_string();

    for n in 1..=5 {
        whatsapp(run.bridge.port, STRANGER, &format!("join WRONG-{n:05}")).await;
        let replies = wait_replies(&run.twilio, STRANGER, n, &family).await;
        assert!(replies[n - 1].contains("not valid"), "{replies:?}");
    }
    whatsapp(run.bridge.port, STRANGER, "join WRONG-00006").await;
    let replies = wait_replies(&run.twilio, STRANGER, 6, &family).await;
    assert!(
        replies[5].contains("Too many wrong invite codes: wait 15 minutes"),
        "{replies:?}"
    );
    whatsapp(run.bridge.port, STRANGER, &format!("join {code}")).await;
    let replies = wait_replies(&run.twilio, STRANGER, 7, &family).await;
    assert!(
        replies[6].contains("This code was not checked."),
        "the right code is not checked either: {replies:?}"
    );

    whatsapp(run.bridge.port, ROSA, &format!("join {code}")).await;
    let joined = wait_replies(&run.twilio, ROSA, 1, &family).await;
    assert!(joined[0].contains("Garcia"), "{joined:?}");
    drop(run);
}
