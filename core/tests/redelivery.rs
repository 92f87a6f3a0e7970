//! A channel may hand the same delivery over twice: Slack or Twilio redeliver, or the bot dies after
//! writing and before marking the delivery done, and processes it again at start. Records carry the
//! delivery's key, so the second time finds what the first wrote:
//!
//! ```text
//! slack:ev:Ev1  gave Emma 5 ml Tylenol   -> Logged (dose 7)
//! slack:ev:Ev1  (again, after a crash)   -> Logged (dose 7): the same dose, no second one, no flag
//! slack:ev:Ev1  note / temperature       -> the same note, the same temperature
//! ```
//! The durable inbox recognises a redelivered key and keeps a payload sealed; finished rows are
//! purged after a day. Both databases.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use entity::{care_note, dose_log, inbox, measurement};
use mednanny_core::auth::Actor;
use mednanny_core::demo;
use mednanny_core::domain::{Channel, DoseUnit, Temperature};
use mednanny_core::inbox::{Accepted, Inbox, NewDelivery};
use mednanny_core::services::care::{DoseOutcome, DoseRequest};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::{backends, TestApp};

#[tokio::test]
async fn the_same_delivery_never_writes_a_record_twice() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let services = &app.services;
        let demo = demo::ensure(services).await.unwrap();
        let ana = Actor::person(demo.ana, Channel::Slack);
        let request = DoseRequest {
            source_key: Some("slack:ev:Ev1".into()),
            ..support::dose_request(demo.emma, demo.emma_acetaminophen, 5.0, DoseUnit::Ml)
        };
        let DoseOutcome::Logged(first) = services.log_dose(&ana, request.clone()).await.unwrap()
        else {
            panic!("the first dose is logged");
        };
        app.clock.advance(Duration::minutes(3));
        let DoseOutcome::Logged(again) = services.log_dose(&ana, request.clone()).await.unwrap()
        else {
            panic!("a repeat is answered as logged, not as a second dose to confirm");
        };
        assert_eq!(again.dose.id, first.dose.id);
        assert!(!again.flagged);
        assert_eq!(again.next_allowed_at, first.next_allowed_at);
        let doses = dose_log::Entity::find()
            .count(services.db().conn())
            .await
            .unwrap();
        assert_eq!(doses, 1);

        // A different delivery of the same words is a second dose: the safety check speaks.
        let other = DoseRequest {
            source_key: Some("slack:ev:Ev2".into()),
            ..request
        };
        assert!(matches!(
            services.log_dose(&ana, other).await.unwrap(),
            DoseOutcome::NeedsConfirmation(_)
        ));

        let note = services
            .add_note(&ana, demo.emma, "Ate well", Some("slack:ev:Ev3"))
            .await
            .unwrap();
        let note_again = services
            .add_note(&ana, demo.emma, "Ate well", Some("slack:ev:Ev3"))
            .await
            .unwrap();
        assert_eq!(note, note_again);
        services
            .add_note(&ana, demo.emma, "Ate well", None)
            .await
            .unwrap();
        let notes = care_note::Entity::find()
            .count(services.db().conn())
            .await
            .unwrap();
        assert_eq!(notes, 2, "one per delivery, and the keyless one");

        let t = Temperature { celsius: 38.2 };
        let (m1, _) = services
            .log_temperature(&ana, demo.emma, t, None, Some("slack:ev:Ev4"))
            .await
            .unwrap();
        let (m2, _) = services
            .log_temperature(&ana, demo.emma, t, None, Some("slack:ev:Ev4"))
            .await
            .unwrap();
        assert_eq!(m1.id, m2.id);
        let temperatures = measurement::Entity::find()
            .filter(measurement::Column::Kind.eq("temperature"))
            .count(services.db().conn())
            .await
            .unwrap();
        assert_eq!(temperatures, 1, "the demo's weight aside, one temperature");
    }
}

#[tokio::test]
async fn the_inbox_keeps_a_delivery_once_sealed_and_resumes_what_is_unfinished() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let services = &app.services;
        let inbox = Inbox::start(
            services.db().clone(),
            services.keys().clone(),
            services.clock(),
        );
        let delivery = |key: &str| NewDelivery {
            channel: "slack".into(),
            delivery_key: key.into(),
            kind: "message.im".into(),
            payload: format!("{{\"text\":\"note Emma coughed at night {key}\"}}"),
        };
        // Many at once, including the same key twice in one batch and once more later.
        let mut waiting = Vec::new();
        for n in 0..50 {
            let inbox = inbox.clone();
            let key = format!("k{}", n % 40);
            let d = delivery(&key);
            waiting.push(tokio::spawn(async move {
                (key, inbox.accept(d).await.unwrap())
            }));
        }
        let mut new = Vec::new();
        let mut keys_of_new = std::collections::HashMap::new();
        for handle in waiting {
            if let (key, Accepted::New(id)) = handle.await.unwrap() {
                new.push(id);
                keys_of_new.insert(id, key);
            }
        }
        assert_eq!(new.len(), 40, "ten repeats recognised");
        assert_eq!(
            inbox.accept(delivery("k0")).await.unwrap(),
            Accepted::Repeat
        );

        let rows = inbox::Entity::find()
            .all(services.db().conn())
            .await
            .unwrap();
        assert!(
            rows.iter().all(|r| !r.payload.contains("coughed")),
            "sealed at rest"
        );
        // Each caller was given the id of the row that holds its own delivery.
        for row in &rows {
            assert_eq!(
                keys_of_new.get(&row.id),
                Some(&row.delivery_key),
                "{backend:?}"
            );
        }

        for id in &new[..30] {
            inbox.finish(*id).await.unwrap();
        }
        let (pending, given_up) = inbox.resume("slack").await.unwrap();
        assert_eq!(pending.len(), 10);
        assert!(given_up.is_empty());
        assert!(
            pending[0].payload.contains("coughed"),
            "opened for processing"
        );
        assert_eq!(pending[0].attempts, 2);
        assert_eq!(
            inbox.accept(delivery("k1")).await.unwrap(),
            Accepted::Repeat,
            "done keys are remembered"
        );

        app.clock.advance(Duration::hours(25));
        assert_eq!(inbox.purge_finished(Duration::hours(24)).await.unwrap(), 30);
        assert!(matches!(
            inbox.accept(delivery("k1")).await.unwrap(),
            Accepted::New(_)
        ));
    }
}
