//! What channels ask of the engine besides a turn: a dashboard (Slack's App Home), what a whole
//! form needs to be shown at once (a modal), a dose form's defaults, and alerts to push. Each finds
//! the person and their family the way a turn does, and reads through the authorized services.

use super::store::ConversationStore;
use super::{command, forms, AlertsToPush, Engine};
use crate::auth::Actor;
use crate::domain::{Channel, IdentityKind};
use crate::hours::money_text;
use crate::messages::{render, render_dashboard, DashboardText, Locale, Msg, Reply};
use crate::services::family::Membership;
use crate::services::{ServiceError, Target};

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

/// What a nanny-profile form shows (a Slack modal for guardians): whose profile, and its current
/// values as the fields start. What is submitted is said as one profile message ("profile #12 rate
/// 22.50; overtime 33.75; ..."), so the engine authorizes, validates and audits it as it does a
/// typed one, in one write.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProfileSetup {
    pub member_id: i64,
    pub name: String,
    pub languages: String,
    /// "22.50", or empty when not set.
    pub rate: String,
    pub overtime: String,
    pub emergency: String,
    pub today: chrono::NaiveDate,
    pub day_first: bool,
}

/// A field of the nanny-profile form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileField {
    Languages,
    Rate,
    Overtime,
    Emergency,
    /// A certification's name ("CPR"), added or renewed.
    Certification,
    /// Its expiry date.
    CertificationExpires,
}

