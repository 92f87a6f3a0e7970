//! Processing what the inbox holds: each Slack delivery becomes an engine turn whose replies are
//! posted. The workers, their order and retries are the channel-neutral pipeline's
//! (`crate::pipeline`); this is Slack's [`Channel`] implementation.

use mednanny_core::assistant::label::MAX_PHOTO_BYTES;
use mednanny_core::assistant::voice::{audio_filename, Transcriber, MAX_AUDIO_BYTES};
use mednanny_core::domain::{Channel, IdentityKind};
use mednanny_core::engine::forms::FormKind;
use mednanny_core::engine::{Engine, Inbound, Photo};
use mednanny_core::inbox::Inbox;
use mednanny_core::messages::{Msg, PhotoUnread, Reply};
use mednanny_core::settings::Secret;

use super::api::{BotIdentity, SlackApi, SlackApiError, SlackPerson};
use super::envelope::{FileKind, SharedFile, SlackDelivery};
use super::home::HomeRefresher;
use super::modal;
use super::render::{answered_message, reply_messages};
use crate::media::{Credentials, MediaFetcher};
use crate::pipeline::{self, AlertPushers, Channel as PipelineChannel};

/// What the workers share.
pub struct SlackContext {
    pub api: SlackApi,
    pub engine: Engine,
    pub inbox: Inbox,
    pub bot: BotIdentity,
    pub home: HomeRefresher,
    /// Every channel's alert pushers (Slack's home refresher among them), told after each turn.
    pub pushers: AlertPushers,
    /// Audio clips and photos shared in a DM.
    pub files: SlackFiles,
}

/// Files people share with the bot: fetched from Slack with the bot token (scope `files:read`),
/// audio transcribed when a transcription service is set up, photos read when the model sees.
#[derive(Clone)]
pub struct SlackFiles {
    fetcher: MediaFetcher,
    credentials: Credentials,
    /// `slack.api_url`: a file URL on its host is Slack's too (a proxy, the tests' local Slack).
    api_url: String,
    pub transcriber: Option<Transcriber>,
}

/// What a shared file became: words heard, a photo, or what to say instead.
enum FileRead {
    Heard(String),
    Photo(Photo),
    Notice(Msg),
}

impl SlackFiles {
    pub fn new(api_url: &str, bot_token: Secret, transcriber: Option<Transcriber>) -> Self {
        Self {
            fetcher: MediaFetcher::default(),
            credentials: Credentials::Bearer(bot_token),
            api_url: api_url.to_string(),
            transcriber,
        }
    }

    /// Reads a shared file as the WhatsApp worker reads a voice note or a photo. The bot token
    /// goes only to Slack's file host (or `slack.api_url`'s), whatever URL an event names.
    async fn read(&self, engine: &Engine, file: &SharedFile, text: &str) -> FileRead {
        if !slack_hosts(&file.url, &self.api_url) {
            tracing::warn!("a shared file not on Slack's file host was not fetched");
            return FileRead::Notice(Msg::MediaNotRead);
        }
        match file.kind {
            // A clip with words typed beside it: the words are the message (as on WhatsApp).
            FileKind::Audio if !text.trim().is_empty() => FileRead::Notice(Msg::MediaNotRead),
            FileKind::Audio => {
                let Some(transcriber) = &self.transcriber else {
                    return FileRead::Notice(Msg::VoiceNotSetUp);
                };
                let heard = match self
                    .fetcher
                    .fetch(&file.url, &self.credentials, MAX_AUDIO_BYTES)
                    .await
                {
                    Ok(audio) => transcriber
                        .transcribe(audio, audio_filename(&file.mimetype), None)
                        .await
                        .map_err(|e| e.to_string()),
                    Err(error) => Err(error.to_string()),
                };
                match heard {
                    Ok(heard) => FileRead::Heard(heard),
                    Err(error) => {
                        tracing::warn!(%error, "an audio clip was not heard");
                        FileRead::Notice(Msg::VoiceNotSetUp)
                    }
                }
            }
            FileKind::Image if !engine.reads_photos() => FileRead::Notice(Msg::MediaNotRead),
            FileKind::Image => match self
                .fetcher
                .fetch(&file.url, &self.credentials, MAX_PHOTO_BYTES)
                .await
            {
                Ok(bytes) => FileRead::Photo(Photo {
                    bytes,
                    content_type: file.mimetype.clone(),
                }),
                Err(error) => {
                    tracing::warn!(%error, "a shared photo was not fetched");
                    FileRead::Notice(Msg::PhotoNotRead {
                        why: PhotoUnread::Unavailable,
                    })
                }
            },
        }
    }
}

