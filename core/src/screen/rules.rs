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

use super::text::{Concept as C, Doc, Tok};
use super::{Category, ChildFacts};

/// How far back a "not" reaches: "can not *really* breathe", "is not *even* waking up".
const NEG_REACH: usize = 3;

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
        self.toks.iter().any(|t| words.contains(&t.w.as_str()))
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
    /// instructions, not signs.
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
                    )
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

fn fires(doc: &Doc, i: usize) -> bool {
    !doc.negated(i) && !doc.hypothetical(i)
}

pub(super) fn breathing(doc: &Doc) -> bool {
    const ODD: &[&str] = &[
        "weird",
        "funny",
        "strange",
        "shallow",
        "irregular",
        "noisy",
        "rattly",
        "raspy",
        "wrong",
        "fast",
        "rapid",
        "slow",
    ];
    for i in doc.all(C::Breathe).chain(doc.all(C::Air)) {
        if doc.hypothetical(i) {
            continue;
        }
        let distress_before = doc.around(i, 4, 0).any(|j| {
            doc.is(j, C::Neg)
                || doc.is(j, C::Stop)
                || doc.is(j, C::Struggle)
                || doc.is(j, C::Gasp)
                || matches!(
                    doc.w(j),
                    "short" | "catch" | "catching" | "gasping" | "holding"
                )
        });
        let distress_after = doc
            .around(i, 0, 3)
            .any(|j| doc.is(j, C::Stop) || doc.is(j, C::Struggle) || ODD.contains(&doc.w(j)))
            && !doc.near(i, C::Fine, 0, 3);
        // "Holding his breath" in a tantrum is not this; "holding" only counts with blue or limp.
        let held = doc.near_word(i, &["holding", "held"], 4, 0);
        if held && !(doc.any(C::Blue) || doc.any(C::Floppy) || doc.any(C::Unconscious)) {
            continue;
        }
        if distress_before || distress_after {
            return true;
        }
    }
    for i in doc.all(C::Gasp) {
        if fires(doc, i) {
            return true;
        }
    }
    for i in doc.all(C::Choke) {
        if !fires(doc, i) {
            continue;
        }
        // "Choked on water but coughed it up, fine now": a choke that is over.
        let over = doc.w(i) == "choked"
            && (doc.has_word(&["coughed", "spat", "cleared"]) || doc.any(C::Fine));
        // A "choker" necklace, "choked up" with emotion.
        let idiom = doc.w(i + 1) == "up" && !doc.has_word(&["food", "grape", "piece", "toy"]);
        if !over && !idiom {
            return true;
        }
    }
    for i in doc.all(C::Blue) {
        if doc.negated(i) || doc.hypothetical(i) {
            continue;
        }
        if doc.near(i, C::Skin, 3, 3) || doc.near(i, C::Turning, 2, 0) {
            return true;
        }
    }
    // Ribs or the neck sucking in with each breath, nostrils flaring, grunting: working hard to breathe.
    for (i, t) in doc.toks.iter().enumerate() {
        if matches!(
            t.w.as_str(),
            "ribs" | "ribcage" | "chest" | "costillas" | "nostrils"
        ) && doc.near_word(
            i,
            &[
                "sucking",
                "pulling",
                "caving",
                "sinking",
                "showing",
                "flaring",
                "retracting",
                "hundiendo",
            ],
            2,
            3,
        ) && !doc.hypothetical(i)
        {
            return true;
        }
        if t.has(C::Breathe)
            && doc.near_word(
                i,
                &[
                    "noise",
                    "noises",
                    "squeak",
                    "squeaking",
                    "whistle",
                    "whistling",
                    "pitched",
                    "grunt",
                    "grunting",
                    "rattle",
                ],
                5,
                3,
            )
            && !doc.hypothetical(i)
        {
            return true;
        }
    }
    // Drooling and unable to swallow: the airway may be closing.
    if doc.has_word(&["drooling", "drool", "babeando"])
        && doc.toks.iter().enumerate().any(|(i, t)| {
            matches!(t.w.as_str(), "swallow" | "swallowing" | "tragar") && doc.negated(i)
        })
    {
        return true;
    }
    if doc.has_word(&[
        "suffocating",
        "suffocated",
        "suffocate",
        "smothered",
        "asfixia",
        "asfixiando",
        "apnea",
    ]) {
        return true;
    }
    // An asthma attack happening now (not one last year, not a question).
    for (i, t) in doc.toks.iter().enumerate() {
        if t.w == "asthma" && doc.w(i + 1) == "attack" && fires(doc, i) && !doc.long_past(i) {
            return true;
        }
        if matches!(t.w.as_str(), "inhaler" | "puffer" | "nebulizer")
            && doc.near(i, C::Neg, 3, 0)
            && doc.near_word(i, &["working", "helping", "help", "work"], 0, 4)
        {
            return true;
        }
    }
    false
}

