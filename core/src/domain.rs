//! Domain types that validate on construction: once a value is one of these, it is known to be sane.
//! Wire text is parsed here (at the edge) and no raw string travels further in.

mod phone;
mod place;
pub mod text;

pub use phone::Phone;
pub use place::{read_place, zone_named, Country, Place, PlaceReading};

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Lower case without accents, for comparing what people type with word lists ("tomó" is
/// "tomo", "niños" is "ninos", "Bogotá" is "bogota"); curly apostrophes become straight ones.
pub(crate) fn fold(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            '’' | '‘' | '`' | '´' => '\'',
            other => other,
        })
        .collect()
}

/// Where a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Console,
    Slack,
    Whatsapp,
    /// The `mednanny` admin commands run by an operator.
    Cli,
    /// Internal jobs (seeding the demo, reminders).
    System,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Console => "console",
            Channel::Slack => "slack",
            Channel::Whatsapp => "whatsapp",
            Channel::Cli => "cli",
            Channel::System => "system",
        }
    }
}

/// The kind of a channel identity (a Slack user, a WhatsApp number, a console name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityKind {
    Slack,
    Whatsapp,
    Console,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Slack => "slack",
            IdentityKind::Whatsapp => "whatsapp",
            IdentityKind::Console => "console",
        }
    }
}

/// A member's role in a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Guardian,
    Caregiver,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guardian => "guardian",
            Role::Caregiver => "caregiver",
            Role::Viewer => "viewer",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "guardian" | "parent" => Ok(Role::Guardian),
            "caregiver" | "nanny" => Ok(Role::Caregiver),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!(
                "unknown role {other:?}: use guardian, caregiver or viewer"
            )),
        }
    }
}

/// Whether a guardian has authorized a medication: one a caregiver adds is pending until a guardian
/// approves it, and no dose of it is logged before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    Approved,
    Pending,
    Denied,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Approved => "approved",
            Approval::Pending => "pending",
            Approval::Denied => "denied",
        }
    }
    /// Reads a stored state; anything unexpected is read as not approved (no dose).
    pub fn parse(value: &str) -> Self {
        match value {
            "approved" => Approval::Approved,
            "pending" => Approval::Pending,
            _ => Approval::Denied,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Invited,
    Active,
    Revoked,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Invited => "invited",
            MemberStatus::Active => "active",
            MemberStatus::Revoked => "revoked",
        }
    }
    pub fn parse(value: &str) -> Self {
        match value {
            "active" => MemberStatus::Active,
            "invited" => MemberStatus::Invited,
            // Anything unexpected is treated as the safe choice.
            _ => MemberStatus::Revoked,
        }
    }
}

/// The unit a dose is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DoseUnit {
    Ml,
    Mg,
    Tablet,
    Drop,
}

impl DoseUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            DoseUnit::Ml => "ml",
            DoseUnit::Mg => "mg",
            DoseUnit::Tablet => "tablet",
            DoseUnit::Drop => "drop",
        }
    }

    /// The unit as a person writes it after an amount ("5 ml", "2 tablets").
    pub fn label(self, amount: f64) -> &'static str {
        let plural = (amount - 1.0).abs() > f64::EPSILON;
        match (self, plural) {
            (DoseUnit::Ml, _) => "ml",
            (DoseUnit::Mg, _) => "mg",
            (DoseUnit::Tablet, false) => "tablet",
            (DoseUnit::Tablet, true) => "tablets",
            (DoseUnit::Drop, false) => "drop",
            (DoseUnit::Drop, true) => "drops",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        match word
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase()
            .as_str()
        {
            "ml" | "mls" | "milliliter" | "milliliters" | "millilitre" | "millilitres" | "cc"
            | "mililiter" | "mililiters" | "mililitro" | "mililitros" => Some(DoseUnit::Ml),
            "mg" | "mgs" | "milligram" | "milligrams" | "miligramo" | "miligramos" => {
                Some(DoseUnit::Mg)
            }
            "tablet" | "tablets" | "tab" | "tabs" | "pill" | "pills" | "chewable" | "chewables"
            | "pastilla" | "pastillas" | "tableta" | "tabletas" | "comprimido" | "comprimidos" => {
                Some(DoseUnit::Tablet)
            }
            "drop" | "drops" | "gtt" | "gtts" | "gota" | "gotas" => Some(DoseUnit::Drop),
            _ => None,
        }
    }

    /// The largest single amount that could be a child's dose in this unit: past it, the input is a
    /// typo or nonsense, never a dose to record.
    fn plausible_max(self) -> f64 {
        match self {
            DoseUnit::Ml => 60.0,
            DoseUnit::Mg => 2000.0,
            DoseUnit::Tablet => 4.0,
            DoseUnit::Drop => 60.0,
        }
    }
}

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AmountError {
    #[error("no amount given")]
    Missing,
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("unit {0:?} is not one we can measure a dose in")]
    UnknownUnit(String),
    #[error("the amount must be more than zero")]
    NotPositive,
    #[error("{amount} {unit} is not a plausible dose for a child")]
    Implausible { amount: String, unit: &'static str },
}

