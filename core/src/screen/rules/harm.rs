//! Poisoning and serious injury.

use super::fires;
use crate::screen::text::{Concept as C, Doc};
use crate::screen::ChildFacts;

pub(crate) fn poisoning(doc: &Doc, names: &[&str]) -> bool {
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
        // "Her medicine" is the child's own, unless someone else's things are in the message
        // ("got into grandma's handbag and chewed some of her tablets").
        let others_things = doc.toks.iter().enumerate().any(|(j, t)| {
            (t.possessive && !names.contains(&t.w.as_str()) && !product_for_children(&t.w))
                || (t.w == "de" && matches!(doc.w(j + 2), "abuela" | "abuelo" | "tia" | "tio"))
        });
        let adult_medicine = doc.has_word(&[
            "blood",
            "pressure",
            "heart",
            "diabetes",
            "prescription",
            "birth",
            "sleeping",
            "adult",
            "antidepressant",
            "antidepressants",
            "painkillers",
            "opioids",
            "thyroid",
        ]);
        let own = (start..i).any(|j| matches!(doc.w(j), "his" | "her" | "their" | "su" | "sus"))
            && !(start..i).any(|j| doc.is(j, C::Quantity))
            && !others_things
            && !adult_medicine;
        // Someone else's: "Luis's pills", "grandmas tablets", "my ibuprofen", "adult Advil".
        let someone_elses = (start..i).any(|j| {
            let tok = &doc.toks[j];
            (tok.possessive && !names.contains(&tok.w.as_str()) && !product_for_children(&tok.w))
                || (matches!(tok.w.as_str(), "adult" | "adults")
                    || (matches!(tok.w.as_str(), "my" | "our" | "your" | "mine") && i - j <= 3))
                    && !doc.is(j + 1, C::ChildWord)
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
            "instead",
            "overdosed",
            "twice",
        ]);
        // Two or three people each gave it without knowing: a double (or triple) dose.
        let everyone_gave = doc.has_word(&["both", "all", "each", "also"])
            && doc.has_word(&["gave", "given"])
            && doc.has_word(&[
                "without", "checking", "didnt", "realize", "realise", "knowing",
            ]);
        let took =
            (start..i).any(|j| doc.is(j, C::Took) || doc.is(j, C::Ingest)) || near_ingestion(i);
        // Giving a dose is reported with its amount; only someone else's medicine or a mistake
        // makes it a poisoning ("gave Emma Leo's amoxicillin by mistake").
        let gave = (start..i).any(|j| matches!(doc.w(j), "gave" | "given" | "give" | "di" | "dio"))
            || everyone_gave;
        let mistake = mistake || everyone_gave;
        // "she had 4 or 5": the taking is often said after the medicine.
        let took = took
            || (i + 1..(i + 9).min(doc.toks.len())).any(|j| {
                doc.is(j, C::Took) && doc.toks[j].clause.abs_diff(doc.toks[i].clause) <= 1
            });
        let someone_elses = someone_elses || adult_medicine;
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
    // A medicine bottle got hold of and now empty, or missing pills.
    let got_at = doc.toks.iter().enumerate().any(|(i, t)| {
        (matches!(t.w.as_str(), "got" | "gets") && matches!(doc.w(i + 1), "hold" | "into" | "at"))
            || matches!(t.w.as_str(), "found" | "opened" | "reached")
    });
    let emptied = doc.has_word(&[
        "empty", "emptied", "missing", "gone", "vacio", "vacia", "faltan",
    ]);
    if got_at && emptied && (doc.any(C::Medicine) || doc.has_word(&["bottle", "frasco"])) {
        return true;
    }
    false
}

/// "Children's Tylenol", "Infants' Motrin", "kid's Zyrtec": the product's name says who it is made
/// for, not whose it is; it is not someone else's medicine.
fn product_for_children(word: &str) -> bool {
    matches!(
        word,
        "children"
            | "childrens"
            | "child"
            | "kids"
            | "kid"
            | "infants"
            | "infant"
            | "baby"
            | "babies"
            | "toddler"
            | "toddlers"
            | "junior"
    )
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

pub(crate) fn injury(doc: &Doc, children: &[ChildFacts]) -> bool {
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
        let warning = doc
            .toks
            .iter()
            .enumerate()
            .any(|(j, _)| head_injury_warning(doc, j));
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
        // Away from water, Spanish "ahogarse" is choking (a breathing emergency).
        if doc.w(i).starts_with("ahog") && !doc.any(C::Water) {
            continue;
        }
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

/// A warning sign after a head injury: being sick, drowsy, confused, a fit, fluid or blood from
/// the nose or ears, odd pupils; "not acting right", "not himself", "doesn't remember".
fn head_injury_warning(doc: &Doc, j: usize) -> bool {
    let t = &doc.toks[j];
    let sign = t.has(C::Vomit)
        || t.has(C::Drowsy)
        || t.has(C::Unconscious)
        || t.has(C::Seize)
        || (t.has(C::Bleed) && doc.close(j, C::Nose, 3))
        || matches!(t.w.as_str(), "fluid" | "clear" | "unequal");
    if sign {
        return !doc.negated(j);
    }
    // These are signs only when negated: "not acting right", "doesn't make sense".
    if matches!(
        t.w.as_str(),
        "normal" | "right" | "himself" | "herself" | "sense" | "remember"
    ) {
        return doc.near(j, C::Neg, 4, 0);
    }
    t.w == "acting"
        && doc.near_word(
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
        )
}
