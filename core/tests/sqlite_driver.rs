//! SQLite runs on the calling thread (core/src/db/sqlite.rs). Two promises of that driver that a
//! family would notice if they broke:
//! - while another process (an admin command, a second bot) holds SQLite's write lock, a write
//!   waits for it without stopping the thread it runs on: every other conversation, ack and timer
//!   on that thread goes on;
//! - a write that waited longer than `database.busy_timeout_ms` is refused with a clear error and
//!   changes nothing;
//! - writes that come together are committed together (group commit), and one that fails or is
//!   dropped undoes only its own work; every caller hears "done" only once its work is committed.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mednanny_core::auth::Actor;
use mednanny_core::db::{Database, LockScope};
use mednanny_core::demo;
use mednanny_core::domain::Channel;
use mednanny_core::services::Services;
use mednanny_core::settings::DatabaseSettings;
use support::{Backend, TestApp};

/// Counts ticks of a 10 ms timer on the current thread until dropped.
fn ticker() -> (Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let ticks = Arc::new(AtomicUsize::new(0));
    let counted = ticks.clone();
    let task = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(10));
        loop {
            every.tick().await;
            counted.fetch_add(1, Ordering::Relaxed);
        }
    });
    (ticks, task)
}

#[tokio::test(flavor = "current_thread")]
async fn a_write_waits_for_another_process_without_stopping_the_thread() {
    let app = TestApp::new(Backend::Sqlite).await;
    let s = &app.services;
    let demo = demo::ensure(s).await.unwrap();
    let ana = Actor::person(demo.ana, Channel::Console);
    let other = app.another_process().await;

    // Another process takes SQLite's write lock and keeps it for a while.
    let held = other.db().write(LockScope::System).await.unwrap();
    let (ticks, ticking) = ticker();
    let writing = {
        let s = s.clone();
        tokio::spawn(async move { s.add_note(&ana, demo.emma, "ate a good lunch", None).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !writing.is_finished(),
        "the note was written under another process's lock"
    );
    let ticked = ticks.load(Ordering::Relaxed);
    assert!(
        ticked >= 15,
        "the thread stood still while the write waited: {ticked} ticks in 300 ms"
    );

    drop(held);
    let note = tokio::time::timeout(Duration::from_secs(2), writing)
        .await
        .expect("the write goes through once the lock is free")
        .unwrap();
    assert!(note.is_ok(), "{note:?}");
    ticking.abort();
    let notes = s.notes(&ana, demo.emma, 10).await.unwrap();
    assert_eq!(notes.len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn a_write_that_waited_too_long_is_refused_and_changes_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let demo = demo::ensure(&app.services).await.unwrap();
    let ana = Actor::person(demo.ana, Channel::Console);
    let impatient = Database::connect(&DatabaseSettings {
        url: app.db.url.clone(),
        max_connections: Some(1),
        busy_timeout_ms: 200,
        sqlite_cache_kib: 512,
        migrate_on_start: false,
    })
    .await
    .unwrap();
    let impatient = Services::new(impatient, app.keys.clone(), Arc::new(app.clock.clone()), 72);

    let held = app
        .another_process()
        .await
        .db()
        .write(LockScope::System)
        .await
        .unwrap();
    let started = Instant::now();
    let refused = impatient
        .add_note(&ana, demo.emma, "ate a good lunch", None)
        .await;
    let waited = started.elapsed();
    let error = refused.expect_err("written under another process's lock");
    assert!(
        error.to_string().contains("locked"),
        "the error should say the database is locked: {error}"
    );
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(2),
        "gave up after {waited:?}, not after about 200 ms"
    );

    drop(held);
    assert!(app
        .services
        .notes(&ana, demo.emma, 10)
        .await
        .unwrap()
        .is_empty());
}

/// `$n` takes the n-th value wherever it first appears (as sqlx binds it), and a count that does
/// not match is refused instead of binding NULL to what is left.
#[tokio::test]
async fn numbered_placeholders_take_their_own_values() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::new(Backend::Sqlite).await;
    let conn = app.services.db().conn();
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT $2 AS second, $1 AS first, $2 + $1 AS sum",
            [10i64.into(), 20i64.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "first").unwrap(), 10);
    assert_eq!(row.try_get::<i64>("", "second").unwrap(), 20);
    assert_eq!(row.try_get::<i64>("", "sum").unwrap(), 30);

    let short = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT $1 AS a, $2 AS b",
            [10i64.into()],
        ))
        .await;
    assert!(short.is_err(), "a missing value was bound as NULL");
}

#[tokio::test(flavor = "current_thread")]
async fn writes_that_come_together_are_committed_together() {
    let app = TestApp::new(Backend::Sqlite).await;
    let s = &app.services;
    let demo = demo::ensure(s).await.unwrap();
    let ana = Actor::person(demo.ana, Channel::Console);
    let before = s.db().write_stats().unwrap();

    let writers: Vec<_> = (0..10)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                s.add_note(&ana, demo.emma, &format!("note {i}"), None)
                    .await
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().unwrap();
    }

    let after = s.db().write_stats().unwrap();
    // Each note is one write transaction (the note and its audit event).
    assert_eq!(after.writes - before.writes, 10);
    let commits = after.commits - before.commits;
    assert!(
        (1..=2).contains(&commits),
        "10 notes written together took {commits} commits"
    );
    assert_eq!(s.notes(&ana, demo.emma, 20).await.unwrap().len(), 10);
}

