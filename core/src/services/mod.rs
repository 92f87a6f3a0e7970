//! Domain services: the only way anything reads or writes the record.
//!
//! Every call takes an [`Actor`], runs inside one write transaction serialized per family, asks the one
//! authorization policy ([`crate::auth::allows`]), does its work, and appends an audit event in the same
//! transaction. A denied call changes nothing and is audited in a transaction of its own. No Slack,
//! Twilio or terminal type appears here: channels call these through the conversation engine.
//!
//! A plain call is that sentence in one helper, `Services::authorized` (or `authorized_as`, for a
//! call audited under its own action name); the calls that refuse, or audit something else, on
//! their way (logging a dose, voiding one, an erasure) open the transaction with
//! `Services::begin` and write their audit events themselves.
//!
//! # Layout
//! - `family`: families, people, identities, members, invites, caregiver assignments.
//! - `care`: the public face of the children's record: re-exports the types of the modules below, so
//!   callers name them `services::care::…` wherever they live.
//!   - `children`: children, allergies, conditions; which children a caregiver sees.
//!   - `medications`: medications and their course dates.
//!   - `doses`: doses as people read them, the dose-safety check's one loader, "can she have it?",
//!     recent doses, voiding.
//!   - `log_dose`: writing a dose under the dose-safety rules, and alerting the guardians.
//!   - `measurements`: temperatures (with fever guidance), weights, heights.
//!   - `notes`: notes about a child.
//!   - `alerts`: the alerts waiting for a member, and handing them over.
//! - `dashboard`: the family at a glance, in one authorized read.
//! - `emergency`: what the red-flag screen knows of the children; raising an emergency.
//! - `shifts`: clock in / clock out (with the handoff report to the guardians), and the forgotten
//!   clock-outs the scheduler asks about.
//! - `nanny`: a nanny's profile, certifications and scheduled shifts; the family's payroll week.
//! - `hours`: the month's hours and overtime per nanny, and the payroll CSV (arithmetic in
//!   `crate::hours`).
//! - `handoff`: the end-of-shift report, built from the shift's records.
//! - `export`: everything a family has, as JSON or a FHIR R4 bundle.
//! - `erase`: GDPR erasure of a member or a whole family.

mod alerts;
mod approvals;
pub mod assistant;
pub mod care;
mod children;
mod courses;
pub mod dashboard;
mod doses;
pub mod emergency;
pub mod erase;
pub mod export;
pub mod family;
pub mod handoff;
pub mod hours;
mod log_dose;
mod measurements;
mod medications;
mod members;
pub mod nanny;
mod notes;
pub mod phones;
pub mod records;
pub mod reminders;
pub mod shifts;
mod versions;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{caregiver_assignment, child, family as family_entity, member};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};

use crate::audit::{self, AuditRecord, Outcome};
use crate::auth::{allows, Actor, ActorKind, Permission, Scope, Standing};
use crate::clock::Clock;
use crate::crypto::{CryptoError, Keyring};
use crate::db::{Database, LockScope, WriteTxn};
use crate::domain::{AmountError, MemberStatus, Role, TemperatureError};

