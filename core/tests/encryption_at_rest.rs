//! Free-text health data is sealed at rest: what the database holds for notes, condition names and
//! notes, allergy reactions and alert bodies is `enc1:<key id>:...` ciphertext without the plain
//! text, while the services read it back as written. A server with another key cannot read it (a
//! crypto error, never garbage), and after a key rotation the retired key still opens old data
//! while new data is sealed with the new key.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use mednanny_core::auth::Actor;
use mednanny_core::crypto::Keyring;
use mednanny_core::demo::{self, Demo};
use mednanny_core::domain::{Channel, DoseUnit};
use mednanny_core::services::care::{DoseRequest, RecordItem};
use mednanny_core::services::{ServiceError, Services};
use sea_orm::{ConnectionTrait, Statement};
use support::TestApp;

const NOTE: &str = "Emma coughed all night; honey helped around 3am";
const CONDITION: &str = "Mild persistent asthma";
const CONDITION_NOTES: &str = "Inhaler before football practice";
const REACTION: &str = "Hives on the neck within minutes";

/// The raw text of one column of one row, as stored.
async fn raw(services: &Services, table: &str, column: &str, id: i64) -> String {
    let conn = services.db().conn();
    let sql = format!("SELECT {column} FROM {table} WHERE id = {id}");
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no {table} row {id}"));
    row.try_get_by_index::<String>(0).unwrap()
}

/// Asserts a stored value is sealed with `keys`' current key and does not reveal `plain`.
fn assert_sealed(stored: &str, plain: &str, keys: &Keyring, what: &str) {
    let prefix = format!("enc1:{}:", keys.current_key_id());
    assert!(
        stored.starts_with(&prefix),
        "{what}: {stored:?} does not start with {prefix:?}"
    );
    assert!(
        !stored.contains(plain),
        "{what}: {stored:?} contains the plain text"
    );
    // Words of six letters or more: shorter ones could turn up in random base64 by chance.
    for word in plain.split_whitespace().filter(|w| w.len() >= 6) {
        assert!(
            !stored.contains(word),
            "{what}: {stored:?} contains {word:?}"
        );
    }
}

struct Recorded {
    note: i64,
    condition: i64,
    allergy: i64,
}

/// Ana writes a note, a condition and an allergy with its reaction about Emma.
async fn record(services: &Services, demo: &Demo) -> Recorded {
    let ana = Actor::person(demo.ana, Channel::Console);
    Recorded {
        note: services
            .add_note(&ana, demo.emma, NOTE, None)
            .await
            .unwrap(),
        condition: services
            .add_condition(&ana, demo.emma, CONDITION, Some(CONDITION_NOTES), false)
            .await
            .unwrap(),
        allergy: services
            .add_allergy(&ana, demo.emma, "amoxicillin", "moderate", Some(REACTION))
            .await
            .unwrap(),
    }
}

