//! The model's brain: a turn with any OpenAI-compatible chat API, through async-openai.
//!
//! One turn is at most `llm.max_rounds` requests within `llm.turn_timeout_ms`, retries after 429
//! (honouring `Retry-After`) and 5xx included (async-openai's own retry, cut by the turn's
//! deadline). The model is told the least it needs: the date and time, the speaker's role, the
//! children's aliases and the message with every name replaced; never the record itself. Its tool
//! calls become commands ([`super::tools`]); a bad call goes back to it as a tool error for another
//! round; its words pass [`super::guard`]. Whenever it cannot answer in time, or answers nonsense,
//! the rules read the message and the person is told so in one line.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, CreateChatCompletionRequest, CreateChatCompletionResponse,
};
use async_openai::Client;
use serde_json::{json, Value};

use super::aliases::Aliases;
use super::guard::{self, Checked};
use super::label::{self, Label, LabelError, LabelPhoto, LabelReading, ReadingLabel};
use super::tools::{self, CallContext, ToolError};
use super::{
    Brain, BrainTurn, Fallback, RulesBrain, Thinking, Thought, Translating, Translation, Words,
};
use crate::domain::Role;
use crate::engine::command::Command;
use crate::messages::Locale;
use crate::settings::LlmConfig;

/// Completion tokens per answer: a tool call or two short sentences.
const MAX_COMPLETION_TOKENS: u32 = 300;

/// The model behind an OpenAI-compatible API.
#[derive(Clone)]
pub struct LlmBrain {
    client: Client<OpenAIConfig>,
    config: Arc<LlmConfig>,
}

/// Why a model round gave nothing usable.
#[derive(Debug, thiserror::Error)]
enum RoundError {
    #[error("model request failed: {0}")]
    Api(#[from] async_openai::error::OpenAIError),
    #[error("the model's answer had no choice")]
    NoChoice,
    #[error("request could not be built: {0}")]
    Request(serde_json::Error),
}

impl LlmBrain {
    /// A brain for this model; `http` is the caller's client (its TLS provider, its timeouts).
    pub fn new(config: LlmConfig, http: reqwest::Client) -> Self {
        let mut openai = OpenAIConfig::new().with_api_base(config.base_url.clone());
        if let Some(key) = &config.api_key {
            openai = openai.with_api_key(key.expose());
        }
        Self {
            client: Client::with_config(openai).with_http_client(http),
            config: Arc::new(config),
        }
    }

