//! A bounded fuzz pass over HTTP: a seeded generator sends 1,500 malformed or hostile requests
//! (wrong methods, odd paths and ids, junk bodies, foreign origins, forged cookies and keys) to
//! every route, signed in and not. None may be answered with a server error, and the service
//! still answers afterwards. The seed is printed, so a failure can be replayed.

use crate::common;

use common::spawn_app;
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use reqwest::{header, Method, StatusCode};

const REQUESTS: usize = 1_500;

/// Every route, with the method it answers to.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/sign-in"),
    ("GET", "/{product}"),
    ("GET", "/pickup-manager/settings"),
    ("GET", "/data-management/admin"),
    ("POST", "/oauth/{product}/start"),
    ("GET", "/oauth/{product}/callback"),
    ("GET", "/api/v1/companies/{company}/products/{product}/token"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/embed/sessions"),
    ("GET", "/embed/{product}"),
    ("POST", "/embed/{product}"),
    ("POST", "/embed/start"),
    ("POST", "/sso/{provider}/start"),
    ("GET", "/sso/{provider}/callback"),
    ("GET", "/embed/v1/optin.js"),
    ("GET", "/embed/v1/optin.mjs"),
    ("GET", "/embed/v1/optin.d.ts"),
    ("POST", "/api/{function}"),
    ("GET", "/security/v1/oauth/authorize"),
    ("POST", "/security/v1/oauth/token"),
    ("POST", "/security/v1/oauth/refresh"),
    ("POST", "/security/sandbox/sign-in"),
    ("POST", "/security/sandbox/password"),
    ("GET", "/healthz"),
    ("GET", "/pkg/{junk}"),
    ("GET", "/{junk}"),
];
const PRODUCTS: &[&str] =
    &["reverse-logistics", "pickup-manager", "data-management", "REVERSE-LOGISTICS", "x", "", "%00"];
const FUNCTIONS: &[&str] = &[
    "sign_in",
    "sign_out",
    "sign_out_everywhere",
    "load_identity",
    "load_overview",
    "opt_out",
    "token_history",
    "company_activity",
    "open_embed",
    "embed_token_history",
    "nope",
];
const JUNK: &[&str] = &[
    "1",
    "0",
    "-1",
    "99999999999999999999",
    "1e3",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%2f..%2f",
    "%ff%fe",
    "ünïcödé",
    "a%20b",
    "<script>",
    "' OR 1=1 --",
    "null",
];
const FIELDS: &[&str] = &[
    "company",
    "product",
    "page",
    "key",
    "session",
    "mode",
    "sign_in_name",
    "password",
    "next",
    "state",
    "code",
    "intent",
    "outcome",
    "before",
];

fn junk(rng: &mut StdRng) -> String {
    match rng.gen_range(0..4) {
        0 => JUNK.choose(rng).unwrap().to_string(),
        1 => rng.gen_range(-5_i64..5_000).to_string(),
        2 => (0..rng.gen_range(0..40)).map(|_| rng.gen_range(b'!'..=b'~') as char).collect(),
        _ => "x".repeat(rng.gen_range(0..3_000)),
    }
}

fn form(rng: &mut StdRng) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for _ in 0..rng.gen_range(0..5) {
        let field = FIELDS.choose(rng).unwrap();
        form.append_pair(field, &junk(rng));
    }
    form.finish()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_requests_to_every_route_get_no_server_error() {
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|seed| seed.parse().ok()).unwrap_or_else(rand::random);
    eprintln!("fuzz seed {seed} (FUZZ_SEED={seed} replays it)");
    let mut rng = StdRng::seed_from_u64(seed);
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    app.seed_grant(company, model::Product::DataManagement).await;
    let signed_in = app.browser().signed_in("alice").await;
    let session = signed_in.cookie("__Host-optin_session").unwrap();
    let api_key = app.api_key(model::Product::DataManagement).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let ours = app.base.origin().ascii_serialization();

    let mut answered = std::collections::BTreeMap::<u16, usize>::new();
    for n in 0..REQUESTS {
        let (natural, template) = ROUTES.choose(&mut rng).unwrap();
        let path = template
            .replace("{product}", PRODUCTS.choose(&mut rng).unwrap())
            .replace("{company}", &junk(&mut rng).replace(['/', '\\'], "%2F"))
            .replace("{function}", FUNCTIONS.choose(&mut rng).unwrap())
            .replace("{junk}", &junk(&mut rng).replace(['/', '\\', '?', '#'], "_"));
        let query = if rng.gen_bool(0.4) { format!("?{}", form(&mut rng)) } else { String::new() };
        let Ok(url) = app.base.join(&format!("{path}{query}")) else { continue };
        if url.origin() != app.base.origin() {
            continue;
        }
        // Mostly the route's own method, so most requests reach a handler.
        let method = match rng.gen_bool(0.8) {
            true => Method::from_bytes(natural.as_bytes()).unwrap(),
            false => [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS]
                .choose(&mut rng)
                .unwrap()
                .clone(),
        };
        let mut request = http.request(method.clone(), url.clone());
        request = match rng.gen_range(0..4) {
            0 => request.header(header::COOKIE, format!("__Host-optin_session={session}")),
            1 => request.header(header::COOKIE, format!("__Host-optin_session={}", junk(&mut rng))),
            _ => request,
        };
        request = match rng.gen_range(0..4) {
            0 => request.bearer_auth(&api_key),
            1 => request.header(header::AUTHORIZATION, junk(&mut rng)),
            _ => request,
        };
        if rng.gen_bool(0.5) {
            let origin = if rng.gen_bool(0.7) { ours.clone() } else { "https://evil.example".into() };
            request = request.header(header::ORIGIN, origin);
        }
        if rng.gen_bool(0.3) {
            request =
                request.header("sec-fetch-dest", ["iframe", "document", "empty"].choose(&mut rng).unwrap().to_owned());
        }
        request = match rng.gen_range(0..4) {
            0 => request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(form(&mut rng)),
            1 => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(format!("{{\"company\": {}}}", junk(&mut rng))),
            2 => request.body((0..rng.gen_range(0..256)).map(|_| rng.gen::<u8>()).collect::<Vec<u8>>()),
            _ => request,
        };
        let response = request.send().await.unwrap_or_else(|error| panic!("request {n} {method} {url}: {error}"));
        let status = response.status();
        *answered.entry(status.as_u16()).or_default() += 1;
        let busy = status == StatusCode::SERVICE_UNAVAILABLE;
        assert!(
            !status.is_server_error() || busy,
            "request {n}: {method} {url} answered {status}: {}",
            response.text().await.unwrap_or_default()
        );
    }
    eprintln!("statuses: {answered:?}");
    assert!(answered.keys().filter(|status| **status < 300).count() > 0 && answered.len() > 4, "{answered:?}");
    let health = reqwest::get(app.base.join("/healthz").unwrap()).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "the service still answers");
}
