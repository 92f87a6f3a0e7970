//! The services cache what every turn reads (names for replies, memberships and child rosters for
//! routing, each chain's audit head). These tests run two `Services` over one database — this
//! process and "another process", such as an admin command — and check that what the other one
//! changes is seen where it matters: a new member's name in a dose reply at once, a revocation on
//! the very next call.
#![allow(clippy::unwrap_used)]

mod support;

use mednanny_core::auth::Actor;
use mednanny_core::demo::{self, Demo};
use mednanny_core::domain::{Channel, DoseUnit, Role};
use mednanny_core::services::care::{DoseOutcome, DoseRequest};
use mednanny_core::services::ServiceError;
use support::{dose_request, Backend, TestApp};

fn ibuprofen(demo: &Demo) -> DoseRequest {
    dose_request(demo.emma, demo.emma_ibuprofen, 5.0, DoseUnit::Ml)
}

async fn garcias(backend: Backend) -> (TestApp, Demo) {
    let app = TestApp::new(backend).await;
    let demo = demo::ensure(&app.services).await.unwrap();
    (app, demo)
}

#[tokio::test]
async fn a_member_added_by_another_process_is_named_at_once() {
    for backend in support::backends() {
        let (app, demo) = garcias(backend).await;
        let s = &app.services;
        // A dose reply puts the family's names in this process's cache.
        let ana = Actor::person(demo.ana, Channel::Console);
        let tylenol = dose_request(demo.emma, demo.emma_acetaminophen, 5.0, DoseUnit::Ml);
        let logged = s.log_dose(&ana, tylenol).await.unwrap();
        assert!(matches!(logged, DoseOutcome::Logged(_)), "{backend:?}");

        let other = app.another_process().await;
        let op = Actor::operator();
        let rosa = other.create_person("Rosa", "en").await.unwrap();
        let member = other
            .add_member(&op, demo.family_id, rosa, Role::Caregiver)
            .await
            .unwrap();
        other
            .assign_caregiver(&op, member, demo.emma)
            .await
            .unwrap();

        // The family's member list names her at once.
        let members = s.members(&ana, demo.family_id).await.unwrap();
        assert!(
            members
                .iter()
                .any(|m| m.member_id == member && m.name == "Rosa"),
            "{backend:?}: {members:?}"
        );

        let rosa = Actor::person(rosa, Channel::Whatsapp);
        let DoseOutcome::Logged(logged) = s.log_dose(&rosa, ibuprofen(&demo)).await.unwrap() else {
            panic!("{backend:?}: the first ibuprofen of the day is safe");
        };
        assert_eq!(logged.dose.given_by.as_deref(), Some("Rosa"), "{backend:?}");
        assert_eq!(logged.dose.child_name, "Emma", "{backend:?}");

        // Ana, asking next, is told who gave it.
        let doses = s.recent_doses(&ana, demo.emma, 5).await.unwrap();
        assert_eq!(
            doses.first().and_then(|d| d.given_by.as_deref()),
            Some("Rosa"),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_revocation_by_another_process_holds_on_the_next_call_whatever_routing_remembers() {
    for backend in support::backends() {
        let (app, demo) = garcias(backend).await;
        let s = &app.services;
        let maya = Actor::person(demo.maya, Channel::Slack);
        // Routing has seen Maya's membership and roster.
        let memberships = s.memberships(demo.maya).await.unwrap();
        assert_eq!(memberships.len(), 1, "{backend:?}");
        assert_eq!(
            s.child_roster(&memberships[0]).await.unwrap().len(),
            2,
            "{backend:?}"
        );

        let other = app.another_process().await;
        other
            .revoke_member(&Actor::operator(), memberships[0].member_id)
            .await
            .unwrap();

        assert!(
            matches!(
                s.log_dose(&maya, ibuprofen(&demo)).await,
                Err(ServiceError::Denied)
            ),
            "{backend:?}"
        );
        assert!(
            matches!(
                s.add_note(&maya, demo.leo, "nap at 1", None).await,
                Err(ServiceError::Denied)
            ),
            "{backend:?}"
        );
        // Revoked in this process, routing forgets at once.
        let luis = s.memberships(demo.luis).await.unwrap();
        s.revoke_member(&Actor::operator(), luis[0].member_id)
            .await
            .unwrap();
        assert!(
            s.memberships(demo.luis).await.unwrap().is_empty(),
            "{backend:?}"
        );
    }
}
