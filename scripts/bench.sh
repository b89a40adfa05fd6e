#!/usr/bin/env bash
# The service's benchmark, rerunnable: builds the release, then on SQLite and on a throwaway
# PostgreSQL cluster (pg_virtualenv) it
#   1. runs wrk (2 threads, 64 connections, BENCH_SECONDS each, default 10) against `/healthz` and
#      the token API for a stored fresh token, in the same run;
#   2. seeds BENCH_STORM authorizations (default 10000), makes them all due at once
#      (`server tokens refresh-all`) and times until the provider has answered every refresh,
#      with one instance and then with two on the same database; beside the time, the CPU each
#      refresh cost the service (all instances), the provider and, on PostgreSQL, the database
#      server (user + system time from /proc), and the statements each refresh sent
#      (`optin_store_statements_total`, BEGIN and COMMIT included);
#   3. the same storm while the provider answers 429 to everything for BENCH_OUTAGE seconds
#      (default 30; the sandbox's fault mode), then recovers: how many requests reached it during
#      the outage beside what the budget would allow, how long until every authorization was
#      refreshed, how many were marked dead, and the application incidents recorded.
# The refresh budget (`ups.refreshes_per_second`) is BENCH_BUDGET (default 2000 a second per
# application): the default of 100 would spread a storm of 10,000 over 100 s, as intended in
# production; the benchmark measures what the service itself can do.
# The provider is the built-in sandbox running as a process of its own on its own SQLite
# database, so the figures are the service's and not the provider's; it counts the refresh
# calls. Prints three Markdown tables. Everything listens on loopback.
#   scripts/bench.sh                      both databases
#   BENCH_BACKENDS=sqlite scripts/bench.sh
#   BENCH_WRK_THREADS=1 scripts/bench.sh  wrk's threads (default 2): fewer leaves the service more CPU
#   BENCH_PROFILE=DIR scripts/bench.sh    also profiles instance A through each one-instance storm
#                                         (perf, from Debian's linux-perf): DIR/<database>.txt
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_EACH=${BENCH_SECONDS:-10}
STORM=${BENCH_STORM:-10000}
CONCURRENCY=${BENCH_CONCURRENCY:-16}
BUDGET=${BENCH_BUDGET:-2000}
OUTAGE=${BENCH_OUTAGE:-30}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PRODUCT=reverse-logistics

if [ -z "${BENCH_INSIDE:-}" ]; then
  missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v pg_virtualenv >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  cargo build --release -p server -p bench --quiet
fi

dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for name in $(env | grep -o '^OPTIN_[A-Z_0-9]*' || true); do unset "$name"; done
# No page is asked for here: a site of empty files with plain names is enough to start (a start
# refuses a site that lacks the files its pages would name).
mkdir -p "$dir/site/pkg" && touch "$dir/site/pkg/optin.js" "$dir/site/pkg/optin.wasm" "$dir/site/pkg/optin.css"
export RUST_LOG=warn OPTIN_SITE_ROOT="$dir/site" OPTIN_SEED_DEMO=false OPTIN_RETENTION__ENABLED=false

# A loopback port nothing listens on now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME PORT ENV…: a server process in the background; waits until it serves.
start() {
  local name=$1 port=$2; shift 2
  env OPTIN_LISTEN="127.0.0.1:$port" "$@" target/release/server >"$dir/$name.log" 2>&1 &
  pids+=($!)
  eval "${name}_pid=$!"
  for _ in $(seq 200); do grep -q "is serving" "$dir/$name.log" && return; sleep 0.05; done
  echo "$name did not start:" >&2; cat "$dir/$name.log" >&2; exit 1
}
stop() { local pid; eval "pid=\$${1}_pid"; kill "$pid"; wait "$pid" 2>/dev/null || true; }

provider_port=$(free_port)
start provider $provider_port OPTIN_DATABASE="$dir/provider.db" OPTIN_SECRET_KEY_FILE="$dir/provider.key" \
  OPTIN_UPS__ENVIRONMENT=sandbox OPTIN_REFRESH_WORKER=false OPTIN_WEBHOOKS__WORKER=false OPTIN_SANDBOX__FAULTS=true
export BENCH_PROVIDER_DATABASE="$dir/provider.db"

