//! The conversation engine: one for every channel.
//!
//! A channel adapter turns a platform event into an [`Inbound`], calls [`Engine::handle`], and renders
//! the channel-neutral [`Reply`]s it gets back (Block Kit, numbered plain text, terminal text). The
//! engine finds who is speaking and in which family, parses the text ([`command`]), runs the pure state
//! machine ([`machine::step`]), performs the effects it asks for through the domain services, and keeps
//! the conversation's state in a [`store::ConversationStore`].
//!
//! # Layout
//! - `command`: text → `Command` (pure).
//! - `machine`: `step(state, event, context) → (state, effects)` (pure).
//! - `forms`: the collecting state's drafts and how answers are read (pure).
//! - `store`: the storage trait for conversation state and its database implementation.
//! - `tasks`: running a task through the services; every service error becomes a message there.
//! - `save_form`, `approvals`, `keeping`, `records`: the tasks of self-service (saving a form,
//!   approving a nanny's medicine, courses, members and children, the record's lists).
//! - `photos`: a photo of a medicine's label read by the model and proposed as a medication.
//! - this file: the runner (who is speaking, in which family; load, step, run effects, save) and
//!   what channels ask besides a turn (dashboards, form setups, alerts to push).

mod approvals;
pub mod command;
pub mod forms;
mod keeping;
pub mod machine;
mod photos;
mod records;
mod save_form;
pub mod store;
mod tasks;

pub use photos::Photo;
pub use tasks::match_medication;
use tasks::msg_for_error;

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use self::command::{parse, Command, Vocabulary};
use self::machine::{step, Context, ConversationState, Effect, Event, Task};
use self::store::{ConversationStore, DbConversationStore, Session};
use crate::assistant::{Allowance, Brain, BrainTurn, Fallback, RulesBrain, Thought, Translation};
use crate::auth::Actor;
use crate::domain::{emergency_numbers, Channel, IdentityKind, Phone};
use crate::messages::{
    render, render_dashboard, DashboardText, Locale, Msg, RenderContext, Reply, Tone,
};
use crate::screen::{self, RedFlag, Screening};
use crate::services::emergency::named_child;
use crate::services::phones::LinkOutcome;
use crate::services::{FamilyInfo, ServiceError, Services};

/// What a whole form needs from the record to be shown and read at once (see
/// [`Engine::form_setup`]); a channel may keep it with the form (a modal's metadata) and read the
/// answers with [`FormSetup::read`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FormSetup {
    pub kind: forms::FormKind,
    pub children: Vec<(i64, String)>,
    pub today: chrono::NaiveDate,
    pub day_first: bool,
}

impl FormSetup {
    /// Reads the form's answers ([`forms::submit`]).
    pub fn read(
        &self,
        answers: &[(forms::Question, String)],
    ) -> Result<forms::Form, Vec<(forms::Question, forms::FieldError)>> {
        let ctx = forms::FormContext {
            today: self.today,
            day_first: self.day_first,
            children: &self.children,
        };
        forms::submit(self.kind, answers, &ctx)
    }
}

/// What a dose form shows: whose medicine, which, and its usual dose (said as the form's default).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DoseSetup {
    pub child: String,
    pub medication: String,
    pub dose: String,
}

impl DoseSetup {
    /// The dose as a message ("gave Emma 5 ml Children's Tylenol at 9:30"), once the amount and the
    /// time read; otherwise why not, for the amount's field or the time's.
    pub fn said(&self, amount: &str, at: &str) -> Result<String, (bool, forms::FieldError)> {
        let amount = amount.trim();
        let dose = forms::words::parse_dose(amount).map_err(|e| (true, e))?;
        let at = at.trim();
        let at = if at.is_empty() || at.eq_ignore_ascii_case("now") {
            String::new()
        } else {
            let time = command::parse_time(at).ok_or((false, forms::FieldError::BadTime))?;
            format!(" at {}", time.format("%H:%M"))
        };
        Ok(format!(
            "gave {} {dose} {}{at}",
            self.child, self.medication
        ))
    }
}

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
    /// A photo that came with the message (`text` is then its caption), fetched by the channel
    /// only when [`Engine::reads_photos`]: read as a medicine's label (see `photos`).
    pub photo: Option<Photo>,
}

