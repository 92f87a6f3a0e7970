//! Reminders end to end: the scheduler in-process on a clock the test moves (the real database,
//! services and engine), delivering to the local fake Slack over its real Web API; WhatsApp
//! through the real outbox. Each test is a day in the Garcia family (the demo's): Leo's
//! amoxicillin at 08:00, 14:00 and 20:00 New York time; Maya is the nanny (Monday to Friday, 8 to
//! 5: she is reminded of her shift at 07:30), Ana and Luis the guardians.

use std::sync::Arc;

use bot::reminders::{Channels, Round, Scheduler};
use bot::slack::api::SlackApi;
use chrono::{DateTime, Duration, TimeZone, Utc};
use mednanny_core::auth::Actor;
use mednanny_core::clock::ManualClock;
use mednanny_core::crypto::Keyring;
use mednanny_core::db::Database;
use mednanny_core::demo::{self, Demo};
use mednanny_core::domain::{Channel, IdentityKind};
use mednanny_core::engine::{Engine, Inbound, Turn};
use mednanny_core::outbox::{Content, Outbox, Outgoing};
use mednanny_core::reminders::store::Status;
use mednanny_core::services::Services;
use mednanny_core::settings::{DatabaseSettings, ReminderSettings, Secret};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use test_support::FakeSlack;

const ANA: &str = "UANA";
const LUIS: &str = "ULUIS";
const MAYA: &str = "UMAYA";

fn settings() -> ReminderSettings {
    ReminderSettings {
        enabled: true,
        interval_secs: 30,
        escalate_after_minutes: 30,
        grace_minutes: 120,
        lease_secs: 120,
        batch: 500,
    }
}

/// A New York wall time on Monday 2 March 2026 (EST, UTC-5).
fn ny(hour: u32, minute: u32) -> DateTime<Utc> {
    march(2, hour, minute)
}

/// A New York wall time on a day of March 2026 before the 8th (EST, UTC-5).
fn march(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("a New York time")
        .with_timezone(&Utc)
}

struct Family {
    services: Services,
    engine: Engine,
    clock: ManualClock,
    slack: FakeSlack,
    demo: Demo,
    scheduler: Scheduler,
    db_url: String,
    keys: Keyring,
    _dir: Option<tempfile::TempDir>,
}

async fn connect(url: &str) -> Database {
    let db = Database::connect(&DatabaseSettings {
        url: url.to_string(),
        max_connections: Some(4),
        busy_timeout_ms: 5000,
        sqlite_cache_kib: 512,
        migrate_on_start: true,
    })
    .await
    .expect("connect");
    db.migrate().await.expect("migrate");
    db
}

fn postgres_admin() -> Option<String> {
    std::env::var("MEDNANNY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A test's own PostgreSQL database, dropped when the test ends (passed or failed).
struct OwnDatabase {
    admin: String,
    name: String,
}

impl Drop for OwnDatabase {
    fn drop(&mut self) {
        let (admin, sql) = (
            self.admin.clone(),
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
        // Its own thread and runtime: a test's runtime may be gone or busy by now.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let db = sea_orm::Database::connect(&admin).await.expect("admin");
                db.execute_unprepared(&sql).await.expect("drop database");
                db.close().await.ok();
            });
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            panic!("the test database {} was not dropped", self.name);
        }
    }
}

async fn postgres_url() -> (String, OwnDatabase) {
    let admin = postgres_admin().expect("MEDNANNY_TEST_DATABASE_URL");
    let name = format!("mednanny_reminders_{}", rand::random::<u32>());
    let admin_db = sea_orm::Database::connect(&admin).await.expect("admin");
    admin_db
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    admin_db.close().await.ok();
    let (base, _) = admin.rsplit_once('/').expect("a database in the url");
    (format!("{base}/{name}"), OwnDatabase { admin, name })
}

