//! Forms: the conversation's "collecting" state. A form asks for what is missing, one question at a
//! time; accepts answers in any order ("every 6 hours, max 4 a day" fills two fields); re-asks a
//! bad answer with the reason; shows a summary; and is saved only on "yes". "cancel" leaves at any
//! step. Pure: the machine (`engine/machine.rs`) keeps the form in its state and turns an
//! [`Outcome`] into effects; the runner saves the finished form through the services, which
//! validate and authorize again (the form's checks are for asking well, not the last word).
//!
//! # Layout
//! - `words`: reading answers (marked phrases, dates, doses, strengths);
//! - `child`, `medication`, `allergy`: one draft per form;
//! - `records`: the small ones (condition, vaccination, appointment, provider).

mod allergy;
mod child;
mod medication;
mod records;
pub mod words;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use allergy::AllergyDraft;
pub use child::ChildDraft;
pub use medication::{label_limits, strength_text, LabelLimits, MedicationDraft};
pub use records::{specialty, AppointmentDraft, ConditionDraft, ProviderDraft, VaccinationDraft};
use words::Answer;

use crate::domain::AmountError;

/// What a form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    Child,
    Medication,
    Allergy,
    Condition,
    Vaccination,
    Appointment,
    Provider,
}

impl FormKind {
    /// What saving it needs: a medicine is `AddMedication` (a caregiver's waits for approval);
    /// the rest of the record is the guardians' (`ManageChildren`).
    pub fn permission(self) -> crate::auth::Permission {
        match self {
            FormKind::Medication => crate::auth::Permission::AddMedication,
            FormKind::Child
            | FormKind::Allergy
            | FormKind::Condition
            | FormKind::Vaccination
            | FormKind::Appointment
            | FormKind::Provider => crate::auth::Permission::ManageChildren,
        }
    }
}

/// A form being filled in, persisted with the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Form {
    AddChild(ChildDraft),
    AddMedication(MedicationDraft),
    AddAllergy(AllergyDraft),
    AddCondition(ConditionDraft),
    AddVaccination(VaccinationDraft),
    AddAppointment(AppointmentDraft),
    AddProvider(ProviderDraft),
}

/// What a form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// Which of the family's children (asked only when there are several).
    Child,
    ChildName,
    BirthDate,
    MedicationName,
    Ingredients,
    UsualDose,
    Schedule,
    Interval,
    MaxDoses,
    /// The daily maximum in mg of the n-th ingredient.
    MaxMg(usize),
    Course,
    Allergen,
    Severity,
    Reaction,
    ConditionName,
    /// Whether only guardians see a condition.
    GuardianOnly,
    VaccineName,
    VaccineDate,
    VaccineDose,
    AppointmentDate,
    AppointmentTime,
    AppointmentWith,
    AppointmentPurpose,
    ProviderName,
    ProviderPhone,
}

/// Why an answer was not taken: the form re-asks with this reason.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    BadDate,
    DateInFuture,
    /// A birth date more than 18 years ago: MedNanny is for children.
    TooOld,
    BadName,
    /// The family already has a child by that name.
    DuplicateName(String),
    UnknownChild {
        known: Vec<String>,
    },
    BadStrength,
    /// A strength without its ingredient, and the product's ingredient is not known.
    IngredientMissing,
    BadDose(AmountError),
    /// The usual dose is not in a unit the strength converts ("5 ml" of a tablet).
    DoseUnitMismatch {
        expected: &'static str,
    },
    BadSchedule,
    /// "twice a day": the times are needed, or "every 12 hours".
    TimesNeeded,
    BadInterval,
    BadMaxDoses,
    BadMaxMg,
    /// The daily maximum is less than one usual dose: no dose could ever be given.
    MaxMgBelowOneDose {
        ingredient: String,
        one_dose_mg: f64,
    },
    BadCourse,
    EndsBeforeStart,
    BadSeverity,
    TooLong,
    /// A vaccine dose number outside 1 to 10.
    BadDoseNumber,
    /// An appointment's day that has passed.
    DateInPast,
    /// More than two years ahead.
    TooFarAhead,
    BadTime,
    BadPhone,
    /// An hourly rate that is not an amount ("lots").
    BadRate,
    /// At the summary, something that is neither yes, no, nor a change MedNanny can read.
    NotAChange,
    /// A form field left empty that is needed (a modal submitted without it).
    Missing,
}

/// What the form knows of the world: today in the family's zone, how dates are written there,
/// and the children the person can see.
#[derive(Debug, Clone, Copy)]
pub struct FormContext<'a> {
    pub today: NaiveDate,
    /// "03/04/2022" is 3 April (day first) everywhere but the US.
    pub day_first: bool,
    pub children: &'a [(i64, String)],
}

