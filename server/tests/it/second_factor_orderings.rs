//! Second factors when things happen at once or in an awkward order, over HTTP: an enrolment
//! the throttle refuses keeps nothing, a step taken by one answer spends no other, two removals
//! at once leave the one factor that is required, and a first factor (or the requirement)
//! ends the sessions a password alone opened.

use crate::common::{app_code, spawn_app, spawn_app_with, unix_now, Browser, TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

fn json(page: &crate::common::Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("JSON: {} {}", page.status, page.body))
}

/// A browser that gave `name`'s right password and waits on the second step.
async fn at_second_step(app: &TestApp, name: &str) -> Browser {
    let browser = app.browser();
    let page = browser.sign_in(name, PASSWORD).await;
    assert!(browser.cookie("__Host-optin_step").is_some(), "{} {}", page.status, page.body);
    browser
}

async fn signed_in(browser: &Browser) -> bool {
    browser.server_fn("load_identity", &[]).await.status == StatusCode::OK
}

/// Adds an authenticator app for the signed-in `browser` (any earlier factors stay); its key.
async fn add_app(browser: &Browser) -> String {
    let key = json(&browser.server_fn("begin_totp_enrolment", &[]).await)["key"].as_str().unwrap().to_owned();
    let added = browser.server_fn("confirm_totp_enrolment", &[("code", &app_code(&key, unix_now()))]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    key
}

async fn confirmed_factors(app: &TestApp, user: i64) -> i64 {
    app.column("SELECT COUNT(*) FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL", &[user]).await[0]
}

#[tokio::test]
async fn an_enrolment_the_throttle_refuses_keeps_no_factor_and_no_codes() {
    let app = spawn_app_with(|settings| settings.second_factors.required = true).await;
    let hal = app.admin("hal", &[]).await.get();
    let browser = at_second_step(&app, "hal").await;
    let key = json(&browser.server_fn("begin_totp_enrolment", &[]).await)["key"].as_str().unwrap().to_owned();
    // Meanwhile this address guessed at hal's password five times: the next answer must wait.
    for _ in 0..5 {
        app.execute(
            "INSERT INTO sign_in_attempts (name_key, address, at) VALUES ('hal', '127.0.0.1', $1)",
            &[unix_now()],
        )
        .await;
    }
    let refused = browser.server_fn("confirm_totp_enrolment", &[("code", &app_code(&key, unix_now()))]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    assert_eq!(confirmed_factors(&app, hal).await, 0, "a refused enrolment keeps no factor");
    let codes: Vec<i64> = app.column("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1", &[hal]).await;
    assert_eq!(codes, [0], "and no recovery codes nobody was shown");
    assert!(!signed_in(&browser).await);
    // Once the wait is over, the same step enrols with the same key.
    app.execute("DELETE FROM sign_in_attempts", &[]).await;
    let added = browser.server_fn("confirm_totp_enrolment", &[("code", &app_code(&key, unix_now() + 30))]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(json(&added)["recovery_codes"].as_array().unwrap().len(), 10);
    assert!(signed_in(&browser).await);
}

#[tokio::test]
async fn answers_sent_at_once_finish_the_step_once_and_spend_only_the_winner() {
    let app = spawn_app().await;
    app.admin("ida", &[]).await;
    let own = app.browser().signed_in("ida").await;
    add_app(&own).await;
    let codes: Vec<String> = serde_json::from_value(json(&own.server_fn("new_recovery_codes", &[]).await)).unwrap();
    assert_eq!(codes.len(), 10, "new recovery codes");
    let browser = at_second_step(&app, "ida").await;
    // Four different right recovery codes for the one step, at once (a double click, two tabs).
    let fields: Vec<[(&str, &str); 1]> = codes[..4].iter().map(|code| [("code", code.as_str())]).collect();
    let answer = |form| browser.server_fn("verify_second_factor", form);
    let (a, b, c, d) = tokio::join!(answer(&fields[0]), answer(&fields[1]), answer(&fields[2]), answer(&fields[3]));
    let answers = [a, b, c, d];
    let passed = answers.iter().filter(|answer| answer.status.is_success()).count();
    assert_eq!(passed, 1, "{:?}", answers.iter().map(|answer| (answer.status, &answer.body)).collect::<Vec<_>>());
    for refused in answers.iter().filter(|answer| !answer.status.is_success()) {
        assert!(refused.body.contains("SignInStepOver"), "{}", refused.body);
    }
    assert!(signed_in(&browser).await);
    let left = json(&own.server_fn("load_second_factors", &[]).await)["recovery_codes_left"].clone();
    assert_eq!(left, 9, "only the answer that finished the step spent its code");
}

#[tokio::test]
async fn two_removals_at_once_leave_the_one_factor_that_is_required() {
    let app = spawn_app_with(|settings| settings.second_factors.required = true).await;
    let joe = app.admin("joe", &[]).await.get();
    let browser = at_second_step(&app, "joe").await;
    let key = json(&browser.server_fn("begin_totp_enrolment", &[]).await)["key"].as_str().unwrap().to_owned();
    let added = browser.server_fn("confirm_totp_enrolment", &[("code", &app_code(&key, unix_now()))]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    add_app(&browser).await;
    let ids: Vec<i64> = app.column("SELECT id FROM second_factors WHERE user_id = $1 ORDER BY id", &[joe]).await;
    assert_eq!(ids.len(), 2);
    let (first, second) = (ids[0].to_string(), ids[1].to_string());
    let (first, second) = ([("factor", first.as_str())], [("factor", second.as_str())]);
    let (a, b) = tokio::join!(
        browser.server_fn("remove_second_factor", &first),
        browser.server_fn("remove_second_factor", &second),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::BAD_REQUEST], "{} / {}", a.body, b.body);
    assert_eq!(confirmed_factors(&app, joe).await, 1, "one factor stays");
}

#[tokio::test]
async fn a_first_factor_and_the_requirement_end_the_sessions_a_password_alone_opened() {
    let app = spawn_app().await;
    for name in ["kim", "lou"] {
        app.admin(name, &[]).await;
    }
    // Kim is signed in on a laptop and a phone; the phone adds her first factor.
    let laptop = app.browser().signed_in("kim").await;
    let phone = app.browser().signed_in("kim").await;
    let key = add_app(&phone).await;
    assert!(signed_in(&phone).await, "the browser that added it stays signed in");
    assert!(!signed_in(&laptop).await, "the password-only session elsewhere ended");
    // With the laptop signed in again (password and code), another factor ends nothing.
    let laptop = at_second_step(&app, "kim").await;
    let passed = laptop.server_fn("verify_second_factor", &[("code", &app_code(&key, unix_now() + 30))]).await;
    assert!(passed.status.is_success(), "{}", passed.body);
    add_app(&phone).await;
    assert!(signed_in(&laptop).await && signed_in(&phone).await);

    // Lou signed in with a password while factors were optional; once they are required, that
    // session opens nothing, and the next sign-in enrols one. Kim's sessions go on.
    let lou = app.browser().signed_in("lou").await;
    let required = app.restarted_with(|settings| settings.second_factors.required = true).await;
    let moved = |browser: &Browser| {
        let there = Browser::at(required.base.clone());
        there.set_cookie("__Host-optin_session", &browser.cookie("__Host-optin_session").unwrap());
        there
    };
    assert!(!signed_in(&moved(&lou)).await, "a session without the required factor ends");
    assert!(signed_in(&moved(&phone)).await, "one with a factor goes on");
    let step = at_second_step(&required, "lou").await;
    assert_eq!(json(&step.server_fn("load_sign_in_step", &[]).await)["purpose"], "Enrol");
}
