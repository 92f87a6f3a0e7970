//! The red-flag rules, one function per category, written to be read by a clinician.
//!
//! Each rule looks for the *signs* of its category in the words of a message (see `text`), with
//! three honest exceptions that stop a false alarm:
//! - **negation**: "she is *not* choking", "*no* vomiting" (a "not" within three words before, in
//!   the same clause). For signs that *are* an absence ("not breathing", "won't wake") the
//!   negation is what makes the sign.
//! - **recovery / long past**: "breathing *fine now*", "a seizure *last year*".
//! - **hypothetical**: "what should I do *if* she chokes?", "*signs of* dehydration".
//!
//! When a rule is unsure it fires: a false alarm costs a minute, a miss can cost a life. The
//! evaluation set `core/tests/red_flags/` holds the emergencies every rule must catch and the
//! look-alikes it should let through.

mod allergy;
mod harm;
mod illness;
mod safeguarding;
mod vital;

use self::allergy::allergy;
use self::harm::{injury, poisoning};
use self::illness::{dehydration, infection};
use self::safeguarding::{abuse, self_harm};
use self::vital::{breathing, consciousness, seizure};
use super::text::{Concept as C, Doc, Tok};
use super::{Category, ChildFacts};

/// How far back a "not" reaches: "can not *really* breathe", "is not *even* waking up".
pub(crate) const NEG_REACH: usize = 3;

impl Doc {
    fn w(&self, i: usize) -> &str {
        self.toks.get(i).map(|t| t.w.as_str()).unwrap_or("")
    }

    fn at(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }

    fn is(&self, i: usize, c: C) -> bool {
        self.toks.get(i).is_some_and(|t| t.has(c))
    }

