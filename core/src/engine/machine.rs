//! The conversation state machine, as a pure function: `step(state, event, context)` returns the next
//! state and the effects to run. It does no I/O, so every transition is table-tested without a
//! database or a network; the runner in `engine/mod.rs` performs the effects and feeds their results
//! back in as events.

// A refusal here *is* the message to say; boxing it would only add noise on a path that runs once per turn.
#![allow(clippy::result_large_err)]

use chrono::{DateTime, Duration, LocalResult, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::command::{parse, Command, GrowthKind, Invitee, RecordKind, SaidTime, Vocabulary};
use super::forms::{self, Form, FormContext, FormKind, Outcome, Question};
use super::new_family::{self, FamilyDraft, PlaceHint};
use super::routing;
use crate::assistant::Words;
use crate::auth::Permission;
use crate::domain::{Country, DoseAmount, EmergencyNumbers, Place, Role, Temperature};
use crate::messages::Msg;
use crate::screen::RedFlag;
use crate::services::care::{CourseChange, DoseRequest, RecordItem};

mod commands;
#[cfg(test)]
mod tests;

use commands::command_effects;

/// How long a yes/no question stays open: an old "yes" must never log a dose.
pub const QUESTION_TTL_MINUTES: i64 = 15;

/// Where a conversation stands. Persisted as tagged JSON with a schema version (see `store`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConversationState {
    #[default]
    Idle,
    /// A dose broke a rule; waiting for "yes, it was really given" or "no".
    ConfirmExtraDose {
        request: DoseRequest,
        asked_at: DateTime<Utc>,
    },
    /// A guardian's dose could not be checked; waiting for "yes, log it without the check" or "no".
    ConfirmUncheckedDose {
        request: DoseRequest,
        asked_at: DateTime<Utc>,
    },
    /// The medication named matches several of the child's; waiting for a number.
    ChooseMedication {
        child_id: i64,
        options: Vec<(i64, String)>,
        /// The dose to log once chosen; `None` when the question was "when can ... have ...?".
        dose: Option<PendingDose>,
        asked_at: DateTime<Utc>,
    },
    /// The person belongs to several families; waiting for a number.
    ChooseFamily { options: Vec<(i64, String)> },
    /// A form is being filled in: `asked` is the question waiting for an answer, `None` once the
    /// summary was shown and a "yes" saves it.
    Collecting {
        form: Form,
        asked: Option<Question>,
        asked_at: DateTime<Utc>,
    },
    /// A change that is hard to take back (stopping a course, revoking a member) was asked for;
    /// waiting for "yes".
    ConfirmChange {
        change: Confirmable,
        asked_at: DateTime<Utc>,
    },
    /// A family is being created: its name or where it lives was asked (see `new_family`).
    NewFamily {
        draft: FamilyDraft,
        asked_at: DateTime<Utc>,
    },
}

/// A change made only after a "yes", with everything needed to make it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Confirmable {
    StopMedication {
        child_id: i64,
        medication_id: i64,
    },
    RevokeMember {
        member_id: i64,
    },
    /// Take a child out of active care.
    ChildLeavesCare {
        child_id: i64,
        name: String,
    },
    /// Open the medication form for a medicine a guardian reported a dose of and that is not on
    /// file (asked first: a slip of the keyboard must not open a form).
    AddMedication {
        child: String,
        name: String,
    },
    /// Remove an entry of the record, as the question showed it.
    RemoveRecord {
        child: Option<String>,
        item: Box<RecordItem>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingDose {
    pub amount: DoseAmount,
    pub at: Option<DateTime<Utc>>,
}

/// Which medication a task is about: as the person named it, or chosen by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MedicationRef {
    Named(String),
    Id(i64),
}

