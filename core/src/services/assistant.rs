//! What the assistant's model may do for a family: a guardian's consent (kept in `consents` as
//! `assistant_llm`, given and withdrawn from chat, audited) and the daily token meter.

use chrono::NaiveDate;
use entity::{assistant_usage, consent};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{ServiceError, ServiceResult, Services, Target};
use crate::assistant::Allowance;
use crate::auth::{Actor, ActorKind, Permission};

/// The consent kind a guardian gives for the family's messages to go to the configured model.
pub const ASSISTANT_CONSENT: &str = "assistant_llm";

impl Services {
    /// Whether the family's messages may go to the model today, and how many tokens are left.
    /// Unaudited: nothing is shown, and the model only ever sees what the turn sends it.
    pub async fn assistant_allowance(
        &self,
        family_id: i64,
        day: NaiveDate,
        daily_budget: u64,
    ) -> ServiceResult<Allowance> {
        let db = self.db().conn();
        let consented = consent::Entity::find()
            .filter(consent::Column::FamilyId.eq(family_id))
            .filter(consent::Column::Kind.eq(ASSISTANT_CONSENT))
            .filter(consent::Column::RevokedAt.is_null())
            .one(db)
            .await?
            .is_some();
        let used = assistant_usage::Entity::find_by_id((family_id, day.to_string()))
            .one(db)
            .await?
            .map(|u| u.tokens.max(0) as u64)
            .unwrap_or(0);
        Ok(Allowance {
            consented,
            tokens_left: daily_budget.saturating_sub(used),
        })
    }

    /// Adds a model turn's tokens to the family's day.
    pub async fn meter_assistant(
        &self,
        family_id: i64,
        day: NaiveDate,
        tokens: u64,
    ) -> ServiceResult<()> {
        let db = self.db().conn();
        let key = (family_id, day.to_string());
        let tokens = i64::try_from(tokens).unwrap_or(i64::MAX);
        // Two turns of one family at the same instant may both insert: the loser adds instead.
        for _ in 0..2 {
            match assistant_usage::Entity::find_by_id(key.clone())
                .one(db)
                .await?
            {
                Some(row) => {
                    let mut active: assistant_usage::ActiveModel = row.clone().into();
                    active.tokens = Set(row.tokens.saturating_add(tokens));
                    active.turns = Set(row.turns + 1);
                    active.update(db).await?;
                    return Ok(());
                }
                None => {
                    let inserted = assistant_usage::ActiveModel {
                        family_id: Set(family_id),
                        day: Set(key.1.clone()),
                        tokens: Set(tokens),
                        turns: Set(1),
                    }
                    .insert(db)
                    .await;
                    if inserted.is_ok() {
                        return Ok(());
                    }
                }
            }
        }
        tracing::warn!(family_id, "assistant usage not metered (write conflict)");
        Ok(())
    }

    /// A guardian gives (`true`) or withdraws the family's consent for its messages to go to the
    /// configured model. Returns whether anything changed.
    pub async fn set_assistant_consent(
        &self,
        actor: &Actor,
        family_id: i64,
        consent_given: bool,
    ) -> ServiceResult<bool> {
        let now = self.now();
        // Family settings are the guardians' (the same permission as managing members).
        self.authorized_as(
            actor,
            Permission::ManageMembers,
            Target::Family(family_id),
            if consent_given {
                "assistant.consent_given"
            } else {
                "assistant.consent_withdrawn"
            },
            |_: &bool| format!("family:{family_id}"),
            async |txn, _auth| {
                let current = consent::Entity::find()
                    .filter(consent::Column::FamilyId.eq(family_id))
                    .filter(consent::Column::Kind.eq(ASSISTANT_CONSENT))
                    .filter(consent::Column::RevokedAt.is_null())
                    .all(&**txn)
                    .await?;
                match (consent_given, current.is_empty()) {
                    (true, true) => {
                        let ActorKind::Person(person_id) = actor.kind else {
                            // A consent is a person's: the operator cannot give it for them.
                            return Err(ServiceError::Denied);
                        };
                        // One row per person and kind: a consent given again renews theirs.
                        let earlier = consent::Entity::find()
                            .filter(consent::Column::FamilyId.eq(family_id))
                            .filter(consent::Column::PersonId.eq(person_id))
                            .filter(consent::Column::Kind.eq(ASSISTANT_CONSENT))
                            .one(&**txn)
                            .await?;
                        match earlier {
                            Some(row) => {
                                let mut active: consent::ActiveModel = row.into();
                                active.granted_at = Set(now);
                                active.revoked_at = Set(None);
                                active.update(&**txn).await?;
                            }
                            None => {
                                consent::ActiveModel {
                                    family_id: Set(family_id),
                                    person_id: Set(person_id),
                                    kind: Set(ASSISTANT_CONSENT.into()),
                                    granted_at: Set(now),
                                    revoked_at: Set(None),
                                    ..Default::default()
                                }
                                .insert(&**txn)
                                .await?;
                            }
                        }
                        Ok(true)
                    }
                    (false, false) => {
                        for row in current {
                            let mut active: consent::ActiveModel = row.into();
                            active.revoked_at = Set(Some(now));
                            active.update(&**txn).await?;
                        }
                        Ok(true)
                    }
                    _ => Ok(false),
                }
            },
        )
        .await
    }

    /// The names to hide from the model besides the children this person sees (`visible`, who
    /// get child aliases): every member's, and the children's they do not look after. Sorted, so
    /// the same family gets the same aliases from one request to the next. Unaudited: only ever
    /// used to hide names.
    pub async fn names_for_hiding(
        &self,
        family_id: i64,
        visible: &[String],
    ) -> ServiceResult<Vec<String>> {
        let book = self
            .name_book(self.db().conn(), family_id, |_| true)
            .await?;
        let mut members: Vec<String> = book.members.values().cloned().collect();
        let mut others: Vec<String> = book
            .children
            .values()
            .filter(|c| !visible.contains(c))
            .cloned()
            .collect();
        members.sort();
        others.sort();
        members.extend(others);
        Ok(members)
    }
}
