//! What one client can hold of the server, over raw TCP: a connection that never finishes its
//! headers, or stays idle after a request, is closed; a request that never finishes its body is
//! answered 408; connections past the cap wait until one is freed instead of exhausting the
//! process's file descriptors.

use crate::common;

use common::spawn_app_with;
use std::time::{Duration, Instant};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Reads until the server closes the connection (or `limit` passes); answers what it sent and
/// how long it took to close.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Option<Duration>) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((started + limit).into(), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (String::from_utf8_lossy(&received).into_owned(), Some(started.elapsed()))
            }
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
            Err(_) => return (String::from_utf8_lossy(&received).into_owned(), None),
        }
    }
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed() {
    let app = spawn_app_with(|settings| settings.connections.header_timeout_secs = 1).await;
    let address = format!("127.0.0.1:{}", app.local.port().unwrap());

    let mut slow = TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let (_, closed) = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "a connection that never finishes its headers is closed");

    let mut idle = TcpStream::connect(&address).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let (answer, closed) = read_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed.is_some(), "a kept-alive connection left idle is closed");
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_is_answered_408() {
    let app = spawn_app_with(|settings| settings.connections.request_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(format!("127.0.0.1:{}", app.local.port().unwrap())).await.unwrap();
    let origin = app.base.origin().ascii_serialization();
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nsign_in_name="
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn connections_past_the_cap_wait_and_are_served_once_one_is_freed() {
    let app = spawn_app_with(|settings| {
        settings.connections.max = 3;
        settings.connections.header_timeout_secs = 2;
    })
    .await;
    let address = format!("127.0.0.1:{}", app.local.port().unwrap());
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buffer = [0u8; 512];
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));
        held.push(stream);
    }
    let healthz = app.local.join("/healthz").unwrap();
    let client = reqwest::Client::builder().timeout(Duration::from_millis(700)).build().unwrap();
    assert!(client.get(healthz.clone()).send().await.is_err(), "a fourth connection waits while three are held");

    // The held connections go idle and are closed after the header timeout; then it is served.
    let started = Instant::now();
    let patient = reqwest::Client::builder().timeout(Duration::from_secs(6)).build().unwrap();
    let response = patient.get(healthz).send().await.expect("served once a connection is freed");
    assert!(response.status().is_success());
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    drop(held);
}