    async fn turn(
        &self,
        turn: &BrainTurn<'_>,
        used: &AtomicU64,
        waited: &AtomicU64,
    ) -> Result<Thought, RoundError> {
        let aliases = Aliases::new(turn.children, turn.members);
        let offered = tools::offered(turn.role);
        let call_ctx = CallContext {
            aliases: &aliases,
            role: turn.role,
            now: turn.now,
            timezone: turn.timezone,
        };
        let mut messages = vec![
            json!({"role": "system", "content": system_prompt(turn, &aliases)}),
            json!({"role": "user", "content": aliases.hide(turn.text)}),
        ];
        let schemas: Vec<Value> = offered.iter().map(|t| t.schema()).collect();
        for round in 1..=self.config.max_rounds {
            let request = json!({
                "model": self.config.model,
                "messages": messages,
                "tools": schemas,
                "tool_choice": "auto",
                "temperature": 0,
                "max_completion_tokens": MAX_COMPLETION_TOKENS,
            });
            let request: CreateChatCompletionRequest =
                serde_json::from_value(request).map_err(RoundError::Request)?;
            let asked = std::time::Instant::now();
            let response: Result<CreateChatCompletionResponse, _> =
                self.client.chat().create(request).await;
            waited.fetch_add(asked.elapsed().as_micros() as u64, Ordering::Relaxed);
            let response = response?;
            if let Some(usage) = &response.usage {
                used.fetch_add(u64::from(usage.total_tokens), Ordering::Relaxed);
            }
            let message = response
                .choices
                .into_iter()
                .next()
                .ok_or(RoundError::NoChoice)?
                .message;
            let calls: Vec<(String, String, String)> = message
                .tool_calls
                .unwrap_or_default()
                .into_iter()
                .map(|call| match call {
                    ChatCompletionMessageToolCalls::Function(f) => {
                        (f.id, f.function.name, f.function.arguments)
                    }
                    ChatCompletionMessageToolCalls::Custom(c) => {
                        (c.id, c.custom_tool.name, c.custom_tool.input)
                    }
                })
                .collect();
            if calls.is_empty() {
                let text = message.content.unwrap_or_default();
                let words = match guard::check(&aliases.reveal(&text), turn.locale == Locale::Es) {
                    Checked::Say(text) => Words::Said(text),
                    Checked::NoDoses => Words::NoDoses,
                    // An empty answer is no answer: the rules read the message.
                    Checked::Nothing => return Err(RoundError::NoChoice),
                };
                return Ok(Thought {
                    words: Some(words),
                    ..Thought::default()
                });
            }
            let read: Vec<Result<Command, ToolError>> = calls
                .iter()
                .map(|(_, name, args)| tools::read_call(name, args, &call_ctx))
                .collect();
            if read.iter().all(Result::is_ok) {
                return Ok(Thought {
                    commands: read.into_iter().flatten().collect(),
                    ..Thought::default()
                });
            }
            if round == self.config.max_rounds {
                break;
            }
            // All or nothing: the model calls again, corrected, so no call is done twice.
            messages.push(json!({
                "role": "assistant",
                "content": Value::Null,
                "tool_calls": calls.iter().map(|(id, name, args)| json!({
                    "id": id, "type": "function",
                    "function": {"name": name, "arguments": args},
                })).collect::<Vec<_>>(),
            }));
            for ((id, _, _), result) in calls.iter().zip(&read) {
                let content = match result {
                    Ok(_) => "not done: another call failed; call again, corrected".to_string(),
                    Err(error) => format!("error: {error}"),
                };
                messages.push(json!({"role": "tool", "tool_call_id": id, "content": content}));
            }
        }
        Err(RoundError::NoChoice)
    }
}

/// Messages the rules read well enough that a model round would only cost time and money: admin
/// actions and answers to a question (the model has no tool for them), and lists (a list shown for
/// a misread sentence writes nothing). Writes, dose questions and what the rules did not
/// understand go to the model.
fn rules_suffice(command: &Command) -> bool {
    !matches!(
        command,
        Command::GiveDose { .. }
            | Command::WhenNext { .. }
            | Command::Temperature { .. }
            | Command::Note { .. }
            | Command::ShiftIn
            | Command::ShiftOut { .. }
            | Command::BadTime(_)
            | Command::Unknown
    )
}

fn system_prompt(turn: &BrainTurn<'_>, aliases: &Aliases) -> String {
    let local = turn.now.with_timezone(&turn.timezone);
    let role = match turn.role {
        Role::Guardian => "a parent (guardian)",
        Role::Caregiver => "the nanny (caregiver)",
        Role::Viewer => "a family member who may only read",
    };
    let language = match turn.locale {
        Locale::Es => "Spanish",
        _ => "English",
    };
    let children = aliases.child_aliases();
    let children = if children.is_empty() {
        "none yet".to_string()
    } else {
        children.join(", ")
    };
    format!(
        "You are MedNannyAI, a family's assistant for their children's health. Now: {}. \
You talk with {role}. Children: {children}. Names are replaced by aliases; use them.\n\
- Record questions and actions (doses, medicines, temperatures, notes, allergies, appointments, \
shifts): call tools, several at once if needed; never answer them yourself.\n\
- Log only what was said: never work out, suggest or change a dose. 1 teaspoon = 5 ml, \
1 tablespoon = 15 ml. If the child, medicine or amount is unclear, ask one short question.\n\
- Never diagnose. Health questions: a short careful answer, then: talk to your paediatrician.\n\
- Reply in {language}, one to three short sentences.",
        local.format("%a %Y-%m-%d %H:%M"),
    )
}

impl LlmBrain {
    /// One request, no tools: the note in English, names kept as their aliases.
    async fn english(&self, note: Translation<'_>) -> Result<(String, u64), RoundError> {
        let aliases = Aliases::new(note.children, note.members);
        let request = json!({
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": "Translate this care note about a child into plain English. \
        Keep names like Child A as they are. Reply with the translation only."},
                {"role": "user", "content": aliases.hide(note.text)},
            ],
            "temperature": 0,
            "max_completion_tokens": MAX_COMPLETION_TOKENS,
        });
        let request: CreateChatCompletionRequest =
            serde_json::from_value(request).map_err(RoundError::Request)?;
        let response = self.client.chat().create(request).await?;
        let tokens = response
            .usage
            .as_ref()
            .map_or(0, |u| u64::from(u.total_tokens));
        let text = response
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .map(|t| aliases.reveal(t.trim()))
            .filter(|t| !t.is_empty())
            .ok_or(RoundError::NoChoice)?;
        // A translation as long as a few notes is not a translation.
        let text: String = text
            .chars()
            .take(note.text.chars().count() * 3 + 200)
            .collect();
        Ok((text, tokens))
    }
}

