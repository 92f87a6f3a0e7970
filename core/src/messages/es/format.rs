//! Spanish numbers, units, dates and times. chrono names days and months in English only (its
//! locale feature is not built), so the Spanish names are small tables here; numbers take a
//! decimal comma ("7,5 ml", "38,5 °C") and times are 24-hour ("14:30"). English output keeps using
//! `crate::domain::format_number` and `DoseAmount`'s `Display` unchanged.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use crate::domain::{format_number, DoseAmount, DoseUnit};
use crate::messages::RenderContext;

const WEEKDAYS: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const WEEKDAYS_SHORT: [&str; 7] = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
const MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_SHORT: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
];

/// A number as the domain rounds it, with a decimal comma: 7.5 → "7,5", 1000 → "1000".
pub(in crate::messages) fn number(value: f64) -> String {
    decimal_comma(&format_number(value))
}

/// Every decimal point between two digits becomes a comma; nothing else changes.
pub(in crate::messages) fn decimal_comma(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let between_digits = i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if c == '.' && between_digits {
                ','
            } else {
                c
            }
        })
        .collect()
}

/// A dose unit after an amount: "1 tableta", "2 tabletas", "5 ml".
pub(in crate::messages) fn unit(unit: DoseUnit, amount: f64) -> &'static str {
    let plural = (amount - 1.0).abs() > f64::EPSILON;
    match (unit, plural) {
        (DoseUnit::Ml, _) => "ml",
        (DoseUnit::Mg, _) => "mg",
        (DoseUnit::Tablet, false) => "tableta",
        (DoseUnit::Tablet, true) => "tabletas",
        (DoseUnit::Drop, false) => "gota",
        (DoseUnit::Drop, true) => "gotas",
    }
}

/// A unit word the domain already wrote in English ("tablets", "litre"), in Spanish.
pub(in crate::messages) fn unit_word(word: &str) -> &str {
    match word {
        "tablet" => "tableta",
        "tablets" => "tabletas",
        "drop" => "gota",
        "drops" => "gotas",
        "litre" | "liter" => "litro",
        "litres" | "liters" => "litros",
        other => other,
    }
}

/// "7,5 ml", "1 tableta".
pub(in crate::messages) fn amount(a: DoseAmount) -> String {
    format!("{} {}", number(a.value), unit(a.unit, a.value))
}

/// A strength the catalogue received already written ("ibuprofen 100 mg/5 ml", "… 200 mg/tablet",
/// "… 2.5 mg/ml"), with its unit words and decimals in Spanish; the ingredient's name stays as the
/// label says it.
pub(in crate::messages) fn strength(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in decimal_comma(text).chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            out.push_str(unit_word(&word));
            word.clear();
            out.push(c);
        }
    }
    out.push_str(unit_word(&word));
    out
}

/// "38,5 °C (101,3 °F)", or Fahrenheit first where the family reads it first.
pub(in crate::messages) fn temperature(celsius: f64, fahrenheit_first: bool) -> String {
    let f = ((celsius * 9.0 / 5.0 + 32.0) * 10.0).round() / 10.0;
    let c = format!("{celsius:.1}").replace('.', ",");
    let f = format!("{f:.1}").replace('.', ",");
    if fahrenheit_first {
        format!("{f} °F ({c} °C)")
    } else {
        format!("{c} °C ({f} °F)")
    }
}

fn month(d: NaiveDate) -> &'static str {
    MONTHS[d.month0() as usize]
}

fn month_short(d: NaiveDate) -> &'static str {
    MONTHS_SHORT[d.month0() as usize]
}

/// "14 de marzo de 2022".
pub(in crate::messages) fn date(d: NaiveDate) -> String {
    format!("{} de {} de {}", d.day(), month(d), d.year())
}

/// "3 de diciembre".
pub(in crate::messages) fn day_month(d: NaiveDate) -> String {
    format!("{} de {}", d.day(), month(d))
}

/// "8 dic".
pub(in crate::messages) fn short_date(d: NaiveDate) -> String {
    format!("{} {}", d.day(), month_short(d))
}

/// "2 ene 2025".
pub(in crate::messages) fn short_date_year(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month_short(d), d.year())
}

/// "lunes 12 de enero de 2026".
pub(in crate::messages) fn weekday_date(d: NaiveDate) -> String {
    format!(
        "{} {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        date(d)
    )
}

/// A moment in the family's zone: the day when it is not today ("ayer", "mañana", "el mié 3
/// dic"), the time ("14:30") and whether the hour takes "la" (la 01:15) or "las".
struct Moment {
    day: Option<(String, String)>,
    time: String,
    singular_hour: bool,
}

fn moment(at: DateTime<Utc>, ctx: &RenderContext) -> Moment {
    let local = at.with_timezone(&ctx.timezone);
    let today = ctx.now.with_timezone(&ctx.timezone).date_naive();
    let day = local.date_naive();
    let label = |bare: &str, with_article: &str| Some((bare.to_string(), with_article.to_string()));
    let day = match (day - today).num_days() {
        0 => None,
        -1 => label("ayer", "ayer"),
        1 => label("mañana", "mañana"),
        _ => {
            let short = format!(
                "{} {}",
                WEEKDAYS_SHORT[day.weekday().num_days_from_monday() as usize],
                short_date(day)
            );
            Some((short.clone(), format!("el {short}")))
        }
    };
    Moment {
        day,
        time: local.format("%H:%M").to_string(),
        singular_hour: local.hour() == 1,
    }
}

