//! English for forms: the questions, why an answer was not taken, and the summaries.

use chrono::NaiveDate;

use super::amount_error;
use crate::domain::{format_number, Schedule};
use crate::engine::forms::{
    strength_text, AllergyDraft, AppointmentDraft, ChildDraft, ConditionDraft, FieldError, Form,
    FormKind, MedicationDraft, ProviderDraft, Question, VaccinationDraft,
};
use crate::messages::Choice;

fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn choice(label: &str, value: &str) -> Choice {
    Choice {
        label: label.into(),
        value: value.into(),
    }
}

fn child_of(form: &Form) -> Option<&str> {
    match form {
        Form::AddMedication(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddAllergy(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddChild(d) => d.name.as_deref(),
        Form::AddCondition(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddVaccination(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddAppointment(d) => d.child.as_ref().map(|(_, n)| n.as_str()),
        Form::AddProvider(_) => None,
    }
}

/// The question, with the buttons that answer it in one tap.
pub(super) fn question(
    form: &Form,
    question: Question,
    known_children: &[String],
) -> (String, Vec<Choice>) {
    let child = child_of(form).unwrap_or("the child");
    match (form, question) {
        (_, Question::Child) => (
            match form.kind() {
                FormKind::Medication => "Which child is the medicine for?".into(),
                FormKind::Vaccination => "Which child had the vaccination?".into(),
                FormKind::Appointment => "Which child is the appointment for?".into(),
                _ => "Which child is it for?".into(),
            },
            known_children.iter().map(|n| choice(n, n)).collect(),
        ),
        (_, Question::ChildName) => ("What is the child's name?".into(), Vec::new()),
        (_, Question::BirthDate) => (
            format!("When was {child} born? (for example 14 March 2022)"),
            Vec::new(),
        ),
        (_, Question::MedicationName) => (
            format!(
                "What is {child}'s medicine called? The name on the box, like Children's Tylenol or Amoxil."
            ),
            Vec::new(),
        ),
        (Form::AddMedication(d), Question::Ingredients) => (
            match d.known_ingredient() {
                Some(ingredient) => format!(
                    "What strength is it? It's on the label, for example \"160 mg/5 ml\" or \"80 mg tablets\". \
                     ({} is {ingredient}; if the label says otherwise, write the ingredient too.)",
                    d.name.as_deref().unwrap_or("It")
                ),
                None => "What is in it, and how strong? Copy it from the label: the active ingredient and \
                         strength, like \"amoxicillin 250 mg/5 ml\" or \"ibuprofen 200 mg tablets\". \
                         For two ingredients, join them with \"and\"."
                    .into(),
            },
            Vec::new(),
        ),
        (_, Question::UsualDose) => (
            format!(
                "How much does {child} take each time? For example 5 ml, or 1 tablet. \
                 Use what the doctor or the label says for {child}: I never work a dose out."
            ),
            Vec::new(),
        ),
        (_, Question::Schedule) => (
            "How is it given: as needed, every few hours (\"every 8 hours\"), or at set times (\"8am and 8pm\")?"
                .into(),
            vec![choice("As needed", "as needed")],
        ),
        (_, Question::Interval) => (
            "At least how many hours between two doses? (for example 6)".into(),
            Vec::new(),
        ),
        (_, Question::MaxDoses) => (
            "At most how many doses in 24 hours? A number, or \"none\".".into(),
            vec![choice("No maximum", "none")],
        ),
        (Form::AddMedication(d), Question::MaxMg(i)) => {
            let ingredient = d
                .ingredients
                .as_ref()
                .and_then(|v| v.get(i))
                .map(|s| s.ingredient.as_str())
                .unwrap_or("the ingredient");
            // For acetaminophen and ibuprofen, not knowing is an answer: the label's limit.
            if crate::engine::forms::label_limits(ingredient).is_some() {
                return (
                    format!(
                        "Is there a daily maximum of {ingredient}, in mg per 24 hours? The number the doctor or \
                         pharmacist gave you, \"I don't know\" to use the label's limit, or \"none\"."
                    ),
                    vec![
                        choice("I don't know: use the label's", "I don't know"),
                        choice("None", "none"),
                    ],
                );
            }
            (
                format!(
                    "Is there a daily maximum of {ingredient}, in mg per 24 hours? The number the doctor or \
                     pharmacist gave you, or \"none\"."
                ),
                vec![choice("None", "none")],
            )
        }
        (_, Question::Course) => (
            "For how long? \"ongoing\", \"for 10 days\", or \"until 20 December\".".into(),
            vec![choice("Ongoing", "ongoing")],
        ),
        (_, Question::Allergen) => (format!("What is {child} allergic to?"), Vec::new()),
        (_, Question::Severity) => (
            "How severe is it?".into(),
            vec![
                choice("Mild", "mild"),
                choice("Moderate", "moderate"),
                choice("Severe / anaphylaxis", "severe"),
                choice("Not sure", "unknown"),
            ],
        ),
        (_, Question::Reaction) => (
            "What happens when it's a reaction (for example hives, swelling)? Or \"skip\".".into(),
            vec![choice("Skip", "skip")],
        ),
        (_, Question::ConditionName) => (
            format!("What is {child}'s condition? (for example asthma, eczema, type 1 diabetes)"),
            Vec::new(),
        ),
        (_, Question::GuardianOnly) => (
            format!(
                "Who should see it: everyone caring for {child} (the nanny too), or guardians only?"
            ),
            vec![
                choice("Everyone caring", "shared"),
                choice("Guardians only", "private"),
            ],
        ),
        (_, Question::VaccineName) => (
            format!("Which vaccine did {child} have? As the card says, like MMR or DTaP."),
            Vec::new(),
        ),
        (_, Question::VaccineDate) => (
            "When was it given? (for example 3 March 2024)".into(),
            vec![choice("Today", "today")],
        ),
        (_, Question::VaccineDose) => (
            "Which dose was it (1, 2, 3...)? Or \"not sure\".".into(),
            vec![
                choice("1", "1"),
                choice("2", "2"),
                choice("3", "3"),
                choice("Not sure", "skip"),
            ],
        ),
        (_, Question::AppointmentDate) => (
            "Which day is the appointment? (for example 12 January, or tomorrow)".into(),
            vec![choice("Tomorrow", "tomorrow")],
        ),
        (_, Question::AppointmentTime) => (
            "At what time? (for example 10:30 or 3pm)".into(),
            Vec::new(),
        ),
        (_, Question::AppointmentWith) => (
            "Who is it with? (for example Dr Patel) Or \"skip\".".into(),
            vec![choice("Skip", "skip")],
        ),
        (_, Question::AppointmentPurpose) => (
            "What is it for? (for example a checkup, vaccines) Or \"skip\".".into(),
            vec![choice("Skip", "skip")],
        ),
        (_, Question::ProviderName) => (
            "What is the doctor's name? (for example Dr Patel, or the clinic's name)".into(),
            Vec::new(),
        ),
        (_, Question::ProviderPhone) => (
            "Their phone number? (so whoever is with the children can call) Or \"skip\".".into(),
            vec![choice("Skip", "skip")],
        ),
        (_, Question::Ingredients | Question::MaxMg(_)) => ("?".into(), Vec::new()),
    }
}

/// Why the last answer was not taken.
pub(super) fn problem(problem: &FieldError, at_summary: bool) -> String {
    match problem {
        FieldError::BadDate => "I couldn't read that date. Write it like 14 March 2022.".into(),
        FieldError::DateInFuture => "That date is in the future.".into(),
        FieldError::TooOld => {
            "That is more than 18 years ago: MedNanny keeps children's records.".into()
        }
        FieldError::BadName => "That doesn't look like a name.".into(),
        FieldError::DuplicateName(name) => {
            format!("There is already a child called {name} in the family.")
        }
        FieldError::UnknownChild { known } => {
            format!("I don't know that child. The children: {}.", known.join(", "))
        }
        FieldError::BadStrength => {
            "I couldn't read the strength. It's on the label, like \"160 mg/5 ml\" or \"200 mg tablets\"."
                .into()
        }
        FieldError::IngredientMissing => {
            "Which ingredient is that? Write it with the strength, like \"acetaminophen 160 mg/5 ml\"."
                .into()
        }
        FieldError::BadDose(e) => amount_error(e),
        FieldError::DoseUnitMismatch { expected } => {
            format!("The strength is per {expected}, so give the dose in {expected} (or mg).")
        }
        FieldError::BadSchedule => "I couldn't read how it is given.".into(),
        FieldError::TimesNeeded => {
            "Please say when: the times (like 8am and 8pm), or every how many hours.".into()
        }
        FieldError::BadInterval => {
            "The time between doses must be whole hours, from 1 to 72.".into()
        }
        FieldError::BadMaxDoses => {
            "The maximum must be a number of doses from 1 to 24, or \"none\".".into()
        }
        FieldError::BadMaxMg => "Write the maximum in mg, like 1000, or \"none\" (\"I don't know\" works only for acetaminophen and ibuprofen with a usual dose and a daily count on file).".into(),
        FieldError::MaxMgBelowOneDose {
            ingredient,
            one_dose_mg,
        } => format!(
            "That is less than one usual dose ({} mg of {ingredient}), so no dose could ever be given.",
            format_number(*one_dose_mg)
        ),
        FieldError::BadCourse => {
            "I couldn't read how long: \"ongoing\", \"for 10 days\" or \"until 20 December\".".into()
        }
        FieldError::EndsBeforeStart => "The course would end before it starts.".into(),
        FieldError::BadSeverity => "Say mild, moderate, severe or not sure.".into(),
        FieldError::TooLong => "That is too long; please keep it short.".into(),
        FieldError::BadDoseNumber => {
            "The dose number is the one on the vaccination card, from 1 to 10.".into()
        }
        FieldError::DateInPast => "That day has passed: an appointment is ahead of us.".into(),
        FieldError::TooFarAhead => "That is more than two years ahead.".into(),
        FieldError::BadTime => "I couldn't read that time. Write it like 10:30 or 3pm.".into(),
        FieldError::BadPhone => {
            "That doesn't look like a phone number: write its digits, like +1 555 010 2030.".into()
        }
        FieldError::NotAChange if at_summary => {
            "Say yes to save it, cancel to drop it, or tell me what to change (like \"every 6 hours\", \
             \"max 3 a day\", \"dose 7.5 ml\" or \"for 7 days\")."
                .into()
        }
        FieldError::BadRate => "Write an amount an hour, like 22.50.".into(),
        FieldError::NotAChange => "Please answer this question, or say cancel to stop.".into(),
        FieldError::Missing => "Please fill this in.".into(),
    }
}

/// The summary shown before saving.
pub(super) fn summary(form: &Form) -> String {
    let body = match form {
        Form::AddChild(d) => child_summary(d),
        Form::AddMedication(d) => medication_summary(d),
        Form::AddAllergy(d) => allergy_summary(d),
        Form::AddCondition(d) => condition_summary(d),
        Form::AddVaccination(d) => vaccination_summary(d),
        Form::AddAppointment(d) => appointment_summary(d),
        Form::AddProvider(d) => provider_summary(d),
    };
    let editing = match form {
        Form::AddAllergy(d) => d.editing.is_some(),
        Form::AddCondition(d) => d.editing.is_some(),
        Form::AddVaccination(d) => d.editing.is_some(),
        Form::AddAppointment(d) => d.editing.is_some(),
        Form::AddProvider(d) => d.editing.is_some(),
        // The medicine's summary says it is a change itself.
        Form::AddChild(_) | Form::AddMedication(_) => false,
    };
    let body = if editing {
        format!("Changed, on file once you say yes:\n{body}")
    } else {
        body
    };
    format!("{body}\nSave it? Say yes, cancel, or tell me what to change.")
}

fn child_summary(d: &ChildDraft) -> String {
    format!(
        "Add {}, born {}.",
        d.name.as_deref().unwrap_or("?"),
        d.birth_date.map(date).unwrap_or_default()
    )
}

fn child_name(child: &Option<(i64, String)>) -> &str {
    child.as_ref().map(|(_, n)| n.as_str()).unwrap_or("?")
}

fn condition_summary(d: &ConditionDraft) -> String {
    let who = if d.guardian_only == Some(true) {
        "guardians only"
    } else {
        "everyone caring for them sees it"
    };
    format!(
        "{}: {} ({who}).",
        child_name(&d.child),
        d.name.as_deref().unwrap_or("?")
    )
}

fn vaccination_summary(d: &VaccinationDraft) -> String {
    let dose = match d.dose_number {
        Some(Some(n)) => format!(", dose {n}"),
        _ => String::new(),
    };
    format!(
        "{}: {} vaccination on {}{dose}.",
        child_name(&d.child),
        d.vaccine.as_deref().unwrap_or("?"),
        d.given_on.map(date).unwrap_or_default()
    )
}

fn appointment_summary(d: &AppointmentDraft) -> String {
    let mut text = format!(
        "{}: appointment on {} at {}",
        child_name(&d.child),
        d.date
            .map(|d| d.format("%A %-d %B %Y").to_string())
            .unwrap_or_default(),
        d.time
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default()
    );
    if let Some(Some(with)) = &d.with {
        text.push_str(&format!(" with {with}"));
    }
    if let Some(Some(purpose)) = &d.purpose {
        text.push_str(&format!(" ({purpose})"));
    }
    text.push('.');
    text
}

fn provider_summary(d: &ProviderDraft) -> String {
    let mut text = d.name.clone().unwrap_or_default();
    if let Some(specialty) = &d.specialty {
        text.push_str(&format!(", {specialty}"));
    }
    match &d.phone {
        Some(Some(phone)) => text.push_str(&format!(", phone {phone}")),
        _ => text.push_str(", no phone"),
    }
    match d.editing {
        Some(_) => format!("{text}."),
        None => format!("Add {text}."),
    }
}

fn allergy_summary(d: &AllergyDraft) -> String {
    let mut text = format!(
        "{}: allergic to {} ({}).",
        d.child.as_ref().map(|(_, n)| n.as_str()).unwrap_or("?"),
        d.allergen.as_deref().unwrap_or("?"),
        d.severity.as_deref().unwrap_or("unknown"),
    );
    if let Some(Some(reaction)) = &d.reaction {
        text.push_str(&format!(" Reaction: {reaction}."));
    }
    text
}

fn medication_summary(d: &MedicationDraft) -> String {
    let child = d.child.as_ref().map(|(_, n)| n.as_str()).unwrap_or("?");
    let mut lines = vec![match d.editing {
        Some(_) => format!("{child}'s medicine, changed:"),
        None => format!("New medicine for {child}:"),
    }];
    let ingredients = d.ingredients.clone().unwrap_or_default();
    let strengths: Vec<String> = ingredients.iter().map(strength_text).collect();
    lines.push(format!(
        "• {} — {}",
        d.name.as_deref().unwrap_or("?"),
        strengths.join(" + ")
    ));
    if let Some(dose) = d.dose {
        let mg: Vec<String> = ingredients
            .iter()
            .filter_map(|s| {
                s.mg_in(dose)
                    .map(|mg| format!("{} mg {}", format_number(mg), s.ingredient))
            })
            .collect();
        let mg = if dose.unit == crate::domain::DoseUnit::Mg || mg.is_empty() {
            String::new()
        } else {
            format!(" ({})", mg.join(", "))
        };
        lines.push(format!("• Usual dose: {dose}{mg}"));
    }
    let proposed = d.proposed.as_ref();
    let mark = |flag: bool| if flag { " *" } else { "" };
    let interval = d
        .interval_hours
        .map(|h| {
            format!(
                "at least {h} hour{} apart{}",
                if h == 1 { "" } else { "s" },
                mark(proposed.is_some_and(|p| p.interval))
            )
        })
        .unwrap_or_default();
    lines.push(match &d.schedule {
        Some(Schedule::AsNeeded) | None => format!("• As needed, {interval}"),
        Some(Schedule::EveryHours { hours }) => format!("• Every {hours} hours ({interval})"),
        Some(Schedule::FixedTimes { times }) => format!(
            "• At {} ({interval})",
            times
                .iter()
                .map(|t| t.format("%H:%M").to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    match d.max_doses {
        Some(Some(n)) => lines.push(format!(
            "• At most {n} dose{} in 24 hours{}",
            if n == 1 { "" } else { "s" },
            mark(proposed.is_some_and(|p| p.max_doses))
        )),
        Some(None) => lines.push("• No maximum number of doses in 24 hours".into()),
        None => {}
    }
    for s in &ingredients {
        if let Some(mg) = s.max_mg_per_day {
            lines.push(format!(
                "• At most {} mg of {} in 24 hours{}",
                format_number(mg),
                s.ingredient,
                mark(proposed.is_some_and(|p| p.max_mg))
            ));
        }
    }
    match d.course {
        Some((Some(start), Some(end))) => lines.push(format!(
            "• From {} to {} (the last day)",
            date(start),
            date(end)
        )),
        Some((Some(start), None)) => lines.push(format!("• From {}, ongoing", date(start))),
        _ => {}
    }
    if let Some(p) = proposed.filter(|p| p.interval || p.max_doses || p.max_mg) {
        let mg = if p.max_mg {
            " The mg maximum is the label's count of the usual dose."
        } else {
            ""
        };
        lines.push(format!(
            "* From the children's {} label.{mg} If the doctor said otherwise, tell me (like \"every 6 hours\" or \"max 3 a day\").",
            p.ingredient
        ));
    }
    lines.join("\n")
}

/// A form's title and a field's label and example, for channels that show a whole form at once
/// (Slack modals; Slack allows 24 characters in a title).
pub(super) fn title(kind: FormKind) -> &'static str {
    match kind {
        FormKind::Child => "Add a child",
        FormKind::Medication => "Add a medicine",
        FormKind::Allergy => "Add an allergy",
        FormKind::Condition => "Add a condition",
        FormKind::Vaccination => "Add a vaccination",
        FormKind::Appointment => "Add an appointment",
        FormKind::Provider => "Add a doctor",
    }
}

pub(super) fn field(question: Question) -> (&'static str, &'static str) {
    match question {
        Question::Child => ("Child", ""),
        Question::ChildName => ("Name", "Emma"),
        Question::BirthDate => ("Birth date", "14 March 2022"),
        Question::MedicationName => ("Medicine (the name on the box)", "Children's Tylenol"),
        Question::Ingredients => (
            "Active ingredient and strength",
            "acetaminophen 160 mg/5 ml",
        ),
        Question::UsualDose => ("Usual dose (what the doctor or label says)", "5 ml"),
        Question::Schedule => ("How it is given", "as needed / every 8 hours / 8am and 8pm"),
        Question::Interval => ("Hours between doses (empty: the label's)", "6"),
        Question::MaxDoses => ("Most doses in 24 hours (empty: the label's, or none)", "4"),
        Question::MaxMg(_) => ("Most mg in 24 hours (optional)", "1000"),
        Question::Course => (
            "How long (empty: ongoing)",
            "for 10 days / until 20 December",
        ),
        Question::Allergen => ("Allergic to", "peanuts"),
        Question::Severity => ("Severity", "mild / moderate / severe / not sure"),
        Question::Reaction => ("Reaction (optional)", "hives, swelling"),
        Question::ConditionName => ("Condition", "asthma"),
        Question::GuardianOnly => ("Who sees it", "shared / private"),
        Question::VaccineName => ("Vaccine", "MMR"),
        Question::VaccineDate => ("Given on", "3 March 2024"),
        Question::VaccineDose => ("Dose number (optional)", "1"),
        Question::AppointmentDate => ("Day", "12 January"),
        Question::AppointmentTime => ("Time", "10:30"),
        Question::AppointmentWith => ("With (optional)", "Dr Patel"),
        Question::AppointmentPurpose => ("What for (optional)", "checkup"),
        Question::ProviderName => ("Name", "Dr Patel"),
        Question::ProviderPhone => ("Phone (optional)", "+1 555 010 2030"),
    }
}
