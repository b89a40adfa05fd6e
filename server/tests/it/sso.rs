//! Single sign-on, against an identity provider double of the
//! test's own over HTTP (discovery, keys, token endpoint) that signs ID tokens with the RSA keys
//! in `fixtures/`: a good token is accepted; a wrong audience, issuer or nonce, an expired token,
//! or one signed by a key the provider never published is refused; a rotated key is fetched
//! again and accepted.

use axum::{extract::State, routing::get, routing::post, Json, Router};
use openidconnect::{
    core::{
        CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
        CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
    },
    AdditionalClaims, Audience, AuthUrl, EmptyAdditionalProviderMetadata, EndSessionUrl, EndUserEmail, IdToken,
    IdTokenClaims, IssuerUrl, JsonWebKeyId, JsonWebKeySetUrl, LogoutProviderMetadata, Nonce, PrivateSigningKey,
    ProviderMetadataWithLogout, ResponseTypes, StandardClaims, SubjectIdentifier, TokenUrl,
};
use optin_core::sso::{IdentityProvider, Sso, SsoError};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use url::Url;

const KEY_1: &str = include_str!("fixtures/sso-key-1.pem");
const KEY_2: &str = include_str!("fixtures/sso-key-2.pem");
const STRANGER: &str = include_str!("fixtures/sso-key-stranger.pem");

#[derive(Clone, Debug, Deserialize, Serialize)]
struct Groups {
    groups: Vec<String>,
}
impl AdditionalClaims for Groups {}

type GroupsIdToken = IdToken<Groups, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// What the double's next ID token says, and with which key it is signed.
#[derive(Clone)]
struct Next {
    issuer: String,
    audience: String,
    nonce: String,
    lifetime: chrono::Duration,
    key: (&'static str, &'static str),
    subject: String,
    email: String,
}

#[derive(Clone)]
struct Double {
    issuer: String,
    /// The keys the provider publishes now.
    published: Arc<Mutex<Vec<(&'static str, &'static str)>>>,
    next: Arc<Mutex<Option<Next>>>,
}

fn signing_key((kid, pem): (&str, &str)) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.into()))).expect("a test key")
}

async fn discovery(State(double): State<Double>) -> Json<ProviderMetadataWithLogout> {
    let base = &double.issuer;
    let metadata = ProviderMetadataWithLogout::new(
        IssuerUrl::new(base.clone()).unwrap(),
        AuthUrl::new(format!("{base}/authorize")).unwrap(),
        JsonWebKeySetUrl::new(format!("{base}/jwks")).unwrap(),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        LogoutProviderMetadata {
            end_session_endpoint: Some(EndSessionUrl::new(format!("{base}/logout")).unwrap()),
            additional_metadata: EmptyAdditionalProviderMetadata {},
        },
    )
    .set_token_endpoint(Some(TokenUrl::new(format!("{base}/token")).unwrap()));
    Json(metadata)
}

async fn jwks(State(double): State<Double>) -> Json<CoreJsonWebKeySet> {
    let keys = double.published.lock().unwrap().iter().map(|key| signing_key(*key).as_verification_key()).collect();
    Json(CoreJsonWebKeySet::new(keys))
}

async fn token(State(double): State<Double>) -> Json<serde_json::Value> {
    let next = double.next.lock().unwrap().clone().expect("the test says what to answer");
    let now = chrono::Utc::now();
    let claims = IdTokenClaims::new(
        IssuerUrl::new(next.issuer).unwrap(),
        vec![Audience::new(next.audience)],
        now + next.lifetime,
        now - chrono::Duration::seconds(5),
        StandardClaims::new(SubjectIdentifier::new(next.subject))
            .set_email(Some(EndUserEmail::new(next.email)))
            .set_email_verified(Some(true)),
        Groups { groups: vec!["returns-admins".into(), "everyone".into()] },
    )
    .set_nonce(Some(Nonce::new(next.nonce)));
    let id_token =
        GroupsIdToken::new(claims, &signing_key(next.key), CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, None, None)
            .unwrap();
    Json(
        serde_json::json!({ "access_token": "provider-access", "token_type": "Bearer", "id_token": id_token.to_string() }),
    )
}