/// Work for the runner: each is one service call (or a few), whose result comes back as an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    ListChildren,
    ListMedications {
        child_id: Option<i64>,
    },
    ListAllergies {
        child_id: Option<i64>,
    },
    LogDose {
        child_id: i64,
        medication: MedicationRef,
        amount: DoseAmount,
        at: Option<DateTime<Utc>>,
    },
    /// Log a dose the person confirmed: an extra dose (`confirmed_extra`) or, for a guardian, one
    /// the check could not be done for (`override_unchecked`).
    ConfirmExtraDose(DoseRequest),
    CheckDose {
        child_id: i64,
        medication: MedicationRef,
    },
    LastDoses {
        child_id: Option<i64>,
    },
    LogTemperature {
        child_id: i64,
        temperature: Temperature,
        at: Option<DateTime<Utc>>,
    },
    AddNote {
        child_id: i64,
        text: String,
    },
    LogGrowth {
        child_id: i64,
        kind: GrowthKind,
        value: f64,
    },
    Notes {
        child_id: i64,
    },
    Undo,
    ClockIn,
    /// End the shift (now, or at the time said) and send the guardians the handoff report.
    ClockOut {
        at: Option<DateTime<Utc>>,
        words: Option<String>,
    },
    /// A nanny command: profile, schedule, hours, payroll week (see `engine::nanny`).
    Nanny(super::command::NannyCommand),
    Invite {
        role: Role,
        to: Option<Invitee>,
    },
    /// Send a link code to this phone (as typed).
    LinkPhone {
        phone: String,
    },
    /// A link code, repeated by the person who asked for it.
    ConfirmLink {
        code: String,
    },
    Export,
    /// Give or withdraw the family's consent to the assistant's model.
    AssistantConsent {
        on: bool,
    },
    /// The speaker's language, as asked ("es", "español").
    SetLanguage {
        asked: String,
    },
    /// Save a form the person confirmed (a child, a medication, an allergy).
    SaveForm(Form),
    /// Approve or deny a medication a caregiver added: the one `which` names ("#12", "Leo's
    /// Motrin"), or the only one waiting.
    DecideMedication {
        approve: bool,
        which: Option<String>,
    },
    /// Stop, pause or resume the medication a guardian named (stopping asks first).
    ChangeCourse {
        child_id: Option<i64>,
        medication: String,
        change: CourseChange,
    },
    ListMembers,
    /// Give a caregiver children to look after, or take them off their list.
    Assign {
        member: String,
        child_ids: Vec<i64>,
        assign: bool,
    },
    SetRole {
        member: String,
        role: Role,
    },
    /// Find the member and ask before revoking.
    Revoke {
        member: String,
    },
    /// Make a change the person said yes to.
    Confirmed(Confirmable),
    RenameChild {
        child_id: i64,
        name: String,
    },
    /// Bring a child back into active care (found among those out of care by name).
    ReturnToCare {
        name: String,
    },
    /// Find the medication named and open its rules, changed as said, for a yes.
    EditMedication {
        child_id: Option<i64>,
        medication: String,
        change: String,
    },
    /// One of the record's lists, for a child (all children when `None`; providers are the
    /// family's).
    ListRecords {
        kind: RecordKind,
        child_id: Option<i64>,
    },
    /// Find the entry a guardian named and ask before removing it.
    RemoveRecord {
        kind: Option<RecordKind>,
        child_id: Option<i64>,
        which: String,
    },
    /// *Given* on a dose reminder: logged as [`Task::LogDose`] is (the safety check, a question
    /// when too early).
    ReminderGiven {
        id: Option<i64>,
    },
    ReminderSkip {
        id: Option<i64>,
        reason: String,
    },
    PauseReminders {
        child_id: i64,
        pause: bool,
    },
    SummaryAt {
        at: chrono::NaiveTime,
    },
    QuietHours {
        starts: chrono::NaiveTime,
        ends: chrono::NaiveTime,
    },
    /// Alert the guardians and audit: someone reported an emergency.
    RaiseEmergency {
        flag: RedFlag,
        child_id: Option<i64>,
    },
    /// Join the family whose invite code this is (a first family or another one).
    JoinFamily {
        code: String,
    },
    /// Create a family, with the speaker as its first guardian, where it lives.
    CreateFamily {
        name: String,
        place: Place,
    },
    /// Refused before any call (guardians only): audited as the call would be, then `reply` said.
    Refused {
        permission: Permission,
        child_id: Option<i64>,
        reply: Msg,
    },
    /// Where the family lives, said by a guardian: its time zone, and its country when said.
    SetFamilyPlace {
        country: Option<Country>,
        timezone: chrono_tz::Tz,
    },
}

