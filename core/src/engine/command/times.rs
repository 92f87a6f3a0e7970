//! When something happened, as people say it: a clock time ("at 9:30pm", "around 2", "a las 3"),
//! a while ago ("an hour ago", "hace media hora"), and the words around them.

use chrono::NaiveTime;

use super::amounts::household_ml;
use super::words::key;
use super::{strip_punctuation, LocalTime, SaidTime};
use crate::domain::DoseUnit;

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
        "noon" | "midday" | "mediodia" | "mediodía" => return NaiveTime::from_hms_opt(12, 0, 0),
        "midnight" | "medianoche" => return NaiveTime::from_hms_opt(0, 0, 0),
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
    let named = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    if let Some(n) = named.iter().position(|w| *w == word) {
        return Some(n as i64 + 1);
    }
    match word {
        "a" | "an" | "una" | "un" | "uno" => Some(1),
        "dos" => Some(2),
        "tres" => Some(3),
        "cuatro" => Some(4),
        "cinco" => Some(5),
        "diez" => Some(10),
        "quince" => Some(15),
        "veinte" => Some(20),
        "treinta" => Some(30),
        _ => word
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=48 * 60).contains(n)),
    }
}

/// Minutes in a unit of time as said: "minutes", "min", "hours", "hrs", "h", "minutos", "horas".
fn minutes_in(unit: &str) -> Option<i64> {
    match unit.trim_end_matches('.') {
        "minute" | "minutes" | "min" | "mins" | "minuto" | "minutos" | "m" => Some(1),
        "hour" | "hours" | "hr" | "hrs" | "h" | "hora" | "horas" => Some(60),
        _ => None,
    }
}

/// "20min", "2hrs": a count glued to its unit.
fn glued_duration(word: &str) -> Option<i64> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let unit = &word[digits.len()..];
    if digits.is_empty() || unit.is_empty() {
        return None;
    }
    Some(digits.parse::<i64>().ok()? * minutes_in(unit)?)
}

/// "N units", "N units and a half", "half an hour", "N and a half units" at the end of `words`:
/// how many words it takes and the minutes.
fn duration_before(words: &[String]) -> Option<(usize, i64)> {
    let w = |s: &str| s.to_string();
    match words {
        [.., half, a, hour] if *half == w("half") && matches!(a.as_str(), "an" | "a") => {
            (minutes_in(hour) == Some(60)).then_some((3, 30))
        }
        [.., n, unit, and, a, half] if *and == w("and") && *a == w("a") && *half == w("half") => {
            let (n, m) = (count_word(n)?, minutes_in(unit)?);
            Some((5, n * m + m / 2))
        }
        [.., n, and, a, half, unit] if *and == w("and") && *a == w("a") && *half == w("half") => {
            let (n, m) = (count_word(n)?, minutes_in(unit)?);
            Some((5, n * m + m / 2))
        }
        [.., a, half, hour] if *a == w("a") && *half == w("half") => {
            (minutes_in(hour) == Some(60)).then_some((3, 30))
        }
        [.., n, unit] if count_word(n).is_some() && minutes_in(unit).is_some() => {
            Some((2, count_word(n)? * minutes_in(unit)?))
        }
        [.., glued] => glued_duration(glued).map(|m| (1, m)),
        _ => None,
    }
}

/// "media hora", "hora y media", "una hora y media", "2 horas y media", "un cuarto de hora",
/// "20 minutos", "20min" at the start of `words`: how many words and the minutes.
fn duration_after(words: &[String]) -> Option<(usize, i64)> {
    let is = |w: &String, s: &str| w == s;
    match words {
        [media, hora, ..] if is(media, "media") && minutes_in(hora) == Some(60) => Some((2, 30)),
        [un, cuarto, de, hora, ..]
            if is(un, "un")
                && is(cuarto, "cuarto")
                && is(de, "de")
                && minutes_in(hora) == Some(60) =>
        {
            Some((4, 15))
        }
        // "tres cuartos de hora"
        [n, cuartos, de, hora, ..]
            if is(cuartos, "cuartos") && is(de, "de") && minutes_in(hora) == Some(60) =>
        {
            Some((4, count_word(n)? * 15))
        }
        [hora, y, media, ..]
            if minutes_in(hora) == Some(60) && is(y, "y") && is(media, "media") =>
        {
            Some((3, 90))
        }
        [n, unit, y, media, ..] if is(y, "y") && is(media, "media") => {
            let (n, m) = (count_word(n)?, minutes_in(unit)?);
            Some((4, n * m + m / 2))
        }
        [n, unit, ..] if count_word(n).is_some() && minutes_in(unit).is_some() => {
            Some((2, count_word(n)? * minutes_in(unit)?))
        }
        [glued, ..] => glued_duration(glued).map(|m| (1, m)),
        _ => None,
    }
}

