//! The audit trail is tamper-evident: every service call appends one event to its family's hash
//! chain; `audit::verify` finds a clean trail clean, and reports the chain and the event where
//! someone changed an event (even a denial rewritten as "ok"), deleted one, or deleted one and
//! renumbered the rest. Families have independent chains. Every read of health data leaves an
//! event, and events carry pseudonymous ids, never names or health values.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use entity::audit_event;
use mednanny_core::audit::{self, GENESIS};
use mednanny_core::auth::Actor;
use mednanny_core::demo::{self, Demo};
use mednanny_core::domain::{Channel, DoseUnit, Role, Temperature};
use mednanny_core::services::care::DoseRequest;
use mednanny_core::services::{ServiceError, Services};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use support::TestApp;

fn tylenol(demo: &Demo) -> DoseRequest {
    support::dose_request(demo.emma, demo.emma_acetaminophen, 5.0, DoseUnit::Ml)
}

async fn events_of(services: &Services, family_id: i64) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Chain.eq(format!("family:{family_id}")))
        .order_by_asc(audit_event::Column::Seq)
        .all(services.db().conn())
        .await
        .unwrap()
}

async fn sql(services: &Services, statement: &str) {
    services
        .db()
        .conn()
        .execute_unprepared(statement)
        .await
        .unwrap();
}

/// The Garcias with a little history: a dose, a note, a temperature, and an outsider's denied look.
async fn garcia_with_history(services: &Services) -> (Demo, i64) {
    let demo = demo::ensure(services).await.unwrap();
    let ana = Actor::person(demo.ana, Channel::Console);
    let maya = Actor::person(demo.maya, Channel::Slack);
    services.log_dose(&ana, tylenol(&demo)).await.unwrap();
    services
        .add_note(&maya, demo.emma, "Emma ate all her lunch", None)
        .await
        .unwrap();
    services
        .log_temperature(&maya, demo.leo, Temperature { celsius: 37.9 }, None, None)
        .await
        .unwrap();
    let stranger = services.create_person("Stranger", "en").await.unwrap();
    let stranger = Actor::person(stranger, Channel::Whatsapp);
    let denied = services.medications(&stranger, demo.emma).await;
    assert!(matches!(denied, Err(ServiceError::Denied)));
    let denied_seq = events_of(services, demo.family_id)
        .await
        .last()
        .unwrap()
        .seq;
    services.recent_doses(&ana, demo.emma, 5).await.unwrap();
    (demo, denied_seq)
}

#[tokio::test]
async fn a_clean_trail_verifies_and_every_call_is_one_event() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let s = &app.services;
        let (demo, _) = garcia_with_history(s).await;

        let report = audit::verify(s.db().conn()).await.unwrap();
        let total = audit_event::Entity::find()
            .count(s.db().conn())
            .await
            .unwrap();
        assert_eq!(report.first_break, None, "{backend:?}");
        assert_eq!(
            (report.chains, report.events as u64),
            (1, total),
            "{backend:?}"
        );

        // A second family: exactly one event per call, in order, on a chain of its own.
        let op = Actor::operator();
        let smith = s
            .create_family(&op, "Smith", "Europe/Madrid", "ES")
            .await
            .unwrap();
        let invite = s.create_invite(&op, smith, Role::Guardian).await.unwrap();
        let sam = s.create_person("Sam", "en").await.unwrap();
        s.join(sam, &invite.code, Channel::Whatsapp).await.unwrap();
        let sam = Actor::person(sam, Channel::Whatsapp);
        let today = s.now().date_naive();
        s.add_child(&sam, smith, "Sofia", today - Duration::days(800))
            .await
            .unwrap();
        s.children(&sam, smith).await.unwrap();
        let smith_events = events_of(s, smith).await;
        let actions: Vec<&str> = smith_events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "family.create",
                "invite.create",
                "invite.redeem",
                "child.add",
                "children.view"
            ]
        );
        assert_eq!(
            smith_events.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );

        let report = audit::verify(s.db().conn()).await.unwrap();
        assert_eq!(report.first_break, None, "{backend:?}");
        assert_eq!(
            (report.chains, report.events as u64),
            (2, total + 5),
            "{backend:?}"
        );

        // Events name nobody and hold no health data: they may outlive an erasure.
        let all = audit_event::Entity::find()
            .all(s.db().conn())
            .await
            .unwrap();
        for event in &all {
            let text = format!("{} {} {}", event.actor, event.action, event.subject);
            for secret in [
                "Ana", "Maya", "Sam", "Emma", "Leo", "Sofia", "Tylenol", "lunch", "37.9",
            ] {
                assert!(
                    !text.contains(secret),
                    "{backend:?}: event {text:?} contains {secret:?}"
                );
            }
        }
        let garcia = events_of(s, demo.family_id).await;
        assert!(garcia
            .iter()
            .any(|e| e.outcome == "denied" && e.actor.starts_with("person:")));
    }
}

