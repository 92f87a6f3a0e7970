//! English for why something was refused: a service's `Problem`, an amount or a temperature that
//! does not read. Each says what to fix and that nothing was written.

use super::format_number;
use crate::domain::{AmountError, TemperatureError};
use crate::join_tries::JoinLimit;
use crate::services::Problem;

pub(super) fn amount_error(e: &AmountError) -> String {
    match e {
        AmountError::Missing => "How much did you give? Add the amount, e.g. \"gave Emma 5 ml Tylenol\".".into(),
        AmountError::NotANumber(t) => format!("I couldn't read {t:?} as an amount. Use a number, e.g. 5 ml."),
        AmountError::UnknownUnit(u) if u.is_empty() => {
            "Please add the unit: ml, mg, tablets or drops (e.g. 5 ml).".into()
        }
        AmountError::UnknownUnit(u) => format!(
            "I can't record a dose in {u:?}. Please use ml, mg, tablets or drops — measure liquids with the syringe or cup that came with the medicine."
        ),
        AmountError::NotPositive => "The amount must be more than zero.".into(),
        AmountError::Implausible { amount, unit } => {
            format!("{amount} {unit} is not a plausible dose for a child. Please check the amount.")
        }
    }
}

pub(super) fn problem(p: &Problem) -> String {
    match p {
        Problem::Amount(e) => amount_error(e),
        Problem::Temperature(e) => temperature_error(e),
        Problem::UnitMismatch {
            medication,
            expected,
            given,
        } => {
            format!("{medication} is measured in {expected}, not {given}. Nothing was recorded.")
        }
        Problem::FutureTime => "That time is in the future. Nothing was recorded.".into(),
        Problem::TooFarInPast { days } => {
            format!("That is more than {days} days ago; ask a guardian to add it to the record. Nothing was recorded.")
        }
        Problem::EmptyText => {
            "There is nothing to save: add the text after the child's name.".into()
        }
        Problem::TextTooLong { max } => {
            format!("That is longer than {max} characters; please shorten it.")
        }
        Problem::BadName => "That name is empty or too long.".into(),
        Problem::BadTimezone(tz) => format!("{tz:?} is not a time zone (e.g. America/New_York)."),
        Problem::BadCountry(c) => format!("{c:?} is not a two-letter country code (e.g. US)."),
        Problem::InviteInvalid => {
            "That invite code is not valid. Check it with the person who sent it.".into()
        }
        Problem::InviteExpired => "That invite code has expired. Ask for a new one.".into(),
        Problem::InviteUsed => "That invite code was already used. Ask for a new one.".into(),
        Problem::AlreadyMember => "You are already a member of that family.".into(),
        Problem::MedicationInactive { medication, ended_on: Some(on) } => format!(
            "{medication} was stopped (its course ended {}), so no more doses of it are logged. Nothing was recorded: ask a guardian.",
            on.format("%-d %b")
        ),
        Problem::MedicationInactive { medication, ended_on: None } => format!(
            "{medication} is paused by a guardian, so no dose of it is logged until they resume it. Nothing was recorded."
        ),
        Problem::OutsideCourse {
            medication,
            starts_on,
            ends_on,
        } => {
            let dates = match (starts_on, ends_on) {
                (Some(start), Some(end)) => format!(
                    "from {} to {}",
                    start.format("%-d %b"),
                    end.format("%-d %b")
                ),
                (Some(start), None) => format!("from {}", start.format("%-d %b")),
                (None, Some(end)) => format!("until {}", end.format("%-d %b")),
                (None, None) => String::new(),
            };
            format!("{medication} is prescribed {dates}, so I can't check or record a dose today. A guardian can change the dates. Nothing was recorded.")
        }
        Problem::AlreadyVoided => "That dose was already undone.".into(),
        Problem::NotOnShift => "You are not on shift.".into(),
        Problem::BadRate => "A rate must be more than 0 and at most 1000 an hour, like 22.50. Nothing was changed.".into(),
        Problem::BadSchedule => "A scheduled shift needs its days and a start and an end time, like Mon-Fri 8-17. Nothing was changed.".into(),
        Problem::ClockOutBeforeClockIn => "That time is before the shift started. Nothing was changed.".into(),
        Problem::AlreadyOnShift => "You are already on shift.".into(),
        Problem::NotAMember => "Only members of the family can clock in or out.".into(),
        Problem::DuplicateChild(name) => format!(
            "The family already has a child called {name}. Use another name (a middle name or an initial) so it is always clear who a dose is for. Nothing was recorded."
        ),
        Problem::ImplausibleBirthDate => {
            "That birth date can't be right: it must be in the past and less than 18 years ago (this is a record for children). Nothing was recorded.".into()
        }
        Problem::BadSeverity(given) => {
            format!("\"{given}\" is not a severity: use mild, moderate, severe or unknown. Nothing was recorded.")
        }
        Problem::UnknownMeasurement(given) => {
            format!("I record weight (kg) and height (cm), not \"{given}\". Nothing was recorded.")
        }
        Problem::ImplausibleMeasurement { kind, value, unit } => format!(
            "{} {unit} is not a plausible {kind} for a child: please check it. Nothing was recorded.",
            format_number(*value)
        ),
        Problem::AmbiguousFamily(name) => {
            format!("Several families are called \"{name}\": use the family's number instead.")
        }
        Problem::IdentityTaken => "That account already belongs to someone else in MedNanny.".into(),
        Problem::LastGuardian => "That is the family's last active guardian, and a family can't be left without one: make someone else a guardian first (or erase the whole family). Nothing was changed.".into(),
        Problem::MemberRevoked => "That person's membership was revoked: invite them again instead. Nothing was changed.".into(),
        Problem::AlreadyInRole => "They already have that role. Nothing was changed.".into(),
        Problem::NotACaregiver => "Only a caregiver is assigned to children (guardians see them all): make them a caregiver first. Nothing was changed.".into(),
        Problem::NoIngredient => "A medication needs at least one active ingredient with its strength (like \"acetaminophen 160 mg/5 ml\"). Nothing was recorded.".into(),
        Problem::IntervalOutOfRange => "The time between doses must be between 30 minutes and 7 days. Nothing was recorded.".into(),
        Problem::BadStrength(given) => {
            format!("\"{given}\" is not a strength: write it like \"160 mg/5 ml\" or \"200 mg/tablet\". Nothing was recorded.")
        }
        Problem::CourseEndsBeforeStart => {
            "The course ends before it starts: check the start and end dates. Nothing was recorded.".into()
        }
        Problem::MedicationNotApproved { medication, denied: false } => format!(
            "{medication} is waiting for a guardian's approval, so no dose of it can be logged yet. \
             A guardian approves it with: approve. Nothing was recorded."
        ),
        Problem::MedicationNotApproved { medication, denied: true } => format!(
            "A guardian did not approve {medication}, so it cannot be given through MedNanny. \
             Nothing was recorded: ask a guardian."
        ),
        Problem::ApprovalReplaced { medication } => format!(
            "That request about {medication} was replaced by a newer one, so nothing was approved or denied. The one waiting is below."
        ),
        Problem::NotAwaitingApproval { medication } => format!(
            "{medication} is not waiting for approval: a guardian already decided. Nothing was changed."
        ),
        Problem::CourseAlreadyEnded { medication, on } => format!(
            "{medication}'s course already ended on {}. To give it again, add it as a new medication. Nothing was changed.",
            on.format("%-d %b")
        ),
        Problem::AlreadyPaused { medication } => format!(
            "{medication} is already paused. Resume it with: resume {medication}. Nothing was changed."
        ),
        Problem::NotPaused { medication } => format!(
            "{medication} is not paused: it can be given as usual. Nothing was changed."
        ),
        Problem::VaccinatedBeforeBirth { child, born } => format!(
            "That date is before {child} was born ({}): check the date on the vaccination card. Nothing was recorded.",
            born.format("%-d %b %Y")
        ),
        Problem::BadDoseNumber => "The dose number is the one on the vaccination card, from 1 to 10. Nothing was recorded.".into(),
        Problem::AppointmentNotAhead => "An appointment must be ahead of us, and within two years: check the date and time. Nothing was recorded.".into(),
        Problem::AlreadyInCare(child) => format!("{child} is already in active care. Nothing was changed."),
        Problem::NotInCare(child) => format!(
            "{child} is no longer in active care, so nothing new is recorded for them. A guardian can bring them back with: return {child} to care. Nothing was recorded."
        ),
        Problem::BadPhone(given) => format!(
            "\"{given}\" is not a phone number: write it with its digits, like +1 555 010 2030. Nothing was recorded."
        ),
        Problem::AlreadyLinked => "That WhatsApp number is already yours in MedNanny: nothing to link.".into(),
        Problem::LinkCodeWrong { left } => format!(
            "That code is not the one we sent. {left} {} left; or ask for a new code with link-whatsapp and your number.",
            if *left == 1 { "try" } else { "tries" }
        ),
        Problem::LinkCodeSpent => "That code was tried too many times and no longer works: ask for a new one with link-whatsapp and your number.".into(),
        Problem::TooManyJoinTries { limit, minutes } => {
            let wait = format!("{minutes} {}", if *minutes == 1 { "minute" } else { "minutes" });
            match limit {
                JoinLimit::Sender => format!(
                    "Too many wrong invite codes: wait {wait}, then try again. This code was not checked."
                ),
                JoinLimit::Flood => format!(
                    "Many wrong invite codes are being tried right now, so after a wrong one everyone waits: wait {wait}, then try again. This code was not checked."
                ),
            }
        }
    }
}

pub(super) fn temperature_error(e: &TemperatureError) -> String {
    match e {
        TemperatureError::NotANumber(t) => format!("I couldn't read {t:?} as a temperature, e.g. 38.4 or 101.2F."),
        TemperatureError::OutOfRange(t) => format!(
            "{t} is outside what a thermometer reads on a person. Please check it (e.g. 38.4 or 101.2F). Nothing was recorded."
        ),
    }
}
