use super::*;

fn ctx() -> RenderContext {
    RenderContext {
        locale: Locale::En,
        timezone: chrono_tz::America::New_York,
        country: "US",
        now: Utc::now(),
    }
}

/// Every refusal is a sentence written for the family: what was wrong and what to do, never
/// internal text (these were one `Other(String)` before, some of it serde's words).
#[test]
fn refusals_are_written_for_the_family() {
    let table: Vec<(Problem, &str)> = vec![
        (Problem::NotAMember, "Only members of the family"),
        (Problem::ImplausibleBirthDate, "birth date can't be right"),
        (
            Problem::DuplicateChild("Emma".into()),
            "already has a child called Emma",
        ),
        (
            Problem::BadSeverity("awful".into()),
            "\"awful\" is not a severity: use mild",
        ),
        (Problem::UnknownMeasurement("girth".into()), "not \"girth\""),
        (
            Problem::ImplausibleMeasurement {
                kind: "weight",
                value: 400.0,
                unit: "kg",
            },
            "400 kg is not a plausible weight",
        ),
        (
            Problem::AmbiguousFamily("Garcia".into()),
            "Several families are called \"Garcia\"",
        ),
        (Problem::IdentityTaken, "already belongs to someone else"),
        (Problem::LastGuardian, "make someone else a guardian first"),
        (Problem::NotACaregiver, "make them a caregiver first"),
        (
            Problem::CourseAlreadyEnded {
                medication: "Amoxicillin".into(),
                on: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default(),
            },
            "Amoxicillin's course already ended on 8 Dec",
        ),
        (Problem::NoIngredient, "at least one active ingredient"),
        (Problem::IntervalOutOfRange, "between 30 minutes and 7 days"),
        (
            Problem::BadStrength("lots".into()),
            "\"lots\" is not a strength",
        ),
        (
            Problem::VaccinatedBeforeBirth {
                child: "Leo".into(),
                born: chrono::NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or_default(),
            },
            "before Leo was born (2 Jan 2025)",
        ),
        (Problem::BadDoseNumber, "from 1 to 10"),
        (Problem::AppointmentNotAhead, "must be ahead of us"),
        (
            Problem::BadPhone("call me".into()),
            "\"call me\" is not a phone number",
        ),
    ];
    for (problem, expected) in table {
        let reply = render(&Msg::Problem(problem.clone()), &ctx());
        assert!(reply.text.contains(expected), "{problem:?}: {}", reply.text);
        assert!(reply.text.ends_with('.'), "{problem:?}: {}", reply.text);
    }
}

/// The nanny's reminders, in the family's zone, as the nanny and the guardians read them.
#[test]
fn shift_start_and_certification_reminders_read_in_the_familys_zone() {
    use chrono::TimeZone;
    let ny = |d: u32, h: u32| {
        chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 3, d, h, 0, 0)
            .single()
            .expect("a New York time")
            .with_timezone(&Utc)
    };
    let ctx = RenderContext {
        now: ny(2, 7),
        ..ctx()
    };
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 4, d).expect("a day");
    let table = [
        (
            Msg::ReminderShiftStart {
                starts_at: ny(2, 8),
                ends_at: ny(2, 17),
            },
            "Your shift starts at 08:00 (until 17:00). Say \"clock in\" when you arrive.",
            Tone::Info,
        ),
        (
            Msg::ReminderShiftStart {
                starts_at: ny(3, 0),
                ends_at: ny(3, 6),
            },
            "Your shift starts tomorrow 00:00 (until tomorrow 06:00).",
            Tone::Info,
        ),
        (
            Msg::ReminderCertification {
                nanny: "Maya".into(),
                certification: "CPR and first aid".into(),
                expires_on: day(1),
                expired: false,
                yours: false,
            },
            "Maya's CPR and first aid expires on Wed 1 Apr 2026 (in 30 days): time to book the \
             renewal. A guardian records the new date with \"profile Maya cert CPR and first \
             aid until YYYY-MM-DD\".",
            Tone::Info,
        ),
        (
            Msg::ReminderCertification {
                nanny: "Maya".into(),
                certification: "CPR".into(),
                expires_on: NaiveDate::from_ymd_opt(2026, 2, 27).expect("a day"),
                expired: true,
                yours: false,
            },
            "⚠ Maya's CPR expired on Fri 27 Feb 2026.",
            Tone::Warning,
        ),
        (
            Msg::ReminderCertification {
                nanny: "Maya".into(),
                certification: "CPR and first aid".into(),
                expires_on: day(1),
                expired: false,
                yours: true,
            },
            "Your CPR and first aid expires on Wed 1 Apr 2026 (in 30 days): time to book the \
             renewal, then tell a guardian the new date.",
            Tone::Info,
        ),
        (
            Msg::ReminderCertification {
                nanny: "Maya".into(),
                certification: "CPR".into(),
                expires_on: NaiveDate::from_ymd_opt(2026, 2, 27).expect("a day"),
                expired: true,
                yours: true,
            },
            "⚠ Your CPR expired on Fri 27 Feb 2026. Once renewed, tell a guardian the new date.",
            Tone::Warning,
        ),
    ];
    for (msg, expected, tone) in table {
        let reply = render(&msg, &ctx);
        assert!(reply.text.contains(expected), "{msg:?}: {}", reply.text);
        assert_eq!(reply.tone, tone, "{msg:?}");
        assert!(!reply.health_data, "{msg:?}: not a child's health");
    }
}
