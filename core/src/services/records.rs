//! The rest of a child's record kept from chat: vaccinations, appointments and the family's
//! providers (the paediatrician and their phone), and removing an entry from any of the lists a
//! guardian keeps (allergies and conditions too). Reading is for everyone who cares for the child;
//! writing is the guardians' (`ManageChildren`). Free text about health (an appointment's purpose,
//! a vaccination's notes) is sealed at rest.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{allergy, appointment, child, condition, provider, vaccination};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};

use super::children::{AllergyView, ConditionView};
use super::{Problem, ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaccinationView {
    pub id: i64,
    pub child_id: i64,
    pub vaccine: String,
    pub dose_number: Option<i32>,
    pub given_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentView {
    pub id: i64,
    pub child_id: i64,
    pub starts_at: DateTime<Utc>,
    /// The provider's name, when the appointment is with one.
    pub with: Option<String>,
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderView {
    pub id: i64,
    pub name: String,
    pub specialty: Option<String>,
    pub phone: Option<String>,
}

/// One entry of the record, as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordItem {
    Allergy(AllergyView),
    Condition(ConditionView),
    Vaccination(VaccinationView),
    Appointment(AppointmentView),
    Provider(ProviderView),
}

impl RecordItem {
    pub fn entry(&self) -> RecordEntry {
        match self {
            RecordItem::Allergy(a) => RecordEntry::Allergy(a.id),
            RecordItem::Condition(c) => RecordEntry::Condition(c.id),
            RecordItem::Vaccination(v) => RecordEntry::Vaccination(v.id),
            RecordItem::Appointment(a) => RecordEntry::Appointment(a.id),
            RecordItem::Provider(p) => RecordEntry::Provider(p.id),
        }
    }

    /// The words a person may name the entry by ("peanuts", "MMR", "Dr Patel", "checkup").
    pub fn names(&self) -> Vec<&str> {
        match self {
            RecordItem::Allergy(a) => vec![a.allergen.as_str()],
            RecordItem::Condition(c) => vec![c.name.as_str()],
            RecordItem::Vaccination(v) => vec![v.vaccine.as_str()],
            RecordItem::Appointment(a) => a
                .with
                .iter()
                .chain(a.purpose.iter())
                .map(String::as_str)
                .collect(),
            RecordItem::Provider(p) => p
                .specialty
                .iter()
                .map(String::as_str)
                .chain([p.name.as_str()])
                .collect(),
        }
    }
}

/// One entry of a child's (or the family's) record that a guardian can remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum RecordEntry {
    Allergy(i64),
    Condition(i64),
    Vaccination(i64),
    Appointment(i64),
    Provider(i64),
}

impl RecordEntry {
    fn audit_action(self) -> &'static str {
        match self {
            RecordEntry::Allergy(_) => "allergy.remove",
            RecordEntry::Condition(_) => "condition.remove",
            RecordEntry::Vaccination(_) => "vaccination.remove",
            RecordEntry::Appointment(_) => "appointment.remove",
            RecordEntry::Provider(_) => "provider.remove",
        }
    }

    fn change_action(self) -> &'static str {
        match self {
            RecordEntry::Allergy(_) => "allergy.change",
            RecordEntry::Condition(_) => "condition.change",
            RecordEntry::Vaccination(_) => "vaccination.change",
            RecordEntry::Appointment(_) => "appointment.change",
            RecordEntry::Provider(_) => "provider.change",
        }
    }

    fn subject(self) -> String {
        match self {
            RecordEntry::Allergy(id) => format!("allergy:{id}"),
            RecordEntry::Condition(id) => format!("condition:{id}"),
            RecordEntry::Vaccination(id) => format!("vaccination:{id}"),
            RecordEntry::Appointment(id) => format!("appointment:{id}"),
            RecordEntry::Provider(id) => format!("provider:{id}"),
        }
    }
}

/// Vaccines are given from birth; a dose number past this is a typo.
const MAX_VACCINE_DOSE: i32 = 10;
/// Appointments are booked months ahead, not years.
const APPOINTMENT_HORIZON_DAYS: i64 = 2 * 366;

/// A vaccine dose number is the card's: 1 to `MAX_VACCINE_DOSE`.
fn check_dose_number(dose_number: Option<i32>) -> ServiceResult<()> {
    if dose_number.is_some_and(|n| !(1..=MAX_VACCINE_DOSE).contains(&n)) {
        return Err(Problem::BadDoseNumber.into());
    }
    Ok(())
}

