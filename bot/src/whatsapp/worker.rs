//! WhatsApp's [`Channel`]: a stored message becomes an engine turn whose replies are queued in the
//! outbox for the bridge; and the alert pusher that sends WhatsApp members the alerts a turn (on
//! any channel) queued for them.

use std::time::Duration;

use mednanny_core::assistant::label::MAX_PHOTO_BYTES;
use mednanny_core::assistant::voice::{audio_filename, Transcriber, VoiceError, MAX_AUDIO_BYTES};
use mednanny_core::domain::{Channel as Via, IdentityKind, Phone};
use mednanny_core::engine::{Engine, Inbound, Photo, Turn};
use mednanny_core::inbox::Inbox;
use mednanny_core::messages::{Choice, Locale, Msg, PhotoUnread, Reply, Tone};
use mednanny_core::outbox::{self, Content, NewMessage, OutboxError, TemplateKind};
use mednanny_core::services::ServiceError;
use mednanny_core::settings::Secret;
use mednanny_core::whatsapp::WhatsappInbound;
use moka::future::Cache;

use super::render::{reply_texts, resolve_choice};
use crate::media::{Credentials, FetchError, MediaFetcher};
use crate::pipeline::{AlertPush, AlertPushers, Channel, Job};
use crate::slack::api::SlackApi;
use crate::slack::render::reply_messages;

/// How long a numbered question can be answered by its number.
const CHOICES_LAST: Duration = Duration::from_secs(30 * 60);
/// A number nobody knows gets the generic answer at most this often.
const STRANGER_EVERY: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, thiserror::Error)]
pub enum WhatsappError {
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("slack: {0}")]
    Slack(#[from] crate::slack::api::SlackApiError),
}

/// Where a member who also uses Slack is told what WhatsApp could not deliver.
#[derive(Clone)]
pub struct SlackNotice {
    pub api: SlackApi,
}

/// Tells the bridge there is something in the outbox (it also sweeps every second, so a lost call
/// only delays).
#[derive(Clone)]
pub struct BridgeClient {
    http: reqwest::Client,
    url: String,
    secret: Secret,
}

impl BridgeClient {
    pub fn new(bridge_url: &str, secret: Secret) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .unwrap_or_default(),
            url: format!("{}/internal/outbox", bridge_url.trim_end_matches('/')),
            secret,
        }
    }

    pub fn tell(&self) {
        let request = self
            .http
            .post(&self.url)
            .bearer_auth(self.secret.expose())
            .send();
        tokio::spawn(async move {
            if let Err(error) = request.await {
                tracing::debug!(%error, "the bridge was not told of new outbox rows");
            }
        });
    }
}

/// What comes with a message: voice notes (transcribed, when a transcription service is set up)
/// and photos (read as a medicine's label, when the model accepts images), fetched from Twilio's
/// media URL.
#[derive(Clone)]
pub struct WhatsappMedia {
    fetcher: MediaFetcher,
    /// The account SID and auth token, for media URLs that require them.
    credentials: Credentials,
    transcriber: Option<Transcriber>,
}

/// Why a voice note was not heard (logged; the person is asked to type instead).
#[derive(Debug, thiserror::Error)]
enum NotHeard {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Voice(#[from] VoiceError),
}

impl WhatsappMedia {
    pub fn new(transcriber: Option<Transcriber>, media_auth: Option<(String, Secret)>) -> Self {
        Self {
            fetcher: MediaFetcher::default(),
            credentials: match media_auth {
                Some((user, password)) => Credentials::Basic { user, password },
                None => Credentials::None,
            },
            transcriber,
        }
    }

    /// The words of the voice note at `url`.
    async fn hear(
        &self,
        transcriber: &Transcriber,
        url: &str,
        content_type: &str,
    ) -> Result<String, NotHeard> {
        let audio = self
            .fetcher
            .fetch(url, &self.credentials, MAX_AUDIO_BYTES)
            .await?;
        Ok(transcriber
            .transcribe(audio, audio_filename(content_type), None)
            .await?)
    }

    /// The photo at `url`, for the engine to read.
    async fn photo(&self, url: &str, content_type: &str) -> Result<Photo, FetchError> {
        let bytes = self
            .fetcher
            .fetch(url, &self.credentials, MAX_PHOTO_BYTES)
            .await?;
        Ok(Photo {
            bytes,
            content_type: content_type.to_string(),
        })
    }
}

/// What WhatsApp's workers share.
pub struct WhatsappContext {
    engine: Engine,
    inbox: Inbox,
    pushers: AlertPushers,
    bridge: BridgeClient,
    slack: Option<SlackNotice>,
    /// The choices of the last numbered question each number was asked.
    choices: Cache<String, Vec<Choice>>,
    /// Numbers nobody knows that got the generic answer lately.
    strangers: Cache<String, ()>,
    media: WhatsappMedia,
}

impl WhatsappContext {
    pub fn new(
        engine: Engine,
        inbox: Inbox,
        pushers: AlertPushers,
        bridge: BridgeClient,
        slack: Option<SlackNotice>,
        media: WhatsappMedia,
    ) -> Self {
        Self {
            engine,
            inbox,
            pushers,
            bridge,
            slack,
            media,
            choices: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(CHOICES_LAST)
                .build(),
            strangers: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(STRANGER_EVERY)
                .build(),
        }
    }

