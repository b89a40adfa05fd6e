#!/usr/bin/env bash
# Starts the packaged release for the end-to-end tests on a fresh database, with the sandbox and
# the admins and companies the tests sign in as.
set -euo pipefail
cd "$(dirname "$0")"
port="${1:-3100}"
# One data directory per port, so a measurement can run beside the suite.
data="$PWD/.e2e-data/$port"
rm -rf "$data"
mkdir -p "$data"

export OPTIN_LISTEN="127.0.0.1:$port"
export OPTIN_DATABASE="$data/optin.db"
export OPTIN_SECRET_KEY_FILE="$data/secret.key"
# The release as operators get it: the archive scripts/package.sh made of the build, unpacked
# here, away from target/ (its site carries its own hash.txt).
archive=$(ls "$PWD"/../target/package/optin-*-x86_64-linux.tar.gz 2>/dev/null | head -n 1 || true)
if [ -z "$archive" ] || [ "$archive" -ot "$PWD/../target/release/server" ]; then
  echo "package the build first: scripts/package.sh (or --no-build after cargo leptos build --release --precompress)" >&2
  exit 1
fi
tar -xzf "$archive" -C "$data"
export OPTIN_SITE_ROOT="$data/optin/site"
export OPTIN_SEED_DEMO=false
server="$data/optin/bin/server"

# `serve.sh PORT --second-factors`: the second-factor spec's own service, on "localhost" (a
# passkey's relying party must be a domain name, and Chromium counts localhost as secure),
# requiring a second factor of every admin, with the admins that spec signs in as.
if [ "${2:-}" = "--second-factors" ]; then
  export OPTIN_PUBLIC_BASE_URL="http://localhost:$port"
  export OPTIN_SECOND_FACTORS__REQUIRED=true
  export OPTIN_UPS__ENVIRONMENT=sandbox
  export OPTIN_NEW_PASSWORD="e2e-password-for-admins"
  "$server" company add "Factors Co" >/dev/null
  "$server" user add passkey.admin --display-name "Paz Passkey" --company "Factors Co"
  "$server" user add app.admin --display-name "Abe App" --company "Factors Co"
  unset OPTIN_NEW_PASSWORD
  exec "$server" serve
fi
export OPTIN_UPS__ENVIRONMENT=sandbox
# Short-lived sandbox tokens and a busy worker, so a dead grant shows within seconds.
export OPTIN_SANDBOX__ACCESS_TOKEN_LIFETIME_SECS=10
export OPTIN_REFRESH_INTERVAL_SECS=1
# Embed sessions must be redeemed within 5 seconds here, so a spec can watch one expire.
export OPTIN_EMBED__TOKEN_LIFETIME_SECS=5
# The embed spec's own host page server (port + 4) may frame Data Management's widget only.
export OPTIN_EMBED__DATA_MANAGEMENT__ALLOWED_ORIGINS="[\"http://127.0.0.1:$((port + 4))\"]"
# The OpenID Provider the sso spec signs in through (oidc-provider, port + 5), and the service's
# settings for it. The service reads its discovery document only when someone signs in with it.
node oidc/provider.mjs "$((port + 5))" "http://127.0.0.1:$port" &
export OPTIN_SSO__PROVIDERS="[{id = \"corp\", name = \"Corp\", issuer = \"http://127.0.0.1:$((port + 5))\",
  client_id = \"optin-e2e\", client_secret = \"optin-e2e-secret\", groups_claim = \"groups\",
  companies = {\"returns-admins\" = \"SSO Co\"}}]"

export OPTIN_NEW_PASSWORD="e2e-password-for-admins"
# Each spec has its own admins and companies, so the specs do not depend on each other's state.
# Company numbers go to companies.json for the specs that address companies by number.
echo "{" > "$data/companies.json"
for company in "Acme Returns" "Globex Freight" "Initech Parcels" "Umbrella Data" "Alpha Co" "Beta Co" "Reauth Co" \
  "Portal Returns Co" "Portal Pickups Co" "Portal Data Co" "Embed Expiry Co" "No Script Returns" "No Script Pickups" "No Script Data" "No Script Portal Co" "Sessions Co" \
  "Roles Co" "SDK Host Co" "SSO Co" "Links Co" "Langues Co"; do
  number="$("$server" company add "$company" | sed -E 's/.*\(number ([0-9]+)\).*/\1/')"
  echo "  \"$company\": $number," >> "$data/companies.json"
done
echo '  "": 0' >> "$data/companies.json"
echo "}" >> "$data/companies.json"
"$server" user add irl.admin --display-name "Ada Admin" --company "Acme Returns"
"$server" user add ipm.admin --display-name "Pat Pickup" --company "Globex Freight"
"$server" member add ipm.admin "Initech Parcels"
"$server" user add idm.admin --display-name "Dana Data" --company "Umbrella Data"
"$server" user add alice --display-name "Alice Alpha" --company "Alpha Co"
"$server" user add bob --display-name "Bob Beta" --company "Beta Co"
"$server" user add reauth.admin --display-name "Rita Reauth" --company "Reauth Co"
"$server" user add portal.admin --display-name "Paula Portal" --company "Portal Returns Co"
"$server" member add portal.admin "Portal Pickups Co"
"$server" member add portal.admin "Portal Data Co"
"$server" user add noscript.returns --display-name "Nora Noscript" --company "No Script Returns"
"$server" user add noscript.data --display-name "Ned Noscript" --company "No Script Data"
"$server" user add noscript.pickups --display-name "Nick Noscript" --company "No Script Pickups"
"$server" user add sessions.admin --display-name "Sam Sessions" --company "Sessions Co"
"$server" user add roles.admin --display-name "Rhea Roles" --company "Roles Co"
"$server" user add roles.viewer --display-name "Vera Viewer"
"$server" member add roles.viewer "Roles Co" --role viewer
"$server" user add sso.admin --display-name "Sol Single"
"$server" user set-email sso.admin sso.admin@example.com
"$server" user add links.admin --display-name "Lina Links" --company "Links Co"
unset OPTIN_NEW_PASSWORD
# The embed spec's own host page creates its sessions with a key of its own, as a portal's backend does.
"$server" api-key create data-management --label "embed spec host" --company "SDK Host Co" \
  | sed -E 's/.*\(shown once\): //' > "$data/host-key"
# The languages spec frames Data Management's widget for its company, in French and Spanish.
"$server" api-key create data-management --label "languages spec host" --company "Langues Co" \
  | sed -E 's/.*\(shown once\): //' > "$data/languages-key"
# The consent-links spec makes links as Reverse Logistics' backend does.
"$server" api-key create reverse-logistics --label "links spec backend" --company "Links Co" \
  | sed -E 's/.*\(shown once\): //' > "$data/links-key"

# The demo host portals (one per product, on the next three ports) and the widget's sessions.
exec "$server" serve --demo-portals --demo-portal-port "$((port + 1))"
