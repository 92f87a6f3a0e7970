//! The dose-safety rules: the core promise that nobody double-doses a child. Start reading here.
//!
//! # The rules
//! A proposed dose is checked against its medication's rules and every non-voided dose the child had —
//! by anyone, on any channel, of any product — that shares one of its active ingredients
//! ([`sharing_ingredient`]): acetaminophen in a cold remedy counts toward Children's Tylenol.
//! - the minimum interval, both ways (a back-dated dose can also be too close to a later one);
//! - at most `max_doses_per_day` such doses in any 24 hours ([`DAY`]) containing the dose;
//! - at most `max_mg_per_day` of each ingredient in any such 24 hours;
//! - no more than the medication's usual single amount.
//!
//! [`assess`] says which rules a dose would break, [`conflicting_dose`] which earlier dose a refusal
//! names, [`next_allowed_at`] when the usual dose breaks none, [`allowed_now`] whether "can she have it
//! now?" is yes, [`others_recent`] which doses by other people a reply calls out, and [`course`]
//! whether the day is within the medication's course.
//!
//! # Fail closed
//! The check is only as good as what it reads, so every stored input is decoded here, strictly: the
//! medication's ingredients, usual dose, limits and schedule ([`Medication::from_row`]), each earlier
//! dose ([`prior_dose`]), and the clock against the record ([`DoseContext::new`]). What cannot be read
//! gives an [`Uncheckable`] reason and never a default: an empty ingredient list, a missing earlier dose
//! or an ignored limit would each make a dose look safe without anyone noticing. When the check cannot
//! be done the answer is "I can't check this dose safely right now": nothing is logged unless a
//! guardian explicitly overrides (the dose is then flagged `unchecked` and the other guardians are
//! told), "allowed now" is never said and no next time is made up. The refusal is logged (reason code
//! and ids only) and audited.
//!
//! # Where the inputs come from
//! `Services::dose_contexts` (in `services/care.rs`) is the one loader: in the caller's transaction it
//! reads the child's doses from `at - load_window(..)` onwards and builds a [`DoseContext`] per
//! medication with the functions here. `log_dose`, `check_dose` and the dashboard use only that; the
//! service acts on the verdict inside the same transaction, so two people logging at the same instant
//! cannot both pass.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{dose_log, medication};
use serde::{Deserialize, Serialize};

use crate::domain::{DoseAmount, DoseUnit, IngredientStrength, Schedule};

/// The daily limits count doses in any 24 hours (real hours: across a daylight-saving change too).
pub const DAY: Duration = Duration::hours(24);

/// A phone a few minutes fast is not "the future": a dose may be logged this far ahead of now. It is
/// also how far the record may be ahead of the clock before the clock is distrusted (see
/// [`Uncheckable::Clock`]): no write can be further ahead unless the clock has since gone back.
pub const CLOCK_TOLERANCE: Duration = Duration::minutes(5);

/// The shortest and longest minimum interval a medication may have. Shorter than half an hour is no
/// interval at all (and zero or less would switch the interval rule off); longer than a week is not a
/// medicine given "every so often". Adding a medication applies the same bounds.
pub const MIN_INTERVAL_BOUNDS: (Duration, Duration) = (Duration::minutes(30), Duration::days(7));

/// How far before `at` the doses that matter reach: a day for the daily limits, the interval when it
/// is longer, and an hour's margin. (Doses after `at` are all read: a back-dated dose is also checked
/// against later ones, and the clock check needs the newest.)
pub fn load_window(min_interval: Duration) -> Duration {
    Duration::hours(25).max(min_interval + Duration::hours(1))
}

