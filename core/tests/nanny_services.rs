//! The nanny's working day at the service level, on both databases, with a clock the test moves:
//! hours and the payroll CSV against hand-computed totals (overtime past 40 h in the family's week,
//! a night over midnight, a shift over the month's end), the handoff report the guardians get when
//! a shift ends, a forgotten clock-out (flagged once, never extended), the profile (the emergency
//! contact sealed; guardians and the nanny herself only), and what the reminder scheduler plans from.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc, Weekday};
use entity::{nanny_profile, notification, shift};
use mednanny_core::auth::Actor;
use mednanny_core::demo::{self, Demo};
use mednanny_core::domain::{Channel, DoseUnit, IdentityKind, Temperature};
use mednanny_core::hours::YearMonth;
use mednanny_core::messages::Msg;
use mednanny_core::reminders::planner::{self, ReminderKind};
use mednanny_core::services::care::Alert;
use mednanny_core::services::nanny::{Certification, NannyProfile, ProfileChange};
use mednanny_core::services::shifts::ClockOut;
use mednanny_core::services::{Problem, ServiceError, Services};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use support::{backends, dose_request, TestApp};

const NY: chrono_tz::Tz = chrono_tz::America::New_York;

/// A New York wall-clock time ("2026-11-02 08:00") as an instant.
fn ny(text: &str) -> DateTime<Utc> {
    NY.from_local_datetime(
        &chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time"),
    )
    .earliest()
    .expect("exists")
    .with_timezone(&Utc)
}

struct Garcia {
    demo: Demo,
    ana: Actor,
    luis: Actor,
    maya: Actor,
    maya_member: i64,
}

async fn garcia(app: &TestApp) -> Garcia {
    let demo = demo::ensure(&app.services).await.unwrap();
    let maya_member = app.services.memberships(demo.maya).await.unwrap()[0].member_id;
    Garcia {
        ana: Actor::person(demo.ana, Channel::Console),
        luis: Actor::person(demo.luis, Channel::Slack),
        maya: Actor::person(demo.maya, Channel::Whatsapp),
        maya_member,
        demo,
    }
}

/// Maya works from `start` to `end` (New York times), clocking in and out as she would.
async fn work(app: &TestApp, g: &Garcia, start: &str, end: &str) {
    app.clock.set(ny(start));
    app.services
        .clock_in(&g.maya, g.demo.family_id)
        .await
        .unwrap();
    app.clock.set(ny(end));
    app.services
        .clock_out(&g.maya, g.demo.family_id)
        .await
        .unwrap();
}

async fn alerts(services: &Services, actor: &Actor, family_id: i64) -> Vec<Alert> {
    services.take_alerts(actor, family_id).await.unwrap()
}

