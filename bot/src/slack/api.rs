//! The Slack Web API calls MedNanny makes, over slack-morphism's client, with Slack's rate limits
//! honoured: a 429 is retried after the `Retry-After` it names (a few times, then given up).
//!
//! The base URL comes from `slack.api_url`, so the bot works against any Slack-compatible server
//! (the tests' local one, a proxy); plain `http://` is allowed for that reason.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use mednanny_core::settings::Secret;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::render::SlackMessage;

/// How many times a rate-limited call is retried before the error is returned.
const RATE_LIMIT_RETRIES: usize = 4;
/// Used when Slack answers 429 without a `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum SlackApiError {
    #[error("Slack API error: {0}")]
    Client(#[from] SlackClientError),
    #[error("could not set up the HTTP client: {0}")]
    Setup(String),
}

/// The HTTPS connector for Slack clients, with the system's root certificates. Plain `http://` is
/// allowed too, so that a local Slack-compatible server (tests, a proxy) works. HTTP/2 only where
/// connections are reused (the Web API client).
pub(super) fn https_connector(
    http2: bool,
) -> std::io::Result<hyper_rustls::HttpsConnector<HttpConnector>> {
    // The provider is named: reqwest (the bridge's Twilio client) brings rustls's aws-lc-rs
    // provider into the build beside ring, and rustls then cannot pick one by itself.
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::ring::default_provider())?
        .https_or_http()
        .enable_http1();
    Ok(if http2 {
        builder.enable_http2().build()
    } else {
        builder.build()
    })
}

/// Who the bot is in the workspace it was installed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    pub team_id: String,
    pub team_name: String,
    pub user_id: String,
}

/// Who a Slack user is, as far as MedNanny asks.
#[derive(Debug, Clone, Default)]
pub struct SlackPerson {
    pub name: Option<String>,
    /// `en-US`, `es-ES`…
    pub locale: Option<String>,
    /// Their Slack time zone (`Europe/London`): where a family they create lives.
    pub timezone: Option<String>,
}

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
    /// A user's DM channel with the bot, once opened: it never changes, and the reminder
    /// scheduler would otherwise call conversations.open before every message it sends.
    dms: moka::future::Cache<String, String>,
}

impl SlackApi {
    pub fn new(api_url: &str, bot_token: &Secret) -> Result<Self, SlackApiError> {
        let https = https_connector(true).map_err(|e| SlackApiError::Setup(e.to_string()))?;
        let connector = SlackClientHyperConnector::from(https)
            .with_slack_api_url(api_url.trim_end_matches('/'));
        Ok(Self {
            client: Arc::new(SlackClient::new(connector)),
            token: SlackApiToken::new(bot_token.expose().into()),
            dms: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(std::time::Duration::from_secs(24 * 3600))
                .build(),
        })
    }

    /// Checks the bot token and learns the workspace (auth.test).
    pub async fn identity(&self) -> Result<BotIdentity, SlackApiError> {
        let response =
            retrying(|| async { self.client.open_session(&self.token).auth_test().await }).await?;
        Ok(BotIdentity {
            team_id: response.team_id.to_string(),
            team_name: response.team,
            user_id: response.user_id.to_string(),
        })
    }

    /// Posts a message; returns its ts.
    pub async fn post(
        &self,
        channel: &str,
        message: &SlackMessage,
        thread_ts: Option<&str>,
    ) -> Result<String, SlackApiError> {
        let mut request = SlackApiChatPostMessageRequest::new(channel.into(), message.content());
        request.thread_ts = thread_ts.map(|ts| ts.into());
        let response = retrying(|| async {
            self.client
                .open_session(&self.token)
                .chat_post_message(&request)
                .await
        })
        .await?;
        Ok(response.ts.to_string())
    }

    /// Posts a message only `user` sees, in a channel (in a thread when given).
    pub async fn post_ephemeral(
        &self,
        channel: &str,
        user: &str,
        message: &SlackMessage,
        thread_ts: Option<&str>,
    ) -> Result<(), SlackApiError> {
        let mut request =
            SlackApiChatPostEphemeralRequest::new(channel.into(), user.into(), message.content());
        request.thread_ts = thread_ts.map(|ts| ts.into());
        retrying(|| async {
            self.client
                .open_session(&self.token)
                .chat_post_ephemeral(&request)
                .await
        })
        .await?;
        Ok(())
    }