/// Why the check cannot be done. Each is a fact about stored data (or the clock), never about the
/// person asking; the code is what logs and audits carry — never amounts, names or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uncheckable {
    /// The medication's active ingredients or strengths cannot be read, or it has none.
    MedicationIngredients,
    /// Its usual dose (amount or unit) cannot be read or does not convert to mg of its ingredients.
    MedicationDose,
    /// Its minimum interval, daily maximum or an ingredient's daily mg cannot be read or is not sane.
    MedicationLimits,
    /// Its schedule cannot be read.
    MedicationSchedule,
    /// One of the child's earlier doses cannot be read (its amounts per ingredient, amount or unit).
    /// It may share an ingredient with this one, so no verdict can leave it out.
    PriorDose { dose_id: i64 },
    /// The record is ahead of the clock: a dose of the child was given or recorded more than
    /// [`CLOCK_TOLERANCE`] after now. Writes are never that far ahead, so the clock has gone back (or
    /// the row is wrong), and "24 hours ago" or "4 hours since" cannot be trusted. A clock that jumped
    /// *forward* cannot be told from a quiet week without another clock to compare with; that is the
    /// host's NTP's job.
    Clock,
}

impl Uncheckable {
    pub fn code(&self) -> &'static str {
        match self {
            Uncheckable::MedicationIngredients => "medication_ingredients",
            Uncheckable::MedicationDose => "medication_dose",
            Uncheckable::MedicationLimits => "medication_limits",
            Uncheckable::MedicationSchedule => "medication_schedule",
            Uncheckable::PriorDose { .. } => "prior_dose",
            Uncheckable::Clock => "clock",
        }
    }
}

/// The limits of one medication (applied to every dose sharing one of its ingredients).
#[derive(Debug, Clone, PartialEq)]
pub struct DoseRules {
    pub min_interval: Duration,
    pub max_doses_per_day: Option<u32>,
    /// Per active ingredient: at most this many mg in any 24 hours.
    pub max_mg_per_day: BTreeMap<String, f64>,
    /// The medication's usual single amount, in mg per ingredient (for "more than the usual dose").
    /// Holds every ingredient of the medication, so its keys are the medication's ingredients.
    pub usual_mg: BTreeMap<String, f64>,
}

/// A medication as the check needs it, every part of it read.
#[derive(Debug, Clone, PartialEq)]
pub struct Medication {
    pub id: i64,
    pub ingredients: Vec<IngredientStrength>,
    /// The usual single dose.
    pub dose: DoseAmount,
    pub rules: DoseRules,
}

impl Medication {
    /// Decodes a stored medication for the check, or says which part cannot be read.
    pub fn from_row(row: &medication::Model) -> Result<Self, Uncheckable> {
        let ingredients = medication_ingredients(row)?;
        let dose = usual_dose(row)?;
        let usual_mg =
            ingredient_mg(&ingredients, dose.unit, dose).ok_or(Uncheckable::MedicationDose)?;
        let minutes = i64::from(row.min_interval_minutes);
        let min_interval = Duration::minutes(minutes);
        let (shortest, longest) = MIN_INTERVAL_BOUNDS;
        if min_interval < shortest || min_interval > longest {
            return Err(Uncheckable::MedicationLimits);
        }
        // No maximum is a choice a guardian can make; a maximum below one dose a day is not.
        let max_doses_per_day = match row.max_doses_per_day {
            None => None,
            Some(n) => match u32::try_from(n) {
                Ok(n) if n >= 1 => Some(n),
                _ => return Err(Uncheckable::MedicationLimits),
            },
        };
        let mut max_mg_per_day = BTreeMap::new();
        for strength in &ingredients {
            if let Some(max) = strength.max_mg_per_day {
                if !(max.is_finite() && max > 0.0) {
                    return Err(Uncheckable::MedicationLimits);
                }
                max_mg_per_day.insert(strength.ingredient.clone(), max);
            }
        }
        // The check itself does not use the schedule, but a schedule that cannot be read means the
        // row is damaged, and the rest of it cannot be trusted either.
        Schedule::parse(&row.schedule_kind, row.schedule_times.as_deref())
            .ok_or(Uncheckable::MedicationSchedule)?;
        Ok(Self {
            id: row.id,
            ingredients,
            dose,
            rules: DoseRules {
                min_interval,
                max_doses_per_day,
                max_mg_per_day,
                usual_mg,
            },
        })
    }

