//! Who to call, by the family's country: the emergency number, the poison centre, the crisis line
//! for suicidal talk, and the child-protection line for abuse.
//!
//! Each entry is a public, free service's published number. A country that is not in the table gets
//! 112, which reaches the emergency services in every EU country and from most mobile phones
//! elsewhere, and no number we are not sure of: a wrong helpline is worse than none.

/// The numbers that go with an emergency answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmergencyNumbers {
    /// Ambulance / emergency services.
    pub emergency: &'static str,
    /// Poison advice for the public ("Poison Help", "NHS 111"), when the country has one.
    pub poison_help: Option<&'static str>,
    /// A suicide / emotional crisis line: (name, number).
    pub crisis_line: Option<(&'static str, &'static str)>,
    /// A child-protection line for reporting abuse: (name, number).
    pub child_protection: Option<(&'static str, &'static str)>,
    /// The country has no row in the table: `emergency` is 112, a guess, and the answer says so.
    pub guessed: bool,
}

/// The numbers for a two-letter country code (any case); the EU's 112 for any other, marked as
/// a guess.
pub fn emergency_numbers(country: &str) -> EmergencyNumbers {
    let known = |emergency, poison_help, crisis_line, child_protection| EmergencyNumbers {
        emergency,
        poison_help,
        crisis_line,
        child_protection,
        guessed: false,
    };
    match country.trim().to_ascii_uppercase().as_str() {
        "US" => known(
            "911",
            Some("1-800-222-1222"),
            Some(("the 988 Suicide & Crisis Lifeline", "988")),
            Some(("the Childhelp hotline", "1-800-422-4453")),
        ),
        // Colombia's national emergency line (Línea 123).
        "CO" => known("123", None, None, None),
        "CA" => known(
            "911",
            Some("1-844-764-7669"),
            Some(("9-8-8 Suicide Crisis Helpline", "988")),
            Some(("Kids Help Phone", "1-800-668-6868")),
        ),
        "MX" => known(
            "911",
            None,
            Some(("Línea de la Vida", "800 911 2000")),
            None,
        ),
        "GB" | "UK" => known(
            "999",
            Some("NHS 111"),
            Some(("Samaritans", "116 123")),
            Some(("the NSPCC helpline", "0808 800 5000")),
        ),
        // The Crown Dependencies answer 999 (their numbers share the UK's +44).
        "GG" | "JE" | "IM" => known("999", None, None, None),
        "IE" => known(
            "112",
            Some("01 809 2166"),
            Some(("Samaritans", "116 123")),
            Some(("Childline", "1800 66 66 66")),
        ),
        "AU" => known(
            "000",
            Some("13 11 26"),
            Some(("Lifeline", "13 11 14")),
            Some(("Kids Helpline", "1800 55 1800")),
        ),
        "NZ" => known(
            "111",
            Some("0800 764 766"),
            Some(("Need to talk? (call or text)", "1737")),
            Some(("Oranga Tamariki", "0508 326 459")),
        ),
        "ES" => known(
            "112",
            Some("Toxicología 91 562 04 20"),
            Some(("la Línea 024", "024")),
            Some(("Fundación ANAR", "900 20 20 10")),
        ),
        "DE" => known(
            "112",
            Some("Giftnotruf 030 19240"),
            Some(("TelefonSeelsorge", "0800 111 0 111")),
            Some(("Nummer gegen Kummer", "116 111")),
        ),
        "FR" => known(
            "15 (or 112)",
            None,
            Some(("le 3114", "3114")),
            Some(("Allô Enfance en Danger", "119")),
        ),
        "IT" => known("112", None, None, Some(("Telefono Azzurro", "19696"))),
        _ => EmergencyNumbers {
            emergency: "112",
            poison_help: None,
            crisis_line: None,
            child_protection: None,
            guessed: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_country_has_its_numbers() {
        // (country, emergency, poison help, crisis line, child protection)
        type Row = (
            &'static str,
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            Option<&'static str>,
        );
        let table: &[Row] = &[
            (
                "US",
                "911",
                Some("1-800-222-1222"),
                Some("988"),
                Some("1-800-422-4453"),
            ),
            (
                "us",
                "911",
                Some("1-800-222-1222"),
                Some("988"),
                Some("1-800-422-4453"),
            ),
            (
                "CA",
                "911",
                Some("1-844-764-7669"),
                Some("988"),
                Some("1-800-668-6868"),
            ),
            ("MX", "911", None, Some("800 911 2000"), None),
            ("CO", "123", None, None, None),
            ("GG", "999", None, None, None),
            ("JE", "999", None, None, None),
            (
                "GB",
                "999",
                Some("NHS 111"),
                Some("116 123"),
                Some("0808 800 5000"),
            ),
            (
                "UK",
                "999",
                Some("NHS 111"),
                Some("116 123"),
                Some("0808 800 5000"),
            ),
            (
                "IE",
                "112",
                Some("01 809 2166"),
                Some("116 123"),
                Some("1800 66 66 66"),
            ),
            (
                "AU",
                "000",
                Some("13 11 26"),
                Some("13 11 14"),
                Some("1800 55 1800"),
            ),
            (
                "NZ",
                "111",
                Some("0800 764 766"),
                Some("1737"),
                Some("0508 326 459"),
            ),
            (
                "ES",
                "112",
                Some("Toxicología 91 562 04 20"),
                Some("024"),
                Some("900 20 20 10"),
            ),
            (
                "DE",
                "112",
                Some("Giftnotruf 030 19240"),
                Some("0800 111 0 111"),
                Some("116 111"),
            ),
            ("FR", "15 (or 112)", None, Some("3114"), Some("119")),
            ("IT", "112", None, None, Some("19696")),
            // Anywhere else in the EU, and unknown codes: 112 and nothing we are unsure of.
            ("PT", "112", None, None, None),
            ("NL", "112", None, None, None),
            ("", "112", None, None, None),
        ];
        for (country, emergency, poison, crisis, protection) in table {
            let numbers = emergency_numbers(country);
            assert_eq!(numbers.emergency, *emergency, "{country}");
            // Only a country the table lacks is a guess.
            let listed = !matches!(*country, "PT" | "NL" | "");
            assert_eq!(numbers.guessed, !listed, "{country}");
            assert_eq!(numbers.poison_help, *poison, "{country}");
            assert_eq!(numbers.crisis_line.map(|c| c.1), *crisis, "{country}");
            assert_eq!(
                numbers.child_protection.map(|c| c.1),
                *protection,
                "{country}"
            );
        }
    }
}
