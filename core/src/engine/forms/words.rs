//! Reading form answers: the message as tokens, and the small parsers for what forms ask about
//! (dates, durations, times, counts, strengths). Pure; each parser reports *why* an answer does
//! not read, so the form can re-ask with the reason.
//!
//! A form reads an answer in two passes. First the *marked* phrases, which say what they are
//! wherever they appear ("every 6 hours", "max 4 a day", "for 10 days", "born 14 March 2022"): they
//! fill their fields in any order and their tokens are consumed. What is left (the residue) is then
//! read as the answer to the question that was asked.

use chrono::{Duration, NaiveDate};

use super::FieldError;
use crate::domain::{parse_strength, DoseAmount, DoseUnit, IngredientStrength};

/// One word of an answer: as typed, and lowercased without surrounding punctuation.
#[derive(Debug, Clone)]
pub struct Token {
    pub raw: String,
    pub norm: String,
    pub used: bool,
}

/// An answer, split into words that the marked-phrase readers consume.
#[derive(Debug, Clone)]
pub struct Answer {
    pub tokens: Vec<Token>,
}

impl Answer {
    pub fn new(text: &str) -> Self {
        // "8am,8pm" and "every 6h;" read as separate words; a strength's slash stays inside its word.
        let spaced = text.replace([',', ';'], " , ");
        let tokens = spaced
            .split_whitespace()
            .map(|w| Token {
                raw: w.to_string(),
                norm: w
                    .trim_matches(|c: char| {
                        matches!(c, '?' | '!' | '"' | '(' | ')' | ':' | '“' | '”')
                    })
                    .trim_end_matches('.')
                    .to_lowercase(),
                used: false,
            })
            .collect();
        Self { tokens }
    }

    /// The words not consumed yet (punctuation-only words dropped), as typed.
    pub fn residue(&self) -> String {
        self.tokens
            .iter()
            .filter(|t| !t.used && t.norm != ",")
            .map(|t| t.raw.as_str())
            .collect::<Vec<_>>()
            .join(" ")
            .trim_matches(|c: char| c == ',' || c == '.' || c.is_whitespace())
            .to_string()
    }

