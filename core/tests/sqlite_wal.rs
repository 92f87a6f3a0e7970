//! On SQLite, committed writes go to the write-ahead log first and reach the database file at a
//! checkpoint. MedNanny checkpoints in the background (not inside whichever commit crosses SQLite's
//! threshold, which would make every writer wait): this checks that writes still reach the file
//! within moments, so the log does not grow without bound and a copy of the file is current.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use mednanny_core::auth::Actor;
use mednanny_core::demo;
use mednanny_core::domain::Channel;
use support::{Backend, TestApp};

#[tokio::test]
async fn committed_writes_reach_the_database_file_in_the_background() {
    let app = TestApp::new(Backend::Sqlite).await;
    let s = &app.services;
    let demo = demo::ensure(s).await.unwrap();
    let path = app.db.sqlite_path().unwrap();
    let wal = path.with_file_name("test.db-wal");
    // Let any checkpoint of the set-up finish, then note the file's size.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let before = std::fs::metadata(&path).unwrap().len();

    let ana = Actor::person(demo.ana, Channel::Console);
    let page = "x".repeat(1900);
    for i in 0..300 {
        s.add_note(&ana, demo.emma, &format!("{i} {page}"), None)
            .await
            .unwrap();
    }
    assert!(std::fs::metadata(&wal).unwrap().len() > 600 * 1024);

    // Far below SQLite's own threshold as we set it, so only the background checkpointer can
    // have moved these pages into the file.
    let mut grown = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if std::fs::metadata(&path).unwrap().len() > before + 600 * 1024 {
            grown = true;
            break;
        }
    }
    assert!(
        grown,
        "the database file still has {before} bytes: nothing was checkpointed"
    );
}

/// The bundled SQLite is built with the query-planner stability guarantee (`.cargo/config.toml`).
/// Without it, every `.one()` (a bound `LIMIT ?`) is parsed again each time it runs: a tenth of the
/// Slack bot's CPU. A build that lost the flag would be only slower, never wrong, so this checks it.
#[tokio::test]
async fn the_bundled_sqlite_keeps_its_query_plans() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::new(Backend::Sqlite).await;
    let conn = app.services.db().conn();
    let options = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "PRAGMA compile_options",
        ))
        .await
        .unwrap();
    let options: Vec<String> = options
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect();
    assert!(
        options.iter().any(|o| o == "ENABLE_QPSG"),
        "built without SQLITE_ENABLE_QPSG: {options:?}"
    );
}

/// `database.sqlite_cache_kib` sizes every connection's page cache, readers and the writer alike
/// (SQLite's own default is 2 MiB each: most of a small bot's memory).
#[tokio::test]
async fn every_connection_has_the_page_cache_it_was_given() {
    use mednanny_core::db::{Database, LockScope};
    use mednanny_core::settings::DatabaseSettings;
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::new(Backend::Sqlite).await;
    let db = Database::connect(&DatabaseSettings {
        url: app.db.url.clone(),
        max_connections: Some(2),
        busy_timeout_ms: 5000,
        sqlite_cache_kib: 300,
        migrate_on_start: false,
    })
    .await
    .unwrap();
    let pragma = Statement::from_string(sea_orm::DbBackend::Sqlite, "PRAGMA cache_size");
    let read = |row: Option<sea_orm::QueryResult>| row.unwrap().try_get_by_index::<i64>(0).unwrap();
    // Negative: KiB rather than pages.
    for _ in 0..4 {
        assert_eq!(
            read(db.conn().query_one_raw(pragma.clone()).await.unwrap()),
            -300
        );
    }
    let txn = db.write(LockScope::System).await.unwrap();
    assert_eq!(read(txn.query_one_raw(pragma.clone()).await.unwrap()), -300);
    txn.commit().await.unwrap();
}

/// Under a steady stream of commits a PASSIVE checkpoint never catches up with the log (commits land
/// while it copies), so SQLite never restarts the log: it grew to the 10,000-page backstop, where a
/// commit checkpoints inline with two `fsync`s on the runtime's thread. The checkpoint thread
/// restarts the log itself once it passes 2,000 pages, so it stays far below the backstop.
#[tokio::test]
async fn under_steady_writes_the_log_is_restarted_long_before_the_backstop() {
    use mednanny_core::db::LockScope;
    use sea_orm::ConnectionTrait;
    const PAGE: u64 = 4096;
    let app = TestApp::new(Backend::Sqlite).await;
    let db = app.services.db();
    let wal = app.db.sqlite_path().unwrap().with_file_name("test.db-wal");
    let txn = db.write(LockScope::System).await.unwrap();
    txn.execute_unprepared("CREATE TABLE filler (body BLOB)")
        .await
        .unwrap();
    txn.commit().await.unwrap();

    // 64 KiB a commit (sixteen overflow pages and a leaf), a commit a millisecond or so.
    let mut largest = 0;
    for _ in 0..850 {
        let txn = db.write(LockScope::System).await.unwrap();
        txn.execute_unprepared("INSERT INTO filler (body) VALUES (zeroblob(65536))")
            .await
            .unwrap();
        txn.commit().await.unwrap();
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // 850 × 17 pages were written: far past the backstop, had the log never been restarted.
    assert!(
        largest < 7_000 * PAGE,
        "the log grew to {} pages",
        largest / PAGE
    );
}