impl LlmBrain {
    /// One request: the photo, the label tool forced. The photo is all the model sees.
    async fn label(&self, photo: LabelPhoto<'_>, used: &AtomicU64) -> Result<Label, LabelError> {
        let url = label::data_url(photo).ok_or(LabelError::NotAnImage)?;
        let request = json!({
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": label::PROMPT},
                {"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": url}},
                ]},
            ],
            "tools": [label::tool_schema()],
            "tool_choice": {"type": "function", "function": {"name": label::TOOL}},
            "temperature": 0,
            "max_completion_tokens": MAX_COMPLETION_TOKENS,
        });
        let request: CreateChatCompletionRequest = serde_json::from_value(request)
            .map_err(|e| LabelError::Failed(format!("request could not be built: {e}")))?;
        let response = self.client.chat().create(request).await.map_err(|e| {
            // The kind of failure only: a body the client could not read may be the label's text.
            LabelError::Failed(
                match e {
                    async_openai::error::OpenAIError::Reqwest(_) => "the request failed",
                    async_openai::error::OpenAIError::ApiError(_) => "the API refused it",
                    async_openai::error::OpenAIError::JSONDeserialize(..) => {
                        "the answer was not a chat completion"
                    }
                    _ => "the client failed",
                }
                .into(),
            )
        })?;
        if let Some(usage) = &response.usage {
            used.fetch_add(u64::from(usage.total_tokens), Ordering::Relaxed);
        }
        let message = response
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| LabelError::Nonsense("no choice".into()))?
            .message;
        let arguments = message
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .find_map(|call| match call {
                ChatCompletionMessageToolCalls::Function(f) if f.function.name == label::TOOL => {
                    Some(f.function.arguments)
                }
                _ => None,
            })
            .ok_or_else(|| LabelError::Nonsense("no label call".into()))?;
        label::read_arguments(&arguments)
    }
}

impl Brain for LlmBrain {
    fn uses_model(&self) -> bool {
        true
    }

    fn reads_labels(&self) -> bool {
        self.config.vision
    }

    fn read_label<'a>(&'a self, photo: LabelPhoto<'a>) -> ReadingLabel<'a> {
        Box::pin(async move {
            if !self.config.vision {
                return LabelReading {
                    label: Err(LabelError::NoVision),
                    tokens_used: 0,
                    model_wait: std::time::Duration::ZERO,
                };
            }
            let used = AtomicU64::new(0);
            let started = std::time::Instant::now();
            let label = match tokio::time::timeout(
                self.config.turn_timeout,
                self.label(photo, &used),
            )
            .await
            {
                Ok(label) => label,
                Err(_) => Err(LabelError::Timeout),
            };
            LabelReading {
                label,
                tokens_used: used.load(Ordering::Relaxed),
                model_wait: started.elapsed(),
            }
        })
    }

    fn translate<'a>(&'a self, note: Translation<'a>) -> Translating<'a> {
        Box::pin(async move {
            match tokio::time::timeout(self.config.turn_timeout, self.english(note)).await {
                Ok(Ok(translated)) => Some(translated),
                Ok(Err(error)) => {
                    tracing::warn!(%error, "note not translated");
                    None
                }
                Err(_) => {
                    tracing::warn!("note not translated: the model was too slow");
                    None
                }
            }
        })
    }

