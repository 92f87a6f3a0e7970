//! Every refusal is audited, whichever layer says it: a caregiver's (and a viewer's) guardian-only
//! commands in chat, refused by the machine before any lookup, each append exactly one `denied`
//! event (the action, the actor, the family; no content) — the same row the service itself writes
//! when it refuses — and change nothing. On both databases.
//!
//! ```text
//! maya> approve                 -> Only a guardian can approve …   (+1 denied: medication.approve)
//! maya> revoke Luis             -> Only a guardian …               (+1 denied: members.manage)
//! maya> stop Leo's amoxicillin  -> Only a guardian …               (+1 denied: children.manage)
//! …
//! ```
#![allow(clippy::unwrap_used)]

mod support;

use entity::audit_event;
use mednanny_core::engine::Engine;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::{backends, turn, TestApp};

async fn denied(app: &TestApp) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Outcome.eq("denied"))
        .count(app.services.db().conn())
        .await
        .unwrap()
}

async fn all_events(app: &TestApp) -> u64 {
    audit_event::Entity::find()
        .count(app.services.db().conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn every_refused_command_appends_one_denied_event_and_changes_nothing() {
    // (who, message): each refused for that member's role.
    let cells: &[(&str, &str)] = &[
        ("maya", "approve"),
        ("maya", "deny #1"),
        ("maya", "revoke Luis"),
        ("maya", "make Luis a viewer"),
        ("maya", "Maya looks after Emma"),
        ("maya", "members"),
        ("maya", "stop Leo's amoxicillin"),
        ("maya", "pause Emma's Tylenol"),
        ("maya", "resume Emma's Tylenol"),
        ("maya", "remove Leo's peanut allergy"),
        ("maya", "add condition for Leo"),
        ("maya", "add child Mia born 1 May 2023"),
        ("maya", "Emma is allergic to peanuts"),
        ("maya", "add vaccination MMR for Leo on 5 Jan 2026"),
        ("maya", "rename Emma to Emmy"),
        ("maya", "remove Leo from active care"),
        ("maya", "assistant on"),
        ("maya", "we live in London"),
        ("maya", "time zone Europe/London"),
        ("luis", "change Emma's Tylenol dose to 10 ml"),
        ("luis", "approve"),
        ("luis", "add a medication for Emma"),
        ("luis", "stop Leo's amoxicillin"),
    ];
    for backend in backends() {
        let app = TestApp::new(backend).await;
        mednanny_core::demo::ensure(&app.services).await.unwrap();
        let engine = Engine::with_database_store(app.services.clone());
        // Luis is made a viewer, so the viewer's column is walked too.
        let made = turn(&engine, "ana", "make Luis a viewer").await;
        assert!(made.contains("Luis"), "{made}");
        for (who, text) in cells {
            let (denied_before, events_before) = (denied(&app).await, all_events(&app).await);
            let reply = turn(&engine, who, text).await;
            assert!(
                reply.contains("Only a guardian") || reply.contains("guardian"),
                "{who}> {text}: {reply}"
            );
            assert_eq!(
                denied(&app).await,
                denied_before + 1,
                "{who}> {text} appends one denied event: {reply}"
            );
            assert_eq!(
                all_events(&app).await,
                events_before + 1,
                "{who}> {text} writes nothing else: {reply}"
            );
        }
        // The rows say who and what, never the words.
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Outcome.eq("denied"))
            .all(app.services.db().conn())
            .await
            .unwrap();
        for row in &rows {
            assert!(row.actor.starts_with("member:"), "{row:?}");
            assert!(
                !row.subject.contains("Emmy") && !row.subject.contains("London"),
                "{row:?}"
            );
        }
        for action in ["medication.approve", "members.manage", "children.manage"] {
            assert!(
                rows.iter().any(|r| r.action == action),
                "{action} among {rows:?}"
            );
        }
    }
}
