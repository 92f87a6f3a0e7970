//! The message catalogue: every sentence a person reads, keyed by locale.
//!
//! The engine speaks in [`Msg`] values (what to say, with its data); [`render`] turns one into text in
//! the reader's language, with times in the family's time zone. A language is a module with the
//! same `match` as `en` (as `es` is), and nothing in the engine or the services changes.
//!
//! # Layout
//! - `en`: English.
//! - `locale`: the languages, and how a stored language tag chooses one.
//! - `quote`: what a member wrote, inside a sentence: under their name, marked for channels to
//!   show inert ([`Reply::quoted`]).
//! - `es`: Spanish, the same functions and submodules as `en`, plus `es/format.rs` (Spanish day
//!   and month names, the decimal comma) and `es/children.rs` (arms `en.rs` keeps inline).

mod en;
mod es;
mod locale;
mod quote;

pub use locale::Locale;
pub use quote::Quoted;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    ingredient_display, AmountError, DoseAmount, MemberStatus, Place, Role, Schedule,
    TemperatureError,
};
use crate::engine::command::RecordKind;
use crate::engine::forms::{FieldError, Form, FormKind, Question};
use crate::screen::{EmergencyNumbers, RedFlag};
use crate::services::care::{Alert, CourseChange, FeverAdvice, RecordItem};
use crate::services::dashboard::Dashboard;
use crate::services::Problem;

/// How a reply should look: channels map this to colour, emoji or emphasis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Urgent,
    Error,
}

/// One line about a dose, as the catalogue shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseLine {
    pub child: String,
    pub medication: String,
    pub amount: DoseAmount,
    pub at: DateTime<Utc>,
    /// Who gave it; `None` once that member was erased.
    pub by: Option<String>,
    pub flagged: bool,
}