impl Task {
    /// Whether running the task may change the family's record (channels refresh dashboards).
    pub fn changes_record(&self) -> bool {
        matches!(
            self,
            Task::LogDose { .. }
                | Task::ReminderGiven { .. }
                | Task::ConfirmExtraDose(_)
                | Task::LogTemperature { .. }
                | Task::AddNote { .. }
                | Task::LogGrowth { .. }
                | Task::SaveForm(_)
                | Task::DecideMedication { .. }
                | Task::ChangeCourse { .. }
                | Task::Assign { .. }
                | Task::SetRole { .. }
                | Task::Confirmed(_)
                | Task::RenameChild { .. }
                | Task::ReturnToCare { .. }
                | Task::Undo
                | Task::ClockIn
                | Task::ClockOut { .. }
                | Task::Nanny(_)
                // Not the record, but which one the person sees: dashboards change too.
                | Task::JoinFamily { .. }
                | Task::CreateFamily { .. }
                | Task::SetFamilyPlace { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Say(Msg),
    Run(Task),
    /// Work in this family from now on (the runner keeps it with the conversation).
    UseFamily {
        family_id: i64,
    },
}

/// What came back from a task.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskResult {
    Answered(Vec<Msg>),
    NeedsConfirmation {
        request: DoseRequest,
        question: Msg,
    },
    /// The check cannot be done and the person is a guardian: ask whether to log it unchecked.
    NeedsOverride {
        request: DoseRequest,
        question: Msg,
    },
    MedicationAmbiguous {
        child_id: i64,
        child_name: String,
        options: Vec<(i64, String)>,
        dose: Option<PendingDose>,
    },
    /// Ask before making a change that is hard to take back.
    NeedsYes {
        change: Confirmable,
        question: Msg,
    },
    /// A record's current values in a form, with the change said at once ("dose to 7.5 ml"): the
    /// form reads the change and shows the summary.
    Edit {
        form: Box<Form>,
        change: String,
    },
    /// The person joined a family with an invite (or, on WhatsApp, the invite sent to their number).
    Joined {
        family_id: i64,
        family: String,
        role: Role,
    },
    /// A guardian reported a dose of a medicine the child does not have on file: nothing is
    /// logged, and they are asked whether to add it (the form then opens with the child and the
    /// name said).
    OfferMedication {
        child: String,
        asked: String,
    },
    /// The person created a family and is its guardian.
    FamilyCreated {
        family_id: i64,
        name: String,
        place: Place,
    },
}

// A few are made per turn and moved once: boxing a task's result would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The red-flag screen fired on the message (it is then never parsed).
    Emergency {
        flag: RedFlag,
        /// The child the message named, if it named exactly one.
        child_id: Option<i64>,
    },
    Said(Command),
    /// A message while a form waits for an answer: the form reads the text itself.
    Answer(String),
    /// A whole form filled at once and checked by the channel (a Slack modal): saved as a form
    /// confirmed in chat is, whatever the conversation was waiting for (that stays as it was).
    Submitted(Box<Form>),
    Done(TaskResult),
    /// The assistant's own words (a model's answer to what the record does not hold), checked.
    Assistant(Words),
}

/// What the pure machine may know about the world for this turn.
#[derive(Debug, Clone)]
pub struct Context {
    pub now: DateTime<Utc>,
    pub timezone: chrono_tz::Tz,
    /// The numbers to call where the family lives; `None` outside a family (the country is not
    /// known).
    pub emergency: Option<EmergencyNumbers>,
    /// The children this person can see: (id, name).
    pub children: Vec<(i64, String)>,
    /// How the family writes dates: "03/04/2022" is 3 April (day first) everywhere but the US.
    pub day_first: bool,
    /// The person's role in the family: a form they could never save is not started. (The
    /// services still authorize the write; this only spares a caregiver six questions.)
    pub role: Role,
    /// The person's families (id, name), in the order they are listed to choose from.
    pub families: Vec<(i64, String)>,
    /// The family this turn is in: `None` until there is one (someone new, or in several
    /// families with none chosen yet). Outside a family only joining, creating and choosing one
    /// are possible (see `routing`).
    pub family_id: Option<i64>,
    /// A model is configured: a new family is asked for its consent to it.
    pub asks_consent: bool,
    /// Where the channel says the speaker is, for a family they create (see `new_family`).
    pub place_hint: Option<PlaceHint>,
}

impl Context {
    /// A turn outside any family: no children, no role, no time zone of its own.
    pub fn outside_family(
        now: DateTime<Utc>,
        families: Vec<(i64, String)>,
        asks_consent: bool,
    ) -> Self {
        Self {
            now,
            timezone: chrono_tz::UTC,
            emergency: None,
            children: Vec::new(),
            day_first: true,
            role: Role::Viewer,
            families,
            family_id: None,
            asks_consent,
            place_hint: None,
        }
    }

