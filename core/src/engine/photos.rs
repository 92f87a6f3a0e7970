//! A photo in a turn: a medicine's label, read by the family's model when it accepts images
//! (`llm.vision`), with the family's consent and within its daily budget, exactly as a text turn
//! is allowed; then proposed as a medication through the same form the `propose_medication` tool
//! starts, so a guardian confirms it (and a caregiver's waits for a guardian's approval). A photo
//! never logs a dose. The photo alone goes to the model; the child is the one the person's own
//! words name ("this is Emma's"), or the form asks.

use std::time::Duration;

use super::command::Command;
use super::forms::{self, Form, FormContext, FormKind, Outcome};
use super::machine::{Event, TaskResult};
use super::store::ConversationStore;
use super::{Engine, Scene};
use crate::assistant::label::{LabelError, LabelPhoto};
use crate::domain::Role;
use crate::messages::{Msg, PhotoUnread};

/// A photo that came with a message, as the channel fetched it.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png`…
    pub content_type: String,
}

impl std::fmt::Debug for Photo {
    // A photo of a label is health data: never printed, only its size.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Photo")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl<S: ConversationStore> Engine<S> {
    /// Whether photos are read (the model accepts images): channels fetch a photo only then.
    pub fn reads_photos(&self) -> bool {
        self.brain.reads_labels()
    }

    /// The turn's first event for a photo: a proposed medication, or why the photo was not read
    /// (said, nothing recorded). Also the time spent waiting for the model.
    pub(super) async fn photo_event(
        &self,
        photo: &Photo,
        caption: &str,
        scene: &Scene,
        role: Role,
        messages: &mut Vec<Msg>,
    ) -> (Event, Duration) {
        let not_read = |why| Event::Done(TaskResult::Answered(vec![Msg::PhotoNotRead { why }]));
        // A viewer could never save it: the form's own refusal, and nothing sent to the model.
        if role == Role::Viewer || !self.brain.reads_labels() {
            let event = match role {
                Role::Viewer => Event::Said(Command::StartForm {
                    kind: FormKind::Medication,
                    text: String::new(),
                }),
                _ => Event::Done(TaskResult::Answered(vec![Msg::MediaNotRead])),
            };
            return (event, Duration::ZERO);
        }
        let services = &self.services;
        let family_id = scene.family.id;
        let day = scene.now.with_timezone(&scene.family.timezone).date_naive();
        match services
            .assistant_allowance(family_id, day, self.daily_token_budget)
            .await
        {
            Ok(allowance) if !allowance.consented => {
                return (not_read(PhotoUnread::NoConsent), Duration::ZERO)
            }
            Ok(allowance) if allowance.tokens_left == 0 => {
                return (not_read(PhotoUnread::BudgetSpent), Duration::ZERO)
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "assistant allowance unreadable; the photo was not read");
                return (not_read(PhotoUnread::Unavailable), Duration::ZERO);
            }
        }
        let reading = self
            .brain
            .read_label(LabelPhoto {
                image: &photo.bytes,
                content_type: &photo.content_type,
            })
            .await;
        if reading.tokens_used > 0 {
            if let Err(error) = services
                .meter_assistant(family_id, day, reading.tokens_used)
                .await
            {
                tracing::warn!(%error, "assistant usage not metered");
            }
        }
        let label = match reading.label {
            Ok(label) => label,
            Err(error) => {
                // The error names the failure, never what the label says.
                tracing::warn!(%error, "a label photo was not read");
                let why = match error {
                    LabelError::Unreadable | LabelError::Nonsense(_) | LabelError::NotAnImage => {
                        PhotoUnread::Unreadable
                    }
                    LabelError::Failed(_) | LabelError::Timeout | LabelError::NoVision => {
                        PhotoUnread::Unavailable
                    }
                };
                return (not_read(why), reading.model_wait);
            }
        };
        let child = child_named(caption, &scene.children);
        let ctx = FormContext {
            today: scene.now.with_timezone(&scene.family.timezone).date_naive(),
            day_first: scene.family.country != "US",
            children: &scene.children,
        };
        let text = proposal(&label.product, child.as_deref(), &ctx);
        messages.push(Msg::LabelRead {
            product: label.product,
            ingredient: label.ingredient,
            strength: label.strength,
            form: label.form,
        });
        let event = Event::Said(Command::StartForm {
            kind: FormKind::Medication,
            text,
        });
        (event, reading.model_wait)
    }
}

