//! SQLite, run where it is called: MedNanny's own sea-orm connection for SQLite.
//!
//! Why: sqlx runs each SQLite connection on a thread of its own. Every statement is sent to that
//! thread and its rows are sent back, which costs two thread switches, a few wake-ups and a large
//! future copied per statement. On the 2-vCPU host a `SELECT 1` took 0.049 ms that way, and the
//! hand-offs were most of a Slack turn's CPU (docs/benchmarks.md). SQLite is a library: a statement
//! on a local file in WAL mode takes microseconds. So here a statement is a function call on the
//! calling thread. The services still speak sea-orm ([`ConnectionTrait`]); this module turns each
//! sea-orm `Statement` into a cached rusqlite statement, and its rows back into sea-orm rows.
//!
//! How it behaves:
//! - **Connections.** One writer, used only under the write gate (one write at a time in this
//!   process, as before), and a few readers for everything else. A statement outside a write
//!   transaction that writes (the inbox's single-statement writes) is sent to the writer under the
//!   gate, so two writes never meet on one thread.
//! - **Never sleeping on a lock.** The writer's busy timeout is zero: when another process holds
//!   SQLite's write lock, `BEGIN IMMEDIATE` (or a single write) is retried after short async sleeps
//!   until `database.busy_timeout_ms` has passed, so the runtime's thread keeps serving others.
//!   Readers never wait for writers in WAL mode.
//! - **Rows.** sea-orm's proxy rows carry typed values. A column read from a table gets the type of
//!   its entity column (`entity/`: `i32`, `i64`, `bool`, dates…), found through SQLite's column
//!   metadata; a computed column gets SQLite's storage class (integer → `i64`, text → `String`).
//!   Proxy rows keep their columns sorted by name: read them by name, never by position.
//! - **Same bytes as sqlx.** Values are written exactly as sqlx-sqlite writes them (dates as
//!   `2026-11-30`, times as RFC 3339 with `+00:00`), so a database written by either reads the same
//!   and text comparisons of times keep their order. Migrations still run through sqlx.
//! - **Checkpoints** (which `fsync`) run on a thread of their own, not on the runtime's.
//!
//! Errors never carry a value: a cell that cannot be read names its column only.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{ErrorCode, OpenFlags, ToSql};
use sea_orm::prelude::async_trait;
use sea_orm::sea_query::{ColumnType, Value};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, ExecResult, IdenStatic,
    Iterable, ProxyDatabaseTrait, ProxyExecResult, ProxyRow, QueryResult, RuntimeErr, Statement,
};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

mod checkpointer;
mod values;

use checkpointer::*;
pub use values::known_columns;
use values::*;

/// Prepared statements kept per connection (rusqlite's LRU cache; its default is 16).
const STATEMENT_CACHE: usize = 256;
/// Column plans kept per connection before the map is cleared (statement texts with `IN (…)` lists
/// vary with the list's length, so the set of texts is not bounded).
const PLAN_CACHE: usize = 512;
/// WAL size (pages of 4 KiB) at which a commit checkpoints inline, if the background checkpointer
/// has not kept up: 40 MiB.
const WAL_BACKSTOP_PAGES: u32 = 10_000;
/// How often the checkpointer looks for committed pages to copy back.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// WAL size (pages) past which the checkpointer also restarts the log itself: 8 MiB.
const RESTART_AT_PAGES: i64 = 2_000;
/// How long a restart may wait for readers to leave the log (writers wait meanwhile).
const RESTART_WAIT: Duration = Duration::from_millis(25);
/// The longest pause between two attempts at SQLite's write lock.
const BUSY_RETRY_MAX: Duration = Duration::from_millis(20);

/// Where a SQLite database lives and how its connections are set up.
#[derive(Debug, Clone)]
pub struct SqliteFile {
    pub path: PathBuf,
    /// `mode=rwc` (the default here): create the file if it is missing.
    pub create: bool,
    pub busy_timeout: Duration,
    /// Each connection's page cache, in KiB.
    pub cache_kib: u32,
}

