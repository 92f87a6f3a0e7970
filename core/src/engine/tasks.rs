//! Running the machine's tasks through the services: one service call (or a few) per task, and
//! every service error turned into a message here, in one place.

use super::machine::{MedicationRef, PendingDose, Task, TaskResult};
use super::store::ConversationStore;
use super::{Engine, Scene};
use crate::domain::{emergency_numbers, ingredient_display, ingredient_for_name, DoseAmount};
use crate::dose_safety::Concern;
use crate::messages::{ConcernText, DoseLine, MedicationLine, Msg};
use crate::services::care::{DoseOutcome, DoseRequest, DoseView, MedicationView};
use crate::services::phones::LinkOutcome;
use crate::services::{ServiceError, Target};

impl<S: ConversationStore> Engine<S> {
    /// Runs one task; every service error becomes a message here, in one place.
    pub(super) async fn run(&self, task: Task, scene: &Scene) -> TaskResult {
        match self.run_task(task, scene).await {
            Ok(result) => result,
            Err(error) => TaskResult::Answered(vec![msg_for_error(error)]),
        }
    }

    pub(super) fn child_name(scene: &Scene, child_id: i64) -> String {
        scene
            .children
            .iter()
            .find(|(id, _)| *id == child_id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }

    pub(super) fn children_or_all(scene: &Scene, child_id: Option<i64>) -> Vec<(i64, String)> {
        match child_id {
            Some(id) => vec![(id, Self::child_name(scene, id))],
            None => scene.children.clone(),
        }
    }

    async fn run_task(&self, task: Task, scene: &Scene) -> Result<TaskResult, ServiceError> {
        let services = &self.services;
        let actor = &scene.actor;
        let answered = |msgs: Vec<Msg>| Ok(TaskResult::Answered(msgs));
        match task {
            // The runner runs these itself, in or out of a family (`onboarding`); the same here.
            Task::JoinFamily { .. } | Task::CreateFamily { .. } => Ok(self
                .run_onboarding(&task, actor)
                .await
                .unwrap_or_else(|| TaskResult::Answered(vec![Msg::Denied]))),
            Task::ReminderGiven { id } => {
                let due = match services.reminder_to_give(actor, scene.family.id, id).await {
                    Err(ServiceError::NotFound("reminder")) => {
                        return answered(vec![Msg::NoOpenReminder])
                    }
                    other => other?,
                };
                // The dose path itself: the safety check, a question when too early, the audit.
                Box::pin(self.run_task(
                    Task::LogDose {
                        child_id: due.child_id,
                        medication: MedicationRef::Id(due.medication_id),
                        amount: due.amount,
                        at: None,
                    },
                    scene,
                ))
                .await
            }
            Task::ReminderSkip { id, reason } => {
                match services
                    .skip_reminder(actor, scene.family.id, id, &reason)
                    .await
                {
                    Err(ServiceError::NotFound("reminder")) => answered(vec![Msg::NoOpenReminder]),
                    other => answered(vec![other?]),
                }
            }
            Task::PauseReminders { child_id, pause } => {
                services.pause_reminders(actor, child_id, pause).await?;
                answered(vec![Msg::RemindersPaused {
                    child: Self::child_name(scene, child_id),
                    paused: pause,
                }])
            }
            Task::SummaryAt { at } => {
                services
                    .set_summary_time(actor, scene.family.id, at)
                    .await?;
                answered(vec![Msg::SummaryTimeSet { at }])
            }
            Task::Refused {
                permission,
                child_id,
                reply,
            } => {
                let target = match child_id {
                    Some(child_id) => Target::Child(child_id),
                    None => Target::Family(scene.family.id),
                };
                services.record_refusal(actor, permission, target).await?;
                answered(vec![reply])
            }
            Task::SetFamilyPlace { country, timezone } => {
                let place = services
                    .set_family_place(actor, scene.family.id, country.as_ref(), timezone)
                    .await?;
                answered(vec![Msg::FamilyPlaceSet { place }])
            }
            Task::QuietHours { starts, ends } => {
                services
                    .set_quiet_hours(actor, scene.family.id, starts, ends)
                    .await?;
                answered(vec![Msg::QuietHoursSet { starts, ends }])
            }
            Task::ListChildren => {
                let children = services.children(actor, scene.family.id).await?;
                if children.is_empty() {
                    return answered(vec![Msg::NoChildren]);
                }
                let today = scene.now.with_timezone(&scene.family.timezone).date_naive();
                answered(vec![Msg::Children {
                    children: children
                        .into_iter()
                        .map(|c| (c.name, c.birth_date))
                        .collect(),
                    today,
                }])
            }
            Task::ListMedications { child_id } => {
                let mut out = Vec::new();
                for (id, child) in Self::children_or_all(scene, child_id) {
                    let meds = services.medications(actor, id).await?;
                    out.push(if meds.is_empty() {
                        Msg::NoMedications { child }
                    } else {
                        Msg::Medications {
                            child,
                            medications: meds
                                .iter()
                                .map(|m| MedicationLine::of(m, &scene.family.country))
                                .collect(),
                        }
                    });
                }
                answered(out)
            }
            Task::ListAllergies { child_id } => {
                let mut out = Vec::new();
                for (id, child) in Self::children_or_all(scene, child_id) {
                    let allergies = services.allergies(actor, id).await?;
                    out.push(if allergies.is_empty() {
                        Msg::NoAllergies { child }
                    } else {
                        Msg::Allergies {
                            child,
                            allergies: allergies
                                .into_iter()
                                .map(|a| (a.allergen, a.severity, a.reaction))
                                .collect(),
                        }
                    });
                }
                answered(out)
            }
            Task::LogDose {
                child_id,
                medication,
                amount,
                at,
            } => {
                let medication_id = match self
                    .pick_medication(
                        scene,
                        child_id,
                        medication,
                        Some(PendingDose { amount, at }),
                    )
                    .await?
                {
                    Ok(id) => id,
                    Err(result) => return Ok(result),
                };
                let request = DoseRequest {
                    child_id,
                    medication_id,
                    amount,
                    given_at: at,
                    confirmed_extra: false,
                    override_unchecked: false,
                    source_key: None,
                };
                self.log_dose(scene, request).await
            }
            Task::ConfirmExtraDose(request) => self.log_dose(scene, request).await,
            Task::CheckDose {
                child_id,
                medication,
            } => {
                let medication_id = match self
                    .pick_medication(scene, child_id, medication, None)
                    .await?
                {
                    Ok(id) => id,
                    Err(result) => return Ok(result),
                };
                let check = services.check_dose(actor, child_id, medication_id).await?;
                let child = Self::child_name(scene, child_id);
                // Only a check that was done gives an answer with times; anything else says so.
                let msg = match (
                    check.cannot_check,
                    check.next_allowed_at,
                    check.doses_in_last_day,
                ) {
                    (None, Some(next_allowed_at), Some(doses_in_last_day)) => Msg::CanHave {
                        child,
                        medication: check.medication.name.clone(),
                        dose: check.medication.dose,
                        allowed_now: check.allowed_now,
                        next_allowed_at,
                        last: check.last.as_ref().map(dose_line),
                        doses_in_last_day,
                        max_doses_per_day: check.max_doses_per_day,
                    },
                    _ => Msg::CannotCheckDose {
                        child,
                        medication: check.medication.name,
                        logging: false,
                        guardian_may_override: false,
                    },
                };
                answered(vec![msg])
            }
            Task::LastDoses { child_id } => {
                let mut out = Vec::new();
                for (id, child) in Self::children_or_all(scene, child_id) {
                    let doses = services.recent_doses(actor, id, 10).await?;
                    out.push(if doses.is_empty() {
                        Msg::NoDoses { child }
                    } else {
                        Msg::LastDoses {
                            child,
                            doses: doses.iter().map(dose_line).collect(),
                        }
                    });
                }
                answered(out)
            }
            Task::LogTemperature {
                child_id,
                temperature,
                at,
            } => {
                let (_, advice) = services
                    .log_temperature(
                        actor,
                        child_id,
                        temperature,
                        at,
                        scene.delivery_key.as_deref(),
                    )
                    .await?;
                answered(vec![Msg::TemperatureLogged {
                    child: Self::child_name(scene, child_id),
                    celsius: temperature.celsius,
                    fahrenheit_first: scene.family.country.eq_ignore_ascii_case("US"),
                    advice,
                    emergency_number: emergency_numbers(&scene.family.country)
                        .emergency
                        .to_string(),
                }])
            }
            Task::AddNote { child_id, text } => {
                services
                    .add_note(actor, child_id, &text, scene.delivery_key.as_deref())
                    .await?;
                answered(vec![Msg::NoteSaved {
                    child: Self::child_name(scene, child_id),
                }])
            }
            Task::LogGrowth {
                child_id,
                kind,
                value,
            } => {
                services
                    .log_growth(
                        actor,
                        child_id,
                        kind.as_str(),
                        value,
                        scene.delivery_key.as_deref(),
                    )
                    .await?;
                answered(vec![Msg::GrowthLogged {
                    child: Self::child_name(scene, child_id),
                    kind: kind.as_str(),
                    value,
                }])
            }
            Task::SaveForm(form) => answered(vec![self.save_form(form, scene).await?]),
            Task::DecideMedication { approve, which } => {
                answered(self.decide_medication(approve, which, scene).await?)
            }
            Task::ChangeCourse {
                child_id,
                medication,
                change,
            } => {
                self.change_course(child_id, medication, change, scene)
                    .await
            }
            Task::Confirmed(change) => answered(vec![self.confirmed(change, scene).await?]),
            Task::RenameChild { child_id, name } => {
                answered(vec![self.rename_child(child_id, name, scene).await?])
            }
            Task::ReturnToCare { name } => answered(vec![self.return_to_care(name, scene).await?]),
            Task::EditMedication {
                child_id,
                medication,
                change,
            } => {
                self.edit_medication(child_id, medication, change, scene)
                    .await
            }
            Task::ListRecords { kind, child_id } => {
                answered(self.list_records(kind, child_id, scene).await?)
            }
            Task::RemoveRecord {
                kind,
                child_id,
                which,
            } => {
                self.find_record_to_remove(kind, child_id, &which, scene)
                    .await
            }
            Task::ListMembers => answered(vec![self.list_members(scene).await?]),
            Task::Assign {
                member,
                child_ids,
                assign,
            } => answered(vec![self.assign(&member, child_ids, assign, scene).await?]),
            Task::SetRole { member, role } => {
                answered(vec![self.set_role(&member, role, scene).await?])
            }
            Task::Revoke { member } => self.revoke(&member, scene).await,
            Task::Notes { child_id } => {
                let notes = services.notes(actor, child_id, 10).await?;
                let child = Self::child_name(scene, child_id);
                answered(vec![if notes.is_empty() {
                    Msg::NoNotes { child }
                } else {
                    Msg::Notes {
                        child,
                        notes: notes
                            .into_iter()
                            .map(|n| (n.created_at, n.author, n.body))
                            .collect(),
                    }
                }])
            }
            Task::Undo => match services.last_dose_by(actor, scene.family.id).await? {
                None => answered(vec![Msg::NothingToUndo]),
                Some(dose_id) => {
                    let dose = services.void_dose(actor, dose_id).await?;
                    answered(vec![Msg::DoseVoided {
                        dose: dose_line(&dose),
                    }])
                }
            },
            Task::ClockIn => {
                let shift = services.clock_in(actor, scene.family.id).await?;
                answered(vec![Msg::ClockedIn {
                    at: shift.clock_in_at,
                }])
            }
            Task::Invite { role, to: None } => {
                let invite = services.create_invite(actor, scene.family.id, role).await?;
                answered(vec![Msg::InviteCreated {
                    code: invite.code,
                    role: role.as_str().into(),
                    expires_at: invite.expires_at,
                }])
            }
            Task::Invite { role, to: Some(to) } => {
                let sent = services
                    .invite_by_phone(actor, scene.family.id, role, &to.name, &to.phone)
                    .await?;
                answered(vec![Msg::InvitedByPhone {
                    name: sent.name,
                    phone: sent.phone.to_string(),
                    role: role.as_str().into(),
                    code: sent.invite.code,
                    expires_at: sent.invite.expires_at,
                }])
            }
            Task::LinkPhone { phone } => {
                let phone = services
                    .start_phone_link(actor, &phone, &scene.family.country)
                    .await?;
                answered(vec![Msg::LinkCodeSent {
                    phone: phone.to_string(),
                }])
            }
            Task::ConfirmLink { code } => {
                let person = match actor.kind {
                    crate::auth::ActorKind::Person(id) => Some(id),
                    crate::auth::ActorKind::Operator => None,
                };
                match services.confirm_phone_link(None, person, &code).await? {
                    LinkOutcome::Linked { phone, .. } => answered(vec![Msg::PhoneLinked {
                        phone: phone.to_string(),
                    }]),
                    LinkOutcome::NoneWaiting => answered(vec![Msg::NotUnderstood]),
                }
            }
            Task::RaiseEmergency { flag, child_id } => {
                let told = services
                    .raise_emergency(
                        actor,
                        scene.family.id,
                        &flag,
                        child_id,
                        scene.delivery_key.as_deref(),
                    )
                    .await?;
                answered(if told.is_empty() {
                    Vec::new()
                } else {
                    vec![Msg::GuardiansTold { names: told }]
                })
            }
            Task::AssistantConsent { on } => {
                let changed = services
                    .set_assistant_consent(actor, scene.family.id, on)
                    .await?;
                answered(vec![Msg::AssistantConsent { on, changed }])
            }
            Task::SetLanguage { asked } => {
                let tag = match asked.as_str() {
                    "es" | "español" | "espanol" | "spanish" | "castellano" => "es",
                    "en" | "english" | "inglés" | "ingles" => "en",
                    _ => return answered(vec![Msg::LanguageUnknown { asked }]),
                };
                let crate::auth::ActorKind::Person(person_id) = actor.kind else {
                    return Err(ServiceError::Denied);
                };
                services.set_locale(person_id, tag).await?;
                answered(vec![Msg::LanguageSet])
            }
            Task::Export => {
                let export = services.export_json(actor, scene.family.id).await?;
                let document = serde_json::to_string_pretty(&export).map_err(ServiceError::from)?;
                answered(vec![Msg::Export {
                    family: scene.family.name.clone(),
                    document,
                }])
            }
            Task::ClockOut { at, words } => {
                let ended = services
                    .end_shift(
                        actor,
                        scene.family.id,
                        crate::services::shifts::ClockOut { at, words },
                    )
                    .await?;
                let end = ended.shift.clock_out_at.unwrap_or(scene.now);
                answered(vec![Msg::ClockedOut {
                    at: end,
                    minutes: (end - ended.shift.clock_in_at).num_minutes(),
                    told: ended.told,
                }])
            }
            Task::Nanny(command) => self.nanny(command, scene).await,
        }
    }

    /// Finds the medication a person named among the child's: `Ok(Ok(id))` when exactly one matches,
    /// `Ok(Err(result))` with the question or refusal otherwise. Never guesses a medication.
    async fn pick_medication(
        &self,
        scene: &Scene,
        child_id: i64,
        medication: MedicationRef,
        dose: Option<PendingDose>,
    ) -> Result<Result<i64, TaskResult>, ServiceError> {
        let query = match medication {
            MedicationRef::Id(id) => return Ok(Ok(id)),
            MedicationRef::Named(query) => query,
        };
        let meds = self.services.medications(&scene.actor, child_id).await?;
        let child_name = Self::child_name(scene, child_id);
        let found = match_medication(&query, &meds);
        if found.is_empty() {
            // A stopped or paused medicine is named back as such (the dose check refuses it with
            // the reason), not as one that was never on file.
            let history = self
                .services
                .medication_history(&scene.actor, child_id)
                .await?;
            if let Some(inactive) = match_medication(&query, &history).last() {
                return Ok(Ok(inactive.id));
            }
        }
        Ok(match found.as_slice() {
            [one] => Ok(one.id),
            // A guardian reporting a dose of a medicine not on file can add it there and then.
            [] if dose.is_some() && scene.role == crate::domain::Role::Guardian => {
                Err(TaskResult::OfferMedication {
                    child: child_name,
                    asked: query,
                })
            }
            [] => Err(TaskResult::Answered(vec![Msg::UnknownMedication {
                child: child_name,
                asked: query,
                known: meds.iter().map(|m| m.name.clone()).collect(),
            }])),
            many => Err(TaskResult::MedicationAmbiguous {
                child_id,
                child_name,
                options: many.iter().map(|m| (m.id, m.name.clone())).collect(),
                dose,
            }),
        })
    }

    async fn log_dose(
        &self,
        scene: &Scene,
        request: DoseRequest,
    ) -> Result<TaskResult, ServiceError> {
        let child = Self::child_name(scene, request.child_id);
        match self
            .services
            .log_dose(
                &scene.actor,
                DoseRequest {
                    source_key: scene.delivery_key.clone(),
                    ..request.clone()
                },
            )
            .await?
        {
            DoseOutcome::Logged(logged) => {
                let numbers = emergency_numbers(&scene.family.country);
                Ok(TaskResult::Answered(vec![Msg::DoseLogged {
                    dose: dose_line(&logged.dose),
                    next_allowed_at: logged.next_allowed_at,
                    others: logged.others_recent.iter().map(dose_line).collect(),
                    flagged: logged.flagged,
                    unchecked: logged.unchecked,
                    alerted: logged.alerted,
                    poison_help: logged
                        .past_daily_maximum
                        .then(|| numbers.poison_help.unwrap_or(numbers.emergency).to_string()),
                }]))
            }
            DoseOutcome::CannotCheck {
                medication,
                may_override,
                ..
            } => {
                let question = Msg::CannotCheckDose {
                    child,
                    medication,
                    logging: true,
                    guardian_may_override: may_override,
                };
                Ok(if may_override {
                    TaskResult::NeedsOverride { request, question }
                } else {
                    TaskResult::Answered(vec![question])
                })
            }
            DoseOutcome::NeedsConfirmation(conflict) => {
                let medication = conflict
                    .conflicting
                    .as_ref()
                    .filter(|d| d.medication_id == request.medication_id)
                    .map(|d| d.medication_name.clone());
                let medication = match medication {
                    Some(name) => name,
                    None => self
                        .services
                        .medications(&scene.actor, request.child_id)
                        .await?
                        .into_iter()
                        .find(|m| m.id == request.medication_id)
                        .map(|m| m.name)
                        .unwrap_or_default(),
                };
                let concerns = conflict
                    .concerns
                    .iter()
                    .map(|c| concern_text(c, conflict.conflicting.as_ref(), &scene.family.country))
                    .collect();
                Ok(TaskResult::NeedsConfirmation {
                    question: Msg::ConfirmExtraDose {
                        child,
                        medication,
                        amount: request.amount,
                        concerns,
                        next_allowed_at: conflict.next_allowed_at,
                    },
                    request,
                })
            }
        }
    }
}

/// The one place a service error becomes something a person reads. Internal errors are logged with
/// their cause (never with message text) and shown as an apology.
pub(super) fn msg_for_error(error: ServiceError) -> Msg {
    match error {
        ServiceError::Denied => Msg::Denied,
        ServiceError::NotFound(what) => Msg::NotFound(what.to_string()),
        ServiceError::Invalid(problem) => Msg::Problem(problem),
        ServiceError::Database(_) | ServiceError::Crypto(_) | ServiceError::Serialization(_) => {
            tracing::error!(%error, "service call failed");
            Msg::InternalError
        }
    }
}

/// The child's medications matching what a person called it: by product name, then by what the name
/// means as an active ingredient (Tylenol → acetaminophen).
pub fn match_medication<'a>(query: &str, meds: &'a [MedicationView]) -> Vec<&'a MedicationView> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let by_name: Vec<&MedicationView> = meds
        .iter()
        .filter(|m| {
            let name = m.name.to_lowercase();
            name == q || name.contains(&q) || (q.len() >= 4 && q.contains(&name))
        })
        .collect();
    if !by_name.is_empty() {
        return by_name;
    }
    let ingredient = ingredient_for_name(&q)
        .map(str::to_string)
        .unwrap_or(q.clone());
    let by_ingredient: Vec<&MedicationView> = meds
        .iter()
        .filter(|m| m.ingredients.iter().any(|s| s.ingredient == ingredient))
        .collect();
    if !by_ingredient.is_empty() {
        return by_ingredient;
    }
    // A slip of the keyboard in a name the family gave it ("Zarbees" for "Zarbee's", "Flovnet").
    let long_words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 5 && *w != "children" && *w != "infants")
            .map(str::to_string)
            .collect()
    };
    let said = long_words(&q);
    meds.iter()
        .filter(|m| {
            let name = long_words(&m.name.to_lowercase());
            said.iter()
                .any(|s| name.iter().any(|n| crate::domain::one_slip(s, n)))
        })
        .collect()
}

