//! The `twilio-bridge` binary at start-up: a missing setting stops it naming the setting; on a
//! database the bot has not migrated yet it serves /healthz, says why it is not ready, and turns
//! webhooks away with 503 (Twilio retries them) instead of losing them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

#[tokio::test]
async fn before_the_bot_migrates_the_database_webhooks_are_turned_away_not_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = bridge(dir.path())
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
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    let base = loop {
        assert!(Instant::now() < deadline, "never listened");
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("twilio-bridge: listening on ") {
                    break url.trim().to_string();
                }
            }
            _ => {
                let _ = child.kill();
                panic!("the bridge stopped before listening");
            }
        }
    };
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
