## Words every page may show: the site's title, the FAQ, the opt-in warning, dialogs.

page-not-found = Page not found
page-not-found-home = Home

## Statuses, token states, Activity entries, second factors.

status-not-authorized = Not authorized
status-authorized = Authorized
status-reauthorization-required = Re-authorization required
token-status-active = Active
token-status-expired = Expired
token-status-refreshed = Refreshed
token-status-replaced = Replaced
token-status-cleared = Cleared
audit-signed-in = Signed in
audit-opt-in-started = Opt-in started
audit-authorized = Authorized
audit-consent-denied = Consent denied on UPS.com
audit-opted-out = Opted out
audit-cleared = Authorization cleared
audit-refreshed = Token refreshed
audit-refresh-failed = Refresh failed, will retry
audit-reauthorization-required = Re-authorization required
audit-webhook-delivered = Webhook delivered
audit-webhook-failed = Webhook delivery failed
audit-email-sent = Email sent
audit-email-failed = Email failed
audit-expiring = UPS authorization ends soon
audit-checked = Authorization checked with UPS
audit-consent-link-sent = Consent link sent
audit-consent-link-opened = Consent link opened
audit-consent-link-revoked = Consent link revoked
factor-passkey = Passkey
factor-totp = Authenticator app

## Each product's walk-through wording (the seeds').

reverse-logistics-opt-in = Opt-In
reverse-logistics-revoke-label = Opt-Out
reverse-logistics-confirm-title = Opt-Out of UPS OAuth?
reverse-logistics-confirm-label = Opt-Out
pickup-manager-opt-in = API
pickup-manager-revoke-label = Opt-Out
pickup-manager-confirm-title = Opt-Out of UPS API access?
pickup-manager-confirm-label = OK
pickup-manager-explanation-title = UPS API
pickup-manager-explanation-body = Intelligent Pickup Manager schedules and tracks pickups through UPS APIs. To allow it, continue with OAuth and sign in to UPS.com with the UPS.com ID that your company's shipper numbers are linked to.
pickup-manager-explanation-proceed = OAuth
data-management-opt-in = Authorize
data-management-revoke-label = Clear
data-management-confirm-title = Clear the authorization?
data-management-confirm-label = Clear

## The dialog, the opt-in warning and the FAQ (the seeds' wording).

dialog-cancel = Cancel
opt-in-warning-label = Warning:
opt-in-warning = When using the Opt-In method, changing the password of the UPS.com user that opted in will invalidate any previous Opt-In. Consequently, company admins will need to opt in again whenever the password is changed.
faq-heading = OAuth Opt-In Process: FAQ
faq-what-is-oauth = What is OAuth 2.0?
faq-what-is-oauth-answer = OAuth 2.0 is a modern API security protocol that uses a temporary token framework to authorize API transactions.
faq-why-oauth = Why has UPS adopted the OAuth standard?
faq-why-oauth-answer = OAuth 2.0 provides a way for UPS customers to securely authorize applications to transact on their behalf without sharing credentials.
faq-many-shipper-accounts = What if I have a lot of shipper accounts?
faq-many-shipper-accounts-answer = To authorize API transactions on a UPS shipper number, the shipper number must be linked to the UPS.com ID that is used to authorize the application. If there is a UPS shipper number that is not linked to the UPS.com ID used to authorize the application, users will not be able to use that shipper number. Shipper numbers can be linked to a UPS.com ID through UPS.com.

## The authorization card (admin pages and widget).

authorization-not-authorized = { $product } is not authorized for { $company }.
authorization-authorized-by = Authorized by { $by } on { $time }.
authorization-authorized = Authorized on { $time }.
authorization-reauthorization-since = Re-authorization required since { $time }: { $reason }
authorization-reauthorize = Re-authorize
authorization-view-only = You can view { $company }'s authorization; only its admins can change it.
authorization-confirm-revoke = { $product } will immediately stop acting for { $company } through UPS APIs, and its stored tokens are deleted. You can authorize it again at any time.
authorization-application-not-answering = UPS is not answering this application since { $time }. Tokens still valid are used; the service's operators have been told, and refreshes resume by themselves.
authorization-tip-label = Tip:
authorization-tip = If you require assistance, reach out to your Account Executive.