    fn all(&self, c: C) -> impl Iterator<Item = usize> + '_ {
        self.toks
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.has(c))
            .map(|(i, _)| i)
    }

    fn any(&self, c: C) -> bool {
        self.toks.iter().any(|t| t.has(c))
    }

    fn has_word(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.words.contains(*w))
    }

    fn same_clause(&self, i: usize, j: usize) -> bool {
        match (self.at(i), self.at(j)) {
            (Some(a), Some(b)) => a.clause == b.clause,
            _ => false,
        }
    }

    /// Indices within `before` words before and `after` words after `i`, in `i`'s clause.
    fn around(&self, i: usize, before: usize, after: usize) -> impl Iterator<Item = usize> + '_ {
        let start = i.saturating_sub(before);
        let end = (i + after + 1).min(self.toks.len());
        (start..end).filter(move |&j| j != i && self.same_clause(i, j))
    }

    fn near(&self, i: usize, c: C, before: usize, after: usize) -> bool {
        self.around(i, before, after).any(|j| self.is(j, c))
    }

    fn near_word(&self, i: usize, words: &[&str], before: usize, after: usize) -> bool {
        self.around(i, before, after)
            .any(|j| words.contains(&self.w(j)))
    }

    /// Is `c` within `reach` words of `i`, either way, in the clause or the clause next to it?
    fn close(&self, i: usize, c: C, reach: usize) -> bool {
        let start = i.saturating_sub(reach);
        let end = (i + reach + 1).min(self.toks.len());
        let clause = self.toks[i].clause;
        (start..end).any(|j| j != i && self.is(j, c) && self.toks[j].clause.abs_diff(clause) <= 1)
    }

    /// A "not" shortly before `i` in its clause. "Do not wake her" and "not want to wake him" are
    /// instructions, not signs; "won't stop seizing" is the sign, going on.
    fn negated(&self, i: usize) -> bool {
        self.around(i, NEG_REACH, 0).any(|j| {
            self.is(j, C::Neg)
                && !(self.w(j.wrapping_sub(1)) == "do"
                    && (j < 2 || self.toks[j - 2].clause != self.toks[j].clause))
                && !(j + 1..i).any(|k| {
                    matches!(
                        self.w(k),
                        "want"
                            | "wanna"
                            | "need"
                            | "try"
                            | "going"
                            | "trying"
                            | "sure"
                            | "only"
                            | "just"
                    ) || self.is(k, C::Stop)
                })
        })
    }

    /// A question about what might happen ("what do I do if she chokes", "signs of dehydration"),
    /// not a report. "Not sure if he is breathing" is a report.
    fn hypothetical(&self, i: usize) -> bool {
        let clause = self.toks[i].clause;
        let in_clause = |w: &str| self.toks.iter().any(|t| t.clause == clause && t.w == w);
        if in_clause("like")
            && (in_clause("look") || in_clause("looks"))
            && (in_clause("what") || in_clause("how"))
        {
            return true;
        }
        self.around(i, 12, 0).any(|j| {
            self.is(j, C::Hypothetical)
                && !(self.w(j) == "if"
                    && matches!(
                        self.w(j.wrapping_sub(1)),
                        "sure"
                            | "know"
                            | "tell"
                            | "see"
                            | "check"
                            | "wondering"
                            | "unsure"
                            | "idea"
                            | "even"
                            | "as"
                    ))
        })
    }

    /// Long past in the clause: "last year", "as a baby", "history of", "months ago".
    fn long_past(&self, i: usize) -> bool {
        let clause = self.toks[i].clause;
        self.toks.iter().enumerate().any(|(j, t)| {
            t.clause == clause
                && ((t.has(C::Past) && t.w != "ago" && t.w != "once")
                    || (t.w == "ago"
                        && matches!(
                            self.w(j.wrapping_sub(1)),
                            "years" | "year" | "months" | "month" | "weeks" | "week"
                        ))
                    || (t.w == "baby"
                        && matches!(self.w(j.wrapping_sub(1)), "a")
                        && matches!(self.w(j.wrapping_sub(2)), "as" | "was"))
                    || (t.w == "last"
                        && matches!(
                            self.w(j + 1),
                            "year"
                                | "month"
                                | "week"
                                | "summer"
                                | "winter"
                                | "spring"
                                | "fall"
                                | "autumn"
                                | "christmas"
                                | "time"
                        )))
        })
    }

    /// A number in the message that reads as a temperature, in °C (not an age, a weight, a
    /// dose or a time).
    pub(super) fn temperatures(&self) -> Vec<f64> {
        let mut out = Vec::new();
        for (i, t) in self.toks.iter().enumerate() {
            let Some(value) = t.num else { continue };
            let next = self.w(i + 1);
            let unit_after = self.is(i + 1, C::Age)
                || self.is(i + 1, C::Weight)
                || self.is(i + 1, C::Hours)
                || matches!(
                    next,
                    "ml" | "mg"
                        | "am"
                        | "pm"
                        | "minutes"
                        | "mins"
                        | "min"
                        | "h"
                        | "years"
                        | "year"
                        | "yo"
                        | "yr"
                        | "yrs"
                        | "times"
                        | "x"
                        | "tablets"
                        | "pills"
                        | "of"
                )
                || self.is(i + 1, C::Medicine);
            let after_weight =
                self.is(i.wrapping_sub(1), C::Weight) || self.w(i.wrapping_sub(1)) == "at";
            if unit_after || after_weight {
                continue;
            }
            let fahrenheit = matches!(next, "f" | "fahrenheit" | "deg" | "degrees") && value > 50.0;
            let celsius = if fahrenheit || (93.0..=110.0).contains(&value) {
                (value - 32.0) * 5.0 / 9.0
            } else {
                value
            };
            if (33.0..=44.0).contains(&celsius) {
                out.push(celsius);
            }
        }
        out
    }

    /// An age said in the message, in days ("6 week old", "2 months", "newborn", "10 days old").
    pub(super) fn age_days(&self) -> Option<i64> {
        for (i, t) in self.toks.iter().enumerate() {
            if matches!(t.w.as_str(), "newborn" | "neonate" | "recien")
                || (t.w == "new" && self.w(i + 1) == "born")
            {
                return Some(14);
            }
            let Some(n) = t.num else { continue };
            let days = match self.w(i + 1) {
                "day" | "days" | "dias" | "d" => n,
                "week" | "weeks" | "wk" | "wks" | "semanas" | "semana" | "w" => n * 7.0,
                "month" | "months" | "mo" | "mos" | "meses" | "mes" | "m" => n * 30.4,
                "year" | "years" | "yr" | "yrs" | "yo" | "anos" => n * 365.0,
                _ => continue,
            };
            return Some(days as i64);
        }
        None
    }
}