/// A while ago: "an hour ago", "20 minutes ago", "half an hour ago", "an hour and a half ago",
/// "hace una hora", "hace 20 minutos", "hace media hora", "hace hora y media": its span and
/// minutes.
fn ago(keys: &[String]) -> Option<(usize, usize, i64)> {
    if let Some(at) = keys.iter().position(|w| w == "ago") {
        if let Some((used, minutes)) = duration_before(&keys[..at]) {
            return Some((at - used, at + 1, minutes));
        }
    }
    let hace = keys.iter().position(|w| w == "hace")?;
    let (used, minutes) = duration_after(&keys[hace + 1..])?;
    Some((hace, hace + 1 + used, minutes))
}

/// A part of the day said with a clock time: "at 8 this morning", "a las 3 de la tarde", "at 10
/// last night". Without a clock time it is vague (see [`vague`]).
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Morning,
    SmallHours,
    Afternoon,
    Night,
}

const PARTS: &[(&[&str], Part)] = &[
    (&["this", "morning"], Part::Morning),
    (&["in", "the", "morning"], Part::Morning),
    (&["this", "am"], Part::Morning),
    (&["de", "la", "manana"], Part::Morning),
    (&["esta", "manana"], Part::Morning),
    (&["en", "la", "manana"], Part::Morning),
    (&["por", "la", "manana"], Part::Morning),
    (&["de", "la", "madrugada"], Part::SmallHours),
    (&["en", "la", "madrugada"], Part::SmallHours),
    (&["por", "la", "madrugada"], Part::SmallHours),
    (&["esta", "madrugada"], Part::SmallHours),
    (&["this", "afternoon"], Part::Afternoon),
    (&["in", "the", "afternoon"], Part::Afternoon),
    (&["de", "la", "tarde"], Part::Afternoon),
    (&["esta", "tarde"], Part::Afternoon),
    (&["en", "la", "tarde"], Part::Afternoon),
    (&["por", "la", "tarde"], Part::Afternoon),
    (&["this", "evening"], Part::Night),
    (&["in", "the", "evening"], Part::Night),
    (&["tonight"], Part::Night),
    (&["last", "night"], Part::Night),
    (&["at", "night"], Part::Night),
    (&["de", "la", "noche"], Part::Night),
    (&["esta", "noche"], Part::Night),
    (&["en", "la", "noche"], Part::Night),
    (&["por", "la", "noche"], Part::Night),
    (&["anoche"], Part::Night),
];

fn phrase_at(keys: &[String], at: usize, phrase: &[&str]) -> bool {
    keys.len() >= at + phrase.len() && phrase.iter().zip(&keys[at..]).all(|(p, k)| p == k)
}

fn part_of_day(keys: &[String]) -> Option<(usize, usize, Part)> {
    (0..keys.len()).find_map(|i| {
        PARTS
            .iter()
            .find(|(phrase, _)| phrase_at(keys, i, phrase))
            .map(|(phrase, part)| (i, i + phrase.len(), *part))
    })
}

/// A 12-hour clock time made definite by the part of the day it was said with, when that leaves
/// one reading: "8 this morning" is 08:00, "3 de la tarde" 15:00, "10 last night" 22:00, "12 de
/// la noche" midnight. "2 last night" stays a 12-hour time (the later reading is taken).
fn in_part(time: LocalTime, part: Part) -> Option<LocalTime> {
    use chrono::Timelike;
    let (h, m) = (time.hour(), time.minute());
    let hour = match part {
        Part::Morning if (5..=11).contains(&h) => h,
        Part::SmallHours if (1..=6).contains(&h) => h,
        Part::Afternoon if h == 12 => 12,
        Part::Afternoon if (1..=7).contains(&h) => h + 12,
        Part::Night if (5..=11).contains(&h) => h + 12,
        Part::Night if h == 12 => 0,
        _ => return None,
    };
    NaiveTime::from_hms_opt(hour, m, 0)
}

