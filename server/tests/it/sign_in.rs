//! Signing in and out over HTTP.

use crate::common;

use common::{spawn_app, spawn_app_with, PASSWORD};
use reqwest::StatusCode;
use std::sync::Arc;

#[tokio::test]
async fn wrong_credentials_get_a_clear_error_and_no_session() {
    let app = spawn_app().await;
    app.admin("alice", &[]).await;
    let browser = app.browser();

    for (name, password) in [("alice", "not the password"), ("nobody", PASSWORD)] {
        let page = browser.sign_in(name, password).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{name}");
        assert!(page.body.contains("InvalidCredentials"), "{}", page.body);
        assert!(browser.cookie("__Host-optin_session").is_none());
    }
}

#[tokio::test]
async fn sign_in_sets_a_fresh_http_only_secure_cookie_and_sign_out_ends_the_session() {
    let app = spawn_app().await;
    app.admin("alice", &[]).await;
    let browser = app.browser();
    browser.set_cookie("__Host-optin_session", "planted-by-an-attacker");

    let page = browser.sign_in("alice", PASSWORD).await;
    assert!(page.status.is_success() || page.status.is_redirection(), "{} {}", page.status, page.body);
    let cookie =
        page.set_cookies().into_iter().find(|c| c.starts_with("__Host-optin_session=")).expect("a session cookie");
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
    }
    assert!(!cookie.contains("Domain"), "a __Host- cookie is for this host only: {cookie}");
    let session = browser.cookie("__Host-optin_session").unwrap();
    assert_ne!(session, "planted-by-an-attacker");
    assert!(session.len() >= 43, "session ids carry 256 bits");

    let overview = browser.server_fn("load_overview", &[("product", "reverse-logistics")]).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);

    let out = browser.server_fn("sign_out", &[]).await;
    assert!(out.status.is_success() || out.status.is_redirection());
    // The old session id no longer works, even if replayed.
    browser.set_cookie("__Host-optin_session", &session);
    let overview = browser.server_fn("load_overview", &[("product", "reverse-logistics")]).await;
    assert_eq!(overview.status, StatusCode::UNAUTHORIZED, "{}", overview.body);
}

#[tokio::test]
async fn pages_need_a_session() {
    let app = spawn_app().await;
    let browser = app.browser();
    let page = browser.get("/reverse-logistics?company=1").await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert_eq!(page.location(), "/sign-in?next=/reverse-logistics%3Fcompany%3D1");

    let sign_in = browser.get("/sign-in").await;
    assert_eq!(sign_in.status, StatusCode::OK);
    assert!(sign_in.body.contains("Sign in name"));
    assert_eq!(sign_in.headers.get("x-frame-options").unwrap(), "DENY");
}