impl Family {
    /// The Garcia family, set up at 07:00 New York time, each member on Slack.
    async fn garcia() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("r.db").display());
        Self::on(url, Some(dir)).await
    }

    async fn on(db_url: String, dir: Option<tempfile::TempDir>) -> Self {
        let db = connect(&db_url).await;
        let clock = ManualClock::new(ny(7, 0));
        let keys = Keyring::generate();
        let services = Services::new(db, keys.clone(), Arc::new(clock.clone()), 72);
        let demo = demo::ensure(&services).await.expect("the demo family");
        let slack = FakeSlack::start().await;
        for (person, user) in [(demo.ana, ANA), (demo.luis, LUIS), (demo.maya, MAYA)] {
            services
                .link_identity(
                    person,
                    IdentityKind::Slack,
                    &format!("{}:{user}", slack.team_id()),
                    true,
                )
                .await
                .expect("a Slack identity");
        }
        let engine = Engine::with_database_store(services.clone());
        let scheduler = Self::scheduler_for(&services, &slack, settings());
        Self {
            services,
            engine,
            clock,
            slack,
            demo,
            scheduler,
            db_url,
            keys,
            _dir: dir,
        }
    }

    fn scheduler_for(
        services: &Services,
        slack: &FakeSlack,
        settings: ReminderSettings,
    ) -> Scheduler {
        let api = SlackApi::new(&slack.api_url(), &Secret::new("xoxb-test")).expect("Slack API");
        Scheduler::new(
            services.clone(),
            Channels {
                slack: Some((api, slack.team_id().to_string())),
                whatsapp: true,
            },
            settings,
        )
    }

    /// A second bot on the same database: its own connections and caches, the same clock.
    async fn another_bot(&self) -> Scheduler {
        let db = connect(&self.db_url).await;
        let services = Services::new(db, self.keys.clone(), Arc::new(self.clock.clone()), 72);
        Self::scheduler_for(&services, &self.slack, settings())
    }

    async fn at(&self, when: DateTime<Utc>) -> Round {
        self.clock.set(when);
        self.scheduler.round().await.expect("a round")
    }

    /// What `user` was sent in their DM since the test began, as text.
    fn dms(&self, user: &str) -> Vec<String> {
        self.slack
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|call| call.param_str("channel") == Some(format!("D{user}").as_str()))
            .map(|call| call.param_str("text").unwrap_or_default().to_string())
            .collect()
    }

    fn dm_count(&self) -> usize {
        self.slack.calls_to("chat.postMessage").len()
    }

    /// The WhatsApp messages waiting in the outbox, claimed as the bridge claims them, with the
    /// outbox to record their sends in.
    async fn whatsapp_waiting(&self) -> (Outbox, Vec<Outgoing>) {
        let outbox = Outbox::new(
            self.services.db().clone(),
            self.keys.clone(),
            Arc::new(self.clock.clone()),
        );
        let waiting = outbox
            .claim(10, Duration::seconds(60))
            .await
            .expect("the outbox");
        (outbox, waiting)
    }

    /// A WhatsApp message from `number`, as the bridge hands it to the engine.
    async fn whatsapp_says(&self, number: &str, text: &str) -> Turn {
        self.engine
            .handle(&said(
                Channel::Whatsapp,
                IdentityKind::Whatsapp,
                number,
                text,
            ))
            .await
    }

    async fn say(&self, user: &str, text: &str) -> String {
        let turn = self
            .engine
            .handle(&said(
                Channel::Slack,
                IdentityKind::Slack,
                &format!("{}:{user}", self.slack.team_id()),
                text,
            ))
            .await;
        turn.replies
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    async fn maya_on_shift(&self) {
        self.services
            .clock_in(
                &Actor::person(self.demo.maya, Channel::Slack),
                self.demo.family_id,
            )
            .await
            .expect("Maya clocks in");
    }

    async fn statuses(&self) -> Vec<(String, String)> {
        entity::reminder::Entity::find()
            .filter(entity::reminder::Column::Kind.eq("dose"))
            .all(self.services.db().conn())
            .await
            .expect("reminders")
            .into_iter()
            .map(|r| {
                (
                    r.due_at
                        .with_timezone(&chrono_tz::America::New_York)
                        .format("%H:%M")
                        .to_string(),
                    r.status,
                )
            })
            .collect()
    }

    /// Each reminder of `kind`: when it was due (New York, "Mon 07:30") and what became of it.
    async fn statuses_of(&self, kind: &str) -> Vec<(String, String)> {
        entity::reminder::Entity::find()
            .filter(entity::reminder::Column::Kind.eq(kind))
            .order_by_asc(entity::reminder::Column::DueAt)
            .all(self.services.db().conn())
            .await
            .expect("reminders")
            .into_iter()
            .map(|r| {
                (
                    r.due_at
                        .with_timezone(&chrono_tz::America::New_York)
                        .format("%a %H:%M")
                        .to_string(),
                    r.status,
                )
            })
            .collect()
    }

    /// A certification's row goes (there is no command for it: as an operator would).
    async fn remove_certification(&self, name: &str) {
        entity::nanny_certification::Entity::delete_many()
            .filter(entity::nanny_certification::Column::Name.eq(name))
            .exec(self.services.db().conn())
            .await
            .expect("the certification removed");
    }

    /// What `user` was sent in their DM that contains `words`.
    fn dms_with(&self, user: &str, words: &str) -> Vec<String> {
        self.dms(user)
            .into_iter()
            .filter(|text| text.contains(words))
            .collect()
    }

    async fn audited(&self, action: &str) -> u64 {
        entity::audit_event::Entity::find()
            .filter(entity::audit_event::Column::Action.eq(action))
            .filter(entity::audit_event::Column::Outcome.eq("ok"))
            .count(self.services.db().conn())
            .await
            .expect("audit")
    }

    async fn doses(&self) -> u64 {
        entity::dose_log::Entity::find()
            .count(self.services.db().conn())
            .await
            .expect("doses")
    }
}

/// A plain text message from `external_id` on a channel, as its adapter hands it to the engine.
fn said(channel: Channel, identity: IdentityKind, external_id: &str, text: &str) -> Inbound {
    Inbound {
        channel,
        identity,
        external_id: external_id.into(),
        display_name: None,
        text: text.into(),
        delivery_key: None,
        form: None,
        voice: false,
        locale: None,
        photo: None,
        timezone: None,
    }
}

/// What a WhatsApp message says: its text, or a template's fallback text.
fn words_of(content: &Content) -> String {
    match content {
        Content::Text { body } => body.clone(),
        Content::Template { fallback, .. } => fallback.clone(),
    }
}

/// The value of the reminder's *Given* button (`reminder 12 given`) in the last DM to `user`.
fn button_value(slack: &FakeSlack, user: &str, label: &str) -> String {
    let call = slack
        .calls_to("chat.postMessage")
        .into_iter()
        .rev()
        .find(|c| c.param_str("channel") == Some(format!("D{user}").as_str()))
        .expect("a DM to the user");
    let blocks = call.params.get("blocks").cloned().unwrap_or_default();
    let blocks: serde_json::Value = match blocks {
        serde_json::Value::String(s) => serde_json::from_str(&s).expect("blocks"),
        other => other,
    };
    blocks
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["text"]["text"].as_str() == Some(label))
        .and_then(|e| e["value"].as_str().map(str::to_string))
        .expect("the button")
}