#[tokio::test]
async fn hours_and_the_payroll_csv_match_hand_computed_totals() {
    for backend in backends() {
        let app = TestApp::at(backend, ny("2026-11-01 09:00")).await;
        let g = garcia(&app).await;
        let family = g.demo.family_id;
        // Monday 2 to Friday 6 November, 8 to 5: 45 hours.
        for day in 2..=6 {
            work(
                &app,
                &g,
                &format!("2026-11-{day:02} 08:00"),
                &format!("2026-11-{day:02} 17:00"),
            )
            .await;
        }
        // Saturday night 22:00 to Sunday 02:00: 4 more hours, over midnight.
        work(&app, &g, "2026-11-07 22:00", "2026-11-08 02:00").await;
        // Monday 30 November 22:00 to Tuesday 06:00: 2 hours in November, 6 in December.
        work(&app, &g, "2026-11-30 22:00", "2026-12-01 06:00").await;
        app.clock.set(ny("2026-12-02 09:00"));
        let november = YearMonth::parse("2026-11").unwrap();

        // By hand, weeks from Monday (the default): 2–8 Nov has 49 h, 9 over 40; 30 Nov has 2 h.
        // Pay at the demo's 22.50 an hour and 33.75 overtime: 40 × 22.50 + 9 × 33.75 = 1203.75;
        // 2 × 22.50 = 45.00; the month 42 × 22.50 + 9 × 33.75 = 1248.75.
        let payroll = app
            .services
            .payroll_month(&g.ana, family, november)
            .await
            .unwrap();
        let csv = payroll.csv();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(
            rows[0],
            "nanny,row,from,to,hours,regular_hours,overtime_hours,hourly_rate,overtime_rate,pay,note"
        );
        for expected in [
            "Maya,shift,2026-11-02 08:00,2026-11-02 17:00,9.00,9.00,0.00,22.50,33.75,202.50,",
            // Friday's 9 hours take the week from 36 to 45: the last 5 are overtime.
            "Maya,shift,2026-11-06 08:00,2026-11-06 17:00,9.00,4.00,5.00,22.50,33.75,258.75,",
            "Maya,shift,2026-11-07 22:00,2026-11-08 02:00,4.00,0.00,4.00,22.50,33.75,135.00,",
            "Maya,shift,2026-11-30 22:00,2026-12-01 06:00,2.00,2.00,0.00,22.50,33.75,45.00,",
            "Maya,week,2026-11-02,2026-11-08,49.00,40.00,9.00,22.50,33.75,1203.75,overtime",
            "Maya,week,2026-11-30,2026-11-30,2.00,2.00,0.00,22.50,33.75,45.00,",
            "Maya,month,2026-11-01,2026-11-30,51.00,42.00,9.00,22.50,33.75,1248.75,",
        ] {
            assert!(
                rows.contains(&expected),
                "{backend:?}: no {expected:?} in\n{csv}"
            );
        }
        assert_eq!(rows.len(), 1 + 7 + 2 + 1, "{backend:?}: {csv}");
        // December has the 6 hours after midnight, and nothing of November.
        let december = app
            .services
            .payroll_month(&g.ana, family, YearMonth::parse("2026-12").unwrap())
            .await
            .unwrap();
        assert_eq!(december.hours[0].month.worked, Duration::hours(6));

        // A family whose week starts on Sunday: 1–7 Nov has 47 h (7 overtime); Sunday the 8th's
        // 2 hours open the next week.
        assert!(matches!(
            app.services
                .set_week_start(&g.maya, family, Weekday::Sun)
                .await,
            Err(ServiceError::Denied)
        ));
        app.services
            .set_week_start(&g.ana, family, Weekday::Sun)
            .await
            .unwrap();
        let sunday_weeks = app
            .services
            .payroll_month(&g.luis, family, november)
            .await
            .unwrap();
        let maya = &sunday_weeks.hours[0];
        assert_eq!(maya.month.worked, Duration::hours(51));
        assert_eq!(maya.month.overtime, Duration::hours(7));
        let weeks: Vec<(NaiveDate, Duration)> = maya
            .weeks
            .iter()
            .map(|w| (w.starts_on, w.in_month.worked))
            .collect();
        assert_eq!(
            weeks,
            vec![
                (
                    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                    Duration::hours(47)
                ),
                (
                    NaiveDate::from_ymd_opt(2026, 11, 8).unwrap(),
                    Duration::hours(2)
                ),
                (
                    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
                    Duration::hours(2)
                ),
            ]
        );

        // Maya sees her own hours; someone from outside the family sees nothing.
        let own = app
            .services
            .payroll_month(&g.maya, family, november)
            .await
            .unwrap();
        assert_eq!(own.hours.len(), 1);
        assert_eq!(own.nannies.len(), 1, "only herself");
        let stranger = app.services.create_person("Sam", "en").await.unwrap();
        app.services
            .link_identity(stranger, IdentityKind::Console, "sam", true)
            .await
            .unwrap();
        assert!(matches!(
            app.services
                .payroll_month(&Actor::person(stranger, Channel::Console), family, november)
                .await,
            Err(ServiceError::Denied)
        ));
        assert_eq!(app.audited("hours.view").await, 4, "{backend:?}");
    }
}