impl SqliteFile {
    /// Reads a `sqlite:` URL as sqlx does (`sqlite://data/x.db?mode=rwc`, `sqlite:x.db`), or says
    /// what is wrong with it. In-memory databases are refused: each connection would get its own.
    pub fn from_url(url: &str, busy_timeout: Duration, cache_kib: u32) -> Result<Self, String> {
        let rest = url
            .trim()
            .strip_prefix("sqlite:")
            .ok_or("must start with sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, query),
            None => (rest, ""),
        };
        if path.is_empty() || path.contains(":memory:") {
            return Err("needs a file: an in-memory SQLite database is not supported".into());
        }
        let mut create = false;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("mode", "rwc")) => create = true,
                Some(("mode", "rw")) => create = false,
                Some(("mode", other)) => {
                    return Err(format!("mode={other} is not supported (use rwc or rw)"))
                }
                _ => {}
            }
        }
        Ok(Self {
            path: PathBuf::from(path),
            create,
            busy_timeout,
            cache_kib,
        })
    }

    /// Opens one connection with MedNanny's settings: WAL, `synchronous=NORMAL` (a committed
    /// transaction survives a crash of the process; see docs/architecture.md), foreign keys,
    /// `secure_delete` (erased content is overwritten), the checkpoint backstop, the page cache's
    /// size (`database.sqlite_cache_kib`).
    fn open(&self, role: Role) -> rusqlite::Result<rusqlite::Connection> {
        // The writer never sleeps on the lock (see the module comment); readers in WAL mode only
        // wait in rare moments (a checkpoint truncating the log), and then briefly; the
        // checkpointer has a thread of its own to wait on.
        let busy_timeout = match role {
            Role::Writer => Duration::ZERO,
            Role::Reader | Role::Checkpointer => self.busy_timeout,
        };
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        if self.create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
            // Created here, owner-only, rather than by SQLite under the umask (the record is in
            // it, and SQLite's -wal and -shm files take its mode: see `owner_only`). A failure
            // surfaces as a clear open error right after.
            let _ = crate::owner_only::create_file(&self.path);
        }
        let conn = rusqlite::Connection::open_with_flags(&self.path, flags)?;
        // Setting up waits for the lock, whatever the role: switching a new file to WAL takes it
        // for a moment, and the bot and the bridge open the same new files at once on a first
        // start (the writer's zero timeout refused the second with "database is locked"). This
        // runs once per connection, at start-up or a reopen, not on a write's path.
        conn.busy_timeout(self.busy_timeout)?;
        // Two connections switching one new file to WAL at once: the one that read the header
        // first and then finds the other switching is refused at once, busy handler or not (SQLite
        // will not let two lock upgrades wait on each other). It tries again until the timeout.
        let started = Instant::now();
        loop {
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Ok(()) => break,
                Err(error) if is_busy(&error) && started.elapsed() < self.busy_timeout => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(error) => return Err(error),
            }
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_BACKSTOP_PAGES)?;
        // A negative cache_size is in KiB.
        conn.pragma_update(None, "cache_size", -i64::from(self.cache_kib))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.busy_timeout(busy_timeout)?;
        Ok(conn)
    }
}

/// What a connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Writer,
    Reader,
    Checkpointer,
}

/// A database file's connections, shared by every clone of its [`super::Database`].
pub struct SqliteDb {
    file: SqliteFile,
    writer: Mutex<Handle>,
    readers: Vec<Mutex<Handle>>,
    /// One write at a time in this process; held by a [`Writing`] for its whole transaction.
    gate: Arc<AsyncMutex<()>>,
    /// The writer's open transaction that writes are joining (see [`Group`]).
    group: Mutex<Group>,
    checkpointer: Checkpointer,
}

