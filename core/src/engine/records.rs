//! Running the record's lists and removals: which entries a guardian named, and removing one
//! after a "yes".

use super::command::RecordKind;
use super::forms::{
    AllergyDraft, AppointmentDraft, ConditionDraft, Form, ProviderDraft, VaccinationDraft,
};
use super::machine::{Confirmable, TaskResult};
use super::store::ConversationStore;
use super::{Engine, Scene};
use crate::messages::Msg;
use crate::services::care::{RecordEntry, RecordItem};
use crate::services::ServiceResult;

/// An entry with the name of the child it belongs to (`None`: the family's, a provider).
type Owned = (Option<String>, RecordItem);

impl<S: ConversationStore> Engine<S> {
    /// Every entry of `kind` for the child (or every child) the person can see.
    async fn record_items(
        &self,
        kind: RecordKind,
        child_id: Option<i64>,
        scene: &Scene,
    ) -> ServiceResult<Vec<(Option<String>, Vec<RecordItem>)>> {
        let services = &self.services;
        let actor = &scene.actor;
        if kind == RecordKind::Providers {
            let items = services
                .providers(actor, scene.family.id)
                .await?
                .into_iter()
                .map(RecordItem::Provider)
                .collect();
            return Ok(vec![(None, items)]);
        }
        let mut out = Vec::new();
        for (id, child) in Self::children_or_all(scene, child_id) {
            let items: Vec<RecordItem> = match kind {
                RecordKind::Allergies => services
                    .allergies(actor, id)
                    .await?
                    .into_iter()
                    .map(RecordItem::Allergy)
                    .collect(),
                RecordKind::Conditions => services
                    .conditions(actor, id)
                    .await?
                    .into_iter()
                    .map(RecordItem::Condition)
                    .collect(),
                RecordKind::Vaccinations => services
                    .vaccinations(actor, id)
                    .await?
                    .into_iter()
                    .map(RecordItem::Vaccination)
                    .collect(),
                RecordKind::Appointments => services
                    .appointments(actor, id)
                    .await?
                    .into_iter()
                    .map(RecordItem::Appointment)
                    .collect(),
                RecordKind::Providers => Vec::new(),
            };
            out.push((Some(child), items));
        }
        Ok(out)
    }

    pub(super) async fn list_records(
        &self,
        kind: RecordKind,
        child_id: Option<i64>,
        scene: &Scene,
    ) -> ServiceResult<Vec<Msg>> {
        Ok(self
            .record_items(kind, child_id, scene)
            .await?
            .into_iter()
            .map(|(child, items)| Msg::RecordList { kind, child, items })
            .collect())
    }

    /// Finds what a guardian asked to remove: one entry is asked about, several are offered.
    pub(super) async fn find_record_to_remove(
        &self,
        kind: Option<RecordKind>,
        child_id: Option<i64>,
        which: &str,
        scene: &Scene,
    ) -> ServiceResult<TaskResult> {
        let kinds = match kind {
            Some(kind) => vec![kind],
            None => RecordKind::ALL.to_vec(),
        };
        let mut all: Vec<Owned> = Vec::new();
        for kind in kinds {
            for (child, items) in self.record_items(kind, child_id, scene).await? {
                all.extend(items.into_iter().map(|item| (child.clone(), item)));
            }
        }
        let mut found = matching(&all, which);
        Ok(match found.len() {
            0 => TaskResult::Answered(vec![Msg::NothingToRemove {
                kind,
                which: which.to_string(),
            }]),
            1 => {
                let (child, item) = found.remove(0);
                TaskResult::NeedsYes {
                    question: Msg::ConfirmRemove {
                        child: child.clone(),
                        item: item.clone(),
                    },
                    change: Confirmable::RemoveRecord {
                        child,
                        item: Box::new(item),
                    },
                }
            }
            _ => TaskResult::Answered(vec![Msg::WhichToRemove { options: found }]),
        })
    }

    /// "change Emma's appointment to 3pm", "Leo's peanut allergy to mild", "change Dr Patel's phone
    /// to ...": the entry named, in its form with its current values, changed as said. `None`
    /// when nothing in the record is called that (the caller then says so).
    pub(super) async fn edit_record(
        &self,
        child_id: Option<i64>,
        asked: &str,
        change: String,
        scene: &Scene,
    ) -> ServiceResult<Option<TaskResult>> {
        let (kind, which) = record_query(asked);
        if kind.is_none() && which.is_empty() {
            return Ok(None);
        }
        let kinds = match kind {
            Some(kind) => vec![kind],
            None => RecordKind::ALL.to_vec(),
        };
        let mut all: Vec<Owned> = Vec::new();
        for kind in kinds {
            for (child, items) in self.record_items(kind, child_id, scene).await? {
                all.extend(items.into_iter().map(|item| (child.clone(), item)));
            }
        }
        let mut found = matching(&all, &which);
        Ok(match found.len() {
            0 => None,
            1 => {
                let (child, item) = found.remove(0);
                let owner = |child_id: i64| (child_id, child.clone().unwrap_or_default());
                let form =
                    match &item {
                        RecordItem::Allergy(a) => {
                            Form::AddAllergy(AllergyDraft::editing(a, owner(a.child_id)))
                        }
                        RecordItem::Condition(c) => {
                            Form::AddCondition(ConditionDraft::editing(c, owner(c.child_id)))
                        }
                        RecordItem::Vaccination(v) => {
                            Form::AddVaccination(VaccinationDraft::editing(v, owner(v.child_id)))
                        }
                        RecordItem::Appointment(a) => Form::AddAppointment(
                            AppointmentDraft::editing(a, owner(a.child_id), scene.family.timezone),
                        ),
                        RecordItem::Provider(p) => Form::AddProvider(ProviderDraft::editing(p)),
                    };
                Some(TaskResult::Edit {
                    form: Box::new(form),
                    change,
                })
            }
            _ => Some(TaskResult::Answered(vec![Msg::WhichToChange {
                options: found,
                change,
            }])),
        })
    }