    fn think<'a>(&'a self, turn: BrainTurn<'a>) -> Thinking<'a> {
        Box::pin(async move {
            let rules = RulesBrain::read(&turn);
            let rules_command = rules.commands.first().cloned().unwrap_or(Command::Empty);
            if turn.awaiting_answer || !turn.allowance.consented || rules_suffice(&rules_command) {
                return rules;
            }
            if turn.allowance.tokens_left == 0 {
                return Thought {
                    fallback: Some(Fallback::BudgetSpent),
                    ..rules
                };
            }
            let used = AtomicU64::new(0);
            let waited = AtomicU64::new(0);
            let started = std::time::Instant::now();
            let outcome =
                tokio::time::timeout(self.config.turn_timeout, self.turn(&turn, &used, &waited))
                    .await;
            let tokens_used = used.load(Ordering::Relaxed);
            // A turn cut by the deadline was waiting for the model when it was cut.
            let model_wait = match outcome {
                Err(_) => started.elapsed(),
                Ok(_) => std::time::Duration::from_micros(waited.load(Ordering::Relaxed)),
            };
            match outcome {
                Ok(Ok(thought)) => Thought {
                    tokens_used,
                    model_wait,
                    ..thought
                },
                Ok(Err(error)) => {
                    // The error names the failure, never the message.
                    tracing::warn!(%error, "assistant model failed; the rules answered");
                    Thought {
                        fallback: Some(Fallback::Unavailable),
                        tokens_used,
                        model_wait,
                        ..rules
                    }
                }
                Err(_) => {
                    tracing::warn!(
                        timeout_ms = self.config.turn_timeout.as_millis() as u64,
                        "assistant model too slow; the rules answered"
                    );
                    Thought {
                        fallback: Some(Fallback::Unavailable),
                        tokens_used,
                        model_wait,
                        ..rules
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_prompt_names_no_one_and_is_short() {
        let children = ["Emma".to_string(), "Leo".to_string()];
        let members = ["Ana".to_string(), "Maya".to_string()];
        let turn = BrainTurn {
            text: "Maya here, gave Emma a teaspoon of Tylenol around 2",
            role: Role::Caregiver,
            children: &children,
            members: &members,
            now: chrono::Utc
                .with_ymd_and_hms(2026, 12, 4, 19, 0, 0)
                .single()
                .expect("a valid time"),
            timezone: chrono_tz::America::New_York,
            locale: Locale::En,
            awaiting_answer: false,
            allowance: Default::default(),
        };
        let aliases = Aliases::new(&children, &members);
        let prompt = system_prompt(&turn, &aliases);
        for name in ["Emma", "Leo", "Ana", "Maya"] {
            assert!(!prompt.contains(name), "{prompt}");
        }
        assert!(prompt.contains("Now: Fri 2026-12-04 14:00"));
        assert!(prompt.contains("Child A, Child B"));
        assert!(prompt.contains("the nanny"));
        // Every token is the family's money: the prompt stays around 200 tokens (4 bytes each).
        assert!(prompt.len() < 1000, "{} bytes", prompt.len());
    }

    #[test]
    fn a_request_stays_small() {
        // Every token is the family's money and latency: the system prompt and the tools a
        // guardian is offered (the most) stay under ~800 tokens at 4 bytes each (3,059 bytes today).
        let children = ["Emma".to_string(), "Leo".to_string()];
        let turn = BrainTurn {
            text: "",
            role: Role::Guardian,
            children: &children,
            members: &[],
            now: chrono::Utc::now(),
            timezone: chrono_tz::America::New_York,
            locale: Locale::En,
            awaiting_answer: false,
            allowance: Default::default(),
        };
        let prompt = system_prompt(&turn, &Aliases::new(&children, &[]));
        let tools: Vec<Value> = tools::offered(Role::Guardian)
            .iter()
            .map(|t| t.schema())
            .collect();
        let bytes = prompt.len() + Value::from(tools).to_string().len();
        assert!(bytes < 3200, "{bytes} bytes");
    }

    #[test]
    fn exact_commands_skip_the_model() {
        assert!(rules_suffice(&Command::Yes));
        assert!(rules_suffice(&Command::Choose(2)));
        assert!(rules_suffice(&Command::Export));
        assert!(rules_suffice(&Command::Join { code: "X".into() }));
        assert!(!rules_suffice(&Command::Unknown));
        assert!(rules_suffice(&Command::LastDoses { child: None }));
        assert!(!rules_suffice(&Command::ShiftIn));
    }
}
