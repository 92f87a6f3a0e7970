//! Export and erasure, on every database this run can reach.
//!
//! The Garcia demo family (Ana and Luis guardians, Maya the nanny, Emma and Leo) is given something
//! in every table: a note, a guardian-only condition, a fever, doses (one voided, one confirmed extra
//! that alerted both parents), a shift, an invite, a viewer (Vic), and the rows no service writes yet
//! (provider, appointment, vaccination, nanny profile, consent, conversation states). Luis also has a
//! family of his own, Lopez. Then:
//! - Ana exports everything as JSON and the operator as FHIR; Maya and Vic are refused, and audited;
//! - Ana erases the family: no row of it is left, Ana, Maya and Vic are gone, Luis stays with Lopez,
//!   the audit trail still verifies, and (SQLite) no name or note is left readable in the files;
//! - Ana erases Maya alone: Emma's doses stay, given by nobody; the last guardian cannot be erased.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, NaiveDate};
use entity::{
    allergy, appointment, audit_event, care_note, caregiver_assignment, child, condition, consent,
    conversation_state, dose_log, family, identity, invite, measurement, medication, member,
    nanny_profile, notification, person, provider, shift, vaccination,
};
use mednanny_core::auth::Actor;
use mednanny_core::demo::{self, Demo};
use mednanny_core::domain::{Channel, DoseAmount, DoseUnit, IdentityKind, Role, Temperature};
use mednanny_core::services::care::{DoseOutcome, DoseRequest};
use mednanny_core::services::{Problem, ServiceError};
use sea_orm::sea_query::IntoCondition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::Value;
use support::{backends, Backend, TestApp};

const NOTE: &str = "Emma coughed through her nap; water and honey helped";
const CONDITION: &str = "Mild asthma";
const CONDITION_NOTES: &str = "Inhaler before football";
const REACTION: &str = "hives and lip swelling";
const PURPOSE: &str = "Twelve-month well visit";
const VACCINE_NOTES: &str = "Slight redness where the needle went in";
const NANNY_NOTES: &str = "Paediatric first aid certificate";

/// What the seed created, by id.
struct Seeded {
    demo: Demo,
    ana: Actor,
    maya: Actor,
    vic: Actor,
    vic_person: i64,
    ana_member: i64,
    luis_member: i64,
    maya_member: i64,
    vic_member: i64,
    /// Emma's acetaminophen, given by Maya.
    maya_dose: i64,
    /// Emma's ibuprofen, given by Ana and voided by her.
    voided_dose: i64,
    /// A second acetaminophen by Maya, too soon, confirmed: flagged, both parents alerted.
    flagged_dose: i64,
    lopez: i64,
}

fn ml(value: f64) -> DoseAmount {
    DoseAmount {
        value,
        unit: DoseUnit::Ml,
    }
}

async fn logged(app: &TestApp, actor: &Actor, request: DoseRequest) -> i64 {
    match app
        .services
        .log_dose(actor, request)
        .await
        .expect("log dose")
    {
        DoseOutcome::Logged(logged) => logged.dose.id,
        other => panic!("dose not logged: {other:?}"),
    }
}

