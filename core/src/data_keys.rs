//! Which data keys a database needs, checked at every start before anything is read or sealed.
//!
//! Why: a wrong `MEDNANNY__SECURITY__DATA_KEY` used to start quietly. Every sealed value then
//! failed to open one at a time (conversations reset, chat kept asking "which family?"), only
//! `export` named the key, and what was written meanwhile was sealed with the wrong key, leaving
//! the database needing two. Now the process stops at once with one line naming the keys.
//!
//! How: the `data_keys` table holds one row per key the database's values were sealed with, each
//! with a fixed text sealed under that key (`check_value`). A start opens every row's value with
//! its keyring: a key it does not hold, or one that has the right id but does not open the value,
//! stops it. Otherwise its current key is recorded if it is new (the first start of a database, so
//! an empty one knows its key too; or a rotation, after which the older keys stay needed: their
//! data is not re-sealed). A database from before this table has no rows: its sealed columns are
//! read once for the key ids they carry (`enc1:<id>:…`), and those keys are recorded.
//!
//! Reading the table costs a few rows and one decryption per key; a write happens only when a key
//! is recorded, in a transaction of the system's write scope, so two processes starting together
//! (the bot and the bridge) record one after the other and the second sees the first's rows.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::data_key;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, Statement};

use crate::crypto::Keyring;
use crate::db::{Database, LockScope};

/// The column a check value is sealed for.
const CHECK_FIELD: &str = "data_keys.check_value";
/// What every check value holds.
const CHECK_TEXT: &str = "MedNanny data key check";

/// Every sealed column (`table`, `column`), read for key ids when a database has no `data_keys`
/// rows yet. The entity docs mark each one "Sealed".
const SEALED_COLUMNS: &[(&str, &str)] = &[
    ("allergies", "reaction"),
    ("appointments", "purpose"),
    ("care_notes", "body"),
    ("conditions", "name"),
    ("conditions", "notes"),
    ("conversation_states", "state"),
    ("dose_logs", "note"),
    ("inbox", "payload"),
    ("measurements", "note"),
    ("nanny_profiles", "notes"),
    ("nanny_profiles", "emergency_contact"),
    ("notifications", "body"),
    ("outbox", "content"),
    ("reminders", "skip_reason"),
    ("shifts", "handoff"),
    ("vaccinations", "notes"),
];

/// Why a process must not use this database with its keys. Each reads as one line that says what
/// to set.
#[derive(Debug, thiserror::Error)]
pub enum KeyCheckError {
    #[error("{}", missing_keys(needed, current, retired))]
    MissingKeys {
        /// The ids of the keys the database needs that the keyring does not hold.
        needed: Vec<String>,
        current: String,
        retired: Vec<String>,
    },
    #[error(
        "the configured data key {key_id} has the id of one this database was sealed with but does not open \
         its check value: it is another key (or the database was altered); set MEDNANNY__SECURITY__DATA_KEY \
         to the key this database was made with"
    )]
    NotTheKey { key_id: String },
    #[error(
        "the database is not migrated yet (it has no data_keys table): run `mednanny migrate`"
    )]
    NotMigrated,
    #[error("cannot check the database's data keys: {0}")]
    Db(#[from] DbErr),
}

fn missing_keys(needed: &[String], current: &str, retired: &[String]) -> String {
    let (what, it) = match needed {
        [one] => (format!("data key {one}"), "it"),
        _ => (format!("data keys {}", needed.join(", ")), "them"),
    };
    let retired = match retired {
        [] => String::new(),
        ids => format!("; retired: {}", ids.join(", ")),
    };
    format!(
        "this database was sealed with {what}, which this process does not have (the configured data key \
         is {current}{retired}): set MEDNANNY__SECURITY__DATA_KEY to the key this database was made with, \
         or add {it} to MEDNANNY__SECURITY__RETIRED_DATA_KEYS"
    )
}