impl FormContext<'_> {
    /// A known child named by one of the answer's words, consumed.
    fn take_child(&self, answer: &mut Answer) -> Option<(i64, String)> {
        for token in &mut answer.tokens {
            if token.used {
                continue;
            }
            let word = token.norm.trim_end_matches("'s").trim_end_matches("’s");
            if let Some((id, name)) = self
                .children
                .iter()
                .find(|(_, name)| name.to_lowercase() == word)
            {
                token.used = true;
                return Some((*id, name.clone()));
            }
        }
        None
    }

    /// The only child, when there is one (the question "which child?" is then not asked).
    fn only_child(&self) -> Option<(i64, String)> {
        match self.children {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    fn child_named(&self, text: &str) -> Result<(i64, String), FieldError> {
        let wanted = text.trim().trim_end_matches('.').to_lowercase();
        self.children
            .iter()
            .find(|(_, name)| name.to_lowercase() == wanted)
            .cloned()
            .ok_or_else(|| FieldError::UnknownChild {
                known: self.children.iter().map(|(_, n)| n.clone()).collect(),
            })
    }
}

/// What the form does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ask {
        form: Form,
        question: Question,
        problem: Option<FieldError>,
    },
    /// Everything is there: show the summary and wait for yes.
    Confirm {
        form: Form,
        problem: Option<FieldError>,
    },
    Save(Form),
    Cancelled,
}