pub(super) fn consciousness(doc: &Doc) -> bool {
    for i in doc.all(C::Unconscious) {
        if fires(doc, i) {
            return true;
        }
    }
    for i in doc.all(C::Wake) {
        if doc.hypothetical(i) {
            continue;
        }
        let hard = doc.negated(i)
            || doc
                .around(i, 3, 0)
                .any(|j| doc.is(j, C::Struggle) || matches!(doc.w(j), "stay" | "keep"))
                && doc
                    .around(i, 4, 0)
                    .any(|j| doc.is(j, C::Neg) || doc.is(j, C::Struggle));
        if hard {
            return true;
        }
    }
    for i in doc.all(C::Respond) {
        if doc.hypothetical(i) {
            continue;
        }
        let not = doc
            .around(i, NEG_REACH, 0)
            .any(|j| doc.is(j, C::Neg) || doc.is(j, C::Stop) || doc.is(j, C::Struggle));
        // Not answering a text, or a fever not coming down with medicine, is not this.
        let about_other = doc.around(i, 0, 4).any(|j| {
            doc.is(j, C::Medicine)
                || matches!(
                    doc.w(j),
                    "text"
                        | "texts"
                        | "messages"
                        | "message"
                        | "calls"
                        | "call"
                        | "phone"
                        | "email"
                        | "emails"
                        | "treatment"
                        | "antibiotics"
                        | "antibiotic"
                        | "whatsapp"
                        | "slack"
                )
        });
        if not && !about_other {
            return true;
        }
    }
    for i in doc.all(C::Floppy) {
        // "walking with a limp"
        let a_limp = doc.w(i) == "limp" && matches!(doc.w(i.wrapping_sub(1)), "a" | "slight");
        if matches!(doc.w(i), "lethargic" | "listless" | "lethargy") || a_limp {
            continue;
        }
        if fires(doc, i) {
            return true;
        }
    }
    for i in doc.all(C::Move) {
        let body = doc.around(i, 0, 3).any(|j| {
            matches!(
                doc.w(j),
                "arm"
                    | "hand"
                    | "finger"
                    | "fingers"
                    | "wrist"
                    | "foot"
                    | "toe"
                    | "toes"
                    | "thumb"
                    | "elbow"
                    | "bowels"
                    | "car"
                    | "house"
            )
        });
        if doc.negated(i) && !body && !doc.hypothetical(i) && doc.w(i) != "movement" {
            return true;
        }
    }
    for (i, t) in doc.toks.iter().enumerate() {
        let next = doc.w(i + 1);
        if matches!(t.w.as_str(), "passed" | "blacked" | "knocked" | "zonked")
            && matches!(next, "out" | "clean")
            && fires(doc, i)
        {
            return true;
        }
        // "I think he is dead", "the baby died": never "the battery died" or "dead tired".
        if matches!(t.w.as_str(), "dead" | "died" | "muerto" | "muerta") && !doc.hypothetical(i) {
            let idiom = matches!(
                next,
                "asleep" | "tired" | "set" | "serious" | "end" | "battery" | "phone"
            );
            let person = doc.around(i, 4, 0).any(|j| {
                doc.is(j, C::ChildWord)
                    || matches!(doc.w(j), "he" | "she" | "is" | "esta" | "think")
                    || doc.toks[j].possessive
            }) && !doc.around(i, 4, 0).any(|j| {
                matches!(
                    doc.w(j),
                    "battery"
                        | "batteries"
                        | "phone"
                        | "remote"
                        | "plant"
                        | "plants"
                        | "fish"
                        | "goldfish"
                        | "hamster"
                        | "car"
                        | "tablet"
                        | "ipad"
                        | "it"
                        | "monitor"
                        | "light"
                        | "bulb"
                        | "flowers"
                )
            });
            if person && !idiom && !doc.negated(i) {
                return true;
            }
        }
        if t.w == "eyes" && matches!(next, "rolling" | "rolled" | "roll") {
            return true;
        }
        if matches!(t.w.as_str(), "blacking" | "blacks" | "fainting")
            && (next == "out" || t.w == "fainting")
            && !doc.hypothetical(i)
        {
            return true;
        }
        // Barely opens their eyes, will not open them.
        if t.has(C::Eyes)
            && doc
                .around(i, 4, 0)
                .any(|j| matches!(doc.w(j), "open" | "opens" | "opening" | "abre"))
            && doc
                .around(i, 6, 0)
                .any(|j| doc.is(j, C::Neg) || doc.is(j, C::Struggle))
        {
            return true;
        }
        // Shaken or called and nothing: no response.
        if matches!(
            t.w.as_str(),
            "called"
                | "calling"
                | "shook"
                | "shaking"
                | "pinched"
                | "tapped"
                | "yelled"
                | "shouted"
        ) && doc.toks[i..]
            .iter()
            .any(|u| matches!(u.w.as_str(), "nothing" | "nada"))
        {
            return true;
        }
        // Does not know who I am: confusion.
        if matches!(
            t.w.as_str(),
            "know" | "recognize" | "recognise" | "reconoce"
        ) && doc.negated(i)
            && doc.near_word(i, &["me", "who", "where", "mom", "dad", "mum"], 0, 3)
        {
            return true;
        }
    }
    // Drowsy and confused together.
    if doc.has_word(&[
        "confused",
        "disoriented",
        "disorientated",
        "incoherent",
        "confundido",
        "confundida",
        "delirious",
    ]) && doc.has_word(&[
        "drowsy",
        "sleepy",
        "floppy",
        "groggy",
        "somnoliento",
        "somnolienta",
        "dazed",
    ]) {
        return true;
    }
    for _ in 0..0 {}
    false
}

pub(super) fn seizure(doc: &Doc) -> bool {
    const ABOUT: &[&str] = &[
        "medicine",
        "meds",
        "medication",
        "plan",
        "diary",
        "log",
        "clinic",
        "doctor",
        "neurologist",
        "appointment",
        "med",
        "rescue",
        "protocol",
        "history",
        "disorder",
        "free",
    ];
    for i in doc.all(C::Seize) {
        if !fires(doc, i) || doc.long_past(i) {
            continue;
        }
        if ABOUT.contains(&doc.w(i + 1)) || doc.is(i + 1, C::Medicine) || doc.w(i + 1) == "of" {
            continue;
        }
        return true;
    }
    for i in doc.all(C::Fit) {
        let before = doc.w(i.wrapping_sub(1));
        let before2 = doc.w(i.wrapping_sub(2));
        let seizure_like = matches!(before, "a" | "having" | "another" | "epileptic" | "febrile")
            && !matches!(
                before2,
                "throwing" | "threw" | "throws" | "hissy" | "pitched" | "throw"
            )
            && !matches!(doc.w(i + 1), "of")
            && !matches!(doc.w(i + 1), "in");
        if seizure_like && fires(doc, i) && !doc.long_past(i) {
            return true;
        }
    }
    for i in doc.all(C::Shake) {
        if !fires(doc, i) {
            continue;
        }
        let unresponsive = doc.toks.iter().enumerate().any(|(j, t)| {
            (t.has(C::Respond) || t.has(C::Wake) || t.w == "answering")
                && doc.around(j, 3, 0).any(|k| doc.is(k, C::Neg))
        });
        let uncontrolled = doc.has_word(&[
            "uncontrollably",
            "rhythmically",
            "rhythmic",
            "whole",
            "limbs",
        ]) || doc.close(i, C::Eyes, 5)
            || doc.around(i, 0, 5).any(|j| doc.is(j, C::Stop))
                && doc.around(i, 0, 6).any(|j| doc.is(j, C::Neg));
        let stiffening = doc.has_word(&[
            "stiff",
            "rigid",
            "stiffening",
            "stiffened",
            "tense",
            "rigida",
            "rigido",
        ]);
        if unresponsive || uncontrolled || stiffening {
            return true;
        }
    }
    false
}

