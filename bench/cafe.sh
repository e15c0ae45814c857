#!/usr/bin/env bash
# Cafe benchmarks (issue 5): the guest's menu page, guests placing orders, waiters closing
# bills. Demo data (27 menu items, 12 tables) on SQLite, and on PostgreSQL when PG_ADMIN_URL
# is set. Appends a section to bench/RESULTS.md. Loopback only, bounded runs.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-cafe.XXXXXX)
SERVER_PID=""
stop() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
trap 'stop; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # start DATA_DIR [DATABASE_URL]
  PORT=$(free_port); URL="http://127.0.0.1:$PORT"
  # 127.0.0.1 is a trusted proxy here so that each benchmark request can be a different guest.
  env TILLPOINT_DATA_DIR="$1" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn TILLPOINT_WORKERS=2 \
      TILLPOINT_INSECURE_COOKIES=1 TILLPOINT_TRUSTED_PROXIES=127.0.0.1 ${2:+DATABASE_URL="$2"} "$BIN" serve >"$1/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start"; cat "$1/server.log"; exit 1
}

wrk_row() { # wrk_row NAME CONNECTIONS PATH [wrk args…]
  local name="$1" c="$2" path="$3"; shift 3
  local out rps p50 p99 non2xx extra
  out=$(COOKIE="$COOKIE" CSRF="$CSRF" TOKENS="$TOKENS" ITEMS="$ITEMS" wrk -t2 -c"$c" -d"${DURATION}s" --latency "$@" "$URL$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  extra=$(echo "$out" | grep -E '^accepted:' || true)
  echo "| $name | $c | ${rps} | ${p50} | ${p99} | ${extra:-non-2xx ${non2xx:-0}} |" >> "$WORK/rows.md"
  echo "$name: $rps req/s, p50 $p50, p99 $p99 ${extra:-non-2xx ${non2xx:-0}}"
}

guest_setup() { # reads table tokens and item ids through the pages, as a guest would
  local jar="$WORK/guest-jar"; rm -f "$jar"
  TOKENS=$(for n in $(seq 1 12); do echo "$1" | awk -v n="$n" '$1==n {print $2}'; done | tr '\n' ' ')
  local first=${TOKENS%% *}
  local page
  page=$(curl -s -c "$jar" -b "$jar" "$URL/t/$first")
  CSRF=$(echo "$page" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
  COOKIE="tillpoint_session=$(awk '$6=="tillpoint_session"{print $7}' "$jar")"
  # Items without options (a coffee asks for its size: an order naming none is refused).
  local asks; asks=$(echo "$page" | grep -o 'name="mod_[0-9]*_' | grep -o '[0-9]*' | sort -u)
  ITEMS=$(echo "$page" | grep -o 'name="qty_[0-9]*"' | grep -o '[0-9]*' | grep -vxF -f <(echo "${asks:-none}") | tr '\n' ' ')
  GUEST_PATH="/t/$first"
  case "$page" in *"Place order"*) ;; *) echo "the guest page did not render"; exit 1 ;; esac
}

run_all() { # run_all LABEL TABLES
  guest_setup "$2"
  wrk_row "GET /t/{token}, 28-item menu, returning browser ($1)" 8 "$GUEST_PATH" -H "Cookie: $COOKIE"
  wrk_row "POST /t/{token}/order, 2 lines, a new guest each ($1)" 4 "/t/x/order" -s bench/guest_order.lua
  CLOSE=$(python3 bench/close_sessions.py "$URL" 300)
  echo "| closing a bill (2 lines), one at a time ($1) | 1 | | ${CLOSE#*: } | | |" >> "$WORK/rows.md"
  echo "close ($1): $CLOSE"
  SHARE=$(python3 bench/close_sessions.py "$URL" 100 3)
  echo "| sharing a bill evenly among 3, one at a time ($1) | 1 | | $(echo "$SHARE" | head -1 | sed 's/^[^:]*: //') | | |" >> "$WORK/rows.md"
  echo "| closing one share of it, one at a time ($1) | 1 | | $(echo "$SHARE" | tail -1 | sed 's/^[^:]*: //') | | |" >> "$WORK/rows.md"
  echo "shares ($1): $SHARE"
}

# ---- SQLite -------------------------------------------------------------------------------------
mkdir -p "$WORK/sqlite"
TILLPOINT_DATA_DIR="$WORK/sqlite" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
TABLES=$(python3 -c "import sqlite3; db=sqlite3.connect('$WORK/sqlite/tillpoint.sqlite3'); print('\n'.join(f'{n} {t}' for n, t in db.execute('select number, token from cafe_tables order by number')))")
start "$WORK/sqlite"
run_all SQLite "$TABLES"
TICKETS=$(python3 -c "import sqlite3; db=sqlite3.connect('$WORK/sqlite/tillpoint.sqlite3'); print(db.execute('select count(*) from kitchen_tickets').fetchone()[0], db.execute('select count(*) from kitchen_tickets t where not exists (select 1 from cafe_session_lines l where l.ticket_id = t.id)').fetchone()[0])")
stop

# ---- PostgreSQL (optional) ----------------------------------------------------------------------
PG_NOTE="PostgreSQL: not measured (set PG_ADMIN_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)."
if [ -n "${PG_ADMIN_URL:-}" ]; then
  DBNAME="tillpoint_bench_cafe_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  mkdir -p "$WORK/pg"
  TILLPOINT_DATA_DIR="$WORK/pg" TILLPOINT_LOG=warn DATABASE_URL="$PG_URL" "$BIN" demo >/dev/null
  TABLES=$(psql "$PG_URL" -Atc "select number || ' ' || token from cafe_tables order by number")
  start "$WORK/pg" "$PG_URL"
  run_all PostgreSQL "$TABLES"
  stop
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME" >/dev/null || true
  PG_NOTE="PostgreSQL 15 (local server, default settings) rows are marked above."
fi

{
  echo
  echo "## Cafe (issue 5)"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with \`bash bench/cafe.sh\` (release build, 2 workers, wrk -t2 on the same"
  echo "2-core machine; demo data: 28 menu items (4 coffees with Size, Milk and Extras), a Bar station, 12 tables). Orders: every request is a new guest (address forwarded"
  echo "by a trusted proxy), at a random table, two random items; \"accepted\" counts 303 answers, \"refused\" everything else."
  echo
  echo "| what | connections | req/s | p50 | p99 | result |"
  echo "|---|---|---|---|---|---|"
  cat "$WORK/rows.md"
  echo
  echo "- SQLite after the order run: kitchen tickets, tickets without lines = ${TICKETS}."
  echo "- $PG_NOTE"
  echo "- The seed (Django + SQLite) managed 19.5 successful orders/s with 72 % failures on this machine."
} >> bench/RESULTS.md
tail -16 bench/RESULTS.md
