#!/usr/bin/env bash
# Sets everything up and runs every test: the Rust unit and integration tests, then the
# Playwright suite in Debian's Chromium against the same release build, then the size budget.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

# One profile for everything: the release server that Playwright drives is also what the Rust
# tests link against, so the workspace is compiled once.
cargo leptos build --release --precompress
cargo test --release --workspace --exclude frontend --exclude bench --no-fail-fast
# The integration tests again on PostgreSQL: each test on a database of its own in a throwaway
# pg_virtualenv cluster (already built: this only runs). Not here: `postgres` (on PostgreSQL
# already, with two instances), `durability` and `memory` (one SQLite process killed and
# restarted, its memory), `assets` and `architecture` (no database).
TEST_DATABASE=postgres cargo test --release -p server --no-fail-fast \
  --test sign_in --test sandbox --test products --test keys --test retention --test security \
  --test security_api_keys --test security_connections --test security_fuzz --test security_secrets \
  --test opt_in --test lifecycle --test embed --test notifications

cd end2end
npx playwright test
# The size budget (widget 150 KB, administration page 200 KB, brotli, first load): prints the
# table and fails over it. The timing half of the measurements is a benchmark, not run here.
npx playwright test --config measure.config.ts measure/size.spec.ts
