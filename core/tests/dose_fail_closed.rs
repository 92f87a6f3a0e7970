//! The dose check fails closed: when it cannot be done, nobody is told a dose is safe.
//!
//! ```text
//! (Children's Tylenol's stored ingredients are damaged)
//! maya> gave Emma 5 ml Tylenol          -> ⚠ I can't check this dose ... so I haven't logged it.
//!                                          Ask a guardian, or check the label and the last doses given ...
//! maya> when can Emma have tylenol?     -> ⚠ I can't check safely right now whether Emma can have ...
//! ana>  gave Emma 5 ml Tylenol          -> ⚠ I can't check ... Reply yes to log it anyway without the
//!                                          check (it will be flagged and the other guardians told), or no.
//! ana>  yes                             -> Logged without the safety check (flagged) ... I've alerted Luis.
//! ```
//!
//! Each input the check reads is damaged in turn, directly in the database (the medication's
//! ingredients, strengths, dose unit, limits and schedule; an earlier dose's amounts and unit; the
//! clock behind the record). For each: `log_dose` answers "cannot check" and writes nothing but a
//! `refused` audit event; `check_dose` never says "allowed now"; the dashboard shows no next time; a
//! caregiver's override is denied (audited) and writes nothing; a guardian's override logs the dose
//! flagged `unchecked` (audited `flagged`) and alerts the other guardian. Both databases.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::{DateTime, Duration, Utc};
use entity::{audit_event, dose_log, notification};
use mednanny_core::auth::Actor;
use mednanny_core::demo::{self, Demo};
use mednanny_core::domain::{Channel, DoseUnit};
use mednanny_core::dose_safety::Uncheckable;
use mednanny_core::engine::Engine;
use mednanny_core::services::care::{Alert, DoseOutcome, DoseRequest, UNCHECKED_FLAG};
use mednanny_core::services::dashboard::MedicationBoard;
use mednanny_core::services::{ServiceError, Services};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use support::{dose_request, turn, Backend, TestApp};

/// How an input is damaged.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// `UPDATE medications SET <this>` on Children's Tylenol.
    Medication(&'static str),
    /// `UPDATE dose_logs SET <this>` on Emma's earlier Tylenol dose.
    EarlierDose(&'static str),
    /// Emma's earlier dose is stored three days in the future.
    DoseInTheFuture,
    /// The clock goes back six hours, behind Emma's earlier dose (given 5 h ago, recorded now).
    ClockWentBack,
}

/// What the check must say.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Reason(Uncheckable),
    /// `Uncheckable::PriorDose` naming the earlier dose.
    ThatDose,
}

fn cases() -> Vec<(&'static str, Damage, Expect)> {
    use Damage::*;
    use Expect::*;
    use Uncheckable::*;
    vec![
        (
            "ingredients not JSON",
            Medication("ingredients = 'not json'"),
            Reason(MedicationIngredients),
        ),
        (
            "no ingredients",
            Medication("ingredients = '[]'"),
            Reason(MedicationIngredients),
        ),
        (
            "a negative strength",
            Medication(concat!(
                "ingredients = '[",
                r#"{"ingredient":"acetaminophen","per_amount":5.0,"per_unit":"ml""#,
                r#","mg":-160.0}]'"#
            )),
            Reason(MedicationIngredients),
        ),
        (
            "a strength that is not a number",
            Medication(concat!(
                "ingredients = '[",
                r#"{"ingredient":"acetaminophen","per_amount":5.0,"per_unit":"ml""#,
                r#","mg":"NaN"}]'"#
            )),
            Reason(MedicationIngredients),
        ),
        (
            "an unknown dose unit",
            Medication("dose_unit = 'furlongs'"),
            Reason(MedicationDose),
        ),
        (
            "a negative daily count",
            Medication("max_doses_per_day = -1"),
            Reason(MedicationLimits),
        ),
        (
            "no interval",
            Medication("min_interval_minutes = 0"),
            Reason(MedicationLimits),
        ),
        (
            "a negative interval",
            Medication("min_interval_minutes = -240"),
            Reason(MedicationLimits),
        ),
        (
            "an unknown schedule",
            Medication("schedule_kind = 'sometimes'"),
            Reason(MedicationSchedule),
        ),
        (
            "an earlier dose's amounts garbage",
            EarlierDose("ingredient_mg = 'garbage'"),
            ThatDose,
        ),
        (
            "an earlier dose with no amounts",
            EarlierDose("ingredient_mg = '{}'"),
            ThatDose,
        ),
        (
            "an earlier dose in furlongs",
            EarlierDose("unit = 'furlongs'"),
            ThatDose,
        ),
        (
            "a dose three days in the future",
            DoseInTheFuture,
            Reason(Clock),
        ),
        ("the clock went back", ClockWentBack, Reason(Clock)),
    ]
}