    /// Milligrams of each ingredient in `amount`; `None` when its unit is neither this medication's
    /// nor mg (tablets of a liquid).
    pub fn ingredient_mg(&self, amount: DoseAmount) -> Option<BTreeMap<String, f64>> {
        ingredient_mg(&self.ingredients, self.dose.unit, amount)
    }
}

/// A medication's active ingredients, read strictly: at least one, each named once, with a finite,
/// positive strength. Used alone when a guardian overrides an uncheckable dose, so the dose still
/// records what it held whenever that can be read.
pub fn medication_ingredients(
    row: &medication::Model,
) -> Result<Vec<IngredientStrength>, Uncheckable> {
    let unreadable = Uncheckable::MedicationIngredients;
    let ingredients: Vec<IngredientStrength> =
        serde_json::from_str(&row.ingredients).map_err(|_| unreadable)?;
    if ingredients.is_empty() {
        return Err(unreadable);
    }
    let mut names = std::collections::BTreeSet::new();
    for s in &ingredients {
        let sane = |x: f64| x.is_finite() && x > 0.0;
        let name = s.ingredient.trim();
        if name.is_empty()
            || name != s.ingredient
            || !names.insert(name)
            || !sane(s.mg)
            || !sane(s.per_amount)
        {
            return Err(unreadable);
        }
    }
    Ok(ingredients)
}

/// A medication's usual single dose, read strictly.
pub fn usual_dose(row: &medication::Model) -> Result<DoseAmount, Uncheckable> {
    let unit = DoseUnit::parse(&row.dose_unit).ok_or(Uncheckable::MedicationDose)?;
    if !(row.dose_amount.is_finite() && row.dose_amount > 0.0) {
        return Err(Uncheckable::MedicationDose);
    }
    Ok(DoseAmount {
        value: row.dose_amount,
        unit,
    })
}

/// Milligrams of each ingredient in `amount` of a medication measured in `unit`; `None` when the
/// amount's unit is neither that unit nor mg, or the result is not a finite amount.
pub fn ingredient_mg(
    ingredients: &[IngredientStrength],
    unit: DoseUnit,
    amount: DoseAmount,
) -> Option<BTreeMap<String, f64>> {
    if amount.unit != unit && amount.unit != DoseUnit::Mg {
        return None;
    }
    ingredients
        .iter()
        .map(|s| {
            let mg = s.mg_in(amount).filter(|mg| mg.is_finite())?;
            Some((s.ingredient.clone(), mg))
        })
        .collect()
}

/// A dose already given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorDose {
    pub id: i64,
    pub given_at: DateTime<Utc>,
    pub given_by_member_id: Option<i64>,
    pub medication_id: i64,
    /// Milligrams of each active ingredient in this dose.
    pub ingredient_mg: BTreeMap<String, f64>,
}

impl PriorDose {
    fn shares_ingredient_with(&self, ingredients: &BTreeMap<String, f64>) -> bool {
        self.ingredient_mg
            .keys()
            .any(|ingredient| ingredients.contains_key(ingredient))
    }
}

/// Decodes a stored dose for the check, strictly: its mg per ingredient (at least one, each finite and
/// positive), its amount and its unit.
pub fn prior_dose(row: &dose_log::Model) -> Result<PriorDose, Uncheckable> {
    let unreadable = Uncheckable::PriorDose { dose_id: row.id };
    let ingredient_mg: BTreeMap<String, f64> =
        serde_json::from_str(&row.ingredient_mg).map_err(|_| unreadable)?;
    let sane = |mg: &f64| mg.is_finite() && *mg > 0.0;
    if ingredient_mg.is_empty()
        || !ingredient_mg
            .iter()
            .all(|(name, mg)| !name.trim().is_empty() && sane(mg))
        || DoseUnit::parse(&row.unit).is_none()
        || !sane(&row.amount)
    {
        return Err(unreadable);
    }
    Ok(PriorDose {
        id: row.id,
        given_at: row.given_at,
        given_by_member_id: row.given_by_member_id,
        medication_id: row.medication_id,
        ingredient_mg,
    })
}

