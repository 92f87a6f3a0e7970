//! The nanny's commands: a profile ("profile Maya", "my profile", "profile Maya rate 22.50", several
//! changes at once with `;`: "profile Maya rate 22.50; overtime 33.75"), a
//! schedule ("schedule Maya Mon-Fri 8-17", "Maya works Mon–Fri 8–17"), hours ("hours 2026-11
//! csv") and the payroll week ("week starts Sunday"). Pure: names stay as said, the engine finds
//! the member.

use chrono::{NaiveDate, NaiveTime, Weekday};

use super::words::key;
use super::{parse_time, strip_punctuation, Command};
use crate::hours::YearMonth;
use crate::services::nanny::ShiftDays;

#[derive(Debug, Clone, PartialEq)]
pub enum NannyCommand {
    /// A nanny's profile: `None` is the speaker's own.
    Profile {
        who: Option<String>,
    },
    /// One or more changes to a nanny's profile, made together (all or none).
    EditProfile {
        who: String,
        edits: Vec<ProfileEdit>,
    },
    /// Scheduled shifts for a nanny, every day in `days` from `starts` to `ends` (local time).
    Schedule {
        who: String,
        days: Vec<ShiftDays>,
        starts: NaiveTime,
        ends: NaiveTime,
    },
    ClearSchedule {
        who: String,
    },
    /// A month's hours (this month when `None`), with the payroll CSV ("csv" may be said; the
    /// file always comes with the totals).
    Hours {
        month: Option<YearMonth>,
    },
    WeekStart(Weekday),
    /// Something that began like a nanny command and was not understood: say how.
    Usage,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProfileEdit {
    /// Cents an hour.
    Rate(i64),
    Overtime(i64),
    Languages(Vec<String>),
    Emergency(String),
    Certification {
        name: String,
        expires_on: NaiveDate,
    },
}

fn nanny(command: NannyCommand) -> Option<Command> {
    Some(Command::Nanny(command))
}

pub(super) fn parse(text: &str, words: &[&str]) -> Option<Command> {
    if let Some(left) = super::chat::left_at(text) {
        return Some(left);
    }
    let keys: Vec<String> = words
        .iter()
        .map(|w| strip_punctuation(&key(w)).to_string())
        .collect();
    let k: Vec<&str> = keys.iter().map(String::as_str).collect();
    match k.as_slice() {
        ["my", "profile"] | ["mi", "perfil"] | ["profile"] | ["perfil"] => {
            return nanny(NannyCommand::Profile { who: None })
        }
        ["profile" | "perfil", who] => {
            return nanny(NannyCommand::Profile {
                who: Some(strip_punctuation(words[1]).to_string()),
            })
            .filter(|_| !who.is_empty())
        }
        ["profile" | "perfil", _, ..] => return nanny(profile_edit(words)),
        // Slack opens a form for these; elsewhere the chat way is explained.
        ["edit" | "editar", "profile" | "perfil", ..] => return nanny(NannyCommand::Usage),
        ["hours" | "horas", rest @ ..] if rest.len() <= 2 => return hours(rest),
        ["week" | "semana", "starts" | "start" | "begins" | "empieza" | "comienza", rest @ ..]
        | ["the" | "our" | "la" | "nuestra", "week" | "semana", "starts" | "start" | "begins" | "empieza" | "comienza", rest @ ..] =>
        {
            let day = rest.iter().rev().find_map(|w| weekday(w));
            return nanny(day.map_or(NannyCommand::Usage, NannyCommand::WeekStart));
        }
        ["schedule" | "horario"] => return nanny(NannyCommand::Usage),
        ["schedule" | "horario", _, "clear" | "borrar" | "none" | "ninguno"] => {
            return nanny(NannyCommand::ClearSchedule {
                who: words[1].to_string(),
            })
        }
        ["schedule" | "horario", _, ..] => {
            return nanny(schedule(words[1], &text_after(text, 2)).unwrap_or(NannyCommand::Usage))
        }
        [_, "works" | "trabaja", ..] => {
            return schedule(words[0], &text_after(text, 2)).map(Command::Nanny)
        }
        _ => {}
    }
    None
}

/// The text after the first `n` words.
fn text_after(text: &str, n: usize) -> String {
    text.split_whitespace()
        .skip(n)
        .collect::<Vec<_>>()
        .join(" ")
}

fn hours(rest: &[&str]) -> Option<Command> {
    let mut month = None;
    for word in rest {
        match *word {
            "csv" => {}
            other => match YearMonth::parse(other) {
                Ok(m) => month = Some(m),
                Err(_) => return nanny(NannyCommand::Usage),
            },
        }
    }
    nanny(NannyCommand::Hours { month })
}

fn profile_edit(words: &[&str]) -> NannyCommand {
    let who = strip_punctuation(words[1]).to_string();
    let said = words.get(2..).map(|w| w.join(" ")).unwrap_or_default();
    let edits: Option<Vec<ProfileEdit>> = said
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(one_edit)
        .collect();
    match edits {
        Some(edits) if !edits.is_empty() => NannyCommand::EditProfile { who, edits },
        _ => NannyCommand::Usage,
    }
}

/// One change: "rate 22.50", "languages English, Spanish", "cert CPR until 2027-03-01".
fn one_edit(said: &str) -> Option<ProfileEdit> {
    let (field, value) = said.split_once(char::is_whitespace).unwrap_or((said, ""));
    let field = key(field);
    let value = value.trim();
    match strip_punctuation(&field) {
        "rate" | "tarifa" | "pay" => money(value).map(ProfileEdit::Rate),
        "overtime" | "extra" => money(value).map(ProfileEdit::Overtime),
        "languages" | "language" | "idiomas" | "idioma" => {
            let list: Vec<String> = value
                .split([',', '/'])
                .flat_map(|part| part.split(" and ").flat_map(|p| p.split(" y ")))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            (!list.is_empty()).then_some(ProfileEdit::Languages(list))
        }
        "emergency" | "emergencia" => {
            let contact = value.trim_start_matches("contact").trim();
            (!contact.is_empty()).then(|| ProfileEdit::Emergency(contact.to_string()))
        }
        "cert" | "certification" | "certificate" | "certificado" => certification(value),
        _ => None,
    }
}

/// "22.50", "$22.50", "22,50 an hour", "20/h": cents.
pub(crate) fn money(text: &str) -> Option<i64> {
    let number: String = text
        .trim()
        .trim_start_matches(['$', '€', '£'])
        .split(['/', ' '])
        .next()?
        .replace(',', ".");
    let value: f64 = number.parse().ok()?;
    (value.is_finite() && value > 0.0).then(|| (value * 100.0).round() as i64)
}

/// "CPR until 2027-03-01", "First aid 2027-03-01", "RCP hasta 2027-03-01".
fn certification(text: &str) -> Option<ProfileEdit> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (last, name) = words.split_last()?;
    let expires_on = NaiveDate::parse_from_str(last, "%Y-%m-%d").ok()?;
    let name: Vec<&str> = name
        .iter()
        .copied()
        .filter(|w| {
            !matches!(
                key(w).as_str(),
                "until" | "expires" | "hasta" | "vence" | "on"
            )
        })
        .collect();
    (!name.is_empty()).then(|| ProfileEdit::Certification {
        name: name.join(" "),
        expires_on,
    })
}

