//! The planner's table: each kind, the window, and daylight saving's two nights.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::*;
use crate::services::nanny::ShiftDays;

const NEW_YORK: Tz = chrono_tz::America::New_York;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("a test instant")
        .with_timezone(&Utc)
}

fn time(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").expect("a test time")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test day")
}

fn medication(schedule: Schedule) -> MedicationPlan {
    MedicationPlan {
        id: 7,
        child_id: 3,
        schedule,
        starts_on: None,
        ends_on: None,
        in_course: true,
        created_at: utc("2026-01-01T00:00:00Z"),
        last_dose: None,
    }
}

fn family(medications: Vec<MedicationPlan>) -> FamilyPlan {
    FamilyPlan {
        family_id: 1,
        timezone: NEW_YORK,
        medications,
        appointments: Vec::new(),
        paused_children: Vec::new(),
        // Out of the way of the dose tests (which look at Dose rows only).
        summary_at: time("20:00"),
        created_at: utc("2026-01-01T00:00:00Z"),
        shifts: Vec::new(),
        certifications: Vec::new(),
    }
}

fn due(family: &FamilyPlan, from: &str, to: &str, kind: ReminderKind) -> Vec<DateTime<Utc>> {
    plan(family, utc(from), utc(to))
        .into_iter()
        .filter(|p| p.kind == kind)
        .map(|p| p.due_at)
        .collect()
}

#[test]
fn local_times_across_daylight_saving() {
    // (day, local time, the instant it is due)
    let table = [
        // An ordinary winter day: EST, UTC-5.
        ("2026-03-07", "02:30", "2026-03-07T07:30:00Z"),
        // Spring forward: 02:00-03:00 does not exist; 02:30 is due once, at 03:00 EDT.
        ("2026-03-08", "02:30", "2026-03-08T07:00:00Z"),
        ("2026-03-08", "02:00", "2026-03-08T07:00:00Z"),
        ("2026-03-08", "03:00", "2026-03-08T07:00:00Z"),
        ("2026-03-08", "08:00", "2026-03-08T12:00:00Z"),
        // Fall back: 01:00-02:00 happens twice; 01:30 is due at the first (EDT).
        ("2026-11-01", "01:30", "2026-11-01T05:30:00Z"),
        // 02:30 exists once on the fall-back night (after the repeat): EST.
        ("2026-11-01", "02:30", "2026-11-01T07:30:00Z"),
        ("2026-11-01", "08:00", "2026-11-01T13:00:00Z"),
    ];
    for (d, t, expected) in table {
        assert_eq!(
            local_instant(NEW_YORK, day(d), time(t)),
            utc(expected),
            "{d} {t}"
        );
    }
}

#[test]
fn a_fixed_time_dose_on_daylight_savings_weekends_is_due_exactly_once() {
    let f = family(vec![medication(Schedule::FixedTimes {
        times: vec![time("02:30")],
    })]);
    // (window from, to, instants due)
    let table = [
        (
            "2026-03-07T00:00:00Z",
            "2026-03-10T00:00:00Z",
            vec![
                "2026-03-07T07:30:00Z",
                "2026-03-08T07:00:00Z",
                "2026-03-09T06:30:00Z",
            ],
        ),
        (
            "2026-10-31T00:00:00Z",
            "2026-11-03T00:00:00Z",
            vec![
                "2026-10-31T06:30:00Z",
                "2026-11-01T07:30:00Z",
                "2026-11-02T07:30:00Z",
            ],
        ),
    ];
    for (from, to, expected) in table {
        let expected: Vec<_> = expected.into_iter().map(utc).collect();
        assert_eq!(due(&f, from, to, ReminderKind::Dose), expected, "{from}");
    }
    // Planned tick by tick (every minute through the spring-forward night), the union is the same
    // single instant: the window is half-open, so no tick plans it twice.
    let mut seen = Vec::new();
    let mut at = utc("2026-03-08T05:00:00Z");
    while at < utc("2026-03-08T09:00:00Z") {
        let next = at + Duration::minutes(1);
        seen.extend(due(
            &f,
            &at.to_rfc3339(),
            &next.to_rfc3339(),
            ReminderKind::Dose,
        ));
        at = next;
    }
    assert_eq!(seen, vec![utc("2026-03-08T07:00:00Z")]);
}

#[test]
fn a_fall_back_dose_at_0130_is_due_once_at_the_first_0130() {
    let f = family(vec![medication(Schedule::FixedTimes {
        times: vec![time("01:30")],
    })]);
    assert_eq!(
        due(
            &f,
            "2026-11-01T04:00:00Z",
            "2026-11-01T08:00:00Z",
            ReminderKind::Dose
        ),
        vec![utc("2026-11-01T05:30:00Z")]
    );
}

