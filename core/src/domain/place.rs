//! Where a family lives: its country (ISO 3166, for the emergency numbers) and its time zone (the
//! tz database, for every time it is told). Read from what people say ("London", "we live in
//! Mexico", "Europe/London", "país Colombia") and from what a channel knows (a Slack user's time
//! zone, a WhatsApp number's country code).
//!
//! The tables are the tz database's own (`core/data/iso3166.tab`, `core/data/zone.tab`, public
//! domain): a city that names a zone ("London", "Mexico City", "Bogota") is a place, with the
//! zone's country. A few large cities that name no zone, and the country names people use that
//! the table spells otherwise ("UK", "Estados Unidos"), are listed here.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::messages::Locale;

const ISO3166: &str = include_str!("../../data/iso3166.tab");
const ZONES: &str = include_str!("../../data/zone.tab");

/// A country MedNanny knows: an ISO 3166 alpha-2 code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Country(String);

impl Country {
    /// A two-letter code in any case ("gb", "MX"); "UK" is taken for GB, as people write it.
    pub fn parse(code: &str) -> Option<Country> {
        let code = code.trim().to_ascii_uppercase();
        let code = if code == "UK" { "GB".to_string() } else { code };
        tables()
            .names
            .contains_key(code.as_str())
            .then_some(Country(code))
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    /// The country's name in the reader's language (English from the table; Spanish for the
    /// countries whose Spanish name differs and that families here come from).
    pub fn name(&self, locale: Locale) -> &'static str {
        if locale == Locale::Es {
            if let Some((_, name)) = SPANISH_NAMES.iter().find(|(code, _)| *code == self.0) {
                return name;
            }
        }
        if let Some((_, name)) = ENGLISH_NAMES.iter().find(|(code, _)| *code == self.0) {
            return name;
        }
        tables().names.get(self.0.as_str()).copied().unwrap_or("?")
    }

    /// The zone most of the country lives in: the one proposed when only the country is known.
    pub fn main_zone(&self) -> Option<Tz> {
        if let Some((_, zone)) = MAIN_ZONES.iter().find(|(code, _)| *code == self.0) {
            return zone.parse().ok();
        }
        tables()
            .zones
            .iter()
            .find(|(country, _)| *country == self.0)
            .map(|(_, zone)| *zone)
    }

    /// Whether the country spans several zones (so a city is worth asking for).
    pub fn has_several_zones(&self) -> bool {
        tables()
            .zones
            .iter()
            .filter(|(country, _)| *country == self.0)
            .nth(1)
            .is_some()
    }

    /// The country a phone number is from (`+52…` is Mexico; `+1…` the US or Canada by its area
    /// code), when libphonenumber knows it; a number it cannot place is taken for its calling
    /// code's main country (`+44` is Britain).
    pub fn of_phone(e164: &str) -> Option<Country> {
        let number = phonenumber::parse(None, e164).ok()?;
        if let Some(region) = number.country().id() {
            return Country::parse(region.as_ref());
        }
        let regions = phonenumber::metadata::DATABASE.by_code(&number.code().value())?;
        let main = regions
            .iter()
            .find(|m| m.is_main_country_for_code())
            .or(regions.first())?;
        Country::parse(main.id())
    }
}

/// A country and a time zone that go together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub country: Country,
    #[serde(with = "zone_name")]
    pub timezone: Tz,
}

impl Place {
    /// The place a time zone is in ("Europe/London" is in Britain), when the table says.
    pub fn of_zone(zone: Tz) -> Option<Place> {
        let country = tables()
            .zones
            .iter()
            .find(|(_, z)| *z == zone)
            .and_then(|(code, _)| Country::parse(code))?;
        Some(Place {
            country,
            timezone: zone,
        })
    }

    /// A country at its main zone.
    pub fn in_country(country: Country) -> Option<Place> {
        let timezone = country.main_zone()?;
        Some(Place { country, timezone })
    }

