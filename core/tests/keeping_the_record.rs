//! A guardian keeps the record current from chat, on both databases, through the engine as every
//! channel drives it: a medicine's course (stop asks first, pause, resume) and the family's members
//! (the list, which children the nanny looks after, roles, revoking), each refused with the reason
//! when it cannot be done, and only guardians may.
//!
//! ```text
//! ana>  stop Leo's amoxicillin   -> Stop Leo's Amoxicillin? ... [Yes, stop it] [No, keep it]
//! ana>  yes                      -> Stopped Leo's Amoxicillin (course ended 2 Mar) ...
//! maya> gave Leo 5 ml amoxicillin -> ... no longer active. Nothing was recorded.
//! ana>  Maya no longer looks after Leo -> Maya no longer looks after Leo ...
//! ana>  revoke Maya / yes        -> Maya is no longer a member of the family ...
//! ```
#![allow(clippy::unwrap_used)]

mod support;

use entity::{child, medication};
use mednanny_core::auth::Actor;
use mednanny_core::domain::Channel;
use mednanny_core::engine::Engine;
use mednanny_core::services::{Problem, ServiceError};
use sea_orm::{EntityTrait, PaginatorTrait};
use support::{backends, turn, TestApp};

async fn medication(app: &TestApp, id: i64) -> medication::Model {
    medication::Entity::find_by_id(id)
        .one(app.services.db().conn())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_guardian_stops_pauses_and_resumes_a_medicine_and_doses_follow() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let demo = mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);
        let today = app.services.now().date_naive();

        // The nanny may not stop a course: told so, nothing changed.
        let refused = say("maya", "stop Leo's amoxicillin").await;
        assert!(refused.contains("Only a guardian"), "{refused}");
        assert!(medication(&app, demo.leo_amoxicillin).await.active);

        // Stopping asks first; "no" keeps it.
        let asked = say("ana", "stop Leo's amoxicillin").await;
        assert!(asked.contains("Stop Leo's Amoxicillin?"), "{asked}");
        assert!(say("ana", "no").await.contains("nothing was changed"));
        assert!(medication(&app, demo.leo_amoxicillin).await.active);

        // "yes" ends the course today and keeps the history; the nanny's dose is refused.
        say("ana", "stop the amoxicillin").await;
        let stopped = say("ana", "yes").await;
        assert!(stopped.contains("Stopped Leo's Amoxicillin"), "{stopped}");
        let row = medication(&app, demo.leo_amoxicillin).await;
        assert!(!row.active);
        assert_eq!(row.ends_on, Some(today));
        assert_eq!(app.audited("medication.stop").await, 1);
        let before = app.doses().await;
        let given = say("maya", "gave Leo 5 ml amoxicillin").await;
        assert!(given.contains("Amoxicillin was stopped"), "{given}");
        assert!(given.contains("Nothing was recorded"), "{given}");
        assert_eq!(app.doses().await, before);
        // Stopped is stopped: neither stopped again nor resumed.
        let again = say("ana", "stop Leo's amoxicillin").await;
        assert!(again.contains("already ended"), "{again}");
        let resumed = say("ana", "resume Leo's amoxicillin").await;
        assert!(resumed.contains("already ended"), "{resumed}");
        assert!(!medication(&app, demo.leo_amoxicillin).await.active);

        // Pause and resume happen at once; doses follow.
        let paused = say("ana", "pause Emma's Tylenol").await;
        assert!(
            paused.contains("Paused Emma's Children's Tylenol"),
            "{paused}"
        );
        let given = say("maya", "gave Emma 5 ml Tylenol").await;
        assert!(given.contains("Children's Tylenol is paused"), "{given}");
        assert!(given.contains("Nothing was recorded"), "{given}");
        assert_eq!(app.doses().await, before);
        assert!(say("ana", "pause Emma's Tylenol")
            .await
            .contains("already paused"));
        let resumed = say("ana", "resume Emma's tylenol").await;
        assert!(
            resumed.contains("Resumed Emma's Children's Tylenol"),
            "{resumed}"
        );
        let given = say("maya", "gave Emma 5 ml Tylenol").await;
        assert!(given.contains("Logged"), "{given}");
        assert_eq!(app.doses().await, before + 1);
        assert_eq!(app.audited("medication.pause").await, 1);
        assert_eq!(app.audited("medication.resume").await, 1);

        // A medicine nobody has is named back with what there is.
        let unknown = say("ana", "pause Motrin for Leo").await;
        assert!(
            unknown.contains("can't find a medicine called \"Motrin\""),
            "{unknown}"
        );
    }
}

