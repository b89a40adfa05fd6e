//! When UPS pushes back on a whole application, driven from outside against a provider double
//! switched at run time: a storm of due refreshes into a 429 stays within the application's
//! budget and opens its breaker once (one `application.degraded`, one `application.recovered`,
//! signed, to the operators' webhook), nothing is marked dead, and everything is refreshed
//! after; a refused client tells the operators and no company; `Retry-After` reaches the token
//! API; two instances share one budget; `authorization.expiring` goes out once; Check now says
//! how UPS answered, and the product page and the widget say when UPS is not answering.

use crate::common;

use axum::{extract::State, http::StatusCode as Status, response::IntoResponse, routing::post, Json, Router};
use common::{
    receivers::{Received, SmtpSink, WebhookReceiver},
    spawn_app_with_provider_and, unix_now, TestApp,
};
use model::Product;
use reqwest::StatusCode;
use server::settings::Settings;
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const IRL: Product = Product::ReverseLogistics;
const OPERATORS_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// How the double answers refreshes.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Pair,
    RateLimited(Option<u64>),
    InvalidClient,
}

/// A UPS double whose answer is switched at run time; it keeps when each refresh arrived and
/// how many pairs it issued.
#[derive(Clone)]
struct Provider {
    base: String,
    answer: Arc<Mutex<Answer>>,
    calls: Arc<Mutex<Vec<Instant>>>,
    issued: Arc<Mutex<u64>>,
}