    /// Where the channel says the speaker is.
    pub fn with_place_hint(mut self, hint: Option<PlaceHint>) -> Self {
        self.place_hint = hint;
        self
    }

    fn forms(&self) -> FormContext<'_> {
        FormContext {
            today: self.now.with_timezone(&self.timezone).date_naive(),
            day_first: self.day_first,
            children: &self.children,
        }
    }
}

type Transition = (ConversationState, Vec<Effect>);

/// One step of the conversation.
pub fn step(state: &ConversationState, event: Event, ctx: &Context) -> Transition {
    use ConversationState as S;
    match (state, event) {
        // A red flag is answered at once, whatever was pending: the answer first, then the
        // guardians are alerted (a failure to alert never holds the answer back).
        (_, Event::Emergency { flag, child_id }) => {
            let answer = Effect::Say(Msg::Emergency {
                flag: flag.clone(),
                numbers: ctx.emergency,
            });
            match ctx.family_id {
                Some(_) => (
                    S::Idle,
                    vec![answer, Effect::Run(Task::RaiseEmergency { flag, child_id })],
                ),
                // No family, nobody to alert: the answer is all there is to give.
                None => (state.clone(), vec![answer]),
            }
        }
        (_, Event::Done(result)) => task_done(state, result, ctx),
        (_, event) if ctx.family_id.is_none() => routing::outside_family(state, event, ctx),
        // Words change nothing: the conversation stays where it was.
        (_, Event::Assistant(words)) => (
            state.clone(),
            vec![Effect::Say(match words {
                Words::Said(text) => Msg::AssistantSaid { text },
                Words::NoDoses => Msg::NoDoseAdvice,
            })],
        ),
        (_, Event::Submitted(form)) => {
            let allowed = match (form.kind(), ctx.role) {
                (_, Role::Guardian) | (FormKind::Medication, Role::Caregiver) => true,
                (_, Role::Caregiver | Role::Viewer) => false,
            };
            let effect = if allowed {
                Effect::Run(Task::SaveForm(*form))
            } else {
                Effect::Run(Task::Refused {
                    permission: form.kind().permission(),
                    child_id: None,
                    reply: Msg::GuardiansOnly,
                })
            };
            (state.clone(), vec![effect])
        }

        (
            S::Collecting {
                form,
                asked,
                asked_at,
            },
            Event::Answer(text),
        ) => {
            // A form left half-filled expires like any question: the message is then read as new.
            if ctx.now - *asked_at > Duration::minutes(QUESTION_TTL_MINUTES) {
                let names: Vec<String> = ctx.children.iter().map(|(_, n)| n.clone()).collect();
                let command = parse(&text, &Vocabulary { children: &names });
                let (next, mut effects) = command_effects(command, ctx);
                effects.insert(0, Effect::Say(Msg::FormExpired { kind: form.kind() }));
                return (next, effects);
            }
            form_outcome(forms::answer(form, *asked, &text, &ctx.forms()), ctx)
        }
        (S::NewFamily { draft, asked_at }, Event::Answer(text)) => {
            new_family::answer(draft, *asked_at, &text, ctx)
        }
        // Only a form reads raw answers; anywhere else the text is a command like any other.
        (_, Event::Answer(text)) => {
            let names: Vec<String> = ctx.children.iter().map(|(_, n)| n.clone()).collect();
            let command = parse(&text, &Vocabulary { children: &names });
            step(state, Event::Said(command), ctx)
        }

        (
            S::ConfirmExtraDose { request, asked_at },
            Event::Said(Command::Yes | Command::Choose(1)),
        ) => confirm_dose(
            *asked_at,
            ctx,
            DoseRequest {
                confirmed_extra: true,
                ..request.clone()
            },
        ),
        (S::ConfirmExtraDose { .. }, Event::Said(Command::No | Command::Choose(2))) => {
            (S::Idle, vec![Effect::Say(Msg::ExtraDoseNotLogged)])
        }
        // The same 15 minutes: an old "yes" must never log a dose, least of all an unchecked one.
        (
            S::ConfirmUncheckedDose { request, asked_at },
            Event::Said(Command::Yes | Command::Choose(1)),
        ) => confirm_dose(
            *asked_at,
            ctx,
            DoseRequest {
                override_unchecked: true,
                ..request.clone()
            },
        ),
        (S::ConfirmUncheckedDose { .. }, Event::Said(Command::No | Command::Choose(2))) => {
            (S::Idle, vec![Effect::Say(Msg::ExtraDoseNotLogged)])
        }
        (
            S::ChooseMedication {
                child_id,
                options,
                dose,
                asked_at,
            },
            Event::Said(Command::Choose(n)),
        ) => {
            if ctx.now - *asked_at > Duration::minutes(QUESTION_TTL_MINUTES) {
                return (S::Idle, vec![Effect::Say(Msg::QuestionExpired)]);
            }
            match options.get(n.wrapping_sub(1)) {
                Some((medication_id, _)) => {
                    let medication = MedicationRef::Id(*medication_id);
                    let task = match dose {
                        Some(d) => Task::LogDose {
                            child_id: *child_id,
                            medication,
                            amount: d.amount,
                            at: d.at,
                        },
                        None => Task::CheckDose {
                            child_id: *child_id,
                            medication,
                        },
                    };
                    (S::Idle, vec![Effect::Run(task)])
                }
                None => (state.clone(), vec![Effect::Say(Msg::NotUnderstood)]),
            }
        }
        // An old "yes" must not stop a medicine or revoke someone either.
        (S::ConfirmChange { change, asked_at }, Event::Said(Command::Yes | Command::Choose(1))) => {
            if ctx.now - *asked_at > Duration::minutes(QUESTION_TTL_MINUTES) {
                return say(Msg::ChangeExpired);
            }
            if let Confirmable::AddMedication { child, name } = change {
                let text = format!("for {child} {name}");
                return form_outcome(forms::start(FormKind::Medication, &text, &ctx.forms()), ctx);
            }
            run(Task::Confirmed(change.clone()))
        }
        (S::ConfirmChange { .. }, Event::Said(Command::No | Command::Choose(2))) => {
            say(Msg::NothingChanged)
        }
        (S::ChooseFamily { options }, Event::Said(Command::Choose(n))) => {
            routing::choose(state, options, n)
        }
        // Anything else while a question is open drops the question (saying so) and is handled anew.
        (
            S::ConfirmExtraDose { .. }
            | S::ConfirmUncheckedDose { .. }
            | S::ChooseMedication { .. }
            | S::Collecting { .. }
            | S::ConfirmChange { .. }
            | S::NewFamily { .. },
            Event::Said(command),
        ) => {
            let (next, mut effects) = command_effects(command, ctx);
            effects.insert(0, Effect::Say(Msg::QuestionDropped));
            (next, effects)
        }
        (S::Idle | S::ChooseFamily { .. }, Event::Said(command)) => command_effects(command, ctx),
    }
}

