//! The widget's server side: opening it (redeeming the single-use embed session, only when the
//! page is loaded in a frame), the forms it posts back to its own page (`POST /embed/{product}`:
//! Opt-Out / Clear, another page of the token grid, or the status again after the consent window
//! reported). The widget's token grid is `tokens::api`'s. Every request after the first carries
//! the widget key the page was given. What the host page hears is decided here too: each page lists the events it
//! announces, and the widget's script only delivers them.

use crate::error::AppError;
use leptos::prelude::*;
use model::{AuthorizationView, Locale, WidgetKey};
use serde::{Deserialize, Serialize};

/// An open widget: its key, what it shows, and the one origin it reports to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedContext {
    pub key: WidgetKey,
    pub view: AuthorizationView,
    /// The portal's origin: the only target of the widget's messages.
    pub host_origin: String,
    /// The portal user, as the portal named them.
    pub portal_user: String,
    /// What the page says first: after an Opt-Out, or what the consent window reported.
    pub notice: Option<NoticeText>,
    /// The token grid's page (Data Management).
    pub page: u32,
    /// The events this page announces to the host, as a JSON array of messages.
    pub announce: String,
    /// The language it speaks: its session's, else the browser's, else English.
    pub locale: Locale,
}

/// A notice as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeText {
    pub message: String,
    pub error: bool,
}

/// What the widget page shows: the widget, or why not, and which origins may hear about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmbedLoad {
    Open(EmbedContext),
    /// `announce` is the error event, for `host_origins`.
    Refused {
        error: AppError,
        host_origins: Vec<String>,
        announce: String,
    },
}

/// A widget page already decided by the server before rendering (a form the widget posted to
/// `POST /embed/{product}`), put in the page's context instead of the session to redeem.
#[derive(Clone, Debug)]
pub struct PreparedEmbed(pub EmbedLoad);

/// Redeems the single-use embed session `session` for a widget key. A second call with the same
/// session is refused.
#[server(prefix = "/api", endpoint = "open_embed")]
pub async fn open_embed(product: String, session: String) -> Result<EmbedLoad, AppError> {
    crate::web::with_status(ssr::open(&product, &session).await)
}

#[cfg(feature = "ssr")]
pub use ssr::{resume, WidgetPost};

#[cfg(feature = "ssr")]
mod ssr {
    use super::{EmbedContext, EmbedLoad, NoticeText};
    use crate::{
        embed::event,
        error::AppError,
        i18n::words,
        state::{app_state, AppState},
    };
    use model::{
        AuthorizationStatus, AuthorizationView, Locale, Notice, Product, Revocation, StatusKind, WidgetField,
        WidgetIntent, WidgetKey,
    };
    use optin_core::{embed, CoreError};
    use serde::Deserialize;
    use serde_json::{json, Value};

    /// A form a widget posts (`POST /embed/{product}`, `POST /embed/start`), as sent: its fields
    /// are read by their [`WidgetField`] names, the ones the pages write.
    #[derive(Debug, Deserialize)]
    #[serde(transparent)]
    pub struct WidgetPost(Vec<(String, String)>);

    impl WidgetPost {
        /// The field's value, when it was sent and is not empty.
        pub fn field(&self, field: WidgetField) -> Option<&str> {
            self.0
                .iter()
                .find(|(name, _)| name == field.name())
                .map(|(_, value)| value.as_str())
                .filter(|value| !value.is_empty())
        }

        /// The widget key every form carries.
        pub fn key(&self) -> Result<WidgetKey, AppError> {
            let key = self
                .field(WidgetField::Key)
                .ok_or_else(|| AppError::Invalid("The form carries no widget key.".into()))?;
            Ok(WidgetKey::new(key))
        }
    }

    /// `POST /embed/{product}`: does what the widget asked (only inside its frame, or from the
    /// widget's own script) and answers what its page is now to show and announce. Whatever goes
    /// wrong is shown in the frame and announced to the host as an error. `browser` is the
    /// language the browser asks for, which the widget speaks when its session names none.
    pub async fn resume(state: &AppState, product: &str, form: WidgetPost, framed: bool, browser: Locale) -> EmbedLoad {
        if !framed {
            tracing::info!(product, "widget post refused: not from the widget's frame");
            return refused(AppError::Invalid("This page works only inside your portal.".into()), Vec::new());
        }
        match act(state, product, form, browser).await {
            Ok(load) => load,
            Err(error) => {
                if matches!(error, AppError::Internal) {
                    tracing::error!(product, "widget post failed");
                }
                refused(error, Vec::new())
            }
        }
    }