/// A request that cannot be carried out as asked; each variant is something the person can fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("amount: {0}")]
    Amount(#[from] AmountError),
    #[error("temperature: {0}")]
    Temperature(#[from] TemperatureError),
    #[error("{medication} is measured in {expected}, not {given}")]
    UnitMismatch {
        medication: String,
        expected: &'static str,
        given: &'static str,
    },
    #[error("the time is in the future")]
    FutureTime,
    #[error("the time is more than {days} days ago")]
    TooFarInPast { days: i64 },
    #[error("the text is empty")]
    EmptyText,
    #[error("the text is longer than {max} characters")]
    TextTooLong { max: usize },
    #[error("the name is empty or too long")]
    BadName,
    #[error("{0:?} is not a time zone")]
    BadTimezone(String),
    #[error("{0:?} is not a two-letter country code")]
    BadCountry(String),
    #[error("the invite code is not valid")]
    InviteInvalid,
    #[error("the invite code has expired")]
    InviteExpired,
    #[error("the invite code was already used")]
    InviteUsed,
    #[error("already a member of that family")]
    AlreadyMember,
    #[error("{medication} is not active (course ended: {ended_on:?})")]
    MedicationInactive {
        medication: String,
        /// When its course ended (stopped); `None` while it is paused.
        ended_on: Option<chrono::NaiveDate>,
    },
    #[error("{medication} is outside its course dates")]
    OutsideCourse {
        medication: String,
        starts_on: Option<chrono::NaiveDate>,
        ends_on: Option<chrono::NaiveDate>,
    },
    #[error("the dose was already voided")]
    AlreadyVoided,
    #[error("not on shift")]
    NotOnShift,
    #[error("already on shift")]
    AlreadyOnShift,
    #[error("only members of the family have shifts")]
    NotAMember,
    #[error("the birth date is not plausible")]
    ImplausibleBirthDate,
    #[error("the family already has a child called {0:?}")]
    DuplicateChild(String),
    #[error("severity {0:?}: use mild, moderate, severe or unknown")]
    BadSeverity(String),
    #[error("unknown measurement {0:?}: weight or height")]
    UnknownMeasurement(String),
    #[error("{value} {unit} is not a plausible {kind}")]
    ImplausibleMeasurement {
        kind: &'static str,
        value: f64,
        unit: &'static str,
    },
    #[error("several families are called {0:?}; use the family id")]
    AmbiguousFamily(String),
    #[error("that identity already belongs to someone else")]
    IdentityTaken,
    #[error("that is the family's last active guardian: a family cannot be left without one, so erase the whole family instead")]
    LastGuardian,
    #[error("a medication needs an active ingredient with its strength")]
    NoIngredient,
    #[error("the minimum interval must be between 30 minutes and 7 days")]
    IntervalOutOfRange,
    #[error("strength {0:?} should look like \"160 mg/5 ml\"")]
    BadStrength(String),
    #[error("the course ends before it starts")]
    CourseEndsBeforeStart,
    #[error("{medication} is not approved by a guardian (denied: {denied})")]
    MedicationNotApproved { medication: String, denied: bool },
    #[error("{medication} is not waiting for approval")]
    NotAwaitingApproval { medication: String },
    /// The approval named a proposal a newer one replaced: the guardian is shown the newer one.
    #[error("the proposal for {medication} was replaced by a newer one")]
    ApprovalReplaced { medication: String },
    #[error("{medication}'s course already ended on {on}")]
    CourseAlreadyEnded {
        medication: String,
        on: chrono::NaiveDate,
    },
    #[error("{medication} is already paused")]
    AlreadyPaused { medication: String },
    #[error("{medication} is not paused")]
    NotPaused { medication: String },
    #[error("that membership was revoked")]
    MemberRevoked,
    #[error("the member already has that role")]
    AlreadyInRole,
    #[error("only a caregiver is assigned to children")]
    NotACaregiver,
    #[error("a vaccination before {child}'s birth ({born})")]
    VaccinatedBeforeBirth {
        child: String,
        born: chrono::NaiveDate,
    },
    #[error("a vaccine dose number must be from 1 to 10")]
    BadDoseNumber,
    #[error("an appointment must be ahead, within two years")]
    AppointmentNotAhead,
    #[error("{0:?} is not a phone number")]
    BadPhone(String),
    #[error("{0} is already in active care")]
    AlreadyInCare(String),
    #[error("{0} is not in active care")]
    NotInCare(String),
    #[error("that WhatsApp number is already linked to this person")]
    AlreadyLinked,
    #[error("the code is wrong ({left} tries left)")]
    LinkCodeWrong { left: i32 },
    #[error("the code was tried too many times")]
    LinkCodeSpent,
    /// Too many wrong invite codes (`crate::join_tries`): this code was not looked at.
    #[error("too many wrong invite codes: wait {minutes} minutes ({limit:?})")]
    TooManyJoinTries {
        limit: crate::join_tries::JoinLimit,
        minutes: i64,
    },
    #[error("a rate must be more than 0 and at most 1000 an hour")]
    BadRate,
    #[error("a scheduled shift needs days and a start and end time that differ")]
    BadSchedule,
    #[error("the clock-out time is before the shift started")]
    ClockOutBeforeClockIn,
}

/// What can go wrong in a service call.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The actor may not do this (audited).
    #[error("not allowed")]
    Denied,
    /// The thing asked about does not exist (`what` names its kind).
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] Problem),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A stored or built document (an alert, a dose's amounts) could not be written or read.
    #[error("serialization: {0}")]
    Serialization(#[from] serde_json::Error),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// What a family is, for rendering: cached, since every reply needs its time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyInfo {
    pub id: i64,
    pub name: String,
    pub timezone: chrono_tz::Tz,
    pub country: String,
}

impl From<family_entity::Model> for FamilyInfo {
    fn from(family: family_entity::Model) -> Self {
        Self {
            id: family.id,
            // An unknown zone reads as UTC rather than failing every call for the family.
            timezone: family.timezone.parse().unwrap_or(chrono_tz::UTC),
            name: family.name,
            country: family.country,
        }
    }
}

/// An authorized call's context inside its transaction.
#[derive(Debug, Clone)]
pub struct Authorized {
    pub family_id: i64,
    pub member_id: Option<i64>,
    pub role: Option<Role>,
    /// Pseudonymous actor id for the audit trail.
    pub actor_ref: String,
}

impl Authorized {
    /// Whether the one policy ([`crate::auth::allows`]) lets this already-authorized caller do
    /// `permission` too: for the rules inside a call (guardian-only conditions, voiding someone
    /// else's dose, adding a member directly). The operator (no role) may.
    pub(crate) fn permits(&self, permission: Permission, scope: Scope) -> bool {
        match self.role {
            None => true,
            Some(role) => allows(
                Standing::Member {
                    role,
                    status: MemberStatus::Active,
                },
                permission,
                scope,
            ),
        }
    }
}

/// What a call is about, so the family (and a caregiver's assignment) can be found.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Family(i64),
    Child(i64),
}