    async fn message(
        &self,
        job: &Job<WhatsappInbound>,
        params: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), WhatsappError> {
        let services = self.engine.services();
        let Some(phone) = params
            .get("From")
            .and_then(|from| Phone::from_whatsapp(from))
        else {
            tracing::warn!("a WhatsApp message without a sender number was dropped");
            return Ok(());
        };
        if let Err(error) = services.seen_on_whatsapp(&phone).await {
            tracing::warn!(%error, "last-seen time not recorded");
        }
        let mut body = params
            .get("Body")
            .map(|b| b.trim())
            .unwrap_or("")
            .to_string();
        let media = params
            .get("NumMedia")
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0);
        let mut replies: Vec<Reply> = Vec::new();
        let mut person_id = None;
        let mut voice = false;
        let mut photo = None;
        if media > 0 {
            let content_type = params
                .get("MediaContentType0")
                .map(String::as_str)
                .unwrap_or("");
            let url = params.get("MediaUrl0").map(String::as_str).unwrap_or("");
            let audio = content_type.starts_with("audio/") && !url.is_empty();
            let image = content_type.starts_with("image/") && !url.is_empty();
            match (&self.media.transcriber, audio) {
                // A voice note, and a transcription service: its words are the message.
                (Some(transcriber), true) if body.is_empty() => {
                    match self.media.hear(transcriber, url, content_type).await {
                        Ok(heard) => {
                            body = heard;
                            voice = true;
                        }
                        Err(error) => {
                            tracing::warn!(%error, "a voice note was not heard");
                            replies.push(self.engine.notice(&Msg::VoiceNotSetUp));
                        }
                    }
                }
                (None, true) => replies.push(self.engine.notice(&Msg::VoiceNotSetUp)),
                // A photo, and a model that sees: read as a medicine's label (the caption, if
                // any, may say whose it is).
                _ if image && self.engine.reads_photos() => {
                    match self.media.photo(url, content_type).await {
                        Ok(fetched) => photo = Some(fetched),
                        Err(error) => {
                            tracing::warn!(%error, "a photo was not fetched");
                            replies.push(self.engine.notice(&Msg::PhotoNotRead {
                                why: PhotoUnread::Unavailable,
                            }));
                        }
                    }
                }
                // Other media are kept (their URLs, in the sealed inbox row) but not read.
                _ => replies.push(self.engine.notice(&Msg::MediaNotRead)),
            }
        }
        if !body.is_empty() || photo.is_some() {
            let body = body.as_str();
            let text = match self.choices.get(phone.as_str()).await {
                Some(choices) => resolve_choice(body, &choices).unwrap_or_else(|| body.to_string()),
                None => body.to_string(),
            };
            let inbound = Inbound {
                channel: Via::Whatsapp,
                identity: IdentityKind::Whatsapp,
                external_id: phone.to_string(),
                display_name: params.get("ProfileName").cloned(),
                text,
                delivery_key: Some(job.key.clone()),
                form: None,
                voice,
                locale: None,
                // A number's country is only suggested to a family its sender creates (the
                // engine reads it from the number itself).
                timezone: None,
                photo,
            };
            let turn = self.engine.handle(&inbound).await;
            person_id = turn.person_id;
            let urgent = turn.replies.iter().any(|r| r.tone == Tone::Urgent);
            if turn.person_id.is_none() && !urgent {
                // One short answer per number now and then: a stranger cannot flood anyone.
                if self.strangers.contains_key(phone.as_str()) {
                    return Ok(());
                }
                self.strangers.insert(phone.to_string(), ()).await;
            }
            replies.extend(turn.replies.iter().cloned());
            self.pushers.after_turn(&turn);
        }
        // The words WhatsApp adds (how to answer) in the language the replies are in: theirs.
        let locale = match person_id {
            Some(person) => services
                .person_locale(person)
                .await
                .map_or(Locale::En, |tag| Locale::from_tag(&tag)),
            None => Locale::En,
        };
        let mut texts = Vec::new();
        let mut asked = None;
        for reply in &replies {
            let (parts, choices) = reply_texts(reply, locale);
            texts.extend(parts);
            if !choices.is_empty() {
                asked = Some(choices);
            }
        }
        match asked {
            Some(choices) => self.choices.insert(phone.to_string(), choices).await,
            None => self.choices.invalidate(phone.as_str()).await,
        }
        let messages: Vec<NewMessage> = texts
            .into_iter()
            .enumerate()
            .map(|(n, body)| NewMessage {
                recipient: phone.to_string(),
                person_id,
                content: Content::Text { body },
                dedupe_key: format!("{}:{n}", job.key),
            })
            .collect();
        outbox::queue(
            services.db().conn(),
            services.keys(),
            services.now(),
            &messages,
        )
        .await?;
        self.bridge.tell();
        Ok(())
    }

