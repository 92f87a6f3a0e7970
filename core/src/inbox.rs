//! The channels' durable inbox: what a channel acknowledged is written here first.
//!
//! Slack (and Twilio) never resend a delivery we acknowledged, so "acknowledged" must mean "on disk":
//! a channel calls [`Inbox::accept`] before it acks, processes the delivery, then calls
//! [`Inbox::finish`]. At start it resumes [`Inbox::resume`]'s unfinished rows. The delivery key is
//! unique, so a redelivery (a Slack retry, the same envelope twice) is recognised — also across a
//! restart, because finished rows are kept for a day ([`Inbox::purge_finished`]).
//!
//! Every accept and finish is a small write, and a busy workspace sends thousands a second. One
//! writer task takes whatever is waiting and writes it together (group commit): one multi-row
//! insert for the accepts and one update for the finishes, in one transaction when there are both.
//! So a burst costs a few commits instead of one per message, and each caller still learns only
//! when its own row is durable.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::Duration;
use entity::inbox;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Statement, TryInsertResult,
};
use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::crypto::{CryptoError, Keyring};
use crate::db::{Database, LockScope};

/// The most rows one group commit writes.
const BATCH: usize = 512;
/// A delivery that made the process stop this many times is set aside instead of retried forever.
pub const MAX_ATTEMPTS: i32 = 5;
/// Sealing context of the payload column.
const PAYLOAD_FIELD: &str = "inbox.payload";

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The writer task has stopped (the process is shutting down).
    #[error("the inbox is shut down")]
    Stopped,
}

/// A delivery to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// `slack`, `whatsapp`, …
    pub channel: String,
    /// The channel's own id for it; the same delivery always has the same key.
    pub delivery_key: String,
    /// What kind of payload it is (the channel's own vocabulary).
    pub kind: String,
    /// The payload, in the channel's own serialization; sealed at rest.
    pub payload: String,
}

/// What [`Inbox::accept`] made of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Stored for the first time, under this row id: process it.
    New(i64),
    /// Already stored (a redelivery): acknowledge it and do nothing else.
    Repeat,
}

/// A stored delivery that still has to be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDelivery {
    pub id: i64,
    pub delivery_key: String,
    pub kind: String,
    pub payload: String,
    /// How many times processing has started, this time included.
    pub attempts: i32,
}

enum Op {
    Accept(NewDelivery, oneshot::Sender<Result<Accepted, InboxError>>),
    Finish(i64, oneshot::Sender<Result<(), InboxError>>),
}

/// The durable inbox. Cheap to clone.
#[derive(Clone)]
pub struct Inbox {
    db: Database,
    keys: Keyring,
    clock: Arc<dyn Clock>,
    ops: mpsc::Sender<Op>,
}

impl Inbox {
    /// Starts the writer task. It stops once every clone of the inbox is dropped.
    pub fn start(db: Database, keys: Keyring, clock: Arc<dyn Clock>) -> Self {
        let (ops, queue) = mpsc::channel(BATCH * 8);
        let writer = Writer {
            db: db.clone(),
            keys: keys.clone(),
            clock: clock.clone(),
        };
        tokio::spawn(writer.run(queue));
        Self {
            db,
            keys,
            clock,
            ops,
        }
    }

    /// Stores a delivery durably (committed when this returns), or recognises it as a repeat.
    pub async fn accept(&self, delivery: NewDelivery) -> Result<Accepted, InboxError> {
        let (done, answer) = oneshot::channel();
        self.ops
            .send(Op::Accept(delivery, done))
            .await
            .map_err(|_| InboxError::Stopped)?;
        answer.await.map_err(|_| InboxError::Stopped)?
    }

    /// Marks a delivery processed and drops its payload (only the key stays, for a day).
    pub async fn finish(&self, id: i64) -> Result<(), InboxError> {
        let (done, answer) = oneshot::channel();
        self.ops
            .send(Op::Finish(id, done))
            .await
            .map_err(|_| InboxError::Stopped)?;
        answer.await.map_err(|_| InboxError::Stopped)?
    }

