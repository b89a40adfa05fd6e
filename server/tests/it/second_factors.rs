//! Second factors over HTTP, as the pages' script and forms call them: adding an authenticator
//! app, the sign-in's second step (a code from the app, used once, or a recovery code, used
//! once), and the setting that requires a second factor of every admin, under which a right
//! password alone opens no page and no server function. Passkeys are Chromium's
//! (`end2end/tests/second-factors.spec.ts`, with its virtual authenticator).

use crate::{
    common::{app_code, spawn_app, spawn_app_with, unix_now, Browser, TestApp, PASSWORD},
    roles::SECOND_FACTORS,
};
use reqwest::StatusCode;
use serde_json::Value;

fn json(page: &crate::common::Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("JSON: {} {}", page.status, page.body))
}

/// Adds an authenticator app for the signed-in `browser`: its key, the recovery codes, and the
/// time whose code confirmed it.
async fn add_app(browser: &Browser) -> (String, Vec<String>, i64) {
    let enrolment = browser.server_fn("begin_totp_enrolment", &[]).await;
    assert_eq!(enrolment.status, StatusCode::OK, "{}", enrolment.body);
    let enrolment = json(&enrolment);
    let key = enrolment["key"].as_str().unwrap().to_owned();
    let link = enrolment["link"].as_str().unwrap();
    assert!(link.starts_with("otpauth://totp/") && link.contains("issuer=UPS"), "{link}");
    let at = unix_now();
    let added = browser.server_fn("confirm_totp_enrolment", &[("code", &app_code(&key, at))]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let codes = json(&added)["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    (key, codes, at)
}

/// A browser that has given the right password: on the second step, with its cookie only.
async fn at_second_step(app: &TestApp, name: &str) -> Browser {
    let browser = app.browser();
    give_password(&browser, name).await;
    assert!(browser.cookie("__Host-optin_session").is_none(), "and no session");
    browser
}

/// `browser` gives `name`'s right password, as the sign-in page's form posts it (no script): the
/// answer is a redirect to the second step, which has a cookie of its own.
async fn give_password(browser: &Browser, name: &str) {
    let form = [("sign_in_name", name), ("password", PASSWORD)];
    let request = browser
        .http
        .post(browser.url("/api/sign_in"))
        .header(reqwest::header::ORIGIN, browser.base.origin().ascii_serialization())
        .header(reqwest::header::ACCEPT, "text/html")
        .form(&form);
    let page = browser.send_with(request).await;
    assert!(page.status.is_redirection(), "{} {}", page.status, page.body);
    assert_eq!(page.location(), "/sign-in/second-factor");
    assert!(browser.cookie("__Host-optin_step").is_some(), "the step has a cookie of its own");
}

async fn verify(browser: &Browser, code: &str) -> crate::common::Page {
    browser.server_fn("verify_second_factor", &[("code", code)]).await
}

async fn signed_in(browser: &Browser) -> bool {
    browser.server_fn("load_identity", &[]).await.status == StatusCode::OK
}

#[tokio::test]
async fn an_authenticator_app_is_asked_for_at_every_sign_in_and_each_code_works_once() {
    let app = spawn_app().await;
    app.admin("ada", &[]).await;
    let own = app.browser().signed_in("ada").await;
    // A key nobody confirmed is not a factor: a wrong first code is refused and changes nothing.
    let enrolment = json(&own.server_fn("begin_totp_enrolment", &[]).await);
    let wrong = own.server_fn("confirm_totp_enrolment", &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    assert!(wrong.body.contains("WrongCode"), "{}", wrong.body);
    assert!(enrolment["key"].as_str().is_some());
    let (key, codes, now) = add_app(&own).await;
    assert_eq!(codes.len(), 10, "recovery codes come with the first factor");
    let factors = json(&own.server_fn("load_second_factors", &[]).await);
    assert_eq!(factors["factors"].as_array().unwrap().len(), 1, "{factors}");
    assert_eq!(factors["factors"][0]["kind"], "Totp");
    assert_eq!(factors["recovery_codes_left"], 10);
    // The key is sealed at rest: the database holds no copy of it.
    let sealed: Vec<Vec<u8>> = app.column("SELECT secret FROM second_factors", &[]).await;
    let plain = key.replace(' ', "");
    assert!(!sealed[0].windows(plain.len()).any(|window| window == plain.as_bytes()));

    // The password alone now opens nothing.
    let laptop = at_second_step(&app, "ada").await;
    assert!(!signed_in(&laptop).await, "a right password alone is no session");
    let step = json(&laptop.server_fn("load_sign_in_step", &[]).await);
    assert_eq!((step["purpose"].as_str(), step["totp"].as_bool()), (Some("Verify"), Some(true)), "{step}");
    // The code that confirmed the app was used: its time step is spent.
    let reused = verify(&laptop, &app_code(&key, now)).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED, "a code works once: {}", reused.body);
    assert!(reused.body.contains("WrongCode"), "{}", reused.body);
    // A code from two minutes ago has expired.
    let expired = verify(&laptop, &app_code(&key, now - 120)).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED, "{}", expired.body);
    // The next step's code (a clock a little ahead) signs in, and goes where the sign-in was going.
    let next = app_code(&key, now + 30);
    let request = laptop
        .http
        .post(laptop.url("/api/verify_second_factor"))
        .header(reqwest::header::ORIGIN, laptop.base.origin().ascii_serialization())
        .header(reqwest::header::ACCEPT, "text/html")
        .form(&[("code", &next)]);
    let passed = laptop.send_with(request).await;
    assert!(passed.status.is_redirection(), "{} {}", passed.status, passed.body);
    assert_eq!(passed.location(), "/");
    assert!(signed_in(&laptop).await);
    assert!(laptop.cookie("__Host-optin_step").is_none(), "the step's cookie is gone");
    assert!(laptop.cookie("__Host-optin_device").is_some(), "a device cookie comes with the finished sign-in");
    // The same code in another browser, with the right password: refused.
    let phone = at_second_step(&app, "ada").await;
    let replayed = verify(&phone, &next).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED, "{}", replayed.body);
    assert!(!signed_in(&phone).await);
    let used: Vec<Option<i64>> = app.column("SELECT last_used_at FROM second_factors", &[]).await;
    assert!(used[0].is_some(), "the list shows when the app was last used");
}

