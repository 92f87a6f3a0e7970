//! Forms as Block Kit modals: "Add child", "Add medicine"... opened from App Home buttons or
//! `/mednanny add child|med|allergy|appointment|vaccination|condition|doctor`; a nanny's profile
//! from *Edit profile* or `/mednanny edit profile Maya`.
//!
//! A modal is the chat form with every question on one screen: its fields are the core's
//! [`forms::fields`], read by the core's [`FormSetup::read`] when the modal is submitted. That
//! reading is pure (what it needs from the record, the children and today's date, travels in the
//! modal's `private_metadata`), so it happens before the submission is acknowledged: a field that
//! does not read comes back at once as `response_action: errors` on that field, and nothing is
//! written. A valid submission is kept in the inbox like any delivery and saved by the engine,
//! which authorizes, validates and audits it again.

use std::collections::HashMap;

use mednanny_core::engine::forms::{self, Form, FormKind, Question};
use mednanny_core::engine::{DoseSetup, FormSetup, ProfileField, ProfileSetup};
use mednanny_core::messages::{field_problem, form_field, form_title, Locale};
use serde_json::{json, Value};
use slack_morphism::prelude::*;

/// The modals' callback id: a submission with another one is not ours.
pub const CALLBACK_ID: &str = "mednanny_form";
/// A button whose value starts with this opens a form's modal: `open:child`.
pub const OPEN_PREFIX: &str = "open:";

/// The form a word names (`open:medication`, `/mednanny add med`).
pub fn kind_named(word: &str) -> Option<FormKind> {
    Some(match word.trim().to_lowercase().as_str() {
        "child" | "kid" => FormKind::Child,
        "medication" | "medicine" | "med" => FormKind::Medication,
        "allergy" => FormKind::Allergy,
        "condition" => FormKind::Condition,
        "vaccination" | "vaccine" => FormKind::Vaccination,
        "appointment" => FormKind::Appointment,
        "doctor" | "provider" => FormKind::Provider,
        _ => return None,
    })
}

/// The word `open:` buttons carry for a form.
pub fn kind_word(kind: FormKind) -> &'static str {
    match kind {
        FormKind::Child => "child",
        FormKind::Medication => "medication",
        FormKind::Allergy => "allergy",
        FormKind::Condition => "condition",
        FormKind::Vaccination => "vaccination",
        FormKind::Appointment => "appointment",
        FormKind::Provider => "doctor",
    }
}

/// `/mednanny add child` and the like: a bare "add <form>" opens the modal (anything more, "add
/// child Mia born ...", is a chat message for the engine).
pub fn command_opens(text: &str) -> Option<FormKind> {
    let mut words = text.split_whitespace();
    let verb = words.next()?;
    let what = words.next()?;
    if !verb.eq_ignore_ascii_case("add") || words.next().is_some() {
        return None;
    }
    kind_named(what)
}

fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text})
}

/// Where each field lives in the modal: `q<index in forms::fields>`.
fn block_id(index: usize) -> String {
    format!("q{index}")
}

/// The modal for a form. An empty field of an optional question is allowed; Slack checks the
/// others are filled before it even sends the submission.
pub fn form_view(setup: &FormSetup) -> Option<SlackView> {
    let locale = Locale::En;
    let mut blocks = Vec::new();
    for (index, question) in forms::fields(setup.kind).into_iter().enumerate() {
        let (label, example) = form_field(question, locale);
        let element = if question == Question::Child {
            let options: Vec<Value> = setup
                .children
                .iter()
                .take(100)
                .map(|(_, name)| json!({"text": plain(name), "value": name}))
                .collect();
            let mut select = json!({
                "type": "static_select",
                "action_id": "value",
                "placeholder": plain("Choose"),
                "options": options,
            });
            if let [only] = options.as_slice() {
                select["initial_option"] = only.clone();
            }
            select
        } else {
            json!({
                "type": "plain_text_input",
                "action_id": "value",
                "placeholder": plain(example),
            })
        };
        let optional = forms::empty_means(question).is_some() || question == Question::Interval;
        blocks.push(json!({
            "type": "input",
            "block_id": block_id(index),
            "label": plain(label),
            "optional": optional,
            "element": element,
        }));
    }
    let view = json!({
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain(form_title(setup.kind, locale)),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": serde_json::to_string(setup).ok()?,
        "blocks": blocks,
    });
    match serde_json::from_value::<SlackView>(view) {
        Ok(view) => Some(view),
        Err(error) => {
            tracing::error!(%error, "a modal did not match slack-morphism's model");
            None
        }
    }
}

