//! "add a medication for Leo": the product, its ingredients and strength, the usual dose, the
//! schedule, the limits (interval, doses and mg per 24 h) and the course.
//!
//! For the two common over-the-counter ingredients MedNanny *proposes* the label's limits and says
//! so; the guardian confirms or changes them. It never works a dose out from weight or age: the
//! usual dose is always what the guardian says.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::words::{
    course_end, is_none, parse_date, parse_dose, parse_ingredients, parse_max_mg, Answer,
};
use super::{Draft, FieldError, FormContext, Question};
use crate::domain::{format_number, DoseAmount, IngredientStrength, Schedule};
use crate::engine::command::parse_time;

/// The limits printed on the children's label of a common over-the-counter medicine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelLimits {
    pub ingredient: &'static str,
    pub every_hours: u32,
    pub max_doses_per_day: u32,
}

/// The label limits for an ingredient (or a brand that has only it), if MedNanny knows them:
/// acetaminophen/paracetamol every 4 hours, at most 5 doses in 24 hours; ibuprofen every 6 hours,
/// at most 4 doses in 24 hours (US and UK children's labels).
pub fn label_limits(name: &str) -> Option<LabelLimits> {
    let name = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&[
        "acetaminophen",
        "paracetamol",
        "tylenol",
        "calpol",
        "panadol",
        "tempra",
        "feverall",
    ]) {
        Some(LabelLimits {
            ingredient: if has(&["paracetamol", "calpol", "panadol"]) {
                "paracetamol"
            } else {
                "acetaminophen"
            },
            every_hours: 4,
            max_doses_per_day: 5,
        })
    } else if has(&["ibuprofen", "advil", "motrin", "nurofen"]) {
        Some(LabelLimits {
            ingredient: "ibuprofen",
            every_hours: 6,
            max_doses_per_day: 4,
        })
    } else {
        None
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MedicationDraft {
    pub child: Option<(i64, String)>,
    pub name: Option<String>,
    pub ingredients: Option<Vec<IngredientStrength>>,
    pub dose: Option<DoseAmount>,
    pub schedule: Option<Schedule>,
    pub interval_hours: Option<u32>,
    /// `Some(None)`: asked, and there is no maximum.
    pub max_doses: Option<Option<u32>>,
    /// Per ingredient: whether its daily maximum in mg was asked (the value is in `ingredients`).
    #[serde(default)]
    pub max_mg_asked: Vec<bool>,
    /// `Some((start, end))`: the course was given (`end: None` is ongoing).
    pub course: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// The limits MedNanny filled in from the label (said so in the summary until changed).
    #[serde(default)]
    pub proposed: Option<ProposedLimits>,
    /// The medication this draft changes ("change Emma's Tylenol dose to 7.5 ml"); `None` adds one.
    #[serde(default)]
    pub editing: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedLimits {
    pub ingredient: String,
    pub interval: bool,
    pub max_doses: bool,
    /// The daily mg maximum is the label's count of the usual dose ("I don't know" at its
    /// question): what the label allows, never more.
    #[serde(default)]
    pub max_mg: bool,
}

impl MedicationDraft {
    /// A draft holding a medication's current rules, to change some of them. An interval that is
    /// not whole hours is shown rounded up (never shorter than it was).
    pub fn editing(
        medication: &crate::services::care::MedicationView,
        child: (i64, String),
    ) -> Self {
        let minutes = medication.min_interval.num_minutes().max(60);
        let hours = u32::try_from((minutes + 59) / 60).unwrap_or(72);
        Self {
            child: Some(child),
            name: Some(medication.name.clone()),
            ingredients: Some(medication.ingredients.clone()),
            dose: Some(medication.dose),
            schedule: Some(medication.schedule.clone()),
            interval_hours: Some(hours),
            max_doses: Some(medication.max_doses_per_day),
            max_mg_asked: vec![true; medication.ingredients.len()],
            course: Some((medication.starts_on, medication.ends_on)),
            proposed: None,
            editing: Some(medication.id),
        }
    }

    /// The ingredient the product is known to contain, from its name ("Tylenol": acetaminophen).
    pub fn known_ingredient(&self) -> Option<&'static str> {
        self.name
            .as_deref()
            .and_then(label_limits)
            .map(|l| l.ingredient)
    }

    /// Milligrams of `ingredient` in one usual dose, when the units convert.
    pub fn mg_per_dose(&self, ingredient: &IngredientStrength) -> Option<f64> {
        self.dose.and_then(|dose| ingredient.mg_in(dose))
    }

    /// Once the ingredients are known: a single over-the-counter ingredient gets its label limits
    /// proposed, for whatever the guardian has not said yet.
    fn propose_label_limits(&mut self) {
        let Some(ingredients) = &self.ingredients else {
            return;
        };
        let [only] = ingredients.as_slice() else {
            return;
        };
        let Some(label) = label_limits(&only.ingredient) else {
            return;
        };
        let interval = self.interval_hours.is_none();
        let max_doses = self.max_doses.is_none();
        if !interval && !max_doses {
            return;
        }
        if interval {
            self.interval_hours = Some(label.every_hours);
        }
        if max_doses {
            self.max_doses = Some(Some(label.max_doses_per_day));
        }
        self.proposed = Some(ProposedLimits {
            ingredient: label.ingredient.to_string(),
            interval,
            max_doses,
            max_mg: false,
        });
    }

    /// "I don't know" at the daily mg maximum of acetaminophen or ibuprofen: the label's count of
    /// the usual dose (5 doses of 160 mg is 800 mg), marked as the label's. For anything else, or
    /// without a count and a dose in mg, the question stays: nothing is made up.
    fn propose_max_mg(&mut self, i: usize) -> Result<(), FieldError> {
        let (Some(ingredients), Some(Some(count))) = (self.ingredients.as_ref(), self.max_doses)
        else {
            return Err(FieldError::BadMaxMg);
        };
        let ingredient = ingredients.get(i).ok_or(FieldError::BadMaxMg)?;
        let label = label_limits(&ingredient.ingredient).ok_or(FieldError::BadMaxMg)?;
        let per_dose = self.mg_per_dose(ingredient).ok_or(FieldError::BadMaxMg)?;
        let mg = per_dose * f64::from(count);
        if let (Some(ingredients), Some(asked)) =
            (self.ingredients.as_mut(), self.max_mg_asked.get_mut(i))
        {
            if let Some(ingredient) = ingredients.get_mut(i) {
                ingredient.max_mg_per_day = Some(mg);
                *asked = true;
            }
        }
        let proposed = self.proposed.get_or_insert_with(|| ProposedLimits {
            ingredient: label.ingredient.to_string(),
            interval: false,
            max_doses: false,
            max_mg: false,
        });
        proposed.max_mg = true;
        Ok(())
    }

    fn set_interval(&mut self, hours: u32) {
        self.interval_hours = Some(hours);
        if let Some(p) = &mut self.proposed {
            p.interval = false;
        }
    }

    fn set_max_doses(&mut self, max: Option<u32>) {
        self.max_doses = Some(max);
        if let Some(p) = &mut self.proposed {
            p.max_doses = false;
        }
    }

    fn set_ingredients(&mut self, ingredients: Vec<IngredientStrength>) {
        self.max_mg_asked = vec![false; ingredients.len()];
        self.ingredients = Some(ingredients);
        self.propose_label_limits();
    }

    /// The usual dose must be in a unit the strength converts: ml of a liquid, tablets of a tablet
    /// (mg always converts).
    fn check_dose(&self, dose: DoseAmount) -> Result<DoseAmount, FieldError> {
        if let Some(ingredients) = &self.ingredients {
            if let Some(first) = ingredients.first() {
                if first.mg_in(dose).is_none() {
                    return Err(FieldError::DoseUnitMismatch {
                        expected: first.per_unit.label(2.0),
                    });
                }
            }
        }
        Ok(dose)
    }

    fn read_schedule(&mut self, answer: &mut Answer) -> Result<(), FieldError> {
        let as_needed = answer.take_as_needed();
        if let Some(hours) = answer.take_every_hours() {
            let hours = hours?;
            // "every 4 hours as needed": the interval of an as-needed medicine; "every 8 hours":
            // a regular schedule, whose doses are that far apart.
            self.set_interval(hours);
            if !as_needed && !matches!(self.schedule, Some(Schedule::AsNeeded)) {
                self.schedule = Some(Schedule::EveryHours { hours });
            }
        }
        if as_needed {
            self.schedule = Some(Schedule::AsNeeded);
        }
        if let Some(times) = take_times(answer)? {
            self.schedule = Some(Schedule::FixedTimes { times });
        }
        Ok(())
    }
}

/// "at 8am and 8pm", "at 8:00, 14:00 and 20:00": the times of a fixed schedule, consumed.
fn take_times(answer: &mut Answer) -> Result<Option<Vec<NaiveTime>>, FieldError> {
    let Some(at) = (0..answer.len())
        .find(|&i| !answer.tokens[i].used && matches!(answer.norm(i), "at" | "a" | "las"))
    else {
        return Ok(None);
    };
    let mut times = Vec::new();
    let mut end = at + 1;
    while end < answer.len() {
        let word = answer.norm(end);
        if matches!(word, "and" | "," | "y" | "las") {
            end += 1;
            continue;
        }
        // "8 am" as two words.
        let two = format!("{word}{}", answer.norm(end + 1));
        if matches!(answer.norm(end + 1), "am" | "pm") {
            match parse_time(&two) {
                Some(t) => {
                    times.push(t);
                    end += 2;
                    continue;
                }
                None => return Err(FieldError::BadSchedule),
            }
        }
        match parse_time(word) {
            Some(t) => {
                times.push(t);
                end += 1;
            }
            None => break,
        }
    }
    if times.is_empty() {
        return Ok(None);
    }
    answer.consume(at..end);
    times.sort();
    times.dedup();
    Ok(Some(times))
}

/// A schedule given as the answer to "how is it given?" without its marker words: "8am and 8pm".
fn bare_times(text: &str) -> Option<Vec<NaiveTime>> {
    let mut answer = Answer::new(&format!("at {text}"));
    let times = take_times(&mut answer).ok().flatten()?;
    answer.residue().is_empty().then_some(times)
}

impl Draft for MedicationDraft {
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
        self.read_schedule(answer)?;
        if let Some(hours) = answer.take_interval() {
            self.set_interval(hours?);
        }
        if let Some(max) = answer.take_max_doses() {
            self.set_max_doses(Some(max?));
        }
        // The course: "for 10 days", "from tomorrow", "until 20 December", "ongoing".
        let start = match answer.take_date_after(
            &["from", "starting", "starts", "desde"],
            ctx.today,
            ctx.day_first,
        ) {
            Some(date) => Some(date?),
            None => None,
        };
        let days = answer.take_for_days().transpose()?;
        let until = match answer.take_date_after(
            &["until", "till", "through", "hasta"],
            ctx.today,
            ctx.day_first,
        ) {
            Some(date) => Some(date?),
            None => None,
        };
        let ongoing = answer.take_word(&["ongoing", "indefinitely", "permanent"])
            || answer.take_phrase(&["no", "end"])
            || answer.take_phrase(&["long", "term"]);
        if start.is_some() || days.is_some() || until.is_some() || ongoing {
            let (old_start, old_end) = self.course.unwrap_or((None, None));
            let begins = start.or(old_start).unwrap_or(ctx.today);
            let ends = match (days, until) {
                (Some(days), _) => Some(course_end(begins, days)),
                (None, Some(until)) => Some(until),
                (None, None) if ongoing => None,
                (None, None) => old_end,
            };
            if ends.is_some_and(|end| end < begins) {
                return Err(FieldError::EndsBeforeStart);
            }
            self.course = Some((Some(begins), ends));
        }
        // "dose 7.5 ml", "the dose is a teaspoon".
        if let Some(i) = (0..answer.len())
            .find(|&i| !answer.tokens[i].used && matches!(answer.norm(i), "dose" | "dosis"))
        {
            let mut start = i + 1;
            while matches!(answer.norm(start), "is" | "to" | "of" | "es" | "de") {
                start += 1;
            }
            for len in (1..=4).rev() {
                if start + len > answer.len() {
                    continue;
                }
                let text: Vec<&str> = (start..start + len).map(|k| answer.norm(k)).collect();
                if let Ok(dose) = parse_dose(&text.join(" ")) {
                    self.dose = Some(self.check_dose(dose)?);
                    answer.consume(i..start + len);
                    break;
                }
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
        let lower = residue.trim().trim_end_matches('.').to_lowercase();
        match question {
            Question::Child => self.child = Some(ctx.child_named(residue)?),
            Question::MedicationName => {
                let name = residue.trim().trim_end_matches('.');
                if name.is_empty() || name.chars().count() > 80 {
                    return Err(FieldError::BadName);
                }
                self.name = Some(name.to_string());
            }
            Question::Ingredients => {
                let ingredients = parse_ingredients(residue, self.known_ingredient())?;
                self.set_ingredients(ingredients);
            }
            Question::UsualDose => {
                let dose = parse_dose(residue)?;
                self.dose = Some(self.check_dose(dose)?);
            }
            Question::Schedule => {
                if let Some(times) = bare_times(&lower) {
                    self.schedule = Some(Schedule::FixedTimes { times });
                } else if lower.contains("a day") || lower.contains("daily") {
                    // "twice a day" does not say when: the times, or every N hours.
                    return Err(FieldError::TimesNeeded);
                } else {
                    return Err(FieldError::BadSchedule);
                }
            }
            Question::Interval => {
                let number = lower
                    .trim_end_matches("hours")
                    .trim_end_matches("hour")
                    .trim_end_matches("hrs")
                    .trim_end_matches('h')
                    .trim();
                match number.parse::<u32>() {
                    Ok(h) if (1..=72).contains(&h) => self.set_interval(h),
                    _ => return Err(FieldError::BadInterval),
                }
            }
            Question::MaxDoses => {
                if is_none(&lower) {
                    self.set_max_doses(None);
                } else {
                    let n = lower
                        .split_whitespace()
                        .next()
                        .and_then(super::words::count)
                        .ok_or(FieldError::BadMaxDoses)?;
                    if !(1..=24).contains(&n) {
                        return Err(FieldError::BadMaxDoses);
                    }
                    self.set_max_doses(Some(n));
                }
            }
            Question::MaxMg(i) if super::words::is_unsure(&lower) => self.propose_max_mg(i)?,
            Question::MaxMg(i) => {
                let mg = parse_max_mg(&lower)?;
                if let (Some(ingredients), Some(asked)) =
                    (self.ingredients.as_mut(), self.max_mg_asked.get_mut(i))
                {
                    if let Some(ingredient) = ingredients.get_mut(i) {
                        ingredient.max_mg_per_day = mg;
                        *asked = true;
                    }
                }
            }
            Question::Course => {
                if is_none(&lower) || is_ongoing(&lower) {
                    self.course = Some((Some(ctx.today), None));
                } else if let Some(end) = parse_date(&lower, ctx.today, ctx.day_first) {
                    if end < ctx.today {
                        return Err(FieldError::EndsBeforeStart);
                    }
                    self.course = Some((Some(ctx.today), Some(end)));
                } else {
                    let mut answer = Answer::new(&format!("for {lower}"));
                    match answer.take_for_days() {
                        Some(days) if answer.residue().is_empty() => {
                            self.course =
                                Some((Some(ctx.today), Some(course_end(ctx.today, days?))))
                        }
                        _ => return Err(FieldError::BadCourse),
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn next_question(&self) -> Option<Question> {
        if self.child.is_none() {
            return Some(Question::Child);
        }
        if self.name.is_none() {
            return Some(Question::MedicationName);
        }
        if self.ingredients.is_none() {
            return Some(Question::Ingredients);
        }
        if self.dose.is_none() {
            return Some(Question::UsualDose);
        }
        if self.schedule.is_none() {
            return Some(Question::Schedule);
        }
        if self.interval_hours.is_none() {
            return Some(Question::Interval);
        }
        if self.max_doses.is_none() {
            return Some(Question::MaxDoses);
        }
        if let Some(i) = self.max_mg_asked.iter().position(|asked| !asked) {
            return Some(Question::MaxMg(i));
        }
        if self.course.is_none() {
            return Some(Question::Course);
        }
        None
    }

    fn check(&self) -> Result<(), (Question, FieldError)> {
        let Some(ingredients) = &self.ingredients else {
            return Ok(());
        };
        for (i, ingredient) in ingredients.iter().enumerate() {
            if let (Some(max), Some(one)) =
                (ingredient.max_mg_per_day, self.mg_per_dose(ingredient))
            {
                if max < one {
                    return Err((
                        Question::MaxMg(i),
                        FieldError::MaxMgBelowOneDose {
                            ingredient: ingredient.ingredient.clone(),
                            one_dose_mg: one,
                        },
                    ));
                }
            }
        }
        Ok(())
    }

    fn clear(&mut self, question: Question) {
        match question {
            Question::MaxMg(i) => {
                if let Some(asked) = self.max_mg_asked.get_mut(i) {
                    *asked = false;
                }
                if let Some(ingredient) = self.ingredients.as_mut().and_then(|v| v.get_mut(i)) {
                    ingredient.max_mg_per_day = None;
                }
            }
            Question::UsualDose => self.dose = None,
            Question::Interval => self.interval_hours = None,
            Question::MaxDoses => self.max_doses = None,
            Question::Course => self.course = None,
            _ => {}
        }
    }
}

/// "160 mg/5 ml": a strength as the summary shows it.
pub fn strength_text(s: &IngredientStrength) -> String {
    let per =
        if (s.per_amount - 1.0).abs() < f64::EPSILON && s.per_unit != crate::domain::DoseUnit::Ml {
            s.per_unit.label(1.0).to_string()
        } else {
            format!(
                "{} {}",
                format_number(s.per_amount),
                s.per_unit.label(s.per_amount)
            )
        };
    format!("{} {} mg/{per}", s.ingredient, format_number(s.mg))
}

/// "ongoing", "no end", "sin fecha de fin": a course without a last day.
fn is_ongoing(text: &str) -> bool {
    let text = crate::domain::fold(text.trim().trim_end_matches(['.', '!']));
    matches!(
        text.as_str(),
        "ongoing"
            | "none"
            | "no end"
            | "forever"
            | "no end date"
            | "indefinitely"
            | "sin fecha de fin"
            | "sin fin"
            | "sin fecha"
            | "indefinido"
            | "continuo"
            | "siempre"
    )
}