/// A dose amount with its unit, e.g. `5 ml`, `1 tablet`, `160 mg`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DoseAmount {
    pub value: f64,
    pub unit: DoseUnit,
}

impl DoseAmount {
    pub fn new(value: f64, unit: DoseUnit) -> Result<Self, AmountError> {
        if !value.is_finite() {
            return Err(AmountError::NotANumber(value.to_string()));
        }
        if value <= 0.0 {
            return Err(AmountError::NotPositive);
        }
        if value > unit.plausible_max() {
            return Err(AmountError::Implausible {
                amount: format_number(value),
                unit: unit.label(value),
            });
        }
        Ok(Self { value, unit })
    }

    /// Parses "5 ml", "5ml", "2.5 mL", "1/2 tablet", "½ tablet", "10 drops", "1 l".
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AmountError::Missing);
        }
        let split = text
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '/' | '½' | '¼' | '-')))
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        if number.trim().is_empty() {
            let word = text.split_whitespace().next().unwrap_or(text);
            return Err(AmountError::NotANumber(word.to_string()));
        }
        let value = parse_number(number.trim())?;
        let unit = unit.trim();
        if unit.is_empty() {
            return Err(AmountError::UnknownUnit(String::new()));
        }
        let lower = unit.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "l" | "liter" | "liters" | "litre" | "litres"
        ) {
            // Litres are never a child's dose; say so in the unit the person used.
            if value <= 0.0 {
                return Err(AmountError::NotPositive);
            }
            return DoseAmount::new(value * 1000.0, DoseUnit::Ml).map_err(|_| {
                AmountError::Implausible {
                    amount: format_number(value),
                    unit: if (value - 1.0).abs() < f64::EPSILON {
                        "litre"
                    } else {
                        "litres"
                    },
                }
            });
        }
        let unit =
            DoseUnit::parse(unit).ok_or_else(|| AmountError::UnknownUnit(unit.to_string()))?;
        DoseAmount::new(value, unit)
    }
}

impl fmt::Display for DoseAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format_number(self.value),
            self.unit.label(self.value)
        )
    }
}

fn parse_number(text: &str) -> Result<f64, AmountError> {
    let not_a_number = || AmountError::NotANumber(text.to_string());
    if text.is_empty() {
        return Err(AmountError::Missing);
    }
    let text = text.replace(',', ".");
    let (whole, fraction) = match text.trim_end_matches(['½', '¼']) {
        rest if rest.len() != text.len() => {
            let frac = if text.ends_with('½') { 0.5 } else { 0.25 };
            (rest.to_string(), frac)
        }
        _ => (text.clone(), 0.0),
    };
    if let Some((num, den)) = whole.split_once('/') {
        let num: f64 = num.parse().map_err(|_| not_a_number())?;
        let den: f64 = den.parse().map_err(|_| not_a_number())?;
        if den == 0.0 {
            return Err(not_a_number());
        }
        return Ok(num / den + fraction);
    }
    if whole.is_empty() {
        return Ok(fraction);
    }
    whole
        .parse::<f64>()
        .map(|v| v + fraction)
        .map_err(|_| not_a_number())
}

