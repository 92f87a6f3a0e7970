//! Doses said the way parents and nannies say them, on both databases: household measures are kept
//! (and said back) in ml, and "an hour ago" / "hace media hora" become the time the dose was given,
//! so the next allowed dose is counted from when it really was; a reading with its scale is a
//! temperature.
#![allow(clippy::unwrap_used)]

mod support;

use mednanny_core::engine::Engine;
use support::{backends, turn, TestApp};

#[tokio::test]
async fn a_teaspoon_an_hour_ago_is_five_ml_an_hour_ago() {
    for backend in backends() {
        // 15:00 UTC is 10:00 in the Garcias' New York.
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());

        let logged = turn(
            &engine,
            "maya",
            "Maya here, gave Emma a teaspoon of Tylenol an hour ago",
        )
        .await;
        assert!(logged.contains("5 ml"), "said back in ml: {logged}");
        assert!(logged.contains("09:00"), "given an hour ago: {logged}");
        assert!(
            logged.contains("13:00"),
            "next allowed 4 h after it: {logged}"
        );

        let logged = turn(
            &engine,
            "maya",
            "le di media cucharadita de Motrin a Emma hace media hora",
        )
        .await;
        assert!(logged.contains("2.5 ml"), "{logged}");
        assert!(logged.contains("09:30"), "{logged}");
        assert!(
            logged.contains("15:30"),
            "next allowed 6 h after it: {logged}"
        );

        // Around a time is that time; a dose said too soon after the last is asked about.
        let asked = turn(&engine, "luis", "gave Emma 5 ml Tylenol around 9:45").await;
        assert!(asked.contains("Wait"), "{asked}");
        assert!(asked.contains("Maya"), "{asked}");
        assert_eq!(app.doses().await, 2);

        // A reading with its scale is a temperature, in either scale and decimal mark.
        let fever = turn(&engine, "maya", "Emma has 101.3F").await;
        assert!(fever.contains("38.5 °C"), "{fever}");
        let fever = turn(&engine, "maya", "Leo tiene 38,5 grados").await;
        assert!(fever.contains("101.3 °F"), "{fever}");

        // "around 2" said at four in the afternoon is two hours ago, not fourteen.
        app.clock.advance(chrono::Duration::hours(6));
        let logged = turn(&engine, "maya", "gave Leo 5 ml amoxicillin around 2").await;
        assert!(logged.contains("14:00"), "{logged}");
        assert!(!logged.contains("02:00"), "{logged}");
    }
}

/// A time said without a clock ("this morning", "después de comer") is asked for and nothing is
/// recorded: made into a clock time it could be earlier than the dose really was, and let the next
/// one through early. A dose only planned is not recorded either; a Spanish ingredient name finds
/// the medicine; a bare reading with a child is a temperature.
#[tokio::test]
async fn a_vague_time_is_asked_for_and_a_plan_is_not_a_dose() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());

        let asked = turn(&engine, "maya", "gave Emma 5 ml Tylenol this morning").await;
        assert!(asked.contains("What time was that?"), "{asked}");
        assert!(asked.contains("this morning"), "{asked}");
        assert!(asked.contains("Nothing was recorded"), "{asked}");
        let asked = turn(
            &engine,
            "maya",
            "le di 5 ml de Motrin a Emma después de comer",
        )
        .await;
        assert!(asked.contains("Nothing was recorded"), "{asked}");
        turn(
            &engine,
            "maya",
            "I'll give Emma Tylenol later if she needs it",
        )
        .await;
        assert_eq!(app.doses().await, 0);

        let logged = turn(&engine, "maya", "le di 5 ml de ibuprofeno a Emma").await;
        assert!(logged.contains("Children's Motrin"), "{logged}");
        assert_eq!(app.doses().await, 1);

        let fever = turn(&engine, "maya", "Emma tiene 38,5").await;
        assert!(fever.contains("38.5 °C"), "{fever}");
    }
}

/// ```text
/// maya> gave Emma 5 ml Tylenol and 5 ml Motrin          -> both logged
/// luis> gave Emma 5 ml Tylenol and Leo 5 ml amoxicillin -> ⚠ Wait … (Tylenol) + one more thing not done yet
/// ```
/// Two doses in one message are both recorded, never one silently dropped; when the first needs
/// an answer, the person is told the rest was not done.
#[tokio::test]
async fn several_doses_in_one_message_are_each_recorded_or_said_not_done() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());

        let both = turn(&engine, "maya", "gave Emma 5 ml Tylenol and 5 ml Motrin").await;
        assert!(both.contains("Children's Tylenol"), "{both}");
        assert!(both.contains("Children's Motrin"), "{both}");
        assert_eq!(app.doses().await, 2);

        let asked = turn(
            &engine,
            "luis",
            "gave Emma 5 ml Tylenol and Leo 5 ml amoxicillin",
        )
        .await;
        assert!(asked.contains("Wait"), "{asked}");
        assert!(asked.contains("one more thing, not done yet"), "{asked}");
        assert_eq!(app.doses().await, 2);
    }
}
