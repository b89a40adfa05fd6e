//! Roles: an admin of a company changes its authorizations; a viewer sees its status, token grid
//! and Activity, and every change is refused on the server with 403. The routes tried are the
//! router's own list (`Application::routes`), so a route added without a check fails here.

use crate::common::{spawn_app_with, Browser, Page, TestApp};
use model::{CompanyId, Product};
use reqwest::{header, StatusCode};
use serde_json::json;

const PORTAL: &str = "https://portal.example.com";
const DM: Product = Product::DataManagement;

async fn spawn() -> TestApp {
    spawn_app_with(|settings| settings.embed.data_management.allowed_origins = vec![PORTAL.into()]).await
}

/// The server functions of one's own second factors and of the sign-in's second step.
pub const SECOND_FACTORS: &[&str] = &[
    "/api/load_sign_in_step",
    "/api/verify_second_factor",
    "/api/begin_passkey_sign_in",
    "/api/finish_passkey_sign_in",
    "/api/begin_totp_enrolment",
    "/api/confirm_totp_enrolment",
    "/api/begin_passkey_registration",
    "/api/finish_passkey_registration",
    "/api/load_second_factors",
    "/api/remove_second_factor",
    "/api/new_recovery_codes",
];

/// What a route is, to a viewer.
enum Kind {
    /// Changes the company's authorizations: a viewer gets 403, an admin does not.
    Change,
    /// Reads the company: a viewer gets it, as an admin does.
    Read,
    /// Not about a company, with why.
    Other(&'static str),
}

/// Every route that is not a plain `GET` of a page or file, and every server function, by what
/// it is. A route missing here fails the test: say what it is, and, if it changes anything,
/// check the role on the server.
fn kind(method: &str, path: &str) -> Option<Kind> {
    Some(match (method, path) {
        ("POST", "/oauth/{product}/start" | "/embed/start" | "/embed/{product}") => Kind::Change,
        ("POST", "/api/opt_out" | "/api/check_authorization") => Kind::Change,
        ("POST", "/consent-links/{product}" | "/api/revoke_consent_link") => Kind::Change,
        ("POST", "/api/pending_consent_links") => Kind::Read,
        ("POST", "/consent/{product}/{token}") => Kind::Other("a consent link's holder, by the link itself"),
        ("POST" | "DELETE", path) if path.starts_with("/api/v1/companies/{company}/consent-links") => {
            Kind::Other("a product's backend, by its API key")
        }
        ("POST", "/api/load_overview" | "/api/company_activity" | "/api/token_history") => Kind::Read,
        ("POST", "/api/embed_token_history") => Kind::Read,
        ("POST", "/api/open_embed") => {
            Kind::Other("opening a widget, in its frame only; its session's role decides the rest")
        }
        ("POST", "/api/sign_in" | "/api/sign_out" | "/api/sign_out_everywhere" | "/api/unlock_sign_in") => {
            Kind::Other("one's own sign-in")
        }
        ("POST", "/sso/{provider}/start") => Kind::Other("one's own sign-in, through an identity provider"),
        ("POST", "/api/load_sign_in_options") => Kind::Other("the sign-in page's choices, the same for everyone"),
        ("POST", "/api/my_sessions" | "/api/end_my_session" | "/api/load_identity") => {
            Kind::Other("one's own sessions")
        }
        ("POST", path) if SECOND_FACTORS.contains(&path) => Kind::Other("one's own second factors"),
        ("POST", "/api/v1/embed/sessions") => Kind::Other("a product's backend, by its API key"),
        ("POST", path) if path.starts_with("/security/") => Kind::Other("the built-in UPS sandbox (UPS.com's part)"),
        ("GET" | "HEAD", path) if !path.starts_with("/api/") || path.starts_with("/api/v1/") => return None,
        _ => panic!("{method} {path} is not classified: say here what it is to a viewer"),
    })
}

/// Asks for `route` as `browser` would, as the person whose widget key is `widget`.
async fn ask(browser: &Browser, method: &str, path: &str, company: CompanyId, widget: &str) -> Page {
    let company = company.to_string();
    let path = path.replace("{product}", DM.slug());
    let origin = browser.base.origin().ascii_serialization();
    match path.as_str() {
        "/oauth/data-management/start" => browser.post_form(&path, &[("company", &company)]).await,
        "/embed/start" => browser.post_form(&path, &[("key", widget), ("mode", "popup")]).await,
        "/embed/data-management" => {
            let form = [("key", widget), ("intent", "revoke"), ("before", "authorized")];
            let request =
                browser.http.post(browser.url(&path)).header(header::ORIGIN, origin).header("sec-fetch-dest", "iframe");
            browser.send_with(request.form(&form)).await
        }
        "/api/opt_out" | "/api/check_authorization" => {
            browser.server_fn(&path[5..], &[("product", DM.slug()), ("company", &company)]).await
        }
        "/api/load_overview" => {
            browser.server_fn("load_overview", &[("product", DM.slug()), ("company", &company)]).await
        }
        "/api/company_activity" => browser.server_fn("company_activity", &[("company", &company)]).await,
        "/consent-links/data-management" => {
            browser.post_form(&path, &[("company", &company), ("recipient", "shipper@acme.example")]).await
        }
        "/api/pending_consent_links" | "/api/revoke_consent_link" => {
            browser.server_fn(&path[5..], &[("product", DM.slug()), ("company", &company), ("link", "1")]).await
        }
        "/api/token_history" => {
            browser.server_fn("token_history", &[("product", DM.slug()), ("company", &company), ("page", "1")]).await
        }
        "/api/embed_token_history" => browser.server_fn("embed_token_history", &[("key", widget), ("page", "1")]).await,
        other => panic!("{method} {other}: no request known to try"),
    }
}

#[tokio::test]
async fn a_viewer_is_refused_every_change_the_router_has_and_reads_what_an_admin_reads() {
    let app = spawn().await;
    let company = app.company("Acme Data").await;
    app.admin("alice", &[company]).await;
    app.admin("victor", &[]).await;
    // The operator makes victor a viewer, as the README says.
    let (ok, out, err) = app.cli(&["member", "add", "victor", "Acme Data", "--role", "viewer"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("victor can now view Acme Data"), "{out}");
    let (ok, _, err) = app.cli(&["member", "add", "victor", "Acme Data", "--role", "owner"]);
    assert!(!ok && err.contains("\"owner\" is not a role"), "{err}");

    let alice = app.browser().signed_in("alice").await;
    let victor = app.browser().signed_in("victor").await;
    assert!(alice.opt_in(DM, company).await.contains("outcome=authorized"));
    let api_key = app.api_key(DM).await;
    let (_, admin_widget) = alice.open_widget_as(&api_key, company, json!({ "id": "a-1", "name": "Ada" })).await;
    let (_, viewer_widget) =
        victor.open_widget_as(&api_key, company, json!({ "id": "v-1", "name": "Vic", "role": "viewer" })).await;
    let (admin_widget, viewer_widget) = (Browser::widget_key(&admin_widget), Browser::widget_key(&viewer_widget));

    let mut routes: Vec<(String, String)> =
        app.routes.iter().map(|route| (route.method.to_string(), route.path.clone())).collect();
    routes.sort();
    routes.dedup();
    let mut changes = Vec::new();
    for (method, path) in &routes {
        match kind(method, path) {
            Some(Kind::Change) => {
                let answer = ask(&victor, method, path, company, &viewer_widget).await;
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "a viewer's {method} {path}: {}", answer.body);
                changes.push((method, path));
            }
            Some(Kind::Read) => {
                let answer = ask(&victor, method, path, company, &viewer_widget).await;
                assert_eq!(answer.status, StatusCode::OK, "a viewer's {method} {path}: {}", answer.body);
            }
            Some(Kind::Other(why)) => eprintln!("{method} {path}: not a change to a company ({why})"),
            None => {}
        }
    }
    assert_eq!(changes.len(), 7, "every change was tried: {changes:?}");
    assert_eq!(app.status(company, DM).await.as_deref(), Some("authorized"), "nothing changed");
    let activity = victor.server_fn("company_activity", &[("company", &company.to_string())]).await;
    assert!(!activity.body.contains("Vic") && activity.body.contains("alice"), "{}", activity.body);

    // The same requests from an admin are not refused: the role is what refused them. The ones
    // that end the authorization go last.
    changes.sort_by_key(|(_, path)| path.contains("opt_out") || path.contains("embed/{product}"));
    for (method, path) in changes {
        let answer = ask(&alice, method, path, company, &admin_widget).await;
        assert!(answer.status != StatusCode::FORBIDDEN, "an admin's {method} {path}: {}", answer.body);
        assert!(!answer.status.is_server_error(), "an admin's {method} {path}: {}", answer.body);
    }
    assert_ne!(app.status(company, DM).await.as_deref(), Some("authorized"), "the admin's Clear went through");
}

#[tokio::test]
async fn a_viewers_pages_and_widget_show_the_status_without_a_button_that_would_change_it() {
    let app = spawn().await;
    let company = app.company("Acme Data").await;
    app.admin("alice", &[company]).await;
    let victor = app.admin("victor", &[]).await;
    optin_core::companies::set_role(app.core(), victor, company, model::Role::Viewer).await.unwrap();
    let alice = app.browser().signed_in("alice").await;
    assert!(alice.opt_in(DM, company).await.contains("outcome=authorized"));

    let victor = app.browser().signed_in("victor").await;
    let page = victor.get(DM.authorization_path()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Acme Data") && page.body.contains(r#"data-testid="view-only""#), "{}", page.body);
    assert!(page.body.contains(r#"id="tokens-heading""#), "the token grid is there: {}", page.body);
    for control in
        ["confirm-revoke", "/oauth/data-management/start", "Check now", "/consent-links/", "Create consent link"]
    {
        assert!(!page.body.contains(control), "a viewer's page offers {control}");
    }
    let admin_page = alice.get(DM.authorization_path()).await;
    assert!(admin_page.body.contains("confirm-revoke") && !admin_page.body.contains("view-only"));
    assert!(admin_page.body.contains("Create consent link"), "the admin's page offers consent links");

    let api_key = app.api_key(DM).await;
    let (session, widget) =
        victor.open_widget_as(&api_key, company, json!({ "id": "v-1", "name": "Vic", "role": "viewer" })).await;
    assert!(session["embed_token"].is_string(), "{session}");
    assert!(widget.body.contains(r#"data-testid="view-only""#), "{}", widget.body);
    assert!(!widget.body.contains("confirm-revoke"), "a viewer's widget offers Clear");

    let (status, body) = {
        let response = reqwest::Client::new()
            .post(app.base.join("/api/v1/embed/sessions").unwrap())
            .bearer_auth(&api_key)
            .json(&json!({ "company": company.get(), "user": { "id": "v", "name": "Vic", "role": "owner" } }))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<serde_json::Value>().await.unwrap_or_default())
    };
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("not a role"), "{body}");
}