/// Group commit: writes that come together share one SQLite transaction, each in a savepoint of
/// its own, and are committed together.
///
/// Why: a commit writes every page the transaction touched to the WAL, whole, with a checksum. A
/// logged note touches six to eight pages (the note and its indexes, the audit event and its
/// indexes), so committing each write alone wrote tens of kilobytes per message, and the
/// checkpoint's `fsync` of all that stalled the writers behind it. Twenty writes in one commit
/// touch mostly the same pages.
///
/// How: the write that finds no group open begins one (`BEGIN IMMEDIATE`) and leads it. Every
/// write, leader or not, runs in `SAVEPOINT w` under the gate; a write that fails or is dropped
/// rolls back to its savepoint and leaves the others' work alone. A write that succeeds releases
/// its savepoint, joins the group's members, lets go of the gate and waits for the group's commit.
/// The leader's closer, a task of its own, first yields once to the scheduler (writes that are ready
/// run and join meanwhile), then takes the gate and commits, and every member learns the outcome.
/// Alone, a write commits at once: nothing is ready to join. A caller hears "committed" only once
/// its work is durable, as before; if the commit fails, every member hears the error.
#[derive(Default)]
struct Group {
    open: bool,
    members: Vec<tokio::sync::oneshot::Sender<Result<(), String>>>,
    stats: WriteStats,
}

/// How writes have been committed since the database was opened (SQLite only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Writes committed: transactions and lone statements.
    pub writes: u64,
    /// SQLite commits that carried them.
    pub commits: u64,
}

/// One connection and what was learnt about the statements it ran.
struct Handle {
    conn: rusqlite::Connection,
    plans: HashMap<String, Arc<[ColumnPlan]>>,
}

/// How a result column becomes a sea-orm value.
struct ColumnPlan {
    name: String,
    kind: Option<Kind>,
}

impl SqliteDb {
    /// Opens the writer, `readers` readers and the checkpointer's connection.
    pub fn open(file: SqliteFile, readers: usize) -> Result<Self, DbErr> {
        let handle = |role| -> Result<Mutex<Handle>, DbErr> {
            Ok(Mutex::new(Handle {
                conn: file.open(role).map_err(conn_err)?,
                plans: HashMap::new(),
            }))
        };
        let writer = handle(Role::Writer)?;
        let readers = (0..readers.max(1))
            .map(|_| handle(Role::Reader))
            .collect::<Result<Vec<_>, _>>()?;
        let checkpointer = Checkpointer::start(&file).map_err(conn_err)?;
        if let Some(mode) = crate::owner_only::shared_mode(&file.path) {
            tracing::warn!(
                "the database file {} can be read by other users of this machine (mode {mode:o}): \
                 `chmod 600` it and the -wal and -shm files beside it",
                file.path.display()
            );
        }
        Ok(Self {
            file,
            writer,
            readers,
            gate: Arc::new(AsyncMutex::new(())),
            group: Mutex::new(Group::default()),
            checkpointer,
        })
    }

    /// Reopens every connection: after migrations, so that no connection keeps statements (or a
    /// schema) compiled before the schema changed.
    pub fn reopen(&self) -> Result<(), DbErr> {
        let writer = std::iter::once((&self.writer, Role::Writer));
        let readers = self.readers.iter().map(|slot| (slot, Role::Reader));
        for (slot, role) in writer.chain(readers) {
            let mut handle = lock(slot);
            handle.conn = self.file.open(role).map_err(conn_err)?;
            handle.plans.clear();
        }
        Ok(())
    }

    /// Opens a write: takes the gate, joins the open group or begins one (`BEGIN IMMEDIATE`,
    /// waiting asynchronously while another process holds SQLite's lock), and sets its savepoint.
    pub async fn begin(self: &Arc<Self>) -> Result<Writing, DbErr> {
        let gate = self.gate.clone().lock_owned().await;
        let leads = self.join_group().await?;
        if let Err(error) = lock(&self.writer).conn.execute_batch("SAVEPOINT w") {
            self.abandon(leads);
            return Err(exec_err(error));
        }
        Ok(Writing {
            db: self.clone(),
            gate: Some(gate),
            leads,
            settled: false,
        })
    }

    /// With the gate held: makes sure a group is open, beginning one when there is none (then
    /// the caller leads it). A group whose transaction SQLite rolled back by itself (some I/O
    /// errors do) is ended first: its members hear the error.
    async fn join_group(&self) -> Result<bool, DbErr> {
        {
            let mut group = lock(&self.group);
            if group.open {
                if !lock(&self.writer).conn.is_autocommit() {
                    return Ok(false);
                }
                group.open = false;
                for member in group.members.drain(..) {
                    let _ = member.send(Err("the shared write transaction was lost".into()));
                }
            }
        }
        self.retry_busy(|handle| handle.conn.execute_batch("BEGIN IMMEDIATE"))
            .await
            .map_err(exec_err)?;
        lock(&self.group).open = true;
        Ok(true)
    }

