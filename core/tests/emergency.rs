//! Emergencies through the whole engine, on both databases:
//!
//! ```text
//! luis> gave Emma 5 ml Tylenol        -> ⚠ Wait — ... Reply yes or no.     (a question pending)
//! maya> leo took 3 of Luis's pills    -> 🚨 Call 911 now. ... Poison Help 1-800-222-1222 ...
//!                                        I've alerted Ana and Luis.
//!       (no dose of "of" is logged; the event is audited; Ana and Luis have an alert waiting)
//! luis> emma is not breathing         -> 🚨 Call 911 now. ... start CPR ...  (his question is gone)
//! luis> yes                           -> not understood: nothing is logged
//! ```
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use entity::{audit_event, dose_log, measurement};
use mednanny_core::auth::Actor;
use mednanny_core::demo;
use mednanny_core::domain::{Channel, IdentityKind, Role};
use mednanny_core::engine::{Engine, Inbound};
use mednanny_core::services::care::Alert;
use mednanny_core::services::Services;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::{backends, said, turn, TestApp};

async fn count_doses(services: &Services) -> u64 {
    dose_log::Entity::find()
        .count(services.db().conn())
        .await
        .unwrap()
}

async fn raised_events(services: &Services) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("emergency.raise"))
        .all(services.db().conn())
        .await
        .unwrap()
}

/// The alerts waiting for a console user (left waiting).
async fn alerts_for(services: &Services, family_id: i64, name: &str) -> Vec<Alert> {
    let person = services
        .resolve_identity(IdentityKind::Console, name)
        .await
        .unwrap()
        .unwrap();
    services
        .pending_alerts(&Actor::person(person, Channel::Console), family_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.alert)
        .collect()
}

#[tokio::test]
async fn an_emergency_is_answered_first_alerts_the_guardians_and_is_audited() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let family_id = demo::ensure(&app.services).await.unwrap().family_id;
        let engine = Engine::with_database_store(app.services.clone());
        assert!(turn(&engine, "ana", "gave Emma 5 ml Tylenol")
            .await
            .contains("Logged"));
        let doses = count_doses(&app.services).await;

        let answer = turn(&engine, "maya", "leo took 3 of Luis's pills").await;
        let first_line = answer.lines().next().unwrap();
        assert_eq!(first_line, "🚨 Call 911 now.", "{answer}");
        assert!(answer.contains("Poison Help at 1-800-222-1222"), "{answer}");
        assert!(answer.contains("alerted Ana and Luis"), "{answer}");
        assert!(!answer.contains("Logged"), "{answer}");
        assert_eq!(count_doses(&app.services).await, doses, "no dose of 'of'");

        let events = raised_events(&app.services).await;
        assert_eq!(events.len(), 1, "one audit event");
        assert_eq!(events[0].family_id, Some(family_id));
        assert_eq!(events[0].subject, format!("family:{family_id}"));

        for guardian in ["ana", "luis"] {
            let alerts = alerts_for(&app.services, family_id, guardian).await;
            let emergency = alerts
                .iter()
                .find_map(|a| match a {
                    Alert::Emergency(e) => Some(e),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{guardian} has no emergency alert: {alerts:?}"));
            assert_eq!(emergency.reported_by, "Maya");
            assert_eq!(emergency.child_name.as_deref(), Some("Leo"));
        }
        // Ana reads it with her next message.
        let next = turn(&engine, "ana", "kids").await;
        assert!(
            next.contains("🚨 Emergency: Maya reported a possible poisoning about Leo"),
            "{next}"
        );
    }
}

#[tokio::test]
async fn an_emergency_drops_a_pending_question_so_a_later_yes_logs_nothing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        turn(&engine, "ana", "gave Emma 5 ml Tylenol").await;
        let question = turn(&engine, "luis", "gave Emma 5 ml Tylenol").await;
        assert!(question.contains("Reply yes or no"), "{question}");
        let doses = count_doses(&app.services).await;

        let answer = turn(&engine, "luis", "emma is not breathing").await;
        assert!(answer.starts_with("🚨 Call 911 now."), "{answer}");
        assert!(answer.contains("start CPR"), "{answer}");
        assert!(answer.contains("alerted Ana"), "{answer}");

        let after = turn(&engine, "luis", "yes").await;
        assert!(!after.contains("Logged"), "{after}");
        assert_eq!(count_doses(&app.services).await, doses);
    }
}

