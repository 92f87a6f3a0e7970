//! Where conversation state lives between messages: a storage trait, and its database implementation.
//!
//! State is stored as tagged JSON inside an envelope with a schema version, sealed like any other
//! conversation text. A state that cannot be read any more (an older schema after an upgrade) is
//! reset to idle and the person is told, instead of failing every message (teloxide issue #1156).
//! A `version` column makes concurrent writers safe: a save that lost the race is reported.

use std::future::Future;

use chrono::Utc;
use entity::conversation_state;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::machine::ConversationState;
use crate::crypto::Keyring;
use crate::db::{Database, LockScope};
use crate::services::{expiring, ROUTING_TTL};

/// The schema of the stored envelope; bump it when `ConversationState` changes incompatibly.
pub const SCHEMA_VERSION: i32 = 1;
const FIELD: &str = "conversation_states.state";

/// A conversation's stored session: the family it is about and where it stands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Session {
    pub family_id: Option<i64>,
    pub state: ConversationState,
}

/// A loaded session, with what is needed to save it back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Loaded {
    pub session: Session,
    /// The row's version (0 = not stored yet).
    pub version: i64,
    /// The stored state could not be read and was reset.
    pub was_reset: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("another message changed this conversation at the same time")]
    Conflict,
}

pub trait ConversationStore: Send + Sync + 'static {
    fn load(&self, key: &str) -> impl Future<Output = Result<Loaded, StoreError>> + Send;
    fn save(
        &self,
        key: &str,
        person_id: i64,
        session: &Session,
        expected_version: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    schema: i32,
    session: Session,
}

/// The database-backed store, with the sessions it loaded or saved in the last
/// [`ROUTING_TTL`] kept in memory.
///
/// Why a cache: every turn loads its conversation (a read, an AES-GCM open and a JSON parse) and
/// most leave it unchanged. A conversation key is a channel identity (`slack:T…:U…`), and only the
/// process serving that channel speaks for it, so what this process last saved is what is stored.
/// Should another process change a session anyway (an erasure), the `version` column still refuses
/// a stale save, the entry is forgotten, and the next turn reads the database again.
#[derive(Clone)]
pub struct DbConversationStore {
    db: Database,
    keys: Keyring,
    recent: moka::future::Cache<String, Loaded>,
}

impl DbConversationStore {
    pub fn new(db: Database, keys: Keyring) -> Self {
        Self {
            db,
            keys,
            recent: expiring(100_000, ROUTING_TTL),
        }
    }

    async fn read(&self, key: &str) -> Result<Loaded, StoreError> {
        let Some(row) = conversation_state::Entity::find()
            .filter(conversation_state::Column::ConversationKey.eq(key))
            .one(self.db.conn())
            .await?
        else {
            return Ok(Loaded::default());
        };
        let envelope = self
            .keys
            .open(FIELD, &row.state)
            .ok()
            .and_then(|json| serde_json::from_str::<Envelope>(&json).ok())
            .filter(|e| e.schema == SCHEMA_VERSION && row.schema_version == SCHEMA_VERSION);
        Ok(match envelope {
            Some(envelope) => Loaded {
                session: envelope.session,
                version: row.version,
                was_reset: false,
            },
            None => Loaded {
                session: Session::default(),
                version: row.version,
                was_reset: true,
            },
        })
    }

    async fn write(
        &self,
        key: &str,
        person_id: i64,
        session: &Session,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(&Envelope {
            schema: SCHEMA_VERSION,
            session: session.clone(),
        })
        .unwrap_or_else(|_| "{}".into());
        let sealed = self.keys.seal(FIELD, &json);
        let txn = self.db.write(LockScope::OwnRow).await?;
        if expected_version == 0 {
            let inserted = conversation_state::ActiveModel {
                conversation_key: Set(key.to_string()),
                person_id: Set(person_id),
                state: Set(sealed),
                schema_version: Set(SCHEMA_VERSION),
                version: Set(1),
                updated_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&*txn)
            .await;
            // The unique key makes a concurrent first save fail here: that is the conflict.
            if inserted.is_err() {
                return Err(StoreError::Conflict);
            }
        } else {
            let result = conversation_state::Entity::update_many()
                .col_expr(
                    conversation_state::Column::State,
                    sea_orm::sea_query::Expr::value(sealed),
                )
                .col_expr(
                    conversation_state::Column::SchemaVersion,
                    sea_orm::sea_query::Expr::value(SCHEMA_VERSION),
                )
                .col_expr(
                    conversation_state::Column::Version,
                    sea_orm::sea_query::Expr::value(expected_version + 1),
                )
                .col_expr(
                    conversation_state::Column::UpdatedAt,
                    sea_orm::sea_query::Expr::value(Utc::now()),
                )
                .filter(conversation_state::Column::ConversationKey.eq(key))
                .filter(conversation_state::Column::Version.eq(expected_version))
                .exec(&*txn)
                .await?;
            if result.rows_affected == 0 {
                return Err(StoreError::Conflict);
            }
        }
        txn.commit().await?;
        Ok(())
    }
}

impl ConversationStore for DbConversationStore {
    async fn load(&self, key: &str) -> Result<Loaded, StoreError> {
        if let Some(loaded) = self.recent.get(key).await {
            return Ok(loaded);
        }
        let loaded = self.read(key).await?;
        self.recent.insert(key.to_string(), loaded.clone()).await;
        Ok(loaded)
    }

    async fn save(
        &self,
        key: &str,
        person_id: i64,
        session: &Session,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let result = self.write(key, person_id, session, expected_version).await;
        match &result {
            Ok(()) => {
                let saved = Loaded {
                    session: session.clone(),
                    version: expected_version + 1,
                    was_reset: false,
                };
                self.recent.insert(key.to_string(), saved).await;
            }
            Err(_) => self.recent.invalidate(key).await,
        }
        result
    }
}
