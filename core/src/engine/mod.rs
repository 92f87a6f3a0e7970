//! The conversation engine: one for every channel.
//!
//! A channel adapter turns a platform event into an [`Inbound`], calls [`Engine::handle`], and renders
//! the channel-neutral [`Reply`]s it gets back (Block Kit, numbered plain text, terminal text). The
//! runner screens the message for red flags, finds who is speaking, asks the brain what they said
//! ([`crate::assistant::Brain`]), runs the pure state machine ([`machine::step`]), performs the
//! effects it asks for through the domain services, and keeps the conversation's state in a
//! [`store::ConversationStore`]. It decides nothing itself: it loads, steps, runs effects and saves.
//!
//! # Layout
//! - `command`: text → `Command` (pure).
//! - `machine`: `step(state, event, context) → (state, effects)` (pure).
//! - `routing`: the part of `step` that decides which family a conversation is in, and what a
//!   person outside any family may do (pure).
//! - `forms`: the collecting state's drafts and how answers are read (pure).
//! - `store`: the storage trait for conversation state and its database implementation.
//! - `onboarding`: meeting someone new; joining and creating a family.
//! - `tasks`: running a task through the services; every service error becomes a message there.
//! - `save_form`, `approvals`, `keeping`, `records`: the tasks of self-service (saving a form,
//!   approving a nanny's medicine, courses, members and children, the record's lists).
//! - `views`: what channels ask besides a turn (dashboards, form setups, alerts to push).
//! - `photos`: a photo of a medicine's label read by the model and proposed as a medication.
//! - this file: the runner.

mod approvals;
pub mod command;
pub mod forms;
mod keeping;
pub mod machine;
mod nanny;
mod new_family;
mod onboarding;
mod photos;
mod records;
mod routing;
mod save_form;
pub mod store;
mod tasks;
mod views;

pub use photos::Photo;
pub use tasks::match_medication;
pub use views::{DoseSetup, FormSetup, ProfileField, ProfileSetup};

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use self::command::{parse, Command, Vocabulary};
use self::machine::{step, Context, ConversationState, Effect, Event, Task, TaskResult};
use self::new_family::PlaceHint;
use self::onboarding::Meeting;
use self::store::{ConversationStore, DbConversationStore, Session};
use crate::assistant::{Allowance, Brain, BrainTurn, Fallback, RulesBrain, Thought, Translation};
use crate::auth::Actor;
use crate::domain::{emergency_numbers, text, Channel, Country, IdentityKind, Place};
use crate::messages::{render, Locale, Msg, RenderContext, Reply, Tone};
use crate::screen::{self, RedFlag, Screening};
use crate::services::emergency::named_child;
use crate::services::{FamilyInfo, ServiceError, Services};

/// One message from a person, whatever the channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub channel: Channel,
    pub identity: IdentityKind,
    /// The sender's id on that channel (console name, `T123:U456` for Slack, `+1555...` for WhatsApp).
    pub external_id: String,
    /// The sender's name as the channel knows it (used when a new person joins).
    pub display_name: Option<String>,
    pub text: String,
    /// The channel's id for this delivery (`slack:ev:Ev…`), when it has one. A record the turn writes
    /// carries it, so the same delivery handled again after a crash finds that record instead of
    /// writing a second one.
    pub delivery_key: Option<String>,
    /// A whole form filled at once (a Slack modal), already read and checked by the channel with
    /// [`forms::submit`]: saved like a form confirmed in chat. `text` then holds what the fields
    /// said, for the red-flag screen.
    pub form: Option<Box<forms::Form>>,
    /// `text` was transcribed from a voice note: the reply shows what was heard, so a misheard
    /// word is caught before anyone relies on it.
    pub voice: bool,
    /// The sender's language as the channel knows it (Slack's `es-ES`): someone new is spoken to
    /// in it until they say otherwise.
    pub locale: Option<String>,
    /// The sender's time zone as the channel knows it (a Slack user's `Europe/London`): a
    /// family they create lives there unless they say otherwise.
    pub timezone: Option<String>,
    /// A photo that came with the message (`text` is then its caption), fetched by the channel
    /// only when [`Engine::reads_photos`]: read as a medicine's label (see `photos`).
    pub photo: Option<Photo>,
}

