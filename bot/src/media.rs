//! Media a person sent with a message (a WhatsApp voice note or photo, a Slack audio clip or
//! image), fetched from the platform's URL with the platform's credentials and bounded in size:
//! the download stops as soon as it is larger than allowed. Nothing fetched is kept or logged.

use std::time::Duration;

use mednanny_core::settings::Secret;

/// How a platform's media URL is authorized.
#[derive(Clone)]
pub enum Credentials {
    None,
    /// Twilio's media URLs with "HTTP basic auth for media" on: the account SID and auth token.
    Basic {
        user: String,
        password: Secret,
    },
    /// Slack's `url_private_download`: `Authorization: Bearer <bot token>` (needs `files:read`).
    Bearer(Secret),
}

/// Why media was not fetched (logged; the person gets a short answer).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("fetching the media failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the media is larger than {0} bytes")]
    TooLarge(usize),
}

/// Fetches media over HTTP.
#[derive(Clone)]
pub struct MediaFetcher {
    http: reqwest::Client,
}

impl Default for MediaFetcher {
    fn default() -> Self {
        Self {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
        }
    }
}

impl MediaFetcher {
    /// The bytes at `url`, at most `max` of them.
    pub async fn fetch(
        &self,
        url: &str,
        credentials: &Credentials,
        max: usize,
    ) -> Result<Vec<u8>, FetchError> {
        let mut request = self.http.get(url);
        request = match credentials {
            Credentials::None => request,
            Credentials::Basic { user, password } => {
                request.basic_auth(user, Some(password.expose()))
            }
            Credentials::Bearer(token) => request.bearer_auth(token.expose()),
        };
        let mut response = request.send().await?.error_for_status()?;
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(FetchError::TooLarge(max));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if bytes.len() + chunk.len() > max {
                return Err(FetchError::TooLarge(max));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}
