//! Processing what the inbox holds: each delivery becomes an engine turn whose replies are posted.
//!
//! Deliveries are spread over a fixed number of lanes by sender, so one person's messages are handled
//! in the order they arrived (a "yes" never overtakes the question it answers) while different
//! people are handled at the same time. A delivery is marked finished in the inbox only after its
//! replies were posted; if the process dies in between, it is processed again at the next start, and
//! the records it wrote are found by its delivery key instead of being written twice.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use mednanny_core::domain::{Channel, IdentityKind};
use mednanny_core::engine::{Engine, Inbound};
use mednanny_core::inbox::Inbox;
use mednanny_core::messages::{Msg, Reply};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::api::{BotIdentity, SlackApi, SlackApiError};
use super::envelope::SlackDelivery;
use super::home::HomeRefresher;
use super::render::{answered_message, reply_messages};

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

enum LaneItem {
    Job(Box<Job>),
    Stop,
}

/// The lanes and their workers.
pub struct Dispatcher {
    lanes: Vec<mpsc::UnboundedSender<LaneItem>>,
    workers: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

impl Dispatcher {
    pub fn start(context: Arc<SlackContext>, lanes: usize) -> Self {
        let mut senders = Vec::with_capacity(lanes);
        let mut workers = Vec::with_capacity(lanes);
        for _ in 0..lanes.max(1) {
            let (tx, rx) = mpsc::unbounded_channel();
            senders.push(tx);
            workers.push(tokio::spawn(work(context.clone(), rx)));
        }
        Self {
            lanes: senders,
            workers: std::sync::Mutex::new(workers),
        }
    }

    /// Queues a job on its sender's lane.
    pub fn submit(&self, job: Job) {
        let mut hasher = DefaultHasher::new();
        job.delivery.sender().hash(&mut hasher);
        let lane = (hasher.finish() % self.lanes.len() as u64) as usize;
        if self.lanes[lane].send(LaneItem::Job(Box::new(job))).is_err() {
            // Only after shutdown; the row stays pending in the inbox and is resumed at next start.
            tracing::warn!("a delivery arrived after shutdown; it stays in the inbox");
        }
    }

    /// Lets every lane finish what it was given, then stops the workers.
    pub async fn finish(&self) {
        for lane in &self.lanes {
            let _ = lane.send(LaneItem::Stop);
        }
        let workers = match self.workers.lock() {
            Ok(mut guard) => std::mem::take(&mut *guard),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        for worker in workers {
            let _ = worker.await;
        }
    }
}

async fn work(context: Arc<SlackContext>, mut lane: mpsc::UnboundedReceiver<LaneItem>) {
    while let Some(LaneItem::Job(job)) = lane.recv().await {
        let span = tracing::info_span!("slack_delivery", id = job.id, kind = job.delivery.kind());
        let mut attempt = 1;
        loop {
            match process(&context, &job).instrument(span.clone()).await {
                Ok(()) => {
                    if let Err(error) = context.inbox.finish(job.id).await {
                        tracing::error!(%error, id = job.id, "could not mark a delivery finished");
                    }
                    break;
                }
                Err(error) if attempt < ATTEMPTS => {
                    tracing::warn!(%error, id = job.id, attempt, "delivery failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500 * 4u64.pow(attempt - 1))).await;
                    attempt += 1;
                }
                Err(error) => {
                    tracing::error!(%error, id = job.id, "delivery failed; left in the inbox for the next start");
                    break;
                }
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
    }
    Ok(())
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
        SlackDelivery::Button { .. } | SlackDelivery::HomeOpened { .. } => Ok(()),
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
    }
}