    /// Replaces a message the bot posted.
    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        message: &SlackMessage,
    ) -> Result<(), SlackApiError> {
        let request = SlackApiChatUpdateRequest::new(channel.into(), message.content(), ts.into());
        retrying(|| async {
            self.client
                .open_session(&self.token)
                .chat_update(&request)
                .await
        })
        .await?;
        Ok(())
    }

    /// Answers through an interaction's response URL: visible to the asker only (Slack's default
    /// for response URLs is ephemeral).
    pub async fn respond(
        &self,
        response_url: &str,
        message: &SlackMessage,
        replace_original: bool,
    ) -> Result<(), SlackApiError> {
        let url: SlackResponseUrl = SlackResponseUrl(
            response_url
                .parse()
                .map_err(|e: url::ParseError| SlackApiError::Setup(e.to_string()))?,
        );
        let request = SlackApiPostWebhookMessageRequest::new(message.content())
            .with_replace_original(replace_original);
        retrying(|| async { self.client.respond_to_event(&url, &request).await }).await?;
        Ok(())
    }

    /// Shares a file in a channel the way Slack asks now that `files.upload` is retired: a URL
    /// from `files.getUploadURLExternal`, the bytes POSTed to it, then
    /// `files.completeUploadExternal` to share it. A failed step is retried as a whole from a new
    /// URL (the file id of a half-done upload is never shared).
    pub async fn upload_file(
        &self,
        channel: &str,
        filename: &str,
        content_type: &str,
        content: &[u8],
    ) -> Result<(), SlackApiError> {
        retrying(|| async {
            let session = self.client.open_session(&self.token);
            let url = session
                .get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
                    filename.into(),
                    content.len(),
                ))
                .await?;
            session
                .files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
                    url.upload_url,
                    content.to_vec(),
                    content_type.into(),
                ))
                .await?;
            session
                .files_complete_upload_external(
                    &SlackApiFilesCompleteUploadExternalRequest::new(vec![
                        SlackApiFilesComplete::new(url.file_id).with_title(filename.into()),
                    ])
                    .with_channel_id(channel.into()),
                )
                .await
        })
        .await?;
        Ok(())
    }

    /// The DM channel with a user.
    pub async fn open_dm(&self, user: &str) -> Result<String, SlackApiError> {
        if let Some(channel) = self.dms.get(user).await {
            return Ok(channel);
        }
        let request = SlackApiConversationsOpenRequest::new().with_users(vec![user.into()]);
        let response = retrying(|| async {
            self.client
                .open_session(&self.token)
                .conversations_open(&request)
                .await
        })
        .await?;
        let channel = response.channel.id.to_string();
        self.dms.insert(user.to_string(), channel.clone()).await;
        Ok(channel)
    }

    pub async fn publish_home(&self, user: &str, view: SlackView) -> Result<(), SlackApiError> {
        let request = SlackApiViewsPublishRequest::new(user.into(), view);
        retrying(|| async {
            self.client
                .open_session(&self.token)
                .views_publish(&request)
                .await
        })
        .await?;
        Ok(())
    }

    /// Opens a modal for the person who clicked or typed (`trigger_id` lasts three seconds, so it
    /// is tried once: a retry would be too late).
    pub async fn open_view(&self, trigger_id: &str, view: SlackView) -> Result<(), SlackApiError> {
        let request = SlackApiViewsOpenRequest::new(trigger_id.into(), view);
        self.client
            .open_session(&self.token)
            .views_open(&request)
            .await?;
        Ok(())
    }

    /// A person's name as Slack shows it and their Slack language (for someone joining a family).
    pub async fn person(&self, user: &str) -> Result<SlackPerson, SlackApiError> {
        let request = SlackApiUsersInfoRequest::new(user.into()).with_include_locale(true);
        let response = retrying(|| async {
            self.client
                .open_session(&self.token)
                .users_info(&request)
                .await
        })
        .await?;
        let user = response.user;
        let profile = user.profile.as_ref();
        Ok(SlackPerson {
            name: profile
                .and_then(|p| p.display_name.clone())
                .filter(|n| !n.trim().is_empty())
                .or(user.real_name.clone())
                .or(profile.and_then(|p| p.real_name.clone()))
                .or(user.name.clone()),
            locale: user.locale.map(|l| l.0),
            timezone: user.tz,
        })
    }
}

/// Runs a call, retrying a 429 after the wait Slack asks for.
async fn retrying<T, F, Fut>(call: F) -> Result<T, SlackClientError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SlackClientError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Err(SlackClientError::RateLimitError(limit)) if attempt < RATE_LIMIT_RETRIES => {
                attempt += 1;
                let wait = limit.retry_after.unwrap_or(DEFAULT_RETRY_AFTER);
                tracing::warn!(
                    wait_ms = wait.as_millis() as u64,
                    attempt,
                    "Slack rate limit; waiting"
                );
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}