fn weekday(word: &str) -> Option<Weekday> {
    let w = key(word);
    Some(match strip_punctuation(&w) {
        "mon" | "monday" | "mondays" | "lun" | "lunes" => Weekday::Mon,
        "tue" | "tues" | "tuesday" | "tuesdays" | "mar" | "martes" => Weekday::Tue,
        "wed" | "wednesday" | "wednesdays" | "mie" | "miercoles" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" | "thursdays" | "jue" | "jueves" => Weekday::Thu,
        "fri" | "friday" | "fridays" | "vie" | "viernes" => Weekday::Fri,
        "sat" | "saturday" | "saturdays" | "sab" | "sabado" | "sabados" => Weekday::Sat,
        "sun" | "sunday" | "sundays" | "dom" | "domingo" | "domingos" => Weekday::Sun,
        _ => return None,
    })
}

/// "Mon-Fri", "mon,wed,fri", "weekdays", "Saturday", "2026-12-24": the days of a schedule.
fn days(text: &str) -> Option<Vec<ShiftDays>> {
    let text = text.replace(['–', '—'], "-");
    let lower = key(&text);
    if matches!(
        lower.as_str(),
        "weekdays" | "every weekday" | "entre semana" | "lunes a viernes" | "monday to friday"
    ) {
        return Some(week_range(Weekday::Mon, Weekday::Fri));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return Some(vec![ShiftDays::On(date)]);
    }
    let range = lower
        .split_once('-')
        .or_else(|| lower.split_once(" to "))
        .or_else(|| lower.split_once(" a "));
    if let Some((from, to)) = range {
        return Some(week_range(weekday(from.trim())?, weekday(to.trim())?));
    }
    let list: Option<Vec<ShiftDays>> = lower
        .split([',', ' ', '/'])
        .filter(|w| !w.is_empty() && !matches!(*w, "and" | "y"))
        .map(|w| weekday(w).map(ShiftDays::Weekly))
        .collect();
    list.filter(|l| !l.is_empty())
}