/// "quarter past 7" (7:15), "half past 2" (2:30), "quarter to 8" (7:45), "ten past 9": a
/// 12-hour time, and the words it takes.
fn past_or_to(keys: &[String], at: usize) -> Option<(usize, LocalTime)> {
    let (minutes, word) = match keys.get(at)?.as_str() {
        "quarter" => (15, at + 1),
        "half" => (30, at + 1),
        "a" if keys.get(at + 1).map(String::as_str) == Some("quarter") => (15, at + 2),
        other => (
            u32::try_from(count_word(other).filter(|m| (1..=29).contains(m))?).ok()?,
            at + 1,
        ),
    };
    let hour = keys
        .get(word + 1)?
        .parse::<u32>()
        .ok()
        .filter(|h| (1..=12).contains(h))?;
    let time = match keys.get(word)?.as_str() {
        "past" | "after" => NaiveTime::from_hms_opt(hour, minutes, 0)?,
        "to" | "til" | "till" => {
            let previous = if hour == 1 { 12 } else { hour - 1 };
            NaiveTime::from_hms_opt(previous, 60 - minutes, 0)?
        }
        _ => return None,
    };
    Some((word + 2 - at, time))
}

/// Said right after a clock hour, its minutes: "a las 2 y media" (2:30), "a las 3 y cuarto".
fn minutes_after(keys: &[String], at: usize) -> Option<(usize, u32)> {
    match (
        keys.get(at).map(String::as_str),
        keys.get(at + 1).map(String::as_str),
    ) {
        (Some("y"), Some("media")) => Some((2, 30)),
        (Some("y"), Some("cuarto")) => Some((2, 15)),
        _ => None,
    }
}