#[tokio::test]
async fn a_due_dose_goes_to_the_nanny_on_shift_and_given_logs_it_through_the_dose_check() {
    let family = Family::garcia().await;
    family.maya_on_shift().await;
    // Nothing is due at 07:59.
    assert_eq!(family.at(ny(7, 59)).await.sent, 0);
    let round = family.at(ny(8, 0)).await;
    assert_eq!(round.sent, 1, "{round:?}");
    let to_maya = family.dms(MAYA);
    assert_eq!(to_maya.len(), 1, "{to_maya:?}");
    assert!(
        to_maya[0].contains("Leo") && to_maya[0].contains("Amoxicillin"),
        "{to_maya:?}"
    );
    assert!(
        family.dms(ANA).is_empty(),
        "the guardians are not told while the nanny is on shift"
    );

    // A round a moment later sends nothing again.
    assert_eq!(family.at(ny(8, 1)).await.sent, 0);
    assert_eq!(family.dm_count(), 1);

    let given = button_value(&family.slack, MAYA, "Given");
    let reply = family.say(MAYA, &given).await;
    assert!(
        reply.contains("Leo") && reply.contains("Amoxicillin"),
        "{reply}"
    );
    assert_eq!(family.doses().await, 1);
    assert_eq!(family.audited("reminder.given").await, 1);

    // Answered: nothing is escalated, and the row says given.
    let round = family.at(ny(8, 40)).await;
    assert_eq!(round.escalated, 0, "{round:?}");
    assert_eq!(
        family.statuses().await,
        vec![("08:00".to_string(), "given".to_string())]
    );

    // *Given* again (a second tap on the button): the dose check asks before a second dose.
    let again = family.say(MAYA, &given).await;
    assert_eq!(family.doses().await, 1, "{again}");
}

#[tokio::test]
async fn an_unanswered_dose_goes_to_the_guardians_once_and_skip_records_the_reason() {
    let family = Family::garcia().await;
    family.maya_on_shift().await;
    family.at(ny(8, 0)).await;
    assert_eq!(family.at(ny(8, 29)).await.escalated, 0);
    let round = family.at(ny(8, 31)).await;
    assert_eq!(round.escalated, 1, "{round:?}");
    for guardian in [ANA, LUIS] {
        let dms = family.dms(guardian);
        assert_eq!(dms.len(), 1, "{guardian}: {dms:?}");
        assert!(dms[0].contains("Nobody has confirmed"), "{dms:?}");
    }
    // Once.
    assert_eq!(family.at(ny(9, 30)).await.escalated, 0);
    assert_eq!(family.dms(ANA).len(), 1);

    // Skip without a reason asks for one; with one, it is recorded (sealed) and audited.
    let skip = button_value(&family.slack, ANA, "Skip");
    let asked = family.say(ANA, &skip).await;
    assert!(asked.contains("skip <reason>"), "{asked}");
    let skipped = family.say(ANA, "skip Leo was asleep").await;
    assert!(skipped.contains("Skipped"), "{skipped}");
    assert_eq!(family.audited("reminder.skip").await, 1);
    assert_eq!(family.doses().await, 0);
    assert_eq!(
        family.statuses().await,
        vec![("08:00".to_string(), "skipped".to_string())]
    );
    let row = entity::reminder::Entity::find()
        .filter(entity::reminder::Column::Kind.eq("dose"))
        .one(family.services.db().conn())
        .await
        .expect("a reminder")
        .expect("the reminder");
    let sealed = row.skip_reason.expect("a reason");
    assert!(!sealed.contains("asleep"), "the reason is sealed at rest");
    // Nothing waits for Luis now.
    let nothing = family.say(LUIS, "given").await;
    assert!(nothing.contains("No reminder"), "{nothing}");
}

#[tokio::test]
async fn a_dose_the_nanny_skipped_is_in_her_handoff_report_with_her_reason() {
    let family = Family::garcia().await;
    family.maya_on_shift().await;
    family.at(ny(8, 0)).await;
    let skip = button_value(&family.slack, MAYA, "Skip");
    family.say(MAYA, &skip).await;
    let skipped = family.say(MAYA, "skip Leo was asleep").await;
    assert!(skipped.contains("Skipped"), "{skipped}");
    family.clock.set(ny(12, 0));
    let ended = family
        .services
        .end_shift(
            &Actor::person(family.demo.maya, Channel::Slack),
            family.demo.family_id,
            mednanny_core::services::shifts::ClockOut::default(),
        )
        .await
        .expect("Maya clocks out");
    let text = mednanny_core::messages::render(
        &mednanny_core::messages::Msg::Alert(mednanny_core::services::care::Alert::Handoff(
            ended.report,
        )),
        &mednanny_core::messages::RenderContext::new(
            mednanny_core::messages::Locale::En,
            chrono_tz::America::New_York,
            "US",
            ny(12, 0),
        ),
    )
    .text;
    assert!(
        text.contains("Skipped Leo's Amoxicillin due at 08:00") && text.contains("Leo was asleep"),
        "{text}"
    );
    assert!(!text.contains("Nothing was recorded"), "{text}");
}

#[tokio::test]
async fn without_a_nanny_on_shift_the_guardians_are_reminded_and_a_dose_given_early_closes_it() {
    let family = Family::garcia().await;
    family.at(ny(8, 0)).await;
    assert_eq!(family.dms(ANA).len(), 1);
    assert_eq!(family.dms(LUIS).len(), 1);
    // Maya was told only that her shift starts (she is not on it yet).
    assert!(
        family.dms(MAYA).iter().all(|t| !t.contains("Amoxicillin")),
        "{:?}",
        family.dms(MAYA)
    );
    // Luis gives the 14:00 dose at 13:30 by typing it: the 14:00 reminder is not sent.
    family.clock.set(ny(13, 30));
    // (The 08:00 one is answered the same way, late.)
    let reply = family.say(LUIS, "gave Leo 5 ml Amoxicillin").await;
    assert!(reply.contains("Amoxicillin"), "{reply}");
    let round = family.at(ny(14, 0)).await;
    assert_eq!(round.sent, 0, "{round:?}");
    assert_eq!(family.dms(ANA).len(), 1);
    let statuses = family.statuses().await;
    assert!(
        statuses.contains(&("14:00".to_string(), "given".to_string())),
        "{statuses:?}"
    );
}

