#!/usr/bin/env bash
# Latency and throughput of a trivial #[queued] route, side by side with the same route
# unqueued and with the local backend, in one run. Needs Redis on 127.0.0.1:6379 and wrk
# (installed from Debian's packages when missing). Usage: bench/queue.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis at 127.0.0.1:6379 does not answer: start it (see shared SERVICES.md)"; exit 1; }
cargo build --release -q -p flyer-tests --bin flyer-probe
probe=target/release/flyer-probe
ns="bench-$$"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start ROLE BACKEND PORT: one probe instance, quiet (no access log), on PORT.
start() {
  flyer_port=$3 flyer_host=127.0.0.1 flyer_access_log=0 flyer_log_level=warn \
  flyer_queue_backend=$2 flyer_role=$1 flyer_redis_url=redis://127.0.0.1:6379/0 \
  flyer_queue_namespace=$ns "$probe" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$3/flyer/v1/health_check" >/dev/null && return; sleep 0.05; done
  echo "probe on $3 did not start"; exit 1
}

# run NAME URL CONNECTIONS: one wrk run, one table row.
run() {
  local out
  out=$(wrk -t "$(( $3 < 2 ? 1 : 2 ))" -c "$3" -d "${secs}s" --latency "$2")
  local p50 p99 rps non2xx errors
  p50=$(awk '/^ +50%/{print $2}' <<<"$out")
  p99=$(awk '/^ +99%/{print $2}' <<<"$out")
  rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out")
  # Connection errors and timeouts: a request without an answer is a failure too.
  errors=$(awk '/Socket errors/{gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
  printf "| %-34s | %3s | %9s | %9s | %10s | %6s | %6s |\n" "$1" "$3" "$p50" "$p99" "$rps" "${non2xx:-0}" "${errors:-0}"
}

start all local 18301
start gateway redis 18302
start worker redis 18303

echo "flyer-probe, release build, $(nproc) cores, ${secs}s per row; gateway, worker, Redis and wrk share the machine"
echo
echo "| route                              | conns |   p50     |   p99     |   req/s    | non-2xx | errors |"
echo "|------------------------------------|-----|-----------|-----------|------------|--------|--------|"
for c in 1 50; do
  run "unqueued (/probe/plain)" "http://127.0.0.1:18301/flyer/v1/probe/plain" "$c"
  run "queued, local backend" "http://127.0.0.1:18301/flyer/v1/probe/bench" "$c"
  run "queued, redis (gateway + worker)" "http://127.0.0.1:18302/flyer/v1/probe/bench" "$c"
done
