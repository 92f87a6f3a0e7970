//! "Emma is allergic to peanuts": the child, the allergen, how severe, and the reaction.

use serde::{Deserialize, Serialize};

use super::words::{is_none, Answer};
use super::{Draft, FieldError, FormContext, Question};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AllergyDraft {
    pub child: Option<(i64, String)>,
    pub allergen: Option<String>,
    /// mild, moderate, severe or unknown (as the services store it).
    pub severity: Option<String>,
    /// `Some(None)`: asked, and there is nothing to add.
    pub reaction: Option<Option<String>>,
    /// The allergy this draft changes; `None` adds one.
    #[serde(default)]
    pub editing: Option<i64>,
}

impl AllergyDraft {
    pub fn editing(a: &crate::services::care::AllergyView, child: (i64, String)) -> Self {
        Self {
            child: Some(child),
            allergen: Some(a.allergen.clone()),
            severity: Some(a.severity.clone()),
            reaction: Some(a.reaction.clone()),
            editing: Some(a.id),
        }
    }
}

/// The stored severity for what people say ("anaphylaxis" is severe), a word or a button's label
/// typed ("Severe / anaphylaxis", "Not sure", "No lo sé").
pub fn severity(said: &str) -> Option<&'static str> {
    let folded = crate::domain::fold(said.trim().trim_end_matches(['.', '!']));
    if super::words::is_unsure(&folded) {
        return Some("unknown");
    }
    folded
        .split(|c: char| c.is_whitespace() || c == '/' || c == ',')
        .find_map(|word| match word {
            "mild" | "leve" | "light" => Some("mild"),
            "moderate" | "moderada" | "moderado" | "medium" => Some("moderate"),
            "severe" | "grave" | "serious" | "anaphylaxis" | "anaphylactic"
            | "life-threatening" | "severa" | "severo" | "anafilaxia" => Some("severe"),
            "unknown" | "unsure" | "desconocida" => Some("unknown"),
            _ => None,
        })
}

impl Draft for AllergyDraft {
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
        for i in 0..answer.len() {
            if answer.tokens[i].used {
                continue;
            }
            if let Some(s) = severity(answer.norm(i)) {
                // "not sure" reads as unknown too.
                answer.consume(i..i + 1);
                self.severity = Some(s.to_string());
                break;
            }
        }
        if answer.take_phrase(&["not", "sure"]) || answer.take_phrase(&["don't", "know"]) {
            self.severity.get_or_insert_with(|| "unknown".to_string());
        }
        // "allergic to peanuts", "alérgica a los cacahuetes": the allergen is what follows.
        let lead = (0..answer.len()).find(|&i| {
            !answer.tokens[i].used
                && matches!(
                    answer.norm(i),
                    "allergic" | "alérgica" | "alérgico" | "alergica" | "alergico" | "allergy"
                )
        });
        if let Some(i) = lead {
            let mut start = i + 1;
            while matches!(
                answer.norm(start),
                "to" | "a" | "al" | "los" | "las" | "la" | "el"
            ) {
                start += 1;
            }
            let mut end = start;
            while end < answer.len() && !answer.tokens[end].used && answer.norm(end) != "," {
                end += 1;
            }
            let allergen: Vec<String> = answer.tokens[start.min(end)..end]
                .iter()
                .map(|t| t.raw.clone())
                .collect();
            answer.consume(i..end);
            // "is allergic" leaves "is" behind; it names nothing.
            for t in &mut answer.tokens {
                if matches!(t.norm.as_str(), "is" | "es" | "has" | "an" | "add") {
                    t.used = true;
                }
            }
            if !allergen.is_empty() {
                self.allergen = Some(check_allergen(&allergen.join(" "))?);
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
            Question::Allergen => self.allergen = Some(check_allergen(residue)?),
            Question::Severity => {
                let word = residue.trim().to_lowercase();
                self.severity = Some(severity(&word).ok_or(FieldError::BadSeverity)?.to_string());
            }
            Question::Reaction => {
                let text = residue.trim();
                self.reaction = Some(if is_none(&text.to_lowercase()) {
                    None
                } else if text.chars().count() > 200 {
                    return Err(FieldError::TooLong);
                } else {
                    Some(text.to_string())
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn next_question(&self) -> Option<Question> {
        if self.child.is_none() {
            Some(Question::Child)
        } else if self.allergen.is_none() {
            Some(Question::Allergen)
        } else if self.severity.is_none() {
            Some(Question::Severity)
        } else if self.reaction.is_none() {
            Some(Question::Reaction)
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
            Question::Allergen => self.allergen = None,
            Question::Severity => self.severity = None,
            Question::Reaction => self.reaction = None,
            _ => {}
        }
    }
}

fn check_allergen(text: &str) -> Result<String, FieldError> {
    let allergen = text.trim().trim_end_matches('.').trim();
    if allergen.is_empty() {
        return Err(FieldError::BadName);
    }
    if allergen.chars().count() > 80 {
        return Err(FieldError::TooLong);
    }
    Ok(allergen.to_string())
}