#[test]
fn which_medications_are_reminded() {
    let fixed = Schedule::FixedTimes {
        times: vec![time("08:00"), time("20:00")],
    };
    let every_six = Schedule::EveryHours { hours: 6 };
    let from = "2026-05-04T00:00:00Z";
    let to = "2026-05-05T04:00:00Z";
    // (what, medication, instants due in the window)
    let table: Vec<(&str, MedicationPlan, Vec<&str>)> = vec![
        (
            "fixed times, in the family's zone (EDT)",
            medication(fixed.clone()),
            vec!["2026-05-04T12:00:00Z", "2026-05-05T00:00:00Z"],
        ),
        ("as needed: never", medication(Schedule::AsNeeded), vec![]),
        (
            "not in course (paused, stopped, pending approval): never",
            MedicationPlan {
                in_course: false,
                ..medication(fixed.clone())
            },
            vec![],
        ),
        (
            "before the course starts: nothing",
            MedicationPlan {
                starts_on: Some(day("2026-05-05")),
                ..medication(fixed.clone())
            },
            vec![],
        ),
        (
            "added at noon: the morning's dose was never due",
            MedicationPlan {
                created_at: utc("2026-05-04T16:00:00Z"),
                ..medication(fixed.clone())
            },
            vec!["2026-05-05T00:00:00Z"],
        ),
        (
            "every 6 hours, no dose yet: nothing invented",
            medication(every_six.clone()),
            vec![],
        ),
        (
            "every 6 hours from the last dose",
            MedicationPlan {
                last_dose: Some(utc("2026-05-04T10:00:00Z")),
                ..medication(every_six.clone())
            },
            vec!["2026-05-04T16:00:00Z"],
        ),
        (
            "a late dose moves the next reminder",
            MedicationPlan {
                last_dose: Some(utc("2026-05-04T10:45:00Z")),
                ..medication(every_six)
            },
            vec!["2026-05-04T16:45:00Z"],
        ),
    ];
    for (what, med, expected) in table {
        let expected: Vec<_> = expected.into_iter().map(utc).collect();
        assert_eq!(
            due(&family(vec![med]), from, to, ReminderKind::Dose),
            expected,
            "{what}"
        );
    }
}

#[test]
fn a_paused_child_is_not_reminded() {
    let mut f = family(vec![medication(Schedule::FixedTimes {
        times: vec![time("08:00")],
    })]);
    f.appointments.push(AppointmentPlan {
        id: 4,
        child_id: 3,
        starts_at: utc("2026-05-05T14:00:00Z"),
        created_at: utc("2026-01-01T00:00:00Z"),
    });
    f.paused_children.push(3);
    let planned = plan(&f, utc("2026-05-04T00:00:00Z"), utc("2026-05-06T00:00:00Z"));
    assert!(
        planned.iter().all(|p| p.kind == ReminderKind::DailySummary),
        "{planned:?}"
    );
}

#[test]
fn course_end_appointments_and_the_daily_summary() {
    let mut f = family(vec![MedicationPlan {
        ends_on: Some(day("2026-05-05")),
        ..medication(Schedule::AsNeeded)
    }]);
    f.appointments.push(AppointmentPlan {
        id: 4,
        child_id: 3,
        // 10:00 EDT on 6 May.
        starts_at: utc("2026-05-06T14:00:00Z"),
        created_at: utc("2026-01-01T00:00:00Z"),
    });
    f.summary_at = time("20:30");
    let planned = plan(&f, utc("2026-05-05T00:00:00Z"), utc("2026-05-07T00:00:00Z"));
    let got: Vec<_> = planned
        .iter()
        .map(|p| (p.kind, p.subject.as_str(), p.due_at))
        .collect();
    assert_eq!(
        got,
        vec![
            // 20:30 EDT on 4 May is inside the window; on 6 May it is past its end.
            (
                ReminderKind::DailySummary,
                "family:1",
                utc("2026-05-05T00:30:00Z")
            ),
            (
                ReminderKind::CourseEnd,
                "medication:7",
                utc("2026-05-05T13:00:00Z")
            ),
            (
                ReminderKind::AppointmentDayBefore,
                "appointment:4",
                utc("2026-05-05T22:00:00Z")
            ),
            (
                ReminderKind::DailySummary,
                "family:1",
                utc("2026-05-06T00:30:00Z")
            ),
            (
                ReminderKind::AppointmentHourBefore,
                "appointment:4",
                utc("2026-05-06T13:00:00Z")
            ),
        ]
    );
}