async fn seed(app: &TestApp) -> Seeded {
    let services = &app.services;
    let op = Actor::operator();
    let demo = demo::ensure(services).await.expect("demo");
    let ana = Actor::person(demo.ana, Channel::Console);
    let maya = Actor::person(demo.maya, Channel::Console);
    let family_id = demo.family_id;

    let vic_person = services.create_person("Vic", "en").await.expect("person");
    services
        .link_identity(vic_person, IdentityKind::Console, "vic", true)
        .await
        .expect("identity");
    let vic_member = services
        .add_member(&op, family_id, vic_person, Role::Viewer)
        .await
        .expect("viewer");
    let vic = Actor::person(vic_person, Channel::Console);
    let members = services.members(&ana, family_id).await.expect("members");
    let member_of = |person_id: i64| {
        members
            .iter()
            .find(|m| m.person_id == person_id)
            .expect("member")
            .member_id
    };

    services
        .add_note(&maya, demo.emma, NOTE, None)
        .await
        .expect("note");
    services
        .add_condition(&ana, demo.emma, CONDITION, Some(CONDITION_NOTES), true)
        .await
        .expect("condition");
    services
        .log_temperature(&maya, demo.emma, Temperature { celsius: 38.4 }, None, None)
        .await
        .expect("temperature");
    let dose = |medication_id, confirmed_extra| DoseRequest {
        child_id: demo.emma,
        medication_id,
        amount: ml(5.0),
        given_at: None,
        confirmed_extra,
        override_unchecked: false,
        source_key: None,
    };
    let maya_dose = logged(app, &maya, dose(demo.emma_acetaminophen, false)).await;
    let voided_dose = logged(app, &ana, dose(demo.emma_ibuprofen, false)).await;
    services.void_dose(&ana, voided_dose).await.expect("void");
    let flagged_dose = logged(app, &maya, dose(demo.emma_acetaminophen, true)).await;
    services.clock_in(&maya, family_id).await.expect("clock in");
    services
        .create_invite(&ana, family_id, Role::Viewer)
        .await
        .expect("invite");

    // The tables no service writes yet.
    let db = app.db.db.conn();
    let now = services.now();
    let pediatrician = provider::ActiveModel {
        family_id: Set(family_id),
        name: Set("Dr. Rivera".into()),
        specialty: Set(Some("pediatrics".into())),
        phone: Set(Some("+1 212 555 0100".into())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("provider");
    appointment::ActiveModel {
        child_id: Set(demo.leo),
        provider_id: Set(Some(pediatrician.id)),
        starts_at: Set(now + Duration::days(7)),
        purpose: Set(Some(app.keys.seal("appointments.purpose", PURPOSE))),
        location: Set(Some("Main St clinic".into())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("appointment");
    vaccination::ActiveModel {
        child_id: Set(demo.leo),
        vaccine: Set("MMR".into()),
        dose_number: Set(Some(1)),
        given_on: Set(NaiveDate::from_ymd_opt(2026, 2, 2).expect("date")),
        notes: Set(Some(app.keys.seal("vaccinations.notes", VACCINE_NOTES))),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("vaccination");
    // The demo gave Maya a profile: the seed adds a phone and notes to it.
    let mut profile: nanny_profile::ActiveModel = nanny_profile::Entity::find()
        .filter(nanny_profile::Column::MemberId.eq(member_of(demo.maya)))
        .one(db)
        .await
        .expect("read profile")
        .expect("the demo's profile of Maya")
        .into();
    profile.phone = Set(Some("+1 212 555 0199".into()));
    profile.hourly_rate_cents = Set(Some(2500));
    profile.notes = Set(Some(app.keys.seal("nanny_profiles.notes", NANNY_NOTES)));
    profile.update(db).await.expect("nanny profile");
    // Ana's consent to the assistant is the demo's own (demo.rs): one consent row.
    for (person_id, key) in [(demo.maya, "console:maya"), (demo.luis, "console:luis")] {
        conversation_state::ActiveModel {
            conversation_key: Set(key.into()),
            person_id: Set(person_id),
            state: Set(app
                .keys
                .seal("conversation_states.state", r#"{"v":1,"state":"idle"}"#)),
            schema_version: Set(1),
            version: Set(1),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("conversation state");
    }

    let luis = Actor::person(demo.luis, Channel::Console);
    let lopez = services
        .create_family(&luis, "Lopez", "Europe/Madrid", "ES")
        .await
        .expect("Lopez");

    Seeded {
        ana_member: member_of(demo.ana),
        luis_member: member_of(demo.luis),
        maya_member: member_of(demo.maya),
        demo,
        ana,
        maya,
        vic,
        vic_person,
        vic_member,
        maya_dose,
        voided_dose,
        flagged_dose,
        lopez,
    }
}

/// The family's audit chain, oldest first.
async fn chain(app: &TestApp, family_id: i64) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Chain.eq(format!("family:{family_id}")))
        .order_by_asc(audit_event::Column::Seq)
        .all(app.db.db.conn())
        .await
        .expect("audit events")
}

async fn count<E: EntityTrait>(app: &TestApp, _entity: E, condition: impl IntoCondition) -> u64
where
    E::Model: Sync,
{
    E::find()
        .filter(condition)
        .count(app.db.db.conn())
        .await
        .expect("count")
}

/// How many rows every table holds that belong to the seeded Garcia family or to the people who
/// belong to no other family (Ana, Maya, Vic).
async fn garcia_rows(app: &TestApp, s: &Seeded) -> BTreeMap<&'static str, u64> {
    let family_id = s.demo.family_id;
    let children = vec![s.demo.emma, s.demo.leo];
    let members = vec![s.ana_member, s.luis_member, s.maya_member, s.vic_member];
    let people = vec![s.demo.ana, s.demo.maya, s.vic_person];
    BTreeMap::from([
        (
            "families",
            count(app, family::Entity, family::Column::Id.eq(family_id)).await,
        ),
        (
            "members",
            count(app, member::Entity, member::Column::FamilyId.eq(family_id)).await,
        ),
        (
            "children",
            count(app, child::Entity, child::Column::FamilyId.eq(family_id)).await,
        ),
        (
            "caregiver_assignments",
            count(
                app,
                caregiver_assignment::Entity,
                caregiver_assignment::Column::MemberId.is_in(members.clone()),
            )
            .await,
        ),
        (
            "allergies",
            count(
                app,
                allergy::Entity,
                allergy::Column::ChildId.is_in(children.clone()),
            )
            .await,
        ),
        (
            "conditions",
            count(
                app,
                condition::Entity,
                condition::Column::ChildId.is_in(children.clone()),
            )
            .await,
        ),
        (
            "medications",
            count(
                app,
                medication::Entity,
                medication::Column::ChildId.is_in(children.clone()),
            )
            .await,
        ),
        (
            "dose_logs",
            count(
                app,
                dose_log::Entity,
                dose_log::Column::ChildId.is_in(children.clone()),
            )
            .await,
        ),
        (
            "measurements",
            count(
                app,
                measurement::Entity,
                measurement::Column::ChildId.is_in(children.clone()),
            )
            .await,
        ),
        (
            "vaccinations",
            count(
                app,
                vaccination::Entity,
                vaccination::Column::ChildId.is_in(children.clone()),
            )
            .await,
        ),
        (
            "appointments",
            count(
                app,
                appointment::Entity,
                appointment::Column::ChildId.is_in(children.clone()),
            )
            .await,
        ),
        (
            "providers",
            count(
                app,
                provider::Entity,
                provider::Column::FamilyId.eq(family_id),
            )
            .await,
        ),
        (
            "care_notes",
            count(
                app,
                care_note::Entity,
                care_note::Column::FamilyId.eq(family_id),
            )
            .await,
        ),
        (
            "nanny_profiles",
            count(
                app,
                nanny_profile::Entity,
                nanny_profile::Column::MemberId.is_in(members.clone()),
            )
            .await,
        ),
        (
            "shifts",
            count(app, shift::Entity, shift::Column::FamilyId.eq(family_id)).await,
        ),
        (
            "shift_schedules",
            count(
                app,
                entity::shift_schedule::Entity,
                entity::shift_schedule::Column::FamilyId.eq(family_id),
            )
            .await,
        ),
        (
            "nanny_certifications",
            count(
                app,
                entity::nanny_certification::Entity,
                entity::nanny_certification::Column::MemberId.is_in(members.clone()),
            )
            .await,
        ),
        (
            "invites",
            count(app, invite::Entity, invite::Column::FamilyId.eq(family_id)).await,
        ),
        (
            "consents",
            count(
                app,
                consent::Entity,
                consent::Column::FamilyId.eq(family_id),
            )
            .await,
        ),
        (
            "notifications",
            count(
                app,
                notification::Entity,
                notification::Column::FamilyId.eq(family_id),
            )
            .await,
        ),
        (
            "conversation_states",
            count(
                app,
                conversation_state::Entity,
                conversation_state::Column::PersonId.is_in(people.clone()),
            )
            .await,
        ),
        (
            "identities",
            count(
                app,
                identity::Entity,
                identity::Column::PersonId.is_in(people.clone()),
            )
            .await,
        ),
        (
            "people",
            count(app, person::Entity, person::Column::Id.is_in(people)).await,
        ),
    ])
}

fn array<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array in {value}"))
}

fn find<'a>(items: &'a [Value], key: &str, wanted: impl Into<Value>) -> &'a Value {
    let wanted = wanted.into();
    items
        .iter()
        .find(|item| item[key] == wanted)
        .unwrap_or_else(|| panic!("no {key} = {wanted}"))
}

/// The bundle's resources by type.
fn resources<'a>(bundle: &'a Value, resource_type: &str) -> Vec<&'a Value> {
    array(bundle, "entry")
        .iter()
        .map(|entry| &entry["resource"])
        .filter(|resource| resource["resourceType"] == resource_type)
        .collect()
}

