//! WhatsApp numbers: inviting someone by phone, linking a phone to an existing member with a
//! 6-digit code, and when each number last wrote to us (WhatsApp lets free text reach a person only
//! within 24 hours of their last message; a template otherwise).
//!
//! What is sent to a phone is queued in the outbox in the same transaction as the invite or code it
//! carries, so an invite exists exactly when its message does.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::{identity, invite, person, phone_link};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::family::{clean_name, hash_code, IssuedInvite, Membership};
use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, ActorKind, Permission};
use crate::db::LockScope;
use crate::domain::{Channel, IdentityKind, Phone, Role};
use crate::outbox::{self, Content, NewMessage, TemplateKind};

/// A link code works this long.
pub const LINK_CODE_MINUTES: i64 = 10;
/// Wrong codes tried before a link code stops working.
pub const LINK_CODE_ATTEMPTS: i32 = 5;
/// How long after a person's last message WhatsApp accepts free text to them. A little less than
/// WhatsApp's 24 hours, so a message queued near the end is not refused.
const WINDOW: Duration = Duration::hours(23);

/// Whether a person who last wrote at `last_seen` may be sent plain text at `now`.
pub(crate) fn window_open(last_seen: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_seen.is_some_and(|at| at > now - WINDOW)
}

/// `last_seen_at` is written at most this often per identity (it is read only against the window).
const SEEN_EVERY: Duration = Duration::minutes(10);

/// A phone invite, as the inviter is told about it.
#[derive(Debug, Clone)]
pub struct PhoneInvite {
    pub invite: IssuedInvite,
    pub name: String,
    pub phone: Phone,
}

/// Where a member's WhatsApp messages go, and whether free text may be sent now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsappReach {
    pub phone: Phone,
    pub window_open: bool,
}

/// How a 6-digit code was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// The phone now reaches this person.
    Linked { person_id: i64, phone: Phone },
    /// No code is waiting (none sent, all used or expired): the message was something else.
    NoneWaiting,
}

fn six_digits() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

impl Services {
    /// "invite caregiver Maya +15551234567": an invite addressed to a phone, whose message (the
    /// invite template) is queued with it. The person joins by replying JOIN from that phone, or
    /// with the code from anywhere. Guardians only.
    pub async fn invite_by_phone(
        &self,
        actor: &Actor,
        family_id: i64,
        role: Role,
        name: &str,
        phone_text: &str,
    ) -> ServiceResult<PhoneInvite> {
        let name = clean_name(name)?;
        let country = self.family_info(family_id).await?.country;
        let phone = Phone::parse(phone_text, &country)
            .ok_or_else(|| Problem::BadPhone(phone_text.trim().to_string()))?;
        let keys = self.keys().clone();
        let (_, issued) = self
            .authorized_as(
                actor,
                Permission::ManageMembers,
                Target::Family(family_id),
                "invite.create_by_phone",
                |(id, _)| format!("invite:{id}"),
                async |txn, auth| {
                    let (invite_id, issued) = self
                        .insert_invite(txn, family_id, role, auth.member_id, Some((&phone, &name)))
                        .await?;
                    let family = family_name(self, family_id).await?;
                    let inviter = match auth.member_id {
                        Some(_) => inviter_name(self, actor).await?,
                        None => "Your family".into(),
                    };
                    // The invitee is not a member yet: their language is not known.
                    let fallback = crate::messages::whatsapp_invite(
                        &inviter,
                        &family,
                        &name,
                        &issued.code,
                        crate::messages::Locale::En,
                    );
                    let content = Content::Template {
                        kind: TemplateKind::Invite,
                        variables: BTreeMap::from([
                            ("1".to_string(), inviter),
                            ("2".to_string(), family),
                        ]),
                        fallback,
                    };
                    outbox::queue(
                        &**txn,
                        &keys,
                        self.now(),
                        &[NewMessage {
                            recipient: phone.as_str().to_string(),
                            person_id: None,
                            content,
                            dedupe_key: format!("invite:{invite_id}"),
                        }],
                    )
                    .await
                    .map_err(outbox_error)?;
                    Ok((invite_id, issued))
                },
            )
            .await?;
        Ok(PhoneInvite {
            invite: issued,
            name,
            phone,
        })
    }