/// The dose form's callback id.
pub const DOSE_CALLBACK_ID: &str = "mednanny_dose";

/// "Give" on App Home: the amount (the usual dose to start with) and the time (empty: now). The
/// dose is then said as a message, so the engine runs the same safety check as for a typed one.
pub fn dose_view(setup: &DoseSetup) -> Option<SlackView> {
    let view = json!({
        "type": "modal",
        "callback_id": DOSE_CALLBACK_ID,
        "title": plain("Give a dose"),
        "submit": plain("Give"),
        "close": plain("Cancel"),
        "private_metadata": serde_json::to_string(setup).ok()?,
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": format!("*{}* — {}", super::render::escape(&setup.child), super::render::escape(&setup.medication))}
            },
            {
                "type": "input",
                "block_id": "amount",
                "label": plain("Amount given"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "initial_value": setup.dose,
                },
            },
            {
                "type": "input",
                "block_id": "at",
                "optional": true,
                "label": plain("At (empty: now)"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": plain("9:30"),
                },
            },
        ],
    });
    serde_json::from_value::<SlackView>(view)
        .map_err(
            |error| tracing::error!(%error, "the dose modal did not match slack-morphism's model"),
        )
        .ok()
}

/// The nanny-profile form's callback id.
pub const PROFILE_CALLBACK_ID: &str = "mednanny_profile";

/// `/mednanny edit profile Maya`, or *Edit profile*'s value `edit profile #12`: whose profile form
/// to open (the rest of the words: a name or `#12`).
pub fn profile_opens(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let edit = words.next()?;
    let profile = words.next()?;
    if !edit.eq_ignore_ascii_case("edit") || !profile.eq_ignore_ascii_case("profile") {
        return None;
    }
    let who = words.collect::<Vec<_>>().join(" ");
    (!who.is_empty()).then_some(who)
}

/// One field of the profile form.
struct ProfileInput {
    block: &'static str,
    field: ProfileField,
    label: &'static str,
    example: &'static str,
    /// Its value on file now (empty for the certification to add).
    now: String,
}

/// The profile form's fields, in order.
fn profile_fields(setup: &ProfileSetup) -> Vec<ProfileInput> {
    let input = |block, field, label, example, now: &str| ProfileInput {
        block,
        field,
        label,
        example,
        now: now.to_string(),
    };
    vec![
        input(
            "languages",
            ProfileField::Languages,
            "Languages",
            "English, Spanish",
            &setup.languages,
        ),
        input(
            "rate",
            ProfileField::Rate,
            "Hourly rate",
            "22.50",
            &setup.rate,
        ),
        input(
            "overtime",
            ProfileField::Overtime,
            "Overtime rate (past 40 h a week)",
            "33.75",
            &setup.overtime,
        ),
        input(
            "emergency",
            ProfileField::Emergency,
            "Emergency contact",
            "Rosa Diaz 555 010 7788",
            &setup.emergency,
        ),
        input(
            "cert",
            ProfileField::Certification,
            "Certification to add or renew",
            "CPR",
            "",
        ),
        input(
            "cert_expires",
            ProfileField::CertificationExpires,
            "It expires on",
            "2027-03-01",
            "",
        ),
    ]
}

