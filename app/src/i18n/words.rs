//! The model's variants in the reader's words: statuses, Activity entries, notices, the check's
//! outcome, second factors, and each product's walk-through wording (errors word themselves:
//! `AppError::message`). The English
//! catalog holds exactly the model's English (a test compares them), which the server's emails,
//! logs and host-page events keep using.

use crate::t;
use model::{AnswerClass, AuditAction, CheckOutcome, FactorKind, Locale, Notice, Product, StatusKind, TokenStatus};

pub fn status(locale: Locale, kind: StatusKind) -> String {
    match kind {
        StatusKind::NotAuthorized => t!(locale => "status-not-authorized"),
        StatusKind::Authorized => t!(locale => "status-authorized"),
        StatusKind::ReauthorizationRequired => t!(locale => "status-reauthorization-required"),
    }
}

pub fn token_status(locale: Locale, status: TokenStatus) -> String {
    match status {
        TokenStatus::Active => t!(locale => "token-status-active"),
        TokenStatus::Expired => t!(locale => "token-status-expired"),
        TokenStatus::Refreshed => t!(locale => "token-status-refreshed"),
        TokenStatus::Replaced => t!(locale => "token-status-replaced"),
        TokenStatus::Cleared => t!(locale => "token-status-cleared"),
    }
}

pub fn audit_action(locale: Locale, action: AuditAction) -> String {
    match action {
        AuditAction::SignedIn => t!(locale => "audit-signed-in"),
        AuditAction::OptInStarted => t!(locale => "audit-opt-in-started"),
        AuditAction::Authorized => t!(locale => "audit-authorized"),
        AuditAction::ConsentDenied => t!(locale => "audit-consent-denied"),
        AuditAction::OptedOut => t!(locale => "audit-opted-out"),
        AuditAction::Cleared => t!(locale => "audit-cleared"),
        AuditAction::Refreshed => t!(locale => "audit-refreshed"),
        AuditAction::RefreshFailed => t!(locale => "audit-refresh-failed"),
        AuditAction::ReauthorizationRequired => t!(locale => "audit-reauthorization-required"),
        AuditAction::WebhookDelivered => t!(locale => "audit-webhook-delivered"),
        AuditAction::WebhookFailed => t!(locale => "audit-webhook-failed"),
        AuditAction::EmailSent => t!(locale => "audit-email-sent"),
        AuditAction::EmailFailed => t!(locale => "audit-email-failed"),
        AuditAction::Expiring => t!(locale => "audit-expiring"),
        AuditAction::Checked => t!(locale => "audit-checked"),
        AuditAction::ConsentLinkSent => t!(locale => "audit-consent-link-sent"),
        AuditAction::ConsentLinkOpened => t!(locale => "audit-consent-link-opened"),
        AuditAction::ConsentLinkRevoked => t!(locale => "audit-consent-link-revoked"),
    }
}

pub fn factor_kind(locale: Locale, kind: FactorKind) -> String {
    match kind {
        FactorKind::Passkey => t!(locale => "factor-passkey"),
        FactorKind::Totp => t!(locale => "factor-totp"),
    }
}

/// What the callback reports back to a product page.
pub fn notice(locale: Locale, notice: Notice, product: Product) -> String {
    let name = product.short_name();
    let clears = product == Product::DataManagement;
    match notice {
        Notice::Authorized if clears => t!(locale => "notice-token-generated", product = name),
        Notice::Authorized => t!(locale => "notice-authorized", product = name),
        Notice::Revoked if clears => t!(locale => "notice-cleared", product = name),
        Notice::Revoked => t!(locale => "notice-opted-out", product = name),
        Notice::ConsentDenied => t!(locale => "notice-consent-denied", retry = wording(locale, product).opt_in),
        Notice::StateUnknown => t!(locale => "notice-state-unknown"),
        Notice::StateExpired => t!(locale => "notice-state-expired"),
        Notice::NotAllowed => t!(locale => "notice-not-allowed"),
        Notice::ProviderRejected => t!(locale => "notice-provider-rejected"),
        Notice::ProviderUnavailable => t!(locale => "notice-provider-unavailable"),
        Notice::Failed => t!(locale => "notice-failed"),
        Notice::LinkRevoked => t!(locale => "notice-link-revoked"),
    }
}

