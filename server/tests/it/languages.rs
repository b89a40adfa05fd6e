//! The pages speak English, French (Canada) and Spanish (Latin America): the widget its
//! session's `locale`, else the browser's `Accept-Language`, else English; the admin pages the
//! browser's. English stays the seeds' wording.

use crate::common;

use common::{spawn_app_with, Browser, TestApp};
use model::{CompanyId, Product};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

const PORTAL: &str = "https://portal.example.com";

async fn spawn() -> TestApp {
    spawn_app_with(|settings| settings.embed.reverse_logistics.allowed_origins = vec![PORTAL.into()]).await
}

/// A new embed session for Pat Lee, with `locale` when given: (status, JSON body).
async fn new_session(app: &TestApp, company: CompanyId, locale: Option<&str>) -> (StatusCode, Value) {
    let key = app.api_key(Product::ReverseLogistics).await;
    let mut body = json!({ "company": company.get(), "user": { "id": "u-17", "name": "Pat Lee" } });
    if let Some(locale) = locale {
        body["locale"] = json!(locale);
    }
    crate::embed::new_session(app, &key, body).await
}

/// The widget page as its portal's frame loads it, from a browser asking for `accept`.
async fn widget(
    app: &TestApp,
    company: CompanyId,
    locale: Option<&str>,
    accept: Option<&str>,
) -> (Value, common::Page) {
    let (status, body) = new_session(app, company, locale).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let browser = app.browser();
    let mut request = browser.http.get(body["widget_url"].as_str().unwrap()).header("sec-fetch-dest", "iframe");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT_LANGUAGE, accept);
    }
    let page = browser.send_with(request).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (body, page)
}

fn assert_french(page: &common::Page) {
    for words in [
        r#"lang="fr-CA""#,
        "Connecté à votre portail en tant que Pat Lee.",
        "Intelligent Reverse Logistics n’est pas autorisé pour Acme.",
        ">Adhérer<",
        "Processus d’adhésion OAuth : FAQ",
        "Qu’est-ce qu’OAuth 2.0?",
        "Avertissement :",
    ] {
        assert!(page.body.contains(words), "{words:?} is not on the page: {}", page.body);
    }
    assert_no_english(page);
}

fn assert_spanish(page: &common::Page) {
    for words in [
        r#"lang="es""#,
        "Sesión iniciada en su portal como Pat Lee.",
        "Intelligent Reverse Logistics no está autorizado para Acme.",
        ">Adherirse<",
        "¿Qué es OAuth 2.0?",
    ] {
        assert!(page.body.contains(words), "{words:?} is not on the page: {}", page.body);
    }
    assert_no_english(page);
}

fn assert_no_english(page: &common::Page) {
    for english in
        ["Signed in to your portal", "What is OAuth 2.0?", "When using the Opt-In method", "Warning:", ">Opt-In<"]
    {
        assert!(!page.body.contains(english), "{english:?} is still in English: {}", page.body);
    }
}

fn assert_english(page: &common::Page) {
    for words in [
        "Signed in to your portal as Pat Lee.",
        "Intelligent Reverse Logistics is not authorized for Acme.",
        ">Opt-In<",
        "OAuth Opt-In Process: FAQ",
        "What is OAuth 2.0?",
        "When using the Opt-In method, changing the password of the UPS.com user that opted in will invalidate any previous Opt-In.",
    ] {
        assert!(page.body.contains(words), "{words:?} is not on the page: {}", page.body);
    }
}