    /// The channel's unfinished deliveries, oldest first, each counted as one more attempt. Those
    /// that already failed [`MAX_ATTEMPTS`] times are set aside (status `failed`, payload dropped) and
    /// their keys returned in the second list, so an operator can be told without the content.
    pub async fn resume(
        &self,
        channel: &str,
    ) -> Result<(Vec<PendingDelivery>, Vec<String>), InboxError> {
        let txn = self.db.write(LockScope::OwnRow).await?;
        let rows = inbox::Entity::find()
            .filter(inbox::Column::Channel.eq(channel))
            .filter(inbox::Column::Status.eq("pending"))
            .order_by_asc(inbox::Column::Id)
            .all(&*txn)
            .await?;
        let mut pending = Vec::new();
        let mut given_up = Vec::new();
        for row in rows {
            if row.attempts >= MAX_ATTEMPTS {
                set_aside(&*txn, row.id, self.clock.now()).await?;
                given_up.push(row.delivery_key);
                continue;
            }
            pending.push(PendingDelivery {
                id: row.id,
                payload: self.keys.open(PAYLOAD_FIELD, &row.payload)?,
                delivery_key: row.delivery_key,
                kind: row.kind,
                attempts: row.attempts + 1,
            });
        }
        if !pending.is_empty() {
            inbox::Entity::update_many()
                .col_expr(
                    inbox::Column::Attempts,
                    Expr::col(inbox::Column::Attempts).add(1),
                )
                .filter(inbox::Column::Id.is_in(pending.iter().map(|p| p.id)))
                .exec(&*txn)
                .await?;
        }
        txn.commit().await?;
        Ok((pending, given_up))
    }

    /// Claims up to `limit` of the channel's unfinished deliveries, oldest first, for `lease`: a
    /// delivery written by another process (the WhatsApp bridge) is taken by one bot only, and
    /// taken again by any bot once its lease has run out (the bot that held it died). Each claim
    /// counts as an attempt; a delivery claimed more than [`MAX_ATTEMPTS`] times is set aside as in
    /// [`Inbox::resume`] and its key returned in the second list.
    pub async fn claim(
        &self,
        channel: &str,
        limit: u64,
        lease: Duration,
    ) -> Result<(Vec<PendingDelivery>, Vec<String>), InboxError> {
        let now = self.clock.now();
        let txn = self.db.write(LockScope::OwnRow).await?;
        txn.plan_as_queue().await?;
        let backend = self.db.backend();
        let sql = match backend {
            DatabaseBackend::Postgres => {
                "SELECT id FROM inbox WHERE channel = $1 AND status = 'pending' \
                 AND (lease_until IS NULL OR lease_until < $2) \
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED"
            }
            _ => {
                "SELECT id FROM inbox WHERE channel = ?1 AND status = 'pending' \
                 AND (lease_until IS NULL OR lease_until < ?2) ORDER BY id LIMIT ?3"
            }
        };
        let ids: Vec<i64> = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [channel.into(), now.into(), (limit as i64).into()],
            ))
            .await?
            .iter()
            .map(|row| row.try_get::<i64>("", "id"))
            .collect::<Result<_, _>>()?;
        if ids.is_empty() {
            txn.commit().await?;
            return Ok((Vec::new(), Vec::new()));
        }
        let rows = inbox::Entity::find()
            .filter(inbox::Column::Id.is_in(ids))
            .order_by_asc(inbox::Column::Id)
            .all(&*txn)
            .await?;
        let mut pending = Vec::new();
        let mut given_up = Vec::new();
        for row in rows {
            // A row the bridge wrote starts at one attempt before any bot has tried it.
            if row.attempts > MAX_ATTEMPTS {
                set_aside(&*txn, row.id, now).await?;
                given_up.push(row.delivery_key);
                continue;
            }
            pending.push(PendingDelivery {
                id: row.id,
                payload: self.keys.open(PAYLOAD_FIELD, &row.payload)?,
                delivery_key: row.delivery_key,
                kind: row.kind,
                attempts: row.attempts,
            });
        }
        if !pending.is_empty() {
            inbox::Entity::update_many()
                .col_expr(
                    inbox::Column::Attempts,
                    Expr::col(inbox::Column::Attempts).add(1),
                )
                .col_expr(inbox::Column::LeaseUntil, Expr::value(now + lease))
                .filter(inbox::Column::Id.is_in(pending.iter().map(|p| p.id)))
                .exec(&*txn)
                .await?;
        }
        txn.commit().await?;
        Ok((pending, given_up))
    }

    /// Whether the inbox answers (for a readiness check).
    pub async fn ping(&self) -> bool {
        inbox::Entity::find()
            .filter(inbox::Column::Id.eq(0))
            .one(self.db.conn())
            .await
            .is_ok()
    }

    /// Deletes finished rows older than `age` (their keys only guard against late redeliveries).
    pub async fn purge_finished(&self, age: Duration) -> Result<u64, InboxError> {
        let result = inbox::Entity::delete_many()
            .filter(inbox::Column::Status.ne("pending"))
            .filter(inbox::Column::FinishedAt.lt(self.clock.now() - age))
            .exec(self.db.conn())
            .await?;
        Ok(result.rows_affected)
    }
}

struct Writer {
    db: Database,
    keys: Keyring,
    clock: Arc<dyn Clock>,
}

impl Writer {
    async fn run(self, mut queue: mpsc::Receiver<Op>) {
        let mut batch = Vec::with_capacity(BATCH);
        while queue.recv_many(&mut batch, BATCH).await > 0 {
            self.write(std::mem::take(&mut batch)).await;
        }
    }

