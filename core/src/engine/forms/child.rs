//! "add child Emma born 14 March 2022": a child's name and birth date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::words::{parse_date, Answer};
use super::{Draft, FieldError, FormContext, Question};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChildDraft {
    pub name: Option<String>,
    pub birth_date: Option<NaiveDate>,
}

/// How far back a birth date may be: MedNanny keeps children's records.
const MAX_AGE_YEARS: i32 = 18;

fn check_birth_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if date > today {
        return Err(FieldError::DateInFuture);
    }
    let oldest = today
        .with_year(today.year() - MAX_AGE_YEARS)
        .unwrap_or(today);
    if date < oldest {
        return Err(FieldError::TooOld);
    }
    Ok(date)
}

/// A child's name: letters (any alphabet), spaces, hyphens and apostrophes, up to 60 characters.
pub fn check_child_name(text: &str, ctx: &FormContext<'_>) -> Result<String, FieldError> {
    let name = text.trim().trim_end_matches('.').trim();
    let plausible = !name.is_empty()
        && name.chars().count() <= 60
        && name
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'));
    if !plausible {
        return Err(FieldError::BadName);
    }
    if ctx
        .children
        .iter()
        .any(|(_, existing)| existing.to_lowercase() == name.to_lowercase())
    {
        return Err(FieldError::DuplicateName(name.to_string()));
    }
    Ok(name.to_string())
}

/// "he's 5", "she is 3 years old", "2 yrs", "tiene 4 años": an age is not a birth date (the
/// form still asks for one), and its words are not the name.
fn take_age(answer: &mut Answer) {
    const UNITS: &[&str] = &[
        "years", "year", "yrs", "yr", "yo", "y/o", "months", "month", "mo", "weeks", "años",
        "anos", "año", "meses", "mes", "semanas",
    ];
    const LEADS: &[&str] = &[
        "he's", "she's", "he", "she", "is", "aged", "age", "tiene", "they're",
    ];
    for i in 0..answer.len() {
        let number = answer.norm(i);
        let is_number =
            number.parse::<f64>().is_ok() || super::words::count(number).is_some_and(|n| n > 0);
        if answer.tokens[i].used || !is_number {
            continue;
        }
        let unit = UNITS.contains(&answer.norm(i + 1));
        let lead_at = (i > 0 && LEADS.contains(&answer.norm(i - 1))).then(|| i - 1);
        // "he is 5": two words of lead.
        let lead_at = match lead_at {
            Some(at) if at > 0 && matches!(answer.norm(at - 1), "he" | "she") => Some(at - 1),
            other => other,
        };
        if !unit && lead_at.is_none() {
            continue;
        }
        let mut end = i + 1 + usize::from(unit);
        if unit && answer.norm(end) == "old" {
            end += 1;
        }
        answer.consume(lead_at.unwrap_or(i)..end);
    }
}

impl Draft for ChildDraft {
    fn read_marked(
        &mut self,
        answer: &mut Answer,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        for t in &mut answer.tokens {
            // "my son Sam was born on ...", "se llama Ada": the words around the name.
            if matches!(
                t.norm.as_str(),
                "named" | "called" | "llamado" | "llamada" | "was" | "se" | "llama"
            ) {
                t.used = true;
            }
        }
        let date = match answer.take_date_after(
            &["born", "nació", "nacio", "dob", "birthday"],
            ctx.today,
            ctx.day_first,
        ) {
            Some(date) => Some(date?),
            // A name never reads as a date, so a bare date is the birth date.
            None => answer.take_any_date(ctx.today, ctx.day_first),
        };
        if let Some(date) = date {
            self.birth_date = Some(check_birth_date(date, ctx.today)?);
        }
        // After the date: "born 3 May 2021" holds numbers that are no age.
        take_age(answer);
        Ok(())
    }

    fn read_answer(
        &mut self,
        question: Question,
        residue: &str,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        match question {
            Question::ChildName => self.name = Some(check_child_name(residue, ctx)?),
            Question::BirthDate => {
                let date =
                    parse_date(residue, ctx.today, ctx.day_first).ok_or(FieldError::BadDate)?;
                self.birth_date = Some(check_birth_date(date, ctx.today)?);
            }
            _ => {}
        }
        Ok(())
    }

    fn next_question(&self) -> Option<Question> {
        if self.name.is_none() {
            Some(Question::ChildName)
        } else if self.birth_date.is_none() {
            Some(Question::BirthDate)
        } else {
            None
        }
    }

    fn check(&self) -> Result<(), (Question, FieldError)> {
        Ok(())
    }

    fn clear(&mut self, question: Question) {
        match question {
            Question::ChildName => self.name = None,
            Question::BirthDate => self.birth_date = None,
            _ => {}
        }
    }
}
