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
    QueryOrder, QuerySelect, Set,
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
    /// Done, but against a safety rule the person confirmed (an extra dose).
    Flagged,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Flagged => "flagged",
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

/// Appends `record` to its family's chain. Call inside the write transaction of the work it records
/// (which holds the family's write lock, so the chain cannot fork).
pub async fn append<C: ConnectionTrait>(
    db: &C,
    record: AuditRecord,
    at: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let chain = chain_name(record.family_id);
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
    let at = crate::clock::truncate_millis(at);
    let hash = event_hash(
        &prev_hash,
        &chain,
        seq,
        &at,
        record.family_id,
        &record.actor,
        record.action,
        &record.subject,
        record.channel.as_str(),
        record.outcome.as_str(),
    );
    let model = audit_event::ActiveModel {
        chain: Set(chain),
        seq: Set(seq),
        at: Set(at),
        family_id: Set(record.family_id),
        actor: Set(record.actor),
        action: Set(record.action.to_string()),
        subject: Set(record.subject),
        channel: Set(record.channel.as_str().to_string()),
        outcome: Set(record.outcome.as_str().to_string()),
        prev_hash: Set(prev_hash),
        hash: Set(hash),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(model.id)
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
