#!/usr/bin/env bash
# Issue 15: the cafe stats page, its top-items CSV (30 days, the page's default) and the
# reservations day view, against BILLS (default 1,000,000) closed bills over a year and four
# bookings a day per table (bench/generate_cafe.py). SQLite, and PostgreSQL when PG_ADMIN_URL
# is set. Also times the start-up that counts the daily summaries from the sales. wrk, 2
# threads, 4 connections, loopback, release build.
set -euo pipefail
cd "$(dirname "$0")/.."
BILLS="${BILLS:-1000000}"
DURATION="${DURATION:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-stats.XXXXXX)
source bench/lib.sh
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
GENERATED=$(python3 bench/generate_cafe.py "$WORK/tillpoint.sqlite3" "$BILLS")
echo "$GENERATED"
BRANCH=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute(\"select id from branches where code='CAFE'\").fetchone()[0])")
DAY=$(date -u +%Y-%m-%d)

measure() { # measure BACKEND
  ROWS+="| $1 | start-up (counts the summaries when needed) | — | ${STARTUP}s | — | — |"$'\n'
  row "$1" "stats page (5 figures, 4 charts)" "/cafe/stats?branch=$BRANCH"
  row "$1" "top 10 items, 30 days (CSV)" "/cafe/stats/top-items.csv?branch=$BRANCH"
  row "$1" "revenue by hour of one day (CSV)" "/cafe/stats/hours.csv?branch=$BRANCH"
  row "$1" "reservations day view" "/reservations?branch=$BRANCH&date=$DAY"
}
start
measure SQLite
stop
if [ -n "${PG_ADMIN_URL:-}" ]; then
  DBNAME="tillpoint_bench_stats_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" copy-database --to "$PG_URL" | tail -1
  # Counted again on PostgreSQL too, from its own copy of the sales.
  psql "$PG_URL" -qc "DELETE FROM cafe_daily_items; DELETE FROM cafe_daily_totals; DELETE FROM business_settings WHERE key = 'cafe.stats_time_zone'; ANALYZE" >/dev/null
  start "$PG_URL"
  measure PostgreSQL
  stop
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME WITH (FORCE)" >/dev/null || true
fi
{
  echo
  echo "## Cafe stats and bookings on $BILLS bills ($(date -u +%Y-%m-%d), \`PG_ADMIN_URL=… bash bench/stats.sh\`, 2 workers, wrk -t2 -c4 -d${DURATION}s)"
  echo
  echo "Data: $GENERATED."
  echo
  echo "| backend | request | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|"
  printf "%s" "$ROWS"
  echo
  echo "- server errors in the log: $(grep -c ' 5[0-9][0-9] ' "$WORK/server.log" || true)"
} >> bench/RESULTS.md
tail -16 bench/RESULTS.md
