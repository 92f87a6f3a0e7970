//! What the model may say in its own words, checked in code whatever the model was told.
//!
//! The model's words only answer what is not in the record (general questions, thanks, "what can
//! you do"): record facts come from the record through tools. So an amount with a dose unit in the
//! model's words is never right to show: it is either a dose worked out (from a weight, a label, a
//! guess) or a record fact said from memory. Such an answer is replaced by a refusal. A health
//! answer that does not send the person to their paediatrician gets that line.

/// The model's answer after the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// Shown as it is (perhaps with the paediatrician line added).
    Say(String),
    /// It named a dose: the caller shows the "I can't work out doses" answer instead.
    NoDoses,
    /// Nothing to show (empty).
    Nothing,
}

/// Longest answer shown; a model that rambles is cut at a sentence.
const MAX_CHARS: usize = 700;

const DOSE_UNITS: &[&str] = &[
    "ml",
    "mls",
    "milliliter",
    "milliliters",
    "millilitre",
    "millilitres",
    "mililitros",
    "mg",
    "mgs",
    "milligram",
    "milligrams",
    "miligramos",
    "mcg",
    "cc",
    "teaspoon",
    "teaspoons",
    "tsp",
    "tablespoon",
    "tablespoons",
    "tbsp",
    "cucharadita",
    "cucharaditas",
    "cucharada",
    "cucharadas",
    "tablet",
    "tablets",
    "tableta",
    "tabletas",
    "pastilla",
    "pastillas",
    "pill",
    "pills",
    "drop",
    "drops",
    "gota",
    "gotas",
    "mg/kg",
];

/// Symptoms and illness: an answer about them ends at the paediatrician. (Not "dose" or
/// "temperature": "I can log doses and temperatures" is not health advice.)
const HEALTH_WORDS: &[&str] = &[
    "fever",
    "cough",
    "coughing",
    "vomit",
    "vomiting",
    "rash",
    "sick",
    "pain",
    "ill",
    "symptom",
    "symptoms",
    "diarrhea",
    "diarrhoea",
    "allergic",
    "infection",
    "ear",
    "throat",
    "warm",
    "hot",
    "fiebre",
    "tos",
    "vómito",
    "vomito",
    "vomitando",
    "sarpullido",
    "dolor",
    "síntoma",
    "síntomas",
    "diarrea",
    "alérgica",
    "alérgico",
    "infección",
    "oído",
    "garganta",
    "enfermo",
    "enferma",
];

const SENDS_TO_DOCTOR: &[&str] = &[
    "paediatrician",
    "pediatrician",
    "doctor",
    "pediatra",
    "médico",
    "medico",
    "nurse line",
    "enfermera",
];

/// Checks the model's answer (already with real names back in it).
pub fn check(answer: &str, spanish: bool) -> Checked {
    let answer = answer.trim();
    if answer.is_empty() {
        return Checked::Nothing;
    }
    if names_a_dose(answer) {
        return Checked::NoDoses;
    }
    let mut text = shorten(answer);
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let about_health = words.iter().any(|w| HEALTH_WORDS.contains(w));
    let sends_to_doctor = SENDS_TO_DOCTOR.iter().any(|d| lower.contains(d));
    if about_health && !sends_to_doctor {
        text.push_str(if spanish {
            "\n\nSi te preocupa, habla con tu pediatra."
        } else {
            "\n\nIf you're worried, talk to your paediatrician."
        });
    }
    Checked::Say(text)
}

/// Whether the text puts a number before a dose unit ("7.5 ml", "7,5ml", "2 teaspoons", "10 mg/kg").
fn names_a_dose(text: &str) -> bool {
    let lower = text.to_lowercase();
    let tokens: Vec<&str> = lower.split_whitespace().collect();
    for (i, token) in tokens.iter().enumerate() {
        let token =
            token.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | ':' | '!' | '?'));
        let digits = token
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, '.' | ',' | '/' | '½' | '¼'))
            .map(|(i, c)| i + c.len_utf8())
            .last();
        let Some(end) = digits else {
            // "half a teaspoon", "media cucharadita".
            if matches!(
                token,
                "half" | "media" | "medio" | "one" | "two" | "una" | "un" | "dos"
            ) {
                let next = tokens.get(i + 1).map(|t| clean(t));
                let after = tokens.get(i + 2).map(|t| clean(t));
                if next.is_some_and(is_unit) || (next == Some("a") && after.is_some_and(is_unit)) {
                    return true;
                }
            }
            continue;
        };
        if !token[..end]
            .chars()
            .any(|c| c.is_ascii_digit() || c == '½' || c == '¼')
        {
            continue;
        }
        let glued = clean(&token[end..]);
        if (!glued.is_empty() && is_unit(glued))
            || (glued.is_empty() && tokens.get(i + 1).map(|t| clean(t)).is_some_and(is_unit))
        {
            return true;
        }
    }
    false
}

fn clean(token: &str) -> &str {
    token.trim_matches(|c: char| !c.is_alphanumeric() && c != '/')
}

fn is_unit(word: &str) -> bool {
    DOSE_UNITS.contains(&word)
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX_CHARS).collect();
    match cut.rfind(['.', '!', '?', '\n']) {
        Some(end) if end > MAX_CHARS / 2 => cut[..=end].to_string(),
        _ => format!("{}…", cut.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_that_names_a_dose_is_never_shown() {
        let doses = [
            "For a 16 kg child that would be 7.5 ml every 6 hours.",
            "Give 7,5ml.",
            "She can have 2 teaspoons.",
            "the usual is 10 mg/kg",
            "Dale media cucharadita cada 6 horas.",
            "half a teaspoon should be fine",
            "1/2 tablet",
            "160 mg",
            "(5 mL)",
        ];
        for text in doses {
            assert_eq!(check(text, false), Checked::NoDoses, "{text}");
        }
    }

    #[test]
    fn everyday_answers_are_shown_and_health_ones_send_to_the_paediatrician() {
        assert_eq!(
            check("You're welcome! 😊", false),
            Checked::Say("You're welcome! 😊".into())
        );
        assert_eq!(
            check("I can log doses, temperatures and notes, and tell you when the next dose is allowed. It is 3 pm.", false),
            Checked::Say("I can log doses, temperatures and notes, and tell you when the next dose is allowed. It is 3 pm.".into())
        );
        let fever = check("Keep her drinking fluids and watch the fever.", false);
        assert_eq!(
            fever,
            Checked::Say(
                "Keep her drinking fluids and watch the fever.\n\nIf you're worried, talk to your paediatrician."
                    .into()
            )
        );
        let spanish = check("Dale líquidos y vigila la fiebre.", true);
        assert!(matches!(spanish, Checked::Say(t) if t.ends_with("habla con tu pediatra.")));
        let already = check("Call your pediatrician if the fever lasts 3 days.", false);
        assert_eq!(
            already,
            Checked::Say("Call your pediatrician if the fever lasts 3 days.".into())
        );
        assert_eq!(check("   ", false), Checked::Nothing);
    }

    #[test]
    fn a_long_answer_is_cut_at_a_sentence() {
        let long = "This is a sentence. ".repeat(60);
        match check(&long, false) {
            Checked::Say(text) => {
                assert!(text.chars().count() <= MAX_CHARS);
                assert!(text.ends_with('.'));
            }
            other => panic!("{other:?}"),
        }
    }
}