/// The one child the caption names ("this is Emma's new medicine"), if it names exactly one.
fn child_named(caption: &str, children: &[(i64, String)]) -> Option<String> {
    let words: Vec<String> = caption
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            w.strip_suffix("'s")
                .or_else(|| w.strip_suffix("’s"))
                .unwrap_or(&w)
                .to_string()
        })
        .collect();
    let named: Vec<&String> = children
        .iter()
        .map(|(_, name)| name)
        .filter(|name| {
            let parts: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
            !parts.is_empty() && words.windows(parts.len()).any(|w| w == parts.as_slice())
        })
        .collect();
    match named.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// The words the medication form starts with, as the `propose_medication` tool writes them: "for
/// <child> <product>". The product is the model's text, so the form must read it as the name and
/// nothing else (a product printed "for Leo", "at night" or "dose 5 ml" must not choose a child,
/// a schedule or a dose): checked by starting the form here (pure); when it reads otherwise, the
/// form starts without it and asks for the name.
fn proposal(product: &str, child: Option<&str>, ctx: &FormContext<'_>) -> String {
    let start = |rest: &str| match child {
        Some(child) => format!("for {child} {rest}").trim().to_string(),
        None => rest.trim().to_string(),
    };
    let candidate = start(product);
    let form = match forms::start(FormKind::Medication, &candidate, ctx) {
        Outcome::Ask { form, .. } | Outcome::Confirm { form, .. } => Some(form),
        Outcome::Save(_) | Outcome::Cancelled => None,
    };
    let expected_child = match child {
        Some(name) => ctx.children.iter().find(|(_, n)| n == name).cloned(),
        None => match ctx.children {
            [one] => Some(one.clone()),
            _ => None,
        },
    };
    let read_as_name = matches!(
        form,
        Some(Form::AddMedication(ref draft))
            if draft.name.as_deref() == Some(product)
                && draft.child == expected_child
                && draft.ingredients.is_none()
                && draft.dose.is_none()
                && draft.schedule.is_none()
                && draft.interval_hours.is_none()
                && draft.max_doses.is_none()
                && draft.course.is_none()
    );
    if read_as_name {
        candidate
    } else {
        start("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn children() -> Vec<(i64, String)> {
        vec![
            (1, "Emma".into()),
            (2, "Leo".into()),
            (3, "Ana Sofia".into()),
        ]
    }

    #[test]
    fn only_the_persons_own_words_name_the_child() {
        let kids = children();
        let cases = [
            ("this is Emma's new medicine", Some("Emma")),
            ("for leo", Some("Leo")),
            ("para Ana Sofia", Some("Ana Sofia")),
            ("", None),
            ("Emma and Leo share it", None),
            ("Emmanuel's", None),
        ];
        for (caption, expected) in cases {
            assert_eq!(
                child_named(caption, &kids).as_deref(),
                expected,
                "{caption}"
            );
        }
    }

    #[test]
    fn the_product_is_only_ever_the_name() {
        let kids = children();
        let ctx = FormContext {
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("a date"),
            day_first: false,
            children: &kids,
        };
        let one = [(2, "Leo".to_string())];
        let ctx_one = FormContext {
            children: &one,
            ..ctx
        };
        let cases = [
            (
                "Children's Tylenol",
                Some("Emma"),
                &ctx,
                "for Emma Children's Tylenol",
            ),
            ("Zyrtec", None, &ctx_one, "Zyrtec"),
            // Words that would choose a child, a schedule or a dose are not taken from a label.
            ("Tylenol for Leo", Some("Emma"), &ctx, "for Emma"),
            ("Sleep aid at 8pm", None, &ctx_one, ""),
            ("Motrin dose 5 ml", Some("Leo"), &ctx, "for Leo"),
            // Nobody named and several children: the form asks which child first.
            ("Children's Tylenol", None, &ctx, ""),
        ];
        for (product, child, ctx, expected) in cases {
            assert_eq!(proposal(product, child, ctx), expected, "{product}");
        }
    }
}
