//! One delivery pipeline for every channel: what a channel kept in the durable inbox is processed
//! by a fixed number of workers, each sender's deliveries one at a time and in order, and marked
//! finished only once its replies went out.
//!
//! A channel says how (the [`Channel`] trait): who sent a delivery, how to read a stored one back,
//! and how to process it (an engine turn and its replies). Slack and WhatsApp are its users;
//! reminders will be the next. What each one shares:
//! - [`Dispatcher`]: the workers, in the order of `SenderQueue` (a "yes" never overtakes the
//!   question it answers; nobody waits behind someone else's slow turn), with retries and panics
//!   contained.
//! - [`resume`]: the deliveries a previous run kept and did not finish, queued before anything new.
//! - [`purge_loop`]: finished deliveries' keys are forgotten after a day.
//! - [`AlertPush`]: after a turn that queued alerts, every channel that pushes them is told.
//!
//! A delivery is marked finished only after it was processed; if the process dies in between, it
//! is processed again, and the records it wrote are found by its delivery key instead of being
//! written twice.

use std::fmt::Display;
use std::future::Future;
use std::hash::Hash;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::FutureExt;
use mednanny_core::engine::Turn;
use mednanny_core::inbox::{Inbox, PendingDelivery};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::sender_queue::SenderQueue;

/// Attempts at one delivery before it is left in the inbox for the next start (or lease).
const ATTEMPTS: u32 = 3;
/// How long a finished delivery's key is remembered (Slack and Twilio retry within minutes).
pub const REMEMBER_DELIVERIES: chrono::Duration = chrono::Duration::hours(24);

/// A channel whose deliveries go through the pipeline.
pub trait Channel: Send + Sync + 'static {
    /// A delivery as the channel stores it in the inbox.
    type Delivery: Send + Sync + 'static;
    /// Who sent a delivery: their deliveries are processed one at a time, in order.
    type Sender: Eq + Hash + Clone + Send + 'static;
    type Error: Display + Send;

    /// The channel's name in the inbox and in logs (`slack`, `whatsapp`).
    const NAME: &'static str;

    fn inbox(&self) -> &Inbox;

    fn sender(delivery: &Self::Delivery) -> Self::Sender;

    /// The delivery's kind, for logs (never its content).
    fn kind(delivery: &Self::Delivery) -> &'static str;

    /// A stored delivery, read back.
    fn read(payload: &str) -> Result<Self::Delivery, serde_json::Error>;

    /// Runs the delivery's turn and sends its replies.
    fn process(
        &self,
        job: &Job<Self::Delivery>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Told after every turn, whichever channel it came from: a channel that pushes alerts (Slack's
/// DM, WhatsApp) sends the ones the turn queued for its members.
pub trait AlertPush: Send + Sync {
    fn after_turn(&self, turn: &Turn);
}

/// Every channel's alert pusher.
#[derive(Clone, Default)]
pub struct AlertPushers(Arc<Mutex<Vec<Arc<dyn AlertPush>>>>);

impl AlertPushers {
    pub fn add(&self, pusher: Arc<dyn AlertPush>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(pusher);
    }

    pub fn after_turn(&self, turn: &Turn) {
        let pushers = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for pusher in pushers {
            pusher.after_turn(turn);
        }
    }
}

/// One stored delivery to process.
#[derive(Debug)]
pub struct Job<D> {
    pub id: i64,
    pub key: String,
    pub delivery: D,
}

/// A job and how many times it has been tried.
struct Queued<D> {
    job: Job<D>,
    attempt: u32,
}

/// The queue and its workers.
pub struct Dispatcher<C: Channel> {
    shared: Arc<Shared<C>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

struct Shared<C: Channel> {
    state: Mutex<State<C>>,
    /// One permit per ready delivery; closed once shutting down and nothing is left.
    ready: Semaphore,
}

struct State<C: Channel> {
    queue: SenderQueue<C::Sender, Queued<C::Delivery>>,
    closing: bool,
    /// Inbox ids queued or being processed: a row claimed again (its lease ran out during a long
    /// turn) is not processed twice by this process.
    in_flight: std::collections::HashSet<i64>,
}

impl<C: Channel> Dispatcher<C> {
    pub fn start(channel: Arc<C>, workers: usize) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: SenderQueue::default(),
                closing: false,
                in_flight: std::collections::HashSet::new(),
            }),
            ready: Semaphore::new(0),
        });
        let handles = (0..workers.max(1))
            .map(|_| tokio::spawn(work(channel.clone(), shared.clone())))
            .collect();
        Self {
            shared,
            workers: Mutex::new(handles),
        }
    }

    /// Queues a job behind its sender's earlier ones. False when it was not taken (shutting
    /// down, or already queued): the row stays in the inbox.
    pub fn submit(&self, job: Job<C::Delivery>) -> bool {
        let sender = C::sender(&job.delivery);
        let mut state = self.shared.lock();
        if state.closing {
            // Only during shutdown; the row stays pending in the inbox and is resumed at next start.
            tracing::warn!(
                channel = C::NAME,
                "a delivery arrived after shutdown; it stays in the inbox"
            );
            return false;
        }
        if !state.in_flight.insert(job.id) {
            return false;
        }
        if state.queue.push(sender, Queued { job, attempt: 1 }) {
            self.shared.ready.add_permits(1);
        }
        true
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

impl<C: Channel> Shared<C> {
    fn lock(&self) -> MutexGuard<'_, State<C>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next ready delivery; None once shutting down with nothing left.
    async fn next(&self) -> Option<(C::Sender, Queued<C::Delivery>)> {
        loop {
            self.ready.acquire().await.ok()?.forget();
            if let Some(item) = self.lock().queue.take() {
                return Some(item);
            }
        }
    }

    /// The sender's delivery is finished (or given up): their next one may go.
    fn done(&self, sender: &C::Sender, id: i64) {
        let mut state = self.lock();
        state.in_flight.remove(&id);
        if state.queue.done(sender) {
            self.ready.add_permits(1);
        } else if state.closing && state.queue.is_idle() {
            self.ready.close();
        }
    }

    /// A failed delivery is tried again after `delay`; the sender's later ones keep waiting, and
    /// no worker is held meanwhile.
    fn again_after(
        self: &Arc<Self>,
        delay: Duration,
        sender: C::Sender,
        queued: Queued<C::Delivery>,
    ) {
        let shared = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            shared.lock().queue.again(sender, queued);
            shared.ready.add_permits(1);
        });
    }
}