pub(crate) struct Inner {
    pub db: Database,
    pub keys: Keyring,
    pub clock: Arc<dyn Clock>,
    pub invite_ttl: chrono::Duration,
    families: moka::future::Cache<i64, FamilyInfo>,
    identities: moka::future::Cache<(String, String), i64>,
    /// child → family: never changes for a child (ids are never reused), read on every child call.
    child_families: moka::future::Cache<i64, i64>,
    /// person → language tag, read on every turn; changed only by `set_locale` (which updates it).
    pub(crate) locales: moka::future::Cache<i64, String>,
    /// family → display names, read on every dose reply (see [`NameBook`]).
    names: moka::future::Cache<i64, Arc<NameBook>>,
    /// What every turn reads to understand a message, before any authorized call: person → their
    /// families, and (family, member) → the children they may name. Forgotten here when this
    /// process changes them; a change made by another process (an admin command) is seen within
    /// [`ROUTING_TTL`]. Only routing and parsing use them: every call is authorized again inside
    /// its transaction, so a stale entry can mis-route a message for a few seconds, never let
    /// anyone read or write what they may not.
    pub(crate) memberships: moka::future::Cache<i64, Vec<family::Membership>>,
    pub(crate) rosters: moka::future::Cache<(i64, i64), Vec<(i64, String)>>,
}

/// How long another process's change to memberships or children can go unseen by routing.
pub const ROUTING_TTL: Duration = Duration::from_secs(10);

