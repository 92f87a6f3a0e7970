//! The reminder scheduler: every `reminders.interval_secs` it plans what is due (the pure planner
//! in `mednanny_core::reminders::planner`), claims due rows with a lease and sends each to whoever
//! is responsible at that moment, on their channel; then escalates the dose reminders nobody
//! answered in time to the guardians, once.
//!
//! Several bots may run it against one database: a row is claimed by one of them (the lease), and
//! a bot that dies mid-send leaves the row to another once the lease runs out. What a reminder's
//! answer does (*Given*, *Skip*) is the engine's: the buttons and replies come back as messages.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use mednanny_core::db::LockScope;
use mednanny_core::messages::{render, Msg, RenderContext};
use mednanny_core::outbox::{self, Content, NewMessage, TemplateKind};
use mednanny_core::reminders::planner::{self, ReminderKind};
use mednanny_core::reminders::store::{Reminder, ReminderStore, SentReminder, Status};
use mednanny_core::services::reminders::{Audience, Recipient, ReminderFacts};
use mednanny_core::services::shifts::ForgottenClockOut;
use mednanny_core::services::{FamilyInfo, Services};
use mednanny_core::settings::ReminderSettings;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::slack::api::SlackApi;
use crate::slack::render::reply_messages;
use crate::whatsapp::render::reply_texts;

/// How far back each round plans: what was due while no bot ran is found (and, past the grace
/// window, recorded as missed) after a restart of up to a day.
const LOOKBACK: i64 = 24;

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Service(#[from] mednanny_core::services::ServiceError),
    #[error(transparent)]
    Outbox(#[from] mednanny_core::outbox::OutboxError),
}

/// Where reminders go: Slack (the API and the bot's workspace) and/or WhatsApp (the outbox).
#[derive(Clone)]
pub struct Channels {
    pub slack: Option<(SlackApi, String)>,
    pub whatsapp: bool,
}

/// What one round did (tests and the benchmark read it; logs carry counts only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub planned: usize,
    pub sent: usize,
    pub escalated: usize,
    pub missed: usize,
    pub held: usize,
    pub closed: usize,
    /// Nannies asked whether they are still working (a shift open an hour past its end).
    pub asked: usize,
}

impl std::ops::AddAssign for Round {
    fn add_assign(&mut self, other: Round) {
        self.planned += other.planned;
        self.sent += other.sent;
        self.escalated += other.escalated;
        self.missed += other.missed;
        self.held += other.held;
        self.closed += other.closed;
        self.asked += other.asked;
    }
}

#[derive(Clone)]
pub struct Scheduler {
    services: Services,
    store: ReminderStore,
    channels: Channels,
    settings: ReminderSettings,
    /// When the last round planned up to (none before the first round).
    planned_until: Arc<Mutex<Option<DateTime<Utc>>>>,
}

impl Scheduler {
    pub fn new(services: Services, channels: Channels, settings: ReminderSettings) -> Self {
        let store = ReminderStore::new(
            services.db().clone(),
            services.keys().clone(),
            services.clock(),
        );
        Self {
            services,
            store,
            channels,
            settings,
            planned_until: Arc::default(),
        }
    }

    pub fn store(&self) -> &ReminderStore {
        &self.store
    }

    fn grace(&self) -> Duration {
        Duration::minutes(self.settings.grace_minutes)
    }

    fn lease(&self) -> Duration {
        Duration::seconds(self.settings.lease_secs)
    }

    /// Plans, sends what is due, escalates what nobody answered.
    pub async fn round(&self) -> Result<Round, SchedulerError> {
        let mut round = Round {
            planned: self.plan().await?,
            ..Round::default()
        };
        loop {
            let due = self
                .store
                .claim_due(self.settings.batch, self.lease())
                .await?;
            if due.is_empty() {
                break;
            }
            round += self.side_by_side(due, Work::Deliver).await?;
        }
        loop {
            let unanswered = self
                .store
                .claim_unanswered(
                    Duration::minutes(self.settings.escalate_after_minutes),
                    self.settings.batch,
                    self.lease(),
                )
                .await?;
            if unanswered.is_empty() {
                break;
            }
            round += self.side_by_side(unanswered, Work::Escalate).await?;
        }
        // A shift still open an hour past its scheduled end: the nanny is asked whether she is
        // still working. The service flags the shift as it hands it over, so one bot asks, once.
        for forgotten in self
            .services
            .forgotten_clock_outs(self.services.now())
            .await?
        {
            self.ask_still_on_shift(forgotten, &mut round).await?;
        }
        Ok(round)
    }

