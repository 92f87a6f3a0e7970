//! Dose-safety benchmark (a bench binary: `cargo bench -p mednanny-core --bench dose_safety`).
//!
//! Seeds a SQLite database with 10,000 children (100 families of 100) and 1,000,000 dose logs, then
//! measures, through the real services:
//! 1. `check_dose` for one child ("can Emma have…?": authorization, the window query, the rules, and
//!    the audit event of the read, in one transaction) — median and p99 latency;
//! 2. `log_dose` (validate + safety check + write + audit event, one transaction) — doses per second,
//!    sequential, with latency percentiles.
//!
//! Set `MEDNANNY_BENCH_CHILDREN` / `MEDNANNY_BENCH_DOSES` / `MEDNANNY_BENCH_SAMPLES` to change sizes,
//! `MEDNANNY_BENCH_CPUS` (`all` or a number; default the product's `auto`) to change CPU placement.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, TimeZone, Utc};
use mednanny_core::auth::Actor;
use mednanny_core::clock::ManualClock;
use mednanny_core::crypto::Keyring;
use mednanny_core::db::Database;
use mednanny_core::domain::{Channel, DoseAmount, DoseUnit, IdentityKind, Role};
use mednanny_core::runtime::place_process;
use mednanny_core::services::care::DoseRequest;
use mednanny_core::services::Services;
use mednanny_core::settings::{CpuPolicy, DatabaseSettings, RuntimeSettings};
use rand::{Rng, SeedableRng};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The child's usual 5 ml dose, confirmed so that a dose within the rules' window is still written.
fn usual_dose(child: usize) -> DoseRequest {
    DoseRequest {
        child_id: child as i64,
        medication_id: child as i64,
        amount: DoseAmount {
            value: 5.0,
            unit: DoseUnit::Ml,
        },
        given_at: None,
        confirmed_extra: true,
        override_unchecked: false,
        source_key: None,
    }
}

fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<StdDuration>) {
    samples.sort();
    let total: StdDuration = samples.iter().sum();
    println!(
        "{name}: n={} p50={:.3} ms p90={:.3} ms p99={:.3} ms max={:.3} ms mean={:.3} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.90).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / samples.len() as f64,
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    // Unset: the product's default pool size for SQLite.
    let connections = std::env::var("MEDNANNY_BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse::<u32>().ok());
    let settings = DatabaseSettings {
        url,
        max_connections: connections,
        busy_timeout_ms: 5000,
        sqlite_cache_kib: 512,
        migrate_on_start: true,
    };
    // The product's CPU placement (`runtime.cpus`, default auto: every CPU), applied as `mednanny`
    // applies it, before the runtime starts. MEDNANNY_BENCH_CPUS=1 (or another number) compares.
    let policy = match std::env::var("MEDNANNY_BENCH_CPUS").as_deref() {
        Ok("all") => CpuPolicy::All,
        Ok(n) => n.parse().map_or(CpuPolicy::Auto, CpuPolicy::Count),
        Err(_) => CpuPolicy::Auto,
    };
    let placement = place_process(&RuntimeSettings::new(policy)).expect("CPU placement");
    println!(
        "running on CPU(s) {:?} of {} (runtime.cpus = {policy:?})",
        placement.cpus, placement.available
    );
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(bench(settings));
}

async fn bench(settings: DatabaseSettings) {
    let children = env_number("MEDNANNY_BENCH_CHILDREN", 10_000);
    let doses = env_number("MEDNANNY_BENCH_DOSES", 1_000_000);
    let samples = env_number("MEDNANNY_BENCH_SAMPLES", 5_000);
    let per_family = 100.min(children);
    let families = children.div_ceil(per_family);

    let db = Database::connect(&settings).await.expect("connect");
    db.migrate().await.expect("migrate");
    let now = Utc
        .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .expect("valid");
    let clock = ManualClock::new(now);
    let services = Services::new(db.clone(), Keyring::generate(), Arc::new(clock.clone()), 72);

    // Seed with bulk SQL: this is set-up, not what is measured.
    let started = Instant::now();
    // One write transaction for the whole seed.
    let seed = db
        .write(mednanny_core::db::LockScope::System)
        .await
        .expect("begin");
    let conn = &*seed;
    let ts = |t: chrono::DateTime<Utc>| {
        t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
            .replace("Z", "+00:00")
    };
    let created = ts(now - Duration::days(400));
    for f in 1..=families {
        conn.execute_unprepared(&format!(
            "INSERT INTO families (id, name, timezone, country, created_at) VALUES ({f}, 'F{f}', 'America/New_York', 'US', '{created}');\
             INSERT INTO people (id, display_name, locale, created_at) VALUES ({f}, 'G{f}', 'en', '{created}');\
             INSERT INTO identities (person_id, kind, external_id, verified, created_at) VALUES ({f}, 'console', 'g{f}', true, '{created}');\
             INSERT INTO members (id, family_id, person_id, role, status, created_at) VALUES ({f}, {f}, {f}, 'guardian', 'active', '{created}');"
        ))
        .await
        .expect("family");
    }
    let ingredients = r#"[{"ingredient":"acetaminophen","mg":160.0,"per_amount":5.0,"per_unit":"ml","max_mg_per_day":800.0}]"#;
    for chunk_start in (1..=children).step_by(500) {
        let mut child_rows = Vec::new();
        let mut med_rows = Vec::new();
        for c in chunk_start..(chunk_start + 500).min(children + 1) {
            let family = (c - 1) / per_family + 1;
            child_rows.push(format!(
                "({c}, {family}, 'Child{c}', '2022-01-01', '{created}')"
            ));
            med_rows.push(format!(
                "({c}, {c}, 'Children''s Tylenol', 'oral suspension', 'oral', '{ingredients}', 5.0, 'ml', 'as_needed', NULL, 240, 5, NULL, NULL, true, '{created}')"
            ));
        }
        conn.execute_unprepared(&format!(
            "INSERT INTO children (id, family_id, name, birth_date, created_at) VALUES {}",
            child_rows.join(",")
        ))
        .await
        .expect("children");
        conn.execute_unprepared(&format!(
            "INSERT INTO medications (id, child_id, name, form, route, ingredients, dose_amount, dose_unit, schedule_kind, schedule_times, min_interval_minutes, max_doses_per_day, starts_on, ends_on, active, created_at) VALUES {}",
            med_rows.join(",")
        ))
        .await
        .expect("medications");
    }
    // Doses spread over the last 60 days, a few in the last day for many children.
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut rows = Vec::with_capacity(1000);
    for d in 0..doses {
        let child = d % children + 1;
        let family = (child - 1) / per_family + 1;
        let minutes_ago = rng.gen_range(5 * 60..60 * 24 * 60);
        let at = ts(now - Duration::minutes(minutes_ago));
        rows.push(format!(
            "({family}, {child}, {child}, {family}, '{at}', '{at}', 5.0, 'ml', '{{\"acetaminophen\":160.0}}', 'console', false)"
        ));
        if rows.len() == 1000 || d + 1 == doses {
            conn.execute_unprepared(&format!(
                "INSERT INTO dose_logs (family_id, child_id, medication_id, given_by_member_id, given_at, recorded_at, amount, unit, ingredient_mg, channel, flagged) VALUES {}",
                rows.join(",")
            ))
            .await
            .expect("doses");
            rows.clear();
        }
    }
    seed.commit().await.expect("commit");
    // No ANALYZE: MedNanny never runs it, and with the statistics it writes, SQLite's STAT4 (on in
    // the bundled build) re-prepares every statement whose plan used a bound value each time it is
    // run with a new value — 12 % of the bench's CPU when it did (docs/benchmarks.md).
    println!(
        "seeded {children} children in {families} families and {doses} dose logs in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let actor_for =
        |child: usize| Actor::person(((child - 1) / per_family + 1) as i64, Channel::Console);
    // Warm the identity/family caches the way a running server has them.
    let _ = services.resolve_identity(IdentityKind::Console, "g1").await;
    let _ = Role::Guardian;

    // The floor: one trivial statement through sea-orm and the database's driver.
    let mut trivial = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t = Instant::now();
        db.conn()
            .execute_unprepared("SELECT 1")
            .await
            .expect("select 1");
        trivial.push(t.elapsed());
    }
    report("one trivial statement (SELECT 1) round trip", trivial);

    // The floor of a write: an empty write transaction (gate + BEGIN IMMEDIATE + COMMIT), and one that
    // appends a single audit event (chain head read, SHA-256, insert).
    let mut empty = Vec::with_capacity(samples);
    let mut audited = Vec::with_capacity(samples);
    for i in 0..samples {
        let family = (i % families + 1) as i64;
        let t = Instant::now();
        let txn = db
            .write(mednanny_core::db::LockScope::Family(family))
            .await
            .expect("begin");
        txn.commit().await.expect("commit");
        empty.push(t.elapsed());
        let t = Instant::now();
        let txn = db
            .write(mednanny_core::db::LockScope::Family(family))
            .await
            .expect("begin");
        mednanny_core::audit::append(
            &*txn,
            db.chain_heads(),
            mednanny_core::audit::AuditRecord {
                family_id: Some(family),
                actor: "operator".into(),
                action: "bench.noop",
                subject: format!("family:{family}"),
                channel: Channel::System,
                outcome: mednanny_core::audit::Outcome::Ok,
            },
            now,
        )
        .await
        .expect("append");
        txn.commit().await.expect("commit");
        audited.push(t.elapsed());
    }
    report(
        "empty write transaction (gate + BEGIN IMMEDIATE + COMMIT)",
        empty,
    );
    report("write transaction appending one audit event", audited);

    // 0. The rule check alone: the window query on dose_logs(child_id, given_at) and the pure rules,
    //    outside any transaction, audit or authorization (what the services run inside their transaction).
    let rules = mednanny_core::dose_safety::DoseRules {
        min_interval: Duration::hours(4),
        max_doses_per_day: Some(5),
        max_mg_per_day: [("acetaminophen".to_string(), 800.0)].into(),
        usual_mg: [("acetaminophen".to_string(), 160.0)].into(),
    };
    let mut rule_times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let child = rng.gen_range(1..=children) as i64;
        let t = Instant::now();
        let rows = entity::dose_log::Entity::find()
            .filter(entity::dose_log::Column::ChildId.eq(child))
            .filter(entity::dose_log::Column::GivenAt.gte(now - Duration::hours(25)))
            .filter(entity::dose_log::Column::GivenAt.lte(now + Duration::hours(25)))
            .filter(entity::dose_log::Column::VoidedAt.is_null())
            .all(db.conn())
            .await
            .expect("window");
        // Decoded strictly, as the services do (an unreadable dose would make the check refuse).
        let prior: Vec<mednanny_core::dose_safety::PriorDose> = rows
            .iter()
            .map(|r| mednanny_core::dose_safety::prior_dose(r).expect("a readable dose"))
            .collect();
        let verdict = mednanny_core::dose_safety::assess(&rules, &prior, now, &rules.usual_mg);
        let next = mednanny_core::dose_safety::next_allowed_at(&rules, &prior, now);
        rule_times.push(t.elapsed());
        std::hint::black_box((verdict, next));
    }
    report(
        "dose-safety rule check (window query + rules, no transaction/audit)",
        rule_times,
    );

    // 1. The check, for random children.
    let mut check_times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let child = rng.gen_range(1..=children);
        let t = Instant::now();
        let check = services
            .check_dose(&actor_for(child), child as i64, child as i64)
            .await
            .expect("check");
        check_times.push(t.elapsed());
        std::hint::black_box(check);
    }
    report(
        "check_dose (one child, full service call incl. audit event)",
        check_times,
    );

    // 2. Logging doses, sequentially: each a full transaction with the safety check and an audit event.
    let mut log_times = Vec::with_capacity(samples);
    let started = Instant::now();
    for i in 0..samples {
        let child = (i * 7919) % children + 1;
        let request = usual_dose(child);
        let t = Instant::now();
        let outcome = services
            .log_dose(&actor_for(child), request)
            .await
            .expect("log");
        log_times.push(t.elapsed());
        std::hint::black_box(outcome);
    }
    let elapsed = started.elapsed();
    println!(
        "log_dose: {samples} doses in {:.2} s = {:.0} doses/s (sequential)",
        elapsed.as_secs_f64(),
        samples as f64 / elapsed.as_secs_f64()
    );
    report(
        "log_dose (validate + check + write + audit, one transaction)",
        log_times,
    );

    // 3. Logging from 8 concurrent tasks (SQLite has one writer: this shows the queueing cost, and
    // how many writes each group commit carries).
    let stats_before = db.write_stats();
    let started = Instant::now();
    let mut handles = Vec::new();
    for worker in 0..8 {
        let services = services.clone();
        let per = samples / 8;
        handles.push(tokio::spawn(async move {
            for i in 0..per {
                let child = ((worker * per + i) * 104_729) % children + 1;
                let request = usual_dose(child);
                let actor = Actor::person(((child - 1) / per_family + 1) as i64, Channel::Console);
                services.log_dose(&actor, request).await.expect("log");
            }
        }));
    }
    for handle in handles {
        handle.await.expect("worker");
    }
    let elapsed = started.elapsed();
    println!(
        "log_dose: {} doses from 8 tasks in {:.2} s = {:.0} doses/s",
        samples / 8 * 8,
        elapsed.as_secs_f64(),
        (samples / 8 * 8) as f64 / elapsed.as_secs_f64()
    );
    if let (Some(before), Some(after)) = (stats_before, db.write_stats()) {
        let (writes, commits) = (after.writes - before.writes, after.commits - before.commits);
        println!(
            "  group commit: {writes} writes in {commits} commits ({:.1} writes per commit)",
            writes as f64 / commits.max(1) as f64
        );
    }
}