impl ProfileSetup {
    /// The form's answers as one profile message, or each field that does not read with why. An
    /// empty field is left as it is; a certification needs its name and its expiry date.
    pub fn said(
        &self,
        answers: &[(ProfileField, String)],
    ) -> Result<String, Vec<(ProfileField, forms::FieldError)>> {
        let answer = |field: ProfileField| {
            answers
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, text)| text.trim().replace(';', ","))
                .unwrap_or_default()
        };
        let mut parts = Vec::new();
        let mut problems = Vec::new();
        let languages = answer(ProfileField::Languages);
        if !languages.is_empty() {
            parts.push(format!("languages {languages}"));
        }
        for (field, word) in [
            (ProfileField::Rate, "rate"),
            (ProfileField::Overtime, "overtime"),
        ] {
            let text = answer(field);
            if text.is_empty() {
                continue;
            }
            match command::money(&text) {
                Some(cents) => parts.push(format!("{word} {}", money_text(cents))),
                None => problems.push((field, forms::FieldError::BadRate)),
            }
        }
        let emergency = answer(ProfileField::Emergency);
        if !emergency.is_empty() {
            parts.push(format!("emergency {emergency}"));
        }
        let certification = answer(ProfileField::Certification);
        let expires = answer(ProfileField::CertificationExpires);
        match (certification.is_empty(), expires.is_empty()) {
            (true, true) => {}
            (false, true) => problems.push((
                ProfileField::CertificationExpires,
                forms::FieldError::Missing,
            )),
            (true, false) => {
                problems.push((ProfileField::Certification, forms::FieldError::Missing))
            }
            (false, false) => {
                match forms::words::parse_date(&expires, self.today, self.day_first) {
                    Some(day) => parts.push(format!(
                        "cert {certification} until {}",
                        day.format("%Y-%m-%d")
                    )),
                    None => problems.push((
                        ProfileField::CertificationExpires,
                        forms::FieldError::BadDate,
                    )),
                }
            }
        }
        if problems.is_empty() && parts.is_empty() {
            problems.push((ProfileField::Rate, forms::FieldError::Missing));
        }
        if problems.is_empty() {
            Ok(format!("profile #{} {}", self.member_id, parts.join("; ")))
        } else {
            Err(problems)
        }
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

    /// Who speaks from this identity, and their membership in the family their conversation is
    /// in (or their first family), as a form needs them. `Err(msg)`: what to say instead (a
    /// stranger is welcomed; someone in no family yet is told how to start one).
    async fn speaker(
        &self,
        identity: IdentityKind,
        external_id: &str,
    ) -> Result<Result<(i64, Membership), Msg>, ServiceError> {
        let services = &self.services;
        let Some(person_id) = services.resolve_identity(identity, external_id).await? else {
            return Ok(Err(Msg::Welcome));
        };
        let memberships = services.memberships(person_id).await?;
        let key = format!("{}:{external_id}", identity.as_str());
        let chosen = match self.store.load(&key).await {
            Ok(loaded) => loaded.session.family_id,
            Err(_) => None,
        };
        Ok(chosen
            .and_then(|id| memberships.iter().find(|m| m.family_id == id))
            .or_else(|| memberships.first())
            .map(|m| (person_id, m.clone()))
            .ok_or(Msg::NoFamily))
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
        let (person_id, membership) = match self.speaker(identity, external_id).await? {
            Ok(found) => found,
            Err(msg) => return refuse(msg),
        };
        let allowed = matches!(
            (kind, membership.role),
            (_, crate::domain::Role::Guardian)
                | (forms::FormKind::Medication, crate::domain::Role::Caregiver)
        );
        if !allowed {
            let actor = Actor::person(person_id, Channel::Slack);
            let target = Target::Family(membership.family_id);
            services
                .record_refusal(&actor, kind.permission(), target)
                .await?;
            return refuse(Msg::GuardiansOnly);
        }
        let family = services.family_info(membership.family_id).await?;
        let children = services.child_roster(&membership).await?;
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

    /// What a nanny-profile form needs (a Slack modal), for a guardian of the family their
    /// conversation is in: the member `who` names (a name, or `#12`) and their profile now.
    /// `Err(msg)`: what to say instead (not a guardian, no such member).
    pub async fn profile_setup(
        &self,
        identity: IdentityKind,
        external_id: &str,
        who: &str,
    ) -> Result<Result<ProfileSetup, Reply>, ServiceError> {
        let services = &self.services;
        let refuse = |msg: Msg| Ok(Err(self.notice(&msg)));
        let (person_id, membership) = match self.speaker(identity, external_id).await? {
            Ok(found) => found,
            Err(msg) => return refuse(msg),
        };
        let actor = Actor::person(person_id, Channel::Slack);
        if membership.role != crate::domain::Role::Guardian {
            let target = Target::Family(membership.family_id);
            services
                .record_refusal(&actor, crate::auth::Permission::ManageNannies, target)
                .await?;
            return refuse(Msg::GuardiansOnly);
        }
        let members = services.members(&actor, membership.family_id).await?;
        let member_id = match super::keeping::find_member(&members, who) {
            Ok(found) => found.member_id,
            Err(msg) => return refuse(msg),
        };
        let profile = services
            .nanny_profile(&actor, membership.family_id, Some(member_id))
            .await?;
        let family = services.family_info(membership.family_id).await?;
        let money = |cents: Option<i64>| cents.map(money_text).unwrap_or_default();
        Ok(Ok(ProfileSetup {
            member_id,
            name: profile.name,
            languages: profile.languages.join(", "),
            rate: money(profile.hourly_rate_cents),
            overtime: money(profile.overtime_rate_cents),
            emergency: profile.emergency_contact.unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use forms::FieldError;

    #[test]
    fn a_profile_form_is_said_as_one_profile_message() {
        let setup = ProfileSetup {
            member_id: 12,
            name: "Maya".into(),
            languages: String::new(),
            rate: String::new(),
            overtime: String::new(),
            emergency: String::new(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
            day_first: false,
        };
        use ProfileField::*;
        type Case = (
            Vec<(ProfileField, &'static str)>,
            Result<&'static str, Vec<(ProfileField, FieldError)>>,
        );
        let table: Vec<Case> = vec![
            (
                vec![
                    (Languages, "English, Spanish"),
                    (Rate, "$22.5"),
                    (Overtime, "33,75 an hour"),
                ],
                Ok("profile #12 languages English, Spanish; rate 22.50; overtime 33.75"),
            ),
            // A `;` typed in a field cannot split the message into another change.
            (
                vec![(Emergency, "Rosa; rate 1")],
                Ok("profile #12 emergency Rosa, rate 1"),
            ),
            (
                vec![
                    (Certification, "CPR"),
                    (CertificationExpires, "March 1, 2027"),
                ],
                Ok("profile #12 cert CPR until 2027-03-01"),
            ),
            (
                vec![(Rate, "lots"), (Certification, "CPR")],
                Err(vec![
                    (Rate, FieldError::BadRate),
                    (CertificationExpires, FieldError::Missing),
                ]),
            ),
            (
                vec![(CertificationExpires, "someday")],
                Err(vec![(Certification, FieldError::Missing)]),
            ),
            (vec![(Rate, " ")], Err(vec![(Rate, FieldError::Missing)])),
        ];
        for (answers, expected) in table {
            let answers: Vec<(ProfileField, String)> = answers
                .into_iter()
                .map(|(f, t)| (f, t.to_string()))
                .collect();
            assert_eq!(
                setup.said(&answers),
                expected.map(str::to_string),
                "{answers:?}"
            );
        }
    }
}
