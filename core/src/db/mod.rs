//! The database handle: connecting (SQLite or PostgreSQL from one URL), migrating, and the one way to
//! open a write transaction.
//!
//! Why a write gate: every write (and every audited read) appends to a per-family hash-chained audit
//! trail, and the dose-safety check must see every dose committed before it. So writes within one
//! family are serialized. On SQLite a single in-process gate plus `BEGIN IMMEDIATE` does it (SQLite
//! has one writer anyway, and the gate avoids busy-wait sleeps); on PostgreSQL a transaction-scoped
//! advisory lock per family does it, so families never wait on each other.
//!
//! # Layout
//! - this file: [`Database`], [`Conn`] (statements outside a transaction), [`WriteTxn`].
//! - `schema`: applying, inspecting and undoing migrations (`migrate`, `mednanny-migrate`).
//! - `sqlite`: SQLite run on the calling thread, MedNanny's own sea-orm connection for it (why:
//!   see its top comment). PostgreSQL goes through sea-orm's sqlx driver.

mod schema;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use migration::{InboxMigrator, Migrator, MigratorTrait};
use sea_orm::prelude::async_trait;
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    DbErr, ExecResult, QueryResult, RuntimeErr, Statement, TransactionTrait,
};

pub use self::schema::{MigrationState, SchemaChange};
pub use self::sqlite::{known_columns, WriteStats};
use self::sqlite::{Shared, SqliteDb, SqliteFile, Writing};
use crate::audit::ChainHeads;
use crate::settings::DatabaseSettings;

/// Namespace of MedNanny's PostgreSQL advisory locks ("MN").
const ADVISORY_NAMESPACE: i32 = 0x4d4e;

#[derive(Clone)]
pub struct Database {
    conn: Conn,
    chain_heads: Arc<ChainHeads>,
    location: Arc<Location>,
}

/// Where a database is, for a person to read: a SQLite file's absolute path, or a PostgreSQL
/// database's name, server and user (never the password). `serve` and `chat` say it at start,
/// since the default SQLite URL is relative to the working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres {
        database: String,
        host: String,
        user: Option<String>,
    },
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{} (SQLite)", path.display()),
            Location::Postgres {
                database,
                host,
                user,
            } => {
                write!(f, "{database} on {host}")?;
                if let Some(user) = user {
                    write!(f, " as {user}")?;
                }
                f.write_str(" (PostgreSQL)")
            }
        }
    }
}

impl Location {
    /// The database's short name: a SQLite file's name (`mednanny.db`), a PostgreSQL database's.
    /// `mednanny-migrate` asks for it to be typed before it drops anything.
    pub fn name(&self) -> String {
        match self {
            Location::Sqlite(path) => path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            Location::Postgres { database, .. } => database.clone(),
        }
    }

    /// A SQLite file's absolute path (symbolic links resolved when the file exists).
    fn sqlite(path: &std::path::Path) -> Self {
        let absolute = std::fs::canonicalize(path)
            .or_else(|_| std::path::absolute(path))
            .unwrap_or_else(|_| path.to_path_buf());
        Location::Sqlite(absolute)
    }

    /// A PostgreSQL URL's database, host and user; the password is never kept.
    fn postgres(url: &str) -> Self {
        let rest = url.trim().split_once("://").map_or(url, |(_, rest)| rest);
        let rest = rest.split_once('?').map_or(rest, |(rest, _)| rest);
        let (user, server) = match rest.rsplit_once('@') {
            Some((credentials, server)) => {
                let user = credentials.split_once(':').map_or(credentials, |(u, _)| u);
                (Some(user.to_string()).filter(|u| !u.is_empty()), server)
            }
            None => (None, rest),
        };
        let (host, database) = server.split_once('/').unwrap_or((server, ""));
        Location::Postgres {
            database: match database {
                "" => "the user's default database".into(),
                name => name.to_string(),
            },
            host: match host {
                "" => "the local server".into(),
                host => host.to_string(),
            },
            user,
        }
    }
}

/// Statements outside a write transaction: reads, and single statements that commit by themselves.
/// A sea-orm connection: pass `db.conn()` wherever sea-orm wants one.
#[derive(Clone)]
pub enum Conn {
    Sqlite(Shared),
    Postgres(DatabaseConnection),
}