    /// Parses what was asked, each field into its type; anything else is refused as invalid.
    fn parse(form: &WidgetPost) -> Result<(WidgetIntent, u32, Option<Notice>, Option<StatusKind>), AppError> {
        let intent = match form.field(WidgetField::Intent) {
            None => WidgetIntent::View,
            Some(intent) => {
                WidgetIntent::parse(intent).ok_or_else(|| AppError::Invalid(format!("Unknown intent {intent:?}.")))?
            }
        };
        let page = match form.field(WidgetField::Page) {
            None => 1,
            Some(page) => page
                .parse::<u32>()
                .ok()
                .filter(|page| *page >= 1)
                .ok_or_else(|| AppError::Invalid(format!("{page:?} is not a page number.")))?,
        };
        let outcome = match form.field(WidgetField::Outcome) {
            None => None,
            Some(code) => {
                Some(Notice::parse(code).ok_or_else(|| AppError::Invalid(format!("Unknown outcome {code:?}.")))?)
            }
        };
        let before = match form.field(WidgetField::Before) {
            None => None,
            Some(code) => {
                Some(StatusKind::parse(code).ok_or_else(|| AppError::Invalid(format!("Unknown status {code:?}.")))?)
            }
        };
        Ok((intent, page, outcome, before))
    }

    async fn act(state: &AppState, product: &str, form: WidgetPost, browser: Locale) -> Result<EmbedLoad, AppError> {
        let product = Product::parse(product)?;
        let (intent, page, outcome, before) = parse(&form)?;
        let key = form.key()?;
        let session = match embed::session(&state.core, &key).await {
            Ok(session) if session.product == product => session,
            Ok(_) | Err(CoreError::EmbedSessionInvalid) => return Err(AppError::EmbedSessionInvalid),
            Err(error) => return Err(error.into()),
        };
        if intent == WidgetIntent::Revoke {
            session.require_admin()?;
        }
        let shown = embed::view(&state.core, &session).await?;
        let (view, notice, mut events) = match intent {
            // Announced only when there was something to end (not for a form posted twice).
            WidgetIntent::Revoke if shown.status != AuthorizationStatus::NotAuthorized => {
                let view = embed::revoke(&state.core, &session).await?;
                let kind = match product.revocation() {
                    Revocation::Clear => event::CLEARED,
                    Revocation::OptOut => event::OPTED_OUT,
                };
                let revoked = message(&view, kind, &[]);
                (view, Some(Notice::Revoked), vec![revoked])
            }
            WidgetIntent::Revoke => (shown, None, Vec::new()),
            WidgetIntent::View => {
                let mut events = Vec::new();
                if let Some(outcome) = outcome.filter(|outcome| outcome.is_error()) {
                    let fields = [("code", outcome.code()), ("message", &outcome.message(product))];
                    events.push(message(&shown, event::ERROR, &fields));
                }
                (shown, outcome, events)
            }
        };
        if before.is_some_and(|before| before.code() != view.status.code()) {
            match &view.status {
                AuthorizationStatus::Authorized { .. } => events.push(message(&view, event::AUTHORIZED, &[])),
                AuthorizationStatus::ReauthorizationRequired { reason, .. } => {
                    events.push(message(&view, event::REAUTHORIZATION_REQUIRED, &[("reason", reason)]))
                }
                AuthorizationStatus::NotAuthorized => {}
            }
        }
        let locale = session.locale.unwrap_or(browser);
        Ok(EmbedLoad::Open(EmbedContext {
            key,
            notice: notice
                .map(|notice| NoticeText { message: words::notice(locale, notice, product), error: notice.is_error() }),
            page,
            announce: Value::Array(events).to_string(),
            view,
            host_origin: session.host_origin,
            portal_user: session.portal_user_name,
            locale,
        }))
    }