/// Leo's cetirizine every 6 hours from the last dose: the next reminder moves with each dose
/// given, early or late, and the one it replaced is never sent.
#[tokio::test]
async fn every_six_hours_counts_from_the_last_dose_given_early_or_late() {
    use mednanny_core::domain::{DoseAmount, DoseUnit, IngredientStrength, Schedule};
    use mednanny_core::services::care::NewMedication;
    let family = Family::garcia().await;
    family
        .services
        .add_medication(
            &Actor::person(family.demo.ana, Channel::Slack),
            NewMedication {
                child_id: family.demo.leo,
                name: "Cetirizine".into(),
                form: "oral solution".into(),
                route: "oral".into(),
                ingredients: vec![IngredientStrength {
                    ingredient: "cetirizine".into(),
                    mg: 1.0,
                    per_amount: 1.0,
                    per_unit: DoseUnit::Ml,
                    max_mg_per_day: None,
                }],
                dose: DoseAmount {
                    value: 2.5,
                    unit: DoseUnit::Ml,
                },
                schedule: Schedule::EveryHours { hours: 6 },
                min_interval: Duration::hours(4),
                max_doses_per_day: Some(4),
                starts_on: None,
                ends_on: None,
            },
        )
        .await
        .expect("a medication every 6 hours");
    let cetirizine = |family: &Family| {
        family
            .dms(ANA)
            .into_iter()
            // Dose reminders, not the daily summary (which lists the day's doses too).
            .filter(|text| text.contains("Cetirizine") && !text.starts_with("Today"))
            .count()
    };
    // No dose yet: nothing is invented.
    family.at(ny(9, 0)).await;
    assert_eq!(cetirizine(&family), 0);
    // Given at 09:00 (late for nothing: the first), so the next is due at 15:00.
    let reply = family.say(ANA, "gave Leo 2.5 ml Cetirizine").await;
    assert!(reply.contains("Cetirizine"), "{reply}");
    family.at(ny(9, 1)).await;
    // Given early, at 13:30 (four and a half hours on): the 15:00 reminder is never sent, and the
    // next is due at 19:30.
    family.clock.set(ny(13, 30));
    let reply = family.say(ANA, "gave Leo 2.5 ml Cetirizine").await;
    assert!(reply.contains("Cetirizine"), "{reply}");
    family.at(ny(13, 31)).await;
    family.at(ny(15, 0)).await;
    family.at(ny(19, 0)).await;
    assert_eq!(cetirizine(&family), 0, "nothing before 19:30");
    family.at(ny(19, 30)).await;
    assert_eq!(cetirizine(&family), 1, "reminded at 19:30");
    // Given late, at 20:45: the next is due at 02:45, not 01:30.
    family.clock.set(ny(20, 45));
    let reply = family.say(ANA, "gave Leo 2.5 ml Cetirizine").await;
    assert!(reply.contains("Cetirizine"), "{reply}");
    family.at(ny(20, 46)).await;
    family.at(ny(20, 46) + Duration::minutes(4 * 60 + 45)).await;
    assert_eq!(cetirizine(&family), 1, "nothing at 01:30");
    family.at(ny(20, 46) + Duration::hours(6)).await;
    assert_eq!(cetirizine(&family), 2, "reminded at 02:45");
}

#[tokio::test]
async fn after_a_restart_reminders_within_grace_are_sent_and_older_ones_recorded_missed() {
    let family = Family::garcia().await;
    // The bot was down from before 07:30 until 15:30: 08:00 is 7.5 h late (missed), 14:00 is
    // 1.5 h late (within the 2 h grace: sent); Maya's 07:30 shift start is missed too.
    let round = family.at(ny(15, 30)).await;
    assert_eq!((round.sent, round.planned), (1, 3), "{round:?}");
    assert_eq!(
        family.statuses_of("shift_start").await,
        vec![("Mon 07:30".to_string(), "missed".to_string())]
    );
    assert_eq!(
        family.statuses().await,
        vec![
            ("08:00".to_string(), "missed".to_string()),
            ("14:00".to_string(), "sent".to_string())
        ]
    );
    assert_eq!(family.dms(ANA).len(), 1);
    // Missed doses show in the guardians' daily summary at 20:00.
    family.at(ny(20, 0)).await;
    let summary = family
        .dms(ANA)
        .into_iter()
        .find(|t| t.starts_with("Today"))
        .expect("the daily summary");
    assert!(summary.contains("not given: Amoxicillin"), "{summary}");
    assert!(
        family.dms(MAYA).iter().all(|t| !t.starts_with("Today")),
        "guardians only"
    );
}

#[tokio::test]
async fn the_daily_summary_at_the_time_the_family_picked_lists_the_day() {
    let family = Family::garcia().await;
    let set = family.say(ANA, "daily summary at 19:30").await;
    assert!(set.contains("19:30"), "{set}");
    family.clock.set(ny(8, 5));
    family.say(ANA, "gave Leo 5 ml Amoxicillin").await;
    family.say(ANA, "Leo temp 38.4").await;
    family.say(ANA, "note Leo napped two hours").await;
    family.at(ny(19, 29)).await;
    assert!(family.dms(ANA).iter().all(|t| !t.starts_with("Today")));
    family.at(ny(19, 30)).await;
    let summary = family
        .dms(ANA)
        .into_iter()
        .find(|t| t.starts_with("Today"))
        .expect("the daily summary");
    for expected in ["Leo", "Amoxicillin", "38.4", "napped two hours", "Emma"] {
        assert!(summary.contains(expected), "{expected} in {summary}");
    }
    // A Spanish speaker... is asked the same question in Spanish.
    let pausa = family.say(ANA, "pausar recordatorios de Leo").await;
    assert!(!pausa.is_empty());
}

