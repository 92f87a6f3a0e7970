//! A photo of a medicine's label, read by a model that accepts images (`llm.vision`).
//!
//! The model is shown the photo and nothing else: no caption, no name from the family, no record.
//! It answers through one tool ([`tool_schema`]) with what is printed: the product, its active
//! ingredient, its strength and its form. Nothing else is asked of it, so no person's name is taken
//! from it: which child the medicine is for comes from the person's own words, or is asked. What
//! it answers is read like user input ([`read_arguments`]); the engine turns it into the same
//! proposal the `propose_medication` tool makes, which a guardian confirms (or approves, when a
//! caregiver sent the photo). A label never logs a dose.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Map, Value};

/// The largest photo sent to the model (OpenAI accepts 20 MB; a label needs far less).
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// The tool the model answers through.
pub const TOOL: &str = "medicine_label";

/// A photo to read.
#[derive(Clone, Copy)]
pub struct LabelPhoto<'a> {
    pub image: &'a [u8],
    /// `image/jpeg`, `image/png`…
    pub content_type: &'a str,
}

/// What a label says, as checked here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub product: String,
    pub ingredient: Option<String>,
    pub strength: Option<String>,
    pub form: Option<String>,
}

/// Why a label was not read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LabelError {
    /// The photo is not a medicine's label, or its product name is not legible.
    #[error("no legible medicine label")]
    Unreadable,
    /// The model answered something that is not a reading.
    #[error("the model's answer was not a label reading: {0}")]
    Nonsense(String),
    #[error("the photo is not an image the model can read")]
    NotAnImage,
    #[error("the model failed: {0}")]
    Failed(String),
    #[error("the model was too slow")]
    Timeout,
    /// This brain has no model that sees.
    #[error("no model reads images")]
    NoVision,
}

/// A reading and what it cost.
#[derive(Debug)]
pub struct LabelReading {
    pub label: Result<Label, LabelError>,
    pub tokens_used: u64,
    pub model_wait: Duration,
}

/// A boxed future, so brains can sit behind `dyn Brain`.
pub type ReadingLabel<'a> = Pin<Box<dyn Future<Output = LabelReading> + Send + 'a>>;

/// What the model is told: read the label, nothing else.
pub const PROMPT: &str = "Read the medicine label in the photo. Call medicine_label with what is \
printed: the product name, the active ingredient, the strength (e.g. 160 mg/5 ml) and the form \
(liquid, tablets, drops…). Leave out what is not legible; never guess. Never write a person's name. \
If it is not a medicine label, call it with readable false.";

/// The one tool the model answers through.
pub fn tool_schema() -> Value {
    let text = json!({"type": "string"});
    json!({
        "type": "function",
        "function": {
            "name": TOOL,
            "description": "What the medicine label says.",
            "parameters": {
                "type": "object",
                "properties": {
                    "readable": {"type": "boolean"},
                    "product": text,
                    "active_ingredient": text,
                    "strength": text,
                    "form": text,
                },
                "required": ["readable"],
            },
        }
    })
}

/// The image as a data URL (`data:image/jpeg;base64,…`), for an image content part; `None` for
/// what is not a photo format the models read.
pub fn data_url(photo: LabelPhoto<'_>) -> Option<String> {
    let kind = photo
        .content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let kind = match kind.as_str() {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "image/jpeg",
        "image/png" => "image/png",
        "image/webp" => "image/webp",
        "image/gif" => "image/gif",
        _ => return None,
    };
    if photo.image.is_empty() || photo.image.len() > MAX_PHOTO_BYTES {
        return None;
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(photo.image);
    Some(format!("data:{kind};base64,{encoded}"))
}

/// The model's arguments, read like user input: JSON, `readable`, and short printable texts.
pub fn read_arguments(arguments: &str) -> Result<Label, LabelError> {
    let value: Value = serde_json::from_str(arguments)
        .map_err(|_| LabelError::Nonsense("arguments are not JSON".into()))?;
    let Value::Object(map) = value else {
        return Err(LabelError::Nonsense("arguments are not an object".into()));
    };
    if map.get("readable") == Some(&Value::Bool(false)) {
        return Err(LabelError::Unreadable);
    }
    let product = field(&map, "product", 60)?.ok_or(LabelError::Unreadable)?;
    Ok(Label {
        product,
        ingredient: field(&map, "active_ingredient", 60)?,
        strength: field(&map, "strength", 40)?,
        form: field(&map, "form", 40)?,
    })
}

/// A text field: absent or blank is `None`; too long, or with characters no label prints
/// (markup, control characters, mentions), is nonsense.
fn field(map: &Map<String, Value>, name: &str, max: usize) -> Result<Option<String>, LabelError> {
    let text = match map.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.split_whitespace().collect::<Vec<_>>().join(" "),
        Some(_) => return Err(LabelError::Nonsense(format!("{name} is not a string"))),
    };
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(LabelError::Nonsense(format!("{name} is too long")));
    }
    let printable = text
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || "-'’.,/%()+&®™µ".contains(c));
    if !printable {
        return Err(LabelError::Nonsense(format!(
            "{name} has characters no label prints"
        )));
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_is_checked_like_user_input() {
        let tylenol = Label {
            product: "Children's Tylenol".into(),
            ingredient: Some("acetaminophen".into()),
            strength: Some("160 mg/5 ml".into()),
            form: Some("oral suspension".into()),
        };
        let cases: Vec<(&str, Result<Label, LabelError>)> = vec![
            (
                r#"{"readable":true,"product":" Children's  Tylenol ","active_ingredient":"acetaminophen","strength":"160 mg/5 ml","form":"oral suspension"}"#,
                Ok(tylenol),
            ),
            (
                r#"{"readable":true,"product":"Zyrtec","strength":""}"#,
                Ok(Label {
                    product: "Zyrtec".into(),
                    ingredient: None,
                    strength: None,
                    form: None,
                }),
            ),
            (r#"{"readable":false}"#, Err(LabelError::Unreadable)),
            (r#"{"readable":true}"#, Err(LabelError::Unreadable)),
            (
                "not json",
                Err(LabelError::Nonsense("arguments are not JSON".into())),
            ),
            (
                r#"{"readable":true,"product":"<@U0ANA> click <http://x|here>"}"#,
                Err(LabelError::Nonsense(
                    "product has characters no label prints".into(),
                )),
            ),
            (
                r#"{"readable":true,"product":42}"#,
                Err(LabelError::Nonsense("product is not a string".into())),
            ),
        ];
        for (arguments, expected) in cases {
            assert_eq!(read_arguments(arguments), expected, "{arguments}");
        }
        let long = format!(r#"{{"readable":true,"product":"{}"}}"#, "x".repeat(61));
        assert!(matches!(
            read_arguments(&long),
            Err(LabelError::Nonsense(_))
        ));
    }

    #[test]
    fn only_photo_formats_become_data_urls() {
        let photo = |content_type| LabelPhoto {
            image: b"\xff\xd8\xff label",
            content_type,
        };
        assert_eq!(
            data_url(photo("image/jpeg")).as_deref(),
            Some("data:image/jpeg;base64,/9j/IGxhYmVs")
        );
        assert!(data_url(photo("IMAGE/PNG")).is_some_and(|u| u.starts_with("data:image/png;")));
        assert_eq!(data_url(photo("application/pdf")), None);
        assert_eq!(data_url(photo("image/svg+xml")), None);
        let empty = LabelPhoto {
            image: b"",
            content_type: "image/jpeg",
        };
        assert_eq!(data_url(empty), None);
    }
}
