//! The real `twilio-bridge` against clients that are slow on purpose (issue 29: 200 connections
//! that never finished their headers were all still open after 20 s). Its port is open to anyone:
//!
//! - a request's head must come within `bridge.header_timeout_ms`, and a kept-alive connection
//!   with nothing more to ask is closed after as long;
//! - a body must come whole within `bridge.body_timeout_ms` of its head, however it trickles;
//! - at most `bridge.max_connections` are served at once, and the next one waits, then is served;
//! - meanwhile Twilio's webhooks are answered, and SIGTERM still stops it promptly.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mednanny_core::db::Database;
use mednanny_core::settings::DatabaseSettings;
use test_support::slow_clients::{left_open, partial_heads, trickle};
use test_support::{inbound_whatsapp, post_signed, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FROM: &str = "+14155238886";
/// What the tests allow the server beyond a timeout (a loaded CI machine).
const MARGIN: Duration = Duration::from_secs(2);

/// A running bridge on a migrated SQLite database, killed when dropped.
struct Bridge {
    child: Child,
    /// `127.0.0.1:port`.
    address: String,
    dir: tempfile::TempDir,
}

impl Bridge {
    /// Starts the bridge with `settings` (`MEDNANNY__…` pairs) and waits until it is ready.
    async fn start(settings: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display());
        migrate(&url).await;
        // Twilio's signatures are checked over the public URL: here the bridge's own address.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut command = Command::new(env!("CARGO_BIN_EXE_twilio-bridge"));
        command
            .current_dir(dir.path())
            .env_remove("MEDNANNY_ENV")
            .env("MEDNANNY__DATABASE__URL", &url)
            .env(
                "MEDNANNY__SECURITY__DEV_KEY_FILE",
                dir.path().join("dev.key"),
            )
            .env("MEDNANNY__LOG__FILTER", "info")
            .env("MEDNANNY__BRIDGE__LISTEN", format!("127.0.0.1:{port}"))
            .env(
                "MEDNANNY__TWILIO__PUBLIC_URL",
                format!("http://127.0.0.1:{port}"),
            )
            // No bot: the bridge's call to it fails quietly, and the messages wait in the inbox.
            .env("MEDNANNY__BRIDGE__BOT_URL", "http://127.0.0.1:9")
            .env("MEDNANNY__TWILIO__AUTH_TOKEN", TWILIO_AUTH_TOKEN)
            .env("MEDNANNY__TWILIO__ACCOUNT_SID", TWILIO_ACCOUNT_SID)
            .env("MEDNANNY__TWILIO__API_URL", "http://127.0.0.1:9")
            .env("MEDNANNY__TWILIO__WHATSAPP_FROM", FROM)
            .env(
                "MEDNANNY__INTERNAL__SECRET",
                "test-internal-secret-0123456789",
            )
            .envs(settings.iter().copied());
        let log = std::fs::File::create(dir.path().join("bridge.log")).expect("log file");
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the bridge starts");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, read) = std::sync::mpsc::channel();
        // Read to the end, even once nobody listens.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let address = loop {
            match read.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("twilio-bridge: listening on http://") {
                        break url.trim().to_string();
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("the bridge never listened: {}", log_of(dir.path()));
                }
            }
        };
        let bridge = Self {
            child,
            address,
            dir,
        };
        bridge.wait_ready().await;
        bridge
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(response) = reqwest::get(self.url("/readyz")).await {
                if response.status() == 200 {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the bridge never got ready: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log(&self) -> String {
        log_of(self.dir.path())
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- the bridge's log ---\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn log_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("bridge.log")).unwrap_or_default()
}

/// The schema the bot would have made (the bridge waits for it).
async fn migrate(url: &str) {
    let db = Database::connect(&DatabaseSettings {
        url: url.to_string(),
        max_connections: Some(2),
        busy_timeout_ms: 5000,
        sqlite_cache_kib: 512,
        migrate_on_start: true,
    })
    .await
    .expect("connect");
    db.migrate().await.expect("migrate");
    db.close().await.ok();
}

/// A WhatsApp message as Twilio posts it, signed over the URL the bridge is called at.
async fn webhook(bridge: &Bridge, sid: &str, text: &str) -> (u16, String) {
    let params = inbound_whatsapp(sid, "+14155550100", FROM, text);
    post_signed(&bridge.url("/twilio/whatsapp"), &params, TWILIO_AUTH_TOKEN).await
}

#[tokio::test]
async fn heads_never_finished_are_closed_in_time_while_webhooks_are_answered() {
    let timeout = Duration::from_millis(1000);
    let bridge = Bridge::start(&[("MEDNANNY__BRIDGE__HEADER_TIMEOUT_MS", "1000")]).await;
    let opened = Instant::now();
    let slow = partial_heads(&bridge.address, 200).await;

    // Meanwhile a webhook is kept and answered, and health is served.
    let (status, answer) = webhook(&bridge, "SM00000000000000000000000000000001", "hi").await;
    assert_eq!(status, 200, "answered while 200 connections hang: {answer}");
    assert!(answer.contains("<Response/>"), "{answer}");
    let health = reqwest::get(bridge.url("/healthz")).await.expect("healthz");
    assert_eq!(health.status(), 200);

    let open = left_open(slow, timeout + MARGIN - opened.elapsed()).await;
    assert_eq!(
        open, 0,
        "every unfinished head is closed within the header timeout"
    );
    assert!(
        opened.elapsed() >= timeout - Duration::from_millis(100),
        "closed by the timeout, not at once"
    );

    // A kept-alive connection with nothing more to ask is closed after as long.
    let mut kept = tokio::net::TcpStream::connect(&bridge.address)
        .await
        .expect("connect");
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: bridge\r\n\r\n")
        .await
        .expect("write");
    let mut answer = [0u8; 256];
    let n = kept.read(&mut answer).await.expect("answered");
    assert!(
        String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer[..n])
    );
    let idle = Instant::now();
    assert_eq!(left_open(vec![kept], timeout + MARGIN).await, 0);
    assert!(idle.elapsed() >= timeout - Duration::from_millis(100));
}

/// A webhook's head announcing a form body of `length` bytes.
fn webhook_head(length: usize) -> String {
    format!(
        "POST /twilio/whatsapp HTTP/1.1\r\nHost: bridge\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: abc\r\n\
         Content-Length: {length}\r\n\r\n"
    )
}

#[tokio::test]
async fn a_body_that_trickles_forever_is_cut_at_the_body_timeout() {
    let timeout = Duration::from_millis(1500);
    let bridge = Bridge::start(&[
        ("MEDNANNY__BRIDGE__HEADER_TIMEOUT_MS", "1000"),
        ("MEDNANNY__BRIDGE__BODY_TIMEOUT_MS", "1500"),
    ])
    .await;

    // A byte every 100 ms: never long without data, so only a deadline on the whole body cuts it.
    let cut = trickle(
        &bridge.address,
        &webhook_head(5000),
        Duration::from_millis(100),
        timeout + MARGIN,
    )
    .await
    .expect("the connection is closed within the body timeout");
    assert!(cut.after >= timeout - Duration::from_millis(100), "{cut:?}");
    // The answer may be lost to the reset a close with unread bytes sends; when it comes, it
    // says why.
    assert!(
        cut.status_line.is_empty() || cut.status_line.contains("408"),
        "{cut:?}"
    );

    // A body that stops coming is answered 408 Request Timeout, and its connection closed.
    let mut stalled = tokio::net::TcpStream::connect(&bridge.address)
        .await
        .expect("connect");
    stalled
        .write_all(format!("{}From=whatsapp", webhook_head(5000)).as_bytes())
        .await
        .expect("write");
    let started = Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(timeout + MARGIN, stalled.read_to_end(&mut answer))
        .await
        .expect("closed within the body timeout")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "answered 408: {answer:?}"
    );
    assert!(started.elapsed() >= timeout - Duration::from_millis(100));

    // A webhook that is neither is kept as before.
    let (status, _) = webhook(&bridge, "SM00000000000000000000000000000002", "hi").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn beyond_the_connection_limit_a_connection_waits_and_is_then_served() {
    let timeout = Duration::from_millis(1000);
    let bridge = Bridge::start(&[
        ("MEDNANNY__BRIDGE__HEADER_TIMEOUT_MS", "1000"),
        ("MEDNANNY__BRIDGE__MAX_CONNECTIONS", "4"),
    ])
    .await;
    let opened = Instant::now();
    let slow = partial_heads(&bridge.address, 4).await;
    let url = bridge.url("/healthz");
    let waiting = tokio::spawn(async move {
        let response = reqwest::Client::new()
            .get(url)
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        (response.map(|r| r.status().as_u16()), Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "a fifth connection is not served while four are"
    );
    let (status, answered_at) = waiting.await.expect("the request task");
    assert_eq!(
        status.expect("served once a connection is free"),
        200,
        "{}",
        bridge.log()
    );
    let waited = answered_at - opened;
    assert!(
        waited >= timeout - Duration::from_millis(100) && waited <= timeout + MARGIN,
        "served when the slow ones were closed: after {waited:?}"
    );
    assert_eq!(left_open(slow, MARGIN).await, 0);
}

#[tokio::test]
async fn sigterm_stops_the_bridge_promptly_with_slow_clients_connected() {
    let bridge = Bridge::start(&[("MEDNANNY__BRIDGE__HEADER_TIMEOUT_MS", "1000")]).await;
    let _slow = partial_heads(&bridge.address, 50).await;
    let (status, _) = webhook(&bridge, "SM00000000000000000000000000000003", "hi").await;
    assert_eq!(status, 200);
    let mut bridge = bridge;
    let stopped = Instant::now();
    let sent = Command::new("kill")
        .args(["-TERM", &bridge.child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(sent.success());
    let exit = loop {
        if let Some(exit) = bridge.child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(1) + MARGIN,
            "the bridge did not stop on SIGTERM: {}",
            bridge.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "exit 0 on SIGTERM: {exit:?}");
    assert!(
        bridge.log().contains("twilio-bridge stopped"),
        "{}",
        bridge.log()
    );
}
