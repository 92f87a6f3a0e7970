//! The `twilio-bridge` binary at start-up: a missing setting stops it naming the setting; on a
//! database the bot has not migrated yet it serves /healthz, says why it is not ready, and turns
//! webhooks away with 503 (Twilio retries them) instead of losing them; a database sealed with
//! another data key stops it (before it listens, or once the bot has migrated the database) with
//! one line naming both keys; `--help` and `--version` need no configuration at all.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mednanny_core::crypto::Keyring;
use mednanny_core::data_keys;
use mednanny_core::db::Database;
use mednanny_core::settings::DatabaseSettings;
use sea_orm::ConnectionTrait;

fn bridge(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_twilio-bridge"));
    command
        .current_dir(dir)
        .env_remove("MEDNANNY_ENV")
        .env(
            "MEDNANNY__DATABASE__URL",
            format!("sqlite://{}?mode=rwc", dir.join("m.db").display()),
        )
        .env("MEDNANNY__SECURITY__DEV_KEY_FILE", dir.join("dev.key"))
        .env("MEDNANNY__LOG__FILTER", "warn");
    command
}

#[test]
fn a_missing_setting_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = bridge(dir.path())
        .env_remove("MEDNANNY__TWILIO__AUTH_TOKEN")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("MEDNANNY__TWILIO__AUTH_TOKEN"), "{stderr}");

    let output = bridge(dir.path())
        .env("MEDNANNY__TWILIO__AUTH_TOKEN", "token")
        .env("MEDNANNY__TWILIO__ACCOUNT_SID", "not-a-sid")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("twilio.account_sid"), "{stderr}");
}

/// The bridge with every setting it needs to run, on port 0.
fn configured(dir: &std::path::Path) -> Command {
    let mut command = bridge(dir);
    command
        .env("MEDNANNY__BRIDGE__LISTEN", "127.0.0.1:0")
        .env(
            "MEDNANNY__TWILIO__AUTH_TOKEN",
            test_support::TWILIO_AUTH_TOKEN,
        )
        .env(
            "MEDNANNY__TWILIO__ACCOUNT_SID",
            test_support::TWILIO_ACCOUNT_SID,
        )
        .env("MEDNANNY__TWILIO__PUBLIC_URL", "https://bridge.example.com")
        .env("MEDNANNY__TWILIO__WHATSAPP_FROM", "+14155238886")
        .env(
            "MEDNANNY__INTERNAL__SECRET",
            "test-internal-secret-0123456789",
        );
    command
}

/// Starts `command` and waits for its "listening" line: the running bridge and its base URL.
fn listening(mut command: Command) -> (std::process::Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "never listened");
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("twilio-bridge: listening on ") {
                    return (child, url.trim().to_string());
                }
            }
            _ => {
                let _ = child.kill();
                let output = child.wait_with_output().expect("the bridge's output");
                panic!(
                    "the bridge stopped before listening: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
        }
    }
}

#[tokio::test]
async fn before_the_bot_migrates_the_database_webhooks_are_turned_away_not_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, base) = listening(configured(dir.path()));
    let health = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(format!("{base}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    assert!(ready
        .text()
        .await
        .unwrap_or_default()
        .contains("not migrated"));
    let params = test_support::inbound_whatsapp("SM0001", "+14155550100", "+14155238886", "hi");
    let (status, _) = test_support::post_signed(
        &format!("{base}/twilio/whatsapp"),
        &params,
        test_support::TWILIO_AUTH_TOKEN,
    )
    .await;
    assert_eq!(status, 503, "Twilio retries a 503");
    let _ = child.kill();
    let _ = child.wait();
}

/// Two data keys (base64 of 32 bytes) and the bytes they decode to.
const KEY_A: &str = "CgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo=";
const KEY_B: &str = "CwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCws=";

fn key_id(byte: u8) -> String {
    Keyring::new([byte; 32], &[]).current_key_id().to_string()
}

