//! `[llm]`: the assistant's language model and voice transcription, both over OpenAI-compatible
//! HTTP APIs. With no provider the rules brain answers alone (the default: no account, no token).

use std::time::Duration;

use serde::Deserialize;

use super::{env_name, Secret, SettingsError};

/// Which service speaks for the assistant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmProvider {
    /// The rules brain only.
    None,
    OpenAi,
    /// Anthropic's OpenAI-compatible endpoint.
    Anthropic,
    /// Ollama, vLLM, LiteLLM, a local server: `llm.base_url` says where.
    OpenAiCompatible,
}

impl LlmProvider {
    fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "none" | "off" => Some(Self::None),
            "openai" => Some(Self::OpenAi),
            "anthropic" => Some(Self::Anthropic),
            "openai-compatible" | "openai_compatible" | "compatible" => {
                Some(Self::OpenAiCompatible)
            }
            _ => None,
        }
    }

    /// The API base when `llm.base_url` is not set.
    fn default_base_url(self) -> Option<&'static str> {
        match self {
            Self::OpenAi => Some("https://api.openai.com/v1"),
            Self::Anthropic => Some("https://api.anthropic.com/v1"),
            Self::None | Self::OpenAiCompatible => None,
        }
    }
}

/// `[llm]` as written in the files and the environment.
#[derive(Debug, Clone, Deserialize)]
pub struct LlmSettings {
    /// none | openai | anthropic | openai-compatible.
    #[serde(default)]
    pub provider: String,
    /// The OpenAI-compatible API base (`…/v1`); defaults per provider.
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub model: String,
    /// Environment only: `MEDNANNY__LLM__API_KEY`.
    #[serde(default)]
    pub api_key: Option<Secret>,
    /// An OpenAI-compatible transcription API base (`…/v1`: whisper.cpp's and faster-whisper's
    /// servers speak it); unset, voice notes are answered with "voice is not set up".
    #[serde(default)]
    pub transcribe_url: String,
    #[serde(default = "default_transcribe_model")]
    pub transcribe_model: String,
    /// The model accepts images: a photo of a medicine's label is read into a proposed medication.
    #[serde(default)]
    pub vision: bool,
    /// The whole assistant turn (every model round, retries included) within this many ms; past it
    /// the rules brain answers.
    pub turn_timeout_ms: u64,
    /// Model rounds per turn (a round after a tool error or a lookup).
    pub max_rounds: u32,
    /// Tokens (prompt + completion) a family may spend a day; past it the rules brain answers.
    pub daily_token_budget: u64,
}

fn default_transcribe_model() -> String {
    "whisper-1".into()
}

/// The assistant's model, checked: what the LLM brain needs.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    pub provider: LlmProvider,
    pub base_url: String,
    pub model: String,
    pub api_key: Option<Secret>,
    pub turn_timeout: Duration,
    pub max_rounds: u32,
    pub daily_token_budget: u64,
    /// Photos of medicine labels may be sent to the model (it accepts images).
    pub vision: bool,
}

/// Voice transcription, checked.
#[derive(Debug, Clone)]
pub struct TranscribeConfig {
    pub base_url: String,
    pub model: String,
    pub api_key: Option<Secret>,
    pub timeout: Duration,
}

impl LlmSettings {
    /// The model to use, `None` when no provider is configured; an error names the bad key.
    pub fn model_config(&self) -> Result<Option<LlmConfig>, SettingsError> {
        let provider = LlmProvider::parse(&self.provider).ok_or_else(|| {
            SettingsError::new(
                "llm.provider",
                format!(
                    "{:?} is not one of none, openai, anthropic, openai-compatible",
                    self.provider
                ),
            )
        })?;
        if !(500..=120_000).contains(&self.turn_timeout_ms) {
            return Err(SettingsError::new(
                "llm.turn_timeout_ms",
                "must be between 500 and 120000 milliseconds",
            ));
        }
        if !(1..=8).contains(&self.max_rounds) {
            return Err(SettingsError::new(
                "llm.max_rounds",
                "must be between 1 and 8",
            ));
        }
        if provider == LlmProvider::None {
            if self.vision {
                return Err(SettingsError::new(
                    "llm.vision",
                    "needs a model that accepts images: set llm.provider (or llm.vision = false)",
                ));
            }
            return Ok(None);
        }
        let base_url = match (self.base_url.trim(), provider.default_base_url()) {
            ("", Some(default)) => default.to_string(),
            ("", None) => {
                return Err(SettingsError::new(
                    "llm.base_url",
                    "required for an openai-compatible provider (e.g. http://127.0.0.1:11434/v1 for Ollama)",
                ))
            }
            (url, _) => http_url("llm.base_url", url)?,
        };
        if self.model.trim().is_empty() {
            return Err(SettingsError::new(
                "llm.model",
                "required when llm.provider is set (e.g. gpt-4o-mini, claude-haiku-4-5, llama3.1)",
            ));
        }
        if matches!(provider, LlmProvider::OpenAi | LlmProvider::Anthropic)
            && self.api_key.is_none()
        {
            return Err(SettingsError::new(
                "llm.api_key",
                format!(
                    "required for this provider: set {}",
                    env_name("llm.api_key")
                ),
            ));
        }
        Ok(Some(LlmConfig {
            provider,
            base_url,
            model: self.model.trim().to_string(),
            api_key: self.api_key.clone(),
            turn_timeout: Duration::from_millis(self.turn_timeout_ms),
            max_rounds: self.max_rounds,
            daily_token_budget: self.daily_token_budget,
            vision: self.vision,
        }))
    }