#[tokio::test]
async fn a_changed_event_is_reported_where_it_was_changed() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let s = &app.services;
        let (demo, denied_seq) = garcia_with_history(s).await;
        let chain = format!("family:{}", demo.family_id);
        let at = |column: &str, value: &str| {
            let event = format!("chain = '{chain}' AND seq = {denied_seq}");
            format!("UPDATE audit_events SET {column} = '{value}' WHERE {event}")
        };

        // Someone hides the outsider's attempt by rewriting "denied" as "ok".
        sql(s, &at("outcome", "ok")).await;
        let report = audit::verify(s.db().conn()).await.unwrap();
        let (broken_chain, seq, problem) = report.first_break.unwrap();
        assert_eq!(
            (broken_chain.as_str(), seq),
            (chain.as_str(), denied_seq),
            "{backend:?}"
        );
        assert!(problem.contains("changed"), "{problem}");

        sql(s, &at("outcome", "denied")).await;
        assert_eq!(
            audit::verify(s.db().conn()).await.unwrap().first_break,
            None,
            "{backend:?}: restored"
        );

        // Or makes it look like something harmless.
        sql(s, &at("action", "children.view")).await;
        let report = audit::verify(s.db().conn()).await.unwrap();
        assert_eq!(
            report.first_break.map(|b| (b.0, b.1)),
            Some((chain.clone(), denied_seq)),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_deleted_event_is_reported_even_when_the_rest_are_renumbered() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let s = &app.services;
        let (demo, denied_seq) = garcia_with_history(s).await;
        let chain = format!("family:{}", demo.family_id);
        let last_seq = events_of(s, demo.family_id).await.last().unwrap().seq;
        assert!(denied_seq < last_seq, "the deleted event is in the middle");

        sql(
            s,
            &format!("DELETE FROM audit_events WHERE chain = '{chain}' AND seq = {denied_seq}"),
        )
        .await;
        let (broken_chain, seq, problem) = audit::verify(s.db().conn())
            .await
            .unwrap()
            .first_break
            .unwrap();
        assert_eq!(
            (broken_chain.as_str(), seq),
            (chain.as_str(), denied_seq + 1),
            "{backend:?}"
        );
        assert!(problem.contains(&format!("#{denied_seq}")), "{problem}");

        // Closing the gap, one event at a time (the (chain, seq) pair is unique), does not hide it:
        // the next event's link still points at the deleted one.
        for seq in denied_seq + 1..=last_seq {
            sql(
                s,
                &format!(
                    "UPDATE audit_events SET seq = {} WHERE chain = '{chain}' AND seq = {seq}",
                    seq - 1
                ),
            )
            .await;
        }
        let (broken_chain, seq, problem) = audit::verify(s.db().conn())
            .await
            .unwrap()
            .first_break
            .unwrap();
        assert_eq!(
            (broken_chain.as_str(), seq),
            (chain.as_str(), denied_seq),
            "{backend:?}"
        );
        assert!(problem.contains("link"), "{problem}");
    }
}

