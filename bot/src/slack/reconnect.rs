//! Backoff for Socket Mode (re)connections.
//!
//! slack-morphism 2.31 retries a refused Socket Mode connection at a fixed interval, reconnects a
//! dropped one at once, and has no backoff option; its connection manager runs only on its own hyper
//! connector type. Every attempt, though, starts with an `apps.connections.open` call. So the backoff
//! lives in the connector of a client that makes only those calls: before opening the TCP
//! connection for an attempt it waits as long as the run of attempts so far asks. Its connections
//! are single-use (poisoned for hyper's pool), so every attempt passes through here.
//!
//! A run of attempts ends when Slack says `hello` on a connection. The first `free` attempts of a
//! run (one per connection: a restart, or Slack recycling every socket at once with a `disconnect`
//! message) go without waiting, so a refresh Slack asks for is answered at once. After that the
//! waits double from `min` up to `max`, each picked at random between half of it and all of it.
//! The random part keeps many bots from reconnecting in step after an outage. slack-morphism's own
//! 1 s pause after a failed attempt comes on top.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use rand::Rng;

/// How reconnection attempts are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// The first wait after the free attempts.
    pub min: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Attempts of a run that go without waiting (one per Socket Mode connection).
    pub free: u32,
}

impl ReconnectPolicy {
    /// The wait before attempt `attempt` (0-based) of a run; `jitter` in `[0, 1]` picks where
    /// between half the nominal wait and all of it.
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let Some(backoff_step) = attempt.checked_sub(self.free) else {
            return Duration::ZERO;
        };
        let nominal = self
            .min
            .saturating_mul(2u32.saturating_pow(backoff_step.min(30)))
            .min(self.max);
        nominal / 2 + nominal.mul_f64(jitter.clamp(0.0, 1.0)) / 2
    }
}

/// The run of attempts, shared by the connector and the `hello` callback.
#[derive(Clone)]
pub struct Backoff {
    policy: ReconnectPolicy,
    run: Arc<Mutex<Run>>,
}

/// Attempts since Slack last said hello.
#[derive(Default)]
struct Run {
    attempts: u32,
}

impl Backoff {
    pub fn new(policy: ReconnectPolicy) -> Self {
        Self {
            policy,
            run: Arc::default(),
        }
    }

    /// Slack said hello on a connection: the run is over.
    pub fn connected(&self) {
        self.run
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .attempts = 0;
    }

    /// Counts an attempt and returns its number in the run and how long to wait before making it.
    fn next_wait(&self) -> (u32, Duration) {
        let mut run = self.run.lock().unwrap_or_else(PoisonError::into_inner);
        let attempt = run.attempts;
        run.attempts = run.attempts.saturating_add(1);
        (
            attempt,
            self.policy.delay(attempt, rand::thread_rng().gen::<f64>()),
        )
    }
}

/// A hyper connector that waits as [`Backoff`] says before each connection, and whose connections
/// are used for one request only.
#[derive(Clone)]
pub struct BackoffConnector<C> {
    inner: C,
    backoff: Backoff,
}

impl<C> BackoffConnector<C> {
    pub fn new(inner: C, backoff: Backoff) -> Self {
        Self { inner, backoff }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<C> tower_service::Service<Uri> for BackoffConnector<C>
where
    C: tower_service::Service<Uri> + Clone + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = SingleUse<C::Response>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        // Use the connector that was polled ready; leave a fresh clone in its place.
        let fresh = self.inner.clone();
        let mut ready = std::mem::replace(&mut self.inner, fresh);
        let (attempt, wait) = self.backoff.next_wait();
        Box::pin(async move {
            if !wait.is_zero() {
                tracing::warn!(
                    attempt,
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "Slack connection attempts are failing; waiting before the next"
                );
                tokio::time::sleep(wait).await;
            }
            ready.call(uri).await.map(SingleUse).map_err(Into::into)
        })
    }
}

/// A connection that hyper's pool will not hand out again (so the next attempt connects anew).
pub struct SingleUse<T>(T);

impl<T: Connection> Connection for SingleUse<T> {
    fn connected(&self) -> Connected {
        let connected = self.0.connected();
        connected.poison();
        connected
    }
}

impl<T: Read + Unpin> Read for SingleUse<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for SingleUse<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: ReconnectPolicy = ReconnectPolicy {
        min: Duration::from_secs(1),
        max: Duration::from_secs(30),
        free: 2,
    };

    #[test]
    fn the_first_attempts_of_a_run_do_not_wait() {
        assert_eq!(POLICY.delay(0, 1.0), Duration::ZERO);
        assert_eq!(POLICY.delay(1, 1.0), Duration::ZERO);
    }

    #[test]
    fn waits_double_up_to_the_maximum_with_jitter_in_the_upper_half() {
        let secs = |attempt, jitter| POLICY.delay(attempt, jitter).as_secs_f64();
        assert_eq!(secs(2, 1.0), 1.0);
        assert_eq!(secs(2, 0.0), 0.5);
        assert_eq!(secs(3, 1.0), 2.0);
        assert_eq!(secs(5, 1.0), 8.0);
        assert_eq!(secs(6, 0.5), 12.0);
        assert_eq!(secs(7, 1.0), 30.0);
        assert_eq!(secs(7, 0.0), 15.0);
        // Far into an outage: capped, and no overflow.
        assert_eq!(secs(500, 1.0), 30.0);
    }

    #[test]
    fn a_run_of_attempts_ends_when_slack_says_hello() {
        let backoff = Backoff::new(POLICY);
        let waits: Vec<(u32, bool)> = (0..4)
            .map(|_| backoff.next_wait())
            .map(|(attempt, wait)| (attempt, wait.is_zero()))
            .collect();
        assert_eq!(waits, vec![(0, true), (1, true), (2, false), (3, false)]);
        backoff.connected();
        assert_eq!(backoff.next_wait(), (0, Duration::ZERO));
    }
}