#[test]
fn an_appointment_made_an_hour_ahead_gets_no_evening_before() {
    let mut f = family(Vec::new());
    f.appointments.push(AppointmentPlan {
        id: 4,
        child_id: 3,
        starts_at: utc("2026-05-06T14:00:00Z"),
        created_at: utc("2026-05-06T12:30:00Z"),
    });
    let kinds: Vec<_> = plan(&f, utc("2026-05-05T00:00:00Z"), utc("2026-05-07T00:00:00Z"))
        .into_iter()
        .filter(|p| p.kind != ReminderKind::DailySummary)
        .map(|p| p.kind)
        .collect();
    assert_eq!(kinds, vec![ReminderKind::AppointmentHourBefore]);
}

#[test]
fn kinds_read_back_and_quiet_hours_cross_midnight() {
    for kind in ReminderKind::ALL {
        assert_eq!(ReminderKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(ReminderKind::parse("vaccine_due"), None);
    assert!(!ReminderKind::ShiftStart.needs_answer());
    assert!(!ReminderKind::CertificationExpiry.needs_answer());
    let table = [
        ("23:00", "22:00", "07:00", true),
        ("06:59", "22:00", "07:00", true),
        ("07:00", "22:00", "07:00", false),
        ("12:00", "22:00", "07:00", false),
        ("13:30", "13:00", "15:00", true),
        ("15:00", "13:00", "15:00", false),
    ];
    for (at, starts, ends, quiet) in table {
        assert_eq!(
            is_quiet(time(at), time(starts), time(ends)),
            quiet,
            "{at} in {starts}-{ends}"
        );
    }
    assert_eq!(subject_id("medication:12"), Some(12));
}

fn shift(id: i64, days: ShiftDays, starts: &str, ends: &str) -> ShiftPlan {
    ShiftPlan {
        id,
        member_id: 9,
        shift: ScheduledShift {
            days,
            starts: time(starts),
            ends: time(ends),
        },
        created_at: utc("2026-01-01T00:00:00Z"),
    }
}

fn certification(expires_on: &str, recorded_at: &str) -> CertificationPlan {
    CertificationPlan {
        id: 5,
        member_id: 9,
        expires_on: day(expires_on),
        recorded_at: utc(recorded_at),
    }
}

/// (subject, instant) of every reminder of `kind` due in the window.
fn subjects(
    family: &FamilyPlan,
    from: &str,
    to: &str,
    kind: ReminderKind,
) -> Vec<(String, DateTime<Utc>)> {
    plan(family, utc(from), utc(to))
        .into_iter()
        .filter(|p| p.kind == kind)
        .inspect(|p| assert_eq!(p.child_id, None, "{p:?}: about no child"))
        .map(|p| (p.subject, p.due_at))
        .collect()
}

#[test]
fn a_nanny_is_reminded_half_an_hour_before_each_scheduled_shift() {
    let mut f = family(Vec::new());
    // Monday to Friday 8 to 5 (five weekly rows, as "Mon-Fri 8-17" is stored), a one-off Saturday
    // morning and a one-off Saturday night to Sunday morning; the week of Monday 4 May 2026 (EDT,
    // UTC-4).
    for (id, weekday) in [
        (1, Weekday::Mon),
        (2, Weekday::Tue),
        (3, Weekday::Wed),
        (4, Weekday::Thu),
        (5, Weekday::Fri),
    ] {
        f.shifts
            .push(shift(id, ShiftDays::Weekly(weekday), "08:00", "17:00"));
    }
    f.shifts
        .push(shift(6, ShiftDays::On(day("2026-05-09")), "10:00", "14:00"));
    f.shifts
        .push(shift(7, ShiftDays::On(day("2026-05-09")), "22:00", "06:00"));
    let got = subjects(
        &f,
        "2026-05-03T00:00:00Z",
        "2026-05-11T00:00:00Z",
        ReminderKind::ShiftStart,
    );
    let expected: Vec<(String, DateTime<Utc>)> = [
        (1, "2026-05-04T11:30:00Z"),
        (2, "2026-05-05T11:30:00Z"),
        (3, "2026-05-06T11:30:00Z"),
        (4, "2026-05-07T11:30:00Z"),
        (5, "2026-05-08T11:30:00Z"),
        // Saturday 09:30 for 10:00.
        (6, "2026-05-09T13:30:00Z"),
        // Saturday 21:30 for the night shift (it ends on Sunday: still Saturday's shift).
        (7, "2026-05-10T01:30:00Z"),
    ]
    .into_iter()
    .map(|(id, at)| (format!("shift_schedule:{id}"), utc(at)))
    .collect();
    assert_eq!(got, expected);

    // Scheduled at 07:45 on Monday for 08:00: no reminder that day (it was never due), the next
    // Monday's as usual.
    let late = ShiftPlan {
        created_at: utc("2026-05-04T11:45:00Z"),
        ..shift(1, ShiftDays::Weekly(Weekday::Mon), "08:00", "17:00")
    };
    let f = FamilyPlan {
        shifts: vec![late],
        ..family(Vec::new())
    };
    assert_eq!(
        due(
            &f,
            "2026-05-04T00:00:00Z",
            "2026-05-12T00:00:00Z",
            ReminderKind::ShiftStart
        ),
        vec![utc("2026-05-11T11:30:00Z")]
    );
}

#[test]
fn a_shift_on_a_daylight_saving_night_is_reminded_once_before_it_really_starts() {
    // (the shift's day and local start, when the reminder is due: 30 minutes of real time before
    // the start, whatever the clocks did in between)
    let table = [
        // Spring forward (Sunday 8 March 2026): 02:30 does not exist, the shift starts at 03:00
        // EDT (07:00Z), reminded at 01:30 EST.
        ("2026-03-08", "02:30", "2026-03-08T06:30:00Z"),
        // 03:15 EDT is 07:15Z: reminded at 06:45Z, which the clocks showed as 01:45 EST.
        ("2026-03-08", "03:15", "2026-03-08T06:45:00Z"),
        ("2026-03-08", "08:00", "2026-03-08T11:30:00Z"),
        // Fall back (Sunday 1 November 2026): 01:30 happens twice; the shift starts at the first.
        ("2026-11-01", "01:30", "2026-11-01T05:00:00Z"),
        // 02:15 EST (07:15Z): reminded at 06:45Z, the second 01:45.
        ("2026-11-01", "02:15", "2026-11-01T06:45:00Z"),
    ];
    for (d, starts, expected) in table {
        let f = FamilyPlan {
            shifts: vec![shift(1, ShiftDays::On(day(d)), starts, "12:00")],
            ..family(Vec::new())
        };
        // Planned round by round (every minute through the night), it is due once.
        let from = local_instant(NEW_YORK, day(d), time("00:00"));
        let mut seen = Vec::new();
        let mut at = from;
        while at < from + Duration::hours(12) {
            let next = at + Duration::minutes(1);
            seen.extend(due(
                &f,
                &at.to_rfc3339(),
                &next.to_rfc3339(),
                ReminderKind::ShiftStart,
            ));
            at = next;
        }
        assert_eq!(seen, vec![utc(expected)], "{d} {starts}");
    }
}

#[test]
fn a_certification_is_reminded_once_thirty_days_ahead_or_when_it_is_recorded() {
    // (what, expires on, recorded at, when the reminder is due: 09:00 New York time)
    let table = [
        (
            "30 days ahead, at 09:00 EDT",
            "2026-06-03",
            "2026-01-01T00:00:00Z",
            "2026-05-04T13:00:00Z",
        ),
        (
            "30 days ahead across the spring change: 09:00 EST",
            "2026-04-01",
            "2026-01-01T00:00:00Z",
            "2026-03-02T14:00:00Z",
        ),
        (
            "recorded with 14 days left at 11:00: the next 09:00, the next day",
            "2026-06-03",
            "2026-05-20T15:00:00Z",
            "2026-05-21T13:00:00Z",
        ),
        (
            "recorded with 14 days left at 08:00: 09:00 that day",
            "2026-06-03",
            "2026-05-20T12:00:00Z",
            "2026-05-20T13:00:00Z",
        ),
        (
            "recorded already expired: the next 09:00",
            "2026-05-01",
            "2026-05-20T15:00:00Z",
            "2026-05-21T13:00:00Z",
        ),
        (
            "recorded exactly 30 days ahead at 09:00: then",
            "2026-06-03",
            "2026-05-04T13:00:00Z",
            "2026-05-04T13:00:00Z",
        ),
    ];
    for (what, expires_on, recorded, expected) in table {
        let c = certification(expires_on, recorded);
        assert_eq!(certification_due(NEW_YORK, &c), utc(expected), "{what}");
        // Every round (the last 24 hours, every half hour for a week after it was recorded) plans
        // that one instant, so the table keeps one reminder.
        let f = FamilyPlan {
            certifications: vec![c],
            ..family(Vec::new())
        };
        let mut seen = std::collections::BTreeSet::new();
        let start = utc(recorded).max(utc(expected) - Duration::days(2));
        let mut now = start;
        while now < start + Duration::days(7) {
            seen.extend(subjects(
                &f,
                &(now - Duration::hours(24)).to_rfc3339(),
                &now.to_rfc3339(),
                ReminderKind::CertificationExpiry,
            ));
            now += Duration::minutes(30);
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            vec![("certification:5".to_string(), utc(expected))],
            "{what}"
        );
    }

    // Renewed (a new expiry on the same row): a new reminder for the new date.
    let renewed = certification("2027-06-03", "2026-01-01T00:00:00Z");
    assert_eq!(
        certification_due(NEW_YORK, &renewed),
        utc("2027-05-04T13:00:00Z")
    );
}