    pub(super) async fn remove_confirmed(
        &self,
        child: Option<String>,
        item: RecordItem,
        scene: &Scene,
    ) -> ServiceResult<Msg> {
        self.services
            .remove_record(&scene.actor, scene.family.id, item.entry())
            .await?;
        Ok(Msg::RecordRemoved { child, item })
    }
}

/// The entries `which` names: "#12" by number (as lists and buttons show it), otherwise by what
/// the entry is called ("peanut" finds the peanuts allergy, "Dr Patel" the provider and their
/// appointments). Nothing named (only the kind): every entry of it.
fn matching(all: &[Owned], which: &str) -> Vec<Owned> {
    let which = which.trim().to_lowercase();
    if which.is_empty() {
        return all.to_vec();
    }
    if let Some(number) = which.strip_prefix('#') {
        let Ok(id) = number.trim().parse::<i64>() else {
            return Vec::new();
        };
        return all
            .iter()
            .filter(|(_, item)| entry_id(item.entry()) == id)
            .cloned()
            .collect();
    }
    let words: Vec<&str> = which
        .split_whitespace()
        .map(|w| w.trim_end_matches('s'))
        .filter(|w| w.len() >= 2)
        .collect();
    all.iter()
        .filter(|(_, item)| {
            item.names().iter().any(|name| {
                let name = name.to_lowercase();
                name == which
                    || name.contains(&which)
                    || (!words.is_empty() && words.iter().all(|w| name.contains(w)))
            })
        })
        .cloned()
        .collect()
}

/// What a change names: the list it is in (from a word like "appointment" or "allergy") and what
/// the entry is called, without possessives or the field being changed ("Dr Patel's phone" → the
/// doctors, "dr patel").
fn record_query(asked: &str) -> (Option<RecordKind>, String) {
    let mut kind = None;
    let mut rest = Vec::new();
    for word in asked.split_whitespace() {
        let word = word
            .to_lowercase()
            .trim_end_matches("'s")
            .trim_end_matches("’s")
            .trim_matches(|c: char| matches!(c, ',' | '.' | '?' | '!'))
            .to_string();
        if let Some(k) = RecordKind::named(&word) {
            kind = kind.or(Some(k));
            continue;
        }
        // The field being changed; a phone is only a doctor's, a severity only an allergy's.
        match word.as_str() {
            "phone" | "number" => kind = kind.or(Some(RecordKind::Providers)),
            "severity" | "reaction" => kind = kind.or(Some(RecordKind::Allergies)),
            "time" | "date" | "day" | "name" | "" => {}
            _ => {
                rest.push(word);
                continue;
            }
        }
    }
    (kind, rest.join(" "))
}

fn entry_id(entry: RecordEntry) -> i64 {
    match entry {
        RecordEntry::Allergy(id)
        | RecordEntry::Condition(id)
        | RecordEntry::Vaccination(id)
        | RecordEntry::Appointment(id)
        | RecordEntry::Provider(id) => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::care::{AllergyView, ProviderView};

    fn allergy(id: i64, allergen: &str) -> Owned {
        (
            Some("Emma".into()),
            RecordItem::Allergy(AllergyView {
                id,
                child_id: 1,
                allergen: allergen.into(),
                severity: "severe".into(),
                reaction: None,
            }),
        )
    }

    fn provider(id: i64, name: &str) -> Owned {
        (
            None,
            RecordItem::Provider(ProviderView {
                id,
                name: name.into(),
                specialty: Some("paediatrician".into()),
                phone: None,
            }),
        )
    }

    #[test]
    fn a_change_names_the_list_and_the_entry() {
        assert_eq!(
            record_query("Dr Patel's phone"),
            (Some(RecordKind::Providers), "dr patel".into())
        );
        assert_eq!(
            record_query("appointment"),
            (Some(RecordKind::Appointments), String::new())
        );
        assert_eq!(
            record_query("peanut allergy"),
            (Some(RecordKind::Allergies), "peanut".into())
        );
        assert_eq!(record_query("MMR"), (None, "mmr".into()));
    }

    #[test]
    fn an_entry_is_found_by_number_or_by_what_it_is_called() {
        let all = vec![
            allergy(3, "peanuts"),
            allergy(4, "penicillin"),
            provider(3, "Dr Patel"),
        ];
        let ids = |which: &str| -> Vec<RecordEntry> {
            matching(&all, which)
                .iter()
                .map(|(_, i)| i.entry())
                .collect()
        };
        assert_eq!(ids("peanut"), vec![RecordEntry::Allergy(3)]);
        assert_eq!(ids("Peanuts"), vec![RecordEntry::Allergy(3)]);
        assert_eq!(ids("dr patel"), vec![RecordEntry::Provider(3)]);
        assert_eq!(ids("paediatrician"), vec![RecordEntry::Provider(3)]);
        // A number alone may name entries of two lists: both are offered.
        assert_eq!(
            ids("#3"),
            vec![RecordEntry::Allergy(3), RecordEntry::Provider(3)]
        );
        assert!(ids("#x").is_empty());
        assert!(ids("strawberries").is_empty());
        // Only the kind was named: every entry of it is a candidate.
        assert_eq!(ids("").len(), 3);
    }
}