impl From<&crate::services::care::DoseView> for DoseLine {
    fn from(d: &crate::services::care::DoseView) -> Self {
        Self {
            child: d.child_name.clone(),
            medication: d.medication_name.clone(),
            amount: d.amount,
            at: d.given_at,
            by: d.given_by.clone(),
            flagged: d.flagged,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedicationLine {
    pub name: String,
    pub dose: DoseAmount,
    /// "acetaminophen 160 mg/5 ml"
    pub strength: String,
    pub schedule: ScheduleText,
    pub max_doses_per_day: Option<u32>,
    /// Added by a caregiver and not yet approved by a guardian (no dose until then).
    #[serde(default)]
    pub awaiting_approval: bool,
}

impl MedicationLine {
    /// A medication as the catalogue lists it, its ingredients named as the family's country does.
    pub fn of(m: &crate::services::care::MedicationView, country: &str) -> Self {
        let strength = m
            .ingredients
            .iter()
            .map(|s| {
                format!(
                    "{} {} mg/{}",
                    ingredient_display(&s.ingredient, country),
                    crate::domain::format_number(s.mg),
                    DoseAmount {
                        value: s.per_amount,
                        unit: s.per_unit
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(" + ")
            .replace("/1 ml", "/ml")
            .replace("/1 tablet", "/tablet");
        Self {
            name: m.name.clone(),
            dose: m.dose,
            strength,
            schedule: match &m.schedule {
                Schedule::AsNeeded => ScheduleText::AsNeeded {
                    min_hours: m.min_interval.num_minutes() as f64 / 60.0,
                },
                Schedule::EveryHours { hours } => ScheduleText::EveryHours(*hours),
                Schedule::FixedTimes { times } => ScheduleText::At(
                    times
                        .iter()
                        .map(|t| t.format("%H:%M").to_string())
                        .collect(),
                ),
            },
            max_doses_per_day: m.max_doses_per_day,
            awaiting_approval: m.approval != crate::domain::Approval::Approved,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ScheduleText {
    AsNeeded { min_hours: f64 },
    EveryHours(u32),
    At(Vec<String>),
}

/// A rule a dose would break, ready to be said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConcernText {
    TooSoon {
        previous: DoseLine,
        allowed_from: DateTime<Utc>,
    },
    TooManyDoses {
        count: u32,
        max: u32,
    },
    TooMuch {
        ingredient: String,
        total_mg: f64,
        max_mg: f64,
    },
    AboveUsual {
        usual_mg: f64,
        given_mg: f64,
    },
}

/// One child's day in the daily summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildDay {
    pub child: String,
    pub doses: Vec<DoseLine>,
    /// (when, °C).
    pub temperatures: Vec<(DateTime<Utc>, f64)>,
    /// (when, who wrote it (`None` once that member was erased), the note).
    pub notes: Vec<(DateTime<Utc>, Option<String>, String)>,
    /// (when it was due, the medication) for each dose reminder missed or skipped.
    pub missed: Vec<(DateTime<Utc>, String)>,
}

/// Everything MedNannyAI can say.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// What MedNanny understands, with the family's own children as the examples (none yet: how
    /// to start).
    Help {
        children: Vec<String>,
    },
    /// The console's opening line: who you are, or how to join.
    ConsoleGreeting {
        name: String,
        known: bool,
    },
    Welcome,
    NoFamily,
    ChooseFamily {
        options: Vec<String>,
    },
    FamilyChosen {
        name: String,
    },
    Children {
        children: Vec<(String, NaiveDate)>,
        today: NaiveDate,
    },
    NoChildren,
    Medications {
        child: String,
        medications: Vec<MedicationLine>,
    },
    NoMedications {
        child: String,
    },
    Allergies {
        child: String,
        allergies: Vec<(String, String, Option<String>)>,
    },
    NoAllergies {
        child: String,
    },
    DoseLogged {
        dose: DoseLine,
        /// `None` when it cannot be worked out (the dose was logged without the check).
        next_allowed_at: Option<DateTime<Utc>>,
        others: Vec<DoseLine>,
        flagged: bool,
        /// A guardian logged it although the check could not be done.
        unchecked: bool,
        alerted: Vec<String>,
        poison_help: Option<String>,
    },
    ConfirmExtraDose {
        child: String,
        medication: String,
        amount: DoseAmount,
        concerns: Vec<ConcernText>,
        next_allowed_at: DateTime<Utc>,
    },
    ExtraDoseNotLogged,
    /// The dose check cannot be done right now (unreadable record or clock): nothing was logged
    /// (`logging`: someone said they gave it) or no "yes" is given (a "can she have it?" question).
    /// A guardian who logs is offered to log it anyway, unchecked.
    CannotCheckDose {
        child: String,
        medication: String,
        logging: bool,
        guardian_may_override: bool,
    },
    QuestionExpired,
    QuestionDropped,
    CanHave {
        child: String,
        medication: String,
        dose: DoseAmount,
        allowed_now: bool,
        next_allowed_at: DateTime<Utc>,
        last: Option<DoseLine>,
        doses_in_last_day: u32,
        max_doses_per_day: Option<u32>,
    },
    LastDoses {
        child: String,
        doses: Vec<DoseLine>,
    },
    NoDoses {
        child: String,
    },
    TemperatureLogged {
        child: String,
        celsius: f64,
        fahrenheit_first: bool,
        advice: FeverAdvice,
        emergency_number: String,
    },
    /// A weight (kg) or height (cm) was recorded.
    GrowthLogged {
        child: String,
        kind: &'static str,
        value: f64,
    },
    NoteSaved {
        child: String,
    },
    Notes {
        child: String,
        notes: Vec<(DateTime<Utc>, Option<String>, String)>,
    },
    NoNotes {
        child: String,
    },
    DoseVoided {
        dose: DoseLine,
    },
    NothingToUndo,
    ClockedIn {
        at: DateTime<Utc>,
    },
    ClockedOut {
        at: DateTime<Utc>,
        minutes: i64,
        /// The guardians the handoff report went to.
        told: Vec<String>,
    },
    /// To a nanny whose shift is still open an hour past its scheduled end (the scheduler sends
    /// it, once): did they forget to clock out? The shift is flagged, never extended.
    StillOnShift {
        since: DateTime<Utc>,
        scheduled_end: DateTime<Utc>,
    },
    /// A month's hours, per nanny; `csv` is the payroll file when it was asked for.
    Hours {
        month: String,
        nannies: Vec<HoursLine>,
        open_shifts: usize,
        csv: Option<String>,
    },
    /// No hours were worked in the month.
    NoHours {
        month: String,
    },
    /// A nanny's profile (personal data: shown only to guardians and the nanny, in private).
    NannyProfile(Box<crate::services::nanny::NannyProfile>),
    /// A nanny's schedule after a guardian changed it.
    ScheduleSet {
        name: String,
        schedule: Vec<crate::services::nanny::ScheduledShift>,
    },
    /// The family's payroll week starts on this day from now on.
    WeekStartSet {
        day: chrono::Weekday,
    },
    /// A nanny command that was not understood: how to say it.
    NannyUsage,
    Joined {
        family: String,
        role: String,
    },
    FamilyCreated {
        name: String,
        place: Place,
    },
    /// "What is the family called?"
    FamilyNameQuestion,
    /// Where does the family live (nothing known of it)?
    FamilyPlaceQuestion {
        family: String,
    },
    /// Is the family here (a phone number's country, a country of several zones)?
    FamilyPlaceConfirm {
        family: String,
        place: Place,
    },
    /// A place MedNanny does not know.
    PlaceUnknown {
        said: String,
    },
    /// A time zone the tz database does not have.
    ZoneUnknown {
        said: String,
    },
    /// The family was not created ("cancel").
    FamilyNotCreated,
    /// The family's country and time zone, changed.
    FamilyPlaceSet {
        place: Place,
    },
    InviteCreated {
        code: String,
        role: String,
        expires_at: DateTime<Utc>,
    },
    /// An invite sent to a phone on WhatsApp (the code works anywhere too).
    InvitedByPhone {
        name: String,
        phone: String,
        role: String,
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// A 6-digit code was sent to this WhatsApp number.
    LinkCodeSent {
        phone: String,
    },
    /// This WhatsApp number now reaches the person.
    PhoneLinked {
        phone: String,
    },
    /// "link-whatsapp" without a number.
    LinkUsage,
    /// WhatsApp, a number MedNanny does not know: one short answer that reveals no family.
    UnknownNumber,
    /// WhatsApp, a photo or a voice note: only text is read.
    MediaNotRead,
    /// A WhatsApp message could not reach the person (outside WhatsApp's 24-hour window).
    WhatsappUndeliverable,
    /// The assistant's own words (a model's answer to what the record does not hold), checked by
    /// `assistant::guard`.
    AssistantSaid {
        text: String,
    },
    /// The model named a dose: MedNanny never works one out.
    NoDoseAdvice,
    /// A message asked for several things and a question came first: the rest was not done.
    NotDoneYet {
        count: usize,
    },
    /// "this morning", "after lunch": too vague to count the next dose from; nothing recorded.
    VagueTime {
        said: String,
    },
    /// The model did not answer in time (or answered nonsense): the rules read the message.
    AssistantUnavailable,
    /// The family's tokens for today are spent: the rules read the message.
    AssistantBudgetSpent,
    /// A new family, with a model configured: may messages go to it?
    AssistantConsentQuestion,
    /// "assistant on" / "assistant off": the family's consent given or withdrawn (`changed`: it
    /// was not already so).
    AssistantConsent {
        on: bool,
        changed: bool,
    },
    /// "language es": the speaker's language changed (said in the new language).
    LanguageSet,
    /// "language xx" with a language the catalogue does not speak.
    LanguageUnknown {
        asked: String,
    },
    /// A voice note, transcribed: what was heard, before it is handled as text.
    Heard {
        text: String,
    },
    /// A voice note, and no transcription service is configured (or it failed).
    VoiceNotSetUp,
    /// A photo of a medicine's label, read by the model: what it read, before the medication form
    /// (nothing is saved until the person confirms).
    LabelRead {
        product: String,
        ingredient: Option<String>,
        strength: Option<String>,
        form: Option<String>,
    },
    /// A photo that was not read; nothing was recorded.
    PhotoNotRead {
        why: PhotoUnread,
    },
    /// Someone from another workspace or account than the one MedNanny serves.
    OtherWorkspace,
    /// "invite" without a role the catalogue knows.
    WhichRole,
    /// The family's export, as a JSON document.
    Export {
        family: String,
        document: String,
    },
    /// The red-flag answer: who to call, first, then first aid that is safe in every case of the
    /// category. `numbers` is `None` when the family (so the country) is not known.
    Emergency {
        flag: RedFlag,
        numbers: Option<EmergencyNumbers>,
    },
    /// After an emergency answer: the other guardians were alerted on their channels.
    GuardiansTold {
        names: Vec<String>,
    },
    /// A form's next question; `problem` says why the last answer was not taken.
    FormAsk {
        form: Box<Form>,
        question: Question,
        problem: Option<FieldError>,
        /// The children's names, offered as buttons when the question is which child.
        children: Vec<String>,
    },
    /// A complete form, waiting for yes.
    FormSummary {
        form: Box<Form>,
        problem: Option<FieldError>,
    },
    FormCancelled,
    /// Only a guardian can change the family's record this way.
    GuardiansOnly,
    /// A half-filled form was dropped after the question expired.
    FormExpired {
        kind: FormKind,
    },
    ChildAdded {
        name: String,
    },
    MedicationAdded {
        child: String,
        name: String,
        /// Added by a caregiver: a guardian must approve it before a dose is given.
        pending: bool,
    },
    AllergyAdded {
        child: String,
        allergen: String,
    },
    /// A medication's rules were changed; a caregiver's change waits for a guardian.
    MedicationEdited {
        child: String,
        name: String,
        pending: bool,
    },
    /// "change" with no medication named: how to say it.
    EditUsage,
    /// "rename Emma" without the new name.
    RenameUsage,
    ChildRenamed {
        old: String,
        new: String,
    },
    /// Leaving active care is asked before.
    ConfirmLeaveCare {
        child: String,
    },
    ChildLeftCare {
        child: String,
    },
    ChildBackInCare {
        child: String,
    },
    /// "return Mia to care": no child of that name is out of care.
    NotOutOfCare {
        name: String,
        out_of_care: Vec<String>,
    },
    /// None of the children's current medications matches what was named.
    NoMedicationToEdit {
        asked: String,
        known: Vec<String>,
    },
    /// Several match: which? (medication id, medication name, child name)
    WhichMedicationToEdit {
        options: Vec<(i64, String, String)>,
        /// What was to change, carried into each choice.
        change: String,
    },
    /// Only a guardian approves or denies a caregiver's medication.
    OnlyGuardiansApprove,
    /// "approve" with no medication waiting.
    NothingToApprove,
    /// Several medications wait (or the one named was not found among them): which one?
    WhichToApprove {
        approve: bool,
        /// (medication id, medication name, child name)
        options: Vec<(i64, String, String)>,
    },
    MedicationDecided {
        child: String,
        medication: String,
        approved: bool,
        /// The caregiver who added it and was told.
        caregiver_told: Option<String>,
    },
    /// "pause" with no medication named: how to say it.
    CourseUsage {
        change: CourseChange,
    },
    /// None of the children's medications matches what was named.
    NoMedicationToChange {
        change: CourseChange,
        asked: String,
        /// "Emma's Children's Tylenol", ...
        known: Vec<String>,
    },
    /// Several medications match: which? (medication id, medication name, child name)
    WhichMedicationToChange {
        change: CourseChange,
        options: Vec<(i64, String, String)>,
    },
    /// Stopping ends a course: asked before.
    ConfirmStop {
        child: String,
        medication: String,
    },
    CourseChanged {
        child: String,
        medication: String,
        change: CourseChange,
        ends_on: Option<NaiveDate>,
    },
    /// "no" to a change: nothing was done.
    NothingChanged,
    /// "yes" to a change asked about too long ago: nothing was done.
    ChangeExpired,
    Members {
        members: Vec<MemberLine>,
    },
    /// No active member of the family has that name.
    UnknownMember {
        name: String,
        known: Vec<String>,
    },
    /// Several members match the name given.
    AmbiguousMember {
        name: String,
        matches: Vec<String>,
    },
    /// "Maya looks after" with no child named.
    WhichChildren {
        member: String,
        assign: bool,
    },
    Assigned {
        member: String,
        children: Vec<String>,
        assign: bool,
    },
    /// "make Maya a ..." with no role understood.
    WhichRoleFor {
        member: String,
    },
    RoleChanged {
        member: String,
        role: Role,
    },
    /// "revoke" with nobody named.
    WhoToRevoke,
    /// Revoking is asked before.
    ConfirmRevoke {
        member: String,
    },
    MemberRevoked {
        member: String,
    },
    /// One of the record's lists: a child's (`child`), or the family's providers (`None`).
    RecordList {
        kind: RecordKind,
        child: Option<String>,
        items: Vec<RecordItem>,
    },
    RecordAdded {
        child: Option<String>,
        item: RecordItem,
    },
    RecordChanged {
        child: Option<String>,
        item: RecordItem,
    },
    /// Several entries match what was to change: which one? (child's name, entry)
    WhichToChange {
        options: Vec<(Option<String>, RecordItem)>,
        change: String,
    },
    /// "remove" with nothing named.
    WhatToRemove {
        kind: Option<RecordKind>,
    },
    /// Nothing in the record matches what was named.
    NothingToRemove {
        kind: Option<RecordKind>,
        which: String,
    },
    /// Several entries match: which one? (child's name, entry)
    WhichToRemove {
        options: Vec<(Option<String>, RecordItem)>,
    },
    /// Removing is asked before.
    ConfirmRemove {
        child: Option<String>,
        item: RecordItem,
    },
    RecordRemoved {
        child: Option<String>,
        item: RecordItem,
    },
    UnknownChild {
        name: String,
        known: Vec<String>,
    },
    WhichChild {
        known: Vec<String>,
    },
    UnknownMedication {
        child: String,
        asked: String,
        known: Vec<String>,
    },
    WhichMedication {
        child: String,
        options: Vec<String>,
    },
    /// A guardian's dose of a medicine not on file: nothing logged; the form to add it follows.
    AddMedicationFirst {
        child: String,
        asked: String,
    },
    BadAmount(AmountError),
    BadTemperature(TemperatureError),
    BadTime(String),
    NonexistentLocalTime(String),
    Problem(Problem),
    Denied,
    NotFound(String),
    NotUnderstood,
    InternalError,
    Alert(Alert),
    /// A dose is due (to whoever is responsible; `escalated`: to the guardians, nobody answered).
    /// With `buttons` the channel shows *Given* and *Skip*; without, the text says what to reply.
    ReminderDose {
        reminder_id: i64,
        child: String,
        medication: String,
        amount: DoseAmount,
        due_at: DateTime<Utc>,
        escalated: bool,
        buttons: bool,
    },
    /// The last day of a course.
    ReminderCourseEnd {
        child: String,
        medication: String,
    },
    /// An appointment tomorrow (`tomorrow`) or within the hour.
    ReminderAppointment {
        child: String,
        starts_at: DateTime<Utc>,
        tomorrow: bool,
    },
    /// The family's day, to the guardians: per child, doses, temperatures, notes and anything missed.
    DailySummary {
        day: chrono::NaiveDate,
        children: Vec<ChildDay>,
    },
    /// A dose reminder answered *Skip*, with the reason recorded.
    ReminderSkipped {
        child: String,
        medication: String,
    },
    /// *Skip* without a reason: how to give one.
    SkipNeedsReason,
    /// *Given* or *Skip* with no reminder waiting for this person.
    NoOpenReminder,
    /// A guardian paused or resumed a child's reminders.
    RemindersPaused {
        child: String,
        paused: bool,
    },
    /// The daily summary's new time.
    SummaryTimeSet {
        at: chrono::NaiveTime,
    },
    /// The speaker's quiet hours.
    QuietHoursSet {
        starts: chrono::NaiveTime,
        ends: chrono::NaiveTime,
    },
    /// To a nanny, shortly before a scheduled shift of hers starts.
    ReminderShiftStart {
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
    /// A nanny's certification expires soon, or has (`expired`): to the guardians and to her.
    ReminderCertification {
        nanny: String,
        certification: String,
        expires_on: chrono::NaiveDate,
        expired: bool,
        /// Sent to the nanny herself ("your CPR…"), not to a guardian.
        yours: bool,
    },
}

/// A member as guardians see them listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberLine {
    pub name: String,
    pub role: Role,
    pub status: MemberStatus,
    /// A caregiver's children.
    pub children: Vec<String>,
    /// The person reading the list.
    pub is_you: bool,
}

/// What the reader needs besides the message: their language and the family's clock and country.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext {
    pub locale: Locale,
    pub timezone: chrono_tz::Tz,
    pub country: &'static str,
    pub now: DateTime<Utc>,
}

impl RenderContext {
    /// For a reader in a family that keeps its record in `timezone` and lives in `country` (an
    /// ISO code): the catalogues tell only the US (°F, month first) from everywhere else.
    pub fn new(locale: Locale, timezone: chrono_tz::Tz, country: &str, now: DateTime<Utc>) -> Self {
        Self {
            locale,
            timezone,
            country: if country.eq_ignore_ascii_case("US") {
                "US"
            } else {
                "other"
            },
            now,
        }
    }
}

/// One choice offered with a reply: channels show buttons or numbered lines; `value` is what
/// choosing it sends back as a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub label: String,
    pub value: String,
}

/// A reply ready for a channel: text, choices and tone, and whether it holds health data (channels
/// keep such replies private: ephemeral in Slack channels, DM only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub text: String,
    pub choices: Vec<Choice>,
    pub tone: Tone,
    pub health_data: bool,
    /// A document that goes with the text (an export): channels attach it, or show it after the text.
    #[serde(default)]
    pub document: Option<Document>,
    /// The parts of `text` a member wrote (a note, a nanny's handoff words), in order: channels
    /// show them inert, never as their formatting, mentions or links (see [`Reply::pieces`]).
    #[serde(default)]
    pub quoted: Vec<Quoted>,
}

impl Reply {
    /// The same reply, with buttons (or numbered lines) to answer it.
    pub(crate) fn with_choices(mut self, choices: Vec<Choice>) -> Self {
        self.choices = choices;
        self
    }
}

/// A nanny's month, as the hours reply lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct HoursLine {
    pub name: String,
    pub worked: chrono::Duration,
    pub overtime: chrono::Duration,
    /// Each week with hours in the month: its first day, its hours in the month, whether the
    /// whole week went past 40 hours.
    pub weeks: Vec<(NaiveDate, chrono::Duration, bool)>,
}

/// A document a reply carries, such as the family's export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub filename: String,
    pub content: String,
}

/// A dashboard in words: a title, a section per child, who is on shift, and the last 24 hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardText {
    pub title: String,
    /// (child's name, one line per active medication).
    pub children: Vec<(String, Vec<String>)>,
    /// (child's name, what can be done with their medicines: give a dose, change it, stop it), for
    /// channels that show buttons. Values are commands (`change #12`, `stop #12`), except `give
    /// #12`, which a channel shows as a dose form (the dose is then said as a message).
    pub actions: Vec<(String, Vec<Choice>)>,
    pub on_shift: String,
    pub recent_title: String,
    pub recent: Vec<String>,
    pub footer: String,
}

/// Renders a dashboard for a reader.
pub fn render_dashboard(dashboard: &Dashboard, ctx: &RenderContext) -> DashboardText {
    match ctx.locale {
        Locale::En => en::render_dashboard(dashboard, ctx),
        Locale::Es => es::render_dashboard(dashboard, ctx),
    }
}

/// Why a form field was not taken, for channels that show the error on the field.
pub fn field_problem(problem: &FieldError, locale: Locale) -> String {
    match locale {
        Locale::En => en::form_field_problem(problem),
        Locale::Es => es::form_field_problem(problem),
    }
}

/// A whole form's title, for channels that show it at once (a Slack modal).
pub fn form_title(kind: FormKind, locale: Locale) -> &'static str {
    match locale {
        Locale::En => en::form_title(kind),
        Locale::Es => es::form_title(kind),
    }
}

/// A form field's label and example.
pub fn form_field(question: Question, locale: Locale) -> (&'static str, &'static str) {
    match locale {
        Locale::En => en::form_field(question),
        Locale::Es => es::form_field(question),
    }
}

/// The words of an invite sent to a phone on WhatsApp (with no template configured, or as the
/// template's text); no health data. `locale` is the invitee's language when it is known.
pub fn whatsapp_invite(
    inviter: &str,
    family: &str,
    name: &str,
    code: &str,
    locale: Locale,
) -> String {
    match locale {
        Locale::En => en::whatsapp::invite(inviter, family, name, code),
        Locale::Es => es::whatsapp::invite(inviter, family, name, code),
    }
}

/// The words of a link code sent to a phone, in the language of the person who asked for it.
pub fn whatsapp_link_code(code: &str, minutes: i64, locale: Locale) -> String {
    match locale {
        Locale::En => en::whatsapp::link_code(code, minutes),
        Locale::Es => es::whatsapp::link_code(code, minutes),
    }
}

/// What a WhatsApp template says when an alert waits outside the 24-hour window: the family only,
/// never a child's health. English: the caller (the bot's WhatsApp worker) does not pass the
/// recipient's language yet; [`whatsapp_update_waiting_in`] takes it.
pub fn whatsapp_update_waiting(family: &str) -> String {
    whatsapp_update_waiting_in(family, Locale::En)
}

/// [`whatsapp_update_waiting`] in the recipient's language.
pub fn whatsapp_update_waiting_in(family: &str, locale: Locale) -> String {
    match locale {
        Locale::En => en::whatsapp::update_waiting(family),
        Locale::Es => es::whatsapp::update_waiting(family),
    }
}

/// Renders a message for a reader. Member text the catalogue quoted is found here, whatever the
/// language or the message (`quote`).
pub fn render(msg: &Msg, ctx: &RenderContext) -> Reply {
    quote::resolve(match ctx.locale {
        Locale::En => en::render(msg, ctx),
        Locale::Es => es::render(msg, ctx),
    })
}

/// Why a photo was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoUnread {
    /// The family has not agreed to the assistant's model ("assistant on").
    NoConsent,
    /// The family's tokens for today are spent.
    BudgetSpent,
    /// Not a medicine's label, or not legible.
    Unreadable,
    /// The model failed or was too slow.
    Unavailable,
}