/// For lists and labels: "13:10" today, "ayer 20:00", "mañana 08:00", else "mié 3 dic 13:10".
pub(in crate::messages) fn when(at: DateTime<Utc>, ctx: &RenderContext) -> String {
    let m = moment(at, ctx);
    match m.day {
        None => m.time,
        Some((bare, _)) => format!("{bare} {}", m.time),
    }
}

/// In a sentence: "a las 13:10", "ayer a las 20:00", "el mié 3 dic a las 13:10".
pub(in crate::messages) fn at(at: DateTime<Utc>, ctx: &RenderContext) -> String {
    let m = moment(at, ctx);
    let las = if m.singular_hour { "la" } else { "las" };
    match m.day {
        None => format!("a {las} {}", m.time),
        Some((_, day)) => format!("{day} a {las} {}", m.time),
    }
}

/// After "hasta" or "desde": "hasta las 13:10", "desde ayer a las 20:00".
pub(in crate::messages) fn after(word: &str, at: DateTime<Utc>, ctx: &RenderContext) -> String {
    let m = moment(at, ctx);
    let las = if m.singular_hour { "la" } else { "las" };
    match m.day {
        None => format!("{word} {las} {}", m.time),
        Some((_, day)) => format!("{word} {day} a {las} {}", m.time),
    }
}

/// A list in a sentence: "Emma, Leo y Mia".
pub(in crate::messages) fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => {
            // "y" becomes "e" before an "i" sound (Emma e Isabel, Leo e Hilda), not before a
            // diphthong (Emma y Iacopo).
            let lower = last.to_lowercase();
            let rest = lower.strip_prefix('h').unwrap_or(&lower);
            let mut chars = rest.chars();
            let i_sound = matches!(chars.next(), Some('i' | 'í'))
                && !matches!(chars.next(), Some('a' | 'e' | 'o' | 'u'));
            let and = if i_sound { "e" } else { "y" };
            format!("{} {and} {last}", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ctx() -> RenderContext {
        RenderContext {
            locale: crate::messages::Locale::Es,
            timezone: chrono_tz::America::Mexico_City,
            country: "MX",
            // Wednesday 3 December 2025, 12:00 in Mexico City.
            now: Utc.with_ymd_and_hms(2025, 12, 3, 18, 0, 0).unwrap(),
        }
    }

    fn local(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        chrono_tz::America::Mexico_City
            .with_ymd_and_hms(2025, 12, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn numbers_take_a_decimal_comma() {
        let table = [(7.5, "7,5"), (2.25, "2,25"), (1000.0, "1000"), (5.0, "5")];
        for (value, expected) in table {
            assert_eq!(number(value), expected);
        }
        assert_eq!(
            amount(DoseAmount {
                value: 7.5,
                unit: DoseUnit::Ml
            }),
            "7,5 ml"
        );
        assert_eq!(
            amount(DoseAmount {
                value: 1.0,
                unit: DoseUnit::Tablet
            }),
            "1 tableta"
        );
        assert_eq!(
            amount(DoseAmount {
                value: 0.5,
                unit: DoseUnit::Tablet
            }),
            "0,5 tabletas"
        );
        assert_eq!(temperature(38.5, false), "38,5 °C (101,3 °F)");
        assert_eq!(temperature(38.5, true), "101,3 °F (38,5 °C)");
        assert_eq!(
            strength("ibuprofen 200 mg/tablet + x 2.5 mg/5 ml"),
            "ibuprofen 200 mg/tableta + x 2,5 mg/5 ml"
        );
        // A phone number's dots and hyphens are not decimals.
        assert_eq!(decimal_comma("1-800-222-1222. 3.5"), "1-800-222-1222. 3,5");
    }

    #[test]
    fn dates_and_times_read_in_spanish() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 3).expect("a valid date");
        assert_eq!(date(d), "3 de diciembre de 2025");
        assert_eq!(day_month(d), "3 de diciembre");
        assert_eq!(short_date(d), "3 dic");
        assert_eq!(weekday_date(d), "miércoles 3 de diciembre de 2025");
        let table = [
            (local(3, 14, 30), "14:30", "a las 14:30"),
            (local(3, 1, 5), "01:05", "a la 01:05"),
            (local(2, 20, 0), "ayer 20:00", "ayer a las 20:00"),
            (local(4, 8, 0), "mañana 08:00", "mañana a las 08:00"),
            (
                local(10, 9, 15),
                "mié 10 dic 09:15",
                "el mié 10 dic a las 09:15",
            ),
        ];
        for (moment, short, sentence) in table {
            assert_eq!(when(moment, &ctx()), short);
            assert_eq!(at(moment, &ctx()), sentence);
        }
        assert_eq!(after("hasta", local(3, 14, 30), &ctx()), "hasta las 14:30");
        assert_eq!(
            after("hasta", local(10, 9, 15), &ctx()),
            "hasta el mié 10 dic a las 09:15"
        );
    }

    #[test]
    fn lists_join_with_y_or_e() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(list(&names(&["Emma"])), "Emma");
        assert_eq!(list(&names(&["Emma", "Leo", "Mia"])), "Emma, Leo y Mia");
        assert_eq!(list(&names(&["Emma", "Isabel"])), "Emma e Isabel");
        assert_eq!(list(&names(&["Leo", "Hilda"])), "Leo e Hilda");
        assert_eq!(list(&names(&["Emma", "Iacopo"])), "Emma y Iacopo");
    }
}