impl Inbound {
    fn conversation_key(&self) -> String {
        format!("{}:{}", self.identity.as_str(), self.external_id)
    }

    /// The message with what the person wrote cleaned ([`text::clean`]: no control or invisible
    /// characters, line breaks as `\n`, NFC), or `None` when it already was. Every channel's
    /// message passes here, in [`Engine::handle`], before anything reads it.
    fn cleaned(&self) -> Option<Inbound> {
        let text = text::clean(&self.text);
        let name = self.display_name.as_deref().map(text::clean);
        let changed = matches!(text, Cow::Owned(_)) || matches!(name, Some(Cow::Owned(_)));
        changed.then(|| Inbound {
            text: text.into_owned(),
            display_name: name.map(Cow::into_owned),
            ..self.clone()
        })
    }
}

/// Alerts for one person in one family, rendered for a channel to push.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertsToPush {
    pub family_id: i64,
    pub ids: Vec<i64>,
    pub replies: Vec<Reply>,
}

/// What a turn produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Turn {
    pub replies: Vec<Reply>,
    pub person_id: Option<i64>,
    pub family_id: Option<i64>,
    /// The turn ran something that changes the family's record (a dose, a temperature, a note, an
    /// undo, a shift): channels refresh their dashboards.
    pub changed_record: bool,
    /// The turn queued alerts for other members (an extra dose was confirmed): channels that can
    /// push deliver them now.
    pub alerts_queued: bool,
    /// Time the turn spent waiting for a language model (zero on the rules brain): the rest is
    /// MedNanny's own work.
    pub model_wait: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
enum TurnError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// The conversation engine.
#[derive(Clone)]
pub struct Engine<S: ConversationStore = DbConversationStore> {
    services: Services,
    store: S,
    /// Who understands a message: the rules, or a model with the rules as its fallback.
    brain: Arc<dyn Brain>,
    /// Tokens a family's turns may spend with a model a day.
    daily_token_budget: u64,
}

impl Engine<DbConversationStore> {
    /// The engine with conversation state kept in the database.
    pub fn with_database_store(services: Services) -> Self {
        let store = DbConversationStore::new(services.db().clone(), services.keys().clone());
        Self::new(services, store)
    }
}

/// Where this turn happens: who, in which family, when.
struct Scene {
    actor: Actor,
    family: FamilyInfo,
    /// The speaker's role in it.
    role: crate::domain::Role,
    children: Vec<(i64, String)>,
    now: DateTime<Utc>,
    delivery_key: Option<String>,
}

impl<S: ConversationStore> Engine<S> {
    pub fn new(services: Services, store: S) -> Self {
        Self {
            services,
            store,
            brain: Arc::new(RulesBrain),
            daily_token_budget: 0,
        }
    }

    /// Messages understood by this brain (a model, falling back to the rules), with a family's
    /// daily token budget for it.
    pub fn with_brain(mut self, brain: Arc<dyn Brain>, daily_token_budget: u64) -> Self {
        self.brain = brain;
        self.daily_token_budget = daily_token_budget;
        self
    }