fn fhir_id(resource: &Value) -> i64 {
    resource["identifier"][0]["value"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("identifier")
}

fn denied<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> bool {
    matches!(result, Err(ServiceError::Denied))
}

#[tokio::test]
async fn guardians_export_every_record_as_json() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let s = seed(&app).await;

        let export = app
            .services
            .export_json(&s.ana, s.demo.family_id)
            .await
            .expect("export");

        assert_eq!(export["format"], "mednanny-export", "{backend:?}");
        assert_eq!(export["version"], 1);
        assert_eq!(export["exported_at"], "2026-03-02T15:00:00Z");
        assert_eq!(export["family"]["name"], "Garcia");
        let members = array(&export, "members");
        let names: Vec<&str> = members.iter().filter_map(|m| m["name"].as_str()).collect();
        assert_eq!(names, ["Ana", "Luis", "Maya", "Vic"], "{backend:?}");
        assert_eq!(find(members, "name", "Vic")["role"], "viewer");
        assert_eq!(find(members, "name", "Maya")["status"], "active");

        let children = array(&export, "children");
        assert_eq!(children.len(), 2);
        let emma = find(children, "name", "Emma");
        assert_eq!(array(emma, "medications").len(), 2);
        let tylenol = find(array(emma, "medications"), "id", s.demo.emma_acetaminophen);
        assert_eq!(tylenol["ingredients"][0]["ingredient"], "acetaminophen");
        assert_eq!(tylenol["ingredients"][0]["mg"], 160.0);
        assert_eq!(tylenol["ingredients"][0]["max_mg_per_day"], 800.0);
        assert_eq!(tylenol["min_interval_minutes"], 240);

        let doses = array(emma, "doses");
        assert_eq!(
            doses.len(),
            3,
            "{backend:?}: every dose, the voided one too"
        );
        let given = find(doses, "id", s.maya_dose);
        assert_eq!(given["given_by"], "Maya");
        assert_eq!(given["medication"], "Children's Tylenol");
        assert_eq!(given["ingredient_mg"]["acetaminophen"], 160.0);
        assert_eq!(given["voided"], false);
        let voided = find(doses, "id", s.voided_dose);
        assert_eq!(voided["voided"], true);
        assert_eq!(voided["voided_at"], "2026-03-02T15:00:00Z");
        assert_eq!(voided["voided_by"], "Ana");
        assert_eq!(voided["given_by"], "Ana");
        let flagged = find(doses, "id", s.flagged_dose);
        assert_eq!(flagged["flagged"], true);
        assert!(flagged["flag_reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty()));

        let measurements = array(emma, "measurements");
        assert_eq!(measurements.len(), 2, "the demo's weight and the fever");
        assert_eq!(find(measurements, "kind", "temperature")["value"], 38.4);
        assert_eq!(
            find(measurements, "kind", "temperature")["recorded_by"],
            "Maya"
        );
        assert_eq!(find(measurements, "kind", "weight")["value"], 16.0);
        let conditions = array(emma, "conditions");
        assert_eq!(conditions.len(), 1);
        assert_eq!(conditions[0]["name"], CONDITION);
        assert_eq!(conditions[0]["notes"], CONDITION_NOTES);
        assert_eq!(conditions[0]["guardian_only"], true);
        let notes = array(emma, "notes");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0]["body"], NOTE);
        assert_eq!(notes[0]["author"], "Maya");
        assert!(array(emma, "allergies").is_empty());

        let leo = find(children, "name", "Leo");
        assert_eq!(array(leo, "allergies").len(), 1);
        assert_eq!(leo["allergies"][0]["allergen"], "peanuts");
        assert_eq!(leo["allergies"][0]["reaction"], REACTION);
        assert_eq!(array(leo, "medications").len(), 1);
        assert_eq!(array(leo, "doses").len(), 0);
        assert_eq!(array(leo, "vaccinations").len(), 1);
        assert_eq!(leo["vaccinations"][0]["notes"], VACCINE_NOTES);
        assert_eq!(leo["vaccinations"][0]["given_on"], "2026-02-02");
        assert_eq!(array(leo, "appointments").len(), 1);
        assert_eq!(leo["appointments"][0]["purpose"], PURPOSE);

        assert_eq!(array(&export, "providers").len(), 1);
        assert_eq!(array(&export, "shifts").len(), 1);
        assert_eq!(export["shifts"][0]["member"], "Maya");
        assert_eq!(array(&export, "nanny_profiles").len(), 1);
        assert_eq!(export["nanny_profiles"][0]["notes"], NANNY_NOTES);
        assert_eq!(array(&export, "invites").len(), 1);
        assert_eq!(array(&export, "consents").len(), 1);
        let alerts = array(&export, "notifications");
        assert_eq!(alerts.len(), 2, "the extra dose alerted Ana and Luis");
        assert_eq!(alerts[0]["body"]["kind"], "extra_dose");
        assert_eq!(alerts[0]["body"]["child_name"], "Emma");
        assert!(!array(&export, "audit_events").is_empty());

        let text = export.to_string();
        assert!(
            !text.contains("enc1:"),
            "{backend:?}: a sealed value was exported unopened"
        );

        let last = chain(&app, s.demo.family_id).await.pop().expect("an event");
        assert_eq!(
            (
                last.action.as_str(),
                last.subject.as_str(),
                last.outcome.as_str()
            ),
            (
                "family.export",
                format!("family:{}", s.demo.family_id).as_str(),
                "ok"
            )
        );
        assert_eq!(last.actor, format!("member:{}", s.ana_member));
    }
}