#[tokio::test]
async fn a_guardian_manages_the_members_from_chat() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);

        let listed = say("ana", "members").await;
        assert!(listed.contains("Ana (you): guardian"), "{listed}");
        assert!(
            listed.contains("Maya: caregiver — looks after Emma and Leo"),
            "{listed}"
        );
        assert!(say("maya", "members").await.contains("Only a guardian"));

        // Leo comes off Maya's list: she can no longer see his record or log his doses.
        let off = say("ana", "Maya no longer looks after Leo").await;
        assert!(off.contains("Maya no longer looks after Leo"), "{off}");
        let meds = say("maya", "meds Leo").await;
        assert!(!meds.contains("Amoxicillin"), "{meds}");
        let before = app.doses().await;
        say("maya", "gave Leo 5 ml amoxicillin").await;
        assert_eq!(app.doses().await, before);
        let back = say("ana", "Maya looks after Emma and Leo").await;
        assert!(back.contains("Maya now looks after Emma and Leo"), "{back}");
        assert!(say("maya", "meds Leo").await.contains("Amoxicillin"));
        assert_eq!(app.audited("caregiver.unassign").await, 1);

        // An unknown child or member changes nothing, saying who is known.
        let nico = say("ana", "Maya looks after Nico").await;
        assert!(nico.contains("I don't know a child called Nico"), "{nico}");
        let nobody = say("ana", "Rosa looks after Emma").await;
        assert!(nobody.contains("Nobody called \"Rosa\""), "{nobody}");
        // Only a caregiver is given children.
        let luis = say("ana", "Luis looks after Emma").await;
        assert!(luis.contains("Only a caregiver"), "{luis}");

        // Roles: Luis becomes a viewer (and can no longer add a child), then a guardian again.
        let viewer = say("ana", "make Luis a viewer").await;
        assert!(viewer.contains("Luis is now a viewer"), "{viewer}");
        assert!(say("luis", "add child Nico born 1 May 2024")
            .await
            .contains("Only a guardian"));
        // Ana is now the only guardian: she cannot leave the family without one.
        let last = say("ana", "make Ana a viewer").await;
        assert!(last.contains("last active guardian"), "{last}");
        say("ana", "make Luis a guardian").await;
        assert_eq!(app.audited("member.role").await, 2);

        // Revoking asks first; then Maya can do nothing in the family.
        let asked = say("ana", "revoke Maya").await;
        assert!(asked.contains("Revoke Maya's membership?"), "{asked}");
        let revoked = say("ana", "yes").await;
        assert!(revoked.contains("Maya is no longer a member"), "{revoked}");
        let after = say("maya", "meds Leo").await;
        assert!(!after.contains("Amoxicillin"), "{after}");
        let listed = say("ana", "members").await;
        assert!(!listed.contains("• Maya"), "{listed}");
        assert_eq!(app.audited("member.revoke").await, 1);
    }
}

/// Whatever the channel (a form, the operator's command, two at once), the services refuse a second
/// child of the same name and a birth date that is not a child's; nothing is written.
#[tokio::test]
async fn a_second_child_of_the_same_name_or_an_adult_is_refused() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let demo = mednanny_core::demo::ensure(&app.services).await.unwrap();
        let ana = Actor::person(demo.ana, Channel::Console);
        let today = app.services.now().date_naive();
        let children = || async {
            child::Entity::find()
                .count(app.services.db().conn())
                .await
                .unwrap()
        };
        let before = children().await;

        let twice = app
            .services
            .add_child(
                &ana,
                demo.family_id,
                "emma",
                today - chrono::Duration::days(400),
            )
            .await;
        assert!(
            matches!(&twice, Err(ServiceError::Invalid(Problem::DuplicateChild(n))) if n == "emma"),
            "{twice:?}"
        );
        let adult = app
            .services
            .add_child(
                &ana,
                demo.family_id,
                "Nico",
                today - chrono::Duration::days(19 * 366),
            )
            .await;
        assert!(
            matches!(
                adult,
                Err(ServiceError::Invalid(Problem::ImplausibleBirthDate))
            ),
            "{adult:?}"
        );
        assert_eq!(children().await, before);
        // A child of 17 is still a child.
        app.services
            .add_child(
                &ana,
                demo.family_id,
                "Nico",
                today - chrono::Duration::days(17 * 365),
            )
            .await
            .unwrap();
        assert_eq!(children().await, before + 1);
    }
}