    pub fn norm(&self, i: usize) -> &str {
        self.tokens.get(i).map(|t| t.norm.as_str()).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn consume(&mut self, range: std::ops::Range<usize>) {
        for t in &mut self.tokens[range] {
            t.used = true;
        }
    }

    /// Whether any unconsumed word is one of `words`; consumes it.
    pub fn take_word(&mut self, words: &[&str]) -> bool {
        let found = self
            .tokens
            .iter()
            .position(|t| !t.used && words.contains(&t.norm.as_str()));
        if let Some(i) = found {
            self.tokens[i].used = true;
        }
        found.is_some()
    }

    /// Finds an unconsumed phrase (a sequence of words) and consumes it.
    pub fn take_phrase(&mut self, phrase: &[&str]) -> bool {
        let n = phrase.len();
        if n == 0 || self.tokens.len() < n {
            return false;
        }
        for i in 0..=self.tokens.len() - n {
            if (0..n).all(|k| !self.tokens[i + k].used && self.tokens[i + k].norm == phrase[k]) {
                self.consume(i..i + n);
                return true;
            }
        }
        false
    }

    /// "every 6 hours", "every 6h", "q6h", "cada 6 horas": the hours, consumed.
    pub fn take_every_hours(&mut self) -> Option<Result<u32, FieldError>> {
        for i in 0..self.len() {
            if self.tokens[i].used {
                continue;
            }
            let w = self.norm(i).to_string();
            if let Some(h) = w.strip_prefix('q').and_then(|r| r.strip_suffix('h')) {
                if let Ok(h) = h.parse::<f64>() {
                    self.consume(i..i + 1);
                    return Some(hours(h));
                }
            }
            if matches!(w.as_str(), "every" | "cada") {
                if let Some((value, used)) = self.hours_at(i + 1) {
                    self.consume(i..i + 1 + used);
                    return Some(hours(value));
                }
            }
        }
        None
    }

    /// "4 hours", "4h", "4 hrs", "90 minutes" at word `i`: (hours, words used).
    fn hours_at(&self, i: usize) -> Option<(f64, usize)> {
        let w = self.norm(i);
        let glued_number: String = w
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        if glued_number.is_empty() {
            if matches!(w, "hour" | "hora") {
                return Some((1.0, 1));
            }
            return None;
        }
        let value: f64 = glued_number.replace(',', ".").parse().ok()?;
        let glued_unit = &w[glued_number.len()..];
        let (unit, used) = if glued_unit.is_empty() {
            (self.norm(i + 1), 2)
        } else {
            (glued_unit, 1)
        };
        match unit {
            "h" | "hr" | "hrs" | "hour" | "hours" | "horas" | "hora" => Some((value, used)),
            "min" | "mins" | "minutes" | "minutos" => Some((value / 60.0, used)),
            _ => None,
        }
    }

    /// "at least 4 hours apart", "4 hours apart", "min interval 4 h", "minimum 4 hours between".
    pub fn take_interval(&mut self) -> Option<Result<u32, FieldError>> {
        for i in 0..self.len() {
            if self.tokens[i].used {
                continue;
            }
            if let Some((value, used)) = self.hours_at(i) {
                let after = self.norm(i + used);
                if matches!(after, "apart" | "between") {
                    let start = if i >= 2 && self.norm(i - 2) == "at" && self.norm(i - 1) == "least"
                    {
                        i - 2
                    } else {
                        i
                    };
                    self.consume(start..i + used + 1);
                    return Some(hours(value));
                }
                let before = if i > 0 { self.norm(i - 1) } else { "" };
                if matches!(before, "interval" | "minimum" | "min" | "gap") {
                    let mut start = i - 1;
                    if start > 0 && matches!(self.norm(start - 1), "minimum" | "min") {
                        start -= 1;
                    }
                    self.consume(start..i + used);
                    return Some(hours(value));
                }
            }
        }
        None
    }

    /// "max 4 a day", "at most 5 doses", "no more than 4 doses in 24 hours", "up to 4 times a
    /// day", "4 doses a day max", "máximo 4 al día": the count, consumed.
    pub fn take_max_doses(&mut self) -> Option<Result<u32, FieldError>> {
        for i in 0..self.len() {
            if self.tokens[i].used {
                continue;
            }
            let w = self.norm(i);
            let lead = match w {
                "max" | "maximum" | "máximo" | "maximo" => Some(1),
                "most" if i > 0 && self.norm(i - 1) == "at" => Some(1),
                "up" if self.norm(i + 1) == "to" => Some(2),
                "than" if i > 1 && self.norm(i - 1) == "more" && self.norm(i - 2) == "no" => {
                    Some(1)
                }
                _ => None,
            };
            let Some(lead) = lead else { continue };
            let n_at = i + lead;
            let Some(n) = count(self.norm(n_at)) else {
                continue;
            };
            // What follows must be about doses per day, or nothing ("max 4").
            let mut end = n_at + 1;
            let mut per_day = false;
            while end < self.len() && end < n_at + 6 {
                match self.norm(end) {
                    "doses" | "dose" | "times" | "tomas" | "a" | "per" | "in" | "al" | "por" => {}
                    "day" | "día" | "dia" | "daily" | "24h" => per_day = true,
                    "24" if matches!(self.norm(end + 1), "hours" | "h" | "hrs" | "horas") => {
                        per_day = true;
                        end += 1;
                    }
                    _ => break,
                }
                end += 1;
            }
            // "max 75 mg a day" is a milligram limit, not a count.
            if matches!(self.norm(n_at + 1), "mg" | "ml") {
                continue;
            }
            let _ = per_day;
            let mut start = i;
            if w == "most" || w == "than" {
                start = i - if w == "most" { 1 } else { 2 };
            }
            self.consume(start..end);
            return Some(if (1..=24).contains(&n) {
                Ok(n)
            } else {
                Err(FieldError::BadMaxDoses)
            });
        }
        None
    }

    /// "as needed", "when needed", "if needed", "prn", "as required", "si hace falta".
    pub fn take_as_needed(&mut self) -> bool {
        self.take_word(&["prn"])
            || self.take_phrase(&["as", "needed"])
            || self.take_phrase(&["when", "needed"])
            || self.take_phrase(&["if", "needed"])
            || self.take_phrase(&["as", "required"])
            || self.take_phrase(&["when", "necessary"])
            || self.take_phrase(&["only", "when", "needed"])
            || self.take_phrase(&["si", "hace", "falta"])
            || self.take_phrase(&["cuando", "haga", "falta"])
    }

    /// "for 10 days", "for 2 weeks", "por 7 días": the number of days, consumed.
    pub fn take_for_days(&mut self) -> Option<Result<u32, FieldError>> {
        for i in 0..self.len() {
            if self.tokens[i].used || !matches!(self.norm(i), "for" | "por" | "durante") {
                continue;
            }
            let Some(n) = count(self.norm(i + 1)) else {
                continue;
            };
            let days = match self.norm(i + 2) {
                "day" | "days" | "días" | "dias" | "día" => n,
                "week" | "weeks" | "semana" | "semanas" => n * 7,
                _ => continue,
            };
            self.consume(i..i + 3);
            return Some(if (1..=365).contains(&days) {
                Ok(days)
            } else {
                Err(FieldError::BadCourse)
            });
        }
        None
    }

    /// A date introduced by one of `lead` ("born", "until", "from"): consumed with its lead word.
    pub fn take_date_after(
        &mut self,
        lead: &[&str],
        today: NaiveDate,
        day_first: bool,
    ) -> Option<Result<NaiveDate, FieldError>> {
        for i in 0..self.len() {
            if self.tokens[i].used || !lead.contains(&self.norm(i)) {
                continue;
            }
            let mut start = i + 1;
            if matches!(self.norm(start), "on" | "el") {
                start += 1;
            }
            for len in (1..=4).rev() {
                if start + len > self.len() {
                    continue;
                }
                let text: Vec<&str> = (start..start + len).map(|k| self.norm(k)).collect();
                if let Some(date) = parse_date(&text.join(" "), today, day_first) {
                    self.consume(i..start + len);
                    return Some(Ok(date));
                }
            }
            return Some(Err(FieldError::BadDate));
        }
        None
    }

    /// Any date in the answer (the longest reading wins), consumed.
    pub fn take_any_date(&mut self, today: NaiveDate, day_first: bool) -> Option<NaiveDate> {
        for len in (1..=4).rev() {
            for i in 0..self.len().saturating_sub(len - 1) {
                if (i..i + len).any(|k| self.tokens[k].used) {
                    continue;
                }
                let text: Vec<&str> = (i..i + len).map(|k| self.norm(k)).collect();
                if let Some(date) = parse_date(&text.join(" "), today, day_first) {
                    self.consume(i..i + len);
                    return Some(date);
                }
            }
        }
        None
    }
}

fn hours(value: f64) -> Result<u32, FieldError> {
    // Whole hours only: the dose check stores minutes, but nobody is told "every 4.3 hours".
    if value.fract() != 0.0 || !(1.0..=72.0).contains(&value) {
        return Err(FieldError::BadInterval);
    }
    Ok(value as u32)
}

/// A small count written as digits or words ("4", "four", "cuatro").
pub fn count(word: &str) -> Option<u32> {
    if let Ok(n) = word.parse::<u32>() {
        return Some(n);
    }
    const WORDS: [(&str, u32); 24] = [
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("nine", 9),
        ("ten", 10),
        ("twelve", 12),
        ("fourteen", 14),
        ("uno", 1),
        ("una", 1),
        ("dos", 2),
        ("tres", 3),
        ("cuatro", 4),
        ("cinco", 5),
        ("seis", 6),
        ("siete", 7),
        ("ocho", 8),
        ("diez", 10),
        ("doce", 12),
        ("catorce", 14),
    ];
    WORDS.iter().find(|(w, _)| *w == word).map(|(_, n)| *n)
}

const MONTHS: [(&str, u32); 24] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("ene", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abr", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("ago", 8),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("dic", 12),
];

fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .find(|(name, _)| w == *name || (w.starts_with(name) && name.len() == 3))
        .map(|(_, m)| *m)
}

