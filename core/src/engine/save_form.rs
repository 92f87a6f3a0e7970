//! Saving a confirmed form through the services, which validate and authorize it again and audit
//! the write: the form's own checks are for asking well, not the last word.

use chrono::Duration;

use super::forms::{AllergyDraft, ChildDraft, Form, MedicationDraft};
use super::store::ConversationStore;
use super::{Engine, Scene};
use crate::domain::{Approval, DoseUnit};
use crate::messages::Msg;
use crate::services::care::NewMedication;
use crate::services::{ServiceError, ServiceResult};

impl<S: ConversationStore> Engine<S> {
    pub(super) async fn save_form(&self, form: Form, scene: &Scene) -> ServiceResult<Msg> {
        match form {
            Form::AddChild(draft) => self.save_child(draft, scene).await,
            Form::AddMedication(draft) => self.save_medication(draft, scene).await,
            Form::AddAllergy(draft) => self.save_allergy(draft, scene).await,
        }
    }

    async fn save_child(&self, draft: ChildDraft, scene: &Scene) -> ServiceResult<Msg> {
        let (Some(name), Some(birth_date)) = (draft.name, draft.birth_date) else {
            return Err(incomplete());
        };
        self.services
            .add_child(&scene.actor, scene.family.id, &name, birth_date)
            .await?;
        Ok(Msg::ChildAdded { name })
    }

    async fn save_medication(&self, draft: MedicationDraft, scene: &Scene) -> ServiceResult<Msg> {
        let (
            Some((child_id, child)),
            Some(name),
            Some(ingredients),
            Some(dose),
            Some(schedule),
            Some(hours),
            Some(max_doses),
            Some((starts_on, ends_on)),
        ) = (
            draft.child,
            draft.name,
            draft.ingredients,
            draft.dose,
            draft.schedule,
            draft.interval_hours,
            draft.max_doses,
            draft.course,
        )
        else {
            return Err(incomplete());
        };
        let form = match ingredients.first().map(|i| i.per_unit) {
            Some(DoseUnit::Tablet) => "tablet",
            Some(DoseUnit::Drop) => "drops",
            _ => "liquid",
        };
        let new = NewMedication {
            child_id,
            name: name.clone(),
            form: form.into(),
            route: "oral".into(),
            ingredients,
            dose,
            schedule,
            min_interval: Duration::hours(i64::from(hours)),
            max_doses_per_day: max_doses,
            starts_on,
            ends_on,
        };
        let added = self.services.propose_medication(&scene.actor, new).await?;
        Ok(Msg::MedicationAdded {
            child,
            name,
            pending: added.approval == Approval::Pending,
        })
    }

    async fn save_allergy(&self, draft: AllergyDraft, scene: &Scene) -> ServiceResult<Msg> {
        let (Some((child_id, child)), Some(allergen), Some(severity), Some(reaction)) =
            (draft.child, draft.allergen, draft.severity, draft.reaction)
        else {
            return Err(incomplete());
        };
        self.services
            .add_allergy(
                &scene.actor,
                child_id,
                &allergen,
                &severity,
                reaction.as_deref(),
            )
            .await?;
        Ok(Msg::AllergyAdded { child, allergen })
    }
}

/// A form is saved only once complete (the machine checks): an incomplete one is a bug, reported as
/// "not found" rather than a half-written record.
fn incomplete() -> ServiceError {
    ServiceError::NotFound("form answer")
}
