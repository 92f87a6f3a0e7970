//! How MedNanny answers people it never met: the first-contact set (`understanding_eval/
//! first_contact.tsv`), written by someone who had not read the parser, said by Maya (the nanny)
//! to the demo family on a weekday at 14:30, each message in a family of its own (a fresh
//! database), through the engine as every channel drives it. Each is judged by what a person
//! would notice, not by the command the parser makes:
//!
//! - `dose`: a dose reported given is recorded, or asked about (a question waits for the answer);
//!   never "nothing was recorded", never misread as something else, never an emergency.
//! - `reading`: a temperature or a weight is recorded (or its unit asked), and no dose.
//! - `question`: answered without writing anything and without opening a form.
//! - `emergency`: the emergency answer. `lookalike`: no emergency answer.
//! - `chatter`: nothing written, no form, no emergency.
//!
//! A score, not a gate: run it with
//! `cargo test -p mednanny-core --test understanding_eval -- --ignored --nocapture`.
//! docs/understanding.md records its first run; the set is not to be edited to make it pass.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use entity::{care_note, dose_log, measurement};
use mednanny_core::engine::machine::ConversationState;
use mednanny_core::engine::store::{ConversationStore, DbConversationStore};
use mednanny_core::engine::Engine;
use mednanny_core::messages::Tone;
use sea_orm::{EntityTrait, PaginatorTrait};
use support::{said, Backend, TestApp};

const SET: &str = include_str!("understanding_eval/first_contact.tsv");

/// What one message left behind.
struct Seen {
    doses: u64,
    readings: u64,
    notes: u64,
    urgent: bool,
    form_open: bool,
    waiting: bool,
    text: String,
}

async fn rows<E>(app: &TestApp) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(app.services.db().conn()).await.unwrap()
}

async fn say(text: &str) -> Seen {
    // 14:30 in New York, a Monday.
    let now = Utc
        .with_ymd_and_hms(2026, 3, 2, 19, 30, 0)
        .single()
        .unwrap();
    let app = TestApp::at(Backend::Sqlite, now).await;
    mednanny_core::demo::ensure(&app.services).await.unwrap();
    let engine = Engine::with_database_store(app.services.clone());
    let before = (
        rows::<dose_log::Entity>(&app).await,
        rows::<measurement::Entity>(&app).await,
        rows::<care_note::Entity>(&app).await,
    );
    let turn = engine.handle(&said("maya", text)).await;
    let store = DbConversationStore::new(app.services.db().clone(), app.services.keys().clone());
    let state = store.load("console:maya").await.unwrap().session.state;
    Seen {
        doses: rows::<dose_log::Entity>(&app).await - before.0,
        readings: rows::<measurement::Entity>(&app).await - before.1,
        notes: rows::<care_note::Entity>(&app).await - before.2,
        urgent: turn.replies.iter().any(|r| r.tone == Tone::Urgent),
        form_open: matches!(state, ConversationState::Collecting { .. }),
        waiting: !matches!(state, ConversationState::Idle),
        text: turn
            .replies
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(" / "),
    }
}

fn dropped(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("nothing was recorded")
        || lower.contains("no se anotó nada")
        || lower.contains("didn't understand")
        || lower.contains("no te entendí")
}

/// Whether MedNanny did what a person would expect for a message of `category`.
fn right(category: &str, seen: &Seen) -> bool {
    let wrote = seen.doses + seen.readings + seen.notes > 0;
    let asked = seen.waiting || (seen.text.contains('?') && !dropped(&seen.text));
    match category {
        "dose" => !seen.urgent && (seen.doses > 0 || (asked && seen.readings == 0)),
        "reading" => !seen.urgent && seen.doses == 0 && (seen.readings > 0 || asked),
        "question" => !seen.urgent && !wrote && !seen.form_open && !dropped(&seen.text),
        "emergency" => seen.urgent,
        "lookalike" => !seen.urgent,
        "chatter" => !seen.urgent && !wrote && !seen.form_open,
        _ => false,
    }
}

#[tokio::test]
#[ignore = "a score to read, not a gate: run with --ignored --nocapture (see the header)"]
async fn first_contact_score() {
    let mut score: BTreeMap<(String, String), (u32, u32)> = BTreeMap::new();
    let mut misses = Vec::new();
    for line in SET.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let (Some(category), Some(lang), Some(message)) = (cols.next(), cols.next(), cols.next())
        else {
            panic!("a line without three columns: {line:?}");
        };
        let seen = say(message).await;
        let ok = right(category, &seen);
        let cell = score
            .entry((category.to_string(), lang.to_string()))
            .or_default();
        cell.1 += 1;
        if ok {
            cell.0 += 1;
        } else {
            misses.push(format!(
                "{category}\t{lang}\t{message}\n    -> {}",
                seen.text
            ));
        }
    }
    let mut total = (0, 0);
    println!("category\tlang\tright\tof");
    for ((category, lang), (ok, of)) in &score {
        println!("{category}\t{lang}\t{ok}\t{of}");
        total.0 += ok;
        total.1 += of;
    }
    println!("all\t\t{}\t{}", total.0, total.1);
    println!("\nMisses:");
    for miss in &misses {
        println!("{miss}");
    }
    assert!(total.1 > 0, "the set is empty");
}