    /// With the gate held, after a write that will not join (it failed): a leader's group has no
    /// other member yet (the gate was held all along), so it is rolled back whole.
    fn abandon(&self, leads: bool) {
        if leads {
            let writer = lock(&self.writer);
            if !writer.conn.is_autocommit() {
                if let Err(error) = writer.conn.execute_batch("ROLLBACK") {
                    tracing::error!(%error, "rolling back a write failed");
                }
            }
            lock(&self.group).open = false;
        }
    }

    /// With the gate held: the work done since joining becomes a member of the group; the returned
    /// receiver hears the group's commit.
    fn enlist(&self) -> tokio::sync::oneshot::Receiver<Result<(), String>> {
        let (done, outcome) = tokio::sync::oneshot::channel();
        lock(&self.group).members.push(done);
        outcome
    }

    /// Yields once, so that writes ready to run join the group, then commits it (see [`Group`]).
    async fn close_group(self: Arc<Self>) {
        tokio::task::yield_now().await;
        let _gate = self.gate.lock().await;
        self.commit_group();
    }

    /// With the gate held: commits the open group, if any, and tells every member.
    fn commit_group(&self) {
        let mut group = lock(&self.group);
        if !group.open {
            return;
        }
        group.open = false;
        let writer = lock(&self.writer);
        let outcome = if writer.conn.is_autocommit() {
            Err("the shared write transaction was lost".to_string())
        } else {
            match writer.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(()),
                Err(error) => {
                    if !writer.conn.is_autocommit() {
                        let _ = writer.conn.execute_batch("ROLLBACK");
                    }
                    Err(error.to_string())
                }
            }
        };
        drop(writer);
        if outcome.is_ok() {
            self.checkpointer.note_commit();
            group.stats.commits += 1;
            group.stats.writes += group.members.len() as u64;
        }
        for member in group.members.drain(..) {
            let _ = member.send(outcome.clone());
        }
    }

    /// Lets go of the gate, has the group closed if this write leads it, and waits for the commit.
    async fn settle(
        self: &Arc<Self>,
        gate: OwnedMutexGuard<()>,
        leads: bool,
        outcome: tokio::sync::oneshot::Receiver<Result<(), String>>,
    ) -> Result<(), DbErr> {
        drop(gate);
        if leads {
            tokio::spawn(self.clone().close_group());
        }
        match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(DbErr::Exec(RuntimeErr::Internal(error))),
            Err(_) => Err(DbErr::Exec(RuntimeErr::Internal(
                "the write's commit was abandoned".into(),
            ))),
        }
    }

    /// Runs `work` on the writer (gate already held), again after short sleeps while SQLite says
    /// another process holds the lock, until the busy timeout has passed.
    async fn retry_busy<T>(
        &self,
        mut work: impl FnMut(&mut Handle) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let result = work(&mut lock(&self.writer));
            match result {
                Err(error)
                    if is_busy(&error) && started.elapsed() + pause <= self.file.busy_timeout =>
                {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(BUSY_RETRY_MAX);
                }
                other => return other,
            }
        }
    }

    /// A reader that is free, or the first one (held only while a statement runs).
    fn reader(&self) -> MutexGuard<'_, Handle> {
        for slot in &self.readers {
            if let Ok(handle) = slot.try_lock() {
                return handle;
            }
        }
        lock(&self.readers[0])
    }

    /// A statement outside any write transaction: on a reader when it only reads, else on the
    /// writer under the gate, as a write of its own in the group commit.
    async fn outside(
        self: &Arc<Self>,
        statement: &Statement,
        rows: RowsWanted,
    ) -> Result<Outcome, DbErr> {
        let writes = {
            let mut reader = self.reader();
            match reader.writes(&statement.sql)? {
                false => return reader.run(statement, rows),
                true => true,
            }
        };
        debug_assert!(writes);
        // A lone write joins the group like a transaction; one statement needs no savepoint:
        // SQLite undoes a failed statement by itself.
        let gate = self.gate.clone().lock_owned().await;
        let leads = self.join_group().await?;
        let outcome = lock(&self.writer).run(statement, rows);
        match outcome {
            Ok(outcome) => {
                let committed = self.enlist();
                self.settle(gate, leads, committed).await?;
                Ok(outcome)
            }
            Err(error) => {
                self.abandon(leads);
                Err(error)
            }
        }
    }

    /// A sea-orm connection for sea-orm-migration, which wants its own `DatabaseConnection`: every
    /// statement runs on the writer, and nothing else writes until it is dropped.
    ///
    /// The run is one `BEGIN IMMEDIATE` transaction, which the caller ends with `COMMIT` or
    /// `ROLLBACK` on the returned connection: SQLite's DDL is transactional, so two processes
    /// opening the same file at once (the bot and the WhatsApp bridge with the inbox) migrate one
    /// after the other, and the second finds every migration applied. Without it both read an empty
    /// migration list and the second failed on the first's `ADD COLUMN` ("duplicate column name").
    pub async fn migrating(self: &Arc<Self>) -> Result<DatabaseConnection, DbErr> {
        let gate = self.gate.clone().lock_owned().await;
        self.commit_group();
        self.retry_busy(|handle| handle.conn.execute_batch("BEGIN IMMEDIATE"))
            .await
            .map_err(exec_err)?;
        let session: Box<dyn ProxyDatabaseTrait> = Box::new(Migrating {
            db: self.clone(),
            _gate: gate,
        });
        sea_orm::Database::connect_proxy(DbBackend::Sqlite, Arc::new(session)).await
    }

    pub fn write_stats(&self) -> WriteStats {
        lock(&self.group).stats
    }

    /// Runs a `PRAGMA wal_checkpoint(TRUNCATE)` on the checkpointer's thread and waits for it.
    pub async fn checkpoint_truncate(&self) -> Result<(), DbErr> {
        self.checkpointer.truncate().await
    }
}