/// Which serialization domain a write belongs to: one family, or the system chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockScope {
    Family(i64),
    System,
    /// A row protected by its own optimistic `version` (conversation state): no advisory lock.
    OwnRow,
}

/// A write transaction holding its family's lock until it commits or is dropped (rolled back).
/// A sea-orm connection: pass `&*txn` wherever sea-orm wants one.
pub struct WriteTxn {
    txn: TxnConn,
}

/// The connection of a [`WriteTxn`].
pub enum TxnConn {
    Sqlite(Writing),
    Postgres(DatabaseTransaction),
}

impl std::ops::Deref for WriteTxn {
    type Target = TxnConn;
    fn deref(&self) -> &TxnConn {
        &self.txn
    }
}

impl WriteTxn {
    /// PostgreSQL: plans this transaction's statements as a queue's reads. Two settings, both
    /// for this transaction only:
    /// - For their values and the tables' sizes now, not with a prepared statement's cached
    ///   generic plan: the queue tables (outbox, inbox, reminders) grow from empty in bursts, and
    ///   a generic plan cached while one was empty can scan it once per row. Measured: with 30,000
    ///   WhatsApp reminders queued, one outbox claim ran for over 80 s where a fresh plan takes
    ///   14 ms.
    /// - Walking the queue's index in order, never a bitmap scan: a burst leaves a dead row
    ///   version behind every row it sent (autovacuum comes a minute later at best), and a bitmap
    ///   scan visits each of them on every claim, where an index scan marks them dead the first
    ///   time and skips them after. Measured with 100,000 reminders due: 27 ms a reminder claim
    ///   and 4.8 ms an outbox claim, 13.5 s of the server's 22.7 s (docs/benchmarks.md).
    ///
    /// Planning a claim costs well under a millisecond. Nothing to do on SQLite (its planner
    /// caches no plan by cost and has no bitmap scans).
    pub async fn plan_as_queue(&self) -> Result<(), DbErr> {
        if let TxnConn::Postgres(txn) = &self.txn {
            txn.execute_unprepared(
                "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_bitmapscan = off",
            )
            .await?;
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        match self.txn {
            TxnConn::Sqlite(writing) => writing.commit().await,
            TxnConn::Postgres(txn) => txn.commit().await,
        }
    }
}

impl Database {
    /// Opens the database at the URL in `settings` (creating the SQLite file and its folder when
    /// needed). The schema is not touched: see [`Database::migrate`].
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, DbErr> {
        let url = settings.url.trim();
        let (conn, location) = if url.starts_with("sqlite:") {
            let file = SqliteFile::from_url(
                url,
                Duration::from_millis(settings.busy_timeout_ms),
                settings.sqlite_cache_kib,
            )
            .map_err(|problem| DbErr::Conn(RuntimeErr::Internal(problem)))?;
            let readers = settings.pool_size().try_into().unwrap_or(usize::MAX);
            let path = file.path.clone();
            let db = SqliteDb::open(file, readers)?;
            // Once open, so that the file exists and its real path is known.
            (Conn::Sqlite(Shared(Arc::new(db))), Location::sqlite(&path))
        } else {
            (
                Conn::Postgres(sqlx_connect(settings).await?),
                Location::postgres(url),
            )
        };
        Ok(Self {
            conn,
            chain_heads: Arc::default(),
            location: Arc::new(location),
        })
    }