/// Reads a date: "14 March 2022", "March 14, 2022", "14 de marzo de 2022", "2022-03-14",
/// "14/03/2022" (day first unless `day_first` is false, as in the US; a day over 12 settles it),
/// "today", "yesterday", "tomorrow", "14 March" (this year). `None` when it is not a date.
pub fn parse_date(text: &str, today: NaiveDate, day_first: bool) -> Option<NaiveDate> {
    let text = text.trim().trim_end_matches('.').to_lowercase();
    match text.as_str() {
        "today" | "hoy" => return Some(today),
        "yesterday" | "ayer" => return today.pred_opt(),
        "tomorrow" | "mañana" | "manana" => return today.succ_opt(),
        _ => {}
    }
    if let Ok(date) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        return Some(date);
    }
    if let Some((a, b, c)) = split3(&text, &['/', '.', '-']) {
        let (a, b, y) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?, year(c)?);
        let (d, m) = if a > 12 {
            (a, b)
        } else if b > 12 || !day_first {
            (b, a)
        } else {
            (a, b)
        };
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty() && !matches!(*w, "de" | "of" | "the"))
        .collect();
    let day = |w: &str| {
        w.trim_end_matches("st")
            .trim_end_matches("nd")
            .trim_end_matches("rd")
            .trim_end_matches("th")
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=31).contains(d))
    };
    let (d, m, y) = match words.as_slice() {
        [a, b, c] => match (day(a), month(b), month(a), day(b)) {
            (Some(d), Some(m), _, _) => (d, m, year(c)?),
            (_, _, Some(m), Some(d)) => (d, m, year(c)?),
            _ => return None,
        },
        [a, b] => {
            let (d, m) = match (day(a), month(b), month(a), day(b)) {
                (Some(d), Some(m), _, _) => (d, m),
                (_, _, Some(m), Some(d)) => (d, m),
                _ => return None,
            };
            (d, m, chrono::Datelike::year(&today))
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

fn split3<'a>(text: &'a str, seps: &[char]) -> Option<(&'a str, &'a str, &'a str)> {
    let mut parts = text.split(|c| seps.contains(&c));
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    parts.next().is_none().then_some((a, b, c))
}

fn year(text: &str) -> Option<i32> {
    let y: i32 = text.parse().ok()?;
    match text.len() {
        4 => Some(y),
        // "3/14/22": this century.
        2 => Some(2000 + y),
        _ => None,
    }
}

/// The last day of a course that runs `days` days from `start` (the first day counts).
pub fn course_end(start: NaiveDate, days: u32) -> NaiveDate {
    start + Duration::days(i64::from(days) - 1)
}

/// A usual dose as people say it: "5 ml", "7.5ml", "1 tablet", "half a tablet", "a teaspoon"
/// (5 ml), "half a teaspoon", "a tablespoon" (15 ml), "usually 5 ml".
pub fn parse_dose(text: &str) -> Result<DoseAmount, FieldError> {
    let lower = text.trim().trim_end_matches('.').to_lowercase();
    let words: Vec<&str> = lower
        .split_whitespace()
        .filter(|w| {
            !matches!(
                *w,
                "usually" | "give" | "dose" | "is" | "the" | "usual" | "of" | "each" | "time"
            )
        })
        .collect();
    let joined = words.join(" ");
    let household = |rest: &str| -> Option<f64> {
        match rest {
            "teaspoon" | "tsp" | "cucharadita" => Some(5.0),
            "tablespoon" | "tbsp" | "cucharada" => Some(15.0),
            _ => None,
        }
    };
    let (factor, rest) = match joined.split_once(' ') {
        Some(("half" | "½", rest)) => (0.5, rest.trim_start_matches("a ").trim()),
        Some(("a" | "one" | "1" | "una", rest)) => (1.0, rest),
        Some(("two" | "2", rest)) if household(rest.trim_end_matches('s')).is_some() => {
            (2.0, rest.trim_end_matches('s'))
        }
        _ => (1.0, joined.as_str()),
    };
    if let Some(ml) = household(rest.trim_end_matches('s')) {
        return DoseAmount::new(ml * factor, DoseUnit::Ml).map_err(FieldError::BadDose);
    }
    if factor == 0.5 {
        if let Some(unit) = DoseUnit::parse(rest) {
            return DoseAmount::new(0.5, unit).map_err(FieldError::BadDose);
        }
    }
    DoseAmount::parse(&joined).map_err(FieldError::BadDose)
}

/// The active ingredients and strengths: "acetaminophen 160 mg/5 ml", "160 mg/5 ml" (the
/// ingredient known from the brand), "200 mg tablets", "ibuprofen 100mg per 5ml",
/// "amoxicillin 400 mg/5 ml and clavulanate 57 mg/5 ml" (a combination, split on "and", "+", ";").
pub fn parse_ingredients(
    text: &str,
    known_ingredient: Option<&str>,
) -> Result<Vec<IngredientStrength>, FieldError> {
    let lower = text.to_lowercase().replace(" per ", "/");
    let parts: Vec<&str> = lower
        .split(['+', ';'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" y "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(FieldError::BadStrength);
    }
    let mut out = Vec::new();
    for part in parts {
        let at = part
            .find(|c: char| c.is_ascii_digit())
            .ok_or(FieldError::BadStrength)?;
        let name = part[..at].trim().trim_end_matches(':').trim();
        let strength = part[at..].trim();
        let ingredient = if name.is_empty() {
            known_ingredient
                .map(str::to_string)
                .ok_or(FieldError::IngredientMissing)?
        } else {
            name.to_string()
        };
        if ingredient.chars().count() > 60 {
            return Err(FieldError::BadStrength);
        }
        out.push(read_strength(&ingredient, strength)?);
    }
    Ok(out)
}

/// "160 mg/5 ml", "160mg/5ml", "200 mg tablets", "200 mg tablet", "200 mg/tablet", "500 mg capsules".
fn read_strength(ingredient: &str, text: &str) -> Result<IngredientStrength, FieldError> {
    let text = text.trim().trim_end_matches('.');
    let slashed = if text.contains('/') {
        text.to_string()
    } else {
        // "200 mg tablets" → "200 mg/tablet".
        let split = text
            .find(|c: char| c.is_ascii_alphabetic())
            .ok_or(FieldError::BadStrength)?;
        let (number, rest) = text.split_at(split);
        let mut words = rest.split_whitespace();
        let unit = words.next().unwrap_or("");
        let per = words.next().unwrap_or("");
        if per.is_empty() {
            return Err(FieldError::BadStrength);
        }
        format!("{number}{unit}/{per}")
    };
    let strength = parse_strength(ingredient, &slashed).map_err(|_| FieldError::BadStrength)?;
    if !(strength.mg > 0.0 && strength.per_amount > 0.0) || strength.per_unit == DoseUnit::Mg {
        return Err(FieldError::BadStrength);
    }
    Ok(strength)
}

/// A maximum in mg per 24 hours: "75 mg", "1000", "none". `Ok(None)` means no limit was given.
pub fn parse_max_mg(text: &str) -> Result<Option<f64>, FieldError> {
    let lower = text.trim().trim_end_matches('.').to_lowercase();
    if is_none(&lower) {
        return Ok(None);
    }
    let number = lower
        .trim_end_matches("a day")
        .trim_end_matches("per day")
        .trim_end_matches("/day")
        .trim()
        .trim_end_matches("mg")
        .trim();
    match number.replace(',', ".").parse::<f64>() {
        Ok(mg) if mg > 0.0 && mg <= 10_000.0 => Ok(Some(mg)),
        _ => Err(FieldError::BadMaxMg),
    }
}

/// "none", "no", "skip", "no limit", "n/a", "ninguno".
pub fn is_none(text: &str) -> bool {
    matches!(
        crate::domain::fold(text.trim().trim_end_matches('.')).as_str(),
        "none"
            | "omitir"
            | "saltar"
            | "sin maximo"
            | "sin limite"
            | "no maximum dose"
            | "no"
            | "skip"
            | "no limit"
            | "no max"
            | "no maximum"
            | "n/a"
            | "na"
            | "-"
            | "nothing"
            | "ninguno"
            | "ninguna"
            | "nada"
    )
}

/// "I don't know", "not sure", "no lo sé": the person does not know the answer. Never read as
/// "none" (a maximum nobody knows is not no maximum).
pub fn is_unsure(text: &str) -> bool {
    let text = crate::domain::fold(text.trim().trim_end_matches(['.', '!']));
    matches!(
        text.as_str(),
        "i don't know"
            | "i dont know"
            | "don't know"
            | "dont know"
            | "idk"
            | "not sure"
            | "i'm not sure"
            | "im not sure"
            | "no idea"
            | "unknown"
            | "no se"
            | "no lo se"
            | "ni idea"
            | "no estoy segura"
            | "no estoy seguro"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid")
    }

    #[test]
    fn dates_read_the_ways_people_write_them() {
        let today = d(2026, 12, 3);
        let cases = [
            ("14 March 2022", true, Some(d(2022, 3, 14))),
            ("March 14, 2022", true, Some(d(2022, 3, 14))),
            ("14th mar 2022", true, Some(d(2022, 3, 14))),
            ("14 de marzo de 2022", true, Some(d(2022, 3, 14))),
            ("2022-03-14", true, Some(d(2022, 3, 14))),
            ("14/03/2022", true, Some(d(2022, 3, 14))),
            ("03/14/2022", true, Some(d(2022, 3, 14))),
            ("03/04/2022", true, Some(d(2022, 4, 3))),
            ("03/04/2022", false, Some(d(2022, 3, 4))),
            ("3/4/22", false, Some(d(2022, 3, 4))),
            ("today", true, Some(today)),
            ("tomorrow", true, Some(d(2026, 12, 4))),
            ("20 december", true, Some(d(2026, 12, 20))),
            ("31 February 2022", true, None),
            ("Emma", true, None),
            ("14", true, None),
        ];
        for (text, day_first, expected) in cases {
            assert_eq!(parse_date(text, today, day_first), expected, "{text}");
        }
    }

    #[test]
    fn marked_phrases_are_read_in_any_order() {
        let mut a = Answer::new("every 6 hours, max 4 a day");
        assert_eq!(a.take_every_hours(), Some(Ok(6)));
        assert_eq!(a.take_max_doses(), Some(Ok(4)));
        assert_eq!(a.residue(), "");

        let mut a = Answer::new("at most 5 doses in 24 hours, at least 4 hours apart, as needed");
        assert_eq!(a.take_max_doses(), Some(Ok(5)));
        assert_eq!(a.take_interval(), Some(Ok(4)));
        assert!(a.take_as_needed());
        assert_eq!(a.residue(), "");

        let mut a = Answer::new("no more than 4 times a day");
        assert_eq!(a.take_max_doses(), Some(Ok(4)));

        let mut a = Answer::new("Amoxil for 10 days");
        assert_eq!(a.take_for_days(), Some(Ok(10)));
        assert_eq!(a.residue(), "Amoxil");

        let mut a = Answer::new("every 0 hours");
        assert_eq!(a.take_every_hours(), Some(Err(FieldError::BadInterval)));
        let mut a = Answer::new("every 96 hours");
        assert_eq!(a.take_every_hours(), Some(Err(FieldError::BadInterval)));
        // A milligram limit is not a count of doses.
        let mut a = Answer::new("max 75 mg a day");
        assert_eq!(a.take_max_doses(), None);
    }

    #[test]
    fn doses_and_strengths() {
        assert_eq!(
            parse_dose("a teaspoon"),
            Ok(DoseAmount {
                value: 5.0,
                unit: DoseUnit::Ml
            })
        );
        assert_eq!(
            parse_dose("half a tablet"),
            Ok(DoseAmount {
                value: 0.5,
                unit: DoseUnit::Tablet
            })
        );
        assert_eq!(
            parse_dose("usually 7.5 ml"),
            Ok(DoseAmount {
                value: 7.5,
                unit: DoseUnit::Ml
            })
        );
        assert!(parse_dose("some").is_err());

        let s = parse_ingredients("acetaminophen 160 mg/5 ml", None).expect("reads");
        assert_eq!(
            (s[0].ingredient.as_str(), s[0].mg, s[0].per_amount),
            ("acetaminophen", 160.0, 5.0)
        );
        let s = parse_ingredients("160mg/5ml", Some("acetaminophen")).expect("reads");
        assert_eq!(s[0].ingredient, "acetaminophen");
        let s = parse_ingredients("ibuprofen 200 mg tablets", None).expect("reads");
        assert_eq!((s[0].per_amount, s[0].per_unit), (1.0, DoseUnit::Tablet));
        let s = parse_ingredients("amoxicillin 400 mg/5 ml and clavulanate 57 mg/5 ml", None)
            .expect("reads");
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].ingredient, "clavulanate");
        assert_eq!(
            parse_ingredients("160 mg/5 ml", None),
            Err(FieldError::IngredientMissing)
        );
        assert_eq!(
            parse_ingredients("acetaminophen strong", None),
            Err(FieldError::BadStrength)
        );
        assert_eq!(
            parse_ingredients("acetaminophen 160 mg", None),
            Err(FieldError::BadStrength)
        );
    }
}