impl Msg {
    /// Whether the message carries health data about a child.
    pub fn has_health_data(&self) -> bool {
        !matches!(
            self,
            Msg::Help { .. }
                | Msg::ConsoleGreeting { .. }
                | Msg::Welcome
                | Msg::NoFamily
                | Msg::ChooseFamily { .. }
                | Msg::FamilyChosen { .. }
                | Msg::NotUnderstood
                | Msg::InternalError
                | Msg::Denied
                | Msg::Joined { .. }
                | Msg::FamilyCreated { .. }
                | Msg::FamilyNameQuestion
                | Msg::FamilyPlaceQuestion { .. }
                | Msg::FamilyPlaceConfirm { .. }
                | Msg::PlaceUnknown { .. }
                | Msg::ZoneUnknown { .. }
                | Msg::FamilyNotCreated
                | Msg::FamilyPlaceSet { .. }
                | Msg::InviteCreated { .. }
                | Msg::InvitedByPhone { .. }
                | Msg::LinkCodeSent { .. }
                | Msg::PhoneLinked { .. }
                | Msg::LinkUsage
                | Msg::UnknownNumber
                | Msg::MediaNotRead
                | Msg::WhatsappUndeliverable
                | Msg::NoDoseAdvice
                | Msg::VagueTime { .. }
                | Msg::NotDoneYet { .. }
                | Msg::AssistantUnavailable
                | Msg::AssistantBudgetSpent
                | Msg::AssistantConsentQuestion
                | Msg::AssistantConsent { .. }
                | Msg::LanguageSet
                | Msg::LanguageUnknown { .. }
                | Msg::VoiceNotSetUp
                | Msg::WhichRole
                | Msg::OtherWorkspace
                | Msg::ClockedIn { .. }
                | Msg::ClockedOut { .. }
                | Msg::StillOnShift { .. }
                | Msg::NoHours { .. }
                | Msg::WeekStartSet { .. }
                | Msg::NannyUsage
                | Msg::Emergency { .. }
                | Msg::GuardiansTold { .. }
                | Msg::FormCancelled
                | Msg::GuardiansOnly
                | Msg::OnlyGuardiansApprove
                | Msg::NothingToApprove
                | Msg::FormExpired { .. }
                | Msg::CourseUsage { .. }
                | Msg::NothingChanged
                | Msg::ChangeExpired
                | Msg::Members { .. }
                | Msg::UnknownMember { .. }
                | Msg::AmbiguousMember { .. }
                | Msg::WhichChildren { .. }
                | Msg::Assigned { .. }
                | Msg::WhichRoleFor { .. }
                | Msg::RoleChanged { .. }
                | Msg::WhoToRevoke
                | Msg::ConfirmRevoke { .. }
                | Msg::MemberRevoked { .. }
                | Msg::SkipNeedsReason
                | Msg::NoOpenReminder
                | Msg::SummaryTimeSet { .. }
                | Msg::QuietHoursSet { .. }
                | Msg::ReminderShiftStart { .. }
                | Msg::ReminderCertification { .. }
                | Msg::WhatToRemove { .. }
                | Msg::EditUsage
                | Msg::RenameUsage
        )
    }
}

#[cfg(test)]
mod tests;
