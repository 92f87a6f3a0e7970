//! The audit trail: append-only, one SHA-256 hash chain per family (and one `system` chain).
//!
//! Every read and write of health data, every denied call and every admin command appends an event
//! inside the same transaction as the work it records, so an event exists exactly when the work
//! happened. Events hold pseudonymous ids only (`member:12`, `child:3`), never names or health values,
//! so they can outlive an erasure. `verify` recomputes every chain and reports the first broken link.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::audit_event;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};
use sha2::{Digest, Sha256};

use crate::domain::Channel;

/// Hash of the (absent) event before the first one of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened to the request the event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    /// Done, but against a safety rule the person confirmed (an extra dose), or without the check a
    /// guardian overrode.
    Flagged,
    /// Not done, for safety: the dose check could not be done (nothing was written).
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Flagged => "flagged",
            Outcome::Refused => "refused",
        }
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub family_id: Option<i64>,
    pub actor: String,
    pub action: &'static str,
    pub subject: String,
    pub channel: Channel,
    pub outcome: Outcome,
}

pub fn chain_name(family_id: Option<i64>) -> String {
    match family_id {
        Some(id) => format!("family:{id}"),
        None => "system".into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn event_hash(
    prev_hash: &str,
    chain: &str,
    seq: i64,
    at: &DateTime<Utc>,
    family_id: Option<i64>,
    actor: &str,
    action: &str,
    subject: &str,
    channel: &str,
    outcome: &str,
) -> String {
    let mut hasher = Sha256::new();
    let family = family_id.map(|id| id.to_string()).unwrap_or_default();
    let at = at.to_rfc3339_opts(SecondsFormat::Millis, true);
    for part in [
        prev_hash,
        chain,
        &seq.to_string(),
        &at,
        &family,
        actor,
        action,
        subject,
        channel,
        outcome,
    ] {
        // Length-prefixed so that no two different events can hash the same text.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The last event (seq, hash) of each chain this process appended to: a hint that saves reading the
/// chain's head back before every append.
///
/// Why a hint is enough: the append that uses it inserts only if the chain's newest event in the
/// database still has the remembered hash (one statement, checked by the database), and otherwise
/// reads the head and appends as usual. So a hint left behind by a rolled-back transaction, or made
/// stale by another process appending to the same chain (an admin command, a second bot), costs one
/// extra statement and never forks or breaks the chain. Hashes include the chain, the sequence number
/// and the previous hash, so a matching hash means exactly that event.
#[derive(Debug, Default)]
pub struct ChainHeads {
    heads: std::sync::Mutex<std::collections::HashMap<String, (i64, String)>>,
}

impl ChainHeads {
    /// How many chains to remember; past that the hints start over (they are only hints).
    const CAPACITY: usize = 10_000;

    fn get(&self, chain: &str) -> Option<(i64, String)> {
        self.heads
            .lock()
            .ok()
            .and_then(|heads| heads.get(chain).cloned())
    }

    fn remember(&self, chain: String, seq: i64, hash: String) {
        if let Ok(mut heads) = self.heads.lock() {
            if heads.len() >= Self::CAPACITY && !heads.contains_key(&chain) {
                heads.clear();
            }
            heads.insert(chain, (seq, hash));
        }
    }
}

/// Appends `record` to its family's chain. Call inside the write transaction of the work it records
/// (which holds the family's write lock, so the chain cannot fork).
pub async fn append<C: ConnectionTrait>(
    db: &C,
    heads: &ChainHeads,
    record: AuditRecord,
    at: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let chain = chain_name(record.family_id);
    let at = crate::clock::truncate_millis(at);
    if let Some((last_seq, last_hash)) = heads.get(&chain) {
        let link = Link::new(&record, &chain, last_seq + 1, last_hash, at);
        if let Some(id) = insert_after(db, &record, &chain, at, &link).await? {
            heads.remember(chain, link.seq, link.hash);
            return Ok(id);
        }
        // The hint was stale: fall back to reading the head.
    }
    let last = audit_event::Entity::find()
        .filter(audit_event::Column::Chain.eq(chain.clone()))
        .order_by_desc(audit_event::Column::Seq)
        .limit(1)
        .one(db)
        .await?;
    let (seq, prev_hash) = match last {
        Some(event) => (event.seq + 1, event.hash),
        None => (1, GENESIS.to_string()),
    };
    let link = Link::new(&record, &chain, seq, prev_hash, at);
    let model = audit_event::ActiveModel {
        chain: Set(chain.clone()),
        seq: Set(link.seq),
        at: Set(at),
        family_id: Set(record.family_id),
        actor: Set(record.actor),
        action: Set(record.action.to_string()),
        subject: Set(record.subject),
        channel: Set(record.channel.as_str().to_string()),
        outcome: Set(record.outcome.as_str().to_string()),
        prev_hash: Set(link.prev_hash),
        hash: Set(link.hash.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    heads.remember(chain, link.seq, link.hash);
    Ok(model.id)
}

/// Where an event about to be appended sits in its chain, and its hash.
struct Link {
    seq: i64,
    prev_hash: String,
    hash: String,
}

impl Link {
    fn new(
        record: &AuditRecord,
        chain: &str,
        seq: i64,
        prev_hash: String,
        at: DateTime<Utc>,
    ) -> Self {
        let hash = event_hash(
            &prev_hash,
            chain,
            seq,
            &at,
            record.family_id,
            &record.actor,
            record.action,
            &record.subject,
            record.channel.as_str(),
            record.outcome.as_str(),
        );
        Self {
            seq,
            prev_hash,
            hash,
        }
    }
}

/// Inserts the event only if the chain's newest event is the one it links to; returns its id, or
/// `None` (nothing written) when the chain has moved on. `$n` placeholders work on both backends.
async fn insert_after<C: ConnectionTrait>(
    db: &C,
    record: &AuditRecord,
    chain: &str,
    at: DateTime<Utc>,
    link: &Link,
) -> Result<Option<i64>, DbErr> {
    const SQL: &str = "INSERT INTO audit_events \
        (chain, seq, at, family_id, actor, action, subject, channel, outcome, prev_hash, hash) \
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 \
        WHERE (SELECT hash FROM audit_events WHERE chain = $1 ORDER BY seq DESC LIMIT 1) = $10 \
        RETURNING id";
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            SQL,
            [
                chain.into(),
                link.seq.into(),
                at.into(),
                record.family_id.into(),
                record.actor.as_str().into(),
                record.action.into(),
                record.subject.as_str().into(),
                record.channel.as_str().into(),
                record.outcome.as_str().into(),
                link.prev_hash.as_str().into(),
                link.hash.as_str().into(),
            ],
        ))
        .await?;
    row.map(|row| row.try_get::<i64>("", "id")).transpose()
}

/// The result of checking every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub chains: usize,
    pub events: usize,
    /// The first broken link found: (chain, seq, what is wrong).
    pub first_break: Option<(String, i64, String)>,
}

/// Recomputes every chain, in order, and stops at the first event whose link or hash is wrong.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<VerifyReport, DbErr> {
    let mut report = VerifyReport {
        chains: 0,
        events: 0,
        first_break: None,
    };
    let mut current_chain: Option<String> = None;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1;
    // Paged so that a large trail does not have to fit in memory.
    let mut after_chain = String::new();
    let mut after_seq = 0i64;
    loop {
        let page = audit_event::Entity::find()
            .filter(
                Condition::any()
                    .add(audit_event::Column::Chain.gt(after_chain.clone()))
                    .add(
                        Condition::all()
                            .add(audit_event::Column::Chain.eq(after_chain.clone()))
                            .add(audit_event::Column::Seq.gt(after_seq)),
                    ),
            )
            .order_by_asc(audit_event::Column::Chain)
            .order_by_asc(audit_event::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            break;
        }
        for event in &page {
            if current_chain.as_deref() != Some(event.chain.as_str()) {
                current_chain = Some(event.chain.clone());
                report.chains += 1;
                expected_prev = GENESIS.to_string();
                expected_seq = 1;
            }
            report.events += 1;
            let problem = if event.seq != expected_seq {
                Some(format!(
                    "expected event #{expected_seq}, found #{} (an event is missing)",
                    event.seq
                ))
            } else if event.prev_hash != expected_prev {
                Some("its link to the previous event does not match (an earlier event was changed or removed)".into())
            } else {
                let hash = event_hash(
                    &event.prev_hash,
                    &event.chain,
                    event.seq,
                    &event.at,
                    event.family_id,
                    &event.actor,
                    &event.action,
                    &event.subject,
                    &event.channel,
                    &event.outcome,
                );
                (hash != event.hash)
                    .then(|| "its contents do not match its hash (the event was changed)".into())
            };
            if let Some(problem) = problem {
                report.first_break = Some((event.chain.clone(), event.seq, problem));
                return Ok(report);
            }
            expected_prev = event.hash.clone();
            expected_seq += 1;
        }
        let last = &page[page.len() - 1];
        after_chain = last.chain.clone();
        after_seq = last.seq;
    }
    Ok(report)
}