pub(super) fn allergy(doc: &Doc, children: &[ChildFacts]) -> bool {
    const SWELLING_PLACES: &[&str] = &[
        "face", "lips", "lip", "mouth", "tongue", "throat", "lengua", "labios", "cara", "garganta",
        "boca", "eyelids", "eyes", "ojos",
    ];
    for i in doc.all(C::Anaphylaxis) {
        let routine = doc.has_word(&[
            "refill",
            "prescription",
            "expired",
            "expires",
            "pharmacy",
            "school",
            "bag",
            "packed",
            "pack",
            "carry",
            "remember",
            "bring",
            "spare",
            "trainer",
            "where",
            "pretend",
            "toy",
            "practice",
            "fake",
            "demo",
        ]);
        if fires(doc, i) && !routine {
            return true;
        }
    }
    for i in doc.all(C::Swell) {
        if !fires(doc, i) {
            continue;
        }
        let place = doc
            .around(i, 4, 4)
            .any(|j| SWELLING_PLACES.contains(&doc.w(j)));
        // A fat lip from a fall is an injury, not an allergy; eyes swell from crying.
        let knock = doc.any(C::Hurt) && !doc.any(C::Allergic);
        let crying = doc.has_word(&["crying", "cried", "sleep", "teething", "gums"]);
        if place && !knock && !crying {
            return true;
        }
    }
    for i in doc.all(C::Throat) {
        if doc.near(i, C::Tight, 4, 4) && !doc.negated(i) && !doc.hypothetical(i) {
            return true;
        }
        if doc.near(i, C::Swell, 4, 4) && fires(doc, i) {
            return true;
        }
    }
    let airway = doc.has_word(&[
        "hoarse", "voice", "drooling", "croaky", "cough", "coughing", "tos", "ronca",
    ]);
    if doc.any(C::Hives)
        && (doc.any(C::Wheeze)
            || doc.any(C::Swell)
            || doc.any(C::Throat)
            || doc.any(C::Breathe)
            || airway
            || doc.any(C::Vomit))
    {
        let i = doc.all(C::Hives).next().unwrap_or(0);
        if fires(doc, i) {
            return true;
        }
    }
    if doc.any(C::Vomit) && doc.all(C::Wheeze).any(|i| fires(doc, i)) {
        return true;
    }
    for i in doc.all(C::Allergic) {
        let serious = doc.has_word(&[
            "severe",
            "bad",
            "serious",
            "major",
            "having",
            "anaphylactic",
            "grave",
            "fuerte",
            "huge",
        ]);
        let mild = doc.has_word(&[
            "mild", "slight", "little", "small", "minor", "leve", "maybe", "bit",
        ]);
        if doc.w(i) != "reaction" && doc.w(i) != "reaccion" && !doc.any(C::Allergic) {
            continue;
        }
        if serious && !mild && fires(doc, i) && !doc.long_past(i) {
            return true;
        }
    }
    recorded_allergen_eaten(doc, children)
}

/// The child's *recorded* allergen eaten, or with a symptom: the family told us it is dangerous.
fn recorded_allergen_eaten(doc: &Doc, children: &[ChildFacts]) -> bool {
    const SYMPTOMS: &[&str] = &[
        "cough",
        "coughing",
        "rash",
        "itchy",
        "itching",
        "scratching",
        "red",
        "blotchy",
        "spots",
        "tummy",
        "stomach",
        "crying",
        "drooling",
        "hoarse",
        "sneezing",
        "puffy",
        "throat",
        "lips",
        "tongue",
        "breathing",
        "weird",
        "funny",
    ];
    let named: Vec<&ChildFacts> = children
        .iter()
        .filter(|c| doc.toks.iter().any(|t| t.w == c.name))
        .collect();
    for child in children {
        // A message that names other children only is not about this one.
        if !named.is_empty() && !named.iter().any(|c| c.id == child.id) {
            continue;
        }
        for allergen in &child.allergens {
            for (i, t) in doc.toks.iter().enumerate() {
                if !allergen_matches(&t.w, allergen) {
                    continue;
                }
                if doc.hypothetical(i) || doc.negated(i) {
                    continue;
                }
                let eaten = doc.toks.iter().enumerate().any(|(j, t)| {
                    (t.has(C::Ingest)
                        || t.has(C::Took)
                        || matches!(
                            t.w.as_str(),
                            "some" | "tried" | "bite" | "piece" | "exposed" | "contact" | "touched"
                        ))
                        && !doc.negated(j)
                        && t.clause.abs_diff(doc.toks[i].clause) <= 1
                });
                let symptom = doc.any(C::Vomit)
                    || doc.any(C::Hives)
                    || doc.any(C::Swell)
                    || doc.any(C::Wheeze)
                    || doc.has_word(SYMPTOMS);
                let talk = doc.has_word(&[
                    "allergic",
                    "avoid",
                    "avoided",
                    "label",
                    "labels",
                    "check",
                    "free",
                    "careful",
                    "menu",
                    "ingredients",
                    "contains",
                    "alergico",
                    "alergica",
                ]) && !symptom
                    && !doc.has_word(&["ate", "eaten", "swallowed", "comio", "bit"]);
                if (eaten || symptom) && !talk {
                    return true;
                }
            }
        }
    }
    false
}

/// Foods that are an allergen under another name (a peanut-butter cup, Nutella, cheese).
const ALLERGEN_FOODS: &[(&str, &[&str])] = &[
    (
        "peanut",
        &[
            "reese",
            "reeses",
            "snickers",
            "satay",
            "pb",
            "cacahuate",
            "cacahuates",
            "cacahuete",
            "cacahuetes",
            "mani",
            "nutter",
            "goober",
            "peanutbutter",
        ],
    ),
    (
        "nut",
        &[
            "nutella",
            "almond",
            "almonds",
            "cashew",
            "cashews",
            "walnut",
            "walnuts",
            "pecan",
            "pecans",
            "pistachio",
            "pistachios",
            "hazelnut",
            "hazelnuts",
            "nuez",
            "nueces",
            "almendra",
            "almendras",
            "pesto",
            "marzipan",
            "praline",
        ],
    ),
    (
        "milk",
        &[
            "cheese", "yogurt", "yoghurt", "cream", "leche", "queso", "dairy", "formula",
        ],
    ),
    (
        "dairy",
        &[
            "cheese", "yogurt", "yoghurt", "cream", "leche", "queso", "milk",
        ],
    ),
    (
        "egg",
        &[
            "eggs",
            "mayo",
            "mayonnaise",
            "huevo",
            "huevos",
            "meringue",
            "omelet",
            "omelette",
        ],
    ),
    (
        "wheat",
        &["bread", "pasta", "cracker", "crackers", "trigo", "pan"],
    ),
    ("gluten", &["bread", "pasta", "cracker", "crackers", "pan"]),
    ("sesame", &["hummus", "tahini", "sesamo"]),
    (
        "shellfish",
        &[
            "shrimp",
            "prawn",
            "prawns",
            "crab",
            "lobster",
            "gamba",
            "gambas",
            "camaron",
            "camarones",
            "mariscos",
        ],
    ),
    ("fish", &["tuna", "salmon", "cod", "pescado", "atun"]),
    ("soy", &["tofu", "soja", "edamame"]),
    ("strawberr", &["fresa", "fresas"]),
];

/// "peanuts" is recorded; "peanut", "peanuts", "peanut butter" and a Reese's cup are it.
fn allergen_matches(word: &str, allergen: &str) -> bool {
    let word = word.trim_end_matches('\'');
    let by_food = ALLERGEN_FOODS
        .iter()
        .any(|(key, foods)| allergen.contains(key) && foods.contains(&word));
    by_food
        || allergen.split_whitespace().any(|part| {
            let stem = part.trim_end_matches('s');
            stem.len() >= 3
                && (word == part
                    || word.trim_end_matches('s') == stem
                    || (stem.len() >= 4 && word.starts_with(stem)))
        })
}

