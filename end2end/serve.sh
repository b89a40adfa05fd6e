#!/usr/bin/env bash
# Starts the release server for the end-to-end tests on a fresh database, with the sandbox and
# the admins and companies the tests sign in as.
set -euo pipefail
cd "$(dirname "$0")"
port="${1:-3100}"
data="$PWD/.e2e-data"
rm -rf "$data"
mkdir -p "$data"

export OPTIN_LISTEN="127.0.0.1:$port"
export OPTIN_DATABASE="$data/optin.db"
export OPTIN_SECRET_KEY_FILE="$data/secret.key"
export OPTIN_SITE_ROOT="$PWD/../target/site"
export OPTIN_SEED_DEMO=false
server="$PWD/../target/release/server"
[ -x "$server" ] || { echo "build first: cargo leptos build --release" >&2; exit 1; }

export OPTIN_NEW_PASSWORD="e2e-password-for-admins"
"$server" company add "Acme Returns"
"$server" user add irl.admin --display-name "Ada Admin" --company "Acme Returns"
unset OPTIN_NEW_PASSWORD

exec "$server"
