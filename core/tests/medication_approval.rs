//! A guardian approves the nanny's medicines, on both databases, through the engine as any channel
//! drives it (the Slack test clicks the same Approve button in a DM).
//!
//! ```text
//! maya> add a medication for Leo ... yes -> Saved ..., waiting for a guardian's approval
//! maya> gave Leo 5 ml Motrin             -> ... waiting for a guardian's approval ... Nothing was recorded.
//! ana>  meds Leo                         -> 💊 Approval needed: Maya added ... [Approve] [Deny]
//! ana>  approve                          -> Approved Children's Motrin for Leo ... I've told Maya.
//! maya> gave Leo 5 ml Motrin             -> ✓ Ana approved ... / Logged: ...
//! ```
#![allow(clippy::unwrap_used)]

mod support;

use entity::{audit_event, medication};
use mednanny_core::engine::Engine;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use support::{backends, said, turn, TestApp};

/// The newest medication of that name (the demo gives Emma a Children's Motrin of her own).
async fn medication_named(app: &TestApp, name: &str) -> medication::Model {
    medication::Entity::find()
        .filter(medication::Column::Name.eq(name))
        .order_by_desc(medication::Column::Id)
        .one(app.services.db().conn())
        .await
        .unwrap()
        .unwrap()
}

/// Maya fills in the medication form for Leo; returns what the last answer (yes) said.
async fn maya_adds(engine: &Engine, name: &'static str, strength: &'static str) -> String {
    let say = |text: &'static str| turn(engine, "maya", text);
    let q = say("add a medication for Leo").await;
    assert!(q.contains("medicine called"), "{q}");
    say(name).await;
    say(strength).await;
    say("5 ml").await;
    say("as needed").await;
    say("none").await;
    let summary = say("ongoing").await;
    assert!(summary.contains("Save it?"), "{summary}");
    say("yes").await
}

#[tokio::test]
async fn a_nannys_medicine_waits_for_a_guardian_and_is_given_once_approved() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);
        let before = app.doses().await;

        let saved = maya_adds(&engine, "Children's Motrin", "100 mg/5 ml").await;
        assert!(
            saved.contains("waiting for a guardian's approval"),
            "{saved}"
        );
        let row = medication_named(&app, "Children's Motrin").await;
        assert_eq!(row.approval, "pending");
        assert!(row.proposed_by_member_id.is_some());

        // No dose before approval: refused with the reason, nothing written.
        let refused = say("maya", "gave Leo 5 ml Motrin").await;
        assert!(
            refused.contains("waiting for a guardian's approval"),
            "{refused}"
        );
        assert_eq!(app.doses().await, before);
        let asked = say("maya", "when can Leo have Motrin").await;
        assert!(
            asked.contains("waiting for a guardian's approval"),
            "{asked}"
        );

        // The nanny cannot approve her own.
        assert!(say("maya", "approve")
            .await
            .contains("Only a guardian can approve"));

        // Both guardians were asked, with Approve and Deny on the message.
        let ana = engine.handle(&said("ana", "meds Leo")).await;
        let alert = ana
            .replies
            .iter()
            .find(|r| r.text.contains("Approval needed"))
            .unwrap_or_else(|| panic!("ana was asked: {:?}", ana.replies));
        assert!(
            alert.text.contains("Maya added a medication for Leo"),
            "{}",
            alert.text
        );
        assert!(alert.text.contains("Children's Motrin"), "{}", alert.text);
        let values: Vec<&str> = alert.choices.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(
            values,
            // The version shown is named: an approval is of exactly this.
            [
                format!("approve #{}.1", row.id),
                format!("deny #{}.1", row.id)
            ]
        );
        let listed = ana.replies.last().unwrap();
        assert!(
            listed.text.contains("Children's Motrin")
                && listed.text.contains("waiting for a guardian's approval"),
            "{}",
            listed.text
        );

        // Ana presses Approve: its value is said as if typed.
        let approved = turn(&engine, "ana", &alert.choices[0].value).await;
        assert!(
            approved.contains("Approved Children's Motrin for Leo"),
            "{approved}"
        );
        assert!(approved.contains("I've told Maya"), "{approved}");
        let row = medication_named(&app, "Children's Motrin").await;
        assert_eq!(row.approval, "approved");
        assert!(row.decided_by_member_id.is_some() && row.decided_at.is_some());

        // Maya hears the outcome with her next message, and the dose is checked and logged.
        let given = say("maya", "gave Leo 5 ml Motrin").await;
        assert!(
            given.contains("Ana approved Children's Motrin for Leo"),
            "{given}"
        );
        assert!(given.contains("Logged"), "{given}");
        assert_eq!(app.doses().await, before + 1);

        // Luis's question was withdrawn once Ana decided: he is not asked about something
        // decided, and deciding again changes nothing.
        let luis = say("luis", "approve").await;
        assert!(!luis.contains("Approval needed"), "{luis}");
        assert!(
            luis.contains("No medication is waiting for approval"),
            "{luis}"
        );
        let again = turn(&engine, "luis", &format!("deny #{}", row.id)).await;
        assert!(again.contains("No medication is waiting"), "{again}");
        assert_eq!(
            medication_named(&app, "Children's Motrin").await.approval,
            "approved"
        );

        let actions: Vec<String> = audit_event::Entity::find()
            .all(app.services.db().conn())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for action in ["medication.add", "medication.approve", "dose.log"] {
            assert!(actions.iter().any(|a| a == action), "{action} audited");
        }
    }
}