fn dose_line(d: &DoseView) -> DoseLine {
    DoseLine::from(d)
}

fn concern_text(c: &Concern, conflicting: Option<&DoseView>, country: &str) -> ConcernText {
    match c {
        Concern::TooSoon {
            previous,
            allowed_from,
        } => ConcernText::TooSoon {
            previous: conflicting
                .filter(|d| d.id == previous.id)
                .map(dose_line)
                .unwrap_or(DoseLine {
                    child: String::new(),
                    medication: String::new(),
                    amount: DoseAmount {
                        value: 0.0,
                        unit: crate::domain::DoseUnit::Ml,
                    },
                    at: previous.given_at,
                    by: None,
                    flagged: false,
                }),
            allowed_from: *allowed_from,
        },
        Concern::TooManyDoses { count, max } => ConcernText::TooManyDoses {
            count: *count,
            max: *max,
        },
        Concern::TooMuchIngredient {
            ingredient,
            total_mg,
            max_mg,
        } => ConcernText::TooMuch {
            ingredient: ingredient_display(ingredient, country),
            total_mg: *total_mg,
            max_mg: *max_mg,
        },
        Concern::AboveUsualDose { usual_mg, given_mg } => ConcernText::AboveUsual {
            usual_mg: *usual_mg,
            given_mg: *given_mg,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::match_medication;
    use crate::domain::{parse_strength, Approval, DoseAmount, DoseUnit, Schedule};
    use crate::services::care::MedicationView;

    fn med(id: i64, name: &str, ingredient: &str) -> MedicationView {
        MedicationView {
            id,
            child_id: 1,
            name: name.into(),
            form: "liquid".into(),
            route: "oral".into(),
            ingredients: vec![parse_strength(ingredient, "160 mg/5 ml").expect("a strength")],
            dose: DoseAmount {
                value: 5.0,
                unit: DoseUnit::Ml,
            },
            schedule: Schedule::AsNeeded,
            min_interval: chrono::Duration::hours(4),
            max_doses_per_day: Some(5),
            starts_on: None,
            ends_on: None,
            active: true,
            approval: Approval::Approved,
            proposed_by_member_id: None,
            decided_by_member_id: None,
            decided_at: None,
        }
    }

    /// A said name finds the record by its name, then by its ingredient (brand, international and
    /// Spanish names, one slip of the keyboard), then by one slip in the name the family gave it.
    #[test]
    fn a_said_medication_finds_the_record_by_name_ingredient_or_a_slip() {
        let meds = vec![
            med(1, "Children's Tylenol", "acetaminophen"),
            med(2, "Children's Motrin", "ibuprofen"),
            med(3, "Flovent", "fluticasone"),
        ];
        let found = |said: &str| -> Vec<i64> {
            match_medication(said, &meds).iter().map(|m| m.id).collect()
        };
        for (said, id) in [
            ("tylenol", 1),
            ("Advil", 2),
            ("ibuprofeno", 2),
            ("acetaminofén", 1),
            ("paracetamol", 1),
            ("tylenl", 1),
            ("motrn", 2),
            ("flovnet", 3),
        ] {
            assert_eq!(found(said), vec![id], "{said}");
        }
        for said in ["benadryl", "amoxicillin", "vitamina d"] {
            assert_eq!(found(said), Vec::<i64>::new(), "{said}");
        }
    }
}
