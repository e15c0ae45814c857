#!/usr/bin/env bash
# Issue 17: the JSON API. GET /api/menu/ (anonymous, wrk c=8), POST /api/sessions/{t}/ (a
# waiter's token, wrk c=4, orders spread over the branch's tables, each bill paid after PER_BILL
# orders, default 10; PER_BILL=0 lets the bills grow for the whole run) and GET /api/stats/top_items/ over a year with BILLS (default 1,000,000) closed bills
# (bench/generate_cafe.py), on SQLite and, when PG_ADMIN_URL is set, PostgreSQL. Release
# build, 2 workers, loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
BILLS="${BILLS:-1000000}"
DURATION="${DURATION:-10}"
export PER_BILL="${PER_BILL:-10}" THREADS=2
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-api.XXXXXX)
source bench/lib.sh
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
GENERATED=$(python3 bench/generate_cafe.py "$WORK/tillpoint.sqlite3" "$BILLS")
echo "$GENERATED"
q() { python3 -c "import sqlite3; print(' '.join(str(r[0]) for r in sqlite3.connect('$WORK/tillpoint.sqlite3').execute(\"$1\")))"; }
BRANCH=$(q "select id from branches where code='CAFE'")
export BRANCH
export TABLES; TABLES=$(q "select number from cafe_tables where branch_id=$BRANCH and is_active and status <> 'maintenance'")
export ITEMS; ITEMS=$(q "select id from menu_items where branch_id=$BRANCH and is_active and in_stock and id not in (select menu_item_id from menu_item_modifier_groups)")
FROM=$(date -u -d '-364 days' +%Y-%m-%d); TO=$(date -u +%Y-%m-%d)

api_token() { # api_token USERNAME
  curl -sf -H 'Content-Type: application/json' \
    --data "{\"username\":\"$1\",\"password\":\"tillpoint-demo\"}" "$URL/api/auth/login/" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

wrk_row() { # wrk_row BACKEND NAME CONNECTIONS PATH [HEADER] [SCRIPT]
  local out rps p50 p99 non2xx extra=""
  local threads=2; [ "$3" -lt 2 ] && threads=1
  out=$(wrk -t"$threads" -c"$3" -d"${DURATION}s" --latency ${5:+-H "$5"} ${6:+-s "$6"} "$URL$4")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -n "${6:-}" ] && extra=" ($(echo "$out" | grep accepted))"
  ROWS+="| $1 | $2$extra | $3 | $rps | $p50 | $p99 | ${non2xx:-0} |"$'\n'
  echo "| $1 | $2$extra | $3 | $rps | $p50 | $p99 | ${non2xx:-0} |"
}

close_all() { # every open bill of the branch, so each run starts from short bills
  local t
  for t in $TABLES; do
    curl -s -o /dev/null -H "Authorization: Token $WAITER" -H 'Content-Type: application/json' \
      --data '{"payment_method":"cash"}' "$URL/api/sessions/$t/close/?branch=$BRANCH"
  done
}

measure() { # measure BACKEND
  MANAGER=$(api_token manager); WAITER=$(api_token waiter); export TOKEN="$WAITER"
  wrk_row "$1" "GET /api/menu/ (anonymous)" 8 "/api/menu/?branch=$BRANCH"
  close_all
  wrk_row "$1" "POST /api/sessions/{t}/ (one item; bills paid every $PER_BILL orders)" 4 "/api/sessions/" "" bench/api_order.lua
  close_all
  wrk_row "$1" "GET /api/stats/top_items/ (one year)" 1 "/api/stats/top_items/?branch=$BRANCH&date_from=$FROM&date_to=$TO" "Authorization: Token $MANAGER"
  wrk_row "$1" "GET /api/stats/top_items/ (30 days)" 1 "/api/stats/top_items/?branch=$BRANCH" "Authorization: Token $MANAGER"
}
start
measure SQLite
stop
if [ -n "${PG_ADMIN_URL:-}" ]; then
  DBNAME="tillpoint_bench_api_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" copy-database --to "$PG_URL" | tail -1
  psql "$PG_URL" -qc "ANALYZE" >/dev/null
  start "$PG_URL"
  measure PostgreSQL
  stop
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME WITH (FORCE)" >/dev/null || true
fi
{
  echo
  echo "## JSON API on $BILLS bills ($(date -u +%Y-%m-%d), \`PG_ADMIN_URL=… bash bench/api.sh\`, 2 workers, wrk -t2 -d${DURATION}s)"
  echo
  echo "Data: $GENERATED. Targets (issue 17): menu ≥ 10,000 req/s at 8 connections; orders ≥ 300/s at 4 with zero errors; top items < 50 ms with 1,000,000 sales."
  echo
  echo "| backend | request | connections | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|---|"
  printf "%s" "$ROWS"
  echo
  echo "- server errors in the log: $(grep -c ' 5[0-9][0-9] ' "$WORK/server.log" || true)"
} >> bench/RESULTS.md
tail -14 bench/RESULTS.md
