#!/usr/bin/env bash
# Sets everything up, builds, and serves on the embedded defaults: SQLite in data/, the built-in
# UPS sandbox, and (on the first start) a demo admin whose credentials are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo leptos build --release --precompress
# The built-in UPS sandbox, unless the environment chooses another UPS.
export OPTIN_UPS__ENVIRONMENT="${OPTIN_UPS__ENVIRONMENT:-sandbox}"
exec target/release/server "$@"
