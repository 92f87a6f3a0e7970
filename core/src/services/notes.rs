//! Notes about a child, sealed at rest.

use chrono::{DateTime, Utc};
use entity::care_note;
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TryInsertResult,
};
use serde::{Deserialize, Serialize};

use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};

const MAX_NOTE_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteView {
    pub id: i64,
    pub child_id: Option<i64>,
    pub author: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A note's text (or a condition's name), cleaned (`domain::text`: an operator's command line
/// does not pass through the engine) and trimmed: not empty, not too long.
pub(super) fn validate_text(text: &str) -> ServiceResult<String> {
    let text = crate::domain::text::clean(text);
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::EmptyText.into());
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(Problem::TextTooLong {
            max: MAX_NOTE_CHARS,
        }
        .into());
    }
    Ok(text.to_string())
}

impl Services {
    /// Adds a note about a child (sealed at rest).
    pub async fn add_note(
        &self,
        actor: &Actor,
        child_id: i64,
        text: &str,
        source_key: Option<&str>,
    ) -> ServiceResult<i64> {
        let text = validate_text(text)?;
        let (txn, auth) = self
            .begin(actor, Permission::WriteNote, Target::Child(child_id))
            .await?;
        let note = care_note::ActiveModel {
            source_key: Set(source_key.map(str::to_string)),
            family_id: Set(auth.family_id),
            child_id: Set(Some(child_id)),
            author_member_id: Set(auth.member_id),
            body: Set(self.keys().seal("care_notes.body", &text)),
            channel: Set(actor.channel.as_str().to_string()),
            created_at: Set(self.now()),
            ..Default::default()
        };
        // A delivery processed again after a crash hits the unique source key: the note it wrote
        // is looked up then (only then, so the usual path costs one statement).
        let inserted = care_note::Entity::insert(note)
            .on_conflict_do_nothing_on([care_note::Column::SourceKey])
            .exec(&*txn)
            .await?;
        let (id, action) = match (inserted, source_key) {
            (TryInsertResult::Inserted(result), _) => (result.last_insert_id, "note.write"),
            (_, Some(key)) => {
                let row = care_note::Entity::find()
                    .filter(care_note::Column::SourceKey.eq(key))
                    .one(&*txn)
                    .await?
                    .ok_or(ServiceError::NotFound("note"))?;
                (row.id, "note.write.repeated")
            }
            (_, None) => return Err(ServiceError::NotFound("note")),
        };
        self.commit_audited(txn, &auth, actor, action, format!("note:{id}"))
            .await?;
        Ok(id)
    }

    /// A child's notes, most recent first.
    pub async fn notes(
        &self,
        actor: &Actor,
        child_id: i64,
        limit: u64,
    ) -> ServiceResult<Vec<NoteView>> {
        let (rows, names) = self
            .authorized(
                actor,
                Permission::ViewNotes,
                Target::Child(child_id),
                |_| format!("child:{child_id}"),
                async |txn, auth| {
                    let rows = care_note::Entity::find()
                        .filter(care_note::Column::ChildId.eq(child_id))
                        .order_by_desc(care_note::Column::CreatedAt)
                        .limit(limit)
                        .all(&**txn)
                        .await?;
                    let names = self
                        .member_names(
                            &**txn,
                            auth.family_id,
                            rows.iter().filter_map(|n| n.author_member_id),
                        )
                        .await?;
                    Ok((rows, names))
                },
            )
            .await?;
        rows.into_iter()
            .map(|n| {
                Ok(NoteView {
                    id: n.id,
                    child_id: n.child_id,
                    author: n.author_member_id.and_then(|id| names.get(&id).cloned()),
                    body: self.keys().open("care_notes.body", &n.body)?,
                    created_at: n.created_at,
                })
            })
            .collect()
    }
}