/// What an admin's "check with UPS" found.
pub fn check_outcome(locale: Locale, outcome: CheckOutcome) -> String {
    match outcome {
        CheckOutcome::Answered(AnswerClass::Refreshed) => t!(locale => "check-refreshed"),
        CheckOutcome::Answered(AnswerClass::DeadGrant) => t!(locale => "check-dead-grant"),
        CheckOutcome::Answered(AnswerClass::ApplicationRefused) => t!(locale => "check-application-refused"),
        CheckOutcome::Answered(AnswerClass::RateLimited) => t!(locale => "check-rate-limited"),
        CheckOutcome::Answered(AnswerClass::Unavailable) => t!(locale => "check-unavailable"),
        CheckOutcome::Answered(AnswerClass::Unreadable) => t!(locale => "check-unreadable"),
        CheckOutcome::TooSoon => t!(locale => "check-too-soon"),
    }
}

/// A product's walk-through wording (the model's [`Wording`](model::Wording)) in the reader's
/// language.
pub struct Wording {
    pub opt_in: String,
    pub revoke_label: String,
    pub confirm_title: String,
    pub confirm_label: String,
    /// Pickup Manager's explanation before UPS.com: title, body, proceed.
    pub explanation: Option<(String, String, String)>,
}

pub fn wording(locale: Locale, product: Product) -> Wording {
    match product {
        Product::ReverseLogistics => Wording {
            opt_in: t!(locale => "reverse-logistics-opt-in"),
            revoke_label: t!(locale => "reverse-logistics-revoke-label"),
            confirm_title: t!(locale => "reverse-logistics-confirm-title"),
            confirm_label: t!(locale => "reverse-logistics-confirm-label"),
            explanation: None,
        },
        Product::PickupManager => Wording {
            opt_in: t!(locale => "pickup-manager-opt-in"),
            revoke_label: t!(locale => "pickup-manager-revoke-label"),
            confirm_title: t!(locale => "pickup-manager-confirm-title"),
            confirm_label: t!(locale => "pickup-manager-confirm-label"),
            explanation: Some((
                t!(locale => "pickup-manager-explanation-title"),
                t!(locale => "pickup-manager-explanation-body"),
                t!(locale => "pickup-manager-explanation-proceed"),
            )),
        },
        Product::DataManagement => Wording {
            opt_in: t!(locale => "data-management-opt-in"),
            revoke_label: t!(locale => "data-management-revoke-label"),
            confirm_title: t!(locale => "data-management-confirm-title"),
            confirm_label: t!(locale => "data-management-confirm-label"),
            explanation: None,
        },
    }
}

#[cfg(test)]
mod tests {
    //! English is the model's English, word for word: the seeds' wording cannot drift.
    use super::*;
    use model::{AnswerClass, StatusKind};
    use strum::VariantArray;

    const EN: Locale = Locale::En;

    #[test]
    fn english_is_the_models_wording() {
        for kind in StatusKind::VARIANTS {
            assert_eq!(status(EN, *kind), kind.label());
        }
        for token in [
            TokenStatus::Active,
            TokenStatus::Expired,
            TokenStatus::Refreshed,
            TokenStatus::Replaced,
            TokenStatus::Cleared,
        ] {
            assert_eq!(token_status(EN, token), token.label());
        }
        for action in AuditAction::VARIANTS {
            assert_eq!(audit_action(EN, *action), action.describe());
        }
        for kind in FactorKind::VARIANTS {
            assert_eq!(factor_kind(EN, *kind), kind.describe());
        }
        for product in Product::ALL {
            for each in Notice::VARIANTS {
                assert_eq!(notice(EN, *each, product), each.message(product), "{each:?} for {product}");
            }
            let (ours, model) = (wording(EN, product), product.wording());
            assert_eq!(
                [&ours.opt_in, &ours.revoke_label, &ours.confirm_title, &ours.confirm_label],
                [model.opt_in, model.revoke_label, model.confirm_title, model.confirm_label]
            );
            assert_eq!(
                ours.explanation,
                model.explain_first.as_ref().map(|e| (e.title.to_owned(), e.body.to_owned(), e.proceed.to_owned()))
            );
        }
        let classes = [
            AnswerClass::Refreshed,
            AnswerClass::DeadGrant,
            AnswerClass::ApplicationRefused,
            AnswerClass::RateLimited,
            AnswerClass::Unavailable,
            AnswerClass::Unreadable,
        ];
        for outcome in classes.map(CheckOutcome::Answered).into_iter().chain([CheckOutcome::TooSoon]) {
            assert_eq!(check_outcome(EN, outcome), outcome.message());
        }
    }

    #[test]
    fn every_locale_words_every_status_its_own_way() {
        for locale in [Locale::FrCa, Locale::Es] {
            for kind in StatusKind::VARIANTS {
                assert_ne!(status(locale, *kind), kind.label(), "{kind:?} in {}", locale.tag());
            }
        }
    }
}
