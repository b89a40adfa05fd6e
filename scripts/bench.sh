#!/usr/bin/env bash
# The token API against a bare handler, in the same run: wrk on loopback, 2 threads, 64
# connections, 10 s each (set BENCH_SECONDS), against `/healthz` and the token API for a stored
# fresh token, on the embedded SQLite database and the built-in sandbox. Prints a Markdown table.
#   scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_EACH=${BENCH_SECONDS:-10}
PORT=${BENCH_PORT:-3999}

if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -p server --quiet

dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for name in $(env | grep -o '^OPTIN_[A-Z_]*' || true); do unset "$name"; done
export OPTIN_DATABASE="$dir/optin.db" OPTIN_SECRET_KEY_FILE="$dir/secret.key" OPTIN_UPS__ENVIRONMENT=sandbox \
  OPTIN_LISTEN="127.0.0.1:$PORT" OPTIN_SITE_ROOT="$dir" RUST_LOG=warn
target/release/server >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "is serving" "$dir/server.log" && break; sleep 0.1; done
password=$(awk '/Password:/ {print $2; exit}' "$dir/server.log")
base="http://127.0.0.1:$PORT"
python3 scripts/bench_seed.py "$base" demo.admin "$password" reverse-logistics
key=$(target/release/server api-key create reverse-logistics --label bench 2>/dev/null | awk '{print $NF}')
token_url="$base/api/v1/companies/1/products/reverse-logistics/token"
curl -fsS -H "Authorization: Bearer $key" "$token_url" | grep -q access_token

measure() { # name, then wrk's arguments: "name req/s p50 p99"
  local name=$1; shift
  local out; out=$(wrk -t2 -c64 -d"${SECONDS_EACH}s" --latency "$@")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$name $rps $p50 $p99"
}
health=$(measure healthz "$base/healthz")
token=$(measure token -H "Authorization: Bearer $key" "$token_url")
read -r _ health_rps health_p50 health_p99 <<<"$health"
read -r _ token_rps token_p50 token_p99 <<<"$token"
ratio=$(awk -v t="$token_rps" -v h="$health_rps" 'BEGIN {printf "%.2f", t / h}')

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr); wrk -t2 -c64 -d${SECONDS_EACH}s on loopback, SQLite"
echo
echo "| endpoint | req/s | p50 | p99 | ratio to /healthz |"
echo "| --- | --- | --- | --- | --- |"
echo "| \`/healthz\` | $health_rps | $health_p50 | $health_p99 | 1.00 |"
echo "| token API (stored fresh token) | $token_rps | $token_p50 | $token_p99 | $ratio |"