/// A clock time in the words: after "at", "@", "around", "about", "a las" (the last one that
/// reads), or on its own when it says so ("2pm", "14:30", "noon", "mediodía"). Its word indices
/// and the time; `Err` holds "at 25:00", a time that is not one.
fn clock(words: &[&str], keys: &[String]) -> Result<Option<(Vec<usize>, SaidTime)>, String> {
    const MARKERS: &[&str] = &[
        "at",
        "@",
        "around",
        "about",
        "approximately",
        "approx",
        "~",
        "las",
        "eso",
    ];
    let read = |at: usize| -> Option<(usize, LocalTime, bool)> {
        // "quarter past 7", "half past 2", "quarter to 8".
        if let Some((used, time)) = past_or_to(keys, at) {
            return Some((used, time, true));
        }
        // "9:30 pm" (two words) or "9:30pm", "10ish" (one).
        let one = keys.get(at)?.trim_end_matches("ish").to_string();
        let two = keys
            .get(at + 1)
            .filter(|w| matches!(w.as_str(), "am" | "pm" | "a.m" | "p.m" | "a.m." | "p.m."))
            .map(|w| format!("{one}{w}"));
        let (used, text) = match two {
            Some(two) => (2, two),
            None => (1, one),
        };
        let time = parse_time(&text)?;
        // "about 5 ml" is an amount, not five o'clock.
        let unit_follows = words
            .get(at + used)
            .map(|w| strip_punctuation(w))
            .is_some_and(|w| DoseUnit::parse(w).is_some() || household_ml(w).is_some());
        (!unit_follows).then_some((used, time, twelve_hour_without_meridiem(&text)))
    };
    let mut found = None;
    for marker in (0..keys.len()).rev() {
        let glued = keys[marker].strip_prefix('@').filter(|r| !r.is_empty());
        if glued.is_none() && !MARKERS.contains(&keys[marker].as_str()) {
            continue;
        }
        let from = if glued.is_some() { marker } else { marker + 1 };
        let reading = if let Some(rest) = glued {
            parse_time(rest).map(|t| (1, t, twelve_hour_without_meridiem(rest)))
        } else {
            read(from)
        };
        if let Some((used, time, twelve)) = reading {
            // The marker goes with the time ("at 9:30", "@3pm").
            found = Some(((marker..from + used).collect::<Vec<_>>(), time, twelve));
            break;
        }
        // "at 25:00" is a time that is not one.
        let next = keys.get(from).map(String::as_str).unwrap_or("");
        if matches!(keys[marker].as_str(), "at" | "@")
            && next.starts_with(|c: char| c.is_ascii_digit())
            && (next.contains(':') || next.ends_with("am") || next.ends_with("pm"))
        {
            return Err(strip_punctuation(words[from]).to_string());
        }
    }
    if found.is_none() {
        // On its own, a time that says it is one.
        found = (0..keys.len()).find_map(|i| {
            let k = keys[i].as_str();
            let says_so = matches!(k, "noon" | "midnight" | "mediodia" | "medianoche")
                || (k.starts_with(|c: char| c.is_ascii_digit())
                    && (k.ends_with("am")
                        || k.ends_with("pm")
                        || k.ends_with("a.m")
                        || k.ends_with("p.m")
                        || (k.contains(':') && k.len() >= 4)
                        || k.ends_with("ish")
                        || keys
                            .get(i + 1)
                            .is_some_and(|n| matches!(n.as_str(), "am" | "pm" | "a.m" | "p.m"))));
            if !says_so {
                return None;
            }
            read(i).map(|(used, time, twelve)| ((i..i + used).collect(), time, twelve))
        });
    }
    let Some((mut used, mut time, twelve)) = found else {
        return Ok(None);
    };
    let end = used.last().map_or(0, |last| last + 1);
    if let Some((more, minutes)) = minutes_after(keys, end) {
        use chrono::Timelike;
        if time.minute() == 0 {
            time = time.with_minute(minutes).unwrap_or(time);
            used.extend(end..end + more);
        }
    }
    let said = if twelve {
        match part_of_day(keys) {
            Some((from, to, part)) => {
                used.extend(from..to);
                in_part(time, part).map_or(SaidTime::Clock(time), SaidTime::At)
            }
            None => SaidTime::Clock(time),
        }
    } else {
        if let Some((from, to, _)) = part_of_day(keys) {
            used.extend(from..to);
        }
        SaidTime::At(time)
    };
    Ok(Some((used, said)))
}

/// Events of the day a dose is said around: "after lunch", "before her nap", "después de comer".
const EVENTS: &[&str] = &[
    "lunch",
    "lunchtime",
    "breakfast",
    "dinner",
    "dinnertime",
    "supper",
    "school",
    "daycare",
    "nap",
    "naptime",
    "bath",
    "bathtime",
    "bed",
    "bedtime",
    "snack",
    "dropoff",
    "pickup",
    "work",
    "comer",
    "almorzar",
    "almuerzo",
    "desayunar",
    "desayuno",
    "cenar",
    "cena",
    "comida",
    "siesta",
    "bano",
    "banarse",
    "banarla",
    "banarlo",
    "dormir",
    "escuela",
    "colegio",
    "cole",
    "guarderia",
    "kinder",
    "merienda",
    "merendar",
    "tea",
    "teatime",
];