struct Garcia {
    app: TestApp,
    demo: Demo,
    ana: Actor,
    luis: Actor,
    maya: Actor,
    /// Ana's dose of Tylenol five hours before the test's "now": harmless until damaged.
    earlier: i64,
}

impl Garcia {
    async fn new(backend: Backend) -> Self {
        let app = TestApp::new(backend).await;
        let demo = demo::ensure(&app.services).await.unwrap();
        let ana = Actor::person(demo.ana, Channel::Console);
        let mut request = dose_request(demo.emma, demo.emma_acetaminophen, 5.0, DoseUnit::Ml);
        request.given_at = Some(app.services.now() - Duration::hours(5));
        let DoseOutcome::Logged(earlier) = app.services.log_dose(&ana, request).await.unwrap()
        else {
            panic!("{backend:?}: the earlier dose is logged");
        };
        Self {
            ana,
            luis: Actor::person(demo.luis, Channel::Whatsapp),
            maya: Actor::person(demo.maya, Channel::Slack),
            earlier: earlier.dose.id,
            app,
            demo,
        }
    }

    fn s(&self) -> &Services {
        &self.app.services
    }

    fn tylenol(&self) -> DoseRequest {
        dose_request(
            self.demo.emma,
            self.demo.emma_acetaminophen,
            5.0,
            DoseUnit::Ml,
        )
    }

    fn overriding(&self) -> DoseRequest {
        DoseRequest {
            override_unchecked: true,
            ..self.tylenol()
        }
    }

    async fn damage(&self, damage: Damage) {
        let conn = self.s().db().conn();
        let now = self.s().now();
        match damage {
            Damage::Medication(set) => {
                let sql = format!(
                    "UPDATE medications SET {set} WHERE id = {}",
                    self.demo.emma_acetaminophen
                );
                conn.execute_unprepared(&sql).await.unwrap();
            }
            Damage::EarlierDose(set) => {
                let sql = format!("UPDATE dose_logs SET {set} WHERE id = {}", self.earlier);
                conn.execute_unprepared(&sql).await.unwrap();
            }
            Damage::DoseInTheFuture => {
                // A typed update: the timestamp column is stored differently by each backend.
                let row = dose_log::Entity::find_by_id(self.earlier)
                    .one(conn)
                    .await
                    .unwrap()
                    .unwrap();
                let mut row: dose_log::ActiveModel = row.into();
                row.given_at = Set(now + Duration::days(3));
                row.update(conn).await.unwrap();
            }
            Damage::ClockWentBack => self.app.clock.set(now - Duration::hours(6)),
        }
    }

    fn reason(&self, expect: Expect) -> Uncheckable {
        match expect {
            Expect::Reason(reason) => reason,
            Expect::ThatDose => Uncheckable::PriorDose {
                dose_id: self.earlier,
            },
        }
    }

    async fn doses(&self) -> u64 {
        dose_log::Entity::find()
            .count(self.s().db().conn())
            .await
            .unwrap()
    }

    async fn notifications(&self) -> u64 {
        notification::Entity::find()
            .count(self.s().db().conn())
            .await
            .unwrap()
    }

    async fn last_event(&self) -> audit_event::Model {
        audit_event::Entity::find()
            .order_by_desc(audit_event::Column::Id)
            .one(self.s().db().conn())
            .await
            .unwrap()
            .unwrap()
    }

    /// Emma's dashboard lines for Tylenol and Motrin, as Ana sees them.
    async fn boards(&self) -> (MedicationBoard, MedicationBoard) {
        let board = self
            .s()
            .dashboard(&self.ana, self.demo.family_id)
            .await
            .unwrap();
        let emma = board.children.iter().find(|c| c.name == "Emma").unwrap();
        let find = |name: &str| {
            emma.medications
                .iter()
                .find(|m| m.name == name)
                .cloned()
                .unwrap()
        };
        (find("Children's Tylenol"), find("Children's Motrin"))
    }
}

