//! Families, the people in them and how people reach MedNanny: identities, memberships, invites and
//! caregiver assignments.

use chrono::Duration;
use entity::{child, family, identity, invite, join_failure, member, person};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

pub use super::members::{MemberView, RoleChanged};
use super::{Authorized, FamilyInfo, Problem, ServiceError, ServiceResult, Services, Target};
use crate::audit::{self, AuditRecord, Outcome};
use crate::auth::{Actor, ActorKind, Permission, Scope};
use crate::db::LockScope;
use crate::domain::{zone_named, Country, IdentityKind, MemberStatus, Place, Role};
use crate::join_tries;

/// A person's active membership, as the engine needs it to pick a family.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub member_id: i64,
    pub family_id: i64,
    pub family_name: String,
    pub role: Role,
}

/// A freshly made invite; the code is shown once and only its hash is kept.
#[derive(Debug, Clone)]
pub struct IssuedInvite {
    pub code: String,
    pub role: Role,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

pub(super) fn clean_name(name: &str) -> ServiceResult<String> {
    let name = crate::domain::text::clean(name);
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(Problem::BadName.into());
    }
    Ok(name.to_string())
}

/// A time zone of the tz database, as stored.
fn checked_zone(timezone: &str) -> ServiceResult<chrono_tz::Tz> {
    zone_named(timezone).ok_or_else(|| Problem::BadTimezone(timezone.trim().to_string()).into())
}

/// An ISO 3166 country ("GB"; "UK" is taken for it): the emergency numbers follow it.
fn checked_country(country: &str) -> ServiceResult<Country> {
    Country::parse(country)
        .ok_or_else(|| Problem::BadCountry(country.trim().to_ascii_uppercase()).into())
}

pub(super) fn hash_code(code: &str) -> String {
    let normalized: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    hex::encode(Sha256::digest(normalized.as_bytes()))
}

/// Invite codes: 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as XXXXX-XXXXX.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let raw: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &raw[..5], &raw[5..])
}

impl Services {
    /// Creates a family. A person creating it becomes its first guardian; the operator creates it empty.
    #[tracing::instrument(skip(self, name), fields(actor = ?actor.kind))]
    pub async fn create_family(
        &self,
        actor: &Actor,
        name: &str,
        timezone: &str,
        country: &str,
    ) -> ServiceResult<i64> {
        let name = clean_name(name)?;
        let timezone = checked_zone(timezone)?;
        let country = checked_country(country)?;
        let now = self.now();
        let txn = self.db().write(LockScope::System).await?;
        let family = family::ActiveModel {
            name: Set(name),
            timezone: Set(timezone.name().to_string()),
            country: Set(country.code().to_string()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        let mut auth = Authorized {
            family_id: family.id,
            member_id: None,
            role: None,
            actor_ref: "operator".into(),
        };
        if let ActorKind::Person(person_id) = actor.kind {
            let member = insert_member(&txn, family.id, person_id, Role::Guardian, now).await?;
            auth.member_id = Some(member.id);
            auth.role = Some(Role::Guardian);
            auth.actor_ref = format!("member:{}", member.id);
        }
        self.commit_audited(
            txn,
            &auth,
            actor,
            "family.create",
            format!("family:{}", family.id),
        )
        .await?;
        if let ActorKind::Person(person_id) = actor.kind {
            self.forget_memberships(person_id).await;
        }
        Ok(family.id)
    }

    /// Where a family lives: its time zone, and its country when given (guardians; the operator).
    /// Every time the family is told and the emergency number it hears follow it at once.
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn set_family_place(
        &self,
        actor: &Actor,
        family_id: i64,
        country: Option<&Country>,
        timezone: chrono_tz::Tz,
    ) -> ServiceResult<Place> {
        let place = self
            .authorized_as(
                actor,
                Permission::ManageMembers,
                Target::Family(family_id),
                "family.place",
                |_| format!("family:{family_id}"),
                async |txn, _| {
                    let family = family::Entity::find_by_id(family_id)
                        .one(&**txn)
                        .await?
                        .ok_or(ServiceError::NotFound("family"))?;
                    let country = match country {
                        Some(country) => country.clone(),
                        // A country the table does not know stays as it was (older families).
                        None => checked_country(&family.country)?,
                    };
                    let mut row: family::ActiveModel = family.into();
                    row.timezone = Set(timezone.name().to_string());
                    row.country = Set(country.code().to_string());
                    row.update(&**txn).await?;
                    Ok(Place { country, timezone })
                },
            )
            .await?;
        // Its time zone and country, read on every turn (the emergency number follows them).
        self.inner.families.invalidate(&family_id).await;
        Ok(place)
    }

    /// Finds a family by id or by exact (case-insensitive) name, for admin commands.
    pub async fn find_family(&self, id_or_name: &str) -> ServiceResult<FamilyInfo> {
        if let Ok(id) = id_or_name.trim().parse::<i64>() {
            return self.family_info(id).await;
        }
        let wanted = id_or_name.trim().to_lowercase();
        let families = family::Entity::find().all(self.db().conn()).await?;
        let found: Vec<_> = families
            .into_iter()
            .filter(|f| f.name.to_lowercase() == wanted)
            .collect();
        match found.as_slice() {
            [one] => self.family_info(one.id).await,
            [] => Err(ServiceError::NotFound("family")),
            _ => Err(Problem::AmbiguousFamily(id_or_name.to_string()).into()),
        }
    }

    /// Every family, for operators (`mednanny family list`).
    pub async fn list_families(&self) -> ServiceResult<Vec<FamilyInfo>> {
        let ids: Vec<i64> = family::Entity::find()
            .order_by_asc(family::Column::Id)
            .all(self.db().conn())
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.family_info(id).await?);
        }
        Ok(out)
    }

