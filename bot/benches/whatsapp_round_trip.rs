//! WhatsApp's full round trip with the real processes (release builds): a signed webhook to
//! `twilio-bridge` → kept in the inbox → the bot claims it and runs the engine turn (a note written
//! to SQLite) → the reply queued in the outbox → the bridge sends it to the local Twilio-compatible
//! server. Messages go at a fixed rate from members who joined by phone invite, the way nannies do.
//!
//! Reports the round-trip latency (webhook sent → reply received by the fake Twilio) p50/p99/max,
//! how many were answered, and each process's peak RSS (VmHWM) and CPU time.
//!
//! Run: `cargo build --release -p twilio-bridge && cargo bench -p bot --bench whatsapp_round_trip`
//! Knobs: MEDNANNY_BENCH_RATE (200 messages/s), MEDNANNY_BENCH_SECONDS (10), MEDNANNY_BENCH_MEMBERS (20).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

use support::{cpu_seconds, free_port, knob, peak_rss_kib, spawn};
use test_support::{
    inbound_whatsapp, twilio_signature, FakeTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
};
use tokio::sync::Mutex;

const SECRET: &str = "bench-internal-secret-0123456789";
const FROM: &str = "+14155238886";

fn env(command: &mut Command, dir: &Path) {
    command
        .current_dir(dir)
        .env_remove("MEDNANNY_ENV")
        .env(
            "MEDNANNY__DATABASE__URL",
            format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
        )
        .env("MEDNANNY__SECURITY__DEV_KEY_FILE", dir.join("dev.key"))
        .env("MEDNANNY__INTERNAL__SECRET", SECRET)
        .env("MEDNANNY__LOG__FILTER", "warn");
}

