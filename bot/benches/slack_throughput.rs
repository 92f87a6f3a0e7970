//! End-to-end Slack throughput of the real `mednanny serve` (release build), through the local
//! Slack-compatible server: 5,000 `message.im` envelopes over Socket Mode with up to 50 in flight,
//! each a real engine turn that writes a note to SQLite and posts a reply with `chat.postMessage`.
//!
//! Five of the 50 users have their App Home open, so it is refreshed as notes arrive
//! (`MEDNANNY_BENCH_HOMES`).
//!
//! Reports events per second answered end-to-end, reply latency (envelope sent → reply recorded)
//! p50/p99, slash-command ack latency p50 (measured unloaded, one at a time), the bot process's CPU
//! time per event (from /proc/<pid>/stat) and its peak RSS (VmHWM), with what is resident at the
//! end split into anonymous and file-backed memory.
//!
//! Run: `cargo bench -p bot --bench slack_throughput`
//! Knobs: MEDNANNY_BENCH_EVENTS (5000), MEDNANNY_BENCH_IN_FLIGHT (50), MEDNANNY_BENCH_CONNECTIONS (4),
//! MEDNANNY_BENCH_WORKERS (16), MEDNANNY_BENCH_HOMES (5: users with their App Home open).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use test_support::{message_im, slash_command, FakeSlack, APP_TOKEN, BOT_TOKEN, TEAM_ID};
use tokio::sync::{mpsc, Mutex};

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mednanny(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mednanny"));
    command
        .current_dir(dir)
        .env_remove("MEDNANNY_ENV")
        .env(
            "MEDNANNY__DATABASE__URL",
            format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
        )
        .env("MEDNANNY__SECURITY__DEV_KEY_FILE", dir.join("dev.key"))
        .env("MEDNANNY__LOG__FILTER", "warn");
    command
}