/// Whether `url` is where Slack keeps files: `https://files.slack.com`, or the host of
/// `slack.api_url` (a proxy, a local Slack-compatible server).
fn slack_hosts(url: &str, api_url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    if url.scheme() == "https" && url.host_str() == Some("files.slack.com") {
        return true;
    }
    url::Url::parse(api_url).is_ok_and(|api| {
        api.scheme() == url.scheme()
            && api.host_str() == url.host_str()
            && api.port_or_known_default() == url.port_or_known_default()
    })
}

/// One stored Slack delivery to process.
pub type Job = pipeline::Job<SlackDelivery>;
/// Slack's workers.
pub type Dispatcher = pipeline::Dispatcher<SlackContext>;

impl PipelineChannel for SlackContext {
    type Delivery = SlackDelivery;
    /// Team and user.
    type Sender = (String, String);
    type Error = SlackApiError;
    const NAME: &'static str = "slack";

    fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    fn sender(delivery: &SlackDelivery) -> Self::Sender {
        let (team, user) = delivery.sender();
        (team.to_string(), user.to_string())
    }

    fn kind(delivery: &SlackDelivery) -> &'static str {
        delivery.kind()
    }

    fn read(payload: &str) -> Result<SlackDelivery, serde_json::Error> {
        serde_json::from_str(payload)
    }

    fn process(
        &self,
        job: &Job,
    ) -> impl std::future::Future<Output = Result<(), SlackApiError>> + Send {
        process(self, job)
    }
}

/// Handles one delivery: the engine turn and the replies.
pub async fn process(context: &SlackContext, job: &Job) -> Result<(), SlackApiError> {
    let api = &context.api;
    let (team, user) = job.delivery.sender();
    if team != context.bot.team_id {
        return refuse_other_workspace(context, &job.delivery).await;
    }
    match &job.delivery {
        SlackDelivery::Message {
            user,
            channel,
            text,
            ts,
            mention,
            file,
            ..
        } => {
            // A shared audio clip is heard, a photo read; either may instead be said not read.
            let mut said = text.clone();
            let (mut voice, mut photo, mut replies) = (false, None, Vec::new());
            if let Some(file) = file {
                match context.files.read(&context.engine, file, text).await {
                    FileRead::Heard(heard) => (said, voice) = (heard, true),
                    FileRead::Photo(fetched) => photo = Some(fetched),
                    FileRead::Notice(msg) => replies.push(context.engine.notice(&msg)),
                }
            }
            let mut turn = mednanny_core::engine::Turn::default();
            if !said.trim().is_empty() || photo.is_some() || file.is_none() {
                let mut said_inbound = inbound(context, team, user, &said, &job.key).await;
                said_inbound.voice = voice;
                said_inbound.photo = photo;
                turn = context.engine.handle(&said_inbound).await;
            }
            replies.extend(turn.replies.iter().cloned());
            // A message from a modal (App Home's dose form) has no channel: answered in the DM.
            let channel = if channel.is_empty() {
                &api.open_dm(user).await?
            } else {
                channel
            };
            for reply in &replies {
                if *mention {
                    post_in_thread(context, channel, user, ts, reply).await?;
                } else {
                    for message in reply_messages(reply) {
                        api.post(channel, &message, None).await?;
                    }
                }
            }
            context.pushers.after_turn(&turn);
        }
        SlackDelivery::Command {
            text,
            response_url,
            trigger_id,
            ..
        } if !trigger_id.is_empty() && modal::command_opens(text).is_some() => {
            let kind = modal::command_opens(text).unwrap_or(FormKind::Child);
            if let Some(refusal) = open_form(context, team, user, trigger_id, kind).await? {
                for message in reply_messages(&refusal) {
                    api.respond(response_url, &message, false).await?;
                }
            }
        }
        SlackDelivery::Command {
            text,
            response_url,
            trigger_id,
            ..
        } if !trigger_id.is_empty() && modal::profile_opens(text).is_some() => {
            let who = modal::profile_opens(text).unwrap_or_default();
            if let Some(refusal) = open_profile(context, team, user, trigger_id, &who).await? {
                for message in reply_messages(&refusal) {
                    api.respond(response_url, &message, false).await?;
                }
            }
        }
        SlackDelivery::Command {
            text, response_url, ..
        } => {
            let said = if text.trim().is_empty() { "help" } else { text };
            let turn = context
                .engine
                .handle(&inbound(context, team, user, said, &job.key).await)
                .await;
            for reply in &turn.replies {
                let mut messages = reply_messages(reply).into_iter();
                if let Some(first) = messages.next() {
                    api.respond(response_url, &first, false).await?;
                }
                if reply.document.is_some() {
                    send_document(api, user, reply).await?;
                }
            }
            context.pushers.after_turn(&turn);
        }
        SlackDelivery::Button {
            channel,
            value,
            label,
            message_ts,
            message_text,
            response_url,
            ..
        } => {
            // A button on App Home has no channel: the answer goes to the DM.
            let channel = if channel.is_empty() {
                &api.open_dm(user).await?
            } else {
                channel
            };
            // The question is answered: show the choice in place of the buttons, so nobody clicks
            // twice, then answer.
            let answered = answered_message(message_text, label);
            let in_dm = channel.starts_with('D');
            match (in_dm, message_ts, response_url) {
                (true, Some(ts), _) => api.update(channel, ts, &answered).await?,
                (_, _, Some(url)) => api.respond(url, &answered, true).await?,
                _ => {}
            }
            let turn = context
                .engine
                .handle(&inbound(context, team, user, value, &job.key).await)
                .await;
            for reply in &turn.replies {
                for message in reply_messages(reply) {
                    match (in_dm, response_url) {
                        (false, Some(url)) => api.respond(url, &message, false).await?,
                        _ => {
                            api.post(channel, &message, None).await?;
                        }
                    }
                }
            }
            context.pushers.after_turn(&turn);
        }
        SlackDelivery::HomeOpened { .. } => {
            context.home.opened(team, user).await?;
        }
        SlackDelivery::OpenForm {
            trigger_id,
            form_kind,
            ..
        } => {
            if let Some(refusal) = open_form(context, team, user, trigger_id, *form_kind).await? {
                let dm = api.open_dm(user).await?;
                for message in reply_messages(&refusal) {
                    api.post(&dm, &message, None).await?;
                }
            }
        }
        SlackDelivery::OpenDose {
            trigger_id,
            medication_id,
            ..
        } => {
            let external_id = format!("{team}:{user}");
            let setup = context
                .engine
                .dose_setup(IdentityKind::Slack, &external_id, *medication_id)
                .await;
            match setup.map(|s| s.and_then(|s| modal::dose_view(&s))) {
                Ok(Some(view)) => api.open_view(trigger_id, view).await?,
                Ok(None) => {
                    let dm = api.open_dm(user).await?;
                    let notice = context.engine.notice(&Msg::NotFound("medication".into()));
                    for message in reply_messages(&notice) {
                        api.post(&dm, &message, None).await?;
                    }
                }
                Err(error) => tracing::error!(%error, "dose form unavailable"),
            }
        }
        SlackDelivery::OpenProfile {
            trigger_id, who, ..
        } => {
            if let Some(refusal) = open_profile(context, team, user, trigger_id, who).await? {
                let dm = api.open_dm(user).await?;
                for message in reply_messages(&refusal) {
                    api.post(&dm, &message, None).await?;
                }
            }
        }
        SlackDelivery::FormSubmitted { form, text, .. } => {
            // A modal has no conversation to answer in: what was saved (or why not) goes to the DM.
            let mut inbound = inbound(context, team, user, text, &job.key).await;
            inbound.form = Some(form.clone());
            let turn = context.engine.handle(&inbound).await;
            let dm = api.open_dm(user).await?;
            for reply in &turn.replies {
                for message in reply_messages(reply) {
                    api.post(&dm, &message, None).await?;
                }
            }
            context.pushers.after_turn(&turn);
        }
    }
    Ok(())
}