pub(super) fn poisoning(doc: &Doc, names: &[&str]) -> bool {
    // The word itself: "poisoned", "overdose", "toxic" (not poison ivy, not a call already made).
    for i in doc.all(C::Poison) {
        let next = doc.w(i + 1);
        if matches!(
            next,
            "ivy"
                | "oak"
                | "sumac"
                | "control"
                | "center"
                | "centre"
                | "help"
                | "dart"
                | "tag"
                | "game"
        ) || doc.has_word(&["playing", "game", "pretend"])
        {
            continue;
        }
        if fires(doc, i) {
            return true;
        }
    }
    let ingest_at = |i: usize| -> bool {
        // A past ingestion is reported even under "what if": "what do I do if he ate a battery".
        let past = matches!(
            doc.w(i),
            "swallowed"
                | "ate"
                | "drank"
                | "chewed"
                | "ingested"
                | "licked"
                | "eaten"
                | "drunk"
                | "gulped"
                | "trago"
                | "comio"
                | "bebio"
                | "tomo"
                | "bit"
                | "bitten"
                | "sucked"
                | "chugged"
                | "downed"
                | "tragado"
                | "got"
        );
        !doc.negated(i) && (past || !doc.hypothetical(i))
    };
    let ingestions: Vec<usize> = doc
        .toks
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            (t.has(C::Ingest)
                || (t.w == "got" && doc.w(i + 1) == "into")
                || (t.w == "in"
                    && matches!(doc.w(i + 1), "his" | "her" | "their" | "the" | "its")
                    && matches!(doc.w(i + 2), "mouth" | "boca")))
                && ingest_at(*i)
        })
        .map(|(i, _)| i)
        .collect();
    let near_ingestion = |i: usize| {
        ingestions
            .iter()
            .any(|&j| j.abs_diff(i) <= 12 && doc.toks[j].clause.abs_diff(doc.toks[i].clause) <= 1)
    };

    // Household poisons, batteries and magnets, swallowed (or in the nose or ear).
    const FORAGED: &[&str] = &[
        "mushroom",
        "mushrooms",
        "berries",
        "berry",
        "leaves",
        "leaf",
        "plant",
        "flower",
        "flowers",
        "seeds",
    ];
    const WILD: &[&str] = &[
        "wild",
        "garden",
        "yard",
        "backyard",
        "outside",
        "park",
        "lawn",
        "grass",
        "found",
        "woods",
        "bush",
        "unknown",
        "random",
        "poisonous",
        "toxic",
        "jardin",
    ];
    for (i, t) in doc.toks.iter().enumerate() {
        let object = t.has(C::PoisonObj) || t.has(C::Battery);
        let benign = matches!(
            doc.w(i.wrapping_sub(1)),
            "root" | "ginger" | "apple" | "rice" | "baby" | "coconut" | "olive" | "nail" | "glue"
        ) && !matches!(t.w.as_str(), "polish" | "remover");
        if object && !benign && near_ingestion(i) {
            return true;
        }
        if FORAGED.contains(&t.w.as_str()) && near_ingestion(i) && doc.has_word(WILD) {
            return true;
        }
        if t.has(C::Battery)
            && (doc.any(C::Nose) || doc.has_word(&["missing", "mouth", "boca"]))
            && !doc.negated(i)
            && !doc.hypothetical(i)
        {
            return true;
        }
        if t.w == "bug" && doc.w(i + 1) == "spray" && near_ingestion(i) {
            return true;
        }
    }

    // Medicines: someone else's, more than a dose, or swallowed unsupervised.
    for (i, t) in doc.toks.iter().enumerate() {
        if !t.has(C::Medicine) {
            continue;
        }
        let start = i.saturating_sub(6);
        let window = || (start..i).chain(i + 1..(i + 3).min(doc.toks.len()));
        let own = (start..i).any(|j| matches!(doc.w(j), "his" | "her" | "their" | "su" | "sus"))
            && !(start..i).any(|j| doc.is(j, C::Quantity));
        let someone_elses = (start..i).any(|j| {
            let tok = &doc.toks[j];
            (tok.possessive && !names.contains(&tok.w.as_str()))
                || matches!(
                    tok.w.as_str(),
                    "my" | "our"
                        | "your"
                        | "mine"
                        | "adult"
                        | "adults"
                        | "grandma"
                        | "grandpa"
                        | "dad"
                        | "mom"
                        | "abuela"
                        | "abuelo"
                        | "mama"
                        | "papa"
                        | "someone"
                        | "somebody"
                )
        }) || (doc.w(i + 1) == "de"
            && (i + 2..(i + 5).min(doc.toks.len())).any(|j| {
                matches!(
                    doc.w(j),
                    "su" | "mi"
                        | "abuela"
                        | "abuelo"
                        | "mama"
                        | "papa"
                        | "tio"
                        | "tia"
                        | "padre"
                        | "madre"
                )
            }))
            || (start..i)
                .any(|j| doc.toks[j].possessive && names.contains(&doc.toks[j].w.as_str()))
                && named_other_child(doc, names, i);
        // "5 pills", "three of his tablets": a count of medicines, not "5 ml" or "at 9:30".
        // "5 pills", "three of his tablets": a count of medicines, not "5 ml" or "at 9:30".
        let counted = |j: usize| {
            doc.toks[j].num.is_some_and(|n| n >= 3.0)
                && j < i
                && doc.w(j.wrapping_sub(1)) != "at"
                && (doc.is(j + 1, C::Medicine)
                    || matches!(doc.w(j + 1), "of" | "de")
                    || (j + 2 == i
                        && matches!(
                            doc.w(j + 1),
                            "gummy" | "chewable" | "adult" | "little" | "small" | "extra"
                        )))
        };
        let quantity = window().any(|j| doc.is(j, C::Quantity) || counted(j))
            || doc.has_word(&["whole", "entire", "handful", "bunch", "bottle", "frasco"]);
        let mistake = doc.has_word(&[
            "mistake",
            "accidentally",
            "accident",
            "wrong",
            "error",
            "equivocacion",
            "double",
        ]);
        let took =
            (start..i).any(|j| doc.is(j, C::Took) || doc.is(j, C::Ingest)) || near_ingestion(i);
        // Giving a dose is reported with its amount; only someone else's medicine or a mistake
        // makes it a poisoning ("gave Emma Leo's amoxicillin by mistake").
        let gave = (start..i).any(|j| matches!(doc.w(j), "gave" | "given" | "give" | "di" | "dio"));
        let strong_ingest = ingestions.iter().any(|&j| {
            j.abs_diff(i) <= 8
                && doc.w(j) != "tomo"
                && doc.toks[j].clause.abs_diff(doc.toks[i].clause) <= 1
        }) || doc.w(i + 1) == "into";
        let generic = matches!(
            t.w.as_str(),
            "pills"
                | "pill"
                | "tablets"
                | "capsules"
                | "capsule"
                | "pastillas"
                | "pastilla"
                | "pildoras"
                | "medicamentos"
                | "medicines"
                | "meds"
        );
        let unsupervised = doc.has_word(&[
            "found",
            "cabinet",
            "counter",
            "open",
            "opened",
            "unsupervised",
            "purse",
            "nightstand",
            "drawer",
            "floor",
            "bag",
            "encontre",
        ]);
        let fine_after = doc.near(i, C::Fine, 0, 4);
        if (took && (someone_elses || quantity || mistake)) || (gave && (someone_elses || mistake))
        {
            return true;
        }
        if strong_ingest && !own && !fine_after && (generic || unsupervised) {
            return true;
        }
        if (unsupervised && (strong_ingest || took)) && !own {
            return true;
        }
    }
    false
}