    /// WhatsApp would not deliver a message (the 24-hour window): said on Slack, if they use it.
    async fn undeliverable(&self, to: &str) -> Result<(), WhatsappError> {
        let phone = Phone::from_e164(to);
        let services = self.engine.services();
        let (Some(slack), Some(external)) = (&self.slack, services.slack_of_phone(&phone).await?)
        else {
            tracing::info!("a WhatsApp message was undeliverable and the member has no Slack");
            return Ok(());
        };
        let Some((_, user)) = external.split_once(':') else {
            return Ok(());
        };
        let dm = slack.api.open_dm(user).await?;
        for message in reply_messages(&self.engine.notice(&Msg::WhatsappUndeliverable)) {
            slack.api.post(&dm, &message, None).await?;
        }
        Ok(())
    }
}

impl Channel for WhatsappContext {
    type Delivery = WhatsappInbound;
    type Sender = String;
    type Error = WhatsappError;
    const NAME: &'static str = mednanny_core::whatsapp::CHANNEL;

    fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    fn sender(delivery: &WhatsappInbound) -> String {
        delivery.sender().to_string()
    }

    fn kind(delivery: &WhatsappInbound) -> &'static str {
        delivery.kind()
    }

    fn read(payload: &str) -> Result<WhatsappInbound, serde_json::Error> {
        serde_json::from_str(payload)
    }

    async fn process(&self, job: &Job<WhatsappInbound>) -> Result<(), WhatsappError> {
        match &job.delivery {
            WhatsappInbound::Message { params } => self.message(job, params).await,
            WhatsappInbound::Undeliverable { to, .. } => self.undeliverable(to).await,
        }
    }
}

/// Sends WhatsApp members the alerts a turn queued for them: as text inside WhatsApp's 24-hour
/// window (then marked delivered), otherwise as the alert template, which names the family only;
/// the alert itself then waits and is shown with the member's next message.
pub struct WhatsappAlerts {
    engine: Engine,
    bridge: BridgeClient,
}

impl WhatsappAlerts {
    pub fn new(engine: Engine, bridge: BridgeClient) -> Self {
        Self { engine, bridge }
    }
}

impl AlertPush for WhatsappAlerts {
    fn after_turn(&self, turn: &Turn) {
        let (Some(family_id), true) = (turn.family_id, turn.alerts_queued) else {
            return;
        };
        let engine = self.engine.clone();
        let bridge = self.bridge.clone();
        tokio::spawn(async move {
            match push_alerts(&engine, family_id).await {
                Ok(0) => {}
                Ok(_) => bridge.tell(),
                Err(error) => tracing::warn!(%error, "WhatsApp alerts not queued"),
            }
        });
    }
}

async fn push_alerts(engine: &Engine, family_id: i64) -> Result<usize, WhatsappError> {
    let services = engine.services();
    let mut queued = 0;
    for number in services
        .member_identities(family_id, IdentityKind::Whatsapp)
        .await?
    {
        let groups = engine
            .pending_alerts_for(IdentityKind::Whatsapp, &number, Via::Whatsapp)
            .await?;
        if groups.is_empty() {
            continue;
        }
        let Some(person_id) = services
            .resolve_identity(IdentityKind::Whatsapp, &number)
            .await?
        else {
            continue;
        };
        let Some(reach) = services.whatsapp_reach(person_id).await? else {
            continue;
        };
        let locale = Locale::from_tag(&services.person_locale(person_id).await?);
        for group in &groups {
            let key = group
                .ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let messages: Vec<NewMessage> = if reach.window_open {
                group
                    .replies
                    .iter()
                    .flat_map(|reply| reply_texts(reply, locale).0)
                    .enumerate()
                    .map(|(n, body)| NewMessage {
                        recipient: number.clone(),
                        person_id: Some(person_id),
                        content: Content::Text { body },
                        dedupe_key: format!("alert:{key}:{n}"),
                    })
                    .collect()
            } else {
                let family = services.family_info(group.family_id).await?.name;
                vec![NewMessage {
                    recipient: number.clone(),
                    person_id: Some(person_id),
                    content: Content::Template {
                        kind: TemplateKind::Alert,
                        variables: [("1".to_string(), family.clone())].into(),
                        fallback: mednanny_core::messages::whatsapp_update_waiting(&family),
                    },
                    dedupe_key: format!("alert-waiting:{key}"),
                }]
            };
            queued += outbox::queue(
                services.db().conn(),
                services.keys(),
                services.now(),
                &messages,
            )
            .await?;
            if reach.window_open {
                engine
                    .alerts_delivered(IdentityKind::Whatsapp, &number, Via::Whatsapp, group)
                    .await?;
            }
        }
    }
    Ok(queued)
}
