#!/usr/bin/env bash
# Issue 19: tillpoint beside the machine's own limit, in one run. The limit is the minimal
# actix-web + SQLite server in ../shared/limit (LIMIT_DIR): no sessions, no CSRF, no audit.
# Both get the same generated data (demo + 100,000 products + 200,000 order lines) and the same
# work, alternating limit / tillpoint ROUNDS times (the best run of each side counts, so the
# machine's noise hits both alike), wrk -t2, DURATION seconds each. Unlike
# ../shared/limit/compare.sh, the seller opens a shift first: tillpoint refuses a sale without
# one, so compare.sh's checkout row measures refusals.
# Then, on tillpoint alone: the latency of a sale with a closed-loop client
# (bench/closed_loop.py: 4 clients, each sends the next sale when the last is answered) and the
# WAL's size after it, the guest's JSON menu, peak memory; and with PG_ADMIN_URL set the same
# paths on PostgreSQL and two instances sharing one PostgreSQL database.
#   bash bench/limit.sh                         (SQLite; DURATION=10 ROUNDS=2)
#   PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres bash bench/limit.sh
# Prints a markdown section; with WRITE=1 it is also appended to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-2}"
LIMIT_DIR="${LIMIT_DIR:-../shared/limit}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-limit.XXXXXX)
BASE_WORK="$WORK"
source bench/lib.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
LIMIT_PID=""; SECOND_PID=""; PG_DB=""
cleanup() {
  stop
  [ -n "$LIMIT_PID" ] && kill "$LIMIT_PID" 2>/dev/null
  [ -n "$SECOND_PID" ] && kill "$SECOND_PID" 2>/dev/null
  [ -n "$PG_DB" ] && psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$BASE_WORK"
}
trap cleanup EXIT

# ---- the limit server ---------------------------------------------------------------------
LIMIT_URL=""
if [ -f "$LIMIT_DIR/Cargo.toml" ]; then
  (cd "$LIMIT_DIR" && CARGO_TARGET_DIR="${LIMIT_TARGET:-$HOME/.cache/tillpoint-limit-target}" cargo build --release --quiet)
  LPORT=$(free_port)
  (cd "$LIMIT_DIR" && DB="$WORK/limit.db" PORT=$LPORT exec "${LIMIT_TARGET:-$HOME/.cache/tillpoint-limit-target}/release/limit") >"$WORK/limit.log" 2>&1 &
  LIMIT_PID=$!
  LIMIT_URL="http://127.0.0.1:$LPORT"
  for _ in $(seq 1 300); do curl -sf "$LIMIT_URL/plain" >/dev/null && break; sleep 0.2; done
fi

# ---- tillpoint on SQLite ------------------------------------------------------------------
TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
python3 bench/generate.py sqlite "$WORK/tillpoint.sqlite3" 100000 200000 >/dev/null
# Receipt numbers issued by the benchmark's sales follow these (generated history has its own).
NUMBERED=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute('select coalesce(max(number), 0) from official_receipts where branch_id = (select id from branches where code = \'MNL\')').fetchone()[0])")
start

guest_cookie() { # the first table's QR link, scanned by a guest → GUEST_PATH, GUEST_COOKIE
  sign_in manager
  GUEST_PATH=$(curl -s -H "Cookie: $COOKIE" "$URL/tables/qr-sheet" | grep -oE '/t/[A-Za-z0-9_-]{8,}' | head -1)
  local jar="$WORK/guest"; rm -f "$jar"
  curl -s -c "$jar" -b "$jar" -o /dev/null "$URL$GUEST_PATH"
  GUEST_COOKIE=$(awk 'NF>=7 && $1 !~ /^#/ {printf "%s=%s; ", $6, $7}' "$jar")
}

measure() { # measure C URL [script] [header] → "req/s p50 p99 non2xx"
  COOKIE="$COOKIE" TOKEN="$TOKEN" wrk -t2 -c"$1" -d"${DURATION}s" --latency ${3:+-s "$3"} ${4:+-H "$4"} "$2" 2>&1 | awk \
    '/Requests\/sec/{r=$2} $1=="50%"{a=$2} $1=="99%"{b=$2} /Non-2xx/{e=$NF} END{printf "%s %s %s %s", r, a, b, (e==""?0:e)}'
}
best() { # best "A" "B" → the result with more req/s
  if python3 -c "import sys; sys.exit(0 if float('${1%% *}' or 0) >= float('${2%% *}' or 0) else 1)"; then echo "$1"; else echo "$2"; fi
}
ratio() { python3 -c "print(round(100*float('$1')/float('$2'), 1) if float('$2') else '—')"; }