impl Provider {
    async fn start(answer: Answer) -> Self {
        let provider = Self {
            base: String::new(),
            answer: Arc::new(Mutex::new(answer)),
            calls: Default::default(),
            issued: Default::default(),
        };
        let router = Router::new().route("/security/v1/oauth/refresh", post(refresh)).with_state(provider.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/security", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { base, ..provider }
    }

    fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    fn calls(&self) -> Vec<Instant> {
        self.calls.lock().unwrap().clone()
    }

    fn issued(&self) -> u64 {
        *self.issued.lock().unwrap()
    }
}

async fn refresh(State(provider): State<Provider>) -> axum::response::Response {
    provider.calls.lock().unwrap().push(Instant::now());
    tokio::time::sleep(Duration::from_millis(3)).await;
    let answer = *provider.answer.lock().unwrap();
    let error = |status: Status, code: &str, message: &str| {
        (status, Json(serde_json::json!({"response": {"errors": [{"code": code, "message": message}]}})))
    };
    match answer {
        Answer::Pair => {
            let n = {
                let mut issued = provider.issued.lock().unwrap();
                *issued += 1;
                *issued
            };
            Json(serde_json::json!({
                "token_type": "Bearer", "access_token": format!("access-{n}"), "refresh_token": format!("refresh-{n}"),
                "expires_in": "3600", "refresh_token_expires_in": "5183999", "status": "approved",
            }))
            .into_response()
        }
        Answer::RateLimited(retry_after) => {
            let mut response = error(Status::TOO_MANY_REQUESTS, "429", "Too Many Requests").into_response();
            if let Some(seconds) = retry_after {
                response.headers_mut().insert("retry-after", seconds.into());
            }
            response
        }
        Answer::InvalidClient => error(Status::UNAUTHORIZED, "10401", "ClientId is Invalid").into_response(),
    }
}

/// The refresh worker on, looking every second, within `per_second`; deliveries looked for ten
/// times a second; incidents to `operators`.
fn pushing_back(settings: &mut Settings, per_second: f64, operators: &WebhookReceiver) {
    settings.refresh_worker = true;
    settings.refresh_interval_secs = 1;
    settings.ups.refreshes_per_second = per_second;
    settings.webhooks.worker = true;
    settings.webhooks.poll_millis = 100;
    settings.operators.webhook_url = Some(operators.url.clone());
    settings.operators.webhook_secret = Some(optin_core::secret::SecretString::new(OPERATORS_SECRET));
}

/// `count` companies with an authorization of IRL whose token has expired.
async fn due(app: &TestApp, count: usize) -> Vec<model::CompanyId> {
    let mut companies = Vec::with_capacity(count);
    for n in 0..count {
        let company = app.company(&format!("Company {n}")).await;
        app.seed_grant(company, IRL).await;
        companies.push(company);
    }
    app.execute("UPDATE oauth_tokens SET expires_at = $1 - 1 WHERE status = 'active'", &[unix_now()]).await;
    app.execute("UPDATE authorizations SET refresh_at = $1 - 1", &[unix_now()]).await;
    app.core().store.external_change();
    companies
}

/// The incidents the operators' webhook received, each verified with the operators' secret.
fn incidents(received: &[Received]) -> Vec<String> {
    let webhook = standardwebhooks::Webhook::new(OPERATORS_SECRET).unwrap();
    received
        .iter()
        .map(|request| {
            webhook.verify(request.body.as_bytes(), &request.headers).expect("signed with the operators' secret");
            let body = request.json();
            assert_eq!(body["product"], IRL.slug(), "{body}");
            assert!(body.get("company").is_none(), "an incident names no company: {body}");
            body["type"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.column::<i64>(sql, &[]).await[0]
}

async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, within: Duration, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_storm_into_a_429_stays_within_the_budget_and_opens_the_breaker_once() {
    const AUTHORIZATIONS: usize = 240;
    const PER_SECOND: f64 = 40.0;
    const OUTAGE: Duration = Duration::from_secs(4);
    let provider = Provider::start(Answer::RateLimited(None)).await;
    let operators = WebhookReceiver::start(0).await;
    let seeding = spawn_app_with_provider_and(&provider.base, |_| {}).await;
    due(&seeding, AUTHORIZATIONS).await;
    // The worker's interval is long: what the budget holds back must leave as the budget
    // allows, not an interval later.
    let provider_base = provider.base.clone();
    let app = seeding
        .restarted_with(|settings| {
            common::with_provider(settings, &provider_base);
            pushing_back(settings, PER_SECOND, &operators);
            settings.refresh_interval_secs = 30;
        })
        .await;
    let started = Instant::now();

    tokio::time::sleep(OUTAGE.saturating_sub(started.elapsed())).await;
    let during_outage = provider.calls().len();
    provider.answer(Answer::Pair);
    let recovered = Instant::now();
    // The budget allows a burst and then its rate; the breaker allows far less: what was in
    // flight when the first 429 came back (the worker's 16 slots), then one probe at a time
    // (after 1 s, 2 s, … with jitter).
    let budget = PER_SECOND + PER_SECOND * started.elapsed().as_secs_f64();
    assert!((during_outage as f64) <= budget, "{during_outage} requests during the outage, budget {budget}");
    assert!(during_outage <= 16 + 6, "the breaker let {during_outage} requests through during the outage");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM authorizations WHERE status <> 'authorized'").await, 0);

    wait_until("every authorization refreshed after the outage", Duration::from_secs(60), || async {
        provider.issued() == AUTHORIZATIONS as u64
    })
    .await;
    // After the recovery the backlog leaves at the budget's rate, starting from an empty
    // allowance: 240 at 40 a second take 6 s, not the moment they would take unthrottled.
    let draining = recovered.elapsed();
    assert!(draining >= Duration::from_secs(4), "the backlog drained in {draining:?}, faster than the budget allows");
    assert!(
        draining < Duration::from_secs(25),
        "the backlog drained in {draining:?}: the worker waited out its interval"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM authorizations WHERE status <> 'authorized'").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM events WHERE kind = 'authorization.refresh_degraded'").await,
        0,
        "no company is told of the application's incident"
    );

    let received = operators.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(incidents(&operators.received()), ["application.degraded", "application.recovered"], "{received:?}");
    assert_eq!(received[0].json()["class"], "rate_limited");
    let metrics = reqwest::get(app.local.join("/metrics").unwrap()).await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"optin_refreshes_total{outcome="rate_limited"}"#), "{metrics}");
    // (The tests share one process's metrics: other tests' incidents count there too.)
    assert!(
        metrics
            .contains(r#"optin_application_incidents_total{product="reverse-logistics",kind="application.degraded"}"#),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_client_tells_the_operators_once_and_no_company() {
    let provider = Provider::start(Answer::InvalidClient).await;
    let operators = WebhookReceiver::start(0).await;
    let sink = SmtpSink::start().await;
    let app = spawn_app_with_provider_and(&provider.base, |settings| {
        pushing_back(settings, 100.0, &operators);
        settings.operators.emails = vec!["ops@example.com".into()];
        sink.send_from(settings);
    })
    .await;
    let companies = due(&app, 5).await;
    for (n, company) in companies.iter().enumerate() {
        let admin = app.admin(&format!("admin{n}"), &[*company]).await;
        app.execute("UPDATE users SET email = 'admin' || id || '@company.example' WHERE id = $1", &[admin.get()]).await;
    }
    let key = app.api_key(IRL).await;

    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].to, ["ops@example.com"], "{mails:?}");
    let text = mails[0].data.replace("=\n", "");
    assert!(text.contains("Subject: UPS is not answering the"), "{text}");
    assert!(text.contains("Refreshes have stopped but for one probe"), "{text}");
    let (status, body) = app.token_api(&key, &companies[0].to_string(), IRL.slug()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("application_refused")),
        "{body}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM authorizations WHERE status <> 'authorized'").await, 0);

    // The client's settings fixed at UPS: the next probe succeeds and the breaker closes.
    provider.answer(Answer::Pair);
    wait_until("every authorization refreshed once UPS accepts the client", Duration::from_secs(40), || async {
        provider.issued() == companies.len() as u64
    })
    .await;
    let (status, body) = app.token_api(&key, &companies[0].to_string(), IRL.slug()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mails = sink.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(sink.mails().len(), 2, "the operators twice (degraded, recovered), no company admin: {mails:?}");
    assert!(sink.mails().iter().all(|mail| mail.to == ["ops@example.com"]));
    assert_eq!(incidents(&operators.received()), ["application.degraded", "application.recovered"]);
    assert_eq!(operators.received()[0].json()["class"], "application_refused");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_api_answers_rate_limited_with_upss_retry_after_and_serves_valid_tokens() {
    let provider = Provider::start(Answer::RateLimited(Some(7))).await;
    let app = spawn_app_with_provider_and(&provider.base, |_| {}).await;
    let (expired, valid) = (app.company("Expired Co").await, app.company("Valid Co").await);
    app.seed_grant(expired, IRL).await;
    app.seed_grant(valid, IRL).await;
    app.expire_token(expired, IRL).await;
    let key = app.api_key(IRL).await;
    let ask = |company: model::CompanyId| {
        let url = app.base.join(&format!("/api/v1/companies/{company}/products/{}/token", IRL.slug())).unwrap();
        reqwest::Client::new().get(url).bearer_auth(key.clone()).send()
    };

    let answer = ask(expired).await.unwrap();
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry_after: u64 = answer.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((6..=7).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(answer.json::<serde_json::Value>().await.unwrap()["error"], "provider_rate_limited");
    // While the breaker is open, nobody's refresh leaves: UPS is not asked again.
    let again = ask(expired).await.unwrap();
    assert_eq!(again.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(provider.calls().len(), 1);
    // A token still valid is served throughout.
    assert_eq!(ask(valid).await.unwrap().status(), StatusCode::OK);
    assert_eq!(app.status(expired, IRL).await.as_deref(), Some("authorized"));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_share_one_budget() {
    const AUTHORIZATIONS: usize = 120;
    const PER_SECOND: f64 = 20.0;
    let provider = Provider::start(Answer::Pair).await;
    let operators = WebhookReceiver::start(0).await;
    let first = spawn_app_with_provider_and(&provider.base, |settings| {
        settings.ups.refreshes_per_second = PER_SECOND;
    })
    .await;
    due(&first, AUTHORIZATIONS).await;
    let provider_base = provider.base.clone();
    let (one, two) = tokio::join!(
        first.restarted_with(|settings| {
            common::with_provider(settings, &provider_base);
            pushing_back(settings, PER_SECOND, &operators);
        }),
        first.restarted_with(|settings| {
            common::with_provider(settings, &provider_base);
            pushing_back(settings, PER_SECOND, &operators);
        }),
    );
    wait_until("every authorization refreshed", Duration::from_secs(60), || async {
        provider.issued() == AUTHORIZATIONS as u64
    })
    .await;
    let calls = provider.calls();
    assert_eq!(calls.len(), AUTHORIZATIONS, "exactly one request each");
    // However the two interleave, by any moment the provider has seen at most the burst plus
    // the rate since the first: one budget, not two.
    let first_call = calls[0];
    for (n, call) in calls.iter().enumerate() {
        let allowed = PER_SECOND + PER_SECOND * call.duration_since(first_call).as_secs_f64() + 1.0;
        assert!(
            (n + 1) as f64 <= allowed,
            "{} requests within {:?} of the first",
            n + 1,
            call.duration_since(first_call)
        );
    }
    drop((one, two));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_token_near_its_end_is_announced_once_with_its_lead_time() {
    let sink = SmtpSink::start().await;
    let app = common::spawn_app_with(|settings| {
        settings.webhooks.worker = true;
        settings.webhooks.poll_millis = 100;
        settings.webhooks.expiring_lead_secs = 2 * 60 * 60;
        settings.webhooks.expiring_check_secs = 1;
        sink.send_from(settings);
    })
    .await;
    let receiver = WebhookReceiver::start(0).await;
    let (ok, said, error) = app.cli(&["webhook", "add", IRL.slug(), &receiver.url]);
    assert!(ok, "{said} {error}");
    let (soon, later) = (app.company("Ends Soon Co").await, app.company("Ends Later Co").await);
    let admin = app.admin("alice", &[soon, later]).await;
    app.execute("UPDATE users SET email = 'alice@example.com' WHERE id = $1", &[admin.get()]).await;
    for (company, refresh_lifetime) in [(soon, 60 * 60), (later, 3 * 60 * 60)] {
        let grant = optin_core::ups::TokenGrant {
            access_token: optin_core::secret::SecretString::new("access"),
            refresh_token: Some(optin_core::secret::SecretString::new("refresh")),
            expires_in: Duration::from_secs(3600),
            refresh_expires_in: Some(Duration::from_secs(refresh_lifetime)),
        };
        let service = optin_core::audit::Actor::Service;
        app.core().store.store_grant(&service, company, IRL, &grant, None).await.unwrap();
    }

    let received = receiver.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let kinds: Vec<String> =
        receiver.received().iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        kinds.iter().filter(|kind| *kind == "authorization.expiring").count(),
        1,
        "once, for the token that ends within the lead time: {received:?}"
    );
    let expiring = receiver.received().into_iter().find(|r| r.json()["type"] == "authorization.expiring").unwrap();
    assert_eq!(expiring.json()["company"], soon.get());
    assert!(expiring.json()["reason"].as_str().unwrap().contains("authorize again"));
    let mails = sink.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.mails().len(), 1, "{mails:?}");
    let text = mails[0].data.replace("=\n", "").replace("=3D", "=");
    assert!(text.contains("Subject: Soon: authorize"), "{text}");
    assert!(text.contains("Ends Soon Co") && text.contains("authorize"), "{text}");
}

/// Check now, posted as the product page's form is without a script: where the browser is sent.
async fn check_now(browser: &common::Browser, company: model::CompanyId) -> String {
    let origin = browser.base.origin().ascii_serialization();
    let request = browser
        .http
        .post(browser.url("/api/check_authorization"))
        .header(reqwest::header::ORIGIN, origin)
        .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .form(&[("product", IRL.slug()), ("company", &company.to_string())]);
    let page = browser.send_with(request).await;
    assert!(page.status.is_redirection(), "{} {}", page.status, page.body);
    page.location()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_now_tells_the_class_of_upss_answer_and_the_page_says_when_ups_is_not_answering() {
    let provider = Provider::start(Answer::Pair).await;
    let app = spawn_app_with_provider_and(&provider.base, |settings| {
        settings.embed.reverse_logistics.allowed_origins = vec!["https://portal.example.com".into()];
    })
    .await;
    let (company, stranger) = (app.company("Acme").await, app.company("Stranger Co").await);
    app.admin("ada", &[company]).await;
    app.seed_grant(company, IRL).await;
    app.seed_grant(stranger, IRL).await;
    let browser = app.browser().signed_in("ada").await;
    let page_of = |company: model::CompanyId| format!("{}?company={company}", IRL.authorization_path());
    let not_answering = "UPS is not answering this application";
    assert!(!browser.get(&page_of(company)).await.body.contains(not_answering));

    let back = check_now(&browser, company).await;
    assert!(back.ends_with(&format!("{}&checked=refreshed", page_of(company))), "{back}");
    assert_eq!(provider.issued(), 1, "one refresh, although the token was still valid");
    let page = browser.get(&back).await;
    assert!(page.body.contains("UPS accepts this authorization and issued a new token just now"), "{}", page.body);
    // At most once a minute per authorization: UPS is not asked again.
    assert!(check_now(&browser, company).await.ends_with("checked=too_soon"));
    assert_eq!(provider.calls().len(), 1);

    // A minute later, UPS throttles the application: the check says so, the breaker opens, and
    // every page of the product says UPS is not answering it.
    provider.answer(Answer::RateLimited(None));
    app.execute("UPDATE authorizations SET checked_at = $1 - 61", &[unix_now()]).await;
    assert!(check_now(&browser, company).await.ends_with("checked=rate_limited"));
    let page = browser.get(&page_of(company)).await;
    assert!(page.body.contains(not_answering), "{}", page.body);
    // The widget in the product's portal says so too.
    let (_, widget) = browser.open_widget(&app.api_key(IRL).await, company).await;
    assert!(widget.body.contains(not_answering), "{}", widget.body);
    let checks = count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'checked'").await;
    assert_eq!(checks, 2, "each check UPS answered is in the company's Activity");

    // Only an admin of the company may check it, and only an authorized one can be.
    let origin = browser.base.origin().ascii_serialization();
    let refused = browser
        .send_with(
            browser
                .http
                .post(browser.url("/api/check_authorization"))
                .header(reqwest::header::ORIGIN, origin)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&[("product", IRL.slug()), ("company", &stranger.to_string())]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    // And never across origins (CSRF): a form posted from elsewhere is refused.
    let forged = browser
        .send_with(
            browser
                .http
                .post(browser.url("/api/check_authorization"))
                .header(reqwest::header::ORIGIN, "https://evil.example")
                .form(&[("product", IRL.slug()), ("company", &company.to_string())]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
}