/// A child other than the medicine's owner is named ("gave Emma Leo's amoxicillin").
fn named_other_child(doc: &Doc, names: &[&str], medicine: usize) -> bool {
    let owners: Vec<&str> = doc.toks[..medicine]
        .iter()
        .filter(|t| t.possessive)
        .map(|t| t.w.as_str())
        .collect();
    doc.toks
        .iter()
        .any(|t| !t.possessive && names.contains(&t.w.as_str()) && !owners.contains(&t.w.as_str()))
}

pub(super) fn injury(doc: &Doc, children: &[ChildFacts]) -> bool {
    // A head injury with a warning sign: vomiting, drowsiness, confusion, not acting right.
    // A baby's head hurt in a fall, or a head-first fall onto a hard floor: always seen now.
    let infant_named = children
        .iter()
        .any(|c| c.age_days.is_some_and(|d| d < 365) && doc.toks.iter().any(|t| t.w == c.name));
    if doc.any(C::Head)
        && doc.any(C::Hurt)
        && (infant_named || doc.has_word(&["first"]))
        && !doc.hypothetical(0)
    {
        return true;
    }
    let fell = doc.has_word(&[
        "fell", "fall", "fallen", "rolled", "tumbled", "dropped", "cayo", "caida",
    ]);
    if doc.any(C::Head) && doc.any(C::Hurt) || fell {
        let warning = doc.toks.iter().enumerate().any(|(j, t)| {
            (t.has(C::Vomit)
                || t.has(C::Drowsy)
                || t.has(C::Unconscious)
                || t.has(C::Seize)
                || (t.has(C::Bleed) && doc.close(j, C::Nose, 3))
                || matches!(
                    t.w.as_str(),
                    "fluid"
                        | "clear"
                        | "unequal"
                        | "sense"
                        | "himself"
                        | "herself"
                        | "right"
                        | "normal"
                        | "acting"
                        | "remember"
                ))
                && (!doc.negated(j)
                    || matches!(
                        t.w.as_str(),
                        "normal" | "right" | "himself" | "herself" | "sense" | "remember"
                    ))
                && !(t.w == "normal" && !doc.near(j, C::Neg, 3, 0))
                && !(t.w == "sense" && !doc.near(j, C::Neg, 4, 0))
                && !(t.w == "remember" && !doc.near(j, C::Neg, 3, 0))
                && !(matches!(t.w.as_str(), "right") && !doc.near(j, C::Neg, 4, 0))
                && !(matches!(t.w.as_str(), "himself" | "herself") && !doc.near(j, C::Neg, 4, 0))
                && !(t.w == "acting"
                    && !doc.near_word(
                        j,
                        &[
                            "weird",
                            "strange",
                            "funny",
                            "odd",
                            "off",
                            "oddly",
                            "strangely",
                            "drunk",
                        ],
                        0,
                        2,
                    ))
        });
        if warning {
            return true;
        }
    }
    // Bleeding that will not stop, or a lot of it.
    for i in doc.all(C::Bleed) {
        if doc.hypothetical(i) {
            continue;
        }
        // "Will not stop bleeding": the "not" is the stopping's, not the bleeding's.
        let not_stopping = doc.around(i, 4, 0).any(|j| doc.is(j, C::Stop));
        let wont_stop = doc
            .around(i, 4, 4)
            .any(|j| doc.is(j, C::Stop) && doc.around(j, 3, 0).any(|k| doc.is(k, C::Neg)))
            || doc.near_word(
                i,
                &["keeps", "still", "continues", "continuing", "through"],
                3,
                4,
            ) && doc.has_word(&["minutes", "mins", "pressure", "towel", "cloth", "min"]);
        let heavy = doc.around(i, 4, 4).any(|j| {
            doc.is(j, C::Heavy)
                && !(doc.w(j) == "lot"
                    && doc.w(j.wrapping_sub(1)) == "a"
                    && doc.w(j.wrapping_sub(2)) == "not")
        }) || doc.has_word(&[
            "spurting",
            "gushing",
            "pouring",
            "squirting",
            "gash",
            "severed",
            "amputated",
        ]);
        let a_bit = doc.toks.iter().enumerate().any(|(j, t)| {
            t.w == "bit" && matches!(doc.w(j.wrapping_sub(1)), "a" | "little" | "tiny")
        });
        let minor = (a_bit
            || doc.has_word(&[
                "little",
                "tiny",
                "small",
                "minor",
                "papercut",
                "scrape",
                "scraped",
                "nosebleed",
            ]))
            && !doc.has_word(&["spurting", "gushing", "pouring"])
            && !wont_stop;
        if (wont_stop || heavy) && !minor && (!doc.negated(i) || not_stopping) {
            return true;
        }
    }
    // Burns: large, from a scald, a fire, a chemical or electricity, or on the face or hands.
    for i in doc.all(C::Burn) {
        if !fires(doc, i) {
            continue;
        }
        let big = doc.has_word(&[
            "big",
            "bigger",
            "large",
            "larger",
            "huge",
            "whole",
            "entire",
            "palm",
            "boiling",
            "kettle",
            "fire",
            "flames",
            "electrical",
            "electric",
            "chemical",
            "blisters",
            "blistering",
            "blister",
            "peeling",
            "white",
            "charred",
            "hirviendo",
            "grande",
            "chest",
            "back",
            "stomach",
            "tummy",
            "legs",
            "arm",
            "face",
            "hands",
            "feet",
            "genitals",
            "scalded",
            "scald",
            "scalding",
            "oil",
            "coffee",
            "tea",
            "soup",
            "stove",
            "iron",
            "radiator",
            "grill",
            "bbq",
        ]);
        let small = doc.has_word(&[
            "small", "tiny", "little", "minor", "slight", "sunburn", "mild",
        ]) || doc.w(i.wrapping_sub(1)) == "sun";
        let scald = doc.has_word(&[
            "boiling",
            "kettle",
            "scald",
            "scalded",
            "scalding",
            "hirviendo",
            "fire",
            "flames",
            "chemical",
            "electrical",
        ]);
        if scald || (big && !small) {
            return true;
        }
    }
    // Drowning or nearly: never "drowning in laundry".
    for i in doc.all(C::Drown) {
        let idiom = doc.w(i + 1) == "in"
            && !doc.is(i + 2, C::Water)
            && !matches!(doc.w(i + 2), "the" | "a");
        let idiom = idiom
            || (doc.w(i + 1) == "in"
                && matches!(doc.w(i + 2), "the" | "a")
                && !doc.is(i + 3, C::Water));
        if !idiom && fires(doc, i) {
            return true;
        }
    }
    for (i, t) in doc.toks.iter().enumerate() {
        // Found face down in water, pulled out of the pool, went under.
        if t.has(C::Water) && !doc.hypothetical(i) {
            let rescued = doc.around(i, 5, 0).any(|j| {
                matches!(
                    doc.w(j),
                    "pulled"
                        | "face"
                        | "underwater"
                        | "under"
                        | "floating"
                        | "bottom"
                        | "fished"
                        | "rescued"
                        | "sacamos"
                        | "saque"
                )
            });
            if rescued {
                return true;
            }
        }
        if matches!(t.w.as_str(), "went" | "was" | "been")
            && doc.w(i + 1) == "under"
            && doc.any(C::Water)
        {
            return true;
        }
        // A fall from a height, bone through the skin, electric shock.
        if matches!(t.w.as_str(), "fell" | "fall" | "fallen" | "cayo") {
            let height = doc.around(i, 0, 6).any(|j| {
                matches!(
                    doc.w(j),
                    "window"
                        | "balcony"
                        | "roof"
                        | "ledge"
                        | "cliff"
                        | "height"
                        | "storey"
                        | "story"
                        | "floor"
                        | "ladder"
                        | "ventana"
                        | "balcon"
                        | "tejado"
                        | "bunk"
                )
            });
            let spine = doc.any(C::Neck) || doc.has_word(&["spine", "back"]) && doc.any(C::Move);
            if (height && !doc.has_word(&["bed", "couch", "sofa", "chair"])
                || spine && doc.any(C::Move))
                && fires(doc, i)
            {
                return true;
            }
        }
        // Something scalding spilled on a child.
        if matches!(t.w.as_str(), "boiling" | "scalding" | "hot" | "hirviendo")
            && doc.has_word(&[
                "spilled", "poured", "splashed", "tipped", "knocked", "pulled", "spilt", "cayo",
                "derramo",
            ])
            && doc.has_word(&[
                "water", "oil", "coffee", "tea", "soup", "pan", "pot", "kettle", "agua", "aceite",
                "cafe",
            ])
        {
            return true;
        }
        // Hit by a car, run over.
        if matches!(
            t.w.as_str(),
            "hit"
                | "struck"
                | "run"
                | "ran"
                | "knocked"
                | "atropello"
                | "atropellado"
                | "atropellada"
        ) && doc.near_word(
            i,
            &[
                "car",
                "truck",
                "vehicle",
                "van",
                "bus",
                "bike",
                "motorbike",
                "coche",
                "carro",
                "over",
            ],
            0,
            4,
        ) && !doc.hypothetical(i)
        {
            return true;
        }
        if matches!(t.w.as_str(), "car" | "auto")
            && doc.near_word(i, &["accident", "crash", "wreck"], 0, 2)
        {
            return true;
        }
        // Heavy furniture or a TV fell on a child.
        if matches!(t.w.as_str(), "fell" | "tipped" | "toppled" | "cayo")
            && doc.near_word(i, &["on", "onto", "over", "encima"], 0, 2)
            && doc.has_word(&[
                "tv",
                "television",
                "dresser",
                "bookcase",
                "shelf",
                "shelves",
                "wardrobe",
                "furniture",
                "cabinet",
                "drawers",
                "mueble",
                "television",
                "tele",
            ])
        {
            return true;
        }
        // A dog bite to the face or neck, or a deep one.
        if matches!(
            t.w.as_str(),
            "bit" | "bitten" | "bite" | "attacked" | "mauled" | "mordio"
        ) && doc.has_word(&["dog", "dogs", "perro", "animal"])
            && doc.has_word(&["face", "neck", "head", "deep", "bleeding", "cara", "cuello"])
        {
            return true;
        }
        if t.w == "bone"
            && doc.near_word(i, &["sticking", "through", "out", "showing", "see"], 3, 3)
        {
            return true;
        }
        if matches!(
            t.w.as_str(),
            "electrocuted" | "electrocution" | "shocked" | "electric" | "electrical"
        ) && doc.has_word(&[
            "outlet",
            "socket",
            "shock",
            "wire",
            "cord",
            "shocked",
            "electrocuted",
            "enchufe",
        ]) && !doc.hypothetical(i)
            && !doc.has_word(&["covers", "cover", "protectors"])
        {
            return true;
        }
        // A neck or back hurt in a fall, and a child who cannot move their legs.
        if t.has(C::Move)
            && doc.negated(i)
            && doc
                .around(i, 0, 3)
                .any(|j| matches!(doc.w(j), "legs" | "neck" | "leg"))
        {
            return true;
        }
        if matches!(
            t.w.as_str(),
            "snake" | "scorpion" | "widow" | "serpiente" | "alacran" | "escorpion"
        ) && doc.has_word(&["bite", "bit", "bitten", "stung", "sting", "mordio", "pico"])
        {
            return true;
        }
    }
    false
}