TABLE=""
side_by_side() { # NAME TARGET% C LIMIT_PATH LIMIT_SCRIPT TP_PATH TP_SCRIPT [TP_HEADER]
  local name="$1" target="$2" c="$3" lpath="$4" lscript="$5" tpath="$6" tscript="$7" theader="${8:-}"
  local L="0 - - 0" T="0 - - 0" r
  for _ in $(seq 1 "$ROUNDS"); do
    [ -n "$LIMIT_URL" ] && L=$(best "$L" "$(measure "$c" "$LIMIT_URL$lpath" "$lscript")")
    T=$(best "$T" "$(measure "$c" "$URL$tpath" "$tscript" "$theader")")
  done
  set -- $L $T
  if [ -n "$LIMIT_URL" ]; then
    r=$(ratio "$5" "$1")
    local verdict="met"; python3 -c "import sys; sys.exit(0 if $r >= $target else 1)" || verdict="not met"
    TABLE+="| $name | $1 | $5 | $6 | $7 | $8 | **$r %** | ≥ $target % ($verdict) |"$'\n'
  else
    TABLE+="| $name | — | $5 | $6 | $7 | $8 | — | ≥ $target % |"$'\n'
  fi
  echo "$name: limit $1/s, tillpoint $5/s (p50 $6, p99 $7, non-2xx $8)"
}

guest_cookie
sign_in agent
open_shift
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
side_by_side "barcode scan, 100k products, c=8" 50 8 "/scan?barcode=2000000000001" "$LIMIT_DIR/scan.lua" \
  "/pos/scan?barcode=BX00000001" bench/scan.lua
side_by_side "guest menu page vs. an 11 KB askama page, c=8" 30 8 "/page" "" "$GUEST_PATH" "" "Cookie: $GUEST_COOKIE"
side_by_side "cash checkout, 3 lines, c=4, durable" 50 4 "/checkout" "$LIMIT_DIR/checkout.lua" \
  "/pos/checkout/cash" bench/checkout.lua