#[tokio::test]
async fn health_text_is_ciphertext_in_the_database_and_plain_through_the_services() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let s = &app.services;
        let demo = demo::ensure(s).await.unwrap();
        let ids = record(s, &demo).await;

        assert_sealed(
            &raw(s, "care_notes", "body", ids.note).await,
            NOTE,
            &app.keys,
            "note",
        );
        assert_sealed(
            &raw(s, "conditions", "name", ids.condition).await,
            CONDITION,
            &app.keys,
            "condition",
        );
        let notes = raw(s, "conditions", "notes", ids.condition).await;
        assert_sealed(&notes, CONDITION_NOTES, &app.keys, "condition notes");
        assert_sealed(
            &raw(s, "allergies", "reaction", ids.allergy).await,
            REACTION,
            &app.keys,
            "reaction",
        );

        // The same text sealed twice differs (fresh nonce): equal notes cannot be spotted.
        let maya = Actor::person(demo.maya, Channel::Slack);
        let again = s.add_note(&maya, demo.emma, NOTE, None).await.unwrap();
        assert_ne!(
            raw(s, "care_notes", "body", again).await,
            raw(s, "care_notes", "body", ids.note).await
        );

        // An extra-dose alert names the child and the medicine: sealed too.
        let tylenol = |confirmed_extra| DoseRequest {
            confirmed_extra,
            override_unchecked: false,
            ..support::dose_request(demo.emma, demo.emma_acetaminophen, 5.0, DoseUnit::Ml)
        };
        s.log_dose(&maya, tylenol(false)).await.unwrap();
        app.clock.advance(Duration::minutes(30));
        s.log_dose(&maya, tylenol(true)).await.unwrap();
        let conn = s.db().conn();
        let bodies = conn
            .query_all_raw(Statement::from_string(
                conn.get_database_backend(),
                "SELECT body FROM notifications",
            ))
            .await
            .unwrap();
        assert_eq!(bodies.len(), 2, "{backend:?}: both guardians alerted");
        for body in bodies {
            assert_sealed(
                &body.try_get_by_index::<String>(0).unwrap(),
                "Emma Children's Tylenol",
                &app.keys,
                "alert",
            );
        }

        // Through the services, everyone allowed reads exactly what was written.
        let ana = Actor::person(demo.ana, Channel::Console);
        let notes = s.notes(&maya, demo.emma, 10).await.unwrap();
        assert_eq!(
            notes.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
            [NOTE, NOTE],
            "{backend:?}"
        );
        let conditions = s.conditions(&maya, demo.emma).await.unwrap();
        assert_eq!(conditions.len(), 1);
        assert_eq!(
            (conditions[0].name.as_str(), conditions[0].notes.as_deref()),
            (CONDITION, Some(CONDITION_NOTES))
        );
        let allergies = s.allergies(&ana, demo.emma).await.unwrap();
        assert_eq!(allergies.len(), 1);
        assert_eq!(allergies[0].reaction.as_deref(), Some(REACTION));

        // An appointment's purpose is health data too, sealed when added and when changed; so is
        // a condition's name when it is changed.
        let purpose = "allergy test after the amoxicillin rash";
        let at = s.now() + Duration::days(3);
        let appointment = s
            .add_appointment(&ana, demo.emma, at, Some("Dr Patel"), Some(purpose))
            .await
            .unwrap();
        let sealed = raw(s, "appointments", "purpose", appointment).await;
        assert_sealed(&sealed, purpose, &app.keys, "appointment purpose");
        let mut seen = s.appointments(&ana, demo.emma).await.unwrap();
        assert_eq!(seen[0].purpose.as_deref(), Some(purpose));
        let moved = "follow-up on the amoxicillin rash";
        seen[0].purpose = Some(moved.into());
        s.change_record(
            &ana,
            demo.family_id,
            &RecordItem::Appointment(seen[0].clone()),
        )
        .await
        .unwrap();
        let sealed = raw(s, "appointments", "purpose", appointment).await;
        assert_sealed(&sealed, moved, &app.keys, "changed appointment purpose");
        let mut condition = s.conditions(&ana, demo.emma).await.unwrap()[0].clone();
        condition.name = "eczema, both elbows".into();
        s.change_record(&ana, demo.family_id, &RecordItem::Condition(condition))
            .await
            .unwrap();
        let sealed = raw(s, "conditions", "name", ids.condition).await;
        assert_sealed(
            &sealed,
            "eczema, both elbows",
            &app.keys,
            "changed condition",
        );
    }
}

#[tokio::test]
async fn a_server_with_another_key_cannot_read_it() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let demo = demo::ensure(&app.services).await.unwrap();
        record(&app.services, &demo).await;
        let ana = Actor::person(demo.ana, Channel::Console);

        let stranger = app.with_keys(Keyring::generate());
        let notes = stranger.notes(&ana, demo.emma, 10).await;
        assert!(
            matches!(notes, Err(ServiceError::Crypto(_))),
            "{backend:?}: {notes:?}"
        );
        let conditions = stranger.conditions(&ana, demo.emma).await;
        assert!(
            matches!(conditions, Err(ServiceError::Crypto(_))),
            "{backend:?}: {conditions:?}"
        );
        let allergies = stranger.allergies(&ana, demo.emma).await;
        assert!(
            matches!(allergies, Err(ServiceError::Crypto(_))),
            "{backend:?}: {allergies:?}"
        );

        // The right key still reads it: nothing was damaged by the failed attempts.
        assert_eq!(
            app.services.notes(&ana, demo.emma, 10).await.unwrap()[0].body,
            NOTE
        );
    }
}

