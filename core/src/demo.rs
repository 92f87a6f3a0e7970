//! The Garcia demo family, created once by `mednanny chat --demo` so anyone can try MedNanny in a
//! minute: guardians Ana and Luis, nanny Maya (caregiver for both children), Emma (4 years, 16 kg) and
//! Leo (14 months, peanut allergy). Maya has a profile (languages, rates, an emergency contact, a
//! CPR certificate) and works Monday to Friday, 8 to 5. Everything goes through the services, so the
//! demo is audited like any other data.

use chrono::{Duration, Months, NaiveTime, Weekday};

use crate::auth::Actor;
use crate::domain::{parse_strength, DoseAmount, DoseUnit, IdentityKind, Role};
use crate::services::care::{NewMedication, Schedule};
use crate::services::nanny::{Certification, ProfileChange, ScheduledShift, ShiftDays};
use crate::services::{ServiceResult, Services};

pub const FAMILY_NAME: &str = "Garcia";

/// The demo people, as (display name, console identity, role).
pub const PEOPLE: [(&str, &str, Role); 3] = [
    ("Ana", "ana", Role::Guardian),
    ("Luis", "luis", Role::Guardian),
    ("Maya", "maya", Role::Caregiver),
];

/// Ids of what the demo created.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub family_id: i64,
    /// Person ids of Ana, Luis and Maya.
    pub ana: i64,
    pub luis: i64,
    pub maya: i64,
    pub emma: i64,
    pub leo: i64,
    pub emma_acetaminophen: i64,
    pub emma_ibuprofen: i64,
    pub leo_amoxicillin: i64,
}

fn strength(
    ingredient: &str,
    text: &str,
    max_mg_per_day: Option<f64>,
) -> ServiceResult<crate::domain::IngredientStrength> {
    let mut s = parse_strength(ingredient, text)
        .map_err(|_| crate::services::Problem::BadStrength(text.to_string()))?;
    s.max_mg_per_day = max_mg_per_day;
    Ok(s)
}

fn ml(value: f64) -> DoseAmount {
    DoseAmount {
        value,
        unit: DoseUnit::Ml,
    }
}

