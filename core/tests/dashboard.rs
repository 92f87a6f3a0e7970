//! The family dashboard (Slack's App Home): what a guardian sees after a busy day.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Duration;
use mednanny_core::auth::Actor;
use mednanny_core::clock::Clock;
use mednanny_core::demo;
use mednanny_core::domain::{Channel, DoseUnit, Temperature};
use mednanny_core::services::dashboard::{RecentEntry, RECENT_LIMIT};
use support::{dose_request, TestApp};

#[tokio::test]
async fn a_busy_day_shows_its_newest_entries_newest_first() {
    for backend in support::backends() {
        let app = TestApp::new(backend).await;
        let demo = demo::ensure(&app.services).await.unwrap();
        let s = &app.services;
        let ana = Actor::person(demo.ana, Channel::Console);

        // More than a day before the dashboard is read: never listed.
        s.add_note(&ana, demo.leo, "the day before", None)
            .await
            .unwrap();
        app.clock.advance(Duration::hours(26));
        s.log_dose(
            &ana,
            dose_request(demo.emma, demo.emma_acetaminophen, 5.0, DoseUnit::Ml),
        )
        .await
        .unwrap();
        // Then twenty notes and twenty temperatures, alternating, five minutes apart.
        for i in 0..20 {
            app.clock.advance(Duration::minutes(5));
            s.add_note(&ana, demo.leo, &format!("note {i}"), None)
                .await
                .unwrap();
            app.clock.advance(Duration::minutes(5));
            let celsius = Temperature::parse(&format!("37.{}", i % 10)).unwrap();
            s.log_temperature(&ana, demo.emma, celsius, None, None)
                .await
                .unwrap();
        }

        let board = s.dashboard(&ana, demo.family_id).await.unwrap();
        let recent = &board.recent;
        assert_eq!(recent.len(), RECENT_LIMIT, "{backend:?}");
        let now = app.clock.now();
        // Newest first, with nothing left out in between: one entry every five minutes back
        // from now, a temperature then a note.
        for (i, entry) in recent.iter().enumerate() {
            assert_eq!(
                entry.at(),
                now - Duration::minutes(5 * i as i64),
                "{backend:?}: entry {i}"
            );
            let expected_temperature = i % 2 == 0;
            assert_eq!(
                matches!(entry, RecentEntry::Temperature { .. }),
                expected_temperature,
                "{backend:?}: entry {i} is {entry:?}"
            );
        }
    }
}
