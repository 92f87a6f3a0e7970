//! The bridge stub answers `GET /healthz` and nothing else.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Starts the bridge on an ephemeral port. Dropping or sending on the
/// returned sender shuts it down.
async fn start() -> (
    SocketAddr,
    oneshot::Sender<()>,
    JoinHandle<std::io::Result<()>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(twilio_bridge::run(listener, async {
        let _ = rx.await;
    }));
    (addr, tx, server)
}

async fn stop(tx: oneshot::Sender<()>, server: JoinHandle<std::io::Result<()>>) {
    let _ = tx.send(());
    server
        .await
        .expect("server task panicked")
        .expect("server returned an error");
}

#[tokio::test]
async fn healthz_returns_ok() {
    let (addr, tx, server) = start().await;

    let response = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .expect("GET /healthz");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.text().await.expect("body"), "ok");

    stop(tx, server).await;
}

#[tokio::test]
async fn unknown_path_is_404() {
    let (addr, tx, server) = start().await;

    let response = reqwest::get(format!("http://{addr}/no-such-path"))
        .await
        .expect("GET /no-such-path");
    assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND);

    stop(tx, server).await;
}
