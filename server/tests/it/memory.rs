//! Memory after a flood: a burst of sign-ins, each one a full Argon2 hash (19 MiB of working
//! memory), must not leave the process holding hundreds of megabytes afterwards. On a small
//! container that is an out-of-memory kill, which loses rotated tokens like any crash. The real
//! binary, since how it allocates is set up in `main`.

use crate::common;

use common::service::Service;
use reqwest::StatusCode;
use std::time::Duration;

const SIGN_INS: usize = 400;
/// As many at once as the password-check queue holds on two cores, so nearly all are hashed.
const AT_ONCE: usize = 16;

#[tokio::test(flavor = "multi_thread")]
async fn memory_comes_back_after_a_flood_of_sign_ins() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(dir.path(), &[("OPTIN_CLIENT_IP_HEADER", "x-forwarded-for")]);
    let url = service.base.join("/api/sign_in").unwrap();
    let before = service.rss();

    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..AT_ONCE {
        let url = url.clone();
        workers.spawn(async move {
            let client = reqwest::Client::new();
            let mut hashed = 0;
            for n in (worker..SIGN_INS).step_by(AT_ONCE) {
                // Each from its own address and for its own name: the throttle lets every one
                // through to the password check.
                let response = client
                    .post(url.clone())
                    .header("accept", "application/json")
                    .header("x-forwarded-for", format!("10.1.{}.{}", n / 200, n % 200 + 1))
                    .form(&[("sign_in_name", format!("nobody{n}")), ("password", "a wrong password".into())])
                    .send()
                    .await
                    .expect("answered");
                hashed += usize::from(response.status() == StatusCode::UNAUTHORIZED);
            }
            hashed
        });
    }
    let mut hashed = 0;
    while let Some(worker) = workers.join_next().await {
        hashed += worker.unwrap();
    }
    assert!(hashed >= SIGN_INS / 2, "only {hashed} of {SIGN_INS} sign-ins were checked");

    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = service.rss();
    eprintln!("RSS {} MB before, {} MB after {hashed} password checks", before >> 20, after >> 20);
    assert!(after < 100 << 20, "RSS stayed at {} MB after the flood", after >> 20);
    service.terminate();
}