/// One draft's way of reading answers.
trait Draft: Sized {
    /// Reads the phrases that say what they are, wherever they are; fills their fields.
    fn read_marked(&mut self, answer: &mut Answer, ctx: &FormContext<'_>)
        -> Result<(), FieldError>;
    /// Reads what is left as the answer to `question`.
    fn read_answer(
        &mut self,
        question: Question,
        residue: &str,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError>;
    /// The next thing to ask, or `None` when the draft is complete.
    fn next_question(&self) -> Option<Question>;
    /// Checks across fields (a daily maximum against the usual dose...): the question to re-ask.
    fn check(&self) -> Result<(), (Question, FieldError)>;
    /// Fills what only a start can ("add child" with one child already known...).
    fn begin(&mut self, _ctx: &FormContext<'_>) {}
    /// Clears a field, so that it is asked again (after a failed cross-field check).
    fn clear(&mut self, question: Question);
}

impl Form {
    pub fn new(kind: FormKind) -> Self {
        match kind {
            FormKind::Child => Form::AddChild(ChildDraft::default()),
            FormKind::Medication => Form::AddMedication(MedicationDraft::default()),
            FormKind::Allergy => Form::AddAllergy(AllergyDraft::default()),
            FormKind::Condition => Form::AddCondition(ConditionDraft::default()),
            FormKind::Vaccination => Form::AddVaccination(VaccinationDraft::default()),
            FormKind::Appointment => Form::AddAppointment(AppointmentDraft::default()),
            FormKind::Provider => Form::AddProvider(ProviderDraft::default()),
        }
    }

    pub fn kind(&self) -> FormKind {
        match self {
            Form::AddChild(_) => FormKind::Child,
            Form::AddMedication(_) => FormKind::Medication,
            Form::AddAllergy(_) => FormKind::Allergy,
            Form::AddCondition(_) => FormKind::Condition,
            Form::AddVaccination(_) => FormKind::Vaccination,
            Form::AddAppointment(_) => FormKind::Appointment,
            Form::AddProvider(_) => FormKind::Provider,
        }
    }
}

/// Runs `f` on the form's draft, whichever it is.
macro_rules! with_draft {
    ($form:expr, $d:ident => $body:expr) => {
        match $form {
            Form::AddChild($d) => $body,
            Form::AddMedication($d) => $body,
            Form::AddAllergy($d) => $body,
            Form::AddCondition($d) => $body,
            Form::AddVaccination($d) => $body,
            Form::AddAppointment($d) => $body,
            Form::AddProvider($d) => $body,
        }
    };
}

/// Starts a form from the words that came with the command ("add child Emma born 14 March 2022").
pub fn start(kind: FormKind, text: &str, ctx: &FormContext<'_>) -> Outcome {
    let mut form = Form::new(kind);
    with_draft!(&mut form, d => d.begin(ctx));
    let mut answer = Answer::new(text);
    // The words that only name the form ("a", "new", "for") are not an answer.
    for token in &mut answer.tokens {
        if matches!(
            token.norm.as_str(),
            "a" | "an" | "new" | "for" | "para" | "un" | "una" | "another"
        ) {
            token.used = true;
        }
    }
    let problem = fill(&mut form, None, &mut answer, ctx, true).err();
    next(form, problem)
}

/// Opens a form on a record's current values with a change said at once ("dose to 7.5 ml"): the
/// summary, changed; or, when the words change nothing, the summary asking what to change.
pub fn edit(form: Form, change: &str, ctx: &FormContext<'_>) -> Outcome {
    if change.trim().is_empty() {
        return Outcome::Confirm {
            form,
            problem: None,
        };
    }
    answer(&form, None, change, ctx)
}

/// The fields a whole form shows at once (a Slack modal), in the order they are read: the child
/// first, since what follows may depend on it; the strength before the dose.
pub fn fields(kind: FormKind) -> Vec<Question> {
    use Question::*;
    match kind {
        FormKind::Child => vec![ChildName, BirthDate],
        FormKind::Medication => vec![
            Child,
            MedicationName,
            Ingredients,
            UsualDose,
            Schedule,
            Interval,
            MaxDoses,
            MaxMg(0),
            Course,
        ],
        FormKind::Allergy => vec![Child, Allergen, Severity, Reaction],
        FormKind::Condition => vec![Child, ConditionName, GuardianOnly],
        FormKind::Vaccination => vec![Child, VaccineName, VaccineDate, VaccineDose],
        FormKind::Appointment => vec![
            Child,
            AppointmentDate,
            AppointmentTime,
            AppointmentWith,
            AppointmentPurpose,
        ],
        FormKind::Provider => vec![ProviderName, ProviderPhone],
    }
}

/// What an empty field means when the form is filled at once: the answer "skip" means in chat, or
/// `None` when the field is needed. An empty interval or daily count of a medicine takes the
/// label's limits where MedNanny proposes them (the summary in the reply says so).
pub fn empty_means(question: Question) -> Option<&'static str> {
    match question {
        Question::Reaction
        | Question::VaccineDose
        | Question::AppointmentWith
        | Question::AppointmentPurpose
        | Question::ProviderPhone
        | Question::MaxDoses
        | Question::MaxMg(_) => Some("none"),
        Question::Course => Some("ongoing"),
        _ => None,
    }
}

/// Reads a whole form at once (a Slack modal's fields): every field as the answer to its question,
/// in [`fields`] order, then the checks across fields. Every field that does not read is reported,
/// with its reason, so all can be fixed in one go; nothing is saved until there is none.
pub fn submit(
    kind: FormKind,
    answers: &[(Question, String)],
    ctx: &FormContext<'_>,
) -> Result<Form, Vec<(Question, FieldError)>> {
    let mut form = Form::new(kind);
    with_draft!(&mut form, d => d.begin(ctx));
    let mut errors: Vec<(Question, FieldError)> = Vec::new();
    for question in fields(kind) {
        // A field's words are cleaned like a message's (`domain::text`): a modal's fields reach
        // the record without passing through `Engine::handle`'s text.
        let cleaned = answers
            .iter()
            .find(|(q, _)| *q == question)
            .map(|(_, t)| crate::domain::text::clean(t))
            .unwrap_or_default();
        let text = cleaned.trim();
        if text.is_empty() {
            continue;
        }
        // The field's own words replace whatever another field or a label proposal put there.
        with_draft!(&mut form, d => d.clear(question));
        if let Err(problem) = read_field(&mut form, question, text, ctx) {
            errors.push((question, problem));
        }
    }
    // What is still missing: an optional field takes its default; a needed one is reported.
    for _ in 0..32 {
        let Some(question) = with_draft!(&form, d => d.next_question()) else {
            break;
        };
        if errors.iter().any(|(q, _)| *q == question) {
            break;
        }
        match empty_means(question) {
            Some(default) => {
                if let Err(problem) = read_field(&mut form, question, default, ctx) {
                    errors.push((question, problem));
                    break;
                }
            }
            None => {
                errors.push((question, FieldError::Missing));
                break;
            }
        }
    }
    if errors.is_empty() {
        if let Err((question, problem)) = with_draft!(&form, d => d.check()) {
            errors.push((question, problem));
        }
    }
    if errors.is_empty() {
        Ok(form)
    } else {
        Err(errors)
    }
}

/// One field's words, read as a chat answer to its question is: marked phrases, then the rest.
fn read_field(
    form: &mut Form,
    question: Question,
    text: &str,
    ctx: &FormContext<'_>,
) -> Result<(), FieldError> {
    let mut answer = Answer::new(text);
    with_draft!(&mut *form, d => d.read_marked(&mut answer, ctx))?;
    let residue = answer.residue();
    if residue.is_empty() {
        return Ok(());
    }
    with_draft!(&mut *form, d => d.read_answer(question, &residue, ctx))
}

/// Reads an answer to the form's question (`None`: the summary was shown).
pub fn answer(form: &Form, asked: Option<Question>, text: &str, ctx: &FormContext<'_>) -> Outcome {
    let lower = text.trim().trim_end_matches(['.', '!']).to_lowercase();
    if is_cancel(&lower) {
        return Outcome::Cancelled;
    }
    let mut form = form.clone();
    let mut answer = Answer::new(text);
    if matches!(lower.as_str(), "help" | "?" | "ayuda") {
        // Not an answer (nobody's child is called "help"): the question again, with the way out.
        return match asked {
            Some(question) => Outcome::Ask {
                form,
                question,
                problem: Some(FieldError::NotAChange),
            },
            None => Outcome::Confirm {
                form,
                problem: Some(FieldError::NotAChange),
            },
        };
    }
    match asked {
        Some(question) => {
            let problem = fill(&mut form, Some(question), &mut answer, ctx, false).err();
            next(form, problem)
        }
        None => {
            if is_yes(&lower) {
                return match with_draft!(&form, d => d.check()) {
                    Ok(()) => Outcome::Save(form),
                    Err((question, problem)) => Outcome::Ask {
                        form,
                        question,
                        problem: Some(problem),
                    },
                };
            }
            if is_no(&lower) {
                return Outcome::Cancelled;
            }
            // A change at the summary: only marked phrases can say which field they change.
            let before = form.clone();
            let read = with_draft!(&mut form, d => d.read_marked(&mut answer, ctx));
            match read {
                Err(problem) => Outcome::Confirm {
                    form: before,
                    problem: Some(problem),
                },
                Ok(()) if form == before => Outcome::Confirm {
                    form,
                    problem: Some(FieldError::NotAChange),
                },
                Ok(()) => next(form, None),
            }
        }
    }
}

/// Marked phrases first, then the rest as the answer to `question`. At a start, the rest answers
/// whatever is first to ask once the marked phrases are read ("Tylenol for Emma": the name), and
/// an empty rest is fine; otherwise the asked field must be filled by something.
fn fill(
    form: &mut Form,
    question: Option<Question>,
    answer: &mut Answer,
    ctx: &FormContext<'_>,
    starting: bool,
) -> Result<(), FieldError> {
    let before = form.clone();
    with_draft!(form, d => d.read_marked(answer, ctx))?;
    let residue = answer.residue();
    let question = match question {
        Some(q) => q,
        None => match with_draft!(&*form, d => d.next_question()) {
            Some(q) => q,
            None => return Ok(()),
        },
    };
    let still_missing = with_draft!(&*form, d => d.next_question()) == Some(question);
    if !still_missing {
        return Ok(());
    }
    if residue.is_empty() {
        if starting || *form != before {
            return Ok(());
        }
        return Err(FieldError::NotAChange);
    }
    // A start's leftover words answer the first question only when they could (a name); a
    // leftover that fails there is not an error yet: the question is simply asked.
    match with_draft!(form, d => d.read_answer(question, &residue, ctx)) {
        Err(_) if starting => Ok(()),
        other => other,
    }
}

/// The next question, or the summary once nothing is missing. Fields that disagree (a daily
/// maximum below one dose) are caught as soon as both are known, and the later one asked again.
fn next(mut form: Form, problem: Option<FieldError>) -> Outcome {
    if let Err((question, problem)) = with_draft!(&form, d => d.check()) {
        with_draft!(&mut form, d => d.clear(question));
        return Outcome::Ask {
            form,
            question,
            problem: Some(problem),
        };
    }
    match with_draft!(&form, d => d.next_question()) {
        Some(question) => Outcome::Ask {
            form,
            question,
            problem,
        },
        None => Outcome::Confirm { form, problem },
    }
}

pub(crate) fn is_cancel(text: &str) -> bool {
    matches!(
        text,
        "cancel"
            | "stop"
            | "quit"
            | "exit"
            | "never mind"
            | "nevermind"
            | "forget it"
            | "cancelar"
            | "cancela"
            | "olvídalo"
            | "olvidalo"
    )
}

fn is_yes(text: &str) -> bool {
    matches!(
        text,
        "yes"
            | "y"
            | "yeah"
            | "yep"
            | "ok"
            | "okay"
            | "save"
            | "confirm"
            | "correct"
            | "si"
            | "sí"
            | "1"
    )
}

fn is_no(text: &str) -> bool {
    matches!(text, "no" | "n" | "nope" | "2")
}

#[cfg(test)]
mod tests;