async fn provider_double() -> Double {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let double =
        Double { issuer, published: Arc::new(Mutex::new(vec![("k1", KEY_1)])), next: Arc::new(Mutex::new(None)) };
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(double.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    double
}

fn sso(double: &Double) -> Sso {
    let provider = IdentityProvider {
        id: "corp".into(),
        name: "Corp".into(),
        issuer: double.issuer.clone(),
        client_id: "optin".into(),
        client_secret: Some(optin_core::secret::SecretString::new("optin-secret")),
        scopes: vec!["email".into()],
        create_users: false,
        groups_claim: Some("groups".into()),
        companies: Default::default(),
    };
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Sso::new(vec![provider], http)
}

/// Begins a sign-in, has the double answer with `tamper` applied to a good token, and checks it.
async fn signed_in_with(
    double: &Double,
    sso: &Sso,
    tamper: impl FnOnce(&mut Next),
) -> Result<optin_core::sso::VerifiedIdentity, SsoError> {
    let redirect: Url = "http://127.0.0.1:9/sso/corp/callback".parse().unwrap();
    let (url, pending) = sso.begin("corp", &redirect).await.expect("begins");
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["state"], pending.state.expose());
    assert_eq!(query["redirect_uri"], redirect.as_str());
    let mut next = Next {
        issuer: double.issuer.clone(),
        audience: "optin".into(),
        nonce: query["nonce"].clone(),
        lifetime: chrono::Duration::minutes(5),
        key: ("k1", KEY_1),
        subject: "sub-ada".into(),
        email: "ada@example.com".into(),
    };
    tamper(&mut next);
    *double.next.lock().unwrap() = Some(next);
    sso.verified_identity("corp", &redirect, "the-code", &pending).await
}

#[tokio::test]
async fn a_good_id_token_signs_in_and_each_tampered_one_is_refused() {
    let double = provider_double().await;
    let sso = sso(&double);
    let identity = signed_in_with(&double, &sso, |_| {}).await.expect("a good token is accepted");
    assert_eq!(identity.subject, "sub-ada");
    assert_eq!(identity.verified_email.as_deref(), Some("ada@example.com"));
    assert_eq!(identity.groups, ["returns-admins", "everyone"]);

    let tampered: [(&str, Box<dyn FnOnce(&mut Next)>); 5] = [
        ("another audience", Box::new(|next| next.audience = "someone-else".into())),
        ("another issuer", Box::new(|next| next.issuer = "http://127.0.0.1:9".into())),
        ("another nonce", Box::new(|next| next.nonce = "replayed".into())),
        ("expired", Box::new(|next| next.lifetime = chrono::Duration::minutes(-5))),
        ("a key the provider never published", Box::new(|next| next.key = ("k1", STRANGER))),
    ];
    for (what, tamper) in tampered {
        let refused = signed_in_with(&double, &sso, tamper).await;
        assert!(matches!(refused, Err(SsoError::InvalidIdToken(_))), "{what}: {refused:?}");
    }
    let unknown_kid = signed_in_with(&double, &sso, |next| next.key = ("k9", STRANGER)).await;
    assert!(matches!(unknown_kid, Err(SsoError::InvalidIdToken(_))), "an unknown key id: {unknown_kid:?}");
}

#[tokio::test]
async fn a_provider_that_rotated_its_key_is_asked_for_its_keys_again() {
    let double = provider_double().await;
    let sso = sso(&double);
    signed_in_with(&double, &sso, |_| {}).await.expect("signed with the first key");
    // The provider rotates: it publishes only its new key, and signs with it.
    *double.published.lock().unwrap() = vec![("k2", KEY_2)];
    let identity = signed_in_with(&double, &sso, |next| next.key = ("k2", KEY_2)).await;
    assert_eq!(identity.expect("the new key is fetched and accepted").subject, "sub-ada");
}

/// The answer a browser gets from the provider double for `url` (its authorize URL): the
/// double signs in `subject` (with `email`) and sends the browser back with a code.
fn provider_signs_in(double: &Double, authorize: &str, subject: &str, email: &str) -> String {
    let authorize = Url::parse(authorize).expect("the provider's authorize URL");
    let query: std::collections::HashMap<String, String> = authorize.query_pairs().into_owned().collect();
    *double.next.lock().unwrap() = Some(Next {
        issuer: double.issuer.clone(),
        audience: "optin".into(),
        nonce: query["nonce"].clone(),
        lifetime: chrono::Duration::minutes(5),
        key: ("k1", KEY_1),
        subject: subject.into(),
        email: email.into(),
    });
    let back = Url::parse(&query["redirect_uri"]).unwrap();
    format!("{}?code=the-code&state={}", back.path(), query["state"])
}