#[tokio::test]
async fn a_paused_child_gets_no_reminders_until_resumed() {
    let family = Family::garcia().await;
    let paused = family.say(ANA, "pause reminders for Leo").await;
    assert!(paused.contains("paused"), "{paused}");
    // A nanny may not.
    let refused = family.say(MAYA, "resume reminders for Leo").await;
    assert!(!refused.contains("on again"), "{refused}");
    family.at(ny(8, 0)).await;
    assert!(
        family.dms(ANA).is_empty() && family.dms(LUIS).is_empty(),
        "Leo's 08:00 dose is not reminded"
    );
    let resumed = family.say(ANA, "resume reminders for Leo").await;
    assert!(resumed.contains("on again"), "{resumed}");
    assert_eq!(family.at(ny(14, 0)).await.sent, 1);
}

#[tokio::test]
async fn quiet_hours_pass_a_reminder_to_someone_else_or_hold_it_until_they_end() {
    let family = Family::garcia().await;
    let set = family.say(ANA, "quiet hours 07:30-08:30").await;
    assert!(set.contains("07:30"), "{set}");
    family.at(ny(8, 0)).await;
    assert!(family.dms(ANA).is_empty(), "Ana is in her quiet hours");
    assert_eq!(family.dms(LUIS).len(), 1, "Luis is responsible too");
    // Both quiet: held, then sent when the first quiet hours end.
    family.say(LUIS, "quiet hours 13:00-14:15").await;
    family.say(ANA, "quiet hours 13:00-14:30").await;
    // Held: the 14:00 dose, and the escalation of the 08:00 one nobody answered.
    let held = family.at(ny(14, 0)).await;
    assert_eq!((held.sent, held.held), (0, 2), "{held:?}");
    let later = family.at(ny(14, 15)).await;
    assert_eq!((later.sent, later.escalated), (1, 1), "{later:?}");
    assert_eq!(family.dms(LUIS).len(), 3);
    assert!(family.dms(ANA).is_empty());
}

#[tokio::test]
async fn an_escalation_while_every_guardian_is_quiet_waits_for_the_first_to_wake() {
    let family = Family::garcia().await;
    family.say(ANA, "quiet hours 07:45-09:15").await;
    family.say(LUIS, "quiet hours 07:45-09:00").await;
    family.maya_on_shift().await;
    family.at(ny(8, 0)).await;
    assert_eq!(family.dms(MAYA).len(), 1, "the nanny on shift is reminded");
    // Unanswered at 08:30: both guardians are quiet, so nobody is told yet (and nothing is lost).
    let quiet = family.at(ny(8, 31)).await;
    assert_eq!((quiet.escalated, quiet.held), (0, 1), "{quiet:?}");
    assert!(family.dms(LUIS).is_empty() && family.dms(ANA).is_empty());
    // 09:00: Luis's quiet hours are over, and he hears of it; Ana is still asleep.
    let woke = family.at(ny(9, 0)).await;
    assert_eq!(woke.escalated, 1, "{woke:?}");
    assert_eq!(family.dms(LUIS).len(), 1);
    assert!(family.dms(ANA).is_empty());
    // Once: a later round does not tell him again.
    assert_eq!(family.at(ny(9, 30)).await.escalated, 0);
}

#[tokio::test]
async fn a_nanny_on_whatsapp_is_reminded_through_the_outbox_and_answers_given() {
    let family = Family::garcia().await;
    // Maya reaches MedNanny on WhatsApp only.
    entity::identity::Entity::delete_many()
        .filter(entity::identity::Column::PersonId.eq(family.demo.maya))
        .filter(entity::identity::Column::Kind.eq("slack"))
        .exec(family.services.db().conn())
        .await
        .expect("no Slack for Maya");
    family
        .services
        .link_identity(
            family.demo.maya,
            IdentityKind::Whatsapp,
            "+15550000003",
            true,
        )
        .await
        .expect("Maya's WhatsApp");
    family.maya_on_shift().await;
    family.at(ny(8, 0)).await;
    let (_, queued) = family.whatsapp_waiting().await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].recipient, "+15550000003");
    if let Content::Template { kind, .. } = &queued[0].content {
        assert_eq!(*kind, mednanny_core::outbox::TemplateKind::Reminder);
    }
    let words = words_of(&queued[0].content);
    assert!(words.contains("Reply GIVEN or SKIP <reason>"), "{words}");
    let turn = family.whatsapp_says("+15550000003", "GIVEN").await;
    assert!(!turn.replies.is_empty());
    assert_eq!(family.doses().await, 1);
}