/// The doses in `prior` that share an ingredient with `ingredients` (mg per ingredient: a proposed
/// dose, or a medication's usual dose): the only doses any rule counts.
pub fn sharing_ingredient<'a>(
    prior: &'a [PriorDose],
    ingredients: &'a BTreeMap<String, f64>,
) -> impl DoubleEndedIterator<Item = &'a PriorDose> + 'a {
    prior
        .iter()
        .filter(move |d| d.shares_ingredient_with(ingredients))
}

/// Everything one check needs, all of it read: the medication, the child's doses around `at`, and the
/// times. Built only by [`DoseContext::new`], so holding one means the check can be done.
#[derive(Debug, Clone, PartialEq)]
pub struct DoseContext {
    pub medication: Medication,
    /// The child's non-voided doses from `at - load_window` on, oldest first (any medication).
    pub prior: Vec<PriorDose>,
    /// When the dose is (or would be) given.
    pub at: DateTime<Utc>,
    /// The clock now (`at` differs for a back-dated dose).
    pub now: DateTime<Utc>,
}

impl DoseContext {
    /// Decodes the medication and the child's doses (`rows`: non-voided, from `at - load_window` on,
    /// oldest first), or says why the check cannot be done.
    pub fn new(
        medication: &medication::Model,
        rows: &[dose_log::Model],
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Self, Uncheckable> {
        let ahead = now + CLOCK_TOLERANCE;
        if rows
            .iter()
            .any(|r| r.given_at > ahead || r.recorded_at > ahead)
        {
            return Err(Uncheckable::Clock);
        }
        let medication = Medication::from_row(medication)?;
        let prior = rows.iter().map(prior_dose).collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            medication,
            prior,
            at,
            now,
        })
    }

    pub fn rules(&self) -> &DoseRules {
        &self.medication.rules
    }

    /// The verdict on giving `proposed_mg` at `at`.
    pub fn assess(&self, proposed_mg: &BTreeMap<String, f64>) -> Assessment {
        assess(self.rules(), &self.prior, self.at, proposed_mg)
    }

    /// The verdict on the usual dose at `at` ("can she have it?").
    pub fn assess_usual(&self) -> Assessment {
        self.assess(&self.rules().usual_mg)
    }

    /// When the usual dose is next allowed, from now (or from `at`, if that is later).
    pub fn next_allowed_at(&self) -> DateTime<Utc> {
        next_allowed_at(self.rules(), &self.prior, self.now.max(self.at))
    }

    /// The newest dose sharing an ingredient with the medication, given at or before `at`.
    pub fn last_dose(&self) -> Option<&PriorDose> {
        latest_sharing(&self.prior, self.at, &self.rules().usual_mg)
    }
}

/// The newest dose in `prior` sharing an ingredient with `ingredients`, given at or before `at`.
pub fn latest_sharing<'a>(
    prior: &'a [PriorDose],
    at: DateTime<Utc>,
    ingredients: &'a BTreeMap<String, f64>,
) -> Option<&'a PriorDose> {
    sharing_ingredient(prior, ingredients)
        .filter(|d| d.given_at <= at)
        .max_by_key(|d| d.given_at)
}