/// A "yes" to a dose question: the dose runs (as a new write, so without the first delivery's
/// key), unless the question is older than [`QUESTION_TTL_MINUTES`].
fn confirm_dose(asked_at: DateTime<Utc>, ctx: &Context, request: DoseRequest) -> Transition {
    if ctx.now - asked_at > Duration::minutes(QUESTION_TTL_MINUTES) {
        return (
            ConversationState::Idle,
            vec![Effect::Say(Msg::QuestionExpired)],
        );
    }
    let request = DoseRequest {
        source_key: None,
        ..request
    };
    (
        ConversationState::Idle,
        vec![Effect::Run(Task::ConfirmExtraDose(request))],
    )
}

fn task_done(state: &ConversationState, result: TaskResult, ctx: &Context) -> Transition {
    match result {
        TaskResult::Answered(messages) => (
            state.clone(),
            messages.into_iter().map(Effect::Say).collect(),
        ),
        TaskResult::NeedsConfirmation { request, question } => (
            ConversationState::ConfirmExtraDose {
                request,
                asked_at: ctx.now,
            },
            vec![Effect::Say(question)],
        ),
        TaskResult::NeedsOverride { request, question } => (
            ConversationState::ConfirmUncheckedDose {
                request,
                asked_at: ctx.now,
            },
            vec![Effect::Say(question)],
        ),
        // Only a medicine is a caregiver's to change (it then waits for a guardian).
        TaskResult::Edit { form, .. }
            if form.kind() != FormKind::Medication && ctx.role != Role::Guardian =>
        {
            refuse(form.kind().permission(), Msg::GuardiansOnly)
        }
        TaskResult::Edit { form, change } => {
            form_outcome(forms::edit(*form, &change, &ctx.forms()), ctx)
        }
        TaskResult::NeedsYes { change, question } => (
            ConversationState::ConfirmChange {
                change,
                asked_at: ctx.now,
            },
            vec![Effect::Say(question)],
        ),
        TaskResult::Joined {
            family_id,
            family,
            role,
        } => (
            ConversationState::Idle,
            vec![
                Effect::UseFamily { family_id },
                Effect::Say(Msg::Joined {
                    family,
                    role: role.as_str().into(),
                }),
            ],
        ),
        TaskResult::FamilyCreated {
            family_id,
            name,
            place,
        } => new_family::created(family_id, name, place, ctx),
        TaskResult::OfferMedication { child, asked } => (
            ConversationState::ConfirmChange {
                change: Confirmable::AddMedication {
                    child: child.clone(),
                    name: asked.clone(),
                },
                asked_at: ctx.now,
            },
            vec![Effect::Say(Msg::AddMedicationFirst { child, asked })],
        ),
        TaskResult::MedicationAmbiguous {
            child_id,
            child_name,
            options,
            dose,
        } => (
            ConversationState::ChooseMedication {
                child_id,
                options: options.clone(),
                dose,
                asked_at: ctx.now,
            },
            vec![Effect::Say(Msg::WhichMedication {
                child: child_name,
                options: options.into_iter().map(|(_, name)| name).collect(),
            })],
        ),
    }
}