/// Formats 5.0 as "5", 2.5 as "2.5", 0.333 as "0.33".
pub fn format_number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if (rounded - rounded.round()).abs() < 1e-9 {
        format!("{}", rounded.round() as i64)
    } else {
        let text = format!("{rounded:.2}");
        text.trim_end_matches('0').to_string()
    }
}

/// A body temperature in °C, parsed from "38.4", "38.4C", "101.2F", "101.2 °F".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Temperature {
    pub celsius: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemperatureError {
    #[error("{0:?} is not a temperature")]
    NotANumber(String),
    #[error("{0} is outside what a thermometer reads on a person (30–45 °C / 86–113 °F)")]
    OutOfRange(String),
}

impl Temperature {
    pub fn parse(text: &str) -> Result<Self, TemperatureError> {
        let cleaned = text.trim().trim_end_matches(['°', ' ']).to_string();
        let lower = cleaned.to_ascii_lowercase();
        let (number, unit) = if let Some(n) = lower.strip_suffix('f') {
            (n.trim().trim_end_matches('°').trim().to_string(), Some('F'))
        } else if let Some(n) = lower.strip_suffix('c') {
            (n.trim().trim_end_matches('°').trim().to_string(), Some('C'))
        } else {
            (lower.clone(), None)
        };
        let value: f64 = number
            .replace(',', ".")
            .parse()
            .map_err(|_| TemperatureError::NotANumber(text.trim().to_string()))?;
        if !value.is_finite() {
            return Err(TemperatureError::NotANumber(text.trim().to_string()));
        }
        // Without a unit, readings above 45 can only be Fahrenheit.
        let celsius = match unit {
            Some('F') => (value - 32.0) * 5.0 / 9.0,
            Some(_) => value,
            None if value > 45.0 => (value - 32.0) * 5.0 / 9.0,
            None => value,
        };
        if !(30.0..=45.0).contains(&celsius) {
            return Err(TemperatureError::OutOfRange(text.trim().to_string()));
        }
        Ok(Self {
            celsius: (celsius * 10.0).round() / 10.0,
        })
    }

    pub fn fahrenheit(self) -> f64 {
        ((self.celsius * 9.0 / 5.0 + 32.0) * 10.0).round() / 10.0
    }
}

/// Active ingredients by the names people use: brand names, international and Spanish names
/// ("paracetamol", "ibuprofeno", "acetaminofén") map to one canonical ingredient, so limits count
/// across every product that contains it. A name one slip of the keyboard from one of them
/// ("tylenl", "motrn", "amoxicilna") is that one, when it is five letters or more and near no
/// other.
pub fn ingredient_for_name(name: &str) -> Option<&'static str> {
    let lower: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            '’' => '\'',
            other => other,
        })
        .collect();
    let word = lower
        .trim_start_matches("children's ")
        .trim_start_matches("infant's ")
        .trim();
    const TABLE: &[(&str, &str)] = &[
        ("tylenol", "acetaminophen"),
        ("panadol", "acetaminophen"),
        ("calpol", "acetaminophen"),
        ("tempra", "acetaminophen"),
        ("feverall", "acetaminophen"),
        ("paracetamol", "acetaminophen"),
        ("acetaminophen", "acetaminophen"),
        ("apap", "acetaminophen"),
        ("advil", "ibuprofen"),
        ("motrin", "ibuprofen"),
        ("nurofen", "ibuprofen"),
        ("ibuprofen", "ibuprofen"),
        ("amoxil", "amoxicillin"),
        ("amoxicillin", "amoxicillin"),
        ("benadryl", "diphenhydramine"),
        ("diphenhydramine", "diphenhydramine"),
        ("zyrtec", "cetirizine"),
        ("cetirizine", "cetirizine"),
        ("claritin", "loratadine"),
        ("loratadine", "loratadine"),
        // Spanish names.
        ("acetaminofen", "acetaminophen"),
        ("acetaminofeno", "acetaminophen"),
        ("ibuprofeno", "ibuprofen"),
        ("amoxicilina", "amoxicillin"),
        ("difenhidramina", "diphenhydramine"),
        ("cetirizina", "cetirizine"),
        ("loratadina", "loratadine"),
        // Misspellings too far from their name for the one-slip match.
        ("ibuprophen", "ibuprofen"),
        ("ibuprofin", "ibuprofen"),
        ("acetominophen", "acetaminophen"),
        ("acetaminophin", "acetaminophen"),
        ("amoxacillin", "amoxicillin"),
        ("amoxicilin", "amoxicillin"),
    ];
    if let Some((_, ingredient)) = TABLE
        .iter()
        .find(|(alias, _)| word == *alias || word.split_whitespace().any(|w| w == *alias))
    {
        return Some(ingredient);
    }
    // One slip: a letter missing, extra, wrong, or two swapped.
    let mut found = None;
    for said in word.split_whitespace().filter(|w| w.chars().count() >= 5) {
        for (alias, ingredient) in TABLE {
            if alias.len() >= 5 && one_slip(said, alias) {
                match found {
                    Some(other) if other != *ingredient => return None,
                    _ => found = Some(*ingredient),
                }
            }
        }
    }
    found
}

