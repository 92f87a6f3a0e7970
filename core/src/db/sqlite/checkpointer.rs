//! The checkpointer: WAL pages copied back into the file on a thread of its own.

use super::*;

/// Copies committed WAL pages back into the database file every [`CHECKPOINT_EVERY`] when
/// something was committed since the last time, on a thread and a connection of its own.
///
/// Why: SQLite's automatic checkpoint runs inside whichever commit crosses its threshold, so that
/// writer (and every writer queued at the gate behind it) waits tens to hundreds of milliseconds.
/// A PASSIVE checkpoint never blocks the writer or readers. It `fsync`s, which is why it is not on
/// the runtime's threads. The thread stops when the database is dropped.
///
/// Under steady writes a PASSIVE checkpoint never catches up with the log (new commits land while
/// it copies), so SQLite never restarts it, it grows to the backstop, and then a commit checkpoints
/// inline after all: two `fsync`s of 3–15 ms on a runtime thread, twice a second in the Slack
/// bench (`perf trace`). So once the log passes [`RESTART_AT_PAGES`], the checkpointer restarts it
/// (`RESTART`): it copies the few pages the PASSIVE pass left, with new writers held off. They wait
/// asynchronously (the writer's busy timeout is zero; see `retry_busy`), so the runtime's threads
/// go on with everything else.
pub(super) struct Checkpointer {
    dirty: Arc<AtomicBool>,
    orders: Mutex<mpsc::Sender<Order>>,
}

pub(super) enum Order {
    Truncate(tokio::sync::oneshot::Sender<Result<(), DbErr>>),
}

impl Checkpointer {
    pub(super) fn start(file: &SqliteFile) -> rusqlite::Result<Self> {
        let conn = file.open(Role::Checkpointer)?;
        let busy_timeout = file.busy_timeout;
        let dirty = Arc::new(AtomicBool::new(false));
        let (orders, inbox) = mpsc::channel::<Order>();
        let seen = dirty.clone();
        let spawned = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || loop {
                match inbox.recv_timeout(CHECKPOINT_EVERY) {
                    Ok(Order::Truncate(done)) => {
                        seen.store(false, Ordering::Release);
                        let result = conn
                            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                            .map_err(exec_err);
                        let _ = done.send(result);
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if seen.swap(false, Ordering::AcqRel) {
                            if let Err(error) = checkpoint(&conn, busy_timeout) {
                                tracing::warn!(%error, "background WAL checkpoint failed; will retry");
                                seen.store(true, Ordering::Release);
                            }
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            });
        if let Err(error) = spawned {
            return Err(rusqlite::Error::ToSqlConversionFailure(Box::new(error)));
        }
        Ok(Self {
            dirty,
            orders: Mutex::new(orders),
        })
    }

    pub(super) fn note_commit(&self) {
        self.dirty.store(true, Ordering::Release);
    }

    pub(super) async fn truncate(&self) -> Result<(), DbErr> {
        let (done, answer) = tokio::sync::oneshot::channel();
        lock(&self.orders)
            .send(Order::Truncate(done))
            .map_err(|_| DbErr::Custom("the checkpoint thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| DbErr::Custom("the checkpoint thread has stopped".into()))?
    }
}

/// One background checkpoint: PASSIVE, then RESTART if the log has grown past
/// [`RESTART_AT_PAGES`] (waiting at most [`RESTART_WAIT`] for readers; if they stay, the next
/// round tries again).
pub(super) fn checkpoint(
    conn: &rusqlite::Connection,
    busy_timeout: Duration,
) -> rusqlite::Result<()> {
    // The row: whether it was blocked, pages in the log, pages copied back.
    let log_pages: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))?;
    if log_pages < RESTART_AT_PAGES {
        return Ok(());
    }
    conn.busy_timeout(RESTART_WAIT)?;
    let restarted = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |row| {
        row.get::<_, i64>(0)
    });
    conn.busy_timeout(busy_timeout)?;
    restarted.map(|_| ())
}
