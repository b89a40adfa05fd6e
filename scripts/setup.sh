#!/usr/bin/env bash
# Installs what building and testing need, and only what is missing: quick when all is there.
#   scripts/setup.sh          build tools (wasm target, cargo-leptos, wasm-bindgen, wasm-opt)
#   scripts/setup.sh --package  also cargo-deb (scripts/package.sh makes the Debian package)
#   scripts/setup.sh --test   also cargo-deb, Chromium, PostgreSQL (the tests start throwaway
#                             clusters of their own) and the end-to-end test packages, downloaded
#                             while the build tools compile
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
CARGO_DEB_VERSION=3.8.0
BINARYEN_VERSION=132
# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# What the tests need beside the build tools: Debian's Chromium and PostgreSQL, and the
# end-to-end test packages. Mostly downloads, so it runs while the Rust tools compile.
test_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # pg_virtualenv (postgresql-common) and a server to run under it.
  if ! command -v pg_virtualenv >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    missing+=(postgresql)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the end-to-end test packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}
test_packages_pid=
if [ "${1:-}" = "--test" ]; then
  test_packages &
  test_packages_pid=$!
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads --debug --force
fi

# The Debian package's maker: the control file, md5sums, conffiles and shared-library
# dependencies from the manifest, instead of a hand-written dpkg-deb staging script.
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--package" ]; then
  if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
    say "installing cargo-deb $CARGO_DEB_VERSION (a minute or two, once)"
    cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --force
  fi
fi

# Debian's binaryen is too old (its wasm-opt output fails to hydrate): use npm's.
wasm_opt_major() { wasm-opt --version 2>/dev/null | grep -o 'version [0-9]*' | grep -o '[0-9]*' || echo 0; }
if [ "$(wasm_opt_major)" -lt "$BINARYEN_VERSION" ]; then
  say "installing wasm-opt (binaryen@$BINARYEN_VERSION from npm)"
  npm install -g "binaryen@$BINARYEN_VERSION"
  hash -r
  if [ "$(wasm_opt_major)" -lt "$BINARYEN_VERSION" ]; then
    echo "wasm-opt on PATH is still older than $BINARYEN_VERSION: $(command -v wasm-opt)" >&2
    exit 1
  fi
fi

if [ -n "$test_packages_pid" ] && ! wait "$test_packages_pid"; then
  echo "installing the test packages failed" >&2
  exit 1
fi
