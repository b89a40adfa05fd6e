//! The two plain HTTP routes of the opt-in: the form POST that sends the admin to UPS, and the
//! redirect URI UPS sends admins, widgets' consent windows and consent links' holders back to. The flow itself is the
//! core's (`optin_core::authorization`); these routes read the request and word the answer.

use crate::{embed_api::consent::tell_widget, routes::Declared};
use app::{
    auth::session::SignedInUser,
    error::AppError,
    state::AppState,
    ui::encode_component,
    web::{consent_cookie_name, cookie},
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension, Form,
};
use model::{CompanyId, Notice, Product};
use optin_core::{
    authorization::{begin, complete, Answer, CallbackQuery, Initiator},
    CoreError,
};
use serde::Deserialize;

/// The opt-in's start and UPS's redirect URI.
pub fn routes() -> Declared<AppState> {
    Declared::default().post("/oauth/{product}/start", start).get("/oauth/{product}/callback", callback)
}

#[derive(Deserialize)]
pub struct StartForm {
    company: Option<String>,
}

fn sign_in_first(return_to: &str) -> Response {
    Redirect::to(&format!("/sign-in?next={}", encode_component(return_to))).into_response()
}

fn refusal(status: StatusCode, message: &str) -> Response {
    (status, message.to_owned()).into_response()
}

/// `POST /oauth/{product}/start` with `company`: 303 to UPS's authorize URL.
pub async fn start(
    State(state): State<AppState>,
    Path(product): Path<String>,
    user: Option<Extension<SignedInUser>>,
    Form(form): Form<StartForm>,
) -> Response {
    let Ok(product) = Product::parse(&product) else { return refusal(StatusCode::NOT_FOUND, "Unknown product.") };
    let Some(Extension(user)) = user else { return sign_in_first(product.authorization_path()) };
    let company = match form.company.as_deref().map(CompanyId::parse) {
        Some(Ok(company)) => company,
        Some(Err(error)) => return refusal(StatusCode::BAD_REQUEST, &error.to_string()),
        None => return refusal(StatusCode::BAD_REQUEST, "Choose the company to opt in."),
    };
    match begin(&state.core, Initiator::Admin(&user), product, company).await {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(error @ (CoreError::Forbidden | CoreError::ViewOnly)) => {
            refusal(StatusCode::FORBIDDEN, &AppError::from(error).to_string())
        }
        Err(error) => {
            tracing::error!(%error, %product, %company, "the opt-in could not start");
            Redirect::to(&format!("{}{}", product.authorization_path(), Notice::Failed.query(Some(company))))
                .into_response()
        }
    }
}

/// `GET /oauth/{product}/callback?code=…&state=…` (or `?error=…&state=…`): back to where the
/// opt-in started, with what happened: the product page for an admin, the widget for a portal
/// user.
pub async fn callback(
    State(state): State<AppState>,
    Path(product): Path<String>,
    user: Option<Extension<SignedInUser>>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Ok(product) = Product::parse(&product) else { return refusal(StatusCode::NOT_FOUND, "Unknown product.") };
    let user = user.map(|Extension(user)| user);
    let browser = cookie(&headers, consent_cookie_name(&state.web));
    let completion = complete(&state.core, product, query, user.as_ref(), browser.as_deref()).await;
    match (completion.answer, completion.result) {
        (Answer::Link(link), result) => {
            let notice = result.map_or_else(|failure| failure.notice, |_| Notice::Authorized);
            crate::consent_links::pages::outcome_page(&state, app::i18n::from_headers(&headers), &link, notice)
        }
        (Answer::Widget { mode, session }, result) => {
            let notice = result.map_or_else(|failure| failure.notice, |_| Notice::Authorized);
            tell_widget(
                &state.web,
                session.locale.unwrap_or_else(|| app::i18n::from_headers(&headers)),
                mode,
                &session,
                notice,
            )
        }
        // The state was bound to a session that is gone: it can only fail, so say so after sign-in.
        (Answer::Admin, Err(_)) if user.is_none() => {
            sign_in_first(&format!("{}{}", product.authorization_path(), Notice::StateUnknown.query(None)))
        }
        (Answer::Admin, result) => {
            let notice = match result {
                Ok(company) => Notice::Authorized.query(Some(company)),
                Err(failure) => failure.notice.query(failure.company),
            };
            Redirect::to(&format!("{}{notice}", product.authorization_path())).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::{extract::Query, http::Uri};
    use optin_core::authorization::CallbackQuery;
    use proptest::prelude::*;

    proptest! {
        /// Whatever UPS (or anyone) puts in the callback's query is read as text or refused,
        /// never a panic; `state` and `code` arrive exactly as sent once percent-decoded.
        #[test]
        fn callback_parameters_are_read_as_sent(state in "\\PC{0,30}", code in "\\PC{0,30}", junk in "[ -~]{0,40}") {
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("state", &state)
                .append_pair("code", &code)
                .finish();
            let uri: Uri = format!("/oauth/reverse-logistics/callback?{encoded}").parse().unwrap();
            let Query(query) = Query::<CallbackQuery>::try_from_uri(&uri).unwrap();
            prop_assert_eq!(query.state.as_deref(), Some(state.as_str()));
            prop_assert_eq!(query.code.as_deref(), Some(code.as_str()));
            if let Ok(uri) = format!("/cb?{junk}").parse::<Uri>() {
                let _ = Query::<CallbackQuery>::try_from_uri(&uri);
            }
        }
    }
}
