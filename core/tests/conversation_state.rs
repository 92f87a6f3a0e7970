//! A conversation waiting for an answer survives a restart; one whose stored state can no longer be
//! read (written by an older release, or damaged) is dropped with a word to the person, and never
//! turns their next message into an answer to a question nobody can see any more:
//!
//! ```text
//! luis> gave Emma 5 ml Tylenol   -> ⚠ Wait — Ana gave Emma ... yes/no   (state: confirming)
//!       (restart; the stored state is from an older schema)
//! luis> yes                      -> (I dropped my earlier question; nothing was logged for it.) ...
//! luis> kids                     -> the children, and no word about a dropped question
//! ```
//! Both databases.
#![allow(clippy::unwrap_used)]

mod support;

use entity::conversation_state;
use mednanny_core::demo;
use mednanny_core::engine::Engine;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use support::{backends, turn, TestApp};

const DROPPED: &str = "I dropped my earlier question";

/// Luis is asked to confirm an extra dose; returns the stored row of his conversation.
async fn luis_asked_to_confirm(app: &TestApp) -> conversation_state::Model {
    demo::ensure(&app.services).await.unwrap();
    let engine = Engine::with_database_store(app.services.clone());
    assert!(turn(&engine, "ana", "gave Emma 5 ml Tylenol")
        .await
        .contains("Logged"));
    assert!(turn(&engine, "luis", "gave Emma 5 ml Tylenol")
        .await
        .contains("Wait"));
    conversation_state::Entity::find()
        .filter(conversation_state::Column::ConversationKey.eq("console:luis"))
        .one(app.services.db().conn())
        .await
        .unwrap()
        .expect("Luis's conversation is stored")
}

#[tokio::test]
async fn a_question_waiting_for_an_answer_survives_a_restart() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        luis_asked_to_confirm(&app).await;

        // A new engine has nothing in memory: what it knows comes from the database.
        let restarted = Engine::with_database_store(app.services.clone());
        let answer = turn(&restarted, "luis", "yes").await;
        assert!(answer.contains("Logged"), "{answer}");
        assert!(!answer.contains(DROPPED), "{answer}");
        assert_eq!(app.doses().await, 2, "the confirmed extra dose is logged");
    }
}

#[tokio::test]
async fn an_unreadable_conversation_state_is_dropped_with_a_word_and_nothing_logged() {
    for backend in backends() {
        for damage in ["older schema", "damaged"] {
            let app = TestApp::new(backend).await;
            let row = luis_asked_to_confirm(&app).await;
            let mut changed: conversation_state::ActiveModel = row.into();
            match damage {
                "older schema" => changed.schema_version = Set(0),
                _ => changed.state = Set("not a sealed state".into()),
            }
            changed.update(app.services.db().conn()).await.unwrap();

            let restarted = Engine::with_database_store(app.services.clone());
            let answer = turn(&restarted, "luis", "yes").await;
            assert!(answer.contains(DROPPED), "{damage}: {answer}");
            assert_eq!(
                app.doses().await,
                1,
                "{damage}: a 'yes' to a dropped question confirms nothing"
            );

            // The reset state was stored: the next message is an ordinary one.
            let again = Engine::with_database_store(app.services.clone());
            let answer = turn(&again, "luis", "kids").await;
            assert!(answer.contains("Emma"), "{damage}: {answer}");
            assert!(!answer.contains(DROPPED), "{damage}: {answer}");
        }
    }
}
