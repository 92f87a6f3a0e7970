//! Phone numbers as WhatsApp addresses people: E.164 (`+15551234567`), parsed and validated with
//! libphonenumber's metadata, the family's country as the default for a number typed without `+`.

use std::fmt;

use phonenumber::Mode;

/// A phone number in E.164.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// A number someone typed ("+1 415 555 0100", "(415) 555-0100" in a US family): valid for its
    /// country, or `None`.
    pub fn parse(text: &str, country: &str) -> Option<Phone> {
        let text = text.trim();
        if text.is_empty() || text.chars().any(|c| c.is_alphabetic()) {
            return None;
        }
        let region = country.trim().to_ascii_uppercase().parse().ok();
        let number = phonenumber::parse(region, text).ok()?;
        phonenumber::is_valid(&number).then(|| Phone(number.format().mode(Mode::E164).to_string()))
    }

    /// The sender of a WhatsApp message as Twilio names it (`whatsapp:+15551234567`). Twilio has
    /// already checked the number, so only its shape is: a `+`, then 7 to 15 digits.
    pub fn from_whatsapp(address: &str) -> Option<Phone> {
        let number = address.trim().strip_prefix("whatsapp:")?;
        let digits = number.strip_prefix('+')?;
        ((7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Phone(number.to_string()))
    }

    /// A stored E.164 number (from the database): no checks.
    pub fn from_e164(number: impl Into<String>) -> Phone {
        Phone(number.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Twilio's address for it: `whatsapp:+15551234567`.
    pub fn whatsapp_address(&self) -> String {
        format!("whatsapp:{}", self.0)
    }

    /// The number with all but its last four digits hidden, for shared places and logs.
    pub fn masked(&self) -> String {
        let digits = self.0.len().saturating_sub(1);
        let shown = &self.0[self.0.len().saturating_sub(4.min(digits))..];
        format!("+…{shown}")
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Phone;

    #[test]
    fn typed_numbers_become_e164_in_the_familys_country() {
        let cases = [
            ("+1 415 555 0100", "US", Some("+14155550100")),
            ("(415) 555-0100", "US", Some("+14155550100")),
            ("415.555.0100", "us", Some("+14155550100")),
            ("+34 612 34 56 78", "US", Some("+34612345678")),
            ("612 34 56 78", "ES", Some("+34612345678")),
            ("020 7946 0018", "GB", Some("+442079460018")),
            // Not numbers, or not valid for their country.
            ("555 1234", "US", None),
            ("+1 555 123 4567", "US", None),
            ("call me", "US", None),
            ("", "US", None),
            ("12", "US", None),
        ];
        for (typed, country, expected) in cases {
            assert_eq!(
                Phone::parse(typed, country).as_ref().map(Phone::as_str),
                expected,
                "{typed:?} in {country}"
            );
        }
    }

    #[test]
    fn a_whatsapp_sender_is_read_from_twilios_address() {
        assert_eq!(
            Phone::from_whatsapp("whatsapp:+15551234567").map(|p| p.0),
            Some("+15551234567".to_string())
        );
        for bad in [
            "+15551234567",
            "whatsapp:15551234567",
            "whatsapp:+1a",
            "sms:+15551234567",
        ] {
            assert_eq!(Phone::from_whatsapp(bad), None, "{bad}");
        }
        assert_eq!(
            Phone::from_e164("+14155550100").whatsapp_address(),
            "whatsapp:+14155550100"
        );
        assert_eq!(Phone::from_e164("+14155550100").masked(), "+…0100");
    }
}