/// Display names in one family — members, children, medications — for replies ("Luis gave Emma 5 ml
/// Children's Tylenol"). Names are set when a row is created and never changed, so a family's book
/// stays right until the family gains someone or something (this process forgets the book at once;
/// a view asking for an id the book lacks reloads it; otherwise it expires after a minute) or
/// loses it (erasure forgets it). Reading it costs no statement, and every statement is a round trip.
#[derive(Debug, Default)]
pub(crate) struct NameBook {
    pub members: std::collections::HashMap<i64, String>,
    pub children: std::collections::HashMap<i64, String>,
    pub medications: std::collections::HashMap<i64, String>,
}

/// A cache of at most `capacity` entries, each kept for `ttl`.
pub(crate) fn expiring<K, V>(capacity: u64, ttl: Duration) -> moka::future::Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    moka::future::Cache::builder()
        .max_capacity(capacity)
        .time_to_live(ttl)
        .build()
}

/// The domain services. Cheap to clone: share one per process.
#[derive(Clone)]
pub struct Services {
    pub(crate) inner: Arc<Inner>,
}

impl Services {
    pub fn new(db: Database, keys: Keyring, clock: Arc<dyn Clock>, invite_ttl_hours: u32) -> Self {
        // Five minutes for facts that change rarely and are forgotten on change in this process.
        const FACTS: Duration = Duration::from_secs(300);
        // A family's country and time zone decide the emergency number it is told: a change made
        // by another process (the bridge, an admin command, another bot) is seen within a minute.
        let families = expiring(10_000, Duration::from_secs(60));
        let identities = expiring(100_000, FACTS);
        let child_families = moka::future::Cache::builder()
            .max_capacity(1_000_000)
            .build();
        let locales = expiring(100_000, FACTS);
        let names = expiring(10_000, Duration::from_secs(60));
        let memberships = expiring(100_000, ROUTING_TTL);
        let rosters = moka::future::Cache::builder()
            .max_capacity(100_000)
            .time_to_live(ROUTING_TTL)
            .support_invalidation_closures()
            .build();
        Self {
            inner: Arc::new(Inner {
                db,
                keys,
                clock,
                invite_ttl: chrono::Duration::hours(i64::from(invite_ttl_hours)),
                families,
                identities,
                child_families,
                locales,
                names,
                memberships,
                rosters,
            }),
        }
    }

    pub fn db(&self) -> &Database {
        &self.inner.db
    }