/// Whether two words differ by at most one slip: a letter added, dropped, changed, or two
/// neighbours swapped.
pub(crate) fn one_slip(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return true;
    }
    match a.len() as i64 - b.len() as i64 {
        0 => {
            let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match diff.as_slice() {
                [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 | -1 => {
            let (long, short) = if a.len() > b.len() {
                (&a, &b)
            } else {
                (&b, &a)
            };
            let at = (0..short.len())
                .find(|&i| long[i] != short[i])
                .unwrap_or(short.len());
            long[at + 1..] == short[at..]
        }
        _ => false,
    }
}

/// The name of an ingredient as the family's country says it (paracetamol outside North America).
pub fn ingredient_display(ingredient: &str, country: &str) -> String {
    match (ingredient, country.to_ascii_uppercase().as_str()) {
        ("acetaminophen", "US" | "CA") => "acetaminophen".into(),
        ("acetaminophen", _) => "paracetamol".into(),
        (other, _) => other.to_string(),
    }
}

/// Emergency numbers live with the red-flag screen; re-exported for the rest of the domain.
pub use crate::screen::{emergency_numbers, EmergencyNumbers};

/// When a medication is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// At these local times every day.
    FixedTimes { times: Vec<chrono::NaiveTime> },
    /// Regularly, every N hours.
    EveryHours { hours: u32 },
    /// Only when needed, within the limits.
    AsNeeded,
}

impl Schedule {
    /// The stored kind (`medications.schedule_kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Schedule::FixedTimes { .. } => "fixed_times",
            Schedule::EveryHours { .. } => "every_hours",
            Schedule::AsNeeded => "as_needed",
        }
    }

    /// The stored times (`medications.schedule_times`): "08:00,20:00", or the hours, or nothing.
    pub fn times_text(&self) -> Option<String> {
        match self {
            Schedule::FixedTimes { times } => Some(
                times
                    .iter()
                    .map(|t| t.format("%H:%M").to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Schedule::EveryHours { hours } => Some(hours.to_string()),
            Schedule::AsNeeded => None,
        }
    }

    /// Reads a stored schedule back, strictly: `None` when any part of it cannot be read (an unknown
    /// kind, a time that is not `HH:MM`, no times, zero hours), never a schedule it did not say.
    pub fn parse(kind: &str, times: Option<&str>) -> Option<Self> {
        match (kind, times) {
            ("fixed_times", Some(times)) => {
                let times = times
                    .split(',')
                    .map(|t| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").ok())
                    .collect::<Option<Vec<_>>>()?;
                (!times.is_empty()).then_some(Schedule::FixedTimes { times })
            }
            ("every_hours", Some(hours)) => match hours.trim().parse::<u32>() {
                Ok(hours) if hours > 0 => Some(Schedule::EveryHours { hours }),
                _ => None,
            },
            ("as_needed", _) => Some(Schedule::AsNeeded),
            _ => None,
        }
    }
}

/// A medication's strength for one active ingredient: `mg` per `per_amount` `per_unit`
/// (160 mg per 5 ml; 200 mg per 1 tablet), with that ingredient's daily maximum if one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngredientStrength {
    pub ingredient: String,
    pub mg: f64,
    pub per_amount: f64,
    pub per_unit: DoseUnit,
    #[serde(default)]
    pub max_mg_per_day: Option<f64>,
}

impl IngredientStrength {
    /// Milligrams of this ingredient in `amount`, or `None` when the units do not convert
    /// (tablets of a liquid).
    pub fn mg_in(&self, amount: DoseAmount) -> Option<f64> {
        if amount.unit == self.per_unit && self.per_amount > 0.0 {
            Some(amount.value / self.per_amount * self.mg)
        } else if amount.unit == DoseUnit::Mg {
            Some(amount.value)
        } else {
            None
        }
    }
}

/// Parses a strength such as "160 mg/5 ml" or "200 mg/tablet" or "250mg/5ml".
pub fn parse_strength(ingredient: &str, text: &str) -> Result<IngredientStrength, String> {
    let (mg, per) = text
        .split_once('/')
        .ok_or_else(|| format!("strength {text:?} should look like \"160 mg/5 ml\""))?;
    let mg_amount = DoseAmount::parse(mg).map_err(|e| format!("strength {text:?}: {e}"))?;
    if mg_amount.unit != DoseUnit::Mg {
        return Err(format!(
            "strength {text:?} should start with milligrams (\"160 mg/...\")"
        ));
    }
    let per = per.trim();
    let per_amount = if per.starts_with(|c: char| c.is_ascii_digit()) {
        DoseAmount::parse(per).map_err(|e| format!("strength {text:?}: {e}"))?
    } else {
        DoseAmount::parse(&format!("1 {per}")).map_err(|e| format!("strength {text:?}: {e}"))?
    };
    Ok(IngredientStrength {
        ingredient: ingredient.to_string(),
        mg: mg_amount.value,
        per_amount: per_amount.value,
        per_unit: per_amount.unit,
        max_mg_per_day: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_with_units() {
        let cases = [
            ("5 ml", 5.0, DoseUnit::Ml),
            ("5ml", 5.0, DoseUnit::Ml),
            ("2.5 mL", 2.5, DoseUnit::Ml),
            ("2,5 ml", 2.5, DoseUnit::Ml),
            ("1/2 tablet", 0.5, DoseUnit::Tablet),
            ("½ tablet", 0.5, DoseUnit::Tablet),
            ("1½ tablets", 1.5, DoseUnit::Tablet),
            ("160 mg", 160.0, DoseUnit::Mg),
            ("10 drops", 10.0, DoseUnit::Drop),
        ];
        for (text, value, unit) in cases {
            let amount = DoseAmount::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!((amount.value - value).abs() < 1e-9, "{text}");
            assert_eq!(amount.unit, unit, "{text}");
        }
    }

    #[test]
    fn nonsense_amounts_are_refused_with_a_reason() {
        assert!(
            matches!(DoseAmount::parse("5 spoons"), Err(AmountError::UnknownUnit(u)) if u == "spoons")
        );
        assert!(matches!(
            DoseAmount::parse("-5 ml"),
            Err(AmountError::NotANumber(_) | AmountError::NotPositive)
        ));
        assert_eq!(DoseAmount::parse("0 ml"), Err(AmountError::NotPositive));
        assert!(matches!(
            DoseAmount::parse("10 litres"),
            Err(AmountError::Implausible { unit: "litres", .. })
        ));
        assert!(matches!(
            DoseAmount::parse("500 ml"),
            Err(AmountError::Implausible { .. })
        ));
        assert!(matches!(
            DoseAmount::parse("lots ml"),
            Err(AmountError::NotANumber(_))
        ));
        assert_eq!(DoseAmount::parse(""), Err(AmountError::Missing));
        assert!(matches!(
            DoseAmount::parse("5"),
            Err(AmountError::UnknownUnit(_))
        ));
    }

    #[test]
    fn schedules_read_back_what_was_written_and_nothing_else() {
        let at = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).expect("valid");
        for schedule in [
            Schedule::AsNeeded,
            Schedule::EveryHours { hours: 8 },
            Schedule::FixedTimes {
                times: vec![at(8, 0), at(20, 30)],
            },
        ] {
            let text = schedule.times_text();
            assert_eq!(
                Schedule::parse(schedule.kind(), text.as_deref()),
                Some(schedule)
            );
        }
        for (kind, times) in [
            ("sometimes", None),
            ("fixed_times", None),
            ("fixed_times", Some("")),
            ("fixed_times", Some("08:00,noonish")),
            ("every_hours", Some("0")),
            ("every_hours", Some("-4")),
            ("every_hours", None),
        ] {
            assert_eq!(Schedule::parse(kind, times), None, "{kind} {times:?}");
        }
    }

    #[test]
    fn temperatures_parse_in_either_scale() {
        assert_eq!(Temperature::parse("38.4").expect("c").celsius, 38.4);
        assert_eq!(Temperature::parse("38,4 C").expect("c").celsius, 38.4);
        assert_eq!(Temperature::parse("101.2F").expect("f").celsius, 38.4);
        assert_eq!(Temperature::parse("101.2").expect("f").celsius, 38.4);
        assert!(Temperature::parse("380").is_err());
        assert!(Temperature::parse("hot").is_err());
        assert!(Temperature::parse("20").is_err());
    }

    #[test]
    fn brand_names_map_to_ingredients() {
        for name in [
            "Tylenol",
            "panadol",
            "Calpol",
            "Children's Tylenol",
            "paracetamol",
        ] {
            assert_eq!(ingredient_for_name(name), Some("acetaminophen"), "{name}");
        }
        for name in ["Advil", "motrin", "Nurofen"] {
            assert_eq!(ingredient_for_name(name), Some("ibuprofen"), "{name}");
        }
        assert_eq!(ingredient_for_name("chocolate"), None);
        // Spanish names, with or without accents, and one slip of the keyboard.
        for (name, ingredient) in [
            ("ibuprofeno", "ibuprofen"),
            ("acetaminofén", "acetaminophen"),
            ("Tylenol infantil", "acetaminophen"),
            ("amoxicilina", "amoxicillin"),
            ("tylenl", "acetaminophen"),
            ("tyelnol", "acetaminophen"),
            ("motrn", "ibuprofen"),
            ("motrim", "ibuprofen"),
            ("amoxicilna", "amoxicillin"),
            ("ibuprophen", "ibuprofen"),
        ] {
            assert_eq!(ingredient_for_name(name), Some(ingredient), "{name}");
        }
        // Short words are never a slip of a name ("apap" is, "papa" is not), nor far ones.
        for name in ["papa", "motor", "tylenolxx", "anvils", "milk"] {
            assert_eq!(ingredient_for_name(name), None, "{name}");
        }
        assert_eq!(ingredient_display("acetaminophen", "GB"), "paracetamol");
    }

    #[test]
    fn strengths_parse_and_convert() {
        let s = parse_strength("acetaminophen", "160 mg/5 ml").expect("parses");
        assert_eq!(s.mg_in(DoseAmount::parse("5 ml").expect("a")), Some(160.0));
        assert_eq!(s.mg_in(DoseAmount::parse("1 tablet").expect("a")), None);
        let t = parse_strength("ibuprofen", "200 mg/tablet").expect("parses");
        assert_eq!(
            t.mg_in(DoseAmount::parse("2 tablets").expect("a")),
            Some(400.0)
        );
        assert!(parse_strength("x", "160 mg").is_err());
    }
}