/// Opens a nanny's profile form for this person (a guardian); or says why not (not a guardian, no
/// such member, a name two members share).
async fn open_profile(
    context: &SlackContext,
    team: &str,
    user: &str,
    trigger_id: &str,
    who: &str,
) -> Result<Option<Reply>, SlackApiError> {
    let external_id = format!("{team}:{user}");
    match context
        .engine
        .profile_setup(IdentityKind::Slack, &external_id, who)
        .await
    {
        Ok(Ok(setup)) => {
            if let Some(view) = modal::profile_view(&setup) {
                context.api.open_view(trigger_id, view).await?;
            }
            Ok(None)
        }
        Ok(Err(refusal)) => Ok(Some(refusal)),
        Err(error) => {
            tracing::error!(%error, "profile form unavailable");
            Ok(None)
        }
    }
}

/// Opens a form's modal for this person, with the children they can choose from; or says why not
/// (not in a family, a guardian's form, no child yet).
async fn open_form(
    context: &SlackContext,
    team: &str,
    user: &str,
    trigger_id: &str,
    kind: FormKind,
) -> Result<Option<Reply>, SlackApiError> {
    let external_id = format!("{team}:{user}");
    let setup = match context
        .engine
        .form_setup(IdentityKind::Slack, &external_id, kind)
        .await
    {
        Ok(Ok(setup)) => setup,
        Ok(Err(refusal)) => return Ok(Some(refusal)),
        Err(error) => {
            tracing::error!(%error, "form setup unavailable");
            return Ok(Some(context.engine.notice(&Msg::InternalError)));
        }
    };
    match modal::form_view(&setup) {
        Some(view) => context.api.open_view(trigger_id, view).await?,
        None => return Ok(Some(context.engine.notice(&Msg::InternalError))),
    }
    Ok(None)
}

