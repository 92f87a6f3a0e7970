//! Saving a confirmed form through the services, which validate and authorize it again and audit
//! the write: the form's own checks are for asking well, not the last word.

use chrono::{Duration, TimeZone, Utc};

use super::forms::{
    AllergyDraft, AppointmentDraft, ChildDraft, ConditionDraft, Form, MedicationDraft,
    ProviderDraft, VaccinationDraft,
};
use super::store::ConversationStore;
use super::{Engine, Scene};
use crate::domain::{Approval, DoseUnit};
use crate::messages::Msg;
use crate::services::care::{
    AllergyView, AppointmentView, ConditionView, NewMedication, ProviderView, RecordItem,
    VaccinationView,
};
use crate::services::{Problem, ServiceError, ServiceResult};

impl<S: ConversationStore> Engine<S> {
    pub(super) async fn save_form(&self, form: Form, scene: &Scene) -> ServiceResult<Msg> {
        match form {
            Form::AddChild(draft) => self.save_child(draft, scene).await,
            Form::AddMedication(draft) => self.save_medication(draft, scene).await,
            Form::AddAllergy(draft) => self.save_allergy(draft, scene).await,
            Form::AddCondition(draft) => self.save_condition(draft, scene).await,
            Form::AddVaccination(draft) => self.save_vaccination(draft, scene).await,
            Form::AddAppointment(draft) => self.save_appointment(draft, scene).await,
            Form::AddProvider(draft) => self.save_provider(draft, scene).await,
        }
    }

    async fn save_condition(&self, draft: ConditionDraft, scene: &Scene) -> ServiceResult<Msg> {
        let (Some((child_id, child)), Some(name), Some(guardian_only)) =
            (draft.child, draft.name, draft.guardian_only)
        else {
            return Err(incomplete());
        };
        let view = |id| {
            RecordItem::Condition(ConditionView {
                id,
                child_id,
                name: name.clone(),
                notes: None,
                guardian_only,
            })
        };
        if let Some(id) = draft.editing {
            return self.change_entry(Some(child), view(id), scene).await;
        }
        let id = self
            .services
            .add_condition(&scene.actor, child_id, &name, None, guardian_only)
            .await?;
        Ok(Msg::RecordAdded {
            child: Some(child),
            item: view(id),
        })
    }

    async fn save_vaccination(&self, draft: VaccinationDraft, scene: &Scene) -> ServiceResult<Msg> {
        let (Some((child_id, child)), Some(vaccine), Some(given_on), Some(dose_number)) = (
            draft.child,
            draft.vaccine,
            draft.given_on,
            draft.dose_number,
        ) else {
            return Err(incomplete());
        };
        let view = |id| {
            RecordItem::Vaccination(VaccinationView {
                id,
                child_id,
                vaccine: vaccine.clone(),
                dose_number,
                given_on,
            })
        };
        if let Some(id) = draft.editing {
            return self.change_entry(Some(child), view(id), scene).await;
        }
        let id = self
            .services
            .add_vaccination(&scene.actor, child_id, &vaccine, given_on, dose_number)
            .await?;
        Ok(Msg::RecordAdded {
            child: Some(child),
            item: view(id),
        })
    }

    async fn save_appointment(&self, draft: AppointmentDraft, scene: &Scene) -> ServiceResult<Msg> {
        let (Some((child_id, child)), Some(date), Some(time), Some(with), Some(purpose)) = (
            draft.child,
            draft.date,
            draft.time,
            draft.with,
            draft.purpose,
        ) else {
            return Err(incomplete());
        };
        // The family's wall-clock time; in the hour that does not exist when clocks go forward,
        // the hour after (the clinic's clock has jumped too).
        let local = date.and_time(time);
        let starts_at = scene
            .family
            .timezone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                scene
                    .family
                    .timezone
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map(|at| at.with_timezone(&Utc))
            .ok_or(ServiceError::Invalid(Problem::AppointmentNotAhead))?;
        let view = |id| {
            RecordItem::Appointment(AppointmentView {
                id,
                child_id,
                starts_at,
                with: with.clone(),
                purpose: purpose.clone(),
            })
        };
        if let Some(id) = draft.editing {
            return self.change_entry(Some(child), view(id), scene).await;
        }
        let id = self
            .services
            .add_appointment(
                &scene.actor,
                child_id,
                starts_at,
                with.as_deref(),
                purpose.as_deref(),
            )
            .await?;
        Ok(Msg::RecordAdded {
            child: Some(child),
            item: view(id),
        })
    }

    async fn save_provider(&self, draft: ProviderDraft, scene: &Scene) -> ServiceResult<Msg> {
        let (Some(name), Some(phone)) = (draft.name, draft.phone) else {
            return Err(incomplete());
        };
        if let Some(id) = draft.editing {
            let item = RecordItem::Provider(ProviderView {
                id,
                name,
                specialty: draft.specialty,
                phone,
            });
            return self.change_entry(None, item, scene).await;
        }
        let id = self
            .services
            .add_provider(
                &scene.actor,
                scene.family.id,
                &name,
                draft.specialty.as_deref(),
                phone.as_deref(),
            )
            .await?;
        Ok(Msg::RecordAdded {
            child: None,
            item: RecordItem::Provider(ProviderView {
                id,
                name,
                specialty: draft.specialty,
                phone,
            }),
        })
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
        if let Some(medication_id) = draft.editing {
            let changed = self
                .services
                .change_medication(&scene.actor, medication_id, new)
                .await?;
            return Ok(Msg::MedicationEdited {
                child,
                name,
                pending: changed.approval == Approval::Pending,
            });
        }
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
        if let Some(id) = draft.editing {
            let item = RecordItem::Allergy(AllergyView {
                id,
                child_id,
                allergen,
                severity,
                reaction,
            });
            return self.change_entry(Some(child), item, scene).await;
        }
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

impl<S: ConversationStore> Engine<S> {
    async fn change_entry(
        &self,
        child: Option<String>,
        item: RecordItem,
        scene: &Scene,
    ) -> ServiceResult<Msg> {
        self.services
            .change_record(&scene.actor, scene.family.id, &item)
            .await?;
        Ok(Msg::RecordChanged { child, item })
    }
}

/// A form is saved only once complete (the machine checks): an incomplete one is a bug, reported as
/// "not found" rather than a half-written record.
fn incomplete() -> ServiceError {
    ServiceError::NotFound("form answer")
}