/// Times said without a clock: "this morning", "after lunch", "earlier", "a couple hours ago",
/// "esta mañana", "anoche", "hace un rato", "después de comer". Their span.
fn vague(keys: &[String]) -> Option<(usize, usize)> {
    const WHOLE: &[&[&str]] = &[
        &["earlier", "today"],
        &["earlier"],
        &["yesterday"],
        &["overnight"],
        &["during", "the", "night"],
        &["a", "while", "ago"],
        &["a", "bit", "ago"],
        &["a", "little", "while", "ago"],
        &["some", "time", "ago"],
        &["a", "few", "hours", "ago"],
        &["a", "few", "hrs", "ago"],
        &["a", "few", "minutes", "ago"],
        &["a", "few", "mins", "ago"],
        &["few", "hours", "ago"],
        &["a", "couple", "hours", "ago"],
        &["a", "couple", "of", "hours", "ago"],
        &["a", "couple", "hrs", "ago"],
        &["couple", "hours", "ago"],
        &["couple", "of", "hours", "ago"],
        &["a", "couple", "minutes", "ago"],
        &["a", "couple", "of", "minutes", "ago"],
        &["ayer"],
        &["antenoche"],
        &["antier"],
        &["hace", "un", "rato"],
        &["hace", "rato"],
        &["hace", "un", "ratito"],
        &["hace", "un", "momento"],
        &["hace", "un", "momentito"],
        &["hace", "poco"],
        &["hace", "unas", "horas"],
        &["hace", "unos", "minutos"],
        &["hace", "un", "par", "de", "horas"],
        &["hoy", "temprano"],
        &["mas", "temprano"],
        &["temprano"],
        &["al", "despertar"],
        &["al", "despertarse"],
        &["al", "levantarse"],
        &["al", "acostarse"],
        &["when", "she", "woke", "up"],
        &["when", "he", "woke", "up"],
    ];
    const BEFORE_EVENT: &[&[&str]] = &[
        &["after"],
        &["before"],
        &["at"],
        &["with"],
        &["around"],
        &["during"],
        &["despues", "de"],
        &["despues", "del"],
        &["antes", "de"],
        &["antes", "del"],
        &["en", "el"],
        &["en", "la"],
        &["con", "el"],
        &["con", "la"],
        &["durante", "el"],
        &["durante", "la"],
        &["al"],
    ];
    for i in 0..keys.len() {
        if let Some(phrase) = WHOLE.iter().find(|p| phrase_at(keys, i, p)) {
            return Some((i, i + phrase.len()));
        }
        if let Some((from, to, _)) = part_of_day(&keys[i..]).filter(|(from, _, _)| *from == 0) {
            return Some((i + from, i + to));
        }
        if let Some(before) = BEFORE_EVENT.iter().find(|p| phrase_at(keys, i, p)) {
            let mut at = i + before.len();
            if keys.get(at).is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "her" | "his" | "the" | "their" | "my" | "our" | "la" | "el" | "su"
                )
            }) {
                at += 1;
            }
            if keys.get(at).is_some_and(|w| EVENTS.contains(&w.as_str())) {
                return Some((i, at + 1));
            }
        }
    }
    None
}

/// The words without those at `remove`, keeping the punctuation that ended a clause on the word
/// before ("at 2, she's fine" leaves "... , she's fine").
fn without(words: &[&str], remove: &[usize]) -> String {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        if !remove.contains(&i) {
            out.push(word.to_string());
            continue;
        }
        let ends = word.ends_with([',', ';', '.', '!', '?']);
        if let (true, Some(last)) = (ends, out.last_mut()) {
            if !last.ends_with([',', ';', '.', '!', '?']) {
                last.push_str(&word[word.len() - 1..]);
            }
        }
    }
    out.join(" ")
}

/// Splits off when something happened: a while ago, a clock time (with the part of the day that
/// makes it definite), or a time said without a clock ([`SaidTime::Vague`]: never made into a
/// clock time). The rest of the text comes back without it. `Err` holds a time that is not one
/// ("at 25:00").
pub(super) fn split_time(text: &str) -> Result<(String, Option<SaidTime>), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let keys: Vec<String> = words
        .iter()
        .map(|w| key(w).trim_end_matches([',', ';', '!', '?']).to_string())
        .collect();
    let vague_span = vague(&keys);
    let mut remove: Vec<usize> = vague_span
        .map(|(a, b)| (a..b).collect())
        .unwrap_or_default();
    if let Some((from, to, minutes)) = ago(&keys) {
        remove.extend(from..to);
        let said = SaidTime::Ago(chrono::Duration::minutes(minutes));
        return Ok((without(&words, &remove), Some(said)));
    }
    if let Some((used, said)) = clock(&words, &keys)? {
        remove.extend(used);
        return Ok((without(&words, &remove), Some(said)));
    }
    match vague_span {
        Some((from, to)) => {
            let said = words[from..to]
                .iter()
                .map(|w| strip_punctuation(w))
                .collect::<Vec<_>>()
                .join(" ");
            Ok((without(&words, &remove), Some(SaidTime::Vague(said))))
        }
        None => Ok((text.to_string(), None)),
    }
}