    /// Asks the nanny of a forgotten clock-out, on her channel. Nothing is closed or extended for
    /// her: the shift stays flagged (the guardians see it in the hours and the payroll CSV) until
    /// she says when she left.
    async fn ask_still_on_shift(
        &self,
        forgotten: ForgottenClockOut,
        round: &mut Round,
    ) -> Result<(), SchedulerError> {
        let now = self.services.now();
        let on_shift = self
            .services
            .recipients(forgotten.family_id, Audience::Responsible, now)
            .await?;
        let Some(nanny) = on_shift.iter().find(|r| r.member_id == forgotten.member_id) else {
            // In her quiet hours: the flag is all there is (she is not woken for it).
            return Ok(());
        };
        let family = self.services.family_info(forgotten.family_id).await?;
        let reply = render(&forgotten.question, &self.render_context(&family, nanny));
        let route = self.route(nanny);
        let key = format!("shift:{}:still-on-shift", forgotten.shift_id);
        let mut pending = Pending::default();
        self.post(
            nanny,
            &route,
            &reply,
            &forgotten.question,
            &key,
            &family.name,
            &mut pending,
        )
        .await;
        self.flush(pending).await?;
        round.asked += 1;
        Ok(())
    }

    fn render_context(
        &self,
        family: &mednanny_core::services::FamilyInfo,
        recipient: &Recipient,
    ) -> RenderContext {
        RenderContext::new(
            recipient.locale,
            family.timezone,
            &family.country,
            self.services.now(),
        )
    }

    /// The channel a recipient is reached on: WhatsApp when they prefer it (or have no Slack here).
    fn route(&self, recipient: &Recipient) -> Route {
        let slack = self.channels.slack.as_ref().and_then(|(api, team)| {
            let (their_team, user) = recipient.slack.as_deref()?.split_once(':')?;
            (their_team == team).then(|| (api.clone(), user.to_string()))
        });
        let whatsapp = recipient
            .whatsapp
            .clone()
            .filter(|_| self.channels.whatsapp);
        let use_whatsapp = whatsapp.is_some() && (recipient.prefers_whatsapp || slack.is_none());
        Route {
            slack,
            whatsapp: whatsapp.filter(|_| use_whatsapp),
        }
    }

    /// Sends a rendered message on the route: for WhatsApp, left pending for the outbox under
    /// `key` (queued once); or a Slack DM now (a failure is logged without the text).
    #[allow(clippy::too_many_arguments)]
    async fn post(
        &self,
        recipient: &Recipient,
        route: &Route,
        reply: &mednanny_core::messages::Reply,
        msg: &Msg,
        key: &str,
        family: &str,
        pending: &mut Pending,
    ) {
        if let Some(number) = &route.whatsapp {
            pending
                .whatsapp
                .push(whatsapp_message(recipient, number, reply, msg, key, family));
        } else if let Some((api, user)) = &route.slack {
            pending.on_slack = true;
            let sent = async {
                let dm = api.open_dm(user).await?;
                for message in reply_messages(reply) {
                    api.post(&dm, &message, None).await?;
                }
                Ok::<_, crate::slack::api::SlackApiError>(())
            }
            .await;
            if let Err(error) = sent {
                // Logged without the text; the escalation (doses) reaches the guardians.
                tracing::warn!(%error, "reminder not delivered on Slack");
            }
        }
    }

