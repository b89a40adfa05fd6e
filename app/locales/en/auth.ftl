## Signing in and out: the sign-in page, the header's sign-out links, a page whose session is over.

auth-sign-in = Sign in
auth-sign-in-with = Sign in with { $provider }
auth-unlocked = This browser may now sign in as you: give your password, then your second factor.
auth-sign-in-name = Sign in name
auth-password = Password
auth-use-recovery-code = Use a recovery code
auth-where-signed-in = Where you're signed in
auth-sign-in-security = Sign-in security
auth-sign-out = Sign out
auth-sign-out-everywhere = Sign out everywhere
auth-back-to-applications = Back to your applications
auth-all-applications = All applications
auth-loading = Loading…

## "Where you're signed in": the user's sessions.

auth-sessions-title = Where you're signed in · UPS Customer Solutions
auth-session-ended = Signed out that session.
auth-sessions-not-you = Not you? Sign out of that browser here, or sign out everywhere at the top of the page, then change your password.
auth-sessions-region = Your sessions (scrolls sideways)
auth-sessions-caption = Browsers signed in as you, the most recently used first
auth-sessions-browser = Browser
auth-sessions-address = Address
auth-sessions-signed-in = Signed in
auth-sessions-last-active = Last active
auth-sessions-sign-out = Sign out
auth-sessions-sign-out-label = Sign out { $browser } ({ $address })
auth-sessions-this-browser = This browser

## Second factors: the sign-in's second step, the unlock page, "Sign-in security", and the words the script shows.

auth-factors-need-script = Passkeys and adding an authenticator app need JavaScript; a code works without it.
auth-passkey-name = Name this passkey
auth-passkey-name-placeholder = Work laptop
auth-add-passkey = Add a passkey
auth-add-totp = Add an authenticator app
auth-totp-instructions = In your authenticator app, add an account with this key (or open the link on this device), then enter the six-digit code it shows.
auth-totp-open = Open in an authenticator app
auth-totp-first-code = Code from the app
auth-confirm = Confirm
auth-recovery-heading = Your recovery codes
auth-recovery-explained = Each code signs you in once if you lose your passkey or phone. Keep them somewhere safe: they are shown only now.
auth-continue = Continue
auth-second-step-title = Confirm it's you · UPS Customer Solutions
auth-second-step-heading = Confirm it's you
auth-second-step-explained = { $name }, your password was right. Now use your second factor.
auth-sign-in-again = Sign in again
auth-enrol-heading = Add a second factor
auth-enrol-explained = { $name }, this service asks every admin for a second factor besides the password. Add one to finish signing in.
auth-use-passkey = Use your passkey
auth-code-totp-or-recovery = Code from your authenticator app, or a recovery code
auth-recovery-code = A recovery code
auth-verify = Verify
auth-unlock-title = Confirm with a recovery code · UPS Customer Solutions
auth-unlock-heading = Confirm with a recovery code
auth-unlock-explained = Many sign-ins for your name failed lately from elsewhere, so a browser that has not signed in as you before first gives one of your recovery codes. The code is then used up. After that, sign in with your password and second factor as usual.
auth-back-to-sign-in = Back to sign in
auth-factors-title = Sign-in security · UPS Customer Solutions
auth-factor-removed = Removed that second factor.
auth-factors-none = You sign in with your password alone. Add a second factor, so a password that leaks reaches nothing.
auth-factors-required = You sign in with your password and one of these. This service requires a second factor.
auth-factors-some = You sign in with your password and one of these.
auth-recovery-codes = Recovery codes
auth-recovery-left = { $count } of your recovery codes are unused.
auth-recovery-new = Get new recovery codes
auth-factors-region = Your second factors (scrolls sideways)
auth-factors-caption = Your second factors
auth-factors-name = Name
auth-factors-kind = Kind
auth-factors-added = Added
auth-factors-last-used = Last used
auth-factors-remove = Remove
auth-factors-remove-label = Remove { $label }
auth-factors-never = Never
auth-script-failed = Something went wrong. Please try again.
auth-script-cancelled = The passkey request was cancelled. Try again, or use a code.

## Single sign-on's refusal page.

auth-sso-not-completed = Sign-in not completed
auth-sso-back = Back to sign-in
auth-sso-no-such = No such sign-in.
auth-sso-state-unknown = this sign-in expired or was already used; start again
auth-sso-unknown-user = { $provider } signed you in, but no admin here is linked to that account. Ask an administrator of the OAuth Opt-In service to add you, then sign in again.
auth-sso-second-factor-account = { $provider } signed you in, but the admin here with that e-mail address signs in with a password and a second factor. Sign in with your password and second factor instead.
auth-sso-provider-failed = The sign-in through your identity provider did not work. Try again.
auth-sso-internal = Something went wrong on our side. Try again.
auth-sso-provider-refused = The identity provider did not sign you in. Try again, or ask your administrator.