#[tokio::test]
async fn the_fhir_bundle_holds_the_childrens_health_record() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let s = seed(&app).await;

        let bundle = app
            .services
            .export_fhir(&Actor::operator(), s.demo.family_id)
            .await
            .expect("FHIR");

        assert_eq!(bundle["resourceType"], "Bundle");
        assert_eq!(bundle["type"], "collection");
        assert_eq!(bundle["timestamp"], "2026-03-02T15:00:00Z");
        let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
        for entry in array(&bundle, "entry") {
            let resource_type = entry["resource"]["resourceType"].as_str().expect("type");
            *by_type.entry(resource_type.to_string()).or_default() += 1;
        }
        let expected: BTreeMap<String, usize> = [
            ("Patient", 2),
            ("MedicationStatement", 3),
            ("MedicationAdministration", 3),
            ("AllergyIntolerance", 1),
            ("Condition", 1),
            ("Immunization", 1),
            ("Observation", 2),
        ]
        .into_iter()
        .map(|(t, n)| (t.to_string(), n))
        .collect();
        assert_eq!(by_type, expected, "{backend:?}");

        // Every fullUrl is a distinct urn:uuid, and every reference points at a Patient in the bundle.
        let urls: Vec<&str> = array(&bundle, "entry")
            .iter()
            .filter_map(|e| e["fullUrl"].as_str())
            .collect();
        assert_eq!(urls.len(), array(&bundle, "entry").len());
        assert!(
            urls.iter()
                .all(|u| u.starts_with("urn:uuid:") && u.len() == 45),
            "{urls:?}"
        );
        assert_eq!(urls.iter().collect::<HashSet<_>>().len(), urls.len());
        let patient_urls: HashSet<&str> = array(&bundle, "entry")
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "Patient")
            .filter_map(|e| e["fullUrl"].as_str())
            .collect();
        for entry in array(&bundle, "entry") {
            let resource = &entry["resource"];
            for field in ["subject", "patient"] {
                if let Some(reference) = resource[field]["reference"].as_str() {
                    assert!(patient_urls.contains(reference), "{field} of {resource}");
                }
            }
            if resource["resourceType"] != "Patient" {
                assert!(
                    resource["subject"]["reference"].is_string()
                        || resource["patient"]["reference"].is_string(),
                    "no subject: {resource}"
                );
            }
        }

        let patients = resources(&bundle, "Patient");
        let emma = patients
            .iter()
            .find(|p| fhir_id(p) == s.demo.emma)
            .expect("Emma");
        assert_eq!(emma["name"][0]["text"], "Emma");
        assert!(emma["birthDate"]
            .as_str()
            .is_some_and(|d| d.len() == 10 && d.starts_with("2021-")));

        let statements = resources(&bundle, "MedicationStatement");
        let tylenol = statements
            .iter()
            .find(|m| fhir_id(m) == s.demo.emma_acetaminophen)
            .expect("Tylenol");
        assert_eq!(tylenol["status"], "active");
        assert_eq!(
            tylenol["medicationCodeableConcept"]["text"],
            "Children's Tylenol (acetaminophen 160 mg/5 ml)"
        );
        assert_eq!(
            tylenol["dosage"][0]["text"],
            "5 ml as needed, at least 4 h apart, at most 5 a day"
        );

        let administrations = resources(&bundle, "MedicationAdministration");
        let status_of = |id: i64| {
            administrations
                .iter()
                .find(|a| fhir_id(a) == id)
                .expect("administration")["status"]
                .clone()
        };
        assert_eq!(status_of(s.voided_dose), "entered-in-error", "{backend:?}");
        assert_eq!(status_of(s.maya_dose), "completed");
        assert_eq!(status_of(s.flagged_dose), "completed");
        let given = administrations
            .iter()
            .find(|a| fhir_id(a) == s.maya_dose)
            .expect("dose");
        assert_eq!(given["performer"][0]["actor"]["display"], "Maya");
        assert_eq!(given["effectiveDateTime"], "2026-03-02T15:00:00Z");
        assert_eq!(given["dosage"]["dose"]["value"], 5.0);
        assert_eq!(given["dosage"]["dose"]["code"], "mL");

        let allergy = resources(&bundle, "AllergyIntolerance")[0];
        assert_eq!(allergy["code"]["text"], "peanuts");
        assert_eq!(allergy["criticality"], "high");
        assert_eq!(allergy["reaction"][0]["manifestation"][0]["text"], REACTION);
        assert_eq!(
            resources(&bundle, "Condition")[0]["code"]["text"],
            CONDITION
        );
        let immunization = resources(&bundle, "Immunization")[0];
        assert_eq!(immunization["status"], "completed");
        assert_eq!(immunization["vaccineCode"]["text"], "MMR");
        assert_eq!(immunization["occurrenceDateTime"], "2026-02-02");

        let observations = resources(&bundle, "Observation");
        let loinc = |code: &str| {
            *observations
                .iter()
                .find(|o| o["code"]["coding"][0]["code"] == code)
                .unwrap_or_else(|| panic!("no observation {code}"))
        };
        let fever = loinc("8310-5");
        assert_eq!(fever["status"], "final");
        assert_eq!(fever["category"][0]["coding"][0]["code"], "vital-signs");
        assert_eq!(fever["valueQuantity"]["value"], 38.4);
        assert_eq!(fever["valueQuantity"]["code"], "Cel");
        assert_eq!(
            fever["valueQuantity"]["system"],
            "http://unitsofmeasure.org"
        );
        let weight = loinc("29463-7");
        assert_eq!(weight["valueQuantity"]["value"], 16.0);
        assert_eq!(weight["valueQuantity"]["code"], "kg");

        assert!(!bundle.to_string().contains("enc1:"));
        let last = chain(&app, s.demo.family_id).await.pop().expect("an event");
        assert_eq!(
            (last.action.as_str(), last.actor.as_str()),
            ("family.export", "operator")
        );
    }
}

