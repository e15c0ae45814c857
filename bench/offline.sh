#!/usr/bin/env bash
# The offline till (issue 20): the catalogue a till keeps of 100,000 generated products, its
# delta after 100 price changes, and syncing 1,000 queued sales from one till, on SQLite and
# (with PG_ADMIN_URL) PostgreSQL. Prints the figures; bench/RESULTS.md keeps them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-offline.XXXXXX)
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

echo "== SQLite"
mkdir -p "$WORK/sqlite"
TILLPOINT_DATA_DIR="$WORK/sqlite" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
python3 bench/generate.py sqlite "$WORK/sqlite/tillpoint.sqlite3" 100000 1000 >/dev/null
start "$WORK/sqlite"
sign_in agent
open_shift
COOKIE="$COOKIE" TOKEN="$TOKEN" python3 bench/offline_sync.py "$URL" "sqlite:$WORK/sqlite/tillpoint.sqlite3"
if [ -d e2e/node_modules ] && [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  node bench/offline_till.js "$URL"
else
  echo "till copy: not measured (needs Chromium and e2e/node_modules: cd e2e && npm ci)"
fi
stop

if [ -n "${PG_ADMIN_URL:-}" ]; then
  echo "== PostgreSQL"
  DBNAME="tillpoint_bench_offline_$$"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$DBNAME"
  mkdir -p "$WORK/pg"
  TILLPOINT_DATA_DIR="$WORK/pg" TILLPOINT_LOG=warn DATABASE_URL="$PG_URL" "$BIN" demo >/dev/null
  psql "$PG_URL" -q -f bench/pg_catalogue.sql >/dev/null
  start "$WORK/pg" "$PG_URL"
  sign_in agent
  open_shift
  COOKIE="$COOKIE" TOKEN="$TOKEN" python3 bench/offline_sync.py "$URL" "pg:$PG_URL"
  stop
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE $DBNAME" >/dev/null
fi
