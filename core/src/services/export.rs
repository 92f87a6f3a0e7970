//! Export: everything a family has, for the family to take away (the GDPR right of access and of
//! portability), as MedNanny's own versioned JSON document or as a FHIR R4 `collection` Bundle that
//! a doctor's system can read.
//!
//! Both formats render one [`FamilyRecord`], read once inside the family's transaction with every
//! sealed field opened; the read is audited (`family.export`) like any other access to the record.
//!
//! # FHIR mapping
//! | MedNanny          | FHIR R4                                                        |
//! |-------------------|----------------------------------------------------------------|
//! | child             | `Patient` (name, birthDate)                                    |
//! | medication        | `MedicationStatement` (active / completed, dosage text)        |
//! | dose log          | `MedicationAdministration` (completed / entered-in-error)      |
//! | allergy           | `AllergyIntolerance` (criticality, reaction manifestation)     |
//! | condition         | `Condition` (guardian-only ones labelled restricted)           |
//! | vaccination       | `Immunization`                                                 |
//! | measurement       | `Observation`, vital-signs, LOINC code, UCUM quantity          |
//!
//! Every resource carries an `identifier` in the `urn:mednanny:<kind>` system with its row id, and a
//! `urn:uuid:` full URL derived from that identifier, so the same record gets the same URL in every
//! export and references between resources resolve inside the bundle.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use entity::{
    allergy, appointment, audit_event, care_note, child, condition, consent, dose_log, family,
    invite, measurement, medication, medication_version, member, nanny_profile, notification,
    person, provider, shift, vaccination,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::care::{MedicationView, Schedule};