async fn app_with_provider(double: &Double) -> crate::common::TestApp {
    app_with_provider_and(double, (true, false)).await
}

/// The service with the double as "corp", with (`passwords`, `create_users`).
async fn app_with_provider_and(double: &Double, (passwords, create_users): (bool, bool)) -> crate::common::TestApp {
    let issuer = double.issuer.clone();
    crate::common::spawn_app_with(move |settings| {
        settings.sso.passwords = passwords;
        settings.sso.providers = vec![server::settings::ProviderSettings {
            id: "corp".into(),
            name: "Corp".into(),
            issuer,
            client_id: "optin".into(),
            client_secret: Some(optin_core::secret::SecretString::new("optin-secret")),
            scopes: vec!["email".into()],
            create_users,
            groups_claim: Some("groups".into()),
            companies: [("returns-admins".to_owned(), "Acme".to_owned())].into(),
        }];
    })
    .await
}

/// Sign out, as the header's button posts it (no script): the answer is a redirect.
async fn sign_out(browser: &crate::common::Browser) -> crate::common::Page {
    let request = browser
        .http
        .post(browser.url("/api/sign_out"))
        .header(reqwest::header::ORIGIN, browser.base.origin().ascii_serialization())
        .header(reqwest::header::ACCEPT, "text/html");
    let out = browser.send_with(request).await;
    assert!(out.status.is_redirection(), "{} {}", out.status, out.body);
    out
}

#[tokio::test]
async fn an_admin_signs_in_through_the_provider_and_a_stranger_is_refused_with_a_clear_page() {
    let double = provider_double().await;
    let app = app_with_provider(&double).await;
    let acme = app.company("Acme").await;
    let ada = app.admin("ada", &[]).await;
    optin_core::accounts::set_email(app.core(), ada, Some("ada@example.com")).await.unwrap();

    // The sign-in page's button: off to the provider, with PKCE, a nonce and a state.
    let browser = app.browser();
    let start = browser.post_form("/sso/corp/start", &[("next", "/reverse-logistics")]).await;
    assert_eq!(start.status, reqwest::StatusCode::SEE_OTHER, "{}", start.body);
    assert!(start.location().starts_with(&format!("{}/authorize?", double.issuer)), "{}", start.location());
    let back = provider_signs_in(&double, &start.location(), "sub-ada", "ada@example.com");

    // Linked by the verified e-mail address, an admin of Acme through the returns-admins group.
    let signed_in = browser.get(&back).await;
    assert_eq!(signed_in.status, reqwest::StatusCode::SEE_OTHER, "{}", signed_in.body);
    assert_eq!(signed_in.location(), "/reverse-logistics");
    let overview = browser.server_fn("load_overview", &[("product", "reverse-logistics")]).await;
    assert_eq!(overview.status, reqwest::StatusCode::OK, "{}", overview.body);
    assert!(overview.body.contains("Acme"), "{}", overview.body);
    let linked: Vec<(String, i64)> = app.rows("SELECT subject, user_id FROM user_identities", &[]).await;
    assert_eq!(linked, [("sub-ada".to_owned(), ada.get())]);
    let _ = acme;

    // Signing out ends the session here, then sends the browser to the provider's sign-out (it
    // advertises one) with the ID token it signed in with, to come back to the sign-in page.
    let out = sign_out(&browser).await;
    let provider_out = Url::parse(&out.location()).expect("the provider's sign-out");
    assert!(out.location().starts_with(&format!("{}/logout?", double.issuer)), "{}", out.location());
    let query: std::collections::HashMap<String, String> = provider_out.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "optin");
    assert_eq!(query["post_logout_redirect_uri"], browser.url("/sign-in").to_string());
    assert_eq!(query["id_token_hint"].split('.').count(), 3, "the ID token: {query:?}");
    let after = browser.server_fn("load_overview", &[("product", "reverse-logistics")]).await;
    assert_eq!(after.status, reqwest::StatusCode::UNAUTHORIZED, "the session here ended");
    // A password's session signs out to the sign-in page, as before.
    app.admin("bo", &[]).await;
    let password = app.browser().signed_in("bo").await;
    assert_eq!(sign_out(&password).await.location(), "/sign-in");

    // The same answer again (a replayed state) signs nobody in.
    let replayed = app.browser().get(&back).await;
    assert_eq!(replayed.status, reqwest::StatusCode::BAD_REQUEST, "{}", replayed.body);
    assert!(replayed.body.contains("expired or was already used"), "{}", replayed.body);

    // A state started in one browser and brought back by another is refused too.
    let first = app.browser();
    let start = first.post_form("/sso/corp/start", &[]).await;
    let back = provider_signs_in(&double, &start.location(), "sub-ada", "ada@example.com");
    let other = app.browser().get(&back).await;
    assert_eq!(other.status, reqwest::StatusCode::BAD_REQUEST, "{}", other.body);

    // An admin here with a second factor is not linked by the e-mail address alone.
    let cy = app.admin("cy", &[]).await;
    optin_core::accounts::set_email(app.core(), cy, Some("cy@example.com")).await.unwrap();
    let own = app.browser().signed_in("cy").await;
    let key = serde_json::from_str::<serde_json::Value>(&own.server_fn("begin_totp_enrolment", &[]).await.body)
        .unwrap()["key"]
        .as_str()
        .map(|key| crate::common::app_code(key, crate::common::unix_now()))
        .unwrap();
    assert!(own.server_fn("confirm_totp_enrolment", &[("code", &key)]).await.status.is_success());
    let linking = app.browser();
    let start = linking.post_form("/sso/corp/start", &[]).await;
    let refused = linking.get(&provider_signs_in(&double, &start.location(), "sub-cy", "cy@example.com")).await;
    assert_eq!(refused.status, reqwest::StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("signs in with a password and a second factor"), "{}", refused.body);
    assert_eq!(app.column::<i64>("SELECT COUNT(*) FROM user_identities WHERE subject = 'sub-cy'", &[]).await, [0]);

    // Someone the provider knows and nobody here is: a page that says so, and no session.
    let stranger = app.browser();
    let start = stranger.post_form("/sso/corp/start", &[]).await;
    let back = provider_signs_in(&double, &start.location(), "sub-eve", "eve@example.com");
    let refused = stranger.get(&back).await;
    assert_eq!(refused.status, reqwest::StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains("Corp signed you in, but no admin here is linked to that account"),
        "{}",
        refused.body
    );
    assert!(
        refused.set_cookies().iter().all(|cookie| !cookie.contains("optin_session=")),
        "{:?}",
        refused.set_cookies()
    );
}

