//! Joining with an invite code, throttled, on both databases (`core/src/join_tries.rs`): a sender
//! who got five codes wrong in 15 minutes is told to wait and their codes are not checked (the
//! right one neither) until the wait is over; another sender is not held up by them; a flood of
//! wrong codes from many senders leaves each sender one; every refusal is audited as denied; the
//! count is in the database, so another process (a restarted bot, a second one) sees it.
//!
//! ```text
//! mallory > join WRONG-00001   (× 5)  -> "That invite code is not valid. …"
//! mallory > join WRONG-00006          -> "Too many wrong invite codes: wait 15 minutes, then try again. This code was not checked."
//! mallory > join <the right code>     -> the same: not checked
//!   … 15 minutes later …
//! mallory > join <the right code>     -> "Welcome to the Okafor family …"
//! ```
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use entity::audit_event;
use mednanny_core::auth::Actor;
use mednanny_core::domain::{Channel, Role};
use mednanny_core::engine::Engine;
use mednanny_core::join_tries::JoinLimit;
use mednanny_core::services::family::Membership;
use mednanny_core::services::{Problem, ServiceError, ServiceResult, Services};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::{backends, turn, TestApp};

/// A family with one open invite; its code.
async fn family_with_invite(services: &Services) -> (i64, String) {
    let operator = Actor::operator();
    let family = services
        .create_family(&operator, "Okafor", "Europe/London", "GB")
        .await
        .unwrap();
    let invite = services
        .create_invite(&operator, family, Role::Caregiver)
        .await
        .unwrap();
    (family, invite.code)
}

fn wrong(n: usize) -> String {
    format!("WRONG-{n:05}")
}

fn problem(result: ServiceResult<Membership>) -> Problem {
    match result {
        Err(ServiceError::Invalid(problem)) => problem,
        other => panic!("expected a problem, got {other:?}"),
    }
}

async fn denied_joins(app: &TestApp) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("invite.redeem"))
        .filter(audit_event::Column::Outcome.eq("denied"))
        .count(app.services.db().conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn sixty_wrong_codes_in_a_row_are_refused_unchecked_after_five_until_the_wait_passes() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let services = &app.services;
        let (family, code) = family_with_invite(services).await;
        let mallory = services.create_person("Mallory", "en").await.unwrap();

        let mut answers = Vec::new();
        for n in 1..=60 {
            answers.push(problem(
                services.join(mallory, &wrong(n), Channel::Whatsapp).await,
            ));
            app.clock.advance(Duration::seconds(1));
        }
        assert!(
            answers[..5].iter().all(|p| *p == Problem::InviteInvalid),
            "{backend:?}: the first five are checked: {:?}",
            &answers[..5]
        );
        assert!(
            answers[5..].iter().all(|p| matches!(
                p,
                Problem::TooManyJoinTries {
                    limit: JoinLimit::Sender,
                    ..
                }
            )),
            "{backend:?}: the rest are not: {:?}",
            &answers[5..]
        );
        // Five seconds after the first wrong one: 15 minutes to wait (rounded up).
        assert_eq!(
            answers[5],
            Problem::TooManyJoinTries {
                limit: JoinLimit::Sender,
                minutes: 15
            }
        );
        assert_eq!(
            denied_joins(&app).await,
            55,
            "{backend:?}: each refusal audited"
        );

        // The right code is not checked either, here or in another process (a second bot, or
        // this one restarted).
        let refused = problem(services.join(mallory, &code, Channel::Whatsapp).await);
        assert!(
            matches!(refused, Problem::TooManyJoinTries { .. }),
            "{backend:?}: {refused:?}"
        );
        let another = app.another_process().await;
        let refused = problem(another.join(mallory, &code, Channel::Whatsapp).await);
        assert!(
            matches!(refused, Problem::TooManyJoinTries { .. }),
            "{backend:?}: {refused:?}"
        );

        // Until the first wrong code is 15 minutes old.
        app.clock.advance(Duration::minutes(13));
        let refused = problem(services.join(mallory, &code, Channel::Whatsapp).await);
        assert_eq!(
            refused,
            Problem::TooManyJoinTries {
                limit: JoinLimit::Sender,
                minutes: 1
            },
            "{backend:?}"
        );
        app.clock.advance(Duration::minutes(1));
        let joined = services
            .join(mallory, &code, Channel::Whatsapp)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: the wait is over: {e:?}"));
        assert_eq!(joined.family_id, family);
        assert_eq!(joined.role, Role::Caregiver);
    }
}