impl Handle {
    /// Whether the statement writes (prepared and cached on this connection to find out).
    fn writes(&mut self, sql: &str) -> Result<bool, DbErr> {
        let statement = self.conn.prepare_cached(sql).map_err(query_err)?;
        Ok(!statement.readonly())
    }

    /// SQL text as it is (`execute_unprepared`).
    fn batch(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.conn.execute_batch(sql).map_err(exec_err)?;
        Ok(self.done())
    }

    /// What the last statement on this connection did.
    fn done(&self) -> ExecResult {
        ProxyExecResult {
            last_insert_id: u64::try_from(self.conn.last_insert_rowid()).unwrap_or(0),
            rows_affected: self.conn.changes(),
        }
        .into()
    }

    fn run(&mut self, statement: &Statement, rows: RowsWanted) -> Result<Outcome, DbErr> {
        self.run_raw(statement, rows).map_err(|e| match rows {
            RowsWanted::None => exec_err(e),
            _ => query_err(e),
        })?
    }

    /// Binds, steps and decodes. The outer `Result` is SQLite's (busy, constraint…), the inner one a
    /// decoding problem, so that only SQLite's are retried.
    fn run_raw(
        &mut self,
        statement: &Statement,
        rows: RowsWanted,
    ) -> rusqlite::Result<Result<Outcome, DbErr>> {
        let Handle { conn, plans } = self;
        let mut prepared = conn.prepare_cached(&statement.sql)?;
        let values: &[Value] = statement.values.as_ref().map_or(&[], |v| &v.0);
        // `?` takes the next value; `$n` (and `?n`) the n-th, wherever it first appears, as sqlx
        // binds them (SQLite numbers named parameters by first appearance, not by their digits).
        let mut used = 0;
        for index in 1..=prepared.parameter_count() {
            let position = prepared
                .parameter_name(index)
                .and_then(|name| name.get(1..))
                .and_then(|digits| digits.parse::<usize>().ok())
                .unwrap_or(index);
            let Some(value) = position.checked_sub(1).and_then(|i| values.get(i)) else {
                return Ok(Err(parameter_mismatch(position, values.len())));
            };
            prepared.raw_bind_parameter(index, Bind(value))?;
            used = used.max(position);
        }
        if used != values.len() {
            return Ok(Err(parameter_mismatch(used, values.len())));
        }
        let plan = match plans.get(statement.sql.as_str()) {
            Some(plan) => plan.clone(),
            None => {
                let plan = plan_columns(&prepared);
                if plans.len() >= PLAN_CACHE {
                    plans.clear();
                }
                plans.insert(statement.sql.clone(), plan.clone());
                plan
            }
        };
        let mut cursor = prepared.raw_query();
        let mut decoded = Vec::new();
        while let Some(row) = cursor.next()? {
            if matches!(rows, RowsWanted::None) {
                continue;
            }
            let mut values = std::collections::BTreeMap::new();
            for (index, column) in plan.iter().enumerate() {
                let value = match decode(row.get_ref(index)?, column.kind) {
                    Ok(value) => value,
                    Err(problem) => {
                        return Ok(Err(DbErr::Type(format!(
                            "column {}: {problem}",
                            column.name
                        ))))
                    }
                };
                values.insert(column.name.clone(), value);
            }
            decoded.push(ProxyRow::new(values));
            if matches!(rows, RowsWanted::One) {
                break;
            }
        }
        drop(cursor);
        Ok(Ok(match rows {
            RowsWanted::None => Outcome::Done(ProxyExecResult {
                last_insert_id: u64::try_from(conn.last_insert_rowid()).unwrap_or(0),
                rows_affected: conn.changes(),
            }),
            _ => Outcome::Rows(decoded),
        }))
    }
}