fn run(dir: &Path, args: &[&str], input: &str) -> String {
    let mut child = mednanny(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("mednanny runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("stdin");
    let out = child.wait_with_output().expect("mednanny finishes");
    assert!(out.status.success(), "mednanny {args:?} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn invite_code(text: &str) -> String {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| w.len() == 11 && w.as_bytes()[5] == b'-')
        .expect("an invite code")
        .to_string()
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // Fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 =
        fields[11].parse::<f64>().unwrap_or(0.0) + fields[12].parse::<f64>().unwrap_or(0.0);
    ticks / 100.0
}

/// A memory figure of a process from /proc/<pid>/status (`VmHWM`, `RssAnon`, …), in MB.
fn status_mb(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Bot {
    child: Child,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let events = knob("MEDNANNY_BENCH_EVENTS", 5_000);
    let in_flight = knob("MEDNANNY_BENCH_IN_FLIGHT", 50);
    let connections = knob("MEDNANNY_BENCH_CONNECTIONS", 4);
    let workers = knob("MEDNANNY_BENCH_WORKERS", 16);
    let homes = knob("MEDNANNY_BENCH_HOMES", 5);
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_path: PathBuf = dir.path().to_path_buf();

    eprintln!("setting up: the Garcia demo family and {in_flight} Slack guardians");
    run(&dir_path, &["chat", "--demo"], "kids\n");
    let slack = FakeSlack::start().await;
    let mut bot = Bot {
        child: mednanny(&dir_path)
            .arg("serve")
            .env("MEDNANNY__SLACK__APP_TOKEN", APP_TOKEN)
            .env("MEDNANNY__SLACK__BOT_TOKEN", BOT_TOKEN)
            .env("MEDNANNY__SLACK__API_URL", slack.api_url())
            .env("MEDNANNY__SLACK__CONNECTIONS", connections.to_string())
            .env("MEDNANNY__SLACK__WORKERS", workers.to_string())
            .env("MEDNANNY__API__LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("serve starts"),
    };
    let stdout = bot.child.stdout.take().expect("stdout");
    std::thread::spawn(move || for _ in BufReader::new(stdout).lines() {});
    assert!(
        slack
            .wait_for_connections(connections, Duration::from_secs(30))
            .await,
        "bot connected"
    );
    let pid = bot.child.id();

    let users: Vec<String> = (0..in_flight).map(|n| format!("U0BENCH{n:03}")).collect();
    for (n, user) in users.iter().enumerate() {
        slack.set_user(user, &format!("Guardian {n}"), TEAM_ID);
        let code = invite_code(&run(
            &dir_path,
            &["invite", "--family", "Garcia", "--role", "guardian"],
            "",
        ));
        let payload = message_im(
            TEAM_ID,
            user,
            &format!("D{user}"),
            &format!("join {code}"),
            &format!("EvJoin{n}"),
            "1700000000.000100",
        );
        slack.send_envelope("events_api", payload, 0).await;
    }
    let joined = slack
        .wait_for_calls(Duration::from_secs(60), users.len(), |c| {
            c.method == "chat.postMessage"
                && c.param_str("text")
                    .unwrap_or_default()
                    .contains("Welcome to the Garcia")
        })
        .await;
    assert_eq!(joined.len(), users.len(), "every bench user joined");

    // A few of them look at their App Home, which is then kept fresh after every note.
    for (n, user) in users.iter().take(homes).enumerate() {
        let payload = test_support::app_home_opened(TEAM_ID, user, &format!("EvHome{n}"));
        slack.send_envelope("events_api", payload, 0).await;
    }

    // Slash-command acks, unloaded: the bot keeps each in the inbox before it acks.
    let mut acks = Vec::new();
    for n in 0..200 {
        let url = slack.response_url(&format!("ack{n}"));
        let mut payload = slash_command(TEAM_ID, &users[0], "C0FAMILY", "help", &url);
        payload["trigger_id"] = format!("bench-trigger-{n}").into();
        let envelope = slack.send_envelope("slash_commands", payload, 0).await;
        let ack = slack
            .wait_for_ack(&envelope, Duration::from_secs(10))
            .await
            .expect("acked");
        acks.push(ack.latency);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    acks.sort();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The run: each bench user has at most one DM in flight, so up to `in_flight` in all.
    let start_calls = slack.call_count();
    let (reply_tx, mut reply_rx) = mpsc::unbounded_channel::<(String, Instant)>();
    let follower = {
        let slack = slack.clone();
        tokio::spawn(async move {
            let mut seen = start_calls;
            loop {
                let now = slack
                    .wait_for_more_calls(seen, Duration::from_secs(30))
                    .await;
                if now == seen {
                    break;
                }
                let at = Instant::now();
                for call in slack.calls_since(seen) {
                    if call.method == "chat.postMessage" && call.error.is_none() {
                        if let Some(channel) = call.param_str("channel") {
                            if reply_tx.send((channel.to_string(), at)).is_err() {
                                return;
                            }
                        }
                    }
                }
                seen = now;
            }
        })
    };
    let waiting: Arc<Mutex<HashMap<String, tokio::sync::oneshot::Sender<Instant>>>> =
        Arc::new(Mutex::new(HashMap::new()));
    let router = {
        let waiting = waiting.clone();
        tokio::spawn(async move {
            while let Some((channel, at)) = reply_rx.recv().await {
                if let Some(done) = waiting.lock().await.remove(&channel) {
                    let _ = done.send(at);
                }
            }
        })
    };

    let acks_before = slack.acks().len();
    let cpu_before = cpu_seconds(pid);
    let own_cpu_before = cpu_seconds(std::process::id());
    let started = Instant::now();
    let per_user = events.div_ceil(users.len());
    let mut tasks = Vec::new();
    for (u, user) in users.iter().cloned().enumerate() {
        let slack = slack.clone();
        let waiting = waiting.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_user);
            for i in 0..per_user {
                let n = u * per_user + i;
                if n >= events {
                    break;
                }
                let (done, answered) = tokio::sync::oneshot::channel();
                waiting.lock().await.insert(format!("D{user}"), done);
                let payload = message_im(
                    TEAM_ID,
                    &user,
                    &format!("D{user}"),
                    &format!("note Emma bench note {n}"),
                    &format!("EvBench{n}"),
                    "1700000001.000100",
                );
                let sent = Instant::now();
                slack.send_envelope("events_api", payload, 0).await;
                match tokio::time::timeout(Duration::from_secs(30), answered).await {
                    Ok(Ok(at)) => latencies.push(at.saturating_duration_since(sent)),
                    _ => panic!("event {n} not answered"),
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(events);
    for task in tasks {
        latencies.extend(task.await.expect("driver task"));
    }
    let elapsed = started.elapsed();
    let cpu_after = cpu_seconds(pid);
    let own_cpu = cpu_seconds(std::process::id()) - own_cpu_before;
    latencies.sort();
    let mut loaded_acks: Vec<Duration> = slack
        .acks()
        .into_iter()
        .skip(acks_before)
        .map(|a| a.latency)
        .collect();
    loaded_acks.sort();
    follower.abort();
    router.abort();

    let rate = latencies.len() as f64 / elapsed.as_secs_f64();
    println!("slack_throughput: {} message.im events, up to {in_flight} in flight, {connections} connections, {workers} workers", latencies.len());
    println!(
        "  answered end-to-end: {rate:.0} events/s ({:.2} s)",
        elapsed.as_secs_f64()
    );
    println!(
        "  reply latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.90)),
        ms(percentile(&latencies, 0.99)),
        ms(percentile(&latencies, 1.0))
    );
    println!(
        "  slash-command ack (unloaded, 200): p50 {:.3} ms, p99 {:.3} ms",
        ms(percentile(&acks, 0.50)),
        ms(percentile(&acks, 0.99))
    );
    println!(
        "  message.im ack under this load ({}): p50 {:.3} ms, p99 {:.3} ms",
        loaded_acks.len(),
        ms(percentile(&loaded_acks, 0.50)),
        ms(percentile(&loaded_acks, 0.99))
    );
    println!(
        "  bot CPU: {:.3} ms per event ({:.2} s over the run)",
        (cpu_after - cpu_before) * 1000.0 / latencies.len() as f64,
        cpu_after - cpu_before
    );
    // Resident now, split: file-backed is mostly the binary's own code pages (clean, shared with
    // the page cache); anonymous is the heap, SQLite's page caches and the threads' stacks.
    println!(
        "  bot peak RSS: {:.1} MB (at the end: {:.1} MB anonymous, {:.1} MB file-backed)",
        status_mb(pid, "VmHWM"),
        status_mb(pid, "RssAnon"),
        status_mb(pid, "RssFile")
    );
    println!(
        "  this process (local Slack server + driver) on the same cores: {:.2} s CPU over the run",
        own_cpu
    );
    drop(bot);
    drop(dir);
}
