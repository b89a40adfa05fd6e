//! Security properties proven over HTTP, each test named after what it proves. (More of the attack
//! pass lives beside the feature it concerns: `sign_in.rs` for throttling, `embed.rs` for the
//! widget, `durability.rs` for stops during refreshes.)

mod common;

use common::spawn_app;
use reqwest::StatusCode;

/// Names of what a decoder says when it fails: none may reach a client.
const DECODER_WORDS: [&str; 4] = ["Deserialization", "missing field", "invalid digit", "expected"];

#[tokio::test]
async fn malformed_server_function_input_is_a_400_that_reveals_no_internals() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let cases: [(&str, &str); 4] = [
        ("sign_in", "x"),
        ("sign_in", "sign_in_name=alice"),
        ("token_history", "product=data-management&company=1&page=-1"),
        ("load_overview", "product=reverse-logistics&company=not-a-number"),
    ];
    for (function, body) in cases {
        let response = http
            .post(app.base.join(&format!("/api/{function}")).unwrap())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{function} {body:?}: {text}");
        for word in DECODER_WORDS {
            assert!(!text.contains(word), "{function} {body:?} reveals {word:?}: {text}");
        }
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let huge = format!("sign_in_name={}&password=x", "a".repeat(3 * 1024 * 1024));
    for path in ["/api/sign_in", "/api/v1/embed/sessions", "/oauth/reverse-logistics/start"] {
        let response = http
            .post(app.base.join(path).unwrap())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
}