pub(super) fn infection(doc: &Doc, children: &[ChildFacts]) -> bool {
    // A rash that does not fade under a glass, or purple pinprick spots.
    let pressed = doc.has_word(&[
        "press", "pressed", "pressing", "glass", "tumbler", "push", "pushed", "vaso", "presiono",
        "aprieto",
    ]);
    for i in doc.all(C::Rash) {
        if doc.hypothetical(i) || doc.negated(i) {
            continue;
        }
        let not_fading = doc.toks.iter().enumerate().any(|(j, t)| {
            (t.has(C::Fade) && (t.w != "go" || pressed)
                || (t.w == "away" && pressed)
                || t.w == "nonblanching")
                && (doc
                    .around(j, 4, 0)
                    .any(|k| doc.is(k, C::Neg) || doc.w(k) == "non")
                    || t.w == "nonblanching")
                && t.clause.abs_diff(doc.toks[i].clause) <= 2
        });
        let stays = pressed
            && doc.has_word(&[
                "still", "stay", "stays", "stayed", "visible", "there", "sigue", "siguen",
            ]);
        if stays {
            return true;
        }
        let purple = doc.close(i, C::Petechiae, 5) && !doc.has_word(&["bruise", "bruised"])
            || doc.has_word(&[
                "petechiae",
                "petechial",
                "purpura",
                "pinprick",
                "pinpoint",
                "pinpricks",
            ]);
        if not_fading || purple {
            return true;
        }
    }
    if doc.has_word(&["petechiae", "petechial", "purpura", "nonblanching"]) {
        return true;
    }
    if doc.all(C::Meningitis).any(|i| fires(doc, i)) {
        return true;
    }
    let temps = doc.temperatures();
    let feverish = temps.iter().any(|c| *c >= 38.0)
        || doc.all(C::Fever).any(|i| {
            !doc.negated(i)
                && !doc.hypothetical(i)
                && !matches!(doc.w(i), "temp" | "temperature" | "temperatura")
        })
        || doc.has_word(&["hot", "burning", "caliente", "ardiendo"]);
    // A stiff neck with a fever (or with light hurting the eyes).
    for i in doc.all(C::Stiff) {
        if doc.close(i, C::Neck, 4)
            && fires(doc, i)
            && (feverish || doc.has_word(&["light", "headache", "luz"]))
        {
            return true;
        }
    }
    if (doc.any(C::Neck) || doc.has_word(&["chin"]))
        && doc.has_word(&["chin", "bend", "chest"])
        && doc.any(C::Neg)
        && feverish
    {
        return true;
    }
    // A fever (38.0 °C / 100.4 °F or more), or a low temperature, in a baby under 3 months.
    let measured_fever = temps.iter().any(|c| *c >= 38.0 || *c < 35.5);
    let said_fever = doc.all(C::Fever).any(|i| {
        !doc.negated(i)
            && !doc.hypothetical(i)
            && matches!(
                doc.w(i),
                "fever" | "fiebre" | "febrile" | "feverish" | "calentura" | "febril"
            )
    }) || doc.has_word(&["burning"]) && doc.has_word(&["up"]);
    if measured_fever || said_fever {
        if infant_in_message(doc, children) {
            return true;
        }
    }
    false
}