#[tokio::test]
async fn a_denied_medicine_is_never_given_and_the_nanny_is_told() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &'static str| turn(&engine, who, text);
        let before = app.doses().await;

        maya_adds(&engine, "Children's Motrin", "100 mg/5 ml").await;
        maya_adds(&engine, "Junior Advil", "100 mg/5 ml").await;

        // Two wait: a bare "deny" asks which, never guesses.
        let which = say("ana", "deny").await;
        assert!(which.contains("Which one?"), "{which}");
        assert!(
            which.contains("Children's Motrin for Leo") && which.contains("Junior Advil for Leo"),
            "{which}"
        );
        let denied = say("ana", "deny the Advil").await;
        assert!(denied.contains("Denied Junior Advil for Leo"), "{denied}");
        let row = medication_named(&app, "Junior Advil").await;
        assert_eq!(row.approval, "denied");
        assert!(!row.active, "a denied medicine leaves the active list");

        let told = say("maya", "gave Leo 5 ml Advil").await;
        assert!(
            told.contains("Ana did not approve Junior Advil for Leo"),
            "{told}"
        );
        assert!(!told.contains("Logged"), "{told}");
        assert_eq!(app.doses().await, before);
        assert!(medication_named(&app, "Junior Advil").await.approval == "denied");
        assert!(!say("maya", "meds Leo").await.contains("Junior Advil"));

        // The other one still waits, and a guardian's own medicine needs nobody's approval.
        assert_eq!(
            medication_named(&app, "Children's Motrin").await.approval,
            "pending"
        );
        let q = say("luis", "add a medication for Emma").await;
        assert!(q.contains("medicine called"), "{q}");
        for answer in [
            "Children's Tylenol",
            "160 mg/5 ml",
            "5 ml",
            "as needed",
            "none",
            "ongoing",
        ] {
            say("luis", answer).await;
        }
        let saved = say("luis", "yes").await;
        assert!(
            saved.contains("Saved Children's Tylenol for Emma"),
            "{saved}"
        );
        assert!(!saved.contains("approval"), "{saved}");
        let added = medication::Entity::find()
            .filter(medication::Column::Name.eq("Children's Tylenol"))
            .all(app.services.db().conn())
            .await
            .unwrap();
        assert!(added.iter().all(|m| m.approval == "approved"));
    }
}