side_by_side "/healthz vs. plain text, c=8" 70 8 "/plain" "" "/healthz" ""
API_MENU=$(measure 8 "$URL/api/menu/")
session_orders() { # POST /api/sessions/{t}/ by a waiter's token, each bill paid after 10 orders → SESSION_ORDERS
  local pyq="import sqlite3,sys; print(' '.join(str(r[0]) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))"
  local db="$1" pg="${2:-}"
  if [ -n "$pg" ]; then sq() { psql "$pg" -tAc "$1" | paste -sd' '; }; else sq() { python3 -c "$pyq" "$db" "$1"; }; fi
  export BRANCH TABLES ITEMS PER_BILL=10 THREADS=2
  BRANCH=$(sq "select id from branches where code='CAFE'")
  TABLES=$(sq "select number from cafe_tables where branch_id=$BRANCH and is_active and status <> 'maintenance' order by number")
  ITEMS=$(sq "select id from menu_items where branch_id=$BRANCH and is_active and in_stock and id not in (select menu_item_id from menu_item_modifier_groups)")
  local api_token; api_token=$(curl -sf -H 'Content-Type: application/json' --data '{"username":"waiter","password":"tillpoint-demo"}' \
    "$URL/api/auth/login/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local t
  for t in $TABLES; do # every bill starts empty
    curl -s -o /dev/null -H "Authorization: Token $api_token" -H 'Content-Type: application/json' \
      --data '{"payment_method":"cash"}' "$URL/api/sessions/$t/close/?branch=$BRANCH"
  done
  local out; out=$(TOKEN="$api_token" wrk -t2 -c4 -d"${DURATION}s" --latency -s bench/api_order.lua "$URL/api/sessions/")
  SESSION_ORDERS="$(echo "$out" | grep -oE 'orders: [0-9]+ \([0-9.]+/s\)') and $(echo "$out" | grep -oE 'closes: [0-9]+') bills paid, $(echo "$out" | awk '/Requests\/sec/ {print $2}') requests/s, p50 $(echo "$out" | awk '$1=="50%" {print $2}'), p99 $(echo "$out" | awk '$1=="99%" {print $2}'), refused $(echo "$out" | grep -oE 'refused: [0-9]+' | cut -d' ' -f2)"
  echo "session orders: $SESSION_ORDERS"
}
session_orders "$WORK/tillpoint.sqlite3"
SQLITE_SESSION_ORDERS="$SESSION_ORDERS"

# The latency of a sale as a till sees it, and the WAL it leaves.
LOOP=$(COOKIE="$COOKIE" TOKEN="$TOKEN" python3 bench/closed_loop.py "$URL" --clients 4 --seconds "$DURATION")
WAL_KB=$(( $(stat -c %s "$WORK/tillpoint.sqlite3-wal" 2>/dev/null || echo 0) / 1024 ))
sign_in manager
METRICS=$(curl -s -H "Cookie: $COOKIE" "$URL/metrics")
WAL_METRIC=$(echo "$METRICS" | awk '/^tillpoint_sqlite_wal_bytes/ {print $2}')
RSS_SQLITE=$(awk '/VmHWM/ {print $2}' /proc/$SERVER_PID/status)
SALES=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute(\"select count(*) from orders where shift_id in (select id from shifts where closed_at is null)\").fetchone()[0])")
GAPS=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/tillpoint.sqlite3').execute('select coalesce(max(number), $NUMBERED) - $NUMBERED - count(*) from official_receipts where branch_id = (select id from branches where code = \'MNL\') and number > $NUMBERED').fetchone()[0])")
RSS_ANON=$(awk '/RssAnon/ {print $2}' /proc/$SERVER_PID/status)
RSS_FILE=$(awk '/RssFile/ {print $2}' /proc/$SERVER_PID/status)
stop
LIMIT_RSS="—"; [ -n "$LIMIT_PID" ] && LIMIT_RSS=$(awk '/VmHWM/ {print $2}' /proc/$LIMIT_PID/status)

# ---- PostgreSQL: the same paths, then two instances on one database -----------------------
PG_TABLE=""
if [ -n "${PG_ADMIN_URL:-}" ]; then
  PG_DB="tillpoint_limit_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$PG_DB"
  mkdir -p "$WORK/pg"
  TILLPOINT_DATA_DIR="$WORK/pg" TILLPOINT_LOG=warn DATABASE_URL="$PG_URL" "$BIN" demo >/dev/null
  psql "$PG_URL" -q -f bench/pg_catalogue.sql >/dev/null
  WORK_SQLITE="$WORK"; WORK="$WORK/pg"
  start "$PG_URL"
  guest_cookie
  sign_in agent
  open_shift
  pg_row() { # NAME C PATH [script] [header]
    local r; r=$(measure "$2" "$URL$3" "${4:-}" "${5:-}"); set -- "$1" "$2" $r
    PG_TABLE+="| PostgreSQL | $1 | $2 | $3 | $4 | $5 | $6 |"$'\n'; echo "PostgreSQL $1: $3/s"
  }
  pg_row "barcode scan, c=8" 8 "/pos/scan?barcode=BX00000001" bench/scan.lua
  pg_row "guest menu page, c=8" 8 "$GUEST_PATH" "" "Cookie: $GUEST_COOKIE"
  pg_row "cash checkout, 3 lines, c=4" 4 "/pos/checkout/cash" bench/checkout.lua
  pg_row "/healthz, c=8" 8 "/healthz"
  session_orders "" "$PG_URL"
  PG_SESSION_ORDERS="$SESSION_ORDERS"
  ONE=$(measure 4 "$URL/pos/checkout/cash" bench/checkout.lua)
  # A second instance on the same database: each gets half the tills.
  PORT2=$(free_port)
  env TILLPOINT_DATA_DIR="$WORK" TILLPOINT_ADDR="127.0.0.1:$PORT2" TILLPOINT_LOG=warn TILLPOINT_WORKERS=2 \
    TILLPOINT_INSECURE_COOKIES=1 TILLPOINT_BACKUP_AT=off DATABASE_URL="$PG_URL" "$BIN" serve >>"$WORK/server2.log" 2>&1 &
  SECOND_PID=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT2/healthz" >/dev/null && break; sleep 0.1; done
  COOKIE="$COOKIE" TOKEN="$TOKEN" wrk -t1 -c2 -d"${DURATION}s" -s bench/checkout.lua "http://127.0.0.1:$PORT2/pos/checkout/cash" >"$WORK/second.txt" 2>&1 &
  W2=$!
  A=$(measure 2 "$URL/pos/checkout/cash" bench/checkout.lua)
  wait $W2 || true
  B_RPS=$(awk '/Requests\/sec/ {print $2}' "$WORK/second.txt")
  B_ERR=$(awk '/Non-2xx/ {print $NF}' "$WORK/second.txt")
  TWO=$(python3 -c "print(round(float('${A%% *}') + float('${B_RPS:-0}'), 2))")
  # Instalment payments take their official-receipt numbers from the same sequence.
  PG_GAPS=$(psql "$PG_URL" -tAc "select coalesce(sum(c), 0) from (select (max(number) - min(number) + 1) - count(*) as c from (select branch_id, number from official_receipts union all select branch_id, number from installment_payments) n group by branch_id) g")
  set -- $ONE
  PG_TABLE+="| PostgreSQL | cash checkout, one instance (again, just before the next row) | 4 | $1 | $2 | $3 | $4 |"$'\n'
  set -- $A
  PG_TABLE+="| PostgreSQL | cash checkout, two instances on one database, 2 clients each | 4 | $TWO | — | — | $(( $4 + ${B_ERR:-0} )) |"$'\n'
  kill "$SECOND_PID" 2>/dev/null; SECOND_PID=""
  stop
  WORK="$WORK_SQLITE"