    /// The city the zone is named after, for people: "Mexico City", "London", "New York".
    pub fn zone_city(&self) -> String {
        city_of(self.timezone.name())
    }
}

/// What a place said in words reads as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceReading {
    /// A city, a time zone's name or a country with one zone: nothing left to ask.
    Exact(Place),
    /// A country with several zones, at its main one: worth a "yes, or your city?".
    Country(Place),
    /// Nothing MedNanny knows.
    Unknown,
}

/// A place in words: "London", "in London, UK", "Europe/London", "mexico", "país México",
/// "Ciudad de México", "GB". The words around it ("we live in", "vivimos en") are the parser's.
pub fn read_place(text: &str) -> PlaceReading {
    let raw = text.trim().trim_end_matches(['.', '!', '?']).trim();
    if raw.is_empty() {
        return PlaceReading::Unknown;
    }
    // A zone's own name, as the tz database spells it (any case).
    if raw.contains('/') {
        if let Some(zone) = zone_named(raw) {
            return Place::of_zone(zone)
                .map(PlaceReading::Exact)
                .unwrap_or(PlaceReading::Unknown);
        }
    }
    let folded = normalise(raw);
    if let Some(reading) = reading_of(&folded) {
        return reading;
    }
    // "London, UK", "Guadalajara, Jalisco, Mexico": the most precise part that reads wins (a
    // city over a country), whichever order they come in.
    let parts: Vec<&str> = folded.split(',').map(str::trim).collect();
    let readings: Vec<PlaceReading> = parts.iter().filter_map(|p| reading_of(p)).collect();
    readings
        .iter()
        .find(|r| matches!(r, PlaceReading::Exact(_)))
        .or(readings.first())
        .cloned()
        .unwrap_or(PlaceReading::Unknown)
}

/// A time zone by its tz name, in any case ("europe/london").
pub fn zone_named(name: &str) -> Option<Tz> {
    let name = name.trim();
    if let Ok(zone) = name.parse::<Tz>() {
        return Some(zone);
    }
    let wanted = name.to_lowercase();
    tables()
        .zones
        .iter()
        .map(|(_, zone)| *zone)
        .find(|zone| zone.name().to_lowercase() == wanted)
}

fn reading_of(folded: &str) -> Option<PlaceReading> {
    let folded = folded.trim();
    let folded = folded.strip_prefix("the ").unwrap_or(folded);
    let tables = tables();
    if let Some(zone) = tables.cities.get(folded) {
        return Place::of_zone(*zone).map(PlaceReading::Exact);
    }
    let country = tables.countries.get(folded).cloned().or_else(|| {
        // A bare code ("GB", "mx") only when it is all that was said.
        (folded.len() == 2)
            .then(|| Country::parse(folded))
            .flatten()
    })?;
    let several = country.has_several_zones();
    let place = Place::in_country(country)?;
    Some(if several {
        PlaceReading::Country(place)
    } else {
        PlaceReading::Exact(place)
    })
}

