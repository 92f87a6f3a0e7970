//! One engine turn, end to end on SQLite: on the rules brain, and on a language model (the local
//! OpenAI-compatible server of `test-support`, answering at once, through the real async-openai
//! client), where the assistant's own overhead is the turn minus the time spent waiting for the
//! model (`Turn::model_wait`). Also the prompt sent per turn over the assistant's evaluation set
//! (`core/tests/assistant_eval/cases.tsv`): bytes, and tokens estimated at 4 bytes each.
//!
//! Run: `cargo bench -p bot --bench assistant_turn`
//! Knobs: MEDNANNY_BENCH_TURNS (2000 per brain).

use std::sync::Arc;
use std::time::{Duration, Instant};

use mednanny_core::assistant::llm::LlmBrain;
use mednanny_core::clock::SystemClock;
use mednanny_core::crypto::Keyring;
use mednanny_core::db::Database;
use mednanny_core::domain::{Channel, IdentityKind};
use mednanny_core::engine::{Engine, Inbound};
use mednanny_core::services::Services;
use mednanny_core::settings::{DatabaseSettings, LlmConfig, LlmProvider};
use serde_json::json;
use test_support::{FakeLlm, LlmScript};

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn said(who: &str, text: &str) -> Inbound {
    Inbound {
        channel: Channel::Console,
        identity: IdentityKind::Console,
        external_id: who.into(),
        display_name: None,
        text: text.into(),
        delivery_key: None,
        form: None,
        voice: false,
        locale: None,
        photo: None,
        timezone: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{label:<44} n={:<5} p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

async fn services(dir: &std::path::Path) -> Services {
    let db = Database::connect(&DatabaseSettings {
        url: format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
        max_connections: None,
        busy_timeout_ms: 5000,
        sqlite_cache_kib: 512,
        migrate_on_start: true,
    })
    .await
    .expect("the bench database");
    db.migrate().await.expect("migrations");
    let services = Services::new(db, Keyring::generate(), Arc::new(SystemClock), 72);
    mednanny_core::demo::ensure(&services)
        .await
        .expect("the demo family");
    services
}

/// The evaluation set's messages (the last column of each case line).
fn evaluation_messages() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/assistant_eval/cases.tsv"
    );
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.rsplit('\t').next().map(str::to_string))
        .collect()
}

fn main() {
    // reqwest builds rustls with two providers; the bot's main installs ring, and so does this.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let turns = knob("MEDNANNY_BENCH_TURNS", 2000);
    let dir = tempfile::tempdir().expect("temp dir");
    let services = services(dir.path()).await;

    // The rules brain: the everyday mix, reads and writes, as Ana.
    let rules = Engine::with_database_store(services.clone());
    let mix = [
        "kids",
        "meds Emma",
        "when can Emma have ibuprofen?",
        "Emma temp 37.1",
        "note Emma ate well",
        "last doses for Emma",
        "allergies Leo",
        "what's up",
    ];
    for text in mix.iter().cycle().take(200) {
        rules.handle(&said("ana", text)).await;
    }
    let mut times = Vec::with_capacity(turns);
    for text in mix.iter().cycle().take(turns) {
        let started = Instant::now();
        let turn = rules.handle(&said("ana", text)).await;
        times.push(started.elapsed());
        assert!(!turn.replies.is_empty());
    }
    report("rules brain: one engine turn (SQLite)", times);

    // The model's brain, the local server answering at once: a note through a tool, a dose
    // question through a tool, words of its own.
    let llm = FakeLlm::start().await;
    let brain = LlmBrain::new(
        LlmConfig {
            provider: LlmProvider::OpenAiCompatible,
            base_url: llm.base_url(),
            model: "bench".into(),
            api_key: None,
            turn_timeout: Duration::from_secs(10),
            max_rounds: 3,
            daily_token_budget: u64::MAX,
            vision: false,
        },
        reqwest::Client::new(),
    );
    let assistant =
        Engine::with_database_store(services.clone()).with_brain(Arc::new(brain), u64::MAX);
    let answers = [
        LlmScript::tool(
            "add_care_note",
            json!({"child": "Child A", "text": "Child A ate well"}),
        ),
        LlmScript::tool(
            "dose_status",
            json!({"child": "Child A", "medication": "ibuprofen"}),
        ),
        LlmScript::text("You're welcome!"),
    ];
    let total = turns + 200;
    llm.script(answers.iter().cycle().take(total).cloned());
    let mut overhead = Vec::with_capacity(turns);
    let mut whole = Vec::with_capacity(turns);
    for i in 0..total {
        let started = Instant::now();
        let turn = assistant
            .handle(&said("ana", "emma ate really well today, thanks"))
            .await;
        let elapsed = started.elapsed();
        assert!(!turn.replies.is_empty());
        if i >= 200 {
            whole.push(elapsed);
            overhead.push(elapsed.saturating_sub(turn.model_wait));
        }
    }
    report("model brain: whole turn (model answers at once)", whole);
    report("model brain: MedNanny's own part of the turn", overhead);

    // The prompt per turn over the evaluation set.
    let messages = evaluation_messages();
    if messages.is_empty() {
        println!("(no evaluation set found: prompt sizes not measured)");
        return;
    }
    let before = llm.requests().len();
    llm.answer_always(LlmScript::text("OK"));
    for text in &messages {
        assistant.handle(&said("maya", text)).await;
    }
    let requests = llm.requests();
    let mut sizes: Vec<usize> = requests[before..]
        .iter()
        .map(|r| r.body.to_string().len())
        .collect();
    sizes.sort_unstable();
    if sizes.is_empty() {
        println!("no evaluation message went to the model");
        return;
    }
    let at = |p: f64| sizes[((sizes.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "prompt per model turn over the evaluation set: {} of {} messages went to the model; \
         median {} bytes (~{} tokens), p95 {} bytes (~{} tokens)",
        sizes.len(),
        messages.len(),
        at(0.5),
        at(0.5) / 4,
        at(0.95),
        at(0.95) / 4
    );
}
