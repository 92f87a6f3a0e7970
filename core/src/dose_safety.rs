//! The dose-safety rules, as pure functions: the core promise that nobody double-doses a child.
//!
//! Given a medication's rules, every non-voided dose the child had (by anyone, on any channel, of any
//! product) and a proposed dose, `assess` says which rules the dose would break, and
//! `next_allowed_at` says when the usual dose would break none. Doses count *by active ingredient*:
//! acetaminophen in a cold remedy counts toward the acetaminophen limits of Children's Tylenol.
//! The service layer loads the inputs and acts on the verdict inside one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The limits of one medication (applied to every dose sharing one of its ingredients).
#[derive(Debug, Clone, PartialEq)]
pub struct DoseRules {
    pub min_interval: Duration,
    pub max_doses_per_day: Option<u32>,
    /// Per active ingredient: at most this many mg in any 24 hours.
    pub max_mg_per_day: BTreeMap<String, f64>,
    /// The medication's usual single amount, in mg per ingredient (for "more than the usual dose").
    pub usual_mg: BTreeMap<String, f64>,
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
    fn shares_ingredient_with(&self, rules: &BTreeMap<String, f64>) -> bool {
        self.ingredient_mg
            .keys()
            .any(|ingredient| rules.contains_key(ingredient))
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

const DAY_HOURS: i64 = 24;

/// Assesses giving `proposed_mg` (mg per ingredient) at `at`, against `prior` doses.
pub fn assess(
    rules: &DoseRules,
    prior: &[PriorDose],
    at: DateTime<Utc>,
    proposed_mg: &BTreeMap<String, f64>,
) -> Assessment {
    let day = Duration::hours(DAY_HOURS);
    let relevant: Vec<&PriorDose> = prior
        .iter()
        .filter(|d| d.shares_ingredient_with(proposed_mg))
        .collect();
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
    let day = Duration::hours(DAY_HOURS);
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
                    if let Some(oldest) = prior
                        .iter()
                        .filter(|d| d.shares_ingredient_with(&rules.usual_mg))
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
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64, m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
            .single()
            .expect("valid")
            + Duration::minutes(h * 60 + m)
    }

    fn mg(ingredient: &str, amount: f64) -> BTreeMap<String, f64> {
        BTreeMap::from([(ingredient.to_string(), amount)])
    }

    fn acetaminophen_rules() -> DoseRules {
        DoseRules {
            min_interval: Duration::hours(4),
            max_doses_per_day: Some(5),
            max_mg_per_day: mg("acetaminophen", 800.0),
            usual_mg: mg("acetaminophen", 160.0),
        }
    }

    fn dose(id: i64, at: DateTime<Utc>, ingredient: &str, amount: f64) -> PriorDose {
        PriorDose {
            id,
            given_at: at,
            given_by_member_id: Some(1),
            medication_id: 1,
            ingredient_mg: mg(ingredient, amount),
        }
    }

    #[test]
    fn table_of_verdicts() {
        let rules = acetaminophen_rules();
        struct Case {
            name: &'static str,
            prior: Vec<PriorDose>,
            at: DateTime<Utc>,
            given_mg: f64,
            expect: &'static [&'static str],
        }
        let cases = vec![
            Case {
                name: "first dose",
                prior: vec![],
                at: t(8, 0),
                given_mg: 160.0,
                expect: &[],
            },
            Case {
                name: "after the interval",
                prior: vec![dose(1, t(8, 0), "acetaminophen", 160.0)],
                at: t(12, 0),
                given_mg: 160.0,
                expect: &[],
            },
            Case {
                name: "one minute early",
                prior: vec![dose(1, t(8, 0), "acetaminophen", 160.0)],
                at: t(11, 59),
                given_mg: 160.0,
                expect: &["too_soon"],
            },
            Case {
                name: "other ingredient does not count",
                prior: vec![dose(1, t(8, 0), "ibuprofen", 100.0)],
                at: t(9, 0),
                given_mg: 160.0,
                expect: &[],
            },
            Case {
                name: "back-dated dose before a later one",
                prior: vec![dose(1, t(12, 0), "acetaminophen", 160.0)],
                at: t(10, 0),
                given_mg: 160.0,
                expect: &["too_soon"],
            },
            Case {
                name: "sixth dose in 24 h",
                prior: (0..5)
                    .map(|i| dose(i, t(i * 4, 0), "acetaminophen", 100.0))
                    .collect(),
                at: t(20, 0),
                given_mg: 100.0,
                expect: &["too_many_doses"],
            },
            Case {
                name: "daily mg exceeded before the dose count",
                prior: (0..4)
                    .map(|i| dose(i, t(i * 4, 0), "acetaminophen", 160.0))
                    .collect(),
                at: t(16, 0),
                given_mg: 200.0,
                expect: &["too_much_ingredient", "above_usual_dose"],
            },
            Case {
                name: "window slides: the old dose dropped out",
                prior: (0..5)
                    .map(|i| dose(i, t(i * 4, 0), "acetaminophen", 100.0))
                    .collect(),
                at: t(24, 1),
                given_mg: 100.0,
                expect: &[],
            },
            Case {
                name: "more than the usual dose",
                prior: vec![],
                at: t(8, 0),
                given_mg: 320.0,
                expect: &["above_usual_dose"],
            },
        ];
        for case in cases {
            let verdict = assess(
                &rules,
                &case.prior,
                case.at,
                &mg("acetaminophen", case.given_mg),
            );
            let codes: Vec<&str> = verdict.concerns.iter().map(Concern::code).collect();
            assert_eq!(codes, case.expect, "{}", case.name);
        }
    }

    #[test]
    fn combination_products_count_toward_each_ingredient() {
        let rules = acetaminophen_rules();
        // A cold remedy with acetaminophen and a decongestant, given 2 h ago.
        let mut cold = dose(1, t(8, 0), "acetaminophen", 160.0);
        cold.ingredient_mg.insert("phenylephrine".into(), 2.5);
        let verdict = assess(&rules, &[cold], t(10, 0), &mg("acetaminophen", 160.0));
        assert!(
            matches!(verdict.concerns.as_slice(), [Concern::TooSoon { allowed_from, .. }] if *allowed_from == t(12, 0))
        );
    }

    #[test]
    fn next_allowed_follows_interval_then_daily_count() {
        let rules = acetaminophen_rules();
        assert_eq!(next_allowed_at(&rules, &[], t(8, 0)), t(8, 0));
        let one = vec![dose(1, t(8, 0), "acetaminophen", 160.0)];
        assert_eq!(next_allowed_at(&rules, &one, t(9, 0)), t(12, 0));
        assert_eq!(next_allowed_at(&rules, &one, t(13, 0)), t(13, 0));
        // Five doses at 0,4,8,12,16h: the interval allows 20h, but the sixth must wait for the
        // first to leave the 24-hour window (24h).
        let five: Vec<PriorDose> = (0..5)
            .map(|i| dose(i, t(i * 4, 0), "acetaminophen", 100.0))
            .collect();
        let rules = DoseRules {
            max_mg_per_day: BTreeMap::new(),
            usual_mg: mg("acetaminophen", 100.0),
            ..rules
        };
        assert_eq!(next_allowed_at(&rules, &five, t(17, 0)), t(24, 0));
    }
}