fn week_range(from: Weekday, to: Weekday) -> Vec<ShiftDays> {
    let mut out = vec![ShiftDays::Weekly(from)];
    let mut day = from;
    while day != to {
        day = day.succ();
        out.push(ShiftDays::Weekly(day));
    }
    out
}

/// "8", "8:30", "17:00", "5pm": a time of day; a bare hour is on the 24-hour clock.
fn time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    if let Ok(hour) = text.parse::<u32>() {
        return NaiveTime::from_hms_opt(hour % 24, 0, 0).filter(|_| hour <= 24);
    }
    parse_time(text)
}

/// "Mon-Fri 8-17", "weekdays 8:00–17:30", "2026-12-24 9-13", "sat 22-6": days, then the hours.
fn schedule(who: &str, rest: &str) -> Option<NannyCommand> {
    let rest = rest.replace(['–', '—'], "-");
    let rest = rest
        .trim()
        .trim_start_matches("on ")
        .trim_end_matches(['.', '!']);
    let (days_text, hours_text) = rest.rsplit_once(' ')?;
    let hours_text = hours_text.trim_start_matches("from");
    let (starts, ends) = hours_text
        .split_once('-')
        .or_else(|| hours_text.split_once("to"))?;
    let (starts, ends) = (time(starts)?, time(ends)?);
    if starts == ends {
        return None;
    }
    let days_text = days_text
        .trim()
        .trim_start_matches("on ")
        .trim_end_matches(" from")
        .trim_end_matches(" de");
    Some(NannyCommand::Schedule {
        who: strip_punctuation(who).to_string(),
        days: days(days_text)?,
        starts,
        ends,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::{parse, Vocabulary};

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    fn weekly(days: &[Weekday]) -> Vec<ShiftDays> {
        days.iter().map(|d| ShiftDays::Weekly(*d)).collect()
    }

    #[test]
    fn nanny_commands_parse() {
        use Weekday::*;
        let vocabulary = Vocabulary { children: &[] };
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
        let cases: Vec<(&str, NannyCommand)> = vec![
            ("my profile", NannyCommand::Profile { who: None }),
            ("mi perfil", NannyCommand::Profile { who: None }),
            (
                "profile Maya",
                NannyCommand::Profile {
                    who: Some("Maya".into()),
                },
            ),
            (
                "profile Maya rate $22.50",
                NannyCommand::EditProfile {
                    who: "Maya".into(),
                    edits: vec![ProfileEdit::Rate(2250)],
                },
            ),
            (
                "profile Maya overtime 33,75",
                NannyCommand::EditProfile {
                    who: "Maya".into(),
                    edits: vec![ProfileEdit::Overtime(3375)],
                },
            ),
            (
                "profile Maya languages English, Spanish",
                NannyCommand::EditProfile {
                    who: "Maya".into(),
                    edits: vec![ProfileEdit::Languages(vec![
                        "English".into(),
                        "Spanish".into(),
                    ])],
                },
            ),
            (
                "profile Maya emergency Rosa Diaz 555 010 7788",
                NannyCommand::EditProfile {
                    who: "Maya".into(),
                    edits: vec![ProfileEdit::Emergency("Rosa Diaz 555 010 7788".into())],
                },
            ),
            (
                "profile Maya cert First aid until 2027-03-01",
                NannyCommand::EditProfile {
                    who: "Maya".into(),
                    edits: vec![ProfileEdit::Certification {
                        name: "First aid".into(),
                        expires_on: day("2027-03-01"),
                    }],
                },
            ),
            (
                "profile Maya rate 22.50; overtime 33.75; emergency Rosa, 555 010 7788",
                NannyCommand::EditProfile {
                    who: "Maya".into(),
                    edits: vec![
                        ProfileEdit::Rate(2250),
                        ProfileEdit::Overtime(3375),
                        ProfileEdit::Emergency("Rosa, 555 010 7788".into()),
                    ],
                },
            ),
            ("profile Maya rate lots", NannyCommand::Usage),
            // One change that does not read: none is made.
            (
                "profile Maya rate 22.50; overtime lots",
                NannyCommand::Usage,
            ),
            ("edit profile Maya", NannyCommand::Usage),
            (
                "schedule Maya Mon-Fri 8-17",
                NannyCommand::Schedule {
                    who: "Maya".into(),
                    days: weekly(&[Mon, Tue, Wed, Thu, Fri]),
                    starts: t(8, 0),
                    ends: t(17, 0),
                },
            ),
            (
                "Maya works Mon–Fri 8–17",
                NannyCommand::Schedule {
                    who: "Maya".into(),
                    days: weekly(&[Mon, Tue, Wed, Thu, Fri]),
                    starts: t(8, 0),
                    ends: t(17, 0),
                },
            ),
            (
                "schedule Maya sat,sun 22:00-6:30",
                NannyCommand::Schedule {
                    who: "Maya".into(),
                    days: weekly(&[Sat, Sun]),
                    starts: t(22, 0),
                    ends: t(6, 30),
                },
            ),
            (
                "schedule Maya 2026-12-24 9-13",
                NannyCommand::Schedule {
                    who: "Maya".into(),
                    days: vec![ShiftDays::On(day("2026-12-24"))],
                    starts: t(9, 0),
                    ends: t(13, 0),
                },
            ),
            (
                "Maya trabaja lunes a viernes 8-17",
                NannyCommand::Schedule {
                    who: "Maya".into(),
                    days: weekly(&[Mon, Tue, Wed, Thu, Fri]),
                    starts: t(8, 0),
                    ends: t(17, 0),
                },
            ),
            (
                "schedule Maya clear",
                NannyCommand::ClearSchedule { who: "Maya".into() },
            ),
            ("schedule Maya someday", NannyCommand::Usage),
            ("hours", NannyCommand::Hours { month: None }),
            (
                "hours 2026-11 csv",
                NannyCommand::Hours {
                    month: YearMonth::parse("2026-11").ok(),
                },
            ),
            ("hours november", NannyCommand::Usage),
            ("week starts Sunday", NannyCommand::WeekStart(Sun)),
            ("la semana empieza el domingo", NannyCommand::WeekStart(Sun)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text, &vocabulary), Command::Nanny(expected), "{text}");
        }
        let left = |text: &str| parse(text, &vocabulary);
        for (text, hour, minute) in [
            ("left at 17:30", 17, 30),
            ("I forgot to clock out, I left at 5:30pm", 17, 30),
            ("salí a las 17:30", 17, 30),
            ("clocked out at 18:05", 18, 5),
        ] {
            assert_eq!(
                left(text),
                Command::ShiftOut {
                    at: Some(crate::engine::command::SaidTime::At(t(hour, minute))),
                    words: None,
                },
                "{text}"
            );
        }
        // A dose said with the leaving is the dose: never lost to a clock-out.
        for text in [
            "gave Emma 5 ml Tylenol, then left at 5",
            "gave Emma 5 ml Tylenol, leaving now",
        ] {
            assert!(
                matches!(parse(text, &vocabulary), Command::GiveDose { .. }),
                "{text}: {:?}",
                parse(text, &vocabulary)
            );
        }
        // Not a nanny command: left to the other parsers.
        for text in ["Emma works hard at school", "hours since Emma's last dose?"] {
            assert!(
                !matches!(parse(text, &vocabulary), Command::Nanny(_)),
                "{text}"
            );
        }
    }
}
