#!/usr/bin/env bash
# Latency and throughput of a trivial #[queued] route, side by side with the same route
# unqueued and with the local backend, in one run. Needs Redis on 127.0.0.1:6379 and wrk
# (installed from Debian's packages when missing).
#
#   bench/queue.sh [seconds]                 this commit
#   bench/queue.sh [seconds] --against REV   and the Redis path of commit REV beside it,
#                                            the two interleaved row by row (3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
against=""
if [ "${2:-}" = "--against" ]; then against=${3:?"--against needs a revision"}; fi
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis at 127.0.0.1:6379 does not answer: start it (see shared SERVICES.md)"; exit 1; }
cargo build --release -q -p flyer-tests --bin flyer-probe
probe=target/release/flyer-probe
if [ -n "$against" ]; then
  # REV's probe, built in a worktree of its own, with a target dir kept for next time.
  old_tree=$(mktemp -d)
  git worktree add -q --detach "$old_tree" "$against"
  CARGO_TARGET_DIR=target/bench-against cargo build --release -q \
    --manifest-path "$old_tree/Cargo.toml" -p flyer-tests --bin flyer-probe
  git worktree remove --force "$old_tree"
  old_probe=target/bench-against/release/flyer-probe
fi
ns="bench-$$"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start ROLE BACKEND PORT [BINARY [NAMESPACE]]: one probe instance, quiet (no access
# log), on PORT.
start() {
  flyer_port=$3 flyer_host=127.0.0.1 flyer_access_log=0 flyer_log_level=warn \
  flyer_queue_backend=$2 flyer_role=$1 flyer_redis_url=redis://127.0.0.1:6379/0 \
  flyer_queue_namespace=${5:-$ns} "${4:-$probe}" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$3/flyer/v1/health_check" >/dev/null && return; sleep 0.05; done
  echo "probe on $3 did not start"; exit 1
}

# A queue group warms up for a lease period the first time it is used.
warm() {
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return
    sleep 0.1
  done
  echo "$1 never answered 200"; exit 1
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
warm "http://127.0.0.1:18302/flyer/v1/probe/bench"
if [ -n "$against" ]; then
  start gateway redis 18304 "$old_probe" "$ns-old"
  start worker redis 18305 "$old_probe" "$ns-old"
  warm "http://127.0.0.1:18304/flyer/v1/probe/bench"
fi

echo "flyer-probe, release build, $(nproc) cores, ${secs}s per row; gateway, worker, Redis and wrk share the machine"
echo
echo "| route                              | conns |   p50     |   p99     |   req/s    | non-2xx | errors |"
echo "|------------------------------------|-----|-----------|-----------|------------|--------|--------|"
if [ -z "$against" ]; then
  for c in 1 50; do
    run "unqueued (/probe/plain)" "http://127.0.0.1:18301/flyer/v1/probe/plain" "$c"
    run "queued, local backend" "http://127.0.0.1:18301/flyer/v1/probe/bench" "$c"
    run "queued, redis (gateway + worker)" "http://127.0.0.1:18302/flyer/v1/probe/bench" "$c"
  done
else
  for round in 1 2 3; do
    for c in 1 50; do
      run "redis, this commit (round $round)" "http://127.0.0.1:18302/flyer/v1/probe/bench" "$c"
      run "redis, $against (round $round)" "http://127.0.0.1:18304/flyer/v1/probe/bench" "$c"
    done
  done
fi
