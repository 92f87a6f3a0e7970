//! The red-flag screen: does this message describe a child in danger *now*?
//!
//! It runs on every inbound text before anything else reads it — before the command parser, the
//! conversation state and any assistant — so that "she took 3 of Luis's pills" is answered with
//! the emergency number, never parsed as a dose of "of", and never waits behind a question that
//! was pending. It is pure (no I/O), fast (a few microseconds; `cargo bench -p mednanny-core
//! --bench red_flags`), and written to be reviewed by a clinician: one rule per category in
//! [`rules`], over words normalised by [`text`].
//!
//! The categories follow the paediatric "call the emergency number now" lists (AAP, NHS 111/999,
//! Red Cross first aid): breathing, consciousness, seizures, severe allergic reactions (and the
//! child's *recorded* allergen eaten), poisoning, serious injury, signs of a serious infection
//! (including any fever in a baby under 3 months), dehydration in a baby, suicidal talk, and abuse.
//!
//! When unsure, the screen prefers the emergency answer: a false alarm costs a minute, a miss can
//! cost a life. `core/tests/red_flags/` holds the evaluation set it is held to (every emergency
//! caught; look-alikes reported, under 5 % false alarms).
//!
//! It is not a diagnosis and not a substitute for calling the emergency number: the answer only
//! ever says to call, with first-aid lines that are safe in every case of the category.
//!
//! # Layout
//! - `text`: normalisation (case, accents, contractions, misspellings) and the lexicon.
//! - `rules`: the categories' rules.
//! - `numbers`: the emergency, poison, crisis and child-protection numbers by country.

mod numbers;
mod rules;
mod text;

use serde::{Deserialize, Serialize};

pub use numbers::{emergency_numbers, EmergencyNumbers};

/// Which kind of emergency. The answer's first-aid lines and extra numbers depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Breathing,
    Consciousness,
    Seizure,
    Allergy,
    Poisoning,
    Injury,
    Infection,
    Dehydration,
    SelfHarm,
    Abuse,
    /// Someone calls for an ambulance or the emergency number without saying why.
    Unspecified,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Category::Breathing,
        Category::Consciousness,
        Category::Seizure,
        Category::Allergy,
        Category::Poisoning,
        Category::Injury,
        Category::Infection,
        Category::Dehydration,
        Category::SelfHarm,
        Category::Abuse,
        Category::Unspecified,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Breathing => "breathing",
            Category::Consciousness => "consciousness",
            Category::Seizure => "seizure",
            Category::Allergy => "allergy",
            Category::Poisoning => "poisoning",
            Category::Injury => "injury",
            Category::Infection => "infection",
            Category::Dehydration => "dehydration",
            Category::SelfHarm => "self_harm",
            Category::Abuse => "abuse",
            Category::Unspecified => "unspecified",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// What the screen found: every category that fired, most urgent first (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedFlag {
    pub categories: Vec<Category>,
}

impl RedFlag {
    /// The category whose first aid is given.
    pub fn primary(&self) -> Category {
        self.categories
            .first()
            .copied()
            .unwrap_or(Category::Consciousness)
    }

    pub fn involves(&self, category: Category) -> bool {
        self.categories.contains(&category)
    }
}

/// What the screen may know about the family's children: their names (as the message would say
/// them), ages and recorded allergens. Empty for a stranger or before the family is known.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChildFacts {
    pub id: i64,
    /// Lower case.
    pub name: String,
    pub age_days: Option<i64>,
    /// Lower case, as recorded ("peanuts", "tree nuts").
    pub allergens: Vec<String>,
}

impl ChildFacts {
    pub fn new(id: i64, name: &str, age_days: Option<i64>, allergens: &[String]) -> Self {
        Self {
            id,
            name: name.trim().to_lowercase(),
            age_days,
            allergens: allergens.iter().map(|a| a.trim().to_lowercase()).collect(),
        }
    }
}

/// Screens one message.
pub fn screen(message: &str, children: &[ChildFacts]) -> Option<RedFlag> {
    Screening::new(message).verdict(children)
}

/// Whether the family's facts (birth dates, allergens) could change the verdict on this message:
/// it mentions a temperature or fever, something eaten, or a sign of an allergic reaction.
pub fn needs_child_facts(message: &str) -> bool {
    Screening::new(message).needs_child_facts()
}

/// One message read once, for a turn that screens it without the family's facts first and then,
/// only when they could matter, with them.
pub struct Screening<'a> {
    message: &'a str,
    doc: text::Doc,
}

impl<'a> Screening<'a> {
    pub fn new(message: &'a str) -> Self {
        Self {
            message,
            doc: text::read(message, &[]),
        }
    }