async fn work<C: Channel>(channel: Arc<C>, shared: Arc<Shared<C>>) {
    while let Some((sender, queued)) = shared.next().await {
        let (job, attempt) = (&queued.job, queued.attempt);
        let span = tracing::info_span!(
            "delivery",
            channel = C::NAME,
            id = job.id,
            kind = C::kind(&job.delivery),
            attempt
        );
        // A panic in a turn is a bug; it must not take the worker with it, nor leave the sender's
        // later messages waiting forever. The delivery stays in the inbox and is tried again at
        // the next start, as if the process had died during it.
        let outcome = AssertUnwindSafe(channel.process(job).instrument(span))
            .catch_unwind()
            .await;
        let id = job.id;
        match outcome {
            Ok(Ok(())) => {
                if let Err(error) = channel.inbox().finish(id).await {
                    tracing::error!(%error, id, "could not mark a delivery finished");
                }
                shared.done(&sender, id);
            }
            Ok(Err(error)) if attempt < ATTEMPTS => {
                tracing::warn!(%error, id, attempt, channel = C::NAME, "delivery failed; retrying");
                let delay = Duration::from_millis(500 * 4u64.pow(attempt - 1));
                let retry = Queued {
                    attempt: attempt + 1,
                    job: queued.job,
                };
                shared.again_after(delay, sender, retry);
            }
            Ok(Err(error)) => {
                tracing::error!(%error, id, channel = C::NAME, "delivery failed; left in the inbox");
                shared.done(&sender, id);
            }
            Err(_) => {
                tracing::error!(
                    id,
                    channel = C::NAME,
                    "a delivery's turn panicked; left in the inbox"
                );
                shared.done(&sender, id);
            }
        }
    }
}

/// Queues stored deliveries (from [`Inbox::resume`] or [`Inbox::claim`]); an unreadable one is
/// logged by key (never content) and skipped.
pub fn submit_stored<C: Channel>(
    dispatcher: &Dispatcher<C>,
    pending: Vec<PendingDelivery>,
    given_up: &[String],
) {
    for key in given_up {
        tracing::error!(channel = C::NAME, delivery = %key, "a delivery failed too many times and was set aside");
    }
    for row in pending {
        match C::read(&row.payload) {
            Ok(delivery) => {
                dispatcher.submit(Job {
                    id: row.id,
                    key: row.delivery_key,
                    delivery,
                });
            }
            Err(error) => {
                tracing::error!(%error, channel = C::NAME, delivery = %row.delivery_key, "unreadable inbox row skipped")
            }
        }
    }
}

/// Processes what a previous run acknowledged but did not finish, before taking anything new.
pub async fn resume<C: Channel>(inbox: &Inbox, dispatcher: &Dispatcher<C>) -> anyhow::Result<()> {
    use anyhow::Context;
    let (pending, given_up) = inbox
        .resume(C::NAME)
        .await
        .context("cannot read the inbox")?;
    if !pending.is_empty() {
        tracing::info!(
            channel = C::NAME,
            count = pending.len(),
            "resuming unfinished deliveries"
        );
    }
    submit_stored(dispatcher, pending, &given_up);
    Ok(())
}

/// Forgets finished deliveries' keys once they are a day old, every hour.
pub async fn purge_loop(inbox: Inbox) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        match inbox.purge_finished(REMEMBER_DELIVERIES).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "forgot old delivery keys"),
            Err(error) => tracing::warn!(%error, "inbox purge failed"),
        }
    }
}