/// Whether the message is about a baby under 3 months: an age said in it, a named child's birth
/// date, or "the baby" in a family whose youngest is that young.
fn infant_in_message(doc: &Doc, children: &[ChildFacts]) -> bool {
    const INFANT_DAYS: i64 = 90;
    if let Some(days) = doc.age_days() {
        return days < INFANT_DAYS;
    }
    let named: Vec<&ChildFacts> = children
        .iter()
        .filter(|c| doc.toks.iter().any(|t| t.w == c.name))
        .collect();
    if !named.is_empty() {
        return named
            .iter()
            .any(|c| c.age_days.is_some_and(|d| d < INFANT_DAYS));
    }
    let infants = children
        .iter()
        .filter(|c| c.age_days.is_some_and(|d| d < INFANT_DAYS))
        .count();
    // "The baby is 38.3", not "Luis has 38.5, keeping him away from the baby".
    let fever_clauses: Vec<u16> = doc
        .toks
        .iter()
        .filter(|t| t.has(C::Fever) || t.num.is_some())
        .map(|t| t.clause)
        .collect();
    let baby_word = doc.toks.iter().any(|t| {
        matches!(t.w.as_str(), "baby" | "newborn" | "bebe" | "infant" | "bub")
            && fever_clauses.contains(&t.clause)
    });
    infants > 0 && (baby_word || infants == children.len())
}

pub(super) fn dehydration(doc: &Doc) -> bool {
    const LOW: &[&str] = &[
        "lethargic",
        "listless",
        "lethargy",
        "floppy",
        "limp",
        "sleepy",
        "drowsy",
        "weak",
        "sunken",
        "tears",
        "refusing",
        "aletargado",
        "aletargada",
        "decaido",
        "decaida",
        "dormido",
        "lagrimas",
        "hundida",
        "hundido",
    ];
    let mut no_output = false;
    for i in doc.all(C::Nappy) {
        if doc.w(i) == "wet" && !doc.is(i + 1, C::Nappy) && !doc.is(i.wrapping_sub(1), C::Neg) {
            continue;
        }
        if doc.near(i, C::Neg, 4, 0)
            || doc.near_word(i, &["dry", "secos", "seco", "seca", "secas"], 2, 2)
        {
            no_output = true;
        }
    }
    let long = doc
        .toks
        .iter()
        .enumerate()
        .any(|(i, t)| t.num.is_some_and(|n| n >= 8.0) && doc.is(i + 1, C::Hours))
        || doc.has_word(&["overnight", "yesterday", "morning", "ayer", "manana"])
        || doc
            .toks
            .iter()
            .enumerate()
            .any(|(i, t)| t.w == "all" && matches!(doc.w(i + 1), "day" | "night"));
    let low = doc.has_word(LOW)
        || (doc.any(C::Neg)
            && doc.has_word(&[
                "drink", "drinking", "feed", "feeding", "eat", "bebe", "come", "nurse", "nursing",
                "bottle",
            ]));
    if no_output && (long || low) {
        return true;
    }
    // No tears and not drinking (or vomiting, or floppy).
    let no_tears = doc.toks.iter().enumerate().any(|(i, t)| {
        matches!(t.w.as_str(), "tears" | "lagrimas")
            && (doc.negated(i) || doc.w(i.wrapping_sub(1)) == "without")
    });
    if no_tears && (low || doc.any(C::Vomit)) {
        return true;
    }
    // A sunken soft spot.
    doc.has_word(&["sunken", "hundida", "hundido"])
        && doc.has_word(&[
            "spot",
            "fontanelle",
            "fontanel",
            "eyes",
            "fontanela",
            "mollera",
            "ojos",
        ])
}