pub(crate) fn fires(doc: &Doc, i: usize) -> bool {
    !doc.negated(i) && !doc.hypothetical(i)
}

/// Every category whose rule fires, most urgent first.
pub(super) fn all(doc: &Doc, children: &[ChildFacts]) -> Vec<Category> {
    let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
    let mut out = Vec::new();
    let checks: [(Category, bool); 11] = [
        (Category::Breathing, breathing(doc)),
        (Category::Consciousness, consciousness(doc)),
        (Category::Seizure, seizure(doc)),
        (Category::Allergy, allergy(doc, children)),
        (Category::Poisoning, poisoning(doc, &names)),
        (Category::Injury, injury(doc, children)),
        (Category::Infection, infection(doc, children)),
        (Category::Dehydration, dehydration(doc)),
        (Category::SelfHarm, self_harm(doc)),
        (Category::Abuse, abuse(doc)),
        (Category::Unspecified, asks_for_help(doc)),
    ];
    for (category, fired) in checks {
        // A call for help only stands alone: with a sign, the sign's answer says more.
        if fired && (category != Category::Unspecified || out.is_empty()) {
            out.push(category);
        }
    }
    out
}

/// "Call an ambulance", "911!!", "emergency": someone asking for help now without saying why. Only
/// counted when no other category fired (it is last), and never "emergency contact" or "the
/// ambulance videos".
fn asks_for_help(doc: &Doc) -> bool {
    const NUMBERS: &[&str] = &["911", "999", "112", "000", "111"];
    let only_a_number =
        doc.toks.len() <= 3 && doc.toks.iter().any(|t| NUMBERS.contains(&t.w.as_str()));
    let call_number = doc.toks.iter().enumerate().any(|(i, t)| {
        matches!(
            t.w.as_str(),
            "call" | "calling" | "called" | "llama" | "llamar" | "llamen"
        ) && (NUMBERS.contains(&doc.w(i + 1))
            || matches!(doc.w(i + 1), "ambulance" | "ambulancia" | "paramedics")
            || (matches!(doc.w(i + 1), "an" | "a" | "una" | "the")
                && matches!(doc.w(i + 2), "ambulance" | "ambulancia")))
            && !doc.hypothetical(i)
            && !doc.negated(i)
    });
    let ambulance = doc.toks.iter().enumerate().any(|(i, t)| {
        matches!(
            t.w.as_str(),
            "ambulance" | "ambulancia" | "paramedics" | "paramedicos"
        ) && !doc.hypothetical(i)
            && !doc.negated(i)
            && !doc.has_word(&[
                "video", "videos", "toy", "book", "show", "driver", "siren", "sirens",
            ])
    });
    // In a command that sets a field ("profile Maya emergency Rosa Diaz 555 …", "change the
    // emergency to Luis"), "emergency" names the field, not a call for help. Only this bare-word
    // rule stands down: any sign in the same message still raises its category.
    let field_command = matches!(
        doc.w(0),
        "profile" | "perfil" | "change" | "update" | "set" | "edit" | "cambiar" | "cambia"
    );
    let emergency_now = doc.toks.iter().enumerate().any(|(i, t)| {
        let calls = match t.w.as_str() {
            "emergency" | "emergencia" => !field_command,
            "sos" | "mayday" => true,
            _ => false,
        };
        calls
            && !matches!(
                doc.w(i + 1),
                "contact"
                    | "contacts"
                    | "number"
                    | "numbers"
                    | "plan"
                    | "kit"
                    | "fund"
                    | "card"
                    | "info"
                    | "information"
                    | "room"
                    | "services"
                    | "drill"
            )
            && !doc.hypothetical(i)
            && !doc.negated(i)
    });
    only_a_number || call_number || ambulance || emergency_now
}
