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
source bench/lib.sh
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
python3 bench/generate.py sqlite "$WORK/tillpoint.sqlite3" 100000 "$LINES"
BRANCH=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute(\"select id from branches where code='MNL'\").fetchone()[0])")
DATA=$(python3 -c "import sqlite3; d=sqlite3.connect('$WORK/tillpoint.sqlite3'); print(d.execute('select count(*) from order_items').fetchone()[0], 'order lines in', d.execute('select count(*) from orders').fetchone()[0], 'orders,', d.execute('select count(*) from branch_stock').fetchone()[0], 'stock rows')")

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