#[tokio::test]
async fn cross_origin_form_posts_are_refused() {
    let app = spawn_app().await;
    app.admin("alice", &[]).await;
    let browser = app.browser();
    let page = browser
        .http
        .post(browser.url("/api/sign_in"))
        .header("origin", "https://evil.example")
        .form(&[("sign_in_name", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_that_sign_in_name_for_a_while() {
    let app = spawn_app().await;
    app.admin("alice", &[]).await;
    app.admin("bob", &[]).await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(browser.sign_in("alice", "guess").await.status, StatusCode::UNAUTHORIZED);
    }
    let locked = browser.sign_in("alice", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("TooManyAttempts"), "{}", locked.body);
    assert!(browser.cookie("__Host-optin_session").is_none());
    let bob = browser.sign_in("bob", PASSWORD).await;
    assert!(bob.status.is_success() || bob.status.is_redirection(), "other names still sign in");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_guesses_is_counted_as_it_arrives_not_after_hashing() {
    let app = spawn_app().await;
    app.admin("alice", &[]).await;
    let browser = Arc::new(app.browser());
    let sign_in = |name: String, password: String| {
        let browser = browser.clone();
        tokio::spawn(async move { browser.sign_in(&name, &password).await.status })
    };
    // Other names keep the password hashing busy (as a flood does), so the burst below waits for
    // its hashes: a throttle that counts a guess only after hashing it lets every one through.
    let flood: Vec<_> = (0..20).map(|n| sign_in(format!("nobody{n}"), "guess".into())).collect();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // 300 guesses at once, the right password among them: only as many as the limit may reach
    // the password check (401 or a session); every other one is refused before hashing.
    let burst: Vec<_> = (0..300)
        .map(|n| sign_in("alice".into(), if n == 150 { PASSWORD.into() } else { format!("guess {n}") }))
        .collect();
    let mut checked = 0;
    for guess in burst {
        let status = guess.await.unwrap();
        assert!(!status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE, "{status}");
        if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE {
            checked += 1;
        }
    }
    for other in flood {
        other.await.unwrap();
    }
    assert!(checked <= 5, "{checked} passwords were checked; the limit is 5");
}

#[tokio::test]
async fn guesses_from_elsewhere_do_not_lock_the_admin_out() {
    let app = spawn_app_with(|settings| settings.client_ip_header = Some("x-forwarded-for".into())).await;
    app.admin("dave", &[]).await;
    let browser = app.browser();
    let sign_in = |name: &str, password: &str, client: &str| {
        browser.send_with(
            browser
                .http
                .post(browser.url("/api/sign_in"))
                .header("accept", "application/json")
                // The proxy appends the address it saw; whatever the client claimed comes first.
                .header("x-forwarded-for", format!("10.9.9.9, {client}"))
                .form(&[("sign_in_name", name), ("password", password)]),
        )
    };
    for _ in 0..5 {
        assert_eq!(sign_in("dave", "guess", "203.0.113.66").await.status, StatusCode::UNAUTHORIZED);
    }
    for name in ["dave", "DAVE", " dave"] {
        assert_eq!(sign_in(name, "guess", "203.0.113.66").await.status, StatusCode::TOO_MANY_REQUESTS, "{name:?}");
    }
    let admin = sign_in("dave", PASSWORD, "198.51.100.20").await;
    assert!(admin.status.is_success() || admin.status.is_redirection(), "{} {}", admin.status, admin.body);
    assert!(browser.cookie("__Host-optin_session").is_some());
}

#[tokio::test]
async fn guesses_for_one_name_from_many_addresses_are_bounded_and_the_admin_still_signs_in_with_the_second_factor() {
    let app = spawn_app_with(|settings| settings.client_ip_header = Some("x-forwarded-for".into())).await;
    app.admin("erin", &[]).await;
    async fn sign_in(browser: &common::Browser, password: &str, client: &str) -> common::Page {
        let request = browser
            .http
            .post(browser.url("/api/sign_in"))
            .header("accept", "application/json")
            .header("x-forwarded-for", client)
            .form(&[("sign_in_name", "erin"), ("password", password)]);
        browser.send_with(request).await
    }
    // Erin's own browser has signed in before, and she has an authenticator app.
    let own = app.browser();
    let first = sign_in(&own, PASSWORD, "198.51.100.20").await;
    assert!(first.status.is_success() || first.status.is_redirection(), "{}", first.status);
    assert!(own.cookie("__Host-optin_device").is_some(), "a device cookie comes with the sign-in");
    let key = serde_json::from_str::<serde_json::Value>(&own.server_fn("begin_totp_enrolment", &[]).await.body)
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .replace(' ', "");
    let app_code = |at: i64| common::app_code(&key, at);
    let enrolled = common::unix_now();
    let added = own.server_fn("confirm_totp_enrolment", &[("code", &app_code(enrolled))]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let recovery: Vec<String> = serde_json::from_value(
        serde_json::from_str::<serde_json::Value>(&added.body).unwrap()["recovery_codes"].clone(),
    )
    .unwrap();
    own.server_fn("sign_out", &[]).await;
    assert!(!signed_in(&own).await);

    // 40 guesses, each from an address of its own, each with a browser of its own.
    let (mut checked, mut refused) = (0, 0);
    for n in 0..40 {
        match sign_in(&app.browser(), "guess", &format!("203.0.113.{n}")).await.status {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            status => panic!("{status}"),
        }
    }
    assert_eq!((checked, refused), (10, 30), "at most 10 passwords checked in the window, from all addresses");
    // A browser new to Erin's name waits, even with the right password…
    let newcomer = app.browser();
    let held = sign_in(&newcomer, PASSWORD, "192.0.2.50").await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(held.body.contains("SignInHeld"), "the page can say what to do: {}", held.body);
    // …unless it gives one of Erin's recovery codes (a wrong one is refused), which no stranger
    // has: then it is a browser her name knows, and signs in with her password and code.
    let unlock = |code: &str| {
        let request = newcomer
            .http
            .post(newcomer.url("/api/unlock_sign_in"))
            .header("accept", "application/json")
            .header("x-forwarded-for", "192.0.2.50")
            .form(&[("sign_in_name", "erin"), ("code", code)]);
        newcomer.send_with(request)
    };
    let wrong = unlock("abcde-fghjk").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    assert!(newcomer.cookie("__Host-optin_device").is_none());
    let unlocked = unlock(&recovery[0]).await;
    assert!(unlocked.status.is_success() || unlocked.status.is_redirection(), "{} {}", unlocked.status, unlocked.body);
    assert!(newcomer.cookie("__Host-optin_device").is_some(), "the browser is known to the name now");
    assert!(!signed_in(&newcomer).await, "a recovery code here opens no session");
    // The pass is one password check, wherever its cookie goes: copied to another address, a
    // wrong guess uses it up, and then even the right password waits again.
    let pass = newcomer.cookie("__Host-optin_device").unwrap();
    let copy = app.browser();
    copy.set_cookie("__Host-optin_device", &pass);
    assert_eq!(sign_in(&copy, "guess", "203.0.113.200").await.status, StatusCode::UNAUTHORIZED, "one guess checked");
    assert_eq!(sign_in(&copy, "another guess", "203.0.113.201").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sign_in(&newcomer, PASSWORD, "192.0.2.50").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(unlock(&recovery[0]).await.status, StatusCode::UNAUTHORIZED, "the recovery code was used up");
    // With another code: the password opens the second step, and its answer finishes the sign-in.
    let again = unlock(&recovery[1]).await;
    assert!(again.status.is_success() || again.status.is_redirection(), "{} {}", again.status, again.body);
    let step = sign_in(&newcomer, PASSWORD, "192.0.2.50").await;
    assert!(step.status.is_success() || step.status.is_redirection(), "{} {}", step.status, step.body);
    assert!(newcomer.cookie("__Host-optin_step").is_some(), "the password opened the second step");
    let answer = newcomer
        .http
        .post(newcomer.url("/api/verify_second_factor"))
        .header("accept", "application/json")
        .header("x-forwarded-for", "192.0.2.50")
        .form(&[("code", recovery[2].as_str())]);
    let answered = newcomer.send_with(answer).await;
    assert!(answered.status.is_success() || answered.status.is_redirection(), "{} {}", answered.status, answered.body);
    assert!(signed_in(&newcomer).await, "signed in, past the hold");
    // …and Erin's own browser signs in as usual, from wherever she is: her password, then her
    // second factor, which the password alone does not replace.
    let first_cookie = own.cookie("__Host-optin_device");
    let step = sign_in(&own, PASSWORD, "192.0.2.77").await;
    assert!(step.status.is_success() || step.status.is_redirection(), "{} {}", step.status, step.body);
    assert!(own.cookie("__Host-optin_step").is_some(), "the password opened the second step");
    assert!(!signed_in(&own).await, "the right password alone is no session");
    let code = own
        .http
        .post(own.url("/api/verify_second_factor"))
        .header("accept", "application/json")
        .header("x-forwarded-for", "192.0.2.77")
        .form(&[("code", app_code(enrolled + 30))]);
    let verified = own.send_with(code).await;
    assert!(verified.status.is_redirection() || verified.status.is_success(), "{} {}", verified.status, verified.body);
    assert!(signed_in(&own).await);
    // The sign-in gave the browser a new device cookie in place of its old one: one row each.
    assert_ne!(own.cookie("__Host-optin_device"), first_cookie, "the device cookie is renewed");
    let devices: Vec<i64> = app.column("SELECT COUNT(*) FROM sign_in_devices WHERE passes IS NULL", &[]).await;
    assert_eq!(devices, [2], "Erin's browser and the one her recovery codes let through, each once");
}

/// Whether `browser`'s session still works.
async fn signed_in(browser: &common::Browser) -> bool {
    let page = browser.server_fn("load_identity", &[]).await;
    match page.status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        status => panic!("{status} {}", page.body),
    }
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_that_admin_only() {
    let app = spawn_app().await;
    app.admin("alice", &[]).await;
    app.admin("bob", &[]).await;
    let (laptop, phone, bob) = (
        app.browser().signed_in("alice").await,
        app.browser().signed_in("alice").await,
        app.browser().signed_in("bob").await,
    );
    let out = phone.server_fn("sign_out_everywhere", &[]).await;
    assert!(out.status.is_success() || out.status.is_redirection(), "{} {}", out.status, out.body);
    assert!(!signed_in(&laptop).await && !signed_in(&phone).await, "both of alice's sessions ended");
    assert!(signed_in(&bob).await, "another admin's session is untouched");
}

#[tokio::test]
async fn a_password_change_ends_every_session_and_the_new_password_signs_in() {
    let app = spawn_app().await;
    app.admin("alice", &[]).await;
    let browser = app.browser().signed_in("alice").await;
    let (ok, said, error) = app.cli(&["user", "set-password", "alice"]);
    assert!(ok && said.contains("ended their sessions"), "{said} {error}");
    assert!(!said.contains("a brand new password"), "a password given through the environment is not echoed");
    assert!(!signed_in(&browser).await, "the session from before the change is over");
    assert_eq!(app.browser().sign_in("alice", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    let page = app.browser().sign_in("alice", "a brand new password").await;
    assert!(page.status.is_success() || page.status.is_redirection(), "{} {}", page.status, page.body);
}

#[tokio::test]
async fn a_session_left_unused_ends_before_its_lifetime() {
    let app = spawn_app_with(|settings| settings.session_idle_secs = 2).await;
    app.admin("alice", &[]).await;
    let browser = app.browser().signed_in("alice").await;
    assert!(signed_in(&browser).await);
    tokio::time::sleep(std::time::Duration::from_millis(3_500)).await;
    assert!(!signed_in(&browser).await, "idle for longer than session_idle_secs");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_sign_ins_is_shed_with_503_and_the_admin_is_answered_at_once() {
    let app = spawn_app_with(|settings| settings.client_ip_header = Some("x-forwarded-for".into())).await;
    app.admin("alice", &[]).await;
    let url = app.base.join("/api/sign_in").unwrap();
    let sign_in = |name: String, password: String, client: String| {
        let url = url.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let response = reqwest::Client::new()
                .post(url)
                .header("accept", "application/json")
                .header("x-forwarded-for", client)
                .form(&[("sign_in_name", name), ("password", password)])
                .send()
                .await
                .unwrap();
            (response.status(), started.elapsed())
        })
    };
    // 200 sign-ins at once for random names from as many addresses: far more than the password
    // checks that may wait (eight per core).
    let flood: Vec<_> =
        (0..200).map(|n| sign_in(format!("nobody{n}"), "guess".into(), format!("10.2.0.{}", n + 1))).collect();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let (status, took) = sign_in("alice".into(), PASSWORD.into(), "198.51.100.7".into()).await.unwrap();
    let mut shed = 0;
    for attempt in flood {
        let (status, took) = attempt.await.unwrap();
        assert!(matches!(status, StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE), "{status}");
        assert!(took < std::time::Duration::from_secs(4), "no sign-in queues for long: {took:?}");
        shed += usize::from(status == StatusCode::SERVICE_UNAVAILABLE);
    }
    assert!(shed > 0, "a flood beyond the queue is shed, not queued");
    // The admin is answered within the queue's patience: signed in, or told to retry.
    assert!(matches!(status, StatusCode::OK | StatusCode::SERVICE_UNAVAILABLE), "{status}");
    assert!(took < std::time::Duration::from_secs(4), "{took:?}");
}
