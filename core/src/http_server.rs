//! The HTTP server both processes run: `twilio-bridge`'s (Twilio's webhooks, on a public port) and
//! `mednanny serve`'s (health, and the bridge's internal call). Each hands it its router; this
//! module adds the limits a port open to anyone needs.
//!
//! `axum::serve` gives hyper no timer, so hyper waited for a request's head for as long as the
//! client took: 200 connections that never finished their headers were all still open after 20 s
//! (issue 29). Served here instead, on hyper's HTTP/1.1 (the only version either process speaks):
//!
//! - **Header timeout** ([`HttpLimits::header_timeout`]): hyper's `header_read_timeout`, on
//!   tokio's timer. It runs from the moment hyper waits for a request's head: on a new connection
//!   at once, and on a kept-alive one from the end of the previous response. So it is also the
//!   idle keep-alive limit: a connection kept open with nothing asked is closed when it runs out.
//! - **Body timeout** ([`HttpLimits::body_timeout`]): the whole body within that time of its head
//!   ([`Deadline`]). tower-http's `RequestBodyTimeoutLayer` times each frame, not the body: a
//!   client sending a byte a second would never be cut. A request past it is answered
//!   `408 Request Timeout` with `Connection: close`, and hyper, left with a body nobody reads,
//!   closes the connection after the answer.
//! - **Connections** ([`HttpLimits::max_connections`]): at most that many at once. The next one
//!   waits in the kernel's accept queue until one closes, rather than being accepted and refused.
//!   Every connection is bounded by the two timeouts, so a slot frees within seconds even when
//!   slow clients hold them all; a refusal would instead turn Twilio away at once while the
//!   flood lasts (a waiting webhook is answered, inside Twilio's 15 s). And the process never
//!   holds more sockets than that: running out of file descriptors would stop the database too.
//! - **Shutdown**: when `shutdown` completes, nothing new is accepted, each connection finishes
//!   the request it is serving (an idle one is closed), and `serve` returns once all are done:
//!   at most the timeouts later for a client that is slow on purpose.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{HeaderValue, CONNECTION};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::time::{Instant, Sleep};
use tower_service::Service;

/// What one server allows a client (from `[api]` or `[bridge]`, see `settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// A request's head must arrive within this (and a kept-alive connection's next one within
    /// this of the previous answer).
    pub header_timeout: Duration,
    /// A request's body must arrive whole within this of its head.
    pub body_timeout: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: u32,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves `service` on `listener` within `limits` until `shutdown` completes, then lets the
/// connections finish their requests and returns.
pub async fn serve<S, B>(
    listener: TcpListener,
    service: S,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: Service<Request<Deadline<Incoming>>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Body + Default + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let http = Arc::new(http);
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A slot first: beyond the limit, connections wait in the kernel's queue, unaccepted.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection = Connection {
            http: http.clone(),
            service: service.clone(),
            body_timeout: limits.body_timeout,
            stopping: stopping.clone(),
        };
        tokio::spawn(async move {
            connection.run(stream).await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a slot until it ends: all slots back means all connections done.
    let _ = slots.acquire_many(limits.max_connections).await;
    Ok(())
}

/// One accepted connection and what serving it needs.
struct Connection<S> {
    http: Arc<hyper::server::conn::http1::Builder>,
    service: S,
    body_timeout: Duration,
    stopping: watch::Receiver<bool>,
}

impl<S> Connection<S> {
    async fn run<B>(mut self, stream: tokio::net::TcpStream)
    where
        S: Service<Request<Deadline<Incoming>>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: Body + Default + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let (service, body_timeout) = (self.service, self.body_timeout);
        let requests = hyper::service::service_fn(move |request: Request<Incoming>| {
            let mut service = service.clone();
            let late = Arc::new(AtomicBool::new(false));
            let request = request.map(|body| Deadline::new(body, body_timeout, late.clone()));
            async move {
                std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
                let response = service.call(request).await?;
                if late.load(Ordering::Acquire) {
                    return Ok::<_, Infallible>(too_slow());
                }
                Ok(response)
            }
        });
        let connection = self.http.serve_connection(TokioIo::new(stream), requests);
        let mut connection = std::pin::pin!(connection);
        let mut finishing = *self.stopping.borrow();
        if finishing {
            connection.as_mut().graceful_shutdown();
        }
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(error) = served {
                        // A header timeout or a client gone: theirs, not ours.
                        tracing::debug!(%error, "HTTP connection ended");
                    }
                    return;
                }
                _ = self.stopping.changed(), if !finishing => {
                    finishing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// The answer to a request whose body did not arrive in time.
fn too_slow<B: Default>() -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// As `axum::serve` (and hyper 0.14 before it) does: a connection reset before it was accepted is
/// nothing; anything else (EMFILE: out of file descriptors) is logged and waited out for a second,
/// in case connections close meanwhile, instead of spinning.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// A request body that must arrive whole before a deadline (its head's arrival plus the body
/// timeout), however it trickles. Past it, reading fails and the request is marked `late`, so the
/// server answers 408 whatever the handler made of the error.
pub struct Deadline<B> {
    body: B,
    deadline: Pin<Box<Sleep>>,
    late: Arc<AtomicBool>,
}

impl<B> Deadline<B> {
    fn new(body: B, timeout: Duration, late: Arc<AtomicBool>) -> Self {
        Self {
            body,
            deadline: Box::pin(tokio::time::sleep_until(Instant::now() + timeout)),
            late,
        }
    }
}

/// The error a [`Deadline`] body fails with.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTooSlow;

impl<B> Body for Deadline<B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = B::Data;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.late.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(Box::new(BodyTooSlow))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