/// Checks that `keys` opens everything `db` holds and records its current key if it is new (see
/// the module comment). `now` is when a new key is recorded.
pub async fn check(db: &Database, keys: &Keyring, now: DateTime<Utc>) -> Result<(), KeyCheckError> {
    if !has_table(db).await? {
        return Err(KeyCheckError::NotMigrated);
    }
    // Most starts only read: the keys are all recorded already.
    if plan(db.conn(), keys).await?.record.is_empty() {
        return Ok(());
    }
    let txn = db.write(LockScope::System).await?;
    // Again inside the transaction: another process may have recorded keys meanwhile.
    let Plan { record, rotation } = plan(&*txn, keys).await?;
    for key_id in &record {
        let Some(check_value) = keys.seal_with(key_id, CHECK_FIELD, CHECK_TEXT) else {
            continue;
        };
        let inserted = data_key::Entity::insert(data_key::ActiveModel {
            key_id: Set(key_id.clone()),
            check_value: Set(check_value),
            recorded_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(data_key::Column::KeyId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&*txn)
        .await;
        match inserted {
            Ok(_) | Err(DbErr::RecordNotInserted) => {}
            Err(error) => return Err(error.into()),
        }
    }
    txn.commit().await?;
    // A key added beside others is a rotation, worth an operator's notice; a new database's first
    // key is not.
    if rotation {
        tracing::info!(keys = ?record, "a new data key is recorded for this database beside the older ones");
    } else {
        tracing::debug!(keys = ?record, "data keys recorded for this database");
    }
    Ok(())
}

/// What a start records.
struct Plan {
    /// The key ids to record.
    record: Vec<String>,
    /// Whether the database had keys recorded already (a new one is then a rotation).
    rotation: bool,
}

/// The key ids to record, or why this keyring must not use the database.
async fn plan<C: ConnectionTrait>(conn: &C, keys: &Keyring) -> Result<Plan, KeyCheckError> {
    let rows = data_key::Entity::find().all(conn).await?;
    let recorded: BTreeSet<String> = if rows.is_empty() {
        sealed_key_ids(conn).await?
    } else {
        rows.iter().map(|row| row.key_id.clone()).collect()
    };
    let needed: Vec<String> = recorded
        .iter()
        .filter(|id| !keys.has_key(id))
        .cloned()
        .collect();
    if !needed.is_empty() {
        return Err(KeyCheckError::MissingKeys {
            needed,
            current: keys.current_key_id().to_string(),
            retired: keys
                .retired_key_ids()
                .into_iter()
                .map(String::from)
                .collect(),
        });
    }
    for row in &rows {
        match keys.open(CHECK_FIELD, &row.check_value) {
            Ok(text) if text == CHECK_TEXT => {}
            _ => {
                return Err(KeyCheckError::NotTheKey {
                    key_id: row.key_id.clone(),
                })
            }
        }
    }
    let mut record: Vec<String> = match rows.is_empty() {
        true => recorded.iter().cloned().collect(),
        false => Vec::new(),
    };
    if !recorded.contains(keys.current_key_id()) {
        record.push(keys.current_key_id().to_string());
    }
    Ok(Plan {
        record,
        rotation: !rows.is_empty(),
    })
}

/// The key ids found in the sealed columns (`enc1:<8 hex digits>:…`).
async fn sealed_key_ids<C: ConnectionTrait>(conn: &C) -> Result<BTreeSet<String>, DbErr> {
    let backend = conn.get_database_backend();
    let mut ids = BTreeSet::new();
    for (table, column) in SEALED_COLUMNS {
        // Identifiers from the list above, never from input.
        let sql = format!(
            "SELECT DISTINCT substr({column}, 6, 8) AS key_id FROM {table} WHERE {column} LIKE 'enc1:%'"
        );
        for row in conn
            .query_all_raw(Statement::from_string(backend, sql))
            .await?
        {
            ids.insert(row.try_get::<String>("", "key_id")?);
        }
    }
    Ok(ids)
}

async fn has_table(db: &Database) -> Result<bool, DbErr> {
    let backend = db.backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'data_keys'"
        }
        _ => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'data_keys'",
    };
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(backend, sql))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<i64>("", "n")? > 0,
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_keys_needed_and_the_ones_configured_on_one_line() {
        let one = missing_keys(&["1a2b3c4d".into()], "5e6f7a8b", &[]);
        assert_eq!(
            one,
            "this database was sealed with data key 1a2b3c4d, which this process does not have (the \
             configured data key is 5e6f7a8b): set MEDNANNY__SECURITY__DATA_KEY to the key this database \
             was made with, or add it to MEDNANNY__SECURITY__RETIRED_DATA_KEYS"
        );
        let two = missing_keys(
            &["1a2b3c4d".into(), "99999999".into()],
            "5e6f7a8b",
            &["00000000".into()],
        );
        assert!(two.contains("with data keys 1a2b3c4d, 99999999,"), "{two}");
        assert!(two.contains("is 5e6f7a8b; retired: 00000000)"), "{two}");
        assert!(two.contains("add them to"), "{two}");
        assert!(!two.contains('\n'));
    }
}