/// Messages that carry a number and a medicine but describe a poisoning: none is ever a dose.
#[tokio::test]
async fn a_poisoning_is_never_parsed_as_a_dose() {
    let app = TestApp::new(backends()[0]).await;
    demo::ensure(&app.services).await.unwrap();
    let engine = Engine::with_database_store(app.services.clone());
    for text in [
        "took 3 of Luis's pills",
        "gave Emma 5 ml of Leo's amoxicillin by mistake",
        "emma drank like 20 ml of lamp oil",
        "Leo swallowed 2 of grandma's blood pressure tablets",
        "emma ate a whole bottle of children's tylenol, 120 ml",
    ] {
        let answer = turn(&engine, "ana", text).await;
        assert!(answer.starts_with("🚨 Call 911 now."), "{text}: {answer}");
        assert!(answer.contains("Poison Help"), "{text}: {answer}");
        assert_eq!(count_doses(&app.services).await, 0, "{text}");
    }
}

/// The product's name says who it is made for ("Children's Tylenol", "Infants' Motrin"): a routine
/// dose of it is a dose, never someone else's medicine (found when a Slack dose form said the
/// product's full name and the guardians were alerted to a poisoning).
#[tokio::test]
async fn a_dose_of_a_childrens_product_is_a_dose_not_a_poisoning() {
    let app = TestApp::new(backends()[0]).await;
    demo::ensure(&app.services).await.unwrap();
    let engine = Engine::with_database_store(app.services.clone());
    let logged = turn(&engine, "ana", "gave Emma 5 ml Children's Tylenol").await;
    assert!(
        logged.starts_with("✓ Logged: Emma") || logged.starts_with("Logged: Emma"),
        "{logged}"
    );
    for text in [
        "gave Emma 5 ml of Children's Motrin",
        "gave Leo 1.25 ml infants' Motrin",
        "Emma had her kids' Zyrtec at 8",
    ] {
        let answer = turn(&engine, "ana", text).await;
        assert!(!answer.contains("Call 911"), "{text}: {answer}");
    }
    assert_eq!(count_doses(&app.services).await, 2);
}

/// Fever in a baby under 3 months, from the child's birth date, through the engine: answered as an
/// emergency; the same reading in an older child is logged as a temperature.
#[tokio::test]
async fn a_fever_in_a_young_baby_is_an_emergency_in_an_older_child_a_reading() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let family_id = demo::ensure(&app.services).await.unwrap().family_id;
        let born = app
            .services
            .now()
            .date_naive()
            .checked_sub_signed(Duration::weeks(6))
            .unwrap();
        app.services
            .add_child(&Actor::operator(), family_id, "Sofia", born)
            .await
            .unwrap();
        let engine = Engine::with_database_store(app.services.clone());

        let baby = turn(&engine, "ana", "Sofia temp 38.2").await;
        assert!(baby.starts_with("🚨 Call 911 now."), "{baby}");
        let older = turn(&engine, "ana", "Emma temp 38.2").await;
        assert!(older.starts_with("Logged: Emma"), "{older}");
        // An age in the message is never the reading.
        let aged = turn(&engine, "ana", "Emma is 4 years old, temp 38.4").await;
        assert!(aged.contains("38.4 °C"), "{aged}");
        let readings = measurement::Entity::find()
            .count(app.services.db().conn())
            .await
            .unwrap();
        assert_eq!(readings, 1 + 2, "Emma's weight, and her two temperatures");
    }
}