#[tokio::test]
async fn the_widget_speaks_its_sessions_language_then_the_browsers_then_english() {
    let app = spawn().await;
    let company = app.company("Acme").await;

    // The session's language wins over the browser's; the answer says which it will be.
    let (session, page) = widget(&app, company, Some("fr-CA"), Some("es")).await;
    assert_eq!(session["locale"], "fr-CA");
    assert_french(&page);
    let (session, page) = widget(&app, company, Some("es-MX"), None).await;
    assert_eq!(session["locale"], "es");
    assert_spanish(&page);
    let (session, page) = widget(&app, company, Some("fr"), Some("en-US")).await;
    assert_eq!(session["locale"], "fr-CA");
    assert_french(&page);

    // A language not spoken here leaves it to the browser, then to English.
    let (session, page) = widget(&app, company, Some("de-DE"), Some("de-DE,es-419;q=0.8,en;q=0.5")).await;
    assert_eq!(session["locale"], Value::Null);
    assert_spanish(&page);
    let (_, page) = widget(&app, company, None, Some("fr-CA,fr;q=0.9")).await;
    assert_french(&page);
    let (_, page) = widget(&app, company, None, Some("de-DE")).await;
    assert_english(&page);
    assert!(page.body.contains(r#"lang="en""#));
    let (_, page) = widget(&app, company, None, None).await;
    assert_english(&page);

    // What is not a language tag is refused, and says why.
    for bad in ["not a tag!", "", "x"] {
        let (status, body) = new_session(&app, company, Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {body}");
        assert!(body["message"].as_str().unwrap_or_default().contains("`locale`"), "{body}");
    }
}

#[tokio::test]
async fn a_widget_keeps_its_language_after_a_form_it_posts() {
    let app = spawn().await;
    let company = app.company("Acme").await;
    app.seed_grant(company, Product::ReverseLogistics).await;
    let (_, page) = widget(&app, company, Some("es"), None).await;
    let key = page.body.split(r#"name="key" value=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();

    // Opt-Out posted in place by the widget's script, from a browser that asks for English.
    let browser = Browser::at(app.base.clone());
    let request = browser
        .http
        .post(browser.url("/embed/reverse-logistics"))
        .header(header::ORIGIN, browser.base.origin().ascii_serialization())
        .header(header::ACCEPT_LANGUAGE, "en")
        .header("sec-fetch-dest", "empty")
        .form(&[("key", key.as_str()), ("intent", "revoke"), ("before", "authorized")]);
    let page = browser.send_with(request).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Intelligent Reverse Logistics fue retirado. Sus tokens de UPS se eliminaron."),
        "{}",
        page.body
    );
    assert_spanish(&page);
    assert_eq!(app.status(company, Product::ReverseLogistics).await.as_deref(), Some("revoked"));
}

#[tokio::test]
async fn admin_pages_speak_the_browsers_language() {
    let app = spawn().await;
    let company = app.company("Acme").await;
    app.admin("lang.admin", &[company]).await;
    let browser = app.browser().signed_in("lang.admin").await;
    let page_in = |accept: &'static str| {
        let request = browser
            .http
            .get(browser.url("/reverse-logistics"))
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_LANGUAGE, accept);
        browser.send_with(request)
    };

    let page = page_in("es-419,es;q=0.9").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"<html lang="es""#), "{}", page.body);
    for words in ["Proceso de adhesión OAuth: preguntas frecuentes", "Advertencia:", ">Adherirse<"] {
        assert!(page.body.contains(words), "{words:?}: {}", page.body);
    }
    let page = page_in("fr-CA").await;
    assert!(page.body.contains(r#"<html lang="fr-CA""#) && page.body.contains("Processus d’adhésion OAuth : FAQ"));
    let page = page_in("de").await;
    assert!(page.body.contains(r#"<html lang="en""#) && page.body.contains("OAuth Opt-In Process: FAQ"));

    // A page that does not exist says so in the reader's language.
    let missing = |accept: &'static str| {
        browser.send_with(browser.http.get(browser.url("/no-such-page")).header(header::ACCEPT_LANGUAGE, accept))
    };
    let page = missing("fr-CA").await;
    assert!(page.body.contains("Page introuvable"));
    let varies: Vec<_> =
        page.headers.get_all(header::VARY).iter().map(|value| value.to_str().unwrap().to_owned()).collect();
    assert!(varies.iter().any(|vary| vary.contains("accept-language")), "no cache may mix languages: {varies:?}");
    assert!(missing("es").await.body.contains("Página no encontrada"));
    assert!(missing("en-GB").await.body.contains("Page not found"));
}

#[tokio::test]
async fn a_consent_links_page_speaks_its_readers_language() {
    let app = spawn().await;
    let company = app.company("Acme").await;
    let key = app.api_key(Product::ReverseLogistics).await;
    let made = reqwest::Client::new()
        .post(app.base.join(&format!("/api/v1/companies/{company}/consent-links")).unwrap())
        .bearer_auth(&key)
        .json(&json!({ "recipient": "shipper@acme.example", "send_email": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let link: Value = made.json().await.unwrap();
    let link = link["url"].as_str().unwrap().to_owned();
    let browser = app.browser();
    let read_in =
        |accept: &'static str| browser.send_with(browser.http.get(&link).header(header::ACCEPT_LANGUAGE, accept));

    let page = read_in("es-MX,es;q=0.9").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [r#"<html lang="es""#, "Continuar a UPS.com", "¿Qué es OAuth 2.0?", "Advertencia:"] {
        assert!(page.body.contains(words), "{words:?}: {}", page.body);
    }
    let page = read_in("fr-CA").await;
    for words in [r#"<html lang="fr-CA""#, "Qu’est-ce qu’OAuth 2.0?", "Avertissement :"] {
        assert!(page.body.contains(words), "{words:?}: {}", page.body);
    }
    assert!(!page.body.contains("Continue to UPS.com"), "{}", page.body);
    let page = read_in("de").await;
    for words in [r#"<html lang="en""#, "Continue to UPS.com", "What is OAuth 2.0?"] {
        assert!(page.body.contains(words), "{words:?}: {}", page.body);
    }
}