/// Checks one damaged input through every path the check is on.
async fn refused_everywhere(
    g: &Garcia,
    name: &str,
    damage: Damage,
    expect: Expect,
    now: DateTime<Utc>,
) {
    let s = g.s();
    let backend = g.app.db.backend;
    let case = format!("{backend:?} / {name}");
    let reason = g.reason(expect);
    let child = format!("child:{}", g.demo.emma);
    let doses = g.doses().await;

    // The nanny logs it: refused, nothing written but the refusal's audit event.
    match s.log_dose(&g.maya, g.tylenol()).await.unwrap() {
        DoseOutcome::CannotCheck {
            reason: said,
            medication,
            may_override,
        } => {
            assert_eq!(said, reason, "{case}");
            assert_eq!(medication, "Children's Tylenol", "{case}");
            assert!(!may_override, "{case}: a caregiver may not override");
        }
        other => panic!("{case}: the nanny's dose was not refused: {other:?}"),
    }
    assert_eq!(g.doses().await, doses, "{case}: a dose was written");
    let event = g.last_event().await;
    assert_eq!(
        (
            event.action.as_str(),
            event.outcome.as_str(),
            event.subject.as_str()
        ),
        ("dose.check", "refused", child.as_str()),
        "{case}"
    );

    // "When can Emma have it?": never "now", and no time made up.
    let check = s
        .check_dose(&g.maya, g.demo.emma, g.demo.emma_acetaminophen)
        .await
        .unwrap();
    assert!(!check.allowed_now, "{case}: check_dose said allowed now");
    assert_eq!(check.cannot_check, Some(reason), "{case}");
    assert_eq!(check.next_allowed_at, None, "{case}");
    assert_eq!(check.doses_in_last_day, None, "{case}");
    assert_eq!(g.last_event().await.outcome, "refused", "{case}");

    // The dashboard shows no next time for what it cannot check. An earlier dose or the clock
    // affects every medication of the child; a damaged medication only itself.
    let (tylenol, motrin) = g.boards().await;
    assert_eq!(tylenol.next_allowed_at, None, "{case}");
    assert_eq!(tylenol.last, None, "{case}");
    let only_this_medication = matches!(damage, Damage::Medication(_));
    assert_eq!(
        motrin.next_allowed_at.is_some(),
        only_this_medication,
        "{case}: {motrin:?}"
    );

    // A guardian is refused too, and told she may override.
    match s.log_dose(&g.ana, g.tylenol()).await.unwrap() {
        DoseOutcome::CannotCheck { may_override, .. } => assert!(may_override, "{case}"),
        other => panic!("{case}: the guardian's dose was not refused: {other:?}"),
    }
    assert_eq!(g.doses().await, doses, "{case}");

    // The nanny's override is denied, audited as a denial, and writes nothing.
    let denied = s.log_dose(&g.maya, g.overriding()).await;
    assert!(
        matches!(denied, Err(ServiceError::Denied)),
        "{case}: {denied:?}"
    );
    let event = g.last_event().await;
    assert_eq!(
        (event.action.as_str(), event.outcome.as_str()),
        ("dose.override_check", "denied"),
        "{case}"
    );
    assert_eq!(g.doses().await, doses, "{case}");
    assert_eq!(g.notifications().await, 0, "{case}");

    // Ana's override logs it: flagged `unchecked`, audited `flagged`, Luis alerted.
    let logged = match s.log_dose(&g.ana, g.overriding()).await.unwrap() {
        DoseOutcome::Logged(logged) => logged,
        other => panic!("{case}: the guardian's override was not logged: {other:?}"),
    };
    assert!(
        logged.flagged && logged.unchecked && logged.dose.flagged,
        "{case}"
    );
    assert_eq!(logged.next_allowed_at, None, "{case}: no next time made up");
    assert_eq!(logged.alerted, ["Luis"], "{case}");
    assert_eq!(logged.dose.given_at, now, "{case}");
    assert_eq!(g.doses().await, doses + 1, "{case}");
    let row = dose_log::Entity::find_by_id(logged.dose.id)
        .one(s.db().conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.flag_reason.as_deref(), Some(UNCHECKED_FLAG), "{case}");
    // What it held is recorded when the medication can say; never guessed when it cannot.
    let expected_mg = if matches!(expect, Expect::Reason(Uncheckable::MedicationIngredients)) {
        "{}"
    } else {
        r#"{"acetaminophen":160.0}"#
    };
    assert_eq!(row.ingredient_mg, expected_mg, "{case}");
    let event = g.last_event().await;
    assert_eq!(
        (event.action.as_str(), event.outcome.as_str()),
        ("dose.log", "flagged"),
        "{case}"
    );
    let alerts = s.take_alerts(&g.luis, g.demo.family_id).await.unwrap();
    match alerts.as_slice() {
        [Alert::ExtraDose {
            dose_id, concerns, ..
        }] => {
            assert_eq!(*dose_id, logged.dose.id, "{case}");
            assert_eq!(concerns, &[UNCHECKED_FLAG], "{case}");
        }
        other => panic!("{case}: expected one alert for Luis, got {other:?}"),
    }
    assert!(
        s.take_alerts(&g.ana, g.demo.family_id)
            .await
            .unwrap()
            .is_empty(),
        "{case}: Ana logged it: no alert for her"
    );
}