/// The first line is the family country's emergency number, with the country's other lines.
#[tokio::test]
async fn each_country_gets_its_own_numbers() {
    let app = TestApp::new(backends()[0]).await;
    let op = Actor::operator();
    // (country, zone, message, what the answer must contain)
    let table: &[(&str, &str, &str, &[&str])] = &[
        (
            "GB",
            "Europe/London",
            "ollie drank some bleach",
            &["🚨 Call 999 now.", "Poison Help at NHS 111"],
        ),
        (
            "ES",
            "Europe/Madrid",
            "se tragó una pila",
            &["🚨 Call 112 now.", "Toxicología 91 562 04 20"],
        ),
        (
            "AU",
            "Australia/Sydney",
            "he is not breathing",
            &["🚨 Call 000 now.", "start CPR"],
        ),
        (
            "US",
            "America/Chicago",
            "my son says he wants to kill himself",
            &["🚨 If anyone is in danger now, call 911.", "988"],
        ),
        (
            "GB",
            "Europe/London",
            "she told me her uncle touches her private parts",
            &["call 999", "NSPCC", "0808 800 5000"],
        ),
        (
            "PT",
            "Europe/Lisbon",
            "o bebé is not breathing",
            &["🚨 Call 112 now."],
        ),
    ];
    for (i, (country, zone, text, expected)) in table.iter().enumerate() {
        let family = app
            .services
            .create_family(&op, &format!("Family {i}"), zone, country)
            .await
            .unwrap();
        let person = app.services.create_person("Parent", "en").await.unwrap();
        let console_id = format!("parent{i}");
        app.services
            .link_identity(person, IdentityKind::Console, &console_id, true)
            .await
            .unwrap();
        app.services
            .add_member(&op, family, person, Role::Guardian)
            .await
            .unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let answer = turn(&engine, &console_id, text).await;
        for part in *expected {
            assert!(answer.contains(part), "{country} {text}: {answer}");
        }
    }
}

#[tokio::test]
async fn a_stranger_in_an_emergency_gets_the_answer_without_a_family() {
    let app = TestApp::new(backends()[0]).await;
    let engine = Engine::with_database_store(app.services.clone());
    let answer = turn(&engine, "nobody", "HELP my baby is not breathing").await;
    assert!(
        answer.starts_with("🚨 Call your local emergency number (911 in the US and Canada"),
        "{answer}"
    );
    let welcome = turn(&engine, "nobody", "hello").await;
    assert!(!welcome.contains("🚨"), "{welcome}");
}

/// A caregiver and a viewer may raise an emergency too; the policy says every active member.
#[tokio::test]
async fn every_member_may_raise_an_emergency() {
    let app = TestApp::new(backends()[0]).await;
    let family_id = demo::ensure(&app.services).await.unwrap().family_id;
    let op = Actor::operator();
    let person = app.services.create_person("Gran", "en").await.unwrap();
    app.services
        .link_identity(person, IdentityKind::Console, "gran", true)
        .await
        .unwrap();
    app.services
        .add_member(&op, family_id, person, Role::Viewer)
        .await
        .unwrap();
    let engine = Engine::with_database_store(app.services.clone());
    let answer = turn(&engine, "gran", "leo is having a seizure").await;
    assert!(answer.starts_with("🚨 Call 911 now."), "{answer}");
    assert!(answer.contains("alerted Ana and Luis"), "{answer}");
    assert_eq!(raised_events(&app.services).await.len(), 1);
}

/// The same delivery handled twice (the bot died before marking it done): the guardians are
/// alerted once, and the second pass is audited as a repeat.
#[tokio::test]
async fn a_redelivered_emergency_alerts_nobody_twice() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let family_id = demo::ensure(&app.services).await.unwrap().family_id;
        let engine = Engine::with_database_store(app.services.clone());
        let delivery = Inbound {
            delivery_key: Some("slack:ev:EvEmergency1".into()),
            form: None,
            voice: false,
            locale: None,
            photo: None,
            timezone: None,
            ..said("maya", "leo is not breathing")
        };
        for _ in 0..2 {
            let turn = engine.handle(&delivery).await;
            assert!(turn.replies[0].text.starts_with("🚨 Call 911 now."));
        }
        for guardian in ["ana", "luis"] {
            let emergencies = alerts_for(&app.services, family_id, guardian)
                .await
                .into_iter()
                .filter(|a| matches!(a, Alert::Emergency(_)))
                .count();
            assert_eq!(emergencies, 1, "{guardian}");
        }
        let repeated = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("emergency.raise.repeated"))
            .count(app.services.db().conn())
            .await
            .unwrap();
        assert_eq!(raised_events(&app.services).await.len(), 1);
        assert_eq!(repeated, 1);
    }
}
