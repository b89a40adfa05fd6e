#!/usr/bin/env bash
# The widget's and the administration pages' weight and speed, rerunnable: builds the release,
# then in Debian's Chromium prints what each page fetches on a cold cache (raw, gzip, brotli;
# fails over the budget: widget 150 KB, administration page 200 KB brotli) and the time to a
# working Opt-In on a throttled connection (150 ms RTT, 1.6 Mbps; target 1.2 s).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"
scripts/package.sh
cd end2end
npx playwright test --config measure.config.ts "$@"
