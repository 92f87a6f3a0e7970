//! Emergencies: what the red-flag screen may know about a family's children, and raising an
//! emergency (the guardians told on their channels, the event audited).
//!
//! The screen itself (`crate::screen`) is pure and runs before this: the person who wrote has
//! their answer with the emergency number before anything here runs, and a failure here never
//! holds that answer back.

use chrono::{DateTime, Utc};
use entity::{allergy, child, member, notification};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::care::Alert;
use super::{ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::domain::{MemberStatus, Role};
use crate::screen::{Category, ChildFacts, RedFlag};

/// What the guardians are told when someone else in the family raised an emergency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergencyAlert {
    pub categories: Vec<Category>,
    /// Who wrote (their name in the family).
    pub reported_by: String,
    /// The child the message named, when it named one.
    pub child_name: Option<String>,
    pub at: DateTime<Utc>,
}

impl Services {
    /// The family's children as the red-flag screen reads them: names, ages in days, recorded
    /// allergens. Every child of the family, also those a caregiver is not assigned to: an
    /// emergency about any of them matters, and nothing here is shown to anyone, so it is not a
    /// disclosure to authorize or audit (like the parser's roster).
    pub async fn screening_facts(&self, family_id: i64) -> ServiceResult<Vec<ChildFacts>> {
        let conn = self.db().conn();
        let children = child::Entity::find()
            .filter(child::Column::FamilyId.eq(family_id))
            .all(conn)
            .await?;
        let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
        let allergies = allergy::Entity::find()
            .filter(allergy::Column::ChildId.is_in(ids))
            .all(conn)
            .await?;
        let today = self.now().date_naive();
        Ok(children
            .iter()
            .map(|c| {
                let allergens: Vec<String> = allergies
                    .iter()
                    .filter(|a| a.child_id == c.id)
                    .map(|a| a.allergen.clone())
                    .collect();
                ChildFacts::new(
                    c.id,
                    &c.name,
                    Some((today - c.birth_date).num_days()),
                    &allergens,
                )
            })
            .collect())
    }

    /// Raises an emergency someone reported: every other active guardian gets an alert (pushed to
    /// their channels), and the event is audited. Returns the names of the guardians told.
    ///
    /// Every member may raise one, a viewer too. The audit event names the family, not the
    /// category: the trail is for who did what, the alert (sealed) carries what it was about.
    ///
    /// `source_key` is the channel delivery's key: the same delivery processed again (after a
    /// crash) alerts nobody twice; it is audited as `emergency.raise.repeated`.
    #[tracing::instrument(skip(self, flag, source_key), fields(actor = ?actor.kind, family_id))]
    pub async fn raise_emergency(
        &self,
        actor: &Actor,
        family_id: i64,
        flag: &RedFlag,
        child_id: Option<i64>,
        source_key: Option<&str>,
    ) -> ServiceResult<Vec<String>> {
        let raised_before = match source_key {
            Some(key) => notification::Entity::find()
                .filter(notification::Column::FamilyId.eq(family_id))
                .filter(notification::Column::SourceKey.eq(key))
                .all(self.db().conn())
                .await?
                .into_iter()
                .map(|n| n.recipient_member_id)
                .collect::<Vec<i64>>(),
            None => Vec::new(),
        };
        let action = if raised_before.is_empty() {
            Permission::RaiseEmergency.action()
        } else {
            "emergency.raise.repeated"
        };
        let told = self
            .authorized_as(
                actor,
                Permission::RaiseEmergency,
                Target::Family(family_id),
                action,
                |_| format!("family:{family_id}"),
                async |txn, auth| {
                    let guardians = member::Entity::find()
                        .filter(member::Column::FamilyId.eq(family_id))
                        .filter(member::Column::Role.eq(Role::Guardian.as_str()))
                        .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
                        .all(&**txn)
                        .await?;
                    let mut wanted: Vec<i64> = guardians.iter().map(|g| g.id).collect();
                    wanted.extend(auth.member_id);
                    let names = self.member_names(&**txn, family_id, wanted).await?;
                    let child_name = match child_id {
                        Some(id) => child::Entity::find_by_id(id)
                            .one(&**txn)
                            .await?
                            .filter(|c| c.family_id == family_id)
                            .map(|c| c.name),
                        None => None,
                    };
                    let alert = Alert::Emergency(EmergencyAlert {
                        categories: flag.categories.clone(),
                        reported_by: auth
                            .member_id
                            .and_then(|id| names.get(&id).cloned())
                            .unwrap_or_else(|| "someone".into()),
                        child_name,
                        at: self.now(),
                    });
                    let body = serde_json::to_string(&alert)?;
                    let mut told = Vec::new();
                    for guardian in guardians
                        .into_iter()
                        .filter(|g| Some(g.id) != auth.member_id)
                    {
                        if raised_before.contains(&guardian.id) {
                            // Told already, by the first time this delivery was processed.
                            if let Some(name) = names.get(&guardian.id) {
                                told.push(name.clone());
                            }
                            continue;
                        }
                        notification::ActiveModel {
                            family_id: Set(family_id),
                            recipient_member_id: Set(guardian.id),
                            kind: Set("emergency".into()),
                            body: Set(self.keys().seal("notifications.body", &body)),
                            created_at: Set(self.now()),
                            source_key: Set(source_key.map(str::to_string)),
                            ..Default::default()
                        }
                        .insert(&**txn)
                        .await?;
                        if let Some(name) = names.get(&guardian.id) {
                            told.push(name.clone());
                        }
                    }
                    Ok(told)
                },
            )
            .await?;
        // Which category stays out of the log: health data never goes to logs.
        tracing::info!(family_id, guardians_told = told.len(), "emergency raised");
        Ok(told)
    }
}

/// The child a message is about, when it names exactly one of the family's children.
pub fn named_child(message: &str, children: &[ChildFacts]) -> Option<i64> {
    let lower = message.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut named = children.iter().filter(|c| {
        words
            .iter()
            .any(|w| *w == c.name || w.strip_suffix('s') == Some(c.name.as_str()))
    });
    match (named.next(), named.next()) {
        (Some(one), None) => Some(one.id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_one_child_or_none() {
        let kids = vec![
            ChildFacts::new(1, "Emma", Some(1500), &[]),
            ChildFacts::new(2, "Leo", Some(420), &[]),
        ];
        assert_eq!(named_child("Leo isn't breathing", &kids), Some(2));
        assert_eq!(named_child("leos lips are blue", &kids), Some(2));
        assert_eq!(named_child("Emma and Leo drank bleach", &kids), None);
        assert_eq!(named_child("my baby is not breathing", &kids), None);
        assert_eq!(named_child("Eleonor is here", &kids), None);
    }
}
