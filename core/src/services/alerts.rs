//! Alerts to family members, waiting in the notification outbox (sealed at rest) until their
//! channel hands them over: taken at once (the console), or listed and marked delivered once sent
//! (Slack, WhatsApp).

use chrono::{DateTime, Utc};
use entity::notification;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use super::{Authorized, ServiceResult, Services, Target};
use crate::auth::{Actor, Permission};
use crate::db::WriteTxn;
use crate::domain::DoseAmount;

/// The payload of an alert in the notification outbox (rendered per recipient's language on delivery).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    ExtraDose {
        dose_id: i64,
        child_name: String,
        medication_name: String,
        amount: DoseAmount,
        given_at: DateTime<Utc>,
        given_by: String,
        concerns: Vec<String>,
        past_daily_maximum: bool,
    },
    /// Someone in the family reported an emergency (the red-flag screen fired).
    Emergency(super::emergency::EmergencyAlert),
    /// A caregiver added a medication: no dose until a guardian approves it (to the guardians).
    MedicationToApprove {
        medication_id: i64,
        child_name: String,
        medication: crate::messages::MedicationLine,
        proposed_by: String,
        /// A change to a medication the child already had (its new rules are shown), not a new one.
        #[serde(default)]
        changed: bool,
        /// The version asked about: approving names it, so what is approved is what was shown.
        /// (0 in alerts queued before versions: the medicine's open proposal.)
        #[serde(default)]
        version: i32,
        /// The rules in force now, for a change: shown beside the proposal. (Boxed: every
        /// message is as large as its largest variant.)
        #[serde(default)]
        was: Option<Box<crate::messages::MedicationLine>>,
    },
    /// A guardian approved or denied the medication a caregiver added (to that caregiver).
    MedicationDecided {
        child_name: String,
        medication_name: String,
        approved: bool,
        decided_by: String,
    },
    /// A nanny's shift ended: what happened during it (to the guardians).
    Handoff(super::handoff::HandoffReport),
}

/// An alert not yet delivered, with the id that marks it delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingAlert {
    pub id: i64,
    pub alert: Alert,
}

