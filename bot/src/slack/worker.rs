//! Processing what the inbox holds: each Slack delivery becomes an engine turn whose replies are
//! posted. The workers, their order and retries are the channel-neutral pipeline's
//! (`crate::pipeline`); this is Slack's [`Channel`] implementation.

use mednanny_core::domain::{Channel, IdentityKind};
use mednanny_core::engine::forms::FormKind;
use mednanny_core::engine::{Engine, Inbound};
use mednanny_core::inbox::Inbox;
use mednanny_core::messages::{Msg, Reply};

use super::api::{BotIdentity, SlackApi, SlackApiError, SlackPerson};
use super::envelope::SlackDelivery;
use super::home::HomeRefresher;
use super::modal;
use super::render::{answered_message, reply_messages};
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
            ..
        } => {
            let turn = context
                .engine
                .handle(&inbound(context, team, user, text, &job.key).await)
                .await;
            // A message from a modal (App Home's dose form) has no channel: answered in the DM.
            let channel = if channel.is_empty() {
                &api.open_dm(user).await?
            } else {
                channel
            };
            for reply in &turn.replies {
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
    }
}
