//! What channels ask of the engine besides a turn: a dashboard (Slack's App Home), what a whole
//! form needs to be shown at once (a modal), a dose form's defaults, and alerts to push. Each finds
//! the person and their family the way a turn does, and reads through the authorized services.

use super::store::ConversationStore;
use super::{command, forms, AlertsToPush, Engine};
use crate::auth::Actor;
use crate::domain::{Channel, IdentityKind};
use crate::messages::{render, render_dashboard, DashboardText, Locale, Msg, Reply};
use crate::services::ServiceError;

/// What a whole form needs from the record to be shown and read at once (see
/// [`Engine::form_setup`]); a channel may keep it with the form (a modal's metadata) and read the
/// answers with [`FormSetup::read`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FormSetup {
    pub kind: forms::FormKind,
    pub children: Vec<(i64, String)>,
    pub today: chrono::NaiveDate,
    pub day_first: bool,
}

impl FormSetup {
    /// Reads the form's answers ([`forms::submit`]).
    pub fn read(
        &self,
        answers: &[(forms::Question, String)],
    ) -> Result<forms::Form, Vec<(forms::Question, forms::FieldError)>> {
        let ctx = forms::FormContext {
            today: self.today,
            day_first: self.day_first,
            children: &self.children,
        };
        forms::submit(self.kind, answers, &ctx)
    }
}

/// What a dose form shows: whose medicine, which, and its usual dose (said as the form's default).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DoseSetup {
    pub child: String,
    pub medication: String,
    pub dose: String,
}

impl DoseSetup {
    /// The dose as a message ("gave Emma 5 ml Children's Tylenol at 9:30"), once the amount and the
    /// time read; otherwise why not, for the amount's field or the time's.
    pub fn said(&self, amount: &str, at: &str) -> Result<String, (bool, forms::FieldError)> {
        let amount = amount.trim();
        let dose = forms::words::parse_dose(amount).map_err(|e| (true, e))?;
        let at = at.trim();
        let at = if at.is_empty() || at.eq_ignore_ascii_case("now") {
            String::new()
        } else {
            let time = command::parse_time(at).ok_or((false, forms::FieldError::BadTime))?;
            format!(" at {}", time.format("%H:%M"))
        };
        Ok(format!(
            "gave {} {dose} {}{at}",
            self.child, self.medication
        ))
    }
}