#[tokio::test]
async fn another_sender_is_not_held_up_by_the_first() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let services = &app.services;
        let (family, code) = family_with_invite(services).await;
        let mallory = services.create_person("Mallory", "en").await.unwrap();
        let rosa = services.create_person("Rosa", "en").await.unwrap();
        for n in 1..=6 {
            let _ = services.join(mallory, &wrong(n), Channel::Slack).await;
        }
        assert!(matches!(
            problem(services.join(mallory, &code, Channel::Slack).await),
            Problem::TooManyJoinTries { .. }
        ));

        // Rosa's typo is checked and named as such; her right code joins.
        let typo = problem(services.join(rosa, &wrong(99), Channel::Whatsapp).await);
        assert_eq!(typo, Problem::InviteInvalid, "{backend:?}");
        let joined = services
            .join(rosa, &code, Channel::Whatsapp)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: Rosa is not held up: {e:?}"));
        assert_eq!(joined.family_id, family);

        // A used code is a wrong one too: it counts, and is said as used.
        let used = problem(services.join(rosa, &code, Channel::Whatsapp).await);
        assert_eq!(used, Problem::InviteUsed, "{backend:?}");
    }
}

#[tokio::test]
async fn a_flood_of_wrong_codes_from_many_senders_leaves_each_sender_one() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let services = &app.services;
        let (family, code) = family_with_invite(services).await;
        let mut guessers = Vec::new();
        for n in 0..mednanny_core::join_tries::FLOOD as usize {
            let guesser = services
                .create_person(&format!("Guesser {n}"), "en")
                .await
                .unwrap();
            let first = problem(services.join(guesser, &wrong(n), Channel::Whatsapp).await);
            assert_eq!(first, Problem::InviteInvalid, "{backend:?}: guesser {n}");
            guessers.push(guesser);
        }
        // Now each gets no second one…
        let second = problem(
            services
                .join(guessers[0], &wrong(1000), Channel::Whatsapp)
                .await,
        );
        assert!(
            matches!(
                second,
                Problem::TooManyJoinTries {
                    limit: JoinLimit::Flood,
                    ..
                }
            ),
            "{backend:?}: {second:?}"
        );
        // …but someone trying their first code is checked: the real invitee joins.
        let invitee = services.create_person("Ada", "en").await.unwrap();
        let joined = services
            .join(invitee, &code, Channel::Whatsapp)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: a first try is checked: {e:?}"));
        assert_eq!(joined.family_id, family);
    }
}

#[tokio::test]
async fn the_wait_is_said_in_the_senders_language() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let mut last = String::new();
        for n in 1..=6 {
            last = turn(&engine, "mallory", &format!("join {}", wrong(n))).await;
            if n == 5 {
                assert!(last.contains("not valid"), "{backend:?}: {last}");
            }
        }
        assert!(
            last.contains("Too many wrong invite codes: wait 15 minutes"),
            "{backend:?}: {last}"
        );
        assert!(last.contains("This code was not checked."), "{last}");

        let person = app
            .services
            .resolve_identity(mednanny_core::domain::IdentityKind::Console, "mallory")
            .await
            .unwrap()
            .expect("mallory is a person now");
        app.services.set_locale(person, "es").await.unwrap();
        let spanish = turn(&engine, "mallory", &format!("join {}", wrong(7))).await;
        assert!(
            spanish.contains("Demasiados códigos de invitación incorrectos: espera 15 minutos"),
            "{backend:?}: {spanish}"
        );
    }
}