use super::{ServiceError, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::crypto::{CryptoError, Keyring};
use crate::domain::{format_number, DoseUnit, IngredientStrength};

/// The `format` of MedNanny's JSON export, and its version (bumped when a field changes meaning).
pub const EXPORT_FORMAT: &str = "mednanny-export";
pub const EXPORT_VERSION: u32 = 1;

const UCUM: &str = "http://unitsofmeasure.org";
const LOINC: &str = "http://loinc.org";

impl Services {
    /// Everything the family has, as MedNanny's versioned JSON document (guardians and the operator).
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn export_json(&self, actor: &Actor, family_id: i64) -> ServiceResult<Value> {
        Ok(self.read_family_record(actor, family_id).await?.to_json())
    }

    /// The children's health record as a FHIR R4 `collection` Bundle (guardians and the operator).
    #[tracing::instrument(skip(self), fields(actor = ?actor.kind))]
    pub async fn export_fhir(&self, actor: &Actor, family_id: i64) -> ServiceResult<Value> {
        Ok(self.read_family_record(actor, family_id).await?.to_fhir())
    }

    async fn read_family_record(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<FamilyRecord> {
        self.authorized(
            actor,
            Permission::Export,
            Target::Family(family_id),
            |_| format!("family:{family_id}"),
            async |txn, _| FamilyRecord::load(&**txn, self.keys(), family_id, self.now()).await,
        )
        .await
    }
}

/// Everything one family has, read in one transaction.
///
/// The sealed fields of these rows were opened in place when loading: here they hold plain text.
/// A `FamilyRecord` is only ever rendered, never written back.
struct FamilyRecord {
    exported_at: DateTime<Utc>,
    family: family::Model,
    /// Every member (revoked ones too), with their person's display name.
    members: Vec<(member::Model, String)>,
    children: Vec<ChildRecord>,
    /// Notes about the day rather than one child.
    family_notes: Vec<care_note::Model>,
    providers: Vec<provider::Model>,
    shifts: Vec<shift::Model>,
    nanny_profiles: Vec<nanny_profile::Model>,
    nanny_certifications: Vec<entity::nanny_certification::Model>,
    shift_schedules: Vec<entity::shift_schedule::Model>,
    invites: Vec<invite::Model>,
    consents: Vec<consent::Model>,
    notifications: Vec<notification::Model>,
    audit_events: Vec<audit_event::Model>,
    /// Member names by member id, for "given by" and "written by".
    names: HashMap<i64, String>,
}

/// One child's record.
struct ChildRecord {
    child: child::Model,
    allergies: Vec<allergy::Model>,
    conditions: Vec<condition::Model>,
    medications: Vec<MedicationView>,
    /// Every version of their rules, proposed or decided (who, when).
    medication_versions: Vec<medication_version::Model>,
    /// All of them, voided ones included (a correction is part of the record).
    doses: Vec<dose_log::Model>,
    measurements: Vec<measurement::Model>,
    vaccinations: Vec<vaccination::Model>,
    appointments: Vec<appointment::Model>,
    notes: Vec<care_note::Model>,
}

fn open(keys: &Keyring, field: &str, sealed: &mut String) -> Result<(), CryptoError> {
    *sealed = keys.open(field, sealed)?;
    Ok(())
}

fn open_opt(keys: &Keyring, field: &str, sealed: &mut Option<String>) -> Result<(), CryptoError> {
    *sealed = keys.open_opt(field, sealed.as_deref())?;
    Ok(())
}

/// Rows grouped by the child they belong to, keeping their order.
fn by_child<T>(rows: Vec<T>, child_of: impl Fn(&T) -> Option<i64>) -> HashMap<Option<i64>, Vec<T>> {
    let mut out: HashMap<Option<i64>, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(child_of(&row)).or_default().push(row);
    }
    out
}

impl FamilyRecord {
    /// Reads the whole family: one query per table, children's rows grouped in memory.
    async fn load<C: ConnectionTrait>(
        db: &C,
        keys: &Keyring,
        family_id: i64,
        exported_at: DateTime<Utc>,
    ) -> ServiceResult<Self> {
        let family = family::Entity::find_by_id(family_id)
            .one(db)
            .await?
            .ok_or(ServiceError::NotFound("family"))?;
        let member_rows = member::Entity::find()
            .filter(member::Column::FamilyId.eq(family_id))
            .order_by_asc(member::Column::Id)
            .all(db)
            .await?;
        let people: HashMap<i64, String> = person::Entity::find()
            .filter(person::Column::Id.is_in(member_rows.iter().map(|m| m.person_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.display_name))
            .collect();
        let members: Vec<(member::Model, String)> = member_rows
            .into_iter()
            .map(|m| {
                let name = people.get(&m.person_id).cloned().unwrap_or_default();
                (m, name)
            })
            .collect();
        let names = members
            .iter()
            .map(|(m, name)| (m.id, name.clone()))
            .collect();
        let member_ids: Vec<i64> = members.iter().map(|(m, _)| m.id).collect();

        let child_rows = child::Entity::find()
            .filter(child::Column::FamilyId.eq(family_id))
            .order_by_asc(child::Column::Id)
            .all(db)
            .await?;
        let child_ids: Vec<i64> = child_rows.iter().map(|c| c.id).collect();

        let mut allergies = allergy::Entity::find()
            .filter(allergy::Column::ChildId.is_in(child_ids.clone()))
            .order_by_asc(allergy::Column::Id)
            .all(db)
            .await?;
        for row in &mut allergies {
            open_opt(keys, "allergies.reaction", &mut row.reaction)?;
        }
        let mut conditions = condition::Entity::find()
            .filter(condition::Column::ChildId.is_in(child_ids.clone()))
            .order_by_asc(condition::Column::Id)
            .all(db)
            .await?;
        for row in &mut conditions {
            open(keys, "conditions.name", &mut row.name)?;
            open_opt(keys, "conditions.notes", &mut row.notes)?;
        }
        let medications: Vec<MedicationView> = medication::Entity::find()
            .filter(medication::Column::ChildId.is_in(child_ids.clone()))
            .order_by_asc(medication::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(MedicationView::from_row)
            .collect();
        let child_of: HashMap<i64, i64> = medications.iter().map(|m| (m.id, m.child_id)).collect();
        let medication_versions = medication_version::Entity::find()
            .filter(medication_version::Column::MedicationId.is_in(child_of.keys().copied()))
            .order_by_asc(medication_version::Column::MedicationId)
            .order_by_asc(medication_version::Column::Version)
            .all(db)
            .await?;
        let mut doses = dose_log::Entity::find()
            .filter(dose_log::Column::FamilyId.eq(family_id))
            .order_by_asc(dose_log::Column::GivenAt)
            .order_by_asc(dose_log::Column::Id)
            .all(db)
            .await?;
        for row in &mut doses {
            open_opt(keys, "dose_logs.note", &mut row.note)?;
        }
        let mut measurements = measurement::Entity::find()
            .filter(measurement::Column::FamilyId.eq(family_id))
            .order_by_asc(measurement::Column::MeasuredAt)
            .order_by_asc(measurement::Column::Id)
            .all(db)
            .await?;
        for row in &mut measurements {
            open_opt(keys, "measurements.note", &mut row.note)?;
        }
        let mut vaccinations = vaccination::Entity::find()
            .filter(vaccination::Column::ChildId.is_in(child_ids.clone()))
            .order_by_asc(vaccination::Column::GivenOn)
            .order_by_asc(vaccination::Column::Id)
            .all(db)
            .await?;
        for row in &mut vaccinations {
            open_opt(keys, "vaccinations.notes", &mut row.notes)?;
        }
        let mut appointments = appointment::Entity::find()
            .filter(appointment::Column::ChildId.is_in(child_ids.clone()))
            .order_by_asc(appointment::Column::StartsAt)
            .order_by_asc(appointment::Column::Id)
            .all(db)
            .await?;
        for row in &mut appointments {
            open_opt(keys, "appointments.purpose", &mut row.purpose)?;
        }
        let mut notes = care_note::Entity::find()
            .filter(care_note::Column::FamilyId.eq(family_id))
            .order_by_asc(care_note::Column::CreatedAt)
            .order_by_asc(care_note::Column::Id)
            .all(db)
            .await?;
        for row in &mut notes {
            open(keys, "care_notes.body", &mut row.body)?;
        }

        let providers = provider::Entity::find()
            .filter(provider::Column::FamilyId.eq(family_id))
            .order_by_asc(provider::Column::Id)
            .all(db)
            .await?;
        let mut shifts = shift::Entity::find()
            .filter(shift::Column::FamilyId.eq(family_id))
            .order_by_asc(shift::Column::ClockInAt)
            .order_by_asc(shift::Column::Id)
            .all(db)
            .await?;
        for row in &mut shifts {
            open_opt(keys, "shifts.handoff", &mut row.handoff)?;
        }
        let mut nanny_profiles = nanny_profile::Entity::find()
            .filter(nanny_profile::Column::MemberId.is_in(member_ids.clone()))
            .order_by_asc(nanny_profile::Column::Id)
            .all(db)
            .await?;
        for row in &mut nanny_profiles {
            open_opt(keys, "nanny_profiles.notes", &mut row.notes)?;
            open_opt(
                keys,
                "nanny_profiles.emergency_contact",
                &mut row.emergency_contact,
            )?;
        }
        let nanny_certifications = entity::nanny_certification::Entity::find()
            .filter(entity::nanny_certification::Column::MemberId.is_in(member_ids))
            .order_by_asc(entity::nanny_certification::Column::Id)
            .all(db)
            .await?;
        let shift_schedules = entity::shift_schedule::Entity::find()
            .filter(entity::shift_schedule::Column::FamilyId.eq(family_id))
            .order_by_asc(entity::shift_schedule::Column::Id)
            .all(db)
            .await?;
        let invites = invite::Entity::find()
            .filter(invite::Column::FamilyId.eq(family_id))
            .order_by_asc(invite::Column::Id)
            .all(db)
            .await?;
        let consents = consent::Entity::find()
            .filter(consent::Column::FamilyId.eq(family_id))
            .order_by_asc(consent::Column::Id)
            .all(db)
            .await?;
        let mut notifications = notification::Entity::find()
            .filter(notification::Column::FamilyId.eq(family_id))
            .order_by_asc(notification::Column::Id)
            .all(db)
            .await?;
        for row in &mut notifications {
            open(keys, "notifications.body", &mut row.body)?;
        }
        let audit_events = audit_event::Entity::find()
            .filter(audit_event::Column::Chain.eq(crate::audit::chain_name(Some(family_id))))
            .order_by_asc(audit_event::Column::Seq)
            .all(db)
            .await?;

        let mut allergies = by_child(allergies, |r| Some(r.child_id));
        let mut conditions = by_child(conditions, |r| Some(r.child_id));
        let mut medications = by_child(medications, |r| Some(r.child_id));
        let mut medication_versions = by_child(medication_versions, |v| {
            child_of.get(&v.medication_id).copied()
        });
        let mut doses = by_child(doses, |r| Some(r.child_id));
        let mut measurements = by_child(measurements, |r| Some(r.child_id));
        let mut vaccinations = by_child(vaccinations, |r| Some(r.child_id));
        let mut appointments = by_child(appointments, |r| Some(r.child_id));
        let mut notes = by_child(notes, |r| r.child_id);
        let children = child_rows
            .into_iter()
            .map(|child| {
                let key = Some(child.id);
                ChildRecord {
                    allergies: allergies.remove(&key).unwrap_or_default(),
                    conditions: conditions.remove(&key).unwrap_or_default(),
                    medications: medications.remove(&key).unwrap_or_default(),
                    medication_versions: medication_versions.remove(&key).unwrap_or_default(),
                    doses: doses.remove(&key).unwrap_or_default(),
                    measurements: measurements.remove(&key).unwrap_or_default(),
                    vaccinations: vaccinations.remove(&key).unwrap_or_default(),
                    appointments: appointments.remove(&key).unwrap_or_default(),
                    notes: notes.remove(&key).unwrap_or_default(),
                    child,
                }
            })
            .collect();

        Ok(Self {
            exported_at,
            family,
            members,
            children,
            family_notes: notes.remove(&None).unwrap_or_default(),
            providers,
            shifts,
            nanny_profiles,
            nanny_certifications,
            shift_schedules,
            invites,
            consents,
            notifications,
            audit_events,
            names,
        })
    }

    fn name_of(&self, member_id: Option<i64>) -> Option<&str> {
        member_id
            .and_then(|id| self.names.get(&id))
            .map(String::as_str)
    }

    // ----- MedNanny JSON ----------------------------------------------------------------------

    fn to_json(&self) -> Value {
        let family = &self.family;
        json!({
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": time(self.exported_at),
            "family": {
                "id": family.id,
                "name": family.name,
                "timezone": family.timezone,
                "country": family.country,
                "created_at": time(family.created_at),
            },
            "members": self.members.iter().map(|(m, name)| json!({
                "id": m.id,
                "person_id": m.person_id,
                "name": name,
                "role": m.role,
                "status": m.status,
                "created_at": time(m.created_at),
            })).collect::<Vec<_>>(),
            "children": self.children.iter().map(|c| self.child_json(c)).collect::<Vec<_>>(),
            "notes": self.family_notes.iter().map(|n| self.note_json(n)).collect::<Vec<_>>(),
            "providers": self.providers.iter().map(|p| json!({
                "id": p.id,
                "name": p.name,
                "specialty": p.specialty,
                "phone": p.phone,
                "created_at": time(p.created_at),
            })).collect::<Vec<_>>(),
            "shifts": self.shifts.iter().map(|s| json!({
                "id": s.id,
                "member_id": s.member_id,
                "member": self.name_of(Some(s.member_id)),
                "clock_in_at": time(s.clock_in_at),
                "clock_out_at": s.clock_out_at.map(time),
                "handoff": s.handoff,
                "scheduled_end_at": s.scheduled_end_at.map(time),
                "forgot_clock_out_flagged_at": s.forgot_flagged_at.map(time),
            })).collect::<Vec<_>>(),
            "shift_schedules": self.shift_schedules.iter().map(|s| json!({
                "id": s.id,
                "member_id": s.member_id,
                "member": self.name_of(Some(s.member_id)),
                "weekday": s.weekday,
                "on_date": s.on_date,
                "starts_minute": s.starts_minute,
                "ends_minute": s.ends_minute,
            })).collect::<Vec<_>>(),
            "nanny_certifications": self.nanny_certifications.iter().map(|c| json!({
                "id": c.id,
                "member_id": c.member_id,
                "member": self.name_of(Some(c.member_id)),
                "name": c.name,
                "expires_on": c.expires_on,
            })).collect::<Vec<_>>(),
            "nanny_profiles": self.nanny_profiles.iter().map(|p| json!({
                "id": p.id,
                "member_id": p.member_id,
                "member": self.name_of(Some(p.member_id)),
                "phone": p.phone,
                "hourly_rate_cents": p.hourly_rate_cents,
                "overtime_rate_cents": p.overtime_rate_cents,
                "languages": p.languages,
                "emergency_contact": p.emergency_contact,
                "notes": p.notes,
                "created_at": time(p.created_at),
            })).collect::<Vec<_>>(),
            // The code itself is never stored (only its hash), so it is not exported either.
            "invites": self.invites.iter().map(|i| json!({
                "id": i.id,
                "role": i.role,
                "created_by_member_id": i.created_by_member_id,
                "created_at": time(i.created_at),
                "expires_at": time(i.expires_at),
                "used_at": i.used_at.map(time),
                "used_by_person_id": i.used_by_person_id,
            })).collect::<Vec<_>>(),
            "consents": self.consents.iter().map(|c| json!({
                "id": c.id,
                "person_id": c.person_id,
                "kind": c.kind,
                "granted_at": time(c.granted_at),
                "revoked_at": c.revoked_at.map(time),
            })).collect::<Vec<_>>(),
            "notifications": self.notifications.iter().map(|n| json!({
                "id": n.id,
                "recipient_member_id": n.recipient_member_id,
                "recipient": self.name_of(Some(n.recipient_member_id)),
                "kind": n.kind,
                "body": serde_json::from_str::<Value>(&n.body).unwrap_or_else(|_| Value::String(n.body.clone())),
                "created_at": time(n.created_at),
                "delivered_at": n.delivered_at.map(time),
            })).collect::<Vec<_>>(),
            "audit_events": self.audit_events.iter().map(|e| json!({
                "seq": e.seq,
                "at": time(e.at),
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "channel": e.channel,
                "outcome": e.outcome,
                "hash": e.hash,
            })).collect::<Vec<_>>(),
        })
    }

    fn child_json(&self, record: &ChildRecord) -> Value {
        let med_names: HashMap<i64, &str> = record
            .medications
            .iter()
            .map(|m| (m.id, m.name.as_str()))
            .collect();
        let child = &record.child;
        json!({
            "id": child.id,
            "name": child.name,
            "birth_date": date(child.birth_date),
            "created_at": time(child.created_at),
            "allergies": record.allergies.iter().map(|a| json!({
                "id": a.id,
                "allergen": a.allergen,
                "severity": a.severity,
                "reaction": a.reaction,
                "created_at": time(a.created_at),
            })).collect::<Vec<_>>(),
            "conditions": record.conditions.iter().map(|c| json!({
                "id": c.id,
                "name": c.name,
                "notes": c.notes,
                "guardian_only": c.guardian_only,
                "created_at": time(c.created_at),
            })).collect::<Vec<_>>(),
            "medications": record.medications.iter().map(medication_json).collect::<Vec<_>>(),
            // Each version of a medicine's rules: what was proposed, by whom, and what was decided.
            "medication_versions": record.medication_versions.iter().map(|v| json!({
                "medication_id": v.medication_id,
                "version": v.version,
                "status": v.status,
                "name": v.name,
                "dose": {"value": v.dose_amount, "unit": v.dose_unit},
                "schedule_kind": v.schedule_kind,
                "schedule_times": v.schedule_times,
                "min_interval_minutes": v.min_interval_minutes,
                "max_doses_per_day": v.max_doses_per_day,
                "starts_on": v.starts_on.map(date),
                "ends_on": v.ends_on.map(date),
                "proposed_by_member_id": v.proposed_by_member_id,
                "proposed_at": time(v.proposed_at),
                "decided_by_member_id": v.decided_by_member_id,
                "decided_at": v.decided_at.map(time),
            })).collect::<Vec<_>>(),
            "doses": record.doses.iter().map(|d| json!({
                "id": d.id,
                "medication_id": d.medication_id,
                "medication": med_names.get(&d.medication_id),
                "amount": d.amount,
                "unit": d.unit,
                "ingredient_mg": serde_json::from_str::<Value>(&d.ingredient_mg).unwrap_or_else(|_| json!({})),
                "given_at": time(d.given_at),
                "recorded_at": time(d.recorded_at),
                "given_by_member_id": d.given_by_member_id,
                "given_by": self.name_of(d.given_by_member_id),
                "channel": d.channel,
                "flagged": d.flagged,
                "flag_reason": d.flag_reason,
                "voided": d.voided_at.is_some(),
                "voided_at": d.voided_at.map(time),
                "voided_by_member_id": d.voided_by_member_id,
                "voided_by": self.name_of(d.voided_by_member_id),
                "note": d.note,
            })).collect::<Vec<_>>(),
            "measurements": record.measurements.iter().map(|m| json!({
                "id": m.id,
                "kind": m.kind,
                "value": m.value,
                "unit": m.unit,
                "measured_at": time(m.measured_at),
                "recorded_by_member_id": m.recorded_by_member_id,
                "recorded_by": self.name_of(m.recorded_by_member_id),
                "channel": m.channel,
                "note": m.note,
            })).collect::<Vec<_>>(),
            "vaccinations": record.vaccinations.iter().map(|v| json!({
                "id": v.id,
                "vaccine": v.vaccine,
                "dose_number": v.dose_number,
                "given_on": date(v.given_on),
                "notes": v.notes,
            })).collect::<Vec<_>>(),
            "appointments": record.appointments.iter().map(|a| json!({
                "id": a.id,
                "provider_id": a.provider_id,
                "starts_at": time(a.starts_at),
                "purpose": a.purpose,
                "location": a.location,
            })).collect::<Vec<_>>(),
            "notes": record.notes.iter().map(|n| self.note_json(n)).collect::<Vec<_>>(),
        })
    }

    fn note_json(&self, note: &care_note::Model) -> Value {
        json!({
            "id": note.id,
            "author_member_id": note.author_member_id,
            "author": self.name_of(note.author_member_id),
            "body": note.body,
            "channel": note.channel,
            "created_at": time(note.created_at),
        })
    }

    // ----- FHIR R4 ----------------------------------------------------------------------------

    fn to_fhir(&self) -> Value {
        let timezone: chrono_tz::Tz = self.family.timezone.parse().unwrap_or(chrono_tz::UTC);
        let today = self.exported_at.with_timezone(&timezone).date_naive();
        let mut entries = Vec::new();
        for record in &self.children {
            let child = &record.child;
            let patient_url = full_url("child", child.id);
            let patient = json!({"reference": patient_url, "display": child.name});
            entries.push(entry(
                patient_url.clone(),
                json!({
                    "resourceType": "Patient",
                    "identifier": [identifier("child", child.id)],
                    "name": [{"text": child.name, "given": [child.name]}],
                    "birthDate": date(child.birth_date),
                }),
            ));
            for med in &record.medications {
                let finished = med.ends_on.is_some_and(|end| end < today);
                let mut resource = json!({
                    "resourceType": "MedicationStatement",
                    "identifier": [identifier("medication", med.id)],
                    "status": if med.active && !finished { "active" } else { "completed" },
                    "medicationCodeableConcept": {"text": medication_text(med)},
                    "subject": patient,
                    "dosage": [{
                        "text": dosage_text(med),
                        "asNeededBoolean": matches!(med.schedule, Schedule::AsNeeded),
                        "route": {"text": med.route},
                        "doseAndRate": [{"doseQuantity": quantity(med.dose.value, med.dose.unit)}],
                    }],
                });
                if med.starts_on.is_some() || med.ends_on.is_some() {
                    let mut period = serde_json::Map::new();
                    if let Some(start) = med.starts_on {
                        period.insert("start".into(), json!(date(start)));
                    }
                    if let Some(end) = med.ends_on {
                        period.insert("end".into(), json!(date(end)));
                    }
                    resource["effectivePeriod"] = Value::Object(period);
                }
                entries.push(entry(full_url("medication", med.id), resource));
            }
            let medications: HashMap<i64, &MedicationView> =
                record.medications.iter().map(|m| (m.id, m)).collect();
            for dose in &record.doses {
                let medication = medications
                    .get(&dose.medication_id)
                    .map_or_else(String::new, |m| medication_text(m));
                let unit = DoseUnit::parse(&dose.unit);
                let mut resource = json!({
                    "resourceType": "MedicationAdministration",
                    "identifier": [identifier("dose", dose.id)],
                    "status": if dose.voided_at.is_some() { "entered-in-error" } else { "completed" },
                    "medicationCodeableConcept": {"text": medication},
                    "subject": patient,
                    "effectiveDateTime": time(dose.given_at),
                    "dosage": {"dose": match unit {
                        Some(unit) => quantity(dose.amount, unit),
                        None => json!({"value": dose.amount, "unit": dose.unit}),
                    }},
                });
                if let Some(name) = self.name_of(dose.given_by_member_id) {
                    resource["performer"] = json!([{"actor": {"display": name}}]);
                }
                let mut notes = Vec::new();
                if dose.flagged {
                    let reason = dose.flag_reason.as_deref().unwrap_or("a dose-safety rule");
                    notes.push(json!({"text": format!("Given against the dose-safety rules, confirmed by the giver ({reason}).")}));
                }
                if let Some(note) = &dose.note {
                    notes.push(json!({"text": note}));
                }
                if !notes.is_empty() {
                    resource["note"] = Value::Array(notes);
                }
                entries.push(entry(full_url("dose", dose.id), resource));
            }
            for allergy in &record.allergies {
                let mut resource = json!({
                    "resourceType": "AllergyIntolerance",
                    "identifier": [identifier("allergy", allergy.id)],
                    "clinicalStatus": coding(
                        "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                        "active",
                        "Active",
                    ),
                    "type": "allergy",
                    "criticality": criticality(&allergy.severity),
                    "code": {"text": allergy.allergen},
                    "patient": patient,
                    "recordedDate": time(allergy.created_at),
                });
                if let Some(reaction) = &allergy.reaction {
                    let mut item = json!({"manifestation": [{"text": reaction}]});
                    if matches!(allergy.severity.as_str(), "mild" | "moderate" | "severe") {
                        item["severity"] = json!(allergy.severity);
                    }
                    resource["reaction"] = json!([item]);
                }
                entries.push(entry(full_url("allergy", allergy.id), resource));
            }
            for condition in &record.conditions {
                let mut resource = json!({
                    "resourceType": "Condition",
                    "identifier": [identifier("condition", condition.id)],
                    "clinicalStatus": coding(
                        "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "active",
                        "Active",
                    ),
                    "code": {"text": condition.name},
                    "subject": patient,
                    "recordedDate": time(condition.created_at),
                });
                if condition.guardian_only {
                    // Guardian-only in MedNanny: labelled restricted for the receiving system.
                    resource["meta"] = json!({"security": [{
                        "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                        "code": "R",
                        "display": "restricted",
                    }]});
                }
                if let Some(notes) = &condition.notes {
                    resource["note"] = json!([{"text": notes}]);
                }
                entries.push(entry(full_url("condition", condition.id), resource));
            }
            for vaccination in &record.vaccinations {
                let mut resource = json!({
                    "resourceType": "Immunization",
                    "identifier": [identifier("vaccination", vaccination.id)],
                    "status": "completed",
                    "vaccineCode": {"text": vaccination.vaccine},
                    "patient": patient,
                    "occurrenceDateTime": date(vaccination.given_on),
                    "primarySource": false,
                });
                if let Some(number) = vaccination.dose_number.filter(|n| *n > 0) {
                    resource["protocolApplied"] = json!([{"doseNumberPositiveInt": number}]);
                }
                if let Some(notes) = &vaccination.notes {
                    resource["note"] = json!([{"text": notes}]);
                }
                entries.push(entry(full_url("vaccination", vaccination.id), resource));
            }
            for measurement in &record.measurements {
                let mut resource = json!({
                    "resourceType": "Observation",
                    "identifier": [identifier("measurement", measurement.id)],
                    "status": "final",
                    "category": [coding(
                        "http://terminology.hl7.org/CodeSystem/observation-category",
                        "vital-signs",
                        "Vital Signs",
                    )],
                    "code": observation_code(&measurement.kind),
                    "subject": patient,
                    "effectiveDateTime": time(measurement.measured_at),
                    "valueQuantity": observation_quantity(measurement),
                });
                if let Some(name) = self.name_of(measurement.recorded_by_member_id) {
                    resource["performer"] = json!([{"display": name}]);
                }
                if let Some(note) = &measurement.note {
                    resource["note"] = json!([{"text": note}]);
                }
                entries.push(entry(full_url("measurement", measurement.id), resource));
            }
        }
        json!({
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": time(self.exported_at),
            "entry": entries,
        })
    }
}

/// RFC 3339 in UTC, with fractional seconds only when there are some.
fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn medication_json(med: &MedicationView) -> Value {
    let schedule = match &med.schedule {
        Schedule::FixedTimes { times } => json!({
            "kind": "fixed_times",
            "times": times.iter().map(|t| t.format("%H:%M").to_string()).collect::<Vec<_>>(),
        }),
        Schedule::EveryHours { hours } => json!({"kind": "every_hours", "hours": hours}),
        Schedule::AsNeeded => json!({"kind": "as_needed"}),
    };
    json!({
        "id": med.id,
        "name": med.name,
        "form": med.form,
        "route": med.route,
        "ingredients": med.ingredients.iter().map(|s| json!({
            "ingredient": s.ingredient,
            "mg": s.mg,
            "per_amount": s.per_amount,
            "per_unit": s.per_unit.as_str(),
            "max_mg_per_day": s.max_mg_per_day,
        })).collect::<Vec<_>>(),
        "dose": {"value": med.dose.value, "unit": med.dose.unit.as_str()},
        "schedule": schedule,
        "min_interval_minutes": med.min_interval.num_minutes(),
        "max_doses_per_day": med.max_doses_per_day,
        "starts_on": med.starts_on.map(date),
        "ends_on": med.ends_on.map(date),
        "active": med.active,
        // A caregiver's medication and the guardian's authorization of it.
        "approval": {
            "state": med.approval.as_str(),
            "proposed_by_member_id": med.proposed_by_member_id,
            "decided_by_member_id": med.decided_by_member_id,
            "decided_at": med.decided_at.map(|t| t.to_rfc3339()),
        },
    })
}

/// "acetaminophen 160 mg/5 ml", "ibuprofen 200 mg/tablet".
fn strength_text(strength: &IngredientStrength) -> String {
    let per = if (strength.per_amount - 1.0).abs() < f64::EPSILON {
        strength.per_unit.label(1.0).to_string()
    } else {
        format!(
            "{} {}",
            format_number(strength.per_amount),
            strength.per_unit.label(strength.per_amount)
        )
    };
    format!(
        "{} {} mg/{per}",
        strength.ingredient,
        format_number(strength.mg)
    )
}

/// "Children's Tylenol (acetaminophen 160 mg/5 ml)".
fn medication_text(med: &MedicationView) -> String {
    let strengths: Vec<String> = med.ingredients.iter().map(strength_text).collect();
    if strengths.is_empty() {
        med.name.clone()
    } else {
        format!("{} ({})", med.name, strengths.join(", "))
    }
}

/// "5 ml as needed, at least 4 h apart, at most 5 a day".
fn dosage_text(med: &MedicationView) -> String {
    let when = match &med.schedule {
        Schedule::AsNeeded => "as needed".to_string(),
        Schedule::EveryHours { hours } => format!("every {hours} h"),
        Schedule::FixedTimes { times } => format!(
            "at {}",
            times
                .iter()
                .map(|t| t.format("%H:%M").to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let minutes = med.min_interval.num_minutes();
    let gap = if minutes % 60 == 0 {
        format!("{} h", minutes / 60)
    } else {
        format!("{minutes} min")
    };
    let mut text = format!("{} {when}, at least {gap} apart", med.dose);
    if let Some(max) = med.max_doses_per_day {
        text.push_str(&format!(", at most {max} a day"));
    }
    text
}

/// A UCUM quantity for a dose.
fn quantity(value: f64, unit: DoseUnit) -> Value {
    let code = match unit {
        DoseUnit::Ml => "mL",
        DoseUnit::Mg => "mg",
        DoseUnit::Tablet => "{tablet}",
        DoseUnit::Drop => "[drp]",
    };
    json!({"value": value, "unit": unit.label(value), "system": UCUM, "code": code})
}

fn criticality(severity: &str) -> &'static str {
    match severity {
        "severe" => "high",
        "mild" | "moderate" => "low",
        _ => "unable-to-assess",
    }
}

/// A CodeableConcept with one coding.
fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"coding": [{"system": system, "code": code, "display": display}]})
}

fn observation_code(kind: &str) -> Value {
    match kind {
        "temperature" => loinc("8310-5", "Body temperature"),
        "weight" => loinc("29463-7", "Body weight"),
        "height" => loinc("8302-2", "Body height"),
        other => json!({"text": other}),
    }
}

fn loinc(code: &str, display: &str) -> Value {
    json!({"coding": [{"system": LOINC, "code": code, "display": display}], "text": display})
}

fn observation_quantity(measurement: &measurement::Model) -> Value {
    let (unit, code) = match (measurement.kind.as_str(), measurement.unit.as_str()) {
        ("temperature", _) => ("°C", "Cel"),
        ("weight", _) => ("kg", "kg"),
        ("height", _) => ("cm", "cm"),
        (_, unit) => (unit, unit),
    };
    json!({"value": measurement.value, "unit": unit, "system": UCUM, "code": code})
}

fn identifier(kind: &str, id: i64) -> Value {
    json!({"system": format!("urn:mednanny:{kind}"), "value": id.to_string()})
}

fn entry(full_url: String, resource: Value) -> Value {
    json!({"fullUrl": full_url, "resource": resource})
}

/// A stable `urn:uuid:` for a record: a version-8 (RFC 9562, name-based) UUID from the SHA-256 of
/// its identifier, so every export names the same record the same way.
fn full_url(kind: &str, id: i64) -> String {
    let digest = Sha256::digest(format!("urn:mednanny:{kind}:{id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_strength;

    #[test]
    fn full_urls_are_stable_well_formed_uuids() {
        let url = full_url("child", 7);
        assert_eq!(url, full_url("child", 7));
        assert_ne!(url, full_url("child", 8));
        assert_ne!(url, full_url("dose", 7));
        let uuid = url.strip_prefix("urn:uuid:").expect("urn:uuid");
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&uuid[14..15], "8", "version 8");
        assert!(
            matches!(&uuid[19..20], "8" | "9" | "a" | "b"),
            "RFC 9562 variant"
        );
    }

    #[test]
    fn strengths_read_like_a_label() {
        let liquid = parse_strength("acetaminophen", "160 mg/5 ml").expect("parses");
        assert_eq!(strength_text(&liquid), "acetaminophen 160 mg/5 ml");
        let tablet = parse_strength("ibuprofen", "200 mg/tablet").expect("parses");
        assert_eq!(strength_text(&tablet), "ibuprofen 200 mg/tablet");
    }
}
