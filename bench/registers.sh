#!/usr/bin/env bash
# Issue 18: registers. Split-tender checkout (POST /pos/checkout, card 10.00 + cash, 3 random
# lines of 100,000 generated products; wrk c=4, SQLite) into the agent's open shift, then the Z
# report (GET /shifts/{id}/z-report) of that shift topped up to SALES (default 10,000) sales
# with generated past orders. Release build, 2 workers, loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15}"
SALES="${SALES:-10000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench-registers.XXXXXX)
source bench/lib.sh
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
DB="$WORK/tillpoint.sqlite3"
TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
python3 bench/generate.py sqlite "$DB" 100000 100000 >/dev/null
q() { python3 -c "import sqlite3; print(sqlite3.connect('$DB').execute(\"$1\").fetchone()[0])"; }

row2() { # row2 NAME CONNECTIONS PATH [wrk args…]: a markdown row with rate, latency and errors
  local name="$1" c="$2" path="$3"; shift 3
  local out
  local threads=2; [ "$c" -lt 2 ] && threads=1
  out=$(COOKIE="$COOKIE" TOKEN="$TOKEN" SPLIT="${SPLIT:-}" wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency "$@" "$URL$path")
  echo "| $name | $c | $(echo "$out" | awk '/Requests\/sec/ {print $2}') | $(echo "$out" | awk '$1=="50%" {print $2}') | $(echo "$out" | awk '$1=="99%" {print $2}') | $(echo "$out" | awk '/Non-2xx/ {print $NF}')$(echo "$out" | awk '/Socket errors/ {print " " $0}') |"
}

start
sign_in agent
open_shift
SHIFT=$(q "select id from shifts where closed_at is null and employee_id = (select id from employees where username = 'agent')")
echo "| work | c | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
row2 "POST /pos/checkout/cash (one tender, 3 lines), for comparison" 4 "/pos/checkout/cash" -s bench/checkout.lua
SPLIT=1 row2 "POST /pos/checkout (split tender, 3 lines)" 4 "/pos/checkout" -s bench/checkout.lua
SOLD=$(q "select count(*) from orders where shift_id = $SHIFT")
CARD=$(q "select count(*) from payments p join orders o on o.id = p.order_id where o.shift_id = $SHIFT and p.method = 'card'")
SPLIT_SALES=$(q "select count(*) from orders where shift_id = $SHIFT and idempotency_key in (select o.idempotency_key from orders o join payments p on p.order_id = o.id where p.method = 'card')")
echo "- the shift took $SOLD sales; $SPLIT_SALES split sales with $CARD card tenders (one each: $([ "$SPLIT_SALES" = "$CARD" ] && echo yes || echo NO))"
stop
python3 - "$DB" "$SHIFT" "$SALES" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); shift, want = int(sys.argv[2]), int(sys.argv[3])
have = db.execute("select count(*) from orders where shift_id = ?", (shift,)).fetchone()[0]
db.execute("""update orders set shift_id = ? where id in (select id from orders where shift_id is null
              and status = 'completed' order by id desc limit ?)""", (shift, max(0, want - have)))
db.commit()
PY
start
sign_in agent
echo "- the shift now holds $(q "select count(*) from orders where shift_id = $SHIFT") sales"
row2 "GET /shifts/{id}/z-report ($SALES sales), one manager printing" 1 "/shifts/$SHIFT/z-report" -H "Cookie: $COOKIE"
row2 "GET /shifts/{id}/z-report ($SALES sales)" 4 "/shifts/$SHIFT/z-report" -H "Cookie: $COOKIE"
row2 "GET /shifts/{id} (X report, $SALES sales)" 4 "/shifts/$SHIFT" -H "Cookie: $COOKIE"