/// A nanny's profile as a form, its fields holding what is on file now (a field left empty is
/// left as it is).
pub fn profile_view(setup: &ProfileSetup) -> Option<SlackView> {
    let blocks: Vec<Value> = profile_fields(setup)
        .into_iter()
        .map(|input| {
            let mut element = json!({
                "type": "plain_text_input",
                "action_id": "value",
                "placeholder": plain(input.example),
            });
            if !input.now.is_empty() {
                element["initial_value"] = Value::String(input.now);
            }
            json!({
                "type": "input",
                "block_id": input.block,
                "label": plain(input.label),
                "optional": true,
                "element": element,
            })
        })
        .collect();
    let title: String = format!("{}'s profile", setup.name)
        .chars()
        .take(24)
        .collect();
    let view = json!({
        "type": "modal",
        "callback_id": PROFILE_CALLBACK_ID,
        "title": plain(&title),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": serde_json::to_string(setup).ok()?,
        "blocks": blocks,
    });
    serde_json::from_value::<SlackView>(view)
        .map_err(|error| {
            tracing::error!(%error, "the profile modal did not match slack-morphism's model")
        })
        .ok()
}

/// What a submitted modal says: the form, or the problems to show on its fields.
pub enum Submitted {
    Form {
        form: Box<Form>,
        text: String,
    },
    /// The dose form: the dose as a message to the engine.
    Said(String),
    Problems(HashMap<String, String>),
    /// Not one of our modals (another callback, unreadable metadata).
    NotOurs,
}