#[tokio::test(flavor = "current_thread")]
async fn a_write_dropped_in_a_group_undoes_only_its_own_work() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::new(Backend::Sqlite).await;
    let db = app.services.db().clone();
    let insert = |name: &str| {
        Statement::from_sql_and_values(
            db.backend(),
            "INSERT INTO families (name, timezone, country, created_at) VALUES ($1, 'UTC', 'GB', $2)",
            [name.into(), chrono::Utc::now().into()],
        )
    };
    let before = db.write_stats().unwrap();

    let first = db.write(LockScope::System).await.unwrap();
    first.execute_raw(insert("First")).await.unwrap();
    // Two more writes wait for the gate meanwhile, then join the group the first one began: one
    // is dropped unfinished, the other is committed.
    let later = |name: &'static str, keep: bool| {
        let db = db.clone();
        let statement = insert(name);
        tokio::spawn(async move {
            let txn = db.write(LockScope::System).await.unwrap();
            txn.execute_raw(statement).await.unwrap();
            if keep {
                txn.commit().await.unwrap();
            }
        })
    };
    let dropped = later("Dropped", false);
    let kept = later("Kept", true);
    first.commit().await.unwrap();
    dropped.await.unwrap();
    kept.await.unwrap();

    let mut names: Vec<String> = db
        .conn()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT name FROM families WHERE name IN ('First', 'Dropped', 'Kept')",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["First".to_string(), "Kept".to_string()]);
    let after = db.write_stats().unwrap();
    assert_eq!(
        (after.writes - before.writes, after.commits - before.commits),
        (2, 1),
        "the two kept writes, in one commit"
    );
}

/// The SQLite driver reads each column by its kind from a table built from the entity crate. A table
/// or column the migrations create but that table lacks would be read by SQLite's storage class (a
/// date as text, a bool as a number) and fail at run time: every migrated column must be known.
#[tokio::test]
async fn every_table_the_migrations_create_is_known_to_the_driver() {
    let db = support::TestDb::new(Backend::Sqlite).await;
    let path = db.sqlite_path().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations' ORDER BY name",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.len() >= 20, "the migrations ran: {tables:?}");
    let mut missing = Vec::new();
    for table in &tables {
        let columns: Vec<String> = conn
            .prepare(&format!("PRAGMA table_info({table})"))
            .unwrap()
            .query_map([], |row| row.get(1))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        match mednanny_core::db::known_columns(table) {
            None => missing.push(format!("table {table}")),
            Some(known) => missing.extend(
                columns
                    .iter()
                    .filter(|c| !known.contains(c))
                    .map(|c| format!("{table}.{c}")),
            ),
        }
    }
    assert!(
        missing.is_empty(),
        "not in the SQLite driver's column table (core/src/db/sqlite.rs, ENTITY_COLUMNS): {missing:?}"
    );
}

/// The bot and the WhatsApp bridge start together on a new machine and open the same files: both
/// migrate them at the same moment. Each must come up with the schema whole (the second used to
/// fail with "duplicate column name" when both read the migration list before either wrote it).
/// Two threads with runtimes of their own stand for the two processes; a few rounds, as the race is
/// a matter of timing.
#[test]
fn two_processes_migrating_a_new_database_at_once_both_start() {
    for attempt in 0..12 {
        let dir = tempfile::tempdir().unwrap();
        let settings = DatabaseSettings {
            url: format!(
                "sqlite://{}?mode=rwc",
                dir.path().join(format!("race-{attempt}.db")).display()
            ),
            max_connections: Some(2),
            busy_timeout_ms: 10_000,
            sqlite_cache_kib: 512,
            migrate_on_start: true,
        };
        let start = Arc::new(std::sync::Barrier::new(2));
        let process = |name: &'static str| {
            let (settings, start) = (settings.clone(), start.clone());
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    start.wait();
                    let db = Database::connect(&settings)
                        .await
                        .unwrap_or_else(|e| panic!("{name} opening the record: {e}"));
                    db.migrate()
                        .await
                        .unwrap_or_else(|e| panic!("{name} migrating the record: {e}"));
                    db.inbox(&settings)
                        .await
                        .unwrap_or_else(|e| panic!("{name} opening the inbox: {e}"));
                    db
                })
            })
        };
        let (bot, bridge) = (process("the bot"), process("the bridge"));
        let (_bot, bridge) = (bot.join().unwrap(), bridge.join().unwrap());
        // The schema is whole: the demo family is written on the migrated record.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let services = Services::new(
                bridge,
                mednanny_core::crypto::Keyring::new([3; 32], &[]),
                Arc::new(mednanny_core::clock::SystemClock),
                72,
            );
            demo::ensure(&services)
                .await
                .expect("the demo family on the migrated record");
        });
    }
}