#[tokio::test]
async fn caregivers_and_viewers_can_neither_export_nor_erase() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let s = seed(&app).await;
        let family_id = s.demo.family_id;

        assert!(
            denied(app.services.export_json(&s.maya, family_id).await),
            "{backend:?}"
        );
        assert!(
            denied(app.services.export_fhir(&s.vic, family_id).await),
            "{backend:?}"
        );
        assert!(denied(app.services.erase_family(&s.maya, family_id).await));
        assert!(denied(
            app.services.erase_member(&s.vic, s.maya_member).await
        ));
        // Luis's Lopez guardianship gives him nothing over another family's members.
        let lopez_guardian = Actor::person(s.demo.luis, Channel::Console);
        let outsider_target = app
            .services
            .members(&lopez_guardian, s.lopez)
            .await
            .expect("Lopez members")[0]
            .member_id;
        assert!(denied(
            app.services.erase_member(&s.maya, outsider_target).await
        ));

        let events = chain(&app, family_id).await;
        let denials: Vec<(&str, &str)> = events
            .iter()
            .filter(|e| e.outcome == "denied")
            .map(|e| (e.actor.as_str(), e.action.as_str()))
            .collect();
        let maya = format!("member:{}", s.maya_member);
        let vic = format!("member:{}", s.vic_member);
        assert_eq!(
            denials,
            [
                (maya.as_str(), "family.export"),
                (vic.as_str(), "family.export"),
                (maya.as_str(), "erase"),
                (vic.as_str(), "erase"),
            ],
            "{backend:?}"
        );
        assert!(
            garcia_rows(&app, &s).await.values().all(|n| *n > 0),
            "{backend:?}: nothing was erased"
        );
    }
}