    /// A message for the host page: what it is, and the widget's product, company and status.
    fn message(view: &AuthorizationView, kind: &str, fields: &[(&str, &str)]) -> Value {
        let mut message = json!({
            "source": "ups-optin",
            "type": kind,
            "product": view.product.slug(),
            "company": view.company.id.to_string(),
            "status": view.status.code(),
        });
        for (name, value) in fields {
            message[*name] = Value::from(*value);
        }
        message
    }

    /// The code an error event carries.
    fn error_code(error: &AppError) -> &'static str {
        match error {
            AppError::EmbedSessionInvalid => "session_invalid",
            AppError::Forbidden | AppError::ViewOnly => "not_allowed",
            _ => "failed",
        }
    }

    /// A widget that cannot open, with the error event for `host_origins`.
    fn refused(error: AppError, host_origins: Vec<String>) -> EmbedLoad {
        let event = json!({ "source": "ups-optin", "type": event::ERROR, "code": error_code(&error), "message": error.to_string() });
        EmbedLoad::Refused { error, host_origins, announce: Value::Array(vec![event]).to_string() }
    }

    pub async fn open(product: &str, session: &str) -> Result<EmbedLoad, AppError> {
        let state = app_state()?;
        let product = Product::parse(product)?;
        // The page framing the widget, when the browser says (its `Referer` is that page, or
        // its origin). A refusal is told to that page only if it is one of the product's portals:
        // the list of portals itself is never sent.
        let allowed = state.web.embed_origins.get(&product).cloned().unwrap_or_default();
        // A navigation inside the frame comes from our own page: that says nothing of the portal.
        let framing = framing_origin().filter(|origin| *origin != state.web.origin());
        let framed_by = framing.clone().filter(|origin| allowed.contains(origin));
        let refused = |error| refused(error, framed_by.iter().cloned().collect());
        if framing.is_some() && framed_by.is_none() {
            tracing::info!(%product, "embed session refused: framed by a page that is not one of the product's portals");
            return Ok(refused(AppError::Invalid("This page works only inside your portal.".into())));
        }
        // Framing is what limits a widget to its portal: a session link opened as a page (sent to
        // someone else, say, to consent with their UPS.com account) is refused, and stays unused.
        if !loaded_in_frame() {
            tracing::info!(%product, "embed session refused: not loaded in a frame");
            return Ok(refused(AppError::Invalid("This page works only inside your portal.".into())));
        }
        let (session, key) = match embed::redeem(&state.core, product, session).await {
            Ok(opened) => opened,
            Err(CoreError::EmbedSessionInvalid) => return Ok(refused(AppError::EmbedSessionInvalid)),
            Err(error) => return Err(error.into()),
        };
        let view = embed::view(&state.core, &session).await?;
        // The host hears that the widget is ready, and at once if the grant needs renewing.
        let mut events = vec![message(&view, event::READY, &[])];
        if let AuthorizationStatus::ReauthorizationRequired { reason, .. } = &view.status {
            events.push(message(&view, event::REAUTHORIZATION_REQUIRED, &[("reason", reason)]));
        }
        Ok(EmbedLoad::Open(EmbedContext {
            key,
            view,
            host_origin: session.host_origin,
            portal_user: session.portal_user_name,
            notice: None,
            page: 1,
            announce: Value::Array(events).to_string(),
            locale: session.locale.unwrap_or_else(crate::i18n::locale),
        }))
    }

    /// Whether this is the widget page itself, loaded into a frame: the browser says so with
    /// `Sec-Fetch-Dest: iframe`. A page opened on its own, a client that does not say it frames
    /// the page, and the server function called directly (`/api/open_embed`) are all refused.
    fn loaded_in_frame() -> bool {
        leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
            !parts.uri.path().starts_with("/api/")
                && parts.headers.get("sec-fetch-dest").is_some_and(|destination| destination.as_bytes() == b"iframe")
        })
    }

    /// The origin of the page that framed this one, when the browser says.
    fn framing_origin() -> Option<String> {
        crate::web::referer_origin(&leptos::prelude::use_context::<http::request::Parts>()?.headers)
    }
}
