#!/usr/bin/env bash
# Crash test: checkouts stream in from 4 clients; the server is killed with SIGKILL in the middle
# and restarted. Every checkout answered 201 must be there with its payment and receipt, no order
# may be half-written, and OR numbers must stay gap-free. Prints the counts; exits 1 on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-crash.XXXXXX)
PID=""
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
export TILLPOINT_DATA_DIR="$WORK" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn TILLPOINT_INSECURE_COOKIES=1
"$BIN" demo >/dev/null
python3 bench/generate.py sqlite "$WORK/tillpoint.sqlite3" 1000 10 >/dev/null
wait_up() { for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && return; sleep 0.1; done; echo "no server"; exit 1; }
"$BIN" serve >"$WORK/server.log" 2>&1 & PID=$!
wait_up
python3 bench/crash_client.py drive "$URL" "$WORK/results.json" &
CLIENT=$!
sleep "${CRASH_AFTER:-3}"
kill -9 "$PID"; wait "$PID" 2>/dev/null || true; PID=""
wait "$CLIENT"
"$BIN" serve >"$WORK/server2.log" 2>&1 & PID=$!
wait_up
python3 bench/crash_client.py verify "$WORK/tillpoint.sqlite3" "$WORK/results.json" "$URL"