    pub fn keys(&self) -> &Keyring {
        &self.inner.keys
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// The family's name, time zone and country (cached for five minutes; changes invalidate it).
    pub async fn family_info(&self, family_id: i64) -> ServiceResult<FamilyInfo> {
        if let Some(info) = self.inner.families.get(&family_id).await {
            return Ok(info);
        }
        let family = family_entity::Entity::find_by_id(family_id)
            .one(self.inner.db.conn())
            .await?
            .ok_or(ServiceError::NotFound("family"))?;
        let info = FamilyInfo::from(family);
        self.inner.families.insert(family_id, info.clone()).await;
        Ok(info)
    }

    /// [`Services::family_info`] for several families: the ones not remembered are read in one
    /// query. A family that does not exist is left out.
    pub async fn families_info(
        &self,
        family_ids: &[i64],
    ) -> ServiceResult<HashMap<i64, FamilyInfo>> {
        let mut known = HashMap::with_capacity(family_ids.len());
        let mut missing = Vec::new();
        for &id in family_ids {
            match self.inner.families.get(&id).await {
                Some(info) => {
                    known.insert(id, info);
                }
                None => missing.push(id),
            }
        }
        if missing.is_empty() {
            return Ok(known);
        }
        for family in family_entity::Entity::find()
            .filter(family_entity::Column::Id.is_in(missing))
            .all(self.inner.db.conn())
            .await?
        {
            let info = FamilyInfo::from(family);
            self.inner.families.insert(info.id, info.clone()).await;
            known.insert(info.id, info);
        }
        Ok(known)
    }

    pub(crate) async fn forget_family(&self, family_id: i64) {
        self.inner.families.invalidate(&family_id).await;
        self.forget_names(family_id).await;
        self.forget_rosters(family_id);
        // Erasure is rare: forgetting everyone's memberships is simpler than finding the members.
        self.inner.memberships.invalidate_all();
        // Erasure is rare: forgetting every child's family is simpler than finding this family's.
        self.inner.child_families.invalidate_all();
    }

    pub(crate) async fn forget_identities(&self) {
        self.inner.identities.invalidate_all();
        self.inner.names.invalidate_all();
        self.inner.memberships.invalidate_all();
        self.inner.rosters.invalidate_all();
    }

    /// Forgets a family's [`NameBook`]: call after it gains a member, a child or a medication.
    pub(crate) async fn forget_names(&self, family_id: i64) {
        self.inner.names.invalidate(&family_id).await;
    }

    /// Forgets a person's cached families: call after they join, leave or are added or revoked.
    pub(crate) async fn forget_memberships(&self, person_id: i64) {
        self.inner.memberships.invalidate(&person_id).await;
    }

    /// Forgets the cached child rosters of a family: call after a child or an assignment changes.
    pub(crate) fn forget_rosters(&self, family_id: i64) {
        // Only fails if the cache was built without closure support, which `new` does not do.
        let _ = self
            .inner
            .rosters
            .invalidate_entries_if(move |(family, _), _| *family == family_id);
    }

    /// The family a target belongs to.
    pub(crate) async fn family_of(&self, target: Target) -> ServiceResult<i64> {
        match target {
            Target::Family(id) => Ok(id),
            Target::Child(child_id) => {
                if let Some(family_id) = self.inner.child_families.get(&child_id).await {
                    return Ok(family_id);
                }
                let family_id = child::Entity::find_by_id(child_id)
                    .one(self.inner.db.conn())
                    .await?
                    .ok_or(ServiceError::NotFound("child"))?
                    .family_id;
                self.inner.child_families.insert(child_id, family_id).await;
                Ok(family_id)
            }
        }
    }

    /// A refusal decided before any call — the machine says "guardians only" without a lookup, so a
    /// caregiver is not asked six questions she could never save — is checked and audited here as
    /// the call itself would be: through [`Services::begin`], the one place a denial is audited.
    /// (When the policy would in fact allow it, nothing is written: the person's role changed a
    /// moment ago and the routing cache had not seen it.)
    pub async fn record_refusal(
        &self,
        actor: &Actor,
        permission: Permission,
        target: Target,
    ) -> ServiceResult<()> {
        match self.begin(actor, permission, target).await {
            Ok((txn, _)) => {
                drop(txn);
                Ok(())
            }
            Err(ServiceError::Denied) => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// Opens the family's write transaction and authorizes `permission` on `target` inside it (so a
    /// revocation committed a moment ago is seen). A denial is audited and returned as `Denied`.
    pub(crate) async fn begin(
        &self,
        actor: &Actor,
        permission: Permission,
        target: Target,
    ) -> ServiceResult<(WriteTxn, Authorized)> {
        let family_id = self.family_of(target).await?;
        let txn = self.inner.db.write(LockScope::Family(family_id)).await?;
        let (standing, member_id) = match actor.kind {
            ActorKind::Operator => {
                return Ok((
                    txn,
                    Authorized {
                        family_id,
                        member_id: None,
                        role: None,
                        actor_ref: "operator".into(),
                    },
                ))
            }
            ActorKind::Person(person_id) => {
                let membership = member::Entity::find()
                    .filter(member::Column::FamilyId.eq(family_id))
                    .filter(member::Column::PersonId.eq(person_id))
                    .one(&*txn)
                    .await?;
                match membership {
                    Some(m) => (
                        Standing::Member {
                            role: m.role.parse().unwrap_or(Role::Viewer),
                            status: MemberStatus::parse(&m.status),
                        },
                        Some(m.id),
                    ),
                    None => (Standing::Outsider, None),
                }
            }
        };
        let scope = match target {
            Target::Family(_) => Scope::Family,
            Target::Child(child_id) => {
                // Only a caregiver's reach depends on assignments: skip the query for everyone else.
                let is_caregiver = matches!(
                    standing,
                    Standing::Member {
                        role: Role::Caregiver,
                        ..
                    }
                );
                let assigned = match member_id.filter(|_| is_caregiver) {
                    Some(member_id) => caregiver_assignment::Entity::find()
                        .filter(caregiver_assignment::Column::MemberId.eq(member_id))
                        .filter(caregiver_assignment::Column::ChildId.eq(child_id))
                        .one(&*txn)
                        .await?
                        .is_some(),
                    None => false,
                };
                Scope::Child { assigned }
            }
        };
        let actor_ref = actor_ref(actor, member_id);
        if !allows(standing, permission, scope) {
            drop(txn);
            self.audit_denied(actor, &actor_ref, permission, family_id, target)
                .await?;
            return Err(ServiceError::Denied);
        }
        let role = match standing {
            Standing::Member { role, .. } => Some(role),
            Standing::Outsider => None,
        };
        Ok((
            txn,
            Authorized {
                family_id,
                member_id,
                role,
                actor_ref,
            },
        ))
    }

    async fn audit_denied(
        &self,
        actor: &Actor,
        actor_ref: &str,
        permission: Permission,
        family_id: i64,
        target: Target,
    ) -> ServiceResult<()> {
        let txn = self.inner.db.write(LockScope::Family(family_id)).await?;
        audit::append(
            &*txn,
            self.inner.db.chain_heads(),
            AuditRecord {
                family_id: Some(family_id),
                actor: actor_ref.to_string(),
                action: permission.action(),
                subject: subject_of(target),
                channel: actor.channel,
                outcome: Outcome::Denied,
            },
            self.now(),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(family_id, action = permission.action(), "denied");
        Ok(())
    }

    /// Denies a call that the policy let through [`Services::begin`] but that the operation itself
    /// forbids (a caregiver voiding someone else's dose, a person adding members directly). Takes the
    /// call's transaction so it is rolled back before the denial is audited in a transaction of its
    /// own (both need the family's lock), exactly like a denial in `begin`.
    pub(crate) async fn refuse(
        &self,
        txn: WriteTxn,
        actor: &Actor,
        auth: &Authorized,
        permission: Permission,
        target: Target,
    ) -> ServiceError {
        drop(txn);
        match self
            .audit_denied(actor, &auth.actor_ref, permission, auth.family_id, target)
            .await
        {
            Ok(()) => ServiceError::Denied,
            Err(e) => e,
        }
    }

    /// Appends the audit event of an authorized call.
    pub(crate) async fn audit(
        &self,
        txn: &WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        action: &'static str,
        subject: String,
        outcome: Outcome,
    ) -> ServiceResult<()> {
        audit::append(
            &**txn,
            self.inner.db.chain_heads(),
            AuditRecord {
                family_id: Some(auth.family_id),
                actor: auth.actor_ref.clone(),
                action,
                subject,
                channel: actor.channel,
                outcome,
            },
            self.now(),
        )
        .await?;
        Ok(())
    }

    /// Appends the call's `ok` audit event and commits: the last step of every successful call.
    pub(crate) async fn commit_audited(
        &self,
        txn: WriteTxn,
        auth: &Authorized,
        actor: &Actor,
        action: &'static str,
        subject: String,
    ) -> ServiceResult<()> {
        self.audit(&txn, auth, actor, action, subject, Outcome::Ok)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The whole of a plain call: [`Services::begin`] (a denial is audited and returned), then `work`
    /// inside the family's transaction, then the `ok` audit event named by [`Permission::action`]
    /// about `subject(&result)`, and commit. When `work` fails nothing is written, nor audited.
    pub(crate) async fn authorized<T>(
        &self,
        actor: &Actor,
        permission: Permission,
        target: Target,
        subject: impl FnOnce(&T) -> String,
        work: impl AsyncFnOnce(&WriteTxn, &Authorized) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        self.authorized_as(
            actor,
            permission,
            target,
            permission.action(),
            subject,
            work,
        )
        .await
    }

    /// [`Services::authorized`] for a call audited under its own `action` rather than its
    /// permission's: adding an allergy (`allergy.add`) needs `ManageChildren`, whose action is
    /// `children.manage`. Audit action names are persisted and read back, so they stay as they are.
    pub(crate) async fn authorized_as<T>(
        &self,
        actor: &Actor,
        permission: Permission,
        target: Target,
        action: &'static str,
        subject: impl FnOnce(&T) -> String,
        work: impl AsyncFnOnce(&WriteTxn, &Authorized) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        let (txn, auth) = self.begin(actor, permission, target).await?;
        let result = work(&txn, &auth).await?;
        self.commit_audited(txn, &auth, actor, action, subject(&result))
            .await?;
        Ok(result)
    }

    /// Display names of members, by member id (for "Luis gave ..."), with every id in `wanted`
    /// (reloading the family's book if one is missing: a member added by another process).
    pub(crate) async fn member_names<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        wanted: impl IntoIterator<Item = i64>,
    ) -> ServiceResult<std::collections::HashMap<i64, String>> {
        let wanted: Vec<i64> = wanted.into_iter().collect();
        let book = self
            .name_book(db, family_id, |book| {
                wanted.iter().all(|id| book.members.contains_key(id))
            })
            .await?;
        Ok(book.members.clone())
    }

    /// The family's [`NameBook`], from the cache when it is there and `complete` accepts it, else read
    /// in one statement.
    pub(crate) async fn name_book<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        complete: impl Fn(&NameBook) -> bool,
    ) -> ServiceResult<Arc<NameBook>> {
        if let Some(book) = self.inner.names.get(&family_id).await {
            if complete(&book) {
                return Ok(book);
            }
        }
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                "SELECT 'p' AS kind, m.id AS id, p.display_name AS name FROM members m \
                   JOIN people p ON p.id = m.person_id WHERE m.family_id = $1 \
                 UNION ALL SELECT 'c', id, name FROM children WHERE family_id = $1 \
                 UNION ALL SELECT 'm', md.id, md.name FROM medications md \
                   JOIN children c ON c.id = md.child_id WHERE c.family_id = $1",
                [family_id.into()],
            ))
            .await?;
        let mut book = NameBook::default();
        for row in rows {
            let kind: String = row.try_get("", "kind")?;
            let id: i64 = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            match kind.as_str() {
                "p" => book.members.insert(id, name),
                "c" => book.children.insert(id, name),
                _ => book.medications.insert(id, name),
            };
        }
        let book = Arc::new(book);
        self.inner.names.insert(family_id, book.clone()).await;
        Ok(book)
    }
}

/// Pseudonymous id of the actor for the audit trail.
fn actor_ref(actor: &Actor, member_id: Option<i64>) -> String {
    match (actor.kind, member_id) {
        (ActorKind::Operator, _) => "operator".into(),
        (ActorKind::Person(_), Some(member_id)) => format!("member:{member_id}"),
        (ActorKind::Person(person_id), None) => format!("person:{person_id}"),
    }
}

fn subject_of(target: Target) -> String {
    match target {
        Target::Family(id) => format!("family:{id}"),
        Target::Child(id) => format!("child:{id}"),
    }
}
