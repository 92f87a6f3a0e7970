//! Clients that are slow on purpose, for testing a server's limits: connections that never finish
//! their request's head, and a body that trickles forever. Plain TCP, so nothing in between
//! (a client library's own timeouts, its pool) decides for the server.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The start of a request's head, never finished (no blank line ends it).
const PARTIAL_HEAD: &[u8] = b"POST /twilio/whatsapp HTTP/1.1\r\nHost: slow.example\r\nContent-Ty";

/// Opens `count` connections to `address` (`127.0.0.1:8082`) and sends each the start of a
/// request's head, never its end.
pub async fn partial_heads(address: &str, count: usize) -> Vec<TcpStream> {
    let mut streams = Vec::with_capacity(count);
    for n in 0..count {
        let mut stream = TcpStream::connect(address)
            .await
            .unwrap_or_else(|e| panic!("slow client {n}: connect to {address}: {e}"));
        stream
            .write_all(PARTIAL_HEAD)
            .await
            .unwrap_or_else(|e| panic!("slow client {n}: write: {e}"));
        streams.push(stream);
    }
    streams
}

/// Waits, for at most `within`, until the server has closed each of `streams` (a read finds the
/// end of the stream, or a reset); returns how many it left open.
pub async fn left_open(streams: Vec<TcpStream>, within: Duration) -> usize {
    let deadline = tokio::time::Instant::now() + within;
    let waits: Vec<_> = streams
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(async move {
                let closed = async {
                    let mut buf = [0u8; 512];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            // An error answer before the close is still a close.
                            Ok(_) => continue,
                        }
                    }
                };
                tokio::time::timeout_at(deadline, closed).await.is_err()
            })
        })
        .collect();
    let mut open = 0;
    for wait in waits {
        if wait.await.unwrap_or(true) {
            open += 1;
        }
    }
    open
}

/// What a server made of a body that trickled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// The answer's status line (`HTTP/1.1 408 Request Timeout`), empty when there was none.
    pub status_line: String,
    /// How long after the head was sent the server closed the connection.
    pub after: Duration,
}

/// Sends `head` (a request's head, blank line included, announcing a body), then its body one
/// byte every `every`, never finishing it. Returns what the server answered once it closed the
/// connection, or `None` when it had not within `within`.
pub async fn trickle(address: &str, head: &str, every: Duration, within: Duration) -> Option<Cut> {
    let stream = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("trickling client: connect to {address}: {e}"));
    let (mut reader, mut writer) = stream.into_split();
    writer
        .write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("trickling client: write the head: {e}"));
    let sent = Instant::now();
    let dripping = tokio::spawn(async move {
        // Until the server stops reading: a write then fails.
        while writer.write_all(b"a").await.is_ok() {
            tokio::time::sleep(every).await;
        }
    });
    let answered = tokio::time::timeout(within, async {
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        answer
    })
    .await;
    dripping.abort();
    let answer = answered.ok()?;
    let text = String::from_utf8_lossy(&answer);
    Some(Cut {
        status_line: text.lines().next().unwrap_or_default().to_string(),
        after: sent.elapsed(),
    })
}