    /// The verdict, with what is known of the children (names, ages, recorded allergens).
    pub fn verdict(&self, children: &[ChildFacts]) -> Option<RedFlag> {
        let categories = if children.is_empty() {
            rules::all(&self.doc, children)
        } else {
            // The children's names change how the words read ("emmas pills" is a possessive).
            let names: Vec<String> = children.iter().map(|c| c.name.clone()).collect();
            rules::all(&text::read(self.message, &names), children)
        };
        (!categories.is_empty()).then_some(RedFlag { categories })
    }

    /// Whether the family's facts could change the verdict (see [`needs_child_facts`]). Most
    /// messages cannot be emergencies of those kinds, and skip loading them.
    pub fn needs_child_facts(&self) -> bool {
        let doc = &self.doc;
        // A reading from 35.5 to 37.9 °C is no emergency at any age: "Emma temp 37.2" reads nothing.
        doc.temperatures().iter().any(|c| *c >= 38.0 || *c < 35.5)
            || doc.toks.iter().any(|t| {
                (t.has(text::Concept::Fever)
                    && !matches!(t.w.as_str(), "temp" | "temperature" | "temperatura"))
                    || t.has(text::Concept::Ingest)
                    || t.has(text::Concept::Took)
                    || t.has(text::Concept::Vomit)
                    || t.has(text::Concept::Hives)
                    || t.has(text::Concept::Swell)
                    || t.has(text::Concept::Wheeze)
                    || matches!(
                        t.w.as_str(),
                        "hot"
                            | "burning"
                            | "some"
                            | "tried"
                            | "bite"
                            | "cough"
                            | "coughing"
                            | "rash"
                            | "itchy"
                    )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family() -> Vec<ChildFacts> {
        vec![
            ChildFacts::new(1, "Emma", Some(4 * 365), &[]),
            ChildFacts::new(2, "Leo", Some(425), &["peanuts".into()]),
            ChildFacts::new(3, "Sofia", Some(49), &[]),
        ]
    }

    fn category(text: &str, children: &[ChildFacts]) -> Option<Category> {
        screen(text, children).map(|f| f.primary())
    }

    #[test]
    fn fever_in_a_baby_under_three_months_from_birth_date_or_words() {
        let kids = family();
        let none: Vec<ChildFacts> = Vec::new();
        // (message, children known, expected)
        let table: &[(&str, &[ChildFacts], Option<Category>)] = &[
            ("Sofia temp 38.1", &kids, Some(Category::Infection)),
            ("sofia is 100.6F", &kids, Some(Category::Infection)),
            ("sofia 38,0", &kids, Some(Category::Infection)),
            ("Sofia temp 37.9", &kids, None),
            ("Sofia 37.2 after her bath", &kids, None),
            ("Emma temp 38.4", &kids, None),
            ("leo 38.6", &kids, None),
            (
                "my 6 week old has a temp of 38.2",
                &none,
                Some(Category::Infection),
            ),
            ("2 month old baby 100.6", &none, Some(Category::Infection)),
            (
                "my 8wk old 4.5 kg has 38.4",
                &none,
                Some(Category::Infection),
            ),
            ("newborn has a fever", &none, Some(Category::Infection)),
            ("my 4 month old has 38.4", &none, None),
            ("my 6 week old weighs 4.2 kg", &none, None),
            ("the baby is 38.3", &kids, Some(Category::Infection)),
            (
                "my 7 week old is 35.1 and cold",
                &none,
                Some(Category::Infection),
            ),
        ];
        for (text, children, expected) in table {
            assert_eq!(category(text, children), *expected, "{text}");
        }
    }

    #[test]
    fn the_recorded_allergen_eaten_is_an_emergency_only_for_that_child() {
        let kids = family();
        assert_eq!(
            category("leo ate a peanut butter cracker", &kids),
            Some(Category::Allergy)
        );
        assert_eq!(
            category("he had some peanuts at the party and is coughing", &kids),
            Some(Category::Allergy)
        );
        assert_eq!(category("Emma ate peanuts at lunch", &kids), None);
        assert_eq!(
            category("leo is allergic to peanuts, please check labels", &kids),
            None
        );
        assert_eq!(category("leo didn't eat any peanuts", &kids), None);
    }

    #[test]
    fn a_sign_that_goes_on_and_a_bare_call_for_help() {
        let kids = family();
        let table: &[(&str, Option<Category>)] = &[
            ("baby wont stop seizing", Some(Category::Seizure)),
            ("she won't stop convulsing", Some(Category::Seizure)),
            ("call an ambulance", Some(Category::Unspecified)),
            ("911", Some(Category::Unspecified)),
            ("EMERGENCY leo", Some(Category::Unspecified)),
            ("call 911 he is not breathing", Some(Category::Breathing)),
            ("please update the emergency contact to Luis", None),
            // README's own profile command: "emergency" is the field.
            ("profile Maya emergency Rosa Diaz 555 010 7788", None),
            ("perfil Maya emergencia Rosa Díaz 555 010 7788", None),
            ("change Maya's emergency to Luis 555 010 2222", None),
            // A sign in such a command is still one.
            (
                "profile Maya emergency Leo is not breathing",
                Some(Category::Breathing),
            ),
            ("leo loves ambulance videos", None),
            ("help", None),
        ];
        for (text, expected) in table {
            assert_eq!(category(text, &kids), *expected, "{text}");
        }
    }

    /// Spanish says some signs its own way: "ahogarse" is choking away from water and drowning
    /// in it; "se quiere matar" is about oneself, "me quiere matar" a figure of speech; "flojo
    /// del estómago" is loose stools, not a floppy child.
    #[test]
    fn spanish_signs_read_as_spanish_says_them() {
        let kids = family();
        let table: &[(&str, Option<Category>)] = &[
            (
                "se está ahogando con un caramelo",
                Some(Category::Breathing),
            ),
            ("se cayó a la piscina y se ahogó", Some(Category::Injury)),
            ("mi hijo dice que se quiere matar", Some(Category::SelfHarm)),
            ("mi mamá me quiere matar, rompí su florero", None),
            ("leo anda flojo del estómago desde ayer", None),
            ("esta muy floja y no me mira", Some(Category::Consciousness)),
            (
                "tiene un ataque de asma y el inhalador no le hace nada",
                Some(Category::Breathing),
            ),
            ("tiene los ojos en blanco", Some(Category::Consciousness)),
            ("se ahogaba de la risa", None),
        ];
        for (text, expected) in table {
            assert_eq!(category(text, &kids), *expected, "{text}");
        }
    }

    /// "Leo's had his amoxicillin" is Leo's own dose, even before the family's names are known;
    /// a choke that is over ("coughed a bit after choking on her water, fine now") is no alarm.
    #[test]
    fn a_contraction_is_not_someone_elses_and_a_choke_that_is_over() {
        let none: Vec<ChildFacts> = Vec::new();
        let table: &[(&str, Option<Category>)] = &[
            ("Leo's had 5ml of his amoxicillin", None),
            ("emma's been given her tylenol", None),
            (
                "she coughed a bit after choking on her water but she's fine now",
                None,
            ),
            (
                "Luis's pills, leo took 3 of them",
                Some(Category::Poisoning),
            ),
            ("he is choking on a grape", Some(Category::Breathing)),
        ];
        for (text, expected) in table {
            assert_eq!(category(text, &none), *expected, "{text}");
        }
    }

    /// Invite codes ("join 7OD3K-XY9ZQ") are screened like every message: their letters must never
    /// spell a sign ("od" is an overdose). Every code of the generator's alphabet, at random.
    #[test]
    fn no_invite_code_is_an_emergency() {
        use rand::{Rng, SeedableRng};
        const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for _ in 0..20_000 {
            let raw: String = (0..10)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            let text = format!("join {}-{}", &raw[..5], &raw[5..]);
            assert_eq!(screen(&text, &[]), None, "{text}");
        }
    }

    #[test]
    fn the_familys_facts_are_read_only_when_they_could_matter() {
        for text in [
            "Sofia temp 38.2",
            "sofia 100.6",
            "leo ate a cracker",
            "he had some nuts",
        ] {
            assert!(needs_child_facts(text), "{text}");
        }
        for text in [
            "note Emma bench note 17",
            "gave Emma 5 ml Tylenol at 9:30",
            "kids",
            "last doses",
        ] {
            assert!(!needs_child_facts(text), "{text}");
        }
    }

    #[test]
    fn someone_elses_pills_are_a_poisoning_not_a_dose() {
        let kids = family();
        for text in [
            "took 3 of Luis's pills",
            "leo swallowed 5 of grandmas pills",
            "emma got into the cleaning cabinet and drank bleach",
            "i gave emma leo's amoxicillin by mistake",
            "se tragó una pila",
        ] {
            assert!(
                screen(text, &kids).is_some_and(|f| f.involves(Category::Poisoning)),
                "{text}"
            );
        }
        for text in [
            "gave Emma 5 ml Tylenol at 9:30",
            "leo had his amoxicillin",
            "when can emma have ibuprofen?",
        ] {
            assert_eq!(screen(text, &kids), None, "{text}");
        }
    }
}