    /// Creates a person (no family yet).
    pub async fn create_person(&self, display_name: &str, locale: &str) -> ServiceResult<i64> {
        let display_name = clean_name(display_name)?;
        let txn = self.db().write(LockScope::System).await?;
        let person = person::ActiveModel {
            display_name: Set(display_name),
            locale: Set(locale.to_string()),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        txn.commit().await?;
        Ok(person.id)
    }

    pub async fn person_name(&self, person_id: i64) -> ServiceResult<String> {
        Ok(person::Entity::find_by_id(person_id)
            .one(self.db().conn())
            .await?
            .ok_or(ServiceError::NotFound("person"))?
            .display_name)
    }

    /// A person's language tag (cached: it is read on every turn and rarely changes).
    pub async fn person_locale(&self, person_id: i64) -> ServiceResult<String> {
        if let Some(locale) = self.inner.locales.get(&person_id).await {
            return Ok(locale);
        }
        let locale = person::Entity::find_by_id(person_id)
            .one(self.db().conn())
            .await?
            .map(|p| p.locale)
            .unwrap_or_else(|| "en".into());
        self.inner.locales.insert(person_id, locale.clone()).await;
        Ok(locale)
    }

    /// Links a channel identity to a person (idempotent for the same person).
    pub async fn link_identity(
        &self,
        person_id: i64,
        kind: IdentityKind,
        external_id: &str,
        verified: bool,
    ) -> ServiceResult<()> {
        if let Some(existing) = self.resolve_identity(kind, external_id).await? {
            if existing == person_id {
                return Ok(());
            }
            return Err(Problem::IdentityTaken.into());
        }
        let txn = self.db().write(LockScope::System).await?;
        identity::ActiveModel {
            person_id: Set(person_id),
            kind: Set(kind.as_str().to_string()),
            external_id: Set(external_id.to_string()),
            verified: Set(verified),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The person behind a channel identity, if known (cached: identities never move between people).
    pub async fn resolve_identity(
        &self,
        kind: IdentityKind,
        external_id: &str,
    ) -> ServiceResult<Option<i64>> {
        let key = (kind.as_str().to_string(), external_id.to_string());
        if let Some(person_id) = self.inner.identities.get(&key).await {
            return Ok(Some(person_id));
        }
        let found = identity::Entity::find()
            .filter(identity::Column::Kind.eq(kind.as_str()))
            .filter(identity::Column::ExternalId.eq(external_id))
            .one(self.db().conn())
            .await?;
        if let Some(identity) = &found {
            self.inner.identities.insert(key, identity.person_id).await;
        }
        Ok(found.map(|i| i.person_id))
    }

    /// The ids on one channel (e.g. Slack's `T…:U…`) of a family's active members: where a channel
    /// pushes a refreshed dashboard. Reads no health data.
    pub async fn member_identities(
        &self,
        family_id: i64,
        kind: IdentityKind,
    ) -> ServiceResult<Vec<String>> {
        let people: Vec<i64> = member::Entity::find()
            .filter(member::Column::FamilyId.eq(family_id))
            .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
            .all(self.db().conn())
            .await?
            .into_iter()
            .map(|m| m.person_id)
            .collect();
        Ok(identity::Entity::find()
            .filter(identity::Column::Kind.eq(kind.as_str()))
            .filter(identity::Column::PersonId.is_in(people))
            .all(self.db().conn())
            .await?
            .into_iter()
            .map(|i| i.external_id)
            .collect())
    }

    /// The children a member may act for (all of them; a caregiver's assigned ones), as ids and
    /// names, unaudited: for recognising names in what the member says, never for showing.
    pub async fn child_roster(&self, membership: &Membership) -> ServiceResult<Vec<(i64, String)>> {
        let key = (membership.family_id, membership.member_id);
        if let Some(roster) = self.inner.rosters.get(&key).await {
            return Ok(roster);
        }
        let rows = self
            .visible_children(
                self.db().conn(),
                membership.family_id,
                Some(membership.role),
                Some(membership.member_id),
            )
            .await?;
        let roster: Vec<(i64, String)> = rows.into_iter().map(|c| (c.id, c.name)).collect();
        self.inner.rosters.insert(key, roster.clone()).await;
        Ok(roster)
    }

    /// The families a person is an active member of.
    pub async fn memberships(&self, person_id: i64) -> ServiceResult<Vec<Membership>> {
        if let Some(memberships) = self.inner.memberships.get(&person_id).await {
            return Ok(memberships);
        }
        let members = member::Entity::find()
            .filter(member::Column::PersonId.eq(person_id))
            .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
            .order_by_asc(member::Column::Id)
            .all(self.db().conn())
            .await?;
        let mut out = Vec::with_capacity(members.len());
        for m in members {
            let info = self.family_info(m.family_id).await?;
            out.push(Membership {
                member_id: m.id,
                family_id: m.family_id,
                family_name: info.name,
                role: m.role.parse().unwrap_or(Role::Viewer),
            });
        }
        self.inner.memberships.insert(person_id, out.clone()).await;
        Ok(out)
    }

    /// Adds a person to a family directly (operator only: seeding, admin). People join with invites.
    pub async fn add_member(
        &self,
        actor: &Actor,
        family_id: i64,
        person_id: i64,
        role: Role,
    ) -> ServiceResult<i64> {
        let (txn, auth) = self
            .begin(actor, Permission::ManageMembers, Target::Family(family_id))
            .await?;
        if !auth.permits(Permission::AddMemberDirectly, Scope::Family) {
            // Even a guardian may not add someone without their consent: the refusal is audited.
            let target = Target::Family(family_id);
            return Err(self
                .refuse(txn, actor, &auth, Permission::ManageMembers, target)
                .await);
        }
        let member = insert_member(&txn, family_id, person_id, role, self.now()).await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "member.add",
            format!("member:{}", member.id),
        )
        .await?;
        self.forget_names(family_id).await;
        self.forget_memberships(person_id).await;
        Ok(member.id)
    }

    /// Makes a one-time invite code for `role` (guardians only).
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn create_invite(
        &self,
        actor: &Actor,
        family_id: i64,
        role: Role,
    ) -> ServiceResult<IssuedInvite> {
        let (_, issued) = self
            .authorized_as(
                actor,
                Permission::ManageMembers,
                Target::Family(family_id),
                "invite.create",
                |(id, _)| format!("invite:{id}"),
                async |txn, auth| {
                    self.insert_invite(txn, family_id, role, auth.member_id, None)
                        .await
                },
            )
            .await?;
        Ok(issued)
    }

    /// Writes a new invite (in the caller's authorized transaction), optionally addressed to a
    /// phone and a name; the code is returned once, only its hash kept.
    pub(super) async fn insert_invite(
        &self,
        txn: &crate::db::WriteTxn,
        family_id: i64,
        role: Role,
        created_by: Option<i64>,
        addressed: Option<(&crate::domain::Phone, &str)>,
    ) -> ServiceResult<(i64, IssuedInvite)> {
        let code = new_code();
        let now = self.now();
        let expires_at = now + self.inner.invite_ttl;
        let row = invite::ActiveModel {
            family_id: Set(family_id),
            code_hash: Set(hash_code(&code)),
            role: Set(role.as_str().to_string()),
            created_by_member_id: Set(created_by),
            expires_at: Set(expires_at),
            created_at: Set(now),
            phone: Set(addressed.map(|(phone, _)| phone.as_str().to_string())),
            invitee_name: Set(addressed.map(|(_, name)| name.to_string())),
            ..Default::default()
        }
        .insert(&**txn)
        .await?;
        Ok((
            row.id,
            IssuedInvite {
                code,
                role,
                expires_at,
            },
        ))
    }

    /// Redeems an invite code: the person becomes an active member with the invite's role.
    ///
    /// Unless they got too many codes wrong lately, or everyone did ([`crate::join_tries`]): then
    /// the code is not looked at, the refusal is audited (`invite.redeem`, denied, in the system
    /// chain: no family is known), and they are told how long to wait. A wrong, used or expired
    /// code counts as a wrong one. The count and the check are one transaction under the system
    /// lock, so two bots cannot both let a sender's sixth try through.
    #[tracing::instrument(skip(self, code))]
    pub async fn join(
        &self,
        person_id: i64,
        code: &str,
        channel: crate::domain::Channel,
    ) -> ServiceResult<Membership> {
        let now = self.now();
        let since = now - join_tries::WINDOW;
        let txn = self.db().write(LockScope::System).await?;
        let mine: Vec<_> = join_failure::Entity::find()
            .filter(join_failure::Column::PersonId.eq(person_id))
            .filter(join_failure::Column::FailedAt.gt(since))
            .all(&*txn)
            .await?
            .into_iter()
            .map(|row| row.failed_at)
            .collect();
        let everyone = join_failure::Entity::find()
            .filter(join_failure::Column::FailedAt.gt(since))
            .count(&*txn)
            .await?;
        if let Some(wait) = join_tries::wait(&mine, everyone, now) {
            let actor = format!("person:{person_id}");
            audit::append(
                &*txn,
                self.db().chain_heads(),
                AuditRecord {
                    family_id: None,
                    actor: actor.clone(),
                    action: "invite.redeem",
                    // No invite was looked up.
                    subject: "invite".into(),
                    channel,
                    outcome: Outcome::Denied,
                },
                now,
            )
            .await?;
            txn.commit().await?;
            tracing::info!(person_id, limit = ?wait.limit, "join refused: too many wrong invite codes");
            return Err(Problem::TooManyJoinTries {
                limit: wait.limit,
                minutes: wait.minutes,
            }
            .into());
        }
        let found = invite::Entity::find()
            .filter(invite::Column::CodeHash.eq(hash_code(code)))
            .one(&*txn)
            .await?;
        let wrong = match &found {
            None => Problem::InviteInvalid,
            Some(invite) if invite.used_at.is_some() => Problem::InviteUsed,
            Some(invite) if invite.expires_at < now => Problem::InviteExpired,
            Some(invite) => {
                drop(txn);
                return self.redeem(person_id, invite, channel).await;
            }
        };
        // Older ones no longer count: the table holds a window's worth.
        join_failure::Entity::delete_many()
            .filter(join_failure::Column::FailedAt.lte(since))
            .exec(&*txn)
            .await?;
        join_failure::ActiveModel {
            person_id: Set(person_id),
            failed_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        txn.commit().await?;
        if everyone + 1 == join_tries::FLOOD {
            tracing::warn!(
                window_minutes = join_tries::WINDOW.num_minutes(),
                "many wrong invite codes from many senders: each may get one wrong until it eases"
            );
        }
        Err(wrong.into())
    }

    /// Makes the person a member by an invite found by its code or its phone number.
    pub(super) async fn redeem(
        &self,
        person_id: i64,
        found: &invite::Model,
        channel: crate::domain::Channel,
    ) -> ServiceResult<Membership> {
        let txn = self.db().write(LockScope::Family(found.family_id)).await?;
        // Re-read under the family lock so one code cannot be redeemed twice.
        let invite = invite::Entity::find_by_id(found.id)
            .one(&*txn)
            .await?
            .ok_or(Problem::InviteInvalid)?;
        let now = self.now();
        if invite.used_at.is_some() {
            return Err(Problem::InviteUsed.into());
        }
        if invite.expires_at < now {
            return Err(Problem::InviteExpired.into());
        }
        let role: Role = invite.role.parse().unwrap_or(Role::Viewer);
        let existing = member::Entity::find()
            .filter(member::Column::FamilyId.eq(invite.family_id))
            .filter(member::Column::PersonId.eq(person_id))
            .one(&*txn)
            .await?;
        let member_id = match existing {
            Some(m) if m.status == MemberStatus::Active.as_str() => {
                return Err(Problem::AlreadyMember.into())
            }
            Some(m) => {
                let mut active: member::ActiveModel = m.into();
                active.role = Set(role.as_str().to_string());
                active.status = Set(MemberStatus::Active.as_str().to_string());
                active.update(&*txn).await?.id
            }
            None => {
                insert_member(&txn, invite.family_id, person_id, role, now)
                    .await?
                    .id
            }
        };
        let mut used: invite::ActiveModel = invite.clone().into();
        used.used_at = Set(Some(now));
        used.used_by_person_id = Set(Some(person_id));
        used.update(&*txn).await?;
        let auth = Authorized {
            family_id: invite.family_id,
            member_id: Some(member_id),
            role: Some(role),
            actor_ref: format!("member:{member_id}"),
        };
        let actor = Actor::person(person_id, channel);
        self.commit_audited(
            txn,
            &auth,
            &actor,
            "invite.redeem",
            format!("invite:{}", invite.id),
        )
        .await?;
        self.forget_names(invite.family_id).await;
        self.forget_memberships(person_id).await;
        let info = self.family_info(invite.family_id).await?;
        Ok(Membership {
            member_id,
            family_id: invite.family_id,
            family_name: info.name,
            role,
        })
    }

    /// Changes a person's language (en now; es and more as the catalogue grows).
    pub async fn set_locale(&self, person_id: i64, locale: &str) -> ServiceResult<()> {
        let person = person::Entity::find_by_id(person_id)
            .one(self.db().conn())
            .await?
            .ok_or(ServiceError::NotFound("person"))?;
        let txn = self.db().write(LockScope::System).await?;
        let mut active: person::ActiveModel = person.into();
        active.locale = Set(locale.to_string());
        active.update(&*txn).await?;
        txn.commit().await?;
        self.inner
            .locales
            .insert(person_id, locale.to_string())
            .await;
        Ok(())
    }

    /// Child ids in a family (operator tools, demo seeding).
    pub async fn child_ids(&self, family_id: i64) -> ServiceResult<Vec<i64>> {
        Ok(child::Entity::find()
            .filter(child::Column::FamilyId.eq(family_id))
            .order_by_asc(child::Column::Id)
            .all(self.db().conn())
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect())
    }

    /// The invite lifetime, for messages.
    pub fn invite_ttl(&self) -> Duration {
        self.inner.invite_ttl
    }
}

async fn insert_member(
    txn: &crate::db::WriteTxn,
    family_id: i64,
    person_id: i64,
    role: Role,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<member::Model> {
    let existing = member::Entity::find()
        .filter(member::Column::FamilyId.eq(family_id))
        .filter(member::Column::PersonId.eq(person_id))
        .one(&**txn)
        .await?;
    if existing.is_some() {
        return Err(Problem::AlreadyMember.into());
    }
    Ok(member::ActiveModel {
        family_id: Set(family_id),
        person_id: Set(person_id),
        role: Set(role.as_str().to_string()),
        status: Set(MemberStatus::Active.as_str().to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&**txn)
    .await?)
}
