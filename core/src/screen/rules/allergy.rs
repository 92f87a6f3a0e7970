//! Severe allergic reactions, and the child's recorded allergen eaten.

use super::fires;
use crate::screen::text::{Concept as C, Doc};
use crate::screen::ChildFacts;

pub(crate) fn allergy(doc: &Doc, children: &[ChildFacts]) -> bool {
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