impl Services {
    /// Takes the alerts waiting for the actor in a family: returns them and marks them delivered in
    /// one audited transaction, so an alert is handed over exactly once and only to its recipient
    /// (the console's way: shown with the recipient's next message).
    pub async fn take_alerts(&self, actor: &Actor, family_id: i64) -> ServiceResult<Vec<Alert>> {
        let Some((txn, auth, member_id, rows)) = self.waiting_alerts(actor, family_id).await?
        else {
            return Ok(Vec::new());
        };
        let alerts = rows
            .iter()
            .map(|row| self.open_alert(row))
            .collect::<ServiceResult<Vec<Alert>>>()?;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        self.mark_delivered(&txn, member_id, &ids).await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "alerts.deliver",
            format!("member:{member_id}"),
        )
        .await?;
        Ok(alerts)
    }

    /// The alerts waiting for the actor in a family, left waiting: a channel that pushes them
    /// (Slack, WhatsApp) marks them delivered with [`Services::mark_alerts_delivered`] only once they
    /// were sent, so an alert is never lost to a failed send or a crash in between.
    pub async fn pending_alerts(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<Vec<PendingAlert>> {
        let Some((txn, auth, member_id, rows)) = self.waiting_alerts(actor, family_id).await?
        else {
            return Ok(Vec::new());
        };
        let pending = rows
            .iter()
            .map(|row| {
                Ok(PendingAlert {
                    id: row.id,
                    alert: self.open_alert(row)?,
                })
            })
            .collect::<ServiceResult<Vec<PendingAlert>>>()?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "alerts.view",
            format!("member:{member_id}"),
        )
        .await?;
        Ok(pending)
    }

    /// Marks the actor's own alerts delivered (ids of other members' alerts change nothing).
    pub async fn mark_alerts_delivered(
        &self,
        actor: &Actor,
        family_id: i64,
        ids: &[i64],
    ) -> ServiceResult<()> {
        let (txn, auth) = self
            .begin(actor, Permission::ViewDoses, Target::Family(family_id))
            .await?;
        let Some(member_id) = auth.member_id else {
            return Ok(());
        };
        self.mark_delivered(&txn, member_id, ids).await?;
        self.commit_audited(
            txn,
            &auth,
            actor,
            "alerts.deliver",
            format!("member:{member_id}"),
        )
        .await
    }

    /// The authorized transaction and the actor's undelivered alerts, or `None` when nothing waits
    /// (then no transaction was opened and nothing is audited).
    async fn waiting_alerts(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> ServiceResult<Option<(WriteTxn, Authorized, i64, Vec<notification::Model>)>> {
        if self.nothing_waiting(actor, family_id).await? {
            return Ok(None);
        }
        let (txn, auth) = self
            .begin(actor, Permission::ViewDoses, Target::Family(family_id))
            .await?;
        let Some(member_id) = auth.member_id else {
            return Ok(None);
        };
        let rows = notification::Entity::find()
            .filter(notification::Column::RecipientMemberId.eq(member_id))
            .filter(notification::Column::DeliveredAt.is_null())
            .order_by_asc(notification::Column::Id)
            .all(&*txn)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some((txn, auth, member_id, rows)))
    }

    /// Marks a member's alerts delivered, inside the caller's transaction.
    async fn mark_delivered(
        &self,
        txn: &WriteTxn,
        member_id: i64,
        ids: &[i64],
    ) -> ServiceResult<()> {
        notification::Entity::update_many()
            .col_expr(
                notification::Column::DeliveredAt,
                sea_orm::sea_query::Expr::value(Some(self.now())),
            )
            .filter(notification::Column::Id.is_in(ids.iter().copied()))
            .filter(notification::Column::RecipientMemberId.eq(member_id))
            .filter(notification::Column::DeliveredAt.is_null())
            .exec(&**txn)
            .await?;
        Ok(())
    }

    /// Whether nothing waits for the actor: one read, before any write transaction (nothing is
    /// disclosed then, so there is nothing to audit either). Nearly always true.
    async fn nothing_waiting(&self, actor: &Actor, family_id: i64) -> ServiceResult<bool> {
        let crate::auth::ActorKind::Person(person_id) = actor.kind else {
            return Ok(false);
        };
        // Every turn asks this, and the answer is almost always "nothing": one constant statement
        // (prepared once) that reads no row's content. `$n` placeholders work on both backends.
        const SQL: &str = "SELECT 1 AS waiting FROM notifications \
            WHERE family_id = $1 AND delivered_at IS NULL AND recipient_member_id IN \
            (SELECT id FROM members WHERE person_id = $2 AND family_id = $1) LIMIT 1";
        let conn = self.db().conn();
        let waiting = conn
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                conn.get_database_backend(),
                SQL,
                [family_id.into(), person_id.into()],
            ))
            .await?;
        Ok(waiting.is_none())
    }

    /// Queues one alert for each recipient (member ids), sealed, in the caller's transaction: the
    /// alert exists exactly when the change that caused it does.
    pub(super) async fn queue_alert(
        &self,
        txn: &WriteTxn,
        family_id: i64,
        recipients: impl IntoIterator<Item = i64>,
        kind: &str,
        alert: &Alert,
    ) -> ServiceResult<()> {
        let body = self
            .keys()
            .seal("notifications.body", &serde_json::to_string(alert)?);
        for recipient in recipients {
            notification::ActiveModel {
                family_id: Set(family_id),
                recipient_member_id: Set(recipient),
                kind: Set(kind.to_string()),
                body: Set(body.clone()),
                created_at: Set(self.now()),
                ..Default::default()
            }
            .insert(&**txn)
            .await?;
        }
        Ok(())
    }

    /// Withdraws the approval prompts about `medication_id` not yet shown to anyone they were for:
    /// once a guardian decided, or a newer proposal replaced the one they asked about, they would
    /// only ask about something no longer waiting. (Marked delivered, so the record keeps them.)
    pub(super) async fn withdraw_approval_prompts(
        &self,
        txn: &WriteTxn,
        family_id: i64,
        medication_id: i64,
    ) -> ServiceResult<()> {
        let waiting = notification::Entity::find()
            .filter(notification::Column::FamilyId.eq(family_id))
            .filter(notification::Column::Kind.eq("medication_to_approve"))
            .filter(notification::Column::DeliveredAt.is_null())
            .all(&**txn)
            .await?;
        for row in waiting {
            let about_it = matches!(
                self.open_alert(&row)?,
                Alert::MedicationToApprove { medication_id: id, .. } if id == medication_id
            );
            if about_it {
                let mut update: notification::ActiveModel = row.into();
                update.delivered_at = Set(Some(self.now()));
                update.update(&**txn).await?;
            }
        }
        Ok(())
    }

    fn open_alert(&self, row: &notification::Model) -> ServiceResult<Alert> {
        let body = self.keys().open("notifications.body", &row.body)?;
        Ok(serde_json::from_str(&body)?)
    }
}
