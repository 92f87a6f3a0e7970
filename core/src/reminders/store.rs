//! The `reminders` table: planned rows in (once each: the unique key is kind, subject and due
//! instant), due rows claimed with a lease, and what became of each.
//!
//! Claiming copies the outbox's pattern ([`crate::outbox`]): on PostgreSQL `FOR UPDATE SKIP
//! LOCKED`, so two bots on one database take disjoint rows; on SQLite the single writer's
//! transaction does the same. A lease that runs out (a bot died mid-send) lets another bot take the
//! row again.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use entity::reminder;
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Statement,
};

use super::planner::{Planned, ReminderKind};
use crate::clock::Clock;
use crate::crypto::Keyring;
use crate::db::{Database, LockScope, WriteTxn};

/// Sealing context of the skip reason.
pub(crate) const SKIP_REASON_FIELD: &str = "reminders.skip_reason";

/// Where a reminder stands (`reminders.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Due (or not yet): waits for a scheduler to claim it.
    Planned,
    /// Delivered; a dose reminder waits for *Given* or *Skip*.
    Sent,
    Given,
    Skipped,
    /// Not sent in time (the bot was down past the grace window).
    Missed,
    /// No longer wanted when due (the medication stopped, the appointment was removed).
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Sent => "sent",
            Status::Given => "given",
            Status::Skipped => "skipped",
            Status::Missed => "missed",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn parse(stored: &str) -> Option<Self> {
        [
            Status::Planned,
            Status::Sent,
            Status::Given,
            Status::Skipped,
            Status::Missed,
            Status::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == stored)
    }
}

/// A reminder row as the scheduler works with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub id: i64,
    pub family_id: i64,
    pub child_id: Option<i64>,
    pub kind: ReminderKind,
    pub subject: String,
    pub due_at: DateTime<Utc>,
    pub status: Status,
    pub sent_at: Option<DateTime<Utc>>,
    /// Who it was sent to (member ids).
    pub sent_to: Vec<i64>,
    pub escalated_at: Option<DateTime<Utc>>,
}

impl Reminder {
    /// A row's reading; `None` for a kind or status this build does not know (a newer bot's row).
    pub fn from_row(row: reminder::Model) -> Option<Self> {
        Some(Self {
            id: row.id,
            family_id: row.family_id,
            child_id: row.child_id,
            kind: ReminderKind::parse(&row.kind)?,
            subject: row.subject,
            due_at: row.due_at,
            status: Status::parse(&row.status)?,
            sent_at: row.sent_at,
            sent_to: parse_members(row.sent_to.as_deref()),
            escalated_at: row.escalated_at,
        })
    }
}

pub(crate) fn parse_members(text: Option<&str>) -> Vec<i64> {
    text.unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect()
}