    /// The database the channels' inbox lives in, migrated: on SQLite a file of its own beside the
    /// main one (`mednanny.db` → `mednanny-inbox.db`), so that keeping an envelope before its ack never
    /// waits behind the record's writer; on PostgreSQL, this same database.
    pub async fn inbox(&self, settings: &DatabaseSettings) -> Result<Database, DbErr> {
        let Some(url) = inbox_url(&settings.url) else {
            return Ok(self.clone());
        };
        let settings = DatabaseSettings {
            url,
            // One writer task and a reader for resuming at start are all the inbox needs.
            max_connections: Some(1),
            ..settings.clone()
        };
        // The bot and the WhatsApp bridge may open (and migrate) the file at the same moment: each
        // migration run is one transaction (see `migrate_with`), so the second waits for the
        // first; one that still finds it locked past the busy timeout waits a little and tries
        // again.
        let mut tries = 0;
        loop {
            let opened = match Database::connect(&settings).await {
                Ok(inbox) => inbox.migrate_with::<InboxMigrator>().await.map(|_| inbox),
                Err(error) => Err(error),
            };
            match opened {
                // Locked: the other process is migrating. A duplicate migration version: a
                // process that migrated without the run's transaction (an older build) applied
                // the same migration between our reading the list and writing it; the next try
                // finds it applied.
                Err(error)
                    if tries < 40
                        && (error.to_string().contains("locked")
                            || error.to_string().contains("seaql_migrations")) =>
                {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
                other => return other,
            }
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        self.migrate_with::<Migrator>().await
    }

    async fn migrate_with<M: MigratorTrait>(&self) -> Result<(), DbErr> {
        self.change_schema_with::<M>(SchemaChange::Up(None))
            .await
            .map(|_| ())
    }

    /// Changes the schema as `change` says (`mednanny-migrate`), and returns every migration with
    /// whether it is applied now. On SQLite the whole change is one transaction: it is done
    /// whole or not at all.
    pub async fn change_schema(&self, change: SchemaChange) -> Result<Vec<MigrationState>, DbErr> {
        self.change_schema_with::<Migrator>(change).await
    }

    /// Runs a change with a migrator (on SQLite on the writer, nothing else writing meanwhile),
    /// then reopens this process's SQLite connections. A connection that read the schema before a
    /// migration can keep compiling statements against it: an `ON CONFLICT` could then be refused
    /// as matching no unique index (seen with the inbox, docs/architecture.md).
    async fn change_schema_with<M: MigratorTrait>(
        &self,
        change: SchemaChange,
    ) -> Result<Vec<MigrationState>, DbErr> {
        match &self.conn {
            Conn::Postgres(conn) => schema::apply::<M>(conn, change).await,
            Conn::Sqlite(shared) => {
                let migrating = shared.0.migrating().await?;
                let result = schema::apply::<M>(&migrating, change).await;
                let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
                let ended = migrating.execute_unprepared(end).await;
                drop(migrating);
                let states = result?;
                ended?;
                shared.0.reopen()?;
                Ok(states)
            }
        }
    }

    /// Where this database is (see [`Location`]).
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The connection for statements outside a write transaction.
    pub fn conn(&self) -> &Conn {
        &self.conn
    }

    /// This process's hints of each audit chain's newest event (see [`ChainHeads`]).
    pub fn chain_heads(&self) -> &ChainHeads {
        &self.chain_heads
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Opens a write transaction serialized with every other write in `scope`.
    pub async fn write(&self, scope: LockScope) -> Result<WriteTxn, DbErr> {
        match &self.conn {
            Conn::Sqlite(shared) => Ok(WriteTxn {
                txn: TxnConn::Sqlite(shared.0.begin().await?),
            }),
            Conn::Postgres(conn) => {
                let txn = conn.begin().await?;
                let key = match scope {
                    LockScope::Family(id) => id,
                    LockScope::System => 0,
                    LockScope::OwnRow => {
                        return Ok(WriteTxn {
                            txn: TxnConn::Postgres(txn),
                        })
                    }
                };
                txn.execute_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT pg_advisory_xact_lock($1, hashtext($2::text))",
                    [ADVISORY_NAMESPACE.into(), key.to_string().into()],
                ))
                .await?;
                Ok(WriteTxn {
                    txn: TxnConn::Postgres(txn),
                })
            }
        }
    }

    /// How SQLite writes were grouped into commits since this handle was opened (see
    /// `db::sqlite`'s group commit); `None` on PostgreSQL.
    pub fn write_stats(&self) -> Option<WriteStats> {
        match &self.conn {
            Conn::Sqlite(shared) => Some(shared.0.write_stats()),
            Conn::Postgres(_) => None,
        }
    }

    /// Asks SQLite to move the WAL back into the main file and truncate it (after an erasure, so no
    /// copy of erased pages lingers in the WAL). A no-op on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), DbErr> {
        match &self.conn {
            Conn::Sqlite(shared) => shared.0.checkpoint_truncate().await,
            Conn::Postgres(_) => Ok(()),
        }
    }

