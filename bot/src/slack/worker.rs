//! Processing what the inbox holds: each delivery becomes an engine turn whose replies are posted.
//!
//! A fixed number of workers take deliveries in the order of `SenderQueue`: one person's one at a
//! time, in the order they arrived (a "yes" never overtakes the question it answers), different
//! people's first come, first served on whichever worker is free, so nobody waits behind someone
//! else's slow turn. A delivery is marked finished in the inbox only after its replies were
//! posted; if the process dies in between, it is processed again at the next start, and the
//! records it wrote are found by its delivery key instead of being written twice.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::FutureExt;
use mednanny_core::domain::{Channel, IdentityKind};
use mednanny_core::engine::forms::FormKind;
use mednanny_core::engine::{Engine, Inbound};
use mednanny_core::inbox::Inbox;
use mednanny_core::messages::{Msg, Reply};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::api::{BotIdentity, SlackApi, SlackApiError};
use super::envelope::SlackDelivery;
use super::home::HomeRefresher;
use super::modal;
use super::render::{answered_message, reply_messages};
use crate::sender_queue::SenderQueue;

/// Attempts at one delivery before it is left in the inbox for the next start.
const ATTEMPTS: u32 = 3;

/// What the workers share.
pub struct SlackContext {
    pub api: SlackApi,
    pub engine: Engine,
    pub inbox: Inbox,
    pub bot: BotIdentity,
    pub home: HomeRefresher,
}

/// One stored delivery to process.
#[derive(Debug)]
pub struct Job {
    pub id: i64,
    pub key: String,
    pub delivery: SlackDelivery,
}

/// Whose delivery it is: team and user.
type Sender = (String, String);

/// A job and how many times it has been tried.
struct Queued {
    job: Job,
    attempt: u32,
}

/// The queue and its workers.
pub struct Dispatcher {
    shared: Arc<Shared>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

struct Shared {
    state: Mutex<State>,
    /// One permit per ready delivery; closed once shutting down and nothing is left.
    ready: Semaphore,
}

struct State {
    queue: SenderQueue<Sender, Queued>,
    closing: bool,
}

impl Dispatcher {
    pub fn start(context: Arc<SlackContext>, workers: usize) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: SenderQueue::default(),
                closing: false,
            }),
            ready: Semaphore::new(0),
        });
        let handles = (0..workers.max(1))
            .map(|_| tokio::spawn(work(context.clone(), shared.clone())))
            .collect();
        Self {
            shared,
            workers: Mutex::new(handles),
        }
    }

    /// Queues a job behind its sender's earlier ones.
    pub fn submit(&self, job: Job) {
        let (team, user) = job.delivery.sender();
        let sender = (team.to_string(), user.to_string());
        let mut state = self.shared.lock();
        if state.closing {
            // Only during shutdown; the row stays pending in the inbox and is resumed at next start.
            tracing::warn!("a delivery arrived after shutdown; it stays in the inbox");
            return;
        }
        if state.queue.push(sender, Queued { job, attempt: 1 }) {
            self.shared.ready.add_permits(1);
        }
    }

    /// Lets the workers finish everything they were given (retries included), then stops them.
    pub async fn finish(&self) {
        {
            let mut state = self.shared.lock();
            state.closing = true;
            if state.queue.is_idle() {
                self.shared.ready.close();
            }
        }
        let workers =
            std::mem::take(&mut *self.workers.lock().unwrap_or_else(PoisonError::into_inner));
        for worker in workers {
            let _ = worker.await;
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next ready delivery; None once shutting down with nothing left.
    async fn next(&self) -> Option<(Sender, Queued)> {
        loop {
            self.ready.acquire().await.ok()?.forget();
            if let Some(item) = self.lock().queue.take() {
                return Some(item);
            }
        }
    }

    /// The sender's delivery is finished (or given up): their next one may go.
    fn done(&self, sender: &Sender) {
        let mut state = self.lock();
        if state.queue.done(sender) {
            self.ready.add_permits(1);
        } else if state.closing && state.queue.is_idle() {
            self.ready.close();
        }
    }

    /// A failed delivery is tried again after `delay`; the sender's later ones keep waiting, and
    /// no worker is held meanwhile.
    fn again_after(self: &Arc<Self>, delay: Duration, sender: Sender, queued: Queued) {
        let shared = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            shared.lock().queue.again(sender, queued);
            shared.ready.add_permits(1);
        });
    }
}

async fn work(context: Arc<SlackContext>, shared: Arc<Shared>) {
    while let Some((sender, queued)) = shared.next().await {
        let (job, attempt) = (&queued.job, queued.attempt);
        let span = tracing::info_span!(
            "slack_delivery",
            id = job.id,
            kind = job.delivery.kind(),
            attempt
        );
        // A panic in a turn is a bug; it must not take the worker with it, nor leave the sender's
        // later messages waiting forever. The delivery stays in the inbox and is tried again at
        // the next start, as if the process had died during it.
        let outcome = AssertUnwindSafe(process(&context, job).instrument(span))
            .catch_unwind()
            .await;
        match outcome {
            Ok(Ok(())) => {
                if let Err(error) = context.inbox.finish(job.id).await {
                    tracing::error!(%error, id = job.id, "could not mark a delivery finished");
                }
                shared.done(&sender);
            }
            Ok(Err(error)) if attempt < ATTEMPTS => {
                tracing::warn!(%error, id = job.id, attempt, "delivery failed; retrying");
                let delay = Duration::from_millis(500 * 4u64.pow(attempt - 1));
                let retry = Queued {
                    attempt: attempt + 1,
                    job: queued.job,
                };
                shared.again_after(delay, sender, retry);
            }
            Ok(Err(error)) => {
                tracing::error!(%error, id = job.id, "delivery failed; left in the inbox for the next start");
                shared.done(&sender);
            }
            Err(_) => {
                tracing::error!(
                    id = job.id,
                    "a delivery's turn panicked; left in the inbox for the next start"
                );
                shared.done(&sender);
            }
        }
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
            context.home.after_turn(&turn);
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
                    let dm = api.open_dm(user).await?;
                    for message in reply_messages(reply) {
                        api.post(&dm, &message, None).await?;
                    }
                }
            }
            context.home.after_turn(&turn);
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
            context.home.after_turn(&turn);
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
            context.home.after_turn(&turn);
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
        let dm = api.open_dm(user).await?;
        for message in reply_messages(reply) {
            api.post(&dm, &message, None).await?;
        }
    }
    Ok(())
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
    let display_name = if known {
        None
    } else {
        match context.api.display_name(user).await {
            Ok(name) => name,
            Err(error) => {
                tracing::warn!(%error, "users.info failed; using the Slack id as the name");
                None
            }
        }
    };
    Inbound {
        channel: Channel::Slack,
        identity: IdentityKind::Slack,
        external_id,
        display_name,
        text: text.to_string(),
        delivery_key: Some(key.to_string()),
        form: None,
    }
}
