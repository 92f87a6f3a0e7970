//! The database handle: connecting (SQLite or PostgreSQL from one URL), migrating, and the one way to
//! open a write transaction.
//!
//! Why a write gate: every write (and every audited read) appends to a per-family hash-chained audit
//! trail, and the dose-safety check must see every dose committed before it. So writes within one
//! family are serialized. On SQLite a single in-process gate plus `BEGIN IMMEDIATE` does it (SQLite
//! has one writer anyway, and the gate avoids busy-wait sleeps); on PostgreSQL a transaction-scoped
//! advisory lock per family does it, so families never wait on each other.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use migration::{InboxMigrator, Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::audit::ChainHeads;
use crate::settings::DatabaseSettings;

/// Namespace of MedNanny's PostgreSQL advisory locks ("MN").
const ADVISORY_NAMESPACE: i32 = 0x4d4e;

#[derive(Clone)]
pub struct Database {
    conn: DatabaseConnection,
    sqlite_gate: Option<Arc<Mutex<()>>>,
    chain_heads: Arc<ChainHeads>,
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
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl Database {
    /// Connects to the URL in `settings` (creating the SQLite file and its folder when needed).
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, DbErr> {
        let url = settings.url.trim().to_string();
        let is_sqlite = url.starts_with("sqlite:");
        if is_sqlite {
            create_sqlite_parent_dir(&url);
        }
        let mut options = ConnectOptions::new(url.clone());
        options
            .max_connections(settings.pool_size())
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            // Pinging a connection on every checkout costs a round trip per service call; ping only
            // connections idle long enough to have been dropped by a server, proxy or firewall.
            .test_before_acquire_if_idle_for(Duration::from_secs(30));
        let busy = Duration::from_millis(settings.busy_timeout_ms);
        options.map_sqlx_sqlite_opts(move |opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                // NORMAL in WAL mode: a committed transaction survives a crash of the process; only an
                // OS crash or power loss can drop the last commits. See docs/architecture.md.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(busy)
                // Erasure must leave nothing readable: deleted content is overwritten, not just unlinked.
                .pragma("secure_delete", "ON")
                // Checkpoints run beside the writer (see `checkpoint_in_background`); this is only
                // the backstop should that fall behind.
                .pragma("wal_autocheckpoint", WAL_BACKSTOP_PAGES.to_string())
        });
        let conn = sea_orm::Database::connect(options).await?;
        let sqlite_gate = is_sqlite.then(|| Arc::new(Mutex::new(())));
        if is_sqlite {
            checkpoint_in_background(conn.clone());
        }
        Ok(Self {
            conn,
            sqlite_gate,
            chain_heads: Arc::default(),
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
            // One writer and a reader for resuming at start are all the inbox needs.
            max_connections: Some(2),
            ..settings.clone()
        };
        // Migrate first, then open the pool the inbox runs on. A connection that was open when
        // the table and its unique index were created can keep compiling statements against the
        // schema it read before: SQLite re-reads it when a transaction starts, and the inbox's
        // single-statement writes start none. So an `ON CONFLICT (delivery_key)` could be
        // refused as matching no unique index.
        let migrating = Database::connect(&settings).await?;
        InboxMigrator::up(&migrating.conn, None).await?;
        migrating.close().await?;
        Database::connect(&settings).await
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    pub fn conn(&self) -> &DatabaseConnection {
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
        match &self.sqlite_gate {
            Some(gate) => {
                let guard = gate.clone().lock_owned().await;
                let txn = self
                    .conn
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?;
                Ok(WriteTxn {
                    txn,
                    _gate: Some(guard),
                })
            }
            None => {
                let txn = self.conn.begin().await?;
                let key = match scope {
                    LockScope::Family(id) => id,
                    LockScope::System => 0,
                    LockScope::OwnRow => return Ok(WriteTxn { txn, _gate: None }),
                };
                txn.execute_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT pg_advisory_xact_lock($1, hashtext($2::text))",
                    [ADVISORY_NAMESPACE.into(), key.to_string().into()],
                ))
                .await?;
                Ok(WriteTxn { txn, _gate: None })
            }
        }
    }

    /// Asks SQLite to move the WAL back into the main file and truncate it (after an erasure, so no
    /// copy of erased pages lingers in the WAL). A no-op on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), DbErr> {
        if self.sqlite_gate.is_some() {
            self.conn
                .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        Ok(())
    }

    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }
}

/// WAL size (pages of 4 KiB) at which a commit checkpoints inline, if the background checkpointer
/// has not kept up: 40 MiB.
const WAL_BACKSTOP_PAGES: u32 = 10_000;

/// How often the background checkpointer runs.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Copies committed WAL pages into the database file every [`CHECKPOINT_EVERY`], on a pooled
/// connection, instead of letting SQLite do it inside whichever commit crosses 1,000 pages.
///
/// Why: SQLite's automatic checkpoint runs in the committing transaction, which on our write gate
/// means every writer waits behind it (tens to hundreds of milliseconds on a large database). A
/// PASSIVE checkpoint never blocks the writer or readers and uses the core the writer leaves idle.
/// It stops when the pool is closed.
fn checkpoint_in_background(conn: DatabaseConnection) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(error) = conn
                .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                .await
            {
                if matches!(
                    error,
                    DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::ConnectionClosed)
                ) {
                    // The pool was closed: the database is shutting down.
                    return;
                }
                tracing::warn!(%error, "background WAL checkpoint failed; will retry");
            }
        }
    });
}

fn create_sqlite_parent_dir(url: &str) {
    let Ok(options) = sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url) else {
        return;
    };
    let path = options.get_filename();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        // A failure here surfaces as a clear connect error right after.
        let _ = std::fs::create_dir_all(parent);
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