/// The database at `dir/m.db`, as the bot opens it.
async fn database(dir: &std::path::Path) -> Database {
    Database::connect(&DatabaseSettings {
        url: format!("sqlite://{}?mode=rwc", dir.join("m.db").display()),
        max_connections: Some(1),
        busy_timeout_ms: 5000,
        sqlite_cache_kib: 512,
        migrate_on_start: true,
    })
    .await
    .expect("connect")
}

/// The bridge's one error line names the key the database needs and the configured one.
fn assert_refused(output: &std::process::Output, needed: &str, configured: &str) {
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|line| line.starts_with("twilio-bridge: error: "))
        .unwrap_or_else(|| panic!("no error line:\n{stderr}"));
    assert!(
        line.contains(&format!("sealed with data key {needed},"))
            && line.contains(&format!("the configured data key is {configured}"))
            && line.contains("MEDNANNY__SECURITY__RETIRED_DATA_KEYS"),
        "{line}"
    );
}

#[tokio::test]
async fn a_database_sealed_with_another_key_stops_the_bridge_before_it_listens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = database(dir.path()).await;
    db.migrate().await.expect("migrate");
    data_keys::check(&db, &Keyring::new([0x0a; 32], &[]), chrono::Utc::now())
        .await
        .expect("the bot's key is recorded");
    db.close().await.ok();

    let output = configured(dir.path())
        .env("MEDNANNY__SECURITY__DATA_KEY", KEY_B)
        .output()
        .expect("runs");
    assert_refused(&output, &key_id(0x0a), &key_id(0x0b));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("listening"));

    let mut rotated = configured(dir.path());
    rotated
        .env("MEDNANNY__SECURITY__DATA_KEY", KEY_B)
        .env("MEDNANNY__SECURITY__RETIRED_DATA_KEYS", KEY_A);
    let (mut child, _) = listening(rotated);
    let _ = child.kill();
    let _ = child.wait();
}

/// Started before the bot has migrated the database, the bridge checks the keys once the schema is
/// there, and stops then.
#[tokio::test]
async fn a_bridge_started_first_stops_once_the_bot_has_recorded_another_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = configured(dir.path());
    command.env("MEDNANNY__SECURITY__DATA_KEY", KEY_B);
    let (mut child, _) = listening(command);

    // The bot with key A: its key is in `data_keys` before the rest of the schema, so the bridge
    // cannot find the schema without it (the real order leaves a moment where either may record).
    let db = database(dir.path()).await;
    db.conn()
        .execute_unprepared(
            "CREATE TABLE data_keys (key_id text PRIMARY KEY NOT NULL, check_value text NOT NULL, \
             recorded_at timestamp_with_timezone_text NOT NULL)",
        )
        .await
        .expect("create data_keys");
    db.conn()
        .execute_unprepared(&format!(
            "INSERT INTO data_keys VALUES ('{}', 'enc1:sealed-by-the-bot', '2026-12-11T00:00:00+00:00')",
            key_id(0x0a)
        ))
        .await
        .expect("record the bot's key");
    db.migrate().await.expect("migrate");
    db.close().await.ok();

    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the bridge kept running with the wrong key");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("output");
    assert_refused(&output, &key_id(0x0a), &key_id(0x0b));
}

/// `--help` and `--version` are answered before any setting is read: with a configuration that
/// stops start-up (production without a data key, a bad database URL) they still work.
#[test]
fn help_and_version_need_no_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (flag, expected) in [
        ("--help", "Usage: twilio-bridge"),
        (
            "--version",
            concat!("twilio-bridge ", env!("CARGO_PKG_VERSION")),
        ),
    ] {
        let output = bridge(dir.path())
            .arg(flag)
            .env("MEDNANNY_ENV", "production")
            .env("MEDNANNY__DATABASE__URL", "mysql://nowhere")
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{flag}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains(expected), "{flag}: {stdout}");
    }
    assert!(
        !dir.path().join("m.db").exists(),
        "nothing is opened for --help"
    );
}
