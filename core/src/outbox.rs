//! The channels' outbox: messages to send on WhatsApp, written by the bot (replies, alerts) or by a
//! service (an invite by phone, in the same transaction as the invite), and sent by the bridge.
//!
//! A row is queued once: its `dedupe_key` names what it answers or announces (`whatsapp:SM…:0`), so
//! a turn processed again after a crash finds its replies already queued. The bridge claims rows
//! with a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`), one recipient's oldest first and never two
//! of theirs at once, so two bridges on one database neither send a row twice nor reorder a
//! person's messages. The content is sealed at rest: replies carry health data.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use entity::{outbox, outbox_early_status};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Statement, TryInsertResult,
};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::crypto::{CryptoError, Keyring};
use crate::db::{Database, LockScope};

/// Sealing context of the content column.
const CONTENT_FIELD: &str = "outbox.content";
/// Queued rows a claim reads from the head of the queue per message it wants (see
/// [`Outbox::claim`]): room for a dozen messages queued per recipient.
const HEAD_PER_CLAIM: u64 = 32;

/// A queued row at the head of the queue: id, recipient, when it may go, its lease.
type HeadRow = (i64, String, DateTime<Utc>, Option<DateTime<Utc>>);
/// Sends tried before a message is given up as failed (429s and 5xx, with backoff between).
pub const MAX_ATTEMPTS: i32 = 8;
/// The WhatsApp channel's name in `outbox.channel`.
pub const WHATSAPP: &str = "whatsapp";

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("unreadable outbox content: {0}")]
    Content(#[from] serde_json::Error),
}

/// Which pre-approved template a message outside WhatsApp's 24-hour window uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    Invite,
    Alert,
    Reminder,
    Link,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Free text (inside the 24-hour window).
    Text { body: String },
    /// A template and its variables (`{"1": "Emma"}`), with the same words as text for when no
    /// template of that kind is configured (Twilio's sandbox, a number inside its window).
    Template {
        kind: TemplateKind,
        variables: BTreeMap<String, String>,
        fallback: String,
    },
}

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// E.164.
    pub recipient: String,
    pub person_id: Option<i64>,
    pub content: Content,
    pub dedupe_key: String,
}