#[tokio::test]
async fn a_recovery_code_works_once_and_wrong_answers_end_the_step() {
    let app = spawn_app().await;
    app.admin("bea", &[]).await;
    let own = app.browser().signed_in("bea").await;
    let (key, codes, _) = add_app(&own).await;

    let first = at_second_step(&app, "bea").await;
    // Typed in capitals and without its dash, it is still the code.
    let typed = codes[3].replace('-', "").to_uppercase();
    assert!(verify(&first, &typed).await.status.is_success() || signed_in(&first).await);
    assert!(signed_in(&first).await, "a recovery code signs in");
    let second = at_second_step(&app, "bea").await;
    let again = verify(&second, &codes[3]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a recovery code works once: {}", again.body);
    let left = json(&own.server_fn("load_second_factors", &[]).await);
    assert_eq!(left["recovery_codes_left"], 9);

    // Five wrong answers (the used recovery code was the first) end the step: even the right
    // code then needs the password again.
    for _ in 0..3 {
        assert!(verify(&second, "123456").await.body.contains("WrongCode"));
    }
    let ended = verify(&second, "123456").await;
    assert!(ended.body.contains("SignInStepOver"), "{}", ended.body);
    let right = verify(&second, &app_code(&key, unix_now() + 60)).await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED);
    assert!(right.body.contains("SignInStepOver"), "{}", right.body);
    assert!(!signed_in(&second).await);

    // Wrong codes count against the sign-in throttle like wrong passwords: the right password
    // now waits too, so knowing it buys no more guesses at the code.
    let held = app.browser().sign_in("bea", PASSWORD).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.body);
    app.execute("UPDATE sign_in_attempts SET at = at - 60", &[]).await; // the wait passes

    // New codes replace the old ones, which stop working.
    let fresh = json(&own.server_fn("new_recovery_codes", &[]).await);
    assert_eq!(fresh.as_array().unwrap().len(), 10);
    let third = at_second_step(&app, "bea").await;
    assert_eq!(verify(&third, &codes[5]).await.status, StatusCode::UNAUTHORIZED, "an old code is gone");
    app.execute("UPDATE sign_in_attempts SET at = at - 120", &[]).await; // the (longer) wait passes
    assert!(verify(&third, fresh[0].as_str().unwrap()).await.status.is_success() || signed_in(&third).await);
    assert!(signed_in(&third).await);
}

