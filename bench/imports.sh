#!/usr/bin/env bash
# Issue 14: a 10,000-row product file (CSV, then the same as XLSX) previewed and applied
# through the real pages (multipart upload, the spreadsheet gate, one transaction with an
# audit row per product), then the same file again (every row unchanged). SQLite, and
# PostgreSQL when PG_ADMIN_URL is set. Times are curl's, one request each, release build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS_N="${ROWS_N:-10000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-imports.XXXXXX)
SERVER_PID=""
stop() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
python3 bench/generate_import.py "$WORK/products" "$ROWS_N"
TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
cp "$WORK/tillpoint.sqlite3" "$WORK/pristine.sqlite3"

start() { # start [DATABASE_URL]
  env TILLPOINT_DATA_DIR="$WORK" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn TILLPOINT_WORKERS=2 \
      TILLPOINT_INSECURE_COOKIES=1 TILLPOINT_BACKUP_AT=off ${1:+DATABASE_URL="$1"} "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
  jar="$WORK/jar"; rm -f "$jar"
  t=$(curl -s -c "$jar" -b "$jar" "$URL/login" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" -o /dev/null --data "csrf_token=$t&username=manager&password=tillpoint-demo" "$URL/login"
  TOKEN=$(curl -s -b "$jar" "$URL/imports" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
}
ROWS=""
run() { # run BACKEND FILE LABEL
  local out id t_preview t_apply status
  out=$(curl -s -b "$jar" -w '\n%{http_code} %{time_total}' -F kind=products -F "file=@$2" "$URL/imports/preview?csrf_token=$TOKEN")
  t_preview=$(echo "$out" | tail -1 | awk '{print $2}')
  id=$(echo "$out" | grep -o 'action="/imports/[0-9]*/apply"' | grep -o '[0-9]*' | head -1)
  created=$(echo "$out" | grep -o 'data-count="created">[0-9]*' | grep -o '[0-9]*$')
  unchanged=$(echo "$out" | grep -o 'data-count="unchanged">[0-9]*' | grep -o '[0-9]*$')
  updated=$(echo "$out" | grep -o 'data-count="updated">[0-9]*' | grep -o '[0-9]*$')
  status=$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' --data "csrf_token=$TOKEN" "$URL/imports/$id/apply")
  t_apply=$(echo "$status" | awk '{print $2}')
  ROWS+="| $1 | $3 | $created | $updated | $unchanged | ${t_preview}s | ${t_apply}s (HTTP $(echo "$status" | awk '{print $1}')) |"$'\n'
  echo "| $1 | $3 | $created | $updated | $unchanged | ${t_preview}s | ${t_apply}s (HTTP $(echo "$status" | awk '{print $1}')) |"
}
measure() { # measure BACKEND
  run "$1" "$WORK/products.csv" "CSV, $ROWS_N new products"
  run "$1" "$WORK/products.xlsx" "the same as XLSX, every row unchanged"
  run "$1" "$WORK/products-repriced.csv" "CSV, every price changed"
}
start
measure SQLite
COUNT=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute(\"select count(*) from products where sku like 'IMP-%'\").fetchone()[0])")
stop
if [ -n "${PG_ADMIN_URL:-}" ]; then
  cp "$WORK/pristine.sqlite3" "$WORK/tillpoint.sqlite3"; rm -f "$WORK"/tillpoint.sqlite3-wal "$WORK"/tillpoint.sqlite3-shm
  DBNAME="tillpoint_bench_imports_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" copy-database --to "$PG_URL" | tail -1
  start "$PG_URL"
  measure PostgreSQL
  stop
  COUNT="$COUNT on SQLite, $(psql "$PG_URL" -tAc "select count(*) from products where sku like 'IMP-%'") on PostgreSQL"
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME WITH (FORCE)" >/dev/null || true
fi
{
  echo
  echo "## Catalogue import of $ROWS_N products ($(date -u +%Y-%m-%d), \`PG_ADMIN_URL=… bash bench/imports.sh\`, 2 workers)"
  echo
  echo "| backend | file | created | updated | unchanged | preview (upload, read, plan) | apply (read, plan again, write, commit) |"
  echo "|---|---|---|---|---|---|---|"
  printf "%s" "$ROWS"
  echo
  echo "- products imported: $COUNT; server errors in the log: $(grep -c ' 5[0-9][0-9] ' "$WORK/server.log" || true)"
} >> bench/RESULTS.md
tail -12 bench/RESULTS.md