    /// Writes one batch in one transaction and answers every caller.
    async fn write(&self, batch: Vec<Op>) {
        match self.apply(&batch).await {
            Ok(outcomes) => {
                for (op, outcome) in batch.into_iter().zip(outcomes) {
                    match op {
                        Op::Accept(_, done) => {
                            let _ = done.send(Ok(outcome.unwrap_or(Accepted::Repeat)));
                        }
                        Op::Finish(_, done) => {
                            let _ = done.send(Ok(()));
                        }
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, rows = batch.len(), "inbox write failed");
                let text = error.to_string();
                for op in batch {
                    let failed = || InboxError::Database(DbErr::Custom(text.clone()));
                    match op {
                        Op::Accept(_, done) => {
                            let _ = done.send(Err(failed()));
                        }
                        Op::Finish(_, done) => {
                            let _ = done.send(Err(failed()));
                        }
                    }
                }
            }
        }
    }

    /// The outcome of each accept (`None` for a finish), in batch order.
    ///
    /// Each kind of op is one statement for the whole batch: one multi-row insert for the accepts,
    /// one update for the finishes. A batch with only one kind (the usual case when the channel is
    /// not flooded) runs it as a statement of its own, with no `BEGIN`/`COMMIT` around it. A
    /// single statement is atomic and durable by itself, and on SQLite each statement is a
    /// round trip to the connection's thread, so this is a third of the hand-offs. Only this task
    /// writes accepts and finishes, so nothing needs the write gate's ordering.
    async fn apply(&self, batch: &[Op]) -> Result<Vec<Option<Accepted>>, InboxError> {
        let now = self.clock.now();
        let mut seen = HashSet::new();
        let mut rows = Vec::new();
        let mut finished = Vec::new();
        for op in batch {
            match op {
                Op::Accept(delivery, _) => {
                    if seen.insert(delivery.delivery_key.as_str()) {
                        rows.push(inbox::ActiveModel {
                            channel: Set(delivery.channel.clone()),
                            delivery_key: Set(delivery.delivery_key.clone()),
                            kind: Set(delivery.kind.clone()),
                            payload: Set(self.keys.seal(PAYLOAD_FIELD, &delivery.payload)),
                            status: Set("pending".into()),
                            attempts: Set(1),
                            received_at: Set(now),
                            ..Default::default()
                        });
                    }
                }
                Op::Finish(id, _) => finished.push(*id),
            }
        }
        let stored = match (rows.is_empty(), finished.is_empty()) {
            (true, true) => HashMap::new(),
            (false, true) => insert_new(self.db.conn(), rows).await?,
            (true, false) => {
                mark_finished(self.db.conn(), finished, now).await?;
                HashMap::new()
            }
            (false, false) => {
                let txn = self.db.write(LockScope::OwnRow).await?;
                let stored = insert_new(&*txn, rows).await?;
                mark_finished(&*txn, finished, now).await?;
                txn.commit().await?;
                stored
            }
        };
        // The first accept of a key gets the row it inserted; a key already stored (a
        // redelivery) or repeated within the batch is a repeat.
        let mut answered = HashSet::new();
        Ok(batch
            .iter()
            .map(|op| match op {
                Op::Accept(delivery, _) => Some(match stored.get(&delivery.delivery_key) {
                    Some(&id) if answered.insert(delivery.delivery_key.as_str()) => {
                        Accepted::New(id)
                    }
                    _ => Accepted::Repeat,
                }),
                Op::Finish(..) => None,
            })
            .collect())
    }
}

/// Sets a delivery that failed too often aside: `failed`, its payload dropped, its key kept.
async fn set_aside<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    inbox::Entity::update_many()
        .col_expr(inbox::Column::Status, Expr::value("failed"))
        .col_expr(inbox::Column::Payload, Expr::value(""))
        .col_expr(inbox::Column::FinishedAt, Expr::value(now))
        .filter(inbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Inserts the rows whose delivery key is new; returns the id of each row inserted, by key.
async fn insert_new<C: ConnectionTrait>(
    db: &C,
    rows: Vec<inbox::ActiveModel>,
) -> Result<HashMap<String, i64>, DbErr> {
    let inserted = inbox::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([inbox::Column::DeliveryKey])
        .exec_with_returning_many(db)
        .await?;
    Ok(match inserted {
        TryInsertResult::Inserted(models) => models
            .into_iter()
            .map(|row| (row.delivery_key, row.id))
            .collect(),
        TryInsertResult::Conflicted | TryInsertResult::Empty => HashMap::new(),
    })
}

/// Marks deliveries processed and drops their payloads.
async fn mark_finished<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    inbox::Entity::update_many()
        .col_expr(inbox::Column::Status, Expr::value("done"))
        .col_expr(inbox::Column::Payload, Expr::value(""))
        .col_expr(inbox::Column::FinishedAt, Expr::value(now))
        .filter(inbox::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}
