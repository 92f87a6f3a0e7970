//! MedNannyAI's understanding: the [`Brain`] port and its two brains.
//!
//! Given a turn (who, in which family, the message, whether a question is pending), a brain
//! proposes what to do: commands for the conversation machine, as if the person had typed them, or
//! words of its own for what the record cannot answer. The machine and the services decide and act
//! (dose safety, authorization, audit, confirmations); a brain never writes.
//!
//! - [`RulesBrain`]: the deterministic parser (`engine::command`), offline; the default, and the
//!   fallback whenever the model cannot answer.
//! - [`llm::LlmBrain`]: a model behind any OpenAI-compatible API, through tools ([`tools`]), with
//!   names pseudonymized ([`aliases`]) and its own words checked ([`guard`]).
//!
//! The red-flag screen runs before either brain (in the engine), so no brain can be talked out of
//! an emergency answer.
//!
//! # Layout
//! - `aliases`: real names ⇄ "Child A"/"Member A" (pure).
//! - `tools`: the tools' JSON schemas, who is offered which, and a call → `Command` (pure).
//! - `guard`: what the model may say in its own words (pure).
//! - `llm`: the model's turn over async-openai: prompt, rounds, budget, fallback.
//! - `voice`: voice notes transcribed over an OpenAI-compatible API.
//! - `label`: a photo of a medicine's label read by a model that accepts images (pure parts).

pub mod aliases;
pub mod guard;
pub mod label;
pub mod llm;
pub mod tools;
pub mod voice;

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};

use crate::domain::Role;
use crate::engine::command::{parse_all, Command, Vocabulary};
use crate::messages::Locale;

/// What a brain is told about one turn.
#[derive(Debug, Clone)]
pub struct BrainTurn<'a> {
    pub text: &'a str,
    pub role: Role,
    /// The children this person can see, by name.
    pub children: &'a [String],
    /// The family's members' names (the speaker's too): hidden from a model like the children's.
    pub members: &'a [String],
    pub now: DateTime<Utc>,
    pub timezone: chrono_tz::Tz,
    pub locale: Locale,
    /// A question is pending (YES/NO, a number): the answer is read by the rules.
    pub awaiting_answer: bool,
    /// What the family allows a model this turn.
    pub allowance: Allowance,
}

/// Whether a model may read this family's messages now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allowance {
    /// A guardian agreed that messages go to the configured model (pseudonymized).
    pub consented: bool,
    /// Tokens left of the family's daily budget.
    pub tokens_left: u64,
}

/// A brain's proposal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Thought {
    /// Commands for the machine, in order (a model may call several tools at once).
    pub commands: Vec<Command>,
    /// The model's own words, checked.
    pub words: Option<Words>,
    /// Why the rules answered although a model is configured, when the person should know.
    pub fallback: Option<Fallback>,
    /// Tokens the model used (prompt + completion), to meter against the family's budget.
    pub tokens_used: u64,
    /// Time spent waiting for the model's answers (the rest of a turn is MedNanny's own).
    pub model_wait: std::time::Duration,
}

/// The model's words, as the guard let them through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Words {
    Said(String),
    /// The model named a dose; the person gets the "no doses worked out" answer instead.
    NoDoses,
}

/// Why the rules answered instead of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// The model was slow, failing or answered nonsense.
    Unavailable,
    /// The family's tokens for today are spent.
    BudgetSpent,
}

/// A boxed future, so brains can sit behind `dyn Brain`.
pub type Thinking<'a> = Pin<Box<dyn Future<Output = Thought> + Send + 'a>>;

/// The port: something that understands a message.
pub trait Brain: Send + Sync {
    /// Whether this brain sends messages to a model (the engine then reads the family's consent
    /// and budget, and meters what the turn used).
    fn uses_model(&self) -> bool;

    fn think<'a>(&'a self, turn: BrainTurn<'a>) -> Thinking<'a>;

    /// A care note in English, for the guardians who read English, when this brain can translate
    /// (a model); `None` otherwise. Names are hidden from the model like in a turn.
    fn translate<'a>(&'a self, _note: Translation<'a>) -> Translating<'a> {
        Box::pin(std::future::ready(None))
    }

    /// Whether this brain reads photos of medicine labels (a model that accepts images).
    fn reads_labels(&self) -> bool {
        false
    }

    /// What a medicine's label says, read from a photo; the photo alone goes to the model.
    fn read_label<'a>(&'a self, _photo: label::LabelPhoto<'a>) -> label::ReadingLabel<'a> {
        Box::pin(std::future::ready(label::LabelReading {
            label: Err(label::LabelError::NoVision),
            tokens_used: 0,
            model_wait: std::time::Duration::ZERO,
        }))
    }
}

/// A note to translate into English, with the names to hide.
#[derive(Debug, Clone, Copy)]
pub struct Translation<'a> {
    pub text: &'a str,
    pub children: &'a [String],
    pub members: &'a [String],
}

/// A translation and the tokens it cost, when there is one.
pub type Translating<'a> = Pin<Box<dyn Future<Output = Option<(String, u64)>> + Send + 'a>>;

/// The deterministic brain: the command parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct RulesBrain;

impl RulesBrain {
    /// The rules' reading of a message, at once.
    pub fn read(turn: &BrainTurn<'_>) -> Thought {
        Thought {
            commands: parse_all(
                turn.text,
                &Vocabulary {
                    children: turn.children,
                },
            ),
            ..Thought::default()
        }
    }
}

impl Brain for RulesBrain {
    fn uses_model(&self) -> bool {
        false
    }

    fn think<'a>(&'a self, turn: BrainTurn<'a>) -> Thinking<'a> {
        let thought = RulesBrain::read(&turn);
        Box::pin(std::future::ready(thought))
    }
}
