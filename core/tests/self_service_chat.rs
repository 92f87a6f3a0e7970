//! A family runs MedNanny from chat alone, on both databases: from `create family` to a first
//! dose checked and logged, with no operator command.
//!
//! ```text
//! zoe> create family Rivera in Chicago -> The Rivera family is ready ...
//! zoe> add child Mia born 14 March 2022 -> Add Mia, born 14 March 2022. Save it? ...
//! zoe> yes                              -> Added Mia.
//! zoe> add a medication for Mia         -> What is Mia's medicine called? ...
//!      ... (name, strength, dose, schedule; the ibuprofen label limits are proposed)
//! zoe> gave Mia 5 ml Motrin             -> Logged ...
//! zoe> gave Mia 5 ml Motrin             -> ⚠ ... too soon ... Reply yes or no.
//! ```
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use entity::{allergy, audit_event, child, dose_log, medication};
use mednanny_core::engine::Engine;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::{backends, turn, TestApp};

async fn count<E: EntityTrait>(app: &TestApp) -> u64
where
    E::Model: Sync,
{
    E::find().count(app.services.db().conn()).await.unwrap()
}

#[tokio::test]
async fn a_new_family_goes_from_nothing_to_a_checked_dose_from_chat_alone() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let engine = Engine::with_database_store(app.services.clone());
        let say = |text: &'static str| turn(&engine, "zoe", text);

        assert!(say("create family Rivera in Chicago")
            .await
            .contains("add child"));
        let summary = say("add child Mia born 14 March 2022").await;
        assert!(
            summary.contains("Add Mia, born 14 March 2022."),
            "{summary}"
        );
        assert_eq!(count::<child::Entity>(&app).await, 0, "nothing before yes");
        assert!(say("yes").await.contains("Added Mia"));
        assert_eq!(count::<child::Entity>(&app).await, 1);

        let q = say("add a medication for Mia").await;
        assert!(q.contains("medicine called"), "{q}");
        let q = say("Children's Motrin").await;
        assert!(
            q.contains("ibuprofen"),
            "the brand's ingredient is named: {q}"
        );
        assert!(say("100 mg/5 ml").await.contains("each time"));
        assert!(say("5 ml").await.contains("How is it given"));
        let q = say("as needed").await;
        assert!(q.contains("daily maximum of ibuprofen"), "{q}");
        assert!(say("none").await.contains("For how long"));
        let summary = say("ongoing").await;
        for line in [
            "Children's Motrin — ibuprofen 100 mg/5 ml",
            "Usual dose: 5 ml (100 mg ibuprofen)",
            "As needed, at least 6 hours apart *",
            "At most 4 doses in 24 hours *",
            "From the children's ibuprofen label",
        ] {
            assert!(summary.contains(line), "{line:?} in {summary}");
        }
        assert_eq!(
            count::<medication::Entity>(&app).await,
            0,
            "nothing before yes"
        );
        let saved = say("yes").await;
        assert!(saved.contains("Saved Children's Motrin for Mia"), "{saved}");

        let logged = say("gave Mia 5 ml Motrin").await;
        assert!(logged.contains("Logged"), "{logged}");
        app.clock.advance(Duration::hours(2));
        let again = say("gave Mia 5 ml Motrin").await;
        assert!(
            again.contains("yes"),
            "a too-early dose is a question: {again}"
        );
        assert!(say("no").await.contains("nothing was logged"));
        assert_eq!(count::<dose_log::Entity>(&app).await, 1);

        let actions: Vec<String> = audit_event::Entity::find()
            .all(app.services.db().conn())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for action in ["child.add", "medication.add", "dose.log"] {
            assert!(actions.iter().any(|a| a == action), "{action} audited");
        }
    }
}

#[tokio::test]
async fn a_half_filled_form_survives_a_restart_expires_and_cancel_writes_nothing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        {
            let engine = Engine::with_database_store(app.services.clone());
            turn(&engine, "zoe", "create family Rivera in Chicago").await;
            assert!(turn(&engine, "zoe", "add child")
                .await
                .contains("child's name"));
        }
        // A new engine, as after a restart: the form is where it was.
        let engine = Engine::with_database_store(app.services.clone());
        let say = |text: &'static str| turn(&engine, "zoe", text);
        let q = say("Mia").await;
        assert!(q.contains("When was Mia born"), "{q}");
        let q = say("next tuesday-ish").await;
        assert!(q.contains("couldn't read that date"), "{q}");
        assert!(say("cancel").await.contains("nothing was saved"));
        assert_eq!(count::<child::Entity>(&app).await, 0);

        // Expiry: a late answer is not taken into an old form; it is read as a new message.
        say("add child").await;
        app.clock.advance(Duration::minutes(20));
        let late = say("help").await;
        assert!(late.contains("dropped it"), "{late}");
        assert!(late.contains("Start here"), "help is answered anew: {late}");
        assert_eq!(count::<child::Entity>(&app).await, 0);
    }
}

#[tokio::test]
async fn allergies_from_a_sentence_and_only_guardians_add_children() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let family_id = mednanny_core::demo::ensure(&app.services)
            .await
            .unwrap()
            .family_id;
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);

        let q = say("ana", "Leo is allergic to sesame").await;
        assert!(q.contains("How severe"), "{q}");
        assert!(say("ana", "severe").await.contains("reaction"));
        let summary = say("ana", "hives").await;
        assert!(
            summary.contains("Leo: allergic to sesame (severe)"),
            "{summary}"
        );
        assert!(say("ana", "yes").await.contains("allergic to sesame"));
        let stored = allergy::Entity::find()
            .filter(allergy::Column::Allergen.eq("sesame"))
            .all(app.services.db().conn())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(
            stored[0].reaction.as_deref(),
            Some("hives"),
            "sealed at rest"
        );

        // The nanny is told at once that only a guardian adds a child: no questions, nothing added.
        let children_before = child::Entity::find()
            .filter(child::Column::FamilyId.eq(family_id))
            .count(app.services.db().conn())
            .await
            .unwrap();
        let refused = say("maya", "add child Nora born 1 June 2024").await;
        assert!(refused.contains("Only a guardian"), "{refused}");
        assert!(say("maya", "yes").await.contains("didn't understand"));
        assert_eq!(
            child::Entity::find()
                .filter(child::Column::FamilyId.eq(family_id))
                .count(app.services.db().conn())
                .await
                .unwrap(),
            children_before
        );
    }
}