    /// Inserts every reminder due in the last day (the table keeps each once).
    ///
    /// After the first round, only what may have become due since the last one, and the grace
    /// window again (a dose logged with an earlier time can make an every-N-hours reminder due in
    /// the past; anything older than the grace window could only be recorded as missed): the
    /// table already holds the rest, and inserting it again every round was most of an idle
    /// round's cost.
    pub async fn plan(&self) -> Result<usize, SchedulerError> {
        let now = self.services.now();
        let last = *self
            .planned_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let from = match last {
            Some(last) => last.min(now - self.grace()),
            // After a start: a day back, so what was due while no bot ran is found.
            None => now - Duration::hours(LOOKBACK),
        }
        .max(now - Duration::hours(LOOKBACK));
        let mut planned = Vec::new();
        for family in self.services.reminder_plans().await? {
            planned.extend(
                planner::plan(&family, from, now)
                    .into_iter()
                    .map(|p| (family.family_id, p)),
            );
        }
        let inserted = self.store.insert(&planned).await?;
        *self
            .planned_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(now);
        Ok(inserted)
    }

    /// Works through claimed reminders: one family's in order (its members read them in the order
    /// they were due), families side by side. A claimed reminder left undone by an error stays
    /// leased, and a later round takes it again once the lease runs out.
    async fn side_by_side(
        &self,
        claimed: Vec<Reminder>,
        work: Work,
    ) -> Result<Round, SchedulerError> {
        let batch = &self.batch(&claimed, work).await?;
        let mut by_family: BTreeMap<i64, Vec<Reminder>> = BTreeMap::new();
        for reminder in claimed {
            by_family
                .entry(reminder.family_id)
                .or_default()
                .push(reminder);
        }
        let families = by_family.into_values().map(|reminders| async move {
            let mut round = Round::default();
            let mut pending = Pending::default();
            let mut outcome = Ok(());
            for reminder in reminders {
                let done = match work {
                    Work::Deliver => {
                        self.deliver(reminder, batch, &mut pending, &mut round)
                            .await
                    }
                    Work::Escalate => {
                        self.escalate(reminder, batch, &mut pending, &mut round)
                            .await
                    }
                };
                if done.is_err() {
                    outcome = done;
                    break;
                }
            }
            // What was sent is recorded even when a later reminder failed. A Slack message has
            // already left, so the family's reminders are recorded as sent now (a crash before
            // that would send them again once the lease ran out); WhatsApp messages leave only
            // once queued, so a family reached only there waits for the batch's one transaction.
            if pending.on_slack {
                let flushed = self.flush(std::mem::take(&mut pending)).await;
                outcome = outcome.and(flushed);
            }
            (outcome.map(|()| round), pending)
        });
        let mut done = futures_util::stream::iter(families).buffer_unordered(FAMILIES_AT_ONCE);
        let mut total = Round::default();
        let mut failed = None;
        let mut queued = Pending::default();
        while let Some((family, pending)) = done.next().await {
            queued.whatsapp.extend(pending.whatsapp);
            queued.sent.extend(pending.sent);
            match family {
                Ok(round) => total += round,
                Err(error) => failed = Some(error),
            }
        }
        drop(done);
        self.flush(queued).await?;
        match failed {
            Some(error) => Err(error),
            None => Ok(total),
        }
    }

