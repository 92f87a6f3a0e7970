//! When something happened, as people say it: a clock time ("at 9:30pm", "around 2", "a las 3"),
//! a while ago ("an hour ago", "hace media hora"), and the words around them.

use chrono::NaiveTime;

use super::{strip_punctuation, LocalTime, SaidTime};
use crate::domain::DoseUnit;

use super::amounts::household_ml;

/// "2", "9:30", "9.30": an hour from 1 to 12 with no am/pm (and not noon or midnight).
fn twelve_hour_without_meridiem(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    if t.ends_with("am") || t.ends_with("pm") || t.ends_with("a.m.") || t.ends_with("p.m.") {
        return false;
    }
    let hour = t.split([':', '.', 'h']).next().unwrap_or("");
    hour.parse::<u32>().is_ok_and(|h| (1..=12).contains(&h))
}

/// Parses "9:30", "09:30", "9.30", "9:30pm", "9pm", "21:30", "noon", "midnight".
pub fn parse_time(text: &str) -> Option<LocalTime> {
    let t = text.trim().to_lowercase().replace(' ', "");
    match t.as_str() {
        "noon" | "midday" => return NaiveTime::from_hms_opt(12, 0, 0),
        "midnight" => return NaiveTime::from_hms_opt(0, 0, 0),
        _ => {}
    }
    let (body, meridiem) = if let Some(b) = t.strip_suffix("am").or_else(|| t.strip_suffix("a.m."))
    {
        (b, Some(false))
    } else if let Some(b) = t.strip_suffix("pm").or_else(|| t.strip_suffix("p.m.")) {
        (b, Some(true))
    } else {
        (t.as_str(), None)
    };
    let (h, m) = match body.split_once([':', '.', 'h']) {
        Some((h, m)) => (
            h.parse::<u32>().ok()?,
            if m.is_empty() {
                0
            } else {
                m.parse::<u32>().ok()?
            },
        ),
        None => (body.parse::<u32>().ok()?, 0),
    };
    let hour = match meridiem {
        Some(pm) => {
            if !(1..=12).contains(&h) {
                return None;
            }
            match (h, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            }
        }
        None => h,
    };
    NaiveTime::from_hms_opt(hour, m, 0)
}

/// A count said in words or digits: "an", "a", "one" … "twelve", "5", "una", "dos".
fn count_word(word: &str) -> Option<i64> {
    let word = word.to_lowercase();
    let named = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    if let Some(n) = named.iter().position(|w| *w == word) {
        return Some(n as i64 + 1);
    }
    match word.as_str() {
        "a" | "an" | "una" | "un" | "uno" => Some(1),
        "dos" => Some(2),
        "tres" => Some(3),
        _ => word
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=48 * 60).contains(n)),
    }
}

/// Minutes in a unit of time as said: "minutes", "min", "hours", "hrs", "h", "minutos", "horas".
fn minutes_in(unit: &str) -> Option<i64> {
    match unit.to_lowercase().trim_end_matches('.') {
        "minute" | "minutes" | "min" | "mins" | "minuto" | "minutos" => Some(1),
        "hour" | "hours" | "hr" | "hrs" | "h" | "hora" | "horas" => Some(60),
        _ => None,
    }
}

/// Splits off a while ago: "an hour ago", "20 minutes ago", "half an hour ago", "an hour and a
/// half ago", "hace una hora", "hace 20 minutos", "hace media hora". The rest of the text comes
/// back without it.
pub(super) fn split_ago(text: &str) -> (String, Option<chrono::Duration>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let lower: Vec<String> = words
        .iter()
        .map(|w| strip_punctuation(w).to_lowercase())
        .collect();
    let keep = |from: usize, to: usize| {
        let mut rest: Vec<&str> = words[..from].to_vec();
        rest.extend(&words[to..]);
        rest.join(" ")
    };
    // English: "... ago" closes the phrase.
    if let Some(ago) = lower.iter().position(|w| w == "ago") {
        let phrase = &lower[..ago];
        let minutes = match phrase {
            [.., half, a, hour]
                if half == "half" && (a == "an" || a == "a") && minutes_in(hour) == Some(60) =>
            {
                Some((ago - 3, 30))
            }
            [.., n, unit, and, a, half]
                if and == "and" && a == "a" && half == "half" && minutes_in(unit).is_some() =>
            {
                count_word(n)
                    .zip(minutes_in(unit))
                    .map(|(n, m)| (ago - 5, n * m + m / 2))
            }
            [.., n, unit] => count_word(n)
                .zip(minutes_in(unit))
                .map(|(n, m)| (ago - 2, n * m)),
            _ => None,
        };
        if let Some((from, minutes)) = minutes {
            return (
                keep(from, ago + 1),
                Some(chrono::Duration::minutes(minutes)),
            );
        }
    }
    // Spanish: "hace ..." opens it.
    if let Some(hace) = lower.iter().position(|w| w == "hace") {
        let after = &lower[hace + 1..];
        let found = match after {
            [media, hora, ..] if media == "media" && minutes_in(hora) == Some(60) => Some((2, 30)),
            [n, unit, ..] => count_word(n).zip(minutes_in(unit)).map(|(n, m)| (2, n * m)),
            _ => None,
        };
        if let Some((used, minutes)) = found {
            return (
                keep(hace, hace + 1 + used),
                Some(chrono::Duration::minutes(minutes)),
            );
        }
    }
    (text.to_string(), None)
}

/// Splits off a trailing "at <time>" (or "@ <time>"); `Err` holds a time that is not a time.
pub(super) fn split_at_time(text: &str) -> Result<(String, Option<SaidTime>), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    // "at 9:30", and as people say it when they are not sure: "around 2", "about 9:30", "a las 3".
    let Some(position) = words.iter().rposition(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "at" | "@" | "around" | "about" | "approximately" | "approx" | "~" | "las" | "eso"
        )
    }) else {
        return Ok((text.to_string(), None));
    };
    let time_words: Vec<&str> = words[position + 1..].iter().take(2).copied().collect();
    if time_words.is_empty() {
        return Ok((text.to_string(), None));
    }
    // "at 9:30 pm" (two words) or "at 9:30pm" (one).
    let candidates = [time_words.join(""), time_words[0].to_string()];
    for (index, candidate) in candidates.iter().enumerate() {
        if let Some(time) = parse_time(strip_punctuation(candidate)) {
            let used = if index == 0 { time_words.len() } else { 1 };
            // "about 5 ml" is an amount, not five o'clock.
            let unit_follows = words
                .get(position + 1 + used)
                .map(|w| strip_punctuation(w))
                .is_some_and(|w| DoseUnit::parse(w).is_some() || household_ml(w).is_some());
            if unit_follows {
                return Ok((text.to_string(), None));
            }
            let mut rest: Vec<&str> = words[..position].to_vec();
            rest.extend(&words[position + 1 + used..]);
            let said = if twelve_hour_without_meridiem(strip_punctuation(candidate)) {
                SaidTime::Clock(time)
            } else {
                SaidTime::At(time)
            };
            return Ok((rest.join(" "), Some(said)));
        }
    }
    // "at 25:00" is a time that is not one; "about 5ml" is an amount.
    let first = strip_punctuation(time_words[0]);
    let said_at = matches!(words[position].to_lowercase().as_str(), "at" | "@");
    if said_at && first.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(first.to_string());
    }
    Ok((text.to_string(), None))
}