/// Reads a submitted modal with the core's form reader.
pub fn read_submission(view: &SlackStatefulView) -> Submitted {
    let SlackView::Modal(modal) = &view.view else {
        return Submitted::NotOurs;
    };
    let value = |block: &str| {
        view.state_params
            .state
            .as_ref()
            .and_then(|s| s.values.get(&SlackBlockId(block.into())))
            .and_then(|actions| actions.get(&SlackActionId("value".into())))
            .and_then(|state| state.value.clone())
            .unwrap_or_default()
    };
    if modal.callback_id.as_ref().map(|c| c.0.as_str()) == Some(DOSE_CALLBACK_ID) {
        let Some(setup) = modal
            .private_metadata
            .as_deref()
            .and_then(|m| serde_json::from_str::<DoseSetup>(m).ok())
        else {
            return Submitted::NotOurs;
        };
        return match setup.said(&value("amount"), &value("at")) {
            Ok(text) => Submitted::Said(text),
            Err((amount, problem)) => Submitted::Problems(HashMap::from([(
                if amount { "amount" } else { "at" }.to_string(),
                field_problem(&problem, Locale::En),
            )])),
        };
    }
    if modal.callback_id.as_ref().map(|c| c.0.as_str()) == Some(PROFILE_CALLBACK_ID) {
        let Some(setup) = modal
            .private_metadata
            .as_deref()
            .and_then(|m| serde_json::from_str::<ProfileSetup>(m).ok())
        else {
            return Submitted::NotOurs;
        };
        let fields = profile_fields(&setup);
        let answers: Vec<(ProfileField, String)> = fields
            .iter()
            .map(|input| (input.field, value(input.block)))
            .collect();
        return match setup.said(&answers) {
            Ok(text) => Submitted::Said(text),
            Err(problems) => Submitted::Problems(
                problems
                    .into_iter()
                    .filter_map(|(field, problem)| {
                        let input = fields.iter().find(|f| f.field == field)?;
                        Some((input.block.to_string(), field_problem(&problem, Locale::En)))
                    })
                    .collect(),
            ),
        };
    }
    if modal.callback_id.as_ref().map(|c| c.0.as_str()) != Some(CALLBACK_ID) {
        return Submitted::NotOurs;
    }
    let Some(setup) = modal
        .private_metadata
        .as_deref()
        .and_then(|m| serde_json::from_str::<FormSetup>(m).ok())
    else {
        return Submitted::NotOurs;
    };
    let values = view.state_params.state.as_ref().map(|s| &s.values);
    let fields = forms::fields(setup.kind);
    let answers: Vec<(Question, String)> = fields
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let value = values
                .and_then(|v| v.get(&SlackBlockId(block_id(index))))
                .and_then(|actions| actions.get(&SlackActionId("value".into())))
                .and_then(|state| {
                    state
                        .selected_option
                        .as_ref()
                        .map(|o| o.value.clone())
                        .or_else(|| state.value.clone())
                })
                .unwrap_or_default();
            (*question, value)
        })
        .collect();
    match setup.read(&answers) {
        Ok(form) => Submitted::Form {
            form: Box::new(form),
            // What the fields said, for the red-flag screen (a reaction "stopped breathing").
            text: answers
                .iter()
                .map(|(_, text)| text.as_str())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(". "),
        },
        Err(problems) => Submitted::Problems(
            problems
                .into_iter()
                .filter_map(|(question, problem)| {
                    let index = fields.iter().position(|q| *q == question)?;
                    Some((block_id(index), field_problem(&problem, Locale::En)))
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_add_opens_a_modal_and_anything_more_is_a_message() {
        assert_eq!(command_opens("add child"), Some(FormKind::Child));
        assert_eq!(command_opens("ADD med"), Some(FormKind::Medication));
        assert_eq!(
            command_opens("add appointment"),
            Some(FormKind::Appointment)
        );
        assert_eq!(command_opens("add child Mia born 14 March 2022"), None);
        assert_eq!(command_opens("add"), None);
        assert_eq!(command_opens("kids"), None);
    }

    #[test]
    fn every_form_renders_as_a_modal_slack_morphism_accepts() {
        for kind in [
            FormKind::Child,
            FormKind::Medication,
            FormKind::Allergy,
            FormKind::Condition,
            FormKind::Vaccination,
            FormKind::Appointment,
            FormKind::Provider,
        ] {
            let setup = FormSetup {
                kind,
                children: vec![(1, "Emma".into()), (2, "Leo".into())],
                today: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
                day_first: false,
            };
            let view = form_view(&setup).expect("a modal");
            let SlackView::Modal(modal) = view else {
                panic!("not a modal");
            };
            assert_eq!(modal.blocks.len(), forms::fields(kind).len(), "{kind:?}");
            assert_eq!(
                modal
                    .private_metadata
                    .as_deref()
                    .and_then(|m| serde_json::from_str::<FormSetup>(m).ok()),
                Some(setup)
            );
        }
    }

    #[test]
    fn edit_profile_names_whose_form_to_open() {
        let table = [
            ("edit profile Maya", Some("Maya")),
            ("Edit Profile Maya Lopez", Some("Maya Lopez")),
            ("edit profile #12", Some("#12")),
            ("edit profile", None),
            ("profile Maya rate 20", None),
        ];
        for (text, expected) in table {
            assert_eq!(profile_opens(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn the_profile_form_starts_from_what_is_on_file() {
        let setup = ProfileSetup {
            member_id: 12,
            name: "Maya Fernanda Lopez Garcia".into(),
            languages: "English, Spanish".into(),
            rate: "22.50".into(),
            overtime: String::new(),
            emergency: "Rosa 555 010 7788".into(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
            day_first: false,
        };
        let view = profile_view(&setup).expect("a modal");
        let json = serde_json::to_value(&view).expect("json");
        assert_eq!(json["blocks"].as_array().map(Vec::len), Some(6));
        assert_eq!(json["blocks"][1]["element"]["initial_value"], "22.50");
        assert!(json["blocks"][2]["element"].get("initial_value").is_none());
        // Slack refuses a title over 24 characters.
        let title = json["title"]["text"].as_str().expect("title");
        assert!(title.chars().count() <= 24, "{title}");
        let SlackView::Modal(modal) = view else {
            panic!("not a modal");
        };
        assert_eq!(
            modal
                .private_metadata
                .as_deref()
                .and_then(|m| serde_json::from_str::<ProfileSetup>(m).ok()),
            Some(setup)
        );
    }
}