    /// Reads what a claimed batch's reminders need before any is sent: their facts (children,
    /// pauses, medications, doses), whom each is for, and those people and families, each in a
    /// few queries for the whole batch (docs/benchmarks.md).
    async fn batch(&self, claimed: &[Reminder], work: Work) -> Result<Batch, SchedulerError> {
        let facts = self.services.reminder_facts(claimed).await?;
        let mut audiences = HashMap::with_capacity(claimed.len());
        for reminder in claimed {
            let audience = match work {
                Work::Deliver => self.services.reminder_audience(reminder).await?,
                Work::Escalate => Some(Audience::Guardians),
            };
            audiences.insert(reminder.id, audience);
        }
        let wanted: Vec<(i64, Audience)> = claimed
            .iter()
            .filter_map(|r| Some((r.family_id, audiences.get(&r.id).copied().flatten()?)))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let families: Vec<i64> = claimed
            .iter()
            .map(|r| r.family_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        Ok(Batch {
            facts,
            audiences,
            recipients: self
                .services
                .recipients_in(&wanted, self.services.now())
                .await?,
            families: self.services.families_info(&families).await?,
        })
    }

    /// Writes what reminders left pending in one transaction (a family's, or a whole batch's:
    /// see [`Scheduler::side_by_side`]): the WhatsApp messages queued for the bridge and the
    /// reminders recorded as sent. On PostgreSQL each commit waits for the disk; a commit per
    /// reminder, then per family, was most of a round's time (docs/benchmarks.md).
    async fn flush(&self, pending: Pending) -> Result<(), SchedulerError> {
        if pending.whatsapp.is_empty() && pending.sent.is_empty() {
            return Ok(());
        }
        let services = &self.services;
        let txn = services.db().write(LockScope::OwnRow).await?;
        outbox::queue(&*txn, services.keys(), services.now(), &pending.whatsapp).await?;
        self.store.sent_in(&txn, &pending.sent).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn deliver(
        &self,
        reminder: Reminder,
        batch: &Batch,
        pending: &mut Pending,
        round: &mut Round,
    ) -> Result<(), SchedulerError> {
        let now = self.services.now();
        // A dose already given (typed, or from another reminder's button) answers it, late or not.
        if reminder.kind == ReminderKind::Dose {
            if let Some(by) = batch.facts.dose_answering(&reminder) {
                self.store.finish(reminder.id, Status::Given, by).await?;
                round.closed += 1;
                return Ok(());
            }
        }
        if reminder.due_at < now - self.grace() {
            self.store.finish(reminder.id, Status::Missed, None).await?;
            round.missed += 1;
            return Ok(());
        }
        let Some(audience) = batch.audiences.get(&reminder.id).copied().flatten() else {
            // For nobody any more (its schedule or certification removed, its nanny gone).
            self.store
                .finish(reminder.id, Status::Cancelled, None)
                .await?;
            round.closed += 1;
            return Ok(());
        };
        let recipients = batch.recipients(reminder.family_id, audience);
        if recipients.is_empty() {
            // Everyone responsible is in quiet hours: it waits for the first of them to end.
            self.store
                .held(
                    reminder.id,
                    Duration::seconds(self.settings.interval_secs as i64),
                )
                .await?;
            round.held += 1;
            return Ok(());
        }
        let Some(sent_to) = self
            .send(&reminder, batch, recipients, false, pending)
            .await?
        else {
            self.store
                .finish(reminder.id, Status::Cancelled, None)
                .await?;
            round.closed += 1;
            return Ok(());
        };
        // A reminder nobody could be reached for is still "sent" to them: the escalation (doses)
        // then tells the guardians.
        pending.sent.push(SentReminder {
            id: reminder.id,
            to: sent_to,
            awaits_answer: reminder.kind.needs_answer(),
        });
        round.sent += 1;
        Ok(())
    }

    async fn escalate(
        &self,
        reminder: Reminder,
        batch: &Batch,
        pending: &mut Pending,
        round: &mut Round,
    ) -> Result<(), SchedulerError> {
        if let Some(by) = batch.facts.dose_answering(&reminder) {
            self.store.finish(reminder.id, Status::Given, by).await?;
            round.closed += 1;
            return Ok(());
        }
        let guardians = batch.recipients(reminder.family_id, Audience::Guardians);
        if guardians.is_empty() {
            // Every guardian is in quiet hours: the escalation waits for the first of them to
            // end (a dose logged meanwhile answers it), rather than telling nobody.
            self.store
                .held(
                    reminder.id,
                    Duration::seconds(self.settings.interval_secs as i64),
                )
                .await?;
            round.held += 1;
            return Ok(());
        }
        match self
            .send(&reminder, batch, guardians, true, pending)
            .await?
        {
            Some(to) => {
                self.store
                    .escalated(reminder.id, &to, &reminder.sent_to)
                    .await?;
                round.escalated += 1;
            }
            None => {
                self.store
                    .finish(reminder.id, Status::Cancelled, None)
                    .await?;
                round.closed += 1;
            }
        }
        Ok(())
    }

    /// Sends the reminder to each recipient on their channel; the members it was meant for, or
    /// `None` when it is no longer wanted.
    async fn send(
        &self,
        reminder: &Reminder,
        batch: &Batch,
        recipients: &[Recipient],
        escalated: bool,
        pending: &mut Pending,
    ) -> Result<Option<Vec<i64>>, SchedulerError> {
        let family = match batch.families.get(&reminder.family_id) {
            Some(family) => family.clone(),
            None => self.services.family_info(reminder.family_id).await?,
        };
        let mut to = Vec::new();
        for recipient in recipients {
            let route = self.route(recipient);
            let Some(mut msg) = self
                .services
                .reminder_message_from(&batch.facts, reminder, escalated, route.whatsapp.is_none())
                .await?
            else {
                return Ok(None);
            };
            // A certification's holder reads about her own ("your CPR…").
            if let Msg::ReminderCertification { yours, .. } = &mut msg {
                *yours = batch.audiences.get(&reminder.id)
                    == Some(&Some(Audience::GuardiansAnd(recipient.member_id)));
            }
            let reply = render(&msg, &self.render_context(&family, recipient));
            to.push(recipient.member_id);
            let key = format!(
                "reminder:{}:{}:{}",
                reminder.id,
                recipient.member_id,
                if escalated { "escalated" } else { "due" }
            );
            self.post(recipient, &route, &reply, &msg, &key, &family.name, pending)
                .await;
        }
        Ok(Some(to))
    }

    /// Runs rounds every `interval_secs` until stopped.
    pub fn start(self) -> Running {
        let (stop, mut stopped) = watch::channel(false);
        let interval = StdDuration::from_secs(self.settings.interval_secs);
        let task = tokio::spawn(async move {
            loop {
                match self.round().await {
                    Ok(round) if round != Round::default() => {
                        tracing::info!(?round, "reminders round");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "reminders round failed"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stopped.changed() => return,
                }
            }
        });
        Running { stop, task }
    }
}

/// A reminder as a WhatsApp message for the outbox, queued once under `key`: plain text within
/// the recipient's 24-hour window, otherwise the approved reminder template (only a template may
/// be sent then), whose variables name the family and what is due; its fallback carries the same
/// words.
fn whatsapp_message(
    recipient: &Recipient,
    number: &str,
    reply: &mednanny_core::messages::Reply,
    msg: &Msg,
    key: &str,
    family: &str,
) -> NewMessage {
    let body = reply_texts(reply, recipient.locale).0.join("\n");
    let content = if recipient.whatsapp_window_open {
        Content::Text { body }
    } else {
        let what = match msg {
            Msg::ReminderDose { .. } => "dose",
            Msg::DailySummary { .. } => "summary",
            Msg::StillOnShift { .. } => "shift",
            Msg::ReminderShiftStart { .. } => "shift",
            Msg::ReminderCertification { .. } => "certification",
            _ => "reminder",
        };
        Content::Template {
            kind: TemplateKind::Reminder,
            variables: [
                ("1".to_string(), family.to_string()),
                ("2".to_string(), what.to_string()),
            ]
            .into(),
            fallback: body,
        }
    };
    NewMessage {
        recipient: number.to_string(),
        person_id: Some(recipient.person_id),
        content,
        dedupe_key: key.to_string(),
    }
}

/// What a family's reminders leave to write once all are handled: see [`Scheduler::flush`].
#[derive(Default)]
struct Pending {
    whatsapp: Vec<NewMessage>,
    sent: Vec<SentReminder>,
    /// A message went (or was tried) on Slack: see [`Scheduler::side_by_side`].
    on_slack: bool,
}

/// Families whose reminders are sent at the same time. Enough to keep both database and HTTP
/// busy while one family waits on the other; SQLite serializes the writes anyway.
const FAMILIES_AT_ONCE: usize = 16;

#[derive(Debug, Clone, Copy)]
enum Work {
    Deliver,
    Escalate,
}

/// What a claimed batch's reminders need, read together: see [`Scheduler::batch`].
struct Batch {
    facts: ReminderFacts,
    /// Per reminder, whom it is for (`None`: nobody any more).
    audiences: HashMap<i64, Option<Audience>>,
    /// Who each audience of each family is at the moment of the round (quiet hours applied).
    recipients: HashMap<(i64, Audience), Vec<Recipient>>,
    families: HashMap<i64, FamilyInfo>,
}

impl Batch {
    fn recipients(&self, family_id: i64, audience: Audience) -> &[Recipient] {
        self.recipients
            .get(&(family_id, audience))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// How one recipient is reached.
struct Route {
    slack: Option<(SlackApi, String)>,
    /// Set when WhatsApp is the channel used.
    whatsapp: Option<String>,
}

/// A running scheduler.
pub struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Running {
    /// Stops after the round in progress.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