/// A mention in a shared channel is answered in its thread; anything with health data only to the
/// asker (ephemeral), and a document in a DM.
async fn post_in_thread(
    context: &SlackContext,
    channel: &str,
    user: &str,
    thread: &str,
    reply: &Reply,
) -> Result<(), SlackApiError> {
    let api = &context.api;
    let mut messages = reply_messages(reply).into_iter();
    let Some(first) = messages.next() else {
        return Ok(());
    };
    if reply.health_data {
        api.post_ephemeral(channel, user, &first, Some(thread))
            .await?;
    } else {
        api.post(channel, &first, Some(thread)).await?;
    }
    if reply.document.is_some() {
        send_document(api, user, reply).await?;
    }
    Ok(())
}

/// A reply's document goes to the asker's DM, never a shared channel: a payroll CSV as a file
/// (a spreadsheet opens it), anything else (an export) as messages after the text.
async fn send_document(api: &SlackApi, user: &str, reply: &Reply) -> Result<(), SlackApiError> {
    let dm = api.open_dm(user).await?;
    match &reply.document {
        Some(document) if document.filename.ends_with(".csv") => {
            api.upload_file(
                &dm,
                &document.filename,
                "text/csv",
                document.content.as_bytes(),
            )
            .await
        }
        _ => {
            for message in reply_messages(reply) {
                api.post(&dm, &message, None).await?;
            }
            Ok(())
        }
    }
}

/// Someone from another workspace (a shared channel, Slack Connect): told so, nothing recorded.
async fn refuse_other_workspace(
    context: &SlackContext,
    delivery: &SlackDelivery,
) -> Result<(), SlackApiError> {
    let api = &context.api;
    let notice = reply_messages(&context.engine.notice(&Msg::OtherWorkspace));
    let Some(message) = notice.first() else {
        return Ok(());
    };
    tracing::warn!(
        kind = delivery.kind(),
        "refused a user from another workspace"
    );
    match delivery {
        SlackDelivery::Message {
            user,
            channel,
            ts,
            mention,
            ..
        } => {
            if *mention {
                api.post_ephemeral(channel, user, message, Some(ts)).await
            } else {
                api.post(channel, message, None).await.map(|_| ())
            }
        }
        SlackDelivery::Command { response_url, .. } => {
            api.respond(response_url, message, false).await
        }
        SlackDelivery::Button {
            response_url: Some(url),
            ..
        } => api.respond(url, message, false).await,
        SlackDelivery::Button { .. }
        | SlackDelivery::HomeOpened { .. }
        | SlackDelivery::OpenForm { .. }
        | SlackDelivery::OpenDose { .. }
        | SlackDelivery::OpenProfile { .. }
        | SlackDelivery::FormSubmitted { .. } => Ok(()),
    }
}

/// The engine's view of a Slack message. Slack ids are scoped by team: `T…:U…`. A person the engine
/// does not know yet gets their Slack name (asked only then, so known people cost no API call).
async fn inbound(context: &SlackContext, team: &str, user: &str, text: &str, key: &str) -> Inbound {
    let external_id = format!("{team}:{user}");
    let known = context
        .engine
        .services()
        .resolve_identity(IdentityKind::Slack, &external_id)
        .await
        .ok()
        .flatten()
        .is_some();
    // Someone new is named, and spoken to in their language, as Slack knows them.
    let person = if known {
        SlackPerson::default()
    } else {
        match context.api.person(user).await {
            Ok(person) => person,
            Err(error) => {
                tracing::warn!(%error, "users.info failed; using the Slack id as the name");
                SlackPerson::default()
            }
        }
    };
    Inbound {
        channel: Channel::Slack,
        identity: IdentityKind::Slack,
        external_id,
        display_name: person.name,
        text: text.to_string(),
        delivery_key: Some(key.to_string()),
        form: None,
        voice: false,
        locale: person.locale,
        timezone: person.timezone,
        photo: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bot_token_goes_only_to_slacks_file_host() {
        let api = "https://slack.com/api";
        let local = "http://127.0.0.1:4000/api";
        let cases = [
            (
                "https://files.slack.com/files-pri/T1-F1/download/clip.webm",
                api,
                true,
            ),
            ("http://files.slack.com/files-pri/T1-F1/x", api, false),
            ("https://files.slack.com.evil.example/x", api, false),
            ("https://example.com/files-pri/x", api, false),
            (
                "http://127.0.0.1:4000/files-pri/T1-F1/download/file",
                local,
                true,
            ),
            (
                "http://127.0.0.1:4001/files-pri/T1-F1/download/file",
                local,
                false,
            ),
            ("not a url", api, false),
        ];
        for (url, api_url, allowed) in cases {
            assert_eq!(slack_hosts(url, api_url), allowed, "{url} with {api_url}");
        }
    }
}
