//! The reminder scheduler at a city's scale: 10,000 families, 100,000 dose reminders due at once,
//! planned, claimed and delivered to the local Slack and Twilio servers (half the families on
//! Slack, half on WhatsApp through the real `twilio-bridge` process and the outbox); then the
//! scheduler's idle cost with those 10,000 families and nothing due.
//!
//! The scheduler runs in this process on a clock the bench sets (the real database, services,
//! Slack client and outbox); the bridge is the release binary, sending what the outbox holds to
//! the fake Twilio. Runs on SQLite, and on PostgreSQL when `MEDNANNY_BENCH_DATABASE_URL` (or
//! `MEDNANNY_TEST_DATABASE_URL`) names a server (a fresh database is created on it).
//!
//! Run: `cargo build --release -p twilio-bridge && cargo bench -p bot --bench reminder_delivery`
//! Knobs: MEDNANNY_BENCH_FAMILIES (10000), MEDNANNY_BENCH_MEDICATIONS (5 per family, each due
//! twice: at 07:00 and 08:00), MEDNANNY_BENCH_IDLE_SECONDS (60), MEDNANNY_BENCH_BACKENDS
//! (`sqlite,postgres`), MEDNANNY_BENCH_HISTORY (1: yesterday's reminders are in the table, as in a
//! family's second day; 0: an empty table), MEDNANNY_BENCH_KEEP_DATABASE (0: the PostgreSQL
//! database is dropped at the end; 1: kept, to look at its plans).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bot::reminders::{Channels, Round, Scheduler};
use bot::slack::api::SlackApi;
use chrono::{DateTime, TimeZone, Utc};
use entity::{child, family, identity, medication, member, person};
use mednanny_core::clock::ManualClock;
use mednanny_core::crypto::Keyring;
use mednanny_core::db::{Database, LockScope};
use mednanny_core::reminders::planner::{
    family_subject, medication_subject, Planned, ReminderKind,
};
use mednanny_core::reminders::store::ReminderStore;
use mednanny_core::services::Services;
use mednanny_core::settings::{DatabaseSettings, ReminderSettings, Secret};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
mod support;

use support::{cpu_seconds, free_port, knob, peak_rss_kib, spawn};
use test_support::{FakeSlack, FakeTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN};

const SECRET: &str = "bench-internal-secret-0123456789";
const FROM: &str = "+14155238886";
/// `[7; 32]` in base64: the key both processes seal and open the outbox with.
const DATA_KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
const ZONE: chrono_tz::Tz = chrono_tz::America::New_York;

/// A New York wall time on Monday 2 March 2026.
fn ny(hour: u32, minute: u32) -> DateTime<Utc> {
    ZONE.with_ymd_and_hms(2026, 3, 2, hour, minute, 0)
        .single()
        .expect("a New York time")
        .with_timezone(&Utc)
}

/// CPU seconds of every PostgreSQL server process on this machine (the server's share of the
/// work; zero on SQLite runs, where it is all in this process).
fn postgres_cpu() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(|pid| pid.parse().ok())
        .map(cpu_seconds)
        .sum()
}