#[tokio::test]
async fn erasing_the_family_leaves_only_the_audit_trail() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let s = seed(&app).await;
        let family_id = s.demo.family_id;
        let before = garcia_rows(&app, &s).await;
        let empty: Vec<_> = before.iter().filter(|(_, n)| **n == 0).collect();
        assert!(
            empty.is_empty(),
            "{backend:?}: the seed must fill every table, empty: {empty:?}"
        );
        // Warm the caches the erasure must clear.
        assert!(app.services.family_info(family_id).await.is_ok());
        let ana_console = app
            .services
            .resolve_identity(IdentityKind::Console, "ana")
            .await;
        assert_eq!(ana_console.expect("resolve"), Some(s.demo.ana));
        if backend == Backend::Sqlite {
            assert!(
                sqlite_files_contain(&app, "Emma"),
                "the check below must be able to fail"
            );
        }

        let report = app
            .services
            .erase_family(&s.ana, family_id)
            .await
            .expect("erase");

        assert_eq!(report.families, 1, "{backend:?}");
        assert_eq!(report.members, 4);
        assert_eq!(report.children, 2);
        assert_eq!(report.caregiver_assignments, 2);
        assert_eq!(report.medications, 3);
        assert_eq!(report.doses, 3);
        assert_eq!(report.measurements, 2);
        assert_eq!(report.notes, 1);
        assert_eq!(report.conditions, 1);
        assert_eq!(report.allergies, 1);
        assert_eq!(report.vaccinations, 1);
        assert_eq!(report.appointments, 1);
        assert_eq!(report.providers, 1);
        assert_eq!(report.shifts, 1);
        assert_eq!(report.nanny_profiles, 1);
        // The demo's Monday-to-Friday week for Maya, and her CPR certificate.
        assert_eq!(report.shift_schedules, 5);
        assert_eq!(report.nanny_certifications, 1);
        assert_eq!(report.invites, 1);
        assert_eq!(report.consents, 1);
        assert_eq!(report.notifications, 2);
        assert_eq!(
            (report.people, report.identities),
            (3, 3),
            "Ana, Maya and Vic"
        );
        assert_eq!(
            report.conversation_states, 1,
            "Maya's; Luis's stays with him"
        );

        let left: Vec<_> = garcia_rows(&app, &s)
            .await
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect();
        assert!(left.is_empty(), "{backend:?}: rows left behind: {left:?}");

        // Luis still has his own family, his identity and his conversation.
        let luis = app
            .services
            .resolve_identity(IdentityKind::Console, "luis")
            .await
            .expect("resolve");
        assert_eq!(luis, Some(s.demo.luis));
        let memberships = app
            .services
            .memberships(s.demo.luis)
            .await
            .expect("memberships");
        assert_eq!(
            memberships.iter().map(|m| m.family_id).collect::<Vec<_>>(),
            [s.lopez]
        );
        let luis_states = count(
            &app,
            conversation_state::Entity,
            conversation_state::Column::PersonId.eq(s.demo.luis),
        )
        .await;
        assert_eq!(luis_states, 1);
        // Ana can no longer be recognised, and the family is gone (caches included).
        let ana_console = app
            .services
            .resolve_identity(IdentityKind::Console, "ana")
            .await;
        assert_eq!(ana_console.expect("resolve"), None);
        assert!(matches!(
            app.services.family_info(family_id).await,
            Err(ServiceError::NotFound("family"))
        ));
        assert!(matches!(
            app.services
                .export_json(&Actor::operator(), family_id)
                .await,
            Err(ServiceError::NotFound("family"))
        ));

        // The trail stays whole, ending with the erasure.
        let events = chain(&app, family_id).await;
        let last = events.last().expect("events remain");
        assert_eq!(
            (last.action.as_str(), last.outcome.as_str()),
            ("family.erase", "ok")
        );
        assert_eq!(last.actor, format!("member:{}", s.ana_member));
        let verified = mednanny_core::audit::verify(app.db.db.conn())
            .await
            .expect("verify");
        assert_eq!(verified.first_break, None, "{backend:?}");
        assert!(verified.events >= events.len());

        if backend == Backend::Sqlite {
            for text in ["Emma", "Garcia", NOTE, "Maya", REACTION] {
                assert!(
                    !sqlite_files_contain(&app, text),
                    "{text:?} is still in the database files"
                );
            }
        }
    }
}

