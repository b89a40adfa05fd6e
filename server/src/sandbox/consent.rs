//! UPS.com's side of the consent: `GET /security/v1/oauth/authorize` (checks the client and
//! redirect URI, then the sign-in page), the two-step "lasso" sign-in with the Technology
//! Agreement that ends in a code or `access_denied`, and the UPS.com password change that kills
//! every grant its user made.

use super::{
    pages::{alert, page, password_form, password_step, username_step},
    set_password, AuthorizeRequest, Sandbox, SandboxClient, SandboxError,
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use maud::{html, Markup};
use optin_core::{
    accounts::verify_password,
    clock::now,
    secret::{random_token, token_hash, SecretString},
};
use serde::Deserialize;
use url::Url;

enum RequestProblem {
    /// The client or redirect URI is wrong: show an error page, never redirect to an unverified URI.
    Page(StatusCode, &'static str, &'static str),
    /// The client is fine but the request is not: tell the client at its redirect URI.
    Redirect(Url),
}

impl Sandbox {
    fn check(&self, request: &AuthorizeRequest) -> Result<&SandboxClient, RequestProblem> {
        let client = self.clients.get(&request.client_id).ok_or(RequestProblem::Page(
            StatusCode::UNAUTHORIZED,
            "10401",
            "ClientId is Invalid",
        ))?;
        if request.redirect_uri != client.redirect_uri {
            return Err(RequestProblem::Page(
                StatusCode::UNAUTHORIZED,
                "10401",
                "The redirect URI does not match the one registered for this application",
            ));
        }
        let invalid = |error: &str| {
            let mut url = Url::parse(&client.redirect_uri).expect("registered redirect URIs are URLs");
            url.query_pairs_mut().append_pair("error", error).append_pair("state", &request.state);
            RequestProblem::Redirect(url)
        };
        if request.response_type != "code" {
            return Err(invalid("unsupported_response_type"));
        }
        if !request.code_challenge_method.is_empty() && request.code_challenge_method != "S256" {
            return Err(invalid("invalid_request"));
        }
        Ok(client)
    }
}

fn problem_response(problem: RequestProblem) -> Response {
    match problem {
        RequestProblem::Page(status, code, message) => {
            let body = html! { h1 { "Something went wrong" } (alert(format!("{code}: {message}"))) };
            (status, page("UPS Sign In", body)).into_response()
        }
        RequestProblem::Redirect(url) => Redirect::to(url.as_str()).into_response(),
    }
}

/// `GET /security/v1/oauth/authorize`: like UPS, answers 302 to the sign-in page.
pub(super) async fn authorize(State(sandbox): State<Sandbox>, Query(request): Query<AuthorizeRequest>) -> Response {
    if let Err(problem) = sandbox.check(&request) {
        return problem_response(problem);
    }
    let mut target = Url::parse("http://sandbox/security/sandbox/sign-in").expect("static URL");
    target
        .query_pairs_mut()
        .append_pair("client_id", &request.client_id)
        .append_pair("redirect_uri", &request.redirect_uri)
        .append_pair("response_type", &request.response_type)
        .append_pair("state", &request.state)
        .append_pair("scope", &request.scope)
        .append_pair("code_challenge", &request.code_challenge)
        .append_pair("code_challenge_method", &request.code_challenge_method);
    Redirect::to(&format!("{}?{}", target.path(), target.query().unwrap_or_default())).into_response()
}

pub(super) async fn sign_in_page(State(sandbox): State<Sandbox>, Query(request): Query<AuthorizeRequest>) -> Response {
    match sandbox.check(&request) {
        Ok(client) => username_step(&request, client.product, "", None).into_response(),
        Err(problem) => problem_response(problem),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct StepForm {
    #[serde(flatten)]
    request: AuthorizeRequest,
    step: String,
    #[serde(default)]
    username: String,
    agree: Option<String>,
    password: Option<String>,
}

pub(super) async fn sign_in_step(State(sandbox): State<Sandbox>, Form(form): Form<StepForm>) -> Response {
    let product = match sandbox.check(&form.request) {
        Ok(client) => client.product,
        Err(problem) => return problem_response(problem),
    };
    let request = &form.request;
    match form.step.as_str() {
        "deny" => {
            let mut url = Url::parse(&request.redirect_uri).expect("checked against the registration");
            url.query_pairs_mut()
                .append_pair("error", "access_denied")
                .append_pair("error_description", "The user did not authorize the application")
                .append_pair("state", &request.state);
            Redirect::to(url.as_str()).into_response()
        }
        // The agreement travels with the form from step 1: no code without it, as at UPS.
        "username" | "password" if form.agree.as_deref() != Some("yes") => {
            let missing = Some("Please agree to the UPS Technology Agreement to continue.");
            username_step(request, product, &form.username, missing).into_response()
        }
        "username" => match sandbox.find_user(&form.username).await {
            Ok(Some(user)) => password_step(request, &user.username, None).into_response(),
            Ok(None) => {
                username_step(request, product, &form.username, Some("We don't recognize that email or username."))
                    .into_response()
            }
            Err(error) => error.into_response(),
        },
        "password" => {
            let user = match sandbox.find_user(&form.username).await {
                Ok(Some(user)) => user,
                Ok(None) => {
                    return username_step(request, product, "", Some("We don't recognize that email or username."))
                        .into_response()
                }
                Err(error) => return error.into_response(),
            };
            let (username, hash) = (user.username, user.password_hash);
            match verify_password(
                &sandbox.password_checks,
                SecretString::new(form.password.unwrap_or_default()),
                Some(hash),
            )
            .await
            {
                Ok(true) => {}
                Ok(false) => {
                    return password_step(request, &username, Some("The password is incorrect. Please try again."))
                        .into_response()
                }
                Err(busy) => return (StatusCode::SERVICE_UNAVAILABLE, busy.to_string()).into_response(),
            }
            match sandbox.issue_code(request, &username).await {
                Ok(code) => {
                    let mut url = Url::parse(&request.redirect_uri).expect("checked against the registration");
                    url.query_pairs_mut().append_pair("code", code.expose()).append_pair("state", &request.state);
                    Redirect::to(url.as_str()).into_response()
                }
                Err(error) => error.into_response(),
            }
        }
        _ => (StatusCode::BAD_REQUEST, "unknown step").into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    username: String,
    current_password: String,
    new_password: String,
}

pub(super) async fn password_page() -> Markup {
    password_form(None, None)
}

pub(super) async fn password_change(State(sandbox): State<Sandbox>, Form(form): Form<PasswordForm>) -> Response {
    let user = match sandbox.find_user(&form.username).await {
        Ok(user) => user,
        Err(error) => return error.into_response(),
    };
    let Some(optin_core::store::SandboxUser { username, password_hash: hash }) = user else {
        return password_form(Some("We don't recognize that email or username."), None).into_response();
    };
    match verify_password(&sandbox.password_checks, SecretString::new(form.current_password), Some(hash)).await {
        Ok(true) => {}
        Ok(false) => return password_form(Some("The current password is incorrect."), None).into_response(),
        Err(busy) => return (StatusCode::SERVICE_UNAVAILABLE, busy.to_string()).into_response(),
    }
    if form.new_password.chars().count() < 8 {
        return password_form(Some("The new password needs at least 8 characters."), None).into_response();
    }
    match set_password(&sandbox.store, &username, SecretString::new(form.new_password)).await {
        Ok(revoked) => password_form(
            None,
            Some(&format!(
                "Password changed. {revoked} application authorization(s) made by {username} are no longer valid."
            )),
        )
        .into_response(),
        Err(error) => error.into_response(),
    }
}

impl Sandbox {
    /// A user by username or email.
    async fn find_user(&self, name: &str) -> Result<Option<optin_core::store::SandboxUser>, SandboxError> {
        Ok(self.store.sandbox_user(name.trim()).await?)
    }

    async fn issue_code(&self, request: &AuthorizeRequest, username: &str) -> Result<SecretString, SandboxError> {
        let code = random_token();
        let challenge = Some(request.code_challenge.as_str()).filter(|challenge| !challenge.is_empty());
        let expires_at = now() + self.lifetimes.code_lifetime_secs as i64;
        self.store
            .sandbox_issue_code(
                &request.client_id,
                username,
                &token_hash(code.expose()),
                &request.redirect_uri,
                challenge,
                expires_at,
            )
            .await?;
        Ok(code)
    }
}
