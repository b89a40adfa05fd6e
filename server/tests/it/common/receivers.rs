//! What notifications are sent to, in tests: a webhook receiver (a small axum server on a free
//! loopback port that can be told to fail) and an SMTP sink (a few lines of SMTP on `tokio::net`
//! that keeps every message it is given).

use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post, Router};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// One request the receiver got: its headers and body.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<Received>>>,
    /// Answer 500 to this many requests before answering 200.
    failures_left: Arc<AtomicUsize>,
}

pub struct WebhookReceiver {
    pub url: String,
    inbox: Inbox,
}

impl WebhookReceiver {
    /// A receiver that answers 500 to its first `failures` requests, then 204.
    pub async fn start(failures: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, failures)
    }

    /// A receiver on `listener` (bound earlier, to know its address in advance).
    pub fn serve(listener: TcpListener, failures: usize) -> Self {
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let inbox = Inbox { failures_left: Arc::new(AtomicUsize::new(failures)), ..Default::default() };
        let router = Router::new().route("/hooks", post(receive)).with_state(inbox.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, inbox }
    }

    /// Every request received, failed ones included.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.received.lock().unwrap().clone()
    }

    /// Waits until `count` requests have arrived (or 15 s pass); answers them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..300 {
            if self.received().len() >= count {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.received()
    }
}

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> StatusCode {
    inbox.received.lock().unwrap().push(Received { headers, body: String::from_utf8_lossy(&body).into_owned() });
    let failing = inbox.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1));
    match failing {
        Ok(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Err(_) => StatusCode::NO_CONTENT,
    }
}

/// A message the sink accepted: its recipients and its data (headers and body).
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut mail = Mail { to: Vec::new(), data: String::new() };
                    while let Ok(Some(line)) = lines.next_line().await {
                        let command = line.to_ascii_uppercase();
                        let answer: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                            b"250 sink\r\n"
                        } else if command.starts_with("RCPT TO:") {
                            mail.to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                            b"250 OK\r\n"
                        } else if command == "DATA" {
                            let _ = write.write_all(b"354 go on\r\n").await;
                            while let Ok(Some(data)) = lines.next_line().await {
                                if data == "." {
                                    break;
                                }
                                mail.data.push_str(&data);
                                mail.data.push('\n');
                            }
                            kept.lock()
                                .unwrap()
                                .push(std::mem::replace(&mut mail, Mail { to: Vec::new(), data: String::new() }));
                            b"250 kept\r\n"
                        } else if command == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 OK\r\n"
                        };
                        let _ = write.write_all(answer).await;
                    }
                });
            }
        });
        Self { port, mails }
    }

    /// Points `settings`' email at this sink, plain SMTP on loopback.
    pub fn send_from(&self, settings: &mut server::settings::Settings) {
        settings.email.smtp_host = Some("127.0.0.1".into());
        settings.email.smtp_port = self.port;
        settings.email.tls = server::settings::EmailTls::None;
        settings.email.from = Some("UPS OAuth Opt-In <optin@example.com>".into());
    }

    /// The messages received so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until `count` messages have arrived (or 15 s pass); answers them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Mail> {
        for _ in 0..300 {
            if self.mails.lock().unwrap().len() >= count {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.mails.lock().unwrap().clone()
    }
}