# The service's settings (also what `server` and `bench` commands read).
service_env() { # DATABASE_URL
  export OPTIN_DATABASE_URL="$1" OPTIN_SECRET_KEY_FILE="$dir/service.key" OPTIN_UPS__ENVIRONMENT=custom \
    OPTIN_UPS__BASE_URL="http://127.0.0.1:$provider_port/security" OPTIN_REFRESH_INTERVAL_SECS=1 \
    OPTIN_REFRESH_CONCURRENCY="$CONCURRENCY" OPTIN_UPS__REFRESHES_PER_SECOND="$BUDGET"
  local product upper
  for product in reverse-logistics pickup-manager data-management; do
    upper=$(tr a-z- A-Z_ <<<"$product")
    export "OPTIN_UPS__${upper}__CLIENT_ID=sandbox-$product" "OPTIN_UPS__${upper}__CLIENT_SECRET=sandbox-secret-$product"
  done
}

measure() { # name, then wrk's arguments: "req/s p50 p99"
  local out; out=$(wrk -t"$WRK_THREADS" -c64 -d"${SECONDS_EACH}s" --latency "$@")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "50%" {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")"
}

# Clock ticks of CPU (user + system) the processes PID… have used; with `postgres`, those of every
# PostgreSQL server process (the cluster's backends, and what the ones that exited left to their
# parent).
cpu_ticks() {
  if [ "$1" = postgres ]; then
    local stat total=0
    for stat in /proc/[0-9]*/stat; do
      [ "$(cat "${stat%stat}comm" 2>/dev/null)" = postgres ] || continue
      total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "$stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
  else
    local pid total=0
    for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
    echo "$total"
  fi
}
TICK=$(getconf CLK_TCK)

# Statements the service instances on PORT… have sent so far.
statements() {
  local port total=0
  for port in "$@"; do
    total=$((total + $(curl -fsS "http://127.0.0.1:$port/metrics" | awk '$1 == "optin_store_statements_total" {v = $2} END {print v + 0}')))
  done
  echo "$total"
}

# ms of CPU per refresh: TICKS over REFRESHES.
per_refresh() { awk -v t="$1" -v n="$2" -v hz="$TICK" 'BEGIN { if (n > 0) printf "%.2f ms", 1000 * t / hz / n; else print "-" }'; }

# refreshed_in EXPECTED LIMIT: seconds from now until the provider has issued EXPECTED refresh
# tokens in all (or LIMIT seconds have passed).
refreshed_in() {
  local expected=$1 limit=$2 started now elapsed
  started=$(date +%s.%N)
  while :; do
    now=$(date +%s.%N)
    elapsed=$(awk -v a="$started" -v b="$now" 'BEGIN {printf "%.1f", b - a}')
    [ "$(target/release/bench provider-refreshes)" -ge "$expected" ] && break
    awk -v e="$elapsed" -v l="$limit" 'BEGIN {exit !(e > l)}' && break
    sleep 0.2
  done
  echo "$elapsed"
}

# storm BACKEND INSTANCES: every authorization due at once; wall time until the provider has
# answered each refresh, how many calls it got, and what each refresh cost.
storm() {
  local backend=$1 instances=$2; shift 2
  local before due elapsed calls rss ups
  local service_pids=("$service_a_pid") service_ports=("$service_a_port")
  if [ "$instances" = 2 ]; then service_pids+=("$service_b_pid"); service_ports+=("$service_b_port"); fi
  before=$(target/release/bench provider-refreshes)
  local metrics_before; metrics_before=$(provider_latency)
  local statements_before service_before provider_before database_before
  statements_before=$(statements "${service_ports[@]}")
  service_before=$(cpu_ticks "${service_pids[@]}")
  provider_before=$(cpu_ticks "$provider_pid")
  database_before=$([ "$backend" = postgres ] && cpu_ticks postgres || echo 0)
  local profiler=
  if [ -n "${BENCH_PROFILE:-}" ] && [ "$instances" = 1 ]; then
    perf record -q -e cpu-clock -F 999 -p "$service_a_pid" -o "$dir/$backend.perf" 2>/dev/null &
    profiler=$!
  fi
  due=$(target/release/server tokens refresh-all | awk '{print $1}')
  elapsed=$(refreshed_in $((before + due)) 300)
  if [ -n "$profiler" ]; then
    kill -INT "$profiler"; wait "$profiler" || true
    mkdir -p "$BENCH_PROFILE"
    perf report -q -i "$dir/$backend.perf" --no-children --sort dso,symbol --percent-limit 0.7 2>/dev/null \
      | sed -E 's/ +$//; s/ +- +-$//; s/  +/ /g' | head -30 >"$BENCH_PROFILE/$backend.txt"
  fi
  local service_cpu provider_cpu database_cpu sent
  service_cpu=$(($(cpu_ticks "${service_pids[@]}") - service_before))
  provider_cpu=$(($(cpu_ticks "$provider_pid") - provider_before))
  database_cpu=$(($([ "$backend" = postgres ] && cpu_ticks postgres || echo 0) - database_before))
  sent=$(($(statements "${service_ports[@]}") - statements_before))
  sleep 2 # anything beyond one call each would show now
  calls=$(($(target/release/bench provider-refreshes) - before))
  rss=$(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$service_a_pid/status")
  ups=$(awk -v before="$metrics_before" -v after="$(provider_latency)" 'BEGIN {
    split(before, b); split(after, a); n = a[2] - b[2]; if (n > 0) printf "%.0f ms", 1000 * (a[1] - b[1]) / n; else print "-" }')
  local database; database=$([ "$backend" = postgres ] && per_refresh "$database_cpu" "$due" || echo "-")
  local per; per=$(awk -v s="$sent" -v n="$due" 'BEGIN { if (n > 0) printf "%.1f", s / n; else print "-" }')
  echo "| $backend | $instances | $due | $elapsed s | $calls | $(per_refresh "$service_cpu" "$due") |" \
    "$(per_refresh "$provider_cpu" "$due") | $database | $per | $ups | $rss |" >>"$dir/storm.md"
}

# The sum of a counter over the service instances on PORT…: metric NAME, label filter FILTER.
counter_sum() {
  local name=$1 filter=$2 port total=0; shift 2
  for port in "$@"; do
    total=$((total + $(curl -fsS "http://127.0.0.1:$port/metrics" | awk -v n="$name" -v f="$filter" \
      'index($1, n) == 1 && index($0, f) {v += $NF} END {printf "%d", v + 0}')))
  done
  echo "$total"
}

# The provider's fault mode and counts: "requests faulted".
faults() { curl -fsS "http://127.0.0.1:$provider_port/security/sandbox/faults" | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["requests"], r["faulted"])'; }

# storm_429 BACKEND INSTANCES: the storm while the provider answers 429 for OUTAGE seconds.
storm_429() {
  local backend=$1 instances=$2
  local service_ports=("$service_a_port")
  [ "$instances" = 2 ] && service_ports+=("$service_b_port")
  local before dead_before degraded_before recovered_before due elapsed
  before=$(target/release/bench provider-refreshes)
  dead_before=$(counter_sum optin_refreshes_total 'outcome="dead_grant"' "${service_ports[@]}")
  degraded_before=$(counter_sum optin_application_incidents_total 'application.degraded' "${service_ports[@]}")
  recovered_before=$(counter_sum optin_application_incidents_total 'application.recovered' "${service_ports[@]}")
  read -r _ faulted_before <<<"$(faults)"
  curl -fsS -H 'content-type: application/json' -d "{\"mode\":\"rate_limited\",\"for_secs\":$OUTAGE}" \
    "http://127.0.0.1:$provider_port/security/sandbox/faults" >/dev/null
  due=$(target/release/server tokens refresh-all | awk '{print $1}')
  elapsed=$(refreshed_in $((before + due)) $((OUTAGE + 300)))
  sleep 2
  local refused dead degraded recovered after
  read -r _ refused <<<"$(faults)"
  refused=$((refused - faulted_before))
  dead=$(($(counter_sum optin_refreshes_total 'outcome="dead_grant"' "${service_ports[@]}") - dead_before))
  degraded=$(($(counter_sum optin_application_incidents_total 'application.degraded' "${service_ports[@]}") - degraded_before))
  recovered=$(($(counter_sum optin_application_incidents_total 'application.recovered' "${service_ports[@]}") - recovered_before))
  after=$(awk -v e="$elapsed" -v o="$OUTAGE" 'BEGIN {printf "%.1f", e - o}')
  echo "| $backend | $instances | $due | $OUTAGE s | $refused | $((BUDGET * OUTAGE)) | $elapsed s ($after s after) |" \
    "$(($(target/release/bench provider-refreshes) - before)) | $dead | $degraded / $recovered |" >>"$dir/storm429.md"
}

# "sum count" of the provider's refresh latency as instance A has seen it.
provider_latency() {
  curl -fsS "http://127.0.0.1:$service_a_port/metrics" | awk '
    /^optin_provider_request_seconds_sum\{.*operation="refresh"/ {sum += $NF}
    /^optin_provider_request_seconds_count\{.*operation="refresh"/ {count += $NF}
    END {print sum + 0, count + 0}'
}

run_backend() { # BACKEND DATABASE_URL
  local backend=$1
  service_env "$2"
  service_a_port=$(free_port)
  start service_a "$service_a_port"
  target/release/bench seed 1 "$PRODUCT" >/dev/null
  local key company=1 base="http://127.0.0.1:$service_a_port"
  key=$(target/release/server api-key create "$PRODUCT" --label bench 2>/dev/null | awk '{print $NF}')
  local token_url="$base/api/v1/companies/$company/products/$PRODUCT/token"
  curl -fsS -H "Authorization: Bearer $key" "$token_url" | grep -q access_token
  local health token ratio
  read -r h_rps h_p50 h_p99 <<<"$(measure "$base/healthz")"
  read -r t_rps t_p50 t_p99 <<<"$(measure -H "Authorization: Bearer $key" "$token_url")"
  ratio=$(awk -v t="$t_rps" -v h="$h_rps" 'BEGIN {printf "%.2f", t / h}')
  echo "| $backend | $h_rps | $h_p99 | $t_rps | $t_p50 | $t_p99 | $ratio |" >>"$dir/token.md"

  target/release/bench seed "$STORM" "$PRODUCT" >&2
  storm "$backend" 1
  storm_429 "$backend" 1
  service_b_port=$(free_port)
  start service_b "$service_b_port"
  storm "$backend" 2
  storm_429 "$backend" 2
  stop service_b
  stop service_a
}

for backend in $BACKENDS; do
  case $backend in
    sqlite) run_backend sqlite "sqlite://$dir/service.db" ;;
    postgres)
      if [ -n "${BENCH_INSIDE:-}" ]; then
        run_backend postgres "postgres://$PGUSER:$PGPASSWORD@127.0.0.1:$PGPORT/postgres"
      else
        BENCH_INSIDE=1 BENCH_BACKENDS=postgres BENCH_OUT="$dir" pg_virtualenv -t "$0" >&2
      fi
      ;;
  esac
done

if [ -n "${BENCH_INSIDE:-}" ]; then
  cat "$dir/token.md" >>"$BENCH_OUT/token.md"
  cat "$dir/storm.md" >>"$BENCH_OUT/storm.md"
  cat "$dir/storm429.md" >>"$BENCH_OUT/storm429.md"
  exit 0
fi

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr);" \
  "wrk -t$WRK_THREADS -c64 -d${SECONDS_EACH}s and everything else on loopback; refresh concurrency $CONCURRENCY per instance;" \
  "refresh budget $BUDGET a second per application"
echo
echo "| database | /healthz req/s | /healthz p99 | token API req/s | token API p50 | token API p99 | ratio |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
cat "$dir/token.md"
echo
echo "| database | instances | authorizations due at once | all refreshed in | provider calls | service CPU per refresh | provider CPU per refresh | database CPU per refresh | statements per refresh | provider's mean answer (seen by A) | service RSS after |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
cat "$dir/storm.md"
echo
echo "Storm with ${OUTAGE} s of 429: every authorization due while the provider answers 429 to everything, then recovers."
echo
echo "| database | instances | authorizations due at once | outage | requests during the outage (429) | budget × outage | all refreshed in | provider calls answered | marked dead | application incidents (degraded / recovered) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
cat "$dir/storm429.md"
