//! Fault modes (`sandbox.faults = true` only): the sandbox's token endpoints answer as a UPS that
//! pushes back, switched at run time by `POST /security/sandbox/faults` with
//! `{"mode": "rate_limited", "retry_after": 5, "for_secs": 30}` (modes: `none`, `rate_limited`
//! with or without `retry_after`, `blocked_merchant` (403), `invalid_client` (401, `10401`),
//! `unavailable` (503), `slow` with `millis`). `GET` answers the mode and how many token requests
//! arrived and how many of them a fault answered, so tests and benchmarks can count what UPS
//! would have seen.

use super::Sandbox;
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use optin_core::ups::UpsErrorResponse;
use serde::{Deserialize, Serialize};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

/// How the token endpoints answer.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Fault {
    /// As UPS answers when all is well.
    #[default]
    None,
    /// 429, with `Retry-After: retry_after` when given.
    RateLimited { retry_after: Option<u64> },
    /// 403 Blocked Merchant.
    BlockedMerchant,
    /// 401 `10401` ClientId is Invalid.
    InvalidClient,
    /// 503.
    Unavailable,
    /// The usual answer, `millis` late.
    Slow { millis: u64 },
}

/// A switch to a fault, for a while or until switched again.
#[derive(Deserialize)]
pub(super) struct Switch {
    #[serde(flatten)]
    fault: Fault,
    /// Back to `none` after this long.
    for_secs: Option<u64>,
}

/// The fault in force, and the counts.
#[derive(Default)]
pub struct Faults {
    current: Mutex<(Fault, Option<Instant>)>,
    requests: AtomicU64,
    faulted: AtomicU64,
}

impl Faults {
    fn current(&self) -> Fault {
        let mut current = self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if current.1.is_some_and(|until| until <= Instant::now()) {
            *current = (Fault::None, None);
        }
        current.0
    }

    /// The answer a fault gives to a token request instead of the usual one, if any (a slow
    /// fault waits first and then gives none).
    pub(super) async fn injected_response(&self) -> Option<Response> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let refused = |status: StatusCode, code: &str, message: &str| {
            Some((status, Json(UpsErrorResponse::new(code, message))).into_response())
        };
        let response = match self.current() {
            Fault::None => None,
            Fault::Slow { millis } => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                None
            }
            Fault::RateLimited { retry_after } => {
                let mut response = refused(StatusCode::TOO_MANY_REQUESTS, "429", "Too Many Requests")?;
                if let Some(seconds) = retry_after {
                    response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
                }
                Some(response)
            }
            Fault::BlockedMerchant => refused(StatusCode::FORBIDDEN, "403", "Blocked Merchant"),
            Fault::InvalidClient => refused(StatusCode::UNAUTHORIZED, "10401", "ClientId is Invalid"),
            Fault::Unavailable => refused(StatusCode::SERVICE_UNAVAILABLE, "10500", "Service Unavailable"),
        };
        if response.is_some() {
            self.faulted.fetch_add(1, Ordering::Relaxed);
        }
        response
    }

    fn report(&self) -> serde_json::Value {
        serde_json::json!({
            "fault": self.current(),
            "requests": self.requests.load(Ordering::Relaxed),
            "faulted": self.faulted.load(Ordering::Relaxed),
        })
    }
}

/// `GET /security/sandbox/faults`.
pub(super) async fn show(State(sandbox): State<Sandbox>) -> Json<serde_json::Value> {
    Json(sandbox.faults.report())
}

/// `POST /security/sandbox/faults`.
pub(super) async fn switch(State(sandbox): State<Sandbox>, Json(switch): Json<Switch>) -> Json<serde_json::Value> {
    let until = switch.for_secs.map(|seconds| Instant::now() + Duration::from_secs(seconds));
    *sandbox.faults.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = (switch.fault, until);
    tracing::warn!(fault = ?switch.fault, for_secs = ?switch.for_secs, "the sandbox's fault mode changed");
    Json(sandbox.faults.report())
}
