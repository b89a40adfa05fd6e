//! OpenTelemetry traces as a collector receives them: the server binary started with the standard
//! `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at a loopback OTLP/HTTP receiver; a product backend's
//! token call with its W3C `traceparent`, for a token that has to be refreshed at a UPS double;
//! the whole call in the backend's trace (request, token lookup, store calls, the UPS call), sent
//! by the time the process has stopped, with no token, key or secret in any attribute. A
//! browser's `traceparent` on a page is not followed. Without the variables nothing is exported
//! (every other test runs so).

use crate::common;

use common::{receivers::OtlpReceiver, service::Service};
use model::Product;
use reqwest::StatusCode;

const IRL: Product = Product::ReverseLogistics;
const CLIENT_SECRET: &str = "the-client-secret-never-traced";
const CALLERS_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLERS_SPAN: &str = "00f067aa0ba902b7";
const BROWSERS_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

#[tokio::test(flavor = "multi_thread")]
async fn a_token_call_that_refreshes_is_one_trace_with_the_callers_parent_and_no_secret() {
    let (provider, calls) = common::counting_provider().await;
    let app = common::spawn_app_with_provider(&provider).await;
    let company = app.company("Traced Co").await;
    app.seed_grant(company, IRL).await;
    app.expire_token(company, IRL).await;
    let key = app.api_key(IRL).await;
    let collector = OtlpReceiver::start().await;
    let on_postgres = app.database_url.iter().map(|url| ("OPTIN_DATABASE_URL", url.as_str()));
    let service = Service::start(
        &app.data,
        &on_postgres
            .chain([
                ("OPTIN_UPS__ENVIRONMENT", "custom"),
                ("OPTIN_UPS__BASE_URL", provider.as_str()),
                ("OPTIN_UPS__REVERSE_LOGISTICS__CLIENT_ID", "client"),
                ("OPTIN_UPS__REVERSE_LOGISTICS__CLIENT_SECRET", CLIENT_SECRET),
                ("OPTIN_UPS__PICKUP_MANAGER__CLIENT_ID", "client"),
                ("OPTIN_UPS__PICKUP_MANAGER__CLIENT_SECRET", CLIENT_SECRET),
                ("OPTIN_UPS__DATA_MANAGEMENT__CLIENT_ID", "client"),
                ("OPTIN_UPS__DATA_MANAGEMENT__CLIENT_SECRET", CLIENT_SECRET),
                ("OPTIN_REFRESH_WORKER", "false"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint.as_str()),
            ])
            .collect::<Vec<_>>(),
    );

    let url = service.base.join(&format!("/api/v1/companies/{company}/products/{}/token", IRL.slug())).unwrap();
    let answer = reqwest::Client::new()
        .get(url)
        .bearer_auth(&key)
        .header("traceparent", format!("00-{CALLERS_TRACE}-{CALLERS_SPAN}-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["access_token"], "access-0", "refreshed at the UPS double: {body}");
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    let page = reqwest::Client::new()
        .get(service.base.join("/sign-in").unwrap())
        .header("traceparent", format!("00-{BROWSERS_TRACE}-{CALLERS_SPAN}-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    // The batch is sent at the latest when the process stops.
    service.terminate();

    let spans = collector.spans();
    let names =
        |spans: &[&common::receivers::ExportedSpan]| spans.iter().map(|span| span.name.clone()).collect::<Vec<_>>();
    let traced: Vec<_> = spans.iter().filter(|span| span.trace_id == CALLERS_TRACE).collect();
    let request =
        traced.iter().find(|span| span.kind == 2).unwrap_or_else(|| panic!("the request's span: {:?}", names(&traced)));
    assert_eq!(request.name, "GET /api/v1/companies/{company}/products/{product}/token");
    assert_eq!(request.parent_span_id, CALLERS_SPAN, "the backend's span is the parent");
    assert_eq!(request.attribute("http.response.status_code"), Some("200"));
    assert_eq!(request.attribute("http.request.method"), Some("GET"));
    for expected in ["fresh_token", "store.current", "store.claim", "ups.refresh", "store.store_refreshed"] {
        assert!(traced.iter().any(|span| span.name == expected), "{expected} in the trace: {:?}", names(&traced));
    }
    let ups = traced.iter().find(|span| span.name == "ups.refresh").unwrap();
    assert_eq!(ups.kind, 3, "UPS is called as a client");
    assert_eq!(ups.attribute("product"), Some(IRL.slug()));
    let store = traced.iter().find(|span| span.name == "store.claim").unwrap();
    let system = if app.database_url.is_some() { "postgresql" } else { "sqlite" };
    assert_eq!(store.attribute("db.system.name"), Some(system));
    // One tree: every span's parent is in the trace, up to the backend's.
    for span in &traced {
        assert!(
            span.parent_span_id == CALLERS_SPAN || traced.iter().any(|parent| parent.span_id == span.parent_span_id),
            "{} hangs off nothing in the trace",
            span.name
        );
    }
    let sign_in = spans.iter().find(|span| span.name == "GET /sign-in").expect("the page's span");
    assert_ne!(sign_in.trace_id, BROWSERS_TRACE, "a browser does not choose the trace of a page");
    assert!(sign_in.parent_span_id.is_empty());
    assert!(collector.resource_attributes().contains(&("service.name".into(), "optin".into())));

    let secrets = [key.as_str(), "access-0", "refresh-0", "first-access", "first-refresh", CLIENT_SECRET];
    for span in &spans {
        let attributes = span.attributes.iter().chain(span.events.iter().flat_map(|(_, attributes)| attributes));
        for (name, value) in attributes {
            for secret in secrets {
                assert!(!value.contains(secret), "{}: {name} = {value} holds a secret", span.name);
            }
        }
    }
}
