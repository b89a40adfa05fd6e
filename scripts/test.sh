#!/usr/bin/env bash
# Sets everything up and runs every test: the Rust unit and integration tests, then the
# Playwright suite in Debian's Chromium against the same release build, then the size budget.
# Ends with a table of the phases and their minutes (also when one fails), so a slow CI shows
# where its time went.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

started=$SECONDS
phases=()
# phase NAME COMMAND…: runs the command as one row of the table.
phase() {
  local name=$1 began=$SECONDS status=0
  shift
  printf '\033[1m==> %s\033[0m\n' "$name"
  "$@" || status=$?
  phases+=("$name|$((SECONDS - began))|$([ "$status" = 0 ] && echo ok || echo "failed ($status)")")
  return "$status"
}
minutes() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
report() {
  local row name seconds outcome
  echo
  echo "| phase | minutes | |"
  echo "| --- | --- | --- |"
  for row in "${phases[@]}"; do
    IFS='|' read -r name seconds outcome <<<"$row"
    echo "| $name | $(minutes "$seconds") | $outcome |"
  done
  echo "| **all, start to end** (the set-up overlaps the first build) | **$(minutes $((SECONDS - started)))** | |"
}

# The set-up (cargo-leptos, wasm-bindgen, cargo-deb, Chromium, PostgreSQL, the Playwright packages) runs in
# the background while the service and its tests compile: neither needs the other, and on two
# cores each leaves the other's idle moments to fill. Its output comes out once it is done.
setup_log=$(mktemp)
trap 'report; rm -f "$setup_log" "$setup_log.done"' EXIT
setup() {
  local began=$SECONDS status=0
  scripts/setup.sh --test >"$setup_log" 2>&1 || status=$?
  echo "$((SECONDS - began)) $status" >"$setup_log.done"
}
setup &
setup_pid=$!
wait_for_setup() {
  wait "$setup_pid" || true
  cat "$setup_log"
  local seconds status
  read -r seconds status <"$setup_log.done"
  phases+=("set up: tools, Chromium, PostgreSQL, test packages (in the background)|$seconds|$([ "$status" = 0 ] && echo ok || echo "failed ($status)")")
  return "$status"
}

# The Rust tests: unit tests beside the code and the integration tests (one binary,
# server/tests/it). Every cargo command here selects the same packages, and the service's
# dependencies have the same features with and without the test-only ones (server/Cargo.toml),
# so `cargo leptos build` below finds the service already built, and the later commands only run
# what the first built.
cargo_test=(cargo test --release --workspace --exclude frontend --exclude bench --no-fail-fast)
phase "build: the service and the Rust tests (beside the set-up)" "${cargo_test[@]}" --tests --no-run
phase "waiting for the set-up" wait_for_setup
phase "build: wasm and site (the server is built already)" cargo leptos build --release --precompress
# The release archive and Debian package of that build: the `release` tests install and start
# them, and the Playwright suite runs the unpacked archive (end2end/serve.sh).
phase "package: release archive and Debian package" scripts/package.sh --no-build
phase "Rust tests (SQLite)" "${cargo_test[@]}" --tests
# The integration tests again on PostgreSQL: each test on a database of its own in a throwaway
# pg_virtualenv cluster. Not here: `postgres` and `db_copy` (on PostgreSQL already, the one with two
# instances, the other copying SQLite to it and back),
# `durability` and `memory` (one SQLite process killed and restarted, its memory), `release` (the
# packaged release on SQLite, as operators start it), `assets` and `architecture` (no database).
TEST_DATABASE=postgres phase "Rust tests (PostgreSQL)" "${cargo_test[@]}" --test it -- \
  --skip postgres:: --skip db_copy:: --skip durability:: --skip memory:: --skip release:: --skip assets:: --skip architecture::
cd end2end
phase "Playwright (Chromium)" npx playwright test
# The size budget (widget 150 KB, administration page 200 KB, brotli, first load): prints the
# table and fails over it. The timing half of the measurements is a benchmark, not run here.
phase "size budget" npx playwright test --config measure.config.ts measure/size.spec.ts