/// Lower case, no accents, `_` and `-` as spaces, single spaces, no dots ("U.S." is "us").
fn normalise(text: &str) -> String {
    let folded = super::fold(text).replace(['_', '-'], " ").replace('.', "");
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "America/Argentina/Buenos_Aires" → "Buenos Aires".
fn city_of(zone: &str) -> String {
    zone.rsplit('/').next().unwrap_or(zone).replace('_', " ")
}

struct Tables {
    /// code → English name.
    names: HashMap<&'static str, &'static str>,
    /// (country code, zone), in the table's order.
    zones: Vec<(&'static str, Tz)>,
    /// normalised city → zone.
    cities: HashMap<String, Tz>,
    /// normalised country name → country.
    countries: HashMap<String, Country>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let rows = |text: &'static str| {
            text.lines()
                .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
                .filter_map(|line| line.split_once('\t'))
        };
        let names: HashMap<&str, &str> = rows(ISO3166).collect();
        // A zone the compiled tz database does not have is left out (never a wrong zone).
        let zones: Vec<(&str, Tz)> = rows(ZONES)
            .filter_map(|(code, zone)| Some((code, zone.trim().parse::<Tz>().ok()?)))
            .collect();
        let mut cities = HashMap::new();
        for (_, zone) in &zones {
            cities
                .entry(normalise(&city_of(zone.name())))
                .or_insert(*zone);
        }
        for (city, zone) in MORE_CITIES {
            if let Ok(zone) = zone.parse::<Tz>() {
                cities.insert(normalise(city), zone);
            }
        }
        let mut countries = HashMap::new();
        for (code, name) in &names {
            let country = Country((*code).to_string());
            // "Britain (UK)": the name, and what the brackets hold.
            let (main, aside) = match name.split_once(" (") {
                Some((main, aside)) => (main, Some(aside.trim_end_matches(')'))),
                None => (*name, None),
            };
            for said in std::iter::once(main).chain(aside) {
                countries
                    .entry(normalise(said))
                    .or_insert_with(|| country.clone());
            }
        }
        // Spanish names read as well as they show.
        let spanish = SPANISH_NAMES.iter().map(|(code, name)| (*name, *code));
        for (said, code) in COUNTRY_WORDS.iter().copied().chain(spanish) {
            countries.insert(normalise(said), Country(code.to_string()));
        }
        Tables {
            names,
            zones,
            cities,
            countries,
        }
    })
}

/// The zone proposed for a country that spans several, where the table's first is not where
/// most people live (Canada's first is St John's, Australia's Lord Howe Island).
const MAIN_ZONES: &[(&str, &str)] = &[
    ("US", "America/New_York"),
    ("CA", "America/Toronto"),
    ("MX", "America/Mexico_City"),
    ("BR", "America/Sao_Paulo"),
    ("AU", "Australia/Sydney"),
    ("RU", "Europe/Moscow"),
    ("AR", "America/Argentina/Buenos_Aires"),
    ("ES", "Europe/Madrid"),
    ("PT", "Europe/Lisbon"),
    ("CL", "America/Santiago"),
    ("EC", "America/Guayaquil"),
    ("NZ", "Pacific/Auckland"),
    ("DE", "Europe/Berlin"),
    ("ID", "Asia/Jakarta"),
    ("KZ", "Asia/Almaty"),
    ("CD", "Africa/Kinshasa"),
];