/// ```text
/// maya> change Emma's Tylenol dose to 10 ml / yes      -> waits for a guardian (version 2)
/// maya> change Emma's Tylenol to every 1 hour / yes    -> waits (version 3 replaces 2)
/// maya> gave Emma 5 ml Tylenol                         -> Logged: the approved 5 ml / 4 h rules hold
/// luis> approve #<id>.2                                -> replaced by a newer one; the one waiting shown
/// luis> deny #<id>.3                                   -> the approved rules stay, Tylenol still given
/// maya> change … 10 ml / yes; ana> approve #<id>.4     -> exactly version 4 in force
/// ana>  change Emma's Tylenol dose to 7.5 ml / yes     -> version 5, version 4 kept as history
/// ```
/// A caregiver's change never slips past the guardians: it is a proposal beside the approved rules,
/// which stay in force until a guardian approves exactly the version shown. Every version is kept
/// in the record and the export.
#[tokio::test]
async fn a_caregivers_change_is_a_proposal_beside_the_approved_rules() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        let say = |who: &'static str, text: &str| {
            let text = text.to_string();
            let engine = &engine;
            async move { turn(engine, who, &text).await }
        };
        let tylenol = medication_named(&app, "Children's Tylenol").await;
        let id = tylenol.id;
        assert_eq!(
            (tylenol.dose_amount, tylenol.min_interval_minutes),
            (5.0, 240)
        );

        say("maya", "change Emma's Tylenol dose to 10 ml").await;
        let saved = say("maya", "yes").await;
        assert!(saved.contains("guardian"), "{saved}");
        say("maya", "change Emma's Tylenol to every 1 hour").await;
        say("maya", "yes").await;

        // The approved rules are untouched and still what a dose is checked against.
        let row = medication_named(&app, "Children's Tylenol").await;
        assert_eq!(
            (row.dose_amount, row.min_interval_minutes),
            (5.0, 240),
            "{row:?}"
        );
        assert_eq!(row.approval, "approved");
        let given = say("maya", "gave Emma 5 ml Tylenol").await;
        assert!(
            given.contains("Logged"),
            "the approved medicine is still given: {given}"
        );

        // Luis sees one prompt, about what is waiting (version 3: the prompt about version 2 was
        // withdrawn when 3 replaced it), old → new.
        let prompts = say("luis", "kids").await;
        assert!(prompts.contains(&format!("approve #{id}.3")), "{prompts}");
        assert!(!prompts.contains(&format!("approve #{id}.2")), "{prompts}");
        assert!(
            prompts.contains("• now:") && prompts.contains("• proposed:"),
            "{prompts}"
        );

        // The stale prompt approves nothing, and shows the one waiting.
        let stale = say("luis", &format!("approve #{id}.2")).await;
        assert!(stale.contains("replaced by a newer one"), "{stale}");
        assert!(stale.contains(&format!("approve #{id}.3")), "{stale}");
        let row = medication_named(&app, "Children's Tylenol").await;
        assert_eq!((row.dose_amount, row.min_interval_minutes), (5.0, 240));

        // Deny keeps the approved rules and the medicine.
        let denied = say("luis", &format!("deny #{id}.3")).await;
        assert!(denied.contains("Denied"), "{denied}");
        let row = medication_named(&app, "Children's Tylenol").await;
        assert!(row.active && row.approval == "approved", "{row:?}");
        assert_eq!((row.dose_amount, row.min_interval_minutes), (5.0, 240));

        // A proposal approved is exactly what was shown.
        say("maya", "change Emma's Tylenol dose to 10 ml").await;
        say("maya", "yes").await;
        let approved = say("ana", &format!("approve #{id}.4")).await;
        assert!(approved.contains("Approved"), "{approved}");
        // The other guardian's prompt about it is withdrawn: Luis is not asked about something
        // already decided.
        let later = say("luis", "kids").await;
        assert!(!later.contains("Approval needed"), "{later}");
        let row = medication_named(&app, "Children's Tylenol").await;
        assert_eq!((row.dose_amount, row.min_interval_minutes), (10.0, 240));

        // A guardian's own change keeps the old rules as history.
        say("ana", "change Emma's Tylenol dose to 7.5 ml").await;
        say("ana", "yes").await;
        let row = medication_named(&app, "Children's Tylenol").await;
        assert_eq!(row.dose_amount, 7.5);
        let versions = entity::medication_version::Entity::find()
            .filter(entity::medication_version::Column::MedicationId.eq(id))
            .order_by_asc(entity::medication_version::Column::Version)
            .all(app.services.db().conn())
            .await
            .unwrap();
        let history: Vec<(i32, &str, f64, i32)> = versions
            .iter()
            .map(|v| {
                (
                    v.version,
                    v.status.as_str(),
                    v.dose_amount,
                    v.min_interval_minutes,
                )
            })
            .collect();
        assert_eq!(
            history,
            vec![
                (1, "approved", 5.0, 240),
                (2, "replaced", 10.0, 240),
                (3, "denied", 10.0, 60),
                (4, "approved", 10.0, 240),
                (5, "approved", 7.5, 240),
            ]
        );
        assert!(versions[2].decided_by_member_id.is_some() && versions[2].decided_at.is_some());
        assert!(versions[3].proposed_by_member_id.is_some());

        // The export has every version, who proposed and who decided.
        let demo = mednanny_core::demo::find(&app.services)
            .await
            .unwrap()
            .unwrap();
        let export = app
            .services
            .export_json(&mednanny_core::auth::Actor::operator(), demo.family_id)
            .await
            .unwrap();
        let text = serde_json::to_string(&export).unwrap();
        assert!(text.contains("\"medication_versions\""), "{text}");
        for status in ["replaced", "denied"] {
            assert!(
                text.contains(&format!("\"status\":\"{status}\"")),
                "{status}"
            );
        }
    }
}