fi

SECTION=$(
  echo "## Beside the machine's limit ($(date -u '+%Y-%m-%d'), \`bash bench/limit.sh\`, 2 workers, wrk -t2 -d${DURATION}s, best of $ROUNDS alternating runs)"
  echo
  echo "Data: demo + 100,000 products + 200,000 order lines on both servers; load before: $LOAD_BEFORE."
  echo
  echo "| work | limit req/s | tillpoint req/s | p50 | p99 | non-2xx | ratio | target |"
  echo "|---|---|---|---|---|---|---|---|"
  printf "%s" "$TABLE"
  echo
  echo "- A sale's latency, closed loop (\`bench/closed_loop.py\`, 4 clients, cash, 3 lines, SQLite): $LOOP (ms); target p99 < 10 ms."
  echo "- WAL after the run: $WAL_KB KiB on disk (\`/metrics\` tillpoint_sqlite_wal_bytes: ${WAL_METRIC:-?}); $SALES sales in the seller's shift; missing receipt numbers: $GAPS."
  echo "- \`GET /api/menu/\`, c=8: ${API_MENU%% *} req/s (target ≥ 10,000; non-2xx ${API_MENU##* })."
  echo "- The seed's session order endpoint \`POST /api/sessions/{t}/\` (a waiter's token, one item, c=4, each table's bill paid in cash after 10 orders): $SQLITE_SESSION_ORDERS (target ≥ 1,000 orders/s, zero errors)."
  echo "- Peak RSS after the whole SQLite run: tillpoint $RSS_SQLITE kB, limit $LIMIT_RSS kB (target < 60 MiB). tillpoint's resident memory at the end: $RSS_ANON kB of its own (heap, caches) and $RSS_FILE kB of mapped files (the binary, and database pages read through \`mmap_size\`, shared with the OS page cache)."
  if [ -n "$PG_TABLE" ]; then
    echo
    echo "| backend | work | c | req/s | p50 | p99 | non-2xx |"
    echo "|---|---|---|---|---|---|---|"
    printf "%s" "$PG_TABLE"
    echo
    echo "- Two instances: missing receipt numbers on PostgreSQL after both: $PG_GAPS."
    echo "- Session orders on PostgreSQL (as above): $PG_SESSION_ORDERS."
  fi
)
echo
echo "$SECTION"
if [ "${WRITE:-}" = 1 ]; then { echo; echo "$SECTION"; } >> bench/RESULTS.md; fi
