//! Test support for the core's integration tests: a fresh database per test (a SQLite file in a temp
//! dir, or — when `MEDNANNY_TEST_DATABASE_URL` is set — a PostgreSQL database created for the test
//! and dropped after), migrated, with services on a manual clock.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use mednanny_core::clock::ManualClock;
use mednanny_core::crypto::Keyring;
use mednanny_core::db::Database;
use mednanny_core::domain::{Channel, DoseAmount, DoseUnit, IdentityKind};
use mednanny_core::engine::{Engine, Inbound};
use mednanny_core::services::care::DoseRequest;
use mednanny_core::services::Services;
use mednanny_core::settings::DatabaseSettings;
use sea_orm::ConnectionTrait;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends this run can test: SQLite always, PostgreSQL when `MEDNANNY_TEST_DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        out.push(Backend::Postgres);
    }
    out
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("MEDNANNY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A test's own database, removed when dropped.
pub struct TestDb {
    pub db: Database,
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<(String, String)>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                let db = connect(&url).await;
                Self {
                    db,
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("MEDNANNY_TEST_DATABASE_URL");
                let name = format!("mednanny_test_{}", uuid_like());
                let admin_db = sea_orm::Database::connect(&admin)
                    .await
                    .expect("connect to admin database");
                admin_db
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create database");
                admin_db.close().await.ok();
                let base = admin
                    .rsplit_once('/')
                    .map(|(base, _)| base.to_string())
                    .expect("url has a database");
                let url = format!("{base}/{name}");
                let db = connect(&url).await;
                Self {
                    db,
                    url,
                    backend,
                    _dir: None,
                    pg_name: Some((admin, name)),
                }
            }
        }
    }

    /// Path of the SQLite file (SQLite only).
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("test.db"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_name.take() {
            // Drop the database on a helper thread: Drop cannot be async. The test's pool is not
            // closed from there: its connections belong to the test's runtime, which is blocked in
            // `join` below, so `close()` would wait forever; `WITH (FORCE)` ends them instead.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async move {
                    if let Ok(admin_db) = sea_orm::Database::connect(&admin).await {
                        let _ = admin_db
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        admin_db.close().await.ok();
                    }
                });
            })
            .join();
        }
    }
}

fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| char::from(b'a' + rng.gen_range(0..26)))
        .collect()
}

async fn connect(url: &str) -> Database {
    let settings = DatabaseSettings {
        url: url.to_string(),
        max_connections: Some(8),
        busy_timeout_ms: 5000,
        sqlite_cache_kib: 512,
        migrate_on_start: true,
    };
    let db = Database::connect(&settings).await.expect("connect");
    db.migrate().await.expect("migrate");
    db
}

/// 2026-03-02 15:00 UTC (10:00 in New York): a plain weekday, far from DST changes.
pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0)
        .single()
        .expect("valid time")
}

/// Services over a fresh database, with a clock the test controls.
pub struct TestApp {
    pub services: Services,
    pub clock: ManualClock,
    pub keys: Keyring,
    pub db: TestDb,
}

impl TestApp {
    /// How many doses are in the record (voided ones included).
    pub async fn doses(&self) -> u64 {
        use sea_orm::{EntityTrait, PaginatorTrait};
        entity::dose_log::Entity::find()
            .count(self.services.db().conn())
            .await
            .expect("count doses")
    }

    /// How many times `action` was done and audited as allowed ("allergy.remove"...).
    pub async fn audited(&self, action: &str) -> u64 {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        entity::audit_event::Entity::find()
            .filter(entity::audit_event::Column::Action.eq(action))
            .filter(entity::audit_event::Column::Outcome.eq("ok"))
            .count(self.services.db().conn())
            .await
            .expect("count audit events")
    }

    pub async fn new(backend: Backend) -> Self {
        Self::at(backend, default_now()).await
    }

    pub async fn at(backend: Backend, now: DateTime<Utc>) -> Self {
        let db = TestDb::new(backend).await;
        let clock = ManualClock::new(now);
        let keys = Keyring::generate();
        let services = Services::new(db.db.clone(), keys.clone(), Arc::new(clock.clone()), 72);
        Self {
            services,
            clock,
            keys,
            db,
        }
    }

    /// Services over the same database, with another keyring (wrong-key tests).
    pub fn with_keys(&self, keys: Keyring) -> Services {
        Services::new(self.db.db.clone(), keys, Arc::new(self.clock.clone()), 72)
    }

    /// Services over the same database with connections and caches of their own, as another
    /// process (an admin command, a second bot) would have them.
    pub async fn another_process(&self) -> Services {
        let db = Database::connect(&DatabaseSettings {
            url: self.db.url.clone(),
            max_connections: Some(2),
            busy_timeout_ms: 5000,
            sqlite_cache_kib: 512,
            migrate_on_start: true,
        })
        .await
        .expect("connect as another process");
        Services::new(db, self.keys.clone(), Arc::new(self.clock.clone()), 72)
    }
}

/// A request to log a dose given now: not yet confirmed as an extra dose, not from a channel delivery.
pub fn dose_request(child_id: i64, medication_id: i64, value: f64, unit: DoseUnit) -> DoseRequest {
    DoseRequest {
        child_id,
        medication_id,
        amount: DoseAmount { value, unit },
        given_at: None,
        confirmed_extra: false,
        override_unchecked: false,
        source_key: None,
    }
}

/// A console message from `name` (the demo's console ids: "ana", "luis", "maya").
pub fn said(name: &str, text: &str) -> Inbound {
    Inbound {
        channel: Channel::Console,
        identity: IdentityKind::Console,
        external_id: name.into(),
        display_name: None,
        text: text.into(),
        delivery_key: None,
        form: None,
        voice: false,
        locale: None,
        photo: None,
        timezone: None,
    }
}

/// Everything the engine answered to one message, as one string.
pub async fn turn(engine: &Engine, name: &str, text: &str) -> String {
    let turn = engine.handle(&said(name, text)).await;
    turn.replies
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}
