//! Breathing, consciousness and seizures: the airway and the brain.

use super::{fires, NEG_REACH};
use crate::screen::text::{Concept as C, Doc};

pub(crate) fn breathing(doc: &Doc) -> bool {
    const ODD: &[&str] = &[
        "raro",
        "rara",
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
        // "Choked on water but coughed it up, fine now", "coughed after choking on her water,
        // she's fine now": a choke that is over.
        let past = doc.w(i) == "choked"
            || (doc.w(i) == "choking" && matches!(doc.w(i.wrapping_sub(1)), "after" | "from"));
        let over = past && (doc.has_word(&["coughed", "spat", "cleared"]) || doc.any(C::Fine));
        // A "choker" necklace, "choked up" with emotion.
        let idiom = doc.w(i + 1) == "up" && !doc.has_word(&["food", "grape", "piece", "toy"]);
        if !over && !idiom {
            return true;
        }
    }
    // Spanish "ahogarse" is choking as well as drowning: away from water, it is choking ("se
    // está ahogando con un caramelo"); "ahogado de risa" is laughing.
    for i in doc.all(C::Drown) {
        if doc.w(i).starts_with("ahog")
            && !doc.any(C::Water)
            && !matches!(doc.w(i + 1), "de" | "en")
            && fires(doc, i)
        {
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
        // "asthma attack", "ataque de asma", "crisis de asma".
        let attack = (t.w == "asthma" && doc.w(i + 1) == "attack")
            || (t.w == "asma"
                && doc.w(i.wrapping_sub(1)) == "de"
                && matches!(doc.w(i.wrapping_sub(2)), "ataque" | "crisis"));
        if attack && fires(doc, i) && !doc.long_past(i) {
            return true;
        }
        if matches!(
            t.w.as_str(),
            "inhaler" | "puffer" | "nebulizer" | "inhalador" | "nebulizador"
        ) && doc.near(i, C::Neg, 3, 0)
            && doc.near_word(i, &["working", "helping", "help", "work"], 0, 4)
        {
            return true;
        }
    }
    // Wheezing with an inhaler that is not helping, or too breathless to talk.
    let reliever = doc.has_word(&[
        "inhaler",
        "puffer",
        "puffs",
        "nebulizer",
        "nebuliser",
        "salbutamol",
        "albuterol",
        "ventolin",
        "inhalador",
        "nebulizador",
    ]);
    // "isn't helping", "no le hace nada", "no le funciona", "no le ayuda".
    let not_helping = doc.toks.iter().enumerate().any(|(i, t)| {
        matches!(
            t.w.as_str(),
            "helping"
                | "help"
                | "working"
                | "work"
                | "helped"
                | "worked"
                | "hace"
                | "funciona"
                | "ayuda"
                | "sirve"
        ) && doc.negated(i)
    });
    if reliever && not_helping {
        return true;
    }
    let breathless = doc.any(C::Wheeze) || doc.any(C::Breathe) || doc.any(C::Struggle);
    let cannot_talk = doc.toks.iter().enumerate().any(|(i, t)| {
        matches!(
            t.w.as_str(),
            "talk" | "speak" | "finish" | "sentence" | "sentences" | "words" | "hablar"
        ) && doc.negated(i)
    });
    if breathless && cannot_talk && !doc.hypothetical(0) {
        return true;
    }
    false
}

pub(crate) fn consciousness(doc: &Doc) -> bool {
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
        // "anda flojo del estómago": loose stools, not a floppy child.
        let bowels = doc.w(i).starts_with("floj")
            && matches!(doc.w(i + 1), "del" | "de")
            && doc.near_word(i, &["estomago", "panza", "vientre", "pancita"], 0, 3);
        if matches!(doc.w(i), "lethargic" | "listless" | "lethargy") || a_limp || bowels {
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
        let fell_asleep = doc.has_word(&[
            "bedtime", "bed", "asleep", "nap", "sleep", "couch", "sofa", "tired",
        ]);
        if t.w == "passed" && fell_asleep {
            continue;
        }
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
        if eyes_rolled(doc, i) {
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
    false
}

/// Eyes rolled back: "his eyes rolled back", "los ojos en blanco", "ojos volteados".
fn eyes_rolled(doc: &Doc, i: usize) -> bool {
    doc.is(i, C::Eyes)
        && (matches!(
            doc.w(i + 1),
            "rolling" | "rolled" | "roll" | "volteados" | "virados"
        ) || (doc.w(i + 1) == "en" && doc.w(i + 2) == "blanco"))
        && !doc.hypothetical(i)
}

pub(crate) fn seizure(doc: &Doc) -> bool {
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
            || (0..doc.toks.len()).any(|j| eyes_rolled(doc, j))
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
