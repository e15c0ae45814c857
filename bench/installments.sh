#!/usr/bin/env bash
# Issue 13: the credit officer's overdue list at 100,000 plans (target p50 < 10 ms) and
# recording payments at 4 connections (target >= 300/s, no errors). SQLite, and PostgreSQL when
# PG_ADMIN_URL is set (the same shop moved there with `tillpoint copy-database`). Appends a
# section to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-plans.XXXXXX)
SERVER_PID=""
stop() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"

TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
python3 bench/generate_plans.py "$WORK/tillpoint.sqlite3" 100000
FIRST_PLAN=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute('select min(p.id) from installment_plans p join orders o on o.id = p.order_id where o.idempotency_key like \"bench-plan-%\"').fetchone()[0])")
LAST_PLAN=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute('select max(id) from installment_plans').fetchone()[0])")
start() { # start [DATABASE_URL]
  env TILLPOINT_DATA_DIR="$WORK" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn TILLPOINT_WORKERS=2 \
      TILLPOINT_INSECURE_COOKIES=1 TILLPOINT_BACKUP_AT=off ${1:+DATABASE_URL="$1"} "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
  jar="$WORK/jar"; rm -f "$jar"
  t=$(curl -s -c "$jar" -b "$jar" "$URL/login" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" -o /dev/null --data "csrf_token=$t&username=credit&password=tillpoint-demo" "$URL/login"
  COOKIE="tillpoint_session=$(awk '$6=="tillpoint_session"{print $7}' "$jar")"
  TOKEN=$(curl -s -b "$jar" "$URL/installments" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
}
ROWS=""
row() { # row LABEL CONNECTIONS SCRIPT
  local out rps p50 p99 non2xx
  out=$(COOKIE="$COOKIE" TOKEN="$TOKEN" FIRST_PLAN="$FIRST_PLAN" LAST_PLAN="$LAST_PLAN" \
        wrk -t1 -c"$2" -d"${DURATION}s" --latency -s "$3" "$URL")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  ROWS+="| $1 | $2 | $rps | $p50 | $p99 | ${non2xx:-0} |"$'\n'
  echo "| $1 | $2 | $rps | $p50 | $p99 | ${non2xx:-0} |"
}
measure() { # measure BACKEND
  row "GET /installments?status=overdue, 100,003 plans ($1)" 1 bench/installment_list.lua
  row "GET /installments?status=overdue, 100,003 plans ($1)" 2 bench/installment_list.lua
  # A payment answers 303 (its receipt); wrk counts only 4xx/5xx as errors.
  row "POST /installments/{id}/payments, 1.00 on random plans ($1)" 4 bench/installment_payment.lua
}
start
measure SQLite
stop
PAID=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute('select count(*) from installment_payments').fetchone()[0])")
if [ -n "${PG_ADMIN_URL:-}" ]; then
  DBNAME="tillpoint_bench_plans_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" copy-database --to "$PG_URL" | tail -1
  start "$PG_URL"
  measure PostgreSQL
  stop
  PAID="$PAID on SQLite, $(psql "$PG_URL" -tAc 'select count(*) from installment_payments') on PostgreSQL (copied with the SQLite run's)"
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME WITH (FORCE)" >/dev/null || true
fi
{
  echo
  echo "## Instalments at 100,000 plans ($(date -u +%Y-%m-%d), \`PG_ADMIN_URL=… bash bench/installments.sh\`, 2 workers)"
  echo
  echo "| what | connections | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|"
  printf "%s" "$ROWS"
  echo
  echo "- payments recorded during the run: $PAID (each a conditional UPDATE of the plan, its dues, an OR number and an audit row, fsynced)."
  echo "- server errors in the log: $(grep -c ' 5[0-9][0-9] ' "$WORK/server.log" || true)"
} >> bench/RESULTS.md
tail -12 bench/RESULTS.md