#[tokio::test]
async fn a_0230_dose_is_sent_once_on_the_spring_forward_and_fall_back_nights() {
    for (night, expected_local) in [("2026-03-08", "03:00"), ("2026-11-01", "02:30")] {
        let family = Family::garcia().await;
        let day: chrono::NaiveDate = night.parse().expect("a day");
        let night_med = family
            .services
            .add_medication(
                &Actor::operator(),
                mednanny_core::services::care::NewMedication {
                    child_id: family.demo.emma,
                    name: "Night drops".into(),
                    form: "drops".into(),
                    route: "oral".into(),
                    ingredients: vec![mednanny_core::domain::IngredientStrength {
                        ingredient: "vitamin d".into(),
                        mg: 0.01,
                        per_amount: 1.0,
                        per_unit: mednanny_core::domain::DoseUnit::Ml,
                        max_mg_per_day: None,
                    }],
                    dose: mednanny_core::domain::DoseAmount {
                        value: 1.0,
                        unit: mednanny_core::domain::DoseUnit::Ml,
                    },
                    schedule: mednanny_core::services::care::Schedule::FixedTimes {
                        times: vec![chrono::NaiveTime::from_hms_opt(2, 30, 0).expect("02:30")],
                    },
                    min_interval: Duration::hours(20),
                    max_doses_per_day: Some(1),
                    starts_on: None,
                    ends_on: None,
                },
            )
            .await
            .expect("the night drops");
        // Rounds every 10 minutes from 00:00 to 05:00 local, through the change.
        let start = chrono_tz::America::New_York
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .expect("midnight")
            .with_timezone(&Utc);
        let mut sent_at = Vec::new();
        for step in 0..=30 {
            let at = start + Duration::minutes(10 * step);
            if family.at(at).await.sent > 0 {
                sent_at.push(at);
            }
        }
        let rows: Vec<_> = entity::reminder::Entity::find()
            .filter(entity::reminder::Column::Subject.eq(format!("medication:{night_med}")))
            .all(family.services.db().conn())
            .await
            .expect("reminders")
            .into_iter()
            .filter(|r| r.due_at >= start)
            .collect();
        assert_eq!(rows.len(), 1, "{night}: {rows:?}");
        let local = rows[0]
            .due_at
            .with_timezone(&chrono_tz::America::New_York)
            .format("%H:%M")
            .to_string();
        assert_eq!(local, expected_local, "{night}");
        assert_eq!(sent_at.len(), 1, "{night}: one round sent it");
        assert_eq!(rows[0].status, Status::Sent.as_str());
    }
}

#[tokio::test]
async fn two_bots_on_postgres_send_one_reminder_once() {
    if postgres_admin().is_none() {
        eprintln!("skipped: MEDNANNY_TEST_DATABASE_URL is not set (PostgreSQL only: SKIP LOCKED)");
        return;
    }
    let (url, _database) = postgres_url().await;
    let family = Family::on(url, None).await;
    family.maya_on_shift().await;
    let other = family.another_bot().await;
    family.clock.set(ny(8, 0));
    for _ in 0..5 {
        let (a, b) = tokio::join!(family.scheduler.round(), other.round());
        let (a, b) = (a.expect("bot a"), b.expect("bot b"));
        assert!(a.sent + b.sent <= 1, "{a:?} {b:?}");
        family.clock.advance(Duration::seconds(1));
    }
    assert_eq!(family.dms(MAYA).len(), 1);
    assert_eq!(family.dm_count(), 1);
}

#[tokio::test]
async fn a_nanny_who_forgot_to_clock_out_is_asked_once_an_hour_past_her_shift() {
    let family = Family::garcia().await;
    // Maya works Monday to Friday, 8 to 5 (the demo's schedule); she clocks in at 08:00 Monday.
    family.clock.set(ny(8, 0));
    family.maya_on_shift().await;
    let asked = |family: &Family| {
        family
            .dms(MAYA)
            .into_iter()
            .filter(|text| text.contains("Are you still working?"))
            .count()
    };
    // At the scheduled end and within the hour after it, nobody asks.
    assert_eq!(family.at(ny(17, 0)).await.asked, 0);
    assert_eq!(family.at(ny(17, 59)).await.asked, 0);
    assert_eq!(asked(&family), 0);
    let round = family.at(ny(18, 0)).await;
    assert_eq!(round.asked, 1, "{round:?}");
    assert_eq!(asked(&family), 1);
    assert!(
        family.dms(ANA).iter().all(|t| !t.contains("still working")),
        "the question is the nanny's"
    );
    // Asked once: later rounds (or another bot) do not ask again.
    assert_eq!(family.at(ny(18, 30)).await.asked, 0);
    assert_eq!(
        family
            .another_bot()
            .await
            .round()
            .await
            .expect("a round")
            .asked,
        0
    );
    assert_eq!(asked(&family), 1);
    // Her answer ends the shift when she left.
    let reply = family.say(MAYA, "left at 17:30").await;
    assert!(reply.contains("17:30"), "{reply}");
    assert!(
        family
            .services
            .members_on_shift(family.demo.family_id)
            .await
            .expect("shifts")
            .is_empty(),
        "{reply}"
    );
}