#[tokio::test]
async fn families_have_independent_chains() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let s = &app.services;
        let op = Actor::operator();
        let today = s.now().date_naive();
        let first = s
            .create_family(&op, "First", "America/New_York", "US")
            .await
            .unwrap();
        let second = s
            .create_family(&op, "Second", "Europe/Madrid", "ES")
            .await
            .unwrap();
        // Interleaved writes: neither family's numbering sees the other's.
        for i in 0..4 {
            s.add_child(&op, first, &format!("A{i}"), today - Duration::days(400))
                .await
                .unwrap();
            s.add_child(&op, second, &format!("B{i}"), today - Duration::days(400))
                .await
                .unwrap();
            s.add_child(&op, second, &format!("C{i}"), today - Duration::days(400))
                .await
                .unwrap();
        }
        let (a, b) = (events_of(s, first).await, events_of(s, second).await);
        assert_eq!(
            a.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=5).collect::<Vec<_>>(),
            "{backend:?}"
        );
        assert_eq!(
            b.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=9).collect::<Vec<_>>(),
            "{backend:?}"
        );
        assert_eq!(
            (a[0].prev_hash.as_str(), b[0].prev_hash.as_str()),
            (GENESIS, GENESIS)
        );
        assert!(a.windows(2).all(|w| w[1].prev_hash == w[0].hash));
        assert!(b.windows(2).all(|w| w[1].prev_hash == w[0].hash));

        // Tampering in one family is reported in that family, whichever it is.
        for (family, events) in [(second, &b), (first, &a)] {
            let victim = &events[2];
            sql(
                s,
                &format!(
                    "UPDATE audit_events SET subject = 'child:0' WHERE id = {}",
                    victim.id
                ),
            )
            .await;
            let report = audit::verify(s.db().conn()).await.unwrap();
            assert_eq!(
                report.first_break.map(|b| (b.0, b.1)),
                Some((format!("family:{family}"), 3)),
                "{backend:?}"
            );
            sql(
                s,
                &format!(
                    "UPDATE audit_events SET subject = '{}' WHERE id = {}",
                    victim.subject, victim.id
                ),
            )
            .await;
        }
        let report = audit::verify(s.db().conn()).await.unwrap();
        assert_eq!(
            (report.chains, report.events, report.first_break),
            (2, 14, None),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn every_read_of_health_data_is_audited() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let s = &app.services;
        let demo = demo::ensure(s).await.unwrap();
        let ana = Actor::person(demo.ana, Channel::Console);
        let maya = Actor::person(demo.maya, Channel::Slack);
        let members = s.members(&ana, demo.family_id).await.unwrap();
        let member_ref = |person: i64| {
            format!(
                "member:{}",
                members
                    .iter()
                    .find(|m| m.person_id == person)
                    .unwrap()
                    .member_id
            )
        };
        let (emma, family) = (demo.emma, demo.family_id);
        let emma_subject = format!("child:{emma}");

        let mut expected: Vec<(&str, String, String)> = Vec::new();
        let count = || async {
            audit_event::Entity::find()
                .count(s.db().conn())
                .await
                .unwrap()
        };
        // The number of events after each read: each read must append exactly one.
        let mut counts = vec![count().await];
        macro_rules! read {
            ($call:expr, $actor:expr, $action:expr, $subject:expr) => {{
                $call.await.unwrap();
                counts.push(count().await);
                expected.push(($action, $actor, $subject));
            }};
        }
        read!(
            s.children(&maya, family),
            member_ref(demo.maya),
            "children.view",
            format!("family:{family}")
        );
        read!(
            s.medications(&maya, emma),
            member_ref(demo.maya),
            "medications.view",
            emma_subject.clone()
        );
        read!(
            s.allergies(&maya, demo.leo),
            member_ref(demo.maya),
            "allergies.view",
            format!("child:{}", demo.leo)
        );
        read!(
            s.conditions(&maya, emma),
            member_ref(demo.maya),
            "conditions.view",
            emma_subject.clone()
        );
        read!(
            s.recent_doses(&maya, emma, 5),
            member_ref(demo.maya),
            "doses.view",
            emma_subject.clone()
        );
        read!(
            s.check_dose(&maya, emma, demo.emma_ibuprofen),
            member_ref(demo.maya),
            "dose.check",
            emma_subject.clone()
        );
        read!(
            s.measurements(&maya, emma, 5),
            member_ref(demo.maya),
            "measurements.view",
            emma_subject.clone()
        );
        read!(
            s.notes(&maya, emma, 5),
            member_ref(demo.maya),
            "notes.view",
            emma_subject.clone()
        );
        read!(
            s.members(&ana, family),
            member_ref(demo.ana),
            "members.view",
            format!("family:{family}")
        );

        for (i, pair) in counts.windows(2).enumerate() {
            assert_eq!(
                pair[1],
                pair[0] + 1,
                "{backend:?}: {} appended {} events",
                expected[i].0,
                pair[1] - pair[0]
            );
        }
        let events = events_of(s, family).await;
        let recorded: Vec<(&str, String, String)> = events[events.len() - expected.len()..]
            .iter()
            .map(|e| {
                assert_eq!(e.outcome, "ok");
                (e.action.as_str(), e.actor.clone(), e.subject.clone())
            })
            .collect();
        assert_eq!(recorded, expected, "{backend:?}");
        assert_eq!(
            audit::verify(s.db().conn()).await.unwrap().first_break,
            None
        );
    }
}

