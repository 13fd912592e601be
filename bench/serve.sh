#!/usr/bin/env bash
# bench/serve.sh: drives `keyplan serve` on the default generated tenant
# (`keyplan gen`) with wrk, loopback only: single evaluations and batches of
# 100, at 1, 8 and 64 connections, and GET /healthz at 64 (the machine's
# floor for HTTP on loopback); throughput and p50/p99/p99.9 latency as
# a Markdown table, with the service's CPU time per request
# (docs/performance.md, "The decision service").
#
#   bench/serve.sh [KEYPLAN_BINARY] [SECONDS]    (defaults: build/keyplan, 5)
#   SERVE_THREADS=N: the service's event loops (default: one per core)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keyplan=${1:-$here/../build/keyplan}
secs=${2:-5}
command -v wrk >/dev/null || { echo "bench/serve.sh: wrk is not installed" >&2; exit 2; }
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export KEYPLAN_PATH=${KEYPLAN_PATH:-$here/../policies}
"$keyplan" gen -o "$tmp/tenant.yaml"
: >"$tmp/serve.log" # exists before the loop below reads it
"$keyplan" serve std.desk_booking --data "$tmp/tenant.yaml" --listen 127.0.0.1:0 \
  ${SERVE_THREADS:+--threads "$SERVE_THREADS"} 2>"$tmp/serve.log" &
pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.log")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "bench/serve.sh: the service did not start" >&2; exit 1; }
# The service's CPU time (user + system, clock ticks) so far: per request it
# tells what the service costs, whatever else shares the machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
echo "| load | connections | requests/s | decisions/s | p50 ms | p99 ms | p99.9 ms | errors | service CPU µs/request |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for kind in healthz single batch; do
  per=1
  [ "$kind" = batch ] && per=100
  conns="1 8 64"
  [ "$kind" = healthz ] && conns=64 # the floor: HTTP and loopback, no decision
  for c in $conns; do
    t=$(( c < 2 ? 1 : 2 ))
    before=$(cpu_ticks)
    line=$(wrk -t"$t" -c"$c" -d"${secs}s" -s "$here/serve/$kind.lua" "http://127.0.0.1:$port" | grep '^RESULT')
    ticks=$(( $(cpu_ticks) - before ))
    rps=$(sed 's/.*requests_per_s=\([0-9]*\).*/\1/' <<<"$line")
    p50=$(sed 's/.*p50_ms=\([0-9.]*\).*/\1/' <<<"$line")
    p99=$(sed 's/.*p99_ms=\([0-9.]*\).*/\1/' <<<"$line")
    p999=$(sed 's/.*p999_ms=\([0-9.]*\).*/\1/' <<<"$line")
    err=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$line")
    cpu=$(awk -v t="$ticks" -v hz="$hz" -v r="$rps" -v s="$secs" 'BEGIN { printf "%.1f", (r > 0 ? t / hz * 1e6 / (r * s) : 0) }')
    decisions=$(( rps * per ))
    [ "$kind" = healthz ] && decisions=0
    echo "| $kind${per:+ ×$per} | $c | $rps | $decisions | $p50 | $p99 | $p999 | $err | $cpu |"
  done
done
