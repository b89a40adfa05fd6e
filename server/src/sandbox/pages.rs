//! The sandbox's pages, written by hand as UPS.com's are: the two sign-in steps, the password
//! change, and the frame they share. The templates escape every value they are given.

use super::AuthorizeRequest;
use maud::{html, Markup, PreEscaped, Render, DOCTYPE};
use model::Product;

/// Where the sign-in steps post, each step as one form.
const SIGN_IN: &str = "/security/sandbox/sign-in";

/// The request's parameters, carried from step to step.
fn hidden_fields(request: &AuthorizeRequest) -> Markup {
    let fields = [
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("response_type", &request.response_type),
        ("state", &request.state),
        ("scope", &request.scope),
        ("code_challenge", &request.code_challenge),
        ("code_challenge_method", &request.code_challenge_method),
    ];
    html! {
        @for (name, value) in fields {
            input type="hidden" name=(name) value=(value);
        }
    }
}

/// What went wrong, announced.
pub(super) fn alert(error: impl Render) -> Markup {
    html! { p class="error" role="alert" { (error) } }
}

pub(super) fn username_step(
    request: &AuthorizeRequest,
    product: Product,
    username: &str,
    error: Option<&str>,
) -> Markup {
    let hidden = hidden_fields(request);
    page(
        "UPS Log In",
        html! {
            h1 { "Log In" }
            p { "Don't have a profile? " a href=(SIGN_IN) { "Sign up" } }
            @if let Some(error) = error { (alert(error)) }
            form method="post" action=(SIGN_IN) novalidate {
                (hidden) input type="hidden" name="step" value="username";
                label for="username" { "Email or Username" }
                input id="username" name="username" autocomplete="username" value=(username);
                label class="agree" {
                    input type="checkbox" name="agree" value="yes";
                    span {
                        "By continuing, I agree to the " a href=(SIGN_IN) { "UPS Technology Agreement" }
                        " and authorize " (product.consent_name()) " to access data associated with my UPS.com \
                        username listed above, including UPS shipping account numbers, contact information, rates, \
                        and package tracking status."
                    }
                }
                button type="submit" class="primary" { "Continue" }
            }
            form method="post" action=(SIGN_IN) {
                (hidden) input type="hidden" name="step" value="deny";
                button type="submit" class="link" { "Cancel and return to the application" }
            }
            p { a href="/security/sandbox/password" { "Forgot Username/Password" } }
            p class="note" {
                strong { "Note:" }
                " Once the log in is complete, you authorize the user to use their information in the applications."
            }
        },
    )
}

pub(super) fn password_step(request: &AuthorizeRequest, username: &str, error: Option<&str>) -> Markup {
    page(
        "UPS Password",
        html! {
            h1 { "Password" }
            p { "Welcome back, " (username) }
            @if let Some(error) = error { (alert(error)) }
            form method="post" action=(SIGN_IN) novalidate {
                (hidden_fields(request))
                input type="hidden" name="step" value="password";
                input type="hidden" name="username" value=(username);
                input type="hidden" name="agree" value="yes";
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password";
                button type="submit" class="primary" { "Log In" }
            }
        },
    )
}

pub(super) fn password_form(error: Option<&str>, done: Option<&str>) -> Markup {
    page(
        "UPS.com · Change password",
        html! {
            h1 { "Change your UPS.com password" }
            @if let Some(error) = error { (alert(error)) }
            @if let Some(done) = done { p class="done" role="status" { (done) } }
            form method="post" action="/security/sandbox/password" novalidate {
                label for="username" { "Email or Username" }
                input id="username" name="username" autocomplete="username";
                label for="current_password" { "Current password" }
                input id="current_password" name="current_password" type="password" autocomplete="current-password";
                label for="new_password" { "New password" }
                input id="new_password" name="new_password" type="password" autocomplete="new-password";
                button type="submit" class="primary" { "Change password" }
            }
        },
    )
}

/// The frame every sandbox page shares: UPS.com's colours, no script.
pub(super) fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { span { "ups" } "UPS.com sandbox" }
                main { (body) }
            }
        }
    }
}

const STYLE: &str = "
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f2f1ef;color:#121212}
header{background:#fff;border-bottom:4px solid #ffc400;padding:.75rem 1.5rem;font-weight:700}
header span{display:inline-block;background:#351c15;color:#ffc400;border-radius:0 0 .6rem .6rem;padding:.1rem .45rem;margin-right:.5rem}
main{max-width:28rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}
label{display:block;margin:.75rem 0 .25rem;font-weight:600} label.agree{display:flex;gap:.5rem;font-weight:400;font-size:.9rem}
input:not([type=checkbox]){width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #767676;border-radius:.25rem;font:inherit}
button{font:inherit;cursor:pointer} .primary{margin-top:1rem;width:100%;padding:.7rem;border:0;border-radius:2rem;background:#ffc400;font-weight:700}
.link{background:none;border:0;color:#0662bb;text-decoration:underline;padding:0;margin-top:1rem}
.error{color:#a4001d;background:#fde8ec;padding:.5rem .75rem;border-radius:.25rem} .done{color:#1e6b35;background:#e6f4ea;padding:.5rem .75rem}
:focus-visible{outline:3px solid #0662bb;outline-offset:2px}
";
