//! Voice notes: transcribed through an OpenAI-compatible transcription API (OpenAI's, or the
//! servers whisper.cpp and faster-whisper ship), then handled as text, red-flag screen first.
//! The audio is sent as it came and kept nowhere; the transcript is never logged.

use async_openai::config::OpenAIConfig;
use async_openai::types::audio::{AudioInput, CreateTranscriptionRequest};
use async_openai::Client;

use crate::settings::TranscribeConfig;

/// The largest voice note accepted (WhatsApp's own limit for audio is 16 MB).
pub const MAX_AUDIO_BYTES: usize = 16 * 1024 * 1024;

/// Why a voice note could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("transcription failed: {0}")]
    Api(#[from] async_openai::error::OpenAIError),
    #[error("transcription took too long")]
    Timeout,
    #[error("the voice note is larger than {MAX_AUDIO_BYTES} bytes")]
    TooLarge,
    #[error("nothing was heard")]
    Empty,
}

/// A transcription service.
#[derive(Clone)]
pub struct Transcriber {
    client: Client<OpenAIConfig>,
    config: TranscribeConfig,
}

impl Transcriber {
    pub fn new(config: TranscribeConfig, http: reqwest::Client) -> Self {
        let mut openai = OpenAIConfig::new().with_api_base(config.base_url.clone());
        if let Some(key) = &config.api_key {
            openai = openai.with_api_key(key.expose());
        }
        Self {
            client: Client::with_config(openai).with_http_client(http),
            config,
        }
    }

    /// The words of a voice note. `filename` carries the format ("voice.ogg"); `language` ("es")
    /// helps the model when the speaker's language is known.
    pub async fn transcribe(
        &self,
        audio: Vec<u8>,
        filename: &str,
        language: Option<&str>,
    ) -> Result<String, VoiceError> {
        if audio.len() > MAX_AUDIO_BYTES {
            return Err(VoiceError::TooLarge);
        }
        let request = CreateTranscriptionRequest {
            file: AudioInput::from_vec_u8(filename.to_string(), audio),
            model: self.config.model.clone(),
            language: language.map(str::to_string),
            ..Default::default()
        };
        let audio_api = self.client.audio();
        let transcriptions = audio_api.transcription();
        // Raw, then read here: async-openai's typed answer requires OpenAI's `usage` field, which
        // whisper.cpp's and faster-whisper's servers do not send (`{"text": …}` only).
        let body = tokio::time::timeout(self.config.timeout, transcriptions.create_raw(request))
            .await
            .map_err(|_| VoiceError::Timeout)??;
        let text = transcript(&body).ok_or(VoiceError::Empty)?;
        if text.is_empty() {
            return Err(VoiceError::Empty);
        }
        Ok(text)
    }
}

/// The words of a transcription answer: `{"text": …}` (any other fields ignored), or plain text.
fn transcript(body: &[u8]) -> Option<String> {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => json.get("text")?.as_str()?.to_string(),
        Err(_) => String::from_utf8_lossy(body).to_string(),
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A file name for audio of this content type, so the service knows its format.
pub fn audio_filename(content_type: &str) -> &'static str {
    match content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "audio/ogg" | "audio/opus" => "voice.ogg",
        "audio/mpeg" | "audio/mp3" => "voice.mp3",
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" | "audio/aac" => "voice.m4a",
        "audio/wav" | "audio/x-wav" | "audio/wave" => "voice.wav",
        "audio/webm" => "voice.webm",
        "audio/flac" => "voice.flac",
        "audio/amr" => "voice.amr",
        _ => "voice.ogg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_and_whisper_servers_answers_are_read() {
        let cases: [(&[u8], Option<&str>); 5] = [
            (br#"{"text":"gave Emma 5 ml"}"#, Some("gave Emma 5 ml")),
            (
                br#"{"text":" le di 5 ml ","usage":{"type":"duration","seconds":3}}"#,
                Some("le di 5 ml"),
            ),
            (b"plain words\n", Some("plain words")),
            (br#"{"text":"   "}"#, None),
            (br#"{"error":"x"}"#, None),
        ];
        for (body, expected) in cases {
            assert_eq!(transcript(body).as_deref(), expected);
        }
    }

    #[test]
    fn the_format_is_told_by_the_file_name() {
        let cases = [
            ("audio/ogg; codecs=opus", "voice.ogg"),
            ("audio/mpeg", "voice.mp3"),
            ("AUDIO/MP4", "voice.m4a"),
            ("audio/webm", "voice.webm"),
            ("audio/something", "voice.ogg"),
        ];
        for (content_type, name) in cases {
            assert_eq!(audio_filename(content_type), name, "{content_type}");
        }
    }
}