/// The earlier dose a refusal names: the one too close in time, else the newest one sharing an
/// ingredient (the one the daily limits were counted up to).
pub fn conflicting_dose(
    assessment: &Assessment,
    prior: &[PriorDose],
    at: DateTime<Utc>,
    proposed_mg: &BTreeMap<String, f64>,
) -> Option<i64> {
    assessment
        .concerns
        .iter()
        .find_map(|c| match c {
            Concern::TooSoon { previous, .. } => Some(previous.id),
            _ => None,
        })
        .or_else(|| latest_sharing(prior, at, proposed_mg).map(|d| d.id))
}

/// Whether the usual dose may be given now, from its assessment: when it breaks no rule. (Its being
/// above the usual dose can only be a rounding artefact of the usual dose itself.) There is no
/// "allowed" without an assessment, and no assessment without a [`DoseContext`].
pub fn allowed_now(assessment: &Assessment) -> bool {
    assessment
        .concerns
        .iter()
        .all(|c| matches!(c, Concern::AboveUsualDose { .. }))
}

/// The doses a reply calls out by name: in the 24 hours up to `dose`, sharing an ingredient with it,
/// given by someone else.
pub fn others_recent(prior: &[PriorDose], dose: &PriorDose) -> Vec<i64> {
    sharing_ingredient(prior, &dose.ingredient_mg)
        .filter(|d| {
            d.id != dose.id
                && d.given_at > dose.given_at - DAY
                && d.given_at <= dose.given_at
                && d.given_by_member_id != dose.given_by_member_id
        })
        .map(|d| d.id)
        .collect()
}

/// Whether a medication may be given on a day (in the family's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Course {
    Allowed,
    /// The medication was stopped.
    Inactive,
    /// Before its first day or after its last.
    Outside,
}

/// The course check: a medication is given only while active and within its start and end dates.
pub fn course(
    day: NaiveDate,
    active: bool,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
) -> Course {
    if !active {
        Course::Inactive
    } else if starts_on.is_some_and(|start| day < start) || ends_on.is_some_and(|end| day > end) {
        Course::Outside
    } else {
        Course::Allowed
    }
}

/// A rule the proposed dose would break.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Concern {
    /// Another dose of the same ingredient is closer in time than the minimum interval.
    TooSoon {
        previous: PriorDose,
        allowed_from: DateTime<Utc>,
    },
    /// More doses of the ingredient in 24 hours than allowed.
    TooManyDoses { count: u32, max: u32 },
    /// More mg of an ingredient in 24 hours than allowed.
    TooMuchIngredient {
        ingredient: String,
        total_mg: f64,
        max_mg: f64,
    },
    /// More than the medication's usual single amount.
    AboveUsualDose { usual_mg: f64, given_mg: f64 },
}

impl Concern {
    /// Whether giving this dose goes past a *daily maximum* (a poisoning risk: Poison Help is named).
    pub fn exceeds_daily_maximum(&self) -> bool {
        matches!(
            self,
            Concern::TooManyDoses { .. } | Concern::TooMuchIngredient { .. }
        )
    }

    pub fn code(&self) -> &'static str {
        match self {
            Concern::TooSoon { .. } => "too_soon",
            Concern::TooManyDoses { .. } => "too_many_doses",
            Concern::TooMuchIngredient { .. } => "too_much_ingredient",
            Concern::AboveUsualDose { .. } => "above_usual_dose",
        }
    }
}

/// The verdict on a proposed dose.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub concerns: Vec<Concern>,
    /// Doses sharing an ingredient in the 24 hours up to the proposed time (not counting it).
    pub doses_in_last_day: u32,
}

impl Assessment {
    pub fn is_safe(&self) -> bool {
        self.concerns.is_empty()
    }
}