#[tokio::test]
async fn required_second_factors_open_nothing_on_a_password_alone_and_are_added_at_the_next_sign_in() {
    let app = spawn_app_with(|settings| settings.second_factors.required = true).await;
    let company = app.company("Acme Returns").await;
    app.admin("cy", &[company]).await;
    let browser = at_second_step(&app, "cy").await;
    let step = json(&browser.server_fn("load_sign_in_step", &[]).await);
    assert_eq!(step["purpose"], "Enrol", "{step}");

    // Every server function but the step's own and the sign-in page's answers 401, with fields
    // enough for each to get past reading its arguments; and no page opens.
    let company = company.to_string();
    let fields = [
        ("product", "reverse-logistics"),
        ("company", company.as_str()),
        ("page", "1"),
        ("handle", "00"),
        ("key", "none"),
        ("session", "none"),
        ("factor", "1"),
        ("link", "1"),
        ("sign_in_name", "cy"),
        ("password", "wrong password here"),
    ];
    let own = |path: &str| {
        SECOND_FACTORS.contains(&path) || ["/api/load_sign_in_options", "/api/unlock_sign_in"].contains(&path)
    };
    let public = ["/api/sign_out", "/api/sign_out_everywhere"];
    let mut tried = 0;
    for route in app.routes.iter().filter(|route| route.method == "POST" && route.path.starts_with("/api/")) {
        if own(&route.path) || public.contains(&route.path.as_str()) {
            continue;
        }
        let name = route.path.trim_start_matches("/api/");
        let answer = match name {
            "v1/embed/sessions" => browser.post_form(&route.path, &[]).await,
            name => browser.server_fn(name, &fields).await,
        };
        if name == "open_embed" {
            // The widget's page is opened by its own session, never by a sign-in: refused.
            assert!(answer.body.starts_with("{\"Refused\""), "{}: {}", route.path, answer.body);
            continue;
        }
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{} with the step's cookie: {}", route.path, answer.body);
        tried += 1;
    }
    assert!(tried >= 10, "the router's server functions were tried ({tried})");
    for page in ["/", "/reverse-logistics", "/sessions", "/second-factors", "/data-management/admin"] {
        let answer = browser.get(page).await;
        assert!(answer.status.is_redirection(), "{page}: {}", answer.status);
        assert!(answer.location().starts_with("/sign-in?next="), "{page}: {}", answer.location());
    }
    // The step cannot verify what the user does not have.
    assert!(verify(&browser, "123456").await.body.contains("SignInStepOver"));

    // Adding an authenticator app finishes the sign-in.
    let enrolment = json(&browser.server_fn("begin_totp_enrolment", &[]).await);
    let key = enrolment["key"].as_str().unwrap();
    let added = browser.server_fn("confirm_totp_enrolment", &[("code", &app_code(key, unix_now()))]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let added = json(&added);
    assert_eq!(added["next"], "/", "{added}");
    assert_eq!(added["recovery_codes"].as_array().unwrap().len(), 10);
    assert!(signed_in(&browser).await, "the enrolment opened the session");
    assert!(browser.cookie("__Host-optin_step").is_none());

    // The one factor cannot be removed while they are required.
    let factors = json(&browser.server_fn("load_second_factors", &[]).await);
    let id = factors["factors"][0]["id"].to_string();
    let removal = browser.server_fn("remove_second_factor", &[("factor", &id)]).await;
    assert_eq!(removal.status, StatusCode::BAD_REQUEST, "{}", removal.body);
    assert!(removal.body.contains("required"), "{}", removal.body);
    // The operator's reset, for an admin who lost everything: the next sign-in adds one again.
    let (ok, out, err) = app.cli(&["user", "reset-second-factors", "cy"]);
    assert!(ok && out.contains("Removed 1 second factor"), "{out}{err}");
    assert!(!signed_in(&browser).await, "the reset ended the sessions");
    let again = at_second_step(&app, "cy").await;
    assert_eq!(json(&again.server_fn("load_sign_in_step", &[]).await)["purpose"], "Enrol");
}

#[tokio::test]
async fn factor_secrets_are_rewrapped_with_a_new_key_and_still_sign_in() {
    let app = spawn_app().await;
    app.admin("dee", &[]).await;
    let own = app.browser().signed_in("dee").await;
    let (key, _, at) = add_app(&own).await;
    let (ok, out, err) = app.cli(&["keys", "rotate"]);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = app.cli(&["keys", "rewrap"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("Re-sealed 1 "), "the factor was re-sealed: {out}");
    let (_, out, err) = app.cli(&["check"]);
    let report = format!("{out}{err}");
    assert!(report.contains("stored secrets: all 1 open with the key ring"), "{report}");
    let restarted = app.restarted().await;
    let browser = at_second_step(&restarted, "dee").await;
    let passed = verify(&browser, &app_code(&key, at + 30)).await;
    assert!(passed.status.is_success() || passed.status.is_redirection(), "{} {}", passed.status, passed.body);
    assert!(signed_in(&browser).await);
}

#[tokio::test]
async fn an_enrolment_is_for_whoever_gave_the_password_and_ends_with_their_sessions() {
    let app = spawn_app_with(|settings| settings.second_factors.required = true).await;
    for name in ["fay", "eve", "gus"] {
        app.admin(name, &[]).await;
    }
    // Fay enrols and is signed in; then Eve gives her password in the same browser.
    let shared = at_second_step(&app, "fay").await;
    let key = json(&shared.server_fn("begin_totp_enrolment", &[]).await)["key"].as_str().unwrap().to_owned();
    let fay_added = shared.server_fn("confirm_totp_enrolment", &[("code", &app_code(&key, unix_now()))]).await;
    assert_eq!(fay_added.status, StatusCode::OK, "{}", fay_added.body);
    give_password(&shared, "eve").await;
    // What the browser adds now is Eve's, not Fay's, whose session the browser still holds.
    let key = json(&shared.server_fn("begin_totp_enrolment", &[]).await)["key"].as_str().unwrap().to_owned();
    let eve_added = json(&shared.server_fn("confirm_totp_enrolment", &[("code", &app_code(&key, unix_now()))]).await);
    assert_eq!(eve_added["next"], "/", "Eve's enrolment finished her sign-in: {eve_added}");
    let owners: Vec<(String, i64)> = app
        .rows(
            "SELECT u.sign_in_name, COUNT(*) FROM second_factors f JOIN users u ON u.id = f.user_id
             GROUP BY u.sign_in_name ORDER BY u.sign_in_name",
            &[],
        )
        .await;
    assert_eq!(owners, [("eve".to_owned(), 1), ("fay".to_owned(), 1)], "one factor each, each their own");
    let identity = json(&shared.server_fn("load_identity", &[]).await);
    assert_eq!(identity["sign_in_name"], "eve");

    // A password change ends a sign-in waiting for its second step, as it ends the sessions.
    let waiting = at_second_step(&app, "gus").await;
    let (ok, out, err) =
        app.cli_with(&["user", "set-password", "gus"], &[("OPTIN_NEW_PASSWORD", "a new password for gus")]);
    assert!(ok, "{out}{err}");
    let after = waiting.server_fn("begin_totp_enrolment", &[]).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
    assert!(after.body.contains("SignInStepOver"), "{}", after.body);
    // And an enrolment step of a user who has a factor by now enrols nothing more.
    let late = app.browser();
    give_password(&late, "fay").await;
    app.execute("UPDATE sign_in_steps SET purpose = 'enrol'", &[]).await; // opened before her first factor
    let refused = late.server_fn("begin_totp_enrolment", &[]).await;
    assert!(refused.body.contains("SignInStepOver"), "{}", refused.body);
}