/// Creates the Garcia family unless a console identity `ana` already exists; returns its ids.
pub async fn ensure(services: &Services) -> ServiceResult<Demo> {
    if let Some(existing) = find(services).await? {
        return Ok(existing);
    }
    let op = Actor::operator();
    let family_id = services
        .create_family(&op, FAMILY_NAME, "America/New_York", "US")
        .await?;
    let mut people = Vec::new();
    let mut members = Vec::new();
    for (name, console_id, role) in PEOPLE {
        let person = services.create_person(name, "en").await?;
        services
            .link_identity(person, IdentityKind::Console, console_id, true)
            .await?;
        members.push(services.add_member(&op, family_id, person, role).await?);
        people.push(person);
    }
    let today = services
        .now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive();
    let emma_born = today
        .checked_sub_months(Months::new(4 * 12 + 3))
        .unwrap_or(today);
    let leo_born = today.checked_sub_months(Months::new(14)).unwrap_or(today);
    let emma = services
        .add_child(&op, family_id, "Emma", emma_born)
        .await?;
    let leo = services.add_child(&op, family_id, "Leo", leo_born).await?;
    for child in [emma, leo] {
        services.assign_caregiver(&op, members[2], child).await?;
    }
    // Maya's profile and her week: Monday to Friday, 8 to 5, in the family's time zone.
    services
        .set_nanny_profile(
            &op,
            family_id,
            members[2],
            ProfileChange {
                languages: Some(vec!["English".into(), "Spanish".into()]),
                hourly_rate_cents: Some(2250),
                overtime_rate_cents: Some(3375),
                emergency_contact: Some("Rosa Diaz (sister) +1 212 555 0142".into()),
                certification: Some(Certification {
                    name: "CPR and first aid".into(),
                    expires_on: today + Duration::days(300),
                }),
            },
        )
        .await?;
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default();
    let weekdays: Vec<ScheduledShift> = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
    .into_iter()
    .map(|day| ScheduledShift {
        days: ShiftDays::Weekly(day),
        starts: eight,
        ends: five,
    })
    .collect();
    services
        .add_scheduled_shifts(&op, family_id, members[2], &weekdays)
        .await?;
    services.log_growth(&op, emma, "weight", 16.0, None).await?;
    services
        .add_allergy(
            &op,
            leo,
            "peanuts",
            "severe",
            Some("hives and lip swelling"),
        )
        .await?;

    let emma_acetaminophen = services
        .add_medication(
            &op,
            NewMedication {
                child_id: emma,
                name: "Children's Tylenol".into(),
                form: "oral suspension".into(),
                route: "oral".into(),
                ingredients: vec![strength("acetaminophen", "160 mg/5 ml", Some(800.0))?],
                dose: ml(5.0),
                schedule: Schedule::AsNeeded,
                min_interval: Duration::hours(4),
                max_doses_per_day: Some(5),
                starts_on: None,
                ends_on: None,
            },
        )
        .await?;
    let emma_ibuprofen = services
        .add_medication(
            &op,
            NewMedication {
                child_id: emma,
                name: "Children's Motrin".into(),
                form: "oral suspension".into(),
                route: "oral".into(),
                ingredients: vec![strength("ibuprofen", "100 mg/5 ml", Some(400.0))?],
                dose: ml(5.0),
                schedule: Schedule::AsNeeded,
                min_interval: Duration::hours(6),
                max_doses_per_day: Some(4),
                starts_on: None,
                ends_on: None,
            },
        )
        .await?;
    let times = ["08:00", "14:00", "20:00"]
        .iter()
        .filter_map(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
        .collect();
    let leo_amoxicillin = services
        .add_medication(
            &op,
            NewMedication {
                child_id: leo,
                name: "Amoxicillin".into(),
                form: "oral suspension".into(),
                route: "oral".into(),
                ingredients: vec![strength("amoxicillin", "250 mg/5 ml", None)?],
                dose: ml(5.0),
                schedule: Schedule::FixedTimes { times },
                min_interval: Duration::hours(4),
                max_doses_per_day: Some(3),
                starts_on: Some(today),
                ends_on: Some(today + Duration::days(10)),
            },
        )
        .await?;
    // Ana agreed that the family's messages may go to the assistant's model (pseudonymized), when
    // one is configured: the demo shows the assistant as a family that said yes would see it.
    services
        .set_assistant_consent(
            &Actor::person(people[0], crate::domain::Channel::Console),
            family_id,
            true,
        )
        .await?;
    Ok(Demo {
        family_id,
        ana: people[0],
        luis: people[1],
        maya: people[2],
        emma,
        leo,
        emma_acetaminophen,
        emma_ibuprofen,
        leo_amoxicillin,
    })
}

/// The demo's ids if it was already created.
pub async fn find(services: &Services) -> ServiceResult<Option<Demo>> {
    let Some(ana) = services
        .resolve_identity(IdentityKind::Console, "ana")
        .await?
    else {
        return Ok(None);
    };
    let Some(luis) = services
        .resolve_identity(IdentityKind::Console, "luis")
        .await?
    else {
        return Ok(None);
    };
    let Some(maya) = services
        .resolve_identity(IdentityKind::Console, "maya")
        .await?
    else {
        return Ok(None);
    };
    let Some(membership) = services
        .memberships(ana)
        .await?
        .into_iter()
        .find(|m| m.family_name == FAMILY_NAME)
    else {
        return Ok(None);
    };
    let actor = Actor::operator();
    let children = services.children(&actor, membership.family_id).await?;
    let (Some(emma), Some(leo)) = (
        children.iter().find(|c| c.name == "Emma").map(|c| c.id),
        children.iter().find(|c| c.name == "Leo").map(|c| c.id),
    ) else {
        return Ok(None);
    };
    let emma_meds = services.medications(&actor, emma).await?;
    let leo_meds = services.medications(&actor, leo).await?;
    let med = |meds: &[crate::services::care::MedicationView], ingredient: &str| {
        meds.iter()
            .find(|m| m.ingredients.iter().any(|s| s.ingredient == ingredient))
            .map(|m| m.id)
            .unwrap_or_default()
    };
    Ok(Some(Demo {
        family_id: membership.family_id,
        ana,
        luis,
        maya,
        emma,
        leo,
        emma_acetaminophen: med(&emma_meds, "acetaminophen"),
        emma_ibuprofen: med(&emma_meds, "ibuprofen"),
        leo_amoxicillin: med(&leo_meds, "amoxicillin"),
    }))
}
