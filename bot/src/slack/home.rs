//! The App Home dashboard: published when a person opens it, and refreshed for every Slack member of
//! a family after a write that concerns them. The same pass pushes any alert waiting for a member
//! (an extra dose was logged) to their DM at once.
//!
//! Refreshes are coalesced: a burst of doses in one family publishes each member's home once per
//! quarter second, not once per dose, which keeps us far inside `views.publish`'s rate limit. Only
//! the homes of people who opened theirs since this process started are refreshed: Slack sends
//! `app_home_opened` every time the tab is opened, and the home is published fresh then, so a
//! refresh for someone who never looks would be work (and rate limit) spent for nothing.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use mednanny_core::domain::{Channel, IdentityKind};
use mednanny_core::engine::Engine;
use mednanny_core::messages::Msg;
use tokio::sync::mpsc;

use super::api::{SlackApi, SlackApiError};
use super::render::{home_view, reply_messages, welcome_view};

/// How long refresh requests are gathered before publishing.
const COALESCE: Duration = Duration::from_millis(250);

#[derive(Clone)]
pub struct HomeRefresher {
    families: mpsc::UnboundedSender<Refresh>,
    publisher: Arc<Publisher>,
}

struct Publisher {
    api: SlackApi,
    engine: Engine,
    team_id: String,
    /// `T…:U…` of the people who opened their App Home.
    viewers: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl HomeRefresher {
    pub fn start(api: SlackApi, engine: Engine, team_id: String) -> Self {
        let publisher = Arc::new(Publisher {
            api,
            engine,
            team_id,
            viewers: std::sync::Mutex::new(std::collections::HashSet::new()),
        });
        let (families, queue) = mpsc::unbounded_channel();
        tokio::spawn(refresh_loop(Arc::downgrade(&publisher), queue));
        Self {
            families,
            publisher,
        }
    }

    /// Asks for what a turn calls for, soon: the family's open homes refreshed after a change, and
    /// alerts pushed when the turn queued some.
    pub fn after_turn(&self, turn: &mednanny_core::engine::Turn) {
        if let Some(family_id) = turn.family_id {
            if turn.changed_record || turn.alerts_queued {
                let _ = self.families.send(Refresh {
                    family_id,
                    alerts: turn.alerts_queued,
                });
            }
        }
    }

    /// Publishes one person's home now (they opened it), and keeps it fresh from now on.
    pub async fn opened(&self, team: &str, user: &str) -> Result<(), SlackApiError> {
        if let Ok(mut viewers) = self.publisher.viewers.lock() {
            viewers.insert(format!("{team}:{user}"));
        }
        self.publisher.publish(team, user).await
    }
}

impl Publisher {
    async fn publish(&self, team: &str, user: &str) -> Result<(), SlackApiError> {
        let external_id = format!("{team}:{user}");
        let view = match self
            .engine
            .dashboard(IdentityKind::Slack, &external_id, Channel::Slack)
            .await
        {
            Ok(Some(dashboard)) => home_view(&dashboard),
            Ok(None) => welcome_view(&self.engine.notice(&Msg::Welcome)),
            Err(error) => {
                tracing::error!(%error, "dashboard unavailable");
                return Ok(());
            }
        };
        self.api.publish_home(user, view).await
    }

    /// Sends a member the alerts waiting for them, in their DM, and marks them delivered once sent
    /// (a failed send leaves them waiting: they show with the member's next message).
    async fn push_alerts(&self, external_id: &str, user: &str) -> Result<(), SlackApiError> {
        let groups = match self
            .engine
            .pending_alerts_for(IdentityKind::Slack, external_id, Channel::Slack)
            .await
        {
            Ok(groups) => groups,
            Err(error) => {
                tracing::error!(%error, "alerts unavailable");
                return Ok(());
            }
        };
        if groups.is_empty() {
            return Ok(());
        }
        let dm = self.api.open_dm(user).await?;
        for group in &groups {
            for alert in &group.replies {
                for message in reply_messages(alert) {
                    self.api.post(&dm, &message, None).await?;
                }
            }
            if let Err(error) = self
                .engine
                .alerts_delivered(IdentityKind::Slack, external_id, Channel::Slack, group)
                .await
            {
                tracing::error!(%error, "alerts sent but not marked delivered");
            }
        }
        Ok(())
    }

    async fn refresh(&self, family_id: i64, alerts: bool) {
        let members = match self
            .engine
            .services()
            .member_identities(family_id, IdentityKind::Slack)
            .await
        {
            Ok(members) => members,
            Err(error) => {
                tracing::error!(%error, "members unavailable for a home refresh");
                return;
            }
        };
        for member in members {
            let Some((team, user)) = member.split_once(':') else {
                continue;
            };
            if team != self.team_id {
                continue;
            }
            if alerts {
                if let Err(error) = self.push_alerts(&member, user).await {
                    tracing::warn!(%error, "alert push failed");
                }
            }
            let viewing = self
                .viewers
                .lock()
                .map(|viewers| viewers.contains(&member))
                .unwrap_or(true);
            if !viewing {
                continue;
            }
            if let Err(error) = self.publish(team, user).await {
                tracing::warn!(%error, "home refresh failed");
            }
        }
    }
}

impl crate::pipeline::AlertPush for HomeRefresher {
    fn after_turn(&self, turn: &mednanny_core::engine::Turn) {
        HomeRefresher::after_turn(self, turn);
    }
}

/// One family to refresh, and whether alerts are waiting to be pushed.
struct Refresh {
    family_id: i64,
    alerts: bool,
}

async fn refresh_loop(publisher: Weak<Publisher>, mut queue: mpsc::UnboundedReceiver<Refresh>) {
    while let Some(first) = queue.recv().await {
        // Alerts go out at once; dashboards wait a moment so a burst publishes once.
        if !first.alerts {
            tokio::time::sleep(COALESCE).await;
        }
        let mut families: BTreeMap<i64, bool> = BTreeMap::from([(first.family_id, first.alerts)]);
        while let Ok(next) = queue.try_recv() {
            *families.entry(next.family_id).or_default() |= next.alerts;
        }
        let Some(publisher) = publisher.upgrade() else {
            return;
        };
        for (family, alerts) in families {
            publisher.refresh(family, alerts).await;
        }
    }
}