/// What a caller wants back from a statement.
#[derive(Debug, Clone, Copy)]
enum RowsWanted {
    None,
    One,
    All,
}

enum Outcome {
    Done(ProxyExecResult),
    Rows(Vec<ProxyRow>),
}

impl Outcome {
    fn done(self) -> ExecResult {
        match self {
            Outcome::Done(result) => result.into(),
            Outcome::Rows(_) => ProxyExecResult::default().into(),
        }
    }

    fn rows(self) -> Vec<QueryResult> {
        match self {
            Outcome::Rows(rows) => rows.into_iter().map(QueryResult::from).collect(),
            Outcome::Done(_) => Vec::new(),
        }
    }
}

/// Statements outside a write transaction.
#[derive(Clone)]
pub struct Shared(pub(super) Arc<SqliteDb>);

impl Shared {
    pub async fn execute(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        Ok(self.0.outside(&statement, RowsWanted::None).await?.done())
    }

    /// Runs SQL text as it is (one statement or several, no values): on a reader when it is a
    /// single statement that only reads, else on the writer under the gate.
    pub async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        {
            let mut reader = self.0.reader();
            // Several statements do not prepare as one: they count as writing.
            if let Ok(false) = reader.writes(sql) {
                return reader.batch(sql);
            }
        }
        let _gate = self.0.gate.lock().await;
        // SQL text may hold statements that cannot run inside a transaction (a PRAGMA, VACUUM):
        // it runs on its own, after any open group is committed.
        self.0.commit_group();
        let writer = lock(&self.0.writer);
        // A batch that failed half-way cannot simply be run again, so it is not retried like a
        // single statement: it waits for the lock on this thread instead. Only rare, operator-side
        // statements come this way.
        writer
            .conn
            .busy_timeout(self.0.file.busy_timeout)
            .map_err(exec_err)?;
        let result = writer.batch(sql);
        let _ = writer.conn.busy_timeout(Duration::ZERO);
        self.0.checkpointer.note_commit();
        result
    }

    pub async fn query_one(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        Ok(self
            .0
            .outside(&statement, RowsWanted::One)
            .await?
            .rows()
            .into_iter()
            .next())
    }

    pub async fn query_all(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        Ok(self.0.outside(&statement, RowsWanted::All).await?.rows())
    }
}

/// A write on the writer: the gate is held, a group is open (see [`Group`]) and this write's
/// savepoint is set. Dropped without [`Writing::commit`], it rolls back to its savepoint.
pub struct Writing {
    db: Arc<SqliteDb>,
    gate: Option<OwnedMutexGuard<()>>,
    /// This write began the group (and has it closed when it settles).
    leads: bool,
    /// Committed or rolled back already.
    settled: bool,
}

impl Writing {
    fn run(&self, statement: &Statement, rows: RowsWanted) -> Result<Outcome, DbErr> {
        lock(&self.db.writer).run(statement, rows)
    }