fn members_text(members: &[i64]) -> String {
    members
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A reminder delivered to members `to`, to be recorded with [`ReminderStore::sent_in`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReminder {
    pub id: i64,
    pub to: Vec<i64>,
    /// A dose reminder waits for *Given* or *Skip* (and is escalated without one).
    pub awaits_answer: bool,
}

/// The reminders table. Cheap to clone.
#[derive(Clone)]
pub struct ReminderStore {
    db: Database,
    #[allow(dead_code)]
    keys: Keyring,
    clock: Arc<dyn Clock>,
}

impl ReminderStore {
    pub fn new(db: Database, keys: Keyring, clock: Arc<dyn Clock>) -> Self {
        Self { db, keys, clock }
    }

    /// Inserts planned reminders not already there (as planned: a round then sends each, closes
    /// it as given when a dose answered it, or records it missed past the grace window). Returns how
    /// many were new.
    pub async fn insert(&self, planned: &[(i64, Planned)]) -> Result<usize, DbErr> {
        if planned.is_empty() {
            return Ok(0);
        }
        let now = self.clock.now();
        let mut inserted = 0;
        // One transaction (one commit, not one per chunk), a chunk per statement: SQLite and
        // PostgreSQL cap a statement's parameters.
        let txn = self.db.write(LockScope::OwnRow).await?;
        if self.db.backend() == DatabaseBackend::Postgres {
            // On PostgreSQL the rows go as one JSON parameter per 10,000: binding nine
            // parameters a row, 500 rows a statement, took 12.7 s for 100,000 reminders where the
            // server's own work is under 2 s (docs/benchmarks.md).
            for chunk in planned.chunks(10_000) {
                let rows: Vec<serde_json::Value> = chunk
                    .iter()
                    .map(|(family_id, p)| {
                        serde_json::json!({
                            "family_id": family_id,
                            "child_id": p.child_id,
                            "kind": p.kind.as_str(),
                            "subject": p.subject,
                            "due_at": p.due_at,
                        })
                    })
                    .collect();
                let rows = serde_json::Value::Array(rows).to_string();
                let done = txn
                    .execute_raw(Statement::from_sql_and_values(
                        DatabaseBackend::Postgres,
                        "INSERT INTO reminders (family_id, child_id, kind, subject, due_at, \
                         status, attempts, created_at, updated_at) \
                         SELECT r.family_id, r.child_id, r.kind, r.subject, r.due_at, $2, 0, $3, $3 \
                         FROM json_to_recordset($1::json) AS r(family_id bigint, \
                         child_id bigint, kind text, subject text, due_at timestamptz) \
                         ON CONFLICT (kind, subject, due_at) DO NOTHING",
                        [
                            rows.into(),
                            Status::Planned.as_str().into(),
                            now.into(),
                        ],
                    ))
                    .await?;
                inserted += done.rows_affected() as usize;
            }
            txn.commit().await?;
            return Ok(inserted);
        }
        for chunk in planned.chunks(500) {
            let rows = chunk.iter().map(|(family_id, p)| reminder::ActiveModel {
                family_id: Set(*family_id),
                child_id: Set(p.child_id),
                kind: Set(p.kind.as_str().into()),
                subject: Set(p.subject.clone()),
                due_at: Set(p.due_at),
                status: Set(Status::Planned.as_str().into()),
                attempts: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
            let result = reminder::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        reminder::Column::Kind,
                        reminder::Column::Subject,
                        reminder::Column::DueAt,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&*txn)
                .await;
            inserted += match result {
                Ok(n) => n as usize,
                Err(DbErr::RecordNotInserted) => 0,
                Err(error) => return Err(error),
            };
        }
        txn.commit().await?;
        Ok(inserted)
    }

    /// Claims up to `limit` planned reminders due now, leased for `lease`.
    pub async fn claim_due(&self, limit: u64, lease: Duration) -> Result<Vec<Reminder>, DbErr> {
        self.claim("status = 'planned' AND due_at <= {now}", limit, lease, None)
            .await
    }

    /// Claims up to `limit` dose reminders sent at or before `now - after`, neither answered nor
    /// escalated yet: to be escalated to the guardians.
    pub async fn claim_unanswered(
        &self,
        after: Duration,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<Reminder>, DbErr> {
        self.claim(
            "status = 'sent' AND kind = 'dose' AND escalated_at IS NULL AND sent_at <= {before}",
            limit,
            lease,
            Some(self.clock.now() - after),
        )
        .await
    }

    async fn claim(
        &self,
        condition: &str,
        limit: u64,
        lease: Duration,
        before: Option<DateTime<Utc>>,
    ) -> Result<Vec<Reminder>, DbErr> {
        let now = self.clock.now();
        let txn = self.db.write(LockScope::OwnRow).await?;
        txn.plan_as_queue().await?;
        let backend = self.db.backend();
        let (p_now, p_limit, p_before, tail) = match backend {
            DatabaseBackend::Postgres => ("$1", "$2", "$3", " FOR UPDATE SKIP LOCKED"),
            _ => ("?1", "?2", "?3", ""),
        };
        let condition = condition
            .replace("{now}", p_now)
            .replace("{before}", p_before);
        let sql = format!(
            "SELECT id FROM reminders WHERE {condition} \
             AND (lease_until IS NULL OR lease_until < {p_now}) \
             ORDER BY due_at, id LIMIT {p_limit}{tail}"
        );
        let mut values: Vec<sea_orm::Value> = vec![now.into(), (limit as i64).into()];
        if let Some(before) = before {
            values.push(before.into());
        }
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|row| row.try_get::<i64>("", "id"))
            .collect::<Result<_, _>>()?;
        if ids.is_empty() {
            txn.commit().await?;
            return Ok(Vec::new());
        }
        reminder::Entity::update_many()
            .col_expr(reminder::Column::LeaseUntil, Expr::value(now + lease))
            .col_expr(
                reminder::Column::Attempts,
                Expr::col(reminder::Column::Attempts).add(1),
            )
            .col_expr(reminder::Column::UpdatedAt, Expr::value(now))
            .filter(reminder::Column::Id.is_in(ids.iter().copied()))
            .exec(&*txn)
            .await?;
        let claimed = reminder::Entity::find()
            .filter(reminder::Column::Id.is_in(ids))
            .order_by_asc(reminder::Column::DueAt)
            .order_by_asc(reminder::Column::Id)
            .all(&*txn)
            .await?;
        txn.commit().await?;
        Ok(claimed.into_iter().filter_map(Reminder::from_row).collect())
    }

    /// Delivered, many at once inside the caller's transaction (with the WhatsApp messages they
    /// became, so both are kept or neither). A reminder that awaits no answer is over once sent.
    ///
    /// One `UPDATE` for up to 500 reminders, whoever each was sent to (`sent_to` is a `CASE` on
    /// the id), and one more for those that await no answer: on PostgreSQL a statement per family
    /// was most of what the scheduler still sent to the server (docs/benchmarks.md).
    pub async fn sent_in(&self, txn: &WriteTxn, sent: &[SentReminder]) -> Result<(), DbErr> {
        let now = self.clock.now();
        for chunk in sent.chunks(500) {
            let mut sent_to = CaseStatement::new();
            for reminder in chunk {
                sent_to = sent_to.case(
                    reminder::Column::Id.eq(reminder.id),
                    Expr::value(members_text(&reminder.to)),
                );
            }
            reminder::Entity::update_many()
                .col_expr(
                    reminder::Column::LeaseUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(reminder::Column::UpdatedAt, Expr::value(now))
                .col_expr(reminder::Column::Status, Expr::value(Status::Sent.as_str()))
                .col_expr(reminder::Column::SentAt, Expr::value(now))
                .col_expr(reminder::Column::SentTo, sent_to.into())
                .filter(reminder::Column::Id.is_in(chunk.iter().map(|r| r.id)))
                .exec(&**txn)
                .await?;
            let over: Vec<i64> = chunk
                .iter()
                .filter(|r| !r.awaits_answer)
                .map(|r| r.id)
                .collect();
            if !over.is_empty() {
                reminder::Entity::update_many()
                    .col_expr(reminder::Column::ResolvedAt, Expr::value(now))
                    .filter(reminder::Column::Id.is_in(over))
                    .exec(&**txn)
                    .await?;
            }
        }
        Ok(())
    }

    /// Escalated to the guardians `to` (once: the row is not claimed for escalation again).
    pub async fn escalated(&self, id: i64, to: &[i64], previous: &[i64]) -> Result<(), DbErr> {
        let now = self.clock.now();
        let mut everyone = previous.to_vec();
        everyone.extend(to.iter().filter(|m| !previous.contains(m)));
        self.update(
            id,
            vec![
                (reminder::Column::EscalatedAt, Expr::value(now)),
                (
                    reminder::Column::SentTo,
                    Expr::value(members_text(&everyone)),
                ),
            ],
        )
        .await
    }

    /// Nobody can be sent it now (everyone responsible is in quiet hours): it stays planned and is
    /// not claimed again before `retry_after` (a later round tries again).
    pub async fn held(&self, id: i64, retry_after: Duration) -> Result<(), DbErr> {
        let now = self.clock.now();
        reminder::Entity::update_many()
            .col_expr(reminder::Column::LeaseUntil, Expr::value(now + retry_after))
            .col_expr(reminder::Column::UpdatedAt, Expr::value(now))
            .filter(reminder::Column::Id.eq(id))
            .exec(self.db.conn())
            .await?;
        Ok(())
    }

    /// The reminder is over: given (a dose was logged), missed or cancelled.
    pub async fn finish(&self, id: i64, status: Status, by: Option<i64>) -> Result<(), DbErr> {
        let now = self.clock.now();
        self.update(
            id,
            vec![
                (reminder::Column::Status, Expr::value(status.as_str())),
                (reminder::Column::ResolvedAt, Expr::value(now)),
                (reminder::Column::ResolvedByMemberId, Expr::value(by)),
            ],
        )
        .await
    }

    /// Sets columns and releases the lease.
    async fn update(
        &self,
        id: i64,
        columns: Vec<(reminder::Column, sea_orm::sea_query::SimpleExpr)>,
    ) -> Result<(), DbErr> {
        let now = self.clock.now();
        let mut update = reminder::Entity::update_many()
            .col_expr(
                reminder::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(reminder::Column::UpdatedAt, Expr::value(now))
            .filter(reminder::Column::Id.eq(id));
        for (column, value) in columns {
            update = update.col_expr(column, value);
        }
        update.exec(self.db.conn()).await?;
        Ok(())
    }

    /// Every reminder of a family due in `[from, to)`, oldest first (the daily summary's misses).
    pub async fn due_between(
        &self,
        family_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Reminder>, DbErr> {
        Ok(reminder::Entity::find()
            .filter(reminder::Column::FamilyId.eq(family_id))
            .filter(reminder::Column::DueAt.gte(from))
            .filter(reminder::Column::DueAt.lt(to))
            .order_by_asc(reminder::Column::DueAt)
            .all(self.db.conn())
            .await?
            .into_iter()
            .filter_map(Reminder::from_row)
            .collect())
    }

    pub async fn get(&self, id: i64) -> Result<Option<Reminder>, DbErr> {
        Ok(reminder::Entity::find_by_id(id)
            .one(self.db.conn())
            .await?
            .and_then(Reminder::from_row))
    }
}