/// Each process remembers the head of the chains it appends to, so it need not read it back before
/// every event. That memory can go stale: another process (an admin command, a second bot) appends
/// to the same chain, or a transaction that appended is rolled back. Neither may fork the chain or
/// leave a gap.
#[tokio::test]
async fn appends_from_two_processes_and_after_a_rollback_keep_the_chain_whole() {
    use mednanny_core::audit::{AuditRecord, Outcome};
    use mednanny_core::db::LockScope;

    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let s = &app.services;
        let demo = demo::ensure(s).await.unwrap();
        let other = app.another_process().await;
        let ana = Actor::person(demo.ana, Channel::Console);
        let before = events_of(s, demo.family_id).await.len();
        for i in 0..3 {
            s.add_note(&ana, demo.emma, &format!("from the bot {i}"), None)
                .await
                .unwrap();
            other
                .add_note(&ana, demo.emma, &format!("from another process {i}"), None)
                .await
                .unwrap();
        }
        // An event appended in a transaction that is then rolled back is gone, and the next
        // append takes its place.
        let txn = s
            .db()
            .write(LockScope::Family(demo.family_id))
            .await
            .unwrap();
        audit::append(
            &*txn,
            s.db().chain_heads(),
            AuditRecord {
                family_id: Some(demo.family_id),
                actor: "operator".into(),
                action: "test.rolled_back",
                subject: format!("family:{}", demo.family_id),
                channel: Channel::System,
                outcome: Outcome::Ok,
            },
            s.now(),
        )
        .await
        .unwrap();
        drop(txn);
        s.add_note(&ana, demo.emma, "after the rollback", None)
            .await
            .unwrap();
        other
            .add_note(&ana, demo.emma, "and from the other process", None)
            .await
            .unwrap();

        let events = events_of(s, demo.family_id).await;
        assert_eq!(events.len(), before + 8, "{backend:?}");
        assert!(
            events.iter().all(|e| e.action != "test.rolled_back"),
            "{backend:?}"
        );
        assert_eq!(
            events.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=events.len() as i64).collect::<Vec<_>>(),
            "{backend:?}"
        );
        let report = audit::verify(s.db().conn()).await.unwrap();
        assert_eq!(report.first_break, None, "{backend:?}");
    }
}
