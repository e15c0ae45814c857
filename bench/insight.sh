#!/usr/bin/env bash
# Issue 16: the manager's dashboard (every branch, and one) and reports (30 days, a year) against a generated catalogue of
# 100,000 products with stock and LINES (default 1,000,000) retail order lines over 90 days
# (bench/generate.py), plus the demo's cafe. SQLite, and PostgreSQL when PG_ADMIN_URL is set.
# Also times the start-up that counts the daily sales summary from the orders. wrk, 2
# threads, 4 connections, loopback, release build.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${LINES:-1000000}"
DURATION="${DURATION:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-insight.XXXXXX)
SERVER_PID=""
stop() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
python3 bench/generate.py sqlite "$WORK/tillpoint.sqlite3" 100000 "$LINES"
BRANCH=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute(\"select id from branches where code='MNL'\").fetchone()[0])")
DATA=$(python3 -c "import sqlite3; d=sqlite3.connect('$WORK/tillpoint.sqlite3'); print(d.execute('select count(*) from order_items').fetchone()[0], 'order lines in', d.execute('select count(*) from orders').fetchone()[0], 'orders,', d.execute('select count(*) from branch_stock').fetchone()[0], 'stock rows')")

start() { # start [DATABASE_URL] → STARTUP (seconds until /healthz answers)
  local t0; t0=$(date +%s.%N)
  env TILLPOINT_DATA_DIR="$WORK" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn TILLPOINT_WORKERS=2 \
      TILLPOINT_INSECURE_COOKIES=1 TILLPOINT_BACKUP_AT=off ${1:+DATABASE_URL="$1"} "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 6000); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
  STARTUP=$(echo "$(date +%s.%N) - $t0" | bc)
  jar="$WORK/jar"; rm -f "$jar"
  local t; t=$(curl -s -c "$jar" -b "$jar" "$URL/login" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" -o /dev/null --data "csrf_token=$t&username=manager&password=tillpoint-demo" "$URL/login"
  COOKIE="tillpoint_session=$(awk '$6=="tillpoint_session"{print $7}' "$jar")"
}
ROWS=""
row() { # row BACKEND NAME PATH
  local out rps p50 p99 non2xx
  out=$(wrk -t2 -c4 -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "$URL$3")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  ROWS+="| $1 | $2 | $rps | $p50 | $p99 | ${non2xx:-0} |"$'\n'
  echo "| $1 | $2 | $rps | $p50 | $p99 | ${non2xx:-0} |"
}
measure() { # measure BACKEND
  ROWS+="| $1 | start-up (counts the daily summaries when needed) | — | ${STARTUP}s | — | — |"$'\n'
  row "$1" "dashboard, every branch" "/dashboard"
  row "$1" "dashboard, one branch" "/dashboard?branch_id=$BRANCH"
  row "$1" "reports, last 30 days (default)" "/reports"
  row "$1" "reports, one year, every branch" "/reports?from=$YEAR_AGO&to=$TODAY"
  row "$1" "reports, one year, one branch" "/reports?from=$YEAR_AGO&to=$TODAY&branch_id=$BRANCH"
  row "$1" "reports CSV, top products of a year" "/reports/products.csv?from=$YEAR_AGO&to=$TODAY"
}
TODAY=$(TZ=Asia/Manila date +%F)
YEAR_AGO=$(TZ=Asia/Manila date -d "$TODAY - 364 days" +%F)
start
measure SQLite
stop
if [ -n "${PG_ADMIN_URL:-}" ]; then
  DBNAME="tillpoint_bench_insight_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" copy-database --to "$PG_URL" | tail -1
  # As after a bulk load in a real shop once autovacuum has run: the planner's statistics and
  # the visibility map (which index-only counts need) are up to date.
  psql "$PG_URL" -q -c "DELETE FROM retail_daily_totals; DELETE FROM business_settings WHERE key = 'retail.stats_time_zone'" -c "VACUUM ANALYZE" >/dev/null
  start "$PG_URL"
  measure PostgreSQL
  stop
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME WITH (FORCE)" >/dev/null || true
fi
{
  echo
  echo "## Manager dashboard and reports on $LINES order lines ($(date -u +%Y-%m-%d), \`PG_ADMIN_URL=… bash bench/insight.sh\`, 2 workers, wrk -t2 -c4 -d${DURATION}s)"
  echo
  echo "Data: $DATA."
  echo
  echo "| backend | request | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|"
  printf "%s" "$ROWS"
  echo
  echo "- server errors in the log: $(grep -c ' 5[0-9][0-9] ' "$WORK/server.log" || true)"
} >> bench/RESULTS.md
tail -12 bench/RESULTS.md