#[tokio::test]
async fn each_unreadable_input_refuses_the_dose_until_a_guardian_overrides() {
    for backend in support::backends() {
        // Every case runs (each in its own task, on its own database), and the failures are listed
        // together: each damaged input must be caught on its own.
        let mut failed = Vec::new();
        for (name, damage, expect) in cases() {
            let case = tokio::spawn(async move {
                let g = Garcia::new(backend).await;
                // Before the damage the same dose is checkable (and not too soon).
                let check = g
                    .s()
                    .check_dose(&g.maya, g.demo.emma, g.demo.emma_acetaminophen)
                    .await
                    .unwrap();
                assert!(check.allowed_now, "{backend:?} / {name}: {check:?}");
                g.damage(damage).await;
                let now = g.s().now();
                refused_everywhere(&g, name, damage, expect, now).await;
            });
            if case.await.is_err() {
                failed.push(name);
            }
        }
        assert!(failed.is_empty(), "{backend:?}: not refused: {failed:?}");
    }
}

/// With the check working again (the medication was repaired), an override asks for nothing more
/// than a plain dose: it is checked like any other, and a caregiver's is still denied.
#[tokio::test]
async fn an_override_of_a_checkable_dose_is_an_ordinary_dose() {
    for backend in support::backends() {
        let g = Garcia::new(backend).await;
        let s = g.s();
        let DoseOutcome::Logged(logged) = s.log_dose(&g.ana, g.overriding()).await.unwrap() else {
            panic!("{backend:?}: a checkable dose is logged");
        };
        assert!(!logged.flagged && !logged.unchecked, "{backend:?}");
        assert!(logged.next_allowed_at.is_some(), "{backend:?}");
        // A second one straight after is too soon: the override does not waive the rules.
        assert!(matches!(
            s.log_dose(&g.ana, g.overriding()).await.unwrap(),
            DoseOutcome::NeedsConfirmation(_)
        ));
        assert!(matches!(
            s.log_dose(&g.maya, g.overriding()).await,
            Err(ServiceError::Denied)
        ));
        assert_eq!(g.notifications().await, 0, "{backend:?}");
    }
}

/// The whole conversation, through the engine.
#[tokio::test]
async fn the_conversation_says_it_cannot_check_and_only_a_guardian_may_log_it_anyway() {
    for backend in support::backends() {
        let g = Garcia::new(backend).await;
        g.damage(Damage::Medication("ingredients = 'not json'"))
            .await;
        let engine = Engine::with_database_store(g.s().clone());
        let doses = g.doses().await;

        let maya = turn(&engine, "maya", "gave Emma 5 ml Tylenol").await;
        assert!(
            maya.contains("can't check this dose"),
            "{backend:?}: {maya}"
        );
        assert!(maya.contains("Ask a guardian"), "{maya}");
        let maya_yes = turn(&engine, "maya", "yes").await;
        assert!(!maya_yes.contains("Logged"), "{backend:?}: {maya_yes}");
        let when = turn(&engine, "maya", "when can Emma have tylenol?").await;
        assert!(when.contains("can't check safely"), "{backend:?}: {when}");
        assert!(!when.contains("Yes"), "{when}");

        let ana = turn(&engine, "ana", "gave Emma 5 ml Tylenol").await;
        assert!(
            ana.contains("Reply yes to log it anyway"),
            "{backend:?}: {ana}"
        );
        let no = turn(&engine, "ana", "no").await;
        assert!(no.contains("nothing was logged"), "{no}");
        assert_eq!(g.doses().await, doses, "{backend:?}");

        turn(&engine, "ana", "gave Emma 5 ml Tylenol").await;
        let yes = turn(&engine, "ana", "yes").await;
        assert!(
            yes.contains("Logged without the safety check (flagged)"),
            "{backend:?}: {yes}"
        );
        assert!(yes.contains("I've alerted Luis"), "{yes}");
        assert!(!yes.contains("Next dose allowed"), "{yes}");
        assert_eq!(g.doses().await, doses + 1, "{backend:?}");
        let luis = turn(&engine, "luis", "kids").await;
        assert!(
            luis.contains("without the safety check"),
            "{backend:?}: {luis}"
        );
    }
}