#[tokio::test]
async fn a_medicine_is_changed_from_chat_and_a_nannys_change_waits_for_a_guardian() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let demo = mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);

        // The guardian's change: the summary shows the new rules, saved on yes, at once.
        let summary = say("ana", "change Emma's Tylenol dose to 7.5 ml").await;
        assert!(summary.contains("Emma's medicine, changed:"), "{summary}");
        assert!(
            summary.contains("Usual dose: 7.5 ml (240 mg acetaminophen)"),
            "{summary}"
        );
        let changed = say("ana", "yes").await;
        assert!(
            changed.contains("Changed Emma's Children's Tylenol"),
            "{changed}"
        );
        let row = medication(&app, demo.emma_acetaminophen).await;
        assert_eq!(row.dose_amount, 7.5);
        assert_eq!(row.approval, "approved");
        assert_eq!(app.audited("medication.change").await, 1);

        // Bad values are re-asked with the reason; "cancel" leaves the rules as they were.
        let bad = say("ana", "change Emma's Tylenol to every 0 hours").await;
        assert!(bad.contains("from 1 to 72"), "{bad}");
        let bad = say("ana", "dose 2 tablets").await;
        assert!(bad.contains("give the dose in ml"), "{bad}");
        assert!(say("ana", "cancel").await.contains("nothing was saved"));
        assert_eq!(
            medication(&app, demo.emma_acetaminophen)
                .await
                .min_interval_minutes,
            240
        );
        let unknown = say("ana", "change Emma's aspirin dose to 5 ml").await;
        assert!(
            unknown.contains("called \"aspirin\" to change"),
            "{unknown}"
        );

        // The nanny's change waits beside the approved rules, which stay in force until a
        // guardian approves it (docs: versioned medication rules).
        let summary = say("maya", "change Emma's Motrin to every 8 hours").await;
        assert!(summary.contains("at least 8 hours apart"), "{summary}");
        let waiting = say("maya", "yes").await;
        assert!(
            waiting.contains("waiting for a guardian's approval"),
            "{waiting}"
        );
        let row = medication(&app, demo.emma_ibuprofen).await;
        assert_eq!(row.approval, "approved");
        assert_eq!(row.min_interval_minutes, 360);
        let before = app.doses().await;
        let given = say("maya", "gave Emma 5 ml Motrin").await;
        assert!(
            given.contains("Logged"),
            "checked against the approved rules: {given}"
        );
        assert_eq!(app.doses().await, before + 1);
        // The guardian is asked (the alert comes first in her next reply), old → new, and approves.
        let asked = say("ana", "meds Emma").await;
        assert!(
            asked.contains("Maya changed Emma's Children's Motrin")
                && asked.contains("• proposed:"),
            "{asked}"
        );
        let approved = say("ana", "approve").await;
        assert!(approved.contains("Approved"), "{approved}");
        let row = medication(&app, demo.emma_ibuprofen).await;
        assert_eq!(
            (row.approval.as_str(), row.min_interval_minutes),
            ("approved", 480)
        );

        // A stopped course is history: not changed.
        say("ana", "stop Leo's amoxicillin").await;
        say("ana", "yes").await;
        let ended = say("ana", "change Leo's amoxicillin dose to 4 ml").await;
        assert!(ended.contains("can't find a current medicine"), "{ended}");
    }
}

#[tokio::test]
async fn a_child_is_renamed_and_taken_out_of_care_and_back_keeping_the_record() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let demo = mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);
        let row = |id: i64| {
            let db = app.services.db().conn().clone();
            async move {
                child::Entity::find_by_id(id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };

        // Renaming: the nanny may not; a name another child has is refused; the guardian may.
        assert!(say("maya", "rename Emma to Emmy")
            .await
            .contains("Only a guardian"));
        let taken = say("ana", "rename Emma to leo").await;
        assert!(taken.contains("already has a child called leo"), "{taken}");
        let renamed = say("ana", "change Emma's name to Emmy").await;
        assert!(renamed.contains("Emma is now Emmy"), "{renamed}");
        assert_eq!(row(demo.emma).await.name, "Emmy");
        // The new name is the one everyone uses from now on, doses included.
        let given = say("maya", "gave Emmy 5 ml Tylenol").await;
        assert!(given.contains("Logged"), "{given}");

        // Out of care: asked first; then gone from the lists, no dose logged, record kept.
        let asked = say("ana", "remove Leo from active care").await;
        assert!(asked.contains("Take Leo out of active care?"), "{asked}");
        assert!(say("ana", "no").await.contains("nothing was changed"));
        assert!(row(demo.leo).await.archived_at.is_none());
        say("ana", "archive Leo").await;
        let left = say("ana", "yes").await;
        assert!(left.contains("Leo is out of active care"), "{left}");
        assert!(row(demo.leo).await.archived_at.is_some());
        let kids = say("ana", "kids").await;
        assert!(!kids.contains("Leo"), "{kids}");
        let before = app.doses().await;
        // Leo is no longer a name the nanny's messages reach (Emmy is now her only child).
        let refused = say("maya", "gave Leo 5 ml amoxicillin").await;
        assert!(refused.contains("can't check or record it"), "{refused}");
        // Not through the services either, whatever the channel.
        let direct = app
            .services
            .log_dose(
                &Actor::person(demo.ana, Channel::Console),
                support::dose_request(
                    demo.leo,
                    demo.leo_amoxicillin,
                    5.0,
                    mednanny_core::domain::DoseUnit::Ml,
                ),
            )
            .await;
        assert!(
            matches!(direct, Err(ServiceError::Invalid(Problem::NotInCare(_)))),
            "{direct:?}"
        );
        assert_eq!(app.doses().await, before);
        assert_eq!(app.audited("child.leave_care").await, 1);

        // Back in care, as before.
        let unknown = say("ana", "return Mia to care").await;
        assert!(
            unknown.contains("No child called \"Mia\" is out of care"),
            "{unknown}"
        );
        let back = say("ana", "return Leo to care").await;
        assert!(back.contains("Leo is back in active care"), "{back}");
        assert!(say("ana", "kids").await.contains("Leo"));
        assert!(row(demo.leo).await.archived_at.is_none());
    }
}
