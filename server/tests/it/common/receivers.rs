//! What notifications and traces are sent to, in tests: a webhook receiver (a small axum server on a free
//! loopback port that can be told to fail) and an SMTP sink (a few lines of SMTP on `tokio::net`
//! that keeps every message it is given), and an OTLP/HTTP receiver that keeps every span.

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

/// One span as an OTLP receiver got it: ids in hex, and every attribute (the span's and its
/// events') as text.
#[derive(Clone, Debug)]
pub struct ExportedSpan {
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: String,
    pub name: String,
    /// OTLP's SpanKind: 2 server, 3 client.
    pub kind: i32,
    pub attributes: Vec<(String, String)>,
    /// The events' names and attributes (log lines inside the span).
    pub events: Vec<(String, Vec<(String, String)>)>,
}

impl ExportedSpan {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }
}

/// An OTLP/HTTP receiver (a collector's `/v1/traces`, protobuf) on a free loopback port: keeps
/// every span it is sent, and the resources' attributes.
pub struct OtlpReceiver {
    /// What `OTEL_EXPORTER_OTLP_ENDPOINT` is set to (the exporter adds `/v1/traces`).
    pub endpoint: String,
    spans: Arc<Mutex<Vec<ExportedSpan>>>,
    resources: Arc<Mutex<Vec<(String, String)>>>,
}

impl OtlpReceiver {
    pub async fn start() -> Self {
        use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
        use prost::Message;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let spans: Arc<Mutex<Vec<ExportedSpan>>> = Default::default();
        let resources: Arc<Mutex<Vec<(String, String)>>> = Default::default();
        let (kept, described) = (spans.clone(), resources.clone());
        let router = Router::new().route(
            "/v1/traces",
            post(move |headers: HeaderMap, body: Bytes| async move {
                assert_eq!(headers.get("content-type").unwrap(), "application/x-protobuf");
                let Ok(request) = ExportTraceServiceRequest::decode(body) else { return StatusCode::BAD_REQUEST };
                for resource_spans in request.resource_spans {
                    if let Some(resource) = resource_spans.resource {
                        described.lock().unwrap().extend(resource.attributes.iter().map(pair));
                    }
                    for scope in resource_spans.scope_spans {
                        kept.lock().unwrap().extend(scope.spans.into_iter().map(|span| {
                            ExportedSpan {
                                trace_id: hex(&span.trace_id),
                                span_id: hex(&span.span_id),
                                parent_span_id: hex(&span.parent_span_id),
                                name: span.name,
                                kind: span.kind,
                                attributes: span.attributes.iter().map(pair).collect(),
                                events: span
                                    .events
                                    .iter()
                                    .map(|event| (event.name.clone(), event.attributes.iter().map(pair).collect()))
                                    .collect(),
                            }
                        }));
                    }
                }
                StatusCode::OK
            }),
        );
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { endpoint, spans, resources }
    }

    pub fn spans(&self) -> Vec<ExportedSpan> {
        self.spans.lock().unwrap().clone()
    }

    pub fn resource_attributes(&self) -> Vec<(String, String)> {
        self.resources.lock().unwrap().clone()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// An OTLP attribute as (key, its value as text).
fn pair(attribute: &opentelemetry_proto::tonic::common::v1::KeyValue) -> (String, String) {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    let value = match attribute.value.as_ref().and_then(|value| value.value.as_ref()) {
        Some(Value::StringValue(text)) => text.clone(),
        Some(Value::IntValue(number)) => number.to_string(),
        Some(Value::BoolValue(flag)) => flag.to_string(),
        Some(Value::DoubleValue(number)) => number.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    };
    (attribute.key.clone(), value)
}