/// Queues messages in the caller's connection or transaction; a message whose key is already
/// queued is skipped. Returns how many were new.
pub async fn queue<C: ConnectionTrait>(
    conn: &C,
    keys: &Keyring,
    now: DateTime<Utc>,
    messages: &[NewMessage],
) -> Result<usize, OutboxError> {
    if messages.is_empty() {
        return Ok(0);
    }
    let mut rows = Vec::with_capacity(messages.len());
    for message in messages {
        rows.push(outbox::ActiveModel {
            channel: Set(WHATSAPP.into()),
            recipient: Set(message.recipient.clone()),
            person_id: Set(message.person_id),
            content: Set(keys.seal(CONTENT_FIELD, &serde_json::to_string(&message.content)?)),
            dedupe_key: Set(message.dedupe_key.clone()),
            status: Set("queued".into()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    let inserted = outbox::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
        .exec_with_returning_many(conn)
        .await?;
    Ok(match inserted {
        TryInsertResult::Inserted(models) => models.len(),
        TryInsertResult::Conflicted | TryInsertResult::Empty => 0,
    })
}

/// A claimed message, to send now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub recipient: String,
    pub person_id: Option<i64>,
    pub content: Content,
    /// Sends tried, this one included.
    pub attempts: i32,
}

/// What a status callback changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub id: i64,
    pub recipient: String,
    pub person_id: Option<i64>,
    pub status: String,
}

/// The sending side of the outbox (the bridge). Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    db: Database,
    keys: Keyring,
    clock: Arc<dyn Clock>,
}

impl Outbox {
    pub fn new(db: Database, keys: Keyring, clock: Arc<dyn Clock>) -> Self {
        Self { db, keys, clock }
    }

    /// Claims up to `limit` messages due now, each the oldest still queued for its recipient,
    /// leased for `lease` (if the sender dies, another takes it after that).
    ///
    /// It reads the head of the queue, up to `limit × HEAD_PER_CLAIM` queued rows in id order:
    /// the first time a recipient appears there is their oldest queued message, so the head alone
    /// says whose turn it is. Asking the database for every recipient's oldest over the whole queue read and
    /// anti-joined every queued row on each claim (122 ms a claim with 25,000 queued on
    /// PostgreSQL; docs/benchmarks.md); that is kept for when the head holds too little that may
    /// go now (one recipient's backlog, retries not due yet).
    pub async fn claim(&self, limit: u64, lease: Duration) -> Result<Vec<Outgoing>, OutboxError> {
        let now = self.clock.now();
        let txn = self.db.write(LockScope::OwnRow).await?;
        txn.plan_as_queue().await?;
        let backend = self.db.backend();
        let head_len = limit.saturating_mul(HEAD_PER_CLAIM);
        let head_sql = match backend {
            DatabaseBackend::Postgres => {
                "SELECT id, recipient, next_attempt_at, lease_until FROM outbox \
                 WHERE status = 'queued' AND id > $2 ORDER BY id LIMIT $1"
            }
            _ => {
                "SELECT id, recipient, next_attempt_at, lease_until FROM outbox \
                 WHERE status = 'queued' AND id > ?2 ORDER BY id LIMIT ?1"
            }
        };
        // The head is read a page at a time, each four times the last: when every recipient has
        // one message waiting (a burst of reminders), the first page of `2 × limit` rows is
        // enough, where reading the whole head each claim was most of the bridge's queries' time.
        let mut turn_taken: HashSet<String> = HashSet::new();
        let mut chosen = Vec::new();
        let (mut read, mut after, mut page) = (0u64, 0i64, limit.saturating_mul(2));
        let head_full = loop {
            let asked = Ord::min(page, head_len - read);
            let rows: Vec<HeadRow> = txn
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    head_sql,
                    [(asked as i64).into(), after.into()],
                ))
                .await?
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get("", "id")?,
                        row.try_get("", "recipient")?,
                        row.try_get("", "next_attempt_at")?,
                        row.try_get("", "lease_until")?,
                    ))
                })
                .collect::<Result<_, DbErr>>()?;
            read += rows.len() as u64;
            for (id, recipient, next_attempt_at, lease_until) in rows.iter() {
                after = *id;
                if chosen.len() as u64 >= limit {
                    break;
                }
                // Only a recipient's first row here is theirs to send: the rest wait behind it.
                if turn_taken.insert(recipient.clone())
                    && *next_attempt_at <= now
                    && lease_until.is_none_or(|until| until < now)
                {
                    chosen.push(*id);
                }
            }
            if chosen.len() as u64 >= limit || (rows.len() as u64) < asked {
                break false;
            }
            if read >= head_len {
                break true;
            }
            page = page.saturating_mul(4);
        };
        let (sql, values): (String, Vec<sea_orm::Value>) =
            if (chosen.len() as u64) < limit && head_full {
                let sql = match backend {
                    DatabaseBackend::Postgres => {
                        "SELECT o.id FROM outbox o WHERE o.status = 'queued' \
                         AND o.next_attempt_at <= $1 \
                         AND (o.lease_until IS NULL OR o.lease_until < $1) \
                         AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.recipient = o.recipient \
                         AND e.status = 'queued' AND e.id < o.id) \
                         ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED"
                    }
                    _ => {
                        "SELECT o.id FROM outbox o WHERE o.status = 'queued' \
                         AND o.next_attempt_at <= ?1 \
                         AND (o.lease_until IS NULL OR o.lease_until < ?1) \
                         AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.recipient = o.recipient \
                         AND e.status = 'queued' AND e.id < o.id) \
                         ORDER BY o.id LIMIT ?2"
                    }
                };
                (sql.to_string(), vec![now.into(), (limit as i64).into()])
            } else if backend == DatabaseBackend::Postgres && !chosen.is_empty() {
                // Locked, and checked again: another bridge may have claimed one of them since
                // the head was read (its lease is then set), or be claiming it now (skipped).
                let list = chosen
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                let sql = format!(
                    "SELECT id FROM outbox WHERE id IN ({list}) AND status = 'queued' \
                     AND (lease_until IS NULL OR lease_until < $1) \
                     ORDER BY id FOR UPDATE SKIP LOCKED"
                );
                (sql, vec![now.into()])
            } else {
                // SQLite: the head was read inside this write transaction, and nobody else
                // writes until it ends.
                (String::new(), Vec::new())
            };
        let ids: Vec<i64> = if sql.is_empty() {
            chosen
        } else {
            txn.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?
                .iter()
                .map(|row| row.try_get::<i64>("", "id"))
                .collect::<Result<_, _>>()?
        };
        if ids.is_empty() {
            txn.commit().await?;
            return Ok(Vec::new());
        }
        outbox::Entity::update_many()
            .col_expr(outbox::Column::LeaseUntil, Expr::value(now + lease))
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .col_expr(outbox::Column::UpdatedAt, Expr::value(now))
            .filter(outbox::Column::Id.is_in(ids.iter().copied()))
            .exec(&*txn)
            .await?;
        let claimed = outbox::Entity::find()
            .filter(outbox::Column::Id.is_in(ids))
            .order_by_asc(outbox::Column::Id)
            .all(&*txn)
            .await?;
        txn.commit().await?;
        claimed
            .into_iter()
            .map(|row| {
                Ok(Outgoing {
                    id: row.id,
                    content: serde_json::from_str(&self.keys.open(CONTENT_FIELD, &row.content)?)?,
                    recipient: row.recipient,
                    person_id: row.person_id,
                    attempts: row.attempts,
                })
            })
            .collect()
    }

    /// The provider accepted the message.
    pub async fn sent(&self, id: i64, provider_sid: &str) -> Result<(), OutboxError> {
        self.sent_many(&[(id, provider_sid.to_string())])
            .await
            .map(drop)
    }

    /// The provider accepted these messages (id, provider id): one statement for up to 500 of
    /// them. The sender records a claimed batch's sends together; one commit per message was
    /// most of what it asked of PostgreSQL (docs/benchmarks.md). Status callbacks that came
    /// before this record ([`Outbox::delivery_status`] kept them) are applied now, and what they
    /// changed is returned (an undeliverable message is the sender's to report).
    pub async fn sent_many(
        &self,
        accepted: &[(i64, String)],
    ) -> Result<Vec<StatusChange>, OutboxError> {
        let now = self.clock.now();
        let mut changes = Vec::new();
        for chunk in accepted.chunks(500) {
            let mut provider_sid = CaseStatement::new();
            for (id, sid) in chunk {
                provider_sid = provider_sid.case(outbox::Column::Id.eq(*id), Expr::value(sid));
            }
            outbox::Entity::update_many()
                .col_expr(
                    outbox::Column::LeaseUntil,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .col_expr(outbox::Column::UpdatedAt, Expr::value(now))
                .col_expr(outbox::Column::Status, Expr::value("sent"))
                .col_expr(outbox::Column::ProviderSid, provider_sid.into())
                .col_expr(outbox::Column::SentAt, Expr::value(now))
                .filter(outbox::Column::Id.is_in(chunk.iter().map(|(id, _)| *id)))
                .exec(self.db.conn())
                .await?;
            let early = outbox_early_status::Entity::find()
                .filter(
                    outbox_early_status::Column::ProviderSid
                        .is_in(chunk.iter().map(|(_, sid)| sid.clone())),
                )
                .all(self.db.conn())
                .await?;
            for status in early {
                if let Some(change) = self
                    .delivery_status(&status.provider_sid, &status.status, status.error_code)
                    .await?
                {
                    changes.push(change);
                }
                outbox_early_status::Entity::delete_by_id(status.provider_sid)
                    .exec(self.db.conn())
                    .await?;
            }
        }
        Ok(changes)
    }

    /// A passing failure (429, 5xx, the network): tried again after `after`, still ahead of the
    /// recipient's later messages; given up as failed after [`MAX_ATTEMPTS`]. True when it will be
    /// tried again.
    pub async fn retry_later(
        &self,
        message: &Outgoing,
        after: Duration,
        code: Option<i32>,
    ) -> Result<bool, OutboxError> {
        if message.attempts >= MAX_ATTEMPTS {
            self.give_up(message.id, "failed", code).await?;
            return Ok(false);
        }
        let at = self.clock.now() + after;
        self.update(
            message.id,
            [
                (outbox::Column::NextAttemptAt, Expr::value(at)),
                (outbox::Column::ErrorCode, Expr::value(code)),
            ],
        )
        .await?;
        Ok(true)
    }

    /// A permanent failure: `failed` (a bad number, unsubscribed) or `undeliverable` (outside
    /// WhatsApp's 24-hour window). Never tried again.
    pub async fn give_up(
        &self,
        id: i64,
        status: &str,
        code: Option<i32>,
    ) -> Result<(), OutboxError> {
        self.update(
            id,
            [
                (outbox::Column::Status, Expr::value(status)),
                (outbox::Column::ErrorCode, Expr::value(code)),
            ],
        )
        .await
    }

    /// A status callback: the message's delivery state (`delivered`, `read`, `failed`,
    /// `undelivered` …). A later state never goes back to an earlier one (callbacks can arrive out
    /// of order). `None` when no message has that provider id.
    pub async fn delivery_status(
        &self,
        provider_sid: &str,
        status: &str,
        code: Option<i32>,
    ) -> Result<Option<StatusChange>, OutboxError> {
        let find = || {
            outbox::Entity::find()
                .filter(outbox::Column::ProviderSid.eq(provider_sid))
                .one(self.db.conn())
        };
        let row = match find().await? {
            Some(row) => row,
            None => {
                // Sooner than the sender recorded the send: kept for [`Outbox::sent_many`]. Looked
                // for once more after keeping it, in case the record came in between (then it is
                // applied here; applying twice changes nothing).
                self.keep_early(provider_sid, status, code).await?;
                match find().await? {
                    Some(row) => row,
                    None => return Ok(None),
                }
            }
        };
        let status = ours(status, code, &row.status).to_string();
        if rank(&status) > rank(&row.status) {
            let now = self.clock.now();
            outbox::Entity::update_many()
                .col_expr(outbox::Column::Status, Expr::value(status.clone()))
                .col_expr(outbox::Column::ErrorCode, Expr::value(code))
                .col_expr(outbox::Column::UpdatedAt, Expr::value(now))
                .filter(outbox::Column::Id.eq(row.id))
                .exec(self.db.conn())
                .await?;
        }
        Ok(Some(StatusChange {
            id: row.id,
            recipient: row.recipient,
            person_id: row.person_id,
            status,
        }))
    }

    /// Keeps a status for a message whose send is not recorded yet (the furthest one, if several
    /// come), and forgets those kept over a day ago: a message never recorded (the sender died
    /// after sending) is claimed and sent again under a new id.
    async fn keep_early(
        &self,
        provider_sid: &str,
        status: &str,
        code: Option<i32>,
    ) -> Result<(), OutboxError> {
        let now = self.clock.now();
        let conn = self.db.conn();
        outbox_early_status::Entity::delete_many()
            .filter(outbox_early_status::Column::ReceivedAt.lt(now - Duration::days(1)))
            .exec(conn)
            .await?;
        let rank_of = |status: &str, code: Option<i32>| rank(ours(status, code, "sent"));
        if let Some(kept) = outbox_early_status::Entity::find_by_id(provider_sid.to_string())
            .one(conn)
            .await?
        {
            if rank_of(&kept.status, kept.error_code) >= rank_of(status, code) {
                return Ok(());
            }
            outbox_early_status::Entity::delete_by_id(provider_sid.to_string())
                .exec(conn)
                .await?;
        }
        outbox_early_status::Entity::insert(outbox_early_status::ActiveModel {
            provider_sid: Set(provider_sid.to_string()),
            status: Set(status.to_string()),
            error_code: Set(code),
            received_at: Set(now),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(outbox_early_status::Column::ProviderSid)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
        Ok(())
    }

    async fn update<const N: usize>(
        &self,
        id: i64,
        changes: [(outbox::Column, Expr); N],
    ) -> Result<(), OutboxError> {
        let mut update = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::LeaseUntil,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(outbox::Column::UpdatedAt, Expr::value(self.clock.now()));
        for (column, value) in changes {
            update = update.col_expr(column, value);
        }
        update
            .filter(outbox::Column::Id.eq(id))
            .exec(self.db.conn())
            .await?;
        Ok(())
    }
}

/// How far along a message is; a status callback only moves it forward.
/// A Twilio status (and error code) as the outbox's status; `current` when it says nothing new
/// (`queued`, `sending`, `sent`).
fn ours<'a>(status: &'a str, code: Option<i32>, current: &'a str) -> &'a str {
    match (status, code) {
        (_, Some(63016)) => "undeliverable",
        ("failed" | "undelivered", _) => "failed",
        ("delivered", _) => "delivered",
        ("read", _) => "read",
        _ => current,
    }
}

fn rank(status: &str) -> u8 {
    match status {
        "queued" => 0,
        "sent" => 1,
        "delivered" => 2,
        "read" => 3,
        // Failures are final whatever came before.
        _ => 4,
    }
}
