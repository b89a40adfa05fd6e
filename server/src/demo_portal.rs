//! Demo host portals: one small page per product, each on its own port and so its own origin,
//! standing in for a product team's portal. Its backend creates an embed session with the
//! product's API key (`POST /api/v1/embed/sessions`), exactly as a product's backend would; its
//! page mounts the widget with the snippet and lists the events it receives. Started by
//! `server serve --demo-portals`; never part of a production deployment.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use model::{Locale, Product};
use optin_core::{api_keys, secret::SecretString, Core};
use serde::Deserialize;
use serde_json::json;
use std::{collections::HashMap, net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;
use url::Url;

const LABEL: &str = "demo portal";

/// A portal's listener, bound before the service starts so the service can allow its origin.
pub struct DemoPortal {
    pub product: Product,
    listener: TcpListener,
}

impl DemoPortal {
    /// Binds one portal per product on `first_port`, `first_port + 1`, … (any free ports for 0).
    pub async fn bind(address: SocketAddr) -> std::io::Result<Vec<Self>> {
        let mut portals = Vec::new();
        for (offset, product) in Product::ALL.into_iter().enumerate() {
            let port = if address.port() == 0 { 0 } else { address.port() + offset as u16 };
            let listener = TcpListener::bind(SocketAddr::new(address.ip(), port)).await?;
            portals.push(Self { product, listener });
        }
        Ok(portals)
    }

    /// `http://host:port`, as browsers send it in `Origin`.
    pub fn origin(&self) -> String {
        self.listener.local_addr().map(|address| format!("http://{address}")).unwrap_or_default()
    }

    /// Serves the portal with a fresh API key for its product (earlier demo keys are revoked).
    pub async fn serve(self, core: &Core, service: Url, company: i64) -> Result<(), String> {
        api_keys::revoke_labelled(core, self.product, LABEL).await.map_err(|e| e.to_string())?;
        let (_, key) = api_keys::create(core, self.product, LABEL, &[]).await.map_err(|e| e.to_string())?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let portal = Arc::new(Portal { product: self.product, origin: self.origin(), service, key, company, http });
        let router =
            Router::new().route("/", get(page)).route("/session", post(new_session)).with_state(portal.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(self.listener, router).await {
                tracing::error!(%error, product = %portal.product, "demo portal stopped");
            }
        });
        Ok(())
    }
}

struct Portal {
    product: Product,
    origin: String,
    service: Url,
    key: SecretString,
    /// The company shown when the page does not say.
    company: i64,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct PageQuery {
    company: Option<i64>,
    optin_result: Option<String>,
    /// The language the portal asks its widget to speak (`fr-CA`, `es`); none: the browser's.
    locale: Option<String>,
}

/// The portal page: the product's own header, the widget, and the events it reported.
async fn page(State(portal): State<Arc<Portal>>, Query(query): Query<PageQuery>) -> Markup {
    let company = query.company.unwrap_or(portal.company);
    let locale = query.locale.as_deref().and_then(Locale::from_tag);
    // Only a notice's code is shown back.
    let returned = query.optin_result.filter(|code| code.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
    let service = portal.service.as_str().trim_end_matches('/');
    let name = portal.product.name();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (name) " portal (demo)" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { strong { (name) " · customer portal (demo)" } span { "Signed in as Pat Portal" } }
                main {
                    @if let Some(code) = returned {
                        p class="returned" role="status" { "Back from UPS.com: " (code) }
                    }
                    form method="get" action="/" {
                        label for="company" { "Company number" }
                        input id="company" name="company" type="number" min="1" value=(company);
                        label for="locale" { "Language" }
                        select id="locale" name="locale" {
                            option value="" selected[locale.is_none()] { "The browser's" }
                            @for (each, name) in [(Locale::En, "English"), (Locale::FrCa, "Français (Canada)"), (Locale::Es, "Español")] {
                                option value=(each.tag()) selected[locale == Some(each)] { (name) }
                            }
                        }
                        button type="submit" { "Show" }
                    }
                    section aria-labelledby="ups-heading" {
                        h1 id="ups-heading" { "UPS account connection" }
                        div id="ups-optin" {}
                        p id="portal-error" role="alert" hidden {}
                    }
                    section aria-labelledby="events-heading" {
                        h2 id="events-heading" { "Widget events" }
                        ol id="events" data-testid="events" {}
                    }
                }
                script src={ (service) "/embed/v1/optin.js" } {}
                // Script, not HTML: the company is a number, the language one of the known tags.
                script { (PreEscaped(mount_script(company, locale))) }
            }
        }
    }
}

const STYLE: &str = "
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: #f4f4f4; color: #1a1a1a; }
  header { background: #351c15; color: #fff; padding: .75rem 1.5rem; display: flex; justify-content: space-between; flex-wrap: wrap; gap: .5rem; }
  main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; display: grid; gap: 1rem; }
  section { background: #fff; border-radius: .5rem; padding: 1rem 1.25rem; box-shadow: 0 1px 3px #0002; }
  .returned { background: #e7f3ea; padding: .5rem 1rem; border-radius: .25rem; }
  #events li { font-family: ui-monospace, monospace; }
";

/// Asks the portal's backend for an embed session for `company` (in `locale`), then mounts the
/// widget with it and lists the events it reports.
fn mount_script(company: i64, locale: Option<Locale>) -> String {
    let locale = locale.map_or("null".to_owned(), |locale| format!("\"{}\"", locale.tag()));
    format!(
        r##"
  (async function () {{
    const response = await fetch("/session", {{
      method: "POST",
      headers: {{ "content-type": "application/json" }},
      body: JSON.stringify({{ company: {company}, locale: {locale} }}),
    }});
    const body = await response.json();
    if (!response.ok) {{
      const error = document.getElementById("portal-error");
      error.textContent = "Could not start the UPS widget: " + (body.message || response.status);
      error.hidden = false;
      return;
    }}
    UpsOptIn.mount("#ups-optin", {{
      url: body.widget_url,
      onEvent: function (event) {{
        const item = document.createElement("li");
        item.textContent = event.type + (event.code ? " " + event.code : "") + " (" + event.status + ")";
        document.getElementById("events").appendChild(item);
      }},
    }});
  }})();
"##
    )
}

#[derive(Deserialize)]
struct SessionRequest {
    company: i64,
    locale: Option<String>,
}

/// The portal's backend: asks the service for an embed session with its API key, and gives its
/// page the widget URL only.
async fn new_session(State(portal): State<Arc<Portal>>, Json(request): Json<SessionRequest>) -> Response {
    let url = match portal.service.join("/api/v1/embed/sessions") {
        Ok(url) => url,
        Err(error) => return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    };
    let mut body = json!({
        "company": request.company,
        "user": { "id": "pat.portal", "name": "Pat Portal" },
        "origin": portal.origin,
        "return_url": format!("{}/?company={}", portal.origin, request.company),
    });
    if let Some(locale) = request.locale {
        body["locale"] = json!(locale);
    }
    let answer = portal.http.post(url).bearer_auth(portal.key.expose()).json(&body).send().await;
    let (status, body): (StatusCode, HashMap<String, serde_json::Value>) = match answer {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, answer.json().await.unwrap_or_default())
        }
        Err(error) => {
            tracing::warn!(%error, "demo portal cannot reach the service");
            return (StatusCode::BAD_GATEWAY, Json(json!({ "message": "The service cannot be reached." })))
                .into_response();
        }
    };
    match body.get("widget_url") {
        Some(url) if status.is_success() => Json(json!({ "widget_url": url })).into_response(),
        _ => (status, Json(json!({ "message": body.get("message") }))).into_response(),
    }
}
