//! "Where you're signed in" over HTTP, as one admin with two browsers and a stranger use it: the
//! list names each browser (from its User-Agent), its address and the one asking; signing out one
//! browser from the other ends only that one; nobody ends a session that is not theirs.

use crate::common;

use common::{spawn_app, Browser, TestApp, PASSWORD};
use reqwest::{header, StatusCode};

const FIREFOX_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
     (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// A browser of `app` that signed in as `name`, saying it is `user_agent`.
async fn signed_in_as(app: &TestApp, name: &str, user_agent: &str) -> Browser {
    let browser = app.browser();
    let form = [("sign_in_name", name), ("password", PASSWORD)];
    let request = browser
        .http
        .post(browser.url("/api/sign_in"))
        .header(header::ACCEPT, "application/json")
        .header(header::USER_AGENT, user_agent)
        .form(&form);
    let page = browser.send_with(request).await;
    assert!(page.status.is_success() || page.status.is_redirection(), "{} {}", page.status, page.body);
    browser
}

/// The sessions `browser`'s user has, as the page's server function answers.
async fn listed(browser: &Browser) -> Vec<serde_json::Value> {
    let page = browser.server_fn("my_sessions", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    serde_json::from_str(&page.body).expect("a JSON list")
}

async fn signed_in(browser: &Browser) -> bool {
    browser.server_fn("load_identity", &[]).await.status == StatusCode::OK
}

#[tokio::test]
async fn two_browsers_are_listed_and_signing_one_out_from_the_other_ends_only_it() {
    let app = spawn_app().await;
    let company = app.company("Sessions Co").await;
    app.admin("sessions.admin", &[company]).await;
    app.admin("stranger.admin", &[company]).await;
    let laptop = signed_in_as(&app, "sessions.admin", FIREFOX_ON_WINDOWS).await;
    let phone = signed_in_as(&app, "sessions.admin", SAFARI_ON_IPHONE).await;

    let sessions = listed(&laptop).await;
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let find = |browser: &str| sessions.iter().find(|session| session["browser"] == browser).cloned().unwrap();
    let (here, there) = (find("Firefox 133 on Windows"), find("Safari 17 on iOS"));
    assert_eq!((here["current"].as_bool(), there["current"].as_bool()), (Some(true), Some(false)));
    assert_eq!(here["address"], "127.0.0.1");
    assert!(here["started_at"].as_i64().unwrap() > 0 && there["last_active_at"].as_i64().unwrap() > 0);
    let handle = there["handle"].as_str().unwrap().to_owned();
    assert!(!handle.contains(&phone.cookie("__Host-optin_session").unwrap()), "the list never shows a session id");
    // The phone sees the same two, itself the current one.
    let from_phone = listed(&phone).await;
    assert!(from_phone.iter().any(|session| session["browser"] == "Safari 17 on iOS" && session["current"] == true));

    // Someone else's session, a made-up handle, or no session at all: nothing is ended.
    let stranger = signed_in_as(&app, "stranger.admin", FIREFOX_ON_WINDOWS).await;
    let refused = stranger.server_fn("end_my_session", &[("handle", &handle)]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    let made_up = laptop.server_fn("end_my_session", &[("handle", "not-a-handle")]).await;
    assert_eq!(made_up.status, StatusCode::NOT_FOUND, "{}", made_up.body);
    let anonymous = app.browser().server_fn("end_my_session", &[("handle", &handle)]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(signed_in(&phone).await, "the phone is still signed in");
    assert_eq!(listed(&stranger).await.len(), 1, "the stranger sees only their own session");

    // The laptop's Sign out, posted by the page's form without a script.
    let origin = laptop.base.origin().ascii_serialization();
    let form = laptop
        .http
        .post(laptop.url("/api/end_my_session"))
        .header(header::ORIGIN, origin)
        .header(header::ACCEPT, "text/html")
        .form(&[("handle", handle.as_str())]);
    let ended = laptop.send_with(form).await;
    assert!(ended.status.is_redirection(), "{} {}", ended.status, ended.body);
    assert_eq!(ended.location(), "/sessions?ended=1");
    assert!(!signed_in(&phone).await, "the phone's session is over");
    assert!(signed_in(&laptop).await, "the laptop's is not");
    let left = listed(&laptop).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);

    // The page itself, as the laptop loads it.
    let page = laptop.get("/sessions?ended=1").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in
        ["<h1>Where you're signed in</h1>", "Firefox 133 on Windows", "This browser", "Signed out that session."]
    {
        assert!(page.body.contains(expected), "{expected:?} in the page:\n{}", page.body);
    }
}

#[tokio::test]
async fn the_page_sends_a_stranger_to_sign_in_first() {
    let app = spawn_app().await;
    let page = app.browser().get("/sessions").await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert_eq!(page.location(), "/sign-in?next=/sessions");
}