impl Inbound {
    fn conversation_key(&self) -> String {
        format!("{}:{}", self.identity.as_str(), self.external_id)
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
    new_family: NewFamilyDefaults,
    /// Who understands a message: the rules, or a model with the rules as its fallback.
    brain: Arc<dyn Brain>,
    /// Tokens a family's turns may spend with a model a day.
    daily_token_budget: u64,
}

/// Where a family created from a chat ("create family Garcia") is, until a guardian says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFamilyDefaults {
    pub timezone: String,
    pub country: String,
}

impl Default for NewFamilyDefaults {
    fn default() -> Self {
        Self {
            timezone: "America/New_York".into(),
            country: "US".into(),
        }
    }
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
    children: Vec<(i64, String)>,
    now: DateTime<Utc>,
    delivery_key: Option<String>,
}

impl<S: ConversationStore> Engine<S> {
    pub fn new(services: Services, store: S) -> Self {
        Self {
            services,
            store,
            new_family: NewFamilyDefaults::default(),
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

    /// The time zone and country given to families created from a chat.
    pub fn with_new_family_defaults(mut self, defaults: NewFamilyDefaults) -> Self {
        self.new_family = defaults;
        self
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Handles one message and returns the replies. Never fails: an internal error becomes an apology
    /// (and a log line without the message text).
    #[tracing::instrument(skip_all, fields(channel = inbound.channel.as_str()))]
    pub async fn handle(&self, inbound: &Inbound) -> Turn {
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

    /// The dashboard for whoever speaks from this identity, in the family their conversation is in
    /// (or their only family), in their language. `None` for a stranger or someone in no family: the
    /// channel shows its welcome instead.
    pub async fn dashboard(
        &self,
        identity: IdentityKind,
        external_id: &str,
        channel: Channel,
    ) -> Result<Option<DashboardText>, ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(None);
        };
        let memberships = services.memberships(person_id).await?;
        let key = format!("{}:{external_id}", identity.as_str());
        let chosen = match self.store.load(&key).await {
            Ok(loaded) => loaded.session.family_id,
            Err(error) => {
                tracing::warn!(%error, "conversation state unreadable for the dashboard");
                None
            }
        };
        let family_id = chosen
            .filter(|id| memberships.iter().any(|m| m.family_id == *id))
            .or_else(|| memberships.first().map(|m| m.family_id));
        let Some(family_id) = family_id else {
            return Ok(None);
        };
        let actor = Actor::person(person_id, channel);
        let dashboard = match services.dashboard(&actor, family_id).await {
            Ok(dashboard) => dashboard,
            Err(ServiceError::Denied) => return Ok(None),
            Err(other) => return Err(other),
        };
        let family = services.family_info(family_id).await?;
        let locale = Locale::from_tag(&services.person_locale(person_id).await?);
        let ctx = self.render_context(Some(&family), locale);
        Ok(Some(render_dashboard(&dashboard, &ctx)))
    }

    /// What a channel needs to show a whole form at once (a Slack modal) to whoever speaks from
    /// this identity, in the family their conversation is in: the children they can see, today in
    /// the family's zone, how dates are written there. `Err(msg)`: what to say instead (they are in
    /// no family yet, or the form is a guardian's). The services authorize the save again.
    pub async fn form_setup(
        &self,
        identity: IdentityKind,
        external_id: &str,
        kind: forms::FormKind,
    ) -> Result<Result<FormSetup, Reply>, ServiceError> {
        let services = &self.services;
        let refuse = |msg: Msg| Ok(Err(self.notice(&msg)));
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return refuse(Msg::Welcome);
        };
        let memberships = services.memberships(person_id).await?;
        let key = format!("{}:{external_id}", identity.as_str());
        let chosen = match self.store.load(&key).await {
            Ok(loaded) => loaded.session.family_id,
            Err(_) => None,
        };
        let Some(membership) = chosen
            .and_then(|id| memberships.iter().find(|m| m.family_id == id))
            .or_else(|| memberships.first())
        else {
            return refuse(Msg::NoFamily);
        };
        let allowed = matches!(
            (kind, membership.role),
            (_, crate::domain::Role::Guardian)
                | (forms::FormKind::Medication, crate::domain::Role::Caregiver)
        );
        if !allowed {
            return refuse(Msg::GuardiansOnly);
        }
        let family = services.family_info(membership.family_id).await?;
        let children = services.child_roster(membership).await?;
        let needs_child = forms::fields(kind).contains(&forms::Question::Child);
        if needs_child && children.is_empty() {
            return refuse(Msg::NoChildren);
        }
        Ok(Ok(FormSetup {
            kind,
            children,
            today: services.now().with_timezone(&family.timezone).date_naive(),
            day_first: family.country != "US",
        }))
    }

    /// What a dose form needs (a Slack modal from App Home's *Give*): the child's and the
    /// medicine's names as the person knows them and its usual dose. `None` when the medicine is
    /// not one they can see now (a stale button). The dose itself is then said as a message, so the
    /// normal safety check runs.
    pub async fn dose_setup(
        &self,
        identity: IdentityKind,
        external_id: &str,
        medication_id: i64,
    ) -> Result<Option<DoseSetup>, ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(None);
        };
        let actor = Actor::person(person_id, Channel::Slack);
        for membership in services.memberships(person_id).await? {
            for (child_id, child) in services.child_roster(&membership).await? {
                let meds = match services.medications(&actor, child_id).await {
                    Ok(meds) => meds,
                    Err(ServiceError::Denied) => continue,
                    Err(other) => return Err(other),
                };
                if let Some(med) = meds.into_iter().find(|m| m.id == medication_id) {
                    return Ok(Some(DoseSetup {
                        child,
                        medication: med.name,
                        dose: med.dose.to_string(),
                    }));
                }
            }
        }
        Ok(None)
    }

    /// Alerts waiting for whoever speaks from this identity, in every family they belong to,
    /// rendered and still waiting: a channel that pushes them (Slack, WhatsApp) sends them, then calls
    /// [`Engine::alerts_delivered`]. Unsent alerts stay waiting and show with the next message.
    pub async fn pending_alerts_for(
        &self,
        identity: IdentityKind,
        external_id: &str,
        channel: Channel,
    ) -> Result<Vec<AlertsToPush>, ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(Vec::new());
        };
        let locale = Locale::from_tag(&services.person_locale(person_id).await?);
        let actor = Actor::person(person_id, channel);
        let mut out = Vec::new();
        for membership in services.memberships(person_id).await? {
            let family = services.family_info(membership.family_id).await?;
            let pending = match services.pending_alerts(&actor, family.id).await {
                Ok(pending) => pending,
                Err(ServiceError::Denied) => continue,
                Err(other) => return Err(other),
            };
            if pending.is_empty() {
                continue;
            }
            let ctx = self.render_context(Some(&family), locale);
            out.push(AlertsToPush {
                family_id: family.id,
                ids: pending.iter().map(|p| p.id).collect(),
                replies: pending
                    .into_iter()
                    .map(|p| render(&Msg::Alert(p.alert), &ctx))
                    .collect(),
            });
        }
        Ok(out)
    }

    /// Marks alerts sent by a channel as delivered.
    pub async fn alerts_delivered(
        &self,
        identity: IdentityKind,
        external_id: &str,
        channel: Channel,
        alerts: &AlertsToPush,
    ) -> Result<(), ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(());
        };
        services
            .mark_alerts_delivered(
                &Actor::person(person_id, channel),
                alerts.family_id,
                &alerts.ids,
            )
            .await
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
        let country = family.map(|f| f.country.as_str()).unwrap_or("US");
        RenderContext {
            locale,
            timezone: family.map(|f| f.timezone).unwrap_or(chrono_tz::UTC),
            country: if country.eq_ignore_ascii_case("US") {
                "US"
            } else {
                "other"
            },
            now: self.services.now(),
        }
    }

    async fn turn(&self, inbound: &Inbound) -> Result<Turn, TurnError> {
        // The red-flag screen reads the message before anything else does: before the parser, the
        // conversation state and any question that was pending (docs/architecture.md).
        let screening = Screening::new(&inbound.text);
        let red_flag = screening.verdict(&[]);
        let services = &self.services;
        let person_id = services
            .resolve_identity(inbound.identity, &inbound.external_id)
            .await?;
        let no_children: [String; 0] = [];
        let first = match &red_flag {
            Some(_) => Command::Empty,
            None => parse(
                &inbound.text,
                &Vocabulary {
                    children: &no_children,
                },
            ),
        };

        let Some(person_id) = person_id else {
            return Ok(self.stranger(inbound, first, red_flag).await?);
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

        if let Command::Join { code } = &first {
            let msg = match services.join(person_id, code, inbound.channel).await {
                Ok(membership) => {
                    session = Session {
                        family_id: Some(membership.family_id),
                        state: ConversationState::Idle,
                    };
                    Msg::Joined {
                        family: membership.family_name,
                        role: membership.role.as_str().into(),
                    }
                }
                Err(error) => msg_for_error(error),
            };
            messages.push(msg);
            self.save(&key, person_id, &session, loaded.version).await;
            let family = match session.family_id {
                Some(id) => Some(services.family_info(id).await?),
                None => None,
            };
            return Ok(self.finish(messages, family.as_ref(), locale, person_id));
        }

        if let Command::CreateFamily { name } = &first {
            let msgs = match self.create_family(person_id, inbound.channel, name).await? {
                Ok((family_id, msgs)) => {
                    session = Session {
                        family_id: Some(family_id),
                        state: ConversationState::Idle,
                    };
                    msgs
                }
                Err(msg) => vec![msg],
            };
            self.save(&key, person_id, &session, loaded.version).await;
            let family = match session.family_id {
                Some(id) => Some(services.family_info(id).await?),
                None => None,
            };
            return Ok(self.finish(msgs, family.as_ref(), locale, person_id));
        }

        let memberships = services.memberships(person_id).await?;
        let chosen = session
            .family_id
            .filter(|id| memberships.iter().any(|m| m.family_id == *id))
            .or_else(|| (memberships.len() == 1).then(|| memberships[0].family_id));
        let family_id = match chosen {
            Some(id) => id,
            None if memberships.is_empty() => {
                let msg = match red_flag {
                    Some(flag) => emergency_unknown_country(flag),
                    None => Msg::NoFamily,
                };
                return Ok(self.finish(vec![msg], None, locale, person_id));
            }
            None => {
                let options: Vec<(i64, String)> = memberships
                    .iter()
                    .map(|m| (m.family_id, m.family_name.clone()))
                    .collect();
                let choice = match (&session.state, &first) {
                    (ConversationState::ChooseFamily { options }, Command::Choose(n)) => {
                        options.get(n - 1).cloned()
                    }
                    _ => None,
                };
                match choice {
                    Some((id, name)) => {
                        session = Session {
                            family_id: Some(id),
                            state: ConversationState::Idle,
                        };
                        self.save(&key, person_id, &session, loaded.version).await;
                        let family = services.family_info(id).await?;
                        return Ok(self.finish(
                            vec![Msg::FamilyChosen { name }],
                            Some(&family),
                            locale,
                            person_id,
                        ));
                    }
                    None => {
                        let names = options.iter().map(|(_, n)| n.clone()).collect();
                        session.state = ConversationState::ChooseFamily { options };
                        self.save(&key, person_id, &session, loaded.version).await;
                        let msg = match red_flag {
                            Some(flag) => emergency_unknown_country(flag),
                            None => Msg::ChooseFamily { options: names },
                        };
                        return Ok(self.finish(vec![msg], None, locale, person_id));
                    }
                }
            }
        };
        session.family_id = Some(family_id);
        let family = services.family_info(family_id).await?;
        // The names the parser listens for. Not shown to anyone, so not a disclosure to audit: the
        // services still authorize and audit whatever the command then reads or writes.
        let membership = memberships.iter().find(|m| m.family_id == family_id);
        let role = membership
            .map(|m| m.role)
            .unwrap_or(crate::domain::Role::Viewer);
        let children: Vec<(i64, String)> = match membership {
            Some(membership) => services.child_roster(membership).await?,
            None => Vec::new(),
        };
        let now = services.now();
        let scene = Scene {
            actor,
            family: family.clone(),
            children,
            now,
            delivery_key: inbound.delivery_key.clone(),
        };
        // Birth dates and recorded allergens are read only for a message the screen could read
        // differently with them (a fever, something eaten): most messages skip the query.
        // A model may call several tools at once: the commands after the first run one by one,
        // each once the conversation is back to idle (not in the middle of a question).
        let mut later_commands: VecDeque<Command> = VecDeque::new();
        let mut model_wait = std::time::Duration::ZERO;
        let needs_facts = red_flag.is_some() || screening.needs_child_facts();
        let facts = if needs_facts {
            services.screening_facts(family_id).await?
        } else {
            Vec::new()
        };
        let red_flag =
            red_flag.or_else(|| needs_facts.then(|| screening.verdict(&facts)).flatten());
        let first_event = match red_flag {
            Some(flag) => Event::Emergency {
                child_id: named_child(&inbound.text, &facts),
                flag,
            },
            None => {
                let names: Vec<String> = scene.children.iter().map(|(_, n)| n.clone()).collect();
                match (&inbound.form, &session.state) {
                    (Some(form), _) => Event::Submitted(form.clone()),
                    (None, _) if inbound.photo.is_some() => {
                        let photo = inbound.photo.as_ref().expect("checked just above");
                        let (event, waited) = self
                            .photo_event(photo, &inbound.text, &scene, role, &mut messages)
                            .await;
                        model_wait = waited;
                        event
                    }
                    // A form reads its answers itself ("Emma" may be a name, "5 ml" a dose).
                    (None, ConversationState::Collecting { .. }) => {
                        Event::Answer(inbound.text.clone())
                    }
                    (None, state) => {
                        let awaiting_answer = !matches!(state, ConversationState::Idle);
                        let thought = self
                            .think(&inbound.text, &scene, role, locale, &names, awaiting_answer)
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
                }
            }
        };

        let context = Context {
            now,
            timezone: family.timezone,
            emergency: emergency_numbers(&family.country),
            children: scene.children.clone(),
            day_first: family.country != "US",
            role,
        };
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
                        let task = self.with_translation(task, &scene, locale).await;
                        events.push_back(Event::Done(self.run(task, &scene).await))
                    }
                    Effect::UseFamily { family_id, name } => {
                        session.family_id = Some(family_id);
                        messages.push(Msg::FamilyChosen { name });
                    }
                    Effect::PickFamily { name } => {
                        let wanted = name.map(|n| n.to_lowercase());
                        let matching: Vec<_> = memberships
                            .iter()
                            .filter(|m| {
                                wanted
                                    .as_ref()
                                    .is_none_or(|w| m.family_name.to_lowercase() == *w)
                            })
                            .collect();
                        if let ([one], Some(_)) = (matching.as_slice(), &wanted) {
                            session.family_id = Some(one.family_id);
                            messages.push(Msg::FamilyChosen {
                                name: one.family_name.clone(),
                            });
                        } else {
                            let options: Vec<(i64, String)> = memberships
                                .iter()
                                .map(|m| (m.family_id, m.family_name.clone()))
                                .collect();
                            messages.push(Msg::ChooseFamily {
                                options: options.iter().map(|(_, n)| n.clone()).collect(),
                            });
                            state = ConversationState::ChooseFamily { options };
                        }
                    }
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
        let shown_family = match session.family_id {
            Some(id) if id != family.id => services.family_info(id).await?,
            _ => family,
        };
        let messages_queued_alerts = messages.iter().any(|m| match m {
            Msg::DoseLogged { alerted, .. } => !alerted.is_empty(),
            Msg::GuardiansTold { names } => !names.is_empty(),
            // A caregiver's medication asks the guardians; a decision tells the caregiver.
            Msg::MedicationAdded { pending, .. } => *pending,
            Msg::MedicationDecided { caregiver_told, .. } => caregiver_told.is_some(),
            _ => false,
        });
        // "language es" is answered in the language just chosen.
        let locale = if messages.contains(&Msg::LanguageSet) {
            Locale::from_tag(&services.person_locale(person_id).await?)
        } else {
            locale
        };
        let mut turn = self.finish(messages, Some(&shown_family), locale, person_id);
        turn.changed_record = changed_record;
        turn.alerts_queued = messages_queued_alerts;
        turn.model_wait = model_wait;
        self.prepend_alerts(&mut turn, &shown_family, &scene.actor, locale)
            .await;
        Ok(turn)
    }

    /// Someone the engine does not know: welcome them, or let them join with a code.
    async fn stranger(
        &self,
        inbound: &Inbound,
        command: Command,
        red_flag: Option<RedFlag>,
    ) -> Result<Turn, ServiceError> {
        let services = &self.services;
        if let Some(flag) = red_flag {
            // Nobody to alert and no family to audit in: the answer is all there is to give.
            let ctx = self.render_context(None, Locale::En);
            return Ok(Turn {
                replies: vec![render(&emergency_unknown_country(flag), &ctx)],
                ..Turn::default()
            });
        }
        if inbound.channel == Channel::Whatsapp {
            return self.stranger_on_whatsapp(inbound, command).await;
        }
        let msg = match command {
            Command::CreateFamily { name } => {
                let person_id = self.new_person(inbound).await?;
                match self
                    .create_family(person_id, inbound.channel, &name)
                    .await?
                {
                    Ok((family_id, msgs)) => {
                        let family = services.family_info(family_id).await?;
                        return Ok(self.finish(msgs, Some(&family), Locale::En, person_id));
                    }
                    Err(msg) => msg,
                }
            }
            Command::Join { code } => match self.join_as_new_person(inbound, &code).await? {
                Ok(turn) => return Ok(turn),
                Err(msg) => msg,
            },
            _ => Msg::Welcome,
        };
        let ctx = self.render_context(None, Locale::En);
        Ok(Turn {
            replies: vec![render(&msg, &ctx)],
            person_id: None,
            family_id: None,
            changed_record: false,
            alerts_queued: false,
            model_wait: std::time::Duration::ZERO,
        })
    }

    /// A WhatsApp number nobody has linked: it may join by an invite sent to it (JOIN) or by a code,
    /// or repeat a link code sent to it; anything else gets one short answer that says nothing
    /// about any family (a number is easy to guess, a family's existence is not to be learnt).
    async fn stranger_on_whatsapp(
        &self,
        inbound: &Inbound,
        command: Command,
    ) -> Result<Turn, ServiceError> {
        let services = &self.services;
        let phone = Phone::from_e164(inbound.external_id.clone());
        let msg = match command {
            Command::Join { code } if code.trim().is_empty() => {
                match services
                    .join_by_phone(&phone, inbound.display_name.as_deref())
                    .await?
                {
                    Some((person_id, membership)) => {
                        return self.joined(person_id, membership).await;
                    }
                    None => Msg::UnknownNumber,
                }
            }
            Command::Join { code } => match self.join_as_new_person(inbound, &code).await? {
                Ok(turn) => return Ok(turn),
                Err(msg) => msg,
            },
            Command::LinkCode { code } => {
                match services.confirm_phone_link(Some(&phone), None, &code).await {
                    Ok(LinkOutcome::Linked { person_id, phone }) => {
                        let msg = Msg::PhoneLinked {
                            phone: phone.to_string(),
                        };
                        return Ok(self.finish(vec![msg], None, Locale::En, person_id));
                    }
                    Ok(LinkOutcome::NoneWaiting) => Msg::UnknownNumber,
                    Err(error) => msg_for_error(error),
                }
            }
            _ => Msg::UnknownNumber,
        };
        let ctx = self.render_context(None, Locale::En);
        Ok(Turn {
            replies: vec![render(&msg, &ctx)],
            ..Turn::default()
        })
    }

    /// "join <code>" from someone the engine has just met: a person for them and the membership,
    /// or why not.
    async fn join_as_new_person(
        &self,
        inbound: &Inbound,
        code: &str,
    ) -> Result<Result<Turn, Msg>, ServiceError> {
        let person_id = self.new_person(inbound).await?;
        match self.services.join(person_id, code, inbound.channel).await {
            Ok(membership) => Ok(Ok(self.joined(person_id, membership).await?)),
            Err(error) => Ok(Err(msg_for_error(error))),
        }
    }

    /// The welcome of a new member, in their family.
    async fn joined(
        &self,
        person_id: i64,
        membership: crate::services::family::Membership,
    ) -> Result<Turn, ServiceError> {
        let family = self.services.family_info(membership.family_id).await?;
        let msg = Msg::Joined {
            family: membership.family_name,
            role: membership.role.as_str().into(),
        };
        let locale = Locale::from_tag(&self.services.person_locale(person_id).await?);
        Ok(self.finish(vec![msg], Some(&family), locale, person_id))
    }

    /// A person for someone the engine has just met, linked to the identity they spoke from.
    async fn new_person(&self, inbound: &Inbound) -> Result<i64, ServiceError> {
        let name = inbound
            .display_name
            .clone()
            .unwrap_or_else(|| inbound.external_id.clone());
        let language = Locale::from_tag(inbound.locale.as_deref().unwrap_or("en")).tag();
        let person_id = self.services.create_person(&name, language).await?;
        self.services
            .link_identity(person_id, inbound.identity, &inbound.external_id, true)
            .await?;
        Ok(person_id)
    }

    /// "create family <name>": `Ok((family_id, messages))`, or `Err(message)` for a refusal. With a
    /// model configured, the new guardian is asked for the family's consent to it.
    async fn create_family(
        &self,
        person_id: i64,
        channel: Channel,
        name: &str,
    ) -> Result<Result<(i64, Vec<Msg>), Msg>, ServiceError> {
        let actor = Actor::person(person_id, channel);
        let created = self
            .services
            .create_family(
                &actor,
                name,
                &self.new_family.timezone,
                &self.new_family.country,
            )
            .await;
        Ok(match created {
            Ok(family_id) => {
                let mut msgs = vec![Msg::FamilyCreated {
                    name: name.trim().to_string(),
                }];
                if self.uses_model() {
                    msgs.push(Msg::AssistantConsentQuestion);
                }
                Ok((family_id, msgs))
            }
            Err(ServiceError::Invalid(problem)) => Err(Msg::Problem(problem)),
            Err(other) => return Err(other),
        })
    }

    /// The brain's reading of a message. A model is asked only with the family's consent and
    /// budget, and with every name in the family hidden from it; the tokens it used are metered.
    async fn think(
        &self,
        text: &str,
        scene: &Scene,
        role: crate::domain::Role,
        locale: Locale,
        children: &[String],
        awaiting_answer: bool,
    ) -> Thought {
        let services = &self.services;
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
                role,
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
                    text: format!("{text}\n(English: {english})"),
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

/// Emergency advice when the family (and so the country) is unknown.
fn emergency_unknown_country(flag: RedFlag) -> Msg {
    Msg::Emergency {
        flag,
        numbers: None,
    }
}