    /// "JOIN" from a phone nobody knows yet: the newest open invite addressed to it makes them a
    /// member, under the name the guardian gave. `None` when no invite waits for that phone.
    pub async fn join_by_phone(
        &self,
        phone: &Phone,
        profile_name: Option<&str>,
    ) -> ServiceResult<Option<(i64, Membership)>> {
        let now = self.now();
        let Some(found) = invite::Entity::find()
            .filter(invite::Column::Phone.eq(phone.as_str()))
            .filter(invite::Column::UsedAt.is_null())
            .filter(invite::Column::ExpiresAt.gt(now))
            .order_by_desc(invite::Column::Id)
            .one(self.db().conn())
            .await?
        else {
            return Ok(None);
        };
        let name = found
            .invitee_name
            .clone()
            .or_else(|| profile_name.map(str::to_string))
            .unwrap_or_else(|| phone.masked());
        let person_id = self.create_person(&name, "en").await?;
        self.link_identity(person_id, IdentityKind::Whatsapp, phone.as_str(), true)
            .await?;
        let membership = self.redeem(person_id, &found, Channel::Whatsapp).await?;
        Ok(Some((person_id, membership)))
    }

    /// "link-whatsapp +15551234567": a 6-digit code sent to that phone, which links it to the
    /// asker when repeated (on WhatsApp, or where they asked) within ten minutes and five tries.
    pub async fn start_phone_link(
        &self,
        actor: &Actor,
        phone_text: &str,
        country: &str,
    ) -> ServiceResult<Phone> {
        let ActorKind::Person(person_id) = actor.kind else {
            return Err(ServiceError::Denied);
        };
        let phone = Phone::parse(phone_text, country)
            .ok_or_else(|| Problem::BadPhone(phone_text.trim().to_string()))?;
        match self
            .resolve_identity(IdentityKind::Whatsapp, phone.as_str())
            .await?
        {
            Some(owner) if owner == person_id => return Err(Problem::AlreadyLinked.into()),
            Some(_) => return Err(Problem::IdentityTaken.into()),
            None => {}
        }
        let code = six_digits();
        // The code's words in the asker's language (read before the write lock is taken).
        let locale = crate::messages::Locale::from_tag(&self.person_locale(person_id).await?);
        let now = self.now();
        let txn = self.db().write(LockScope::System).await?;
        // A new code replaces any earlier one for this person.
        phone_link::Entity::update_many()
            .col_expr(phone_link::Column::UsedAt, Expr::value(now))
            .filter(phone_link::Column::PersonId.eq(person_id))
            .filter(phone_link::Column::UsedAt.is_null())
            .exec(&*txn)
            .await?;
        let row = phone_link::ActiveModel {
            person_id: Set(person_id),
            phone: Set(phone.as_str().to_string()),
            code_hash: Set(hash_code(&code)),
            attempts: Set(0),
            expires_at: Set(now + Duration::minutes(LINK_CODE_MINUTES)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        let content = Content::Template {
            kind: TemplateKind::Link,
            variables: BTreeMap::from([("1".to_string(), code.clone())]),
            fallback: crate::messages::whatsapp_link_code(&code, LINK_CODE_MINUTES, locale),
        };
        outbox::queue(
            &*txn,
            self.keys(),
            now,
            &[NewMessage {
                recipient: phone.as_str().to_string(),
                person_id: Some(person_id),
                content,
                dedupe_key: format!("link:{}", row.id),
            }],
        )
        .await
        .map_err(outbox_error)?;
        txn.commit().await?;
        Ok(phone)
    }

    /// A 6-digit code, from the phone it was sent to (`from`) or from the person who asked for it
    /// (`person_id`, on another channel). A wrong code counts against the waiting one.
    pub async fn confirm_phone_link(
        &self,
        from: Option<&Phone>,
        person_id: Option<i64>,
        code: &str,
    ) -> ServiceResult<LinkOutcome> {
        let now = self.now();
        let mut query = phone_link::Entity::find()
            .filter(phone_link::Column::UsedAt.is_null())
            .filter(phone_link::Column::ExpiresAt.gt(now));
        if let Some(phone) = from {
            query = query.filter(phone_link::Column::Phone.eq(phone.as_str()));
        }
        if let Some(person_id) = person_id {
            query = query.filter(phone_link::Column::PersonId.eq(person_id));
        }
        if from.is_none() && person_id.is_none() {
            return Ok(LinkOutcome::NoneWaiting);
        }
        let Some(link) = query
            .order_by_desc(phone_link::Column::Id)
            .one(self.db().conn())
            .await?
        else {
            return Ok(LinkOutcome::NoneWaiting);
        };
        if link.attempts >= LINK_CODE_ATTEMPTS {
            return Err(Problem::LinkCodeSpent.into());
        }
        let txn = self.db().write(LockScope::System).await?;
        if link.code_hash != hash_code(code) {
            let attempts = link.attempts + 1;
            let mut row: phone_link::ActiveModel = link.into();
            row.attempts = Set(attempts);
            row.update(&*txn).await?;
            txn.commit().await?;
            return Err(if attempts >= LINK_CODE_ATTEMPTS {
                Problem::LinkCodeSpent
            } else {
                Problem::LinkCodeWrong {
                    left: LINK_CODE_ATTEMPTS - attempts,
                }
            }
            .into());
        }
        let phone = Phone::from_e164(link.phone.clone());
        let linked_person = link.person_id;
        let mut row: phone_link::ActiveModel = link.into();
        row.used_at = Set(Some(now));
        row.update(&*txn).await?;
        txn.commit().await?;
        self.link_identity(linked_person, IdentityKind::Whatsapp, phone.as_str(), true)
            .await?;
        Ok(LinkOutcome::Linked {
            person_id: linked_person,
            phone,
        })
    }

    /// A WhatsApp message came from this number: WhatsApp's 24-hour window is open again.
    pub async fn seen_on_whatsapp(&self, phone: &Phone) -> ServiceResult<()> {
        let now = self.now();
        // Written only when it would move by more than a few minutes: most messages skip it.
        identity::Entity::update_many()
            .col_expr(identity::Column::LastSeenAt, Expr::value(now))
            .filter(identity::Column::Kind.eq(IdentityKind::Whatsapp.as_str()))
            .filter(identity::Column::ExternalId.eq(phone.as_str()))
            .filter(
                identity::Column::LastSeenAt
                    .is_null()
                    .or(identity::Column::LastSeenAt.lt(now - SEEN_EVERY)),
            )
            .exec(self.db().conn())
            .await?;
        Ok(())
    }

    /// The person's WhatsApp number, if they linked one.
    pub async fn whatsapp_reach(&self, person_id: i64) -> ServiceResult<Option<WhatsappReach>> {
        let now = self.now();
        Ok(identity::Entity::find()
            .filter(identity::Column::Kind.eq(IdentityKind::Whatsapp.as_str()))
            .filter(identity::Column::PersonId.eq(person_id))
            .filter(identity::Column::Verified.eq(true))
            .one(self.db().conn())
            .await?
            .map(|row| WhatsappReach {
                window_open: window_open(row.last_seen_at, now),
                phone: Phone::from_e164(row.external_id),
            }))
    }

    /// The Slack id (`T…:U…`) of the person behind a WhatsApp number, if they have one: where a
    /// WhatsApp message that could not be delivered is reported.
    pub async fn slack_of_phone(&self, phone: &Phone) -> ServiceResult<Option<String>> {
        let Some(person_id) = self
            .resolve_identity(IdentityKind::Whatsapp, phone.as_str())
            .await?
        else {
            return Ok(None);
        };
        Ok(identity::Entity::find()
            .filter(identity::Column::Kind.eq(IdentityKind::Slack.as_str()))
            .filter(identity::Column::PersonId.eq(person_id))
            .one(self.db().conn())
            .await?
            .map(|row| row.external_id))
    }
}

async fn family_name(services: &Services, family_id: i64) -> ServiceResult<String> {
    Ok(services.family_info(family_id).await?.name)
}

async fn inviter_name(services: &Services, actor: &Actor) -> ServiceResult<String> {
    match actor.kind {
        ActorKind::Person(id) => Ok(person::Entity::find_by_id(id)
            .one(services.db().conn())
            .await?
            .map(|p| p.display_name)
            .unwrap_or_else(|| "Your family".into())),
        ActorKind::Operator => Ok("Your family".into()),
    }
}

fn outbox_error(error: outbox::OutboxError) -> ServiceError {
    match error {
        outbox::OutboxError::Database(db) => ServiceError::Database(db),
        outbox::OutboxError::Crypto(crypto) => ServiceError::Crypto(crypto),
        outbox::OutboxError::Content(json) => ServiceError::Serialization(json),
    }
}