/// A form's next step as the conversation's: ask, show the summary, save, or drop it.
fn form_outcome(outcome: Outcome, ctx: &Context) -> Transition {
    match outcome {
        Outcome::Ask {
            form,
            question,
            problem,
        } => (
            ConversationState::Collecting {
                form: form.clone(),
                asked: Some(question),
                asked_at: ctx.now,
            },
            vec![Effect::Say(Msg::FormAsk {
                form: Box::new(form),
                question,
                problem,
                children: ctx.children.iter().map(|(_, n)| n.clone()).collect(),
            })],
        ),
        Outcome::Confirm { form, problem } => (
            ConversationState::Collecting {
                form: form.clone(),
                asked: None,
                asked_at: ctx.now,
            },
            vec![Effect::Say(Msg::FormSummary {
                form: Box::new(form),
                problem,
            })],
        ),
        Outcome::Save(form) => run(Task::SaveForm(form)),
        Outcome::Cancelled => say(Msg::FormCancelled),
    }
}

fn say(msg: Msg) -> Transition {
    (ConversationState::Idle, vec![Effect::Say(msg)])
}

/// A refusal made here, before any call: audited by the runner as the call would be.
fn refuse(permission: Permission, reply: Msg) -> Transition {
    (
        ConversationState::Idle,
        vec![Effect::Run(Task::Refused {
            permission,
            child_id: None,
            reply,
        })],
    )
}

