## Consent links: the card on the product pages that makes them and lists those waiting.

consent-links-heading = Ask someone else to authorize
consent-links-hint = If the UPS.com user that holds { $company }'s shipper accounts is not you, send them a consent link. They need no account here. The link works once, for { $product } and { $company } only.
consent-links-recipient = Their email address
consent-links-message = A message for them (optional)
consent-links-create = Create consent link
consent-links-loading = Loading…
consent-links-none = No consent link is waiting.
consent-links-table = Consent links waiting (scrolls sideways)
consent-links-caption = Consent links waiting for their recipient
consent-links-sent-to = Sent to
consent-links-by = By
consent-links-works-until = Works until
consent-links-opened = Opened
consent-links-action = Action
consent-links-opened-from = from { $address }
consent-links-not-opened = Not yet
consent-links-revoke = Revoke
consent-links-revoke-label = Revoke the link sent to { $recipient }

## A link's own page, for whoever holds it. Messages with <strong> or <time> keep that markup.

consent-link-title = Authorize { $product } for { $company }
consent-link-request = <strong>{ $sender }</strong> asks you to authorize { $product } to act on <strong>{ $company }</strong>'s behalf through UPS APIs.
consent-link-their-message = Their message:
consent-link-instructions = On UPS.com, sign in with the UPS.com user that holds { $company }'s shipper accounts, and allow access. You do not need an account here.
consent-link-continue = Continue to UPS.com
consent-link-works-until = This link works once, until { $until }.
consent-link-unknown-product = Unknown product.

## Why a link does not open.

consent-refused-invalid-title = This consent link is not valid
consent-refused-invalid = Check that the whole link was copied. Nothing was changed. If it still does not open, ask whoever sent it for a new one.
consent-refused-used-title = This consent link was already used
consent-refused-used = A link works once, and this one has done its job. Nothing was changed. If you need to consent again, ask whoever sent it for a new one.
consent-refused-revoked-title = This consent link was revoked
consent-refused-revoked = Whoever sent it has withdrawn it. Nothing was changed. Ask them for a new one if you still need to consent.
consent-refused-expired-title = This consent link has expired
consent-refused-expired = Links work for a limited time, and this one's has passed. Nothing was changed. Ask whoever sent it for a new one.
consent-refused-other-browser-title = This consent link is in use in another browser
consent-refused-other-browser = Someone already went on to UPS.com with this link from another browser, so it works only there. Nothing was changed. Ask whoever sent it for a new one if that was not you.
consent-refused-sender-gone-title = This consent link no longer works
consent-refused-sender-gone = Whoever sent it can no longer ask on the company's behalf. Nothing was changed. Ask an admin of the company for a new one.
consent-failed-title = Something went wrong
consent-failed = The link could not be opened just now. Please try again in a few minutes.

## How a consent ended: on the link holder's screen, and in a widget's consent window.

consent-authorized = Authorized
consent-not-authorized = Not authorized
consent-outcome-again = To try again, open the link you were sent once more.
consent-outcome-authorized = { $product } can now act on { $company }'s behalf through UPS APIs. Thank you; you can close this window.
consent-outcome-denied = UPS.com consent was not given, so nothing changed. { consent-outcome-again }
consent-outcome-expired = The consent took too long and expired. Nothing changed. { consent-outcome-again }
consent-outcome-rejected = UPS did not accept the consent. Nothing changed. { consent-outcome-again }
consent-outcome-unavailable = UPS could not be reached. Nothing changed. In a few minutes, open the link you were sent once more.
consent-outcome-other-browser = This consent was started in another browser, or was already answered. Nothing changed. Open the link you were sent in the browser you first used.
consent-outcome-not-allowed = This consent link can no longer be used: it was used or revoked, or whoever sent it can no longer ask. Nothing changed.
consent-outcome-failed = The consent could not be completed. Nothing changed. { consent-outcome-again }
consent-window-close = You can close this window.
consent-window-unknown-mode = Unknown mode.

## The page an admin sees after making a link (the link itself is shown only this once).

consent-created-title = Consent link created
consent-created-emailed = The link was emailed to <strong>{ $recipient }</strong>. It works once, until { $until }.
consent-created-email-failed = The email to { $recipient } could not be sent. Send them the link yourself.
consent-created-handed = Send this link to <strong>{ $recipient }</strong>. It is shown only this once, and works once, until { $until }.
consent-created-link = Consent link
consent-created-back = Back to { $product }
consent-not-created-title = The consent link was not created
