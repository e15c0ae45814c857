#!/usr/bin/env bash
# Retail benchmarks: a generated catalogue of 100,000 products and 1,000,000 past order lines.
# Scan, cash checkout (SQLite, and PostgreSQL when PG_ADMIN_URL is set), the sales list and the
# streamed sales export. Appends a section to bench/RESULTS.md. Loopback only, bounded runs.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-retail.XXXXXX)
SERVER_PID=""
stop() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
source bench/lib.sh # sign_in, open_shift (start and stop are this script's own)
trap 'stop; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # start DATA_DIR [DATABASE_URL]
  PORT=$(free_port); URL="http://127.0.0.1:$PORT"
  env TILLPOINT_DATA_DIR="$1" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn TILLPOINT_WORKERS=2 \
      TILLPOINT_INSECURE_COOKIES=1 ${2:+DATABASE_URL="$2"} "$BIN" serve >"$1/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start"; cat "$1/server.log"; exit 1
}

wrk_row() { # wrk_row NAME CONNECTIONS PATH [wrk args…]
  local name="$1" c="$2" path="$3"; shift 3
  local out rps p50 p99 non2xx errors
  out=$(COOKIE="$COOKIE" TOKEN="$TOKEN" wrk -t2 -c"$c" -d"${DURATION}s" --latency "$@" "$URL$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  errors=$(echo "$out" | awk '/Socket errors/ {print $0}')
  echo "| $name | $c | ${rps} | ${p50} | ${p99} | ${non2xx:-0}${errors:+ ($errors)} |" >> "$WORK/rows.md"
  echo "$name: $rps req/s, p50 $p50, p99 $p99, non-2xx ${non2xx:-0}"
}

# ---- SQLite --------------------------------------------------------------------------------------
mkdir -p "$WORK/sqlite"
TILLPOINT_DATA_DIR="$WORK/sqlite" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
GEN_START=$(date +%s)
GENERATED=$(python3 bench/generate.py sqlite "$WORK/sqlite/tillpoint.sqlite3")
echo "generated in $(( $(date +%s) - GEN_START ))s: $GENERATED"
start "$WORK/sqlite"
sign_in agent
open_shift
AGENT_COOKIE="$COOKIE"; AGENT_TOKEN="$TOKEN"
wrk_row "GET /pos/scan (random of 100k products)" 8 "/pos/scan?barcode=BX00000001" -s bench/scan.lua
wrk_row "POST /pos/checkout/cash, 3 lines (SQLite)" 4 "/pos/checkout/cash" -s bench/checkout.lua
sign_in manager
DAY=$(date -u -d '-45 days' +%F)
wrk_row "GET /sales one day, filtered (~4,400 orders that day)" 8 "/sales?from=$DAY&to=$DAY" -H "Cookie: $COOKIE"
wrk_row "GET /sales one day + customer filter" 8 "/sales?from=$DAY&to=$DAY&customer=ana&status=completed" -H "Cookie: $COOKIE"
SALES_PAGE=$(curl -s -H "Cookie: $COOKIE" "$URL/sales?from=$DAY&to=$DAY")
case "$SALES_PAGE" in *"sale(s)"*) ;; *) echo "the sales page did not render for the benchmark"; exit 1 ;; esac
RSS_BEFORE=$(awk '/VmRSS/ {print $2}' /proc/$SERVER_PID/status)
EXPORT_START=$(date +%s.%N)
EXPORT_LINES=$(curl -s -H "Cookie: $COOKIE" "$URL/sales/export.csv?from=&to=" | wc -l)
EXPORT_S=$(echo "$(date +%s.%N) - $EXPORT_START" | bc)
RSS_PEAK=$(awk '/VmHWM/ {print $2}' /proc/$SERVER_PID/status)
ORDERS_AFTER=$(python3 -c "import sqlite3; db=sqlite3.connect('$WORK/sqlite/tillpoint.sqlite3'); print(db.execute('select count(*) from orders o where not exists (select 1 from payments p where p.order_id=o.id) or not exists (select 1 from official_receipts r where r.order_id=o.id)').fetchone()[0])")
stop

# ---- PostgreSQL (optional) ----------------------------------------------------------------------
PG_NOTE="PostgreSQL: not measured (set PG_ADMIN_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)."
if [ -n "${PG_ADMIN_URL:-}" ]; then
  DBNAME="tillpoint_bench_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  mkdir -p "$WORK/pg"
  TILLPOINT_DATA_DIR="$WORK/pg" TILLPOINT_LOG=warn DATABASE_URL="$PG_URL" "$BIN" demo >/dev/null
  psql "$PG_URL" -q -f bench/pg_catalogue.sql >/dev/null
  start "$WORK/pg" "$PG_URL"
  sign_in agent
  open_shift
  wrk_row "GET /pos/scan (PostgreSQL)" 8 "/pos/scan?barcode=BX00000001" -s bench/scan.lua
  wrk_row "POST /pos/checkout/cash, 3 lines (PostgreSQL)" 4 "/pos/checkout/cash" -s bench/checkout.lua
  stop
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME" >/dev/null || true
  PG_NOTE="PostgreSQL 15 (local server, default settings) rows are marked above."
fi

{
  echo
  echo "## Retail (issue 4)"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with \`bash bench/retail.sh\` (release build, 2 workers, wrk -t2 on the same"
  echo "2-core machine). Data: demo data + $GENERATED (\`bench/generate.py\`)."
  echo
  echo "| what | connections | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|"
  cat "$WORK/rows.md"
  echo
  echo "- \`/sales/export.csv\` of every sale: $((EXPORT_LINES - 1)) lines streamed in ${EXPORT_S}s; server RSS ${RSS_BEFORE} kB before, peak ${RSS_PEAK} kB."
  echo "- Orders without payment or receipt after the checkout run: ${ORDERS_AFTER}."
  echo "- $PG_NOTE"
  echo "- wrk's p99 for writes includes its coordinated-omission correction (see machine-limits.md)."
} >> bench/RESULTS.md
tail -20 bench/RESULTS.md