fn run(task: Task) -> Transition {
    (ConversationState::Idle, vec![Effect::Run(task)])
}

/// The child a command is about: the one named, or the only one there is.
fn resolve_child(name: Option<&str>, ctx: &Context) -> Result<i64, Msg> {
    let known: Vec<String> = ctx.children.iter().map(|(_, n)| n.clone()).collect();
    match name {
        Some(name) => ctx
            .children
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(id, _)| *id)
            .ok_or(Msg::UnknownChild {
                name: name.to_string(),
                known,
            }),
        None => match ctx.children.as_slice() {
            [] => Err(Msg::NoChildren),
            [(id, _)] => Ok(*id),
            _ => Err(Msg::WhichChild { known }),
        },
    }
}

/// A time of day someone mentioned, as an instant: today in the family's zone, or yesterday when
/// today's would be in the future ("at 11pm" said at 1am). In the repeated hour when clocks go back,
/// the later instant is taken: it makes the next allowed dose later, never earlier.
pub fn local_time_to_utc(time: NaiveTime, ctx: &Context) -> Result<DateTime<Utc>, Msg> {
    let today = ctx.now.with_timezone(&ctx.timezone).date_naive();
    let resolve =
        |date: chrono::NaiveDate| match ctx.timezone.from_local_datetime(&date.and_time(time)) {
            LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
            LocalResult::Ambiguous(_, later) => Ok(later.with_timezone(&Utc)),
            LocalResult::None => Err(Msg::NonexistentLocalTime(time.format("%H:%M").to_string())),
        };
    let at = resolve(today)?;
    if at > ctx.now + Duration::minutes(5) {
        return resolve(today - Duration::days(1));
    }
    Ok(at)
}

/// A 12-hour time said without am/pm: whichever of its two readings came last (each today, or
/// yesterday when today's is ahead). Taking the later one makes the next allowed dose later, never
/// earlier.
fn latest_of_either_half(time: NaiveTime, ctx: &Context) -> Result<DateTime<Utc>, Msg> {
    let (other, _) = time.overflowing_add_signed(Duration::hours(12));
    match (local_time_to_utc(time, ctx), local_time_to_utc(other, ctx)) {
        (Ok(a), Ok(b)) => Ok(a.max(b)),
        (Ok(at), Err(_)) | (Err(_), Ok(at)) => Ok(at),
        (Err(msg), Err(_)) => Err(msg),
    }
}