    pub fn execute(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        Ok(self.run(&statement, RowsWanted::None)?.done())
    }

    pub fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        lock(&self.db.writer).batch(sql)
    }

    pub fn query_one(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        Ok(self
            .run(&statement, RowsWanted::One)?
            .rows()
            .into_iter()
            .next())
    }

    pub fn query_all(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        Ok(self.run(&statement, RowsWanted::All)?.rows())
    }

    /// Keeps this write's work in the group and waits until the group is committed: `Ok` means
    /// durable. If the group's commit fails, so does this.
    pub async fn commit(mut self) -> Result<(), DbErr> {
        let released = lock(&self.db.writer).conn.execute_batch("RELEASE w");
        if let Err(error) = released {
            self.roll_back();
            return Err(exec_err(error));
        }
        self.settled = true;
        let committed = self.db.enlist();
        let Some(gate) = self.gate.take() else {
            return Err(DbErr::Exec(RuntimeErr::Internal(
                "a write was committed twice".into(),
            )));
        };
        self.db.settle(gate, self.leads, committed).await
    }

    /// Undoes this write's work (only its own: to its savepoint), with the gate still held.
    fn roll_back(&mut self) {
        if self.settled {
            return;
        }
        self.settled = true;
        {
            let writer = lock(&self.db.writer);
            if !writer.conn.is_autocommit() {
                if let Err(error) = writer.conn.execute_batch("ROLLBACK TO w; RELEASE w") {
                    tracing::error!(%error, "rolling back a write failed");
                }
            }
        }
        if self.leads {
            // Nobody joined while this write held the gate: the group is this write alone.
            self.db.abandon(true);
        }
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        self.roll_back();
    }
}

/// The statements of a migration run, on the writer, inside the run's transaction (see
/// [`SqliteDb::migrating`]). sea-orm-migration runs SQLite migrations without transactions; one
/// that asks for its own gets a savepoint inside the run's, but sea-orm's proxy API cannot return
/// their errors, so a failure is logged and shows in the next statement.
struct Migrating {
    db: Arc<SqliteDb>,
    _gate: OwnedMutexGuard<()>,
}

impl std::fmt::Debug for Migrating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrating")
            .field("path", &self.db.file.path)
            .finish()
    }
}

impl Migrating {
    fn batch(&self, sql: &str) {
        if let Err(error) = lock(&self.db.writer).conn.execute_batch(sql) {
            tracing::error!(%error, sql, "migration transaction control failed");
        }
    }
}

#[async_trait::async_trait]
impl ProxyDatabaseTrait for Migrating {
    async fn query(&self, statement: Statement) -> Result<Vec<ProxyRow>, DbErr> {
        match lock(&self.db.writer).run(&statement, RowsWanted::All)? {
            Outcome::Rows(rows) => Ok(rows),
            Outcome::Done(_) => Ok(Vec::new()),
        }
    }

    async fn execute(&self, statement: Statement) -> Result<ProxyExecResult, DbErr> {
        let outcome = lock(&self.db.writer).run(&statement, RowsWanted::None)?;
        self.db.checkpointer.note_commit();
        match outcome {
            Outcome::Done(result) => Ok(result),
            Outcome::Rows(_) => Ok(ProxyExecResult::default()),
        }
    }

    async fn begin(&self) {
        self.batch("SAVEPOINT migration");
    }

    async fn commit(&self) {
        self.batch("RELEASE migration");
    }

    async fn rollback(&self) {
        self.batch("ROLLBACK TO migration; RELEASE migration");
    }

    fn start_rollback(&self) {
        self.batch("ROLLBACK TO migration; RELEASE migration");
    }
}

/// A std mutex guard, also when a panic elsewhere poisoned it (the connection is still usable:
/// a statement interrupted by a panic leaves at worst an open transaction, which is rolled back).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn parameter_mismatch(parameters: usize, values: usize) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(format!(
        "the statement takes {parameters} values and was given {values}"
    )))
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn conn_err(error: rusqlite::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::Internal(error.to_string()))
}

fn exec_err(error: rusqlite::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::Internal(error.to_string()))
}

fn query_err(error: rusqlite::Error) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(error.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
