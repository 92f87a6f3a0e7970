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

impl Draft for ChildDraft {
    fn read_marked(
        &mut self,
        answer: &mut Answer,
        ctx: &FormContext<'_>,
    ) -> Result<(), FieldError> {
        for t in &mut answer.tokens {
            if matches!(t.norm.as_str(), "named" | "called" | "llamado" | "llamada") {
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
