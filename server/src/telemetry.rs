//! OpenTelemetry traces, off unless the standard variables say where a collector listens
//! (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; `OTEL_SDK_DISABLED=true`
//! turns them off again). Then every span the service makes at `info` (each request, the token
//! lookups and refreshes, the store calls and UPS calls on their way, each webhook delivery) is
//! exported over OTLP/HTTP with protobuf, in batches from a background thread
//! (`OTEL_BSP_*`), with `service.name` from `OTEL_SERVICE_NAME` (default `optin`) and headers
//! from `OTEL_EXPORTER_OTLP_HEADERS`: the exporter reads the standard variables itself.
//!
//! A product backend's W3C `traceparent` continues into the service's spans on the API (`/api/…`)
//! only: a browser cannot make itself the parent of the pages' traces. Spans carry names, routes,
//! ids and outcomes; the code keeps tokens, secrets and passwords out of span fields (they are
//! `SecretString`s, skipped by every `#[instrument]`), so none reaches an attribute.
//!
//! The exporter sends with the service's own `reqwest` (no second HTTP client in the build); the
//! batch thread hands each export to the Tokio runtime the service runs on.

use opentelemetry::{propagation::TextMapPropagator, trace::TracerProvider as _};
use opentelemetry_http::{Bytes, HeaderExtractor, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{SpanExporter, WithHttpConfig};
use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::SdkTracerProvider, Resource};
use std::sync::OnceLock;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{registry::LookupSpan, Layer};

/// Set once traces are exported: the propagator that reads a caller's `traceparent`.
static PROPAGATOR: OnceLock<TraceContextPropagator> = OnceLock::new();

/// The name spans are exported under unless `OTEL_SERVICE_NAME` says otherwise.
const SERVICE_NAME: &str = "optin";

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("OpenTelemetry: the OTLP exporter cannot be built: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("OpenTelemetry: the exporter's HTTP client cannot be built: {0}")]
    Client(#[from] reqwest::Error),
}

/// The exporting half, kept by `main` until the process ends: [`Traces::shut_down`] sends what
/// is still buffered.
pub struct Traces {
    provider: SdkTracerProvider,
}

impl Traces {
    /// Exports what is buffered, then stops the batch thread (blocking: call it off the runtime's
    /// workers, as `main` does).
    pub fn shut_down(self) {
        if let Err(error) = self.provider.shutdown() {
            eprintln!("OpenTelemetry: the last traces were not all sent: {error}");
        }
    }
}

/// Whether the environment asks for traces.
pub fn configured() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|value| !value.trim().is_empty());
    let disabled = std::env::var("OTEL_SDK_DISABLED").is_ok_and(|value| value.trim().eq_ignore_ascii_case("true"));
    !disabled && (set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
}

/// Whether traces are exported: spans then carry OpenTelemetry's names and kinds, and callers'
/// `traceparent`s are read.
pub fn enabled() -> bool {
    PROPAGATOR.get().is_some()
}

/// The layer that turns the service's spans into exported ones, and its exporting half; `None`
/// when the environment asks for no traces. Call it inside the Tokio runtime.
pub fn start<S>() -> Result<Option<(impl Layer<S> + Send + Sync, Traces)>, TelemetryError>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    if !configured() {
        return Ok(None);
    }
    let http = ServiceHttp {
        client: reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?,
        runtime: tokio::runtime::Handle::current(),
    };
    let exporter = SpanExporter::builder().with_http().with_http_client(http).build()?;
    let mut resource = Resource::builder();
    if std::env::var("OTEL_SERVICE_NAME").is_err() {
        resource = resource.with_service_name(SERVICE_NAME);
    }
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource.build()).build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("optin"))
        .with_threads(false)
        .with_location(false)
        .with_filter(tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO).with_targets([
            ("sqlx", tracing::Level::WARN),
            ("hyper", tracing::Level::WARN),
            ("reqwest", tracing::Level::WARN),
        ]));
    let _ = PROPAGATOR.set(TraceContextPropagator::new());
    Ok(Some((layer, Traces { provider })))
}

/// Makes the caller's trace (its `traceparent` header, if any) the parent of `span`.
pub fn continue_trace(span: &tracing::Span, headers: &http::HeaderMap) {
    let Some(propagator) = PROPAGATOR.get() else { return };
    let context = propagator.extract(&HeaderExtractor(headers));
    let _ = span.set_parent(context);
}

/// The span every log line of a request is written in: its id (also answered as `x-request-id`,
/// so a product team can quote it), the method and the matched route. Never the query string,
/// which carries OAuth codes and states on the callback.
pub fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|id| id.to_str().ok()).unwrap_or("-");
    let route = request.extensions().get::<axum::extract::MatchedPath>().map(|path| path.as_str().to_owned());
    let route = route.unwrap_or_else(|| crate::consent_links::loggable_path(request.uri().path()).into_owned());
    if !enabled() {
        return tracing::info_span!("request", id, method = %request.method(), route);
    }
    // Exported: named and typed as OpenTelemetry's HTTP conventions say, the status recorded when
    // the response leaves, and on the API a backend's trace continued.
    let span = tracing::info_span!(
        "request",
        id,
        method = %request.method(),
        route,
        otel.name = %format_args!("{} {route}", request.method()),
        otel.kind = "server",
        http.request.method = %request.method(),
        http.route = route,
        http.response.status_code = tracing::field::Empty,
    );
    if request.uri().path().starts_with("/api/") {
        continue_trace(&span, request.headers());
    }
    span
}

/// Records the response's status on its request's span (exported traces show it).
/// Records the response's status on its request's span (exported traces show it), then does what
/// the trace layer does by default (a `debug` line).
pub fn record_status<B>(response: &axum::http::Response<B>, latency: std::time::Duration, span: &tracing::Span) {
    span.record("http.response.status_code", response.status().as_u16());
    tower_http::trace::OnResponse::on_response(
        tower_http::trace::DefaultOnResponse::default(),
        response,
        latency,
        span,
    );
}

/// The exporter's HTTP client: the service's `reqwest`, run on the service's runtime (the batch
/// thread that calls it has none of its own).
#[derive(Debug)]
struct ServiceHttp {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for ServiceHttp {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let request = reqwest::Request::try_from(request)?;
        let client = self.client.clone();
        let answer = self
            .runtime
            .spawn(async move {
                let response = client.execute(request).await?;
                let mut answer = Response::builder().status(response.status());
                for (name, value) in response.headers() {
                    answer = answer.header(name, value);
                }
                let body = response.bytes().await?;
                Ok::<_, HttpError>(answer.body(body)?)
            })
            .await??;
        Ok(answer)
    }
}