    /// Transcription, `None` when no endpoint is configured.
    pub fn transcribe_config(&self) -> Result<Option<TranscribeConfig>, SettingsError> {
        let url = self.transcribe_url.trim();
        if url.is_empty() {
            return Ok(None);
        }
        if self.transcribe_model.trim().is_empty() {
            return Err(SettingsError::new(
                "llm.transcribe_model",
                "must not be empty when llm.transcribe_url is set",
            ));
        }
        Ok(Some(TranscribeConfig {
            base_url: http_url("llm.transcribe_url", url)?,
            model: self.transcribe_model.trim().to_string(),
            api_key: self.api_key.clone(),
            timeout: Duration::from_millis(self.turn_timeout_ms.max(15_000)),
        }))
    }

    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        self.model_config()?;
        self.transcribe_config()?;
        Ok(())
    }
}

fn http_url(key: &str, url: &str) -> Result<String, SettingsError> {
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    if host.is_empty() || host.starts_with('/') || url.contains(char::is_whitespace) {
        return Err(SettingsError::new(
            key,
            format!("{url:?} must be an http(s) URL such as https://api.openai.com/v1"),
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(provider: &str, base_url: &str, model: &str, key: bool) -> LlmSettings {
        LlmSettings {
            provider: provider.into(),
            base_url: base_url.into(),
            model: model.into(),
            api_key: key.then(|| Secret::new("sk-test")),
            transcribe_url: String::new(),
            transcribe_model: default_transcribe_model(),
            vision: false,
            turn_timeout_ms: 20_000,
            max_rounds: 3,
            daily_token_budget: 200_000,
        }
    }

    #[test]
    fn providers_are_checked_and_named_in_errors() {
        assert!(settings("none", "", "", false)
            .model_config()
            .expect("valid in the test")
            .is_none());
        assert!(settings("", "", "", false)
            .model_config()
            .expect("valid in the test")
            .is_none());
        let openai = settings("openai", "", "gpt-4o-mini", true)
            .model_config()
            .expect("valid in the test")
            .expect("valid in the test");
        assert_eq!(openai.base_url, "https://api.openai.com/v1");
        let anthropic = settings("anthropic", "", "claude-haiku-4-5", true)
            .model_config()
            .expect("valid in the test")
            .expect("valid in the test");
        assert_eq!(anthropic.base_url, "https://api.anthropic.com/v1");
        let ollama = settings(
            "openai-compatible",
            "http://127.0.0.1:11434/v1/",
            "llama3.1",
            false,
        )
        .model_config()
        .expect("valid in the test")
        .expect("valid in the test");
        assert_eq!(ollama.base_url, "http://127.0.0.1:11434/v1");

        let cases = [
            (settings("gemini", "", "m", true), "llm.provider"),
            (settings("openai", "", "", true), "llm.model"),
            (settings("openai", "", "gpt", false), "llm.api_key"),
            (
                settings("openai-compatible", "", "m", false),
                "llm.base_url",
            ),
            (
                settings("openai-compatible", "ftp://x", "m", false),
                "llm.base_url",
            ),
        ];
        for (s, key) in cases {
            assert_eq!(s.model_config().expect_err("an error").key, key, "{s:?}");
        }
        let mut blind = settings("none", "", "", false);
        blind.vision = true;
        assert_eq!(
            blind.model_config().expect_err("an error").key,
            "llm.vision"
        );
        let mut seeing = settings("openai", "", "gpt-4o-mini", true);
        seeing.vision = true;
        assert!(
            seeing
                .model_config()
                .expect("valid in the test")
                .expect("a model")
                .vision
        );
        let mut slow = settings("openai", "", "gpt", true);
        slow.turn_timeout_ms = 10;
        assert_eq!(
            slow.model_config().expect_err("an error").key,
            "llm.turn_timeout_ms"
        );
    }

    #[test]
    fn transcription_is_optional_and_checked() {
        let mut s = settings("none", "", "", false);
        assert!(s.transcribe_config().expect("valid in the test").is_none());
        s.transcribe_url = "http://127.0.0.1:9000/v1".into();
        assert_eq!(
            s.transcribe_config()
                .expect("valid in the test")
                .expect("valid in the test")
                .base_url,
            "http://127.0.0.1:9000/v1"
        );
        s.transcribe_url = "whisper".into();
        assert_eq!(
            s.transcribe_config().expect_err("an error").key,
            "llm.transcribe_url"
        );
    }
}