    /// Closes the PostgreSQL pool. SQLite's connections (and its checkpoint thread) close when the
    /// last clone of this handle is dropped.
    pub async fn close(self) -> Result<(), DbErr> {
        match self.conn {
            Conn::Postgres(conn) => conn.close().await,
            Conn::Sqlite(_) => Ok(()),
        }
    }
}

/// A sea-orm (sqlx) connection pool for a PostgreSQL URL.
async fn sqlx_connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.url.trim().to_string());
    options
        .max_connections(settings.pool_size())
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // Pinging a connection on every checkout costs a round trip per service call; ping only
        // connections idle long enough to have been dropped by a server, proxy or firewall.
        .test_before_acquire_if_idle_for(Duration::from_secs(30));
    sea_orm::Database::connect(options).await
}

#[async_trait::async_trait]
impl ConnectionTrait for Conn {
    fn get_database_backend(&self) -> DatabaseBackend {
        match self {
            Conn::Sqlite(_) => DatabaseBackend::Sqlite,
            Conn::Postgres(conn) => conn.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Conn::Sqlite(conn) => conn.execute(stmt).await,
            Conn::Postgres(conn) => conn.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Conn::Sqlite(conn) => conn.execute_unprepared(sql).await,
            Conn::Postgres(conn) => conn.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Conn::Sqlite(conn) => conn.query_one(stmt).await,
            Conn::Postgres(conn) => conn.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Conn::Sqlite(conn) => conn.query_all(stmt).await,
            Conn::Postgres(conn) => conn.query_all_raw(stmt).await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for TxnConn {
    fn get_database_backend(&self) -> DatabaseBackend {
        match self {
            TxnConn::Sqlite(_) => DatabaseBackend::Sqlite,
            TxnConn::Postgres(txn) => txn.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            TxnConn::Sqlite(txn) => txn.execute(stmt),
            TxnConn::Postgres(txn) => txn.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            TxnConn::Sqlite(txn) => txn.execute_unprepared(sql),
            TxnConn::Postgres(txn) => txn.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            TxnConn::Sqlite(txn) => txn.query_one(stmt),
            TxnConn::Postgres(txn) => txn.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            TxnConn::Sqlite(txn) => txn.query_all(stmt),
            TxnConn::Postgres(txn) => txn.query_all_raw(stmt).await,
        }
    }
}

/// The URL of a SQLite database's sibling inbox file, or `None` for PostgreSQL and in-memory SQLite.
pub fn inbox_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.strip_prefix("sqlite:")?;
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    if path.contains(":memory:") || path.trim_start_matches('/').is_empty() {
        return None;
    }
    let inbox_path = match path.strip_suffix(".db") {
        Some(stem) => format!("{stem}-inbox.db"),
        None => format!("{path}-inbox"),
    };
    Some(match query {
        Some(query) => format!("sqlite:{inbox_path}?{query}"),
        None => format!("sqlite:{inbox_path}"),
    })
}

#[cfg(test)]
mod location_tests {
    use super::Location;

    #[test]
    fn a_postgres_location_names_the_database_server_and_user_never_the_password() {
        let location =
            Location::postgres("postgres://app:s3cret@db.internal:5432/mednanny?sslmode=require");
        assert_eq!(
            location.to_string(),
            "mednanny on db.internal:5432 as app (PostgreSQL)"
        );
        assert_eq!(
            Location::postgres("postgresql://db/family").to_string(),
            "family on db (PostgreSQL)"
        );
    }
}

#[cfg(test)]
mod inbox_url_tests {
    use super::inbox_url;

    #[test]
    fn the_inbox_sits_beside_a_sqlite_database() {
        assert_eq!(
            inbox_url("sqlite://data/mednanny.db?mode=rwc").as_deref(),
            Some("sqlite://data/mednanny-inbox.db?mode=rwc")
        );
        assert_eq!(
            inbox_url("sqlite:///var/lib/m/family").as_deref(),
            Some("sqlite:///var/lib/m/family-inbox")
        );
        assert_eq!(inbox_url("sqlite::memory:"), None);
        assert_eq!(inbox_url("postgres://u@h/db"), None);
    }
}