#[tokio::test]
async fn the_sign_in_page_offers_the_provider_and_with_passwords_off_a_correct_password_opens_nothing() {
    let double = provider_double().await;
    let app = app_with_provider_and(&double, (false, false)).await;
    app.admin("ada", &[]).await;
    let page = app.browser().get("/sign-in?next=/reverse-logistics").await;
    assert!(
        page.body.contains("Sign in with Corp") && page.body.contains(r#"action="/sso/corp/start""#),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"name="password""#), "no password form: {}", page.body);

    let browser = app.browser();
    let refused = browser.sign_in("ada", crate::common::PASSWORD).await;
    assert_eq!(refused.status, reqwest::StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("PasswordsOff"), "{}", refused.body);
    assert!(
        refused.set_cookies().iter().all(|cookie| !cookie.contains("optin_session=")),
        "{:?}",
        refused.set_cookies()
    );

    // With passwords on, the page offers both.
    let app = app_with_provider(&double).await;
    let page = app.browser().get("/sign-in").await;
    assert!(page.body.contains("Sign in with Corp") && page.body.contains(r#"name="password""#), "{}", page.body);
}

#[tokio::test]
async fn a_provider_that_may_create_users_makes_one_of_someone_new_once() {
    let double = provider_double().await;
    let app = app_with_provider_and(&double, (true, true)).await;
    for _ in 0..2 {
        let browser = app.browser();
        let start = browser.post_form("/sso/corp/start", &[]).await;
        let back = provider_signs_in(&double, &start.location(), "sub-nia", "nia@example.com");
        let signed_in = browser.get(&back).await;
        assert_eq!(signed_in.status, reqwest::StatusCode::SEE_OTHER, "{}", signed_in.body);
        let identity = browser.server_fn("load_identity", &[]).await;
        assert!(identity.body.contains("nia@example.com"), "{}", identity.body);
    }
    let users: Vec<(String, Option<String>)> =
        app.rows("SELECT sign_in_name, email FROM users WHERE sign_in_name = 'nia@example.com'", &[]).await;
    assert_eq!(users, [("nia@example.com".to_owned(), Some("nia@example.com".to_owned()))], "one user, made once");
    let linked: Vec<i64> = app.column("SELECT COUNT(*) FROM user_identities WHERE subject = 'sub-nia'", &[]).await;
    assert_eq!(linked, [1]);
}