    /// Whether messages may go to a model (families are then asked for consent).
    pub fn uses_model(&self) -> bool {
        self.brain.uses_model()
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Handles one message and returns the replies. Never fails: an internal error becomes an apology
    /// (and a log line without the message text).
    #[tracing::instrument(skip_all, fields(channel = inbound.channel.as_str()))]
    pub async fn handle(&self, inbound: &Inbound) -> Turn {
        // What the person wrote is cleaned here, once for every channel, before the screen, the
        // parser or a form reads it (docs/architecture.md, *What people write*).
        let cleaned = inbound.cleaned();
        let inbound = cleaned.as_ref().unwrap_or(inbound);
        let mut turn = self.handle_text(inbound).await;
        if inbound.voice {
            let locale = match turn.person_id {
                Some(person_id) => self
                    .services
                    .person_locale(person_id)
                    .await
                    .map(|tag| Locale::from_tag(&tag))
                    .unwrap_or(Locale::En),
                None => Locale::En,
            };
            let heard = render(
                &Msg::Heard {
                    text: inbound.text.clone(),
                },
                &self.render_context(None, locale),
            );
            // An emergency's answer stays first; what was heard follows it.
            let at = usize::from(turn.replies.first().is_some_and(|r| r.tone == Tone::Urgent));
            turn.replies.insert(at, heard);
        }
        turn
    }

    async fn handle_text(&self, inbound: &Inbound) -> Turn {
        match self.turn(inbound).await {
            Ok(turn) => turn,
            Err(error) => {
                tracing::error!(%error, "turn failed");
                let ctx = self.render_context(None, Locale::En);
                // Even with the database down, an emergency gets its answer.
                let msg = match screen::screen(&inbound.text, &[]) {
                    Some(flag) => emergency_unknown_country(flag),
                    None => Msg::InternalError,
                };
                Turn {
                    replies: vec![render(&msg, &ctx)],
                    ..Turn::default()
                }
            }
        }
    }

    /// A message that is not part of a conversation (a channel's notice), from the catalogue.
    pub fn notice(&self, msg: &Msg) -> Reply {
        render(msg, &self.render_context(None, Locale::En))
    }

    /// The console's opening line, from the catalogue like every other sentence.
    pub fn console_greeting(&self, name: &str, known: bool) -> Reply {
        let ctx = self.render_context(None, Locale::En);
        render(
            &Msg::ConsoleGreeting {
                name: name.to_string(),
                known,
            },
            &ctx,
        )
    }

    fn render_context(&self, family: Option<&FamilyInfo>, locale: Locale) -> RenderContext {
        RenderContext::new(
            locale,
            family.map(|f| f.timezone).unwrap_or(chrono_tz::UTC),
            family.map(|f| f.country.as_str()).unwrap_or("US"),
            self.services.now(),
        )
    }

    async fn turn(&self, inbound: &Inbound) -> Result<Turn, TurnError> {
        // The red-flag screen reads the message before anything else does: before the parser, the
        // conversation state and any question that was pending (docs/architecture.md).
        let screening = Screening::new(&inbound.text);
        let red_flag = screening.verdict(&[]);
        let services = &self.services;
        // Joining and creating a family are read by the rules alone, whatever else is going on: an
        // invite code is not for a model (or a form) to read.
        let said = match &red_flag {
            Some(_) => Command::Empty,
            None => parse(&inbound.text, &Vocabulary { children: &[] }),
        };
        let (person_id, joined) = match services
            .resolve_identity(inbound.identity, &inbound.external_id)
            .await?
        {
            Some(person_id) => (person_id, None),
            None => match self.meet(inbound, &said, red_flag.clone()).await? {
                Meeting::Answered(turn) => return Ok(turn),
                Meeting::Person { person_id, joined } => (person_id, joined),
            },
        };
        let locale = Locale::from_tag(&services.person_locale(person_id).await?);
        let actor = Actor::person(person_id, inbound.channel);
        let key = inbound.conversation_key();
        let loaded = self.store.load(&key).await?;
        let mut session = loaded.session.clone();
        let mut messages: Vec<Msg> = Vec::new();
        if loaded.was_reset {
            messages.push(Msg::QuestionDropped);
        }

        // Which family: the one the conversation is in, while they are still in it, or their only
        // one. Otherwise none, and the machine asks (see `routing`).
        let memberships = services.memberships(person_id).await?;
        let families: Vec<(i64, String)> = memberships
            .iter()
            .map(|m| (m.family_id, m.family_name.clone()))
            .collect();
        let membership = session
            .family_id
            .and_then(|id| memberships.iter().find(|m| m.family_id == id))
            .or_else(|| (memberships.len() == 1).then(|| &memberships[0]));
        session.family_id = membership.map(|m| m.family_id);
        // Someone who has just joined on the way in says nothing else this turn: their family's
        // children are not read (nor cached) before a guardian has had a chance to assign them.
        let membership = membership.filter(|_| joined.is_none());
        let now = services.now();
        let scene = match membership {
            Some(membership) => Some(Scene {
                actor,
                family: services.family_info(membership.family_id).await?,
                role: membership.role,
                // The names the parser listens for. Not shown to anyone, so not a disclosure to
                // audit: the services still authorize and audit whatever the command then does.
                children: services.child_roster(membership).await?,
                now,
                delivery_key: inbound.delivery_key.clone(),
            }),
            None => None,
        };

        // Birth dates and recorded allergens are read only for a message the screen could read
        // differently with them (a fever, something eaten): most messages skip the query.
        let needs_facts = scene.is_some() && (red_flag.is_some() || screening.needs_child_facts());
        let facts = match (&scene, needs_facts) {
            (Some(scene), true) => services.screening_facts(scene.family.id).await?,
            _ => Vec::new(),
        };
        let red_flag =
            red_flag.or_else(|| needs_facts.then(|| screening.verdict(&facts)).flatten());
        // A model may call several tools at once: the commands after the first run one by one,
        // each once the conversation is back to idle (not in the middle of a question).
        let mut later_commands: VecDeque<Command> = VecDeque::new();
        let mut model_wait = std::time::Duration::ZERO;
        let first_event = match (joined, red_flag) {
            (Some(joined), _) => Event::Done(joined),
            (None, Some(flag)) => Event::Emergency {
                child_id: named_child(&inbound.text, &facts),
                flag,
            },
            (None, None) => match (&inbound.form, &session.state, &scene) {
                (Some(form), _, _) => Event::Submitted(form.clone()),
                _ if matches!(said, Command::Join { .. } | Command::CreateFamily { .. }) => {
                    Event::Said(said)
                }
                // A label's photo is read by the model (when it sees, and the family agreed).
                (None, _, Some(scene)) if inbound.photo.is_some() => {
                    let photo = inbound.photo.as_ref().expect("checked just above");
                    let (event, waited) = self
                        .photo_event(photo, &inbound.text, scene, scene.role, &mut messages)
                        .await;
                    model_wait = waited;
                    event
                }
                // A form reads its answers itself ("Emma" may be a name, "5 ml" a dose), and so
                // does a family being created (its name, where it lives).
                (
                    None,
                    ConversationState::Collecting { .. } | ConversationState::NewFamily { .. },
                    _,
                ) => Event::Answer(inbound.text.clone()),
                // Outside a family there is no consent to a model: the rules read it.
                (None, _, None) => Event::Said(said),
                (None, state, Some(scene)) => {
                    let awaiting_answer = !matches!(state, ConversationState::Idle);
                    let thought = self
                        .think(&inbound.text, scene, locale, awaiting_answer)
                        .await;
                    model_wait = thought.model_wait;
                    match thought.fallback {
                        Some(Fallback::Unavailable) => messages.push(Msg::AssistantUnavailable),
                        Some(Fallback::BudgetSpent) => messages.push(Msg::AssistantBudgetSpent),
                        None => {}
                    }
                    if let Some(words) = thought.words {
                        Event::Assistant(words)
                    } else {
                        let mut commands = VecDeque::from(thought.commands);
                        let first = commands.pop_front().unwrap_or(Command::Unknown);
                        later_commands = commands;
                        Event::Said(first)
                    }
                }
            },
        };

        let context = match &scene {
            Some(scene) => Context {
                now,
                timezone: scene.family.timezone,
                emergency: Some(emergency_numbers(&scene.family.country)),
                children: scene.children.clone(),
                day_first: scene.family.country != "US",
                role: scene.role,
                families,
                family_id: Some(scene.family.id),
                asks_consent: self.uses_model(),
                place_hint: None,
            },
            None => Context::outside_family(now, families, self.uses_model()),
        }
        .with_place_hint(place_hint(inbound));
        let mut state = session.state.clone();
        let mut events = VecDeque::from([first_event]);
        // Each event yields at most a few effects and a task result is never a task again beyond one
        // level, so this loop is short; the bound guards against a mistake turning into a spin.
        let mut budget = 16;
        let mut changed_record = false;
        loop {
            let event = match events.pop_front() {
                Some(event) => event,
                // Popped only when it will run: what stays is said not done, below.
                None if matches!(state, ConversationState::Idle) => {
                    match later_commands.pop_front() {
                        Some(command) => Event::Said(command),
                        None => break,
                    }
                }
                None => break,
            };
            budget -= 1;
            if budget == 0 {
                break;
            }
            let (next, effects) = step(&state, event, &context);
            state = next;
            for effect in effects {
                match effect {
                    Effect::Say(msg) => messages.push(msg),
                    Effect::Run(task) => {
                        changed_record |= task.changes_record();
                        let result = match (self.run_onboarding(&task, &actor).await, &scene) {
                            (Some(result), _) => result,
                            (None, Some(scene)) => {
                                let task = self.with_translation(task, scene, locale).await;
                                self.run(task, scene).await
                            }
                            // The machine asks for nothing but a family outside one.
                            (None, None) => TaskResult::Answered(vec![Msg::NoFamily]),
                        };
                        events.push_back(Event::Done(result));
                    }
                    Effect::UseFamily { family_id } => session.family_id = Some(family_id),
                }
            }
        }
        if !later_commands.is_empty() {
            // A question came first: what else the message asked for is said, never dropped.
            messages.push(Msg::NotDoneYet {
                count: later_commands.len(),
            });
        }
        session.state = state;
        // Most turns leave the conversation where it was (a note, a question): no write then.
        if session != loaded.session || loaded.was_reset || loaded.version == 0 {
            self.save(&key, person_id, &session, loaded.version).await;
        }
        let shown_family = match (session.family_id, scene) {
            (Some(id), Some(scene)) if id == scene.family.id => Some(scene.family),
            (Some(id), _) => Some(services.family_info(id).await?),
            (None, _) => None,
        };
        let messages_queued_alerts = messages.iter().any(|m| match m {
            Msg::DoseLogged { alerted, .. } => !alerted.is_empty(),
            Msg::GuardiansTold { names } => !names.is_empty(),
            // A caregiver's medication asks the guardians; a decision tells the caregiver.
            Msg::MedicationAdded { pending, .. } => *pending,
            Msg::MedicationDecided { caregiver_told, .. } => caregiver_told.is_some(),
            // The end of a shift sends the guardians its handoff report.
            Msg::ClockedOut { told, .. } => !told.is_empty(),
            _ => false,
        });
        // "language es" is answered in the language just chosen.
        let locale = if messages.contains(&Msg::LanguageSet) {
            Locale::from_tag(&services.person_locale(person_id).await?)
        } else {
            locale
        };
        let mut turn = self.finish(messages, shown_family.as_ref(), locale, person_id);
        turn.changed_record = changed_record;
        turn.alerts_queued = messages_queued_alerts;
        turn.model_wait = model_wait;
        if let Some(family) = &shown_family {
            self.prepend_alerts(&mut turn, family, &actor, locale).await;
        }
        Ok(turn)
    }

    /// The brain's reading of a message. A model is asked only with the family's consent and
    /// budget, and with every name in the family hidden from it; the tokens it used are metered.
    async fn think(
        &self,
        text: &str,
        scene: &Scene,
        locale: Locale,
        awaiting_answer: bool,
    ) -> Thought {
        let services = &self.services;
        let names: Vec<String> = scene.children.iter().map(|(_, n)| n.clone()).collect();
        let children = names.as_slice();
        let family_id = scene.family.id;
        let day = scene.now.with_timezone(&scene.family.timezone).date_naive();
        let mut allowance = Allowance::default();
        let mut others: Vec<String> = Vec::new();
        if self.brain.uses_model() && !awaiting_answer {
            let read = async {
                let allowance = services
                    .assistant_allowance(family_id, day, self.daily_token_budget)
                    .await?;
                let names = services.names_for_hiding(family_id, children).await?;
                Ok::<_, ServiceError>((allowance, names))
            };
            match read.await {
                Ok((read_allowance, names)) => {
                    allowance = read_allowance;
                    others = names;
                }
                // Without the names to hide, nothing goes to the model: the rules answer.
                Err(error) => tracing::warn!(%error, "assistant allowance unreadable"),
            }
        }
        let thought = self
            .brain
            .think(BrainTurn {
                text,
                role: scene.role,
                children,
                members: &others,
                now: scene.now,
                timezone: scene.family.timezone,
                locale,
                awaiting_answer,
                allowance,
            })
            .await;
        if thought.tokens_used > 0 {
            if let Err(error) = services
                .meter_assistant(family_id, day, thought.tokens_used)
                .await
            {
                tracing::warn!(%error, "assistant usage not metered");
            }
        }
        thought
    }

    /// A note written in Spanish, with a model the family agreed to, is kept with its English
    /// beside it, so a guardian who reads English reads it too. Without a translation (no model,
    /// no consent, no budget, a failure) the note is kept as written.
    async fn with_translation(&self, task: Task, scene: &Scene, locale: Locale) -> Task {
        let Task::AddNote { child_id, text } = task else {
            return task;
        };
        if locale != Locale::Es || !self.brain.uses_model() {
            return Task::AddNote { child_id, text };
        }
        let services = &self.services;
        let family_id = scene.family.id;
        let day = scene.now.with_timezone(&scene.family.timezone).date_naive();
        let allowed = services
            .assistant_allowance(family_id, day, self.daily_token_budget)
            .await
            .is_ok_and(|a| a.consented && a.tokens_left > 0);
        // The aliases of the turn: the children this person sees, the other names as members.
        let children: Vec<String> = scene.children.iter().map(|(_, n)| n.clone()).collect();
        let names = services.names_for_hiding(family_id, &children).await;
        let (true, Ok(members)) = (allowed, names) else {
            return Task::AddNote { child_id, text };
        };
        let translated = self
            .brain
            .translate(Translation {
                text: &text,
                children: &children,
                members: &members,
            })
            .await;
        match translated {
            Some((english, tokens)) => {
                if let Err(error) = services.meter_assistant(family_id, day, tokens).await {
                    tracing::warn!(%error, "assistant usage not metered");
                }
                Task::AddNote {
                    child_id,
                    // The model's words are cleaned like a person's.
                    text: format!("{text}\n(English: {})", text::clean(&english)),
                }
            }
            None => Task::AddNote { child_id, text },
        }
    }

    async fn save(&self, key: &str, person_id: i64, session: &Session, version: i64) {
        if let Err(error) = self.store.save(key, person_id, session, version).await {
            // A lost race only loses a pending question, which the person can ask again.
            tracing::warn!(%error, "conversation state not saved");
        }
    }

    fn finish(
        &self,
        messages: Vec<Msg>,
        family: Option<&FamilyInfo>,
        locale: Locale,
        person_id: i64,
    ) -> Turn {
        let ctx = self.render_context(family, locale);
        Turn {
            replies: messages.iter().map(|m| render(m, &ctx)).collect(),
            person_id: Some(person_id),
            family_id: family.map(|f| f.id),
            changed_record: false,
            alerts_queued: false,
            model_wait: std::time::Duration::ZERO,
        }
    }

    /// Alerts waiting for this person in this family are shown first (the console's way of delivering
    /// them; Slack and WhatsApp will also push them).
    async fn prepend_alerts(
        &self,
        turn: &mut Turn,
        family: &FamilyInfo,
        actor: &Actor,
        locale: Locale,
    ) {
        let alerts = match self.services.take_alerts(actor, family.id).await {
            Ok(alerts) => alerts,
            Err(error) => {
                tracing::warn!(%error, "alerts not delivered");
                return;
            }
        };
        let ctx = self.render_context(Some(family), locale);
        let mut shown: Vec<Reply> = alerts
            .into_iter()
            .map(|alert| render(&Msg::Alert(alert), &ctx))
            .collect();
        shown.append(&mut turn.replies);
        turn.replies = shown;
    }
}

/// Where the channel says the sender is: a Slack user's own time zone is taken; a WhatsApp
/// number's country is only suggested (a nanny's phone may be from the country she left).
fn place_hint(inbound: &Inbound) -> Option<PlaceHint> {
    if let Some(place) = inbound
        .timezone
        .as_deref()
        .and_then(crate::domain::zone_named)
        .and_then(Place::of_zone)
    {
        return Some(PlaceHint::Known(place));
    }
    match inbound.identity {
        IdentityKind::Whatsapp => Country::of_phone(&inbound.external_id)
            .and_then(Place::in_country)
            .map(PlaceHint::Suggested),
        IdentityKind::Slack | IdentityKind::Console => None,
    }
}

/// Emergency advice when the family (and so the country) is unknown.
pub(super) fn emergency_unknown_country(flag: RedFlag) -> Msg {
    Msg::Emergency {
        flag,
        numbers: None,
    }
}