async fn postgres_database() -> Option<String> {
    let admin = std::env::var("MEDNANNY_BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("MEDNANNY_TEST_DATABASE_URL"))
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    let name = format!("mednanny_bench_reminders_{}", std::process::id());
    let admin_db = sea_orm::Database::connect(&admin)
        .await
        .expect("PostgreSQL reachable");
    admin_db
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .expect("drop database");
    admin_db
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    admin_db.close().await.ok();
    let (base, _) = admin.rsplit_once('/').expect("a database in the url");
    Some(format!("{base}/{name}"))
}

/// 10,000 families as the product stores them: a guardian each (on Slack for even families, on
/// WhatsApp for odd ones, having written in the last day so plain text may be sent), a child, and
/// `medications` fixed-time medications at 07:00 and 08:00 New York time. Written directly (the
/// setup is not what is measured), in a few large transactions.
async fn seed(db: &Database, team: &str, families: usize, medications: usize) {
    // The families have been here for days: yesterday's reminders are in the table, answered.
    let history = knob("MEDNANNY_BENCH_HISTORY", 1) != 0;
    let created = ny(6, 0) - chrono::Duration::days(if history { 3 } else { 0 });
    let conn = db.conn();
    let txn = db.write(LockScope::System).await.expect("a transaction");
    for chunk in (0..families).collect::<Vec<_>>().chunks(100) {
        let id = |n: usize| (n + 1) as i64;
        family::Entity::insert_many(chunk.iter().map(|&n| family::ActiveModel {
            id: Set(id(n)),
            name: Set(format!("Family {n}")),
            timezone: Set(ZONE.name().to_string()),
            country: Set("US".into()),
            created_at: Set(created),
        }))
        .exec_without_returning(&*txn)
        .await
        .expect("families");
        person::Entity::insert_many(chunk.iter().map(|&n| person::ActiveModel {
            id: Set(id(n)),
            display_name: Set(format!("Parent {n}")),
            locale: Set(if n % 3 == 0 { "es" } else { "en" }.into()),
            created_at: Set(created),
        }))
        .exec_without_returning(&*txn)
        .await
        .expect("people");
        member::Entity::insert_many(chunk.iter().map(|&n| member::ActiveModel {
            id: Set(id(n)),
            family_id: Set(id(n)),
            person_id: Set(id(n)),
            role: Set("guardian".into()),
            status: Set("active".into()),
            created_at: Set(created),
        }))
        .exec_without_returning(&*txn)
        .await
        .expect("members");
        identity::Entity::insert_many(chunk.iter().map(|&n| {
            let (kind, external_id) = if n % 2 == 0 {
                ("slack", format!("{team}:U{n:07}"))
            } else {
                ("whatsapp", format!("+1212{:07}", n))
            };
            identity::ActiveModel {
                id: Set(id(n)),
                person_id: Set(id(n)),
                kind: Set(kind.into()),
                external_id: Set(external_id),
                verified: Set(true),
                created_at: Set(created),
                last_seen_at: Set(Some(created)),
            }
        }))
        .exec_without_returning(&*txn)
        .await
        .expect("identities");
        child::Entity::insert_many(chunk.iter().map(|&n| child::ActiveModel {
            id: Set(id(n)),
            family_id: Set(id(n)),
            name: Set(format!("Kid{n}")),
            birth_date: Set(chrono::NaiveDate::from_ymd_opt(2021, 5, 1).expect("a date")),
            created_at: Set(created),
            archived_at: Set(None),
        }))
        .exec_without_returning(&*txn)
        .await
        .expect("children");
        medication::Entity::insert_many(chunk.iter().flat_map(|&n| {
            (0..medications).map(move |m| medication::ActiveModel {
                id: Set((n * medications + m + 1) as i64),
                child_id: Set(id(n)),
                name: Set(format!("Medicine {m}")),
                form: Set("liquid".into()),
                route: Set("oral".into()),
                ingredients: Set("[]".into()),
                dose_amount: Set(5.0),
                dose_unit: Set("ml".into()),
                schedule_kind: Set("fixed_times".into()),
                schedule_times: Set(Some("07:00,08:00".into())),
                min_interval_minutes: Set(60),
                max_doses_per_day: Set(None),
                starts_on: Set(None),
                ends_on: Set(None),
                active: Set(true),
                created_at: Set(created),
                approval: Set("approved".into()),
                proposed_by_member_id: Set(None),
                decided_by_member_id: Set(None),
                decided_at: Set(None),
            })
        }))
        .exec_without_returning(&*txn)
        .await
        .expect("medications");
    }
    txn.commit().await.expect("seeded");
    if !history {
        return;
    }
    let mut yesterday: Vec<(i64, Planned)> = (0..families * medications)
        .flat_map(|m| {
            let family = (m / medications + 1) as i64;
            [ny(7, 0), ny(8, 0)].map(move |at| {
                (
                    family,
                    Planned {
                        due_at: at - chrono::Duration::days(1),
                        kind: ReminderKind::Dose,
                        subject: medication_subject((m + 1) as i64),
                        // Each family's one child has the family's id.
                        child_id: Some(family),
                    },
                )
            })
        })
        .collect();
    yesterday.extend((1..=families as i64).map(|family| {
        (
            family,
            Planned {
                due_at: ny(20, 0) - chrono::Duration::days(1),
                kind: ReminderKind::DailySummary,
                subject: family_subject(family),
                child_id: None,
            },
        )
    }));
    let store = ReminderStore::new(
        db.clone(),
        Keyring::new([7; 32], &[]),
        Arc::new(ManualClock::new(ny(6, 0))),
    );
    store
        .insert(&yesterday)
        .await
        .expect("yesterday's reminders");
    conn.execute_unprepared(
        "UPDATE reminders SET status = CASE kind WHEN 'dose' THEN 'given' ELSE 'sent' END",
    )
    .await
    .expect("answered");
    if db.backend() == sea_orm::DatabaseBackend::Postgres {
        // Explicit ids leave the sequences behind; the product's later inserts need them ahead.
        for table in [
            "families",
            "people",
            "members",
            "identities",
            "children",
            "medications",
        ] {
            conn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await
            .expect("sequence");
        }
    }
}

struct Backend {
    name: &'static str,
    url: String,
}

async fn run(backend: &Backend, dir: &Path, bridge_bin: &Path) {
    let families = knob("MEDNANNY_BENCH_FAMILIES", 10_000);
    let medications = knob("MEDNANNY_BENCH_MEDICATIONS", 5);
    let idle_seconds = knob("MEDNANNY_BENCH_IDLE_SECONDS", 60);
    let expected = families * medications * 2;
    let me = std::process::id();

    let db = Database::connect(&DatabaseSettings {
        url: backend.url.clone(),
        max_connections: Some(8),
        busy_timeout_ms: 10_000,
        sqlite_cache_kib: 8192,
        migrate_on_start: true,
    })
    .await
    .expect("connect");
    db.migrate().await.expect("migrate");
    let slack = FakeSlack::start().await;
    let twilio = FakeTwilio::start().await;
    let seeding = Instant::now();
    seed(&db, slack.team_id(), families, medications).await;
    println!(
        "[{}] seeded {families} families, {} medications in {:.1} s",
        backend.name,
        families * medications,
        seeding.elapsed().as_secs_f64()
    );

    // The bridge: the outbox's sender, on the same database.
    let bridge_port = free_port();
    let mut bridge = Command::new(bridge_bin);
    bridge
        .current_dir(dir)
        .env_remove("MEDNANNY_ENV")
        .env("MEDNANNY__DATABASE__URL", &backend.url)
        .env("MEDNANNY__SECURITY__DATA_KEY", DATA_KEY)
        .env("MEDNANNY__INTERNAL__SECRET", SECRET)
        .env("MEDNANNY__LOG__FILTER", "warn")
        .env(
            "MEDNANNY__BRIDGE__LISTEN",
            format!("127.0.0.1:{bridge_port}"),
        )
        .env("MEDNANNY__BRIDGE__BOT_URL", "http://127.0.0.1:9")
        .env("MEDNANNY__TWILIO__AUTH_TOKEN", TWILIO_AUTH_TOKEN)
        .env("MEDNANNY__TWILIO__ACCOUNT_SID", TWILIO_ACCOUNT_SID)
        .env("MEDNANNY__TWILIO__API_URL", twilio.api_url())
        .env(
            "MEDNANNY__TWILIO__PUBLIC_URL",
            format!("http://127.0.0.1:{bridge_port}"),
        )
        .env("MEDNANNY__TWILIO__WHATSAPP_FROM", FROM);
    let (mut bridge, _) = spawn(bridge, "twilio-bridge: listening on ");
    let bridge_pid = bridge.id();

    // The outbox is sealed: the bridge opens it with the same key.
    let keys = Keyring::new([7; 32], &[]);
    let clock = ManualClock::new(ny(6, 30));
    let services = Services::new(db, keys, Arc::new(clock.clone()), 72);
    let token = Secret::new(test_support::BOT_TOKEN);
    let api = SlackApi::new(&slack.api_url(), &token).expect("a Slack client");
    let scheduler = Scheduler::new(
        services.clone(),
        Channels {
            slack: Some((api, slack.team_id().to_string())),
            whatsapp: true,
        },
        ReminderSettings {
            enabled: true,
            interval_secs: 30,
            escalate_after_minutes: 30,
            grace_minutes: 120,
            lease_secs: 120,
            batch: 500,
        },
    );

    // Idle: 06:30, nothing due until 07:00. The first round after a start looks a day back
    // (yesterday's 110,000 reminders are already there); the rounds after it, every
    // `interval_secs` as `mednanny serve` runs them, only at what may have become due since.
    let started = Instant::now();
    let first = scheduler.round().await.expect("a round");
    let first_round = started.elapsed();
    assert_eq!(first, Round::default(), "nothing is due at 06:30");
    let (cpu0, pg0, wall0) = (cpu_seconds(me), postgres_cpu(), Instant::now());
    let running = scheduler.clone().start();
    tokio::time::sleep(Duration::from_secs(idle_seconds as u64)).await;
    running.stop().await;
    let (cpu1, pg1) = (cpu_seconds(me), postgres_cpu());
    let per_minute = 60.0 / wall0.elapsed().as_secs_f64();
    let rounds = 5;
    let started = Instant::now();
    for _ in 0..rounds {
        scheduler.round().await.expect("an idle round");
    }
    let round_ms = started.elapsed().as_secs_f64() * 1000.0 / rounds as f64;
    println!(
        "[{}] idle, {families} families, nothing due: {:.2} CPU s/minute in this process{} \
         (a round every 30 s; one round {round_ms:.0} ms wall; the first after a start {:.1} s)",
        backend.name,
        (cpu1 - cpu0) * per_minute,
        if backend.name == "postgres" {
            format!(
                " + {:.2} CPU s/minute in PostgreSQL",
                (pg1 - pg0) * per_minute
            )
        } else {
            String::new()
        },
        first_round.as_secs_f64()
    );

    // Due: 08:01, every 07:00 and 08:00 dose (within the two-hour grace window) at once.
    clock.set(ny(8, 1));
    let slack_before = slack.call_count();
    let (cpu0, pg0, bridge_cpu0) = (cpu_seconds(me), postgres_cpu(), cpu_seconds(bridge_pid));
    let started = Instant::now();
    let planned = scheduler.plan().await.expect("planned");
    let planning = started.elapsed();
    let round = scheduler.round().await.expect("the due round");
    let claimed_and_sent = started.elapsed();
    let slack_expected = families.div_ceil(2) * medications * 2;
    let whatsapp_expected = expected - slack_expected;
    // Each Slack reminder is one chat.postMessage (the DM channel is opened once per person).
    let mut slack_posts = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    while Instant::now() < deadline {
        slack_posts = slack
            .calls_since(slack_before)
            .iter()
            .filter(|c| c.method == "chat.postMessage")
            .count();
        if slack_posts >= slack_expected {
            break;
        }
        slack
            .wait_for_more_calls(slack.call_count(), Duration::from_millis(200))
            .await;
    }
    let slack_done = started.elapsed();
    let whatsapp = twilio
        .wait_for_sent(whatsapp_expected, Duration::from_secs(300))
        .await
        .len();
    let all_done = started.elapsed();
    let (cpu1, pg1, bridge_cpu1) = (cpu_seconds(me), postgres_cpu(), cpu_seconds(bridge_pid));
    println!(
        "[{}] {expected} reminders due across {families} families: planned {} in {:.1} s; \
         claimed and sent {} in {:.1} s (round: {round:?})",
        backend.name,
        planned + round.planned,
        planning.as_secs_f64(),
        round.sent,
        claimed_and_sent.as_secs_f64()
    );
    println!(
        "[{}] delivered: Slack {slack_posts}/{slack_expected} by {:.1} s, WhatsApp \
         {whatsapp}/{whatsapp_expected} at Twilio by {:.1} s -> {:.0} reminders/s end to end",
        backend.name,
        slack_done.as_secs_f64(),
        all_done.as_secs_f64(),
        (slack_posts + whatsapp) as f64 / all_done.as_secs_f64()
    );
    println!(
        "[{}] CPU: scheduler process {:.1} s, bridge {:.1} s{}; peak RSS scheduler {:.0} MB, bridge {:.0} MB",
        backend.name,
        cpu1 - cpu0,
        bridge_cpu1 - bridge_cpu0,
        if backend.name == "postgres" {
            format!(", PostgreSQL {:.1} s", pg1 - pg0)
        } else {
            String::new()
        },
        peak_rss_kib(me) as f64 / 1024.0,
        peak_rss_kib(bridge_pid) as f64 / 1024.0
    );
    let under = all_done < Duration::from_secs(30);
    println!(
        "[{}] target: all {expected} delivered in under 30 s: {}",
        backend.name,
        if under && slack_posts + whatsapp >= expected {
            "met"
        } else {
            "MISSED"
        }
    );
    let _ = bridge.kill();
    let _ = bridge.wait();
}

#[tokio::main]
async fn main() {
    let bridge_bin: PathBuf =
        Path::new(env!("CARGO_BIN_EXE_mednanny")).with_file_name("twilio-bridge");
    assert!(
        bridge_bin.exists(),
        "build the bridge first: cargo build --release -p twilio-bridge"
    );
    let wanted = std::env::var("MEDNANNY_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let mut backends = Vec::new();
    if wanted.contains("sqlite") {
        backends.push(Backend {
            name: "sqlite",
            url: format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            ),
        });
    }
    if wanted.contains("postgres") {
        match postgres_database().await {
            Some(url) => backends.push(Backend {
                name: "postgres",
                url,
            }),
            None => println!(
                "[postgres] not run: set MEDNANNY_BENCH_DATABASE_URL (e.g. \
                 postgres://postgres@127.0.0.1:5432/postgres)"
            ),
        }
    }
    for backend in &backends {
        run(backend, dir.path(), &bridge_bin).await;
    }
    // The PostgreSQL database the bench created goes with it (keep it with
    // MEDNANNY_BENCH_KEEP_DATABASE=1, to look at its plans afterwards).
    if knob("MEDNANNY_BENCH_KEEP_DATABASE", 0) == 0 {
        if let (Some(backend), Ok(admin)) = (
            backends.iter().find(|b| b.name == "postgres"),
            std::env::var("MEDNANNY_BENCH_DATABASE_URL")
                .or_else(|_| std::env::var("MEDNANNY_TEST_DATABASE_URL")),
        ) {
            let name = backend.url.rsplit('/').next().unwrap_or_default();
            let admin_db = sea_orm::Database::connect(&admin)
                .await
                .expect("PostgreSQL reachable");
            admin_db
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("drop database");
            admin_db.close().await.ok();
        }
    }
}