/// An appointment is ahead (an hour's grace, for "the appointment at 3" said at 3:10) and within
/// two years.
fn check_appointment_time(now: DateTime<Utc>, starts_at: DateTime<Utc>) -> ServiceResult<()> {
    if starts_at < now - chrono::Duration::hours(1)
        || starts_at > now + chrono::Duration::days(APPOINTMENT_HORIZON_DAYS)
    {
        return Err(Problem::AppointmentNotAhead.into());
    }
    Ok(())
}

/// A name or short label: one line (`domain::text::one_line`), not empty, at most `max` characters.
fn label(text: &str, max: usize) -> ServiceResult<String> {
    let text = crate::domain::text::one_line(text);
    if text.is_empty() || text.chars().count() > max {
        return Err(Problem::BadName.into());
    }
    Ok(text)
}

/// A phone number as people write it ("+1 (555) 010-2030"): digits with the usual separators,
/// 6 to 15 digits (E.164's maximum).
pub fn check_phone(text: &str) -> ServiceResult<String> {
    let text = text.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
    if !allowed || !(6..=15).contains(&digits) || text.chars().skip(1).any(|c| c == '+') {
        return Err(Problem::BadPhone(text.to_string()).into());
    }
    Ok(text.to_string())
}

impl Services {
    /// Records a vaccination: given on or after the child's birth and not in the future (in the
    /// family's time zone).
    pub async fn add_vaccination(
        &self,
        actor: &Actor,
        child_id: i64,
        vaccine: &str,
        given_on: NaiveDate,
        dose_number: Option<i32>,
    ) -> ServiceResult<i64> {
        let vaccine = label(vaccine, 80)?;
        check_dose_number(dose_number)?;
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Child(child_id),
            "vaccination.add",
            |id| format!("vaccination:{id}"),
            async |txn, auth| {
                let child = self.child_row(&**txn, child_id).await?;
                let family = self.family_info(auth.family_id).await?;
                let today = self.now().with_timezone(&family.timezone).date_naive();
                if given_on > today {
                    return Err(Problem::FutureTime.into());
                }
                if given_on < child.birth_date {
                    return Err(Problem::VaccinatedBeforeBirth {
                        child: child.name,
                        born: child.birth_date,
                    }
                    .into());
                }
                let row = vaccination::ActiveModel {
                    child_id: Set(child_id),
                    vaccine: Set(vaccine),
                    dose_number: Set(dose_number),
                    given_on: Set(given_on),
                    notes: Set(None),
                    created_at: Set(self.now()),
                    ..Default::default()
                }
                .insert(&**txn)
                .await?;
                Ok(row.id)
            },
        )
        .await
    }

    /// A child's vaccinations, oldest first.
    pub async fn vaccinations(
        &self,
        actor: &Actor,
        child_id: i64,
    ) -> ServiceResult<Vec<VaccinationView>> {
        let rows = self
            .authorized(
                actor,
                Permission::ViewVaccinations,
                Target::Child(child_id),
                |_| format!("child:{child_id}"),
                async |txn, _| {
                    Ok(vaccination::Entity::find()
                        .filter(vaccination::Column::ChildId.eq(child_id))
                        .order_by_asc(vaccination::Column::GivenOn)
                        .order_by_asc(vaccination::Column::Id)
                        .all(&**txn)
                        .await?)
                },
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|v| VaccinationView {
                id: v.id,
                child_id: v.child_id,
                vaccine: v.vaccine,
                dose_number: v.dose_number,
                given_on: v.given_on,
            })
            .collect())
    }

    /// Books an appointment, with a provider the family keeps (found by name, or added by it).
    /// It must be ahead (an hour's grace, for "the appointment at 3" said at 3:10) and within two
    /// years.
    pub async fn add_appointment(
        &self,
        actor: &Actor,
        child_id: i64,
        starts_at: DateTime<Utc>,
        with: Option<&str>,
        purpose: Option<&str>,
    ) -> ServiceResult<i64> {
        check_appointment_time(self.now(), starts_at)?;
        let with = with.map(|w| label(w, 80)).transpose()?;
        let purpose = purpose
            .map(|p| label(p, 200).map_err(|_| Problem::TextTooLong { max: 200 }))
            .transpose()?;
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Child(child_id),
            "appointment.add",
            |id| format!("appointment:{id}"),
            async |txn, auth| {
                let provider_id = match &with {
                    Some(name) => Some(self.provider_named(&**txn, auth.family_id, name).await?),
                    None => None,
                };
                let row = appointment::ActiveModel {
                    child_id: Set(child_id),
                    provider_id: Set(provider_id),
                    starts_at: Set(starts_at),
                    purpose: Set(self
                        .keys()
                        .seal_opt("appointments.purpose", purpose.as_deref())),
                    location: Set(None),
                    created_at: Set(self.now()),
                    ..Default::default()
                }
                .insert(&**txn)
                .await?;
                Ok(row.id)
            },
        )
        .await
    }

    /// The family's provider called `name` (any case), added if there is none yet.
    async fn provider_named<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        family_id: i64,
        name: &str,
    ) -> ServiceResult<i64> {
        let known = provider::Entity::find()
            .filter(provider::Column::FamilyId.eq(family_id))
            .all(db)
            .await?
            .into_iter()
            .find(|p| p.name.to_lowercase() == name.to_lowercase());
        if let Some(known) = known {
            return Ok(known.id);
        }
        let row = provider::ActiveModel {
            family_id: Set(family_id),
            name: Set(name.to_string()),
            specialty: Set(None),
            phone: Set(None),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(row.id)
    }

    /// A child's appointments from an hour ago on, soonest first.
    pub async fn appointments(
        &self,
        actor: &Actor,
        child_id: i64,
    ) -> ServiceResult<Vec<AppointmentView>> {
        let since = self.now() - chrono::Duration::hours(1);
        let (rows, providers) = self
            .authorized(
                actor,
                Permission::ViewAppointments,
                Target::Child(child_id),
                |_| format!("child:{child_id}"),
                async |txn, auth| {
                    let rows = appointment::Entity::find()
                        .filter(appointment::Column::ChildId.eq(child_id))
                        .filter(appointment::Column::StartsAt.gte(since))
                        .order_by_asc(appointment::Column::StartsAt)
                        .order_by_asc(appointment::Column::Id)
                        .all(&**txn)
                        .await?;
                    let providers = provider::Entity::find()
                        .filter(provider::Column::FamilyId.eq(auth.family_id))
                        .all(&**txn)
                        .await?;
                    Ok((rows, providers))
                },
            )
            .await?;
        rows.into_iter()
            .map(|a| {
                Ok(AppointmentView {
                    id: a.id,
                    child_id: a.child_id,
                    starts_at: a.starts_at,
                    with: a.provider_id.and_then(|id| {
                        providers
                            .iter()
                            .find(|p| p.id == id)
                            .map(|p| p.name.clone())
                    }),
                    purpose: self
                        .keys()
                        .open_opt("appointments.purpose", a.purpose.as_deref())?,
                })
            })
            .collect()
    }

    /// Adds one of the family's providers, or completes the one of that name (an appointment may
    /// have added it without a phone).
    pub async fn add_provider(
        &self,
        actor: &Actor,
        family_id: i64,
        name: &str,
        specialty: Option<&str>,
        phone: Option<&str>,
    ) -> ServiceResult<i64> {
        let name = label(name, 80)?;
        let specialty = specialty.map(|s| label(s, 60)).transpose()?;
        let phone = phone.map(check_phone).transpose()?;
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            Target::Family(family_id),
            "provider.add",
            |id| format!("provider:{id}"),
            async |txn, _| {
                let id = self.provider_named(&**txn, family_id, &name).await?;
                let mut row: provider::ActiveModel = provider::Entity::find_by_id(id)
                    .one(&**txn)
                    .await?
                    .ok_or(ServiceError::NotFound("provider"))?
                    .into();
                if specialty.is_some() {
                    row.specialty = Set(specialty);
                }
                if phone.is_some() {
                    row.phone = Set(phone);
                }
                row.update(&**txn).await?;
                Ok(id)
            },
        )
        .await
    }

    /// The family's providers, in the order they were added.
    pub async fn providers(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<Vec<ProviderView>> {
        let rows = self
            .authorized(
                actor,
                Permission::ViewProviders,
                Target::Family(family_id),
                |_| format!("family:{family_id}"),
                async |txn, _| {
                    Ok(provider::Entity::find()
                        .filter(provider::Column::FamilyId.eq(family_id))
                        .order_by_asc(provider::Column::Id)
                        .all(&**txn)
                        .await?)
                },
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|p| ProviderView {
                id: p.id,
                name: p.name,
                specialty: p.specialty,
                phone: p.phone,
            })
            .collect())
    }

    /// Removes one entry from a list the guardians keep (an allergy that was outgrown, an
    /// appointment cancelled...). Doses and measurements are never removed: a dose is voided.
    /// An entry of another family is "not found", whoever asks.
    pub async fn remove_record(
        &self,
        actor: &Actor,
        family_id: i64,
        entry: RecordEntry,
    ) -> ServiceResult<()> {
        let target = self.entry_target(family_id, entry).await?;
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            target,
            entry.audit_action(),
            |_| entry.subject(),
            async |txn, _| {
                let gone = match entry {
                    RecordEntry::Allergy(id) => {
                        allergy::Entity::delete_by_id(id).exec(&**txn).await?
                    }
                    RecordEntry::Condition(id) => {
                        condition::Entity::delete_by_id(id).exec(&**txn).await?
                    }
                    RecordEntry::Vaccination(id) => {
                        vaccination::Entity::delete_by_id(id).exec(&**txn).await?
                    }
                    RecordEntry::Appointment(id) => {
                        appointment::Entity::delete_by_id(id).exec(&**txn).await?
                    }
                    // Its appointments stay, without a provider (the schema sets it to null).
                    RecordEntry::Provider(id) => {
                        provider::Entity::delete_by_id(id).exec(&**txn).await?
                    }
                };
                if gone.rows_affected == 0 {
                    // Removed by someone else since it was looked up.
                    return Err(ServiceError::NotFound("record entry"));
                }
                Ok(())
            },
        )
        .await
    }

    /// The authorization target of an entry: its child, or the family for a provider. An entry of
    /// another family is "not found".
    async fn entry_target(&self, family_id: i64, entry: RecordEntry) -> ServiceResult<Target> {
        let target = match entry {
            RecordEntry::Provider(id) => {
                let row = provider::Entity::find_by_id(id)
                    .one(self.db().conn())
                    .await?
                    .filter(|p| p.family_id == family_id)
                    .ok_or(ServiceError::NotFound("provider"))?;
                Target::Family(row.family_id)
            }
            RecordEntry::Allergy(id) => {
                let row = allergy::Entity::find_by_id(id)
                    .one(self.db().conn())
                    .await?;
                self.child_target(row.map(|r| r.child_id), family_id, "allergy")
                    .await?
            }
            RecordEntry::Condition(id) => {
                let row = condition::Entity::find_by_id(id)
                    .one(self.db().conn())
                    .await?;
                self.child_target(row.map(|r| r.child_id), family_id, "condition")
                    .await?
            }
            RecordEntry::Vaccination(id) => {
                let row = vaccination::Entity::find_by_id(id)
                    .one(self.db().conn())
                    .await?;
                self.child_target(row.map(|r| r.child_id), family_id, "vaccination")
                    .await?
            }
            RecordEntry::Appointment(id) => {
                let row = appointment::Entity::find_by_id(id)
                    .one(self.db().conn())
                    .await?;
                self.child_target(row.map(|r| r.child_id), family_id, "appointment")
                    .await?
            }
        };
        Ok(target)
    }

    /// Changes an entry of the record to `item`'s values (the same entry: its id), checked as when
    /// it was added ("change Emma's appointment to 3pm", "Leo's peanut allergy is mild now").
    pub async fn change_record(
        &self,
        actor: &Actor,
        family_id: i64,
        item: &RecordItem,
    ) -> ServiceResult<()> {
        let entry = item.entry();
        // The checks that need nothing from the database, before anything is read.
        match item {
            RecordItem::Allergy(a) => {
                label(&a.allergen, 80)?;
                if !matches!(
                    a.severity.as_str(),
                    "mild" | "moderate" | "severe" | "unknown"
                ) {
                    return Err(Problem::BadSeverity(a.severity.clone()).into());
                }
            }
            RecordItem::Condition(c) => {
                super::notes::validate_text(&c.name)?;
            }
            RecordItem::Vaccination(v) => {
                label(&v.vaccine, 80)?;
                if v.dose_number
                    .is_some_and(|n| !(1..=MAX_VACCINE_DOSE).contains(&n))
                {
                    return Err(Problem::BadDoseNumber.into());
                }
            }
            RecordItem::Appointment(a) => {
                check_appointment_time(self.now(), a.starts_at)?;
                if let Some(with) = &a.with {
                    label(with, 80)?;
                }
            }
            RecordItem::Provider(p) => {
                label(&p.name, 80)?;
                if let Some(phone) = &p.phone {
                    check_phone(phone)?;
                }
            }
        }
        let target = self.entry_target(family_id, entry).await?;
        self.authorized_as(
            actor,
            Permission::ManageChildren,
            target,
            entry.change_action(),
            |_| entry.subject(),
            async |txn, auth| {
                let db = &**txn;
                let gone = || ServiceError::NotFound("record entry");
                match item {
                    RecordItem::Allergy(a) => {
                        let mut row: allergy::ActiveModel = allergy::Entity::find_by_id(a.id)
                            .one(db)
                            .await?
                            .ok_or_else(gone)?
                            .into();
                        row.allergen = Set(a.allergen.trim().to_string());
                        row.severity = Set(a.severity.clone());
                        row.reaction = Set(self
                            .keys()
                            .seal_opt("allergies.reaction", a.reaction.as_deref()));
                        row.update(db).await?;
                    }
                    RecordItem::Condition(c) => {
                        let mut row: condition::ActiveModel = condition::Entity::find_by_id(c.id)
                            .one(db)
                            .await?
                            .ok_or_else(gone)?
                            .into();
                        row.name = Set(self.keys().seal("conditions.name", c.name.trim()));
                        row.guardian_only = Set(c.guardian_only);
                        row.update(db).await?;
                    }
                    RecordItem::Vaccination(v) => {
                        let existing = vaccination::Entity::find_by_id(v.id)
                            .one(db)
                            .await?
                            .ok_or_else(gone)?;
                        let child = self.child_row(db, existing.child_id).await?;
                        let family = self.family_info(auth.family_id).await?;
                        let today = self.now().with_timezone(&family.timezone).date_naive();
                        if v.given_on > today {
                            return Err(Problem::FutureTime.into());
                        }
                        if v.given_on < child.birth_date {
                            return Err(Problem::VaccinatedBeforeBirth {
                                child: child.name,
                                born: child.birth_date,
                            }
                            .into());
                        }
                        let mut row: vaccination::ActiveModel = existing.into();
                        row.vaccine = Set(v.vaccine.trim().to_string());
                        row.given_on = Set(v.given_on);
                        row.dose_number = Set(v.dose_number);
                        row.update(db).await?;
                    }
                    RecordItem::Appointment(a) => {
                        let provider_id = match &a.with {
                            Some(name) => {
                                Some(self.provider_named(db, auth.family_id, name.trim()).await?)
                            }
                            None => None,
                        };
                        let mut row: appointment::ActiveModel =
                            appointment::Entity::find_by_id(a.id)
                                .one(db)
                                .await?
                                .ok_or_else(gone)?
                                .into();
                        row.starts_at = Set(a.starts_at);
                        row.provider_id = Set(provider_id);
                        row.purpose = Set(self
                            .keys()
                            .seal_opt("appointments.purpose", a.purpose.as_deref()));
                        row.update(db).await?;
                    }
                    RecordItem::Provider(p) => {
                        let mut row: provider::ActiveModel = provider::Entity::find_by_id(p.id)
                            .one(db)
                            .await?
                            .ok_or_else(gone)?
                            .into();
                        row.name = Set(p.name.trim().to_string());
                        row.specialty = Set(p.specialty.clone());
                        row.phone = Set(p.phone.clone());
                        row.update(db).await?;
                    }
                }
                Ok(())
            },
        )
        .await
    }

    /// The authorization target of a child's entry, when it is one of the family's children.
    async fn child_target(
        &self,
        child_id: Option<i64>,
        family_id: i64,
        what: &'static str,
    ) -> ServiceResult<Target> {
        let Some(child_id) = child_id else {
            return Err(ServiceError::NotFound(what));
        };
        let child: Option<child::Model> = child::Entity::find_by_id(child_id)
            .one(self.db().conn())
            .await?;
        match child {
            Some(c) if c.family_id == family_id => Ok(Target::Child(child_id)),
            _ => Err(ServiceError::NotFound(what)),
        }
    }
}
