//! The rest of the record, one small draft each: a condition ("add condition for Leo: asthma",
//! guardians only or not), a vaccination ("add vaccination MMR for Emma on 3 March 2024, dose 1"),
//! an appointment ("add appointment for Emma with Dr Patel on 12 January at 10:30") and a provider
//! ("add paediatrician Dr Patel 555 010 2030").

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::words::{count, is_none, parse_date, Answer};
use super::{Draft, FieldError, FormContext, Question};
use crate::engine::command::parse_time;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConditionDraft {
    pub child: Option<(i64, String)>,
    pub name: Option<String>,
    /// Whether only guardians see it (caregivers and viewers do not).
    pub guardian_only: Option<bool>,
    /// The entry this draft changes; `None` adds one (the same in every draft here).
    #[serde(default)]
    pub editing: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VaccinationDraft {
    pub child: Option<(i64, String)>,
    pub vaccine: Option<String>,
    pub given_on: Option<NaiveDate>,
    /// `Some(None)`: asked, and the card does not say.
    pub dose_number: Option<Option<i32>>,
    #[serde(default)]
    pub editing: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppointmentDraft {
    pub child: Option<(i64, String)>,
    /// The day and time, in the family's time zone.
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    /// `Some(None)`: asked, and it is with nobody in particular.
    pub with: Option<Option<String>>,
    pub purpose: Option<Option<String>>,
    #[serde(default)]
    pub editing: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderDraft {
    pub name: Option<String>,
    /// What they are, when the command said it ("add paediatrician Dr Patel").
    pub specialty: Option<String>,
    /// `Some(None)`: asked, and there is no number to keep.
    pub phone: Option<Option<String>>,
    #[serde(default)]
    pub editing: Option<i64>,
}

/// Drafts holding an entry's current values, to change some of them.
impl ConditionDraft {
    pub fn editing(c: &crate::services::care::ConditionView, child: (i64, String)) -> Self {
        Self {
            child: Some(child),
            name: Some(c.name.clone()),
            guardian_only: Some(c.guardian_only),
            editing: Some(c.id),
        }
    }
}

impl VaccinationDraft {
    pub fn editing(v: &crate::services::care::VaccinationView, child: (i64, String)) -> Self {
        Self {
            child: Some(child),
            vaccine: Some(v.vaccine.clone()),
            given_on: Some(v.given_on),
            dose_number: Some(v.dose_number),
            editing: Some(v.id),
        }
    }
}

impl AppointmentDraft {
    /// The appointment's day and time in the family's zone.
    pub fn editing(
        a: &crate::services::care::AppointmentView,
        child: (i64, String),
        zone: chrono_tz::Tz,
    ) -> Self {
        let local = a.starts_at.with_timezone(&zone).naive_local();
        Self {
            child: Some(child),
            date: Some(local.date()),
            time: Some(local.time()),
            with: Some(a.with.clone()),
            purpose: Some(a.purpose.clone()),
            editing: Some(a.id),
        }
    }
}

impl ProviderDraft {
    pub fn editing(p: &crate::services::care::ProviderView) -> Self {
        Self {
            name: Some(p.name.clone()),
            specialty: p.specialty.clone(),
            phone: Some(p.phone.clone()),
            editing: Some(p.id),
        }
    }
}

/// A short label (a condition, a vaccine, a name): not empty, at most `max` characters.
fn short(text: &str, max: usize) -> Result<String, FieldError> {
    let text = text.trim().trim_end_matches('.').trim();
    if text.is_empty() {
        return Err(FieldError::BadName);
    }
    if text.chars().count() > max {
        return Err(FieldError::TooLong);
    }
    Ok(text.to_string())
}

/// The words after `lead` up to a consumed word, a comma or one of `stop`: consumed, lead too.
fn take_after(answer: &mut Answer, lead: &[&str], stop: &[&str]) -> Option<String> {
    let i =
        (0..answer.len()).find(|&i| !answer.tokens[i].used && lead.contains(&answer.norm(i)))?;
    let mut end = i + 1;
    while end < answer.len()
        && !answer.tokens[end].used
        && answer.norm(end) != ","
        && !stop.contains(&answer.norm(end))
    {
        end += 1;
    }
    let words: Vec<String> = answer.tokens[i + 1..end]
        .iter()
        .map(|t| t.raw.trim_end_matches(',').to_string())
        .collect();
    answer.consume(i..end);
    (!words.is_empty()).then(|| words.join(" "))
}

/// "Who should see it?": `true` for guardians only. The buttons' own labels read, typed, in
/// both languages ("Everyone caring", "Solo tutores"); a bare "yes" or "no" answers neither half
/// of the question, so it is asked again.
fn who_sees(answer: &str) -> Option<bool> {
    let folded = crate::domain::fold(answer.trim().trim_end_matches(['.', '!']));
    let words: Vec<&str> = folded.split_whitespace().collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let guardians = has(&[
        "guardians",
        "guardian",
        "private",
        "tutores",
        "tutor",
        "privada",
        "privado",
        "parents",
        "padres",
    ]);
    let everyone = has(&[
        "everyone",
        "everybody",
        "shared",
        "all",
        "caring",
        "nanny",
        "todos",
        "todas",
        "compartida",
        "compartido",
        "cuidan",
        "nana",
        "nanera",
        "ninera",
    ]);
    match (guardians, everyone) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

impl Draft for ConditionDraft {
    fn begin(&mut self, ctx: &FormContext<'_>) {
        self.child = ctx.only_child();
    }

    fn read_marked(
        &mut self,
        answer: &mut Answer,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        if let Some(child) = ctx.take_child(answer) {
            self.child = Some(child);
        }
        if answer.take_phrase(&["guardians", "only"])
            || answer.take_phrase(&["parents", "only"])
            || answer.take_word(&["private", "privada", "privado"])
        {
            self.guardian_only = Some(true);
        }
        if answer.take_word(&["shared", "compartida"])
            || answer.take_phrase(&["everyone", "can", "see"])
        {
            self.guardian_only = Some(false);
        }
        // "add condition for Leo: asthma": the punctuation and linking words name nothing.
        for t in &mut answer.tokens {
            if matches!(
                t.norm.as_str(),
                "has" | "tiene" | "is" | "with" | "diagnosed"
            ) {
                t.used = true;
            }
        }
        Ok(())
    }

    fn read_answer(
        &mut self,
        question: Question,
        residue: &str,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        match question {
            Question::Child => self.child = Some(ctx.child_named(residue)?),
            Question::ConditionName => self.name = Some(short(residue, 120)?),
            Question::GuardianOnly => {
                self.guardian_only = Some(who_sees(residue).ok_or(FieldError::NotAChange)?);
            }
            _ => {}
        }
        Ok(())
    }

    fn next_question(&self) -> Option<Question> {
        if self.child.is_none() {
            Some(Question::Child)
        } else if self.name.is_none() {
            Some(Question::ConditionName)
        } else if self.guardian_only.is_none() {
            Some(Question::GuardianOnly)
        } else {
            None
        }
    }

    fn check(&self) -> Result<(), (Question, FieldError)> {
        Ok(())
    }

    fn clear(&mut self, question: Question) {
        match question {
            Question::Child => self.child = None,
            Question::ConditionName => self.name = None,
            Question::GuardianOnly => self.guardian_only = None,
            _ => {}
        }
    }
}

/// A vaccination date: not in the future (the services also check it is not before birth).
fn check_vaccine_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if date > today {
        return Err(FieldError::DateInFuture);
    }
    Ok(date)
}

/// "dose 2", "2nd dose", "second dose", "dosis 2": the dose number.
fn take_dose_number(answer: &mut Answer) -> Option<Result<i32, FieldError>> {
    for i in 0..answer.len() {
        if answer.tokens[i].used {
            continue;
        }
        let (number, span) = if matches!(answer.norm(i), "dose" | "dosis") {
            (ordinal(answer.norm(i + 1)), i..i + 2)
        } else if matches!(answer.norm(i + 1), "dose" | "dosis") {
            (ordinal(answer.norm(i)), i..i + 2)
        } else {
            continue;
        };
        let Some(n) = number else {
            continue;
        };
        answer.consume(span.start..span.end.min(answer.len()));
        return Some(dose_number(n));
    }
    None
}

/// A vaccine dose number as the card writes it: 1 to 10.
fn dose_number(n: u32) -> Result<i32, FieldError> {
    match i32::try_from(n) {
        Ok(n) if (1..=10).contains(&n) => Ok(n),
        _ => Err(FieldError::BadDoseNumber),
    }
}

/// "2", "2nd", "second", "segunda".
fn ordinal(word: &str) -> Option<u32> {
    let word = word.trim_start_matches('#');
    let digits = word
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th")
        .trim_end_matches('º')
        .trim_end_matches('ª');
    if let Ok(n) = digits.parse::<u32>() {
        return Some(n);
    }
    match word {
        "first" | "primera" | "primer" => Some(1),
        "second" | "segunda" | "segundo" => Some(2),
        "third" | "tercera" | "tercer" => Some(3),
        "fourth" | "cuarta" => Some(4),
        "fifth" | "quinta" => Some(5),
        "booster" | "refuerzo" => None,
        other => count(other),
    }
}

impl Draft for VaccinationDraft {
    fn begin(&mut self, ctx: &FormContext<'_>) {
        self.child = ctx.only_child();
    }

    fn read_marked(
        &mut self,
        answer: &mut Answer,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        if let Some(child) = ctx.take_child(answer) {
            self.child = Some(child);
        }
        if let Some(number) = take_dose_number(answer) {
            self.dose_number = Some(Some(number?));
        }
        let date = match answer.take_date_after(&["on", "given", "el"], ctx.today, ctx.day_first) {
            Some(date) => Some(date?),
            None => answer.take_any_date(ctx.today, ctx.day_first),
        };
        if let Some(date) = date {
            self.given_on = Some(check_vaccine_date(date, ctx.today)?);
        }
        for t in &mut answer.tokens {
            if matches!(
                t.norm.as_str(),
                "had" | "got" | "her" | "his" | "the" | "shot"
            ) {
                t.used = true;
            }
        }
        Ok(())
    }

    fn read_answer(
        &mut self,
        question: Question,
        residue: &str,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        match question {
            Question::Child => self.child = Some(ctx.child_named(residue)?),
            Question::VaccineName => self.vaccine = Some(short(residue, 80)?),
            Question::VaccineDate => {
                let date =
                    parse_date(residue, ctx.today, ctx.day_first).ok_or(FieldError::BadDate)?;
                self.given_on = Some(check_vaccine_date(date, ctx.today)?);
            }
            Question::VaccineDose => {
                let word = residue.trim().to_lowercase();
                self.dose_number = Some(if is_none(&word) || super::words::is_unsure(&word) {
                    None
                } else {
                    Some(dose_number(
                        ordinal(&word).ok_or(FieldError::BadDoseNumber)?,
                    )?)
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn next_question(&self) -> Option<Question> {
        if self.child.is_none() {
            Some(Question::Child)
        } else if self.vaccine.is_none() {
            Some(Question::VaccineName)
        } else if self.given_on.is_none() {
            Some(Question::VaccineDate)
        } else if self.dose_number.is_none() {
            Some(Question::VaccineDose)
        } else {
            None
        }
    }

    fn check(&self) -> Result<(), (Question, FieldError)> {
        Ok(())
    }

    fn clear(&mut self, question: Question) {
        match question {
            Question::Child => self.child = None,
            Question::VaccineName => self.vaccine = None,
            Question::VaccineDate => self.given_on = None,
            Question::VaccineDose => self.dose_number = None,
            _ => {}
        }
    }
}

/// An appointment's day: a date said without its year that has passed this year is next year's
/// ("12 January", said in December).
fn appointment_date(text: &str, ctx: &FormContext<'_>) -> Option<NaiveDate> {
    let date = parse_date(text, ctx.today, ctx.day_first)?;
    let has_year = text
        .split(|c: char| !c.is_ascii_digit())
        .any(|part| part.len() == 4);
    if date < ctx.today && !has_year {
        return date.with_year(date.year() + 1);
    }
    Some(date)
}

fn check_appointment_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if date < today {
        return Err(FieldError::DateInPast);
    }
    if (date - today).num_days() > 2 * 366 {
        return Err(FieldError::TooFarAhead);
    }
    Ok(date)
}

/// A time of day written as one ("10:30", "3pm", "noon"); a bare number is not taken (it may be a
/// day).
fn clock_time(word: &str) -> Option<NaiveTime> {
    let looks_like_time = word.contains(':')
        || word.ends_with("am")
        || word.ends_with("pm")
        || word.ends_with("a.m")
        || word.ends_with("p.m")
        || matches!(word, "noon" | "midday");
    looks_like_time.then(|| parse_time(word)).flatten()
}

impl AppointmentDraft {
    fn take_time(answer: &mut Answer) -> Option<Result<NaiveTime, FieldError>> {
        for i in 0..answer.len() {
            if answer.tokens[i].used {
                continue;
            }
            if matches!(answer.norm(i), "at" | "a" | "las") {
                // "at 10:30", "at 3 pm", "at 10"
                let one = answer.norm(i + 1).to_string();
                let two = format!("{one}{}", answer.norm(i + 2));
                if matches!(answer.norm(i + 2), "am" | "pm") {
                    if let Some(t) = parse_time(&two) {
                        answer.consume(i..i + 3);
                        return Some(Ok(t));
                    }
                }
                if let Some(t) = parse_time(&one) {
                    answer.consume(i..i + 2);
                    return Some(Ok(t));
                }
                continue;
            }
            if let Some(t) = clock_time(answer.norm(i)) {
                answer.consume(i..i + 1);
                return Some(Ok(t));
            }
        }
        None
    }
}

impl Draft for AppointmentDraft {
    fn begin(&mut self, ctx: &FormContext<'_>) {
        self.child = ctx.only_child();
    }

    fn read_marked(
        &mut self,
        answer: &mut Answer,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        if let Some(child) = ctx.take_child(answer) {
            self.child = Some(child);
        }
        if let Some(time) = Self::take_time(answer) {
            self.time = Some(time?);
        }
        // The date, with or without "on": read before "with", so that "with Dr Patel 12 January"
        // leaves the doctor's name alone.
        let mut date = None;
        'outer: for len in (1..=4).rev() {
            for i in 0..answer.len().saturating_sub(len - 1) {
                if (i..i + len).any(|k| answer.tokens[k].used) {
                    continue;
                }
                let text: Vec<&str> = (i..i + len).map(|k| answer.norm(k)).collect();
                if let Some(d) = appointment_date(&text.join(" "), ctx) {
                    let lead = i.checked_sub(1).filter(|&p| {
                        !answer.tokens[p].used && matches!(answer.norm(p), "on" | "el")
                    });
                    answer.consume(lead.unwrap_or(i)..i + len);
                    date = Some(d);
                    break 'outer;
                }
            }
        }
        if let Some(date) = date {
            self.date = Some(check_appointment_date(date, ctx.today)?);
        }
        if let Some(purpose) = take_after(answer, &["about", "because", "reason", "por"], &[]) {
            self.purpose = Some(Some(short(&purpose, 200)?));
        }
        if let Some(with) = take_after(answer, &["with", "con"], &["about", "because"]) {
            self.with = Some(Some(short(&with, 80)?));
        }
        Ok(())
    }

    fn read_answer(
        &mut self,
        question: Question,
        residue: &str,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        match question {
            Question::Child => self.child = Some(ctx.child_named(residue)?),
            Question::AppointmentDate => {
                let date = appointment_date(residue, ctx).ok_or(FieldError::BadDate)?;
                self.date = Some(check_appointment_date(date, ctx.today)?);
            }
            Question::AppointmentTime => {
                let time = parse_time(residue).ok_or(FieldError::BadTime)?;
                self.time = Some(time);
            }
            Question::AppointmentWith => {
                let text = residue.trim();
                self.with = Some(if is_none(&text.to_lowercase()) {
                    None
                } else {
                    Some(short(text, 80)?)
                });
            }
            Question::AppointmentPurpose => {
                let text = residue.trim();
                self.purpose = Some(if is_none(&text.to_lowercase()) {
                    None
                } else {
                    Some(short(text, 200)?)
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn next_question(&self) -> Option<Question> {
        if self.child.is_none() {
            Some(Question::Child)
        } else if self.date.is_none() {
            Some(Question::AppointmentDate)
        } else if self.time.is_none() {
            Some(Question::AppointmentTime)
        } else if self.with.is_none() {
            Some(Question::AppointmentWith)
        } else if self.purpose.is_none() {
            Some(Question::AppointmentPurpose)
        } else {
            None
        }
    }

    fn check(&self) -> Result<(), (Question, FieldError)> {
        Ok(())
    }

    fn clear(&mut self, question: Question) {
        match question {
            Question::Child => self.child = None,
            Question::AppointmentDate => self.date = None,
            Question::AppointmentTime => self.time = None,
            Question::AppointmentWith => self.with = None,
            Question::AppointmentPurpose => self.purpose = None,
            _ => {}
        }
    }
}

/// What a provider is, for the words people use ("add paediatrician Dr Patel").
pub fn specialty(word: &str) -> Option<&'static str> {
    match word {
        "paediatrician" | "pediatrician" | "pediatra" | "paediatrics" | "pediatrics" => {
            Some("paediatrician")
        }
        "gp" | "family-doctor" => Some("family doctor"),
        "dentist" | "dentista" => Some("dentist"),
        "allergist" | "alergólogo" | "alergologo" => Some("allergist"),
        "pharmacy" | "pharmacist" | "farmacia" => Some("pharmacy"),
        "nurse" | "enfermera" => Some("nurse"),
        "therapist" | "terapeuta" => Some("therapist"),
        _ => None,
    }
}

/// A run of words that together write a phone number ("+1 555 010 2030", "(555) 010-2030").
fn take_phone(answer: &mut Answer) -> Option<Result<String, FieldError>> {
    let phone_char = |c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.');
    let mut i = 0;
    while i < answer.len() {
        let is_part = |k: usize| {
            !answer.tokens[k].used
                && answer.tokens[k].raw.chars().any(|c| c.is_ascii_digit())
                && answer.tokens[k].raw.chars().all(phone_char)
        };
        if !is_part(i) {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < answer.len() && is_part(end) {
            end += 1;
        }
        let text: Vec<String> = answer.tokens[i..end]
            .iter()
            .map(|t| t.raw.clone())
            .collect();
        let text = text.join(" ");
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if digits >= 6 {
            answer.consume(i..end);
            // A lead word before it ("phone", "tel") names nothing else.
            answer.take_word(&[
                "phone",
                "tel",
                "telephone",
                "number",
                "teléfono",
                "telefono",
            ]);
            return Some(if digits <= 15 {
                Ok(text)
            } else {
                Err(FieldError::BadPhone)
            });
        }
        i = end;
    }
    None
}

impl Draft for ProviderDraft {
    fn read_marked(
        &mut self,
        answer: &mut Answer,
        _ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        if let Some(phone) = take_phone(answer) {
            self.phone = Some(Some(phone?));
        }
        for t in &mut answer.tokens {
            if t.used {
                continue;
            }
            if let Some(s) = specialty(&t.norm) {
                self.specialty = Some(s.to_string());
                t.used = true;
            } else if matches!(
                t.norm.as_str(),
                "doctor" | "provider" | "médico" | "medico" | "doctora" | "our" | "the" | "is"
            ) {
                t.used = true;
            }
        }
        Ok(())
    }

    fn read_answer(
        &mut self,
        question: Question,
        residue: &str,
        _ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        match question {
            Question::ProviderName => self.name = Some(short(residue, 80)?),
            Question::ProviderPhone => {
                let text = residue.trim();
                self.phone = Some(if is_none(&text.to_lowercase()) {
                    None
                } else {
                    let mut answer = Answer::new(text);
                    match take_phone(&mut answer) {
                        Some(phone) if answer.residue().is_empty() => Some(phone?),
                        _ => return Err(FieldError::BadPhone),
                    }
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn next_question(&self) -> Option<Question> {
        if self.name.is_none() {
            Some(Question::ProviderName)
        } else if self.phone.is_none() {
            Some(Question::ProviderPhone)
        } else {
            None
        }
    }

    fn check(&self) -> Result<(), (Question, FieldError)> {
        Ok(())
    }

    fn clear(&mut self, question: Question) {
        match question {
            Question::ProviderName => self.name = None,
            Question::ProviderPhone => self.phone = None,
            _ => {}
        }
    }
}
