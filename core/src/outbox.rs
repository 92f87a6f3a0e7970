//! The channels' outbox: messages to send on WhatsApp, written by the bot (replies, alerts) or by a
//! service (an invite by phone, in the same transaction as the invite), and sent by the bridge.
//!
//! A row is queued once: its `dedupe_key` names what it answers or announces (`whatsapp:SM…:0`), so
//! a turn processed again after a crash finds its replies already queued. The bridge claims rows
//! with a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`), one recipient's oldest first and never two
//! of theirs at once, so two bridges on one database neither send a row twice nor reorder a
//! person's messages. The content is sealed at rest: replies carry health data.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use entity::outbox;
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
    pub async fn claim(&self, limit: u64, lease: Duration) -> Result<Vec<Outgoing>, OutboxError> {
        let now = self.clock.now();
        let txn = self.db.write(LockScope::OwnRow).await?;
        txn.plan_for_current_sizes().await?;
        let backend = self.db.backend();
        let sql = match backend {
            DatabaseBackend::Postgres => {
                "SELECT o.id FROM outbox o WHERE o.status = 'queued' AND o.next_attempt_at <= $1 \
                 AND (o.lease_until IS NULL OR o.lease_until < $1) \
                 AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.recipient = o.recipient \
                 AND e.status = 'queued' AND e.id < o.id) \
                 ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED"
            }
            _ => {
                "SELECT o.id FROM outbox o WHERE o.status = 'queued' AND o.next_attempt_at <= ?1 \
                 AND (o.lease_until IS NULL OR o.lease_until < ?1) \
                 AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.recipient = o.recipient \
                 AND e.status = 'queued' AND e.id < o.id) \
                 ORDER BY o.id LIMIT ?2"
            }
        };
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [now.into(), (limit as i64).into()],
            ))
            .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|row| row.try_get::<i64>("", "id"))
            .collect::<Result<_, _>>()?;
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
        self.sent_many(&[(id, provider_sid.to_string())]).await
    }

    /// The provider accepted these messages (id, provider id): one statement for up to 500 of
    /// them. The sender records a claimed batch's sends together; one commit per message was
    /// most of what it asked of PostgreSQL (docs/benchmarks.md).
    pub async fn sent_many(&self, accepted: &[(i64, String)]) -> Result<(), OutboxError> {
        let now = self.clock.now();
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
        }
        Ok(())
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
        let Some(row) = outbox::Entity::find()
            .filter(outbox::Column::ProviderSid.eq(provider_sid))
            .one(self.db.conn())
            .await?
        else {
            return Ok(None);
        };
        let status = match (status, code) {
            (_, Some(63016)) => "undeliverable",
            ("failed" | "undelivered", _) => "failed",
            ("delivered", _) => "delivered",
            ("read", _) => "read",
            _ => row.status.as_str(),
        }
        .to_string();
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