#[tokio::test]
async fn the_guardians_get_a_handoff_report_when_the_shift_ends() {
    for backend in backends() {
        let app = TestApp::at(backend, ny("2026-11-02 08:00")).await;
        let g = garcia(&app).await;
        let family = g.demo.family_id;
        // Something from before the shift is not in its report.
        app.services
            .add_note(&g.maya, g.demo.leo, "a note from last week", None)
            .await
            .unwrap();
        app.clock.set(ny("2026-11-02 08:02"));
        app.services.clock_in(&g.maya, family).await.unwrap();
        app.clock.set(ny("2026-11-02 11:00"));
        app.services
            .log_dose(
                &g.maya,
                dose_request(g.demo.emma, g.demo.emma_acetaminophen, 5.0, DoseUnit::Ml),
            )
            .await
            .unwrap();
        app.services
            .log_temperature(
                &g.maya,
                g.demo.emma,
                Temperature { celsius: 38.4 },
                None,
                None,
            )
            .await
            .unwrap();
        app.services
            .add_note(&g.maya, g.demo.emma, "ate all her lunch", None)
            .await
            .unwrap();
        // A dose Ana gave is hers to know about, not Maya's report.
        app.clock.set(ny("2026-11-02 12:00"));
        app.services
            .log_dose(
                &g.ana,
                dose_request(g.demo.leo, g.demo.leo_amoxicillin, 5.0, DoseUnit::Ml),
            )
            .await
            .unwrap();
        app.clock.set(ny("2026-11-02 17:05"));
        let ended = app
            .services
            .end_shift(
                &g.maya,
                family,
                ClockOut {
                    at: None,
                    words: Some("Emma napped well".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(ended.told, vec!["Ana".to_string(), "Luis".to_string()]);
        assert_eq!(
            ended.shift.clock_out_at.unwrap() - ended.shift.clock_in_at,
            Duration::minutes(543)
        );

        for guardian in [&g.ana, &g.luis] {
            let got = alerts(&app.services, guardian, family).await;
            let reports: Vec<_> = got
                .iter()
                .filter_map(|a| match a {
                    Alert::Handoff(r) => Some(r),
                    _ => None,
                })
                .collect();
            assert_eq!(reports.len(), 1, "{backend:?}: {got:?}");
            let r = reports[0];
            assert_eq!(r.nanny, "Maya");
            assert_eq!(r.words.as_deref(), Some("Emma napped well"));
            assert_eq!(r.doses.len(), 1, "only Maya's dose: {r:?}");
            assert_eq!(r.doses[0].child, "Emma");
            assert_eq!(r.doses[0].medication, "Children's Tylenol");
            assert_eq!(r.temperatures.len(), 1);
            assert_eq!(r.temperatures[0].celsius, 38.4);
            assert_eq!(
                r.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
                vec!["ate all her lunch"]
            );
            assert!(!r.flagged);
        }
        // The nanny gets no copy; the report and her words are sealed at rest.
        assert!(alerts(&app.services, &g.maya, family)
            .await
            .iter()
            .all(|a| !matches!(a, Alert::Handoff(_))));
        let conn = app.services.db().conn();
        let row = shift::Entity::find_by_id(ended.shift.id)
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        let sealed = row.handoff.unwrap();
        assert!(!sealed.contains("napped"), "{sealed}");
        assert_eq!(
            app.keys.open("shifts.handoff", &sealed).unwrap(),
            "Emma napped well"
        );
        for n in notification::Entity::find()
            .filter(notification::Column::Kind.eq("handoff"))
            .all(conn)
            .await
            .unwrap()
        {
            assert!(!n.body.contains("lunch") && !n.body.contains("Tylenol"));
        }
        assert_eq!(app.audited("shift.clock_out").await, 1);

        // Clocking out twice: told, nothing sent.
        assert!(matches!(
            app.services.clock_out(&g.maya, family).await,
            Err(ServiceError::Invalid(Problem::NotOnShift))
        ));
        assert!(alerts(&app.services, &g.ana, family).await.is_empty());
    }
}

#[tokio::test]
async fn a_forgotten_clock_out_is_flagged_once_and_never_extended() {
    for backend in backends() {
        // Monday: the demo schedules Maya 8 to 5.
        let app = TestApp::at(backend, ny("2026-11-02 07:55")).await;
        let g = garcia(&app).await;
        let family = g.demo.family_id;
        assert!(app
            .services
            .members_on_shift(family)
            .await
            .unwrap()
            .is_empty());
        let started = app.services.clock_in(&g.maya, family).await.unwrap();
        assert_eq!(started.scheduled_end_at, Some(ny("2026-11-02 17:00")));
        assert_eq!(
            app.services.members_on_shift(family).await.unwrap(),
            vec![g.maya_member]
        );

        // Not before the scheduled end plus an hour.
        assert!(app
            .services
            .forgotten_clock_outs(ny("2026-11-02 17:59"))
            .await
            .unwrap()
            .is_empty());
        let found = app
            .services
            .forgotten_clock_outs(ny("2026-11-02 18:00"))
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{backend:?}");
        assert_eq!(found[0].member_id, g.maya_member);
        assert_eq!(found[0].shift_id, started.id);
        assert_eq!(
            found[0].question,
            Msg::StillOnShift {
                since: started.clock_in_at,
                scheduled_end: ny("2026-11-02 17:00"),
            }
        );
        // Once: asked again a minute later, or by another instance, nothing.
        assert!(app
            .services
            .forgotten_clock_outs(ny("2026-11-02 18:01"))
            .await
            .unwrap()
            .is_empty());
        assert!(app
            .another_process()
            .await
            .forgotten_clock_outs(ny("2026-11-02 23:00"))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(app.audited("shift.flag_forgotten").await, 1);
        // Flagged, not extended, not closed.
        let row = shift::Entity::find_by_id(started.id)
            .one(app.services.db().conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.clock_out_at, None);
        assert_eq!(row.forgot_flagged_at, Some(ny("2026-11-02 18:00")));
        // An open shift counts no hours.
        app.clock.set(ny("2026-11-03 07:00"));
        let november = YearMonth::parse("2026-11").unwrap();
        let payroll = app
            .services
            .payroll_month(&g.ana, family, november)
            .await
            .unwrap();
        assert!(payroll.hours.is_empty());
        assert_eq!(payroll.open_shifts, 1);

        // The next morning Maya says when she left: not before she came, not in the future.
        for (at, problem) in [
            (ny("2026-11-02 07:00"), Problem::ClockOutBeforeClockIn),
            (ny("2026-11-03 09:00"), Problem::FutureTime),
        ] {
            let refused = app
                .services
                .end_shift(
                    &g.maya,
                    family,
                    ClockOut {
                        at: Some(at),
                        words: None,
                    },
                )
                .await;
            assert!(
                matches!(&refused, Err(ServiceError::Invalid(p)) if *p == problem),
                "{refused:?}"
            );
        }
        let ended = app
            .services
            .end_shift(
                &g.maya,
                family,
                ClockOut {
                    at: Some(ny("2026-11-02 17:30")),
                    words: None,
                },
            )
            .await
            .unwrap();
        assert!(ended.report.flagged);
        let csv = app
            .services
            .payroll_month(&g.ana, family, november)
            .await
            .unwrap()
            .csv();
        assert!(
            csv.contains("Maya,shift,2026-11-02 07:55,2026-11-02 17:30,9.58,9.58,0.00,22.50,33.75,215.63,clock-out forgotten"),
            "{csv}"
        );

        // A shift started outside the schedule has no scheduled end: never asked about.
        app.clock.set(ny("2026-11-07 10:00"));
        let saturday = app.services.clock_in(&g.maya, family).await.unwrap();
        assert_eq!(saturday.scheduled_end_at, None);
        assert!(app
            .services
            .forgotten_clock_outs(ny("2026-11-09 10:00"))
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn a_profile_is_for_the_guardians_and_the_nanny_herself() {
    for backend in backends() {
        let app = TestApp::at(backend, ny("2026-11-02 09:00")).await;
        let g = garcia(&app).await;
        let family = g.demo.family_id;
        let change = ProfileChange {
            hourly_rate_cents: Some(2400),
            emergency_contact: Some("Rosa Diaz +1 212 555 0199".into()),
            certification: Some(Certification {
                name: "CPR and first aid".into(),
                expires_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            }),
            ..ProfileChange::default()
        };
        // Maya may not change her own rate.
        assert!(matches!(
            app.services
                .set_nanny_profile(&g.maya, family, g.maya_member, change.clone())
                .await,
            Err(ServiceError::Denied)
        ));
        let profile = app
            .services
            .set_nanny_profile(&g.ana, family, g.maya_member, change)
            .await
            .unwrap();
        assert_eq!(profile.hourly_rate_cents, Some(2400));
        assert_eq!(profile.overtime_rate_cents, Some(3375), "unchanged");
        assert_eq!(profile.languages, vec!["English", "Spanish"]);
        // The certificate was renewed (same name), not added twice.
        assert_eq!(profile.certifications.len(), 1);
        assert_eq!(profile.schedule.len(), 5);
        // Sealed at rest.
        let row = nanny_profile::Entity::find()
            .filter(nanny_profile::Column::MemberId.eq(g.maya_member))
            .one(app.services.db().conn())
            .await
            .unwrap()
            .unwrap();
        let sealed = row.emergency_contact.unwrap();
        assert!(!sealed.contains("Rosa"), "{sealed}");

        // Maya reads her own; Luis reads hers; Maya can't read Ana's (nor would a stranger).
        let own = app
            .services
            .nanny_profile(&g.maya, family, None)
            .await
            .unwrap();
        assert_eq!(
            own.emergency_contact.as_deref(),
            Some("Rosa Diaz +1 212 555 0199")
        );
        // The same profile; only a guardian's copy says it may be changed (Slack then offers
        // its form).
        assert!(!own.editable);
        assert_eq!(
            app.services
                .nanny_profile(&g.luis, family, Some(g.maya_member))
                .await
                .unwrap(),
            NannyProfile {
                editable: true,
                ..own.clone()
            }
        );
        let ana_member = app.services.memberships(g.demo.ana).await.unwrap()[0].member_id;
        assert!(matches!(
            app.services
                .nanny_profile(&g.maya, family, Some(ana_member))
                .await,
            Err(ServiceError::Denied)
        ));
        // A rate that is not one changes nothing.
        let bad = ProfileChange {
            hourly_rate_cents: Some(0),
            ..ProfileChange::default()
        };
        assert!(matches!(
            app.services
                .set_nanny_profile(&g.ana, family, g.maya_member, bad)
                .await,
            Err(ServiceError::Invalid(Problem::BadRate))
        ));
        assert_eq!(app.audited("nanny.profile.change").await, 2, "demo + Ana");

        // What the scheduler plans from, read in bulk for every family: Maya's five weekly slots
        // and her certificate. Renewed just now with 18 days left, it is reminded at once (09:00,
        // the time it was recorded); her Monday 08:00 start was scheduled after its 07:30
        // reminder, Tuesday's is reminded at 07:30.
        let plans = app.services.reminder_plans().await.unwrap();
        let plan = plans.iter().find(|p| p.family_id == family).unwrap();
        assert_eq!(plan.shifts.len(), 5, "{plan:?}");
        assert!(plan.shifts.iter().all(|s| s.member_id == g.maya_member));
        assert_eq!(
            plan.certifications
                .iter()
                .map(|c| (c.member_id, c.expires_on))
                .collect::<Vec<_>>(),
            vec![(
                g.maya_member,
                NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
            )]
        );
        let due: Vec<(ReminderKind, DateTime<Utc>)> =
            planner::plan(plan, ny("2026-11-01 09:00"), ny("2026-11-03 09:00"))
                .into_iter()
                .filter(|p| {
                    matches!(
                        p.kind,
                        ReminderKind::ShiftStart | ReminderKind::CertificationExpiry
                    )
                })
                .map(|p| (p.kind, p.due_at))
                .collect();
        assert_eq!(
            due,
            vec![
                (ReminderKind::CertificationExpiry, ny("2026-11-02 09:00")),
                (ReminderKind::ShiftStart, ny("2026-11-03 07:30")),
            ]
        );
        // A nanny who left the family is planned nothing.
        app.services
            .revoke_member(&g.ana, g.maya_member)
            .await
            .unwrap();
        let plans = app.services.reminder_plans().await.unwrap();
        let plan = plans.iter().find(|p| p.family_id == family).unwrap();
        assert!(
            plan.shifts.is_empty() && plan.certifications.is_empty(),
            "{plan:?}"
        );
    }
}