#[tokio::test]
async fn a_nanny_is_told_her_shift_starts_half_an_hour_ahead_and_the_guardians_are_not() {
    let family = Family::garcia().await;
    let shift = "Your shift starts";
    // Maya works Monday to Friday, 8 to 5 (the demo's schedule), and is not on shift yet.
    assert_eq!(family.at(ny(7, 29)).await.sent, 0);
    let round = family.at(ny(7, 30)).await;
    assert_eq!(round.sent, 1, "{round:?}");
    let told = family.dms_with(MAYA, shift);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("Your shift starts at 08:00 (until 17:00). Say \"clock in\""),
        "{told:?}"
    );
    assert!(
        family.dms(ANA).is_empty() && family.dms(LUIS).is_empty(),
        "the guardians are not told"
    );
    // Once.
    assert_eq!(family.at(ny(7, 45)).await.sent, 0);
    assert_eq!(family.dms_with(MAYA, shift).len(), 1);

    // Tuesday she is in early, at 07:20: nothing to remind her of. She leaves at 17:00.
    family.clock.set(march(3, 7, 20));
    family.maya_on_shift().await;
    family.at(march(3, 7, 30)).await;
    assert_eq!(family.dms_with(MAYA, shift).len(), 1);
    family.clock.set(march(3, 17, 0));
    family.say(MAYA, "done for today").await;

    // Wednesday she is in her quiet hours until 07:45: it waits for them to end.
    family.say(MAYA, "quiet hours 06:00-07:45").await;
    let held = family.at(march(4, 7, 30)).await;
    assert_eq!((held.sent, held.held), (0, 1), "{held:?}");
    assert_eq!(family.at(march(4, 7, 45)).await.sent, 1);
    assert_eq!(family.dms_with(MAYA, shift).len(), 2);

    // Thursday's waits too, and Ana clears Maya's schedule meanwhile: it is not sent.
    family.at(march(5, 7, 30)).await;
    family.clock.set(march(5, 7, 35));
    let cleared = family.say(ANA, "schedule Maya clear").await;
    assert!(cleared.contains("no scheduled shifts"), "{cleared}");
    family.at(march(5, 7, 45)).await;
    // Friday: no schedule, no reminder.
    family.at(march(6, 7, 45)).await;
    assert_eq!(family.dms_with(MAYA, shift).len(), 2);
    assert!(family.dms(ANA).iter().all(|t| !t.contains(shift)));
    assert_eq!(
        family.statuses_of("shift_start").await,
        vec![
            ("Mon 07:30".to_string(), "sent".to_string()),
            ("Tue 07:30".to_string(), "cancelled".to_string()),
            ("Wed 07:30".to_string(), "sent".to_string()),
            ("Thu 07:30".to_string(), "cancelled".to_string()),
        ]
    );
}

#[tokio::test]
async fn a_certification_expiring_in_30_days_reaches_the_guardians_and_the_nanny_once() {
    let family = Family::garcia().await;
    let set = family
        .say(ANA, "profile Maya cert First aid until 2026-04-01")
        .await;
    assert!(set.contains("First aid"), "{set}");
    let expiring = "First aid expires";
    // 30 days ahead is today: due at 09:00.
    family.at(ny(8, 59)).await;
    for user in [ANA, LUIS, MAYA] {
        assert!(family.dms_with(user, expiring).is_empty(), "{user}");
    }
    family.at(ny(9, 0)).await;
    for user in [ANA, LUIS] {
        let told = family.dms_with(user, expiring);
        assert_eq!(told.len(), 1, "{user}: {told:?}");
        assert!(
            told[0].contains("Maya's First aid expires on Wed 1 Apr 2026 (in 30 days)"),
            "{user}: {told:?}"
        );
    }
    // Maya reads about her own certification, and whom to tell once renewed.
    let hers = family.dms_with(MAYA, expiring);
    assert_eq!(hers.len(), 1, "{hers:?}");
    assert!(
        hers[0].contains(
            "Your First aid expires on Wed 1 Apr 2026 (in 30 days): time to book the renewal, \
             then tell a guardian the new date."
        ),
        "{hers:?}"
    );
    // Once: a later round and another bot send nothing more.
    family.at(ny(9, 30)).await;
    family.another_bot().await.round().await.expect("a round");
    family.at(march(3, 9, 0)).await;
    for user in [ANA, LUIS, MAYA] {
        assert_eq!(family.dms_with(user, expiring).len(), 1, "{user}");
    }
    assert_eq!(
        family.statuses_of("certification_expiry").await,
        vec![("Mon 09:00".to_string(), "sent".to_string())]
    );
}

/// A certification added two months ago with a far expiry, corrected today to one 18 days away:
/// less notice than 30 days is left, so it is reminded at the next 09:00, once (it used to count
/// from when the certification was first added, and was never sent).
#[tokio::test]
async fn a_certification_corrected_to_a_near_date_long_after_it_was_added_is_reminded() {
    let family = Family::garcia().await;
    family.clock.set(ny(8, 0) - Duration::days(60));
    family
        .say(ANA, "profile Maya cert First aid until 2026-12-01")
        .await;
    family.clock.set(ny(8, 0));
    let corrected = family
        .say(ANA, "profile Maya cert First aid until 2026-03-20")
        .await;
    assert!(corrected.contains("valid until 20 Mar 2026"), "{corrected}");
    // Said again as it is: nothing is renewed, nothing planned anew.
    family
        .say(ANA, "profile Maya cert First aid until 2026-03-20")
        .await;
    family.at(ny(9, 0)).await;
    for user in [ANA, LUIS, MAYA] {
        let told = family.dms_with(user, "First aid expires on Fri 20 Mar 2026");
        assert_eq!(told.len(), 1, "{user}: {told:?}");
    }
    family.at(march(3, 9, 0)).await;
    assert_eq!(
        family.statuses_of("certification_expiry").await,
        vec![("Mon 09:00".to_string(), "sent".to_string())]
    );
}

#[tokio::test]
async fn a_removed_certification_is_not_reminded() {
    let family = Family::garcia().await;
    family
        .say(ANA, "profile Maya cert First aid until 2026-04-01")
        .await;
    // Removed before it was due: never planned.
    family.clock.set(ny(8, 0));
    family.remove_certification("First aid").await;
    family.at(ny(9, 0)).await;
    assert!(family.statuses_of("certification_expiry").await.is_empty());

    // Recorded again at 09:05 (due the next 09:00); everyone is in quiet hours then, so it waits,
    // and it is removed meanwhile: cancelled, nobody told.
    family.clock.set(ny(9, 5));
    family
        .say(ANA, "profile Maya cert First aid until 2026-04-01")
        .await;
    for user in [ANA, LUIS, MAYA] {
        family.say(user, "quiet hours 08:30-09:30").await;
    }
    family.at(march(3, 9, 0)).await;
    family.remove_certification("First aid").await;
    family.at(march(3, 9, 30)).await;
    for user in [ANA, LUIS, MAYA] {
        assert!(family.dms_with(user, "First aid").is_empty(), "{user}");
    }
    assert_eq!(
        family.statuses_of("certification_expiry").await,
        vec![("Tue 09:00".to_string(), "cancelled".to_string())]
    );
}

