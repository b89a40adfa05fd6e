//! What the people who run the service look at: readiness for a load balancer (`/readyz`;
//! `/healthz` is liveness) and Prometheus metrics (`/metrics`). The metrics themselves are
//! recorded where things happen (`metrics::counter!` and friends in the core and the token API);
//! here they are installed, rendered, and joined by what is read from the database at each scrape
//! (authorizations by state, the refresh backlog). `/metrics` answers a loopback client, or anyone
//! with `metrics_token` as a bearer token; behind a proxy (`client_ip_header`) only the latter.

use crate::{api::bearer, routes::Declared};
use app::state::AppState;
use axum::{
    extract::{ConnectInfo, State},
    handler::Handler,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use optin_core::{
    operations::{self, Gauges},
    secret::{token_hash, SecretString},
    CoreError,
};
use std::{
    fmt::Write,
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};

/// Latency buckets, in seconds, for every `…_seconds` histogram.
const BUCKETS: [f64; 13] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The process's recorder (one per process, whatever number of applications it builds).
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
                .expect("the buckets are not empty");
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was installed already; /metrics shows only this one's");
            }
            // Histograms keep their samples until drained: drain them even with nobody scraping.
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                })
                .expect("a thread starts");
            handle
        })
        .clone()
}

/// Liveness, readiness and the metrics, which `access` may read.
pub fn routes(access: MetricsAccess) -> Declared<AppState> {
    Declared::default()
        .get("/healthz", || async { "ok" })
        .get("/readyz", readiness)
        .get("/metrics", metrics.layer(Extension(Arc::new(access))))
}

/// Who may read `/metrics`.
#[derive(Clone)]
pub struct MetricsAccess {
    pub token: Option<SecretString>,
    /// Behind a proxy every request comes from its address: loopback proves nothing then.
    pub behind_proxy: bool,
}

pub async fn metrics(
    State(state): State<AppState>,
    Extension(access): Extension<Arc<MetricsAccess>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let allowed = match (&access.token, bearer(&headers)) {
        // Compared as hashes: how long the comparison takes says nothing about the token.
        (Some(token), Some(given)) => token_hash(token.expose()) == token_hash(given),
        (Some(_), None) | (None, _) => access.token.is_none() && !access.behind_proxy && peer.ip().is_loopback(),
    };
    if !allowed {
        return (StatusCode::FORBIDDEN, "metrics: a loopback client or the metrics token is required").into_response();
    }
    let mut body = recorder().render();
    if let Err(error) = from_the_database(&state, &mut body).await {
        tracing::error!(%error, "metrics: cannot read the database");
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// The gauges read at each scrape.
async fn from_the_database(state: &AppState, body: &mut String) -> Result<(), CoreError> {
    let Gauges { statements, due, authorizations } = operations::gauges(&state.core).await?;
    let _ = writeln!(
        body,
        "# HELP optin_store_statements_total Statements sent to the database, BEGIN and COMMIT included."
    );
    let _ = writeln!(body, "# TYPE optin_store_statements_total counter\noptin_store_statements_total {statements}");
    let _ = writeln!(body, "# HELP optin_refresh_due Authorizations due for refresh now (the backlog).");
    let _ = writeln!(body, "# TYPE optin_refresh_due gauge\noptin_refresh_due {due}");
    let _ = writeln!(body, "# HELP optin_authorizations Authorizations by product and state.");
    let _ = writeln!(body, "# TYPE optin_authorizations gauge");
    for (product, authorization, count) in authorizations {
        let _ = writeln!(
            body,
            "optin_authorizations{{product=\"{}\",state=\"{}\"}} {count}",
            product.slug(),
            authorization.as_str()
        );
    }
    Ok(())
}

/// Readiness, for a load balancer: 200 while the database answers with every migration applied
/// and the process is not stopping; 503 otherwise, saying which (never an internal error's text).
pub async fn readiness(State(state): State<AppState>) -> Response {
    let not_ready = |reason: &str| (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {reason}")).into_response();
    if state.core.stopping.is_cancelled() {
        return not_ready("stopping");
    }
    match operations::ready(&state.core).await {
        Ok(true) => (StatusCode::OK, "ready").into_response(),
        Ok(false) => not_ready("database migrations are missing"),
        Err(error) => {
            tracing::error!(%error, "readiness: the database does not answer");
            not_ready("the database does not answer")
        }
    }
}