pub(super) fn self_harm(doc: &Doc) -> bool {
    const WANT: &[&str] = &[
        "want",
        "wants",
        "wanna",
        "wish",
        "wishes",
        "rather",
        "quiero",
        "quiere",
        "going",
        "gonna",
        "thinking",
        "thoughts",
        "plan",
        "planning",
        "tried",
        "trying",
        "threatening",
        "talks",
        "talking",
        "says",
        "said",
        "deseo",
    ];
    for i in doc.all(C::Suicide) {
        if !doc.hypothetical(i) && !doc.negated(i) {
            return true;
        }
    }
    for (i, t) in doc.toks.iter().enumerate() {
        if t.has(C::Kill)
            && (matches!(t.w.as_str(), "matarme" | "matarse") || doc.near(i, C::Reflexive, 0, 2))
            && !doc.hypothetical(i)
        {
            return true;
        }
        if t.has(C::Die) && !matches!(t.w.as_str(), "dying" | "death" | "died") {
            let wanting = doc.around(i, 4, 0).any(|j| WANT.contains(&doc.w(j)));
            let better_off =
                doc.w(i.wrapping_sub(1)) == "off" && doc.w(i.wrapping_sub(2)) == "better";
            let not_living = matches!(t.w.as_str(), "live" | "alive" | "vivir" | "living")
                && doc.around(i, 4, 0).any(|j| doc.is(j, C::Neg))
                && wanting;
            let wish_dead = t.w == "dead"
                && doc
                    .around(i, 4, 0)
                    .any(|j| matches!(doc.w(j), "wish" | "wishes" | "were" | "better"));
            if (wanting
                && !matches!(t.w.as_str(), "live" | "alive" | "vivir" | "living")
                && !doc.negated(i))
                || better_off
                || not_living
                || wish_dead
            {
                return true;
            }
        }
        if matches!(t.w.as_str(), "end")
            && doc.near_word(i, &["life", "it"], 0, 3)
            && doc.around(i, 4, 0).any(|j| WANT.contains(&doc.w(j)))
        {
            return true;
        }
        if t.has(C::Cutting) && doc.near(i, C::Reflexive, 0, 2) && !doc.hypothetical(i) {
            let accident = doc.around(i, 0, 4).any(|j| {
                matches!(
                    doc.w(j),
                    "on" | "shaving" | "accidentally" | "while" | "playing" | "with"
                )
            }) && !matches!(t.w.as_str(), "cutting" | "harming");
            if !accident {
                return true;
            }
        }
        if t.w == "self"
            && matches!(doc.w(i + 1), "harm" | "harming" | "injury")
            && !doc.hypothetical(i)
        {
            return true;
        }
        if matches!(t.w.as_str(), "cortarse" | "matarse" | "suicidarse") {
            return true;
        }
        // "Everyone would be better off without me".
        if t.w == "better" && doc.w(i + 1) == "off" && doc.w(i + 2) == "without" {
            return true;
        }
        // "I don't want to be here anymore".
        if t.w == "here"
            && doc.w(i.wrapping_sub(1)) == "be"
            && doc.around(i, 5, 0).any(|j| doc.is(j, C::Neg))
            && doc.around(i, 5, 0).any(|j| WANT.contains(&doc.w(j)))
        {
            return true;
        }
        // Cuts or scars on arms, wrists or thighs, with blades or hidden.
        if matches!(
            t.w.as_str(),
            "cuts" | "cut" | "scars" | "scratches" | "marks" | "cortes"
        ) && doc.has_word(&[
            "arms", "arm", "wrists", "wrist", "thighs", "thigh", "legs", "brazos", "munecas",
        ]) && doc.has_word(&[
            "razor",
            "razors",
            "blade",
            "blades",
            "hiding",
            "hides",
            "sleeves",
            "herself",
            "himself",
            "cuchilla",
            "cuchillas",
        ]) {
            return true;
        }
        // Thinking of taking all the pills.
        if t.has(C::Medicine)
            && doc.has_word(&[
                "thinking", "think", "thoughts", "want", "going", "plan", "wanna",
            ])
            && doc.toks[..i].iter().any(|u| u.has(C::Quantity))
            && doc.has_word(&["i", "me", "my"])
        {
            return true;
        }
        // A carer's own words about harming the baby: the crisis line, and put the baby down safely.
        if matches!(
            t.w.as_str(),
            "hurt"
                | "hurting"
                | "harm"
                | "harming"
                | "shake"
                | "shaking"
                | "smother"
                | "hit"
                | "kill"
        ) && doc.around(i, 0, 3).any(|j| doc.is(j, C::ChildWord))
            && doc.around(i, 6, 0).any(|j| {
                matches!(
                    doc.w(j),
                    "feel"
                        | "urge"
                        | "scared"
                        | "afraid"
                        | "might"
                        | "thoughts"
                        | "thinking"
                        | "think"
                        | "want"
                        | "going"
                        | "could"
                )
            })
            && doc.any(C::Reflexive) | doc.has_word(&["i", "im", "am", "me"])
            && !doc.has_word(&["lol", "haha", "jk"])
        {
            return true;
        }
    }
    false
}

pub(super) fn abuse(doc: &Doc) -> bool {
    for i in doc.all(C::Abuse) {
        let substance = matches!(
            doc.w(i.wrapping_sub(1)),
            "drug" | "substance" | "alcohol" | "verbal"
        ) && doc.w(i) == "abuse";
        if !substance && fires(doc, i) {
            return true;
        }
    }
    for i in doc.all(C::Touch) {
        let private = doc.close(i, C::Private, 6)
            || doc.near_word(i, &["down"], 0, 3) && doc.near_word(i, &["there"], 0, 4);
        let by_someone = doc.around(i, 4, 0).any(|j| doc.is(j, C::Perpetrator))
            && doc
                .around(i, 2, 2)
                .any(|j| doc.is(j, C::ChildWord) || matches!(doc.w(j), "me"))
            && !doc.around(i, 0, 4).any(|j| {
                matches!(
                    doc.w(j),
                    "hair"
                        | "hand"
                        | "head"
                        | "shoulder"
                        | "arm"
                        | "forehead"
                        | "toys"
                        | "stuff"
                        | "phone"
                )
            });
        if (private || by_someone) && !doc.hypothetical(i) {
            return true;
        }
    }
    for (i, t) in doc.toks.iter().enumerate() {
        if t.has(C::Beat) {
            let by = doc.around(i, 4, 0).any(|j| doc.is(j, C::Perpetrator));
            let on_child = doc
                .around(i, 2, 3)
                .any(|j| doc.is(j, C::ChildWord) || matches!(doc.w(j), "me" | "us"));
            let body_part = doc.around(i, 0, 3).any(|j| {
                doc.is(j, C::Head)
                    || matches!(doc.w(j), "ball" | "wall" | "table" | "floor" | "door")
            });
            if by && on_child && !body_part && !doc.hypothetical(i) && !doc.negated(i) {
                return true;
            }
        }
        if t.has(C::Petechiae)
            && matches!(
                t.w.as_str(),
                "bruises" | "bruise" | "bruising" | "moretones"
            )
        {
            let blamed = doc.has_word(&["did", "says", "said", "told", "fue", "dice"])
                && doc.any(C::Perpetrator);
            // Bruises shaped like fingers or a hand, or that nobody can explain.
            let patterned = doc.has_word(&[
                "finger",
                "fingers",
                "handprint",
                "hand",
                "belt",
                "grab",
                "unexplained",
                "loop",
                "dedos",
            ]) || doc.has_word(&["came"]) && doc.any(C::Neg)
                || doc.has_word(&["idea"]) && doc.any(C::Neg);
            if blamed || patterned {
                return true;
            }
        }
        if matches!(t.w.as_str(), "shook" | "shaken" | "shaking")
            && doc.near_word(i, &["baby", "bebe"], 0, 3)
            && !doc.hypothetical(i)
        {
            return true;
        }
        // "Hurts her down there", "keeps secrets".
        if t.w == "down"
            && doc.w(i + 1) == "there"
            && doc.toks[..i]
                .iter()
                .any(|u| u.has(C::Beat) || u.has(C::Touch))
        {
            return true;
        }
    }
    false
}

/// Every category whose rule fires, most urgent first.
pub(super) fn all(doc: &Doc, children: &[ChildFacts]) -> Vec<Category> {
    let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
    let mut out = Vec::new();
    let checks: [(Category, bool); 10] = [
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
    ];
    for (category, fired) in checks {
        if fired {
            out.push(category);
        }
    }
    out
}
