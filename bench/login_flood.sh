#!/usr/bin/env bash
# Issue 9: does a sign-in flood stall the shop? The guest menu (GET /t/{token}, 8 connections)
# is measured idle, then under a 40-client sign-in flood from one address, then under a
# 40-client flood whose every client claims its own address (through a trusted proxy: the
# per-address throttle cannot help, the password gate must). Same run, release build,
# production bcrypt cost (12), SQLite; PostgreSQL too when PG_ADMIN_URL is set.
# Appends a section to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-flood.XXXXXX)
SERVER_PID=""; FLOOD_PID=""
stop() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
trap '[ -n "$FLOOD_PID" ] && kill $FLOOD_PID 2>/dev/null; stop; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # start DATA_DIR [DATABASE_URL]
  PORT=$(free_port); URL="http://127.0.0.1:$PORT"
  env TILLPOINT_DATA_DIR="$1" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=error TILLPOINT_WORKERS=2 \
      TILLPOINT_INSECURE_COOKIES=1 TILLPOINT_TRUSTED_PROXIES=127.0.0.1 ${2:+DATABASE_URL="$2"} "$BIN" serve >"$1/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start"; cat "$1/server.log"; exit 1
}

menu() { # menu LABEL → one table row: the guest menu for DURATION seconds
  local out rps p50 p99 non2xx
  out=$(wrk -t1 -c8 -d"${DURATION}s" --latency "$URL$GUEST")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  HEALTH=$(curl -s -o /dev/null -w '%{http_code} in %{time_total}s' "$URL/healthz")
  ROW="| $1 | $rps | $p50 | $p99 | ${non2xx:-0} |"
  echo "$ROW"
}

run() { # run LABEL DATA_DIR TOKEN [DATABASE_URL]
  start "$2" "${4:-}"
  GUEST="/t/$3"
  curl -sf "$URL$GUEST" >/dev/null
  { menu "guest menu, idle ($1)"; } >> "$WORK/rows.md"
  for mode in one spread; do
    python3 bench/login_flood.py "$URL" 40 $((DURATION + 4)) $([ $mode = spread ] && echo --spread) > "$WORK/flood.json" &
    FLOOD_PID=$!
    sleep 2
    local what="one address"; [ $mode = spread ] && what="40 addresses"
    { menu "guest menu under a 40-client sign-in flood from $what ($1)"; } >> "$WORK/rows.md"
    wait $FLOOD_PID; FLOOD_PID=""
    echo "  - flood from $what ($1): sign-in answers by status $(cat "$WORK/flood.json"); /healthz during the flood: $HEALTH" >> "$WORK/notes.md"
    # Let the throttle windows of this flood not leak into the next one.
    stop; start "$2" "${4:-}"
  done
  stop
}

mkdir -p "$WORK/sqlite"
TILLPOINT_DATA_DIR="$WORK/sqlite" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
TOKEN=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/sqlite/tillpoint.sqlite3').execute('select token from cafe_tables order by number limit 1').fetchone()[0])")
run SQLite "$WORK/sqlite" "$TOKEN"

if [ -n "${PG_ADMIN_URL:-}" ]; then
  DBNAME="tillpoint_bench_flood_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  mkdir -p "$WORK/pg"
  TILLPOINT_DATA_DIR="$WORK/pg" TILLPOINT_LOG=warn DATABASE_URL="$PG_URL" "$BIN" demo >/dev/null
  TOKEN=$(psql "$PG_URL" -Atc "select token from cafe_tables order by number limit 1")
  run PostgreSQL "$WORK/pg" "$TOKEN" "$PG_URL"
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME" >/dev/null || true
fi

{
  echo
  echo "## Sign-in flood vs. the guest menu (issue 9)"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with \`bash bench/login_flood.sh\` (release build, 2 workers, bcrypt cost 12,"
  echo "wrk -t1 -c8 for ${DURATION}s on the same 2-core machine as the flood client, 40 Python threads). Target: p50 under"
  echo "the flood within 3× of idle, no 5xx."
  echo
  echo "| what | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|"
  cat "$WORK/rows.md"
  echo
  cat "$WORK/notes.md"
} >> bench/RESULTS.md
tail -20 bench/RESULTS.md