/// Whether `text` appears in the SQLite database file or its WAL.
fn sqlite_files_contain(app: &TestApp, text: &str) -> bool {
    let path = app.db.sqlite_path().expect("SQLite");
    let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
    [path, wal]
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .any(|bytes| bytes.windows(text.len()).any(|w| w == text.as_bytes()))
}

#[tokio::test]
async fn erasing_a_member_keeps_the_record_without_their_name() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let s = seed(&app).await;
        let family_id = s.demo.family_id;
        let maya_console = app
            .services
            .resolve_identity(IdentityKind::Console, "maya")
            .await;
        assert_eq!(maya_console.expect("resolve"), Some(s.demo.maya));

        let report = app
            .services
            .erase_member(&s.ana, s.maya_member)
            .await
            .expect("erase Maya");

        assert_eq!(
            (report.members, report.people, report.identities),
            (1, 1, 1),
            "{backend:?}"
        );
        assert_eq!(report.caregiver_assignments, 2);
        assert_eq!((report.shifts, report.nanny_profiles), (1, 1));
        assert_eq!(
            (report.shift_schedules, report.nanny_certifications),
            (5, 1)
        );
        assert_eq!(report.conversation_states, 1);
        assert_eq!(report.deattributed, 4, "two doses, the fever and the note");
        assert_eq!(
            report.children + report.doses + report.notes + report.measurements,
            0
        );

        assert_eq!(
            app.services
                .resolve_identity(IdentityKind::Console, "maya")
                .await
                .expect("resolve"),
            None,
            "{backend:?}"
        );
        assert!(person::Entity::find_by_id(s.demo.maya)
            .one(app.db.db.conn())
            .await
            .expect("query")
            .is_none());
        let members = app
            .services
            .members(&s.ana, family_id)
            .await
            .expect("members");
        assert!(members.iter().all(|m| m.member_id != s.maya_member));
        assert_eq!(members.len(), 3);
        // Maya's doses stay in Emma's record, given by nobody now.
        let doses = app
            .services
            .recent_doses(&s.ana, s.demo.emma, 10)
            .await
            .expect("doses");
        for id in [s.maya_dose, s.flagged_dose] {
            let dose = doses.iter().find(|d| d.id == id).expect("Maya's dose kept");
            assert_eq!(
                (dose.given_by.as_deref(), dose.given_by_member_id),
                (None, None)
            );
        }
        let ana_dose = dose_log::Entity::find_by_id(s.voided_dose)
            .one(app.db.db.conn())
            .await
            .expect("query")
            .expect("Ana's voided dose kept");
        assert_eq!(
            ana_dose.given_by_member_id,
            Some(s.ana_member),
            "others keep their names"
        );
        let notes = app
            .services
            .notes(&s.ana, s.demo.emma, 10)
            .await
            .expect("notes");
        assert_eq!(
            (notes[0].body.as_str(), notes[0].author.as_deref()),
            (NOTE, None)
        );
        let readings = app
            .services
            .measurements(&s.ana, s.demo.emma, 10)
            .await
            .expect("readings");
        assert!(readings.iter().all(|m| m.recorded_by.is_none()));
        assert_eq!(readings.len(), 2);
        // Maya can do nothing in the family any more.
        let request = DoseRequest {
            child_id: s.demo.emma,
            medication_id: s.demo.emma_ibuprofen,
            amount: ml(5.0),
            given_at: None,
            confirmed_extra: false,
            override_unchecked: false,
            source_key: None,
        };
        assert!(denied(app.services.log_dose(&s.maya, request).await));

        // Luis can go (he keeps his person for Lopez); then Ana is the last guardian and cannot.
        let luis = app
            .services
            .erase_member(&s.ana, s.luis_member)
            .await
            .expect("erase Luis");
        assert_eq!((luis.members, luis.people), (1, 0), "{backend:?}");
        assert_eq!(
            app.services
                .memberships(s.demo.luis)
                .await
                .expect("Lopez")
                .len(),
            1
        );
        for actor in [s.ana, Actor::operator()] {
            let refused = app.services.erase_member(&actor, s.ana_member).await;
            assert!(
                matches!(&refused, Err(ServiceError::Invalid(Problem::LastGuardian))),
                "{backend:?}: {refused:?}"
            );
        }
        assert_eq!(
            app.services
                .members(&s.ana, family_id)
                .await
                .expect("still a guardian")
                .len(),
            2
        );

        let events = chain(&app, family_id).await;
        let erasures: Vec<&str> = events
            .iter()
            .filter(|e| e.action == "member.erase")
            .map(|e| e.subject.as_str())
            .collect();
        let (maya, luis) = (
            format!("member:{}", s.maya_member),
            format!("member:{}", s.luis_member),
        );
        assert_eq!(erasures, [maya.as_str(), luis.as_str()]);
        let verified = mednanny_core::audit::verify(app.db.db.conn())
            .await
            .expect("verify");
        assert_eq!(verified.first_break, None, "{backend:?}");
    }
}
