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
}

/// The numbers for a two-letter country code (any case); the EU's 112 for any other.
pub fn emergency_numbers(country: &str) -> EmergencyNumbers {
    match country.trim().to_ascii_uppercase().as_str() {
        "US" => EmergencyNumbers {
            emergency: "911",
            poison_help: Some("1-800-222-1222"),
            crisis_line: Some(("the 988 Suicide & Crisis Lifeline", "988")),
            child_protection: Some(("the Childhelp hotline", "1-800-422-4453")),
        },
        "CA" => EmergencyNumbers {
            emergency: "911",
            poison_help: Some("1-844-764-7669"),
            crisis_line: Some(("9-8-8 Suicide Crisis Helpline", "988")),
            child_protection: Some(("Kids Help Phone", "1-800-668-6868")),
        },
        "MX" => EmergencyNumbers {
            emergency: "911",
            poison_help: None,
            crisis_line: Some(("Línea de la Vida", "800 911 2000")),
            child_protection: None,
        },
        "GB" | "UK" => EmergencyNumbers {
            emergency: "999",
            poison_help: Some("NHS 111"),
            crisis_line: Some(("Samaritans", "116 123")),
            child_protection: Some(("the NSPCC helpline", "0808 800 5000")),
        },
        "IE" => EmergencyNumbers {
            emergency: "112",
            poison_help: Some("01 809 2166"),
            crisis_line: Some(("Samaritans", "116 123")),
            child_protection: Some(("Childline", "1800 66 66 66")),
        },
        "AU" => EmergencyNumbers {
            emergency: "000",
            poison_help: Some("13 11 26"),
            crisis_line: Some(("Lifeline", "13 11 14")),
            child_protection: Some(("Kids Helpline", "1800 55 1800")),
        },
        "NZ" => EmergencyNumbers {
            emergency: "111",
            poison_help: Some("0800 764 766"),
            crisis_line: Some(("Need to talk? (call or text)", "1737")),
            child_protection: Some(("Oranga Tamariki", "0508 326 459")),
        },
        "ES" => EmergencyNumbers {
            emergency: "112",
            poison_help: Some("Toxicología 91 562 04 20"),
            crisis_line: Some(("la Línea 024", "024")),
            child_protection: Some(("Fundación ANAR", "900 20 20 10")),
        },
        "DE" => EmergencyNumbers {
            emergency: "112",
            poison_help: Some("Giftnotruf 030 19240"),
            crisis_line: Some(("TelefonSeelsorge", "0800 111 0 111")),
            child_protection: Some(("Nummer gegen Kummer", "116 111")),
        },
        "FR" => EmergencyNumbers {
            emergency: "15 (or 112)",
            poison_help: None,
            crisis_line: Some(("le 3114", "3114")),
            child_protection: Some(("Allô Enfance en Danger", "119")),
        },
        "IT" => EmergencyNumbers {
            emergency: "112",
            poison_help: None,
            crisis_line: None,
            child_protection: Some(("Telefono Azzurro", "19696")),
        },
        _ => EmergencyNumbers {
            emergency: "112",
            poison_help: None,
            crisis_line: None,
            child_protection: None,
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