impl<S: ConversationStore> Engine<S> {
    /// The dashboard for whoever speaks from this identity, in the family their conversation is in
    /// (or their only family), in their language. `None` for a stranger or someone in no family: the
    /// channel shows its welcome instead.
    pub async fn dashboard(
        &self,
        identity: IdentityKind,
        external_id: &str,
        channel: Channel,
    ) -> Result<Option<DashboardText>, ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(None);
        };
        let memberships = services.memberships(person_id).await?;
        let key = format!("{}:{external_id}", identity.as_str());
        let chosen = match self.store.load(&key).await {
            Ok(loaded) => loaded.session.family_id,
            Err(error) => {
                tracing::warn!(%error, "conversation state unreadable for the dashboard");
                None
            }
        };
        let family_id = chosen
            .filter(|id| memberships.iter().any(|m| m.family_id == *id))
            .or_else(|| memberships.first().map(|m| m.family_id));
        let Some(family_id) = family_id else {
            return Ok(None);
        };
        let actor = Actor::person(person_id, channel);
        let dashboard = match services.dashboard(&actor, family_id).await {
            Ok(dashboard) => dashboard,
            Err(ServiceError::Denied) => return Ok(None),
            Err(other) => return Err(other),
        };
        let family = services.family_info(family_id).await?;
        let locale = Locale::from_tag(&services.person_locale(person_id).await?);
        let ctx = self.render_context(Some(&family), locale);
        Ok(Some(render_dashboard(&dashboard, &ctx)))
    }

    /// What a channel needs to show a whole form at once (a Slack modal) to whoever speaks from
    /// this identity, in the family their conversation is in: the children they can see, today in
    /// the family's zone, how dates are written there. `Err(msg)`: what to say instead (they are in
    /// no family yet, or the form is a guardian's). The services authorize the save again.
    pub async fn form_setup(
        &self,
        identity: IdentityKind,
        external_id: &str,
        kind: forms::FormKind,
    ) -> Result<Result<FormSetup, Reply>, ServiceError> {
        let services = &self.services;
        let refuse = |msg: Msg| Ok(Err(self.notice(&msg)));
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return refuse(Msg::Welcome);
        };
        let memberships = services.memberships(person_id).await?;
        let key = format!("{}:{external_id}", identity.as_str());
        let chosen = match self.store.load(&key).await {
            Ok(loaded) => loaded.session.family_id,
            Err(_) => None,
        };
        let Some(membership) = chosen
            .and_then(|id| memberships.iter().find(|m| m.family_id == id))
            .or_else(|| memberships.first())
        else {
            return refuse(Msg::NoFamily);
        };
        let allowed = matches!(
            (kind, membership.role),
            (_, crate::domain::Role::Guardian)
                | (forms::FormKind::Medication, crate::domain::Role::Caregiver)
        );
        if !allowed {
            return refuse(Msg::GuardiansOnly);
        }
        let family = services.family_info(membership.family_id).await?;
        let children = services.child_roster(membership).await?;
        let needs_child = forms::fields(kind).contains(&forms::Question::Child);
        if needs_child && children.is_empty() {
            return refuse(Msg::NoChildren);
        }
        Ok(Ok(FormSetup {
            kind,
            children,
            today: services.now().with_timezone(&family.timezone).date_naive(),
            day_first: family.country != "US",
        }))
    }

    /// What a dose form needs (a Slack modal from App Home's *Give*): the child's and the
    /// medicine's names as the person knows them and its usual dose. `None` when the medicine is
    /// not one they can see now (a stale button). The dose itself is then said as a message, so the
    /// normal safety check runs.
    pub async fn dose_setup(
        &self,
        identity: IdentityKind,
        external_id: &str,
        medication_id: i64,
    ) -> Result<Option<DoseSetup>, ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(None);
        };
        let actor = Actor::person(person_id, Channel::Slack);
        for membership in services.memberships(person_id).await? {
            for (child_id, child) in services.child_roster(&membership).await? {
                let meds = match services.medications(&actor, child_id).await {
                    Ok(meds) => meds,
                    Err(ServiceError::Denied) => continue,
                    Err(other) => return Err(other),
                };
                if let Some(med) = meds.into_iter().find(|m| m.id == medication_id) {
                    return Ok(Some(DoseSetup {
                        child,
                        medication: med.name,
                        dose: med.dose.to_string(),
                    }));
                }
            }
        }
        Ok(None)
    }

    /// Alerts waiting for whoever speaks from this identity, in every family they belong to,
    /// rendered and still waiting: a channel that pushes them (Slack, WhatsApp) sends them, then calls
    /// [`Engine::alerts_delivered`]. Unsent alerts stay waiting and show with the next message.
    pub async fn pending_alerts_for(
        &self,
        identity: IdentityKind,
        external_id: &str,
        channel: Channel,
    ) -> Result<Vec<AlertsToPush>, ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(Vec::new());
        };
        let locale = Locale::from_tag(&services.person_locale(person_id).await?);
        let actor = Actor::person(person_id, channel);
        let mut out = Vec::new();
        for membership in services.memberships(person_id).await? {
            let family = services.family_info(membership.family_id).await?;
            let pending = match services.pending_alerts(&actor, family.id).await {
                Ok(pending) => pending,
                Err(ServiceError::Denied) => continue,
                Err(other) => return Err(other),
            };
            if pending.is_empty() {
                continue;
            }
            let ctx = self.render_context(Some(&family), locale);
            out.push(AlertsToPush {
                family_id: family.id,
                ids: pending.iter().map(|p| p.id).collect(),
                replies: pending
                    .into_iter()
                    .map(|p| render(&Msg::Alert(p.alert), &ctx))
                    .collect(),
            });
        }
        Ok(out)
    }

    /// Marks alerts sent by a channel as delivered.
    pub async fn alerts_delivered(
        &self,
        identity: IdentityKind,
        external_id: &str,
        channel: Channel,
        alerts: &AlertsToPush,
    ) -> Result<(), ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(());
        };
        services
            .mark_alerts_delivered(
                &Actor::person(person_id, channel),
                alerts.family_id,
                &alerts.ids,
            )
            .await
    }
}