#[tokio::test]
async fn after_a_key_rotation_the_retired_key_still_opens_old_data() {
    let old_key = [0x11u8; 32];
    let new_key = [0x22u8; 32];
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        // Before the rotation: the server holds only the old key.
        let before = app.with_keys(Keyring::new(old_key, &[]));
        let demo = demo::ensure(&before).await.unwrap();
        let ana = Actor::person(demo.ana, Channel::Console);
        let old = record(&before, &demo).await;
        let old_keys = Keyring::new(old_key, &[]);
        assert_sealed(
            &raw(&before, "care_notes", "body", old.note).await,
            NOTE,
            &old_keys,
            "old note",
        );

        // After: the new key is current and the old one retired.
        let rotated_keys = Keyring::new(new_key, &[old_key]);
        let after = app.with_keys(rotated_keys.clone());
        assert_ne!(rotated_keys.current_key_id(), old_keys.current_key_id());
        let new_note = after
            .add_note(&ana, demo.emma, "First note after the rotation", None)
            .await
            .unwrap();
        let stored = raw(&after, "care_notes", "body", new_note).await;
        assert_sealed(
            &stored,
            "First note after the rotation",
            &rotated_keys,
            "new note",
        );

        let bodies: Vec<String> = after
            .notes(&ana, demo.emma, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.body)
            .collect();
        assert_eq!(bodies.len(), 2, "{backend:?}");
        assert!(
            bodies.contains(&NOTE.to_string())
                && bodies.contains(&"First note after the rotation".to_string())
        );
        assert_eq!(
            after.conditions(&ana, demo.emma).await.unwrap()[0].name,
            CONDITION
        );
        assert_eq!(
            after.allergies(&ana, demo.emma).await.unwrap()[0]
                .reaction
                .as_deref(),
            Some(REACTION)
        );

        // The retired key is what keeps old data readable: without it, the old note is lost to this
        // server; and a server still on the old key alone cannot read what was written after.
        let dropped_old = app.with_keys(Keyring::new(new_key, &[]));
        assert!(
            matches!(
                dropped_old.notes(&ana, demo.emma, 10).await,
                Err(ServiceError::Crypto(_))
            ),
            "{backend:?}"
        );
        assert!(
            matches!(
                before.notes(&ana, demo.emma, 10).await,
                Err(ServiceError::Crypto(_))
            ),
            "{backend:?}"
        );
    }
}

/// The start-up check (`data_keys::check`) on each backend: a database knows the keys its values
/// were sealed with, a keyring without one of them is refused naming it, and a database from
/// before the check (no keys recorded) is read for the keys its sealed values name.
#[tokio::test]
async fn the_start_up_check_refuses_a_keyring_without_every_key_the_database_needs() {
    use mednanny_core::data_keys::{check, KeyCheckError};
    let (key_a, key_b) = ([0x33u8; 32], [0x44u8; 32]);
    let (a, b) = (Keyring::new(key_a, &[]), Keyring::new(key_b, &[]));
    let rotated = Keyring::new(key_b, &[key_a]);
    let needs = |result: Result<(), KeyCheckError>, missing: &Keyring, backend| match result {
        Err(KeyCheckError::MissingKeys {
            needed, current, ..
        }) => {
            assert_eq!(
                needed,
                vec![missing.current_key_id().to_string()],
                "{backend:?}"
            );
            assert_ne!(current, missing.current_key_id(), "{backend:?}");
        }
        other => panic!("{backend:?}: {other:?}"),
    };
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let db = app.services.db();
        let now = support::default_now();
        check(db, &a, now).await.unwrap();
        let with_a = app.with_keys(a.clone());
        let demo = demo::ensure(&with_a).await.unwrap();
        record(&with_a, &demo).await;

        needs(check(db, &b, now).await, &a, backend);
        check(db, &rotated, now).await.unwrap();
        check(db, &rotated, now).await.unwrap();
        // From the rotation on, both keys are needed.
        needs(check(db, &b, now).await, &a, backend);
        needs(check(db, &a, now).await, &b, backend);

        db.conn()
            .execute_unprepared("DELETE FROM data_keys")
            .await
            .unwrap();
        needs(check(db, &b, now).await, &a, backend);
        check(db, &rotated, now).await.unwrap();
        needs(check(db, &a, now).await, &b, backend);
    }
}