/// Two families' doses due in the same round (one on Slack, one on WhatsApp) are claimed in one
/// batch: each reaches only its own family, is recorded as sent to its own members, and each
/// family's answer closes its own reminder.
#[tokio::test]
async fn two_families_due_in_one_round_each_hear_of_their_own_child_only() {
    let family = Family::garcia().await;
    let services = &family.services;
    let op = Actor::operator();
    // The Okafors, in New York too: Ngozi is on WhatsApp only; Ada takes her iron at 08:00.
    let okafor = services
        .create_family(&op, "Okafor", "America/New_York", "US")
        .await
        .expect("a second family");
    let ngozi = services.create_person("Ngozi", "en").await.expect("Ngozi");
    services
        .link_identity(ngozi, IdentityKind::Whatsapp, "+15550000009", true)
        .await
        .expect("her WhatsApp");
    let ngozi_member = services
        .add_member(&op, okafor, ngozi, mednanny_core::domain::Role::Guardian)
        .await
        .expect("a guardian");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
    let ada = services
        .add_child(
            &op,
            okafor,
            "Ada",
            chrono::NaiveDate::from_ymd_opt(2022, 1, 9).expect("a date"),
        )
        .await
        .expect("Ada");
    services
        .add_medication(
            &op,
            mednanny_core::services::care::NewMedication {
                child_id: ada,
                name: "Iron drops".into(),
                form: "drops".into(),
                route: "oral".into(),
                ingredients: vec![mednanny_core::domain::parse_strength(
                    "ferrous sulfate",
                    "15 mg/1 ml",
                )
                .expect("a strength")],
                dose: mednanny_core::domain::DoseAmount {
                    value: 1.0,
                    unit: mednanny_core::domain::DoseUnit::Ml,
                },
                schedule: mednanny_core::domain::Schedule::FixedTimes {
                    times: vec![chrono::NaiveTime::from_hms_opt(8, 0, 0).expect("08:00")],
                },
                min_interval: Duration::hours(20),
                max_doses_per_day: Some(1),
                starts_on: Some(today),
                ends_on: None,
            },
        )
        .await
        .expect("Ada's iron");
    family.maya_on_shift().await;

    let round = family.at(ny(8, 0)).await;
    assert_eq!(round.sent, 2, "{round:?}");
    // Leo's dose went to Maya on Slack, and nothing of Ada's reached the Garcias.
    let maya = family.dms(MAYA);
    assert_eq!(maya.len(), 1, "{maya:?}");
    assert!(maya[0].contains("Leo"), "{}", maya[0]);
    assert!(family.dms(ANA).is_empty() && family.dms(LUIS).is_empty());
    // Ada's went to Ngozi's WhatsApp through the outbox, and says nothing of Leo.
    let (outbox, queued) = family.whatsapp_waiting().await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0].recipient, "+15550000009");
    let words = words_of(&queued[0].content);
    assert!(words.contains("Ada") && !words.contains("Leo"), "{words}");
    outbox.sent(queued[0].id, "SM1").await.expect("sent");
    // Each is recorded as sent to its own family's member.
    let sent: Vec<(i64, Option<String>)> = entity::reminder::Entity::find()
        .filter(entity::reminder::Column::Status.eq(Status::Sent.as_str()))
        .order_by_asc(entity::reminder::Column::FamilyId)
        .all(services.db().conn())
        .await
        .expect("reminders")
        .into_iter()
        .map(|r| (r.family_id, r.sent_to))
        .collect();
    let maya_member = entity::member::Entity::find()
        .filter(entity::member::Column::PersonId.eq(family.demo.maya))
        .one(services.db().conn())
        .await
        .expect("members")
        .expect("Maya's membership")
        .id;
    assert_eq!(
        sent,
        vec![
            (family.demo.family_id, Some(maya_member.to_string())),
            (okafor, Some(ngozi_member.to_string())),
        ]
    );
    // Ngozi answers on WhatsApp: Ada's dose is logged, and Leo's reminder still waits for Maya.
    let turn = family.whatsapp_says("+15550000009", "GIVEN").await;
    assert!(!turn.replies.is_empty());
    let given: Vec<i64> = entity::dose_log::Entity::find()
        .all(services.db().conn())
        .await
        .expect("doses")
        .into_iter()
        .map(|d| d.child_id)
        .collect();
    assert_eq!(given, vec![ada], "Ngozi's GIVEN logs Ada's dose");
    // Half an hour on: Ada's reminder is closed by her dose; Leo's, unanswered, goes to his
    // guardians, and to nobody else.
    let round = family.at(ny(8, 30)).await;
    assert_eq!((round.closed, round.escalated), (1, 1), "{round:?}");
    for user in [ANA, LUIS] {
        let told = family.dms(user);
        assert_eq!(told.len(), 1, "{user}: {told:?}");
        assert!(told[0].contains("Leo"), "{user}: {told:?}");
    }
    assert_eq!(
        outbox
            .claim(10, Duration::seconds(60))
            .await
            .expect("the outbox")
            .len(),
        0,
        "nothing more for Ngozi"
    );
    let statuses: Vec<(i64, String)> = entity::reminder::Entity::find()
        .filter(entity::reminder::Column::Kind.eq("dose"))
        .order_by_asc(entity::reminder::Column::FamilyId)
        .all(services.db().conn())
        .await
        .expect("reminders")
        .into_iter()
        .map(|r| (r.family_id, r.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (family.demo.family_id, "sent".to_string()),
            (okafor, "given".to_string()),
        ]
    );
}