/// Assesses giving `proposed_mg` (mg per ingredient) at `at`, against `prior` doses.
pub fn assess(
    rules: &DoseRules,
    prior: &[PriorDose],
    at: DateTime<Utc>,
    proposed_mg: &BTreeMap<String, f64>,
) -> Assessment {
    let day = DAY;
    let relevant: Vec<&PriorDose> = sharing_ingredient(prior, proposed_mg).collect();
    let mut concerns = Vec::new();

    // Minimum interval, both ways: a back-dated dose can also be too close to a later one.
    if let Some(closest) = relevant
        .iter()
        .filter(|d| (d.given_at - at).abs() < rules.min_interval)
        .max_by_key(|d| d.given_at)
    {
        concerns.push(Concern::TooSoon {
            previous: (*closest).clone(),
            allowed_from: closest.given_at + rules.min_interval,
        });
    }

    // Every 24-hour window that contains `at` must stay within the limits. Windows start at `at` or
    // at a dose within the day before it; checking each such start covers every window.
    let mut starts: Vec<DateTime<Utc>> = relevant
        .iter()
        .map(|d| d.given_at)
        .filter(|t| *t <= at && *t > at - day)
        .collect();
    starts.push(at);
    let mut worst_count = 0u32;
    let mut worst_mg: BTreeMap<String, f64> = BTreeMap::new();
    for start in starts {
        let end = start + day;
        let in_window: Vec<&&PriorDose> = relevant
            .iter()
            .filter(|d| d.given_at >= start && d.given_at < end)
            .collect();
        let count = in_window.len() as u32 + 1;
        worst_count = worst_count.max(count);
        for (ingredient, mg) in proposed_mg {
            let total: f64 = mg
                + in_window
                    .iter()
                    .filter_map(|d| d.ingredient_mg.get(ingredient))
                    .sum::<f64>();
            let entry = worst_mg.entry(ingredient.clone()).or_insert(0.0);
            *entry = entry.max(total);
        }
    }
    if let Some(max) = rules.max_doses_per_day {
        if worst_count > max {
            concerns.push(Concern::TooManyDoses {
                count: worst_count,
                max,
            });
        }
    }
    for (ingredient, max_mg) in &rules.max_mg_per_day {
        if let Some(total) = worst_mg.get(ingredient) {
            if *total > max_mg + 1e-6 {
                concerns.push(Concern::TooMuchIngredient {
                    ingredient: ingredient.clone(),
                    total_mg: *total,
                    max_mg: *max_mg,
                });
            }
        }
    }
    for (ingredient, usual) in &rules.usual_mg {
        if let Some(given) = proposed_mg.get(ingredient) {
            if *given > usual + 1e-6 {
                concerns.push(Concern::AboveUsualDose {
                    usual_mg: *usual,
                    given_mg: *given,
                });
            }
        }
    }

    let doses_in_last_day = relevant
        .iter()
        .filter(|d| d.given_at <= at && d.given_at > at - day)
        .count() as u32;
    Assessment {
        concerns,
        doses_in_last_day,
    }
}

/// The earliest time at or after `now` when the usual dose breaks no rule.
pub fn next_allowed_at(
    rules: &DoseRules,
    prior: &[PriorDose],
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let day = DAY;
    let mut at = now;
    // Each step moves past one blocking dose, so this ends within a few steps; the bound is a guard.
    for _ in 0..64 {
        let assessment = assess(rules, prior, at, &rules.usual_mg);
        let mut later = at;
        for concern in &assessment.concerns {
            match concern {
                Concern::TooSoon { allowed_from, .. } => later = later.max(*allowed_from),
                Concern::TooManyDoses { .. } | Concern::TooMuchIngredient { .. } => {
                    // The oldest relevant dose in the last day must drop out of the window.
                    if let Some(oldest) = sharing_ingredient(prior, &rules.usual_mg)
                        .map(|d| d.given_at)
                        .filter(|t| *t > at - day && *t <= at)
                        .min()
                    {
                        later = later.max(oldest + day);
                    }
                }
                Concern::AboveUsualDose { .. } => {}
            }
        }
        if later == at {
            return at;
        }
        at = later;
    }
    at
}

#[cfg(test)]
mod tests;