fn chat(dir: &Path, input: &str) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mednanny"));
    command.args(["chat", "--demo"]);
    env(&mut command, dir);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("mednanny runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input");
    let output = child.wait_with_output().expect("chat ends");
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn post(http: &reqwest::Client, url: &str, params: &[(String, String)]) -> u16 {
    let signature = twilio_signature(TWILIO_AUTH_TOKEN, url, params);
    let body: String = params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                k,
                v.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    http.post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let rate = knob("MEDNANNY_BENCH_RATE", 200);
    let seconds = knob("MEDNANNY_BENCH_SECONDS", 10);
    let members = knob("MEDNANNY_BENCH_MEMBERS", 20);
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let bridge_bin: PathBuf =
        Path::new(env!("CARGO_BIN_EXE_mednanny")).with_file_name("twilio-bridge");
    assert!(
        bridge_bin.exists(),
        "build the bridge first: cargo build --release -p twilio-bridge"
    );
    let phones: Vec<String> = (0..members)
        .map(|n| format!("+1415555{:04}", 1000 + n))
        .collect();
    // The family, and an invite by phone for each member.
    let invites: String = phones
        .iter()
        .enumerate()
        .map(|(n, phone)| format!("invite guardian Member{n} {phone}\n"))
        .collect();
    chat(dir, &invites);

    let twilio = FakeTwilio::start().await;
    let bridge_port = free_port();
    let mut bot = Command::new(env!("CARGO_BIN_EXE_mednanny"));
    bot.arg("serve");
    env(&mut bot, dir);
    bot.env("MEDNANNY__API__LISTEN", "127.0.0.1:0").env(
        "MEDNANNY__BOT__BRIDGE_URL",
        format!("http://127.0.0.1:{bridge_port}"),
    );
    let (mut bot, health) = spawn(bot, "mednanny serve: health on ");
    let bot_port: u16 = health
        .trim_end_matches("/healthz")
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("bot port");
    let mut bridge = Command::new(&bridge_bin);
    env(&mut bridge, dir);
    let public = format!("http://127.0.0.1:{bridge_port}");
    bridge
        .env(
            "MEDNANNY__BRIDGE__LISTEN",
            format!("127.0.0.1:{bridge_port}"),
        )
        .env(
            "MEDNANNY__BRIDGE__BOT_URL",
            format!("http://127.0.0.1:{bot_port}"),
        )
        .env("MEDNANNY__TWILIO__AUTH_TOKEN", TWILIO_AUTH_TOKEN)
        .env("MEDNANNY__TWILIO__ACCOUNT_SID", TWILIO_ACCOUNT_SID)
        .env("MEDNANNY__TWILIO__API_URL", twilio.api_url())
        .env("MEDNANNY__TWILIO__PUBLIC_URL", &public)
        .env("MEDNANNY__TWILIO__WHATSAPP_FROM", FROM);
    let (mut bridge, _) = spawn(bridge, "twilio-bridge: listening on ");
    let url = format!("{public}/twilio/whatsapp");
    let http = reqwest::Client::new();
    loop {
        if let Ok(r) = http.get(format!("{public}/readyz")).send().await {
            if r.status() == 200 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every member joins by replying JOIN to the invite, and is answered.
    let mut sid = 0u64;
    let mut next_sid = || {
        sid += 1;
        format!("SM{sid:032x}")
    };
    for phone in &phones {
        let status = post(
            &http,
            &url,
            &inbound_whatsapp(&next_sid(), phone, FROM, "JOIN"),
        )
        .await;
        assert_eq!(status, 200);
    }
    let expected_before = phones.len() * 2; // the invite and the welcome
    let joined = twilio
        .wait_for_sent(expected_before, Duration::from_secs(30))
        .await;
    assert_eq!(joined.len(), expected_before, "every member joined");
    let (_, bot_cpu0) = (peak_rss_kib(bot.id()), cpu_seconds(bot.id()));
    let (_, bridge_cpu0) = (peak_rss_kib(bridge.id()), cpu_seconds(bridge.id()));

    // The load: `rate` notes a second, round robin over the members.
    let total = rate * seconds;
    let sent_at: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..total {
        tick.tick().await;
        let member = n % members;
        let params = inbound_whatsapp(
            &next_sid(),
            &phones[member],
            FROM,
            &format!("note Emma ate well, message {n}"),
        );
        let (http, url, sent_at) = (http.clone(), url.clone(), sent_at.clone());
        tasks.spawn(async move {
            let at = Instant::now();
            sent_at.lock().await.push((member, at));
            post(&http, &url, &params).await
        });
    }
    let sending = started.elapsed();
    let mut refused = 0;
    while let Some(status) = tasks.join_next().await {
        if status.unwrap_or(0) != 200 {
            refused += 1;
        }
    }
    let replies = twilio
        .wait_for_sent(expected_before + total, Duration::from_secs(60))
        .await;
    let (bot_hwm, bot_cpu1) = (peak_rss_kib(bot.id()), cpu_seconds(bot.id()));
    let (bridge_hwm, bridge_cpu1) = (peak_rss_kib(bridge.id()), cpu_seconds(bridge.id()));

    // Each member's k-th note is answered by their k-th reply (one member's messages go in order).
    let mut sent_by: Vec<Vec<Instant>> = vec![Vec::new(); members];
    let mut sent = sent_at.lock().await.clone();
    sent.sort_by_key(|(_, at)| *at);
    for (member, at) in sent {
        sent_by[member].push(at);
    }
    let mut latencies = Vec::new();
    for (member, phone) in phones.iter().enumerate() {
        let to = format!("whatsapp:{phone}");
        let mine: Vec<_> = replies.iter().filter(|m| m.to == to).skip(2).collect();
        for (k, reply) in mine.iter().enumerate() {
            if let Some(at) = sent_by[member].get(k) {
                latencies.push(reply.received_at.saturating_duration_since(*at));
            }
        }
    }
    latencies.sort();
    let answered = latencies.len();
    println!(
        "WhatsApp round trip: {total} notes at {rate}/s from {members} members ({:.1} s to send)",
        sending.as_secs_f64()
    );
    println!("  answered: {answered}/{total} (refused webhooks: {refused})");
    println!(
        "  latency webhook -> reply at Twilio: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    println!(
        "  bot: peak RSS {:.1} MB, CPU {:.2} ms/message; bridge: peak RSS {:.1} MB, CPU {:.2} ms/message",
        bot_hwm as f64 / 1024.0,
        (bot_cpu1 - bot_cpu0) * 1000.0 / total as f64,
        bridge_hwm as f64 / 1024.0,
        (bridge_cpu1 - bridge_cpu0) * 1000.0 / total as f64
    );
    let _ = bot.kill();
    let _ = bridge.kill();
    let _ = bot.wait();
    let _ = bridge.wait();
}