/// Names people use for a country that the table spells otherwise.
const COUNTRY_WORDS: &[(&str, &str)] = &[
    ("uk", "GB"),
    ("united kingdom", "GB"),
    ("great britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("us", "US"),
    ("usa", "US"),
    ("america", "US"),
    ("united states of america", "US"),
    ("the states", "US"),
    ("eeuu", "US"),
    ("ee uu", "US"),
    ("the netherlands", "NL"),
    ("holland", "NL"),
    ("holanda", "NL"),
    ("inglaterra", "GB"),
    ("escocia", "GB"),
    ("gales", "GB"),
    ("czechia", "CZ"),
    ("turkiye", "TR"),
];

/// English names people say, where the table's own is for sorting ("Britain (UK)").
const ENGLISH_NAMES: &[(&str, &str)] = &[("GB", "the United Kingdom"), ("US", "the United States")];

/// Spanish names that differ from the English ones (also read when said).
const SPANISH_NAMES: &[(&str, &str)] = &[
    ("US", "Estados Unidos"),
    ("GB", "Reino Unido"),
    ("MX", "México"),
    ("ES", "España"),
    ("CA", "Canadá"),
    ("DE", "Alemania"),
    ("FR", "Francia"),
    ("IT", "Italia"),
    ("IE", "Irlanda"),
    ("NZ", "Nueva Zelanda"),
    ("BR", "Brasil"),
    ("PE", "Perú"),
    ("PA", "Panamá"),
    ("DO", "República Dominicana"),
    ("CH", "Suiza"),
    ("BE", "Bélgica"),
    ("SE", "Suecia"),
    ("NO", "Noruega"),
    ("DK", "Dinamarca"),
    ("JP", "Japón"),
    ("NL", "Países Bajos"),
];

/// Large cities that name no zone, with the zone they keep.
const MORE_CITIES: &[(&str, &str)] = &[
    ("Manchester", "Europe/London"),
    ("Birmingham", "Europe/London"),
    ("Edinburgh", "Europe/London"),
    ("Glasgow", "Europe/London"),
    ("Liverpool", "Europe/London"),
    ("Leeds", "Europe/London"),
    ("Bristol", "Europe/London"),
    ("Cardiff", "Europe/London"),
    ("Belfast", "Europe/London"),
    ("Oxford", "Europe/London"),
    ("Cambridge", "Europe/London"),
    ("San Francisco", "America/Los_Angeles"),
    ("San Diego", "America/Los_Angeles"),
    ("San Jose", "America/Los_Angeles"),
    ("Seattle", "America/Los_Angeles"),
    ("Portland", "America/Los_Angeles"),
    ("Las Vegas", "America/Los_Angeles"),
    ("Boston", "America/New_York"),
    ("Miami", "America/New_York"),
    ("Atlanta", "America/New_York"),
    ("Washington", "America/New_York"),
    ("Washington DC", "America/New_York"),
    ("Philadelphia", "America/New_York"),
    ("Brooklyn", "America/New_York"),
    ("NYC", "America/New_York"),
    ("Orlando", "America/New_York"),
    ("Charlotte", "America/New_York"),
    ("Houston", "America/Chicago"),
    ("Dallas", "America/Chicago"),
    ("Austin", "America/Chicago"),
    ("San Antonio", "America/Chicago"),
    ("Minneapolis", "America/Chicago"),
    ("New Orleans", "America/Chicago"),
    ("Nashville", "America/Chicago"),
    ("Denver", "America/Denver"),
    ("Salt Lake City", "America/Denver"),
    ("Phoenix", "America/Phoenix"),
    ("Montreal", "America/Toronto"),
    ("Ottawa", "America/Toronto"),
    ("Calgary", "America/Edmonton"),
    ("Guadalajara", "America/Mexico_City"),
    ("Puebla", "America/Mexico_City"),
    ("Ciudad de Mexico", "America/Mexico_City"),
    ("CDMX", "America/Mexico_City"),
    ("Queretaro", "America/Mexico_City"),
    ("Medellin", "America/Bogota"),
    ("Cali", "America/Bogota"),
    ("Barranquilla", "America/Bogota"),
    ("Cartagena", "America/Bogota"),
    ("Barcelona", "Europe/Madrid"),
    ("Valencia", "Europe/Madrid"),
    ("Sevilla", "Europe/Madrid"),
    ("Seville", "Europe/Madrid"),
    ("Munich", "Europe/Berlin"),
    ("Hamburg", "Europe/Berlin"),
    ("Frankfurt", "Europe/Berlin"),
    ("Milan", "Europe/Rome"),
    ("Milano", "Europe/Rome"),
    ("Lyon", "Europe/Paris"),
    ("Marseille", "Europe/Paris"),
    ("Cork", "Europe/Dublin"),
    ("Galway", "Europe/Dublin"),
    ("Melbourne", "Australia/Melbourne"),
    ("Canberra", "Australia/Sydney"),
    ("Wellington", "Pacific/Auckland"),
    ("Christchurch", "Pacific/Auckland"),
];

mod zone_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(zone: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(zone.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(country: &str, zone: &str) -> PlaceReading {
        PlaceReading::Exact(Place {
            country: Country::parse(country).expect("a country"),
            timezone: zone.parse().expect("a zone"),
        })
    }

    fn country(country: &str, zone: &str) -> PlaceReading {
        match exact(country, zone) {
            PlaceReading::Exact(place) => PlaceReading::Country(place),
            other => other,
        }
    }

    #[test]
    fn places_in_words() {
        let cases = [
            ("London", exact("GB", "Europe/London")),
            ("london, uk", exact("GB", "Europe/London")),
            ("Manchester", exact("GB", "Europe/London")),
            ("the UK", exact("GB", "Europe/London")),
            ("England", exact("GB", "Europe/London")),
            ("Reino Unido", exact("GB", "Europe/London")),
            ("Europe/London", exact("GB", "Europe/London")),
            ("europe/london", exact("GB", "Europe/London")),
            ("GB", exact("GB", "Europe/London")),
            ("Mexico City", exact("MX", "America/Mexico_City")),
            ("Ciudad de México", exact("MX", "America/Mexico_City")),
            ("Guadalajara, Jalisco", exact("MX", "America/Mexico_City")),
            ("México", country("MX", "America/Mexico_City")),
            ("mexico", country("MX", "America/Mexico_City")),
            ("Colombia", exact("CO", "America/Bogota")),
            ("Bogotá", exact("CO", "America/Bogota")),
            ("Medellín", exact("CO", "America/Bogota")),
            ("New York", exact("US", "America/New_York")),
            ("Los Angeles", exact("US", "America/Los_Angeles")),
            ("Chicago.", exact("US", "America/Chicago")),
            ("the US", country("US", "America/New_York")),
            ("U.S.A.", country("US", "America/New_York")),
            ("Estados Unidos", country("US", "America/New_York")),
            ("Canada", country("CA", "America/Toronto")),
            ("Toronto", exact("CA", "America/Toronto")),
            ("Sydney", exact("AU", "Australia/Sydney")),
            ("Australia", country("AU", "Australia/Sydney")),
            ("España", country("ES", "Europe/Madrid")),
            ("Madrid", exact("ES", "Europe/Madrid")),
            ("Ireland", exact("IE", "Europe/Dublin")),
            ("Portugal", country("PT", "Europe/Lisbon")),
            (
                "Buenos Aires",
                exact("AR", "America/Argentina/Buenos_Aires"),
            ),
            ("Narnia", PlaceReading::Unknown),
            ("XX", PlaceReading::Unknown),
            ("", PlaceReading::Unknown),
            ("Mars/Olympus", PlaceReading::Unknown),
        ];
        for (said, expected) in cases {
            assert_eq!(read_place(said), expected, "{said}");
        }
    }

    #[test]
    fn only_real_countries() {
        for code in ["GB", "gb", "UK", "MX", "US", "CO", "FR", "NL", "PT"] {
            assert!(Country::parse(code).is_some(), "{code}");
        }
        for code in ["XX", "ZZ", "EU", "", "USA", "G"] {
            assert!(Country::parse(code).is_none(), "{code}");
        }
        assert_eq!(
            Country::parse("uk").map(|c| c.code().to_string()),
            Some("GB".into())
        );
    }

    #[test]
    fn a_phone_number_tells_its_country() {
        let cases = [
            ("+525512345678", Some("MX")),
            ("+447700900123", Some("GB")),
            ("+447400123456", Some("GB")),
            // Guernsey's mobiles share +44 7911.
            ("+447911123456", Some("GG")),
            ("+14155550100", Some("US")),
            ("+14165550100", Some("CA")),
            ("+573001234567", Some("CO")),
            ("+999", None),
        ];
        for (phone, expected) in cases {
            assert_eq!(
                Country::of_phone(phone).as_ref().map(Country::code),
                expected,
                "{phone}"
            );
        }
    }

    #[test]
    fn names_in_the_readers_language() {
        let mx = Country::parse("MX").expect("Mexico");
        assert_eq!(mx.name(Locale::En), "Mexico");
        assert_eq!(mx.name(Locale::Es), "México");
        let gb = Country::parse("GB").expect("Britain");
        assert_eq!(gb.name(Locale::En), "the United Kingdom");
        assert_eq!(
            Place::of_zone(chrono_tz::Europe::London).map(|p| p.zone_city()),
            Some("London".into())
        );
    }
}
